//! The flow map: parks on longitude/latitude axes, arrows for flows between locations, one
//! donut per location for the flows within it, labels that avoid each other, and the legend.
//!
//! [`draw_map`] draws in layers, bottom to top: the axes, the donuts, the arrows, the disposal
//! squares (landfill grey, dumping red), the leader lines, the park markers, the labels; then
//! the legend column ([`super::legend`]). Everything is laid out in pixels first ([`layout`]),
//! then drawn.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::geometry::{
    arrow_polygon, disposal_side, donut_angles, donut_pieces, donut_radius, donut_wedge,
    flow_width, map_projection, mode_dash, MapView,
};
use super::labels::{place_labels_with, LabelPlacement, PixelBox};
use super::legend::{draw_map_legend, MapLegend};
use super::style::{
    draw_title, finite_or_zero, fit_text, palette_colour, px, text, text_width, BLOCK_RADIUS, GRID,
    INK, MUTED, PARK_FILL, PARK_RADIUS, UNLISTED,
};
use super::{ChartError, FlowMap, MapFlow, MapPark};
use crate::report::format::{degrees, quantity_chart};

/// Width of the legend column right of the map, in pixels.
const LEGEND_WIDTH: u32 = 270;

/// Colour index of unlisted materials in the intra-park parts (sorts after every listed one).
const UNLISTED_INDEX: usize = usize::MAX;

/// The map's plot: longitude × latitude.
type MapChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A flow prepared for drawing, in pixel space.
#[derive(Debug, Clone, Copy)]
struct FlowGeom {
    from: (f64, f64),
    to: (f64, f64),
    colour: RGBColor,
    /// The transport mode's line pattern (`None`: solid).
    dash: Option<(u32, u32)>,
    width: f64,
    quantity: f64,
    index: usize,
}

/// Largest first, so smaller flows are drawn on top; ties keep input order.
fn by_size(x: &FlowGeom, y: &FlowGeom) -> Ordering {
    y.quantity
        .partial_cmp(&x.quantity)
        .unwrap_or(Ordering::Equal)
        .then(x.index.cmp(&y.index))
}

/// A flow between two locations and its arrow outline (empty when there is no room for an
/// arrow: then it is drawn as a plain line).
struct Arrow {
    geom: FlowGeom,
    poly: Vec<(f64, f64)>,
}

/// The map laid out in pixels.
struct Layout {
    /// Distinct pixel positions of parks and flow ends.
    locs: Vec<(f64, f64)>,
    /// Marker radius at each location (0 where there is no park).
    marker_r: Vec<f64>,
    /// Location of each drawn park.
    park_loc: Vec<usize>,
    /// Intra-park quantity per location and material colour index (legend order;
    /// [`UNLISTED_INDEX`] last).
    intra: BTreeMap<usize, BTreeMap<usize, f64>>,
    /// Largest flow between locations.
    max_q: f64,
    /// Largest intra-park total of a location.
    max_intra: f64,
    /// Hole radius of the donut at each location.
    donut_inner: Vec<f64>,
    /// Outer radius of the donut at each location (the marker radius without a donut).
    outer: Vec<f64>,
    /// Arrows, largest first.
    arrows: Vec<Arrow>,
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

/// Position of `mode` in the legend (and so its line pattern), if listed.
pub(super) fn mode_index(m: &FlowMap, mode: &str) -> Option<usize> {
    m.modes.iter().position(|x| x == mode)
}

/// Position of `material` in the legend (and so its colour), if listed.
fn colour_index(m: &FlowMap, material: &str) -> Option<usize> {
    m.materials.iter().position(|x| x == material)
}

pub(super) fn draw_map<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    m: &FlowMap,
) -> Result<(), ChartError> {
    root.fill(&WHITE)?;
    let (w, h) = root.dim_in_pixel();
    let extra = draw_title(root, &m.title)?;
    let (map_area, legend_area) = root.split_horizontally(w - LEGEND_WIDTH);

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

    let chart = draw_axes(&map_area, &parks, &flows, extra)?;
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

    let l = layout(m, &parks, &flows, to_px);
    let disposal = disposal_squares(&parks, &l, bounds);
    draw_donuts(root, &l)?;
    draw_arrows(root, &l.arrows)?;
    draw_disposal(root, &disposal.squares)?;
    draw_parks(root, &parks, &l, &disposal, bounds)?;

    let intra_total = |parts: &BTreeMap<usize, f64>| parts.values().sum::<f64>();
    // The modes of the flows between locations (those drawn as arrows), in legend order.
    let mut modes: Vec<(Option<usize>, &str)> = l
        .arrows
        .iter()
        .map(|a| {
            let f = flows[a.geom.index];
            (mode_index(m, &f.mode), f.mode.as_str())
        })
        .collect();
    modes.sort_by_key(|&(i, name)| (i.unwrap_or(usize::MAX), name));
    modes.dedup();
    let legend = MapLegend {
        flows: &flows,
        modes: &modes,
        unlisted: flows.iter().any(|f| colour_index(m, &f.material).is_none()),
        max_q: l.max_q,
        max_intra: l.max_intra,
        has_intra: l.intra.values().any(|p| intra_total(p) > 0.0),
        max_disposal: disposal.max,
        any_dumped: disposal.squares.iter().any(|q| q.dumped),
        extra,
        height: h,
    };
    draw_map_legend(&legend_area, m, &legend)
}

