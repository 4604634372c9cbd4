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
//! basis:
//!
//! - cost changes keep the basis primal feasible: potentials are recomputed and pivoting
//!   continues;
//! - supply / bound changes: non-tree arcs are put back on their (new) bounds and the tree
//!   flows are recomputed bottom-up; every tree arc whose new flow is out of bounds (or which
//!   would break strong feasibility) is *cut*: it becomes a non-tree arc at the violated bound
//!   and the subtree below it is re-hung from the root by its own artificial arc, which carries
//!   the residual imbalance. The result is a strongly feasible basis of the big-M problem that
//!   differs from the previous optimum only where the data changed.
//!
//! # Potentials returned
//!
//! At an optimum the tree may still contain several zero-flow artificial arcs, so the raw
//! potentials of different root subtrees differ by multiples of `M`. Before returning, each
//! root subtree is shifted by the shortest-path solution of the difference constraints imposed
//! by the non-tree arcs between subtrees (Dijkstra with the big-M potentials as a Johnson
//! reweighting). The returned potentials are therefore valid duals for every arc and are sums of
//! original arc costs only, never involving `M`.

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

/// LEMON's arc mixing: arcs are taken in reverse input order (the order in which LEMON's graphs
/// enumerate them) and input arc `a` goes to position `pos[a]`, filling every `skip`-th slot.
/// With this order the pivot sequence is the same as LEMON's on the same input.
fn mixing_order(n: usize, m: usize) -> Vec<u32> {
    if n <= 1 || m == 0 {
        return (0..m as u32).rev().collect();
    }
    let skip = (m / n).max(3);
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

        let block_size = ((m as f64).sqrt() as usize).max(10);
        let list_length = ((0.25 * (m as f64).sqrt()) as usize).max(10);
        let minor_limit = ((0.1 * list_length as f64) as usize).max(3);

        Ok(NetworkSimplex {
            n,
            m,
            rule: pivot,
            pos,
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
        self.check_balance()?;
        let b = transformed_supply(
            &self.supply,
            &self.lower,
            &self.source,
            &self.target,
            &self.cap[..self.m],
        )?;
        self.art_cost = artificial_cost(&self.cost[..self.m], self.n)?;
        self.init_cold(&b);
        self.iterations = 0;
        if !self.initial_pivots(&b) {
            return self.finish_unbounded();
        }
        self.run()
    }

    /// Re-solves after data changes, starting from the basis of the previous solve (falls back to
    /// [`solve`](Self::solve) when there is none). The result is identical in objective to a
    /// cold solve of the changed problem.
    pub fn resolve(&mut self) -> Result<FlowSolution, SolveError> {
        if !self.has_basis {
            return self.solve();
        }
        self.check_balance()?;
        // Keep M unless the new costs need a larger one: changing it would shift the
        // potentials of whole root subtrees and make arcs between them eligible for nothing.
        self.art_cost = self
            .art_cost
            .max(artificial_cost(&self.cost[..self.m], self.n)?);
        self.iterations = 0;
        if self.flows_dirty {
            let b = transformed_supply(
                &self.supply,
                &self.lower,
                &self.source,
                &self.target,
                &self.cap[..self.m],
            )?;
            self.repair_flows(&b);
            self.flows_dirty = false;
        }
        // Artificial costs follow the current direction of each artificial arc.
        let (m, n, root) = (self.m, self.n, self.n as u32);
        for a in m..m + n {
            self.cost[a] = if self.source[a] == root {
                self.art_cost
            } else {
                0
            };
        }
        self.compute_potentials();
        self.run()
    }

    /// Sets the supply of `node` (positive = source). Supplies must sum to zero again before the
    /// next [`resolve`](Self::resolve).
    pub fn set_supply(&mut self, node: usize, value: i64) -> Result<(), SolveError> {
        check_value("supply of node", node, value)?;
        if self.supply[node] != value {
            self.supply[node] = value;
            self.flows_dirty = true;
        }
        Ok(())
    }

    /// Sets the cost of `arc`.
    pub fn set_cost(&mut self, arc: usize, value: i64) -> Result<(), SolveError> {
        check_value("cost of arc", arc, value)?;
        self.cost[self.pos[arc] as usize] = value;
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
        let old_lower = self.lower.get(i).copied().unwrap_or(0);
        let new_cap = if upper == INF { INF } else { upper - lower };
        if old_lower != lower || self.cap[i] != new_cap {
            if !self.lower.is_empty() {
                self.lower[i] = lower;
            }
            self.cap[i] = new_cap;
            self.flows_dirty = true;
        }
        Ok(())
    }

    /// Replaces supplies, bounds and costs by those of `problem`, which must have the same nodes
    /// and arcs (same tails and heads in the same order).
    pub fn update(&mut self, problem: &FlowProblem) -> Result<(), SolveError> {
        problem.validate()?;
        if problem.num_nodes() != self.n || problem.num_arcs() != self.m {
            return Err(SolveError::TopologyChanged);
        }
        for a in 0..self.m {
            let i = self.pos[a] as usize;
            if problem.tail[a] != self.source[i] || problem.head[a] != self.target[i] {
                return Err(SolveError::TopologyChanged);
            }
        }
        if problem.supply != self.supply {
            self.supply.copy_from_slice(&problem.supply);
            self.flows_dirty = true;
        }
        let has_lower = problem.lower.iter().any(|&l| l != 0);
        if has_lower && self.lower.is_empty() {
            self.lower = vec![0; self.m];
        }
        for a in 0..self.m {
            let i = self.pos[a] as usize;
            self.cost[i] = problem.cost[a];
            let (l, u) = (problem.lower[a], problem.upper[a]);
            let c = if u == INF { INF } else { u - l };
            if self.cap[i] != c {
                self.cap[i] = c;
                self.flows_dirty = true;
            }
            if !self.lower.is_empty() && self.lower[i] != l {
                self.lower[i] = l;
                self.flows_dirty = true;
            }
        }
        if !has_lower && !self.lower.is_empty() {
            self.lower = Vec::new();
        }
        Ok(())
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

    fn run(&mut self) -> Result<FlowSolution, SolveError> {
        let ok = match self.rule {
            PivotRule::BlockSearch => self.run_with(Self::find_block_search),
            PivotRule::FirstEligible => self.run_with(Self::find_first_eligible),
            PivotRule::BestEligible => self.run_with(Self::find_best_eligible),
            PivotRule::CandidateList => {
                if self.candidates.len() != self.list_length {
                    self.candidates = vec![0; self.list_length];
                    self.cand_len = 0;
                }
                self.run_with(Self::find_candidate_list)
            }
        };
        if !ok {
            return self.finish_unbounded();
        }
        let (m, n) = (self.m, self.n);
        if self.flow[m..m + n].iter().any(|&f| f != 0) {
            return Ok(self.non_optimal(SolveStatus::Infeasible));
        }
        Ok(self.optimal_solution())
    }

    #[inline]
    fn run_with(&mut self, mut find: impl FnMut(&mut Self) -> Option<usize>) -> bool {
        while let Some(a) = find(self) {
            if !self.pivot(a) {
                return false;
            }
        }
        true
    }

    /// One pivot on entering arc `a`; `false` when the cycle has infinite capacity.
    #[inline]
    fn pivot(&mut self, a: usize) -> bool {
        let mut core = Core {
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
        };
        let ok = core.pivot(a);
        self.iterations += ok as u64;
        ok
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
        let mut min = 0i64;
        let mut best = usize::MAX;
        let mut cnt = bs;
        let next = self.next_arc;
        for (lo, hi) in [(next, m), (0, next)] {
            let mut e = lo;
            while e < hi {
                let end = (e + cnt).min(hi);
                for i in e..end {
                    let c = state[i] as i64
                        * (cost[i] + pi[source[i] as usize] - pi[target[i] as usize]);
                    if c < min {
                        min = c;
                        best = i;
                    }
                }
                cnt -= end - e;
                e = end;
                if cnt == 0 {
                    if min < 0 {
                        self.next_arc = e - 1;
                        return Some(best);
                    }
                    cnt = bs;
                }
            }
        }
        (min < 0).then_some(best)
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

    /// Puts non-tree arcs on their bounds, recomputes tree flows for supplies `b` and cuts every
    /// tree arc that is out of bounds or breaks strong feasibility (see the module docs).
    fn repair_flows(&mut self, b: &[i64]) {
        let (n, m) = (self.n, self.m);
        let root = n;
        let big_m = self.art_cost;
        let mut acc: Vec<i64> = Vec::with_capacity(n + 1);
        acc.extend_from_slice(b);
        acc.push(0);
        for e in 0..m {
            let f = match self.state[e] {
                STATE_LOWER => 0,
                STATE_UPPER => {
                    if self.cap[e] == INF {
                        self.state[e] = STATE_LOWER;
                        0
                    } else {
                        self.cap[e]
                    }
                }
                _ => continue,
            };
            self.flow[e] = f;
            if f != 0 {
                acc[self.source[e] as usize] -= f;
                acc[self.target[e] as usize] += f;
            }
        }
        for e in m..m + n {
            if self.state[e] != STATE_TREE {
                self.flow[e] = 0;
            }
        }
        let mut cut = false;
        let mut v = self.rev_thread[root] as usize;
        while v != root {
            let next = self.rev_thread[v] as usize;
            let s = acc[v];
            let e = self.pred[v] as usize;
            let p = self.parent[v] as usize;
            if e >= m {
                self.hang_from_root(v, s, big_m);
            } else {
                let up = self.pred_dir[v] == DIR_UP;
                let f = if up { s } else { -s };
                let c = self.cap[e];
                let fits = f >= 0 && (c == INF || f <= c);
                // Strongly feasible: flow can be pushed from `v` towards the root.
                let strong = if up { f != c } else { f != 0 };
                if fits && strong {
                    self.flow[e] = f;
                    acc[p] += s;
                } else {
                    let g = if f <= 0 { 0 } else { c };
                    self.flow[e] = g;
                    self.state[e] = if g == 0 { STATE_LOWER } else { STATE_UPPER };
                    let through = if up { g } else { -g };
                    acc[p] += through;
                    self.hang_from_root(v, s - through, big_m);
                    cut = true;
                }
            }
            v = next;
        }
        if cut {
            self.rebuild_tree_index();
        }
    }

    /// Makes `v` a child of the root through its artificial arc carrying imbalance `r`.
    fn hang_from_root(&mut self, v: usize, r: i64, big_m: i64) {
        let (n, m) = (self.n, self.m);
        let a = m + v;
        self.parent[v] = n as u32;
        self.pred[v] = a as u32;
        self.state[a] = STATE_TREE;
        self.cap[a] = INF;
        if r >= 0 {
            self.source[a] = v as u32;
            self.target[a] = n as u32;
            self.cost[a] = 0;
            self.pred_dir[v] = DIR_UP;
            self.flow[a] = r;
        } else {
            self.source[a] = n as u32;
            self.target[a] = v as u32;
            self.cost[a] = big_m;
            self.pred_dir[v] = DIR_DOWN;
            self.flow[a] = -r;
        }
    }

    /// Rebuilds thread, rev_thread, succ_num and last_succ from the parent pointers.
    fn rebuild_tree_index(&mut self) {
        let nn = self.n + 1;
        let root = self.n;
        let mut start = vec![0u32; nn + 1];
        for v in 0..self.n {
            start[self.parent[v] as usize + 1] += 1;
        }
        for i in 0..nn {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut children = vec![0u32; self.n];
        // Children in old thread order keeps the new thread close to the old one.
        let mut v = self.thread[root] as usize;
        while v != root {
            let p = self.parent[v] as usize;
            children[fill[p] as usize] = v as u32;
            fill[p] += 1;
            v = self.thread[v] as usize;
        }
        let mut order: Vec<u32> = Vec::with_capacity(nn);
        let mut stack: Vec<u32> = vec![root as u32];
        while let Some(v) = stack.pop() {
            order.push(v);
            let v = v as usize;
            for &c in children[start[v] as usize..start[v + 1] as usize]
                .iter()
                .rev()
            {
                stack.push(c);
            }
        }
        debug_assert_eq!(order.len(), nn);
        for i in 0..nn {
            let v = order[i] as usize;
            let next = order[(i + 1) % nn];
            self.thread[v] = next;
            self.rev_thread[next as usize] = v as u32;
        }
        for v in 0..nn {
            self.succ_num[v] = 1;
        }
        for i in (1..nn).rev() {
            let v = order[i] as usize;
            let p = self.parent[v] as usize;
            self.succ_num[p] += self.succ_num[v];
        }
        for (i, &v) in order.iter().enumerate() {
            let v = v as usize;
            self.last_succ[v] = order[i + self.succ_num[v] as usize - 1];
        }
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
                self.cost[i],
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
        let flow = self.original_flows();
        let objective = self
            .pos
            .iter()
            .zip(&flow)
            .map(|(&i, &x)| self.cost[i as usize] as i128 * x as i128)
            .sum();
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
    #[inline]
    fn pivot(&mut self, in_arc: usize) -> bool {
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
            return false;
        }
        self.change_flow(&cy, change);
        if change {
            self.update_tree_structure(&cy);
            self.update_potential(&cy);
        }
        true
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
    use crate::solve::{gen, verify};
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
                let warm = ns.resolve().unwrap();
                let cold = solve_with(&p, PivotRule::BlockSearch);
                assert_eq!(warm.status, cold.status, "{p:?}");
                if warm.status == SolveStatus::Optimal {
                    assert_eq!(warm.objective, cold.objective, "{p:?}");
                    verify(&p, &warm).unwrap();
                }
                assert_eq!(ns.current_problem(), p);
            }
        }
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

    #[test]
    fn update_rejects_other_topology() {
        let p = gen::transport(200, 1);
        let mut ns = NetworkSimplex::new(&p, PivotRule::BlockSearch).unwrap();
        let mut q = p.clone();
        q.head[0] = q.tail[0];
        assert!(matches!(ns.update(&q), Err(SolveError::TopologyChanged)));
    }
}
