//! The tiny scenario's hand-computed answer (worked out in README.md, "A worked example").

use std::path::Path;
use symbiosim::allocate::AllocConfig;
use symbiosim::analysis::{evaluate, Results};
use symbiosim::model::{Objective, Region};
use symbiosim::scenario;

fn tiny() -> Region {
    scenario::load(Path::new("scenarios/tiny.toml"))
        .expect("tiny.toml is valid")
        .region
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-6, "{a} != {b}");
}

fn flow(region: &Region, r: &Results, from: &str, to: &str, stockpile: bool) -> f64 {
    r.flows
        .iter()
        .filter(|f| {
            region.producers[f.producer.0].id == from
                && region.consumers[f.consumer.0].id == to
                && f.from_stockpile == stockpile
        })
        .map(|f| f.quantity)
        .sum()
}

#[test]
fn max_utilisation_matches_hand_computation() {
    let region = tiny();
    let e = evaluate(&region, &AllocConfig::default()).unwrap();
    let r = &e.results;
    // Phase 1: cement takes 100 t of ash, bricks 30 t ash (blend limit) + 80 t gangue;
    // 30 t of ash cannot be used anywhere. Phase 2: bricks have 40 t of room left within the
    // gangue limit of 0.8 × 150 = 120 t, so 40 t are drawn from the gangue stockpile.
    close(r.solids.generated, 240.0);
    close(r.solids.utilised_new, 210.0);
    close(r.solids.stockpile_drawn, 40.0);
    close(r.solids.disposed, 30.0);
    // Rate = utilised / (generated + drawn) = 250 / 280.
    close(r.solids.rate().unwrap(), 250.0 / 280.0);
    assert!(r.target.meets);
    // Phase 3: per-unit costs (yuan/t): same-park haul 5 km × 0.4 + 5 = 7, cross-park
    // 50 × 0.4 + 5 = 25; cement use 10 − 30 = −20; bricks use 15; ash storage 25.
    // pa-ash → cement −13 beats pb-ash → cement +5, so pb-ash goes to bricks (22) and storage.
    close(flow(&region, r, "pa-ash", "cement", false), 100.0);
    close(flow(&region, r, "pb-ash", "cement", false), 0.0);
    close(flow(&region, r, "pb-ash", "bricks", false), 30.0);
    close(flow(&region, r, "pb-gangue", "bricks", false), 80.0);
    close(flow(&region, r, "pb-gangue", "bricks", true), 40.0);
    // Hydrogen: 600 kg to trucks at 50 × 0.063 − 20 = −16.85 yuan/kg; 400 kg vented.
    let (_, h) = r.hydrogen[0];
    close(h.utilised(), 600.0);
    close(h.disposed, 400.0);
    close(h.rate().unwrap(), 0.6);
    // Total: ash −1300 + 660 + 750; gangue 80 × 22; stockpile 40 × (7 + 2 + 15); H2 −10 110.
    close(
        r.cost.total(),
        -1300.0 + 660.0 + 750.0 + 1760.0 + 960.0 - 10110.0,
    );
    close(r.objective_yuan, -7280.0);
    // CO2: cement 100 × 0.78 + trucks 600 × 0.01 − transport 1 250 t·km × 0.1 kg.
    close(r.transport_tkm, 1250.0);
    close(r.co2_avoided_t - r.co2_transport_t, 78.0 + 6.0 - 0.125);
    // Three certified phases; primal = dual in each.
    assert_eq!(r.phases.len(), 3);
    for p in &r.phases {
        assert_eq!(p.primal, p.dual, "{}", p.name);
    }
    // The biggest gap: park B's fly ash, 0.8 × 60 − 30 = 18 t short.
    let g = &r.gaps[0];
    assert_eq!(region.parks[g.park.0].id, "B");
    close(g.shortfall, 18.0);
}

