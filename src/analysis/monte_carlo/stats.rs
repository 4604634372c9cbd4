//! The Monte Carlo's statistics, reduced sequentially from the samples in index order: mean
//! and percentiles ([`Stats`]), per material and per park ([`CellStats`]), and Spearman rank
//! correlations of each input with the rate ([`tornado`]).

use super::SampleResult;
use crate::analysis::Balance;

/// Mean and percentiles of the defined values of a statistic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    /// Samples where the value is defined.
    pub n: u64,
    pub mean: f64,
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
}

impl Stats {
    /// From values in index order: the mean summed in that order; percentiles by linear
    /// interpolation between order statistics. None when no value is defined.
    pub fn of(values: impl Iterator<Item = Option<f64>>) -> Option<Stats> {
        let mut v: Vec<f64> = values.flatten().collect();
        if v.is_empty() {
            return None;
        }
        let mut sum = 0.0;
        for &x in &v {
            sum += x;
        }
        let mean = sum / v.len() as f64;
        v.sort_by(f64::total_cmp);
        let q = |p: f64| {
            let h = p * (v.len() - 1) as f64;
            let (lo, frac) = (h.floor() as usize, h - h.floor());
            match v.get(lo + 1) {
                Some(&hi) if frac > 0.0 => v[lo] + frac * (hi - v[lo]),
                _ => v[lo],
            }
        };
        Some(Stats {
            n: v.len() as u64,
            mean,
            p5: q(0.05),
            p50: q(0.50),
            p95: q(0.95),
        })
    }
}

/// The statistics of one material (all parks) or one park (all solids).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellStats {
    /// Share of the samples where the rate is defined that reach the target's rate (with the
    /// target's 1e-12 tolerance); None when it is never defined.
    pub p_meet_target: Option<f64>,
    pub rate: Option<Stats>,
    pub strict_rate: Option<Stats>,
}

impl CellStats {
    /// From a material's or park's rates under the rule and strict, in index order.
    pub fn of(
        rates: impl Iterator<Item = Option<f64>>,
        strict: impl Iterator<Item = Option<f64>>,
        target: f64,
    ) -> CellStats {
        let rates: Vec<Option<f64>> = rates.collect();
        let defined = rates.iter().flatten().count();
        let met = rates
            .iter()
            .flatten()
            .filter(|&&r| r + 1e-12 >= target)
            .count();
        CellStats {
            p_meet_target: (defined > 0).then(|| met as f64 / defined as f64),
            rate: Stats::of(rates.into_iter()),
            strict_rate: Stats::of(strict),
        }
    }
}

/// The statistics of the balance summed from each sample's cells `pick` (in that order), from
/// every sample's record: the reference the streamed statistics are checked against.
pub fn cell_stats(samples: &[SampleResult], target: f64, pick: &[usize]) -> CellStats {
    let mut rates = Vec::with_capacity(samples.len());
    let mut strict = Vec::with_capacity(samples.len());
    for s in samples {
        let mut b = Balance::default();
        for &c in pick {
            b.add(&s.cells[c]);
        }
        rates.push(b.rate());
        strict.push(b.strict_rate());
    }
    CellStats::of(rates.into_iter(), strict.into_iter(), target)
}

/// How strongly one input moves the target's rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// The input's label (an ungrouped entry's id or a group's name).
    pub input: String,
    /// Its entries' indices (the multiplier ranked is the first one that varies).
    pub entries: Vec<usize>,
    /// Spearman's ρ between the multiplier and the rate under the target's rule, over the
    /// samples where the rate is defined; None when either is constant.
    pub rho: Option<f64>,
    /// The same with the strict rate.
    pub rho_strict: Option<f64>,
    /// Spearman's ρ between the multiplier and having no legal fate (1, else 0), over every
    /// sample: which inputs drive infeasibility. None when no sample (or every sample) had
    /// no legal fate.
    pub rho_no_legal_fate: Option<f64>,
    /// Samples where the rate is defined.
    pub n: u64,
}

