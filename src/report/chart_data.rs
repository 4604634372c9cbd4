//! Chart inputs from results (tested on their own: charts are tested through their data).

use super::charts;
use crate::analysis::Results;
use crate::model::*;
use std::collections::BTreeMap;

/// The utilisation chart's input: solid materials with something generated or drawn.
pub fn utilisation_chart_data(region: &Region, r: &Results) -> charts::UtilisationChart {
    charts::UtilisationChart {
        title: format!(
            "{} — solid-waste utilisation by material, {}; {}; accounting: {} (strict rate {})",
            region.title,
            region.year,
            objective_label(region.settings.objective),
            region.target.accounting.rule,
            super::format::percent_summary(r.solids.strict_rate()),
        ),
        target_rate: region.target.rate,
        bars: r
            .by_material
            .iter()
            .filter(|(_, b)| b.generated + b.stockpile_drawn > 0.0)
            .map(|(m, b)| charts::MaterialBar {
                label: region.materials[m.0].name.clone(),
                generated: b.generated,
                drawn: b.stockpile_drawn,
                utilised: b.utilised(),
                rate: b.rate().unwrap_or(0.0),
                range: r.material_range(*m).map(|x| (x.min, x.max)),
            })
            .collect(),
        overall_rate: r.solids.rate().unwrap_or(0.0),
    }
}

/// Map inputs: parks, and flows aggregated by (from park, to park, material, mode).
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
    let mut agg: BTreeMap<(usize, usize, usize, usize), f64> = BTreeMap::new();
    for f in &r.flows {
        let from = region.producers[f.producer.0].park.0;
        let to = region.consumers[f.consumer.0].park.0;
        *agg.entry((from, to, f.material.0, f.mode.0)).or_default() += f.quantity;
    }
    let flows = agg
        .into_iter()
        .map(|((from, to, m, mode), x)| charts::MapFlow {
            from_lat: region.parks[from].lat,
            from_lon: region.parks[from].lon,
            to_lat: region.parks[to].lat,
            to_lon: region.parks[to].lon,
            material: region.materials[m].name.clone(),
            mode: region.modes[mode].name.clone(),
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
        title: format!(
            "By-product flows — {} ({}); {}; accounting: {}",
            region.name,
            region.year,
            objective_label(region.settings.objective),
            region.target.accounting.rule
        ),
        parks,
        flows,
        materials: region.materials.iter().map(|m| m.name.clone()).collect(),
        modes: region.modes.iter().map(|m| m.name.clone()).collect(),
    }
}

/// The objective as the charts name it.
fn objective_label(o: Objective) -> &'static str {
    match o {
        Objective::Cost => "objective: least cost",
        Objective::MaxUtilisation => "objective: technical potential",
    }
}
