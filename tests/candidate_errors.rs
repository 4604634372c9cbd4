//! Bad candidate measures: every problem reported at once, each at file, line, column and
//! field (the style of `tests/errors.rs`, on `scenarios/tiny_plan.toml`).

mod common;

use common::{errors, line_of};
use std::path::Path;
use symbiosim::scenario::{self, diag::Diagnostic};

const PLAN: &str = include_str!("../scenarios/tiny_plan.toml");

/// 1-based column of `needle` on 1-based `line`.
fn col_of(text: &str, line: usize, needle: &str) -> usize {
    text.lines()
        .nth(line - 1)
        .unwrap()
        .find(needle)
        .expect(needle)
        + 1
}

fn replace(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from}");
    text.replacen(from, to, 1)
}

/// The line of candidate `id`'s `id = ...` line.
fn candidate_line(text: &str, id: &str) -> usize {
    let start = line_of(text, "# --- candidate measures ---", 0);
    line_of(text, &format!("id = \"{id}\""), start)
}

fn one(d: &[Diagnostic]) -> &Diagnostic {
    assert_eq!(d.len(), 1, "{d:#?}");
    &d[0]
}

#[test]
fn unknown_reference_self_exclusion_and_unknown_flag_are_located() {
    let mut t = replace(
        PLAN,
        "excludes = [\"ash_blocks_large\"]",
        "excludes = [\"ash_blocks_large\", \"ash_blocks_small\", \"ash_blocks_huge\"]",
    );
    t = replace(
        &t,
        "requires = [\"rail_siding_bc\"]\nflag = \"assumed\"",
        "requires = [\"rail_siding_bc\"]\nflag = \"guessed\"",
    );
    let d = errors(&t);
    assert_eq!(d.len(), 3, "{d:#?}");
    let l = line_of(&t, "\"ash_blocks_huge\"", 0);
    assert_eq!(d[0].field, "candidates[0].excludes[1]");
    assert_eq!(
        (d[0].line, d[0].column),
        (l, col_of(&t, l, "\"ash_blocks_small\""))
    );
    assert_eq!(
        d[0].message,
        "candidate \"ash_blocks_small\" excludes itself"
    );
    assert_eq!(d[1].field, "candidates[0].excludes[2]");
    assert_eq!(d[1].column, col_of(&t, l, "\"ash_blocks_huge\""));
    assert!(
        d[1].message
            .starts_with("candidate \"ash_blocks_small\" names candidate \"ash_blocks_huge\", which does not exist"),
        "{}",
        d[1].message
    );
    let l = line_of(&t, "flag = \"guessed\"", 0);
    assert_eq!(
        (d[2].field.as_str(), d[2].line, d[2].column),
        ("candidates[4].flag", l, 8)
    );
    assert!(d[2]
        .message
        .contains("expected \"sourced\", \"derived\" or \"assumed\""));
}

#[test]
fn a_requirement_cycle_is_named_once() {
    let t = replace(
        PLAN,
        "life_years = 20\nflag = \"assumed\"\n[[candidates.links]]",
        "life_years = 20\nrequires = [\"pit_c\"]\nflag = \"assumed\"\n[[candidates.links]]",
    );
    let d = errors(&t);
    let e = one(&d);
    let l = line_of(&t, "requires = [\"pit_c\"]", 0);
    assert_eq!(
        (e.field.as_str(), e.line, e.column),
        ("candidates[3].requires", l, 1)
    );
    assert_eq!(
        e.message,
        "candidate \"rail_siding_bc\" is in a requirement cycle: \"rail_siding_bc\" requires \"pit_c\" requires \"rail_siding_bc\" (no portfolio could choose them)"
    );
}

#[test]
fn requirements_that_exclude_each_other_are_contradictions() {
    // pit_c requires the siding and excludes it.
    let t = replace(
        PLAN,
        "requires = [\"rail_siding_bc\"]",
        "requires = [\"rail_siding_bc\"]\nexcludes = [\"rail_siding_bc\"]",
    );
    let d = errors(&t);
    let e = one(&d);
    assert_eq!(e.field, "candidates[4].requires");
    assert_eq!(e.line, line_of(&t, "requires = [\"rail_siding_bc\"]", 0));
    assert_eq!(e.message, "candidate \"pit_c\" can never be chosen: it requires \"rail_siding_bc\" (directly or through its prerequisites) and excludes it");
    // Through a chain: the siding requires the small plant, which excludes the large one;
    // the pit requiring the large plant too can never be chosen (the siding can).
    let t = replace(
        PLAN,
        "life_years = 20\nflag = \"assumed\"\n[[candidates.links]]",
        "life_years = 20\nrequires = [\"ash_blocks_small\"]\nflag = \"assumed\"\n[[candidates.links]]",
    );
    let t = replace(
        &t,
        "requires = [\"rail_siding_bc\"]",
        "requires = [\"rail_siding_bc\", \"ash_blocks_large\"]",
    );
    let d = errors(&t);
    let e = one(&d);
    assert_eq!(e.field, "candidates[4].requires");
    assert_eq!(
        e.message,
        "candidate \"pit_c\" can never be chosen: its prerequisites \"ash_blocks_large\" and \"ash_blocks_small\" exclude each other"
    );
}

