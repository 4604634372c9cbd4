//! `summary.json`: the headline numbers, as `Serialize` structs built from the results.
//!
//! Keys are written in field order (serde_json's `preserve_order`); quantities are rounded to
//! 3 decimals, money to 2 and rates to 6 ([`round`]); a missing rate is `null`.

use super::format::round;
use super::ReportError;
use crate::analysis::{Alternative, Balance, RateRange, Results};
use crate::model::*;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// The objective's name as `summary.json` and `report.md` spell it.
pub(super) fn objective_name(o: Objective) -> &'static str {
    match o {
        Objective::Cost => "cost",
        Objective::MaxUtilisation => "max_utilisation",
    }
}

fn q(x: f64) -> f64 {
    round(x, 3)
}

fn yuan(x: f64) -> f64 {
    round(x, 2)
}

fn rate(r: Option<f64>) -> Option<f64> {
    r.map(|r| round(r, 6))
}

/// A JSON object whose keys keep the order given (ids of materials, parks, routes).
struct Keyed<V>(Vec<(String, V)>);

impl<V: Serialize> Serialize for Keyed<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// The quantities of a balance, keyed with their unit: `generated_t`, `utilised_kg`, …
struct Quantities<'a> {
    unit: &'a str,
    generated: f64,
    utilised: f64,
    utilised_new: f64,
    stockpile_drawn: f64,
    disposed: f64,
    dumped: f64,
    not_counted: f64,
}

impl Serialize for Quantities<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(7))?;
        let u = self.unit;
        m.serialize_entry(&format!("generated_{u}"), &self.generated)?;
        m.serialize_entry(&format!("utilised_{u}"), &self.utilised)?;
        m.serialize_entry(&format!("utilised_new_{u}"), &self.utilised_new)?;
        m.serialize_entry(&format!("stockpile_drawn_{u}"), &self.stockpile_drawn)?;
        m.serialize_entry(&format!("disposed_{u}"), &self.disposed)?;
        m.serialize_entry(&format!("dumped_{u}"), &self.dumped)?;
        m.serialize_entry(&format!("utilised_not_counted_{u}"), &self.not_counted)?;
        m.end()
    }
}

/// One balance: the quantities, the rate, whether it meets the target (solids only), and for
/// named entries the unit (hydrogen materials) and name.
#[derive(Serialize)]
struct BalanceJson<'a> {
    #[serde(flatten)]
    quantities: Quantities<'a>,
    utilisation_rate: Option<f64>,
    /// The rate without backfill and ecological restoration.
    strict_utilisation_rate: Option<f64>,
    /// The lowest and highest rate among all optimal allocations (all solids, materials, parks).
    #[serde(skip_serializing_if = "Option::is_none")]
    utilisation_rate_min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    utilisation_rate_max: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    meets_target: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
}

impl<'a> BalanceJson<'a> {
    /// A balance in `unit`, without target, unit or name.
    fn new(b: &Balance, unit: &'a str) -> Self {
        BalanceJson {
            quantities: Quantities {
                unit,
                generated: q(b.generated),
                utilised: q(b.utilised()),
                utilised_new: q(b.utilised_new),
                stockpile_drawn: q(b.stockpile_drawn),
                disposed: q(b.disposed),
                dumped: q(b.dumped),
                not_counted: q(b.uncounted_new + b.uncounted_stock),
            },
            utilisation_rate: rate(b.rate()),
            strict_utilisation_rate: rate(b.strict_rate()),
            utilisation_rate_min: None,
            utilisation_rate_max: None,
            meets_target: None,
            unit: None,
            name: None,
        }
    }

    /// A solids balance in tonnes, judged against the target rate.
    fn solids(b: &Balance, target: f64) -> Self {
        BalanceJson {
            meets_target: Some(b.rate().is_some_and(|r| r + 1e-12 >= target)),
            ..BalanceJson::new(b, "t")
        }
    }

    /// With the rate's range among optimal allocations, if any.
    fn ranged(self, range: Option<RateRange>) -> Self {
        BalanceJson {
            utilisation_rate_min: rate(range.map(|x| x.min)),
            utilisation_rate_max: rate(range.map(|x| x.max)),
            ..self
        }
    }

    fn named(self, name: &'a str) -> Self {
        BalanceJson {
            name: Some(name),
            ..self
        }
    }
}

#[derive(Serialize)]
struct Target<'a> {
    rate: f64,
    scope: &'a str,
    /// The accounting rule and the route kinds it counts.
    accounting: &'a str,
    counted_kinds: Vec<&'static str>,
    achieved_rate: Option<f64>,
    /// The rate in scope under the strict rule (no backfill, no ecological restoration).
    strict_achieved_rate: Option<f64>,
    /// The lowest and highest rate in scope among all optimal allocations.
    #[serde(skip_serializing_if = "Option::is_none")]
    achieved_rate_min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    achieved_rate_max: Option<f64>,
    meets_target: bool,
    shortfall_t: f64,
}