/// The axes and grid, with a view that fits every park and flow end at equal ground scale.
fn draw_axes<'a, DB: DrawingBackend>(
    map_area: &'a DrawingArea<DB, Shift>,
    parks: &[&MapPark],
    flows: &[&MapFlow],
    extra: i32,
) -> Result<MapChart<'a, DB>, ChartError> {
    let mut points: Vec<(f64, f64)> = parks.iter().map(|p| (p.lon, p.lat)).collect();
    for f in flows {
        points.push((f.from_lon, f.from_lat));
        points.push((f.to_lon, f.to_lat));
    }
    let builder = |ranges: MapView| {
        ChartBuilder::on(map_area)
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
    let lon_fmt = |v: &f64| degrees(*v, decimals, 'E', 'W');
    let lat_fmt = |v: &f64| degrees(*v, decimals, 'N', 'S');
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
    Ok(chart)
}

/// Lays the map out in pixels: locations and markers, intra-park totals and their donuts, and
/// the arrows between locations.
fn layout(
    m: &FlowMap,
    parks: &[&MapPark],
    flows: &[&MapFlow],
    to_px: impl Fn(f64, f64) -> (f64, f64),
) -> Layout {
    // Locations (pixel positions) with the marker radius of the park there, if any.
    let mut locs: Vec<(f64, f64)> = Vec::new();
    let mut marker_r: Vec<f64> = Vec::new();
    let mut park_loc = Vec::with_capacity(parks.len());
    for p in parks {
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

    let mut geoms: Vec<(usize, usize, FlowGeom)> = Vec::with_capacity(flows.len());
    // Intra-park tonnes per location and material (legend order; unlisted materials last).
    let mut intra: BTreeMap<usize, BTreeMap<usize, f64>> = BTreeMap::new();
    for (index, f) in flows.iter().enumerate() {
        let a = location_index(&mut locs, to_px(f.from_lon, f.from_lat));
        let b = location_index(&mut locs, to_px(f.to_lon, f.to_lat));
        let quantity = finite_or_zero(f.quantity).max(0.0);
        let k = colour_index(m, &f.material);
        if a == b {
            *intra
                .entry(a)
                .or_default()
                .entry(k.unwrap_or(UNLISTED_INDEX))
                .or_default() += quantity;
            continue;
        }
        geoms.push((
            a,
            b,
            FlowGeom {
                from: locs[a],
                to: locs[b],
                colour: k.map_or(UNLISTED, palette_colour),
                dash: mode_dash(mode_index(m, &f.mode)),
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

    let arrows = arrows(&geoms, &locs, &marker_r, &outer);
    Layout {
        locs,
        marker_r,
        park_loc,
        intra,
        max_q,
        max_intra,
        donut_inner,
        outer,
        arrows,
    }
}

/// Inter-park flows as arrows, largest first: flows sharing a direction between the same two
/// locations are stacked side by side, centred when there is no flow the other way. They start
/// and end at the donut's edge, or at the marker's when the donut would leave too short an
/// arrow.
fn arrows(
    geoms: &[(usize, usize, FlowGeom)],
    locs: &[(f64, f64)],
    marker_r: &[f64],
    outer: &[f64],
) -> Vec<Arrow> {
    let mut groups: BTreeMap<(usize, usize), Vec<&FlowGeom>> = BTreeMap::new();
    for (a, b, g) in geoms {
        groups.entry((*a, *b)).or_default().push(g);
    }
    let mut arrows: Vec<Arrow> = Vec::new();
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
            arrows.push(Arrow { geom: **g, poly });
        }
    }
    arrows.sort_by(|x, y| by_size(&x.geom, &y.geom));
    arrows
}

/// The intra-park donuts: one slice per material, white separators, a thin outline.
fn draw_donuts<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    l: &Layout,
) -> Result<(), ChartError> {
    for (&loc, parts) in &l.intra {
        let (inner, outer) = (l.donut_inner[loc], l.outer[loc]);
        if outer <= inner {
            continue;
        }
        let keys: Vec<usize> = parts.keys().copied().collect();
        let qs: Vec<f64> = parts.values().copied().collect();
        let angles = donut_angles(&qs);
        let c = l.locs[loc];
        for (k, &(a0, a1)) in keys.iter().zip(&angles) {
            let colour = if *k == UNLISTED_INDEX {
                UNLISTED
            } else {
                palette_colour(*k)
            };
            for (b0, b1) in donut_pieces(a0, a1) {
                if b1 <= b0 {
                    continue;
                }
                let pts: Vec<(i32, i32)> = donut_wedge(c, inner, outer, b0, b1)
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
                            px((c.0 + inner * s, c.1 - inner * co)),
                            px((c.0 + outer * s, c.1 - outer * co)),
                        ],
                        WHITE.stroke_width(1),
                    ))?;
                }
            }
        }
        root.draw(&Circle::new(
            px(c),
            outer.round() as i32,
            WHITE.stroke_width(1),
        ))?;
    }
    Ok(())
}

