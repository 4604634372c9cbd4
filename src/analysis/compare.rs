//! Strategies side by side (`compare`): every strategy solved exactly under both objectives,
//! its money in two views, and with a Monte Carlo, every strategy on the same draws (common
//! random numbers) with its paired difference against the base.
//!
//! # Money in two views (yuan per year)
//!
//! - **Resource cost** of the region: transport, handling, reclaim, processing and storage,
//!   net of gate revenue, plus the measures' annualised cost. Taxes, landfill fees, carbon
//!   payments and awards are transfers between firms and the government and net out.
//! - **Who pays**: firms pay the allocation's net cost (the objective's: resource items plus
//!   taxes, fees and carbon payments, net of awards) plus the capacity measures' annualised
//!   cost (new plants, expansions, links); the government's net revenue is taxes, fees and
//!   carbon payments net of awards, less the policy measures' annualised cost (administration
//!   and enforcement). Firms' cost less the government's net revenue is the resource cost.
//! - A per-tonne award's annual cost in the scenario is its budget, which `plan` weighs; here
//!   what it pays is the allocation's subsidy (a transfer), so the budget of a candidate whose
//!   effects are all awards is not counted again. A candidate that mixes kinds is counted
//!   whole: as a policy measure when all its effects are levers, else as a capacity measure.
//!
//! # Paired differences
//!
//! Sample `k` of every strategy draws the same uniforms from stream (seed, k) when the
//! strategies have the same `[[uncertain]]` inputs, so a strategy and the base are compared
//! sample by sample: the mean difference of the target's rate with a 95 % normal interval
//! (±1.96 · sd / √n, none when n < 2), and the difference in P(meet target) from the discordant pairs (`b10`
//! samples where only the strategy meets the target, `b01` only the base) with its 95 % Wald
//! interval for paired proportions, `(b10 − b01)/n ± 1.96 · √(b10 + b01 − (b10 − b01)²/n) / n`.

use super::monte_carlo::{monte_carlo_each, SampleResult, SampleStatus};
use super::plan::stats::wilson95;
use super::{AnalysisError, Evaluator, Results, Stats};
use crate::allocate::AllocConfig;
use crate::model::{Effect, Lever, Objective, Region, Uncertain};
use rayon::prelude::*;

/// One strategy to compare (the base first).
#[derive(Debug, Clone)]
pub struct Strategy<'a> {
    pub id: &'a str,
    pub region: &'a Region,
    pub entries: &'a [Uncertain],
}

/// What `compare` computes.
#[derive(Debug, Clone, Copy)]
pub struct CompareConfig {
    /// The Monte Carlo's samples and seed, if any: samples `0..n` of every strategy.
    pub samples: Option<(u64, u64)>,
    pub alloc: AllocConfig,
}

/// The money of one answer, yuan per year (see the module note).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Money {
    pub resource: f64,
    pub firms: f64,
    pub government_net: f64,
    /// The capacity measures' annualised cost (in `firms`).
    pub capacity_measures: f64,
    /// The policy measures' annualised cost (borne by the government).
    pub policy_measures: f64,
}

impl Money {
    /// The money of `results` for `region` (whose applied measures are counted).
    pub fn of(region: &Region, results: &Results) -> Money {
        let c = &results.cost;
        let (mut capacity_measures, mut policy_measures) = (0.0, 0.0);
        for m in region.candidates.applied() {
            let all = |f: fn(&Effect) -> bool| !m.effects.is_empty() && m.effects.iter().all(f);
            if all(|e| matches!(e, Effect::Policy(Lever::RouteSubsidy { .. }))) {
                // An award's annual cost is its budget; what it pays is the allocation's
                // subsidy, counted there.
            } else if all(|e| matches!(e, Effect::Policy(_))) {
                policy_measures += m.annual_cost;
            } else {
                capacity_measures += m.annual_cost;
            }
        }
        let transfers = c.env_tax + c.landfill_fee + c.carbon - c.subsidy;
        let real = c.transport + c.handling + c.reclaim + c.processing + c.storage - c.gate_revenue;
        Money {
            resource: real + capacity_measures + policy_measures,
            firms: real + transfers + capacity_measures,
            government_net: transfers - policy_measures,
            capacity_measures,
            policy_measures,
        }
    }
}

/// One objective's answer for a strategy.
#[derive(Debug, Clone)]
pub struct Answer {
    pub objective: Objective,
    pub results: Results,
    pub money: Money,
}

/// The base's Monte Carlo or a strategy's, with its paired difference against the base.
#[derive(Debug, Clone)]
pub struct Uncertainty {
    pub samples: u64,
    pub seed: u64,
    pub met: u64,
    pub p_meet_target: f64,
    pub p_ci95: (f64, f64),
    pub rate: Option<Stats>,
    pub strict_rate: Option<Stats>,
    /// Samples with no legal fate (evaluated with dumping allowed; they miss the target).
    pub no_legal_fate: u64,
    /// Against the base (None for the base itself, or when the inputs differ).
    pub paired: Option<Paired>,
    /// Why a strategy has no paired difference (None for the base and for paired rows).
    pub unpaired: Option<String>,
}

