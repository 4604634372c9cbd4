//! The default Ordos scenario: whole evaluation, cold solve, and warm re-solve after a ±10 %
//! perturbation of supplies, capacities and costs (the Monte Carlo case); the lexicographic
//! allocation cold and warm; and the Monte Carlo path: one evaluation of a perturbed region with
//! the network refreshed (not rebuilt) and the basis kept, without capacity values.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::Path;
use symbiosim::allocate::{flow_problem, AllocConfig, Scaling};
use symbiosim::analysis::evaluate;
use symbiosim::model::Region;
use symbiosim::network::Network;
use symbiosim::scenario;
use symbiosim_engine::{gen, FlowProblem, NetworkSimplex, PivotRule};

fn ordos(c: &mut Criterion) {
    let region = ordos_2025();
    let (base, perturbed) = integer_problems(&region);

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
        warm_resolves(b, &base, &perturbed)
    });
    g.finish();
}

/// `region`'s integer problem and 16 perturbations of it (±10 % of supplies, capacities and
/// costs).
fn integer_problems(region: &Region) -> (FlowProblem, Vec<FlowProblem>) {
    let scaling = Scaling {
        quantity: region.settings.quantity_resolution,
        cost: region.settings.cost_resolution,
    };
    let base = flow_problem(&Network::build(region).unwrap(), scaling).unwrap();
    let perturbed = (0..16).map(|k| gen::perturb(&base, 10, k)).collect();
    (base, perturbed)
}

/// Warm re-solves of `base`'s optimum after each perturbation in turn.
fn warm_resolves(b: &mut criterion::Bencher, base: &FlowProblem, perturbed: &[FlowProblem]) {
    let mut ns = NetworkSimplex::new(base, PivotRule::default()).unwrap();
    ns.solve().unwrap();
    let mut k = 0;
    b.iter(|| {
        k = (k + 1) % perturbed.len();
        ns.update(&perturbed[k]).unwrap();
        black_box(ns.resolve().unwrap())
    })
}

criterion_group!(
    benches,
    ordos,
    ordos_lexicographic,
    ordos_monte_carlo,
    ordos_monte_carlo_run
);
criterion_main!(benches);

/// The default scenario of the benches.
fn ordos_2025() -> symbiosim::model::Region {
    scenario::load(Path::new("scenarios/ordos_2025.toml"))
        .expect("valid scenario")
        .region
}

/// The lexicographic phases alone: no capacity values, no rate ranges (the Monte Carlo path).
fn phases_only() -> AllocConfig {
    AllocConfig {
        capacity_values: false,
        rate_ranges: false,
        ..AllocConfig::default()
    }
}

/// The scenario's own lexicographic allocation (three certified phases) re-solved for a
/// perturbed region: a fresh `Allocator` (cold) against one kept across samples (warm).
fn ordos_lexicographic(c: &mut Criterion) {
    use symbiosim::allocate::{allocate, Allocator};
    // The phases alone, as before the capacity values moved into the allocation.
    let cfg = phases_only();
    let region = ordos_2025();
    let scaling = Scaling {
        quantity: region.settings.quantity_resolution,
        cost: region.settings.cost_resolution,
    };
    let nets: Vec<Network> = perturbed_regions(&region)
        .iter()
        .map(|r| Network::build(r).unwrap())
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

/// 16 variants of `region` with every producer's quantity, consumer's capacity, processing
/// cost and gate price perturbed by up to ±10 % (the same structure).
fn perturbed_regions(region: &Region) -> Vec<Region> {
    use rand::{Rng, SeedableRng};
    (0..16u64)
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
            r
        })
        .collect()
}

