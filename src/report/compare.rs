//! The outputs of `compare`: `comparison.csv` (one row per strategy), `comparison.json` (the
//! same with every material's rate and range and every landfill), `comparison_materials.csv`
//! and `comparison_landfills.csv` (long tables), `inputs_diff.csv` (what each strategy
//! changes), `comparison.png` (rendered by `charts`), and the terminal table.

use super::format::{csv_number as num, csv_rate, percent_summary, yuan as yuan_text};
use super::tables::csv_table;
use super::{OutputFile, ReportError};
use crate::analysis::compare::{Answer, Money, Paired, Row, Uncertainty};
use crate::analysis::{RateRange, Results};
use crate::model::{MaterialClass, Objective, Region};
use serde::Serialize;

/// A strategy as the outputs label it, in the rows' order (the base first).
#[derive(Debug, Clone)]
pub struct Labelled<'a> {
    pub id: &'a str,
    pub title: &'a str,
    /// The strategy's file (the base's scenario file for the base).
    pub file: &'a str,
    pub region: &'a Region,
}

/// One value a strategy changes (`inputs_diff.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputChange {
    pub strategy: String,
    pub path: String,
    /// The base's value; `None`: the default (or a CSV cell, `in_table`).
    pub base: Option<String>,
    pub in_table: bool,
    pub value: String,
    pub origin: String,
}

const OBJECTIVES: [(&str, Objective); 2] = [
    ("least_cost", Objective::Cost),
    ("technical_potential", Objective::MaxUtilisation),
];

fn answer(row: &Row, objective: Objective) -> Option<&Answer> {
    row.answers
        .as_ref()
        .ok()?
        .iter()
        .find(|a| a.objective == objective)
}

/// Hydrogen utilised, kg per year (materials measured in kg; never in the solids rate).
fn hydrogen_kg(region: &Region, r: &Results) -> f64 {
    let mut sum = 0.0;
    for (m, b) in &r.hydrogen {
        if region.materials[m.0].unit == "kg" {
            sum += b.utilised();
        }
    }
    sum
}

/// Resource cost per extra counted unit in the target's scope against the base (yuan/t);
/// `None` when the strategy counts no more than the base.
fn per_extra(a: &Answer, base: Option<&Answer>) -> Option<f64> {
    let b = base?;
    let extra = a.results.target.scope_utilised - b.results.target.scope_utilised;
    (extra > 0.0).then(|| (a.money.resource - b.money.resource) / extra)
}

/// The status cell: `ok`, or why the strategy or its Monte Carlo failed.
fn status(row: &Row) -> String {
    match (&row.answers, &row.uncertainty) {
        (Err(e), _) => format!("failed: {e}"),
        (Ok(_), Some(Err(e))) => format!("monte carlo failed: {e}"),
        _ => "ok".into(),
    }
}

fn measures(region: &Region) -> String {
    region
        .candidates
        .applied()
        .map(|c| c.id.as_str())
        .collect::<Vec<_>>()
        .join(";")
}

struct Line<'a> {
    label: &'a Labelled<'a>,
    row: &'a Row,
    base: &'a Row,
}

