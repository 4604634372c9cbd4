//! Helpers shared by the integration tests (each test binary that needs them says
//! `mod common;`): reproducible property tests, golden-file comparison, and the located
//! errors of an invalid scenario.
#![allow(dead_code)] // each binary uses only some of them

use proptest::prelude::*;
use proptest::test_runner::{RngSeed, TestCaseResult, TestRunner};
use std::cell::Cell;
use std::path::Path;
use symbiosim::scenario::{self, diag::Diagnostic, ScenarioError};

/// The default seed of every property test (override: `PROPTEST_RNG_SEED`).
pub const SEED: u64 = 0x5eed_2025_0b5e_55ed;

/// Proptest's configuration from the environment (`PROPTEST_CASES`, `PROPTEST_RNG_SEED`, ...),
/// with `cases` cases and the fixed [`SEED`] where those are not set, and no failure
/// persistence.
pub fn config(cases: u32) -> ProptestConfig {
    let mut c = ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = cases;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        c.rng_seed = RngSeed::Fixed(SEED);
    }
    c
}

/// Runs `test` on the cases of `strategy` (see [`config`]) and returns how many were run.
pub fn run<S: Strategy>(cases: u32, strategy: S, test: impl Fn(S::Value) -> TestCaseResult) -> u32 {
    let ran = Cell::new(0u32);
    let mut runner = TestRunner::new(config(cases));
    let result = runner.run(&strategy, |v| {
        ran.set(ran.get() + 1);
        test(v)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    ran.get()
}

/// Compares the text files `names` of the output folder `out` with their golden copies in
/// `golden`, or rewrites the golden copies when `SYMBIOSIM_BLESS` is set.
pub fn check_golden(out: &Path, golden: &Path, names: &[&str]) {
    let bless = std::env::var_os("SYMBIOSIM_BLESS").is_some();
    for name in names {
        let got = std::fs::read_to_string(out.join(name)).unwrap();
        let want_path = golden.join(name);
        if bless {
            std::fs::create_dir_all(want_path.parent().unwrap()).unwrap();
            std::fs::write(&want_path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&want_path).unwrap_or_else(|_| {
            panic!(
                "missing golden {}; bless with SYMBIOSIM_BLESS=1",
                want_path.display()
            )
        });
        assert_eq!(got, want, "{name} differs from its golden file");
    }
}

/// The diagnostics of `text`, loaded as `bad.toml` from `scenarios/`; panics unless the
/// scenario is invalid.
pub fn errors(text: &str) -> Vec<Diagnostic> {
    match scenario::load_str("bad.toml", text, Path::new("scenarios")) {
        Ok(_) => panic!("scenario should be invalid"),
        Err(ScenarioError::Invalid(d)) => d.0,
        Err(e) => panic!("unexpected error {e}"),
    }
}

/// 1-based line of the first occurrence of `needle` in `text` at or after line `after`.
pub fn line_of(text: &str, needle: &str, after: usize) -> usize {
    text.lines()
        .enumerate()
        .skip(after)
        .find(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
        .expect(needle)
}

/// Every file below `dir` (path relative to it, bytes), sorted by path.
pub fn all_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The frame of the generated regions (`properties.rs`, `one_arc_per_pair.rs`) around their
/// parks, materials, modes, producers and consumers: one utilisation route (load factor 0.75),
/// the 80 % all-solids target under the default accounting, circuity 1.3, 7.5 km within a
/// park, resolutions of 1 unit and 0.001 yuan, a carbon price of `carbon` yuan/t CO2, dumping
/// allowed; no distance overrides, links or candidates, and the capacity in force (not the
/// nameplate) for technical potential.
pub fn random_region(
    parks: Vec<symbiosim::model::Park>,
    materials: Vec<symbiosim::model::Material>,
    modes: Vec<symbiosim::model::TransportMode>,
    producers: Vec<symbiosim::model::Producer>,
    consumers: Vec<symbiosim::model::Consumer>,
    objective_cost: bool,
    carbon: f64,
) -> symbiosim::model::Region {
    use symbiosim::model::*;
    Region {
        name: "random".into(),
        title: "random".into(),
        year: 2025,
        parks,
        materials,
        routes: vec![Route {
            id: "r".into(),
            name: "r".into(),
            kind: RouteKind::Utilisation,
            load_factor: 0.75,
        }],
        modes,
        producers,
        consumers,
        distances: vec![],
        links: vec![],
        candidates: Default::default(),
        target: Target {
            rate: 0.8,
            scope: TargetScope::AllSolids,
            accounting: Accounting::default(),
        },
        settings: Settings {
            objective: if objective_cost {
                Objective::Cost
            } else {
                Objective::MaxUtilisation
            },
            circuity: 1.3,
            same_park_km: 7.5,
            quantity_resolution: 1.0,
            cost_resolution: 0.001,
            nameplate_for_potential: false,
        },
        policy: Policy {
            carbon_price: carbon,
            env_tax_multiplier: 1.0,
            storage_cost_multiplier: 1.0,
            transport_cost_multiplier: 1.0,
            route_subsidy: std::collections::BTreeMap::new(),
            allow_dumping: true,
        },
    }
}
