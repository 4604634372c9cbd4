//! Command line: raw arguments become a validated configuration here, and the stages are run
//! in order. Nothing in the library imports this module.

mod run;
mod solve_dimacs;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exact simulator of industrial symbiosis: matches by-product producers with the plants that
/// can use them and reports utilisation against a target.
#[derive(Debug, Parser)]
#[command(name = "symbiosim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Solve a scenario and write its outputs (default folder: output/<scenario stem>/).
    Run(RunArgs),
    /// Check a scenario file and report every problem found (writes nothing).
    Validate {
        /// The scenario TOML file.
        scenario: PathBuf,
    },
    /// Solve a DIMACS min-cost-flow file and print the objective.
    SolveDimacs {
        /// The DIMACS file (`p min N M`, `n id supply`, `a u v low cap cost`).
        file: PathBuf,
        /// Also print one `f u v x` line per arc.
        #[arg(long)]
        flows: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The scenario TOML file.
    pub scenario: PathBuf,
    /// Output folder (default: output/<scenario file stem>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing output folder.
    #[arg(long)]
    pub force: bool,
    /// Worker threads for parallel stages (default: all cores; results do not depend on it).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Validate { scenario } => run::validate(&scenario),
        Command::SolveDimacs { file, flows } => solve_dimacs::run(&file, flows),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
