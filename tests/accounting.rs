//! Accounting rules and legal-by-default disposal, hand-computed on variants of `tiny.toml`
//! (worked out in README.md, "A worked example"):
//!
//! * the accounting switch: the brick plant declared as backfill changes the rate under the
//!   strict rule but not under the default (Chinese statistical) rule, nor the allocation;
//! * dumping forbidden by default: a sub-block whose landfill is limited leaves waste with no
//!   legal fate, reported by producer, park, material and quantity; allowed, it is dumped and
//!   the dumped tonnes show in every output.

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use symbiosim::allocate::AllocConfig;
use symbiosim::analysis::{evaluate, AnalysisError, Results};
use symbiosim::model::{Region, RouteKind};
use symbiosim::{report, scenario};

const TINY: &str = include_str!("../scenarios/tiny.toml");

fn load(text: &str) -> Region {
    scenario::load_str("variant.toml", text, Path::new("scenarios"))
        .expect("valid variant")
        .region
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-6, "{a} != {b}");
}

/// tiny.toml with the brick plant's route declared as backfill, and `extra` lines in
/// `[target]`.
fn bricks_as_backfill(extra: &str) -> String {
    TINY.replacen(
        "name = \"Sintered bricks\"\nkind = \"utilisation\"",
        "name = \"Sintered bricks\"\nkind = \"backfill\"",
        1,
    )
    .replacen(
        "scope = \"solids\"",
        &format!("scope = \"solids\"\n{extra}"),
        1,
    )
}

fn material<'a>(region: &Region, r: &'a Results, id: &str) -> &'a symbiosim::analysis::Balance {
    &r.by_material
        .iter()
        .find(|(m, _)| region.materials[m.0].id == id)
        .unwrap()
        .1
}

fn park<'a>(region: &Region, r: &'a Results, id: &str) -> &'a symbiosim::analysis::Balance {
    &r.by_park
        .iter()
        .find(|(p, _)| region.parks[p.0].id == id)
        .unwrap()
        .1
}

#[test]
fn backfill_counts_under_the_default_rule_and_not_under_the_strict_one() {
    // The allocation is the worked example's (the kinds only change the accounting): cement
    // takes 100 t of pa-ash; bricks 30 t of pb-ash, 80 t of gangue and 40 t of stockpile.
    let region = load(&bricks_as_backfill(""));
    assert_eq!(region.target.accounting.rule, "china_statistical");
    assert_eq!(region.routes[1].kind, RouteKind::Backfill);
    let r = evaluate(&region, &AllocConfig::default()).unwrap().results;
    // Default rule: backfill counts. 250 / (240 + 40).
    close(r.solids.rate().unwrap(), 250.0 / 280.0);
    close(r.target.achieved.unwrap(), 250.0 / 280.0);
    // Strict: only the cement plant's 100 t count, and the 40 t drawn for backfill are not
    // utilisation, so not in the denominator either: 100 / 240.
    close(r.solids.strict_rate().unwrap(), 100.0 / 240.0);
    close(r.target.strict_achieved.unwrap(), 100.0 / 240.0);
    // Per material: fly ash 130 / 160 vs 100 / 160; gangue 120 / 120 vs 0 / 80.
    let ash = material(&region, &r, "fly_ash");
    close(ash.rate().unwrap(), 130.0 / 160.0);
    close(ash.strict_rate().unwrap(), 100.0 / 160.0);
    let gangue = material(&region, &r, "gangue");
    close(gangue.rate().unwrap(), 1.0);
    close(gangue.strict_rate().unwrap(), 0.0);
    // Per park: A (cement) 100 / 100 both; B (bricks) 150 / 180 vs 0 / 140.
    close(park(&region, &r, "A").strict_rate().unwrap(), 1.0);
    close(park(&region, &r, "B").rate().unwrap(), 150.0 / 180.0);
    close(park(&region, &r, "B").strict_rate().unwrap(), 0.0);

    // The outputs carry both rates, the rule and the route's kind.
    let files = report::render(&region, &r).unwrap();
    let file = |name: &str| {
        let f = files.iter().find(|f| f.path == name).unwrap();
        String::from_utf8(f.bytes.clone()).unwrap()
    };
    let s: Value = serde_json::from_str(&file("summary.json")).unwrap();
    assert_eq!(s["target"]["accounting"], "china_statistical");
    assert_eq!(s["target"]["strict_achieved_rate"], 0.416667);
    assert_eq!(s["solids"]["utilisation_rate"], 0.892857);
    assert_eq!(s["solids"]["strict_utilisation_rate"], 0.416667);
    assert_eq!(s["by_material"]["gangue"]["strict_utilisation_rate"], 0.0);
    assert_eq!(s["by_park"]["B"]["strict_utilisation_rate"], 0.0);
    assert_eq!(s["by_route"]["sintered_bricks"]["kind"], "backfill");
    assert_eq!(s["by_route"]["sintered_bricks"]["counted"], true);
    assert_eq!(s["by_route"]["sintered_bricks"]["utilised_t"], 150.0);
    let csv = file("utilisation.csv");
    assert!(
        csv.lines().next().unwrap().ends_with(",strict_rate"),
        "{csv}"
    );
    assert!(
        csv.lines().any(|l| l.starts_with("total,all,all_solids,")
            && l.ends_with(",0.892857,0.892857,0.892857,0.416667")),
        "{csv}"
    );
    let md = file("report.md");
    assert!(md.contains("Accounting rule `china_statistical`"), "{md}");
    assert!(
        md.contains("| Sintered bricks | backfill | yes | t | 150 |"),
        "{md}"
    );
}

