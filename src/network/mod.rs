//! `network`: the symbiosis graph (petgraph), built from a [`Region`]; its topology is fixed
//! once built, and [`Network::refresh`] re-computes its values (supplies, capacities, per-arc
//! economics) for a region of the same structure.
//!
//! Layers: producer (and legacy stockpile) → transport arcs (one per accepted intake with at
//! least one mode in reach: within the mode's `max_km` or on a dedicated link; the arc carries
//! the cheapest of those modes, see [`Network::modes_in_reach`]) → consumer intake (blend
//! limit) → [intake group (nested blend limit)] → consumer (capacity in force: nameplate × load factor, or nameplate for the
//! potential) → sink;
//! plus disposal: producer → park landfill (compliant, capacity-limited) → disposal, and
//! producer → disposal directly (non-compliant dumping, taxed) where a park's landfill is
//! limited and `[policy] allow_dumping` is set; stockpile → kept (not drawn). Solids and hydrogen never share a node but the sink.
//!
//! Rooms: [`layers`] (the graph laid out layer by layer, for building and for refreshing),
//! [`econ`] (money and CO2 per unit, and each arc's economics computed from the region),
//! [`values`] (the value-only refresh of the Monte Carlo: [`Network::refresh_values`]).

mod canonical;
mod econ;
mod layers;
pub mod path;
mod values;

pub use econ::{Costs, Econ};

use crate::model::*;
use layers::{lay_out, Layout};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Producer(ProducerId),
    Stockpile(ProducerId),
    /// Stockpiled material left in place this year, per class.
    StockKept(MaterialClass),
    Intake(ConsumerId, usize),
    /// A consumer's intake group (nested blend limit): its members' use arcs end here.
    Group(ConsumerId, usize),
    Consumer(ConsumerId),
    /// Compliant storage of a park or sub-block (only where its capacity is limited).
    Landfill(ParkId),
    /// All disposal of a class (solids: landfill + dumping; hydrogen: venting).
    Disposal(MaterialClass),
    Sink,
}

/// Where a transport arc starts: new generation or a legacy stockpile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Generation(ProducerId),
    Stockpile(ProducerId),
}

impl Source {
    pub fn producer(self) -> ProducerId {
        match self {
            Source::Generation(p) | Source::Stockpile(p) => p,
        }
    }
}

/// What an arc stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ArcKind {
    /// Source → intake: one arc per pair with at least one mode in reach. Its topology is the
    /// source, consumer and intake; `mode` and `km` are values: the mode of least net unit
    /// cost among the modes in reach ([`Network::modes_in_reach`]; ties to the lowest mode
    /// index), re-picked by every refresh. Exact because transport arcs are uncapacitated: flow
    /// on a dearer parallel arc could move to the cheapest at no loss (see `docs/format.md`,
    /// "Transport modes").
    Transport {
        source: Source,
        consumer: ConsumerId,
        intake: usize,
        mode: ModeId,
        km: f64,
    },
    /// Intake → consumer (or its group): the blend limit, and the per-material economics of
    /// use.
    Use { consumer: ConsumerId, intake: usize },
    /// Group → consumer: the group's limit (nested blend limit).
    GroupLimit { consumer: ConsumerId, group: usize },
    /// Consumer → sink: total capacity.
    Capacity { consumer: ConsumerId },
    /// Producer → landfill/disposal: compliant storage.
    Store { producer: ProducerId },
    /// Producer → disposal, bypassing a full park landfill: non-compliant, taxed.
    Dump { producer: ProducerId },
    /// Park landfill → disposal: its capacity.
    LandfillLimit { park: ParkId },
    /// Stockpile → kept.
    Keep { producer: ProducerId },
    /// Disposal → sink, per class (where the lexicographic objective acts).
    DisposalOut(MaterialClass),
    /// Kept → sink, per class.
    KeptOut(MaterialClass),
    /// Only in a path's joint network ([`path`]): a stock carried to the next year or drawn
    /// from it, a landfill's room shared by the years, a year's sink closed into the path's.
    Carry,
}

