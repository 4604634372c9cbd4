//! Map geometry in pixels and degrees: the projection, flow widths, arrow outlines and the
//! intra-park donuts.

/// Thinnest and thickest flow line, in pixels.
const FLOW_WIDTH_MIN: f64 = 1.5;
const FLOW_WIDTH_MAX: f64 = 16.0;
/// Outer radius, in pixels, of the donut of the location with the most intra-park tonnes.
const DONUT_MAX: f64 = 24.0;
/// Thinnest donut ring, in pixels, so that small intra-park flows stay visible.
const DONUT_MIN_RING: f64 = 3.0;

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
pub(super) fn donut_wedge(
    c: (f64, f64),
    r_in: f64,
    r_out: f64,
    a0: f64,
    a1: f64,
) -> Vec<(f64, f64)> {
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
pub(super) fn donut_pieces(a0: f64, a1: f64) -> Vec<(f64, f64)> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}

/// The line pattern of the `index`-th transport mode (position in [`super::FlowMap::modes`]):
/// `None` (solid, filled arrows) for the first, then dashes, dots and long dashes, as (dash,
/// gap) in pixels, repeating from the second. Unlisted modes (`None` index) are dotted.
pub fn mode_dash(index: Option<usize>) -> Option<(u32, u32)> {
    const PATTERNS: [(u32, u32); 3] = [(10, 5), (3, 4), (18, 5)];
    match index {
        Some(0) => None,
        Some(i) => Some(PATTERNS[(i - 1) % PATTERNS.len()]),
        None => Some(PATTERNS[1]),
    }
}

#[cfg(test)]
mod mode_tests {
    use super::mode_dash;

    #[test]
    fn the_first_mode_is_solid_and_the_others_dashed() {
        assert_eq!(mode_dash(Some(0)), None);
        assert_eq!(mode_dash(Some(1)), Some((10, 5)));
        assert_eq!(mode_dash(Some(2)), Some((3, 4)));
        assert_eq!(mode_dash(Some(4)), Some((10, 5)));
        assert!(mode_dash(None).is_some());
    }
}

/// Side of the largest disposal square on the map, in pixels.
pub const DISPOSAL_SIDE_MAX: f64 = 30.0;

/// Side in pixels of a disposal square of `q` t/yr when the largest is `max` (area ∝ tonnes,
/// at least 4 px for any positive quantity); 0 for nothing (zero dumping is drawn as nothing).
pub fn disposal_side(q: f64, max: f64) -> f64 {
    if !(q > 0.0 && q.is_finite() && max > 0.0 && max.is_finite()) {
        return 0.0;
    }
    (DISPOSAL_SIDE_MAX * (q / max).min(1.0).sqrt()).max(4.0)
}

#[cfg(test)]
mod disposal_tests {
    use super::*;

    #[test]
    fn disposal_squares_have_area_proportional_to_tonnes() {
        assert_eq!(disposal_side(0.0, 5e6), 0.0);
        assert_eq!(disposal_side(5e6, 5e6), DISPOSAL_SIDE_MAX);
        assert!((disposal_side(1.25e6, 5e6) - DISPOSAL_SIDE_MAX / 2.0).abs() < 1e-9);
        assert_eq!(disposal_side(1.0, 5e6), 4.0);
        assert_eq!(disposal_side(f64::NAN, 5e6), 0.0);
    }
}
