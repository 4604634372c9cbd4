//! What the Monte Carlo's statistics keep of each sample while the samples stream past: a few
//! scalars per sample in columns (the target's rate under the rule and strict, and each
//! material's and each consolidated park's two rates), counts, and which entries vary — never
//! the sample's record (its multipliers and park × material cells, ≈ 6 kB on ordos_2025).
//!
//! The statistics computed from the columns are the same numbers, summed in the same order, as
//! those computed from every record ([`super::mc_stats::cell_stats`] and
//! [`super::mc_stats::tornado`], which a test compares): a material's or park's balance is
//! summed from its cells in the same order before its rates are taken, and the tornado's
//! multipliers are drawn again from (seed, index) — a pure function — instead of being kept.

use super::draw::multipliers;
use super::mc_stats::{tornado_of, CellStats, Sensitivity, Stats};
use super::monte_carlo::{SampleLayout, SampleResult, SampleStatus};
use super::Balance;
use crate::model::Uncertain;

/// `None` stored in an `f64` column: a NaN whose payload no arithmetic produces (operations
/// give the default NaN or propagate an input's), so `Some(NaN)` still round-trips.
const NONE_BITS: u64 = 0x7ff8_5359_4d42_494f;

fn encode(x: Option<f64>) -> f64 {
    x.unwrap_or(f64::from_bits(NONE_BITS))
}

fn decode(x: f64) -> Option<f64> {
    (x.to_bits() != NONE_BITS).then_some(x)
}

/// The per-sample scalars the statistics need, gathered in index order.
#[derive(Debug, Clone)]
pub(super) struct Columns {
    nm: usize,
    np: usize,
    /// The target's rate under the rule and strict.
    rate: Vec<f64>,
    strict: Vec<f64>,
    /// Per material (all parks) then per park (all solids): rate and strict rate.
    cells: Vec<Vec<f64>>,
    met: u64,
    infeasible: u64,
    /// Whether entry j's multiplier differs between two consecutive samples.
    varies: Vec<bool>,
    /// The previous sample's multipliers (for `varies`).
    last: Option<Vec<f64>>,
}

/// The statistics of a run (see [`super::MonteCarloSummary`]).
pub(super) struct Figures {
    pub samples: u64,
    pub samples_infeasible: u64,
    pub p_meet_target: f64,
    pub rate: Option<Stats>,
    pub strict_rate: Option<Stats>,
    pub by_material: Vec<CellStats>,
    pub by_park: Vec<CellStats>,
    pub tornado: Vec<Sensitivity>,
    pub rates: Vec<f64>,
    pub strict_rates: Vec<f64>,
}

impl Columns {
    pub fn new(layout: &SampleLayout, n_entries: usize, capacity: u64) -> Columns {
        let (nm, np) = (layout.materials.len(), layout.parks.len());
        let cap = usize::try_from(capacity).unwrap_or(0).min(1 << 20);
        Columns {
            nm,
            np,
            rate: Vec::with_capacity(cap),
            strict: Vec::with_capacity(cap),
            cells: vec![Vec::with_capacity(cap); 2 * (nm + np)],
            met: 0,
            infeasible: 0,
            varies: vec![false; n_entries],
            last: None,
        }
    }

    /// Appends the next samples (in index order).
    pub fn push(&mut self, samples: &[SampleResult]) {
        let (nm, np) = (self.nm, self.np);
        for s in samples {
            self.rate.push(encode(s.rate));
            self.strict.push(encode(s.strict_rate));
            self.met += u64::from(s.meets_target);
            self.infeasible += u64::from(s.status != SampleStatus::Ok);
            let mut sum = |col: usize, pick: &mut dyn Iterator<Item = usize>| {
                let mut b = Balance::default();
                for c in pick {
                    b.add(&s.cells[c]);
                }
                self.cells[2 * col].push(encode(b.rate()));
                self.cells[2 * col + 1].push(encode(b.strict_rate()));
            };
            for m in 0..nm {
                sum(m, &mut (0..np).map(|p| p * nm + m));
            }
            for p in 0..np {
                sum(nm + p, &mut (0..nm).map(|m| p * nm + m));
            }
            if let Some(last) = &self.last {
                for (v, (a, b)) in self.varies.iter_mut().zip(last.iter().zip(&s.multipliers)) {
                    *v |= a != b;
                }
            }
            self.last = Some(s.multipliers.clone());
        }
    }

