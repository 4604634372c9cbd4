//! `network`: the symbiosis graph (petgraph), built once from a [`Region`] and read-only after.
//!
//! Layers: producer (and legacy stockpile) → transport arcs (one per accepted intake and mode
//! within the mode's `max_km`) → consumer intake (blend limit) → consumer (capacity) → sink;
//! plus disposal: producer → park landfill (compliant, capacity-limited) → disposal, and
//! producer → disposal directly (non-compliant dumping, taxed) where a park's landfill is
//! limited; stockpile → kept (not drawn). Solids and hydrogen never share a node but the sink.

use crate::model::*;
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
    Transport {
        source: Source,
        consumer: ConsumerId,
        intake: usize,
        mode: ModeId,
        km: f64,
    },
    /// Intake → consumer: the blend limit, and the per-material economics of use.
    Use { consumer: ConsumerId, intake: usize },
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
}

/// Money by component, yuan (per unit on an arc; per year once multiplied by flows).
/// Positive components are costs; `gate_revenue` and `subsidy` are received.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Costs {
    pub transport: f64,
    pub handling: f64,
    pub reclaim: f64,
    pub processing: f64,
    pub gate_revenue: f64,
    pub subsidy: f64,
    pub storage: f64,
    pub env_tax: f64,
    /// Carbon price × (transport CO2 − CO2 avoided).
    pub carbon: f64,
}

impl Costs {
    /// The net cost: the objective's definition, in one place.
    pub fn total(&self) -> f64 {
        self.transport + self.handling + self.reclaim + self.processing
            - self.gate_revenue
            - self.subsidy
            + self.storage
            + self.env_tax
            + self.carbon
    }

    /// Adds `x` times `o`, component by component.
    pub fn add_scaled(&mut self, o: &Costs, x: f64) {
        self.transport += o.transport * x;
        self.handling += o.handling * x;
        self.reclaim += o.reclaim * x;
        self.processing += o.processing * x;
        self.gate_revenue += o.gate_revenue * x;
        self.subsidy += o.subsidy * x;
        self.storage += o.storage * x;
        self.env_tax += o.env_tax * x;
        self.carbon += o.carbon * x;
    }
}

/// Per-unit economics of an arc: money per material unit and CO2.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Econ {
    pub costs: Costs,
    /// t CO2 emitted per unit by transport.
    pub co2_transport_t: f64,
    /// t CO2 avoided per unit by use.
    pub co2_avoided_t: f64,
}

impl Econ {
    /// Total cost per unit, yuan.
    pub fn total(&self) -> f64 {
        self.costs.total()
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

/// The built network. Arc `i` of the flat problem is edge `i` of `graph`.
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
}

/// Errors of the network layer.
#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    #[error("the region has no producers")]
    NoProducers,
}

impl Network {
    /// Arcs in index order with their endpoints.
    pub fn arcs(&self) -> impl Iterator<Item = (usize, NodeIndex, NodeIndex, &Arc)> {
        self.graph
            .edge_references()
            .map(|e| (e.id().index(), e.source(), e.target(), e.weight()))
    }