impl ArcKind {
    /// The kind without its values (a transport arc's mode and `km`): what a refresh may not
    /// change.
    pub fn topology(self) -> ArcKind {
        match self {
            ArcKind::Transport {
                source,
                consumer,
                intake,
                ..
            } => ArcKind::Transport {
                source,
                consumer,
                intake,
                mode: ModeId(0),
                km: 0.0,
            },
            k => k,
        }
    }
}

/// Arc payload.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arc {
    pub kind: ArcKind,
    /// Upper bound in material units (None = unbounded).
    pub capacity: Option<f64>,
    pub econ: Econ,
}

/// The built network. Its topology never changes after [`Network::build`]. Arc `i` of the flat problem is edge `i` of `graph`.
#[derive(Debug, Clone)]
pub struct Network {
    pub graph: DiGraph<NodeKind, Arc>,
    /// Supply per node in material units (positive at producers and stockpiles, negative at
    /// the sink), indexed like `graph` nodes.
    pub supply: Vec<f64>,
    pub sink: NodeIndex,
    pub producer_node: Vec<NodeIndex>,
    pub stockpile_node: Vec<Option<NodeIndex>>,
    pub consumer_node: Vec<NodeIndex>,
    /// Disposal aggregator per class (solid, hydrogen).
    disposal_nodes: [NodeIndex; 2],
    /// The groups whose utilisation rate is reported, as arcs and nodes of the flat problem:
    /// every material (declaration order), then every consolidated park's solids, then all
    /// solids, then the target's park if it is a sub-block, then every consolidated park ×
    /// material with producers (park, then material order).
    pub rate_groups: Vec<RateGroup>,
    /// The modes in reach of every transport arc (see [`Network::modes_in_reach`]).
    reach: Reach,
    /// Every arc's key made of ids (see [`Network::tie_keys`]).
    tie_keys: Vec<u64>,
    /// Per arc, the factor of its tie weight (see [`Network::tie_scale`]); empty: all 1.
    tie_scale: Vec<u8>,
    /// What of the region built fixes the structure beyond nodes and arcs (checked by
    /// [`Network::refresh_values`]).
    shape: values::Shape,
    /// Names the nodes and arcs (see [`Network::topology_id`]).
    topology: TopologyId,
    /// Scratch of [`Network::refresh_values`]: each mode's rates under the policy.
    mode_rates: Scratch<econ::ModeRates>,
}

/// The modes in reach of each arc, in arc order: arc `a`'s are
/// `options[start[a]..start[a + 1]]` (none for an arc that is not a transport arc).
#[derive(Debug, Clone, PartialEq)]
struct Reach {
    /// (mode, km), in mode order within an arc.
    options: Vec<(ModeId, f64)>,
    /// Per arc: the start of its options; then the end of the last arc's.
    start: Vec<u32>,
}

impl Reach {
    fn new() -> Reach {
        Reach {
            options: Vec::new(),
            start: vec![0],
        }
    }

    /// Appends the next arc's modes in reach.
    fn push(&mut self, modes: &[(ModeId, f64)]) {
        self.options.extend_from_slice(modes);
        let end = u32::try_from(self.options.len()).expect("fewer than 2^32 modes in reach");
        self.start.push(end);
    }

    #[inline]
    fn of(&self, arc: usize) -> &[(ModeId, f64)] {
        &self.options[self.start[arc] as usize..self.start[arc + 1] as usize]
    }
}

/// Whose utilisation rate a [`RateGroup`] measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateKey {
    /// One material (solid or hydrogen, in its own unit).
    Material(MaterialId),
    /// The solids of one consolidated park.
    Park(ParkId),
    /// All solids.
    Solids,
    /// The target's scope where it is a sub-block (a park that is not consolidated): its
    /// solids, with those of its own sub-blocks. (Any other scope is one of the other groups.)
    TargetPark(ParkId),
    /// One material (solid or hydrogen) in one consolidated park.
    ParkMaterial(ParkId, MaterialId),
}

