//! The value-only refresh ([`Network::refresh_values`]): new quantities, stockpiles,
//! capacities, load factors and every arc's economics written in place into the fixed
//! topology, without laying the layers out again (no acceptance, reach or distance is
//! recomputed: a transport arc keeps its modes in reach and their km, and re-picks the
//! cheapest of them). The Monte Carlo path.

use super::{econ, ArcKind, Network, NetworkError, NodeKind};
use crate::model::*;

/// What of a region fixes the network's structure beyond its nodes and arcs, checked by
/// [`Network::refresh_values`] (cheap to compare).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Shape {
    producers: usize,
    materials: usize,
    modes: usize,
    /// Per consumer: its intakes and intake groups.
    consumers: Vec<(usize, usize)>,
    /// Per park: whether its landfill is limited (has a node).
    landfill_limited: Vec<bool>,
    allow_dumping: bool,
    accounting: [bool; 5],
    scope: TargetScope,
}

impl Shape {
    pub(super) fn of(region: &Region) -> Shape {
        Shape {
            producers: region.producers.len(),
            materials: region.materials.len(),
            modes: region.modes.len(),
            consumers: region
                .consumers
                .iter()
                .map(|c| (c.intakes.len(), c.groups.len()))
                .collect(),
            landfill_limited: region
                .parks
                .iter()
                .map(|p| p.landfill_capacity.is_some())
                .collect(),
            allow_dumping: region.policy.allow_dumping,
            accounting: region.target.accounting.counts,
            scope: region.target.scope.clone(),
        }
    }

    /// How many parks the region had.
    pub(super) fn park_count(&self) -> usize {
        self.landfill_limited.len()
    }

    /// Whether `region` has this shape, compared without allocating.
    fn matches(&self, region: &Region) -> bool {
        self.producers == region.producers.len()
            && self.materials == region.materials.len()
            && self.modes == region.modes.len()
            && self.consumers.len() == region.consumers.len()
            && self
                .consumers
                .iter()
                .zip(&region.consumers)
                .all(|(&(i, g), c)| i == c.intakes.len() && g == c.groups.len())
            && self.landfill_limited.len() == region.parks.len()
            && self
                .landfill_limited
                .iter()
                .zip(&region.parks)
                .all(|(&l, p)| l == p.landfill_capacity.is_some())
            && self.allow_dumping == region.policy.allow_dumping
            && self.accounting == region.target.accounting.counts
            && self.scope == region.target.scope
    }
}

impl Network {
    /// Writes `region`'s values into this network's fixed topology: supplies, capacities and
    /// every arc's economics (all of [`econ`](super::econ)), computed by the same functions as
    /// [`Network::build`], in place and without re-checking reach.
    ///
    /// For variants that differ from the region built only in values (quantities, stockpiles,
    /// capacities, load factors, blend limits, landfill capacities, prices, costs, taxes,
    /// subsidies, carbon price, the objective): the caller promises that grades, attributes,
    /// routes, park positions, distances, modes' reach and carried materials are those of the
    /// region built (the Monte Carlo's uncertain fields never touch them). Lists of another
    /// length, another dumping policy, accounting rule, target scope or a landfill becoming
    /// (un)limited fail with [`NetworkError::TopologyChanged`] and change nothing.
    ///
    /// Unlike [`Network::refresh`], a value of zero keeps the topology: a stockpile emptied
    /// keeps its node (supply 0) and arcs, a capacity of zero keeps its arc (bound 0). A
    /// stockpile where the network has none fails with `TopologyChanged`. Where the topology
    /// is that of `Network::build(region)`, the result equals it to the last bit.
    pub fn refresh_values(&mut self, region: &Region) -> Result<(), NetworkError> {
        if !self.shape.matches(region) {
            return Err(NetworkError::TopologyChanged(
                "lists, dumping policy, accounting rule, target scope or limited landfills \
                 differ"
                    .into(),
            ));
        }
        if let Some(i) = (0..region.producers.len())
            .find(|&i| region.producers[i].stockpile > 0.0 && self.stockpile_node[i].is_none())
        {
            return Err(NetworkError::TopologyChanged(format!(
                "producer {i} has a stockpile the network was built without"
            )));
        }
        for (b, kind) in self.supply.iter_mut().zip(self.graph.node_weights()) {
            *b = match *kind {
                NodeKind::Producer(p) => region.producers[p.0].quantity,
                NodeKind::Stockpile(p) => region.producers[p.0].stockpile,
                _ => 0.0,
            };
        }
        super::close_supply(&mut self.supply, self.sink);
        let pol = &region.policy;
        let reach = &self.reach;
        // Each mode's rates, once (the same operations as per arc: the same bits).
        let rates = &mut self.mode_rates.0;
        rates.clear();
        rates.extend(region.modes.iter().map(|m| econ::ModeRates::of(pol, m)));
        let rates = &rates[..];
        for (a, arc) in self.graph.edge_weights_mut().enumerate() {
            if let ArcKind::Transport {
                source, mode, km, ..
            } = &mut arc.kind
            {
                // The cheapest of its modes in reach, re-picked; capacity stays none.
                let p = &region.producers[source.producer().0];
                let stock = matches!(source, super::Source::Stockpile(_));
                let e;
                (*mode, *km, e) =
                    econ::cheapest_transport_at(pol, p, |m| rates[m.0], reach.of(a), stock);
                arc.econ = e;
                continue;
            }
            let (capacity, e) = match arc.kind {
                ArcKind::Transport { .. } => unreachable!("handled above"),
                ArcKind::Use { consumer, intake } => {
                    let c = &region.consumers[consumer.0];
                    let i = &c.intakes[intake];
                    (region.intake_limit(c, i), econ::use_of(pol, c, i))
                }
                ArcKind::GroupLimit { consumer, group } => {
                    let c = &region.consumers[consumer.0];
                    (region.group_limit(c, &c.groups[group]), arc.econ)
                }
                ArcKind::Capacity { consumer } => {
                    let cap = region.capacity_in_force(&region.consumers[consumer.0]);
                    (Some(cap), arc.econ)
                }
                ArcKind::Store { producer } => {
                    let mat = &region.materials[region.producers[producer.0].material.0];
                    (None, econ::store(pol, mat))
                }
                ArcKind::Dump { producer } => {
                    let mat = &region.materials[region.producers[producer.0].material.0];
                    (None, econ::dump(pol, mat))
                }
                ArcKind::LandfillLimit { park } => {
                    (region.parks[park.0].landfill_capacity, arc.econ)
                }
                ArcKind::Keep { .. }
                | ArcKind::DisposalOut(_)
                | ArcKind::KeptOut(_)
                | ArcKind::Carry => (arc.capacity, arc.econ),
            };
            arc.capacity = capacity;
            arc.econ = e;
        }
        Ok(())
    }
}
