//! The flow repair of a warm start (see the module documentation of [`super`]): pending
//! balance changes pushed up the tree, dual pivots that bring out-of-bounds tree arcs back
//! to their bounds, degenerate dual pivots that restore strong feasibility, and cuts of
//! whatever remains.

use super::update::ADJ_GROUPS;
use super::{NetworkSimplex, DIR_UP, INF, NONE, STATE_LOWER, STATE_UPPER};

/// Whether a tree arc with flow `flow` and capacity `cap`, pointing to the root when `up`,
/// blocks pushing flow from its child towards the root (strong feasibility forbids it).
fn blocks_root(up: bool, flow: i64, cap: i64) -> bool {
    flow == if up { cap } else { 0 }
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
pub(super) fn warm_pivot_limit(n: usize, m: usize) -> u64 {
    2 * (n as u64 + m as u64) + 1000
}

impl NetworkSimplex {
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
    pub(super) fn repair_flows(&mut self) -> bool {
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
}
