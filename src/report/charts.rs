//! Chart rendering: the utilisation-by-material bar chart and the flow map, as PNG bytes or
//! SVG text.
//!
//! Every public render function is pure: plain input structs in, bytes out. Nothing touches the
//! file system, the clock or the system fonts, so the same input always gives byte-identical
//! output. The only font is the embedded DejaVu Sans (`assets/fonts`), registered with plotters'
//! `ab_glyph` support by [`register_fonts`], which every render function calls first.
//!
//! The charts are tested through their input data: the geometry and formatting decisions live in
//! small pure helpers ([`map_projection`], [`flow_width`], [`palette_colour`], [`format_tonnes`],
//! [`width_legend_quantities`], [`rate_axis_max`], [`arrow_polygon`], [`place_labels`]) with
//! their own unit tests; the render functions only lay those results out.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;

/// DejaVu Sans (see `assets/fonts/LICENSE-DejaVu.txt`).
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// The family name the embedded font is registered under and every text style uses.
const FONT_FAMILY: &str = "sans-serif";

/// Pixel size of the utilisation chart.
pub const UTILISATION_SIZE: (u32, u32) = (1200, 700);
/// Pixel size of the flow map.
pub const MAP_SIZE: (u32, u32) = (1200, 900);

const INK: RGBColor = RGBColor(33, 33, 33);
const MUTED: RGBColor = RGBColor(95, 95, 95);
const GRID: RGBColor = RGBColor(226, 226, 226);
/// Okabe–Ito bluish green: the bar meets the target.
const MEETS: RGBColor = RGBColor(0, 158, 115);
/// Okabe–Ito vermillion: the bar misses the target.
const MISSES: RGBColor = RGBColor(213, 94, 0);
/// Colour of flows whose material is not listed in [`FlowMap::materials`].
const UNLISTED: RGBColor = RGBColor(150, 150, 150);
const PARK_FILL: RGBColor = RGBColor(45, 45, 45);

/// Tableau 10 without its grey (grey is reserved for unlisted materials).
const PALETTE: [RGBColor; 9] = [
    RGBColor(78, 121, 167),
    RGBColor(242, 142, 43),
    RGBColor(225, 87, 89),
    RGBColor(118, 183, 178),
    RGBColor(89, 161, 79),
    RGBColor(237, 201, 72),
    RGBColor(176, 122, 161),
    RGBColor(255, 157, 167),
    RGBColor(156, 117, 95),
];

/// Thinnest and thickest flow line, in pixels.
const FLOW_WIDTH_MIN: f64 = 1.5;
const FLOW_WIDTH_MAX: f64 = 16.0;
/// Marker radii in pixels: consolidated parks are drawn larger than sub-blocks.
const PARK_RADIUS: f64 = 8.0;
const BLOCK_RADIUS: f64 = 6.0;

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

/// One material's bar: solids only, tonnes per year.
#[derive(Debug, Clone, PartialEq)]
pub struct MaterialBar {
    pub label: String,
    pub generated: f64,
    pub utilised: f64,
    /// Utilisation rate as a fraction (0.63 = 63 %); may exceed 1.
    pub rate: f64,
}

/// Utilisation rate by material against a target.
#[derive(Debug, Clone, PartialEq)]
pub struct UtilisationChart {
    pub title: String,
    /// Target rate as a fraction (0.8 = 80 %).
    pub target_rate: f64,
    /// One bar per material, drawn top to bottom in this order.
    pub bars: Vec<MaterialBar>,
    /// Rate of all solids together, drawn as a separate "all solids" bar.
    pub overall_rate: f64,
}

/// A park (or a sub-block of one) on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapPark {
    pub id: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// A sub-block of a park (drawn smaller) rather than a consolidated park.
    pub is_block: bool,
    /// Solid by-products generated, t/yr (shown in the label when positive).
    pub generated: f64,
}

/// A flow from a producer location to a consumer location; equal endpoints mean an intra-park flow.
#[derive(Debug, Clone, PartialEq)]
pub struct MapFlow {
    pub from_lat: f64,
    pub from_lon: f64,
    pub to_lat: f64,
    pub to_lon: f64,
    pub material: String,
    /// Quantity per year in `unit`.
    pub quantity: f64,
    pub unit: String,
}

/// Parks and the flows between them.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowMap {
    pub title: String,
    pub parks: Vec<MapPark>,
    pub flows: Vec<MapFlow>,
    /// Legend order; a material's position here fixes its colour ([`palette_colour`]).
    pub materials: Vec<String>,
}

/// Why a chart could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the embedded font could not be registered")]
    Font,
    #[error("drawing failed: {0}")]
    Draw(String),
    #[error("PNG encoding failed: {0}")]
    Encode(String),
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for ChartError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        ChartError::Draw(e.to_string())
    }
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/// Registers the embedded DejaVu Sans as plotters' `"sans-serif"`, once per process.
///
/// Every render function calls this first; calling it again is cheap.
pub fn register_fonts() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, FONT_BYTES).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(ChartError::Font)
    }
}

/// The utilisation chart as a PNG image of [`UTILISATION_SIZE`].
pub fn utilisation_png(c: &UtilisationChart) -> Result<Vec<u8>, ChartError> {
    render_png(UTILISATION_SIZE, |root| draw_utilisation(root, c))
}

/// The utilisation chart as an SVG document of [`UTILISATION_SIZE`].
pub fn utilisation_svg(c: &UtilisationChart) -> Result<String, ChartError> {
    register_fonts()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, UTILISATION_SIZE).into_drawing_area();
        draw_utilisation(&root, c)?;
        root.present()?;
    }
    Ok(out)
}

/// The flow map as a PNG image of [`MAP_SIZE`].
pub fn map_png(m: &FlowMap) -> Result<Vec<u8>, ChartError> {
    render_png(MAP_SIZE, |root| draw_map(root, m))
}

/// The flow map as an SVG document of [`MAP_SIZE`].
pub fn map_svg(m: &FlowMap) -> Result<String, ChartError> {
    register_fonts()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, MAP_SIZE).into_drawing_area();
        draw_map(&root, m)?;
        root.present()?;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Pure helpers (tested directly)
// ---------------------------------------------------------------------------------------------

