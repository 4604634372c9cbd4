//! The comparison chart of `compare`: three panels side by side.
//!
//! 1. The target's rate per strategy (one slot each, the base first): a bar under the
//!    scenario's accounting rule and a bar under the strict rule for the primary objective,
//!    the other objective's two rates as hollow diamonds on the same bars, p5–p95 whiskers
//!    from the Monte Carlo, the target as a dashed line; a failed strategy is a labelled gap.
//! 2. Resource cost (million yuan/yr) against the rate under the rule: one point per strategy
//!    and objective (circles: the primary, squares: the other), the efficient points of each
//!    objective filled and joined as steps ([`efficient_front`]), the others hollow; each
//!    point labelled with its strategy's id, placed clear of the others.
//! 3. Each solid material's rate under the primary objective, grouped by strategy, one colour
//!    per material, min–max range ticks where the optimal allocations differ.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::labels::{place_labels_with, PixelBox};
use super::style::{
    draw_title, finite_or_zero, fit_labels, fit_text, palette_colour, text, text_width, GRID, INK,
    MUTED,
};
use super::utilisation::rate_axis_max;
use super::{ChartError, ComparisonChart, CostPoint, RatePair};
use crate::report::format::{fixed, percent_chart, percent_tick};

/// Okabe–Ito blue: the rate under the rule (panel 1) and the primary objective (panel 2).
const RULE: RGBColor = RGBColor(0, 114, 178);
/// Okabe–Ito sky blue: the strict rate (panel 1).
const STRICT: RGBColor = RGBColor(86, 180, 233);
/// Okabe–Ito orange: the other objective (panel 2).
const OTHER: RGBColor = RGBColor(230, 159, 0);
/// Okabe–Ito vermillion: a failed strategy.
const FAILED: RGBColor = RGBColor(213, 94, 0);
/// Longest strategy id in panel 1's label column, in pixels.
const ID_COLUMN_MAX: f64 = 190.0;
/// Longest point label in panel 2, in pixels.
const POINT_LABEL_MAX: f64 = 170.0;

/// Which points are efficient: point `i` = (cost, rate) is efficient unless another point has
/// lower-or-equal cost and higher-or-equal rate, one of them strictly. Equal points are all
/// efficient; a point with a non-finite coordinate is never beaten and beats none.
pub fn efficient_front(points: &[(f64, f64)]) -> Vec<bool> {
    points
        .iter()
        .map(|&(c, r)| {
            !points
                .iter()
                .any(|&(c2, r2)| c2 <= c && r2 >= r && (c2 < c || r2 > r))
        })
        .collect()
}

/// A rate as panel 1 prints it: one decimal (`63.2 %`, strategies often differ by less than
/// a point), `–` when undefined.
pub fn rate_label(rate: Option<f64>) -> String {
    match rate {
        Some(r) if r.is_finite() => format!("{} %", fixed(r * 100.0, 1)),
        _ => "–".into(),
    }
}

/// A pixel rectangle `(x0, y0, x1, y1)` of the root.
type Rect = (i32, i32, i32, i32);

pub(super) fn draw_comparison<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &ComparisonChart,
) -> Result<(), ChartError> {
    root.fill(&WHITE)?;
    let drop = draw_title(root, &c.title)?;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let sub = text(15.0, &MUTED).pos(Pos::new(HPos::Center, VPos::Top));
    let line = fit_text(&c.subtitle, f64::from(w - 40), |s| {
        text_width(root, s, &text(15.0, &MUTED))
    });
    root.draw_text(&line, &sub, (w / 2, 52 + drop))?;
    let top = 84 + drop;
    let split_y = top + (h - top) * 54 / 100;
    let split_x = w * 52 / 100;
    rates_panel(root, c, (0, top, split_x, split_y))?;
    cost_panel(root, c, (split_x, top, w, split_y))?;
    materials_panel(root, c, (0, split_y, w, h))?;
    // Thin rules between the panels.
    root.draw(&PathElement::new(
        vec![(20, split_y), (w - 20, split_y)],
        GRID.stroke_width(2),
    ))?;
    root.draw(&PathElement::new(
        vec![(split_x, top + 6), (split_x, split_y - 10)],
        GRID.stroke_width(2),
    ))?;
    Ok(())
}

