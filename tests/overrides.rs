//! The raw scenario layer: overrides over a base file, and every problem at the origin of the
//! value it blames.

use std::path::Path;
use symbiosim::scenario::overrides::{Override, Provenance};
use symbiosim::scenario::{self, diag::Diagnostic, ScenarioError};

const TINY: &str = "scenarios/tiny.toml";

fn set(arg: &str) -> Override {
    Override::flag(arg).unwrap()
}

fn errors(overrides: &[Override]) -> Vec<Diagnostic> {
    match scenario::load_with(Path::new(TINY), overrides) {
        Ok(_) => panic!("scenario should be invalid"),
        Err(ScenarioError::Invalid(d)) => d.0,
        Err(e) => panic!("unexpected error {e}"),
    }
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).expect(needle) + 1
}

#[test]
fn no_override_is_exactly_load() {
    let a = scenario::load(Path::new(TINY)).unwrap();
    let b = scenario::load_with(Path::new(TINY), &[]).unwrap();
    assert_eq!(a.region, b.region);
    assert_eq!((a.hash, a.files), (b.hash, b.files));
}

#[test]
fn overrides_change_the_built_region() {
    let base = scenario::load(Path::new(TINY)).unwrap().region;
    let l = scenario::load_with(
        Path::new(TINY),
        &[
            set("policy.env_tax_multiplier=10"),
            set("producers.pb-ash.quantity=61.5"),
            set("producers[0].quantity=7"),
            set("target.rate=0.5"),
            set("target.scope=park:A"),
            set("producers.pb-ash.stockpile=12"),
            set("settings.quantity_resolution=0.5"),
        ],
    )
    .unwrap();
    let r = l.region;
    assert_eq!(r.policy.env_tax_multiplier, 10.0);
    assert_eq!(base.policy.env_tax_multiplier, 1.0);
    let q = |id: &str| r.producers.iter().find(|p| p.id == id).unwrap().quantity;
    assert_eq!((q("pa-ash"), q("pb-ash")), (7.0, 61.5));
    assert_eq!(r.target.rate, 0.5);
    let pb = r.producers.iter().find(|p| p.id == "pb-ash").unwrap();
    assert_eq!(pb.stockpile, 12.0);
    assert_eq!(r.settings.quantity_resolution, 0.5);
    assert_ne!(r.target.scope, base.target.scope);
    assert_eq!(r.parks, base.parks);
    assert_eq!(r.consumers, base.consumers);
}

#[test]
fn the_command_line_wins_over_an_override_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("high.toml");
    let text = "[policy]\nenv_tax_multiplier = 3\n\n[[producers]]\nid = \"pb-ash\"\nquantity = 5\n";
    std::fs::write(&file, text).unwrap();
    let shown = file.display().to_string();
    let mut o = Override::from_file(&shown, text).unwrap();
    assert_eq!(o.len(), 2);
    assert_eq!(o[1].path, "producers.pb-ash.quantity");
    o.push(set("policy.env_tax_multiplier=4"));
    let l = scenario::load_with(Path::new(TINY), &o).unwrap();
    assert_eq!(l.region.policy.env_tax_multiplier, 4.0);
    let pb = l
        .region
        .producers
        .iter()
        .find(|p| p.id == "pb-ash")
        .unwrap();
    assert_eq!(pb.quantity, 5.0);
    assert_eq!(l.files[1], shown);
}

#[test]
fn an_invalid_overridden_value_is_reported_at_the_flag() {
    let d = errors(&[set("policy.env_tax_multiplier=-1")]);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(
        d[0].to_string(),
        "--set policy.env_tax_multiplier=-1:1:33: policy.env_tax_multiplier: must not be negative, got -1"
    );
    // An existing value, replaced in place; a type error too.
    let d = errors(&[
        set("producers.pa-ash.quantity=-3"),
        set("target.rate=\"high\""),
    ]);
    let files: Vec<&str> = d.iter().map(|x| x.file.as_str()).collect();
    assert!(files.contains(&"--set target.rate=\"high\""), "{d:?}");
    let d = errors(&[set("producers.pa-ash.quantity=-3")]);
    assert_eq!(
        d[0].to_string(),
        "--set producers.pa-ash.quantity=-3:1:33: producers[0].quantity: must not be negative, got -3"
    );
}

#[test]
fn an_invalid_value_of_an_override_file_names_its_file_and_line() {
    let text = "# higher rate\n[target]\nrate = 1.5\n";
    let o = Override::from_file("high.toml", text).unwrap();
    assert_eq!(
        o[0].origin,
        Provenance::File {
            file: "high.toml".into(),
            line: 3,
            column: 8
        }
    );
    let d = errors(&o);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(
        d[0].to_string(),
        "high.toml:3:8: target.rate: must lie in [0, 1], got 1.5"
    );
}

