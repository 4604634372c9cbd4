//! The types of a plan: what is asked ([`PlanConfig`]), each portfolio solved
//! ([`Portfolio`]), the answer ([`Plan`]) and its parts.

use super::super::monte_carlo::SampleError;
use super::members;
use crate::model::Region;

/// What `plan` is asked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanConfig {
    /// In-sample draws N (samples `0..N` of `seed`).
    pub samples: u64,
    pub seed: u64,
    /// The share of in-sample draws that must meet the target, in (0, 1].
    pub confidence: f64,
    /// Out-of-sample check: samples `0..check_samples` of `check_seed`.
    pub check_samples: u64,
    pub check_seed: u64,
    /// Exact evaluations the search may spend (the heuristic and the marginal contributions
    /// come on top, at most a few per candidate).
    pub max_evaluations: u64,
}

/// One portfolio evaluated exactly on the in-sample draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Portfolio {
    /// Bit `i` set: candidate `i` chosen.
    pub mask: u64,
    /// Annual cost, yuan per year (the candidates' costs summed in candidate order).
    pub annual_cost: f64,
    /// Samples meeting the target.
    pub met: u64,
    /// Samples solved: all N, or fewer when the evaluation stopped early because the
    /// confidence was already out of reach (see [`BLOCK`](super::BLOCK)).
    pub samples: u64,
    /// All N in-sample draws were solved.
    pub complete: bool,
    /// Mean rate under the accounting rule over the samples solved where it is defined.
    pub mean_rate: Option<f64>,
    /// Mean strict rate (backfill and ecological restoration not counted), likewise.
    pub mean_strict_rate: Option<f64>,
    /// Why it was evaluated.
    pub stage: Stage,
}

impl Portfolio {
    pub fn p(&self) -> f64 {
        if self.samples == 0 {
            0.0
        } else {
            self.met as f64 / self.samples as f64
        }
    }
    pub fn ids(&self, region: &Region) -> Vec<String> {
        members(self.mask, region.candidates.len())
            .map(|i| region.candidates.list[i].id.clone())
            .collect()
    }
}

/// Which step of `plan` evaluated a portfolio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Baseline,
    Search,
    Heuristic,
    Marginal,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Baseline => "baseline",
            Stage::Search => "search",
            Stage::Heuristic => "heuristic",
            Stage::Marginal => "marginal",
        }
    }
}

/// A chosen measure's marginal contribution: the plan without it (and without what requires
/// it), on the in-sample draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Marginal {
    pub candidate: usize,
    /// The plan without the measure and its dependents.
    pub without: Portfolio,
    /// Annual cost saved by dropping them, yuan per year.
    pub cost_saved: f64,
}

/// The out-of-sample check of the chosen plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub samples: u64,
    pub seed: u64,
    pub met: u64,
    pub mean_rate: Option<f64>,
    pub mean_strict_rate: Option<f64>,
    /// Wilson 95 % interval of the share meeting the target.
    pub ci95: (f64, f64),
}

impl Check {
    pub fn p(&self) -> f64 {
        self.met as f64 / self.samples.max(1) as f64
    }
}

/// Why the search stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The cheapest feasible portfolio was found (optimal).
    Found,
    /// Every admissible portfolio was ruled out: none reaches the confidence.
    Exhausted,
    /// The exact-evaluation budget ran out.
    Budget,
    /// [`MAX_ENUMERATED`](super::MAX_ENUMERATED) portfolios were enumerated.
    EnumerationCap,
}

impl Stop {
    pub fn as_str(self) -> &'static str {
        match self {
            Stop::Found => "found",
            Stop::Exhausted => "exhausted",
            Stop::Budget => "evaluation_budget",
            Stop::EnumerationCap => "enumeration_cap",
        }
    }
}

