//! The trajectory of a path: the solid-waste utilisation rate year by year toward its target.
//!
//! The rate under the scenario's rule is a solid line with round markers, drawn over the Monte
//! Carlo's p5–p95 band when one ran; the strict rate is a dashed line with square markers; each
//! marker carries its value. The target is a dashed horizontal line, the target year a dotted
//! vertical guide with a diamond where it meets the target. A year without a rate (nothing
//! generated) is a gap in its line.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::compare::rate_label;
use super::style::{
    draw_title, finite_or_zero, fit_text, text, text_width, GRID, INK, MUTED, RATE_RULE,
    RATE_STRICT,
};
use super::utilisation::rate_axis_max;
use super::ChartError;
use crate::report::format::{percent_chart, percent_tick};

/// The rate of a path's years toward its target.
#[derive(Debug, Clone, PartialEq)]
pub struct TrajectoryChart {
    pub title: String,
    /// One line under the title (e.g. "solved jointly: stock and landfill room carried over").
    pub subtitle: String,
    pub years: Vec<i32>,
    /// Rate under the scenario's accounting rule, by year (None: nothing generated that year).
    pub rate: Vec<Option<f64>>,
    /// The accounting rule's name for the legend (e.g. "China statistical rule").
    pub rule: String,
    /// Strict rate (backfill and ecological restoration not counted), by year.
    pub strict: Vec<Option<f64>>,
    /// Monte Carlo p5–p95 of the rate under the rule, by year, when a Monte Carlo ran.
    pub band: Option<Vec<(f64, f64)>>,
    /// Target rate as a fraction, and the year it applies to.
    pub target_rate: f64,
    pub target_year: i32,
    /// An optional line printed at the bottom (e.g. "P(meet 80 % in 2025) = 42 % [38 %, 46 %], 1 000 samples").
    pub note: Option<String>,
}

/// An element of the trajectory's legend ([`trajectory_legend`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrajectoryLegend {
    /// The rate under the rule: solid line, round markers.
    Rule,
    /// The strict rate: dashed line, square markers.
    Strict,
    /// The Monte Carlo's p5–p95 band of the rate under the rule.
    Band,
    /// The target rate: dashed horizontal line.
    Target,
    /// The target year: dotted vertical guide and a diamond at the target.
    TargetYear,
}

/// The Monte Carlo band: the rule's colour, light enough for the lines and labels over it.
fn band_fill() -> RGBAColor {
    RATE_RULE.mix(0.2)
}

/// Layout of the chart in pixels (the plot's left edge is `MARGIN_LEFT + Y_LABEL_AREA`).
const MARGIN_LEFT: i32 = 20;
const MARGIN_RIGHT: i32 = 36;
const Y_LABEL_AREA: i32 = 84;
/// Centre of the first legend row below a one-line title.
const LEGEND_Y: i32 = 90;
const LEGEND_ROW: i32 = 24;
/// Width of a legend swatch, and the gaps after it and after its label.
const SWATCH: i32 = 34;
const SWATCH_GAP: i32 = 8;
const ENTRY_GAP: f64 = 30.0;
/// Room above the plot's top for the label of a point at the top of the axis.
const LABEL_HEADROOM: i32 = 30;
/// From a point's centre to the near edge of its value label.
const LABEL_GAP: f64 = 9.0;
/// Font sizes of the value labels (the strict rate's smaller) and their boxes' heights.
const RULE_LABEL: f64 = 15.0;
const STRICT_LABEL: f64 = 13.0;
const RULE_LABEL_H: f64 = 18.0;
const STRICT_LABEL_H: f64 = 16.0;

/// A value that is drawn: finite, and not below 0 (a rate never is).
fn defined(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite()).map(|v| v.max(0.0))
}

/// Runs of consecutive years (in increasing order of year; equal years keep their order)
/// with a value from `value(i)`; a year without one ends a run.
fn runs<T>(years: &[i32], value: impl Fn(usize) -> Option<T>) -> Vec<Vec<(i32, T)>> {
    let mut order: Vec<usize> = (0..years.len()).collect();
    order.sort_by_key(|&i| years[i]);
    let mut out: Vec<Vec<(i32, T)>> = Vec::new();
    let mut open = false;
    for i in order {
        match value(i) {
            Some(v) => {
                if !open {
                    out.push(Vec::new());
                    open = true;
                }
                out.last_mut().expect("open run").push((years[i], v));
            }
            None => open = false,
        }
    }
    out
}

/// The pieces of a line: runs of consecutive years (in increasing order) with a defined value,
/// each point `(year, rate)` with the rate a fraction (below 0 read as 0). A year whose value
/// is `None` or not finite, or missing at the end of `values`, ends a run: the line has a gap
/// there. A run of one point is drawn as its marker alone.
pub fn trajectory_runs(years: &[i32], values: &[Option<f64>]) -> Vec<Vec<(i32, f64)>> {
    runs(years, |i| defined(values.get(i).copied().flatten()))
}

