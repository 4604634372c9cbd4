//! The flow map's legend column: materials, arrow widths, intra-park donuts, symbols.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::geometry::{
    disposal_side, donut_angles, donut_pieces, donut_radius, donut_wedge, flow_width, mode_dash,
};
use super::map::{DUMPED, LANDFILL};
use super::style::{
    fit_text, palette_colour, px, text, text_width, BLOCK_RADIUS, INK, MUTED, PARK_FILL,
    PARK_RADIUS, UNLISTED,
};
use super::{ChartError, FlowMap, MapFlow};
use crate::report::format::quantity_chart;

/// Height of a legend row, in pixels.
const ROW: i32 = 22;

/// What the map legend needs besides the map input.
pub(super) struct MapLegend<'a> {
    pub flows: &'a [&'a MapFlow],
    /// The transport modes of the arrows: position in [`FlowMap::modes`] (its line pattern)
    /// and name.
    pub modes: &'a [(Option<usize>, &'a str)],
    /// Some flow's material is not in [`FlowMap::materials`].
    pub unlisted: bool,
    /// Largest flow between locations, t/yr.
    pub max_q: f64,
    /// Largest intra-park total of a location, t/yr.
    pub max_intra: f64,
    pub has_intra: bool,
    /// Largest landfill or dumping quantity of a location, t/yr (the largest square).
    pub max_disposal: f64,
    /// Some location dumps.
    pub any_dumped: bool,
    /// How much lower the title ends than a one-line title.
    pub extra: i32,
    pub height: u32,
}

/// Quantities shown in the width legend: the largest 1–2–5 value not above `max`, and that
/// divided by 10 and by 100. Empty when `max` is not positive.
pub fn width_legend_quantities(max: f64) -> Vec<f64> {
    if !(max > 0.0 && max.is_finite()) {
        return Vec::new();
    }
    let exp = max.log10().floor();
    let base = 10f64.powf(exp);
    let top = [5.0, 2.0, 1.0]
        .iter()
        .map(|m| m * base)
        .find(|&v| v <= max * (1.0 + 1e-12))
        .unwrap_or(base);
    vec![top, top / 10.0, top / 100.0]
}

/// The legend column being written, top to bottom: its area, text styles and left edge.
struct Column<'a, 'b, DB: DrawingBackend> {
    area: &'a DrawingArea<DB, Shift>,
    heading: TextStyle<'b>,
    item: TextStyle<'b>,
    note: TextStyle<'b>,
    x: i32,
}

impl<DB: DrawingBackend> Column<'_, '_, DB> {
    /// Draws `s` at `at`, fitted to the legend's width.
    fn put(&self, s: &str, style: &TextStyle, at: (i32, i32)) -> Result<(), ChartError> {
        let (aw, _) = self.area.dim_in_pixel();
        let max_w = f64::from(aw) - f64::from(at.0) - 8.0;
        let s = fit_text(s, max_w, |t| text_width(self.area, t, style));
        self.area.draw_text(&s, style, at)?;
        Ok(())
    }
}

pub(super) fn draw_map_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    m: &FlowMap,
    l: &MapLegend,
) -> Result<(), ChartError> {
    let col = Column {
        area,
        heading: text(16.0, &INK).pos(Pos::new(HPos::Left, VPos::Center)),
        item: text(14.0, &INK).pos(Pos::new(HPos::Left, VPos::Center)),
        note: text(13.0, &MUTED).pos(Pos::new(HPos::Left, VPos::Center)),
        x: 10,
    };
    let y = 84 + l.extra;
    let y = materials(&col, m, l, y)?;
    // Flows are labelled in their unit when they share one.
    let units: Vec<&str> = {
        let mut u: Vec<&str> = l.flows.iter().map(|f| f.unit.as_str()).collect();
        u.sort_unstable();
        u.dedup();
        u
    };
    let unit = if units.len() == 1 { units[0] } else { "" };
    let label_of = |q: f64| quantity_chart(q, unit).trim_end().to_string();
    let y = flow_widths(&col, l, &units, &label_of, y + 12)?;
    let y = modes(&col, l, y + 6)?;
    let y = intra_donuts(&col, l, &label_of, y + 12)?;
    let y = disposal(&col, l, y + 12)?;
    symbols(&col, y + 12)
}

