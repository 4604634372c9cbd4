//! Exact minimum-cost flow on flat integer arrays: a network simplex with warm start, and an
//! independent optimality certificate for every answer.
//!
//! The crate knows nothing of any application: it sees nodes, arcs, integer supplies, bounds
//! and costs. See the README for an example, the guarantees and the measurements.
//!
//! Conventions (shared by every solver and by the certificate):
//! - `supply[v] > 0` is a source, `< 0` a sink; supplies must sum to zero;
//! - every arc has `lower <= flow <= upper`; `upper == INFINITE_CAPACITY` means uncapacitated;
//! - potentials `pi` are duals of the conservation rows `out(v) - in(v) = supply[v]`, so the
//!   reduced cost of arc `a = (u, v)` is `rc[a] = cost[a] - pi[u] + pi[v]` and `pi[v]` is the
//!   marginal cost of one more unit of supply at `v` (relative to where it is absorbed);
//! - optimality: `rc > 0 ⇒ flow = lower`, `rc < 0 ⇒ flow = upper`;
//! - dual objective `Σ_v supply[v]·pi[v] + Σ_a (rc>0 ? rc·lower : rc·upper)` equals the primal
//!   objective `Σ_a cost[a]·flow[a]` at an optimum (both in i128).

// Index loops over parallel flat arrays are the clearest form for a solver.
#![allow(clippy::needless_range_loop)]

pub mod certificate;
pub mod dimacs;
pub mod gen;
pub mod problem;
pub mod reference;
pub mod simplex;
pub mod testgen;

pub use certificate::{verify, Certificate, CertificateError};
pub use problem::{FlowProblem, ProblemError, INFINITE_CAPACITY};
pub use simplex::{NetworkSimplex, PivotRule};

/// Outcome of a solve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SolveStatus {
    Optimal,
    Infeasible,
    Unbounded,
}

/// Result of a solve: one flow per arc and one potential per node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowSolution {
    pub status: SolveStatus,
    pub flow: Vec<i64>,
    pub potential: Vec<i64>,
    /// Σ cost·flow (meaningful when `status == Optimal`).
    pub objective: i128,
    /// Pivots (simplex) or refinements (other methods) performed.
    pub iterations: u64,
}

/// Which algorithm solves a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Algorithm {
    /// Chosen from the problem's shape (documented in ARCHITECTURE.md).
    #[default]
    Auto,
    NetworkSimplex,
}

/// Solver settings; a struct rather than boolean parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SolverConfig {
    pub algorithm: Algorithm,
    pub pivot: PivotRule,
    /// Check the certificate of every optimal solution before returning it.
    pub verify: bool,
}

impl Default for SolverConfig {
    fn default() -> Self {
        SolverConfig {
            algorithm: Algorithm::Auto,
            pivot: PivotRule::default(),
            verify: true,
        }
    }
}

/// Errors of the solve layer.
#[derive(Debug, thiserror::Error)]
pub enum SolveError {
    #[error("invalid flow problem: {0}")]
    Problem(#[from] ProblemError),
    #[error("solution failed its optimality certificate: {0}")]
    Certificate(#[from] CertificateError),
    #[error("arithmetic overflow in the solver ({0}); the magnitudes of supplies, bounds or costs are too large")]
    Overflow(&'static str),
    /// A warm-start update changed the nodes or arcs (only data may change).
    #[error("warm-start update must keep the same nodes and arcs")]
    TopologyChanged,
}

/// Solve `problem` cold with `config`; when `config.verify`, the returned optimal solution has
/// passed [`verify`].
pub fn solve(problem: &FlowProblem, config: &SolverConfig) -> Result<FlowSolution, SolveError> {
    let mut ns = NetworkSimplex::new(problem, config.pivot)?;
    let sol = ns.solve()?;
    if config.verify && sol.status == SolveStatus::Optimal {
        verify(problem, &sol)?;
    }
    Ok(sol)
}
