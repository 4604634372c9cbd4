//! The binary on path files: the files of a path run (the hand-computed two-year path of
//! `scenarios/path/two_years_path.toml`), the same bytes at any thread count and for any order
//! of the scenarios' rows, `--samples` on a path, and errors located in the path file with
//! nothing written.

mod common;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::Path;
use std::process::{Command, Output};

fn symbiosim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_symbiosim"))
        .args(args)
        .output()
        .unwrap()
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Every output but the manifest (it records the command and timings).
fn outputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    common::all_files(dir)
        .into_iter()
        .filter(|(p, _)| p != "manifest.json")
        .collect()
}

#[test]
fn a_path_run_writes_the_years_and_what_carries_over() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = symbiosim(&[
        "run",
        "scenarios/path/two_years_path.toml",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    ok(&o);
    let csv = std::fs::read_to_string(out.join("path.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let col = |name: &str| rows[0].iter().position(|c| *c == name).unwrap();
    // The header's figures (two_years_path.toml).
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1][col("year")], "2024");
    assert_eq!(rows[1][col("rate")], "1");
    assert_eq!(rows[1][col("stockpile_drawn_t")], "20");
    assert_eq!(rows[1][col("dumped_t")], "0");
    assert_eq!(rows[2][col("year")], "2025");
    assert_eq!(rows[2][col("target_year")], "true");
    assert_eq!(rows[2][col("rate")], "0.888889");
    assert_eq!(rows[2][col("generated_t")], "90");
    assert_eq!(rows[2][col("landfilled_t")], "5");
    assert_eq!(rows[2][col("dumped_t")], "5");
    assert_eq!(rows[2][col("meets_target_rate")], "false");
    let links = std::fs::read_to_string(out.join("path_links.csv")).unwrap();
    assert_eq!(
        links,
        "year,kind,id,start_t,drawn_or_stored_t,end_t\n\
         2024,stock,g,60,20,40\n2024,landfill_room,A,5,0,5\n\
         2025,stock,g,40,0,40\n2025,landfill_room,A,5,5,0\n"
    );
    // Each year's own outputs, its landfill's capacity the room left at its start.
    for y in ["2024", "2025"] {
        for f in ["summary.json", "flows.csv", "report.md", "charts/map.png"] {
            assert!(out.join("years").join(y).join(f).is_file(), "{y}/{f}");
        }
    }
    let lf = std::fs::read_to_string(out.join("years/2025/landfills.csv")).unwrap();
    assert!(lf.lines().nth(1).unwrap().starts_with("A,"), "{lf}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("path.json")).unwrap()).unwrap();
    assert_eq!(json["solve"], "joint");
    assert_eq!(json["target_year"], 2025);
    assert_eq!(json["years"][0]["stocks"][0]["change_t"], 20.0);
    // The manifest lists every file written, the path file and the scenario read.
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let listed = m["outputs"].as_array().unwrap().len();
    assert_eq!(listed, outputs(&out).len());
    let text = m.to_string();
    assert!(text.contains("two_years_path.toml") && text.contains("two_years.toml"));
}

#[test]
fn a_path_gives_the_same_bytes_at_any_thread_count_with_and_without_samples() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("p.toml");
    std::fs::write(
        &path,
        format!(
            "[path]\ntitle = \"tiny over three years\"\nbase = \"{}\"\nfirst_year = 2023\nlast_year = 2025\n\
             [[path.growth]]\nmaterial = \"gangue\"\nrate = 0.1\n\
             [[path.stock]]\nproducer = \"pb-gangue\"\nstock = 70\n",
            std::fs::canonicalize("scenarios/tiny_uncertain.toml").unwrap().display()
        ),
    )
    .unwrap();
    let mut seen = Vec::new();
    for threads in ["1", "3"] {
        let out = tmp.path().join(format!("o{threads}"));
        ok(&symbiosim(&[
            "run",
            path.to_str().unwrap(),
            "--samples",
            "300",
            "--seed",
            "5",
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
            "-q",
        ]));
        seen.push(outputs(&out));
    }
    assert_eq!(seen[0], seen[1]);
    let names: Vec<&str> = seen[0].iter().map(|(p, _)| p.as_str()).collect();
    for f in ["path_monte_carlo.csv", "path_samples.csv", "path.json"] {
        assert!(names.contains(&f), "{names:?}");
    }
    let samples = &seen[0]
        .iter()
        .find(|(p, _)| p == "path_samples.csv")
        .unwrap()
        .1;
    assert_eq!(String::from_utf8_lossy(samples).lines().count(), 301);
    // The stock of 70 t is drawn over the years (at most 50 t a year) and runs out.
    let links = &seen[0]
        .iter()
        .find(|(p, _)| p == "path_links.csv")
        .unwrap()
        .1;
    let links = String::from_utf8_lossy(links);
    let ends: Vec<f64> = links
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse().unwrap())
        .collect();
    assert!(ends.windows(2).all(|w| w[1] <= w[0]), "{links}");
}

/// `text` with its producers and consumers (and their intakes) in another order.
fn permuted(text: &str, seed: u64) -> String {
    let mut doc: toml::Table = toml::from_str(text).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for key in ["producers", "consumers"] {
        if let Some(toml::Value::Array(a)) = doc.get_mut(key) {
            a.shuffle(&mut rng);
            for c in a.iter_mut() {
                if let Some(toml::Value::Array(acc)) = c.get_mut("accepts") {
                    acc.shuffle(&mut rng);
                }
            }
        }
    }
    toml::to_string(&doc).unwrap()
}

