//! Optional CSV tables for long lists (parks, producers, consumers).

use super::caps;
use super::diag::{CsvSource, Diagnostic};
use super::overrides::RowOverride;
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
    (known, required, prefixes): (&[&str], &[&str], &[&str]),
    max_rows: usize,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Row<'a>> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
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
            let expected = format!("expected one of {}", known.join(", "));
            // A found name is shown only when it could be a column of ours (a short name of
            // letters, digits, `_` and `:`) in a table inside the scenario's folder.
            let d = if src.echo && looks_like_column(h) {
                src.diag(1, i, h, format!("unknown column; {expected}"))
            } else {
                let msg = format!(
                    "column {} is not a column of this table (its text is not shown); {expected}",
                    i + 1
                );
                src.diag(1, i, "header", msg)
            };
            diags.push(d);
            header_ok = false;
            if !src.echo {
                break;
            }
        }
    }
    // A column given twice: which copy would be read is not the user's to guess.
    for (j, h) in headers_out.iter().enumerate() {
        let Some(i) = headers_out[..j].iter().position(|x| x == h) else {
            continue;
        };
        let ours = known.contains(&h.as_str()) || (src.echo && looks_like_column(h));
        let name = if ours {
            format!("column `{h}`")
        } else {
            "a column".to_string()
        };
        let msg = format!(
            "{name} is given twice in the header, as columns {} and {} ({}:1:{} and {}:1:{}); give it once",
            i + 1,
            j + 1,
            src.file,
            src.column_of(1, i),
            src.file,
            src.column_of(1, j)
        );
        diags.push(src.diag(1, j, if ours { h } else { "header" }, msg));
        header_ok = false;
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
                if out.len() == max_rows {
                    let msg = format!(
                        "the table has more than {max_rows} rows, its cap (see \"Caps\" in docs/format.md)"
                    );
                    diags.push(src.diag(line, 0, "record", msg));
                    break;
                }
                let mut fields: Vec<String> = rec.iter().map(str::to_string).collect();
                if fields.len() != headers.len() && !ragged(src, line, headers, &mut fields, diags)
                {
                    continue;
                }
                let cells = headers.iter().map(String::as_str).zip(fields).collect();
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

/// What a number cell may hold, for the messages about one that does not read.
const NUMBER_FORMS: &str =
    "write a plain decimal number, e.g. 1300000, 0.35 or 1.3e6 (no thousands separators)";

/// Whether `s` is a digit group after a thousands separator (`300`, or `000.5` at the end).
fn digit_group(s: &str, last: bool) -> bool {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    int.len() == 3
        && int.bytes().all(|b| b.is_ascii_digit())
        && (frac.is_empty() || (last && frac.bytes().all(|b| b.is_ascii_digit())))
}

/// Reports a row whose number of cells differs from the header's, located at the first
/// cell out of place and named by its column. A number written with thousands separators
/// (`1,300,000` unquoted, split over three cells) is joined back so that the rest of the row
/// is still checked (returns `true`); any other ragged row is skipped (`false`).
fn ragged(
    src: &CsvSource,
    line: usize,
    headers: &[String],
    fields: &mut Vec<String>,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let (n, m) = (fields.len(), headers.len());
    if n > m {
        let k = n - m;
        let lead = |s: &str| {
            let d = s.strip_prefix(['-', '+']).unwrap_or(s);
            (1..=3).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit())
        };
        let split = (0..m)
            .find(|&i| lead(&fields[i]) && (1..=k).all(|j| digit_group(&fields[i + j], j == k)));
        if let Some(i) = split {
            let written = fields[i..=i + k].join(",");
            let joined: String = fields.drain(i..=i + k).collect();
            let msg = format!(
                "{} is not a number: its thousands separators split the row into {n} cells for {m} columns; {NUMBER_FORMS}",
                quoted(src, &written)
            );
            fields.insert(i, joined);
            diags.push(src.diag(line, i, &headers[i], msg));
            return true;
        }
        let msg = format!(
            "the row has {n} cells for {m} columns: a cell after the last column, {}; a cell holding a comma must be quoted (\"a, b\"), and a number has no thousands separators",
            if src.echo { format!("`{}`", headers[m - 1]) } else { format!("column {m}") }
        );
        diags.push(src.diag(line, m, &headers[m - 1], msg));
    } else {
        let msg = format!(
            "the row has {n} cells for {m} columns: this column and those after it are missing"
        );
        diags.push(src.diag(line, n, &headers[n], msg));
    }
    false
}

