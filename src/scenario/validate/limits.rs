//! Integer ranges for the solver: every quantity and every per-unit arc cost must stay within
//! 2^40 after scaling (`allocate::problem`: a quantity `x` becomes `x / quantity_resolution`
//! flow units, a unit cost `c` becomes `c × quantity_resolution / cost_resolution_yuan` cost
//! units), so that sums along paths stay far from the solver's limits (2^50).
//!
//! Two passes, each excess reported on the field that causes it:
//! 1. every value alone: a quantity, capacity or limit, and every money field (yuan per unit,
//!    per unit·km or per t CO2) taken as one unit cost;
//! 2. when every value fits alone, the unit cost of every kind of arc the network can build,
//!    all its components together (transport per km × km × multiplier, handling, reclaim,
//!    carbon price × CO2; processing, gate price, subsidy, carbon price × CO2 avoided;
//!    storage and tax × their multipliers), blamed on the largest factor of its largest
//!    component. A transport arc's km is bounded by the mode's `max_km` and the longest
//!    distance the region can give (half the Earth's circumference × circuity, the
//!    same-park distance, the explicit distances), so the bound holds for every arc built.

use super::super::diag::{num, Seg};
use super::super::schema::RawScenario;
use super::super::Origin;
use super::checks::{top, Ctx};
use super::sections::{Built, ConsumerOrigins};
use crate::model::*;
use std::collections::HashSet;

/// Largest integer flow or cost magnitude the scenario may produce (2^40), leaving head room
/// below the solver's 2^50 limit for sums along paths.
const MAX_SCALED: f64 = (1u64 << 40) as f64;

/// The built sections the limits look at.
pub struct Sections<'a> {
    pub parks: &'a Built<Park>,
    pub materials: &'a Built<Material>,
    pub routes: &'a Built<Route>,
    pub modes: &'a Built<TransportMode>,
    pub producers: &'a Built<Producer, (Origin, f64)>,
    pub consumers: &'a Built<Consumer, ConsumerOrigins>,
    pub policy: &'a Policy,
    /// What candidate measures add (their new consumers are in `consumers`).
    pub extra: &'a Extra,
}

/// Values candidate measures set, each checked alone, and their links' lengths.
#[derive(Default)]
pub struct Extra {
    /// A quantity (origin, field, what it is, value): an expanded capacity.
    pub quantities: Vec<(Origin, String, &'static str, f64)>,
    /// A money value (origin, field, value) as one unit cost: a lever.
    pub money: Vec<(Origin, String, f64)>,
    /// A dedicated link (mode, km, origin): an arc of that mode may be this long.
    pub links: Vec<(ModeId, f64, Origin)>,
}

/// One factor of a cost component: its value and the field it comes from.
#[derive(Clone)]
struct Factor {
    value: f64,
    origin: Origin,
    field: String,
}

fn factor(value: f64, origin: &Origin, field: &str) -> Factor {
    Factor {
        value,
        origin: origin.clone(),
        field: field.to_string(),
    }
}

/// A component of a unit cost: the product of its factors (in the order the network's
/// economics multiplies them) and a constant.
struct Term {
    factors: Vec<Factor>,
    scale: f64,
}

fn term(factors: Vec<Factor>) -> Term {
    Term {
        factors,
        scale: 1.0,
    }
}

struct Checker<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    /// Flow units per material unit, and cost units per yuan per material unit.
    per_q: f64,
    per_c: f64,
    q: f64,
    c: f64,
    /// Fields already blamed (position and field), reported once.
    blamed: HashSet<(String, usize, usize, String)>,
    found: usize,
}

impl Checker<'_, '_> {
    fn blame(&mut self, o: &Origin, field: &str, message: String) {
        let d = self.ctx.at(o, field, message);
        if self
            .blamed
            .insert((d.file.clone(), d.line, d.column, d.field.clone()))
        {
            self.ctx.diags.push(d);
            self.found += 1;
        }
    }

    fn quantity_fits(&self, v: f64) -> bool {
        let s = v * self.per_q;
        s.is_finite() && s.abs() <= MAX_SCALED
    }

