//! `scenario`: the scenario file (TOML + optional CSV tables) → a validated [`model::Region`].
//!
//! Reading stops at a syntax error; a structural error (an unknown field, a missing one, a
//! wrong type) is reported and its key or list item set aside, so that one round reports the
//! structural problems of the whole file and **every** semantic problem of the rest, each
//! located by file, line, column and field, with the closest name suggested for a misspelt
//! field or id.

pub mod caps;
mod csv_tables;
pub mod diag;
pub mod overrides;
pub mod path;
pub mod schema;
pub mod strategy;
mod validate;

use crate::model::{Region, Uncertain};
use diag::{CsvSource, Diagnostic, Seg, TomlSource};
use schema::RawScenario;
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};

/// Where a raw item came from, to locate its fields in diagnostics.
#[derive(Debug, Clone)]
pub enum Origin {
    /// Path of the item inside the TOML document.
    Toml(Vec<Seg>),
    /// Record of CSV table `file` (index into the loaded tables) at `line`, with its columns.
    Csv {
        file: usize,
        line: usize,
        columns: Vec<String>,
        /// The row's values set by overrides (`--set`, override files), blamed on their origin.
        set: Vec<overrides::RowOverride>,
    },
}

impl Origin {
    /// The origin of a child element of a TOML item (`accepts[2]`); CSV rows are their own.
    pub fn child(&self, key: &str, index: usize) -> Origin {
        match self {
            Origin::Toml(p) => {
                let mut p = p.clone();
                p.push(Seg::Key(key.to_string()));
                p.push(Seg::Index(index));
                Origin::Toml(p)
            }
            other => other.clone(),
        }
    }
}

/// A set of located problems, reported together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// The most problems printed: the rest are counted (`… and N more problems`).
    pub const SHOWN: usize = 100;

    /// The problems printed: the first [`Diagnostics::SHOWN`], in order.
    pub fn shown(&self) -> &[Diagnostic] {
        &self.0[..self.0.len().min(Self::SHOWN)]
    }

    /// The line that counts the problems not printed, if any.
    pub fn more(&self) -> Option<String> {
        let n = self.0.len().saturating_sub(Self::SHOWN);
        (n > 0).then(|| {
            format!(
                "… and {n} more problem{} (the first {} are shown)",
                if n == 1 { "" } else { "s" },
                Self::SHOWN
            )
        })
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.shown().iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        if let Some(more) = self.more() {
            write!(f, "\n{more}")?;
        }
        Ok(())
    }
}

/// Errors of the scenario layer.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read {path}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(Diagnostics),
}

impl ScenarioError {
    /// The located problems (empty for I/O errors).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            ScenarioError::Invalid(d) => &d.0,
            ScenarioError::Io { .. } => &[],
        }
    }
}

/// A validated scenario.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The scenario as it runs: the candidate measures of `[scenario] with` applied (their
    /// flags in `candidates.applied`).
    pub region: Region,
    /// The scenario without the measures of `[scenario] with`, when it names any (see
    /// [`Loaded::base`]).
    base: Option<Box<Region>>,
    /// SHA-256 of the scenario file and its tables, hex.
    pub hash: String,
    /// The files read, as given (scenario first).
    pub files: Vec<String>,
    /// Legal but suspicious input, located like errors (see `validate::warnings`): a
    /// producer out of every mode's reach, a target rate of 0. Not printed here.
    pub warnings: Vec<Diagnostic>,
    /// The `[[uncertain]]` entries (used only by `run --samples`).
    pub uncertain: Vec<Uncertain>,
}

impl Loaded {
    /// The scenario without any candidate measure applied, its `candidates.applied` still
    /// naming those of `[scenario] with`: what [`Candidates::region_for`] applies portfolios
    /// to (`plan`, `run --with`).
    pub fn base(&self) -> &Region {
        self.base.as_deref().unwrap_or(&self.region)
    }
}

/// Lists that hold one item per `[[list]]` header.
const LISTS: &[&str] = &[
    "parks",
    "materials",
    "routes",
    "transport",
    "distances",
    "producers",
    "consumers",
    "uncertain",
    "candidates",
];

