//! `[[uncertain]]`: unique ids, a known field and distribution, items that exist (all of the
//! list when none are named), bounds `0 ≤ low ≤ high`, the distribution's parameters, and
//! groups (entries that move together; a group's name is not an entry's id).

use super::super::diag::{num, Seg};
use super::super::schema::RawUncertain;
use super::super::Origin;
use super::checks::{index_ids, item, lookup, Ctx};
use super::magnitudes;
use super::sections::{Built, ConsumerOrigins, ProducerOrigin};
use crate::model::text;
use crate::model::*;
use std::collections::HashMap;

/// The built sections an entry may name.
pub struct Lists<'a> {
    pub producers: &'a Built<Producer, ProducerOrigin>,
    /// Each producer's growth rate and years of growth.
    pub growth: &'a [(f64, i32)],
    pub consumers: &'a Built<Consumer, ConsumerOrigins>,
    pub materials: &'a Built<Material>,
    pub modes: &'a Built<TransportMode>,
    pub routes: &'a Built<Route>,
    pub policy: &'a Policy,
    /// The ids of candidate measures' new consumers (refused by name: entries name base items
    /// only).
    pub candidate_consumers: &'a [&'a str],
}

/// The `ids` path of item `k` of an entry.
fn id_origin(o: &Origin, k: usize) -> Origin {
    match o {
        Origin::Toml(p) => {
            let mut p = p.clone();
            p.push(Seg::Key("ids".into()));
            p.push(Seg::Index(k));
            Origin::Toml(p)
        }
        other => other.clone(),
    }
}

pub fn uncertain(ctx: &mut Ctx, raw: &[RawUncertain], l: Lists) -> Vec<Uncertain> {
    let origins: Vec<Origin> = (0..raw.len()).map(|i| item("uncertain", i)).collect();
    index_ids(
        ctx,
        "uncertain entry",
        raw.iter().zip(&origins).map(|(u, o)| (u.id.as_str(), o)),
    );
    let mut out = Vec::new();
    for (u, o) in raw.iter().zip(&origins) {
        let field = UncertainField::parse(&u.applies_to);
        if field.is_none() {
            let known: Vec<&str> = UncertainField::ALL.iter().map(|f| f.as_str()).collect();
            ctx.err(
                o,
                "applies_to",
                format!(
                    "unknown uncertain value \"{}\"; expected one of \"{}\"",
                    u.applies_to,
                    known.join("\", \"")
                ),
            );
        }
        let distribution = uncertain_distribution(ctx, o, u);
        let group = group(ctx, o, u, raw);
        let Some(field) = field else { continue };
        let Some(items) = items(ctx, o, u, field, &l) else {
            continue;
        };
        let growth = if field == UncertainField::ProducerGrowthRate {
            let g: Vec<(f64, i32)> = items.iter().map(|&i| l.growth[i]).collect();
            for (&i, &(rate, _)) in items.iter().zip(&g) {
                for (name, m) in [("low", u.low), ("high", u.high)] {
                    if m.is_finite() && 1.0 + m * rate <= 0.0 {
                        ctx.err(
                            o,
                            name,
                            format!(
                                "{name} × growth_rate of producer \"{}\" ({}) must be above -1, got {}",
                                l.producers.items[i].id,
                                num(rate),
                                num(m * rate)
                            ),
                        );
                    }
                }
            }
            // The quantity regrown at the multiplier that grows it most stays within the cap.
            if let Some(d) = distribution {
                let (lo, hi) = d.bounds();
                for (&i, &(rate, years)) in items.iter().zip(&g) {
                    let base = l.producers.origins[i].1;
                    for (name, m) in [("low", lo), ("high", hi)] {
                        let grown = base * (1.0 + m * rate).powi(years);
                        if base.is_finite()
                            && 1.0 + m * rate > 0.0
                            && (grown.is_nan() || grown > magnitudes::MAX_QUANTITY)
                        {
                            ctx.err(
                            o,
                            name,
                            format!(
                                "regrows the quantity of producer \"{}\" to {} at multiplier {}, above the cap of {} for a quantity (see \"Caps\" in docs/format.md)",
                                text::short(&l.producers.items[i].id),
                                num(grown),
                                num(m),
                                num(magnitudes::MAX_QUANTITY)
                            ),
                        );
                        }
                    }
                }
            }
            g
        } else {
            Vec::new()
        };
        if let (Some(distribution), Some(group)) = (distribution, group) {
            out.push(Uncertain {
                id: u.id.clone(),
                field,
                items,
                distribution,
                group,
                growth,
            });
        }
    }
    out
}