#[derive(Serialize)]
struct Hydrogen<'a> {
    unit: &'a str,
    materials: Keyed<BalanceJson<'a>>,
    by_park: Keyed<BalanceJson<'a>>,
    transport_kg_km: f64,
}

#[derive(Serialize)]
struct CostBreakdown {
    transport: f64,
    handling: f64,
    reclaim: f64,
    processing: f64,
    gate_revenue: f64,
    subsidy: f64,
    storage: f64,
    env_tax: f64,
    landfill_fee: f64,
    carbon: f64,
}

/// One park's landfill (solids, t/yr): capacity and what is left only where it is limited.
#[derive(Serialize)]
struct LandfillJson<'a> {
    name: &'a str,
    limited: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    capacity_t: Option<f64>,
    stored_t: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    free_t: Option<f64>,
    dumped_t: f64,
    full: bool,
    /// The cost saved by one more tonne of capacity (certified re-solve).
    /// `null` where not computed (a year of a path solved jointly).
    capacity_value_yuan_per_t: Option<f64>,
}

#[derive(Serialize)]
struct GapJson<'a> {
    park: &'a str,
    material: &'a str,
    shortfall_t: f64,
    utilisation_rate: Option<f64>,
}

#[derive(Serialize)]
struct Phase<'a> {
    phase: &'a str,
    objective_units: String,
    dual_objective_units: String,
    certificate: &'static str,
}

#[derive(Serialize)]
struct Solver<'a> {
    status: &'static str,
    objective: f64,
    objective_unit: &'static str,
    certificate: &'static str,
    phases: Vec<Phase<'a>>,
    nodes: usize,
    arcs: usize,
    quantity_resolution: f64,
    cost_resolution_yuan: f64,
}

/// One route's use: quantities keyed `utilised_{unit}`, its kind and whether the accounting
/// rule counts it.
#[derive(Serialize)]
struct RouteJson {
    #[serde(flatten)]
    utilised: Keyed<f64>,
    kind: &'static str,
    counted: bool,
}

/// From least cost to technical potential.
#[derive(Serialize)]
struct CostOfMoving {
    from: &'static str,
    to: &'static str,
    delta_cost_yuan: f64,
    delta_utilised_t: f64,
    yuan_per_extra_t: Option<f64>,
}

/// The run's other objective: its headline numbers and the cost of moving.
#[derive(Serialize)]
struct AlternativeJson {
    objective: &'static str,
    /// Solids rate.
    utilisation_rate: Option<f64>,
    /// Solids strict rate (backfill and ecological restoration not counted).
    strict_utilisation_rate: Option<f64>,
    target_achieved_rate: Option<f64>,
    utilised_t: f64,
    cost_yuan: f64,
    cost_of_moving: CostOfMoving,
}

impl AlternativeJson {
    fn new(a: &Alternative) -> Self {
        AlternativeJson {
            objective: objective_name(a.objective),
            utilisation_rate: rate(a.utilisation_rate),
            strict_utilisation_rate: rate(a.strict_utilisation_rate),
            target_achieved_rate: rate(a.target_achieved_rate),
            utilised_t: q(a.utilised_t),
            cost_yuan: yuan(a.cost_yuan),
            cost_of_moving: CostOfMoving {
                from: objective_name(Objective::Cost),
                to: objective_name(Objective::MaxUtilisation),
                delta_cost_yuan: yuan(a.moving.delta_cost_yuan),
                delta_utilised_t: q(a.moving.delta_utilised_t),
                yuan_per_extra_t: a.moving.yuan_per_extra_t.map(yuan),
            },
        }
    }
}

/// The whole of `summary.json`.
#[derive(Serialize)]
struct Applied<'a> {
    measures: Vec<AppliedMeasure<'a>>,
    /// Their annualised cost, yuan per year (not in `cost_yuan`, which is the allocation's).
    annual_cost_yuan: f64,
}

#[derive(Serialize)]
struct AppliedMeasure<'a> {
    id: &'a str,
    annual_cost_yuan: f64,
}

