//! `[plan]` and `[[candidates]]`: the candidate measures of the `plan` search.
//!
//! Each candidate is checked on its own here (flag, costs, known and non-self references,
//! effects; its new consumers through the very code of `[[consumers]]`), then the list as a
//! whole in [`relations`]. At most [`MAX`] candidates: a portfolio is a bit mask of a 64-bit
//! word.

use super::super::diag::num;
use super::super::schema::*;
use super::super::Origin;
use super::checks::{index_ids, item, look_alike, lookup, nfc, top, Ctx};
use super::limits::Extra;
use super::magnitudes;
use super::relations;
use super::sections::{self, Built, ConsumerOrigins};
use crate::model::text;
use crate::model::*;
use std::collections::BTreeMap;

/// Most candidates in a scenario: a portfolio is a bit mask (`u64`), with room to spare.
pub const MAX: usize = 60;

/// The sections the candidates refer to.
pub struct Refs<'a> {
    pub parks: &'a Built<Park>,
    pub materials: &'a Built<Material>,
    pub routes: &'a Built<Route>,
    pub modes: &'a Built<TransportMode>,
    /// The base scenario's consumers (expansions name them; new ids must differ).
    pub consumers: &'a Built<Consumer, ConsumerOrigins>,
}

/// The built candidates, with what the solver's range checks need.
pub struct BuiltCandidates {
    pub candidates: Candidates,
    /// Every candidate's new consumers, with their origins (checked like the base's).
    pub consumers: Built<Consumer, ConsumerOrigins>,
    pub extra: Extra,
}

/// `[plan]`, `[[candidates]]` and the measures `[scenario] with` applies (`None` when there is
/// a problem; every one is recorded).
pub fn candidates(
    ctx: &mut Ctx,
    plan: Option<&RawPlan>,
    raw: &[RawCandidate],
    with: &[String],
    refs: Refs,
) -> Option<BuiltCandidates> {
    let rate = plan.and_then(|p| p.discount_rate);
    if let Some(r) = rate {
        ctx.in_range(&top("plan"), "discount_rate", r, 0.0, 1.0);
    }
    let origins: Vec<Origin> = (0..raw.len()).map(|i| item("candidates", i)).collect();
    let ix = index_ids(
        ctx,
        "candidate",
        raw.iter().zip(&origins).map(|(c, o)| (c.id.as_str(), o)),
    );
    let before = ctx.diags.len();
    let mut list = Vec::new();
    let mut extra = Extra::default();
    let mut new_consumers = Vec::new();
    for (c, o) in raw.iter().zip(&origins) {
        let who = format!("candidate \"{}\"", text::short(&c.id));
        let flag = Flag::parse(&c.flag);
        if flag.is_none() {
            ctx.err(
                o,
                "flag",
                format!(
                    "unknown flag \"{}\"; expected \"sourced\", \"derived\" or \"assumed\"",
                    c.flag
                ),
            );
        }
        let (capex, life, opex, annual) = costs(ctx, c, o, &who, rate);
        let excludes = references(ctx, &ix, c, o, &who, "excludes", &c.excludes);
        let requires = references(ctx, &ix, c, o, &who, "requires", &c.requires);
        let mut effects = Vec::new();
        for (j, k) in c.consumers.iter().enumerate() {
            let co = o.child("consumers", j);
            // A base consumer's id in another Unicode normal form: a look-alike.
            let alike = || {
                let form = nfc(&k.id);
                refs.consumers.ix.keys().find(|b| nfc(b) == form)
            };
            if refs.consumers.ix.contains_key(&k.id) {
                ctx.err(
                    &co,
                    "id",
                    format!(
                        "{who}: consumer id \"{}\" is already a consumer of the scenario; a new consumer's id must be unique among all consumers",
                        k.id
                    ),
                );
            } else if let Some(base) = alike() {
                // Its place, when it was built (one with a bad park or route was not).
                let at = refs
                    .consumers
                    .items
                    .iter()
                    .position(|c| &c.id == base)
                    .map(|p| ctx.position(&refs.consumers.origins[p].0, "id"));
                let m = look_alike("consumer", &k.id, base, at.as_deref());
                ctx.err(&co, "id", format!("{who}: {m}"));
            }
            let intakes = (0..k.accepts.len())
                .map(|a| co.child("accepts", a))
                .collect();
            new_consumers.push((k.clone(), co, intakes));
        }
        effects.extend(expansions(ctx, c, o, &who, &refs, &mut extra));
        effects.extend(links(ctx, c, o, &who, &refs, &mut extra));
        effects.extend(levers(ctx, c, o, &who, &refs, &mut extra));
        if c.consumers.is_empty() && c.expand.is_empty() && c.links.is_empty() && c.policy.is_none()
        {
            ctx.err(
                o,
                "",
                format!("{who} has no effect: give [[candidates.consumers]], [[candidates.expand]], [[candidates.links]] or [candidates.policy]"),
            );
        }
        list.push(Candidate {
            id: c.id.clone(),
            name: c.name.clone().unwrap_or_else(|| c.id.clone()),
            capex,
            life_years: life,
            opex_per_yr: opex,
            annual_cost: annual,
            excludes,
            requires,
            effects,
            flag: flag.unwrap_or(Flag::Assumed),
            source: c.source.clone(),
        });
    }
    // The new consumers, through the code of `[[consumers]]` (ids unique among them too).
    let n_new = new_consumers.len();
    let consumers = sections::consumers(
        ctx,
        &[],
        new_consumers,
        refs.parks,
        refs.materials,
        refs.routes,
    );
    if ctx.diags.len() > before || consumers.items.len() != n_new {
        return None;
    }
    // `sections::consumers` returns them in canonical order (by id), not in file order: each
    // candidate takes its own by id.
    for (cand, c) in list.iter_mut().zip(raw) {
        let new: Vec<Effect> = c
            .consumers
            .iter()
            .filter_map(|k| consumers.ix.get(&k.id).map(|&i| &consumers.items[i]))
            .map(|k| Effect::NewConsumer(Box::new(k.clone())))
            .collect();
        cand.effects.splice(0..0, new);
    }
    relations::symmetric_excludes(&mut list);
    relations::requirements(ctx, &list, &origins);
    relations::lever_conflicts(ctx, raw, &list, &origins);
    let applied = applied(ctx, &ix, &list, with);
    if ctx.diags.len() > before {
        return None;
    }
    Some(BuiltCandidates {
        candidates: Candidates {
            discount_rate: rate.unwrap_or(0.0),
            list,
            applied,
        },
        consumers,
        extra,
    })
}

