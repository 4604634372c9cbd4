//! The CSV files of a path; each one's columns written once.

use super::*;
use crate::analysis::path::YearResult;
use crate::analysis::Balance;
use crate::report::format::csv_rate;

type Cell = fn(&Path, &PathResults, &YearResult) -> String;

/// `path.csv`'s columns, defined once.
const YEAR_COLUMNS: &[(&str, Cell)] = &[
    ("year", |_, _, y| y.year.to_string()),
    ("target_year", |_, r, y| {
        (y.year == r.target_year().year).to_string()
    }),
    ("rate", |_, _, y| csv_rate(y.results.target.achieved)),
    ("strict_rate", |_, _, y| {
        csv_rate(y.results.target.strict_achieved)
    }),
    ("target_rate", |_, _, y| num(y.results.target.rate, 6)),
    ("meets_target_rate", |_, _, y| {
        y.results.target.meets.to_string()
    }),
    ("shortfall_t", |_, _, y| num(y.results.target.shortfall, 3)),
    ("generated_t", |_, _, y| num(y.results.solids.generated, 3)),
    ("utilised_t", |_, _, y| num(y.results.solids.utilised(), 3)),
    ("stockpile_drawn_t", |_, _, y| {
        num(y.results.solids.stockpile_drawn, 3)
    }),
    ("disposed_t", |_, _, y| num(y.results.solids.disposed, 3)),
    ("landfilled_t", |_, _, y| num(stored(&y.results), 3)),
    ("dumped_t", |_, _, y| num(y.results.solids.dumped, 3)),
    ("hydrogen_utilised_kg", |_, _, y| {
        num(hydrogen_kg(&y.region, &y.results), 3)
    }),
    ("net_cost_yuan", |_, _, y| num(y.results.cost.total(), 2)),
    ("measures", |_, _, y| measures(&y.region)),
    ("measures_annual_cost_yuan", |_, _, y| {
        num(measures_cost(&y.region), 2)
    }),
    ("co2_avoided_t", |_, _, y| num(y.results.co2_avoided_t, 3)),
    ("transport_tkm", |_, _, y| num(y.results.transport_tkm, 3)),
];

fn csv_of(head: &[&str], rows: Vec<Vec<String>>) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(head)?;
    for r in rows {
        w.write_record(r)?;
    }
    w.into_inner()
        .map_err(|e| ReportError::Csv(e.into_error().into()))
}

/// `path.csv`: one row per year.
pub fn path_csv(p: &Path, r: &PathResults) -> Result<Vec<u8>, ReportError> {
    let head: Vec<&str> = YEAR_COLUMNS.iter().map(|c| c.0).collect();
    let rows = r
        .years
        .iter()
        .map(|y| YEAR_COLUMNS.iter().map(|c| (c.1)(p, r, y)).collect())
        .collect();
    csv_of(&head, rows)
}

const BALANCE_HEAD: [&str; 8] = [
    "generated",
    "utilised",
    "stockpile_drawn",
    "disposed",
    "dumped",
    "uncounted",
    "rate",
    "strict_rate",
];

fn balance_cells(b: &Balance) -> Vec<String> {
    vec![
        num(b.generated, 3),
        num(b.utilised(), 3),
        num(b.stockpile_drawn, 3),
        num(b.disposed, 3),
        num(b.dumped, 3),
        num(b.uncounted_new + b.uncounted_stock, 3),
        csv_rate(b.rate()),
        csv_rate(b.strict_rate()),
    ]
}

/// `path_materials.csv`: every year × material (solids, then hydrogen in its own unit).
pub fn path_materials_csv(r: &PathResults) -> Result<Vec<u8>, ReportError> {
    let mut head = vec!["year", "material", "class", "unit"];
    head.extend(BALANCE_HEAD);
    let mut rows = Vec::new();
    for y in &r.years {
        for (m, b) in y.results.by_material.iter().chain(&y.results.hydrogen) {
            let mat = &y.region.materials[m.0];
            let mut row = vec![
                y.year.to_string(),
                mat.id.clone(),
                mat.class.as_str().to_string(),
                mat.unit.clone(),
            ];
            row.extend(balance_cells(b));
            rows.push(row);
        }
    }
    csv_of(&head, rows)
}

