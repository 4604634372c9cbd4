//! Bad input: every problem reported at once, each with file, line, column and field.

mod common;

use common::{errors, line_of};
use std::path::Path;
use symbiosim::scenario::{self, diag::Diagnostic, ScenarioError};

const TINY: &str = include_str!("../scenarios/tiny.toml");

fn replace_nth(text: &str, from: &str, to: &str, nth: usize) -> String {
    let start = text.match_indices(from).nth(nth).expect(from).0;
    format!("{}{}{}", &text[..start], to, &text[start + from.len()..])
}

#[test]
fn unknown_park_is_located_on_its_value() {
    let text = replace_nth(TINY, "park = \"B\"", "park = \"P9\"", 0);
    let d = errors(&text);
    assert_eq!(d.len(), 1, "{d:?}");
    let line = line_of(&text, "park = \"P9\"", 0);
    assert_eq!((d[0].line, d[0].column), (line, 8));
    assert_eq!(d[0].field, "producers[1].park");
    assert_eq!(d[0].to_string(), format!("bad.toml:{line}:8: producers[1].park: producer \"pb-ash\" names park \"P9\", which does not exist (known: A, B)"));
}

#[test]
fn every_problem_is_reported_together() {
    let mut text = replace_nth(TINY, "quantity = 100.0", "quantity = -5.0", 0);
    text = replace_nth(&text, "material = \"gangue\"", "material = \"slag\"", 0);
    text = replace_nth(
        &text,
        "route = \"sintered_bricks\"",
        "route = \"bricks\"",
        0,
    );
    text = replace_nth(&text, "rate = 0.80", "rate = 1.5", 0);
    let d = errors(&text);
    let fields: Vec<&str> = d.iter().map(|x| x.field.as_str()).collect();
    assert_eq!(
        fields,
        vec![
            "target.rate",
            "producers[0].quantity",
            "producers[2].material",
            "consumers[1].route"
        ],
        "{d:?}"
    );
    // Sorted by position in the file.
    assert!(d.windows(2).all(|w| w[0].line < w[1].line));
    assert!(d[1].message.contains("must not be negative"));
}

#[test]
fn unknown_field_is_rejected_with_its_line() {
    let text = replace_nth(
        TINY,
        "reclaim_cost_yuan_per_unit = 2.0",
        "reclaim_cost = 2.0",
        0,
    );
    let d = errors(&text);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].line, line_of(&text, "reclaim_cost = 2.0", 0));
    assert!(
        d[0].message.contains("unknown field `reclaim_cost`"),
        "{}",
        d[0].message
    );
    assert_eq!(
        (d[0].column, d[0].field.as_str()),
        (1, "producers[2].reclaim_cost")
    );
}

#[test]
fn missing_field_names_its_table() {
    let text = replace_nth(TINY, "quantity = 60.0\n", "", 0);
    let d = errors(&text);
    assert_eq!(d.len(), 1);
    assert!(
        d[0].message.contains("missing field `quantity`"),
        "{}",
        d[0]
    );
    assert!(d[0].field.starts_with("producers[1]"), "{}", d[0]);
}

#[test]
fn nan_and_infinity_are_errors() {
    let text = replace_nth(TINY, "quantity = 60.0", "quantity = nan", 0);
    let text = replace_nth(&text, "capacity = 150.0", "capacity = inf", 0);
    let d = errors(&text);
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!(d[0].field, "producers[1].quantity");
    assert!(d[0].message.contains("finite"));
    assert_eq!(d[1].field, "consumers[1].capacity");
}

#[test]
fn values_that_overflow_the_solver_are_errors() {
    // (1e14: under the cap of 1e15 for a quantity, over 2^40 flow units at resolution 1.)
    let text = replace_nth(TINY, "quantity = 100.0", "quantity = 1e14", 0);
    let d = errors(&text);
    // Blamed on the producer alone: the total overflows only because of it.
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].field, "producers[0].quantity");
    assert!(d[0].message.contains("above the solver's limit"), "{d:?}");
    assert!(d[0].message.contains("1e14"), "{d:?}");
    // A total that overflows while every producer fits is blamed on the resolution.
    let text = TINY.replace(
        "same_park_km = 5.0",
        "same_park_km = 5.0\nquantity_resolution = 2e-10",
    );
    let text = replace_nth(&text, "quantity = 1000.0", "quantity = 100.0", 0);
    let text = replace_nth(&text, "capacity = 600.0", "capacity = 100.0", 0);
    let d = errors(&text);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].field, "settings.quantity_resolution", "{d:?}");
}

#[test]
fn duplicate_ids_and_bad_grades() {
    let text = replace_nth(TINY, "id = \"pb-ash\"", "id = \"pa-ash\"", 0);
    let text = replace_nth(&text, "grade = \"II\"", "grade = \"IV\"", 0);
    let d = errors(&text);
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(d[0].message.contains("duplicate producer id \"pa-ash\""));
    assert!(d[1].message.contains("grade \"IV\" is not a grade"));
}

#[test]
fn syntax_errors_are_located() {
    let text = replace_nth(TINY, "year = 2025", "year = = 2025", 0);
    let d = errors(&text);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].line, line_of(&text, "year = = 2025", 0));
}

#[test]
fn hydrogen_cannot_be_a_solids_target() {
    let text = replace_nth(
        TINY,
        "scope = \"solids\"",
        "scope = \"material:hydrogen\"",
        0,
    );
    let d = errors(&text);
    assert_eq!(d.len(), 1);
    assert!(d[0].message.contains("not a solid material"));
}

#[test]
fn csv_errors_name_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("producers.csv"),
        "id,park,material,quantity,attr:al2o3\nx1,A,fly_ash,10,0.4\nx2,Q,fly_ash,abc,0.3\n",
    )
    .unwrap();
    let text = TINY.replace(
        "[settings]",
        "[tables]\nproducers = \"producers.csv\"\n\n[settings]",
    );
    let err = scenario::load_str("bad.toml", &text, dir.path()).unwrap_err();
    let d = err.diagnostics();
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(d[0].file.ends_with("producers.csv"));
    assert_eq!(
        (d[0].line, d[0].column, d[0].field.as_str()),
        (3, 4, "park")
    );
    assert!(d[0].message.contains("names park \"Q\""));
    assert_eq!(
        (d[1].line, d[1].column, d[1].field.as_str()),
        (3, 14, "quantity")
    );
    assert!(d[1].message.contains("`abc` is not a number"));
}

