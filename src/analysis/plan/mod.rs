//! The `plan` search (#13): the least-cost portfolio of candidate measures whose share of
//! in-sample draws meeting the target is at least the confidence, with common random numbers
//! (every portfolio is evaluated exactly, certified, on the same samples of the scenario's
//! `[[uncertain]]` entries, through [`monte_carlo`]).
//!
//! How (details and proofs in `docs/plan.md`): admissible portfolios are visited in
//! nondecreasing annual cost ([`search::CostOrder`]); each is first tested against a proven
//! per-sample upper bound ([`bound::Bound`]) and solved only when the bound cannot rule it out.
//! The first that meets the confidence is optimal. Only counts limit the work (exact
//! evaluations, portfolios enumerated), never the clock, so results are the same bytes for any
//! thread count. When a limit stops the search first, a greedy heuristic finds a feasible
//! portfolio and the answer carries a proven lower bound on the cost (the cost of the cheapest
//! portfolio not proven infeasible).
//!
//! Rooms: [`bound`] (the upper bound and its relaxed region), [`search`] (cost order, greedy
//! order, prerequisite closures), [`stats`] (required count, Wilson interval, Pareto front).

pub mod bound;
pub mod search;
pub mod stats;

use super::monte_carlo::{monte_carlo, SampleError};
use crate::model::{Region, Uncertain};
use bound::Bound;
use search::{dependents, fen, greedy_order, with_prerequisites, CostOrder};
use std::collections::BTreeMap;

/// Exact evaluations allowed by default: every portfolio of 12 candidates (2^12).
pub const DEFAULT_MAX_EVALUATIONS: u64 = 4096;
/// Portfolios the search enumerates (admissible or not, pruned or solved) before it stops
/// with a lower bound: 2^20 (the heap then holds at most about as many entries).
pub const MAX_ENUMERATED: u64 = 1 << 20;

/// Samples solved per block when a search evaluation may stop early: after each block (in
/// index order, so the stopping point does not depend on threads), a portfolio whose samples
/// missing the target already exceed `N − required` is infeasible and is not solved further.
pub const BLOCK: u64 = 200;

/// What `plan` is asked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanConfig {
    /// In-sample draws N (samples `0..N` of `seed`).
    pub samples: u64,
    pub seed: u64,
    /// The share of in-sample draws that must meet the target, in (0, 1].
    pub confidence: f64,
    /// Out-of-sample check: samples `0..check_samples` of `check_seed`.
    pub check_samples: u64,
    pub check_seed: u64,
    /// Exact evaluations the search may spend (the heuristic and the marginal contributions
    /// come on top, at most a few per candidate).
    pub max_evaluations: u64,
}

/// One portfolio evaluated exactly on the in-sample draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Portfolio {
    /// Bit `i` set: candidate `i` chosen.
    pub mask: u64,
    /// Annual cost, yuan per year (the candidates' costs summed in candidate order).
    pub annual_cost: f64,
    /// Samples meeting the target.
    pub met: u64,
    /// Samples solved: all N, or fewer when the evaluation stopped early because the
    /// confidence was already out of reach (see [`BLOCK`]).
    pub samples: u64,
    /// All N in-sample draws were solved.
    pub complete: bool,
    /// Mean rate under the accounting rule over the samples solved where it is defined.
    pub mean_rate: Option<f64>,
    /// Why it was evaluated.
    pub stage: Stage,
}

impl Portfolio {
    pub fn p(&self) -> f64 {
        if self.samples == 0 {
            0.0
        } else {
            self.met as f64 / self.samples as f64
        }
    }
    pub fn ids(&self, region: &Region) -> Vec<String> {
        members(self.mask, region.candidates.len())
            .map(|i| region.candidates.list[i].id.clone())
            .collect()
    }
}

/// Which step of `plan` evaluated a portfolio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Baseline,
    Search,
    Heuristic,
    Marginal,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Baseline => "baseline",
            Stage::Search => "search",
            Stage::Heuristic => "heuristic",
            Stage::Marginal => "marginal",
        }
    }
}

/// A chosen measure's marginal contribution: the plan without it (and without what requires
/// it), on the in-sample draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Marginal {
    pub candidate: usize,
    /// The plan without the measure and its dependents.
    pub without: Portfolio,
    /// Annual cost saved by dropping them, yuan per year.
    pub cost_saved: f64,
}

