//! The chart renderers through the public API only: valid PNG headers, SVG text, determinism.
//!
//! `SYMBIOSIM_CHART_SAMPLES=DIR`: when set, [`sample_charts`] also writes the sample charts
//! (the Ordos-like input, the crowded real-scenario shapes and the edge cases, each as PNG and
//! SVG; the route chart of `scenarios/ordos_2025.toml` as `ordos_routes.{png,svg}`) into `DIR` (created if missing) for looking at them, e.g.
//! `SYMBIOSIM_CHART_SAMPLES=/tmp/charts cargo test --release --test charts sample_charts`.
//! Without it the samples are only rendered and checked.

use std::path::PathBuf;

use symbiosim::report::charts::{
    map_png, map_svg, utilisation_png, utilisation_svg, FlowMap, MapFlow, MapPark, MaterialBar,
    UtilisationChart, MAP_SIZE, UTILISATION_SIZE,
};

fn ihdr_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes(png[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

fn chart() -> UtilisationChart {
    UtilisationChart {
        title: "Utilisation test".into(),
        target_rate: 0.8,
        bars: vec![
            MaterialBar {
                label: "fly ash".into(),
                drawn: 0.0,
                generated: 4.82e7,
                utilised: 3.04e7,
                rate: 0.63,
                range: Some((0.41, 0.7)),
            },
            MaterialBar {
                label: "gypsum".into(),
                drawn: 0.0,
                generated: 1.0e6,
                utilised: 1.2e6,
                rate: 1.2,
                range: None,
            },
        ],
        overall_rate: 0.64,
    }
}

fn map() -> FlowMap {
    let park = |id: &str, lat: f64, lon: f64, is_block: bool| MapPark {
        id: id.into(),
        name: format!("Park {id}"),
        lat,
        lon,
        is_block,
        generated: 1e6,
        landfilled: 0.0,
        dumped: 0.0,
    };
    let flow = |a: (f64, f64), b: (f64, f64), material: &str, quantity: f64| MapFlow {
        mode: "road".into(),
        from_lat: a.0,
        from_lon: a.1,
        to_lat: b.0,
        to_lon: b.1,
        material: material.into(),
        quantity,
        unit: "t".into(),
    };
    let (a, b) = ((39.0, 109.0), (40.0, 110.5));
    FlowMap {
        title: "Map test".into(),
        modes: vec!["road".into()],
        parks: vec![park("A", a.0, a.1, false), park("B", b.0, b.1, true)],
        flows: vec![
            flow(a, b, "fly ash", 2e6),
            flow(b, a, "gypsum", 3e4),
            flow(a, a, "gypsum", 5e5),
        ],
        materials: vec!["fly ash".into(), "gypsum".into()],
    }
}

#[test]
fn utilisation_chart_renders_deterministically() {
    let png = utilisation_png(&chart()).unwrap();
    assert_eq!(ihdr_size(&png), UTILISATION_SIZE);
    assert_eq!(png, utilisation_png(&chart()).unwrap());
    let svg = utilisation_svg(&chart()).unwrap();
    assert!(svg.starts_with("<svg"));
    for text in [
        "Utilisation test",
        "target 80 %",
        "fly ash",
        "gypsum",
        "all solids",
        "120 %",
    ] {
        assert!(svg.contains(text), "{text}");
    }
    assert_eq!(svg, utilisation_svg(&chart()).unwrap());
}

#[test]
fn flow_map_renders_deterministically() {
    let png = map_png(&map()).unwrap();
    assert_eq!(ihdr_size(&png), MAP_SIZE);
    assert_eq!(png, map_png(&map()).unwrap());
    let svg = map_svg(&map()).unwrap();
    for text in [
        "Map test",
        "Park A (1 Mt)",
        "Park B (1 Mt)",
        "fly ash",
        "gypsum",
    ] {
        assert!(svg.contains(text), "{text}");
    }
    assert_eq!(svg, map_svg(&map()).unwrap());
}

/// Real-scenario shapes: a long title, 12 materials (one with a very long name), crowded
/// sub-blocks and intra-park flows at several locations.
fn crowded() -> (UtilisationChart, FlowMap) {
    let title = "Ordos industrial parks 2025: by-product matching against the 80 % utilisation \
                 target — solid-waste utilisation by material, 2025, with a very long scenario \
                 name that cannot fit on one line"
        .to_string();
    let long_name = "Coal-to-liquids gasification fine slag with residual carbon above ten percent";
    let mut materials: Vec<String> = (0..11).map(|i| format!("material {i}")).collect();
    materials.push(long_name.into());
    let bars = materials
        .iter()
        .enumerate()
        .map(|(i, m)| MaterialBar {
            label: m.clone(),
            drawn: 0.0,
            generated: 1e6 * (i + 1) as f64,
            utilised: 5e5 * (i + 1) as f64,
            rate: 0.5,
            range: Some((0.1, 0.5)),
        })
        .collect();
    let chart = UtilisationChart {
        title: title.clone(),
        target_rate: 0.8,
        bars,
        overall_rate: 0.5,
    };
    let parks: Vec<MapPark> = (0..6)
        .map(|i| MapPark {
            id: format!("P4.{i}"),
            name: format!("Block with a long name {i}"),
            lat: 39.45 + 0.03 * f64::from(i),
            lon: 109.9 + 0.02 * f64::from(i % 2),
            is_block: i > 0,
            generated: 2e6,
            landfilled: 0.0,
            dumped: 0.0,
        })
        .chain(std::iter::once(MapPark {
            id: "P7".into(),
            name: "Shanghaimiao".into(),
            lat: 38.25,
            lon: 106.7,
            is_block: false,
            generated: 6.6e6,
            landfilled: 0.0,
            dumped: 0.0,
        }))
        .collect();
    let mut flows = Vec::new();
    for (k, m) in materials.iter().enumerate() {
        let a = &parks[k % parks.len()];
        let b = &parks[(k * 5 + 1) % parks.len()];
        for (p, q) in [(a, b), (a, a)] {
            flows.push(MapFlow {
                mode: "road".into(),
                from_lat: p.lat,
                from_lon: p.lon,
                to_lat: q.lat,
                to_lon: q.lon,
                material: m.clone(),
                quantity: 1e5 * (k + 1) as f64,
                unit: "t".into(),
            });
        }
    }
    let map = FlowMap {
        title,
        modes: vec!["road".into()],
        parks,
        flows,
        materials,
    };
    (chart, map)
}

#[test]
fn long_titles_and_names_are_fitted() {
    let (chart, map) = crowded();
    let svg = utilisation_svg(&chart).unwrap();
    // The title does not fit on one line and the longest material name is shortened.
    assert!(!svg.contains(&chart.title));
    assert!(svg.contains("Ordos industrial parks 2025"));
    assert!(!svg.contains("above ten percent"));
    assert!(svg.contains("Coal-to-liquids"));
    assert!(svg.contains('…'));
    assert!(svg.contains("material 10"));
    assert_eq!(svg, utilisation_svg(&chart).unwrap());
    let png = utilisation_png(&chart).unwrap();
    assert_eq!(ihdr_size(&png), UTILISATION_SIZE);
    assert_eq!(png, utilisation_png(&chart).unwrap());

    let svg = map_svg(&map).unwrap();
    assert!(!svg.contains(&map.title));
    assert!(svg.contains("Coal-to-liquids"));
    assert!(!svg.contains("above ten percent"));
    for i in 0..11 {
        assert!(svg.contains(&format!("material {i}")), "{i}");
    }
    // Every park keeps its name on the map, with or without the tonnes.
    for i in 0..6 {
        assert!(svg.contains(&format!("Block with a long name {i}")), "{i}");
    }
    assert!(svg.contains("Shanghaimiao (6.6 Mt)"));
    assert_eq!(svg, map_svg(&map).unwrap());
    let png = map_png(&map).unwrap();
    assert_eq!(ihdr_size(&png), MAP_SIZE);
    assert_eq!(png, map_png(&map).unwrap());
}

/// Whether the SVG has a text element reading exactly `s` (plotters puts it on its own line).
fn svg_has_text(svg: &str, s: &str) -> bool {
    svg.lines().any(|l| l == s)
}

/// Realistic input: Ordos parks, 8 materials, 30 flows of 1e4–1e7 t.
fn ordos() -> (UtilisationChart, FlowMap) {
    let materials = [
        "fly ash",
        "coal gangue",
        "desulfurisation gypsum",
        "furnace slag",
        "carbide slag",
        "steel slag",
        "red mud",
        "coal-to-chemicals slag",
    ];
    let bars: Vec<MaterialBar> = materials
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let generated = 4.82e7 / (i as f64 + 1.0).powf(1.3);
            let rate = [0.63, 0.41, 0.92, 0.81, 0.55, 0.796, 0.12, 1.08][i];
            MaterialBar {
                label: m.to_string(),
                drawn: 0.0,
                generated,
                utilised: generated * rate,
                rate,
                range: (i % 3 == 0).then_some((rate * 0.5, rate)),
            }
        })
        .collect();
    let g: f64 = bars.iter().map(|b| b.generated).sum();
    let u: f64 = bars.iter().map(|b| b.utilised).sum();
    let chart = UtilisationChart {
        title: "Solid by-product utilisation, Ordos 2025".into(),
        target_rate: 0.8,
        bars,
        overall_rate: u / g,
    };
    let parks = vec![
        (
            "P1",
            "Dalad Economic Development Zone",
            40.40,
            109.99,
            false,
            3.1e7,
        ),
        ("P2", "Ordos High-Tech Zone", 39.60, 109.78, false, 8.0e6),
        (
            "P3",
            "Ningdong–Ordos Junggar Park",
            39.86,
            111.24,
            false,
            2.2e7,
        ),
        ("P4", "Ejin Horo Park", 39.27, 109.73, false, 1.5e7),
        (
            "P5",
            "Otog Front Banner Shanghaimiao",
            38.28,
            107.48,
            false,
            6.0e6,
        ),
        ("P6", "Uxin Banner Nalinhe", 38.27, 108.82, false, 1.2e7),
        ("P6a", "Nalinhe block A", 38.37, 109.02, true, 3.0e6),
        ("P7", "Qipanjing Park", 39.35, 106.98, false, 9.0e6),
    ];
    let parks: Vec<MapPark> = parks
        .into_iter()
        .map(|(id, name, lat, lon, is_block, generated)| MapPark {
            id: id.into(),
            name: name.into(),
            lat,
            lon,
            is_block,
            generated,
            landfilled: generated * 0.2,
            dumped: if id == "P3" { 5.78e6 } else { 0.0 },
        })
        .collect();
    let mut flows = Vec::new();
    let mut seed = 7u64;
    for k in 0..30 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let a = (seed >> 33) as usize % parks.len();
        let b = if k % 7 == 0 {
            a
        } else {
            (seed >> 40) as usize % parks.len()
        };
        let mat = (seed >> 20) as usize % materials.len();
        let q = 10f64.powf(4.0 + 3.0 * ((seed >> 11) % 1000) as f64 / 1000.0);
        flows.push(MapFlow {
            mode: "road".into(),
            from_lat: parks[a].lat,
            from_lon: parks[a].lon,
            to_lat: parks[b].lat,
            to_lon: parks[b].lon,
            material: materials[mat].into(),
            quantity: q,
            unit: "t".into(),
        });
    }
    let map = FlowMap {
        title: "By-product flows between Ordos parks".into(),
        modes: vec!["road".into()],
        parks,
        flows,
        materials: materials.iter().map(|s| s.to_string()).collect(),
    };
    (chart, map)
}