/// The fixed colour of the material at position `i` of [`FlowMap::materials`] (cycles after 9).
pub fn palette_colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Line width in pixels of a flow of `quantity` when the largest flow is `max`.
///
/// Width grows with the square root of the quantity (so the drawn area is roughly proportional
/// to it), from [`FLOW_WIDTH_MIN`] for a vanishing flow to [`FLOW_WIDTH_MAX`] for the largest.
pub fn flow_width(quantity: f64, max: f64) -> f64 {
    if !(max > 0.0 && quantity > 0.0) {
        return FLOW_WIDTH_MIN;
    }
    let f = (quantity / max).clamp(0.0, 1.0).sqrt();
    FLOW_WIDTH_MIN + (FLOW_WIDTH_MAX - FLOW_WIDTH_MIN) * f
}

/// Visible longitude/latitude ranges of the map, in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapView {
    pub lon: (f64, f64),
    pub lat: (f64, f64),
}

/// Equirectangular view of `points` (`(lon, lat)` in degrees) for a plot of `width`×`height`
/// pixels.
///
/// The bounding box is padded and then widened in one direction so that one pixel covers the
/// same ground distance east–west as north–south: `lon_span · cos(mid_lat) / lat_span` equals
/// `width / height`. Degenerate input (no points, one point) gets a minimum span of 0.5°.
pub fn map_projection(points: &[(f64, f64)], width: u32, height: u32) -> MapView {
    let finite = points
        .iter()
        .filter(|(lon, lat)| lon.is_finite() && lat.is_finite());
    let mut bbox: Option<(f64, f64, f64, f64)> = None;
    for &(lon, lat) in finite {
        let lat = lat.clamp(-85.0, 85.0);
        bbox = Some(match bbox {
            None => (lon, lon, lat, lat),
            Some((a, b, c, d)) => (a.min(lon), b.max(lon), c.min(lat), d.max(lat)),
        });
    }
    let (lon0, lon1, lat0, lat1) = bbox.unwrap_or((0.0, 0.0, 0.0, 0.0));
    let (lon_mid, lat_mid) = ((lon0 + lon1) / 2.0, (lat0 + lat1) / 2.0);
    let k = lat_mid.to_radians().cos().max(0.05);
    // Spans in "ground degrees" (longitude scaled by cos(lat)), padded 10 % on each side.
    let min_span = 0.5;
    let mut x_span = ((lon1 - lon0) * k * 1.2).max(min_span * k);
    let mut y_span = ((lat1 - lat0) * 1.2).max(min_span);
    let aspect = f64::from(width.max(1)) / f64::from(height.max(1));
    if x_span / y_span < aspect {
        x_span = y_span * aspect;
    } else {
        y_span = x_span / aspect;
    }
    let lon_half = x_span / k / 2.0;
    let lat_half = y_span / 2.0;
    MapView {
        lon: (lon_mid - lon_half, lon_mid + lon_half),
        lat: (lat_mid - lat_half, lat_mid + lat_half),
    }
}

/// A mass in tonnes with three significant figures and a t / kt / Mt / Gt prefix: `48.2 Mt`.
pub fn format_tonnes(t: f64) -> String {
    format_quantity(t, "t")
}

/// A quantity with three significant figures and an SI prefix; tonnes use `kt`, `Mt`, `Gt`,
/// other units a separate prefix (`4.5 M m³`).
pub fn format_quantity(q: f64, unit: &str) -> String {
    let q = if q.is_finite() { q } else { 0.0 };
    let (scale, prefix) = match q.abs() {
        a if a >= 1e9 => (1e9, "G"),
        a if a >= 1e6 => (1e6, "M"),
        a if a >= 1e3 => (1e3, "k"),
        _ => (1.0, ""),
    };
    let v = q / scale;
    let decimals = match v.abs() {
        a if a >= 99.95 => 0,
        a if a >= 9.995 => 1,
        _ => 2,
    };
    let mut s = format!("{v:.decimals$}");
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    if s == "-0" {
        s = "0".to_string();
    }
    match (unit, prefix) {
        ("t", p) => format!("{s} {p}t"),
        (u, "") => format!("{s} {u}"),
        (u, p) => format!("{s} {p} {u}"),
    }
}

/// A rate as a whole percentage (`63 %`), or with one decimal below 10 %.
pub fn format_percent(rate: f64) -> String {
    let p = if rate.is_finite() { rate * 100.0 } else { 0.0 };
    if p.abs() < 9.95 && p != 0.0 {
        format!("{p:.1} %")
    } else {
        format!("{p:.0} %")
    }
}

