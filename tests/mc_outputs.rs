//! The Monte Carlo's outputs beyond `samples.csv`: the `.npy` arrays read back (and their
//! header checked byte by byte), `tornado.csv` recomputed from `samples.csv`, the charts'
//! inputs, per-material and per-park statistics, and the same bytes of every output at any
//! thread count and split of the samples.

use ndarray::{s, Array3, Array4, Axis};
use ndarray_npy::ReadNpyExt;
use std::fs;
use std::path::Path;
use std::process::Command;
use symbiosim::analysis::{evaluate, monte_carlo};
use symbiosim::report::{charts, distribution_chart_data, tornado_chart_data};
use symbiosim::scenario;

fn mc_run(out: &Path, extra: &[&str]) {
    let o = Command::new(env!("CARGO_BIN_EXE_symbiosim"))
        .args(["run", "scenarios/tiny_uncertain.toml", "-q", "--seed", "11"])
        .args(["--out", out.to_str().unwrap()])
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    (header, rows)
}

fn col(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

/// Ranks with ties averaged, then Pearson on the ranks (written here independently of the
/// library's).
fn spearman(x: &[f64], y: &[f64]) -> f64 {
    fn ranks(v: &[f64]) -> Vec<f64> {
        v.iter()
            .map(|a| {
                let below = v.iter().filter(|b| *b < a).count() as f64;
                let equal = v.iter().filter(|b| *b == a).count() as f64;
                below + (equal + 1.0) / 2.0
            })
            .collect()
    }
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let cov: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = rx.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = ry.iter().map(|b| (b - my).powi(2)).sum();
    cov / (vx * vy).sqrt()
}

#[test]
fn npy_arrays_read_back_and_agree_with_samples_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mc");
    mc_run(&out, &["--samples", "120"]);
    let axes: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("samples_axes.json")).unwrap()).unwrap();
    assert_eq!(axes["shape"], serde_json::json!([120, 2, 2]));
    assert_eq!(axes["material"], serde_json::json!(["fly_ash", "gangue"]));
    assert_eq!(axes["park"], serde_json::json!(["A", "B"]));

    // The header, without numpy: magic, version 1.0, a little-endian f64 C-order dict padded
    // so the data starts at a multiple of 64 bytes.
    let bytes = fs::read(out.join("samples_rate.npy")).unwrap();
    assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
    let hlen = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    assert_eq!((10 + hlen) % 64, 0);
    let header = std::str::from_utf8(&bytes[10..10 + hlen]).unwrap();
    assert!(header.contains("'descr': '<f8'"), "{header}");
    assert!(header.contains("'fortran_order': False"), "{header}");
    assert!(header.contains("'shape': (120, 2, 2)"), "{header}");
    assert!(header.ends_with('\n'));
    assert_eq!(bytes.len(), 10 + hlen + 120 * 2 * 2 * 8);

    let rate =
        Array3::<f64>::read_npy(fs::File::open(out.join("samples_rate.npy")).unwrap()).unwrap();
    let strict =
        Array3::<f64>::read_npy(fs::File::open(out.join("samples_strict_rate.npy")).unwrap())
            .unwrap();
    let bal =
        Array4::<f64>::read_npy(fs::File::open(out.join("samples_balance.npy")).unwrap()).unwrap();
    assert_eq!(bal.shape(), &[120, 2, 2, 4]);
    // tiny: fly ash in both parks, gangue only in park B (NaN in A: nothing generated).
    for k in 0..120 {
        assert!(rate[[k, 1, 0]].is_nan() && bal[[k, 1, 0, 1]] == 0.0);
        for m in 0..2 {
            for p in 0..2 {
                let (u, d) = (bal[[k, m, p, 0]], bal[[k, m, p, 1]]);
                if d > 0.0 {
                    assert_eq!(rate[[k, m, p]], u / d);
                    let (su, sd) = (bal[[k, m, p, 2]], bal[[k, m, p, 3]]);
                    assert_eq!(strict[[k, m, p]], su / sd);
                }
            }
        }
    }
    // Summed over parks, the balance gives samples.csv's material rates (6 decimals).
    let (h, rows) = csv_rows(&out.join("samples.csv"));
    for (m, id) in ["fly_ash", "gangue"].iter().enumerate() {
        let c = col(&h, &format!("rate_{id}"));
        for (k, row) in rows.iter().enumerate() {
            let cell = bal.slice(s![k, m, .., ..]);
            let (u, d) = (cell.column(0).sum(), cell.column(1).sum());
            let want: f64 = row[c].parse().unwrap();
            assert!(
                (u / d - want).abs() <= 5e-7,
                "{k} {id}: {} vs {want}",
                u / d
            );
        }
    }
    // And over materials and parks, the overall rate.
    let c = col(&h, "utilisation_rate");
    let totals = bal.sum_axis(Axis(1)).sum_axis(Axis(1));
    for (k, row) in rows.iter().enumerate() {
        let want: f64 = row[c].parse().unwrap();
        assert!((totals[[k, 0]] / totals[[k, 1]] - want).abs() <= 5e-7);
    }
}

