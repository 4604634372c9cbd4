//! The outputs of a path (`run` on a path file; `docs/reports.md`, "Paths"): one row per year
//! (`path.csv`), per year and material (`path_materials.csv`) and park (`path_parks.csv`),
//! the linked stocks and landfills year by year (`path_links.csv`), `path.json`, `report.md`,
//! the trajectory chart, and every year's own run outputs under `years/<year>/`.

use super::format::{csv_number, csv_rate, percent_summary, percent_whole, quantity_summary};
use super::{render, OutputFile, ReportError};
use crate::analysis::path::{PathMonteCarlo, PathResults, PathSolve, YearResult};
use crate::analysis::{Balance, Results};
use crate::model::path::Path;
use crate::model::text::escape;
use crate::model::Region;
use serde::Serialize;

fn num(x: f64, d: i32) -> String {
    csv_number(x, d)
}

fn measures(region: &Region) -> String {
    region
        .candidates
        .applied()
        .map(|c| c.id.as_str())
        .collect::<Vec<_>>()
        .join(";")
}

fn measures_cost(region: &Region) -> f64 {
    let c = &region.candidates;
    c.cost(&c.applied)
}

fn hydrogen_kg(region: &Region, r: &Results) -> f64 {
    r.hydrogen
        .iter()
        .filter(|(m, _)| region.materials[m.0].unit == "kg")
        .map(|(_, b)| b.utilised())
        .sum()
}

fn stored(r: &Results) -> f64 {
    r.landfills.iter().map(|l| l.stored).sum()
}

type Cell = fn(&Path, &PathResults, &YearResult) -> String;

/// `path.csv`'s columns, defined once.
const YEAR_COLUMNS: &[(&str, Cell)] = &[
    ("year", |_, _, y| y.year.to_string()),
    ("target_year", |_, r, y| {
        (y.year == r.target_year().year).to_string()
    }),
    ("rate", |_, _, y| csv_rate(y.results.target.achieved)),
    ("strict_rate", |_, _, y| {
        csv_rate(y.results.target.strict_achieved)
    }),
    ("target_rate", |_, _, y| num(y.results.target.rate, 6)),
    ("meets_target_rate", |_, _, y| {
        y.results.target.meets.to_string()
    }),
    ("shortfall_t", |_, _, y| num(y.results.target.shortfall, 3)),
    ("generated_t", |_, _, y| num(y.results.solids.generated, 3)),
    ("utilised_t", |_, _, y| num(y.results.solids.utilised(), 3)),
    ("stockpile_drawn_t", |_, _, y| {
        num(y.results.solids.stockpile_drawn, 3)
    }),
    ("disposed_t", |_, _, y| num(y.results.solids.disposed, 3)),
    ("landfilled_t", |_, _, y| num(stored(&y.results), 3)),
    ("dumped_t", |_, _, y| num(y.results.solids.dumped, 3)),
    ("hydrogen_utilised_kg", |_, _, y| {
        num(hydrogen_kg(&y.region, &y.results), 3)
    }),
    ("net_cost_yuan", |_, _, y| num(y.results.cost.total(), 2)),
    ("measures", |_, _, y| measures(&y.region)),
    ("measures_annual_cost_yuan", |_, _, y| {
        num(measures_cost(&y.region), 2)
    }),
    ("co2_avoided_t", |_, _, y| num(y.results.co2_avoided_t, 3)),
    ("transport_tkm", |_, _, y| num(y.results.transport_tkm, 3)),
];

fn csv_of(head: &[&str], rows: Vec<Vec<String>>) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(head)?;
    for r in rows {
        w.write_record(r)?;
    }
    w.into_inner()
        .map_err(|e| ReportError::Csv(e.into_error().into()))
}

/// `path.csv`: one row per year.
pub fn path_csv(p: &Path, r: &PathResults) -> Result<Vec<u8>, ReportError> {
    let head: Vec<&str> = YEAR_COLUMNS.iter().map(|c| c.0).collect();
    let rows = r
        .years
        .iter()
        .map(|y| YEAR_COLUMNS.iter().map(|c| (c.1)(p, r, y)).collect())
        .collect();
    csv_of(&head, rows)
}

const BALANCE_HEAD: [&str; 8] = [
    "generated",
    "utilised",
    "stockpile_drawn",
    "disposed",
    "dumped",
    "uncounted",
    "rate",
    "strict_rate",
];

fn balance_cells(b: &Balance) -> Vec<String> {
    vec![
        num(b.generated, 3),
        num(b.utilised(), 3),
        num(b.stockpile_drawn, 3),
        num(b.disposed, 3),
        num(b.dumped, 3),
        num(b.uncounted_new + b.uncounted_stock, 3),
        csv_rate(b.rate()),
        csv_rate(b.strict_rate()),
    ]
}

