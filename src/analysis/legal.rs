//! Waste with no legal fate. Where the scenario forbids dumping (`[policy] allow_dumping`
//! false, the default), the network has no dumping arcs, and a park whose landfill is limited
//! may leave waste that neither its landfill nor any consumer in reach can take: the problem is
//! infeasible. [`diagnose`] then solves the region again with dumping allowed, minimising only
//! the quantity dumped (certified), and names each producer with waste left, its park and
//! material, how much, and why (the landfill's capacity, the consumers in reach).

use crate::allocate::{least_dumping, AllocateError, Scaling};
use crate::model::*;
use crate::network::{ArcKind, Network, NetworkError, Source};
use std::fmt;

/// One producer's waste that has no legal fate.
#[derive(Debug, Clone, PartialEq)]
pub struct Stranded {
    pub producer: ProducerId,
    /// Material units per year without a legal fate (the least possible in total).
    pub quantity: f64,
    /// The park or sub-block whose landfill the producer uses, and that landfill's capacity.
    pub landfill_park: ParkId,
    pub landfill_capacity: f64,
    /// Consumers in reach that accept the producer's material (by some transport mode).
    pub consumers_in_reach: usize,
}

/// Waste with no legal fate, by producer: the error of a run that forbids dumping and cannot
/// place all its waste legally.
#[derive(Debug, Clone, PartialEq)]
pub struct NoLegalFate {
    /// One line per producer (declaration order), already worded.
    pub lines: Vec<String>,
    pub stranded: Vec<Stranded>,
}

impl fmt::Display for NoLegalFate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "waste has no legal fate: dumping is not allowed (`[policy] allow_dumping` is false), \
             and the least quantity left without a landfill or a consumer is:"
        )?;
        for l in &self.lines {
            // Ids escaped: the message goes to a terminal.
            write!(f, "\n  - {}", crate::model::text::escape(l))?;
        }
        write!(
            f,
            "\nRaise the landfill capacity, add consumers in reach, or allow dumping explicitly \
             with `[policy] allow_dumping = true`"
        )
    }
}

impl std::error::Error for NoLegalFate {}

/// Quantities in messages: whole units when whole, else 3 decimals.
fn qty(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
    }
}

/// Explains why `region` (which forbids dumping) has no feasible allocation: the least waste
/// without a legal fate, by producer. `None` if the region is feasible after all.
pub(super) fn diagnose(
    region: &Region,
    scaling: Scaling,
) -> Result<Option<NoLegalFate>, DiagnoseError> {
    let mut relaxed = region.clone();
    relaxed.policy.allow_dumping = true;
    let net = Network::build(&relaxed)?;
    let flow = least_dumping(&net, scaling)?;
    let mut dumped = vec![0.0; region.producers.len()];
    let mut reach: Vec<Vec<ConsumerId>> = vec![Vec::new(); region.producers.len()];
    for (a, _, _, arc) in net.arcs() {
        match arc.kind {
            ArcKind::Dump { producer } => dumped[producer.0] += flow[a],
            ArcKind::Transport {
                source: Source::Generation(p),
                consumer,
                ..
            } if !reach[p.0].contains(&consumer) => reach[p.0].push(consumer),
            _ => {}
        }
    }
    let mut stranded = Vec::new();
    let mut lines = Vec::new();
    for (i, p) in region.producers.iter().enumerate() {
        if dumped[i] <= 0.0 {
            continue;
        }
        let lf = region.landfill_park(p.park);
        let cap = region.parks[lf.0]
            .landfill_capacity
            .unwrap_or(f64::INFINITY);
        let mat = &region.materials[p.material.0];
        let n = reach[i].len();
        let why_consumers = if n == 0 {
            format!("no consumer in reach accepts {}", mat.id)
        } else {
            format!(
                "the {n} consumer{} in reach that accept {} {} no capacity left (capacity or \
                 blend limits, shared with other producers)",
                if n == 1 { "" } else { "s" },
                mat.id,
                if n == 1 { "has" } else { "have" },
            )
        };
        lines.push(format!(
            "producer \"{}\" (park {}, material {}): {} {}/yr; the landfill of park {} \
             ({} {}/yr) is full and {why_consumers}",
            p.id,
            region.parks[p.park.0].id,
            mat.id,
            qty(dumped[i]),
            mat.unit,
            region.parks[lf.0].id,
            qty(cap),
            mat.unit,
        ));
        stranded.push(Stranded {
            producer: ProducerId(i),
            quantity: dumped[i],
            landfill_park: lf,
            landfill_capacity: cap,
            consumers_in_reach: n,
        });
    }
    Ok((!stranded.is_empty()).then_some(NoLegalFate { lines, stranded }))
}

/// Errors of the diagnosis itself.
#[derive(Debug, thiserror::Error)]
pub(super) enum DiagnoseError {
    #[error(transparent)]
    Network(#[from] NetworkError),
    #[error(transparent)]
    Allocate(#[from] AllocateError),
}
