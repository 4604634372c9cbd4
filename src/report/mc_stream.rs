//! The Monte Carlo's per-sample files, encoded a window of samples at a time so that a run
//! can append them while it goes: `samples.csv` and the three `.npy` arrays. Each file is its
//! head (known before the run: the CSV header row; the `.npy` header, whose shape counts the
//! samples to come) followed by the rows of every window in index order; a window's rows do
//! not depend on any other window, so the concatenation is the same bytes as the whole file
//! rendered at once ([`super::render_with_monte_carlo`] builds it that way too). Pure:
//! results → bytes.

use super::format::{csv_number, csv_rate};
use super::ReportError;
use crate::analysis::monte_carlo::SampleStatus;
use crate::analysis::{Balance, SampleLayout, SampleResult};
use crate::model::{Region, Uncertain};

/// The files written row by row, in output order.
pub const STREAMED: [&str; 4] = [
    "samples.csv",
    "samples_rate.npy",
    "samples_strict_rate.npy",
    "samples_balance.npy",
];

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

/// The `.npy` header (format 1.0, or 2.0 when the header needs it) of a little-endian `f64`
/// C-order array of `shape`, written as `ndarray-npy` writes it (a test compares them): the
/// magic string, the version, the header's length, the metadata dictionary padded with
/// spaces and a newline to a multiple of 64 bytes.
pub fn npy_header(shape: &[usize]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let tuple = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let dict = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {tuple}}}");
    // The total rounded up to the next multiple of 64 (a whole 64 when already one).
    let total = |prefix: usize| (prefix + dict.len() + 1) / 64 * 64 + 64;
    let (prefix, wide) = match total(10) - 10 <= u16::MAX as usize {
        true => (10, false),
        false => (12, true),
    };
    let total = total(prefix);
    let len = total - prefix;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(b"\x93NUMPY");
    if wide {
        out.extend_from_slice(&[2, 0]);
        out.extend_from_slice(&(len as u32).to_le_bytes());
    } else {
        out.extend_from_slice(&[1, 0]);
        out.extend_from_slice(&(len as u16).to_le_bytes());
    }
    out.extend_from_slice(dict.as_bytes());
    out.resize(total - 1, b' ');
    out.push(b'\n');
    out
}

/// The header row of `samples.csv`.
fn csv_head(region: &Region, layout: &SampleLayout) -> Result<Vec<u8>, ReportError> {
    let mut header = vec!["sample".to_string()];
    header.extend(layout.entries.iter().map(|id| format!("m_{id}")));
    header.push("utilisation_rate".into());
    header.push("strict_utilisation_rate".into());
    header.extend(
        layout
            .materials
            .iter()
            .map(|m| format!("rate_{}", region.materials[m.0].id)),
    );
    for h in [
        "net_cost_yuan",
        "co2_avoided_t",
        "co2_transport_t",
        "meets_target",
        "status",
    ] {
        header.push(h.into());
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header)?;
    into_bytes(w)
}

fn into_bytes(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, ReportError> {
    w.into_inner()
        .map_err(|e| ReportError::Csv(csv::Error::from(e.into_error())))
}

/// `samples.csv`'s rows of `samples`: the index, each uncertain entry's multiplier
/// (`m_<id>`), the target's rate under its rule and strict, each solid material's rate
/// (`rate_<id>`), net cost, CO2 avoided and CO2 of transport, whether it meets the target,
/// and its status (`ok`, or `no_legal_fate`: no allocation, empty figures).
fn csv_rows(samples: &[SampleResult]) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for s in samples {
        let mut row = vec![s.index.to_string()];
        row.extend(s.multipliers.iter().map(|&m| csv_number(m, 9)));
        row.push(csv_rate(s.rate));
        row.push(csv_rate(s.strict_rate));
        row.extend(s.material_rates.iter().map(|&r| csv_rate(r)));
        // A sample with no allocation has no money or CO2: empty cells.
        let ok = s.status == SampleStatus::Ok;
        let cell = |x: f64, d| if ok { csv_number(x, d) } else { String::new() };
        row.push(cell(s.cost, 2));
        row.push(cell(s.co2_avoided_t, 3));
        row.push(cell(s.co2_transport_t, 3));
        row.push(s.meets_target.to_string());
        row.push(s.status.as_str().into());
        w.write_record(&row)?;
    }
    into_bytes(w)
}

