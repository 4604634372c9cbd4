//! Domain properties of the whole pipeline on random regions (proptest): balances close,
//! capacities and blend limits hold, the lexicographic objective dominates the cost objective on
//! utilisation and is dominated by it on cost, hydrogen never enters the solids rate.

use proptest::prelude::*;
use std::collections::BTreeMap;
use symbiosim::allocate::AllocConfig;
use symbiosim::analysis::{evaluate, Evaluator};
use symbiosim::model::*;
use symbiosim::network::ArcKind;

fn park(i: usize, lat: f64, lon: f64, parent: Option<usize>, landfill: Option<f64>) -> Park {
    Park {
        id: format!("P{i}"),
        name: format!("Park {i}"),
        short_name: format!("P{i}"),
        name_zh: None,
        lat,
        lon,
        parent: parent.map(ParkId),
        landfill_capacity: landfill,
    }
}

prop_compose! {
    fn region()(
        coords in prop::collection::vec((39.0f64..40.5, 107.0f64..111.0), 2..5),
        landfill in prop::option::of(0.0f64..200.0),
        producers in prop::collection::vec((0usize..5, 0usize..3, 0.0f64..300.0, 0usize..3, 0.0f64..100.0, 0.0f64..0.6), 1..8),
        consumers in prop::collection::vec((0usize..5, 0.0f64..400.0, -20.0f64..30.0, prop::collection::vec((0usize..3, prop::option::of(0.0f64..200.0), -10.0f64..60.0, prop::option::of(0usize..2)), 1..3)), 1..6),
        objective_cost in any::<bool>(),
        carbon in 0.0f64..100.0,
    ) -> Region {
        let np = coords.len();
        let mut parks: Vec<Park> = coords.iter().enumerate().map(|(i, &(lat, lon))| park(i, lat, lon, None, None)).collect();
        // One sub-block of the first park, with the optional landfill limit.
        parks.push(park(np, coords[0].0 + 0.05, coords[0].1 + 0.05, Some(0), landfill));
        let nparks = parks.len();
        let grades = vec!["I".to_string(), "II".to_string()];
        let materials = vec![
            Material { id: "ash".into(), name: "Ash".into(), class: MaterialClass::Solid, unit: "t".into(), grades: grades.clone(), storage_cost: 25.0, env_tax: 25.0 },
            Material { id: "gangue".into(), name: "Gangue".into(), class: MaterialClass::Solid, unit: "t".into(), grades: vec![], storage_cost: 10.0, env_tax: 5.0 },
            Material { id: "h2".into(), name: "Hydrogen".into(), class: MaterialClass::Hydrogen, unit: "kg".into(), grades: vec![], storage_cost: 0.0, env_tax: 0.0 },
        ];
        let modes = vec![
            TransportMode { id: "road".into(), name: "road".into(), unit: "t".into(), materials: vec![], cost_per_unit_km: 0.35, handling_per_unit: 8.0, co2_kg_per_unit_km: 0.065, max_km: 250.0, circuity: 1.3 },
            TransportMode { id: "trailer".into(), name: "trailer".into(), unit: "kg".into(), materials: vec![], cost_per_unit_km: 0.02, handling_per_unit: 4.0, co2_kg_per_unit_km: 0.0, max_km: 200.0, circuity: 1.3 },
        ];
        let producers = producers.into_iter().enumerate().map(|(i, (pk, m, q, g, stock, al))| Producer {
            id: format!("p{i}"),
            name: format!("p{i}"),
            park: ParkId(pk % nparks),
            material: MaterialId(m),
            quantity: q.round(),
            grade: if m == 0 { Some(grades[g % 2].clone()) } else { None },
            attrs: BTreeMap::from([("al2o3".to_string(), al)]),
            stockpile: if m == 2 { 0.0 } else { stock.round() },
            reclaim_cost: 3.0,
        }).collect();
        let consumers = consumers.into_iter().enumerate().map(|(i, (pk, cap, proc, intakes))| {
            // A consumer's intakes share one unit: hydrogen users take only hydrogen.
            let h2 = intakes[0].0 == 2;
            Consumer {
                id: format!("c{i}"),
                name: format!("c{i}"),
                park: ParkId(pk % nparks),
                route: RouteId(0),
                capacity: cap.round(),
                processing_cost: proc,
                intakes: intakes.into_iter().filter(|t| (t.0 == 2) == h2).map(|(m, max, gate, min_al)| Intake {
                    material: MaterialId(m),
                    grades: if m == 0 && min_al == Some(1) { vec!["I".into()] } else { vec![] },
                    max: max.map(f64::round),
                    gate_price: gate,
                    co2_avoided_per_unit: 0.5,
                    min_attrs: if min_al == Some(0) { BTreeMap::from([("al2o3".to_string(), 0.3)]) } else { BTreeMap::new() },
                    max_attrs: BTreeMap::new(),
                }).collect(),
            }
        }).collect();
        Region {
            name: "random".into(),
            title: "random".into(),
            year: 2025,
            parks,
            materials,
            routes: vec![Route { id: "r".into(), name: "r".into() }],
            modes,
            producers,
            consumers,
            distances: vec![],
            target: Target { rate: 0.8, scope: TargetScope::AllSolids },
            settings: Settings {
                objective: if objective_cost { Objective::Cost } else { Objective::MaxUtilisation },
                circuity: 1.3,
                same_park_km: 7.5,
                quantity_resolution: 1.0,
                cost_resolution: 0.001,
            },
            policy: Policy { carbon_price: carbon, env_tax_multiplier: 1.0, storage_cost_multiplier: 1.0, transport_cost_multiplier: 1.0, route_subsidy: BTreeMap::new() },
        }
    }
}

