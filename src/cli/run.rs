//! `run` and `validate`.

use super::{ObjectiveArg, RunArgs, ScenarioArgs};
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use symbiosim::allocate::AllocConfig;
use symbiosim::analysis;
use symbiosim::model::Inadmissible;
use symbiosim::network::Network;
use symbiosim::report::writer::{self, Replace};
use symbiosim::report::{self, RunInfo};
use symbiosim::scenario::overrides::{Override, Provenance};
use symbiosim::scenario::{self, Diagnostics, Loaded, ScenarioError};

/// The most worker threads a run accepts: more than this only costs memory and start-up time
/// on any machine this tool targets (results never depend on the count).
pub const MAX_THREADS: usize = 256;

/// Validated configuration of a run.
struct RunConfig {
    scenario: ScenarioArgs,
    out: PathBuf,
    /// When an existing output folder may be replaced: the default `output/<stem>/` is the
    /// tool's own (replaced when it is a complete earlier output of ours); a folder named with
    /// `--out` only with `--force`.
    replace: Replace,
    /// Missing parent folders are created only for the default `output/`.
    create_parents: bool,
    threads: usize,
    quiet: bool,
    /// `(samples, seed, first sample)` of a Monte Carlo run.
    monte_carlo: Option<(u64, u64, u64)>,
    /// Candidate measures to apply (`--with`), by id.
    with: Vec<String>,
    /// Whether a Monte Carlo run first checks the output's free space (not `--no-space-check`).
    space_check: bool,
}

impl RunConfig {
    fn from_args(a: &RunArgs) -> anyhow::Result<RunConfig> {
        let stem = scenario_stem(&a.scenario.scenario)?;
        let threads = threads(a.threads)?;
        let (out, replace, create_parents) = output_policy(&a.out, a.force, &stem);
        Ok(RunConfig {
            scenario: a.scenario.clone(),
            out,
            replace,
            create_parents,
            threads,
            quiet: a.quiet,
            monte_carlo: match a.samples {
                Some(0) => anyhow::bail!("--samples must be at least 1"),
                Some(n) => {
                    if a.first_sample.checked_add(n).is_none() {
                        anyhow::bail!("--first-sample + --samples overflows");
                    }
                    Some((n, a.seed, a.first_sample))
                }
                None => None,
            },
            with: a.with.iter().map(|s| s.trim().to_string()).collect(),
            space_check: !a.no_space_check,
        })
    }
}

/// The candidate flags of the scenario's `[scenario] with` plus `ids` (`--with`), or the
/// message of what is wrong: an unknown id (with the known ones), or a portfolio that breaks
/// an exclusion or a prerequisite.
fn chosen_flags(loaded: &Loaded, ids: &[String]) -> Result<Vec<bool>, String> {
    let cands = &loaded.base().candidates;
    let list = &cands.list;
    let mut flags = vec![false; list.len()];
    for (f, &on) in flags.iter_mut().zip(&cands.applied) {
        *f = on;
    }
    for id in ids {
        match list.iter().position(|c| &c.id == id) {
            Some(i) => flags[i] = true,
            None => {
                let known: Vec<&str> = list.iter().map(|c| c.id.as_str()).collect();
                return Err(if known.is_empty() {
                    format!("--with {id}: the scenario has no [[candidates]]")
                } else {
                    format!(
                        "--with {id}: no candidate measure has this id; the scenario's: {}",
                        known.join(", ")
                    )
                });
            }
        }
    }
    let from = |i: usize| {
        if cands.applied.get(i) == Some(&true) {
            " (from the scenario's with)"
        } else {
            ""
        }
    };
    match cands.inadmissible(&flags) {
        Some(Inadmissible::Excludes(i, j)) => Err(format!(
            "--with: {}{} and {}{} exclude each other (choose one)",
            list[i].id,
            from(i),
            list[j].id,
            from(j)
        )),
        Some(Inadmissible::Requires(i, j)) => Err(format!(
            "--with: {} requires {} (add it to --with)",
            list[i].id, list[j].id
        )),
        None => Ok(flags),
    }
}

