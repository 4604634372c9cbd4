//! The layers of the graph, laid out in a fixed order by [`lay_out`], one function per layer.
//!
//! A [`Layout`] receives every node and arc with its values: when building it adds them to a
//! new graph; when refreshing it checks each against the built graph's node or arc at the same
//! index (kind and endpoints; a transport arc's mode and `km` are values) and writes the new
//! values. Both record each transport arc's modes in reach.
//! Both paths run the same code, so a refreshed network equals a freshly built one.

use super::econ;
use super::{Arc, ArcKind, NetworkError, NodeKind, Reach, Source};
use crate::model::*;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};

/// Where the layers put their nodes and arcs.
pub(super) enum Layout<'g> {
    /// Adds them to a new graph.
    Build {
        graph: DiGraph<NodeKind, Arc>,
        supply: Vec<f64>,
        reach: Reach,
        /// One transport arc per mode in reach (the tests' oracle), not one per pair.
        per_mode: bool,
    },
    /// Only counts them (the transport arcs by classes of lots and intakes, never pair by
    /// pair): the size of the network without building it.
    Count { nodes: usize, arcs: usize },
    /// Checks them against `graph` in index order and writes their values over the built ones.
    Refresh {
        graph: &'g mut DiGraph<NodeKind, Arc>,
        supply: Vec<f64>,
        arcs: usize,
        reach: Reach,
    },
}

impl Layout<'_> {
    /// A node of `kind` with `supply`.
    fn node(&mut self, kind: NodeKind, b: f64) -> Result<NodeIndex, NetworkError> {
        match self {
            Layout::Build { graph, supply, .. } => {
                supply.push(b);
                Ok(graph.add_node(kind))
            }
            Layout::Count { nodes, .. } => {
                *nodes += 1;
                Ok(NodeIndex::new(*nodes - 1))
            }
            Layout::Refresh { graph, supply, .. } => {
                let n = NodeIndex::new(supply.len());
                match graph.node_weight(n) {
                    Some(&built) if built == kind => {
                        supply.push(b);
                        Ok(n)
                    }
                    built => Err(NetworkError::TopologyChanged(format!(
                        "node {} is {kind:?}, was {built:?}",
                        n.index()
                    ))),
                }
            }
        }
    }

    /// An arc `from` → `to` (not a transport arc).
    fn arc(
        &mut self,
        from: NodeIndex,
        to: NodeIndex,
        kind: ArcKind,
        capacity: Option<f64>,
        econ: econ::Econ,
    ) -> Result<(), NetworkError> {
        self.arc_in_reach(from, to, kind, capacity, econ, &[])
    }

    /// Whether transport arcs are laid out one per mode in reach.
    fn per_mode(&self) -> bool {
        matches!(self, Layout::Build { per_mode: true, .. })
    }

    /// An arc `from` → `to` with its modes in reach (none for an arc that is not a transport
    /// arc).
    fn arc_in_reach(
        &mut self,
        from: NodeIndex,
        to: NodeIndex,
        kind: ArcKind,
        capacity: Option<f64>,
        econ: econ::Econ,
        modes: &[(ModeId, f64)],
    ) -> Result<(), NetworkError> {
        let arc = Arc {
            kind,
            capacity,
            econ,
        };
        match self {
            Layout::Build { graph, reach, .. } => {
                reach.push(modes);
                graph.add_edge(from, to, arc);
                Ok(())
            }
            Layout::Count { arcs, .. } => {
                *arcs += 1;
                Ok(())
            }
            Layout::Refresh {
                graph, arcs, reach, ..
            } => {
                let e = EdgeIndex::new(*arcs);
                let built = graph
                    .edge_endpoints(e)
                    .map(|(s, t)| (s, t, graph[e].kind.topology()));
                if built == Some((from, to, kind.topology())) {
                    graph[e] = arc;
                    reach.push(modes);
                    *arcs += 1;
                    Ok(())
                } else {
                    Err(NetworkError::TopologyChanged(format!(
                        "arc {} is {kind:?} from node {} to {}, was {built:?}",
                        *arcs,
                        from.index(),
                        to.index()
                    )))
                }
            }
        }
    }
}

