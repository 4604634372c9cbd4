//! Tidy CSV tables. Each table is one list of columns, `(header, cell of a row)`: the header
//! line and every row come from the same definition ([`csv_table`]).

use super::format::{csv_number as num, csv_rate};
use super::ReportError;
use crate::analysis::{
    Balance, ConsumerUse, FlowRow, LandfillUse, ProducerFate, RateRange, Results,
};
use crate::model::*;

/// The CSV bytes of `rows` under `columns`, each `(header, cell of a row)`: the header line
/// first, `\n` line ends.
pub(super) fn csv_table<R, F: Fn(&R) -> String>(
    columns: &[(&str, F)],
    rows: impl IntoIterator<Item = R>,
) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(columns.iter().map(|(name, _)| name))?;
    for row in rows {
        w.write_record(columns.iter().map(|(_, cell)| cell(&row)))?;
    }
    w.into_inner()
        .map_err(|e| ReportError::Csv(csv::Error::from(e.into_error())))
}

/// A row of `flows.csv`: one flow with its producer, consumer and material looked up.
struct FlowLine<'a> {
    region: &'a Region,
    flow: &'a FlowRow,
    producer: &'a Producer,
    consumer: &'a Consumer,
    material: &'a Material,
}

/// A column of the table: its header and how a row fills its cell.
type FlowColumn = (&'static str, fn(&FlowLine<'_>) -> String);

const FLOW_COLUMNS: &[FlowColumn] = &[
    ("from", |r| r.producer.id.clone()),
    ("to", |r| r.consumer.id.clone()),
    ("from_park", |r| {
        r.region.parks[r.producer.park.0].id.clone()
    }),
    ("to_park", |r| r.region.parks[r.consumer.park.0].id.clone()),
    ("material", |r| r.material.id.clone()),
    ("origin", |r| {
        let origin = if r.flow.from_stockpile {
            "stockpile"
        } else {
            "generation"
        };
        origin.to_string()
    }),
    ("quantity", |r| num(r.flow.quantity, 3)),
    ("unit", |r| r.material.unit.clone()),
    // Solids only: hydrogen (kg) is never mixed into tonnes of solid waste.
    ("tonnes", |r| {
        if r.material.class == MaterialClass::Solid {
            num(r.flow.quantity, 3)
        } else {
            String::new()
        }
    }),
    ("distance_km", |r| num(r.flow.km, 3)),
    ("mode", |r| r.region.modes[r.flow.mode.0].id.clone()),
    ("cost_yuan", |r| num(r.flow.cost, 2)),
];

/// `flows.csv`: one row per positive transport flow.
pub fn flows_csv(region: &Region, r: &Results) -> Result<Vec<u8>, ReportError> {
    let rows = r.flows.iter().map(|f| FlowLine {
        region,
        flow: f,
        producer: &region.producers[f.producer.0],
        consumer: &region.consumers[f.consumer.0],
        material: &region.materials[f.material.0],
    });
    csv_table(FLOW_COLUMNS, rows)
}

/// A row of `utilisation.csv`: one balance and what it is the balance of.
struct BalanceLine<'a> {
    level: &'a str,
    park: &'a str,
    material: &'a str,
    class: &'a str,
    unit: &'a str,
    balance: Balance,
    /// The rate's range among optimal allocations.
    range: Option<RateRange>,
}

/// A column of the table: its header and how a row fills its cell.
type BalanceColumn = (&'static str, fn(&BalanceLine<'_>) -> String);

const BALANCE_COLUMNS: &[BalanceColumn] = &[
    ("level", |r| r.level.to_string()),
    ("park", |r| r.park.to_string()),
    ("material", |r| r.material.to_string()),
    ("class", |r| r.class.to_string()),
    ("unit", |r| r.unit.to_string()),
    ("generated", |r| num(r.balance.generated, 3)),
    ("utilised", |r| num(r.balance.utilised(), 3)),
    ("stockpile_drawn", |r| num(r.balance.stockpile_drawn, 3)),
    ("disposed", |r| num(r.balance.disposed, 3)),
    ("dumped", |r| num(r.balance.dumped, 3)),
    ("utilisation_rate", |r| csv_rate(r.balance.rate())),
    ("rate_min", |r| csv_rate(r.range.map(|x| x.min))),
    ("rate_max", |r| csv_rate(r.range.map(|x| x.max))),
    ("strict_rate", |r| csv_rate(r.balance.strict_rate())),
];

