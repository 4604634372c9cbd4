//! The Monte Carlo over a region's `[[uncertain]]` entries (issue #13, first slice).
//!
//! Sample `k` draws one uniform per independent input (an ungrouped entry or a group) from a
//! `ChaCha8Rng` seeded with the run's seed on stream `k`, and each entry's multiplier is its
//! distribution's quantile at its input's uniform ([`super::draw`]), so a sample depends only
//! on (seed, k, region). It is solved warm from the base region's optimum — each rayon worker
//! keeps one [`Evaluator`] and restores it from the base's before every sample — never from
//! the previous sample's basis, so even where optima are not unique the allocation chosen does
//! not depend on which samples a worker solved before: the results are the same bytes for any
//! thread count, chunk size or split of the index range.
//!
//! The index range is solved in windows of [`WINDOW`] samples: a window's chunks run in
//! parallel and are gathered in index order, then handed to a sink ([`monte_carlo_streamed`];
//! the CLI's appends each window's rows to the output files) while the next window is solved,
//! and dropped. The statistics keep a few scalars per sample, not the records
//! ([`super::mc_columns`]), and are reduced sequentially in index order at the end. The
//! in-memory [`monte_carlo`] is the same loop with a sink that keeps every record.

pub use super::draw::multipliers;
use super::mc_columns::{ColumnStore, Columns, InMemory};
use super::mc_stats::{CellStats, Sensitivity};
use super::{AnalysisError, Balance, Evaluator, Figures};
use crate::allocate::AllocConfig;
use crate::model::{inputs, MaterialId, ParkId, Region, Uncertain};
use std::sync::Mutex;

pub use super::mc_stats::Stats;

/// Samples solved by one worker's evaluator before the next chunk is taken.
pub const CHUNK: u64 = 32;

/// Samples solved (in parallel chunks) before they are handed to the sink and dropped: the
/// records held at once are at most two windows (one handed over while the next is solved).
pub const WINDOW: u64 = 1024;

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
    /// Each solid material's rate, in [`SampleLayout::materials`] order.
    pub material_rates: Vec<Option<f64>>,
    /// Net cost (the objective's definition), yuan per year.
    pub cost: f64,
    pub co2_avoided_t: f64,
    pub co2_transport_t: f64,
    pub meets_target: bool,
    /// Each consolidated park × solid material's balance ([`SampleLayout::parks`] then
    /// [`SampleLayout::materials`] order: `cells[p * materials + m]`).
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

/// What every sample's record is laid out by, known before the run: the entries (the
/// multipliers' columns), the independent inputs, and the materials and parks of the cells.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleLayout {
    /// The entries' ids, in declaration order (the multipliers' columns).
    pub entries: Vec<String>,
    /// The independent inputs in draw order: a label (an ungrouped entry's id or a group's
    /// name) and its entries' indices.
    pub inputs: Vec<(String, Vec<usize>)>,
    /// The solid materials whose rates each sample keeps.
    pub materials: Vec<MaterialId>,
    /// The consolidated parks of each sample's cells.
    pub parks: Vec<ParkId>,
}

impl SampleLayout {
    /// The layout of `base`'s samples under `entries`.
    pub fn of(base: &Region, entries: &[Uncertain]) -> SampleLayout {
        SampleLayout {
            entries: entries.iter().map(|e| e.id.clone()).collect(),
            inputs: inputs(entries),
            materials: base
                .materials
                .iter()
                .enumerate()
                .filter(|(_, m)| m.class == crate::model::MaterialClass::Solid)
                .map(|(i, _)| MaterialId(i))
                .collect(),
            parks: (0..base.parks.len())
                .filter(|&i| base.parks[i].parent.is_none())
                .map(ParkId)
                .collect(),
        }
    }
}

/// A Monte Carlo run's statistics, without the samples' records.
#[derive(Debug, Clone, PartialEq)]
pub struct MonteCarloSummary {
    pub seed: u64,
    pub first_sample: u64,
    /// Samples solved.
    pub count: u64,
    /// The entries' ids, in declaration order (the multipliers' columns).
    pub entries: Vec<String>,
    /// The independent inputs in draw order: a label (an ungrouped entry's id or a group's
    /// name) and its entries' indices.
    pub inputs: Vec<(String, Vec<usize>)>,
    /// The solid materials whose rates each sample keeps.
    pub materials: Vec<MaterialId>,
    /// The consolidated parks of each sample's cells.
    pub parks: Vec<ParkId>,
    /// Samples with no allocation ([`SampleStatus::NoLegalFate`]).
    pub samples_infeasible: u64,
    /// Share of samples meeting the target (samples with no allocation do not).
    pub p_meet_target: f64,
    pub rate: Option<Stats>,
    pub strict_rate: Option<Stats>,
    /// Each solid material's statistics (all parks), in [`MonteCarloSummary::materials`] order.
    pub by_material: Vec<CellStats>,
    /// Each consolidated park's statistics (all solids), in [`MonteCarloSummary::parks`] order.
    pub by_park: Vec<CellStats>,
    /// The inputs by how much they move the target's rate (Spearman's ρ, by |ρ|).
    pub tornado: Vec<Sensitivity>,
    /// The target's rate in every sample where it is defined, in index order (the
    /// distribution chart).
    pub rates: Vec<f64>,
    /// The same under the strict rule.
    pub strict_rates: Vec<f64>,
}

/// A Monte Carlo run held in memory: its statistics (reached through `Deref`) and every
/// sample's record in index order.
#[derive(Debug, Clone, PartialEq)]
pub struct MonteCarlo {
    pub summary: MonteCarloSummary,
    pub samples: Vec<SampleResult>,
}

