//! `analysis`: what an allocation means — balances and utilisation rates against the target,
//! cost and CO2, capacity use, shadow prices, gaps.
//!
//! Utilisation rate = utilised / (generated + utilised from past stockpiles), where utilised
//! includes the stockpile drawn. Hydrogen has its own balance and never enters the solids rate.
//! All sums run in a fixed order (arc index, then id order), so results are reproducible.

use crate::allocate::{AllocConfig, Allocation, Allocator, Scaling};
use crate::model::*;
use crate::network::{ArcKind, Costs, Network, Source};
use std::collections::BTreeMap;

/// A material balance, in the material's unit per year.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Balance {
    pub generated: f64,
    /// New generation utilised this year.
    pub utilised_new: f64,
    /// Legacy stockpile drawn and utilised.
    pub stockpile_drawn: f64,
    /// New generation disposed (compliant storage plus dumping).
    pub disposed: f64,
    /// Of which dumped non-compliantly (taxed).
    pub dumped: f64,
}

impl Balance {
    pub fn utilised(&self) -> f64 {
        self.utilised_new + self.stockpile_drawn
    }
    /// utilised / (generated + stockpile drawn); None when nothing is generated or drawn.
    pub fn rate(&self) -> Option<f64> {
        let d = self.generated + self.stockpile_drawn;
        (d > 0.0).then(|| self.utilised() / d)
    }
    /// Tonnes still to utilise to reach `target` (0 when met).
    pub fn shortfall(&self, target: f64) -> f64 {
        (target * (self.generated + self.stockpile_drawn) - self.utilised()).max(0.0)
    }
    /// Adds another balance of the same unit.
    pub fn add(&mut self, o: &Balance) {
        self.generated += o.generated;
        self.utilised_new += o.utilised_new;
        self.stockpile_drawn += o.stockpile_drawn;
        self.disposed += o.disposed;
        self.dumped += o.dumped;
    }
}

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
    pub capacity_value: f64,
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
    pub meets: bool,
    /// Units still to utilise in scope to meet the target.
    pub shortfall: f64,
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
    pub producers: Vec<ProducerFate>,
    pub gaps: Vec<Gap>,
    pub objective_yuan: f64,
    pub phases: Vec<PhaseInfo>,
    pub nodes: usize,
    pub arcs: usize,
}

fn scope_label(region: &Region) -> String {
    match &region.target.scope {
        TargetScope::AllSolids => "solids".to_string(),
        TargetScope::Material(m) => format!("material:{}", region.materials[m.0].id),
        TargetScope::Park(p) => format!("park:{}", region.parks[p.0].id),
    }
}

/// A region solved and analysed.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub network: Network,
    pub allocation: Allocation,
    pub results: Results,
}