/// The pieces of the band: runs of years with a finite p5 and p95, each `(year, (lo, hi))`
/// with `lo ≤ hi` (swapped if given the other way round; below 0 read as 0).
fn band_runs(years: &[i32], band: &[(f64, f64)]) -> Vec<Vec<(i32, (f64, f64))>> {
    runs(years, |i| {
        let &(a, b) = band.get(i)?;
        let (a, b) = (defined(Some(a))?, defined(Some(b))?);
        Some((a.min(b), a.max(b)))
    })
}

/// The years on the axis: from the first to the last of `years` and the target year.
fn year_span(years: &[i32], target_year: i32) -> (i32, i32) {
    years
        .iter()
        .fold((target_year, target_year), |(lo, hi), &y| {
            (lo.min(y), hi.max(y))
        })
}

/// Upper end of the rate axis in percent: [`rate_axis_max`] of the target and every defined
/// rate, strict rate and band end (100 %, or the largest rounded up to the next 10 % above it).
pub fn trajectory_axis_max(c: &TrajectoryChart) -> f64 {
    let target = finite_or_zero(c.target_rate).max(0.0);
    let mut values: Vec<f64> = c
        .rate
        .iter()
        .chain(&c.strict)
        .filter_map(|&v| defined(v))
        .collect();
    if let Some(band) = &c.band {
        values.extend(
            band.iter()
                .flat_map(|&(a, b)| [a, b])
                .filter(|v| v.is_finite()),
        );
    }
    rate_axis_max(&values, target)
}

/// Every how many years the axis labels a year: 1 when a label `label_w` pixels wide fits the
/// `px_per_year` of one year with 12 px to spare, else the smallest of 2, 5, 10, 20, 50, …
/// that does.
fn year_label_step(px_per_year: f64, label_w: f64) -> i32 {
    let mut step = 1;
    for k in 0.. {
        let base = 10i32.saturating_pow(k / 3);
        step = base.saturating_mul([1, 2, 5][(k % 3) as usize]);
        if f64::from(step) * px_per_year >= label_w + 12.0 || step == i32::MAX {
            break;
        }
    }
    step
}

/// The years labelled on the axis of `span`: every year when `step` is 1, else the multiples
/// of `step` (the first year when there is none).
fn year_ticks((lo, hi): (i32, i32), step: i32) -> Vec<i32> {
    let ticks: Vec<i32> = (lo..=hi)
        .filter(|y| step <= 1 || y.rem_euclid(step) == 0)
        .collect();
    if ticks.is_empty() {
        vec![lo]
    } else {
        ticks
    }
}

/// The legend: every element the chart draws, in order, with its label, and nothing else —
/// the rate under the rule and the strict rate when some year has one, the band when a Monte
/// Carlo gave some year a finite p5–p95, then the target and the target year (always drawn).
pub fn trajectory_legend(c: &TrajectoryChart) -> Vec<(TrajectoryLegend, String)> {
    let mut out = Vec::new();
    if !trajectory_runs(&c.years, &c.rate).is_empty() {
        out.push((
            TrajectoryLegend::Rule,
            format!("rate under the rule \"{}\"", c.rule),
        ));
    }
    if !trajectory_runs(&c.years, &c.strict).is_empty() {
        out.push((
            TrajectoryLegend::Strict,
            "strict rate (backfill and restoration not counted)".into(),
        ));
    }
    if c.band
        .as_ref()
        .is_some_and(|b| !band_runs(&c.years, b).is_empty())
    {
        out.push((TrajectoryLegend::Band, "Monte Carlo p5–p95".into()));
    }
    let target = finite_or_zero(c.target_rate).max(0.0);
    out.push((
        TrajectoryLegend::Target,
        format!("target {}", percent_chart(target)),
    ));
    out.push((
        TrajectoryLegend::TargetYear,
        format!("target year {}", c.target_year),
    ));
    out
}

/// Legend entries of `widths` pixels laid out in rows `width` pixels wide, `ENTRY_GAP` apart:
/// each entry's x offset from the row's start and its row. An entry wider than a row gets a
/// row of its own.
fn legend_layout(widths: &[f64], width: f64) -> Vec<(f64, usize)> {
    let (mut x, mut row) = (0.0, 0);
    widths
        .iter()
        .map(|&w| {
            if x > 0.0 && x + w > width {
                x = 0.0;
                row += 1;
            }
            let at = (x, row);
            x += w + ENTRY_GAP;
            at
        })
        .collect()
}