/// The out-of-sample check of the chosen plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub samples: u64,
    pub seed: u64,
    pub met: u64,
    pub mean_rate: Option<f64>,
    /// Wilson 95 % interval of the share meeting the target.
    pub ci95: (f64, f64),
}

impl Check {
    pub fn p(&self) -> f64 {
        self.met as f64 / self.samples.max(1) as f64
    }
}

/// Why the search stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The cheapest feasible portfolio was found (optimal).
    Found,
    /// Every admissible portfolio was ruled out: none reaches the confidence.
    Exhausted,
    /// The exact-evaluation budget ran out.
    Budget,
    /// [`MAX_ENUMERATED`] portfolios were enumerated.
    EnumerationCap,
}

impl Stop {
    pub fn as_str(self) -> &'static str {
        match self {
            Stop::Found => "found",
            Stop::Exhausted => "exhausted",
            Stop::Budget => "evaluation_budget",
            Stop::EnumerationCap => "enumeration_cap",
        }
    }
}

/// Counts of the search's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Portfolios popped in cost order.
    pub enumerated: u64,
    /// Of which violating an exclusion or prerequisite.
    pub inadmissible: u64,
    /// Of which ruled out by the bound without solving.
    pub pruned: u64,
    /// Portfolios never enumerated because they lack an essential candidate (proven
    /// infeasible by the bound; see [`Bound::essential`]).
    pub skipped_without_essential: u64,
    /// Exact evaluations (N samples each) by stage.
    pub search_evaluations: u64,
    pub heuristic_evaluations: u64,
    pub marginal_evaluations: u64,
}

/// The answer of `plan`.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub config: PlanConfig,
    /// Samples that must meet the target: ⌈confidence·N⌉.
    pub required: u64,
    /// Every portfolio evaluated exactly, in evaluation order (the baseline first).
    pub evaluated: Vec<Portfolio>,
    pub baseline: Portfolio,
    /// The least-cost feasible portfolio found (None: none found).
    pub chosen: Option<Portfolio>,
    /// `chosen` is proven least-cost.
    pub optimal: bool,
    /// Proven lower bound on the least feasible annual cost, yuan per year (None when no
    /// admissible portfolio reaches the confidence: proven infeasible).
    pub lower_bound: Option<f64>,
    /// The highest P among evaluated portfolios (ties: lower cost, then mask).
    pub best: Portfolio,
    pub out_of_sample: Option<Check>,
    pub marginal: Vec<Marginal>,
    pub stop: Stop,
    pub counts: Counts,
}

impl Plan {
    /// Whether a portfolio reaching the confidence was found.
    pub fn feasible(&self) -> bool {
        self.chosen.is_some()
    }
}

/// Why `plan` could not run.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("plan: {0} candidates; at most 63 are supported")]
    TooManyCandidates(usize),
    #[error("plan: candidate {id}: annual cost {cost} yuan/yr must be finite and nonnegative")]
    BadCost { id: String, cost: f64 },
    #[error("plan: {0}")]
    Config(String),
    #[error(transparent)]
    Sample(#[from] SampleError),
}

/// The indices of the set bits of `mask` below `n`, ascending.
pub fn members(mask: u64, n: usize) -> impl Iterator<Item = usize> {
    (0..n).filter(move |&i| mask & (1 << i) != 0)
}

/// `mask` as one flag per candidate.
pub fn chosen_flags(mask: u64, n: usize) -> Vec<bool> {
    (0..n).map(|i| mask & (1 << i) != 0).collect()
}

/// The exact evaluations of one plan: a cache by mask (looked up, never iterated into
/// outputs) and the list in evaluation order.
struct Evaluations<'a> {
    base: &'a Region,
    entries: &'a [Uncertain],
    cfg: PlanConfig,
    progress: &'a (dyn Fn(u64) + Sync),
    cache: BTreeMap<u64, usize>,
    list: Vec<Portfolio>,
    required: u64,
}

