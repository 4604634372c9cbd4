//! The Monte Carlo (`run --samples`): a closed-form probability of meeting the target, the
//! same bytes at any thread count and for any split of the sample range, validation of
//! `[[uncertain]]`, and a plain run that ignores it.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};
use symbiosim::analysis::monte_carlo;
use symbiosim::analysis::monte_carlo::SampleStatus;
use symbiosim::scenario;

/// One park, one producer of 1 000 000 t of fly ash, one cement plant of the same capacity
/// whose capacity is uniform on [0.6, 1.1] × nameplate. The rate is min(m, 1) (to 1e-6, the
/// quantity resolution), so P(rate ≥ 0.8) = (1.1 − 0.8) / 0.5 = 0.6 and
/// E[rate] = (1 − 0.36) / (2 · 0.5) + 0.1 / 0.5 = 0.84, Var = 0.722667 − 0.84² = 0.017067.
const UNIFORM_CAPACITY: &str = r#"
[scenario]
name = "mc_uniform"
year = 2025

[target]
rate = 0.80

[settings]
objective = "max_utilisation"

[[parks]]
id = "A"
name = "Park A"
lat = 39.6
lon = 109.8

[[materials]]
id = "fly_ash"
name = "Fly ash"
storage_cost_yuan_per_unit = 25.0

[[routes]]
id = "cement_blending"
name = "Cement blending"

[[transport]]
id = "road"
cost_yuan_per_unit_km = 0.4
max_km = 100.0

[[producers]]
id = "ash"
park = "A"
material = "fly_ash"
quantity = 1000000.0

[[consumers]]
id = "cement"
park = "A"
route = "cement_blending"
capacity = 1000000.0
accepts = [{ material = "fly_ash" }]

[[uncertain]]
id = "cement_capacity"
applies_to = "consumers.capacity"
ids = ["cement"]
distribution = "uniform"
low = 0.6
high = 1.1
"#;

#[test]
fn probability_of_meeting_the_target_matches_the_closed_form() {
    let l = scenario::load_str("mc_uniform.toml", UNIFORM_CAPACITY, Path::new(".")).unwrap();
    assert_eq!(l.uncertain.len(), 1);
    let n = 2000u64;
    let mc = monte_carlo(&l.region, &l.uncertain, 2026, 0, n, &|_| {}).unwrap();
    assert_eq!(mc.samples.len(), n as usize);
    for s in &mc.samples {
        let m = s.multipliers[0];
        assert!((0.6..=1.1).contains(&m));
        assert!((s.rate.unwrap() - m.min(1.0)).abs() < 2e-6, "{s:?}");
        assert_eq!(s.meets_target, s.rate.unwrap() >= 0.8 - 1e-12);
    }
    let p = 0.6;
    let se = (p * (1.0 - p) / n as f64).sqrt();
    eprintln!(
        "P(meet) exact {p}, estimate {} (se {se:.5}); mean rate exact 0.84, estimate {}",
        mc.p_meet_target,
        mc.rate.unwrap().mean
    );
    assert!(
        (mc.p_meet_target - p).abs() <= 3.0 * se,
        "{}",
        mc.p_meet_target
    );
    let se_mean = (0.017067f64 / n as f64).sqrt();
    assert!((mc.rate.unwrap().mean - 0.84).abs() <= 3.0 * se_mean);
    // The median of min(m, 1): m's median 0.85.
    assert!((mc.rate.unwrap().p50 - 0.85).abs() < 0.02);
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_symbiosim"))
}

fn run(args: &[&str]) -> Output {
    let o = bin().args(args).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

fn mc_run(out: &Path, extra: &[&str]) {
    let mut args = vec![
        "run",
        "scenarios/tiny_uncertain.toml",
        "-q",
        "--seed",
        "7",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args);
}

fn mc_block(dir: &Path) -> serde_json::Value {
    let v: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("summary.json")).unwrap()).unwrap();
    v["monte_carlo"].clone()
}