#[test]
fn the_strict_rule_makes_the_strict_rate_the_target_rate() {
    let region = load(&bricks_as_backfill("accounting = \"strict\""));
    assert_eq!(region.target.accounting.rule, "strict");
    let r = evaluate(&region, &AllocConfig::default()).unwrap().results;
    close(r.target.achieved.unwrap(), 100.0 / 240.0);
    close(r.solids.strict_rate().unwrap(), 100.0 / 240.0);
    assert!(!r.target.meets);
    close(r.target.shortfall, 0.8 * 240.0 - 100.0);
    // The bricks' 110 t of new generation and 40 t of stockpile are used but not counted;
    // the balance still closes: generated = counted + not counted + disposed.
    close(r.solids.utilised_new, 100.0);
    close(r.solids.uncounted_new, 110.0);
    close(r.solids.uncounted_stock, 40.0);
    close(
        r.solids.utilised_new + r.solids.uncounted_new + r.solids.disposed,
        r.solids.generated,
    );
    // The rate ranges among optimal allocations follow the rule and hold the reported rate.
    for (m, b) in &r.by_material {
        let range = r.material_range(*m).unwrap();
        let rate = b.rate().unwrap();
        assert!(
            range.min <= rate + 1e-9 && rate <= range.max + 1e-9,
            "{range:?} {rate}"
        );
    }
    let (g, _) = r
        .by_material
        .iter()
        .find(|(m, _)| region.materials[m.0].id == "gangue")
        .unwrap();
    close(r.material_range(*g).unwrap().max, 0.0);
    // The same list of kinds given as `counts` is the same rule; another list is "custom".
    let same = load(&bricks_as_backfill(
        "counts = [\"energy_recovery\", \"utilisation\"]",
    ));
    assert_eq!(same.target.accounting, region.target.accounting);
    let custom = load(&bricks_as_backfill("counts = [\"utilisation\"]"));
    assert_eq!(custom.target.accounting.rule, "custom");
}

/// tiny.toml with pb-ash in sub-block B1 (landfill 10 t/yr) and the cement plant closed
/// (as in tests/tiny.rs): pb-ash's 60 t go 30 t to bricks (blend limit), 10 t to B1's
/// landfill, and 20 t have nowhere legal to go.
fn limited_landfill(policy: &str) -> String {
    TINY.replacen("[[parks]]", &format!("{policy}[[parks]]"), 1)
        .replacen("[[materials]]\nid = \"gangue\"", "[[parks]]\nid = \"B1\"\nname = \"Block B1\"\nparent = \"B\"\nlat = 39.81\nlon = 110.31\nlandfill_capacity = 10.0\n\n[[materials]]\nid = \"gangue\"", 1)
        .replacen("capacity = 100.0", "capacity = 0.0", 1)
        .replacen("id = \"pb-ash\"\npark = \"B\"", "id = \"pb-ash\"\npark = \"B1\"", 1)
        .replacen("storage_cost_yuan_per_unit = 25.0", "storage_cost_yuan_per_unit = 25.0\nenv_tax_yuan_per_unit = 25.0", 1)
}

