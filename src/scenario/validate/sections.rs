//! One function per scenario section: each checks its fields, pushing every problem into the
//! shared [`Ctx`], and returns its part of the model (with the origins later checks blame).
//! They run in document-independent but fixed order (see [`super::build`]); a section may
//! use the sections before it (ids of parks, materials, routes, modes).

use super::super::diag::num;
use super::super::schema::*;
use super::super::Origin;
use super::checks::{index_ids, item, lookup, top, untrimmed, Ctx};
use crate::model::text;
use crate::model::*;
use std::collections::{BTreeMap, HashMap};

/// A built list: its items, the origin of each, and the index of ids (all ids, also of items
/// dropped for bad references).
pub struct Built<T, O = Origin> {
    pub items: Vec<T>,
    pub origins: Vec<O>,
    pub ix: HashMap<String, usize>,
}

/// `[settings]`: the objective (`None` if unknown) and the range of every setting.
pub fn settings(ctx: &mut Ctx, s: &RawSettings) -> Option<Objective> {
    let so = top("settings");
    let objective = match s.objective.as_str() {
        "cost" => Some(Objective::Cost),
        "max_utilisation" | "max_utilization" => Some(Objective::MaxUtilisation),
        other => {
            ctx.err(
                &so,
                "objective",
                format!("unknown objective \"{other}\"; expected \"cost\" or \"max_utilisation\""),
            );
            None
        }
    };
    ctx.in_range(&so, "circuity", s.circuity, 1.0, 5.0);
    ctx.positive(&so, "same_park_km", s.same_park_km);
    ctx.positive(&so, "quantity_resolution", s.quantity_resolution);
    ctx.positive(&so, "cost_resolution_yuan", s.cost_resolution_yuan);
    objective
}

/// `[target]` rate (its scope needs the parks and materials: [`target_scope`]).
pub fn target_rate(ctx: &mut Ctx, t: &RawTarget) {
    ctx.in_range(&top("target"), "rate", t.rate, 0.0, 1.0);
}

/// `[scenario]`: name and year.
pub fn meta(ctx: &mut Ctx, m: &RawMeta) {
    if m.name.trim().is_empty() {
        ctx.err(&top("scenario"), "name", "must not be empty");
    }
    if !(1900..=2200).contains(&m.year) {
        ctx.err(
            &top("scenario"),
            "year",
            format!("year {} is out of range 1900–2200", m.year),
        );
    }
}

/// `[[parks]]` then the parks table: coordinates, landfill capacity, one level of parents.
pub fn parks(ctx: &mut Ctx, inline: &[RawPark], table: Vec<(RawPark, Origin)>) -> Built<Park> {
    let mut parks_raw: Vec<(RawPark, Origin)> = inline
        .iter()
        .enumerate()
        .map(|(i, p)| (p.clone(), item("parks", i)))
        .collect();
    parks_raw.extend(table);
    let park_ix = index_ids(
        ctx,
        "park",
        parks_raw.iter().map(|(p, o)| (p.id.as_str(), o)),
    );
    if parks_raw.is_empty() {
        ctx.err(&top("scenario"), "", "the scenario declares no parks");
    }
    let mut parks = Vec::new();
    for (p, o) in &parks_raw {
        ctx.in_range(o, "lat", p.lat, -90.0, 90.0);
        ctx.in_range(o, "lon", p.lon, -180.0, 180.0);
        if let Some(c) = p.landfill_capacity {
            ctx.non_negative(o, "landfill_capacity", c);
        }
        let parent = p.parent.as_ref().and_then(|pid| {
            let who = format!("park \"{}\"", text::short(&p.id));
            lookup(ctx, &park_ix, o, "parent", &who, "park", pid)
        });
        parks.push(Park {
            id: p.id.clone(),
            name: p.name.clone(),
            short_name: p.short_name.clone().unwrap_or_else(|| p.name.clone()),
            name_zh: p.name_zh.clone(),
            lat: p.lat,
            lon: p.lon,
            parent: parent.map(ParkId),
            landfill_capacity: p.landfill_capacity,
        });
    }
    for (i, (p, o)) in parks_raw.iter().enumerate() {
        if let Some(ParkId(q)) = parks[i].parent {
            if q == i || parks[q].parent.is_some() {
                ctx.err(o, "parent", format!("park \"{}\": a parent must be a consolidated park (one level of sub-blocks)", p.id));
            }
        }
    }
    Built {
        items: parks,
        origins: parks_raw.into_iter().map(|(_, o)| o).collect(),
        ix: park_ix,
    }
}

