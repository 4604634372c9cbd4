//! What the flows cost and carry: the cost breakdown and CO2 over every arc, the table of
//! transport flows with the transport work, and the quantity utilised by route.

use super::{CostBreakdown, FlowRow};
use crate::allocate::Allocation;
use crate::model::*;
use crate::network::{Arc, ArcKind, Network, Source};
use std::collections::BTreeMap;

/// Money and CO2 of an allocation, summed in arc order.
pub(super) struct Totals {
    pub cost: CostBreakdown,
    pub co2_avoided_t: f64,
    pub co2_transport_t: f64,
}

impl Totals {
    pub(super) fn zero() -> Totals {
        Totals {
            cost: CostBreakdown::default(),
            co2_avoided_t: 0.0,
            co2_transport_t: 0.0,
        }
    }

    /// Adds `x` material units on `arc` (arcs in arc order make [`totals`]).
    #[inline]
    pub(super) fn add(&mut self, x: f64, arc: &Arc) {
        let e = &arc.econ;
        self.cost.add_scaled(&e.costs, x);
        self.co2_avoided_t += e.co2_avoided_t * x;
        self.co2_transport_t += e.co2_transport_t * x;
    }
}

/// Every arc's flow (material units, by arc) times its per-unit economics.
pub(super) fn totals(net: &Network, flow: &[f64]) -> Totals {
    let mut t = Totals::zero();
    for (_, x, arc) in net.arcs_with_flow(flow) {
        t.add(x, arc);
    }
    t
}

/// The positive transport flows in arc order, and the transport work they do.
pub(super) struct Transport {
    pub flows: Vec<FlowRow>,
    /// Solids, t·km.
    pub tkm: f64,
    /// Hydrogen, in its unit·km.
    pub hydrogen_unit_km: f64,
}

/// One row per positive transport arc.
pub(super) fn transport(region: &Region, net: &Network, alloc: &Allocation) -> Transport {
    let mut t = Transport {
        flows: Vec::new(),
        tkm: 0.0,
        hydrogen_unit_km: 0.0,
    };
    for (a, _s, _t, arc) in net.arcs() {
        let ArcKind::Transport {
            source,
            consumer,
            mode,
            km,
            ..
        } = arc.kind
        else {
            continue;
        };
        let x = alloc.flow[a];
        if x <= 0.0 {
            continue;
        }
        let p = source.producer();
        let mat = region.producers[p.0].material;
        if region.materials[mat.0].class == MaterialClass::Solid {
            t.tkm += x * km;
        } else {
            t.hydrogen_unit_km += x * km;
        }
        let c = &arc.econ.costs;
        t.flows.push(FlowRow {
            producer: p,
            from_stockpile: matches!(source, Source::Stockpile(_)),
            consumer,
            material: mat,
            mode,
            quantity: x,
            km,
            cost: (c.transport + c.handling + c.reclaim + c.carbon) * x,
        });
    }
    t
}

/// Quantity utilised by route and material unit, in (route, unit) order.
pub(super) fn by_route(
    region: &Region,
    net: &Network,
    alloc: &Allocation,
) -> Vec<(RouteId, String, f64)> {
    let mut by_route: BTreeMap<(RouteId, String), f64> = BTreeMap::new();
    for (a, _s, _t, arc) in net.arcs() {
        let x = alloc.flow[a];
        if let ArcKind::Use { consumer, intake } = arc.kind {
            if x > 0.0 {
                let c = &region.consumers[consumer.0];
                let unit = region.materials[c.intakes[intake].material.0].unit.clone();
                *by_route.entry((c.route, unit)).or_default() += x;
            }
        }
    }
    by_route.into_iter().map(|((r, u), x)| (r, u, x)).collect()
}