/// The nodes the layers connect, and those the network keeps.
pub(super) struct Nodes {
    pub producer: Vec<NodeIndex>,
    pub stockpile: Vec<Option<NodeIndex>>,
    pub consumer: Vec<NodeIndex>,
    pub intake: Vec<Vec<NodeIndex>>,
    /// Per consumer: its intake groups' nodes.
    pub group: Vec<Vec<NodeIndex>>,
    pub sink: NodeIndex,
    /// Per class (solid, hydrogen).
    pub disposal: [NodeIndex; 2],
    /// Per class (solid, hydrogen).
    pub kept: [NodeIndex; 2],
    /// Per park: its compliant landfill, where its capacity is limited.
    pub landfill: Vec<Option<NodeIndex>>,
}

const CLASSES: [MaterialClass; 2] = [MaterialClass::Solid, MaterialClass::Hydrogen];

fn class_ix(c: MaterialClass) -> usize {
    if c == MaterialClass::Solid {
        0
    } else {
        1
    }
}

/// Every node and arc of `region`'s network, in index order.
pub(super) fn lay_out(region: &Region, out: &mut Layout) -> Result<Nodes, NetworkError> {
    let (producer, stockpile) = sources(region, out)?;
    let (consumer, intake, group) = users(region, out)?;
    let sink = out.node(NodeKind::Sink, 0.0)?;
    let disposal = [
        out.node(NodeKind::Disposal(CLASSES[0]), 0.0)?,
        out.node(NodeKind::Disposal(CLASSES[1]), 0.0)?,
    ];
    let kept = [
        out.node(NodeKind::StockKept(CLASSES[0]), 0.0)?,
        out.node(NodeKind::StockKept(CLASSES[1]), 0.0)?,
    ];
    let landfill = landfills(region, out, disposal[0])?;
    let nodes = Nodes {
        producer,
        stockpile,
        consumer,
        intake,
        group,
        sink,
        disposal,
        kept,
        landfill,
    };
    transport(region, out, &nodes)?;
    use_and_capacity(region, out, &nodes)?;
    disposal_and_kept(region, out, &nodes)?;
    outlets(out, &nodes)?;
    Ok(nodes)
}

/// Producers (supply: the year's generation), then legacy stockpiles (supply: the stockpile).
fn sources(
    region: &Region,
    out: &mut Layout,
) -> Result<(Vec<NodeIndex>, Vec<Option<NodeIndex>>), NetworkError> {
    let producer = region
        .producers
        .iter()
        .enumerate()
        .map(|(i, p)| out.node(NodeKind::Producer(ProducerId(i)), p.quantity))
        .collect::<Result<_, _>>()?;
    let stockpile = region
        .producers
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (p.stockpile > 0.0)
                .then(|| out.node(NodeKind::Stockpile(ProducerId(i)), p.stockpile))
                .transpose()
        })
        .collect::<Result<_, _>>()?;
    Ok((producer, stockpile))
}

/// Each consumer followed by its intakes, then its intake groups.
#[allow(clippy::type_complexity)]
fn users(
    region: &Region,
    out: &mut Layout,
) -> Result<(Vec<NodeIndex>, Vec<Vec<NodeIndex>>, Vec<Vec<NodeIndex>>), NetworkError> {
    let mut consumer = Vec::with_capacity(region.consumers.len());
    let mut intake = Vec::with_capacity(region.consumers.len());
    let mut group = Vec::with_capacity(region.consumers.len());
    for (ci, c) in region.consumers.iter().enumerate() {
        let cid = ConsumerId(ci);
        consumer.push(out.node(NodeKind::Consumer(cid), 0.0)?);
        intake.push(
            (0..c.intakes.len())
                .map(|k| out.node(NodeKind::Intake(cid, k), 0.0))
                .collect::<Result<_, _>>()?,
        );
        group.push(
            (0..c.groups.len())
                .map(|g| out.node(NodeKind::Group(cid, g), 0.0))
                .collect::<Result<_, _>>()?,
        );
    }
    Ok((consumer, intake, group))
}

/// Compliant landfills of parks or sub-blocks with a limited capacity, each with its limit
/// arc into the solids' disposal, in park id order.
fn landfills(
    region: &Region,
    out: &mut Layout,
    solid_disposal: NodeIndex,
) -> Result<Vec<Option<NodeIndex>>, NetworkError> {
    let mut landfill = vec![None; region.parks.len()];
    // In park id order: the network does not depend on the order parks were declared in.
    let mut order: Vec<usize> = (0..region.parks.len()).collect();
    order.sort_by(|&a, &b| region.parks[a].id.cmp(&region.parks[b].id));
    for pi in order {
        let park = &region.parks[pi];
        if let Some(cap) = park.landfill_capacity {
            let n = out.node(NodeKind::Landfill(ParkId(pi)), 0.0)?;
            landfill[pi] = Some(n);
            let kind = ArcKind::LandfillLimit { park: ParkId(pi) };
            out.arc(n, solid_disposal, kind, Some(cap), econ::Econ::default())?;
        }
    }
    Ok(landfill)
}

