//! A Monte Carlo where many samples have no legal fate (dumping forbidden, landfills limited),
//! written as a new user would from the docs: every statistic is over all M samples, each
//! sample without a legal fate is evaluated with dumping allowed and misses the target, and
//! every output says how many there were.
//!
//! By hand. Parks A and B are 40 km apart (in road reach), C is 150 km from both (out of
//! reach). Ash: pa 100·m t (A), pb 80 t (B), pc 50 t (C). Cement (A) takes 120·c t, bricks (B)
//! 60 t; landfills hold 20 t in A, 20 t in B, 100 t in C. So A and B's 100·m + 80 t have
//! 120·c + 60 + 40 t of legal outlets: a sample has no legal fate exactly when
//! 100·m + 80 > 120·c + 100. Under `max_utilisation` every consumer fills as far as the ash
//! reaches: utilised = min(100·m + 80, 120·c + 60) of 100·m + 130 generated, whether or not
//! the rest can be placed legally (with dumping allowed the rest is dumped). The haulage
//! multiplier changes costs only. (In whole tonnes, the solver's resolution: supplies to the
//! nearest tonne, capacities down.)

use std::process::Command;

const SCENARIO: &str = r#"
[scenario]
name = "newuser"
title = "A new user's three parks"
year = 2025

[target]
rate = 0.6
scope = "solids"

[settings]
objective = "max_utilisation"

[[parks]]
id = "A"
name = "Park A"
lat = 39.60
lon = 109.80
landfill_capacity = 20.0

[[parks]]
id = "B"
name = "Park B"
lat = 39.80
lon = 110.30
landfill_capacity = 20.0

[[parks]]
id = "C"
name = "Park C"
lat = 40.60
lon = 111.80
landfill_capacity = 100.0

[[materials]]
id = "ash"
name = "Fly ash"
storage_cost_yuan_per_unit = 25.0

[[routes]]
id = "cement_blending"
name = "Cement blending"
kind = "utilisation"

[[transport]]
id = "road"
cost_yuan_per_unit_km = 0.4
handling_yuan_per_unit = 5.0
max_km = 60.0

[[distances]]
from = "A"
to = "B"
km = 40.0

[[distances]]
from = "A"
to = "C"
km = 150.0

[[distances]]
from = "B"
to = "C"
km = 150.0

[[producers]]
id = "pa"
park = "A"
material = "ash"
quantity = 100.0

[[producers]]
id = "pb"
park = "B"
material = "ash"
quantity = 80.0

[[producers]]
id = "pc"
park = "C"
material = "ash"
quantity = 50.0

[[consumers]]
id = "cement"
park = "A"
route = "cement_blending"
capacity = 120.0
accepts = [{ material = "ash" }]

[[consumers]]
id = "bricks"
park = "B"
route = "cement_blending"
capacity = 60.0
accepts = [{ material = "ash" }]

[[uncertain]]
id = "ash_output"
applies_to = "producers.quantity"
ids = ["pa"]
distribution = "uniform"
low = 0.8
high = 1.6

[[uncertain]]
id = "cement_capacity"
applies_to = "consumers.capacity"
ids = ["cement"]
distribution = "uniform"
low = 0.9
high = 1.1

[[uncertain]]
id = "haulage"
applies_to = "transport.cost_yuan_per_unit_km"
distribution = "uniform"
low = 0.8
high = 1.2
"#;

const N: usize = 2000;

