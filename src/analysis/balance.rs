//! Material balances: each producer's fate from the allocation's flows, summed by material,
//! by consolidated park and for all solids.

use crate::allocate::Allocation;
use crate::model::*;
use crate::network::{Arc, ArcKind, Network, Source};

/// A material balance, in the material's unit per year.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Balance {
    pub generated: f64,
    /// New generation utilised this year.
    pub utilised_new: f64,
    /// Legacy stockpile drawn and utilised.
    pub stockpile_drawn: f64,
    /// New generation disposed (compliant storage plus dumping).
    pub disposed: f64,
    /// Of which dumped non-compliantly (taxed).
    pub dumped: f64,
    /// New generation used by routes the accounting rule does not count (in neither
    /// `utilised_new` nor `disposed`).
    pub uncounted_new: f64,
    /// Legacy stockpile drawn by routes the accounting rule does not count.
    pub uncounted_stock: f64,
    /// New generation utilised under the strict rule (no backfill, no restoration).
    pub strict_new: f64,
    /// Legacy stockpile drawn and utilised under the strict rule.
    pub strict_stock: f64,
}

impl Balance {
    /// A balance whose every figure is NaN: a sample with no allocation (its rates are
    /// undefined).
    pub fn nan() -> Balance {
        let n = f64::NAN;
        Balance {
            generated: n,
            utilised_new: n,
            stockpile_drawn: n,
            disposed: n,
            dumped: n,
            uncounted_new: n,
            uncounted_stock: n,
            strict_new: n,
            strict_stock: n,
        }
    }
    pub fn utilised(&self) -> f64 {
        self.utilised_new + self.stockpile_drawn
    }
    /// utilised / (generated + stockpile drawn); None when nothing is generated or drawn.
    pub fn rate(&self) -> Option<f64> {
        let d = self.generated + self.stockpile_drawn;
        (d > 0.0).then(|| self.utilised() / d)
    }
    /// The rate under the strict rule (backfill and ecological restoration not counted):
    /// strict utilised / (generated + strict stockpile drawn).
    pub fn strict_rate(&self) -> Option<f64> {
        let d = self.generated + self.strict_stock;
        (d > 0.0).then(|| (self.strict_new + self.strict_stock) / d)
    }
    /// Tonnes still to utilise to reach `target` (0 when met).
    pub fn shortfall(&self, target: f64) -> f64 {
        (target * (self.generated + self.stockpile_drawn) - self.utilised()).max(0.0)
    }
    /// Adds another balance of the same unit.
    pub fn add(&mut self, o: &Balance) {
        self.generated += o.generated;
        self.utilised_new += o.utilised_new;
        self.stockpile_drawn += o.stockpile_drawn;
        self.disposed += o.disposed;
        self.dumped += o.dumped;
        self.uncounted_new += o.uncounted_new;
        self.uncounted_stock += o.uncounted_stock;
        self.strict_new += o.strict_new;
        self.strict_stock += o.strict_stock;
    }
}

/// Each producer's balance, by producer index: generation as the solver saw it (rounded to the
/// resolution, so that balances close), then its transport, storage and dumping flows in arc
/// order. Transport to a route is utilisation under the target's accounting rule if the rule
/// counts the route's kind, and under the strict rule if that one does.
pub(super) fn fates(region: &Region, net: &Network, alloc: &Allocation) -> Vec<Balance> {
    let mut fate = Vec::new();
    fates_into(region, net, &alloc.flow, |n| alloc.supply(n), &mut fate);
    fate
}

/// [`fates`] from the flow per arc in material units and the supply of a node as the solver
/// saw it, written into `fate` (its buffer reused).
pub(super) fn fates_into(
    region: &Region,
    net: &Network,
    flow: &[f64],
    supply: impl Fn(usize) -> f64,
    fate: &mut Vec<Balance>,
) {
    start_fates(net, supply, fate);
    let strict = Accounting::strict();
    // Arcs without flow add nothing (+0.0 to sums that start at +0.0): skipped.
    for (_, x, arc) in net.arcs_with_flow(flow) {
        add_fate(region, &strict, fate, x, arc);
    }
}

/// Each producer's balance before its flows: generation only (`supply` of its node).
pub(super) fn start_fates(net: &Network, supply: impl Fn(usize) -> f64, fate: &mut Vec<Balance>) {
    fate.clear();
    fate.extend(net.producer_node.iter().map(|n| Balance {
        generated: supply(n.index()),
        ..Balance::default()
    }));
}

