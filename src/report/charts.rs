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
//! [`width_legend_quantities`], [`rate_axis_max`], [`arrow_polygon`], [`place_labels_with`],
//! [`fit_text`], [`fit_title`], [`donut_radius`], [`donut_angles`]) with their own unit tests;
//! the render functions only lay those results out.
//!
//! Layout on real scenarios (21 parks and sub-blocks, 11+ materials, long names): titles are
//! measured and shrunk, wrapped onto two lines or truncated with `…`; legend entries and the
//! utilisation chart's material labels are measured and truncated; the label column is sized
//! to the longest label. On the map, flows within a park are one donut per location (ring
//! area ∝ tonnes, one slice per material) instead of one ring per material; arrows are drawn
//! above the donuts with a white halo; labels avoid each other, the markers and the arrows,
//! dropping a sub-block's tonnes or moving out with a leader line when crowded.

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

/// Twelve material colours, distinct on white and from each other (pairwise RGB distance > 60):
/// the seven Okabe–Ito colours without black first (safe for the common colour-vision
/// deficiencies), then five from Paul Tol's "muted" scheme and his light pink. Grey is reserved for
/// unlisted materials and near-black for the park markers.
const PALETTE: [RGBColor; 12] = [
    RGBColor(0, 114, 178),   // Okabe–Ito blue
    RGBColor(230, 159, 0),   // Okabe–Ito orange
    RGBColor(0, 158, 115),   // Okabe–Ito bluish green
    RGBColor(213, 94, 0),    // Okabe–Ito vermillion
    RGBColor(86, 180, 233),  // Okabe–Ito sky blue
    RGBColor(204, 121, 167), // Okabe–Ito reddish purple
    RGBColor(51, 34, 136),   // Tol indigo
    RGBColor(153, 153, 51),  // Tol olive
    RGBColor(136, 34, 85),   // Tol wine
    RGBColor(221, 204, 119), // Tol sand
    RGBColor(17, 119, 51),   // Tol green
    RGBColor(255, 170, 187), // Tol light pink
];

/// Thinnest and thickest flow line, in pixels.
const FLOW_WIDTH_MIN: f64 = 1.5;
const FLOW_WIDTH_MAX: f64 = 16.0;
/// Marker radii in pixels: consolidated parks are drawn larger than sub-blocks.
const PARK_RADIUS: f64 = 8.0;
const BLOCK_RADIUS: f64 = 6.0;
/// Outer radius, in pixels, of the donut of the location with the most intra-park tonnes.
const DONUT_MAX: f64 = 24.0;
/// Thinnest donut ring, in pixels, so that small intra-park flows stay visible.
const DONUT_MIN_RING: f64 = 3.0;
/// Title font sizes tried in turn, largest first (one line, then two lines at the last two).
const TITLE_SIZES: [f64; 4] = [26.0, 24.0, 22.0, 20.0];
/// Smallest title size: below it the title is truncated with an ellipsis instead.
const TITLE_MIN_SIZE: f64 = 18.0;
/// Longest material name in the utilisation chart's label column, in pixels.
const LABEL_COLUMN_MAX: f64 = 320.0;

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

/// The fixed colour of the material at position `i` of [`FlowMap::materials`] (cycles after 12).
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

/// Greedy label placement with one label per marker: [`place_labels_with`] with a single text
/// alternative, returning only the boxes.
pub fn place_labels(
    markers: &[(f64, f64, f64)],
    sizes: &[(f64, f64)],
    bounds: PixelBox,
) -> Vec<PixelBox> {
    let alternatives: Vec<Vec<(f64, f64)>> = sizes.iter().map(|&s| vec![s]).collect();
    place_labels_with(markers, &alternatives, &[], bounds)
        .into_iter()
        .map(|p| p.bbox)
        .collect()
}

/// Where [`place_labels_with`] put one label.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelPlacement {
    pub bbox: PixelBox,
    /// Index of the text alternative used (0 = the preferred, full label).
    pub alternative: usize,
    /// The label sits away from its marker and needs a leader line to it.
    pub leader: bool,
}

/// Extra distance, in pixels, of the rings of label positions tried after the adjacent one;
/// labels placed on them get a leader line.
const LABEL_RINGS: [f64; 5] = [0.0, 16.0, 34.0, 56.0, 80.0];

