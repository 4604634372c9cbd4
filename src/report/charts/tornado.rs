//! The tornado: which uncertain inputs move the target's rate most — one horizontal bar per
//! input (an ungrouped entry or a group), its Spearman rank correlation with the rate, sorted
//! by |ρ| from the top, the method in the subtitle.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{draw_title, fit_labels, text, text_width, GRID, INK, MUTED};
use super::{ChartError, TornadoChart};

/// Okabe–Ito bluish green: the rate rises with the input.
const RISES: RGBColor = RGBColor(0, 158, 115);
/// Okabe–Ito vermillion: the rate falls as the input rises.
const FALLS: RGBColor = RGBColor(213, 94, 0);
/// Longest input label, in pixels.
const LABEL_COLUMN_MAX: f64 = 360.0;
/// At most this many bars (the largest |ρ|); the rest are named in a note.
pub const MAX_BARS: usize = 20;

/// ρ as printed on a bar (`+0.82`, `−0.05`).
pub fn rho_label(rho: f64) -> String {
    let s = format!("{:+.2}", rho);
    s.replacen('-', "−", 1)
}

pub(super) fn draw_tornado<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &TornadoChart,
) -> Result<(), ChartError> {
    root.fill(&WHITE)?;
    let extra = draw_title(root, &c.title)?;
    let (width, _) = root.dim_in_pixel();
    let sub = text(15.0, &MUTED).pos(Pos::new(HPos::Center, VPos::Top));
    let mut y = 52 + extra;
    for line in &c.subtitle {
        root.draw_text(line, &sub, (width as i32 / 2, y))?;
        y += 20;
    }
    let bars = &c.bars[..c.bars.len().min(MAX_BARS)];
    let n = bars.len().max(1);
    let label_style = text(16.0, &INK).pos(Pos::new(HPos::Right, VPos::Center));
    let (labels, label_w) = fit_labels(
        root,
        bars.iter().map(|b| b.label.as_str()),
        LABEL_COLUMN_MAX,
        &label_style,
    );
    let header = text(14.0, &MUTED);
    let label_header = "uncertain input (entry or group)";
    let label_area = label_w.max(text_width(root, label_header, &header) / 2.0) + 18.0;
    let note = (c.bars.len() > MAX_BARS).then(|| {
        format!(
            "{} more inputs with smaller |ρ| in tornado.csv",
            c.bars.len() - MAX_BARS
        )
    });

    let mut chart = ChartBuilder::on(root)
        .margin_top(y + 30)
        .margin_bottom(if note.is_some() { 34 } else { 12 })
        .margin_left(16)
        .margin_right(40)
        .x_label_area_size(62)
        .y_label_area_size(label_area.ceil() as i32)
        .build_cartesian_2d(-1.0..1.0, -0.6..(n as f64 - 0.4))?;
    let tick = |v: &f64| rho_label(*v).replace("+0.00", "0").replace("−0.00", "0");
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(11)
        .x_label_formatter(&tick)
        .max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .label_style(text(15.0, &INK))
        .axis_desc_style(text(16.0, &INK))
        .x_desc(
            "Spearman rank correlation ρ of the input's multiplier with the rate (dimensionless)",
        )
        .draw()?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, -0.6), (0.0, n as f64 - 0.4)],
        INK.stroke_width(1),
    )))?;
    let (plot_x, plot_y) = chart.plotting_area().get_pixel_range();
    let half = 0.32;
    for (i, b) in bars.iter().enumerate() {
        // The largest |ρ| at the top.
        let yc = (n - 1 - i) as f64;
        let colour = if b.rho >= 0.0 { RISES } else { FALLS };
        chart.draw_series(std::iter::once(Rectangle::new(
            [(0.0, yc - half), (b.rho, yc + half)],
            colour.filled(),
        )))?;
        let (x_end, y_px) = chart.backend_coord(&(b.rho, yc));
        let label = rho_label(b.rho);
        let outside = text(15.0, &INK);
        let tw = text_width(root, &label, &outside) as i32;
        // Beyond the bar's end when it fits inside the plot, else inside the bar in white.
        let fits = if b.rho >= 0.0 {
            x_end + 6 + tw <= plot_x.end
        } else {
            x_end - 6 - tw >= plot_x.start
        };
        let (anchor, x, style) = match (b.rho >= 0.0, fits) {
            (true, true) => (HPos::Left, x_end + 6, outside),
            (false, true) => (HPos::Right, x_end - 6, outside),
            (true, false) => (HPos::Right, x_end - 6, text(15.0, &WHITE)),
            (false, false) => (HPos::Left, x_end + 6, text(15.0, &WHITE)),
        };
        root.draw_text(
            &label,
            &style.pos(Pos::new(anchor, VPos::Center)),
            (x, y_px),
        )?;
        root.draw_text(&labels[i], &label_style, (plot_x.start - 10, y_px))?;
    }
    root.draw_text(
        label_header,
        &header.pos(Pos::new(HPos::Left, VPos::Bottom)),
        (16, plot_y.start - 8),
    )?;
    // Legend: the two colours, right-aligned above the plot.
    let legend = text(15.0, &INK).pos(Pos::new(HPos::Left, VPos::Center));
    let items = [
        (RISES, "rate rises with the input"),
        (FALLS, "rate falls as the input rises"),
    ];
    let total: i32 = items
        .iter()
        .map(|(_, l)| 30 + text_width(root, l, &legend) as i32 + 24)
        .sum();
    let mut lx = plot_x.end - total;
    let ly = plot_y.start - 16;
    for (colour, l) in items {
        root.draw(&Rectangle::new(
            [(lx, ly - 8), (lx + 22, ly + 8)],
            colour.filled(),
        ))?;
        root.draw_text(l, &legend, (lx + 30, ly))?;
        lx += 30 + text_width(root, l, &legend) as i32 + 24;
    }
    if let Some(note) = note {
        let (_, h) = root.dim_in_pixel();
        root.draw_text(
            &note,
            &text(14.0, &MUTED).pos(Pos::new(HPos::Left, VPos::Bottom)),
            (16, h as i32 - 8),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rho_labels_carry_their_sign() {
        assert_eq!(rho_label(0.8234), "+0.82");
        assert_eq!(rho_label(-0.05), "−0.05");
        assert_eq!(rho_label(0.0), "+0.00");
    }
}