    fn money_fits(&self, v: f64) -> bool {
        let s = v * self.per_c;
        s.is_finite() && s.abs() <= MAX_SCALED
    }

    /// A quantity (of `what`) alone; non-finite values are reported by the sections.
    fn quantity(&mut self, o: &Origin, field: &str, what: &str, v: f64) {
        if v.is_finite() && !self.quantity_fits(v) {
            let msg = format!(
                "{what} {} is {} flow units at quantity_resolution {}, above the solver's limit of 2^40; lower it or raise settings.quantity_resolution",
                num(v),
                num(v * self.per_q),
                num(self.q)
            );
            self.blame(o, field, msg);
        }
    }

    /// A money field alone, as one unit cost.
    fn money(&mut self, o: &Origin, field: &str, v: f64) {
        if v.is_finite() && !self.money_fits(v) {
            let msg = format!(
                "{} yuan is {} cost units at quantity_resolution {} and cost_resolution_yuan {}, above the solver's limit of 2^40 per unit cost; lower it or raise settings.cost_resolution_yuan",
                num(v),
                num(v * self.per_c),
                num(self.q),
                num(self.c)
            );
            self.blame(o, field, msg);
        }
    }

    /// The unit cost of an arc (`what`) from its components.
    fn arc(&mut self, what: &str, terms: &[Term]) {
        // In the order the network multiplies them, so that an infinite partial product
        // times a zero factor gives the NaN the network would compute.
        let size = |t: &Term| {
            t.factors
                .iter()
                .fold(1.0, |acc: f64, f| acc * f.value.abs())
                * t.scale.abs()
        };
        let total: f64 = terms.iter().map(size).sum();
        if self.money_fits(total) {
            return;
        }
        // The largest component (an infinite or NaN one first), then its largest factor.
        let key = |t: &Term| {
            let s = size(t);
            if s.is_finite() {
                s
            } else {
                f64::INFINITY
            }
        };
        let Some(worst) = terms.iter().max_by(|a, b| key(a).total_cmp(&key(b))) else {
            return;
        };
        let Some(f) = worst
            .factors
            .iter()
            .max_by(|a, b| a.value.abs().total_cmp(&b.value.abs()))
        else {
            return;
        };
        let msg = format!(
            "{what}: the unit cost reaches {} yuan ({} cost units at quantity_resolution {} and cost_resolution_yuan {}), above the solver's limit of 2^40; this value ({}) is its largest factor: lower it or raise settings.cost_resolution_yuan",
            num(total),
            num(total * self.per_c),
            num(self.q),
            num(self.c),
            num(f.value)
        );
        let (o, field) = (f.origin.clone(), f.field.clone());
        self.blame(&o, &field, msg);
    }
}

/// Checks the scaled magnitudes (skipped when a resolution is itself invalid: that is
/// reported on its own by the settings).
pub fn check(ctx: &mut Ctx, raw: &RawScenario, b: &Sections) {
    let s = &raw.settings;
    let (q, c) = (s.quantity_resolution, s.cost_resolution_yuan);
    if !(q > 0.0 && c > 0.0 && q.is_finite() && c.is_finite()) {
        return;
    }
    let mut k = Checker {
        ctx,
        per_q: 1.0 / q,
        per_c: q / c,
        q,
        c,
        blamed: HashSet::new(),
        found: 0,
    };
    alone(&mut k, raw, b);
    if k.found == 0 {
        arcs(&mut k, raw, b);
    }
}