#[test]
fn utilisation_renders_png_and_svg() {
    let (chart, _) = ordos();
    let png = utilisation_png(&chart).unwrap();
    assert_eq!(ihdr_size(&png), UTILISATION_SIZE);
    let svg = utilisation_svg(&chart).unwrap();
    assert!(svg.contains(&chart.title));
    assert!(svg.contains("target 80 %"));
    for b in &chart.bars {
        assert!(svg_has_text(&svg, &b.label), "{}", b.label);
    }
    assert!(svg.contains("all solids"));
    assert!(svg.contains("48.2 Mt"));
    assert_eq!(png, utilisation_png(&chart).unwrap());
    assert_eq!(svg, utilisation_svg(&chart).unwrap());
}

#[test]
fn map_renders_png_and_svg() {
    let (_, map) = ordos();
    let png = map_png(&map).unwrap();
    assert_eq!(ihdr_size(&png), MAP_SIZE);
    let svg = map_svg(&map).unwrap();
    assert!(svg.contains(&map.title));
    for m in &map.materials {
        assert!(svg_has_text(&svg, m), "{m}");
    }
    assert!(svg.contains("Dalad Economic Development Zone"));
    assert_eq!(png, map_png(&map).unwrap());
    assert_eq!(svg, map_svg(&map).unwrap());
}

