//! Pricing: the choice of the entering arc.
//!
//! Each pivot rule is one `find_*` method with the same shape, `fn(&mut NetworkSimplex) ->
//! Option<usize>` (the entering arc, `None` when no arc is eligible), in the manner of the
//! pivot rule classes of LEMON's `network_simplex.h`: [`NetworkSimplex::run`] picks one by
//! [`PivotRule`](super::PivotRule) and hands it to the pivot loop, so a rule is swapped or
//! added without touching the loop. Warm re-solves with block search first price an active
//! set of the arcs most likely to enter ([`NetworkSimplex::run_warm`]).

use super::{NetworkSimplex, STATE_TREE};
use crate::{FlowSolution, SolveError};

/// Warm re-solves whose repair cut no tree arc price blocks of `block_size / WARM_BLOCK_DIVISOR`
/// arcs (at least `MIN_BLOCK`): few arcs are then eligible, and smaller blocks waste less of
/// each scan. After cuts, the big-M pivots find many eligible arcs and full blocks choose better.
pub(super) const WARM_BLOCK_DIVISOR: usize = 8;
/// Warm pricing first chooses about `m / ACTIVE_FRACTION` active arcs (see `build_active`);
/// a rebuild caused by misses chooses as many as the set had grown to (at most `m / 2`).
const ACTIVE_FRACTION: usize = 24;
/// The active set is rebuilt after a warm re-solve in which more than `ACTIVE_MISS_MIN`
/// entering arcs, and more than one pivot in `ACTIVE_MISS_RATIO`, came from outside it.
#[cfg(not(test))]
const ACTIVE_MISS_MIN: usize = 4;
#[cfg(test)]
const ACTIVE_MISS_MIN: usize = 0;
const ACTIVE_MISS_RATIO: usize = 8;
/// A warm primal phase drops its active set for plain block search (of the cold block size)
/// once at least `SWITCH_MISSES` entering arcs, and more than one pivot in `SWITCH_RATIO`,
/// came from outside the set: the costs changed too much for it (a lexicographic phase
/// switching objectives), and each miss costs a pass over all arcs.
#[cfg(not(test))]
const SWITCH_MISSES: usize = 8;
#[cfg(test)]
const SWITCH_MISSES: usize = 2;
const SWITCH_RATIO: usize = 4;
/// A warm primal phase that finds more than `SWITCH_ELIGIBLE` times as many eligible arcs as
/// its active set should hold uses plain block search from the start.
const SWITCH_ELIGIBLE: usize = 4;
pub(super) const MIN_BLOCK: usize = 10;

/// An arc of the warm-pricing active set, with the data its reduced cost needs (the cost is
/// refreshed before each warm run), so that pricing reads one record instead of four arrays.
#[derive(Debug, Clone, Copy)]
pub(super) struct ActiveArc {
    cost: i64,
    source: u32,
    target: u32,
    arc: u32,
}

/// Block search over positions `0..len` as LEMON's: blocks of `bs` positions from `start`,
/// cyclically, the block counter running on across the wrap-around; the most violating arc of
/// the first block that holds a violating one. `price(j)` gives the violation of position `j`
/// (negative: eligible) and its arc. Returns the arc and where the next search starts (the last
/// position of the successful block); `None` when no position is violating.
#[inline(always)]
fn block_search(
    len: usize,
    start: usize,
    bs: usize,
    mut price: impl FnMut(usize) -> (i64, usize),
) -> Option<(usize, usize)> {
    let mut min = 0i64;
    let mut best = usize::MAX;
    let mut cnt = bs;
    for (lo, hi) in [(start, len), (0, start)] {
        let mut e = lo;
        while e < hi {
            let end = (e + cnt).min(hi);
            for j in e..end {
                let (c, arc) = price(j);
                if c < min {
                    min = c;
                    best = arc;
                }
            }
            cnt -= end - e;
            e = end;
            if cnt == 0 {
                if min < 0 {
                    return Some((best, e - 1));
                }
                cnt = bs;
            }
        }
    }
    // A violating arc in an unfinished last block: the next search starts where it was.
    (min < 0).then_some((best, start))
}

/// The block of block search in a cold solve: `√m`, at least 10 arcs (LEMON's).
pub(super) fn cold_block_size(m: usize) -> usize {
    ((m as f64).sqrt() as usize).max(10)
}

