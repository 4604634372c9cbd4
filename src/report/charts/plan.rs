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
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    c: &PlanChart,
    y_of: impl Fn(usize) -> f64,
    y_label: &str,
    level: (f64, &str),
) -> Result<(), ChartError> {
    let xs: Vec<f64> = c.points.iter().map(|p| p.annual_cost / 1e6).collect();
    let x_max = cost_axis_max(&xs);
    let ys: Vec<f64> = (0..c.points.len())
        .map(|i| finite_or_zero(y_of(i)) * 100.0)
        .collect();
    let y_max = ys.iter().fold(100.0f64, |a, &b| a.max(b));
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
    chart.draw_series(std::iter::once(Text::new(
        level.1.to_string(),
        (x_max * 0.99, ly + y_max * 0.01),
        text(14.0, &MUTED).pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Right,
            plotters::style::text_anchor::VPos::Bottom,
        )),
    )))?;
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
    Ok(())
}

pub(super) fn draw_plan<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &PlanChart,
) -> Result<(), ChartError> {
    root.fill(&WHITE)?;
    let drop = draw_title(root, &c.title)?;
    let (w, h) = root.dim_in_pixel();
    let body = root.margin(60 + drop as u32, 30, 10, 10);
    let _ = (w, h);
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
    )?;
    // Legend line under the title.
    let legend = "dots: portfolios solved exactly · steps: Pareto front of cost against P · ring: chosen plan";
    root.draw_text(
        legend,
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
    fn cost_axis() {
        assert_eq!(cost_axis_max(&[]), 1.0);
        assert!((cost_axis_max(&[10.0, 20.0]) - 21.0).abs() < 1e-12);
        assert!((cost_axis_max(&[f64::NAN, 2.0]) - 2.1).abs() < 1e-12);
    }
}
