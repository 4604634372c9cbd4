//! One canonical allocation (`docs/format.md`, "One canonical allocation"): the outputs do not
//! depend on the order in which producers, consumers and intakes were written (byte-identical
//! files for `run`, `run --samples` and `plan`), nor, figure by figure, on the order of parks
//! and materials; on random regions the allocation per (producer, consumer) does not depend on
//! the order of the model's rows, nor on the basis the simplex started from.
//!
//! Permutations are drawn from fixed seeds (`PERMUTATION_SEEDS`); set `SYMBIOSIM_PERM_SEED` to
//! try another, and `PROPTEST_RNG_SEED` for other random regions.

mod common;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use symbiosim::allocate::AllocConfig;
use symbiosim::analysis::{evaluate, Results};
use symbiosim::model::Region;
use symbiosim::scenario;

const PERMUTATION_SEEDS: [u64; 2] = [7, 2026];

fn seeds() -> Vec<u64> {
    match std::env::var("SYMBIOSIM_PERM_SEED") {
        Ok(s) => vec![s.parse().expect("SYMBIOSIM_PERM_SEED is a u64")],
        Err(_) => PERMUTATION_SEEDS.to_vec(),
    }
}

/// What a permutation shuffles.
#[derive(Clone, Copy)]
enum Rows {
    /// Producers, consumers (the candidates' new ones too) and every consumer's intakes.
    Facilities,
    /// Parks and materials.
    ParksAndMaterials,
}

fn shuffle_array(t: &mut toml::Table, key: &str, rng: &mut ChaCha8Rng) -> bool {
    match t.get_mut(key) {
        Some(toml::Value::Array(a)) if a.len() > 1 => {
            let before = a.clone();
            // A permutation that moves something (arrays of two or more differ after at most
            // a few tries unless every element is equal).
            for _ in 0..8 {
                a.shuffle(rng);
                if *a != before {
                    return true;
                }
            }
            false
        }
        _ => false,
    }
}

fn shuffle_consumers(t: &mut toml::Table, rng: &mut ChaCha8Rng) -> bool {
    let mut moved = shuffle_array(t, "consumers", rng);
    if let Some(toml::Value::Array(cs)) = t.get_mut("consumers") {
        for c in cs {
            if let toml::Value::Table(c) = c {
                moved |= shuffle_array(c, "accepts", rng);
            }
        }
    }
    moved
}

/// `text` with the rows of `rows` in another order (the same content).
fn permuted(text: &str, rows: Rows, seed: u64) -> String {
    let mut doc: toml::Table = toml::from_str(text).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let moved = match rows {
        Rows::Facilities => {
            let mut m = shuffle_array(&mut doc, "producers", &mut rng);
            m |= shuffle_consumers(&mut doc, &mut rng);
            if let Some(toml::Value::Array(cands)) = doc.get_mut("candidates") {
                for c in cands {
                    if let toml::Value::Table(c) = c {
                        m |= shuffle_consumers(c, &mut rng);
                    }
                }
            }
            m
        }
        Rows::ParksAndMaterials => {
            let m = shuffle_array(&mut doc, "parks", &mut rng);
            shuffle_array(&mut doc, "materials", &mut rng) || m
        }
    };
    assert!(moved, "the permutation moved nothing");
    toml::to_string(&doc).unwrap()
}

/// Writes `text` as `dir/name` (a fresh folder per variant, the same file name: outputs
/// named after the scenario's stem agree).
fn write_scenario(dir: &Path, name: &str, text: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs the binary with `args` (the scenario path first), output into `out`.
fn symbiosim(args: &[&str], scenario: &Path, out: &Path) {
    let o = Command::new(env!("CARGO_BIN_EXE_symbiosim"))
        .arg(args[0])
        .arg(scenario)
        .args(&args[1..])
        .arg("--out")
        .arg(out)
        .arg("-q")
        .output()
        .unwrap();
    assert!(o.status.success(), "{args:?}: {o:?}");
}

/// Every file of `dir` but the manifest (which records the scenario's hash and the command),
/// by relative path.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().into_string().unwrap();
        if name != "manifest.json" && e.file_type().unwrap().is_file() {
            out.insert(name, std::fs::read(e.path()).unwrap());
        }
    }
    out
}

fn assert_same_files(a: &Path, b: &Path, what: &str) {
    let (fa, fb) = (files(a), files(b));
    assert_eq!(
        fa.keys().collect::<Vec<_>>(),
        fb.keys().collect::<Vec<_>>(),
        "{what}"
    );
    assert!(fa.len() >= 3, "{what}: {} files", fa.len());
    for (name, bytes) in &fa {
        assert!(
            bytes == &fb[name],
            "{what}: {name} differs after permuting the rows"
        );
    }
}

