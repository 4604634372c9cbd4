//! What-ifs from the command line: `--set path=value` and `--objective` override the scenario
//! file, are validated like it, and errors name the flag.

use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_symbiosim"))
        .args(args)
        .output()
        .unwrap()
}

fn achieved(out: &Path) -> f64 {
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    s["target"]["achieved_rate"].as_f64().unwrap()
}

#[test]
fn objective_and_set_change_the_answer() {
    let dir = tempfile::tempdir().unwrap();
    let out = |name: &str| dir.path().join(name);
    let base = out("base");
    let o = run(&[
        "run",
        "scenarios/tiny.toml",
        "-q",
        "--out",
        base.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let cost = out("cost");
    let o = run(&[
        "run",
        "scenarios/tiny.toml",
        "-q",
        "--objective",
        "cost",
        "--out",
        cost.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    // The hand-computed answers of README.md's worked example: 89.3 % technical potential,
    // 54.2 % at least cost.
    assert_eq!((achieved(&base) * 1000.0).round(), 893.0);
    assert_eq!((achieved(&cost) * 1000.0).round(), 542.0);
    // --objective is the same as --set settings.objective=…
    let set = out("set");
    let o = run(&[
        "run",
        "scenarios/tiny.toml",
        "-q",
        "--set",
        "settings.objective=cost",
        "--out",
        set.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert_eq!(
        std::fs::read(cost.join("summary.json")).unwrap(),
        std::fs::read(set.join("summary.json")).unwrap()
    );
}

#[test]
fn bad_flags_are_located_at_the_flag_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let o = run(&[
        "run",
        "scenarios/tiny.toml",
        "--set",
        "policy.env_tax_multiplier=-1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--set policy.env_tax_multiplier=-1:1:33: policy.env_tax_multiplier: must not be negative"),
        "{err}"
    );
    assert!(!out.exists());
    let o = run(&[
        "validate",
        "scenarios/tiny.toml",
        "--set",
        "foo",
        "--set",
        "nope=3",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--set foo:1:7: foo: expected path=value"),
        "{err}"
    );
    assert!(
        err.contains("--set nope=3:1:12: nope: unknown field `nope`"),
        "{err}"
    );
    assert!(err.contains("2 problems found"), "{err}");
    let o = run(&["validate", "scenarios/tiny.toml", "--objective", "best"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("possible values: cost, max_utilisation"));
}

/// Suspicious but legal input is run, with a located warning on standard error (not with -q).
#[test]
fn warnings_are_printed_and_do_not_stop_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["validate", "scenarios/tiny.toml", "--set", "target.rate=0"]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("warning: --set target.rate=0:1:") && err.contains("target.rate"),
        "{err}"
    );
    let out = dir.path().join("q");
    let o = run(&[
        "run",
        "scenarios/tiny.toml",
        "-q",
        "--set",
        "target.rate=0",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert!(o.stderr.is_empty());
    let o = run(&["validate", "scenarios/tiny.toml"]);
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// `run --with` applies the named candidate measures (`Candidates::region_for`): the run is
/// that portfolio's, the outputs list the measures with their annual cost, and a wrong id or
/// an inadmissible portfolio fails before anything is written.
#[test]
fn run_with_applies_candidate_measures() {
    use symbiosim::allocate::AllocConfig;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("with");
    let ids = [
        "ash_blocks_large",
        "gangue_landfill_fee",
        "rail_siding_bc",
        "pit_c",
    ];
    let o = run(&[
        "run",
        "scenarios/tiny_plan.toml",
        "-q",
        "--with",
        &ids.join(","),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{o:?}");
    let l = symbiosim::scenario::load(Path::new("scenarios/tiny_plan.toml")).unwrap();
    let c = &l.region.candidates;
    let flags: Vec<bool> = c
        .list
        .iter()
        .map(|k| ids.contains(&k.id.as_str()))
        .collect();
    let region = c.region_for(&l.region, &flags);
    let want = symbiosim::analysis::evaluate(&region, &AllocConfig::default())
        .unwrap()
        .results;
    let rate = want.target.achieved.unwrap();
    assert!(
        (achieved(&out) - rate).abs() < 1e-6,
        "{} vs {rate}",
        achieved(&out)
    );
    // Without the measures the rate is lower: the flag did something.
    let base = symbiosim::analysis::evaluate(&l.region, &AllocConfig::default())
        .unwrap()
        .results;
    assert!(base.target.achieved.unwrap() + 0.1 < rate);
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let listed: Vec<&str> = s["measures_applied"]["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ids);
    let cost = s["measures_applied"]["annual_cost_yuan"].as_f64().unwrap();
    assert!((cost - c.cost(&flags)).abs() < 0.01, "{cost}");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("with measures ash_blocks_large, gangue_landfill_fee"),
        "{md}"
    );
    // Refusals: nothing written, exit 2, the reason named.
    for (with, says) in [
        ("nope", "no candidate measure has this id"),
        ("pit_c", "pit_c requires rail_siding_bc"),
        ("ash_blocks_small,ash_blocks_large", "exclude each other"),
    ] {
        let bad = dir.path().join("bad");
        let o = run(&[
            "run",
            "scenarios/tiny_plan.toml",
            "--with",
            with,
            "--out",
            bad.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{with}: {o:?}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(says),
            "{with}: {o:?}"
        );
        assert!(!bad.exists(), "{with}");
    }
}
