//! Command line: raw arguments become a validated configuration here, and the stages are run
//! in order. Nothing in the library imports this module.

/// `eprintln!` that never panics: a closed or full standard error is ignored.
macro_rules! errln {
    ($($t:tt)*) => { $crate::cli::stderr_line(&format!($($t)*)) };
}

mod compare;
mod export;
mod path;
mod plan;
mod run;
mod solve_dimacs;
mod stream;

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
    /// The least-cost portfolio of the scenario's candidate measures whose share of Monte
    /// Carlo draws meeting the target is at least --confidence (default folder:
    /// output/<scenario stem>-plan/).
    Plan(PlanArgs),
    /// The base scenario and strategies (a base plus named changes, `[strategy]` files) side
    /// by side under both objectives, with --samples on the same draws and paired
    /// differences against the base (default folder: output/<base stem>-compare/).
    Compare(CompareArgs),
    /// Check a scenario file and report every problem found (writes nothing).
    Validate(ValidateArgs),
    /// Write the exact integer problem of one phase of a run (DIMACS, MPS or LP), with
    /// comments mapping nodes and arcs to the scenario (default: the final phase, to stdout).
    Export(ExportArgs),
    /// Solve a DIMACS min-cost-flow file and print the objective.
    SolveDimacs {
        /// The DIMACS file (`p min N M`, `n id supply`, `a u v low cap cost`).
        file: PathBuf,
        /// Also print one `f u v x` line per arc.
        #[arg(long)]
        flows: bool,
    },
}

