//! The figures quoted in README.md and scenarios/README.md come from the library, and this test
//! keeps them current.
//!
//! Each of the two files holds one block between `<!-- figures:begin -->` and
//! `<!-- figures:end -->`; README.md also holds what `plan` recommends for Ordos 2025 between
//! `<!-- plan:begin -->` and `<!-- plan:end -->` (three `plan` runs of 1 000 samples, as
//! `symbiosim plan scenarios/ordos_2025.toml --samples 1000 --seed 1 --confidence 0.9
//! [--set target.rate=R]` does). The test evaluates the Ordos scenarios exactly as `symbiosim run`
//! does (`scenario::load`, `analysis::evaluate` with the default allocation settings), renders
//! the block's text from the results and asserts that the file contains exactly that text.
//! When a change to the model or the scenarios moves a figure, rerun with
//!
//! ```text
//! SYMBIOSIM_BLESS=1 cargo test --release --test readme_figures
//! ```
//!
//! which rewrites the blocks in place (and nothing else in the files); review the diff.
//! Prose outside the blocks must not quote figures that the blocks do not carry.

use std::path::Path;
use symbiosim::allocate::AllocConfig;
use symbiosim::analysis::{evaluate_with_alternative, Balance, Results};
use symbiosim::model::Region;
use symbiosim::scenario;

const BEGIN: &str = "<!-- figures:begin -->";
const END: &str = "<!-- figures:end -->";

fn eval(path: &str) -> (Region, Results) {
    let region = scenario::load(Path::new(path))
        .unwrap_or_else(|e| panic!("{path} should be valid: {e}"))
        .region;
    let results = evaluate_with_alternative(&region, &AllocConfig::default())
        .unwrap_or_else(|e| panic!("{path} should solve: {e}"))
        .results;
    (region, results)
}

/// Million tonnes, one decimal.
fn mt(t: f64) -> String {
    format!("{:.1} Mt", t / 1e6)
}

/// Million tonnes, two decimals (CO2).
fn mt2(t: f64) -> String {
    format!("{:.2} Mt", t / 1e6)
}

/// A percentage with one decimal.
fn pct(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.1} %", r * 100.0))
        .unwrap_or_else(|| "–".into())
}

/// A whole number with a space every three digits ("1 156").
fn grouped(x: f64) -> String {
    let v = x.round();
    let digits = format!("{}", v.abs() as u128);
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(ch);
    }
    if v < 0.0 {
        format!("−{out}")
    } else {
        out
    }
}

fn hydrogen(r: &Results) -> Balance {
    let mut h = Balance::default();
    for (_, b) in &r.hydrogen {
        h.add(b);
    }
    h
}

fn material_name(region: &Region, id: usize) -> String {
    let name = &region.materials[id].name;
    // Lower-case in running text, except acronyms ("CFB ash", "FGD gypsum").
    match name.split_once(' ') {
        Some((first, rest)) if first.chars().skip(1).all(|c| c.is_lowercase()) => {
            format!("{} {rest}", first.to_lowercase())
        }
        None if name.chars().skip(1).all(|c| c.is_lowercase()) => name.to_lowercase(),
        _ => name.clone(),
    }
}

fn park_label(region: &Region, id: usize) -> String {
    let p = &region.parks[id];
    format!("{} ({})", p.short_name, p.id)
}

/// One row of the README's headline table.
fn headline_row(name: &str, r: &Results) -> String {
    let s = &r.solids;
    let target = if r.target.meets {
        "met".to_string()
    } else {
        format!("missed by {}", mt(r.target.shortfall))
    };
    let h = hydrogen(r);
    format!(
        "| {name} | {} | {} | {} | {target} | {} M yuan | {} | {} of {:.1} kt |\n",
        mt(s.generated),
        mt(s.utilised()),
        pct(s.rate()),
        grouped(r.cost.total() / 1e6),
        mt2(r.co2_avoided_t - r.co2_transport_t),
        pct(h.rate()),
        h.generated / 1e6,
    )
}

/// Both objectives of one run, each under the accounting rule and strict (backfill and
/// ecological restoration not counted), and the cost of moving between them.
fn two_questions_row(name: &str, r: &Results) -> String {
    let a = r
        .alternative
        .as_ref()
        .expect("the alternative objective is solved");
    let primary = format!("{} / {}", pct(r.solids.rate()), pct(r.solids.strict_rate()));
    let other = format!(
        "{} / {}",
        pct(a.utilisation_rate),
        pct(a.strict_utilisation_rate)
    );
    let (potential, least_cost) = match a.objective {
        symbiosim::model::Objective::Cost => (primary, other),
        symbiosim::model::Objective::MaxUtilisation => (other, primary),
    };
    let m = &a.moving;
    let per_t = m
        .yuan_per_extra_t
        .map_or("–".to_string(), |y| format!("{y:.1} yuan/t"));
    format!(
        "| {name} | {potential} | {least_cost} | {} M yuan/yr for {} more: {per_t} |\n",
        grouped(m.delta_cost_yuan / 1e6),
        mt2(m.delta_utilised_t),
    )
}

