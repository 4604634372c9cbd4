//! How a Monte Carlo sample draws its multipliers: one uniform `u` per independent input (an
//! ungrouped entry, or a group of entries that move together) from the sample's own stream,
//! and each entry's multiplier its distribution's quantile at `u` (inverse transform, so the
//! entries of a group are comonotone). Every quantile is bounded by the entry's `[low, high]`.
//!
//! The draw order defines the stream and is documented in `docs/format.md`: sample `k` seeds a
//! `ChaCha8Rng` with the run's seed on stream `k`, and draws one `f64` in `[0, 1)` per input in
//! [`inputs`] order (declaration order, a group at its first entry).

use crate::model::{inputs, Distribution, Uncertain};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The standard normal CDF Φ(x) = erfc(−x/√2)/2 (full relative precision in the lower tail).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// The standard normal quantile Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation
/// (relative error < 1.2e-9) refined by one Halley step on [`normal_cdf`]; ∓∞ at 0 and 1.
pub fn normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969683028665376e+01,
        2.209460984245205e+02,
        -2.759285104469687e+02,
        1.38357751867269e+02,
        -3.066479806614716e+01,
        2.506628277459239e+00,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e+01,
        1.615858368580409e+02,
        -1.556989798598866e+02,
        6.680131188771972e+01,
        -1.328068155288572e+01,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-03,
        -3.223964580411365e-01,
        -2.400758277161838e+00,
        -2.549671010336344e+00,
        4.374664141464968e+00,
        2.938163982698783e+00,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-03,
        3.224671290700398e-01,
        2.445134137142996e+00,
        3.754408661907416e+00,
    ];
    const P_LOW: f64 = 0.02425;
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let x = if p < P_LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p <= 1.0 - P_LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    };
    // One Halley step: e = Φ(x) − p, u = e / φ(x).
    let e = normal_cdf(x) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

/// The quantile at `u` (in [0, 1]) of a standard normal truncated to `[a, b]` (a < b; either
/// may be infinite). Computed on the side of the origin where the bounds' tail probabilities
/// keep their precision.
pub fn truncated_normal_quantile(a: f64, b: f64, u: f64) -> f64 {
    let x = if a > 0.0 {
        // Both bounds in the upper tail: use Q(x) = Φ(−x), decreasing.
        let (qa, qb) = (normal_cdf(-a), normal_cdf(-b));
        if qa - qb <= 0.0 {
            return a;
        }
        -normal_quantile(qa - u * (qa - qb))
    } else {
        let (pa, pb) = (normal_cdf(a), normal_cdf(b));
        if pb - pa <= 0.0 {
            return if b < 0.0 { b } else { a };
        }
        normal_quantile(pa + u * (pb - pa))
    };
    x.clamp(a, b)
}

/// The quantile of `d` at `u` in [0, 1]: nondecreasing in `u`, within `d`'s bounds.
pub fn quantile(d: &Distribution, u: f64) -> f64 {
    let (low, high) = d.bounds();
    if low == high {
        return low;
    }
    let x = match *d {
        Distribution::Uniform { low, high } => low + (high - low) * u,
        Distribution::Triangular { low, mode, high } => {
            let fc = (mode - low) / (high - low);
            if u < fc {
                low + ((high - low) * (mode - low) * u).sqrt()
            } else {
                high - ((high - low) * (high - mode) * (1.0 - u)).sqrt()
            }
        }
        Distribution::Normal { mean, sd, .. } => {
            let z = truncated_normal_quantile((low - mean) / sd, (high - mean) / sd, u);
            mean + sd * z
        }
        Distribution::LogNormal { median, sd, .. } => {
            // ln(low / median) is −∞ at low = 0.
            let a = (low / median).ln() / sd;
            let b = (high / median).ln() / sd;
            median * (sd * truncated_normal_quantile(a, b, u)).exp()
        }
    };
    x.clamp(low, high)
}

/// Sample `k`'s uniforms: one per input of `entries` (see [`inputs`]), in order, from stream
/// `k` of `seed`.
pub fn uniforms(entries: &[Uncertain], seed: u64, k: u64) -> Vec<f64> {
    let mut rng = stream(seed, k);
    inputs(entries)
        .iter()
        .map(|_| rng.random::<f64>())
        .collect()
}

