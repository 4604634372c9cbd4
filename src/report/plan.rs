//! The outputs of `plan`: `plan.json`, `plan.csv` (every portfolio solved exactly), the chart
//! `plan.png` and the terminal lines. Pure: plan → bytes. Money to 2 decimals, shares and
//! rates to 6.

use super::charts::{self, PlanChart, PlanPoint};
use super::format::{csv_number, csv_rate, percent_summary, percent_whole, round, yuan};
use super::{OutputFile, ReportError};
use crate::analysis::plan::{members, stats::pareto_flags, Plan, Portfolio};
use crate::model::Region;
use serde::Serialize;

#[derive(Serialize)]
struct PInSample {
    in_sample: f64,
    out_of_sample: Option<f64>,
    out_of_sample_ci95: Option<[f64; 2]>,
}

#[derive(Serialize)]
struct Rates {
    in_sample: Option<f64>,
    out_of_sample: Option<f64>,
}

#[derive(Serialize)]
struct PortfolioJson {
    ids: Vec<String>,
    annual_cost_yuan: f64,
    p_meet_target: f64,
    expected_rate: Option<f64>,
    /// The strict rate's mean (backfill and ecological restoration not counted).
    expected_strict_rate: Option<f64>,
}

impl PortfolioJson {
    fn new(region: &Region, p: &Portfolio) -> PortfolioJson {
        PortfolioJson {
            ids: p.ids(region),
            annual_cost_yuan: round(p.annual_cost, 2),
            p_meet_target: round(p.p(), 6),
            expected_rate: p.mean_rate.map(|r| round(r, 6)),
            expected_strict_rate: p.mean_strict_rate.map(|r| round(r, 6)),
        }
    }
}

#[derive(Serialize)]
struct CentralJson {
    baseline: Option<AnswerJson>,
    chosen: Option<AnswerJson>,
    /// The chosen plan's resource cost less the baseline's: what the plan costs the region.
    resource_cost_change_yuan: Option<f64>,
}

#[derive(Serialize)]
struct AnswerJson {
    rate: Option<f64>,
    strict_rate: Option<f64>,
    /// Transport, handling, reclaim, processing and storage net of gate revenue, plus the
    /// measures' annualised cost; taxes, fees and awards are transfers and net out.
    resource_cost_yuan: f64,
    /// The allocation's net cost (taxes and fees net of awards) plus the capacity measures'.
    firms_cost_yuan: f64,
    /// Taxes, fees and carbon payments net of awards, less the policy measures' cost.
    government_net_revenue_yuan: f64,
    measures_annual_cost_yuan: f64,
    allocation_net_cost_yuan: f64,
}

fn answer_json(a: &crate::analysis::plan::CentralAnswer) -> AnswerJson {
    AnswerJson {
        rate: a.rate.map(|r| round(r, 6)),
        strict_rate: a.strict_rate.map(|r| round(r, 6)),
        resource_cost_yuan: round(a.money.resource, 2),
        firms_cost_yuan: round(a.money.firms, 2),
        government_net_revenue_yuan: round(a.money.government_net, 2),
        measures_annual_cost_yuan: round(a.money.capacity_measures + a.money.policy_measures, 2),
        allocation_net_cost_yuan: round(a.allocation_net_cost, 2),
    }
}

#[derive(Serialize)]
struct MarginalJson {
    id: String,
    /// The measures dropped with it (it and those requiring it).
    removed: Vec<String>,
    cost_saved_yuan: f64,
    p_without: f64,
    expected_rate_without: Option<f64>,
}

#[derive(Serialize)]
struct Counts {
    candidates: usize,
    enumerated: u64,
    inadmissible: u64,
    pruned_by_bound: u64,
    skipped_without_essential: u64,
    baseline: u64,
    search: u64,
    heuristic: u64,
    completion: u64,
    marginal: u64,
    stopped_early: u64,
    completed_later: u64,
}