/// A group of producers whose utilisation rate is reported, in terms of the flat problem:
/// rate = (flow on `new_arcs` + flow on `stock_arcs`) / (supply of `generation` + flow on
/// `stock_arcs`). Only transport arcs to consumers whose route the target's accounting rule
/// counts are in `new_arcs` and `stock_arcs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateGroup {
    pub key: RateKey,
    /// The producers' generation nodes (their supplies are what is generated).
    pub generation: Vec<usize>,
    /// Transport arcs from the producers' new generation (utilised new).
    pub new_arcs: Vec<usize>,
    /// Transport arcs from the producers' legacy stockpiles (stockpile drawn).
    pub stock_arcs: Vec<usize>,
}

/// Errors of the network layer.
#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    #[error("the region has no producers")]
    NoProducers,
    /// [`Network::refresh`] was given a region whose network has other nodes or arcs.
    #[error("the region's network differs in structure from the one built ({0}); build it anew")]
    TopologyChanged(String),
}

impl Network {
    /// Names this network's nodes and arcs: networks with the same id have the same nodes and
    /// arcs in the same order. Every [`Network::build`] names its own; a clone,
    /// [`Network::refresh`] and [`Network::refresh_values`] keep it (they never change the
    /// topology). Only compared for equality (the allocator's kept problem skips comparing
    /// the arcs' ends with it), so no result depends on its value.
    pub fn topology_id(&self) -> u64 {
        self.topology.0
    }

    /// Arcs in index order with their endpoints.
    pub fn arcs(&self) -> impl Iterator<Item = (usize, NodeIndex, NodeIndex, &Arc)> {
        self.graph
            .edge_references()
            .map(|e| (e.id().index(), e.source(), e.target(), e.weight()))
    }

