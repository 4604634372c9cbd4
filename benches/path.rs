//! The six-year Ordos path (`scenarios/ordos_path.toml`, solved jointly as one time-expanded
//! network) against one year's solve (its target year, 2025, alone), both with the
//! lexicographic phases and the canonical rule and without capacity values or rate ranges
//! (the joint problem computes neither); and the year as `run` solves it, with both. Issue
//! #20's goal: the path ≤ 6× one year.
//!
//! `cargo bench --bench path`; the ratio is in `docs/performance-log.md`.

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::Path;
use symbiosim::allocate::AllocConfig;
use symbiosim::analysis::evaluate;
use symbiosim::analysis::path::{evaluate_path, PathConfig};
use symbiosim::scenario;

fn path(c: &mut Criterion) {
    let l = scenario::path::load(Path::new("scenarios/ordos_path.toml"), &[]).unwrap();
    let alloc = AllocConfig {
        capacity_values: false,
        rate_ranges: false,
        ..AllocConfig::default()
    };
    let cfg = PathConfig {
        alloc,
        force_joint: false,
    };
    let target = l.path.target_region().clone();
    let mut g = c.benchmark_group("ordos path");
    g.sample_size(20);
    g.bench_function("one year (2025) alone, build + solve + analyse", |b| {
        b.iter(|| evaluate(&target, &alloc).unwrap())
    });
    g.bench_function(
        "one year (2025) alone as `run` solves it (capacity values, rate ranges)",
        |b| b.iter(|| evaluate(&target, &AllocConfig::default()).unwrap()),
    );
    g.bench_function("six years jointly, build + solve + analyse", |b| {
        b.iter(|| evaluate_path(&l.path, &cfg).unwrap())
    });
    g.finish();
}

criterion_group!(benches, path);
criterion_main!(benches);
