//! `compare BASE STRATEGY…`: the base scenario and each strategy ([`scenario::strategy`])
//! solved under both objectives, with a Monte Carlo on common random numbers, into one
//! output folder (default `output/<base stem>-compare/`). A strategy that fails to load or
//! solve is reported in its row and does not stop the others; the exit code is 1 when any
//! did.

use super::run::{commit, output_policy, progress_bar, report_invalid, scenario_stem, threads};
use super::CompareArgs;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;
use symbiosim::allocate::AllocConfig;
use symbiosim::analysis::compare::{compare, CompareConfig, Row, Strategy};
use symbiosim::report::compare::{InputChange, Labelled};
use symbiosim::report::{self, writer, RunInfo};
use symbiosim::scenario::overrides::Override;
use symbiosim::scenario::{self, strategy, Diagnostics, Loaded, ScenarioError};

/// A strategy file as loaded, or why it could not be.
struct Loaded1 {
    id: String,
    title: String,
    description: String,
    file: String,
    loaded: Result<(strategy::Strategy, Loaded), String>,
}

/// The problems of a scenario error, one per line.
fn message(e: &ScenarioError) -> String {
    match e {
        ScenarioError::Invalid(d) => d
            .shown()
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("; "),
        e => e.to_string(),
    }
}

/// Whether two paths name one file (by their canonical forms; as written when either is
/// missing).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The inputs' hash of a comparison: SHA-256 over the base's hash and each strategy's (its id
/// and the hash of its merged scenario, or `failed`), so that editing a strategy changes it.
fn combined_hash(base: &Loaded, strategies: &[Loaded1]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(base.hash.as_bytes());
    for s in strategies {
        h.update(b"\n");
        h.update(s.id.as_bytes());
        h.update(b"=");
        match &s.loaded {
            Ok((_, l)) => h.update(l.hash.as_bytes()),
            Err(_) => h.update(b"failed"),
        }
    }
    format!("{:x}", h.finalize())
}