/// Greedy label placement: markers `(x, y, radius)` are labelled in the order given, each with
/// one of its text alternatives (`(w, h)` sizes, preferred first).
///
/// For each marker the candidates are eight positions around the marker (right, left, above,
/// below, then the diagonals), first adjacent to it with each alternative in turn, then on rings
/// further out (these get a leader line). Each candidate costs its weighted overlap with the
/// labels placed so far (counting most), the other markers, the `obstacles` (e.g. arrows,
/// counting least) and the outside of `bounds`, plus a small penalty for a shortened label or a
/// far ring; the cheapest wins, and the search stops at the first candidate without overlap.
pub fn place_labels_with(
    markers: &[(f64, f64, f64)],
    alternatives: &[Vec<(f64, f64)>],
    obstacles: &[PixelBox],
    bounds: PixelBox,
) -> Vec<LabelPlacement> {
    let marker_boxes: Vec<PixelBox> = markers
        .iter()
        .map(|&(x, y, r)| (x - r, y - r, x + r, y + r))
        .collect();
    let mut placed: Vec<LabelPlacement> = Vec::with_capacity(markers.len());
    for (i, (&(x, y, r), alts)) in markers.iter().zip(alternatives).enumerate() {
        let mut best: Option<(f64, LabelPlacement)> = None;
        'search: for (ring, &extra) in LABEL_RINGS.iter().enumerate() {
            for (alternative, &(w, h)) in alts.iter().enumerate() {
                let g = r + 4.0 + extra;
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
                for &(x0, y0) in &candidates {
                    let b = (x0, y0, x0 + w, y0 + h);
                    let outside = w * h - overlap(b, bounds);
                    let labels: f64 = placed.iter().map(|o| overlap(b, o.bbox)).sum();
                    let marks: f64 = marker_boxes
                        .iter()
                        .enumerate()
                        .filter(|&(j, _)| j != i)
                        .map(|(_, &o)| overlap(b, o))
                        .sum();
                    let soft: f64 = obstacles.iter().map(|&o| overlap(b, o)).sum();
                    let overlaps = outside * 4.0 + labels * 20.0 + marks + soft * 0.5;
                    // Prefer near and full labels; the penalty grows in search order, so the
                    // first candidate without overlap ends the search.
                    let penalty = 60.0 * ring as f64 + 40.0 * alternative as f64;
                    let cost = overlaps + penalty;
                    if best.as_ref().is_none_or(|(c, _)| cost < *c) {
                        let p = LabelPlacement {
                            bbox: b,
                            alternative,
                            leader: ring > 0,
                        };
                        best = Some((cost, p));
                    }
                    if overlaps == 0.0 {
                        break 'search;
                    }
                }
            }
        }
        let fallback = LabelPlacement {
            bbox: (x, y, x, y),
            alternative: 0,
            leader: false,
        };
        placed.push(best.map_or(fallback, |(_, p)| p));
    }
    placed
}