/// The worker-thread count: `--threads` (1 to [`MAX_THREADS`]) or every core.
pub(super) fn threads(arg: Option<usize>) -> anyhow::Result<usize> {
    Ok(match arg {
        Some(n) if n == 0 || n > MAX_THREADS => {
            anyhow::bail!("--threads must be between 1 and {MAX_THREADS}, not {n}")
        }
        Some(n) => n,
        None => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(MAX_THREADS),
    })
}

/// The output folder policy: `--out` (replaced only with `--force`, and only when it is an
/// earlier output of ours) or the default `output/<default_name>/` (ours: replaced when it is
/// a complete earlier output; missing parents created). Returns (folder, replace, create
/// parents).
pub(super) fn output_policy(
    out: &Option<PathBuf>,
    force: bool,
    default_name: &str,
) -> (PathBuf, Replace, bool) {
    match out {
        Some(out) if force => (out.clone(), Replace::OurOutput, false),
        Some(out) => (out.clone(), Replace::Never, false),
        None => (
            Path::new("output").join(default_name),
            Replace::OurOutput,
            true,
        ),
    }
}

/// The file stem of the scenario path (the default output folder's name).
pub(super) fn scenario_stem(path: &Path) -> anyhow::Result<String> {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .with_context(|| format!("scenario path {} has no file name", path.display()))
}

/// Prints located scenario problems; the exit code for invalid input.
pub(super) fn report_invalid(e: &ScenarioError) -> ExitCode {
    match e {
        ScenarioError::Invalid(d) => {
            for diag in d.shown() {
                errln!("error: {diag}");
            }
            if let Some(more) = d.more() {
                errln!("{more}");
            }
            errln!(
                "{} problem{} found; nothing written",
                d.0.len(),
                if d.0.len() == 1 { "" } else { "s" }
            );
        }
        other => {
            let mut msg = other.to_string();
            let mut cause = std::error::Error::source(other);
            while let Some(c) = cause {
                msg.push_str(&format!(": {c}"));
                cause = c.source();
            }
            errln!("error: {msg}");
        }
    }
    ExitCode::from(2)
}

/// Loads the scenario (or strategy, [`scenario::strategy`]) with the command line's
/// overrides; every bad flag and every problem of the merged scenario is reported together.
pub(super) fn load(a: &ScenarioArgs) -> Result<Loaded, ScenarioError> {
    if scenario::path::is_path(&a.scenario) {
        // `run`, `validate` and `plan` take a path before they get here.
        return Err(ScenarioError::Invalid(Diagnostics(vec![
            scenario::diag::Diagnostic {
                file: a.scenario.display().to_string(),
                line: 1,
                column: 1,
                field: "path".into(),
                message: "a path file spans several years: `run`, `validate` and `plan` take \
                          it; `compare` and `export` take one year's scenario (the path's `base` \
                          or a year's `scenario`)"
                    .into(),
            },
        ])));
    }
    with_flags(a, |overrides| {
        // A strategy file loads its base with the strategy's values under the command line's.
        if scenario::strategy::is_strategy(&a.scenario) {
            scenario::strategy::load(&a.scenario, overrides).map(|(_, l)| l)
        } else {
            scenario::load_with(&a.scenario, overrides)
        }
    })
}

/// The command line's overrides (`--set`, `--objective`) handed to `load`; every bad flag and
/// every problem `load` finds reported together.
pub(super) fn with_flags<T>(
    a: &ScenarioArgs,
    load: impl FnOnce(&[Override]) -> Result<T, ScenarioError>,
) -> Result<T, ScenarioError> {
    let mut overrides = Vec::new();
    let mut bad = Vec::new();
    for arg in &a.set {
        match Override::flag(arg) {
            Ok(o) => overrides.push(o),
            Err(ScenarioError::Invalid(d)) => bad.extend(d.0),
            Err(e) => return Err(e),
        }
    }
    if let Some(objective) = a.objective {
        let value = match objective {
            ObjectiveArg::Cost => "cost",
            ObjectiveArg::MaxUtilisation => "max_utilisation",
        };
        overrides.push(Override {
            path: "settings.objective".into(),
            value: format!("\"{value}\""),
            origin: Provenance::Flag {
                arg: format!("settings.objective={value}"),
            },
        });
    }
    if let Some(rule) = a.accounting {
        let value = match rule {
            super::AccountingArg::ChinaStatistical => "china_statistical",
            super::AccountingArg::Strict => "strict",
        };
        overrides.push(Override {
            path: "target.accounting".into(),
            value: format!("\"{value}\""),
            origin: Provenance::Flag {
                arg: format!("target.accounting={value}"),
            },
        });
    }
    let loaded = load(&overrides);
    match (loaded, bad.is_empty()) {
        (result, true) => result,
        (Ok(_), false) => Err(ScenarioError::Invalid(Diagnostics(bad))),
        (Err(ScenarioError::Invalid(d)), false) => {
            bad.extend(d.0);
            Err(ScenarioError::Invalid(Diagnostics(bad)))
        }
        (Err(e), false) => Err(e),
    }
}

