//! `comparison.png` (issue #20) through its input data: on a real compare of
//! `scenarios/tiny_uncertain.toml` with a strategy, the bars equal the rows' rates, the
//! whiskers their Monte Carlo's p5 and p95, the points their resource cost, the efficient
//! flags the front of each objective's points, the material groups the rows' per-material
//! rates and ranges; a failed strategy is a labelled gap in panel 1 and absent from the
//! others; the PNG decodes at its size, the same bytes every time, and is one of `compare`'s
//! files.
//!
//! `SYMBIOSIM_CHART_SAMPLES=DIR` also writes the charts into `DIR` for looking at them (as
//! `tests/charts.rs` does).

use std::fs;
use std::path::{Path, PathBuf};
use symbiosim::allocate::AllocConfig;
use symbiosim::analysis::compare::{compare, CompareConfig, Row, Strategy};
use symbiosim::model::{Objective, Region};
use symbiosim::report::charts::{
    comparison_png, efficient_front, ComparisonChart, CostPoint, MaterialGroup, MaterialRate,
    RatePair, StrategyRates, COMPARISON_SIZE,
};
use symbiosim::report::compare::{comparison_files, Labelled};
use symbiosim::report::comparison_chart_data;
use symbiosim::scenario::{self, strategy};

fn base() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tiny_uncertain.toml")
}

/// A larger cement plant: more fly ash used, at a lower resource cost (tests/compare.rs).
const BIGGER_CEMENT: &str = "[[consumers]]\nid = \"cement\"\ncapacity = 140.0\n";

fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(format!("{name}.toml"));
    let text = format!(
        "[strategy]\ntitle = \"{name}\"\nbase = {:?}\n\n{body}",
        base().display().to_string()
    );
    fs::write(&p, text).unwrap();
    p
}

/// The PNG decoded by the `png` crate: its size, and that every row is there.
fn decoded_size(bytes: &[u8]) -> (u32, u32) {
    let decoder = png::Decoder::new(bytes);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    (info.width, info.height)
}

fn answer(row: &Row, o: Objective) -> &symbiosim::analysis::compare::Answer {
    row.answers
        .as_ref()
        .unwrap()
        .iter()
        .find(|a| a.objective == o)
        .unwrap()
}

fn other(o: Objective) -> Objective {
    match o {
        Objective::Cost => Objective::MaxUtilisation,
        Objective::MaxUtilisation => Objective::Cost,
    }
}

/// The base, the bigger plant, and a strategy that failed to load (as the CLI keeps it: its
/// reason in its row, the base's region in its label).
fn rows_and_regions(samples: Option<(u64, u64)>) -> (Vec<Row>, Region, Region) {
    let dir = tempfile::tempdir().unwrap();
    let bigger = write(dir.path(), "bigger", BIGGER_CEMENT);
    let b = scenario::load(&base()).unwrap();
    let s = strategy::load(&bigger, &[]).unwrap().1;
    let list = [
        Strategy {
            id: "tiny_uncertain",
            region: &b.region,
            entries: &b.uncertain,
        },
        Strategy {
            id: "bigger",
            region: &s.region,
            entries: &s.uncertain,
        },
    ];
    let cfg = CompareConfig {
        samples,
        alloc: AllocConfig {
            capacity_values: false,
            ..AllocConfig::default()
        },
    };
    let mut rows = compare(&list, &cfg, &|_| {});
    rows.push(Row {
        id: "broken".into(),
        answers: Err("broken.toml:4:1: target.rat: unknown field".into()),
        uncertainty: None,
    });
    (rows, b.region, s.region)
}

fn labels<'a>(base: &'a Region, bigger: &'a Region) -> Vec<Labelled<'a>> {
    let l = |id: &'a str, region: &'a Region| Labelled {
        id,
        title: id,
        description: "",
        file: "f.toml",
        region,
    };
    vec![
        l("tiny_uncertain", base),
        l("bigger", bigger),
        l("broken", base),
    ]
}