#[test]
fn samples_without_a_legal_fate_are_counted_everywhere_and_in_every_statistic() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("newuser.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let out = tmp.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_symbiosim"))
        .arg("run")
        .arg(&scenario)
        .args(["--samples", &N.to_string(), "--seed", "1", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    let terminal = String::from_utf8(o.stdout).unwrap();

    // samples.csv: every row, its multipliers, status and rate.
    let mut rdr = csv::Reader::from_path(out.join("samples.csv")).unwrap();
    let head = rdr.headers().unwrap().clone();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let (cm, cc, cs, cr) = (
        col("m_ash_output"),
        col("m_cement_capacity"),
        col("status"),
        col("utilisation_rate"),
    );
    let mut rates = Vec::new();
    let mut infeasible = 0;
    for row in rdr.records() {
        let row = row.unwrap();
        let m: f64 = row[cm].parse().unwrap();
        let c: f64 = row[cc].parse().unwrap();
        let rate: f64 = row[cr].parse().unwrap();
        let none_legal = 100.0 * m + 80.0 > 120.0 * c + 100.0;
        // Near the threshold the solver's resolution decides; away from it, the hand rule.
        if (100.0 * m + 80.0 - (120.0 * c + 100.0)).abs() > 1.0 {
            assert_eq!(row[cs] == *"no_legal_fate", none_legal, "m {m} c {c}");
        }
        infeasible += usize::from(&row[cs] == "no_legal_fate");
        // In the solver's whole tonnes (quantity_resolution 1): supplies to the nearest,
        // capacities down.
        let (q, cap) = ((100.0 * m).round(), (120.0 * c).floor());
        let want = (q + 80.0).min(cap + 60.0) / (q + 130.0);
        assert!(
            (rate - want).abs() < 1e-6,
            "m {m} c {c}: rate {rate}, want {want}"
        );
        rates.push(rate);
    }
    assert_eq!(rates.len(), N);
    // A substantial share, as the new user met (P(100 m + 80 > 120 c + 100) ≈ 0.3).
    assert!(infeasible > N / 5 && infeasible < N / 2, "{infeasible}");

    // summary.json: the count, the population, the warning; the mean over all N samples.
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let mc = &s["monte_carlo"];
    assert_eq!(mc["samples"], N as u64);
    assert_eq!(mc["samples_infeasible"], infeasible as u64);
    let said = format!("{infeasible} of {N} had no legal fate");
    assert!(mc["population"].as_str().unwrap().contains(&said), "{mc}");
    assert!(mc["warning"].as_str().unwrap().contains("WARNING"));
    assert_eq!(mc["utilisation_rate"]["samples_defined"], N as u64);
    let mean = rates.iter().sum::<f64>() / N as f64;
    let got = mc["utilisation_rate"]["mean"].as_f64().unwrap();
    assert!((got - mean).abs() < 2e-6, "{got} vs {mean}");
    // P(meet) over all N: an infeasible sample never meets, whatever its rate.
    let met = rates.iter().filter(|&&r| r + 1e-12 >= 0.6).count();
    assert!(met > 0);
    let p = mc["p_meet_target"].as_f64().unwrap();
    assert!(p < met as f64 / N as f64 + 1e-9, "{p}");

    // tornado.csv: the ash output drives infeasibility, the cement capacity works against it.
    let mut t = csv::Reader::from_path(out.join("tornado.csv")).unwrap();
    let th = t.headers().unwrap().clone();
    let ti = |name: &str| th.iter().position(|h| h == name).unwrap();
    let mut rho = std::collections::BTreeMap::new();
    for row in t.records() {
        let row = row.unwrap();
        rho.insert(
            row[ti("input")].to_string(),
            row[ti("spearman_rho_no_legal_fate")]
                .parse::<f64>()
                .unwrap(),
        );
        assert_eq!(&row[ti("samples")], N.to_string().as_str());
    }
    assert!(rho["ash_output"] > 0.5, "{rho:?}");
    assert!(rho["cement_capacity"] < -0.05, "{rho:?}");
    assert!(
        rho["haulage"].abs() < 2.0 / (N as f64).sqrt() * 1.5,
        "{rho:?}"
    );

    // The terminal, report.md and the charts say it.
    assert!(terminal.contains(&said), "{terminal}");
    assert!(terminal.contains("WARNING"), "{terminal}");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("## Monte Carlo"), "{md}");
    assert!(md.contains(&said), "{md}");
    assert!(md.contains("ash_output"), "{md}");
    let l = symbiosim::scenario::load(&scenario).unwrap();
    let base = symbiosim::analysis::evaluate(&l.region, &Default::default()).unwrap();
    let mcs =
        symbiosim::analysis::monte_carlo(&l.region, &l.uncertain, 1, 0, N as u64, &|_| {}).unwrap();
    let chart_note = format!("{infeasible} of {N} samples had no legal fate");
    let d = symbiosim::report::distribution_chart_data(&l.region, &base.results, &mcs);
    assert!(d.subtitle.contains(&chart_note), "{}", d.subtitle);
    assert_eq!(d.rates.len(), N);
    let tc = symbiosim::report::tornado_chart_data(&l.region, &mcs);
    assert!(tc.subtitle.iter().any(|l| l.contains(&chart_note)));
}
