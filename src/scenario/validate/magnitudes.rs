//! Caps on magnitudes, so that no output ever holds `inf`, `NaN` or `null` for a number.
//!
//! The solver's 2^40 limit (`limits`) is on scaled values: with a large `quantity_resolution`
//! or `cost_resolution_yuan` it lets through values whose sums and products overflow `f64` in
//! the outputs (a quantity of 1.5e307 at a resolution of 1e300 printed `inf`). These caps are
//! in the material's unit and in yuan, far above any real region (Ordos generates about 1e8 t
//! of solids a year; China about 4e9 t):
//!
//! - every quantity (generation after growth, stockpile, capacity, intake and group limits,
//!   landfill capacity, a candidate's expanded capacity) at most [`MAX_QUANTITY`], and each
//!   material's total generation and stockpile at most [`MAX_QUANTITY`];
//! - every money or CO2 value per unit (per unit·km, per t CO2) at most [`MAX_PER_UNIT`] in
//!   magnitude;
//! - every policy multiplier at most [`MAX_MULTIPLIER`] (an uncertain entry's `high` too:
//!   `uncertain.rs`);
//! - every distance at most [`MAX_KM`];
//! - a candidate measure's capex, opex and annual cost at most [`MAX_YUAN`] each
//!   (`candidates.rs`).
//!
//! Then every output is a sum of fewer than 2^40 terms, each a product of a few capped
//! factors (a flow, a unit cost, a distance, multipliers): finite by a wide margin.

use super::super::diag::{num, Seg};
use super::super::schema::RawScenario;
use super::super::Origin;
use super::checks::{top, Ctx};
use super::limits::Sections;
use crate::model::*;

/// The largest quantity, in the material's unit per year (or unit for a stockpile).
pub const MAX_QUANTITY: f64 = 1e15;
/// The largest money or CO2 value per unit, in magnitude.
pub const MAX_PER_UNIT: f64 = 1e9;
/// The largest multiplier (policy multipliers, an uncertain entry's `high`).
pub const MAX_MULTIPLIER: f64 = 1e3;
/// The largest cost of a candidate measure, in yuan (its capex, opex per year or annual
/// cost).
pub const MAX_YUAN: f64 = 1e15;
/// The largest distance, in km (2.5 times the Earth's circumference).
pub const MAX_KM: f64 = 1e5;

/// Records `v` (finite; non-finite values are reported by the ranges) over `cap`.
pub(super) fn over(ctx: &mut Ctx, o: &Origin, field: &str, v: f64, cap: f64, what: &str) -> bool {
    let bad = v.is_finite() && v.abs() > cap;
    if bad {
        ctx.err(
            o,
            field,
            format!(
                "{} is above the cap of {} for {what} (see \"Caps\" in docs/format.md)",
                num(v),
                num(cap)
            ),
        );
    }
    bad
}