/// `utilisation.csv`: balances by material, by park, and by park × material (tidy, long).
pub fn utilisation_csv(region: &Region, r: &Results) -> Result<Vec<u8>, ReportError> {
    let solid = |level, park, material, balance, range| BalanceLine {
        level,
        park,
        material,
        class: "solid",
        unit: "t",
        balance,
        range,
    };
    let mut rows = vec![solid(
        "total",
        "all",
        "all_solids",
        r.solids,
        r.solids_range,
    )];
    for (m, b) in &r.by_material {
        let id = &region.materials[m.0].id;
        rows.push(solid("material", "all", id, *b, r.material_range(*m)));
    }
    for (p, b) in &r.by_park {
        let id = &region.parks[p.0].id;
        rows.push(solid("park", id, "all_solids", *b, r.park_range(*p)));
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
                rows.push(BalanceLine {
                    level: "park_material",
                    park: &region.parks[t].id,
                    material: &mat.id,
                    class: mat.class.as_str(),
                    unit: &mat.unit,
                    balance: b,
                    range: r.park_material_range(ParkId(t), MaterialId(mi)),
                });
            }
        }
    }
    for (m, b) in &r.hydrogen {
        let mat = &region.materials[m.0];
        rows.push(BalanceLine {
            level: "hydrogen",
            park: "all",
            material: &mat.id,
            class: "hydrogen",
            unit: &mat.unit,
            balance: *b,
            range: r.material_range(*m),
        });
    }
    csv_table(BALANCE_COLUMNS, rows)
}

/// The unit of a consumer's capacity: that of its first intake's material (t without intakes).
pub(super) fn consumer_unit<'a>(region: &'a Region, c: &Consumer) -> &'a str {
    c.intakes
        .first()
        .map(|i| region.materials[i.material.0].unit.as_str())
        .unwrap_or("t")
}

/// A row of `consumers.csv`.
struct ConsumerLine<'a> {
    region: &'a Region,
    consumer: &'a Consumer,
    used: &'a ConsumerUse,
}

/// A column of the table: its header and how a row fills its cell.
type ConsumerColumn = (&'static str, fn(&ConsumerLine<'_>) -> String);

const CONSUMER_COLUMNS: &[ConsumerColumn] = &[
    ("id", |r| r.consumer.id.clone()),
    ("name", |r| r.consumer.name.clone()),
    ("park", |r| r.region.parks[r.consumer.park.0].id.clone()),
    ("route", |r| r.region.routes[r.consumer.route.0].id.clone()),
    ("unit", |r| consumer_unit(r.region, r.consumer).to_string()),
    ("capacity", |r| num(r.used.capacity, 3)),
    ("nameplate_capacity", |r| num(r.consumer.capacity, 3)),
    ("expected_load_factor", |r| num(r.consumer.load_factor, 6)),
    ("effective_capacity", |r| {
        num(r.consumer.effective_capacity(), 3)
    }),
    ("intake", |r| num(r.used.intake, 3)),
    ("load_factor", |r| {
        if r.used.capacity > 0.0 {
            num(r.used.intake / r.used.capacity, 6)
        } else {
            String::new()
        }
    }),
    ("capacity_value_yuan_per_unit", |r| {
        r.used.capacity_value.map(|v| num(v, 4)).unwrap_or_default()
    }),
    ("capacity_shadow_price_yuan_per_unit", |r| {
        num(r.used.capacity_shadow_price, 4)
    }),
];

/// `consumers.csv`: capacity use and the shadow price of capacity.
pub fn consumers_csv(region: &Region, r: &Results) -> Result<Vec<u8>, ReportError> {
    let rows = r.consumers.iter().map(|cu| ConsumerLine {
        region,
        consumer: &region.consumers[cu.consumer.0],
        used: cu,
    });
    csv_table(CONSUMER_COLUMNS, rows)
}

/// A row of `landfills.csv`.
struct LandfillLine<'a> {
    park: &'a Park,
    used: &'a LandfillUse,
}

/// A column of the table: its header and how a row fills its cell.
type LandfillColumn = (&'static str, fn(&LandfillLine<'_>) -> String);

/// An optional quantity: empty when absent (an unlimited landfill has no capacity).
fn opt_num(x: Option<f64>, decimals: i32) -> String {
    x.map_or_else(String::new, |x| num(x, decimals))
}