#[test]
fn samples_are_the_same_bytes_at_any_thread_count_and_split() {
    let dir = tempfile::tempdir().unwrap();
    let (one, four) = (dir.path().join("one"), dir.path().join("four"));
    mc_run(&one, &["--samples", "300", "--threads", "1"]);
    mc_run(&four, &["--samples", "300", "--threads", "4"]);
    let csv = fs::read(one.join("samples.csv")).unwrap();
    assert_eq!(csv, fs::read(four.join("samples.csv")).unwrap());
    assert_eq!(
        fs::read(one.join("summary.json")).unwrap(),
        fs::read(four.join("summary.json")).unwrap()
    );
    assert_eq!(mc_block(&one)["samples"], 300);
    // Two runs over 0..150 and 150..300 concatenate to the run over 0..300.
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    mc_run(&a, &["--samples", "150", "--threads", "2"]);
    mc_run(
        &b,
        &[
            "--samples",
            "150",
            "--first-sample",
            "150",
            "--threads",
            "3",
        ],
    );
    let a = fs::read_to_string(a.join("samples.csv")).unwrap();
    let b = fs::read_to_string(b.join("samples.csv")).unwrap();
    let b_rows = b.split_once('\n').unwrap().1;
    assert_eq!(format!("{a}{b_rows}"), String::from_utf8(csv).unwrap());
}