/// The document as read in one round: what could be deserialized, and the structural
/// problems of what could not.
struct Parsed {
    raw: RawScenario,
    /// The text deserialized: the file with the offending keys and items commented out
    /// (each such line gained a leading `#`; line numbers are kept).
    text: String,
    /// The structural (type, unknown or missing field) problems, located in the file.
    diags: Vec<Diagnostic>,
    /// The list items commented out: list and index in the file (`("parks", 2)`).
    dropped: Vec<(&'static str, usize)>,
    /// The keys read under their suggested name: 0-based line, 1-based column of the key,
    /// and the change of the line's length in characters.
    renamed: Vec<(usize, usize, isize)>,
}

/// The column in the file of 1-based `col` on 0-based line `line` of the repaired text.
fn unrename(renamed: &[(usize, usize, isize)], line: usize, col: usize) -> usize {
    match renamed.iter().find(|r| r.0 == line) {
        Some(&(_, key, delta)) if col > key => (col as isize - delta).max(key as isize) as usize,
        _ => col,
    }
}

/// Deserializes the document, collecting the structural (type, unknown or missing field)
/// errors of the whole file rather than stopping at the first, and repairing it so that the
/// semantic checks still see everything else: after each error, an unknown key written alone
/// on its lines (`capcity = 800`) is commented out, or else the list item `[[list]]` holding
/// the error is; then the document is read again. Other errors outside list items, and
/// syntax errors, stop at once.
fn parse_all(file: &str, text: &str, src: &TomlSource) -> Result<Parsed, ScenarioError> {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let mut commented = vec![false; lines.len()];
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut dropped: Vec<(&'static str, usize)> = Vec::new();
    let mut renamed: Vec<(usize, usize, isize)> = Vec::new();
    for _ in 0..200 {
        let current = lines.join("\n");
        let e = match toml::from_str::<RawScenario>(&current) {
            Ok(raw) => {
                diags.sort_by_key(|d| (d.line, d.column));
                diags.dedup();
                return Ok(Parsed {
                    raw,
                    text: current,
                    diags,
                    dropped,
                    renamed,
                });
            }
            Err(e) => e,
        };
        // Map the offset back to the original text (each commented line gained one '#').
        let off = e.span().map(|s| s.start).unwrap_or(0);
        let (line0, col0) = diag::line_col(&current, off);
        let line_idx = line0 - 1;
        let orig_col = if commented.get(line_idx).copied().unwrap_or(false) {
            col0.saturating_sub(1)
        } else {
            unrename(&renamed, line_idx, col0)
        };
        let orig_off = text
            .split('\n')
            .take(line_idx)
            .map(|l| l.len() + 1)
            .sum::<usize>()
            + text
                .split('\n')
                .nth(line_idx)
                .map(|l| {
                    l.char_indices()
                        .nth(orig_col.saturating_sub(1))
                        .map(|(b, _)| b)
                        .unwrap_or(l.len())
                })
                .unwrap_or(0);
        let (path, offset) = src.locate_error(orig_off, e.message());
        let (line, column) = diag::line_col(text, offset);
        let field = if path.is_empty() {
            "document".to_string()
        } else {
            diag::path_string(&path)
        };
        let field = item_of_header(text, &field, line);
        let d = Diagnostic {
            file: file.to_string(),
            line,
            column,
            field,
            message: with_suggestion(&diag::short_floats(e.message().trim())),
        };
        // A misspelt key alone on its lines whose suggested name is not given beside it:
        // read it as that name, so that its value is still checked (and no "missing field"
        // follows). Columns after the key on that line are mapped back with `renamed`.
        if let Some((name, Some(to))) = unknown_field(e.message()) {
            let mut sibling = path.clone();
            sibling.pop();
            sibling.push(Seg::Key(to.to_string()));
            let (l, c) = (line - 1, column);
            if src.own_lines(offset).is_some()
                && !src.has(&sibling)
                && !commented[l]
                && !renamed.iter().any(|r| r.0 == l)
            {
                if let Some(at) = lines[l].char_indices().nth(c - 1).map(|(b, _)| b) {
                    if lines[l][at..].starts_with(name) {
                        lines[l].replace_range(at..at + name.len(), to);
                        let delta = to.chars().count() as isize - name.chars().count() as isize;
                        renamed.push((l, c, delta));
                        diags.push(d);
                        continue;
                    }
                }
            }
        }
        // An unknown key alone on its lines: only those lines go.
        if d.message.starts_with("unknown field `") {
            if let Some((first, last)) = src.own_lines(offset) {
                if first < lines.len()
                    && !commented[first..=last.min(lines.len() - 1)]
                        .iter()
                        .all(|&c| c)
                {
                    for i in first..=last.min(lines.len() - 1) {
                        if !commented[i] {
                            lines[i] = format!("#{}", lines[i]);
                            commented[i] = true;
                        }
                    }
                    diags.push(d);
                    continue;
                }
            }
        }
        let list = match diag_list(&d.field) {
            Some(l) => l,
            None => {
                diags.push(d);
                break;
            }
        };
        // The item's lines: from its `[[list]]` header to the next header outside it.
        let at = d.line - 1;
        let header = format!("[[{list}]]");
        let Some(start) = (0..=at.min(lines.len() - 1))
            .rev()
            .find(|&i| lines[i].trim() == header)
        else {
            diags.push(d);
            break;
        };
        let inside = |l: &str| {
            let t = l.trim_start();
            t.starts_with(&format!("[[{list}.")) || t.starts_with(&format!("[{list}."))
        };
        let mut end = start + 1;
        while end < lines.len()
            && (!lines[end].trim_start().starts_with('[') || inside(&lines[end]))
        {
            end += 1;
        }
        let index = d.field[list.len() + 1..]
            .split(']')
            .next()
            .and_then(|i| i.parse::<usize>().ok());
        diags.push(d);
        if commented[start..end].iter().all(|&c| c) {
            break;
        }
        if let Some(i) = index {
            dropped.push((list, i));
        }
        for i in start..end {
            if !commented[i] {
                lines[i] = format!("#{}", lines[i]);
                commented[i] = true;
            }
        }
    }
    diags.sort_by_key(|d| (d.line, d.column));
    diags.dedup();
    Err(ScenarioError::Invalid(Diagnostics(diags)))
}

/// A problem located at a list as a whole (`candidates`: serde's missing field points at the
/// item's `[[candidates]]` header) names the item instead: `candidates[i]`, `i` counting the
/// `[[candidates]]` headers of the file up to 1-based `line`.
fn item_of_header(text: &str, field: &str, line: usize) -> String {
    let Some(&list) = LISTS.iter().find(|&&l| l == field) else {
        return field.to_string();
    };
    let header = format!("[[{list}]]");
    // The header, maybe followed by a comment.
    let is_header = |l: &str| {
        l.trim()
            .strip_prefix(header.as_str())
            .is_some_and(|rest| rest.trim_start().is_empty() || rest.trim_start().starts_with('#'))
    };
    let lines: Vec<&str> = text.split('\n').take(line).collect();
    if !lines.last().is_some_and(|l| is_header(l)) {
        return field.to_string();
    }
    let i = lines.iter().filter(|l| is_header(l)).count() - 1;
    format!("{list}[{i}]")
}

/// The name in serde's "unknown field `x`, expected one of `a`, `b`" and the closest of
/// the expected names, if one is close.
fn unknown_field(message: &str) -> Option<(&str, Option<&str>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (name, tail) = rest.split_once('`')?;
    let known = tail.split('`').skip(1).step_by(2);
    Some((name, diag::suggest(name, known)))
}

/// serde's message for an unknown field with the closest expected field suggested:
/// "unknown field `capcity`, expected one of `id`, …" gains "; did you mean `capacity`?".
fn with_suggestion(message: &str) -> String {
    match unknown_field(message) {
        Some((_, Some(k))) => format!("{message}; did you mean `{k}`?"),
        _ => message.to_string(),
    }
}

/// The ids of the dropped items (and of the new consumers of a dropped candidate), read from
/// the file's TOML tree, so that references to them are not reported as unknown as well.
fn dropped_ids(text: &str, dropped: &[(&str, usize)]) -> std::collections::HashSet<String> {
    let mut ids = std::collections::HashSet::new();
    let Ok(doc) = toml::from_str::<toml::Table>(text) else {
        return ids;
    };
    for &(list, i) in dropped {
        let Some(item) = doc
            .get(list)
            .and_then(|v| v.as_array())
            .and_then(|a| a.get(i))
        else {
            continue;
        };
        if let Some(id) = item.get("id").and_then(|v| v.as_str()) {
            ids.insert(id.to_string());
        }
        if let Some(cs) = item.get("consumers").and_then(|v| v.as_array()) {
            for c in cs {
                if let Some(id) = c.get("id").and_then(|v| v.as_str()) {
                    ids.insert(id.to_string());
                }
            }
        }
    }
    ids
}

/// A field path of the repaired text (`consumers[2].route`) as a path of the file: the
/// index counts the dropped items back in.
fn restore_index(field: &str, dropped: &[(&str, usize)]) -> String {
    let Some(list) = diag_list(field) else {
        return field.to_string();
    };
    let rest = &field[list.len() + 1..];
    let Some((k, tail)) = rest.split_once(']') else {
        return field.to_string();
    };
    let Ok(k) = k.parse::<usize>() else {
        return field.to_string();
    };
    let gone = |i: usize| dropped.iter().any(|&(l, j)| l == list && j == i);
    let orig = (0..).filter(|&i| !gone(i)).nth(k).unwrap_or(k);
    format!("{list}[{orig}]{tail}")
}

/// The list a diagnostic's field belongs to (`producers[3].park` → `producers`).
fn diag_list(field: &str) -> Option<&'static str> {
    let head = field.split(['[', '.']).next()?;
    let rest = &field[head.len()..];
    LISTS
        .iter()
        .copied()
        .find(|l| *l == head && rest.starts_with('['))
}

/// A diagnostic on a whole file (`file:1:1: document: …`).
fn whole_file(file: &str, message: String) -> ScenarioError {
    ScenarioError::Invalid(Diagnostics(vec![Diagnostic {
        file: file.to_string(),
        line: 1,
        column: 1,
        field: "document".to_string(),
        message,
    }]))
}

/// The message for a file over its cap.
fn too_large(what: &str, cap: u64) -> String {
    format!(
        "{what} is larger than its cap of {} (see \"Caps\" in docs/format.md)",
        caps::bytes(cap)
    )
}

/// UTF-8 text of `bytes` read from `file`, or a problem located at the first invalid byte.
fn utf8(file: &str, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let prefix = std::str::from_utf8(&e.as_bytes()[..valid]).unwrap_or_default();
        let (line, column) = diag::line_col(prefix, prefix.len());
        Diagnostic {
            file: file.to_string(),
            line,
            column,
            field: "document".to_string(),
            message: "the file is not UTF-8 text".to_string(),
        }
    })
}

