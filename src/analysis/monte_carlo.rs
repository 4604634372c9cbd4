//! The Monte Carlo over a region's `[[uncertain]]` entries (issue #13, first slice).
//!
//! Sample `k` draws one uniform per independent input (an ungrouped entry or a group) from a
//! `ChaCha8Rng` seeded with the run's seed on stream `k`, and each entry's multiplier is its
//! distribution's quantile at its input's uniform ([`super::draw`]), so a sample depends only
//! on (seed, k, region). It is solved warm from the base region's optimum — each rayon worker
//! keeps one [`Evaluator`] and restores it from the base's before every sample — never from
//! the previous sample's basis, so even where optima are not unique the allocation chosen does
//! not depend on which samples a worker solved before: the results are the same bytes for any
//! thread count, chunk size or split of the index range. Chunks run in parallel and are
//! gathered in index order; every statistic is reduced sequentially from the index-ordered
//! vector.

pub use super::draw::multipliers;
use super::mc_stats::{cell_stats, tornado, CellStats, Sensitivity};
use super::{AnalysisError, Balance, Evaluator, Figures};
use crate::allocate::AllocConfig;
use crate::model::{inputs, MaterialId, ParkId, Region, Uncertain};

pub use super::mc_stats::Stats;

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
    /// Each consolidated park × solid material's balance ([`MonteCarlo::parks`] then
    /// [`MonteCarlo::materials`] order: `cells[p * materials + m]`).
    pub cells: Vec<Balance>,
    /// Whether the sample has an allocation (else its rates are undefined, its money and CO2
    /// are NaN and it does not meet the target).
    pub status: SampleStatus,
    /// New generation in the target's scope, units per year.
    pub scope_generated: f64,
    /// Utilised in the target's scope under its accounting rule (new generation plus
    /// stockpile drawn), units per year.
    pub scope_utilised: f64,
}

/// The outcome of one sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleStatus {
    /// Solved and certified.
    Ok,
    /// Dumping is forbidden and a sampled quantity has no legal fate
    /// ([`NoLegalFate`](super::NoLegalFate)): no allocation exists.
    NoLegalFate,
}

impl SampleStatus {
    /// The name written in `samples.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            SampleStatus::Ok => "ok",
            SampleStatus::NoLegalFate => "no_legal_fate",
        }
    }
}

/// A Monte Carlo run: its samples in index order and their statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct MonteCarlo {
    pub seed: u64,
    pub first_sample: u64,
    /// The entries' ids, in declaration order (the multipliers' columns).
    pub entries: Vec<String>,
    /// The independent inputs in draw order: a label (an ungrouped entry's id or a group's
    /// name) and its entries' indices.
    pub inputs: Vec<(String, Vec<usize>)>,
    /// The solid materials whose rates each sample keeps.
    pub materials: Vec<MaterialId>,
    /// The consolidated parks of each sample's cells.
    pub parks: Vec<ParkId>,
    pub samples: Vec<SampleResult>,
    /// Samples with no allocation ([`SampleStatus::NoLegalFate`]).
    pub samples_infeasible: u64,
    /// Share of samples meeting the target (samples with no allocation do not).
    pub p_meet_target: f64,
    pub rate: Option<Stats>,
    pub strict_rate: Option<Stats>,
    /// Each solid material's statistics (all parks), in [`MonteCarlo::materials`] order.
    pub by_material: Vec<CellStats>,
    /// Each consolidated park's statistics (all solids), in [`MonteCarlo::parks`] order.
    pub by_park: Vec<CellStats>,
    /// The inputs by how much they move the target's rate (Spearman's ρ, by |ρ|).
    pub tornado: Vec<Sensitivity>,
}

/// Sample `k`'s kept results: its figures, or none where it has no allocation.
fn sample_result(
    k: u64,
    m: Vec<f64>,
    status: SampleStatus,
    fig: &Figures,
    n_materials: usize,
    n_parks: usize,
) -> SampleResult {
    match status {
        SampleStatus::Ok => SampleResult {
            index: k,
            multipliers: m,
            rate: fig.rate,
            strict_rate: fig.strict_rate,
            material_rates: fig.material_rates.clone(),
            cost: fig.cost,
            co2_avoided_t: fig.co2_avoided_t,
            co2_transport_t: fig.co2_transport_t,
            meets_target: fig.meets_target,
            scope_generated: fig.scope_generated,
            scope_utilised: fig.scope_utilised,
            cells: fig.cells.clone(),
            status,
        },
        SampleStatus::NoLegalFate => SampleResult {
            index: k,
            multipliers: m,
            rate: None,
            strict_rate: None,
            material_rates: vec![None; n_materials],
            cost: f64::NAN,
            co2_avoided_t: f64::NAN,
            co2_transport_t: f64::NAN,
            meets_target: false,
            scope_generated: f64::NAN,
            scope_utilised: f64::NAN,
            cells: vec![Balance::nan(); n_parks * n_materials],
            status,
        },
    }
}