type Cell = Box<dyn Fn(&Line<'_>) -> String>;

fn columns(with_samples: bool) -> Vec<(String, Cell)> {
    let mut c: Vec<(String, Cell)> = vec![
        ("strategy".into(), Box::new(|l| l.label.id.to_string())),
        ("title".into(), Box::new(|l| l.label.title.to_string())),
        ("status".into(), Box::new(|l| status(l.row))),
        (
            "measures".into(),
            Box::new(|l| match l.row.answers {
                Ok(_) => measures(l.label.region),
                Err(_) => String::new(),
            }),
        ),
        (
            "measures_annual_cost_yuan".into(),
            Box::new(|l| {
                let c = &l.label.region.candidates;
                match l.row.answers {
                    Ok(_) => num(c.cost(&c.applied), 2),
                    Err(_) => String::new(),
                }
            }),
        ),
    ];
    for (prefix, objective) in OBJECTIVES {
        type Metric = fn(&Region, &Answer, Option<&Answer>) -> String;
        let metrics: [(&str, Metric); 14] = [
            ("rate", |_, a, _| csv_rate(a.results.target.achieved)),
            ("rate_min", |_, a, _| {
                csv_rate(a.results.target.achieved_range.map(|r| r.min))
            }),
            ("rate_max", |_, a, _| {
                csv_rate(a.results.target.achieved_range.map(|r| r.max))
            }),
            ("strict_rate", |_, a, _| {
                csv_rate(a.results.target.strict_achieved)
            }),
            ("meets_target", |_, a, _| a.results.target.meets.to_string()),
            ("counted_utilised_t", |_, a, _| {
                num(a.results.target.scope_utilised, 3)
            }),
            ("dumped_t", |_, a, _| num(a.results.solids.dumped, 3)),
            ("resource_cost_yuan", |_, a, _| num(a.money.resource, 2)),
            ("firms_cost_yuan", |_, a, _| num(a.money.firms, 2)),
            ("government_net_revenue_yuan", |_, a, _| {
                num(a.money.government_net, 2)
            }),
            ("resource_yuan_per_extra_t", |_, a, b| {
                per_extra(a, b).map(|x| num(x, 2)).unwrap_or_default()
            }),
            ("co2_avoided_t", |_, a, _| num(a.results.co2_avoided_t, 3)),
            ("transport_tkm", |_, a, _| num(a.results.transport_tkm, 3)),
            ("hydrogen_utilised_kg", |r, a, _| {
                num(hydrogen_kg(r, &a.results), 3)
            }),
        ];
        for (name, f) in metrics {
            c.push((
                format!("{prefix}_{name}"),
                Box::new(move |l| match answer(l.row, objective) {
                    Some(a) => f(l.label.region, a, answer(l.base, objective)),
                    None => String::new(),
                }),
            ));
        }
    }
    if with_samples {
        type Mc = fn(&Uncertainty) -> String;
        let mc: [(&str, Mc); 17] = [
            ("samples", |u| u.samples.to_string()),
            ("seed", |u| u.seed.to_string()),
            ("p_meet_target", |u| csv_rate(Some(u.p_meet_target))),
            ("p_ci95_low", |u| csv_rate(Some(u.p_ci95.0))),
            ("p_ci95_high", |u| csv_rate(Some(u.p_ci95.1))),
            ("rate_p5", |u| csv_rate(u.rate.map(|s| s.p5))),
            ("rate_p50", |u| csv_rate(u.rate.map(|s| s.p50))),
            ("rate_p95", |u| csv_rate(u.rate.map(|s| s.p95))),
            ("strict_rate_p5", |u| csv_rate(u.strict_rate.map(|s| s.p5))),
            ("strict_rate_p50", |u| {
                csv_rate(u.strict_rate.map(|s| s.p50))
            }),
            ("strict_rate_p95", |u| {
                csv_rate(u.strict_rate.map(|s| s.p95))
            }),
            ("samples_no_legal_fate", |u| u.no_legal_fate.to_string()),
            ("paired_rate_diff", |u| {
                pair(u, |p| csv_rate(Some(p.rate_diff_mean)))
            }),
            ("paired_rate_diff_ci95_low", |u| {
                pair(u, |p| csv_rate(Some(p.rate_diff_ci95.0)))
            }),
            ("paired_rate_diff_ci95_high", |u| {
                pair(u, |p| csv_rate(Some(p.rate_diff_ci95.1)))
            }),
            ("paired_p_diff", |u| pair(u, |p| csv_rate(Some(p.p_diff)))),
            ("paired_p_diff_ci95", |u| {
                pair(u, |p| {
                    format!(
                        "{}..{}",
                        csv_rate(Some(p.p_diff_ci95.0)),
                        csv_rate(Some(p.p_diff_ci95.1))
                    )
                })
            }),
        ];
        for (name, f) in mc {
            c.push((
                name.to_string(),
                Box::new(move |l| match &l.row.uncertainty {
                    Some(Ok(u)) => f(u),
                    _ => String::new(),
                }),
            ));
        }
        c.push((
            "paired_only_strategy_meets".into(),
            Box::new(|l| match &l.row.uncertainty {
                Some(Ok(u)) => pair(u, |p| p.only_strategy.to_string()),
                _ => String::new(),
            }),
        ));
        c.push((
            "paired_only_base_meets".into(),
            Box::new(|l| match &l.row.uncertainty {
                Some(Ok(u)) => pair(u, |p| p.only_base.to_string()),
                _ => String::new(),
            }),
        ));
    }
    c
}

fn pair(u: &Uncertainty, f: impl Fn(&Paired) -> String) -> String {
    u.paired.as_ref().map(f).unwrap_or_default()
}

/// `comparison.csv`: one row per strategy, the base first.
pub fn comparison_csv(labels: &[Labelled<'_>], rows: &[Row]) -> Result<Vec<u8>, ReportError> {
    let with_samples = rows.iter().any(|r| r.uncertainty.is_some());
    let cols = columns(with_samples);
    let refs: Vec<(&str, &Cell)> = cols.iter().map(|(n, f)| (n.as_str(), f)).collect();
    let lines = labels.iter().zip(rows).map(|(label, row)| Line {
        label,
        row,
        base: &rows[0],
    });
    csv_table(&refs, lines)
}

/// `comparison_materials.csv`: every strategy × objective × solid material.
pub fn comparison_materials_csv(
    labels: &[Labelled<'_>],
    rows: &[Row],
) -> Result<Vec<u8>, ReportError> {
    type Item<'a> = (
        &'a str,
        &'static str,
        &'a str,
        Option<f64>,
        Option<RateRange>,
        Option<f64>,
        f64,
    );
    let mut items: Vec<Item> = Vec::new();
    for (l, row) in labels.iter().zip(rows) {
        for (name, objective) in OBJECTIVES {
            let Some(a) = answer(row, objective) else {
                continue;
            };
            for (m, b) in &a.results.by_material {
                let range = a
                    .results
                    .material_ranges
                    .iter()
                    .find(|(x, _)| x == m)
                    .map(|(_, r)| *r);
                let id = l.region.materials[m.0].id.as_str();
                items.push((
                    l.id,
                    name,
                    id,
                    b.rate(),
                    range,
                    b.strict_rate(),
                    b.utilised(),
                ));
            }
        }
    }
    type Col = (&'static str, fn(&Item<'_>) -> String);
    const COLS: &[Col] = &[
        ("strategy", |i| i.0.to_string()),
        ("objective", |i| i.1.to_string()),
        ("material", |i| i.2.to_string()),
        ("utilisation_rate", |i| csv_rate(i.3)),
        ("rate_min", |i| csv_rate(i.4.map(|r| r.min))),
        ("rate_max", |i| csv_rate(i.4.map(|r| r.max))),
        ("strict_rate", |i| csv_rate(i.5)),
        ("utilised_t", |i| num(i.6, 3)),
    ];
    csv_table(COLS, items)
}

/// `comparison_landfills.csv`: every strategy × objective × landfill: its capacity, what it
/// stores, what is dumped beside it, and what it would need to take all of it.
pub fn comparison_landfills_csv(
    labels: &[Labelled<'_>],
    rows: &[Row],
) -> Result<Vec<u8>, ReportError> {
    type Item<'a> = (&'a str, &'static str, &'a str, Option<f64>, f64, f64, bool);
    let mut items: Vec<Item> = Vec::new();
    for (l, row) in labels.iter().zip(rows) {
        for (name, objective) in OBJECTIVES {
            let Some(a) = answer(row, objective) else {
                continue;
            };
            for u in &a.results.landfills {
                let park = l.region.parks[u.park.0].id.as_str();
                items.push((l.id, name, park, u.capacity, u.stored, u.dumped, u.full));
            }
        }
    }
    type Col = (&'static str, fn(&Item<'_>) -> String);
    const COLS: &[Col] = &[
        ("strategy", |i| i.0.to_string()),
        ("objective", |i| i.1.to_string()),
        ("park", |i| i.2.to_string()),
        ("capacity_t", |i| i.3.map(|c| num(c, 3)).unwrap_or_default()),
        ("stored_t", |i| num(i.4, 3)),
        ("dumped_t", |i| num(i.5, 3)),
        ("needed_t", |i| num(i.4 + i.5, 3)),
        ("full", |i| i.6.to_string()),
    ];
    csv_table(COLS, items)
}

