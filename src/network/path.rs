//! The time-expanded network of a path (`docs/path.md`): one copy of every year's network,
//! joined by the arcs that carry a legacy stock and share a landfill's room between years.
//!
//! Layout of the joint network: year t's nodes and arcs come first, in year order, each at an
//! offset ([`PathNetwork::node_offset`], [`PathNetwork::arc_offset`]: node v of year t is
//! joint node `node_offset[t] + v`, and the same for arcs); then the link nodes and arcs; the
//! joint sink is the last node. Every year's sink becomes an ordinary node closed into the
//! joint sink by one arc. A linked stock is a **reservoir** node per year (the stock at the
//! start of that year): its first supplies the stock; a **draw** arc (capacity: the year's
//! `stockpile`, the per-year drawing limit) feeds the year's stockpile node (its own supply
//! and its "kept" arc set to zero), a **carry** arc takes the rest to the next year's
//! reservoir, and the last year's goes to the sink as the path's kept stock (the objective's
//! "most stockpile drawn" acts on it). A linked landfill is one **room** node: every year's
//! landfill-limit arc ends there instead of at the year's disposal, and one arc of the room's
//! capacity takes it on to the last year's disposal. Every arc keeps a pure network flow, so
//! the allocation's phases, certificate and canonical rule apply unchanged.

use super::canonical::path_key;
use super::{Arc, ArcKind, Econ, Network, NodeKind, Reach, Scratch, TopologyId};
use crate::model::path::Path;
use crate::model::*;
use petgraph::graph::{DiGraph, NodeIndex};

/// The arcs of one linked stock, joint arc indices by year index.
#[derive(Debug, Clone, PartialEq)]
pub struct StockArcs {
    /// Reservoir → the year's stockpile node (None where the year has no drawing).
    pub draw: Vec<Option<usize>>,
    /// Reservoir of year t → reservoir of t + 1 (the last: → sink, the kept stock).
    pub carry: Vec<usize>,
}

/// The arcs of one linked landfill's room.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomArcs {
    /// Each year's landfill-limit arc (joint index): what the year stores in the landfill.
    pub stored: Vec<usize>,
    /// Room → the last year's disposal: its capacity is the room.
    pub out: usize,
}

/// A path's joint network, its years' own networks and how they map onto it.
#[derive(Debug, Clone)]
pub struct PathNetwork {
    /// The joint network: solve it; it has no rate groups (the years' views have them).
    pub joint: Network,
    /// Each year's network, built from [`Path::regions_to_build`].
    pub years: Vec<Network>,
    pub node_offset: Vec<usize>,
    pub arc_offset: Vec<usize>,
    /// By [`Path::stockpiles`] order.
    pub stocks: Vec<StockArcs>,
    /// By [`Path::landfills`] order.
    pub rooms: Vec<RoomArcs>,
}

impl PathNetwork {
    /// Builds every year's network and the joint network.
    pub fn build(path: &Path) -> Result<PathNetwork, super::NetworkError> {
        let regions = path.regions_to_build();
        // Each year's build on its own (in the caller's thread pool), gathered in year order.
        use rayon::prelude::*;
        let years = regions
            .par_iter()
            .map(Network::build)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(join(path, &regions, years))
    }

    /// Linked stock `i` year by year, from the joint solution (flow units: `flow` per arc,
    /// `upper` the joint problem's bounds, `supply` its supplies).
    pub fn stock_years(
        &self,
        i: usize,
        flow: &[i64],
        upper: &[i64],
        supply: &[i64],
    ) -> Vec<StockYear> {
        let s = &self.stocks[i];
        let mut start = supply[self.reservoir(i, 0)];
        (0..self.years.len())
            .map(|t| {
                let (limit, drawn) = s.draw[t].map_or((0, 0), |a| (upper[a], flow[a]));
                let end = flow[s.carry[t]];
                let y = StockYear {
                    start,
                    limit,
                    drawn,
                    end,
                };
                start = end;
                y
            })
            .collect()
    }

