//! The internal arc order (LEMON's "arc mixing"), as a permutation and as strided loops.

use crate::problem::MAX_ABS_VALUE;

/// The arc order of [`mixing_order`] as structure: internal positions are filled column by
/// column (`j = i mod skip`, each column from the top) by the input arcs in reverse order, and
/// the first `m mod skip` columns hold one arc more than the others. Copies between input and
/// internal order then run as strided loops, without reading `pos`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Mixing {
    m: usize,
    /// 0 when arcs are simply reversed.
    skip: usize,
    q: usize,
    rem: usize,
    /// `⌈2^64 / skip⌉`: `i / skip` is the high word of `i · magic` for every `i < 2^32`
    /// (Lemire, Kaser & Kurz, "Faster remainder by direct computation", 2019).
    magic: u64,
}

impl Mixing {
    pub(super) fn new(n: usize, m: usize) -> Self {
        if n <= 1 || m == 0 {
            return Mixing {
                m,
                skip: 0,
                q: 0,
                rem: 0,
                magic: 0,
            };
        }
        let skip = (m / n).max(3);
        Mixing {
            m,
            skip,
            q: m / skip,
            rem: m % skip,
            magic: u64::MAX / skip as u64 + 1,
        }
    }

    /// The input arc at internal position `i` (`i < m < 2^32`), without a division.
    #[inline]
    pub(super) fn input(&self, i: usize) -> usize {
        if self.skip == 0 {
            return self.m - 1 - i;
        }
        let r = ((i as u128 * self.magic as u128) >> 64) as usize;
        let j = i - r * self.skip;
        self.m - 1 - (j * self.q + j.min(self.rem) + r)
    }

    /// Calls `f(internal column slice start j, input range)` for every column: the column's
    /// positions `j, j + skip, …` take the input arcs of the range in reverse order.
    #[inline]
    fn columns(&self, mut f: impl FnMut(usize, std::ops::Range<usize>)) {
        if self.skip == 0 {
            f(0, 0..self.m);
            return;
        }
        let mut hi = self.m;
        for j in 0..self.skip {
            let len = self.q + (j < self.rem) as usize;
            if len == 0 {
                break;
            }
            f(j, hi - len..hi);
            hi -= len;
        }
    }

    /// [`scatter`](Self::scatter) of costs, which also returns what `update` checks of them:
    /// the OR of their magnitudes, the OR of the values shifted by 2^50 (the range check) and
    /// the sum of their magnitudes, summed in `u64` over runs of at most 4 096 (no overflow
    /// when all are in range; out of range, `validate` decides anyway).
    pub(super) fn scatter_costs(&self, input: &[i64], internal: &mut [i64]) -> (u64, u64, i128) {
        let (input, internal) = (&input[..self.m], &mut internal[..self.m]);
        let step = self.skip.max(1);
        let (mut bits, mut out, mut sum) = (0u64, 0u64, 0i128);
        self.columns(|j, range| {
            let mut k = j;
            for run in input[range].rchunks(4096) {
                let (mut run_abs, mut run_bits, mut run_out) = (0u64, 0u64, 0u64);
                for &c in run.iter().rev() {
                    internal[k] = c;
                    k += step;
                    let a = c.unsigned_abs();
                    run_out |= c.wrapping_add(MAX_ABS_VALUE) as u64;
                    run_bits |= a;
                    run_abs = run_abs.wrapping_add(a);
                }
                (bits, out) = (bits | run_bits, out | run_out);
                sum += run_abs as i128;
            }
        });
        (bits, out, sum)
    }

    /// `internal[pos[a]] = input[a]` for every input arc `a`.
    pub(super) fn scatter<T: Copy>(&self, input: &[T], internal: &mut [T]) {
        let (input, internal) = (&input[..self.m], &mut internal[..self.m]);
        let step = self.skip.max(1);
        self.columns(|j, range| {
            let mut k = j;
            for &x in input[range].iter().rev() {
                internal[k] = x;
                k += step;
            }
        });
    }
}

/// LEMON's arc mixing: arcs are taken in reverse input order (the order in which LEMON's graphs
/// enumerate them) and input arc `a` goes to position `pos[a]`, filling every `skip`-th slot.
/// With this order the pivot sequence is the same as LEMON's on the same input.
/// (The loop below is the reference that [`Mixing`]'s strided form is tested against.)
pub(super) fn mixing_order(n: usize, m: usize) -> Vec<u32> {
    let skip = Mixing::new(n, m).skip;
    if skip == 0 {
        return (0..m as u32).rev().collect();
    }
    let mut pos = vec![0u32; m];
    let (mut i, mut j) = (0usize, 0usize);
    for a in (0..m).rev() {
        pos[a] = i as u32;
        i += skip;
        if i >= m {
            j += 1;
            i = j;
        }
    }
    pos
}
