//! Load factors and nested blend limits, computed by hand on `scenarios/nested.toml` (its
//! header gives the computation).

use std::path::Path;
use symbiosim::allocate::AllocConfig;
use symbiosim::analysis::{evaluate, Results};
use symbiosim::model::{Objective, Region};
use symbiosim::scenario;

fn nested() -> Region {
    scenario::load(Path::new("scenarios/nested.toml"))
        .expect("nested.toml is valid")
        .region
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-6, "{a} != {b}");
}

fn run(region: &Region) -> Results {
    evaluate(region, &AllocConfig::default()).unwrap().results
}

/// Quantity from producer `from` used by consumer `to`.
fn flow(region: &Region, r: &Results, from: &str, to: &str) -> f64 {
    r.flows
        .iter()
        .filter(|f| {
            region.producers[f.producer.0].id == from && region.consumers[f.consumer.0].id == to
        })
        .map(|f| f.quantity)
        .sum()
}

/// The index of consumer `id` (consumers are in id order, whatever the file's order).
fn cix(region: &Region, id: &str) -> usize {
    region.consumers.iter().position(|c| c.id == id).unwrap()
}

fn intake(region: &Region, r: &Results, id: &str) -> f64 {
    r.consumers[cix(region, id)].intake
}

#[test]
fn the_route_load_factor_halves_the_saturated_brick_plant() {
    let region = nested();
    let b = cix(&region, "bricks");
    let bricks = &region.consumers[b];
    assert_eq!((bricks.capacity, bricks.load_factor), (100.0, 0.5));
    let r = run(&region);
    // Bricks: 100 t nameplate × 0.5 = 50 t, saturated; cement 70 t (see the group test).
    close(intake(&region, &r, "bricks"), 50.0);
    close(r.consumers[b].capacity, 50.0);
    close(r.solids.generated, 230.0);
    close(r.solids.utilised(), 120.0);
    close(r.solids.rate().unwrap(), 120.0 / 230.0);
    // At load 1 the bricks take all 100 t of gangue: the rate rises by 50/230 = 21.7 points.
    let mut full = region.clone();
    full.consumers[b].load_factor = 1.0;
    let f = run(&full);
    close(intake(&full, &f, "bricks"), 100.0);
    close(
        f.solids.rate().unwrap() - r.solids.rate().unwrap(),
        50.0 / 230.0,
    );
}

#[test]
fn nameplate_for_potential_restores_the_nameplate_under_max_utilisation_only() {
    let mut region = nested();
    region.settings.nameplate_for_potential = true;
    let r = run(&region);
    close(intake(&region, &r, "bricks"), 100.0);
    close(r.solids.rate().unwrap(), 170.0 / 230.0);
    // Under the cost objective the expected load holds: 50 t (using beats storing gangue:
    // 5 km × 0.1 = 0.5 yuan/t against 10).
    region.settings.objective = Objective::Cost;
    let c = run(&region);
    close(intake(&region, &c, "bricks"), 50.0);
    close(c.solids.rate().unwrap(), 120.0 / 230.0);
}

#[test]
fn the_mixed_slot_caps_ash_and_slag_together_each_under_its_own_limit() {
    let region = nested();
    let r = run(&region);
    // Slot 0.6 × 100 = 60 t for ash + slag; least cost fills it with ash first (storage 25
    // against 10): ash 50 (its own limit), slag 10; gypsum 10 beside the slot.
    let (ash, slag, gypsum) = (
        flow(&region, &r, "ash", "cement"),
        flow(&region, &r, "slag", "cement"),
        flow(&region, &r, "gypsum", "cement"),
    );
    close(ash, 50.0);
    close(slag, 10.0);
    close(gypsum, 10.0);
    close(intake(&region, &r, "cement"), 70.0);
    // Without the group the capacity binds: 50 + 50 + 10 = 110 > 100, so 100 t.
    let c = cix(&region, "cement");
    let mut open = region.clone();
    open.consumers[c].groups.clear();
    for i in &mut open.consumers[c].intakes {
        i.group = None;
    }
    let o = run(&open);
    close(intake(&open, &o, "cement"), 100.0);
    close(o.solids.utilised() - r.solids.utilised(), 30.0);
    // The slot is a share of the capacity in force: at load 0.5 it is 30 t (and the
    // capacity 50 t): ash 30 (cheapest to use), slag 0, gypsum 10.
    let mut half = region.clone();
    half.consumers[c].load_factor = 0.5;
    let h = run(&half);
    close(flow(&half, &h, "ash", "cement"), 30.0);
    close(flow(&half, &h, "slag", "cement"), 0.0);
    close(intake(&half, &h, "cement"), 40.0);
}
