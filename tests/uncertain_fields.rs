//! `[[uncertain]]` beyond quantities and capacities: every field a multiplier can move (each
//! checked on a hand-computed region), groups that move together (comonotone draws) and the
//! validation of both with file:line:column.

use std::path::Path;
use symbiosim::analysis::{draw, monte_carlo};
use symbiosim::model::{apply_multipliers, inputs, RouteId};
use symbiosim::scenario;

/// One park; fly ash of 100 t/yr in 2023 growing 10 %/yr (so 121 t/yr in 2025) and gangue;
/// a cement plant with two intakes; a route subsidy on cement blending; a carbon price.
const BASE: &str = r#"
[scenario]
name = "fields"
year = 2025

[target]
rate = 0.80

[settings]
objective = "max_utilisation"

[policy]
carbon_price_yuan_per_t = 50.0
env_tax_multiplier = 1.0
route_subsidy_yuan_per_unit = { cement_blending = 8.0 }

[[parks]]
id = "A"
name = "Park A"
lat = 39.6
lon = 109.8

[[materials]]
id = "fly_ash"
name = "Fly ash"
storage_cost_yuan_per_unit = 25.0
env_tax_yuan_per_unit = 25.0

[[materials]]
id = "gangue"
name = "Gangue"
storage_cost_yuan_per_unit = 10.0
env_tax_yuan_per_unit = 5.0

[[routes]]
id = "cement_blending"
name = "Cement blending"

[[routes]]
id = "bricks"
name = "Bricks"

[[transport]]
id = "road"
cost_yuan_per_unit_km = 0.4
max_km = 100.0

[[producers]]
id = "ash"
park = "A"
material = "fly_ash"
quantity = 100.0
growth_rate = 0.1
base_year = 2023

[[producers]]
id = "gangue"
park = "A"
material = "gangue"
quantity = 50.0

[[consumers]]
id = "cement"
park = "A"
route = "cement_blending"
capacity = 200.0
processing_cost_yuan_per_unit = 10.0
accepts = [
  { material = "fly_ash", gate_price_yuan_per_unit = 30.0 },
  { material = "gangue", gate_price_yuan_per_unit = -4.0 },
]

[[consumers]]
id = "brick"
park = "A"
route = "bricks"
capacity = 40.0
accepts = [{ material = "gangue" }]
"#;

/// `BASE` with one entry of `field` at a fixed multiplier `m` (low = high = m) on `ids`.
fn with_entry(field: &str, ids: Option<&str>, m: f64) -> String {
    let ids = ids.map(|i| format!("ids = {i}\n")).unwrap_or_default();
    format!(
        "{BASE}\n[[uncertain]]\nid = \"e\"\napplies_to = \"{field}\"\n{ids}distribution = \"uniform\"\nlow = {m}\nhigh = {m}\n"
    )
}

fn applied(field: &str, ids: Option<&str>, m: f64) -> symbiosim::model::Region {
    let l = scenario::load_str("fields.toml", &with_entry(field, ids, m), Path::new("."))
        .unwrap_or_else(|e| panic!("{field}: {e}"));
    assert_eq!(l.uncertain.len(), 1);
    apply_multipliers(&l.region, &l.uncertain, &[m])
}

