//! `report`: results → bytes (JSON, CSV, Markdown, charts). Pure functions; the only code that
//! touches the disk is [`writer`].
//!
//! One file per output concern: `summary` (`summary.json`), `tables` (the CSV tables),
//! `markdown` (`report.md`), `terminal` (the terminal summary), `chart_data` (chart inputs from
//! results), [`charts`] (rendering), `manifest` (`manifest.json`), `plan` (the outputs of `plan`); every number printed as text
//! goes through [`format`].

mod chart_data;
pub mod charts;
pub mod compare;
pub mod format;
mod manifest;
mod markdown;
mod mc_arrays;
mod mc_stream;
mod monte_carlo;
pub mod path;
mod plan;
mod summary;
mod tables;
mod terminal;
pub mod writer;

use crate::analysis::Results;
use crate::model::*;

pub use chart_data::{
    comparison_chart_data, distribution_chart_data, map_chart_data, routes_chart_data,
    tornado_chart_data, utilisation_chart_data,
};
pub use format::round;
pub use manifest::{manifest_json, manifest_json_entries, ManifestEntry};
pub use markdown::report_md;
pub use mc_arrays::{samples_axes_json, tornado_csv};
pub use mc_stream::{
    npy_header, streamed_bytes_bound, streamed_heads, streamed_rows, BALANCE_AXIS, STREAMED,
};
pub use monte_carlo::{summary_json_with_monte_carlo, terminal_monte_carlo};
pub use plan::{
    plan_chart_data, plan_cost_curve_csv, plan_csv, plan_files, plan_json, terminal_plan,
};
pub use summary::summary_json;
pub use tables::{consumers_csv, flows_csv, landfills_csv, producers_csv, utilisation_csv};
pub use terminal::terminal_summary;

/// One output file: path relative to the output folder, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Errors of the report layer.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("chart: {0}")]
    Chart(#[from] charts::ChartError),
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("npy: {0}")]
    Npy(String),
}

/// Every deterministic output of a run (everything but the manifest).
pub fn render(region: &Region, r: &Results) -> Result<Vec<OutputFile>, ReportError> {
    use rayon::prelude::*;
    let uc = utilisation_chart_data(region, r);
    let rc = routes_chart_data(region, r);
    let mc = map_chart_data(region, r);
    // Rendered in parallel (the charts dominate), gathered in this fixed order.
    const FILES: [&str; 13] = [
        "summary.json",
        "flows.csv",
        "utilisation.csv",
        "consumers.csv",
        "producers.csv",
        "landfills.csv",
        "report.md",
        "charts/utilisation.png",
        "charts/utilisation.svg",
        "charts/routes.png",
        "charts/routes.svg",
        "charts/map.png",
        "charts/map.svg",
    ];
    FILES
        .par_iter()
        .map(|&path| {
            let bytes = match path {
                "summary.json" => summary_json(region, r)?,
                "flows.csv" => flows_csv(region, r)?,
                "utilisation.csv" => utilisation_csv(region, r)?,
                "consumers.csv" => consumers_csv(region, r)?,
                "producers.csv" => producers_csv(region, r)?,
                "landfills.csv" => landfills_csv(region, r)?,
                "report.md" => report_md(region, r).into_bytes(),
                "charts/utilisation.png" => charts::utilisation_png(&uc)?,
                "charts/utilisation.svg" => charts::utilisation_svg(&uc)?.into_bytes(),
                "charts/routes.png" => charts::routes_png(&rc)?,
                "charts/routes.svg" => charts::routes_svg(&rc)?.into_bytes(),
                "charts/map.png" => charts::map_png(&mc)?,
                _ => charts::map_svg(&mc)?.into_bytes(),
            };
            Ok(OutputFile {
                path: path.to_string(),
                bytes,
            })
        })
        .collect()
}

/// The Monte Carlo's files after `summary.json`, in output order; the [`STREAMED`] ones are
/// written row by row as the run goes ([`streamed_heads`], [`streamed_rows`]).
const MC_FILES: [&str; 10] = [
    "samples.csv",
    "tornado.csv",
    "samples_axes.json",
    "samples_rate.npy",
    "samples_strict_rate.npy",
    "samples_balance.npy",
    "charts/rate_distribution.png",
    "charts/rate_distribution.svg",
    "charts/tornado.png",
    "charts/tornado.svg",
];

