//! Tidy CSV tables.

use super::{round, ReportError};
use crate::analysis::{Balance, Results};
use crate::model::*;

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, ReportError> {
    w.into_inner()
        .map_err(|e| ReportError::Csv(csv::Error::from(e.into_error())))
}

fn num(x: f64, d: i32) -> String {
    round(x, d).to_string()
}

fn opt_rate(r: Option<f64>) -> String {
    r.map(|r| num(r, 6)).unwrap_or_default()
}

/// `flows.csv`: one row per positive transport flow.
pub fn flows_csv(region: &Region, r: &Results) -> Result<Vec<u8>, ReportError> {
    let mut w = writer();
    w.write_record([
        "from",
        "to",
        "from_park",
        "to_park",
        "material",
        "origin",
        "quantity",
        "unit",
        "tonnes",
        "distance_km",
        "mode",
        "cost_yuan",
    ])?;
    for f in &r.flows {
        let p = &region.producers[f.producer.0];
        let c = &region.consumers[f.consumer.0];
        let m = &region.materials[f.material.0];
        // Solids only: hydrogen (kg) is never mixed into tonnes of solid waste.
        let tonnes = if m.class == MaterialClass::Solid {
            num(f.quantity, 3)
        } else {
            String::new()
        };
        w.write_record([
            p.id.as_str(),
            c.id.as_str(),
            region.parks[p.park.0].id.as_str(),
            region.parks[c.park.0].id.as_str(),
            m.id.as_str(),
            if f.from_stockpile {
                "stockpile"
            } else {
                "generation"
            },
            &num(f.quantity, 3),
            m.unit.as_str(),
            &tonnes,
            &num(f.km, 3),
            region.modes[f.mode.0].id.as_str(),
            &num(f.cost, 2),
        ])?;
    }
    finish(w)
}

fn balance_row(
    w: &mut csv::Writer<Vec<u8>>,
    level: &str,
    park: &str,
    material: &str,
    class: &str,
    unit: &str,
    b: &Balance,
) -> Result<(), ReportError> {
    w.write_record([
        level,
        park,
        material,
        class,
        unit,
        &num(b.generated, 3),
        &num(b.utilised(), 3),
        &num(b.stockpile_drawn, 3),
        &num(b.disposed, 3),
        &num(b.dumped, 3),
        &opt_rate(b.rate()),
    ])?;
    Ok(())
}

/// `utilisation.csv`: balances by material, by park, and by park × material (tidy, long).
pub fn utilisation_csv(region: &Region, r: &Results) -> Result<Vec<u8>, ReportError> {
    let mut w = writer();
    w.write_record([
        "level",
        "park",
        "material",
        "class",
        "unit",
        "generated",
        "utilised",
        "stockpile_drawn",
        "disposed",
        "dumped",
        "utilisation_rate",
    ])?;
    balance_row(
        &mut w,
        "total",
        "all",
        "all_solids",
        "solid",
        "t",
        &r.solids,
    )?;
    for (m, b) in &r.by_material {
        balance_row(
            &mut w,
            "material",
            "all",
            &region.materials[m.0].id,
            "solid",
            "t",
            b,
        )?;
    }
    for (p, b) in &r.by_park {
        balance_row(
            &mut w,
            "park",
            &region.parks[p.0].id,
            "all_solids",
            "solid",
            "t",
            b,
        )?;
    }
    // Park × material from producer fates, in park then material order.
    let tops: Vec<usize> = (0..region.parks.len())
        .filter(|&i| region.parks[i].parent.is_none())
        .collect();
    for &t in &tops {
        for (mi, mat) in region.materials.iter().enumerate() {
            let mut b = Balance::default();
            let mut any = false;
            for pf in &r.producers {
                let p = &region.producers[pf.producer.0];
                if p.material.0 == mi && region.top_park(p.park).0 == t {
                    any = true;
                    b.add(&pf.balance);
                }
            }
            if any {
                balance_row(
                    &mut w,
                    "park_material",
                    &region.parks[t].id,
                    &mat.id,
                    mat.class.as_str(),
                    &mat.unit,
                    &b,
                )?;
            }
        }
    }
    for (m, b) in &r.hydrogen {
        let mat = &region.materials[m.0];
        balance_row(&mut w, "hydrogen", "all", &mat.id, "hydrogen", &mat.unit, b)?;
    }
    finish(w)
}

/// `consumers.csv`: capacity use and the shadow price of capacity.
pub fn consumers_csv(region: &Region, r: &Results) -> Result<Vec<u8>, ReportError> {
    let mut w = writer();
    w.write_record([
        "id",
        "name",
        "park",
        "route",
        "unit",
        "capacity",
        "intake",
        "load_factor",
        "capacity_value_yuan_per_unit",
        "capacity_shadow_price_yuan_per_unit",
    ])?;
    for cu in &r.consumers {
        let c = &region.consumers[cu.consumer.0];
        let unit = c
            .intakes
            .first()
            .map(|i| region.materials[i.material.0].unit.as_str())
            .unwrap_or("t");
        let load = if cu.capacity > 0.0 {
            num(cu.intake / cu.capacity, 6)
        } else {
            String::new()
        };
        w.write_record([
            c.id.as_str(),
            c.name.as_str(),
            region.parks[c.park.0].id.as_str(),
            region.routes[c.route.0].id.as_str(),
            unit,
            &num(cu.capacity, 3),
            &num(cu.intake, 3),
            &load,
            &num(cu.capacity_value, 4),
            &num(cu.capacity_shadow_price, 4),
        ])?;
    }
    finish(w)
}

/// `producers.csv`: each producer's fate and its marginal cost (the dual of its supply).
pub fn producers_csv(region: &Region, r: &Results) -> Result<Vec<u8>, ReportError> {
    let mut w = writer();
    w.write_record([
        "id",
        "name",
        "park",
        "material",
        "unit",
        "generated",
        "utilised_new",
        "stockpile_drawn",
        "disposed",
        "dumped",
        "utilisation_rate",
        "marginal_cost_yuan_per_unit",
    ])?;
    for pf in &r.producers {
        let p = &region.producers[pf.producer.0];
        let m = &region.materials[p.material.0];
        let b = &pf.balance;
        w.write_record([
            p.id.as_str(),
            p.name.as_str(),
            region.parks[p.park.0].id.as_str(),
            m.id.as_str(),
            m.unit.as_str(),
            &num(b.generated, 3),
            &num(b.utilised_new, 3),
            &num(b.stockpile_drawn, 3),
            &num(b.disposed, 3),
            &num(b.dumped, 3),
            &opt_rate(b.rate()),
            &num(pf.marginal_cost, 4),
        ])?;
    }
    finish(w)
}
