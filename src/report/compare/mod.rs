//! The outputs of `compare`: `comparison.csv` (one row per strategy), `comparison.json` (the
//! same with every material's rate and range and every landfill), `comparison_materials.csv`
//! and `comparison_landfills.csv` (long tables), `inputs_diff.csv` (what each strategy
//! changes), `comparison.png` (rendered by `charts`), and the terminal table.

//!
//! The room: this file (labels, the helpers the outputs share, the list of files), `tables`
//! (the CSV files), `json` (`comparison.json`), `terminal` (the terminal table).

mod json;
mod tables;
mod terminal;

pub use json::comparison_json;
pub use tables::{
    comparison_csv, comparison_landfills_csv, comparison_materials_csv, inputs_diff_csv,
};
pub use terminal::terminal_compare;

use super::tables::csv_table;
use super::{OutputFile, ReportError};
use crate::analysis::compare::{Answer, Money, Paired, Row, Uncertainty};
use crate::analysis::RateRange;
use crate::model::{MaterialClass, Objective, Region};
use crate::report::format::{csv_number as num, csv_rate, percent_summary, yuan as yuan_text};
use crate::report::{hydrogen_kg, measures};
use serde::Serialize;

/// A strategy as the outputs label it, in the rows' order (the base first).
#[derive(Debug, Clone)]
pub struct Labelled<'a> {
    pub id: &'a str,
    pub title: &'a str,
    /// What the strategy tests (`[strategy] description`; empty for the base).
    pub description: &'a str,
    /// The strategy's file (the base's scenario file for the base).
    pub file: &'a str,
    pub region: &'a Region,
}

/// One value a strategy changes (`inputs_diff.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputChange {
    pub strategy: String,
    pub path: String,
    /// The base's value; `None`: the default (or a CSV cell, `in_table`).
    pub base: Option<String>,
    pub in_table: bool,
    pub value: String,
    pub origin: String,
}

const OBJECTIVES: [(&str, Objective); 2] = [
    ("least_cost", Objective::Cost),
    ("technical_potential", Objective::MaxUtilisation),
];

/// Resource cost per extra counted unit in the target's scope against the base (yuan/t);
/// `None` when the strategy counts no more than the base.
fn per_extra(a: &Answer, base: Option<&Answer>) -> Option<f64> {
    let b = base?;
    let extra = a.results.target.scope_utilised - b.results.target.scope_utilised;
    (extra > 0.0).then(|| (a.money.resource - b.money.resource) / extra)
}

/// The status cell: `ok`, or why the strategy or its Monte Carlo failed.
fn status(row: &Row) -> String {
    match (&row.answers, &row.uncertainty) {
        (Err(e), _) => format!("failed: {e}"),
        (Ok(_), Some(Err(e))) => format!("monte carlo failed: {e}"),
        (Ok(_), Some(Ok(u))) => match &u.unpaired {
            Some(why) => format!("ok; not paired with the base: {why}"),
            None => "ok".into(),
        },
        _ => "ok".into(),
    }
}

/// Every file of `compare` (the manifest aside), in a fixed order.
pub fn comparison_files(
    labels: &[Labelled<'_>],
    rows: &[Row],
    changes: &[InputChange],
) -> Result<Vec<OutputFile>, ReportError> {
    Ok(vec![
        OutputFile {
            path: "comparison.csv".into(),
            bytes: comparison_csv(labels, rows)?,
        },
        OutputFile {
            path: "comparison.json".into(),
            bytes: comparison_json(labels, rows)?,
        },
        OutputFile {
            path: "comparison_materials.csv".into(),
            bytes: comparison_materials_csv(labels, rows)?,
        },
        OutputFile {
            path: "comparison_landfills.csv".into(),
            bytes: comparison_landfills_csv(labels, rows)?,
        },
        OutputFile {
            path: "inputs_diff.csv".into(),
            bytes: inputs_diff_csv(changes)?,
        },
        OutputFile {
            path: "comparison.png".into(),
            bytes: crate::report::charts::comparison_png(&crate::report::comparison_chart_data(
                labels, rows,
            ))?,
        },
    ])
}
