//! What the Monte Carlo's statistics keep of each sample while the samples stream past: a few
//! scalars per sample in columns (the target's rate under the rule and strict, and each
//! material's and each consolidated park's two rates), counts, and which entries vary — never
//! the sample's record (its multipliers and park × material cells, ≈ 6 kB on ordos_2025).
//!
//! The statistics computed from the columns are the same numbers, summed in the same order, as
//! those computed from every record ([`super::stats::cell_stats`] and
//! [`super::stats::tornado`], which a test compares): a material's or park's balance is
//! summed from its cells in the same order before its rates are taken, and the tornado's
//! multipliers are drawn again from (seed, index) — a pure function — instead of being kept.
//!
//! The per-material and per-park columns and the tornado's multipliers go to a
//! [`ColumnStore`]: in memory ([`InMemory`]), or wherever the caller keeps them (the CLI: a
//! scratch folder inside the output's temporary folder, so that a run's memory does not hold
//! them); they are read back one at a time (a few at a time on the pool) at the end.

use super::stats::{no_legal_fate, sensitivity, sort_tornado, CellStats, RankedRate, Stats};
use super::{MonteCarloSummary, SampleLayout, SampleResult, SampleStatus};
use crate::analysis::draw::Draws;
use crate::analysis::Balance;
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

/// Where the per-sample columns go while the samples stream past: column `c` is appended to a
/// window at a time, in index order, and read back whole once.
pub trait ColumnStore: Send {
    /// Appends `values` to column `c`.
    fn append(&mut self, c: usize, values: &[f64]) -> std::io::Result<()>;
    /// Column `c` whole, in the order appended; the store may forget it after.
    fn take(&mut self, c: usize) -> std::io::Result<Vec<f64>>;
}

/// A [`ColumnStore`] in memory.
#[derive(Debug, Default)]
pub struct InMemory(Vec<Vec<f64>>);

impl ColumnStore for InMemory {
    fn append(&mut self, c: usize, values: &[f64]) -> std::io::Result<()> {
        if self.0.len() <= c {
            self.0.resize_with(c + 1, Vec::new);
        }
        self.0[c].extend_from_slice(values);
        Ok(())
    }
    fn take(&mut self, c: usize) -> std::io::Result<Vec<f64>> {
        Ok(self.0.get_mut(c).map(std::mem::take).unwrap_or_default())
    }
}

/// The most columns the [`ColumnStore`] of a run laid out by `layout` holds at once (8 bytes
/// a sample each): each material's and each consolidated park's two rates, and one column per
/// input (a multiplier drawn again at the end replaces its input's column, taken first).
pub fn store_columns(layout: &SampleLayout) -> u64 {
    (2 * (layout.materials.len() + layout.parks.len()) + layout.inputs.len()) as u64
}

/// The per-sample scalars the statistics need, gathered in index order: the target's rates
/// here, each material's and park's in the store.
#[derive(Debug, Clone)]
pub(super) struct Columns {
    nm: usize,
    np: usize,
    /// The target's rate under the rule and strict.
    rate: Vec<f64>,
    strict: Vec<f64>,
    met: u64,
    infeasible: u64,
    /// Each sample's [`no_legal_fate`] indicator (the tornado's infeasibility column).
    flags: Vec<Option<f64>>,
    /// Each input's first entry (whose multipliers go to the store for the tornado).
    firsts: Vec<usize>,
    /// Whether entry j's multiplier differs between two consecutive samples.
    varies: Vec<bool>,
    /// The previous sample's multipliers (for `varies`).
    last: Option<Vec<f64>>,
}

/// Samples whose multipliers are drawn again at once (in parallel blocks) before they go to
/// the store.
const REDRAW: u64 = 8 * 1024;

impl Columns {
    pub fn new(layout: &SampleLayout, n_entries: usize, capacity: u64) -> Columns {
        let (nm, np) = (layout.materials.len(), layout.parks.len());
        let cap = usize::try_from(capacity).unwrap_or(0).min(1 << 20);
        Columns {
            nm,
            np,
            rate: Vec::with_capacity(cap),
            strict: Vec::with_capacity(cap),
            met: 0,
            infeasible: 0,
            flags: Vec::with_capacity(cap),
            firsts: layout.inputs.iter().map(|(_, ix)| ix[0]).collect(),
            varies: vec![false; n_entries],
            last: None,
        }
    }

    /// Appends the next samples (in index order); per material (all parks) then per park (all
    /// solids), the rate and the strict rate go to store columns `2c` and `2c + 1`; after
    /// them, one column per input: its first entry's multiplier.
    pub fn push(
        &mut self,
        samples: &[SampleResult],
        store: &mut dyn ColumnStore,
    ) -> std::io::Result<()> {
        let (nm, np) = (self.nm, self.np);
        let mut cells = vec![Vec::with_capacity(samples.len()); 2 * (nm + np) + self.firsts.len()];
        for s in samples {
            self.rate.push(encode(s.rate));
            self.strict.push(encode(s.strict_rate));
            self.met += u64::from(s.meets_target);
            self.infeasible += u64::from(s.status != SampleStatus::Ok);
            self.flags.push(no_legal_fate(s.status));
            let mut sum = |col: usize, pick: &mut dyn Iterator<Item = usize>| {
                let mut b = Balance::default();
                for c in pick {
                    b.add(&s.cells[c]);
                }
                cells[2 * col].push(encode(b.rate()));
                cells[2 * col + 1].push(encode(b.strict_rate()));
            };
            for m in 0..nm {
                sum(m, &mut (0..np).map(|p| p * nm + m));
            }
            for p in 0..np {
                sum(nm + p, &mut (0..nm).map(|m| p * nm + m));
            }
            for (i, &j) in self.firsts.iter().enumerate() {
                cells[2 * (nm + np) + i].push(s.multipliers[j]);
            }
            if let Some(last) = &self.last {
                for (v, (a, b)) in self.varies.iter_mut().zip(last.iter().zip(&s.multipliers)) {
                    *v |= a != b;
                }
            }
            self.last = Some(s.multipliers.clone());
        }
        for (c, col) in cells.iter().enumerate() {
            store.append(c, col)?;
        }
        Ok(())
    }