/// The arrows, each with a white halo; flows too short for an arrow as plain lines.
fn draw_arrows<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    arrows: &[Arrow],
) -> Result<(), ChartError> {
    for Arrow { geom: g, poly } in arrows {
        if let Some((dash, gap)) = g.dash {
            // Modes after the first: a pale arrow with a dashed outline (a dashed line when
            // there is no room for an arrow).
            let mut pts: Vec<(i32, i32)> = if poly.is_empty() {
                vec![px(g.from), px(g.to)]
            } else {
                poly.iter().map(|&p| px(p)).collect()
            };
            if !poly.is_empty() {
                pts.push(pts[0]);
                root.draw(&PathElement::new(pts.clone(), WHITE.stroke_width(3)))?;
                root.draw(&Polygon::new(
                    pts[..pts.len() - 1].to_vec(),
                    g.colour.mix(0.3).filled(),
                ))?;
            }
            root.draw(&DashedPathElement::new(
                pts,
                dash,
                gap,
                g.colour.stroke_width(2),
            ))?;
        } else if poly.is_empty() {
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
    Ok(())
}

/// Small boxes covering the arrows (shaft samples every 6 px, and the head), for labels to avoid.
fn arrow_boxes(arrows: &[Arrow]) -> Vec<PixelBox> {
    let mut out = Vec::new();
    for Arrow { geom: g, poly } in arrows {
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

/// The park labels, placed: in drawing order (consolidated parks first, so their labels get
/// the best places), each marker `(x, y, radius)`, its text alternatives and where it went.
struct ParkLabels {
    /// Indices into the drawn parks, in labelling order.
    order: Vec<usize>,
    markers: Vec<(f64, f64, f64)>,
    texts: Vec<Vec<String>>,
    placements: Vec<LabelPlacement>,
}

/// Chooses each park's label (name and tonnes; sub-blocks may drop the tonnes when crowded)
/// and places the labels clear of each other, the markers and the arrows.
fn place_park_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    parks: &[&MapPark],
    l: &Layout,
    disposal: &Disposal,
    bounds: PixelBox,
    label_style: &TextStyle,
) -> Result<ParkLabels, ChartError> {
    let mut order: Vec<usize> = (0..parks.len()).collect();
    order.sort_by(|&i, &j| {
        parks[i]
            .is_block
            .cmp(&parks[j].is_block)
            .then(parks[i].id.cmp(&parks[j].id))
            .then(i.cmp(&j))
    });
    let max_label_w = (bounds.2 - bounds.0) / 2.0;
    let mut markers = Vec::with_capacity(parks.len());
    let mut texts: Vec<Vec<String>> = Vec::with_capacity(parks.len());
    let mut sizes = Vec::with_capacity(parks.len());
    let (_, th) = root.estimate_text_size("Hg", label_style)?;
    for &i in &order {
        let p = parks[i];
        let name = if p.name.is_empty() { &p.id } else { &p.name };
        let name = fit_text(name, max_label_w, |s| text_width(root, s, label_style));
        // Sub-blocks may drop the tonnes when the full label finds no free place.
        let mut alts = Vec::new();
        if p.dumped > 0.0 {
            // Dumping is named in the label where there is room.
            alts.push(format!(
                "{name} ({}; dumped {})",
                quantity_chart(p.generated, "t"),
                quantity_chart(p.dumped, "t")
            ));
        }
        if p.generated > 0.0 {
            alts.push(format!("{name} ({})", quantity_chart(p.generated, "t")));
            if p.is_block {
                alts.push(name.clone());
            }
        } else {
            alts.push(name.clone());
        }
        let loc = l.park_loc[i];
        markers.push((l.locs[loc].0, l.locs[loc].1, l.outer[loc]));
        sizes.push(
            alts.iter()
                .map(|s| (text_width(root, s, label_style) + 6.0, f64::from(th) + 4.0))
                .collect::<Vec<_>>(),
        );
        texts.push(alts);
    }
    let mut obstacles = arrow_boxes(&l.arrows);
    obstacles.extend(disposal.squares.iter().map(|s| s.bbox));
    let placements = place_labels_with(&markers, &sizes, &obstacles, bounds);
    Ok(ParkLabels {
        order,
        markers,
        texts,
        placements,
    })
}

/// Grey for compliant storage (landfill).
pub(super) const LANDFILL: RGBColor = RGBColor(140, 140, 140);
/// Red for non-compliant dumping.
pub(super) const DUMPED: RGBColor = RGBColor(200, 30, 30);

/// A disposal square at a location: its pixel box and whether it is dumping (red) or landfill.
struct DisposalSquare {
    bbox: PixelBox,
    dumped: bool,
}

/// The disposal squares and the largest quantity they are scaled by.
struct Disposal {
    squares: Vec<DisposalSquare>,
    /// Largest landfill or dumping quantity of a location, t/yr.
    max: f64,
}

/// Each location's landfill (grey) and dumping (red) as squares of area ∝ tonnes, at a corner
/// of the donut (or marker): the landfill square's inner corner touches the donut's bounding
/// circle at 45°, the dumping square beside it, outwards. The corner is the first of below-left,
/// below-right, above-left, above-right that crosses the fewest arrows and squares already
/// placed, staying inside the plot. Nothing for zero.
fn disposal_squares(parks: &[&MapPark], l: &Layout, bounds: PixelBox) -> Disposal {
    let mut per_loc: BTreeMap<usize, (f64, f64)> = BTreeMap::new();
    for (i, p) in parks.iter().enumerate() {
        let e = per_loc.entry(l.park_loc[i]).or_default();
        e.0 += finite_or_zero(p.landfilled).max(0.0);
        e.1 += finite_or_zero(p.dumped).max(0.0);
    }
    let max = per_loc
        .values()
        .flat_map(|&(a, b)| [a, b])
        .fold(0.0f64, f64::max);
    let arrows = arrow_boxes(&l.arrows);
    let overlaps = |a: &PixelBox, b: &PixelBox| a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3;
    let inside =
        |b: &PixelBox| b.0 >= bounds.0 && b.1 >= bounds.1 && b.2 <= bounds.2 && b.3 <= bounds.3;
    let mut squares: Vec<DisposalSquare> = Vec::new();
    for (&loc, &(landfilled, dumped)) in &per_loc {
        let (cx, cy) = l.locs[loc];
        let d = (l.outer[loc] + 2.0) * std::f64::consts::FRAC_1_SQRT_2;
        let candidates = [(-1.0, 1.0), (1.0, 1.0), (-1.0, -1.0), (1.0, -1.0)].map(|(sx, sy)| {
            let (mut x, y) = (cx + sx * d, cy + sy * d);
            let mut out = Vec::new();
            for (q, is_dump) in [(landfilled, false), (dumped, true)] {
                let side = disposal_side(q, max);
                if side > 0.0 {
                    let (x1, y1) = (x + sx * side, y + sy * side);
                    out.push(DisposalSquare {
                        bbox: (x.min(x1), y.min(y1), x.max(x1), y.max(y1)),
                        dumped: is_dump,
                    });
                    x = x1 + sx * 2.0;
                }
            }
            out
        });
        let crossings = |c: &Vec<DisposalSquare>| {
            c.iter()
                .map(|s| {
                    arrows.iter().filter(|a| overlaps(a, &s.bbox)).count()
                        + squares
                            .iter()
                            .filter(|o| overlaps(&o.bbox, &s.bbox))
                            .count()
                            * 4
                        + usize::from(!inside(&s.bbox)) * 100
                })
                .sum::<usize>()
        };
        let best = candidates
            .into_iter()
            .enumerate()
            .min_by_key(|(k, c)| (crossings(c), *k))
            .map(|(_, c)| c)
            .unwrap_or_default();
        squares.extend(best);
    }
    Disposal { squares, max }
}

/// The disposal squares, with a white outline to keep them apart from what is under them.
fn draw_disposal<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    squares: &[DisposalSquare],
) -> Result<(), ChartError> {
    for s in squares {
        let b = s.bbox;
        let colour = if s.dumped { DUMPED } else { LANDFILL };
        let corners = [px((b.0, b.1)), px((b.2, b.3))];
        root.draw(&Rectangle::new(corners, colour.filled()))?;
        // Dumping gets a dark outline so that even a small square stands out.
        let outline = if s.dumped {
            RGBColor(110, 0, 0).stroke_width(2)
        } else {
            WHITE.stroke_width(1)
        };
        root.draw(&Rectangle::new(corners, outline))?;
    }
    Ok(())
}

/// The parks: leader lines to labels placed away, the markers, then the labels on a white box.
fn draw_parks<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    parks: &[&MapPark],
    l: &Layout,
    disposal: &Disposal,
    bounds: PixelBox,
) -> Result<(), ChartError> {
    let label_style = text(14.0, &INK).pos(Pos::new(HPos::Left, VPos::Top));
    let labels = place_park_labels(root, parks, l, disposal, bounds, &label_style)?;
    // Leader lines under the markers, from the marker's edge to the nearest point of the label.
    for (k, pl) in labels.placements.iter().enumerate() {
        if !pl.leader {
            continue;
        }
        let (cx, cy, _) = labels.markers[k];
        let b = pl.bbox;
        let near = (cx.clamp(b.0, b.2), cy.clamp(b.1, b.3));
        let d = (near.0 - cx).hypot(near.1 - cy);
        if d > 0.0 {
            let r = l.marker_r[l.park_loc[labels.order[k]]] + 1.0;
            let start = (cx + (near.0 - cx) * r / d, cy + (near.1 - cy) * r / d);
            root.draw(&PathElement::new(
                vec![px(start), px(near)],
                MUTED.stroke_width(1),
            ))?;
        }
    }
    for &i in &labels.order {
        let p = parks[i];
        let (r, fill) = if p.is_block {
            (BLOCK_RADIUS, WHITE)
        } else {
            (PARK_RADIUS, PARK_FILL)
        };
        let c = px(l.locs[l.park_loc[i]]);
        root.draw(&Circle::new(c, r as i32, fill.filled()))?;
        root.draw(&Circle::new(c, r as i32, PARK_FILL.stroke_width(2)))?;
    }
    for (pl, alts) in labels.placements.iter().zip(&labels.texts) {
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
    Ok(())
}
