//! The [`Allocator`]: the lexicographic phases, each solved warm from the previous basis and
//! certified, and the assembly of the [`Allocation`] in material units and yuan.

use super::canonical;
use super::problem::{flow_problem_and_roles, write_values, Role};
use super::{AllocConfig, AllocateError, Allocation, Phase, PhaseProblem, Scaling};
use crate::model::Objective;
use crate::network::Network;
use symbiosim_engine::{verify, FlowProblem, FlowSolution, NetworkSimplex, SolveStatus};

/// Solves the allocation of a network, keeping the simplex basis between calls: a second call
/// on a network with the same topology (a Monte Carlo sample, a policy variant) warm-starts
/// from the previous optimum. Results are identical to a cold solve and always certified.
#[derive(Clone)]
pub struct Allocator {
    cfg: AllocConfig,
    simplex: Option<NetworkSimplex>,
    /// The solvers of the canonical rule's steps (t·km; ties by ids and the last step), each
    /// keeping its own basis: a sample's step starts warm from the base's same step, whose
    /// face is close, rather than from the least-cost basis, whose objective is another.
    canon: [Option<NetworkSimplex>; 2],
    /// The problems of [`Allocator::allocate_flows`], rewritten in place (scratch).
    lean: Option<Lean>,
}

/// The buffers of the lean path: the real problem of the network last given, its arcs' roles,
/// and a phase problem derived from it.
#[derive(Clone)]
struct Lean {
    /// The [`Network::topology_id`] of the network `real` was last written from.
    topology: u64,
    real: FlowProblem,
    roles: Vec<Role>,
    work: FlowProblem,
    /// Each arc's weight of the canonical rule's t·km step, for `real`'s values.
    tkm: Vec<i64>,
    /// Each arc's weight of the canonical rule's tie-break step (from the network's keys).
    tie: Vec<i64>,
    /// The optimal face the canonical rule solves on (scratch).
    face: FlowProblem,
}

/// The flows of an allocation solved by [`Allocator::allocate_flows`], in flow units (exact,
/// certified), with the supplies the solver saw.
#[derive(Debug)]
pub struct Flows<'a> {
    /// Flow per arc (final phase).
    pub flow_units: Vec<i64>,
    /// Supply per node.
    pub supply_units: &'a [i64],
    /// Final-phase objective in cost units × flow units.
    pub objective_units: i128,
}

impl Allocator {
    pub fn new(cfg: AllocConfig) -> Self {
        Allocator {
            cfg,
            simplex: None,
            canon: [None, None],
            lean: None,
        }
    }

    /// Makes this allocator a copy of `other` (configuration and basis) for everything it
    /// computes next, reusing its buffers and skipping what a solver copied from `other`
    /// still shares with it (`NetworkSimplex::restore_from`): the Monte Carlo restores the
    /// base optimum's basis before every sample this way, so that every sample starts from
    /// the same state whoever solved what before.
    pub fn copy_from(&mut self, other: &Allocator) {
        self.cfg = other.cfg;
        let pairs = std::iter::once((&mut self.simplex, &other.simplex))
            .chain(self.canon.iter_mut().zip(&other.canon));
        for (a, b) in pairs {
            match (a, b) {
                (Some(a), Some(b)) => a.restore_from(b),
                (a, b) => a.clone_from(b),
            }
        }
    }

    /// Builds now, in the kept solver, what its next warm re-solve would build first (see
    /// `NetworkSimplex::prepare_update`), without changing what it will compute: copies made
    /// afterwards ([`Allocator::copy_from`]) skip that work.
    pub fn prepare(&mut self) {
        for ns in std::iter::once(&mut self.simplex)
            .chain(&mut self.canon)
            .flatten()
        {
            ns.prepare_update();
        }
    }

