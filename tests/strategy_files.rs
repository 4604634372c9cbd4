//! The strategies shipped in `scenarios/strategies/` (issue #20): each loads over
//! `scenarios/ordos_2025.toml`, says in its header what it tests and where its numbers come
//! from, and changes the region; and the precedence base < strategy < command line holds on
//! the shipped files.

use std::fs;
use std::path::{Path, PathBuf};
use symbiosim::scenario::{self, overrides::Override, strategy};

const DIR: &str = "scenarios/strategies";
const BASE: &str = "scenarios/ordos_2025.toml";

/// Every `.toml` file of the folder, sorted.
fn files() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    out.sort();
    out
}

/// The header: the file's first lines that start with `#`, without the `#`.
fn header(text: &str) -> String {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_shipped_strategy_loads_over_ordos_2025_and_changes_it() {
    let files = files();
    assert!(files.len() >= 5, "{} strategies in {DIR}", files.len());
    let base_text = fs::read_to_string(BASE).unwrap();
    let base = scenario::load(Path::new(BASE)).unwrap().region;
    for path in &files {
        let name = path.display().to_string();
        let (s, loaded) = strategy::load(path, &[]).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            fs::canonicalize(&s.base).unwrap(),
            fs::canonicalize(BASE).unwrap(),
            "{name}: its base"
        );
        assert!(!s.title.is_empty() && !s.description.is_empty(), "{name}");
        let text = fs::read_to_string(path).unwrap();
        let head = header(&text);
        assert!(
            head.split_whitespace().count() > 20,
            "{name}: no header comment saying what it tests"
        );
        // Its numbers' sources: the data sheet's sections and the base's candidates.
        assert!(
            head.contains('§') && head.contains("ordos_2025.toml"),
            "{name}: the header names no source"
        );
        // Every measure of `with` is a candidate of the base, and applied.
        let c = &loaded.region.candidates;
        for id in &s.with {
            let i = c.list.iter().position(|x| &x.id == id);
            let i = i.unwrap_or_else(|| panic!("{name}: {id} is no candidate"));
            assert!(c.applied[i], "{name}: {id} not applied");
        }
        let changes = s.changes(BASE, &base_text, &[]);
        assert!(!changes.is_empty(), "{name}: changes nothing");
        assert!(loaded.region != base, "{name}: the region is the base's");
    }
}

#[test]
fn the_strategys_value_beats_the_bases_and_the_command_line_beats_both() {
    // economic_levers applies three measures the base does not; a --set of another value
    // leaves them in place.
    let levers = Path::new(DIR).join("economic_levers.toml");
    let base = scenario::load(Path::new(BASE)).unwrap().region;
    let on = |r: &symbiosim::model::Region| {
        r.candidates
            .applied()
            .map(|c| c.id.clone())
            .collect::<Vec<_>>()
    };
    assert!(on(&base).is_empty());
    let (_, l) = strategy::load(&levers, &[]).unwrap();
    assert_eq!(
        on(&l.region),
        ["landfill_fee_25", "utilisation_award_20", "env_tax_x3"]
    );
    // A --set of the list replaces the base's; the strategy's measures still join it.
    let flag = Override::flag("scenario.with=[\"dalad_cement_grinding\"]").unwrap();
    let (_, l) = strategy::load(&levers, &[flag]).unwrap();
    let got = on(&l.region);
    assert_eq!(got.len(), 4, "{got:?}");
    assert!(got.iter().any(|c| c == "dalad_cement_grinding"), "{got:?}");
    let flag = Override::flag("policy.env_tax_multiplier=2").unwrap();
    let (s, l) = strategy::load(&levers, std::slice::from_ref(&flag)).unwrap();
    assert_eq!(on(&l.region).len(), 3);
    assert_eq!(base.policy.env_tax_multiplier, 1.0);
    // `changes` reports the command line's value, from the command line.
    let base_text = fs::read_to_string(BASE).unwrap();
    let c = s.changes(BASE, &base_text, &[flag]);
    let m = c
        .iter()
        .find(|c| c.path == "policy.env_tax_multiplier")
        .unwrap();
    assert_eq!(m.value, "2");
    assert_eq!(m.origin, "--set policy.env_tax_multiplier=2");
}

#[test]
fn every_shipped_strategy_asks_the_bases_question() {
    // compare judges every strategy against the base's target under the base's objective.
    let base = scenario::load(Path::new(BASE)).unwrap().region;
    for path in files() {
        let (_, l) = strategy::load(&path, &[]).unwrap();
        let why = symbiosim::analysis::compare::frame_change(&base, &l.region);
        assert!(why.is_none(), "{}: {why:?}", path.display());
    }
}