#[test]
fn cost_objective_matches_hand_computation() {
    let mut region = tiny();
    region.settings.objective = Objective::Cost;
    let r = evaluate(&region, &AllocConfig::default()).unwrap().results;
    // Gangue: bricks 22 > storage 10, so it is stored; the stockpile stays (24 > 0).
    close(r.solids.utilised(), 130.0);
    close(r.solids.stockpile_drawn, 0.0);
    close(r.solids.rate().unwrap(), 130.0 / 240.0);
    assert!(!r.target.meets);
    close(r.target.shortfall, 0.8 * 240.0 - 130.0);
    close(r.cost.total(), -1300.0 + 660.0 + 750.0 + 800.0 - 10110.0);
    close(r.objective_yuan, -9200.0);
    assert_eq!(r.phases.len(), 1);
    // Producer duals: one more tonne of gangue in B is stored at 10 yuan/t.
    let pg = r
        .producers
        .iter()
        .find(|p| region.producers[p.producer.0].id == "pb-gangue")
        .unwrap();
    close(pg.marginal_cost, 10.0);
}

#[test]
fn sub_block_landfill_capacity_is_honoured() {
    // Move pb-ash into a sub-block B1 of B whose compliant storage holds only 10 t/yr, and
    // close the cement plant: pb-ash sends 30 t to bricks, stores 10 t and dumps 20 t, which
    // pay the environmental tax (25 yuan/t); pa-ash is stored in A (unlimited). Dumping must
    // be allowed explicitly (tests/accounting.rs: without it, the 20 t have no legal fate).
    let text = include_str!("../scenarios/tiny.toml")
        .replacen("[[parks]]", "[policy]\nallow_dumping = true\n\n[[parks]]", 1)
        .replacen("[[materials]]\nid = \"gangue\"", "[[parks]]\nid = \"B1\"\nname = \"Block B1\"\nparent = \"B\"\nlat = 39.81\nlon = 110.31\nlandfill_capacity = 10.0\n\n[[materials]]\nid = \"gangue\"", 1)
        .replacen("capacity = 100.0", "capacity = 0.0", 1)
        .replacen("id = \"pb-ash\"\npark = \"B\"", "id = \"pb-ash\"\npark = \"B1\"", 1)
        .replacen("storage_cost_yuan_per_unit = 25.0", "storage_cost_yuan_per_unit = 25.0\nenv_tax_yuan_per_unit = 25.0", 1);
    let region = symbiosim::scenario::load_str("sub.toml", &text, Path::new("scenarios"))
        .unwrap()
        .region;
    let pb_ash = region.producers.iter().find(|p| p.id == "pb-ash").unwrap();
    assert_eq!(region.parks[pb_ash.park.0].id, "B1");
    let r = evaluate(&region, &AllocConfig::default()).unwrap().results;
    let pb = r
        .producers
        .iter()
        .find(|p| region.producers[p.producer.0].id == "pb-ash")
        .unwrap();
    let compliant = pb.balance.disposed - pb.balance.dumped;
    close(compliant, 10.0);
    close(pb.balance.dumped, 20.0);
    close(r.cost.env_tax, 20.0 * 25.0);
    // The landfill of B1 is reported full: 10 t stored of 10, 20 t dumped beside it, and one
    // more tonne of capacity saves that tonne's tax (storage is paid either way): 25 yuan/t.
    let b1 = r
        .landfills
        .iter()
        .find(|l| region.parks[l.park.0].id == "B1")
        .expect("B1's landfill is reported");
    assert_eq!(b1.capacity, Some(10.0));
    close(b1.stored, 10.0);
    assert_eq!(b1.free(), Some(0.0));
    assert!(b1.full);
    close(b1.dumped, 20.0);
    close(b1.capacity_value.unwrap(), 25.0);
    // A and B store without a limit (pa-ash in A, pb-gangue in B).
    let ids: Vec<&str> = r
        .landfills
        .iter()
        .map(|l| region.parks[l.park.0].id.as_str())
        .collect();
    assert_eq!(ids, ["A", "B", "B1"]);
    let a = &r.landfills[0];
    assert_eq!((a.capacity, a.free(), a.full), (None, None, false));
    close(a.capacity_value.unwrap(), 0.0);
    // Sub-blocks roll up into their consolidated park.
    assert!(r
        .by_park
        .iter()
        .all(|(p, _)| region.parks[p.0].parent.is_none()));
}