#[test]
fn the_ordos_path_gives_the_same_bytes_for_any_order_of_the_scenarios_rows() {
    // Fixed seeds; SYMBIOSIM_PERM_SEED=n explores another.
    let seed: u64 = std::env::var("SYMBIOSIM_PERM_SEED")
        .map(|s| s.parse().unwrap())
        .unwrap_or(11);
    let tmp = tempfile::tempdir().unwrap();
    let mut seen = Vec::new();
    for variant in ["as_given", "permuted"] {
        let dir = tmp.path().join(variant);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy("scenarios/ordos_path.toml", dir.join("ordos_path.toml")).unwrap();
        for f in ["ordos_2020.toml", "ordos_2025.toml"] {
            let text = std::fs::read_to_string(Path::new("scenarios").join(f)).unwrap();
            let text = if variant == "permuted" {
                permuted(&text, seed)
            } else {
                toml::to_string(&toml::from_str::<toml::Table>(&text).unwrap()).unwrap()
            };
            std::fs::write(dir.join(f), text).unwrap();
        }
        let out = dir.join("out");
        ok(&symbiosim(&[
            "run",
            dir.join("ordos_path.toml").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-q",
        ]));
        // The path's own files (the years' per-producer tables follow the declaration order).
        seen.push(
            [
                "path.csv",
                "path_materials.csv",
                "path_parks.csv",
                "path_links.csv",
                "path.json",
            ]
            .map(|f| std::fs::read(out.join(f)).unwrap()),
        );
    }
    assert!(
        seen[0] == seen[1],
        "the path's outputs depend on the order of the rows"
    );
}

#[test]
fn path_file_problems_are_located_and_reported_together() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("bad.toml");
    std::fs::write(
        &path,
        "[path]\ntitle = \"t\"\nbase = \"x.toml\"\nfirst_year = 2024\nlast_year = 2022\n\
         target_year = 2030\n[[path.year]]\nyear = 2040\n[[path.ramp]]\nmeasure = \"m\"\nshares = [2.0]\n",
    )
    .unwrap();
    let out = tmp.path().join("o");
    let o = symbiosim(&[
        "run",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    let f = path.display().to_string();
    for (line, field) in [
        (5, "path.last_year"),
        (6, "path.target_year"),
        (8, "path.year[0].year"),
        (11, "path.ramp[0].shares"),
        (10, "path.ramp[0].measure"),
    ] {
        assert!(
            err.contains(&format!("{f}:{line}:")) && err.contains(field),
            "{field} at line {line}: {err}"
        );
    }
    assert!(!out.exists(), "nothing written");
    // An unknown key names the key; a producer of [[path.stock]] missing from a year names
    // that year.
    std::fs::write(&path, "[path]\ntitle = \"t\"\nbase = \"b.toml\"\nfirst_year = 2024\nlast_year = 2025\nfrist = 1\n").unwrap();
    let o = symbiosim(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("frist"));
    std::fs::write(
        &path,
        format!(
            "[path]\ntitle = \"t\"\nbase = \"{}\"\nfirst_year = 2024\nlast_year = 2025\n[[path.stock]]\nproducer = \"nobody\"\nstock = 1\n",
            std::fs::canonicalize("scenarios/tiny.toml").unwrap().display()
        ),
    )
    .unwrap();
    let o = symbiosim(&["validate", path.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("{f}:7:")) && err.contains("no producer \"nobody\" in year 2024"),
        "{err}"
    );
}

#[test]
fn plan_on_a_path_decides_in_the_target_year_and_checks_the_whole_path() {
    let tmp = tempfile::tempdir().unwrap();
    let base = std::fs::canonicalize("scenarios/tiny_plan.toml").unwrap();
    let path = tmp.path().join("p.toml");
    // Three independent years of tiny_plan: the path's P in the target year is the plan's.
    std::fs::write(
        &path,
        format!(
            "[path]\ntitle = \"t\"\nbase = \"{}\"\nfirst_year = 2024\nlast_year = 2026\ntarget_year = 2025\n",
            base.display()
        ),
    )
    .unwrap();
    let out = tmp.path().join("o");
    let o = symbiosim(&[
        "plan",
        path.to_str().unwrap(),
        "--samples",
        "300",
        "--seed",
        "4",
        "--confidence",
        "0.8",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    ok(&o);
    let plan: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("plan.json")).unwrap()).unwrap();
    let check: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("path_check.json")).unwrap()).unwrap();
    assert_eq!(check["target_year"], 2025);
    let met = check["plan_met"].as_u64().unwrap();
    assert_eq!(check["plan_samples"], 300);
    let p = check["path_monte_carlo"]["p_meet_target"].as_f64().unwrap();
    // (serde_json's reader may be off by an ulp.)
    assert!((p - met as f64 / 300.0).abs() < 1e-12, "{p} vs {met}/300");
    assert!(p >= 0.8, "{p}");
    // The measures added are the plan's chosen ones.
    let chosen: Vec<&str> = plan["chosen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    let added: Vec<&str> = check["measures_added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    // tiny_plan's header: at 80 % confidence, the large ash plant, the fee, the siding, the pit.
    assert_eq!(chosen.len(), 4, "{chosen:?}");
    assert_eq!(chosen, added);
    // A measure still ramping up in the target year is refused, naming it.
    std::fs::write(
        &path,
        format!(
            "[path]\ntitle = \"t\"\nbase = \"{}\"\nfirst_year = 2024\nlast_year = 2025\n\
             [[path.year]]\nyear = 2025\nwith = [\"ash_blocks_small\"]\n\
             [[path.ramp]]\nmeasure = \"ash_blocks_small\"\nshares = [0.5]\n",
            base.display()
        ),
    )
    .unwrap();
    let o = symbiosim(&[
        "plan",
        path.to_str().unwrap(),
        "--samples",
        "10",
        "--out",
        tmp.path().join("o2").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("ash_blocks_small is still ramping up"));
}
