//! What capacity and generation are worth at the margin: each consumer's use of its capacity
//! with its shadow price and exact value, and each producer's marginal cost.

use super::{Balance, ConsumerUse, LandfillUse, ProducerFate};
use crate::allocate::Allocation;
use crate::model::*;
use crate::network::{ArcKind, Network};

/// Per consumer in index order: intake, capacity, the capacity arc's dual and the exact value
/// of one more unit (when the allocation computed them).
pub(super) fn consumers(region: &Region, net: &Network, alloc: &Allocation) -> Vec<ConsumerUse> {
    let mut used: Vec<ConsumerUse> = region
        .consumers
        .iter()
        .enumerate()
        .map(|(i, c)| ConsumerUse {
            consumer: ConsumerId(i),
            intake: 0.0,
            capacity: region.capacity_in_force(c),
            capacity_shadow_price: 0.0,
            capacity_value: alloc.capacity_value.as_ref().map(|v| v[i]),
        })
        .collect();
    for (a, _s, _t, arc) in net.arcs() {
        if let ArcKind::Capacity { consumer } = arc.kind {
            let u = &mut used[consumer.0];
            u.intake = alloc.flow[a];
            u.capacity_shadow_price = (-alloc.reduced_cost[a]).max(0.0);
        }
    }
    used
}

/// Per park in index order whose landfill takes some solid producer's storage or is limited:
/// what is stored and dumped there, the capacity left, and the exact value of one more tonne
/// of capacity (when the allocation computed them). A limited landfill's stored tonnes are
/// its capacity arc's flow; an unlimited one's, its producers' compliant storage.
pub(super) fn landfills(
    region: &Region,
    net: &Network,
    alloc: &Allocation,
    fate: &[Balance],
) -> Vec<LandfillUse> {
    let n = region.parks.len();
    let (mut stored, mut dumped) = (vec![0.0; n], vec![0.0; n]);
    let mut used = vec![false; n];
    for (p, b) in region.producers.iter().zip(fate) {
        if region.materials[p.material.0].class != MaterialClass::Solid {
            continue;
        }
        let lf = region.landfill_park(p.park).0;
        used[lf] = true;
        stored[lf] += b.disposed - b.dumped;
        dumped[lf] += b.dumped;
    }
    let (mut shadow, mut full) = (vec![0.0; n], vec![false; n]);
    for (a, _s, _t, arc) in net.arcs() {
        if let ArcKind::LandfillLimit { park } = arc.kind {
            stored[park.0] = alloc.flow[a];
            shadow[park.0] = (-alloc.reduced_cost[a]).max(0.0);
            full[park.0] = alloc.flow_units[a] >= alloc.problem.upper[a];
        }
    }
    region
        .parks
        .iter()
        .enumerate()
        .filter(|&(i, p)| used[i] || p.landfill_capacity.is_some())
        .map(|(i, p)| LandfillUse {
            park: ParkId(i),
            capacity: p.landfill_capacity,
            stored: stored[i],
            dumped: dumped[i],
            capacity_value: alloc.landfill_value.as_ref().map(|v| v[i]),
            shadow_price: shadow[i],
            full: full[i],
        })
        .collect()
}

/// Per producer in index order: its fate and the marginal system cost of one more unit
/// generated.
///
/// Under the cost objective that cost is the dual of the producer's supply relative to the
/// sink. Under max_utilisation the disposal arcs are capped at their lexicographic optimum, so
/// the sink's potential carries that cap's dual; measuring from the class's disposal node
/// instead gives the cost of the extra unit's cheapest fate.
pub(super) fn producers(
    region: &Region,
    net: &Network,
    alloc: &Allocation,
    fate: &[Balance],
) -> Vec<ProducerFate> {
    let sink_pi = alloc.potential[net.sink.index()];
    region
        .producers
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let class = region.materials[p.material.0].class;
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
        .collect()
}
