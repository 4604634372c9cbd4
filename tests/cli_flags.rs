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