/// `s` shortened to fit `max_w` pixels as measured by `measure`: unchanged when it fits, else
/// the longest prefix (trailing spaces dropped) that fits together with an ellipsis `…`, or an
/// empty string when not even the ellipsis fits.
pub fn fit_text<F: Fn(&str) -> f64>(s: &str, max_w: f64, measure: F) -> String {
    if measure(s) <= max_w {
        return s.to_string();
    }
    let ends: Vec<usize> = s.char_indices().map(|(i, _)| i).collect();
    // Binary search on the number of characters kept (the width grows with the prefix).
    let (mut lo, mut hi) = (0usize, ends.len());
    let shortened = |n: usize| format!("{}…", s[..ends[n]].trim_end());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if measure(&shortened(mid)) <= max_w {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let out = shortened(lo);
    if measure(&out) <= max_w {
        out
    } else {
        String::new()
    }
}

/// A title laid out to fit `max_w` pixels: its font size and one or two lines.
///
/// `measure(text, size)` is the width of `text` at font size `size`. The title is kept on one
/// line at the largest of 26, 24, 22 and 20 px that fits; otherwise it is broken into two lines at a
/// space, preferring a break after punctuation (`:`, `,`, `;`, a dash) and then the most
/// balanced break, at 20 px or else 18 px. If even that does not fit,
/// the first line is filled word by word and the second truncated with an ellipsis.
pub fn fit_title<F: Fn(&str, f64) -> f64>(
    title: &str,
    max_w: f64,
    measure: F,
) -> (f64, Vec<String>) {
    let title = title.trim();
    for &size in &TITLE_SIZES {
        if measure(title, size) <= max_w {
            return (size, vec![title.to_string()]);
        }
    }
    let breaks: Vec<usize> = title
        .char_indices()
        .filter(|&(_, c)| c == ' ')
        .map(|(i, _)| i)
        .collect();
    let punct = |i: usize| {
        let before = title[..i].trim_end();
        before.ends_with([':', ',', ';', '—', '–'])
    };
    for size in [TITLE_SIZES[TITLE_SIZES.len() - 1], TITLE_MIN_SIZE] {
        let mut best: Option<(bool, f64, usize)> = None;
        for &i in &breaks {
            let (a, b) = (title[..i].trim_end(), title[i..].trim_start());
            if a.is_empty() || b.is_empty() {
                continue;
            }
            let wide = measure(a, size).max(measure(b, size));
            if wide > max_w {
                continue;
            }
            // Prefer punctuation, then the narrower widest line; ties keep the first break.
            let key = (!punct(i), wide, i);
            if best.is_none_or(|k| (key.0, key.1) < (k.0, k.1)) {
                best = Some(key);
            }
        }
        if let Some((_, _, i)) = best {
            return (
                size,
                vec![
                    title[..i].trim_end().to_string(),
                    title[i..].trim_start().to_string(),
                ],
            );
        }
    }
    let size = TITLE_MIN_SIZE;
    let first_end = breaks
        .iter()
        .copied()
        .filter(|&i| measure(title[..i].trim_end(), size) <= max_w)
        .last();
    match first_end {
        Some(i) if !title[..i].trim().is_empty() => {
            let rest = title[i..].trim_start();
            (
                size,
                vec![
                    title[..i].trim_end().to_string(),
                    fit_text(rest, max_w, |s| measure(s, size)),
                ],
            )
        }
        _ => (size, vec![fit_text(title, max_w, |s| measure(s, size))]),
    }
}

/// Outer radius, in pixels, of the intra-park donut of a location with `quantity` tonnes used
/// within it when the largest such location has `max`, around a hole of radius `inner`.
///
/// The ring's area grows in proportion to the quantity (`π(R² − inner²) ∝ quantity`), the
/// largest reaching 24 px (`DONUT_MAX`), and a ring is never thinner than 3 px. Without
/// a positive quantity there is no ring: the result is `inner`.
pub fn donut_radius(quantity: f64, max: f64, inner: f64) -> f64 {
    let inner = inner.max(0.0);
    if !(quantity > 0.0 && max > 0.0 && max.is_finite()) {
        return inner;
    }
    let outer_max = DONUT_MAX.max(inner + DONUT_MIN_RING);
    let f = (quantity / max).clamp(0.0, 1.0);
    let r = (inner * inner + (outer_max * outer_max - inner * inner) * f).sqrt();
    r.clamp(inner + DONUT_MIN_RING, outer_max)
}

/// Start and end angles (radians, clockwise from 12 o'clock) of the donut slices for
/// `quantities`, in order; a slice's angle is proportional to its share. Non-positive or
/// non-finite quantities get an empty slice. All empty when nothing is positive.
pub fn donut_angles(quantities: &[f64]) -> Vec<(f64, f64)> {
    let q: Vec<f64> = quantities
        .iter()
        .map(|&v| if v.is_finite() && v > 0.0 { v } else { 0.0 })
        .collect();
    let total: f64 = q.iter().sum();
    let mut at = 0.0;
    q.iter()
        .map(|&v| {
            let start = at;
            if total > 0.0 {
                at += std::f64::consts::TAU * v / total;
            }
            (start, at)
        })
        .collect()
}

/// Outline of an annular sector (a donut slice) around `c` between radii `r_in` and `r_out`
/// and angles `a0`–`a1` (radians, clockwise from 12 o'clock, screen y down), with a vertex
/// every 3° or less. Slices wider than a quarter turn should be split to keep the polygon
/// simple (see [`donut_pieces`]).
fn donut_wedge(c: (f64, f64), r_in: f64, r_out: f64, a0: f64, a1: f64) -> Vec<(f64, f64)> {
    let steps = (((a1 - a0).abs() / 3f64.to_radians()).ceil() as usize).max(1);
    let at = |r: f64, a: f64| (c.0 + r * a.sin(), c.1 - r * a.cos());
    let mut pts: Vec<(f64, f64)> = (0..=steps)
        .map(|k| at(r_out, a0 + (a1 - a0) * k as f64 / steps as f64))
        .collect();
    pts.extend(
        (0..=steps)
            .rev()
            .map(|k| at(r_in, a0 + (a1 - a0) * k as f64 / steps as f64)),
    );
    pts
}

/// A slice `(a0, a1)` cut into pieces of at most a quarter turn.
fn donut_pieces(a0: f64, a1: f64) -> Vec<(f64, f64)> {
    let n = ((a1 - a0) / std::f64::consts::FRAC_PI_2).ceil().max(1.0) as usize;
    (0..n)
        .map(|k| {
            (
                a0 + (a1 - a0) * k as f64 / n as f64,
                a0 + (a1 - a0) * (k + 1) as f64 / n as f64,
            )
        })
        .collect()
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

/// Width in pixels of `s` in `style` (infinite when it cannot be measured).
fn text_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &str,
    style: &TextStyle,
) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    area.estimate_text_size(s, style)
        .map_or(f64::INFINITY, |(w, _)| f64::from(w))
}