/// A file's place in a run's outputs: [`render`]'s order with the Monte Carlo's files after
/// `summary.json` (the manifest lists files in this order).
pub fn output_rank(path: &str) -> usize {
    match MC_FILES.iter().position(|&f| f == path) {
        Some(i) => 1 + i,
        None if path == "summary.json" => 0,
        None => 1 + MC_FILES.len(),
    }
}

/// [`render`] for a run with a Monte Carlo (`run --samples`), but for the [`STREAMED`] files:
/// `summary.json` gains the `monte_carlo` block, followed by `tornado.csv`,
/// `samples_axes.json` and the distribution and tornado charts; every other file is the same
/// bytes.
pub fn render_monte_carlo(
    region: &Region,
    r: &Results,
    mc: &crate::analysis::MonteCarloSummary,
) -> Result<Vec<OutputFile>, ReportError> {
    use rayon::prelude::*;
    let mut files = render(region, r)?;
    let at = files
        .iter()
        .position(|f| f.path == "summary.json")
        .expect("render writes summary.json");
    files[at].bytes = summary_json_with_monte_carlo(region, r, mc)?;
    // report.md gains the Monte Carlo section.
    if let Some(md) = files.iter_mut().find(|f| f.path == "report.md") {
        md.bytes
            .extend_from_slice(monte_carlo::markdown_monte_carlo(region, mc).as_bytes());
    }
    let dc = chart_data::distribution_chart_data(region, r, mc);
    let tc = chart_data::tornado_chart_data(region, mc);
    // Rendered in parallel, gathered in order.
    let extra: Vec<OutputFile> = MC_FILES
        .par_iter()
        .filter(|p| !STREAMED.contains(p))
        .map(|&path| {
            let bytes = match path {
                "tornado.csv" => mc_arrays::tornado_csv(mc)?,
                "samples_axes.json" => mc_arrays::samples_axes_json(region, mc)?,
                "charts/rate_distribution.png" => charts::distribution_png(&dc)?,
                "charts/rate_distribution.svg" => charts::distribution_svg(&dc)?.into_bytes(),
                "charts/tornado.png" => charts::tornado_png(&tc)?,
                _ => charts::tornado_svg(&tc)?.into_bytes(),
            };
            Ok(OutputFile {
                path: path.to_string(),
                bytes,
            })
        })
        .collect::<Result<_, ReportError>>()?;
    files.splice(at + 1..at + 1, extra);
    Ok(files)
}

/// Every output of a Monte Carlo run held in memory: [`render_monte_carlo`] and the
/// [`STREAMED`] files (each its head and the rows of every sample), in output order — the same
/// bytes as a run that streams them.
pub fn render_with_monte_carlo(
    region: &Region,
    r: &Results,
    mc: &crate::analysis::MonteCarlo,
) -> Result<Vec<OutputFile>, ReportError> {
    let mut files = render_monte_carlo(region, r, mc)?;
    let heads = streamed_heads(region, &layout_of(mc), mc.count)?;
    let rows = streamed_rows(&layout_of(mc), &mc.samples)?;
    for ((path, mut head), rows) in STREAMED.iter().zip(heads).zip(rows) {
        head.extend(rows);
        files.push(OutputFile {
            path: path.to_string(),
            bytes: head,
        });
    }
    files.sort_by_key(|f| output_rank(&f.path));
    Ok(files)
}

fn layout_of(mc: &crate::analysis::MonteCarloSummary) -> crate::analysis::SampleLayout {
    crate::analysis::SampleLayout {
        entries: mc.entries.clone(),
        inputs: mc.inputs.clone(),
        materials: mc.materials.clone(),
        parks: mc.parks.clone(),
    }
}

/// Facts about a run that are not results: the only output allowed to carry timings.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    pub version: String,
    pub command: Vec<String>,
    pub scenario_files: Vec<String>,
    pub scenario_hash: String,
    pub threads: usize,
    /// (stage, seconds)
    pub timings: Vec<(String, f64)>,
    /// (solve phase, pivots): implementation details, kept out of the results.
    pub pivots: Vec<(String, u64)>,
}

/// Hydrogen utilised, kg per year (materials measured in kg; never in the solids rate).
fn hydrogen_kg(region: &Region, r: &Results) -> f64 {
    r.hydrogen
        .iter()
        .filter(|(m, _)| region.materials[m.0].unit == "kg")
        .map(|(_, b)| b.utilised())
        .sum()
}

/// The ids of the measures `region` applies, `;`-separated (a CSV cell).
fn measures(region: &Region) -> String {
    region
        .candidates
        .applied()
        .map(|c| c.id.as_str())
        .collect::<Vec<_>>()
        .join(";")
}