/// `[scenario] with`: known candidate ids, each once, forming an admissible portfolio; one
/// flag per candidate (empty when the list is).
fn applied(
    ctx: &mut Ctx,
    ix: &std::collections::HashMap<String, usize>,
    list: &[Candidate],
    with: &[String],
) -> Vec<bool> {
    if with.is_empty() {
        return Vec::new();
    }
    let o = top("scenario");
    let mut flags = vec![false; list.len()];
    let mut ok = true;
    for (k, id) in with.iter().enumerate() {
        let at = o.child("with", k);
        if list.is_empty() {
            ctx.err(
                &at,
                "",
                format!(
                    "with names candidate \"{}\" but the scenario has no [[candidates]]",
                    text::short(id)
                ),
            );
            ok = false;
            continue;
        }
        match lookup(ctx, ix, &at, "", "with", "candidate", id) {
            Some(i) if flags[i] => {
                let id = text::short(id);
                ctx.err(&at, "", format!("with names candidate \"{id}\" twice"));
            }
            Some(i) => flags[i] = true,
            None => ok = false,
        }
    }
    if ok {
        match inadmissible(list, &flags) {
            Some(Inadmissible::Excludes(i, j)) => ctx.err(
                &o,
                "with",
                format!(
                    "candidates \"{}\" and \"{}\" exclude each other (choose one)",
                    list[i].id, list[j].id
                ),
            ),
            Some(Inadmissible::Requires(i, j)) => ctx.err(
                &o,
                "with",
                format!(
                    "candidate \"{}\" requires \"{}\" (add it to with)",
                    list[i].id, list[j].id
                ),
            ),
            None => {}
        }
    }
    flags
}

