//! Network → integer flow problem: every arc's capacity and unit cost in the units of a
//! [`Scaling`], and the role each arc plays in the lexicographic phases.

use super::{AllocateError, Scaling};
use crate::network::{ArcKind, Network};
use symbiosim_engine::{FlowProblem, INFINITE_CAPACITY};

fn to_units(x: f64, unit: f64, what: &str) -> Result<i64, AllocateError> {
    let v = (x / unit).round();
    if !v.is_finite() || v.abs() > (1u64 << 50) as f64 {
        return Err(AllocateError::Range(format!("{what} {x} / {unit}")));
    }
    Ok(v as i64)
}

/// Builds the integer problem with the network's real costs.
pub fn flow_problem(net: &Network, scaling: Scaling) -> Result<FlowProblem, AllocateError> {
    flow_problem_and_roles(net, scaling).map(|(p, _)| p)
}

/// What the lexicographic phases change on an arc.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Other,
    /// Disposal → sink: phase 1 minimises it, later phases cap it.
    Disposal,
    /// Kept → sink: phase 2 minimises it, phase 3 caps it.
    Kept,
}

/// [`flow_problem`] and every arc's [`Role`], in one pass over the network's arcs.
pub(super) fn flow_problem_and_roles(
    net: &Network,
    scaling: Scaling,
) -> Result<(FlowProblem, Vec<Role>), AllocateError> {
    let n = net.node_count();
    let m = net.graph.edge_count();
    let mut p = FlowProblem::with_nodes(n);
    p.tail.reserve_exact(m);
    p.head.reserve_exact(m);
    p.lower.reserve_exact(m);
    p.upper.reserve_exact(m);
    p.cost.reserve_exact(m);
    let mut roles = Vec::with_capacity(m);
    let mut total = 0i64;
    for v in 0..n {
        if v != net.sink.index() {
            let b = to_units(net.supply[v], scaling.quantity, "supply")?;
            p.supply[v] = b;
            total += b;
        }
    }
    p.supply[net.sink.index()] = -total;
    for (_, s, t, arc) in net.arcs() {
        let upper = match arc.capacity {
            // Rounded down: the solver never exceeds a stated capacity.
            // (A relative tolerance keeps 0.3 / 0.1 at 3, not 2.)
            Some(c) => {
                let units = c / scaling.quantity;
                to_units((units * (1.0 + 1e-12)).floor(), 1.0, "capacity")?
            }
            None => INFINITE_CAPACITY,
        };
        let cost = to_units(
            arc.econ.total() * scaling.quantity,
            scaling.cost,
            "unit cost",
        )?;
        p.add_arc(s.index(), t.index(), 0, upper, cost);
        roles.push(match arc.kind {
            ArcKind::DisposalOut(_) => Role::Disposal,
            ArcKind::KeptOut(_) => Role::Kept,
            _ => Role::Other,
        });
    }
    Ok((p, roles))
}
