//! Min-cost-flow engine benchmarks: cold solves at 10³, 10⁴, 10⁵ arcs for the transport and
//! NETGEN-style families, and warm re-solves after a ±10 % perturbation of supplies,
//! capacities and costs (each warm re-solve starts from the unperturbed optimum, as in a
//! Monte Carlo loop).
//!
//! `cargo bench --bench solver` (add `-- --quick` for a fast pass, or a filter such as
//! `-- cold/transport`).
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use std::hint::black_box;
use std::time::Duration;
use symbiosim_engine::{gen, FlowProblem, NetworkSimplex, PivotRule};

fn instances(arcs: usize) -> [(&'static str, FlowProblem); 2] {
    [
        ("transport", gen::transport(arcs, 1)),
        ("netgen", gen::netgen(arcs / 8, arcs, 1)),
    ]
}

fn cold(c: &mut Criterion) {
    let mut group = c.benchmark_group("cold");
    for arcs in [1_000usize, 10_000, 100_000] {
        group.sample_size(if arcs >= 100_000 { 10 } else { 30 });
        group.measurement_time(Duration::from_secs(if arcs >= 100_000 { 8 } else { 3 }));
        for (family, problem) in instances(arcs) {
            group.bench_with_input(BenchmarkId::new(family, arcs), &problem, |b, p| {
                b.iter(|| {
                    let mut ns = NetworkSimplex::new(p, PivotRule::BlockSearch).unwrap();
                    black_box(ns.solve().unwrap().objective)
                })
            });
        }
    }
    group.finish();
}

fn pivot_rules(c: &mut Criterion) {
    let mut group = c.benchmark_group("pivot_rule");
    group.sample_size(10);
    let arcs = 10_000;
    for (family, problem) in instances(arcs) {
        for (name, rule) in [
            ("block", PivotRule::BlockSearch),
            ("candidate", PivotRule::CandidateList),
            ("first", PivotRule::FirstEligible),
        ] {
            group.bench_with_input(
                BenchmarkId::new(format!("{family}/{name}"), arcs),
                &problem,
                |b, p| {
                    b.iter(|| {
                        black_box(
                            NetworkSimplex::new(p, rule)
                                .unwrap()
                                .solve()
                                .unwrap()
                                .objective,
                        )
                    })
                },
            );
        }
    }
    group.finish();
}

fn warm(c: &mut Criterion) {
    let mut group = c.benchmark_group("warm");
    for arcs in [1_000usize, 10_000, 100_000] {
        group.sample_size(if arcs >= 100_000 { 10 } else { 30 });
        group.measurement_time(Duration::from_secs(if arcs >= 100_000 { 8 } else { 3 }));
        for (family, problem) in instances(arcs) {
            let mut solved = NetworkSimplex::new(&problem, PivotRule::BlockSearch).unwrap();
            solved.solve().unwrap();
            // The first `update` builds the warm-start structures (arc ends, incidence lists,
            // cost buffer); a Monte Carlo loop pays for them once, so the clones below have them.
            solved.update(&problem).unwrap();
            solved.resolve().unwrap();
            let perturbed: Vec<FlowProblem> =
                (0..16).map(|s| gen::perturb(&problem, 10, s)).collect();
            let mut next = 0;
            group.bench_function(BenchmarkId::new(family, arcs), |b| {
                b.iter_batched_ref(
                    || {
                        next = (next + 1) % perturbed.len();
                        (solved.clone(), &perturbed[next])
                    },
                    |(ns, q)| {
                        ns.update(q).unwrap();
                        black_box(ns.resolve().unwrap().objective)
                    },
                    BatchSize::LargeInput,
                )
            });
            let mut next = 0;
            group.bench_function(
                BenchmarkId::new(format!("{family}/cold-same-perturbations"), arcs),
                |b| {
                    b.iter_batched_ref(
                        || {
                            next = (next + 1) % perturbed.len();
                            &perturbed[next]
                        },
                        |q| {
                            black_box(
                                NetworkSimplex::new(q, PivotRule::BlockSearch)
                                    .unwrap()
                                    .solve()
                                    .unwrap()
                                    .objective,
                            )
                        },
                        BatchSize::LargeInput,
                    )
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, cold, pivot_rules, warm);
criterion_main!(benches);
