//! One transport arc per origin–destination pair, carrying the cheapest mode in reach, is exact:
//! against the formulation with one arc per mode in reach (`Network::build_one_arc_per_mode`,
//! the tests' oracle: every mode its own arc, nothing picked), every lexicographic phase has the
//! same certified optimum, every rate group the same range among optimal allocations and every
//! consumer the same capacity value, on the shipped scenarios and on random regions with several
//! modes per material (dedicated links included), before and after a value refresh that changes
//! the modes' costs (and so which mode is cheapest).
//!
//! Why (`docs/format.md`, "Transport modes"): transport arcs are uncapacitated, so flow on a
//! dearer parallel arc moves to the cheapest at no loss, and with the same potentials the dearer
//! arc's reduced cost is at least the cheapest's. The pick is by the float net unit cost; the
//! integer cost is that scaled and rounded to the nearest, a non-decreasing function, so the
//! picked arc also has the least integer cost of its pair (checked below arc by arc).

mod common;

use proptest::prelude::*;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::Path;
use symbiosim::allocate::{allocate, flow_problem, phase_problems, AllocConfig, Scaling};
use symbiosim::allocate::{Allocation, SolverConfig};
use symbiosim::model::*;
use symbiosim::network::{ArcKind, Network};

fn scaling(region: &Region) -> Scaling {
    Scaling {
        quantity: region.settings.quantity_resolution,
        cost: region.settings.cost_resolution,
    }
}

/// Every phase's certified optimal objective of `net` under `objective`.
fn phase_objectives(net: &Network, region: &Region, objective: Objective) -> Vec<i128> {
    phase_problems(net, objective, scaling(region), SolverConfig::default())
        .unwrap()
        .iter()
        .map(|p| p.objective)
        .collect()
}

/// What does not depend on which optimum was found: the phases' objectives, the rate ranges
/// among optimal allocations and the capacity values (exact, as bits).
fn invariants(a: &Allocation) -> (Vec<i128>, String, Vec<u64>) {
    let phases = a.phases.iter().map(|p| p.objective).collect();
    let ranges = format!("{:?}", a.rate_ranges);
    let values = a
        .capacity_value
        .iter()
        .flatten()
        .map(|v| v.to_bits())
        .collect();
    (phases, ranges, values)
}

/// Checks `net` (one arc per pair) against `per_mode` (one arc per mode), both of `region`:
/// the same nodes; the same arcs apart from transport; each transport arc of `net` stands for
/// the per-mode arcs of its pair, which are its modes in reach, and has the least integer cost
/// among them (the float pick is consistent with the integers); the same optima. Returns how
/// many pairs have more than one mode in reach.
fn check_against_per_mode(net: &Network, per_mode: &Network, region: &Region) -> usize {
    assert_eq!(
        format!("{:?}", net.graph.node_weights().collect::<Vec<_>>()),
        format!("{:?}", per_mode.graph.node_weights().collect::<Vec<_>>())
    );
    let (p, q) = (
        flow_problem(net, scaling(region)).unwrap(),
        flow_problem(per_mode, scaling(region)).unwrap(),
    );
    // The per-mode arcs of each pair (tail, head, kind without values), in arc order.
    let mut groups: BTreeMap<(usize, usize, String), Vec<usize>> = BTreeMap::new();
    for (a, s, t, arc) in per_mode.arcs() {
        let key = (s.index(), t.index(), format!("{:?}", arc.kind.topology()));
        groups.entry(key).or_default().push(a);
    }
    let mut shared = 0;
    let mut seen = 0;
    for (a, s, t, arc) in net.arcs() {
        let key = (s.index(), t.index(), format!("{:?}", arc.kind.topology()));
        let group = &groups[&key];
        seen += group.len();
        let ArcKind::Transport { mode, km, .. } = arc.kind else {
            assert_eq!(group.len(), 1, "{key:?}");
            assert_eq!(per_mode.graph.raw_edges()[group[0]].weight, *arc);
            continue;
        };
        // The modes in reach are the per-mode arcs' modes and distances, in mode order.
        let modes: Vec<(ModeId, f64)> = group
            .iter()
            .map(|&b| match per_mode.graph.raw_edges()[b].weight.kind {
                ArcKind::Transport { mode, km, .. } => (mode, km),
                k => panic!("{k:?}"),
            })
            .collect();
        assert_eq!(net.modes_in_reach(a), &modes[..]);
        assert!(modes.contains(&(mode, km)));
        // The arc is the per-mode arc of its mode, and the cheapest in integer cost.
        let own = group
            .iter()
            .find(|&&b| matches!(per_mode.graph.raw_edges()[b].weight.kind, ArcKind::Transport { mode: m, .. } if m == mode))
            .unwrap();
        assert_eq!(per_mode.graph.raw_edges()[*own].weight, *arc);
        let least = group.iter().map(|&b| q.cost[b]).min().unwrap();
        assert_eq!(p.cost[a], least, "arc {a}: {key:?}");
        assert_eq!(p.upper[a], q.upper[group[0]]);
        shared += usize::from(group.len() > 1);
    }
    assert_eq!(seen, per_mode.arc_count(), "every per-mode arc in one pair");
    for objective in [Objective::Cost, Objective::MaxUtilisation] {
        assert_eq!(
            phase_objectives(net, region, objective),
            phase_objectives(per_mode, region, objective),
            "{objective:?}"
        );
    }
    // Least cost also straight through the engine (certified by `solve`).
    let cfg = SolverConfig::default();
    let (x, y) = (
        symbiosim_engine::solve(&p, &cfg).unwrap(),
        symbiosim_engine::solve(&q, &cfg).unwrap(),
    );
    assert_eq!((x.status, x.objective), (y.status, y.objective));
    shared
}