/// Whether a header cell could be a column name of ours, so that echoing it is harmless.
fn looks_like_column(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 64
        && h.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// Whether a table path names a CSV file (`.csv`, any case).
pub fn is_csv_name(rel: &str) -> bool {
    std::path::Path::new(rel)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// Whether a table path stays inside the scenario's folder: relative, without `..`.
pub fn inside_folder(rel: &str) -> bool {
    use std::path::Component;
    std::path::Path::new(rel)
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// A cell's text as a message quotes it: at most 40 characters, and only from a table inside
/// the scenario's folder.
fn quoted(src: &CsvSource, raw: &str) -> String {
    if !src.echo {
        return "the cell".to_string();
    }
    let mut s: String = raw.chars().take(40).collect();
    if s.len() < raw.len() {
        s.push('…');
    }
    format!("`{s}`")
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
                    format!("{} is not a number; {NUMBER_FORMS}", quoted(self.src, raw)),
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
                    format!("{} is not an integer", quoted(self.src, raw)),
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
    fn origin(&self, file: usize, set: Vec<RowOverride>) -> Origin {
        Origin::Csv {
            file,
            line: self.row.line,
            columns: self.row.cells.iter().map(|(h, _)| h.to_string()).collect(),
            set,
        }
    }
}

/// How a cell is read, and what stands in for an empty or unreadable one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// Text that must not be empty ("required value is empty"; `""` stands in).
    Text,
    /// Optional text.
    OptText,
    /// A `|`-separated list of text (empty: none).
    List,
    /// A number with a default for an empty or unreadable cell.
    Num(f64),
    /// An optional number.
    OptNum,
    /// A required number (0 stands in); `Empty` says when "required value is empty" is reported.
    ReqNum(Empty),
    /// An optional integer.
    OptInt,
    /// Every column `<prefix><name>` is a number, keyed by `<name>` (the column is the prefix).
    Prefixed,
}

/// When a required number counts as empty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Empty {
    /// Only a blank cell (an unreadable one is reported as "not a number" alone).
    Blank,
    /// Any cell no number was read from (a blank cell, or also after "not a number").
    Unread,
}

/// One column of a CSV table: its name, the schema field it fills (a dotted path into the
/// item, `accepts.max` for a consumer's intake), how its cells are read, and whether the
/// header must have it.
#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub name: &'static str,
    pub field: &'static str,
    pub kind: Kind,
    pub header_required: bool,
}

const fn col(name: &'static str, field: &'static str, kind: Kind, header_required: bool) -> Col {
    Col {
        name,
        field,
        kind,
        header_required,
    }
}

/// The one definition of `parks.csv` (order: the "expected one of" list and reading order).
pub const PARK_COLUMNS: &[Col] = &[
    col("id", "id", Kind::Text, true),
    col("name", "name", Kind::Text, true),
    col("short_name", "short_name", Kind::OptText, false),
    col("name_zh", "name_zh", Kind::OptText, false),
    col("lat", "lat", Kind::Num(f64::NAN), true),
    col("lon", "lon", Kind::Num(f64::NAN), true),
    col("parent", "parent", Kind::OptText, false),
    col(
        "landfill_capacity",
        "landfill_capacity",
        Kind::OptNum,
        false,
    ),
    col("source", "source", Kind::OptText, false),
];

/// The one definition of `producers.csv`.
pub const PRODUCER_COLUMNS: &[Col] = &[
    col("id", "id", Kind::Text, true),
    col("name", "name", Kind::OptText, false),
    col("park", "park", Kind::Text, true),
    col("material", "material", Kind::Text, true),
    col("quantity", "quantity", Kind::ReqNum(Empty::Blank), true),
    col("grade", "grade", Kind::OptText, false),
    col("attr:", "attrs", Kind::Prefixed, false),
    col("stockpile", "stockpile", Kind::Num(0.0), false),
    col(
        "reclaim_cost_yuan_per_unit",
        "reclaim_cost_yuan_per_unit",
        Kind::Num(0.0),
        false,
    ),
    col("growth_rate", "growth_rate", Kind::Num(0.0), false),
    col("base_year", "base_year", Kind::OptInt, false),
    col("source", "source", Kind::OptText, false),
];

