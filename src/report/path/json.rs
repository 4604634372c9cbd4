//! `path.json` and `plan`'s `path_check.json`.

use super::*;
use crate::analysis::Balance;
use serde::Serialize;

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