impl<'a> Applied<'a> {
    fn of(region: &'a Region) -> Option<Applied<'a>> {
        let measures: Vec<AppliedMeasure> = region
            .candidates
            .applied()
            .map(|c| AppliedMeasure {
                id: &c.id,
                annual_cost_yuan: yuan(c.annual_cost),
            })
            .collect();
        let c = &region.candidates;
        (!measures.is_empty()).then(|| Applied {
            measures,
            annual_cost_yuan: yuan(c.cost(&c.applied)),
        })
    }
}

#[derive(Serialize)]
struct Summary<'a> {
    scenario: &'a str,
    title: &'a str,
    year: i32,
    objective: &'static str,
    /// The candidate measures applied to this run (`run --with`), with their annual cost;
    /// absent when none.
    #[serde(skip_serializing_if = "Option::is_none")]
    measures_applied: Option<Applied<'a>>,
    target: Target<'a>,
    solids: BalanceJson<'a>,
    by_material: Keyed<BalanceJson<'a>>,
    by_park: Keyed<BalanceJson<'a>>,
    hydrogen: Hydrogen<'a>,
    /// Utilised quantity by route, keyed `utilised_{unit}`, with the route's kind.
    by_route: Keyed<RouteJson>,
    cost_yuan: f64,
    cost_breakdown_yuan: CostBreakdown,
    /// Net of transport emissions.
    co2_avoided_t: f64,
    co2_avoided_gross_t: f64,
    co2_transport_t: f64,
    transport_tkm: f64,
    /// Every park's landfill that takes some storage or is limited.
    landfills: Keyed<LandfillJson<'a>>,
    /// The ten biggest gaps.
    gaps: Vec<GapJson<'a>>,
    /// The other objective, when the run solved it.
    #[serde(skip_serializing_if = "Option::is_none")]
    alternative: Option<AlternativeJson>,
    solver: Solver<'a>,
}

impl<'a> Summary<'a> {
    fn new(region: &'a Region, r: &'a Results) -> Self {
        let t = region.target.rate;
        let h_unit = r
            .hydrogen
            .first()
            .map_or("kg", |(m, _)| region.materials[m.0].unit.as_str());
        let mut by_route: Vec<(String, RouteJson)> = Vec::new();
        for (rid, unit, x) in &r.by_route {
            let route = &region.routes[rid.0];
            let key = &route.id;
            let i = match by_route.iter().position(|(k, _)| k == key) {
                Some(i) => i,
                None => {
                    let v = RouteJson {
                        utilised: Keyed(Vec::new()),
                        kind: route.kind.as_str(),
                        counted: region.target.accounting.counts(route.kind),
                    };
                    by_route.push((key.clone(), v));
                    by_route.len() - 1
                }
            };
            // A repeated (route, unit) replaces the value in place, as a JSON object would.
            let entries = &mut by_route[i].1.utilised.0;
            let unit_key = format!("utilised_{unit}");
            match entries.iter_mut().find(|(k, _)| *k == unit_key) {
                Some(e) => e.1 = q(*x),
                None => entries.push((unit_key, q(*x))),
            }
        }
        let c = &r.cost;
        Summary {
            scenario: &region.name,
            title: &region.title,
            year: region.year,
            objective: objective_name(region.settings.objective),
            measures_applied: Applied::of(region),
            target: Target {
                rate: t,
                scope: &r.target.scope,
                accounting: &region.target.accounting.rule,
                counted_kinds: region
                    .target
                    .accounting
                    .counted_kinds()
                    .into_iter()
                    .map(RouteKind::as_str)
                    .collect(),
                achieved_rate: rate(r.target.achieved),
                strict_achieved_rate: rate(r.target.strict_achieved),
                achieved_rate_min: rate(r.target.achieved_range.map(|x| x.min)),
                achieved_rate_max: rate(r.target.achieved_range.map(|x| x.max)),
                meets_target: r.target.meets,
                shortfall_t: q(r.target.shortfall),
            },
            solids: BalanceJson::solids(&r.solids, t).ranged(r.solids_range),
            by_material: Keyed(
                r.by_material
                    .iter()
                    .map(|(m, b)| {
                        let mat = &region.materials[m.0];
                        let v = BalanceJson::solids(b, t).ranged(r.material_range(*m));
                        (mat.id.clone(), v.named(&mat.name))
                    })
                    .collect(),
            ),
            by_park: Keyed(
                r.by_park
                    .iter()
                    .map(|(p, b)| {
                        let park = &region.parks[p.0];
                        let v = BalanceJson::solids(b, t).ranged(r.park_range(*p));
                        (park.id.clone(), v.named(&park.name))
                    })
                    .collect(),
            ),
            hydrogen: Hydrogen {
                unit: h_unit,
                materials: Keyed(
                    r.hydrogen
                        .iter()
                        .map(|(m, b)| {
                            let mat = &region.materials[m.0];
                            let v = BalanceJson {
                                unit: Some(&mat.unit),
                                ..BalanceJson::new(b, &mat.unit)
                            };
                            let v = v.ranged(r.material_range(*m));
                            (mat.id.clone(), v.named(&mat.name))
                        })
                        .collect(),
                ),
                by_park: Keyed(
                    r.hydrogen_by_park
                        .iter()
                        .map(|(p, b)| (region.parks[p.0].id.clone(), BalanceJson::new(b, h_unit)))
                        .collect(),
                ),
                transport_kg_km: q(r.hydrogen_transport_unit_km),
            },
            by_route: Keyed(by_route),
            cost_yuan: yuan(c.total()),
            cost_breakdown_yuan: CostBreakdown {
                transport: yuan(c.transport),
                handling: yuan(c.handling),
                reclaim: yuan(c.reclaim),
                processing: yuan(c.processing),
                gate_revenue: yuan(c.gate_revenue),
                subsidy: yuan(c.subsidy),
                storage: yuan(c.storage),
                env_tax: yuan(c.env_tax),
                landfill_fee: yuan(c.landfill_fee),
                carbon: yuan(c.carbon),
            },
            co2_avoided_t: q(r.co2_avoided_t - r.co2_transport_t),
            co2_avoided_gross_t: q(r.co2_avoided_t),
            co2_transport_t: q(r.co2_transport_t),
            transport_tkm: q(r.transport_tkm),
            landfills: Keyed(
                r.landfills
                    .iter()
                    .map(|l| {
                        let park = &region.parks[l.park.0];
                        let v = LandfillJson {
                            name: &park.name,
                            limited: l.capacity.is_some(),
                            capacity_t: l.capacity.map(q),
                            stored_t: q(l.stored),
                            free_t: l.free().map(q),
                            dumped_t: q(l.dumped),
                            full: l.full,
                            capacity_value_yuan_per_t: l.capacity_value.map(yuan),
                        };
                        (park.id.clone(), v)
                    })
                    .collect(),
            ),
            gaps: r
                .gaps
                .iter()
                .take(10)
                .map(|g| GapJson {
                    park: &region.parks[g.park.0].id,
                    material: &region.materials[g.material.0].id,
                    shortfall_t: q(g.shortfall),
                    utilisation_rate: rate(g.rate),
                })
                .collect(),
            alternative: r.alternative.as_ref().map(AlternativeJson::new),
            solver: Solver {
                status: "optimal",
                objective: yuan(r.objective_yuan),
                objective_unit: "yuan",
                certificate: "verified",
                phases: r
                    .phases
                    .iter()
                    .map(|p| Phase {
                        phase: &p.name,
                        objective_units: p.objective_units.to_string(),
                        dual_objective_units: p.dual.to_string(),
                        certificate: "verified",
                    })
                    .collect(),
                nodes: r.nodes,
                arcs: r.arcs,
                quantity_resolution: region.settings.quantity_resolution,
                cost_resolution_yuan: region.settings.cost_resolution,
            },
        }
    }
}