/// A zero-generation chart above a 150 % target, and one sub-block with an unlisted

#[test]
fn edge_cases_do_not_panic() {
    let empty_chart = UtilisationChart {
        title: String::new(),
        target_rate: 0.8,
        bars: vec![],
        overall_rate: 0.0,
    };
    utilisation_png(&empty_chart).unwrap();
    utilisation_svg(&empty_chart).unwrap();
    let (zero, one) = edge_inputs();
    assert!(utilisation_svg(&zero).unwrap().contains("target 150 %"));
    let empty_map = FlowMap {
        title: "empty".into(),
        modes: vec!["road".into()],
        parks: vec![],
        flows: vec![],
        materials: vec![],
    };
    map_png(&empty_map).unwrap();
    map_svg(&empty_map).unwrap();
    let svg = map_svg(&one).unwrap();
    assert!(svg_has_text(&svg, "other"));
    map_png(&one).unwrap();
}

#[test]
fn map_draws_intra_park_flows_as_donuts_with_a_legend() {
    let (_, map) = ordos();
    let svg = map_svg(&map).unwrap();
    assert!(svg_has_text(&svg, "Used within the park, per year"));
    assert!(svg_has_text(&svg, "ring area ∝ quantity,"));
    // No more rings: the only stroked circles are markers and donut outlines.
    assert!(!svg.contains("flow within a park (ring)"));
    let (_, one) = edge_inputs();
    // A zero-quantity intra-park flow draws no donut and says so.
    assert!(svg_has_text(&map_svg(&one).unwrap(), "none"));
}

