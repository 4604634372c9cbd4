//! The default Ordos scenario: whole evaluation, cold solve, and warm re-solve after a ±10 %
//! perturbation of supplies, capacities and costs (the Monte Carlo case).

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::Path;
use symbiosim::allocate::{flow_problem, AllocConfig, Scaling};
use symbiosim::analysis::evaluate;
use symbiosim::network::Network;
use symbiosim::scenario;
use symbiosim_engine::{gen, NetworkSimplex, PivotRule};

fn ordos(c: &mut Criterion) {
    let region = scenario::load(Path::new("scenarios/ordos_2025.toml"))
        .expect("valid scenario")
        .region;
    let net = Network::build(&region).unwrap();
    let scaling = Scaling {
        quantity: region.settings.quantity_resolution,
        cost: region.settings.cost_resolution,
    };
    let base = flow_problem(&net, scaling).unwrap();
    let perturbed: Vec<_> = (0..16).map(|k| gen::perturb(&base, 10, k)).collect();

    let mut g = c.benchmark_group("ordos_2025");
    g.bench_function(
        "evaluate (network + lexicographic solves + analysis)",
        |b| b.iter(|| evaluate(black_box(&region), &AllocConfig::default()).unwrap()),
    );
    g.bench_function("cold solve, perturbed ±10%", |b| {
        let mut k = 0;
        b.iter(|| {
            k = (k + 1) % perturbed.len();
            let mut ns = NetworkSimplex::new(&perturbed[k], PivotRule::default()).unwrap();
            black_box(ns.solve().unwrap())
        })
    });
    g.bench_function("warm re-solve, perturbed ±10%", |b| {
        let mut ns = NetworkSimplex::new(&base, PivotRule::default()).unwrap();
        ns.solve().unwrap();
        let mut k = 0;
        b.iter(|| {
            k = (k + 1) % perturbed.len();
            ns.update(&perturbed[k]).unwrap();
            black_box(ns.resolve().unwrap())
        })
    });
    g.finish();
}

criterion_group!(benches, ordos, ordos_lexicographic);
criterion_main!(benches);

/// The scenario's own lexicographic allocation (three certified phases) re-solved for a
/// perturbed region: a fresh `Allocator` (cold) against one kept across samples (warm).
fn ordos_lexicographic(c: &mut Criterion) {
    use rand::{Rng, SeedableRng};
    use symbiosim::allocate::{allocate, Allocator};
    // The phases alone, as before the capacity values moved into the allocation.
    let cfg = AllocConfig {
        capacity_values: false,
        ..AllocConfig::default()
    };
    let region = scenario::load(Path::new("scenarios/ordos_2025.toml"))
        .expect("valid scenario")
        .region;
    let scaling = Scaling {
        quantity: region.settings.quantity_resolution,
        cost: region.settings.cost_resolution,
    };
    let nets: Vec<Network> = (0..16u64)
        .map(|k| {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(k);
            let mut r = region.clone();
            for p in &mut r.producers {
                p.quantity = (p.quantity * rng.random_range(0.9..1.1)).round();
            }
            for c in &mut r.consumers {
                c.capacity = (c.capacity * rng.random_range(0.9..1.1)).round();
                c.processing_cost *= rng.random_range(0.9..1.1);
                for i in &mut c.intakes {
                    i.gate_price *= rng.random_range(0.9..1.1);
                }
            }
            Network::build(&r).unwrap()
        })
        .collect();
    let obj = region.settings.objective;
    let mut g = c.benchmark_group("ordos_2025 lexicographic allocation");
    g.bench_function("cold, perturbed region", |b| {
        let mut k = 0;
        b.iter(|| {
            k = (k + 1) % nets.len();
            black_box(allocate(&nets[k], obj, scaling, &cfg).unwrap())
        })
    });
    g.bench_function("warm, perturbed region", |b| {
        let mut al = Allocator::new(cfg);
        al.allocate(&nets[0], obj, scaling).unwrap();
        let mut k = 0;
        b.iter(|| {
            k = (k + 1) % nets.len();
            black_box(al.allocate(&nets[k], obj, scaling).unwrap())
        })
    });
    g.finish();
}