#[derive(Serialize)]
struct PlanJson {
    scenario: String,
    target_rate: f64,
    accounting: String,
    objective: &'static str,
    confidence: f64,
    samples: u64,
    seed: u64,
    required_samples: u64,
    check_samples: u64,
    check_seed: u64,
    feasible: bool,
    optimal: bool,
    stop: &'static str,
    /// The measures the scenario applies (`[scenario] with`): in every portfolio searched.
    fixed_by_scenario: Vec<String>,
    chosen: Vec<String>,
    annual_cost_yuan: Option<f64>,
    lower_bound_yuan: Option<f64>,
    gap_yuan: Option<f64>,
    p_meet_target: Option<PInSample>,
    expected_rate: Option<Rates>,
    /// The chosen plan's strict rate (backfill and ecological restoration not counted).
    expected_strict_rate: Option<Rates>,
    baseline_p: f64,
    baseline_expected_rate: Option<f64>,
    baseline_expected_strict_rate: Option<f64>,
    best_reached: PortfolioJson,
    /// The baseline and the chosen plan solved once at the central values, with the money in
    /// both views (docs/reports.md).
    central_values: CentralJson,
    marginal: Vec<MarginalJson>,
    evaluations: Counts,
}

/// `plan.json`.
pub fn plan_json(region: &Region, plan: &Plan) -> Result<Vec<u8>, ReportError> {
    let cfg = &plan.config;
    let chosen = plan.chosen.as_ref();
    let oos = plan.out_of_sample.as_ref();
    let j = PlanJson {
        scenario: region.name.clone(),
        target_rate: region.target.rate,
        accounting: region.target.accounting.rule.clone(),
        objective: match region.settings.objective {
            crate::model::Objective::Cost => "cost",
            crate::model::Objective::MaxUtilisation => "max_utilisation",
        },
        confidence: cfg.confidence,
        samples: cfg.samples,
        seed: cfg.seed,
        required_samples: plan.required,
        check_samples: cfg.check_samples,
        check_seed: cfg.check_seed,
        feasible: plan.feasible(),
        optimal: plan.optimal,
        stop: plan.stop.as_str(),
        fixed_by_scenario: members(plan.fixed, region.candidates.len())
            .map(|i| region.candidates.list[i].id.clone())
            .collect(),
        chosen: chosen.map(|p| p.ids(region)).unwrap_or_default(),
        annual_cost_yuan: chosen.map(|p| round(p.annual_cost, 2)),
        lower_bound_yuan: plan.lower_bound.map(|x| round(x, 2)),
        gap_yuan: match (chosen, plan.lower_bound) {
            (Some(p), Some(lb)) => Some(round((p.annual_cost - lb).max(0.0), 2)),
            _ => None,
        },
        p_meet_target: chosen.map(|p| PInSample {
            in_sample: round(p.p(), 6),
            out_of_sample: oos.map(|o| round(o.p(), 6)),
            out_of_sample_ci95: oos.map(|o| [round(o.ci95.0, 6), round(o.ci95.1, 6)]),
        }),
        expected_rate: chosen.map(|p| Rates {
            in_sample: p.mean_rate.map(|r| round(r, 6)),
            out_of_sample: oos.and_then(|o| o.mean_rate.map(|r| round(r, 6))),
        }),
        expected_strict_rate: chosen.map(|p| Rates {
            in_sample: p.mean_strict_rate.map(|r| round(r, 6)),
            out_of_sample: oos.and_then(|o| o.mean_strict_rate.map(|r| round(r, 6))),
        }),
        baseline_p: round(plan.baseline.p(), 6),
        baseline_expected_rate: plan.baseline.mean_rate.map(|r| round(r, 6)),
        baseline_expected_strict_rate: plan.baseline.mean_strict_rate.map(|r| round(r, 6)),
        best_reached: PortfolioJson::new(region, &plan.best),
        central_values: CentralJson {
            baseline: plan.central.baseline.as_ref().map(answer_json),
            chosen: plan.central.chosen.as_ref().map(answer_json),
            resource_cost_change_yuan: match (&plan.central.baseline, &plan.central.chosen) {
                (Some(b), Some(c)) => Some(round(c.money.resource - b.money.resource, 2)),
                _ => None,
            },
        },
        marginal: plan
            .marginal
            .iter()
            .map(|m| {
                let removed = chosen.map_or(0, |p| p.mask & !m.without.mask);
                MarginalJson {
                    id: region.candidates.list[m.candidate].id.clone(),
                    removed: members(removed, region.candidates.len())
                        .map(|i| region.candidates.list[i].id.clone())
                        .collect(),
                    cost_saved_yuan: round(m.cost_saved, 2),
                    p_without: round(m.without.p(), 6),
                    expected_rate_without: m.without.mean_rate.map(|r| round(r, 6)),
                }
            })
            .collect(),
        evaluations: Counts {
            candidates: region.candidates.len(),
            enumerated: plan.counts.enumerated,
            inadmissible: plan.counts.inadmissible,
            pruned_by_bound: plan.counts.pruned,
            skipped_without_essential: plan.counts.skipped_without_essential,
            baseline: plan.counts.baseline_evaluations,
            search: plan.counts.search_evaluations,
            heuristic: plan.counts.heuristic_evaluations,
            completion: plan.counts.completion_evaluations,
            marginal: plan.counts.marginal_evaluations,
            stopped_early: plan.counts.stopped_early,
            completed_later: plan.counts.completed_later,
        },
    };
    let mut out = serde_json::to_vec_pretty(&j)?;
    out.push(b'\n');
    Ok(out)
}

