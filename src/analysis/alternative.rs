//! The second question of every run: the same region under the other objective. Least cost
//! says what the economics will do; technical potential (`max_utilisation`) how far the
//! installed capacity reaches. The difference between the two is the *cost of moving* from
//! the first to the second.

use super::Results;
use crate::model::Objective;

/// The other objective's headline numbers, beside the primary results.
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    /// The alternative's objective (the one the run did not report in full).
    pub objective: Objective,
    /// Solids utilisation rate under the alternative.
    pub utilisation_rate: Option<f64>,
    /// Solids strict rate (backfill and ecological restoration not counted) under the
    /// alternative.
    pub strict_utilisation_rate: Option<f64>,
    /// The rate in the target's scope under the alternative.
    pub target_achieved_rate: Option<f64>,
    /// Solids utilised (new generation plus stockpile drawn), t per year.
    pub utilised_t: f64,
    /// Net cost per year, yuan.
    pub cost_yuan: f64,
    /// From least cost to technical potential.
    pub moving: MovingCost,
}

/// The cost of moving from the least-cost allocation to the technical potential
/// (`max_utilisation`), whichever of the two is the primary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MovingCost {
    /// Net cost per year at technical potential minus at least cost, yuan.
    pub delta_cost_yuan: f64,
    /// Solids utilised at technical potential minus at least cost, t per year.
    pub delta_utilised_t: f64,
    /// `delta_cost_yuan / delta_utilised_t`, yuan per extra tonne utilised; `None` when the
    /// technical potential utilises no more than least cost.
    pub yuan_per_extra_t: Option<f64>,
}

impl Alternative {
    /// The alternative `alt` (solved for `objective`) beside the primary results `primary`.
    pub fn new(objective: Objective, primary: &Results, alt: &Results) -> Alternative {
        let (least_cost, potential) = match objective {
            Objective::Cost => (alt, primary),
            Objective::MaxUtilisation => (primary, alt),
        };
        Alternative {
            objective,
            utilisation_rate: alt.solids.rate(),
            strict_utilisation_rate: alt.solids.strict_rate(),
            target_achieved_rate: alt.target.achieved,
            utilised_t: alt.solids.utilised(),
            cost_yuan: alt.cost.total(),
            moving: MovingCost::between(least_cost, potential),
        }
    }
}

impl MovingCost {
    /// From `least_cost` to `potential`.
    pub fn between(least_cost: &Results, potential: &Results) -> MovingCost {
        let delta_cost_yuan = potential.cost.total() - least_cost.cost.total();
        let delta_utilised_t = potential.solids.utilised() - least_cost.solids.utilised();
        // Quantities are whole flow units (at least a milligram): anything below is rounding.
        let yuan_per_extra_t =
            (delta_utilised_t > 1e-9).then(|| delta_cost_yuan / delta_utilised_t);
        MovingCost {
            delta_cost_yuan,
            delta_utilised_t,
            yuan_per_extra_t,
        }
    }
}
