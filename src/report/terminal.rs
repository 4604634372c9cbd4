//! The short terminal summary, also quoted at the top of `report.md`. Names from the input are
//! escaped (`model::text::escape`): an id cannot hold a terminal escape sequence or a newline.

use super::format::{fixed, percent_summary as pct, percent_whole, quantity_summary as qty, yuan};
use crate::analysis::Results;
use crate::model::text::escape;
use crate::model::*;

/// The short terminal summary: the rate, target met or not, the three biggest gaps.
pub fn terminal_summary(region: &Region, r: &Results) -> String {
    let mut s = String::new();
    let t = &r.target;
    s.push_str(&format!(
        "{} ({}): {} utilisation {} against a target of {} — {}\n",
        escape(&region.title),
        region.year,
        escape(&t.scope),
        pct(t.achieved),
        percent_whole(t.rate),
        if t.meets {
            "target met".to_string()
        } else {
            format!("target missed by {}", qty(t.shortfall, "t"))
        }
    ));
    let applied: Vec<String> = region
        .candidates
        .applied()
        .map(|c| escape(&c.id).into_owned())
        .collect();
    if !applied.is_empty() {
        let c = &region.candidates;
        s.push_str(&format!(
            "  with measures {} ({}/yr annualised, beside the allocation's cost below)\n",
            applied.join(", "),
            yuan(c.cost(&c.applied))
        ));
    }
    s.push_str(&format!(
        "  accounting rule {}; strict rate (no backfill or ecological restoration) {}\n",
        region.target.accounting.rule,
        pct(t.strict_achieved),
    ));
    let [generated, utilised, drawn, disposed, dumped] = super::format::quantities_summary(
        [
            r.solids.generated,
            r.solids.utilised(),
            r.solids.stockpile_drawn,
            r.solids.disposed,
            r.solids.dumped,
        ],
        "t",
    );
    s.push_str(&format!(
        "  solids: {generated} generated, {utilised} utilised ({drawn} from stockpiles), {disposed} disposed ({dumped} dumped)\n",
    ));
    for (m, b) in &r.hydrogen {
        let mat = &region.materials[m.0];
        let [generated, utilised] =
            super::format::quantities_summary([b.generated, b.utilised()], &mat.unit);
        s.push_str(&format!(
            "  {}: {generated} generated, {utilised} utilised ({}), own balance\n",
            escape(&mat.name),
            pct(b.rate()),
        ));
    }
    s.push_str(&format!(
        "  cost {}/yr, CO2 avoided {} (net of transport), solids transport {}/yr\n",
        yuan(r.cost.total()),
        qty(r.co2_avoided_t - r.co2_transport_t, "t"),
        super::format::work_summary(r.transport_tkm, "t·km")
    ));
    if let Some(line) = alternative_line(r) {
        s.push_str(&line);
    }
    if r.gaps.is_empty() {
        s.push_str("  no park or material falls short of the target rate\n");
    } else {
        s.push_str("  biggest gaps to the target rate:\n");
        for g in r.gaps.iter().take(3) {
            s.push_str(&format!(
                "    {} {}: {} short (at {})\n",
                escape(&region.parks[g.park.0].id),
                escape(&region.materials[g.material.0].name),
                qty(g.shortfall, "t"),
                pct(g.rate)
            ));
        }
    }
    s
}

/// One line comparing least cost with technical potential, when the run solved both:
/// `least cost 61.2 % at 7.3 million yuan; technical potential 80.4 % at 9.1 million yuan:
/// +1.20 Mt for 1.8 million yuan (1.50 yuan/t)`.
fn alternative_line(r: &Results) -> Option<String> {
    let a = r.alternative.as_ref()?;
    let primary = (r.solids.rate(), r.cost.total());
    let other = (a.utilisation_rate, a.cost_yuan);
    let (least_cost, potential) = match a.objective {
        Objective::Cost => (other, primary),
        Objective::MaxUtilisation => (primary, other),
    };
    let m = &a.moving;
    let moving = match m.yuan_per_extra_t {
        Some(per_t) => format!(
            "+{}/yr for {}/yr ({} yuan/t)",
            qty(m.delta_utilised_t, "t"),
            yuan(m.delta_cost_yuan),
            fixed(per_t, 2)
        ),
        None => "no more utilised".to_string(),
    };
    Some(format!(
        "  least cost {} at {}/yr; technical potential {} at {}/yr: {moving}\n",
        pct(least_cost.0),
        yuan(least_cost.1),
        pct(potential.0),
        yuan(potential.1),
    ))
}