/// Adds `x` material units on `arc` to the fate of its producer (arcs in arc order, after
/// [`start_fates`], make [`fates_into`]); `strict` is [`Accounting::strict`].
#[inline]
pub(super) fn add_fate(
    region: &Region,
    strict: &Accounting,
    fate: &mut [Balance],
    x: f64,
    arc: &Arc,
) {
    match arc.kind {
        ArcKind::Transport {
            source, consumer, ..
        } if x > 0.0 => {
            let kind = region.routes[region.consumers[consumer.0].route.0].kind;
            let f = &mut fate[source.producer().0];
            let (counted, strict) = (region.counted(consumer), strict.counts(kind));
            match source {
                Source::Generation(_) => {
                    *if counted {
                        &mut f.utilised_new
                    } else {
                        &mut f.uncounted_new
                    } += x;
                    if strict {
                        f.strict_new += x;
                    }
                }
                Source::Stockpile(_) => {
                    *if counted {
                        &mut f.stockpile_drawn
                    } else {
                        &mut f.uncounted_stock
                    } += x;
                    if strict {
                        f.strict_stock += x;
                    }
                }
            }
        }
        ArcKind::Store { producer } => fate[producer.0].disposed += x,
        ArcKind::Dump { producer } => {
            fate[producer.0].disposed += x;
            fate[producer.0].dumped += x;
        }
        _ => {}
    }
}

/// The balances reported: solids, per material, per consolidated park.
pub(super) struct Balances {
    pub solids: Balance,
    /// Solid materials in declaration order.
    pub by_material: Vec<(MaterialId, Balance)>,
    /// Hydrogen materials in declaration order.
    pub hydrogen: Vec<(MaterialId, Balance)>,
    /// Consolidated parks in declaration order.
    pub tops: Vec<ParkId>,
    /// Solids by consolidated park.
    pub by_park: Vec<(ParkId, Balance)>,
    /// Hydrogen by consolidated park, where there is any.
    pub hydrogen_by_park: Vec<(ParkId, Balance)>,
    /// Every consolidated park × solid material (park, then material order).
    pub by_park_material: Vec<((ParkId, MaterialId), Balance)>,
}

pub(super) fn class_of(region: &Region, p: &Producer) -> MaterialClass {
    region.materials[p.material.0].class
}

/// Sums the producers' fates, in producer order within each sum.
///
/// One pass over the producers: every sum receives its producers in producer order, as
/// [`park_balance`] and a per-material loop would add them, so the same bytes.
pub(super) fn balances(region: &Region, fate: &[Balance]) -> Balances {
    let tops: Vec<ParkId> = (0..region.parks.len())
        .filter(|&i| region.parks[i].parent.is_none())
        .map(ParkId)
        .collect();
    let mut park_pos = vec![usize::MAX; region.parks.len()];
    for (k, t) in tops.iter().enumerate() {
        park_pos[t.0] = k;
    }
    // Solid materials get a column of the park × material table, in declaration order.
    let mut mat_pos = vec![usize::MAX; region.materials.len()];
    let mut nm = 0;
    for (mi, m) in region.materials.iter().enumerate() {
        if m.class == MaterialClass::Solid {
            mat_pos[mi] = nm;
            nm += 1;
        }
    }
    let mut per_material = vec![Balance::default(); region.materials.len()];
    let mut by_park: Vec<(ParkId, Balance)> =
        tops.iter().map(|&t| (t, Balance::default())).collect();
    let mut hydrogen_by_park = by_park.clone();
    let mut by_park_material: Vec<((ParkId, MaterialId), Balance)> =
        Vec::with_capacity(tops.len() * nm);
    for &t in &tops {
        for (mi, &k) in mat_pos.iter().enumerate() {
            if k != usize::MAX {
                by_park_material.push(((t, MaterialId(mi)), Balance::default()));
            }
        }
    }
    for (p, f) in region.producers.iter().zip(fate) {
        per_material[p.material.0].add(f);
        let top = park_pos[region.top_park(p.park).0];
        let m = mat_pos[p.material.0];
        if m != usize::MAX {
            by_park[top].1.add(f);
            by_park_material[top * nm + m].1.add(f);
        } else {
            hydrogen_by_park[top].1.add(f);
        }
    }
    let mut solids = Balance::default();
    let mut by_material: Vec<(MaterialId, Balance)> = Vec::with_capacity(nm);
    let mut hydrogen: Vec<(MaterialId, Balance)> = Vec::new();
    for (mi, m) in region.materials.iter().enumerate() {
        let b = per_material[mi];
        match m.class {
            MaterialClass::Solid => {
                solids.add(&b);
                by_material.push((MaterialId(mi), b));
            }
            MaterialClass::Hydrogen => hydrogen.push((MaterialId(mi), b)),
        }
    }
    hydrogen_by_park.retain(|(_, b)| b.generated > 0.0 || b.utilised() > 0.0);
    Balances {
        solids,
        by_material,
        hydrogen,
        tops,
        by_park,
        hydrogen_by_park,
        by_park_material,
    }
}

/// The balance of `class` (and `mat`, if given) in consolidated park `park`.
pub(super) fn park_balance(
    region: &Region,
    fate: &[Balance],
    class: MaterialClass,
    mat: Option<MaterialId>,
    park: ParkId,
) -> Balance {
    let mut b = Balance::default();
    for (p, f) in region.producers.iter().zip(fate) {
        if class_of(region, p) == class
            && region.top_park(p.park) == park
            && mat.is_none_or(|m| m == p.material)
        {
            b.add(f);
        }
    }
    b
}
