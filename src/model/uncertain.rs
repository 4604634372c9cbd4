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
    /// `producers.growth_rate`: the yearly growth from the producer's base year to the
    /// scenario's year (the quantity is regrown with the multiplied rate).
    ProducerGrowthRate,
    /// `consumers.capacity` (nameplate)
    ConsumerCapacity,
    /// `consumers.load_factor` (the product is capped at 1)
    ConsumerLoadFactor,
    /// `consumers.gate_price_yuan_per_unit`: every intake of the consumer.
    ConsumerGatePrice,
    /// `consumers.processing_cost_yuan_per_unit`
    ConsumerProcessingCost,
    /// `materials.env_tax_yuan_per_unit`
    MaterialEnvTax,
    /// `materials.storage_cost_yuan_per_unit`
    MaterialStorageCost,
    /// `transport.cost_yuan_per_unit_km`
    TransportCost,
    /// `policy.env_tax_multiplier` (one value, no items)
    PolicyEnvTaxMultiplier,
    /// `policy.carbon_price_yuan_per_t` (one value, no items)
    PolicyCarbonPrice,
    /// `policy.route_subsidy_yuan_per_unit`: the subsidies of the named routes.
    PolicyRouteSubsidy,
}

impl UncertainField {
    pub const ALL: [UncertainField; 13] = [
        UncertainField::ProducerQuantity,
        UncertainField::ProducerStockpile,
        UncertainField::ProducerGrowthRate,
        UncertainField::ConsumerCapacity,
        UncertainField::ConsumerLoadFactor,
        UncertainField::ConsumerGatePrice,
        UncertainField::ConsumerProcessingCost,
        UncertainField::MaterialEnvTax,
        UncertainField::MaterialStorageCost,
        UncertainField::TransportCost,
        UncertainField::PolicyEnvTaxMultiplier,
        UncertainField::PolicyCarbonPrice,
        UncertainField::PolicyRouteSubsidy,
    ];

