//! The exact evaluations of one plan: each portfolio solved on the in-sample draws through
//! the Monte Carlo, in blocks when it may stop early, cached by mask.

use super::super::monte_carlo::{monte_carlo, SampleError};
use super::{chosen_flags, Portfolio, Stage, BLOCK};
use crate::analysis::Stats;
use crate::model::{Region, Uncertain};
use std::collections::BTreeMap;

/// The exact evaluations of one plan: a cache by mask (looked up, never iterated into
/// outputs) and the list in evaluation order.
pub(super) struct Evaluations<'a> {
    pub(super) base: &'a Region,
    pub(super) entries: &'a [Uncertain],
    pub(super) cfg: super::PlanConfig,
    pub(super) progress: &'a (dyn Fn(u64) + Sync),
    pub(super) cache: BTreeMap<u64, usize>,
    pub(super) list: Vec<Portfolio>,
    pub(super) required: u64,
    /// Portfolios stopped early and completed by a later step.
    pub(super) completed_later: u64,
}

impl Evaluations<'_> {
    /// Portfolio `mask` on the in-sample draws (from the cache when already evaluated, and
    /// completely if `early` is false); whether it was solved now. With `early`, solving stops
    /// after the first [`BLOCK`](super::BLOCK) at which the confidence is out of reach.
    pub(super) fn get(
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
        if solved == total && cached.is_some() {
            self.completed_later += 1;
        }
        let p = Portfolio {
            mask,
            annual_cost: self.base.candidates.cost(&flags),
            met,
            samples: solved,
            complete: solved == total,
            mean_rate: Stats::of(rates.into_iter()).map(|s| s.mean),
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