/// `path_materials.csv`: every year × material (solids, then hydrogen in its own unit).
pub fn path_materials_csv(r: &PathResults) -> Result<Vec<u8>, ReportError> {
    let mut head = vec!["year", "material", "class", "unit"];
    head.extend(BALANCE_HEAD);
    let mut rows = Vec::new();
    for y in &r.years {
        for (m, b) in y.results.by_material.iter().chain(&y.results.hydrogen) {
            let mat = &y.region.materials[m.0];
            let mut row = vec![
                y.year.to_string(),
                mat.id.clone(),
                mat.class.as_str().to_string(),
                mat.unit.clone(),
            ];
            row.extend(balance_cells(b));
            rows.push(row);
        }
    }
    csv_of(&head, rows)
}

/// `path_parks.csv`: every year × consolidated park (solids, t).
pub fn path_parks_csv(r: &PathResults) -> Result<Vec<u8>, ReportError> {
    let mut head = vec!["year", "park"];
    head.extend(BALANCE_HEAD);
    let mut rows = Vec::new();
    for y in &r.years {
        for (k, b) in &y.results.by_park {
            let mut row = vec![y.year.to_string(), y.region.parks[k.0].id.clone()];
            row.extend(balance_cells(b));
            rows.push(row);
        }
    }
    csv_of(&head, rows)
}

/// `path_links.csv`: the linked stocks and landfills year by year (t).
pub fn path_links_csv(r: &PathResults) -> Result<Vec<u8>, ReportError> {
    let head = [
        "year",
        "kind",
        "id",
        "start_t",
        "drawn_or_stored_t",
        "end_t",
    ];
    let mut rows = Vec::new();
    for y in &r.years {
        for s in &y.stocks {
            rows.push(vec![
                y.year.to_string(),
                "stock".into(),
                s.producer.clone(),
                num(s.start, 3),
                num(s.drawn, 3),
                num(s.end, 3),
            ]);
        }
        for l in &y.rooms {
            rows.push(vec![
                y.year.to_string(),
                "landfill_room".into(),
                l.park.clone(),
                num(l.start, 3),
                num(l.stored, 3),
                num(l.end, 3),
            ]);
        }
    }
    csv_of(&head, rows)
}

/// `path_monte_carlo.csv`: the rate's statistics per year over every sample.
pub fn path_monte_carlo_csv(p: &Path, mc: &PathMonteCarlo) -> Result<Vec<u8>, ReportError> {
    let head = [
        "year",
        "target_year",
        "samples",
        "rate_mean",
        "rate_p5",
        "rate_p50",
        "rate_p95",
        "strict_rate_mean",
        "strict_rate_p5",
        "strict_rate_p50",
        "strict_rate_p95",
        "p_meets_target_rate",
        "p_meets_target_rate_wilson95_low",
        "p_meets_target_rate_wilson95_high",
    ];
    let cells = |s: &Option<crate::analysis::Stats>| match s {
        Some(s) => vec![
            csv_rate(Some(s.mean)),
            csv_rate(Some(s.p5)),
            csv_rate(Some(s.p50)),
            csv_rate(Some(s.p95)),
        ],
        None => vec![String::new(); 4],
    };
    let rows = p
        .years
        .iter()
        .enumerate()
        .map(|(t, y)| {
            let (lo, hi) = crate::analysis::plan::stats::wilson95(mc.met[t], mc.samples);
            let mut row = vec![
                y.year.to_string(),
                (t == p.target_index).to_string(),
                mc.samples.to_string(),
            ];
            row.extend(cells(&mc.rate[t]));
            row.extend(cells(&mc.strict[t]));
            row.push(num(mc.met[t] as f64 / mc.samples as f64, 6));
            row.push(num(lo, 6));
            row.push(num(hi, 6));
            row
        })
        .collect();
    csv_of(&head, rows)
}

/// `path_samples.csv`: one row per sample, each year's rate under the rule and strict.
pub fn path_samples_csv(p: &Path, mc: &PathMonteCarlo) -> Result<Vec<u8>, ReportError> {
    let mut head = vec!["sample".to_string(), "legal".to_string()];
    for y in &p.years {
        head.push(format!("rate_{}", y.year));
    }
    for y in &p.years {
        head.push(format!("strict_rate_{}", y.year));
    }
    let rows = mc
        .records
        .iter()
        .map(|s| {
            let mut row = vec![s.index.to_string(), s.legal.to_string()];
            row.extend(s.rate.iter().map(|&r| csv_rate(r)));
            row.extend(s.strict.iter().map(|&r| csv_rate(r)));
            row
        })
        .collect();
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    csv_of(&head, rows)
}

