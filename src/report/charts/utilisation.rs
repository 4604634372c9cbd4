//! The utilisation bar chart: one bar per material and one for all solids, against the target.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{draw_title, finite_or_zero, fit_labels, text, text_width, GRID, INK, MUTED};
use super::{ChartError, UtilisationChart};
use crate::report::format::{fixed, percent_chart, percent_tick, quantity_chart};

/// Okabe–Ito bluish green: the bar meets the target.
const MEETS: RGBColor = RGBColor(0, 158, 115);
/// Okabe–Ito vermillion: the bar misses the target.
const MISSES: RGBColor = RGBColor(213, 94, 0);
/// Longest material name in the utilisation chart's label column, in pixels.
const LABEL_COLUMN_MAX: f64 = 320.0;

/// Percentage label of a bar that cannot contradict its colour: when the whole-number label
/// would equal the target's while the bar is on the other side of it, one decimal is shown
/// (`79.6 %` below an 80 % target).
fn bar_percent(rate: f64, target: f64) -> String {
    let s = percent_chart(rate);
    if rate < target && s == percent_chart(target) {
        // Truncate rather than round so that 79.99 % does not read "80.0 %".
        format!("{} %", fixed((rate * 1000.0).floor() / 10.0, 1))
    } else {
        s
    }
}

/// Upper end, in percent, of the utilisation axis: 100 %, or the largest rate (or target)
/// rounded up to the next 10 % when a rate exceeds 100 %.
pub fn rate_axis_max(rates: &[f64], target: f64) -> f64 {
    let top = rates
        .iter()
        .chain(std::iter::once(&target))
        .filter(|r| r.is_finite())
        .fold(1.0f64, |m, &r| m.max(r));
    ((top * 100.0 / 10.0 - 1e-9).ceil() * 10.0).max(100.0)
}

/// The tonnes label of a bar: `5.01 Mt of 4.65 Mt + 0.36 Mt drawn` (utilised of new generation
/// plus legacy stockpile drawn), or `3 Mt of 4 Mt` when nothing was drawn.
pub fn tonnes_label(utilised: f64, generated: f64, drawn: f64) -> String {
    if drawn > 0.0 {
        format!(
            "{} of {} + {} drawn",
            quantity_chart(utilised, "t"),
            quantity_chart(generated, "t"),
            quantity_chart(drawn, "t")
        )
    } else {
        format!(
            "{} of {}",
            quantity_chart(utilised, "t"),
            quantity_chart(generated, "t")
        )
    }
}

struct BarRow<'a> {
    label: &'a str,
    generated: f64,
    drawn: f64,
    utilised: f64,
    rate: f64,
    /// The range among optimal allocations, where it is not a single value.
    range: Option<(f64, f64)>,
    /// The "all solids" bar.
    total: bool,
}

/// One row per material, in input order, then the "all solids" total (non-finite values read
/// as 0, negative rates as 0).
fn bar_rows(c: &UtilisationChart) -> Vec<BarRow<'_>> {
    let mut rows: Vec<BarRow> = c
        .bars
        .iter()
        .map(|b| BarRow {
            label: &b.label,
            generated: finite_or_zero(b.generated),
            drawn: finite_or_zero(b.drawn).max(0.0),
            utilised: finite_or_zero(b.utilised),
            rate: finite_or_zero(b.rate).max(0.0),
            range: b
                .range
                .map(|(lo, hi)| (finite_or_zero(lo).max(0.0), finite_or_zero(hi).max(0.0)))
                .filter(|(lo, hi)| hi - lo > 1e-9),
            total: false,
        })
        .collect();
    rows.push(BarRow {
        label: "all solids",
        generated: rows.iter().map(|r| r.generated).sum(),
        drawn: rows.iter().map(|r| r.drawn).sum(),
        utilised: rows.iter().map(|r| r.utilised).sum(),
        rate: finite_or_zero(c.overall_rate).max(0.0),
        range: None,
        total: true,
    });
    rows
}

