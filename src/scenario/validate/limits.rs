//! Integer ranges for the solver: every quantity and every per-unit arc cost must stay within
//! 2^40 after scaling, so that sums along paths stay far from the solver's limits (2^50).
//! Each excess is reported on the field that causes it.

use super::super::schema::RawSettings;
use super::checks::{top, Ctx};
use super::sections::{Built, ConsumerOrigins};
use crate::model::*;

/// Largest integer flow or cost magnitude the scenario may produce (2^40), leaving head room
/// below the solver's 2^50 limit for sums along paths.
const MAX_SCALED: f64 = (1u64 << 40) as f64;

/// The built sections the limits look at.
pub struct Sections<'a> {
    pub parks: &'a Built<Park>,
    pub materials: &'a Built<Material>,
    pub modes: &'a Built<TransportMode>,
    pub producers: &'a Built<Producer>,
    pub consumers: &'a Built<Consumer, ConsumerOrigins>,
    pub policy: &'a Policy,
}

/// Checks the scaled magnitudes (skipped when a resolution is itself invalid: that is
/// reported on its own by the settings).
pub fn check(ctx: &mut Ctx, s: &RawSettings, b: Sections) {
    let (q, c) = (s.quantity_resolution, s.cost_resolution_yuan);
    if !(q > 0.0 && c > 0.0 && q.is_finite() && c.is_finite()) {
        return;
    }
    let p = b.policy;
    let too_big = |v: f64| v.is_finite() && (!(v / q).is_finite() || (v / q).abs() > MAX_SCALED);
    let money_too_big =
        |v: f64| v.is_finite() && (!(v * q / c).is_finite() || (v * q / c).abs() > MAX_SCALED);
    let qmsg =
        "overflows the solver's integers at this quantity_resolution (limit 2^40 flow units)";
    let cmsg = "the per-unit cost of this arc overflows the solver's integers at this cost_resolution_yuan (limit 2^40 cost units per flow unit)";
    let mut total = 0.0;
    for (pr, o) in b.producers.items.iter().zip(&b.producers.origins) {
        total += pr.quantity + pr.stockpile;
        if too_big(pr.quantity) {
            ctx.err(
                o,
                "quantity",
                format!("quantity {} (after growth) {qmsg}", pr.quantity),
            );
        }
        if too_big(pr.stockpile) {
            ctx.err(o, "stockpile", format!("stockpile {qmsg}"));
        }
    }
    if too_big(total) {
        ctx.err(
            &top("settings"),
            "quantity_resolution",
            format!("total supply {total:.3e} {qmsg}; raise quantity_resolution"),
        );
    }
    let max_reclaim = b
        .producers
        .items
        .iter()
        .map(|p| p.reclaim_cost)
        .fold(0.0, f64::max);
    for (m, o) in b.modes.items.iter().zip(&b.modes.origins) {
        let per_unit = (m.cost_per_unit_km * m.max_km + m.handling_per_unit)
            * p.transport_cost_multiplier
            + p.carbon_price.abs() * m.co2_kg_per_unit_km * m.max_km / 1000.0
            + max_reclaim;
        if money_too_big(per_unit) {
            ctx.err(
                o,
                "cost_yuan_per_unit_km",
                format!("{cmsg} ({per_unit:.3e} yuan at max_km, with the policy multipliers)"),
            );
        }
    }
    for (mat, o) in b.materials.items.iter().zip(&b.materials.origins) {
        let per_unit =
            mat.storage_cost * p.storage_cost_multiplier + mat.env_tax * p.env_tax_multiplier;
        if money_too_big(per_unit) {
            ctx.err(
                o,
                "storage_cost_yuan_per_unit",
                format!("{cmsg} ({per_unit:.3e} yuan with the policy multipliers)"),
            );
        }
    }
    for (cons, (o, intake_os)) in b.consumers.items.iter().zip(&b.consumers.origins) {
        if too_big(cons.capacity) {
            ctx.err(o, "capacity", format!("capacity {qmsg}"));
        }
        let subsidy = p.route_subsidy.get(&cons.route).copied().unwrap_or(0.0);
        for (i, io) in cons.intakes.iter().zip(intake_os) {
            if i.max.is_some_and(too_big) {
                ctx.err(io, "max", format!("intake limit {qmsg}"));
            }
            let per_unit = cons.processing_cost.abs()
                + i.gate_price.abs()
                + subsidy.abs()
                + p.carbon_price.abs() * i.co2_avoided_per_unit;
            if money_too_big(per_unit) {
                ctx.err(
                    io,
                    "gate_price_yuan_per_unit",
                    format!(
                        "{cmsg} ({per_unit:.3e} yuan: processing, gate price, subsidy and carbon)"
                    ),
                );
            }
        }
    }
    for (park, o) in b.parks.items.iter().zip(&b.parks.origins) {
        if park.landfill_capacity.is_some_and(too_big) {
            ctx.err(o, "landfill_capacity", format!("landfill capacity {qmsg}"));
        }
    }
}
