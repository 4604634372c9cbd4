//! `report.md`: a readable report linking the charts. Each table is one list of columns,
//! `(header, alignment, cell of a row)`: header, separator and rows come from the same
//! definition ([`md_table`]).

use super::format::{fixed, grouped, percent_summary as pct};
use super::summary::objective_name;
use super::tables::consumer_unit;
use super::terminal::terminal_summary;
use crate::analysis::{Alternative, Balance, LandfillUse, RateRange, Results};
use crate::model::*;

/// Alignment of a Markdown table column: text left, numbers right.
#[derive(Clone, Copy)]
enum Align {
    Left,
    Right,
}

use Align::{Left, Right};

/// `text` as one table cell: a backslash and `|` escaped (`\\`, `\|`: a `|` would end the
/// cell), each line break (`\n`, `\r`, `\r\n`) a space (it would end the row). Inline markup
/// of the report's own cells (`**total**`, `` `cost` ``) is kept.
fn cell(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['\\', '|', '\n', '\r']) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push(' ');
            }
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out.into()
}

/// Appends a Markdown table of `rows` under `columns` to `s`; every cell through [`cell`].
fn md_table<R, F: Fn(&R) -> String>(
    s: &mut String,
    columns: &[(&str, Align, F)],
    rows: impl IntoIterator<Item = R>,
) {
    for (header, _, _) in columns {
        s.push_str("| ");
        s.push_str(&cell(header));
        s.push(' ');
    }
    s.push_str("|\n");
    for (_, align, _) in columns {
        s.push_str(match align {
            Left => "|---",
            Right => "|---:",
        });
    }
    s.push_str("|\n");
    for row in rows {
        for (_, _, fill) in columns {
            s.push_str("| ");
            s.push_str(&cell(&fill(&row)));
            s.push(' ');
        }
        s.push_str("|\n");
    }
}

/// A column: header, alignment, and how a row fills its cell.
type Column<R> = (&'static str, Align, fn(&R) -> String);

/// A labelled balance (a material or a park).
type Labelled<'a> = (String, &'a Balance, Option<RateRange>);

/// The header of the rate-range column.
const RANGE_HEADER: &str = "rate among optimal allocations";

/// A rate range, `10.0 % – 51.0 %` (one value where unique), or `–` when not computed.
fn range(r: Option<RateRange>) -> String {
    match r {
        Some(r) if pct(Some(r.min)) == pct(Some(r.max)) => pct(Some(r.min)),
        Some(r) => format!("{} – {}", pct(Some(r.min)), pct(Some(r.max))),
        None => pct(None),
    }
}