/// Pass 1: every value alone.
fn alone(k: &mut Checker, raw: &RawScenario, b: &Sections) {
    let p = b.policy;
    let po = top("policy");
    let mut total = 0.0;
    let before = k.found;
    for (pr, (o, base)) in b.producers.items.iter().zip(&b.producers.origins) {
        total += pr.quantity + pr.stockpile;
        k.quantity(o, "quantity", "quantity", *base);
        if base.is_finite() && k.quantity_fits(*base) && !k.quantity_fits(pr.quantity) {
            let msg = format!(
                "grows quantity {} to {} by {} (from its base_year), above the solver's limit of 2^40 flow units at quantity_resolution {}",
                num(*base),
                num(pr.quantity),
                raw.scenario.year,
                num(k.q)
            );
            k.blame(o, "growth_rate", msg);
        }
        k.quantity(o, "stockpile", "stockpile", pr.stockpile);
        k.money(o, "reclaim_cost_yuan_per_unit", pr.reclaim_cost);
    }
    // The total only where every producer fits alone (else that producer is to blame).
    if k.found == before && total.is_finite() && !k.quantity_fits(total) {
        let msg = format!(
            "the total supply {} is {} flow units, above the solver's limit of 2^40; raise quantity_resolution",
            num(total),
            num(total * k.per_q)
        );
        k.blame(&top("settings"), "quantity_resolution", msg);
    }
    for (m, o) in b.modes.items.iter().zip(&b.modes.origins) {
        k.money(o, cost_field(raw, o), m.cost_per_unit_km);
        k.money(o, "handling_yuan_per_unit", m.handling_per_unit);
    }
    for (mat, o) in b.materials.items.iter().zip(&b.materials.origins) {
        k.money(o, "storage_cost_yuan_per_unit", mat.storage_cost);
        k.money(o, "env_tax_yuan_per_unit", mat.env_tax);
    }
    for (cons, (o, intake_os)) in b.consumers.items.iter().zip(&b.consumers.origins) {
        k.quantity(o, "capacity", "capacity", cons.capacity);
        k.money(o, "processing_cost_yuan_per_unit", cons.processing_cost);
        for (i, io) in cons.intakes.iter().zip(intake_os) {
            // A negative limit is reported by the ranges (a negative max_share, say).
            if let Some(mx) = i.max.filter(|&m| m > 0.0) {
                k.quantity(&io.origin, "max", "intake limit", mx);
            }
            k.money(&io.origin, "gate_price_yuan_per_unit", i.gate_price);
        }
        for (j, g) in cons.groups.iter().enumerate() {
            if let Some(mx) = g.max.filter(|&m| m > 0.0) {
                k.quantity(&o.child("groups", j), "max", "group limit", mx);
            }
        }
    }
    for (park, o) in b.parks.items.iter().zip(&b.parks.origins) {
        if let Some(cap) = park.landfill_capacity {
            k.quantity(o, "landfill_capacity", "landfill capacity", cap);
        }
    }
    k.money(&po, "carbon_price_yuan_per_t", p.carbon_price);
    for (r, &v) in &p.route_subsidy {
        let field = format!("route_subsidy_yuan_per_unit.{}", b.routes.items[r.0].id);
        k.money(&po, &field, v);
    }
    for (o, field, what, v) in &b.extra.quantities {
        k.quantity(o, field, what, *v);
    }
    for (o, field, v) in &b.extra.money {
        k.money(o, field, *v);
    }
}

/// The cost field a transport mode gives (`cost_yuan_per_unit_km` or the per-100-km one).
fn cost_field(raw: &RawScenario, o: &Origin) -> &'static str {
    let i = match o {
        Origin::Toml(p) => match p.get(1) {
            Some(Seg::Index(i)) => *i,
            _ => 0,
        },
        Origin::Csv { .. } => 0,
    };
    match raw.transport.get(i) {
        Some(m) if m.cost_yuan_per_unit_km.is_none() && m.cost_yuan_per_unit_100km.is_some() => {
            "cost_yuan_per_unit_100km"
        }
        _ => "cost_yuan_per_unit_km",
    }
}