impl Evaluations<'_> {
    /// Portfolio `mask` on the in-sample draws (from the cache when already evaluated, and
    /// completely if `early` is false); whether it was solved now. With `early`, solving stops
    /// after the first [`BLOCK`] at which the confidence is out of reach.
    fn get(
        &mut self,
        mask: u64,
        stage: Stage,
        early: bool,
    ) -> Result<(Portfolio, bool), SampleError> {
        let cached = self.cache.get(&mask).copied();
        if let Some(i) = cached {
            if early || self.list[i].complete {
                return Ok((self.list[i].clone(), false));
            }
        }
        let n = self.base.candidates.len();
        let flags = chosen_flags(mask, n);
        let region = self.base.candidates.region_for(self.base, &flags);
        let total = self.cfg.samples;
        let (mut met, mut solved) = (0u64, 0u64);
        let mut rates = Vec::new();
        while solved < total {
            let b = if early {
                BLOCK.min(total - solved)
            } else {
                total
            };
            let mc = monte_carlo(
                &region,
                self.entries,
                self.cfg.seed,
                solved,
                b,
                self.progress,
            )?;
            met += mc.samples.iter().filter(|s| s.meets_target).count() as u64;
            rates.extend(mc.samples.iter().map(|s| s.rate));
            solved += b;
            if early && solved - met > total - self.required {
                break;
            }
        }
        let p = Portfolio {
            mask,
            annual_cost: self.base.candidates.cost(&flags),
            met,
            samples: solved,
            complete: solved == total,
            mean_rate: super::Stats::of(rates.into_iter()).map(|s| s.mean),
            stage: cached.map_or(stage, |i| self.list[i].stage),
        };
        match cached {
            Some(i) => self.list[i] = p.clone(),
            None => {
                self.cache.insert(mask, self.list.len());
                self.list.push(p.clone());
            }
        }
        Ok((p, true))
    }
}

