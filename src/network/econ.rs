//! Money and CO2 per unit on an arc ([`Costs`], [`Econ`]), and the one place each arc's
//! economics is computed from a region: [`Network::build`](super::Network::build) and
//! [`Network::refresh`](super::Network::refresh) both call these functions, so they cannot
//! disagree.

use crate::model::*;

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
    /// A landfill fee (a transfer, like the tax).
    pub landfill_fee: f64,
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
            + self.landfill_fee
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
        self.landfill_fee += o.landfill_fee * x;
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

/// The cheapest of the modes in `reach` ((mode, km), not empty) for producer `p`'s material
/// (from its stockpile when `from_stockpile`): the mode, its km and its economics (haulage,
/// handling, reclaim and the carbon price on the transport CO2), of least net unit cost
/// ([`Econ::total`]), ties to the first (the lowest mode index). The integer problem's unit cost is this total scaled and rounded to the
/// nearest, a non-decreasing function of it, so the pick is also a cheapest mode in integer
/// cost.
#[inline(always)]
pub(super) fn cheapest_transport(
    pol: &Policy,
    p: &Producer,
    modes: &[TransportMode],
    reach: &[(ModeId, f64)],
    from_stockpile: bool,
) -> (ModeId, f64, Econ) {
    let rates = |m: ModeId| ModeRates::of(pol, &modes[m.0]);
    cheapest_transport_at(pol, p, rates, reach, from_stockpile)
}

/// [`cheapest_transport`] with each mode's [`ModeRates`] from `rates` (the same operations:
/// the same bits).
#[inline(always)]
pub(super) fn cheapest_transport_at(
    pol: &Policy,
    p: &Producer,
    rates: impl Fn(ModeId) -> ModeRates,
    reach: &[(ModeId, f64)],
    from_stockpile: bool,
) -> (ModeId, f64, Econ) {
    let (&(m, km), rest) = reach
        .split_first()
        .expect("a transport arc has a mode in reach");
    let mut best = (m, km, haul(pol, p, rates(m), km, from_stockpile));
    if !rest.is_empty() {
        let mut best_total = best.2.total();
        for &(m, km) in rest {
            let h = haul(pol, p, rates(m), km, from_stockpile);
            let total = h.total();
            if total < best_total {
                (best, best_total) = ((m, km, h), total);
            }
        }
    }
    (best.0, best.1, best.2.econ())
}

/// What a haul needs of a transport mode under a policy, computed once per mode.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ModeRates {
    cost_per_unit_km: f64,
    /// Handling per unit times the policy's transport cost multiplier.
    handling: f64,
    co2_kg_per_unit_km: f64,
}

impl ModeRates {
    #[inline(always)]
    pub(super) fn of(pol: &Policy, mode: &TransportMode) -> ModeRates {
        ModeRates {
            cost_per_unit_km: mode.cost_per_unit_km,
            handling: mode.handling_per_unit * pol.transport_cost_multiplier,
            co2_kg_per_unit_km: mode.co2_kg_per_unit_km,
        }
    }
}

/// The nonzero components of a haul's [`Econ`], computed once per mode in reach.
#[derive(Debug, Clone, Copy)]
struct Haul {
    transport: f64,
    handling: f64,
    reclaim: f64,
    carbon: f64,
    co2_transport_t: f64,
}

#[inline(always)]
fn haul(pol: &Policy, p: &Producer, mode: ModeRates, km: f64, from_stockpile: bool) -> Haul {
    let co2_transport_t = mode.co2_kg_per_unit_km * km / 1000.0;
    Haul {
        transport: mode.cost_per_unit_km * km * pol.transport_cost_multiplier,
        handling: mode.handling,
        reclaim: if from_stockpile { p.reclaim_cost } else { 0.0 },
        carbon: pol.carbon_price * co2_transport_t,
        co2_transport_t,
    }
}

impl Haul {
    /// `self.econ().total()` without building the [`Econ`]: the same operations in the same
    /// order; the components a haul leaves at zero add or subtract exactly nothing (they could
    /// only turn a −0 into +0, which compares equal).
    #[inline(always)]
    fn total(&self) -> f64 {
        self.transport + self.handling + self.reclaim + self.carbon
    }