/// Counts of the search's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Portfolios popped in cost order.
    pub enumerated: u64,
    /// Of which violating an exclusion or prerequisite.
    pub inadmissible: u64,
    /// Of which ruled out by the bound without solving.
    pub pruned: u64,
    /// Portfolios never enumerated because they lack an essential candidate or what it
    /// requires, or hold one that cannot be chosen with them (proven infeasible by the bound;
    /// see [`Bound::essential`](super::bound::Bound::essential)); all of them when the
    /// essential candidates cannot be chosen together.
    pub skipped_without_essential: u64,
    /// Exact evaluations (N samples each) by stage: the baseline (always one), the search,
    /// the greedy walk, the completion of portfolios stopped early that could beat the best
    /// reached, the marginals.
    pub baseline_evaluations: u64,
    pub search_evaluations: u64,
    pub heuristic_evaluations: u64,
    pub completion_evaluations: u64,
    pub marginal_evaluations: u64,
    /// Portfolios whose evaluation stopped at a 200-sample block once the confidence was out
    /// of reach and that no later step completed: the rows of `plan.csv` with
    /// `complete = false`.
    pub stopped_early: u64,
    /// Portfolios stopped early and solved on all N by a later step.
    pub completed_later: u64,
}

/// The answer of `plan`.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub config: PlanConfig,
    /// The candidates the scenario applies (`[scenario] with`), as a mask: part of every
    /// portfolio searched (the baseline, without any measure, excepted).
    pub fixed: u64,
    /// Samples that must meet the target: ⌈confidence·N⌉.
    pub required: u64,
    /// Every portfolio evaluated exactly, in evaluation order (the baseline first).
    pub evaluated: Vec<Portfolio>,
    pub baseline: Portfolio,
    /// The least-cost feasible portfolio found (None: none found).
    pub chosen: Option<Portfolio>,
    /// `chosen` is proven least-cost.
    pub optimal: bool,
    /// Proven lower bound on the least feasible annual cost, yuan per year (None when no
    /// admissible portfolio reaches the confidence: proven infeasible).
    pub lower_bound: Option<f64>,
    /// Among portfolios solved on all N draws: the highest P (ties: higher expected rate, lower
    /// cost, then mask). What was found, not a proven maximum.
    pub best: Portfolio,
    pub out_of_sample: Option<Check>,
    pub marginal: Vec<Marginal>,
    pub stop: Stop,
    pub counts: Counts,
    /// The baseline and the chosen plan solved once at the central values (the scenario's
    /// values, no draw), with their money in both views.
    pub central: Central,
}

/// A portfolio at the central values: its rates and money.
#[derive(Debug, Clone, PartialEq)]
pub struct CentralAnswer {
    pub rate: Option<f64>,
    pub strict_rate: Option<f64>,
    /// Resource cost, firms' cost and government's net revenue, yuan per year (see
    /// [`crate::analysis::compare::Money`]): the measures' annualised cost and the allocation's.
    pub money: crate::analysis::compare::Money,
    /// The allocation's net cost under the objective's definition (taxes, fees, awards
    /// included), yuan per year, without the measures.
    pub allocation_net_cost: f64,
    /// Tonnes counted in the target's scope under its rule.
    pub counted_t: f64,
    /// Tonnes counted under the strict rule, where the target's scope is all solids.
    pub strict_counted_t: Option<f64>,
}

/// The baseline (no measure) and the chosen plan at the central values (None: no plan was
/// chosen, or some waste has no legal fate at the central values).
#[derive(Debug, Clone, PartialEq)]
pub struct Central {
    pub baseline: Option<CentralAnswer>,
    pub chosen: Option<CentralAnswer>,
    /// Every portfolio of the Pareto front of cost against P (indices into
    /// [`Plan::evaluated`], in increasing annual cost) at the central values: the cost curve.
    pub front: Vec<(usize, Option<CentralAnswer>)>,
}

impl Plan {
    /// Whether a portfolio reaching the confidence was found.
    pub fn feasible(&self) -> bool {
        self.chosen.is_some()
    }
}

/// Why `plan` could not run.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("plan: {0} candidates; at most 63 are supported")]
    TooManyCandidates(usize),
    #[error("plan: candidate {id}: annual cost {cost} yuan/yr must be finite and nonnegative")]
    BadCost { id: String, cost: f64 },
    #[error("plan: {0}")]
    Config(String),
    #[error(transparent)]
    Sample(#[from] SampleError),
    #[error("plan: at the central values: {0}")]
    Central(#[from] crate::analysis::AnalysisError),
}