/// The entry's group: `Ok(None)` without one; `None` (an error) when empty or untrimmed or
/// named like an entry (the tornado labels inputs by group name or entry id).
fn group(
    ctx: &mut Ctx,
    o: &Origin,
    u: &RawUncertain,
    raw: &[RawUncertain],
) -> Option<Option<String>> {
    let Some(g) = &u.group else {
        return Some(None);
    };
    if g.is_empty() || g.trim() != g {
        ctx.err(
            o,
            "group",
            format!("group name {g:?} must be non-empty without leading or trailing whitespace"),
        );
        return None;
    }
    if raw.iter().any(|e| &e.id == g) {
        ctx.err(
            o,
            "group",
            format!("group \"{g}\" has the id of an uncertain entry; give the group its own name"),
        );
        return None;
    }
    Some(Some(g.clone()))
}

/// The items an entry multiplies (indices into its list), with the checks of `ids`.
fn items(
    ctx: &mut Ctx,
    o: &Origin,
    u: &RawUncertain,
    field: UncertainField,
    l: &Lists,
) -> Option<Vec<usize>> {
    let who = format!("uncertain entry \"{}\"", text::short(&u.id));
    let (ix, n, kind): (&HashMap<String, usize>, usize, &str) = match field.list() {
        "producers" => (&l.producers.ix, l.producers.items.len(), "producer"),
        "consumers" => (&l.consumers.ix, l.consumers.items.len(), "consumer"),
        "materials" => (&l.materials.ix, l.materials.items.len(), "material"),
        "routes" => (&l.routes.ix, l.routes.items.len(), "route"),
        "transport" => (&l.modes.ix, l.modes.items.len(), "transport mode"),
        _ => {
            if u.ids.is_some() {
                ctx.err(
                    o,
                    "ids",
                    format!("{} is one value; it takes no `ids`", field.as_str()),
                );
                return None;
            }
            return Some(Vec::new());
        }
    };
    // Items the field has no effect on: routes without a subsidy, producers without growth.
    let inert = |i: usize| -> Option<String> {
        match field {
            UncertainField::PolicyRouteSubsidy
                if !l.policy.route_subsidy.contains_key(&RouteId(i)) =>
            {
                Some(format!(
                    "route \"{}\" has no policy.route_subsidy_yuan_per_unit to vary",
                    l.routes.items[i].id
                ))
            }
            UncertainField::ProducerGrowthRate if l.growth[i].0 == 0.0 || l.growth[i].1 == 0 => {
                Some(format!(
                    "producer \"{}\" does not grow (growth_rate 0 or base_year = the scenario's year)",
                    l.producers.items[i].id
                ))
            }
            _ => None,
        }
    };
    let items: Vec<usize> = match &u.ids {
        None => {
            let all: Vec<usize> = (0..n).filter(|&i| inert(i).is_none()).collect();
            if all.is_empty() {
                ctx.err(
                    o,
                    "applies_to",
                    format!("{who}: no {kind} has a {} to vary", field.as_str()),
                );
            }
            all
        }
        Some(ids) => {
            if ids.is_empty() {
                ctx.err(o, "ids", "must name at least one item (omit it for all)");
            }
            let mut items = Vec::new();
            for (k, id) in ids.iter().enumerate() {
                let at = id_origin(o, k);
                if kind == "consumer"
                    && !ix.contains_key(id)
                    && l.candidate_consumers.contains(&id.as_str())
                {
                    let msg = format!(
                        "{who} names consumer \"{id}\" of a candidate measure; \
                         uncertain entries name base items only"
                    );
                    ctx.err(&at, "", msg);
                    continue;
                }
                if let Some(i) = lookup(ctx, ix, &at, "", &who, kind, id) {
                    if items.contains(&i) {
                        ctx.err(&at, "", format!("{kind} \"{id}\" is named twice"));
                    } else if let Some(why) = inert(i) {
                        ctx.err(&at, "", format!("{who}: {why}"));
                    }
                    items.push(i);
                }
            }
            items
        }
    };
    Some(items)
}

