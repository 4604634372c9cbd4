//! `[[consumers.groups]]`: nested blend limits inside one consumer, and the `group` of each
//! `accepts` entry. A material names at most one group (its one `accepts` entry has one
//! `group` field), so groups never cross; limits that cross need the LP layer
//! (docs/lp-layer.md).

use super::super::schema::*;
use super::super::Origin;
use super::checks::{index_ids, Ctx};
use crate::model::*;
use std::collections::HashMap;

/// The groups of consumer `c` (`who`, at `o`): ids unique within the consumer, a limit
/// given (`max` ≥ 0 and/or `max_share` in 0–1), and at least one member. Returns the groups
/// (all of them, in order) and the index of their ids.
pub fn groups(
    ctx: &mut Ctx,
    c: &RawConsumer,
    who: &str,
    o: &Origin,
) -> (Vec<IntakeGroup>, HashMap<String, usize>) {
    let origins: Vec<Origin> = (0..c.groups.len()).map(|j| o.child("groups", j)).collect();
    let ix = index_ids(
        ctx,
        "intake group",
        c.groups
            .iter()
            .zip(&origins)
            .map(|(g, go)| (g.id.as_str(), go)),
    );
    let mut out = Vec::with_capacity(c.groups.len());
    for (g, go) in c.groups.iter().zip(&origins) {
        if let Some(mx) = g.max {
            ctx.non_negative(go, "max", mx);
        }
        if let Some(sh) = g.max_share {
            ctx.in_range(go, "max_share", sh, 0.0, 1.0);
        }
        if g.max.is_none() && g.max_share.is_none() {
            ctx.err(
                go,
                "id",
                format!(
                    "{who}: group \"{}\" has no limit; give max or max_share",
                    g.id
                ),
            );
        }
        let members = c
            .accepts
            .iter()
            .filter(|a| a.group.as_deref() == Some(g.id.as_str()))
            .count();
        if members == 0 && !g.id.is_empty() {
            ctx.err(
                go,
                "id",
                format!(
                    "{who}: group \"{}\" has no member; name it with group = \"{}\" on an accepts entry",
                    g.id, g.id
                ),
            );
        }
        out.push(IntakeGroup {
            id: g.id.clone(),
            max: g.max,
            max_share: g.max_share,
        });
    }
    (out, ix)
}

/// The group index of intake `a` (at `io`): None without a `group`; an error for a group the
/// consumer does not define.
pub fn member_of(
    ctx: &mut Ctx,
    a: &RawIntake,
    who: &str,
    io: &Origin,
    groups: &[IntakeGroup],
    ix: &HashMap<String, usize>,
) -> Option<usize> {
    let name = a.group.as_deref()?;
    match ix.get(name) {
        Some(&g) => Some(g),
        None => {
            let known: Vec<String> = groups.iter().map(|g| format!("{:?}", g.id)).collect();
            let known = if known.is_empty() {
                "it defines none; add a [[consumers.groups]] entry".to_string()
            } else {
                format!("known: {}", known.join(", "))
            };
            ctx.err(
                io,
                "group",
                format!("{who} names group \"{name}\", which it does not define ({known})"),
            );
            None
        }
    }
}