    /// The arcs whose `flow` (by arc index) is not zero, in index order, without touching the
    /// others (most arcs of an allocation carry nothing).
    pub fn arcs_with_flow<'a>(
        &'a self,
        flow: &'a [f64],
    ) -> impl Iterator<Item = (usize, f64, &'a Arc)> + 'a {
        let edges = self.graph.raw_edges();
        flow.iter()
            .enumerate()
            .filter(|&(_, &x)| x != 0.0)
            .map(move |(a, &x)| (a, x, &edges[a].weight))
    }

    /// The node collecting all disposal of `class`.
    pub fn disposal_node(&self, class: MaterialClass) -> NodeIndex {
        match class {
            MaterialClass::Solid => self.disposal_nodes[0],
            MaterialClass::Hydrogen => self.disposal_nodes[1],
        }
    }

    /// The modes in reach of transport arc `arc` with their km (in mode order; empty for an
    /// arc that is not a transport arc): fixed by the build (or the last
    /// [`Network::refresh`]); the arc carries the cheapest of them, re-picked by every refresh.
    pub fn modes_in_reach(&self, arc: usize) -> &[(ModeId, f64)] {
        self.reach.of(arc)
    }

    /// Every arc's key, in arc order: a hash of the arc's kind and the ids it joins, never of
    /// positions (see `network/canonical.rs`). The canonical allocation breaks its last ties
    /// on them. Fixed by the build (a refresh keeps the ids).
    pub fn tie_keys(&self) -> &[u64] {
        &self.tie_keys
    }

    /// Per arc, the factor (1–255) of its tie weight in the canonical rule's second step;
    /// empty when every factor is 1. Only a path's joint network has others: year t's arcs
    /// weigh t + 1 times their key's weight, so that a tie between two years is broken (the
    /// same ids give the same key in every year) while within a year the rule picks the
    /// year's own optimum (a positive factor does not change a minimiser).
    pub fn tie_scale(&self) -> &[u8] {
        &self.tie_scale
    }

    /// How many parks (and sub-blocks) the region built from had.
    pub fn park_count(&self) -> usize {
        self.shape.park_count()
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn arc_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// Builds the network of `region`.
    pub fn build(region: &Region) -> Result<Network, NetworkError> {
        Network::build_with(region, false)
    }

    /// The network of `region` in the formulation before one transport arc per pair: one
    /// transport arc per mode in reach (each with that mode alone in reach), the rest as
    /// [`Network::build`]. Only the tests' oracle for the exactness of the one-arc formulation:
    /// the same optimal objective in every phase.
    #[doc(hidden)]
    pub fn build_one_arc_per_mode(region: &Region) -> Result<Network, NetworkError> {
        Network::build_with(region, true)
    }

    /// The number of nodes and arcs [`Network::build`] would make, without building it: the
    /// same layers counted (the transport arcs by classes of lots and intakes,
    /// `layers::transport_count`), in memory linear in the input. `validate` prints it.
    pub fn size(region: &Region) -> Result<(usize, usize), NetworkError> {
        if region.producers.is_empty() {
            return Err(NetworkError::NoProducers);
        }
        let mut out = Layout::Count { nodes: 0, arcs: 0 };
        lay_out(region, &mut out)?;
        let Layout::Count { nodes, arcs } = out else {
            unreachable!("a count layout stays one")
        };
        Ok((nodes, arcs))
    }

    fn build_with(region: &Region, per_mode: bool) -> Result<Network, NetworkError> {
        if region.producers.is_empty() {
            return Err(NetworkError::NoProducers);
        }
        let mut out = Layout::Build {
            graph: DiGraph::new(),
            supply: Vec::new(),
            reach: Reach::new(),
            per_mode,
        };
        let nodes = lay_out(region, &mut out)?;
        let Layout::Build {
            graph,
            mut supply,
            reach,
            ..
        } = out
        else {
            unreachable!("a build layout stays one")
        };
        close_supply(&mut supply, nodes.sink);
        let rate_groups = rate_groups(region, &graph, &nodes.producer);
        let tie_keys = canonical::tie_keys(region, &graph);
        Ok(Network {
            tie_keys,
            tie_scale: Vec::new(),
            topology: TopologyId(fresh_topology_id()),
            mode_rates: Scratch::default(),
            shape: values::Shape::of(region),
            rate_groups,
            reach,
            graph,
            supply,
            sink: nodes.sink,
            producer_node: nodes.producer,
            stockpile_node: nodes.stockpile,
            consumer_node: nodes.consumer,
            disposal_nodes: nodes.disposal,
        })
    }

    /// Re-computes supplies, capacities and every arc's economics (and transport distances)
    /// for `region`, a variant of the region this network was built from with the same
    /// structure: the same producers, consumers, intakes, modes and parks, giving the same
    /// nodes and arcs in the same order. The result equals `Network::build(region)`, without
    /// allocating a graph; the modes in reach of each transport arc are recomputed (a mode
    /// entering or leaving the reach of a pair that keeps another is a value) and the cheapest
    /// re-picked. Fails with [`NetworkError::TopologyChanged`] where the structure
    /// differs, e.g. a stockpile emptied, an intake no longer accepting a producer's grade, or
    /// a pair losing its last mode in reach; the network then keeps its topology, but the
    /// values of the arcs laid out before the difference are `region`'s: refresh it again for a
    /// region of its structure, or build anew. (Writing in place rather than staging the values
    /// makes a refresh about 40 % faster on the Ordos network.)
    pub fn refresh(&mut self, region: &Region) -> Result<(), NetworkError> {
        if region.producers.is_empty() {
            return Err(NetworkError::NoProducers);
        }
        let mut out = Layout::Refresh {
            graph: &mut self.graph,
            supply: Vec::with_capacity(self.supply.len()),
            arcs: 0,
            reach: Reach::new(),
        };
        let nodes = lay_out(region, &mut out)?;
        let Layout::Refresh {
            mut supply,
            arcs,
            reach,
            ..
        } = out
        else {
            unreachable!("a refresh layout stays one")
        };
        if supply.len() != self.graph.node_count() || arcs != self.graph.edge_count() {
            return Err(NetworkError::TopologyChanged(format!(
                "{} nodes and {} arcs, were {} and {}",
                supply.len(),
                arcs,
                self.graph.node_count(),
                self.graph.edge_count()
            )));
        }
        // Every node was checked in index order, so the kept indices are the laid-out ones.
        debug_assert_eq!(nodes.producer, self.producer_node);
        close_supply(&mut supply, nodes.sink);
        self.supply = supply;
        self.reach = reach;
        self.rate_groups = rate_groups(region, &self.graph, &self.producer_node);
        self.tie_keys = canonical::tie_keys(region, &self.graph);
        self.shape = values::Shape::of(region);
        Ok(())
    }
}

/// A network's topology name: left out of its `Debug` (which shows what a network holds,
/// equal for equal builds).
#[derive(Clone, Copy, PartialEq, Eq)]
struct TopologyId(u64);

impl std::fmt::Debug for TopologyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("_")
    }
}

