//! The Monte Carlo's outputs (`run --samples`): the `monte_carlo` block of `summary.json` and
//! its terminal lines (`samples.csv` is [`super::mc_stream`]'s). Pure: results → bytes. Rates
//! to 6 decimals, as in the other outputs.

use super::format::round;
use super::ReportError;
use crate::analysis::{CellStats, MonteCarloSummary, Results, Stats};
use crate::model::Region;
use serde::Serialize;

#[derive(Serialize)]
struct StatsJson {
    samples_defined: u64,
    mean: f64,
    p5: f64,
    p50: f64,
    p95: f64,
}

impl StatsJson {
    fn new(s: &Option<Stats>) -> Option<StatsJson> {
        s.map(|s| StatsJson {
            samples_defined: s.n,
            mean: round(s.mean, 6),
            p5: round(s.p5, 6),
            p50: round(s.p50, 6),
            p95: round(s.p95, 6),
        })
    }
}

/// One material's (all parks) or one park's (all solids) statistics.
#[derive(Serialize)]
struct CellJson<'a> {
    id: &'a str,
    /// Share of the samples where the rate is defined that reach the target's rate.
    p_meet_target: Option<f64>,
    utilisation_rate: Option<StatsJson>,
    strict_utilisation_rate: Option<StatsJson>,
}

impl<'a> CellJson<'a> {
    fn new(id: &'a str, c: &CellStats) -> Self {
        CellJson {
            id,
            p_meet_target: c.p_meet_target.map(|p| round(p, 6)),
            utilisation_rate: StatsJson::new(&c.rate),
            strict_utilisation_rate: StatsJson::new(&c.strict_rate),
        }
    }
}

/// An independent input: an ungrouped entry, or a group of entries drawn together.
#[derive(Serialize)]
struct InputJson<'a> {
    input: &'a str,
    entries: Vec<&'a str>,
}

/// Share of samples without a legal fate above which every output warns.
pub const NO_LEGAL_FATE_WARNING: f64 = 0.02;

/// The population every Monte Carlo statistic is over, in one sentence (the same words in
/// `summary.json`, `report.md`, the terminal and the charts).
pub fn population(mc: &MonteCarloSummary) -> String {
    let n = mc.samples_infeasible;
    if n == 0 {
        format!(
            "all {} samples (each had a legal fate for every tonne)",
            mc.count
        )
    } else {
        format!(
            "all {} samples; {n} of {} had no legal fate, each evaluated with dumping allowed and counted as missing the target",
            mc.count, mc.count
        )
    }
}

/// A warning when more than [`NO_LEGAL_FATE_WARNING`] of the samples had no legal fate.
pub fn no_legal_fate_warning(mc: &MonteCarloSummary) -> Option<String> {
    let share = mc.samples_infeasible as f64 / mc.count.max(1) as f64;
    (share > NO_LEGAL_FATE_WARNING).then(|| {
        let driver = mc
            .tornado
            .iter()
            .filter_map(|t| t.rho_no_legal_fate.map(|r| (t, r)))
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
            .map(|(t, r)| format!("; the input most linked to it: {} (Spearman ρ {r:+.2})", t.input))
            .unwrap_or_default();
        format!(
            "WARNING: {} of {} samples ({:.1} %) had no legal fate: the scenario forbids dumping and their waste exceeds every legal outlet{driver}",
            mc.samples_infeasible,
            mc.count,
            share * 100.0
        )
    })
}

#[derive(Serialize)]
struct MonteCarloJson<'a> {
    samples: u64,
    /// What every statistic below is over.
    population: String,
    samples_infeasible: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    warning: Option<String>,
    first_sample: u64,
    seed: u64,
    uncertain: &'a [String],
    inputs: Vec<InputJson<'a>>,
    target_rate: f64,
    p_meet_target: f64,
    utilisation_rate: Option<StatsJson>,
    strict_utilisation_rate: Option<StatsJson>,
    by_material: Vec<CellJson<'a>>,
    by_park: Vec<CellJson<'a>>,
}

/// `summary.json` of the base run with a `monte_carlo` block appended.
pub fn summary_json_with_monte_carlo(
    region: &Region,
    r: &Results,
    mc: &MonteCarloSummary,
) -> Result<Vec<u8>, ReportError> {
    let base = super::summary_json(region, r)?;
    let mut v: serde_json::Value = serde_json::from_slice(&base)?;
    let block = MonteCarloJson {
        samples: mc.count,
        population: population(mc),
        samples_infeasible: mc.samples_infeasible,
        warning: no_legal_fate_warning(mc),
        first_sample: mc.first_sample,
        seed: mc.seed,
        uncertain: &mc.entries,
        inputs: mc
            .inputs
            .iter()
            .map(|(label, ix)| InputJson {
                input: label,
                entries: ix.iter().map(|&j| mc.entries[j].as_str()).collect(),
            })
            .collect(),
        target_rate: region.target.rate,
        p_meet_target: round(mc.p_meet_target, 6),
        utilisation_rate: StatsJson::new(&mc.rate),
        strict_utilisation_rate: StatsJson::new(&mc.strict_rate),
        by_material: mc
            .materials
            .iter()
            .zip(&mc.by_material)
            .map(|(m, c)| CellJson::new(&region.materials[m.0].id, c))
            .collect(),
        by_park: mc
            .parks
            .iter()
            .zip(&mc.by_park)
            .map(|(p, c)| CellJson::new(&region.parks[p.0].id, c))
            .collect(),
    };
    if let serde_json::Value::Object(m) = &mut v {
        m.insert("monte_carlo".into(), serde_json::to_value(block)?);
    }
    let mut out = serde_json::to_vec_pretty(&v)?;
    out.push(b'\n');
    Ok(out)
}

