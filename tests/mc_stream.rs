//! The Monte Carlo streamed window by window (issue #13: memory flat in N): the files the
//! binary appends while it runs are the bytes of the whole run rendered in memory and of the
//! arrays written by `ndarray-npy` from every record; the statistics kept as per-sample
//! scalars equal those computed from every record; and a run that fails or is killed in a
//! late window leaves no output folder, or the earlier one untouched.

mod common;

use common::all_files;
use ndarray::{Array3, Array4};
use ndarray_npy::WriteNpyExt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use symbiosim::allocate::AllocConfig;
use symbiosim::analysis::mc_stats::{cell_stats, tornado};
use symbiosim::analysis::monte_carlo::WINDOW;
use symbiosim::analysis::{evaluate_with_alternative, monte_carlo, Balance, Stats};
use symbiosim::report;
use symbiosim::scenario;

const BIN: &str = env!("CARGO_BIN_EXE_symbiosim");

fn ordos() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ordos_2025.toml")
}

fn run_in(cwd: &Path, args: &[&str], env: Option<(&str, &str)>) -> Output {
    let mut c = Command::new(BIN);
    c.args(args).current_dir(cwd);
    if let Some((k, v)) = env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Hidden folders a run left next to `name` in `parent`.
fn strays(parent: &Path, name: &str) -> Vec<String> {
    fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!(".{name}.")))
        .collect()
}

fn npy<A: WriteNpyExt>(a: &A) -> Vec<u8> {
    let mut out = Vec::new();
    a.write_npy(&mut out).unwrap();
    out
}

/// Over several windows (the last one partial) and from a first sample that is not 0: the
/// binary's files equal the in-memory run rendered whole, the `.npy` arrays equal
/// `ndarray-npy`'s writing of arrays built from every record, and the statistics equal those
/// computed from every record.
#[test]
fn streamed_files_equal_the_whole_run_rendered_in_memory() {
    let (n, first, seed) = (2 * WINDOW + 77, 13, 5);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = run_in(
        dir.path(),
        &[
            "run",
            ordos().to_str().unwrap(),
            "--samples",
            &n.to_string(),
            "--first-sample",
            &first.to_string(),
            "--seed",
            &seed.to_string(),
            "--threads",
            "2",
            "--out",
            "out",
            "-q",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o.stderr));

    let l = scenario::load(&ordos()).unwrap();
    let results = evaluate_with_alternative(&l.region, &AllocConfig::default())
        .unwrap()
        .results;
    let mc = monte_carlo(&l.region, &l.uncertain, seed, first, n, &|_| {}).unwrap();
    assert_eq!(mc.samples.len() as u64, n);
    let whole = report::render_with_monte_carlo(&l.region, &results, &mc).unwrap();
    let on_disk = all_files(&out);
    let mut expected: Vec<(String, Vec<u8>)> = whole
        .iter()
        .map(|f| (f.path.clone(), f.bytes.clone()))
        .collect();
    expected.sort();
    let got: Vec<&(String, Vec<u8>)> = on_disk.iter().filter(|f| f.0 != "manifest.json").collect();
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g.0, e.0);
        assert!(g.1 == e.1, "{} differs from the in-memory rendering", g.0);
    }
    // The manifest lists the streamed files with their size and digest, in output order.
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let listed: Vec<&str> = manifest["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["path"].as_str().unwrap())
        .collect();
    let order: Vec<&str> = whole.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(listed, order);

    // The arrays as ndarray-npy writes them from every record.
    let (nm, np) = (mc.materials.len(), mc.parks.len());
    let cell = |s: usize, m: usize, p: usize| &mc.samples[s].cells[p * nm + m];
    let rate = Array3::from_shape_fn((n as usize, nm, np), |(s, m, p)| {
        cell(s, m, p).rate().unwrap_or(f64::NAN)
    });
    let strict = Array3::from_shape_fn((n as usize, nm, np), |(s, m, p)| {
        cell(s, m, p).strict_rate().unwrap_or(f64::NAN)
    });
    let balance = Array4::from_shape_fn((n as usize, nm, np, 4), |(s, m, p, q)| {
        let b: &Balance = cell(s, m, p);
        [
            b.utilised_new + b.stockpile_drawn,
            b.generated + b.stockpile_drawn,
            b.strict_new + b.strict_stock,
            b.generated + b.strict_stock,
        ][q]
    });
    assert!(fs::read(out.join("samples_rate.npy")).unwrap() == npy(&rate));
    assert!(fs::read(out.join("samples_strict_rate.npy")).unwrap() == npy(&strict));
    assert!(fs::read(out.join("samples_balance.npy")).unwrap() == npy(&balance));

    // The statistics kept as per-sample scalars equal those from every record.
    let target = l.region.target.rate;
    for m in 0..nm {
        let pick: Vec<usize> = (0..np).map(|p| p * nm + m).collect();
        assert_eq!(mc.by_material[m], cell_stats(&mc.samples, target, &pick));
    }
    for p in 0..np {
        let pick: Vec<usize> = (0..nm).map(|m| p * nm + m).collect();
        assert_eq!(mc.by_park[p], cell_stats(&mc.samples, target, &pick));
    }
    assert_eq!(mc.tornado, tornado(&mc.inputs, &mc.samples));
    assert!(mc.tornado.iter().any(|t| t.rho.is_some()));
    assert_eq!(mc.rate, Stats::of(mc.samples.iter().map(|s| s.rate)));
    assert_eq!(
        mc.strict_rate,
        Stats::of(mc.samples.iter().map(|s| s.strict_rate))
    );
    let met = mc.samples.iter().filter(|s| s.meets_target).count();
    assert_eq!(mc.p_meet_target, met as f64 / n as f64);
    let rates: Vec<f64> = mc.samples.iter().filter_map(|s| s.rate).collect();
    assert_eq!(mc.rates, rates);
}

