//! The binary end to end: outputs, golden files, refusal to overwrite, bad input, determinism.
//! Re-bless the golden files with `SYMBIOSIM_BLESS=1 cargo test --release --test cli`.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_symbiosim"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

fn run_tiny(out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        "scenarios/tiny.toml",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

const GOLDEN: &[&str] = &[
    "summary.json",
    "flows.csv",
    "utilisation.csv",
    "consumers.csv",
    "producers.csv",
    "landfills.csv",
    "report.md",
];

#[test]
fn tiny_outputs_match_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tiny");
    let o = run_tiny(&out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    common::check_golden(&out, Path::new("tests/golden/tiny"), GOLDEN);
    for name in [
        "manifest.json",
        "charts/utilisation.png",
        "charts/utilisation.svg",
        "charts/routes.png",
        "charts/routes.svg",
        "charts/map.png",
        "charts/map.svg",
    ] {
        assert!(out.join(name).is_file(), "{name} missing");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["solver"]["certificate"], "verified");
    assert_eq!(summary["solids"]["meets_target"], true);
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["scenario_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(manifest["outputs"].as_array().unwrap().len(), 13);
}

/// The Monte Carlo's text outputs of `tiny_uncertain.toml` (100 samples, seed 7).
const GOLDEN_MC: &[&str] = &[
    "summary.json",
    "samples.csv",
    "tornado.csv",
    "samples_axes.json",
];

#[test]
fn tiny_uncertain_monte_carlo_matches_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mc");
    let o = run(&[
        "run",
        "scenarios/tiny_uncertain.toml",
        "--samples",
        "100",
        "--seed",
        "7",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    common::check_golden(&out, Path::new("tests/golden/tiny_uncertain_mc"), GOLDEN_MC);
    for name in [
        "samples_rate.npy",
        "samples_strict_rate.npy",
        "samples_balance.npy",
        "charts/rate_distribution.png",
        "charts/rate_distribution.svg",
        "charts/tornado.png",
        "charts/tornado.svg",
    ] {
        assert!(out.join(name).is_file(), "{name} missing");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["outputs"].as_array().unwrap().len(), 13 + 10);
}

#[test]
fn existing_output_is_refused_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tiny");
    assert!(run_tiny(&out, &[]).status.success());
    fs::write(out.join("marker"), "earlier result").unwrap();
    let o = run_tiny(&out, &[]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("already exists; pass --force"));
    assert_eq!(
        fs::read_to_string(out.join("marker")).unwrap(),
        "earlier result"
    );
    // --force replaces an earlier output, never a file the user added to it.
    let o = run_tiny(&out, &["--force"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("did not write or that were changed since: marker"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        fs::read_to_string(out.join("marker")).unwrap(),
        "earlier result"
    );
    fs::remove_file(out.join("marker")).unwrap();
    let o = run_tiny(&out, &["--force"]);
    assert!(o.status.success());
    let leftovers: Vec<PathBuf> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p != &out)
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn invalid_scenario_exits_nonzero_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    let text = fs::read_to_string("scenarios/tiny.toml").unwrap().replacen(
        "park = \"B\"",
        "park = \"P9\"",
        1,
    );
    fs::write(&bad, text).unwrap();
    let out = dir.path().join("out");
    let o = run(&["run", bad.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.toml:")
            && err.contains(": producers[1].park: producer \"pb-ash\" names park \"P9\""),
        "{err}"
    );
    assert!(!out.exists());
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    let o = run(&["validate", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn outputs_are_identical_at_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    assert!(run_tiny(&a, &["--threads", "1"]).status.success());
    assert!(run_tiny(&b, &["--threads", "2"]).status.success());
    let mut names = Vec::new();
    for e in walk(&a) {
        let rel = e.strip_prefix(&a).unwrap().to_path_buf();
        if rel == Path::new("manifest.json") {
            continue; // the only file allowed to carry timings
        }
        assert_eq!(
            fs::read(&e).unwrap(),
            fs::read(b.join(&rel)).unwrap(),
            "{} differs",
            rel.display()
        );
        names.push(rel);
    }
    assert_eq!(names.len(), 13);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn validate_reports_counts() {
    let o = run(&["validate", "scenarios/tiny.toml"]);
    assert!(o.status.success());
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(
        s.contains("valid — 2 parks, 3 materials, 4 producers, 3 consumers"),
        "{s}"
    );
}

#[test]
fn force_refuses_folders_that_are_not_earlier_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("thesis");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("thesis.tex"), "precious").unwrap();
    let o = run_tiny(&out, &["--force"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a symbiosim output folder"));
    assert_eq!(
        fs::read_to_string(out.join("thesis.tex")).unwrap(),
        "precious"
    );
}

#[test]
fn bad_input_is_reported_before_the_existing_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tiny");
    assert!(run_tiny(&out, &[]).status.success());
    let bad = dir.path().join("bad.toml");
    fs::write(
        &bad,
        fs::read_to_string("scenarios/tiny.toml").unwrap().replacen(
            "year = 2025",
            "year = \"soon\"",
            1,
        ),
    )
    .unwrap();
    let o = run(&["run", bad.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("scenario.year"));
}

/// `plan` on `scenarios/tiny_plan.toml`: `plan.json` and `plan.csv` against golden files (the
/// chosen portfolio and its cost are also derived by hand in the scenario's header and checked
/// against brute force in `tests/candidates.rs`).
#[test]
fn tiny_plan_matches_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plan");
    let o = run(&[
        "plan",
        "scenarios/tiny_plan.toml",
        "--samples",
        "200",
        "--seed",
        "3",
        "--confidence",
        "0.9",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    common::check_golden(
        &out,
        Path::new("tests/golden/tiny_plan"),
        &["plan.json", "plan.csv"],
    );
    let plan: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("plan.json")).unwrap()).unwrap();
    // The header of tiny_plan.toml: at 90 % the cheapest portfolio is these four, 501 031.39
    // yuan/yr.
    let chosen: Vec<&str> = plan["chosen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        chosen,
        [
            "ash_blocks_large",
            "gangue_landfill_fee",
            "rail_siding_bc",
            "pit_c"
        ]
    );
    assert_eq!(plan["annual_cost_yuan"], 501031.39);
    assert_eq!(plan["optimal"], true);
    assert!(out.join("plan.png").is_file());
}