/// The panel's heading at its top left; returns the y below it.
fn heading<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rect: Rect,
    s: &str,
) -> Result<i32, ChartError> {
    let style = text(18.0, &INK).pos(Pos::new(HPos::Left, VPos::Top));
    let s = fit_text(s, f64::from(rect.2 - rect.0 - 40), |t| {
        text_width(root, t, &text(18.0, &INK))
    });
    root.draw_text(&s, &style, (rect.0 + 20, rect.1 + 10))?;
    Ok(rect.1 + 38)
}

/// One legend entry: a swatch drawn by `swatch` in the 34 × 16 box at `(x, y)` (centre line),
/// then its label; returns the x after it.
fn legend_entry<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    label: &str,
    swatch: impl FnOnce(i32, i32) -> Result<(), ChartError>,
) -> Result<i32, ChartError> {
    swatch(x, y)?;
    let style = text(14.0, &INK).pos(Pos::new(HPos::Left, VPos::Center));
    root.draw_text(label, &style, (x + 40, y))?;
    Ok(x + 40 + text_width(root, label, &text(14.0, &INK)).ceil() as i32 + 22)
}

/// Legend entries laid out in rows from `(x0, y)` within `right`; returns the y below them.
type Swatch<'a> = Box<dyn Fn(i32, i32) -> Result<(), ChartError> + 'a>;

fn legend_rows<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x0: i32,
    mut y: i32,
    right: i32,
    entries: Vec<(String, Swatch<'_>)>,
) -> Result<i32, ChartError> {
    let mut x = x0;
    for (label, swatch) in entries {
        let need = 40 + text_width(root, &label, &text(14.0, &INK)).ceil() as i32;
        if x > x0 && x + need > right {
            x = x0;
            y += 22;
        }
        x = legend_entry(root, (x, y), &label, swatch)?;
    }
    Ok(y + 14)
}

fn diamond(x: i32, y: i32, r: i32) -> Vec<(i32, i32)> {
    vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y), (x, y - r)]
}

/// Draws a hollow diamond of radius `r` centred at `(x, y)` (root pixels).
fn draw_diamond<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    r: i32,
) -> Result<(), ChartError> {
    root.draw(&Polygon::new(diamond(x, y, r), WHITE.filled()))?;
    root.draw(&PathElement::new(diamond(x, y, r), INK.stroke_width(2)))?;
    Ok(())
}

/// A horizontal whisker with end caps, in root pixels.
fn draw_hwhisker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x0, x1): (i32, i32),
    y: i32,
    cap: i32,
) -> Result<(), ChartError> {
    let style = INK.stroke_width(2);
    root.draw(&PathElement::new(vec![(x0, y), (x1, y)], style))?;
    for x in [x0, x1] {
        root.draw(&PathElement::new(vec![(x, y - cap), (x, y + cap)], style))?;
    }
    Ok(())
}

fn clamp_rate(r: f64) -> f64 {
    finite_or_zero(r).max(0.0)
}