/// Pass 2: the unit cost of every kind of arc, all components together.
fn arcs(k: &mut Checker, raw: &RawScenario, b: &Sections) {
    let p = b.policy;
    let po = top("policy");
    let so = top("settings");
    let carbon = || factor(p.carbon_price, &po, "carbon_price_yuan_per_t");
    let tmult = || {
        factor(
            p.transport_cost_multiplier,
            &po,
            "transport_cost_multiplier",
        )
    };
    // Materials some intake takes: only their producers have transport arcs.
    let taken: HashSet<MaterialId> = b
        .consumers
        .items
        .iter()
        .flat_map(|c| c.intakes.iter().map(|i| i.material))
        .collect();
    for (mi, (m, mo)) in b.modes.items.iter().zip(&b.modes.origins).enumerate() {
        // The longest km of an arc of this mode, and the field it comes from.
        let mut km = factor(
            std::f64::consts::PI * EARTH_RADIUS_KM * m.circuity,
            mo,
            "max_km",
        );
        let mut longer = |v: f64, o: &Origin, field: &str| {
            if v > km.value {
                km = factor(v, o, field);
            }
        };
        longer(raw.settings.same_park_km, &so, "same_park_km");
        for (i, d) in raw.distances.iter().enumerate() {
            let own = d.mode.as_deref().is_none_or(|id| id == m.id);
            if own && d.km.is_finite() {
                let o = Origin::Toml(vec![Seg::Key("distances".into()), Seg::Index(i)]);
                longer(d.km, &o, "km");
            }
        }
        if m.max_km < km.value {
            km = factor(m.max_km, mo, "max_km");
        }
        // A dedicated link is in reach whatever `max_km`.
        for (mode, v, o) in &b.extra.links {
            if mode.0 == mi && *v > km.value {
                km = factor(*v, o, "km");
            }
        }
        // The costliest reclaim among the stockpiles this mode may carry.
        let mut reclaim: Option<(f64, &Origin)> = None;
        for (pr, (o, _)) in b.producers.items.iter().zip(&b.producers.origins) {
            let carried = m.unit == b.materials.items[pr.material.0].unit
                && (m.materials.is_empty() || m.materials.contains(&pr.material));
            if carried
                && taken.contains(&pr.material)
                && pr.stockpile > 0.0
                && reclaim.is_none_or(|(r, _)| pr.reclaim_cost > r)
            {
                reclaim = Some((pr.reclaim_cost, o));
            }
        }
        let cost = factor(m.cost_per_unit_km, mo, cost_field(raw, mo));
        let mut terms = vec![
            term(vec![cost, km.clone(), tmult()]),
            term(vec![
                factor(m.handling_per_unit, mo, "handling_yuan_per_unit"),
                tmult(),
            ]),
            Term {
                factors: vec![
                    factor(m.co2_kg_per_unit_km, mo, "co2_kg_per_unit_km"),
                    km.clone(),
                    carbon(),
                ],
                scale: 1e-3,
            },
        ];
        if let Some((r, o)) = reclaim {
            terms.push(term(vec![factor(r, o, "reclaim_cost_yuan_per_unit")]));
        }
        k.arc(&format!("transport by mode \"{}\"", m.id), &terms);
    }
    for (cons, (o, intake_os)) in b.consumers.items.iter().zip(&b.consumers.origins) {
        let subsidy = p.route_subsidy.get(&cons.route).map(|&v| {
            let field = format!(
                "route_subsidy_yuan_per_unit.{}",
                b.routes.items[cons.route.0].id
            );
            factor(v, &po, &field)
        });
        for (i, io) in cons.intakes.iter().zip(intake_os) {
            let co2 = if io.own_co2 {
                factor(i.co2_avoided_per_unit, &io.origin, "co2_avoided_t_per_unit")
            } else {
                factor(i.co2_avoided_per_unit, o, "co2_avoided_t_per_unit")
            };
            let mut terms = vec![
                term(vec![factor(
                    cons.processing_cost,
                    o,
                    "processing_cost_yuan_per_unit",
                )]),
                term(vec![factor(
                    i.gate_price,
                    &io.origin,
                    "gate_price_yuan_per_unit",
                )]),
                term(vec![carbon(), co2]),
            ];
            if let Some(s) = subsidy.as_ref() {
                terms.push(term(vec![s.clone()]));
            }
            k.arc(&format!("use by consumer \"{}\"", cons.id), &terms);
        }
    }
    for (mat, o) in b.materials.items.iter().zip(&b.materials.origins) {
        let terms = [
            term(vec![
                factor(mat.storage_cost, o, "storage_cost_yuan_per_unit"),
                factor(p.storage_cost_multiplier, &po, "storage_cost_multiplier"),
            ]),
            term(vec![
                factor(mat.env_tax, o, "env_tax_yuan_per_unit"),
                factor(p.env_tax_multiplier, &po, "env_tax_multiplier"),
            ]),
        ];
        k.arc(&format!("disposal of \"{}\"", mat.id), &terms);
    }
}
