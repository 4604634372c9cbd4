//! `report`: results → bytes (JSON, CSV, Markdown, charts). Pure functions; the only code that
//! touches the disk is [`writer`].

pub mod charts;
mod tables;
pub mod writer;

use crate::analysis::{Balance, Results};
use crate::model::*;
use serde_json::{json, Map, Value};

pub use tables::{consumers_csv, flows_csv, producers_csv, utilisation_csv};

/// One output file: path relative to the output folder, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Errors of the report layer.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("chart: {0}")]
    Chart(#[from] charts::ChartError),
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}

/// Rounds to `d` decimals for stable, readable output (and turns -0 into 0).
pub fn round(x: f64, d: i32) -> f64 {
    let f = 10f64.powi(d);
    let r = (x * f).round() / f;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

fn q(x: f64) -> Value {
    json!(round(x, 3))
}

fn rate(r: Option<f64>) -> Value {
    r.map(|r| json!(round(r, 6))).unwrap_or(Value::Null)
}

fn balance_json(b: &Balance, unit: &str, target: f64) -> Value {
    let mut m = Map::new();
    m.insert(format!("generated_{unit}"), q(b.generated));
    m.insert(format!("utilised_{unit}"), q(b.utilised()));
    m.insert(format!("utilised_new_{unit}"), q(b.utilised_new));
    m.insert(format!("stockpile_drawn_{unit}"), q(b.stockpile_drawn));
    m.insert(format!("disposed_{unit}"), q(b.disposed));
    m.insert(format!("dumped_{unit}"), q(b.dumped));
    m.insert("utilisation_rate".into(), rate(b.rate()));
    m.insert(
        "meets_target".into(),
        json!(b.rate().is_some_and(|r| r + 1e-12 >= target)),
    );
    Value::Object(m)
}

fn objective_name(o: Objective) -> &'static str {
    match o {
        Objective::Cost => "cost",
        Objective::MaxUtilisation => "max_utilisation",
    }
}