/// Panel 1: the target's rate per strategy.
fn rates_panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &ComparisonChart,
    rect: Rect,
) -> Result<(), ChartError> {
    let y = heading(
        root,
        rect,
        &format!("1 · The target's rate by strategy ({})", c.objectives[0]),
    )?;
    let target = clamp_rate(c.target_rate);
    let target_label = format!("target {}", percent_chart(target));
    let whiskers = c.strategies.iter().any(|s| {
        s.rates.as_ref().is_ok_and(|r| {
            r.iter()
                .any(|p| p.rate_p5_p95.is_some() || p.strict_p5_p95.is_some())
        })
    });
    let mut entries: Vec<(String, Swatch<'_>)> = vec![
        (
            format!("under the rule \"{}\"", c.rule),
            Box::new(|x, y| {
                root.draw(&Rectangle::new(
                    [(x, y - 7), (x + 24, y + 7)],
                    RULE.filled(),
                ))?;
                Ok(())
            }),
        ),
        (
            "strict rule".into(),
            Box::new(|x, y| {
                root.draw(&Rectangle::new(
                    [(x, y - 7), (x + 24, y + 7)],
                    STRICT.filled(),
                ))?;
                Ok(())
            }),
        ),
        (
            format!("{}, same rule as its bar", c.objectives[1]),
            Box::new(|x, y| draw_diamond(root, (x + 12, y), 6)),
        ),
    ];
    if whiskers {
        entries.push((
            "p5–p95 over samples".into(),
            Box::new(|x, y| draw_hwhisker(root, (x, x + 24), y, 5)),
        ));
    }
    entries.push((
        target_label.clone(),
        Box::new(|x, y| {
            root.draw(&DashedPathElement::new(
                vec![(x, y), (x + 24, y)],
                6,
                4,
                INK.stroke_width(2),
            ))?;
            Ok(())
        }),
    ));
    let y = legend_rows(root, rect.0 + 20, y + 6, rect.2 - 20, entries)?;

    let id_style = text(15.0, &INK).pos(Pos::new(HPos::Right, VPos::Center));
    let (ids, id_w) = fit_labels(
        root,
        c.strategies.iter().map(|s| s.id.as_str()),
        ID_COLUMN_MAX,
        &id_style,
    );
    let n = c.strategies.len().max(1);
    let mut values = vec![target];
    for s in &c.strategies {
        if let Ok(r) = &s.rates {
            for p in r {
                values.extend([p.rate, p.strict].into_iter().flatten().map(clamp_rate));
                for (_, hi) in [p.rate_p5_p95, p.strict_p5_p95].into_iter().flatten() {
                    values.push(clamp_rate(hi));
                }
            }
        }
    }
    let x_max = rate_axis_max(&values, target);
    let sub = panel_area(root, rect, y + 8);
    let mut chart = ChartBuilder::on(&sub)
        .margin_left(12)
        .margin_right(58)
        .margin_bottom(6)
        .margin_top(16)
        .x_label_area_size(56)
        .y_label_area_size((id_w + 20.0).ceil() as i32)
        .build_cartesian_2d(0.0..x_max, -0.5..(n as f64 - 0.5))?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels((x_max / 10.0) as usize + 1)
        .x_label_formatter(&|v| percent_tick(*v))
        .max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .label_style(text(14.0, &INK))
        .axis_desc_style(text(15.0, &INK))
        .x_desc("target's rate, % of what is generated in its scope, per year")
        .draw()?;
    // The target first: the bars and their labels are drawn over it.
    let tx = target * 100.0;
    chart.draw_series(std::iter::once(DashedPathElement::new(
        vec![(tx, -0.5), (tx, n as f64 - 0.5)],
        9,
        6,
        INK.stroke_width(2),
    )))?;
    let (plot_x, _) = chart.plotting_area().get_pixel_range();
    let left = plot_x.start;
    let px = |v: f64, slot: f64| chart.backend_coord(&((v * 100.0).min(x_max), slot));
    let value_style = text(13.0, &INK).pos(Pos::new(HPos::Left, VPos::Center));
    for (i, s) in c.strategies.iter().enumerate() {
        // The base at the top.
        let slot = (n - 1 - i) as f64;
        let (_, y_mid) = px(0.0, slot);
        root.draw_text(&ids[i], &id_style, (left - 10, y_mid))?;
        let pairs = match &s.rates {
            Err(e) => {
                let style = text(14.0, &FAILED).pos(Pos::new(HPos::Left, VPos::Center));
                let msg = format!("failed: {e}");
                let (plot_x, _) = chart.plotting_area().get_pixel_range();
                let msg = fit_text(&msg, f64::from(plot_x.end - left - 16), |t| {
                    text_width(root, t, &text(14.0, &FAILED))
                });
                let mw = text_width(root, &msg, &text(14.0, &FAILED)).ceil() as i32;
                root.draw(&Rectangle::new(
                    [(left + 4, y_mid - 9), (left + mw + 12, y_mid + 9)],
                    WHITE.filled(),
                ))?;
                root.draw_text(&msg, &style, (left + 8, y_mid))?;
                continue;
            }
            Ok(p) => p,
        };
        let [primary, other]: &[RatePair; 2] = pairs;
        for (k, (colour, rate, other_rate, whisker)) in [
            (RULE, primary.rate, other.rate, primary.rate_p5_p95),
            (STRICT, primary.strict, other.strict, primary.strict_p5_p95),
        ]
        .into_iter()
        .enumerate()
        {
            let centre = slot + if k == 0 { 0.19 } else { -0.19 };
            let half = 0.16;
            let mut right_end = left;
            if let Some(r) = rate {
                let r = clamp_rate(r);
                let (x0, y0) = px(0.0, centre + half);
                let (x1, y1) = px(r, centre - half);
                root.draw(&Rectangle::new([(x0, y0), (x1, y1)], colour.filled()))?;
                right_end = right_end.max(x1);
            }
            let (_, yc) = px(0.0, centre);
            if let Some((lo, hi)) = whisker {
                let (a, _) = px(clamp_rate(lo), centre);
                let (b, _) = px(clamp_rate(hi), centre);
                draw_hwhisker(root, (a, b), yc, 5)?;
                right_end = right_end.max(b);
            }
            if let Some(o) = other_rate {
                let (x, _) = px(clamp_rate(o), centre);
                draw_diamond(root, (x, yc), 6)?;
                right_end = right_end.max(x + 6);
            }
            let label = match rate {
                Some(_) => rate_label(rate),
                None => "no rate (nothing in scope)".into(),
            };
            // On a white ground, so that the target line never crosses it.
            let lw = text_width(root, &label, &text(13.0, &INK)).ceil() as i32;
            root.draw(&Rectangle::new(
                [(right_end + 3, yc - 8), (right_end + lw + 9, yc + 8)],
                WHITE.filled(),
            ))?;
            root.draw_text(&label, &value_style, (right_end + 6, yc))?;
        }
    }
    Ok(())
}