/// The Monte Carlo's lines of the terminal summary.
pub fn terminal_monte_carlo(region: &Region, mc: &MonteCarloSummary) -> String {
    use super::format::percent_summary;
    let stats = |s: &Option<Stats>| match s {
        Some(s) => format!(
            "mean {}, p5 {}, p50 {}, p95 {}",
            percent_summary(Some(s.mean)),
            percent_summary(Some(s.p5)),
            percent_summary(Some(s.p50)),
            percent_summary(Some(s.p95))
        ),
        None => "undefined".to_string(),
    };
    let top = match mc.tornado.first() {
        Some(t) if t.rho.is_some() => format!(
            "    moves the rate most: {} (Spearman rho {:+.2}; tornado.csv)\n",
            crate::model::text::escape(&t.input),
            t.rho.unwrap_or(0.0)
        ),
        _ => String::new(),
    };
    let infeasible = match (mc.samples_infeasible, no_legal_fate_warning(mc)) {
        (0, _) => String::new(),
        (_, Some(w)) => format!("    {w}\n    statistics over {}\n", population(mc)),
        (_, None) => format!("    statistics over {}\n", population(mc)),
    };
    format!(
        "  monte carlo: {} samples (seed {}), P(meet {} target) = {}\n{infeasible}    rate {}\n    strict rate {}\n{top}",
        mc.count,
        mc.seed,
        percent_summary(Some(region.target.rate)),
        round(mc.p_meet_target, 4),
        stats(&mc.rate),
        stats(&mc.strict_rate)
    )
}

/// The Monte Carlo section of `report.md`: the population, P(meet target), the rate's
/// statistics under the rule and strict, and the inputs that move it most.
pub fn markdown_monte_carlo(region: &Region, mc: &MonteCarloSummary) -> String {
    use super::format::percent_summary;
    let mut s = String::from("\n## Monte Carlo\n\n");
    if let Some(w) = no_legal_fate_warning(mc) {
        s.push_str(&format!("**{w}.**\n\n"));
    }
    s.push_str(&format!(
        "{} samples (seed {}, from sample {}) over {} uncertain inputs; every statistic is over {}.\n\n",
        mc.count,
        mc.seed,
        mc.first_sample,
        mc.inputs.len(),
        population(mc)
    ));
    s.push_str(&format!(
        "- P(rate ≥ {} target): {}\n",
        percent_summary(Some(region.target.rate)),
        round(mc.p_meet_target, 4)
    ));
    for (name, st) in [
        (
            format!("rate ({})", region.target.accounting.rule),
            &mc.rate,
        ),
        ("strict rate".to_string(), &mc.strict_rate),
    ] {
        match st {
            Some(st) => s.push_str(&format!(
                "- {name}: mean {}, p5 {}, p50 {}, p95 {}\n",
                percent_summary(Some(st.mean)),
                percent_summary(Some(st.p5)),
                percent_summary(Some(st.p50)),
                percent_summary(Some(st.p95))
            )),
            None => s.push_str(&format!("- {name}: undefined\n")),
        }
    }
    let top: Vec<String> = mc
        .tornado
        .iter()
        .filter_map(|t| t.rho.map(|r| format!("{} (ρ {r:+.2})", t.input)))
        .take(5)
        .collect();
    if !top.is_empty() {
        s.push_str(&format!(
            "- inputs that move the rate most (Spearman ρ; `tornado.csv`): {}\n",
            top.join(", ")
        ));
    }
    if mc.samples_infeasible > 0 {
        let drivers: Vec<String> = mc
            .tornado
            .iter()
            .filter_map(|t| t.rho_no_legal_fate.map(|r| (t, r)))
            .filter(|(_, r)| r.abs() >= 2.0 / (mc.count.max(1) as f64).sqrt())
            .map(|(t, r)| format!("{} (ρ {r:+.2})", t.input))
            .collect();
        s.push_str(&format!(
            "- inputs linked to having no legal fate (Spearman ρ with it, beyond the noise 2/√n): {}\n",
            if drivers.is_empty() {
                "none".to_string()
            } else {
                drivers.join(", ")
            }
        ));
    }
    s
}
