//! The Monte Carlo's rate distribution: a histogram of the target's rate over the samples
//! under the scenario's rule (filled), the strict rate as an outline, the target line and
//! P(meet target) written on the chart.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{draw_title, text, GRID, INK, MUTED};
use super::{ChartError, RateDistributionChart};
use crate::report::format::{percent_chart, percent_tick};

/// Okabe–Ito blue: the rate under the scenario's rule.
const RULE: RGBColor = RGBColor(0, 114, 178);
/// Okabe–Ito vermillion: the strict rate's outline.
const STRICT: RGBColor = RGBColor(213, 94, 0);
/// Bins of the histogram.
pub const BINS: usize = 40;

/// The histogram's range in percent: whole percents around every finite value and the
/// target, at least 2 % wide, then widened on each side by a twentieth of its width (at least
/// 1 %, not below 0) so that no bar or the target line sits on the frame.
pub fn histogram_range(values: &[f64], target: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (target * 100.0, target * 100.0);
    for &v in values.iter().filter(|v| v.is_finite()) {
        lo = lo.min(v * 100.0);
        hi = hi.max(v * 100.0);
    }
    // Tolerant of rounding (0.8 · 100 = 80.00000000000001 is 80 %).
    let (mut lo, mut hi) = ((lo + 1e-9).floor(), (hi - 1e-9).ceil());
    if hi - lo < 2.0 {
        lo -= 1.0;
        hi += 1.0;
    }
    let pad = ((hi - lo) / 20.0).ceil().max(1.0);
    ((lo - pad).max(0.0_f64.min(lo)), hi + pad)
}

/// Counts of the finite `values` (fractions) in `bins` equal bins of `[lo, hi]` percent; the
/// last bin includes `hi` (values within 1e-6 % of the ends count in the end bins); values
/// further outside are not counted.
pub fn histogram(values: &[f64], lo: f64, hi: f64, bins: usize) -> Vec<u64> {
    let mut counts = vec![0u64; bins];
    let w = (hi - lo) / bins as f64;
    for &v in values.iter().filter(|v| v.is_finite()) {
        let p = v * 100.0;
        if p < lo - 1e-6 || p > hi + 1e-6 || w <= 0.0 {
            continue;
        }
        let k = (((p - lo) / w).floor().max(0.0) as usize).min(bins - 1);
        counts[k] += 1;
    }
    counts
}

