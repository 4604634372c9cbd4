//! The terminal table of `compare`.

use super::*;

/// The terminal table of `compare`: per strategy, both rules' rates under each objective,
/// the resource cost, and with a Monte Carlo P(meet target) and the paired difference.
pub fn terminal_compare(labels: &[Labelled<'_>], rows: &[Row]) -> String {
    let base = labels[0].region;
    let mut s = format!(
        "compare: {} strategies against {} (target {} under {})\n",
        rows.len() - 1,
        crate::model::text::escape(labels[0].id),
        crate::report::format::percent_whole(base.target.rate),
        crate::model::text::escape(&base.target.accounting.rule)
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
                    if let Some(a) = answer(row, o) {
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
                            s.push_str(&format!(
                                ", Δrate {} pts [{}, {}]",
                                num(p.rate_diff_mean * 100.0, 2),
                                num(p.rate_diff_ci95.0 * 100.0, 2),
                                num(p.rate_diff_ci95.1 * 100.0, 2)
                            ));
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