/// A strategy minus the base, sample by sample on common random numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paired {
    /// Samples where both rates are defined.
    pub n: u64,
    /// None when `n` is 0.
    pub rate_diff_mean: Option<f64>,
    /// None when `n` < 2 (no spread to estimate).
    pub rate_diff_ci95: Option<(f64, f64)>,
    /// Samples where only the strategy meets the target (`b10`), only the base (`b01`).
    pub only_strategy: u64,
    pub only_base: u64,
    pub p_diff: f64,
    pub p_diff_ci95: (f64, f64),
}

/// One strategy's row: both objectives' answers (in the order least cost, technical
/// potential) or why it failed, and its Monte Carlo.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub answers: Result<[Answer; 2], String>,
    pub uncertainty: Option<Result<Uncertainty, String>>,
}

impl Row {
    /// The answer under `objective`, if the strategy solved.
    pub fn answer(&self, objective: Objective) -> Option<&Answer> {
        let a = self.answers.as_ref().ok()?;
        a.iter().find(|x| x.objective == objective)
    }
}

/// The Monte Carlo's (samples, seed) of a comparison, if it ran one (the same for every row).
pub fn sampling(rows: &[Row]) -> Option<(u64, u64)> {
    rows.iter().find_map(|r| match &r.uncertainty {
        Some(Ok(u)) => Some((u.samples, u.seed)),
        _ => None,
    })
}

/// Both objectives of one region, exactly (rate ranges as `cfg` asks): one network, the
/// second objective warm from the first's basis (the canonical optimum is the same either way).
fn answers(region: &Region, cfg: &AllocConfig) -> Result<[Answer; 2], AnalysisError> {
    let mut ev = Evaluator::new(*cfg);
    let mut r = region.clone();
    let mut one = |objective| -> Result<Answer, AnalysisError> {
        r.settings.objective = objective;
        let results = ev.results(&r)?;
        Ok(Answer {
            objective,
            money: Money::of(region, &results),
            results,
        })
    };
    Ok([one(Objective::Cost)?, one(Objective::MaxUtilisation)?])
}