    #[inline(always)]
    fn econ(self) -> Econ {
        Econ {
            costs: Costs {
                transport: self.transport,
                handling: self.handling,
                reclaim: self.reclaim,
                carbon: self.carbon,
                ..Costs::default()
            },
            co2_transport_t: self.co2_transport_t,
            ..Econ::default()
        }
    }
}

/// One unit used by consumer `c` through `intake`: processing, gate price, the route's
/// subsidy and the carbon price on the CO2 avoided.
pub(super) fn use_of(pol: &Policy, c: &Consumer, intake: &Intake) -> Econ {
    let subsidy = pol.route_subsidy.get(&c.route).copied().unwrap_or(0.0);
    let costs = Costs {
        processing: c.processing_cost,
        gate_revenue: intake.gate_price,
        subsidy,
        carbon: -pol.carbon_price * intake.co2_avoided_per_unit,
        ..Costs::default()
    };
    Econ {
        costs,
        co2_avoided_t: intake.co2_avoided_per_unit,
        ..Econ::default()
    }
}

/// One unit of `mat` in compliant storage.
pub(super) fn store(pol: &Policy, mat: &Material) -> Econ {
    Econ {
        costs: Costs {
            storage: storage_cost(pol, mat),
            landfill_fee: mat.landfill_fee,
            ..Costs::default()
        },
        ..Econ::default()
    }
}

/// One unit of `mat` dumped beside a full landfill: storage and the environmental tax.
pub(super) fn dump(pol: &Policy, mat: &Material) -> Econ {
    Econ {
        costs: Costs {
            storage: storage_cost(pol, mat),
            env_tax: mat.env_tax * pol.env_tax_multiplier,
            landfill_fee: mat.landfill_fee,
            ..Costs::default()
        },
        ..Econ::default()
    }
}

fn storage_cost(pol: &Policy, mat: &Material) -> f64 {
    mat.storage_cost * pol.storage_cost_multiplier
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// The pick's total is the built economics' total, on random modes, distances and policies
    /// (both signs of the carbon price, stockpiles or not).
    #[test]
    fn haul_total_is_the_econ_total() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(13);
        let mut pol = Policy {
            carbon_price: 0.0,
            env_tax_multiplier: 1.0,
            storage_cost_multiplier: 1.0,
            transport_cost_multiplier: 1.0,
            route_subsidy: Default::default(),
            allow_dumping: true,
        };
        let mut p = Producer {
            id: "p".into(),
            name: "p".into(),
            park: ParkId(0),
            material: MaterialId(0),
            quantity: 1.0,
            grade: None,
            attrs: Default::default(),
            stockpile: 0.0,
            reclaim_cost: 0.0,
        };
        let mut mode = TransportMode {
            id: "m".into(),
            name: "m".into(),
            unit: "t".into(),
            materials: vec![],
            cost_per_unit_km: 0.0,
            handling_per_unit: 0.0,
            co2_kg_per_unit_km: 0.0,
            max_km: 1e9,
            circuity: 1.0,
        };
        for i in 0..100_000 {
            let mut x = |scale: f64| {
                if rng.random_bool(0.1) {
                    0.0
                } else {
                    rng.random_range(-1.0..1.0) * scale
                }
            };
            mode.cost_per_unit_km = x(2.0).abs();
            mode.handling_per_unit = x(50.0).abs();
            mode.co2_kg_per_unit_km = x(0.2).abs();
            pol.carbon_price = x(500.0);
            pol.transport_cost_multiplier = 1.0 + x(0.5);
            p.reclaim_cost = x(20.0);
            let km = x(800.0).abs();
            let stock = i % 2 == 0;
            let h = haul(&pol, &p, ModeRates::of(&pol, &mode), km, stock);
            let (got, want) = (h.total(), h.econ().total());
            assert!(got == want, "{got} != {want}");
        }
    }
}
