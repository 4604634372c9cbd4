//! The spanning tree of the basis: the initial (artificial) tree and its first pivots, one
//! primal pivot on the thread / `succ_num` / `last_succ` indexing ([`Core`]), the tree
//! exchange of the dual pivots, and potentials computed from the tree.

use super::{NetworkSimplex, DIR_DOWN, DIR_UP, INF, NONE, STATE_LOWER, STATE_TREE, STATE_UPPER};

/// Potentials are shifted back towards `pi[root] = 0` when the root's drifts beyond this
/// (tiny in unit tests, so that the re-centring is exercised by every test).
#[cfg(not(test))]
const DRIFT_LIMIT: i64 = 1 << 61;
#[cfg(test)]
const DRIFT_LIMIT: i64 = 1 << 12;

impl NetworkSimplex {
    pub(super) fn init_cold(&mut self, b: &[i64]) {
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
    pub(super) fn initial_pivots(&mut self, b: &[i64]) -> bool {
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

    /// Recomputes potentials from the tree (thread order is a preorder).
    pub(super) fn compute_potentials(&mut self) {
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

    /// The tree update of a dual pivot: `a` (whose source lies in the subtree of `v` when
    /// `from_inside`) replaces the tree arc of `v`, which leaves in state `leaves_at`; the
    /// subtree's potentials follow.
    pub(super) fn exchange(
        &mut self,
        v: usize,
        (a, from_inside): (usize, bool),
        join: usize,
        leaves_at: i8,
    ) {
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

    pub(super) fn core_join(&mut self, a: usize) -> usize {
        self.core().find_join_node(a)
    }

    /// Disjoint borrows of the arrays a pivot touches.
    #[inline]
    pub(super) fn core(&mut self) -> Core<'_> {
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
    pub(super) fn move_to_root(&mut self, v: usize) {
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
    pub(super) fn set_artificial(&mut self, v: usize, r: i64, big_m: i64) {
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
    pub(super) fn hang_from_root(&mut self, v: usize, r: i64, big_m: i64) {
        debug_assert_eq!(self.parent[v] as usize, self.n);
        self.set_artificial(v, r, big_m);
        self.pred_dir[v] = if r >= 0 { DIR_UP } else { DIR_DOWN };
    }
}

/// Disjoint borrows of the arrays a pivot touches (lets the optimiser keep every base pointer
/// in a register: writes to one array cannot alias another).
pub(super) struct Core<'a> {
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
    pub(super) fn pivot(&mut self, in_arc: usize) -> Option<u32> {
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
