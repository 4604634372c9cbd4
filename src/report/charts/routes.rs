//! The route chart: solids used by each route (t/yr) as horizontal bars, coloured by route kind,
//! filled by whether the accounting rule counts the kind: solid when the strict rule counts it
//! too, hatched when only the scenario's rule does (backfill and restoration under the Chinese
//! statistical convention), pale when the rule does not count it.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    draw_title, finite_or_zero, fit_labels, fit_text, text, text_width, GRID, INK, MUTED,
};
use super::{ChartError, RouteBar, RouteChart};
use crate::report::format::quantity_chart;

/// Longest route name in the label column, in pixels.
const LABEL_COLUMN_MAX: f64 = 380.0;

/// Kind colours (Okabe–Ito), by position in [`RouteChart::kinds`]; unknown kinds are grey.
const KIND_COLOURS: [RGBColor; 5] = [
    RGBColor(0, 114, 178),   // utilisation: blue
    RGBColor(230, 159, 0),   // backfill: orange
    RGBColor(0, 158, 115),   // ecological restoration: bluish green
    RGBColor(204, 121, 167), // energy recovery: reddish purple
    RGBColor(120, 120, 120), // disposal: grey
];

/// The colour of the kind at `i` in [`RouteChart::kinds`] (grey past the fifth, or unknown).
pub fn route_kind_colour(i: Option<usize>) -> RGBColor {
    i.and_then(|i| KIND_COLOURS.get(i).copied())
        .unwrap_or(RGBColor(150, 150, 150))
}

/// How a bar is filled: by the strict rule and the scenario's rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteFill {
    /// Counted by the scenario's rule and by the strict rule.
    Solid,
    /// Counted by the scenario's rule, not by the strict rule.
    Hatched,
    /// Not counted by the scenario's rule.
    Pale,
}

/// The fill of a bar (see [`RouteFill`]).
pub fn route_fill(b: &RouteBar) -> RouteFill {
    match (b.counted, b.strict) {
        (false, _) => RouteFill::Pale,
        (true, true) => RouteFill::Solid,
        (true, false) => RouteFill::Hatched,
    }
}

/// The tonnes axis: its upper end and tick step, the largest bar rounded up to a multiple of a
/// 1–2–5 × 10ⁿ step giving at most 6 steps; `(1, 1)` when nothing is positive.
pub fn tonnes_axis(max: f64) -> (f64, f64) {
    if !(max > 0.0 && max.is_finite()) {
        return (1.0, 1.0);
    }
    let base = 10f64.powf((max / 6.0).log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * base)
        .find(|s| max / s <= 6.0 + 1e-9)
        .unwrap_or(base * 10.0);
    ((max / step - 1e-9).ceil() * step, step)
}

/// Draws a rectangle in pixels with the fill of `fill` in `colour`: hatched bars get diagonal
/// lines clipped to the rectangle.
fn draw_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x0, y0, x1, y1): (i32, i32, i32, i32),
    colour: RGBColor,
    fill: RouteFill,
) -> Result<(), ChartError> {
    if x1 <= x0 || y1 <= y0 {
        return Ok(());
    }
    match fill {
        RouteFill::Solid => root.draw(&Rectangle::new([(x0, y0), (x1, y1)], colour.filled()))?,
        RouteFill::Pale => {
            root.draw(&Rectangle::new(
                [(x0, y0), (x1, y1)],
                colour.mix(0.22).filled(),
            ))?;
            root.draw(&Rectangle::new(
                [(x0, y0), (x1, y1)],
                colour.stroke_width(1),
            ))?;
        }
        RouteFill::Hatched => {
            root.draw(&Rectangle::new(
                [(x0, y0), (x1, y1)],
                colour.mix(0.3).filled(),
            ))?;
            // Lines x - y = c, every 7 px, clipped to the rectangle.
            let h = y1 - y0;
            let mut c = x0 - h;
            while c < x1 {
                // Points (c + y - y0 ... ) along the diagonal from bottom-left to top-right.
                let (mut ax, mut ay) = (c, y1);
                let (mut bx, mut by) = (c + h, y0);
                if ax < x0 {
                    ay -= x0 - ax;
                    ax = x0;
                }
                if bx > x1 {
                    by += bx - x1;
                    bx = x1;
                }
                if ax < bx {
                    root.draw(&PathElement::new(
                        vec![(ax, ay), (bx, by)],
                        colour.stroke_width(2),
                    ))?;
                }
                c += 7;
            }
            root.draw(&Rectangle::new(
                [(x0, y0), (x1, y1)],
                colour.stroke_width(1),
            ))?;
        }
    }
    Ok(())
}