/// A candidate's costs: (capex, life, opex, annual cost), from capex, life and opex at the
/// discount rate, or the annual cost given directly.
fn costs(
    ctx: &mut Ctx,
    c: &RawCandidate,
    o: &Origin,
    who: &str,
    rate: Option<f64>,
) -> (f64, f64, f64, f64) {
    let opex = c.opex_yuan_per_yr.unwrap_or(0.0);
    let cap = |ctx: &mut Ctx, field: &str, v: f64| {
        magnitudes::over(
            ctx,
            o,
            field,
            v,
            magnitudes::MAX_YUAN,
            "a candidate's cost in yuan",
        )
    };
    if let Some(v) = c.opex_yuan_per_yr {
        ctx.non_negative(o, "opex_yuan_per_yr", v);
        cap(ctx, "opex_yuan_per_yr", v);
    }
    match (c.capex_yuan, c.annual_cost_yuan) {
        (Some(_), Some(_)) => {
            ctx.err(
                o,
                "annual_cost_yuan",
                format!(
                    "{who}: give either capex_yuan (with life_years) or annual_cost_yuan, not both"
                ),
            );
            (0.0, 0.0, 0.0, 0.0)
        }
        (None, Some(a)) => {
            ctx.non_negative(o, "annual_cost_yuan", a);
            cap(ctx, "annual_cost_yuan", a);
            for (field, v) in [
                ("life_years", c.life_years),
                ("opex_yuan_per_yr", c.opex_yuan_per_yr),
            ] {
                if v.is_some() {
                    ctx.err(
                        o,
                        field,
                        format!("{who}: {field} belongs with capex_yuan; with annual_cost_yuan give the whole annual cost there"),
                    );
                }
            }
            (0.0, 0.0, 0.0, a)
        }
        (Some(capex), None) => {
            ctx.non_negative(o, "capex_yuan", capex);
            let capped = cap(ctx, "capex_yuan", capex);
            let life = match c.life_years {
                Some(l) => {
                    ctx.positive(o, "life_years", l);
                    l
                }
                None => {
                    ctx.err(
                        o,
                        "capex_yuan",
                        format!("{who}: capex_yuan needs life_years to be annualised"),
                    );
                    0.0
                }
            };
            if rate.is_none() {
                ctx.err(
                    o,
                    "capex_yuan",
                    format!("{who}: capex_yuan needs [plan] discount_rate to be annualised"),
                );
            }
            let r = rate.unwrap_or(0.0);
            let ok = life > 0.0 && life.is_finite() && (0.0..=1.0).contains(&r);
            let annual = if ok { capex * crf(r, life) + opex } else { 0.0 };
            // A short life annualises a capped capex to much more.
            if ok
                && !capped
                && capex.is_finite()
                && (annual.is_nan() || annual > magnitudes::MAX_YUAN)
            {
                ctx.err(
                    o,
                    "life_years",
                    format!(
                        "{who}: capex_yuan {} over {} years annualises to {} yuan a year, above the cap of {} for a candidate's cost (see \"Caps\" in docs/format.md)",
                        num(capex),
                        num(life),
                        num(annual),
                        num(magnitudes::MAX_YUAN)
                    ),
                );
            }
            (capex, life, opex, annual)
        }
        (None, None) => {
            ctx.err(
                o,
                "",
                format!("{who} has no cost: give capex_yuan (with life_years) or annual_cost_yuan"),
            );
            (0.0, 0.0, 0.0, 0.0)
        }
    }
}

/// The candidate indices of `ids` (the `field` list of candidate `c`), each known and not
/// `c` itself.
fn references(
    ctx: &mut Ctx,
    ix: &std::collections::HashMap<String, usize>,
    c: &RawCandidate,
    o: &Origin,
    who: &str,
    field: &str,
    ids: &[String],
) -> Vec<usize> {
    let mut out = Vec::new();
    for (k, id) in ids.iter().enumerate() {
        let at = o.child(field, k);
        if *id == c.id {
            let what = if field == "excludes" {
                "excludes itself"
            } else {
                "requires itself"
            };
            ctx.err(&at, "", format!("{who} {what}"));
            continue;
        }
        if let Some(i) = lookup(ctx, ix, &at, "", who, "candidate", id) {
            if out.contains(&i) {
                ctx.err(&at, "", format!("{who} names candidate \"{id}\" twice"));
            } else {
                out.push(i);
            }
        }
    }
    out
}

/// `[[candidates.expand]]`: an existing consumer of the base scenario, a positive addition.
fn expansions(
    ctx: &mut Ctx,
    c: &RawCandidate,
    o: &Origin,
    who: &str,
    refs: &Refs,
    extra: &mut Extra,
) -> Vec<Effect> {
    let mut out = Vec::new();
    for (j, e) in c.expand.iter().enumerate() {
        let eo = o.child("expand", j);
        ctx.positive(&eo, "capacity_add", e.capacity_add);
        let k = lookup(
            ctx,
            &refs.consumers.ix,
            &eo,
            "consumer",
            who,
            "consumer",
            &e.consumer,
        );
        if let Some(k) = k {
            let base = refs.consumers.items.get(k).map_or(0.0, |x| x.capacity);
            extra.quantities.push((
                eo.clone(),
                "capacity_add".into(),
                "expanded capacity",
                base + e.capacity_add,
            ));
            out.push(Effect::Expand {
                consumer: ConsumerId(k),
                capacity_add: e.capacity_add,
            });
        }
    }
    out
}