#[test]
fn every_field_multiplies_its_base_value() {
    let base = scenario::load_str("fields.toml", BASE, Path::new("."))
        .unwrap()
        .region;
    // Growth: 100 · 1.1² = 121 in the base; with the rate halved, 100 · 1.05² = 110.25.
    assert!((base.producers[0].quantity - 121.0).abs() < 1e-9);
    let r = applied("producers.growth_rate", Some("[\"ash\"]"), 0.5);
    assert!((r.producers[0].quantity - 110.25).abs() < 1e-9);
    assert_eq!(r.producers[1].quantity, 50.0);
    // Every intake of the consumer: 30 → 45 and −4 → −6.
    let r = applied(
        "consumers.gate_price_yuan_per_unit",
        Some("[\"cement\"]"),
        1.5,
    );
    // Consumers are in id order: brick, cement.
    let g: Vec<f64> = r.consumers[1]
        .intakes
        .iter()
        .map(|i| i.gate_price)
        .collect();
    assert_eq!(g, vec![45.0, -6.0]);
    assert_eq!(r.consumers[0].intakes[0].gate_price, 0.0);
    let r = applied("consumers.processing_cost_yuan_per_unit", None, 0.5);
    assert_eq!(r.consumers[1].processing_cost, 5.0);
    let r = applied("materials.env_tax_yuan_per_unit", Some("[\"gangue\"]"), 2.0);
    assert_eq!(
        (r.materials[0].env_tax, r.materials[1].env_tax),
        (25.0, 10.0)
    );
    let r = applied("materials.storage_cost_yuan_per_unit", None, 0.6);
    assert_eq!(
        (r.materials[0].storage_cost, r.materials[1].storage_cost),
        (15.0, 6.0)
    );
    let r = applied("policy.env_tax_multiplier", None, 1.25);
    assert_eq!(r.policy.env_tax_multiplier, 1.25);
    let r = applied("policy.carbon_price_yuan_per_t", None, 2.0);
    assert_eq!(r.policy.carbon_price, 100.0);
    let r = applied(
        "policy.route_subsidy_yuan_per_unit",
        Some("[\"cement_blending\"]"),
        0.5,
    );
    assert_eq!(r.policy.route_subsidy.get(&RouteId(0)), Some(&4.0));
    // The same with `ids` omitted: every route that has a subsidy.
    let r = applied("policy.route_subsidy_yuan_per_unit", None, 0.5);
    assert_eq!(r.policy.route_subsidy.get(&RouteId(0)), Some(&4.0));
    assert_eq!(r.policy.route_subsidy.get(&RouteId(1)), None);
}

#[test]
fn a_growth_multiplier_changes_the_rate_as_computed_by_hand() {
    // Fly ash 100 · (1 + 0.1 m)² against the cement plant's 200: all used; gangue 50 against
    // the brick plant's 40 and cement's spare capacity: all used. Shrink cement to 60 and
    // brick to 0 (load factor stays): with m = 2, ash = 100 · 1.2² = 144 > 60.
    let text = with_entry("producers.growth_rate", Some("[\"ash\"]"), 2.0)
        .replace("capacity = 200.0", "capacity = 60.0")
        .replace("capacity = 40.0", "capacity = 0.0");
    let l = scenario::load_str("g.toml", &text, Path::new(".")).unwrap();
    let mc = monte_carlo(&l.region, &l.uncertain, 1, 0, 3, &|_| {}).unwrap();
    // Utilised 60 of 144 + 50 = 194 (cement is full; gangue has no room).
    for s in &mc.samples {
        assert!((s.rate.unwrap() - 60.0 / 194.0).abs() < 1e-6, "{s:?}");
    }
}

/// Two entries in one group, both uniform: cement capacity × [0.6, 1.1] and ash output ×
/// [0.5, 1.0] (of 121 t against 200 t: scaled so that capacity 121 is the nameplate). In a
/// group both take the same u, so capacity − output = 0.1 · 121 t always: every sample uses
/// all the ash. Drawn independently, capacity falls below output in a share
/// P(0.6 + 0.5 u₁ < 0.5 + 0.5 u₂) = P(u₂ − u₁ > 0.2) = 0.8² / 2 = 0.32 of samples.
fn grouped(group: bool) -> String {
    let g = if group { "group = \"demand\"\n" } else { "" };
    let text = BASE
        .replace("capacity = 200.0", "capacity = 121.0")
        .replace("quantity = 50.0", "quantity = 0.0");
    format!(
        "{text}\n[[uncertain]]\nid = \"cap\"\napplies_to = \"consumers.capacity\"\nids = [\"cement\"]\ndistribution = \"uniform\"\nlow = 0.6\nhigh = 1.1\n{g}\n\
         [[uncertain]]\nid = \"out\"\napplies_to = \"producers.quantity\"\nids = [\"ash\"]\ndistribution = \"uniform\"\nlow = 0.5\nhigh = 1.0\n{g}"
    )
}

