//! Greedy placement of the map's park labels around their markers.

/// An axis-aligned pixel box `(x0, y0, x1, y1)`.
pub type PixelBox = (f64, f64, f64, f64);

pub(super) fn overlap(a: PixelBox, b: PixelBox) -> f64 {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
