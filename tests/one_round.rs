//! One `validate` round reports every problem: five typical mistakes of a new user (a
//! misspelt field, a percentage for a fraction, an unknown route, a negative quantity, a
//! number with thousands separators in a CSV table), each located, each with its hint.

mod common;

use common::line_of;
use symbiosim::scenario;

const TINY: &str = include_str!("../scenarios/tiny.toml");

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from}");
    text.replace(from, to)
}

/// tiny.toml with a `road_base` route, a producers table and the five mistakes.
fn five_mistakes() -> String {
    let t = replace_once(
        TINY,
        "[settings]",
        "[tables]\nproducers = \"producers.csv\"\n\n[settings]",
    );
    let t = replace_once(
        &t,
        "[[transport]]\nid = \"road\"",
        "[[routes]]\nid = \"road_base\"\nname = \"Road base\"\n\n[[transport]]\nid = \"road\"",
    );
    // 1. A misspelt field of the first consumer.
    let t = replace_once(&t, "capacity = 100.0", "capcity = 100.0");
    // 2. A share written as a percentage.
    let t = replace_once(&t, "max_share = 0.8", "max_share = 50");
    // 3. A route that does not exist (the bricks plant's).
    let t = replace_once(&t, "route = \"sintered_bricks\"", "route = \"roadbase\"");
    // 4. A negative quantity.
    replace_once(&t, "quantity = 80.0", "quantity = -80.0")
}

#[test]
fn five_mistakes_in_one_round_each_with_its_hint() {
    let dir = tempfile::tempdir().unwrap();
    // 5. A number with thousands separators (unquoted: it splits the row).
    std::fs::write(
        dir.path().join("producers.csv"),
        "id,park,material,quantity\nt-ash,A,fly_ash,40\nt-gangue,B,gangue,1,300,000\n",
    )
    .unwrap();
    let text = five_mistakes();
    let err = scenario::load_str("bad.toml", &text, dir.path()).unwrap_err();
    let d = err.diagnostics();
    let shown: Vec<String> = d.iter().map(|x| x.to_string()).collect();
    assert_eq!(d.len(), 5, "{shown:#?}");
    let csv = dir.path().join("producers.csv").display().to_string();

    // Sorted by file, then position: the CSV table's path sorts before "bad.toml" or after
    // it depending on the folder, so each is found by its field.
    let find = |field: &str| {
        d.iter()
            .find(|x| x.field == field)
            .unwrap_or_else(|| panic!("no {field} in {shown:#?}"))
    };

    let cement = line_of(&text, "id = \"cement\"", 0);
    let e = find("consumers[0].capcity");
    assert_eq!(
        (e.file.as_str(), e.line, e.column),
        ("bad.toml", line_of(&text, "capcity = 100.0", cement), 1)
    );
    assert!(e.message.starts_with("unknown field `capcity`"), "{e}");
    assert!(e.message.ends_with("; did you mean `capacity`?"), "{e}");

    let e = find("consumers[1].accepts[0].max_share");
    let line = line_of(&text, "max_share = 50", 0);
    assert_eq!(
        (e.line, e.column),
        (
            line,
            text.lines().nth(line - 1).unwrap().find("50").unwrap() + 1
        )
    );
    assert_eq!(
        e.message,
        "must lie in [0, 1], got 50; looks like a percentage: write 0.5 for 50 %"
    );

    let e = find("consumers[1].route");
    assert_eq!(
        (e.line, e.column),
        (line_of(&text, "route = \"roadbase\"", 0), 9)
    );
    assert!(
        e.message.starts_with(
            "consumer \"bricks\" names route \"roadbase\", which does not exist; did you mean \"road_base\"?"
        ),
        "{e}"
    );

    let e = find("producers[2].quantity");
    assert_eq!(
        (e.line, e.column),
        (line_of(&text, "quantity = -80.0", 0), 12)
    );
    assert_eq!(e.message, "must not be negative, got -80");

    let e = find("quantity");
    assert_eq!((e.file.as_str(), e.line, e.column), (csv.as_str(), 3, 19));
    assert!(e.message.starts_with("`1,300,000` is not a number"), "{e}");
    assert!(e.message.contains("e.g. 1300000"), "{e}");
    assert!(e.message.contains("no thousands separators"), "{e}");
}

#[test]
fn fixing_the_five_mistakes_loads() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("producers.csv"),
        "id,park,material,quantity\nt-ash,A,fly_ash,40\nt-gangue,B,gangue,1300000\n",
    )
    .unwrap();
    let text = five_mistakes()
        .replace("capcity", "capacity")
        .replace("max_share = 50", "max_share = 0.5")
        .replace("\"roadbase\"", "\"road_base\"")
        .replace("-80.0", "80.0");
    let l = scenario::load_str("good.toml", &text, dir.path()).unwrap();
    assert_eq!(l.region.producers.len(), 6);
    assert_eq!(l.region.consumers.len(), 3);
}