/// Pareto flags (cost vs samples met) of the evaluated portfolios, in evaluation order.
fn front(plan: &Plan) -> Vec<bool> {
    let pts: Vec<(i128, f64)> = plan
        .evaluated
        .iter()
        .map(|p| (crate::analysis::plan::search::fen(p.annual_cost), p.p()))
        .collect();
    pareto_flags(&pts)
}

/// `plan.csv`: every portfolio solved exactly on the in-sample draws, in evaluation order —
/// the stage that asked for it, its measures (`;`-separated ids), annual cost, samples meeting
/// the target, samples solved and whether that is all N (a search evaluation stops once the
/// confidence is out of reach), P(meet target) over the samples solved, expected rate, whether it is on the Pareto front of cost
/// against P, and whether it is the chosen plan.
pub fn plan_csv(region: &Region, plan: &Plan) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "order",
        "stage",
        "measures",
        "n_measures",
        "annual_cost_yuan",
        "samples_met",
        "samples",
        "complete",
        "p_meet_target",
        "expected_rate",
        "expected_strict_rate",
        "pareto",
        "chosen",
    ])?;
    let chosen = plan.chosen.as_ref().map(|p| p.mask);
    for (i, (p, on_front)) in plan.evaluated.iter().zip(front(plan)).enumerate() {
        w.write_record([
            i.to_string(),
            p.stage.as_str().to_string(),
            p.ids(region).join(";"),
            p.mask.count_ones().to_string(),
            csv_number(p.annual_cost, 2),
            p.met.to_string(),
            p.samples.to_string(),
            p.complete.to_string(),
            csv_number(p.p(), 6),
            csv_rate(p.mean_rate),
            csv_rate(p.mean_strict_rate),
            on_front.to_string(),
            (chosen == Some(p.mask)).to_string(),
        ])?;
    }
    w.into_inner()
        .map_err(|e| ReportError::Csv(csv::Error::from(e.into_error())))
}

/// The chart's input.
pub fn plan_chart_data(region: &Region, plan: &Plan) -> PlanChart {
    let flags = front(plan);
    let mut front: Vec<usize> = (0..plan.evaluated.len()).filter(|&i| flags[i]).collect();
    front.sort_by(|&a, &b| {
        plan.evaluated[a]
            .annual_cost
            .total_cmp(&plan.evaluated[b].annual_cost)
            .then(a.cmp(&b))
    });
    PlanChart {
        title: format!(
            // The scenario's name (with its year when the name lacks it), not its title: a
            // title may quote the target the plan was asked to change (`--set target.rate=…`).
            "{}: least-cost measures for P(rate ≥ {}, {} rule) ≥ {}",
            if region.name.contains(&region.year.to_string()) {
                region.name.clone()
            } else {
                format!("{} {}", region.name, region.year)
            },
            percent_whole(region.target.rate),
            region.target.accounting.rule,
            percent_whole(plan.config.confidence)
        ),
        confidence: plan.config.confidence,
        target_rate: region.target.rate,
        points: plan
            .evaluated
            .iter()
            .map(|p| PlanPoint {
                annual_cost: p.annual_cost,
                p: p.p(),
                expected_rate: p.mean_rate.unwrap_or(0.0),
                expected_strict_rate: p.mean_strict_rate.unwrap_or(0.0),
            })
            .collect(),
        front_added: front
            .iter()
            .enumerate()
            .map(|(k, &i)| {
                let before = if k == 0 {
                    0
                } else {
                    plan.evaluated[front[k - 1]].mask
                };
                let mask = plan.evaluated[i].mask;
                let ids = |m: u64| {
                    members(m, region.candidates.len())
                        .map(|j| region.candidates.list[j].id.clone())
                        .collect()
                };
                (ids(mask & !before), ids(before & !mask))
            })
            .collect(),
        out_of_sample: plan
            .out_of_sample
            .as_ref()
            .filter(|_| plan.chosen.is_some())
            .map(|o| (o.p(), o.ci95)),
        front,
        chosen: plan
            .chosen
            .as_ref()
            .and_then(|c| plan.evaluated.iter().position(|p| p.mask == c.mask)),
    }
}

