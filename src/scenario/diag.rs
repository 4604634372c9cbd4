//! Diagnostics with file, line, column and field; locating fields in TOML and CSV sources.

use crate::model::text::escape;
use std::fmt;
use std::ops::Range;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// One problem found in a scenario, located precisely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Dotted path of the field (`producers[3].park`) or CSV column name.
    pub field: String,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Escaped: an id, a path or a cell may hold terminal escape sequences or newlines.
        write!(
            f,
            "{}:{}:{}: {}: {}",
            escape(&self.file),
            self.line,
            self.column,
            escape(&self.field),
            escape(&self.message)
        )
    }
}

/// A number as messages print it: plainly when moderate (`0.35`, `2000000`), in scientific
/// notation when very large or very small (`1e308`, `2.5e-9`), never as hundreds of digits.
pub fn num(v: f64) -> String {
    let a = v.abs();
    if !v.is_finite() || a == 0.0 || (1e-4..1e9).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// A serde message with the floats it quotes printed by [`num`]: serde writes a float in full
/// ("invalid type: floating point `1000…0.0`, expected i32", 300 digits for 1e300).
pub fn short_floats(message: &str) -> String {
    const AT: &str = "floating point `";
    let mut out = String::with_capacity(message.len().min(256));
    let mut rest = message;
    while let Some(i) = rest.find(AT) {
        let (head, tail) = rest.split_at(i + AT.len());
        out.push_str(head);
        match tail.split_once('`') {
            Some((v, after)) if v.parse::<f64>().is_ok() => {
                let mut n = num(v.parse::<f64>().unwrap_or(0.0));
                if !n.contains(['.', 'e', 'i', 'N']) {
                    n.push_str(".0");
                }
                out.push_str(&n);
                out.push('`');
                rest = after;
            }
            _ => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

/// The longest name, in bytes, for which [`suggest`] looks for a close known name.
pub const SUGGEST_BYTES: usize = 256;

/// The known name closest to `name` by edit distance (optimal string alignment: a dropped,
/// added, changed or swapped character costs 1), when it is close enough to be a likely
/// misspelling: at most 2 edits, at most a third of the name's length (3 characters
/// counting as at least 3), and fewer edits than the name has characters. Ties go to the
/// name that sorts first, so the suggestion does not depend on the order of `known`.
pub fn suggest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    // Two edits change the length by at most 2 characters (8 bytes); a long name is not a
    // misspelling worth the quadratic distance.
    if name.len() > SUGGEST_BYTES {
        return None;
    }
    let len = name.chars().count();
    known
        .into_iter()
        .filter(|k| *k != name && k.len().abs_diff(name.len()) <= 8)
        .map(|k| (strsim::osa_distance(name, k), k))
        .filter(|&(d, _)| d <= 2 && 3 * d <= len.max(3) && d < len)
        .min()
        .map(|(_, k)| k)
}

/// A path segment inside a TOML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Renders a path as `producers[3].park`.
pub fn path_string(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

/// A TOML source with its span tree, to turn field paths into positions.
pub struct TomlSource<'a> {
    pub file: String,
    pub text: &'a str,
    root: Option<Spanned<DeTable<'a>>>,
}

impl<'a> TomlSource<'a> {
    pub fn new(file: String, text: &'a str) -> Self {
        let root = DeTable::parse(text).ok();
        TomlSource { file, text, root }
    }

    /// Span of the deepest existing element along `path` (the key's span for a missing child,
    /// so that "field missing" points at its table).
    pub fn span_of(&self, path: &[Seg]) -> Range<usize> {
        let Some(root) = &self.root else { return 0..0 };
        let mut span = 0..0;
        let mut table: Option<&DeTable> = Some(root.get_ref());
        let mut value: Option<&DeValue> = None;
        for seg in path {
            let next = match (seg, table, value) {
                (Seg::Key(k), Some(t), _) => t
                    .iter()
                    .find(|(key, _)| key.get_ref().as_ref() == k.as_str())
                    .map(|(key, v)| (key.span(), v)),
                (Seg::Key(k), None, Some(DeValue::Table(t))) => t
                    .iter()
                    .find(|(key, _)| key.get_ref().as_ref() == k.as_str())
                    .map(|(key, v)| (key.span(), v)),
                (Seg::Index(i), _, Some(DeValue::Array(a))) => a.get(*i).map(|v| (v.span(), v)),
                _ => None,
            };
            match next {
                Some((key_span, v)) => {
                    // Point at the value for leaves, at the key/element for containers.
                    span = match v.get_ref() {
                        DeValue::Table(_) | DeValue::Array(_) => key_span,
                        _ => v.span(),
                    };
                    table = None;
                    value = Some(v.get_ref());
                }
                None => break,
            }
        }
        span
    }

    /// A diagnostic at the end of the document (for something missing from the whole file).
    pub fn diag_at_end(&self, field: &str, message: impl Into<String>) -> Diagnostic {
        let (line, column) = line_col(self.text, self.text.len());
        Diagnostic {
            file: self.file.clone(),
            line,
            column,
            field: field.to_string(),
            message: message.into(),
        }
    }

    pub fn diag(&self, path: &[Seg], message: impl Into<String>) -> Diagnostic {
        let span = self.span_of(path);
        let (line, column) = line_col(self.text, span.start);
        Diagnostic {
            file: self.file.clone(),
            line,
            column,
            field: path_string(path),
            message: message.into(),
        }
    }

    /// Every key of the document with its path, key span and value span, in document order.
    fn entries(&self) -> Vec<(Vec<Seg>, Range<usize>, Range<usize>)> {
        fn walk_value<'a>(
            v: &Spanned<DeValue<'a>>,
            path: &mut Vec<Seg>,
            out: &mut Vec<(Vec<Seg>, Range<usize>, Range<usize>)>,
        ) {
            match v.get_ref() {
                DeValue::Table(t) => walk_table(t, path, out),
                DeValue::Array(a) => {
                    for (i, e) in a.iter().enumerate() {
                        path.push(Seg::Index(i));
                        walk_value(e, path, out);
                        path.pop();
                    }
                }
                _ => {}
            }
        }
        fn walk_table<'a>(
            t: &DeTable<'a>,
            path: &mut Vec<Seg>,
            out: &mut Vec<(Vec<Seg>, Range<usize>, Range<usize>)>,
        ) {
            for (k, v) in t.iter() {
                path.push(Seg::Key(k.get_ref().to_string()));
                out.push((path.clone(), k.span(), v.span()));
                walk_value(v, path, out);
                path.pop();
            }
        }
        let mut out = Vec::new();
        if let Some(root) = &self.root {
            walk_table(root.get_ref(), &mut Vec::new(), &mut out);
        }
        out
    }

    /// Whether the document holds a key at `path`.
    pub fn has(&self, path: &[Seg]) -> bool {
        self.entries().iter().any(|(p, _, _)| p == path)
    }

    /// The lines (0-based, first and last) of the plain `key = value` whose key starts at
    /// byte `key_start`, when nothing else shares them (no other key, at most a comment after
    /// the value): the lines an unknown key can be commented out by alone. `None` for a key
    /// inside an inline table, a dotted key or a table header.
    pub fn own_lines(&self, key_start: usize) -> Option<(usize, usize)> {
        let (_, key, value) = self
            .entries()
            .into_iter()
            .find(|(_, k, _)| k.start == key_start)?;
        let text = self.text;
        let line_start = text[..key.start].rfind('\n').map_or(0, |i| i + 1);
        let between = text.get(key.end..value.start)?;
        let after_end = text[value.end..]
            .find('\n')
            .map_or(text.len(), |i| value.end + i);
        let after = text[value.end..after_end].trim_start();
        let alone = text[line_start..key.start].trim().is_empty()
            && between.trim() == "="
            && (after.is_empty() || after.starts_with('#'));
        alone.then(|| {
            let first = text[..key.start].matches('\n').count();
            let last = text[..value.end].matches('\n').count();
            (first, last)
        })
    }

    /// Locates a serde error at byte `offset`: the field path and the offset to report.
    /// An unknown field is located on its key; otherwise the deepest value containing the
    /// offset, or (for errors reported at a table header) the table that follows it.
    pub fn locate_error(&self, offset: usize, message: &str) -> (Vec<Seg>, usize) {
        let entries = self.entries();
        if let Some(name) = message
            .strip_prefix("unknown field `")
            .and_then(|r| r.split('`').next())
        {
            if let Some((path, key, _)) = entries
                .iter()
                .filter(|(p, k, _)| {
                    k.start >= offset && matches!(p.last(), Some(Seg::Key(n)) if n == name)
                })
                .min_by_key(|(_, k, _)| k.start)
            {
                return (path.clone(), key.start);
            }
        }
        if let Some((path, _, _)) = entries
            .iter()
            .filter(|(_, k, v)| v.contains(&offset) || k.contains(&offset))
            .max_by_key(|(p, _, _)| p.len())
        {
            return (path.clone(), offset);
        }
        if let Some((path, _, _)) = entries
            .iter()
            .filter(|(_, k, _)| k.start >= offset)
            .min_by_key(|(_, k, _)| k.start)
        {
            let mut parent = path.clone();
            parent.pop();
            return (parent, offset);
        }
        (Vec::new(), offset)
    }
}

/// A CSV source: raw lines, to turn (record line, column index) into a character column.
pub struct CsvSource {
    pub file: String,
    pub lines: Vec<String>,
    /// Whether messages may quote the file's text (a column name, a bad cell): only for a
    /// table inside the scenario's folder, so that a path naming some other file never
    /// prints what that file holds.
    pub echo: bool,
}

impl CsvSource {
    pub fn new(file: String, text: &str) -> Self {
        CsvSource {
            file,
            lines: text.lines().map(str::to_string).collect(),
            echo: true,
        }
    }

    /// Character column where field `index` starts on 1-based `line`.
    pub fn column_of(&self, line: usize, index: usize) -> usize {
        let Some(raw) = self.lines.get(line.wrapping_sub(1)) else {
            return 1;
        };
        let mut field = 0;
        let mut in_quotes = false;
        for (col, ch) in raw.chars().enumerate() {
            if field == index {
                return col + 1;
            }
            match ch {
                '"' => in_quotes = !in_quotes,
                ',' if !in_quotes => field += 1,
                _ => {}
            }
        }
        raw.chars().count() + 1
    }

    pub fn diag(
        &self,
        line: usize,
        index: usize,
        column_name: &str,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            file: self.file.clone(),
            line,
            column: self.column_of(line, index),
            field: column_name.to_string(),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_close_names_only() {
        let fields = ["id", "name", "park", "route", "capacity", "load_factor"];
        assert_eq!(suggest("capcity", fields), Some("capacity"));
        assert_eq!(suggest("capacty", fields), Some("capacity"));
        assert_eq!(suggest("cpaacity", fields), Some("capacity"));
        assert_eq!(suggest("loadfactor", fields), Some("load_factor"));
        assert_eq!(suggest("rout", fields), Some("route"));
        // Too far: three edits, or most of a short name.
        assert_eq!(suggest("cap", fields), None);
        assert_eq!(suggest("xyz", fields), None);
        assert_eq!(suggest("throughput", fields), None);
        // One-character ids suggest nothing (any other one is one edit away).
        assert_eq!(suggest("C", ["A", "B"]), None);
        // An exact name is not a suggestion of itself; ties go to the first in order.
        assert_eq!(suggest("id", ["id"]), None);
        assert_eq!(suggest("ab", ["ac", "aa"]), Some("aa"));
        assert_eq!(suggest("abcd", ["abce", "abcf"]), Some("abce"));
        assert_eq!(suggest("abcd", ["abcf", "abce"]), Some("abce"));
        assert_eq!(
            suggest("roadbase", ["road_base", "rail"]),
            Some("road_base")
        );
    }

    #[test]
    fn numbers_print_short() {
        assert_eq!(num(1e308), "1e308");
        assert_eq!(num(-1e200), "-1e200");
        assert_eq!(num(2e9), "2e9");
        assert_eq!(num(0.35), "0.35");
        assert_eq!(num(150.0), "150");
        assert_eq!(num(1.5e-7), "1.5e-7");
        assert_eq!(num(f64::NAN), "NaN");
    }

    /// serde's own messages quote floats in full: 1e300 was 300 digits (issue #19).
    #[test]
    fn serde_messages_quote_floats_short() {
        let long = format!(
            "invalid type: floating point `1{}.0`, expected i32",
            "0".repeat(300)
        );
        assert_eq!(
            short_floats(&long),
            "invalid type: floating point `1e300`, expected i32"
        );
        assert_eq!(
            short_floats("invalid type: floating point `2.0`, expected i32"),
            "invalid type: floating point `2.0`, expected i32"
        );
        assert_eq!(
            short_floats("floating point `-0.5` and floating point `x`"),
            "floating point `-0.5` and floating point `x`"
        );
        assert_eq!(short_floats("no numbers here"), "no numbers here");
    }

    #[test]
    fn line_col_counts_characters() {
        let t = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_col(t, 0), (1, 1));
        let off = t.find('"').unwrap();
        assert_eq!(line_col(t, off), (2, 6));
    }

    #[test]
    fn spans_of_nested_fields() {
        let t = "[scenario]\nname = \"x\"\n\n[[producers]]\nid = \"a\"\n\n[[producers]]\nid = \"b\"\npark = \"P9\"\n";
        let src = TomlSource::new("f.toml".into(), t);
        let d = src.diag(
            &[
                Seg::Key("producers".into()),
                Seg::Index(1),
                Seg::Key("park".into()),
            ],
            "bad",
        );
        assert_eq!((d.line, d.column), (9, 8));
        assert_eq!(d.field, "producers[1].park");
        assert_eq!(d.to_string(), "f.toml:9:8: producers[1].park: bad");
    }

    #[test]
    fn own_lines_of_plain_keys_only() {
        let t = "[[c]]\nid = \"a\" # x\nxs = [\n  1,\n  2,\n]\nt = { a = 1 }\nu.v = 2\n";
        let src = TomlSource::new("f.toml".into(), t);
        assert_eq!(src.own_lines(t.find("id").unwrap()), Some((1, 1)));
        assert_eq!(src.own_lines(t.find("xs").unwrap()), Some((2, 5)));
        assert_eq!(src.own_lines(t.find("t =").unwrap()), Some((6, 6)));
        // Inside an inline table, or a dotted key: not alone on its lines.
        assert_eq!(src.own_lines(t.find("a = 1").unwrap()), None);
        assert_eq!(src.own_lines(t.find("u.v").unwrap()), None);
    }

    #[test]
    fn csv_columns_respect_quotes() {
        let c = CsvSource::new("p.csv".into(), "id,name,park\na,\"x, y\",P9\n");
        assert_eq!(c.column_of(2, 2), 10);
        assert_eq!(c.column_of(2, 0), 1);
    }
}
