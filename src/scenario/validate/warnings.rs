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
use crate::model::text;
use crate::model::*;
use std::collections::HashMap;

/// The warnings about `region` (valid), with the origins of its producers.
pub fn collect(ctx: &Ctx, region: &Region, producers: &[(Origin, f64)]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let dist = region.distance_matrices();
    // Producers of one lot key (park, material, grade, attributes) meet the same consumers:
    // the consumers are scanned once per key, not once per producer.
    // Consumers accepting the lots, the nearest (km, id), and whether one is in reach.
    type Verdict<'a> = (usize, Option<(f64, &'a str)>, bool);
    let mut seen: HashMap<LotKey, Verdict> = HashMap::new();
    for (p, (o, _)) in region.producers.iter().zip(producers) {
        let (accepting, nearest, reached) = *seen.entry(region.lot_key(p)).or_insert_with(|| {
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
            (accepting, nearest, reached)
        });
        if accepting == 0 || reached {
            continue;
        }
        let mat = text::short(&region.materials[p.material.0].id);
        let why = match nearest {
            Some((km, c)) => format!(
                "the nearest, \"{}\", is {km:.1} km away, beyond the max_km of every mode carrying \"{mat}\"",
                text::short(c)
            ),
            None => format!("no transport mode carries \"{mat}\""),
        };
        out.push(ctx.at(
            o,
            "park",
            format!(
                "producer \"{}\" cannot reach any of the {accepting} consumer(s) accepting its lots: {why}; all of it will be disposed",
                text::short(&p.id)
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
