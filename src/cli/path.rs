//! `run` and `validate` on a path file (`[path]`, `docs/format.md`, "Paths").

use super::run::{commit, report_invalid, with_flags};
use super::{PlanArgs, ScenarioArgs};
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

/// `plan` on a path: the search on the target year (its scenario with the path's measures
/// and growth: P(meet the target) is judged there), then the chosen portfolio added in the
/// target year and the whole path sampled on the same draws, so that a stock or a landfill
/// shared with the earlier years shows in P (`path_check.json`).
pub(super) fn plan(
    a: &PlanArgs,
    cfg: symbiosim::analysis::plan::PlanConfig,
    threads: usize,
    (out, replace, create_parents): (&Path, Replace, bool),
) -> anyhow::Result<ExitCode> {
    use symbiosim::model::path::{adjusted, Adjust, Year};
    let mut timings = Vec::new();
    let t = Instant::now();
    let loaded = match load(&a.scenario) {
        Ok(l) => l,
        Err(e) => return Ok(report_invalid(&e)),
    };
    if !a.quiet {
        warn(&loaded);
    }
    timings.push(("load".to_string(), t.elapsed().as_secs_f64()));
    let ti = loaded.path.target_index;
    let year = &loaded.path.years[ti];
    let target = &loaded.years[ti];
    if let Some(Adjust::Ramp { id, share }) = year
        .adjust
        .iter()
        .find(|x| matches!(x, Adjust::Ramp { share, .. } if *share != 1.0))
    {
        errln!(
            "error: plan on a path decides in the target year ({}), where measure {id} is still ramping up (share {share}); give it its full capacity by then, or plan on the year's scenario",
            year.year
        );
        return Ok(ExitCode::from(2));
    }
    if target.uncertain.is_empty() {
        errln!("error: plan needs [[uncertain]] entries in the target year's scenario");
        return Ok(ExitCode::from(2));
    }
    let prepared = writer::prepare(out, replace, create_parents)?;
    // The target year without measures, grown as the path grows it: what portfolios apply to.
    let base = adjusted(target.base(), &year.adjust);
    let t = Instant::now();
    let bar = super::run::progress_bar(None, a.quiet, "plan");
    let p = symbiosim::analysis::plan::plan(&base, &target.uncertain, cfg, &|k| bar.inc(k))?;
    bar.finish_and_clear();
    timings.push(("plan".to_string(), t.elapsed().as_secs_f64()));
    let mut files = report::plan_files(&base, &p)?;
    let mut check = None;
    if let Some(chosen) = &p.chosen {
        let t = Instant::now();
        let cands = &base.candidates;
        let flags: Vec<bool> = (0..cands.len())
            .map(|i| chosen.mask >> i & 1 == 1)
            .collect();
        let added: Vec<String> = cands
            .list
            .iter()
            .enumerate()
            .filter(|&(i, _)| flags[i] && cands.applied.get(i) != Some(&true))
            .map(|(_, c)| c.id.clone())
            .collect();
        let mut path = loaded.path.clone();
        let mut scenario = cands.region_for(target.base(), &flags);
        scenario.candidates.applied = flags;
        path.years[ti] = Year::new(year.year, scenario, year.adjust.clone());
        let uncertain: Vec<_> = loaded.years.iter().map(|l| l.uncertain.clone()).collect();
        let mc = path_monte_carlo(
            &path,
            &uncertain,
            (cfg.samples, cfg.seed, 0),
            &PathConfig {
                alloc: AllocConfig::default(),
                force_joint: false,
            },
            &|| (),
        )?;
        timings.push(("path_check".to_string(), t.elapsed().as_secs_f64()));
        files.push(report::OutputFile {
            path: "path_check.json".into(),
            bytes: report::path::path_check_json(&path, &added, (chosen.met, chosen.samples), &mc)?,
        });
        check = Some((added, mc));
    }
    let info = RunInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        command: super::command_line(),
        scenario_files: loaded.files.clone(),
        scenario_hash: loaded.hash.clone(),
        threads,
        timings,
        pivots: Vec::new(),
    };
    commit(prepared, &info, files, Vec::new())?;
    if !a.quiet {
        let mut text = format!(
            "{}: plan in the target year {} (its scenario with the path's measures and growth)\n",
            loaded.path.title, year.year
        );
        text.push_str(&report::terminal_plan(&base, &p));
        if let Some((added, mc)) = &check {
            let (pm, (lo, hi)) = mc.p_meet();
            text.push_str(&format!(
                "  on the whole path, with {} added in {}: P(meet the target in {}) = {:.3} (95 % CI {:.3}–{:.3}) on the same {} draws\n",
                if added.is_empty() { "nothing".to_string() } else { added.join(", ") },
                year.year,
                year.year,
                pm,
                lo,
                hi,
                mc.samples
            ));
        }
        text.push_str(&format!("  outputs: {}/\n", out.display()));
        super::print_stdout(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}