/// A consumer with binding capacity.
struct Binding<'a> {
    consumer: &'a Consumer,
    park: &'a str,
    unit: &'a str,
    capacity: f64,
    value: f64,
    dual: f64,
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
    s.push_str(&accounting_line(region, r));
    s.push_str("## Summary\n\n```\n");
    s.push_str(&terminal_summary(region, r));
    s.push_str(
        "```\n\n![utilisation by material](charts/utilisation.png)\n\n![solids by route](charts/routes.png)\n\n![flows](charts/map.png)\n\n",
    );

    s.push_str("## Solids by material\n\n");
    let by_material: [Column<Labelled>; 9] = [
        ("material", Left, |r| r.0.clone()),
        ("generated (t)", Right, |r| grouped(r.1.generated)),
        ("utilised (t)", Right, |r| grouped(r.1.utilised())),
        ("of which stockpile (t)", Right, |r| {
            grouped(r.1.stockpile_drawn)
        }),
        ("disposed (t)", Right, |r| grouped(r.1.disposed)),
        ("of which dumped (t)", Right, |r| grouped(r.1.dumped)),
        ("rate", Right, |r| pct(r.1.rate())),
        (RANGE_HEADER, Right, |r| range(r.2)),
        ("strict rate", Right, |r| pct(r.1.strict_rate())),
    ];
    let rows = r
        .by_material
        .iter()
        .map(|(m, b)| (region.materials[m.0].name.clone(), b, r.material_range(*m)));
    md_table(&mut s, &by_material, rows);

    s.push_str("\n## Solids by park\n\n");
    let by_park: [Column<Labelled>; 8] = [
        ("park", Left, |r| r.0.clone()),
        ("generated (t)", Right, |r| grouped(r.1.generated)),
        ("utilised (t)", Right, |r| grouped(r.1.utilised())),
        ("disposed (t)", Right, |r| grouped(r.1.disposed)),
        ("of which dumped (t)", Right, |r| grouped(r.1.dumped)),
        ("rate", Right, |r| pct(r.1.rate())),
        (RANGE_HEADER, Right, |r| range(r.2)),
        ("strict rate", Right, |r| pct(r.1.strict_rate())),
    ];
    let rows = r.by_park.iter().map(|(p, b)| {
        let park = &region.parks[p.0];
        (format!("{} {}", park.id, park.name), b, r.park_range(*p))
    });
    md_table(&mut s, &by_park, rows);
    by_route(&mut s, region, r);

    if !r.hydrogen.is_empty() {
        s.push_str("\n## Hydrogen (own balance, not in the solids rate)\n\n");
        let hydrogen: [Column<(&Material, &Balance, Option<RateRange>)>; 7] = [
            ("material", Left, |r| r.0.name.clone()),
            ("unit", Left, |r| r.0.unit.clone()),
            ("generated", Right, |r| grouped(r.1.generated)),
            ("utilised", Right, |r| grouped(r.1.utilised())),
            ("vented", Right, |r| grouped(r.1.disposed)),
            ("rate", Right, |r| pct(r.1.rate())),
            (RANGE_HEADER, Right, |r| range(r.2)),
        ];
        let rows = r
            .hydrogen
            .iter()
            .map(|(m, b)| (&region.materials[m.0], b, r.material_range(*m)));
        md_table(&mut s, &hydrogen, rows);
    }

    let c = &r.cost;
    s.push_str("\n## Cost (yuan/yr)\n\n");
    let cost: [Column<(&str, f64)>; 2] = [
        ("component", Left, |r| r.0.to_string()),
        ("yuan", Right, |r| grouped(r.1)),
    ];
    let rows = [
        ("transport", c.transport),
        ("handling", c.handling),
        ("reclaim", c.reclaim),
        ("processing", c.processing),
        ("gate revenue (−)", -c.gate_revenue),
        ("subsidy (−)", -c.subsidy),
        ("storage", c.storage),
        ("environmental tax", c.env_tax),
        ("landfill fee", c.landfill_fee),
        ("carbon", c.carbon),
        ("**total**", c.total()),
    ];
    md_table(&mut s, &cost, rows);

    if let Some(a) = &r.alternative {
        least_cost_and_potential(&mut s, region, r, a);
    }

    s.push_str("\n## Binding capacities\n\nValue of one more unit of yearly capacity for saturated consumers: the cost saved when that capacity alone rises by one unit (re-solved exactly), yuan per unit of the consumer's material (t for solids, kg for hydrogen); the solver's dual (shadow price) beside it.\n\n");
    let mut binding: Vec<_> = r
        .consumers
        .iter()
        .filter(|c| c.capacity_value.is_some_and(|v| v > 0.0))
        .collect();
    binding.sort_by(|a, b| {
        b.capacity_value
            .unwrap_or(0.0)
            .total_cmp(&a.capacity_value.unwrap_or(0.0))
            .then(a.consumer.cmp(&b.consumer))
    });
    let columns: [Column<Binding>; 6] = [
        ("consumer", Left, |b| b.consumer.name.clone()),
        ("park", Left, |b| b.park.to_string()),
        ("unit", Left, |b| b.unit.to_string()),
        ("capacity", Right, |b| grouped(b.capacity)),
        ("value (yuan/unit)", Right, |b| fixed(b.value, 2)),
        ("dual (yuan/unit)", Right, |b| fixed(b.dual, 2)),
    ];
    let rows = binding.iter().take(15).map(|cu| {
        let c = &region.consumers[cu.consumer.0];
        Binding {
            consumer: c,
            park: &region.parks[c.park.0].id,
            unit: consumer_unit(region, c),
            capacity: cu.capacity,
            value: cu.capacity_value.unwrap_or(0.0),
            dual: cu.capacity_shadow_price,
        }
    });
    md_table(&mut s, &columns, rows);

    landfills(&mut s, region, r);

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

