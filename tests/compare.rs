//! `compare` (issue #20): a strategy equal to its base gives the base's row; precedence base <
//! strategy < `--set`; paired differences on common random numbers equal a brute-force
//! recomputation from separate Monte Carlo runs; the money's two views add up; a failing
//! strategy is reported in its row without stopping the others; the same bytes at any thread
//! count.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use symbiosim::allocate::AllocConfig;
use symbiosim::analysis::compare::{compare, paired, CompareConfig, Outcomes, Strategy};
use symbiosim::analysis::monte_carlo;
use symbiosim::scenario::{self, overrides::Override, strategy};

fn base() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tiny_uncertain.toml")
}

/// A strategy over tiny_uncertain written into `dir` as `NAME.toml`.
fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(format!("{name}.toml"));
    let text = format!(
        "[strategy]\ntitle = \"{name}\"\nbase = {:?}\n\n{body}",
        base().display().to_string()
    );
    fs::write(&p, text).unwrap();
    p
}

fn compare_bin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_symbiosim"))
        .arg("compare")
        .args(args)
        .output()
        .unwrap()
}

fn rows(csv: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(csv).unwrap();
    let mut out = vec![r.headers().unwrap().iter().map(String::from).collect()];
    out.extend(
        r.records()
            .map(|x| x.unwrap().iter().map(String::from).collect::<Vec<_>>()),
    );
    out
}

/// A larger cement plant: more fly ash used in every sample where the cement plant is full.
const BIGGER_CEMENT: &str = "[[consumers]]\nid = \"cement\"\ncapacity = 140.0\n";