pub fn run(a: &CompareArgs) -> anyhow::Result<ExitCode> {
    if a.samples == Some(0) {
        anyhow::bail!("--samples must be at least 1");
    }
    let threads = threads(a.threads)?;
    let stem = scenario_stem(&a.base)?;
    let (out, replace, create_parents) = output_policy(&a.out, a.force, &format!("{stem}-compare"));
    // The command line's values, over the base and every strategy.
    let mut sets = Vec::new();
    let mut bad = Vec::new();
    for arg in &a.set {
        match Override::flag(arg) {
            Ok(o) => sets.push(o),
            Err(ScenarioError::Invalid(d)) => bad.extend(d.0),
            Err(e) => return Err(e.into()),
        }
    }
    if !bad.is_empty() {
        return Ok(report_invalid(&ScenarioError::Invalid(Diagnostics(bad))));
    }
    // Rows are named by the files' stems: two of one name cannot both be shown.
    let mut ids = vec![stem.clone()];
    for path in &a.strategies {
        let id = scenario_stem(path)?;
        if ids.contains(&id) {
            errln!(
                "error: two strategies are named {} ({}): a strategy is named by its file's stem, the base by its own; nothing written",
                symbiosim::model::text::escape(&id),
                path.display()
            );
            return Ok(ExitCode::from(2));
        }
        ids.push(id);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    pool.install(|| {
        let mut timings = Vec::new();
        let t = Instant::now();
        let base = match scenario::load_with(&a.base, &sets) {
            Ok(l) => l,
            Err(e) => return Ok(report_invalid(&e)),
        };
        if a.samples.is_some() && base.uncertain.is_empty() {
            anyhow::bail!(
                "--samples needs [[uncertain]] entries in the base scenario (see docs/format.md)"
            );
        }
        let base_text = scenario::read_scenario(&a.base)?;
        let base_file = a.base.display().to_string();
        let mut strategies: Vec<Loaded1> = Vec::new();
        for path in &a.strategies {
            let file = path.display().to_string();
            let id = scenario_stem(path)?;
            let read = strategy::read(path);
            let (title, description) = read
                .as_ref()
                .map(|s| (s.title.clone(), s.description.clone()))
                .unwrap_or_default();
            let loaded = match read {
                Err(e) => Err(message(&e)),
                Ok(s) if !s.base.exists() => {
                    Err(format!("its base {} does not exist", s.base.display()))
                }
                Ok(s) if !same_file(&s.base, &a.base) => Err(format!(
                    "its base is {}, not {}",
                    s.base.display(),
                    a.base.display()
                )),
                Ok(s) => strategy::apply(s, &sets).map_err(|e| message(&e)),
            };
            if let Err(e) = &loaded {
                errln!("error: strategy {file}: {e}");
            }
            strategies.push(Loaded1 {
                id,
                title,
                description,
                file,
                loaded,
            });
        }
        timings.push(("load".to_string(), t.elapsed().as_secs_f64()));
        let prepared = writer::prepare(&out, replace, create_parents)?;

        // The base and every strategy that loaded, solved; the others keep their reason.
        let mut solvable = vec![Strategy {
            id: &stem,
            region: &base.region,
            entries: &base.uncertain,
        }];
        for s in &strategies {
            if let Ok((_, l)) = &s.loaded {
                solvable.push(Strategy {
                    id: &s.id,
                    region: &l.region,
                    entries: &l.uncertain,
                });
            }
        }
        let cfg = CompareConfig {
            samples: a.samples.map(|n| (n, a.seed)),
            alloc: AllocConfig {
                capacity_values: false,
                ..AllocConfig::default()
            },
        };
        let t = Instant::now();
        let total = a.samples.and_then(|n| n.checked_mul(solvable.len() as u64));
        let bar = progress_bar(total, a.quiet, "compare");
        let mut solved = compare(&solvable, &cfg, &|k| bar.inc(k)).into_iter();
        bar.finish_and_clear();
        timings.push(("compare".to_string(), t.elapsed().as_secs_f64()));

        let mut rows: Vec<Row> = vec![solved.next().expect("the base")];
        let mut labels = vec![Labelled {
            id: &stem,
            title: &base.region.title,
            description: "",
            file: &base_file,
            region: &base.region,
        }];
        let mut changes: Vec<InputChange> = Vec::new();
        let mut failed = 0;
        for s in &strategies {
            match &s.loaded {
                Ok((st, l)) => {
                    let row = solved.next().expect("one row per solvable strategy");
                    failed += usize::from(
                        row.answers.is_err() || matches!(row.uncertainty, Some(Err(_))),
                    );
                    rows.push(row);
                    labels.push(Labelled {
                        id: &s.id,
                        title: &s.title,
                        description: &s.description,
                        file: &s.file,
                        region: &l.region,
                    });
                    // A --set applies to the base too: never a difference, but it replaces
                    // the strategy's own value of its path.
                    let own = st.changes(&base_file, &base_text, &sets);
                    let own = own.into_iter().filter(|c| !c.origin.starts_with("--set "));
                    changes.extend(own.map(|c| InputChange {
                        strategy: s.id.clone(),
                        path: c.path,
                        base: c.base,
                        in_table: c.in_table,
                        value: c.value,
                        origin: c.origin,
                    }));
                }
                Err(e) => {
                    failed += 1;
                    rows.push(Row {
                        id: s.id.clone(),
                        answers: Err(e.clone()),
                        uncertainty: None,
                    });
                    labels.push(Labelled {
                        id: &s.id,
                        title: &s.title,
                        description: &s.description,
                        file: &s.file,
                        region: &base.region,
                    });
                }
            }
        }
        failed +=
            usize::from(rows[0].answers.is_err() || matches!(rows[0].uncertainty, Some(Err(_))));
        let t = Instant::now();
        let files = report::compare::comparison_files(&labels, &rows, &changes)?;
        timings.push(("report".to_string(), t.elapsed().as_secs_f64()));
        let mut scenario_files = base.files.clone();
        scenario_files.extend(strategies.iter().map(|s| s.file.clone()));
        let info = RunInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            command: super::command_line(),
            scenario_files,
            scenario_hash: combined_hash(&base, &strategies),
            threads,
            timings,
            pivots: Vec::new(),
        };
        commit(prepared, &info, files, Vec::new())?;
        if !a.quiet {
            let mut text = report::compare::terminal_compare(&labels, &rows);
            text.push_str(&format!("  outputs: {}/\n", out.display()));
            super::print_stdout(&text)?;
        }
        Ok(if failed == 0 {
            ExitCode::SUCCESS
        } else {
            errln!(
                "error: {failed} of {} strategies failed (see their rows)",
                rows.len()
            );
            ExitCode::from(1)
        })
    })
}