/// Draws the title centred at the top of `root`, fitted to its width ([`fit_title`]), and
/// returns how much lower than a one-line 26 px title its bottom edge is, in pixels.
fn draw_title<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<i32, ChartError> {
    let (w, _) = root.dim_in_pixel();
    let max_w = f64::from(w) - 40.0;
    let (size, lines) = fit_title(title, max_w, |s, size| {
        text_width(root, s, &text(size, &INK))
    });
    let line_h = (size * 1.25).round() as i32;
    let style = text(size, &INK).pos(Pos::new(HPos::Center, VPos::Top));
    let mut y = if lines.len() > 1 { 10 } else { 16 };
    for line in &lines {
        root.draw_text(line, &style, (w as i32 / 2, y))?;
        y += line_h;
    }
    // A one-line 26 px title ends at about 16 + 33.
    Ok((y - 49).max(0))
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

    let extra = draw_title(root, &c.title)?;

    // Label column sized to the longest (fitted) material name; tonnes column to its texts.
    let label_style = text(16.0, &INK).pos(Pos::new(HPos::Right, VPos::Center));
    let labels: Vec<String> = rows
        .iter()
        .map(|r| {
            fit_text(r.label, LABEL_COLUMN_MAX, |s| {
                text_width(root, s, &label_style)
            })
        })
        .collect();
    let label_w = labels
        .iter()
        .map(|l| text_width(root, l, &label_style))
        .fold(0.0f64, f64::max)
        .min(LABEL_COLUMN_MAX);
    let column_header = text(14.0, &MUTED);
    let label_header = "solid by-product";
    let label_area = label_w.max(text_width(root, label_header, &column_header)) + 18.0;
    let tonnes_style = text(15.0, &INK).pos(Pos::new(HPos::Left, VPos::Center));
    let tonnes: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{} of {}",
                format_tonnes(r.utilised),
                format_tonnes(r.generated)
            )
        })
        .collect();
    let tonnes_header = "utilised of generated, t/yr";
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

    // Legend row under the title.
    let ly = 66 + extra;
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
    let extra = draw_title(root, &m.title)?;
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
            .margin_top(64 + extra)
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

    let colour_index = |material: &str| m.materials.iter().position(|x| x == material);
    let colour_of = |k: Option<usize>| k.map_or(UNLISTED, palette_colour);
    let mut geoms: Vec<(usize, usize, FlowGeom)> = Vec::with_capacity(flows.len());
    // Intra-park tonnes per location and material (legend order; unlisted materials last).
    let mut intra: BTreeMap<usize, BTreeMap<usize, f64>> = BTreeMap::new();
    for (index, f) in flows.iter().enumerate() {
        let a = location_index(&mut locs, to_px(f.from_lon, f.from_lat));
        let b = location_index(&mut locs, to_px(f.to_lon, f.to_lat));
        let quantity = finite_or_zero(f.quantity).max(0.0);
        let k = colour_index(&f.material);
        if a == b {
            *intra
                .entry(a)
                .or_default()
                .entry(k.unwrap_or(usize::MAX))
                .or_default() += quantity;
            continue;
        }
        geoms.push((
            a,
            b,
            FlowGeom {
                from: locs[a],
                to: locs[b],
                colour: colour_of(k),
                width: 0.0,
                quantity,
                index,
            },
        ));
    }
    marker_r.resize(locs.len(), 0.0);
    // Widths are scaled by the largest flow between locations.
    let max_q = geoms.iter().map(|g| g.2.quantity).fold(0.0f64, f64::max);
    for g in &mut geoms {
        g.2.width = flow_width(g.2.quantity, max_q);
    }
    // Largest first, so smaller flows are drawn on top; ties keep input order.
    let by_size = |x: &FlowGeom, y: &FlowGeom| {
        y.quantity
            .partial_cmp(&x.quantity)
            .unwrap_or(Ordering::Equal)
            .then(x.index.cmp(&y.index))
    };
    geoms.sort_by(|x, y| by_size(&x.2, &y.2));

    // Intra-park flows: one donut per location, ring area ∝ its total, split by material.
    let intra_total = |parts: &BTreeMap<usize, f64>| parts.values().sum::<f64>();
    let max_intra = intra.values().map(intra_total).fold(0.0f64, f64::max);
    let donut_inner: Vec<f64> = marker_r.iter().map(|r| r + 2.0).collect();
    let mut outer: Vec<f64> = marker_r.clone();
    for (&loc, parts) in &intra {
        let r = donut_radius(intra_total(parts), max_intra, donut_inner[loc]);
        if r > donut_inner[loc] {
            outer[loc] = r;
        }
    }

    // Inter-park flows: arrows; flows sharing a direction between the same two locations are
    // stacked side by side, centred when there is no flow the other way. They start and end at
    // the donut's edge, or at the marker's when the donut would leave too short an arrow.
    let mut groups: BTreeMap<(usize, usize), Vec<&FlowGeom>> = BTreeMap::new();
    for (a, b, g) in &geoms {
        groups.entry((*a, *b)).or_default().push(g);
    }
    let mut arrows: Vec<(&FlowGeom, Vec<(f64, f64)>)> = Vec::new();
    for (&(a, b), group) in &groups {
        let total: f64 = group.iter().map(|g| g.width + 2.0).sum::<f64>() - 2.0;
        let mut offset = if groups.contains_key(&(b, a)) {
            1.5
        } else {
            -total / 2.0
        };
        let (pa, pb) = (locs[a], locs[b]);
        let len = (pb.0 - pa.0).hypot(pb.1 - pa.1);
        let (ga, gb) = if len - outer[a] - outer[b] - 5.0 >= 36.0 {
            (outer[a] + 2.0, outer[b] + 3.0)
        } else {
            (marker_r[a] + 2.0, marker_r[b] + 3.0)
        };
        for g in group {
            let poly = arrow_polygon(g.from, g.to, offset + g.width / 2.0, g.width, ga, gb);
            offset += g.width + 2.0;
            arrows.push((g, poly));
        }
    }
    arrows.sort_by(|x, y| by_size(x.0, y.0));

    for (&loc, parts) in &intra {
        if outer[loc] <= donut_inner[loc] {
            continue;
        }
        let keys: Vec<usize> = parts.keys().copied().collect();
        let qs: Vec<f64> = parts.values().copied().collect();
        let angles = donut_angles(&qs);
        let c = locs[loc];
        for (k, &(a0, a1)) in keys.iter().zip(&angles) {
            let colour = if *k == usize::MAX {
                UNLISTED
            } else {
                palette_colour(*k)
            };
            for (b0, b1) in donut_pieces(a0, a1) {
                if b1 <= b0 {
                    continue;
                }
                let pts: Vec<(i32, i32)> = donut_wedge(c, donut_inner[loc], outer[loc], b0, b1)
                    .into_iter()
                    .map(px)
                    .collect();
                root.draw(&Polygon::new(pts, colour.filled()))?;
            }
        }
        // White separators between slices, and a thin outline.
        let slices = angles.iter().filter(|(a0, a1)| a1 > a0).count();
        if slices > 1 {
            for &(a0, a1) in &angles {
                if a1 > a0 {
                    let (s, co) = a0.sin_cos();
                    root.draw(&PathElement::new(
                        vec![
                            px((c.0 + donut_inner[loc] * s, c.1 - donut_inner[loc] * co)),
                            px((c.0 + outer[loc] * s, c.1 - outer[loc] * co)),
                        ],
                        WHITE.stroke_width(1),
                    ))?;
                }
            }
        }
        root.draw(&Circle::new(
            px(c),
            outer[loc].round() as i32,
            WHITE.stroke_width(1),
        ))?;
    }

    for (g, poly) in &arrows {
        if poly.is_empty() {
            // Too close for an arrow: a plain connector, mostly under the markers.
            root.draw(&PathElement::new(
                vec![px(g.from), px(g.to)],
                g.colour.stroke_width(g.width.round().max(1.0) as u32),
            ))?;
        } else {
            // A white halo keeps arrows legible where they cross donuts and each other.
            let mut pts: Vec<(i32, i32)> = poly.iter().map(|&p| px(p)).collect();
            pts.push(pts[0]);
            root.draw(&PathElement::new(pts.clone(), WHITE.stroke_width(3)))?;
            pts.pop();
            root.draw(&Polygon::new(pts, g.colour.mix(0.9).filled()))?;
        }
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
    let max_label_w = (bounds.2 - bounds.0) / 2.0;
    let mut markers = Vec::with_capacity(parks.len());
    let mut labels: Vec<Vec<String>> = Vec::with_capacity(parks.len());
    let mut sizes = Vec::with_capacity(parks.len());
    let (_, th) = root.estimate_text_size("Hg", &label_style)?;
    for &i in &order {
        let p = parks[i];
        let name = if p.name.is_empty() { &p.id } else { &p.name };
        let name = fit_text(name, max_label_w, |s| text_width(root, s, &label_style));
        // Sub-blocks may drop the tonnes when the full label finds no free place.
        let mut alts = Vec::new();
        if p.generated > 0.0 {
            alts.push(format!("{name} ({})", format_tonnes(p.generated)));
            if p.is_block {
                alts.push(name.clone());
            }
        } else {
            alts.push(name.clone());
        }
        let loc = park_loc[i];
        markers.push((locs[loc].0, locs[loc].1, outer[loc]));
        sizes.push(
            alts.iter()
                .map(|l| (text_width(root, l, &label_style) + 6.0, f64::from(th) + 4.0))
                .collect::<Vec<_>>(),
        );
        labels.push(alts);
    }
    let obstacles = arrow_boxes(&arrows);
    let placements = place_labels_with(&markers, &sizes, &obstacles, bounds);
    // Leader lines under the markers, from the marker's edge to the nearest point of the label.
    for (k, pl) in placements.iter().enumerate() {
        if !pl.leader {
            continue;
        }
        let (cx, cy, _) = markers[k];
        let b = pl.bbox;
        let near = (cx.clamp(b.0, b.2), cy.clamp(b.1, b.3));
        let d = (near.0 - cx).hypot(near.1 - cy);
        if d > 0.0 {
            let r = marker_r[park_loc[order[k]]] + 1.0;
            let start = (cx + (near.0 - cx) * r / d, cy + (near.1 - cy) * r / d);
            root.draw(&PathElement::new(
                vec![px(start), px(near)],
                MUTED.stroke_width(1),
            ))?;
        }
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
    for (pl, alts) in placements.iter().zip(&labels) {
        let b = pl.bbox;
        root.draw(&Rectangle::new(
            [px((b.0, b.1)), px((b.2, b.3))],
            WHITE.mix(0.85).filled(),
        ))?;
        if pl.leader {
            root.draw(&Rectangle::new(
                [px((b.0, b.1)), px((b.2, b.3))],
                MUTED.mix(0.6).stroke_width(1),
            ))?;
        }
        root.draw_text(
            &alts[pl.alternative],
            &label_style,
            px((b.0 + 3.0, b.1 + 2.0)),
        )?;
    }

    let unlisted = flows.iter().any(|f| colour_index(&f.material).is_none());
    let legend = MapLegend {
        flows: &flows,
        unlisted,
        max_q,
        max_intra,
        has_intra: intra.values().any(|p| intra_total(p) > 0.0),
        extra,
        height: h,
    };
    draw_map_legend(&legend_area, m, &legend)?;
    Ok(())
}

/// Small boxes covering the arrows (shaft samples every 6 px, and the head), for labels to avoid.
fn arrow_boxes(arrows: &[(&FlowGeom, Vec<(f64, f64)>)]) -> Vec<PixelBox> {
    let mut out = Vec::new();
    for (g, poly) in arrows {
        let (start, base, tip, half, head_half) = if poly.len() == 7 {
            let mid = |a: (f64, f64), b: (f64, f64)| ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
            let d = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).hypot(a.1 - b.1) / 2.0;
            (
                mid(poly[0], poly[6]),
                mid(poly[1], poly[5]),
                poly[3],
                d(poly[0], poly[6]),
                d(poly[2], poly[4]),
            )
        } else {
            (g.from, g.to, g.to, g.width / 2.0, g.width / 2.0)
        };
        let mut push_line = |a: (f64, f64), b: (f64, f64), r: f64| {
            let n = ((a.0 - b.0).hypot(a.1 - b.1) / 6.0).ceil().max(1.0) as usize;
            for k in 0..=n {
                let t = k as f64 / n as f64;
                let (x, y) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
                out.push((x - r, y - r, x + r, y + r));
            }
        };
        push_line(start, base, half.max(1.5));
        push_line(base, tip, head_half * 0.7);
    }
    out
}