/// Whether the TOML file at `path` has a top-level table `key` (`strategy`, `path`): false for
/// anything unreadable (the ordinary loading reports why).
pub(crate) fn has_top_table(path: &Path, key: &str) -> bool {
    read_scenario(path)
        .ok()
        .and_then(|t| {
            let root = toml::de::DeTable::parse(&t).ok()?;
            Some(root.get_ref().iter().any(|(k, _)| k.get_ref() == key))
        })
        .unwrap_or(false)
}

/// Reads a scenario file, at most [`caps::SCENARIO_BYTES`] of it.
pub fn read_scenario(path: &Path) -> Result<String, ScenarioError> {
    let shown = path.display().to_string();
    match caps::read(path, caps::SCENARIO_BYTES) {
        Ok(caps::Capped::Bytes(b)) => {
            utf8(&shown, b).map_err(|d| ScenarioError::Invalid(Diagnostics(vec![d])))
        }
        Ok(caps::Capped::TooLarge) => Err(whole_file(
            &shown,
            too_large("the scenario file", caps::SCENARIO_BYTES),
        )),
        Err(source) => Err(ScenarioError::Io {
            path: shown,
            source,
        }),
    }
}

/// Reads and validates a scenario file.
pub fn load(path: &Path) -> Result<Loaded, ScenarioError> {
    let text = read_scenario(path)?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    load_str(&path.display().to_string(), &text, &dir)
}

