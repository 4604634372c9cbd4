//! Data changes between solves: [`NetworkSimplex::update`] and the setters record what
//! changed for the warm start, and the per-node incidence groups that the dual ratio test of
//! the warm start reads are kept in step with capacity changes.

use super::restore::fresh_id;
use super::{NetworkSimplex, COST_LIMIT, INF};
use crate::problem::MAX_ABS_VALUE;
use crate::{FlowProblem, ProblemError, SolveError};

/// Incidence groups per node (see `build_adjacency`).
pub(super) const ADJ_GROUPS: usize = 4;

/// The group (see `build_adjacency`) of an incidence: of an arc leaving the node (`out`) or
/// entering it, of finite capacity or not.
pub(super) fn incidence_group(out: bool, finite: bool) -> usize {
    match (out, finite) {
        (true, false) => 0,
        (true, true) => 1,
        (false, true) => 2,
        (false, false) => 3,
    }
}

fn check_value(what: &'static str, index: usize, value: i64) -> Result<(), ProblemError> {
    if value.unsigned_abs() > MAX_ABS_VALUE as u64 {
        return Err(ProblemError::TooLarge { what, index, value });
    }
    Ok(())
}

impl NetworkSimplex {
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

    /// Sets the bounds of `arc` (`upper` may be [`INFINITE_CAPACITY`](crate::INFINITE_CAPACITY)).
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

    /// Builds now what the first [`update`](Self::update) builds (the buffers of the update,
    /// the incidence groups and the endpoints and bounds it compares against), from the
    /// current state, which is otherwise unchanged: an update of a copy made afterwards
    /// behaves exactly as on a copy made before, without that cost. The Monte Carlo prepares
    /// the base solver once, then restores it ([`copy_from`](Self::copy_from)) per sample.
    pub fn prepare_update(&mut self) {
        let (n, m) = (self.n, self.m);
        if self.cost_next.len() != m + n {
            self.cost_next = vec![0; m + n];
        }
        if self.changed.len() != m {
            self.changed = vec![0; m];
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
        self.prepare_update();
        // `changed` keeps length `m`; its first `n_changed` entries list the arcs.
        let mut changed = std::mem::take(&mut self.changed);
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
    pub(super) fn current_costs(&self) -> &[i64] {
        if self.costs_pending {
            &self.cost_next[..self.m]
        } else {
            &self.cost[..self.m]
        }
    }

    /// Moves pending costs (from `update`) into `cost`.
    pub(super) fn commit_costs(&mut self) {
        if self.costs_pending {
            let m = self.m;
            self.cost_next[m..].copy_from_slice(&self.cost[m..]);
            std::mem::swap(&mut self.cost, &mut self.cost_next);
            self.costs_pending = false;
        }
    }

    /// Builds the incidence lists when absent (before the first dual repair), or sorts again
    /// the groups of the nodes whose incident arcs changed group.
    pub(super) fn ensure_adjacency(&mut self) {
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
            self.adj_id = fresh_id();
            self.adj_start.clear();
            self.regroup.clear();
        } else {
            self.regroup.push(i as u32);
        }
    }

    /// A fresh node mark: no node carries it (marks are cleared when the stamp wraps).
    pub(super) fn next_stamp(&mut self) -> u32 {
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
        self.adj_id = fresh_id();
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
        self.adj_id = fresh_id();
    }
}
