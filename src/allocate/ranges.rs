//! How unique the answer is: the lowest and highest utilisation rate of each group of
//! producers among *all* optimal allocations, exactly, by certified warm re-solves.
//!
//! Method.
//!
//! 1. **The optimal face as a network.** Let `P` be the final phase's problem (under
//!    `max_utilisation` it already carries the earlier phases' optima as bounds, so its
//!    feasible flows are the allocations optimal in the earlier phases) and `π` the certified
//!    optimal potentials of its solve. By complementary slackness a feasible flow of `P` is
//!    optimal if and only if every arc with reduced cost `c_a − π_t + π_h > 0` sits at its lower
//!    bound and every arc with reduced cost `< 0` at its upper bound (this holds with *any*
//!    optimal dual, so the basis the solver happened to find does not matter). Fixing those
//!    arcs' bounds gives the problem `F` (the face): a pure network whose feasible flows are
//!    exactly the optimal allocations. Its bounds are integers, so every vertex of the face is an
//!    integer allocation and the extremes below are attained by integer (reportable) flows.
//! 2. **A group's rate** is `(N + S) / (G + S)`: `N` the flow on its transport arcs from new
//!    generation, `S` on its arcs from legacy stockpiles, `G` its generation (fixed supplies),
//!    all in flow units. Without stockpile arcs this is linear: min and max of `N` over `F` are
//!    two min-cost flows with cost ±1 on the group's arcs and 0 elsewhere.
//! 3. **With stockpiles** the denominator varies, and the extremes of the ratio come from
//!    Dinkelbach's iteration: with the current ratio `λ = a/b` (an exact fraction of flow units,
//!    reduced), maximise `b(N + S) − a(G + S)` (integer costs `−b` on new arcs, `a − b` on
//!    stockpile arcs); the optimum is ≥ 0 (the flow that gave `λ` scores 0), and it is 0 exactly
//!    when `λ` is the maximum ratio. Otherwise the optimal flow has a strictly higher ratio,
//!    which becomes the next `λ`; the ratios of the face's finitely many vertices bound the
//!    number of steps (in practice one or two). The minimum is the mirror image. Where
//!    `G = 0` every defined rate is 1 (nothing new to utilise, `N = 0`).
//!
//! Every re-solve is warm (from a copy of the solver at the final phase's optimum, warm from
//! one group to the next within a chunk of groups) and certified against the problem it
//! solved; everything is integer until the fractions are handed on. The extremes are exact
//! optima, so they do not depend on the chunking or the thread count. A group whose arcs are
//! all fixed on the face has a unique rate and needs no solve.

use super::{AllocateError, Allocation};
use crate::network::RateGroup;
use rayon::prelude::*;
use symbiosim_engine::{verify, FlowProblem, FlowSolution, NetworkSimplex, PivotRule, SolveStatus};

/// A rate as an exact fraction of flow units (`den > 0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fraction {
    pub num: i128,
    pub den: i128,
}

impl Fraction {
    fn new(num: i128, den: i128) -> Fraction {
        let g = gcd(num.unsigned_abs(), den.unsigned_abs()).max(1) as i128;
        Fraction {
            num: num / g,
            den: den / g,
        }
    }

    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The lowest and highest rate of one group among all optimal allocations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateBounds {
    pub min: Fraction,
    pub max: Fraction,
}

/// The face problem: `p` with every arc of nonzero reduced cost (under `potential`) fixed at
/// the bound complementary slackness puts it at, and every cost 0.
fn face(p: &FlowProblem, potential: &[i64]) -> FlowProblem {
    let mut f = p.clone();
    for a in 0..p.num_arcs() {
        let (t, h) = (p.tail[a] as usize, p.head[a] as usize);
        let rc = p.cost[a] as i128 - potential[t] as i128 + potential[h] as i128;
        if rc > 0 {
            f.upper[a] = f.lower[a];
        } else if rc < 0 {
            f.lower[a] = f.upper[a];
        }
        f.cost[a] = 0;
    }
    f
}

/// Group sums of a flow: (N, S).
fn sums(g: &RateGroup, flow: &[i64]) -> (i128, i128) {
    let sum = |arcs: &[usize]| arcs.iter().map(|&a| flow[a] as i128).sum::<i128>();
    (sum(&g.new_arcs), sum(&g.stock_arcs))
}

/// A solver on the face with the costs of the group being optimised; `q` mirrors its problem.
struct Face {
    ns: NetworkSimplex,
    q: FlowProblem,
}

impl Face {
    /// Sets cost `c_new` on the group's new arcs and `c_stock` on its stockpile arcs, solves,
    /// certifies; returns the optimal flow's (N, S).
    fn solve(
        &mut self,
        g: &RateGroup,
        c_new: i128,
        c_stock: i128,
    ) -> Result<(i128, i128), AllocateError> {
        let fit = |c: i128| {
            i64::try_from(c)
                .ok()
                .filter(|c| c.unsigned_abs() <= 1 << 50)
                .ok_or_else(|| {
                    AllocateError::Range(format!(
                        "a rate range needs a cost of {c}; coarsen quantity_resolution"
                    ))
                })
        };
        let (c_new, c_stock) = (fit(c_new)?, fit(c_stock)?);
        for (arcs, c) in [(&g.new_arcs, c_new), (&g.stock_arcs, c_stock)] {
            for &a in arcs {
                self.ns.set_cost(a, c)?;
                self.q.cost[a] = c;
            }
        }
        let sol = self.ns.resolve()?;
        certified(&self.q, &sol)?;
        Ok(sums(g, &sol.flow))
    }