    /// The node collecting all disposal of `class`.
    pub fn disposal_node(&self, class: MaterialClass) -> NodeIndex {
        match class {
            MaterialClass::Solid => self.disposal_nodes[0],
            MaterialClass::Hydrogen => self.disposal_nodes[1],
        }
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn arc_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// Builds the network of `region`.
    pub fn build(region: &Region) -> Result<Network, NetworkError> {
        if region.producers.is_empty() {
            return Err(NetworkError::NoProducers);
        }
        let pol = &region.policy;
        let mut g: DiGraph<NodeKind, Arc> = DiGraph::new();
        let mut supply = Vec::new();
        let mut add_node = |g: &mut DiGraph<NodeKind, Arc>, k: NodeKind, b: f64| {
            supply.push(b);
            g.add_node(k)
        };
        let arc = |kind, capacity, econ| Arc {
            kind,
            capacity,
            econ,
        };

        // Producers and stockpiles.
        let producer_node: Vec<NodeIndex> = region
            .producers
            .iter()
            .enumerate()
            .map(|(i, p)| add_node(&mut g, NodeKind::Producer(ProducerId(i)), p.quantity))
            .collect();
        let stockpile_node: Vec<Option<NodeIndex>> = region
            .producers
            .iter()
            .enumerate()
            .map(|(i, p)| {
                (p.stockpile > 0.0)
                    .then(|| add_node(&mut g, NodeKind::Stockpile(ProducerId(i)), p.stockpile))
            })
            .collect();

        // Consumers and their intakes.
        let mut consumer_node = Vec::new();
        let mut intake_node: Vec<Vec<NodeIndex>> = Vec::new();
        for (ci, c) in region.consumers.iter().enumerate() {
            let cid = ConsumerId(ci);
            let cn = add_node(&mut g, NodeKind::Consumer(cid), 0.0);
            consumer_node.push(cn);
            intake_node.push(
                (0..c.intakes.len())
                    .map(|k| add_node(&mut g, NodeKind::Intake(cid, k), 0.0))
                    .collect(),
            );
        }
        let sink = add_node(&mut g, NodeKind::Sink, 0.0);
        let classes = [MaterialClass::Solid, MaterialClass::Hydrogen];
        let disposal: Vec<NodeIndex> = classes
            .iter()
            .map(|&c| add_node(&mut g, NodeKind::Disposal(c), 0.0))
            .collect();
        let kept: Vec<NodeIndex> = classes
            .iter()
            .map(|&c| add_node(&mut g, NodeKind::StockKept(c), 0.0))
            .collect();
        let class_ix = |c: MaterialClass| if c == MaterialClass::Solid { 0 } else { 1 };
        // Compliant landfills of parks or sub-blocks with a limited capacity.
        let mut landfill: Vec<Option<NodeIndex>> = vec![None; region.parks.len()];
        for (pi, park) in region.parks.iter().enumerate() {
            if let Some(cap) = park.landfill_capacity {
                let n = add_node(&mut g, NodeKind::Landfill(ParkId(pi)), 0.0);
                landfill[pi] = Some(n);
                let kind = ArcKind::LandfillLimit { park: ParkId(pi) };
                g.add_edge(n, disposal[0], arc(kind, Some(cap), Econ::default()));
            }
        }

        // Transport arcs, in a fixed order: producer, then stockpile, consumer, intake, mode.
        let dist: Vec<_> = (0..region.modes.len())
            .map(|m| region.distance_matrix(ModeId(m)))
            .collect();
        for (pi, p) in region.producers.iter().enumerate() {
            let pid = ProducerId(pi);
            let sources = [
                Some((Source::Generation(pid), producer_node[pi])),
                stockpile_node[pi].map(|n| (Source::Stockpile(pid), n)),
            ];
            for (source, from) in sources.into_iter().flatten() {
                for (ci, c) in region.consumers.iter().enumerate() {
                    for (k, intake) in c.intakes.iter().enumerate() {
                        if !region.accepts(p, intake) {
                            continue;
                        }
                        for (mi, mode) in region.modes.iter().enumerate() {
                            if !region.mode_carries(mode, p.material) {
                                continue;
                            }
                            let km = dist[mi][[p.park.0, c.park.0]];
                            if km > mode.max_km {
                                continue;
                            }
                            let co2_transport_t = mode.co2_kg_per_unit_km * km / 1000.0;
                            let costs = Costs {
                                transport: mode.cost_per_unit_km
                                    * km
                                    * pol.transport_cost_multiplier,
                                handling: mode.handling_per_unit * pol.transport_cost_multiplier,
                                reclaim: if matches!(source, Source::Stockpile(_)) {
                                    p.reclaim_cost
                                } else {
                                    0.0
                                },
                                carbon: pol.carbon_price * co2_transport_t,
                                ..Costs::default()
                            };
                            let econ = Econ {
                                costs,
                                co2_transport_t,
                                ..Econ::default()
                            };
                            let kind = ArcKind::Transport {
                                source,
                                consumer: ConsumerId(ci),
                                intake: k,
                                mode: ModeId(mi),
                                km,
                            };
                            g.add_edge(from, intake_node[ci][k], arc(kind, None, econ));
                        }
                    }
                }
            }
        }

        // Use and capacity arcs.
        for (ci, c) in region.consumers.iter().enumerate() {
            let subsidy = pol.route_subsidy.get(&c.route).copied().unwrap_or(0.0);
            for (k, intake) in c.intakes.iter().enumerate() {
                let costs = Costs {
                    processing: c.processing_cost,
                    gate_revenue: intake.gate_price,
                    subsidy,
                    carbon: -pol.carbon_price * intake.co2_avoided_per_unit,
                    ..Costs::default()
                };
                let econ = Econ {
                    costs,
                    co2_avoided_t: intake.co2_avoided_per_unit,
                    ..Econ::default()
                };
                let kind = ArcKind::Use {
                    consumer: ConsumerId(ci),
                    intake: k,
                };
                g.add_edge(
                    intake_node[ci][k],
                    consumer_node[ci],
                    arc(kind, intake.max, econ),
                );
            }
            g.add_edge(
                consumer_node[ci],
                sink,
                arc(
                    ArcKind::Capacity {
                        consumer: ConsumerId(ci),
                    },
                    Some(c.capacity),
                    Econ::default(),
                ),
            );
        }

        // Disposal and stockpiles kept.
        for (pi, p) in region.producers.iter().enumerate() {
            let pid = ProducerId(pi);
            let mat = &region.materials[p.material.0];
            let cls = class_ix(mat.class);
            let storage = mat.storage_cost * pol.storage_cost_multiplier;
            let store = Econ {
                costs: Costs {
                    storage,
                    ..Costs::default()
                },
                ..Econ::default()
            };
            // A producer's waste goes to its own sub-block's landfill if that is limited, else
            // to its consolidated park's; storage is unlimited otherwise.
            let own = landfill[p.park.0]
                .or_else(|| region.parks[p.park.0].parent.and_then(|q| landfill[q.0]));
            match own.filter(|_| mat.class == MaterialClass::Solid) {
                Some(lf) => {
                    g.add_edge(
                        producer_node[pi],
                        lf,
                        arc(ArcKind::Store { producer: pid }, None, store),
                    );
                    let costs = Costs {
                        storage,
                        env_tax: mat.env_tax * pol.env_tax_multiplier,
                        ..Costs::default()
                    };
                    let dump = Econ {
                        costs,
                        ..Econ::default()
                    };
                    g.add_edge(
                        producer_node[pi],
                        disposal[cls],
                        arc(ArcKind::Dump { producer: pid }, None, dump),
                    );
                }
                None => {
                    g.add_edge(
                        producer_node[pi],
                        disposal[cls],
                        arc(ArcKind::Store { producer: pid }, None, store),
                    );
                }
            }
            if let Some(sn) = stockpile_node[pi] {
                g.add_edge(
                    sn,
                    kept[cls],
                    arc(ArcKind::Keep { producer: pid }, None, Econ::default()),
                );
            }
        }
        for (i, &c) in classes.iter().enumerate() {
            g.add_edge(
                disposal[i],
                sink,
                arc(ArcKind::DisposalOut(c), None, Econ::default()),
            );
            g.add_edge(
                kept[i],
                sink,
                arc(ArcKind::KeptOut(c), None, Econ::default()),
            );
        }
        let total: f64 = supply.iter().sum();
        supply[sink.index()] = -total;
        Ok(Network {
            graph: g,
            supply,
            sink,
            producer_node,
            stockpile_node,
            consumer_node,
            disposal_nodes: [disposal[0], disposal[1]],
        })
    }
}