/// `inputs_diff.csv`: every value each strategy changes, against its base.
pub fn inputs_diff_csv(changes: &[InputChange]) -> Result<Vec<u8>, ReportError> {
    type Col = (&'static str, fn(&InputChange) -> String);
    const COLS: &[Col] = &[
        ("strategy", |c| c.strategy.clone()),
        ("path", |c| c.path.clone()),
        ("base_value", |c| match (&c.base, c.in_table) {
            (Some(b), _) => b.clone(),
            (None, true) => "(CSV table cell)".into(),
            (None, false) => "(default)".into(),
        }),
        ("strategy_value", |c| c.value.clone()),
        ("origin", |c| c.origin.clone()),
    ];
    csv_table(COLS, changes.iter().cloned())
}

#[derive(Serialize)]
struct Json<'a> {
    base: &'a str,
    target_rate: f64,
    accounting: &'a str,
    primary_objective: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    samples: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
    strategies: Vec<StrategyJson<'a>>,
}

#[derive(Serialize)]
struct StrategyJson<'a> {
    id: &'a str,
    title: &'a str,
    file: &'a str,
    status: String,
    measures: Vec<&'a str>,
    measures_annual_cost_yuan: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    least_cost: Option<AnswerJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    technical_potential: Option<AnswerJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    monte_carlo: Option<McJson>,
}