    /// Back to zero costs on the group's arcs.
    fn clear(&mut self, g: &RateGroup) -> Result<(), AllocateError> {
        for &a in g.new_arcs.iter().chain(&g.stock_arcs) {
            self.ns.set_cost(a, 0)?;
            self.q.cost[a] = 0;
        }
        Ok(())
    }

    /// The extreme rate of `g` (`max` or min) over the face, starting from the flow sums
    /// `(n0, s0)` of a face flow; `gen > 0`.
    fn extreme(
        &mut self,
        g: &RateGroup,
        gen: i128,
        (n0, s0): (i128, i128),
        max: bool,
    ) -> Result<Fraction, AllocateError> {
        let sign = if max { -1 } else { 1 };
        let mut lambda = Fraction::new(n0 + s0, gen + s0);
        if g.stock_arcs.is_empty() {
            // Linear: one solve of ±N.
            let (n, _) = self.solve(g, sign, 0)?;
            return Ok(Fraction::new(n, gen));
        }
        loop {
            let (a, b) = (lambda.num, lambda.den);
            // Optimise b(N + S) − a(G + S) = bN + (b − a)S − aG.
            let (n, s) = self.solve(g, sign * b, sign * (b - a))?;
            let value = b * (n + s) - a * (gen + s);
            // The flow that gave λ scores 0, so the optimum is on the improving side or 0.
            if value == 0 {
                return Ok(lambda);
            }
            debug_assert!(if max { value > 0 } else { value < 0 });
            lambda = Fraction::new(n + s, gen + s);
        }
    }
}

fn certified(q: &FlowProblem, sol: &FlowSolution) -> Result<(), AllocateError> {
    if sol.status != SolveStatus::Optimal {
        return Err(AllocateError::NotOptimal(sol.status));
    }
    verify(q, sol)?;
    Ok(())
}

/// The rate bounds of every group (`None` where no optimal allocation defines its rate), in
/// the order of `groups`. `potential` are the certified optimal potentials of the final
/// phase's solve of `alloc.problem`; `start`, when given, a solver holding that optimum's
/// basis (a copy of it is re-solved; otherwise the face is solved cold once).
pub(super) fn rate_ranges(
    groups: &[RateGroup],
    alloc: &Allocation,
    potential: &[i64],
    start: Option<&NetworkSimplex>,
) -> Result<Vec<Option<RateBounds>>, AllocateError> {
    let p = &alloc.problem;
    let f = face(p, potential);
    let x = &alloc.flow_units;
    let gen_of = |g: &RateGroup| {
        g.generation
            .iter()
            .map(|&v| p.supply[v] as i128)
            .sum::<i128>()
    };
    // Groups with a unique rate (every arc fixed on the face) need no solve.
    let fixed = |g: &RateGroup| {
        g.new_arcs
            .iter()
            .chain(&g.stock_arcs)
            .all(|&a| f.lower[a] == f.upper[a])
    };
    let mut out: Vec<Option<RateBounds>> = groups
        .iter()
        .map(|g| {
            let (n, s) = sums(g, x);
            let gen = gen_of(g);
            (fixed(g) && gen + s > 0).then(|| {
                let r = if gen == 0 {
                    Fraction::new(1, 1)
                } else {
                    Fraction::new(n + s, gen + s)
                };
                RateBounds { min: r, max: r }
            })
        })
        .collect();
    let open: Vec<usize> = (0..groups.len()).filter(|&i| !fixed(&groups[i])).collect();
    if open.is_empty() {
        return Ok(out);
    }
    let mut ns = match start {
        Some(s) => {
            let mut ns = s.clone();
            ns.update_or_reset(&f)?;
            ns
        }
        None => NetworkSimplex::new(&f, PivotRule::default())?,
    };
    // The face with zero costs: the allocation itself is optimal (a check, and the basis the
    // chunks start from).
    certified(&f, &ns.resolve()?)?;
    let chunk = open.len().div_ceil(2 * rayon::current_num_threads()).max(4);
    type Chunk = Result<Vec<(usize, Option<RateBounds>)>, AllocateError>;
    let chunks: Vec<Chunk> = open
        .par_chunks(chunk)
        .map(|chunk| {
            let mut face = Face {
                ns: ns.clone(),
                q: f.clone(),
            };
            let mut res = Vec::with_capacity(chunk.len());
            for &i in chunk {
                let g = &groups[i];
                let gen = gen_of(g);
                let start = sums(g, x);
                let range = |face: &mut Face| -> Result<Option<RateBounds>, AllocateError> {
                    let bounds = if gen == 0 {
                        // Every defined rate is 1: defined where some optimum draws a stockpile.
                        let (_, s) = face.solve(g, 0, -1)?;
                        (s > 0).then_some(RateBounds {
                            min: Fraction::new(1, 1),
                            max: Fraction::new(1, 1),
                        })
                    } else {
                        Some(RateBounds {
                            min: face.extreme(g, gen, start, false)?,
                            max: face.extreme(g, gen, start, true)?,
                        })
                    };
                    face.clear(g)?;
                    Ok(bounds)
                };
                let bounds = match range(&mut face) {
                    Ok(b) => b,
                    // A group whose costs or sums exceed the solver's integers has no range
                    // (reported as unknown); the allocation itself stands, and the next group
                    // starts from a fresh copy of the face.
                    Err(AllocateError::Range(_)) => {
                        face = Face {
                            ns: ns.clone(),
                            q: f.clone(),
                        };
                        None
                    }
                    Err(e) => return Err(e),
                };
                res.push((i, bounds));
            }
            Ok(res)
        })
        .collect();
    for chunk in chunks {
        for (i, b) in chunk? {
            out[i] = b;
        }
    }
    Ok(out)
}