/// A failure while the third window is written: without an earlier output, no output folder
/// and no hidden folder remain; with one (`--force`), it is untouched.
#[test]
fn a_failure_in_a_late_window_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let ordos = ordos();
    let n = (2 * WINDOW + 100).to_string();
    let late = (2 * WINDOW + 50).to_string();
    let args = [
        "run",
        ordos.to_str().unwrap(),
        "--samples",
        &n,
        "--out",
        "out",
        "--force",
        "-q",
    ];
    let fail = Some(("SYMBIOSIM_TEST_FAIL_AT_SAMPLE", late.as_str()));
    let o = run_in(dir.path(), &args, fail);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains(&format!("failure injected at sample {late}")),
        "{}",
        text(&o.stderr)
    );
    assert!(!dir.path().join("out").exists());
    assert_eq!(strays(dir.path(), "out"), Vec::<String>::new());

    // An earlier output is kept, byte for byte.
    let o = run_in(dir.path(), &args, None);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let before = all_files(&dir.path().join("out"));
    let o = run_in(dir.path(), &args, fail);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(all_files(&dir.path().join("out")) == before);
    assert_eq!(strays(dir.path(), "out"), Vec::<String>::new());
}

/// Killed while it streams (its temporary folder already holds part of `samples.csv` and the
/// statistics' scratch columns): the earlier output stays in place, and the next run removes
/// what the killed one left.
#[test]
fn a_run_killed_while_it_streams_keeps_the_earlier_output() {
    let dir = tempfile::tempdir().unwrap();
    let ordos = ordos();
    let args = [
        "run",
        ordos.to_str().unwrap(),
        "--samples",
        "200000",
        "--threads",
        "1",
        "--out",
        "out",
        "--force",
        "-q",
    ];
    let small = ["--samples", "10"];
    let mut first: Vec<&str> = args.to_vec();
    first.splice(2..4, small);
    let o = run_in(dir.path(), &first, None);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let before = all_files(&dir.path().join("out"));

    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the temporary folder holds streamed rows beyond the first window.
    let start = std::time::Instant::now();
    let part = loop {
        let tmp = strays(dir.path(), "out");
        let part = tmp
            .iter()
            .map(|t| dir.path().join(t).join("samples.csv.part"))
            .find(|p| fs::metadata(p).is_ok_and(|m| m.len() > 200_000));
        if let Some(p) = part {
            break p;
        }
        assert!(start.elapsed().as_secs() < 60, "the run never streamed");
        assert!(child.try_wait().unwrap().is_none(), "the run ended early");
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    // The statistics' columns are in scratch files there too, not in memory.
    let columns = part.parent().unwrap().join(".columns");
    assert!(fs::read_dir(&columns).unwrap().count() > 0, "{columns:?}");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(all_files(&dir.path().join("out")) == before);
    assert!(
        part.exists(),
        "the killed run's rows are in its temporary folder"
    );

    let o = run_in(dir.path(), &first, None);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(strays(dir.path(), "out"), Vec::<String>::new());
}

/// The tornado keeps each input's first entry's multipliers as the samples stream past; where
/// that entry is constant and another entry of its group varies, the other's are drawn again:
/// both give the record-based figures, over several windows.
#[test]
fn the_tornado_ranks_a_groups_first_varying_entry() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tiny_uncertain.toml");
    let text = fs::read_to_string(&path).unwrap();
    let constant_first = text.replacen(
        "distribution = \"uniform\"\nlow = 0.6\nhigh = 1.1\ngroup = \"cement_demand\"",
        "distribution = \"uniform\"\nlow = 1.0\nhigh = 1.0\ngroup = \"cement_demand\"",
        1,
    );
    assert_ne!(constant_first, text);
    let dir = path.parent().unwrap();
    for t in [&text, &constant_first] {
        let l = scenario::load_str("tiny_uncertain.toml", t, dir).unwrap();
        let mc = monte_carlo(&l.region, &l.uncertain, 3, 7, WINDOW + 300, &|_| {}).unwrap();
        assert_eq!(mc.tornado, tornado(&mc.inputs, &mc.samples));
        let group = mc
            .tornado
            .iter()
            .find(|s| s.input == "cement_demand")
            .unwrap();
        assert_eq!(group.entries.len(), 2);
        // The group varies through either entry: its ρ is defined both times.
        assert!(group.rho.is_some(), "{group:?}");
    }
}