/// `summary.json`: the headline numbers. Deterministic (no timings).
pub fn summary_json(region: &Region, r: &Results) -> Result<Vec<u8>, ReportError> {
    let t = region.target.rate;
    let mut by_material = Map::new();
    for (m, b) in &r.by_material {
        let mut v = balance_json(b, "t", t);
        v["name"] = json!(region.materials[m.0].name);
        by_material.insert(region.materials[m.0].id.clone(), v);
    }
    let mut by_park = Map::new();
    for (p, b) in &r.by_park {
        let mut v = balance_json(b, "t", t);
        v["name"] = json!(region.parks[p.0].name);
        by_park.insert(region.parks[p.0].id.clone(), v);
    }
    let mut h_mats = Map::new();
    for (m, b) in &r.hydrogen {
        let mat = &region.materials[m.0];
        let mut v = balance_json(b, &mat.unit, 1.0);
        if let Value::Object(o) = &mut v {
            o.remove("meets_target");
            o.insert("unit".into(), json!(mat.unit));
            o.insert("name".into(), json!(mat.name));
        }
        h_mats.insert(mat.id.clone(), v);
    }
    let h_unit = r
        .hydrogen
        .first()
        .map(|(m, _)| region.materials[m.0].unit.clone())
        .unwrap_or_else(|| "kg".into());
    let mut h_parks = Map::new();
    for (p, b) in &r.hydrogen_by_park {
        let mut v = balance_json(b, &h_unit, 1.0);
        if let Value::Object(o) = &mut v {
            o.remove("meets_target");
        }
        h_parks.insert(region.parks[p.0].id.clone(), v);
    }
    let mut by_route = Map::new();
    for (rid, unit, x) in &r.by_route {
        let key = region.routes[rid.0].id.clone();
        let entry = by_route.entry(key).or_insert_with(|| json!({}));
        entry[format!("utilised_{unit}")] = q(*x);
    }
    let c = &r.cost;
    let gaps: Vec<Value> = r
        .gaps
        .iter()
        .take(10)
        .map(|g| {
            json!({
                "park": region.parks[g.park.0].id,
                "material": region.materials[g.material.0].id,
                "shortfall_t": round(g.shortfall, 3),
                "utilisation_rate": rate(g.rate),
            })
        })
        .collect();
    let phases: Vec<Value> = r
        .phases
        .iter()
        .map(|p| {
            json!({
                "phase": p.name,
                "objective_units": p.objective_units.to_string(),
                "dual_objective_units": p.dual.to_string(),
                "certificate": "verified",
            })
        })
        .collect();
    let v = json!({
        "scenario": region.name,
        "title": region.title,
        "year": region.year,
        "objective": objective_name(region.settings.objective),
        "target": {
            "rate": t,
            "scope": r.target.scope,
            "achieved_rate": rate(r.target.achieved),
            "meets_target": r.target.meets,
            "shortfall_t": round(r.target.shortfall, 3),
        },
        "solids": balance_json(&r.solids, "t", t),
        "by_material": by_material,
        "by_park": by_park,
        "hydrogen": {
            "unit": h_unit,
            "materials": h_mats,
            "by_park": h_parks,
            "transport_kg_km": round(r.hydrogen_transport_unit_km, 3),
        },
        "by_route": by_route,
        "cost_yuan": round(c.total(), 2),
        "cost_breakdown_yuan": {
            "transport": round(c.transport, 2),
            "handling": round(c.handling, 2),
            "reclaim": round(c.reclaim, 2),
            "processing": round(c.processing, 2),
            "gate_revenue": round(c.gate_revenue, 2),
            "subsidy": round(c.subsidy, 2),
            "storage": round(c.storage, 2),
            "env_tax": round(c.env_tax, 2),
            "carbon": round(c.carbon, 2),
        },
        "co2_avoided_t": round(r.co2_avoided_t - r.co2_transport_t, 3),
        "co2_avoided_gross_t": round(r.co2_avoided_t, 3),
        "co2_transport_t": round(r.co2_transport_t, 3),
        "transport_tkm": round(r.transport_tkm, 3),
        "gaps": gaps,
        "solver": {
            "status": "optimal",
            "objective": round(r.objective_yuan, 2),
            "objective_unit": "yuan",
            "certificate": "verified",
            "phases": phases,
            "nodes": r.nodes,
            "arcs": r.arcs,
            "quantity_resolution": region.settings.quantity_resolution,
            "cost_resolution_yuan": region.settings.cost_resolution,
        },
    });
    let mut out = serde_json::to_vec_pretty(&v)?;
    out.push(b'\n');
    Ok(out)
}

/// Chart inputs from results (tested on their own: charts are tested through their data).
pub fn utilisation_chart_data(region: &Region, r: &Results) -> charts::UtilisationChart {
    charts::UtilisationChart {
        title: format!(
            "{} — solid-waste utilisation by material, {}",
            region.title, region.year
        ),
        target_rate: region.target.rate,
        bars: r
            .by_material
            .iter()
            .filter(|(_, b)| b.generated + b.stockpile_drawn > 0.0)
            .map(|(m, b)| charts::MaterialBar {
                label: region.materials[m.0].name.clone(),
                generated: b.generated + b.stockpile_drawn,
                utilised: b.utilised(),
                rate: b.rate().unwrap_or(0.0),
            })
            .collect(),
        overall_rate: r.solids.rate().unwrap_or(0.0),
    }
}

