//! Semantic validation: every problem collected, then the model built.

use super::diag::{CsvSource, Diagnostic, Seg, TomlSource};
use super::schema::*;
use super::Origin;
use crate::model::*;
use std::collections::{BTreeMap, HashMap};

/// Items read from CSV tables, with their origins.
#[derive(Default)]
pub struct Tables {
    pub parks: Vec<(RawPark, Origin)>,
    pub producers: Vec<(RawProducer, Origin)>,
    pub consumers: Vec<(RawConsumer, Origin, Vec<Origin>)>,
}

pub struct Ctx<'a> {
    pub toml: &'a TomlSource<'a>,
    pub csvs: &'a [CsvSource],
    pub diags: Vec<Diagnostic>,
}

/// Largest integer flow or cost magnitude the scenario may produce (2^40), leaving head room
/// below the solver's 2^50 limit for sums along paths.
const MAX_SCALED: f64 = (1u64 << 40) as f64;

impl Ctx<'_> {
    /// Records `message` about `field` (a dotted key path, relative to the item) of an item.
    fn err(&mut self, origin: &Origin, field: &str, message: impl Into<String>) {
        match origin {
            Origin::Toml(path) => {
                let mut p = path.clone();
                for part in field.split('.').filter(|s| !s.is_empty()) {
                    p.push(Seg::Key(part.to_string()));
                }
                self.diags.push(self.toml.diag(&p, message));
            }
            Origin::Csv {
                file,
                line,
                columns,
            } => {
                let csv = &self.csvs[*file];
                let col = field.rsplit('.').next().unwrap_or(field);
                let idx = columns
                    .iter()
                    .position(|c| c == col || c.ends_with(&format!(":{col}")))
                    .unwrap_or(0);
                let name = columns.get(idx).cloned().unwrap_or_else(|| col.to_string());
                self.diags.push(csv.diag(*line, idx, &name, message));
            }
        }
    }

    fn finite(&mut self, o: &Origin, field: &str, v: f64) -> bool {
        if v.is_finite() {
            true
        } else {
            self.err(o, field, format!("must be a finite number, got {v}"));
            false
        }
    }

    fn non_negative(&mut self, o: &Origin, field: &str, v: f64) {
        if self.finite(o, field, v) && v < 0.0 {
            self.err(o, field, format!("must not be negative, got {v}"));
        }
    }

    fn positive(&mut self, o: &Origin, field: &str, v: f64) {
        if self.finite(o, field, v) && v <= 0.0 {
            self.err(o, field, format!("must be positive, got {v}"));
        }
    }

    fn in_range(&mut self, o: &Origin, field: &str, v: f64, lo: f64, hi: f64) {
        if self.finite(o, field, v) && !(lo..=hi).contains(&v) {
            self.err(o, field, format!("must lie in [{lo}, {hi}], got {v}"));
        }
    }
}

fn top(path: &str) -> Origin {
    Origin::Toml(path.split('.').map(|k| Seg::Key(k.to_string())).collect())
}

fn item(list: &str, i: usize) -> Origin {
    Origin::Toml(vec![Seg::Key(list.to_string()), Seg::Index(i)])
}

/// Index of ids with duplicate detection.
fn index_ids<'a, T>(
    ctx: &mut Ctx,
    kind: &str,
    items: impl Iterator<Item = (&'a str, &'a Origin, T)>,
) -> HashMap<String, usize> {
    let mut map = HashMap::new();
    for (i, (id, origin, _)) in items.enumerate() {
        if id.is_empty() {
            ctx.err(origin, "id", format!("{kind} id must not be empty"));
        } else if map.insert(id.to_string(), i).is_some() {
            ctx.err(origin, "id", format!("duplicate {kind} id \"{id}\""));
        }
    }
    map
}