/// The block of README.md: the Ordos headline results.
fn readme_block() -> String {
    let (_, res20) = eval("scenarios/ordos_2020.toml");
    let (r25, res25) = eval("scenarios/ordos_2025.toml");
    let mut s = String::new();
    s.push_str(&format!(
        "| scenario | solids generated | utilised | rate | target {:.0} % | net cost per year | CO2 avoided (net) | hydrogen used |\n",
        r25.target.rate * 100.0
    ));
    s.push_str("|---|---:|---:|---:|---|---:|---:|---:|\n");
    s.push_str(&headline_row("ordos_2020", &res20));
    s.push_str(&headline_row("ordos_2025", &res25));
    s.push('\n');
    s.push_str(
        "| scenario | technical potential: rate / strict | least cost: rate / strict | cost of moving from least cost to potential |\n",
    );
    s.push_str("|---|---:|---:|---|\n");
    s.push_str(&two_questions_row("ordos_2020", &res20));
    s.push_str(&two_questions_row("ordos_2025", &res25));
    s.push('\n');
    let gaps: Vec<String> = res25
        .gaps
        .iter()
        .take(3)
        .map(|g| {
            format!(
                "{} {}: {}, {} short (at {})",
                r25.parks[g.park.0].id,
                r25.parks[g.park.0].short_name,
                material_name(&r25, g.material.0),
                mt(g.shortfall),
                pct(g.rate)
            )
        })
        .collect();
    s.push_str(&format!(
        "Biggest gaps to the target rate in 2025: {}.\n",
        gaps.join("; ")
    ));
    s
}