/// The one definition of `consumers.csv`: one row per intake (`accepts.*` columns); the
/// consumer's own columns are given on its first row.
pub const CONSUMER_COLUMNS: &[Col] = &[
    col("id", "id", Kind::Text, true),
    col("name", "name", Kind::OptText, false),
    col("park", "park", Kind::Text, false),
    col("route", "route", Kind::Text, false),
    col("capacity", "capacity", Kind::ReqNum(Empty::Unread), false),
    col(
        "processing_cost_yuan_per_unit",
        "processing_cost_yuan_per_unit",
        Kind::Num(0.0),
        false,
    ),
    col(
        "co2_avoided_t_per_unit",
        "co2_avoided_t_per_unit",
        Kind::Num(0.0),
        false,
    ),
    col("load_factor", "load_factor", Kind::OptNum, false),
    col("material", "accepts.material", Kind::Text, true),
    col("grades", "accepts.grades", Kind::List, false),
    col("max", "accepts.max", Kind::OptNum, false),
    col("max_share", "accepts.max_share", Kind::OptNum, false),
    col(
        "gate_price_yuan_per_unit",
        "accepts.gate_price_yuan_per_unit",
        Kind::Num(0.0),
        false,
    ),
    col(
        "intake_co2_avoided_t_per_unit",
        "accepts.co2_avoided_t_per_unit",
        Kind::OptNum,
        false,
    ),
    col("source", "source", Kind::OptText, false),
    col("min_attr:", "accepts.min_attrs", Kind::Prefixed, false),
    col("max_attr:", "accepts.max_attrs", Kind::Prefixed, false),
];

/// Consumer columns a later row of the same consumer may fill without an error (`source`
/// notes the row; only the first row's is kept).
const CONSUMER_REPEATABLE: &[&str] = &["id", "source"];

/// The intake part of a consumer field path.
const INTAKE: &str = "accepts.";

/// Reads a table's rows with its column definition (known columns, required columns and
/// prefixes all from `cols`).
fn rows_of<'a>(
    src: &CsvSource,
    text: &str,
    headers: &'a mut Vec<String>,
    cols: &[Col],
    max_rows: usize,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Row<'a>> {
    let known: Vec<&str> = cols
        .iter()
        .filter(|c| c.kind != Kind::Prefixed)
        .map(|c| c.name)
        .collect();
    let required: Vec<&str> = cols
        .iter()
        .filter(|c| c.header_required)
        .map(|c| c.name)
        .collect();
    let prefixes: Vec<&str> = cols
        .iter()
        .filter(|c| c.kind == Kind::Prefixed)
        .map(|c| c.name)
        .collect();
    let spec = (&known[..], &required[..], &prefixes[..]);
    rows(src, text, headers, spec, max_rows, diags)
}