/// Reads a scenario file with `overrides` applied in order (see [`overrides`] for the
/// precedence, base < override files < command line, and the path syntax); every problem
/// names the origin of the value it blames: the flag or the override file and line for an
/// overridden value, the base file and line otherwise. Without overrides, exactly [`load`].
pub fn load_with(path: &Path, overrides: &[overrides::Override]) -> Result<Loaded, ScenarioError> {
    if overrides.is_empty() {
        return load(path);
    }
    let text = read_scenario(path)?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    load_str_with(&path.display().to_string(), &text, &dir, overrides)
}

/// [`load_str`] with `overrides` applied (see [`load_with`]).
pub fn load_str_with(
    file: &str,
    text: &str,
    dir: &Path,
    overrides: &[overrides::Override],
) -> Result<Loaded, ScenarioError> {
    let Some(mut doc) = overrides::RawDoc::parse(file, text) else {
        // Not TOML: the base file's own error, located as ever.
        return load_str(file, text, dir);
    };
    // Items named by an id no inline item has go to the CSV tables' rows.
    let mut bad: Vec<Diagnostic> = Vec::new();
    let mut rows: Vec<overrides::RowOverride> = Vec::new();
    for o in overrides {
        match doc.row_override(o) {
            Some(Ok(r)) => rows.push(r),
            Some(Err(d)) => bad.push(d),
            None => bad.extend(doc.apply(o).err()),
        }
    }
    if !bad.is_empty() {
        return Err(ScenarioError::Invalid(Diagnostics(bad)));
    }
    let merged = doc.merged();
    match load_inner(file, &merged.text, dir, &rows) {
        Ok(mut loaded) => {
            loaded.warnings = std::mem::take(&mut loaded.warnings)
                .into_iter()
                .map(|w| merged.remap(w))
                .collect();
            let mut extra: Vec<String> = Vec::new();
            for o in overrides {
                if let overrides::Provenance::File { file, .. } = &o.origin {
                    if !extra.contains(file) {
                        extra.push(file.clone());
                    }
                }
            }
            loaded.files.splice(1..1, extra);
            Ok(loaded)
        }
        Err(ScenarioError::Invalid(Diagnostics(d))) => {
            let mut d: Vec<Diagnostic> = d.into_iter().map(|x| merged.remap(x)).collect();
            d.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
            d.dedup();
            Err(ScenarioError::Invalid(Diagnostics(d)))
        }
        Err(e) => Err(e),
    }
}