/// Each input's Spearman ρ with the rate, sorted by |ρ| (largest first; undefined last; ties
/// in draw order). A group's entries are comonotone, so its first varying entry's multiplier
/// has the ranks of all of them (an entry with `low = high` is constant). From every sample's
/// record: the reference the streamed statistics are checked against.
pub fn tornado(inputs: &[(String, Vec<usize>)], samples: &[SampleResult]) -> Vec<Sensitivity> {
    let varies = |j: usize| {
        samples
            .windows(2)
            .any(|w| w[0].multipliers[j] != w[1].multipliers[j])
    };
    let xs: Vec<Vec<f64>> = inputs
        .iter()
        .map(|(_, ix)| {
            let j = ix.iter().copied().find(|&j| varies(j)).unwrap_or(ix[0]);
            samples.iter().map(|s| s.multipliers[j]).collect()
        })
        .collect();
    let rate: Vec<Option<f64>> = samples.iter().map(|s| s.rate).collect();
    let strict: Vec<Option<f64>> = samples.iter().map(|s| s.strict_rate).collect();
    let no_legal_fate: Vec<Option<f64>> = samples.iter().map(|s| no_legal_fate(s.status)).collect();
    let rho_with = |x: &[f64], y: &[Option<f64>]| {
        let (x, y): (Vec<f64>, Vec<f64>) = x
            .iter()
            .zip(y)
            .filter_map(|(&x, y)| y.map(|r| (x, r)))
            .unzip();
        (spearman(&x, &y), x.len() as u64)
    };
    let out = inputs
        .iter()
        .zip(&xs)
        .map(|((label, ix), x)| {
            let (rho, n) = rho_with(x, &rate);
            let (rho_strict, _) = rho_with(x, &strict);
            let (rho_no_legal_fate, _) = rho_with(x, &no_legal_fate);
            Sensitivity {
                input: label.clone(),
                entries: ix.clone(),
                rho,
                rho_strict,
                rho_no_legal_fate,
                n,
            }
        })
        .collect();
    sort_tornado(out)
}

/// A sample's indicator of having no legal fate (1) or an allocation (0), as a value every
/// sample defines.
pub fn no_legal_fate(status: super::SampleStatus) -> Option<f64> {
    Some(f64::from(u8::from(status != super::SampleStatus::Ok)))
}

/// One of the target's rates, ready to be correlated with every input: its value in every
/// sample (None where undefined) and the ranks of its defined values, computed once.
pub struct RankedRate<'a> {
    pub values: &'a [Option<f64>],
    ranks: Vec<f64>,
}

impl<'a> RankedRate<'a> {
    pub fn new(values: &'a [Option<f64>]) -> RankedRate<'a> {
        let defined: Vec<f64> = values.iter().flatten().copied().collect();
        RankedRate {
            values,
            ranks: ranks(&defined),
        }
    }

    /// Spearman's ρ of `x` (one value per sample) with this rate over the samples where it
    /// is defined, and their count: [`spearman`] with the rate's ranks reused.
    fn rho(&self, x: &[f64]) -> (Option<f64>, u64) {
        let (rx, n) = self.ranks_of(x);
        (self.rho_of_ranks(rx.as_deref()), n)
    }

    /// The ranks of `x` over the samples where this rate is defined (none where ρ is
    /// undefined: fewer than two, or not as many as the rate's), and their count.
    fn ranks_of(&self, x: &[f64]) -> (Option<Vec<f64>>, u64) {
        let x: Vec<f64> = x
            .iter()
            .zip(self.values)
            .filter_map(|(&x, y)| y.map(|_| x))
            .collect();
        let n = x.len() as u64;
        if x.len() != self.ranks.len() || x.len() < 2 {
            return (None, n);
        }
        (Some(ranks(&x)), n)
    }

    fn rho_of_ranks(&self, rx: Option<&[f64]>) -> Option<f64> {
        rx.and_then(|rx| pearson_of_ranks(rx, &self.ranks))
    }

    /// Whether both rates are defined in the same samples (so an input's ranks serve both).
    fn defined_alike(&self, other: &RankedRate) -> bool {
        self.values.len() == other.values.len()
            && self
                .values
                .iter()
                .zip(other.values)
                .all(|(a, b)| a.is_some() == b.is_some())
    }
}

/// One input's [`Sensitivity`]: `x` is its ranked multiplier (its first varying entry's) in
/// every sample, in index order.
pub fn sensitivity(
    label: &str,
    ix: &[usize],
    x: &[f64],
    rate: &RankedRate,
    strict: &RankedRate,
    infeasible: &RankedRate,
) -> Sensitivity {
    let ((rho, n), rho_strict) = if rate.defined_alike(strict) {
        // The same samples: the input's ranks once, for both.
        let (rx, n) = rate.ranks_of(x);
        let rx = rx.as_deref();
        ((rate.rho_of_ranks(rx), n), strict.rho_of_ranks(rx))
    } else {
        let (r, (s, _)) = rayon::join(|| rate.rho(x), || strict.rho(x));
        (r, s)
    };
    Sensitivity {
        input: label.to_string(),
        entries: ix.to_vec(),
        rho,
        rho_strict,
        rho_no_legal_fate: infeasible.rho(x).0,
        n,
    }
}

/// The inputs sorted by |ρ| (largest first; undefined last); a stable sort: equal |ρ| keep
/// draw order.
pub fn sort_tornado(mut out: Vec<Sensitivity>) -> Vec<Sensitivity> {
    out.sort_by(|a, b| {
        let key = |s: &Sensitivity| s.rho.map(f64::abs).unwrap_or(-1.0);
        key(b).total_cmp(&key(a))
    });
    out
}

/// Ranks 1..n with ties given their average rank.
pub fn ranks(v: &[f64]) -> Vec<f64> {
    // The order of `f64::total_cmp`, then the index: each value's total-order key (the bits,
    // the magnitude flipped for negatives, as `total_cmp` compares them) beside its index,
    // sorted as integers (all keys distinct, so an unstable sort gives the one order).
    let key = |x: f64| {
        let b = x.to_bits() as i64;
        b ^ ((((b >> 63) as u64) >> 1) as i64)
    };
    let mut order: Vec<(i64, usize)> = v.iter().enumerate().map(|(i, &x)| (key(x), i)).collect();
    order.sort_unstable();
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1].1] == v[order[i].1] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &(_, k) in &order[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// Spearman's rank correlation: Pearson's correlation of the ranks (ties averaged). None with
/// fewer than two values or when either side is constant.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 {
        return None;
    }
    pearson_of_ranks(&ranks(x), &ranks(y))
}

