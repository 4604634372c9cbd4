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
    let n = net.node_count();
    let mut p = FlowProblem::with_nodes(n);
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
    }
    Ok(p)
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
        let real = flow_problem(net, scaling)?;
        let mut phases = Vec::new();
        let (sol, problem) = match objective {
            Objective::Cost => {
                let (sol, ph) = self.solve(&real, "least cost")?;
                phases.push(ph);
                (sol, real)
            }
            Objective::MaxUtilisation => {
                let kinds: Vec<ArcKind> = net.arcs().map(|(_, _, _, a)| a.kind).collect();
                // Phase 1: least disposal of new generation.
                let mut p1 = real.clone();
                for (a, k) in kinds.iter().enumerate() {
                    p1.cost[a] = i64::from(matches!(k, ArcKind::DisposalOut(_)));
                }
                let (s1, ph) = self.solve(&p1, "least disposal")?;
                phases.push(ph);
                // Phase 2: disposal capped at its optimum; most stockpile drawn.
                let mut p2 = p1;
                for (a, k) in kinds.iter().enumerate() {
                    if matches!(k, ArcKind::DisposalOut(_)) {
                        p2.upper[a] = s1.flow[a];
                    }
                    p2.cost[a] = i64::from(matches!(k, ArcKind::KeptOut(_)));
                }
                let (s2, ph) = self.solve(&p2, "most stockpile drawn")?;
                phases.push(ph);
                // Phase 3: both capped; least cost.
                let mut p3 = real;
                for (a, k) in kinds.iter().enumerate() {
                    match k {
                        ArcKind::DisposalOut(_) => p3.upper[a] = s1.flow[a],
                        ArcKind::KeptOut(_) => p3.upper[a] = s2.flow[a],
                        _ => {}
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
    let reduced_cost = (0..problem.num_arcs())
        .map(|a| {
            let rc = problem.cost[a] as i128 - sol.potential[problem.tail[a] as usize] as i128
                + sol.potential[problem.head[a] as usize] as i128;
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
