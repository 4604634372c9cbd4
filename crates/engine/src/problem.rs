//! The flat min-cost-flow problem every solver reads.

/// Capacity meaning "no upper bound".
pub const INFINITE_CAPACITY: i64 = i64::MAX;

/// Largest absolute finite value accepted for supplies, bounds and costs, so that sums of
/// `n` such values stay far from `i64` overflow inside the solvers (2^50 ≈ 1.1e15).
pub const MAX_ABS_VALUE: i64 = 1 << 50;

/// A min-cost-flow problem in structure-of-arrays form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowProblem {
    pub supply: Vec<i64>,
    pub tail: Vec<u32>,
    pub head: Vec<u32>,
    pub lower: Vec<i64>,
    pub upper: Vec<i64>,
    pub cost: Vec<i64>,
}

/// Why a problem is not well formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProblemError {
    #[error("arc {arc} has an endpoint outside 0..{nodes}")]
    BadEndpoint { arc: usize, nodes: usize },
    #[error("arc {arc} has lower bound {lower} above upper bound {upper}")]
    BadBounds { arc: usize, lower: i64, upper: i64 },
    #[error("{what} {index} has magnitude {value} above the solver limit 2^50")]
    TooLarge {
        what: &'static str,
        index: usize,
        value: i64,
    },
    #[error("supplies sum to {0}, not zero")]
    Unbalanced(i128),
    #[error("array lengths differ")]
    Lengths,
    #[error("more than u32::MAX - 1 nodes or arcs")]
    TooMany,
}

impl FlowProblem {
    /// An empty problem with `nodes` nodes of zero supply.
    pub fn with_nodes(nodes: usize) -> Self {
        FlowProblem {
            supply: vec![0; nodes],
            ..Default::default()
        }
    }

    pub fn num_nodes(&self) -> usize {
        self.supply.len()
    }

    pub fn num_arcs(&self) -> usize {
        self.tail.len()
    }

    /// Appends an arc and returns its index.
    pub fn add_arc(
        &mut self,
        tail: usize,
        head: usize,
        lower: i64,
        upper: i64,
        cost: i64,
    ) -> usize {
        self.tail.push(tail as u32);
        self.head.push(head as u32);
        self.lower.push(lower);
        self.upper.push(upper);
        self.cost.push(cost);
        self.tail.len() - 1
    }

    /// Checks shapes, bounds, magnitudes and balance.
    pub fn validate(&self) -> Result<(), ProblemError> {
        let m = self.tail.len();
        if self.head.len() != m
            || self.lower.len() != m
            || self.upper.len() != m
            || self.cost.len() != m
        {
            return Err(ProblemError::Lengths);
        }
        let n = self.supply.len();
        if n >= u32::MAX as usize || m >= u32::MAX as usize {
            return Err(ProblemError::TooMany);
        }
        let mut total: i128 = 0;
        for (v, &b) in self.supply.iter().enumerate() {
            if b.unsigned_abs() > MAX_ABS_VALUE as u64 {
                return Err(ProblemError::TooLarge {
                    what: "supply of node",
                    index: v,
                    value: b,
                });
            }
            total += b as i128;
        }
        if total != 0 {
            return Err(ProblemError::Unbalanced(total));
        }
        for a in 0..m {
            if self.tail[a] as usize >= n || self.head[a] as usize >= n {
                return Err(ProblemError::BadEndpoint { arc: a, nodes: n });
            }
            let (l, u, c) = (self.lower[a], self.upper[a], self.cost[a]);
            if l > u {
                return Err(ProblemError::BadBounds {
                    arc: a,
                    lower: l,
                    upper: u,
                });
            }
            if l.unsigned_abs() > MAX_ABS_VALUE as u64 {
                return Err(ProblemError::TooLarge {
                    what: "lower bound of arc",
                    index: a,
                    value: l,
                });
            }
            if u != INFINITE_CAPACITY && u.unsigned_abs() > MAX_ABS_VALUE as u64 {
                return Err(ProblemError::TooLarge {
                    what: "upper bound of arc",
                    index: a,
                    value: u,
                });
            }
            if c.unsigned_abs() > MAX_ABS_VALUE as u64 {
                return Err(ProblemError::TooLarge {
                    what: "cost of arc",
                    index: a,
                    value: c,
                });
            }
        }
        Ok(())
    }

    /// Σ cost·flow in i128.
    pub fn objective(&self, flow: &[i64]) -> i128 {
        self.cost
            .iter()
            .zip(flow)
            .map(|(&c, &x)| c as i128 * x as i128)
            .sum()
    }
}
