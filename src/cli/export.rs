//! `export`: the exact integer problem of one phase of a run, as DIMACS, MPS or LP.

use super::{ExportArgs, FormatArg};
use anyhow::Context;
use std::process::ExitCode;
use symbiosim::allocate::export::{export, Format};
use symbiosim::allocate::{self, Scaling, SolverConfig};
use symbiosim::network::Network;
use symbiosim::report::writer;

pub fn run(a: &ExportArgs) -> anyhow::Result<ExitCode> {
    let loaded = match super::run::load(&a.scenario) {
        Ok(l) => l,
        Err(e) => return Ok(super::run::report_invalid(&e)),
    };
    if let Some(out) = &a.out {
        // Before any work: an existing file is never replaced without --force.
        writer::check_file(out, a.force)?;
    }
    let region = &loaded.region;
    let net = Network::build(region)?;
    let scaling = Scaling {
        quantity: region.settings.quantity_resolution,
        cost: region.settings.cost_resolution,
    };
    let objective = region.settings.objective;
    let phases = allocate::phase_problems(&net, objective, scaling, SolverConfig::default())
        .context("allocation failed")?;
    let k = match a.phase {
        None => phases.len(),
        Some(k) if (1..=phases.len()).contains(&k) => k,
        Some(k) => {
            let names: Vec<String> = phases
                .iter()
                .enumerate()
                .map(|(i, p)| format!("{} \"{}\"", i + 1, p.name))
                .collect();
            match phases.len() {
                1 => anyhow::bail!(
                    "--phase {k}: this allocation has one phase (1 \"{}\"): give --phase 1 or leave it out",
                    phases[0].name
                ),
                n => anyhow::bail!(
                    "--phase {k}: this allocation has {n} phases ({}): give one of 1 to {n}",
                    names.join(", ")
                ),
            }
        }
    };
    let format = match a.format {
        FormatArg::Dimacs => Format::Dimacs,
        FormatArg::Mps => Format::Mps,
        FormatArg::Lp => Format::Lp,
    };
    let text = export(region, &net, objective, scaling, &phases, k - 1, format);
    match &a.out {
        Some(out) => writer::write_file(out, text.as_bytes(), a.force)?,
        // The problem itself: a reader that goes away mid-file is an error, not success.
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
