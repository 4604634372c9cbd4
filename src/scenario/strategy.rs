//! Strategies: a base scenario plus named changes (`compare`).
//!
//! A strategy file is an override file (see [`super::overrides`]) with a `[strategy]` table:
//!
//! ```toml
//! [strategy]
//! title = "Backfill-led"                 # required: the row's label
//! base = "../ordos_2025.toml"            # required: the base scenario, relative to this file
//! with = ["gangue_backfill_p4"]          # optional: candidate measures added to the base's
//!                                        # `[scenario] with`
//! description = "What a bureau tests."   # optional
//!
//! [policy]                               # any value of the scenario, as in the base file
//! env_tax_multiplier = 3.0
//! ```
//!
//! # Precedence (written once)
//!
//! **base file < strategy file < command line**: the strategy's values replace the base's, a
//! `--set` replaces both. `[strategy] with` adds measures to the list `[scenario] with` has
//! after those (the base's; the strategy's own `[scenario] with`, which replaces it; a `--set
//! scenario.with=[…]`, which replaces both). Every problem names the file and line its value
//! came from.

use super::diag::{line_col, Diagnostic};
use super::overrides::{Override, Provenance, RawDoc};
use super::{Diagnostics, ScenarioError};
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};

/// The keys of `[strategy]`.
const KEYS: &[&str] = &["title", "base", "with", "description"];

/// A strategy file read: its label, base and the overrides it makes.
#[derive(Debug, Clone)]
pub struct Strategy {
    /// The file as given.
    pub file: String,
    /// The file's stem: the strategy's id in every output.
    pub id: String,
    pub title: String,
    pub description: String,
    /// The base scenario: `[strategy] base` joined to the strategy file's folder.
    pub base: PathBuf,
    /// The measures `[strategy] with` adds (ids as written).
    pub with: Vec<String>,
    /// Where `with` is written (for its override's origin).
    with_origin: Option<Provenance>,
    /// The strategy's values over the base, in file order.
    pub overrides: Vec<Override>,
}

/// One value a strategy changes: the path, the base's value and the strategy's, and where the
/// strategy's comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The path as resolved against the base (`producers[3].quantity`), or as written for a
    /// row of a CSV table.
    pub path: String,
    /// The base's value as TOML text; `None` where the base gives none (the default applies)
    /// or where it is a cell of a CSV table (`in_table`).
    pub base: Option<String>,
    pub in_table: bool,
    /// The strategy's value as TOML text.
    pub value: String,
    /// `file:line:column` or `--set …`.
    pub origin: String,
}

fn invalid(file: &str, text: &str, at: usize, field: &str, message: String) -> ScenarioError {
    let (line, column) = line_col(text, at);
    ScenarioError::Invalid(Diagnostics(vec![Diagnostic {
        file: file.to_string(),
        line,
        column,
        field: field.to_string(),
        message,
    }]))
}

/// Reads a strategy file: `[strategy]` checked (every problem at its line), the other values
/// as overrides.
pub fn read(path: &Path) -> Result<Strategy, ScenarioError> {
    let text = super::read_scenario(path)?;
    let file = path.display().to_string();
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let id = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    parse(&file, &id, &text, &dir)
}

/// Whether the TOML file at `path` is a strategy (has a top-level `[strategy]` table); false
/// for anything unreadable (the ordinary loading reports why).
pub fn is_strategy(path: &Path) -> bool {
    super::has_top_table(path, "strategy")
}

/// Loads the strategy at `path`: its base with the strategy's values, then `extra` (the
/// command line's), in that precedence. The files read list the base's, then the strategy.
pub fn load(path: &Path, extra: &[Override]) -> Result<(Strategy, super::Loaded), ScenarioError> {
    apply(read(path)?, extra)
}

/// [`load`] of a strategy already read.
pub fn apply(s: Strategy, extra: &[Override]) -> Result<(Strategy, super::Loaded), ScenarioError> {
    if is_strategy(&s.base) {
        return Err(invalid(
            &s.file,
            "",
            0,
            "strategy.base",
            format!(
                "{} is a strategy; a strategy's base must be a scenario",
                s.base.display()
            ),
        ));
    }
    let all = s.overrides_over(&super::read_scenario(&s.base)?, extra);
    let loaded = super::load_with(&s.base, &all)?;
    Ok((s, loaded))
}