/// Checks every cap of the module's documentation.
pub fn check(ctx: &mut Ctx, raw: &RawScenario, b: &Sections) {
    let q = |ctx: &mut Ctx, o: &Origin, field: &str, v: f64| {
        over(ctx, o, field, v, MAX_QUANTITY, "a quantity")
    };
    let m = |ctx: &mut Ctx, o: &Origin, field: &str, v: f64| {
        over(ctx, o, field, v, MAX_PER_UNIT, "a value per unit")
    };
    let mut totals = vec![0.0f64; b.materials.items.len()];
    let mut alone = vec![true; b.materials.items.len()];
    for (pr, (o, base)) in b.producers.items.iter().zip(&b.producers.origins) {
        if q(ctx, o, "quantity", *base) {
            alone[pr.material.0] = false;
        } else if base.is_finite() && pr.quantity.is_finite() && pr.quantity > MAX_QUANTITY {
            // The quantity grown to the scenario year.
            ctx.err(
                o,
                "growth_rate",
                format!(
                    "grows quantity {} to {}, above the cap of {} for a quantity (see \"Caps\" in docs/format.md)",
                    num(*base),
                    num(pr.quantity),
                    num(MAX_QUANTITY)
                ),
            );
            alone[pr.material.0] = false;
        }
        if q(ctx, o, "stockpile", pr.stockpile) {
            alone[pr.material.0] = false;
        }
        m(ctx, o, "reclaim_cost_yuan_per_unit", pr.reclaim_cost);
        totals[pr.material.0] += pr.quantity + pr.stockpile;
    }
    // A material's total, where each of its producers is within the cap alone.
    for (i, (mat, o)) in b
        .materials
        .items
        .iter()
        .zip(&b.materials.origins)
        .enumerate()
    {
        if alone[i] && totals[i].is_finite() && totals[i] > MAX_QUANTITY {
            ctx.err(
                o,
                "id",
                format!(
                    "material \"{}\": its producers' generation and stockpiles add up to {}, above the cap of {} per material (see \"Caps\" in docs/format.md)",
                    text::short(&mat.id),
                    num(totals[i]),
                    num(MAX_QUANTITY)
                ),
            );
        }
        m(ctx, o, "storage_cost_yuan_per_unit", mat.storage_cost);
        m(ctx, o, "env_tax_yuan_per_unit", mat.env_tax);
    }
    for (cons, (o, intake_os)) in b.consumers.items.iter().zip(&b.consumers.origins) {
        q(ctx, o, "capacity", cons.capacity);
        m(
            ctx,
            o,
            "processing_cost_yuan_per_unit",
            cons.processing_cost,
        );
        let mut co2_blamed = false;
        for (i, io) in cons.intakes.iter().zip(intake_os) {
            if let Some(mx) = i.max {
                q(ctx, &io.origin, "max", mx);
            }
            m(ctx, &io.origin, "gate_price_yuan_per_unit", i.gate_price);
            let co2_at = if io.own_co2 { &io.origin } else { o };
            if io.own_co2 || !co2_blamed {
                co2_blamed |= !io.own_co2;
                m(
                    ctx,
                    co2_at,
                    "co2_avoided_t_per_unit",
                    i.co2_avoided_per_unit,
                );
            }
        }
        for (j, g) in cons.groups.iter().enumerate() {
            if let Some(mx) = g.max {
                q(ctx, &o.child("groups", j), "max", mx);
            }
        }
    }
    for (park, o) in b.parks.items.iter().zip(&b.parks.origins) {
        if let Some(cap) = park.landfill_capacity {
            q(ctx, o, "landfill_capacity", cap);
        }
    }
    for (mode, o) in b.modes.items.iter().zip(&b.modes.origins) {
        // Per 100 km is per km × 100: the cap is on the value written.
        let per_100 = raw.transport.iter().any(|t| {
            t.id == mode.id
                && t.cost_yuan_per_unit_km.is_none()
                && t.cost_yuan_per_unit_100km.is_some()
        });
        if per_100 {
            m(
                ctx,
                o,
                "cost_yuan_per_unit_100km",
                mode.cost_per_unit_km * 100.0,
            );
        } else {
            m(ctx, o, "cost_yuan_per_unit_km", mode.cost_per_unit_km);
        }
        m(ctx, o, "handling_yuan_per_unit", mode.handling_per_unit);
        m(ctx, o, "co2_kg_per_unit_km", mode.co2_kg_per_unit_km);
    }
    let po = top("policy");
    let p = b.policy;
    m(ctx, &po, "carbon_price_yuan_per_t", p.carbon_price);
    for (r, &v) in &p.route_subsidy {
        let field = format!("route_subsidy_yuan_per_unit.{}", b.routes.items[r.0].id);
        m(ctx, &po, &field, v);
    }
    for (field, v) in [
        ("env_tax_multiplier", p.env_tax_multiplier),
        ("storage_cost_multiplier", p.storage_cost_multiplier),
        ("transport_cost_multiplier", p.transport_cost_multiplier),
    ] {
        over(ctx, &po, field, v, MAX_MULTIPLIER, "a multiplier");
    }
    let so = top("settings");
    over(
        ctx,
        &so,
        "same_park_km",
        raw.settings.same_park_km,
        MAX_KM,
        "a distance in km",
    );
    for (i, d) in raw.distances.iter().enumerate() {
        let o = Origin::Toml(vec![Seg::Key("distances".into()), Seg::Index(i)]);
        over(ctx, &o, "km", d.km, MAX_KM, "a distance in km");
    }
    for (o, field, _, v) in &b.extra.quantities {
        q(ctx, o, field, *v);
    }
    for (o, field, v) in &b.extra.money {
        m(ctx, o, field, *v);
    }
    for (_, km, o) in &b.extra.links {
        over(ctx, o, "km", *km, MAX_KM, "a distance in km");
    }
}
