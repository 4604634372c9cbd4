//! The result of a solve: the [`FlowSolution`] in input order, the objective, and potentials
//! free of the artificial cost (see "Potentials returned" in the module documentation of
//! [`super`]).

use super::{NetworkSimplex, PivotRule, INF, STATE_LOWER, STATE_TREE};
use crate::{FlowProblem, FlowSolution, SolveError, SolveStatus};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

impl NetworkSimplex {
    pub(super) fn finish_unbounded(&mut self) -> Result<FlowSolution, SolveError> {
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

    pub(super) fn non_optimal(&self, status: SolveStatus) -> FlowSolution {
        FlowSolution {
            status,
            flow: self.original_flows(),
            potential: vec![0; self.n],
            objective: 0,
            iterations: self.iterations,
        }
    }

    pub(super) fn optimal_solution(&self) -> FlowSolution {
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