/// `[[materials]]`: class, unit of the class, per-unit costs.
pub fn materials(ctx: &mut Ctx, raw: &[RawMaterial]) -> Built<Material> {
    let origins: Vec<Origin> = (0..raw.len()).map(|i| item("materials", i)).collect();
    let ix = index_ids(
        ctx,
        "material",
        raw.iter().zip(&origins).map(|(m, o)| (m.id.as_str(), o)),
    );
    let mut materials = Vec::new();
    for (m, o) in raw.iter().zip(&origins) {
        let class = match m.class.as_str() {
            "solid" => MaterialClass::Solid,
            "hydrogen" => MaterialClass::Hydrogen,
            other => {
                ctx.err(
                    o,
                    "class",
                    format!("unknown class \"{other}\"; expected \"solid\" or \"hydrogen\""),
                );
                MaterialClass::Solid
            }
        };
        match (class, m.unit.as_str()) {
            (MaterialClass::Solid, "t") | (MaterialClass::Hydrogen, "kg") => {}
            (MaterialClass::Solid, u) => ctx.err(
                o,
                "unit",
                format!(
                    "solid materials are measured in t (the solids rate adds them up), not \"{u}\""
                ),
            ),
            (MaterialClass::Hydrogen, u) => ctx.err(
                o,
                "unit",
                format!("hydrogen is measured in kg, not \"{u}\""),
            ),
        }
        ctx.non_negative(
            o,
            "storage_cost_yuan_per_unit",
            m.storage_cost_yuan_per_unit,
        );
        ctx.non_negative(o, "env_tax_yuan_per_unit", m.env_tax_yuan_per_unit);
        materials.push(Material {
            id: m.id.clone(),
            name: m.name.clone(),
            class,
            unit: m.unit.clone(),
            grades: m.grades.clone(),
            storage_cost: m.storage_cost_yuan_per_unit,
            landfill_fee: 0.0,
            env_tax: m.env_tax_yuan_per_unit,
        });
    }
    if materials.is_empty() {
        ctx.err(&top("scenario"), "", "the scenario declares no materials");
    }
    Built {
        items: materials,
        origins,
        ix,
    }
}

/// `[[routes]]`: unique ids, known kinds.
pub fn routes(ctx: &mut Ctx, raw: &[RawRoute]) -> Built<Route> {
    let origins: Vec<Origin> = (0..raw.len()).map(|i| item("routes", i)).collect();
    let ix = index_ids(
        ctx,
        "route",
        raw.iter().zip(&origins).map(|(r, o)| (r.id.as_str(), o)),
    );
    let items = raw
        .iter()
        .zip(&origins)
        .map(|(r, o)| Route {
            id: r.id.clone(),
            name: r.name.clone(),
            kind: match r.kind.as_deref() {
                None => RouteKind::Utilisation,
                Some(k) => route_kind(ctx, o, "kind", k).unwrap_or(RouteKind::Utilisation),
            },
            load_factor: r.load_factor,
        })
        .collect();
    for (r, o) in raw.iter().zip(&origins) {
        ctx.in_range(o, "load_factor", r.load_factor, 0.0, 1.0);
    }
    Built { items, origins, ix }
}

