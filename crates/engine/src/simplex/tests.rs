use super::update::{incidence_group, ADJ_GROUPS};
use super::*;
use crate::problem::MAX_ABS_VALUE;
use crate::{gen, verify};
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
fn mixing_structure_matches_mixing_order() {
    for n in [0usize, 1, 2, 3, 5, 17, 100] {
        for m in [1usize, 2, 3, 7, 10, 64, 99, 1000, 4091] {
            let pos = mixing_order(n, m);
            let mixing = Mixing::new(n, m);
            let input: Vec<u64> = (0..m as u64).map(|a| a * 7 + 1).collect();
            let mut internal = vec![0u64; m];
            mixing.scatter(&input, &mut internal);
            for (a, &i) in pos.iter().enumerate() {
                assert_eq!(mixing.input(i as usize), a, "n={n} m={m}");
                assert_eq!(internal[i as usize], input[a], "n={n} m={m}");
            }
        }
    }
}

#[test]
fn mixing_inverse_divides_exactly() {
    // The multiply-high division against `/` on the edges of the u32 range.
    for skip in (3u64..2000).chain([65_537, 1 << 20, (1 << 31) + 11, u32::MAX as u64]) {
        let magic = u64::MAX / skip + 1;
        for i in [
            0u64,
            1,
            skip - 1,
            skip,
            skip + 1,
            1 << 31,
            u32::MAX as u64 - 1,
        ]
        .into_iter()
        .chain((0..64).map(|k| (u32::MAX as u64 / 64) * k + skip))
        .filter(|&i| i <= u32::MAX as u64)
        {
            assert_eq!(
                ((i as u128 * magic as u128) >> 64) as u64,
                i / skip,
                "{i} / {skip}"
            );
        }
    }
    let (n, m) = (7, 1_000_003);
    let pos = mixing_order(n, m);
    let mixing = Mixing::new(n, m);
    for (a, &i) in pos.iter().enumerate().step_by(997) {
        assert_eq!(mixing.input(i as usize), a);
    }
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
            resolve_matches_cold(&mut ns, &p);
            assert_eq!(ns.current_problem(), p);
        }
    }
}

/// Re-solves `ns` (holding `p`) warm and checks it against a cold solve of `p`: the same
/// status, the same objective and a valid certificate.
fn resolve_matches_cold(ns: &mut NetworkSimplex, p: &FlowProblem) {
    let warm = ns.resolve().unwrap();
    let cold = solve_with(p, PivotRule::BlockSearch);
    assert_eq!(warm.status, cold.status, "{p:?}");
    if warm.status == SolveStatus::Optimal {
        assert_eq!(warm.objective, cold.objective, "{p:?}");
        verify(p, &warm).unwrap();
    }
}

