//! The shared problem collector and the checks every section uses: field ranges, id indexes
//! with duplicate detection, and reference look-ups.

use super::super::diag::{num, CsvSource, Diagnostic, Seg, TomlSource};
use super::super::Origin;
use crate::model::text;
use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// The collector every section pushes its problems into.
pub struct Ctx<'a> {
    pub toml: &'a TomlSource<'a>,
    pub csvs: &'a [CsvSource],
    pub diags: Vec<Diagnostic>,
    /// Ids of the items dropped for a structural error (a wrong type, a missing field): a
    /// reference to one of them is not reported again as naming something that does not exist.
    pub dropped: HashSet<String>,
}

impl Ctx<'_> {
    /// Records `message` about `field` (a dotted key path, relative to the item) of an item.
    pub fn err(&mut self, origin: &Origin, field: &str, message: impl Into<String>) {
        let d = self.at(origin, field, message);
        self.diags.push(d);
    }

    /// `file:line:column` of `field` of an item (to name a second location in a message).
    pub fn position(&self, origin: &Origin, field: &str) -> String {
        let d = self.at(origin, field, "");
        format!("{}:{}:{}", d.file, d.line, d.column)
    }

    /// The diagnostic [`Ctx::err`] records, without recording it.
    pub fn at(&self, origin: &Origin, field: &str, message: impl Into<String>) -> Diagnostic {
        match origin {
            Origin::Toml(path) => {
                let mut p = path.clone();
                for part in field.split('.').filter(|s| !s.is_empty()) {
                    p.push(Seg::Key(part.to_string()));
                }
                self.toml.diag(&p, message)
            }
            Origin::Csv {
                file,
                line,
                columns,
                set,
            } => {
                if let Some(o) = set
                    .iter()
                    .rev()
                    .find(|o| field == o.field || field.starts_with(&format!("{}.", o.field)))
                {
                    return o.diag(message);
                }
                let csv = &self.csvs[*file];
                let col = field.rsplit('.').next().unwrap_or(field);
                let idx = columns
                    .iter()
                    .position(|c| c == col || c.ends_with(&format!(":{col}")))
                    .unwrap_or(0);
                let name = columns.get(idx).cloned().unwrap_or_else(|| col.to_string());
                csv.diag(*line, idx, &name, message)
            }
        }
    }

    pub fn finite(&mut self, o: &Origin, field: &str, v: f64) -> bool {
        if v.is_finite() {
            true
        } else {
            self.err(o, field, format!("must be a finite number, got {}", num(v)));
            false
        }
    }

    pub fn non_negative(&mut self, o: &Origin, field: &str, v: f64) {
        if self.finite(o, field, v) && v < 0.0 {
            self.err(o, field, format!("must not be negative, got {}", num(v)));
        }
    }

    pub fn positive(&mut self, o: &Origin, field: &str, v: f64) {
        if self.finite(o, field, v) && v <= 0.0 {
            self.err(o, field, format!("must be positive, got {}", num(v)));
        }
    }

    pub fn in_range(&mut self, o: &Origin, field: &str, v: f64, lo: f64, hi: f64) {
        if self.finite(o, field, v) && !(lo..=hi).contains(&v) {
            // A fraction written as a percentage (`max_share = 50` for 0.5); from 2 on, as
            // 1.5 is more likely a slip than 1.5 %.
            let hint = if (lo, hi) == (0.0, 1.0) && (2.0..=100.0).contains(&v) {
                format!(
                    "; looks like a percentage: write {} for {} %",
                    num(v / 100.0),
                    num(v)
                )
            } else {
                String::new()
            };
            self.err(
                o,
                field,
                format!(
                    "must lie in [{}, {}], got {}{hint}",
                    num(lo),
                    num(hi),
                    num(v)
                ),
            );
        }
    }

    /// Every value of an attribute map must be finite.
    pub fn attrs(&mut self, o: &Origin, field: &str, attrs: &BTreeMap<String, f64>) {
        for (k, &v) in attrs {
            self.finite(o, &format!("{field}.{k}"), v);
        }
    }
}

/// The origin of a top-level table (`settings`, `policy.x`).
pub fn top(path: &str) -> Origin {
    Origin::Toml(path.split('.').map(|k| Seg::Key(k.to_string())).collect())
}

/// The origin of item `i` of TOML list `list`.
pub fn item(list: &str, i: usize) -> Origin {
    Origin::Toml(vec![Seg::Key(list.to_string()), Seg::Index(i)])
}

/// `s` in Unicode normalisation form C (borrowed when it already is): `"e\u{301}"` (NFD) and
/// `"\u{e9}"` (NFC) are both `"\u{e9}"`.
pub fn nfc(s: &str) -> Cow<'_, str> {
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.nfc().collect())
    }
}