#[derive(Serialize)]
struct JsonPath<'a> {
    title: &'a str,
    description: &'a str,
    first_year: i32,
    last_year: i32,
    target_year: i32,
    target_rate: f64,
    target_scope: &'a str,
    accounting_rule: &'a str,
    /// "joint" or "year_by_year".
    solve: &'static str,
    network: JsonNetwork,
    target_met: bool,
    years: Vec<JsonYear<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    monte_carlo: Option<JsonMc>,
}

#[derive(Serialize)]
struct JsonMc {
    samples: u64,
    seed: u64,
    first_sample: u64,
    inputs: Vec<String>,
    /// Samples with no legal fate in some year (evaluated with dumping allowed; they miss).
    samples_no_legal_fate: u64,
    /// P(the target year's rate meets the target), over all samples.
    p_meet_target: f64,
    p_meet_target_wilson95: (f64, f64),
    years: Vec<JsonMcYear>,
}

#[derive(Serialize)]
struct JsonMcYear {
    year: i32,
    rate: Option<JsonStats>,
    strict_rate: Option<JsonStats>,
    /// Share of samples whose rate that year meets the target's rate.
    p_meets_target_rate: f64,
}

#[derive(Serialize)]
struct JsonStats {
    n: u64,
    mean: f64,
    p5: f64,
    p50: f64,
    p95: f64,
}

fn js(s: &Option<crate::analysis::Stats>) -> Option<JsonStats> {
    s.as_ref().map(|s| JsonStats {
        n: s.n,
        mean: s.mean,
        p5: s.p5,
        p50: s.p50,
        p95: s.p95,
    })
}