/// The part of `rect` below `y`, as a drawing area.
fn panel_area<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rect: Rect,
    y: i32,
) -> DrawingArea<DB, Shift> {
    let (w, h) = root.dim_in_pixel();
    // Plotters' order: top, bottom, left, right.
    root.margin(
        y.max(0) as u32,
        (h as i32 - rect.3).max(0) as u32,
        rect.0.max(0) as u32,
        (w as i32 - rect.2).max(0) as u32,
    )
}

/// An axis range around `values` with 8 % padding on each side (a unit wide around a single
/// value).
fn padded(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let span = (hi - lo).max(hi.abs().max(lo.abs()) * 0.02).max(1e-3);
    (lo - span * 0.08, hi + span * 0.08)
}

/// Panel 2: resource cost against the rate.
fn cost_panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &ComparisonChart,
    rect: Rect,
) -> Result<(), ChartError> {
    let y = heading(root, rect, "2 · Resource cost against the rate")?;
    let colour = |k: usize| if k == 0 { RULE } else { OTHER };
    let marker = |x: i32, y: i32, k: usize, filled: bool| -> Result<(), ChartError> {
        let col = colour(k);
        let fill = if filled { col.filled() } else { WHITE.filled() };
        if k == 0 {
            root.draw(&Circle::new((x, y), 7, fill))?;
            root.draw(&Circle::new((x, y), 7, col.stroke_width(2)))?;
        } else {
            root.draw(&Rectangle::new([(x - 6, y - 6), (x + 6, y + 6)], fill))?;
            root.draw(&Rectangle::new(
                [(x - 6, y - 6), (x + 6, y + 6)],
                col.stroke_width(2),
            ))?;
        }
        Ok(())
    };
    let mut entries: Vec<(String, Swatch<'_>)> = Vec::new();
    for k in 0..2 {
        entries.push((
            c.objectives[k].clone(),
            Box::new(move |x, y| {
                marker(x + 6, y, k, true)?;
                marker(x + 24, y, k, false)
            }),
        ));
    }
    entries.push((
        "filled: efficient (no point of its objective is cheaper and higher), joined as steps; hollow: dominated".into(),
        Box::new(|x, y| {
            root.draw(&PathElement::new(
                vec![(x, y + 6), (x + 12, y + 6), (x + 12, y - 6), (x + 24, y - 6)],
                INK.stroke_width(2),
            ))?;
            Ok(())
        }),
    ));
    let y = legend_rows(root, rect.0 + 20, y + 6, rect.2 - 20, entries)?;

    let pts: Vec<&CostPoint> = c.points.iter().collect();
    let (x_lo, x_hi) = padded(pts.iter().map(|p| p.cost_myuan));
    let target = clamp_rate(c.target_rate) * 100.0;
    let rates = || pts.iter().map(|p| finite_or_zero(p.rate) * 100.0);
    // The target joins the axis when it is near the points, else a note says where it is.
    let (lo, hi) = padded(rates());
    let near = pts.is_empty() || (target >= lo - (hi - lo) && target <= hi + (hi - lo));
    let (y_lo, y_hi) = if near {
        padded(rates().chain(std::iter::once(target)))
    } else {
        (lo, hi)
    };
    let sub = panel_area(root, rect, y + 8);
    let mut chart = ChartBuilder::on(&sub)
        .margin_left(12)
        .margin_right(24)
        .margin_bottom(6)
        .margin_top(16)
        .x_label_area_size(56)
        .y_label_area_size(72)
        .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)?;
    let x_decimals = tick_decimals(x_hi - x_lo);
    let y_decimals = tick_decimals(y_hi - y_lo);
    chart
        .configure_mesh()
        .x_labels(7)
        .y_labels(7)
        .x_label_formatter(&|v| fixed(*v, x_decimals))
        .y_label_formatter(&|v| format!("{} %", fixed(*v, y_decimals)))
        .max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .label_style(text(14.0, &INK))
        .axis_desc_style(text(15.0, &INK))
        .x_desc("resource cost, million yuan/yr")
        .y_desc(format!("target's rate under \"{}\", %", c.rule))
        .draw()?;
    let (plot_x, plot_y) = chart.plotting_area().get_pixel_range();
    let target_text = format!("target {}", percent_chart(c.target_rate));
    let mut obstacles: Vec<PixelBox> = Vec::new();
    if near {
        chart.draw_series(std::iter::once(DashedPathElement::new(
            vec![(x_lo, target), (x_hi, target)],
            9,
            6,
            INK.stroke_width(2),
        )))?;
        let (_, ty) = chart.backend_coord(&(x_lo, target));
        root.draw_text(
            &target_text,
            &text(14.0, &INK).pos(Pos::new(HPos::Right, VPos::Bottom)),
            (plot_x.end - 6, ty - 4),
        )?;
        obstacles.push((
            f64::from(plot_x.start),
            f64::from(ty - 2),
            f64::from(plot_x.end),
            f64::from(ty + 2),
        ));
    } else {
        let (above, y) = if target > y_hi {
            ("above", plot_y.start + 6)
        } else {
            ("below", plot_y.end - 22)
        };
        root.draw_text(
            &format!("{target_text}: {above} every point"),
            &text(14.0, &MUTED).pos(Pos::new(HPos::Right, VPos::Top)),
            (plot_x.end - 6, y),
        )?;
    }
    // The fronts, as steps: what the cheapest efficient point reaching each rate costs.
    for k in 0..2 {
        let mut front: Vec<(f64, f64)> = pts
            .iter()
            .filter(|p| p.objective == k && p.efficient)
            .map(|p| (p.cost_myuan, finite_or_zero(p.rate) * 100.0))
            .collect();
        front.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let mut steps: Vec<(f64, f64)> = Vec::new();
        for &(x, y) in &front {
            if let Some(&(_, py)) = steps.last() {
                steps.push((x, py));
            }
            steps.push((x, y));
        }
        for pair in steps.windows(2) {
            let (a, b) = (chart.backend_coord(&pair[0]), chart.backend_coord(&pair[1]));
            obstacles.push((
                f64::from(a.0.min(b.0) - 2),
                f64::from(a.1.min(b.1) - 2),
                f64::from(a.0.max(b.0) + 2),
                f64::from(a.1.max(b.1) + 2),
            ));
        }
        chart.draw_series(std::iter::once(PathElement::new(
            steps,
            colour(k).stroke_width(2),
        )))?;
    }
    // Points: dominated first, so the efficient ones are on top.
    let pixel: Vec<(i32, i32)> = pts
        .iter()
        .map(|p| chart.backend_coord(&(p.cost_myuan, finite_or_zero(p.rate) * 100.0)))
        .collect();
    for pass in [false, true] {
        for (p, &(x, y)) in pts.iter().zip(&pixel) {
            if p.efficient == pass {
                marker(x, y, p.objective, p.efficient)?;
            }
        }
    }
    // Labels, placed clear of each other and the markers.
    let label_style = text(13.0, &INK);
    let labels: Vec<String> = pts
        .iter()
        .map(|p| {
            fit_text(&p.strategy, POINT_LABEL_MAX, |t| {
                text_width(root, t, &label_style)
            })
        })
        .collect();
    let markers: Vec<(f64, f64, f64)> = pixel
        .iter()
        .map(|&(x, y)| (f64::from(x), f64::from(y), 7.0))
        .collect();
    let alternatives: Vec<Vec<(f64, f64)>> = labels
        .iter()
        .map(|l| vec![(text_width(root, l, &label_style) + 4.0, 17.0)])
        .collect();
    let bounds = (
        f64::from(plot_x.start),
        f64::from(plot_y.start),
        f64::from(plot_x.end),
        f64::from(plot_y.end),
    );
    let placed = place_labels_with(&markers, &alternatives, &obstacles, bounds);
    let style = label_style.pos(Pos::new(HPos::Left, VPos::Top));
    for ((l, p), &(mx, my, _)) in labels.iter().zip(&placed).zip(&markers) {
        let (x0, y0, x1, y1) = p.bbox;
        if p.leader {
            let cx = mx.clamp(x0, x1);
            let cy = my.clamp(y0, y1);
            root.draw(&PathElement::new(
                vec![(mx as i32, my as i32), (cx as i32, cy as i32)],
                MUTED.stroke_width(1),
            ))?;
        }
        root.draw_text(l, &style, ((x0 + 2.0) as i32, (y0 + 1.0) as i32))?;
    }
    Ok(())
}