/// Where a year's two value labels go: the centres (pixel y) of the labels of the rate under
/// the rule and of the strict rate, given the rule's point with the pixel extent `(top,
/// bottom)` of the point and its band that year, the strict rate's point, the labels' heights
/// and the room `(top, bottom)` they must stay in.
///
/// The upper point's label goes above it (the rule's above its band) and the lower point's
/// below it (the rule's above on a tie), `LABEL_GAP` away; a label that would leave the room
/// goes to the other side. If the strict label then covers the rule's label or its point, it
/// moves beyond the rule's label (on its own side, else on the other). A label that would
/// cross the target line (`avoid`, its pixel row) goes to the other side where that one fits
/// and is clear of it.
fn value_label_ys(
    rule: Option<(f64, (f64, f64))>,
    strict: Option<f64>,
    (hr, hs): (f64, f64),
    (top, bottom): (f64, f64),
    avoid: Option<f64>,
) -> (Option<f64>, Option<f64>) {
    let in_room = |c: f64, h: f64| c - h / 2.0 >= top && c + h / 2.0 <= bottom;
    // Clear of the line and of the target-year diamond on it.
    let clear = |c: f64, h: f64| avoid.is_none_or(|y| (c - y).abs() >= h / 2.0 + 8.0);
    let fits = |c: f64, h: f64| in_room(c, h);
    let beside = |(y0, y1): (f64, f64), h: f64, above: bool| {
        if above {
            y0 - LABEL_GAP - h / 2.0
        } else {
            y1 + LABEL_GAP + h / 2.0
        }
    };
    let place = |extent: (f64, f64), h: f64, above: bool| {
        let c = beside(extent, h, above);
        let o = beside(extent, h, !above);
        if fits(c, h) && clear(c, h) {
            c
        } else if fits(o, h) && clear(o, h) {
            o
        } else if fits(c, h) {
            c
        } else {
            o
        }
    };
    match (rule, strict) {
        (Some((r, extent)), Some(s)) => {
            let rule_above = r <= s;
            let cr = place(extent, hr, rule_above);
            let mut cs = place((s, s), hs, !rule_above);
            let clash = |cs: f64| {
                let (a, b) = (cs - hs / 2.0, cs + hs / 2.0);
                let label = a < cr + hr / 2.0 + 2.0 && b > cr - hr / 2.0 - 2.0;
                let point = a < r + 6.0 && b > r - 6.0;
                label || point
            };
            if clash(cs) {
                let up = cr - hr / 2.0 - 2.0 - hs / 2.0;
                let down = cr + hr / 2.0 + 2.0 + hs / 2.0;
                let (first, second) = if cs <= cr { (up, down) } else { (down, up) };
                cs = if fits(first, hs) && !clash(first) {
                    first
                } else {
                    second
                };
            }
            (Some(cr), Some(cs))
        }
        (Some((_, extent)), None) => (Some(place(extent, hr, true)), None),
        (None, Some(s)) => (None, Some(place((s, s), hs, false))),
        (None, None) => (None, None),
    }
}

/// Which of a series' value labels are drawn, given their pixel spans `(x0, x1)` from left to
/// right: the last (the year nearest the target) always, then each going left that keeps
/// 4 px clear of the last one kept.
fn thin_labels(spans: &[(f64, f64)]) -> Vec<bool> {
    let mut keep = vec![false; spans.len()];
    let mut edge = f64::INFINITY;
    for (i, &(x0, x1)) in spans.iter().enumerate().rev() {
        if x1 + 4.0 <= edge {
            keep[i] = true;
            edge = x0;
        }
    }
    keep
}

/// Draws the swatch of a legend entry in the `SWATCH`-wide box starting at `x`, centred on `y`.
fn draw_swatch<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    item: TrajectoryLegend,
    (x, y): (i32, i32),
) -> Result<(), ChartError> {
    let mid = x + SWATCH / 2;
    match item {
        TrajectoryLegend::Rule => {
            root.draw(&PathElement::new(
                vec![(x, y), (x + SWATCH, y)],
                RATE_RULE.stroke_width(3),
            ))?;
            draw_circle_marker(root, (mid, y))?;
        }
        TrajectoryLegend::Strict => {
            root.draw(&DashedPathElement::new(
                vec![(x, y), (x + SWATCH, y)],
                8,
                5,
                RATE_STRICT.stroke_width(2),
            ))?;
            draw_square_marker(root, (mid, y))?;
        }
        TrajectoryLegend::Band => {
            root.draw(&Rectangle::new(
                [(x, y - 8), (x + SWATCH, y + 8)],
                band_fill().filled(),
            ))?;
        }
        TrajectoryLegend::Target => {
            root.draw(&DashedPathElement::new(
                vec![(x, y), (x + SWATCH, y)],
                9,
                6,
                INK.stroke_width(2),
            ))?;
        }
        TrajectoryLegend::TargetYear => {
            root.draw(&DashedPathElement::new(
                vec![(mid, y - 10), (mid, y + 10)],
                3,
                4,
                MUTED.stroke_width(2),
            ))?;
            draw_diamond(root, (mid, y), 6)?;
        }
    }
    Ok(())
}

/// The rule's marker: a filled circle on a white ring (clear of the lines behind it).
fn draw_circle_marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    at: (i32, i32),
) -> Result<(), ChartError> {
    root.draw(&Circle::new(at, 7, WHITE.filled()))?;
    root.draw(&Circle::new(at, 5, RATE_RULE.filled()))?;
    Ok(())
}

