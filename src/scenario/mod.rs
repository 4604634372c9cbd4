//! `scenario`: the scenario file (TOML + optional CSV tables) → a validated [`model::Region`].
//!
//! Reading stops at the first syntax or type error (serde cannot go on past one); validation
//! then collects **every** semantic problem, each located by file, line, column and field.

mod csv_tables;
pub mod diag;
pub mod schema;
mod validate;

use crate::model::Region;
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
    },
}

impl Origin {
    pub fn toml(path: &[Seg]) -> Origin {
        Origin::Toml(path.to_vec())
    }
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

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// Errors of the scenario layer.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read {path}: {source}")]
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
    pub region: Region,
    /// SHA-256 of the scenario file and its tables, hex.
    pub hash: String,
    /// The files read, as given (scenario first).
    pub files: Vec<String>,
}

/// Reads and validates a scenario file.
pub fn load(path: &Path) -> Result<Loaded, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    load_str(&path.display().to_string(), &text, &dir)
}

/// Validates scenario `text` named `file`; CSV tables are resolved against `dir`.
pub fn load_str(file: &str, text: &str, dir: &Path) -> Result<Loaded, ScenarioError> {
    let src = TomlSource::new(file.to_string(), text);
    let raw: RawScenario = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let (path, offset) = src.locate_error(span.start, e.message());
            let (line, column) = diag::line_col(text, offset);
            let field = if path.is_empty() {
                "document".to_string()
            } else {
                diag::path_string(&path)
            };
            return Err(ScenarioError::Invalid(Diagnostics(vec![Diagnostic {
                file: file.to_string(),
                line,
                column,
                field,
                message: e.message().trim().to_string(),
            }])));
        }
    };
    let mut hasher = Sha256::new();
    hasher.update(text.as_bytes());
    let mut files = vec![file.to_string()];
    let mut csvs: Vec<CsvSource> = Vec::new();
    let mut diags = Vec::new();
    let mut tables = validate::Tables::default();
    let table_paths = [
        ("parks", raw.tables.parks.clone()),
        ("producers", raw.tables.producers.clone()),
        ("consumers", raw.tables.consumers.clone()),
    ];
    for (kind, rel) in table_paths {
        let Some(rel) = rel else { continue };
        let path: PathBuf = dir.join(&rel);
        let shown = path.display().to_string();
        let ctext = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                diags.push(src.diag(
                    &[Seg::Key("tables".into()), Seg::Key(kind.into())],
                    format!("cannot read {shown}: {e}"),
                ));
                continue;
            }
        };
        hasher.update(kind.as_bytes());
        hasher.update(ctext.as_bytes());
        files.push(shown.clone());
        let csv = CsvSource::new(shown, &ctext);
        let idx = csvs.len();
        match kind {
            "parks" => tables.parks = csv_tables::parks(&csv, idx, &ctext, &mut diags),
            "producers" => tables.producers = csv_tables::producers(&csv, idx, &ctext, &mut diags),
            _ => tables.consumers = csv_tables::consumers(&csv, idx, &ctext, &mut diags),
        }
        csvs.push(csv);
    }
    let hash = format!("{:x}", hasher.finalize());
    let mut ctx = validate::Ctx {
        toml: &src,
        csvs: &csvs,
        diags,
    };
    let region = validate::build(&raw, tables, &mut ctx);
    if !ctx.diags.is_empty() || region.is_none() {
        let mut d = ctx.diags;
        d.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        d.dedup();
        return Err(ScenarioError::Invalid(Diagnostics(d)));
    }
    Ok(Loaded {
        region: region.expect("checked above"),
        hash,
        files,
    })
}