/// `[[transport]]`: unit, one of the two cost forms, ranges, carried materials of its unit.
/// A mode without its own circuity takes `default_circuity` (the settings').
pub fn transport(
    ctx: &mut Ctx,
    raw: &[RawMode],
    materials: &Built<Material>,
    default_circuity: f64,
) -> Built<TransportMode> {
    let origins: Vec<Origin> = (0..raw.len()).map(|i| item("transport", i)).collect();
    let ix = index_ids(
        ctx,
        "transport mode",
        raw.iter().zip(&origins).map(|(m, o)| (m.id.as_str(), o)),
    );
    let mut modes = Vec::new();
    for (m, o) in raw.iter().zip(&origins) {
        if !matches!(m.unit.as_str(), "t" | "kg") {
            ctx.err(
                o,
                "unit",
                format!("unknown unit \"{}\"; expected \"t\" or \"kg\"", m.unit),
            );
        }
        let per_km = match (m.cost_yuan_per_unit_km, m.cost_yuan_per_unit_100km) {
            (Some(v), None) => {
                ctx.non_negative(o, "cost_yuan_per_unit_km", v);
                v
            }
            (None, Some(v)) => {
                ctx.non_negative(o, "cost_yuan_per_unit_100km", v);
                v / 100.0
            }
            (Some(_), Some(_)) => {
                ctx.err(
                    o,
                    "cost_yuan_per_unit_100km",
                    "give either cost_yuan_per_unit_km or cost_yuan_per_unit_100km, not both",
                );
                0.0
            }
            (None, None) => {
                ctx.err(o, "", format!("transport mode \"{}\" needs cost_yuan_per_unit_km or cost_yuan_per_unit_100km", m.id));
                0.0
            }
        };
        ctx.non_negative(o, "handling_yuan_per_unit", m.handling_yuan_per_unit);
        ctx.non_negative(o, "co2_kg_per_unit_km", m.co2_kg_per_unit_km);
        ctx.positive(o, "max_km", m.max_km);
        if let Some(c) = m.circuity {
            ctx.in_range(o, "circuity", c, 1.0, 5.0);
        }
        let who = format!("transport mode \"{}\"", text::short(&m.id));
        let mats: Vec<MaterialId> = m
            .materials
            .iter()
            .filter_map(|id| {
                lookup(ctx, &materials.ix, o, "materials", &who, "material", id).map(MaterialId)
            })
            .collect();
        for &mid in &mats {
            let mat = &materials.items[mid.0];
            if mat.unit != m.unit {
                ctx.err(
                    o,
                    "materials",
                    format!(
                        "{who} carries \"{}\" whose unit is {}, not the mode's {}",
                        mat.id, mat.unit, m.unit
                    ),
                );
            }
        }
        modes.push(TransportMode {
            id: m.id.clone(),
            name: m.name.clone().unwrap_or_else(|| m.id.clone()),
            unit: m.unit.clone(),
            materials: mats,
            cost_per_unit_km: per_km,
            handling_per_unit: m.handling_yuan_per_unit,
            co2_kg_per_unit_km: m.co2_kg_per_unit_km,
            max_km: m.max_km,
            circuity: m.circuity.unwrap_or(default_circuity),
        });
    }
    Built {
        items: modes,
        origins,
        ix,
    }
}

/// `[[distances]]`: known parks and mode, positive km, one distance per pair and mode.
pub fn distances(
    ctx: &mut Ctx,
    raw: &[RawDistance],
    park_ix: &HashMap<String, usize>,
    mode_ix: &HashMap<String, usize>,
) -> Vec<DistanceOverride> {
    let mut distances = Vec::new();
    let mut pairs: std::collections::HashSet<(usize, usize, Option<ModeId>)> =
        std::collections::HashSet::new();
    for (i, d) in raw.iter().enumerate() {
        let o = item("distances", i);
        ctx.positive(&o, "km", d.km);
        let who = format!("distance {}–{}", text::short(&d.from), text::short(&d.to));
        let from = lookup(ctx, park_ix, &o, "from", &who, "park", &d.from);
        let to = lookup(ctx, park_ix, &o, "to", &who, "park", &d.to);
        let mode = match &d.mode {
            Some(m) => {
                lookup(ctx, mode_ix, &o, "mode", &who, "transport mode", m).map(|x| Some(ModeId(x)))
            }
            None => Some(None),
        };
        if let (Some(f), Some(t), Some(mode)) = (from, to, mode) {
            if !pairs.insert((f.min(t), f.max(t), mode)) {
                ctx.err(
                    &o,
                    "to",
                    format!("{who}: a distance for this pair (and mode) is already given"),
                );
                continue;
            }
            distances.push(DistanceOverride {
                from: ParkId(f),
                to: ParkId(t),
                km: d.km,
                mode,
            });
        }
    }
    distances
}

/// A producer's origin and its quantity before growth.
pub type ProducerOrigin = (Origin, f64);

