//! Copies of a solver into kept buffers: [`NetworkSimplex::copy_from`] (a full copy, as a
//! clone) and [`NetworkSimplex::restore_from`] (the Monte Carlo's per-sample restore of one
//! base basis, which skips what the copy already holds: the topology, the incidence groups
//! while unchanged, and the scratch buffers that every update overwrites).

use super::NetworkSimplex;
use std::sync::atomic::{AtomicU64, Ordering};

/// A name no other call returns in this process (of a topology or of the contents of the
/// incidence groups; only compared for equality, so results never depend on it, and left out
/// of `Debug`, which shows what a solver holds).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct Id(u64);

impl std::fmt::Debug for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("_")
    }
}

/// See [`Id`]; `Id::NONE` names empty incidence groups.
pub(super) fn fresh_id() -> Id {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    Id(NEXT.fetch_add(1, Ordering::Relaxed))
}

impl Id {
    pub(super) const NONE: Id = Id(0);
}

impl NetworkSimplex {
    /// Makes this solver a copy of `other` (problem, basis, warm-start state, pivot state),
    /// reusing this one's buffers: `a.copy_from(&b)` leaves `a` as `b.clone()` would, without
    /// allocating when the sizes match. The Monte Carlo restores one base basis before every
    /// sample this way.
    pub fn copy_from(&mut self, other: &NetworkSimplex) {
        // Destructured without `..`: a new field must be added here.
        let NetworkSimplex {
            n,
            m,
            rule,
            pos,
            mixing,
            topology_id,
            adj_id,
            supply,
            lower,
            source,
            target,
            cost,
            cap,
            flow,
            state,
            pi,
            parent,
            pred,
            thread,
            rev_thread,
            succ_num,
            last_succ,
            pred_dir,
            dirty_revs,
            weak,
            bt,
            bt_abs,
            delta,
            dirty_arcs,
            cost_next,
            changed,
            costs_pending,
            dual_ok,
            adj_start,
            adj,
            regroup,
            mark,
            stamp,
            ends_tail,
            ends_head,
            ends_upper,
            supply_sum,
            cap_sum,
            needed_m,
            active,
            active_keys,
            in_active,
            active_want,
            next_active,
            active_stale,
            next_arc,
            block_size,
            candidates,
            cand_len,
            list_length,
            minor_limit,
            minor_count,
            art_cost,
            has_basis,
            flows_dirty,
            iterations,
            pivot_limit,
            gave_up,
            warm_limit_override,
        } = other;
        self.n = *n;
        self.m = *m;
        self.rule = *rule;
        self.pos.clone_from(pos);
        self.mixing = *mixing;
        self.topology_id = *topology_id;
        self.adj_id = *adj_id;
        self.supply.clone_from(supply);
        self.lower.clone_from(lower);
        self.source.clone_from(source);
        self.target.clone_from(target);
        self.cost.clone_from(cost);
        self.cap.clone_from(cap);
        self.flow.clone_from(flow);
        self.state.clone_from(state);
        self.pi.clone_from(pi);
        self.parent.clone_from(parent);
        self.pred.clone_from(pred);
        self.thread.clone_from(thread);
        self.rev_thread.clone_from(rev_thread);
        self.succ_num.clone_from(succ_num);
        self.last_succ.clone_from(last_succ);
        self.pred_dir.clone_from(pred_dir);
        self.dirty_revs.clone_from(dirty_revs);
        self.weak.clone_from(weak);
        self.bt.clone_from(bt);
        self.bt_abs = *bt_abs;
        self.delta.clone_from(delta);
        self.dirty_arcs.clone_from(dirty_arcs);
        self.cost_next.clone_from(cost_next);
        self.changed.clone_from(changed);
        self.costs_pending = *costs_pending;
        self.dual_ok = *dual_ok;
        self.adj_start.clone_from(adj_start);
        self.adj.clone_from(adj);
        self.regroup.clone_from(regroup);
        self.mark.clone_from(mark);
        self.stamp = *stamp;
        self.ends_tail.clone_from(ends_tail);
        self.ends_head.clone_from(ends_head);
        self.ends_upper.clone_from(ends_upper);
        self.supply_sum = *supply_sum;
        self.cap_sum = *cap_sum;
        self.needed_m = *needed_m;
        self.active.clone_from(active);
        self.active_keys.clone_from(active_keys);
        self.in_active.clone_from(in_active);
        self.active_want = *active_want;
        self.next_active = *next_active;
        self.active_stale = *active_stale;
        self.next_arc = *next_arc;
        self.block_size = *block_size;
        self.candidates.clone_from(candidates);
        self.cand_len = *cand_len;
        self.list_length = *list_length;
        self.minor_limit = *minor_limit;
        self.minor_count = *minor_count;
        self.art_cost = *art_cost;
        self.has_basis = *has_basis;
        self.flows_dirty = *flows_dirty;
        self.iterations = *iterations;
        self.pivot_limit = *pivot_limit;
        self.gave_up = *gave_up;
        self.warm_limit_override = *warm_limit_override;
    }
}