/// Sample `k`'s multipliers, one per entry in declaration order: each entry's quantile at its
/// input's uniform.
pub fn multipliers(entries: &[Uncertain], seed: u64, k: u64) -> Vec<f64> {
    Draws::new(entries).multipliers(seed, k)
}

/// Sample `k`'s generator: stream `k` of `seed`.
fn stream(seed: u64, k: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(k);
    rng
}

/// The draws of a list of entries, prepared once for many samples: each entry's input (in
/// [`inputs`] order) and distribution. [`Draws::multipliers`] equals [`multipliers`].
#[derive(Debug, Clone)]
pub struct Draws {
    /// The number of inputs (uniforms drawn per sample).
    inputs: usize,
    /// Per entry, in declaration order: its input's index and its distribution.
    entries: Vec<(usize, Distribution)>,
}

impl Draws {
    pub fn new(entries: &[Uncertain]) -> Draws {
        let ins = inputs(entries);
        let mut of = vec![0; entries.len()];
        for (i, (_, ix)) in ins.iter().enumerate() {
            for &j in ix {
                of[j] = i;
            }
        }
        Draws {
            inputs: ins.len(),
            entries: entries
                .iter()
                .zip(of)
                .map(|(e, i)| (i, e.distribution))
                .collect(),
        }
    }

