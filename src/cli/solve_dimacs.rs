//! `symbiosim solve-dimacs FILE [--flows]`: solve a DIMACS min-cost-flow file.
//!
//! Prints `s <objective>` (or `s infeasible` / `s unbounded`), `c solve_seconds <t>` (solver
//! construction and solve, not parsing nor the certificate check), `c pivots <k>`, and with
//! `--flows` one `f u v x` line per arc in input order. Optimal solutions are checked against
//! their certificate before being printed. Exit codes: 0 optimal, 2 infeasible, 3 unbounded;
//! malformed input is an error naming the file and line.
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;
use symbiosim_engine::{dimacs, verify, NetworkSimplex, PivotRule, SolveStatus};

/// Exit code when the problem is infeasible.
pub const EXIT_INFEASIBLE: u8 = 2;
/// Exit code when the problem is unbounded.
pub const EXIT_UNBOUNDED: u8 = 3;

pub fn run(path: &Path, print_flows: bool) -> anyhow::Result<ExitCode> {
    let file = std::fs::File::open(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let problem = dimacs::parse_reader(std::io::BufReader::new(file))
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;

    let start = Instant::now();
    let solution = NetworkSimplex::new(&problem, PivotRule::default())?.solve()?;
    let seconds = start.elapsed().as_secs_f64();

    let code = match solution.status {
        SolveStatus::Optimal => {
            verify(&problem, &solution)?;
            ExitCode::SUCCESS
        }
        SolveStatus::Infeasible => ExitCode::from(EXIT_INFEASIBLE),
        SolveStatus::Unbounded => ExitCode::from(EXIT_UNBOUNDED),
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    dimacs::write_solution(&mut out, &problem, &solution, seconds, print_flows)?;
    out.flush()?;
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_and_reports_errors() {
        let dir = tempfile::tempdir().unwrap();
        let ok = dir.path().join("ok.min");
        std::fs::write(&ok, "p min 2 1\nn 1 3\nn 2 -3\na 1 2 0 5 2\n").unwrap();
        assert_eq!(run(&ok, true).unwrap(), ExitCode::SUCCESS);
        let inf = dir.path().join("inf.min");
        std::fs::write(&inf, "p min 2 1\nn 1 3\nn 2 -3\na 1 2 0 2 2\n").unwrap();
        assert_eq!(run(&inf, false).unwrap(), ExitCode::from(EXIT_INFEASIBLE));
        let bad = dir.path().join("bad.min");
        std::fs::write(&bad, "p min 2 1\nn 1 3\nn 2 -3\na 1 2 0 2\n").unwrap();
        let e = run(&bad, false).unwrap_err().to_string();
        assert!(e.ends_with("line 4: arc has 4 fields, expected 5"), "{e}");
        let long = dir.path().join("long.min");
        std::fs::write(&long, format!("c {}\n", "x".repeat(5000))).unwrap();
        let e = run(&long, false).unwrap_err().to_string();
        assert!(e.ends_with("line 1: line longer than 4096 bytes"), "{e}");
    }
}