impl NetworkSimplex {
    /// Makes this solver equal to `other` for every computation that follows, as
    /// [`copy_from`](Self::copy_from) does, copying less when this one is a copy of `other`
    /// (by `clone`, `copy_from` or `restore_from`, any number of updates and re-solves ago):
    /// the topology (`pos`, the problem arcs' ends, the ends the update compares against) is
    /// shared and not copied; the incidence groups only when either solver changed them since
    /// (each change names them afresh); the node marks and their stamp are kept (a fresh stamp
    /// marks no node either way); the spare cost buffer and the list of changed arcs, which
    /// the next [`update`](Self::update) overwrites before reading, are not copied unless
    /// `other` has costs pending. Any other solver is copied in full. The Monte Carlo restores
    /// one base basis before every sample this way.
    pub fn restore_from(&mut self, other: &NetworkSimplex) {
        let (n, m) = (other.n, other.m);
        let shared = self.topology_id == other.topology_id
            && self.n == n
            && self.m == m
            && self.source.len() == other.source.len()
            && self.ends_tail.len() == other.ends_tail.len();
        if !shared {
            self.copy_from(other);
            return;
        }
        // Destructured without `..`: a new field must be decided here.
        let NetworkSimplex {
            n: _,
            m: _,
            rule,
            pos: _,
            mixing,
            topology_id: _,
            adj_id,
            supply,
            lower,
            source,
            target,
            cost,
            cap,
            flow,
            state,
            pi,
            parent,
            pred,
            thread,
            rev_thread,
            succ_num,
            last_succ,
            pred_dir,
            dirty_revs,
            weak,
            bt,
            bt_abs,
            delta,
            dirty_arcs,
            cost_next,
            changed,
            costs_pending,
            dual_ok,
            adj_start,
            adj,
            regroup,
            mark,
            stamp,
            ends_tail: _,
            ends_head: _,
            ends_upper,
            supply_sum,
            cap_sum,
            needed_m,
            active,
            active_keys,
            in_active,
            active_want,
            next_active,
            active_stale,
            next_arc,
            block_size,
            candidates,
            cand_len,
            list_length,
            minor_limit,
            minor_count,
            art_cost,
            has_basis,
            flows_dirty,
            iterations,
            pivot_limit,
            gave_up,
            warm_limit_override,
        } = other;
        self.rule = *rule;
        self.mixing = *mixing;
        self.supply.clone_from(supply);
        self.lower.clone_from(lower);
        // The problem arcs' ends never change; the artificial arcs' may.
        self.source[m..].copy_from_slice(&source[m..]);
        self.target[m..].copy_from_slice(&target[m..]);
        self.cost.clone_from(cost);
        self.cap.clone_from(cap);
        self.flow.clone_from(flow);
        self.state.clone_from(state);
        self.pi.clone_from(pi);
        self.parent.clone_from(parent);
        self.pred.clone_from(pred);
        self.thread.clone_from(thread);
        self.rev_thread.clone_from(rev_thread);
        self.succ_num.clone_from(succ_num);
        self.last_succ.clone_from(last_succ);
        self.pred_dir.clone_from(pred_dir);
        self.dirty_revs.clone_from(dirty_revs);
        self.weak.clone_from(weak);
        self.bt.clone_from(bt);
        self.bt_abs = *bt_abs;
        self.delta.clone_from(delta);
        self.dirty_arcs.clone_from(dirty_arcs);
        if *costs_pending || self.cost_next.len() != cost_next.len() {
            self.cost_next.clone_from(cost_next);
        }
        if self.changed.len() != changed.len() {
            self.changed.clone_from(changed);
        }
        self.costs_pending = *costs_pending;
        self.dual_ok = *dual_ok;
        if self.adj_id != *adj_id {
            self.adj_start.clone_from(adj_start);
            self.adj.clone_from(adj);
            self.adj_id = *adj_id;
        }
        self.regroup.clone_from(regroup);
        if self.mark.len() != mark.len() {
            self.mark.clone_from(mark);
            self.stamp = *stamp;
        }
        self.ends_upper.clone_from(ends_upper);
        self.supply_sum = *supply_sum;
        self.cap_sum = *cap_sum;
        self.needed_m = *needed_m;
        self.active.clone_from(active);
        self.active_keys.clone_from(active_keys);
        self.in_active.clone_from(in_active);
        self.active_want = *active_want;
        self.next_active = *next_active;
        self.active_stale = *active_stale;
        self.next_arc = *next_arc;
        self.block_size = *block_size;
        self.candidates.clone_from(candidates);
        self.cand_len = *cand_len;
        self.list_length = *list_length;
        self.minor_limit = *minor_limit;
        self.minor_count = *minor_count;
        self.art_cost = *art_cost;
        self.has_basis = *has_basis;
        self.flows_dirty = *flows_dirty;
        self.iterations = *iterations;
        self.pivot_limit = *pivot_limit;
        self.gave_up = *gave_up;
        self.warm_limit_override = *warm_limit_override;
    }
}