    /// Sample `k`'s multipliers of stream (`seed`, `k`), one per entry in declaration order.
    pub fn multipliers(&self, seed: u64, k: u64) -> Vec<f64> {
        let mut rng = stream(seed, k);
        let mut u = [0.0; 64];
        let mut heap = Vec::new();
        let u: &mut [f64] = if self.inputs <= u.len() {
            &mut u[..self.inputs]
        } else {
            heap.resize(self.inputs, 0.0);
            &mut heap
        };
        for x in u.iter_mut() {
            *x = rng.random::<f64>();
        }
        self.entries
            .iter()
            .map(|(i, d)| quantile(d, u[*i]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values: Abramowitz & Stegun table 26.1 and the standard quantiles
    // (z_0.975 = 1.959963984540054, z_0.95 = 1.6448536269514722, Φ(−3) = 0.0013498980316301,
    // Φ⁻¹(1e−10) = −6.361340902404056).
    #[test]
    fn normal_cdf_and_quantile_match_known_values() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-16);
        assert!((normal_cdf(1.0) - 0.8413447460685429).abs() < 1e-15);
        assert!((normal_cdf(-3.0) / 0.0013498980316301 - 1.0).abs() < 1e-13);
        assert!((normal_quantile(0.975) - 1.959963984540054).abs() < 1e-13);
        assert!((normal_quantile(0.95) - 1.6448536269514722).abs() < 1e-13);
        assert!((normal_quantile(0.5)).abs() < 1e-15);
        assert!((normal_quantile(1e-10) + 6.361340902404056).abs() < 1e-11);
        assert!((normal_quantile(1.0 - 0.975) + 1.959963984540054).abs() < 1e-13);
        for i in 1..1000 {
            let p = i as f64 / 1000.0;
            assert!((normal_cdf(normal_quantile(p)) - p).abs() < 1e-15, "{p}");
        }
    }

    #[test]
    fn truncated_normal_quantile_is_inside_and_monotone() {
        // Symmetric truncation: the median is 0; the quartile of N(0,1) on [−1, 1] solves
        // Φ(x) = Φ(−1) + 0.25 (Φ(1) − Φ(−1)).
        assert!(truncated_normal_quantile(-1.0, 1.0, 0.5).abs() < 1e-15);
        let p = normal_cdf(-1.0) + 0.25 * (normal_cdf(1.0) - normal_cdf(-1.0));
        let want = normal_quantile(p);
        assert!((truncated_normal_quantile(-1.0, 1.0, 0.25) - want).abs() < 1e-15);
        // Far in the upper tail: [8, 9] keeps its precision (Φ(8) rounds to 1).
        let mut last = 8.0;
        for i in 0..=100 {
            let x = truncated_normal_quantile(8.0, 9.0, i as f64 / 100.0);
            assert!((8.0..=9.0).contains(&x) && x >= last, "{i} {x}");
            last = x;
        }
        // The median of N(0,1) on [8, ∞) is ≈ 8 + ln 2 / 8 (the tail is nearly exponential
        // with rate 8): 8.0855 within 0.002.
        let med = truncated_normal_quantile(8.0, f64::INFINITY, 0.5);
        assert!((med - (8.0 + 2f64.ln() / 8.0)).abs() < 2e-3, "{med}");
    }

    /// The prepared draws equal each entry's quantile at its input's uniform, the inputs read
    /// from [`inputs`] and the uniforms from [`uniforms`]: groups spread over the list, and
    /// more inputs than the stack buffer holds.
    #[test]
    fn prepared_draws_equal_the_definition() {
        use crate::model::UncertainField;
        let entry = |j: usize, group: Option<&str>| Uncertain {
            id: format!("e{j}"),
            field: UncertainField::ProducerQuantity,
            items: vec![0],
            distribution: match j % 3 {
                0 => Distribution::Uniform {
                    low: 0.5,
                    high: 1.5,
                },
                1 => Distribution::Triangular {
                    low: 0.8,
                    mode: 1.0,
                    high: 1.3,
                },
                _ => Distribution::Normal {
                    mean: 1.0,
                    sd: 0.1,
                    low: 0.7,
                    high: 1.3,
                },
            },
            group: group.map(String::from),
            growth: Vec::new(),
        };
        for n in [0, 1, 5, 64, 70, 150] {
            let entries: Vec<Uncertain> = (0..n)
                .map(|j| match j % 7 {
                    2 | 5 => entry(j, Some("a")),
                    4 => entry(j, Some("b")),
                    _ => entry(j, None),
                })
                .collect();
            let draws = Draws::new(&entries);
            for k in [0, 1, 17, 1 << 40] {
                let u = uniforms(&entries, 9, k);
                let mut want = vec![f64::NAN; n];
                for (i, (_, ix)) in inputs(&entries).iter().enumerate() {
                    for &j in ix {
                        want[j] = quantile(&entries[j].distribution, u[i]);
                    }
                }
                let got = draws.multipliers(9, k);
                assert_eq!(got.len(), n);
                for (g, w) in got.iter().zip(&want) {
                    assert_eq!(g.to_bits(), w.to_bits(), "{n} entries, sample {k}");
                }
                assert_eq!(multipliers(&entries, 9, k), got);
            }
        }
    }

    #[test]
    fn quantiles_of_each_distribution() {
        let u = Distribution::Uniform {
            low: 0.6,
            high: 1.1,
        };
        assert!((quantile(&u, 0.3) - 0.75).abs() < 1e-15);
        // Triangular (0, 1, 2): F(x) = x²/2 below the mode, so F⁻¹(0.125) = 0.5.
        let t = Distribution::Triangular {
            low: 0.0,
            mode: 1.0,
            high: 2.0,
        };
        assert!((quantile(&t, 0.125) - 0.5).abs() < 1e-15);
        assert!((quantile(&t, 0.875) - 1.5).abs() < 1e-15);
        // Normal(1, 0.1) on [0.6, 1.4] (±4 sd): the 97.5 % point is ≈ 1 + 0.196.
        let n = Distribution::Normal {
            mean: 1.0,
            sd: 0.1,
            low: 0.6,
            high: 1.4,
        };
        let p = normal_cdf(-4.0) + 0.975 * (normal_cdf(4.0) - normal_cdf(-4.0));
        assert!((quantile(&n, 0.975) - (1.0 + 0.1 * normal_quantile(p))).abs() < 1e-14);
        assert!((quantile(&n, 0.975) - 1.196).abs() < 1e-3);
        assert!((quantile(&n, 0.0) - 0.6).abs() < 1e-12);
        assert!((quantile(&n, 1.0) - 1.4).abs() < 1e-12);
        // Lognormal: median 1, sd 0.1 on [0, 10] (effectively untruncated above): the
        // median is 1 and the 95 % point exp(0.1 · 1.6449).
        let l = Distribution::LogNormal {
            median: 1.0,
            sd: 0.1,
            low: 0.0,
            high: 10.0,
        };
        assert!((quantile(&l, 0.5) - 1.0).abs() < 1e-12);
        assert!((quantile(&l, 0.95) - (0.1f64 * 1.6448536269514722).exp()).abs() < 1e-12);
    }
}