#[test]
fn a_dropped_item_is_not_reported_again_through_its_references() {
    // A park with a wrong type is set aside; the producers in it are not "unknown park" too,
    // and a problem of a later item still names that item's index in the file.
    let t = replace_once(TINY, "lat = 39.80", "lat = \"39.80\"");
    let t = replace_once(&t, "quantity = 1000.0", "quantity = -1.0");
    let d = common::errors(&t);
    let shown: Vec<String> = d.iter().map(|x| x.to_string()).collect();
    assert_eq!(d.len(), 2, "{shown:#?}");
    assert_eq!(d[0].field, "parks[1].lat");
    assert!(d[0].message.contains("invalid type"), "{}", d[0]);
    assert_eq!(d[1].field, "producers[3].quantity");
    assert_eq!(d[1].line, line_of(&t, "quantity = -1.0", 0));
}

#[test]
fn misspelt_keys_are_read_under_their_suggested_names() {
    // Two misspelt keys in two items, each read under its suggested name: both reported,
    // and the range check of the first item's renamed value still runs.
    let t = replace_once(TINY, "capacity = 150.0", "capacty = -150.0");
    let t = replace_once(
        &t,
        "storage_cost_yuan_per_unit = 10.0",
        "storage_cost_yuan_per_unt = 10.0",
    );
    let d = common::errors(&t);
    let shown: Vec<String> = d.iter().map(|x| x.to_string()).collect();
    assert_eq!(d.len(), 3, "{shown:#?}");
    assert_eq!(d[0].field, "materials[1].storage_cost_yuan_per_unt");
    assert!(d[0]
        .message
        .ends_with("did you mean `storage_cost_yuan_per_unit`?"));
    assert_eq!(d[1].field, "consumers[1].capacty");
    let line = line_of(&t, "capacty = -150.0", 0);
    assert_eq!((d[1].line, d[1].column), (line, 1));
    // The value's column is that of the file (the key is one character shorter there).
    assert_eq!(d[2].field, "consumers[1].capacity");
    assert_eq!((d[2].line, d[2].column), (line, 11));
    assert!(d[2].message.contains("-150"), "{}", d[2]);
}

#[test]
fn unknown_keys_outside_lists_and_inside_inline_tables_do_not_stop_the_round() {
    // Two misspelt settings (one out of range under its right name), a misspelt key of an
    // inline intake (its consumer set aside) and a missing field: all four, and the range.
    let t = replace_once(
        TINY,
        "same_park_km = 5.0",
        "same_park_km = 5.0\nobjectiv = \"cost\"\ncircuty = 9",
    );
    let t = replace_once(
        &t,
        "{ material = \"gangue\", max_share = 0.8 }",
        "{ material = \"gangue\", maxshare = 0.8 }",
    );
    let t = replace_once(
        &t,
        "id = \"pb-ash\"\npark = \"B\"\nmaterial = \"fly_ash\"\n",
        "id = \"pb-ash\"\npark = \"B\"\n",
    );
    let d = common::errors(&t);
    let shown: Vec<String> = d.iter().map(|x| x.to_string()).collect();
    let circuty = line_of(&t, "circuty = 9", 0);
    assert_eq!(
        shown,
        [
            format!(
                "bad.toml:{}:1: settings.objectiv: unknown field `objectiv`, expected one of `objective`, `circuity`, `same_park_km`, `quantity_resolution`, `cost_resolution_yuan`, `nameplate_for_potential`; did you mean `objective`?",
                circuty - 1
            ),
            format!(
                "bad.toml:{circuty}:1: settings.circuty: unknown field `circuty`, expected one of `objective`, `circuity`, `same_park_km`, `quantity_resolution`, `cost_resolution_yuan`, `nameplate_for_potential`; did you mean `circuity`?"
            ),
            format!("bad.toml:{circuty}:11: settings.circuity: must lie in [1, 5], got 9"),
            format!(
                "bad.toml:{}:1: producers[1]: missing field `material`",
                line_of(&t, "id = \"pb-ash\"", 0) - 1
            ),
            format!(
                "bad.toml:{}:26: consumers[1].accepts[0].maxshare: unknown field `maxshare`, expected one of `material`, `grades`, `max`, `max_share`, `group`, `gate_price_yuan_per_unit`, `co2_avoided_t_per_unit`, `min_attrs`, `max_attrs`, `source`; did you mean `max_share`?",
                line_of(&t, "maxshare", 0)
            ),
        ]
    );
}
