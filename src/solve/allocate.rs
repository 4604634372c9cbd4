//! Symbiosis network → integer flow problems → the exact allocation.
//!
//! Scaling (documented in README "Exactness"): a flow unit is `quantity_resolution` material
//! units and a cost unit `cost_resolution` yuan per flow unit. Supplies and capacities are
//! rounded to the nearest flow unit (error ≤ half a unit each), unit costs to the nearest cost
//! unit (error ≤ half a cost unit per flow unit per arc). The solve on the integers is exact
//! and certified.
//!
//! Objectives: `Cost` is one solve. `MaxUtilisation` is lexicographic and exact by three
//! certified solves, each a pure network: (1) least disposal of new generation; (2) with
//! disposal capped at that optimum, most legacy stockpile drawn; (3) with both capped, least
//! cost. Phases 2 and 3 warm-start from the previous phase's basis.

use super::{
    Certificate, FlowProblem, NetworkSimplex, SolveError, SolveStatus, SolverConfig,
    INFINITE_CAPACITY,
};
use crate::model::Objective;
use crate::network::{ArcKind, Network};

/// Units of the integer problem.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scaling {
    /// Material units per flow unit.
    pub quantity: f64,
    /// Yuan per cost unit per flow unit.
    pub cost: f64,
}

/// One certified solve of a lexicographic sequence.
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    pub name: &'static str,
    pub objective: i128,
    pub iterations: u64,
    pub certificate: Certificate,
}

/// The exact allocation on a network.
#[derive(Debug, Clone)]
pub struct Allocation {
    /// Flow per arc in material units.
    pub flow: Vec<f64>,
    /// Flow per arc in flow units (exact).
    pub flow_units: Vec<i64>,
    /// Node potentials in yuan per material unit (final phase).
    pub potential: Vec<f64>,
    /// Reduced cost per arc in yuan per material unit (final phase).
    pub reduced_cost: Vec<f64>,
    /// Final-phase objective in cost units × flow units, and in yuan.
    pub objective_units: i128,
    pub objective_yuan: f64,
    pub phases: Vec<Phase>,
    /// The final integer problem that was solved (for re-checking and export).
    pub problem: FlowProblem,
    /// The units of `problem`.
    pub scaling: Scaling,
}

/// Errors of allocation.
#[derive(Debug, thiserror::Error)]
pub enum AllocateError {
    #[error(transparent)]
    Solve(#[from] SolveError),
    #[error(
        "the allocation problem is {0:?}, which the network's disposal arcs should make impossible"
    )]
    NotOptimal(SolveStatus),
    #[error("a value does not fit the solver's integers after scaling: {0}")]
    Range(String),
}

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
enum Role {
    Other,
    /// Disposal → sink: phase 1 minimises it, later phases cap it.
    Disposal,
    /// Kept → sink: phase 2 minimises it, phase 3 caps it.
    Kept,
}