/// [`read`] on text (`dir`: the folder `base` is relative to).
pub fn parse(file: &str, id: &str, text: &str, dir: &Path) -> Result<Strategy, ScenarioError> {
    let root = DeTable::parse(text).map_err(|e| {
        let at = e.span().map(|s| s.start).unwrap_or(0);
        invalid(file, text, at, "document", e.message().trim().to_string())
    })?;
    let Some((_, table)) = root
        .get_ref()
        .iter()
        .find(|(k, _)| k.get_ref() == "strategy")
    else {
        return Err(invalid(
            file,
            text,
            0,
            "strategy",
            "a strategy file needs a [strategy] table with `title` and `base` (the base scenario)"
                .into(),
        ));
    };
    let DeValue::Table(t) = table.get_ref() else {
        return Err(invalid(
            file,
            text,
            table.span().start,
            "strategy",
            "expected a table".into(),
        ));
    };
    let mut problems = Vec::new();
    let mut push = |at: usize, field: &str, message: String| {
        if let ScenarioError::Invalid(d) = invalid(file, text, at, field, message) {
            problems.extend(d.0);
        }
    };
    let (mut title, mut base, mut description) = (None, None, String::new());
    let (mut with, mut with_origin) = (Vec::new(), None);
    for (k, v) in t.iter() {
        let key = k.get_ref().as_ref();
        let field = format!("strategy.{key}");
        let string = |v: &DeValue| match v {
            DeValue::String(s) => Some(s.to_string()),
            _ => None,
        };
        match key {
            "title" | "base" | "description" => match string(v.get_ref()) {
                Some(s) if key == "title" => title = Some(s),
                Some(s) if key == "base" => base = Some(s),
                Some(s) => description = s,
                None => push(v.span().start, &field, "expected a string".into()),
            },
            "with" => match v.get_ref() {
                DeValue::Array(a) => {
                    let (line, column) = line_col(text, v.span().start);
                    with_origin = Some(Provenance::File {
                        file: file.to_string(),
                        line,
                        column,
                    });
                    for (i, e) in a.iter().enumerate() {
                        match string(e.get_ref()) {
                            Some(s) => with.push(s.trim().to_string()),
                            None => push(
                                e.span().start,
                                &format!("{field}[{i}]"),
                                "expected a candidate measure's id (a string)".into(),
                            ),
                        }
                    }
                }
                _ => push(
                    v.span().start,
                    &field,
                    "expected a list of candidate measures' ids".into(),
                ),
            },
            _ => {
                let hint = super::diag::suggest(key, KEYS.iter().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                push(
                    k.span().start,
                    &field,
                    format!("unknown key (expected one of {}){hint}", KEYS.join(", ")),
                );
            }
        }
    }
    for (key, missing) in [("title", title.is_none()), ("base", base.is_none())] {
        if missing {
            push(
                table.span().start,
                &format!("strategy.{key}"),
                "missing".into(),
            );
        }
    }
    if !problems.is_empty() {
        return Err(ScenarioError::Invalid(Diagnostics(problems)));
    }
    let overrides = Override::from_file(file, text)?
        .into_iter()
        .filter(|o| o.path != "strategy" && !o.path.starts_with("strategy."))
        .collect();
    Ok(Strategy {
        file: file.to_string(),
        id: id.to_string(),
        title: title.expect("checked"),
        description,
        base: dir.join(base.expect("checked")),
        with,
        with_origin,
        overrides,
    })
}

impl Strategy {
    /// The overrides to load the base with: the strategy's values, then `extra` (the command
    /// line's), then `[strategy] with` added to the `[scenario] with` those give (the last of
    /// `extra`'s, the strategy's own or the base's; `base_text`: the base file's text), so
    /// that a `--set scenario.with=[…]` replaces the base's list and the strategy's measures
    /// still join it.
    pub fn overrides_over(&self, base_text: &str, extra: &[Override]) -> Vec<Override> {
        let mut out = self.overrides.clone();
        out.extend_from_slice(extra);
        let Some(origin) = self.with_origin.clone() else {
            return out;
        };
        // Added to the list in force after the strategy's values and the command line's.
        let with = super::overrides::with_added(
            &out,
            base_text,
            self.with.iter().map(String::as_str),
            origin,
        );
        out.push(with);
        out
    }

    /// Every value this strategy (then `extra`, the command line's) sets that differs from
    /// the base's (`base_file`, `base_text`): the changes a reader must see. A value equal to
    /// the base's is left out; a later override of the same path replaces an earlier one.
    pub fn changes(&self, base_file: &str, base_text: &str, extra: &[Override]) -> Vec<Change> {
        let Some(doc) = RawDoc::parse(base_file, base_text) else {
            return Vec::new();
        };
        let mut out: Vec<Change> = Vec::new();
        for o in &self.overrides_over(base_text, extra) {
            let value = normal(&o.value);
            let (path, base, in_table) = match doc.row_override(o) {
                Some(_) => (o.path.clone(), None, true),
                None => match doc.base_value(o) {
                    Some((path, base)) => (path, base.map(|b| normal(&b)), false),
                    None => (o.path.clone(), None, false),
                },
            };
            out.retain(|c| c.path != path);
            if base.as_deref() == Some(value.as_str()) {
                continue;
            }
            let origin = match &o.origin {
                Provenance::File { file, line, column } => format!("{file}:{line}:{column}"),
                Provenance::Flag { arg } => format!("--set {arg}"),
            };
            out.push(Change {
                path,
                base,
                in_table,
                value,
                origin,
            });
        }
        out
    }
}

/// A TOML value's text in one form (`3.0` and `3.00` alike, `[ "a" ]` and `["a"]`), so that a
/// value equal to the base's is recognised; text that is not a value stays as it is.
fn normal(value: &str) -> String {
    match toml::from_str::<toml::Table>(&format!("v = {value}")) {
        Ok(t) => t["v"].to_string(),
        Err(_) => value.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str =
        "[scenario]\nname = \"b\"\nwith = [\"m1\"]\n\n[policy]\nenv_tax_multiplier = 1.0\n";

    fn strategy(text: &str) -> Result<Strategy, ScenarioError> {
        parse("s.toml", "s", text, Path::new("dir"))
    }

    fn problems(text: &str) -> Vec<String> {
        match strategy(text) {
            Err(ScenarioError::Invalid(d)) => d.0.iter().map(|d| d.to_string()).collect(),
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn the_header_is_read_and_the_rest_are_overrides() {
        let s = strategy(
            "[strategy]\ntitle = \"T\"\nbase = \"../b.toml\"\nwith = [\"m2\"]\n\n[policy]\nenv_tax_multiplier = 3.0\n",
        )
        .unwrap();
        assert_eq!((s.title.as_str(), s.id.as_str()), ("T", "s"));
        assert_eq!(s.base, Path::new("dir").join("../b.toml"));
        assert_eq!(s.with, ["m2"]);
        let paths: Vec<&str> = s.overrides.iter().map(|o| o.path.as_str()).collect();
        assert_eq!(paths, ["policy.env_tax_multiplier"]);
        // `with` adds to the base's list, located at the strategy's `with`.
        let all = s.overrides_over(BASE, &[]);
        let w = all.last().unwrap();
        assert_eq!(
            (w.path.as_str(), w.value.as_str()),
            ("scenario.with", "[\"m1\", \"m2\"]")
        );
        assert!(matches!(
            w.origin,
            Provenance::File {
                line: 4,
                column: 8,
                ..
            }
        ));
        // A --set of the list replaces the base's; the strategy's measures still join it.
        let flag = Override::flag("scenario.with=[\"m9\"]").unwrap();
        let all = s.overrides_over(BASE, &[flag]);
        assert_eq!(all.last().unwrap().value, "[\"m9\", \"m2\"]");
    }

    #[test]
    fn a_strategys_own_scenario_with_replaces_the_bases_then_with_adds() {
        let s = strategy(
            "[strategy]\ntitle = \"T\"\nbase = \"b.toml\"\nwith = [\"m3\", \"m1\"]\n[scenario]\nwith = [\"m2\"]\n",
        )
        .unwrap();
        let all = s.overrides_over(BASE, &[]);
        assert_eq!(all.last().unwrap().value, "[\"m2\", \"m3\", \"m1\"]");
    }

    #[test]
    fn changes_leave_out_equal_values_and_keep_the_last() {
        let s = strategy(
            "[strategy]\ntitle = \"T\"\nbase = \"b.toml\"\n[policy]\nenv_tax_multiplier = 1.00\nallow_dumping = false\n",
        )
        .unwrap();
        let flag = Override::flag("policy.allow_dumping=true").unwrap();
        let c = s.changes("b.toml", BASE, &[flag]);
        // 1.00 equals the base's 1.0; allow_dumping is not in the base (a default), and the
        // command line's value replaces the strategy's.
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].path, "policy.allow_dumping");
        assert_eq!((c[0].base.as_deref(), c[0].value.as_str()), (None, "true"));
        assert_eq!(c[0].origin, "--set policy.allow_dumping=true");
    }

    #[test]
    fn header_problems_are_all_located() {
        let p = problems("[strategy]\ntitel = \"T\"\nwith = [1]\n");
        assert_eq!(p.len(), 4, "{p:?}");
        assert!(
            p[0].contains("s.toml:2:1") && p[0].contains("did you mean `title`"),
            "{p:?}"
        );
        assert!(
            p[1].contains("s.toml:3:9") && p[1].contains("strategy.with[0]"),
            "{p:?}"
        );
        assert!(p
            .iter()
            .any(|m| m.contains("strategy.title") && m.contains("missing")));
        assert!(p
            .iter()
            .any(|m| m.contains("strategy.base") && m.contains("missing")));
        let p = problems("[policy]\nenv_tax_multiplier = 2.0\n");
        assert!(p[0].contains("needs a [strategy] table"), "{p:?}");
    }
}
