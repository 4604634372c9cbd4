//! `report.md` of a path and its terminal lines.

use super::*;
use crate::report::format::quantity_summary;

/// `report.md` of a path.
pub fn path_md(p: &Path, r: &PathResults, mc: Option<&PathMonteCarlo>) -> String {
    let tr = p.target_region();
    let ty = r.target_year();
    let mut s = format!("# {}\n\n", p.title);
    if !p.description.is_empty() {
        s.push_str(&format!("{}\n\n", p.description));
    }
    s.push_str(&format!(
        "Years {}–{}, {}. Target: {} of {} by {} under the `{}` rule — **{}** ({} in {}; strict rate {}).\n\n",
        p.years[0].year,
        p.years[p.years.len() - 1].year,
        solve_sentence(p, r),
        percent_whole(tr.target.rate),
        ty.results.target.scope,
        ty.year,
        tr.target.accounting.rule,
        if ty.results.target.meets { "met" } else { "missed" },
        percent_summary(ty.results.target.achieved),
        ty.year,
        percent_summary(ty.results.target.strict_achieved),
    ));
    s.push_str("Rate = utilised / (generated + drawn from legacy stockpiles), each year with its own denominator; hydrogen has its own balance and never enters it.\n\n");
    s.push_str("| year | rate | strict rate | generated | utilised | from stockpiles | disposed | dumped | net cost (yuan/yr) | measures |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for y in &r.years {
        let b = &y.results.solids;
        s.push_str(&format!(
            "| {}{} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            y.year,
            if y.year == ty.year { " (target)" } else { "" },
            percent_summary(y.results.target.achieved),
            percent_summary(y.results.target.strict_achieved),
            quantity_summary(b.generated, "t"),
            quantity_summary(b.utilised(), "t"),
            quantity_summary(b.stockpile_drawn, "t"),
            quantity_summary(b.disposed, "t"),
            quantity_summary(b.dumped, "t"),
            crate::report::format::yuan(y.results.cost.total()),
            {
                let m = measures(&y.region).replace(';', ", ");
                if m.is_empty() {
                    "–".to_string()
                } else {
                    escape(&m).into_owned()
                }
            }
        ));
    }
    if p.linked() {
        s.push_str("\n## What carries over\n\n| year | kind | id | at the start | drawn / stored | at the end |\n|---:|---|---|---:|---:|---:|\n");
        for y in &r.years {
            for st in &y.stocks {
                s.push_str(&format!(
                    "| {} | legacy stock | {} | {} | {} | {} |\n",
                    y.year,
                    escape(&st.producer),
                    quantity_summary(st.start, "t"),
                    quantity_summary(st.drawn, "t"),
                    quantity_summary(st.end, "t")
                ));
            }
            for l in &y.rooms {
                s.push_str(&format!(
                    "| {} | landfill room | {} | {} | {} | {} |\n",
                    y.year,
                    escape(&l.park),
                    quantity_summary(l.start, "t"),
                    quantity_summary(l.stored, "t"),
                    quantity_summary(l.end, "t")
                ));
            }
        }
        s.push_str("\nA stock drawn in a year counts in that year's rate only; a landfill's room used in a year is gone for the later years. Solved jointly, every year's allocation is part of one optimum over the whole horizon (`docs/path.md`); a year's own outputs under `years/<year>/` show that year's share of it, without rate ranges among optima or capacity values (they belong to a year's own problem).\n");
    } else {
        s.push_str("\nEach year's full outputs, with rate ranges among optima and capacity values, are under `years/<year>/`.\n");
    }
    if let Some(mc) = mc {
        s.push_str(&mc_md(p, mc));
    }
    s.push_str("\nFiles: `path.csv` (a row per year), `path_materials.csv`, `path_parks.csv`, `path_links.csv`, `path.json`, `charts/trajectory.png`.\n");
    s
}

fn mc_md(p: &Path, mc: &PathMonteCarlo) -> String {
    let tr = p.target_region();
    let (pm, (lo, hi)) = mc.p_meet();
    let mut s = format!(
        "\n## Monte Carlo\n\n{} samples (seed {}, from sample {}), every year on the same draws of the target year's {} uncertain inputs; every statistic is over all {} samples{}.\n\n**P(meet {} in {}) = {}** (95 % Wilson interval {}–{}).\n\n| year | rate mean | p5 | p50 | p95 | strict mean | P(rate ≥ target rate) |\n|---:|---:|---:|---:|---:|---:|---:|\n",
        mc.samples,
        mc.seed,
        mc.first,
        mc.inputs.len(),
        mc.samples,
        if mc.no_legal_fate > 0 {
            format!(" ({} had no legal fate for some waste in some year: evaluated with dumping allowed, they miss the target)", mc.no_legal_fate)
        } else {
            String::new()
        },
        percent_whole(tr.target.rate),
        p.years[p.target_index].year,
        percent_summary(Some(pm)),
        percent_summary(Some(lo)),
        percent_summary(Some(hi)),
    );
    for (t, y) in p.years.iter().enumerate() {
        let g = |x: &Option<crate::analysis::Stats>, f: fn(&crate::analysis::Stats) -> f64| {
            percent_summary(x.as_ref().map(f))
        };
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            y.year,
            g(&mc.rate[t], |s| s.mean),
            g(&mc.rate[t], |s| s.p5),
            g(&mc.rate[t], |s| s.p50),
            g(&mc.rate[t], |s| s.p95),
            g(&mc.strict[t], |s| s.mean),
            percent_summary(Some(mc.met[t] as f64 / mc.samples as f64)),
        ));
    }
    s.push_str("\nFiles: `path_monte_carlo.csv` (these statistics), `path_samples.csv` (a row per sample).\n");
    s
}

/// The terminal lines of a path.
pub fn terminal_path(p: &Path, r: &PathResults, mc: Option<&PathMonteCarlo>) -> String {
    let tr = p.target_region();
    let ty = r.target_year();
    let mut s = format!(
        "{} ({}–{}): {}\n",
        escape(&p.title),
        p.years[0].year,
        p.years[p.years.len() - 1].year,
        solve_sentence(p, r)
    );
    for y in &r.years {
        s.push_str(&format!(
            "  {}: rate {} (strict {}), {} generated, {} dumped{}\n",
            y.year,
            percent_summary(y.results.target.achieved),
            percent_summary(y.results.target.strict_achieved),
            quantity_summary(y.results.solids.generated, "t"),
            quantity_summary(y.results.solids.dumped, "t"),
            if y.year == ty.year {
                format!(
                    " — target {} in {}: {}",
                    percent_whole(tr.target.rate),
                    ty.year,
                    if y.results.target.meets {
                        "met"
                    } else {
                        "missed"
                    }
                )
            } else {
                String::new()
            }
        ));
    }
    if let Some(mc) = mc {
        let (pm, (lo, hi)) = mc.p_meet();
        s.push_str(&format!(
            "  monte carlo: {} samples (seed {}): P(meet {} in {}) = {} (95 % CI {}–{}); {} rate p5–p95 {}–{}\n",
            mc.samples,
            mc.seed,
            percent_whole(p.target_region().target.rate),
            p.years[p.target_index].year,
            percent_summary(Some(pm)),
            percent_summary(Some(lo)),
            percent_summary(Some(hi)),
            p.years[p.target_index].year,
            percent_summary(mc.rate[p.target_index].as_ref().map(|s| s.p5)),
            percent_summary(mc.rate[p.target_index].as_ref().map(|s| s.p95)),
        ));
    }
    s
}