#[test]
fn csv_tables_extend_the_inline_lists() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("producers.csv"),
        "id,park,material,quantity,grade\nx1,A,fly_ash,10,I\n",
    )
    .unwrap();
    let text = TINY.replace(
        "[settings]",
        "[tables]\nproducers = \"producers.csv\"\n\n[settings]",
    );
    let l = scenario::load_str("ok.toml", &text, dir.path()).unwrap();
    assert_eq!(l.region.producers.len(), 5);
    assert_eq!(l.region.producers[4].id, "x1");
    assert_eq!(l.files.len(), 2);
}

#[test]
fn structural_errors_in_several_items_are_reported_together() {
    let text = replace_nth(
        TINY,
        "reclaim_cost_yuan_per_unit = 2.0",
        "reclaim_cost = 2.0",
        0,
    );
    let text = replace_nth(&text, "quantity = 100.0", "quantity = \"lots\"", 0);
    let text = replace_nth(
        &text,
        "capacity = 150.0",
        "capacity = 150.0\ncolour = \"red\"",
        0,
    );
    let d = errors(&text);
    let got: Vec<(usize, &str)> = d.iter().map(|x| (x.line, x.field.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (
                line_of(&text, "quantity = \"lots\"", 0),
                "producers[0].quantity"
            ),
            (
                line_of(&text, "reclaim_cost = 2.0", 0),
                "producers[2].reclaim_cost"
            ),
            (line_of(&text, "colour = \"red\"", 0), "consumers[1].colour"),
        ],
        "{d:?}"
    );
}

#[test]
fn units_follow_the_material_class() {
    let text = replace_nth(
        TINY,
        "storage_cost_yuan_per_unit = 10.0",
        "storage_cost_yuan_per_unit = 10.0\nunit = \"kg\"",
        0,
    );
    let text = replace_nth(
        &text,
        "unit = \"kg\"\n\n[[routes]]",
        "unit = \"t\"\n\n[[routes]]",
        0,
    );
    let d = errors(&text);
    assert_eq!(d.len(), 3, "{d:?}");
    assert!(d[0].message.contains("solid materials are measured in t"));
    assert!(d[1].message.contains("hydrogen is measured in kg"));
    assert!(d[2].message.contains("mixes units"));
}

#[test]
fn every_overflowing_value_is_located() {
    let text = replace_nth(TINY, "capacity = 150.0", "capacity = 1e300", 0);
    let text = replace_nth(
        &text,
        "gate_price_yuan_per_unit = 20.0",
        "gate_price_yuan_per_unit = 1e14",
        0,
    );
    let text = replace_nth(
        &text,
        "storage_cost_yuan_per_unit = 25.0",
        "storage_cost_yuan_per_unit = 1e15",
        0,
    );
    let d = errors(&text);
    let fields: Vec<&str> = d.iter().map(|x| x.field.as_str()).collect();
    // The bricks' gangue limit is a share (0.8) of that capacity, computed per run from the
    // capacity in force: only the capacity is blamed.
    assert_eq!(
        fields,
        vec![
            "materials[0].storage_cost_yuan_per_unit",
            "consumers[1].capacity",
            "consumers[2].accepts[0].gate_price_yuan_per_unit"
        ],
        "{d:?}"
    );
}

#[test]
fn duplicate_distances_are_rejected() {
    let text = TINY.replace(
        "[[producers]]\nid = \"pa-ash\"",
        "[[distances]]\nfrom = \"B\"\nto = \"A\"\nkm = 60.0\n\n[[producers]]\nid = \"pa-ash\"",
    );
    let d = errors(&text);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].message.contains("already given"));
}

#[test]
fn csv_header_errors_stop_before_knock_on_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("parks.csv"),
        "id,name,short_name,lat,lon,colour\nC,Park C,C,39.7,110.0,red\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("producers.csv"),
        "id,park,material,quantity\nx1,C,gangue,\n",
    )
    .unwrap();
    let text = TINY.replace(
        "[settings]",
        "[tables]\nparks = \"parks.csv\"\nproducers = \"producers.csv\"\n\n[settings]",
    );
    let err = scenario::load_str("t.toml", &text, dir.path()).unwrap_err();
    let d = err.diagnostics();
    // The unknown column and the empty required cell; no "park C does not exist".
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!(
        (d[0].line, d[0].column, d[0].field.as_str()),
        (1, 28, "colour")
    );
    assert_eq!((d[1].line, d[1].field.as_str()), (2, "quantity"));
    // With the header fixed, short_name is a known column and park C resolves.
    std::fs::write(
        dir.path().join("parks.csv"),
        "id,name,short_name,lat,lon\nC,Park C,C,39.7,110.0\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("producers.csv"),
        "id,park,material,quantity\nx1,C,gangue,5\n",
    )
    .unwrap();
    let l = scenario::load_str("t.toml", &text, dir.path()).unwrap();
    assert_eq!(l.region.parks[2].short_name, "C");
}

/// The diagnostics of `text`, which must be invalid, as `field: message` lines.
fn fields(d: &[Diagnostic]) -> Vec<&str> {
    d.iter().map(|x| x.field.as_str()).collect()
}

#[test]
fn duplicate_accepts_are_an_error_naming_both_locations() {
    let text = TINY.replace(
        "  { material = \"fly_ash\", max = 30.0 },\n",
        "  { material = \"fly_ash\", max = 30.0 },\n  { material = \"fly_ash\", max = 30.0 },\n",
    );
    let d = errors(&text);
    assert_eq!(
        fields(&d),
        vec!["consumers[1].accepts[2].material"],
        "{d:?}"
    );
    let first = line_of(&text, "{ material = \"fly_ash\", max = 30.0 }", 0);
    assert_eq!(d[0].line, first + 1);
    assert!(
        d[0].message
            .contains(&format!("twice (first at bad.toml:{first}:16)")),
        "{d:?}"
    );
    // The same in a consumers table: two rows of one consumer.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("consumers.csv"),
        "id,park,route,capacity,material,max\nkiln,A,cement_blending,50,gangue,10\nkiln,,,,fly_ash,5\nkiln,,,,gangue,10\n",
    )
    .unwrap();
    let text = TINY.replace(
        "[settings]",
        "[tables]\nconsumers = \"consumers.csv\"\n\n[settings]",
    );
    let err = scenario::load_str("t.toml", &text, dir.path()).unwrap_err();
    let d = err.diagnostics();
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].file.ends_with("consumers.csv"));
    assert_eq!(
        (d[0].line, d[0].column, d[0].field.as_str()),
        (4, 9, "material")
    );
    assert!(d[0].message.contains("consumers.csv:2:27)"), "{d:?}");
}