/// `[[producers]]` then the producers table: references, ranges, grade of the material, the
/// quantity grown from its base year to `year`. Producers with a bad park or material are
/// left out (their errors are recorded); each kept one's origin comes with its quantity
/// before growth. Also returns each kept producer's growth rate and the years it grows over.
pub fn producers(
    ctx: &mut Ctx,
    inline: &[RawProducer],
    table: Vec<(RawProducer, Origin)>,
    parks: &Built<Park>,
    materials: &Built<Material>,
    year: i32,
) -> (Built<Producer, ProducerOrigin>, Vec<(f64, i32)>) {
    let mut prods_raw: Vec<(RawProducer, Origin)> = inline
        .iter()
        .enumerate()
        .map(|(i, p)| (p.clone(), item("producers", i)))
        .collect();
    prods_raw.extend(table);
    // Canonical order: by id (stable, so duplicates keep their declaration order for the
    // message). Nothing downstream depends on the order the rows were typed in.
    prods_raw.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    let ix = index_ids(
        ctx,
        "producer",
        prods_raw.iter().map(|(p, o)| (p.id.as_str(), o)),
    );
    let mut producers = Vec::new();
    let mut origins: Vec<(Origin, f64)> = Vec::new();
    let mut growth = Vec::new();
    for (p, o) in prods_raw {
        let who = format!("producer \"{}\"", text::short(&p.id));
        let park = lookup(ctx, &parks.ix, &o, "park", &who, "park", &p.park);
        let mat = lookup(
            ctx,
            &materials.ix,
            &o,
            "material",
            &who,
            "material",
            &p.material,
        );
        ctx.non_negative(&o, "quantity", p.quantity);
        ctx.non_negative(&o, "stockpile", p.stockpile);
        ctx.non_negative(
            &o,
            "reclaim_cost_yuan_per_unit",
            p.reclaim_cost_yuan_per_unit,
        );
        if ctx.finite(&o, "growth_rate", p.growth_rate) && p.growth_rate <= -1.0 {
            ctx.err(
                &o,
                "growth_rate",
                format!("must be above -1, got {}", num(p.growth_rate)),
            );
        }
        ctx.attrs(&o, "attrs", &p.attrs);
        if let (Some(m), Some(g)) = (mat, &p.grade) {
            let grades = &materials.items[m].grades;
            if !grades.contains(g) {
                ctx.err(
                    &o,
                    "grade",
                    format!(
                        "{who}: grade \"{g}\" is not a grade of material \"{}\" ({})",
                        materials.items[m].id,
                        if grades.is_empty() {
                            "it has none".to_string()
                        } else {
                            grades.join(", ")
                        }
                    ),
                );
            }
        }
        if let Some(b) = p.base_year {
            if !(1900..=2200).contains(&b) {
                ctx.err(
                    &o,
                    "base_year",
                    format!("base year {b} is out of range 1900–2200"),
                );
            }
        }
        let base = p
            .base_year
            .filter(|b| (1900..=2200).contains(b))
            .unwrap_or(year);
        let years = year.saturating_sub(base);
        let quantity = p.quantity * (1.0 + p.growth_rate).powi(years);
        if let (Some(park), Some(mat)) = (park, mat) {
            origins.push((o, p.quantity));
            growth.push((p.growth_rate, years));
            producers.push(Producer {
                name: p.name.unwrap_or_else(|| p.id.clone()),
                id: p.id,
                park: ParkId(park),
                material: MaterialId(mat),
                quantity,
                grade: p.grade,
                attrs: p.attrs,
                stockpile: p.stockpile,
                reclaim_cost: p.reclaim_cost_yuan_per_unit,
            });
        }
    }
    (
        Built {
            items: producers,
            origins,
            ix,
        },
        growth,
    )
}

/// A consumer's origin and those of its (kept) intakes.
pub type ConsumerOrigins = (Origin, Vec<IntakeOrigin>);

/// Where a kept intake came from, and whether it gives its own CO2 factor (else the
/// consumer's applies).
#[derive(Clone)]
pub struct IntakeOrigin {
    pub origin: Origin,
    pub own_co2: bool,
}