/// Prints the scenario's warnings (suspicious but legal input) to standard error.
/// Loads the scenario, timed as `load`, and prints its warnings unless `quiet`; an invalid
/// scenario is reported and its exit code returned as the error.
pub(super) fn load_or_report(
    a: &ScenarioArgs,
    quiet: bool,
    timings: &mut Vec<(String, f64)>,
) -> Result<Loaded, ExitCode> {
    let t = Instant::now();
    let loaded = load(a).map_err(|e| report_invalid(&e))?;
    if !quiet {
        warn(&loaded);
    }
    timings.push(("load".to_string(), t.elapsed().as_secs_f64()));
    Ok(loaded)
}

/// Appends `manifest.json` (from `info`, `files` and the files already written row by row,
/// `streamed`) and moves the output folder into place, warning when the earlier output had to
/// be kept.
pub(super) fn commit(
    prepared: writer::Prepared,
    info: &RunInfo,
    mut files: Vec<report::OutputFile>,
    streamed: Vec<report::ManifestEntry>,
) -> anyhow::Result<()> {
    let mut entries: Vec<report::ManifestEntry> =
        files.iter().map(report::ManifestEntry::from).collect();
    if !streamed.is_empty() {
        entries.extend(streamed);
        // A stable sort: the run's output order.
        entries.sort_by_key(|e| report::output_rank(&e.path));
    }
    let manifest = report::manifest_json_entries(info, &entries)?;
    files.push(report::OutputFile {
        path: "manifest.json".into(),
        bytes: manifest,
    });
    if let Some(kept) = prepared.commit(&files)? {
        errln!(
            "warning: files appeared or changed in the earlier output while this run wrote the \
             new one; the earlier output is kept in {} (nothing was deleted)",
            kept.display()
        );
    }
    Ok(())
}

fn warn(loaded: &Loaded) {
    for w in &loaded.warnings {
        errln!("warning: {w}");
    }
}