/// Validates scenario `text` named `file`; CSV tables are resolved against `dir`.
pub fn load_str(file: &str, text: &str, dir: &Path) -> Result<Loaded, ScenarioError> {
    load_inner(file, text, dir, &[])
}

/// [`load_str`] with overrides of CSV rows (each must find its row).
fn load_inner(
    file: &str,
    text: &str,
    dir: &Path,
    row_overrides: &[overrides::RowOverride],
) -> Result<Loaded, ScenarioError> {
    if text.len() as u64 > caps::SCENARIO_BYTES {
        return Err(whole_file(
            file,
            too_large("the scenario file", caps::SCENARIO_BYTES),
        ));
    }
    let src = TomlSource::new(file.to_string(), text);
    let parsed = parse_all(file, text, &src)?;
    let structural = parsed.diags;
    let dropped = parsed.dropped;
    let renamed = parsed.renamed;
    // With structural problems the checks below read the repaired text (same lines).
    let repaired;
    let src = if structural.is_empty() {
        &src
    } else {
        repaired = TomlSource::new(file.to_string(), &parsed.text);
        &repaired
    };
    let raw = parsed.raw;
    // Each file is hashed as (length, bytes) so that no two sets of files collide by splicing.
    let mut hasher = Sha256::new();
    hasher.update((text.len() as u64).to_le_bytes());
    hasher.update(text.as_bytes());
    let mut files = vec![file.to_string()];
    let mut csvs: Vec<CsvSource> = Vec::new();
    let mut diags = Vec::new();
    let mut tables = validate::Tables::default();
    let mut table_dropped = false;
    let table_paths = [
        ("parks", raw.tables.parks.clone()),
        ("producers", raw.tables.producers.clone()),
        ("consumers", raw.tables.consumers.clone()),
    ];
    let of = |list: &str| -> Vec<overrides::RowOverride> {
        row_overrides
            .iter()
            .filter(|o| o.list == list)
            .cloned()
            .collect()
    };
    let mut unmatched: Vec<overrides::RowOverride> = Vec::new();
    for (kind, rel) in table_paths {
        let kind_overrides = of(kind);
        let Some(rel) = rel else {
            unmatched.extend(kind_overrides);
            continue;
        };
        let mut row_ov = csv_tables::RowOverrides::new(&kind_overrides);
        let path: PathBuf = dir.join(&rel);
        let shown = path.display().to_string();
        let at = [Seg::Key("tables".into()), Seg::Key(kind.into())];
        if !csv_tables::is_csv_name(&rel) {
            diags.push(src.diag(
                &at,
                format!("{rel:?} is not a CSV table: its name must end in .csv"),
            ));
            continue;
        }
        let ctext = match caps::read(&path, caps::TABLE_BYTES) {
            Ok(caps::Capped::Bytes(b)) => match utf8(&shown, b) {
                Ok(t) => t,
                Err(d) => {
                    diags.push(d);
                    table_dropped = true;
                    continue;
                }
            },
            Ok(caps::Capped::TooLarge) => {
                diags.push(src.diag(&at, too_large(&format!("table {shown}"), caps::TABLE_BYTES)));
                table_dropped = true;
                continue;
            }
            Err(e) => {
                diags.push(src.diag(&at, format!("cannot read {shown}: {e}")));
                continue;
            }
        };
        let inside = csv_tables::inside_folder(&rel);
        hasher.update(kind.as_bytes());
        hasher.update((ctext.len() as u64).to_le_bytes());
        hasher.update(ctext.as_bytes());
        files.push(shown.clone());
        let mut csv = CsvSource::new(shown, &ctext);
        csv.echo = inside;
        let idx = csvs.len();
        let before = diags.len();
        let ro = &mut row_ov;
        let rows = match kind {
            "parks" => {
                tables.parks = csv_tables::parks(&csv, idx, &ctext, ro, &mut diags);
                tables.parks.len()
            }
            "producers" => {
                tables.producers = csv_tables::producers(&csv, idx, &ctext, ro, &mut diags);
                tables.producers.len()
            }
            _ => {
                tables.consumers = csv_tables::consumers(&csv, idx, &ctext, ro, &mut diags);
                tables.consumers.len()
            }
        };
        unmatched.extend(
            kind_overrides
                .iter()
                .zip(&row_ov.used)
                .filter(|(_, u)| !**u)
                .map(|(o, _)| o.clone()),
        );
        // A table dropped for a bad header would only cause knock-on reference errors.
        table_dropped |= rows == 0 && diags.len() > before;
        csvs.push(csv);
    }
    let table_of = |list: &str| match list {
        "parks" => raw.tables.parks.as_deref(),
        "producers" => raw.tables.producers.as_deref(),
        _ => raw.tables.consumers.as_deref(),
    };
    for o in &unmatched {
        let where_ = match table_of(o.list) {
            Some(t) => format!(" inline or in its table {t:?}"),
            None => String::new(),
        };
        diags.push(o.diag(format!("no item of {} has id \"{}\"{where_}", o.list, o.id)));
    }
    if table_dropped {
        diags.extend(structural);
        diags.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        return Err(ScenarioError::Invalid(Diagnostics(diags)));
    }
    let hash = format!("{:x}", hasher.finalize());
    let mut ctx = validate::Ctx {
        toml: src,
        csvs: &csvs,
        diags,
        dropped: dropped_ids(text, &dropped),
    };
    let built = validate::build(&raw, tables, &mut ctx);
    if !structural.is_empty() || !ctx.diags.is_empty() || built.is_none() {
        let mut d = ctx.diags;
        for x in d.iter_mut().filter(|x| x.file == file) {
            x.field = restore_index(&x.field, &dropped);
            x.column = unrename(&renamed, x.line.saturating_sub(1), x.column);
        }
        d.extend(structural);
        d.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        d.dedup();
        return Err(ScenarioError::Invalid(Diagnostics(d)));
    }
    let (region, warnings, uncertain) = built.expect("checked above");
    // The measures `[scenario] with` names are applied here: `region` is the scenario as it
    // runs, `base` the one without them (what `plan` and `run --with` start from).
    let (region, base) = if region.candidates.applied.iter().any(|&on| on) {
        let flags = region.candidates.applied.clone();
        let applied = region.candidates.region_for(&region, &flags);
        (applied, Some(Box::new(region)))
    } else {
        (region, None)
    };
    Ok(Loaded {
        region,
        base,
        uncertain,
        hash,
        files,
        warnings,
    })
}