#[test]
fn a_plain_run_ignores_the_uncertain_entries() {
    let dir = tempfile::tempdir().unwrap();
    let (plain, unc) = (dir.path().join("plain"), dir.path().join("unc"));
    let o = plain.to_str().unwrap();
    run(&["run", "scenarios/tiny.toml", "-q", "--out", o]);
    let u = unc.to_str().unwrap();
    run(&["run", "scenarios/tiny_uncertain.toml", "-q", "--out", u]);
    assert!(!unc.join("samples.csv").exists());
    for f in fs::read_dir(&plain).unwrap() {
        let name = f.unwrap().file_name();
        if name == "manifest.json" || plain.join(&name).is_dir() {
            continue;
        }
        assert_eq!(
            fs::read(plain.join(&name)).unwrap(),
            fs::read(unc.join(&name)).unwrap(),
            "{name:?}"
        );
    }
    // --samples without [[uncertain]] entries is an error.
    let o = bin()
        .args(["run", "scenarios/tiny.toml", "-q", "--samples", "3"])
        .args(["--out", dir.path().join("x").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("[[uncertain]]"));
}

#[test]
fn uncertain_entries_are_validated_with_locations() {
    let base = UNIFORM_CAPACITY.split("[[uncertain]]").next().unwrap();
    let bad = format!(
        "{base}[[uncertain]]\nid = \"u\"\napplies_to = \"consumers.colour\"\ndistribution = \"uniform\"\nlow = 0.9\nhigh = 1.1\n\n\
         [[uncertain]]\nid = \"v\"\napplies_to = \"producers.quantity\"\nids = [\"nope\"]\ndistribution = \"triangular\"\nlow = 0.9\nmode = 1.2\nhigh = 1.1\n\n\
         [[uncertain]]\nid = \"w\"\napplies_to = \"transport.cost_yuan_per_unit_km\"\ndistribution = \"normal\"\nlow = 1.1\nhigh = 0.9\n\n\
         [[uncertain]]\nid = \"x\"\napplies_to = \"producers.quantity\"\ndistribution = \"gamma\"\nlow = 0.9\nhigh = 1.1\n"
    );
    let e = match scenario::load_str("bad.toml", &bad, Path::new(".")) {
        Ok(_) => panic!("invalid scenario accepted"),
        Err(e) => e.to_string(),
    };
    for want in [
        "uncertain[0].applies_to: unknown uncertain value \"consumers.colour\"",
        "uncertain[1].ids[0]: uncertain entry \"v\" names producer \"nope\", which does not exist",
        "uncertain[1].mode: must lie in [low, high]",
        "uncertain[2].high: must not be below low",
        "uncertain[2].distribution: normal needs `sd`",
        "uncertain[3].distribution: unknown distribution \"gamma\"",
    ] {
        assert!(e.contains(want), "missing {want:?} in\n{e}");
    }
}

/// The same plant with its capacity truncated normal (mean 0.9, sd 0.1 on [0.6, 1.1]) or
/// lognormal (median 0.85, sd 0.2 on [0.5, 1.2]): the rate is min(m, 1), so P(meet 80 %) =
/// P(m ≥ 0.8) = (Φ(b) − Φ(c)) / (Φ(b) − Φ(a)) with the standardised bounds a, b and c the
/// standardised 0.8: normal (Φ(2) − Φ(−1)) / (Φ(2) − Φ(−3)) = 0.838810; lognormal with
/// a = ln(0.5/0.85)/0.2, b = ln(1.2/0.85)/0.2, c = ln(0.8/0.85)/0.2: 0.604782.
#[test]
fn truncated_normal_and_lognormal_probabilities_match_the_closed_form() {
    let base = UNIFORM_CAPACITY
        .split("distribution = \"uniform\"")
        .next()
        .unwrap();
    for (dist, p) in [
        (
            "distribution = \"normal\"\nmean = 0.9\nsd = 0.1\nlow = 0.6\nhigh = 1.1\n",
            0.838810,
        ),
        (
            "distribution = \"lognormal\"\nmedian = 0.85\nsd = 0.2\nlow = 0.5\nhigh = 1.2\n",
            0.604782,
        ),
    ] {
        let text = format!("{base}{dist}");
        let l = scenario::load_str("mc_trunc.toml", &text, Path::new(".")).unwrap();
        let n = 4000u64;
        let mc = monte_carlo(&l.region, &l.uncertain, 17, 0, n, &|_| {}).unwrap();
        let se = (p * (1.0 - p) / n as f64).sqrt();
        assert!(
            (mc.p_meet_target - p).abs() <= 3.0 * se,
            "{dist}: {} vs {p}",
            mc.p_meet_target
        );
    }
}

/// [`UNIFORM_CAPACITY`] with a landfill of 100 000 t in park A and dumping forbidden (the
/// default): a sample is feasible iff 10⁶·m + 10⁵ ≥ 10⁶, i.e. m ≥ 0.9, so P(no legal fate) =
/// (0.9 − 0.6) / 0.5 = 0.6; a feasible sample's rate min(m, 1) ≥ 0.9 meets the target, so
/// P(meet) = 0.4. A sample with no legal fate is evaluated with dumping allowed (rate m) and
/// misses the target.
#[test]
fn a_sample_with_no_legal_fate_is_an_outcome_not_an_error() {
    let text = UNIFORM_CAPACITY.replace(
        "lon = 109.8\n",
        "lon = 109.8\nlandfill_capacity = 100000.0\n",
    );
    let l = scenario::load_str("mc_legal.toml", &text, Path::new(".")).unwrap();
    assert!(!l.region.policy.allow_dumping);
    assert_eq!(l.region.parks[0].landfill_capacity, Some(100_000.0));
    let n = 1000u64;
    let mc = monte_carlo(&l.region, &l.uncertain, 11, 0, n, &|_| {}).unwrap();
    let mut infeasible = 0;
    for s in &mc.samples {
        let m = s.multipliers[0];
        if (m - 0.9).abs() < 1e-6 {
            continue; // the boundary, within the resolution
        }
        if m < 0.9 {
            infeasible += 1;
            assert_eq!(s.status, SampleStatus::NoLegalFate, "{s:?}");
            // Evaluated with dumping allowed: the capacity takes m of the output, the rest is
            // dumped; it misses the target whatever its rate.
            assert!(!s.meets_target, "{s:?}");
            assert!((s.rate.unwrap() - m).abs() < 2e-6, "{s:?}");
            assert!(s.material_rates.iter().all(Option::is_some));
            assert!(s.cost.is_finite());
        } else {
            assert_eq!(s.status, SampleStatus::Ok, "{s:?}");
            assert!((s.rate.unwrap() - m.min(1.0)).abs() < 2e-6, "{s:?}");
            assert!(s.meets_target);
        }
    }
    assert_eq!(mc.samples_infeasible, infeasible);
    let p = 0.6;
    let se = (p * (1.0 - p) / n as f64).sqrt();
    let share = infeasible as f64 / n as f64;
    assert!((share - p).abs() <= 3.0 * se, "{share}");
    assert!((mc.p_meet_target - (1.0 - share)).abs() < 1e-12);
    // Every statistic is over all n samples (one population).
    assert_eq!(mc.rate.unwrap().n, n);
    // The same through the binary: a status column and the count in summary.json.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mc_legal.toml");
    fs::write(&path, &text).unwrap();
    let out = dir.path().join("out");
    let args = [
        "run",
        path.to_str().unwrap(),
        "-q",
        "--samples",
        "200",
        "--seed",
        "11",
    ];
    run(&[&args[..], &["--out", out.to_str().unwrap()]].concat());
    let csv = fs::read_to_string(out.join("samples.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert!(rows[0].ends_with(",meets_target,status"), "{}", rows[0]);
    let bad = rows[1..]
        .iter()
        .filter(|r| r.ends_with(",false,no_legal_fate"))
        .count();
    assert!(rows[1..]
        .iter()
        .all(|r| r.ends_with(",ok") || r.ends_with(",false,no_legal_fate")));
    assert!(bad > 0 && bad < 200);
    assert_eq!(mc_block(&out)["samples_infeasible"], bad as u64);
}

/// The lean figures a sample keeps equal the full analysis' on the same allocation, to the
/// last bit, on Ordos under both objectives: one evaluator restored from the base optimum
/// evaluates each sample through `figures` and through `results`.
#[test]
fn lean_figures_equal_the_full_analysis() {
    use symbiosim::allocate::AllocConfig;
    use symbiosim::analysis::monte_carlo::{multipliers, sample_region};
    use symbiosim::analysis::{Evaluator, Figures};
    use symbiosim::model::{apply_multipliers, MaterialClass, Objective};
    let l = scenario::load(Path::new("scenarios/ordos_2025.toml")).unwrap();
    assert!(!l.uncertain.is_empty());
    let cfg = AllocConfig {
        capacity_values: false,
        rate_ranges: false,
        ..AllocConfig::default()
    };
    for objective in [Objective::Cost, Objective::MaxUtilisation] {
        let mut base = l.region.clone();
        base.settings.objective = objective;
        let mut warm = Evaluator::new(cfg);
        warm.results(&base).unwrap();
        warm.prepare_warm();
        let (mut lean, mut full) = (warm.clone(), warm.clone());
        let mut region = base.clone();
        let mut fig = Figures::default();
        for k in 0..60 {
            let m = multipliers(&l.uncertain, 5, k);
            sample_region(&mut region, &base, &l.uncertain, &m);
            // The in-place sample is the sample.
            assert_eq!(region, apply_multipliers(&base, &l.uncertain, &m));
            lean.restore_from(&warm);
            lean.figures(&region, &mut fig).unwrap();
            full.restore_from(&warm);
            let r = full.results(&region).unwrap();
            let bits = |x: Option<f64>| x.map(f64::to_bits);
            assert_eq!(bits(fig.rate), bits(r.target.achieved), "sample {k}");
            assert_eq!(bits(fig.strict_rate), bits(r.target.strict_achieved));
            assert_eq!(fig.meets_target, r.target.meets);
            let solid: Vec<_> = r.by_material.iter().map(|(_, b)| bits(b.rate())).collect();
            let lean_rates: Vec<_> = fig.material_rates.iter().map(|&x| bits(x)).collect();
            assert_eq!(lean_rates, solid);
            assert_eq!(
                r.by_material.len(),
                base.materials
                    .iter()
                    .filter(|m| m.class == MaterialClass::Solid)
                    .count()
            );
            assert_eq!(fig.cost.to_bits(), r.cost.total().to_bits());
            assert_eq!(fig.co2_avoided_t.to_bits(), r.co2_avoided_t.to_bits());
            assert_eq!(fig.co2_transport_t.to_bits(), r.co2_transport_t.to_bits());
            let fates: Vec<_> = r.producers.iter().map(|p| p.balance).collect();
            assert_eq!(fig.fates, fates);
            let cells: Vec<_> = r.by_park_material.iter().map(|&(_, b)| b).collect();
            assert_eq!(fig.cells, cells, "sample {k}");
            assert!(!cells.is_empty());
        }
        assert_eq!(lean.builds(), 1, "every sample refreshed the values");
    }
}

/// Issue #19, item 11: a range that ends at the top of the index space (`first + n` =
/// `u64::MAX`) keeps every sample — the last, partial chunk was dropped when its end
/// wrapped — and the binary refuses a range that overflows.
#[test]
fn samples_at_the_top_of_the_index_range_are_all_kept() {
    let l = scenario::load_str("mc_uniform.toml", UNIFORM_CAPACITY, Path::new(".")).unwrap();
    for n in [1u64, 999] {
        let first = u64::MAX - n;
        let mc = monte_carlo(&l.region, &l.uncertain, 3, first, n, &|_| {}).unwrap();
        let got: Vec<u64> = mc.samples.iter().map(|s| s.index).collect();
        assert_eq!(got, (first..u64::MAX).collect::<Vec<_>>(), "n = {n}");
        // The same draws as anywhere else: sample k depends on (seed, k) only.
        let one = monte_carlo(&l.region, &l.uncertain, 3, first + n / 2, 1, &|_| {}).unwrap();
        assert_eq!(
            one.samples[0].multipliers,
            mc.samples[(n / 2) as usize].multipliers
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let top = (u64::MAX - 1).to_string();
    mc_run(
        &dir.path().join("top"),
        &["--samples", "1", "--first-sample", &top],
    );
    let csv = fs::read_to_string(dir.path().join("top/samples.csv")).unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.lines().nth(1).unwrap().starts_with(&top), "{csv}");
    let o = bin()
        .args([
            "run",
            "scenarios/tiny_uncertain.toml",
            "-q",
            "--samples",
            "2",
        ])
        .args(["--first-sample", &top])
        .args(["--out", dir.path().join("over").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--first-sample") && err.contains("overflows"),
        "{err}"
    );
    assert!(!dir.path().join("over").exists());
}
