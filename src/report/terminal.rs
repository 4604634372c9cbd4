//! The short terminal summary, also quoted at the top of `report.md`.

use super::format::{percent_summary as pct, quantity_summary as qty, yuan};
use crate::analysis::Results;
use crate::model::*;

/// The short terminal summary: the rate, target met or not, the three biggest gaps.
pub fn terminal_summary(region: &Region, r: &Results) -> String {
    let mut s = String::new();
    let t = &r.target;
    s.push_str(&format!(
        "{} ({}): {} utilisation {} against a target of {:.0} % — {}\n",
        region.title,
        region.year,
        t.scope,
        pct(t.achieved),
        t.rate * 100.0,
        if t.meets {
            "target met".to_string()
        } else {
            format!("target missed by {}", qty(t.shortfall, "t"))
        }
    ));
    s.push_str(&format!(
        "  accounting rule {}; strict rate (no backfill or ecological restoration) {}\n",
        region.target.accounting.rule,
        pct(t.strict_achieved),
    ));
    s.push_str(&format!(
        "  solids: {} generated, {} utilised ({} from stockpiles), {} disposed ({} dumped)\n",
        qty(r.solids.generated, "t"),
        qty(r.solids.utilised(), "t"),
        qty(r.solids.stockpile_drawn, "t"),
        qty(r.solids.disposed, "t"),
        qty(r.solids.dumped, "t")
    ));
    for (m, b) in &r.hydrogen {
        let mat = &region.materials[m.0];
        s.push_str(&format!(
            "  {}: {} generated, {} utilised ({}), own balance\n",
            mat.name,
            qty(b.generated, &mat.unit),
            qty(b.utilised(), &mat.unit),
            pct(b.rate()),
        ));
    }
    s.push_str(&format!(
        "  cost {}/yr, CO2 avoided {} (net of transport), solids transport {:.3e} t·km\n",
        yuan(r.cost.total()),
        qty(r.co2_avoided_t - r.co2_transport_t, "t"),
        r.transport_tkm
    ));
    if r.gaps.is_empty() {
        s.push_str("  no park or material falls short of the target rate\n");
    } else {
        s.push_str("  biggest gaps to the target rate:\n");
        for g in r.gaps.iter().take(3) {
            s.push_str(&format!(
                "    {} {}: {} short (at {})\n",
                region.parks[g.park.0].id,
                region.materials[g.material.0].name,
                qty(g.shortfall, "t"),
                pct(g.rate)
            ));
        }
    }
    s
}