#[test]
fn an_unknown_path_names_the_flag() {
    let d = errors(&[set("producers.nobody.quantity=1")]);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].file.starts_with("--set producers.nobody"), "{d:?}");
    assert!(d[0]
        .message
        .contains("no item of producers has id \"nobody\""));
    let d = errors(&[set("producers[99].quantity=1")]);
    assert!(d[0].file.starts_with("--set producers[99]"), "{d:?}");
    // A field the schema does not know: the reader's own message, at the flag.
    let d = errors(&[set("policy.no_such_thing=1")]);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].file, "--set policy.no_such_thing=1");
    assert!(
        d[0].message.contains("unknown field `no_such_thing`"),
        "{d:?}"
    );
}

#[test]
fn a_base_file_error_still_names_the_base_file_and_line() {
    let text = std::fs::read_to_string(TINY).unwrap();
    let bad = text.replacen("quantity = 60.0", "quantity = -60.0", 1);
    let plain = match scenario::load_str("bad.toml", &bad, Path::new("scenarios")) {
        Err(ScenarioError::Invalid(d)) => d.0,
        _ => panic!("invalid"),
    };
    // An override inserted above (a new line) and one replaced on the same line before it.
    let o = [
        set("policy.env_tax_multiplier=2"),
        set("producers.pb-ash.park=\"A\""),
    ];
    let d = match scenario::load_str_with("bad.toml", &bad, Path::new("scenarios"), &o) {
        Err(ScenarioError::Invalid(d)) => d.0,
        _ => panic!("invalid"),
    };
    assert_eq!(d, plain);
    assert_eq!(d[0].line, line_of(&bad, "quantity = -60.0"));
    assert_eq!(d[0].file, "bad.toml");
}