/// The material colours (as many as fit above the other sections, then "… n more").
fn materials<DB: DrawingBackend>(
    col: &Column<DB>,
    m: &FlowMap,
    l: &MapLegend,
    mut y: i32,
) -> Result<i32, ChartError> {
    let x = col.x;
    col.put("Material", &col.heading, (x, y))?;
    y += ROW + 2;
    let mut entries: Vec<(RGBColor, &str)> = m
        .materials
        .iter()
        .enumerate()
        .map(|(i, s)| (palette_colour(i), s.as_str()))
        .collect();
    if l.unlisted {
        entries.push((UNLISTED, "other"));
    }
    // Room for the other sections below (about 400 px, and a row per transport mode).
    let below = 520 + ROW * (l.modes.len() as i32 + 1);
    let max_rows = ((l.height as i32 - y - below) / ROW).max(1) as usize;
    let shown = if entries.len() > max_rows {
        max_rows - 1
    } else {
        entries.len()
    };
    for (colour, name) in &entries[..shown] {
        col.area.draw(&Rectangle::new(
            [(x, y - 5), (x + 30, y + 5)],
            colour.filled(),
        ))?;
        col.put(name, &col.item, (x + 40, y))?;
        y += ROW;
    }
    if shown < entries.len() {
        col.put(
            &format!("… {} more", entries.len() - shown),
            &col.note,
            (x + 40, y),
        )?;
        y += ROW;
    }
    Ok(y)
}

/// Sample arrow widths for round quantities.
fn flow_widths<DB: DrawingBackend>(
    col: &Column<DB>,
    l: &MapLegend,
    units: &[&str],
    label_of: &dyn Fn(f64) -> String,
    mut y: i32,
) -> Result<i32, ChartError> {
    let x = col.x;
    col.put("Flow between parks, per year", &col.heading, (x, y))?;
    y += ROW + 2;
    let samples = width_legend_quantities(l.max_q);
    if samples.is_empty() {
        col.put("no flows", &col.note, (x, y))?;
        y += ROW;
    }
    for q in samples {
        let wpx = flow_width(q, l.max_q);
        let half = (wpx / 2.0).max(0.5);
        col.area.draw(&Rectangle::new(
            [
                (x, (f64::from(y) - half).round() as i32),
                (x + 50, (f64::from(y) + half).round() as i32),
            ],
            INK.mix(0.7).filled(),
        ))?;
        col.put(&label_of(q), &col.item, (x + 62, y))?;
        y += ROW.max(wpx as i32 + 8);
    }
    col.put("arrow width ∝ √quantity", &col.note, (x, y))?;
    y += ROW;
    if units.len() > 1 {
        col.put(&format!("units: {}", units.join(", ")), &col.note, (x, y))?;
        y += ROW;
    }
    Ok(y)
}

/// The line pattern of each transport mode of the arrows (none when all are of one mode).
fn modes<DB: DrawingBackend>(
    col: &Column<DB>,
    l: &MapLegend,
    mut y: i32,
) -> Result<i32, ChartError> {
    if l.modes.len() < 2 && l.modes.iter().all(|(i, _)| *i == Some(0)) {
        return Ok(y);
    }
    let x = col.x;
    col.put("by mode (outline):", &col.note, (x, y))?;
    y += ROW;
    for &(i, name) in l.modes {
        match mode_dash(i) {
            None => col.area.draw(&Rectangle::new(
                [(x, y - 4), (x + 50, y + 4)],
                INK.mix(0.7).filled(),
            ))?,
            Some((dash, gap)) => {
                col.area.draw(&Rectangle::new(
                    [(x, y - 4), (x + 50, y + 4)],
                    INK.mix(0.2).filled(),
                ))?;
                col.area.draw(&DashedPathElement::new(
                    vec![
                        (x, y - 4),
                        (x + 50, y - 4),
                        (x + 50, y + 4),
                        (x, y + 4),
                        (x, y - 4),
                    ],
                    dash,
                    gap,
                    INK.stroke_width(2),
                ))?;
            }
        }
        col.put(name, &col.item, (x + 62, y))?;
        y += ROW;
    }
    Ok(y)
}

