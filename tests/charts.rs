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