/// Inserts `value` at dotted `path` of `table`, creating the tables on the way.
fn insert(table: &mut toml::Table, path: &str, value: toml::Value) {
    match path.split_once('.') {
        None => {
            table.insert(path.to_string(), value);
        }
        Some((head, rest)) => {
            let sub = table
                .entry(head.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if let toml::Value::Table(t) = sub {
                insert(t, rest, value);
            }
        }
    }
}

impl Cells<'_, '_> {
    /// Reads column `c` of the row into `out` at the column's field path (less `strip`),
    /// reporting bad cells; nothing is inserted for an empty optional cell.
    fn read(&mut self, c: &Col, strip: &str, out: &mut toml::Table) {
        use toml::Value as V;
        let value = match c.kind {
            Kind::Text => Some(V::String(self.required(c.name))),
            Kind::OptText => self.string(c.name).map(V::String),
            Kind::List => Some(V::Array(
                self.string(c.name)
                    .map(|g| {
                        g.split('|')
                            .map(|s| V::String(s.trim().to_string()))
                            .collect()
                    })
                    .unwrap_or_default(),
            )),
            Kind::Num(default) => Some(V::Float(self.number(c.name).unwrap_or(default))),
            Kind::OptNum => self.number(c.name).map(V::Float),
            Kind::ReqNum(when) => Some(V::Float(self.number(c.name).unwrap_or_else(|| {
                if when == Empty::Unread || self.raw(c.name).is_none() {
                    let i = self.idx(c.name);
                    self.diags.push(self.src.diag(
                        self.row.line,
                        i,
                        c.name,
                        "required value is empty",
                    ));
                }
                0.0
            }))),
            Kind::OptInt => self.integer(c.name).map(|v| V::Integer(v.into())),
            Kind::Prefixed => Some(V::Table(
                self.prefixed(c.name)
                    .into_iter()
                    .map(|(k, v)| (k, V::Float(v)))
                    .collect(),
            )),
        };
        if let Some(v) = value {
            insert(out, c.field.strip_prefix(strip).unwrap_or(c.field), v);
        }
    }
}

/// Turns the cells read into the schema's item. The column definitions match the schema
/// (unit test `columns_match_the_schema`) and overriding values are typed by their column
/// ([`overridden`]), so this cannot fail on any row.
fn item<T: serde::de::DeserializeOwned>(t: toml::Table) -> T {
    toml::Value::Table(t)
        .try_into()
        .expect("CSV column definitions match the schema")
}

/// The overrides of the rows of one table, each applied at most once.
pub struct RowOverrides<'o> {
    pub list: &'o [RowOverride],
    /// Whether each one found its row.
    pub used: Vec<bool>,
}

impl<'o> RowOverrides<'o> {
    pub fn new(list: &'o [RowOverride]) -> Self {
        RowOverrides {
            list,
            used: vec![false; list.len()],
        }
    }

    /// Writes the overrides of row `id` (its intake `intake`, or the item itself) into the
    /// row's cells `t`, each typed by its column among `cols` (fields less `strip`); returns
    /// those applied, for the row's origin. A value of the wrong type or a field with no
    /// column is an error at the override's origin.
    fn apply(
        &mut self,
        cols: &[&Col],
        strip: &str,
        id: &str,
        intake: Option<usize>,
        t: &mut toml::Table,
        diags: &mut Vec<Diagnostic>,
    ) -> Vec<RowOverride> {
        let mut set = Vec::new();
        for (k, o) in self.list.iter().enumerate() {
            if o.id != id || o.intake != intake {
                continue;
            }
            self.used[k] = true;
            if o.field == "id" {
                diags.push(o.diag("the id names the row; it cannot be overridden"));
                continue;
            }
            let field =
                |c: &Col| -> &'static str { c.field.strip_prefix(strip).unwrap_or(c.field) };
            let col = cols.iter().find(|c| match c.kind {
                Kind::Prefixed => o
                    .field
                    .strip_prefix(field(c))
                    .and_then(|r| r.strip_prefix('.'))
                    .is_some_and(|r| !r.is_empty() && !r.contains('.')),
                _ => field(c) == o.field,
            });
            let Some(col) = col else {
                let known: Vec<&str> = cols
                    .iter()
                    .map(|c| field(c))
                    .filter(|f| *f != "id")
                    .collect();
                diags.push(o.diag(format!(
                    "`{}` is not a field of this row; expected one of {}",
                    o.field,
                    known.join(", ")
                )));
                continue;
            };
            match typed(col.kind, &o.value) {
                Ok(v) => {
                    insert(t, &o.field, v);
                    set.push(o.clone());
                }
                Err(m) => diags.push(o.diag(m)),
            }
        }
        set
    }
}

