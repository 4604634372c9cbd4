//! A path: one region over consecutive years, and the two things that link the years (pure).
//!
//! Every year is a full [`Region`] (the year's scenario with its changes applied). Only two
//! quantities carry over from one year to the next (see `docs/path.md`):
//! - a **legacy stock** ([`StockLink`]): a producer's stockpile is a finite stock at the start
//!   of the first year; what a year draws (at most that year's `stockpile`, the per-year
//!   drawing limit of the scenario) is gone for the later years;
//! - a **landfill's room** ([`RoomLink`]): the room left in a park's landfill at the start of
//!   the first year; what a year stores uses room the later years no longer have (a per-year
//!   limit of the scenario still applies on top).
//!
//! Without links the years are independent and a path is the years one by one.

use super::{ParkId, ProducerId, Region};

/// One year of a path.
#[derive(Debug, Clone)]
pub struct Year {
    pub year: i32,
    /// The year's scenario as loaded (its values and measures, before the path's growth and
    /// ramps): what a Monte Carlo sample draws on.
    pub scenario: Region,
    /// The path's changes of the year's scenario, in order.
    pub adjust: Vec<Adjust>,
    /// `scenario` with `adjust` applied: the year as it runs.
    pub region: Region,
}

/// A path's change of a year's scenario beyond its values.
#[derive(Debug, Clone, PartialEq)]
pub enum Adjust {
    /// These producers' generation multiplied by `factor` (growth from the file's year).
    Grow {
        producers: Vec<ProducerId>,
        factor: f64,
    },
    /// Candidate measure `id`'s added capacity scaled by `share` (see [`ramp`]).
    Ramp { id: String, share: f64 },
}

impl Year {
    /// A year from its scenario and the path's changes.
    pub fn new(year: i32, scenario: Region, adjust: Vec<Adjust>) -> Year {
        let region = adjusted(&scenario, &adjust);
        Year {
            year,
            scenario,
            adjust,
            region,
        }
    }
}

/// `scenario` with `adjust` applied in order.
pub fn adjusted(scenario: &Region, adjust: &[Adjust]) -> Region {
    let mut r = scenario.clone();
    for a in adjust {
        match a {
            Adjust::Grow { producers, factor } => {
                for p in producers {
                    r.producers[p.0].quantity *= factor;
                }
            }
            Adjust::Ramp { id, share } => {
                ramp(&mut r, id, *share);
            }
        }
    }
    r
}

/// A producer's legacy stock, finite over the horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct StockLink {
    /// The producer's id (the same in every year).
    pub producer: String,
    /// The producer in each year's region, by year index.
    pub index: Vec<ProducerId>,
    /// Material units in the stock at the start of the first year.
    pub stock: f64,
}

/// A park's landfill room, shared by the years.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomLink {
    /// The park's id (the same in every year).
    pub park: String,
    /// The park in each year's region, by year index.
    pub index: Vec<ParkId>,
    /// Material units of room at the start of the first year.
    pub room: f64,
}

/// A region over consecutive years.
#[derive(Debug, Clone)]
pub struct Path {
    pub title: String,
    pub description: String,
    /// Consecutive years, ascending (at least one).
    pub years: Vec<Year>,
    /// The index of the year whose rate is judged against the target.
    pub target_index: usize,
    pub stockpiles: Vec<StockLink>,
    pub landfills: Vec<RoomLink>,
}

impl Path {
    /// Whether anything links the years (then they are solved jointly).
    pub fn linked(&self) -> bool {
        !self.stockpiles.is_empty() || !self.landfills.is_empty()
    }

    /// The target year's region.
    pub fn target_region(&self) -> &Region {
        &self.years[self.target_index].region
    }

    /// The year numbers, in order.
    pub fn year_numbers(&self) -> Vec<i32> {
        self.years.iter().map(|y| y.year).collect()
    }

    /// Each year's region as the joint problem builds it: a park whose room is linked gets a
    /// landfill limit (the room, or its own per-year limit where smaller), so that the year's
    /// network has the landfill node the room is shared through.
    pub fn regions_to_build(&self) -> Vec<Region> {
        self.years
            .iter()
            .enumerate()
            .map(|(t, y)| {
                let mut r = y.region.clone();
                for l in &self.landfills {
                    let park = &mut r.parks[l.index[t].0];
                    park.landfill_capacity =
                        Some(park.landfill_capacity.map_or(l.room, |c| c.min(l.room)));
                }
                r
            })
            .collect()
    }
}

/// Scales what candidate measure `id` adds to `region` by `share` (a measure ramping up):
/// the capacity of a new consumer it opens, and the capacity an expansion adds. `region` must
/// have the measure applied (by [`super::plan::Candidates::region_for`]); a policy lever or a
/// link is not scaled. Returns false when no candidate has that id.
pub fn ramp(region: &mut Region, id: &str, share: f64) -> bool {
    let Some(c) = region.candidates.list.iter().find(|c| c.id == id).cloned() else {
        return false;
    };
    for e in &c.effects {
        match e {
            super::plan::Effect::NewConsumer(k) => {
                if let Some(x) = region.consumers.iter_mut().find(|x| x.id == k.id) {
                    x.capacity *= share;
                }
            }
            super::plan::Effect::Expand {
                consumer,
                capacity_add,
            } => {
                region.consumers[consumer.0].capacity -= capacity_add * (1.0 - share);
            }
            _ => {}
        }
    }
    true
}
