//! Warnings: input that is legal but probably not meant, located like the errors and returned
//! with the loaded scenario (`Loaded::warnings`); the caller decides whether to print them.
//!
//! - a producer that no transport mode can bring to any consumer accepting its lots (its whole
//!   output will be disposed whatever the economics);
//! - a target met before anything is solved: a rate of 0. (A scope without solid tonnes is an
//!   error, not a warning: the rate has nothing to measure.) A target that a solved allocation
//!   happens to meet cannot be known here.

use super::super::diag::Diagnostic;
use super::super::Origin;
use super::checks::{top, Ctx};
use crate::model::*;

/// The warnings about `region` (valid), with the origins of its producers.
pub fn collect(ctx: &Ctx, region: &Region, producers: &[(Origin, f64)]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let dist = region.distance_matrices();
    for (p, (o, _)) in region.producers.iter().zip(producers) {
        let mut accepting = 0usize;
        let mut nearest: Option<(f64, &str)> = None;
        let mut reached = false;
        for c in &region.consumers {
            if !c.intakes.iter().any(|i| region.accepts(p, i)) {
                continue;
            }
            accepting += 1;
            for (mi, m) in region.modes.iter().enumerate() {
                if !region.mode_carries(m, p.material) {
                    continue;
                }
                let km = dist[mi][[p.park.0, c.park.0]];
                if km <= m.max_km {
                    reached = true;
                }
                if nearest.is_none_or(|(d, _)| km < d) {
                    nearest = Some((km, c.id.as_str()));
                }
            }
            if reached {
                break;
            }
        }
        if accepting == 0 || reached {
            continue;
        }
        let mat = &region.materials[p.material.0].id;
        let why = match nearest {
            Some((km, c)) => format!(
                "the nearest, \"{c}\", is {km:.1} km away, beyond the max_km of every mode carrying \"{mat}\""
            ),
            None => format!("no transport mode carries \"{mat}\""),
        };
        out.push(ctx.at(
            o,
            "park",
            format!(
                "producer \"{}\" cannot reach any of the {accepting} consumer(s) accepting its lots: {why}; all of it will be disposed",
                p.id
            ),
        ));
    }
    // (A scope without solid tonnes is an error: `sections::scope_holds_solids`.)
    if region.target.rate == 0.0 {
        let to = top("target");
        out.push(ctx.at(&to, "rate", "a target rate of 0 is met without any flow"));
    }
    out
}