/// An overriding value as its column reads it (an integer where a number is expected is that
/// number), or why it cannot be.
fn typed(kind: Kind, v: &toml::Value) -> Result<toml::Value, String> {
    use toml::Value as V;
    match (kind, v) {
        (Kind::Num(_) | Kind::OptNum | Kind::ReqNum(_) | Kind::Prefixed, V::Float(_)) => {
            Ok(v.clone())
        }
        (Kind::Num(_) | Kind::OptNum | Kind::ReqNum(_) | Kind::Prefixed, V::Integer(i)) => {
            Ok(V::Float(*i as f64))
        }
        (Kind::Num(_) | Kind::OptNum | Kind::ReqNum(_) | Kind::Prefixed, _) => {
            Err("expected a number".into())
        }
        (Kind::OptInt, V::Integer(i)) if i32::try_from(*i).is_ok() => Ok(v.clone()),
        (Kind::OptInt, _) => Err("expected an integer (32 bits)".into()),
        (Kind::Text | Kind::OptText, V::String(_)) => Ok(v.clone()),
        (Kind::Text | Kind::OptText, _) => Err("expected a string".into()),
        (Kind::List, V::Array(a)) if a.iter().all(V::is_str) => Ok(v.clone()),
        (Kind::List, _) => Err("expected a list of strings".into()),
    }
}