#[test]
fn the_chart_data_are_the_rows_numbers() {
    let (rows, b, s) = rows_and_regions(Some((200, 5)));
    let labels = labels(&b, &s);
    let c = comparison_chart_data(&labels, &rows);
    let primary = b.settings.objective;
    assert_eq!(primary, Objective::MaxUtilisation);
    assert_eq!(
        c.objectives,
        ["technical potential".to_string(), "least cost".to_string()]
    );
    assert_eq!(c.target_rate, b.target.rate);
    assert_eq!(c.rule, b.target.accounting.rule);
    assert!(
        c.subtitle.contains("200 Monte Carlo samples (seed 5"),
        "{}",
        c.subtitle
    );

    // Panel 1: every strategy in the rows' order; the bars are the rows' rates, the whiskers
    // the Monte Carlo's p5 and p95 (the primary objective, the one the Monte Carlo ran under).
    assert_eq!(
        c.strategies
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>(),
        ["tiny_uncertain", "bigger", "broken"]
    );
    for (st, row) in c.strategies.iter().zip(&rows).take(2) {
        let pairs = st.rates.as_ref().unwrap();
        for (pair, o) in pairs.iter().zip([primary, other(primary)]) {
            let t = &answer(row, o).results.target;
            assert_eq!(pair.rate, t.achieved, "{} {o:?}", st.id);
            assert_eq!(pair.strict, t.strict_achieved, "{} {o:?}", st.id);
        }
        let u = row.uncertainty.as_ref().unwrap().as_ref().unwrap();
        let (r, sr) = (u.rate.unwrap(), u.strict_rate.unwrap());
        assert_eq!(pairs[0].rate_p5_p95, Some((r.p5, r.p95)));
        assert_eq!(pairs[0].strict_p5_p95, Some((sr.p5, sr.p95)));
        assert!(r.p5 < r.p95, "the inputs are uncertain: {r:?}");
        assert_eq!((pairs[1].rate_p5_p95, pairs[1].strict_p5_p95), (None, None));
    }
    // A failed strategy: a gap with its reason.
    assert_eq!(
        c.strategies[2].rates,
        Err("broken.toml:4:1: target.rat: unknown field".to_string())
    );

    // Panel 2: one point per strategy that did not fail and objective, at its resource cost.
    assert_eq!(c.points.len(), 4);
    assert!(c.points.iter().all(|p| p.strategy != "broken"));
    for p in &c.points {
        let row = rows.iter().find(|r| r.id == p.strategy).unwrap();
        let o = if p.objective == 0 {
            primary
        } else {
            other(primary)
        };
        let a = answer(row, o);
        assert_eq!(p.cost_myuan, a.money.resource / 1e6);
        assert_eq!(Some(p.rate), a.results.target.achieved);
    }
    // The bigger plant costs less and counts more than the base under both objectives: it
    // is efficient, the base is not.
    for p in &c.points {
        assert_eq!(p.efficient, p.strategy == "bigger", "{p:?}");
    }
    for k in 0..2 {
        let mine: Vec<&CostPoint> = c.points.iter().filter(|p| p.objective == k).collect();
        let xy: Vec<(f64, f64)> = mine.iter().map(|p| (p.cost_myuan, p.rate)).collect();
        let flags: Vec<bool> = mine.iter().map(|p| p.efficient).collect();
        assert_eq!(flags, efficient_front(&xy));
    }

    // Panel 3: the solids, each strategy's primary rates and ranges.
    assert_eq!(c.materials, ["Fly ash", "Coal gangue"]);
    assert_eq!(
        c.groups
            .iter()
            .map(|g| g.strategy.as_str())
            .collect::<Vec<_>>(),
        ["tiny_uncertain", "bigger"]
    );
    for (g, (row, region)) in c.groups.iter().zip(rows.iter().zip([&b, &s])) {
        let r = &answer(row, primary).results;
        for (name, bar) in c.materials.iter().zip(&g.bars) {
            let m = region
                .materials
                .iter()
                .position(|m| &m.name == name)
                .unwrap();
            let (id, bal) = r.by_material.iter().find(|(x, _)| x.0 == m).unwrap();
            let bar = bar.as_ref().unwrap();
            assert_eq!(Some(bar.rate), bal.rate());
            assert_eq!(bar.range, r.material_range(*id).map(|x| (x.min, x.max)));
        }
    }

    // The PNG: decodes at its size, the same bytes every time; one of compare's files,
    // right after inputs_diff.csv.
    let png = comparison_png(&c).unwrap();
    assert_eq!(decoded_size(&png), COMPARISON_SIZE);
    assert_eq!(png, comparison_png(&c).unwrap(), "not deterministic");
    let files = comparison_files(&labels, &rows, &[]).unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let at = names.iter().position(|n| *n == "comparison.png").unwrap();
    assert_eq!(names[at - 1], "inputs_diff.csv");
    assert_eq!(files[at].bytes, png);
    save("tiny_uncertain_comparison.png", &png);
}