/// The distribution of an `[[uncertain]]` entry and the checks of its parameters.
fn uncertain_distribution(ctx: &mut Ctx, o: &Origin, u: &RawUncertain) -> Option<Distribution> {
    let (low, high) = (u.low, u.high);
    let mut ok = ctx.finite(o, "low", low) & ctx.finite(o, "high", high);
    if ok && low < 0.0 {
        ctx.err(o, "low", format!("must not be negative, got {}", num(low)));
        ok = false;
    }
    // A drawn multiplier stays within its cap: a value that fits the solver's 2^40 alone
    // then fits its 2^50 at any draw (2^40 × 1000 < 2^50), and every output stays finite.
    if ok && high > magnitudes::MAX_MULTIPLIER {
        ctx.err(
            o,
            "high",
            format!(
                "{} is above the cap of {} for a multiplier (see \"Caps\" in docs/format.md)",
                num(high),
                num(magnitudes::MAX_MULTIPLIER)
            ),
        );
        ok = false;
    }
    if ok && high < low {
        ctx.err(
            o,
            "high",
            format!("must not be below low ({}), got {}", num(low), num(high)),
        );
        ok = false;
    }
    let given = |name: &str| match name {
        "mean" => u.mean.is_some(),
        "median" => u.median.is_some(),
        "mode" => u.mode.is_some(),
        _ => u.sd.is_some(),
    };
    // A parameter required by the distribution, within [low, high] when `inside`.
    let mut param =
        |ctx: &mut Ctx, name: &str, v: Option<f64>, default: Option<f64>, inside: bool| {
            let Some(x) = v.or(default) else {
                ctx.err(
                    o,
                    "distribution",
                    format!("{} needs `{name}`", u.distribution),
                );
                ok = false;
                return 0.0;
            };
            let v = x;
            let bounds_ok = low.is_finite() && high.is_finite() && low <= high;
            if !ctx.finite(o, name, v) {
                ok = false;
            } else if inside && bounds_ok && !(low..=high).contains(&v) {
                let (field, what) =
                    if default.is_some() && v == default.unwrap_or(v) && !given(name) {
                        ("distribution", format!("`{name}` (default {}) ", num(v)))
                    } else {
                        (name, String::new())
                    };
                ctx.err(
                    o,
                    field,
                    format!(
                        "{what}must lie in [low, high] = [{}, {}], got {}",
                        num(low),
                        num(high),
                        num(v)
                    ),
                );
                ok = false;
            } else if !inside && v <= 0.0 {
                ctx.err(o, name, format!("must be positive, got {}", num(v)));
                ok = false;
            }
            v
        };
    // Parameters that the distribution does not use are errors, not silently ignored.
    let unused = |ctx: &mut Ctx, names: &[(&str, Option<f64>)]| {
        let mut bad = false;
        for (name, v) in names {
            if v.is_some() {
                ctx.err(o, name, format!("is not a parameter of {}", u.distribution));
                bad = true;
            }
        }
        bad
    };
    let mut zero_median = false;
    let d = match u.distribution.as_str() {
        "uniform" => {
            let bad = unused(
                ctx,
                &[
                    ("mode", u.mode),
                    ("mean", u.mean),
                    ("median", u.median),
                    ("sd", u.sd),
                ],
            );
            (!bad).then_some(Distribution::Uniform { low, high })
        }
        "triangular" => {
            let bad = unused(ctx, &[("mean", u.mean), ("median", u.median), ("sd", u.sd)]);
            let mode = param(ctx, "mode", u.mode, None, true);
            (!bad).then_some(Distribution::Triangular { low, mode, high })
        }
        "normal" => {
            let bad = unused(ctx, &[("mode", u.mode), ("median", u.median)]);
            let mean = param(ctx, "mean", u.mean, Some(1.0), true);
            let sd = param(ctx, "sd", u.sd, None, false);
            (!bad).then_some(Distribution::Normal {
                mean,
                sd,
                low,
                high,
            })
        }
        "lognormal" => {
            let bad = unused(ctx, &[("mode", u.mode), ("mean", u.mean)]);
            let median = param(ctx, "median", u.median, Some(1.0), true);
            // The sampler computes ln(low / median) and ln(high / median): a median of 0
            // has no logarithm (and 0 / 0 is NaN).
            if median.is_finite() && median <= 0.0 {
                ctx.err(
                    o,
                    "median",
                    format!(
                        "must be positive: a lognormal is median × exp(sd × Z), got {}",
                        num(median)
                    ),
                );
                zero_median = true;
            }
            let sd = param(ctx, "sd", u.sd, None, false);
            (!bad).then_some(Distribution::LogNormal {
                median,
                sd,
                low,
                high,
            })
        }
        other => {
            ctx.err(
                o,
                "distribution",
                format!("unknown distribution \"{other}\"; expected one of \"uniform\", \"triangular\", \"normal\", \"lognormal\""),
            );
            None
        }
    };
    if ok && !zero_median {
        d
    } else {
        None
    }
}