    /// Linked landfill `i` year by year (flow units, as [`PathNetwork::stock_years`]).
    pub fn room_years(&self, i: usize, flow: &[i64], upper: &[i64]) -> Vec<RoomYear> {
        let r = &self.rooms[i];
        let mut start = upper[r.out];
        (0..self.years.len())
            .map(|t| {
                let off = self.arc_offset[t];
                let end = off + self.years[t].arc_count();
                let stored: i64 = r
                    .stored
                    .iter()
                    .filter(|&&a| (off..end).contains(&a))
                    .map(|&a| flow[a])
                    .sum();
                let y = RoomYear {
                    start,
                    stored,
                    end: start - stored,
                };
                start -= stored;
                y
            })
            .collect()
    }

    /// Year `t` as a year run alone would show it, from the joint solution (flow units, as
    /// [`PathNetwork::stock_years`]; `quantity`: material units per flow unit): the year's
    /// network with each linked stockpile's supply the stock it could draw this year (its
    /// per-year limit or the stock left, the smaller) and each linked landfill's capacity the
    /// room left at the start of the year (or its per-year limit, the smaller); and the year's
    /// flows: its arcs' as they are, a linked stockpile's undrawn part on its "kept" arc, and
    /// every disposal and kept outlet re-closed at its node (in the joint network storage in a
    /// linked landfill and a linked stock leave the year through the link arcs).
    pub fn year_view(
        &self,
        t: usize,
        flow: &[i64],
        upper: &[i64],
        supply: &[i64],
        quantity: f64,
    ) -> (Network, Vec<i64>) {
        let mut net = self.years[t].clone();
        let off = self.arc_offset[t];
        let mut year = flow[off..off + net.arc_count()].to_vec();
        let mut available = Vec::new();
        for i in 0..self.stocks.len() {
            let y = &self.stock_years(i, flow, upper, supply)[t];
            if let Some(a) = self.stocks[i].draw[t] {
                // The draw arc ends at the year's stockpile node.
                let node = self.joint.graph.raw_edges()[a].target().index() - self.node_offset[t];
                let avail = y.limit.min(y.start);
                net.supply[node] = avail as f64 * quantity;
                available.push((node, avail - y.drawn));
            }
        }
        for i in 0..self.rooms.len() {
            let y = &self.room_years(i, flow, upper)[t];
            for &a in &self.rooms[i].stored {
                if (off..off + net.arc_count()).contains(&a) {
                    let w = &mut net.graph[petgraph::graph::EdgeIndex::new(a - off)];
                    let left = y.start as f64 * quantity;
                    w.capacity = Some(w.capacity.map_or(left, |c| c.min(left)));
                }
            }
        }
        for (a, s, _, arc) in self.years[t].arcs() {
            if let ArcKind::Keep { .. } = arc.kind {
                if let Some(&(_, kept)) = available.iter().find(|&&(n, _)| n == s.index()) {
                    year[a] = kept;
                }
            }
        }
        for (a, s, _, arc) in self.years[t].arcs() {
            if matches!(arc.kind, ArcKind::DisposalOut(_) | ArcKind::KeptOut(_)) {
                year[a] = net
                    .graph
                    .edges_directed(s, petgraph::Direction::Incoming)
                    .map(|e| year[petgraph::visit::EdgeRef::id(&e).index()])
                    .sum();
            }
        }
        let sink = net.sink.index();
        net.supply[sink] = 0.0;
        let total: f64 = net.supply.iter().sum();
        net.supply[sink] = -total;
        (net, year)
    }

    /// Joint node of reservoir `i` in year `t`.
    fn reservoir(&self, i: usize, t: usize) -> usize {
        let year_nodes: usize = self.years.iter().map(Network::node_count).sum();
        year_nodes + i * self.years.len() + t
    }
}

/// One linked stock in one year, flow units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockYear {
    /// In the stock at the start of the year.
    pub start: i64,
    /// The year's drawing limit (the scenario's `stockpile` that year).
    pub limit: i64,
    pub drawn: i64,
    /// Left at the end of the year.
    pub end: i64,
}

/// One linked landfill in one year, flow units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoomYear {
    /// Room left at the start of the year.
    pub start: i64,
    pub stored: i64,
    /// Room left at the end of the year.
    pub end: i64,
}

fn zero_arc(capacity: Option<f64>) -> Arc {
    Arc {
        kind: ArcKind::Carry,
        capacity,
        econ: Econ::default(),
    }
}

