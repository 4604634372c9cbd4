//! Semantic validation: every problem collected, then the model built.
//!
//! - [`checks`]: the shared collector [`Ctx`] and the checks all sections use;
//! - [`sections`]: one function per scenario section, each returning its part of the model;
//! - [`limits`]: the solver's integer ranges, across sections.
//!
//! [`build`] runs them in a fixed order; the diagnostics are sorted by position afterwards,
//! so the order only decides between problems at the same position.

mod checks;
mod limits;
mod sections;

pub use checks::Ctx;

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

/// Validates everything and builds the region; `None` if anything failed.
pub fn build(raw: &RawScenario, tables: Tables, ctx: &mut Ctx) -> Option<Region> {
    let objective = sections::settings(ctx, &raw.settings);
    sections::target_rate(ctx, &raw.target);
    sections::meta(ctx, &raw.scenario);
    let parks = sections::parks(ctx, &raw.parks, tables.parks);
    let materials = sections::materials(ctx, &raw.materials);
    let routes = sections::routes(ctx, &raw.routes);
    let modes = sections::transport(ctx, &raw.transport, &materials, raw.settings.circuity);
    let distances = sections::distances(ctx, &raw.distances, &parks.ix, &modes.ix);
    let year = raw.scenario.year;
    let producers = sections::producers(
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
    limits::check(
        ctx,
        &raw.settings,
        limits::Sections {
            parks: &parks,
            materials: &materials,
            modes: &modes,
            producers: &producers,
            consumers: &consumers,
            policy: &policy,
        },
    );

    let objective = objective?;
    let scope = scope?;
    if !ctx.diags.is_empty() {
        return None;
    }
    let (m, s) = (&raw.scenario, &raw.settings);
    Some(Region {
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
        target: Target {
            rate: raw.target.rate,
            scope,
        },
        settings: Settings {
            objective,
            circuity: s.circuity,
            same_park_km: s.same_park_km,
            quantity_resolution: s.quantity_resolution,
            cost_resolution: s.cost_resolution_yuan,
        },
        policy,
    })
}
