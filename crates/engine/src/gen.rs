//! Seeded instance generators for benchmarks and tests (deterministic for a given seed).
//!
//! - [`transport`]: the shape of a symbiosis allocation — producers ship to their `k` nearest
//!   consumers, consumers deliver to a single sink up to their demand (at a negative cost,
//!   i.e. a benefit), and every producer can always dump into a landfill arc to the sink.
//! - [`netgen`]: NETGEN-style random networks — sources and sinks, a skeleton of chains through
//!   the transshipment nodes guaranteeing feasibility, random extra arcs with random costs and
//!   capacities; arcs are listed grouped by tail, as NETGEN writes them.
//! - [`perturb`]: a ±`percent` random perturbation of supplies, capacities and costs that keeps
//!   the topology and feasibility (used for warm-start tests and benchmarks).

use super::{FlowProblem, INFINITE_CAPACITY};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Neighbours per producer in [`transport`].
pub const TRANSPORT_K: usize = 8;

/// A transport-shaped instance with about `arcs` arcs.
pub fn transport(arcs: usize, seed: u64) -> FlowProblem {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let k = TRANSPORT_K;
    // arcs ≈ P·k + P (landfill) + P/2 (consumer → sink).
    let producers = ((arcs as f64 / (k as f64 + 1.5)).round() as usize).max(1);
    let consumers = (producers / 2).max(k).max(1);
    let k = k.min(consumers);
    let n = producers + consumers + 1;
    let sink = n - 1;
    let mut p = FlowProblem::with_nodes(n);

    let pts = |rng: &mut ChaCha8Rng, count: usize| -> Vec<(i64, i64)> {
        (0..count)
            .map(|_| (rng.random_range(0..10_000), rng.random_range(0..10_000)))
            .collect()
    };
    let prod = pts(&mut rng, producers);
    let cons = pts(&mut rng, consumers);

    // Uniform grid over the consumers for k-nearest-neighbour queries.
    let g = ((consumers as f64 / 2.0).sqrt().ceil() as i64).max(1);
    let cell = (10_000 + g - 1) / g;
    let mut cell_start = vec![0usize; (g * g + 1) as usize];
    let cell_of = |x: i64, y: i64| ((x / cell).min(g - 1) * g + (y / cell).min(g - 1)) as usize;
    for &(x, y) in &cons {
        cell_start[cell_of(x, y) + 1] += 1;
    }
    for i in 0..(g * g) as usize {
        cell_start[i + 1] += cell_start[i];
    }
    let mut fill = cell_start.clone();
    let mut cell_items = vec![0u32; consumers];
    for (c, &(x, y)) in cons.iter().enumerate() {
        let ci = cell_of(x, y);
        cell_items[fill[ci]] = c as u32;
        fill[ci] += 1;
    }

    let mut total: i64 = 0;
    let mut near: Vec<(i64, u32)> = Vec::new();
    for (i, &(px, py)) in prod.iter().enumerate() {
        let s = rng.random_range(10..=100);
        p.supply[i] = s;
        total += s;
        // Rings of cells around the producer until the k-th distance is certainly final.
        let (cx, cy) = ((px / cell).min(g - 1), (py / cell).min(g - 1));
        near.clear();
        let mut r = 0i64;
        loop {
            for x in (cx - r)..=(cx + r) {
                for y in (cy - r)..=(cy + r) {
                    if x < 0 || y < 0 || x >= g || y >= g {
                        continue;
                    }
                    if (x - cx).abs() != r && (y - cy).abs() != r {
                        continue;
                    }
                    let ci = (x * g + y) as usize;
                    for &c in &cell_items[cell_start[ci]..cell_start[ci + 1]] {
                        let (qx, qy) = cons[c as usize];
                        near.push(((qx - px).pow(2) + (qy - py).pow(2), c));
                    }
                }
            }
            if near.len() >= k {
                near.sort_unstable();
                let reach = r * cell;
                if near[k - 1].0 <= reach * reach || r > g {
                    break;
                }
            }
            r += 1;
        }
        for &(d2, c) in &near[..k] {
            let dist = (d2 as f64).sqrt().round() as i64;
            let cost = dist / 10 + rng.random_range(0..=50);
            let cap = if rng.random_bool(0.5) {
                rng.random_range(20..=200)
            } else {
                INFINITE_CAPACITY
            };
            p.add_arc(i, producers + c as usize, 0, cap, cost);
        }
        p.add_arc(i, sink, 0, INFINITE_CAPACITY, rng.random_range(800..=1500));
    }
    for c in 0..consumers {
        let demand = rng.random_range(50..=300);
        p.add_arc(producers + c, sink, 0, demand, -rng.random_range(0..=1500));
    }
    p.supply[sink] = -total;
    p
}

