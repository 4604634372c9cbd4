//! Primal network simplex on flat arrays, exact in `i64`, warm-startable.
//!
//! # Method
//!
//! The classic big-M primal network simplex with a *strongly feasible* spanning tree
//! (Cunningham 1976), using the thread / `succ_num` / `last_succ` tree indexing popularised by
//! LEMON (Kovács, "Minimum-cost flow algorithms: an experimental evaluation", 2015):
//!
//! - an artificial root `r = n` and one artificial arc per node (`m + v`) form the first tree;
//!   a node with transformed supply `b ≥ 0` gets `v → r` at cost 0, a node with `b < 0` gets
//!   `r → v` at cost `M` (`M` exceeds the cost of any simple path, so artificial flow is driven
//!   out whenever the problem is feasible);
//! - lower bounds are shifted out (`x = lower + x'`, `0 ≤ x' ≤ upper - lower`);
//! - arcs are searched by a [`PivotRule`] (block search by default); the leaving arc is the
//!   last blocking arc met when walking the cycle in its orientation from the join node, which
//!   keeps the tree strongly feasible and avoids cycling;
//! - the tree is re-indexed in time proportional to the moved subtree; no allocation happens in
//!   the pivot loop.
//!
//! Internally potentials follow LEMON's sign (`rc = c + π(u) - π(v)`); the returned potentials
//! are negated so they follow the crate convention of `mod.rs` (`rc = c - pi[u] + pi[v]`).
//!
//! # Exactness
//!
//! All arithmetic is `i64`. Instead of checking every addition in the pivot loop, the solver
//! bounds every quantity before it starts: with `F = Σ|b| + Σ finite capacities` every flow
//! stays in `[0, F]`, with `M = min(Σ|c|, n·max|c|) + 1` every potential stays below `2M` and
//! every reduced cost below `5M`. `new`/`resolve` fail with [`SolveError::Overflow`] when
//! `F > i64::MAX / 4` or `M > i64::MAX / 8`; otherwise no overflow is possible. Objectives are
//! summed in `i128`.
//!
//! # Warm start
//!
//! After a solve the basis (tree, arc states, potentials) is kept. [`NetworkSimplex::set_cost`],
//! [`NetworkSimplex::set_supply`], [`NetworkSimplex::set_bounds`] and
//! [`NetworkSimplex::update`] change data; [`NetworkSimplex::resolve`] restarts from the kept
//! basis. The setters and `update` record what changed (node balance deltas, arcs whose
//! capacity changed); `update` validates, checks the topology and copies the data in `O(m)`
//! tight passes and keeps the new costs aside until the flows are repaired. `resolve` then:
//!
//! - puts the non-tree arcs whose capacity changed back on their bounds and pushes every node's
//!   balance change up the tree (`O(n)` plus the changed arcs): the new tree flows, possibly
//!   out of bounds;
//! - if the previous solve ended optimal, runs a *dual* network simplex phase with the old
//!   costs (for which the basis is dual feasible): the most violated tree arc leaves at its
//!   bound, and the non-tree arc across its cut with the smallest reduced cost enters (the cut
//!   is enumerated on its side with fewer nodes, from per-node incidence lists grouped by
//!   direction and finite capacity, so that the arcs of infinite capacity that could only
//!   carry the excess from their upper bound are never read). The phase stops when the flows
//!   are feasible, when a cut has no entering arc, or when its work budget (`m / 2`
//!   incidences) is spent;
//! - once the flows are feasible, degenerate dual pivots (same entering rule, no flow change)
//!   replace the tree arcs that break strong feasibility, i.e. sit at the bound that blocks
//!   pushing flow towards the root; only nodes whose tree arc changed are checked;
//! - cuts every tree arc still out of bounds (or breaking strong feasibility): it becomes a
//!   non-tree arc at the violated bound and its subtree is re-hung from the root by its own
//!   artificial arc, which carries the residual imbalance. The result is a strongly feasible
//!   basis of the big-M problem;
//! - applies the new costs, recomputes potentials and continues with primal pivots. With block
//!   search, these first price only an *active set*: about `m / 24` non-tree arcs closest to
//!   eligibility when the set was built, joined by every arc that leaves the tree or that the
//!   set missed, and pruned of tree arcs before each re-solve (rebuilt when it misses often or
//!   grows past `m / 2`). A branch-free pass over all arcs then proves optimality, or block
//!   search over all arcs finds the arc to enter next.
//!
//! The dual phase and the active set are only ways of choosing the tree: the primal phase that
//! follows starts from a strongly feasible basis whatever the dual phase did, and stops only
//! when no arc at all is eligible, so exactness does not depend on either.
//!
//! # Potentials returned
//!
//! At an optimum the tree may still contain several zero-flow artificial arcs, so the raw
//! potentials of different root subtrees differ by multiples of `M`. Before returning, each
//! root subtree is shifted by the shortest-path solution of the difference constraints imposed
//! by the non-tree arcs between subtrees (Dijkstra with the big-M potentials as a Johnson
//! reweighting). The returned potentials are therefore valid duals for every arc and are sums of
//! original arc costs only, never involving `M`. The usual case needs no search: when all root
//! children share one potential (the remaining artificial arcs all point to the root, at cost
//! 0), every shift is 0.

use super::problem::MAX_ABS_VALUE;
use super::{FlowProblem, FlowSolution, ProblemError, SolveError, SolveStatus, INFINITE_CAPACITY};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Entering-arc selection strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PivotRule {
    /// Scan blocks of `≈ √m` arcs cyclically and take the most violating arc of the first block
    /// that contains one (Grigoriadis' rule, as in LEMON). The fastest on every family measured.
    #[default]
    BlockSearch,
    /// Take the first violating arc found by a cyclic scan.
    FirstEligible,
    /// Dantzig's rule: the most violating arc over all arcs (slow; for tests).
    BestEligible,
    /// Major iterations collect up to `≈ √m / 4` violating arcs; up to a tenth as many minor
    /// iterations pick the best of that list.
    CandidateList,
}

const INF: i64 = INFINITE_CAPACITY;
const STATE_UPPER: i8 = -1;
const STATE_TREE: i8 = 0;
const STATE_LOWER: i8 = 1;
const DIR_UP: i8 = 1;
const DIR_DOWN: i8 = -1;
const NONE: u32 = u32::MAX;
/// Warm re-solves whose repair cut no tree arc price blocks of `block_size / WARM_BLOCK_DIVISOR`
/// arcs (at least `MIN_BLOCK`): few arcs are then eligible, and smaller blocks waste less of
/// each scan. After cuts, the big-M pivots find many eligible arcs and full blocks choose better.
const WARM_BLOCK_DIVISOR: usize = 8;
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
const MIN_BLOCK: usize = 10;
/// Incidence groups per node (see `build_adjacency`).
const ADJ_GROUPS: usize = 4;

/// Largest admissible flow bound `F` (see the module documentation).
const FLOW_LIMIT: i128 = (i64::MAX / 4) as i128;
/// Largest admissible artificial cost `M`.
const COST_LIMIT: i128 = 1 << 59;
/// Potentials are shifted back towards `pi[root] = 0` when the root's drifts beyond this
/// (tiny in unit tests, so that the re-centring is exercised by every test).
#[cfg(not(test))]
const DRIFT_LIMIT: i64 = 1 << 61;
#[cfg(test)]
const DRIFT_LIMIT: i64 = 1 << 12;

/// Network simplex solver holding its basis, so that it can be warm-started.
///
/// Arcs `0..m` are the problem's arcs, arcs `m..m+n` the artificial arcs (arc `m + v` joins
/// node `v` and the root `n`). Node arrays have `n + 1` entries.
#[derive(Debug, Clone)]
pub struct NetworkSimplex {
    n: usize,
    m: usize,
    rule: PivotRule,
    /// Internal position of each input arc (arcs are interleaved, as LEMON's "arc mixing", so
    /// that each pricing block sees arcs of many tails).
    pos: Vec<u32>,
    /// The same order as strided loops.
    mixing: Mixing,

    // Problem data as given (original supplies and lower bounds; `lower` is empty while all
    // lower bounds are zero).
    supply: Vec<i64>,
    lower: Vec<i64>,

    // Arc arrays (m + n).
    source: Vec<u32>,
    target: Vec<u32>,
    cost: Vec<i64>,
    /// `upper - lower`, or `INF`.
    cap: Vec<i64>,
    /// Flow in shifted coordinates (`0 ..= cap`).
    flow: Vec<i64>,
    state: Vec<i8>,

    // Node arrays (n + 1).
    pi: Vec<i64>,
    parent: Vec<u32>,
    pred: Vec<u32>,
    thread: Vec<u32>,
    rev_thread: Vec<u32>,
    succ_num: Vec<u32>,
    last_succ: Vec<u32>,
    pred_dir: Vec<i8>,

    // Pivot scratch.
    dirty_revs: Vec<u32>,
    /// Nodes whose tree arc may break strong feasibility after the flow repair.
    weak: Vec<u32>,

    // Warm-start bookkeeping (see `update` and `repair_flows`).
    /// Transformed supplies (`supply` shifted by the lower bounds) in effect, and the sum of
    /// their magnitudes.
    bt: Vec<i128>,
    bt_abs: i128,
    /// Pending change, per node, of the net outflow the tree arcs must carry (`n + 1`; all
    /// zero when `flows_dirty` is false).
    delta: Vec<i64>,
    /// Arcs whose capacity changed since the last solve (may repeat).
    dirty_arcs: Vec<u32>,
    /// Spare cost buffer (`update` fills it, then swaps it with `cost`), and input arcs whose
    /// bounds `update` found changed.
    cost_next: Vec<i64>,
    changed: Vec<u32>,
    /// `cost_next[..m]` holds the current costs (set by `update`, applied by `resolve`).
    costs_pending: bool,
    /// The basis is optimal for `cost` (with the potentials `pi`): the dual repair may run.
    dual_ok: bool,
    /// Incidences of every node in four groups (CSR, built by the first dual repair; see
    /// `build_adjacency`) and node marks.
    adj_start: Vec<u32>,
    adj: Vec<u64>,
    /// Internal arcs whose capacity became finite or infinite since the incidences were
    /// grouped: the groups of their ends are sorted again before the next use.
    regroup: Vec<u32>,
    mark: Vec<u32>,
    stamp: u32,
    /// Tail and head of every input arc, in input order (built by the first `update`, which
    /// checks the topology against them).
    ends_tail: Vec<u32>,
    ends_head: Vec<u32>,
    /// Upper bound of every input arc as last given, in input order (built with `ends_tail`):
    /// `update` compares the new bounds with it chunk by chunk.
    ends_upper: Vec<i64>,
    /// `Σ supply`, `Σ finite cap` over the problem's arcs.
    supply_sum: i128,
    cap_sum: i128,
    /// `M` that the current costs need, or `None` when it must be recomputed.
    needed_m: Option<i64>,

    /// Warm pricing (block search only): the arcs most likely to enter in a warm re-solve,
    /// in internal order (see `build_active`), the search position in it, and whether it must
    /// be rebuilt before the next warm re-solve.
    active: Vec<ActiveArc>,
    /// Scratch of `build_active`: each arc's bucket.
    active_keys: Vec<u16>,
    /// Membership of every problem arc in `active` (empty until the first warm re-solve).
    in_active: Vec<bool>,
    /// How many arcs `build_active` chooses (0 until the first build).
    active_want: usize,
    next_active: usize,
    active_stale: bool,

    // Pivot rule state.
    next_arc: usize,
    block_size: usize,
    candidates: Vec<u32>,
    cand_len: usize,
    list_length: usize,
    minor_limit: usize,
    minor_count: usize,

    art_cost: i64,
    has_basis: bool,
    flows_dirty: bool,
    iterations: u64,
    /// Pivots after which a warm primal phase gives up for a cold solve (see
    /// [`warm_pivot_limit`]); `u64::MAX` in a cold solve.
    pivot_limit: u64,
    /// The last primal phase stopped at `pivot_limit`.
    gave_up: bool,
    /// Replaces [`warm_pivot_limit`] (tests of the fallback).
    warm_limit_override: Option<u64>,
}

/// An arc of the warm-pricing active set, with the data its reduced cost needs (the cost is
/// refreshed before each warm run), so that pricing reads one record instead of four arrays.
#[derive(Debug, Clone, Copy)]
struct ActiveArc {
    cost: i64,
    source: u32,
    target: u32,
    arc: u32,
}

/// The group (see `build_adjacency`) of an incidence: of an arc leaving the node (`out`) or
/// entering it, of finite capacity or not.
fn incidence_group(out: bool, finite: bool) -> usize {
    match (out, finite) {
        (true, false) => 0,
        (true, true) => 1,
        (false, true) => 2,
        (false, false) => 3,
    }
}

/// Whether a tree arc with flow `flow` and capacity `cap`, pointing to the root when `up`,
/// blocks pushing flow from its child towards the root (strong feasibility forbids it).
fn blocks_root(up: bool, flow: i64, cap: i64) -> bool {
    flow == if up { cap } else { 0 }
}