    /// Every statistic, from the columns: the per-material and per-park figures first, a
    /// pair of columns at a time on the pool (each pair freed once used, collected in
    /// order), then the tornado, whose multipliers are drawn again only once the cell
    /// columns are gone (the peak is the larger of the two, not their sum).
    pub fn finish(
        self,
        inputs: &[(String, Vec<usize>)],
        entries: &[Uncertain],
        seed: u64,
        first: u64,
        target: f64,
    ) -> Figures {
        use rayon::prelude::*;
        let Columns {
            nm,
            rate,
            strict,
            cells,
            met,
            infeasible,
            varies,
            ..
        } = self;
        let n = rate.len();
        let mut pairs = Vec::with_capacity(cells.len() / 2);
        let mut cells = cells.into_iter();
        while let (Some(r), Some(s)) = (cells.next(), cells.next()) {
            pairs.push((r, s));
        }
        let mut by_material: Vec<CellStats> = pairs
            .into_par_iter()
            .map(|(r, s)| {
                let col = |c: Vec<f64>| c.into_iter().map(decode);
                CellStats::of(col(r), col(s), target)
            })
            .collect();
        let by_park = by_material.split_off(nm);
        let rate: Vec<Option<f64>> = rate.into_iter().map(decode).collect();
        let strict: Vec<Option<f64>> = strict.into_iter().map(decode).collect();
        // Each input's first varying entry (else its first), drawn again per sample.
        let chosen: Vec<usize> = inputs
            .iter()
            .map(|(_, ix)| ix.iter().copied().find(|&j| varies[j]).unwrap_or(ix[0]))
            .collect();
        let xs = redraw(entries, seed, first, n as u64, &chosen);
        let tornado = tornado_of(inputs, &xs, &rate, &strict);
        drop(xs);
        Figures {
            samples: n as u64,
            samples_infeasible: infeasible,
            p_meet_target: if n == 0 { 0.0 } else { met as f64 / n as f64 },
            rate: Stats::of(rate.iter().copied()),
            strict_rate: Stats::of(strict.iter().copied()),
            by_material,
            by_park,
            tornado,
            rates: rate.iter().flatten().copied().collect(),
            strict_rates: strict.iter().flatten().copied().collect(),
        }
    }
}

/// Samples `first .. first + n`'s multipliers of entries `chosen`, one column per chosen
/// entry, drawn again from (seed, index) in parallel blocks gathered in index order.
fn redraw(entries: &[Uncertain], seed: u64, first: u64, n: u64, chosen: &[usize]) -> Vec<Vec<f64>> {
    use rayon::prelude::*;
    const BLOCK: u64 = 1024;
    let blocks: Vec<Vec<Vec<f64>>> = (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let (a, z) = (first + b * BLOCK, first + ((b + 1) * BLOCK).min(n));
            let mut cols = vec![Vec::with_capacity((z - a) as usize); chosen.len()];
            for k in a..z {
                let m = multipliers(entries, seed, k);
                for (col, &j) in cols.iter_mut().zip(chosen) {
                    col.push(m[j]);
                }
            }
            cols
        })
        .collect();
    let mut xs = vec![Vec::with_capacity(n as usize); chosen.len()];
    for block in blocks {
        for (x, col) in xs.iter_mut().zip(block) {
            x.extend(col);
        }
    }
    xs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_round_trip_through_a_column() {
        for x in [
            None,
            Some(0.0),
            Some(-0.0),
            Some(1.5),
            Some(f64::NAN),
            Some(-f64::NAN),
            Some(f64::INFINITY),
        ] {
            let back = decode(encode(x));
            assert_eq!(back.map(f64::to_bits), x.map(f64::to_bits));
        }
        // Arithmetic on the default NaN never yields the marker.
        let zero = std::hint::black_box(0.0_f64);
        assert!(decode(zero / zero).is_some());
        assert!(decode(f64::NAN + 1.0).is_some());
        assert!(decode(f64::INFINITY - f64::INFINITY).is_some());
    }
}
