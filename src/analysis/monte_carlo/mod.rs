//! The Monte Carlo over a region's `[[uncertain]]` entries (issue #13, first slice).
//!
//! Sample `k` draws one uniform per independent input (an ungrouped entry or a group) from a
//! `ChaCha8Rng` seeded with the run's seed on stream `k`, and each entry's multiplier is its
//! distribution's quantile at its input's uniform ([`crate::analysis::draw`]), so a sample depends only
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
//! ([`columns`]), and are reduced sequentially in index order at the end. The
//! in-memory [`monte_carlo`] is the same loop with a sink that keeps every record;
//! [`monte_carlo_each`] the same loop without statistics, each record shown to the caller and
//! dropped (`plan`'s: a few scalars kept per portfolio or per sample).
//!
//! The room: this file (the loop), [`types`] (records, layout, summaries, errors), [`stats`]
//! (the statistics) and [`columns`] (what the statistics keep while samples stream past).

pub mod columns;
pub mod stats;
mod types;

use crate::allocate::AllocConfig;
pub use crate::analysis::draw::multipliers;
use crate::analysis::draw::Draws;
use crate::analysis::{AnalysisError, Evaluator, Figures};
use crate::model::{Region, Uncertain};
use columns::{ColumnStore, Columns, InMemory};
use std::sync::Mutex;

pub use types::{
    MonteCarlo, MonteCarloSummary, SampleError, SampleLayout, SampleResult, SampleStatus,
    StreamError,
};

pub use stats::Stats;

/// Samples solved by one worker's evaluator before the next chunk is taken.
pub const CHUNK: u64 = 32;

/// Samples solved (in parallel chunks) before they are handed to the sink and dropped: the
/// records held at once are at most two windows (one handed over while the next is solved).
pub const WINDOW: u64 = 1024;

