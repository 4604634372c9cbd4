//! Candidate measures (`[[candidates]]`) and portfolios of them, for the `plan` search (#13).
//!
//! A candidate is something a planner could decide to do — build or expand a plant, open a
//! dedicated transport link, set a policy lever — with an annual cost and its effect on the
//! region. A portfolio is a set of candidates; [`Candidates::region_for`] is the region with a
//! portfolio applied. Pure: no I/O, no solving.
//!
//! **Same structure for every portfolio.** Every candidate consumer is appended to the region's
//! consumers for every portfolio, in candidate order, with nameplate capacity 0 when its
//! candidate is not chosen, so consumer indices (and the network's topology, where a capacity
//! of 0 keeps its arcs) do not depend on the portfolio. Only dedicated links change the
//! structure: they exist only when chosen.
//!
//! Order of application (written once here): base region → portfolio (this module) → a Monte
//! Carlo sample's multipliers (`uncertain`), so an uncertain capacity multiplies an expanded
//! capacity, and uncertain entries name base items only.

use super::{Consumer, ConsumerId, Link, MaterialId, ModeId, ParkId, Region, RouteId};

/// How a number was obtained (the data sheet's flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    Sourced,
    Derived,
    Assumed,
}

impl Flag {
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Sourced => "sourced",
            Flag::Derived => "derived",
            Flag::Assumed => "assumed",
        }
    }
    pub fn parse(s: &str) -> Option<Flag> {
        [Flag::Sourced, Flag::Derived, Flag::Assumed]
            .into_iter()
            .find(|f| f.as_str() == s)
    }
}

/// A policy lever set by a candidate.
#[derive(Debug, Clone, PartialEq)]
pub enum Lever {
    /// Sets `policy.env_tax_multiplier`.
    EnvTaxMultiplier(f64),
    /// Sets `policy.carbon_price` (yuan per t CO2).
    CarbonPrice(f64),
    /// Sets the subsidy paid per unit utilised by `route` (yuan per unit).
    RouteSubsidy { route: RouteId, yuan_per_unit: f64 },
    /// Adds a fee per unit stored (landfilled) to each material's storage cost (yuan per unit).
    LandfillFee {
        materials: Vec<MaterialId>,
        yuan_per_unit: f64,
    },
}

/// What choosing a candidate does to the region.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// A new consumer, appended to the region's consumers (see the module note); `consumer` is
    /// its full definition with its nameplate capacity when chosen.
    NewConsumer(Box<Consumer>),
    /// Adds nameplate capacity to an existing consumer of the base region.
    Expand {
        consumer: ConsumerId,
        capacity_add: f64,
    },
    /// A dedicated link: `from`–`to` by `mode` at `km`, in reach whatever the mode's `max_km`
    /// (a rail siding, a hydrogen pipeline). Exists only when chosen.
    Link {
        from: ParkId,
        to: ParkId,
        mode: ModeId,
        km: f64,
    },
    /// A policy lever.
    Policy(Lever),
}

/// One candidate measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: String,
    pub name: String,
    /// Capital expenditure, yuan (0 for policy levers without one).
    pub capex: f64,
    /// Economic life, years (annualises the capex).
    pub life_years: f64,
    /// Fixed operating cost, yuan per year (variable costs belong to the consumer's processing
    /// cost, paid per unit in the allocation).
    pub opex_per_yr: f64,
    /// Annual cost, yuan per year: `capex · crf(discount_rate, life) + opex_per_yr`, or as
    /// given directly by the scenario.
    pub annual_cost: f64,
    /// Candidates that cannot be chosen together with this one (indices; symmetric).
    pub excludes: Vec<usize>,
    /// Candidates that must be chosen for this one to be chosen (indices).
    pub requires: Vec<usize>,
    pub effects: Vec<Effect>,
    pub flag: Flag,
    pub source: Option<String>,
}

/// The candidate list of a scenario, with the economic convention of its costs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Candidates {
    /// Discount rate used to annualise capex (e.g. 0.08).
    pub discount_rate: f64,
    pub list: Vec<Candidate>,
    /// Which candidates this region has applied (one flag per candidate; empty when none):
    /// the scenario's `[scenario] with` (set by the loader, which applies them) and `run
    /// --with`; read by the reports, and forced into every portfolio by `plan`.
    /// `region_for` itself leaves it as it was.
    pub applied: Vec<bool>,
}

/// Why a portfolio is not admissible (candidate indices).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inadmissible {
    /// The first excludes the second, and both are chosen.
    Excludes(usize, usize),
    /// The first requires the second, which is not chosen.
    Requires(usize, usize),
}

/// [`Candidates::inadmissible`] on a bare list (what validation has before the
/// [`Candidates`] exist).
pub fn inadmissible(list: &[Candidate], chosen: &[bool]) -> Option<Inadmissible> {
    for (i, c) in list.iter().enumerate().filter(|&(i, _)| chosen[i]) {
        if let Some(&j) = c.excludes.iter().find(|&&j| chosen[j]) {
            return Some(Inadmissible::Excludes(i, j));
        }
        if let Some(&j) = c.requires.iter().find(|&&j| !chosen[j]) {
            return Some(Inadmissible::Requires(i, j));
        }
    }
    None
}

