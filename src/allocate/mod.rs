//! `allocate`: the bridge between the symbiosis network and the engine.
//!
//! Scaling (documented in `docs/format.md`, "Exactness"): a flow unit is `quantity_resolution`
//! material units and a cost unit `cost_resolution` yuan per flow unit. Supplies and capacities
//! are rounded to the nearest flow unit (capacities down, so a stated capacity is never
//! exceeded), unit costs to the nearest cost unit. The solve on the integers is exact and
//! certified.
//!
//! Objectives: `Cost` is one solve. `MaxUtilisation` is lexicographic and exact by three
//! certified solves, each a pure network: (1) least disposal of new generation; (2) with
//! disposal capped at that optimum, most legacy stockpile drawn; (3) with both capped, least
//! cost. Phases 2 and 3 warm-start from the previous phase's basis.
//!
//! Rooms: [`problem`] (network → integer problem), [`phases`] (the [`Allocator`] and the
//! lexicographic phases), [`export`] (a phase's problem as DIMACS, MPS or LP text with the
//! mapping of its nodes and arcs back to the scenario), [`capacity`] (exact capacity values),
//! [`ranges`] (the lowest and highest rate of each of the network's rate groups among all
//! optimal allocations), [`legal`] (the least waste without a legal fate, when dumping is
//! forbidden). This is the only module that imports the engine; every answer it hands on has
//! passed the engine's certificate.

mod canonical;
mod capacity;
pub mod export;
mod legal;
mod phases;
mod problem;
mod ranges;

pub use legal::least_dumping;
pub use phases::{Allocator, Flows};
pub use problem::flow_problem;
pub use ranges::{Fraction, RateBounds};
pub use symbiosim_engine::{Certificate, FlowProblem, SolveStatus, SolverConfig};

use crate::model::Objective;
use crate::network::Network;
use symbiosim_engine::SolveError;

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

/// One phase's integer problem, as solved, with its certified optimal objective (cost units ×
/// flow units); see [`phase_problems`].
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseProblem {
    pub name: &'static str,
    pub problem: FlowProblem,
    pub objective: i128,
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
    /// Exact value of one more unit of each consumer's capacity, yuan per material unit, by
    /// consumer index (`None` unless [`AllocConfig::capacity_values`] asked for them).
    pub capacity_value: Option<Vec<f64>>,
    /// Exact value of one more unit of each limited landfill's capacity, yuan per unit, by
    /// park index (0 for a landfill not full, or a park without a limit; `None` unless
    /// [`AllocConfig::capacity_values`] asked for them).
    pub landfill_value: Option<Vec<f64>>,
    /// The lowest and highest utilisation rate of each of the network's
    /// [`rate_groups`](crate::network::Network::rate_groups) among all optimal allocations
    /// (same order; `None` for a group whose rate no optimal allocation defines), exact. `None`
    /// unless [`AllocConfig::rate_ranges`] asked for them.
    pub rate_ranges: Option<Vec<Option<RateBounds>>>,
}

impl Allocation {
    /// The supply of `node` the solver saw (rounded to the resolution), in material units.
    pub fn supply(&self, node: usize) -> f64 {
        self.problem.supply[node] as f64 * self.scaling.quantity
    }
}

/// What an [`Allocator`] computes; a struct rather than boolean parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllocConfig {
    pub solver: SolverConfig,
    /// Also compute the exact value of one more unit of every saturated capacity (one certified
    /// warm re-solve per saturated consumer and per full landfill).
    pub capacity_values: bool,
    /// Also compute the lowest and highest utilisation rate of every material and park among
    /// all optimal allocations (certified warm re-solves on the optimal face; see
    /// [`ranges`](mod@ranges)). The Monte Carlo path turns it off.
    pub rate_ranges: bool,
}

impl Default for AllocConfig {
    fn default() -> Self {
        AllocConfig {
            solver: SolverConfig::default(),
            capacity_values: true,
            rate_ranges: true,
        }
    }
}

/// Errors of allocation.
#[derive(Debug, thiserror::Error)]
pub enum AllocateError {
    #[error(transparent)]
    Solve(SolveError),
    #[error(
        "the allocation problem is {0:?}, which the network's disposal arcs should make impossible"
    )]
    NotOptimal(SolveStatus),
    #[error("a value does not fit the solver's integers after scaling: {0}")]
    Range(String),
}

impl From<SolveError> for AllocateError {
    fn from(e: SolveError) -> Self {
        match e {
            SolveError::Overflow(what) => AllocateError::Range(format!(
                "arithmetic overflow in the solver ({what}); coarsen the scenario's \
                 quantity_resolution or cost_resolution"
            )),
            e => AllocateError::Solve(e),
        }
    }
}

impl From<symbiosim_engine::ProblemError> for AllocateError {
    fn from(e: symbiosim_engine::ProblemError) -> Self {
        AllocateError::Solve(e.into())
    }
}

impl From<symbiosim_engine::CertificateError> for AllocateError {
    fn from(e: symbiosim_engine::CertificateError) -> Self {
        AllocateError::Solve(e.into())
    }
}

/// Every lexicographic phase's integer problem for `objective` with its optimal objective, in
/// order (one for `Cost`, three for `MaxUtilisation`): the problems a run solves, for export.
pub fn phase_problems(
    net: &Network,
    objective: Objective,
    scaling: Scaling,
    solver: SolverConfig,
) -> Result<Vec<PhaseProblem>, AllocateError> {
    let cfg = AllocConfig {
        solver,
        capacity_values: false,
        rate_ranges: false,
    };
    Allocator::new(cfg).phase_problems(net, objective, scaling)
}

/// Solves the allocation for `objective` (cold; see [`Allocator`] for repeated solves).
pub fn allocate(
    net: &Network,
    objective: Objective,
    scaling: Scaling,
    cfg: &AllocConfig,
) -> Result<Allocation, AllocateError> {
    Allocator::new(*cfg).allocate(net, objective, scaling)
}