pub fn validate(args: &ScenarioArgs) -> anyhow::Result<ExitCode> {
    let path: &Path = &args.scenario;
    if scenario::path::is_path(path) {
        return super::path::validate(args);
    }
    match load(args) {
        Ok(l) => {
            warn(&l);
            // Counted, not built: validation's memory stays linear in the input.
            let (nodes, arcs) = Network::size(&l.region)?;
            super::print_stdout(&format!(
                "{}: valid — {} parks, {} materials, {} producers, {} consumers, {} transport modes; network {} nodes, {} arcs\n",
                path.display(),
                l.region.parks.len(),
                l.region.materials.len(),
                l.region.producers.len(),
                l.region.consumers.len(),
                l.region.modes.len(),
                nodes,
                arcs
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Ok(report_invalid(&e)),
    }
}

pub fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let cfg = RunConfig::from_args(args)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.threads)
        .build()?;
    pool.install(|| run_in_pool(&cfg))
}

fn run_in_pool(cfg: &RunConfig) -> anyhow::Result<ExitCode> {
    if scenario::path::is_path(&cfg.scenario.scenario) {
        return super::path::run(&super::path::PathRun {
            scenario: &cfg.scenario,
            out: &cfg.out,
            replace: cfg.replace,
            create_parents: cfg.create_parents,
            threads: cfg.threads,
            quiet: cfg.quiet,
            monte_carlo: cfg.monte_carlo,
            with: &cfg.with,
        });
    }
    let mut timings = Vec::new();
    let loaded = match load_or_report(&cfg.scenario, cfg.quiet, &mut timings) {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    // The candidate measures of `--with`, applied before anything is written.
    let applied;
    let region = if cfg.with.is_empty() {
        &loaded.region
    } else {
        let flags = match chosen_flags(&loaded, &cfg.with) {
            Ok(f) => f,
            Err(msg) => {
                errln!("error: {msg}");
                return Ok(ExitCode::from(2));
            }
        };
        let base = loaded.base();
        let mut r = base.candidates.region_for(base, &flags);
        r.candidates.applied = flags;
        applied = r;
        &applied
    };
    // Before anything is written or solved: a Monte Carlo whose per-sample files cannot fit
    // in the output's free space is refused.
    if let (Some((n, _, first)), true) = (cfg.monte_carlo, cfg.space_check) {
        if !loaded.uncertain.is_empty() {
            super::stream::check_space(&cfg.out, region, &loaded.uncertain, (first, n))?;
        }
    }
    // After validation (bad input is reported as such), before any work: the destination is
    // checked and a temporary folder made next to it (which proves it writable).
    let prepared = writer::prepare(&cfg.out, cfg.replace, cfg.create_parents)?;

    let t = Instant::now();
    let eval = analysis::evaluate_with_alternative(region, &AllocConfig::default())
        .context("allocation failed")?;
    let results = eval.results;
    timings.push((
        "network_solve_analysis".to_string(),
        t.elapsed().as_secs_f64(),
    ));

    let (mc, streamed) = match cfg.monte_carlo {
        None => (None, Vec::new()),
        Some((n, seed, first)) => {
            if loaded.uncertain.is_empty() {
                anyhow::bail!(
                    "--samples needs [[uncertain]] entries in the scenario (see docs/format.md)"
                );
            }
            let t = Instant::now();
            let bar = progress_bar(Some(n), cfg.quiet, "monte carlo");
            let (summary, streamed, writing) = super::stream::monte_carlo(
                &prepared,
                region,
                &loaded.uncertain,
                (n, seed, first),
                &bar,
            )?;
            bar.finish_and_clear();
            timings.push(("monte_carlo".to_string(), t.elapsed().as_secs_f64()));
            timings.push(("monte_carlo_rows".to_string(), writing));
            (Some(summary), streamed)
        }
    };

    let t = Instant::now();
    let files = match &mc {
        None => report::render(region, &results)?,
        Some(mc) => report::render_monte_carlo(region, &results, mc)?,
    };
    timings.push(("report".to_string(), t.elapsed().as_secs_f64()));
    let info = RunInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        command: super::command_line(),
        scenario_files: loaded.files.clone(),
        scenario_hash: loaded.hash.clone(),
        threads: cfg.threads,
        timings,
        pivots: results
            .phases
            .iter()
            .map(|p| (p.name.clone(), p.iterations))
            .collect(),
    };
    commit(prepared, &info, files, streamed)?;
    if !cfg.quiet {
        let mut text = report::terminal_summary(region, &results);
        if let Some(mc) = &mc {
            text.push_str(&report::terminal_monte_carlo(region, mc));
        }
        text.push_str(&format!("  outputs: {}/\n", cfg.out.display()));
        super::print_stdout(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A progress bar on standard error, drawn only when standard output is a terminal and the
/// run is not quiet (hidden otherwise); a counter when the total `n` is not known.
pub(super) fn progress_bar(n: Option<u64>, quiet: bool, label: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stdout().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let (bar, template) = match n {
        Some(n) => (
            indicatif::ProgressBar::new(n),
            format!("  {label} {{bar:40}} {{pos}}/{{len}} samples ({{per_sec}}, eta {{eta}})"),
        ),
        None => (
            indicatif::ProgressBar::no_length(),
            format!("  {label} {{spinner}} {{pos}} samples solved ({{per_sec}}) {{msg}}"),
        ),
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}