/// Resolves a reference, recording an error naming the referring item if it is missing.
fn lookup(
    ctx: &mut Ctx,
    map: &HashMap<String, usize>,
    o: &Origin,
    field: &str,
    who: &str,
    kind: &str,
    id: &str,
) -> Option<usize> {
    match map.get(id) {
        Some(&i) => Some(i),
        None => {
            let mut known: Vec<&String> = map.keys().collect();
            known.sort();
            let hint = if known.len() <= 12 {
                format!(
                    " (known: {})",
                    known
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else {
                String::new()
            };
            ctx.err(
                o,
                field,
                format!("{who} names {kind} \"{id}\", which does not exist{hint}"),
            );
            None
        }
    }
}

fn check_attrs(ctx: &mut Ctx, o: &Origin, field: &str, attrs: &BTreeMap<String, f64>) {
    for (k, &v) in attrs {
        ctx.finite(o, &format!("{field}.{k}"), v);
    }
}

/// Validates everything and builds the region; `None` if anything failed.
pub fn build(raw: &RawScenario, tables: Tables, ctx: &mut Ctx) -> Option<Region> {
    // --- settings, target, meta -----------------------------------------------------------
    let s = &raw.settings;
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
    let to = top("target");
    ctx.in_range(&to, "rate", raw.target.rate, 0.0, 1.0);
    if raw.scenario.name.trim().is_empty() {
        ctx.err(&top("scenario"), "name", "must not be empty");
    }
    if !(1900..=2200).contains(&raw.scenario.year) {
        ctx.err(
            &top("scenario"),
            "year",
            format!("year {} is out of range 1900–2200", raw.scenario.year),
        );
    }

    // --- parks ------------------------------------------------------------------------------
    let mut parks_raw: Vec<(RawPark, Origin)> = raw
        .parks
        .iter()
        .enumerate()
        .map(|(i, p)| (p.clone(), item("parks", i)))
        .collect();
    parks_raw.extend(tables.parks);
    let park_ix = index_ids(
        ctx,
        "park",
        parks_raw.iter().map(|(p, o)| (p.id.as_str(), o, ())),
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
            let who = format!("park \"{}\"", p.id);
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

    // --- materials --------------------------------------------------------------------------
    let mat_origins: Vec<Origin> = (0..raw.materials.len())
        .map(|i| item("materials", i))
        .collect();
    let mat_ix = index_ids(
        ctx,
        "material",
        raw.materials
            .iter()
            .zip(&mat_origins)
            .map(|(m, o)| (m.id.as_str(), o, ())),
    );
    let mut materials = Vec::new();
    for (m, o) in raw.materials.iter().zip(&mat_origins) {
        let o = o.clone();
        let class = match m.class.as_str() {
            "solid" => MaterialClass::Solid,
            "hydrogen" => MaterialClass::Hydrogen,
            other => {
                ctx.err(
                    &o,
                    "class",
                    format!("unknown class \"{other}\"; expected \"solid\" or \"hydrogen\""),
                );
                MaterialClass::Solid
            }
        };
        match (class, m.unit.as_str()) {
            (MaterialClass::Solid, "t") | (MaterialClass::Hydrogen, "kg") => {}
            (MaterialClass::Solid, u) => ctx.err(
                &o,
                "unit",
                format!(
                    "solid materials are measured in t (the solids rate adds them up), not \"{u}\""
                ),
            ),
            (MaterialClass::Hydrogen, u) => ctx.err(
                &o,
                "unit",
                format!("hydrogen is measured in kg, not \"{u}\""),
            ),
        }
        ctx.non_negative(
            &o,
            "storage_cost_yuan_per_unit",
            m.storage_cost_yuan_per_unit,
        );
        ctx.non_negative(&o, "env_tax_yuan_per_unit", m.env_tax_yuan_per_unit);
        materials.push(Material {
            id: m.id.clone(),
            name: m.name.clone(),
            class,
            unit: m.unit.clone(),
            grades: m.grades.clone(),
            storage_cost: m.storage_cost_yuan_per_unit,
            env_tax: m.env_tax_yuan_per_unit,
        });
    }
    if materials.is_empty() {
        ctx.err(&top("scenario"), "", "the scenario declares no materials");
    }

    // --- routes -----------------------------------------------------------------------------
    let route_origins: Vec<Origin> = (0..raw.routes.len()).map(|i| item("routes", i)).collect();
    let route_ix = index_ids(
        ctx,
        "route",
        raw.routes
            .iter()
            .zip(&route_origins)
            .map(|(r, o)| (r.id.as_str(), o, ())),
    );
    let routes: Vec<Route> = raw
        .routes
        .iter()
        .map(|r| Route {
            id: r.id.clone(),
            name: r.name.clone(),
        })
        .collect();

    // --- transport modes ----------------------------------------------------------------------
    let mode_origins: Vec<Origin> = (0..raw.transport.len())
        .map(|i| item("transport", i))
        .collect();
    let mode_ix = index_ids(
        ctx,
        "transport mode",
        raw.transport
            .iter()
            .zip(&mode_origins)
            .map(|(m, o)| (m.id.as_str(), o, ())),
    );
    let mut modes = Vec::new();
    for (m, o) in raw.transport.iter().zip(&mode_origins) {
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
        let who = format!("transport mode \"{}\"", m.id);
        let mats: Vec<MaterialId> = m
            .materials
            .iter()
            .filter_map(|id| {
                lookup(ctx, &mat_ix, o, "materials", &who, "material", id).map(MaterialId)
            })
            .collect();
        for &mid in &mats {
            if materials[mid.0].unit != m.unit {
                ctx.err(
                    o,
                    "materials",
                    format!(
                        "{who} carries \"{}\" whose unit is {}, not the mode's {}",
                        materials[mid.0].id, materials[mid.0].unit, m.unit
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
            circuity: m.circuity.unwrap_or(s.circuity),
        });
    }

    // --- distances ----------------------------------------------------------------------------
    let mut distances = Vec::new();
    for (i, d) in raw.distances.iter().enumerate() {
        let o = item("distances", i);
        ctx.positive(&o, "km", d.km);
        let who = format!("distance {}–{}", d.from, d.to);
        let from = lookup(ctx, &park_ix, &o, "from", &who, "park", &d.from);
        let to = lookup(ctx, &park_ix, &o, "to", &who, "park", &d.to);
        let mode = match &d.mode {
            Some(m) => lookup(ctx, &mode_ix, &o, "mode", &who, "transport mode", m)
                .map(|x| Some(ModeId(x))),
            None => Some(None),
        };
        if let (Some(f), Some(t), Some(mode)) = (from, to, mode) {
            let same = |d: &DistanceOverride| {
                d.mode == mode && ((d.from.0, d.to.0) == (f, t) || (d.from.0, d.to.0) == (t, f))
            };
            if distances.iter().any(same) {
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

    // --- producers ------------------------------------------------------------------------------
    let mut prods_raw: Vec<(RawProducer, Origin)> = raw
        .producers
        .iter()
        .enumerate()
        .map(|(i, p)| (p.clone(), item("producers", i)))
        .collect();
    prods_raw.extend(tables.producers);
    let _ = index_ids(
        ctx,
        "producer",
        prods_raw.iter().map(|(p, o)| (p.id.as_str(), o, ())),
    );
    let year = raw.scenario.year;
    let mut producers = Vec::new();
    let mut producer_origins: Vec<&Origin> = Vec::new();
    for (p, o) in &prods_raw {
        let who = format!("producer \"{}\"", p.id);
        let park = lookup(ctx, &park_ix, o, "park", &who, "park", &p.park);
        let mat = lookup(ctx, &mat_ix, o, "material", &who, "material", &p.material);
        ctx.non_negative(o, "quantity", p.quantity);
        ctx.non_negative(o, "stockpile", p.stockpile);
        ctx.non_negative(
            o,
            "reclaim_cost_yuan_per_unit",
            p.reclaim_cost_yuan_per_unit,
        );
        if ctx.finite(o, "growth_rate", p.growth_rate) && p.growth_rate <= -1.0 {
            ctx.err(
                o,
                "growth_rate",
                format!("must be above -1, got {}", p.growth_rate),
            );
        }
        check_attrs(ctx, o, "attrs", &p.attrs);
        if let (Some(m), Some(g)) = (mat, &p.grade) {
            let grades = &materials[m].grades;
            if !grades.contains(g) {
                ctx.err(
                    o,
                    "grade",
                    format!(
                        "{who}: grade \"{g}\" is not a grade of material \"{}\" ({})",
                        materials[m].id,
                        if grades.is_empty() {
                            "it has none".to_string()
                        } else {
                            grades.join(", ")
                        }
                    ),
                );
            }
        }
        let base = p.base_year.unwrap_or(year);
        let quantity = p.quantity * (1.0 + p.growth_rate).powi(year - base);
        if let (Some(park), Some(mat)) = (park, mat) {
            producer_origins.push(o);
            producers.push(Producer {
                id: p.id.clone(),
                name: p.name.clone().unwrap_or_else(|| p.id.clone()),
                park: ParkId(park),
                material: MaterialId(mat),
                quantity,
                grade: p.grade.clone(),
                attrs: p.attrs.clone(),
                stockpile: p.stockpile,
                reclaim_cost: p.reclaim_cost_yuan_per_unit,
            });
        }
    }

    // --- consumers --------------------------------------------------------------------------------
    let mut cons_raw: Vec<(RawConsumer, Origin, Vec<Origin>)> = raw
        .consumers
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
    cons_raw.extend(tables.consumers);
    let _ = index_ids(
        ctx,
        "consumer",
        cons_raw.iter().map(|(c, o, _)| (c.id.as_str(), o, ())),
    );
    let mut consumers = Vec::new();
    let mut consumer_origins: Vec<(&Origin, Vec<&Origin>)> = Vec::new();
    for (c, o, intake_origins) in &cons_raw {
        let who = format!("consumer \"{}\"", c.id);
        let park = lookup(ctx, &park_ix, o, "park", &who, "park", &c.park);
        let route = lookup(ctx, &route_ix, o, "route", &who, "route", &c.route);
        ctx.non_negative(o, "capacity", c.capacity);
        ctx.finite(
            o,
            "processing_cost_yuan_per_unit",
            c.processing_cost_yuan_per_unit,
        );
        ctx.non_negative(o, "co2_avoided_t_per_unit", c.co2_avoided_t_per_unit);
        if c.accepts.is_empty() {
            ctx.err(o, "accepts", format!("{who} accepts no material"));
        }
        let mut intakes = Vec::new();
        let mut intake_origins_ok: Vec<&Origin> = Vec::new();
        let mut unit: Option<String> = None;
        for (a, io) in c.accepts.iter().zip(intake_origins) {
            let Some(m) = lookup(ctx, &mat_ix, io, "material", &who, "material", &a.material)
            else {
                continue;
            };
            let mat = &materials[m];
            match &unit {
                None => unit = Some(mat.unit.clone()),
                Some(u) if *u != mat.unit => {
                    ctx.err(
                        io,
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
                        io,
                        "grades",
                        format!(
                            "{who}: grade \"{g}\" is not a grade of material \"{}\"",
                            mat.id
                        ),
                    );
                }
            }
            if let Some(mx) = a.max {
                ctx.non_negative(io, "max", mx);
            }
            if let Some(sh) = a.max_share {
                ctx.in_range(io, "max_share", sh, 0.0, 1.0);
            }
            ctx.finite(io, "gate_price_yuan_per_unit", a.gate_price_yuan_per_unit);
            if let Some(co2) = a.co2_avoided_t_per_unit {
                ctx.non_negative(io, "co2_avoided_t_per_unit", co2);
            }
            check_attrs(ctx, io, "min_attrs", &a.min_attrs);
            check_attrs(ctx, io, "max_attrs", &a.max_attrs);
            let share_cap = a.max_share.map(|sh| sh * c.capacity);
            let max = match (a.max, share_cap) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y),
            };
            intake_origins_ok.push(io);
            intakes.push(Intake {
                material: MaterialId(m),
                grades: a.grades.clone(),
                max,
                gate_price: a.gate_price_yuan_per_unit,
                co2_avoided_per_unit: a.co2_avoided_t_per_unit.unwrap_or(c.co2_avoided_t_per_unit),
                min_attrs: a.min_attrs.clone(),
                max_attrs: a.max_attrs.clone(),
            });
        }
        if let (Some(park), Some(route)) = (park, route) {
            consumer_origins.push((o, intake_origins_ok));
            consumers.push(Consumer {
                id: c.id.clone(),
                name: c.name.clone().unwrap_or_else(|| c.id.clone()),
                park: ParkId(park),
                route: RouteId(route),
                capacity: c.capacity,
                processing_cost: c.processing_cost_yuan_per_unit,
                intakes,
            });
        }
    }

    // --- policy -------------------------------------------------------------------------------------
    let po = top("policy");
    let p = &raw.policy;
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
        if let Some(r) = route_ix.get(rid) {
            route_subsidy.insert(RouteId(*r), v);
        } else {
            ctx.err(
                &po,
                &field,
                format!("policy names route \"{rid}\", which does not exist"),
            );
        }
    }

    // --- target scope -------------------------------------------------------------------------------
    let scope = match raw.target.scope.split_once(':') {
        None if raw.target.scope == "solids" => Some(TargetScope::AllSolids),
        Some(("material", id)) => match mat_ix.get(id) {
            Some(&m) if materials[m].class == MaterialClass::Solid => {
                Some(TargetScope::Material(MaterialId(m)))
            }
            Some(_) => {
                ctx.err(&to, "scope", format!("target scope names \"{id}\", which is not a solid material (hydrogen has its own balance)"));
                None
            }
            None => lookup(ctx, &mat_ix, &to, "scope", "target scope", "material", id)
                .map(|m| TargetScope::Material(MaterialId(m))),
        },
        Some(("park", id)) => lookup(ctx, &park_ix, &to, "scope", "target scope", "park", id)
            .map(|p| TargetScope::Park(ParkId(p))),
        _ => {
            ctx.err(
                &to,
                "scope",
                format!(
                    "unknown scope \"{}\"; expected \"solids\", \"material:<id>\" or \"park:<id>\"",
                    raw.target.scope
                ),
            );
            None
        }
    };

    // --- integer ranges for the solver ------------------------------------------------------
    // Every quantity and every per-unit arc cost must stay within 2^40 after scaling, so that
    // sums along paths stay far from the solver's limits. Each excess is reported on its field.
    let (q, c) = (s.quantity_resolution, s.cost_resolution_yuan);
    if q > 0.0 && c > 0.0 && q.is_finite() && c.is_finite() {
        // Non-finite values are reported on their own above.
        let too_big =
            |v: f64| v.is_finite() && (!(v / q).is_finite() || (v / q).abs() > MAX_SCALED);
        let money_too_big =
            |v: f64| v.is_finite() && (!(v * q / c).is_finite() || (v * q / c).abs() > MAX_SCALED);
        let qmsg =
            "overflows the solver's integers at this quantity_resolution (limit 2^40 flow units)";
        let cmsg = "the per-unit cost of this arc overflows the solver's integers at this cost_resolution_yuan (limit 2^40 cost units per flow unit)";
        let mut total = 0.0;
        for (pr, o) in producers.iter().zip(&producer_origins) {
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
                &so,
                "quantity_resolution",
                format!("total supply {total:.3e} {qmsg}; raise quantity_resolution"),
            );
        }
        let max_reclaim = producers.iter().map(|p| p.reclaim_cost).fold(0.0, f64::max);
        for (m, o) in modes.iter().zip(&mode_origins) {
            let per_unit = (m.cost_per_unit_km * m.max_km + m.handling_per_unit)
                * p.transport_cost_multiplier
                + p.carbon_price_yuan_per_t.abs() * m.co2_kg_per_unit_km * m.max_km / 1000.0
                + max_reclaim;
            if money_too_big(per_unit) {
                ctx.err(
                    o,
                    "cost_yuan_per_unit_km",
                    format!("{cmsg} ({per_unit:.3e} yuan at max_km, with the policy multipliers)"),
                );
            }
        }
        for (mat, o) in materials.iter().zip(&mat_origins) {
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
        for (cons, (o, intake_os)) in consumers.iter().zip(&consumer_origins) {
            if too_big(cons.capacity) {
                ctx.err(o, "capacity", format!("capacity {qmsg}"));
            }
            let subsidy = route_subsidy.get(&cons.route).copied().unwrap_or(0.0);
            for (i, io) in cons.intakes.iter().zip(intake_os) {
                if i.max.is_some_and(too_big) {
                    ctx.err(io, "max", format!("intake limit {qmsg}"));
                }
                let per_unit = cons.processing_cost.abs()
                    + i.gate_price.abs()
                    + subsidy.abs()
                    + p.carbon_price_yuan_per_t.abs() * i.co2_avoided_per_unit;
                if money_too_big(per_unit) {
                    ctx.err(io, "gate_price_yuan_per_unit", format!("{cmsg} ({per_unit:.3e} yuan: processing, gate price, subsidy and carbon)"));
                }
            }
        }
        for (park, (_, o)) in parks.iter().zip(&parks_raw) {
            if park.landfill_capacity.is_some_and(too_big) {
                ctx.err(o, "landfill_capacity", format!("landfill capacity {qmsg}"));
            }
        }
    }

    let objective = objective?;
    let scope = scope?;
    if !ctx.diags.is_empty() {
        return None;
    }
    Some(Region {
        name: raw.scenario.name.clone(),
        title: raw
            .scenario
            .title
            .clone()
            .unwrap_or_else(|| raw.scenario.name.clone()),
        year,
        parks,
        materials,
        routes,
        modes,
        producers,
        consumers,
        distances,
        target: Target {
            rate: raw.target.rate,
            scope,
        },
        settings: Settings {
            objective,
            circuity: s.circuity,
            same_park_km: s.same_park_km,
            quantity_resolution: s.quantity_resolution,
            cost_resolution: s.cost_resolution_yuan,
        },
        policy: Policy {
            carbon_price: p.carbon_price_yuan_per_t,
            env_tax_multiplier: p.env_tax_multiplier,
            storage_cost_multiplier: p.storage_cost_multiplier,
            transport_cost_multiplier: p.transport_cost_multiplier,
            route_subsidy,
        },
    })
}