/// A zero-generation chart above a 150 % target, and one sub-block with an unlisted
/// zero-quantity intra-park flow.
fn edge_inputs() -> (UtilisationChart, FlowMap) {
    let zero = UtilisationChart {
        title: "zero".into(),
        target_rate: 1.5,
        bars: vec![MaterialBar {
            label: "ash".into(),
            drawn: 0.0,
            generated: 0.0,
            utilised: 0.0,
            rate: 0.0,
            range: Some((f64::NAN, f64::INFINITY)),
        }],
        overall_rate: f64::NAN,
    };
    let one = FlowMap {
        title: "one".into(),
        modes: vec!["road".into()],
        parks: vec![MapPark {
            id: "P".into(),
            name: String::new(),
            lat: 39.0,
            lon: 109.0,
            is_block: true,
            generated: 0.0,
            landfilled: 0.0,
            dumped: 0.0,
        }],
        flows: vec![MapFlow {
            mode: "road".into(),
            from_lat: 39.0,
            from_lon: 109.0,
            to_lat: 39.0,
            to_lon: 109.0,
            material: "unlisted".into(),
            quantity: 0.0,
            unit: "t".into(),
        }],
        materials: vec![],
    };
    (zero, one)
}

/// Every sample chart: (file stem, utilisation chart, flow map).
fn samples() -> Vec<(&'static str, UtilisationChart, FlowMap)> {
    let (ordos_chart, ordos_map) = ordos();
    let (crowded_chart, crowded_map) = crowded();
    let (zero, one) = edge_inputs();
    let empty_chart = UtilisationChart {
        title: String::new(),
        target_rate: 0.8,
        bars: vec![],
        overall_rate: 0.0,
    };
    let empty_map = FlowMap {
        title: "empty".into(),
        modes: vec!["road".into()],
        parks: vec![],
        flows: vec![],
        materials: vec![],
    };
    vec![
        ("ordos", ordos_chart, ordos_map),
        ("crowded", crowded_chart, crowded_map),
        ("edge", zero, one),
        ("empty", empty_chart, empty_map),
    ]
}

