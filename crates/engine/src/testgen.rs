//! Seeded random min-cost-flow instances for tests, a shrinker for failing instances and a
//! printer that turns an instance into Rust source for a regression test.
//!
//! Every generator is a pure function of its seed (ChaCha8), so a failing case is reproduced by
//! its family and seed alone. Most families plant a feasible flow first and derive the supplies
//! from it, so that optimal instances dominate; [`Family::Infeasible`] and [`Family::Unbounded`]
//! are infeasible / unbounded by construction, and the others mix outcomes.
use super::{FlowProblem, INFINITE_CAPACITY};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;
use std::ops::RangeInclusive;

/// The random generator every family uses.
pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// Families of instances, each aimed at one kind of difficulty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// 2–5 nodes, nearly every ordered pair joined; mixed signs; any outcome.
    TinyDense,
    /// Lower bounds on most arcs, some negative; planted, bounded.
    LowerBounds,
    /// 2–3 nodes and up to 12 arcs, so most arcs have parallel twins.
    ParallelArcs,
    /// Many self-loops, finite and infinite, of both signs.
    SelfLoops,
    /// Extra nodes with no arc (zero supply when planted; else maybe infeasible).
    IsolatedNodes,
    /// All-zero costs plus cycles of uncapacitated arcs whose costs sum to zero.
    ZeroCostCycles,
    /// Mostly negative costs, some on uncapacitated arcs; any outcome.
    NegativeCosts,
    /// Costs in {0, 1}, tiny capacities, planted flow at the bounds or zero supplies.
    Degenerate,
    /// Infeasible by construction (a node's supply exceeds what its arcs can move).
    Infeasible,
    /// Feasible, with a negative-cost cycle of uncapacitated arcs.
    Unbounded,
    /// Producers → consumers → sink, plus uncapacitated landfill arcs producer → sink.
    Transport,
    /// Costs up to 2^50 and capacities up to 2^44 on small graphs.
    LargeValues,
    /// Every knob drawn at random.
    Mixed,
    /// 10–30 nodes and up to 90 arcs (long pivot sequences), mixed signs; any outcome.
    Medium,
}

impl Family {
    /// Whether every instance of the family is feasible with a finite optimum.
    pub fn always_feasible_and_bounded(self) -> bool {
        matches!(
            self,
            Family::LowerBounds | Family::Degenerate | Family::Transport | Family::LargeValues
        )
    }
}

/// Every family, for loops in tests.
pub const ALL_FAMILIES: &[Family] = &[
    Family::TinyDense,
    Family::LowerBounds,
    Family::ParallelArcs,
    Family::SelfLoops,
    Family::IsolatedNodes,
    Family::ZeroCostCycles,
    Family::NegativeCosts,
    Family::Degenerate,
    Family::Infeasible,
    Family::Unbounded,
    Family::Transport,
    Family::LargeValues,
    Family::Mixed,
    Family::Medium,
];

/// Knobs of the generic generator [`random_problem`].
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub nodes: RangeInclusive<usize>,
    /// Number of arcs (drawn once per instance).
    pub arcs: RangeInclusive<usize>,
    pub cost: RangeInclusive<i64>,
    /// `upper − lower` of finite arcs; also the range of planted flow above `lower` on
    /// uncapacitated arcs.
    pub width: RangeInclusive<i64>,
    /// Probability that an arc gets a lower bound drawn from `lower` (else 0).
    pub lower_probability: f64,
    pub lower: RangeInclusive<i64>,
    pub infinite_probability: f64,
    pub self_loop_probability: f64,
    /// Uncapacitated arcs get non-negative costs, so no instance is unbounded.
    pub bounded: bool,
    /// Probability that supplies come from a planted flow (feasible); else they are drawn from
    /// `supply` and balanced (feasible or not).
    pub planted_probability: f64,
    /// Planted flows sit at one of their bounds (degenerate bases).
    pub planted_at_bounds: bool,
    pub supply: RangeInclusive<i64>,
    /// Nodes added with no arc at all.
    pub isolated: RangeInclusive<usize>,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            nodes: 2..=6,
            arcs: 1..=12,
            cost: -5..=10,
            width: 0..=6,
            lower_probability: 0.0,
            lower: 0..=0,
            infinite_probability: 0.1,
            self_loop_probability: 0.0,
            bounded: false,
            planted_probability: 0.7,
            planted_at_bounds: false,
            supply: -6..=6,
            isolated: 0..=0,
        }
    }
}