#[test]
fn two_candidates_setting_one_lever_must_exclude_each_other() {
    let lever = "[candidates.policy]\nlandfill_fee_yuan_per_unit = { gangue = 20.0 }";
    let t = replace(
        PLAN,
        lever,
        &format!(
            "{lever}\nenv_tax_multiplier = 2.0\nroute_subsidy_yuan_per_unit = {{ blocks = 5.0 }}"
        ),
    );
    let mut t = t;
    t.push_str(
        "\n[[candidates]]\nid = \"tax_x3\"\nannual_cost_yuan = 1.0\nflag = \"assumed\"\n[candidates.policy]\nenv_tax_multiplier = 3.0\nroute_subsidy_yuan_per_unit = { blocks = 8.0 }\nlandfill_fee_yuan_per_unit = { gangue = 5.0 }\n",
    );
    let d = errors(&t);
    assert_eq!(d.len(), 2, "{d:#?}");
    let first = line_of(&t, "env_tax_multiplier = 2.0", 0);
    let l = line_of(&t, "env_tax_multiplier = 3.0", 0);
    assert_eq!(
        (d[0].field.as_str(), d[0].line),
        ("candidates[5].policy.env_tax_multiplier", l)
    );
    assert_eq!(d[0].message, format!("candidates \"gangue_landfill_fee\" (at bad.toml:{first}:22) and \"tax_x3\" both set env_tax_multiplier without excluding each other; add excludes = [\"gangue_landfill_fee\"] (or merge them)"));
    assert_eq!(
        d[1].field,
        "candidates[5].policy.route_subsidy_yuan_per_unit.blocks"
    );
    assert_eq!(d[1].line, l + 1);
    // Excluding each other settles it (landfill fees add up and need no exclusion).
    let ok = replace(
        &t,
        "id = \"tax_x3\"",
        "id = \"tax_x3\"\nexcludes = [\"gangue_landfill_fee\"]",
    );
    scenario::load_str("ok.toml", &ok, Path::new("scenarios")).unwrap();
}

#[test]
fn costs_effects_and_the_discount_rate_are_checked() {
    let mut t = replace(PLAN, "capex_yuan = 1.0e6", "capex_yuan = -1.0e6");
    t = replace(
        &t,
        "annual_cost_yuan = 5.0e4  # enforcement",
        "annual_cost_yuan = 5.0e4\ncapex_yuan = 1.0",
    );
    t = replace(
        &t,
        "capex_yuan = 1.2e6\nlife_years = 20",
        "capex_yuan = 1.2e6",
    );
    t.push_str("\n[[candidates]]\nid = \"nothing\"\nannual_cost_yuan = 1.0\nflag = \"sourced\"\n");
    t.push_str("\n[[candidates]]\nid = \"free\"\nflag = \"sourced\"\n[candidates.policy]\n");
    let d = errors(&t);
    let got: Vec<(&str, &str)> = d
        .iter()
        .map(|x| (x.field.as_str(), x.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("candidates[0].capex_yuan", "must not be negative, got -1000000"),
            ("candidates[2].annual_cost_yuan", "candidate \"gangue_landfill_fee\": give either capex_yuan (with life_years) or annual_cost_yuan, not both"),
            ("candidates[3].capex_yuan", "candidate \"rail_siding_bc\": capex_yuan needs life_years to be annualised"),
            ("candidates[5]", "candidate \"nothing\" has no effect: give [[candidates.consumers]], [[candidates.expand]], [[candidates.links]] or [candidates.policy]"),
            ("candidates[6]", "candidate \"free\" has no cost: give capex_yuan (with life_years) or annual_cost_yuan"),
            ("candidates[6].policy", "candidate \"free\": [candidates.policy] sets no lever (env_tax_multiplier, carbon_price_yuan_per_t, route_subsidy_yuan_per_unit, landfill_fee_yuan_per_unit)"),
        ],
        "{d:#?}"
    );
    assert_eq!(d[0].line, line_of(&t, "capex_yuan = -1.0e6", 0));
    assert_eq!(d[3].line, candidate_line(&t, "nothing") - 1);
    // Capex without a discount rate to annualise it.
    let t = replace(PLAN, "[plan]\ndiscount_rate = 0.08\n", "");
    let d = errors(&t);
    assert_eq!(d.len(), 4, "{d:#?}");
    assert!(d.iter().all(|x| x.field.ends_with(".capex_yuan")
        && x.message
            .ends_with("capex_yuan needs [plan] discount_rate to be annualised")));
    let t = replace(PLAN, "discount_rate = 0.08", "discount_rate = 8");
    let d = errors(&t);
    let e = one(&d);
    assert_eq!(
        (e.field.as_str(), e.message.as_str()),
        (
            "plan.discount_rate",
            "must lie in [0, 1], got 8; looks like a percentage: write 0.08 for 8 %"
        )
    );
}

