//! Chart inputs from results (tested on their own: charts are tested through their data).

use super::charts;
use crate::analysis::Results;
use crate::model::*;
use std::collections::BTreeMap;

/// The utilisation chart's input: solid materials with something generated or drawn.
pub fn utilisation_chart_data(region: &Region, r: &Results) -> charts::UtilisationChart {
    charts::UtilisationChart {
        title: format!(
            "{} — solid-waste utilisation by material, {}; {}; accounting: {} (strict rate {})",
            region.title,
            region.year,
            objective_label(region.settings.objective),
            region.target.accounting.rule,
            super::format::percent_summary(r.solids.strict_rate()),
        ),
        target_rate: region.target.rate,
        bars: r
            .by_material
            .iter()
            .filter(|(_, b)| b.generated + b.stockpile_drawn > 0.0)
            .map(|(m, b)| charts::MaterialBar {
                label: region.materials[m.0].name.clone(),
                generated: b.generated,
                drawn: b.stockpile_drawn,
                utilised: b.utilised(),
                rate: b.rate().unwrap_or(0.0),
                range: r.material_range(*m).map(|x| (x.min, x.max)),
            })
            .collect(),
        overall_rate: r.solids.rate().unwrap_or(0.0),
    }
}

/// The route chart's input: routes with solids used, by kind (in [`RouteKind::ALL`] order),
/// then by tonnes (largest first), then in declaration order; routes in other units (hydrogen)
/// are named in the note with their quantities.
pub fn routes_chart_data(region: &Region, r: &Results) -> charts::RouteChart {
    let strict = Accounting::strict();
    let rule = &region.target.accounting;
    let solid_units: Vec<&str> = region
        .materials
        .iter()
        .filter(|m| m.class == MaterialClass::Solid)
        .map(|m| m.unit.as_str())
        .collect();
    let mut solids: BTreeMap<usize, f64> = BTreeMap::new();
    let mut other: Vec<String> = Vec::new();
    for (route, unit, x) in &r.by_route {
        if *x <= 0.0 {
            continue;
        }
        if solid_units.contains(&unit.as_str()) {
            *solids.entry(route.0).or_default() += x;
        } else {
            other.push(format!(
                "not drawn (own unit and balance): {} — {}/yr",
                region.routes[route.0].name,
                super::format::quantity_chart(*x, unit)
            ));
        }
    }
    let mut bars: Vec<(usize, charts::RouteBar)> = solids
        .into_iter()
        .map(|(i, tonnes)| {
            let kind = region.routes[i].kind;
            (
                i,
                charts::RouteBar {
                    label: region.routes[i].name.clone(),
                    kind: kind.as_str().to_string(),
                    counted: rule.counts(kind),
                    strict: strict.counts(kind),
                    tonnes,
                },
            )
        })
        .collect();
    bars.sort_by(|(i, a), (j, b)| {
        let k = |x: usize| region.routes[x].kind.index();
        k(*i)
            .cmp(&k(*j))
            .then(b.tonnes.total_cmp(&a.tonnes))
            .then(i.cmp(j))
    });
    charts::RouteChart {
        title: format!(
            "{} — solids used by route, {}; {}; accounting: {} (strict rate {})",
            region.title,
            region.year,
            objective_label(region.settings.objective),
            rule.rule,
            super::format::percent_summary(r.solids.strict_rate()),
        ),
        rule: rule.rule.clone(),
        kinds: RouteKind::ALL
            .iter()
            .map(|&k| charts::RouteKindEntry {
                name: k.as_str().to_string(),
                counted: rule.counts(k),
                strict: strict.counts(k),
            })
            .collect(),
        bars: bars.into_iter().map(|(_, b)| b).collect(),
        notes: other,
    }
}