/// Rates of every solid material with something generated or drawn, in declaration order.
fn rates_by_material(region: &Region, r: &Results) -> String {
    r.by_material
        .iter()
        .filter(|(_, b)| b.generated + b.stockpile_drawn > 0.0)
        .map(|(m, b)| {
            let mut s = format!("{} {}", material_name(region, m.0), pct(b.rate()));
            if b.stockpile_drawn > 0.0 {
                s.push_str(&format!(
                    " (with {} drawn from stockpiles)",
                    mt(b.stockpile_drawn)
                ));
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The block of scenarios/README.md: results of both files, by material.
fn scenarios_block() -> String {
    let mut s = String::new();
    for (year, path) in [
        ("2025", "scenarios/ordos_2025.toml"),
        ("2020", "scenarios/ordos_2020.toml"),
    ] {
        let (region, r) = eval(path);
        let target = if r.target.meets {
            "the target is met".to_string()
        } else {
            format!("{} short of the target", mt(r.target.shortfall))
        };
        s.push_str(&format!(
            "- **{year}:** the solids rate is {}, {target}; {} CO2 avoided (net of transport).\n",
            pct(r.solids.rate()),
            mt2(r.co2_avoided_t - r.co2_transport_t),
        ));
        s.push_str(&format!(
            "  - Rate by material: {}.\n",
            rates_by_material(&region, &r)
        ));
        let dumped: Vec<String> = r
            .by_park
            .iter()
            .filter(|(_, b)| b.dumped >= 0.05e6)
            .map(|(p, b)| format!("{} in {}", mt(b.dumped), park_label(&region, p.0)))
            .collect();
        if !dumped.is_empty() {
            s.push_str(&format!(
                "  - Dumped non-compliantly (beyond the landfill limit): {}.\n",
                dumped.join(", ")
            ));
        }
        let mut unused: Vec<(f64, String)> = r
            .by_material
            .iter()
            .map(|(m, b)| (b.disposed, material_name(&region, m.0)))
            .filter(|(x, _)| *x >= 0.05e6)
            .collect();
        unused.sort_by(|a, b| b.0.total_cmp(&a.0));
        s.push_str(&format!(
            "  - Largest unused streams: {}.\n",
            unused
                .iter()
                .take(3)
                .map(|(x, n)| format!("{} of {n}", mt(*x)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        let mut without_gangue = Balance::default();
        for (m, b) in &r.by_material {
            if region.materials[m.0].id != "coal_gangue" {
                without_gangue.add(b);
            }
        }
        s.push_str(&format!(
            "  - Rate excluding coal gangue: {}.\n",
            pct(without_gangue.rate())
        ));
        let backfill: f64 = r
            .by_route
            .iter()
            .filter(|(route, unit, _)| {
                region.routes[route.0].id == "open_pit_backfill" && unit == "t"
            })
            .map(|(_, _, x)| x)
            .sum();
        let mut rest = r.solids;
        rest.utilised_new -= backfill;
        s.push_str(&format!(
            "  - Open-pit backfill utilises {} ({} of all solids utilised); not counting it, the rate would be {}.\n",
            mt(backfill),
            pct(Some(backfill / r.solids.utilised())),
            pct(rest.rate())
        ));
        let h = hydrogen(&r);
        s.push_str(&format!(
            "  - Hydrogen: {} used ({:.1} of {:.1} kt).\n",
            pct(h.rate()),
            h.utilised() / 1e6,
            h.generated / 1e6
        ));
    }
    s
}

/// `symbiosim plan scenarios/ordos_2025.toml --samples 1000 --seed 1 --confidence 0.9`, with
/// the target rate set to `rate`.
fn ordos_plan(rate: f64) -> (Region, symbiosim::analysis::plan::Plan) {
    use symbiosim::analysis::plan::{plan, PlanConfig, DEFAULT_MAX_EVALUATIONS};
    let l = scenario::load(Path::new("scenarios/ordos_2025.toml")).unwrap();
    let mut region = l.region;
    region.target.rate = rate;
    let cfg = PlanConfig {
        samples: 1000,
        seed: 1,
        confidence: 0.9,
        check_samples: 1000,
        check_seed: 2,
        max_evaluations: DEFAULT_MAX_EVALUATIONS,
    };
    let p = plan(&region, &l.uncertain, cfg, &|_| {}).unwrap();
    (region, p)
}

/// Million yuan per year, one decimal.
fn myuan(x: f64) -> String {
    format!("{:.1} M yuan/yr", x / 1e6)
}

/// The plan block of README.md: what `plan` recommends for Ordos 2025 at three targets.
fn plan_block() -> String {
    let mut s = String::new();
    s.push_str("| target rate, P ≥ 90 % | measures chosen | annual cost | P(meet), in sample / out of sample (95 % interval) | expected rate |\n");
    s.push_str("|---|---|---:|---|---:|\n");
    let mut baseline = None;
    for rate in [0.80, 0.60, 0.55] {
        let (region, p) = ordos_plan(rate);
        let pct = |x: f64| format!("{:.1} %", x * 100.0);
        let row = match &p.chosen {
            Some(c) => {
                let check = p.out_of_sample.as_ref().expect("a check is asked for");
                let proven = if p.optimal {
                    "proven optimal".to_string()
                } else {
                    format!("lower bound {}", p.lower_bound.map_or("none".into(), myuan))
                };
                format!(
                    "| {} | {} | {} ({proven}) | {:.3} / {:.3} ({:.3}–{:.3}) | {} |\n",
                    pct(rate),
                    c.ids(&region).join(", "),
                    myuan(c.annual_cost),
                    c.p(),
                    check.p(),
                    check.ci95.0,
                    check.ci95.1,
                    c.mean_rate.map_or("–".into(), pct),
                )
            }
            None => format!(
                "| {} | none: {} | – | best found {:.3} (by {} measures, {}) | {} |\n",
                pct(rate),
                if p.stop == symbiosim::analysis::plan::Stop::Exhausted {
                    "proven out of reach"
                } else {
                    "none found within the limits"
                },
                p.best.p(),
                p.best.mask.count_ones(),
                myuan(p.best.annual_cost),
                p.best.mean_rate.map_or("–".into(), pct),
            ),
        };
        s.push_str(&row);
        baseline.get_or_insert((p.baseline.mean_rate, region.candidates.len()));
    }
    let (mean, n) = baseline.unwrap();
    s.push_str(&format!(
        "\nWithout any measure the expected rate is {} over the same samples; {n} candidate measures.\n",
        mean.map_or("–".into(), |x| format!("{:.1} %", x * 100.0))
    ));
    s
}

/// The candidate measures of `scenarios/ordos_2025.toml` at the central values: every measure
/// together (the more expensive, larger option of each exclusive pair) under both objectives,
/// the Zhungeer-share P4 backfill alone and the landfill fee alone (least cost).
fn candidates_block() -> String {
    use symbiosim::model::Objective;
    let l = scenario::load(Path::new("scenarios/ordos_2025.toml")).unwrap();
    let base = l.region;
    let cands = &base.candidates;
    let n = cands.len();
    let id = |s: &str| cands.list.iter().position(|c| c.id == s).unwrap();
    let mut all = vec![true; n];
    for (i, c) in cands.list.iter().enumerate() {
        for &j in &c.excludes {
            if cands.list[j].annual_cost > c.annual_cost {
                all[i] = false;
            }
        }
    }
    assert!(cands.admissible(&all));
    let rate = |chosen: &[bool], objective: Objective| {
        let mut r = cands.region_for(&base, chosen);
        r.settings.objective = objective;
        let res = evaluate_with_alternative(&r, &AllocConfig::default())
            .unwrap()
            .results;
        (res.target.achieved.unwrap(), res.target.shortfall)
    };
    let none = vec![false; n];
    let only = |s: &str| {
        let mut v = none.clone();
        v[id(s)] = true;
        v
    };
    let pts = |x: f64| format!("{:.1}", x * 100.0);
    let (tp0, _) = rate(&none, Objective::MaxUtilisation);
    let (tp_all, short) = rate(&all, Objective::MaxUtilisation);
    let (lc0, _) = rate(&none, Objective::Cost);
    let (lc_all, _) = rate(&all, Objective::Cost);
    let (eco, _) = rate(&only("eco_p4_other_zhungeer"), Objective::MaxUtilisation);
    let (fee, _) = rate(&only("landfill_fee_25"), Objective::Cost);
    format!(
        "At the central values, under `max_utilisation` (the file's objective) every measure \
         together (the larger of each exclusive pair) reaches {} % ({} short of {:.0} %) for \
         {:.1}×10⁶ yuan/yr, against {} % without them; under `--objective cost`, {} % against \
         {} %. The Zhungeer-share P4 ecological backfill alone adds {} points; the landfill fee \
         alone, under `cost`, {} points.\n",
        pts(tp_all),
        mt(short),
        base.target.rate * 100.0,
        cands.cost(&all) / 1e6,
        pts(tp0),
        pts(lc_all),
        pts(lc0),
        pts(eco - tp0),
        pts(fee - lc0),
    )
}

/// Asserts that `file` holds `block` between the markers (or rewrites it when blessing).
fn check(file: &str, block: &str) {
    check_between(file, block, BEGIN, END)
}

/// [`check`] between other markers.
fn check_between(file: &str, block: &str, begin: &str, end: &str) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let start = text
        .find(begin)
        .unwrap_or_else(|| panic!("{file} has no `{begin}` marker"))
        + begin.len();
    let end = start
        + text[start..]
            .find(end)
            .unwrap_or_else(|| panic!("{file} has no `{end}` marker after `{begin}`"));
    let want = format!("\n{block}");
    if text[start..end] == want {
        return;
    }
    if std::env::var("SYMBIOSIM_BLESS").as_deref() == Ok("1") {
        let updated = format!("{}{want}{}", &text[..start], &text[end..]);
        std::fs::write(file, updated).unwrap_or_else(|e| panic!("{file}: {e}"));
        eprintln!("{file}: figures block rewritten");
        return;
    }
    panic!(
        "{file}: the figures block is out of date.\n--- in the file:\n{}\n--- from the library:\n{want}\n\
         Rerun with SYMBIOSIM_BLESS=1 to rewrite it, and review the diff.",
        &text[start..end]
    );
}

#[test]
fn readme_headline_figures_are_current() {
    check("README.md", &readme_block());
}

#[test]
fn readme_plan_figures_are_current() {
    check_between(
        "README.md",
        &plan_block(),
        "<!-- plan:begin -->",
        "<!-- plan:end -->",
    );
}

#[test]
fn scenarios_readme_candidate_figures_are_current() {
    check_between(
        "scenarios/README.md",
        &candidates_block(),
        "<!-- candidates:begin -->",
        "<!-- candidates:end -->",
    );
}

#[test]
fn scenarios_readme_figures_are_current() {
    check("scenarios/README.md", &scenarios_block());
}

/// The chart shown in README.md is the one the main command draws today.
#[test]
fn readme_chart_image_is_current() {
    use symbiosim::report::{charts, utilisation_chart_data};
    let (region, r) = eval("scenarios/ordos_2025.toml");
    let png = charts::utilisation_png(&utilisation_chart_data(&region, &r)).unwrap();
    let path = Path::new("docs/img/utilisation.png");
    if std::env::var("SYMBIOSIM_BLESS").as_deref() == Ok("1") {
        std::fs::write(path, &png).unwrap();
        return;
    }
    let committed = std::fs::read(path).unwrap();
    assert!(
        committed == png,
        "docs/img/utilisation.png differs from the chart the main command draws \
         ({} bytes committed, {} bytes now). Rerun with SYMBIOSIM_BLESS=1 to rewrite it, \
         and look at it.",
        committed.len(),
        png.len()
    );
}

/// Utilised by route `id` (solids, t/yr).
fn route_t(region: &Region, r: &Results, id: &str) -> f64 {
    r.by_route
        .iter()
        .filter(|(route, unit, _)| region.routes[route.0].id == id && unit == "t")
        .map(|(_, _, x)| x)
        .sum()
}

/// `scenarios/README.md`, "Route kinds and accounting": the solids rate under each rule, the
/// backfill tonnes and the materials whose rate falls most under the strict rule.
fn accounting_block() -> String {
    let runs = [
        ("2025", eval("scenarios/ordos_2025.toml")),
        ("2020", eval("scenarios/ordos_2020.toml")),
    ];
    let mut s = String::from(
        "| | default (`china_statistical`) | strict (no backfill or restoration) |\n|---|---:|---:|\n",
    );
    for (year, (_, r)) in &runs {
        s.push_str(&format!(
            "| {year} solids | {} | {} |\n",
            pct(r.solids.rate()),
            pct(r.solids.strict_rate())
        ));
    }
    let backfill = |region: &Region, r: &Results| {
        let (open, under) = (
            route_t(region, r, "open_pit_backfill"),
            route_t(region, r, "underground_backfill"),
        );
        (open + under, open, under)
    };
    let (b25, o25, u25) = backfill(&runs[0].1 .0, &runs[0].1 .1);
    let (b20, o20, u20) = backfill(&runs[1].1 .0, &runs[1].1 .1);
    let (region, r) = &runs[0].1;
    let mut drops: Vec<(f64, String)> = r
        .by_material
        .iter()
        .filter_map(|(m, b)| {
            let (a, st) = (b.rate()?, b.strict_rate()?);
            Some((
                a - st,
                format!(
                    "{} ({} → {})",
                    material_name(region, m.0),
                    pct(Some(a)),
                    pct(Some(st))
                ),
            ))
        })
        .collect();
    drops.sort_by(|a, b| b.0.total_cmp(&a.0));
    let top: Vec<String> = drops.into_iter().take(3).map(|(_, t)| t).collect();
    s.push_str(&format!(
        "\nBackfill utilises {} in 2025 ({} open-pit, {} underground) and {} in 2020 ({} + {}).\nThe strict rate falls most for {} (2025).\n",
        mt(b25),
        mt(o25),
        mt(u25),
        mt(b20),
        mt(o20),
        mt(u20),
        top.join(", ")
    ));
    s
}

/// `scenarios/README.md`, "Dumping (P8)": what is dumped, and the same run with dumping
/// forbidden (`--set policy.allow_dumping=false`).
fn dumping_block() -> String {
    let (region, r) = eval("scenarios/ordos_2025.toml");
    let mut legal = region.clone();
    legal.policy.allow_dumping = false;
    let l = evaluate_with_alternative(&legal, &AllocConfig::default())
        .expect("ordos_2025 places every tonne legally")
        .results;
    let p8 = region.parks.iter().position(|p| p.id == "P8").unwrap();
    let p8_rate = |r: &Results| {
        r.by_park
            .iter()
            .find(|(p, _)| p.0 == p8)
            .and_then(|(_, b)| b.rate())
    };
    let dumped = r.solids.dumped;
    // P8's waste hauled to other parks once dumping is forbidden: the range of distances.
    let kms: Vec<f64> = l
        .flows
        .iter()
        .filter(|f| {
            region.top_park(region.producers[f.producer.0].park).0 == p8
                && region.top_park(region.consumers[f.consumer.0].park).0 != p8
                && f.quantity > 0.0
        })
        .map(|f| f.km)
        .collect();
    let (lo, hi) = kms
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(a, b), &k| (a.min(k), b.max(k)));
    let same = (l.solids.rate().unwrap() - r.solids.rate().unwrap()).abs() < 5e-4;
    let landfill = |r: &Results| {
        let l = r
            .landfills
            .iter()
            .find(|l| l.park.0 == p8)
            .expect("P8's landfill");
        assert!(l.full, "P8's landfill is full");
        l.capacity_value.expect("computed")
    };
    let cap = region.parks[p8].landfill_capacity.expect("P8 is limited");
    format!(
        "P8's landfill ({}/yr) ends full (`landfills.csv`): one more tonne of its capacity is worth\n{:.2} yuan/t with dumping allowed (the tax a dumped tonne pays) and {:.2} yuan/t with it forbidden\n(the haul it spares).\n",
        mt(cap),
        landfill(&r),
        landfill(&l),
    ) + &format!(
        "So {} a year are dumped in P8 (taxed) and shown in every output. This dumping is an economic\nchoice, not forced: with `--set policy.allow_dumping=false` the run places all the waste\nlegally (no \"no legal fate\" error) at {} total rate, {} (strict {}), by hauling P8's\nwaste {:.0}–{:.0} km to consumers in other parks, for about {:.0} M yuan/yr more ({:.3} against\n{:.3} ×10⁹ yuan/yr). P8's own rate is then {} instead of {}.\n",
        mt(dumped),
        if same { "the same" } else { "another" },
        pct(l.solids.rate()),
        pct(l.solids.strict_rate()),
        lo,
        hi,
        (l.cost.total() - r.cost.total()) / 1e6,
        l.cost.total() / 1e9,
        r.cost.total() / 1e9,
        pct(p8_rate(&l)),
        pct(p8_rate(&r)),
    )
}

#[test]
fn scenarios_readme_accounting_and_dumping_figures_are_current() {
    check_between(
        "scenarios/README.md",
        &accounting_block(),
        "<!-- accounting:begin -->",
        "<!-- accounting:end -->",
    );
    check_between(
        "scenarios/README.md",
        &dumping_block(),
        "<!-- dumping:begin -->",
        "<!-- dumping:end -->",
    );
}

/// Claims the prose of `scenarios/README.md` makes about the figures (doubts 5 and 18).
#[test]
fn scenarios_readme_claims_hold() {
    let (region, r) = eval("scenarios/ordos_2025.toml");
    let fly_ash = r
        .by_material
        .iter()
        .find(|(m, _)| region.materials[m.0].id == "fly_ash")
        .and_then(|(_, b)| b.rate())
        .unwrap();
    assert!(
        fly_ash > 0.65,
        "doubt 5 says the fly-ash rate is above the sheet's 55–65 %: {fly_ash}"
    );
    for path in ["scenarios/ordos_2025.toml", "scenarios/ordos_2020.toml"] {
        let (_, r) = eval(path);
        assert_eq!(
            r.solids.stockpile_drawn, 0.0,
            "doubt 18 says no stock is drawn ({path})"
        );
    }
}

/// `docs/format.md`, "Caps": the shipped Ordos 2025 is within 7 % of every cap and within 2 %
/// of all but the modes'.
#[test]
fn caps_are_far_above_the_shipped_scenario() {
    use symbiosim::scenario::caps;
    let path = "scenarios/ordos_2025.toml";
    let bytes = std::fs::metadata(path).unwrap().len();
    let r = eval(path).0;
    let intakes: usize = r.consumers.iter().map(|c| c.intakes.len()).sum();
    let shares = [
        ("bytes", bytes as f64 / caps::SCENARIO_BYTES as f64),
        ("parks", r.parks.len() as f64 / caps::PARKS as f64),
        (
            "materials",
            r.materials.len() as f64 / caps::MATERIALS as f64,
        ),
        ("routes", r.routes.len() as f64 / caps::ROUTES as f64),
        (
            "producers",
            r.producers.len() as f64 / caps::PRODUCERS as f64,
        ),
        (
            "consumers",
            r.consumers.len() as f64 / caps::CONSUMERS as f64,
        ),
        ("intakes", intakes as f64 / caps::INTAKES as f64),
    ];
    for (what, share) in shares {
        assert!(share < 0.02, "{what}: {share}");
    }
    let modes = r.modes.len() as f64 / caps::MODES as f64;
    assert!(modes < 0.07, "modes: {modes}");
}

/// `scenarios/README.md`, "Load factors": the solids rate with every load factor 1 and with the
/// files' own, under both objectives.
fn load_block() -> String {
    let mut parts = Vec::new();
    for (year, path) in [
        ("2025", "scenarios/ordos_2025.toml"),
        ("2020", "scenarios/ordos_2020.toml"),
    ] {
        let region = scenario::load(Path::new(path)).unwrap().region;
        let mut ones = region.clone();
        for r in &mut ones.routes {
            r.load_factor = 1.0;
        }
        for c in &mut ones.consumers {
            c.load_factor = 1.0;
        }
        let mut cells = Vec::new();
        for (name, objective) in [
            (
                "max_utilisation",
                symbiosim::model::Objective::MaxUtilisation,
            ),
            ("cost", symbiosim::model::Objective::Cost),
        ] {
            let rate = |r: &Region| {
                let mut r = r.clone();
                r.settings.objective = objective;
                symbiosim::analysis::evaluate(&r, &AllocConfig::default())
                    .unwrap()
                    .results
                    .solids
                    .rate()
            };
            cells.push(format!(
                "`{name}` {} → {}",
                pct(rate(&ones)),
                pct(rate(&region))
            ));
        }
        parts.push(format!("- {year}: {}", cells.join(", ")));
    }
    parts.join("\n") + "\n"
}

/// `scenarios/README.md`, "Uncertainty": 1 000 samples (seed 1) of each Ordos year under both
/// objectives.
fn mc_block() -> String {
    let mut s = String::from(
        "| year, objective | plain run | P(meet 80 %) | rate p5 / p50 / p95 | strict p5 / p50 / p95 |\n|---|---:|---:|---|---|\n",
    );
    let mut highest = 0.0f64;
    for (year, path) in [
        ("2025", "scenarios/ordos_2025.toml"),
        ("2020", "scenarios/ordos_2020.toml"),
    ] {
        let l = scenario::load(Path::new(path)).unwrap();
        for (name, objective) in [
            (
                "max_utilisation",
                symbiosim::model::Objective::MaxUtilisation,
            ),
            ("cost", symbiosim::model::Objective::Cost),
        ] {
            let mut region = l.region.clone();
            region.settings.objective = objective;
            let plain = symbiosim::analysis::evaluate(&region, &AllocConfig::default())
                .unwrap()
                .results;
            let mc = symbiosim::analysis::monte_carlo(&region, &l.uncertain, 1, 0, 1000, &|_| {})
                .unwrap();
            let q = |st: &Option<symbiosim::analysis::Stats>| {
                st.map(|st| {
                    format!(
                        "{:.1} / {:.1} / {:.1} %",
                        st.p5 * 100.0,
                        st.p50 * 100.0,
                        st.p95 * 100.0
                    )
                })
                .unwrap_or_else(|| "–".into())
            };
            if year == "2025" && name == "max_utilisation" {
                highest = mc.rates.iter().fold(0.0, |a, &b| a.max(b));
            }
            s.push_str(&format!(
                "| {year}, `{name}` | {} | {} | {} | {} |\n",
                pct(plain.target.achieved),
                symbiosim::report::round(mc.p_meet_target, 3),
                q(&mc.rate),
                q(&mc.strict_rate)
            ));
        }
    }
    s.push_str(&format!(
        "\nThe highest 2025 `max_utilisation` sample reaches {}.\n",
        pct(Some(highest))
    ));
    s
}

#[test]
fn scenarios_readme_load_factor_and_monte_carlo_figures_are_current() {
    check_between(
        "scenarios/README.md",
        &load_block(),
        "<!-- load:begin -->",
        "<!-- load:end -->",
    );
    check_between(
        "scenarios/README.md",
        &mc_block(),
        "<!-- mc:begin -->",
        "<!-- mc:end -->",
    );
}

/// The table of `compare scenarios/ordos_2025.toml scenarios/strategies/*.toml --samples 1000
/// --seed 1` (the strategies in file-name order, as the shell's glob gives them).
fn compare_block() -> String {
    use symbiosim::analysis::compare::{compare, CompareConfig, Strategy};
    use symbiosim::model::Objective;
    use symbiosim::scenario::strategy;
    let base = scenario::load(Path::new("scenarios/ordos_2025.toml")).unwrap();
    let mut files: Vec<_> = std::fs::read_dir("scenarios/strategies")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let loaded: Vec<_> = files
        .iter()
        .map(|p| {
            let id = p.file_stem().unwrap().to_string_lossy().into_owned();
            (id, strategy::load(p, &[]).unwrap().1)
        })
        .collect();
    let mut list = vec![Strategy {
        id: "ordos_2025",
        region: &base.region,
        entries: &base.uncertain,
    }];
    for (id, l) in &loaded {
        list.push(Strategy {
            id,
            region: &l.region,
            entries: &l.uncertain,
        });
    }
    let cfg = CompareConfig {
        samples: Some((1000, 1)),
        alloc: AllocConfig::default(),
    };
    let rows = compare(&list, &cfg, &|_| {});
    let pct = |x: Option<f64>| x.map(|r| format!("{:.1} %", r * 100.0)).unwrap_or_default();
    let myuan = |x: f64| format!("{:.1}", x / 1e6);
    let mut s = String::new();
    s.push_str("| strategy | measures (annual cost, M yuan/yr) | least cost: rate / strict | technical potential: rate / strict | resource cost at potential, M yuan/yr | P(rate ≥ 80 %) (95 % interval) | rate p5–p95 | Δ rate vs base, points (95 % interval) |\n");
    s.push_str("|---|---|---|---|---:|---|---|---|\n");
    for (st, row) in list.iter().zip(&rows) {
        let answers = row.answers.as_ref().expect("every shipped strategy solves");
        let get = |o: Objective| answers.iter().find(|a| a.objective == o).unwrap();
        let (lc, tp) = (get(Objective::Cost), get(Objective::MaxUtilisation));
        let c = &st.region.candidates;
        let n = c.applied().count();
        let u = row.uncertainty.as_ref().unwrap().as_ref().unwrap();
        let rate = u.rate.unwrap();
        let diff = match &u.paired {
            Some(p) => {
                let (lo, hi) = p.rate_diff_ci95.unwrap();
                format!(
                    "{:+.1} ({:+.1} to {:+.1})",
                    p.rate_diff_mean.unwrap() * 100.0,
                    lo * 100.0,
                    hi * 100.0
                )
            }
            None => "–".into(),
        };
        s.push_str(&format!(
            "| {} | {} ({}) | {} / {} | {} / {} | {} | {:.3} ({:.3}–{:.3}) | {}–{} | {} |\n",
            st.id,
            n,
            myuan(c.cost(&c.applied)),
            pct(lc.results.target.achieved),
            pct(lc.results.target.strict_achieved),
            pct(tp.results.target.achieved),
            pct(tp.results.target.strict_achieved),
            myuan(tp.money.resource),
            u.p_meet_target,
            u.p_ci95.0,
            u.p_ci95.1,
            pct(Some(rate.p5)),
            pct(Some(rate.p95)),
            diff
        ));
    }
    s.push_str(&format!(
        "\nMonte Carlo: 1 000 samples (seed 1) of the base's {} uncertain inputs, the same draws for every strategy, under the base's objective (technical potential).\n",
        base.uncertain.len()
    ));
    s
}

#[test]
fn readme_compare_figures_are_current() {
    check_between(
        "README.md",
        &compare_block(),
        "<!-- compare:begin -->",
        "<!-- compare:end -->",
    );
}

/// The trajectory of `run scenarios/ordos_path.toml --samples 1000 --seed 1`.
fn path_block() -> String {
    use symbiosim::analysis::path::{evaluate_path, path_monte_carlo, PathConfig};
    let l = scenario::path::load(Path::new("scenarios/ordos_path.toml"), &[]).unwrap();
    let cfg = PathConfig {
        alloc: AllocConfig::default(),
        force_joint: false,
    };
    let r = evaluate_path(&l.path, &cfg).unwrap();
    let uncertain: Vec<_> = l.years.iter().map(|y| y.uncertain.clone()).collect();
    let mc = path_monte_carlo(&l.path, &uncertain, (1000, 1, 0), &cfg, &|| ()).unwrap();
    let pct = |x: Option<f64>| x.map(|r| format!("{:.1} %", r * 100.0)).unwrap_or_default();
    let mt = |x: f64| format!("{:.1}", x / 1e6);
    let mut s = String::from(
        "| year | rate / strict | generated, Mt | utilised, Mt | of which backfill measures' sinks, Mt | disposed (dumped), Mt | P8 landfill room left, Mt | Monte Carlo rate p5–p95 |\n|---|---|---:|---:|---:|---|---:|---|\n",
    );
    for (t, y) in r.years.iter().enumerate() {
        let b = &y.results.solids;
        // What the started measures' new consumers took.
        let measures: f64 = y
            .results
            .consumers
            .iter()
            .filter(|c| {
                let id = &y.region.consumers[c.consumer.0].id;
                y.region.candidates.applied().any(|m| {
                    m.effects.iter().any(
                        |e| matches!(e, symbiosim::model::Effect::NewConsumer(k) if &k.id == id),
                    )
                })
            })
            .map(|c| c.intake)
            .sum();
        let room = y.rooms.first().map(|l| l.end).unwrap_or(f64::NAN);
        let band = mc.rate[t].as_ref().unwrap();
        s.push_str(&format!(
            "| {}{} | {} / {} | {} | {} | {} | {} ({}) | {} | {}–{} |\n",
            y.year,
            if t == r.target_index { " (target)" } else { "" },
            pct(y.results.target.achieved),
            pct(y.results.target.strict_achieved),
            mt(b.generated),
            mt(b.utilised()),
            mt(measures + 0.0),
            mt(b.disposed),
            mt(b.dumped),
            mt(room),
            pct(Some(band.p5)),
            pct(Some(band.p95)),
        ));
    }
    let (p, (lo, hi)) = mc.p_meet();
    s.push_str(&format!(
        "\nSolved jointly ({} nodes, {} arcs). P(rate ≥ 80 % in 2025) = {:.3} (95 % interval {:.3}–{:.3}) over 1 000 samples (seed 1) of the target year's {} independent uncertain inputs (its `[[uncertain]]` entries, groups drawn as one), the same draw in every year.\n",
        r.nodes,
        r.arcs,
        p,
        lo,
        hi,
        mc.inputs.len()
    ));
    s
}

#[test]
fn readme_path_figures_are_current() {
    check_between(
        "README.md",
        &path_block(),
        "<!-- path:begin -->",
        "<!-- path:end -->",
    );
}