/// An instance drawn according to `spec`.
pub fn random_problem(rng: &mut impl Rng, spec: &Spec) -> FlowProblem {
    let core = rng.random_range(spec.nodes.clone()).max(1);
    let n = core + rng.random_range(spec.isolated.clone());
    let m = rng.random_range(spec.arcs.clone());
    let mut p = FlowProblem::with_nodes(n);
    let mut planted = Vec::with_capacity(m);
    for _ in 0..m {
        let t = rng.random_range(0..core);
        let h = if core == 1 || rng.random_bool(spec.self_loop_probability) {
            t
        } else {
            (t + rng.random_range(1..core)) % core
        };
        let lower = if rng.random_bool(spec.lower_probability) {
            rng.random_range(spec.lower.clone())
        } else {
            0
        };
        let infinite = rng.random_bool(spec.infinite_probability);
        let mut cost = rng.random_range(spec.cost.clone());
        if infinite && spec.bounded {
            cost = cost.abs();
        }
        let width = rng.random_range(spec.width.clone());
        let upper = if infinite {
            INFINITE_CAPACITY
        } else {
            lower + width
        };
        let x = if spec.planted_at_bounds {
            if rng.random_bool(0.5) {
                lower
            } else {
                lower + width
            }
        } else {
            lower + rng.random_range(0..=width)
        };
        planted.push(x);
        p.add_arc(t, h, lower, upper, cost);
    }
    if rng.random_bool(spec.planted_probability) {
        for a in 0..m {
            p.supply[p.tail[a] as usize] += planted[a];
            p.supply[p.head[a] as usize] -= planted[a];
        }
    } else {
        random_supplies(rng, &mut p, spec.supply.clone());
    }
    p
}

/// Draws every supply but one from `range`, the last one balancing them.
fn random_supplies(rng: &mut impl Rng, p: &mut FlowProblem, range: RangeInclusive<i64>) {
    let n = p.num_nodes();
    if n == 0 {
        return;
    }
    let mut sum = 0;
    for v in 0..n - 1 {
        p.supply[v] = rng.random_range(range.clone());
        sum += p.supply[v];
    }
    p.supply[n - 1] = -sum;
    p.supply.shuffle(rng);
}

