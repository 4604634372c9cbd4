//! One canonical optimum: the allocation a run reports does not depend on the order of the
//! input's rows nor on which optimum the simplex reached first (a cold solve, a warm start
//! from the base or from another sample).
//!
//! The rule (`docs/format.md`, "One canonical allocation"): among the optima of the
//! objective's last phase (least cost), (1) least transport t·km (every transport arc weighs
//! its km, in metres); among those, (2) least Σ w·x with each arc's weight `w` in 1..=2^30
//! taken from its key of ids ([`Network::tie_keys`]); and while ties remain, (3) one arc at a
//! time, the tied arc of smallest key carries the most flow. Each step solves on the optimal
//! face of the step before: an arc whose reduced cost is not zero keeps its flow (every optimum
//! has it there, by complementary slackness), the others are free. A step is skipped once the
//! face is a single point: no cycle of free arcs in the residual graph (every cycle of free
//! arcs costs zero, so such a cycle is exactly another optimum). Step (3) ends after at most
//! one step per arc: the arc it maximises has one flow on the face that follows.

use crate::network::{ArcKind, Network};
use symbiosim_engine::FlowProblem;

/// The weights the rule's steps read, per arc.
pub(super) struct Weights<'a> {
    /// Step 1: km in metres on transport arcs ([`tkm_weights`]).
    pub tkm: &'a [i64],
    /// Step 2: from the keys ([`tie_weights`]).
    pub tie: &'a [i64],
    /// Step 3's order: [`Network::tie_keys`].
    pub keys: &'a [u64],
}

/// Weight bits of the tie-break (step 2): small enough that Σ w·x never nears the solver's
/// limits, large enough that a tie by chance is rare (and then step 3 decides).
const TIE_BITS: u32 = 30;

/// Each arc's weight of step 1, into `out`: a transport arc's km in metres (to the nearest), 0
/// for the others.
pub(super) fn tkm_weights(net: &Network, out: &mut Vec<i64>) {
    out.clear();
    out.extend(net.graph.edge_weights().map(|arc| match arc.kind {
        ArcKind::Transport { km, .. } => (km * 1000.0).round() as i64,
        _ => 0,
    }));
}

/// Each arc's weight of step 2: its key's top bits, plus one (never zero), times the arc's
/// factor ([`Network::tie_scale`]: 1 but in a path's joint network).
pub(super) fn tie_weights(net: &Network) -> Vec<i64> {
    let scale = net.tie_scale();
    net.tie_keys()
        .iter()
        .enumerate()
        .map(|(a, &k)| key_weight(k) * scale.get(a).map_or(1, |&s| i64::from(s)))
        .collect()
}

/// A key's weight: its top [`TIE_BITS`] bits, plus one.
fn key_weight(k: u64) -> i64 {
    (k >> (64 - TIE_BITS)) as i64 + 1
}

/// Fixes at its flow every arc of `work` whose reduced cost under `cost` and the optimal
/// potentials `pi` is not zero: `work` becomes the optimal face (every optimum of the problem
/// `work` was, with costs `cost`, and no other point).
pub(super) fn restrict_to_face(work: &mut FlowProblem, cost: &[i64], pi: &[i64], flow: &[i64]) {
    for a in 0..work.num_arcs() {
        if work.lower[a] == work.upper[a] {
            continue;
        }
        let (t, h) = (work.tail[a] as usize, work.head[a] as usize);
        // Certified potentials: the reduced cost fits an i64 (as in `finish`).
        let rc = cost[a].wrapping_sub(pi[t]).wrapping_add(pi[h]);
        if rc != 0 {
            work.lower[a] = flow[a];
            work.upper[a] = flow[a];
        }
    }
}

/// How an arc of a face can change at a point: not at all (fixed), only up, only down, or
/// both ways.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slack {
    Fixed,
    Up,
    Down,
    Both,
}

fn slack(work: &FlowProblem, flow: &[i64], a: usize) -> Slack {
    let (l, u, x) = (work.lower[a], work.upper[a], flow[a]);
    match (x > l, x < u) {
        (false, false) => Slack::Fixed,
        (false, true) => Slack::Up,
        (true, false) => Slack::Down,
        (true, true) => Slack::Both,
    }
}