/// The least-cost portfolio of `base.candidates` meeting the target with the confidence of
/// `cfg`, on the Monte Carlo of `entries` (see the module note). `progress` is called with the
/// number of samples solved as they are.
pub fn plan(
    base: &Region,
    entries: &[Uncertain],
    cfg: PlanConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Plan, PlanError> {
    let cands = &base.candidates;
    let n = cands.len();
    if n > 63 {
        return Err(PlanError::TooManyCandidates(n));
    }
    for c in &cands.list {
        if !c.annual_cost.is_finite() || c.annual_cost < 0.0 {
            return Err(PlanError::BadCost {
                id: c.id.clone(),
                cost: c.annual_cost,
            });
        }
    }
    if cfg.samples == 0 || !(cfg.confidence > 0.0 && cfg.confidence <= 1.0) {
        return Err(PlanError::Config(
            "samples must be at least 1 and confidence in (0, 1]".into(),
        ));
    }
    if cfg.max_evaluations == 0 {
        return Err(PlanError::Config(
            "max evaluations must be at least 1".into(),
        ));
    }
    let required = stats::required(cfg.confidence, cfg.samples);
    let cost: Vec<i128> = cands.list.iter().map(|c| fen(c.annual_cost)).collect();
    let requires: Vec<Vec<usize>> = cands.list.iter().map(|c| c.requires.clone()).collect();
    let admissible = |mask: u64| cands.admissible(&chosen_flags(mask, n));
    let bound = Bound::new(base, entries, cfg.seed, cfg.samples, progress)?;
    let mut ev = Evaluations {
        base,
        entries,
        cfg,
        progress,
        cache: BTreeMap::new(),
        list: Vec::new(),
        required,
    };
    let mut counts = Counts::default();
    let (baseline, _) = ev.get(0, Stage::Baseline, false)?;
    counts.search_evaluations += 1;

    // The search: cost order, bound, exact evaluation.
    let mut chosen = None;
    let mut stop = Stop::Exhausted;
    let mut lower_fen: Option<i128> = None;
    // Only portfolios containing every essential candidate can be feasible: enumerate the
    // subsets of the others, each with the essential ones added (same order, shifted cost).
    let essential = bound.essential(required);
    let free: Vec<usize> = (0..n).filter(|&i| essential & (1 << i) == 0).collect();
    let essential_fen: i128 = members(essential, n).map(|i| cost[i]).sum();
    counts.skipped_without_essential = (1u64 << n.min(63)) - (1u64 << free.len().min(63));
    let free_cost: Vec<i128> = free.iter().map(|&i| cost[i]).collect();
    let order = CostOrder::new(free_cost).map(|(c, sub)| {
        let mut mask = essential;
        for (b, &i) in free.iter().enumerate() {
            if sub & (1 << b) != 0 {
                mask |= 1 << i;
            }
        }
        (c + essential_fen, mask)
    });
    for (c, mask) in order {
        if counts.enumerated == MAX_ENUMERATED {
            stop = Stop::EnumerationCap;
            lower_fen = Some(c);
            break;
        }
        counts.enumerated += 1;
        if !admissible(mask) {
            counts.inadmissible += 1;
            continue;
        }
        if !ev.cache.contains_key(&mask) {
            if !bound.may_meet(mask, required) {
                counts.pruned += 1;
                continue;
            }
            if counts.search_evaluations >= cfg.max_evaluations {
                stop = Stop::Budget;
                lower_fen = Some(c);
                break;
            }
            counts.search_evaluations += 1;
        }
        let (p, _) = ev.get(mask, Stage::Search, true)?;
        if p.met >= required {
            stop = Stop::Found;
            lower_fen = Some(c);
            chosen = Some(p);
            break;
        }
    }

    // Stopped by a limit: a heuristic's feasible portfolio, with the proven lower bound. Proven
    // infeasible: the same greedy walk, to report the best P reached by adding measures.
    if stop != Stop::Found {
        let mean_add: Vec<f64> = (0..n).map(|m| bound.mean_add(m)).collect();
        let mut set = 0u64;
        let mut found = None;
        for m in greedy_order(&mean_add, &cost) {
            let next = set | with_prerequisites(&requires, m);
            if next == set || !admissible(next) {
                continue;
            }
            set = next;
            let (p, fresh) = ev.get(set, Stage::Heuristic, true)?;
            counts.heuristic_evaluations += u64::from(fresh);
            if p.met >= required {
                found = Some(p);
                break;
            }
        }
        // Drop what is not needed, most expensive first.
        if let Some(mut best) = found {
            let mut by_cost: Vec<usize> = members(best.mask, n).collect();
            by_cost.sort_by_key(|&i| (std::cmp::Reverse(cost[i]), i));
            for m in by_cost {
                if best.mask & (1 << m) == 0 {
                    continue;
                }
                let t = best.mask & !dependents(&requires, best.mask, m);
                if !admissible(t) || !bound.may_meet(t, required) {
                    continue;
                }
                let (p, fresh) = ev.get(t, Stage::Heuristic, true)?;
                counts.heuristic_evaluations += u64::from(fresh);
                if p.met >= required {
                    best = p;
                }
            }
            if stop != Stop::Exhausted {
                chosen = Some(best);
            }
        }
    }
    let mask_fen = |mask: u64| members(mask, n).map(|i| cost[i]).sum::<i128>();
    let optimal = match (&chosen, lower_fen) {
        (Some(p), Some(lb)) => mask_fen(p.mask) <= lb,
        _ => false,
    };
    let lower_bound = lower_fen.map(|lb| match &chosen {
        Some(p) if mask_fen(p.mask) == lb => p.annual_cost,
        _ => lb as f64 / 100.0,
    });

    // Marginal contributions and the out-of-sample check of the chosen plan.
    let mut marginal = Vec::new();
    let mut out_of_sample = None;
    if let Some(p) = &chosen {
        for m in members(p.mask, n) {
            let without_mask = p.mask & !dependents(&requires, p.mask, m);
            let (without, fresh) = ev.get(without_mask, Stage::Marginal, false)?;
            counts.marginal_evaluations += u64::from(fresh);
            marginal.push(Marginal {
                candidate: m,
                cost_saved: p.annual_cost - without.annual_cost,
                without,
            });
        }
        if cfg.check_samples > 0 {
            let region = cands.region_for(base, &chosen_flags(p.mask, n));
            let mc = monte_carlo(
                &region,
                entries,
                cfg.check_seed,
                0,
                cfg.check_samples,
                progress,
            )?;
            let met = mc.samples.iter().filter(|s| s.meets_target).count() as u64;
            out_of_sample = Some(Check {
                samples: cfg.check_samples,
                seed: cfg.check_seed,
                met,
                mean_rate: mc.rate.map(|s| s.mean),
                ci95: stats::wilson95(met, cfg.check_samples),
            });
        }
    }
    let evaluated = ev.list;
    let best = evaluated
        .iter()
        .min_by(|a, b| {
            (u128::from(b.met) * u128::from(a.samples))
                .cmp(&(u128::from(a.met) * u128::from(b.samples)))
                .then(mask_fen(a.mask).cmp(&mask_fen(b.mask)))
                .then(a.mask.cmp(&b.mask))
        })
        .cloned()
        .expect("the baseline is evaluated");
    Ok(Plan {
        config: cfg,
        required,
        evaluated,
        baseline,
        chosen,
        optimal,
        lower_bound,
        best,
        out_of_sample,
        marginal,
        stop,
        counts,
    })
}
