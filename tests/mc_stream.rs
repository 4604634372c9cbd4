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
use symbiosim::analysis::monte_carlo::stats::{cell_stats, tornado};
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

/// Issue #19, item 10: the bound `run --samples` checks against the free space is never below
/// what a run writes. The per-sample files of real runs (several windows, an index past a
/// power of ten, ordos_2025's 32 entries and 80 cells) are at most
/// `report::streamed_bytes_bound`, and the statistics' scratch columns held at once (counted
/// by a store that keeps them in memory) at most 8 bytes × `analysis::store_columns` a sample.
#[test]
fn the_disk_bound_holds_what_a_run_writes() {
    use symbiosim::analysis::{monte_carlo_streamed, store_columns, ColumnStore, InMemory};
    use symbiosim::analysis::{SampleLayout, SampleResult};
    /// An in-memory store counting the bytes it holds.
    #[derive(Default)]
    struct Counted(InMemory, u64, u64);
    impl ColumnStore for Counted {
        fn append(&mut self, c: usize, v: &[f64]) -> std::io::Result<()> {
            self.1 += 8 * v.len() as u64;
            self.2 = self.2.max(self.1);
            self.0.append(c, v)
        }
        fn take(&mut self, c: usize) -> std::io::Result<Vec<f64>> {
            let v = self.0.take(c)?;
            self.1 -= 8 * v.len() as u64;
            Ok(v)
        }
    }
    let tiny = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tiny_uncertain.toml");
    for (path, n, first) in [(tiny, 2 * WINDOW + 5, 9_000), (ordos(), 60, 99_970)] {
        let dir = tempfile::tempdir().unwrap();
        let (n_s, first_s) = (n.to_string(), first.to_string());
        let args = [
            "run",
            path.to_str().unwrap(),
            "--samples",
            &n_s,
            "--first-sample",
            &first_s,
            "--out",
            "out",
            "-q",
        ];
        let o = run_in(dir.path(), &args, None);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let written: u64 = report::STREAMED
            .iter()
            .map(|f| fs::metadata(dir.path().join("out").join(f)).unwrap().len())
            .sum();
        let l = scenario::load(&path).unwrap();
        let layout = SampleLayout::of(&l.region, &l.uncertain);
        let bound =
            report::streamed_bytes_bound(&l.region, &layout, &l.uncertain, (first, n)).unwrap();
        assert!(
            written <= bound,
            "{path:?}: {written} bytes written, bound {bound}"
        );
        let mut store = Counted::default();
        let mut sink = |_: Vec<SampleResult>| Ok::<(), std::io::Error>(());
        let range = (0, first, n);
        monte_carlo_streamed(
            &l.region,
            &l.uncertain,
            range,
            &|_| {},
            &mut sink,
            &mut store,
        )
        .unwrap();
        let scratch = 8 * store_columns(&layout) * n;
        assert!(store.2 <= scratch, "{path:?}: {} scratch bytes", store.2);
        eprintln!(
            "{path:?}: files {written} B ≤ {bound} B ({:.0} ≤ {:.0} a sample), scratch {} ≤ {scratch}",
            written as f64 / n as f64,
            bound as f64 / n as f64,
            store.2
        );
    }
}

/// Issue #19, item 10: a Monte Carlo whose per-sample files cannot fit in the output's free
/// space is refused before anything is solved or written — the free bytes faked by
/// `SYMBIOSIM_TEST_FREE_BYTES`, and a count no disk holds with the real ones — unless
/// `--no-space-check` says otherwise.
#[test]
fn a_run_whose_files_cannot_fit_is_refused_before_anything_is_written() {
    let tiny = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tiny_uncertain.toml");
    let tiny = tiny.to_str().unwrap();
    let run = |cwd: &Path, args: &[&str], free: Option<&str>| {
        let mut c = Command::new(BIN);
        c.args(args).current_dir(cwd);
        if let Some(f) = free {
            c.env("SYMBIOSIM_TEST_FREE_BYTES", f);
        }
        // Should the check not refuse, the run stops at its first sample instead of running
        // for ever.
        c.env("SYMBIOSIM_TEST_FAIL_AT_SAMPLE", "0");
        c.output().unwrap()
    };
    let empty = |d: &Path| fs::read_dir(d).unwrap().count() == 0;
    // The default folder (its parent `output/` would be created) and a named one.
    for out in [&[][..], &["--out", "out"][..]] {
        let dir = tempfile::tempdir().unwrap();
        let mut args = vec!["run", tiny, "--samples", "10"];
        args.extend(out);
        let o = run(dir.path(), &args, Some("1000"));
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        for part in [
            "--samples 10: the per-sample files and the statistics' scratch columns need up to",
            "on the file system of .,",
            "which has 1.00 kB (1000 bytes) free; nothing written",
            "--no-space-check skips this check",
        ] {
            assert!(err.contains(part), "{part:?} not in {err}");
        }
        assert!(empty(dir.path()), "{:?}", fs::read_dir(dir.path()).unwrap());
    }
    // A thousand trillion samples: no disk holds them (≈ 0.5 PB), with the real free space.
    let dir = tempfile::tempdir().unwrap();
    let args = ["run", tiny, "--samples", "1000000000000000", "--out", "out"];
    let o = run(dir.path(), &args, None);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--samples 1000000000000000: the per-sample"),
        "{err}"
    );
    assert!(err.contains("nothing written"), "{err}");
    assert!(empty(dir.path()));
    // The same small run fits with room to spare, or with the check skipped.
    let dir = tempfile::tempdir().unwrap();
    let args = ["run", tiny, "--samples", "10", "--out", "a", "-q"];
    let o = run_in(
        dir.path(),
        &args,
        Some(("SYMBIOSIM_TEST_FREE_BYTES", "100000")),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let args = [
        "run",
        tiny,
        "--samples",
        "10",
        "--out",
        "b",
        "-q",
        "--no-space-check",
    ];
    let o = run_in(dir.path(), &args, Some(("SYMBIOSIM_TEST_FREE_BYTES", "0")));
    assert!(o.status.success(), "{}", text(&o.stderr));
}