/// Map inputs: parks, and flows aggregated by (from park, to park, material, mode).
pub fn map_chart_data(region: &Region, r: &Results) -> charts::FlowMap {
    let n = region.parks.len();
    let (mut gen, mut landfilled, mut dumped) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    for pf in &r.producers {
        let p = &region.producers[pf.producer.0];
        if region.materials[p.material.0].class == MaterialClass::Solid {
            gen[p.park.0] += pf.balance.generated;
            landfilled[p.park.0] += pf.balance.disposed - pf.balance.dumped;
            dumped[p.park.0] += pf.balance.dumped;
        }
    }
    let parks = region
        .parks
        .iter()
        .enumerate()
        .map(|(i, p)| charts::MapPark {
            id: p.id.clone(),
            name: p.short_name.clone(),
            lat: p.lat,
            lon: p.lon,
            is_block: p.parent.is_some(),
            generated: gen[i],
            landfilled: landfilled[i],
            dumped: dumped[i],
        })
        .collect();
    let mut agg: BTreeMap<(usize, usize, usize, usize), f64> = BTreeMap::new();
    for f in &r.flows {
        let from = region.producers[f.producer.0].park.0;
        let to = region.consumers[f.consumer.0].park.0;
        *agg.entry((from, to, f.material.0, f.mode.0)).or_default() += f.quantity;
    }
    let flows = agg
        .into_iter()
        .map(|((from, to, m, mode), x)| charts::MapFlow {
            from_lat: region.parks[from].lat,
            from_lon: region.parks[from].lon,
            to_lat: region.parks[to].lat,
            to_lon: region.parks[to].lon,
            material: region.materials[m].name.clone(),
            mode: region.modes[mode].name.clone(),
            // Widths are scaled by tonnes for every material (hydrogen in kg → t).
            quantity: if region.materials[m].unit == "kg" {
                x / 1000.0
            } else {
                x
            },
            unit: "t".to_string(),
        })
        .collect();
    charts::FlowMap {
        title: format!(
            "By-product flows — {} ({}); {}; accounting: {}",
            region.name,
            region.year,
            objective_label(region.settings.objective),
            region.target.accounting.rule
        ),
        parks,
        flows,
        materials: region.materials.iter().map(|m| m.name.clone()).collect(),
        modes: region.modes.iter().map(|m| m.name.clone()).collect(),
    }
}

/// The objective as the charts name it.
fn objective_label(o: Objective) -> &'static str {
    match o {
        Objective::Cost => "objective: least cost",
        Objective::MaxUtilisation => "objective: technical potential",
    }
}

/// The Monte Carlo's rate distribution: every sample's defined rate in the target's scope,
/// under the rule and strict, in index order.
pub fn distribution_chart_data(
    region: &Region,
    r: &Results,
    mc: &crate::analysis::MonteCarloSummary,
) -> charts::RateDistributionChart {
    charts::RateDistributionChart {
        title: format!(
            "{} — utilisation rate over Monte Carlo samples, {}; {}",
            region.title,
            region.year,
            objective_label(region.settings.objective),
        ),
        subtitle: format!(
            "{} samples (seed {}, from sample {}); scope: {}; {} uncertain inputs{}",
            mc.count,
            mc.seed,
            mc.first_sample,
            r.target.scope,
            mc.inputs.len(),
            no_legal_fate_note(mc),
        ),
        rule: region.target.accounting.rule.clone(),
        target_rate: region.target.rate,
        p_meet: mc.p_meet_target,
        rates: mc.rates.clone(),
        strict_rates: mc.strict_rates.clone(),
    }
}

/// "; N of M samples had no legal fate (…)" where some had none, else nothing: every Monte
/// Carlo chart says it.
fn no_legal_fate_note(mc: &crate::analysis::MonteCarloSummary) -> String {
    match mc.samples_infeasible {
        0 => String::new(),
        n => format!(
            "; {n} of {} samples had no legal fate (evaluated with dumping allowed, counted as missing the target)",
            mc.count
        ),
    }
}

/// The tornado's input: the inputs with a defined ρ, in [`crate::analysis::MonteCarloSummary::tornado`]
/// order (largest |ρ| first).
pub fn tornado_chart_data(
    region: &Region,
    mc: &crate::analysis::MonteCarloSummary,
) -> charts::TornadoChart {
    charts::TornadoChart {
        title: format!(
            "{} — which uncertain inputs move the utilisation rate, {}",
            region.title, region.year
        ),
        subtitle: vec![
            format!(
                "Spearman rank correlation of each input's multiplier with the rate under the rule \"{}\", over {} samples (seed {})",
                region.target.accounting.rule,
                mc.count,
                mc.seed
            ),
            format!(
                "a group's entries move together and are one input; inputs are not varied one at a time; |ρ| below 2/√n = {:.2} is within sampling noise{}",
                2.0 / (mc.count.max(1) as f64).sqrt(),
                no_legal_fate_note(mc),
            ),
        ],
        bars: mc
            .tornado
            .iter()
            .filter_map(|t| {
                t.rho.map(|rho| charts::TornadoBar {
                    label: t.input.clone(),
                    rho,
                })
            })
            .collect(),
    }
}