/// Renders every sample chart and checks it; with `SYMBIOSIM_CHART_SAMPLES=DIR` (see the top of
/// this file) also writes them there as `{sample}_utilisation.png`, `{sample}_map.svg`, ….
#[test]
fn sample_charts() {
    let dir = std::env::var_os("SYMBIOSIM_CHART_SAMPLES").map(PathBuf::from);
    if let Some(dir) = &dir {
        std::fs::create_dir_all(dir).unwrap();
    }
    for (name, chart, map) in samples() {
        let files = [
            ("utilisation.png", utilisation_png(&chart).unwrap()),
            (
                "utilisation.svg",
                utilisation_svg(&chart).unwrap().into_bytes(),
            ),
            ("map.png", map_png(&map).unwrap()),
            ("map.svg", map_svg(&map).unwrap().into_bytes()),
        ];
        assert_eq!(ihdr_size(&files[0].1), UTILISATION_SIZE, "{name}");
        assert_eq!(ihdr_size(&files[2].1), MAP_SIZE, "{name}");
        for (kind, bytes) in &files {
            assert!(!bytes.is_empty(), "{name} {kind}");
            if kind.ends_with(".svg") {
                assert!(bytes.starts_with(b"<svg"), "{name} {kind}");
            }
            if let Some(dir) = &dir {
                let path = dir.join(format!("{name}_{kind}"));
                std::fs::write(&path, bytes).unwrap();
                eprintln!("wrote {}", path.display());
            }
        }
    }
}

#[test]
fn labels_name_stockpile_drawn_and_charts_name_the_objective_and_modes() {
    use symbiosim::analysis::evaluate;
    use symbiosim::model::Objective;
    use symbiosim::report::charts::{mode_dash, tonnes_label};
    use symbiosim::report::{map_chart_data, utilisation_chart_data};
    assert_eq!(
        tonnes_label(5.01e6, 4.65e6, 3.6e5),
        "5.01 Mt of 4.65 Mt + 360 kt drawn"
    );
    assert_eq!(tonnes_label(3e6, 4e6, 0.0), "3 Mt of 4 Mt");
    let mut region = symbiosim::scenario::load(std::path::Path::new("scenarios/ordos_2025.toml"))
        .unwrap()
        .region;
    for (objective, name) in [
        (Objective::Cost, "least cost"),
        (Objective::MaxUtilisation, "technical potential"),
    ] {
        region.settings.objective = objective;
        let r = evaluate(&region, &Default::default()).unwrap().results;
        let u = utilisation_chart_data(&region, &r);
        let m = map_chart_data(&region, &r);
        assert!(
            u.title.contains(&format!("objective: {name}")),
            "{}",
            u.title
        );
        assert!(
            m.title.contains(&format!("objective: {name}")),
            "{}",
            m.title
        );
        // Bars split new generation and stockpile drawn; their sum is what the rate divides.
        for (bar, (_, b)) in u.bars.iter().zip(r.by_material.iter()) {
            assert_eq!((bar.generated, bar.drawn), (b.generated, b.stockpile_drawn));
        }
        // Road and rail flows are both on the map, with different line patterns.
        let modes: std::collections::BTreeSet<&str> =
            m.flows.iter().map(|f| f.mode.as_str()).collect();
        let pattern = |name: &str| mode_dash(m.modes.iter().position(|x| x.starts_with(name)));
        assert!(modes.iter().any(|x| x.starts_with("Road")), "{modes:?}");
        assert!(modes.iter().any(|x| x.starts_with("Rail")), "{modes:?}");
        assert_ne!(pattern("Road"), pattern("Rail"));
    }
}