/// `[[consumers]]` then the consumers table: references, ranges, and each intake
/// ([`intakes`]). Consumers with a bad park or route are left out.
pub fn consumers(
    ctx: &mut Ctx,
    inline: &[RawConsumer],
    table: Vec<(RawConsumer, Origin, Vec<Origin>)>,
    parks: &Built<Park>,
    materials: &Built<Material>,
    routes: &Built<Route>,
) -> Built<Consumer, ConsumerOrigins> {
    let mut cons_raw: Vec<(RawConsumer, Origin, Vec<Origin>)> = inline
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let o = item("consumers", i);
            let intakes = (0..c.accepts.len())
                .map(|j| o.child("accepts", j))
                .collect();
            (c.clone(), o, intakes)
        })
        .collect();
    cons_raw.extend(table);
    // Canonical order: consumers by id, each one's intakes by material id (stable).
    cons_raw.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    for (c, _, intake_origins) in &mut cons_raw {
        sort_intakes(c, intake_origins);
    }
    let ix = index_ids(
        ctx,
        "consumer",
        cons_raw.iter().map(|(c, o, _)| (c.id.as_str(), o)),
    );
    let mut consumers = Vec::new();
    let mut origins: Vec<ConsumerOrigins> = Vec::new();
    for (c, o, intake_origins) in cons_raw {
        let who = format!("consumer \"{}\"", text::short(&c.id));
        let park = lookup(ctx, &parks.ix, &o, "park", &who, "park", &c.park);
        let route = lookup(ctx, &routes.ix, &o, "route", &who, "route", &c.route);
        ctx.non_negative(&o, "capacity", c.capacity);
        ctx.finite(
            &o,
            "processing_cost_yuan_per_unit",
            c.processing_cost_yuan_per_unit,
        );
        ctx.non_negative(&o, "co2_avoided_t_per_unit", c.co2_avoided_t_per_unit);
        if let Some(lf) = c.load_factor {
            ctx.in_range(&o, "load_factor", lf, 0.0, 1.0);
        }
        if c.accepts.is_empty() {
            ctx.err(&o, "accepts", format!("{who} accepts no material"));
        }
        let (groups, group_ix) = super::groups::groups(ctx, &c, &who, &o);
        let (intakes, intake_origins) = intakes(
            ctx,
            &c,
            &who,
            intake_origins,
            materials,
            (&groups, &group_ix),
        );
        if let (Some(park), Some(route)) = (park, route) {
            origins.push((o, intake_origins));
            consumers.push(Consumer {
                name: c.name.unwrap_or_else(|| c.id.clone()),
                id: c.id,
                park: ParkId(park),
                route: RouteId(route),
                capacity: c.capacity,
                load_factor: c.load_factor.unwrap_or(routes.items[route].load_factor),
                processing_cost: c.processing_cost_yuan_per_unit,
                intakes,
                groups,
            });
        }
    }
    Built {
        items: consumers,
        origins,
        ix,
    }
}

/// Sorts the intakes of `c` (and their origins, alongside) by material id, stably.
fn sort_intakes(c: &mut RawConsumer, origins: &mut Vec<Origin>) {
    if c.accepts.windows(2).all(|w| w[0].material <= w[1].material) {
        return;
    }
    let mut pairs: Vec<(RawIntake, Origin)> = std::mem::take(&mut c.accepts)
        .into_iter()
        .zip(std::mem::take(origins))
        .collect();
    pairs.sort_by(|a, b| a.0.material.cmp(&b.0.material));
    (c.accepts, *origins) = pairs.into_iter().unzip();
}