const EPS: f64 = 1e-6;

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn balances_capacities_and_rates_hold(region in region()) {
        let e = evaluate(&region, &AllocConfig::default()).unwrap();
        let r = &e.results;
        // Every producer's generation is utilised or disposed; stockpile draws ≤ stockpile.
        for pf in &r.producers {
            let p = &region.producers[pf.producer.0];
            let b = pf.balance;
            prop_assert!((b.utilised_new + b.disposed - p.quantity).abs() < EPS);
            prop_assert!(b.stockpile_drawn <= p.stockpile + EPS);
            prop_assert!(b.dumped <= b.disposed + EPS);
        }
        // Capacities, blend limits and landfill limits hold; flows respect grades and distance.
        for (a, _, _, arc) in e.network.arcs() {
            let x = e.allocation.flow[a];
            prop_assert!(x >= -EPS);
            if let Some(c) = arc.capacity { prop_assert!(x <= c + 0.5 + EPS); }
            if let ArcKind::Transport { source, consumer, intake, mode, km } = arc.kind {
                if x > 0.0 {
                    let p = &region.producers[source.producer().0];
                    prop_assert!(region.accepts(p, &region.consumers[consumer.0].intakes[intake]));
                    prop_assert!(km <= region.modes[mode.0].max_km);
                }
            }
        }
        for cu in &r.consumers { prop_assert!(cu.intake <= cu.capacity + 0.5 + EPS); }
        // The solids rate counts solids only, with stockpile draws in the denominator.
        let solids: f64 = region.producers.iter().filter(|p| region.materials[p.material.0].class == MaterialClass::Solid).map(|p| p.quantity).sum();
        prop_assert!((r.solids.generated - solids).abs() < EPS);
        if let Some(rate) = r.solids.rate() {
            let expect = (r.solids.utilised_new + r.solids.stockpile_drawn) / (solids + r.solids.stockpile_drawn);
            prop_assert!((rate - expect).abs() < 1e-12);
            prop_assert!((0.0..=1.0 + EPS).contains(&rate));
        }
        // Cost breakdown agrees with the integer objective within the documented rounding bound.
        let bound = 0.0005 * 4.0 * (r.solids.generated + r.solids.stockpile_drawn + r.hydrogen.iter().map(|h| h.1.generated).sum::<f64>()) + 1e-6;
        prop_assert!((r.cost.total() - r.objective_yuan).abs() <= bound, "{} vs {}", r.cost.total(), r.objective_yuan);
        for p in &r.phases { prop_assert_eq!(p.primal, p.dual); }
    }

    #[test]
    fn lexicographic_objective_dominates_on_utilisation(region in region()) {
        let mut cost = region.clone();
        cost.settings.objective = Objective::Cost;
        let mut maxu = region;
        maxu.settings.objective = Objective::MaxUtilisation;
        let rc = evaluate(&cost, &AllocConfig::default()).unwrap().results;
        let rm = evaluate(&maxu, &AllocConfig::default()).unwrap().results;
        // Least new-waste disposal first (solids + hydrogen together), then most stockpile drawn.
        let disp = |r: &symbiosim::analysis::Results| r.solids.disposed + r.hydrogen.iter().map(|h| h.1.disposed).sum::<f64>();
        prop_assert!(disp(&rm) <= disp(&rc) + EPS);
        if (disp(&rm) - disp(&rc)).abs() < EPS {
            prop_assert!(rm.solids.stockpile_drawn + EPS >= rc.solids.stockpile_drawn);
        }
        // The cost objective is never more expensive.
        prop_assert!(rc.objective_yuan <= rm.objective_yuan + 1e-6);
    }

    #[test]
    fn warm_evaluations_equal_cold_ones(region in region(), factors in prop::collection::vec((0.9f64..1.1, 0.9f64..1.1, 0.9f64..1.1), 1..5)) {
        // One evaluator re-solves perturbed variants warm (same topology); each must match a
        // cold evaluation in every phase's exact integer objective.
        let mut ev = Evaluator::new(AllocConfig::default());
        for (fq, fc, fg) in factors {
            let mut v = region.clone();
            for p in &mut v.producers { p.quantity = (p.quantity * fq).round(); }
            for c in &mut v.consumers {
                c.capacity = (c.capacity * fc).round();
                for i in &mut c.intakes { i.gate_price *= fg; }
            }
            let warm = ev.evaluate(&v).unwrap().results;
            let cold = evaluate(&v, &AllocConfig::default()).unwrap().results;
            let objectives = |r: &symbiosim::analysis::Results| r.phases.iter().map(|p| p.objective_units).collect::<Vec<_>>();
            prop_assert_eq!(objectives(&warm), objectives(&cold));
            prop_assert!((warm.solids.utilised() - cold.solids.utilised()).abs() < EPS);
        }
    }

    #[test]
    fn capacity_values_equal_the_cost_of_a_re_solve(region in region()) {
        // Under the cost objective, each saturated consumer's value is exactly the cost saved
        // by re-solving from scratch with its capacity one flow unit larger.
        let mut region = region;
        region.settings.objective = Objective::Cost;
        let base = evaluate(&region, &AllocConfig::default()).unwrap().results;
        for cu in base.consumers.iter().filter(|c| c.capacity > 0.0 && c.intake >= c.capacity - 1e-9).take(3) {
            let mut more = region.clone();
            more.consumers[cu.consumer.0].capacity += more.settings.quantity_resolution;
            let r = evaluate(&more, &AllocConfig::default()).unwrap().results;
            prop_assert!((base.objective_yuan - r.objective_yuan - cu.capacity_value).abs() < 1e-6,
                "{} vs {}", base.objective_yuan - r.objective_yuan, cu.capacity_value);
        }
    }
}