/// Pearson's correlation of two rank vectors of the same length (1..n, ties averaged); None
/// when either is constant.
fn pearson_of_ranks(rx: &[f64], ry: &[f64]) -> Option<f64> {
    let n = rx.len() as f64;
    let mean = (n + 1.0) / 2.0;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(ry) {
        let (dx, dy) = (a - mean, b - mean);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    (sxx > 0.0 && syy > 0.0).then(|| (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks(&[10.0, 30.0, 20.0, 20.0]), vec![1.0, 4.0, 2.5, 2.5]);
    }

    /// The integer keys order values as `f64::total_cmp` then the index does: on random
    /// values with ties, both zeros, infinities and NaNs, the ranks equal those of that sort.
    #[test]
    fn ranks_follow_total_cmp() {
        use rand::{Rng, SeedableRng};
        let reference = |v: &[f64]| {
            let mut order: Vec<usize> = (0..v.len()).collect();
            order.sort_by(|&a, &b| v[a].total_cmp(&v[b]).then(a.cmp(&b)));
            let mut r = vec![0.0; v.len()];
            let mut i = 0;
            while i < order.len() {
                let mut j = i;
                while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
                    j += 1;
                }
                for &k in &order[i..=j] {
                    r[k] = (i + j) as f64 / 2.0 + 1.0;
                }
                i = j + 1;
            }
            r
        };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(21);
        let special = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
        ];
        for n in [0, 1, 2, 7, 50, 300] {
            for _ in 0..20 {
                let v: Vec<f64> = (0..n)
                    .map(|_| match rng.random_range(0..4) {
                        0 => special[rng.random_range(0..special.len())],
                        1 => rng.random_range(-3..3) as f64,
                        _ => rng.random_range(-1e3..1e3),
                    })
                    .collect();
                let (got, want) = (ranks(&v), reference(&v));
                assert!(
                    got.iter()
                        .zip(&want)
                        .all(|(a, b)| a.to_bits() == b.to_bits()),
                    "{v:?}: {got:?} != {want:?}"
                );
            }
        }
    }

    #[test]
    fn spearman_known_values() {
        // Any increasing function: ρ = 1; decreasing: −1.
        let x = [0.1, 0.5, 0.2, 0.9, 0.7];
        let y: Vec<f64> = x.iter().map(|v: &f64| v.exp()).collect();
        assert_eq!(spearman(&x, &y), Some(1.0));
        let y: Vec<f64> = x.iter().map(|v| -v * v).collect();
        assert_eq!(spearman(&x, &y), Some(-1.0));
        // Without ties ρ = 1 − 6 Σd² / (n(n² − 1)): ranks x 1..5, y 2,1,4,3,5 → Σd² = 4,
        // ρ = 1 − 24/120 = 0.8.
        let rho = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 1.0, 4.0, 3.0, 5.0]).unwrap();
        assert!((rho - 0.8).abs() < 1e-15);
        assert_eq!(spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(spearman(&[1.0], &[1.0]), None);
    }
}
