//! Independent reference solver used as a test oracle for the network simplex.
//!
//! It shares no code or method with [`super::simplex`]: it is successive shortest paths with
//! Bellman-Ford (label-correcting, so negative costs need no potentials), written for clarity,
//! not speed. Intended for small instances in tests: every augmentation runs a full
//! Bellman-Ford, and the number of augmentations is only pseudo-polynomially bounded.
//!
//! Method, all in `i128`:
//! 1. Shift every flow by its lower bound: `x = lower + x'` with `0 ≤ x' ≤ upper − lower`; the
//!    supplies become `b'[tail] −= lower`, `b'[head] += lower`.
//! 2. Give every uncapacitated arc the finite capacity `B = Σ max(b', 0) + Σ finite capacities`.
//!    When the problem is bounded this loses nothing: decompose any feasible `x'` into paths
//!    (total `Σ max(b', 0)`) and cycles; cycles made only of uncapacitated arcs have cost ≥ 0
//!    and can be dropped, every other cycle crosses a finite arc so all of them together carry
//!    at most `Σ finite capacities`. The same argument shows the capped problem is feasible
//!    exactly when the original one is.
//! 3. Saturate every arc of negative cost. The residual graph then has only non-negative
//!    costs, hence no negative cycle, which is the invariant of successive shortest paths.
//! 4. Repeatedly send flow from the nodes with excess along a shortest residual path
//!    (Bellman-Ford from all of them at once, i.e. from a virtual super-source) to the nearest
//!    node with a deficit. If some excess cannot reach any deficit, the problem is infeasible.
//! 5. A feasible problem is unbounded exactly when the uncapacitated arcs alone contain a
//!    negative cycle (the recession cone of the polyhedron is the non-negative circulations on
//!    uncapacitated arcs); that is checked with a separate Bellman-Ford. Infeasibility takes
//!    precedence: an infeasible problem is reported `Infeasible` even if it has such a cycle.
//! 6. Potentials are `pi = −dist`, with `dist` the shortest distances from a virtual root in the
//!    final residual graph in which the uncapacitated arcs are always traversable forwards (so
//!    that `rc < 0` never appears on them, whatever their capped flow).
use super::{FlowProblem, FlowSolution, SolveStatus, INFINITE_CAPACITY};

/// Largest capacity `B` given to uncapacitated arcs (step 2) for which the reference accepts to
/// work: flows then fit `i64` and every product and sum fits `i128` with a wide margin.
const MAX_CAP: i128 = 1 << 62;

/// Residual graph: edge `2a` is arc `a` forwards, edge `2a + 1` backwards.
struct Residual {
    from: Vec<usize>,
    to: Vec<usize>,
    cost: Vec<i128>,
    cap: Vec<i128>,
}

impl Residual {
    fn push(&mut self, e: usize, amount: i128) {
        self.cap[e] -= amount;
        self.cap[e ^ 1] += amount;
    }
}

/// Bellman-Ford (queue-free, round-based) from every node whose `dist` is finite; `usable(e)`
/// says whether residual edge `e` may be traversed. Returns the predecessor edge of every node,
/// or `None` when a negative cycle is reachable.
fn bellman_ford(
    n: usize,
    g: &Residual,
    usable: impl Fn(usize) -> bool,
    dist: &mut [Option<i128>],
) -> Option<Vec<Option<usize>>> {
    let mut pred = vec![None; n];
    for round in 0..=n {
        let mut changed = false;
        for e in 0..g.from.len() {
            if !usable(e) {
                continue;
            }
            let Some(du) = dist[g.from[e]] else { continue };
            let cand = du + g.cost[e];
            let v = g.to[e];
            let better = match dist[v] {
                None => true,
                Some(dv) => cand < dv,
            };
            if better {
                dist[v] = Some(cand);
                pred[v] = Some(e);
                changed = true;
            }
        }
        if !changed {
            return Some(pred);
        }
        if round == n {
            break;
        }
    }
    None
}

