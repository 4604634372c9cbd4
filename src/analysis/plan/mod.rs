//! The `plan` search (#13): the least-cost portfolio of candidate measures whose share of
//! in-sample draws meeting the target is at least the confidence, with common random numbers
//! (every portfolio is evaluated exactly, certified, on the same samples of the scenario's
//! `[[uncertain]]` entries, through [`monte_carlo_each`](super::monte_carlo::monte_carlo_each)).
//!
//! Memory: what grows with the sample count N is the bound's per-sample columns, 8 bytes ×
//! (5 + 2 × candidates) a sample; an evaluation keeps two counts and a sum ([`Tally`]), and
//! each evaluated portfolio one [`Portfolio`], whatever N (`docs/reports.md`, "Safety").
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
//! Rooms: `types` (the plan's types), `evaluate` (exact evaluations, early stop, cache),
//! [`bound`] (the upper bound and its relaxed regions), [`search`] (cost order, greedy order,
//! prerequisite closures), [`stats`] (required count, Wilson interval, Pareto front); the
//! search itself is [`plan`], here.

pub mod bound;
mod evaluate;
pub mod search;
pub mod stats;
mod types;

pub use types::*;

use crate::model::{Region, Uncertain};
use bound::Bound;
use evaluate::{Evaluations, Tally};
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

/// The indices of the set bits of `mask` below `n`, ascending.
pub fn members(mask: u64, n: usize) -> impl Iterator<Item = usize> {
    (0..n).filter(move |&i| mask & (1 << i) != 0)
}