/// Sample `k`'s kept results: its figures. A sample with no legal fate was evaluated with
/// dumping allowed (see `docs/reports.md`, "Samples with no legal fate"): its figures are that
/// allocation's, and it never meets the target.
fn sample_result(k: u64, m: Vec<f64>, status: SampleStatus, fig: &Figures) -> SampleResult {
    SampleResult {
        index: k,
        multipliers: m,
        rate: fig.rate,
        strict_rate: fig.strict_rate,
        material_rates: fig.material_rates.clone(),
        cost: fig.cost,
        co2_avoided_t: fig.co2_avoided_t,
        co2_transport_t: fig.co2_transport_t,
        meets_target: fig.meets_target && status == SampleStatus::Ok,
        scope_generated: fig.scope_generated,
        scope_utilised: fig.scope_utilised,
        cells: fig.cells.clone(),
        status,
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

/// One worker's evaluator, sample region and figures, restored before each sample, and the
/// evaluator of its samples with no legal fate (dumping allowed), made when first needed.
type Worker = (Evaluator, Region, Figures, Option<Evaluator>);

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
    let layout = SampleLayout::of(base, entries);
    let mut columns = Columns::new(&layout, entries.len(), n);
    let mut hand_over = |w: Vec<SampleResult>| {
        columns.push(&w, store).map_err(StreamError::Columns)?;
        sink(w).map_err(StreamError::Sink)
    };
    solve_windows(base, entries, (seed, first, n), progress, &mut hand_over)?;
    columns
        .finish(store, layout, entries, (seed, first), base.target.rate)
        .map_err(StreamError::Columns)
}

/// Samples `first .. first + n` of `base` under `entries` (`(seed, first, n)`), each sample's
/// record shown to `each` in index order and then dropped: no statistics, nothing kept but
/// what `each` keeps (at most two windows of records are alive at once). `plan`'s path: its
/// evaluations and its bound keep a few scalars per portfolio or per sample, never records.
pub fn monte_carlo_each(
    base: &Region,
    entries: &[Uncertain],
    (seed, first, n): (u64, u64, u64),
    progress: &(dyn Fn(u64) + Sync),
    each: &mut (dyn FnMut(&SampleResult) + Send),
) -> Result<(), SampleError> {
    let mut hand_over = |w: Vec<SampleResult>| -> Result<(), SampleError> {
        w.iter().for_each(&mut *each);
        Ok(())
    };
    solve_windows(base, entries, (seed, first, n), progress, &mut hand_over)
}

/// The loop of [`monte_carlo_streamed`] and [`monte_carlo_each`]: windows of [`WINDOW`]
/// samples solved in parallel chunks, each handed to `hand_over` in index order while the
/// next one is solved. An error (of a sample, or of `hand_over`) stops the run.
fn solve_windows<E: From<SampleError> + Send>(
    base: &Region,
    entries: &[Uncertain],
    (seed, first, n): (u64, u64, u64),
    progress: &(dyn Fn(u64) + Sync),
    hand_over: &mut (dyn FnMut(Vec<SampleResult>) -> Result<(), E> + Send),
) -> Result<(), E> {
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
    // One worker state per pool thread, kept across windows (a thread's chunks never nest, so
    // its slot is free; a busy slot falls back to a fresh copy).
    let slots: Vec<Mutex<Option<Worker>>> = (0..rayon::current_num_threads())
        .map(|_| Mutex::new(None))
        .collect();
    let draws = Draws::new(entries);
    let solve_chunk = |w: &mut Worker, a: u64, b: u64| {
        let (ev, region, fig, relaxed) = w;
        (a..b)
            .map(|k| {
                let m = draws.multipliers(seed, k);
                sample_region(region, base, entries, &m);
                ev.restore_from(&warm);
                let status = match ev.figures(region, fig) {
                    Ok(()) => SampleStatus::Ok,
                    Err(AnalysisError::NoLegalFate(_)) => {
                        // The same sample with dumping allowed: the canonical optimum is
                        // unique, so whichever basis this evaluator kept gives the same.
                        region.policy.allow_dumping = true;
                        let r = relaxed
                            .get_or_insert_with(|| Evaluator::new(cfg))
                            .figures(region, fig);
                        region.policy.allow_dumping = false;
                        r.map_err(fail(k))?;
                        SampleStatus::NoLegalFate
                    }
                    Err(e) => return Err(fail(k)(e)),
                };
                progress(1);
                Ok(sample_result(k, m, status, fig))
            })
            .collect::<Result<Vec<_>, SampleError>>()
    };
    let solve_window = |a: u64, b: u64| -> Result<Vec<SampleResult>, SampleError> {
        let chunks: Vec<(u64, u64)> = (a..b)
            .step_by(CHUNK as usize)
            .map(|c| (c, c.saturating_add(CHUNK).min(b)))
            .collect();
        let per_chunk: Vec<Vec<SampleResult>> = chunks
            .par_iter()
            .map(|&(a, b)| {
                let slot = rayon::current_thread_index()
                    .and_then(|i| slots.get(i))
                    .and_then(|s| s.try_lock().ok());
                let fresh = || (warm.clone(), base.clone(), Figures::default(), None);
                match slot {
                    Some(mut slot) => solve_chunk(slot.get_or_insert_with(fresh), a, b),
                    None => solve_chunk(&mut fresh(), a, b),
                }
            })
            .collect::<Result<_, _>>()?;
        let solved: Vec<SampleResult> = per_chunk.into_iter().flatten().collect();
        // Never a sample dropped: the window holds every index of a..b, in order.
        assert!(
            solved.len() as u64 == b - a && solved.iter().zip(a..b).all(|(s, k)| s.index == k),
            "window {a}..{b} solved {} samples",
            solved.len()
        );
        Ok(solved)
    };
    // The window handed over while the next one is solved.
    let mut ready: Option<Vec<SampleResult>> = None;
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
    Ok(())
}
