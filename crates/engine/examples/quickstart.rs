//! The example of the engine's README: a cold, certified solve, then a warm re-solve.
//!
//! ```text
//! cargo run --release -p symbiosim-engine --example quickstart
//! ```
use symbiosim_engine::{solve, verify, FlowProblem, NetworkSimplex, PivotRule, SolverConfig};
use symbiosim_engine::{SolveStatus, INFINITE_CAPACITY as INF};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Producers 0 and 1 (10 and 5 units) feed a plant 2 that can use 12 units (its arc to the
    // sink 3 has capacity 12 and cost -10: a benefit), or pay 25 per unit to landfill.
    let mut p = FlowProblem::with_nodes(4);
    p.supply = vec![10, 5, 0, -15];
    p.add_arc(0, 2, 0, INF, 3); // haul, 3 per unit
    p.add_arc(1, 2, 0, INF, 7); // haul, 7 per unit
    let plant = p.add_arc(2, 3, 0, 12, -10); // use, up to 12 units
    p.add_arc(0, 3, 0, INF, 25); // landfill
    p.add_arc(1, 3, 0, INF, 25); // landfill

    let sol = solve(&p, &SolverConfig::default())?; // checks the certificate
    assert_eq!((sol.status, sol.objective), (SolveStatus::Optimal, -1));
    println!("cold: flows {:?}, potentials {:?}", sol.flow, sol.potential);

    // Warm start: keep the basis, change the data (same arcs), re-solve, certify.
    let mut ns = NetworkSimplex::new(&p, PivotRule::default())?;
    ns.solve()?;
    p.upper[plant] = 14;
    ns.update(&p)?;
    let warm = ns.resolve()?;
    let cert = verify(&p, &warm)?;
    assert_eq!(cert.primal_objective, -57);
    println!(
        "warm: objective {} = dual {}",
        cert.primal_objective, cert.dual_objective
    );
    Ok(())
}