/// Decimals of an axis's ticks over `span`: enough to tell 7 ticks apart (at most 6).
fn tick_decimals(span: f64) -> usize {
    let step = span / 7.0;
    if !(step.is_finite() && step > 0.0) || step >= 1.0 {
        return 0;
    }
    ((-step.log10().floor()) as usize).min(6)
}

/// Panel 3: every solid material's rate, grouped by strategy.
fn materials_panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &ComparisonChart,
    rect: Rect,
) -> Result<(), ChartError> {
    let y = heading(
        root,
        rect,
        &format!(
            "3 · Each solid material's rate by strategy ({}, under \"{}\")",
            c.objectives[0], c.rule
        ),
    )?;
    let ranges = c
        .groups
        .iter()
        .any(|g| g.bars.iter().flatten().any(|b| has_range(b.range)));
    let name_style = text(14.0, &INK);
    let mut entries: Vec<(String, Swatch<'_>)> = c
        .materials
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let name = fit_text(m, 220.0, |t| text_width(root, t, &name_style));
            let swatch: Swatch<'_> = Box::new(move |x, y| {
                root.draw(&Rectangle::new(
                    [(x, y - 7), (x + 24, y + 7)],
                    palette_colour(i).filled(),
                ))?;
                Ok(())
            });
            (name, swatch)
        })
        .collect();
    if ranges {
        entries.push((
            "range among optimal allocations".into(),
            Box::new(|x, y| {
                let style = INK.stroke_width(2);
                root.draw(&PathElement::new(
                    vec![(x + 12, y - 8), (x + 12, y + 8)],
                    style,
                ))?;
                for yy in [y - 8, y + 8] {
                    root.draw(&PathElement::new(vec![(x + 8, yy), (x + 16, yy)], style))?;
                }
                Ok(())
            }),
        ));
    }
    let target = clamp_rate(c.target_rate);
    entries.push((
        format!(
            "target {} (the target's scope, not per material)",
            percent_chart(target)
        ),
        Box::new(|x, y| {
            root.draw(&DashedPathElement::new(
                vec![(x, y), (x + 24, y)],
                6,
                4,
                INK.stroke_width(2),
            ))?;
            Ok(())
        }),
    ));
    let y = legend_rows(root, rect.0 + 20, y + 6, rect.2 - 20, entries)?;

    let g = c.groups.len().max(1);
    let m = c.materials.len().max(1);
    let mut values = vec![target];
    for b in c.groups.iter().flat_map(|g| g.bars.iter().flatten()) {
        values.push(clamp_rate(b.rate));
        if let Some((_, hi)) = b.range {
            values.push(clamp_rate(hi));
        }
    }
    let y_max = rate_axis_max(&values, target);
    let sub = panel_area(root, rect, y + 8);
    let mut chart = ChartBuilder::on(&sub)
        .margin_left(12)
        .margin_right(24)
        .margin_bottom(8)
        .margin_top(12)
        .x_label_area_size(44)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..g as f64, 0.0..y_max)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels((y_max / 10.0) as usize + 1)
        .y_label_formatter(&|v| percent_tick(*v))
        .max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .label_style(text(14.0, &INK))
        .axis_desc_style(text(15.0, &INK))
        .y_desc("material's rate, % of generated + drawn")
        .draw()?;
    let (_, plot_y) = chart.plotting_area().get_pixel_range();
    let group_w = {
        let (a, _) = chart.backend_coord(&(0.0, 0.0));
        let (b, _) = chart.backend_coord(&(1.0, 0.0));
        f64::from(b - a)
    };
    let id_style = text(15.0, &INK);
    // Bars share 84 % of a group, each at most 14 % of it (few materials: narrow bars).
    let bar_w = (0.84 / m as f64).min(0.14);
    let inner = bar_w * m as f64;
    for (gi, grp) in c.groups.iter().enumerate() {
        let g0 = gi as f64 + (1.0 - inner) / 2.0;
        for (mi, b) in grp.bars.iter().enumerate() {
            let Some(b) = b else { continue };
            let x0 = g0 + mi as f64 * bar_w;
            let x1 = x0 + bar_w * 0.86;
            let top = (clamp_rate(b.rate) * 100.0).min(y_max);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x0, 0.0), (x1, top)],
                palette_colour(mi).filled(),
            )))?;
            if let Some((lo, hi)) = b.range.filter(|&r| has_range(Some(r))) {
                let xm = (x0 + x1) / 2.0;
                let (lo, hi) = (
                    (clamp_rate(lo) * 100.0).min(y_max),
                    (clamp_rate(hi) * 100.0).min(y_max),
                );
                let (px, py_lo) = chart.backend_coord(&(xm, lo));
                let (_, py_hi) = chart.backend_coord(&(xm, hi));
                let cap = ((group_w * bar_w * 0.3) as i32).clamp(2, 6);
                let style = INK.stroke_width(2);
                root.draw(&PathElement::new(vec![(px, py_lo), (px, py_hi)], style))?;
                for yy in [py_lo, py_hi] {
                    root.draw(&PathElement::new(
                        vec![(px - cap, yy), (px + cap, yy)],
                        style,
                    ))?;
                }
            }
        }
        // The strategy's id under its group, fitted to the group's width.
        let (cx, _) = chart.backend_coord(&(gi as f64 + 0.5, 0.0));
        let id = fit_text(&grp.strategy, group_w - 8.0, |t| {
            text_width(root, t, &id_style)
        });
        root.draw_text(
            &id,
            &id_style.pos(Pos::new(HPos::Center, VPos::Top)),
            (cx, plot_y.end + 10),
        )?;
    }
    let ty = target * 100.0;
    chart.draw_series(std::iter::once(DashedPathElement::new(
        vec![(0.0, ty), (g as f64, ty)],
        9,
        6,
        INK.stroke_width(2),
    )))?;
    Ok(())
}

