//! `compare` against the runs it replaces (issue #20, "Speed"): the base and the five shipped
//! strategies with `--samples 1000 --seed 1` in one `compare`, against `run --samples 1000
//! --seed 1` of each of the six one after another — both through the binary, end to end
//! (loading, solving, writing), on 2 threads. Goal: compare ≤ 0.8 × the runs.
//!
//! `cargo bench --bench compare`

use criterion::{criterion_group, criterion_main, Criterion};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

fn strategies() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/strategies");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("scenarios/strategies")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

fn symbiosim(args: &[&OsStr]) {
    let o = Command::new(env!("CARGO_BIN_EXE_symbiosim"))
        .args(args)
        .output()
        .expect("the binary runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn compare_against_runs(c: &mut Criterion) {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ordos_2025.toml");
    let files = strategies();
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let out = tmp.path().join("out");
    let common = [
        "--samples",
        "1000",
        "--seed",
        "1",
        "--threads",
        "2",
        "-q",
        "--force",
    ];
    let mut g = c.benchmark_group("compare, ordos_2025 and 5 strategies, 1000 samples");
    g.sample_size(10);
    g.bench_function("compare", |b| {
        b.iter(|| {
            let mut args: Vec<&OsStr> = vec![OsStr::new("compare"), base.as_os_str()];
            args.extend(files.iter().map(|f| f.as_os_str()));
            args.extend(common.iter().map(OsStr::new));
            args.extend([OsStr::new("--out"), out.as_os_str()]);
            symbiosim(&args);
        })
    });
    g.bench_function("run --samples, each in turn", |b| {
        b.iter(|| {
            for f in std::iter::once(&base).chain(&files) {
                let mut args: Vec<&OsStr> = vec![OsStr::new("run"), f.as_os_str()];
                args.extend(common.iter().map(OsStr::new));
                args.extend([OsStr::new("--out"), out.as_os_str()]);
                symbiosim(&args);
            }
        })
    });
    g.finish();
}

criterion_group!(benches, compare_against_runs);
criterion_main!(benches);