/// `[[candidates.links]]`: two different known parks, a known mode, a positive distance.
fn links(
    ctx: &mut Ctx,
    c: &RawCandidate,
    o: &Origin,
    who: &str,
    refs: &Refs,
    extra: &mut Extra,
) -> Vec<Effect> {
    let mut out = Vec::new();
    for (j, l) in c.links.iter().enumerate() {
        let lo = o.child("links", j);
        ctx.positive(&lo, "km", l.km);
        let from = lookup(ctx, &refs.parks.ix, &lo, "from", who, "park", &l.from);
        let to = lookup(ctx, &refs.parks.ix, &lo, "to", who, "park", &l.to);
        let mode = lookup(
            ctx,
            &refs.modes.ix,
            &lo,
            "mode",
            who,
            "transport mode",
            &l.mode,
        );
        if from.is_some() && from == to {
            ctx.err(
                &lo,
                "to",
                format!(
                    "{who}: a link joins two different parks, not \"{}\" to itself",
                    l.to
                ),
            );
            continue;
        }
        if let (Some(from), Some(to), Some(mode)) = (from, to, mode) {
            extra.links.push((ModeId(mode), l.km, lo.clone()));
            out.push(Effect::Link {
                from: ParkId(from),
                to: ParkId(to),
                mode: ModeId(mode),
                km: l.km,
            });
        }
    }
    out
}

/// `[candidates.policy]`: at least one lever; ranges as in `[policy]`; known routes and solid
/// materials. Landfill fees of equal value become one lever.
fn levers(
    ctx: &mut Ctx,
    c: &RawCandidate,
    o: &Origin,
    who: &str,
    refs: &Refs,
    extra: &mut Extra,
) -> Vec<Effect> {
    let Some(p) = &c.policy else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let f = |name: &str| format!("policy.{name}");
    if p.env_tax_multiplier.is_none()
        && p.carbon_price_yuan_per_t.is_none()
        && p.route_subsidy_yuan_per_unit.is_empty()
        && p.landfill_fee_yuan_per_unit.is_empty()
    {
        ctx.err(
            o,
            "policy",
            format!("{who}: [candidates.policy] sets no lever (env_tax_multiplier, carbon_price_yuan_per_t, route_subsidy_yuan_per_unit, landfill_fee_yuan_per_unit)"),
        );
    }
    if let Some(v) = p.env_tax_multiplier {
        ctx.non_negative(o, &f("env_tax_multiplier"), v);
        out.push(Effect::Policy(Lever::EnvTaxMultiplier(v)));
    }
    if let Some(v) = p.carbon_price_yuan_per_t {
        ctx.finite(o, &f("carbon_price_yuan_per_t"), v);
        extra
            .money
            .push((o.clone(), f("carbon_price_yuan_per_t"), v));
        out.push(Effect::Policy(Lever::CarbonPrice(v)));
    }
    for (rid, &v) in &p.route_subsidy_yuan_per_unit {
        let field = f(&format!("route_subsidy_yuan_per_unit.{rid}"));
        ctx.finite(o, &field, v);
        if let Some(r) = lookup(ctx, &refs.routes.ix, o, &field, who, "route", rid) {
            extra.money.push((o.clone(), field, v));
            out.push(Effect::Policy(Lever::RouteSubsidy {
                route: RouteId(r),
                yuan_per_unit: v,
            }));
        }
    }
    let mut fees: BTreeMap<u64, (f64, Vec<MaterialId>)> = BTreeMap::new();
    let mut order: Vec<u64> = Vec::new();
    for (mid, &v) in &p.landfill_fee_yuan_per_unit {
        let field = f(&format!("landfill_fee_yuan_per_unit.{mid}"));
        ctx.non_negative(o, &field, v);
        let Some(m) = lookup(ctx, &refs.materials.ix, o, &field, who, "material", mid) else {
            continue;
        };
        let mat = &refs.materials.items[m];
        if mat.class != MaterialClass::Solid {
            ctx.err(
                o,
                &field,
                format!("{who}: a landfill fee applies to solid materials; \"{mid}\" is not one"),
            );
            continue;
        }
        extra
            .money
            .push((o.clone(), field, mat.storage_cost + v.max(0.0)));
        let key = v.to_bits();
        if !fees.contains_key(&key) {
            order.push(key);
        }
        fees.entry(key)
            .or_insert((v, Vec::new()))
            .1
            .push(MaterialId(m));
    }
    for key in order {
        let (v, materials) = fees.remove(&key).unwrap_or_default();
        out.push(Effect::Policy(Lever::LandfillFee {
            materials,
            yuan_per_unit: v,
        }));
    }
    out
}
