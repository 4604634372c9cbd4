//! Writes generated instances as DIMACS, and solves DIMACS files with the output of
//! `symbiosim solve-dimacs` (used by `scripts/compare-lemon.sh`).
//!
//! ```text
//! cargo run --release -p symbiosim-engine --example gen_dimacs -- transport ARCS SEED   > t.min
//! cargo run --release -p symbiosim-engine --example gen_dimacs -- netgen NODES ARCS SEED > g.min
//! cargo run --release -p symbiosim-engine --example gen_dimacs -- perturb PERCENT SEED < t.min > t2.min
//! cargo run --release -p symbiosim-engine --example gen_dimacs -- solve FILE [--flows]
//! cargo run --release -p symbiosim-engine --example gen_dimacs -- time FILE REPS [RULE]
//! cargo run --release -p symbiosim-engine --example gen_dimacs -- warm FILE PERCENT REPS
//! ```
//!
//! `time` prints the objective and the minimum solve time over REPS in-process solves (the
//! span of `c solve_seconds`), with RULE one of block (default), first, candidate, best.
//! `warm` solves FILE, then REPS times perturbs the original by ±PERCENT % (supplies,
//! capacities, costs) and compares a warm `update` + `resolve` with a cold solve (objectives
//! must agree), printing the mean times and the speed-up.
use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::Instant;
use symbiosim_engine::{dimacs, gen, verify, NetworkSimplex, PivotRule, SolveStatus};

fn arg<T: std::str::FromStr>(args: &[String], i: usize, what: &str) -> anyhow::Result<T> {
    args.get(i)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("missing or invalid {what} (argument {i})"))
}

fn main() -> anyhow::Result<ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let problem = match args.first().map(String::as_str) {
        Some("transport") => gen::transport(arg(&args, 1, "ARCS")?, arg(&args, 2, "SEED")?),
        Some("netgen") => gen::netgen(arg(&args, 1, "NODES")?, arg(&args, 2, "ARCS")?, arg(&args, 3, "SEED")?),
        Some("perturb") => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text)?;
            let p = dimacs::parse(&text)?;
            gen::perturb(&p, arg(&args, 1, "PERCENT")?, arg(&args, 2, "SEED")?)
        }
        Some("solve") => {
            let path: String = arg(&args, 1, "FILE")?;
            let flows = args.iter().skip(2).any(|a| a == "--flows");
            let problem = dimacs::parse(&std::fs::read_to_string(&path)?)
                .map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
            let start = Instant::now();
            let sol = NetworkSimplex::new(&problem, PivotRule::default())?.solve()?;
            let seconds = start.elapsed().as_secs_f64();
            if sol.status == SolveStatus::Optimal {
                verify(&problem, &sol)?;
            }
            dimacs::write_solution(&mut std::io::stdout().lock(), &problem, &sol, seconds, flows)?;
            return Ok(ExitCode::SUCCESS);
        }
        Some("time") => {
            let path: String = arg(&args, 1, "FILE")?;
            let reps: usize = arg(&args, 2, "REPS")?;
            let rule = match args.get(3).map(String::as_str) {
                None | Some("block") => PivotRule::BlockSearch,
                Some("first") => PivotRule::FirstEligible,
                Some("candidate") => PivotRule::CandidateList,
                Some("best") => PivotRule::BestEligible,
                Some(other) => anyhow::bail!("unknown pivot rule {other}"),
            };
            let problem = dimacs::parse(&std::fs::read_to_string(&path)?)?;
            let mut best = f64::INFINITY;
            let mut last = None;
            for _ in 0..reps.max(1) {
                let start = Instant::now();
                let sol = NetworkSimplex::new(&problem, rule)?.solve()?;
                best = best.min(start.elapsed().as_secs_f64());
                last = Some(sol);
            }
            let sol = last.expect("at least one solve");
            match sol.status {
                SolveStatus::Optimal => println!("s {}", sol.objective),
                SolveStatus::Infeasible => println!("s infeasible"),
                SolveStatus::Unbounded => println!("s unbounded"),
            }
            println!("c solve_seconds {best:.6}");
            println!("c pivots {}", sol.iterations);
            return Ok(ExitCode::SUCCESS);
        }
        Some("warm") => {
            let path: String = arg(&args, 1, "FILE")?;
            let percent: i64 = arg(&args, 2, "PERCENT")?;
            let reps: u64 = arg(&args, 3, "REPS")?;
            let base = dimacs::parse(&std::fs::read_to_string(&path)?)?;
            let mut ns = NetworkSimplex::new(&base, PivotRule::BlockSearch)?;
            ns.solve()?;
            let (mut warm_t, mut cold_t, mut warm_piv, mut cold_piv) = (0.0, 0.0, 0, 0);
            for seed in 0..reps {
                let q = gen::perturb(&base, percent, seed);
                let start = Instant::now();
                ns.update(&q)?;
                let warm = ns.resolve()?;
                warm_t += start.elapsed().as_secs_f64();
                let start = Instant::now();
                let cold = NetworkSimplex::new(&q, PivotRule::BlockSearch)?.solve()?;
                cold_t += start.elapsed().as_secs_f64();
                anyhow::ensure!(
                    warm.status == cold.status && warm.objective == cold.objective,
                    "warm {:?} {} != cold {:?} {}",
                    warm.status,
                    warm.objective,
                    cold.status,
                    cold.objective
                );
                warm_piv += warm.iterations;
                cold_piv += cold.iterations;
            }
            let r = reps.max(1) as f64;
            println!(
                "c warm_ms {:.4} cold_ms {:.4} speedup {:.2} warm_pivots {:.0} cold_pivots {:.0}",
                warm_t / r * 1e3,
                cold_t / r * 1e3,
                cold_t / warm_t,
                warm_piv as f64 / r,
                cold_piv as f64 / r
            );
            return Ok(ExitCode::SUCCESS);
        }
        _ => anyhow::bail!(
            "usage: gen_dimacs transport ARCS SEED | netgen NODES ARCS SEED | perturb PERCENT SEED | solve FILE [--flows] | time FILE REPS [RULE] | warm FILE PERCENT REPS"
        ),
    };
    std::io::stdout()
        .lock()
        .write_all(dimacs::write(&problem).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