/// A scratch buffer: what a network holds does not include it (left out of its `Debug`).
#[derive(Clone)]
struct Scratch<T>(Vec<T>);

impl<T> Default for Scratch<T> {
    fn default() -> Self {
        Scratch(Vec::new())
    }
}

impl<T> std::fmt::Debug for Scratch<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("_")
    }
}

/// A number no other build in this process was given.
fn fresh_topology_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The rate groups of `region` on its `graph`: every material in declaration order, the solids
/// of every consolidated park in declaration order, all solids, the target's park if it is a
/// sub-block, then every consolidated park × material with producers; arcs in index order.
fn rate_groups(
    region: &Region,
    graph: &DiGraph<NodeKind, Arc>,
    producer_node: &[NodeIndex],
) -> Vec<RateGroup> {
    let tops: Vec<ParkId> = (0..region.parks.len())
        .filter(|&i| region.parks[i].parent.is_none())
        .map(ParkId)
        .collect();
    let n_mat = region.materials.len();
    let sub_block = match region.target.scope {
        TargetScope::Park(p) if region.parks[p.0].parent.is_some() => Some(p),
        _ => None,
    };
    // Park × material pairs with producers, in park then material order.
    let pairs: Vec<(ParkId, MaterialId)> = tops
        .iter()
        .flat_map(|&t| (0..n_mat).map(move |m| (t, MaterialId(m))))
        .filter(|&(t, m)| {
            region
                .producers
                .iter()
                .any(|p| p.material == m && region.top_park(p.park) == t)
        })
        .collect();
    let keys: Vec<RateKey> = (0..n_mat)
        .map(|m| RateKey::Material(MaterialId(m)))
        .chain(tops.iter().map(|&t| RateKey::Park(t)))
        .chain([RateKey::Solids])
        .chain(sub_block.map(RateKey::TargetPark))
        .chain(pairs.iter().map(|&(t, m)| RateKey::ParkMaterial(t, m)))
        .collect();
    let slot = |k: RateKey| keys.iter().position(|&x| x == k);
    // The groups of each producer: its material's, its park × material's, and if solid its
    // park's, all solids' and the target's sub-block's if inside.
    let of: Vec<Vec<usize>> = region
        .producers
        .iter()
        .map(|prod| {
            let solid = region.materials[prod.material.0].class == MaterialClass::Solid;
            let top = region.top_park(prod.park);
            let inside = |p: ParkId| prod.park == p || region.parks[prod.park.0].parent == Some(p);
            let mut g = vec![RateKey::Material(prod.material)];
            if solid {
                g.push(RateKey::Park(top));
                g.push(RateKey::Solids);
                if let Some(p) = sub_block.filter(|&p| inside(p)) {
                    g.push(RateKey::TargetPark(p));
                }
            }
            g.push(RateKey::ParkMaterial(top, prod.material));
            g.into_iter().filter_map(slot).collect()
        })
        .collect();
    let mut groups: Vec<RateGroup> = keys
        .iter()
        .map(|&key| RateGroup {
            key,
            generation: Vec::new(),
            new_arcs: Vec::new(),
            stock_arcs: Vec::new(),
        })
        .collect();
    for (i, node) in producer_node.iter().enumerate() {
        for &g in &of[i] {
            groups[g].generation.push(node.index());
        }
    }
    for e in graph.edge_references() {
        if let ArcKind::Transport {
            source, consumer, ..
        } = e.weight().kind
        {
            // Only routes the target's accounting rule counts are utilisation.
            if !region.counted(consumer) {
                continue;
            }
            for &g in &of[source.producer().0] {
                match source {
                    Source::Generation(_) => groups[g].new_arcs.push(e.id().index()),
                    Source::Stockpile(_) => groups[g].stock_arcs.push(e.id().index()),
                }
            }
        }
    }
    groups
}

/// The sink absorbs everything supplied.
fn close_supply(supply: &mut [f64], sink: NodeIndex) {
    let total: f64 = supply.iter().sum();
    supply[sink.index()] = -total;
}