/// What the map legend needs besides the map input.
struct MapLegend<'a> {
    flows: &'a [&'a MapFlow],
    /// Some flow's material is not in [`FlowMap::materials`].
    unlisted: bool,
    /// Largest flow between locations, t/yr.
    max_q: f64,
    /// Largest intra-park total of a location, t/yr.
    max_intra: f64,
    has_intra: bool,
    /// How much lower the title ends than a one-line title.
    extra: i32,
    height: u32,
}

fn draw_map_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    m: &FlowMap,
    l: &MapLegend,
) -> Result<(), ChartError> {
    let heading = text(16.0, &INK).pos(Pos::new(HPos::Left, VPos::Center));
    let item = text(14.0, &INK).pos(Pos::new(HPos::Left, VPos::Center));
    let note = text(13.0, &MUTED).pos(Pos::new(HPos::Left, VPos::Center));
    let (aw, _) = area.dim_in_pixel();
    let x = 10;
    let mut y = 84 + l.extra;
    let row = 22;
    // Every text is fitted to the legend's width.
    let put = |s: &str, style: &TextStyle, at: (i32, i32)| -> Result<(), ChartError> {
        let max_w = f64::from(aw) - f64::from(at.0) - 8.0;
        let s = fit_text(s, max_w, |t| text_width(area, t, style));
        area.draw_text(&s, style, at)?;
        Ok(())
    };

    put("Material", &heading, (x, y))?;
    y += row + 2;
    let mut entries: Vec<(RGBColor, &str)> = m
        .materials
        .iter()
        .enumerate()
        .map(|(i, s)| (palette_colour(i), s.as_str()))
        .collect();
    if l.unlisted {
        entries.push((UNLISTED, "other"));
    }
    // Room for the other sections below (about 400 px).
    let max_rows = ((l.height as i32 - y - 400) / row).max(1) as usize;
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
        put(name, &item, (x + 40, y))?;
        y += row;
    }
    if shown < entries.len() {
        put(
            &format!("… {} more", entries.len() - shown),
            &note,
            (x + 40, y),
        )?;
        y += row;
    }

    y += 12;
    put("Flow between parks, per year", &heading, (x, y))?;
    y += row + 2;
    let units: Vec<&str> = {
        let mut u: Vec<&str> = l.flows.iter().map(|f| f.unit.as_str()).collect();
        u.sort_unstable();
        u.dedup();
        u
    };
    let unit = if units.len() == 1 { units[0] } else { "" };
    let label_of = |q: f64| {
        let s = if unit.is_empty() {
            format_quantity(q, "")
        } else {
            format_quantity(q, unit)
        };
        s.trim_end().to_string()
    };
    let samples = width_legend_quantities(l.max_q);
    if samples.is_empty() {
        put("no flows", &note, (x, y))?;
        y += row;
    }
    for q in samples {
        let wpx = flow_width(q, l.max_q);
        let half = (wpx / 2.0).max(0.5);
        area.draw(&Rectangle::new(
            [
                (x, (f64::from(y) - half).round() as i32),
                (x + 50, (f64::from(y) + half).round() as i32),
            ],
            INK.mix(0.7).filled(),
        ))?;
        put(&label_of(q), &item, (x + 62, y))?;
        y += row.max(wpx as i32 + 8);
    }
    put("arrow width ∝ √quantity", &note, (x, y))?;
    y += row;
    if units.len() > 1 {
        put(&format!("units: {}", units.join(", ")), &note, (x, y))?;
        y += row;
    }

    y += 12;
    put("Used within the park, per year", &heading, (x, y))?;
    y += row + 2;
    let cx = x + 25;
    let samples: Vec<f64> = width_legend_quantities(l.max_intra)
        .into_iter()
        .take(2)
        .collect();
    if !l.has_intra || samples.is_empty() {
        put("none", &note, (x, y))?;
        y += row;
    } else {
        // A sample donut split in three materials, then reference sizes.
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
        put(&label_of(samples[0]), &item, (x + 62, y))?;
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
            put(&label_of(q), &item, (x + 62, y))?;
            y += r.round() as i32 + 8;
        }
        y += 6;
        put("ring area ∝ quantity,", &note, (x, y))?;
        y += row - 4;
        put("split by material", &note, (x, y))?;
        y += row;
    }

    y += 12;
    put("Symbols", &heading, (x, y))?;
    y += row + 4;
    let cx = x + 15;
    area.draw(&Circle::new(
        (cx, y),
        PARK_RADIUS as i32,
        PARK_FILL.filled(),
    ))?;
    put("industrial park", &item, (x + 40, y))?;
    y += row + 4;
    area.draw(&Circle::new((cx, y), BLOCK_RADIUS as i32, WHITE.filled()))?;
    area.draw(&Circle::new(
        (cx, y),
        BLOCK_RADIUS as i32,
        PARK_FILL.stroke_width(2),
    ))?;
    put("sub-block of a park", &item, (x + 40, y))?;
    y += row + 4;
    put("label: name (solids generated)", &note, (x, y))?;
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
        assert_eq!(palette_colour(0), RGBColor(0, 114, 178));
        assert!(PALETTE.len() >= 12);
        assert_eq!(palette_colour(PALETTE.len()), palette_colour(0));
        // Ordos has 11 materials: all get their own colour, pairwise clearly apart, and none
        // close to the unlisted grey, the park markers or the white background.
        let dist = |a: RGBColor, b: RGBColor| {
            let d = |x: u8, y: u8| (f64::from(x) - f64::from(y)).powi(2);
            (d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)).sqrt()
        };
        for i in 0..12 {
            for j in 0..i {
                let d = dist(palette_colour(i), palette_colour(j));
                assert!(d > 60.0, "colours {i} and {j} are {d:.0} apart");
            }
            for other in [UNLISTED, PARK_FILL, WHITE] {
                assert!(dist(palette_colour(i), other) > 60.0, "colour {i}");
            }
        }
    }

    /// Ten pixels per character.
    fn ten_per_char(s: &str) -> f64 {
        10.0 * s.chars().count() as f64
    }

    #[test]
    fn fit_text_truncates_with_an_ellipsis() {
        assert_eq!(fit_text("fly ash", 70.0, ten_per_char), "fly ash");
        assert_eq!(fit_text("fly ash", 69.0, ten_per_char), "fly a…");
        // Trailing spaces go before the ellipsis; multi-byte characters are kept whole.
        assert_eq!(fit_text("fly ash", 50.0, ten_per_char), "fly…");
        assert_eq!(fit_text("Ordos—Dalad", 60.0, ten_per_char), "Ordos…");
        assert_eq!(fit_text("Ordos—Dalad", 70.0, ten_per_char), "Ordos—…");
        assert_eq!(fit_text("abc", 10.0, ten_per_char), "…");
        assert_eq!(fit_text("abc", 5.0, ten_per_char), "");
        assert_eq!(fit_text("", 0.0, ten_per_char), "");
    }

    #[test]
    fn titles_shrink_then_wrap_then_truncate() {
        // Width proportional to the font size: 0.5 px per point per character.
        let measure = |s: &str, size: f64| 0.5 * size * s.chars().count() as f64;
        let short = "Ordos 2025";
        assert_eq!(
            fit_title(short, 1000.0, measure),
            (26.0, vec![short.into()])
        );
        // 40 characters: 520 px at 26, 480 px at 24.
        let forty = "a".repeat(40);
        assert_eq!(fit_title(&forty, 500.0, measure).0, 24.0);
        // Too long for one line: broken after the dash rather than in the middle.
        let long = "Ordos: by-product matching against the 80 % utilisation target — by material";
        let (size, lines) = fit_title(long, 660.0, measure);
        assert_eq!(size, 20.0);
        assert_eq!(
            lines,
            vec![
                "Ordos: by-product matching against the 80 % utilisation target —".to_string(),
                "by material".to_string()
            ]
        );
        // Without punctuation that fits, the most balanced break.
        let plain = "aaaa bbbb cccc dddd eeee ffff";
        let (_, lines) = fit_title(plain, 200.0, measure);
        assert_eq!(lines, vec!["aaaa bbbb cccc", "dddd eeee ffff"]);
        // Far too long: two lines at the smallest size, the second with an ellipsis.
        let (size, lines) = fit_title(&long.repeat(3), 600.0, measure);
        assert_eq!(size, TITLE_MIN_SIZE);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'));
        assert!(lines.iter().all(|l| measure(l, size) <= 600.0));
        // One unbreakable word.
        let (_, lines) = fit_title(&"x".repeat(200), 600.0, measure);
        assert_eq!(lines.len(), 1);
        assert!(lines[0].ends_with('…') && measure(&lines[0], TITLE_MIN_SIZE) <= 600.0);
        assert_eq!(fit_title("", 100.0, measure), (26.0, vec![String::new()]));
    }

    #[test]
    fn donut_area_is_proportional_and_capped() {
        let inner = 10.0;
        assert_eq!(donut_radius(2.8e7, 2.8e7, inner), DONUT_MAX);
        assert_eq!(donut_radius(5e7, 2.8e7, inner), DONUT_MAX);
        assert_eq!(donut_radius(0.0, 2.8e7, inner), inner);
        assert_eq!(donut_radius(1.0, 0.0, inner), inner);
        assert_eq!(donut_radius(f64::NAN, 1.0, inner), inner);
        // Ring area ∝ quantity.
        let ring = |q: f64| {
            let r = donut_radius(q, 1e7, inner);
            r * r - inner * inner
        };
        assert!((ring(5e6) / ring(1e7) - 0.5).abs() < 1e-9);
        assert!((ring(2e6) / ring(8e6) - 0.25).abs() < 1e-9);
        // Tiny quantities still get a visible ring.
        assert_eq!(donut_radius(1.0, 1e7, inner), inner + DONUT_MIN_RING);
        // A hole wider than the cap still leaves a minimum ring.
        assert_eq!(donut_radius(1.0, 1.0, 30.0), 30.0 + DONUT_MIN_RING);
    }

    #[test]
    fn donut_slices_split_the_circle() {
        let a = donut_angles(&[3.0, 0.0, 1.0, f64::NAN]);
        assert_eq!(a.len(), 4);
        assert_eq!(a[0].0, 0.0);
        assert!((a[0].1 - 0.75 * std::f64::consts::TAU).abs() < 1e-12);
        assert_eq!(a[1].0, a[1].1);
        assert!((a[2].1 - std::f64::consts::TAU).abs() < 1e-12);
        assert_eq!(a[3].0, a[3].1);
        assert!(donut_angles(&[0.0, 0.0]).iter().all(|(x, y)| x == y));
        // Pieces of at most a quarter turn, covering the slice.
        let p = donut_pieces(0.0, std::f64::consts::TAU);
        assert_eq!(p.len(), 4);
        assert_eq!(p[3].1, std::f64::consts::TAU);
        // The wedge's first point is on the outer radius at 12 o'clock (screen y up from c).
        let w = donut_wedge((50.0, 50.0), 10.0, 20.0, 0.0, std::f64::consts::FRAC_PI_2);
        assert!((w[0].0 - 50.0).abs() < 1e-12 && (w[0].1 - 30.0).abs() < 1e-12);
        assert!((w[w.len() - 1].0 - 50.0).abs() < 1e-12 && (w[w.len() - 1].1 - 40.0).abs() < 1e-12);
    }

    #[test]
    fn crowded_labels_shorten_or_move_without_overlap() {
        // Twelve markers 10 px apart in a 4 × 3 grid, each label with a short alternative.
        let n = 12;
        let markers: Vec<(f64, f64, f64)> = (0..n)
            .map(|i| {
                (
                    200.0 + 10.0 * (i % 4) as f64,
                    100.0 + 10.0 * (i / 4) as f64,
                    6.0,
                )
            })
            .collect();
        let alts = vec![vec![(120.0, 18.0), (60.0, 18.0)]; n];
        let placed = place_labels_with(&markers, &alts, &[], (0.0, 0.0, 500.0, 300.0));
        for i in 0..n {
            for j in 0..i {
                assert_eq!(overlap(placed[i].bbox, placed[j].bbox), 0.0, "{i} {j}");
            }
        }
        assert!(placed.iter().any(|p| p.leader || p.alternative > 0));
        // The first label is adjacent, full and without a leader.
        assert_eq!(placed[0].alternative, 0);
        assert!(!placed[0].leader);
        // An obstacle on the right pushes a free label elsewhere.
        let one = place_labels_with(
            &[(200.0, 100.0, 6.0)],
            &[vec![(80.0, 16.0)]],
            &[(205.0, 80.0, 300.0, 120.0)],
            (0.0, 0.0, 400.0, 300.0),
        );
        assert!(one[0].bbox.2 <= 205.0 || one[0].bbox.1 >= 120.0 || one[0].bbox.3 <= 80.0);
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

    #[test]
    fn map_draws_intra_park_flows_as_donuts_with_a_legend() {
        let (_, map) = ordos();
        let svg = map_svg(&map).unwrap();
        assert!(svg_has_text(&svg, "Used within the park, per year"));
        assert!(svg_has_text(&svg, "ring area ∝ quantity,"));
        // No more rings: the only stroked circles are markers and donut outlines.
        assert!(!svg.contains("flow within a park (ring)"));
        let (_, one) = edge_inputs();
        // A zero-quantity intra-park flow draws no donut and says so.
        assert!(svg_has_text(&map_svg(&one).unwrap(), "none"));
    }
}