/// Compares `strategies` (the base first): each strategy's answers, in parallel, then each
/// one's Monte Carlo on the same draws. A strategy that changes the target or the objective
/// fails ([`frame_change`]). A strategy that fails has its reason in its row and
/// does not stop the others. `progress` is called with the samples solved.
pub fn compare(
    strategies: &[Strategy<'_>],
    cfg: &CompareConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<Row> {
    let base = strategies[0].region;
    // A strategy that asks another question is neither solved nor sampled.
    let frames: Vec<Option<String>> = strategies
        .iter()
        .map(|s| frame_change(base, s.region))
        .collect();
    let exact: Vec<Result<[Answer; 2], String>> = strategies
        .par_iter()
        .zip(&frames)
        .map(|(s, frame)| match frame {
            Some(why) => Err(why.clone()),
            None => answers(s.region, &cfg.alloc).map_err(|e| e.to_string()),
        })
        .collect();
    let Some((n, seed)) = cfg.samples else {
        return strategies
            .iter()
            .zip(exact)
            .map(|(s, answers)| Row {
                id: s.id.to_string(),
                answers,
                uncertainty: None,
            })
            .collect();
    };
    // Each strategy's samples, in parallel (each one's own samples in parallel too), keeping
    // three scalars a sample: what the statistics and the pairing need, never the records.
    let kept: Vec<Option<Result<Outcomes, String>>> = strategies
        .par_iter()
        .zip(&frames)
        .map(|(s, frame)| {
            if frame.is_some() {
                progress(n);
                return None;
            }
            let mut o = Outcomes::with_capacity(n);
            let run = monte_carlo_each(s.region, s.entries, (seed, 0, n), progress, &mut |r| {
                o.push(r)
            });
            Some(run.map(|()| o).map_err(|e| e.to_string()))
        })
        .collect();
    let base_outcomes = match &kept[0] {
        Some(Ok(o)) => Some(o),
        _ => None,
    };
    let same_inputs = |s: &Strategy<'_>| ids(s.entries) == ids(strategies[0].entries);
    strategies
        .iter()
        .zip(exact)
        .zip(&kept)
        .enumerate()
        .map(|(i, ((s, answers), k))| {
            let uncertainty = k.as_ref().map(|k| {
                k.as_ref().map_err(Clone::clone).map(|o| {
                    let met = o.met.iter().filter(|&&m| m).count() as u64;
                    Uncertainty {
                        samples: n,
                        seed,
                        met,
                        p_meet_target: met as f64 / n as f64,
                        p_ci95: wilson95(met, n),
                        rate: Stats::of(o.rate.iter().copied()),
                        strict_rate: Stats::of(o.strict.iter().copied()),
                        no_legal_fate: o.no_legal_fate,
                        paired: match base_outcomes {
                            Some(b) if i > 0 && same_inputs(s) => Some(paired(b, o)),
                            _ => None,
                        },
                        unpaired: match (i, base_outcomes) {
                            (0, _) => None,
                            (_, None) => Some("the base's Monte Carlo failed".into()),
                            _ if !same_inputs(s) => Some(
                                "its [[uncertain]] entries differ from the base's, so its samples are not the base's draws".into(),
                            ),
                            _ => None,
                        },
                    }
                })
            });
            Row {
                id: s.id.to_string(),
                answers,
                uncertainty,
            }
        })
        .collect()
}

/// What `compare` keeps of each sample of a strategy, in index order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcomes {
    /// The target's rate under the accounting rule (None where undefined).
    pub rate: Vec<Option<f64>>,
    pub strict: Vec<Option<f64>>,
    pub met: Vec<bool>,
    pub no_legal_fate: u64,
}

impl Outcomes {
    fn with_capacity(n: u64) -> Outcomes {
        let n = usize::try_from(n).unwrap_or(0).min(1 << 20);
        Outcomes {
            rate: Vec::with_capacity(n),
            strict: Vec::with_capacity(n),
            met: Vec::with_capacity(n),
            no_legal_fate: 0,
        }
    }

    /// Appends one sample's outcome.
    pub fn push(&mut self, r: &SampleResult) {
        self.rate.push(r.rate);
        self.strict.push(r.strict_rate);
        self.met.push(r.meets_target);
        self.no_legal_fate += u64::from(r.status != SampleStatus::Ok);
    }

    /// The outcomes of `records`, in their order.
    pub fn of(records: &[SampleResult]) -> Outcomes {
        let mut o = Outcomes::with_capacity(records.len() as u64);
        records.iter().for_each(|r| o.push(r));
        o
    }
}

/// Why `region` cannot be compared with `base`: every strategy is judged against the base's
/// target (rate, scope, accounting rule) under the base's objective, so that its rates,
/// P(meet target) and paired differences answer the same question (set them for all with
/// `--set`).
pub fn frame_change(base: &Region, region: &Region) -> Option<String> {
    let (a, b) = (&base.target, &region.target);
    let mut what = Vec::new();
    if a.rate != b.rate {
        what.push(format!("target.rate {} → {}", a.rate, b.rate));
    }
    if a.scope != b.scope {
        what.push("target.scope".to_string());
    }
    if a.accounting != b.accounting {
        what.push("target.accounting".to_string());
    }
    if base.settings.objective != region.settings.objective {
        what.push("settings.objective".to_string());
    }
    (!what.is_empty()).then(|| {
        format!(
            "changes what the comparison asks ({}): every strategy is judged against the base's target under the base's objective; set them for all with --set, or run the strategy on its own",
            what.join(", ")
        )
    })
}

fn ids(entries: &[Uncertain]) -> Vec<&str> {
    entries.iter().map(|e| e.id.as_str()).collect()
}

/// The paired difference of `strategy` against `base` (the same sample indices, in order).
pub fn paired(base: &Outcomes, strategy: &Outcomes) -> Paired {
    const Z: f64 = 1.959_963_984_540_054;
    let (mut n, mut sum) = (0u64, 0.0);
    let (mut only_strategy, mut only_base) = (0u64, 0u64);
    for (&b, &s) in base.met.iter().zip(&strategy.met) {
        only_strategy += u64::from(s && !b);
        only_base += u64::from(b && !s);
    }
    let diffs: Vec<f64> = base
        .rate
        .iter()
        .zip(&strategy.rate)
        .filter_map(|(b, s)| Some((*s)? - (*b)?))
        .collect();
    for d in &diffs {
        n += 1;
        sum += d;
    }
    let mean = if n > 0 { sum / n as f64 } else { 0.0 };
    let mut ss = 0.0;
    for d in &diffs {
        ss += (d - mean) * (d - mean);
    }
    let half = (n > 1).then(|| Z * (ss / (n - 1) as f64).sqrt() / (n as f64).sqrt());
    let total = base.met.len().min(strategy.met.len()) as f64;
    let (b10, b01) = (only_strategy as f64, only_base as f64);
    let p_diff = (b10 - b01) / total;
    let p_half = Z * (b10 + b01 - (b10 - b01).powi(2) / total).max(0.0).sqrt() / total;
    Paired {
        n,
        rate_diff_mean: (n > 0).then_some(mean),
        rate_diff_ci95: half.map(|h| (mean - h, mean + h)),
        only_strategy,
        only_base,
        p_diff,
        p_diff_ci95: ((p_diff - p_half).max(-1.0), (p_diff + p_half).min(1.0)),
    }
}