fn join(path: &Path, regions: &[Region], years: Vec<Network>) -> PathNetwork {
    let arcs: usize = years.iter().map(Network::arc_count).sum::<usize>()
        + years.len() * (1 + 2 * path.stockpiles.len())
        + path.landfills.len()
        + 4;
    let nodes: usize = years.iter().map(Network::node_count).sum::<usize>()
        + years.len() * path.stockpiles.len()
        + path.landfills.len()
        + 5;
    let mut graph: DiGraph<NodeKind, Arc> = DiGraph::with_capacity(nodes, arcs);
    let mut supply = Vec::with_capacity(nodes);
    let mut reach = Reach::new();
    reach.start.reserve(arcs);
    let mut keys = Vec::with_capacity(arcs);
    let mut scale = Vec::with_capacity(arcs);
    let (mut node_offset, mut arc_offset) = (Vec::new(), Vec::new());
    let last = years.len() - 1;
    let year_nodes: usize = years.iter().map(Network::node_count).sum();
    // Link nodes after the years': reservoirs (stock, then year), rooms, the joint sink.
    let reservoir = |i: usize, t: usize| year_nodes + i * years.len() + t;
    let room = |i: usize| year_nodes + path.stockpiles.len() * years.len() + i;
    // One disposal and one kept outlet per class over all years (solid, hydrogen), so that the
    // lexicographic phases cap each class's total, as in a single year, not each year's share
    // (a year's share may move: storage in a linked landfill ends in the last year's disposal).
    let outlet = |kept: bool, c: MaterialClass| {
        room(path.landfills.len())
            + 2 * usize::from(kept)
            + usize::from(c == MaterialClass::Hydrogen)
    };
    let joint_sink = room(path.landfills.len()) + 4;
    let linked_stock = |t: usize, p: ProducerId| {
        years[t].stockpile_node[p.0].is_some() && path.stockpiles.iter().any(|s| s.index[t] == p)
    };
    let linked_park =
        |t: usize, park: ParkId| path.landfills.iter().position(|l| l.index[t] == park);
    let mut stored: Vec<Vec<usize>> = vec![Vec::new(); path.landfills.len()];
    let mut staged = Vec::with_capacity(arcs);
    for (t, net) in years.iter().enumerate() {
        let (no, ao) = (graph.node_count(), staged.len());
        node_offset.push(no);
        arc_offset.push(ao);
        for (v, &kind) in net.graph.node_weights().enumerate() {
            graph.add_node(kind);
            supply.push(match kind {
                NodeKind::Sink => 0.0,
                NodeKind::Stockpile(p) if linked_stock(t, p) => 0.0,
                _ => net.supply[v],
            });
        }
        for (a, s, h, arc) in net.arcs() {
            let mut arc = *arc;
            let mut head = no + h.index();
            match arc.kind {
                ArcKind::Keep { producer } if linked_stock(t, producer) => {
                    arc.capacity = Some(0.0);
                }
                ArcKind::LandfillLimit { park } => {
                    if let Some(i) = linked_park(t, park) {
                        head = room(i);
                        stored[i].push(ao + a);
                    }
                }
                ArcKind::DisposalOut(c) => {
                    head = outlet(false, c);
                    arc.kind = ArcKind::Carry;
                }
                ArcKind::KeptOut(c) => {
                    head = outlet(true, c);
                    arc.kind = ArcKind::Carry;
                }
                _ => {}
            }
            // A head may be a link node, added below at this index: the edge waits for it.
            staged.push((no + s.index(), head, arc));
            reach.push(net.modes_in_reach(a));
            // The year's own key: the canonical rule's weights and order within a year are a
            // year run alone's, so that independent years solved jointly give each year's
            // canonical optimum (equal keys of two years are ordered by year).
            keys.push(net.tie_keys()[a]);
            scale.push(u8::try_from(t + 1).expect("at most 255 years"));
        }
    }
    // The link nodes.
    for (i, s) in path.stockpiles.iter().enumerate() {
        for t in 0..years.len() {
            let v = graph.add_node(NodeKind::Stockpile(s.index[t]));
            debug_assert_eq!(v.index(), reservoir(i, t));
            supply.push(if t == 0 { s.stock } else { 0.0 });
        }
    }
    for (i, l) in path.landfills.iter().enumerate() {
        let v = graph.add_node(NodeKind::Landfill(l.index[last]));
        debug_assert_eq!(v.index(), room(i));
        supply.push(0.0);
    }
    for kept in [false, true] {
        for c in [MaterialClass::Solid, MaterialClass::Hydrogen] {
            let v = graph.add_node(if kept {
                NodeKind::StockKept(c)
            } else {
                NodeKind::Disposal(c)
            });
            debug_assert_eq!(v.index(), outlet(kept, c));
            supply.push(0.0);
        }
    }
    let v = graph.add_node(NodeKind::Sink);
    debug_assert_eq!(v.index(), joint_sink);
    supply.push(0.0);
    for (s, h, arc) in staged {
        graph.add_edge(NodeIndex::new(s), NodeIndex::new(h), arc);
    }
    let mut push = |s: usize, h: usize, arc: Arc, key: &[&str]| {
        let e = graph.add_edge(NodeIndex::new(s), NodeIndex::new(h), arc);
        reach.push(&[]);
        keys.push(path_key(key));
        scale.push(1);
        e.index()
    };
    // Each year's sink closed into the joint sink.
    for (t, net) in years.iter().enumerate() {
        let year = path.years[t].year.to_string();
        push(
            node_offset[t] + net.sink.index(),
            joint_sink,
            zero_arc(None),
            &["year closed", &year],
        );
    }
    let mut stocks = Vec::new();
    for (i, s) in path.stockpiles.iter().enumerate() {
        let r = &regions[last];
        let class = r.materials[r.producers[s.index[last].0].material.0].class;
        let (mut draw, mut carry) = (Vec::new(), Vec::new());
        for (t, net) in years.iter().enumerate() {
            let year = path.years[t].year.to_string();
            draw.push(net.stockpile_node[s.index[t].0].map(|v| {
                let limit = regions[t].producers[s.index[t].0].stockpile;
                push(
                    reservoir(i, t),
                    node_offset[t] + v.index(),
                    zero_arc(Some(limit)),
                    &["stock drawn", &s.producer, &year],
                )
            }));
            carry.push(if t < last {
                push(
                    reservoir(i, t),
                    reservoir(i, t + 1),
                    zero_arc(None),
                    &["stock carried", &s.producer, &year],
                )
            } else {
                push(
                    reservoir(i, t),
                    outlet(true, class),
                    zero_arc(None),
                    &["stock kept", &s.producer, &year],
                )
            });
        }
        stocks.push(StockArcs { draw, carry });
    }
    let disposal = node_offset[last] + years[last].disposal_node(MaterialClass::Solid).index();
    let mut rooms = Vec::new();
    for (i, (l, stored)) in path.landfills.iter().zip(stored).enumerate() {
        let out = push(
            room(i),
            disposal,
            zero_arc(Some(l.room)),
            &["landfill room", &l.park],
        );
        rooms.push(RoomArcs { stored, out });
    }
    for kept in [false, true] {
        for c in [MaterialClass::Solid, MaterialClass::Hydrogen] {
            let kind = if kept {
                ArcKind::KeptOut(c)
            } else {
                ArcKind::DisposalOut(c)
            };
            let arc = Arc {
                kind,
                capacity: None,
                econ: Econ::default(),
            };
            let name = if kept { "kept out" } else { "disposal out" };
            push(outlet(kept, c), joint_sink, arc, &[name, c.as_str()]);
        }
    }
    let total: f64 = supply.iter().sum();
    supply[joint_sink] = -total;
    let target = &years[path.target_index];
    let off = node_offset[path.target_index];
    let joint = Network {
        graph,
        supply,
        sink: NodeIndex::new(joint_sink),
        producer_node: Vec::new(),
        stockpile_node: Vec::new(),
        consumer_node: Vec::new(),
        disposal_nodes: target
            .disposal_nodes
            .map(|v| NodeIndex::new(off + v.index())),
        rate_groups: Vec::new(),
        reach,
        tie_keys: keys,
        tie_scale: scale,
        shape: target.shape.clone(),
        topology: TopologyId(super::fresh_topology_id()),
        mode_rates: Scratch::default(),
    };
    PathNetwork {
        joint,
        years,
        node_offset,
        arc_offset,
        stocks,
        rooms,
    }
}