impl NetworkSimplex {
    /// Warm primal phase: block search over the active arcs until none is eligible, then over
    /// all arcs (which proves optimality, or finds an arc the active set missed).
    pub(super) fn run_warm(&mut self, cold_block: usize) -> Result<FlowSolution, SolveError> {
        if self.active_stale || self.in_active.len() != self.m {
            if !self.build_active() {
                return self.run_plain(cold_block);
            }
        } else {
            // Tree arcs cannot enter: they leave the set, and join it again when they leave
            // the tree.
            // The costs have changed: each entry takes its arc's current cost.
            let (state, cost, in_active) = (&self.state, &self.cost, &mut self.in_active);
            self.active.retain_mut(|x| {
                let a = x.arc as usize;
                let keep = state[a] != STATE_TREE;
                in_active[a] = keep;
                x.cost = cost[a];
                keep
            });
        }
        if 2 * self.active.len() > self.m {
            // A set of most arcs (chosen where many reduced costs tie, as under the 0/1 costs
            // of a lexicographic phase) prices no better than plain block search.
            return self.run_plain(cold_block);
        }
        let mut misses = 0usize;
        let start = self.iterations;
        let ok = 'outer: loop {
            while let Some(a) = self.find_active_block() {
                if !self.pivot_joining(a) {
                    break 'outer false;
                }
            }
            // Usually nothing is eligible any more: a branch-free pass over all arcs proves it
            // faster than the block search, which runs only when it finds something.
            if !self.any_eligible() {
                break true;
            }
            match self.find_block_search() {
                None => break true,
                Some(a) => {
                    misses += 1;
                    self.join_active(a);
                    if !self.pivot_joining(a) {
                        break false;
                    }
                    let pivots = (self.iterations - start) as usize;
                    if misses >= SWITCH_MISSES && misses * SWITCH_RATIO > pivots {
                        // Chosen for other costs: plain block search for the rest.
                        return self.run_plain(cold_block);
                    }
                }
            }
        };
        // Many misses: the costs moved away from those the set was chosen for. A set grown
        // past half of the arcs no longer saves much.
        let pivots = (self.iterations - start) as usize;
        if misses > ACTIVE_MISS_MIN && misses * ACTIVE_MISS_RATIO > pivots {
            // Chosen for other costs: the next set is chosen afresh, as large as this one
            // grew (so that a set too small to start with does not stay so).
            self.active_stale = true;
            self.active_want = self.active_want.max(self.active.len()).min(self.m / 2);
        } else if 2 * self.active.len() > self.m {
            self.active_stale = true;
        }
        self.finish(ok)
    }

    /// The primal phase of a warm re-solve without the active set: block search as in a cold
    /// solve, of the cold block size, and a new set next time.
    fn run_plain(&mut self, cold_block: usize) -> Result<FlowSolution, SolveError> {
        self.block_size = cold_block;
        self.active_stale = true;
        let ok = self.run_with::<false>(Self::find_block_search);
        self.finish(ok)
    }

    /// Chooses the active arcs for warm pricing from the current potentials: every eligible
    /// non-tree arc, then those closest to eligibility (smallest `state · rc`) until about
    /// `active_want` arcs (whole buckets of a logarithmic histogram, so no sort is
    /// needed). Tree arcs are left out: they join the set when they leave the tree. Returns
    /// `false`, leaving the set stale, when no set is worth building.
    fn build_active(&mut self) -> bool {
        let m = self.m;
        if self.active_want == 0 {
            self.active_want = (m / ACTIVE_FRACTION).max(MIN_BLOCK);
        }
        // Buckets of `state · rc`: 0 eligible, 1 zero, then 4 per power of two; tree arcs get
        // the last bucket (never chosen). Computed branch-free into `keys` (the signs of
        // reduced costs are unpredictable), then counted.
        const TREE: u16 = 2 + (64 << 2);
        let mut keys = std::mem::take(&mut self.active_keys);
        keys.clear();
        let (state, cost, source, target, pi) = (
            &self.state[..m],
            &self.cost[..m],
            &self.source[..m],
            &self.target[..m],
            &self.pi[..],
        );
        keys.extend((0..m).map(|a| {
            let st = state[a] as i64;
            let key = st * (cost[a] + pi[source[a] as usize] - pi[target[a] as usize]);
            // The exponent and two leading mantissa bits of the float: the power of two and
            // the quarter within it.
            let log = ((key.max(1) as f64).to_bits() >> 50) as u16 - (1023 << 2);
            let bucket = if key > 0 { 2 + log } else { (key == 0) as u16 };
            if st == 0 {
                TREE
            } else {
                bucket
            }
        }));
        let mut hist = [0u32; TREE as usize + 1];
        for &k in &keys {
            hist[k as usize] += 1;
        }
        let want = self.active_want as u32;
        let mut cut = 0;
        let mut total = 0;
        for (b, &h) in hist[..TREE as usize].iter().enumerate() {
            total += h;
            cut = b;
            if total >= want {
                break;
            }
        }
        let eligible = hist[0] as usize;
        if eligible > SWITCH_ELIGIBLE * self.active_want || 2 * total as usize > m {
            // The costs changed wholesale (far more eligible arcs than the set should hold),
            // or reduced costs tie so widely (as under the 0/1 costs of a lexicographic
            // phase) that the set would hold most arcs: it would price no better than plain
            // block search.
            self.active_keys = keys;
            return false;
        }
        let mut active = std::mem::take(&mut self.active);
        active.clear();
        for (a, &k) in keys.iter().enumerate() {
            if k as usize <= cut {
                active.push(self.active_arc(a));
            }
        }
        self.active_keys = keys;
        let mut in_active = std::mem::take(&mut self.in_active);
        in_active.clear();
        in_active.resize(m, false);
        for x in &active {
            in_active[x.arc as usize] = true;
        }
        self.in_active = in_active;
        self.active = active;
        self.next_active = 0;
        self.active_stale = false;
        true
    }

    /// Block search (as [`find_block_search`](Self::find_block_search)) over the active arcs.
    #[inline(never)]
    fn find_active_block(&mut self) -> Option<usize> {
        let len = self.active.len();
        if len == 0 {
            return None;
        }
        let (bs, m) = (self.block_size, self.m);
        let active = &self.active[..];
        let state = &self.state[..m];
        let pi = &self.pi[..];
        let found = block_search(len, self.next_active.min(len), bs, |j| {
            let x = &active[j];
            let i = x.arc as usize;
            let st = state.get(i).map_or(0, |&st| st as i64);
            let c = st * (x.cost + pi[x.source as usize] - pi[x.target as usize]);
            (c, i)
        });
        found.map(|(arc, next)| {
            self.next_active = next;
            arc
        })
    }

    /// Whether some problem arc is eligible (`state · rc < 0`).
    #[inline(never)]
    fn any_eligible(&self) -> bool {
        let m = self.m;
        let pi = &self.pi[..];
        let arcs = self.state[..m]
            .iter()
            .zip(&self.cost[..m])
            .zip(self.source[..m].iter().zip(&self.target[..m]));
        // The sign bit of the OR is set exactly when some `state · rc` is negative.
        let any = arcs.fold(0i64, |any, ((&st, &c), (&s, &t))| {
            any | (st as i64 * (c + pi[s as usize] - pi[t as usize]))
        });
        any < 0
    }

    /// Adds problem arc `e` (which just left the tree) to the active set, once it exists.
    pub(super) fn join_active(&mut self, e: usize) {
        if let Some(f) = self.in_active.get_mut(e) {
            if !*f {
                *f = true;
                let x = self.active_arc(e);
                self.active.push(x);
            }
        }
    }

    fn active_arc(&self, a: usize) -> ActiveArc {
        ActiveArc {
            cost: self.cost[a],
            source: self.source[a],
            target: self.target[a],
            arc: a as u32,
        }
    }

    /// Block search exactly as LEMON's: the block counter runs on across the wrap-around and
    /// the next search starts at the last arc of the successful block.
    pub(super) fn find_block_search(&mut self) -> Option<usize> {
        let m = self.m;
        if m == 0 {
            return None;
        }
        let bs = self.block_size;
        let state = &self.state[..m];
        let cost = &self.cost[..m];
        let source = &self.source[..m];
        let target = &self.target[..m];
        let pi = &self.pi[..];
        let found = block_search(m, self.next_arc, bs, |i| {
            let c = state[i] as i64 * (cost[i] + pi[source[i] as usize] - pi[target[i] as usize]);
            (c, i)
        });
        found.map(|(arc, next)| {
            self.next_arc = next;
            arc
        })
    }

    pub(super) fn find_first_eligible(&mut self) -> Option<usize> {
        let m = self.m;
        let mut e = self.next_arc;
        for _ in 0..m {
            let c = self.state[e] as i64 * self.reduced_cost(e);
            let cur = e;
            e += 1;
            if e == m {
                e = 0;
            }
            if c < 0 {
                self.next_arc = e;
                return Some(cur);
            }
        }
        None
    }

    pub(super) fn find_best_eligible(&mut self) -> Option<usize> {
        let mut min = 0i64;
        let mut best = None;
        for e in 0..self.m {
            let c = self.state[e] as i64 * self.reduced_cost(e);
            if c < min {
                min = c;
                best = Some(e);
            }
        }
        best
    }

    pub(super) fn find_candidate_list(&mut self) -> Option<usize> {
        let m = self.m;
        if self.cand_len > 0 && self.minor_count < self.minor_limit {
            self.minor_count += 1;
            let mut min = 0i64;
            let mut best = None;
            let mut i = 0;
            while i < self.cand_len {
                let e = self.candidates[i] as usize;
                let c = self.state[e] as i64 * self.reduced_cost(e);
                if c < min {
                    min = c;
                    best = Some(e);
                    i += 1;
                } else if c >= 0 {
                    self.cand_len -= 1;
                    self.candidates[i] = self.candidates[self.cand_len];
                } else {
                    i += 1;
                }
            }
            if best.is_some() {
                return best;
            }
        }
        let mut min = 0i64;
        let mut best = None;
        self.cand_len = 0;
        let mut e = self.next_arc;
        for _ in 0..m {
            let c = self.state[e] as i64 * self.reduced_cost(e);
            let cur = e;
            e += 1;
            if e == m {
                e = 0;
            }
            if c < 0 {
                self.candidates[self.cand_len] = cur as u32;
                self.cand_len += 1;
                if c < min {
                    min = c;
                    best = Some(cur);
                }
                if self.cand_len == self.list_length {
                    break;
                }
            }
        }
        if best.is_some() {
            self.minor_count = 1;
            self.next_arc = e;
        }
        best
    }
}