    /// The allocation's flows alone, as [`Allocator::allocate`] would find them (the same
    /// phases, each warm from the previous basis and certified), without assembling an
    /// [`Allocation`]: the problem is rewritten in place in kept buffers when `net` has the
    /// nodes and arcs of the network last given (else built anew). No capacity values or
    /// rate ranges, whatever the configuration says. The Monte Carlo path.
    pub fn allocate_flows(
        &mut self,
        net: &Network,
        objective: Objective,
        scaling: Scaling,
    ) -> Result<Flows<'_>, AllocateError> {
        let mut lean = match self.lean.take() {
            // The same id: the same nodes and arcs, not compared again.
            Some(mut l) if l.topology == net.topology_id() || same_arcs(net, &l.real) => {
                write_values(net, scaling, &mut l.real)?;
                canonical::tkm_weights(net, &mut l.tkm);
                if l.topology != net.topology_id() {
                    l.tie = canonical::tie_weights(net);
                }
                l.topology = net.topology_id();
                l
            }
            _ => {
                let (real, roles) = flow_problem_and_roles(net, scaling)?;
                let mut tkm = Vec::new();
                canonical::tkm_weights(net, &mut tkm);
                Lean {
                    topology: net.topology_id(),
                    work: real.clone(),
                    face: real.clone(),
                    real,
                    roles,
                    tkm,
                    tie: canonical::tie_weights(net),
                }
            }
        };
        let result = self.lean_phases(&mut lean, objective, net.tie_keys());
        self.lean = Some(lean);
        let (sol, objective_units) = result?;
        Ok(Flows {
            flow_units: sol,
            supply_units: &self.lean.as_ref().expect("set above").real.supply,
            objective_units,
        })
    }

    /// The phases of [`Allocator::phases`] on the buffers of `lean`, then the canonical
    /// optimum among the last phase's: the final flows and objective.
    fn lean_phases(
        &mut self,
        lean: &mut Lean,
        objective: Objective,
        keys: &[u64],
    ) -> Result<(Vec<i64>, i128), AllocateError> {
        let Lean {
            real,
            roles,
            work,
            tkm,
            tie,
            face,
            ..
        } = lean;
        let mut solve = |this: &mut Self, slot, p: &FlowProblem, name: &'static str| {
            this.solve_on(slot, p, name).map(|(s, _)| s)
        };
        let (sol, last) = match objective {
            Objective::Cost => (solve(self, None, real, "least cost")?, &*real),
            Objective::MaxUtilisation => {
                work.supply.clone_from(&real.supply);
                work.upper.clone_from(&real.upper);
                for (c, &r) in work.cost.iter_mut().zip(roles.iter()) {
                    *c = i64::from(r == Role::Disposal);
                }
                let s1 = solve(self, None, work, "least disposal")?;
                for (a, &r) in roles.iter().enumerate() {
                    if r == Role::Disposal {
                        work.upper[a] = s1.flow[a];
                    }
                    work.cost[a] = i64::from(r == Role::Kept);
                }
                let s2 = solve(self, None, work, "most stockpile drawn")?;
                work.cost.clone_from(&real.cost);
                for (a, &r) in roles.iter().enumerate() {
                    work.upper[a] = match r {
                        Role::Disposal => s1.flow[a],
                        Role::Kept => s2.flow[a],
                        Role::Other => real.upper[a],
                    };
                }
                (solve(self, None, work, "least cost")?, &*work)
            }
        };
        let weights = canonical::Weights { tkm, tie, keys };
        let flow = self.canonical(last, &sol, weights, face, &mut solve)?;
        Ok((flow, sol.objective))
    }

    /// The canonical optimum among the optima of `p` (solved as `sol`; see
    /// [`canonical`](super::canonical)): the steps of the rule, each solved by `solve` on
    /// `face` (scratch) and certified; steps end once the face is a single point. The flow
    /// found is checked again against `p` with `sol`'s potentials (an optimum of `p`, and the
    /// certificate of that is returned beside it).
    fn canonical(
        &mut self,
        p: &FlowProblem,
        sol: &FlowSolution,
        w: canonical::Weights<'_>,
        face: &mut FlowProblem,
        solve: &mut SolveStep<'_>,
    ) -> Result<Vec<i64>, AllocateError> {
        face.clone_from(p);
        canonical::restrict_to_face(face, &p.cost, &sol.potential, &sol.flow);
        if canonical::is_unique(face, &sol.flow) {
            return Ok(sol.flow.clone());
        }
        let mut cost = std::mem::take(&mut face.cost);
        let steps: [(&[i64], &'static str); 2] = [(w.tkm, "least t·km"), (w.tie, "ties by ids")];
        let mut flow = Vec::new();
        for (step, (weights, name)) in steps.into_iter().enumerate() {
            face.cost.clear();
            face.cost.extend_from_slice(weights);
            let s = solve(self, Some(step), face, name)?;
            cost.clone_from(&face.cost);
            canonical::restrict_to_face(face, &cost, &s.potential, &s.flow);
            flow = s.flow;
            if canonical::is_unique(face, &flow) {
                return self.recheck(p, sol, flow);
            }
        }
        // Step 3: the tied arc of smallest key carries the most flow, one arc at a time.
        while let Some(a) = canonical::first_tied_arc(face, &flow, w.keys) {
            face.cost.iter_mut().for_each(|c| *c = 0);
            face.cost[a] = -1;
            let s = solve(self, Some(1), face, "most flow on the first tied arc")?;
            cost.clone_from(&face.cost);
            canonical::restrict_to_face(face, &cost, &s.potential, &s.flow);
            flow = s.flow;
            if canonical::is_unique(face, &flow) {
                break;
            }
        }
        self.recheck(p, sol, flow)
    }

    /// `flow` with the potentials of `sol` certified optimal for `p`: the canonical flow is one
    /// of `p`'s optima.
    fn recheck(
        &self,
        p: &FlowProblem,
        sol: &FlowSolution,
        flow: Vec<i64>,
    ) -> Result<Vec<i64>, AllocateError> {
        let candidate = FlowSolution {
            status: SolveStatus::Optimal,
            flow,
            potential: sol.potential.clone(),
            objective: sol.objective,
            iterations: 0,
        };
        verify(p, &candidate)?;
        Ok(candidate.flow)
    }

    /// What the next allocations compute (the basis is kept: a run solves its primary
    /// objective in full, then the other objective without capacity values or rate ranges).
    pub fn set_config(&mut self, cfg: AllocConfig) {
        self.cfg = cfg;
    }

    /// What the allocations compute.
    pub fn config(&self) -> AllocConfig {
        self.cfg
    }

    /// The solver holding the optimal basis of the last problem solved (the final phase of
    /// the last allocation), for warm re-solves of variants of that problem.
    pub fn simplex(&self) -> Option<&NetworkSimplex> {
        self.simplex.as_ref()
    }

    /// Solves `problem` from the kept basis of the solver of the objective's phases (`None`) or
    /// of the canonical rule's step `Some(k)` when the topology matches, else cold.
    fn solve_on(
        &mut self,
        slot: Option<usize>,
        problem: &FlowProblem,
        name: &'static str,
    ) -> Result<(FlowSolution, Phase), AllocateError> {
        // The canonical steps re-solve on a face of mostly fixed arcs from a nearby basis: the
        // first eligible arc beats the block search there (≈ 15 % of a Ordos sample, measured;
        // docs/performance-log.md). The answer is the same whatever the rule (it is unique).
        let pivot = match slot {
            None => self.cfg.solver.pivot,
            Some(_) => symbiosim_engine::PivotRule::FirstEligible,
        };
        let ns = match slot {
            None => &mut self.simplex,
            Some(k) => &mut self.canon[k],
        };
        match ns {
            Some(ns) => ns.update_or_reset(problem)?,
            None => *ns = Some(NetworkSimplex::new(problem, pivot)?),
        }
        // Warm from the kept basis, or a cold solve of a fresh solver.
        let sol = ns.as_mut().expect("set above").resolve()?;
        if sol.status != SolveStatus::Optimal {
            return Err(AllocateError::NotOptimal(sol.status));
        }
        // Always checked, whatever `cfg.verify` says: allocations are never reported unverified.
        let certificate = verify(problem, &sol)?;
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
        let (sol, problem, phases) = self.phases(net, objective, scaling, None)?;
        let potential = if self.cfg.rate_ranges {
            sol.potential.clone()
        } else {
            Vec::new()
        };
        let mut allocation = finish(sol, problem, phases, scaling);
        if self.cfg.rate_ranges {
            allocation.rate_ranges = Some(super::ranges::rate_ranges(
                &net.rate_groups,
                &allocation,
                &potential,
                self.simplex.as_ref(),
            )?);
        }
        if self.cfg.capacity_values {
            let values = super::capacity::capacity_values(net, &allocation, self.simplex.as_ref())?;
            allocation.capacity_value = Some(values.consumer);
            allocation.landfill_value = Some(values.landfill);
        }
        Ok(allocation)
    }

    /// Every phase's integer problem for `objective`, in order, each with its certified optimal
    /// objective (the problems a run solves; later phases depend on earlier optima).
    pub fn phase_problems(
        &mut self,
        net: &Network,
        objective: Objective,
        scaling: Scaling,
    ) -> Result<Vec<PhaseProblem>, AllocateError> {
        let mut kept = Vec::new();
        self.phases(net, objective, scaling, Some(&mut kept))?;
        Ok(kept)
    }

    /// Solves the phases of `objective`: the final solution, its problem and the phases; with
    /// `keep`, a copy of every phase's problem too.
    fn phases(
        &mut self,
        net: &Network,
        objective: Objective,
        scaling: Scaling,
        mut keep: Option<&mut Vec<PhaseProblem>>,
    ) -> Result<(FlowSolution, FlowProblem, Vec<Phase>), AllocateError> {
        let (real, roles) = flow_problem_and_roles(net, scaling)?;
        let mut phases = Vec::new();
        let mut solve = |this: &mut Self, slot, problem: &FlowProblem, name: &'static str| {
            let (sol, ph) = this.solve_on(slot, problem, name)?;
            if let Some(kept) = keep.as_deref_mut() {
                kept.push(PhaseProblem {
                    name,
                    problem: problem.clone(),
                    objective: ph.objective,
                });
            }
            phases.push(ph);
            Ok::<_, AllocateError>(sol)
        };
        let (sol, problem) = match objective {
            Objective::Cost => {
                let sol = solve(self, None, &real, "least cost")?;
                (sol, real)
            }
            Objective::MaxUtilisation => {
                // Phase 1: least disposal of new generation.
                let mut p1 = real.clone();
                for (c, &r) in p1.cost.iter_mut().zip(&roles) {
                    *c = i64::from(r == Role::Disposal);
                }
                let s1 = solve(self, None, &p1, "least disposal")?;
                // Phase 2: disposal capped at its optimum; most stockpile drawn.
                let mut p2 = p1;
                for (a, &r) in roles.iter().enumerate() {
                    if r == Role::Disposal {
                        p2.upper[a] = s1.flow[a];
                    }
                    p2.cost[a] = i64::from(r == Role::Kept);
                }
                let s2 = solve(self, None, &p2, "most stockpile drawn")?;
                // Phase 3: both capped; least cost.
                let mut p3 = real;
                for (a, &r) in roles.iter().enumerate() {
                    match r {
                        Role::Disposal => p3.upper[a] = s1.flow[a],
                        Role::Kept => p3.upper[a] = s2.flow[a],
                        Role::Other => {}
                    }
                }
                let s3 = solve(self, None, &p3, "least cost")?;
                (s3, p3)
            }
        };
        // The canonical optimum among the last phase's (its potentials stay the allocation's:
        // they certify the canonical flow for the last phase's problem too).
        let mut tkm = Vec::new();
        canonical::tkm_weights(net, &mut tkm);
        let tie = canonical::tie_weights(net);
        let weights = canonical::Weights {
            tkm: &tkm,
            tie: &tie,
            keys: net.tie_keys(),
        };
        let mut face = FlowProblem::default();
        let mut solve_dyn =
            |this: &mut Self, slot, p: &FlowProblem, name: &'static str| solve(this, slot, p, name);
        let flow = self.canonical(&problem, &sol, weights, &mut face, &mut solve_dyn)?;
        let sol = FlowSolution { flow, ..sol };
        Ok((sol, problem, phases))
    }
}

/// How the canonical rule solves one of its steps: on the solver of the objective's phases
/// (`None`) or of step `Some(k)`; certified.
type SolveStep<'a> = dyn FnMut(
        &mut Allocator,
        Option<usize>,
        &FlowProblem,
        &'static str,
    ) -> Result<FlowSolution, AllocateError>
    + 'a;

/// Whether `p` has the nodes and arcs (in order) of `net`.
fn same_arcs(net: &Network, p: &FlowProblem) -> bool {
    let edges = net.graph.raw_edges();
    p.num_nodes() == net.node_count()
        && p.num_arcs() == edges.len()
        && edges
            .iter()
            .zip(p.tail.iter().zip(&p.head))
            .all(|(e, (&t, &h))| {
                e.source().index() == t as usize && e.target().index() == h as usize
            })
}

fn finish(
    sol: FlowSolution,
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
        capacity_value: None,
        landfill_value: None,
        rate_ranges: None,
    }
}
