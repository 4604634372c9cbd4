//! `comparison.json`.

use super::*;

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
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    rate_diff_mean: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rate_diff_ci95: Option<[f64; 2]>,
    only_strategy_meets: u64,
    only_base_meets: u64,
    p_diff: f64,
    p_diff_ci95: [f64; 2],
}

fn r6(x: f64) -> f64 {
    crate::report::format::round(x, 6)
}

fn r6o(x: Option<f64>) -> Option<f64> {
    x.map(r6)
}

fn money(m: &Money, a: &Answer) -> MoneyJson {
    let y = |x: f64| crate::report::format::round(x, 2);
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
    let q = |x: f64| crate::report::format::round(x, 3);
    AnswerJson {
        rate: r6o(r.target.achieved),
        rate_min: r6o(r.target.achieved_range.map(|x| x.min)),
        rate_max: r6o(r.target.achieved_range.map(|x| x.max)),
        strict_rate: r6o(r.target.strict_achieved),
        meets_target: r.target.meets,
        counted_utilised_t: q(r.target.scope_utilised),
        dumped_t: q(r.solids.dumped),
        money_yuan: money(&a.money, a),
        resource_yuan_per_extra_t: per_extra(a, base).map(|x| crate::report::format::round(x, 2)),
        co2_avoided_t: q(r.co2_avoided_t),
        transport_tkm: q(r.transport_tkm),
        hydrogen_utilised_kg: q(hydrogen_kg(region, r)),
        by_material: r
            .by_material
            .iter()
            .filter(|(m, _)| region.materials[m.0].class == MaterialClass::Solid)
            .map(|(m, b)| {
                let range = r.material_range(*m);
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
            rate_diff_mean: p.rate_diff_mean.map(r6),
            rate_diff_ci95: p.rate_diff_ci95.map(|(a, b)| [r6(a), r6(b)]),
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
    let mc = crate::analysis::compare::sampling(rows);
    let strategies = labels
        .iter()
        .zip(rows)
        .map(|(l, row)| {
            let c = &l.region.candidates;
            let one = |o| {
                row.answer(o)
                    .map(|a| answer_json(l.region, a, rows[0].answer(o)))
            };
            StrategyJson {
                id: l.id,
                title: l.title,
                description: l.description,
                file: l.file,
                status: status(row),
                measures: c.applied().map(|m| m.id.as_str()).collect(),
                measures_annual_cost_yuan: crate::report::format::round(c.cost(&c.applied), 2),
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
