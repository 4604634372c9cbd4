//! `run --samples`: the Monte Carlo streamed into the output's temporary folder — each
//! window's rows of the per-sample files ([`report::STREAMED`]) encoded by `report` and
//! appended through [`writer::Appender`]s, the statistics' columns kept in scratch files of
//! the same folder ([`writer::Scratch`]) rather than in memory.

use std::time::Instant;
use symbiosim::analysis::{self, ColumnStore};
use symbiosim::model::{Region, Uncertain};
use symbiosim::report::{self, writer};

/// Why writing the Monte Carlo's rows stopped the run.
#[derive(Debug, thiserror::Error)]
enum SinkError {
    #[error(transparent)]
    Write(#[from] writer::WriteError),
    #[error(transparent)]
    Report(#[from] report::ReportError),
    #[error("test: failure injected at sample {0} (SYMBIOSIM_TEST_FAIL_AT_SAMPLE)")]
    Injected(u64),
}

/// The statistics' columns in scratch files, as little-endian `f64`.
struct DiskColumns(writer::Scratch);

impl ColumnStore for DiskColumns {
    fn append(&mut self, c: usize, values: &[f64]) -> std::io::Result<()> {
        let bytes: Vec<u8> = values.iter().flat_map(|x| x.to_le_bytes()).collect();
        self.0.append(c, &bytes)
    }
    fn take(&mut self, c: usize) -> std::io::Result<Vec<f64>> {
        let bytes = self.0.take(c)?;
        Ok(bytes
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
            .collect())
    }
}

/// The most bytes a Monte Carlo of samples `first .. first + n` of `region` puts on the
/// output's file system as it goes: its per-sample files ([`report::streamed_bytes_bound`])
/// and, at the same time, the statistics' scratch columns (8 bytes a sample each,
/// [`analysis::store_columns`]). Saturates at `u64::MAX`.
pub(super) fn disk_bound(
    region: &Region,
    entries: &[Uncertain],
    (first, n): (u64, u64),
) -> anyhow::Result<u64> {
    let layout = analysis::SampleLayout::of(region, entries);
    let files = report::streamed_bytes_bound(region, &layout, entries, (first, n))?;
    let scratch = 8u64
        .saturating_mul(analysis::store_columns(&layout))
        .saturating_mul(n);
    Ok(files.saturating_add(scratch))
}

/// `bytes` in decimal units, three significant figures (`4.40 TB`, `512 B`).
fn human(bytes: u64) -> String {
    let mut x = bytes as f64;
    let mut unit = 0;
    const UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    while x >= 1000.0 && unit + 1 < UNITS.len() {
        x /= 1000.0;
        unit += 1;
    }
    match unit {
        0 => format!("{bytes} B"),
        _ if x >= 100.0 => format!("{x:.0} {}", UNITS[unit]),
        _ if x >= 10.0 => format!("{x:.1} {}", UNITS[unit]),
        _ => format!("{x:.2} {}", UNITS[unit]),
    }
}

/// Refuses, before anything is written or solved, a Monte Carlo of samples `first .. first +
/// n` whose [`disk_bound`] exceeds the free space of the file system that will hold `out`'s
/// temporary folder. Where the free space cannot be read (no `statvfs`, or it fails), the run
/// goes ahead: `prepare` reports an unusable folder itself.
pub(super) fn check_space(
    out: &std::path::Path,
    region: &Region,
    entries: &[Uncertain],
    (first, n): (u64, u64),
) -> anyhow::Result<()> {
    let need = disk_bound(region, entries, (first, n))?;
    let Ok(Some((folder, mut free))) = writer::free_space(out) else {
        return Ok(());
    };
    // For the tests only: the free bytes the file system is taken to have.
    if let Some(fake) = std::env::var("SYMBIOSIM_TEST_FREE_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        free = fake;
    }
    if need > free {
        anyhow::bail!(
            "--samples {n}: the per-sample files and the statistics' scratch columns need up to \
             {} ({need} bytes) on the file system of {}, which has {} ({free} bytes) free; \
             nothing written (free some space, solve fewer samples at a time with --first-sample, \
             or choose --out on another file system; --no-space-check skips this check)",
            human(need),
            folder.display(),
            human(free),
        );
    }
    Ok(())
}

/// The Monte Carlo `(n, seed, first)` of `region`, its per-sample files appended window by
/// window into the output's temporary folder while the samples are solved. Returns the
/// statistics, the streamed files' manifest entries and the seconds spent encoding and
/// appending rows (mostly while the next window was solved).
pub(super) fn monte_carlo(
    prepared: &writer::Prepared,
    region: &Region,
    entries: &[Uncertain],
    (n, seed, first): (u64, u64, u64),
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<(analysis::MonteCarloSummary, Vec<report::ManifestEntry>, f64)> {
    let layout = analysis::SampleLayout::of(region, entries);
    let heads = report::streamed_heads(region, &layout, n)?;
    let mut files = Vec::new();
    for (path, head) in report::STREAMED.iter().zip(&heads) {
        let mut f = prepared.append(path)?;
        f.write(head)?;
        files.push(f);
    }
    // For the output-safety tests only: a failure while writing the window holding sample k.
    let fail_at: Option<u64> = std::env::var("SYMBIOSIM_TEST_FAIL_AT_SAMPLE")
        .ok()
        .and_then(|v| v.parse().ok());
    let mut writing = 0.0;
    let mut sink = |w: Vec<analysis::SampleResult>| -> Result<(), SinkError> {
        let t = Instant::now();
        if let Some(k) = fail_at.filter(|&k| w.iter().any(|s| s.index == k)) {
            return Err(SinkError::Injected(k));
        }
        let rows = report::streamed_rows(&layout, &w)?;
        drop(w);
        for (f, r) in files.iter_mut().zip(&rows) {
            f.write(r)?;
        }
        writing += t.elapsed().as_secs_f64();
        Ok(())
    };
    let mut columns = DiskColumns(prepared.scratch("columns")?);
    let summary = analysis::monte_carlo_streamed(
        region,
        entries,
        (seed, first, n),
        &|k| bar.inc(k),
        &mut sink,
        &mut columns,
    )?;
    // The scratch folder goes before the output is committed.
    drop(columns);
    let t = Instant::now();
    let streamed = files
        .into_iter()
        .map(writer::Appender::finish)
        .collect::<Result<_, _>>()?;
    Ok((summary, streamed, writing + t.elapsed().as_secs_f64()))
}