    /// Every statistic, from the columns: the per-material and per-park figures, as many
    /// pairs of columns at a time as the pool has threads (each freed once used, collected in
    /// order); then the tornado, as many inputs at a time as the pool has threads. An input
    /// whose first entry is constant while another varies has the other's multipliers drawn
    /// again from (seed, index) into the store. Returns the run's summary, labelled by `layout`.
    pub fn finish(
        self,
        store: &mut dyn ColumnStore,
        layout: SampleLayout,
        entries: &[Uncertain],
        (seed, first): (u64, u64),
        target: f64,
    ) -> std::io::Result<MonteCarloSummary> {
        let inputs = &layout.inputs;
        use rayon::prelude::*;
        let Columns {
            nm,
            np,
            rate,
            strict,
            met,
            infeasible,
            flags,
            varies,
            firsts,
            ..
        } = self;
        let n = rate.len();
        let mut cells: Vec<CellStats> = Vec::with_capacity(nm + np);
        let batch = rayon::current_num_threads().max(1);
        for start in (0..nm + np).step_by(batch) {
            let pairs = (start..(start + batch).min(nm + np))
                .map(|c| Ok((store.take(2 * c)?, store.take(2 * c + 1)?)))
                .collect::<std::io::Result<Vec<_>>>()?;
            cells.extend(
                pairs
                    .into_par_iter()
                    .map(|(r, s)| {
                        let col = |c: Vec<f64>| c.into_iter().map(decode);
                        CellStats::of(col(r), col(s), target)
                    })
                    .collect::<Vec<_>>(),
            );
        }
        let by_park = cells.split_off(nm);
        let by_material = cells;
        let rate: Vec<Option<f64>> = rate.into_iter().map(decode).collect();
        let strict: Vec<Option<f64>> = strict.into_iter().map(decode).collect();
        // Each input's first varying entry (else its first); where that is not its first
        // entry (whose column the store has), drawn again per sample into a column of its own.
        let chosen: Vec<usize> = inputs
            .iter()
            .map(|(_, ix)| ix.iter().copied().find(|&j| varies[j]).unwrap_or(ix[0]))
            .collect();
        let base = 2 * (nm + np);
        let again: Vec<usize> = (0..inputs.len())
            .filter(|&i| chosen[i] != firsts[i])
            .collect();
        let column = |i: usize| match again.binary_search(&i) {
            Ok(a) => base + inputs.len() + a,
            Err(_) => base + i,
        };
        let js: Vec<usize> = again.iter().map(|&i| chosen[i]).collect();
        for &i in &again {
            store.take(base + i)?;
        }
        for a in (0..n as u64)
            .step_by(REDRAW as usize)
            .filter(|_| !js.is_empty())
        {
            let xs = redraw(entries, seed, first + a, REDRAW.min(n as u64 - a), &js);
            for (k, x) in xs.iter().enumerate() {
                store.append(base + inputs.len() + k, x)?;
            }
        }
        let (ranked, ranked_strict) = (RankedRate::new(&rate), RankedRate::new(&strict));
        let ranked_flags = RankedRate::new(&flags);
        let mut tornado = Vec::with_capacity(inputs.len());
        for start in (0..inputs.len()).step_by(batch) {
            let xs = (start..(start + batch).min(inputs.len()))
                .map(|i| Ok((i, store.take(column(i))?)))
                .collect::<std::io::Result<Vec<_>>>()?;
            tornado.extend(
                xs.into_par_iter()
                    .map(|(i, x)| {
                        let (label, ix) = &inputs[i];
                        sensitivity(label, ix, &x, &ranked, &ranked_strict, &ranked_flags)
                    })
                    .collect::<Vec<_>>(),
            );
        }
        drop((ranked, ranked_strict, ranked_flags));
        Ok(MonteCarloSummary {
            seed,
            first_sample: first,
            count: n as u64,
            samples_infeasible: infeasible,
            p_meet_target: if n == 0 { 0.0 } else { met as f64 / n as f64 },
            rate: Stats::of(rate.iter().copied()),
            strict_rate: Stats::of(strict.iter().copied()),
            by_material,
            by_park,
            tornado: sort_tornado(tornado),
            rates: rate.iter().flatten().copied().collect(),
            strict_rates: strict.iter().flatten().copied().collect(),
            entries: layout.entries,
            inputs: layout.inputs,
            materials: layout.materials,
            parks: layout.parks,
        })
    }
}

/// Samples `first .. first + n`'s multipliers of entries `chosen`, one column per chosen
/// entry, drawn again from (seed, index) in parallel blocks gathered in index order.
fn redraw(entries: &[Uncertain], seed: u64, first: u64, n: u64, chosen: &[usize]) -> Vec<Vec<f64>> {
    use rayon::prelude::*;
    const BLOCK: u64 = 1024;
    let draws = Draws::new(entries);
    let blocks: Vec<Vec<Vec<f64>>> = (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let (a, z) = (first + b * BLOCK, first + ((b + 1) * BLOCK).min(n));
            let mut cols = vec![Vec::with_capacity((z - a) as usize); chosen.len()];
            for k in a..z {
                let m = draws.multipliers(seed, k);
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
