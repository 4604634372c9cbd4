//! Candidate measures (`[[candidates]]`, #13): `scenarios/tiny_plan.toml` as built, its
//! header's hand derivation checked by brute force over every portfolio, and `--set`
//! reaching candidate fields. Errors in candidates are located in `tests/candidate_errors.rs`.

use std::path::Path;
use symbiosim::analysis::monte_carlo;
use symbiosim::model::{Effect, Flag, Lever, Region};
use symbiosim::scenario::{self, overrides::Override, Loaded};

const TINY_PLAN: &str = "scenarios/tiny_plan.toml";

fn load() -> Loaded {
    scenario::load(Path::new(TINY_PLAN)).unwrap()
}

/// The index of candidate `id`.
fn ix(r: &Region, id: &str) -> usize {
    r.candidates.list.iter().position(|c| c.id == id).expect(id)
}

#[test]
fn tiny_plan_candidates_are_built_as_written() {
    let r = load().region;
    let c = &r.candidates;
    assert_eq!(c.discount_rate, 0.08);
    let ids: Vec<&str> = c.list.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "ash_blocks_small",
            "ash_blocks_large",
            "gangue_landfill_fee",
            "rail_siding_bc",
            "pit_c"
        ]
    );
    // Annual costs by hand (annuity tables: 8 % over 10 years 0.1490295, over 20 years
    // 0.1018522), to the cent of the table's precision.
    let expected = [
        1.0e6 * 0.1490295 + 2.0e4,
        1.8e6 * 0.1490295 + 3.0e4,
        5.0e4,
        1.2e6 * 0.1018522,
        3.0e5 * 0.1018522,
    ];
    for (cand, e) in c.list.iter().zip(expected) {
        assert!(
            (cand.annual_cost - e).abs() < 0.2,
            "{}: {} vs {e}",
            cand.id,
            cand.annual_cost
        );
        assert_eq!(cand.flag, Flag::Assumed);
    }
    let small = &c.list[0];
    assert_eq!(
        (small.capex, small.life_years, small.opex_per_yr),
        (1.0e6, 10.0, 2.0e4)
    );
    // Exclusions are made symmetric; the prerequisite stays one way.
    assert_eq!(c.list[0].excludes, vec![1]);
    assert_eq!(c.list[1].excludes, vec![0]);
    assert_eq!(c.list[4].requires, vec![3]);
    assert!(c.list[3].requires.is_empty());
    // Effects.
    match &c.list[1].effects[..] {
        [Effect::NewConsumer(k)] => {
            assert_eq!((k.id.as_str(), k.capacity), ("ash_blocks_a_large", 32.0));
            assert_eq!(r.parks[k.park.0].id, "A");
            assert_eq!(k.load_factor, 1.0);
        }
        e => panic!("{e:?}"),
    }
    match &c.list[2].effects[..] {
        [Effect::Policy(Lever::LandfillFee {
            materials,
            yuan_per_unit,
        })] => {
            assert_eq!(*yuan_per_unit, 20.0);
            let ids: Vec<&str> = materials
                .iter()
                .map(|m| r.materials[m.0].id.as_str())
                .collect();
            assert_eq!(ids, ["gangue"]);
        }
        e => panic!("{e:?}"),
    }
    match &c.list[3].effects[..] {
        [Effect::Link { from, to, mode, km }] => {
            assert_eq!(
                (
                    r.parks[from.0].id.as_str(),
                    r.parks[to.0].id.as_str(),
                    r.modes[mode.0].id.as_str(),
                    *km
                ),
                ("B", "C", "rail", 120.0)
            );
        }
        e => panic!("{e:?}"),
    }
    // New consumers follow the base ones, in candidate order, whatever the portfolio.
    let new = c.new_consumer_ids(&r);
    let pairs: Vec<(usize, usize)> = new.iter().map(|(i, k)| (*i, k.0)).collect();
    assert_eq!(pairs, [(0, 2), (1, 3), (4, 4)]);
    assert!(!c.admissible(&[true, true, false, false, false]));
    assert!(!c.admissible(&[false, false, false, false, true]));
    assert!(c.admissible(&[false, true, true, true, true]));
    // The base region is the scenario without any measure.
    assert_eq!(r.consumers.len(), 2);
    assert!(r.links.is_empty());
}

/// The header's closed form: the probability, over the cement multiplier U uniform on
/// [0.5, 1.5], that fly ash used (min(100, ⌊50 U⌋ + blocks)) plus gangue used reaches 160 t.
fn closed_form(chosen: &[bool]) -> (f64, f64, f64) {
    let blocks = if chosen[0] {
        15.0
    } else if chosen[1] {
        32.0
    } else {
        0.0
    };
    let gangue = match (chosen[2], chosen[3] && chosen[4]) {
        (false, _) => 0.0,
        (true, false) => 40.0,
        (true, true) => 100.0,
    };
    let need_ash: f64 = 160.0 - gangue;
    let p = if need_ash > 100.0 {
        0.0
    } else {
        let u = ((need_ash - blocks) / 50.0).max(0.5);
        (1.5 - u).clamp(0.0, 1.0)
    };
    (blocks, gangue, p)
}