#[test]
fn tornado_csv_is_spearman_of_the_samples_csv_columns() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mc");
    mc_run(&out, &["--samples", "200"]);
    let (h, rows) = csv_rows(&out.join("samples.csv"));
    let num = |c: usize| -> Vec<f64> { rows.iter().map(|r| r[c].parse().unwrap()).collect() };
    let rate = num(col(&h, "utilisation_rate"));
    let (th, trows) = csv_rows(&out.join("tornado.csv"));
    // tiny_uncertain: 6 entries, cement_capacity and cement_price in one group → 5 inputs.
    assert_eq!(trows.len(), 5);
    let mut last = f64::INFINITY;
    for r in &trows {
        let entries: Vec<&str> = r[col(&th, "entries")].split(' ').collect();
        if r[col(&th, "input")] == "cement_demand" {
            assert_eq!(entries, vec!["cement_capacity", "cement_price"]);
        }
        // Every entry of an input has the same ranks (comonotone), so the same ρ.
        for e in entries {
            let rho = spearman(&num(col(&h, &format!("m_{e}"))), &rate);
            let got: f64 = r[col(&th, "spearman_rho")].parse().unwrap();
            // samples.csv rounds multipliers to 9 decimals: ties are not created at n = 200.
            assert!((rho - got).abs() < 2e-6, "{e}: {rho} vs {got}");
        }
        let got: f64 = r[col(&th, "spearman_rho")].parse().unwrap();
        assert!(got.abs() <= last + 1e-12, "not sorted by |rho|");
        last = got.abs();
    }
}

#[test]
fn chart_inputs_follow_the_samples() {
    let l = scenario::load(Path::new("scenarios/tiny_uncertain.toml")).unwrap();
    let base = evaluate(&l.region, &Default::default()).unwrap().results;
    let mc = monte_carlo(&l.region, &l.uncertain, 5, 0, 300, &|_| {}).unwrap();
    let d = distribution_chart_data(&l.region, &base, &mc);
    assert_eq!(d.rates.len(), 300);
    assert_eq!(d.target_rate, 0.8);
    let met = d.rates.iter().filter(|&&r| r + 1e-12 >= 0.8).count();
    assert_eq!(d.p_meet, met as f64 / 300.0);
    // Every sample lands in one bin of the drawn range.
    let (lo, hi) = charts::histogram_range(&d.rates, d.target_rate);
    let counts = charts::histogram(&d.rates, lo, hi, charts::BINS);
    assert_eq!(counts.iter().sum::<u64>(), 300);
    let t = tornado_chart_data(&l.region, &mc);
    assert_eq!(t.bars.len(), 5);
    assert!(t.subtitle[0].contains("Spearman rank correlation"));
    for w in t.bars.windows(2) {
        assert!(w[0].rho.abs() >= w[1].rho.abs());
    }
    // Cement capacity limits the fly ash: it moves the rate up most.
    assert_eq!(t.bars[0].label, "cement_demand");
    assert!(t.bars[0].rho > 0.5);
    // The per-material and per-park statistics sum the cells like the base run does.
    let fly = &mc.by_material[0];
    let direct: Vec<Option<f64>> = mc.samples.iter().map(|s| s.material_rates[0]).collect();
    let mean = direct.iter().flatten().sum::<f64>() / 300.0;
    assert!((fly.rate.unwrap().mean - mean).abs() < 1e-12);
    assert_eq!(mc.by_park.len(), 2);
}

