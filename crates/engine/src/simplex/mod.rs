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
//! are negated so they follow the crate convention of `lib.rs` (`rc = c - pi[u] + pi[v]`).
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
//!
//! # Layout
//!
//! - this file: the solver's state, construction, `solve` / `resolve` and the primal pivot
//!   loop;
//! - `tree.rs`: the spanning tree (initial basis, pivots on the thread / `succ_num` / `last_succ`
//!   indexing, tree exchange of the dual pivots, potentials);
//! - `pricing.rs`: the pivot rules and the warm active set;
//! - `warm.rs`: the flow repair of a warm start (dual pivots, strong feasibility, cuts);
//! - `update.rs`: data changes (`update`, setters) and the incidence groups;
//! - `mixing.rs`: the internal arc order;
//! - `solution.rs`: the returned [`FlowSolution`] and its potentials.

mod mixing;
mod pricing;
mod restore;
mod solution;
#[cfg(test)]
mod tests;
mod tree;
mod update;
mod warm;

use crate::{FlowProblem, FlowSolution, ProblemError, SolveError, SolveStatus, INFINITE_CAPACITY};
use mixing::{mixing_order, Mixing};
use pricing::{cold_block_size, ActiveArc, MIN_BLOCK, WARM_BLOCK_DIVISOR};
use warm::warm_pivot_limit;

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

/// Largest admissible flow bound `F` (see the module documentation).
const FLOW_LIMIT: i128 = (i64::MAX / 4) as i128;
/// Largest admissible artificial cost `M`.
const COST_LIMIT: i128 = 1 << 59;

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
    /// Names this solver's topology (`pos`, the problem arcs' ends, `ends_tail`, `ends_head`,
    /// none of which changes after [`new`](Self::new)); clones share it. See `restore.rs`.
    topology_id: restore::Id,
    /// Names the current contents of `adj_start` and `adj`: fresh whenever they change.
    adj_id: restore::Id,

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
            topology_id: restore::fresh_id(),
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
            adj_id: restore::Id::NONE,
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

    fn check_balance(&self) -> Result<(), SolveError> {
        let total: i128 = self.supply.iter().map(|&s| s as i128).sum();
        if total != 0 {
            return Err(ProblemError::Unbalanced(total).into());
        }
        Ok(())
    }

    #[inline]
    fn reduced_cost(&self, a: usize) -> i64 {
        self.cost[a] + self.pi[self.source[a] as usize] - self.pi[self.target[a] as usize]
    }

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
}