/// Reads one item per row of a table whose columns all belong to the item.
fn flat<T: serde::de::DeserializeOwned>(
    src: &CsvSource,
    file: usize,
    text: &str,
    cols: &[Col],
    max_rows: usize,
    overrides: &mut RowOverrides,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(T, Origin)> {
    let mut headers = Vec::new();
    let rows = rows_of(src, text, &mut headers, cols, max_rows, diags);
    let all: Vec<&Col> = cols.iter().collect();
    let mut out = Vec::new();
    for row in &rows {
        let mut c = Cells { src, row, diags };
        let mut t = toml::Table::new();
        for col in cols {
            c.read(col, "", &mut t);
        }
        let id = t
            .get("id")
            .and_then(toml::Value::as_str)
            .unwrap_or_default();
        let id = id.to_string();
        let set = overrides.apply(&all, "", &id, None, &mut t, c.diags);
        out.push((item(t), c.origin(file, set)));
    }
    out
}

pub fn parks(
    src: &CsvSource,
    file: usize,
    text: &str,
    overrides: &mut RowOverrides,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(RawPark, Origin)> {
    flat(src, file, text, PARK_COLUMNS, caps::PARKS, overrides, diags)
}

pub fn producers(
    src: &CsvSource,
    file: usize,
    text: &str,
    overrides: &mut RowOverrides,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(RawProducer, Origin)> {
    flat(
        src,
        file,
        text,
        PRODUCER_COLUMNS,
        caps::PRODUCERS,
        overrides,
        diags,
    )
}

/// Consumers from CSV: one row per accepted material; rows sharing an id form one consumer.
/// Returns each consumer with its origin (first row) and the origins of its intakes.
pub fn consumers(
    src: &CsvSource,
    file: usize,
    text: &str,
    overrides: &mut RowOverrides,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(RawConsumer, Origin, Vec<Origin>)> {
    let cols = CONSUMER_COLUMNS;
    let (id_col, own): (Vec<&Col>, Vec<&Col>) = cols
        .iter()
        .filter(|c| !c.field.starts_with(INTAKE))
        .partition(|c| c.field == "id");
    let intake_cols: Vec<&Col> = cols
        .iter()
        .filter(|c| c.field.starts_with(INTAKE))
        .collect();
    let mut headers = Vec::new();
    let rows = rows_of(src, text, &mut headers, cols, caps::INTAKES, diags);
    let mut out: Vec<(RawConsumer, Origin, Vec<Origin>)> = Vec::new();
    // Consumers by id, to gather their rows in linear time.
    let mut by_id: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for row in &rows {
        let mut c = Cells { src, row, diags };
        let mut own_cells = toml::Table::new();
        for col in &id_col {
            c.read(col, "", &mut own_cells);
        }
        let id = own_cells
            .get("id")
            .and_then(toml::Value::as_str)
            .unwrap_or_default()
            .to_string();
        let mut intake_cells = toml::Table::new();
        for col in &intake_cols {
            c.read(col, INTAKE, &mut intake_cells);
        }
        let n = by_id.get(&id).map(|&k| out[k].0.accepts.len()).unwrap_or(0);
        let set = overrides.apply(
            &intake_cols,
            INTAKE,
            &id,
            Some(n),
            &mut intake_cells,
            c.diags,
        );
        let intake: RawIntake = item(intake_cells);
        let origin = c.origin(file, set);
        if let Some(existing) = by_id.get(&id).map(|&k| &mut out[k]) {
            for col in own
                .iter()
                .filter(|c| !CONSUMER_REPEATABLE.contains(&c.name))
            {
                if c.raw(col.name).is_some() {
                    let i = c.idx(col.name);
                    c.diags.push(src.diag(
                        row.line,
                        i,
                        col.name,
                        format!("consumer \"{id}\" is already defined by an earlier row; leave consumer-level cells empty on its later rows"),
                    ));
                }
            }
            existing.0.accepts.push(intake);
            existing.2.push(origin);
            continue;
        }
        for col in &own {
            c.read(col, "", &mut own_cells);
        }
        let own_all: Vec<&Col> = id_col.iter().chain(&own).copied().collect();
        let set = overrides.apply(&own_all, "", &id, None, &mut own_cells, c.diags);
        let mut consumer: RawConsumer = item(own_cells);
        consumer.accepts.push(intake);
        by_id.insert(id, out.len());
        let Origin::Csv {
            file,
            line,
            columns,
            ..
        } = origin.clone()
        else {
            unreachable!("a CSV row's origin")
        };
        let own_origin = Origin::Csv {
            file,
            line,
            columns,
            set,
        };
        out.push((consumer, own_origin, vec![origin]));
    }
    // An intake index past a consumer's rows.
    for (k, o) in overrides.list.iter().enumerate() {
        if let (false, Some(i), Some(&c)) = (overrides.used[k], o.intake, by_id.get(&o.id)) {
            overrides.used[k] = true;
            let n = out[c].0.accepts.len();
            diags.push(o.diag(format!(
                "consumers.{} has {n} intakes (rows); there is no accepts[{i}]",
                o.id
            )));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::{self, Deserialize, Visitor};

    /// The field names a serde struct declares, captured from `deserialize_struct`.
    fn fields_of<T: for<'de> Deserialize<'de>>() -> Vec<&'static str> {
        struct Probe(std::cell::Cell<&'static [&'static str]>);
        #[derive(Debug)]
        struct Stop;
        impl std::fmt::Display for Stop {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("stop")
            }
        }
        impl std::error::Error for Stop {}
        impl de::Error for Stop {
            fn custom<M: std::fmt::Display>(_: M) -> Self {
                Stop
            }
        }
        impl<'de> de::Deserializer<'de> for &Probe {
            type Error = Stop;
            fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
                Err(Stop)
            }
            fn deserialize_struct<V: Visitor<'de>>(
                self,
                _: &'static str,
                fields: &'static [&'static str],
                _: V,
            ) -> Result<V::Value, Stop> {
                self.0.set(fields);
                Err(Stop)
            }
            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
                byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map
                enum identifier ignored_any
            }
        }
        let probe = Probe(std::cell::Cell::new(&[]));
        let _ = T::deserialize(&probe);
        probe.0.get().to_vec()
    }

    /// Every column fills a field of the schema, and every schema field has a column
    /// (except those listed as not in the CSV table).
    fn agree(cols: &[Col], prefix: &str, fields: &[&str], not_in_csv: &[&str]) {
        let mapped: Vec<&str> = cols
            .iter()
            .filter_map(|c| c.field.strip_prefix(prefix))
            .filter(|f| !f.contains('.'))
            .collect();
        for f in &mapped {
            assert!(
                fields.contains(f),
                "column field `{prefix}{f}` is not in the schema"
            );
        }
        for f in fields {
            assert!(
                mapped.contains(f) || not_in_csv.contains(f),
                "schema field `{prefix}{f}` has no CSV column"
            );
        }
        let mut names: Vec<&str> = cols.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), cols.len(), "a column is defined twice");
    }

    #[test]
    fn columns_match_the_schema() {
        agree(PARK_COLUMNS, "", &fields_of::<RawPark>(), &[]);
        agree(PRODUCER_COLUMNS, "", &fields_of::<RawProducer>(), &[]);
        agree(
            CONSUMER_COLUMNS,
            "",
            // Nested intake groups are TOML-only (docs/format.md).
            &fields_of::<RawConsumer>(),
            &["accepts", "groups"],
        );
        agree(
            CONSUMER_COLUMNS,
            INTAKE,
            &fields_of::<RawIntake>(),
            &["source", "group"],
        );
        assert!(fields_of::<RawPark>().contains(&"landfill_capacity"));
    }

    #[test]
    fn a_full_row_of_every_table_reads() {
        let csv = "id,name,short_name,name_zh,lat,lon,parent,landfill_capacity,source\nA,a,s,z,1,2,B,3,x\n";
        let src = CsvSource::new("p.csv".into(), csv);
        let mut d = Vec::new();
        let p = parks(&src, 0, csv, &mut RowOverrides::new(&[]), &mut d);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(p[0].0.landfill_capacity, Some(3.0));
        let csv = "id,name,park,route,capacity,processing_cost_yuan_per_unit,co2_avoided_t_per_unit,load_factor,material,grades,max,max_share,gate_price_yuan_per_unit,intake_co2_avoided_t_per_unit,source,min_attr:CaO,max_attr:S\nc,n,A,r,10,1,2,0.6,m,g1|g2,5,0.5,3,4,x,1,2\nc,,,,,,,,m2,,,,,,y,,\n";
        let src = CsvSource::new("c.csv".into(), csv);
        let c = consumers(&src, 0, csv, &mut RowOverrides::new(&[]), &mut d);
        assert!(d.is_empty(), "{d:?}");
        let (c, _, intakes) = &c[0];
        assert_eq!((c.capacity, c.accepts.len(), intakes.len()), (10.0, 2, 2));
        assert_eq!(c.load_factor, Some(0.6));
        assert_eq!(c.accepts[0].grades, vec!["g1", "g2"]);
        assert_eq!(c.accepts[0].co2_avoided_t_per_unit, Some(4.0));
        assert_eq!(c.accepts[0].min_attrs.get("CaO"), Some(&1.0));
        assert_eq!(c.source.as_deref(), Some("x"));
    }

    #[test]
    fn ragged_rows_name_their_line_and_column() {
        // Thousands separators split a quantity: reported on its column, the row kept.
        let csv = "id,park,material,quantity\np1,A,ash,1,300,000\np2,A,ash,5\n";
        let src = CsvSource::new("p.csv".into(), csv);
        let mut d = Vec::new();
        let p = producers(&src, 0, csv, &mut RowOverrides::new(&[]), &mut d);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!((d[0].line, d[0].column), (2, 10));
        assert_eq!(d[0].field, "quantity");
        assert!(d[0].message.starts_with("`1,300,000` is not a number"));
        assert!(d[0].message.contains("no thousands separators"));
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].0.quantity, 1_300_000.0);
        // Quoted, the same cell is one cell that is not a number.
        let csv = "id,park,material,quantity\np1,A,ash,\"1,300,000\"\n";
        let src = CsvSource::new("p.csv".into(), csv);
        let mut d = Vec::new();
        producers(&src, 0, csv, &mut RowOverrides::new(&[]), &mut d);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!((d[0].line, d[0].field.as_str()), (2, "quantity"));
        assert!(d[0].message.contains("e.g. 1300000"), "{}", d[0].message);
        // A cell too many (not a number), and one too few: the line and a column name.
        let csv = "id,park,material,quantity\np1,A,ash,5,x\np2,A,ash\n";
        let src = CsvSource::new("p.csv".into(), csv);
        let mut d = Vec::new();
        let p = producers(&src, 0, csv, &mut RowOverrides::new(&[]), &mut d);
        assert_eq!(p.len(), 0);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(
            (d[0].line, d[0].column, d[0].field.as_str()),
            (2, 12, "quantity")
        );
        assert!(d[0]
            .message
            .starts_with("the row has 5 cells for 4 columns"));
        assert_eq!(
            (d[1].line, d[1].column, d[1].field.as_str()),
            (3, 9, "quantity")
        );
        assert!(d[1]
            .message
            .starts_with("the row has 3 cells for 4 columns"));
    }
}
