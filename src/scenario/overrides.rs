//! The raw scenario layer: a base document whose values keep their provenance, overrides
//! applied to it, and diagnostics of the merged document that name the origin of the value
//! they blame.
//!
//! # Precedence
//!
//! **base file < override file(s) < command line** (`--set path=value`): overrides are applied
//! in the order given, a later one replacing an earlier one of the same path; callers pass the
//! override files' values first, in file order, then the command line's
//! ([`super::load_with`]).
//!
//! # Paths
//!
//! Dotted keys as in the diagnostics: `policy.env_tax_multiplier`, `settings.circuity`,
//! `policy.route_subsidy_yuan_per_unit.sintered_bricks`. An item of a list (`[[producers]]`)
//! is named by its index, `producers[3].quantity`, or by its id, `producers.pb-ash.quantity`.
//! Keys that are not bare (letters, digits, `_`, `-`) are quoted: `producers."a.b".quantity`.
//! A path may name a value the base does not give (a default): it is added to the deepest
//! table of its path the base has (as a dotted key), and it is an error when that table has
//! no body of its own to add to (given only through sub-tables). Whole tables or list items
//! cannot be added.
//!
//! # Rows of CSV tables
//!
//! A producer, consumer or park of a CSV table (`[tables]`) is named by its id like an inline
//! one: `producers.x1.quantity`, `parks.A.landfill_capacity`, `consumers.c1.capacity`, a
//! consumer's intake by its index in the consumer's rows, `consumers.c1.accepts[0].max`. A
//! path whose id is not an inline item of its list is a [`RowOverride`], applied to the row
//! read from the table (its value in place of the cell, typed by the column); a problem with
//! that value names the override's origin, one with any other cell names the cell.

//!
//! # Values
//!
//! A TOML value (`10`, `"park:A"`, `["a", "b"]`); text that is not one is taken as a string
//! (`--set target.scope=park:A`).
//!
//! # How
//!
//! Each override is written into the base text at its value's place (or, for a value the base
//! lacks, as a new `key = value` in the deepest table of its path that exists); the merged
//! text goes through the ordinary reading and validation, and each diagnostic inside an
//! override's text is moved to that override's origin, every other one back to its line and
//! column in the base file. Without overrides nothing is rewritten.

use super::diag::{line_col, Diagnostic, Seg};
use super::{Diagnostics, ScenarioError};
use std::ops::Range;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// The lists that may come from a CSV table.
const TABLE_LISTS: &[&str] = &["parks", "producers", "consumers"];

/// An override of a row of a CSV table: `list.id.field…` where `id` is not inline.
#[derive(Debug, Clone)]
pub struct RowOverride {
    /// `parks`, `producers` or `consumers`.
    pub list: &'static str,
    pub id: String,
    /// A consumer's intake (`accepts[i]`), by its index among the consumer's rows.
    pub intake: Option<usize>,
    /// The field inside the item (or the intake): `quantity`, `attrs.CaO`.
    pub field: String,
    pub value: toml::Value,
    pub origin: Provenance,
    /// The path as given, for messages.
    pub path: String,
}

impl RowOverride {
    /// A problem with this override's value, at its origin.
    pub fn diag(&self, message: impl Into<String>) -> Diagnostic {
        self.origin.diag(&self.path, message)
    }
}

/// Where an override's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// A value of an override file, at its 1-based line and column.
    File {
        file: String,
        line: usize,
        column: usize,
    },
    /// A command-line flag `--set <arg>` (`arg` = `path=value`).
    Flag { arg: String },
}