/// Changes to the scenario given on the command line; they override the file (precedence:
/// scenario file < `--set` in the order given < `--objective`) and are validated like it, with
/// errors naming the flag.
#[derive(Debug, Clone, clap::Args)]
pub struct ScenarioArgs {
    /// The scenario TOML file.
    pub scenario: PathBuf,
    /// Override one value of the scenario, e.g. `--set policy.env_tax_multiplier=10` or
    /// `--set producers.pa-ash.quantity=2e6` (list items by id or index); repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// The objective, overriding `settings.objective`: `cost` (least cost: what the economics
    /// will do) or `max_utilisation` (technical potential: how far installed capacity reaches).
    #[arg(long, value_enum)]
    pub objective: Option<ObjectiveArg>,
    /// The accounting rule of the target, overriding `target.accounting`: `china_statistical`
    /// (backfill and ecological restoration count) or `strict` (they do not). Every output
    /// gives both rates; this chooses the one the target (and `plan`) judges.
    #[arg(long, value_enum)]
    pub accounting: Option<AccountingArg>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AccountingArg {
    #[value(name = "china_statistical")]
    ChinaStatistical,
    Strict,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ObjectiveArg {
    Cost,
    #[value(name = "max_utilisation")]
    MaxUtilisation,
}

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Dimacs,
    Mps,
    Lp,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// `dimacs` (`p min`), `mps` (free MPS) or `lp` (CPLEX LP).
    #[arg(long, value_enum)]
    pub format: FormatArg,
    /// The lexicographic phase, from 1 (default: the final one; `cost` has one phase,
    /// `max_utilisation` three).
    #[arg(long)]
    pub phase: Option<usize>,
    /// The file to write (default: standard output).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing file named by --out.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Output folder (default: output/<scenario file stem>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the folder named by --out when it is an earlier output of symbiosim (never a
    /// folder with files it did not write). The default folder needs no --force.
    #[arg(long)]
    pub force: bool,
    /// Worker threads for parallel stages, 1 to 256 (default: all cores, at most 256; results
    /// do not depend on it).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Monte Carlo: also solve N samples of the scenario's `[[uncertain]]` entries, adding
    /// `samples.csv`, `tornado.csv`, the `samples_*.npy` arrays with `samples_axes.json`, the
    /// rate-distribution and tornado charts and a `monte_carlo` block to `summary.json`
    /// (results do not depend on --threads).
    #[arg(long, value_name = "N")]
    pub samples: Option<u64>,
    /// The Monte Carlo's seed: sample k draws from stream k of it.
    #[arg(long, default_value_t = 0, requires = "samples")]
    pub seed: u64,
    /// The Monte Carlo's first sample index (runs over first..first+N concatenate exactly).
    #[arg(long, default_value_t = 0, requires = "samples")]
    pub first_sample: u64,
    /// Apply these candidate measures (`[[candidates]]` ids, comma-separated), e.g. the
    /// portfolio `plan` chose: the run, its Monte Carlo and every output are of the scenario
    /// with them, and the outputs list them with their annual cost.
    #[arg(long = "with", value_name = "ID,ID", value_delimiter = ',')]
    pub with: Vec<String>,
    /// Skip the check, made before a Monte Carlo run starts, that the output's file system has
    /// room for its per-sample files and scratch columns (a bound on their size; see
    /// docs/reports.md, "Safety"): for file systems whose free space misleads, such as
    /// compressing ones.
    #[arg(long, requires = "samples")]
    pub no_space_check: bool,
}

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The base scenario TOML file (every strategy must name it as its base).
    pub base: PathBuf,
    /// Strategy files (`[strategy]` with `title`, `base`, `with`; any scenario value), each
    /// named by its file's stem.
    #[arg(required = true)]
    pub strategies: Vec<PathBuf>,
    /// Override one value of the base and of every strategy (over the strategy's own:
    /// precedence base < strategy < --set); repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Monte Carlo: samples 0..N of every strategy on the same draws (common random numbers),
    /// with P(meet target) and paired differences against the base.
    #[arg(long, value_name = "N")]
    pub samples: Option<u64>,
    /// The Monte Carlo's seed: sample k draws from stream k of it.
    #[arg(long, default_value_t = 0, requires = "samples")]
    pub seed: u64,
    /// Output folder (default: output/<base stem>-compare).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the folder named by --out when it is an earlier output of symbiosim.
    #[arg(long)]
    pub force: bool,
    /// Worker threads, 1 to 256 (default: all cores; results do not depend on it).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// In-sample draws N: every portfolio is solved on the same samples 0..N of --seed.
    #[arg(long, value_name = "N")]
    pub samples: u64,
    /// The in-sample seed: sample k draws from stream k of it.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The share of in-sample draws that must meet the target, in (0, 1].
    #[arg(long, default_value_t = 0.9)]
    pub confidence: f64,
    /// Out-of-sample draws M for re-checking the chosen plan (default: N).
    #[arg(long, value_name = "M")]
    pub check_samples: Option<u64>,
    /// The out-of-sample seed (default: --seed + 1).
    #[arg(long)]
    pub check_seed: Option<u64>,
    /// Exact evaluations (N samples each) the search may spend before it reports its best
    /// portfolio with a lower bound (default 4096: enough for 12 candidates).
    #[arg(long, value_name = "E")]
    pub max_evaluations: Option<u64>,
    /// Output folder (default: output/<scenario file stem>-plan).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the folder named by --out when it is an earlier output of symbiosim.
    #[arg(long)]
    pub force: bool,
    /// Worker threads, 1 to 256 (default: all cores; results do not depend on it).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    stop_on_signals();
    let result = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Compare(args) => compare::run(&args),
        Command::Validate(args) => run::validate(&args.scenario),
        Command::Export(args) => export::run(&args),
        Command::SolveDimacs { file, flows } => solve_dimacs::run(&file, flows),
    };
    match result {
        Ok(code) => code,
        // A summary printed to a closed standard output (`| head`, `| true`) ends the program
        // quietly, as other command-line tools do; the outputs were already written.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            errln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// SIGINT, SIGTERM and SIGHUP end the program at once, whatever it is computing: the
/// temporary folders and files the writer registered as this process's are removed first
/// (`writer::remove_owned`; an output folder already swapped into place stays), then the
/// program exits with 128 + the signal's number (130, 143, 129).
fn stop_on_signals() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            errln!("warning: cannot catch SIGINT/SIGTERM/SIGHUP: a run they stop leaves its temporary folder");
            return;
        };
        std::thread::spawn(move || {
            if let Some(sig) = signals.forever().next() {
                symbiosim::report::writer::remove_owned();
                let name = match sig {
                    SIGINT => "SIGINT",
                    SIGTERM => "SIGTERM",
                    _ => "SIGHUP",
                };
                errln!("stopped by {name}; temporary files removed");
                std::process::exit(128 + sig);
            }
        });
    }
}

/// Standard output closed by its reader (`| head`, `| true`) while printing a summary.
#[derive(Debug, thiserror::Error)]
#[error("standard output was closed")]
pub struct StdoutClosed;

/// Writes a summary `text` to standard output. A closed pipe is [`StdoutClosed`] (the program
/// then ends quietly); any other error (a full disk) is returned as it is, never a panic.
pub fn print_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(StdoutClosed.into()),
        r => Ok(r?),
    }
}

/// The command line as the manifest records it: each argument as given, a path that is not
/// UTF-8 with its bad bytes replaced by U+FFFD (`std::env::args` would panic on it).
fn command_line() -> Vec<String> {
    std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

/// Writes one line to standard error, ignoring failures (there is nowhere left to report them).
pub fn stderr_line(text: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}");
}

/// Only a summary printed to a closed standard output ends quietly: a broken pipe anywhere
/// else (an output file on a network file system, `export` to a reader that went away) is an
/// error, so that a truncated result never looks like success.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.downcast_ref::<StdoutClosed>().is_some()
}