/// Solves `problem` from scratch (see the module documentation for the method).
///
/// # Panics
/// If `problem` is not valid ([`FlowProblem::validate`]) or so large in magnitude that the
/// capacity of step 2 exceeds 2^62 (the reference is for test instances only).
pub fn solve_reference(problem: &FlowProblem) -> FlowSolution {
    problem
        .validate()
        .expect("the reference solver needs a valid problem");
    let n = problem.num_nodes();
    let m = problem.num_arcs();

    // Step 1: shift by lower bounds.
    let mut excess: Vec<i128> = problem.supply.iter().map(|&b| b as i128).collect();
    for a in 0..m {
        let l = problem.lower[a] as i128;
        excess[problem.tail[a] as usize] -= l;
        excess[problem.head[a] as usize] += l;
    }

    // Step 2: cap uncapacitated arcs.
    let infinite: Vec<bool> = problem
        .upper
        .iter()
        .map(|&u| u == INFINITE_CAPACITY)
        .collect();
    let finite_caps: i128 = (0..m)
        .filter(|&a| !infinite[a])
        .map(|a| problem.upper[a] as i128 - problem.lower[a] as i128)
        .sum();
    let big = excess.iter().filter(|&&e| e > 0).sum::<i128>() + finite_caps;
    assert!(
        big <= MAX_CAP,
        "instance too large for the reference solver"
    );

    let mut g = Residual {
        from: Vec::with_capacity(2 * m),
        to: Vec::with_capacity(2 * m),
        cost: Vec::with_capacity(2 * m),
        cap: Vec::with_capacity(2 * m),
    };
    for a in 0..m {
        let (t, h, c) = (
            problem.tail[a] as usize,
            problem.head[a] as usize,
            problem.cost[a] as i128,
        );
        let cap = if infinite[a] {
            big
        } else {
            problem.upper[a] as i128 - problem.lower[a] as i128
        };
        g.from.extend([t, h]);
        g.to.extend([h, t]);
        g.cost.extend([c, -c]);
        g.cap.extend([cap, 0]);
    }

    // Step 3: saturate negative-cost arcs.
    for a in 0..m {
        if g.cost[2 * a] < 0 {
            let amount = g.cap[2 * a];
            g.push(2 * a, amount);
            excess[g.from[2 * a]] -= amount;
            excess[g.to[2 * a]] += amount;
        }
    }

    // Step 4: successive shortest paths.
    let mut augmentations: u64 = 0;
    let mut feasible = true;
    while excess.iter().any(|&e| e > 0) {
        let mut dist: Vec<Option<i128>> = excess.iter().map(|&e| (e > 0).then_some(0)).collect();
        let pred = bellman_ford(n, &g, |e| g.cap[e] > 0, &mut dist)
            .expect("successive shortest paths invariant broken: negative residual cycle");
        let target = (0..n)
            .filter(|&v| excess[v] < 0)
            .filter_map(|v| dist[v].map(|d| (d, v)))
            .min()
            .map(|(_, v)| v);
        let Some(target) = target else {
            feasible = false;
            break;
        };
        // Walk back to the source, collecting the bottleneck.
        let mut path = Vec::new();
        let mut v = target;
        while let Some(e) = pred[v] {
            path.push(e);
            v = g.from[e];
            assert!(path.len() <= n, "predecessor walk did not terminate");
        }
        let source = v;
        let amount = path
            .iter()
            .map(|&e| g.cap[e])
            .chain([excess[source], -excess[target]])
            .min()
            .expect("non-empty");
        for &e in &path {
            g.push(e, amount);
        }
        excess[source] -= amount;
        excess[target] += amount;
        augmentations += 1;
    }

    let flow: Vec<i64> = (0..m)
        .map(|a| i64::try_from(problem.lower[a] as i128 + g.cap[2 * a + 1]).expect("flow fits i64"))
        .collect();
    let objective = problem.objective(&flow);
    let mut solution = FlowSolution {
        status: SolveStatus::Infeasible,
        flow,
        potential: vec![0; n],
        objective: 0,
        iterations: augmentations,
    };
    if !feasible {
        return solution;
    }

    // Step 5: unboundedness.
    let mut dist = vec![Some(0i128); n];
    if bellman_ford(n, &g, |e| e % 2 == 0 && infinite[e / 2], &mut dist).is_none() {
        solution.status = SolveStatus::Unbounded;
        return solution;
    }

    // Step 6: potentials from the final residual graph.
    let mut dist = vec![Some(0i128); n];
    bellman_ford(
        n,
        &g,
        |e| g.cap[e] > 0 || (e % 2 == 0 && infinite[e / 2]),
        &mut dist,
    )
    .expect("optimal residual graph has a negative cycle");
    solution.potential = dist
        .iter()
        .map(|d| {
            i64::try_from(-d.expect("every node is reached from the virtual root"))
                .expect("potential fits i64")
        })
        .collect();
    solution.status = SolveStatus::Optimal;
    solution.objective = objective;
    solution
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testgen::{self, Family};
    use crate::verify;

    const INF: i64 = INFINITE_CAPACITY;

    fn problem(supply: &[i64], arcs: &[(usize, usize, i64, i64, i64)]) -> FlowProblem {
        let mut p = FlowProblem::with_nodes(supply.len());
        p.supply = supply.to_vec();
        for &(t, h, l, u, c) in arcs {
            p.add_arc(t, h, l, u, c);
        }
        p
    }

    /// Solves, checks the status, and for optimal solutions the objective and the certificate.
    fn check(p: &FlowProblem, status: SolveStatus, objective: i128) -> FlowSolution {
        let s = solve_reference(p);
        assert_eq!(s.status, status, "{p:?}");
        if status == SolveStatus::Optimal {
            assert_eq!(s.objective, objective);
            verify(p, &s).expect("reference optimum must carry a valid certificate");
        }
        s
    }

    #[test]
    fn cheaper_path_beats_direct_arc() {
        // 4 units 0 → 2: path 0→1→2 costs 1+1 = 2/unit (cap 3), direct costs 3/unit (cap 5).
        // Optimum: 3 on the path (6) + 1 direct (3) = 9.
        let p = problem(
            &[4, 0, -4],
            &[(0, 1, 0, 3, 1), (1, 2, 0, 3, 1), (0, 2, 0, 5, 3)],
        );
        let s = check(&p, SolveStatus::Optimal, 9);
        assert_eq!(s.flow, vec![3, 3, 1]);
    }

    #[test]
    fn negative_finite_cycle_is_saturated() {
        // No supply. Cycle 0→1 (cost −3, cap 2), 1→0 (cost 1, cap 5): −2 per unit, at most 2
        // units: −4.
        let p = problem(&[0, 0], &[(0, 1, 0, 2, -3), (1, 0, 0, 5, 1)]);
        let s = check(&p, SolveStatus::Optimal, -4);
        assert_eq!(s.flow, vec![2, 2]);
    }

    #[test]
    fn negative_infinite_arc_limited_by_finite_return() {
        // 0→1 uncapacitated cost −5, 1→0 cap 3 cost 2: cycle −3 per unit, 3 units: −9.
        // (Saturating negative finite arcs alone would leave a negative residual cycle here.)
        let p = problem(&[0, 0], &[(0, 1, 0, INF, -5), (1, 0, 0, 3, 2)]);
        let s = check(&p, SolveStatus::Optimal, -9);
        assert_eq!(s.flow, vec![3, 3]);
    }

    #[test]
    fn negative_cycle_of_infinite_arcs_is_unbounded() {
        // 0→1 cost −1 and 1→0 cost 0, both uncapacitated: cycle −1, unbounded.
        let p = problem(&[1, -1], &[(0, 1, 0, INF, -1), (1, 0, 0, INF, 0)]);
        check(&p, SolveStatus::Unbounded, 0);
        // Same with a self-loop.
        let p = problem(&[0], &[(0, 0, 0, INF, -1)]);
        check(&p, SolveStatus::Unbounded, 0);
    }

    #[test]
    fn zero_cost_infinite_cycle_is_bounded() {
        // Cycle of cost 0 on uncapacitated arcs (not unbounded), 2 units 0 → 1: the free arc
        // 0→1 carries them rather than the parallel one of cost 1: objective 0.
        let p = problem(
            &[2, -2],
            &[(0, 1, 0, INF, 0), (1, 0, 0, INF, 0), (0, 1, 0, INF, 1)],
        );
        check(&p, SolveStatus::Optimal, 0);
        // With the cycle arc 0→1 costing 1 and 1→0 costing −1: still a zero cycle; shipping 2
        // units on 0→1 costs 2 either way.
        let p = problem(&[2, -2], &[(0, 1, 0, INF, 1), (1, 0, 0, INF, -1)]);
        check(&p, SolveStatus::Optimal, 2);
    }

    #[test]
    fn self_loops() {
        // Finite negative self-loop is saturated (cap 4, cost −2: −8); positive one stays empty.
        let p = problem(&[0], &[(0, 0, 0, 4, -2), (0, 0, 0, 4, 3)]);
        let s = check(&p, SolveStatus::Optimal, -8);
        assert_eq!(s.flow, vec![4, 0]);
        // A self-loop with a lower bound must carry it: 2 units at cost 5 = 10.
        let p = problem(&[0], &[(0, 0, 2, INF, 5)]);
        check(&p, SolveStatus::Optimal, 10);
    }

    #[test]
    fn infeasible_instances() {
        // Supply with no arc.
        check(&problem(&[1, -1], &[]), SolveStatus::Infeasible, 0);
        // Capacity 2 for 3 units.
        check(
            &problem(&[3, -3], &[(0, 1, 0, 2, 1)]),
            SolveStatus::Infeasible,
            0,
        );
        // Wrong direction.
        check(
            &problem(&[-1, 1], &[(0, 1, 0, INF, 1)]),
            SolveStatus::Infeasible,
            0,
        );
        // Lower bound forces 2 units into a node that cannot get rid of them.
        check(
            &problem(&[0, 0], &[(0, 1, 2, 5, 1)]),
            SolveStatus::Infeasible,
            0,
        );
        // Infeasibility takes precedence over a negative cycle of uncapacitated arcs.
        let p = problem(&[1, -1, 0], &[(2, 2, 0, INF, -1)]);
        check(&p, SolveStatus::Infeasible, 0);
    }

    #[test]
    fn lower_bounds_including_negative_ones() {
        // Arc 0→1 with bounds [2, 5], cost 3; return 1→0 cap 10 cost 1. Zero supplies.
        // The cycle costs 4 per unit ≥ 0, so carry only the forced 2 units: 2·3 + 2·1 = 8.
        let p = problem(&[0, 0], &[(0, 1, 2, 5, 3), (1, 0, 0, 10, 1)]);
        check(&p, SolveStatus::Optimal, 8);
        // Arc 0→1 with bounds [−3, 2], cost 1, alone and no supply: conservation at 0 forces
        // flow = 0 although −3 would be cheaper: objective 0.
        let p = problem(&[0, 0], &[(0, 1, -3, 2, 1)]);
        check(&p, SolveStatus::Optimal, 0);
        // Two parallel arcs 0→1 with bounds [−3, 2] (cost 1) and [0, 5] (cost 2), no supply:
        // conservation forces flows (−k, k) with 0 ≤ k ≤ 3, costing −k + 2k = k: optimum k = 0.
        let p = problem(&[0, 0], &[(0, 1, -3, 2, 1), (0, 1, 0, 5, 2)]);
        check(&p, SolveStatus::Optimal, 0);
        // Same with the second arc at cost −2: −k − 2k = −3k, minimal at k = 3: −9.
        let p = problem(&[0, 0], &[(0, 1, -3, 2, 1), (0, 1, 0, 5, -2)]);
        let s = check(&p, SolveStatus::Optimal, -9);
        assert_eq!(s.flow, vec![-3, 3]);
    }

    #[test]
    fn transport_with_landfill() {
        // Producers 0 (supply 5) and 1 (supply 3); consumer 2 buys up to 4 units from either
        // (arc cost 1 from 0, 2 from 1) and consumer→sink arc 2→3 has cost −4 (revenue), cap 4;
        // landfill 0→3 and 1→3 uncapacitated at cost 6. Sink 3 demands 8.
        // Using the consumer costs 1−4 = −3 from producer 0, 2−4 = −2 from producer 1; landfill
        // costs 6. Best: 4 units 0→2→3 (−12), 1 unit 0→3 (6), 3 units 1→3 (18): 12.
        let p = problem(
            &[5, 3, 0, -8],
            &[
                (0, 2, 0, 10, 1),
                (1, 2, 0, 10, 2),
                (2, 3, 0, 4, -4),
                (0, 3, 0, INF, 6),
                (1, 3, 0, INF, 6),
            ],
        );
        let s = check(&p, SolveStatus::Optimal, 12);
        assert_eq!(s.flow, vec![4, 0, 4, 1, 3]);
    }

    #[test]
    fn large_values() {
        // 2^50 units over one arc of cost 2^50 (the validation limits): 2^100.
        let big = 1i64 << 50;
        let p = problem(&[big, -big], &[(0, 1, 0, INF, big)]);
        check(&p, SolveStatus::Optimal, 1i128 << 100);
    }

    #[test]
    fn empty_problems() {
        check(&FlowProblem::with_nodes(0), SolveStatus::Optimal, 0);
        check(&FlowProblem::with_nodes(3), SolveStatus::Optimal, 0);
    }

    /// Exhaustive search over every integer flow within the bounds (all finite and small).
    fn brute_force(p: &FlowProblem) -> Option<i128> {
        let m = p.num_arcs();
        let mut flow = p.lower.clone();
        let mut best: Option<i128> = None;
        loop {
            let mut bal = vec![0i64; p.num_nodes()];
            for a in 0..m {
                bal[p.tail[a] as usize] += flow[a];
                bal[p.head[a] as usize] -= flow[a];
            }
            if bal == p.supply {
                let obj = p.objective(&flow);
                best = Some(best.map_or(obj, |b: i128| b.min(obj)));
            }
            // Odometer increment.
            let mut a = 0;
            loop {
                if a == m {
                    return best;
                }
                if flow[a] < p.upper[a] {
                    flow[a] += 1;
                    break;
                }
                flow[a] = p.lower[a];
                a += 1;
            }
        }
    }

    #[test]
    fn agrees_with_brute_force_on_tiny_instances() {
        let mut optimal = 0;
        let mut infeasible = 0;
        for seed in 0..1500u64 {
            let p = testgen::brute_forceable(seed);
            let s = solve_reference(&p);
            match brute_force(&p) {
                Some(best) => {
                    assert_eq!(s.status, SolveStatus::Optimal, "seed {seed}: {p:?}");
                    assert_eq!(s.objective, best, "seed {seed}: {p:?}");
                    verify(&p, &s).unwrap_or_else(|e| panic!("seed {seed}: {e} on {p:?}"));
                    optimal += 1;
                }
                None => {
                    assert_eq!(s.status, SolveStatus::Infeasible, "seed {seed}: {p:?}");
                    infeasible += 1;
                }
            }
        }
        // The generator must exercise both outcomes.
        assert!(
            optimal > 300 && infeasible > 100,
            "optimal {optimal}, infeasible {infeasible}"
        );
    }

    #[test]
    fn generator_families_keep_their_promises() {
        for seed in 0..300u64 {
            for &family in testgen::ALL_FAMILIES {
                let p = testgen::generate(family, seed);
                p.validate().unwrap();
                let s = solve_reference(&p);
                match family {
                    Family::Infeasible => {
                        assert_eq!(s.status, SolveStatus::Infeasible, "{family:?} {seed}")
                    }
                    Family::Unbounded => {
                        assert_eq!(s.status, SolveStatus::Unbounded, "{family:?} {seed}")
                    }
                    f if f.always_feasible_and_bounded() => {
                        assert_eq!(s.status, SolveStatus::Optimal, "{family:?} {seed}: {p:?}");
                    }
                    _ => {}
                }
                if s.status == SolveStatus::Optimal {
                    let c = verify(&p, &s)
                        .unwrap_or_else(|e| panic!("{family:?} {seed}: {e} on {p:?}"));
                    assert_eq!(c.primal_objective, s.objective);
                }
            }
        }
    }
}