#[derive(Serialize)]
struct AnswerJson<'a> {
    rate: Option<f64>,
    rate_min: Option<f64>,
    rate_max: Option<f64>,
    strict_rate: Option<f64>,
    meets_target: bool,
    counted_utilised_t: f64,
    dumped_t: f64,
    money_yuan: MoneyJson,
    resource_yuan_per_extra_t: Option<f64>,
    co2_avoided_t: f64,
    transport_tkm: f64,
    hydrogen_utilised_kg: f64,
    by_material: Vec<MaterialJson<'a>>,
    landfills: Vec<LandfillJson<'a>>,
}

#[derive(Serialize)]
struct MoneyJson {
    resource_cost: f64,
    firms_cost: f64,
    government_net_revenue: f64,
    capacity_measures: f64,
    policy_measures: f64,
    allocation_net_cost: f64,
}

#[derive(Serialize)]
struct MaterialJson<'a> {
    id: &'a str,
    rate: Option<f64>,
    rate_min: Option<f64>,
    rate_max: Option<f64>,
    strict_rate: Option<f64>,
}

#[derive(Serialize)]
struct LandfillJson<'a> {
    park: &'a str,
    capacity_t: Option<f64>,
    stored_t: f64,
    dumped_t: f64,
    needed_t: f64,
    full: bool,
}

#[derive(Serialize)]
struct McJson {
    samples: u64,
    seed: u64,
    p_meet_target: f64,
    p_ci95: [f64; 2],
    rate_p5: Option<f64>,
    rate_p50: Option<f64>,
    rate_p95: Option<f64>,
    strict_rate_p5: Option<f64>,
    strict_rate_p50: Option<f64>,
    strict_rate_p95: Option<f64>,
    samples_no_legal_fate: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    paired_with_base: Option<PairedJson>,
}

#[derive(Serialize)]
struct PairedJson {
    samples: u64,
    rate_diff_mean: f64,
    rate_diff_ci95: [f64; 2],
    only_strategy_meets: u64,
    only_base_meets: u64,
    p_diff: f64,
    p_diff_ci95: [f64; 2],
}

fn r6(x: f64) -> f64 {
    super::format::round(x, 6)
}

fn r6o(x: Option<f64>) -> Option<f64> {
    x.map(r6)
}

