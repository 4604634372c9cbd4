//! The CSV files of `compare`: `comparison.csv` (one row per strategy, its columns defined
//! once), the long tables of materials and landfills, `inputs_diff.csv`.

use super::*;

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
                Box::new(move |l| match l.row.answer(objective) {
                    Some(a) => f(l.label.region, a, l.base.answer(objective)),
                    None => String::new(),
                }),
            ));
        }
    }
    if with_samples {
        type Mc = fn(&Uncertainty) -> String;
        let mc: [(&str, Mc); 19] = [
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
            ("paired_samples", |u| pair(u, |p| p.n.to_string())),
            ("paired_rate_diff", |u| {
                pair(u, |p| csv_rate(p.rate_diff_mean))
            }),
            ("paired_rate_diff_ci95_low", |u| {
                pair(u, |p| csv_rate(p.rate_diff_ci95.map(|c| c.0)))
            }),
            ("paired_rate_diff_ci95_high", |u| {
                pair(u, |p| csv_rate(p.rate_diff_ci95.map(|c| c.1)))
            }),
            ("paired_p_diff", |u| pair(u, |p| csv_rate(Some(p.p_diff)))),
            ("paired_p_diff_ci95_low", |u| {
                pair(u, |p| csv_rate(Some(p.p_diff_ci95.0)))
            }),
            ("paired_p_diff_ci95_high", |u| {
                pair(u, |p| csv_rate(Some(p.p_diff_ci95.1)))
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
            let Some(a) = row.answer(objective) else {
                continue;
            };
            for (m, b) in &a.results.by_material {
                let range = a.results.material_range(*m);
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
            let Some(a) = row.answer(objective) else {
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
