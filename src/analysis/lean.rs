//! The figures a Monte Carlo sample keeps, straight from the allocation's flows, without the
//! full [`Results`](super::Results) (no flows table, prices, consumers or gaps): the target's
//! rate under its rule and strict, each solid material's rate, the cost and CO2, and each
//! producer's fate (from which any balance by park and material is a sum).
//!
//! They are computed by the same functions as [`analyse`](super::analyse), in the same order,
//! so they equal the full analysis' figures to the last bit (a test checks it).

use super::balance::{self, Balance};
use super::{flows, target};
use crate::model::{Accounting, Region};
use crate::network::Network;

/// The figures of one allocation; the buffers are reused from one sample to the next.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// The target's rate under its accounting rule (None when undefined).
    pub rate: Option<f64>,
    /// The target's rate under the strict rule.
    pub strict_rate: Option<f64>,
    pub meets_target: bool,
    /// New generation in the target's scope, units per year.
    pub scope_generated: f64,
    /// Utilised in the target's scope under its accounting rule, units per year.
    pub scope_utilised: f64,
    /// Each solid material's rate, in declaration order of the solid materials.
    pub material_rates: Vec<Option<f64>>,
    /// Net cost (the objective's definition), yuan per year.
    pub cost: f64,
    pub co2_avoided_t: f64,
    pub co2_transport_t: f64,
    /// Each producer's fate, by producer index (material units per year).
    pub fates: Vec<Balance>,
    /// Each consolidated park × solid material's balance, park-major (as
    /// [`Results::by_park_material`](super::Results::by_park_material)).
    pub cells: Vec<Balance>,
}

impl Figures {
    /// The figures of the allocation with `flow_units` per arc and `supply_units` per node
    /// (flow units of `quantity` material units) on `net`, built or refreshed for `region`.
    pub fn compute(
        &mut self,
        region: &Region,
        net: &Network,
        flow_units: &[i64],
        supply_units: &[i64],
        quantity: f64,
    ) {
        // As `Allocation`: units times the resolution, each arc's flow computed as it is
        // visited (no flow vector); arcs whose flow is 0.0 add nothing and are skipped, as
        // `Network::arcs_with_flow` skips them.
        let supply = |n: usize| supply_units[n] as f64 * quantity;
        // The fates and the money in one pass over the arcs with flow (each sum in arc order,
        // as `fates_into` and `flows::totals` add them).
        balance::start_fates(net, supply, &mut self.fates);
        let strict = Accounting::strict();
        let mut totals = flows::Totals::zero();
        // A zero unit count gives a zero flow where the resolution is finite (the integer
        // tested first: most arcs carry nothing).
        let every = !quantity.is_finite();
        for (&u, edge) in flow_units.iter().zip(net.graph.raw_edges()) {
            if u == 0 && !every {
                continue;
            }
            let x = u as f64 * quantity;
            if x != 0.0 {
                balance::add_fate(region, &strict, &mut self.fates, x, &edge.weight);
                totals.add(x, &edge.weight);
            }
        }
        let balances = balance::balances(region, &self.fates);
        let t = target::target(region, &self.fates, &balances);
        self.rate = t.achieved;
        self.strict_rate = t.strict_achieved;
        self.meets_target = t.meets;
        self.scope_generated = t.scope_generated;
        self.scope_utilised = t.scope_utilised;
        self.material_rates.clear();
        self.material_rates
            .extend(balances.by_material.iter().map(|(_, b)| b.rate()));
        self.cells.clear();
        self.cells
            .extend(balances.by_park_material.iter().map(|&(_, b)| b));
        self.cost = totals.cost.total();
        self.co2_avoided_t = totals.co2_avoided_t;
        self.co2_transport_t = totals.co2_transport_t;
    }
}