/// The shipped scenarios: the same optima, rate ranges and capacity values under both
/// objectives; Ordos has pairs with two modes in reach.
#[test]
fn shipped_scenarios_keep_their_optima() {
    for name in [
        "tiny",
        "nested",
        "tiny_plan",
        "tiny_uncertain",
        "ordos_2020",
        "ordos_2025",
    ] {
        let path = format!("scenarios/{name}.toml");
        let region = symbiosim::scenario::load(Path::new(&path)).unwrap().region;
        let net = Network::build(&region).unwrap();
        let per_mode = Network::build_one_arc_per_mode(&region).unwrap();
        let shared = check_against_per_mode(&net, &per_mode, &region);
        eprintln!(
            "{name}: {} arcs, {} one per mode; {shared} pairs with several modes",
            net.arc_count(),
            per_mode.arc_count()
        );
        if name.starts_with("ordos") {
            assert!(shared > 100, "{name}: {shared}");
            assert!(net.arc_count() < per_mode.arc_count());
        }
        for objective in [Objective::Cost, Objective::MaxUtilisation] {
            let cfg = AllocConfig::default();
            let s = scaling(&region);
            let a = allocate(&net, objective, s, &cfg).unwrap();
            let b = allocate(&per_mode, objective, s, &cfg).unwrap();
            assert_eq!(invariants(&a), invariants(&b), "{name} {objective:?}");
        }
    }
}

fn park(i: usize, lat: f64, lon: f64) -> Park {
    Park {
        id: format!("P{i}"),
        name: format!("Park {i}"),
        short_name: format!("P{i}"),
        name_zh: None,
        lat,
        lon,
        parent: None,
        landfill_capacity: if i == 0 { Some(50.0) } else { None },
    }
}

/// A mode carrying tonnes (`materials`: which; empty: all), with random costs and reach.
fn mode(
    id: &str,
    unit: &str,
    materials: Vec<MaterialId>,
    c: (f64, f64, f64, f64),
) -> TransportMode {
    TransportMode {
        id: id.into(),
        name: id.into(),
        unit: unit.into(),
        materials,
        cost_per_unit_km: c.0,
        handling_per_unit: c.1,
        co2_kg_per_unit_km: c.2,
        max_km: c.3,
        circuity: 1.3,
    }
}

