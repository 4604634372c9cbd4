//! Network → integer flow problem: every arc's capacity and unit cost in the units of a
//! [`Scaling`], and the role each arc plays in the lexicographic phases. A problem of the same
//! network can also be rewritten in place with new values ([`write_values`]).

use super::{AllocateError, Scaling};
use crate::network::{Arc, ArcKind, Network};
use symbiosim_engine::{FlowProblem, INFINITE_CAPACITY};

/// The largest magnitude of a value in units.
const UNITS_LIMIT: i64 = 1 << 50;

/// `x / unit` to the nearest integer (halves away from zero, as `f64::round`), within
/// ±2^50.
#[inline]
fn to_units(x: f64, unit: f64, what: &str) -> Result<i64, AllocateError> {
    let q = x / unit;
    // Below 2^50 in magnitude (never NaN), truncation is exact and so is `q - t`
    // (Sterbenz): the fraction decides the rounding without the `round` libcall, and the
    // result, at most one from `t`, is within ±2^50.
    if q.abs() < UNITS_LIMIT as f64 {
        let t = q as i64;
        let f = q - t as f64;
        return Ok(t + i64::from(f >= 0.5) - i64::from(f <= -0.5));
    }
    to_units_slow(x, unit, what)
}

/// [`to_units`] by `f64::round` (and its error).
#[cold]
fn to_units_slow(x: f64, unit: f64, what: &str) -> Result<i64, AllocateError> {
    let v = (x / unit).round();
    if !v.is_finite() || v.abs() > UNITS_LIMIT as f64 {
        return Err(AllocateError::Range(format!("{what} {x} / {unit}")));
    }
    Ok(v as i64)
}

/// Builds the integer problem with the network's real costs.
pub fn flow_problem(net: &Network, scaling: Scaling) -> Result<FlowProblem, AllocateError> {
    flow_problem_and_roles(net, scaling).map(|(p, _)| p)
}

/// What the lexicographic phases change on an arc.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Other,
    /// Disposal → sink: phase 1 minimises it, later phases cap it.
    Disposal,
    /// Kept → sink: phase 2 minimises it, phase 3 caps it.
    Kept,
}

/// [`flow_problem`] and every arc's [`Role`], in one pass over the network's arcs.
pub(super) fn flow_problem_and_roles(
    net: &Network,
    scaling: Scaling,
) -> Result<(FlowProblem, Vec<Role>), AllocateError> {
    let n = net.node_count();
    let m = net.graph.edge_count();
    let mut p = FlowProblem::with_nodes(n);
    p.tail.reserve_exact(m);
    p.head.reserve_exact(m);
    p.lower.reserve_exact(m);
    p.upper.reserve_exact(m);
    p.cost.reserve_exact(m);
    let mut roles = Vec::with_capacity(m);
    supplies(net, scaling, &mut p.supply)?;
    for (_, s, t, arc) in net.arcs() {
        let (upper, cost) = (upper_units(arc, scaling)?, cost_units(arc, scaling)?);
        p.add_arc(s.index(), t.index(), 0, upper, cost);
        roles.push(match arc.kind {
            ArcKind::DisposalOut(_) => Role::Disposal,
            ArcKind::KeptOut(_) => Role::Kept,
            _ => Role::Other,
        });
    }
    Ok((p, roles))
}

/// Rewrites the supplies, upper bounds and costs of `p`, a problem of `net`'s topology (built
/// by [`flow_problem`] from it or from a network of the same nodes and arcs), with `net`'s
/// values: afterwards `p == flow_problem(net, scaling)`. On an error `p` is partly rewritten.
pub(super) fn write_values(
    net: &Network,
    scaling: Scaling,
    p: &mut FlowProblem,
) -> Result<(), AllocateError> {
    debug_assert_eq!(p.num_arcs(), net.arc_count());
    supplies(net, scaling, &mut p.supply)?;
    for ((arc, u), c) in net.graph.edge_weights().zip(&mut p.upper).zip(&mut p.cost) {
        *u = upper_units(arc, scaling)?;
        *c = cost_units(arc, scaling)?;
    }
    Ok(())
}

/// The node supplies of `net` in flow units, written into `supply` (the sink's closes them).
fn supplies(net: &Network, scaling: Scaling, supply: &mut [i64]) -> Result<(), AllocateError> {
    let mut total = 0i64;
    for (v, b) in supply.iter_mut().enumerate() {
        if v != net.sink.index() {
            *b = to_units(net.supply[v], scaling.quantity, "supply")?;
            total += *b;
        }
    }
    supply[net.sink.index()] = -total;
    Ok(())
}

/// An arc's upper bound in flow units, rounded down: the solver never exceeds a stated
/// capacity. (A relative tolerance keeps 0.3 / 0.1 at 3, not 2.)
fn upper_units(arc: &Arc, scaling: Scaling) -> Result<i64, AllocateError> {
    match arc.capacity {
        Some(c) => {
            let units = (c / scaling.quantity) * (1.0 + 1e-12);
            // `floor` without its libcall where truncation is exact (as in `to_units`; the
            // result, at most one below `t`, is within ±2^50).
            if units.abs() < UNITS_LIMIT as f64 {
                let t = units as i64;
                return Ok(t - i64::from((t as f64) > units));
            }
            to_units_slow(units.floor(), 1.0, "capacity")
        }
        None => Ok(INFINITE_CAPACITY),
    }
}

/// An arc's unit cost in cost units per flow unit, to the nearest.
fn cost_units(arc: &Arc, scaling: Scaling) -> Result<i64, AllocateError> {
    to_units(
        arc.econ.total() * scaling.quantity,
        scaling.cost,
        "unit cost",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// The rounding without libcalls equals `f64::round` and `f64::floor` (and the same
    /// errors) on halves, near-halves, both signs, the range's edges and random values.
    #[test]
    fn units_round_as_f64() {
        let mut xs: Vec<f64> = vec![0.0, -0.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY];
        for k in -5..=5 {
            let k = k as f64;
            for d in [
                0.0,
                0.5,
                -0.5,
                0.49999999999999994,
                -0.49999999999999994,
                1e-9,
            ] {
                xs.push(k + d);
            }
        }
        let lim = UNITS_LIMIT as f64;
        for e in [
            lim - 1.0,
            lim - 0.5,
            lim,
            lim + 0.5,
            lim + 1.0,
            2.0 * lim,
            4.0 * lim,
        ] {
            xs.push(e);
            xs.push(-e);
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        for _ in 0..20_000 {
            let mag = 10f64.powi(rng.random_range(-3..17));
            xs.push(rng.random_range(-1.0..1.0) * mag);
            xs.push((rng.random_range(-1000..1000) as f64) + 0.5);
        }
        for &x in &xs {
            for unit in [1.0, 0.1, 3.0] {
                let (fast, slow) = (to_units(x, unit, "x"), to_units_slow(x, unit, "x"));
                assert_eq!(fast.ok(), slow.ok(), "{x} / {unit}");
                let arc = Arc {
                    kind: ArcKind::DisposalOut(crate::model::MaterialClass::Solid),
                    capacity: Some(x),
                    econ: Default::default(),
                };
                let scaling = Scaling {
                    quantity: unit,
                    cost: 1.0,
                };
                let want = to_units_slow(((x / unit) * (1.0 + 1e-12)).floor(), 1.0, "capacity");
                assert_eq!(upper_units(&arc, scaling).ok(), want.ok(), "{x} / {unit}");
            }
        }
    }
}
