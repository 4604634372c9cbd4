//! The least waste without a legal fate: on a network built with dumping arcs, the flow that
//! dumps the least (every dumping arc costs one unit, everything else nothing), solved cold
//! and certified. Used to explain a scenario that forbids dumping and cannot place all its
//! waste legally.

use super::problem::flow_problem;
use super::{AllocateError, Scaling};
use crate::network::{ArcKind, Network};
use symbiosim_engine::{solve, verify, SolveStatus, SolverConfig};

/// Flow per arc, in material units, of an allocation that dumps the least on `net`; the
/// minimum total is exact (its split between producers sharing a landfill is one of the
/// optimal ones).
pub fn least_dumping(net: &Network, scaling: Scaling) -> Result<Vec<f64>, AllocateError> {
    let mut p = flow_problem(net, scaling)?;
    for ((_, _, _, arc), c) in net.arcs().zip(p.cost.iter_mut()) {
        *c = i64::from(matches!(arc.kind, ArcKind::Dump { .. }));
    }
    let sol = solve(&p, &SolverConfig::default())?;
    if sol.status != SolveStatus::Optimal {
        return Err(AllocateError::NotOptimal(sol.status));
    }
    verify(&p, &sol)?;
    Ok(sol
        .flow
        .iter()
        .map(|&x| x as f64 * scaling.quantity)
        .collect())
}