/// The landfills: every limited one in a table (capacity, stored, free, dumped beside it, the
/// value of one more tonne), the unlimited ones in a sentence.
fn landfills(s: &mut String, region: &Region, r: &Results) {
    s.push_str("\n## Landfills\n\nCompliant storage of solid waste for new generation, t/yr, by the park whose landfill takes it (a sub-block without a limit of its own stores in its consolidated park's). Value: the cost saved by one more tonne of capacity (re-solved exactly), yuan/t; \"dumped\" is waste stored non-compliantly beside a full landfill (taxed), where the scenario allows it.\n\n");
    let limited: Vec<&LandfillUse> = r
        .landfills
        .iter()
        .filter(|l| l.capacity.is_some())
        .collect();
    if limited.is_empty() {
        s.push_str("No landfill is limited.\n");
    } else {
        let columns: [Column<(&Park, &LandfillUse)>; 6] = [
            ("park", Left, |(p, _)| p.id.clone()),
            ("capacity (t/yr)", Right, |(_, l)| {
                grouped(l.capacity.unwrap_or(0.0))
            }),
            ("stored (t/yr)", Right, |(_, l)| grouped(l.stored)),
            ("free (t/yr)", Right, |(_, l)| {
                grouped(l.free().unwrap_or(0.0))
            }),
            ("dumped (t/yr)", Right, |(_, l)| grouped(l.dumped)),
            ("value (yuan/t)", Right, |(_, l)| {
                l.capacity_value
                    .map_or("–".to_string(), |v| format!("{v:.2}"))
            }),
        ];
        let rows = limited.iter().map(|l| (&region.parks[l.park.0], *l));
        md_table(s, &columns, rows);
    }
    let open: Vec<&LandfillUse> = r
        .landfills
        .iter()
        .filter(|l| l.capacity.is_none())
        .collect();
    if !open.is_empty() {
        let stored: f64 = open.iter().map(|l| l.stored).sum();
        s.push_str(&format!(
            "\n{} park{} store{} without a limit: {} t/yr in all.\n",
            open.len(),
            if open.len() == 1 { "" } else { "s" },
            if open.len() == 1 { "s" } else { "" },
            grouped(stored)
        ));
    }
}

/// The accounting rule, the kinds it counts, and the rate in scope under it and strict.
fn accounting_line(region: &Region, r: &Results) -> String {
    let a = &region.target.accounting;
    let kinds: Vec<&str> = a
        .counted_kinds()
        .into_iter()
        .map(RouteKind::as_str)
        .collect();
    format!(
        "Accounting rule `{}` (counts {}): {} utilisation {}; strict rate (backfill and \
         ecological restoration not counted) {}.\n\n",
        a.rule,
        if kinds.is_empty() {
            "nothing".to_string()
        } else {
            kinds.join(", ")
        },
        r.target.scope,
        pct(r.target.achieved),
        pct(r.target.strict_achieved),
    )
}

/// Utilisation by route, with each route's kind and whether the rule counts it.
fn by_route(s: &mut String, region: &Region, r: &Results) {
    s.push_str(&format!(
        "\n## Utilisation by route\n\nEach route's kind; \"counted\" says whether the accounting rule `{}` counts it as utilisation (the strict rate never counts backfill or ecological restoration).\n\n",
        region.target.accounting.rule
    ));
    let columns: [Column<(&Route, bool, &str, f64)>; 5] = [
        ("route", Left, |r| r.0.name.clone()),
        ("kind", Left, |r| r.0.kind.as_str().to_string()),
        ("counted", Left, |r| {
            if r.1 { "yes" } else { "no" }.to_string()
        }),
        ("unit", Left, |r| r.2.to_string()),
        ("utilised", Right, |r| grouped(r.3)),
    ];
    let rows = r.by_route.iter().map(|(rid, unit, x)| {
        let route = &region.routes[rid.0];
        let counted = region.target.accounting.counts(route.kind);
        (route, counted, unit.as_str(), *x)
    });
    md_table(s, &columns, rows);
}