#[test]
fn entries_of_a_group_share_one_draw() {
    let l = scenario::load_str("grp.toml", &grouped(true), Path::new(".")).unwrap();
    assert_eq!(inputs(&l.uncertain).len(), 1);
    let mc = monte_carlo(&l.region, &l.uncertain, 3, 0, 400, &|_| {}).unwrap();
    for s in &mc.samples {
        let (cap, out) = (s.multipliers[0], s.multipliers[1]);
        assert!(((cap - 0.6) - (out - 0.5)).abs() < 1e-12, "{s:?}");
        assert!((s.rate.unwrap() - 1.0).abs() < 1e-6, "{s:?}");
    }
    assert_eq!(mc.p_meet_target, 1.0);
    assert_eq!(mc.tornado.len(), 1);
    assert_eq!(mc.tornado[0].input, "demand");
    // Independent: the share of samples with capacity below output is ≈ 0.32.
    let l = scenario::load_str("ind.toml", &grouped(false), Path::new(".")).unwrap();
    assert_eq!(inputs(&l.uncertain).len(), 2);
    let n = 2000;
    let mc = monte_carlo(&l.region, &l.uncertain, 3, 0, n, &|_| {}).unwrap();
    let short = mc
        .samples
        .iter()
        .filter(|s| s.multipliers[0] < s.multipliers[1])
        .count() as f64
        / n as f64;
    let se = (0.32f64 * 0.68 / n as f64).sqrt();
    assert!((short - 0.32).abs() < 3.0 * se, "{short}");
}

#[test]
fn a_group_of_different_distributions_is_comonotone() {
    // A triangular and a truncated normal in one group: each multiplier is its own
    // distribution's quantile of the same u, so their ranks agree exactly.
    let text = format!(
        "{BASE}\n[[uncertain]]\nid = \"a\"\napplies_to = \"consumers.capacity\"\ndistribution = \"triangular\"\nlow = 0.7\nmode = 1.0\nhigh = 1.2\ngroup = \"g\"\n\n\
         [[uncertain]]\nid = \"b\"\napplies_to = \"producers.quantity\"\ndistribution = \"normal\"\nsd = 0.1\nlow = 0.8\nhigh = 1.3\ngroup = \"g\"\n\n\
         [[uncertain]]\nid = \"c\"\napplies_to = \"policy.carbon_price_yuan_per_t\"\ndistribution = \"lognormal\"\nsd = 0.3\nlow = 0.5\nhigh = 2.0\n"
    );
    let l = scenario::load_str("co.toml", &text, Path::new(".")).unwrap();
    let ins = inputs(&l.uncertain);
    assert_eq!(
        ins,
        vec![("g".to_string(), vec![0, 1]), ("c".to_string(), vec![2])]
    );
    let mut pairs: Vec<(f64, f64)> = (0..300)
        .map(|k| {
            let m = draw::multipliers(&l.uncertain, 9, k);
            (m[0], m[1])
        })
        .collect();
    pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
    for w in pairs.windows(2) {
        assert!(w[0].1 <= w[1].1, "{w:?}");
    }
    // Two uniforms per sample (the group's and c's), the group's first.
    let u = draw::uniforms(&l.uncertain, 9, 5);
    assert_eq!(u.len(), 2);
    let m = draw::multipliers(&l.uncertain, 9, 5);
    assert_eq!(m[0], draw::quantile(&l.uncertain[0].distribution, u[0]));
    assert_eq!(m[2], draw::quantile(&l.uncertain[2].distribution, u[1]));
}