    /// The name written in `applies_to`.
    pub fn as_str(self) -> &'static str {
        match self {
            UncertainField::ProducerQuantity => "producers.quantity",
            UncertainField::ProducerStockpile => "producers.stockpile",
            UncertainField::ProducerGrowthRate => "producers.growth_rate",
            UncertainField::ConsumerCapacity => "consumers.capacity",
            UncertainField::ConsumerLoadFactor => "consumers.load_factor",
            UncertainField::ConsumerGatePrice => "consumers.gate_price_yuan_per_unit",
            UncertainField::ConsumerProcessingCost => "consumers.processing_cost_yuan_per_unit",
            UncertainField::MaterialEnvTax => "materials.env_tax_yuan_per_unit",
            UncertainField::MaterialStorageCost => "materials.storage_cost_yuan_per_unit",
            UncertainField::TransportCost => "transport.cost_yuan_per_unit_km",
            UncertainField::PolicyEnvTaxMultiplier => "policy.env_tax_multiplier",
            UncertainField::PolicyCarbonPrice => "policy.carbon_price_yuan_per_t",
            UncertainField::PolicyRouteSubsidy => "policy.route_subsidy_yuan_per_unit",
        }
    }

    pub fn parse(s: &str) -> Option<UncertainField> {
        UncertainField::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The list whose items it names (`producers`, `consumers`, `materials`, `transport`,
    /// `routes`), or `policy` for a single value without items.
    pub fn list(self) -> &'static str {
        use UncertainField::*;
        match self {
            ProducerQuantity | ProducerStockpile | ProducerGrowthRate => "producers",
            ConsumerCapacity | ConsumerLoadFactor | ConsumerGatePrice | ConsumerProcessingCost => {
                "consumers"
            }
            MaterialEnvTax | MaterialStorageCost => "materials",
            TransportCost => "transport",
            PolicyRouteSubsidy => "routes",
            PolicyEnvTaxMultiplier | PolicyCarbonPrice => "policy",
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
/// list) are all multiplied by one draw of `distribution` per sample. Entries of one `group`
/// share one uniform draw per sample (each takes its own distribution's quantile of it).
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertain {
    pub id: String,
    pub field: UncertainField,
    /// Indices into the list of `field` (all its items when the scenario names none; none for
    /// a policy value).
    pub items: Vec<usize>,
    pub distribution: Distribution,
    /// The group whose entries move together, if any.
    pub group: Option<String>,
    /// For `producers.growth_rate`, each item's base growth rate and the years it grows over
    /// (scenario year − base year); empty otherwise.
    pub growth: Vec<(f64, i32)>,
}

impl Uncertain {
    /// Multiplies this entry's values in `region` by `m`.
    pub fn apply(&self, region: &mut Region, m: f64) {
        use UncertainField::*;
        match self.field {
            PolicyEnvTaxMultiplier => region.policy.env_tax_multiplier *= m,
            PolicyCarbonPrice => region.policy.carbon_price *= m,
            _ => {}
        }
        for (j, &i) in self.items.iter().enumerate() {
            match self.field {
                ProducerQuantity => region.producers[i].quantity *= m,
                ProducerStockpile => region.producers[i].stockpile *= m,
                ProducerGrowthRate => {
                    // quantity = base · (1 + g)^years becomes base · (1 + m·g)^years.
                    let (g, years) = self.growth[j];
                    region.producers[i].quantity *= ((1.0 + m * g) / (1.0 + g)).powi(years);
                }
                ConsumerCapacity => region.consumers[i].capacity *= m,
                ConsumerLoadFactor => {
                    let c = &mut region.consumers[i];
                    c.load_factor = (c.load_factor * m).min(1.0);
                }
                ConsumerGatePrice => {
                    for intake in &mut region.consumers[i].intakes {
                        intake.gate_price *= m;
                    }
                }
                ConsumerProcessingCost => region.consumers[i].processing_cost *= m,
                MaterialEnvTax => region.materials[i].env_tax *= m,
                MaterialStorageCost => region.materials[i].storage_cost *= m,
                TransportCost => region.modes[i].cost_per_unit_km *= m,
                PolicyRouteSubsidy => {
                    if let Some(s) = region.policy.route_subsidy.get_mut(&super::RouteId(i)) {
                        *s *= m;
                    }
                }
                PolicyEnvTaxMultiplier | PolicyCarbonPrice => {}
            }
        }
    }
}

impl Uncertain {
    /// Resets the values this entry multiplies to `base`'s (the inverse of every
    /// [`Uncertain::apply`] since `region` was a copy of `base`): written beside `apply` so
    /// that a new field gets both.
    pub fn reset(&self, region: &mut Region, base: &Region) {
        use UncertainField::*;
        match self.field {
            PolicyEnvTaxMultiplier => {
                region.policy.env_tax_multiplier = base.policy.env_tax_multiplier
            }
            PolicyCarbonPrice => region.policy.carbon_price = base.policy.carbon_price,
            _ => {}
        }
        for &i in &self.items {
            match self.field {
                ProducerQuantity | ProducerGrowthRate => {
                    region.producers[i].quantity = base.producers[i].quantity
                }
                ProducerStockpile => region.producers[i].stockpile = base.producers[i].stockpile,
                ConsumerCapacity => region.consumers[i].capacity = base.consumers[i].capacity,
                ConsumerLoadFactor => {
                    region.consumers[i].load_factor = base.consumers[i].load_factor
                }
                ConsumerGatePrice => {
                    let (to, from) = (&mut region.consumers[i], &base.consumers[i]);
                    for (a, b) in to.intakes.iter_mut().zip(&from.intakes) {
                        a.gate_price = b.gate_price;
                    }
                }
                ConsumerProcessingCost => {
                    region.consumers[i].processing_cost = base.consumers[i].processing_cost
                }
                MaterialEnvTax => region.materials[i].env_tax = base.materials[i].env_tax,
                MaterialStorageCost => {
                    region.materials[i].storage_cost = base.materials[i].storage_cost
                }
                TransportCost => region.modes[i].cost_per_unit_km = base.modes[i].cost_per_unit_km,
                PolicyRouteSubsidy => {
                    let r = super::RouteId(i);
                    if let (Some(s), Some(b)) = (
                        region.policy.route_subsidy.get_mut(&r),
                        base.policy.route_subsidy.get(&r),
                    ) {
                        *s = *b;
                    }
                }
                PolicyEnvTaxMultiplier | PolicyCarbonPrice => {}
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

/// The independent inputs of a list of entries, in draw order: walking the entries in
/// declaration order, an entry without a group is one input, and a group is one input at its
/// first entry. Each input is its label (the entry's id or the group's name) and its entries'
/// indices.
pub fn inputs(entries: &[Uncertain]) -> Vec<(String, Vec<usize>)> {
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    for (j, e) in entries.iter().enumerate() {
        match &e.group {
            Some(g) => match out
                .iter_mut()
                .find(|(label, ix)| label == g && entries[ix[0]].group.is_some())
            {
                Some((_, ix)) => ix.push(j),
                None => out.push((g.clone(), vec![j])),
            },
            None => out.push((e.id.clone(), vec![j])),
        }
    }
    out
}
