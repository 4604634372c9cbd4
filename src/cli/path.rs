//! `run` and `validate` on a path file (`[path]`, `docs/format.md`, "Paths").

use super::run::{commit, report_invalid, with_flags};
use super::ScenarioArgs;
use anyhow::Context;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;
use symbiosim::allocate::AllocConfig;
use symbiosim::analysis::path::{evaluate_path, path_monte_carlo, PathConfig};
use symbiosim::network::Network;
use symbiosim::report::writer::{self, Replace};
use symbiosim::report::{self, RunInfo};
use symbiosim::scenario::path::{self, LoadedPath};

/// The most samples of a path's Monte Carlo in one run (every record is kept in memory:
/// about 50 bytes a year a sample).
pub const MAX_SAMPLES: u64 = 1_000_000;

/// What `run` hands over for a path (already validated by `RunConfig`).
pub(super) struct PathRun<'a> {
    pub scenario: &'a ScenarioArgs,
    pub out: &'a Path,
    pub replace: Replace,
    pub create_parents: bool,
    pub threads: usize,
    pub quiet: bool,
    pub monte_carlo: Option<(u64, u64, u64)>,
    pub with: &'a [String],
}

fn load(a: &ScenarioArgs) -> Result<LoadedPath, symbiosim::scenario::ScenarioError> {
    with_flags(a, |overrides| path::load(&a.scenario, overrides))
}

fn warn(l: &LoadedPath) {
    for (y, loaded) in l.path.years.iter().zip(&l.years) {
        for w in &loaded.warnings {
            errln!("warning: {w} (in the path's year {})", y.year);
        }
    }
}

pub(super) fn validate(args: &ScenarioArgs) -> anyhow::Result<ExitCode> {
    match load(args) {
        Ok(l) => {
            warn(&l);
            let p = &l.path;
            let mut nodes = 0;
            let mut arcs = 0;
            for y in &p.regions_to_build() {
                let (n, a) = Network::size(y)?;
                nodes += n;
                arcs += a;
            }
            super::print_stdout(&format!(
                "{}: valid — a path of {} years ({}–{}), target year {}; {} linked stock{}, {} linked landfill{}; the years' networks {} nodes, {} arcs ({})\n",
                args.scenario.display(),
                p.years.len(),
                p.years[0].year,
                p.years[p.years.len() - 1].year,
                p.years[p.target_index].year,
                p.stockpiles.len(),
                if p.stockpiles.len() == 1 { "" } else { "s" },
                p.landfills.len(),
                if p.landfills.len() == 1 { "" } else { "s" },
                nodes,
                arcs,
                if p.linked() { "solved jointly" } else { "solved year by year" }
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Ok(report_invalid(&e)),
    }
}

pub(super) fn run(cfg: &PathRun<'_>) -> anyhow::Result<ExitCode> {
    let mut timings = Vec::new();
    let t = Instant::now();
    let loaded = match load(cfg.scenario) {
        Ok(l) => l,
        Err(e) => return Ok(report_invalid(&e)),
    };
    if !cfg.quiet {
        warn(&loaded);
    }
    timings.push(("load".to_string(), t.elapsed().as_secs_f64()));
    if !cfg.with.is_empty() {
        errln!(
            "error: --with applies to one scenario; a path starts measures in a year: [[path.year]] with = [...]"
        );
        return Ok(ExitCode::from(2));
    }
    if let Some((n, _, _)) = cfg.monte_carlo {
        if n > MAX_SAMPLES {
            errln!("error: --samples {n}: a path's Monte Carlo keeps every sample's record in memory and takes at most {MAX_SAMPLES} samples a run (split the work with --first-sample)");
            return Ok(ExitCode::from(2));
        }
        if loaded.years[loaded.path.target_index].uncertain.is_empty() {
            errln!("error: --samples needs [[uncertain]] entries in the target year's scenario (see docs/format.md)");
            return Ok(ExitCode::from(2));
        }
    }
    let prepared = writer::prepare(cfg.out, cfg.replace, cfg.create_parents)?;
    let t = Instant::now();
    let results = evaluate_path(
        &loaded.path,
        &PathConfig {
            alloc: AllocConfig::default(),
            force_joint: false,
        },
    )
    .context("allocation failed")?;
    timings.push((
        "network_solve_analysis".to_string(),
        t.elapsed().as_secs_f64(),
    ));
    let mc = match cfg.monte_carlo {
        None => None,
        Some(mc) => {
            let t = Instant::now();
            let bar = super::run::progress_bar(Some(mc.0), cfg.quiet, "monte carlo");
            let uncertain: Vec<_> = loaded.years.iter().map(|l| l.uncertain.clone()).collect();
            let r = path_monte_carlo(
                &loaded.path,
                &uncertain,
                mc,
                &PathConfig {
                    alloc: AllocConfig::default(),
                    force_joint: false,
                },
                &|| bar.inc(1),
            )?;
            bar.finish_and_clear();
            timings.push(("monte_carlo".to_string(), t.elapsed().as_secs_f64()));
            Some(r)
        }
    };
    let t = Instant::now();
    let files = report::path::render_path(&loaded.path, &results, mc.as_ref())?;
    timings.push(("report".to_string(), t.elapsed().as_secs_f64()));
    let pivots = if results.joint_phases.is_empty() {
        results
            .years
            .iter()
            .flat_map(|y| {
                y.results
                    .phases
                    .iter()
                    .map(move |p| (format!("{} {}", y.year, p.name), p.iterations))
            })
            .collect()
    } else {
        results
            .joint_phases
            .iter()
            .map(|p| (p.name.clone(), p.iterations))
            .collect()
    };
    let info = RunInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        command: super::command_line(),
        scenario_files: loaded.files.clone(),
        scenario_hash: loaded.hash.clone(),
        threads: cfg.threads,
        timings,
        pivots,
    };
    commit(prepared, &info, files, Vec::new())?;
    if !cfg.quiet {
        let mut text = report::path::terminal_path(&loaded.path, &results, mc.as_ref());
        text.push_str(&format!("  outputs: {}/\n", cfg.out.display()));
        super::print_stdout(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}