/// Map inputs: parks, and flows aggregated by (from park, to park, material).
pub fn map_chart_data(region: &Region, r: &Results) -> charts::FlowMap {
    let mut gen = vec![0.0; region.parks.len()];
    for pf in &r.producers {
        let p = &region.producers[pf.producer.0];
        if region.materials[p.material.0].class == MaterialClass::Solid {
            gen[p.park.0] += pf.balance.generated;
        }
    }
    let parks = region
        .parks
        .iter()
        .enumerate()
        .map(|(i, p)| charts::MapPark {
            id: p.id.clone(),
            name: p.short_name.clone(),
            lat: p.lat,
            lon: p.lon,
            is_block: p.parent.is_some(),
            generated: gen[i],
        })
        .collect();
    let mut agg: std::collections::BTreeMap<(usize, usize, usize), f64> =
        std::collections::BTreeMap::new();
    for f in &r.flows {
        let from = region.producers[f.producer.0].park.0;
        let to = region.consumers[f.consumer.0].park.0;
        *agg.entry((from, to, f.material.0)).or_default() += f.quantity;
    }
    let flows = agg
        .into_iter()
        .map(|((from, to, m), x)| charts::MapFlow {
            from_lat: region.parks[from].lat,
            from_lon: region.parks[from].lon,
            to_lat: region.parks[to].lat,
            to_lon: region.parks[to].lon,
            material: region.materials[m].name.clone(),
            // Widths are scaled by tonnes for every material (hydrogen in kg → t).
            quantity: if region.materials[m].unit == "kg" {
                x / 1000.0
            } else {
                x
            },
            unit: "t".to_string(),
        })
        .collect();
    charts::FlowMap {
        title: format!("By-product flows — {} ({})", region.name, region.year),
        parks,
        flows,
        materials: region.materials.iter().map(|m| m.name.clone()).collect(),
    }
}

fn fmt_qty(x: f64, unit: &str) -> String {
    let (v, u) = match unit {
        "t" if x.abs() >= 1e6 => (x / 1e6, "Mt"),
        "t" if x.abs() >= 1e3 => (x / 1e3, "kt"),
        "kg" if x.abs() >= 1e6 => (x / 1e6, "kt"),
        "kg" if x.abs() >= 1e3 => (x / 1e3, "t"),
        _ => (x, unit),
    };
    format!("{v:.2} {u}")
}

fn fmt_yuan(x: f64) -> String {
    if x.abs() >= 1e6 {
        format!("{:.1} million yuan", x / 1e6)
    } else {
        format!("{x:.0} yuan")
    }
}

/// A whole number with thin-space thousands separators ("78 000 000"); never "-0".
fn grouped(x: f64) -> String {
    let v = x.round();
    let digits = format!("{}", v.abs() as u128);
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{2009}');
        }
        out.push(ch);
    }
    if v < 0.0 {
        format!("−{out}")
    } else {
        out
    }
}

fn pct(r: Option<f64>) -> String {
    r.map(|r| format!("{:.1} %", r * 100.0))
        .unwrap_or_else(|| "–".into())
}

/// The short terminal summary: the rate, target met or not, the three biggest gaps.
pub fn terminal_summary(region: &Region, r: &Results) -> String {
    let mut s = String::new();
    let t = &r.target;
    s.push_str(&format!(
        "{} ({}): {} utilisation {} against a target of {:.0} % — {}\n",
        region.title,
        region.year,
        t.scope,
        pct(t.achieved),
        t.rate * 100.0,
        if t.meets {
            "target met".to_string()
        } else {
            format!("target missed by {}", fmt_qty(t.shortfall, "t"))
        }
    ));
    s.push_str(&format!(
        "  solids: {} generated, {} utilised ({} from stockpiles), {} disposed\n",
        fmt_qty(r.solids.generated, "t"),
        fmt_qty(r.solids.utilised(), "t"),
        fmt_qty(r.solids.stockpile_drawn, "t"),
        fmt_qty(r.solids.disposed, "t")
    ));
    for (m, b) in &r.hydrogen {
        let mat = &region.materials[m.0];
        s.push_str(&format!(
            "  {}: {} generated, {} utilised ({}), own balance\n",
            mat.name,
            fmt_qty(b.generated, &mat.unit),
            fmt_qty(b.utilised(), &mat.unit),
            pct(b.rate()),
        ));
    }
    s.push_str(&format!(
        "  cost {}/yr, CO2 avoided {} (net of transport), solids transport {:.3e} t·km\n",
        fmt_yuan(r.cost.total()),
        fmt_qty(r.co2_avoided_t - r.co2_transport_t, "t"),
        r.transport_tkm
    ));
    if r.gaps.is_empty() {
        s.push_str("  no park or material falls short of the target rate\n");
    } else {
        s.push_str("  biggest gaps to the target rate:\n");
        for g in r.gaps.iter().take(3) {
            s.push_str(&format!(
                "    {} {}: {} short (at {})\n",
                region.parks[g.park.0].id,
                region.materials[g.material.0].name,
                fmt_qty(g.shortfall, "t"),
                pct(g.rate)
            ));
        }
    }
    s
}