/// `mask` as one flag per candidate.
pub fn chosen_flags(mask: u64, n: usize) -> Vec<bool> {
    (0..n).map(|i| mask & (1 << i) != 0).collect()
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
        completed_later: 0,
    };
    let mut counts = Counts::default();
    let (baseline, _) = ev.get(0, Stage::Baseline, false)?;
    counts.baseline_evaluations = 1;

    // The search: cost order, bound, exact evaluation.
    let mut chosen = None;
    let mut stop = Stop::Exhausted;
    let mut lower_fen: Option<i128> = None;
    // Only portfolios containing every essential candidate (and what they require) can be
    // feasible. If those cannot be chosen together, no portfolio can: proven infeasible. Else
    // enumerate the subsets of the candidates that can still join them (not excluded by them,
    // nor needing something they exclude), each with the essential ones added (same order,
    // shifted cost).
    // The measures the scenario applies (`[scenario] with`) are part of every portfolio.
    let fixed = cands
        .applied
        .iter()
        .enumerate()
        .filter(|&(_, &on)| on)
        .fold(0u64, |m, (i, _)| m | 1 << i);
    let mut essential = bound.essential(required) | fixed;
    for m in members(essential, n) {
        essential |= with_prerequisites(&requires, m);
    }
    let possible = admissible(essential);
    let free: Vec<usize> = (0..n)
        .filter(|&i| {
            possible
                && essential & (1 << i) == 0
                && admissible(essential | with_prerequisites(&requires, i))
        })
        .collect();
    let essential_fen: i128 = members(essential, n).map(|i| cost[i]).sum();
    counts.skipped_without_essential = (1u64 << n.min(63)) - (1u64 << free.len().min(63));
    if !possible {
        counts.skipped_without_essential = 1u64 << n.min(63);
    }
    let free_cost: Vec<i128> = free.iter().map(|&i| cost[i]).collect();
    let order = CostOrder::new(free_cost)
        .take_while(|_| possible)
        .map(|(c, sub)| {
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
            // The budget counts the baseline's evaluation too.
            if counts.baseline_evaluations + counts.search_evaluations >= cfg.max_evaluations {
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
            let mut next = set | with_prerequisites(&requires, m);
            if next != set && !admissible(next) {
                // An upgrade: `m` replaces the chosen measures it excludes (and what needs
                // them) when it adds more than they do (the larger of two sizes of a plant).
                let mut gone = 0u64;
                for i in members(set, n) {
                    if cands.list[m].excludes.contains(&i) {
                        gone |= dependents(&requires, set, i);
                    }
                }
                let lost: f64 = members(gone, n).map(|i| mean_add[i]).sum();
                if gone != 0 && mean_add[m] > lost {
                    next = (set & !gone) | with_prerequisites(&requires, m);
                }
            }
            if next == set || !admissible(next) {
                continue;
            }
            set = next;
            // Looking for a feasible plan, an evaluation may stop early; when none exists (proven),
            // the walk only reports the best P reached, so every step is solved on all N.
            let (p, fresh) = ev.get(set, Stage::Heuristic, stop != Stop::Exhausted)?;
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
            let mut t = Tally::default();
            let range = (cfg.check_seed, 0, cfg.check_samples);
            evaluate::tally(&region, entries, range, progress, &mut t)?;
            out_of_sample = Some(Check {
                samples: cfg.check_samples,
                seed: cfg.check_seed,
                met: t.met,
                mean_rate: t.mean_rate(),
                mean_strict_rate: t.mean_strict_rate(),
                ci95: stats::wilson95(t.met, cfg.check_samples),
            });
        }
    }
    // A portfolio stopped early may still reach a higher P than every complete one (it stopped
    // because the confidence was out of reach, not because it was worse): complete each whose
    // optimistic P (every unsolved sample meeting) could reach the best complete P, so that
    // the best reached is the best admissible P found, not an understatement.
    let best_met = |list: &[Portfolio]| {
        list.iter()
            .filter(|p| p.complete)
            .map(|p| p.met)
            .max()
            .unwrap_or(0)
    };
    let mut i = 0;
    while i < ev.list.len() {
        let p = &ev.list[i];
        if !p.complete && p.met + (cfg.samples - p.samples) >= best_met(&ev.list) {
            let (mask, stage) = (p.mask, p.stage);
            ev.get(mask, stage, false)?;
            counts.completion_evaluations += 1;
        }
        i += 1;
    }
    counts.completed_later = ev.completed_later;
    counts.stopped_early = ev.list.iter().filter(|p| !p.complete).count() as u64;
    let evaluated = ev.list;
    // The best reached: among portfolios solved on all N, the highest P, then the highest
    // expected rate, then the lowest cost.
    let best = evaluated
        .iter()
        .filter(|p| p.complete)
        .min_by(|a, b| {
            (u128::from(b.met) * u128::from(a.samples))
                .cmp(&(u128::from(a.met) * u128::from(b.samples)))
                .then(
                    b.mean_rate
                        .unwrap_or(f64::NEG_INFINITY)
                        .total_cmp(&a.mean_rate.unwrap_or(f64::NEG_INFINITY)),
                )
                .then(mask_fen(a.mask).cmp(&mask_fen(b.mask)))
                .then(a.mask.cmp(&b.mask))
        })
        .cloned()
        .expect("the baseline is evaluated");
    let pts: Vec<(i128, f64)> = evaluated
        .iter()
        .map(|p| (fen(p.annual_cost), p.p()))
        .collect();
    let flags = stats::pareto_flags(&pts);
    let mut on_front: Vec<usize> = (0..evaluated.len()).filter(|&i| flags[i]).collect();
    on_front.sort_by(|&a, &b| {
        evaluated[a]
            .annual_cost
            .total_cmp(&evaluated[b].annual_cost)
            .then(a.cmp(&b))
    });
    let mut front_answers = Vec::with_capacity(on_front.len());
    for i in on_front {
        front_answers.push((i, central_answer(base, evaluated[i].mask)?));
    }
    let central = Central {
        front: front_answers,
        baseline: central_answer(base, 0)?,
        chosen: match &chosen {
            Some(p) => central_answer(base, p.mask)?,
            None => None,
        },
    };
    Ok(Plan {
        central,
        fixed,
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

/// Portfolio `mask` of `base` solved once at the central values (None: some waste has no
/// legal fate there).
fn central_answer(base: &Region, mask: u64) -> Result<Option<CentralAnswer>, PlanError> {
    let cands = &base.candidates;
    let flags = chosen_flags(mask, cands.len());
    let mut region = cands.region_for(base, &flags);
    region.candidates.applied = flags;
    let cfg = crate::allocate::AllocConfig {
        capacity_values: false,
        rate_ranges: false,
        ..Default::default()
    };
    let r = match crate::analysis::evaluate(&region, &cfg) {
        Ok(e) => e.results,
        Err(crate::analysis::AnalysisError::NoLegalFate(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    Ok(Some(CentralAnswer {
        rate: r.target.achieved,
        strict_rate: r.target.strict_achieved,
        money: crate::analysis::compare::Money::of(&region, &r),
        allocation_net_cost: r.cost.total(),
        counted_t: r.target.scope_utilised,
        strict_counted_t: (base.target.scope == crate::model::TargetScope::AllSolids)
            .then_some(r.solids.strict_new + r.solids.strict_stock),
    }))
}