const LANDFILL_COLUMNS: &[LandfillColumn] = &[
    ("park", |r| r.park.id.clone()),
    ("name", |r| r.park.name.clone()),
    ("unit", |_| "t".to_string()),
    ("capacity", |r| opt_num(r.used.capacity, 3)),
    ("stored", |r| num(r.used.stored, 3)),
    ("free", |r| opt_num(r.used.free(), 3)),
    ("dumped", |r| num(r.used.dumped, 3)),
    ("full", |r| r.used.full.to_string()),
    ("capacity_value_yuan_per_unit", |r| {
        r.used.capacity_value.map(|v| num(v, 4)).unwrap_or_default()
    }),
    ("capacity_shadow_price_yuan_per_unit", |r| {
        num(r.used.shadow_price, 4)
    }),
];

/// `landfills.csv`: each park's compliant landfill (solids): capacity, stored, free, dumped
/// beside it, and the exact value of one more tonne of capacity.
pub fn landfills_csv(region: &Region, r: &Results) -> Result<Vec<u8>, ReportError> {
    let rows = r.landfills.iter().map(|l| LandfillLine {
        park: &region.parks[l.park.0],
        used: l,
    });
    csv_table(LANDFILL_COLUMNS, rows)
}

/// A row of `producers.csv`.
struct ProducerLine<'a> {
    region: &'a Region,
    producer: &'a Producer,
    material: &'a Material,
    fate: &'a ProducerFate,
}

/// A column of the table: its header and how a row fills its cell.
type ProducerColumn = (&'static str, fn(&ProducerLine<'_>) -> String);

const PRODUCER_COLUMNS: &[ProducerColumn] = &[
    ("id", |r| r.producer.id.clone()),
    ("name", |r| r.producer.name.clone()),
    ("park", |r| r.region.parks[r.producer.park.0].id.clone()),
    ("material", |r| r.material.id.clone()),
    ("unit", |r| r.material.unit.clone()),
    ("generated", |r| num(r.fate.balance.generated, 3)),
    ("utilised_new", |r| num(r.fate.balance.utilised_new, 3)),
    ("stockpile_drawn", |r| {
        num(r.fate.balance.stockpile_drawn, 3)
    }),
    ("disposed", |r| num(r.fate.balance.disposed, 3)),
    ("dumped", |r| num(r.fate.balance.dumped, 3)),
    ("utilisation_rate", |r| csv_rate(r.fate.balance.rate())),
    ("marginal_cost_yuan_per_unit", |r| {
        num(r.fate.marginal_cost, 4)
    }),
];

/// `producers.csv`: each producer's fate and its marginal cost (the dual of its supply).
pub fn producers_csv(region: &Region, r: &Results) -> Result<Vec<u8>, ReportError> {
    let rows = r.producers.iter().map(|pf| {
        let producer = &region.producers[pf.producer.0];
        ProducerLine {
            region,
            producer,
            material: &region.materials[producer.material.0],
            fate: pf,
        }
    });
    csv_table(PRODUCER_COLUMNS, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_cells_come_from_one_column_list() {
        let rows = [
            BalanceLine {
                level: "total",
                park: "all",
                material: "all_solids",
                class: "solid",
                unit: "t",
                balance: Balance {
                    generated: 10.0,
                    utilised_new: 4.0,
                    stockpile_drawn: 0.0,
                    disposed: 6.0,
                    dumped: 1.0,
                    strict_new: 3.0,
                    ..Balance::default()
                },
                range: None,
            },
            BalanceLine {
                level: "material",
                park: "all",
                material: "a,b",
                class: "solid",
                unit: "t",
                balance: Balance::default(),
                range: Some(RateRange {
                    min: 0.25,
                    max: 0.5,
                }),
            },
        ];
        let out = String::from_utf8(csv_table(BALANCE_COLUMNS, rows).unwrap()).unwrap();
        assert_eq!(
            out,
            "level,park,material,class,unit,generated,utilised,stockpile_drawn,disposed,dumped,utilisation_rate,rate_min,rate_max,strict_rate\n\
             total,all,all_solids,solid,t,10,4,0,6,1,0.4,,,0.3\n\
             material,all,\"a,b\",solid,t,0,0,0,0,0,,0.25,0.5,\n"
        );
    }
}