/// Percentage label of a bar that cannot contradict its colour: when the whole-number label
/// would equal the target's while the bar is on the other side of it, one decimal is shown
/// (`79.6 %` below an 80 % target).
fn bar_percent(rate: f64, target: f64) -> String {
    let s = format_percent(rate);
    if rate < target && s == format_percent(target) {
        // Truncate rather than round so that 79.99 % does not read "80.0 %".
        format!("{:.1} %", (rate * 1000.0).floor() / 10.0)
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

/// Outline of a flow arrow in pixel space, from `p` to `q`, shifted `offset` pixels to the
/// left of the direction of travel (screen coordinates, y down), with a shaft of `width` pixels.
///
/// The arrow starts `start_gap` pixels after `p` and its tip stops `end_gap` pixels before `q`
/// (so it does not run under the park markers). Empty when there is no room for it.
pub fn arrow_polygon(
    p: (f64, f64),
    q: (f64, f64),
    offset: f64,
    width: f64,
    start_gap: f64,
    end_gap: f64,
) -> Vec<(f64, f64)> {
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let len = dx.hypot(dy);
    let avail = len - start_gap - end_gap;
    if avail.is_nan() || avail <= 1.0 {
        return Vec::new();
    }
    let d = (dx / len, dy / len);
    let n = (d.1, -d.0);
    let at = |along: f64, side: f64| {
        (
            p.0 + d.0 * along + n.0 * (offset + side),
            p.1 + d.1 * along + n.1 * (offset + side),
        )
    };
    let half = width / 2.0;
    let head_half = half + 2.5 + width * 0.25;
    let head_len = (head_half * 1.8).min(avail);
    let s = start_gap;
    let tip = start_gap + avail;
    let b = tip - head_len;
    vec![
        at(s, -half),
        at(b, -half),
        at(b, -head_half),
        at(tip, 0.0),
        at(b, head_half),
        at(b, half),
        at(s, half),
    ]
}

/// An axis-aligned pixel box `(x0, y0, x1, y1)`.
pub type PixelBox = (f64, f64, f64, f64);

fn overlap(a: PixelBox, b: PixelBox) -> f64 {
    let w = a.2.min(b.2) - a.0.max(b.0);
    let h = a.3.min(b.3) - a.1.max(b.1);
    if w > 0.0 && h > 0.0 {
        w * h
    } else {
        0.0
    }
}

/// Greedy label placement: for each marker `(x, y, radius)` with a label of `size` `(w, h)`,
/// the first of eight positions around the marker (right, left, above, below, then the
/// diagonals) that overlaps nothing placed so far, no marker and stays inside `bounds`; if none
/// is free, the one with the least overlap. Markers are labelled in the order given.
pub fn place_labels(
    markers: &[(f64, f64, f64)],
    sizes: &[(f64, f64)],
    bounds: PixelBox,
) -> Vec<PixelBox> {
    let marker_boxes: Vec<PixelBox> = markers
        .iter()
        .map(|&(x, y, r)| (x - r, y - r, x + r, y + r))
        .collect();
    let mut placed: Vec<PixelBox> = Vec::with_capacity(markers.len());
    for (i, (&(x, y, r), &(w, h))) in markers.iter().zip(sizes).enumerate() {
        let g = r + 4.0;
        let candidates = [
            (x + g, y - h / 2.0),
            (x - g - w, y - h / 2.0),
            (x - w / 2.0, y - g - h),
            (x - w / 2.0, y + g),
            (x + g * 0.7, y - g * 0.7 - h),
            (x + g * 0.7, y + g * 0.7),
            (x - g * 0.7 - w, y - g * 0.7 - h),
            (x - g * 0.7 - w, y + g * 0.7),
        ];
        let cost = |&(x0, y0): &(f64, f64)| {
            let b = (x0, y0, x0 + w, y0 + h);
            let inside = overlap(b, bounds);
            let outside = w * h - inside;
            let labels: f64 = placed.iter().map(|&o| overlap(b, o)).sum();
            let marks: f64 = marker_boxes
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, &o)| overlap(b, o))
                .sum();
            outside * 4.0 + labels + marks
        };
        let mut best = candidates[0];
        let mut best_cost = f64::INFINITY;
        for c in &candidates {
            let k = cost(c);
            if k < best_cost {
                best = *c;
                best_cost = k;
                if k == 0.0 {
                    break;
                }
            }
        }
        placed.push((best.0, best.1, best.0 + w, best.1 + h));
    }
    placed
}

// ---------------------------------------------------------------------------------------------
// PNG
// ---------------------------------------------------------------------------------------------

fn render_png<F>(size: (u32, u32), draw: F) -> Result<Vec<u8>, ChartError>
where
    F: FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), ChartError>,
{
    register_fonts()?;
    let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
        draw(&root)?;
        root.present()?;
    }
    encode_png(size.0, size.1, &rgb)
}

/// Encodes an 8-bit RGB buffer as PNG.
///
/// Stop-gap until the `png` crate is a direct dependency: a valid, deterministic PNG whose zlib
/// stream uses uncompressed (stored) deflate blocks, so files are about 3 bytes per pixel.
fn encode_png(width: u32, height: u32, rgb: &[u8]) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, width, height);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Default);
    let mut w = enc
        .write_header()
        .map_err(|e| ChartError::Encode(e.to_string()))?;
    w.write_image_data(rgb)
        .map_err(|e| ChartError::Encode(e.to_string()))?;
    w.finish().map_err(|e| ChartError::Encode(e.to_string()))?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Drawing helpers
// ---------------------------------------------------------------------------------------------

fn text<'a>(size: f64, colour: &'a RGBColor) -> TextStyle<'a> {
    TextStyle::from((FONT_FAMILY, size).into_font()).color(colour)
}

fn finite_or_zero(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        0.0
    }
}

fn px(p: (f64, f64)) -> (i32, i32) {
    (p.0.round() as i32, p.1.round() as i32)
}

// ---------------------------------------------------------------------------------------------
// Utilisation chart
// ---------------------------------------------------------------------------------------------

struct BarRow<'a> {
    label: &'a str,
    generated: f64,
    utilised: f64,
    rate: f64,
    /// The "all solids" bar.
    total: bool,
}

