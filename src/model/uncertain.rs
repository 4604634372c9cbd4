//! Declared uncertainty (`[[uncertain]]`): a group of values of one kind that move together by
//! one multiplier drawn from a distribution. Pure: applying a multiplier is a rule of the
//! model; drawing it is the Monte Carlo's (`analysis::monte_carlo`).

use super::Region;

/// Which value of which items an uncertain entry multiplies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UncertainField {
    /// `producers.quantity`
    ProducerQuantity,
    /// `producers.stockpile`
    ProducerStockpile,
    /// `consumers.capacity` (nameplate)
    ConsumerCapacity,
    /// `consumers.load_factor` (the product is capped at 1)
    ConsumerLoadFactor,
    /// `transport.cost_yuan_per_unit_km`
    TransportCost,
}

impl UncertainField {
    pub const ALL: [UncertainField; 5] = [
        UncertainField::ProducerQuantity,
        UncertainField::ProducerStockpile,
        UncertainField::ConsumerCapacity,
        UncertainField::ConsumerLoadFactor,
        UncertainField::TransportCost,
    ];

    /// The name written in `applies_to`.
    pub fn as_str(self) -> &'static str {
        match self {
            UncertainField::ProducerQuantity => "producers.quantity",
            UncertainField::ProducerStockpile => "producers.stockpile",
            UncertainField::ConsumerCapacity => "consumers.capacity",
            UncertainField::ConsumerLoadFactor => "consumers.load_factor",
            UncertainField::TransportCost => "transport.cost_yuan_per_unit_km",
        }
    }

    pub fn parse(s: &str) -> Option<UncertainField> {
        UncertainField::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The list whose items it names (`producers`, `consumers`, `transport`).
    pub fn list(self) -> &'static str {
        match self {
            UncertainField::ProducerQuantity | UncertainField::ProducerStockpile => "producers",
            UncertainField::ConsumerCapacity | UncertainField::ConsumerLoadFactor => "consumers",
            UncertainField::TransportCost => "transport",
        }
    }
}

/// The distribution of a multiplier; every one is bounded by `[low, high]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    Uniform {
        low: f64,
        high: f64,
    },
    Triangular {
        low: f64,
        mode: f64,
        high: f64,
    },
    /// Normal with `mean` and `sd`, truncated to `[low, high]`.
    Normal {
        mean: f64,
        sd: f64,
        low: f64,
        high: f64,
    },
    /// `median · exp(sd · Z)`, truncated to `[low, high]`.
    LogNormal {
        median: f64,
        sd: f64,
        low: f64,
        high: f64,
    },
}

impl Distribution {
    pub fn name(&self) -> &'static str {
        match self {
            Distribution::Uniform { .. } => "uniform",
            Distribution::Triangular { .. } => "triangular",
            Distribution::Normal { .. } => "normal",
            Distribution::LogNormal { .. } => "lognormal",
        }
    }

    /// The bounds every draw lies in.
    pub fn bounds(&self) -> (f64, f64) {
        match *self {
            Distribution::Uniform { low, high }
            | Distribution::Triangular { low, high, .. }
            | Distribution::Normal { low, high, .. }
            | Distribution::LogNormal { low, high, .. } => (low, high),
        }
    }
}

/// One `[[uncertain]]` entry: the items of `field` named by `items` (indices into the region's
/// list) are all multiplied by one draw of `distribution` per sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertain {
    pub id: String,
    pub field: UncertainField,
    /// Indices into the list of `field` (all its items when the scenario names none).
    pub items: Vec<usize>,
    pub distribution: Distribution,
}

impl Uncertain {
    /// Multiplies this entry's values in `region` by `m`.
    pub fn apply(&self, region: &mut Region, m: f64) {
        for &i in &self.items {
            match self.field {
                UncertainField::ProducerQuantity => region.producers[i].quantity *= m,
                UncertainField::ProducerStockpile => region.producers[i].stockpile *= m,
                UncertainField::ConsumerCapacity => region.consumers[i].capacity *= m,
                UncertainField::ConsumerLoadFactor => {
                    let c = &mut region.consumers[i];
                    c.load_factor = (c.load_factor * m).min(1.0);
                }
                UncertainField::TransportCost => region.modes[i].cost_per_unit_km *= m,
            }
        }
    }
}

/// `base` with every entry's multiplier applied (`multipliers[j]` for `entries[j]`).
pub fn apply_multipliers(base: &Region, entries: &[Uncertain], multipliers: &[f64]) -> Region {
    let mut r = base.clone();
    for (e, &m) in entries.iter().zip(multipliers) {
        e.apply(&mut r, m);
    }
    r
}