#[test]
fn a_strategy_equal_to_its_base_gives_the_bases_row_and_failures_stay_in_their_row() {
    let dir = tempfile::tempdir().unwrap();
    let same = write(dir.path(), "same", "");
    let same_value = write(dir.path(), "same_value", "[target]\nrate = 0.8\n");
    let bigger = write(dir.path(), "bigger", BIGGER_CEMENT);
    let broken = write(dir.path(), "broken", "[target]\nrat = 0.8\n");
    let out = dir.path().join("out");
    let o = compare_bin(&[
        base().to_str().unwrap(),
        same.to_str().unwrap(),
        same_value.to_str().unwrap(),
        broken.to_str().unwrap(),
        bigger.to_str().unwrap(),
        "--samples",
        "200",
        "--seed",
        "3",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    // One strategy failed: the exit code says so, the others are all there.
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("broken.toml:6:") && err.contains("did you mean `rate`"),
        "{err}"
    );
    let t = rows(&out.join("comparison.csv"));
    let col = |name: &str| t[0].iter().position(|h| h == name).unwrap();
    let ids: Vec<&str> = t[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        ids,
        ["tiny_uncertain", "same", "same_value", "broken", "bigger"]
    );
    // Identical rows but the id, the title and the paired columns (the base has none).
    let first_paired = col("paired_samples");
    for r in [&t[2], &t[3]] {
        assert_eq!(r[2..first_paired], t[1][2..first_paired], "{r:?}");
        assert_eq!(r[col("paired_rate_diff")], "0");
        assert_eq!(r[col("paired_p_diff")], "0");
        assert_eq!(r[col("paired_only_strategy_meets")], "0");
    }
    assert!(t[4][col("status")].starts_with("failed: ") && t[4][col("status")].contains("rat"));
    assert_eq!(t[4][col("least_cost_rate")], "");
    assert_eq!(t[5][col("status")], "ok");
    // The bigger plant uses more ash at technical potential, never less in a sample.
    let f = |r: &Vec<String>, c: &str| r[col(c)].parse::<f64>().unwrap();
    assert!(f(&t[5], "technical_potential_rate") > f(&t[1], "technical_potential_rate"));
    assert!(f(&t[5], "paired_rate_diff_ci95_low") > 0.0);
    // inputs_diff: the value that differs, none for the value equal to the base's.
    let d = fs::read_to_string(out.join("inputs_diff.csv")).unwrap();
    let lines: Vec<&str> = d.lines().collect();
    assert_eq!(lines.len(), 2, "{d}");
    assert!(
        lines[1].starts_with("bigger,consumers[0].capacity,100.0,140.0,"),
        "{d}"
    );
    assert!(lines[1].ends_with("bigger.toml:7:12"), "{d}");
}

#[test]
fn precedence_is_base_then_strategy_then_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let bigger = write(dir.path(), "bigger", BIGGER_CEMENT);
    let cement = |l: &scenario::Loaded| {
        l.region
            .consumers
            .iter()
            .find(|c| c.id == "cement")
            .unwrap()
            .capacity
    };
    assert_eq!(cement(&scenario::load(&base()).unwrap()), 100.0);
    assert_eq!(cement(&strategy::load(&bigger, &[]).unwrap().1), 140.0);
    let flag = Override::flag("consumers.cement.capacity=120").unwrap();
    assert_eq!(cement(&strategy::load(&bigger, &[flag]).unwrap().1), 120.0);
    // Through the binary: --set beats the strategy, and applies to the base too, so it is
    // not a difference; the strategy's replaced value is not one either.
    let out = dir.path().join("out");
    let o = compare_bin(&[
        base().to_str().unwrap(),
        bigger.to_str().unwrap(),
        "--set",
        "consumers.cement.capacity=120",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let t = rows(&out.join("comparison.csv"));
    assert_eq!(t[1][5..], t[2][5..]);
    let d = fs::read_to_string(out.join("inputs_diff.csv")).unwrap();
    assert_eq!(d.lines().count(), 1, "{d}");
}

#[test]
fn paired_differences_equal_a_brute_force_recomputation() {
    let dir = tempfile::tempdir().unwrap();
    let bigger = write(dir.path(), "bigger", BIGGER_CEMENT);
    let b = scenario::load(&base()).unwrap();
    let s = strategy::load(&bigger, &[]).unwrap().1;
    let (n, seed) = (300, 11);
    let list = [
        Strategy {
            id: "base",
            region: &b.region,
            entries: &b.uncertain,
        },
        Strategy {
            id: "bigger",
            region: &s.region,
            entries: &s.uncertain,
        },
    ];
    let cfg = CompareConfig {
        samples: Some((n, seed)),
        alloc: AllocConfig::default(),
    };
    let rows = compare(&list, &cfg, &|_| {});
    let u = rows[1].uncertainty.as_ref().unwrap().as_ref().unwrap();
    let p = u.paired.unwrap();
    // Separate runs on the same (seed, index) draws.
    let mb = monte_carlo(&b.region, &b.uncertain, seed, 0, n, &|_| {}).unwrap();
    let ms = monte_carlo(&s.region, &s.uncertain, seed, 0, n, &|_| {}).unwrap();
    let mut diffs = Vec::new();
    let (mut b10, mut b01) = (0u64, 0u64);
    for (x, y) in mb.samples.iter().zip(&ms.samples) {
        assert_eq!(x.multipliers, y.multipliers, "common random numbers");
        diffs.push(y.rate.unwrap() - x.rate.unwrap());
        b10 += u64::from(y.meets_target && !x.meets_target);
        b01 += u64::from(x.meets_target && !y.meets_target);
    }
    let mean = diffs.iter().sum::<f64>() / n as f64;
    let var = diffs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let half = 1.959_963_984_540_054 * (var / n as f64).sqrt();
    let (lo, hi) = p.rate_diff_ci95.unwrap();
    assert!(
        (p.rate_diff_mean.unwrap() - mean).abs() < 1e-12,
        "{p:?} {mean}"
    );
    assert!((lo - (mean - half)).abs() < 1e-12);
    assert!((hi - (mean + half)).abs() < 1e-12);
    assert_eq!((p.only_strategy, p.only_base), (b10, b01));
    let (met_b, met_s) = (
        mb.samples.iter().filter(|x| x.meets_target).count() as f64,
        ms.samples.iter().filter(|x| x.meets_target).count() as f64,
    );
    assert!((p.p_diff - (met_s - met_b) / n as f64).abs() < 1e-12);
    assert!(
        b10 > 0 && b01 == 0,
        "a bigger plant never makes a sample miss: {b10} {b01}"
    );
    // The statistics kept from three scalars a sample equal the full run's.
    assert_eq!(u.rate, ms.summary.rate);
    assert_eq!(u.strict_rate, ms.summary.strict_rate);
    assert_eq!(u.p_meet_target, ms.summary.p_meet_target);
    assert_eq!(u.no_legal_fate, ms.summary.samples_infeasible);
    // The function itself, on records built by hand: diffs 0.1, 0.3; one discordant pair.
    let mut r = mb.samples[..2].to_vec();
    let mut q = r.clone();
    (r[0].rate, r[1].rate, q[0].rate, q[1].rate) = (Some(0.5), Some(0.5), Some(0.6), Some(0.8));
    (
        r[0].meets_target,
        r[1].meets_target,
        q[0].meets_target,
        q[1].meets_target,
    ) = (false, false, false, true);
    let h = paired(&Outcomes::of(&r), &Outcomes::of(&q));
    assert!((h.rate_diff_mean.unwrap() - 0.2).abs() < 1e-12);
    // sd of (0.1, 0.3) = 0.141421; half = 1.96 · 0.141421 / √2 = 0.195996.
    assert!(
        (h.rate_diff_ci95.unwrap().1 - 0.2 - 0.195_996).abs() < 1e-6,
        "{h:?}"
    );
    // One sample: a mean, no interval (no spread to estimate), never NaN.
    let one = paired(&Outcomes::of(&r[..1]), &Outcomes::of(&q[..1]));
    assert_eq!(one.n, 1);
    assert!((one.rate_diff_mean.unwrap() - 0.1).abs() < 1e-12);
    assert_eq!(one.rate_diff_ci95, None);
    assert_eq!((h.only_strategy, h.only_base, h.p_diff), (1, 0, 0.5));
}

#[test]
fn the_money_adds_up_and_the_same_bytes_come_at_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let bigger = write(dir.path(), "bigger", BIGGER_CEMENT);
    let levers = write(
        dir.path(),
        "levers",
        "[policy]\nenv_tax_multiplier = 3.0\ncarbon_price_yuan_per_t = 50.0\n",
    );
    let mut outs = Vec::new();
    for threads in ["1", "3"] {
        let out = dir.path().join(format!("t{threads}"));
        let o = compare_bin(&[
            base().to_str().unwrap(),
            bigger.to_str().unwrap(),
            levers.to_str().unwrap(),
            "--samples",
            "150",
            "--threads",
            threads,
            "-q",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        outs.push(out);
    }
    for f in [
        "comparison.csv",
        "comparison.json",
        "comparison_materials.csv",
        "comparison_landfills.csv",
        "inputs_diff.csv",
        "comparison.png",
    ] {
        assert_eq!(
            fs::read(outs[0].join(f)).unwrap(),
            fs::read(outs[1].join(f)).unwrap(),
            "{f}"
        );
    }
    let j: serde_json::Value =
        serde_json::from_slice(&fs::read(outs[0].join("comparison.json")).unwrap()).unwrap();
    for s in j["strategies"].as_array().unwrap() {
        for o in ["least_cost", "technical_potential"] {
            let m = &s[o]["money_yuan"];
            let g = |k: &str| m[k].as_f64().unwrap();
            // Firms' cost less the government's net revenue is the resource cost (to the fen).
            let gap = g("firms_cost") - g("government_net_revenue") - g("resource_cost");
            assert!(gap.abs() < 0.02, "{} {o}: {m}", s["id"]);
        }
    }
    // The carbon price is a transfer: paid out by the government (it rewards CO2 avoided),
    // received by firms.
    let lv = &j["strategies"][2]["least_cost"]["money_yuan"];
    let bs = &j["strategies"][0]["least_cost"]["money_yuan"];
    assert!(lv["government_net_revenue"].as_f64() < bs["government_net_revenue"].as_f64());
    assert!(lv["firms_cost"].as_f64() < bs["firms_cost"].as_f64());
}

#[test]
fn a_strategy_that_changes_the_target_or_the_objective_is_refused_in_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let target = write(dir.path(), "target", "[target]\nrate = 0.55\n");
    let objective = write(
        dir.path(),
        "objective",
        "[settings]\nobjective = \"cost\"\n",
    );
    let b = scenario::load(&base()).unwrap();
    let t = strategy::load(&target, &[]).unwrap().1;
    let o = strategy::load(&objective, &[]).unwrap().1;
    let list = [
        Strategy {
            id: "base",
            region: &b.region,
            entries: &b.uncertain,
        },
        Strategy {
            id: "target",
            region: &t.region,
            entries: &t.uncertain,
        },
        Strategy {
            id: "objective",
            region: &o.region,
            entries: &o.uncertain,
        },
    ];
    let cfg = CompareConfig {
        samples: Some((20, 1)),
        alloc: AllocConfig::default(),
    };
    let rows = compare(&list, &cfg, &|_| {});
    assert!(rows[0].answers.is_ok());
    let why = |i: usize| rows[i].answers.as_ref().err().cloned().unwrap_or_default();
    assert!(why(1).contains("target.rate 0.8 → 0.55"), "{}", why(1));
    assert!(why(2).contains("settings.objective"), "{}", why(2));
    assert!(rows[1].uncertainty.is_none() && rows[2].uncertainty.is_none());
    // Asked of all at once (a --set over the base and every strategy), it is no change.
    let flag = Override::flag("target.rate=0.55").unwrap();
    let b2 = scenario::load_with(&base(), std::slice::from_ref(&flag)).unwrap();
    let t2 = strategy::load(&target, &[flag]).unwrap().1;
    assert!(symbiosim::analysis::compare::frame_change(&b2.region, &t2.region).is_none());
}

#[test]
fn a_strategy_over_another_base_fails_in_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.toml");
    let tiny = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tiny.toml");
    fs::write(
        &other,
        format!(
            "[strategy]\ntitle = \"other\"\nbase = {:?}\n",
            tiny.display().to_string()
        ),
    )
    .unwrap();
    let same = write(dir.path(), "same", "");
    let out = dir.path().join("out");
    let o = compare_bin(&[
        base().to_str().unwrap(),
        other.to_str().unwrap(),
        same.to_str().unwrap(),
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let t = rows(&out.join("comparison.csv"));
    let status = t[0].iter().position(|h| h == "status").unwrap();
    assert!(
        t[2][status].starts_with("failed: its base is "),
        "{:?}",
        t[2]
    );
    assert!(t[2][status].contains("tiny.toml"), "{:?}", t[2]);
    assert_eq!(t[3][status], "ok");
    // A base that is not valid stops everything: nothing is written.
    let bad_out = dir.path().join("bad");
    let o = compare_bin(&[
        base().to_str().unwrap(),
        same.to_str().unwrap(),
        "--set",
        "target.rate=-1",
        "-q",
        "--out",
        bad_out.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!bad_out.exists());
}

#[test]
fn command_line_edge_cases_are_refused_or_kept() {
    let dir = tempfile::tempdir().unwrap();
    let same = write(dir.path(), "same", "");
    let out = dir.path().join("out");
    let tiny = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tiny.toml");
    // --samples on a base without [[uncertain]]: refused like `run`, nothing written.
    let o = compare_bin(&[
        tiny.to_str().unwrap(),
        same.to_str().unwrap(),
        "--samples",
        "5",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("[[uncertain]]"));
    assert!(!out.exists());
    // The same strategy twice: two rows of one name cannot be told apart; nothing written.
    let o = compare_bin(&[
        base().to_str().unwrap(),
        same.to_str().unwrap(),
        same.to_str().unwrap(),
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("two strategies are named same"));
    assert!(!out.exists());
    // A strategy whose base does not exist says so in its row.
    let lost = dir.path().join("lost.toml");
    fs::write(
        &lost,
        "[strategy]\ntitle = \"lost\"\nbase = \"nowhere.toml\"\n",
    )
    .unwrap();
    let o = compare_bin(&[
        base().to_str().unwrap(),
        lost.to_str().unwrap(),
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let t = rows(&out.join("comparison.csv"));
    assert!(
        t[2][2].contains("nowhere.toml does not exist"),
        "{:?}",
        t[2]
    );
}

#[test]
fn a_strategy_with_other_uncertain_entries_says_why_it_is_not_paired() {
    let dir = tempfile::tempdir().unwrap();
    // tiny_uncertain's six entries, the first one renamed: other ids, so other draws.
    let text = fs::read_to_string(base()).unwrap();
    let renamed = text.replacen("id = \"ash_output\"", "id = \"ash_output_b\"", 1);
    assert_ne!(renamed, text);
    let other_base = dir.path().join("renamed.toml");
    fs::write(&other_base, &renamed).unwrap();
    let b = scenario::load(&base()).unwrap();
    let r = scenario::load(&other_base).unwrap();
    let list = [
        Strategy {
            id: "base",
            region: &b.region,
            entries: &b.uncertain,
        },
        Strategy {
            id: "renamed",
            region: &r.region,
            entries: &r.uncertain,
        },
    ];
    let cfg = CompareConfig {
        samples: Some((30, 2)),
        alloc: AllocConfig::default(),
    };
    let rows = compare(&list, &cfg, &|_| {});
    let u0 = rows[0].uncertainty.as_ref().unwrap().as_ref().unwrap();
    assert!(u0.paired.is_none() && u0.unpaired.is_none());
    let u = rows[1].uncertainty.as_ref().unwrap().as_ref().unwrap();
    assert!(u.paired.is_none());
    assert!(u
        .unpaired
        .as_deref()
        .unwrap()
        .contains("[[uncertain]] entries differ"));
}