/// The instance of `family` for `seed`.
pub fn generate(family: Family, seed: u64) -> FlowProblem {
    let mut r = rng(seed ^ (family as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let r = &mut r;
    match family {
        Family::TinyDense => {
            let n = r.random_range(2..=5usize);
            let spec = Spec {
                nodes: n..=n,
                arcs: n * (n - 1)..=n * n,
                cost: -3..=10,
                infinite_probability: 0.15,
                planted_probability: 0.6,
                ..Spec::default()
            };
            random_problem(r, &spec)
        }
        Family::LowerBounds => random_problem(
            r,
            &Spec {
                nodes: 2..=7,
                arcs: 2..=16,
                cost: -2..=8,
                width: 0..=5,
                lower_probability: 0.6,
                lower: -4..=5,
                bounded: true,
                planted_probability: 1.0,
                ..Spec::default()
            },
        ),
        Family::ParallelArcs => random_problem(
            r,
            &Spec {
                nodes: 2..=3,
                arcs: 4..=12,
                cost: -4..=8,
                lower_probability: 0.2,
                lower: 0..=3,
                ..Spec::default()
            },
        ),
        Family::SelfLoops => random_problem(
            r,
            &Spec {
                nodes: 1..=5,
                arcs: 1..=10,
                cost: -5..=5,
                self_loop_probability: 0.35,
                infinite_probability: 0.2,
                lower_probability: 0.3,
                lower: -2..=3,
                planted_probability: 0.8,
                ..Spec::default()
            },
        ),
        Family::IsolatedNodes => random_problem(
            r,
            &Spec {
                nodes: 1..=5,
                arcs: 0..=10,
                isolated: 1..=4,
                planted_probability: 0.8,
                ..Spec::default()
            },
        ),
        Family::ZeroCostCycles => {
            let mut p = random_problem(
                r,
                &Spec {
                    nodes: 2..=6,
                    arcs: 1..=10,
                    cost: 0..=0,
                    infinite_probability: 0.5,
                    lower_probability: 0.2,
                    lower: 0..=2,
                    planted_probability: 0.9,
                    ..Spec::default()
                },
            );
            for a in 0..p.num_arcs() {
                if r.random_bool(0.3) {
                    p.cost[a] = r.random_range(1..=3);
                }
            }
            // One or two uncapacitated cycles of total cost exactly zero (empty: keeps the
            // planted flow feasible).
            for _ in 0..r.random_range(1..=2) {
                add_cycle(r, &mut p, 0);
            }
            p
        }
        Family::NegativeCosts => random_problem(
            r,
            &Spec {
                nodes: 2..=6,
                arcs: 1..=12,
                cost: -10..=3,
                infinite_probability: 0.25,
                lower_probability: 0.2,
                lower: -2..=3,
                planted_probability: 0.8,
                ..Spec::default()
            },
        ),
        Family::Degenerate => random_problem(
            r,
            &Spec {
                nodes: 2..=7,
                arcs: 2..=16,
                cost: 0..=1,
                width: 0..=2,
                infinite_probability: 0.2,
                planted_probability: 0.6,
                planted_at_bounds: true,
                supply: 0..=0,
                ..Spec::default()
            },
        ),
        Family::Infeasible => {
            let mut p = random_problem(
                r,
                &Spec {
                    nodes: 2..=6,
                    arcs: 0..=12,
                    lower_probability: 0.3,
                    lower: -2..=3,
                    planted_probability: 1.0,
                    ..Spec::default()
                },
            );
            force_infeasible(r, &mut p);
            p
        }
        Family::Unbounded => {
            let mut p = random_problem(
                r,
                &Spec {
                    nodes: 1..=6,
                    arcs: 0..=12,
                    lower_probability: 0.2,
                    lower: 0..=3,
                    bounded: true,
                    planted_probability: 1.0,
                    ..Spec::default()
                },
            );
            let total = -r.random_range(1..=5);
            add_cycle(r, &mut p, total);
            p
        }
        Family::Transport => transport(r),
        Family::LargeValues => random_problem(
            r,
            &Spec {
                nodes: 2..=6,
                arcs: 1..=12,
                cost: -(1 << 50)..=1 << 50,
                width: 0..=1 << 44,
                infinite_probability: 0.2,
                bounded: true,
                planted_probability: 1.0,
                ..Spec::default()
            },
        ),
        Family::Mixed => {
            let lo = r.random_range(-10..=0);
            let spec = Spec {
                nodes: 1..=r.random_range(1..=8),
                arcs: 0..=r.random_range(0..=20),
                cost: lo..=r.random_range(lo..=12),
                width: 0..=r.random_range(0..=8),
                lower_probability: r.random_range(0.0..=0.5),
                lower: -3..=3,
                infinite_probability: r.random_range(0.0..=0.4),
                self_loop_probability: r.random_range(0.0..=0.2),
                bounded: r.random_bool(0.5),
                planted_probability: r.random_range(0.0..=1.0),
                planted_at_bounds: r.random_bool(0.3),
                supply: -8..=8,
                isolated: 0..=1,
            };
            random_problem(r, &spec)
        }
        Family::Medium => {
            let bounded = r.random_bool(0.7);
            let spec = Spec {
                nodes: 10..=30,
                arcs: 20..=90,
                cost: -5..=20,
                width: 0..=15,
                lower_probability: 0.2,
                lower: -2..=4,
                infinite_probability: 0.15,
                self_loop_probability: 0.02,
                bounded,
                planted_probability: 0.8,
                supply: -10..=10,
                ..Spec::default()
            };
            random_problem(r, &spec)
        }
    }
}

/// Adds a cycle of 1–3 uncapacitated arcs (a self-loop when it has one node) with lower bound
/// 0 and costs summing to `total`.
fn add_cycle(r: &mut impl Rng, p: &mut FlowProblem, total: i64) {
    let n = p.num_nodes();
    if n == 0 {
        return;
    }
    let mut nodes: Vec<usize> = (0..n).collect();
    nodes.shuffle(r);
    nodes.truncate(r.random_range(1..=n.min(3)));
    let k = nodes.len();
    let mut costs: Vec<i64> = (0..k).map(|_| r.random_range(-4..=4)).collect();
    costs[k - 1] += total - costs.iter().sum::<i64>();
    for i in 0..k {
        p.add_arc(nodes[i], nodes[(i + 1) % k], 0, INFINITE_CAPACITY, costs[i]);
    }
}

/// Moves supply between two nodes so that one of them cannot be balanced: its supply goes
/// beyond `Σ out-upper − Σ in-lower` (or below `Σ out-lower − Σ in-upper`). Arcs that would
/// make that bound infinite get a finite capacity first. Needs two nodes (adds one if absent).
fn force_infeasible(r: &mut impl Rng, p: &mut FlowProblem) {
    while p.num_nodes() < 2 {
        p.supply.push(0);
    }
    let n = p.num_nodes();
    let v = r.random_range(0..n);
    let w = (v + r.random_range(1..n)) % n;
    let too_much = r.random_bool(0.5);
    let (mut hi, mut lo) = (0i64, 0i64); // bounds on out(v) − in(v)
    for a in 0..p.num_arcs() {
        let (t, h) = (p.tail[a] as usize, p.head[a] as usize);
        if t == h || (t != v && h != v) {
            continue;
        }
        // An uncapacitated arc out of v (too much) or into v (too little) would be able to
        // absorb anything: cap it.
        if p.upper[a] == INFINITE_CAPACITY && ((t == v) == too_much) {
            p.upper[a] = p.lower[a] + r.random_range(0..=6);
        }
        if t == v {
            hi += p.upper[a].min(1 << 40);
            lo += p.lower[a];
        } else {
            hi -= p.lower[a];
            lo -= p.upper[a].min(1 << 40);
        }
    }
    let target = if too_much {
        hi + r.random_range(1..=3)
    } else {
        lo - r.random_range(1..=3)
    };
    let delta = target - p.supply[v];
    p.supply[v] += delta;
    p.supply[w] -= delta;
}

/// Producers → consumers → sink, with uncapacitated landfill arcs producer → sink. Acyclic, so
/// bounded; the landfill makes it feasible.
fn transport(r: &mut impl Rng) -> FlowProblem {
    let producers = r.random_range(1..=4usize);
    let consumers = r.random_range(1..=4usize);
    let sink = producers + consumers;
    let mut p = FlowProblem::with_nodes(sink + 1);
    for i in 0..producers {
        let s = r.random_range(0..=20);
        p.supply[i] = s;
        p.supply[sink] -= s;
        p.add_arc(i, sink, 0, INFINITE_CAPACITY, r.random_range(5..=15));
        if r.random_bool(0.2) {
            // A second, cheaper but limited landfill.
            p.add_arc(i, sink, 0, r.random_range(0..=5), r.random_range(2..=8));
        }
        for j in 0..consumers {
            if r.random_bool(0.7) {
                let upper = if r.random_bool(0.2) {
                    INFINITE_CAPACITY
                } else {
                    r.random_range(0..=12)
                };
                p.add_arc(i, producers + j, 0, upper, r.random_range(-3..=8));
            }
        }
    }
    for j in 0..consumers {
        p.add_arc(
            producers + j,
            sink,
            0,
            r.random_range(0..=15),
            r.random_range(-6..=0),
        );
    }
    p
}

/// A tiny instance whose arcs are all finite with at most 4 values each, so that at most
/// 4^5 flows need to be enumerated by a brute-force check. About half are feasible.
pub fn brute_forceable(seed: u64) -> FlowProblem {
    let mut r = rng(seed);
    random_problem(
        &mut r,
        &Spec {
            nodes: 1..=4,
            arcs: 0..=5,
            cost: -4..=6,
            width: 0..=3,
            lower_probability: 0.4,
            lower: -2..=2,
            infinite_probability: 0.0,
            self_loop_probability: 0.15,
            planted_probability: 0.5,
            supply: -3..=3,
            ..Spec::default()
        },
    )
}

/// Greedily simplifies `problem` while `fails` keeps returning true: removes arcs, then nodes
/// without arcs or supply, moves supplies, and pulls costs and bounds towards zero. Every
/// candidate is valid ([`FlowProblem::validate`]). Returns a local minimum.
pub fn shrink(problem: &FlowProblem, fails: impl Fn(&FlowProblem) -> bool) -> FlowProblem {
    let mut best = problem.clone();
    let accept = |c: &FlowProblem| c.validate().is_ok() && fails(c);
    loop {
        let mut improved = false;
        // Remove arcs.
        let mut a = 0;
        while a < best.num_arcs() {
            let mut c = best.clone();
            for v in [&mut c.tail, &mut c.head] {
                v.remove(a);
            }
            for v in [&mut c.lower, &mut c.upper, &mut c.cost] {
                v.remove(a);
            }
            if accept(&c) {
                best = c;
                improved = true;
            } else {
                a += 1;
            }
        }
        // Merge the supply of a node into another node with supply (so that the number of
        // nodes with supply strictly decreases), then drop nodes with nothing left.
        for v in 0..best.num_nodes() {
            for w in 0..best.num_nodes() {
                if v != w && best.supply[v] != 0 && best.supply[w] != 0 {
                    let mut c = best.clone();
                    c.supply[w] += c.supply[v];
                    c.supply[v] = 0;
                    if accept(&c) {
                        best = c;
                        improved = true;
                    }
                }
            }
        }
        let mut v = 0;
        while v < best.num_nodes() {
            let used =
                best.supply[v] != 0 || best.tail.iter().chain(&best.head).any(|&x| x as usize == v);
            if !used {
                let mut c = best.clone();
                c.supply.remove(v);
                for x in c.tail.iter_mut().chain(c.head.iter_mut()) {
                    if *x as usize > v {
                        *x -= 1;
                    }
                }
                if accept(&c) {
                    best = c;
                    improved = true;
                    continue;
                }
            }
            v += 1;
        }
        // Pull numbers towards zero: supplies by pairs, costs, lower and upper bounds.
        for v in 0..best.num_nodes() {
            for w in 0..best.num_nodes() {
                if best.supply[v] > 0 && best.supply[w] < 0 {
                    let mut c = best.clone();
                    c.supply[v] -= 1;
                    c.supply[w] += 1;
                    if accept(&c) {
                        best = c;
                        improved = true;
                    }
                }
            }
        }
        for a in 0..best.num_arcs() {
            let (l, u, k) = (best.lower[a], best.upper[a], best.cost[a]);
            let mut candidates = vec![];
            for c in [0, k / 2, k - k.signum()] {
                if c != k {
                    candidates.push((l, u, c));
                }
            }
            if l != 0 && 0 <= u {
                candidates.push((0, u, k));
            }
            if u == INFINITE_CAPACITY {
                candidates.push((l, l.max(0) + 8, k));
            } else if u > l {
                candidates.push((l, u - 1, k));
                candidates.push((l, l + (u - l) / 2, k));
            }
            for (l2, u2, k2) in candidates {
                let mut c = best.clone();
                (c.lower[a], c.upper[a], c.cost[a]) = (l2, u2, k2);
                if accept(&c) {
                    best = c;
                    improved = true;
                    break;
                }
            }
        }
        if !improved {
            return best;
        }
    }
}

/// Rust source that rebuilds `problem`, for pasting into a regression test.
pub fn to_rust(problem: &FlowProblem) -> String {
    let num = |x: i64| {
        if x == INFINITE_CAPACITY {
            "INFINITE_CAPACITY".to_string()
        } else {
            x.to_string()
        }
    };
    let mut s = format!(
        "let mut p = FlowProblem::with_nodes({});\n",
        problem.num_nodes()
    );
    let _ = writeln!(s, "p.supply = vec!{:?};", problem.supply);
    for a in 0..problem.num_arcs() {
        let _ = writeln!(
            s,
            "p.add_arc({}, {}, {}, {}, {});",
            problem.tail[a],
            problem.head[a],
            num(problem.lower[a]),
            num(problem.upper[a]),
            num(problem.cost[a])
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generators_are_deterministic_and_valid() {
        for &family in ALL_FAMILIES {
            for seed in 0..200 {
                let p = generate(family, seed);
                assert_eq!(p, generate(family, seed));
                p.validate()
                    .unwrap_or_else(|e| panic!("{family:?} {seed}: {e}"));
            }
        }
    }

    #[test]
    fn families_have_their_shape() {
        let count = |family: Family, pred: &dyn Fn(&FlowProblem) -> bool| {
            (0..200).filter(|&s| pred(&generate(family, s))).count()
        };
        let has_self_loop = |p: &FlowProblem| p.tail.iter().zip(&p.head).any(|(t, h)| t == h);
        let has_parallel = |p: &FlowProblem| {
            let mut pairs: Vec<_> = p.tail.iter().zip(&p.head).collect();
            pairs.sort();
            pairs.windows(2).any(|w| w[0] == w[1])
        };
        let has_isolated = |p: &FlowProblem| {
            (0..p.num_nodes()).any(|v| !p.tail.iter().chain(&p.head).any(|&x| x as usize == v))
        };
        let has_negative_lower = |p: &FlowProblem| p.lower.iter().any(|&l| l < 0);
        let has_big = |p: &FlowProblem| p.cost.iter().any(|&c| c.abs() > 1 << 40);
        assert!(count(Family::SelfLoops, &has_self_loop) > 100);
        assert!(count(Family::ParallelArcs, &has_parallel) > 150);
        assert!(count(Family::IsolatedNodes, &has_isolated) == 200);
        assert!(count(Family::LowerBounds, &has_negative_lower) > 50);
        assert!(count(Family::LargeValues, &has_big) > 150);
        assert!(
            count(Family::Degenerate, &|p| p
                .cost
                .iter()
                .all(|&c| c == 0 || c == 1))
                == 200
        );
    }

    #[test]
    fn shrink_finds_a_small_witness() {
        // "Fails" when some arc has cost ≥ 5 and its tail has positive supply: the minimum is
        // two nodes, one arc of cost exactly 5 and supplies (1, −1).
        let fails = |p: &FlowProblem| {
            (0..p.num_arcs()).any(|a| p.cost[a] >= 5 && p.supply[p.tail[a] as usize] > 0)
        };
        let start = (0..)
            .map(|s| generate(Family::TinyDense, s))
            .find(|p| fails(p))
            .unwrap();
        let small = shrink(&start, fails);
        assert!(fails(&small));
        assert_eq!(small.num_arcs(), 1);
        assert_eq!(small.cost, vec![5]);
        assert_eq!(small.supply.iter().map(|x| x.abs()).sum::<i64>(), 2);
        assert!(small.num_nodes() <= 2);
    }

    #[test]
    fn to_rust_lists_every_arc() {
        let mut p = FlowProblem::with_nodes(2);
        p.supply = vec![1, -1];
        p.add_arc(0, 1, 0, INFINITE_CAPACITY, -3);
        let s = to_rust(&p);
        assert!(s.contains("with_nodes(2)"));
        assert!(s.contains("p.supply = vec![1, -1];"));
        assert!(s.contains("p.add_arc(0, 1, 0, INFINITE_CAPACITY, -3);"));
    }
}