pub(super) fn draw_utilisation<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &UtilisationChart,
) -> Result<(), ChartError> {
    root.fill(&WHITE)?;
    let target = finite_or_zero(c.target_rate).max(0.0);
    let target_label = format!("target {}", percent_chart(target));

    let rows = bar_rows(c);
    let n = rows.len() - 1;
    // Slot centres: materials from the top down, then a gap and the total at y = 0.
    let slot = |i: usize| if i == n { 0.0 } else { (n - i) as f64 + 0.3 };
    let (y_lo, y_hi) = (-0.6, n as f64 + 0.9);
    let rates: Vec<f64> = rows
        .iter()
        .flat_map(|r| std::iter::once(r.rate).chain(r.range.map(|(_, hi)| hi)))
        .collect();
    let x_max = rate_axis_max(&rates, target);

    let extra = draw_title(root, &c.title)?;

    // Label column sized to the longest (fitted) material name; tonnes column to its texts.
    let label_style = text(16.0, &INK).pos(Pos::new(HPos::Right, VPos::Center));
    let (labels, label_w) = fit_labels(
        root,
        rows.iter().map(|r| r.label),
        LABEL_COLUMN_MAX,
        &label_style,
    );
    let column_header = text(14.0, &MUTED);
    let label_header = "solid by-product";
    let label_area = label_w.max(text_width(root, label_header, &column_header)) + 18.0;
    let tonnes_style = text(15.0, &INK).pos(Pos::new(HPos::Left, VPos::Center));
    let tonnes: Vec<String> = rows
        .iter()
        .map(|r| tonnes_label(r.utilised, r.generated, r.drawn))
        .collect();
    let tonnes_header = if rows.iter().any(|r| r.drawn > 0.0) {
        "utilised of generated + drawn, t/yr"
    } else {
        "utilised of generated, t/yr"
    };
    let tonnes_w = tonnes
        .iter()
        .map(|t| text_width(root, t, &tonnes_style))
        .chain(std::iter::once(text_width(
            root,
            tonnes_header,
            &column_header,
        )))
        .fold(0.0f64, f64::max)
        .min(300.0);

    let mut chart = ChartBuilder::on(root)
        .margin_top(104 + extra)
        .margin_bottom(12)
        .margin_left(16)
        .margin_right((tonnes_w + 40.0).ceil() as i32)
        .x_label_area_size(62)
        .y_label_area_size(label_area.ceil() as i32)
        .build_cartesian_2d(0.0..x_max, y_lo..y_hi)?;
    let pct = |v: &f64| percent_tick(*v);
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels((x_max / 10.0) as usize + 1)
        .x_label_formatter(&pct)
        .max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .label_style(text(15.0, &INK))
        .axis_desc_style(text(16.0, &INK))
        .x_desc("utilisation rate (% of generated mass, per year)")
        .draw()?;

    let (plot_x, plot_y) = chart.plotting_area().get_pixel_range();
    let (left, right, top) = (plot_x.start, plot_x.end, plot_y.start);

    // Separator between the materials and the total.
    if n > 0 {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.65), (x_max, 0.65)],
            MUTED.stroke_width(1),
        )))?;
    }

    let half = 0.34;
    for (i, r) in rows.iter().enumerate() {
        let y = slot(i);
        let meets = r.rate >= target;
        let colour = if meets { MEETS } else { MISSES };
        let end = (r.rate * 100.0).min(x_max);
        chart.draw_series(std::iter::once(Rectangle::new(
            [(0.0, y - half), (end, y + half)],
            colour.filled(),
        )))?;
        if r.total {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y - half), (end, y + half)],
                INK.stroke_width(2),
            )))?;
        }
        if let Some((lo, hi)) = r.range {
            draw_whisker(&mut chart, lo * 100.0, hi * 100.0, y - WHISKER_DROP, x_max)?;
        }
        let (x_end, y_px) = chart.backend_coord(&(end, y));
        // Percentage: inside the bar end when it fits, else just right of it.
        let label = bar_percent(r.rate, target);
        let inside_style = text(16.0, &WHITE).pos(Pos::new(HPos::Right, VPos::Center));
        let (tw, _) = root.estimate_text_size(&label, &inside_style)?;
        if x_end - left > tw as i32 + 14 {
            root.draw_text(&label, &inside_style, (x_end - 7, y_px))?;
        } else {
            let outside = text(16.0, &INK).pos(Pos::new(HPos::Left, VPos::Center));
            root.draw_text(&label, &outside, (x_end + 6, y_px))?;
        }
        // Material name left of the axis.
        root.draw_text(&labels[i], &label_style, (left - 10, y_px))?;
        // Tonnes, in the column right of the plot.
        root.draw_text(&tonnes[i], &tonnes_style, (right + 14, y_px))?;
    }
    // Column headers above the material names and the tonnes.
    root.draw_text(
        label_header,
        &column_header.pos(Pos::new(HPos::Right, VPos::Bottom)),
        (left - 10, top - 8),
    )?;
    root.draw_text(
        tonnes_header,
        &column_header.pos(Pos::new(HPos::Left, VPos::Bottom)),
        (right + 14, top - 8),
    )?;

    // Target line, labelled above the plot.
    let tx = target * 100.0;
    chart.draw_series(DashedLineSeries::new(
        vec![(tx, y_lo), (tx, y_hi)],
        9,
        6,
        INK.stroke_width(2),
    ))?;
    let (tx_px, _) = chart.backend_coord(&(tx, y_hi));
    // Centred on the line, but kept clear of the tonnes column header on the right.
    let target_style = text(16.0, &INK).pos(Pos::new(HPos::Left, VPos::Bottom));
    let (tw, _) = root.estimate_text_size(&target_label, &target_style)?;
    let tx_left = (tx_px - tw as i32 / 2).min(right - tw as i32).max(left);
    root.draw_text(&target_label, &target_style, (tx_left, top - 6))?;

    let whiskers = rows.iter().any(|r| r.range.is_some());
    draw_legend_row(root, target, &target_label, whiskers, left, 66 + extra)?;
    Ok(())
}