/// `summary.json`: the headline numbers. Deterministic (no timings).
pub fn summary_json(region: &Region, r: &Results) -> Result<Vec<u8>, ReportError> {
    let mut out = serde_json::to_vec_pretty(&Summary::new(region, r))?;
    out.push(b'\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn balance() -> Balance {
        Balance {
            generated: 100.0,
            utilised_new: 60.0,
            stockpile_drawn: 20.0004,
            disposed: 40.0,
            dumped: 0.0,
            uncounted_new: 0.0,
            uncounted_stock: 0.0,
            strict_new: 30.0,
            strict_stock: 20.0004,
        }
    }

    #[test]
    fn balances_are_keyed_by_unit_and_optional_keys_are_absent() {
        let b = balance();
        let solids = serde_json::to_string(&BalanceJson::solids(&b, 0.6).named("Fly ash")).unwrap();
        assert_eq!(
            solids,
            r#"{"generated_t":100.0,"utilised_t":80.0,"utilised_new_t":60.0,"stockpile_drawn_t":20.0,"disposed_t":40.0,"dumped_t":0.0,"utilised_not_counted_t":0.0,"utilisation_rate":0.666668,"strict_utilisation_rate":0.416669,"meets_target":true,"name":"Fly ash"}"#
        );
        let h = serde_json::to_string(&BalanceJson::new(&b, "kg")).unwrap();
        assert!(h.starts_with(r#"{"generated_kg":100.0,"#), "{h}");
        assert!(!h.contains("meets_target") && !h.contains("name") && !h.contains("\"unit\""));
        let none = serde_json::to_string(&BalanceJson::new(&Balance::default(), "t")).unwrap();
        assert!(none.contains(r#""utilisation_rate":null"#), "{none}");
    }

    #[test]
    fn keyed_objects_keep_their_order() {
        let k = Keyed(vec![("b".to_string(), 1.0), ("a".to_string(), 2.5)]);
        assert_eq!(serde_json::to_string(&k).unwrap(), r#"{"b":1.0,"a":2.5}"#);
        let empty: Keyed<f64> = Keyed(Vec::new());
        assert_eq!(serde_json::to_string_pretty(&empty).unwrap(), "{}");
    }
}