/// A warm primal phase that reaches its pivot limit solves cold instead: same results
/// (limits of 0 to 3 pivots force the fallback on most re-solves).
#[test]
fn warm_start_falls_back_to_cold_at_its_pivot_limit() {
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let mut fell_back = 0;
    for _ in 0..200 {
        let mut p = random_problem(&mut rng);
        let mut ns = NetworkSimplex::new(&p, PivotRule::BlockSearch).unwrap();
        ns.warm_limit_override = Some(rng.random_range(0..4));
        ns.solve().unwrap();
        for _ in 0..4 {
            random_changes(&mut rng, &mut p, &mut ns);
            resolve_matches_cold(&mut ns, &p);
            // After a fallback the solver holds the cold solve's limit (none).
            fell_back += (ns.pivot_limit == u64::MAX) as usize;
        }
    }
    assert!(fell_back > 100, "{fell_back}");
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

/// `update` with random problems of the same topology (lower bounds appearing and
/// disappearing, infeasible and unbounded states in between), mixed with setters, against
/// cold solves.
#[test]
fn warm_start_through_update_matches_cold() {
    let mut rng = ChaCha8Rng::seed_from_u64(19);
    for round in 0..400 {
        let p = random_problem(&mut rng);
        let rule = RULES[round % RULES.len()];
        let mut ns = NetworkSimplex::new(&p, rule).unwrap();
        ns.solve().unwrap();
        let mut q = p.clone();
        for step in 0..8 {
            // Same arcs, fresh data.
            let fresh = random_problem(&mut rng);
            for a in 0..q.num_arcs() {
                let k = a % fresh.num_arcs().max(1);
                if fresh.num_arcs() > 0 && rng.random_bool(0.5) {
                    q.lower[a] = fresh.lower[k];
                    q.upper[a] = fresh.upper[k].max(fresh.lower[k]);
                }
                if rng.random_bool(0.5) {
                    q.cost[a] = rng.random_range(-5..10);
                }
            }
            if rng.random_bool(0.5) && q.num_nodes() >= 2 {
                let x = rng.random_range(-4..5);
                q.supply[0] += x;
                q.supply[1] -= x;
            }
            ns.update(&q).unwrap();
            if step % 3 == 1 && q.num_arcs() > 0 {
                // A setter after `update` acts on the pending costs.
                let a = rng.random_range(0..q.num_arcs());
                q.cost[a] = rng.random_range(-5..10);
                ns.set_cost(a, q.cost[a]).unwrap();
            }
            assert_eq!(ns.current_problem(), q);
            let warm = ns.resolve().unwrap();
            let cold = solve_with(&q, PivotRule::BlockSearch);
            assert_eq!(warm.status, cold.status, "{q:?}");
            if warm.status == SolveStatus::Optimal {
                assert_eq!(warm.objective, cold.objective, "{q:?}");
                verify(&q, &warm).unwrap();
            }
        }
    }
}

/// Supply and capacity changes only (the dual repair's case), large and small, on
/// generated instances.
#[test]
fn warm_start_after_supply_and_capacity_changes() {
    for (i, base) in [gen::transport(2000, 3), gen::netgen(250, 2000, 4)]
        .into_iter()
        .enumerate()
    {
        let mut ns = NetworkSimplex::new(&base, PivotRule::BlockSearch).unwrap();
        ns.solve().unwrap();
        for seed in 0..12 {
            let mut q = gen::perturb(&base, [2, 10, 40][seed as usize % 3], 50 * i as u64 + seed);
            q.cost.clone_from(&base.cost);
            ns.update(&q).unwrap();
            let warm = ns.resolve().unwrap();
            let cold = solve_with(&q, PivotRule::BlockSearch);
            assert_eq!((warm.status, warm.objective), (cold.status, cold.objective));
            if warm.status == SolveStatus::Optimal {
                verify(&q, &warm).unwrap();
            }
        }
    }
}

/// A rejected `update` reports what `validate` reports and changes nothing.
#[test]
fn failed_update_changes_nothing() {
    let p = gen::transport(300, 2);
    let mut ns = NetworkSimplex::new(&p, PivotRule::BlockSearch).unwrap();
    let first = ns.solve().unwrap();
    let mut bad = Vec::new();
    let mut q = gen::perturb(&p, 10, 1);
    q.lower[7] = q.upper[7].saturating_add(1).min(MAX_ABS_VALUE);
    q.upper[7] = q.lower[7] - 1;
    bad.push(q);
    let mut q = gen::perturb(&p, 10, 2);
    q.cost[5] = MAX_ABS_VALUE + 1;
    bad.push(q);
    let mut q = gen::perturb(&p, 10, 3);
    q.supply[0] += 1;
    bad.push(q);
    let mut q = gen::perturb(&p, 10, 4);
    q.cost.pop();
    bad.push(q);
    for q in &bad {
        let expected = q.validate().unwrap_err().to_string();
        let got = ns.update(q).unwrap_err().to_string();
        assert!(got.contains(&expected), "{got} / {expected}");
        assert_eq!(ns.current_problem(), p);
    }
    // A failed update after a successful one keeps the pending data.
    let good = gen::perturb(&p, 10, 9);
    ns.update(&good).unwrap();
    for q in &bad {
        assert!(ns.update(q).is_err());
        assert_eq!(ns.current_problem(), good);
    }
    let pending = ns.resolve().unwrap();
    let mut cold = NetworkSimplex::new(&good, PivotRule::BlockSearch).unwrap();
    assert_eq!(pending.objective, cold.solve().unwrap().objective);
    // Values of exactly ±2^50 are valid.
    let mut q = p.clone();
    q.cost[3] = -MAX_ABS_VALUE;
    ns.update(&q).unwrap();
    ns.update(&p).unwrap();
    let again = ns.resolve().unwrap();
    assert_eq!(again.objective, first.objective);
}

#[test]
fn update_rejects_other_topology() {
    let p = gen::transport(200, 1);
    let mut ns = NetworkSimplex::new(&p, PivotRule::BlockSearch).unwrap();
    let mut q = p.clone();
    q.head[0] = q.tail[0];
    assert!(matches!(ns.update(&q), Err(SolveError::TopologyChanged)));
}

/// Whether the incidence groups (which must be built) match every arc's ends and capacity.
fn incidences_match(ns: &NetworkSimplex) -> bool {
    assert!(!ns.adj_start.is_empty(), "incidence groups not built");
    let mut seen = vec![0u8; ns.m];
    for u in 0..=ns.n {
        for g in 0..ADJ_GROUPS {
            let b = ADJ_GROUPS * u + g;
            let range = ns.adj_start[b] as usize..ns.adj_start[b + 1] as usize;
            for &inc in &ns.adj[range] {
                let (a, out, other) = ((inc >> 33) as usize, inc >> 32 & 1 == 1, inc as u32);
                let expected = incidence_group(out, ns.cap[a] != INF);
                let (here, there) = if out {
                    (ns.source[a], ns.target[a])
                } else {
                    (ns.target[a], ns.source[a])
                };
                if g != expected || here as usize != u || there != other {
                    return false;
                }
                seen[a] += 1;
            }
        }
    }
    seen.iter().all(|&k| k == 2)
}

#[test]
fn incidence_groups_follow_capacity_changes() {
    let mut rng = ChaCha8Rng::seed_from_u64(23);
    let (mut rebuilt, mut regrouped) = (0, 0);
    for _ in 0..200 {
        let p = gen::transport(60, rng.random());
        let mut ns = NetworkSimplex::new(&p, PivotRule::BlockSearch).unwrap();
        ns.solve().unwrap();
        let mut q = p.clone();
        for step in 0..6 {
            // Flip a few arcs between finite and infinite capacity, through `update` or
            // the setter.
            // Step 3 flips so many that the lists are rebuilt instead.
            let flips = if step == 3 { q.num_arcs() / 4 } else { 3 };
            for _ in 0..flips {
                let a = rng.random_range(0..q.num_arcs());
                q.upper[a] = if q.upper[a] == INF {
                    rng.random_range(0..50)
                } else {
                    INF
                };
                if step % 2 == 1 {
                    ns.set_bounds(a, q.lower[a], q.upper[a]).unwrap();
                }
            }
            if step % 2 == 0 {
                ns.update(&q).unwrap();
            }
            let (stale, pending) = (ns.adj_start.is_empty(), !ns.regroup.is_empty());
            let warm = ns.resolve().unwrap();
            // Resolve regroups only when a dual repair needs the incidences: force it.
            ns.ensure_adjacency();
            rebuilt += stale as usize;
            regrouped += pending as usize;
            assert!(incidences_match(&ns));
            let cold = solve(&q);
            assert_eq!((warm.status, warm.objective), (cold.status, cold.objective));
        }
    }
    // Both paths ran: regrouping the touched nodes, and the rebuild (first use, or more
    // than m / 8 arcs flipped).
    assert!(rebuilt > 0 && regrouped > 0, "{rebuilt} {regrouped}");
}

/// `copy_from` leaves a solver in any state equal to a clone of the source, and
/// `prepare_update` changes nothing a later update and re-solve compute: from one solved base,
/// a copy that was prepared and one that was not give the same solutions (flows, potentials,
/// iterations) on every perturbation, and so do restored copies after other samples.
#[test]
fn copies_and_prepared_updates_solve_as_the_original() {
    for (i, base) in [gen::transport(1500, 3), gen::netgen(200, 1500, 4)]
        .into_iter()
        .enumerate()
    {
        let mut solved = NetworkSimplex::new(&base, PivotRule::BlockSearch).unwrap();
        solved.solve().unwrap();
        let mut prepared = solved.clone();
        prepared.prepare_update();
        // A solver in another state (other problem solved, structures built) becomes the copy.
        let mut worker =
            NetworkSimplex::new(&gen::perturb(&base, 30, 999), PivotRule::FirstEligible).unwrap();
        worker.solve().unwrap();
        worker.copy_from(&prepared);
        assert_eq!(format!("{worker:?}"), format!("{prepared:?}"));
        for seed in 0..10 {
            let q = gen::perturb(&base, 10, 50 * i as u64 + seed);
            let mut fresh = solved.clone();
            fresh.update(&q).unwrap();
            let want = fresh.resolve().unwrap();
            worker.copy_from(&prepared);
            worker.update(&q).unwrap();
            let got = worker.resolve().unwrap();
            assert_eq!(got.flow, want.flow, "seed {seed}");
            assert_eq!(got.potential, want.potential);
            assert_eq!(got.iterations, want.iterations);
            assert_eq!(got.objective, want.objective);
            if got.status == SolveStatus::Optimal {
                verify(&q, &got).unwrap();
            }
        }
    }
}

/// `restore_from` is `copy_from` for every later computation: a worker restored from one
/// prepared base before each sample (after samples that flipped arcs between finite and
/// infinite capacity, so that its incidence groups changed, and after costs set and left
/// pending) solves every sample as a fresh clone of the base does; a solver of another
/// topology is copied in full.
#[test]
fn restores_solve_as_clones() {
    let mut rng = ChaCha8Rng::seed_from_u64(41);
    for (i, base) in [gen::transport(800, 5), gen::netgen(150, 1200, 6)]
        .into_iter()
        .enumerate()
    {
        let mut solved = NetworkSimplex::new(&base, PivotRule::BlockSearch).unwrap();
        solved.solve().unwrap();
        solved.prepare_update();
        // Another topology first: copied in full.
        let mut worker =
            NetworkSimplex::new(&gen::netgen(40, 300, 7), PivotRule::BlockSearch).unwrap();
        worker.solve().unwrap();
        worker.restore_from(&solved);
        assert_eq!(format!("{worker:?}"), format!("{solved:?}"));
        for seed in 0..12u64 {
            let mut q = gen::perturb(&base, 10, 70 * i as u64 + seed);
            if seed % 3 == 1 {
                for _ in 0..q.num_arcs() / 20 {
                    let a = rng.random_range(0..q.num_arcs());
                    q.upper[a] = if q.upper[a] == INF {
                        rng.random_range(0..50)
                    } else {
                        INF
                    };
                }
            }
            let mut fresh = solved.clone();
            fresh.update(&q).unwrap();
            let want = fresh.resolve().unwrap();
            worker.restore_from(&solved);
            worker.update(&q).unwrap();
            let got = worker.resolve().unwrap();
            assert_eq!(got.flow, want.flow, "seed {seed}");
            assert_eq!(got.potential, want.potential);
            assert_eq!(got.iterations, want.iterations);
            assert_eq!(got.objective, want.objective);
            // Whatever was skipped equals the base's.
            assert_eq!(worker.pos, solved.pos);
            if seed % 4 == 3 {
                // Leave the worker with costs pending and other incidence groups.
                worker.update(&q).unwrap();
                worker.ensure_adjacency();
                worker.set_cost(0, 7).unwrap();
            }
            let mut check = worker.clone();
            check.restore_from(&solved);
            assert_eq!(check.source, solved.source);
            assert_eq!(check.target, solved.target);
            assert_eq!(check.adj, solved.adj);
            assert_eq!(check.adj_start, solved.adj_start);
            assert_eq!(check.ends_tail, solved.ends_tail);
            assert_eq!(check.ends_head, solved.ends_head);
        }
    }
}