#[test]
fn coarse_resolution_keeps_balances_closed_and_capacities_respected() {
    // With 40 t flow units, 100 t rounds to 3 units (120 t) and 60 t to 2 (80 t); capacities
    // round down (cement 100 t → 80 t). Balances must close on what the solver saw, and no
    // capacity may be exceeded.
    let mut region = tiny();
    region.settings.quantity_resolution = 40.0;
    let e = evaluate(&region, &AllocConfig::default()).unwrap();
    let r = &e.results;
    for pf in &r.producers {
        let b = pf.balance;
        close(b.utilised_new + b.disposed, b.generated);
        assert_eq!((b.generated / 40.0).fract(), 0.0);
    }
    for cu in &r.consumers {
        assert!(
            cu.intake <= cu.capacity + 1e-9,
            "{} > {}",
            cu.intake,
            cu.capacity
        );
    }
    close(r.by_material[0].1.generated, 120.0 + 80.0);
}

#[test]
fn park_scope_counts_the_named_sub_block_only() {
    // pb-ash in sub-block B1: "park:B1" is pb-ash alone (30 of 60 t used → 50 %), while
    // "park:B" is B with its sub-blocks.
    let text = include_str!("../scenarios/tiny.toml")
        .replacen("[[materials]]\nid = \"gangue\"", "[[parks]]\nid = \"B1\"\nname = \"Block B1\"\nparent = \"B\"\nlat = 39.81\nlon = 110.31\n\n[[materials]]\nid = \"gangue\"", 1)
        .replacen("id = \"pb-ash\"\npark = \"B\"", "id = \"pb-ash\"\npark = \"B1\"", 1);
    let b1 = text.replacen("scope = \"solids\"", "scope = \"park:B1\"", 1);
    let region = symbiosim::scenario::load_str("b1.toml", &b1, Path::new("scenarios"))
        .unwrap()
        .region;
    let r = evaluate(&region, &AllocConfig::default()).unwrap().results;
    close(r.target.achieved.unwrap(), 0.5);
    assert!(!r.target.meets);
    let b = text.replacen("scope = \"solids\"", "scope = \"park:B\"", 1);
    let region = symbiosim::scenario::load_str("b.toml", &b, Path::new("scenarios"))
        .unwrap()
        .region;
    let r = evaluate(&region, &AllocConfig::default()).unwrap().results;
    close(
        r.target.achieved.unwrap(),
        (30.0 + 80.0 + 40.0) / (140.0 + 40.0),
    );
}

fn capacity_value(region: &Region, r: &Results, id: &str) -> f64 {
    r.consumers
        .iter()
        .find(|c| region.consumers[c.consumer.0].id == id)
        .expect(id)
        .capacity_value
        .expect("computed")
}

#[test]
fn capacity_values_are_exact_right_derivatives() {
    // Cost objective: one more tonne of cement capacity moves 1 t of pb-ash from storage (25)
    // to cement (5): 20 yuan. One more kg of truck capacity saves 16.85 yuan. The bricks cannot
    // use more capacity (both blend limits bind): 0.
    let mut region = tiny();
    region.settings.objective = Objective::Cost;
    let r = evaluate(&region, &AllocConfig::default()).unwrap().results;
    let value = |id: &str| capacity_value(&region, &r, id);
    close(value("cement"), 20.0);
    close(value("fc-trucks"), 16.85);
    close(value("bricks"), 0.0);
    // max_utilisation: the utilisation of the first phases stays a bound, so the freed
    // disposal slot can take 1 t of gangue out of the bricks (22 − 10 = 12): 20 + 12 = 32.
    let region = tiny();
    let r = evaluate(&region, &AllocConfig::default()).unwrap().results;
    let value = |id: &str| capacity_value(&region, &r, id);
    close(value("cement"), 32.0);
    close(value("bricks"), 0.0);
}