prop_compose! {
    /// A region of 2–4 parks up to ≈ 300 km apart with two solids and hydrogen; road, rail and a
    /// conveyor for one solid (random costs and reach) and a hydrogen trailer; an optional
    /// dedicated rail link; random producers and consumers.
    fn region()(
        coords in prop::collection::vec((39.0f64..41.0, 107.0f64..110.0), 2..5),
        costs in prop::collection::vec((0.02f64..0.8, 0.0f64..30.0, 0.0f64..0.1, 20.0f64..400.0), 3),
        link in prop::option::of((0usize..4, 0usize..4, 1.0f64..600.0)),
        producers in prop::collection::vec((0usize..4, 0usize..3, 1.0f64..300.0, 0.0f64..100.0), 1..7),
        consumers in prop::collection::vec((0usize..4, 1.0f64..400.0, -20.0f64..30.0, prop::collection::vec((0usize..2, prop::option::of(0.0f64..200.0), -10.0f64..60.0), 1..3), any::<bool>()), 1..5),
        objective_cost in any::<bool>(),
        carbon in 0.0f64..100.0,
    ) -> Region {
        let np = coords.len();
        let parks: Vec<Park> = coords.iter().enumerate().map(|(i, &(lat, lon))| park(i, lat, lon)).collect();
        let solid = |id: &str| Material { id: id.into(), name: id.into(), class: MaterialClass::Solid, unit: "t".into(), grades: vec![], storage_cost: 20.0, env_tax: 25.0, landfill_fee: 0.0 };
        let materials = vec![
            solid("ash"),
            solid("slag"),
            Material { id: "h2".into(), name: "Hydrogen".into(), class: MaterialClass::Hydrogen, unit: "kg".into(), grades: vec![], storage_cost: 0.0, env_tax: 0.0, landfill_fee: 0.0 },
        ];
        let modes = vec![
            mode("road", "t", vec![], costs[0]),
            mode("rail", "t", vec![], costs[1]),
            mode("conveyor", "t", vec![MaterialId(0)], costs[2]),
            mode("trailer", "kg", vec![], (0.02, 4.0, 0.0, 200.0)),
        ];
        let links = link
            .filter(|&(a, b, _)| a % np != b % np)
            .map(|(a, b, km)| Link { from: ParkId(a % np), to: ParkId(b % np), mode: ModeId(1), km: km.round() })
            .into_iter()
            .collect();
        let producers = producers.into_iter().enumerate().map(|(i, (pk, m, q, stock))| Producer {
            id: format!("p{i}"),
            name: format!("p{i}"),
            park: ParkId(pk % np),
            material: MaterialId(m),
            quantity: q.round(),
            grade: None,
            attrs: BTreeMap::new(),
            stockpile: if m == 2 { 0.0 } else { stock.round() },
            reclaim_cost: 3.0,
        }).collect();
        let consumers = consumers.into_iter().enumerate().map(|(i, (pk, cap, proc, intakes, h2))| Consumer {
            id: format!("c{i}"),
            name: format!("c{i}"),
            park: ParkId(pk % np),
            route: RouteId(0),
            capacity: cap.round(),
            load_factor: 0.8,
            processing_cost: proc,
            groups: vec![],
            intakes: if h2 {
                vec![Intake { material: MaterialId(2), grades: vec![], max: None, max_share: None, group: None, gate_price: 5.0, co2_avoided_per_unit: 0.01, min_attrs: BTreeMap::new(), max_attrs: BTreeMap::new() }]
            } else {
                intakes.into_iter().map(|(m, max, gate)| Intake {
                    material: MaterialId(m),
                    grades: vec![],
                    max: max.map(f64::round),
                    max_share: None,
                    group: None,
                    gate_price: gate,
                    co2_avoided_per_unit: 0.5,
                    min_attrs: BTreeMap::new(),
                    max_attrs: BTreeMap::new(),
                }).collect()
            },
        }).collect();
        let mut region = common::random_region(parks, materials, modes, producers, consumers, objective_cost, carbon);
        region.links = links;
        region
    }
}

/// The structure of a network: node kinds, and arc endpoints and kinds without values.
fn topology(net: &Network) -> String {
    let nodes: Vec<_> = net.graph.node_weights().collect();
    let arcs: Vec<_> = net
        .arcs()
        .map(|(_, s, t, a)| (s.index(), t.index(), a.kind.topology()))
        .collect();
    format!("{nodes:?} {arcs:?}")
}

/// The modes of each transport arc of `net`, in arc order.
fn picks(net: &Network) -> Vec<ModeId> {
    net.arcs()
        .filter_map(|(_, _, _, a)| match a.kind {
            ArcKind::Transport { mode, .. } => Some(mode),
            _ => None,
        })
        .collect()
}

