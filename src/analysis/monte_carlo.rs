//! The Monte Carlo over a region's `[[uncertain]]` entries (issue #13, first slice).
//!
//! Sample `k` draws one multiplier per entry from a `ChaCha8Rng` seeded with the run's seed on
//! stream `k`, so a sample depends only on (seed, k, region). It is solved warm from the base
//! region's optimum — a copy of one [`Evaluator`] that solved the base, kept per chunk — never
//! from the previous sample's basis, so even where optima are not unique the allocation chosen
//! does not depend on which samples a worker solved before: the results are the same bytes for
//! any thread count, chunk size or split of the index range. Chunks run in parallel and are
//! gathered in index order; every statistic is reduced sequentially from the index-ordered
//! vector.

use super::{AnalysisError, Evaluator};
use crate::allocate::AllocConfig;
use crate::model::{apply_multipliers, Distribution, MaterialId, Region, Uncertain};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Samples solved by one worker's evaluator before the next chunk is taken.
pub const CHUNK: u64 = 32;

/// The small results kept of one sample.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleResult {
    pub index: u64,
    /// One multiplier per uncertain entry, in declaration order.
    pub multipliers: Vec<f64>,
    /// The target's rate under its accounting rule (None when undefined).
    pub rate: Option<f64>,
    /// The target's rate under the strict rule.
    pub strict_rate: Option<f64>,
    /// Each solid material's rate, in [`MonteCarlo::materials`] order.
    pub material_rates: Vec<Option<f64>>,
    /// Net cost (the objective's definition), yuan per year.
    pub cost: f64,
    pub co2_avoided_t: f64,
    pub co2_transport_t: f64,
    pub meets_target: bool,
    /// New generation in the target's scope, units per year.
    pub scope_generated: f64,
    /// Utilised in the target's scope under its accounting rule (new generation plus
    /// stockpile drawn), units per year.
    pub scope_utilised: f64,
}

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

/// A Monte Carlo run: its samples in index order and their statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct MonteCarlo {
    pub seed: u64,
    pub first_sample: u64,
    /// The entries' ids, in declaration order (the multipliers' columns).
    pub entries: Vec<String>,
    /// The solid materials whose rates each sample keeps.
    pub materials: Vec<MaterialId>,
    pub samples: Vec<SampleResult>,
    /// Share of samples meeting the target.
    pub p_meet_target: f64,
    pub rate: Option<Stats>,
    pub strict_rate: Option<Stats>,
}

/// One draw of `d`.
pub fn draw(d: &Distribution, rng: &mut ChaCha8Rng) -> f64 {
    let (low, high) = d.bounds();
    if low == high {
        return low;
    }
    let u = |rng: &mut ChaCha8Rng| rng.random::<f64>();
    match *d {
        Distribution::Uniform { low, high } => low + (high - low) * u(rng),
        Distribution::Triangular { low, mode, high } => {
            let x = u(rng);
            let fc = (mode - low) / (high - low);
            if x < fc {
                low + ((high - low) * (mode - low) * x).sqrt()
            } else {
                high - ((high - low) * (high - mode) * (1.0 - x)).sqrt()
            }
        }
        Distribution::Normal {
            mean,
            sd,
            low,
            high,
        } => truncated(rng, low, high, mean, |z| mean + sd * z),
        Distribution::LogNormal {
            median,
            sd,
            low,
            high,
        } => truncated(rng, low, high, median, |z| median * (sd * z).exp()),
    }
}

/// `f(Z)` for a standard normal `Z` (Box–Muller), redrawn until it lies in `[low, high]`;
/// after 10 000 rejections (bounds far in a tail) `fallback` (a value inside the bounds).
fn truncated(
    rng: &mut ChaCha8Rng,
    low: f64,
    high: f64,
    fallback: f64,
    f: impl Fn(f64) -> f64,
) -> f64 {
    for _ in 0..10_000 {
        let u1 = 1.0 - rng.random::<f64>(); // (0, 1]
        let u2 = rng.random::<f64>();
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        let x = f(z);
        if (low..=high).contains(&x) {
            return x;
        }
    }
    fallback
}

/// Sample `k`'s multipliers: one draw per entry, in order, from stream `k` of `seed`.
pub fn multipliers(entries: &[Uncertain], seed: u64, k: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(k);
    entries
        .iter()
        .map(|e| draw(&e.distribution, &mut rng))
        .collect()
}

/// A Monte Carlo sample failed (the sample's index, and why).
#[derive(Debug, thiserror::Error)]
#[error("Monte Carlo sample {index}: {source}")]
pub struct SampleError {
    pub index: u64,
    #[source]
    pub source: AnalysisError,
}

/// Samples `first .. first + n` of `base` under `entries`, in parallel chunks (the current
/// rayon pool), gathered in index order. `progress` is called with 1 after each sample.
pub fn monte_carlo(
    base: &Region,
    entries: &[Uncertain],
    seed: u64,
    first: u64,
    n: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<MonteCarlo, SampleError> {
    use rayon::prelude::*;
    let cfg = AllocConfig {
        capacity_values: false,
        rate_ranges: false,
        ..AllocConfig::default()
    };
    let fail = |index| move |source| SampleError { index, source };
    // The base optimum every sample starts from.
    let mut warm = Evaluator::new(cfg);
    warm.results(base).map_err(fail(first))?;
    let materials: Vec<MaterialId> = base
        .materials
        .iter()
        .enumerate()
        .filter(|(_, m)| m.class == crate::model::MaterialClass::Solid)
        .map(|(i, _)| MaterialId(i))
        .collect();
    let chunks: Vec<(u64, u64)> = (0..n.div_ceil(CHUNK))
        .map(|c| (first + c * CHUNK, first + ((c + 1) * CHUNK).min(n)))
        .collect();
    let per_chunk: Vec<Vec<SampleResult>> = chunks
        .par_iter()
        .map(|&(a, b)| {
            (a..b)
                .map(|k| {
                    let m = multipliers(entries, seed, k);
                    let region = apply_multipliers(base, entries, &m);
                    let mut ev = warm.clone();
                    let r = ev.results(&region).map_err(fail(k))?;
                    progress(1);
                    let rate_of = |id: MaterialId| {
                        r.by_material
                            .iter()
                            .find(|(mid, _)| *mid == id)
                            .and_then(|(_, b)| b.rate())
                    };
                    Ok(SampleResult {
                        index: k,
                        multipliers: m,
                        rate: r.target.achieved,
                        strict_rate: r.target.strict_achieved,
                        material_rates: materials.iter().map(|&id| rate_of(id)).collect(),
                        cost: r.cost.total(),
                        co2_avoided_t: r.co2_avoided_t,
                        co2_transport_t: r.co2_transport_t,
                        meets_target: r.target.meets,
                        scope_generated: r.target.scope_generated,
                        scope_utilised: r.target.scope_utilised,
                    })
                })
                .collect::<Result<Vec<_>, SampleError>>()
        })
        .collect::<Result<_, _>>()?;
    let samples: Vec<SampleResult> = per_chunk.into_iter().flatten().collect();
    let met = samples.iter().filter(|s| s.meets_target).count();
    Ok(MonteCarlo {
        seed,
        first_sample: first,
        entries: entries.iter().map(|e| e.id.clone()).collect(),
        materials,
        p_meet_target: if samples.is_empty() {
            0.0
        } else {
            met as f64 / samples.len() as f64
        },
        rate: Stats::of(samples.iter().map(|s| s.rate)),
        strict_rate: Stats::of(samples.iter().map(|s| s.strict_rate)),
        samples,
    })
}