/// Every output of `plan` but the manifest: `plan.json`, `plan.csv`, `plan.png`.
pub fn plan_files(region: &Region, plan: &Plan) -> Result<Vec<OutputFile>, ReportError> {
    Ok(vec![
        OutputFile {
            path: "plan.json".into(),
            bytes: plan_json(region, plan)?,
        },
        OutputFile {
            path: "plan.csv".into(),
            bytes: plan_csv(region, plan)?,
        },
        OutputFile {
            path: "plan_cost_curve.csv".into(),
            bytes: plan_cost_curve_csv(region, plan)?,
        },
        OutputFile {
            path: "plan.png".into(),
            bytes: charts::plan_png(&plan_chart_data(region, plan))?,
        },
    ])
}

/// `plan_cost_curve.csv`: the Pareto front's portfolios (cost against P) in increasing annual
/// cost, each at the central values: the tonnes it counts beyond the baseline under the
/// target's rule and strictly, the resource cost it adds, and the yuan per extra counted tonne
/// (on average against the baseline, and at the margin against the front point before it).
pub fn plan_cost_curve_csv(region: &Region, plan: &Plan) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "point",
        "measures",
        "annual_cost_yuan",
        "p_meet_target",
        "central_rate",
        "central_strict_rate",
        "counted_t",
        "extra_counted_t",
        "extra_strict_counted_t",
        "resource_cost_yuan",
        "extra_resource_cost_yuan",
        "yuan_per_extra_counted_t",
        "yuan_per_extra_strict_counted_t",
        "marginal_yuan_per_counted_t",
    ])?;
    let base = plan.central.baseline.as_ref();
    let mut before: Option<&crate::analysis::plan::CentralAnswer> = base;
    for (k, (i, a)) in plan.central.front.iter().enumerate() {
        let p = &plan.evaluated[*i];
        let Some(a) = a else {
            w.write_record(
                [
                    (k + 1).to_string(),
                    p.ids(region).join(";"),
                    csv_number(p.annual_cost, 2),
                    csv_number(p.p(), 6),
                ]
                .into_iter()
                .chain(std::iter::repeat_n(String::new(), 10)),
            )?;
            continue;
        };
        let per = |cost: f64, t: f64| {
            if t > 0.0 {
                csv_number(cost / t, 2)
            } else {
                String::new()
            }
        };
        let (extra, extra_cost, extra_strict) = match base {
            Some(b) => (
                Some(a.counted_t - b.counted_t),
                Some(a.money.resource - b.money.resource),
                a.strict_counted_t
                    .zip(b.strict_counted_t)
                    .map(|(x, y)| x - y),
            ),
            None => (None, None, None),
        };
        let marginal = before.map(|b| {
            per(
                a.money.resource - b.money.resource,
                a.counted_t - b.counted_t,
            )
        });
        w.write_record([
            (k + 1).to_string(),
            p.ids(region).join(";"),
            csv_number(p.annual_cost, 2),
            csv_number(p.p(), 6),
            csv_rate(a.rate),
            csv_rate(a.strict_rate),
            csv_number(a.counted_t, 3),
            extra.map(|x| csv_number(x, 3)).unwrap_or_default(),
            extra_strict.map(|x| csv_number(x, 3)).unwrap_or_default(),
            csv_number(a.money.resource, 2),
            extra_cost.map(|x| csv_number(x, 2)).unwrap_or_default(),
            extra
                .zip(extra_cost)
                .map(|(t, c)| per(c, t))
                .unwrap_or_default(),
            extra_strict
                .zip(extra_cost)
                .map(|(t, c)| per(c, t))
                .unwrap_or_default(),
            marginal.unwrap_or_default(),
        ])?;
        before = Some(a);
    }
    w.into_inner()
        .map_err(|e| ReportError::Csv(csv::Error::from(e.into_error())))
}

