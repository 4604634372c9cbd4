//! Small statistics of the plan: the required count of samples, the Wilson interval, the
//! Pareto front of the evaluated portfolios.

/// The fewest of `n` samples that must meet the target for a share ≥ `confidence`
/// (`⌈confidence·n⌉`, with a 1e-9 allowance so that 0.9 × 10 needs 9, not 10), and at
/// least one when the confidence is positive: a portfolio no sample shows meeting the
/// target is never feasible, however small the confidence asked.
pub fn required(confidence: f64, n: u64) -> u64 {
    let at_least = u64::from(confidence > 0.0 && n > 0);
    ((confidence * n as f64 - 1e-9).ceil().max(0.0) as u64)
        .max(at_least)
        .min(n)
}

/// The Wilson score 95 % interval of a binomial proportion `met / n` (z = 1.959964).
pub fn wilson95(met: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let z = 1.959_963_984_540_054;
    let (nf, p) = (n as f64, met as f64 / n as f64);
    let d = 1.0 + z * z / nf;
    let centre = (p + z * z / (2.0 * nf)) / d;
    let half = z * (p * (1.0 - p) / nf + z * z / (4.0 * nf * nf)).sqrt() / d;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Which of the points (cost, P) are on the Pareto front: no other point costs no more and has
/// a higher P, or costs less and has as high a P. Among equal points the first is on it.
pub fn pareto_flags(points: &[(i128, f64)]) -> Vec<bool> {
    let mut idx: Vec<usize> = (0..points.len()).collect();
    idx.sort_by(|&a, &b| {
        points[a]
            .0
            .cmp(&points[b].0)
            .then(points[b].1.total_cmp(&points[a].1))
            .then(a.cmp(&b))
    });
    let mut flags = vec![false; points.len()];
    let mut best: Option<f64> = None;
    for &i in &idx {
        if best.is_none_or(|b| points[i].1 > b) {
            flags[i] = true;
            best = Some(points[i].1);
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_counts() {
        assert_eq!(required(0.9, 10), 9);
        assert_eq!(required(0.9, 11), 10);
        assert_eq!(required(1.0, 7), 7);
        assert_eq!(required(0.5, 1), 1);
        // Issue #19, item 12: a tiny positive confidence still needs one sample.
        assert_eq!(required(1e-12, 200), 1);
        assert_eq!(required(1e-9, 1_000_000), 1);
        assert_eq!(required(f64::MIN_POSITIVE, 1), 1);
    }

    #[test]
    fn wilson_matches_a_textbook_value() {
        // 81 of 100: Wilson 95 % interval 0.7222 – 0.8749 (Newcombe 1998, method 3 formula).
        let (lo, hi) = wilson95(81, 100);
        assert!(
            (lo - 0.7222).abs() < 1e-3 && (hi - 0.8749).abs() < 1e-3,
            "{lo} {hi}"
        );
        let (lo, hi) = wilson95(0, 10);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.2775).abs() < 1e-3);
    }

    #[test]
    fn pareto_front() {
        let pts = [(0, 1.0), (5, 1.0), (5, 3.0), (3, 2.0), (9, 3.0), (10, 7.0)];
        assert_eq!(
            pareto_flags(&pts),
            vec![true, false, true, true, false, true]
        );
    }
}