/// The strict rate's marker: a filled square on a white ring.
fn draw_square_marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
) -> Result<(), ChartError> {
    root.draw(&Rectangle::new(
        [(x - 6, y - 6), (x + 6, y + 6)],
        WHITE.filled(),
    ))?;
    root.draw(&Rectangle::new(
        [(x - 4, y - 4), (x + 4, y + 4)],
        RATE_STRICT.filled(),
    ))?;
    Ok(())
}

/// The target year's marker: a hollow diamond in ink.
fn draw_diamond<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    r: i32,
) -> Result<(), ChartError> {
    let pts = vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y), (x, y - r)];
    root.draw(&Polygon::new(pts.clone(), WHITE.filled()))?;
    root.draw(&PathElement::new(pts, INK.stroke_width(2)))?;
    Ok(())
}

pub(super) fn draw_trajectory<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &TrajectoryChart,
) -> Result<(), ChartError> {
    root.fill(&WHITE)?;
    let extra = draw_title(root, &c.title)?;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let sub_style = text(15.0, &MUTED);
    let subtitle = fit_text(&c.subtitle, f64::from(w - 40), |s| {
        text_width(root, s, &sub_style)
    });
    root.draw_text(
        &subtitle,
        &sub_style.pos(Pos::new(HPos::Center, VPos::Top)),
        (w / 2, 52 + extra),
    )?;

    // The legend in rows across the plot's width, under the subtitle.
    let (plot_left, plot_right) = (MARGIN_LEFT + Y_LABEL_AREA, w - MARGIN_RIGHT);
    let legend_style = text(15.0, &INK);
    let label_room = f64::from(plot_right - plot_left - SWATCH - SWATCH_GAP);
    let legend: Vec<(TrajectoryLegend, String)> = trajectory_legend(c)
        .into_iter()
        .map(|(item, l)| {
            let l = fit_text(&l, label_room, |s| text_width(root, s, &legend_style));
            (item, l)
        })
        .collect();
    let widths: Vec<f64> = legend
        .iter()
        .map(|(_, l)| f64::from(SWATCH + SWATCH_GAP) + text_width(root, l, &legend_style))
        .collect();
    let layout = legend_layout(&widths, f64::from(plot_right - plot_left));
    let rows = layout.last().map_or(1, |&(_, r)| r + 1) as i32;
    let legend_label = legend_style.pos(Pos::new(HPos::Left, VPos::Center));
    for ((item, label), &(dx, row)) in legend.iter().zip(&layout) {
        let x = plot_left + dx.round() as i32;
        let y = LEGEND_Y + extra + LEGEND_ROW * row as i32;
        draw_swatch(root, *item, (x, y))?;
        root.draw_text(label, &legend_label, (x + SWATCH + SWATCH_GAP, y))?;
    }

    let target = finite_or_zero(c.target_rate).max(0.0);
    let span = year_span(&c.years, c.target_year);
    let (x_lo, x_hi) = (f64::from(span.0) - 0.5, f64::from(span.1) + 0.5);
    let y_max = trajectory_axis_max(c);
    let note_room = if c.note.is_some() { 30 } else { 0 };
    let legend_bottom = LEGEND_Y + extra + LEGEND_ROW * (rows - 1) + 10;
    let mut chart = ChartBuilder::on(root)
        .margin_top(legend_bottom + LABEL_HEADROOM + 4)
        .margin_bottom(12 + note_room)
        .margin_left(MARGIN_LEFT)
        .margin_right(MARGIN_RIGHT)
        .x_label_area_size(56)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(x_lo..x_hi, 0.0..y_max)?;
    let pct = |v: &f64| percent_tick(*v);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels((y_max / 10.0) as usize + 1)
        .y_label_formatter(&pct)
        .max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .label_style(text(15.0, &INK))
        .axis_desc_style(text(16.0, &INK))
        .x_desc("year")
        .y_desc("utilisation rate (% of generated mass, per year)")
        .draw()?;
    let (plot_x, plot_y) = chart.plotting_area().get_pixel_range();

    // Every year (or every step-th when they crowd) ticked and labelled under the axis.
    let year_style = text(15.0, &INK);
    let label_w = text_width(root, &span.1.to_string(), &year_style);
    let px_per_year = f64::from(plot_x.end - plot_x.start) / (x_hi - x_lo);
    let step = year_label_step(px_per_year, label_w);
    let year_label = year_style.pos(Pos::new(HPos::Center, VPos::Top));
    for y in year_ticks(span, step) {
        let (x, _) = chart.backend_coord(&(f64::from(y), 0.0));
        root.draw(&PathElement::new(
            vec![(x, plot_y.end), (x, plot_y.end + 5)],
            MUTED.stroke_width(1),
        ))?;
        root.draw_text(&y.to_string(), &year_label, (x, plot_y.end + 9))?;
    }

    // Behind the lines: the band, the target and the target year's guide.
    let bands = c
        .band
        .as_ref()
        .map_or_else(Vec::new, |b| band_runs(&c.years, b));
    for run in &bands {
        if let [(y, (lo, hi))] = run[..] {
            // A year alone: a bar a little wider than its marker's ring.
            let (y, half) = (f64::from(y), 11.0 / px_per_year);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(y - half, lo * 100.0), (y + half, hi * 100.0)],
                band_fill().filled(),
            )))?;
            continue;
        }
        let mut outline: Vec<(f64, f64)> = run
            .iter()
            .map(|&(y, (_, hi))| (f64::from(y), hi * 100.0))
            .collect();
        outline.extend(
            run.iter()
                .rev()
                .map(|&(y, (lo, _))| (f64::from(y), lo * 100.0)),
        );
        chart.draw_series(std::iter::once(Polygon::new(outline, band_fill().filled())))?;
    }
    let ty = target * 100.0;
    chart.draw_series(std::iter::once(DashedPathElement::new(
        vec![(x_lo, ty), (x_hi, ty)],
        9,
        6,
        INK.stroke_width(2),
    )))?;
    let gx = f64::from(c.target_year);
    chart.draw_series(std::iter::once(DashedPathElement::new(
        vec![(gx, 0.0), (gx, y_max)],
        3,
        4,
        MUTED.stroke_width(2),
    )))?;

    // The lines, then their markers.
    let rule_runs = trajectory_runs(&c.years, &c.rate);
    let strict_runs = trajectory_runs(&c.years, &c.strict);
    let pct_pt = |&(y, v): &(i32, f64)| (f64::from(y), v * 100.0);
    for run in strict_runs.iter().filter(|r| r.len() > 1) {
        chart.draw_series(std::iter::once(DashedPathElement::new(
            run.iter().map(pct_pt).collect::<Vec<_>>(),
            8,
            5,
            RATE_STRICT.stroke_width(2),
        )))?;
    }
    for run in rule_runs.iter().filter(|r| r.len() > 1) {
        chart.draw_series(std::iter::once(PathElement::new(
            run.iter().map(pct_pt).collect::<Vec<_>>(),
            RATE_RULE.stroke_width(3),
        )))?;
    }
    let px = |p: &(i32, f64)| chart.backend_coord(&pct_pt(p));
    let target_y = f64::from(px(&(c.target_year, target)).1);
    for p in strict_runs.iter().flatten() {
        draw_square_marker(root, px(p))?;
    }
    for p in rule_runs.iter().flatten() {
        draw_circle_marker(root, px(p))?;
    }
    draw_diamond(root, chart.backend_coord(&(gx, ty)), 8)?;

    // Each point's value: the rule's above its line, the strict rate's below (smaller).
    let mut years: Vec<i32> = rule_runs
        .iter()
        .chain(&strict_runs)
        .flatten()
        .map(|&(y, _)| y)
        .collect();
    years.sort_unstable();
    years.dedup();
    let value_at = |runs: &[Vec<(i32, f64)>], year: i32| {
        runs.iter()
            .flatten()
            .find(|&&(y, _)| y == year)
            .map(|&(_, v)| v)
    };
    let band_at = |year: i32| {
        bands
            .iter()
            .flatten()
            .find(|&&(y, _)| y == year)
            .map(|&(_, b)| b)
    };
    let bounds = (
        f64::from(plot_y.start - LABEL_HEADROOM),
        f64::from(plot_y.end - 2),
    );
    // (x centre, y centre, text) of each series' labels, left to right.
    let mut labels: [Vec<(f64, f64, String)>; 2] = [Vec::new(), Vec::new()];
    for &year in &years {
        let r = value_at(&rule_runs, year);
        let s = value_at(&strict_runs, year);
        let py = |v: f64| f64::from(px(&(year, v)).1);
        // The rule's label clears the band behind its point.
        let band = band_at(year);
        let rule = r.map(|v| {
            let (lo, hi) = band.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v)));
            (py(v), (py(hi), py(lo)))
        });
        let (ry, sy) = value_label_ys(
            rule,
            s.map(py),
            (RULE_LABEL_H, STRICT_LABEL_H),
            bounds,
            Some(target_y),
        );
        let (x, _) = px(&(year, 0.0));
        for (k, (v, cy)) in [(r, ry), (s, sy)].into_iter().enumerate() {
            if let (Some(v), Some(cy)) = (v, cy) {
                labels[k].push((f64::from(x), cy, rate_label(Some(v))));
            }
        }
    }
    for (k, series) in labels.iter().enumerate() {
        let (size, h) = if k == 0 {
            (RULE_LABEL, RULE_LABEL_H)
        } else {
            (STRICT_LABEL, STRICT_LABEL_H)
        };
        let style = text(size, &INK);
        // Centred on the point, kept inside the plot's width.
        let spans: Vec<(f64, f64)> = series
            .iter()
            .map(|(x, _, s)| {
                let lw = text_width(root, s, &style) + 6.0;
                let x0 = (x - lw / 2.0)
                    .min(f64::from(plot_x.end) - lw)
                    .max(f64::from(plot_x.start));
                (x0, x0 + lw)
            })
            .collect();
        let keep = thin_labels(&spans);
        let centred = style.pos(Pos::new(HPos::Center, VPos::Center));
        for (((_, cy, s), &(x0, x1)), _) in series.iter().zip(&spans).zip(&keep).filter(|p| *p.1) {
            root.draw(&Rectangle::new(
                [
                    (x0.round() as i32, (cy - h / 2.0).round() as i32),
                    (x1.round() as i32, (cy + h / 2.0).round() as i32),
                ],
                WHITE.mix(0.85).filled(),
            ))?;
            let mid = ((x0 + x1) / 2.0).round() as i32;
            root.draw_text(s, &centred, (mid, cy.round() as i32))?;
        }
    }

    if rule_runs.is_empty() && strict_runs.is_empty() {
        let mid = (
            (plot_x.start + plot_x.end) / 2,
            (plot_y.start + plot_y.end) / 2,
        );
        root.draw_text(
            "no year has a defined rate",
            &text(18.0, &MUTED).pos(Pos::new(HPos::Center, VPos::Center)),
            mid,
        )?;
    }
    if let Some(note) = &c.note {
        let style = text(15.0, &INK);
        let note = fit_text(note, f64::from(w - 40), |s| text_width(root, s, &style));
        root.draw_text(
            &note,
            &style.pos(Pos::new(HPos::Center, VPos::Bottom)),
            (w / 2, h - 12),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{trajectory_png, trajectory_svg, TRAJECTORY_SIZE};
    use super::*;

    /// The example of the issue: six years toward 80 % in 2025.
    fn example() -> TrajectoryChart {
        let years: Vec<i32> = (2020..=2025).collect();
        let rate = [0.36, 0.41, 0.45, 0.48, 0.50, 0.508];
        let strict = [0.10, 0.108, 0.115, 0.122, 0.130, 0.138];
        TrajectoryChart {
            title: "Ordos — solid by-product utilisation rate, 2020–2025".into(),
            subtitle: "solved jointly: stock and landfill room carried over".into(),
            years,
            rate: rate.iter().map(|&r| Some(r)).collect(),
            rule: "China statistical rule".into(),
            strict: strict.iter().map(|&r| Some(r)).collect(),
            band: Some(rate.iter().map(|&r| (r - 0.04, r + 0.04)).collect()),
            target_rate: 0.8,
            target_year: 2025,
            note: Some("P(meet 80 % in 2025) = 42 % [38 %, 46 %], 1 000 samples".into()),
        }
    }

    fn decoded_size(bytes: &[u8]) -> (u32, u32) {
        let decoder = png::Decoder::new(bytes);
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb);
        (info.width, info.height)
    }

    #[test]
    fn none_years_are_gaps_in_the_line() {
        let years = [2020, 2021, 2022, 2023, 2024];
        let v = [Some(0.3), None, Some(0.4), Some(f64::NAN), Some(0.5)];
        assert_eq!(
            trajectory_runs(&years, &v),
            vec![vec![(2020, 0.3)], vec![(2022, 0.4)], vec![(2024, 0.5)]]
        );
        let v = [Some(0.3), Some(0.35), None, Some(0.4), Some(0.45)];
        assert_eq!(
            trajectory_runs(&years, &v),
            vec![
                vec![(2020, 0.3), (2021, 0.35)],
                vec![(2023, 0.4), (2024, 0.45)]
            ]
        );
        // In order of year; a value missing at the end is a gap; below 0 reads as 0.
        assert_eq!(
            trajectory_runs(&[2022, 2020, 2021], &[Some(0.2), Some(-0.1)]),
            vec![vec![(2020, 0.0)], vec![(2022, 0.2)]]
        );
        assert!(trajectory_runs(&[2025], &[None]).is_empty());
        assert_eq!(
            trajectory_runs(&[2025], &[Some(1.0)]),
            vec![vec![(2025, 1.0)]]
        );
        // The band: non-finite ends are gaps, reversed ends are put in order.
        assert_eq!(
            band_runs(&years, &[(0.2, 0.3), (f64::NAN, 0.4), (0.5, 0.4)]),
            vec![vec![(2020, (0.2, 0.3))], vec![(2022, (0.4, 0.5))]]
        );
    }

    #[test]
    fn axis_covers_the_target_and_every_value() {
        let mut c = example();
        assert_eq!(trajectory_axis_max(&c), 100.0);
        c.rate[2] = Some(1.0);
        assert_eq!(trajectory_axis_max(&c), 100.0);
        c.band = Some(vec![(0.9, 1.13); 6]);
        assert_eq!(trajectory_axis_max(&c), 120.0);
        c.band = None;
        c.strict[0] = Some(1.04);
        assert_eq!(trajectory_axis_max(&c), 110.0);
        c.target_rate = 1.25;
        assert_eq!(trajectory_axis_max(&c), 130.0);
        // Every value and the target lie within the axis.
        let c = example();
        let max = trajectory_axis_max(&c);
        let band = c.band.iter().flatten().flat_map(|&(a, b)| [a, b]);
        let all = c
            .rate
            .iter()
            .chain(&c.strict)
            .flatten()
            .copied()
            .chain(band);
        assert!(all.chain([c.target_rate]).all(|v| v * 100.0 <= max));
        // The years: the path's and the target year.
        assert_eq!(year_span(&c.years, 2025), (2020, 2025));
        assert_eq!(year_span(&c.years, 2030), (2020, 2030));
        assert_eq!(year_span(&[], 2025), (2025, 2025));
    }

    #[test]
    fn every_year_is_labelled_unless_they_crowd() {
        assert_eq!(year_label_step(170.0, 36.0), 1);
        assert_eq!(year_label_step(30.0, 36.0), 2);
        assert_eq!(year_label_step(10.0, 36.0), 5);
        assert_eq!(year_label_step(2.0, 36.0), 50);
        assert_eq!(
            year_ticks((2020, 2025), 1),
            (2020..=2025).collect::<Vec<_>>()
        );
        assert_eq!(year_ticks((2018, 2031), 5), vec![2020, 2025, 2030]);
        assert_eq!(year_ticks((2021, 2023), 5), vec![2021]);
        assert_eq!(year_ticks((2025, 2025), 1), vec![2025]);
    }

    #[test]
    fn the_legend_names_what_is_drawn_and_nothing_else() {
        let items = |c: &TrajectoryChart| -> Vec<TrajectoryLegend> {
            trajectory_legend(c).into_iter().map(|(i, _)| i).collect()
        };
        use TrajectoryLegend::*;
        let mut c = example();
        assert_eq!(items(&c), vec![Rule, Strict, Band, Target, TargetYear]);
        let labels: Vec<String> = trajectory_legend(&c).into_iter().map(|(_, l)| l).collect();
        assert_eq!(labels[0], "rate under the rule \"China statistical rule\"");
        assert_eq!(labels[2], "Monte Carlo p5–p95");
        assert_eq!(labels[3], "target 80 %");
        assert_eq!(labels[4], "target year 2025");
        // Without a Monte Carlo, or one without a finite band, no band.
        c.band = Some(vec![(f64::NAN, f64::NAN); 6]);
        assert_eq!(items(&c), vec![Rule, Strict, Target, TargetYear]);
        c.band = None;
        assert_eq!(items(&c), vec![Rule, Strict, Target, TargetYear]);
        // No strict rate in any year: no strict line.
        c.strict = vec![None; 6];
        assert_eq!(items(&c), vec![Rule, Target, TargetYear]);
        c.rate = vec![None; 6];
        assert_eq!(items(&c), vec![Target, TargetYear]);
    }

    #[test]
    fn legend_rows_wrap() {
        assert_eq!(
            legend_layout(&[100.0, 200.0, 300.0], 1000.0),
            vec![(0.0, 0), (130.0, 0), (360.0, 0)]
        );
        assert_eq!(
            legend_layout(&[400.0, 400.0, 300.0, 1200.0, 10.0], 1000.0),
            vec![(0.0, 0), (430.0, 0), (0.0, 1), (0.0, 2), (0.0, 3)]
        );
    }

    #[test]
    fn value_labels_stay_clear_of_each_other() {
        let h = (RULE_LABEL_H, STRICT_LABEL_H);
        let b = (0.0, 400.0);
        let at = |y: f64| Some((y, (y, y)));
        // The rule above its point, the strict rate below its own.
        assert_eq!(
            value_label_ys(at(100.0), Some(300.0), h, b, None),
            (Some(82.0), Some(317.0))
        );
        // Above the band behind the rule's point.
        assert_eq!(
            value_label_ys(Some((100.0, (80.0, 120.0))), Some(300.0), h, b, None),
            (Some(62.0), Some(317.0))
        );
        // The strict rate above the rule's: labels swap sides (the rule's below its band).
        assert_eq!(
            value_label_ys(at(300.0), Some(100.0), h, b, None),
            (Some(318.0), Some(83.0))
        );
        assert_eq!(
            value_label_ys(Some((300.0, (280.0, 320.0))), Some(100.0), h, b, None),
            (Some(338.0), Some(83.0))
        );
        // A rate of 1 at the top: its label below the point.
        assert_eq!(
            value_label_ys(at(5.0), None, h, b, None),
            (Some(23.0), None)
        );
        // Both 0 at the bottom: the strict label above the rule's.
        let (r, s) = value_label_ys(at(400.0), Some(400.0), h, b, None);
        assert_eq!(r, Some(382.0));
        assert_eq!(s, Some(382.0 - 9.0 - 2.0 - 8.0));
        // Close points, with or without a band: the strict label never covers the rule's label
        // or point.
        for gap in -40..40 {
            for half in [0.0, 20.0] {
                let (rp, sp) = (200.0, 200.0 + f64::from(gap));
                let rule = Some((rp, (rp - half, rp + half)));
                let (r, s) = value_label_ys(rule, Some(sp), h, b, None);
                let (r, s) = (r.unwrap(), s.unwrap());
                assert!((r - s).abs() >= (h.0 + h.1) / 2.0, "gap {gap}");
                assert!((s - rp).abs() >= h.1 / 2.0 + 6.0, "gap {gap}");
            }
        }
        assert_eq!(
            value_label_ys(None, Some(300.0), h, b, None),
            (None, Some(317.0))
        );
        assert_eq!(value_label_ys(None, None, h, b, None), (None, None));
        // A label that would cross the target line goes to the other side of its point.
        let (r, _) = value_label_ys(at(100.0), None, h, b, Some(82.0));
        assert_eq!(r, Some(118.0));
        let (_, s) = value_label_ys(None, Some(300.0), h, b, Some(317.0));
        assert_eq!(s, Some(283.0));
    }

    #[test]
    fn crowded_labels_are_thinned_keeping_the_last() {
        assert_eq!(
            thin_labels(&[(0.0, 50.0), (100.0, 150.0)]),
            vec![true, true]
        );
        assert_eq!(
            thin_labels(&[(0.0, 50.0), (30.0, 80.0), (60.0, 110.0)]),
            vec![true, false, true]
        );
        assert!(thin_labels(&[]).is_empty());
    }

    #[test]
    fn png_decodes_at_its_size_and_is_deterministic() {
        let c = example();
        let a = trajectory_png(&c).unwrap();
        assert_eq!(decoded_size(&a), TRAJECTORY_SIZE);
        assert_eq!(a, trajectory_png(&c).unwrap());
        assert_eq!(trajectory_svg(&c).unwrap(), trajectory_svg(&c).unwrap());
    }

    #[test]
    fn svg_names_the_years_and_the_target() {
        let svg = trajectory_svg(&example()).unwrap();
        for y in 2020..=2025 {
            assert!(svg.contains(&format!(">\n{y}\n<")), "year {y}");
        }
        for s in [
            "target 80 %",
            "target year 2025",
            "Monte Carlo p5–p95",
            "50.8 %",
            "13.8 %",
            "P(meet 80 % in 2025)",
        ] {
            assert!(svg.contains(s), "{s}");
        }
        let mut c = example();
        c.band = None;
        assert!(!trajectory_svg(&c).unwrap().contains("Monte Carlo"));
    }

    #[test]
    fn edge_cases_render() {
        // One year only, rates of 0 and 1, gaps, a title far too long, no rate at all.
        let mut one = example();
        one.years = vec![2025];
        one.rate = vec![Some(1.0)];
        one.strict = vec![Some(0.0)];
        one.band = Some(vec![(0.96, 1.0)]);
        one.title = "a very long title about the trajectory of a path ".repeat(6);
        let mut gaps = example();
        gaps.rate[2] = None;
        gaps.strict[2] = None;
        gaps.rate[4] = None;
        gaps.band = None;
        gaps.note = None;
        let mut empty = example();
        empty.rate = vec![None; 6];
        empty.strict = vec![None; 6];
        empty.band = None;
        let mut zeros = example();
        zeros.rate = vec![Some(0.0); 6];
        zeros.strict = vec![Some(0.0); 6];
        zeros.band = Some(vec![(0.0, 0.02); 6]);
        let mut ones = example();
        ones.rate = vec![Some(1.0); 6];
        ones.strict = vec![Some(0.98); 6];
        ones.band = Some(vec![(0.97, 1.0); 6]);
        // A long horizon past the target year, above the target at the end.
        let mut long = example();
        long.years = (2010..=2035).collect();
        long.rate = (0..26).map(|i| Some(0.3 + 0.022 * f64::from(i))).collect();
        long.strict = (0..26).map(|i| Some(0.1 + 0.01 * f64::from(i))).collect();
        long.band = Some(
            long.rate
                .iter()
                .flatten()
                .map(|&r| (r - 0.05, r + 0.05))
                .collect(),
        );
        long.target_year = 2030;
        long.note = None;
        for (name, c) in [
            ("one", one),
            ("gaps", gaps),
            ("empty", empty),
            ("zeros", zeros),
            ("ones", ones),
            ("long", long),
        ] {
            let png = trajectory_png(&c).unwrap();
            assert_eq!(decoded_size(&png), TRAJECTORY_SIZE, "{name}");
            let svg = trajectory_svg(&c).unwrap();
            assert!(
                svg.contains(&format!("target year {}", c.target_year)),
                "{name}"
            );
        }
    }
}
