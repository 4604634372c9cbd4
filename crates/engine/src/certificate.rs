//! Optimality certificate: checks a [`FlowSolution`] against its [`FlowProblem`] without
//! trusting the solver that produced it.
//!
//! Everything is checked in exact integer arithmetic (per-arc values in `i64` with checked
//! operations, sums in `i128`), in this order:
//! 1. the solution claims to be optimal ([`CertificateError::NotOptimal`]);
//! 2. the problem is well formed ([`FlowProblem::validate`]) and the solution's arrays have one
//!    flow per arc and one potential per node;
//! 3. primal feasibility: `lower ≤ flow ≤ upper` on every arc, then
//!    `out(v) − in(v) = supply[v]` at every node;
//! 4. complementary slackness with `rc = cost − pi[tail] + pi[head]`: `rc > 0 ⇒ flow = lower`,
//!    `rc < 0 ⇒ flow = upper`, and no arc of infinite capacity has `rc < 0` (its dual term
//!    `rc·upper` would be `−∞`: the potentials prove nothing);
//! 5. the reported objective equals `Σ cost·flow`;
//! 6. the dual objective `Σ supply·pi + Σ (rc > 0 ? rc·lower : rc·upper)` equals the primal one.
//!
//! Steps 3–4 imply step 6 mathematically; step 6 is still computed independently so that a
//! certificate carries both objectives and an arithmetic slip in either is caught.
use super::{
    problem::MAX_ABS_VALUE, FlowProblem, FlowSolution, ProblemError, SolveStatus, INFINITE_CAPACITY,
};

/// Facts established by a successful [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// `Σ cost·flow`.
    pub primal_objective: i128,
    /// `Σ supply·pi + Σ (rc > 0 ? rc·lower : rc·upper)`; equal to `primal_objective`.
    pub dual_objective: i128,
    /// Nodes whose conservation row was checked.
    pub nodes_checked: usize,
    /// Arcs whose bounds and reduced-cost condition were checked.
    pub arcs_checked: usize,
    /// Arcs with `flow == lower` (including fixed arcs, `lower == upper`).
    pub arcs_at_lower: usize,
    /// Arcs with `flow == upper != lower`.
    pub arcs_at_upper: usize,
    /// Arcs with `lower < flow < upper` (all of them have a zero reduced cost).
    pub arcs_between: usize,
    /// Arcs with a zero reduced cost (the "tight" arcs; the basis of a simplex lies among them).
    pub arcs_zero_reduced_cost: usize,
}

