//! `report`: results → bytes (JSON, CSV, Markdown, charts). Pure functions; the only code that
//! touches the disk is [`writer`].
//!
//! One file per output concern: `summary` (`summary.json`), `tables` (the CSV tables),
//! `markdown` (`report.md`), `terminal` (the terminal summary), `chart_data` (chart inputs from
//! results), [`charts`] (rendering), `manifest` (`manifest.json`), `plan` (the outputs of `plan`); every number printed as text
//! goes through [`format`].

mod chart_data;
pub mod charts;
pub mod format;
mod manifest;
mod markdown;
mod mc_arrays;
mod monte_carlo;
mod plan;
mod summary;
mod tables;
mod terminal;
pub mod writer;

use crate::analysis::Results;
use crate::model::*;

pub use chart_data::{
    distribution_chart_data, map_chart_data, routes_chart_data, tornado_chart_data,
    utilisation_chart_data,
};
pub use format::round;
pub use manifest::manifest_json;
pub use markdown::report_md;
pub use mc_arrays::{
    samples_axes_json, samples_balance_npy, samples_rate_npy, samples_strict_rate_npy, tornado_csv,
    BALANCE_AXIS,
};
pub use monte_carlo::{samples_csv, summary_json_with_monte_carlo, terminal_monte_carlo};
pub use plan::{plan_chart_data, plan_csv, plan_files, plan_json, terminal_plan};
pub use summary::summary_json;
pub use tables::{consumers_csv, flows_csv, producers_csv, utilisation_csv};
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
    const FILES: [&str; 12] = [
        "summary.json",
        "flows.csv",
        "utilisation.csv",
        "consumers.csv",
        "producers.csv",
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

/// [`render`] for a run with a Monte Carlo (`run --samples`): `summary.json` gains the
/// `monte_carlo` block, followed by `samples.csv`, `tornado.csv`, the sample arrays
/// (`.npy` and `samples_axes.json`) and the distribution and tornado charts; every other
/// file is the same bytes.
pub fn render_with_monte_carlo(
    region: &Region,
    r: &Results,
    mc: &crate::analysis::MonteCarlo,
) -> Result<Vec<OutputFile>, ReportError> {
    use rayon::prelude::*;
    let mut files = render(region, r)?;
    let at = files
        .iter()
        .position(|f| f.path == "summary.json")
        .expect("render writes summary.json");
    files[at].bytes = summary_json_with_monte_carlo(region, r, mc)?;
    let dc = chart_data::distribution_chart_data(region, r, mc);
    let tc = chart_data::tornado_chart_data(region, mc);
    // After summary.json, in this order (rendered in parallel, gathered in order).
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
    let extra: Vec<OutputFile> = MC_FILES
        .par_iter()
        .map(|&path| {
            let bytes = match path {
                "samples.csv" => samples_csv(region, mc)?,
                "tornado.csv" => mc_arrays::tornado_csv(mc)?,
                "samples_axes.json" => mc_arrays::samples_axes_json(region, mc)?,
                "samples_rate.npy" => mc_arrays::samples_rate_npy(mc)?,
                "samples_strict_rate.npy" => mc_arrays::samples_strict_rate_npy(mc)?,
                "samples_balance.npy" => mc_arrays::samples_balance_npy(mc)?,
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