/// The section comparing least cost (what the economics will do) with technical potential (how
/// far the installed capacity reaches), and the cost of moving from one to the other.
fn least_cost_and_potential(s: &mut String, region: &Region, r: &Results, a: &Alternative) {
    s.push_str("\n## Least cost and technical potential\n\n");
    s.push_str("Every run solves both objectives: least cost (`cost`: what the economics will do) and technical potential (`max_utilisation`: least disposal, then most stockpile drawn, then least cost: how far the installed capacity reaches). The report above is the ");
    s.push_str(&format!(
        "`{}` allocation.\n\n",
        objective_name(region.settings.objective)
    ));
    let primary = Row {
        objective: region.settings.objective,
        rate: r.solids.rate(),
        target: r.target.achieved,
        utilised: r.solids.utilised(),
        cost: r.cost.total(),
    };
    let other = Row {
        objective: a.objective,
        rate: a.utilisation_rate,
        target: a.target_achieved_rate,
        utilised: a.utilised_t,
        cost: a.cost_yuan,
    };
    let rows = match a.objective {
        Objective::Cost => [other, primary],
        Objective::MaxUtilisation => [primary, other],
    };
    let columns: [Column<Row>; 5] = [
        ("objective", Left, |r| match r.objective {
            Objective::Cost => "least cost (`cost`)".to_string(),
            Objective::MaxUtilisation => "technical potential (`max_utilisation`)".to_string(),
        }),
        ("solids rate", Right, |r| pct(r.rate)),
        ("rate in target scope", Right, |r| pct(r.target)),
        ("solids utilised (t)", Right, |r| grouped(r.utilised)),
        ("net cost (yuan/yr)", Right, |r| grouped(r.cost)),
    ];
    md_table(s, &columns, rows);
    let m = &a.moving;
    s.push_str(&format!(
        "\nCost of moving from least cost to technical potential: {} yuan/yr for {} t/yr more utilised",
        grouped(m.delta_cost_yuan),
        grouped(m.delta_utilised_t)
    ));
    match m.yuan_per_extra_t {
        Some(per_t) => s.push_str(&format!(", {} yuan per extra tonne.\n", fixed(per_t, 2))),
        None => s.push_str(" (the technical potential utilises no more).\n"),
    }
}

/// One objective's line of the comparison.
struct Row {
    objective: Objective,
    rate: Option<f64>,
    target: Option<f64>,
    utilised: f64,
    cost: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_take_header_alignment_and_cells_from_one_list() {
        let mut s = String::new();
        let columns: [Column<(&str, f64)>; 2] = [
            ("component", Left, |r| r.0.to_string()),
            ("yuan", Right, |r| grouped(r.1)),
        ];
        md_table(
            &mut s,
            &columns,
            [("transport", 1234.0), ("**total**", -5.0)],
        );
        assert_eq!(
            s,
            "| component | yuan |\n|---|---:|\n| transport | 1\u{2009}234 |\n| **total** | −5 |\n"
        );
    }

    /// A name holding `|`, a backslash or a line break stays in its cell and its row (issue
    /// #19): every row keeps as many unescaped `|` as the header.
    #[test]
    fn cells_escape_pipes_backslashes_and_line_breaks() {
        let mut s = String::new();
        let columns: [Column<(&str, f64)>; 2] = [
            ("name", Left, |r| r.0.to_string()),
            ("t", Right, |r| grouped(r.1)),
        ];
        md_table(
            &mut s,
            &columns,
            [
                ("fly | ash", 1.0),
                ("two\nlines\r\nthree\rfour", 2.0),
                ("end\\", 3.0),
                ("x\\|y", 4.0),
            ],
        );
        assert_eq!(
            s,
            "| name | t |\n|---|---:|\n| fly \\| ash | 1 |\n| two lines three four | 2 |\n\
             | end\\\\ | 3 |\n| x\\\\\\|y | 4 |\n"
        );
        // Row structure: 4 lines of rows + header + separator, each with 3 unescaped pipes.
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines.len(), 6);
        for l in lines {
            let b = l.as_bytes();
            let mut unescaped = 0;
            let mut i = 0;
            while i < b.len() {
                match b[i] {
                    b'\\' => i += 1,
                    b'|' => unescaped += 1,
                    _ => {}
                }
                i += 1;
            }
            assert_eq!(unescaped, 3, "{l:?}");
        }
    }
}