#[test]
fn new_fields_and_groups_are_validated_with_locations() {
    let entry = |body: &str| {
        format!("\n[[uncertain]]\n{body}distribution = \"uniform\"\nlow = 0.9\nhigh = 1.1\n")
    };
    let bad = [
        BASE.to_string(),
        entry("id = \"p\"\napplies_to = \"policy.carbon_price_yuan_per_t\"\nids = [\"x\"]\n"),
        entry("id = \"s\"\napplies_to = \"policy.route_subsidy_yuan_per_unit\"\nids = [\"bricks\"]\n"),
        entry("id = \"g\"\napplies_to = \"producers.growth_rate\"\nids = [\"gangue\"]\n"),
        entry("id = \"h\"\napplies_to = \"producers.quantity\"\ngroup = \"p\"\n"),
        entry("id = \"m\"\napplies_to = \"materials.env_tax_yuan_per_unit\"\nids = [\"slag\"]\n"),
        "\n[[uncertain]]\nid = \"n\"\napplies_to = \"producers.growth_rate\"\ndistribution = \"uniform\"\nlow = 0.5\nhigh = 20.0\n"
            .to_string(),
    ]
    .concat();
    // A negative growth rate multiplied by 20 would fall below −100 %.
    let bad = bad.replace("growth_rate = 0.1", "growth_rate = -0.1");
    let e = match scenario::load_str("bad.toml", &bad, Path::new(".")) {
        Ok(_) => panic!("invalid scenario accepted"),
        Err(e) => e.to_string(),
    };
    for want in [
        "uncertain[0].ids: policy.carbon_price_yuan_per_t is one value; it takes no `ids`",
        "uncertain[1].ids[0]: uncertain entry \"s\": route \"bricks\" has no policy.route_subsidy_yuan_per_unit to vary",
        "uncertain[2].ids[0]: uncertain entry \"g\": producer \"gangue\" does not grow",
        "uncertain[3].group: group \"p\" has the id of an uncertain entry",
        "uncertain[4].ids[0]: uncertain entry \"m\" names material \"slag\", which does not exist",
        "uncertain[5].high: high × growth_rate of producer \"ash\" (-0.1) must be above -1, got -2",
    ] {
        assert!(e.contains(want), "missing {want:?} in\n{e}");
    }
    // Every message names the file, line and column.
    for line in e.lines().filter(|l| l.contains("uncertain[")) {
        assert!(line.starts_with("bad.toml:"), "{line}");
    }
}

#[test]
fn a_group_is_ranked_by_an_entry_that_varies() {
    // The group's first entry is constant (low = high); the second, the cement capacity,
    // decides the rate, so the group's ρ is defined and positive.
    let text = BASE
        .replace("capacity = 200.0", "capacity = 121.0")
        .replace("quantity = 50.0", "quantity = 0.0");
    let text = format!(
        "{text}\n[[uncertain]]\nid = \"fixed\"\napplies_to = \"materials.storage_cost_yuan_per_unit\"\ndistribution = \"uniform\"\nlow = 1.0\nhigh = 1.0\ngroup = \"g\"\n\n\
         [[uncertain]]\nid = \"cap\"\napplies_to = \"consumers.capacity\"\nids = [\"cement\"]\ndistribution = \"uniform\"\nlow = 0.5\nhigh = 1.0\ngroup = \"g\"\n"
    );
    let l = scenario::load_str("v.toml", &text, Path::new(".")).unwrap();
    let mc = monte_carlo(&l.region, &l.uncertain, 2, 0, 100, &|_| {}).unwrap();
    // The rate is the capacity multiplier (121 m of 121 t) rounded down to the quantity
    // resolution, which ties close samples: ρ is 1 but for those ties.
    assert_eq!(mc.tornado[0].input, "g");
    assert!(mc.tornado[0].rho.unwrap() > 0.99, "{:?}", mc.tornado);
}