/// Transport arcs, in a fixed order: producer, then stockpile, consumer, intake; one per
/// accepted intake with at least one mode in reach (carrying the material within the mode's
/// `max_km` or on a dedicated link), carrying the cheapest of them
/// ([`econ::cheapest_transport`]). (The tests' oracle lays out one per mode in reach, in mode
/// order.)
fn transport(region: &Region, out: &mut Layout, nodes: &Nodes) -> Result<(), NetworkError> {
    if let Layout::Count { arcs, .. } = out {
        *arcs += transport_count(region);
        return Ok(());
    }
    let pol = &region.policy;
    let dist = region.distance_matrices();
    let per_mode = out.per_mode();
    let mut modes: Vec<(ModeId, f64)> = Vec::with_capacity(region.modes.len());
    for (pi, p) in region.producers.iter().enumerate() {
        let pid = ProducerId(pi);
        let sources = [
            Some((Source::Generation(pid), nodes.producer[pi])),
            nodes.stockpile[pi].map(|n| (Source::Stockpile(pid), n)),
        ];
        for (source, from) in sources.into_iter().flatten() {
            let from_stockpile = matches!(source, Source::Stockpile(_));
            for (ci, c) in region.consumers.iter().enumerate() {
                for (k, intake) in c.intakes.iter().enumerate() {
                    if !region.accepts(p, intake) {
                        continue;
                    }
                    modes.clear();
                    modes.extend((0..region.modes.len()).filter_map(|mi| {
                        mode_km(region, &dist, p, c, mi).map(|km| (ModeId(mi), km))
                    }));
                    let arcs = if per_mode {
                        modes.len()
                    } else {
                        usize::from(!modes.is_empty())
                    };
                    for i in 0..arcs {
                        let reach = if per_mode { &modes[i..=i] } else { &modes[..] };
                        let (mode, km, e) =
                            econ::cheapest_transport(pol, p, &region.modes, reach, from_stockpile);
                        let kind = ArcKind::Transport {
                            source,
                            consumer: ConsumerId(ci),
                            intake: k,
                            mode,
                            km,
                        };
                        let to = nodes.intake[ci][k];
                        out.arc_in_reach(from, to, kind, None, e, reach)?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// The km by mode `mi` from `p`'s park to `c`'s, when the mode carries `p`'s material and
/// reaches: a dedicated link's km, else the distance if within the mode's `max_km`.
fn mode_km(
    region: &Region,
    dist: &[ndarray::Array2<f64>],
    p: &Producer,
    c: &Consumer,
    mi: usize,
) -> Option<f64> {
    let mode = &region.modes[mi];
    if !region.mode_carries(mode, p.material) {
        return None;
    }
    let km = dist[mi][[p.park.0, c.park.0]];
    region
        .link_km(p.park, c.park, ModeId(mi))
        .or((km <= mode.max_km).then_some(km))
}

/// The number of arcs [`transport`] lays out (one per accepted source–intake pair with a mode
/// in reach), counted by classes: producers of one [`Region::lot_key`] (each with its
/// generation and, if any, its stockpile as sources) against intakes of one
/// [`Region::intake_key`], one acceptance and reach test per pair of classes. Memory is linear
/// in the input whatever the number of pairs.
pub(super) fn transport_count(region: &Region) -> usize {
    use std::collections::HashMap;
    let dist = region.distance_matrices();
    // Per lot class: a representative producer and its sources (generation + stockpiles).
    let mut lots: HashMap<LotKey, (usize, usize)> = HashMap::new();
    for (pi, p) in region.producers.iter().enumerate() {
        let e = lots.entry(region.lot_key(p)).or_insert((pi, 0));
        e.1 += 1 + usize::from(p.stockpile > 0.0);
    }
    // Per material: its intake classes, each with a representative and its count.
    let mut intakes: HashMap<IntakeKey, ((usize, usize), usize)> = HashMap::new();
    for (ci, c) in region.consumers.iter().enumerate() {
        for (k, i) in c.intakes.iter().enumerate() {
            intakes
                .entry(region.intake_key(c, i))
                .or_insert(((ci, k), 0))
                .1 += 1;
        }
    }
    // (consumer, intake) of a class's representative, and the class's size.
    type Class = ((usize, usize), usize);
    let mut by_material: HashMap<MaterialId, Vec<Class>> = HashMap::new();
    for (key, v) in intakes {
        by_material.entry(key.1).or_default().push(v);
    }
    let mut total = 0usize;
    for (_, (pi, sources)) in lots {
        let p = &region.producers[pi];
        let Some(classes) = by_material.get(&p.material) else {
            continue;
        };
        for &((ci, k), n) in classes {
            let c = &region.consumers[ci];
            if !region.accepts(p, &c.intakes[k]) {
                continue;
            }
            let in_reach =
                (0..region.modes.len()).any(|mi| mode_km(region, &dist, p, c, mi).is_some());
            if in_reach {
                total += sources * n;
            }
        }
    }
    total
}

/// Per consumer: its intakes' use arcs (blend limit, economics of use; into the intake's
/// group if it has one), its groups' limits, then its capacity in force.
fn use_and_capacity(region: &Region, out: &mut Layout, nodes: &Nodes) -> Result<(), NetworkError> {
    for (ci, c) in region.consumers.iter().enumerate() {
        let consumer = ConsumerId(ci);
        for (k, intake) in c.intakes.iter().enumerate() {
            let kind = ArcKind::Use {
                consumer,
                intake: k,
            };
            let e = econ::use_of(&region.policy, c, intake);
            let to = intake
                .group
                .map_or(nodes.consumer[ci], |g| nodes.group[ci][g]);
            let limit = region.intake_limit(c, intake);
            out.arc(nodes.intake[ci][k], to, kind, limit, e)?;
        }
        for (g, group) in c.groups.iter().enumerate() {
            let kind = ArcKind::GroupLimit { consumer, group: g };
            let limit = region.group_limit(c, group);
            let e = econ::Econ::default();
            out.arc(nodes.group[ci][g], nodes.consumer[ci], kind, limit, e)?;
        }
        let kind = ArcKind::Capacity { consumer };
        let e = econ::Econ::default();
        let cap = region.capacity_in_force(c);
        out.arc(nodes.consumer[ci], nodes.sink, kind, Some(cap), e)?;
    }
    Ok(())
}

/// Per producer: storage (into its landfill, with dumping beside it where the landfill is
/// limited and the policy allows dumping; else straight into disposal), then its stockpile
/// kept.
fn disposal_and_kept(region: &Region, out: &mut Layout, nodes: &Nodes) -> Result<(), NetworkError> {
    let pol = &region.policy;
    for (pi, p) in region.producers.iter().enumerate() {
        let producer = ProducerId(pi);
        let from = nodes.producer[pi];
        let mat = &region.materials[p.material.0];
        let cls = class_ix(mat.class);
        let store = econ::store(pol, mat);
        // A producer's waste goes to its own sub-block's landfill if that is limited, else
        // to its consolidated park's; storage is unlimited otherwise.
        let own = nodes.landfill[region.landfill_park(p.park).0];
        match own.filter(|_| mat.class == MaterialClass::Solid) {
            Some(lf) => {
                out.arc(from, lf, ArcKind::Store { producer }, None, store)?;
                // Dumping only where the scenario allows it (`[policy] allow_dumping`).
                if pol.allow_dumping {
                    let dump = econ::dump(pol, mat);
                    let to = nodes.disposal[cls];
                    out.arc(from, to, ArcKind::Dump { producer }, None, dump)?;
                }
            }
            None => {
                let to = nodes.disposal[cls];
                out.arc(from, to, ArcKind::Store { producer }, None, store)?;
            }
        }
        if let Some(sn) = nodes.stockpile[pi] {
            let kind = ArcKind::Keep { producer };
            out.arc(sn, nodes.kept[cls], kind, None, econ::Econ::default())?;
        }
    }
    Ok(())
}

/// Per class: disposal → sink and kept → sink.
fn outlets(out: &mut Layout, nodes: &Nodes) -> Result<(), NetworkError> {
    for (i, &c) in CLASSES.iter().enumerate() {
        let none = econ::Econ::default();
        out.arc(
            nodes.disposal[i],
            nodes.sink,
            ArcKind::DisposalOut(c),
            None,
            none,
        )?;
        out.arc(nodes.kept[i], nodes.sink, ArcKind::KeptOut(c), None, none)?;
    }
    Ok(())
}