/// The tiny and Ordos scenarios' results (technical potential, as in their files).
fn evaluated(path: &str) -> (symbiosim::model::Region, symbiosim::analysis::Results) {
    let region = symbiosim::scenario::load(std::path::Path::new(path))
        .unwrap()
        .region;
    let r = symbiosim::analysis::evaluate(&region, &Default::default())
        .unwrap()
        .results;
    (region, r)
}

#[test]
fn route_chart_data_lists_solid_routes_by_kind_with_what_the_rule_counts() {
    use symbiosim::report::charts::{route_fill, RouteFill};
    use symbiosim::report::routes_chart_data;
    let (region, r) = evaluated("scenarios/tiny.toml");
    let c = routes_chart_data(&region, &r);
    let kinds: Vec<(&str, bool, bool)> = c
        .kinds
        .iter()
        .map(|k| (k.name.as_str(), k.counted, k.strict))
        .collect();
    assert_eq!(
        kinds,
        [
            ("utilisation", true, true),
            ("backfill", true, false),
            ("ecological_restoration", true, false),
            ("energy_recovery", true, true),
            ("disposal", false, false),
        ]
    );
    // Solids only (hydrogen in the note), by kind, then largest first: the hand-computed
    // 150 t of bricks and 100 t of cement (README's worked example).
    let bars: Vec<(&str, &str, bool, bool, f64)> = c
        .bars
        .iter()
        .map(|b| {
            (
                b.label.as_str(),
                b.kind.as_str(),
                b.counted,
                b.strict,
                b.tonnes,
            )
        })
        .collect();
    assert_eq!(
        bars,
        [
            ("Sintered bricks", "utilisation", true, true, 150.0),
            ("Cement blending", "utilisation", true, true, 100.0),
        ]
    );
    assert_eq!(c.notes.len(), 1);
    assert!(
        c.notes[0].contains("Fuel-cell trucks — 600 kg/yr"),
        "{:?}",
        c.notes
    );
    assert!(
        c.title.contains("accounting: china_statistical"),
        "{}",
        c.title
    );
    assert!(
        c.title.contains("objective: technical potential"),
        "{}",
        c.title
    );

    // Ordos: backfill counted by the Chinese statistical rule only (hatched); under the strict
    // rule it is not counted (pale). The bars add up to the solids routed.
    let (mut region, r) = evaluated("scenarios/ordos_2025.toml");
    let c = routes_chart_data(&region, &r);
    let backfill: Vec<_> = c.bars.iter().filter(|b| b.kind == "backfill").collect();
    assert!(backfill.len() >= 2 && backfill.iter().all(|b| b.tonnes > 0.0));
    assert!(backfill.iter().all(|b| route_fill(b) == RouteFill::Hatched));
    let kind_order: Vec<usize> = c
        .bars
        .iter()
        .map(|b| c.kinds.iter().position(|k| k.name == b.kind).unwrap())
        .collect();
    assert!(
        kind_order.windows(2).all(|w| w[0] <= w[1]),
        "{kind_order:?}"
    );
    let solid_units = ["t"];
    let routed: f64 = r
        .by_route
        .iter()
        .filter(|(_, u, _)| solid_units.contains(&u.as_str()))
        .map(|(_, _, x)| x)
        .sum();
    let drawn: f64 = c.bars.iter().map(|b| b.tonnes).sum();
    assert!((routed - drawn).abs() <= 1e-6 * routed, "{routed} {drawn}");
    assert_eq!(c.notes.len(), 2, "{:?}", c.notes);
    region.target.accounting = symbiosim::model::Accounting::strict();
    let c = routes_chart_data(&region, &r);
    assert!(c
        .bars
        .iter()
        .filter(|b| b.kind == "backfill")
        .all(|b| route_fill(b) == RouteFill::Pale));
    assert!(c.title.contains("accounting: strict"), "{}", c.title);
}