/// tiny.toml with a park, a producer and a consumer (two intakes) in CSV tables, in `dir`.
fn with_tables(dir: &Path) -> std::path::PathBuf {
    std::fs::write(
        dir.join("parks.csv"),
        "id,name,lat,lon,landfill_capacity\nC,Park C,39.6,109.9,40\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("producers.csv"),
        "id,park,material,quantity,attr:al2o3\nx1,C,fly_ash,10,0.4\nx2,A,gangue,5,\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("consumers.csv"),
        "id,park,route,capacity,material,max\nc1,C,cement_blending,30,fly_ash,20\nc1,,,,gangue,8\n",
    )
    .unwrap();
    let text = std::fs::read_to_string(TINY).unwrap().replace(
        "[settings]",
        "[tables]\nparks = \"parks.csv\"\nproducers = \"producers.csv\"\nconsumers = \"consumers.csv\"\n\n[settings]",
    );
    let path = dir.join("tables.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn overrides_reach_the_rows_of_csv_tables() {
    let dir = tempfile::tempdir().unwrap();
    let path = with_tables(dir.path());
    let base = scenario::load(&path).unwrap().region;
    let r = scenario::load_with(
        &path,
        &[
            set("producers.x1.quantity=25"),
            set("producers.x1.attrs.al2o3=0.5"),
            set("producers.x2.stockpile=3"),
            set("producers.pb-ash.quantity=61.5"),
            set("parks.C.landfill_capacity=7.5"),
            set("consumers.c1.capacity=45"),
            set("consumers.c1.accepts[1].max=9"),
        ],
    )
    .unwrap()
    .region;
    let p = |r: &symbiosim::model::Region, id: &str| {
        r.producers.iter().find(|p| p.id == id).unwrap().clone()
    };
    assert_eq!(p(&base, "x1").quantity, 10.0);
    assert_eq!(p(&r, "x1").quantity, 25.0);
    assert_eq!(p(&r, "x1").attrs.get("al2o3"), Some(&0.5));
    assert_eq!(
        (p(&base, "x2").stockpile, p(&r, "x2").stockpile),
        (0.0, 3.0)
    );
    assert_eq!(p(&r, "pb-ash").quantity, 61.5);
    let park = |r: &symbiosim::model::Region| {
        r.parks
            .iter()
            .find(|k| k.id == "C")
            .unwrap()
            .landfill_capacity
    };
    assert_eq!((park(&base), park(&r)), (Some(40.0), Some(7.5)));
    let c =
        |r: &symbiosim::model::Region| r.consumers.iter().find(|c| c.id == "c1").unwrap().clone();
    assert_eq!((c(&base).capacity, c(&r).capacity), (30.0, 45.0));
    let max = |r: &symbiosim::model::Region, m: &str| {
        let c = c(r);
        let k = r.materials.iter().position(|x| x.id == m).unwrap();
        c.intakes
            .iter()
            .find(|i| i.material == symbiosim::model::MaterialId(k))
            .unwrap()
            .max
    };
    assert_eq!(
        (max(&base, "gangue"), max(&r, "gangue")),
        (Some(8.0), Some(9.0))
    );
    assert_eq!(
        (max(&base, "fly_ash"), max(&r, "fly_ash")),
        (Some(20.0), Some(20.0))
    );
    // Everything not overridden is as in the base.
    assert_eq!(r.producers.len(), base.producers.len());
    assert_eq!(p(&r, "pa-ash"), p(&base, "pa-ash"));
}

fn table_errors(path: &Path, overrides: &[Override]) -> Vec<Diagnostic> {
    match scenario::load_with(path, overrides) {
        Ok(_) => panic!("scenario should be invalid"),
        Err(ScenarioError::Invalid(d)) => d.0,
        Err(e) => panic!("unexpected error {e}"),
    }
}

#[test]
fn errors_in_csv_rows_name_the_flag_or_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    let path = with_tables(dir.path());
    // A bad overriding value: at the flag, with its path.
    let d = table_errors(&path, &[set("producers.x1.quantity=-4")]);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].file, "--set producers.x1.quantity=-4");
    assert_eq!(d[0].field, "producers.x1.quantity");
    assert_eq!((d[0].line, d[0].column), (1, 29));
    assert!(d[0].message.contains("must not be negative"), "{d:?}");
    // A value of the wrong type, a field no column has, an unknown id, an intake too far.
    let d = table_errors(
        &path,
        &[
            set("consumers.c1.capacity=\"big\""),
            set("parks.C.quantity=3"),
            set("producers.nope.quantity=3"),
            set("consumers.c1.accepts[2].max=1"),
        ],
    );
    let by = |arg: &str| {
        d.iter()
            .find(|x| x.file == format!("--set {arg}"))
            .unwrap_or_else(|| panic!("{arg}: {d:?}"))
            .message
            .clone()
    };
    assert_eq!(d.len(), 4, "{d:?}");
    assert!(by("consumers.c1.capacity=\"big\"").contains("expected a number"));
    assert!(by("parks.C.quantity=3").contains("not a field of this row"));
    assert!(by("producers.nope.quantity=3")
        .contains("no item of producers has id \"nope\" inline or in its table \"producers.csv\""));
    assert!(by("consumers.c1.accepts[2].max=1").contains("has 2 intakes"));
    // A bad cell that is not overridden still names its cell, beside an overridden one.
    std::fs::write(
        dir.path().join("producers.csv"),
        "id,park,material,quantity\nx1,C,fly_ash,-1\nx2,A,gangue,-2\n",
    )
    .unwrap();
    let d = table_errors(&path, &[set("producers.x1.quantity=-3")]);
    assert_eq!(d.len(), 2, "{d:?}");
    let cell = d
        .iter()
        .find(|x| x.file.ends_with("producers.csv"))
        .unwrap();
    assert_eq!(
        (cell.line, cell.column, cell.field.as_str()),
        (3, 13, "quantity")
    );
    assert!(d.iter().any(|x| x.file == "--set producers.x1.quantity=-3"));
}

/// A list the scenario does not have is named with the scenario (it said " has no list", with a
/// blank name: issue #19).
#[test]
fn indexing_a_list_the_scenario_lacks_names_the_scenario() {
    let d = errors(&[set("uncertain[0].low=1")]);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].file, "--set uncertain[0].low=1");
    assert!(!d[0].message.starts_with(' '), "{:?}", d[0].message);
    assert!(
        d[0].message
            .starts_with("the scenario has no [[uncertain]] list to index"),
        "{:?}",
        d[0].message
    );
}

/// Every message echoing a user's number prints it short: 1e300 is `1e300`, never 300 digits
/// (issue #19), serde's own type errors included.
#[test]
fn messages_print_huge_numbers_short() {
    for arg in [
        "scenario.year=1e300",
        "target.rate=1e300",
        "settings.circuity=-1e300",
        "settings.same_park_km=-1e300",
        "producers.pa-ash.quantity=-1e300",
        "producers.pa-ash.quantity=1e300",
        "producers.pa-ash.growth_rate=-1e300",
        "materials.fly_ash.storage_cost_yuan_per_unit=1e300",
    ] {
        let d = errors(&[set(arg)]);
        let text: Vec<String> = d.iter().map(|x| x.to_string()).collect();
        assert!(text.iter().any(|t| t.contains("1e300")), "{arg}: {text:?}");
        for t in &text {
            let longest = t
                .split(|c: char| !c.is_ascii_digit())
                .map(str::len)
                .max()
                .unwrap_or(0);
            assert!(longest < 20, "{arg}: {t}");
        }
    }
}
