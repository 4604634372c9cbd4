//! Optional CSV tables for long lists (parks, producers, consumers).

use super::diag::{CsvSource, Diagnostic};
use super::schema::{RawConsumer, RawIntake, RawPark, RawProducer};
use super::Origin;
use std::collections::BTreeMap;

/// One parsed CSV record: its line and cells by column name.
struct Row<'a> {
    line: usize,
    cells: Vec<(&'a str, String)>,
}

/// Reads `text` into rows; unknown columns are errors unless `prefixes` allow them.
fn rows<'a>(
    src: &CsvSource,
    text: &str,
    headers_out: &'a mut Vec<String>,
    known: &[&str],
    required: &[&str],
    prefixes: &[&str],
    diags: &mut Vec<Diagnostic>,
) -> Vec<Row<'a>> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    match rdr.headers() {
        Ok(h) => *headers_out = h.iter().map(str::to_string).collect(),
        Err(e) => {
            diags.push(src.diag(1, 0, "header", format!("cannot read CSV header: {e}")));
            return Vec::new();
        }
    }
    let mut header_ok = true;
    for (i, h) in headers_out.iter().enumerate() {
        if !known.contains(&h.as_str()) && !prefixes.iter().any(|p| h.starts_with(p)) {
            diags.push(src.diag(
                1,
                i,
                h,
                format!("unknown column; expected one of {}", known.join(", ")),
            ));
            header_ok = false;
        }
    }
    for r in required {
        if !headers_out.iter().any(|h| h == r) {
            diags.push(src.diag(1, 0, r, "required column is missing"));
            header_ok = false;
        }
    }
    if !header_ok {
        return Vec::new();
    }
    let headers: &'a [String] = headers_out;
    let mut out = Vec::new();
    for rec in rdr.records() {
        match rec {
            Ok(rec) => {
                let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
                let cells = headers
                    .iter()
                    .map(String::as_str)
                    .zip(rec.iter().map(str::to_string))
                    .collect();
                out.push(Row { line, cells });
            }
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                diags.push(src.diag(line, 0, "record", format!("malformed CSV record: {e}")));
            }
        }
    }
    out
}

/// Cell accessors that record typed errors with line and column.
struct Cells<'r, 'a> {
    src: &'r CsvSource,
    row: &'r Row<'a>,
    diags: &'r mut Vec<Diagnostic>,
}