/// The comparison chart's input (`compare`): `labels` and `rows` in the rows' order, the base
/// first. The primary objective is the base's, and every strategy's Monte Carlo ran under it.
/// Panel 2 and 3 leave failed strategies out; panel 3's materials are the solids with a rate in
/// some strategy, by id, in the base's order (then any a strategy adds).
pub fn comparison_chart_data(
    labels: &[super::compare::Labelled<'_>],
    rows: &[crate::analysis::compare::Row],
) -> charts::ComparisonChart {
    let base = labels[0].region;
    let primary = base.settings.objective;
    let order = [primary, primary.other()];
    let mc = crate::analysis::compare::sampling(rows);

    let strategies = labels
        .iter()
        .zip(rows)
        .map(|(l, row)| {
            let whiskers = match &row.uncertainty {
                Some(Ok(u)) => Some(u),
                _ => None,
            };
            let rates = match &row.answers {
                Err(e) => Err(e.clone()),
                Ok(_) => Ok(order.map(|o| {
                    let a = row.answer(o).map(|a| &a.results.target);
                    let u = whiskers.filter(|_| l.region.settings.objective == o);
                    charts::RatePair {
                        rate: a.and_then(|t| t.achieved),
                        strict: a.and_then(|t| t.strict_achieved),
                        rate_p5_p95: u.and_then(|u| u.rate).map(|s| (s.p5, s.p95)),
                        strict_p5_p95: u.and_then(|u| u.strict_rate).map(|s| (s.p5, s.p95)),
                    }
                })),
            };
            charts::StrategyRates {
                id: l.id.to_string(),
                rates,
            }
        })
        .collect();

    let mut points: Vec<charts::CostPoint> = Vec::new();
    for (k, &o) in order.iter().enumerate() {
        let start = points.len();
        for (l, row) in labels.iter().zip(rows) {
            let Some(a) = row.answer(o) else { continue };
            let (Some(rate), cost) = (a.results.target.achieved, a.money.resource / 1e6) else {
                continue;
            };
            if rate.is_finite() && cost.is_finite() {
                points.push(charts::CostPoint {
                    strategy: l.id.to_string(),
                    objective: k,
                    cost_myuan: cost,
                    rate,
                    efficient: false,
                });
            }
        }
        let xy: Vec<(f64, f64)> = points[start..]
            .iter()
            .map(|p| (p.cost_myuan, p.rate))
            .collect();
        for (p, e) in points[start..].iter_mut().zip(charts::efficient_front(&xy)) {
            p.efficient = e;
        }
    }

    // Solid materials by id, the base's order first.
    let mut materials: Vec<(String, String)> = Vec::new();
    let mut groups_raw: Vec<(String, Vec<(String, charts::MaterialRate)>)> = Vec::new();
    for (l, row) in labels.iter().zip(rows) {
        let Some(a) = row.answer(primary) else {
            continue;
        };
        let r = &a.results;
        let mut bars = Vec::new();
        for (m, b) in &r.by_material {
            let mat = &l.region.materials[m.0];
            let Some(rate) = b.rate() else { continue };
            if mat.class != MaterialClass::Solid {
                continue;
            }
            if !materials.iter().any(|(id, _)| *id == mat.id) {
                materials.push((mat.id.clone(), mat.name.clone()));
            }
            bars.push((
                mat.id.clone(),
                charts::MaterialRate {
                    rate,
                    range: r.material_range(*m).map(|x| (x.min, x.max)),
                },
            ));
        }
        groups_raw.push((l.id.to_string(), bars));
    }
    // The base's material order (a strategy's region lists the base's materials first).
    let rank = |id: &str| {
        base.materials
            .iter()
            .position(|m| m.id == id)
            .unwrap_or(usize::MAX)
    };
    materials.sort_by_key(|(id, _)| rank(id));
    let groups = groups_raw
        .into_iter()
        .map(|(strategy, bars)| charts::MaterialGroup {
            strategy,
            bars: materials
                .iter()
                .map(|(id, _)| bars.iter().find(|(m, _)| m == id).map(|(_, b)| b.clone()))
                .collect(),
        })
        .collect();

    let objective_name = |o: Objective| match o {
        Objective::Cost => "least cost".to_string(),
        Objective::MaxUtilisation => "technical potential".to_string(),
    };
    charts::ComparisonChart {
        title: format!(
            "{} — strategies side by side, {}; accounting: {}; primary {}",
            base.title,
            base.year,
            base.target.accounting.rule,
            objective_label(primary),
        ),
        subtitle: match mc {
            Some((n, seed)) => format!(
                "{} strategies against {}; whiskers: p5–p95 of the rate over {n} Monte Carlo samples (seed {seed}, common random numbers, under each strategy's objective)",
                rows.len() - 1,
                labels[0].id
            ),
            None => format!(
                "{} strategies against {}; exact answers (no Monte Carlo: run with --samples N for p5–p95 whiskers)",
                rows.len() - 1,
                labels[0].id
            ),
        },
        rule: base.target.accounting.rule.clone(),
        target_rate: base.target.rate,
        objectives: order.map(objective_name),
        strategies,
        points,
        materials: materials.into_iter().map(|(_, name)| name).collect(),
        groups,
    }
}