/// Union-find with path halving.
struct Sets(Vec<u32>);

impl Sets {
    fn new(n: usize) -> Sets {
        Sets((0..n as u32).collect())
    }

    fn find(&mut self, mut v: usize) -> usize {
        while self.0[v] as usize != v {
            self.0[v] = self.0[self.0[v] as usize];
            v = self.0[v] as usize;
        }
        v
    }

    /// Joins the sets of `a` and `b`; false if they were one already.
    fn union(&mut self, a: usize, b: usize) -> bool {
        let (a, b) = (self.find(a), self.find(b));
        self.0[a] = b as u32;
        a != b
    }
}

/// Whether `flow` is the only point of the face `work` (whose free arcs all have zero reduced
/// cost): no cycle of arcs, each used once in a direction its slack allows. Arcs that can move
/// both ways are undirected edges: a cycle among them alone is one; otherwise they form a
/// forest, each of whose trees joins its nodes both ways, and a cycle exists exactly when the
/// one-way arcs, between the trees, close a directed cycle (an arc within one tree closes one
/// through the tree).
pub(super) fn is_unique(work: &FlowProblem, flow: &[i64]) -> bool {
    let m = work.num_arcs();
    // Most faces are a single point after a step or two: nothing to build then.
    if (0..m).all(|a| slack(work, flow, a) == Slack::Fixed) {
        return true;
    }
    let n = work.num_nodes();
    let mut trees = Sets::new(n);
    for a in 0..m {
        if slack(work, flow, a) == Slack::Both
            && !trees.union(work.tail[a] as usize, work.head[a] as usize)
        {
            return false;
        }
    }
    // One-way arcs between trees, as tree → tree; Kahn's peeling on the trees' roots.
    let mut one_way: Vec<(usize, usize)> = Vec::new();
    for a in 0..m {
        let (t, h) = (work.tail[a] as usize, work.head[a] as usize);
        let (from, to) = match slack(work, flow, a) {
            Slack::Up => (t, h),
            Slack::Down => (h, t),
            Slack::Fixed | Slack::Both => continue,
        };
        let (from, to) = (trees.find(from), trees.find(to));
        if from == to {
            return false;
        }
        one_way.push((from, to));
    }
    let mut start = vec![0u32; n + 1];
    let mut indeg = vec![0u32; n];
    for &(f, t) in &one_way {
        start[f + 1] += 1;
        indeg[t] += 1;
    }
    for v in 0..n {
        start[v + 1] += start[v];
    }
    let mut fill = start.clone();
    let mut next = vec![0u32; one_way.len()];
    for &(f, t) in &one_way {
        next[fill[f] as usize] = t as u32;
        fill[f] += 1;
    }
    let mut stack: Vec<usize> = (0..n).filter(|&v| indeg[v] == 0).collect();
    let mut peeled = 0;
    while let Some(v) = stack.pop() {
        peeled += 1;
        for &t in &next[start[v] as usize..start[v + 1] as usize] {
            indeg[t as usize] -= 1;
            if indeg[t as usize] == 0 {
                stack.push(t as usize);
            }
        }
    }
    peeled == n
}