impl Cells<'_, '_> {
    fn idx(&self, col: &str) -> usize {
        self.row
            .cells
            .iter()
            .position(|(h, _)| *h == col)
            .unwrap_or(0)
    }
    fn raw(&self, col: &str) -> Option<&str> {
        self.row
            .cells
            .iter()
            .find(|(h, _)| *h == col)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
    fn string(&self, col: &str) -> Option<String> {
        self.raw(col).map(str::to_string)
    }
    fn required(&mut self, col: &str) -> String {
        match self.string(col) {
            Some(s) => s,
            None => {
                let i = self.idx(col);
                self.diags.push(
                    self.src
                        .diag(self.row.line, i, col, "required value is empty"),
                );
                String::new()
            }
        }
    }
    fn number(&mut self, col: &str) -> Option<f64> {
        let raw = self.raw(col)?;
        match raw.replace('_', "").parse::<f64>() {
            Ok(v) => Some(v),
            Err(_) => {
                let i = self.idx(col);
                self.diags.push(self.src.diag(
                    self.row.line,
                    i,
                    col,
                    format!("`{raw}` is not a number"),
                ));
                None
            }
        }
    }
    fn integer(&mut self, col: &str) -> Option<i32> {
        let raw = self.raw(col)?;
        match raw.parse::<i32>() {
            Ok(v) => Some(v),
            Err(_) => {
                let i = self.idx(col);
                self.diags.push(self.src.diag(
                    self.row.line,
                    i,
                    col,
                    format!("`{raw}` is not an integer"),
                ));
                None
            }
        }
    }
    fn prefixed(&mut self, prefix: &str) -> BTreeMap<String, f64> {
        let cols: Vec<String> = self
            .row
            .cells
            .iter()
            .filter(|(h, _)| h.starts_with(prefix))
            .map(|(h, _)| h.to_string())
            .collect();
        let mut out = BTreeMap::new();
        for c in cols {
            if let Some(v) = self.number(&c) {
                out.insert(c[prefix.len()..].to_string(), v);
            }
        }
        out
    }
    fn origin(&self, file: usize) -> Origin {
        Origin::Csv {
            file,
            line: self.row.line,
            columns: self.row.cells.iter().map(|(h, _)| h.to_string()).collect(),
        }
    }
}

pub fn parks(
    src: &CsvSource,
    file: usize,
    text: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(RawPark, Origin)> {
    const KNOWN: &[&str] = &[
        "id",
        "name",
        "short_name",
        "name_zh",
        "lat",
        "lon",
        "parent",
        "landfill_capacity",
        "source",
    ];
    let mut headers = Vec::new();
    let rows = rows(
        src,
        text,
        &mut headers,
        KNOWN,
        &["id", "name", "lat", "lon"],
        &[],
        diags,
    );
    let mut out = Vec::new();
    for row in &rows {
        let mut c = Cells { src, row, diags };
        let park = RawPark {
            id: c.required("id"),
            name: c.required("name"),
            short_name: c.string("short_name"),
            name_zh: c.string("name_zh"),
            lat: c.number("lat").unwrap_or(f64::NAN),
            lon: c.number("lon").unwrap_or(f64::NAN),
            parent: c.string("parent"),
            landfill_capacity: c.number("landfill_capacity"),
            source: c.string("source"),
        };
        out.push((park, c.origin(file)));
    }
    out
}

pub fn producers(
    src: &CsvSource,
    file: usize,
    text: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(RawProducer, Origin)> {
    const KNOWN: &[&str] = &[
        "id",
        "name",
        "park",
        "material",
        "quantity",
        "grade",
        "stockpile",
        "reclaim_cost_yuan_per_unit",
        "growth_rate",
        "base_year",
        "source",
    ];
    let mut headers = Vec::new();
    let rows = rows(
        src,
        text,
        &mut headers,
        KNOWN,
        &["id", "park", "material", "quantity"],
        &["attr:"],
        diags,
    );
    let mut out = Vec::new();
    for row in &rows {
        let mut c = Cells { src, row, diags };
        let p = RawProducer {
            id: c.required("id"),
            name: c.string("name"),
            park: c.required("park"),
            material: c.required("material"),
            quantity: c.number("quantity").unwrap_or_else(|| {
                if c.raw("quantity").is_none() {
                    let i = c.idx("quantity");
                    c.diags
                        .push(src.diag(row.line, i, "quantity", "required value is empty"));
                }
                0.0
            }),
            grade: c.string("grade"),
            attrs: c.prefixed("attr:"),
            stockpile: c.number("stockpile").unwrap_or(0.0),
            reclaim_cost_yuan_per_unit: c.number("reclaim_cost_yuan_per_unit").unwrap_or(0.0),
            growth_rate: c.number("growth_rate").unwrap_or(0.0),
            base_year: c.integer("base_year"),
            source: c.string("source"),
        };
        out.push((p, c.origin(file)));
    }
    out
}

/// Consumers from CSV: one row per accepted material; rows sharing an id form one consumer.
/// Returns each consumer with its origin (first row) and the origins of its intakes.
pub fn consumers(
    src: &CsvSource,
    file: usize,
    text: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(RawConsumer, Origin, Vec<Origin>)> {
    const KNOWN: &[&str] = &[
        "id",
        "name",
        "park",
        "route",
        "capacity",
        "processing_cost_yuan_per_unit",
        "co2_avoided_t_per_unit",
        "material",
        "grades",
        "max",
        "max_share",
        "gate_price_yuan_per_unit",
        "intake_co2_avoided_t_per_unit",
        "source",
    ];
    let mut headers = Vec::new();
    let rows = rows(
        src,
        text,
        &mut headers,
        KNOWN,
        &["id", "material"],
        &["min_attr:", "max_attr:"],
        diags,
    );
    let mut out: Vec<(RawConsumer, Origin, Vec<Origin>)> = Vec::new();
    for row in &rows {
        let mut c = Cells { src, row, diags };
        let id = c.required("id");
        let intake = RawIntake {
            material: c.required("material"),
            grades: c
                .string("grades")
                .map(|g| g.split('|').map(|s| s.trim().to_string()).collect())
                .unwrap_or_default(),
            max: c.number("max"),
            max_share: c.number("max_share"),
            gate_price_yuan_per_unit: c.number("gate_price_yuan_per_unit").unwrap_or(0.0),
            co2_avoided_t_per_unit: c.number("intake_co2_avoided_t_per_unit"),
            min_attrs: c.prefixed("min_attr:"),
            max_attrs: c.prefixed("max_attr:"),
            source: None,
        };
        let origin = c.origin(file);
        if let Some(existing) = out.iter_mut().find(|(rc, _, _)| rc.id == id) {
            for col in [
                "name",
                "park",
                "route",
                "capacity",
                "processing_cost_yuan_per_unit",
                "co2_avoided_t_per_unit",
            ] {
                if c.raw(col).is_some() {
                    let i = c.idx(col);
                    c.diags.push(src.diag(
                        row.line,
                        i,
                        col,
                        format!("consumer \"{id}\" is already defined by an earlier row; leave consumer-level cells empty on its later rows"),
                    ));
                }
            }
            existing.0.accepts.push(intake);
            existing.2.push(origin);
            continue;
        }
        let consumer = RawConsumer {
            id,
            name: c.string("name"),
            park: c.required("park"),
            route: c.required("route"),
            capacity: c.number("capacity").unwrap_or_else(|| {
                let i = c.idx("capacity");
                c.diags
                    .push(src.diag(row.line, i, "capacity", "required value is empty"));
                0.0
            }),
            processing_cost_yuan_per_unit: c.number("processing_cost_yuan_per_unit").unwrap_or(0.0),
            co2_avoided_t_per_unit: c.number("co2_avoided_t_per_unit").unwrap_or(0.0),
            accepts: vec![intake],
            source: c.string("source"),
        };
        out.push((consumer, origin.clone(), vec![origin]));
    }
    out
}