impl std::ops::Deref for MonteCarlo {
    type Target = MonteCarloSummary;
    fn deref(&self) -> &MonteCarloSummary {
        &self.summary
    }
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

/// A streamed run failed: a sample, or the sink.
#[derive(Debug, thiserror::Error)]
pub enum StreamError<E: std::error::Error + 'static> {
    #[error(transparent)]
    Sample(#[from] SampleError),
    #[error(transparent)]
    Sink(E),
    #[error("the Monte Carlo's statistics columns")]
    Columns(#[source] std::io::Error),
}

/// Samples `first .. first + n` of `base` under `entries` held in memory: [`monte_carlo_streamed`]
/// with a sink that keeps every record. `progress` is called with 1 after each sample.
pub fn monte_carlo(
    base: &Region,
    entries: &[Uncertain],
    seed: u64,
    first: u64,
    n: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<MonteCarlo, SampleError> {
    let mut samples = Vec::with_capacity(usize::try_from(n).unwrap_or(0).min(1 << 20));
    let mut keep = |w: Vec<SampleResult>| -> Result<(), std::convert::Infallible> {
        samples.extend(w);
        Ok(())
    };
    let mut columns = InMemory::default();
    let summary = match monte_carlo_streamed(
        base,
        entries,
        (seed, first, n),
        progress,
        &mut keep,
        &mut columns,
    ) {
        Ok(s) => s,
        Err(StreamError::Sample(e)) => return Err(e),
        Err(StreamError::Sink(never)) => match never {},
        Err(StreamError::Columns(e)) => unreachable!("columns in memory: {e}"),
    };
    Ok(MonteCarlo { summary, samples })
}

/// One worker's evaluator, sample region and figures, restored before each sample.
type Worker = (Evaluator, Region, Figures);

/// Samples `first .. first + n` of `base` under `entries` (`(seed, first, n)`), in windows of
/// [`WINDOW`] samples solved in parallel chunks (the current rayon pool) and gathered in index
/// order; `sink` receives each window in index order (while the next one is solved) and owns
/// it after. The statistics' per-sample columns go to `columns` ([`ColumnStore`]). Returns
/// the statistics; an error (of a sample, the sink or the store) stops the run.
pub fn monte_carlo_streamed<E: std::error::Error + Send + 'static>(
    base: &Region,
    entries: &[Uncertain],
    (seed, first, n): (u64, u64, u64),
    progress: &(dyn Fn(u64) + Sync),
    sink: &mut (dyn FnMut(Vec<SampleResult>) -> Result<(), E> + Send),
    store: &mut dyn ColumnStore,
) -> Result<MonteCarloSummary, StreamError<E>> {
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
    let layout = SampleLayout::of(base, entries);
    let (nm, np) = (layout.materials.len(), layout.parks.len());
    // One worker state per pool thread, kept across windows (a thread's chunks never nest, so
    // its slot is free; a busy slot falls back to a fresh copy).
    let slots: Vec<Mutex<Option<Worker>>> = (0..rayon::current_num_threads())
        .map(|_| Mutex::new(None))
        .collect();
    let solve_chunk = |w: &mut Worker, a: u64, b: u64| {
        let (ev, region, fig) = w;
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
                Ok(sample_result(k, m, status, fig, nm, np))
            })
            .collect::<Result<Vec<_>, SampleError>>()
    };
    let solve_window = |a: u64, b: u64| -> Result<Vec<SampleResult>, SampleError> {
        let chunks: Vec<(u64, u64)> = (a..b)
            .step_by(CHUNK as usize)
            .map(|c| (c, (c + CHUNK).min(b)))
            .collect();
        let per_chunk: Vec<Vec<SampleResult>> = chunks
            .par_iter()
            .map(|&(a, b)| {
                let slot = rayon::current_thread_index()
                    .and_then(|i| slots.get(i))
                    .and_then(|s| s.try_lock().ok());
                let fresh = || (warm.clone(), base.clone(), Figures::default());
                match slot {
                    Some(mut slot) => solve_chunk(slot.get_or_insert_with(fresh), a, b),
                    None => solve_chunk(&mut fresh(), a, b),
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(per_chunk.into_iter().flatten().collect())
    };
    let mut columns = Columns::new(&layout, entries.len(), n);
    // The window handed to the sink while the next one is solved.
    let mut ready: Option<Vec<SampleResult>> = None;
    let mut hand_over = |w: Vec<SampleResult>| {
        columns.push(&w, store).map_err(StreamError::Columns)?;
        sink(w).map_err(StreamError::Sink)
    };
    for w in 0..n.div_ceil(WINDOW) {
        let (a, b) = (first + w * WINDOW, first + ((w + 1) * WINDOW).min(n));
        let (sunk, solved) = match ready.take() {
            Some(prev) => rayon::join(|| hand_over(prev), || solve_window(a, b)),
            None => (Ok(()), solve_window(a, b)),
        };
        sunk?;
        ready = Some(solved?);
    }
    if let Some(last) = ready {
        hand_over(last)?;
    }
    let f = columns
        .finish(
            store,
            &layout.inputs,
            entries,
            (seed, first),
            base.target.rate,
        )
        .map_err(StreamError::Columns)?;
    Ok(MonteCarloSummary {
        seed,
        first_sample: first,
        count: f.samples,
        entries: layout.entries,
        inputs: layout.inputs,
        materials: layout.materials,
        parks: layout.parks,
        samples_infeasible: f.samples_infeasible,
        p_meet_target: f.p_meet_target,
        rate: f.rate,
        strict_rate: f.strict_rate,
        by_material: f.by_material,
        by_park: f.by_park,
        tornado: f.tornado,
        rates: f.rates,
        strict_rates: f.strict_rates,
    })
}