/// Errors of the analysis layer.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error(transparent)]
    Network(#[from] crate::network::NetworkError),
    #[error(transparent)]
    Allocate(#[from] crate::allocate::AllocateError),
}

/// Evaluates many variants of a region (Monte Carlo samples, policy levers) with one kept
/// simplex basis: a variant whose network has the same topology as the previous one is
/// re-solved warm. Results equal cold evaluations and are always certified.
pub struct Evaluator {
    allocator: Allocator,
}

impl Evaluator {
    pub fn new(cfg: AllocConfig) -> Self {
        Evaluator {
            allocator: Allocator::new(cfg),
        }
    }

    /// Builds the network of `region`, allocates exactly and analyses.
    pub fn evaluate(&mut self, region: &Region) -> Result<Evaluation, AnalysisError> {
        let network = Network::build(region)?;
        let scaling = Scaling {
            quantity: region.settings.quantity_resolution,
            cost: region.settings.cost_resolution,
        };
        let allocation = self
            .allocator
            .allocate(&network, region.settings.objective, scaling)?;
        let results = analyse(region, &network, &allocation);
        Ok(Evaluation {
            network,
            allocation,
            results,
        })
    }
}

/// Builds the network of `region`, allocates exactly (every solve certified) and analyses.
pub fn evaluate(region: &Region, cfg: &AllocConfig) -> Result<Evaluation, AnalysisError> {
    Evaluator::new(*cfg).evaluate(region)
}

/// Evaluates `alloc` on `net` built from `region`.
pub fn analyse(region: &Region, net: &Network, alloc: &Allocation) -> Results {
    let np = region.producers.len();
    let mut fate = vec![Balance::default(); np];
    for i in 0..np {
        // The quantity the solver saw (rounded to the resolution), so that balances close.
        fate[i].generated = alloc.supply(net.producer_node[i].index());
    }
    let mut cost = CostBreakdown::default();
    let mut co2_avoided_t = 0.0;
    let mut co2_transport_t = 0.0;
    let mut transport_tkm = 0.0;
    let mut hydrogen_transport_unit_km = 0.0;
    let mut flows = Vec::new();
    let mut intake_by_consumer = vec![0.0; region.consumers.len()];
    let mut by_route_map: BTreeMap<(RouteId, String), f64> = BTreeMap::new();
    let mut capacity_price = vec![0.0; region.consumers.len()];

    for (a, _s, _t, arc) in net.arcs() {
        let x = alloc.flow[a];
        let e = &arc.econ;
        if x != 0.0 {
            cost.add_scaled(&e.costs, x);
            co2_avoided_t += e.co2_avoided_t * x;
            co2_transport_t += e.co2_transport_t * x;
        }
        match arc.kind {
            ArcKind::Transport {
                source,
                consumer,
                mode,
                km,
                ..
            } => {
                if x <= 0.0 {
                    continue;
                }
                let p = source.producer();
                let mat = region.producers[p.0].material;
                match source {
                    Source::Generation(_) => fate[p.0].utilised_new += x,
                    Source::Stockpile(_) => fate[p.0].stockpile_drawn += x,
                }
                if region.materials[mat.0].class == MaterialClass::Solid {
                    transport_tkm += x * km;
                } else {
                    hydrogen_transport_unit_km += x * km;
                }
                flows.push(FlowRow {
                    producer: p,
                    from_stockpile: matches!(source, Source::Stockpile(_)),
                    consumer,
                    material: mat,
                    mode,
                    quantity: x,
                    km,
                    cost: (e.costs.transport + e.costs.handling + e.costs.reclaim + e.costs.carbon)
                        * x,
                });
            }
            ArcKind::Use { consumer, intake } if x > 0.0 => {
                let c = &region.consumers[consumer.0];
                let unit = region.materials[c.intakes[intake].material.0].unit.clone();
                *by_route_map.entry((c.route, unit)).or_default() += x;
            }
            ArcKind::Capacity { consumer } => {
                intake_by_consumer[consumer.0] = x;
                capacity_price[consumer.0] = (-alloc.reduced_cost[a]).max(0.0);
            }
            ArcKind::Store { producer } => fate[producer.0].disposed += x,
            ArcKind::Dump { producer } => {
                fate[producer.0].disposed += x;
                fate[producer.0].dumped += x;
            }
            _ => {}
        }
    }

    let class_of = |p: &Producer| region.materials[p.material.0].class;
    let mut solids = Balance::default();
    let mut by_material: Vec<(MaterialId, Balance)> = Vec::new();
    let mut hydrogen: Vec<(MaterialId, Balance)> = Vec::new();
    for (mi, m) in region.materials.iter().enumerate() {
        let mut b = Balance::default();
        for (p, f) in region.producers.iter().zip(&fate) {
            if p.material.0 == mi {
                b.add(f);
            }
        }
        match m.class {
            MaterialClass::Solid => {
                solids.add(&b);
                by_material.push((MaterialId(mi), b));
            }
            MaterialClass::Hydrogen => hydrogen.push((MaterialId(mi), b)),
        }
    }
    let tops: Vec<ParkId> = (0..region.parks.len())
        .filter(|&i| region.parks[i].parent.is_none())
        .map(ParkId)
        .collect();
    let park_balance = |class: MaterialClass, mat: Option<MaterialId>, park: ParkId| {
        let mut b = Balance::default();
        for (p, f) in region.producers.iter().zip(&fate) {
            if class_of(p) == class
                && region.top_park(p.park) == park
                && mat.is_none_or(|m| m == p.material)
            {
                b.add(f);
            }
        }
        b
    };
    let by_park: Vec<(ParkId, Balance)> = tops
        .iter()
        .map(|&t| (t, park_balance(MaterialClass::Solid, None, t)))
        .collect();
    let hydrogen_by_park: Vec<(ParkId, Balance)> = tops
        .iter()
        .map(|&t| (t, park_balance(MaterialClass::Hydrogen, None, t)))
        .filter(|(_, b)| b.generated > 0.0 || b.utilised() > 0.0)
        .collect();

    // Target.
    let scoped = match &region.target.scope {
        TargetScope::AllSolids => solids,
        TargetScope::Material(m) => by_material
            .iter()
            .find(|(id, _)| id == m)
            .map(|(_, b)| *b)
            .unwrap_or_default(),
        TargetScope::Park(p) => {
            // The named park (a consolidated park or a sub-block) with its own sub-blocks.
            let mut b = Balance::default();
            for (pr, f) in region.producers.iter().zip(&fate) {
                let inside = pr.park == *p || region.parks[pr.park.0].parent == Some(*p);
                if class_of(pr) == MaterialClass::Solid && inside {
                    b.add(f);
                }
            }
            b
        }
    };
    let achieved = scoped.rate();
    let target = TargetResult {
        rate: region.target.rate,
        scope: scope_label(region),
        achieved,
        meets: achieved.is_some_and(|r| r + 1e-12 >= region.target.rate),
        shortfall: scoped.shortfall(region.target.rate),
    };

    // Gaps by (park, material), largest first.
    let mut gaps = Vec::new();
    for &t in &tops {
        for (mid, _) in &by_material {
            let b = park_balance(MaterialClass::Solid, Some(*mid), t);
            let s = b.shortfall(region.target.rate);
            if s > 0.0 {
                gaps.push(Gap {
                    park: t,
                    material: *mid,
                    shortfall: s,
                    rate: b.rate(),
                });
            }
        }
    }
    gaps.sort_by(|a, b| {
        b.shortfall
            .total_cmp(&a.shortfall)
            .then(a.park.cmp(&b.park))
            .then(a.material.cmp(&b.material))
    });

    // Marginal cost of one more unit generated. Under the cost objective this is the dual of the
    // producer's supply relative to the sink. Under max_utilisation the disposal arcs are capped
    // at their lexicographic optimum, so the sink's potential carries that cap's dual; measuring
    // from the class's disposal node instead gives the cost of the extra unit's cheapest fate.
    let sink_pi = alloc.potential[net.sink.index()];
    let producers = (0..np)
        .map(|i| {
            let class = class_of(&region.producers[i]);
            let base = match region.settings.objective {
                Objective::Cost => sink_pi,
                Objective::MaxUtilisation => alloc.potential[net.disposal_node(class).index()],
            };
            ProducerFate {
                producer: ProducerId(i),
                balance: fate[i],
                marginal_cost: alloc.potential[net.producer_node[i].index()] - base,
            }
        })
        .collect();
    let consumers = region
        .consumers
        .iter()
        .enumerate()
        .map(|(i, c)| ConsumerUse {
            consumer: ConsumerId(i),
            intake: intake_by_consumer[i],
            capacity: c.capacity,
            capacity_shadow_price: capacity_price[i],
            capacity_value: alloc.capacity_value.as_ref().map_or(0.0, |v| v[i]),
        })
        .collect();
    let phases = alloc
        .phases
        .iter()
        .map(|p| PhaseInfo {
            name: p.name.to_string(),
            objective_units: p.objective,
            iterations: p.iterations,
            primal: p.certificate.primal_objective,
            dual: p.certificate.dual_objective,
        })
        .collect();
    Results {
        target,
        solids,
        by_material,
        by_park,
        hydrogen,
        hydrogen_by_park,
        by_route: by_route_map
            .into_iter()
            .map(|((r, u), x)| (r, u, x))
            .collect(),
        cost,
        co2_avoided_t,
        co2_transport_t,
        transport_tkm,
        hydrogen_transport_unit_km,
        flows,
        consumers,
        producers,
        gaps,
        objective_yuan: alloc.objective_yuan,
        phases,
        nodes: net.node_count(),
        arcs: net.arc_count(),
    }
}