/// The (material, park) values `f(cell)` of each sample, NaN where undefined, C order.
fn cell_rows(
    layout: &SampleLayout,
    samples: &[SampleResult],
    f: impl Fn(&Balance) -> Option<f64>,
) -> Vec<u8> {
    let (nm, np) = (layout.materials.len(), layout.parks.len());
    let mut out = Vec::with_capacity(samples.len() * nm * np * 8);
    for s in samples {
        for m in 0..nm {
            for p in 0..np {
                let x = f(&s.cells[p * nm + m]).unwrap_or(f64::NAN);
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
    }
    out
}

/// `samples_balance.npy`'s rows: (material, park, [`BALANCE_AXIS`]) of each sample.
fn balance_rows(layout: &SampleLayout, samples: &[SampleResult]) -> Vec<u8> {
    let (nm, np) = (layout.materials.len(), layout.parks.len());
    let mut out = Vec::with_capacity(samples.len() * nm * np * 32);
    for s in samples {
        for m in 0..nm {
            for p in 0..np {
                for x in balance_values(&s.cells[p * nm + m]) {
                    out.extend_from_slice(&x.to_le_bytes());
                }
            }
        }
    }
    out
}

/// The heads of the [`STREAMED`] files, in that order, for a run of `samples` samples.
pub fn streamed_heads(
    region: &Region,
    layout: &SampleLayout,
    samples: u64,
) -> Result<[Vec<u8>; 4], ReportError> {
    let (n, nm, np) = (
        usize::try_from(samples).map_err(|_| ReportError::Npy("too many samples".into()))?,
        layout.materials.len(),
        layout.parks.len(),
    );
    Ok([
        csv_head(region, layout)?,
        npy_header(&[n, nm, np]),
        npy_header(&[n, nm, np]),
        npy_header(&[n, nm, np, 4]),
    ])
}

/// The widest `samples.csv` cell of a money or CO2 figure: `csv_number` prints the shortest
/// decimal that reads back, so a value below 1e17 in magnitude takes at most a sign, 17
/// significant digits and a point (no real region comes near: 1e17 yuan or t CO2 a year).
const MONEY_CELL: u64 = 19;
/// The widest cell of a rate (six decimals, in [0, 1]: `0.123456`, with a sign to spare).
const RATE_CELL: u64 = 9;

/// A bound on the width of a `samples.csv` cell holding a multiplier of an entry drawn in
/// [`low`, `high`] (nine decimals, at least 0): `high`'s integer digits, a point, nine
/// decimals, and one to spare.
fn multiplier_cell(high: f64) -> u64 {
    let int = format!("{:.0}", high.abs().ceil().max(1.0)).len() as u64;
    int + 1 + 9 + 1
}

/// An upper bound on the bytes of the [`STREAMED`] files of samples `first .. first + n` of
/// `region` under `entries` (laid out by `layout`): the heads and the `.npy` rows exactly,
/// `samples.csv`'s rows by the widest each cell can be (the index's digits, each multiplier
/// by its entry's `high`, rates at most [`RATE_CELL`], money and CO2 at most [`MONEY_CELL`],
/// `false`, `no_legal_fate`) with its commas and line end. Saturates at `u64::MAX`.
pub fn streamed_bytes_bound(
    region: &Region,
    layout: &SampleLayout,
    entries: &[Uncertain],
    (first, n): (u64, u64),
) -> Result<u64, ReportError> {
    let (nm, np) = (layout.materials.len() as u64, layout.parks.len() as u64);
    let mut head = csv_head(region, layout)?.len() as u64;
    // The `.npy` heads of n samples (of the most a usize holds, where n does not fit).
    let shape = usize::try_from(n).unwrap_or(usize::MAX);
    for dims in [
        vec![shape, nm as usize, np as usize],
        vec![shape, nm as usize, np as usize],
        vec![shape, nm as usize, np as usize, 4],
    ] {
        head += npy_header(&dims).len() as u64;
    }
    let last = first.saturating_add(n.saturating_sub(1));
    let mut row = last.to_string().len() as u64;
    let mut cells = 1u64;
    for e in entries {
        row += multiplier_cell(e.distribution.bounds().1);
        cells += 1;
    }
    row += (2 + nm) * RATE_CELL + 3 * MONEY_CELL + "false".len() as u64;
    row += SampleStatus::NoLegalFate.as_str().len() as u64;
    cells += 2 + nm + 3 + 2;
    // The commas between the cells and the line end.
    row += cells;
    // The three arrays: 8 bytes a value, (materials × parks) × (1 + 1 + 4) values a sample.
    row += 8 * nm * np * 6;
    Ok(head.saturating_add(row.saturating_mul(n)))
}

/// The rows of `samples` (consecutive, in index order) in each [`STREAMED`] file, in that
/// order (encoded side by side on the pool).
pub fn streamed_rows(
    layout: &SampleLayout,
    samples: &[SampleResult],
) -> Result<[Vec<u8>; 4], ReportError> {
    let ((csv, balance), (rate, strict)) = rayon::join(
        || rayon::join(|| csv_rows(samples), || balance_rows(layout, samples)),
        || {
            rayon::join(
                || cell_rows(layout, samples, Balance::rate),
                || cell_rows(layout, samples, Balance::strict_rate),
            )
        },
    );
    Ok([csv?, rate, strict, balance])
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArrayD, IxDyn};
    use ndarray_npy::WriteNpyExt;

    fn reference(shape: &[usize]) -> Vec<u8> {
        let a = ArrayD::<f64>::zeros(IxDyn(shape));
        let mut out = Vec::new();
        a.write_npy(&mut out).unwrap();
        out
    }

    #[test]
    fn npy_header_is_ndarray_npy_s_byte_for_byte() {
        // The header depends only on the shape: zero-sized arrays give every digit count.
        for shape in [
            vec![0, 3, 4],
            vec![1, 1, 1],
            vec![7],
            vec![0],
            vec![2, 3, 5, 4],
            vec![100_000, 0, 10],
            vec![123_456_789, 17, 0, 4],
            vec![1 << 40, 0, 1],
            vec![123_456_789_012, 0, 7, 4],
            vec![0; 30],
            vec![2, 0, 3, 0],
        ] {
            let n: usize = shape.iter().product::<usize>();
            let full = reference(&shape);
            let head = npy_header(&shape);
            assert_eq!(head.len() % 64, 0, "{shape:?}");
            assert_eq!(&full[..head.len()], &head[..], "{shape:?}");
            assert_eq!(full.len(), head.len() + 8 * n, "{shape:?}");
        }
    }
}