/// [`flow_problem`] and every arc's [`Role`], in one pass over the network's arcs.
fn flow_problem_and_roles(
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

/// Solves the allocation of a network, keeping the simplex basis between calls: a second call
/// on a network with the same topology (a Monte Carlo sample, a policy variant) warm-starts
/// from the previous optimum. Results are identical to a cold solve and always certified.
pub struct Allocator {
    cfg: SolverConfig,
    simplex: Option<NetworkSimplex>,
}

impl Allocator {
    pub fn new(cfg: SolverConfig) -> Self {
        Allocator { cfg, simplex: None }
    }

    /// The solver holding the optimal basis of the last problem solved (the final phase of
    /// the last allocation), for warm re-solves of variants of that problem.
    pub fn simplex(&self) -> Option<&NetworkSimplex> {
        self.simplex.as_ref()
    }

    /// Solves `problem` from the kept basis when the topology matches, else cold.
    fn solve(
        &mut self,
        problem: &FlowProblem,
        name: &'static str,
    ) -> Result<(super::FlowSolution, Phase), AllocateError> {
        match &mut self.simplex {
            Some(ns) => ns.update_or_reset(problem)?,
            None => self.simplex = Some(NetworkSimplex::new(problem, self.cfg.pivot)?),
        }
        // Warm from the kept basis, or a cold solve of a fresh solver.
        let sol = self.simplex.as_mut().expect("set above").resolve()?;
        if sol.status != SolveStatus::Optimal {
            return Err(AllocateError::NotOptimal(sol.status));
        }
        // Always checked, whatever `cfg.verify` says: allocations are never reported unverified.
        let certificate = super::verify(problem, &sol).map_err(SolveError::from)?;
        let phase = Phase {
            name,
            objective: sol.objective,
            iterations: sol.iterations,
            certificate,
        };
        Ok((sol, phase))
    }

    /// Solves the allocation of `net` for `objective`.
    pub fn allocate(
        &mut self,
        net: &Network,
        objective: Objective,
        scaling: Scaling,
    ) -> Result<Allocation, AllocateError> {
        let (real, roles) = flow_problem_and_roles(net, scaling)?;
        let mut phases = Vec::new();
        let (sol, problem) = match objective {
            Objective::Cost => {
                let (sol, ph) = self.solve(&real, "least cost")?;
                phases.push(ph);
                (sol, real)
            }
            Objective::MaxUtilisation => {
                // Phase 1: least disposal of new generation.
                let mut p1 = real.clone();
                for (c, &r) in p1.cost.iter_mut().zip(&roles) {
                    *c = i64::from(r == Role::Disposal);
                }
                let (s1, ph) = self.solve(&p1, "least disposal")?;
                phases.push(ph);
                // Phase 2: disposal capped at its optimum; most stockpile drawn.
                let mut p2 = p1;
                for (a, &r) in roles.iter().enumerate() {
                    if r == Role::Disposal {
                        p2.upper[a] = s1.flow[a];
                    }
                    p2.cost[a] = i64::from(r == Role::Kept);
                }
                let (s2, ph) = self.solve(&p2, "most stockpile drawn")?;
                phases.push(ph);
                // Phase 3: both capped; least cost.
                let mut p3 = real;
                for (a, &r) in roles.iter().enumerate() {
                    match r {
                        Role::Disposal => p3.upper[a] = s1.flow[a],
                        Role::Kept => p3.upper[a] = s2.flow[a],
                        Role::Other => {}
                    }
                }
                let (s3, ph) = self.solve(&p3, "least cost")?;
                phases.push(ph);
                (s3, p3)
            }
        };
        Ok(finish(sol, problem, phases, scaling))
    }
}

/// Solves the allocation for `objective` (cold; see [`Allocator`] for repeated solves).
pub fn allocate(
    net: &Network,
    objective: Objective,
    scaling: Scaling,
    cfg: &SolverConfig,
) -> Result<Allocation, AllocateError> {
    Allocator::new(*cfg).allocate(net, objective, scaling)
}

fn finish(
    sol: super::FlowSolution,
    problem: FlowProblem,
    phases: Vec<Phase>,
    scaling: Scaling,
) -> Allocation {
    let q = scaling.quantity;
    let per_unit = scaling.cost / q;
    let flow = sol.flow.iter().map(|&x| x as f64 * q).collect();
    let potential = sol.potential.iter().map(|&p| p as f64 * per_unit).collect();
    // Certified: every reduced cost fits an i64, so wrapping arithmetic computes it exactly
    // (and an i128 to f64 conversion is a slow call).
    let pi = &sol.potential;
    let reduced_cost = (0..problem.num_arcs())
        .map(|a| {
            let (t, h) = (problem.tail[a] as usize, problem.head[a] as usize);
            let rc = problem.cost[a].wrapping_sub(pi[t]).wrapping_add(pi[h]);
            rc as f64 * per_unit
        })
        .collect();
    Allocation {
        flow,
        flow_units: sol.flow,
        potential,
        reduced_cost,
        objective_units: sol.objective,
        objective_yuan: sol.objective as f64 * scaling.cost,
        phases,
        problem,
        scaling,
    }
}
