//! The chart renderers through the public API only: valid PNG headers, SVG text, determinism.

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
                generated: 4.82e7,
                utilised: 3.04e7,
                rate: 0.63,
            },
            MaterialBar {
                label: "gypsum".into(),
                generated: 1.0e6,
                utilised: 1.2e6,
                rate: 1.2,
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
    };
    let flow = |a: (f64, f64), b: (f64, f64), material: &str, quantity: f64| MapFlow {
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
            generated: 1e6 * (i + 1) as f64,
            utilised: 5e5 * (i + 1) as f64,
            rate: 0.5,
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
        })
        .chain(std::iter::once(MapPark {
            id: "P7".into(),
            name: "Shanghaimiao".into(),
            lat: 38.25,
            lon: 106.7,
            is_block: false,
            generated: 6.6e6,
        }))
        .collect();
    let mut flows = Vec::new();
    for (k, m) in materials.iter().enumerate() {
        let a = &parks[k % parks.len()];
        let b = &parks[(k * 5 + 1) % parks.len()];
        for (p, q) in [(a, b), (a, a)] {
            flows.push(MapFlow {
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