/// The terminal lines of `plan`.
pub fn terminal_plan(region: &Region, plan: &Plan) -> String {
    let cfg = &plan.config;
    let mut s = format!(
        "{}: plan for P(rate ≥ {}, {} rule) ≥ {} on {} samples (seed {}), {} candidates\n",
        crate::model::text::escape(&region.name),
        percent_summary(Some(region.target.rate)),
        region.target.accounting.rule,
        percent_whole(cfg.confidence),
        cfg.samples,
        cfg.seed,
        region.candidates.len()
    );
    s.push_str(&format!(
        "  baseline: P = {}, expected rate {} (strict {})\n",
        round(plan.baseline.p(), 4),
        percent_summary(plan.baseline.mean_rate),
        percent_summary(plan.baseline.mean_strict_rate)
    ));
    match &plan.chosen {
        Some(p) => {
            let ids = p.ids(region);
            s.push_str(&format!(
                "  chosen: {} — {} per year{}\n",
                if ids.is_empty() {
                    "nothing (the baseline suffices)".to_string()
                } else {
                    crate::model::text::escape(&ids.join(", ")).into_owned()
                },
                yuan(p.annual_cost),
                if plan.optimal {
                    " (proven least cost)".to_string()
                } else {
                    format!(
                        " (lower bound {})",
                        plan.lower_bound
                            .map_or("–".into(), |b| format!("{}/yr", yuan(b)))
                    )
                }
            ));
            s.push_str(&format!(
                "  P(meet target): in sample {}, expected rate {} (strict {})\n",
                round(p.p(), 4),
                percent_summary(p.mean_rate),
                percent_summary(p.mean_strict_rate)
            ));
            if let Some(o) = &plan.out_of_sample {
                s.push_str(&format!(
                    "  out of sample ({} samples, seed {}): {} (95 % CI {}–{})\n",
                    o.samples,
                    o.seed,
                    round(o.p(), 4),
                    round(o.ci95.0, 4),
                    round(o.ci95.1, 4)
                ));
            }
            if let (Some(b), Some(c)) = (&plan.central.baseline, &plan.central.chosen) {
                s.push_str(&format!(
                    "  at the central values: rate {} (strict {}); resource cost {}/yr ({} more than the baseline: measures {} and the allocation's change), firms {}/yr, government net revenue {}/yr\n",
                    percent_summary(c.rate),
                    percent_summary(c.strict_rate),
                    yuan(c.money.resource),
                    yuan(c.money.resource - b.money.resource),
                    yuan(c.money.capacity_measures + c.money.policy_measures),
                    yuan(c.money.firms),
                    yuan(c.money.government_net),
                ));
            }
        }
        None => {
            let why = if plan.lower_bound.is_none() {
                "no admissible portfolio reaches the confidence"
            } else {
                "none found within the limits"
            };
            s.push_str(&format!(
                "  infeasible: {why}; best P reached {} by {} ({}/yr)\n",
                round(plan.best.p(), 4),
                {
                    let ids = plan.best.ids(region);
                    if ids.is_empty() {
                        "the baseline".to_string()
                    } else {
                        crate::model::text::escape(&ids.join(", ")).into_owned()
                    }
                },
                yuan(plan.best.annual_cost)
            ));
        }
    }
    let c = &plan.counts;
    s.push_str(&format!(
        "  search: {} portfolios enumerated, {} inadmissible, {} ruled out by the bound ({} more lack an essential measure), {} solved ({} samples each)\n",
        c.enumerated,
        c.inadmissible,
        c.pruned,
        c.skipped_without_essential,
        c.baseline_evaluations
            + c.search_evaluations
            + c.heuristic_evaluations
            + c.completion_evaluations
            + c.marginal_evaluations,
        cfg.samples
    ));
    s
}