#[test]
fn without_permission_waste_beyond_the_landfill_has_no_legal_fate() {
    let region = load(&limited_landfill(""));
    assert!(!region.policy.allow_dumping);
    let err = match evaluate(&region, &AllocConfig::default()) {
        Err(AnalysisError::NoLegalFate(e)) => e,
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("the region cannot place all its waste legally"),
    };
    // Exactly pb-ash's 20 t, in B1 whose landfill holds 10 t/yr; bricks (blend limit reached)
    // and cement (capacity 0) are in reach.
    assert_eq!(err.stranded.len(), 1, "{err}");
    let st = &err.stranded[0];
    assert_eq!(region.producers[st.producer.0].id, "pb-ash");
    close(st.quantity, 20.0);
    assert_eq!(region.parks[st.landfill_park.0].id, "B1");
    close(st.landfill_capacity, 10.0);
    assert_eq!(st.consumers_in_reach, 2);
    let msg = err.to_string();
    assert!(
        msg.contains("producer \"pb-ash\" (park B1, material fly_ash): 20 t/yr; the landfill of park B1 (10 t/yr) is full and the 2 consumers in reach that accept fly_ash have no capacity left"),
        "{msg}"
    );
    assert!(msg.contains("allow_dumping = true"), "{msg}");

    // With no consumer in reach of fly ash at all (the road reaches 1 km only), the reason
    // says so; pb-ash then has 50 t without a legal fate.
    let far = limited_landfill("").replacen("max_km = 100.0", "max_km = 1.0", 1);
    let far = far.replacen(
        "same_park_km = 5.0",
        "same_park_km = 5.0\ncircuity = 1.3",
        1,
    );
    let region = load(&far);
    let Err(AnalysisError::NoLegalFate(err)) = evaluate(&region, &AllocConfig::default()) else {
        panic!("no legal fate expected");
    };
    assert_eq!(err.stranded.len(), 1, "{err}");
    close(err.stranded[0].quantity, 50.0);
    assert!(
        err.to_string()
            .contains("no consumer in reach accepts fly_ash"),
        "{err}"
    );
}

#[test]
fn the_cli_refuses_a_run_with_no_legal_fate_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let scen = dir.path().join("limited.toml");
    std::fs::write(&scen, limited_landfill("")).unwrap();
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_symbiosim"))
        .args([
            "run",
            scen.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no legal fate") && err.contains("\"pb-ash\""),
        "{err}"
    );
    assert!(!out.exists());
    // Nothing left next to it either (no temporary folder).
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

#[test]
fn allowed_dumping_shows_wherever_disposal_does() {
    let region = load(&limited_landfill("[policy]\nallow_dumping = true\n\n"));
    let r = evaluate(&region, &AllocConfig::default()).unwrap().results;
    // pb-ash: 30 t to bricks, 10 t stored in B1, 20 t dumped; pa-ash stored in A (100 t).
    close(r.solids.dumped, 20.0);
    close(r.solids.disposed, 130.0);
    close(park(&region, &r, "B").dumped, 20.0);
    close(material(&region, &r, "fly_ash").dumped, 20.0);
    let files = report::render(&region, &r).unwrap();
    let file = |name: &str| {
        let f = files.iter().find(|f| f.path == name).unwrap();
        String::from_utf8(f.bytes.clone()).unwrap()
    };
    let s: Value = serde_json::from_str(&file("summary.json")).unwrap();
    assert_eq!(s["solids"]["dumped_t"], 20.0);
    assert_eq!(s["by_material"]["fly_ash"]["dumped_t"], 20.0);
    assert_eq!(s["by_park"]["B"]["dumped_t"], 20.0);
    assert_eq!(s["by_park"]["A"]["dumped_t"], 0.0);
    // utilisation.csv: the `dumped` column (10th) of the total, material and park rows.
    let csv = file("utilisation.csv");
    let dumped = |prefix: &str| {
        let l = csv.lines().find(|l| l.starts_with(prefix)).unwrap();
        l.split(',').nth(9).unwrap().to_string()
    };
    assert_eq!(dumped("total,all,all_solids,"), "20");
    assert_eq!(dumped("material,all,fly_ash,"), "20");
    assert_eq!(dumped("park,B,all_solids,"), "20");
    assert_eq!(dumped("park_material,B,fly_ash,"), "20");
    // producers.csv: pb-ash's row.
    let producers = file("producers.csv");
    let header: Vec<&str> = producers.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "dumped").unwrap();
    let row = producers
        .lines()
        .find(|l| l.starts_with("pb-ash,"))
        .unwrap();
    assert_eq!(row.split(',').nth(col).unwrap(), "20");
    // report.md: the summary line and the "of which dumped" columns.
    let md = file("report.md");
    assert!(md.contains("130.00 t disposed (20.00 t dumped)"), "{md}");
    assert!(md.contains("| Fly ash | 160 | 30 | 0 | 130 | 20 |"), "{md}");
}
