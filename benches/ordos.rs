//! The default Ordos scenario: whole evaluation, cold solve, and warm re-solve after a ±10 %
//! perturbation of supplies, capacities and costs (the Monte Carlo case).

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::Path;
use symbiosim::analysis::evaluate;
use symbiosim::network::Network;
use symbiosim::scenario;
use symbiosim::solve::allocate::{flow_problem, Scaling};
use symbiosim::solve::{gen, NetworkSimplex, PivotRule, SolverConfig};

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
        |b| b.iter(|| evaluate(black_box(&region), &SolverConfig::default()).unwrap()),
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

criterion_group!(benches, ordos);
criterion_main!(benches);