/// The capacity values of the Ordos scenario (81 consumers with a non-zero value, re-solved in
/// parallel chunks whose size follows the thread count) are the same bits with 1 and 4
/// threads: each is an exact optimum, whatever the chunk and its warm-start path.
#[test]
fn capacity_values_do_not_depend_on_the_thread_count() {
    let region = scenario::load(Path::new("scenarios/ordos_2025.toml"))
        .expect("ordos_2025.toml is valid")
        .region;
    let with = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let e = evaluate(&region, &AllocConfig::default()).unwrap();
                e.allocation.capacity_value.expect("asked for")
            })
    };
    let (one, four) = (with(1), with(4));
    assert!(one.iter().filter(|&&v| v > 0.0).count() > 50);
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&one), bits(&four));
}

#[test]
fn refresh_takes_new_values_and_rejects_a_new_reach() {
    use symbiosim::network::{Network, NetworkError};
    let region = tiny();
    let mut net = Network::build(&region).unwrap();
    // New values, same structure: the refreshed network is the one built for them.
    let mut v = region.clone();
    v.producers[0].quantity *= 1.5;
    v.consumers[0].capacity -= 20.0;
    v.consumers[1].intakes[0].gate_price += 3.0;
    v.modes[0].cost_per_unit_km = 0.5;
    v.policy.carbon_price = 80.0;
    net.refresh(&v).unwrap();
    let built = Network::build(&v).unwrap();
    assert_eq!(format!("{net:?}"), format!("{built:?}"));
    // Road reach below the 50 km between A and B: the cross-park arcs are gone, so the
    // network cannot be refreshed, and a failed refresh leaves it as it was.
    let mut short = v.clone();
    short.modes[0].max_km = 40.0;
    assert!(Network::build(&short).unwrap().arc_count() < net.arc_count());
    let err = net.refresh(&short).unwrap_err();
    assert!(matches!(err, NetworkError::TopologyChanged(_)), "{err}");
    // The network kept its topology: refreshed again, it is the one built.
    net.refresh(&v).unwrap();
    assert_eq!(format!("{net:?}"), format!("{built:?}"));
    // An emptied stockpile removes a node.
    let mut emptied = v.clone();
    for p in &mut emptied.producers {
        p.stockpile = 0.0;
    }
    assert!(matches!(
        net.refresh(&emptied),
        Err(NetworkError::TopologyChanged(_))
    ));
    // Reaching further within the same arcs is a value change.
    let mut long = v;
    long.modes[0].max_km = 60.0;
    net.refresh(&long).unwrap();
}

#[test]
fn an_evaluator_refreshes_and_matches_cold_evaluations() {
    use symbiosim::analysis::Evaluator;
    let region = tiny();
    let cfg = AllocConfig {
        capacity_values: false,
        ..AllocConfig::default()
    };
    let mut ev = Evaluator::new(cfg);
    for k in 0..5 {
        let mut v = region.clone();
        v.producers[1].quantity += 10.0 * k as f64;
        v.consumers[0].processing_cost += k as f64;
        let warm = ev.results(&v).unwrap();
        let cold = evaluate(&v, &cfg).unwrap().results;
        let objectives = |r: &Results| {
            r.phases
                .iter()
                .map(|p| p.objective_units)
                .collect::<Vec<_>>()
        };
        assert_eq!(objectives(&warm), objectives(&cold));
        // Not asked for: not computed (never a 0 that looks like a value).
        assert!(warm.consumers.iter().all(|c| c.capacity_value.is_none()));
    }
    assert_eq!(ev.builds(), 1);
}

/// Two materials tie for one consumer: ash (blend limit 60 t) and slag, 100 t each, both
/// stored at the same cost, one plant of 100 t in the same park. Every optimal allocation fills
/// the plant, and any split with ash ≤ 60 t costs the same.
const TIE: &str = r#"
[scenario]
name = "tie"
title = "Two materials tie for one plant"
year = 2025

[target]
rate = 0.80
scope = "solids"

[settings]
objective = "max_utilisation"
same_park_km = 5.0

[[parks]]
id = "A"
name = "Park A"
lat = 39.60
lon = 109.80

[[materials]]
id = "ash"
name = "Ash"
storage_cost_yuan_per_unit = 10.0

[[materials]]
id = "slag"
name = "Slag"
storage_cost_yuan_per_unit = 10.0

