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
use super::{FlowProblem, FlowSolution, ProblemError, SolveStatus, INFINITE_CAPACITY};

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
pub fn verify(
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

    // Reduced costs and complementary slackness; the dual arc terms are summed on the way.
    let mut dual: i128 = 0;
    let mut zero_rc = 0usize;
    for a in 0..m {
        let (t, h) = (problem.tail[a] as usize, problem.head[a] as usize);
        let (c, l, x, u) = (problem.cost[a], problem.lower[a], flow[a], problem.upper[a]);
        let rc = c
            .checked_sub(pi[t])
            .and_then(|r| r.checked_add(pi[h]))
            .ok_or(CertificateError::ReducedCostOverflow {
                arc: a,
                cost: c,
                pi_tail: pi[t],
                pi_head: pi[h],
            })?;
        let term = match rc.signum() {
            1 => {
                if x != l {
                    return Err(CertificateError::PositiveReducedCostNotAtLower {
                        arc: a,
                        reduced_cost: rc,
                        flow: x,
                        lower: l,
                    });
                }
                rc as i128 * l as i128
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
                rc as i128 * u as i128
            }
            _ => {
                zero_rc += 1;
                0
            }
        };
        dual = dual
            .checked_add(term)
            .ok_or(CertificateError::SumOverflow("dual objective"))?;
    }
    for (&b, &p) in problem.supply.iter().zip(pi) {
        dual = dual
            .checked_add(b as i128 * p as i128)
            .ok_or(CertificateError::SumOverflow("dual objective"))?;
    }

    // Primal objective.
    let mut primal: i128 = 0;
    for (&c, &x) in problem.cost.iter().zip(flow) {
        primal = primal
            .checked_add(c as i128 * x as i128)
            .ok_or(CertificateError::SumOverflow("primal objective"))?;
    }
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
}