fn money(m: &Money, a: &Answer) -> MoneyJson {
    let y = |x: f64| super::format::round(x, 2);
    MoneyJson {
        resource_cost: y(m.resource),
        firms_cost: y(m.firms),
        government_net_revenue: y(m.government_net),
        capacity_measures: y(m.capacity_measures),
        policy_measures: y(m.policy_measures),
        allocation_net_cost: y(a.results.cost.total()),
    }
}

fn answer_json<'a>(region: &'a Region, a: &Answer, base: Option<&Answer>) -> AnswerJson<'a> {
    let r = &a.results;
    let q = |x: f64| super::format::round(x, 3);
    AnswerJson {
        rate: r6o(r.target.achieved),
        rate_min: r6o(r.target.achieved_range.map(|x| x.min)),
        rate_max: r6o(r.target.achieved_range.map(|x| x.max)),
        strict_rate: r6o(r.target.strict_achieved),
        meets_target: r.target.meets,
        counted_utilised_t: q(r.target.scope_utilised),
        dumped_t: q(r.solids.dumped),
        money_yuan: money(&a.money, a),
        resource_yuan_per_extra_t: per_extra(a, base).map(|x| super::format::round(x, 2)),
        co2_avoided_t: q(r.co2_avoided_t),
        transport_tkm: q(r.transport_tkm),
        hydrogen_utilised_kg: q(hydrogen_kg(region, r)),
        by_material: r
            .by_material
            .iter()
            .filter(|(m, _)| region.materials[m.0].class == MaterialClass::Solid)
            .map(|(m, b)| {
                let range = r.material_ranges.iter().find(|(x, _)| x == m).map(|x| x.1);
                MaterialJson {
                    id: &region.materials[m.0].id,
                    rate: r6o(b.rate()),
                    rate_min: r6o(range.map(|x| x.min)),
                    rate_max: r6o(range.map(|x| x.max)),
                    strict_rate: r6o(b.strict_rate()),
                }
            })
            .collect(),
        landfills: r
            .landfills
            .iter()
            .map(|u| LandfillJson {
                park: &region.parks[u.park.0].id,
                capacity_t: u.capacity.map(q),
                stored_t: q(u.stored),
                dumped_t: q(u.dumped),
                needed_t: q(u.stored + u.dumped),
                full: u.full,
            })
            .collect(),
    }
}

fn mc_json(u: &Uncertainty) -> McJson {
    McJson {
        samples: u.samples,
        seed: u.seed,
        p_meet_target: r6(u.p_meet_target),
        p_ci95: [r6(u.p_ci95.0), r6(u.p_ci95.1)],
        rate_p5: r6o(u.rate.map(|s| s.p5)),
        rate_p50: r6o(u.rate.map(|s| s.p50)),
        rate_p95: r6o(u.rate.map(|s| s.p95)),
        strict_rate_p5: r6o(u.strict_rate.map(|s| s.p5)),
        strict_rate_p50: r6o(u.strict_rate.map(|s| s.p50)),
        strict_rate_p95: r6o(u.strict_rate.map(|s| s.p95)),
        samples_no_legal_fate: u.no_legal_fate,
        paired_with_base: u.paired.map(|p| PairedJson {
            samples: p.n,
            rate_diff_mean: r6(p.rate_diff_mean),
            rate_diff_ci95: [r6(p.rate_diff_ci95.0), r6(p.rate_diff_ci95.1)],
            only_strategy_meets: p.only_strategy,
            only_base_meets: p.only_base,
            p_diff: r6(p.p_diff),
            p_diff_ci95: [r6(p.p_diff_ci95.0), r6(p.p_diff_ci95.1)],
        }),
    }
}

