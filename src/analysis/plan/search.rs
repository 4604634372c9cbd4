//! Portfolios in increasing cost order, lazily, and the greedy heuristic used when the
//! evaluation budget runs out.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A candidate's annual cost in whole fen (0.01 yuan), so that sums are exact and the order
/// is a true order (float sums in different orders can disagree in the last bit).
pub fn fen(annual_cost: f64) -> i128 {
    (annual_cost * 100.0).round() as i128
}

/// Every subset of `n` candidates (as bit masks), each exactly once, in nondecreasing total
/// cost: the empty set first, then a heap over subsets. Candidates are sorted by cost (ties by
/// index); a subset whose most expensive member is the `i`-th in that order has two
/// successors: add the `i+1`-th, or replace the `i`-th by it. Both cost at least as much, and
/// every nonempty subset has exactly one predecessor, so the heap pops all subsets in
/// nondecreasing cost; equal costs are popped in an order fixed by (cost, mask) of what is in
/// the heap, the same on every run. Memory grows with what is popped (at most one more entry
/// per pop), never with 2^n.
pub struct CostOrder {
    cost: Vec<i128>,
    order: Vec<usize>,
    heap: BinaryHeap<Reverse<(i128, u64, usize)>>,
    started: bool,
}

impl CostOrder {
    /// Over candidates with these costs (fen, nonnegative).
    pub fn new(cost: Vec<i128>) -> CostOrder {
        let mut order: Vec<usize> = (0..cost.len()).collect();
        order.sort_by_key(|&i| (cost[i], i));
        CostOrder {
            cost,
            order,
            heap: BinaryHeap::new(),
            started: false,
        }
    }
}

impl Iterator for CostOrder {
    /// (cost in fen, mask)
    type Item = (i128, u64);
    fn next(&mut self) -> Option<(i128, u64)> {
        if !self.started {
            self.started = true;
            if let Some(&first) = self.order.first() {
                self.heap.push(Reverse((self.cost[first], 1 << first, 0)));
            }
            return Some((0, 0));
        }
        let Reverse((c, mask, i)) = self.heap.pop()?;
        if let Some(&next) = self.order.get(i + 1) {
            let cur = self.order[i];
            self.heap
                .push(Reverse((c + self.cost[next], mask | 1 << next, i + 1)));
            self.heap.push(Reverse((
                c - self.cost[cur] + self.cost[next],
                (mask & !(1 << cur)) | 1 << next,
                i + 1,
            )));
        }
        Some((c, mask))
    }
}

/// `m` with everything it requires, transitively, as a mask.
pub fn with_prerequisites(requires: &[Vec<usize>], m: usize) -> u64 {
    let mut mask = 0u64;
    let mut stack = vec![m];
    while let Some(i) = stack.pop() {
        if mask & (1 << i) == 0 {
            mask |= 1 << i;
            stack.extend(requires[i].iter().copied());
        }
    }
    mask
}

/// The members of `set` that need `m`, transitively, with `m` (removing `m` removes them).
pub fn dependents(requires: &[Vec<usize>], set: u64, m: usize) -> u64 {
    let mut out = 1u64 << m;
    loop {
        let mut grew = false;
        for (i, req) in requires.iter().enumerate() {
            if set & (1 << i) != 0
                && out & (1 << i) == 0
                && req.iter().any(|&j| out & (1 << j) != 0)
            {
                out |= 1 << i;
                grew = true;
            }
        }
        if !grew {
            return out & (set | 1 << m);
        }
    }
}

/// The greedy heuristic's order: most added counted capacity per yuan first (free candidates
/// that add capacity before all others), ties by lower cost then index.
pub fn greedy_order(mean_add: &[f64], cost: &[i128]) -> Vec<usize> {
    let score = |i: usize| {
        if cost[i] == 0 {
            if mean_add[i] > 0.0 {
                f64::INFINITY
            } else {
                0.0
            }
        } else {
            mean_add[i] / cost[i] as f64
        }
    };
    let mut order: Vec<usize> = (0..cost.len()).collect();
    order.sort_by(|&a, &b| {
        score(b)
            .total_cmp(&score(a))
            .then(cost[a].cmp(&cost[b]))
            .then(a.cmp(&b))
    });
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_order_pops_every_subset_once_in_nondecreasing_cost() {
        let cost = vec![5, 0, 3, 3, 10, 1];
        let all: Vec<(i128, u64)> = CostOrder::new(cost.clone()).collect();
        assert_eq!(all.len(), 64);
        let mut masks: Vec<u64> = all.iter().map(|&(_, m)| m).collect();
        masks.sort();
        masks.dedup();
        assert_eq!(masks.len(), 64);
        for w in all.windows(2) {
            assert!(w[0].0 <= w[1].0, "{w:?}");
        }
        for &(c, m) in &all {
            let sum: i128 = (0..6).filter(|i| m & (1 << i) != 0).map(|i| cost[i]).sum();
            assert_eq!(c, sum);
        }
    }

    #[test]
    fn prerequisites_and_dependents_are_transitive() {
        // 2 requires 1, 1 requires 0.
        let req = vec![vec![], vec![0], vec![1], vec![]];
        assert_eq!(with_prerequisites(&req, 2), 0b0111);
        assert_eq!(dependents(&req, 0b1111, 0), 0b0111);
        assert_eq!(dependents(&req, 0b1111, 3), 0b1000);
    }
}
