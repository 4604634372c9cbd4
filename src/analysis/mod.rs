//! `analysis`: what an allocation means — balances and utilisation rates against the target,
//! cost and CO2, capacity use, shadow prices, gaps.
//!
//! Utilisation rate = utilised / (generated + utilised from past stockpiles), where utilised
//! includes the stockpile drawn. Hydrogen has its own balance and never enters the solids rate.
//! All sums run in a fixed order (arc index, then id order), so results are reproducible.
//!
//! Rooms: [`balance`] (producers' fates and the balances), [`target`] (the target and the
//! gaps), [`flows`] (costs, CO2, the flows table, use by route), [`prices`] (consumers'
//! capacity use and values, producers' marginal costs), [`legal`] (waste with no legal fate
//! when dumping is forbidden), [`evaluate`](mod@evaluate) (the
//! [`Evaluator`]: network, allocation and analysis of one region or of many variants),
//! [`alternative`] (the other objective and the cost of moving between the two), [`lean`]
//! (the figures a Monte Carlo sample keeps, from the flows alone).

mod alternative;
mod balance;
pub mod compare;
pub mod draw;
mod evaluate;
mod flows;
mod lean;
mod legal;
pub mod monte_carlo;
pub mod path;
pub mod plan;
mod prices;
mod target;

pub use alternative::{Alternative, MovingCost};
pub use balance::Balance;
pub use evaluate::{evaluate, evaluate_with_alternative, AnalysisError, Evaluation, Evaluator};
pub use lean::Figures;
pub use legal::{NoLegalFate, Stranded};
pub use monte_carlo::columns::{store_columns, ColumnStore, InMemory};
pub use monte_carlo::stats::{CellStats, Sensitivity};
pub use monte_carlo::{
    monte_carlo, monte_carlo_each, monte_carlo_streamed, MonteCarlo, MonteCarloSummary,
    SampleError, SampleLayout, SampleResult, Stats, StreamError,
};

use crate::allocate::Allocation;
use crate::model::*;
use crate::network::{Costs, Network, RateKey};

/// Yuan per year by component; `total()` is the objective's definition of net cost.
pub type CostBreakdown = Costs;

/// One positive transport flow.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowRow {
    pub producer: ProducerId,
    pub from_stockpile: bool,
    pub consumer: ConsumerId,
    pub material: MaterialId,
    pub mode: ModeId,
    pub quantity: f64,
    pub km: f64,
    /// Transport + handling + reclaim + carbon on transport, yuan per year.
    pub cost: f64,
}

/// Use of one consumer's capacity.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsumerUse {
    pub consumer: ConsumerId,
    pub intake: f64,
    pub capacity: f64,
    /// Value of one more unit of capacity, yuan per unit (0 unless saturated and useful).
    pub capacity_shadow_price: f64,
    /// Exact value of one more unit of capacity: the cost saved when this capacity alone rises
    /// by one flow unit (the right derivative, re-solved warm), yuan per unit; 0 when not
    /// saturated. Unlike the dual, it does not depend on which optimal basis was found.
    pub capacity_value: Option<f64>,
}

/// Use of one park's compliant landfill (solids, t/yr): the landfill that takes the storage of
/// the park's producers (and of its sub-blocks without a limit of their own).
#[derive(Debug, Clone, PartialEq)]
pub struct LandfillUse {
    pub park: ParkId,
    /// The landfill's capacity for new waste, t/yr; `None` when unlimited.
    pub capacity: Option<f64>,
    /// New waste stored compliantly in it, t/yr.
    pub stored: f64,
    /// Waste dumped non-compliantly beside it (its producers' dumping), t/yr.
    pub dumped: f64,
    /// Exact value of one more tonne of its capacity: the cost saved when this capacity alone
    /// rises by one flow unit (re-solved warm and certified), yuan/t; 0 when not full or
    /// unlimited.
    pub capacity_value: Option<f64>,
    /// The capacity arc's dual, yuan/t (0 unless full).
    pub shadow_price: f64,
    /// Whether the landfill is limited and full: its capacity as the solver saw it (rounded
    /// down to the quantity resolution) is all used.
    pub full: bool,
}

impl LandfillUse {
    /// Capacity left, t/yr (`None` when unlimited).
    pub fn free(&self) -> Option<f64> {
        self.capacity.map(|c| (c - self.stored).max(0.0))
    }
}