/// A NETGEN-style instance with `nodes` nodes and about `arcs` arcs (at least the skeleton).
pub fn netgen(nodes: usize, arcs: usize, seed: u64) -> FlowProblem {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = nodes.max(2);
    let ns = ((n as f64).sqrt() as usize / 2).clamp(1, n / 2);
    let nt = ns;
    let sinks: Vec<usize> = (n - nt..n).collect();
    let mut p = FlowProblem::with_nodes(n);
    // Supplies: total 1000·ns split at random among sources and sinks.
    let total = 1000 * ns as i64;
    let split = |rng: &mut ChaCha8Rng, parts: usize| -> Vec<i64> {
        let mut cuts: Vec<i64> = (0..parts - 1)
            .map(|_| rng.random_range(0..=total))
            .collect();
        cuts.push(0);
        cuts.push(total);
        cuts.sort_unstable();
        cuts.windows(2).map(|w| w[1] - w[0]).collect()
    };
    for (i, s) in split(&mut rng, ns).into_iter().enumerate() {
        p.supply[i] = s;
    }
    for (j, d) in split(&mut rng, nt).into_iter().enumerate() {
        p.supply[sinks[j]] = -d;
    }
    let mut list: Vec<(u32, u32, i64, i64)> = Vec::with_capacity(arcs.max(n));
    let cost = |rng: &mut ChaCha8Rng| rng.random_range(1..=10_000i64);
    // Skeleton: each transshipment node joins one source's chain; each chain ends at a sink,
    // and the sinks form a ring, so every sink is reachable from every source.
    let mut trans: Vec<usize> = (ns..n - nt).collect();
    trans.shuffle(&mut rng);
    let per = trans.len().div_ceil(ns);
    for s in 0..ns {
        let mut prev = s;
        let lo = (s * per).min(trans.len());
        let hi = ((s + 1) * per).min(trans.len());
        for &t in &trans[lo..hi] {
            list.push((prev as u32, t as u32, total, cost(&mut rng)));
            prev = t;
        }
        let sink = sinks[rng.random_range(0..nt)];
        list.push((prev as u32, sink as u32, total, cost(&mut rng)));
    }
    if nt > 1 {
        for j in 0..nt {
            list.push((
                sinks[j] as u32,
                sinks[(j + 1) % nt] as u32,
                total,
                cost(&mut rng),
            ));
        }
    }
    while list.len() < arcs {
        let u = rng.random_range(0..n);
        let mut v = rng.random_range(0..n - 1);
        if v >= u {
            v += 1;
        }
        let c = cost(&mut rng);
        let cap = rng.random_range(1..=1000);
        list.push((u as u32, v as u32, cap, c));
    }
    list.sort_by_key(|a| a.0);
    for (u, v, cap, c) in list {
        p.add_arc(u as usize, v as usize, 0, cap, c);
    }
    p
}

/// Multiplies a value by a random factor in `[1 - percent/100, 1 + percent/100]`.
fn jitter(rng: &mut ChaCha8Rng, x: i64, percent: i64) -> i64 {
    let f = rng.random_range(-percent..=percent);
    x + x * f / 100
}

/// A copy of `problem` with supplies, finite capacities and costs perturbed by up to
/// `±percent` %. Positive supplies are perturbed and the largest sink absorbs the difference,
/// so a problem with an uncapacitated outlet (as [`transport`]) stays feasible.
pub fn perturb(problem: &FlowProblem, percent: i64, seed: u64) -> FlowProblem {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut p = problem.clone();
    let mut diff: i64 = 0;
    for s in p.supply.iter_mut() {
        if *s > 0 {
            let new = jitter(&mut rng, *s, percent).max(0);
            diff += new - *s;
            *s = new;
        }
    }
    if let Some((sink, _)) = p.supply.iter().enumerate().min_by_key(|&(_, &s)| s) {
        p.supply[sink] -= diff;
    }
    for a in 0..p.num_arcs() {
        if p.upper[a] != INFINITE_CAPACITY {
            p.upper[a] = jitter(&mut rng, p.upper[a], percent).max(p.lower[a]);
        }
        p.cost[a] = jitter(&mut rng, p.cost[a], percent);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generators_are_valid_and_sized() {
        for &m in &[100usize, 1000, 10_000] {
            let t = transport(m, 7);
            t.validate().unwrap();
            assert!(
                (t.num_arcs() as f64 - m as f64).abs() < 0.2 * m as f64 + 20.0,
                "{}",
                t.num_arcs()
            );
            let g = netgen(m / 8, m, 7);
            g.validate().unwrap();
            assert!(g.num_arcs() >= m);
            perturb(&t, 10, 3).validate().unwrap();
        }
        assert_eq!(transport(1000, 1), transport(1000, 1));
        assert_ne!(transport(1000, 1), transport(1000, 2));
    }
}