#[test]
fn ids_and_references_with_surrounding_whitespace_are_errors() {
    let text = replace_nth(TINY, "id = \"pb-ash\"", "id = \"pa-ash \"", 0);
    let d = errors(&text);
    assert_eq!(fields(&d), vec!["producers[1].id"], "{d:?}");
    assert_eq!(d[0].line, line_of(&text, "id = \"pa-ash \"", 0));
    assert!(d[0].message.contains("whitespace"), "{d:?}");
    // A reference: a park named with a trailing space, a route in the policy.
    let text = replace_nth(TINY, "park = \"B\"", "park = \" B\"", 0);
    let text = text.replace(
        "same_park_km = 5.0",
        "same_park_km = 5.0\n\n[policy]\nroute_subsidy_yuan_per_unit = { \"cement_blending \" = 5.0 }",
    );
    let d = errors(&text);
    assert_eq!(
        fields(&d),
        vec![
            "policy.route_subsidy_yuan_per_unit.cement_blending ",
            "producers[1].park"
        ],
        "{d:?}"
    );
    assert!(d.iter().all(|x| x.message.contains("whitespace")), "{d:?}");
}

#[test]
fn values_the_solver_cannot_take_are_caught_by_validation_on_their_own_field() {
    // (replacement, field blamed, a number the message must print readably)
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "quantity = 100.0",
            "quantity = 100.0\ngrowth_rate = 50.0\nbase_year = 1900",
            "producers[0].growth_rate",
            "e215",
        ),
        (
            "cost_yuan_per_unit_km = 0.4",
            "cost_yuan_per_unit_km = 1e308",
            "transport[0].cost_yuan_per_unit_km",
            "1e308",
        ),
        (
            "co2_kg_per_unit_km = 0.1",
            "co2_kg_per_unit_km = 1e308",
            "transport[0].co2_kg_per_unit_km",
            "1e308",
        ),
        (
            "processing_cost_yuan_per_unit = 10.0",
            "processing_cost_yuan_per_unit = 1e200",
            "consumers[0].processing_cost_yuan_per_unit",
            "1e200",
        ),
    ];
    for (from, to, field, shown) in cases {
        let text = replace_nth(TINY, from, to, 0);
        let d = errors(&text);
        assert_eq!(fields(&d), vec![*field], "{to}: {d:?}");
        let needle = to.lines().nth(1).unwrap_or(to);
        assert_eq!(d[0].line, line_of(&text, needle, 0), "{d:?}");
        assert!(d[0].message.contains(shown), "{d:?}");
        assert!(d[0].message.len() < 400, "{d:?}");
    }
}

#[test]
fn overflows_are_blamed_on_the_field_that_causes_them() {
    // A reclaim cost alone: not the transport modes.
    let text = replace_nth(
        TINY,
        "reclaim_cost_yuan_per_unit = 2.0",
        "reclaim_cost_yuan_per_unit = 2e9",
        0,
    );
    let d = errors(&text);
    assert_eq!(
        fields(&d),
        vec!["producers[2].reclaim_cost_yuan_per_unit"],
        "{d:?}"
    );
    // A huge carbon price: not a gate price.
    let policy = "same_park_km = 5.0\n\n[policy]\ncarbon_price_yuan_per_t = 1e12";
    let d = errors(&TINY.replace("same_park_km = 5.0", policy));
    assert_eq!(fields(&d), vec!["policy.carbon_price_yuan_per_t"], "{d:?}");
    // A carbon price that fits alone but not times a CO2 factor: the larger factor.
    let text = TINY.replace(
        "same_park_km = 5.0",
        "same_park_km = 5.0\n\n[policy]\ncarbon_price_yuan_per_t = 1e8",
    );
    let text = replace_nth(
        &text,
        "co2_avoided_t_per_unit = 0.78",
        "co2_avoided_t_per_unit = 1e9",
        0,
    );
    let d = errors(&text);
    assert_eq!(
        fields(&d),
        vec!["consumers[0].co2_avoided_t_per_unit"],
        "{d:?}"
    );
    // A transport multiplier that makes the haul too costly.
    let text = TINY.replace(
        "same_park_km = 5.0",
        "same_park_km = 5.0\n\n[policy]\ntransport_cost_multiplier = 1e11",
    );
    let d = errors(&text);
    assert_eq!(
        fields(&d),
        vec!["policy.transport_cost_multiplier"],
        "{d:?}"
    );
    // A negative share: its range only, no knock-on "intake limit overflows".
    let d = errors(&replace_nth(TINY, "max_share = 0.8", "max_share = -1e9", 0));
    assert_eq!(
        fields(&d),
        vec!["consumers[1].accepts[0].max_share"],
        "{d:?}"
    );
    assert!(d[0].message.contains("-1e9"), "{d:?}");
}

#[test]
fn a_scenario_without_producers_is_a_located_problem() {
    // Truncated after the distances: no [[producers]] at all.
    let cut = TINY.find("[[producers]]").unwrap();
    let text = &TINY[..cut];
    let d = errors(text);
    assert_eq!(fields(&d), vec!["producers"], "{d:?}");
    assert_eq!(d[0].line, text.lines().count() + 1);
    assert!(d[0].message.contains("no producers"), "{d:?}");
}