/// Capital recovery factor: the annual payment, per yuan of capex, of an annuity over `life`
/// years at `rate`: `r (1+r)^n / ((1+r)^n − 1)`; `1/n` when `rate` is 0.
pub fn crf(rate: f64, life: f64) -> f64 {
    if rate == 0.0 {
        1.0 / life
    } else {
        let g = (1.0 + rate).powf(life);
        rate * g / (g - 1.0)
    }
}

impl Candidates {
    pub fn len(&self) -> usize {
        self.list.len()
    }
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Whether `chosen` (one flag per candidate) respects every exclusion and prerequisite.
    pub fn admissible(&self, chosen: &[bool]) -> bool {
        self.inadmissible(chosen).is_none()
    }

    /// Why portfolio `chosen` is not admissible, or `None` when it is: the first chosen
    /// candidate (in candidate order) that excludes another chosen one, or requires one not
    /// chosen.
    pub fn inadmissible(&self, chosen: &[bool]) -> Option<Inadmissible> {
        inadmissible(&self.list, chosen)
    }

    /// The candidates applied to this region (see [`Candidates::applied`]), in candidate
    /// order.
    pub fn applied(&self) -> impl Iterator<Item = &Candidate> {
        self.list
            .iter()
            .zip(self.applied.iter().copied().chain(std::iter::repeat(false)))
            .filter(|&(_, on)| on)
            .map(|(c, _)| c)
    }

    /// The annual cost of `chosen`, yuan per year, summed in candidate order.
    pub fn cost(&self, chosen: &[bool]) -> f64 {
        let mut sum = 0.0;
        for (c, &on) in self.list.iter().zip(chosen) {
            if on {
                sum += c.annual_cost;
            }
        }
        sum
    }

    /// The consumer index of each candidate's new consumers in every [`Candidates::region_for`]
    /// region of `base`: `base.consumers.len()` onwards, in candidate then effect order.
    pub fn new_consumer_ids(&self, base: &Region) -> Vec<(usize, ConsumerId)> {
        let mut next = base.consumers.len();
        let mut out = Vec::new();
        for (i, c) in self.list.iter().enumerate() {
            for e in &c.effects {
                if let Effect::NewConsumer(_) = e {
                    out.push((i, ConsumerId(next)));
                    next += 1;
                }
            }
        }
        out
    }

    /// `base` with portfolio `chosen` applied: every candidate consumer appended (capacity 0
    /// unless chosen), expansions added, chosen links appended to [`Region::links`], chosen levers set (in candidate order; validation makes candidates whose
    /// levers set the same value exclude each other).
    pub fn region_for(&self, base: &Region, chosen: &[bool]) -> Region {
        let mut r = base.clone();
        for (c, &on) in self.list.iter().zip(chosen) {
            for e in &c.effects {
                match e {
                    Effect::NewConsumer(consumer) => {
                        let mut k = (**consumer).clone();
                        if !on {
                            k.capacity = 0.0;
                        }
                        r.consumers.push(k);
                    }
                    Effect::Expand {
                        consumer,
                        capacity_add,
                    } if on => r.consumers[consumer.0].capacity += capacity_add,
                    Effect::Link { from, to, mode, km } if on => {
                        r.links.push(Link {
                            from: *from,
                            to: *to,
                            mode: *mode,
                            km: *km,
                        });
                    }
                    Effect::Policy(lever) if on => match lever {
                        Lever::EnvTaxMultiplier(v) => r.policy.env_tax_multiplier = *v,
                        Lever::CarbonPrice(v) => r.policy.carbon_price = *v,
                        Lever::RouteSubsidy {
                            route,
                            yuan_per_unit,
                        } => {
                            r.policy.route_subsidy.insert(*route, *yuan_per_unit);
                        }
                        Lever::LandfillFee {
                            materials,
                            yuan_per_unit,
                        } => {
                            for m in materials {
                                r.materials[m.0].landfill_fee += yuan_per_unit;
                            }
                        }
                    },
                    _ => {}
                }
            }
        }
        r
    }

    /// Which chosen candidates carry a link (the part of a portfolio that changes the
    /// network's structure), as a bit mask over candidate indices (< 64 candidates).
    pub fn structure_key(&self, chosen: &[bool]) -> u64 {
        let mut key = 0u64;
        for (i, (c, &on)) in self.list.iter().zip(chosen).enumerate() {
            if on && c.effects.iter().any(|e| matches!(e, Effect::Link { .. })) {
                key |= 1 << i;
            }
        }
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crf_matches_the_annuity_formula() {
        // 8 % over 20 years: 0.101852 (standard annuity table value).
        assert!((crf(0.08, 20.0) - 0.101_852_2).abs() < 1e-6);
        assert_eq!(crf(0.0, 20.0), 0.05);
        // One year: repay capex plus one year's interest.
        assert!((crf(0.08, 1.0) - 1.08).abs() < 1e-12);
    }
}
