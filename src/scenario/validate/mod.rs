//! Semantic validation: every problem collected, then the model built.
//!
//! - [`checks`]: the shared collector [`Ctx`] and the checks all sections use;
//! - [`sections`]: one function per scenario section, each returning its part of the model;
//! - [`groups`]: nested blend limits inside a consumer;
//! - [`candidates`]: `[plan]` and the candidate measures of `plan`, each on its own;
//! - [`relations`]: the relations between candidates (exclusions, requirements, levers);
//! - [`limits`]: the solver's integer ranges, across sections;
//! - [`magnitudes`]: caps in units and yuan, so that every output number stays finite.
//!
//! [`build`] runs them in a fixed order; the diagnostics are sorted by position afterwards,
//! so the order only decides between problems at the same position.

mod candidates;
mod checks;
mod groups;
mod limits;
mod magnitudes;
mod relations;
mod sections;
mod uncertain;
mod warnings;

pub use checks::Ctx;

use super::caps;
use super::schema::*;
use super::Origin;
use crate::model::*;

/// Items read from CSV tables, with their origins.
#[derive(Default)]
pub struct Tables {
    pub parks: Vec<(RawPark, Origin)>,
    pub producers: Vec<(RawProducer, Origin)>,
    pub consumers: Vec<(RawConsumer, Origin, Vec<Origin>)>,
}

/// Checks the size of every list against its cap (before anything else: a list over its cap
/// is not validated item by item), and that there is something to allocate. Returns whether
/// every list is within its cap.
fn counts(raw: &RawScenario, t: &Tables, ctx: &mut Ctx) -> bool {
    let intakes = raw.consumers.iter().map(|c| c.accepts.len()).sum::<usize>()
        + t.consumers.iter().map(|c| c.2.len()).sum::<usize>();
    let new_consumers: usize = raw.candidates.iter().map(|c| c.consumers.len()).sum();
    let intakes = intakes
        + raw
            .candidates
            .iter()
            .flat_map(|c| &c.consumers)
            .map(|c| c.accepts.len())
            .sum::<usize>();
    let lists = [
        ("parks", raw.parks.len() + t.parks.len(), caps::PARKS),
        ("materials", raw.materials.len(), caps::MATERIALS),
        ("routes", raw.routes.len(), caps::ROUTES),
        ("transport", raw.transport.len(), caps::MODES),
        ("distances", raw.distances.len(), caps::DISTANCES),
        (
            "producers",
            raw.producers.len() + t.producers.len(),
            caps::PRODUCERS,
        ),
        (
            "consumers",
            raw.consumers.len() + t.consumers.len() + new_consumers,
            caps::CONSUMERS,
        ),
        ("consumers.accepts", intakes, caps::INTAKES),
    ];
    let mut ok = true;
    for (list, n, cap) in lists {
        if n > cap {
            ok = false;
            let head = list.split('.').next().unwrap_or(list);
            ctx.diags.push(ctx.toml.diag(
                &[super::diag::Seg::Key(head.to_string())],
                format!(
                    "{n} {list} entries exceed the cap of {cap} (see \"Caps\" in docs/format.md)"
                ),
            ));
        }
    }
    if raw.candidates.len() > candidates::MAX {
        ok = false;
        ctx.diags.push(ctx.toml.diag(
            &[super::diag::Seg::Key("candidates".to_string())],
            format!(
                "{} candidates exceed the cap of {}: a portfolio is a bit mask of one 64-bit word (see \"Caps\" in docs/format.md)",
                raw.candidates.len(),
                candidates::MAX
            ),
        ));
    }
    // (Not when items were set aside for a structural error: they may be the producers.)
    if raw.producers.is_empty() && t.producers.is_empty() && ctx.dropped.is_empty() {
        let msg = "the scenario has no producers: nothing to allocate (is the file complete?)";
        match raw.tables.producers {
            Some(_) => ctx.err(&checks::top("tables"), "producers", msg),
            None => {
                let d = ctx.toml.diag_at_end("producers", msg);
                ctx.diags.push(d);
            }
        }
    }
    ok
}