#[test]
fn tables_that_are_not_ours_are_never_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "root:x:0:0:root:/root:/bin/bash\n";
    std::fs::write(dir.path().join("passwd"), secret).unwrap();
    std::fs::write(dir.path().join("passwd.csv"), secret).unwrap();
    let sub = dir.path().join("s");
    std::fs::create_dir(&sub).unwrap();
    for (table, field) in [
        ("../passwd", "tables.parks"),
        ("../passwd.csv", "header"),
        ("passwd.csv", "header"),
    ] {
        let text = TINY.replace(
            "[settings]",
            &format!("[tables]\nparks = \"{table}\"\n\n[settings]"),
        );
        let _ = std::fs::copy(dir.path().join("passwd.csv"), sub.join("passwd.csv"));
        let err = scenario::load_str("t.toml", &text, &sub).unwrap_err();
        let shown = err.to_string();
        assert!(!shown.contains("root:x"), "{table}: {shown}");
        assert!(!shown.contains("/bin/bash"), "{table}: {shown}");
        assert!(
            err.diagnostics().iter().any(|d| d.field == field),
            "{table}: {shown}"
        );
    }
    // A table of ours still names its unknown column.
    std::fs::write(
        sub.join("parks.csv"),
        "id,name,lat,lon,colour\nC,C,39,110,red\n",
    )
    .unwrap();
    let text = TINY.replace(
        "[settings]",
        "[tables]\nparks = \"parks.csv\"\n\n[settings]",
    );
    let err = scenario::load_str("t.toml", &text, &sub).unwrap_err();
    assert_eq!(err.diagnostics()[0].field, "colour", "{err}");
}

#[test]
fn inputs_over_their_caps_are_refused_at_once() {
    // An endless file: read up to its cap only, then a located problem naming it and the cap.
    let t = std::time::Instant::now();
    let err = scenario::load(Path::new("/dev/zero")).unwrap_err();
    let d = err.diagnostics();
    assert_eq!(d.len(), 1, "{err}");
    assert_eq!(
        (d[0].file.as_str(), d[0].line, d[0].column),
        ("/dev/zero", 1, 1)
    );
    assert!(d[0].message.contains("16 MiB"), "{err}");
    assert!(t.elapsed().as_secs() < 20);
    // Too many transport modes.
    let mode = "[[transport]]\nid = \"m{i}\"\ncost_yuan_per_unit_km = 0.4\nmax_km = 100.0\n\n";
    let many: String = (0..=scenario::caps::MODES)
        .map(|i| mode.replace("{i}", &i.to_string()))
        .collect();
    let text = TINY.replace("[[distances]]", &format!("{many}[[distances]]"));
    let d = errors(&text);
    assert_eq!(fields(&d), vec!["transport"], "{d:?}");
    assert!(d[0].message.contains("cap of 64"), "{d:?}");
    // A table with more rows than its cap stops at the first row over it.
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("id,name,lat,lon\n");
    for i in 0..=scenario::caps::PARKS {
        csv.push_str(&format!("p{i},P,39,110\n"));
    }
    std::fs::write(dir.path().join("parks.csv"), csv).unwrap();
    let text = TINY.replace(
        "[settings]",
        "[tables]\nparks = \"parks.csv\"\n\n[settings]",
    );
    let err = scenario::load_str("t.toml", &text, dir.path()).unwrap_err();
    let d = err.diagnostics();
    assert!(
        d.iter()
            .any(|x| x.line == scenario::caps::PARKS + 2 && x.message.contains("cap")),
        "{d:?}"
    );
}

#[test]
fn suspicious_input_gives_located_warnings() {
    let ok = scenario::load_str("ok.toml", TINY, Path::new("scenarios")).unwrap();
    assert!(ok.warnings.is_empty(), "{:?}", ok.warnings);
    // Park B's fly ash is 50 km from the cement plant (park A), beyond a 40 km road; the
    // bricks plant in B is in reach of it, but no longer takes fly ash.
    let text = replace_nth(TINY, "max_km = 100.0", "max_km = 40.0", 0);
    let text = text.replace("  { material = \"fly_ash\", max = 30.0 },\n", "");
    let text = replace_nth(&text, "rate = 0.80", "rate = 0.0", 0);
    let l = scenario::load_str("w.toml", &text, Path::new("scenarios")).unwrap();
    let w: Vec<(&str, usize)> = l
        .warnings
        .iter()
        .map(|x| (x.field.as_str(), x.line))
        .collect();
    let pb = line_of(&text, "id = \"pb-ash\"", 0);
    assert_eq!(
        w,
        vec![
            ("producers[1].park", pb + 1),
            ("target.rate", line_of(&text, "rate = 0.0", 0))
        ],
        "{:?}",
        l.warnings
    );
    assert!(
        l.warnings[0].message.contains("50.0 km"),
        "{:?}",
        l.warnings
    );
}

#[test]
fn accounting_and_route_kind_errors_are_located() {
    // An unknown route kind, an unknown rule, and a kind in `counts` that does not exist.
    let text = replace_nth(TINY, "kind = \"utilisation\"", "kind = \"landfill\"", 1);
    let text = replace_nth(
        &text,
        "scope = \"solids\"",
        "scope = \"solids\"\naccounting = \"lenient\"",
        0,
    );
    let d = errors(&text);
    assert_eq!(
        fields(&d),
        vec!["target.accounting", "routes[1].kind"],
        "{d:?}"
    );
    let line = line_of(&text, "accounting = \"lenient\"", 0);
    assert_eq!((d[0].line, d[0].column), (line, 14));
    assert!(
        d[0].message.contains("unknown accounting rule \"lenient\""),
        "{d:?}"
    );
    assert_eq!(d[1].line, line_of(&text, "kind = \"landfill\"", 0));
    assert!(
        d[1].message.contains("unknown route kind \"landfill\"")
            && d[1].message.contains("ecological_restoration"),
        "{d:?}"
    );

    // `counts` with an unknown kind; `accounting` and `counts` together.
    let text = replace_nth(
        TINY,
        "scope = \"solids\"",
        "scope = \"solids\"\ncounts = [\"utilisation\", \"pit\"]",
        0,
    );
    let d = errors(&text);
    assert_eq!(fields(&d), vec!["target.counts"], "{d:?}");
    assert_eq!(d[0].line, line_of(&text, "counts = [", 0));
    assert!(d[0].message.contains("unknown route kind \"pit\""), "{d:?}");
    let text = replace_nth(
        TINY,
        "scope = \"solids\"",
        "scope = \"solids\"\naccounting = \"strict\"\ncounts = [\"utilisation\"]",
        0,
    );
    let d = errors(&text);
    assert_eq!(fields(&d), vec!["target.counts"], "{d:?}");
    assert!(d[0].message.contains("not both"), "{d:?}");

    // A misspelt policy switch is an unknown field, located.
    let text = replace_nth(
        TINY,
        "[[parks]]",
        "[policy]\nallow_dump = true\n\n[[parks]]",
        0,
    );
    let d = errors(&text);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].line, line_of(&text, "allow_dump = true", 0));
}

