//! The Monte Carlo's array labels and sensitivity table: `samples_axes.json` (the labels of
//! the axes of `samples_rate.npy`, `samples_strict_rate.npy` and `samples_balance.npy`, which
//! [`super::mc_stream`] writes; `.npy` has none) and `tornado.csv`. Pure: results → bytes.

use super::format::{csv_number, csv_rate};
use super::mc_stream::BALANCE_AXIS;
use super::ReportError;
use crate::analysis::MonteCarloSummary;
use crate::model::Region;
use serde::Serialize;

#[derive(Serialize)]
struct Axes<'a> {
    files: [&'static str; 3],
    dtype: &'static str,
    order: &'static str,
    /// Shape of the rate arrays; `samples_balance.npy` has one more axis of 4.
    shape: [usize; 3],
    axes: [&'static str; 3],
    first_sample: u64,
    samples: usize,
    material: Vec<&'a str>,
    material_unit: Vec<String>,
    park: Vec<&'a str>,
    balance: [&'static str; 4],
    rule: &'a str,
    undefined: &'static str,
}

/// `samples_axes.json`: the labels of the arrays' axes.
pub fn samples_axes_json(region: &Region, mc: &MonteCarloSummary) -> Result<Vec<u8>, ReportError> {
    let axes = Axes {
        files: [
            "samples_rate.npy",
            "samples_strict_rate.npy",
            "samples_balance.npy",
        ],
        dtype: "<f8",
        order: "C",
        shape: [mc.count as usize, mc.materials.len(), mc.parks.len()],
        axes: ["sample", "material", "park"],
        first_sample: mc.first_sample,
        samples: mc.count as usize,
        material: mc
            .materials
            .iter()
            .map(|m| region.materials[m.0].id.as_str())
            .collect(),
        material_unit: mc
            .materials
            .iter()
            .map(|m| format!("{}/yr", region.materials[m.0].unit))
            .collect(),
        park: mc
            .parks
            .iter()
            .map(|p| region.parks[p.0].id.as_str())
            .collect(),
        balance: BALANCE_AXIS,
        rule: &region.target.accounting.rule,
        undefined: "NaN (nothing generated or drawn in the cell)",
    };
    let mut out = serde_json::to_vec_pretty(&axes)?;
    out.push(b'\n');
    Ok(out)
}

/// `tornado.csv`: each independent input (an ungrouped entry or a group) by |Spearman ρ|
/// with the target's rate — rank, input, its entries, ρ under the scenario's rule and under
/// the strict rule, with having no legal fate (1, else 0; over every sample; empty when no
/// sample or every sample had none), and the samples where the rate is defined.
pub fn tornado_csv(mc: &MonteCarloSummary) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "rank",
        "input",
        "entries",
        "spearman_rho",
        "spearman_rho_strict",
        "spearman_rho_no_legal_fate",
        "samples",
    ])?;
    for (k, t) in mc.tornado.iter().enumerate() {
        let entries: Vec<&str> = t.entries.iter().map(|&j| mc.entries[j].as_str()).collect();
        w.write_record([
            (k + 1).to_string(),
            t.input.clone(),
            entries.join(" "),
            csv_rate(t.rho),
            csv_rate(t.rho_strict),
            csv_rate(t.rho_no_legal_fate),
            csv_number(t.n as f64, 0),
        ])?;
    }
    w.into_inner()
        .map_err(|e| ReportError::Csv(csv::Error::from(e.into_error())))
}
