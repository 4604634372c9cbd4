//! The shared look of the charts: the embedded font, colours and the material palette, marker
//! sizes, and fitting text (labels, titles) to a width.

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;

use super::ChartError;

/// DejaVu Sans (see `assets/fonts/LICENSE-DejaVu.txt`).
static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
/// The family name the embedded font is registered under and every text style uses.
const FONT_FAMILY: &str = "sans-serif";

pub(super) const INK: RGBColor = RGBColor(33, 33, 33);
pub(super) const MUTED: RGBColor = RGBColor(95, 95, 95);
pub(super) const GRID: RGBColor = RGBColor(226, 226, 226);
/// Colour of flows whose material is not listed in [`FlowMap::materials`](super::FlowMap::materials).
pub(super) const UNLISTED: RGBColor = RGBColor(150, 150, 150);
pub(super) const PARK_FILL: RGBColor = RGBColor(45, 45, 45);

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

/// The rate under the scenario's accounting rule on the trajectory: the palette's Okabe–Ito blue.
pub(super) const RATE_RULE: RGBColor = PALETTE[0];
/// The strict rate on the trajectory: the palette's Okabe–Ito vermillion.
pub(super) const RATE_STRICT: RGBColor = PALETTE[3];

/// Marker radii in pixels: consolidated parks are drawn larger than sub-blocks.
pub(super) const PARK_RADIUS: f64 = 8.0;
pub(super) const BLOCK_RADIUS: f64 = 6.0;
/// Title font sizes tried in turn, largest first (one line, then two lines at the last two).
const TITLE_SIZES: [f64; 4] = [26.0, 24.0, 22.0, 20.0];
/// Smallest title size: below it the title is truncated with an ellipsis instead.
const TITLE_MIN_SIZE: f64 = 18.0;

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

/// The fixed colour of the material at position `i` of [`FlowMap::materials`](super::FlowMap::materials) (cycles after 12).
pub fn palette_colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
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

pub(super) fn text<'a>(size: f64, colour: &'a RGBColor) -> TextStyle<'a> {
    TextStyle::from((FONT_FAMILY, size).into_font()).color(colour)
}

/// Width in pixels of `s` in `style` (infinite when it cannot be measured).
pub(super) fn text_width<DB: DrawingBackend>(
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

/// A chart's label column: each label fitted to `max_w` ([`fit_text`]), and the width of the
/// widest fitted label (at most `max_w`).
pub(super) fn fit_labels<'a, DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: impl Iterator<Item = &'a str>,
    max_w: f64,
    style: &TextStyle,
) -> (Vec<String>, f64) {
    let fitted: Vec<String> = labels
        .map(|l| fit_text(l, max_w, |s| text_width(area, s, style)))
        .collect();
    let widest = fitted
        .iter()
        .map(|l| text_width(area, l, style))
        .fold(0.0f64, f64::max)
        .min(max_w);
    (fitted, widest)
}

/// Draws the title centred at the top of `root`, fitted to its width ([`fit_title`]), and
/// returns how much lower than a one-line 26 px title its bottom edge is, in pixels.
pub(super) fn draw_title<DB: DrawingBackend>(
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

pub(super) fn finite_or_zero(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        0.0
    }
}

pub(super) fn px(p: (f64, f64)) -> (i32, i32) {
    (p.0.round() as i32, p.1.round() as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