pub(super) fn draw_routes<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &RouteChart,
) -> Result<(), ChartError> {
    root.fill(&WHITE)?;
    let (w, h) = root.dim_in_pixel();
    let extra = draw_title(root, &c.title)?;
    let kind_of = |b: &RouteBar| c.kinds.iter().position(|k| k.name == b.kind);

    // Legend: one swatch per kind (with whether the rule counts it), then the fills.
    let legend = text(15.0, &INK).pos(Pos::new(HPos::Left, VPos::Center));
    let note = text(14.0, &MUTED).pos(Pos::new(HPos::Left, VPos::Center));
    let mut lx = 24;
    let ly = 66 + extra;
    for (i, k) in c.kinds.iter().enumerate() {
        let fill = match (k.counted, k.strict) {
            (false, _) => RouteFill::Pale,
            (true, true) => RouteFill::Solid,
            (true, false) => RouteFill::Hatched,
        };
        draw_bar(
            root,
            (lx, ly - 8, lx + 22, ly + 8),
            route_kind_colour(Some(i)),
            fill,
        )?;
        let label = k.name.replace('_', " ");
        root.draw_text(&label, &legend, (lx + 30, ly))?;
        lx += 30 + text_width(root, &label, &legend).ceil() as i32 + 26;
    }
    let ly2 = ly + 26;
    let fills = [
        (
            RouteFill::Solid,
            "counted (also by the strict rate)".to_string(),
        ),
        (RouteFill::Hatched, format!("counted by {} only", c.rule)),
        (RouteFill::Pale, "not counted".to_string()),
    ];
    let mut lx = 24;
    for (fill, label) in &fills {
        draw_bar(root, (lx, ly2 - 8, lx + 22, ly2 + 8), MUTED, *fill)?;
        root.draw_text(label, &note, (lx + 30, ly2))?;
        lx += 30 + text_width(root, label, &note).ceil() as i32 + 26;
    }

    // Label column sized to the longest (fitted) route name; tonnes to the right of each bar.
    let label_style = text(15.0, &INK).pos(Pos::new(HPos::Right, VPos::Center));
    let (labels, widest) = fit_labels(
        root,
        c.bars.iter().map(|b| b.label.as_str()),
        LABEL_COLUMN_MAX,
        &label_style,
    );
    let label_w = widest.max(80.0);
    let top = 136 + extra;
    let bottom = h as i32 - 66 - 20 * c.notes.len() as i32;
    let left = 16 + label_w.ceil() as i32 + 14;
    let right = w as i32 - 100;
    let max = c
        .bars
        .iter()
        .map(|b| finite_or_zero(b.tonnes).max(0.0))
        .fold(0.0f64, f64::max);
    let (x_max, step) = tonnes_axis(max);
    let to_x = |t: f64| left + ((t / x_max) * f64::from(right - left)).round() as i32;

    // Grid and ticks.
    let tick = text(14.0, &INK).pos(Pos::new(HPos::Center, VPos::Top));
    let n_ticks = (x_max / step).round() as i32;
    for k in 0..=n_ticks {
        let t = step * f64::from(k);
        let x = to_x(t);
        root.draw(&PathElement::new(
            vec![(x, top), (x, bottom)],
            GRID.stroke_width(1),
        ))?;
        root.draw_text(&quantity_chart(t, "t"), &tick, (x, bottom + 6))?;
    }
    root.draw(&PathElement::new(
        vec![(left, top), (left, bottom)],
        MUTED.stroke_width(1),
    ))?;
    root.draw_text(
        "solids used by the route, t/yr",
        &text(16.0, &INK).pos(Pos::new(HPos::Center, VPos::Top)),
        ((left + right) / 2, bottom + 30),
    )?;
    root.draw_text(
        "route",
        &text(14.0, &MUTED).pos(Pos::new(HPos::Right, VPos::Bottom)),
        (left - 10, top - 4),
    )?;

    if c.bars.is_empty() {
        root.draw_text(
            "no solids used by any route",
            &text(18.0, &MUTED).pos(Pos::new(HPos::Center, VPos::Center)),
            ((left + right) / 2, (top + bottom) / 2),
        )?;
    }
    let n = c.bars.len().max(1) as f64;
    let slot = (f64::from(bottom - top) / n).min(44.0);
    let half = (slot * 0.36).min(16.0);
    let value = text(14.0, &INK).pos(Pos::new(HPos::Left, VPos::Center));
    for (i, (b, label)) in c.bars.iter().zip(&labels).enumerate() {
        let yc = (f64::from(top) + slot * (i as f64 + 0.5)).round() as i32;
        let t = finite_or_zero(b.tonnes).max(0.0);
        let x1 = to_x(t.min(x_max)).max(left + 1);
        draw_bar(
            root,
            (left, yc - half as i32, x1, yc + half as i32),
            route_kind_colour(kind_of(b)),
            route_fill(b),
        )?;
        root.draw_text(label, &label_style, (left - 10, yc))?;
        root.draw_text(&quantity_chart(t, "t"), &value, (x1 + 6, yc))?;
    }
    for (i, line) in c.notes.iter().enumerate() {
        let s = fit_text(line, f64::from(w) - 48.0, |s| text_width(root, s, &note));
        let y = h as i32 - 14 - 20 * (c.notes.len() - 1 - i) as i32;
        root.draw_text(&s, &note, (24, y))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tonnes_axis_rounds_up_to_a_step() {
        assert_eq!(tonnes_axis(0.0), (1.0, 1.0));
        assert_eq!(tonnes_axis(9.3e6), (1e7, 2e6));
        assert_eq!(tonnes_axis(2.1e7), (2.5e7, 5e6));
        assert_eq!(tonnes_axis(1.0e6), (1.0e6, 2e5));
        assert_eq!(tonnes_axis(3.3e5), (4e5, 1e5));
    }
}