/// The `accepts` of consumer `c` (`who`): known materials of one unit, their grades, ranges,
/// the limits (`max` and `max_share` of the capacity in force: the tighter applies), the group.
/// Intakes of an unknown material are left out; returns the kept intakes with their origins.
fn intakes(
    ctx: &mut Ctx,
    c: &RawConsumer,
    who: &str,
    origins: Vec<Origin>,
    materials: &Built<Material>,
    (groups, group_ix): (&[IntakeGroup], &HashMap<String, usize>),
) -> (Vec<Intake>, Vec<IntakeOrigin>) {
    let mut intakes = Vec::new();
    let mut kept: Vec<IntakeOrigin> = Vec::new();
    let mut unit: Option<String> = None;
    let mut seen: HashMap<usize, Origin> = HashMap::new();
    for (a, io) in c.accepts.iter().zip(origins) {
        let Some(m) = lookup(
            ctx,
            &materials.ix,
            &io,
            "material",
            who,
            "material",
            &a.material,
        ) else {
            continue;
        };
        let mat = &materials.items[m];
        // A material listed twice would add its two limits up (or the capacity twice).
        if let Some(first) = seen.get(&m) {
            let at = ctx.position(first, "material");
            ctx.err(
                &io,
                "material",
                format!(
                    "{who} accepts material \"{}\" twice (first at {at}); give one entry per material",
                    mat.id
                ),
            );
            continue;
        }
        seen.insert(m, io.clone());
        match &unit {
            None => unit = Some(mat.unit.clone()),
            Some(u) if *u != mat.unit => {
                ctx.err(
                    &io,
                    "material",
                    format!(
                        "{who} mixes units: \"{}\" is in {}, earlier materials in {u}",
                        mat.id, mat.unit
                    ),
                );
            }
            _ => {}
        }
        for g in &a.grades {
            if !mat.grades.contains(g) {
                ctx.err(
                    &io,
                    "grades",
                    format!(
                        "{who}: grade \"{g}\" is not a grade of material \"{}\"",
                        mat.id
                    ),
                );
            }
        }
        if let Some(mx) = a.max {
            ctx.non_negative(&io, "max", mx);
        }
        if let Some(sh) = a.max_share {
            ctx.in_range(&io, "max_share", sh, 0.0, 1.0);
        }
        ctx.finite(&io, "gate_price_yuan_per_unit", a.gate_price_yuan_per_unit);
        if let Some(co2) = a.co2_avoided_t_per_unit {
            ctx.non_negative(&io, "co2_avoided_t_per_unit", co2);
        }
        ctx.attrs(&io, "min_attrs", &a.min_attrs);
        ctx.attrs(&io, "max_attrs", &a.max_attrs);
        let group = super::groups::member_of(ctx, a, who, &io, groups, group_ix);
        kept.push(IntakeOrigin {
            origin: io,
            own_co2: a.co2_avoided_t_per_unit.is_some(),
        });
        intakes.push(Intake {
            material: MaterialId(m),
            grades: a.grades.clone(),
            max: a.max,
            max_share: a.max_share,
            group,
            gate_price: a.gate_price_yuan_per_unit,
            co2_avoided_per_unit: a.co2_avoided_t_per_unit.unwrap_or(c.co2_avoided_t_per_unit),
            min_attrs: a.min_attrs.clone(),
            max_attrs: a.max_attrs.clone(),
        });
    }
    (intakes, kept)
}

/// `[policy]`: ranges of the multipliers and carbon price; subsidies of known routes.
pub fn policy(ctx: &mut Ctx, p: &RawPolicy, route_ix: &HashMap<String, usize>) -> Policy {
    let po = top("policy");
    ctx.finite(&po, "carbon_price_yuan_per_t", p.carbon_price_yuan_per_t);
    ctx.non_negative(&po, "env_tax_multiplier", p.env_tax_multiplier);
    ctx.non_negative(&po, "storage_cost_multiplier", p.storage_cost_multiplier);
    ctx.non_negative(
        &po,
        "transport_cost_multiplier",
        p.transport_cost_multiplier,
    );
    let mut route_subsidy = BTreeMap::new();
    for (rid, &v) in &p.route_subsidy_yuan_per_unit {
        let field = format!("route_subsidy_yuan_per_unit.{rid}");
        ctx.finite(&po, &field, v);
        if rid.trim() != rid {
            ctx.err(
                &po,
                &field,
                format!("policy names {}", untrimmed("route", rid)),
            );
        } else if let Some(r) = route_ix.get(rid) {
            route_subsidy.insert(RouteId(*r), v);
        } else {
            ctx.err(
                &po,
                &field,
                format!(
                    "policy names route \"{rid}\", which does not exist{}",
                    super::super::diag::suggest(rid, route_ix.keys().map(String::as_str))
                        .map(|k| format!("; did you mean \"{k}\"?"))
                        .unwrap_or_default()
                ),
            );
        }
    }
    Policy {
        carbon_price: p.carbon_price_yuan_per_t,
        env_tax_multiplier: p.env_tax_multiplier,
        storage_cost_multiplier: p.storage_cost_multiplier,
        transport_cost_multiplier: p.transport_cost_multiplier,
        route_subsidy,
        allow_dumping: p.allow_dumping,
    }
}