#[test]
fn brute_force_over_every_portfolio_matches_the_header() {
    let l = load();
    let c = &l.region.candidates;
    let n = c.len();
    let samples = 300u64;
    let mut best: Vec<(f64, Option<u32>)> = vec![(f64::INFINITY, None); 3];
    let levels = [0.9, 0.5, 0.25];
    for mask in 0u32..(1 << n) {
        let chosen: Vec<bool> = (0..n).map(|i| mask & (1 << i) != 0).collect();
        if !c.admissible(&chosen) {
            continue;
        }
        let region = c.region_for(&l.region, &chosen);
        let (blocks, gangue, p) = closed_form(&chosen);
        let mc = monte_carlo(&region, &l.uncertain, 7, 0, samples, &|_| {}).unwrap();
        let mut met = 0u64;
        for s in &mc.samples {
            let u = s.multipliers[0];
            let ash = (50.0 * u).floor().min(100.0) + blocks;
            let expected = (ash.min(100.0) + gangue) / 200.0;
            let rate = s.rate.unwrap();
            assert!(
                (rate - expected).abs() < 1e-9,
                "{chosen:?} U = {u}: rate {rate}, expected {expected}"
            );
            met += s.meets_target as u64;
        }
        // Sampling error: 4 standard deviations (and exact when p is 0 or 1).
        let freq = met as f64 / samples as f64;
        let sd = (p * (1.0 - p) / samples as f64).sqrt();
        assert!(
            (freq - p).abs() <= 4.0 * sd + 1e-12,
            "{chosen:?}: {freq} vs {p}"
        );
        let cost = c.cost(&chosen);
        for (b, &level) in best.iter_mut().zip(&levels) {
            if p >= level && cost < b.0 {
                *b = (cost, Some(mask));
            }
        }
    }
    let names = |mask: u32| -> Vec<&str> {
        (0..n)
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| c.list[i].id.as_str())
            .collect()
    };
    let (cost, mask) = best[0];
    assert_eq!(
        names(mask.unwrap()),
        [
            "ash_blocks_large",
            "gangue_landfill_fee",
            "rail_siding_bc",
            "pit_c"
        ]
    );
    assert!((cost - 501_031.39).abs() < 0.01, "{cost}");
    let (cost, mask) = best[1];
    assert_eq!(
        names(mask.unwrap()),
        [
            "ash_blocks_small",
            "gangue_landfill_fee",
            "rail_siding_bc",
            "pit_c"
        ]
    );
    assert!((cost - 371_807.80).abs() < 0.01, "{cost}");
    let (cost, mask) = best[2];
    assert_eq!(
        names(mask.unwrap()),
        ["gangue_landfill_fee", "rail_siding_bc", "pit_c"]
    );
    assert!((cost - 202_778.31).abs() < 0.01, "{cost}");
    // The measures matter only together: the full plan without the fee reaches nothing.
    assert_eq!(closed_form(&[false, true, false, true, true]).2, 0.0);
}

#[test]
fn set_reaches_candidate_fields_by_id() {
    let set = |a: &str| Override::flag(a).unwrap();
    let l = scenario::load_with(
        Path::new(TINY_PLAN),
        &[
            set("candidates.pit_c.capex_yuan=6.0e5"),
            set("candidates.ash_blocks_small.consumers.ash_blocks_a.capacity=20"),
            set("candidates.gangue_landfill_fee.policy.landfill_fee_yuan_per_unit.gangue=30"),
            set("candidates.rail_siding_bc.links[0].km=150"),
            set("plan.discount_rate=0"),
        ],
    )
    .unwrap();
    let r = &l.region;
    let pit = &r.candidates.list[ix(r, "pit_c")];
    // At a rate of 0 the capex is spread evenly over the life.
    assert_eq!(pit.annual_cost, 6.0e5 / 20.0);
    match &r.candidates.list[0].effects[..] {
        [Effect::NewConsumer(k)] => assert_eq!(k.capacity, 20.0),
        e => panic!("{e:?}"),
    }
    match &r.candidates.list[2].effects[..] {
        [Effect::Policy(Lever::LandfillFee { yuan_per_unit, .. })] => {
            assert_eq!(*yuan_per_unit, 30.0)
        }
        e => panic!("{e:?}"),
    }
    match &r.candidates.list[3].effects[..] {
        [Effect::Link { km, .. }] => assert_eq!(*km, 150.0),
        e => panic!("{e:?}"),
    }
    // A bad overridden value is blamed on the flag.
    let err = scenario::load_with(
        Path::new(TINY_PLAN),
        &[set("candidates.pit_c.life_years=-1")],
    )
    .unwrap_err();
    let d = err.diagnostics();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].file, "--set candidates.pit_c.life_years=-1");
    assert_eq!(d[0].field, "candidates[4].life_years");
}