/// `report.md`: a readable report linking the charts.
pub fn report_md(region: &Region, r: &Results) -> String {
    let mut s = String::new();
    s.push_str(&format!("# {} — {}\n\n", region.title, region.year));
    s.push_str(&format!(
        "Scenario `{}`; objective `{}`; all quantities per year.\n\n",
        region.name,
        objective_name(region.settings.objective)
    ));
    s.push_str("## Summary\n\n```\n");
    s.push_str(&terminal_summary(region, r));
    s.push_str(
        "```\n\n![utilisation by material](charts/utilisation.png)\n\n![flows](charts/map.png)\n\n",
    );
    s.push_str("## Solids by material\n\n| material | generated (t) | utilised (t) | of which stockpile (t) | disposed (t) | rate |\n|---|---:|---:|---:|---:|---:|\n");
    for (m, b) in &r.by_material {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            region.materials[m.0].name,
            grouped(b.generated),
            grouped(b.utilised()),
            grouped(b.stockpile_drawn),
            grouped(b.disposed),
            pct(b.rate())
        ));
    }
    s.push_str("\n## Solids by park\n\n| park | generated (t) | utilised (t) | disposed (t) | rate |\n|---|---:|---:|---:|---:|\n");
    for (p, b) in &r.by_park {
        s.push_str(&format!(
            "| {} {} | {} | {} | {} | {} |\n",
            region.parks[p.0].id,
            region.parks[p.0].name,
            grouped(b.generated),
            grouped(b.utilised()),
            grouped(b.disposed),
            pct(b.rate())
        ));
    }
    if !r.hydrogen.is_empty() {
        s.push_str("\n## Hydrogen (own balance, not in the solids rate)\n\n| material | unit | generated | utilised | vented | rate |\n|---|---|---:|---:|---:|---:|\n");
        for (m, b) in &r.hydrogen {
            let mat = &region.materials[m.0];
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                mat.name,
                mat.unit,
                grouped(b.generated),
                grouped(b.utilised()),
                grouped(b.disposed),
                pct(b.rate())
            ));
        }
    }
    let c = &r.cost;
    s.push_str("\n## Cost (yuan/yr)\n\n| component | yuan |\n|---|---:|\n");
    for (k, v) in [
        ("transport", c.transport),
        ("handling", c.handling),
        ("reclaim", c.reclaim),
        ("processing", c.processing),
        ("gate revenue (−)", -c.gate_revenue),
        ("subsidy (−)", -c.subsidy),
        ("storage", c.storage),
        ("environmental tax", c.env_tax),
        ("carbon", c.carbon),
        ("**total**", c.total()),
    ] {
        s.push_str(&format!("| {k} | {} |\n", grouped(v)));
    }
    s.push_str("\n## Binding capacities\n\nValue of one more unit of yearly capacity for saturated consumers: the cost saved when that capacity alone rises by one unit (re-solved exactly), yuan per unit of the consumer's material (t for solids, kg for hydrogen); the solver's dual (shadow price) beside it.\n\n| consumer | park | unit | capacity | value (yuan/unit) | dual (yuan/unit) |\n|---|---|---|---:|---:|---:|\n");
    let mut binding: Vec<_> = r
        .consumers
        .iter()
        .filter(|c| c.capacity_value > 0.0)
        .collect();
    binding.sort_by(|a, b| {
        b.capacity_value
            .total_cmp(&a.capacity_value)
            .then(a.consumer.cmp(&b.consumer))
    });
    for cu in binding.iter().take(15) {
        let c = &region.consumers[cu.consumer.0];
        let unit = c
            .intakes
            .first()
            .map(|i| region.materials[i.material.0].unit.as_str())
            .unwrap_or("t");
        s.push_str(&format!(
            "| {} | {} | {} | {} | {:.2} | {:.2} |\n",
            c.name,
            region.parks[c.park.0].id,
            unit,
            grouped(cu.capacity),
            cu.capacity_value,
            cu.capacity_shadow_price
        ));
    }
    s.push_str("\n## Solver\n\n");
    for p in &r.phases {
        s.push_str(&format!(
            "- phase \"{}\": objective {} (dual {}), certificate verified\n",
            p.name, p.objective_units, p.dual
        ));
    }
    s.push_str(&format!("- network: {} nodes, {} arcs\n", r.nodes, r.arcs));
    s.push_str("\nPhase objectives are in the solver's integer units (flow units × cost units); the \"least disposal\" phase counts solid and hydrogen flow units together, which is harmless because the two layers only meet at the sink.\n");
    s
}