/// A sample donut split in three materials, then reference sizes of round quantities.
fn intra_donuts<DB: DrawingBackend>(
    col: &Column<DB>,
    l: &MapLegend,
    label_of: &dyn Fn(f64) -> String,
    mut y: i32,
) -> Result<i32, ChartError> {
    let (x, area) = (col.x, col.area);
    col.put("Used within the park, per year", &col.heading, (x, y))?;
    y += ROW + 2;
    let cx = x + 25;
    let samples: Vec<f64> = width_legend_quantities(l.max_intra)
        .into_iter()
        .take(2)
        .collect();
    if !l.has_intra || samples.is_empty() {
        col.put("none", &col.note, (x, y))?;
        return Ok(y + ROW);
    }
    let inner = PARK_RADIUS + 2.0;
    let r_big = donut_radius(samples[0], l.max_intra, inner);
    y += r_big.round() as i32 - 8;
    let c = (f64::from(cx), f64::from(y));
    let angles = donut_angles(&[3.0, 2.0, 1.0]);
    for (k, &(a0, a1)) in angles.iter().enumerate() {
        for (b0, b1) in donut_pieces(a0, a1) {
            let pts: Vec<(i32, i32)> = donut_wedge(c, inner, r_big, b0, b1)
                .into_iter()
                .map(px)
                .collect();
            area.draw(&Polygon::new(pts, palette_colour(k).filled()))?;
        }
    }
    area.draw(&Circle::new(
        (cx, y),
        PARK_RADIUS as i32,
        PARK_FILL.filled(),
    ))?;
    col.put(&label_of(samples[0]), &col.item, (x + 62, y))?;
    y += r_big.round() as i32 + 8;
    for &q in &samples[1..] {
        let r = donut_radius(q, l.max_intra, inner);
        y += r.round() as i32;
        area.draw(&Circle::new(
            (cx, y),
            r.round() as i32,
            INK.mix(0.45).filled(),
        ))?;
        area.draw(&Circle::new((cx, y), inner.round() as i32, WHITE.filled()))?;
        area.draw(&Circle::new(
            (cx, y),
            PARK_RADIUS as i32,
            PARK_FILL.filled(),
        ))?;
        col.put(&label_of(q), &col.item, (x + 62, y))?;
        y += r.round() as i32 + 8;
    }
    y += 6;
    col.put("ring area ∝ quantity,", &col.note, (x, y))?;
    y += ROW - 4;
    col.put("split by material", &col.note, (x, y))?;
    Ok(y + ROW)
}

/// The disposal squares: landfill (grey) and dumping (red), and the largest square's quantity.
fn disposal<DB: DrawingBackend>(
    col: &Column<DB>,
    l: &MapLegend,
    mut y: i32,
) -> Result<i32, ChartError> {
    let (x, area) = (col.x, col.area);
    col.put("Disposed at the park, per year", &col.heading, (x, y))?;
    y += ROW + 2;
    let dumped = if l.any_dumped {
        "dumped (non-compliant)"
    } else {
        "dumped (non-compliant): none"
    };
    for (colour, label) in [(LANDFILL, "disposed (landfill)"), (DUMPED, dumped)] {
        area.draw(&Rectangle::new(
            [(x + 8, y - 7), (x + 22, y + 7)],
            colour.filled(),
        ))?;
        col.put(label, &col.item, (x + 40, y))?;
        y += ROW;
    }
    if l.max_disposal > 0.0 {
        let side = disposal_side(l.max_disposal, l.max_disposal).round() as i32;
        y += side / 2 - 6;
        area.draw(&Rectangle::new(
            [
                (x + 15 - side / 2, y - side / 2),
                (x + 15 + side / 2, y + side / 2),
            ],
            MUTED.stroke_width(1),
        ))?;
        col.put(
            &format!(
                "{} (square area ∝ quantity)",
                quantity_chart(l.max_disposal, "t")
            ),
            &col.note,
            (x + 40, y),
        )?;
        y += side / 2 + 10;
    } else {
        col.put("nothing disposed", &col.note, (x, y))?;
        y += ROW;
    }
    Ok(y)
}

/// The park and sub-block markers and what a label says.
fn symbols<DB: DrawingBackend>(col: &Column<DB>, mut y: i32) -> Result<(), ChartError> {
    let (x, area) = (col.x, col.area);
    col.put("Symbols", &col.heading, (x, y))?;
    y += ROW + 4;
    let cx = x + 15;
    area.draw(&Circle::new(
        (cx, y),
        PARK_RADIUS as i32,
        PARK_FILL.filled(),
    ))?;
    col.put("industrial park", &col.item, (x + 40, y))?;
    y += ROW + 4;
    area.draw(&Circle::new((cx, y), BLOCK_RADIUS as i32, WHITE.filled()))?;
    area.draw(&Circle::new(
        (cx, y),
        BLOCK_RADIUS as i32,
        PARK_FILL.stroke_width(2),
    ))?;
    col.put("sub-block of a park", &col.item, (x + 40, y))?;
    y += ROW + 4;
    col.put("label: name (solids generated)", &col.note, (x, y))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_legend_uses_round_values_below_max() {
        assert_eq!(width_legend_quantities(8.7e6), vec![5e6, 5e5, 5e4]);
        assert_eq!(width_legend_quantities(1e7), vec![1e7, 1e6, 1e5]);
        assert_eq!(width_legend_quantities(3.0e4), vec![2e4, 2e3, 2e2]);
        assert!(width_legend_quantities(0.0).is_empty());
    }
}