fn draw_utilisation<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &UtilisationChart,
) -> Result<(), ChartError> {
    root.fill(&WHITE)?;
    let (w, _) = root.dim_in_pixel();
    let target = finite_or_zero(c.target_rate).max(0.0);
    let target_label = format!("target {}", format_percent(target));

    let mut rows: Vec<BarRow> = c
        .bars
        .iter()
        .map(|b| BarRow {
            label: &b.label,
            generated: finite_or_zero(b.generated),
            utilised: finite_or_zero(b.utilised),
            rate: finite_or_zero(b.rate).max(0.0),
            total: false,
        })
        .collect();
    rows.push(BarRow {
        label: "all solids",
        generated: rows.iter().map(|r| r.generated).sum(),
        utilised: rows.iter().map(|r| r.utilised).sum(),
        rate: finite_or_zero(c.overall_rate).max(0.0),
        total: true,
    });
    let n = rows.len() - 1;
    // Slot centres: materials from the top down, then a gap and the total at y = 0.
    let slot = |i: usize| if i == n { 0.0 } else { (n - i) as f64 + 0.3 };
    let (y_lo, y_hi) = (-0.6, n as f64 + 0.9);
    let rates: Vec<f64> = rows.iter().map(|r| r.rate).collect();
    let x_max = rate_axis_max(&rates, target);

    root.draw_text(
        &c.title,
        &text(26.0, &INK).pos(Pos::new(HPos::Center, VPos::Top)),
        (w as i32 / 2, 16),
    )?;

    let mut chart = ChartBuilder::on(root)
        .margin_top(104)
        .margin_bottom(12)
        .margin_left(16)
        .margin_right(200)
        .x_label_area_size(62)
        .y_label_area_size(210)
        .build_cartesian_2d(0.0..x_max, y_lo..y_hi)?;
    let pct = |v: &f64| format!("{v:.0} %");
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
        .y_desc("solid by-product")
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
        root.draw_text(
            r.label,
            &text(16.0, &INK).pos(Pos::new(HPos::Right, VPos::Center)),
            (left - 10, y_px),
        )?;
        // Tonnes, in the column right of the plot.
        root.draw_text(
            &format!(
                "{} of {}",
                format_tonnes(r.utilised),
                format_tonnes(r.generated)
            ),
            &text(15.0, &INK).pos(Pos::new(HPos::Left, VPos::Center)),
            (right + 14, y_px),
        )?;
    }
    root.draw_text(
        "utilised of generated, t/yr",
        &text(14.0, &MUTED).pos(Pos::new(HPos::Left, VPos::Bottom)),
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
    let tx_left = (tx_px - tw as i32 / 2).min(right - tw as i32);
    root.draw_text(&target_label, &target_style, (tx_left, top - 6))?;

    // Legend row under the title.
    let ly = 66;
    let mut lx = left;
    let legend = text(15.0, &INK).pos(Pos::new(HPos::Left, VPos::Center));
    for (colour, label) in [
        (
            MEETS,
            format!("meets target (≥ {})", format_percent(target)),
        ),
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
    root.draw_text(&target_label, &legend, (lx + 42, ly))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Flow map
// ---------------------------------------------------------------------------------------------

/// A flow prepared for drawing, in pixel space.
struct FlowGeom {
    from: (f64, f64),
    to: (f64, f64),
    colour: RGBColor,
    width: f64,
    quantity: f64,
    index: usize,
}

/// Index of the location `p` (pixels) among `locs`, adding it if new.
fn location_index(locs: &mut Vec<(f64, f64)>, p: (f64, f64)) -> usize {
    match locs.iter().position(|l| (l.0 - p.0).hypot(l.1 - p.1) < 1.0) {
        Some(i) => i,
        None => {
            locs.push(p);
            locs.len() - 1
        }
    }
}

fn draw_map<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    m: &FlowMap,
) -> Result<(), ChartError> {
    root.fill(&WHITE)?;
    let (w, h) = root.dim_in_pixel();
    root.draw_text(
        &m.title,
        &text(26.0, &INK).pos(Pos::new(HPos::Center, VPos::Top)),
        (w as i32 / 2, 16),
    )?;
    let legend_w = 270;
    let (map_area, legend_area) = root.split_horizontally(w - legend_w);

    let flows: Vec<&MapFlow> = m
        .flows
        .iter()
        .filter(|f| {
            [f.from_lat, f.from_lon, f.to_lat, f.to_lon]
                .iter()
                .all(|v| v.is_finite())
        })
        .collect();
    let parks: Vec<&MapPark> = m
        .parks
        .iter()
        .filter(|p| p.lat.is_finite() && p.lon.is_finite())
        .collect();
    let mut points: Vec<(f64, f64)> = parks.iter().map(|p| (p.lon, p.lat)).collect();
    for f in &flows {
        points.push((f.from_lon, f.from_lat));
        points.push((f.to_lon, f.to_lat));
    }

    let builder = |ranges: MapView| {
        ChartBuilder::on(&map_area)
            .margin_top(64)
            .margin_left(12)
            .margin_right(20)
            .margin_bottom(10)
            .x_label_area_size(56)
            .y_label_area_size(86)
            .build_cartesian_2d(ranges.lon.0..ranges.lon.1, ranges.lat.0..ranges.lat.1)
    };
    // The plot size does not depend on the ranges: measure it, then fit the view to it.
    let (pw, ph) = builder(MapView {
        lon: (0.0, 1.0),
        lat: (0.0, 1.0),
    })?
    .plotting_area()
    .dim_in_pixel();
    let view = map_projection(&points, pw, ph);
    let mut chart = builder(view)?;
    let decimals = if view.lat.1 - view.lat.0 < 2.0 { 2 } else { 1 };
    let lon_fmt = |v: &f64| {
        format!(
            "{:.*}°{}",
            decimals,
            v.abs(),
            if *v < 0.0 { 'W' } else { 'E' }
        )
    };
    let lat_fmt = |v: &f64| {
        format!(
            "{:.*}°{}",
            decimals,
            v.abs(),
            if *v < 0.0 { 'S' } else { 'N' }
        )
    };
    chart
        .configure_mesh()
        .x_labels(8)
        .y_labels(8)
        .x_label_formatter(&lon_fmt)
        .y_label_formatter(&lat_fmt)
        .max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .label_style(text(14.0, &INK))
        .axis_desc_style(text(16.0, &INK))
        .x_desc("longitude (degrees)")
        .y_desc("latitude (degrees)")
        .draw()?;
    let (plot_x, plot_y) = chart.plotting_area().get_pixel_range();
    let bounds = (
        f64::from(plot_x.start),
        f64::from(plot_y.start),
        f64::from(plot_x.end),
        f64::from(plot_y.end),
    );
    let to_px = |lon: f64, lat: f64| {
        let (x, y) = chart.backend_coord(&(lon, lat));
        (f64::from(x), f64::from(y))
    };

    if parks.is_empty() && flows.is_empty() {
        root.draw_text(
            "no parks to show",
            &text(18.0, &MUTED).pos(Pos::new(HPos::Center, VPos::Center)),
            (
                ((bounds.0 + bounds.2) / 2.0) as i32,
                ((bounds.1 + bounds.3) / 2.0) as i32,
            ),
        )?;
    }

    // Locations (pixel positions) with the marker radius of the park there, if any.
    let mut locs: Vec<(f64, f64)> = Vec::new();
    let mut marker_r: Vec<f64> = Vec::new();
    let mut park_loc = Vec::with_capacity(parks.len());
    for p in &parks {
        let i = location_index(&mut locs, to_px(p.lon, p.lat));
        marker_r.resize(locs.len(), 0.0);
        let r = if p.is_block {
            BLOCK_RADIUS
        } else {
            PARK_RADIUS
        };
        marker_r[i] = marker_r[i].max(r);
        park_loc.push(i);
    }

    let max_q = flows
        .iter()
        .map(|f| finite_or_zero(f.quantity))
        .fold(0.0f64, f64::max);
    let colour_of = |material: &str| {
        m.materials
            .iter()
            .position(|x| x == material)
            .map_or(UNLISTED, palette_colour)
    };
    let mut geoms: Vec<(usize, usize, FlowGeom)> = Vec::with_capacity(flows.len());
    for (index, f) in flows.iter().enumerate() {
        let a = location_index(&mut locs, to_px(f.from_lon, f.from_lat));
        let b = location_index(&mut locs, to_px(f.to_lon, f.to_lat));
        let quantity = finite_or_zero(f.quantity).max(0.0);
        geoms.push((
            a,
            b,
            FlowGeom {
                from: locs[a],
                to: locs[b],
                colour: colour_of(&f.material),
                width: flow_width(quantity, max_q),
                quantity,
                index,
            },
        ));
    }
    marker_r.resize(locs.len(), 0.0);
    // Largest first, so smaller flows are drawn on top; ties keep input order.
    let by_size = |x: &FlowGeom, y: &FlowGeom| {
        y.quantity
            .partial_cmp(&x.quantity)
            .unwrap_or(Ordering::Equal)
            .then(x.index.cmp(&y.index))
    };
    geoms.sort_by(|x, y| by_size(&x.2, &y.2));

    // Intra-park flows: rings around the location, stacked outwards, largest innermost.
    let mut ring_outer: Vec<f64> = marker_r.iter().map(|r| r + 2.0).collect();
    let mut rings: Vec<((f64, f64), f64, &FlowGeom)> = Vec::new();
    for (a, b, g) in &geoms {
        if a == b {
            let r = ring_outer[*a] + 1.5 + g.width / 2.0;
            ring_outer[*a] = r + g.width / 2.0;
            rings.push((g.from, r, g));
        }
    }

    // Inter-park flows: arrows; flows sharing a direction between the same two locations are
    // stacked side by side, centred when there is no flow the other way.
    let mut groups: BTreeMap<(usize, usize), Vec<&FlowGeom>> = BTreeMap::new();
    for (a, b, g) in &geoms {
        if a != b {
            groups.entry((*a, *b)).or_default().push(g);
        }
    }
    let mut arrows: Vec<(&FlowGeom, Vec<(f64, f64)>)> = Vec::new();
    for (&(a, b), group) in &groups {
        let total: f64 = group.iter().map(|g| g.width + 2.0).sum::<f64>() - 2.0;
        let mut offset = if groups.contains_key(&(b, a)) {
            1.5
        } else {
            -total / 2.0
        };
        for g in group {
            let poly = arrow_polygon(
                g.from,
                g.to,
                offset + g.width / 2.0,
                g.width,
                ring_outer[a] + 2.0,
                ring_outer[b] + 3.0,
            );
            offset += g.width + 2.0;
            arrows.push((g, poly));
        }
    }
    arrows.sort_by(|x, y| by_size(x.0, y.0));

    for (g, poly) in &arrows {
        if poly.is_empty() {
            // Too close for an arrow: a plain connector, mostly under the markers.
            root.draw(&PathElement::new(
                vec![px(g.from), px(g.to)],
                g.colour
                    .mix(0.85)
                    .stroke_width(g.width.round().max(1.0) as u32),
            ))?;
        } else {
            let pts: Vec<(i32, i32)> = poly.iter().map(|&p| px(p)).collect();
            root.draw(&Polygon::new(pts, g.colour.mix(0.85).filled()))?;
        }
    }
    for (centre, r, g) in &rings {
        root.draw(&Circle::new(
            px(*centre),
            r.round() as i32,
            g.colour
                .mix(0.85)
                .stroke_width(g.width.round().max(1.0) as u32),
        ))?;
    }

    // Parks: consolidated parks first so their labels get the best places.
    let mut order: Vec<usize> = (0..parks.len()).collect();
    order.sort_by(|&i, &j| {
        parks[i]
            .is_block
            .cmp(&parks[j].is_block)
            .then(parks[i].id.cmp(&parks[j].id))
            .then(i.cmp(&j))
    });
    let label_style = text(14.0, &INK).pos(Pos::new(HPos::Left, VPos::Top));
    let mut markers = Vec::with_capacity(parks.len());
    let mut labels = Vec::with_capacity(parks.len());
    let mut sizes = Vec::with_capacity(parks.len());
    for &i in &order {
        let p = parks[i];
        let name = if p.name.is_empty() { &p.id } else { &p.name };
        let label = if p.generated > 0.0 {
            format!("{name} ({})", format_tonnes(p.generated))
        } else {
            name.to_string()
        };
        let (tw, th) = root.estimate_text_size(&label, &label_style)?;
        let loc = park_loc[i];
        markers.push((locs[loc].0, locs[loc].1, ring_outer[loc]));
        sizes.push((f64::from(tw) + 6.0, f64::from(th) + 4.0));
        labels.push(label);
    }
    for &i in &order {
        let p = parks[i];
        let (r, fill) = if p.is_block {
            (BLOCK_RADIUS, WHITE)
        } else {
            (PARK_RADIUS, PARK_FILL)
        };
        let c = px(locs[park_loc[i]]);
        root.draw(&Circle::new(c, r as i32, fill.filled()))?;
        root.draw(&Circle::new(c, r as i32, PARK_FILL.stroke_width(2)))?;
    }
    let boxes = place_labels(&markers, &sizes, bounds);
    for (b, label) in boxes.iter().zip(&labels) {
        root.draw(&Rectangle::new(
            [px((b.0, b.1)), px((b.2, b.3))],
            WHITE.mix(0.8).filled(),
        ))?;
        root.draw_text(label, &label_style, px((b.0 + 3.0, b.1 + 2.0)))?;
    }

    draw_map_legend(&legend_area, m, &flows, max_q, h)?;
    Ok(())
}

fn draw_map_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    m: &FlowMap,
    flows: &[&MapFlow],
    max_q: f64,
    height: u32,
) -> Result<(), ChartError> {
    let heading = text(16.0, &INK).pos(Pos::new(HPos::Left, VPos::Center));
    let item = text(14.0, &INK).pos(Pos::new(HPos::Left, VPos::Center));
    let note = text(13.0, &MUTED).pos(Pos::new(HPos::Left, VPos::Center));
    let x = 10;
    let mut y = 84;
    let row = 22;

    area.draw_text("Material", &heading, (x, y))?;
    y += row + 2;
    let unlisted = flows.iter().any(|f| !m.materials.contains(&f.material));
    let mut entries: Vec<(RGBColor, &str)> = m
        .materials
        .iter()
        .enumerate()
        .map(|(i, s)| (palette_colour(i), s.as_str()))
        .collect();
    if unlisted {
        entries.push((UNLISTED, "other"));
    }
    // Room for the other sections below (about 360 px).
    let max_rows = ((height as i32 - y - 360) / row).max(1) as usize;
    let shown = if entries.len() > max_rows {
        max_rows - 1
    } else {
        entries.len()
    };
    for (colour, name) in &entries[..shown] {
        area.draw(&Rectangle::new(
            [(x, y - 5), (x + 30, y + 5)],
            colour.filled(),
        ))?;
        area.draw_text(name, &item, (x + 40, y))?;
        y += row;
    }
    if shown < entries.len() {
        area.draw_text(
            &format!("… {} more", entries.len() - shown),
            &note,
            (x + 40, y),
        )?;
        y += row;
    }

    y += 14;
    area.draw_text("Flow per year", &heading, (x, y))?;
    y += row + 2;
    let units: Vec<&str> = {
        let mut u: Vec<&str> = flows.iter().map(|f| f.unit.as_str()).collect();
        u.sort_unstable();
        u.dedup();
        u
    };
    let unit = if units.len() == 1 { units[0] } else { "" };
    let samples = width_legend_quantities(max_q);
    if samples.is_empty() {
        area.draw_text("no flows", &note, (x, y))?;
        y += row;
    }
    for q in samples {
        let wpx = flow_width(q, max_q);
        let half = (wpx / 2.0).max(0.5);
        area.draw(&Rectangle::new(
            [
                (x, (f64::from(y) - half).round() as i32),
                (x + 50, (f64::from(y) + half).round() as i32),
            ],
            INK.mix(0.7).filled(),
        ))?;
        let label = if unit.is_empty() {
            format_quantity(q, "")
        } else {
            format_quantity(q, unit)
        };
        area.draw_text(label.trim_end(), &item, (x + 62, y))?;
        y += row.max(wpx as i32 + 8);
    }
    area.draw_text("line width ∝ √quantity", &note, (x, y))?;
    y += row;
    if units.len() > 1 {
        area.draw_text(&format!("units: {}", units.join(", ")), &note, (x, y))?;
        y += row;
    }

    y += 14;
    area.draw_text("Symbols", &heading, (x, y))?;
    y += row + 4;
    let cx = x + 15;
    area.draw(&Circle::new(
        (cx, y),
        PARK_RADIUS as i32,
        PARK_FILL.filled(),
    ))?;
    area.draw_text("industrial park", &item, (x + 40, y))?;
    y += row + 4;
    area.draw(&Circle::new((cx, y), BLOCK_RADIUS as i32, WHITE.filled()))?;
    area.draw(&Circle::new(
        (cx, y),
        BLOCK_RADIUS as i32,
        PARK_FILL.stroke_width(2),
    ))?;
    area.draw_text("sub-block of a park", &item, (x + 40, y))?;
    y += row + 10;
    area.draw(&Circle::new((cx, y), 6, PARK_FILL.filled()))?;
    area.draw(&Circle::new((cx, y), 11, INK.mix(0.6).stroke_width(4)))?;
    area.draw_text("flow within a park (ring)", &item, (x + 40, y))?;
    y += row + 6;
    area.draw_text("label: name (solids generated)", &note, (x, y))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the SVG has a text element reading exactly `s` (plotters puts it on its own line).
    fn svg_has_text(svg: &str, s: &str) -> bool {
        svg.lines().any(|l| l == s)
    }

    fn png_size(png: &[u8]) -> (u32, u32) {
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&png[12..16], b"IHDR");
        let be = |i: usize| u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]);
        (be(16), be(20))
    }

    /// Realistic input: Ordos parks, 8 materials, 30 flows of 1e4–1e7 t.
    pub(super) fn ordos() -> (UtilisationChart, FlowMap) {
        let materials = [
            "fly ash",
            "coal gangue",
            "desulfurisation gypsum",
            "furnace slag",
            "carbide slag",
            "steel slag",
            "red mud",
            "coal-to-chemicals slag",
        ];
        let bars: Vec<MaterialBar> = materials
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let generated = 4.82e7 / (i as f64 + 1.0).powf(1.3);
                let rate = [0.63, 0.41, 0.92, 0.81, 0.55, 0.796, 0.12, 1.08][i];
                MaterialBar {
                    label: m.to_string(),
                    generated,
                    utilised: generated * rate,
                    rate,
                }
            })
            .collect();
        let g: f64 = bars.iter().map(|b| b.generated).sum();
        let u: f64 = bars.iter().map(|b| b.utilised).sum();
        let chart = UtilisationChart {
            title: "Solid by-product utilisation, Ordos 2025".into(),
            target_rate: 0.8,
            bars,
            overall_rate: u / g,
        };
        let parks = vec![
            (
                "P1",
                "Dalad Economic Development Zone",
                40.40,
                109.99,
                false,
                3.1e7,
            ),
            ("P2", "Ordos High-Tech Zone", 39.60, 109.78, false, 8.0e6),
            (
                "P3",
                "Ningdong–Ordos Junggar Park",
                39.86,
                111.24,
                false,
                2.2e7,
            ),
            ("P4", "Ejin Horo Park", 39.27, 109.73, false, 1.5e7),
            (
                "P5",
                "Otog Front Banner Shanghaimiao",
                38.28,
                107.48,
                false,
                6.0e6,
            ),
            ("P6", "Uxin Banner Nalinhe", 38.27, 108.82, false, 1.2e7),
            ("P6a", "Nalinhe block A", 38.37, 109.02, true, 3.0e6),
            ("P7", "Qipanjing Park", 39.35, 106.98, false, 9.0e6),
        ];
        let parks: Vec<MapPark> = parks
            .into_iter()
            .map(|(id, name, lat, lon, is_block, generated)| MapPark {
                id: id.into(),
                name: name.into(),
                lat,
                lon,
                is_block,
                generated,
            })
            .collect();
        let mut flows = Vec::new();
        let mut seed = 7u64;
        for k in 0..30 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let a = (seed >> 33) as usize % parks.len();
            let b = if k % 7 == 0 {
                a
            } else {
                (seed >> 40) as usize % parks.len()
            };
            let mat = (seed >> 20) as usize % materials.len();
            let q = 10f64.powf(4.0 + 3.0 * ((seed >> 11) % 1000) as f64 / 1000.0);
            flows.push(MapFlow {
                from_lat: parks[a].lat,
                from_lon: parks[a].lon,
                to_lat: parks[b].lat,
                to_lon: parks[b].lon,
                material: materials[mat].into(),
                quantity: q,
                unit: "t".into(),
            });
        }
        let map = FlowMap {
            title: "By-product flows between Ordos parks".into(),
            parks,
            flows,
            materials: materials.iter().map(|s| s.to_string()).collect(),
        };
        (chart, map)
    }

    #[test]
    fn palette_is_fixed_and_cycles() {
        assert_eq!(palette_colour(0), RGBColor(78, 121, 167));
        assert_ne!(palette_colour(0), palette_colour(1));
        assert_eq!(palette_colour(9), palette_colour(0));
        let distinct: std::collections::BTreeSet<_> = (0..9)
            .map(|i| {
                palette_colour(i).0 as u32 * 65536
                    + palette_colour(i).1 as u32 * 256
                    + palette_colour(i).2 as u32
            })
            .collect();
        assert_eq!(distinct.len(), 9);
        assert!(!PALETTE.contains(&UNLISTED));
    }

    #[test]
    fn flow_width_is_sqrt_scaled_and_bounded() {
        assert_eq!(flow_width(1e7, 1e7), FLOW_WIDTH_MAX);
        assert_eq!(flow_width(0.0, 1e7), FLOW_WIDTH_MIN);
        assert_eq!(flow_width(5.0, 0.0), FLOW_WIDTH_MIN);
        assert_eq!(flow_width(2e7, 1e7), FLOW_WIDTH_MAX);
        let quarter = flow_width(2.5e6, 1e7);
        assert!(
            (quarter - (FLOW_WIDTH_MIN + (FLOW_WIDTH_MAX - FLOW_WIDTH_MIN) / 2.0)).abs() < 1e-9
        );
        assert!(flow_width(1e4, 1e7) < flow_width(1e5, 1e7));
    }

    #[test]
    fn projection_corrects_aspect_and_contains_points() {
        let pts = [(106.6, 38.0), (111.3, 40.6), (109.0, 39.0)];
        let v = map_projection(&pts, 800, 700);
        let k = ((v.lat.0 + v.lat.1) / 2.0).to_radians().cos();
        let ratio = (v.lon.1 - v.lon.0) * k / (v.lat.1 - v.lat.0);
        assert!((ratio - 800.0 / 700.0).abs() < 1e-9, "{ratio}");
        for (lon, lat) in pts {
            assert!(v.lon.0 < lon && lon < v.lon.1 && v.lat.0 < lat && lat < v.lat.1);
        }
        // One degree of longitude at 39° N is shorter than one of latitude.
        assert!(k < 0.8 && k > 0.75);
    }

    #[test]
    fn projection_handles_degenerate_input() {
        let one = map_projection(&[(109.0, 39.0)], 400, 400);
        assert!(one.lat.1 - one.lat.0 >= 0.5 - 1e-12);
        assert!(one.lon.0 < 109.0 && 109.0 < one.lon.1);
        let none = map_projection(&[], 0, 0);
        assert!(none.lon.1 > none.lon.0 && none.lat.1 > none.lat.0);
        let nan = map_projection(&[(f64::NAN, 1.0)], 10, 10);
        assert!(nan.lon.0.is_finite());
    }

    #[test]
    fn tonnes_and_percent_format() {
        assert_eq!(format_tonnes(4.82e7), "48.2 Mt");
        assert_eq!(format_tonnes(5e6), "5 Mt");
        assert_eq!(format_tonnes(1.234e9), "1.23 Gt");
        assert_eq!(format_tonnes(500_000.0), "500 kt");
        assert_eq!(format_tonnes(12.0), "12 t");
        assert_eq!(format_tonnes(0.0), "0 t");
        assert_eq!(format_tonnes(999_999.0), "1000 kt");
        assert_eq!(format_quantity(4.5e6, "m³"), "4.5 M m³");
        assert_eq!(format_quantity(30.0, "m³"), "30 m³");
        assert_eq!(format_percent(0.63), "63 %");
        assert_eq!(format_percent(0.051), "5.1 %");
        assert_eq!(format_percent(0.0), "0 %");
        assert_eq!(format_percent(1.08), "108 %");
        assert_eq!(bar_percent(0.796, 0.8), "79.6 %");
        assert_eq!(bar_percent(0.81, 0.8), "81 %");
        assert_eq!(bar_percent(0.8, 0.8), "80 %");
        assert_eq!(bar_percent(0.63, 0.8), "63 %");
    }

    #[test]
    fn rate_axis_covers_rates_above_one() {
        assert_eq!(rate_axis_max(&[], 0.8), 100.0);
        assert_eq!(rate_axis_max(&[0.2, 0.99], 0.8), 100.0);
        assert_eq!(rate_axis_max(&[1.0], 0.8), 100.0);
        assert_eq!(rate_axis_max(&[1.08], 0.8), 110.0);
        assert_eq!(rate_axis_max(&[0.5], 1.25), 130.0);
    }

    #[test]
    fn width_legend_uses_round_values_below_max() {
        assert_eq!(width_legend_quantities(8.7e6), vec![5e6, 5e5, 5e4]);
        assert_eq!(width_legend_quantities(1e7), vec![1e7, 1e6, 1e5]);
        assert_eq!(width_legend_quantities(3.0e4), vec![2e4, 2e3, 2e2]);
        assert!(width_legend_quantities(0.0).is_empty());
    }

    #[test]
    fn arrow_polygon_geometry() {
        let poly = arrow_polygon((0.0, 0.0), (100.0, 0.0), 0.0, 4.0, 10.0, 10.0);
        assert_eq!(poly.len(), 7);
        assert_eq!(poly[0], (10.0, 2.0));
        assert_eq!(poly[3], (90.0, 0.0)); // tip
        assert!(poly.iter().all(|p| p.0 >= 10.0 && p.0 <= 90.0));
        // Offset shifts every point sideways.
        let shifted = arrow_polygon((0.0, 0.0), (100.0, 0.0), 5.0, 4.0, 10.0, 10.0);
        for (a, b) in poly.iter().zip(&shifted) {
            assert!((a.0 - b.0).abs() < 1e-12 && (b.1 - a.1 + 5.0).abs() < 1e-12);
        }
        // Opposite directions with the same offset end up on opposite sides.
        let back = arrow_polygon((100.0, 0.0), (0.0, 0.0), 5.0, 4.0, 10.0, 10.0);
        assert!(shifted[3].1 < 0.0 && back[3].1 > 0.0);
        assert!(arrow_polygon((0.0, 0.0), (15.0, 0.0), 0.0, 4.0, 8.0, 8.0).is_empty());
        assert!(arrow_polygon((0.0, 0.0), (0.0, 0.0), 0.0, 4.0, 0.0, 0.0).is_empty());
    }

    #[test]
    fn labels_avoid_each_other() {
        let markers = [
            (100.0, 100.0, 8.0),
            (105.0, 100.0, 8.0),
            (300.0, 300.0, 5.0),
        ];
        let sizes = [(80.0, 16.0); 3];
        let boxes = place_labels(&markers, &sizes, (0.0, 0.0, 500.0, 500.0));
        for i in 0..3 {
            for j in 0..3 {
                if i != j {
                    assert_eq!(overlap(boxes[i], boxes[j]), 0.0, "{i} {j}");
                }
            }
        }
        // The first label goes to the right of its marker when that is free.
        assert_eq!(boxes[2].0, 309.0);
        // Near the right edge the label moves inside.
        let edge = place_labels(
            &[(490.0, 100.0, 8.0)],
            &[(80.0, 16.0)],
            (0.0, 0.0, 500.0, 500.0),
        );
        assert!(edge[0].2 <= 500.0);
    }

    #[test]
    fn utilisation_renders_png_and_svg() {
        let (chart, _) = ordos();
        let png = utilisation_png(&chart).unwrap();
        assert_eq!(png_size(&png), UTILISATION_SIZE);
        let svg = utilisation_svg(&chart).unwrap();
        assert!(svg.contains(&chart.title));
        assert!(svg.contains("target 80 %"));
        for b in &chart.bars {
            assert!(svg_has_text(&svg, &b.label), "{}", b.label);
        }
        assert!(svg.contains("all solids"));
        assert!(svg.contains("48.2 Mt"));
        assert_eq!(png, utilisation_png(&chart).unwrap());
        assert_eq!(svg, utilisation_svg(&chart).unwrap());
    }

    #[test]
    fn map_renders_png_and_svg() {
        let (_, map) = ordos();
        let png = map_png(&map).unwrap();
        assert_eq!(png_size(&png), MAP_SIZE);
        let svg = map_svg(&map).unwrap();
        assert!(svg.contains(&map.title));
        for m in &map.materials {
            assert!(svg_has_text(&svg, m), "{m}");
        }
        assert!(svg.contains("Dalad Economic Development Zone"));
        assert_eq!(png, map_png(&map).unwrap());
        assert_eq!(svg, map_svg(&map).unwrap());
    }

    /// A zero-generation chart above a 150 % target, and one sub-block with an unlisted
    /// zero-quantity intra-park flow.
    fn edge_inputs() -> (UtilisationChart, FlowMap) {
        let zero = UtilisationChart {
            title: "zero".into(),
            target_rate: 1.5,
            bars: vec![MaterialBar {
                label: "ash".into(),
                generated: 0.0,
                utilised: 0.0,
                rate: 0.0,
            }],
            overall_rate: f64::NAN,
        };
        let one = FlowMap {
            title: "one".into(),
            parks: vec![MapPark {
                id: "P".into(),
                name: String::new(),
                lat: 39.0,
                lon: 109.0,
                is_block: true,
                generated: 0.0,
            }],
            flows: vec![MapFlow {
                from_lat: 39.0,
                from_lon: 109.0,
                to_lat: 39.0,
                to_lon: 109.0,
                material: "unlisted".into(),
                quantity: 0.0,
                unit: "t".into(),
            }],
            materials: vec![],
        };
        (zero, one)
    }

    #[test]
    fn edge_cases_do_not_panic() {
        let empty_chart = UtilisationChart {
            title: String::new(),
            target_rate: 0.8,
            bars: vec![],
            overall_rate: 0.0,
        };
        utilisation_png(&empty_chart).unwrap();
        utilisation_svg(&empty_chart).unwrap();
        let (zero, one) = edge_inputs();
        assert!(utilisation_svg(&zero).unwrap().contains("target 150 %"));
        let empty_map = FlowMap {
            title: "empty".into(),
            parks: vec![],
            flows: vec![],
            materials: vec![],
        };
        map_png(&empty_map).unwrap();
        map_svg(&empty_map).unwrap();
        let svg = map_svg(&one).unwrap();
        assert!(svg_has_text(&svg, "other"));
        map_png(&one).unwrap();
    }

    /// Writes the sample charts to the temp dir for viewing:
    /// `cargo test --lib report::charts -- --ignored write_samples`.
    #[test]
    #[ignore]
    fn write_samples() {
        let (chart, map) = ordos();
        let dir = std::env::temp_dir();
        std::fs::write(
            dir.join("charts-utilisation.png"),
            utilisation_png(&chart).unwrap(),
        )
        .unwrap();
        std::fs::write(
            dir.join("charts-utilisation.svg"),
            utilisation_svg(&chart).unwrap(),
        )
        .unwrap();
        std::fs::write(dir.join("charts-map.png"), map_png(&map).unwrap()).unwrap();
        std::fs::write(dir.join("charts-map.svg"), map_svg(&map).unwrap()).unwrap();
        let (edge_chart, edge_map) = edge_inputs();
        std::fs::write(
            dir.join("charts-utilisation-edge.png"),
            utilisation_png(&edge_chart).unwrap(),
        )
        .unwrap();
        std::fs::write(dir.join("charts-map-edge.png"), map_png(&edge_map).unwrap()).unwrap();
    }
}