#[test]
fn route_chart_renders_deterministically_with_its_legend() {
    use symbiosim::report::charts::{routes_png, routes_svg, ROUTES_SIZE};
    use symbiosim::report::routes_chart_data;
    let (region, r) = evaluated("scenarios/ordos_2025.toml");
    let c = routes_chart_data(&region, &r);
    let png = routes_png(&c).unwrap();
    assert_eq!(ihdr_size(&png), ROUTES_SIZE);
    assert_eq!(png, routes_png(&c.clone()).unwrap());
    let svg = routes_svg(&c).unwrap();
    assert_eq!(svg, routes_svg(&c).unwrap());
    // Written with the other samples (see the top of this file).
    if let Some(dir) = std::env::var_os("SYMBIOSIM_CHART_SAMPLES").map(PathBuf::from) {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("ordos_routes.png"), &png).unwrap();
        std::fs::write(dir.join("ordos_routes.svg"), &svg).unwrap();
    }
    for s in [
        "utilisation",
        "backfill",
        "ecological restoration",
        "energy recovery",
        "disposal",
        "counted (also by the strict rate)",
        "counted by china_statistical only",
        "not counted",
        "solids used by the route, t/yr",
        "35.5 Mt",
    ] {
        assert!(svg_has_text(&svg, s), "{s}");
    }
    // Empty input still renders.
    let mut empty = c.clone();
    empty.bars.clear();
    empty.notes.clear();
    assert!(svg_has_text(
        &routes_svg(&empty).unwrap(),
        "no solids used by any route"
    ));
}

#[test]
fn map_data_holds_each_parks_landfill_and_dumping_from_the_balances() {
    use symbiosim::report::map_chart_data;
    for path in ["scenarios/tiny.toml", "scenarios/ordos_2025.toml"] {
        let (region, r) = evaluated(path);
        let m = map_chart_data(&region, &r);
        assert_eq!(m.parks.len(), region.parks.len());
        // Summed over each consolidated park's locations, the map's figures are the balances'.
        for (top, b) in &r.by_park {
            let (mut landfilled, mut dumped) = (0.0, 0.0);
            for (i, p) in m.parks.iter().enumerate() {
                if region.top_park(symbiosim::model::ParkId(i)) == *top {
                    assert!(p.landfilled >= 0.0 && p.dumped >= 0.0, "{}", p.id);
                    landfilled += p.landfilled;
                    dumped += p.dumped;
                }
            }
            let id = &region.parks[top.0].id;
            assert!(
                (landfilled - (b.disposed - b.dumped)).abs() <= 1e-6,
                "{path} {id}"
            );
            assert!((dumped - b.dumped).abs() <= 1e-6, "{path} {id}");
        }
        let dumped: f64 = m.parks.iter().map(|p| p.dumped).sum();
        assert!((dumped - r.solids.dumped).abs() <= 1e-6, "{path}");
    }
    // Ordos allows dumping in P8 only; the map's legend names both kinds of disposal, and the
    // label of a park that dumps says how much.
    let (region, r) = evaluated("scenarios/ordos_2025.toml");
    let m = map_chart_data(&region, &r);
    let p8 = region.parks.iter().position(|p| p.id == "P8").unwrap();
    let (_, b8) = r.by_park.iter().find(|(p, _)| p.0 == p8).unwrap();
    assert!(b8.dumped > 5e6, "{}", b8.dumped);
    for (i, p) in m.parks.iter().enumerate() {
        if region.top_park(symbiosim::model::ParkId(i)).0 != p8 {
            assert_eq!(p.dumped, 0.0, "{}", p.id);
        }
    }
    let svg = map_svg(&m).unwrap();
    for s in [
        "Disposed at the park, per year",
        "disposed (landfill)",
        "dumped (non-compliant)",
    ] {
        assert!(svg_has_text(&svg, s), "{s}");
    }
    assert!(svg.contains("; dumped "), "no park label names its dumping");
    // Tiny dumps nothing: the legend says so.
    let (region, r) = evaluated("scenarios/tiny.toml");
    let svg = map_svg(&map_chart_data(&region, &r)).unwrap();
    assert!(svg_has_text(&svg, "dumped (non-compliant): none"));
    assert!(!svg.contains("; dumped "));
}