/// Fate of one producer's output.
#[derive(Debug, Clone, PartialEq)]
pub struct ProducerFate {
    pub producer: ProducerId,
    pub balance: Balance,
    /// Marginal system cost of one more unit generated, yuan per unit.
    pub marginal_cost: f64,
}

/// A shortfall against the target in one park and material.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    pub park: ParkId,
    pub material: MaterialId,
    pub shortfall: f64,
    pub rate: Option<f64>,
}

/// The target, evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetResult {
    pub rate: f64,
    pub scope: String,
    pub achieved: Option<f64>,
    /// The rate in scope under the strict rule (backfill and ecological restoration not
    /// counted).
    pub strict_achieved: Option<f64>,
    /// The lowest and highest rate in scope among all optimal allocations, where computed and
    /// defined.
    pub achieved_range: Option<RateRange>,
    pub meets: bool,
    /// Units still to utilise in scope to meet the target.
    pub shortfall: f64,
    /// New generation in scope, units per year (the solver's rounded supplies).
    pub scope_generated: f64,
    /// Utilised in scope under the accounting rule (new generation plus stockpile drawn),
    /// units per year.
    pub scope_utilised: f64,
}

/// The lowest and highest utilisation rate among all optimal allocations (they are rarely
/// unique: the allocation reported is one of them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateRange {
    pub min: f64,
    pub max: f64,
}

/// One solve of the allocation, as reported.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseInfo {
    pub name: String,
    pub objective_units: i128,
    pub iterations: u64,
    pub primal: i128,
    pub dual: i128,
}

/// Everything reported about one allocation.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    pub target: TargetResult,
    pub solids: Balance,
    /// Solid materials in declaration order.
    pub by_material: Vec<(MaterialId, Balance)>,
    /// Consolidated parks in declaration order (solids).
    pub by_park: Vec<(ParkId, Balance)>,
    /// Hydrogen materials in declaration order.
    pub hydrogen: Vec<(MaterialId, Balance)>,
    /// Hydrogen by consolidated park (all hydrogen materials).
    pub hydrogen_by_park: Vec<(ParkId, Balance)>,
    /// Every consolidated park × solid material pair, park then material order (all zero
    /// where the park has no producer of the material).
    pub by_park_material: Vec<((ParkId, MaterialId), Balance)>,
    /// Utilised quantity by route and material unit.
    pub by_route: Vec<(RouteId, String, f64)>,
    pub cost: CostBreakdown,
    pub co2_avoided_t: f64,
    pub co2_transport_t: f64,
    /// Solids transport work, t·km.
    pub transport_tkm: f64,
    /// Hydrogen transport work, kg·km (or the hydrogen unit's).
    pub hydrogen_transport_unit_km: f64,
    pub flows: Vec<FlowRow>,
    pub consumers: Vec<ConsumerUse>,
    /// Every park whose landfill takes some producer's storage or is limited, in declaration
    /// order.
    pub landfills: Vec<LandfillUse>,
    pub producers: Vec<ProducerFate>,
    pub gaps: Vec<Gap>,
    pub objective_yuan: f64,
    pub phases: Vec<PhaseInfo>,
    /// Rate range among optimal allocations of every material (solid or hydrogen, in its own
    /// unit; declaration order), where computed and defined.
    pub material_ranges: Vec<(MaterialId, RateRange)>,
    /// Solids rate range among optimal allocations of every consolidated park, where computed
    /// and defined.
    pub park_ranges: Vec<(ParkId, RateRange)>,
    /// Rate range among optimal allocations of all solids, where computed and defined.
    pub solids_range: Option<RateRange>,
    /// Rate range among optimal allocations of every material in every consolidated park with
    /// producers of it (park, then material order), where computed and defined.
    pub park_material_ranges: Vec<((ParkId, MaterialId), RateRange)>,
    pub nodes: usize,
    pub arcs: usize,
    /// The same region under the other objective (least cost beside technical potential),
    /// when the run asked for it ([`evaluate_with_alternative`]).
    pub alternative: Option<Alternative>,
}

