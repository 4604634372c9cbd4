//! The Monte Carlo's charts (rate distribution and tornado) through the public API: PNG size,
//! the texts a reader needs in the SVG (P(meet target), the method), determinism, and edge
//! cases (no defined rate, one value, more inputs than bars, long labels).
//!
//! `SYMBIOSIM_CHART_SAMPLES=DIR` also writes them into `DIR` for looking at them (as
//! `tests/charts.rs` does).

use std::path::PathBuf;
use symbiosim::report::charts::{
    distribution_png, distribution_svg, tornado_png, tornado_svg, RateDistributionChart,
    TornadoBar, TornadoChart, DISTRIBUTION_SIZE, MAX_BARS, TORNADO_SIZE,
};

fn ihdr_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    let be = |i: usize| u32::from_be_bytes(png[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

fn distribution(rates: Vec<f64>, p_meet: f64) -> RateDistributionChart {
    RateDistributionChart {
        title: "Test region — utilisation rate over Monte Carlo samples, 2025".into(),
        subtitle: "1000 samples (seed 1, from sample 0); scope: solids; 30 uncertain inputs".into(),
        rule: "china_statistical".into(),
        target_rate: 0.8,
        p_meet,
        strict_rates: rates.iter().map(|r| r * 0.3).collect(),
        rates,
    }
}

fn tornado(n: usize, long: bool) -> TornadoChart {
    TornadoChart {
        title: "Test region — which uncertain inputs move the utilisation rate, 2025".into(),
        subtitle: vec![
            "Spearman rank correlation of each input's multiplier with the rate".into(),
            "a group's entries move together and are one input".into(),
        ],
        bars: (0..n)
            .map(|i| TornadoBar {
                label: if long && i == 0 {
                    "an uncertain input with a very long name that must be shortened to fit".into()
                } else {
                    format!("input_{i}")
                },
                rho: (if i % 2 == 0 { 0.95 } else { -0.9 }) / (1.0 + i as f64),
            })
            .collect(),
    }
}

fn samples() -> Vec<(&'static str, RateDistributionChart, TornadoChart)> {
    // A spread of rates from 40 % to 62 % (the Ordos shape: all below the target).
    let spread: Vec<f64> = (0..1000)
        .map(|i| 0.4 + 0.22 * (i as f64 / 999.0).powi(2))
        .collect();
    vec![
        ("mc_spread", distribution(spread, 0.0), tornado(8, false)),
        (
            "mc_crowded",
            distribution(vec![0.85; 10], 1.0),
            tornado(30, true),
        ),
        ("mc_empty", distribution(vec![], 0.0), tornado(0, false)),
    ]
}

#[test]
fn monte_carlo_charts_render_with_their_labels() {
    let dir = std::env::var_os("SYMBIOSIM_CHART_SAMPLES").map(PathBuf::from);
    if let Some(dir) = &dir {
        std::fs::create_dir_all(dir).unwrap();
    }
    for (name, d, t) in samples() {
        let dp = distribution_png(&d).unwrap();
        assert_eq!(ihdr_size(&dp), DISTRIBUTION_SIZE, "{name}");
        assert_eq!(
            dp,
            distribution_png(&d).unwrap(),
            "{name}: not deterministic"
        );
        let ds = distribution_svg(&d).unwrap();
        assert!(ds.starts_with("<svg"));
        let p = format!("P(meet 80 %) = {:.3}", d.p_meet);
        assert!(ds.contains(&p), "{name}: {p} missing");
        assert!(ds.contains("target 80 %"));
        assert!(ds.contains("% of generated mass, per year"));
        let tp = tornado_png(&t).unwrap();
        assert_eq!(ihdr_size(&tp), TORNADO_SIZE, "{name}");
        let ts = tornado_svg(&t).unwrap();
        assert!(ts.contains("Spearman rank correlation"), "{name}");
        // At most MAX_BARS bars; the rest are counted in a note.
        let shown = (0..t.bars.len())
            .filter(|i| ts.contains(&format!(">input_{i}<")))
            .count();
        assert!(shown <= MAX_BARS, "{name}: {shown}");
        if t.bars.len() > MAX_BARS {
            let more = format!("{} more inputs", t.bars.len() - MAX_BARS);
            assert!(ts.contains(&more), "{name}");
            assert!(!ts.contains("very long name that must be shortened to fit"));
        }
        if let Some(dir) = &dir {
            for (kind, bytes) in [
                ("rate_distribution.png", dp),
                ("rate_distribution.svg", ds.into_bytes()),
                ("tornado.png", tp),
                ("tornado.svg", ts.into_bytes()),
            ] {
                std::fs::write(dir.join(format!("{name}_{kind}")), bytes).unwrap();
            }
        }
    }
}