/// Makes `region` (a copy of `base`) the sample with `multipliers`: the values the entries
/// touch are reset to `base`'s, then every entry applied in order, so that `region` equals
/// `apply_multipliers(base, entries, multipliers)` without cloning the region.
pub fn sample_region(
    region: &mut Region,
    base: &Region,
    entries: &[Uncertain],
    multipliers: &[f64],
) {
    for e in entries {
        e.reset(region, base);
    }
    for (e, &m) in entries.iter().zip(multipliers) {
        e.apply(region, m);
    }
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
    warm.prepare_warm();
    let materials: Vec<MaterialId> = base
        .materials
        .iter()
        .enumerate()
        .filter(|(_, m)| m.class == crate::model::MaterialClass::Solid)
        .map(|(i, _)| MaterialId(i))
        .collect();
    let parks: Vec<ParkId> = (0..base.parks.len())
        .filter(|&i| base.parks[i].parent.is_none())
        .map(ParkId)
        .collect();
    let chunks: Vec<(u64, u64)> = (0..n.div_ceil(CHUNK))
        .map(|c| (first + c * CHUNK, first + ((c + 1) * CHUNK).min(n)))
        .collect();
    let per_chunk: Vec<Vec<SampleResult>> = chunks
        .par_iter()
        .map_init(
            // One evaluator, region and set of figures per worker, restored before each sample.
            || (warm.clone(), base.clone(), Figures::default()),
            |(ev, region, fig), &(a, b)| {
                (a..b)
                    .map(|k| {
                        let m = multipliers(entries, seed, k);
                        sample_region(region, base, entries, &m);
                        ev.restore_from(&warm);
                        let status = match ev.figures(region, fig) {
                            Ok(()) => SampleStatus::Ok,
                            Err(AnalysisError::NoLegalFate(_)) => SampleStatus::NoLegalFate,
                            Err(e) => return Err(fail(k)(e)),
                        };
                        progress(1);
                        Ok(sample_result(
                            k,
                            m,
                            status,
                            fig,
                            materials.len(),
                            parks.len(),
                        ))
                    })
                    .collect::<Result<Vec<_>, SampleError>>()
            },
        )
        .collect::<Result<_, _>>()?;
    let samples: Vec<SampleResult> = per_chunk.into_iter().flatten().collect();
    let met = samples.iter().filter(|s| s.meets_target).count();
    let inputs = inputs(entries);
    let target = base.target.rate;
    let (nm, np) = (materials.len(), parks.len());
    // The statistics after the samples, in parallel too: each figure is computed by one pure
    // function of the gathered samples and collected in order (the same bytes at any thread
    // count).
    let ((by_material, by_park), tornado) = rayon::join(
        || {
            rayon::join(
                || {
                    (0..nm)
                        .into_par_iter()
                        .map(|m| {
                            let pick: Vec<usize> = (0..np).map(|p| p * nm + m).collect();
                            cell_stats(&samples, target, &pick)
                        })
                        .collect::<Vec<_>>()
                },
                || {
                    (0..np)
                        .into_par_iter()
                        .map(|p| {
                            let pick: Vec<usize> = (0..nm).map(|m| p * nm + m).collect();
                            cell_stats(&samples, target, &pick)
                        })
                        .collect::<Vec<_>>()
                },
            )
        },
        || tornado(&inputs, &samples),
    );
    let infeasible = samples
        .iter()
        .filter(|s| s.status != SampleStatus::Ok)
        .count();
    Ok(MonteCarlo {
        seed,
        first_sample: first,
        entries: entries.iter().map(|e| e.id.clone()).collect(),
        tornado,
        inputs,
        materials,
        parks,
        samples_infeasible: infeasible as u64,
        p_meet_target: if samples.is_empty() {
            0.0
        } else {
            met as f64 / samples.len() as f64
        },
        rate: Stats::of(samples.iter().map(|s| s.rate)),
        strict_rate: Stats::of(samples.iter().map(|s| s.strict_rate)),
        by_material,
        by_park,
        samples,
    })
}