fn json_mc(p: &Path, mc: &PathMonteCarlo) -> JsonMc {
    let (pm, ci) = mc.p_meet();
    JsonMc {
        samples: mc.samples,
        seed: mc.seed,
        first_sample: mc.first,
        inputs: mc.inputs.clone(),
        samples_no_legal_fate: mc.no_legal_fate,
        p_meet_target: pm,
        p_meet_target_wilson95: ci,
        years: p
            .years
            .iter()
            .enumerate()
            .map(|(t, y)| JsonMcYear {
                year: y.year,
                rate: js(&mc.rate[t]),
                strict_rate: js(&mc.strict[t]),
                p_meets_target_rate: mc.met[t] as f64 / mc.samples as f64,
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct JsonNetwork {
    nodes: usize,
    arcs: usize,
    /// The joint problem's certified phases (empty when solved year by year).
    phases: Vec<JsonPhase>,
}

#[derive(Serialize)]
struct JsonPhase {
    name: String,
    objective_units: String,
}

#[derive(Serialize)]
struct JsonYear<'a> {
    year: i32,
    scenario: &'a str,
    rate: Option<f64>,
    strict_rate: Option<f64>,
    meets_target_rate: bool,
    shortfall_t: f64,
    solids: JsonBalance,
    by_material: Vec<(&'a str, JsonBalance)>,
    by_park: Vec<(&'a str, JsonBalance)>,
    hydrogen: Vec<(&'a str, JsonBalance)>,
    landfilled_t: f64,
    net_cost_yuan: f64,
    measures: Vec<&'a str>,
    measures_annual_cost_yuan: f64,
    co2_avoided_t: f64,
    stocks: Vec<JsonLink<'a>>,
    landfill_rooms: Vec<JsonLink<'a>>,
}

#[derive(Serialize)]
struct JsonBalance {
    unit: String,
    generated: f64,
    utilised: f64,
    stockpile_drawn: f64,
    disposed: f64,
    dumped: f64,
    rate: Option<f64>,
    strict_rate: Option<f64>,
}

#[derive(Serialize)]
struct JsonLink<'a> {
    id: &'a str,
    start_t: f64,
    /// Drawn from the stock, or stored in the landfill, this year.
    change_t: f64,
    end_t: f64,
}

fn jb(b: &Balance, unit: &str) -> JsonBalance {
    JsonBalance {
        unit: unit.to_string(),
        generated: b.generated,
        utilised: b.utilised(),
        stockpile_drawn: b.stockpile_drawn,
        disposed: b.disposed,
        dumped: b.dumped,
        rate: b.rate(),
        strict_rate: b.strict_rate(),
    }
}

/// `path.json`.
pub fn path_json(
    p: &Path,
    r: &PathResults,
    mc: Option<&PathMonteCarlo>,
) -> Result<Vec<u8>, ReportError> {
    let tr = p.target_region();
    let years = r
        .years
        .iter()
        .map(|y| {
            let res = &y.results;
            let reg = &y.region;
            let mat = |m: crate::model::MaterialId| &reg.materials[m.0];
            JsonYear {
                year: y.year,
                scenario: &reg.name,
                rate: res.target.achieved,
                strict_rate: res.target.strict_achieved,
                meets_target_rate: res.target.meets,
                shortfall_t: res.target.shortfall,
                solids: jb(&res.solids, "t"),
                by_material: res
                    .by_material
                    .iter()
                    .map(|(m, b)| (mat(*m).id.as_str(), jb(b, &mat(*m).unit)))
                    .collect(),
                by_park: res
                    .by_park
                    .iter()
                    .map(|(k, b)| (reg.parks[k.0].id.as_str(), jb(b, "t")))
                    .collect(),
                hydrogen: res
                    .hydrogen
                    .iter()
                    .map(|(m, b)| (mat(*m).id.as_str(), jb(b, &mat(*m).unit)))
                    .collect(),
                landfilled_t: stored(res),
                net_cost_yuan: res.cost.total(),
                measures: reg.candidates.applied().map(|c| c.id.as_str()).collect(),
                measures_annual_cost_yuan: measures_cost(reg),
                co2_avoided_t: res.co2_avoided_t,
                stocks: y
                    .stocks
                    .iter()
                    .map(|s| JsonLink {
                        id: &s.producer,
                        start_t: s.start,
                        change_t: s.drawn,
                        end_t: s.end,
                    })
                    .collect(),
                landfill_rooms: y
                    .rooms
                    .iter()
                    .map(|l| JsonLink {
                        id: &l.park,
                        start_t: l.start,
                        change_t: l.stored,
                        end_t: l.end,
                    })
                    .collect(),
            }
        })
        .collect();
    let j = JsonPath {
        title: &p.title,
        description: &p.description,
        first_year: p.years[0].year,
        last_year: p.years[p.years.len() - 1].year,
        target_year: r.target_year().year,
        target_rate: tr.target.rate,
        target_scope: &r.target_year().results.target.scope,
        accounting_rule: &tr.target.accounting.rule,
        solve: solve_name(r.solve),
        network: JsonNetwork {
            nodes: r.nodes,
            arcs: r.arcs,
            phases: r
                .joint_phases
                .iter()
                .map(|ph| JsonPhase {
                    name: ph.name.clone(),
                    objective_units: ph.objective_units.to_string(),
                })
                .collect(),
        },
        target_met: r.target_year().results.target.meets,
        years,
        monte_carlo: mc.map(|mc| json_mc(p, mc)),
    };
    let mut out = serde_json::to_vec_pretty(&j)?;
    out.push(b'\n');
    Ok(out)
}

fn solve_name(s: PathSolve) -> &'static str {
    match s {
        PathSolve::Joint => "joint",
        PathSolve::YearByYear => "year_by_year",
    }
}

/// How the path was solved, in a sentence.
pub fn solve_sentence(p: &Path, r: &PathResults) -> String {
    match r.solve {
        PathSolve::Joint => format!(
            "solved jointly as one time-expanded network ({} nodes, {} arcs): {}",
            r.nodes,
            r.arcs,
            links_phrase(p)
        ),
        PathSolve::YearByYear => {
            "solved year by year: no stock or landfill room links the years".to_string()
        }
    }
}

fn links_phrase(p: &Path) -> String {
    let mut parts = Vec::new();
    if !p.stockpiles.is_empty() {
        let ids: Vec<String> = p
            .stockpiles
            .iter()
            .map(|s| escape(&s.producer).into_owned())
            .collect();
        parts.push(format!("legacy stock of {} carried over", ids.join(", ")));
    }
    if !p.landfills.is_empty() {
        let ids: Vec<String> = p
            .landfills
            .iter()
            .map(|l| escape(&l.park).into_owned())
            .collect();
        parts.push(format!(
            "landfill room of {} shared by the years",
            ids.join(", ")
        ));
    }
    parts.join("; ")
}

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
            super::format::yuan(y.results.cost.total()),
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

/// The trajectory chart's input: each year's target rate under the rule and strict, the
/// Monte Carlo's p5–p95 when it ran, the target and its year.
pub fn trajectory_chart_data(
    p: &Path,
    r: &PathResults,
    mc: Option<&PathMonteCarlo>,
) -> super::charts::TrajectoryChart {
    let tr = p.target_region();
    let ty = r.target_year();
    super::charts::TrajectoryChart {
        title: format!("{}: {} utilisation rate by year", p.title, ty.results.target.scope),
        subtitle: match r.solve {
            PathSolve::Joint => format!("solved jointly: {}", links_phrase(p)),
            PathSolve::YearByYear => "solved year by year (nothing links the years)".to_string(),
        },
        years: r.years.iter().map(|y| y.year).collect(),
        rate: r.years.iter().map(|y| y.results.target.achieved).collect(),
        rule: tr.target.accounting.rule.clone(),
        strict: r
            .years
            .iter()
            .map(|y| y.results.target.strict_achieved)
            .collect(),
        band: mc.and_then(|mc| {
            mc.rate
                .iter()
                .map(|s| s.as_ref().map(|s| (s.p5, s.p95)))
                .collect::<Option<Vec<_>>>()
        }),
        target_rate: tr.target.rate,
        target_year: ty.year,
        note: mc.map(|mc| {
            let (pm, (lo, hi)) = mc.p_meet();
            format!(
                "P(meet {} in {}) = {} [{}, {}], {} samples (seed {}); p5–p95 of the rate under the rule",
                percent_whole(tr.target.rate),
                ty.year,
                percent_summary(Some(pm)),
                percent_summary(Some(lo)),
                percent_summary(Some(hi)),
                super::format::grouped(mc.samples as f64),
                mc.seed
            )
        }),
    }
}

/// Every output of a path run but the manifest: the path's files, then each year's run
/// outputs under `years/<year>/`.
pub fn render_path(
    p: &Path,
    r: &PathResults,
    mc: Option<&PathMonteCarlo>,
) -> Result<Vec<OutputFile>, ReportError> {
    let mut out = vec![
        OutputFile {
            path: "path.csv".into(),
            bytes: path_csv(p, r)?,
        },
        OutputFile {
            path: "path_materials.csv".into(),
            bytes: path_materials_csv(r)?,
        },
        OutputFile {
            path: "path_parks.csv".into(),
            bytes: path_parks_csv(r)?,
        },
        OutputFile {
            path: "path_links.csv".into(),
            bytes: path_links_csv(r)?,
        },
        OutputFile {
            path: "path.json".into(),
            bytes: path_json(p, r, mc)?,
        },
    ];
    if let Some(mc) = mc {
        out.push(OutputFile {
            path: "path_monte_carlo.csv".into(),
            bytes: path_monte_carlo_csv(p, mc)?,
        });
        out.push(OutputFile {
            path: "path_samples.csv".into(),
            bytes: path_samples_csv(p, mc)?,
        });
    }
    out.push(OutputFile {
        path: "report.md".into(),
        bytes: path_md(p, r, mc).into_bytes(),
    });
    let chart = trajectory_chart_data(p, r, mc);
    out.push(OutputFile {
        path: "charts/trajectory.png".into(),
        bytes: super::charts::trajectory_png(&chart)?,
    });
    out.push(OutputFile {
        path: "charts/trajectory.svg".into(),
        bytes: super::charts::trajectory_svg(&chart)?.into_bytes(),
    });
    use rayon::prelude::*;
    let years: Vec<Vec<OutputFile>> = r
        .years
        .par_iter()
        .map(|y| render(&y.region, &y.results))
        .collect::<Result<_, _>>()?;
    for (y, files) in r.years.iter().zip(years) {
        out.extend(files.into_iter().map(|f| OutputFile {
            path: format!("years/{}/{}", y.year, f.path),
            bytes: f.bytes,
        }));
    }
    Ok(out)
}

/// `path_check.json` of `plan` on a path: the chosen portfolio added in the target year, the
/// whole path re-sampled on the plan's draws, and P(meet the target in its year) on the path
/// beside the plan's own (the target year alone).
pub fn path_check_json(
    p: &Path,
    measures: &[String],
    in_year: (u64, u64),
    mc: &PathMonteCarlo,
) -> Result<Vec<u8>, ReportError> {
    #[derive(Serialize)]
    struct Check<'a> {
        target_year: i32,
        /// The measures the plan adds to the target year (beyond the path's own).
        measures_added: &'a [String],
        /// The plan's samples meeting the target in the target year alone, and solved.
        plan_met: u64,
        plan_samples: u64,
        /// The same draws on the whole path (the years solved as the path is).
        path_monte_carlo: JsonMc,
    }
    let j = Check {
        target_year: p.years[p.target_index].year,
        measures_added: measures,
        plan_met: in_year.0,
        plan_samples: in_year.1,
        path_monte_carlo: json_mc(p, mc),
    };
    let mut out = serde_json::to_vec_pretty(&j)?;
    out.push(b'\n');
    Ok(out)
}
