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
mod monte_carlo;
mod plan;
mod summary;
mod tables;
mod terminal;
pub mod writer;

use crate::analysis::Results;
use crate::model::*;

pub use chart_data::{map_chart_data, routes_chart_data, utilisation_chart_data};
pub use format::round;
pub use manifest::manifest_json;
pub use markdown::report_md;
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
/// `monte_carlo` block and `samples.csv` follows it; every other file is the same bytes.
pub fn render_with_monte_carlo(
    region: &Region,
    r: &Results,
    mc: &crate::analysis::MonteCarlo,
) -> Result<Vec<OutputFile>, ReportError> {
    let mut files = render(region, r)?;
    let at = files
        .iter()
        .position(|f| f.path == "summary.json")
        .expect("render writes summary.json");
    files[at].bytes = summary_json_with_monte_carlo(region, r, mc)?;
    files.insert(
        at + 1,
        OutputFile {
            path: "samples.csv".into(),
            bytes: samples_csv(region, mc)?,
        },
    );
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