const NESTED: &str = include_str!("../scenarios/nested.toml");

#[test]
fn load_factors_out_of_range_are_located() {
    let text = replace_nth(NESTED, "load_factor = 0.5", "load_factor = 1.5", 0);
    let text = replace_nth(
        &text,
        "capacity = 100.0\ngroups",
        "capacity = 100.0\nload_factor = -0.1\ngroups",
        0,
    );
    let d = errors(&text);
    let fields: Vec<&str> = d.iter().map(|x| x.field.as_str()).collect();
    assert_eq!(
        fields,
        vec!["routes[1].load_factor", "consumers[0].load_factor"],
        "{d:?}"
    );
    assert_eq!(d[0].line, line_of(&text, "load_factor = 1.5", 1));
    assert!(
        d[0].message.contains("must lie in [0, 1], got 1.5"),
        "{d:?}"
    );
}

#[test]
fn group_errors_are_located() {
    // An unknown group on an accepts entry, named with the groups the consumer defines.
    let text = replace_nth(NESTED, "group = \"mixed\" }", "group = \"mixd\" }", 1);
    let d = errors(&text);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].field, "consumers[0].accepts[1].group");
    assert!(
        d[0].message
            .contains("names group \"mixd\", which it does not define (known: \"mixed\")"),
        "{d:?}"
    );
    // A group with no limit, and a second group of the same id with no member.
    let text = replace_nth(
        NESTED,
        "groups = [{ id = \"mixed\", max_share = 0.6 }]",
        "groups = [{ id = \"mixed\" }, { id = \"mixed\", max = 5.0 }]",
        0,
    );
    let d = errors(&text);
    let got: Vec<(&str, &str)> = d
        .iter()
        .map(|x| (x.field.as_str(), x.message.as_str()))
        .collect();
    assert_eq!(d.len(), 2, "{got:?}");
    assert_eq!(d[0].field, "consumers[0].groups[0].id");
    assert!(
        d[0].message.contains("has no limit; give max or max_share"),
        "{got:?}"
    );
    assert_eq!(d[1].field, "consumers[0].groups[1].id");
    assert!(
        d[1].message.contains("duplicate intake group id \"mixed\""),
        "{got:?}"
    );
    // Ranges of the group's limits.
    let text = replace_nth(
        NESTED,
        "max_share = 0.6 }",
        "max_share = 1.6, max = -1 }",
        0,
    );
    let d = errors(&text);
    let fields: Vec<&str> = d.iter().map(|x| x.field.as_str()).collect();
    assert_eq!(
        fields,
        vec![
            "consumers[0].groups[0].max_share",
            "consumers[0].groups[0].max"
        ],
        "{d:?}"
    );
    // A group no accepts entry names.
    let text = replace_nth(NESTED, ", group = \"mixed\" }", " }", 0);
    let text = replace_nth(&text, ", group = \"mixed\" }", " }", 0);
    let d = errors(&text);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].field, "consumers[0].groups[0].id");
    assert!(d[0].message.contains("has no member"), "{d:?}");
    // A group is not a field of the CSV table, and an unknown field is an error.
    let text = replace_nth(
        NESTED,
        "max_share = 0.6 }",
        "max_share = 0.6, members = [] }",
        0,
    );
    let d = errors(&text);
    assert_eq!(d.len(), 1, "{d:?}");
}

#[test]
fn a_bad_load_factor_cell_is_located_in_its_table() {
    let dir = std::env::temp_dir().join(format!("symbiosim-lf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("consumers.csv"),
        "id,park,route,capacity,load_factor,material\nc2,A,sintered_bricks,10,2,gangue\n",
    )
    .unwrap();
    let text = format!("{NESTED}\n[tables]\nconsumers = \"consumers.csv\"\n");
    let d = match scenario::load_str("bad.toml", &text, &dir) {
        Err(ScenarioError::Invalid(d)) => d.0,
        other => panic!("should be invalid: {other:?}"),
    };
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].file.ends_with("consumers.csv"), "{d:?}");
    assert_eq!((d[0].line, d[0].field.as_str()), (2, "load_factor"));
    assert!(d[0].message.contains("must lie in [0, 1], got 2"), "{d:?}");
}

/// A column given twice in a CSV header (issue #19, item 14) is refused on line 1 at its
/// second copy, naming both positions; before, the first copy was read silently.
#[test]
fn a_csv_column_given_twice_is_refused_with_both_positions() {
    let dir = tempfile::tempdir().unwrap();
    let text = TINY.replace(
        "[settings]",
        "[tables]\nproducers = \"producers.csv\"\nconsumers = \"consumers.csv\"\n\n[settings]",
    );
    std::fs::write(
        dir.path().join("producers.csv"),
        "id,park,material,quantity,quantity\nx1,A,gangue,5,7\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("consumers.csv"),
        "id,park,route,capacity,material,material\nc1,A,sintered_bricks,10,gangue,fly_ash\n",
    )
    .unwrap();
    let err = scenario::load_str("t.toml", &text, dir.path()).unwrap_err();
    let d = err.diagnostics();
    let p = dir.path().join("producers.csv").display().to_string();
    let c = dir.path().join("consumers.csv").display().to_string();
    let dup = |file: &str| {
        d.iter()
            .find(|x| x.file == file)
            .unwrap_or_else(|| panic!("{d:?}"))
    };
    let q = dup(&p);
    assert_eq!((q.line, q.column, q.field.as_str()), (1, 27, "quantity"));
    assert_eq!(
        q.message,
        format!("column `quantity` is given twice in the header, as columns 4 and 5 ({p}:1:18 and {p}:1:27); give it once")
    );
    let m = dup(&c);
    assert_eq!((m.line, m.column, m.field.as_str()), (1, 33, "material"));
    assert!(m.message.contains("as columns 5 and 6"), "{}", m.message);
    assert_eq!(d.len(), 2, "{d:?}");
}

