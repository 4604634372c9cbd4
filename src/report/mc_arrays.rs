//! The Monte Carlo's arrays and sensitivity table: `samples_rate.npy`,
//! `samples_strict_rate.npy` and `samples_balance.npy` (sample × solid material × consolidated
//! park, little-endian `f64`, C order, written by `ndarray-npy`), their labels in
//! `samples_axes.json` (`.npy` has none), and `tornado.csv`. Pure: results → bytes.

use super::format::{csv_number, csv_rate};
use super::ReportError;
use crate::analysis::{Balance, MonteCarlo};
use crate::model::Region;
use ndarray::{Array3, Array4};
use ndarray_npy::WriteNpyExt;
use serde::Serialize;

/// The quantities of `samples_balance.npy`'s last axis, in order.
pub const BALANCE_AXIS: [&str; 4] = [
    "utilised",
    "denominator",
    "strict_utilised",
    "strict_denominator",
];

fn balance_values(b: &Balance) -> [f64; 4] {
    [
        b.utilised(),
        b.generated + b.stockpile_drawn,
        b.strict_new + b.strict_stock,
        b.generated + b.strict_stock,
    ]
}

fn npy<A: WriteNpyExt>(a: &A) -> Result<Vec<u8>, ReportError> {
    let mut out = Vec::new();
    a.write_npy(&mut out)
        .map_err(|e| ReportError::Npy(e.to_string()))?;
    Ok(out)
}

/// The (samples, materials, parks) array of `f(cell)`, NaN where it is undefined.
pub fn cell_array(mc: &MonteCarlo, f: impl Fn(&Balance) -> Option<f64>) -> Array3<f64> {
    let (nm, np) = (mc.materials.len(), mc.parks.len());
    Array3::from_shape_fn((mc.samples.len(), nm, np), |(s, m, p)| {
        f(&mc.samples[s].cells[p * nm + m]).unwrap_or(f64::NAN)
    })
}

/// `samples_rate.npy`: each cell's rate under the scenario's accounting rule.
pub fn samples_rate_npy(mc: &MonteCarlo) -> Result<Vec<u8>, ReportError> {
    npy(&cell_array(mc, Balance::rate))
}

/// `samples_strict_rate.npy`: each cell's rate under the strict rule.
pub fn samples_strict_rate_npy(mc: &MonteCarlo) -> Result<Vec<u8>, ReportError> {
    npy(&cell_array(mc, Balance::strict_rate))
}

/// `samples_balance.npy`: (samples, materials, parks, 4) of [`BALANCE_AXIS`], in the
/// material's unit per year, so that rates of any aggregate can be recomputed.
pub fn samples_balance_npy(mc: &MonteCarlo) -> Result<Vec<u8>, ReportError> {
    let (nm, np) = (mc.materials.len(), mc.parks.len());
    let a = Array4::from_shape_fn((mc.samples.len(), nm, np, 4), |(s, m, p, q)| {
        balance_values(&mc.samples[s].cells[p * nm + m])[q]
    });
    npy(&a)
}

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
pub fn samples_axes_json(region: &Region, mc: &MonteCarlo) -> Result<Vec<u8>, ReportError> {
    let axes = Axes {
        files: [
            "samples_rate.npy",
            "samples_strict_rate.npy",
            "samples_balance.npy",
        ],
        dtype: "<f8",
        order: "C",
        shape: [mc.samples.len(), mc.materials.len(), mc.parks.len()],
        axes: ["sample", "material", "park"],
        first_sample: mc.first_sample,
        samples: mc.samples.len(),
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
/// the strict rule, and the samples where the rate is defined.
pub fn tornado_csv(mc: &MonteCarlo) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "rank",
        "input",
        "entries",
        "spearman_rho",
        "spearman_rho_strict",
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
            csv_number(t.n as f64, 0),
        ])?;
    }
    w.into_inner()
        .map_err(|e| ReportError::Csv(csv::Error::from(e.into_error())))
}