fn has_range(r: Option<(f64, f64)>) -> bool {
    r.is_some_and(|(lo, hi)| (clamp_rate(hi) - clamp_rate(lo)) > 1e-9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_front_keeps_what_nothing_beats() {
        // (cost, rate): b beats a (cheaper, higher); c costs more for more; d equals c;
        // e has c's cost and less rate; f is cheapest with the lowest rate.
        let pts = [
            (10.0, 0.5),
            (8.0, 0.6),
            (12.0, 0.7),
            (12.0, 0.7),
            (12.0, 0.65),
            (1.0, 0.1),
        ];
        assert_eq!(
            efficient_front(&pts),
            vec![false, true, true, true, false, true]
        );
        assert!(efficient_front(&[]).is_empty());
        assert_eq!(
            efficient_front(&[(f64::NAN, 0.5), (1.0, 0.4)]),
            [true, true]
        );
    }

    #[test]
    fn rates_print_one_decimal() {
        assert_eq!(rate_label(Some(0.6321)), "63.2 %");
        assert_eq!(rate_label(Some(1.0)), "100.0 %");
        assert_eq!(rate_label(None), "–");
        assert_eq!(rate_label(Some(f64::NAN)), "–");
    }

    #[test]
    fn axes() {
        assert_eq!(padded(std::iter::empty()), (0.0, 1.0));
        let (lo, hi) = padded([10.0, 20.0].into_iter());
        assert!((lo - 9.2).abs() < 1e-12 && (hi - 20.8).abs() < 1e-12);
        let (lo, hi) = padded([5.0].into_iter());
        assert!(lo < 5.0 && hi > 5.0);
        assert_eq!(tick_decimals(70.0), 0);
        assert_eq!(tick_decimals(0.7), 1);
        // Tiny's costs: a few thousand yuan, in million yuan.
        assert_eq!(tick_decimals(0.0035), 4);
        assert_eq!(tick_decimals(f64::NAN), 0);
    }
}
