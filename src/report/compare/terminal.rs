//! The terminal table of `compare`.

use super::*;

/// The terminal table of `compare`: per strategy, both rules' rates under each objective,
/// the resource cost, and with a Monte Carlo P(meet target) and the paired difference.
pub fn terminal_compare(labels: &[Labelled<'_>], rows: &[Row]) -> String {
    let base = labels[0].region;
    let mc = crate::analysis::compare::sampling(rows).map(|(samples, seed)| {
        format!(
            "; Monte Carlo: {samples} samples, seed {seed}, under {}, the same draws for every strategy",
            match base.settings.objective {
                Objective::Cost => "least cost",
                Objective::MaxUtilisation => "technical potential",
            }
        )
    });
    let mut s = format!(
        "compare: {} strategies against {} (target {} under {}{})\n",
        rows.len() - 1,
        crate::model::text::escape(labels[0].id),
        crate::report::format::percent_whole(base.target.rate),
        crate::model::text::escape(&base.target.accounting.rule),
        mc.unwrap_or_default()
    );
    for (l, row) in labels.iter().zip(rows) {
        s.push_str(&format!("  {}", crate::model::text::escape(l.id)));
        match &row.answers {
            Err(e) => s.push_str(&format!(": failed — {}\n", crate::model::text::escape(e))),
            Ok(_) => {
                for (name, o) in [
                    ("least cost", Objective::Cost),
                    ("potential", Objective::MaxUtilisation),
                ] {
                    if let Some(a) = row.answer(o) {
                        s.push_str(&format!(
                            " | {name} {} (strict {}), {}",
                            percent_summary(a.results.target.achieved),
                            percent_summary(a.results.target.strict_achieved),
                            yuan_text(a.money.resource)
                        ));
                    }
                }
                match &row.uncertainty {
                    Some(Ok(u)) => {
                        s.push_str(&format!(" | P {}", num(u.p_meet_target, 3)));
                        if let Some(p) = &u.paired {
                            let pts = |x: f64| num(x * 100.0, 2);
                            if let Some(m) = p.rate_diff_mean {
                                s.push_str(&format!(", Δrate {} pts", pts(m)));
                            }
                            if let Some((lo, hi)) = p.rate_diff_ci95 {
                                s.push_str(&format!(" [{}, {}]", pts(lo), pts(hi)));
                            }
                        }
                    }
                    Some(Err(e)) => s.push_str(&format!(
                        " | Monte Carlo failed — {}",
                        crate::model::text::escape(e)
                    )),
                    None => {}
                }
                s.push('\n');
            }
        }
    }
    s
}
