//! `plan`: the least-cost portfolio of the scenario's candidate measures that meets the target
//! with the given confidence (see `analysis::plan` and `docs/plan.md`).

use super::run::{commit, load_or_report, output_policy, progress_bar, scenario_stem, threads};
use super::PlanArgs;
use std::process::ExitCode;
use std::time::Instant;
use symbiosim::analysis::plan::{plan, PlanConfig};
use symbiosim::report::writer;
use symbiosim::report::{self, RunInfo};

pub fn run(a: &PlanArgs) -> anyhow::Result<ExitCode> {
    if a.samples == 0 {
        anyhow::bail!("--samples must be at least 1");
    }
    if !(a.confidence > 0.0 && a.confidence <= 1.0) {
        anyhow::bail!("--confidence must be in (0, 1], not {}", a.confidence);
    }
    if a.max_evaluations == Some(0) {
        anyhow::bail!("--max-evaluations must be at least 1");
    }
    let threads = threads(a.threads)?;
    let stem = scenario_stem(&a.scenario.scenario)?;
    // Not `output/<stem>/`, which belongs to `run`.
    let (out, replace, create_parents) = output_policy(&a.out, a.force, &format!("{stem}-plan"));
    let cfg = PlanConfig {
        samples: a.samples,
        seed: a.seed,
        confidence: a.confidence,
        check_samples: a.check_samples.unwrap_or(a.samples),
        check_seed: a.check_seed.unwrap_or(a.seed.wrapping_add(1)),
        max_evaluations: a
            .max_evaluations
            .unwrap_or(symbiosim::analysis::plan::DEFAULT_MAX_EVALUATIONS),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    pool.install(|| {
        if symbiosim::scenario::path::is_path(&a.scenario.scenario) {
            return super::path::plan(a, cfg, threads, (&out, replace, create_parents));
        }
        let mut timings = Vec::new();
        let loaded = match load_or_report(&a.scenario, a.quiet, &mut timings) {
            Ok(l) => l,
            Err(code) => return Ok(code),
        };
        let prepared = writer::prepare(&out, replace, create_parents)?;
        // Portfolios are applied to the scenario without measures; those of its `with` are
        // in every one.
        let region = loaded.base();
        let t = Instant::now();
        let bar = progress_bar(None, a.quiet, "plan");
        let p = plan(region, &loaded.uncertain, cfg, &|k| bar.inc(k))?;
        bar.finish_and_clear();
        timings.push(("plan".to_string(), t.elapsed().as_secs_f64()));
        let t = Instant::now();
        let files = report::plan_files(region, &p)?;
        timings.push(("report".to_string(), t.elapsed().as_secs_f64()));
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
            let mut text = report::terminal_plan(region, &p);
            text.push_str(&format!("  outputs: {}/\n", out.display()));
            super::print_stdout(&text)?;
        }
        Ok(ExitCode::SUCCESS)
    })
}