#[test]
fn new_consumers_are_validated_as_consumers_and_unique_among_all() {
    let mut t = replace(PLAN, "id = \"ash_blocks_a\"", "id = \"cement\"");
    t = replace(
        &t,
        "id = \"pit_c_backfill\"\npark = \"C\"",
        "id = \"pit_c_backfill\"\npark = \"D\"",
    );
    t = replace(&t, "capacity = 32.0", "capacity = -32.0");
    let d = errors(&t);
    let got: Vec<(&str, usize)> = d.iter().map(|x| (x.field.as_str(), x.line)).collect();
    assert_eq!(
        got,
        [
            (
                "candidates[0].consumers[0].id",
                line_of(
                    &t,
                    "id = \"cement\"",
                    candidate_line(&t, "ash_blocks_small")
                )
            ),
            (
                "candidates[1].consumers[0].capacity",
                line_of(&t, "capacity = -32.0", 0)
            ),
            (
                "candidates[4].consumers[0].park",
                line_of(&t, "park = \"D\"", 0)
            ),
        ],
        "{d:#?}"
    );
    assert_eq!(d[0].message, "candidate \"ash_blocks_small\": consumer id \"cement\" is already a consumer of the scenario; a new consumer's id must be unique among all consumers");
    assert_eq!(
        d[2].message,
        "consumer \"pit_c_backfill\" names park \"D\", which does not exist (known: A, B, C)"
    );
}

#[test]
fn expansions_links_and_levers_name_what_exists() {
    let mut t = PLAN.to_string();
    t.push_str(concat!(
        "\n[[candidates]]\nid = \"more\"\nannual_cost_yuan = 1.0\nflag = \"derived\"\n",
        "[[candidates.expand]]\nconsumer = \"kiln\"\ncapacity_add = 0\n",
        "[[candidates.links]]\nfrom = \"A\"\nto = \"A\"\nmode = \"road\"\nkm = 10\n",
        "[[candidates.links]]\nfrom = \"A\"\nto = \"B\"\nmode = \"barge\"\nkm = -1\n",
        "[candidates.policy]\nlandfill_fee_yuan_per_unit = { slag = 5.0, fly_ash = -1.0 }\ncarbon_price_yuan_per_t = 50\n",
    ));
    let d = errors(&t);
    let got: Vec<&str> = d.iter().map(|x| x.field.as_str()).collect();
    assert_eq!(
        got,
        [
            "candidates[5].expand[0].consumer",
            "candidates[5].expand[0].capacity_add",
            "candidates[5].links[0].to",
            "candidates[5].links[1].mode",
            "candidates[5].links[1].km",
            "candidates[5].policy.landfill_fee_yuan_per_unit.slag",
            "candidates[5].policy.landfill_fee_yuan_per_unit.fly_ash",
        ],
        "{d:#?}"
    );
    assert!(d[0]
        .message
        .contains("names consumer \"kiln\", which does not exist"));
    assert_eq!(d[1].message, "must be positive, got 0");
    assert_eq!(
        d[2].message,
        "candidate \"more\": a link joins two different parks, not \"A\" to itself"
    );
    assert!(d[5]
        .message
        .contains("names material \"slag\", which does not exist"));
    assert_eq!(d[6].message, "must not be negative, got -1");
}