/// The arc of smallest key whose flow differs between points of the face `work` (it lies on
/// a cycle of [`is_unique`]'s kind: from one end to the other along other arcs, each in a
/// direction its slack allows); `None` when the face is a single point. One search per arc
/// tried: this is the rare last step of the rule.
pub(super) fn first_tied_arc(work: &FlowProblem, flow: &[i64], keys: &[u64]) -> Option<usize> {
    let (n, m) = (work.num_nodes(), work.num_arcs());
    // Residual adjacency: (node, arc) pairs in compressed rows.
    let mut start = vec![0u32; n + 1];
    let each = |f: &mut dyn FnMut(usize, usize, usize)| {
        for a in 0..m {
            let (t, h) = (work.tail[a] as usize, work.head[a] as usize);
            let s = slack(work, flow, a);
            if matches!(s, Slack::Up | Slack::Both) {
                f(t, h, a);
            }
            if matches!(s, Slack::Down | Slack::Both) {
                f(h, t, a);
            }
        }
    };
    each(&mut |t, _, _| start[t + 1] += 1);
    for v in 0..n {
        start[v + 1] += start[v];
    }
    let mut fill = start.clone();
    let mut adj = vec![(0u32, 0u32); start[n] as usize];
    each(&mut |t, h, a| {
        adj[fill[t] as usize] = (h as u32, a as u32);
        fill[t] += 1;
    });
    // Whether `to` is reached from `from` without arc `skip`.
    let mut seen = vec![false; n];
    let mut reaches = |from: usize, to: usize, skip: usize| {
        seen.iter_mut().for_each(|s| *s = false);
        let mut stack = vec![from];
        seen[from] = true;
        while let Some(v) = stack.pop() {
            if v == to {
                return true;
            }
            for &(w, a) in &adj[start[v] as usize..start[v + 1] as usize] {
                if a as usize != skip && !seen[w as usize] {
                    seen[w as usize] = true;
                    stack.push(w as usize);
                }
            }
        }
        false
    };
    let mut order: Vec<usize> = (0..m)
        .filter(|&a| slack(work, flow, a) != Slack::Fixed)
        .collect();
    order.sort_by_key(|&a| (keys[a], a));
    order.into_iter().find(|&a| {
        let (t, h) = (work.tail[a] as usize, work.head[a] as usize);
        let s = slack(work, flow, a);
        // Up along the arc and back from its head to its tail, or down and back the other way.
        (matches!(s, Slack::Up | Slack::Both) && reaches(h, t, a))
            || (matches!(s, Slack::Down | Slack::Both) && reaches(t, h, a))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(arcs: &[(u32, u32, i64, i64)], supply: &[i64]) -> FlowProblem {
        let mut p = FlowProblem::with_nodes(supply.len());
        p.supply = supply.to_vec();
        for &(t, h, l, u) in arcs {
            p.add_arc(t as usize, h as usize, l, u, 0);
        }
        p
    }

    #[test]
    fn two_parallel_paths_are_tied_until_one_is_fixed() {
        // 0 → 1 → 3 and 0 → 2 → 3, 4 units split 2/2: either path can carry more.
        let mut p = problem(
            &[(0, 1, 0, 4), (1, 3, 0, 4), (0, 2, 0, 4), (2, 3, 0, 4)],
            &[4, 0, 0, -4],
        );
        let flow = [2, 2, 2, 2];
        assert!(!is_unique(&p, &flow));
        let keys = [9, 3, 7, 5];
        assert_eq!(first_tied_arc(&p, &flow, &keys), Some(1));
        // Fixing one arc fixes the split: no cycle left.
        p.lower[0] = 2;
        p.upper[0] = 2;
        assert!(is_unique(&p, &flow));
        assert_eq!(first_tied_arc(&p, &flow, &keys), None);
    }

    #[test]
    fn a_saturated_path_leaves_no_cycle() {
        // The second path is full: flow can only move from it to the first, and back only
        // through an arc at its bound. A path 0 → 1 → 3 at its capacity and 0 → 2 → 3 empty
        // (capacity 0 by bounds) is a single point.
        let p = problem(
            &[(0, 1, 0, 4), (1, 3, 0, 4), (0, 2, 0, 0), (2, 3, 0, 0)],
            &[4, 0, 0, -4],
        );
        assert!(is_unique(&p, &[4, 4, 0, 0]));
    }

    #[test]
    fn the_face_keeps_only_arcs_of_zero_reduced_cost() {
        let mut p = problem(&[(0, 1, 0, 4), (0, 1, 0, 4)], &[3, -3]);
        let cost = [1, 2];
        // Potentials 0 and -1 (reduced costs 0 and 1): the second arc is fixed at 0.
        restrict_to_face(&mut p, &cost, &[0, -1], &[3, 0]);
        assert_eq!((p.lower[0], p.upper[0]), (0, 4));
        assert_eq!((p.lower[1], p.upper[1]), (0, 0));
    }

    #[test]
    fn tie_weights_are_positive_and_below_the_bound() {
        let w: Vec<i64> = [0, u64::MAX, 1 << 63].into_iter().map(key_weight).collect();
        assert_eq!(w, vec![1, 1 << TIE_BITS, (1 << (TIE_BITS - 1)) + 1]);
    }
}