/// A route kind by name, or an error at `field` listing the kinds.
fn route_kind(ctx: &mut Ctx, o: &Origin, field: &str, name: &str) -> Option<RouteKind> {
    let k = RouteKind::parse(name);
    if k.is_none() {
        let known: Vec<&str> = RouteKind::ALL.iter().map(|k| k.as_str()).collect();
        let known = known.join("\", \"");
        ctx.err(
            o,
            field,
            format!("unknown route kind \"{name}\"; expected one of \"{known}\""),
        );
    }
    k
}

/// `[target]` accounting: a named rule, or an explicit list of counted route kinds (not
/// both); the Chinese statistical convention by default.
pub fn target_accounting(ctx: &mut Ctx, t: &RawTarget) -> Accounting {
    let to = top("target");
    match (&t.accounting, &t.counts) {
        (Some(_), Some(_)) => {
            ctx.err(
                &to,
                "counts",
                "give either `accounting` (a named rule) or `counts` (a list of route kinds), not both",
            );
            Accounting::default()
        }
        (Some(name), None) => Accounting::named(name).unwrap_or_else(|| {
            ctx.err(
                &to,
                "accounting",
                format!(
                    "unknown accounting rule \"{name}\"; expected \"china_statistical\" or \"strict\" (or give `counts`)"
                ),
            );
            Accounting::default()
        }),
        (None, Some(list)) => {
            let mut counts = [false; 5];
            for name in list {
                if let Some(k) = route_kind(ctx, &to, "counts", name) {
                    counts[k.index()] = true;
                }
            }
            // A list equal to a named rule is that rule.
            let rule = ["china_statistical", "strict"]
                .into_iter()
                .find(|r| Accounting::named(r).is_some_and(|a| a.counts == counts))
                .unwrap_or("custom");
            Accounting {
                rule: rule.to_string(),
                counts,
            }
        }
        (None, None) => Accounting::default(),
    }
}

/// The target's scope must hold solid tonnes: some producer of a solid in it with a positive
/// quantity or stockpile. An empty scope has no rate (0 of 0 tonnes), so no target can be met
/// or missed there: it is an error, not a target met without any flow.
pub fn scope_holds_solids(
    ctx: &mut Ctx,
    scope: &TargetScope,
    producers: &[Producer],
    materials: &[Material],
    parks: &[Park],
) {
    let holds = producers.iter().any(|p| {
        let solid = materials[p.material.0].class == MaterialClass::Solid;
        let inside = match scope {
            TargetScope::AllSolids => true,
            TargetScope::Material(m) => p.material == *m,
            TargetScope::Park(k) => p.park == *k || parks[p.park.0].parent == Some(*k),
        };
        // (A negative or non-finite value is reported on its own: not empty here.)
        solid && inside && !(p.quantity == 0.0 && p.stockpile == 0.0)
    });
    if !holds {
        ctx.err(
            &top("target"),
            "scope",
            "the target's scope holds no solid waste: nothing to measure (no producer of a solid in it has a positive quantity or stockpile)",
        );
    }
}

/// `[target]` scope: all solids, one solid material, or one park (`None` if invalid).
pub fn target_scope(
    ctx: &mut Ctx,
    t: &RawTarget,
    materials: &Built<Material>,
    park_ix: &HashMap<String, usize>,
) -> Option<TargetScope> {
    let to = top("target");
    match t.scope.split_once(':') {
        None if t.scope == "solids" => Some(TargetScope::AllSolids),
        Some(("material", id)) => match materials.ix.get(id) {
            Some(&m) if materials.items[m].class == MaterialClass::Solid => {
                Some(TargetScope::Material(MaterialId(m)))
            }
            Some(_) => {
                ctx.err(&to, "scope", format!("target scope names \"{id}\", which is not a solid material (hydrogen has its own balance)"));
                None
            }
            None => lookup(
                ctx,
                &materials.ix,
                &to,
                "scope",
                "target scope",
                "material",
                id,
            )
            .map(|m| TargetScope::Material(MaterialId(m))),
        },
        Some(("park", id)) => lookup(ctx, park_ix, &to, "scope", "target scope", "park", id)
            .map(|p| TargetScope::Park(ParkId(p))),
        _ => {
            ctx.err(
                &to,
                "scope",
                format!(
                    "unknown scope \"{}\"; expected \"solids\", \"material:<id>\" or \"park:<id>\"",
                    t.scope
                ),
            );
            None
        }
    }
}