#[test]
fn more_than_sixty_candidates_are_refused_with_the_reason() {
    let mut t = PLAN.to_string();
    for i in 0..56 {
        t.push_str(&format!(
            "\n[[candidates]]\nid = \"c{i}\"\nannual_cost_yuan = 1.0\nflag = \"assumed\"\n[candidates.policy]\nlandfill_fee_yuan_per_unit = {{ gangue = 1.0 }}\n"
        ));
    }
    let d = errors(&t);
    let e = one(&d);
    assert_eq!(e.field, "candidates");
    // At the first `[[candidates]]` header.
    assert_eq!(e.line, candidate_line(&t, "ash_blocks_small") - 1);
    assert_eq!(e.message, "61 candidates exceed the cap of 60: a portfolio is a bit mask of one 64-bit word (see \"Caps\" in docs/format.md)");
}

#[test]
fn uncertain_entries_name_base_items_only() {
    let t = replace(
        PLAN,
        "ids = [\"cement\"]",
        "ids = [\"cement\", \"pit_c_backfill\"]",
    );
    let d = errors(&t);
    let e = one(&d);
    assert_eq!(e.field, "uncertain[0].ids[1]");
    assert!(e.message.contains("\"pit_c_backfill\""), "{}", e.message);
    assert!(e.message.contains("base"), "{}", e.message);
}

#[test]
fn structural_errors_in_candidates_are_collected_like_other_lists() {
    let mut t = replace(
        PLAN,
        "life_years = 10\nopex_yuan_per_yr = 2.0e4",
        "life_years = \"ten\"\nopex_yuan_per_yr = 2.0e4",
    );
    t = replace(
        &t,
        "flag = \"assumed\"\n[[candidates.links]]",
        "flag = \"assumed\"\nspeed = 3\n[[candidates.links]]",
    );
    let d = errors(&t);
    assert_eq!(d.len(), 2, "{d:#?}");
    assert_eq!(d[0].line, line_of(&t, "life_years = \"ten\"", 0));
    assert_eq!(d[1].line, line_of(&t, "speed = 3", 0));
}

#[test]
fn candidate_values_go_through_the_solver_range_checks() {
    // A new consumer's capacity and an expanded capacity beyond 2^40 flow units.
    let mut t = replace(
        PLAN,
        "capacity = 100.0\nprocessing_cost_yuan_per_unit = 2.0",
        "capacity = 1e15\nprocessing_cost_yuan_per_unit = 2.0",
    );
    t.push_str("\n[[candidates]]\nid = \"huge\"\nannual_cost_yuan = 1.0\nflag = \"assumed\"\n[[candidates.expand]]\nconsumer = \"bricks\"\ncapacity_add = 2e12\n");
    let d = errors(&t);
    let got: Vec<&str> = d.iter().map(|x| x.field.as_str()).collect();
    assert_eq!(
        got,
        [
            "candidates[4].consumers[0].capacity",
            "candidates[5].expand[0].capacity_add"
        ],
        "{d:#?}"
    );
    assert!(
        d[0].message.contains("above the solver's limit of 2^40"),
        "{}",
        d[0].message
    );
    // A link so long that its haulage cost would overflow is blamed on its km (over the cap
    // on distances, before the solver's limit: `docs/format.md`, "Caps").
    let t = replace(
        PLAN,
        "km = 120.0\n\n[[candidates]]",
        "km = 1e13\n\n[[candidates]]",
    );
    let d = errors(&t);
    let e = one(&d);
    assert_eq!(e.field, "candidates[3].links[0].km");
    assert!(
        e.message
            .contains("1e13 is above the cap of 100000 for a distance in km"),
        "{}",
        e.message
    );
}

#[test]
fn a_missing_field_names_the_candidate_by_its_index() {
    // serde locates a missing field at the item's `[[candidates]]` header: the message names
    // the item (`candidates[4]`), not the whole list, and the other candidates still load.
    let t = replace(
        PLAN,
        "requires = [\"rail_siding_bc\"]\nflag = \"assumed\"",
        "requires = [\"rail_siding_bc\"]",
    );
    let d = errors(&t);
    let d = one(&d);
    assert_eq!(d.field, "candidates[4]");
    assert!(d.message.contains("missing field `flag`"), "{}", d.message);
    // The header of that item: the fifth `[[candidates]]` of the file.
    let id = line_of(&t, "id = \"pit_c\"", 0);
    let header = (1..id)
        .rev()
        .find(|&l| t.lines().nth(l - 1) == Some("[[candidates]]"));
    assert_eq!(Some(d.line), header);
}
