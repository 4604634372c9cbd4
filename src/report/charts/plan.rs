//! The plan chart: every portfolio evaluated exactly, annual cost against P(meet target) (left)
//! and against the expected rate (right), the Pareto front as a line, the chosen plan ringed,
//! the confidence and the target as dashed horizontal lines.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::style::{draw_title, finite_or_zero, text, GRID, INK, MUTED};
use super::{ChartError, PlanChart};
use crate::report::format::{fixed, percent_tick, percent_whole};

/// Okabe–Ito blue: evaluated portfolios.
const DOT: RGBColor = RGBColor(0, 114, 178);
/// Okabe–Ito vermillion: the Pareto front and the chosen plan.
const FRONT: RGBColor = RGBColor(213, 94, 0);

/// The cost axis's upper end in million yuan: the largest cost plus 5 %, at least 1.
pub fn cost_axis_max(costs_myuan: &[f64]) -> f64 {
    let top = costs_myuan
        .iter()
        .map(|&c| finite_or_zero(c))
        .fold(0.0f64, f64::max);
    (top * 1.05).max(1.0)
}

/// One panel: cost (x, million yuan/yr) against `y` (a fraction, drawn in percent) with the
/// horizontal line `level`.
/// What a panel draws beyond the dots, the front and the ring.
enum Extra {
    /// The left panel: the front's numbers (the key's) and the out-of-sample whisker.
    P,
    /// The right panel: every portfolio's strict rate as a hollow square.
    Rates,
}

/// The key under the panels: each front point's number and how its measures differ from the
/// front point before it (`+` added, `−` dropped; the first lists all its measures), as lines
/// of at most `width` characters.
pub fn front_key(changes: &[(Vec<String>, Vec<String>)], width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for (k, (added, dropped)) in changes.iter().enumerate() {
        let mut parts: Vec<String> = added.iter().map(|id| format!("+{id}")).collect();
        parts.extend(dropped.iter().map(|id| format!("−{id}")));
        let item = format!(
            "{} {}",
            k + 1,
            if parts.is_empty() {
                "no measure".to_string()
            } else {
                parts.join(" ")
            }
        );
        let line = lines.last_mut().expect("one line at least");
        if !line.is_empty() && line.chars().count() + 3 + item.chars().count() > width {
            lines.push(item);
        } else {
            if !line.is_empty() {
                line.push_str(" · ");
            }
            line.push_str(&item);
        }
    }
    lines.retain(|l| !l.is_empty());
    lines
}

fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    c: &PlanChart,
    y_of: impl Fn(usize) -> f64,
    y_label: &str,
    level: (f64, &str),
    extra: Extra,
) -> Result<(), ChartError> {
    let xs: Vec<f64> = c.points.iter().map(|p| p.annual_cost / 1e6).collect();
    let x_max = cost_axis_max(&xs);
    let ys: Vec<f64> = (0..c.points.len())
        .map(|i| finite_or_zero(y_of(i)) * 100.0)
        .collect();
    let y_max = ys.iter().fold(100.0f64, |a, &b| a.max(b));
    let strict: Vec<f64> = c
        .points
        .iter()
        .map(|p| finite_or_zero(p.expected_strict_rate) * 100.0)
        .collect();
    let mut chart = ChartBuilder::on(area)
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .label_style(text(14.0, &INK))
        .axis_desc_style(text(15.0, &INK))
        .x_desc("annual cost, million yuan/yr")
        .y_desc(y_label)
        .y_label_formatter(&|v| percent_tick(*v))
        .x_label_formatter(&|v| fixed(*v, 1))
        .draw()?;
    // The level line, labelled at its right end.
    let ly = level.0 * 100.0;
    chart.draw_series(std::iter::once(DashedPathElement::new(
        vec![(0.0, ly), (x_max, ly)],
        6,
        4,
        ShapeStyle::from(&MUTED).stroke_width(2),
    )))?;
    // On the P panel at the left end: the front climbs to the confidence at the right.
    let (lx, anchor) = match extra {
        Extra::P => (x_max * 0.01, plotters::style::text_anchor::HPos::Left),
        Extra::Rates => (x_max * 0.99, plotters::style::text_anchor::HPos::Right),
    };
    chart.draw_series(std::iter::once(Text::new(
        level.1.to_string(),
        (lx, ly + y_max * 0.01),
        text(14.0, &MUTED).pos(plotters::style::text_anchor::Pos::new(
            anchor,
            plotters::style::text_anchor::VPos::Bottom,
        )),
    )))?;
    if let Extra::Rates = extra {
        // Hollow squares (8 px) at each portfolio's strict rate.
        chart.draw_series(xs.iter().zip(&strict).map(|(&x, &y)| {
            EmptyElement::at((x, y))
                + Rectangle::new([(-4, -4), (4, 4)], ShapeStyle::from(&MUTED).stroke_width(2))
        }))?;
    }
    chart.draw_series(
        xs.iter()
            .zip(&ys)
            .map(|(&x, &y)| Circle::new((x, y), 4, DOT.mix(0.6).filled())),
    )?;
    // The front as steps: what the cheapest portfolio reaching each level costs.
    let mut front: Vec<(f64, f64)> = Vec::new();
    for &i in &c.front {
        if let Some(&(_, y)) = front.last() {
            front.push((xs[i], y));
        }
        front.push((xs[i], ys[i]));
    }
    chart.draw_series(std::iter::once(PathElement::new(
        front,
        ShapeStyle::from(&FRONT).stroke_width(2),
    )))?;
    if let Some(i) = c.chosen {
        chart.draw_series(std::iter::once(Circle::new(
            (xs[i], ys[i]),
            9,
            ShapeStyle::from(&FRONT).stroke_width(3),
        )))?;
    }
    if let Extra::P = extra {
        // The front's numbers, above and left of each point.
        chart.draw_series(c.front.iter().enumerate().map(|(k, &i)| {
            EmptyElement::at((xs[i], ys[i]))
                + Text::new((k + 1).to_string(), (-16, -22), text(12.0, &FRONT))
        }))?;
        // The chosen plan out of sample: its 95 % interval and a diamond, 16 px right of it.
        if let (Some(i), Some((p, (lo, hi)))) = (c.chosen, c.out_of_sample) {
            let x = xs[i];
            let (p, lo, hi) = (p * 100.0, lo * 100.0, hi * 100.0);
            let (_, y0) = chart.backend_coord(&(x, p));
            let (_, ylo) = chart.backend_coord(&(x, lo));
            let (_, yhi) = chart.backend_coord(&(x, hi));
            let ink = ShapeStyle::from(&INK).stroke_width(2);
            chart.draw_series(std::iter::once(
                EmptyElement::at((x, p))
                    + PathElement::new(vec![(16, ylo - y0), (16, yhi - y0)], ink)
                    + PathElement::new(vec![(12, ylo - y0), (20, ylo - y0)], ink)
                    + PathElement::new(vec![(12, yhi - y0), (20, yhi - y0)], ink)
                    + Rectangle::new([(11, -5), (21, 5)], WHITE.filled())
                    + PathElement::new(vec![(16, -6), (22, 0), (16, 6), (10, 0), (16, -6)], ink),
            ))?;
        }
    }
    Ok(())
}