#[test]
fn region_for_applies_the_portfolio_and_keeps_the_structure() {
    let r = load().region;
    let c = &r.candidates;
    let none = c.region_for(&r, &[false; 5]);
    let all = c.region_for(&r, &[false, true, true, true, true]);
    // Same consumers in the same order (the scenario's by id, then the candidates' new
    // ones); capacity 0 when not chosen.
    let ids = |x: &Region| x.consumers.iter().map(|k| k.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&none), ids(&all));
    assert_eq!(ids(&none)[..2], ["bricks", "cement"]);
    let caps = |x: &Region| x.consumers.iter().map(|k| k.capacity).collect::<Vec<_>>();
    assert_eq!(caps(&none), [40.0, 50.0, 0.0, 0.0, 0.0]);
    assert_eq!(caps(&all), [40.0, 50.0, 0.0, 32.0, 100.0]);
    // The landfill fee is a transfer beside the storage cost, which it leaves alone.
    assert_eq!(all.materials[1].landfill_fee, 20.0);
    assert_eq!(none.materials[1].landfill_fee, 0.0);
    assert_eq!(all.materials[1].storage_cost, 10.0);
    assert_eq!(none.materials[1].storage_cost, 10.0);
    assert_eq!(all.links.len(), 1);
    assert!(none.links.is_empty());
}

#[test]
fn ordos_candidates_are_sourced_and_ignored_by_a_plain_run() {
    for year in [2025, 2020] {
        let file = format!("scenarios/ordos_{year}.toml");
        let path = Path::new(&file);
        let with = scenario::load(path).unwrap();
        let c = &with.region.candidates;
        assert!(c.len() >= 20, "{year}: {}", c.len());
        assert_eq!(c.discount_rate, 0.08);
        for cand in &c.list {
            assert!(
                cand.source.as_deref().is_some_and(|s| s.contains('§')),
                "{year}: {} has no data-sheet source",
                cand.id
            );
            assert!(cand.annual_cost > 0.0, "{year}: {}", cand.id);
        }
        let by_id = |id: &str| &c.list[ix(&with.region, id)];
        // 6.0e7 yuan over 20 years at 8 % (annuity table 0.1018522).
        assert!((by_id("zg_gangue_brick").annual_cost - 6.0e7 * 0.1018522).abs() < 10.0);
        let pair = ix(&with.region, "zg_gangue_brick_large");
        assert_eq!(by_id("zg_gangue_brick").excludes, vec![pair]);
        let alumina = if year == 2025 {
            "dalu_alumina_line2"
        } else {
            "dalu_alumina_line"
        };
        assert_eq!(
            by_id(alumina).requires,
            vec![ix(&with.region, "dalu_rail_siding")]
        );
        // The scenario without its candidate list is the same region.
        let text = std::fs::read_to_string(path).unwrap();
        let cut = text.find("# Candidate measures for `plan`").unwrap();
        let cut = text[..cut].rfind("\n#").unwrap();
        let without = scenario::load_str(&file, &text[..cut], Path::new("scenarios")).unwrap();
        assert!(without.region.candidates.is_empty());
        let mut a = with.region.clone();
        a.candidates.list.clear();
        assert!(
            a == without.region,
            "{year}: the candidate list changed the base region"
        );
        assert_eq!(with.uncertain, without.uncertain);
    }
}

/// Each candidate applies its own new consumers, whatever the order of their ids: the
/// consumers are built in canonical order (by id), not in file order, and each candidate
/// takes its own by id (the Ordos files list them out of id order; `tiny_plan`'s happen to be
/// in order).
#[test]
fn each_candidate_opens_its_own_consumers() {
    for year in [2025, 2020] {
        let file = format!("scenarios/ordos_{year}.toml");
        let text = std::fs::read_to_string(&file).unwrap();
        let raw: toml::Table = toml::from_str(&text).unwrap();
        let r = scenario::load(Path::new(&file)).unwrap().region;
        let c = &r.candidates;
        let first_new = r.consumers.len();
        for (i, cand) in raw["candidates"].as_array().unwrap().iter().enumerate() {
            let id = cand["id"].as_str().unwrap();
            let mut own: Vec<&str> = cand
                .get("consumers")
                .and_then(|k| k.as_array())
                .map(|k| k.iter().map(|k| k["id"].as_str().unwrap()).collect())
                .unwrap_or_default();
            own.sort_unstable();
            let mut chosen = vec![false; c.len()];
            chosen[ix(&r, id)] = true;
            assert_eq!(ix(&r, id), i);
            let applied = c.region_for(&r, &chosen);
            let mut open: Vec<&str> = applied.consumers[first_new..]
                .iter()
                .filter(|k| k.capacity > 0.0)
                .map(|k| k.id.as_str())
                .collect();
            open.sort_unstable();
            assert_eq!(open, own, "{year}: {id} opens other consumers than its own");
        }
    }
}
