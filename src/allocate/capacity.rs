//! Exact capacity values: the cost saved by one more unit of each saturated consumer's
//! capacity and of each full landfill, by certified warm re-solves of the final phase (in
//! parallel chunks).

use super::{AllocateError, Allocation};
use crate::network::{ArcKind, Network};
use rayon::prelude::*;
use symbiosim_engine::{
    verify, FlowProblem, FlowSolution, NetworkSimplex, PivotRule, SolveStatus, INFINITE_CAPACITY,
};

/// The exact values of one more unit of capacity of every saturated consumer and of every full
/// landfill: per consumer and per park (0 where not saturated or unlimited), in yuan per
/// material unit. The final phase's problem is re-solved (warm, from its optimum) with that
/// capacity alone raised by one flow unit. Under `max_utilisation` the utilisation fixed
/// by the earlier phases stays a bound, so this is the cost saved at (at least) the same
/// utilisation. `start`, when given, is a solver whose basis is a good start (the
/// [`Allocator`](super::Allocator)'s, holding the final phase's optimum): a
/// copy of it is re-solved instead of solving the final phase again from scratch.
pub(super) fn capacity_values(
    net: &Network,
    alloc: &Allocation,
    start: Option<&NetworkSimplex>,
) -> Result<CapacityValues, AllocateError> {
    let p = &alloc.problem;
    let mut values = CapacityValues {
        consumer: vec![0.0; net.consumer_node.len()],
        landfill: vec![0.0; net.park_count()],
    };
    let saturated: Vec<(usize, Held)> = net
        .arcs()
        .filter(|&(a, ..)| p.upper[a] != INFINITE_CAPACITY && alloc.flow_units[a] >= p.upper[a])
        .filter_map(|(a, _, _, arc)| match arc.kind {
            ArcKind::Capacity { consumer } => Some((a, Held::Consumer(consumer.0))),
            ArcKind::LandfillLimit { park } => Some((a, Held::Landfill(park.0))),
            _ => None,
        })
        .collect();
    if saturated.is_empty() {
        return Ok(values);
    }
    let per_unit = alloc.scaling.cost / alloc.scaling.quantity;
    let mut ns = match start {
        Some(s) => {
            let mut ns = s.clone();
            ns.update_or_reset(p)?;
            ns
        }
        None => NetworkSimplex::new(p, PivotRule::default())?,
    };
    // Every re-solve is certified against the problem it solved, like the allocation's.
    let certified = |q: &FlowProblem, sol: &FlowSolution| -> Result<i128, AllocateError> {
        if sol.status != SolveStatus::Optimal {
            return Err(AllocateError::NotOptimal(sol.status));
        }
        verify(q, sol)?;
        Ok(sol.objective)
    };
    let base = certified(p, &ns.resolve()?)?;
    // Chunks of consumers in parallel, each from a copy of the solver at the base optimum and
    // warm from one consumer to the next. Every value is an exact optimum, whatever the
    // chunking: results do not depend on the thread count.
    let chunk = saturated
        .len()
        .div_ceil(2 * rayon::current_num_threads())
        .max(8);
    let chunks: Vec<Result<Vec<(Held, f64)>, AllocateError>> = saturated
        .par_chunks(chunk)
        .map(|chunk| {
            let (mut ns, mut q) = (ns.clone(), p.clone());
            let mut out = Vec::with_capacity(chunk.len());
            let mut previous: Option<usize> = None;
            for &(a, c) in chunk {
                if let Some(b) = previous {
                    ns.set_bounds(b, p.lower[b], p.upper[b])?;
                    q.upper[b] = p.upper[b];
                }
                ns.set_bounds(a, p.lower[a], p.upper[a] + 1)?;
                q.upper[a] = p.upper[a] + 1;
                let objective = certified(&q, &ns.resolve()?)?;
                out.push((c, ((base - objective) as f64 * per_unit).max(0.0)));
                previous = Some(a);
            }
            Ok(out)
        })
        .collect();
    for chunk in chunks {
        for (held, v) in chunk? {
            match held {
                Held::Consumer(c) => values.consumer[c] = v,
                Held::Landfill(park) => values.landfill[park] = v,
            }
        }
    }
    Ok(values)
}

/// What a saturated capacity arc holds: a consumer's capacity or a park's landfill.
#[derive(Debug, Clone, Copy)]
enum Held {
    Consumer(usize),
    Landfill(usize),
}

/// The exact value of one more unit of each capacity, yuan per material unit: per consumer
/// (consumer index) and per landfill (park index; 0 for a park without a limit).
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityValues {
    pub consumer: Vec<f64>,
    pub landfill: Vec<f64>,
}