/// `run` (and `run --samples`, `plan` where the scenario has what they need) of a shipped
/// scenario and of its rows permuted give byte-identical outputs.
fn outputs_do_not_depend_on_row_order(name: &str, commands: &[&[&str]]) {
    let tmp = tempfile::tempdir().unwrap();
    let file = format!("{name}.toml");
    let text = std::fs::read_to_string(Path::new("scenarios").join(&file)).unwrap();
    let original = write_scenario(&tmp.path().join("original"), &file, &text);
    for seed in seeds() {
        let shuffled = permuted(&text, Rows::Facilities, seed);
        let perm = write_scenario(&tmp.path().join(format!("perm{seed}")), &file, &shuffled);
        for (k, args) in commands.iter().enumerate() {
            let a = tmp.path().join(format!("out-original-{k}"));
            if !a.exists() {
                symbiosim(args, &original, &a);
            }
            let b = tmp.path().join(format!("out-perm{seed}-{k}"));
            symbiosim(args, &perm, &b);
            assert_same_files(&a, &b, &format!("{name} {args:?} seed {seed}"));
        }
    }
}

#[test]
fn tiny_and_nested_outputs_do_not_depend_on_row_order() {
    outputs_do_not_depend_on_row_order("tiny", &[&["run"]]);
    outputs_do_not_depend_on_row_order("nested", &[&["run"]]);
}

#[test]
fn monte_carlo_and_plan_outputs_do_not_depend_on_row_order() {
    outputs_do_not_depend_on_row_order(
        "tiny_uncertain",
        &[&["run", "--samples", "300", "--seed", "3"]],
    );
    outputs_do_not_depend_on_row_order(
        "tiny_plan",
        &[&["plan", "--samples", "200", "--seed", "5"]],
    );
}

#[test]
fn ordos_outputs_do_not_depend_on_row_order() {
    for year in ["2025", "2020"] {
        outputs_do_not_depend_on_row_order(
            &format!("ordos_{year}"),
            &[&["run"], &["run", "--samples", "200", "--seed", "1"]],
        );
    }
}

#[test]
fn ordos_plan_does_not_depend_on_row_order() {
    outputs_do_not_depend_on_row_order(
        "ordos_2025",
        &[&[
            "plan",
            "--samples",
            "100",
            "--seed",
            "1",
            "--set",
            "target.rate=0.55",
        ]],
    );
}

/// Every figure of a run keyed by ids: totals, each producer's fate and marginal cost, each
/// consumer's intake, shadow price and capacity value, each flow, each material's and park's
/// rate with its range among optima.
fn figures_by_id(region: &Region, r: &Results) -> BTreeMap<String, String> {
    let mut f = BTreeMap::new();
    f.insert("rate".into(), format!("{:?}", r.solids.rate()));
    f.insert("cost".into(), format!("{:?}", r.cost.total()));
    f.insert("objective".into(), format!("{:?}", r.objective_yuan));
    for p in &r.producers {
        let id = &region.producers[p.producer.0].id;
        f.insert(format!("producer {id}"), format!("{:?}", p));
    }
    for c in &r.consumers {
        let id = &region.consumers[c.consumer.0].id;
        f.insert(format!("consumer {id}"), format!("{:?}", c));
    }
    for fl in &r.flows {
        let key = format!(
            "flow {} {} -> {} {}",
            region.producers[fl.producer.0].id,
            fl.from_stockpile,
            region.consumers[fl.consumer.0].id,
            region.materials[fl.material.0].id,
        );
        let value = format!(
            "{:?} {} {:?} {:?}",
            fl.quantity, region.modes[fl.mode.0].id, fl.km, fl.cost
        );
        f.insert(key, value);
    }
    for (m, b) in r.by_material.iter().chain(&r.hydrogen) {
        f.insert(
            format!("material {}", region.materials[m.0].id),
            format!("{b:?}"),
        );
    }
    for (p, b) in &r.by_park {
        f.insert(format!("park {}", region.parks[p.0].id), format!("{b:?}"));
    }
    for ((p, m), b) in &r.by_park_material {
        let key = format!(
            "park {} material {}",
            region.parks[p.0].id, region.materials[m.0].id
        );
        f.insert(key, format!("{b:?}"));
    }
    for (m, range) in &r.material_ranges {
        let key = format!("range of material {}", region.materials[m.0].id);
        f.insert(key, format!("{range:?}"));
    }
    for (p, range) in &r.park_ranges {
        f.insert(
            format!("range of park {}", region.parks[p.0].id),
            format!("{range:?}"),
        );
    }
    f
}

#[test]
fn parks_and_materials_in_another_order_keep_every_figure_of_every_id() {
    for name in ["tiny", "nested", "ordos_2025", "ordos_2020"] {
        let text = std::fs::read_to_string(format!("scenarios/{name}.toml")).unwrap();
        let base = scenario::load_str("a.toml", &text, Path::new("scenarios")).unwrap();
        let want = figures_by_id(
            &base.region,
            &evaluate(&base.region, &AllocConfig::default())
                .unwrap()
                .results,
        );
        for seed in seeds() {
            let shuffled = permuted(&text, Rows::ParksAndMaterials, seed);
            let l = scenario::load_str("a.toml", &shuffled, Path::new("scenarios")).unwrap();
            let got = figures_by_id(
                &l.region,
                &evaluate(&l.region, &AllocConfig::default())
                    .unwrap()
                    .results,
            );
            assert_eq!(got.len(), want.len(), "{name} seed {seed}");
            for (k, v) in &want {
                assert_eq!(got.get(k), Some(v), "{name} seed {seed}: {k}");
            }
        }
    }
}
