//! Bad input cannot pass and cannot panic: random mutations of the shipped scenarios (deleted
//! and duplicated lines, changed numbers and types, truncation, garbage bytes) are each either
//! rejected by validation with located problems, or evaluated without error. A scenario that
//! validates must also run: validation catches every value the solver cannot take.
//!
//! The mutants are drawn from a fixed seed, so every run tests the same ones. To explore others:
//! `SYMBIOSIM_MUTATION_SEED=7 SYMBIOSIM_MUTANTS=2000 cargo test --release --test mutations`.

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use symbiosim::allocate::AllocConfig;
use symbiosim::analysis::{evaluate, AnalysisError};
use symbiosim::scenario::{self, ScenarioError};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Numbers that probe the edges: zero, negative, huge, tiny, non-finite spellings.
const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "-0.0",
    "1e308",
    "-1e308",
    "1e-308",
    "1e200",
    "2e9",
    "9223372036854775807",
    "1e19",
    "0.5",
    "nan",
    "inf",
    "-inf",
    "50.0",
    "1000",
    "\"text\"",
    "true",
    "[]",
    "{}",
];

/// One mutation of `text`, and what it was.
fn mutate(text: &str, rng: &mut ChaCha8Rng) -> (String, String) {
    let lines: Vec<&str> = text.lines().collect();
    let i = rng.random_range(0..lines.len());
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let what = match rng.random_range(0..7) {
        0 => {
            out.remove(i);
            format!("deleted line {}", i + 1)
        }
        1 => {
            out.insert(i, lines[i].to_string());
            format!("duplicated line {}", i + 1)
        }
        2 | 3 => {
            // Replace the value of a `key = value` line.
            let candidates: Vec<usize> = (0..lines.len())
                .filter(|&k| lines[k].contains(" = ") && !lines[k].trim_start().starts_with('#'))
                .collect();
            let k = *candidates.choose(rng).unwrap();
            let (key, _) = lines[k].split_once(" = ").unwrap();
            let v = NUMBERS.choose(rng).unwrap();
            out[k] = format!("{key} = {v}");
            format!("line {}: {key} = {v}", k + 1)
        }
        4 => {
            let cut = rng.random_range(0..text.len());
            let cut = (0..=cut).rev().find(|&c| text.is_char_boundary(c)).unwrap();
            return (text[..cut].to_string(), format!("truncated at byte {cut}"));
        }
        5 => {
            let garbage: String = (0..rng.random_range(1..20))
                .map(|_| char::from(rng.random_range(0u8..128)))
                .collect();
            out.insert(i, garbage.clone());
            format!("garbage {garbage:?} at line {}", i + 1)
        }
        _ => {
            // Duplicate a whole `[[table]]` entry (up to the next header).
            let headers: Vec<usize> = (0..lines.len())
                .filter(|&k| lines[k].starts_with("[["))
                .collect();
            let k = *headers.choose(rng).unwrap();
            let end = (k + 1..lines.len())
                .find(|&e| lines[e].starts_with('['))
                .unwrap_or(lines.len());
            let block: Vec<String> = out[k..end].to_vec();
            for (n, l) in block.into_iter().enumerate() {
                out.insert(end + n, l);
            }
            format!("duplicated the entry at line {}", k + 1)
        }
    };
    (out.join("\n") + "\n", what)
}

#[derive(Default, Debug)]
struct Outcomes {
    rejected: usize,
    evaluated: usize,
    no_legal_fate: usize,
}

fn check(name: &str, text: &str, what: &str, outcomes: &mut Outcomes) {
    let dir = Path::new("scenarios");
    let loaded = catch_unwind(AssertUnwindSafe(|| scenario::load_str(name, text, dir)))
        .unwrap_or_else(|_| panic!("{name}: validation panicked on {what}"));
    match loaded {
        Err(ScenarioError::Invalid(d)) => {
            assert!(
                !d.0.is_empty(),
                "{name}: {what}: rejected without a problem"
            );
            for diag in &d.0 {
                let s = diag.to_string();
                assert!(
                    s.starts_with(name),
                    "{name}: {what}: a problem without a location: {s}"
                );
            }
            outcomes.rejected += 1;
        }
        Err(other) => panic!("{name}: {what}: an unlocated error: {other}"),
        Ok(l) => {
            let r = catch_unwind(AssertUnwindSafe(|| {
                evaluate(&l.region, &AllocConfig::default())
            }))
            .unwrap_or_else(|_| panic!("{name}: evaluation panicked on {what}"));
            // Waste with no legal fate (dumping forbidden, landfill full, nothing in reach) is
            // the one run-time answer a valid scenario may give: a diagnosis naming producer,
            // park, material and tonnes, not a failure.
            if let Err(AnalysisError::NoLegalFate(n)) = &r {
                assert!(!n.lines.is_empty(), "{name}: {what}: an empty diagnosis");
                outcomes.no_legal_fate += 1;
            } else if let Err(e) = r {
                panic!("{name}: {what}: validation passed, then the run failed: {e}");
            }
            outcomes.evaluated += 1;
        }
    }
}

#[test]
fn mutated_scenarios_are_rejected_with_locations_or_run() {
    let seed = env_or("SYMBIOSIM_MUTATION_SEED", 20261202);
    let count = env_or("SYMBIOSIM_MUTANTS", 300);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut outcomes = Outcomes::default();
    let bases: Vec<(String, String)> = ["tiny.toml", "ordos_2025.toml"]
        .iter()
        .map(|f| {
            let path = Path::new("scenarios").join(f);
            (
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            )
        })
        .collect();
    for k in 0..count {
        // The small scenario more often: it is fast, and a mutation hits a larger share of it.
        let (name, text) = &bases[usize::from(k % 4 == 3)];
        let (mutant, what) = mutate(text, &mut rng);
        check(name, &mutant, &what, &mut outcomes);
    }
    eprintln!("seed {seed}, {count} mutants: {outcomes:?}");
    // Both outcomes occur, so the test exercises validation and the run alike.
    assert!(
        outcomes.rejected >= count as usize / 10 && outcomes.evaluated >= count as usize / 10,
        "{outcomes:?}"
    );
}