/// Random regions, then a variant with the solid modes' per-km and handling costs, CO2 and the
/// carbon price redrawn (values only): the value refresh re-picks the cheapest mode of every
/// pair, equals a build of the variant to the last bit, and keeps the optima of the per-mode
/// formulation of the variant. Then the modes' reach changed as well (full refresh).
#[test]
fn random_regions_keep_their_optima_before_and_after_a_value_refresh() {
    let (shared, repicked, reach_moved) = (Cell::new(0u32), Cell::new(0u32), Cell::new(0u32));
    let new_costs = prop::collection::vec((0.02f64..0.8, 0.0f64..30.0, 0.0f64..0.1), 3);
    let cases = (region(), new_costs, 0.0f64..200.0, 0.5f64..2.0);
    let ran = common::run(200, cases, |(region, costs, carbon, reach_scale)| {
        let mut net = Network::build(&region).unwrap();
        let per_mode = Network::build_one_arc_per_mode(&region).unwrap();
        if check_against_per_mode(&net, &per_mode, &region) > 0 {
            shared.set(shared.get() + 1);
        }
        let mut variant = region.clone();
        for (m, c) in variant.modes.iter_mut().zip(&costs) {
            (
                m.cost_per_unit_km,
                m.handling_per_unit,
                m.co2_kg_per_unit_km,
            ) = *c;
        }
        variant.policy.carbon_price = carbon;
        let before = picks(&net);
        net.refresh_values(&variant).unwrap();
        let built = Network::build(&variant).unwrap();
        prop_assert_eq!(format!("{net:?}"), format!("{built:?}"));
        if picks(&net) != before {
            repicked.set(repicked.get() + 1);
        }
        let per_mode = Network::build_one_arc_per_mode(&variant).unwrap();
        check_against_per_mode(&net, &per_mode, &variant);
        // And a full refresh (reach recomputed) gives the build too.
        let mut again = Network::build(&region).unwrap();
        again.refresh(&variant).unwrap();
        prop_assert_eq!(format!("{again:?}"), format!("{built:?}"));
        // Reach changed too (every `max_km` scaled, the link dropped): a full refresh succeeds
        // exactly when the same pairs keep a mode in reach (a mode entering or leaving a pair
        // that keeps another is a value), and then equals a build.
        let mut far = variant.clone();
        for m in &mut far.modes {
            m.max_km *= reach_scale;
        }
        far.links.clear();
        let far_built = Network::build(&far).unwrap();
        let same_pairs = topology(&far_built) == topology(&again);
        match again.refresh(&far) {
            Ok(()) => {
                prop_assert!(same_pairs);
                prop_assert_eq!(format!("{again:?}"), format!("{far_built:?}"));
                let modes = |n: &Network| {
                    (0..n.arc_count())
                        .map(|a| n.modes_in_reach(a).to_vec())
                        .collect::<Vec<_>>()
                };
                if modes(&again) != modes(&built) {
                    reach_moved.set(reach_moved.get() + 1);
                }
                check_against_per_mode(
                    &again,
                    &Network::build_one_arc_per_mode(&far).unwrap(),
                    &far,
                );
            }
            Err(_) => prop_assert!(!same_pairs),
        }
        Ok(())
    });
    eprintln!(
        "several modes in reach in {} of {ran} cases; the pick changed in {}; a refresh with \
         other modes in reach (same pairs) in {}",
        shared.get(),
        repicked.get(),
        reach_moved.get()
    );
    assert!(
        reach_moved.get() * 10 >= ran,
        "too few refreshes with other modes in reach"
    );
    assert!(shared.get() * 2 >= ran, "too few cases with parallel modes");
    assert!(
        repicked.get() * 5 >= ran,
        "too few cases where the pick changed"
    );
}

/// `Network::size` (what `validate` prints, counted without building: issue #19, item 7) is
/// the node and arc count of `Network::build`, on the shipped scenarios and on random regions
/// with repeated producers, grades and attribute limits (classes of several members, pairs that
/// are not accepted).
#[test]
fn the_size_counted_without_building_is_the_built_size() {
    for name in ["tiny", "nested", "tiny_plan", "ordos_2020", "ordos_2025"] {
        let path = format!("scenarios/{name}.toml");
        let region = symbiosim::scenario::load(Path::new(&path)).unwrap().region;
        let net = Network::build(&region).unwrap();
        let size = Network::size(&region).unwrap();
        assert_eq!(size, (net.node_count(), net.arc_count()), "{name}");
    }
    let lots = prop::collection::vec((0usize..3, 0usize..3, 0usize..8), 1..20);
    let limits = prop::collection::vec((0usize..3, 0usize..3), 1..12);
    common::run(
        200,
        (region(), lots, limits),
        |(mut region, lots, limits)| {
            let grades = [None, Some("I"), Some("II")];
            let al = [None, Some(0.3), Some(0.5)];
            let base = region.producers.clone();
            for (i, &(g, a, copy)) in lots.iter().enumerate() {
                let mut p = base[copy % base.len()].clone();
                p.id = format!("x{i}");
                p.grade = grades[g].map(String::from);
                if let Some(v) = al[a] {
                    p.attrs.insert("al".into(), v);
                }
                region.producers.push(p);
            }
            let mut k = 0;
            for c in &mut region.consumers {
                for intake in &mut c.intakes {
                    let (g, a) = limits[k % limits.len()];
                    k += 1;
                    intake.grades = match g {
                        0 => vec![],
                        1 => vec!["I".into()],
                        _ => vec!["I".into(), "II".into()],
                    };
                    if let Some(v) = al[a] {
                        intake.min_attrs.insert("al".into(), v);
                    }
                }
            }
            let net = Network::build(&region).unwrap();
            prop_assert_eq!(
                Network::size(&region).unwrap(),
                (net.node_count(), net.arc_count())
            );
            Ok(())
        },
    );
}