pub(super) fn draw_distribution<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &RateDistributionChart,
) -> Result<(), ChartError> {
    root.fill(&WHITE)?;
    let extra = draw_title(root, &c.title)?;
    let all: Vec<f64> = c.rates.iter().chain(&c.strict_rates).copied().collect();
    let (lo, hi) = histogram_range(&all, c.target_rate);
    let rule = histogram(&c.rates, lo, hi, BINS);
    let strict = histogram(&c.strict_rates, lo, hi, BINS);
    // At least 0..5 so that the integer ticks stay distinct.
    let top = rule.iter().chain(&strict).copied().max().unwrap_or(0);
    let y_max = (top as f64 * 1.15).max(5.0);
    let w = (hi - lo) / BINS as f64;

    let sub = text(15.0, &MUTED).pos(Pos::new(HPos::Center, VPos::Top));
    let (width, _) = root.dim_in_pixel();
    root.draw_text(&c.subtitle, &sub, (width as i32 / 2, 52 + extra))?;

    let mut chart = ChartBuilder::on(root)
        .margin_top(112 + extra)
        .margin_bottom(12)
        .margin_left(20)
        .margin_right(36)
        .x_label_area_size(62)
        .y_label_area_size(84)
        .build_cartesian_2d(lo..hi, 0.0..y_max)?;
    let pct = |v: &f64| percent_tick(*v);
    let count = |v: &f64| format!("{v:.0}");
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(((hi - lo) as usize + 1).min(11))
        .x_label_formatter(&pct)
        .y_labels(6)
        .y_label_formatter(&count)
        .max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .label_style(text(15.0, &INK))
        .axis_desc_style(text(16.0, &INK))
        .x_desc("utilisation rate of the target's scope (% of generated mass, per year)")
        .y_desc("samples per bin")
        .draw()?;

    chart.draw_series(
        rule.iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(k, &n)| {
                let x0 = lo + k as f64 * w;
                Rectangle::new([(x0, 0.0), (x0 + w, n as f64)], RULE.mix(0.75).filled())
            }),
    )?;
    // The strict rate as a step outline over the same bins, one path per run of non-empty
    // bins (no line along the axis between them).
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut open = false;
    for (k, &n) in strict.iter().enumerate() {
        let x0 = lo + k as f64 * w;
        if n == 0 {
            if open {
                runs.last_mut().expect("open run").push((x0, 0.0));
            }
            open = false;
            continue;
        }
        if !open {
            runs.push(vec![(x0, 0.0)]);
            open = true;
        }
        let run = runs.last_mut().expect("open run");
        run.push((x0, n as f64));
        run.push((x0 + w, n as f64));
    }
    if open {
        runs.last_mut().expect("open run").push((hi, 0.0));
    }
    chart.draw_series(
        runs.into_iter()
            .map(|r| PathElement::new(r, STRICT.stroke_width(2))),
    )?;

    // The target line and P(meet target) beside it.
    let tx = c.target_rate * 100.0;
    chart.draw_series(DashedLineSeries::new(
        vec![(tx, 0.0), (tx, y_max)],
        9,
        6,
        INK.stroke_width(2),
    ))?;
    let (plot_x, plot_y) = chart.plotting_area().get_pixel_range();
    let (tx_px, _) = chart.backend_coord(&(tx, y_max));
    let label = format!("P(meet {}) = {:.3}", percent_chart(c.target_rate), c.p_meet);
    let style = text(18.0, &INK);
    let (tw, _) = root.estimate_text_size(&label, &style)?;
    // Right of the line when it fits, else left of it.
    let (x, anchor) = if tx_px + 10 + tw as i32 <= plot_x.end - 6 {
        (tx_px + 10, HPos::Left)
    } else {
        (tx_px - 10, HPos::Right)
    };
    root.draw_text(
        &label,
        &style.pos(Pos::new(anchor, VPos::Top)),
        (x, plot_y.start + 8),
    )?;

    if c.rates.is_empty() && c.strict_rates.is_empty() {
        let mid = (
            (plot_x.start + plot_x.end) / 2,
            (plot_y.start + plot_y.end) / 2,
        );
        root.draw_text(
            "no sample has a defined rate",
            &text(18.0, &MUTED).pos(Pos::new(HPos::Center, VPos::Center)),
            mid,
        )?;
    }
    // Legend row under the subtitle.
    let ly = 90 + extra;
    let mut lx = plot_x.start;
    let legend = text(15.0, &INK).pos(Pos::new(HPos::Left, VPos::Center));
    root.draw(&Rectangle::new(
        [(lx, ly - 8), (lx + 22, ly + 8)],
        RULE.mix(0.75).filled(),
    ))?;
    let rule_label = format!("rate under the rule \"{}\"", c.rule);
    root.draw_text(&rule_label, &legend, (lx + 30, ly))?;
    lx += 30 + root.estimate_text_size(&rule_label, &legend)?.0 as i32 + 34;
    root.draw(&PathElement::new(
        vec![
            (lx, ly + 8),
            (lx, ly - 8),
            (lx + 22, ly - 8),
            (lx + 22, ly + 8),
        ],
        STRICT.stroke_width(2),
    ))?;
    let strict_label = "strict rate (backfill and restoration not counted)";
    root.draw_text(strict_label, &legend, (lx + 30, ly))?;
    lx += 30 + root.estimate_text_size(strict_label, &legend)?.0 as i32 + 34;
    root.draw(&DashedPathElement::new(
        vec![(lx, ly), (lx + 34, ly)],
        9,
        6,
        INK.stroke_width(2),
    ))?;
    root.draw_text(
        &format!("target {}", percent_chart(c.target_rate)),
        &legend,
        (lx + 42, ly),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_covers_values_and_target() {
        // [60, 80] widened by 1 (20 / 20) on each side.
        assert_eq!(histogram_range(&[0.605, 0.712], 0.8), (59.0, 81.0));
        // [80, 85]: 5 / 20 rounds up to 1.
        assert_eq!(histogram_range(&[0.85, f64::NAN], 0.8), (79.0, 86.0));
        // [79, 81] (at least 2 % wide), then 1 each side.
        assert_eq!(histogram_range(&[0.8], 0.8), (78.0, 82.0));
        // [12, 80]: 68 / 20 rounds up to 4.
        assert_eq!(histogram_range(&[0.12, 0.62], 0.8), (8.0, 84.0));
        // Not below 0.
        assert_eq!(histogram_range(&[0.0], 0.1), (0.0, 11.0));
    }

    #[test]
    fn histogram_counts_each_value_once() {
        // Bins of 1 % on [60, 64]: 60.0 and 60.5 in the first, 64.0 (the top) in the last.
        let v = [0.60, 0.605, 0.62, 0.64, f64::NAN, 0.7];
        assert_eq!(histogram(&v, 60.0, 64.0, 4), vec![2, 0, 1, 1]);
    }
}
