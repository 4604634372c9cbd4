//! The exact evaluations of one plan: each portfolio solved on the in-sample draws through
//! the Monte Carlo, in blocks when it may stop early, cached by mask. A portfolio's samples
//! are tallied as they stream past ([`Tally`]: two counts and a sum), never kept.

use super::super::monte_carlo::{monte_carlo_each, SampleError, SampleResult};
use super::{chosen_flags, Portfolio, Stage, BLOCK};
use crate::model::{Region, Uncertain};
use std::collections::BTreeMap;

/// What `plan` keeps of the samples of one evaluation: the samples meeting the target and the
/// sum and count of the defined rates (issue #19, item 9: not every sample's record).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    /// Samples tallied.
    pub samples: u64,
    /// Of which meeting the target.
    pub met: u64,
    rate_sum: f64,
    rated: u64,
    strict_sum: f64,
    strict_rated: u64,
}

impl Tally {
    /// Adds the next sample (in index order).
    pub fn add(&mut self, s: &SampleResult) {
        self.samples += 1;
        self.met += u64::from(s.meets_target);
        if let Some(r) = s.rate {
            self.rate_sum += r;
            self.rated += 1;
        }
        if let Some(r) = s.strict_rate {
            self.strict_sum += r;
            self.strict_rated += 1;
        }
    }

    /// The mean strict rate (backfill and ecological restoration not counted) over the samples
    /// where it is defined, summed in index order as [`Tally::mean_rate`].
    pub fn mean_strict_rate(&self) -> Option<f64> {
        (self.strict_rated > 0).then(|| self.strict_sum / self.strict_rated as f64)
    }

    /// The mean rate over the samples where it is defined (None: nowhere): the same sum, in
    /// the same order, as the mean of [`Stats::of`](crate::analysis::Stats::of).
    pub fn mean_rate(&self) -> Option<f64> {
        (self.rated > 0).then(|| self.rate_sum / self.rated as f64)
    }
}

/// Samples `first .. first + n` of `seed` of `region` added to `tally`, in index order.
pub fn tally(
    region: &Region,
    entries: &[Uncertain],
    (seed, first, n): (u64, u64, u64),
    progress: &(dyn Fn(u64) + Sync),
    tally: &mut Tally,
) -> Result<(), SampleError> {
    monte_carlo_each(region, entries, (seed, first, n), progress, &mut |s| {
        tally.add(s)
    })
}

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
        let mut t = Tally::default();
        while t.samples < total {
            let b = if early {
                BLOCK.min(total - t.samples)
            } else {
                total
            };
            let range = (self.cfg.seed, t.samples, b);
            tally(&region, self.entries, range, self.progress, &mut t)?;
            if early && t.samples - t.met > total - self.required {
                break;
            }
        }
        let (met, solved) = (t.met, t.samples);
        if solved == total && cached.is_some() {
            self.completed_later += 1;
        }
        let p = Portfolio {
            mask,
            annual_cost: self.base.candidates.cost(&flags),
            met,
            samples: solved,
            complete: solved == total,
            mean_rate: t.mean_rate(),
            mean_strict_rate: t.mean_strict_rate(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::monte_carlo::SampleStatus;
    use crate::analysis::Stats;

    fn sample(rate: Option<f64>, meets_target: bool) -> SampleResult {
        SampleResult {
            index: 0,
            multipliers: vec![],
            rate,
            strict_rate: None,
            material_rates: vec![],
            cost: 0.0,
            co2_avoided_t: 0.0,
            co2_transport_t: 0.0,
            meets_target,
            cells: vec![],
            status: SampleStatus::Ok,
            scope_generated: 0.0,
            scope_utilised: 0.0,
        }
    }

    #[test]
    fn a_tally_s_mean_is_the_statistics_mean_bit_for_bit() {
        // Rates whose sum depends on the order (so a different order would show).
        let rates: Vec<Option<f64>> = (0..1000u32)
            .map(|i| match i % 7 {
                0 => None,
                k => Some(f64::from(i).sqrt() * 10f64.powi(k as i32 - 3) % 1.0),
            })
            .collect();
        let mut t = Tally::default();
        for (i, &r) in rates.iter().enumerate() {
            t.add(&sample(r, i % 3 == 0));
        }
        let mean = Stats::of(rates.iter().copied()).map(|s| s.mean);
        assert_eq!(t.mean_rate().map(f64::to_bits), mean.map(f64::to_bits));
        assert_eq!((t.samples, t.met), (1000, 334));
        let mut none = Tally::default();
        none.add(&sample(None, false));
        assert_eq!(none.mean_rate(), None);
    }
}