[[routes]]
id = "cement_blending"
name = "Cement blending"

[[transport]]
id = "road"
cost_yuan_per_unit_km = 0.4
handling_yuan_per_unit = 5.0
max_km = 100.0

[[producers]]
id = "ash"
park = "A"
material = "ash"
quantity = 100.0

[[producers]]
id = "slag"
park = "A"
material = "slag"
quantity = 100.0

[[consumers]]
id = "plant"
park = "A"
route = "cement_blending"
capacity = 100.0
accepts = [{ material = "ash", max = 60.0 }, { material = "slag" }]
"#;

#[test]
fn rate_ranges_of_a_tie_match_hand_computation() {
    use symbiosim::analysis::RateRange;
    use symbiosim::model::{MaterialId, ParkId};
    let mut region = scenario::load_str("tie.toml", TIE, Path::new("."))
        .expect("valid")
        .region;
    for objective in [Objective::MaxUtilisation, Objective::Cost] {
        region.settings.objective = objective;
        let r = evaluate(&region, &AllocConfig::default()).unwrap().results;
        // The plant is full in every optimum (each tonne used saves 10 − 7 yuan of storage net
        // of haulage): ash + slag = 100 with ash ≤ 60, so ash takes 0–60 t of its 100 t and
        // slag the rest, 40–100 t of its 100 t. The park's solids rate is 100 / 200 in all.
        let range = |m| r.material_range(MaterialId(m)).unwrap();
        assert_eq!(range(0), RateRange { min: 0.0, max: 0.6 }, "{objective:?}");
        assert_eq!(range(1), RateRange { min: 0.4, max: 1.0 }, "{objective:?}");
        let park = r.park_range(ParkId(0)).unwrap();
        assert_eq!(park, RateRange { min: 0.5, max: 0.5 }, "{objective:?}");
        // The total row (all solids, the target's scope): 100 of 200 t in every optimum.
        let half = Some(RateRange { min: 0.5, max: 0.5 });
        assert_eq!(r.solids_range, half, "{objective:?}");
        assert_eq!(r.target.achieved_range, half, "{objective:?}");
        // One park: each park × material range is its material's.
        for m in 0..2 {
            let pair = r.park_material_range(ParkId(0), MaterialId(m));
            assert_eq!(pair, Some(range(m)), "{objective:?}");
        }
        let csv = String::from_utf8(symbiosim::report::utilisation_csv(&region, &r).unwrap());
        let rows: Vec<String> = csv.unwrap().lines().map(String::from).collect();
        assert!(
            rows.contains(&"total,all,all_solids,solid,t,200,100,0,100,0,0.5,0.5,0.5,0.5".into())
        );
        assert!(rows
            .iter()
            .any(|l| l.starts_with("park_material,A,ash,") && l.contains(",0,0.6,")));
        // The reported allocation is one of them.
        for (m, b) in &r.by_material {
            let (x, range) = (b.rate().unwrap(), range(m.0));
            assert!(range.min <= x && x <= range.max, "{x} outside {range:?}");
        }
        close(r.solids.utilised(), 100.0);
    }
}

#[test]
fn tiny_rates_are_unique_and_ranges_can_be_turned_off() {
    let region = tiny();
    let r = evaluate(&region, &AllocConfig::default()).unwrap().results;
    // README's worked example has a unique answer: every range is a single value, the rate.
    assert_eq!(r.material_ranges.len(), 3);
    assert_eq!(r.park_ranges.len(), 2);
    for (m, range) in &r.material_ranges {
        let b = r
            .by_material
            .iter()
            .chain(&r.hydrogen)
            .find(|(k, _)| k == m)
            .unwrap()
            .1;
        close(range.min, b.rate().unwrap());
        close(range.max, b.rate().unwrap());
    }
    let off = AllocConfig {
        rate_ranges: false,
        ..AllocConfig::default()
    };
    let e = evaluate(&region, &off).unwrap();
    assert!(e.allocation.rate_ranges.is_none());
    assert!(e.results.material_ranges.is_empty() && e.results.park_ranges.is_empty());
}