/// `comparison.json`.
pub fn comparison_json(labels: &[Labelled<'_>], rows: &[Row]) -> Result<Vec<u8>, ReportError> {
    let base = labels[0].region;
    let mc = rows.iter().find_map(|r| match &r.uncertainty {
        Some(Ok(u)) => Some((u.samples, u.seed)),
        _ => None,
    });
    let strategies = labels
        .iter()
        .zip(rows)
        .map(|(l, row)| {
            let c = &l.region.candidates;
            let one = |o| answer(row, o).map(|a| answer_json(l.region, a, answer(&rows[0], o)));
            StrategyJson {
                id: l.id,
                title: l.title,
                file: l.file,
                status: status(row),
                measures: c.applied().map(|m| m.id.as_str()).collect(),
                measures_annual_cost_yuan: super::format::round(c.cost(&c.applied), 2),
                least_cost: one(Objective::Cost),
                technical_potential: one(Objective::MaxUtilisation),
                monte_carlo: match &row.uncertainty {
                    Some(Ok(u)) => Some(mc_json(u)),
                    _ => None,
                },
            }
        })
        .collect();
    let json = Json {
        base: labels[0].id,
        target_rate: base.target.rate,
        accounting: &base.target.accounting.rule,
        primary_objective: match base.settings.objective {
            Objective::Cost => "least_cost",
            Objective::MaxUtilisation => "technical_potential",
        },
        samples: mc.map(|m| m.0),
        seed: mc.map(|m| m.1),
        strategies,
    };
    let mut bytes = serde_json::to_vec_pretty(&json)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Every file of `compare` (the manifest aside), in a fixed order.
pub fn comparison_files(
    labels: &[Labelled<'_>],
    rows: &[Row],
    changes: &[InputChange],
) -> Result<Vec<OutputFile>, ReportError> {
    Ok(vec![
        OutputFile {
            path: "comparison.csv".into(),
            bytes: comparison_csv(labels, rows)?,
        },
        OutputFile {
            path: "comparison.json".into(),
            bytes: comparison_json(labels, rows)?,
        },
        OutputFile {
            path: "comparison_materials.csv".into(),
            bytes: comparison_materials_csv(labels, rows)?,
        },
        OutputFile {
            path: "comparison_landfills.csv".into(),
            bytes: comparison_landfills_csv(labels, rows)?,
        },
        OutputFile {
            path: "inputs_diff.csv".into(),
            bytes: inputs_diff_csv(changes)?,
        },
        OutputFile {
            path: "comparison.png".into(),
            bytes: super::charts::comparison_png(&super::comparison_chart_data(labels, rows))?,
        },
    ])
}

/// The terminal table of `compare`: per strategy, both rules' rates under each objective,
/// the resource cost, and with a Monte Carlo P(meet target) and the paired difference.
pub fn terminal_compare(labels: &[Labelled<'_>], rows: &[Row]) -> String {
    let base = labels[0].region;
    let mut s = format!(
        "compare: {} strategies against {} (target {} under {})\n",
        rows.len() - 1,
        crate::model::text::escape(labels[0].id),
        super::format::percent_whole(base.target.rate),
        crate::model::text::escape(&base.target.accounting.rule)
    );
    for (l, row) in labels.iter().zip(rows) {
        s.push_str(&format!("  {}", crate::model::text::escape(l.id)));
        match &row.answers {
            Err(e) => s.push_str(&format!(": failed — {}\n", crate::model::text::escape(e))),
            Ok(_) => {
                for (name, o) in [
                    ("least cost", Objective::Cost),
                    ("potential", Objective::MaxUtilisation),
                ] {
                    if let Some(a) = answer(row, o) {
                        s.push_str(&format!(
                            " | {name} {} (strict {}), {}",
                            percent_summary(a.results.target.achieved),
                            percent_summary(a.results.target.strict_achieved),
                            yuan_text(a.money.resource)
                        ));
                    }
                }
                match &row.uncertainty {
                    Some(Ok(u)) => {
                        s.push_str(&format!(" | P {}", num(u.p_meet_target, 3)));
                        if let Some(p) = &u.paired {
                            s.push_str(&format!(
                                ", Δrate {} pts [{}, {}]",
                                num(p.rate_diff_mean * 100.0, 2),
                                num(p.rate_diff_ci95.0 * 100.0, 2),
                                num(p.rate_diff_ci95.1 * 100.0, 2)
                            ));
                        }
                    }
                    Some(Err(e)) => s.push_str(&format!(
                        " | Monte Carlo failed — {}",
                        crate::model::text::escape(e)
                    )),
                    None => {}
                }
                s.push('\n');
            }
        }
    }
    s
}