/// The first condition a solution violates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("solution status is {status:?}, not Optimal: there is nothing to certify")]
    NotOptimal { status: SolveStatus },
    #[error("the problem itself is invalid: {0}")]
    InvalidProblem(#[from] ProblemError),
    #[error("solution has {found} flows for {expected} arcs")]
    FlowLength { expected: usize, found: usize },
    #[error("solution has {found} potentials for {expected} nodes")]
    PotentialLength { expected: usize, found: usize },
    #[error("arc {arc}: flow {flow} outside its bounds [{lower}, {upper}]")]
    BoundViolated {
        arc: usize,
        lower: i64,
        flow: i64,
        upper: i64,
    },
    #[error("node {node}: out − in = {out_minus_in} but supply is {supply}")]
    ConservationViolated {
        node: usize,
        out_minus_in: i128,
        supply: i64,
    },
    #[error("arc {arc}: reduced cost overflows i64 (cost {cost}, pi[tail] {pi_tail}, pi[head] {pi_head})")]
    ReducedCostOverflow {
        arc: usize,
        cost: i64,
        pi_tail: i64,
        pi_head: i64,
    },
    #[error("arc {arc}: reduced cost {reduced_cost} > 0 but flow {flow} is above its lower bound {lower}")]
    PositiveReducedCostNotAtLower {
        arc: usize,
        reduced_cost: i64,
        flow: i64,
        lower: i64,
    },
    #[error("arc {arc}: reduced cost {reduced_cost} < 0 but flow {flow} is below its upper bound {upper}")]
    NegativeReducedCostNotAtUpper {
        arc: usize,
        reduced_cost: i64,
        flow: i64,
        upper: i64,
    },
    #[error("arc {arc} has infinite capacity and reduced cost {reduced_cost} < 0: the dual is unbounded")]
    NegativeReducedCostOnInfiniteArc { arc: usize, reduced_cost: i64 },
    #[error("reported objective {reported} differs from Σ cost·flow = {computed}")]
    ObjectiveMismatch { reported: i128, computed: i128 },
    #[error("duality gap: primal objective {primal}, dual objective {dual}")]
    DualityGap { primal: i128, dual: i128 },
    #[error("i128 overflow while summing the {0}")]
    SumOverflow(&'static str),
}

/// Checks that `solution` is an optimal solution of `problem` (see the module documentation).
///
/// A fused pass accepts a correct solution; anything it cannot accept is checked again step by
/// step, which names the first violated condition in the documented order. Both decide
/// exactly the same (tested on random and corrupted solutions).
pub fn verify(
    problem: &FlowProblem,
    solution: &FlowSolution,
) -> Result<Certificate, CertificateError> {
    match verify_fast(problem, solution) {
        Some(c) => Ok(c),
        None => verify_explained(problem, solution),
    }
}

/// Arcs per block of unchecked `i128` sums: a product of an `i64` (at most 2^63 in magnitude)
/// and a value within ±2^50 is below 2^113, so 2^13 of them sum to below 2^126.
const SUM_BLOCK: usize = 1 << 13;

/// Potentials beyond ±2^61 send [`verify_fast`] to the step-by-step check: within it a
/// reduced cost `cost − pi[tail] + pi[head]` (costs within ±2^50) cannot overflow `i64`.
const FAST_PI_LIMIT: u64 = 1 << 61;

/// Every check of [`verify_explained`], in a few tight passes: `Some` only when all hold (with
/// the same certificate), `None` when one fails or when a value is too large for its `i64`
/// arithmetic (a lower bound, finite upper bound or cost of exactly +2^50, a flow beyond
/// ±2^62 or a potential beyond ±2^61): then the step-by-step check decides.
///
/// The passes: nodes (magnitudes, balance, the supply part of the dual); arcs, contiguous and
/// branch-free (magnitudes as in [`NetworkSimplex::update`](super::NetworkSimplex), bounds,
/// `lower ≤ flow ≤ upper` as signs of differences, the counts); endpoints; arcs with the
/// potentials (complementary slackness as masked differences, zero reduced costs); arcs
/// carrying flow (conservation, both objectives). Once complementary slackness holds, an arc's
/// dual term `rc·lower` or `rc·upper` equals `rc·flow`, so the dual needs only the arcs with
/// flow. The objectives are summed in the blocks of [`dual_objective`] and
/// [`primal_objective`] (zero terms skipped: the same sums), so overflow is met alike.
fn verify_fast(problem: &FlowProblem, solution: &FlowSolution) -> Option<Certificate> {
    const LIMIT: i64 = MAX_ABS_VALUE;
    const FLOW_SHIFT: i64 = 1 << 62;
    let n = problem.supply.len();
    let m = problem.tail.len();
    let ok_shape = solution.status == SolveStatus::Optimal
        && problem.head.len() == m
        && problem.lower.len() == m
        && problem.upper.len() == m
        && problem.cost.len() == m
        && n < u32::MAX as usize
        && m < u32::MAX as usize
        && solution.flow.len() == m
        && solution.potential.len() == n;
    if !ok_shape {
        return None;
    }
    let (flow, pi) = (&solution.flow[..m], &solution.potential[..n]);
    let (tail, head) = (&problem.tail[..m], &problem.head[..m]);
    let (lower, upper, cost) = (&problem.lower[..m], &problem.upper[..m], &problem.cost[..m]);

    // Nodes.
    let mut total = 0i128;
    let mut bad = false;
    for (&b, &p) in problem.supply.iter().zip(pi) {
        bad |= (b.unsigned_abs() > LIMIT as u64) | (p.unsigned_abs() > FAST_PI_LIMIT);
        total += b as i128;
    }
    if bad || total != 0 {
        return None;
    }
    let mut dual = sum_of_products(&problem.supply, pi)?;

    // Arcs, contiguous. Shifted ORs: lower bounds, costs and finite upper bounds all lie in
    // [-2^50, 2^50) when no value + 2^50 reaches 2^51; flows in [-2^62, 2^62) likewise. Then
    // no difference below overflows, and a negative one sets the sign bit of `signs`.
    let (mut range, mut flows, mut signs) = (0u64, 0u64, 0i64);
    let (mut at_lower, mut at_upper) = (0usize, 0usize);
    for (((&l, &u), &c), &x) in lower.iter().zip(upper).zip(cost).zip(flow) {
        let finite = -((u != INFINITE_CAPACITY) as i64);
        let uf = u & finite;
        range |= (l.wrapping_add(LIMIT) | c.wrapping_add(LIMIT) | uf.wrapping_add(LIMIT)) as u64;
        flows |= x.wrapping_add(FLOW_SHIFT) as u64;
        signs |= x.wrapping_sub(l) | (uf.wrapping_sub(x) & finite);
        let (at_l, at_u) = (x == l, x == u);
        at_lower += at_l as usize;
        at_upper += (at_u & !at_l) as usize;
    }
    // Whether an end is no node (≥ n; none can be where n exceeds every u32): each slice's
    // comparisons ORed on its own, which vectorises (a fold of the maximum over a `chain` of
    // the two did not).
    let n32 = u32::try_from(n).unwrap_or(u32::MAX);
    let beyond = |v: &[u32]| v.iter().fold(0u32, |acc, &x| acc | u32::from(x >= n32));
    let bad_end = u32::try_from(n).is_ok() && (beyond(tail) | beyond(head)) != 0;
    if range >= 2 * LIMIT as u64 || flows >= 2 * FLOW_SHIFT as u64 || signs < 0 || bad_end {
        return None;
    }

    // Complementary slackness: rc > 0 needs x = l, rc < 0 needs x = u (an infinite `u` is
    // never reached: flows are below 2^62). With the bounds above both differences are ≥ 0.
    // |rc| ≤ 2^50 + 2^62.
    let mut slack = 0i64;
    let mut zero_rc = 0usize;
    let ends = tail.iter().zip(head);
    let values = lower.iter().zip(upper).zip(cost).zip(flow);
    for ((&t, &h), (((&l, &u), &c), &x)) in ends.zip(values) {
        let rc = c - pi[t as usize] + pi[h as usize];
        let (positive, negative) = ((-rc) >> 63, rc >> 63);
        slack |= ((x - l) & positive) | (u.wrapping_sub(x) & negative);
        zero_rc += (rc == 0) as usize;
    }
    if slack != 0 {
        return None;
    }

    // Arcs carrying flow: conservation and both objectives (|x| < 2^62, m < 2^32: the i128
    // balances cannot overflow).
    let mut balance = vec![0i128; n];
    let mut primal = 0i128;
    for start in (0..m).step_by(SUM_BLOCK) {
        let end = (start + SUM_BLOCK).min(m);
        let (mut primal_block, mut dual_block) = (0i128, 0i128);
        for a in start..end {
            let x = flow[a];
            if x != 0 {
                let (t, h) = (tail[a] as usize, head[a] as usize);
                balance[t] += x as i128;
                balance[h] -= x as i128;
                let rc = cost[a] - pi[t] + pi[h];
                primal_block = primal_block.wrapping_add(cost[a] as i128 * x as i128);
                dual_block = dual_block.wrapping_add(rc as i128 * x as i128);
            }
        }
        primal = primal.checked_add(primal_block)?;
        dual = dual.checked_add(dual_block)?;
    }
    let conserved = balance
        .iter()
        .zip(&problem.supply)
        .all(|(&x, &b)| x == b as i128);
    if !conserved || primal != solution.objective || dual != primal {
        return None;
    }
    Some(Certificate {
        primal_objective: primal,
        dual_objective: dual,
        nodes_checked: n,
        arcs_checked: m,
        arcs_at_lower: at_lower,
        arcs_at_upper: at_upper,
        arcs_between: m - at_lower - at_upper,
        arcs_zero_reduced_cost: zero_rc,
    })
}

/// [`verify`] step by step, in the documented order: the first violated condition is the
/// error.
fn verify_explained(
    problem: &FlowProblem,
    solution: &FlowSolution,
) -> Result<Certificate, CertificateError> {
    if solution.status != SolveStatus::Optimal {
        return Err(CertificateError::NotOptimal {
            status: solution.status,
        });
    }
    problem.validate()?;
    let n = problem.num_nodes();
    let m = problem.num_arcs();
    if solution.flow.len() != m {
        return Err(CertificateError::FlowLength {
            expected: m,
            found: solution.flow.len(),
        });
    }
    if solution.potential.len() != n {
        return Err(CertificateError::PotentialLength {
            expected: n,
            found: solution.potential.len(),
        });
    }
    let flow = &solution.flow;
    let pi = &solution.potential;

    // Bounds.
    let (mut at_lower, mut at_upper, mut between) = (0usize, 0usize, 0usize);
    for a in 0..m {
        let (l, x, u) = (problem.lower[a], flow[a], problem.upper[a]);
        if x < l || x > u {
            return Err(CertificateError::BoundViolated {
                arc: a,
                lower: l,
                flow: x,
                upper: u,
            });
        }
        if x == l {
            at_lower += 1;
        } else if x == u {
            at_upper += 1;
        } else {
            between += 1;
        }
    }

    // Conservation: |flow| < 2^63 and m < 2^32, so the i128 sums cannot overflow.
    let mut balance = vec![0i128; n];
    for a in 0..m {
        balance[problem.tail[a] as usize] += flow[a] as i128;
        balance[problem.head[a] as usize] -= flow[a] as i128;
    }
    for (v, (&out_minus_in, &b)) in balance.iter().zip(&problem.supply).enumerate() {
        if out_minus_in != b as i128 {
            return Err(CertificateError::ConservationViolated {
                node: v,
                out_minus_in,
                supply: b,
            });
        }
    }

    // Reduced costs and complementary slackness.
    let mut zero_rc = 0usize;
    for a in 0..m {
        let (t, h) = (problem.tail[a] as usize, problem.head[a] as usize);
        let (c, l, x, u) = (problem.cost[a], problem.lower[a], flow[a], problem.upper[a]);
        let rc = i64::try_from(c as i128 - pi[t] as i128 + pi[h] as i128).map_err(|_| {
            CertificateError::ReducedCostOverflow {
                arc: a,
                cost: c,
                pi_tail: pi[t],
                pi_head: pi[h],
            }
        })?;
        match rc.signum() {
            1 => {
                if x != l {
                    return Err(CertificateError::PositiveReducedCostNotAtLower {
                        arc: a,
                        reduced_cost: rc,
                        flow: x,
                        lower: l,
                    });
                }
            }
            -1 => {
                if u == INFINITE_CAPACITY {
                    return Err(CertificateError::NegativeReducedCostOnInfiniteArc {
                        arc: a,
                        reduced_cost: rc,
                    });
                }
                if x != u {
                    return Err(CertificateError::NegativeReducedCostNotAtUpper {
                        arc: a,
                        reduced_cost: rc,
                        flow: x,
                        upper: u,
                    });
                }
            }
            _ => zero_rc += 1,
        }
    }
    // The objectives, summed exactly as `verify_fast` sums them (so that both meet an
    // overflow alike).
    let dual =
        dual_objective(problem, pi).ok_or(CertificateError::SumOverflow("dual objective"))?;
    let primal =
        primal_objective(problem, flow).ok_or(CertificateError::SumOverflow("primal objective"))?;
    if primal != solution.objective {
        return Err(CertificateError::ObjectiveMismatch {
            reported: solution.objective,
            computed: primal,
        });
    }
    if dual != primal {
        return Err(CertificateError::DualityGap { primal, dual });
    }

    Ok(Certificate {
        primal_objective: primal,
        dual_objective: dual,
        nodes_checked: n,
        arcs_checked: m,
        arcs_at_lower: at_lower,
        arcs_at_upper: at_upper,
        arcs_between: between,
        arcs_zero_reduced_cost: zero_rc,
    })
}

/// `Σ supply·pi + Σ (rc > 0 ? rc·lower : rc·upper)` over blocks of [`SUM_BLOCK`] nodes, then
/// arcs (`None` on overflow). For a solution that passed every other check each block sum is
/// exact.
fn dual_objective(problem: &FlowProblem, pi: &[i64]) -> Option<i128> {
    let mut dual = sum_of_products(&problem.supply, pi)?;
    for start in (0..problem.num_arcs()).step_by(SUM_BLOCK) {
        let end = (start + SUM_BLOCK).min(problem.num_arcs());
        let block = (start..end).fold(0i128, |acc, a| {
            let (t, h) = (problem.tail[a] as usize, problem.head[a] as usize);
            let rc = problem.cost[a] as i128 - pi[t] as i128 + pi[h] as i128;
            let bound = if rc > 0 {
                problem.lower[a]
            } else {
                problem.upper[a]
            };
            let term = if rc == 0 {
                0
            } else {
                rc.wrapping_mul(bound as i128)
            };
            acc.wrapping_add(term)
        });
        dual = dual.checked_add(block)?;
    }
    Some(dual)
}

/// `Σ cost·flow` over blocks of [`SUM_BLOCK`] arcs (`None` on overflow).
fn primal_objective(problem: &FlowProblem, flow: &[i64]) -> Option<i128> {
    sum_of_products(&problem.cost, flow)
}

/// `Σ a·b` over blocks of [`SUM_BLOCK`] pairs, unchecked within a block (exact when one
/// factor lies within ±2^50) and checked across blocks (`None` on overflow).
fn sum_of_products(a: &[i64], b: &[i64]) -> Option<i128> {
    let mut sum: i128 = 0;
    for (a, b) in a.chunks(SUM_BLOCK).zip(b.chunks(SUM_BLOCK)) {
        let block = a.iter().zip(b).fold(0i128, |acc, (&a, &b)| {
            acc.wrapping_add(a as i128 * b as i128)
        });
        sum = sum.checked_add(block)?;
    }
    Some(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed instance: 0 → 1 → 2 (cost 1, cap 5 each) and a direct 0 → 2 (cost 3,
    /// cap 2); ship 4 units from 0 to 2. Optimum: all 4 on the path (cost 2 per unit), total 8;
    /// direct arc idle. Potentials pi = (2, 1, 0): rc(0→1) = 1−2+1 = 0, rc(1→2) = 1−1+0 = 0,
    /// rc(0→2) = 3−2+0 = 1 > 0 at lower 0. Dual: 4·2 + 0·1 + (−4)·0 = 8.
    fn path_instance() -> (FlowProblem, FlowSolution) {
        let mut p = FlowProblem::with_nodes(3);
        p.supply = vec![4, 0, -4];
        p.add_arc(0, 1, 0, 5, 1);
        p.add_arc(1, 2, 0, 5, 1);
        p.add_arc(0, 2, 0, 2, 3);
        let s = FlowSolution {
            status: SolveStatus::Optimal,
            flow: vec![4, 4, 0],
            potential: vec![2, 1, 0],
            objective: 8,
            iterations: 0,
        };
        (p, s)
    }

    #[test]
    fn accepts_hand_computed_optimum() {
        let (p, s) = path_instance();
        let c = verify(&p, &s).unwrap();
        assert_eq!(c.primal_objective, 8);
        assert_eq!(c.dual_objective, 8);
        assert_eq!((c.nodes_checked, c.arcs_checked), (3, 3));
        assert_eq!(
            (c.arcs_at_lower, c.arcs_at_upper, c.arcs_between),
            (1, 0, 2)
        );
        assert_eq!(c.arcs_zero_reduced_cost, 2);
    }

    #[test]
    fn potentials_are_defined_up_to_a_constant() {
        let (p, mut s) = path_instance();
        for pi in &mut s.potential {
            *pi += 1000;
        }
        assert_eq!(verify(&p, &s).unwrap().dual_objective, 8);
    }

    #[test]
    fn rejects_non_optimal_status() {
        let (p, mut s) = path_instance();
        s.status = SolveStatus::Infeasible;
        assert_eq!(
            verify(&p, &s),
            Err(CertificateError::NotOptimal {
                status: SolveStatus::Infeasible
            })
        );
    }

    #[test]
    fn rejects_wrong_lengths() {
        let (p, s) = path_instance();
        let mut t = s.clone();
        t.flow.pop();
        assert_eq!(
            verify(&p, &t),
            Err(CertificateError::FlowLength {
                expected: 3,
                found: 2
            })
        );
        let mut t = s.clone();
        t.potential.push(0);
        assert_eq!(
            verify(&p, &t),
            Err(CertificateError::PotentialLength {
                expected: 3,
                found: 4
            })
        );
        let mut q = p.clone();
        q.cost.pop();
        assert_eq!(
            verify(&q, &s),
            Err(CertificateError::InvalidProblem(ProblemError::Lengths))
        );
    }

    #[test]
    fn rejects_bound_violation() {
        let (p, mut s) = path_instance();
        s.flow[2] = -1;
        assert_eq!(
            verify(&p, &s),
            Err(CertificateError::BoundViolated {
                arc: 2,
                lower: 0,
                flow: -1,
                upper: 2
            })
        );
    }

    #[test]
    fn rejects_conservation_violation() {
        let (p, mut s) = path_instance();
        // 3 on 0→1 and nothing else changed: node 0 has out − in = 3 + 0 ≠ 4 (checked first).
        s.flow[0] = 3;
        s.objective = 7;
        assert_eq!(
            verify(&p, &s),
            Err(CertificateError::ConservationViolated {
                node: 0,
                out_minus_in: 3,
                supply: 4
            })
        );
    }

    #[test]
    fn rejects_suboptimal_flow_with_specific_arc() {
        let (p, _) = path_instance();
        // Feasible but not optimal: 2 units direct (cost 6) + 2 on the path (cost 4) = 10.
        // With pi = (2, 1, 0) the direct arc has rc = 1 > 0 but carries 2 units.
        let s = FlowSolution {
            status: SolveStatus::Optimal,
            flow: vec![2, 2, 2],
            potential: vec![2, 1, 0],
            objective: 10,
            iterations: 0,
        };
        assert_eq!(
            verify(&p, &s),
            Err(CertificateError::PositiveReducedCostNotAtLower {
                arc: 2,
                reduced_cost: 1,
                flow: 2,
                lower: 0
            })
        );
        // With pi = (3, 2, 0): rc(0→1) = 0, rc(1→2) = −1 but 1→2 carries 2 < 5.
        let s = FlowSolution {
            potential: vec![3, 2, 0],
            ..s
        };
        assert_eq!(
            verify(&p, &s),
            Err(CertificateError::NegativeReducedCostNotAtUpper {
                arc: 1,
                reduced_cost: -1,
                flow: 2,
                upper: 5
            })
        );
    }

    #[test]
    fn rejects_negative_reduced_cost_on_infinite_arc() {
        // 0 → 1 uncapacitated, cost 1, ship 1 unit. pi = (5, 0) gives rc = 1 − 5 + 0 = −4 < 0.
        let mut p = FlowProblem::with_nodes(2);
        p.supply = vec![1, -1];
        p.add_arc(0, 1, 0, INFINITE_CAPACITY, 1);
        let s = FlowSolution {
            status: SolveStatus::Optimal,
            flow: vec![1],
            potential: vec![5, 0],
            objective: 1,
            iterations: 0,
        };
        assert_eq!(
            verify(&p, &s),
            Err(CertificateError::NegativeReducedCostOnInfiniteArc {
                arc: 0,
                reduced_cost: -4
            })
        );
        // pi = (1, 0) is a valid certificate: rc = 0, dual = 1·1 + (−1)·0 = 1.
        let s = FlowSolution {
            potential: vec![1, 0],
            ..s
        };
        assert_eq!(verify(&p, &s).unwrap().dual_objective, 1);
    }

    #[test]
    fn rejects_objective_mismatch() {
        let (p, mut s) = path_instance();
        s.objective = 9;
        assert_eq!(
            verify(&p, &s),
            Err(CertificateError::ObjectiveMismatch {
                reported: 9,
                computed: 8
            })
        );
    }

    #[test]
    fn reduced_cost_overflow_is_an_error_not_a_panic() {
        let (p, mut s) = path_instance();
        s.potential = vec![i64::MIN, 0, 0];
        assert!(matches!(
            verify(&p, &s),
            Err(CertificateError::ReducedCostOverflow { arc: 0, .. })
        ));
    }

    #[test]
    fn lower_bounds_enter_the_dual() {
        // One arc 0 → 1 with lower = upper = 3 (fixed), cost 2; supplies (3, −3).
        // pi = (0, 0): rc = 2 > 0 at lower 3. Dual = 0 + 2·3 = 6 = primal 2·3.
        let mut p = FlowProblem::with_nodes(2);
        p.supply = vec![3, -3];
        p.add_arc(0, 1, 3, 3, 2);
        let s = FlowSolution {
            status: SolveStatus::Optimal,
            flow: vec![3],
            potential: vec![0, 0],
            objective: 6,
            iterations: 0,
        };
        let c = verify(&p, &s).unwrap();
        assert_eq!(
            (c.primal_objective, c.dual_objective, c.arcs_at_lower),
            (6, 6, 1)
        );
        // Same arc, pi = (10, 0): rc = −8 < 0 at upper 3. Dual = 3·10 + (−8)·3 = 6.
        let s = FlowSolution {
            potential: vec![10, 0],
            ..s
        };
        assert_eq!(verify(&p, &s).unwrap().dual_objective, 6);
    }

    /// The fused check and the step-by-step one decide alike: on optimal solutions of every
    /// test family, and on copies corrupted in flows, potentials, objective, costs, bounds,
    /// supplies, status and magnitudes (including overflowing potentials), and arc ends that
    /// name no node.
    #[test]
    fn fast_and_explained_checks_decide_alike() {
        use crate::reference::solve_reference;
        use crate::testgen::{generate, rng, Family, ALL_FAMILIES};
        use rand::Rng;
        let mut r = rng(41);
        let (mut accepted, mut rejected, mut handed_over) = (0, 0, 0);
        for seed in 0..60 {
            for &family in ALL_FAMILIES {
                let p = generate(family, seed);
                let s = solve_reference(&p);
                for kind in 0..14 {
                    let (mut q, mut t) = (p.clone(), s.clone());
                    let m = q.num_arcs();
                    let n = q.num_nodes();
                    let a = if m > 0 { r.random_range(0..m) } else { 0 };
                    let v = r.random_range(0..n.max(1));
                    match kind {
                        1 if m > 0 => t.flow[a] += r.random_range(-2..=2),
                        2 if n > 0 => t.potential[v] += r.random_range(-2..=2),
                        3 => t.objective += r.random_range(-1..=1),
                        4 if m > 0 => q.cost[a] += r.random_range(-3..=3),
                        5 if m > 0 => {
                            q.upper[a] = if r.random_bool(0.5) {
                                INFINITE_CAPACITY
                            } else {
                                t.flow[a].max(q.lower[a])
                            }
                        }
                        6 if m > 0 => q.lower[a] = t.flow[a].min(q.upper[a]),
                        7 if n > 0 => {
                            t.potential[v] = if r.random_bool(0.5) {
                                i64::MAX
                            } else {
                                i64::MIN
                            }
                        }
                        8 if m > 0 => q.cost[a] = MAX_ABS_VALUE + r.random_range(0..2),
                        9 => t.status = SolveStatus::Infeasible,
                        // Bounds just past the flow (conservation still holds).
                        10 if m > 0 => q.upper[a] = t.flow[a] - 1,
                        11 if m > 0 => q.lower[a] = t.flow[a] + 1,
                        // An end at n, just past the last node, or far past it.
                        12 if m > 0 => q.tail[a] = n as u32 + r.random_range(0..2),
                        13 if m > 0 => q.head[a] = u32::MAX - r.random_range(0..2),
                        _ => {}
                    }
                    let fast = verify_fast(&q, &t);
                    let slow = verify_explained(&q, &t);
                    // The fast check accepts only what the full one accepts, with the same
                    // certificate; it leaves to it only values too large for its arithmetic.
                    match (&fast, &slow) {
                        (Some(f), Ok(c)) => {
                            assert_eq!(f, c, "{family:?} {seed} kind {kind}");
                            accepted += 1;
                        }
                        (None, Err(_)) => rejected += 1,
                        (None, Ok(_)) => {
                            assert!(
                                kind == 7 || kind == 8 || family == Family::LargeValues,
                                "{family:?} {seed} kind {kind}"
                            );
                            handed_over += 1;
                        }
                        (Some(_), Err(e)) => {
                            panic!("{family:?} {seed} kind {kind}: fast accepts, {e}")
                        }
                    }
                    assert_eq!(verify(&q, &t).ok(), slow.ok());
                }
            }
        }
        assert!(
            accepted > 2000 && rejected > 2000,
            "{accepted} {rejected} {handed_over}"
        );
    }
}
