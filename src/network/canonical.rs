//! What the canonical tie-break of the allocation reads from the network: a key per arc made
//! of ids only (never of positions), so that two declarations of the same region in another
//! order give every arc the same key.
//!
//! The key of an arc is a 64-bit hash (FNV-1a, then a SplitMix64 finaliser) of its kind and
//! the ids it joins: a transport arc's source kind (generation or stockpile), producer id,
//! consumer id and intake material id; a use arc's consumer and material; a group limit's
//! consumer and group id; a consumer's capacity; a producer's storage, dumping or kept
//! stockpile; a park's landfill limit; a class's outlets. The allocation reads the keys as
//! weights of its last tie-break phase and as the order of its fallback (`docs/format.md`,
//! "One canonical allocation").

use super::{Arc, ArcKind, NodeKind, Source};
use crate::model::*;
use petgraph::graph::DiGraph;

/// FNV-1a over parts separated by a byte no UTF-8 text holds.
struct Key(u64);

impl Key {
    fn new(tag: &str) -> Key {
        let mut k = Key(0xcbf2_9ce4_8422_2325);
        k.part(tag);
        k
    }

    fn part(&mut self, s: &str) -> &mut Key {
        for &b in s.as_bytes().iter().chain(&[0xff]) {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        self
    }

    /// SplitMix64's finaliser: every bit of the key depends on every byte.
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// The key of an arc of a path's joint network made of `parts` (a year's arc: its key within
/// the year and the year; a link arc: its role, the id it carries and the year).
pub(super) fn path_key(parts: &[&str]) -> u64 {
    let mut k = Key::new("path");
    for p in parts {
        k.part(p);
    }
    k.finish()
}

fn class(c: MaterialClass) -> &'static str {
    match c {
        MaterialClass::Solid => "solid",
        MaterialClass::Hydrogen => "hydrogen",
    }
}

/// The key of every arc of `graph` (built from `region`), in arc order.
pub(super) fn tie_keys(region: &Region, graph: &DiGraph<NodeKind, Arc>) -> Vec<u64> {
    let consumer = |c: ConsumerId| region.consumers[c.0].id.as_str();
    let producer = |p: ProducerId| region.producers[p.0].id.as_str();
    let intake = |c: ConsumerId, k: usize| {
        let m = region.consumers[c.0].intakes[k].material;
        region.materials[m.0].id.as_str()
    };
    graph
        .edge_weights()
        .map(|arc| {
            let k = match arc.kind {
                ArcKind::Transport {
                    source,
                    consumer: c,
                    intake: i,
                    ..
                } => {
                    let tag = match source {
                        Source::Generation(_) => "transport from generation",
                        Source::Stockpile(_) => "transport from stockpile",
                    };
                    let mut k = Key::new(tag);
                    k.part(producer(source.producer()))
                        .part(consumer(c))
                        .part(intake(c, i));
                    k
                }
                ArcKind::Use {
                    consumer: c,
                    intake: i,
                } => {
                    let mut k = Key::new("use");
                    k.part(consumer(c)).part(intake(c, i));
                    k
                }
                ArcKind::GroupLimit { consumer: c, group } => {
                    let mut k = Key::new("group");
                    k.part(consumer(c))
                        .part(&region.consumers[c.0].groups[group].id);
                    k
                }
                ArcKind::Capacity { consumer: c } => {
                    let mut k = Key::new("capacity");
                    k.part(consumer(c));
                    k
                }
                ArcKind::Store { producer: p } => {
                    let mut k = Key::new("store");
                    k.part(producer(p));
                    k
                }
                ArcKind::Dump { producer: p } => {
                    let mut k = Key::new("dump");
                    k.part(producer(p));
                    k
                }
                ArcKind::Keep { producer: p } => {
                    let mut k = Key::new("keep");
                    k.part(producer(p));
                    k
                }
                ArcKind::LandfillLimit { park } => {
                    let mut k = Key::new("landfill");
                    k.part(&region.parks[park.0].id);
                    k
                }
                ArcKind::DisposalOut(c) => {
                    let mut k = Key::new("disposal out");
                    k.part(class(c));
                    k
                }
                ArcKind::KeptOut(c) => {
                    let mut k = Key::new("kept out");
                    k.part(class(c));
                    k
                }
                // Not in a year's network; a path keys its own (`path_key`).
                ArcKind::Carry => Key::new("carry"),
            };
            k.finish()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_depend_on_every_part_and_its_boundaries() {
        let key = |parts: &[&str]| {
            let mut k = Key::new(parts[0]);
            for p in &parts[1..] {
                k.part(p);
            }
            k.finish()
        };
        let a = key(&["transport", "p1", "c1", "ash"]);
        assert_eq!(a, key(&["transport", "p1", "c1", "ash"]));
        assert_ne!(a, key(&["transport", "p1", "c1", "gypsum"]));
        assert_ne!(a, key(&["transport", "p1c", "1", "ash"]));
        assert_ne!(a, key(&["transport", "c1", "p1", "ash"]));
        // A fixed value (computed by an independent implementation in Python): the keys, and
        // so the canonical allocation, are the same on every platform and in every build.
        assert_eq!(key(&["capacity", "c1"]), 0xf84d_c42d_a496_95f8);
    }
}