impl Provenance {
    /// Locates a problem with the value at this origin.
    pub(super) fn diag(&self, field: &str, message: impl Into<String>) -> Diagnostic {
        let (file, line, column) = match self {
            Provenance::File { file, line, column } => (file.clone(), *line, *column),
            Provenance::Flag { arg } => {
                let shown = format!("--set {arg}");
                let at = arg.find('=').map(|i| i + 1).unwrap_or(0);
                let column = "--set ".len() + arg[..at].chars().count() + 1;
                (shown, 1, column)
            }
        };
        Diagnostic {
            file,
            line,
            column,
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// One value set over the base scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// Dotted path (see the module documentation).
    pub path: String,
    /// The value as TOML text.
    pub value: String,
    pub origin: Provenance,
}

impl Override {
    /// The override of a command-line flag `--set path=value` (`arg` is `path=value`).
    pub fn flag(arg: &str) -> Result<Override, ScenarioError> {
        let origin = Provenance::Flag {
            arg: arg.to_string(),
        };
        let Some((path, value)) = arg.split_once('=') else {
            let d = origin.diag(arg, "expected path=value");
            return Err(ScenarioError::Invalid(Diagnostics(vec![d])));
        };
        Ok(Override {
            path: path.trim().to_string(),
            value: as_toml_value(value.trim()),
            origin,
        })
    }

    /// The overrides of an override file: each value (an item of a list by its `id`).
    pub fn from_file(file: &str, text: &str) -> Result<Vec<Override>, ScenarioError> {
        let invalid = |line, column, field: &str, message: String| {
            ScenarioError::Invalid(Diagnostics(vec![Diagnostic {
                file: file.to_string(),
                line,
                column,
                field: field.to_string(),
                message,
            }]))
        };
        let root = DeTable::parse(text).map_err(|e| {
            let (line, column) = line_col(text, e.span().map(|s| s.start).unwrap_or(0));
            invalid(line, column, "document", e.message().trim().to_string())
        })?;
        let mut out = Vec::new();
        // (path prefix, table, whether it is a list item whose `id` names it)
        let mut stack: Vec<(String, &DeTable, bool)> = vec![(String::new(), root.get_ref(), false)];
        while let Some((prefix, table, is_item)) = stack.pop() {
            for (k, v) in table.iter() {
                if is_item && k.get_ref() == "id" {
                    continue;
                }
                let path = join(&prefix, &key_text(k.get_ref()));
                match v.get_ref() {
                    DeValue::Table(t) => stack.push((path, t, false)),
                    DeValue::Array(a) if a.iter().any(|e| is_table(e.get_ref())) => {
                        for e in a.iter() {
                            let DeValue::Table(t) = e.get_ref() else {
                                continue;
                            };
                            let Some(id) = t.get("id").and_then(|v| match v.get_ref() {
                                DeValue::String(s) => Some(s.to_string()),
                                _ => None,
                            }) else {
                                let (line, column) = line_col(text, e.span().start);
                                return Err(invalid(
                                    line,
                                    column,
                                    &path,
                                    "an overriding list item names its item by `id`".into(),
                                ));
                            };
                            stack.push((join(&path, &key_text(&id)), t, true));
                        }
                    }
                    _ => {
                        let (line, column) = line_col(text, v.span().start);
                        out.push(Override {
                            path,
                            value: text[v.span()].to_string(),
                            origin: Provenance::File {
                                file: file.to_string(),
                                line,
                                column,
                            },
                        });
                    }
                }
            }
        }
        // In document order, so that a later value of the same path wins.
        out.sort_by_key(|o| match &o.origin {
            Provenance::File { line, column, .. } => (*line, *column),
            Provenance::Flag { .. } => (0, 0),
        });
        Ok(out)
    }
}

fn is_table(v: &DeValue) -> bool {
    matches!(v, DeValue::Table(_))
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn is_bare(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A key as written in a path or a TOML document (quoted unless bare).
fn key_text(k: &str) -> String {
    if is_bare(k) {
        k.to_string()
    } else {
        toml::Value::String(k.to_string()).to_string()
    }
}

/// `value` if it is one TOML value, else `value` as a TOML string.
fn as_toml_value(value: &str) -> String {
    match toml::from_str::<toml::Table>(&format!("v = {value}")) {
        Ok(t) if t.len() == 1 && !value.contains('\n') => value.to_string(),
        _ => toml::Value::String(value.to_string()).to_string(),
    }
}

/// One segment of an override path.
#[derive(Debug, Clone, PartialEq)]
enum PathSeg {
    Key(String),
    Index(usize),
}

/// Parses `a.b[2]."c.d"` into segments.
fn parse_path(path: &str) -> Result<Vec<PathSeg>, String> {
    let mut out = Vec::new();
    let mut chars = path.chars().peekable();
    loop {
        let mut key = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some(c) => key.push(c),
                    None => return Err("unterminated quoted key".into()),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == '.' || c == '[' {
                    break;
                }
                key.push(c);
                chars.next();
            }
            if !is_bare(&key) {
                return Err(format!("`{key}` is not a key (quote it)"));
            }
        }
        out.push(PathSeg::Key(key));
        while chars.peek() == Some(&'[') {
            chars.next();
            let n: String = chars.by_ref().take_while(|&c| c != ']').collect();
            let i = n.parse().map_err(|_| format!("`[{n}]` is not an index"))?;
            out.push(PathSeg::Index(i));
        }
        match chars.next() {
            None => return Ok(out),
            Some('.') => {}
            Some(c) => return Err(format!("unexpected `{c}`")),
        }
    }
}

/// One change of the base text.
#[derive(Debug, Clone)]
struct Edit {
    /// Byte range of the base text replaced (empty for an insertion).
    base: Range<usize>,
    text: String,
    /// The override's path as resolved (`producers[3].quantity`), for later ones to replace.
    resolved: String,
    origin: Provenance,
}

/// A base scenario document with overrides applied.
pub struct RawDoc<'a> {
    file: String,
    text: &'a str,
    root: Spanned<DeTable<'a>>,
    edits: Vec<Edit>,
}

/// The merged text and where each override's text lies in it.
pub struct Merged {
    pub text: String,
    file: String,
    base: String,
    /// Per edit: its range in the merged text, the size change so far after it, its origin.
    spans: Vec<(Range<usize>, isize, Provenance)>,
}

impl<'a> RawDoc<'a> {
    /// Parses the base document; `None` if it is not TOML (the ordinary reading reports why).
    pub fn parse(file: &str, text: &'a str) -> Option<RawDoc<'a>> {
        Some(RawDoc {
            file: file.to_string(),
            text,
            root: DeTable::parse(text).ok()?,
            edits: Vec::new(),
        })
    }

    /// The override as a [`RowOverride`] when it names an item of `parks`, `producers` or
    /// `consumers` by an id that no inline item has (so a CSV table's row, if any); `Err` for
    /// such a path that is malformed.
    pub fn row_override(&self, o: &Override) -> Option<Result<RowOverride, Diagnostic>> {
        let segs = parse_path(&o.path).ok()?;
        let (PathSeg::Key(list), Some(PathSeg::Key(id))) = (&segs[0], segs.get(1)) else {
            return None;
        };
        let list = *TABLE_LISTS.iter().find(|l| **l == list)?;
        let inline = self
            .root
            .get_ref()
            .iter()
            .find(|(k, _)| k.get_ref() == list)
            .is_some_and(|(_, v)| match v.get_ref() {
                DeValue::Array(a) => a.iter().any(|e| match e.get_ref() {
                    DeValue::Table(t) => t
                        .get("id")
                        .is_some_and(|v| matches!(v.get_ref(), DeValue::String(s) if s == id)),
                    _ => false,
                }),
                _ => true,
            });
        if inline {
            return None;
        }
        let bad = |m: String| Some(Err(o.origin.diag(&o.path, m)));
        let mut rest = &segs[2..];
        let mut intake = None;
        if list == "consumers" {
            if let [PathSeg::Key(k), PathSeg::Index(i), tail @ ..] = rest {
                if k == "accepts" {
                    intake = Some(*i);
                    rest = tail;
                }
            }
        }
        let mut keys = Vec::new();
        for s in rest {
            match s {
                PathSeg::Key(k) => keys.push(k.as_str()),
                PathSeg::Index(_) => {
                    return bad(format!(
                        "{list}.{id}: an index names only a consumer's intake (`accepts[0]`)"
                    ))
                }
            }
        }
        if keys.is_empty() {
            return bad(format!("{list}.{id} is a table; set its values one by one"));
        }
        let value = match toml::from_str::<toml::Table>(&format!("v = {}", o.value)) {
            Ok(mut t) => t.remove("v").expect("parsed above"),
            Err(_) => toml::Value::String(o.value.clone()),
        };
        Some(Ok(RowOverride {
            list,
            id: id.clone(),
            intake,
            field: keys.join("."),
            value,
            origin: o.origin.clone(),
            path: o.path.clone(),
        }))
    }

    /// Where `o` lands and what the base gives there: (the path as resolved, the base's value
    /// as TOML text, `None` where the base gives none: a default). `None` when the path names
    /// nothing it could set (the ordinary loading reports why).
    pub fn base_value(&self, o: &Override) -> Option<(String, Option<String>)> {
        let segs = parse_path(&o.path).ok()?;
        let (resolved, base, _) = self.resolve(&segs, &o.value).ok()?;
        let value = (!base.is_empty()).then(|| self.text[base].trim().to_string());
        Some((shown(&resolved), value))
    }

    /// Applies one override; a path that names nothing it could set is an error at the
    /// override's origin.
    pub fn apply(&mut self, o: &Override) -> Result<(), Diagnostic> {
        let segs = parse_path(&o.path).map_err(|m| o.origin.diag(&o.path, m))?;
        let (resolved, base, text) = self
            .resolve(&segs, &o.value)
            .map_err(|m| o.origin.diag(&o.path, m))?;
        let added = base.is_empty();
        let before = self.edits.clone();
        self.edits.retain(|e| e.resolved != shown(&resolved));
        self.edits.push(Edit {
            base,
            text,
            resolved: shown(&resolved),
            origin: o.origin.clone(),
        });
        // An added key must land in its table (a table given only through its sub-tables or
        // dotted keys elsewhere has no place of its own to write to).
        if added && !self.lands(&resolved) {
            self.edits = before;
            let parent = shown(&resolved[..resolved.len() - 1]);
            return Err(o.origin.diag(
                &o.path,
                format!("cannot add this value: the base file has no body of table `{parent}` to add it to; give the value in the base file"),
            ));
        }
        Ok(())
    }

    /// Whether the merged text holds a value at `path`.
    fn lands(&self, path: &[Seg]) -> bool {
        let Ok(mut v) = toml::from_str::<toml::Value>(&self.merged().text) else {
            return false;
        };
        for seg in path {
            let next = match seg {
                Seg::Key(k) => v.get(k.as_str()).cloned(),
                Seg::Index(i) => v.get(*i).cloned(),
            };
            match next {
                Some(n) => v = n,
                None => return false,
            }
        }
        true
    }

    /// The provenance of the value at `path` (a diagnostic's field path): the override that
    /// set it (or a table holding it), else its place in the base file.
    pub fn origin_of(&self, path: &[Seg]) -> Provenance {
        let p = shown(path);
        if let Some(e) = self
            .edits
            .iter()
            .rev()
            .find(|e| e.resolved == p || p.starts_with(&format!("{}.", e.resolved)))
        {
            return e.origin.clone();
        }
        let d = super::diag::TomlSource::new(self.file.clone(), self.text).diag(path, "");
        Provenance::File {
            file: d.file,
            line: d.line,
            column: d.column,
        }
    }

    /// Finds where `value` goes: (resolved path, base range to replace, text to write).
    fn resolve(
        &self,
        segs: &[PathSeg],
        value: &str,
    ) -> Result<(Vec<Seg>, Range<usize>, String), String> {
        let mut resolved: Vec<Seg> = Vec::new();
        let mut table: &DeTable = self.root.get_ref();
        let mut table_span: Option<Range<usize>> = None;
        let mut i = 0;
        while i < segs.len() {
            let PathSeg::Key(k) = &segs[i] else {
                return Err(format!(
                    "{} is not a list",
                    super::diag::path_string(&resolved)
                ));
            };
            let Some((_, v)) = table.iter().find(|(key, _)| key.get_ref() == k) else {
                // Not in the base: added to the deepest existing table as a dotted key.
                let rest: Vec<String> = segs[i..]
                    .iter()
                    .map(|s| match s {
                        PathSeg::Key(k) => Ok(key_text(k)),
                        PathSeg::Index(_) => Err(()),
                    })
                    .collect::<Result<_, _>>()
                    .map_err(|_| {
                        if resolved.is_empty() {
                            // A top-level list (`uncertain[0]` without `[[uncertain]]`): the
                            // scenario itself, never a blank name.
                            format!("the scenario has no [[{}]] list to index", key_text(k))
                        } else {
                            format!("{} has no list `{k}` to index", shown(&resolved))
                        }
                    })?;
                for s in &segs[i..] {
                    if let PathSeg::Key(k) = s {
                        resolved.push(Seg::Key(k.clone()));
                    }
                }
                let (at, text) = self.insertion(table, table_span.clone(), &rest.join("."), value);
                return Ok((resolved, at..at, text));
            };
            resolved.push(Seg::Key(k.clone()));
            i += 1;
            let mut v = v;
            // A list: the next segment picks an item by index or by id.
            if let DeValue::Array(a) = v.get_ref() {
                if a.iter().any(|e| is_table(e.get_ref())) {
                    let (n, e) = match segs.get(i) {
                        Some(PathSeg::Index(n)) => (
                            *n,
                            a.get(*n).ok_or_else(|| {
                                format!(
                                    "{} has {} items; there is no [{n}]",
                                    shown(&resolved),
                                    a.len()
                                )
                            })?,
                        ),
                        Some(PathSeg::Key(id)) => a
                            .iter()
                            .enumerate()
                            .find(|(_, e)| match e.get_ref() {
                                DeValue::Table(t) => t.get("id").is_some_and(
                                    |v| matches!(v.get_ref(), DeValue::String(s) if s == id),
                                ),
                                _ => false,
                            })
                            .ok_or_else(|| {
                                format!("no item of {} has id \"{id}\"", shown(&resolved))
                            })?,
                        None => {
                            return Err(format!(
                                "{} is a list; name one item's value",
                                shown(&resolved)
                            ))
                        }
                    };
                    resolved.push(Seg::Index(n));
                    i += 1;
                    v = e;
                }
            }
            match v.get_ref() {
                DeValue::Table(t) => {
                    table = t;
                    table_span = Some(v.span());
                    if i == segs.len() {
                        return Err(format!(
                            "{} is a table; set its values one by one",
                            shown(&resolved)
                        ));
                    }
                }
                _ if i == segs.len() => {
                    return Ok((resolved, v.span(), value.to_string()));
                }
                _ => return Err(format!("{} is a value, not a table", shown(&resolved))),
            }
        }
        Err("empty path".into())
    }

    /// Where and how to add `key = value` to `table` (spanning `span`; `None` for the root).
    fn insertion(
        &self,
        table: &DeTable,
        span: Option<Range<usize>>,
        key: &str,
        value: &str,
    ) -> (usize, String) {
        let text = self.text;
        if let Some(s) = &span {
            if text[s.clone()].starts_with('{') {
                let inner = &text[s.start + 1..s.end.saturating_sub(1)];
                let sep = if inner.trim().is_empty() { " " } else { ", " };
                return (s.start + 1, format!(" {key} = {value}{sep}"));
            }
        }
        let first = table.iter().map(|(k, _)| k.span().start).min();
        let at = match (first, &span) {
            (Some(f), _) => text[..f].rfind('\n').map(|i| i + 1).unwrap_or(0),
            (None, Some(s)) => text[s.start..]
                .find('\n')
                .map(|i| s.start + i + 1)
                .unwrap_or(text.len()),
            (None, None) => 0,
        };
        let lead = if at == text.len() && !text.ends_with('\n') && at > 0 {
            "\n"
        } else {
            ""
        };
        (at, format!("{lead}{key} = {value}\n"))
    }

    /// The base text with every override written in.
    pub fn merged(&self) -> Merged {
        let mut edits: Vec<&Edit> = self.edits.iter().collect();
        edits.sort_by_key(|e| e.base.start);
        let mut text = String::with_capacity(self.text.len() + 64);
        let mut spans = Vec::new();
        let mut pos = 0;
        for e in edits {
            text.push_str(&self.text[pos..e.base.start]);
            let start = text.len();
            text.push_str(&e.text);
            let delta = text.len() as isize - e.base.end as isize;
            spans.push((start..text.len(), delta, e.origin.clone()));
            pos = e.base.end;
        }
        text.push_str(&self.text[pos..]);
        Merged {
            text,
            file: self.file.clone(),
            base: self.text.to_string(),
            spans,
        }
    }
}

fn shown(path: &[Seg]) -> String {
    super::diag::path_string(path)
}

impl Merged {
    /// Moves a diagnostic of the merged text to the origin of the value it blames.
    pub fn remap(&self, d: Diagnostic) -> Diagnostic {
        if d.file != self.file || self.spans.is_empty() {
            return d;
        }
        let off = offset_of(&self.text, d.line, d.column);
        let mut delta = 0isize;
        for (span, after, origin) in &self.spans {
            if span.contains(&off) || (span.is_empty() && off == span.start) {
                return origin.diag(&d.field, d.message);
            }
            if span.end <= off {
                delta = *after;
            }
        }
        let base_off = (off as isize - delta).clamp(0, self.base.len() as isize) as usize;
        let (line, column) = line_col(&self.base, base_off);
        Diagnostic { line, column, ..d }
    }
}

/// Byte offset of 1-based `line` and character `column` in `text`.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split('\n')
        .take(line.saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum();
    let rest = &text[start.min(text.len())..];
    start
        + rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map(|(b, _)| b)
            .unwrap_or(rest.len())
}

/// The `scenario.with` override that adds `ids` (in order, each once) to the list in force
/// after `overrides` (the last `scenario.with` among them, else `base_text`'s `[scenario]
/// with`), located at `origin`: how a strategy's and a path's measures join the scenario's.
pub fn with_added<'a>(
    overrides: &[Override],
    base_text: &str,
    ids: impl IntoIterator<Item = &'a str>,
    origin: Provenance,
) -> Override {
    let own = overrides
        .iter()
        .rev()
        .find(|o| o.path == "scenario.with")
        .and_then(|o| toml::from_str::<toml::Table>(&format!("v = {}", o.value)).ok())
        .and_then(|mut t| t.remove("v"));
    let base = toml::from_str::<toml::Table>(base_text)
        .ok()
        .and_then(|t| t.get("scenario")?.get("with").cloned());
    let mut list: Vec<String> = match own.or(base) {
        Some(toml::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    for id in ids {
        if !list.iter().any(|x| x == id) {
            list.push(id.to_string());
        }
    }
    let value = toml::Value::Array(list.into_iter().map(toml::Value::String).collect());
    Override {
        path: "scenario.with".into(),
        value: value.to_string(),
        origin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_keys_indexes_and_quoted_keys() {
        use PathSeg::{Index, Key};
        assert_eq!(
            parse_path("producers[3].quantity").unwrap(),
            vec![Key("producers".into()), Index(3), Key("quantity".into())]
        );
        assert_eq!(
            parse_path("producers.\"a.b\".attrs.CaO").unwrap(),
            vec![
                Key("producers".into()),
                Key("a.b".into()),
                Key("attrs".into()),
                Key("CaO".into())
            ]
        );
        assert!(parse_path("policy..x").is_err());
        assert!(parse_path("a[x]").is_err());
    }

    #[test]
    fn values_that_are_not_toml_are_strings() {
        assert_eq!(as_toml_value("10"), "10");
        assert_eq!(as_toml_value("[\"a\", \"b\"]"), "[\"a\", \"b\"]");
        assert_eq!(as_toml_value("park:A"), "\"park:A\"");
        let injected = as_toml_value("1\nx = 2");
        let t: toml::Table = toml::from_str(&format!("v = {injected}")).unwrap();
        assert_eq!((t.len(), t["v"].as_str()), (1, Some("1\nx = 2")));
    }

    #[test]
    fn values_are_added_to_inline_tables_and_missing_tables() {
        let base = "[[producers]]\nid = \"p\"\nattrs = { CaO = 1.0 }\n";
        let mut doc = RawDoc::parse("b.toml", base).unwrap();
        for arg in ["producers.p.attrs.SiO2=2", "policy.env_tax_multiplier=3"] {
            doc.apply(&Override::flag(arg).unwrap()).unwrap();
        }
        let m = doc.merged();
        let t: toml::Table = toml::from_str(&m.text).unwrap();
        assert_eq!(t["producers"][0]["attrs"]["SiO2"].as_integer(), Some(2));
        assert_eq!(t["policy"]["env_tax_multiplier"].as_integer(), Some(3));
        // A position after the insertions maps back to the base.
        let d = Diagnostic {
            file: "b.toml".into(),
            line: 4,
            column: 1,
            field: "x".into(),
            message: "m".into(),
        };
        assert_eq!(m.remap(d).line, 3);
        let at = |p: &str| {
            doc.origin_of(&[
                Seg::Key("producers".into()),
                Seg::Index(0),
                Seg::Key(p.into()),
            ])
        };
        assert_eq!(
            at("id"),
            Provenance::File {
                file: "b.toml".into(),
                line: 2,
                column: 6
            }
        );
    }

    #[test]
    fn a_value_that_cannot_be_placed_is_an_error_at_its_origin() {
        // `policy` exists only through its sub-table: no body to add a key to.
        let base = "[scenario]\nname = \"x\"\n\n[policy.route_subsidy_yuan_per_unit]\nr = 1.0\n";
        let mut doc = RawDoc::parse("b.toml", base).unwrap();
        let o = Override::flag("policy.env_tax_multiplier=3").unwrap();
        let e = doc.apply(&o).unwrap_err();
        assert!(e.file.starts_with("--set "), "{e:?}");
        assert!(doc.merged().text == base);
        // An empty table takes the key after its header.
        let base = "[policy]\n\n[scenario]\nname = \"x\"\n";
        let mut doc = RawDoc::parse("b.toml", base).unwrap();
        doc.apply(&o).unwrap();
        let t: toml::Table = toml::from_str(&doc.merged().text).unwrap();
        assert_eq!(t["policy"]["env_tax_multiplier"].as_integer(), Some(3));
    }
}