/// One Monte Carlo sample: a perturbed region evaluated (network, lexicographic allocation,
/// analysis) without capacity values, by an [`Evaluator`] that refreshes its network and keeps
/// its basis; against the same with the network rebuilt for every sample.
fn ordos_monte_carlo(c: &mut Criterion) {
    use symbiosim::allocate::Allocator;
    use symbiosim::analysis::{analyse, Evaluator};
    let cfg = phases_only();
    let region = ordos_2025();
    let samples = perturbed_regions(&region);
    let mut g = c.benchmark_group("ordos_2025 Monte Carlo sample");
    g.bench_function("evaluate refreshed, no capacity values", |b| {
        let mut ev = Evaluator::new(cfg);
        ev.results(&region).unwrap();
        let mut k = 0;
        b.iter(|| {
            k = (k + 1) % samples.len();
            black_box(ev.results(&samples[k]).unwrap())
        });
        assert_eq!(ev.builds(), 1, "every sample refreshed the network");
    });
    g.bench_function("evaluate rebuilt, no capacity values", |b| {
        let scaling = Scaling {
            quantity: region.settings.quantity_resolution,
            cost: region.settings.cost_resolution,
        };
        let mut al = Allocator::new(cfg);
        let mut k = 0;
        b.iter(|| {
            k = (k + 1) % samples.len();
            let r = &samples[k];
            let net = Network::build(r).unwrap();
            let alloc = al.allocate(&net, r.settings.objective, scaling).unwrap();
            black_box(analyse(r, &net, &alloc))
        });
    });
    g.finish();
}

/// The Monte Carlo run (`run --samples`): 1 024 samples of ordos_2025 under both objectives,
/// with every producer's quantity triangular on [0.85, 1.15], every consumer's capacity uniform
/// on [0.9, 1.1] and road costs normal (sd 0.1) on [0.8, 1.2]; each sample warm from the base
/// optimum, in parallel chunks on a rayon pool of 1 and of 2 threads. Throughput = samples per
/// second (the base solve included). Beside it, in the same run, the bare warm re-solve of the
/// `ordos` group (update + resolve of a perturbed integer problem, no certificate): the
/// per-sample time is reported as a multiple of it. Each run is also measured with the
/// scenario's own `[[uncertain]]` entries ("shipped entries").
fn ordos_monte_carlo_run(c: &mut Criterion) {
    use symbiosim::analysis::monte_carlo;
    use symbiosim::model::{Distribution, Objective, Uncertain, UncertainField};
    let base = ordos_2025();
    let shipped = scenario::load(Path::new("scenarios/ordos_2025.toml"))
        .expect("valid scenario")
        .uncertain;
    let entries = vec![
        Uncertain {
            id: "output".into(),
            field: UncertainField::ProducerQuantity,
            items: (0..base.producers.len()).collect(),
            distribution: Distribution::Triangular {
                low: 0.85,
                mode: 1.0,
                high: 1.15,
            },
            group: None,
            growth: Vec::new(),
        },
        Uncertain {
            id: "capacity".into(),
            field: UncertainField::ConsumerCapacity,
            items: (0..base.consumers.len()).collect(),
            distribution: Distribution::Uniform {
                low: 0.9,
                high: 1.1,
            },
            group: None,
            growth: Vec::new(),
        },
        Uncertain {
            id: "haulage".into(),
            field: UncertainField::TransportCost,
            items: (0..base.modes.len()).collect(),
            distribution: Distribution::Normal {
                mean: 1.0,
                sd: 0.1,
                low: 0.8,
                high: 1.2,
            },
            group: None,
            growth: Vec::new(),
        },
    ];
    const N: u64 = 1024;
    let mut g = c.benchmark_group("ordos_2025 Monte Carlo run");
    g.sample_size(10);
    g.bench_function("bare warm re-solve, perturbed ±10%", |b| {
        let (problem, perturbed) = integer_problems(&base);
        warm_resolves(b, &problem, &perturbed)
    });
    g.throughput(criterion::Throughput::Elements(N));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        for (name, objective) in [
            ("cost", Objective::Cost),
            ("max_utilisation", Objective::MaxUtilisation),
        ] {
            let mut region = base.clone();
            region.settings.objective = objective;
            g.bench_function(format!("{N} samples, {name}, {threads} threads"), |b| {
                let mut seed = 0;
                b.iter(|| {
                    seed += 1;
                    pool.install(|| {
                        black_box(monte_carlo(&region, &entries, seed, 0, N, &|_| {}).unwrap())
                    })
                })
            });
            // The scenario's own `[[uncertain]]` entries (32 in ordos_2025, two groups): what
            // `run scenarios/ordos_2025.toml --samples N` solves.
            g.bench_function(
                format!("{N} samples, {name}, shipped entries, {threads} threads"),
                |b| {
                    let mut seed = 0;
                    b.iter(|| {
                        seed += 1;
                        pool.install(|| {
                            black_box(monte_carlo(&region, &shipped, seed, 0, N, &|_| {}).unwrap())
                        })
                    })
                },
            );
        }
    }
    g.finish();
}
