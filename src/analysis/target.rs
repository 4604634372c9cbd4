//! The utilisation target evaluated on its scope, and the gaps against it by park and material.

use super::balance::{class_of, park_balance, Balance, Balances};
use super::{Gap, TargetResult};
use crate::model::*;

fn scope_label(region: &Region) -> String {
    match &region.target.scope {
        TargetScope::AllSolids => "solids".to_string(),
        TargetScope::Material(m) => format!("material:{}", region.materials[m.0].id),
        TargetScope::Park(p) => format!("park:{}", region.parks[p.0].id),
    }
}

/// The target, evaluated on the balance of its scope.
pub(super) fn target(region: &Region, fate: &[Balance], b: &Balances) -> TargetResult {
    let scoped = match &region.target.scope {
        TargetScope::AllSolids => b.solids,
        TargetScope::Material(m) => b
            .by_material
            .iter()
            .find(|(id, _)| id == m)
            .map(|(_, b)| *b)
            .unwrap_or_default(),
        TargetScope::Park(p) => {
            // The named park (a consolidated park or a sub-block) with its own sub-blocks.
            let mut b = Balance::default();
            for (pr, f) in region.producers.iter().zip(fate) {
                let inside = pr.park == *p || region.parks[pr.park.0].parent == Some(*p);
                if class_of(region, pr) == MaterialClass::Solid && inside {
                    b.add(f);
                }
            }
            b
        }
    };
    let achieved = scoped.rate();
    TargetResult {
        rate: region.target.rate,
        scope: scope_label(region),
        achieved,
        strict_achieved: scoped.strict_rate(),
        // Filled from the allocation's rate ranges.
        achieved_range: None,
        meets: achieved.is_some_and(|r| r + 1e-12 >= region.target.rate),
        shortfall: scoped.shortfall(region.target.rate),
        scope_generated: scoped.generated,
        scope_utilised: scoped.utilised(),
    }
}

/// Shortfalls against the target by (consolidated park, solid material), largest first.
pub(super) fn gaps(region: &Region, fate: &[Balance], b: &Balances) -> Vec<Gap> {
    let mut gaps = Vec::new();
    for &t in &b.tops {
        for (mid, _) in &b.by_material {
            let pb = park_balance(region, fate, MaterialClass::Solid, Some(*mid), t);
            let s = pb.shortfall(region.target.rate);
            if s > 0.0 {
                gaps.push(Gap {
                    park: t,
                    material: *mid,
                    shortfall: s,
                    rate: pb.rate(),
                });
            }
        }
    }
    gaps.sort_by(|a, b| {
        b.shortfall
            .total_cmp(&a.shortfall)
            .then(a.park.cmp(&b.park))
            .then(a.material.cmp(&b.material))
    });
    gaps
}