pub(super) fn draw_plan<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &PlanChart,
) -> Result<(), ChartError> {
    root.fill(&WHITE)?;
    let drop = draw_title(root, &c.title)?;
    let (w, h) = root.dim_in_pixel();
    let key = front_key(&c.front_added, 190);
    let key_h = 18 * key.len().min(4) as u32;
    let body = root.margin(60 + drop as u32, 30 + key_h, 10, 10);
    let panels = body.split_evenly((1, 2));
    panel(
        &panels[0],
        c,
        |i| c.points[i].p,
        "P(meet target), in sample",
        (
            c.confidence,
            &format!("confidence {}", percent_whole(c.confidence)),
        ),
        Extra::P,
    )?;
    panel(
        &panels[1],
        c,
        |i| c.points[i].expected_rate,
        "expected utilisation rate",
        (
            c.target_rate,
            &format!("target {}", percent_whole(c.target_rate)),
        ),
        Extra::Rates,
    )?;
    // The key: what each numbered front point adds.
    for (j, line) in key.iter().take(4).enumerate() {
        root.draw_text(
            &super::style::fit_text(line, f64::from(w) - 40.0, |t| {
                super::style::text_width(root, t, &text(14.0, &INK))
            }),
            &text(14.0, &INK).pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Left,
                plotters::style::text_anchor::VPos::Top,
            )),
            (20, h as i32 - 8 - key_h as i32 + 18 * j as i32),
        )?;
    }
    // Legend line under the title.
    let legend = super::style::fit_text(
        "dots: portfolios solved exactly · steps: Pareto front of cost against P, numbered (key below) · ring: chosen plan · diamond: out of sample, 95 % interval · squares: strict rate",
        f64::from(w) - 40.0,
        |t| super::style::text_width(root, t, &text(14.0, &MUTED)),
    );
    root.draw_text(
        &legend,
        &text(14.0, &MUTED).pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Top,
        )),
        (w as i32 / 2, 48 + drop),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_numbers_each_front_point_with_what_it_adds_and_drops() {
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let changes = vec![
            (ids(&[]), ids(&[])),
            (ids(&["a", "b"]), ids(&[])),
            (ids(&["c"]), ids(&["a"])),
        ];
        assert_eq!(
            front_key(&changes, 200),
            ["1 no measure · 2 +a +b · 3 +c −a"]
        );
        // Wrapped at the width, an item never split.
        assert_eq!(
            front_key(&changes, 20),
            ["1 no measure", "2 +a +b · 3 +c −a"]
        );
        assert!(front_key(&[], 20).is_empty());
    }

    #[test]
    fn cost_axis() {
        assert_eq!(cost_axis_max(&[]), 1.0);
        assert!((cost_axis_max(&[10.0, 20.0]) - 21.0).abs() < 1e-12);
        assert!((cost_axis_max(&[f64::NAN, 2.0]) - 2.1).abs() < 1e-12);
    }
}