/// Issue #19, item 8: one message per bad reference used to echo every known id in full (500
/// references to 12 ids of 100 kB gave 600 MB). Long ids are cut to 40 characters with their
/// length, lists of known ids to 12 names, and at most 100 problems are printed, the rest
/// counted.
#[test]
fn long_ids_lists_and_many_problems_are_shortened() {
    let long = |i: usize| format!("{i:02}{}", "p".repeat(10_000));
    let mut text = TINY.to_string();
    for i in 0..12 {
        text.push_str(&format!(
            "\n[[parks]]\nid = \"{}\"\nname = \"x\"\nlat = 39.0\nlon = 110.0\n",
            long(i)
        ));
    }
    for i in 0..150 {
        text.push_str(&format!(
            "\n[[producers]]\nid = \"bad{i}\"\npark = \"{}{i}\"\nmaterial = \"gangue\"\nquantity = 1.0\n",
            "q".repeat(20_000)
        ));
    }
    let err = scenario::load_str("bad.toml", &text, Path::new(".")).unwrap_err();
    let d = err.diagnostics();
    assert_eq!(d.len(), 150, "{}", d.len());
    for x in d {
        // 14 parks known: no list (over 12), the reference cut to 40 characters.
        assert!(
            x.message.len() < 400,
            "{} bytes: {}",
            x.message.len(),
            &x.message[..200]
        );
        let cut = format!("names park \"{}…(2000", "q".repeat(40));
        assert!(x.message.contains(&cut), "{}", x.message);
    }
    let shown = err.to_string();
    assert_eq!(shown.lines().count(), 101, "{}", &shown[..500]);
    assert_eq!(
        shown.lines().last(),
        Some("… and 50 more problems (the first 100 are shown)")
    );
    assert!(shown.len() < 100 * 400, "{}", shown.len());
    // With at most 12 ids known, each is listed, cut to 40 characters.
    let few: String = (0..10)
        .map(|i| {
            format!(
                "\n[[parks]]\nid = \"{}\"\nname = \"x\"\nlat = 39.0\nlon = 110.0\n",
                long(i)
            )
        })
        .collect();
    let text = format!("{TINY}{few}").replacen("park = \"B\"", "park = \"P9\"", 1);
    let d = errors(&text);
    assert_eq!(d.len(), 1, "{d:?}");
    let m = &d[0].message;
    assert!(
        m.contains(&format!(", {}…(10002 bytes)", &long(3)[..40])),
        "{m}"
    );
    assert!(m.len() < 12 * 70 + 200, "{}", m.len());
}

