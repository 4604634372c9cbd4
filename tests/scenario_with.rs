//! `[scenario] with = [...]`: a scenario that applies candidate measures. It runs as `run
//! --with` does on the scenario without the key (the same bytes), `--with` adds to it, `plan`
//! keeps its measures in every portfolio, and a bad list is located at its item.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_symbiosim"))
        .args(args)
        .output()
        .unwrap()
}

const TINY_PLAN: &str = include_str!("../scenarios/tiny_plan.toml");

/// `tiny_plan.toml` with `[scenario] with = ids`.
fn with(ids: &[&str]) -> String {
    let list: Vec<String> = ids.iter().map(|i| format!("\"{i}\"")).collect();
    TINY_PLAN.replacen(
        "year = 2025\n",
        &format!("year = 2025\nwith = [{}]\n", list.join(", ")),
        1,
    )
}

/// Every output file of `dir` but the manifest, by relative path.
fn outputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = common::all_files(dir);
    files.retain(|(p, _)| p != "manifest.json");
    files
}

#[test]
fn the_key_runs_as_the_flag_does() {
    let dir = tempfile::tempdir().unwrap();
    // tiny_plan reads no CSV table: a copy anywhere loads.
    let file = dir.path().join("with.toml");
    fs::write(&file, with(&["rail_siding_bc", "pit_c"])).unwrap();
    let keyed = dir.path().join("keyed");
    let o = run(&[
        "run",
        file.to_str().unwrap(),
        "-q",
        "--out",
        keyed.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{o:?}");
    let flagged = dir.path().join("flagged");
    let plain = dir.path().join("tiny_plan.toml");
    fs::write(&plain, TINY_PLAN).unwrap();
    let o = run(&[
        "run",
        plain.to_str().unwrap(),
        "-q",
        "--with",
        "rail_siding_bc,pit_c",
        "--out",
        flagged.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{o:?}");
    // The same bytes but for the scenario's name in the outputs (the file stem is not in
    // them: the name is `[scenario] name`, the same in both).
    let (a, b) = (outputs(&keyed), outputs(&flagged));
    assert_eq!(a.len(), b.len());
    for ((pa, ba), (pb, bb)) in a.iter().zip(&b) {
        assert_eq!(pa, pb);
        assert!(ba == bb, "{pa} differs");
    }
    let s: serde_json::Value =
        serde_json::from_slice(&fs::read(keyed.join("summary.json")).unwrap()).unwrap();
    let listed: Vec<&str> = s["measures_applied"]["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["rail_siding_bc", "pit_c"]);

    // `--with` adds to the key; a contradiction with it names where the other came from.
    let more = dir.path().join("more");
    let o = run(&[
        "run",
        file.to_str().unwrap(),
        "-q",
        "--with",
        "ash_blocks_large",
        "--out",
        more.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{o:?}");
    let s: serde_json::Value =
        serde_json::from_slice(&fs::read(more.join("summary.json")).unwrap()).unwrap();
    assert_eq!(
        s["measures_applied"]["measures"].as_array().unwrap().len(),
        3
    );
    let file2 = dir.path().join("with_small.toml");
    fs::write(&file2, with(&["ash_blocks_small"])).unwrap();
    let bad = dir.path().join("bad");
    let o = run(&[
        "run",
        file2.to_str().unwrap(),
        "--with",
        "ash_blocks_large",
        "--out",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "ash_blocks_small (from the scenario's with) and ash_blocks_large exclude each other"
        ),
        "{err}"
    );
    assert!(!bad.exists());
}

#[test]
fn the_loaded_region_has_the_measures_and_the_base_has_not() {
    let text = with(&["rail_siding_bc", "pit_c"]);
    let l = symbiosim::scenario::load_str("with.toml", &text, Path::new("scenarios")).unwrap();
    let c = &l.base().candidates;
    let flags: Vec<bool> = c
        .list
        .iter()
        .map(|k| k.id == "rail_siding_bc" || k.id == "pit_c")
        .collect();
    assert_eq!(l.region.candidates.applied, flags);
    assert_eq!(l.base().candidates.applied, flags);
    // The loaded region is the base with the portfolio applied, the base the plain scenario.
    assert_eq!(l.region, c.region_for(l.base(), &flags));
    let plain =
        symbiosim::scenario::load_str("tiny_plan.toml", TINY_PLAN, Path::new("scenarios")).unwrap();
    let mut base = l.base().clone();
    base.candidates.applied = Vec::new();
    assert_eq!(base, plain.region);
    assert!(
        l.region.links.len() > base.links.len(),
        "the siding is applied"
    );
}

#[test]
fn plan_keeps_the_scenario_measures_in_every_portfolio() {
    let dir = tempfile::tempdir().unwrap();
    // ash_blocks_small is not in tiny_plan's answer at any confidence (its header): with the
    // key it must be in the chosen portfolio, and plan.json says why.
    let file = dir.path().join("with.toml");
    fs::write(&file, with(&["ash_blocks_small"])).unwrap();
    let out = dir.path().join("plan");
    let o = run(&[
        "plan",
        file.to_str().unwrap(),
        "-q",
        "--samples",
        "200",
        "--confidence",
        "0.5",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{o:?}");
    let p: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("plan.json")).unwrap()).unwrap();
    assert_eq!(
        p["fixed_by_scenario"],
        serde_json::json!(["ash_blocks_small"])
    );
    let chosen: Vec<&str> = p["chosen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(chosen.contains(&"ash_blocks_small"), "{chosen:?}");
    assert!(
        !chosen.contains(&"ash_blocks_large"),
        "excluded: {chosen:?}"
    );
}

#[test]
fn a_bad_list_is_located_at_its_item() {
    let cases: [(&[&str], &str, &str); 4] = [
        (&["pit_cc"], "scenario.with[0]", "did you mean \"pit_c\""),
        (
            &["pit_c"],
            "scenario.with",
            "candidate \"pit_c\" requires \"rail_siding_bc\"",
        ),
        (
            &["ash_blocks_small", "ash_blocks_large"],
            "scenario.with",
            "exclude each other",
        ),
        (
            &["pit_c", "rail_siding_bc", "pit_c"],
            "scenario.with[2]",
            "twice",
        ),
    ];
    for (ids, field, says) in cases {
        let text = with(ids);
        let d = common::errors(&text);
        let hit = d
            .iter()
            .find(|d| d.field == field)
            .unwrap_or_else(|| panic!("{ids:?}: no error at {field}: {d:?}"));
        assert!(hit.message.contains(says), "{ids:?}: {hit}");
        assert_eq!(hit.line, common::line_of(&text, "with = [", 0), "{hit}");
    }
    // Without candidates, the key has nothing to name.
    let text = include_str!("../scenarios/tiny.toml").replacen(
        "[scenario]\n",
        "[scenario]\nwith = [\"x\"]\n",
        1,
    );
    let d = common::errors(&text);
    assert!(
        d.iter()
            .any(|d| d.field == "scenario.with[0]" && d.message.contains("no [[candidates]]")),
        "{d:?}"
    );
}