#[test]
fn without_samples_there_are_no_whiskers() {
    let (rows, b, s) = rows_and_regions(None);
    let c = comparison_chart_data(&labels(&b, &s), &rows);
    for st in &c.strategies[..2] {
        for p in st.rates.as_ref().unwrap() {
            assert_eq!((p.rate_p5_p95, p.strict_p5_p95), (None, None));
        }
    }
    assert!(c.subtitle.contains("no Monte Carlo"), "{}", c.subtitle);
    assert_eq!(decoded_size(&comparison_png(&c).unwrap()), COMPARISON_SIZE);
}

#[test]
fn the_front_is_what_nothing_beats() {
    // (cost, rate): cheaper-and-higher beats; equal points are both efficient; more cost
    // for more rate is efficient; the same cost for less rate is not.
    let pts = [
        (10.0, 0.50), // beaten by (8, 0.6)
        (8.0, 0.60),
        (12.0, 0.70),
        (12.0, 0.70),
        (12.0, 0.65), // same cost, less rate
        (-1.0, 0.10), // the cheapest
        (8.0, 0.55),  // same cost, less rate
        (9.0, 0.60),  // same rate, more cost
    ];
    assert_eq!(
        efficient_front(&pts),
        [false, true, true, true, false, true, false, false]
    );
    assert_eq!(efficient_front(&[(1.0, 0.5)]), [true]);
}

#[test]
fn edge_cases_render() {
    let long =
        "a_strategy_with_a_very_long_identifier_that_cannot_fit_anywhere_in_the_label_column";
    let pair = |r: f64| RatePair {
        rate: Some(r),
        strict: Some(r * 0.5),
        rate_p5_p95: Some((r * 0.9, (r * 1.1).min(1.2))),
        strict_p5_p95: None,
    };
    let mut strategies = vec![StrategyRates {
        id: "base".into(),
        rates: Err("x".repeat(400)),
    }];
    let mut points = Vec::new();
    let mut groups = Vec::new();
    for i in 0..12 {
        let id = format!("{long}_{i}");
        let r = 0.3 + 0.07 * i as f64;
        strategies.push(StrategyRates {
            id: id.clone(),
            rates: Ok([
                pair(r),
                RatePair {
                    rate: None,
                    strict: None,
                    rate_p5_p95: None,
                    strict_p5_p95: None,
                },
            ]),
        });
        points.push(CostPoint {
            strategy: id.clone(),
            objective: 0,
            cost_myuan: 100.0 + (i % 3) as f64,
            rate: r,
            efficient: i % 3 == 0,
        });
        groups.push(MaterialGroup {
            strategy: id,
            bars: (0..14)
                .map(|m| {
                    (m != 3).then_some(MaterialRate {
                        rate: 0.05 * m as f64 + 0.02 * i as f64,
                        range: Some((0.0, 1.3)),
                    })
                })
                .collect(),
        });
    }
    let crowded = ComparisonChart {
        title: format!(
            "{} — a title far too long for one line",
            "Crowded ".repeat(20)
        ),
        subtitle: "s".repeat(300),
        rule: "china_statistical".into(),
        target_rate: 0.8,
        objectives: ["technical potential".into(), "least cost".into()],
        strategies,
        points,
        materials: (0..14)
            .map(|m| format!("material number {m} with a long name"))
            .collect(),
        groups,
    };
    let empty = ComparisonChart {
        title: "nothing solved".into(),
        subtitle: String::new(),
        rule: "strict".into(),
        target_rate: f64::NAN,
        objectives: ["least cost".into(), "technical potential".into()],
        strategies: vec![StrategyRates {
            id: "base".into(),
            rates: Err("failed".into()),
        }],
        points: Vec::new(),
        materials: Vec::new(),
        groups: Vec::new(),
    };
    for (name, c) in [("crowded", &crowded), ("empty", &empty)] {
        let png = comparison_png(c).unwrap();
        assert_eq!(decoded_size(&png), COMPARISON_SIZE, "{name}");
        save(&format!("{name}_comparison.png"), &png);
    }
}

fn save(name: &str, bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("SYMBIOSIM_CHART_SAMPLES").map(PathBuf::from) {
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(name), bytes).unwrap();
    }
}