/// Issue #19, item 17: ids with terminal escape sequences were echoed raw (`validate` could
/// retitle or clear the terminal). Every message escapes control characters (C0, DEL, C1,
/// bidirectional controls, zero-width characters) as `\u{…}`, and ids holding one are
/// refused (look-alike ids).
#[test]
fn control_characters_are_escaped_and_refused_in_ids() {
    let text = TINY
        .replacen(
            "park = \"B\"",
            "park = \"B\\u001b]0;pwned\\u0007\\u001b[2J\"",
            1,
        )
        .replacen("id = \"pa-ash\"", "id = \"pa\\u200bash\\u202e\"", 1)
        .replacen("id = \"bricks\"", "id = \"bri\\u009bc\\nks\"", 1);
    let err = scenario::load_str("bad.toml", &text, Path::new(".")).unwrap_err();
    let shown = err.to_string();
    for c in ['\u{1b}', '\u{7}', '\u{200b}', '\u{202e}', '\u{9b}'] {
        assert!(!shown.contains(c), "raw {c:?} in\n{shown}");
    }
    assert!(
        shown.contains(r#"names park "B\u{1b}]0;pwned\u{7}\u{1b}[2J", which does not exist"#),
        "{shown}"
    );
    assert!(
        shown.contains(r#"producer id "pa\u{200b}ash\u{202e}" holds the invisible or control character U+200B at character 3; ids are visible text"#),
        "{shown}"
    );
    assert!(shown.contains(r#"consumer id "bri\u{9b}c\u{a}ks" holds the invisible or control character U+009B at character 4"#), "{shown}");
    // One problem per line: the newline in the id is escaped too.
    assert_eq!(shown.lines().count(), err.diagnostics().len(), "{shown}");
}

/// Ids holding any invisible format character (zero-width, joiners, word joiner and the
/// invisible operators, byte order mark, bidirectional controls and isolates, soft hyphen,
/// variation selectors) are refused: each would make a second id that looks like the first
/// (issue #19).
#[test]
fn ids_holding_invisible_format_characters_are_refused() {
    for c in [
        0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2060, 0x2061, 0x2064, 0xfeff, 0x202a, 0x202e,
        0x2066, 0x2069, 0xad, 0x34f, 0xfe0f,
    ] {
        let text = TINY.replacen("id = \"pa-ash\"", &format!("id = \"pa\\u{c:04x}ash\""), 1);
        let d = errors(&text);
        let want = format!("holds the invisible or control character U+{c:04X} at character 3");
        assert!(
            d.iter()
                .any(|x| x.field.ends_with(".id") && x.message.contains(&want)),
            "U+{c:04X}: {d:?}"
        );
    }
}

/// Two ids of one kind that are equal after Unicode normalisation (NFC: `é` as one code point
/// and as `e` with a combining accent) were accepted as distinct; the second is refused,
/// naming both with their code points and places (issue #19).
#[test]
fn ids_equal_after_nfc_normalisation_are_refused() {
    let text = TINY
        .replacen("id = \"pb-ash\"", "id = \"p\\u00e9\"", 1)
        .replacen("id = \"pb-gangue\"", "id = \"pe\\u0301\"", 1);
    let d = errors(&text);
    assert_eq!(d.len(), 1, "{d:?}");
    // Producers are checked in id order (canonical order, not the file's): `pe\u{301}` sorts
    // first, so the refusal is at `p\u{e9}` and names `pe\u{301}` with its place.
    let nfc_line = line_of(&text, "id = \"p\\u00e9\"", 0);
    let nfd_line = line_of(&text, "id = \"pe\\u0301\"", 0);
    assert_eq!(
        (d[0].line, d[0].field.as_str()),
        (nfc_line, "producers[1].id")
    );
    let m = &d[0].message;
    assert!(
        m.starts_with(&format!(
            "producer id \"p\u{e9}\" (U+0070 U+00E9) is producer id \"pe\u{301}\" \
             (U+0070 U+0065 U+0301, at bad.toml:{nfd_line}:"
        )),
        "{m}"
    );
    assert!(
        m.ends_with(
            "in another Unicode normal form: the two look alike; give one of them another id"
        ),
        "{m}"
    );
    // Ids equal only after NFKC (a compatibility form: `ﬁ` and `fi`) are different text and stay
    // distinct, as do ids differing in case.
    let text = TINY
        .replacen("id = \"pb-ash\"", "id = \"\\ufb01\"", 1)
        .replacen("id = \"pb-gangue\"", "id = \"fi\"", 1);
    assert!(scenario::load_str("t.toml", &text, Path::new(".")).is_ok());
}

/// A reference written in another normal form than the id it means says so (it suggested a
/// name that looks identical).
#[test]
fn a_reference_in_another_normal_form_says_so() {
    // Park B is `Å` (one code point) everywhere but in producer pb-ash, where it is `A` and a
    // combining ring.
    let text = TINY.replace("\"B\"", "\"\\u00c5\"").replacen(
        "id = \"pb-ash\"\npark = \"\\u00c5\"",
        "id = \"pb-ash\"\npark = \"A\\u030a\"",
        1,
    );
    assert!(text.contains("A\\u030a"));
    let d = errors(&text);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].message.starts_with(
            "producer \"pb-ash\" names park \"A\u{30a}\", which does not exist; it is park \
             \"\u{c5}\" (U+00C5) in another Unicode normal form (U+0041 U+030A): write it as \
             the id is written"
        ),
        "{:?}",
        d[0].message
    );
}

/// A candidate's new consumer whose id is a base consumer's in another normal form is refused.
#[test]
fn a_new_consumer_looking_like_a_base_consumer_is_refused() {
    let plan = include_str!("../scenarios/tiny_plan.toml")
        .replacen("id = \"cement\"", "id = \"c\\u00e9ment\"", 1)
        .replace("ids = [\"cement\"]", "ids = [\"c\\u00e9ment\"]")
        .replacen("id = \"ash_blocks_a\"", "id = \"ce\\u0301ment\"", 1);
    let d = errors(&plan);
    assert!(
        d.iter().any(|x| x.field.ends_with("consumers[0].id")
            && x.message
                .contains("consumer id \"ce\u{301}ment\" (U+0063 U+0065 U+0301")
            && x.message.contains("at bad.toml:")),
        "{d:?}"
    );
}

/// The terminal summary (also quoted in `report.md`) escapes names from the input.
#[test]
fn the_terminal_summary_escapes_names() {
    let text = TINY
        .replacen(
            "title = \"Tiny two-park example\"",
            "title = \"Tiny\\u001b]0;x\\u0007\"",
            1,
        )
        .replacen(
            "name = \"Coal gangue\"",
            "name = \"Coal\\u001b[2Jgangue\"",
            1,
        );
    let l = scenario::load_str("t.toml", &text, Path::new(".")).unwrap();
    let r = symbiosim::analysis::evaluate(&l.region, &Default::default()).unwrap();
    let s = symbiosim::report::terminal_summary(&l.region, &r.results);
    assert!(!s.contains('\u{1b}') && !s.contains('\u{7}'), "{s}");
    assert!(s.starts_with("Tiny\\u{1b}]0;x\\u{7} (2025)"), "{s}");
}

/// A target of −0.0 is a target of 0: the terminal summary and `report.md` print `0 %`, never
/// `-0 %` (issue #19).
#[test]
fn a_target_of_minus_zero_prints_zero() {
    let text = TINY.replacen("rate = 0.80", "rate = -0.0", 1);
    let l = scenario::load_str("t.toml", &text, Path::new(".")).unwrap();
    let r = symbiosim::analysis::evaluate(&l.region, &Default::default()).unwrap();
    let s = symbiosim::report::terminal_summary(&l.region, &r.results);
    assert!(s.contains("against a target of 0 %"), "{s}");
    let md = symbiosim::report::report_md(&l.region, &r.results);
    for t in [&s, &md] {
        assert!(
            !t.contains("-0 ") && !t.contains("-0.0 ") && !t.contains("-0.00"),
            "{t}"
        );
    }
}

/// Issue #19, item 15: with only hydrogen producers, validation warned "the target is met
/// without any flow" while the outputs said `meets_target` false and "missed by 0.00 t". A
/// scope without solid tonnes is now one answer everywhere: a validation error that says why.
#[test]
fn a_target_scope_without_solid_tonnes_is_an_error() {
    let want = "target.scope: the target's scope holds no solid waste: nothing to measure";
    // Only the hydrogen producer left.
    let mut text = TINY.to_string();
    for id in ["pa-ash", "pb-ash", "pb-gangue"] {
        let from = text.find(&format!("[[producers]]\nid = \"{id}\"")).unwrap();
        let to = from + text[from..].find("\n\n").unwrap();
        text.replace_range(from..to, "");
    }
    let d = errors(&text);
    let e: Vec<String> = d.iter().map(|x| x.to_string()).collect();
    assert!(e.iter().any(|x| x.contains(want)), "{e:?}");
    assert_eq!(d.len(), 1, "{e:?}");
    // Solids of zero tonnes; a material scope and a park scope without solid tonnes.
    let zero = TINY
        .replace("quantity = 100.0", "quantity = 0.0")
        .replace("quantity = 60.0", "quantity = 0.0");
    let material = zero.replace("scope = \"solids\"", "scope = \"material:fly_ash\"");
    assert!(errors(&material)
        .iter()
        .any(|x| x.to_string().contains(want)));
    // Park A's only solid producer has 0 t (its hydrogen does not count).
    let park = zero.replace("scope = \"solids\"", "scope = \"park:A\"");
    assert!(errors(&park).iter().any(|x| x.to_string().contains(want)));
    // Park B still holds gangue: valid, and no warning about the scope.
    let b = zero.replace("scope = \"solids\"", "scope = \"park:B\"");
    let l = scenario::load_str("b.toml", &b, Path::new("scenarios")).unwrap();
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
}

/// Issue #19, item 13: a quantity of 1.5e307 at `quantity_resolution = 1e300` fits the solver's
/// 2^40 scaled limit, but the CSVs printed `inf` and `summary.json` `null`; a multiplier near
/// 7e299 printed `inf` in `samples.csv`. Values over the caps of `docs/format.md` ("Caps") are
/// refused, each on its field (and only once, not also against the solver's limit).
#[test]
fn values_over_the_caps_are_refused_so_no_output_overflows() {
    let cases: [(String, &str, &str); 8] = [
        (
            TINY.replace("same_park_km = 5.0", "same_park_km = 5.0\nquantity_resolution = 1e300\ncost_resolution_yuan = 1e300")
                .replace("quantity = 100.0", "quantity = 1.5e307"),
            "producers[0].quantity",
            "1.5e307 is above the cap of 1e15 for a quantity",
        ),
        (
            TINY.replace("same_park_km = 5.0", "same_park_km = 5.0\nquantity_resolution = 1e6")
                .replace("quantity = 80.0", "quantity = 6e14\nbase_year = 2024\ngrowth_rate = 1.0"),
            "producers[2].growth_rate",
            "grows quantity 6e14 to 1.2e15, above the cap of 1e15 for a quantity",
        ),
        (
            TINY.replace("same_park_km = 5.0", "same_park_km = 5.0\nquantity_resolution = 1e6")
                .replace("quantity = 100.0", "quantity = 6e14")
                .replace("quantity = 60.0", "quantity = 6e14"),
            "materials[0].id",
            "material \"fly_ash\": its producers' generation and stockpiles add up to 1.2e15, above the cap of 1e15 per material",
        ),
        (
            format!("{TINY}\n[[uncertain]]\nid = \"u\"\napplies_to = \"producers.quantity\"\ndistribution = \"uniform\"\nlow = 1.0\nhigh = 7e299\n"),
            "uncertain[0].high",
            "7e299 is above the cap of 1000 for a multiplier",
        ),
        (
            TINY.replacen("km = 50.0", "km = 1e300", 1),
            "distances[0].km",
            "1e300 is above the cap of 100000 for a distance in km",
        ),
        (
            TINY.replacen("co2_kg_per_unit_km = 0.1", "co2_kg_per_unit_km = 1e300", 1),
            "transport[0].co2_kg_per_unit_km",
            "1e300 is above the cap of 1e9 for a value per unit",
        ),
        (
            TINY.replacen("[[parks]]", "[policy]\ntransport_cost_multiplier = 1e300\n\n[[parks]]", 1),
            "policy.transport_cost_multiplier",
            "1e300 is above the cap of 1000 for a multiplier",
        ),
        (
            TINY.replace("capacity = 100.0", "capacity = 2e15")
                .replace("same_park_km = 5.0", "same_park_km = 5.0\nquantity_resolution = 1e6"),
            "consumers[0].capacity",
            "2e15 is above the cap of 1e15 for a quantity",
        ),
    ];
    for (text, field, want) in cases {
        let d = errors(&text);
        let on: Vec<&Diagnostic> = d.iter().filter(|x| x.field == field).collect();
        assert_eq!(on.len(), 1, "{field}: {d:?}");
        assert!(on[0].message.contains(want), "{field}: {:?}", on[0].message);
    }
}

/// At the caps, every output number is finite: a run of tiny scaled up to the caps writes no
/// `inf`, `NaN` or `null` anywhere.
#[test]
fn a_run_at_the_caps_writes_only_finite_numbers() {
    let text = TINY
        .replace(
            "same_park_km = 5.0",
            "same_park_km = 5.0\nquantity_resolution = 1e4\ncost_resolution_yuan = 1e4",
        )
        .replace("quantity = 100.0", "quantity = 5e14")
        .replace("quantity = 60.0", "quantity = 4.9e14")
        .replace("quantity = 80.0", "quantity = 5e14")
        .replace("stockpile = 50.0", "stockpile = 4.9e14")
        .replace("quantity = 1000.0", "quantity = 1e15")
        .replace("capacity = 100.0", "capacity = 1e15")
        .replace("capacity = 150.0", "capacity = 1e15")
        .replace("capacity = 600.0", "capacity = 1e15")
        .replace(
            "storage_cost_yuan_per_unit = 25.0",
            "storage_cost_yuan_per_unit = 1e8",
        )
        .replace(
            "processing_cost_yuan_per_unit = 10.0",
            "processing_cost_yuan_per_unit = 1e8",
        )
        .replace("co2_kg_per_unit_km = 0.1", "co2_kg_per_unit_km = 1e9")
        .replace(
            "co2_avoided_t_per_unit = 0.78",
            "co2_avoided_t_per_unit = 1e9",
        );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("caps.toml");
    std::fs::write(&path, &text).unwrap();
    let out = dir.path().join("out");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_symbiosim"))
        .args(["run", "-q", "--out"])
        .arg(&out)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut seen = 0;
    for e in std::fs::read_dir(&out).unwrap() {
        let p = e.unwrap().path();
        let ext = p.extension().and_then(|x| x.to_str()).unwrap_or("");
        if !["csv", "json", "md"].contains(&ext) {
            continue;
        }
        let t = std::fs::read_to_string(&p).unwrap().to_lowercase();
        for bad in ["inf", "nan", "null"] {
            let hits: Vec<&str> = t
                .lines()
                .filter(|l| l.split(|c: char| !c.is_alphanumeric()).any(|w| w == bad))
                .collect();
            assert!(hits.is_empty(), "{}: {bad} in {hits:?}", p.display());
        }
        seen += 1;
    }
    assert!(seen >= 5, "{seen}");
}