/// Transformed supplies and the flow bound of a problem state.
fn transformed_supply(
    supply: &[i64],
    lower: &[i64],
    source: &[u32],
    target: &[u32],
    cap: &[i64],
) -> Result<Vec<i64>, SolveError> {
    let n = supply.len();
    let mut b: Vec<i128> = supply.iter().map(|&s| s as i128).collect();
    for (a, &l) in lower.iter().enumerate() {
        if l != 0 {
            b[source[a] as usize] -= l as i128;
            b[target[a] as usize] += l as i128;
        }
    }
    let mut bound: i128 = 0;
    let mut out = Vec::with_capacity(n);
    for &x in &b {
        bound += x.abs();
        out.push(x as i64);
    }
    for &c in cap {
        if c != INF {
            bound += c as i128;
        }
    }
    if bound > FLOW_LIMIT {
        return Err(SolveError::Overflow(
            "total flow bound exceeds i64::MAX / 4",
        ));
    }
    Ok(out)
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

/// The arc order of [`mixing_order`] as structure: internal positions are filled column by
/// column (`j = i mod skip`, each column from the top) by the input arcs in reverse order, and
/// the first `m mod skip` columns hold one arc more than the others. Copies between input and
/// internal order then run as strided loops, without reading `pos`.
#[derive(Debug, Clone, Copy)]
struct Mixing {
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
    fn new(n: usize, m: usize) -> Self {
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
    fn input(&self, i: usize) -> usize {
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
    fn scatter_costs(&self, input: &[i64], internal: &mut [i64]) -> (u64, u64, i128) {
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
    fn scatter<T: Copy>(&self, input: &[T], internal: &mut [T]) {
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

/// The block of block search in a cold solve: `√m`, at least 10 arcs (LEMON's).
fn cold_block_size(m: usize) -> usize {
    ((m as f64).sqrt() as usize).max(10)
}

/// Work budget (incidences examined) of the strong feasibility repair of a warm re-solve, and
/// one round of the dual repair's: half a pass over the arcs. Past it the remaining arcs are
/// cut.
fn repair_budget(m: usize) -> i64 {
    (m / 2).max(64) as i64
}

/// Rounds of `m/2` incidences the dual repair may spend while it converges. Past them (or
/// once more arcs are out of bounds than at its start) the remaining arcs are cut, which
/// moves the potentials of their subtrees by `M` and costs the primal phase more pivots. On
/// the lexicographic Ordos allocation one round cut in nearly every phase and needed 3x the
/// pivots, and 16 rounds never cut; on the generated 10^4 instances the repair diverges (the
/// out-of-bounds arcs grow from ≈ 140 to ≈ 175 in the first round, near the super-sink whose
/// incidences cover most arcs) and 16 rounds unconditionally made re-solves 30–40 % slower.
const REPAIR_ROUNDS: usize = 16;

/// Pivots after which a warm re-solve gives up and solves cold. A warm start may keep tree
/// arcs that are not strongly feasible (sealed subtrees, see `restore_strong_feasibility`),
/// where the leaving arc rule no longer rules out cycling in degenerate pivots; far more
/// pivots than a cold solve needs on such networks means something is wrong, and the cold
/// solve is exact and finite.
fn warm_pivot_limit(n: usize, m: usize) -> u64 {
    2 * (n as u64 + m as u64) + 1000
}

/// LEMON's arc mixing: arcs are taken in reverse input order (the order in which LEMON's graphs
/// enumerate them) and input arc `a` goes to position `pos[a]`, filling every `skip`-th slot.
/// With this order the pivot sequence is the same as LEMON's on the same input.
/// (The loop below is the reference that [`Mixing`]'s strided form is tested against.)
fn mixing_order(n: usize, m: usize) -> Vec<u32> {
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

/// `M = min(Σ|c|, n·max|c|) + 1`: more than the cost of any simple path.
fn artificial_cost(cost: &[i64], n: usize) -> Result<i64, SolveError> {
    let mut sum: i128 = 0;
    let mut max: i128 = 0;
    for &c in cost {
        let a = (c as i128).abs();
        sum += a;
        max = max.max(a);
    }
    let m = sum.min(max * n as i128) + 1;
    if m > COST_LIMIT {
        return Err(SolveError::Overflow("artificial cost exceeds 2^59"));
    }
    Ok(m as i64)
}

fn check_value(what: &'static str, index: usize, value: i64) -> Result<(), ProblemError> {
    if value.unsigned_abs() > MAX_ABS_VALUE as u64 {
        return Err(ProblemError::TooLarge { what, index, value });
    }
    Ok(())
}

impl NetworkSimplex {
    /// Builds the solver's arrays for `problem` (validated); nothing is solved yet.
    pub fn new(problem: &FlowProblem, pivot: PivotRule) -> Result<Self, SolveError> {
        problem.validate()?;
        let n = problem.num_nodes();
        let m = problem.num_arcs();
        let all = m + n;
        let has_lower = problem.lower.iter().any(|&l| l != 0);

        let pos = mixing_order(n, m);
        let mut source = vec![0u32; all];
        let mut target = vec![0u32; all];
        let mut cost = vec![0i64; all];
        let mut cap = vec![INF; all];
        let mut lower = if has_lower { vec![0i64; m] } else { Vec::new() };
        for a in 0..m {
            let i = pos[a] as usize;
            source[i] = problem.tail[a];
            target[i] = problem.head[a];
            cost[i] = problem.cost[a];
            let (l, u) = (problem.lower[a], problem.upper[a]);
            cap[i] = if u == INF { INF } else { u - l };
            if has_lower {
                lower[i] = l;
            }
        }

        let cap_sum = cap[..m]
            .iter()
            .filter(|&&c| c != INF)
            .map(|&c| c as i128)
            .sum();
        let block_size = cold_block_size(m);
        let list_length = ((0.25 * (m as f64).sqrt()) as usize).max(10);
        let minor_limit = ((0.1 * list_length as f64) as usize).max(3);

        Ok(NetworkSimplex {
            n,
            m,
            rule: pivot,
            pos,
            mixing: Mixing::new(n, m),
            supply: problem.supply.clone(),
            lower,
            source,
            target,
            cost,
            cap,
            flow: vec![0; all],
            state: vec![STATE_LOWER; all],
            pi: vec![0; n + 1],
            parent: vec![NONE; n + 1],
            pred: vec![NONE; n + 1],
            thread: vec![0; n + 1],
            rev_thread: vec![0; n + 1],
            succ_num: vec![0; n + 1],
            last_succ: vec![0; n + 1],
            pred_dir: vec![DIR_UP; n + 1],
            dirty_revs: Vec::with_capacity(n + 1),
            weak: Vec::new(),
            bt: vec![0; n],
            bt_abs: 0,
            delta: vec![0; n + 1],
            dirty_arcs: Vec::new(),
            cost_next: Vec::new(),
            changed: Vec::new(),
            ends_tail: Vec::new(),
            ends_head: Vec::new(),
            ends_upper: Vec::new(),
            costs_pending: false,
            dual_ok: false,
            adj_start: Vec::new(),
            adj: Vec::new(),
            regroup: Vec::new(),
            mark: Vec::new(),
            stamp: 0,
            supply_sum: 0,
            cap_sum,
            needed_m: None,
            active_keys: Vec::new(),
            active: Vec::new(),
            in_active: Vec::new(),
            active_want: 0,
            next_active: 0,
            active_stale: true,
            next_arc: 0,
            block_size,
            candidates: Vec::new(),
            cand_len: 0,
            list_length,
            minor_limit,
            minor_count: 0,
            art_cost: 1,
            has_basis: false,
            flows_dirty: false,
            iterations: 0,
            pivot_limit: u64::MAX,
            gave_up: false,
            warm_limit_override: None,
        })
    }

    /// Number of nodes.
    pub fn num_nodes(&self) -> usize {
        self.n
    }

    /// Number of arcs.
    pub fn num_arcs(&self) -> usize {
        self.m
    }

    /// The pivot rule in use.
    pub fn pivot_rule(&self) -> PivotRule {
        self.rule
    }

    /// Changes the pivot rule (takes effect at the next solve or resolve).
    pub fn set_pivot_rule(&mut self, rule: PivotRule) {
        self.rule = rule;
    }

    /// Solves from scratch (discarding any kept basis) and keeps the final basis.
    pub fn solve(&mut self) -> Result<FlowSolution, SolveError> {
        self.commit_costs();
        self.dual_ok = false;
        self.check_balance()?;
        let b = transformed_supply(
            &self.supply,
            &self.lower,
            &self.source,
            &self.target,
            &self.cap[..self.m],
        )?;
        self.art_cost = artificial_cost(&self.cost[..self.m], self.n)?;
        self.needed_m = Some(self.art_cost);
        for (t, &x) in self.bt.iter_mut().zip(&b) {
            *t = x as i128;
        }
        self.bt_abs = self.bt.iter().map(|&x| x.abs()).sum();
        self.delta.fill(0);
        self.dirty_arcs.clear();
        self.init_cold(&b);
        self.active_stale = true;
        self.iterations = 0;
        self.pivot_limit = u64::MAX;
        if !self.initial_pivots(&b) {
            return self.finish_unbounded();
        }
        self.run::<false>()
    }

    /// Re-solves after data changes, starting from the basis of the previous solve (falls back to
    /// [`solve`](Self::solve) when there is none). The result is identical in objective to a
    /// cold solve of the changed problem.
    pub fn resolve(&mut self) -> Result<FlowSolution, SolveError> {
        if !self.has_basis {
            return self.solve();
        }
        if self.supply_sum != 0 {
            return Err(ProblemError::Unbalanced(self.supply_sum).into());
        }
        let needed = match self.needed_m {
            Some(x) => x,
            None => {
                let x = artificial_cost(self.current_costs(), self.n)?;
                self.needed_m = Some(x);
                x
            }
        };
        if self.flows_dirty {
            debug_assert_eq!(self.bt_abs, self.bt.iter().map(|&x| x.abs()).sum::<i128>());
            let bound = self.bt_abs + self.cap_sum;
            if bound > FLOW_LIMIT {
                return Err(SolveError::Overflow(
                    "total flow bound exceeds i64::MAX / 4",
                ));
            }
        }
        self.iterations = 0;
        self.pivot_limit = self
            .warm_limit_override
            .unwrap_or_else(|| warm_pivot_limit(self.n, self.m));
        let mut cut = false;
        if self.flows_dirty {
            cut = self.repair_flows();
            self.flows_dirty = false;
        }
        self.commit_costs();
        self.dual_ok = false;
        // Keep M unless the new costs need a larger one: changing it would shift the
        // potentials of whole root subtrees and make arcs between them eligible for nothing.
        self.art_cost = self.art_cost.max(needed);
        // Artificial costs follow the current direction of each artificial arc.
        let (m, n, root) = (self.m, self.n, self.n as u32);
        let big_m = self.art_cost;
        for (c, &s) in self.cost[m..m + n].iter_mut().zip(&self.source[m..m + n]) {
            *c = if s == root { big_m } else { 0 };
        }
        self.compute_potentials();
        let cold_block = self.block_size;
        if !cut {
            self.block_size = (cold_block / WARM_BLOCK_DIVISOR).max(MIN_BLOCK);
        }
        let result = if self.rule == PivotRule::BlockSearch && !cut {
            self.run_warm(cold_block)
        } else {
            self.run::<true>()
        };
        self.block_size = cold_block;
        result
    }

    /// Sets the supply of `node` (positive = source). Supplies must sum to zero again before the
    /// next [`resolve`](Self::resolve).
    pub fn set_supply(&mut self, node: usize, value: i64) -> Result<(), SolveError> {
        check_value("supply of node", node, value)?;
        let old = self.supply[node];
        if old != value {
            self.supply[node] = value;
            self.supply_sum += value as i128 - old as i128;
            self.shift_supply(node, value - old);
        }
        Ok(())
    }

    /// Sets the cost of `arc`.
    pub fn set_cost(&mut self, arc: usize, value: i64) -> Result<(), SolveError> {
        check_value("cost of arc", arc, value)?;
        let i = self.pos[arc] as usize;
        let cost = if self.costs_pending {
            &mut self.cost_next
        } else {
            // The basis is no longer dual feasible for `cost`.
            self.dual_ok = false;
            &mut self.cost
        };
        if cost[i] != value {
            cost[i] = value;
            self.needed_m = None;
        }
        Ok(())
    }

    /// Sets the bounds of `arc` (`upper` may be [`INFINITE_CAPACITY`]).
    pub fn set_bounds(&mut self, arc: usize, lower: i64, upper: i64) -> Result<(), SolveError> {
        let i = self.pos[arc] as usize;
        if lower > upper {
            return Err(ProblemError::BadBounds { arc, lower, upper }.into());
        }
        check_value("lower bound of arc", arc, lower)?;
        if upper != INF {
            check_value("upper bound of arc", arc, upper)?;
        }
        if lower != 0 && self.lower.is_empty() {
            self.lower = vec![0; self.m];
        }
        let new_cap = if upper == INF { INF } else { upper - lower };
        self.set_lower_and_cap(i, lower, new_cap);
        if let Some(u) = self.ends_upper.get_mut(arc) {
            *u = upper;
        }
        Ok(())
    }

    /// [`update`](Self::update), or, when `problem` has other nodes or arcs, a fresh solver for
    /// it (same pivot rule, no basis): either way the next [`resolve`](Self::resolve) solves
    /// `problem`. On any other error nothing is changed.
    pub fn update_or_reset(&mut self, problem: &FlowProblem) -> Result<(), SolveError> {
        match self.update(problem) {
            Err(SolveError::TopologyChanged) => {
                *self = NetworkSimplex::new(problem, self.rule)?;
                Ok(())
            }
            other => other,
        }
    }

    /// Replaces supplies, bounds and costs by those of `problem`, which must have the same nodes
    /// and arcs (same tails and heads in the same order). `problem` is validated as by
    /// [`FlowProblem::validate`]; on any error nothing is changed.
    pub fn update(&mut self, problem: &FlowProblem) -> Result<(), SolveError> {
        let (n, m) = (self.n, self.m);
        let arcs = problem.tail.len();
        if problem.head.len() != arcs
            || problem.lower.len() != arcs
            || problem.upper.len() != arcs
            || problem.cost.len() != arcs
        {
            return Err(ProblemError::Lengths.into());
        }
        if problem.supply.len() != n || arcs != m {
            problem.validate()?;
            return Err(SolveError::TopologyChanged);
        }
        let limit = MAX_ABS_VALUE as u64;
        let in_range = |x: i64| (x.wrapping_add(MAX_ABS_VALUE) as u64) <= 2 * limit;
        let mut total: i128 = 0;
        let mut bad = false;
        for &b in &problem.supply {
            bad |= !in_range(b);
            total += b as i128;
        }
        if bad || total != 0 {
            problem.validate()?;
        }
        // Slice comparisons check the topology; tight passes validate the values, write the new
        // costs into the spare cost buffer and list the arcs whose bounds changed. Nothing else
        // changes before all of it succeeds.
        let (tail, head) = (&problem.tail[..m], &problem.head[..m]);
        let (lower, upper, cost) = (&problem.lower[..m], &problem.upper[..m], &problem.cost[..m]);
        if self.cost_next.len() != m + n {
            self.cost_next = vec![0; m + n];
        }
        // `changed` keeps length `m`; its first `n_changed` entries list the arcs.
        let mut changed = std::mem::take(&mut self.changed);
        if changed.len() != m {
            changed = vec![0; m];
        }
        if self.ends_tail.len() != m {
            // First update: the structures of the warm start.
            self.build_adjacency();
            let (mut t, mut h, mut u) = (vec![0u32; m], vec![0u32; m], vec![0i64; m]);
            for a in 0..m {
                let i = self.pos[a] as usize;
                (t[a], h[a]) = (self.source[i], self.target[i]);
                let (c, l) = (self.cap[i], self.lower.get(i).copied().unwrap_or(0));
                u[a] = if c == INF { INF } else { c + l };
            }
            (self.ends_tail, self.ends_head, self.ends_upper) = (t, h, u);
        }
        let same_topology = tail == &self.ends_tail[..] && head == &self.ends_head[..];
        if self.costs_pending {
            // The spare cost buffer holds costs set since the last solve: validate before
            // overwriting it, so that a failed update leaves them in place.
            problem.validate()?;
            if !same_topology {
                return Err(SolveError::TopologyChanged);
            }
        }
        // Costs: the pass that copies them into internal order also checks their range and
        // sums their magnitudes for `M` (shifted ORs: all lie in (-2^50, 2^50) when no shifted
        // value reaches 2^51; otherwise `validate` decides, values of exactly ±2^50 being
        // valid). Sums run in u64 over runs small enough not to overflow.
        let (abs_bits, mut out, abs_sum) = self.mixing.scatter_costs(cost, &mut self.cost_next);
        // Bounds. Values kept from earlier calls were valid then: only changed ones are checked.
        // Without lower bounds (before and now) the capacity is the upper bound itself, `INF`
        // included: chunks equal to the last upper bounds given are skipped whole.
        let lower_bits = lower.iter().fold(0i64, |acc, &l| acc | l);
        let has_lower = lower_bits != 0;
        let mut order = 0i64;
        let mut cap_sum = self.cap_sum;
        let mut n_changed = 0usize;
        if !has_lower && self.lower.is_empty() {
            let (last, list) = (&self.ends_upper[..m], &mut changed[..m]);
            const CHUNK: usize = 64;
            for (k, (new, old)) in upper.chunks(CHUNK).zip(last.chunks(CHUNK)).enumerate() {
                let diff = new.iter().zip(old).fold(0i64, |d, (&x, &y)| d | (x ^ y));
                if diff != 0 {
                    for (j, (&x, &y)) in new.iter().zip(old).enumerate() {
                        list[n_changed] = (k * CHUNK + j) as u32;
                        n_changed += (x != y) as usize;
                    }
                }
            }
            if 4 * n_changed <= m {
                for &a in &list[..n_changed] {
                    let (u, old) = (upper[a as usize], last[a as usize]);
                    if old != INF {
                        cap_sum -= old as i128;
                    }
                    if u != INF {
                        out |= u.wrapping_add(MAX_ABS_VALUE) as u64;
                        order |= u;
                        cap_sum += u as i128;
                    }
                }
            } else {
                // Most bounds changed: one pass over all of them (no branches) is cheaper.
                cap_sum = 0;
                for chunk in upper.chunks(4096) {
                    let mut chunk_sum = 0u64;
                    for &u in chunk {
                        let uf = if u == INF { 0 } else { u };
                        out |= uf.wrapping_add(MAX_ABS_VALUE) as u64;
                        order |= uf;
                        chunk_sum = chunk_sum.wrapping_add(uf as u64);
                    }
                    cap_sum += chunk_sum as i128;
                }
            }
        } else {
            // Lower bounds: every arc is checked and the sums are recomputed.
            cap_sum = 0;
            let (pos, cap_in, lower_in) = (&self.pos[..m], &self.cap[..m], &self.lower[..]);
            let keep_lower = !lower_in.is_empty();
            let list = &mut changed[..m];
            for start in (0..m).step_by(4096) {
                let end = (start + 4096).min(m);
                let mut chunk_cap = 0u64;
                for a in start..end {
                    let (i, l, u) = (pos[a] as usize, lower[a], upper[a]);
                    let finite = u != INF;
                    // An infinite upper bound counts as `l` (no capacity, no order check).
                    let uf = if finite { u } else { l };
                    out |= (l.wrapping_add(MAX_ABS_VALUE) as u64)
                        | (uf.wrapping_add(MAX_ABS_VALUE) as u64);
                    // In range, `u - l` is negative exactly when `l > u`.
                    let k = uf.wrapping_sub(l);
                    order |= k;
                    chunk_cap = chunk_cap.wrapping_add(k as u64);
                    let new_cap = if finite { k } else { INF };
                    let old_lower = if keep_lower { lower_in[i] } else { 0 };
                    let differs = (cap_in[i] != new_cap) | (old_lower != l);
                    list[n_changed] = a as u32;
                    n_changed += differs as usize;
                }
                cap_sum += chunk_cap as i128;
            }
        }
        bad |= out >= 2 * limit || order < 0;
        if bad || !same_topology {
            self.changed = changed;
            // Report exactly what `validate` reports, and a changed topology only for an
            // otherwise valid problem.
            problem.validate()?;
            if !same_topology {
                return Err(SolveError::TopologyChanged);
            }
            changed = std::mem::take(&mut self.changed);
        }
        // Commit. The new costs wait in `cost_next` until `resolve` has repaired the flows
        // with the old ones (for which the basis is dual feasible).
        self.costs_pending = true;
        for v in 0..n {
            let (old, new) = (self.supply[v], problem.supply[v]);
            if old != new {
                self.supply[v] = new;
                self.shift_supply(v, new - old);
            }
        }
        self.supply_sum = 0;
        if has_lower && self.lower.is_empty() {
            self.lower = vec![0; m];
        }
        let changed_arcs = &changed[..n_changed];
        if self.lower.is_empty() {
            // (With lower bounds, `set_lower_and_cap` below notes them.)
            for &a in changed_arcs {
                let a = a as usize;
                if (self.ends_upper[a] == INF) != (upper[a] == INF) {
                    self.regroup_later(self.pos[a] as usize);
                }
            }
        }
        if 4 * n_changed <= m {
            for &a in changed_arcs {
                self.ends_upper[a as usize] = upper[a as usize];
            }
        } else {
            self.ends_upper.copy_from_slice(upper);
        }
        if !self.lower.is_empty() {
            for &a in changed_arcs {
                let a = a as usize;
                let (l, u) = (lower[a], upper[a]);
                let c = if u == INF { INF } else { u - l };
                self.set_lower_and_cap(self.pos[a] as usize, l, c);
            }
            if !has_lower {
                self.lower = Vec::new();
            }
            debug_assert_eq!(self.cap_sum, cap_sum);
        } else if !changed_arcs.is_empty() {
            // Capacities only (the common case): no supply shifts.
            let (pos, cap) = (&self.pos, &mut self.cap);
            // Many changes: the repair visits every arc in order instead of a list.
            let track = self.dirty_arcs.len() + n_changed <= m / 4;
            if track {
                for &a in changed_arcs {
                    let a = a as usize;
                    let i = pos[a] as usize;
                    cap[i] = upper[a];
                    self.dirty_arcs.push(i as u32);
                }
            } else {
                // Without lower bounds the capacities are the upper bounds (`INF` included).
                self.mixing.scatter(upper, &mut cap[..m]);
                self.dirty_arcs.clear();
                self.dirty_arcs.resize(m + 1, 0);
            }
            self.flows_dirty = true;
        }
        self.changed = changed;
        self.cap_sum = cap_sum;
        // `abs_bits` (an OR) lies in [max|c|, 2 max|c|): the bound stays valid, if looser.
        let needed = abs_sum.min(abs_bits as i128 * n as i128) + 1;
        self.needed_m = (needed <= COST_LIMIT).then_some(needed as i64);
        Ok(())
    }

    /// Adds `d` to the supply of `v` in the bookkeeping of the flow repair.
    fn shift_supply(&mut self, v: usize, d: i64) {
        let old = self.bt[v];
        self.bt[v] += d as i128;
        self.bt_abs += self.bt[v].abs() - old.abs();
        self.delta[v] = self.delta[v].wrapping_add(d);
        self.flows_dirty = true;
    }

    /// Sets the lower bound and the shifted capacity of internal arc `i` (bookkeeping of the
    /// flow repair included). `lower` must be 0 when no lower bounds are kept.
    fn set_lower_and_cap(&mut self, i: usize, lower: i64, cap: i64) {
        if !self.lower.is_empty() {
            let old = self.lower[i];
            if old != lower {
                // Raising the lower bound moves `dl` units from the tail to the head.
                let dl = lower - old;
                let (s, t) = (self.source[i] as usize, self.target[i] as usize);
                self.shift_supply(s, -dl);
                self.shift_supply(t, dl);
                self.lower[i] = lower;
            }
        }
        let old = self.cap[i];
        if old != cap {
            if (old == INF) != (cap == INF) {
                self.regroup_later(i);
            }
            if old != INF {
                self.cap_sum -= old as i128;
            }
            if cap != INF {
                self.cap_sum += cap as i128;
            }
            self.cap[i] = cap;
            if self.dirty_arcs.len() <= self.m {
                self.dirty_arcs.push(i as u32);
            }
            self.flows_dirty = true;
        }
    }

    /// The costs of the problem's arcs as currently set (internal order).
    fn current_costs(&self) -> &[i64] {
        if self.costs_pending {
            &self.cost_next[..self.m]
        } else {
            &self.cost[..self.m]
        }
    }

    /// Moves pending costs (from `update`) into `cost`.
    fn commit_costs(&mut self) {
        if self.costs_pending {
            let m = self.m;
            self.cost_next[m..].copy_from_slice(&self.cost[m..]);
            std::mem::swap(&mut self.cost, &mut self.cost_next);
            self.costs_pending = false;
        }
    }

    fn check_balance(&self) -> Result<(), SolveError> {
        let total: i128 = self.supply.iter().map(|&s| s as i128).sum();
        if total != 0 {
            return Err(ProblemError::Unbalanced(total).into());
        }
        Ok(())
    }

    // ------------------------------------------------------------------------------------------
    // Initialisation

    fn init_cold(&mut self, b: &[i64]) {
        let (n, m) = (self.n, self.m);
        let root = n;
        let big_m = self.art_cost;
        self.flow[..m].fill(0);
        self.state[..m].fill(STATE_LOWER);
        self.parent[root] = NONE;
        self.pred[root] = NONE;
        self.thread[root] = 0;
        self.rev_thread[0] = root as u32;
        self.succ_num[root] = (n + 1) as u32;
        self.last_succ[root] = if n == 0 {
            root as u32
        } else {
            (root - 1) as u32
        };
        self.pi[root] = 0;
        for u in 0..n {
            let e = m + u;
            self.parent[u] = root as u32;
            self.pred[u] = e as u32;
            self.thread[u] = (u + 1) as u32;
            self.rev_thread[u + 1] = u as u32;
            self.succ_num[u] = 1;
            self.last_succ[u] = u as u32;
            self.cap[e] = INF;
            self.state[e] = STATE_TREE;
            if b[u] >= 0 {
                self.pred_dir[u] = DIR_UP;
                self.pi[u] = 0;
                self.source[e] = u as u32;
                self.target[e] = root as u32;
                self.flow[e] = b[u];
                self.cost[e] = 0;
            } else {
                self.pred_dir[u] = DIR_DOWN;
                self.pi[u] = big_m;
                self.source[e] = root as u32;
                self.target[e] = u as u32;
                self.flow[e] = -b[u];
                self.cost[e] = big_m;
            }
        }
        self.next_arc = 0;
        self.cand_len = 0;
        self.minor_count = 0;
        self.flows_dirty = false;
        self.has_basis = true;
    }

    /// Heuristic initial pivots (as LEMON): for a single source and sink, the arcs of a
    /// reverse search from the sink over arcs of enough capacity; otherwise the cheapest
    /// incoming arc of every demand node. Returns `false` on an unbounded cycle.
    fn initial_pivots(&mut self, b: &[i64]) -> bool {
        let (n, m) = (self.n, self.m);
        let mut total: i128 = 0;
        let mut supply_nodes = Vec::new();
        let mut demand_nodes = Vec::new();
        for (v, &x) in b.iter().enumerate() {
            if x > 0 {
                total += x as i128;
                supply_nodes.push(v);
            } else if x < 0 {
                demand_nodes.push(v);
            }
        }
        if total <= 0 || m == 0 {
            return true;
        }
        let mut arcs: Vec<usize> = Vec::new();
        if supply_nodes.len() == 1 && demand_nodes.len() == 1 {
            // In-arc lists (CSR).
            let mut start = vec![0u32; n + 1];
            for a in 0..m {
                start[self.target[a] as usize + 1] += 1;
            }
            for v in 0..n {
                start[v + 1] += start[v];
            }
            let mut fill = start.clone();
            let mut in_arcs = vec![0u32; m];
            for a in 0..m {
                let t = self.target[a] as usize;
                in_arcs[fill[t] as usize] = a as u32;
                fill[t] += 1;
            }
            let (s, t) = (supply_nodes[0], demand_nodes[0]);
            let mut reached = vec![false; n];
            let mut stack = vec![t];
            reached[t] = true;
            while let Some(v) = stack.pop() {
                if v == s {
                    break;
                }
                for &a in &in_arcs[start[v] as usize..start[v + 1] as usize] {
                    let a = a as usize;
                    let u = self.source[a] as usize;
                    if reached[u] {
                        continue;
                    }
                    if self.cap[a] as i128 >= total {
                        arcs.push(a);
                        reached[u] = true;
                        stack.push(u);
                    }
                }
            }
        } else {
            let mut best: Vec<u32> = vec![NONE; n];
            for a in 0..m {
                let t = self.target[a] as usize;
                if b[t] < 0 {
                    let cur = best[t];
                    if cur == NONE || self.cost[a] < self.cost[cur as usize] {
                        best[t] = a as u32;
                    }
                }
            }
            for &v in &demand_nodes {
                if best[v] != NONE {
                    arcs.push(best[v] as usize);
                }
            }
        }
        for a in arcs {
            if self.state[a] as i64 * self.reduced_cost(a) >= 0 {
                continue;
            }
            if !self.pivot(a) {
                return false;
            }
        }
        true
    }

    #[inline]
    fn reduced_cost(&self, a: usize) -> i64 {
        self.cost[a] + self.pi[self.source[a] as usize] - self.pi[self.target[a] as usize]
    }

    // ------------------------------------------------------------------------------------------
    // Main loop

    /// The primal phase with the configured rule; with `JOIN`, arcs leaving the tree join the
    /// active set (warm re-solves).
    fn run<const JOIN: bool>(&mut self) -> Result<FlowSolution, SolveError> {
        let ok = match self.rule {
            PivotRule::BlockSearch => self.run_with::<JOIN>(Self::find_block_search),
            PivotRule::FirstEligible => self.run_with::<JOIN>(Self::find_first_eligible),
            PivotRule::BestEligible => self.run_with::<JOIN>(Self::find_best_eligible),
            PivotRule::CandidateList => {
                if self.candidates.len() != self.list_length {
                    self.candidates = vec![0; self.list_length];
                    self.cand_len = 0;
                }
                self.run_with::<JOIN>(Self::find_candidate_list)
            }
        };
        self.finish(ok)
    }

    /// Warm primal phase: block search over the active arcs until none is eligible, then over
    /// all arcs (which proves optimality, or finds an arc the active set missed).
    fn run_warm(&mut self, cold_block: usize) -> Result<FlowSolution, SolveError> {
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

    /// The result once no arc is eligible (`ok`) or a cycle was found unbounded (`!ok`).
    fn finish(&mut self, ok: bool) -> Result<FlowSolution, SolveError> {
        if !ok && std::mem::take(&mut self.gave_up) {
            // A warm start whose tree was not strongly feasible took too long: solve cold,
            // with the cold block size (`resolve` restores its own afterwards), and report
            // the pivots of both.
            let warm_pivots = self.iterations;
            self.block_size = cold_block_size(self.m);
            let mut sol = self.solve()?;
            self.iterations += warm_pivots;
            sol.iterations = self.iterations;
            return Ok(sol);
        }
        if !ok {
            return self.finish_unbounded();
        }
        let (m, n) = (self.m, self.n);
        if self.flow[m..m + n].iter().any(|&f| f != 0) {
            return Ok(self.non_optimal(SolveStatus::Infeasible));
        }
        self.dual_ok = true;
        Ok(self.optimal_solution())
    }

    #[inline]
    fn run_with<const JOIN: bool>(
        &mut self,
        mut find: impl FnMut(&mut Self) -> Option<usize>,
    ) -> bool {
        while let Some(a) = find(self) {
            let ok = if JOIN {
                self.pivot_joining(a)
            } else {
                self.pivot(a)
            };
            if !ok {
                return false;
            }
        }
        true
    }

    /// Stops a primal phase at its pivot limit (see [`warm_pivot_limit`]).
    #[cold]
    fn give_up(&mut self) -> bool {
        self.gave_up = true;
        false
    }

    /// One pivot on entering arc `a`; `false` when the cycle has infinite capacity.
    #[inline]
    fn pivot(&mut self, a: usize) -> bool {
        if self.iterations >= self.pivot_limit {
            return self.give_up();
        }
        let ok = self.core().pivot(a).is_some();
        self.iterations += ok as u64;
        ok
    }

    /// [`pivot`](Self::pivot) in a warm re-solve: the leaving arc, now a non-tree arc with a
    /// reduced cost of zero, joins the active set.
    #[inline]
    fn pivot_joining(&mut self, a: usize) -> bool {
        if self.iterations >= self.pivot_limit {
            return self.give_up();
        }
        let Some(out) = self.core().pivot(a) else {
            return false;
        };
        self.iterations += 1;
        self.join_active(out as usize);
        true
    }

    /// Adds problem arc `e` (which just left the tree) to the active set, once it exists.
    fn join_active(&mut self, e: usize) {
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
    fn find_block_search(&mut self) -> Option<usize> {
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

    fn find_first_eligible(&mut self) -> Option<usize> {
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

    fn find_best_eligible(&mut self) -> Option<usize> {
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

    fn find_candidate_list(&mut self) -> Option<usize> {
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

    // ------------------------------------------------------------------------------------------
    // Warm start

    /// Recomputes potentials from the tree (thread order is a preorder).
    fn compute_potentials(&mut self) {
        let root = self.n;
        self.pi[root] = 0;
        let mut v = self.thread[root] as usize;
        while v != root {
            let e = self.pred[v] as usize;
            let p = self.parent[v] as usize;
            self.pi[v] = self.pi[p] - self.pred_dir[v] as i64 * self.cost[e];
            v = self.thread[v] as usize;
        }
    }

    /// Applies the pending data changes to the flows (see the module docs):
    ///
    /// 1. non-tree arcs whose capacity changed are put back on their bounds;
    /// 2. the resulting change of every node's balance is pushed up the tree (reverse thread
    ///    order, `O(n)`), which gives the new tree flows, possibly out of bounds;
    /// 3. while the basis is dual feasible (the previous solve ended optimal and costs are
    ///    still the old ones), dual simplex pivots bring out-of-bounds tree arcs to their
    ///    bounds;
    /// 4. degenerate dual pivots restore strong feasibility (see
    ///    [`restore_strong_feasibility`](Self::restore_strong_feasibility));
    /// 5. every tree arc still out of bounds, or breaking strong feasibility, is cut.
    ///
    /// Returns whether some tree arc was cut.
    fn repair_flows(&mut self) -> bool {
        let m = self.m;
        let mut dirty = std::mem::take(&mut self.dirty_arcs);
        if dirty.len() > m {
            dirty.clear();
            dirty.extend(0..m as u32);
        }
        for &i in &dirty {
            let i = i as usize;
            if self.state[i] != STATE_UPPER {
                continue;
            }
            let c = self.cap[i];
            let f = if c == INF {
                self.state[i] = STATE_LOWER;
                0
            } else {
                c
            };
            let d = f - self.flow[i];
            if d != 0 {
                self.flow[i] = f;
                self.delta[self.source[i] as usize] -= d;
                self.delta[self.target[i] as usize] += d;
            }
        }
        dirty.clear();
        self.dirty_arcs = dirty;
        if self.dual_ok {
            let mut infeasible = Vec::new();
            self.weak.clear();
            let _ = self.push_deltas(Some(&mut infeasible));
            if (infeasible.is_empty() || self.dual_repair(infeasible))
                && self.restore_strong_feasibility()
            {
                // Flows within bounds, strongly feasible (but for sealed subtrees, which no
                // cut would help): nothing to cut.
                return false;
            }
        }
        self.push_deltas(None)
    }

    /// Pushes the pending balance changes up the tree. With `infeasible`, tree flows may end
    /// out of bounds and the nodes whose arc does are listed; without, such arcs (and those
    /// breaking strong feasibility) are cut.
    fn push_deltas(&mut self, mut infeasible: Option<&mut Vec<u32>>) -> bool {
        let (n, m) = (self.n, self.m);
        let root = n;
        let big_m = self.art_cost;
        let mut cuts: Vec<u32> = Vec::new();
        let mut v = self.rev_thread[root] as usize;
        while v != root {
            let next = self.rev_thread[v] as usize;
            let s = std::mem::take(&mut self.delta[v]);
            let e = self.pred[v] as usize;
            let p = self.parent[v] as usize;
            let up = self.pred_dir[v] == DIR_UP;
            if e >= m {
                if s != 0 {
                    let cur = if up { self.flow[e] } else { -self.flow[e] };
                    self.hang_from_root(v, cur + s, big_m);
                }
            } else {
                let old = self.flow[e];
                let f = if up { old + s } else { old - s };
                let c = self.cap[e];
                let fits = f >= 0 && (c == INF || f <= c);
                // Strongly feasible: flow can be pushed from `v` towards the root.
                let strong = !blocks_root(up, f, c);
                if let Some(list) = infeasible.as_deref_mut() {
                    self.flow[e] = f;
                    self.delta[p] += s;
                    if !fits {
                        list.push(v as u32);
                    } else if !strong {
                        self.weak.push(v as u32);
                    }
                    v = next;
                    continue;
                }
                if fits && strong {
                    self.flow[e] = f;
                    self.delta[p] += s;
                } else {
                    let g = if f <= 0 { 0 } else { c };
                    self.flow[e] = g;
                    self.state[e] = if g == 0 { STATE_LOWER } else { STATE_UPPER };
                    self.join_active(e);
                    let through = if up { g - old } else { old - g };
                    self.delta[p] += through;
                    // Re-hung after the pass, which must walk the unchanged tree.
                    self.set_artificial(v, s - through, big_m);
                    cuts.push(v as u32);
                }
            }
            v = next;
        }
        self.delta[root] = 0;
        for &v in &cuts {
            self.move_to_root(v as usize);
        }
        !cuts.is_empty()
    }

    /// How far the flow on the tree arc of `v` lies out of its bounds, as flow that the
    /// subtree of `v` must send elsewhere (positive: export, negative: import); 0 when the arc
    /// is within bounds or artificial.
    fn excess_of(&self, v: usize) -> i64 {
        let e = self.pred[v] as usize;
        if e >= self.m {
            return 0;
        }
        let (f, c) = (self.flow[e], self.cap[e]);
        let over = if f < 0 {
            f
        } else if c != INF && f > c {
            f - c
        } else {
            return 0;
        };
        // `over` is the surplus of flow in the arc's direction; in the direction towards the
        // root it is what the subtree sends up in excess.
        if self.pred_dir[v] == DIR_UP {
            over
        } else {
            -over
        }
    }

    /// Dual network simplex pivots on the tree arcs of the nodes in `list` that are out of
    /// bounds: the arc leaves at its violated bound, and the entering arc is the non-tree arc
    /// across the cut with the smallest reduced cost that can carry the subtree's excess.
    /// Stops when no arc is out of bounds, when a cut has no such arc, or after `n` pivots;
    /// the cut pass that follows handles whatever remains.
    fn dual_repair(&mut self, mut list: Vec<u32>) -> bool {
        let n = self.n;
        self.ensure_adjacency();
        let mut listed = vec![0u8; n + 1];
        for &v in &list {
            listed[v as usize] = 1;
        }
        // Work budget (arcs examined) in rounds of `m/2`: a new round only while the repair
        // converges (no more arcs out of bounds than at the start); past the rounds, or when
        // it diverges, the cut pass is cheaper.
        let round = repair_budget(self.m);
        let (mut budget, mut rounds) = (round, 1);
        let start_len = list.len();
        let mut pivots = 0;
        loop {
            if budget <= 0 {
                if rounds == REPAIR_ROUNDS || list.len() > start_len {
                    break;
                }
                budget += round;
                rounds += 1;
            }
            if pivots >= n {
                break;
            }
            // The most violated arc (dropping listed nodes that are back in bounds).
            let (mut best, mut best_x, mut k) = (NONE, 0i64, 0);
            while k < list.len() {
                let v = list[k] as usize;
                let x = self.excess_of(v);
                if x == 0 {
                    listed[v] = 0;
                    list.swap_remove(k);
                    continue;
                }
                if x.unsigned_abs() > best_x.unsigned_abs() {
                    (best, best_x) = (v as u32, x);
                }
                k += 1;
            }
            if best == NONE {
                return true;
            }
            let v = best as usize;
            let (entering, work) = self.dual_entering(v, best_x > 0);
            budget -= work as i64;
            let Some(a) = entering else {
                break;
            };
            pivots += 1;
            self.iterations += 1;
            self.dual_pivot(v, a, best_x, &mut list, &mut listed);
        }
        false
    }

    /// Whether the tree arc of `v` is degenerate in the wrong direction: no flow can be pushed
    /// from `v` towards the root through it (strong feasibility requires that it can).
    fn blocks_towards_root(&self, v: usize) -> bool {
        let e = self.pred[v] as usize;
        if e >= self.m {
            return false;
        }
        blocks_root(self.pred_dir[v] == DIR_UP, self.flow[e], self.cap[e])
    }

    /// With feasible tree flows and a dual feasible basis (after the dual repair), replaces
    /// every tree arc that breaks strong feasibility by degenerate dual pivots: the arc leaves
    /// at the bound it sits on and the entering arc is chosen as in the dual repair, so the
    /// flows do not change, the basis stays dual feasible and the potentials move by a reduced
    /// cost instead of by `M` (as re-hanging the subtree from the root would). A pivot reverses
    /// the tree path from the entering arc to the leaving one, whose nodes are checked again.
    /// Whatever remains when the work budget is spent is cut by the pass that follows.
    /// Returns whether the tree is strongly feasible but for sealed subtrees (which stay
    /// weak, see below); `false` when the budget ran out.
    fn restore_strong_feasibility(&mut self) -> bool {
        // The candidates: nodes whose tree arc ended at a bound in the flow push, or lay on
        // the cycle of a dual pivot.
        let mut list = std::mem::take(&mut self.weak);
        if list.is_empty() {
            self.weak = list;
            return true;
        }
        self.ensure_adjacency();
        let mut budget = repair_budget(self.m);
        let mut path: Vec<u32> = Vec::new();
        let mut strong = true;
        while let Some(v) = list.pop() {
            let v = v as usize;
            if budget <= 0 {
                strong = false;
                break;
            }
            if !self.blocks_towards_root(v) {
                continue;
            }
            let (entering, work) = self.dual_entering(v, true);
            budget -= work as i64;
            let Some((a, from_inside)) = entering else {
                // Sealed: no arc across the cut can carry flow out of the subtree, so no
                // strongly feasible tree holds it without an artificial arc. It stays weak:
                // cutting it would move its potentials by M and the warm primal phase would
                // lose its pricing. Termination then rests on the pivot limit.
                continue;
            };
            // The entering arc's end inside the subtree of `v`; the path from it up to `v` is
            // reversed by the pivot.
            let inner = if from_inside {
                self.source[a] as usize
            } else {
                self.target[a] as usize
            };
            path.clear();
            let mut u = inner;
            while u != v {
                path.push(u as u32);
                u = self.parent[u] as usize;
            }
            self.iterations += 1;
            self.degenerate_dual_pivot(v, (a, from_inside));
            list.push(v as u32);
            list.extend_from_slice(&path);
        }
        list.clear();
        self.weak = list;
        strong
    }

    /// A dual pivot without flow change: `a` enters in place of the tree arc of `v` (with
    /// `from_inside`: whether its source lies in the subtree of `v`).
    fn degenerate_dual_pivot(&mut self, v: usize, (a, from_inside): (usize, bool)) {
        let join = self.core_join(a);
        // It leaves at the bound it sits on: the upper one when it points to the root.
        let leaves_at = if self.pred_dir[v] == DIR_UP {
            STATE_UPPER
        } else {
            STATE_LOWER
        };
        self.exchange(v, (a, from_inside), join, leaves_at);
    }

    /// The tree update of a dual pivot: `a` (whose source lies in the subtree of `v` when
    /// `from_inside`) replaces the tree arc of `v`, which leaves in state `leaves_at`; the
    /// subtree's potentials follow.
    fn exchange(&mut self, v: usize, (a, from_inside): (usize, bool), join: usize, leaves_at: i8) {
        let e = self.pred[v] as usize;
        self.state[e] = leaves_at;
        self.state[a] = STATE_TREE;
        self.join_active(e);
        let (u_in, v_in) = if from_inside {
            (self.source[a] as usize, self.target[a] as usize)
        } else {
            (self.target[a] as usize, self.source[a] as usize)
        };
        let cy = Cycle {
            in_arc: a,
            join,
            u_in,
            v_in,
            u_out: v,
            delta: 0,
        };
        let mut core = self.core();
        core.update_tree_structure(&cy);
        core.update_potential(&cy);
    }

    /// Builds the incidence lists when absent (before the first dual repair), or sorts again
    /// the groups of the nodes whose incident arcs changed group.
    fn ensure_adjacency(&mut self) {
        if self.adj_start.len() != ADJ_GROUPS * (self.n + 1) + 1 {
            self.build_adjacency();
        } else if !self.regroup.is_empty() {
            self.apply_regroup();
        }
        self.regroup.clear();
    }

    /// Notes that internal arc `i` moves between an infinite and a finite capacity group. A
    /// regrouping costs the degrees of the nodes it touches: past `m / 8` arcs a rebuild
    /// (`O(m)`) is cheaper and simpler.
    fn regroup_later(&mut self, i: usize) {
        if self.adj_start.is_empty() {
            return;
        }
        if 8 * self.regroup.len() >= self.m {
            self.adj_start.clear();
            self.regroup.clear();
        } else {
            self.regroup.push(i as u32);
        }
    }

    /// A fresh node mark: no node carries it (marks are cleared when the stamp wraps).
    fn next_stamp(&mut self) -> u32 {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.mark.fill(0);
            self.stamp = 1;
        }
        self.stamp
    }

    /// Sorts again, by group, the incidences of both ends of every arc in `regroup` (each node
    /// once): a stable counting sort within the node's range, which does not move.
    fn apply_regroup(&mut self) {
        let stamp = self.next_stamp();
        let mut buf = Vec::new();
        for k in 0..self.regroup.len() {
            let i = self.regroup[k] as usize;
            for w in [self.source[i] as usize, self.target[i] as usize] {
                if self.mark[w] == stamp {
                    continue;
                }
                self.mark[w] = stamp;
                let g0 = ADJ_GROUPS * w;
                let (lo, hi) = (
                    self.adj_start[g0] as usize,
                    self.adj_start[g0 + ADJ_GROUPS] as usize,
                );
                let cap = &self.cap;
                let group = |inc: u64| {
                    incidence_group(inc >> 32 & 1 == 1, cap[(inc >> 33) as usize] != INF)
                };
                let mut next = [0usize; ADJ_GROUPS];
                for &inc in &self.adj[lo..hi] {
                    next[group(inc)] += 1;
                }
                let mut at = lo;
                for (g, slot) in next.iter_mut().enumerate() {
                    let count = *slot;
                    self.adj_start[g0 + g] = at as u32;
                    *slot = at - lo;
                    at += count;
                }
                buf.clear();
                buf.resize(hi - lo, 0u64);
                for &inc in &self.adj[lo..hi] {
                    let slot = &mut next[group(inc)];
                    buf[*slot] = inc;
                    *slot += 1;
                }
                self.adj[lo..hi].copy_from_slice(&buf);
            }
        }
    }

    /// Incidences of every node (CSR over `adj_start`), and the node marks. An incidence of
    /// node `u` packs the arc (bits 33..), whether the arc leaves `u` (bit 32) and its other
    /// end (bits 0..32), so that the dual ratio test needs neither tails nor heads. The
    /// incidences of `u` come in four groups, `adj_start[4u + g]..adj_start[4u + g + 1]`:
    /// arcs leaving `u` with infinite capacity, leaving with finite capacity, entering with
    /// finite capacity, entering with infinite capacity. An arc of infinite capacity is never
    /// at its upper bound, so each direction of the ratio test needs only three consecutive
    /// groups (see [`dual_entering`](Self::dual_entering)).
    fn build_adjacency(&mut self) {
        let (n, m) = (self.n, self.m);
        let group = |a: usize, out: bool| incidence_group(out, self.cap[a] != INF);
        // Counting sort over the 4 (n + 1) groups (the root has none).
        let slots = ADJ_GROUPS * (n + 1);
        let mut start = vec![0u32; slots + 2];
        for a in 0..m {
            let (s, t) = (self.source[a] as usize, self.target[a] as usize);
            start[ADJ_GROUPS * s + group(a, true) + 2] += 1;
            start[ADJ_GROUPS * t + group(a, false) + 2] += 1;
        }
        for k in 0..slots {
            start[k + 2] += start[k + 1];
        }
        let mut adj = vec![0u64; 2 * m];
        for a in 0..m {
            let (s, t) = (self.source[a], self.target[a]);
            for (w, other, out) in [(s, t, true), (t, s, false)] {
                let k = &mut start[ADJ_GROUPS * w as usize + group(a, out) + 1];
                adj[*k as usize] = (a as u64) << 33 | (out as u64) << 32 | other as u64;
                *k += 1;
            }
        }
        start.pop();
        self.adj_start = start;
        self.adj = adj;
        self.mark = vec![0; n + 1];
    }

    /// The entering arc of a dual pivot on the tree arc of `v`, whose subtree must export `x`
    /// more units (import `-x` if negative): among the non-tree arcs across the cut that can
    /// carry them, the one with the smallest reduced cost in absolute value, so that shifting
    /// the subtree's potentials keeps every other arc dual feasible.
    fn dual_entering(&mut self, v: usize, export: bool) -> (Option<(usize, bool)>, usize) {
        let n = self.n;
        // The side of the cut with fewer nodes is marked, then its incidences enumerated: the
        // subtree (contiguous in thread order from `v`), or the other nodes (the rest of the
        // thread, root included, which has no incident problem arcs).
        let size = self.succ_num[v] as usize;
        let inner = 2 * size <= n + 1;
        let (first, count) = if inner {
            (v, size)
        } else {
            (
                self.thread[self.last_succ[v] as usize] as usize,
                n + 1 - size,
            )
        };
        let stamp = self.next_stamp();
        let mut u = first;
        for _ in 0..count {
            self.mark[u] = stamp;
            u = self.thread[u] as usize;
        }
        let mut work = count;
        // Only arcs at their lower bound, or at a finite upper bound, can qualify: when the
        // enumerated side exports (`inner == export`) its arcs entering it with infinite
        // capacity are skipped (the last group), otherwise its arcs leaving it (the first).
        let skip_first = (inner != export) as usize;
        // An arc across the cut qualifies in one state only: increasing the flow of an arc
        // leaving the subtree, or decreasing that of an arc entering it, exports. Seen from
        // `u`, an arc leaving `u` must be at its lower bound exactly when `key` holds.
        let key = inner == export;
        let (mark, state, cost, pi) = (
            &self.mark[..],
            &self.state[..],
            &self.cost[..],
            &self.pi[..],
        );
        let (adj, adj_start, thread) = (&self.adj[..], &self.adj_start[..], &self.thread[..]);
        let (mut best, mut best_rc, mut best_leaves) = (NONE as usize, i64::MAX, false);
        let mut u = first;
        for _ in 0..count {
            let g = ADJ_GROUPS * u + skip_first;
            let (lo, hi) = (adj_start[g] as usize, adj_start[g + 3] as usize);
            work += hi - lo + 1;
            let pi_u = pi[u];
            for &inc in &adj[lo..hi] {
                let (a, leaves_u) = ((inc >> 33) as usize, inc >> 32 & 1 == 1);
                // Exactly one end on the marked side: the other end of `a` seen from `u`.
                let other = inc as u32 as usize;
                let want = if leaves_u == key {
                    STATE_LOWER
                } else {
                    STATE_UPPER
                };
                if (mark[other] == stamp) | (state[a] != want) {
                    continue;
                }
                let d = pi_u - pi[other];
                let rc = (cost[a] + if leaves_u { d } else { -d }).abs();
                if rc < best_rc {
                    (best, best_rc, best_leaves) = (a, rc, leaves_u);
                }
            }
            u = thread[u] as usize;
        }
        let best = (best != NONE as usize).then_some((best, best_leaves == inner));
        (best, work)
    }

    /// Pivots entering arc `a` in place of the tree arc of `v`, moving the subtree's excess `x`
    /// onto `a`; lists the nodes whose tree arc changed flow.
    fn dual_pivot(
        &mut self,
        v: usize,
        (a, from_inside): (usize, bool),
        x: i64,
        list: &mut Vec<u32>,
        listed: &mut [u8],
    ) {
        // Flow change on `a` (in its own direction) that carries |x| across the cut.
        let change = if from_inside == (x > 0) {
            x.abs()
        } else {
            -x.abs()
        };
        let join = self.core_join(a);
        self.flow[a] += change;
        for (start, sign) in [(self.source[a] as usize, -1), (self.target[a] as usize, 1)] {
            let mut u = start;
            while u != join {
                let e = self.pred[u] as usize;
                self.flow[e] += sign * self.pred_dir[u] as i64 * change;
                if e >= self.m && self.flow[e] < 0 {
                    // An artificial arc changes direction instead of going negative.
                    let up = self.pred_dir[u] as i64 * self.flow[e];
                    self.hang_from_root(u, up, self.art_cost);
                }
                if listed[u] == 0 {
                    listed[u] = 1;
                    list.push(u as u32);
                }
                self.weak.push(u as u32);
                u = self.parent[u] as usize;
            }
        }
        let e = self.pred[v] as usize;
        debug_assert!(self.flow[e] == 0 || self.flow[e] == self.cap[e]);
        let leaves_at = if self.flow[e] == 0 {
            STATE_LOWER
        } else {
            STATE_UPPER
        };
        self.exchange(v, (a, from_inside), join, leaves_at);
    }

    fn core_join(&mut self, a: usize) -> usize {
        self.core().find_join_node(a)
    }

    /// Disjoint borrows of the arrays a pivot touches.
    #[inline]
    fn core(&mut self) -> Core<'_> {
        Core {
            source: &self.source,
            target: &self.target,
            cost: &self.cost,
            cap: &self.cap,
            flow: &mut self.flow,
            state: &mut self.state,
            pi: &mut self.pi,
            parent: &mut self.parent,
            pred: &mut self.pred,
            thread: &mut self.thread,
            rev_thread: &mut self.rev_thread,
            succ_num: &mut self.succ_num,
            last_succ: &mut self.last_succ,
            pred_dir: &mut self.pred_dir,
            dirty_revs: &mut self.dirty_revs,
        }
    }

    /// Makes `v` (with its subtree) a child of the root through its artificial arc, which
    /// [`set_artificial`](Self::set_artificial) has prepared: a pivot in which that arc
    /// replaces `pred[v]`.
    fn move_to_root(&mut self, v: usize) {
        let (m, root) = (self.m, self.n);
        let cy = Cycle {
            in_arc: m + v,
            join: root,
            u_in: v,
            v_in: root,
            u_out: v,
            delta: 0,
        };
        self.core().update_tree_structure(&cy);
    }

    /// Points the artificial arc of `v` so that it carries `r ≥ 0` units (`v → root` for
    /// `r ≥ 0`, cost 0; `root → v` otherwise, cost `M`) and marks it as a tree arc.
    fn set_artificial(&mut self, v: usize, r: i64, big_m: i64) {
        let (n, m) = (self.n, self.m);
        let a = m + v;
        self.state[a] = STATE_TREE;
        self.cap[a] = INF;
        if r >= 0 {
            self.source[a] = v as u32;
            self.target[a] = n as u32;
            self.cost[a] = 0;
            self.flow[a] = r;
        } else {
            self.source[a] = n as u32;
            self.target[a] = v as u32;
            self.cost[a] = big_m;
            self.flow[a] = -r;
        }
    }

    /// Re-points the artificial arc of root child `v` so that it carries imbalance `r`.
    fn hang_from_root(&mut self, v: usize, r: i64, big_m: i64) {
        debug_assert_eq!(self.parent[v] as usize, self.n);
        self.set_artificial(v, r, big_m);
        self.pred_dir[v] = if r >= 0 { DIR_UP } else { DIR_DOWN };
    }

    // ------------------------------------------------------------------------------------------
    // Results

    fn finish_unbounded(&mut self) -> Result<FlowSolution, SolveError> {
        // Infeasibility takes precedence: solve the zero-cost problem (never unbounded).
        let mut zero = self.current_problem();
        zero.cost.iter_mut().for_each(|c| *c = 0);
        let mut check = NetworkSimplex::new(&zero, PivotRule::BlockSearch)?;
        let status = match check.solve()?.status {
            SolveStatus::Infeasible => SolveStatus::Infeasible,
            _ => SolveStatus::Unbounded,
        };
        Ok(self.non_optimal(status))
    }

    /// The problem as currently held (after any updates).
    pub fn current_problem(&self) -> FlowProblem {
        let m = self.m;
        let cost = self.current_costs();
        let mut p = FlowProblem::with_nodes(self.n);
        p.supply.copy_from_slice(&self.supply);
        for a in 0..m {
            let i = self.pos[a] as usize;
            let l = self.lower.get(i).copied().unwrap_or(0);
            let u = if self.cap[i] == INF {
                INF
            } else {
                self.cap[i] + l
            };
            p.add_arc(
                self.source[i] as usize,
                self.target[i] as usize,
                l,
                u,
                cost[i],
            );
        }
        p
    }

    fn original_flows(&self) -> Vec<i64> {
        self.pos
            .iter()
            .map(|&i| {
                let i = i as usize;
                self.flow[i] + self.lower.get(i).copied().unwrap_or(0)
            })
            .collect()
    }

    fn non_optimal(&self, status: SolveStatus) -> FlowSolution {
        FlowSolution {
            status,
            flow: self.original_flows(),
            potential: vec![0; self.n],
            objective: 0,
            iterations: self.iterations,
        }
    }

    fn optimal_solution(&self) -> FlowSolution {
        let (n, m) = (self.n, self.m);
        let (flow_in, cost) = (&self.flow[..m], &self.cost[..m]);
        let (flow, objective) = if self.lower.is_empty() {
            // Only tree arcs and arcs at their upper bound carry flow: the flows in input
            // order and the objective come from them alone.
            let mut flow = vec![0i64; m];
            let mixing = self.mixing;
            let mut objective: i128 = 0;
            for &e in &self.pred[..n] {
                if let (Some(&x), Some(&c)) = (flow_in.get(e as usize), cost.get(e as usize)) {
                    flow[mixing.input(e as usize)] = x;
                    objective += c as i128 * x as i128;
                }
            }
            // States are -1 (upper), 0 (tree) or 1 (lower): eight at a time, the upper ones are
            // the bytes with their high bit set.
            let state = &self.state[..m];
            const HIGH: u64 = 0x8080_8080_8080_8080;
            let mut add_group = |first: usize, mut bits: u64| {
                while bits != 0 {
                    let a = first + (bits.trailing_zeros() / 8) as usize;
                    flow[mixing.input(a)] = flow_in[a];
                    objective += cost[a] as i128 * flow_in[a] as i128;
                    bits &= bits - 1;
                }
            };
            let groups = state.chunks_exact(8);
            let tail = groups.remainder();
            for (g, bytes) in groups.enumerate() {
                let bytes: [i8; 8] = bytes.try_into().expect("8 bytes");
                let w = u64::from_le_bytes(bytes.map(|b| b as u8)) & HIGH;
                if w != 0 {
                    add_group(g * 8, w);
                }
            }
            let mut last = [0u8; 8];
            for (b, &st) in last.iter_mut().zip(tail) {
                *b = st as u8;
            }
            add_group(m - tail.len(), u64::from_le_bytes(last) & HIGH);
            (flow, objective)
        } else {
            // The objective in internal order (contiguous), flows gathered into input order.
            let lower = &self.lower[..m];
            let shifted: Vec<i64> = flow_in.iter().zip(lower).map(|(&x, &l)| x + l).collect();
            let objective = shifted
                .iter()
                .zip(cost)
                .map(|(&x, &c)| c as i128 * x as i128)
                .sum();
            let flow = self.pos.iter().map(|&i| shifted[i as usize]).collect();
            (flow, objective)
        };
        FlowSolution {
            status: SolveStatus::Optimal,
            flow,
            potential: self.clean_potentials(),
            objective,
            iterations: self.iterations,
        }
    }

    /// Potentials free of the artificial cost, valid for every arc (see the module docs),
    /// in the crate's sign convention.
    fn clean_potentials(&self) -> Vec<i64> {
        let (n, m) = (self.n, self.m);
        let root = n;
        // When every root child has the same potential (one root subtree, or zero-flow
        // artificial arcs all of cost 0) the shifts computed below are all 0: the current
        // potentials already meet every constraint between subtrees, and no shift exceeds 0.
        let base = self.pi[self.thread[root] as usize];
        let mut v = self.thread[root] as usize;
        while v != root && self.pi[v] == base {
            v = self.thread[self.last_succ[v] as usize] as usize;
        }
        if v == root {
            return self.pi[..n].iter().map(|&p| base - p).collect();
        }
        // Component (root subtree) of every node, and each component's reference potential.
        let mut comp = vec![0u32; n];
        let mut base: Vec<i64> = Vec::new();
        let mut v = self.thread[root] as usize;
        while v != root {
            let p = self.parent[v] as usize;
            if p == root {
                comp[v] = base.len() as u32;
                base.push(self.pi[v]);
            } else {
                comp[v] = comp[p];
            }
            v = self.thread[v] as usize;
        }
        let k = base.len();
        // q[v] = pi[v] - base[comp[v]] is a sum of original costs. The final (LEMON-sign)
        // potential is q[v] + d[comp[v]], where d solves the difference constraints
        // d_j <= d_i + W between components and d <= 0 (shortest paths from a virtual source
        // with zero-weight edges to every component).
        let mut d = vec![0i128; k];
        if k > 1 {
            // With Johnson potentials h = base (feasible: the current potentials satisfy every
            // constraint) the reduced weight of a constraint edge is the arc's current reduced
            // cost (LOWER: i -> j, rc >= 0; UPPER: j -> i, -rc >= 0).
            let mut edges: Vec<(u32, u32, i128)> = Vec::new();
            for a in 0..m {
                if self.state[a] == STATE_TREE || self.cap[a] == 0 {
                    continue;
                }
                let (u, w) = (self.source[a] as usize, self.target[a] as usize);
                let (i, j) = (comp[u], comp[w]);
                if i == j {
                    continue;
                }
                let rc = self.cost[a] as i128 + self.pi[u] as i128 - self.pi[w] as i128;
                if self.state[a] == STATE_LOWER {
                    edges.push((i, j, rc));
                } else {
                    edges.push((j, i, -rc));
                }
            }
            if !edges.is_empty() {
                edges.sort_unstable_by_key(|e| e.0);
                let mut start = vec![0usize; k + 1];
                for e in &edges {
                    start[e.0 as usize + 1] += 1;
                }
                for i in 0..k {
                    start[i + 1] += start[i];
                }
                let h_s = base.iter().copied().max().unwrap_or(0) as i128;
                let mut dist: Vec<i128> = base.iter().map(|&b| h_s - b as i128).collect();
                let mut done = vec![false; k];
                let mut heap: BinaryHeap<Reverse<(i128, u32)>> = dist
                    .iter()
                    .enumerate()
                    .map(|(i, &d)| Reverse((d, i as u32)))
                    .collect();
                while let Some(Reverse((di, i))) = heap.pop() {
                    let i = i as usize;
                    if done[i] || di != dist[i] {
                        continue;
                    }
                    done[i] = true;
                    for &(_, j, w) in &edges[start[i]..start[i + 1]] {
                        let j = j as usize;
                        let nd = di + w;
                        if nd < dist[j] {
                            dist[j] = nd;
                            heap.push(Reverse((nd, j as u32)));
                        }
                    }
                }
                for i in 0..k {
                    d[i] = dist[i] - h_s + base[i] as i128;
                }
            }
        }
        let mut out = vec![0i64; n];
        for v in 0..n {
            let c = comp[v] as usize;
            let p = self.pi[v] as i128 - base[c] as i128 + d[c];
            out[v] = -(p as i64);
        }
        out
    }
}

/// Disjoint borrows of the arrays a pivot touches (lets the optimiser keep every base pointer
/// in a register: writes to one array cannot alias another).
struct Core<'a> {
    source: &'a [u32],
    target: &'a [u32],
    cost: &'a [i64],
    cap: &'a [i64],
    flow: &'a mut [i64],
    state: &'a mut [i8],
    pi: &'a mut [i64],
    parent: &'a mut [u32],
    pred: &'a mut [u32],
    thread: &'a mut [u32],
    rev_thread: &'a mut [u32],
    succ_num: &'a mut [u32],
    last_succ: &'a mut [u32],
    pred_dir: &'a mut [i8],
    dirty_revs: &'a mut Vec<u32>,
}

/// The cycle of one pivot.
struct Cycle {
    in_arc: usize,
    join: usize,
    u_in: usize,
    v_in: usize,
    u_out: usize,
    delta: i64,
}

impl Core<'_> {
    /// One pivot on entering arc `in_arc`: `None` when the cycle has infinite capacity,
    /// otherwise the arc that left the tree (`NONE` when `in_arc` only moved to its other
    /// bound).
    #[inline]
    fn pivot(&mut self, in_arc: usize) -> Option<u32> {
        let join = self.find_join_node(in_arc);
        let mut cy = Cycle {
            in_arc,
            join,
            u_in: 0,
            v_in: 0,
            u_out: 0,
            delta: 0,
        };
        let change = self.find_leaving_arc(&mut cy);
        if cy.delta == INF {
            return None;
        }
        self.change_flow(&cy, change);
        if change {
            let out = self.pred[cy.u_out];
            self.update_tree_structure(&cy);
            self.update_potential(&cy);
            Some(out)
        } else {
            Some(NONE)
        }
    }

    #[inline]
    fn find_join_node(&self, in_arc: usize) -> usize {
        let (succ_num, parent) = (&*self.succ_num, &*self.parent);
        let mut u = self.source[in_arc] as usize;
        let mut v = self.target[in_arc] as usize;
        while u != v {
            if succ_num[u] < succ_num[v] {
                u = parent[u] as usize;
            } else {
                v = parent[v] as usize;
            }
        }
        u
    }

    /// Finds the leaving arc (the last blocking arc in cycle orientation, which keeps the tree
    /// strongly feasible); returns `false` when the entering arc itself blocks.
    #[inline]
    fn find_leaving_arc(&self, cy: &mut Cycle) -> bool {
        let in_arc = cy.in_arc;
        let (pred, parent, pred_dir, flow, cap) = (
            &*self.pred,
            &*self.parent,
            &*self.pred_dir,
            &*self.flow,
            self.cap,
        );
        let (first, second) = if self.state[in_arc] == STATE_LOWER {
            (self.source[in_arc] as usize, self.target[in_arc] as usize)
        } else {
            (self.target[in_arc] as usize, self.source[in_arc] as usize)
        };
        let join = cy.join;
        let mut delta = cap[in_arc];
        let mut result = 0;
        let mut u_out = 0;

        let mut u = first;
        while u != join {
            let e = pred[u] as usize;
            let mut d = flow[e];
            if pred_dir[u] == DIR_DOWN {
                let c = cap[e];
                d = if c == INF { INF } else { c - d };
            }
            if d < delta {
                delta = d;
                u_out = u;
                result = 1;
            }
            u = parent[u] as usize;
        }
        let mut u = second;
        while u != join {
            let e = pred[u] as usize;
            let mut d = flow[e];
            if pred_dir[u] == DIR_UP {
                let c = cap[e];
                d = if c == INF { INF } else { c - d };
            }
            if d <= delta {
                delta = d;
                u_out = u;
                result = 2;
            }
            u = parent[u] as usize;
        }
        cy.delta = delta;
        cy.u_out = u_out;
        if result == 1 {
            cy.u_in = first;
            cy.v_in = second;
        } else {
            cy.u_in = second;
            cy.v_in = first;
        }
        result != 0
    }

    #[inline]
    fn change_flow(&mut self, cy: &Cycle, change: bool) {
        let (in_arc, join) = (cy.in_arc, cy.join);
        let (pred, parent, pred_dir, flow) =
            (&*self.pred, &*self.parent, &*self.pred_dir, &mut *self.flow);
        if cy.delta > 0 {
            let val = self.state[in_arc] as i64 * cy.delta;
            flow[in_arc] += val;
            let mut u = self.source[in_arc] as usize;
            while u != join {
                flow[pred[u] as usize] -= pred_dir[u] as i64 * val;
                u = parent[u] as usize;
            }
            let mut u = self.target[in_arc] as usize;
            while u != join {
                flow[pred[u] as usize] += pred_dir[u] as i64 * val;
                u = parent[u] as usize;
            }
        }
        if change {
            self.state[in_arc] = STATE_TREE;
            let out = pred[cy.u_out] as usize;
            self.state[out] = if flow[out] == 0 {
                STATE_LOWER
            } else {
                STATE_UPPER
            };
        } else {
            self.state[in_arc] = -self.state[in_arc];
        }
    }

    fn update_tree_structure(&mut self, cy: &Cycle) {
        let Core {
            source,
            parent,
            pred,
            thread,
            rev_thread,
            succ_num,
            last_succ,
            pred_dir,
            dirty_revs,
            ..
        } = self;
        let (u_in, v_in, u_out, join, in_arc) = (cy.u_in, cy.v_in, cy.u_out, cy.join, cy.in_arc);
        let old_rev_thread = rev_thread[u_out] as usize;
        let old_succ_num = succ_num[u_out];
        let old_last_succ = last_succ[u_out] as usize;
        let v_out = parent[u_out] as usize;
        let in_dir = if u_in == source[in_arc] as usize {
            DIR_UP
        } else {
            DIR_DOWN
        };

        if u_in == u_out {
            parent[u_in] = v_in as u32;
            pred[u_in] = in_arc as u32;
            pred_dir[u_in] = in_dir;
            if thread[v_in] as usize != u_out {
                let mut after = thread[old_last_succ] as usize;
                thread[old_rev_thread] = after as u32;
                rev_thread[after] = old_rev_thread as u32;
                after = thread[v_in] as usize;
                thread[v_in] = u_out as u32;
                rev_thread[u_out] = v_in as u32;
                thread[old_last_succ] = after as u32;
                rev_thread[after] = old_last_succ as u32;
            }
        } else {
            let thread_continue = if old_rev_thread == v_in {
                thread[old_last_succ]
            } else {
                thread[v_in]
            } as usize;

            let mut stem = u_in;
            let mut par_stem = v_in;
            let mut last = last_succ[u_in] as usize;
            let mut after = thread[last] as usize;
            thread[v_in] = u_in as u32;
            dirty_revs.clear();
            dirty_revs.push(v_in as u32);
            while stem != u_out {
                let next_stem = parent[stem] as usize;
                thread[last] = next_stem as u32;
                dirty_revs.push(last as u32);

                let before = rev_thread[stem] as usize;
                thread[before] = after as u32;
                rev_thread[after] = before as u32;

                parent[stem] = par_stem as u32;
                par_stem = stem;
                stem = next_stem;

                last = if last_succ[stem] == last_succ[par_stem] {
                    rev_thread[par_stem] as usize
                } else {
                    last_succ[stem] as usize
                };
                after = thread[last] as usize;
            }
            parent[u_out] = par_stem as u32;
            thread[last] = thread_continue as u32;
            rev_thread[thread_continue] = last as u32;
            last_succ[u_out] = last as u32;

            if old_rev_thread != v_in {
                thread[old_rev_thread] = after as u32;
                rev_thread[after] = old_rev_thread as u32;
            }

            for &u in dirty_revs.iter() {
                rev_thread[thread[u as usize] as usize] = u;
            }

            let mut tmp_sc: u32 = 0;
            let tmp_ls = last_succ[u_out];
            let mut u = u_out;
            while u != u_in {
                let p = parent[u] as usize;
                pred[u] = pred[p];
                pred_dir[u] = -pred_dir[p];
                tmp_sc = tmp_sc.wrapping_add(succ_num[u].wrapping_sub(succ_num[p]));
                succ_num[u] = tmp_sc;
                last_succ[p] = tmp_ls;
                u = p;
            }
            pred[u_in] = in_arc as u32;
            pred_dir[u_in] = in_dir;
            succ_num[u_in] = old_succ_num;
        }

        let up_limit_out = if last_succ[join] as usize == v_in {
            join as u32
        } else {
            NONE
        };
        let last_succ_out = last_succ[u_out];
        let mut u = v_in as u32;
        while u != NONE && last_succ[u as usize] as usize == v_in {
            last_succ[u as usize] = last_succ_out;
            u = parent[u as usize];
        }

        if join != old_rev_thread && v_in != old_rev_thread {
            let mut u = v_out as u32;
            while u != up_limit_out && last_succ[u as usize] as usize == old_last_succ {
                last_succ[u as usize] = old_rev_thread as u32;
                u = parent[u as usize];
            }
        } else if last_succ_out as usize != old_last_succ {
            let mut u = v_out as u32;
            while u != up_limit_out && last_succ[u as usize] as usize == old_last_succ {
                last_succ[u as usize] = last_succ_out;
                u = parent[u as usize];
            }
        }

        let mut u = v_in;
        while u != join {
            succ_num[u] += old_succ_num;
            u = parent[u] as usize;
        }
        let mut u = v_out;
        while u != join {
            succ_num[u] -= old_succ_num;
            u = parent[u] as usize;
        }
    }

    /// Shifts the potentials of the moved subtree by `sigma` -- or, when the subtree holds more
    /// than half of the nodes, those of all other nodes by `-sigma` (potentials matter only up
    /// to a constant; the root's potential then drifts and is re-centred when it grows large).
    #[inline]
    fn update_potential(&mut self, cy: &Cycle) {
        let (pi, thread) = (&mut *self.pi, &*self.thread);
        let u_in = cy.u_in;
        let sigma = pi[cy.v_in] - pi[u_in] - self.pred_dir[u_in] as i64 * self.cost[cy.in_arc];
        let after = thread[self.last_succ[u_in] as usize] as usize;
        if 2 * self.succ_num[u_in] as usize <= pi.len() {
            let mut u = u_in;
            while u != after {
                pi[u] += sigma;
                u = thread[u] as usize;
            }
        } else {
            let mut u = after;
            while u != u_in {
                pi[u] -= sigma;
                u = thread[u] as usize;
            }
            let root = pi.len() - 1;
            if pi[root].unsigned_abs() > DRIFT_LIMIT as u64 {
                let d = pi[root];
                pi.iter_mut().for_each(|p| *p -= d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{gen, verify};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    const RULES: [PivotRule; 4] = [
        PivotRule::BlockSearch,
        PivotRule::FirstEligible,
        PivotRule::BestEligible,
        PivotRule::CandidateList,
    ];

    fn solve_with(p: &FlowProblem, rule: PivotRule) -> FlowSolution {
        let sol = NetworkSimplex::new(p, rule).unwrap().solve().unwrap();
        if sol.status == SolveStatus::Optimal {
            verify(p, &sol)
                .unwrap_or_else(|e| panic!("certificate failed ({rule:?}): {e}\n{p:?}\n{sol:?}"));
        }
        sol
    }

    fn solve(p: &FlowProblem) -> FlowSolution {
        let sol = solve_with(p, PivotRule::BlockSearch);
        for rule in &RULES[1..] {
            let other = solve_with(p, *rule);
            assert_eq!(other.status, sol.status, "{rule:?}");
            assert_eq!(other.objective, sol.objective, "{rule:?}");
        }
        sol
    }

    #[test]
    fn mixing_structure_matches_mixing_order() {
        for n in [0usize, 1, 2, 3, 5, 17, 100] {
            for m in [1usize, 2, 3, 7, 10, 64, 99, 1000, 4091] {
                let pos = mixing_order(n, m);
                let mixing = Mixing::new(n, m);
                let input: Vec<u64> = (0..m as u64).map(|a| a * 7 + 1).collect();
                let mut internal = vec![0u64; m];
                mixing.scatter(&input, &mut internal);
                for (a, &i) in pos.iter().enumerate() {
                    assert_eq!(mixing.input(i as usize), a, "n={n} m={m}");
                    assert_eq!(internal[i as usize], input[a], "n={n} m={m}");
                }
            }
        }
    }

    #[test]
    fn mixing_inverse_divides_exactly() {
        // The multiply-high division against `/` on the edges of the u32 range.
        for skip in (3u64..2000).chain([65_537, 1 << 20, (1 << 31) + 11, u32::MAX as u64]) {
            let magic = u64::MAX / skip + 1;
            for i in [
                0u64,
                1,
                skip - 1,
                skip,
                skip + 1,
                1 << 31,
                u32::MAX as u64 - 1,
            ]
            .into_iter()
            .chain((0..64).map(|k| (u32::MAX as u64 / 64) * k + skip))
            .filter(|&i| i <= u32::MAX as u64)
            {
                assert_eq!(
                    ((i as u128 * magic as u128) >> 64) as u64,
                    i / skip,
                    "{i} / {skip}"
                );
            }
        }
        let (n, m) = (7, 1_000_003);
        let pos = mixing_order(n, m);
        let mixing = Mixing::new(n, m);
        for (a, &i) in pos.iter().enumerate().step_by(997) {
            assert_eq!(mixing.input(i as usize), a);
        }
    }

    #[test]
    fn diamond_by_hand() {
        // 0 -> 1 -> 3 costs 1+1 (cap 3), 0 -> 2 -> 3 costs 2+2 (cap 10); ship 5 from 0 to 3.
        let mut p = FlowProblem::with_nodes(4);
        p.supply = vec![5, 0, 0, -5];
        p.add_arc(0, 1, 0, 3, 1);
        p.add_arc(1, 3, 0, 10, 1);
        p.add_arc(0, 2, 0, 10, 2);
        p.add_arc(2, 3, 0, 10, 2);
        let s = solve(&p);
        assert_eq!(s.status, SolveStatus::Optimal);
        assert_eq!(s.flow, vec![3, 3, 2, 2]);
        assert_eq!(s.objective, 3 * 2 + 2 * 4);
        // Marginal cost of one more unit at 0 (absorbed at 3) is 4: pi[0] - pi[3] = 4.
        assert_eq!(s.potential[0] - s.potential[3], 4);
    }

    #[test]
    fn lower_bounds_parallel_arcs_and_self_loops() {
        let mut p = FlowProblem::with_nodes(3);
        p.supply = vec![4, 0, -4];
        p.add_arc(0, 1, 2, 10, 5); // forced 2 units on the expensive arc
        p.add_arc(0, 1, 0, 10, 1); // parallel cheap arc
        p.add_arc(1, 2, 0, INF, 1);
        p.add_arc(1, 1, 0, 7, -3); // negative self-loop: saturated
        p.add_arc(2, 2, 1, 1, 4); // fixed self-loop
        p.add_arc(0, 2, 0, 10, 10);
        let s = solve(&p);
        assert_eq!(s.status, SolveStatus::Optimal);
        assert_eq!(s.flow, vec![2, 2, 4, 7, 1, 0]);
        assert_eq!(s.objective, 10 + 2 + 4 - 21 + 4);
    }

    #[test]
    fn trivial_shapes() {
        let s = solve(&FlowProblem::default());
        assert_eq!(s.status, SolveStatus::Optimal);
        assert!(s.flow.is_empty() && s.potential.is_empty());
        let s = solve(&FlowProblem::with_nodes(4));
        assert_eq!(
            (s.status, s.potential.clone()),
            (SolveStatus::Optimal, vec![0; 4])
        );
        // Isolated node next to a real problem; zero-cost cycle.
        let mut p = FlowProblem::with_nodes(5);
        p.supply = vec![3, 0, -3, 0, 0];
        p.add_arc(0, 1, 0, INF, 0);
        p.add_arc(1, 0, 0, INF, 0);
        p.add_arc(1, 2, 0, INF, 2);
        p.add_arc(3, 3, 0, INF, 0);
        let s = solve(&p);
        assert_eq!(s.objective, 6);
        assert_eq!(s.potential[4], 0);
    }

    #[test]
    fn infeasible_and_unbounded() {
        let mut p = FlowProblem::with_nodes(2);
        p.supply = vec![5, -5];
        p.add_arc(0, 1, 0, 4, 1);
        assert_eq!(solve(&p).status, SolveStatus::Infeasible);
        // Infeasible lower bound.
        let mut q = FlowProblem::with_nodes(2);
        q.add_arc(0, 1, 1, 4, 1);
        assert_eq!(solve(&q).status, SolveStatus::Infeasible);
        // Negative cycle of infinite capacity.
        let mut u = FlowProblem::with_nodes(3);
        u.supply = vec![1, 0, -1];
        u.add_arc(0, 1, 0, INF, 1);
        u.add_arc(1, 2, 0, INF, 1);
        u.add_arc(2, 1, 0, INF, -3);
        assert_eq!(solve(&u).status, SolveStatus::Unbounded);
        let mut l = FlowProblem::with_nodes(1);
        l.add_arc(0, 0, 0, INF, -1);
        assert_eq!(solve(&l).status, SolveStatus::Unbounded);
        // Negative cycle of finite capacity is fine.
        u.upper[2] = 5;
        let s = solve(&u);
        assert_eq!((s.status, s.objective), (SolveStatus::Optimal, 1 + 6 - 15));
        // Infeasible and with an unbounded cycle: infeasible wins.
        let mut b = u.clone();
        b.upper[2] = INF;
        b.upper[0] = 0;
        assert_eq!(solve(&b).status, SolveStatus::Infeasible);
    }

    #[test]
    fn overflow_is_reported() {
        let big = MAX_ABS_VALUE;
        let mut p = FlowProblem::with_nodes(2);
        for _ in 0..20_000 {
            p.add_arc(0, 1, 0, big, big);
        }
        assert!(matches!(
            NetworkSimplex::new(&p, PivotRule::BlockSearch)
                .unwrap()
                .solve(),
            Err(SolveError::Overflow(_))
        ));
    }

    /// Independent feasibility test: max flow (BFS augmenting paths) on the lower-bound-shifted
    /// network from a super source to a super sink.
    fn feasible(p: &FlowProblem) -> bool {
        let n = p.num_nodes();
        let (s, t) = (n, n + 1);
        let mut cap = vec![vec![0i128; n + 2]; n + 2];
        let mut b: Vec<i128> = p.supply.iter().map(|&x| x as i128).collect();
        for a in 0..p.num_arcs() {
            let (u, v, l) = (p.tail[a] as usize, p.head[a] as usize, p.lower[a] as i128);
            b[u] -= l;
            b[v] += l;
            if u != v {
                let c = if p.upper[a] == INF {
                    1 << 60
                } else {
                    p.upper[a] as i128 - l
                };
                cap[u][v] += c;
            }
        }
        let mut need = 0;
        for v in 0..n {
            if b[v] > 0 {
                cap[s][v] += b[v];
                need += b[v];
            } else {
                cap[v][t] -= b[v];
            }
        }
        let mut total = 0;
        loop {
            let mut prev = vec![usize::MAX; n + 2];
            prev[s] = s;
            let mut queue = std::collections::VecDeque::from([s]);
            while let Some(u) = queue.pop_front() {
                for v in 0..n + 2 {
                    if prev[v] == usize::MAX && cap[u][v] > 0 {
                        prev[v] = u;
                        queue.push_back(v);
                    }
                }
            }
            if prev[t] == usize::MAX {
                break;
            }
            let mut f = i128::MAX;
            let mut v = t;
            while v != s {
                f = f.min(cap[prev[v]][v]);
                v = prev[v];
            }
            let mut v = t;
            while v != s {
                cap[prev[v]][v] -= f;
                cap[v][prev[v]] += f;
                v = prev[v];
            }
            total += f;
        }
        total == need
    }

    /// Negative cycle among infinite-capacity arcs (Bellman-Ford from a virtual source).
    fn infinite_negative_cycle(p: &FlowProblem) -> bool {
        let n = p.num_nodes();
        let mut d = vec![0i128; n];
        for _ in 0..=n {
            let mut changed = false;
            for a in 0..p.num_arcs() {
                if p.upper[a] != INF {
                    continue;
                }
                let (u, v) = (p.tail[a] as usize, p.head[a] as usize);
                if d[u] + (p.cost[a] as i128) < d[v] {
                    d[v] = d[u] + p.cost[a] as i128;
                    changed = true;
                }
            }
            if !changed {
                return false;
            }
        }
        true
    }

    fn random_problem(rng: &mut ChaCha8Rng) -> FlowProblem {
        let n = rng.random_range(1..9);
        let m = rng.random_range(0..20);
        let mut p = FlowProblem::with_nodes(n);
        for _ in 0..m {
            let u = rng.random_range(0..n);
            let v = rng.random_range(0..n);
            let lower = if rng.random_bool(0.2) {
                rng.random_range(0..3)
            } else {
                0
            };
            let upper = if rng.random_bool(0.3) {
                INF
            } else {
                lower + rng.random_range(0..8)
            };
            let lo_cost = if rng.random_bool(0.5) { 0 } else { -5 };
            p.add_arc(u, v, lower, upper, rng.random_range(lo_cost..10));
        }
        for _ in 0..rng.random_range(0..4) {
            let u = rng.random_range(0..n);
            let v = rng.random_range(0..n);
            let x = rng.random_range(1..6);
            p.supply[u] += x;
            p.supply[v] -= x;
        }
        p
    }

    #[test]
    fn random_small_problems_against_independent_checks() {
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let mut counts = [0; 3];
        for _ in 0..3000 {
            let p = random_problem(&mut rng);
            let s = solve(&p);
            let expected = if !feasible(&p) {
                SolveStatus::Infeasible
            } else if infinite_negative_cycle(&p) {
                SolveStatus::Unbounded
            } else {
                SolveStatus::Optimal
            };
            assert_eq!(s.status, expected, "{p:?}");
            counts[expected as usize] += 1;
        }
        assert!(counts.iter().all(|&c| c > 100), "{counts:?}");
    }

    /// Applies a random mix of supply, cost and bound changes through the setters.
    fn random_changes(rng: &mut ChaCha8Rng, p: &mut FlowProblem, ns: &mut NetworkSimplex) {
        let n = p.num_nodes();
        let m = p.num_arcs();
        for _ in 0..rng.random_range(1..4) {
            match rng.random_range(0..3) {
                0 if n > 0 => {
                    let (u, v) = (rng.random_range(0..n), rng.random_range(0..n));
                    let x = rng.random_range(-3..4);
                    p.supply[u] += x;
                    p.supply[v] -= x;
                    ns.set_supply(u, p.supply[u]).unwrap();
                    ns.set_supply(v, p.supply[v]).unwrap();
                }
                1 if m > 0 => {
                    let a = rng.random_range(0..m);
                    p.cost[a] = rng.random_range(-5..10);
                    ns.set_cost(a, p.cost[a]).unwrap();
                }
                2 if m > 0 => {
                    let a = rng.random_range(0..m);
                    p.lower[a] = if rng.random_bool(0.2) {
                        rng.random_range(0..3)
                    } else {
                        0
                    };
                    p.upper[a] = if rng.random_bool(0.3) {
                        INF
                    } else {
                        p.lower[a] + rng.random_range(0..8)
                    };
                    ns.set_bounds(a, p.lower[a], p.upper[a]).unwrap();
                }
                _ => {}
            }
        }
    }

    #[test]
    fn warm_start_matches_cold_on_random_changes() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..400 {
            let mut p = random_problem(&mut rng);
            let rule = RULES[rng.random_range(0..RULES.len())];
            let mut ns = NetworkSimplex::new(&p, rule).unwrap();
            ns.solve().unwrap();
            for _ in 0..8 {
                random_changes(&mut rng, &mut p, &mut ns);
                resolve_matches_cold(&mut ns, &p);
                assert_eq!(ns.current_problem(), p);
            }
        }
    }

    /// Re-solves `ns` (holding `p`) warm and checks it against a cold solve of `p`: the same
    /// status, the same objective and a valid certificate.
    fn resolve_matches_cold(ns: &mut NetworkSimplex, p: &FlowProblem) {
        let warm = ns.resolve().unwrap();
        let cold = solve_with(p, PivotRule::BlockSearch);
        assert_eq!(warm.status, cold.status, "{p:?}");
        if warm.status == SolveStatus::Optimal {
            assert_eq!(warm.objective, cold.objective, "{p:?}");
            verify(p, &warm).unwrap();
        }
    }

    /// A warm primal phase that reaches its pivot limit solves cold instead: same results
    /// (limits of 0 to 3 pivots force the fallback on most re-solves).
    #[test]
    fn warm_start_falls_back_to_cold_at_its_pivot_limit() {
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let mut fell_back = 0;
        for _ in 0..200 {
            let mut p = random_problem(&mut rng);
            let mut ns = NetworkSimplex::new(&p, PivotRule::BlockSearch).unwrap();
            ns.warm_limit_override = Some(rng.random_range(0..4));
            ns.solve().unwrap();
            for _ in 0..4 {
                random_changes(&mut rng, &mut p, &mut ns);
                resolve_matches_cold(&mut ns, &p);
                // After a fallback the solver holds the cold solve's limit (none).
                fell_back += (ns.pivot_limit == u64::MAX) as usize;
            }
        }
        assert!(fell_back > 100, "{fell_back}");
    }

    #[test]
    fn warm_start_on_perturbed_generated_instances() {
        for (i, base) in [gen::transport(2000, 1), gen::netgen(250, 2000, 2)]
            .into_iter()
            .enumerate()
        {
            let mut ns = NetworkSimplex::new(&base, PivotRule::BlockSearch).unwrap();
            let first = ns.solve().unwrap();
            verify(&base, &first).unwrap();
            for seed in 0..15 {
                let q = gen::perturb(&base, 10, 100 * i as u64 + seed);
                ns.update(&q).unwrap();
                let warm = ns.resolve().unwrap();
                let cold = NetworkSimplex::new(&q, PivotRule::BlockSearch)
                    .unwrap()
                    .solve()
                    .unwrap();
                assert_eq!(warm.status, cold.status);
                assert_eq!(warm.objective, cold.objective);
                if warm.status == SolveStatus::Optimal {
                    verify(&q, &warm).unwrap();
                }
            }
        }
    }

    #[test]
    fn generated_instances_agree_across_rules() {
        for p in [gen::transport(3000, 5), gen::netgen(400, 3000, 5)] {
            let s = solve(&p);
            assert_eq!(s.status, SolveStatus::Optimal);
        }
    }

    #[test]
    fn potentials_are_free_of_the_artificial_cost() {
        for p in [gen::transport(3000, 9), gen::netgen(400, 3000, 9)] {
            let s = solve(&p);
            let bound: i64 = p.cost.iter().map(|c| c.abs()).sum();
            assert!(s.potential.iter().all(|&x| x.abs() <= bound));
        }
    }

    #[test]
    fn huge_costs() {
        // Costs near the 2^50 limit (M ≈ 2^56).
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let big = MAX_ABS_VALUE;
        for _ in 0..40 {
            let n = rng.random_range(20..60);
            let mut p = FlowProblem::with_nodes(n);
            for _ in 0..4 * n {
                let (u, v) = (rng.random_range(0..n), rng.random_range(0..n));
                let upper = if rng.random_bool(0.2) {
                    INF
                } else {
                    rng.random_range(0..1000)
                };
                p.add_arc(u, v, 0, upper, rng.random_range(0..big));
            }
            for _ in 0..n {
                let (u, v) = (rng.random_range(0..n), rng.random_range(0..n));
                let x = rng.random_range(1..50);
                p.supply[u] += x;
                p.supply[v] -= x;
            }
            let s = solve_with(&p, PivotRule::BlockSearch);
            let b = solve_with(&p, PivotRule::BestEligible);
            assert_eq!((s.status, s.objective), (b.status, b.objective));
        }
    }

    /// `update` with random problems of the same topology (lower bounds appearing and
    /// disappearing, infeasible and unbounded states in between), mixed with setters, against
    /// cold solves.
    #[test]
    fn warm_start_through_update_matches_cold() {
        let mut rng = ChaCha8Rng::seed_from_u64(19);
        for round in 0..400 {
            let p = random_problem(&mut rng);
            let rule = RULES[round % RULES.len()];
            let mut ns = NetworkSimplex::new(&p, rule).unwrap();
            ns.solve().unwrap();
            let mut q = p.clone();
            for step in 0..8 {
                // Same arcs, fresh data.
                let fresh = random_problem(&mut rng);
                for a in 0..q.num_arcs() {
                    let k = a % fresh.num_arcs().max(1);
                    if fresh.num_arcs() > 0 && rng.random_bool(0.5) {
                        q.lower[a] = fresh.lower[k];
                        q.upper[a] = fresh.upper[k].max(fresh.lower[k]);
                    }
                    if rng.random_bool(0.5) {
                        q.cost[a] = rng.random_range(-5..10);
                    }
                }
                if rng.random_bool(0.5) && q.num_nodes() >= 2 {
                    let x = rng.random_range(-4..5);
                    q.supply[0] += x;
                    q.supply[1] -= x;
                }
                ns.update(&q).unwrap();
                if step % 3 == 1 && q.num_arcs() > 0 {
                    // A setter after `update` acts on the pending costs.
                    let a = rng.random_range(0..q.num_arcs());
                    q.cost[a] = rng.random_range(-5..10);
                    ns.set_cost(a, q.cost[a]).unwrap();
                }
                assert_eq!(ns.current_problem(), q);
                let warm = ns.resolve().unwrap();
                let cold = solve_with(&q, PivotRule::BlockSearch);
                assert_eq!(warm.status, cold.status, "{q:?}");
                if warm.status == SolveStatus::Optimal {
                    assert_eq!(warm.objective, cold.objective, "{q:?}");
                    verify(&q, &warm).unwrap();
                }
            }
        }
    }

    /// Supply and capacity changes only (the dual repair's case), large and small, on
    /// generated instances.
    #[test]
    fn warm_start_after_supply_and_capacity_changes() {
        for (i, base) in [gen::transport(2000, 3), gen::netgen(250, 2000, 4)]
            .into_iter()
            .enumerate()
        {
            let mut ns = NetworkSimplex::new(&base, PivotRule::BlockSearch).unwrap();
            ns.solve().unwrap();
            for seed in 0..12 {
                let mut q =
                    gen::perturb(&base, [2, 10, 40][seed as usize % 3], 50 * i as u64 + seed);
                q.cost.clone_from(&base.cost);
                ns.update(&q).unwrap();
                let warm = ns.resolve().unwrap();
                let cold = solve_with(&q, PivotRule::BlockSearch);
                assert_eq!((warm.status, warm.objective), (cold.status, cold.objective));
                if warm.status == SolveStatus::Optimal {
                    verify(&q, &warm).unwrap();
                }
            }
        }
    }

    /// A rejected `update` reports what `validate` reports and changes nothing.
    #[test]
    fn failed_update_changes_nothing() {
        let p = gen::transport(300, 2);
        let mut ns = NetworkSimplex::new(&p, PivotRule::BlockSearch).unwrap();
        let first = ns.solve().unwrap();
        let mut bad = Vec::new();
        let mut q = gen::perturb(&p, 10, 1);
        q.lower[7] = q.upper[7].saturating_add(1).min(MAX_ABS_VALUE);
        q.upper[7] = q.lower[7] - 1;
        bad.push(q);
        let mut q = gen::perturb(&p, 10, 2);
        q.cost[5] = MAX_ABS_VALUE + 1;
        bad.push(q);
        let mut q = gen::perturb(&p, 10, 3);
        q.supply[0] += 1;
        bad.push(q);
        let mut q = gen::perturb(&p, 10, 4);
        q.cost.pop();
        bad.push(q);
        for q in &bad {
            let expected = q.validate().unwrap_err().to_string();
            let got = ns.update(q).unwrap_err().to_string();
            assert!(got.contains(&expected), "{got} / {expected}");
            assert_eq!(ns.current_problem(), p);
        }
        // A failed update after a successful one keeps the pending data.
        let good = gen::perturb(&p, 10, 9);
        ns.update(&good).unwrap();
        for q in &bad {
            assert!(ns.update(q).is_err());
            assert_eq!(ns.current_problem(), good);
        }
        let pending = ns.resolve().unwrap();
        let mut cold = NetworkSimplex::new(&good, PivotRule::BlockSearch).unwrap();
        assert_eq!(pending.objective, cold.solve().unwrap().objective);
        // Values of exactly ±2^50 are valid.
        let mut q = p.clone();
        q.cost[3] = -MAX_ABS_VALUE;
        ns.update(&q).unwrap();
        ns.update(&p).unwrap();
        let again = ns.resolve().unwrap();
        assert_eq!(again.objective, first.objective);
    }

    #[test]
    fn update_rejects_other_topology() {
        let p = gen::transport(200, 1);
        let mut ns = NetworkSimplex::new(&p, PivotRule::BlockSearch).unwrap();
        let mut q = p.clone();
        q.head[0] = q.tail[0];
        assert!(matches!(ns.update(&q), Err(SolveError::TopologyChanged)));
    }

    /// Whether the incidence groups (when built) match every arc's ends and capacity.
    fn incidences_match(ns: &NetworkSimplex) -> bool {
        if ns.adj_start.is_empty() {
            return true; // stale: rebuilt before the next use
        }
        let mut seen = vec![0u8; ns.m];
        for u in 0..=ns.n {
            for g in 0..ADJ_GROUPS {
                let b = ADJ_GROUPS * u + g;
                let range = ns.adj_start[b] as usize..ns.adj_start[b + 1] as usize;
                for &inc in &ns.adj[range] {
                    let (a, out, other) = ((inc >> 33) as usize, inc >> 32 & 1 == 1, inc as u32);
                    let expected = incidence_group(out, ns.cap[a] != INF);
                    let (here, there) = if out {
                        (ns.source[a], ns.target[a])
                    } else {
                        (ns.target[a], ns.source[a])
                    };
                    if g != expected || here as usize != u || there != other {
                        return false;
                    }
                    seen[a] += 1;
                }
            }
        }
        seen.iter().all(|&k| k == 2)
    }

    #[test]
    fn incidence_groups_follow_capacity_changes() {
        let mut rng = ChaCha8Rng::seed_from_u64(23);
        let (mut rebuilt, mut regrouped) = (0, 0);
        for _ in 0..200 {
            let p = gen::transport(60, rng.random());
            let mut ns = NetworkSimplex::new(&p, PivotRule::BlockSearch).unwrap();
            ns.solve().unwrap();
            let mut q = p.clone();
            for step in 0..6 {
                // Flip a few arcs between finite and infinite capacity, through `update` or
                // the setter.
                // Step 3 flips so many that the lists are rebuilt instead.
                let flips = if step == 3 { q.num_arcs() / 4 } else { 3 };
                for _ in 0..flips {
                    let a = rng.random_range(0..q.num_arcs());
                    q.upper[a] = if q.upper[a] == INF {
                        rng.random_range(0..50)
                    } else {
                        INF
                    };
                    if step % 2 == 1 {
                        ns.set_bounds(a, q.lower[a], q.upper[a]).unwrap();
                    }
                }
                if step % 2 == 0 {
                    ns.update(&q).unwrap();
                }
                let (stale, pending) = (ns.adj_start.is_empty(), !ns.regroup.is_empty());
                let warm = ns.resolve().unwrap();
                // Resolve regroups only when a dual repair needs the incidences: force it.
                ns.ensure_adjacency();
                rebuilt += stale as usize;
                regrouped += pending as usize;
                assert!(incidences_match(&ns));
                let cold = solve(&q);
                assert_eq!((warm.status, warm.objective), (cold.status, cold.objective));
            }
        }
        // Both paths ran: regrouping the touched nodes, and the rebuild (first use, or more
        // than m / 8 arcs flipped).
        assert!(rebuilt > 0 && regrouped > 0, "{rebuilt} {regrouped}");
    }
}