#[test]
fn cells_sum_to_the_material_and_park_balances() {
    let l = scenario::load(Path::new("scenarios/ordos_2025.toml")).unwrap();
    let r = evaluate(&l.region, &Default::default()).unwrap().results;
    let nm = r.by_material.len();
    assert_eq!(r.by_park_material.len(), r.by_park.len() * nm);
    for (i, ((p, m), _)) in r.by_park_material.iter().enumerate() {
        assert_eq!((*p, *m), (r.by_park[i / nm].0, r.by_material[i % nm].0));
    }
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    for (j, (_, want)) in r.by_material.iter().enumerate() {
        let (mut g, mut u) = (0.0, 0.0);
        for i in 0..r.by_park.len() {
            let b = r.by_park_material[i * nm + j].1;
            g += b.generated;
            u += b.utilised();
        }
        assert!(close(g, want.generated) && close(u, want.utilised()));
    }
    for (i, (_, want)) in r.by_park.iter().enumerate() {
        let (mut g, mut u) = (0.0, 0.0);
        for j in 0..nm {
            let b = r.by_park_material[i * nm + j].1;
            g += b.generated;
            u += b.utilised();
        }
        assert!(close(g, want.generated) && close(u, want.utilised()));
    }
}

fn all_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in ["", "charts"] {
        let mut names: Vec<_> = fs::read_dir(dir.join(sub))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        names.sort();
        for p in names {
            let name = p.strip_prefix(dir).unwrap().display().to_string();
            if name != "manifest.json" {
                out.push((name, fs::read(&p).unwrap()));
            }
        }
    }
    out
}

#[test]
fn every_output_is_the_same_bytes_at_any_thread_count_and_split() {
    let dir = tempfile::tempdir().unwrap();
    let (one, four) = (dir.path().join("one"), dir.path().join("four"));
    mc_run(&one, &["--samples", "200", "--threads", "1"]);
    mc_run(&four, &["--samples", "200", "--threads", "4"]);
    let (a, b) = (all_files(&one), all_files(&four));
    let names: Vec<&str> = a.iter().map(|(n, _)| n.as_str()).collect();
    for want in [
        "tornado.csv",
        "samples_rate.npy",
        "samples_balance.npy",
        "charts/tornado.png",
        "charts/rate_distribution.svg",
    ] {
        assert!(names.contains(&want), "{want} missing: {names:?}");
    }
    assert_eq!(a.len(), b.len());
    for ((n1, b1), (n2, b2)) in a.iter().zip(&b) {
        assert_eq!(n1, n2);
        assert!(b1 == b2, "{n1} differs between 1 and 4 threads");
    }
    // Split 0..90 and 90..200: the arrays concatenate along the sample axis.
    let (p, q) = (dir.path().join("p"), dir.path().join("q"));
    mc_run(&p, &["--samples", "90", "--threads", "2"]);
    mc_run(
        &q,
        &["--samples", "110", "--first-sample", "90", "--threads", "3"],
    );
    for f in ["samples_rate.npy", "samples_strict_rate.npy"] {
        let read = |d: &Path| Array3::<f64>::read_npy(fs::File::open(d.join(f)).unwrap()).unwrap();
        let joined = ndarray::concatenate(Axis(0), &[read(&p).view(), read(&q).view()]).unwrap();
        let whole = read(&one);
        // NaN ≠ NaN: compare bit patterns.
        assert!(
            joined
                .iter()
                .zip(whole.iter())
                .all(|(x, y)| x.to_bits() == y.to_bits()),
            "{f}"
        );
    }
    let read4 = |d: &Path| {
        Array4::<f64>::read_npy(fs::File::open(d.join("samples_balance.npy")).unwrap()).unwrap()
    };
    let joined = ndarray::concatenate(Axis(0), &[read4(&p).view(), read4(&q).view()]).unwrap();
    assert_eq!(joined, read4(&one));
}