/// `path_parks.csv`: every year × consolidated park (solids, t).
pub fn path_parks_csv(r: &PathResults) -> Result<Vec<u8>, ReportError> {
    let mut head = vec!["year", "park"];
    head.extend(BALANCE_HEAD);
    let mut rows = Vec::new();
    for y in &r.years {
        for (k, b) in &y.results.by_park {
            let mut row = vec![y.year.to_string(), y.region.parks[k.0].id.clone()];
            row.extend(balance_cells(b));
            rows.push(row);
        }
    }
    csv_of(&head, rows)
}

/// `path_links.csv`: the linked stocks and landfills year by year (t).
pub fn path_links_csv(r: &PathResults) -> Result<Vec<u8>, ReportError> {
    let head = [
        "year",
        "kind",
        "id",
        "start_t",
        "drawn_or_stored_t",
        "end_t",
    ];
    let mut rows = Vec::new();
    for y in &r.years {
        for s in &y.stocks {
            rows.push(vec![
                y.year.to_string(),
                "stock".into(),
                s.producer.clone(),
                num(s.start, 3),
                num(s.drawn, 3),
                num(s.end, 3),
            ]);
        }
        for l in &y.rooms {
            rows.push(vec![
                y.year.to_string(),
                "landfill_room".into(),
                l.park.clone(),
                num(l.start, 3),
                num(l.stored, 3),
                num(l.end, 3),
            ]);
        }
    }
    csv_of(&head, rows)
}

/// `path_monte_carlo.csv`: the rate's statistics per year over every sample.
pub fn path_monte_carlo_csv(p: &Path, mc: &PathMonteCarlo) -> Result<Vec<u8>, ReportError> {
    let head = [
        "year",
        "target_year",
        "samples",
        "rate_mean",
        "rate_p5",
        "rate_p50",
        "rate_p95",
        "strict_rate_mean",
        "strict_rate_p5",
        "strict_rate_p50",
        "strict_rate_p95",
        "p_meets_target_rate",
        "p_meets_target_rate_wilson95_low",
        "p_meets_target_rate_wilson95_high",
    ];
    let cells = |s: &Option<crate::analysis::Stats>| match s {
        Some(s) => vec![
            csv_rate(Some(s.mean)),
            csv_rate(Some(s.p5)),
            csv_rate(Some(s.p50)),
            csv_rate(Some(s.p95)),
        ],
        None => vec![String::new(); 4],
    };
    let rows = p
        .years
        .iter()
        .enumerate()
        .map(|(t, y)| {
            let (lo, hi) = crate::analysis::plan::stats::wilson95(mc.met[t], mc.samples);
            let mut row = vec![
                y.year.to_string(),
                (t == p.target_index).to_string(),
                mc.samples.to_string(),
            ];
            row.extend(cells(&mc.rate[t]));
            row.extend(cells(&mc.strict[t]));
            row.push(num(mc.met[t] as f64 / mc.samples as f64, 6));
            row.push(num(lo, 6));
            row.push(num(hi, 6));
            row
        })
        .collect();
    csv_of(&head, rows)
}

/// `path_samples.csv`: one row per sample, each year's rate under the rule and strict.
pub fn path_samples_csv(p: &Path, mc: &PathMonteCarlo) -> Result<Vec<u8>, ReportError> {
    let mut head = vec!["sample".to_string(), "legal".to_string()];
    for y in &p.years {
        head.push(format!("rate_{}", y.year));
    }
    for y in &p.years {
        head.push(format!("strict_rate_{}", y.year));
    }
    let rows = mc
        .records
        .iter()
        .map(|s| {
            let mut row = vec![s.index.to_string(), s.legal.to_string()];
            row.extend(s.rate.iter().map(|&r| csv_rate(r)));
            row.extend(s.strict.iter().map(|&r| csv_rate(r)));
            row
        })
        .collect();
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    csv_of(&head, rows)
}