/// Degenerate distributions (issue #19, item 3): each is either refused by validation, or every
/// quantile the sampler can compute, at the ends of [0, 1) and in between, is a finite number
/// inside the entry's [low, high]. A lognormal of median 0 (`ln(0 / 0)` is NaN) used to pass
/// validation and then panic in the sampler ("min > max, or either was NaN").
#[test]
fn degenerate_distributions_are_refused_or_draw_inside_their_bounds() {
    let forms = [
        // (body, refused with this message, if refused)
        ("distribution = \"lognormal\"\nmedian = 0.0\nlow = 0.0\nhigh = 1.5\nsd = 0.2\n", Some("uncertain[0].median: must be positive")),
        ("distribution = \"lognormal\"\nmedian = 0.0\nlow = 0.0\nhigh = 0.0\nsd = 0.2\n", Some("uncertain[0].median: must be positive")),
        ("distribution = \"lognormal\"\nmedian = -0.0\nlow = 0.0\nhigh = 1.0\nsd = 1.0\n", Some("uncertain[0].median: must be positive")),
        ("distribution = \"lognormal\"\nmedian = 1e-300\nlow = 0.0\nhigh = 1.5\nsd = 1e-300\n", None),
        ("distribution = \"lognormal\"\nmedian = 1.0\nlow = 0.0\nhigh = 1.5\nsd = 1e300\n", None),
        ("distribution = \"lognormal\"\nmedian = 1e-300\nlow = 1e-300\nhigh = 1000.0\nsd = 5.0\n", None),
        ("distribution = \"lognormal\"\nmedian = 1.5\nlow = 0.0\nhigh = 1.5\nsd = 0.1\n", None),
        ("distribution = \"normal\"\nmean = 0.0\nlow = 0.0\nhigh = 1.5\nsd = 5e-324\n", None),
        ("distribution = \"normal\"\nmean = 1.5\nlow = 0.0\nhigh = 1.5\nsd = 1e300\n", None),
        ("distribution = \"normal\"\nmean = 0.0\nlow = 0.0\nhigh = 0.0\nsd = 1.0\n", None),
        ("distribution = \"triangular\"\nmode = 0.0\nlow = 0.0\nhigh = 1000.0\n", None),
        ("distribution = \"triangular\"\nmode = 1000.0\nlow = 0.0\nhigh = 1000.0\n", None),
        ("distribution = \"triangular\"\nmode = 5e-324\nlow = 0.0\nhigh = 1e-323\n", None),
        ("distribution = \"uniform\"\nlow = 0.0\nhigh = 5e-324\n", None),
    ];
    let us = [
        0.0,
        f64::EPSILON / 2.0,
        1e-10,
        0.25,
        0.5,
        0.75,
        1.0 - f64::EPSILON,
    ];
    for (body, refused) in forms {
        let text = format!(
            "{BASE}\n[[uncertain]]\nid = \"e\"\napplies_to = \"producers.quantity\"\n{body}"
        );
        match (scenario::load_str("d.toml", &text, Path::new(".")), refused) {
            (Ok(_), Some(want)) => panic!("accepted, want {want:?}: {body}"),
            (Err(e), Some(want)) => {
                let e = e.to_string();
                assert!(e.contains(want), "{body}: want {want:?} in\n{e}");
            }
            (Err(e), None) => panic!("refused: {body}\n{e}"),
            (Ok(l), None) => {
                let d = &l.uncertain[0].distribution;
                let (low, high) = d.bounds();
                for u in us {
                    let x = draw::quantile(d, u);
                    assert!(
                        x.is_finite() && (low..=high).contains(&x),
                        "{body} at {u}: {x}"
                    );
                }
                for k in 0..50 {
                    let m = draw::multipliers(&l.uncertain, 3, k)[0];
                    assert!(m.is_finite() && (low..=high).contains(&m), "{body}: {m}");
                }
            }
        }
    }
}