/// Evaluates `alloc` on `net` built from `region`.
pub fn analyse(region: &Region, net: &Network, alloc: &Allocation) -> Results {
    let fate = balance::fates(region, net, alloc);
    let balances = balance::balances(region, &fate);
    let mut target = target::target(region, &fate, &balances);
    let gaps = target::gaps(region, &fate, &balances);
    let totals = flows::totals(net, &alloc.flow);
    let transport = flows::transport(region, net, alloc);
    let by_route = flows::by_route(region, net, alloc);
    let consumers = prices::consumers(region, net, alloc);
    let producers = prices::producers(region, net, alloc, &fate);
    let landfills = prices::landfills(region, net, alloc, &fate);
    let balance::Balances {
        solids,
        by_material,
        hydrogen,
        by_park,
        hydrogen_by_park,
        by_park_material,
        ..
    } = balances;
    let material_ranges = ranges(net, alloc, |k| match k {
        RateKey::Material(m) => Some(m),
        _ => None,
    });
    let park_ranges = ranges(net, alloc, |k| match k {
        RateKey::Park(p) => Some(p),
        _ => None,
    });
    let one = |key: RateKey| {
        ranges(net, alloc, |k| (k == key).then_some(()))
            .first()
            .map(|&(_, r)| r)
    };
    let solids_range = one(RateKey::Solids);
    target.achieved_range = match region.target.scope {
        TargetScope::AllSolids => solids_range,
        TargetScope::Material(m) => one(RateKey::Material(m)),
        TargetScope::Park(p) if region.parks[p.0].parent.is_none() => one(RateKey::Park(p)),
        TargetScope::Park(p) => one(RateKey::TargetPark(p)),
    };
    Results {
        target,
        solids,
        by_material,
        by_park,
        hydrogen,
        hydrogen_by_park,
        by_park_material,
        by_route,
        cost: totals.cost,
        co2_avoided_t: totals.co2_avoided_t,
        co2_transport_t: totals.co2_transport_t,
        transport_tkm: transport.tkm,
        hydrogen_transport_unit_km: transport.hydrogen_unit_km,
        flows: transport.flows,
        consumers,
        landfills,
        producers,
        gaps,
        objective_yuan: alloc.objective_yuan,
        phases: phases(alloc),
        material_ranges,
        park_ranges,
        solids_range,
        park_material_ranges: ranges(net, alloc, |k| match k {
            RateKey::ParkMaterial(p, m) => Some((p, m)),
            _ => None,
        }),
        nodes: net.node_count(),
        arcs: net.arc_count(),
        alternative: None,
    }
}

impl Results {
    /// The rate range of material `m` among optimal allocations, if computed and defined.
    pub fn material_range(&self, m: MaterialId) -> Option<RateRange> {
        self.material_ranges
            .iter()
            .find(|(k, _)| *k == m)
            .map(|&(_, r)| r)
    }

    /// The rate range of material `m` in consolidated park `p` among optimal allocations, if
    /// computed and defined.
    pub fn park_material_range(&self, p: ParkId, m: MaterialId) -> Option<RateRange> {
        self.park_material_ranges
            .iter()
            .find(|(k, _)| *k == (p, m))
            .map(|&(_, r)| r)
    }

    /// The solids rate range of consolidated park `p` among optimal allocations, if computed
    /// and defined.
    pub fn park_range(&self, p: ParkId) -> Option<RateRange> {
        self.park_ranges
            .iter()
            .find(|(k, _)| *k == p)
            .map(|&(_, r)| r)
    }
}

/// The allocation's rate ranges of the network's groups whose key `pick` keeps, in group order.
fn ranges<K>(
    net: &Network,
    alloc: &Allocation,
    pick: impl Fn(RateKey) -> Option<K>,
) -> Vec<(K, RateRange)> {
    let Some(bounds) = &alloc.rate_ranges else {
        return Vec::new();
    };
    net.rate_groups
        .iter()
        .zip(bounds)
        .filter_map(|(g, b)| {
            let b = b.as_ref()?;
            let range = RateRange {
                min: b.min.to_f64(),
                max: b.max.to_f64(),
            };
            pick(g.key).map(|k| (k, range))
        })
        .collect()
}

/// Each solve of the allocation with its certificate's objectives.
fn phases(alloc: &Allocation) -> Vec<PhaseInfo> {
    alloc
        .phases
        .iter()
        .map(|p| PhaseInfo {
            name: p.name.to_string(),
            objective_units: p.objective,
            iterations: p.iterations,
            primal: p.certificate.primal_objective,
            dual: p.certificate.dual_objective,
        })
        .collect()
}