/// How far below a bar's centre its whisker runs (clear of the percentage), in bar slots.
const WHISKER_DROP: f64 = 0.2;
/// Half the height of a whisker's end caps, in bar slots.
const WHISKER_CAP: f64 = 0.1;
/// The whiskers' legend entry.
const WHISKER_LABEL: &str = "range among optimal allocations";

/// A whisker from `lo` to `hi` (percent) at height `y`: a line with end caps, in ink.
fn draw_whisker<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    lo: f64,
    hi: f64,
    y: f64,
    x_max: f64,
) -> Result<(), ChartError> {
    let (lo, hi) = (lo.min(x_max), hi.min(x_max));
    let style = INK.stroke_width(2);
    chart.draw_series([
        PathElement::new(vec![(lo, y), (hi, y)], style),
        PathElement::new(vec![(lo, y - WHISKER_CAP), (lo, y + WHISKER_CAP)], style),
        PathElement::new(vec![(hi, y - WHISKER_CAP), (hi, y + WHISKER_CAP)], style),
    ])?;
    Ok(())
}

/// The legend row under the title, starting at `left`, centred on `ly`: the two bar colours,
/// the dashed target line and, when drawn, the whiskers.
fn draw_legend_row<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    target: f64,
    target_label: &str,
    whiskers: bool,
    left: i32,
    ly: i32,
) -> Result<(), ChartError> {
    let mut lx = left;
    let legend = text(15.0, &INK).pos(Pos::new(HPos::Left, VPos::Center));
    for (colour, label) in [
        (MEETS, format!("meets target (≥ {})", percent_chart(target))),
        (MISSES, "below target".to_string()),
    ] {
        root.draw(&Rectangle::new(
            [(lx, ly - 8), (lx + 22, ly + 8)],
            colour.filled(),
        ))?;
        root.draw_text(&label, &legend, (lx + 30, ly))?;
        lx += 30 + root.estimate_text_size(&label, &legend)?.0 as i32 + 34;
    }
    root.draw(&DashedPathElement::new(
        vec![(lx, ly), (lx + 34, ly)],
        9,
        6,
        INK.stroke_width(2),
    ))?;
    root.draw_text(target_label, &legend, (lx + 42, ly))?;
    if whiskers {
        lx += 42 + root.estimate_text_size(target_label, &legend)?.0 as i32 + 34;
        let style = INK.stroke_width(2);
        root.draw(&PathElement::new(vec![(lx, ly), (lx + 30, ly)], style))?;
        for x in [lx, lx + 30] {
            root.draw(&PathElement::new(vec![(x, ly - 6), (x, ly + 6)], style))?;
        }
        root.draw_text(WHISKER_LABEL, &legend, (lx + 38, ly))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_labels_do_not_contradict_their_colour() {
        assert_eq!(bar_percent(0.796, 0.8), "79.6 %");
        assert_eq!(bar_percent(0.81, 0.8), "81 %");
        assert_eq!(bar_percent(0.8, 0.8), "80 %");
        assert_eq!(bar_percent(0.63, 0.8), "63 %");
        assert_eq!(bar_percent(0.79999, 0.8), "79.9 %");
    }

    #[test]
    fn rate_axis_covers_rates_above_one() {
        assert_eq!(rate_axis_max(&[], 0.8), 100.0);
        assert_eq!(rate_axis_max(&[0.2, 0.99], 0.8), 100.0);
        assert_eq!(rate_axis_max(&[1.0], 0.8), 100.0);
        assert_eq!(rate_axis_max(&[1.08], 0.8), 110.0);
        assert_eq!(rate_axis_max(&[0.5], 1.25), 130.0);
    }
}