/// Validates everything and builds the region, with the warnings about it; `None` if
/// anything failed.
pub fn build(
    raw: &RawScenario,
    tables: Tables,
    ctx: &mut Ctx,
) -> Option<(Region, Vec<super::diag::Diagnostic>, Vec<Uncertain>)> {
    if !counts(raw, &tables, ctx) {
        return None;
    }
    let objective = sections::settings(ctx, &raw.settings);
    sections::target_rate(ctx, &raw.target);
    sections::meta(ctx, &raw.scenario);
    let parks = sections::parks(ctx, &raw.parks, tables.parks);
    let materials = sections::materials(ctx, &raw.materials);
    let routes = sections::routes(ctx, &raw.routes);
    let modes = sections::transport(ctx, &raw.transport, &materials, raw.settings.circuity);
    let distances = sections::distances(ctx, &raw.distances, &parks.ix, &modes.ix);
    let year = raw.scenario.year;
    let (producers, growth) = sections::producers(
        ctx,
        &raw.producers,
        tables.producers,
        &parks,
        &materials,
        year,
    );
    let consumers = sections::consumers(
        ctx,
        &raw.consumers,
        tables.consumers,
        &parks,
        &materials,
        &routes,
    );
    let policy = sections::policy(ctx, &raw.policy, &routes.ix);
    let scope = sections::target_scope(ctx, &raw.target, &materials, &parks.ix);
    let accounting = sections::target_accounting(ctx, &raw.target);
    let candidate_consumers: Vec<&str> = raw
        .candidates
        .iter()
        .flat_map(|c| &c.consumers)
        .map(|c| c.id.as_str())
        .collect();
    let uncertain = uncertain::uncertain(
        ctx,
        &raw.uncertain,
        uncertain::Lists {
            producers: &producers,
            growth: &growth,
            consumers: &consumers,
            materials: &materials,
            modes: &modes,
            routes: &routes,
            policy: &policy,
            candidate_consumers: &candidate_consumers,
        },
    );
    let cands = candidates::candidates(
        ctx,
        raw.plan.as_ref(),
        &raw.candidates,
        &raw.scenario.with,
        candidates::Refs {
            parks: &parks,
            materials: &materials,
            routes: &routes,
            modes: &modes,
            consumers: &consumers,
        },
    );
    // The range checks see every consumer, the candidates' new ones too.
    let no_extra = limits::Extra::default();
    let all_consumers = match &cands {
        Some(c) if !c.consumers.items.is_empty() => Some(sections::Built {
            items: consumers
                .items
                .iter()
                .chain(&c.consumers.items)
                .cloned()
                .collect(),
            origins: consumers
                .origins
                .iter()
                .chain(&c.consumers.origins)
                .cloned()
                .collect(),
            ix: Default::default(),
        }),
        _ => None,
    };
    let sections = limits::Sections {
        parks: &parks,
        materials: &materials,
        routes: &routes,
        modes: &modes,
        producers: &producers,
        consumers: all_consumers.as_ref().unwrap_or(&consumers),
        policy: &policy,
        extra: cands.as_ref().map_or(&no_extra, |c| &c.extra),
    };
    // The caps first: a value over its cap is not reported again against the solver's limit.
    let first = ctx.diags.len();
    magnitudes::check(ctx, raw, &sections);
    let capped = ctx.diags.len();
    limits::check(ctx, raw, &sections);
    let key = |d: &super::diag::Diagnostic| (d.file.clone(), d.line, d.column, d.field.clone());
    let blamed: std::collections::HashSet<_> = ctx.diags[first..capped].iter().map(key).collect();
    let mut i = capped;
    while i < ctx.diags.len() {
        if blamed.contains(&key(&ctx.diags[i])) {
            ctx.diags.remove(i);
        } else {
            i += 1;
        }
    }

    // (Not when items were set aside, which may be the scope's producers, nor without any
    // producer: that is reported on its own.)
    let known = ctx.dropped.is_empty() && !producers.items.is_empty();
    if let Some(sc) = scope.as_ref().filter(|_| known) {
        sections::scope_holds_solids(ctx, sc, &producers.items, &materials.items, &parks.items);
    }
    let objective = objective?;
    let scope = scope?;
    if !ctx.diags.is_empty() {
        return None;
    }
    let (m, s) = (&raw.scenario, &raw.settings);
    let region = Region {
        name: m.name.clone(),
        title: m.title.clone().unwrap_or_else(|| m.name.clone()),
        year,
        parks: parks.items,
        materials: materials.items,
        routes: routes.items,
        modes: modes.items,
        producers: producers.items,
        consumers: consumers.items,
        distances,
        links: Vec::new(),
        candidates: cands.map(|c| c.candidates).unwrap_or_default(),
        target: Target {
            rate: raw.target.rate,
            scope,
            accounting,
        },
        settings: Settings {
            objective,
            circuity: s.circuity,
            same_park_km: s.same_park_km,
            quantity_resolution: s.quantity_resolution,
            cost_resolution: s.cost_resolution_yuan,
            nameplate_for_potential: s.nameplate_for_potential,
        },
        policy,
    };
    let warnings = warnings::collect(ctx, &region, &producers.origins);
    Some((region, warnings, uncertain))
}