/// Every deterministic output of a run (everything but the manifest).
pub fn render(region: &Region, r: &Results) -> Result<Vec<OutputFile>, ReportError> {
    use rayon::prelude::*;
    let uc = utilisation_chart_data(region, r);
    let mc = map_chart_data(region, r);
    // Rendered in parallel (the charts dominate), gathered in this fixed order.
    const FILES: [&str; 10] = [
        "summary.json",
        "flows.csv",
        "utilisation.csv",
        "consumers.csv",
        "producers.csv",
        "report.md",
        "charts/utilisation.png",
        "charts/utilisation.svg",
        "charts/map.png",
        "charts/map.svg",
    ];
    FILES
        .par_iter()
        .map(|&path| {
            let bytes = match path {
                "summary.json" => summary_json(region, r)?,
                "flows.csv" => flows_csv(region, r)?,
                "utilisation.csv" => utilisation_csv(region, r)?,
                "consumers.csv" => consumers_csv(region, r)?,
                "producers.csv" => producers_csv(region, r)?,
                "report.md" => report_md(region, r).into_bytes(),
                "charts/utilisation.png" => charts::utilisation_png(&uc)?,
                "charts/utilisation.svg" => charts::utilisation_svg(&uc)?.into_bytes(),
                "charts/map.png" => charts::map_png(&mc)?,
                _ => charts::map_svg(&mc)?.into_bytes(),
            };
            Ok(OutputFile {
                path: path.to_string(),
                bytes,
            })
        })
        .collect()
}

/// Facts about a run that are not results: the only output allowed to carry timings.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    pub version: String,
    pub command: Vec<String>,
    pub scenario_files: Vec<String>,
    pub scenario_hash: String,
    pub threads: usize,
    /// (stage, seconds)
    pub timings: Vec<(String, f64)>,
    /// (solve phase, pivots): implementation details, kept out of the results.
    pub pivots: Vec<(String, u64)>,
}

/// `manifest.json`: version, scenario hash, command, files written and timings.
pub fn manifest_json(info: &RunInfo, files: &[OutputFile]) -> Result<Vec<u8>, ReportError> {
    use sha2::{Digest, Sha256};
    let outputs: Vec<Value> = files
        .iter()
        .map(|f| json!({ "path": f.path, "bytes": f.bytes.len(), "sha256": format!("{:x}", Sha256::digest(&f.bytes)) }))
        .collect();
    let timings: Map<String, Value> = info
        .timings
        .iter()
        .map(|(k, v)| (k.clone(), json!(round(*v, 6))))
        .collect();
    let v = json!({
        "symbiosim_version": info.version,
        "command": info.command,
        "scenario_files": info.scenario_files,
        "scenario_sha256": info.scenario_hash,
        "threads": info.threads,
        "outputs": outputs,
        "timings_seconds": timings,
        "solver_pivots": info.pivots.iter().map(|(k, v)| json!({ "phase": k, "pivots": v })).collect::<Vec<_>>(),
    });
    let mut out = serde_json::to_vec_pretty(&v)?;
    out.push(b'\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_numbers_are_readable() {
        assert_eq!(grouped(78_000_000.0), "78\u{2009}000\u{2009}000");
        assert_eq!(grouped(999.4), "999");
        assert_eq!(grouped(-1234.0), "−1\u{2009}234");
        assert_eq!(grouped(-0.0), "0");
        assert_eq!(round(-0.0001, 3), 0.0);
        assert!(round(-0.0001, 3).is_sign_positive());
    }
}