/// The code points of `id` (`U+0065 U+0301`), the first 12 and then `…`: two ids that look
/// alike are told apart by them.
fn code_points(id: &str) -> String {
    let mut out: Vec<String> = id
        .chars()
        .take(12)
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    if id.chars().nth(12).is_some() {
        out.push("…".into());
    }
    out.join(" ")
}

/// The message for `id` equal to the earlier `first` (at `at`, when known) after NFC
/// normalisation.
pub fn look_alike(kind: &str, id: &str, first: &str, at: Option<&str>) -> String {
    format!(
        "{kind} id \"{}\" ({}) is {kind} id \"{}\" ({}{}) in another Unicode normal form: the two look alike; give one of them another id",
        text::short(id),
        code_points(id),
        text::short(first),
        code_points(first),
        at.map(|a| format!(", at {a}")).unwrap_or_default(),
    )
}

/// Index of ids with duplicate detection: an id given twice, or equal to an earlier one
/// after NFC normalisation (a look-alike: `é` as one code point or as `e` and a combining
/// accent), is refused at its second place, naming the first.
pub fn index_ids<'a>(
    ctx: &mut Ctx,
    kind: &str,
    items: impl Iterator<Item = (&'a str, &'a Origin)>,
) -> HashMap<String, usize> {
    let mut map = HashMap::new();
    // Each id's NFC form → the first id of that form and its origin.
    let mut forms: HashMap<Cow<'a, str>, (&'a str, &'a Origin)> = HashMap::new();
    for (i, (id, origin)) in items.enumerate() {
        if id.is_empty() {
            ctx.err(origin, "id", format!("{kind} id must not be empty"));
        } else if id.trim() != id {
            ctx.err(origin, "id", untrimmed(kind, id));
        } else if let Some((at, c)) = text::first_hidden(id) {
            // Invisible or control characters make look-alike ids (and terminal escapes).
            ctx.err(
                origin,
                "id",
                format!(
                    "{kind} id \"{}\" holds the invisible or control character U+{:04X} at character {}; ids are visible text",
                    text::short(id),
                    c as u32,
                    at + 1
                ),
            );
        } else if map.insert(id.to_string(), i).is_some() {
            ctx.err(
                origin,
                "id",
                format!("duplicate {kind} id \"{}\"", text::short(id)),
            );
        } else {
            match forms.entry(nfc(id)) {
                Entry::Vacant(e) => {
                    e.insert((id, origin));
                }
                Entry::Occupied(e) => {
                    let (first, at) = *e.get();
                    let at = ctx.position(at, "id");
                    ctx.err(origin, "id", look_alike(kind, id, first, Some(&at)));
                }
            }
        }
    }
    map
}

/// The message for an id or a reference with leading or trailing whitespace (`"pa-ash "`),
/// which would otherwise be a second id that looks like the first.
pub fn untrimmed(kind: &str, id: &str) -> String {
    format!(
        "{kind} id \"{}\" has leading or trailing whitespace; write \"{}\"",
        text::short(id),
        text::short(id.trim())
    )
}

/// Resolves a reference, recording an error naming the referring item if it is missing.
pub fn lookup(
    ctx: &mut Ctx,
    map: &HashMap<String, usize>,
    o: &Origin,
    field: &str,
    who: &str,
    kind: &str,
    id: &str,
) -> Option<usize> {
    if !id.is_empty() && id.trim() != id {
        ctx.err(
            o,
            field,
            format!(
                "{who} names {kind} \"{}\", with leading or trailing whitespace; write \"{}\"",
                text::short(id),
                text::short(id.trim())
            ),
        );
        return None;
    }
    match map.get(id) {
        Some(&i) => Some(i),
        None if ctx.dropped.contains(id) => None,
        None => {
            let mut known: Vec<&String> = map.keys().collect();
            known.sort();
            // Names and lists shortened: one message stays short however long the ids.
            let hint = if known.len() <= text::SHOWN_NAMES {
                format!(" (known: {})", text::list(known.iter().map(|s| s.as_str())))
            } else {
                String::new()
            };
            // An id written in another Unicode normal form than its definition looks the
            // same: say so rather than suggest what looks like the very same name.
            let form = nfc(id);
            let mean = match known.iter().find(|k| nfc(k) == form) {
                Some(k) => format!(
                    "; it is {kind} \"{}\" ({}) in another Unicode normal form ({}): write it as the id is written",
                    text::short(k),
                    code_points(k),
                    code_points(id)
                ),
                None => super::super::diag::suggest(id, known.iter().map(|s| s.as_str()))
                    .map(|k| format!("; did you mean \"{}\"?", text::short(k)))
                    .unwrap_or_default(),
            };
            let id = text::short(id);
            ctx.err(
                o,
                field,
                format!("{who} names {kind} \"{id}\", which does not exist{mean}{hint}"),
            );
            None
        }
    }
}
