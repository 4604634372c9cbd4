//! The scenario file's serde schema: exactly what a user may write. Unknown fields are errors.
//! Every field is documented in docs/format.md; keep the two in step.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub scenario: RawMeta,
    pub target: RawTarget,
    #[serde(default)]
    pub settings: RawSettings,
    #[serde(default)]
    pub policy: RawPolicy,
    #[serde(default)]
    pub tables: RawTables,
    #[serde(default)]
    pub parks: Vec<RawPark>,
    #[serde(default)]
    pub materials: Vec<RawMaterial>,
    #[serde(default)]
    pub routes: Vec<RawRoute>,
    #[serde(default)]
    pub transport: Vec<RawMode>,
    #[serde(default)]
    pub distances: Vec<RawDistance>,
    #[serde(default)]
    pub producers: Vec<RawProducer>,
    #[serde(default)]
    pub consumers: Vec<RawConsumer>,
    /// Uncertain values for `run --samples` (the Monte Carlo); ignored by a plain run.
    #[serde(default)]
    pub uncertain: Vec<RawUncertain>,
    /// The economic convention of the candidate measures (`plan`).
    #[serde(default)]
    pub plan: Option<RawPlan>,
    /// Candidate measures for `plan`; not applied by a plain run.
    #[serde(default)]
    pub candidates: Vec<RawCandidate>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    pub name: String,
    pub year: i32,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    /// Candidate measures this scenario applies (ids of `[[candidates]]`), as `run --with`.
    #[serde(default)]
    pub with: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    pub rate: f64,
    #[serde(default = "default_scope")]
    pub scope: String,
    /// Named accounting rule (`china_statistical` by default, or `strict`).
    #[serde(default)]
    pub accounting: Option<String>,
    /// Explicit list of counted route kinds (instead of a named rule).
    #[serde(default)]
    pub counts: Option<Vec<String>>,
    #[serde(default)]
    pub source: Option<String>,
}

fn default_scope() -> String {
    "solids".to_string()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSettings {
    #[serde(default = "default_objective")]
    pub objective: String,
    #[serde(default = "default_circuity")]
    pub circuity: f64,
    #[serde(default = "default_same_park_km")]
    pub same_park_km: f64,
    #[serde(default = "default_quantity_resolution")]
    pub quantity_resolution: f64,
    #[serde(default = "default_cost_resolution")]
    pub cost_resolution_yuan: f64,
    /// Under `max_utilisation`, consumers are bounded by nameplate (not × load factor).
    #[serde(default)]
    pub nameplate_for_potential: bool,
}

fn default_objective() -> String {
    "cost".to_string()
}
fn default_circuity() -> f64 {
    1.3
}
fn default_same_park_km() -> f64 {
    7.5
}
fn default_quantity_resolution() -> f64 {
    1.0
}
fn default_cost_resolution() -> f64 {
    0.001
}

impl Default for RawSettings {
    fn default() -> Self {
        RawSettings {
            objective: default_objective(),
            circuity: default_circuity(),
            same_park_km: default_same_park_km(),
            quantity_resolution: default_quantity_resolution(),
            cost_resolution_yuan: default_cost_resolution(),
            nameplate_for_potential: false,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    #[serde(default)]
    pub carbon_price_yuan_per_t: f64,
    #[serde(default = "one")]
    pub env_tax_multiplier: f64,
    #[serde(default = "one")]
    pub storage_cost_multiplier: f64,
    #[serde(default = "one")]
    pub transport_cost_multiplier: f64,
    /// Subsidy per unit utilised, keyed by route id.
    #[serde(default)]
    pub route_subsidy_yuan_per_unit: BTreeMap<String, f64>,
    /// Non-compliant dumping beyond a park's landfill capacity is allowed (default: no).
    #[serde(default)]
    pub allow_dumping: bool,
}

fn one() -> f64 {
    1.0
}

impl Default for RawPolicy {
    fn default() -> Self {
        RawPolicy {
            carbon_price_yuan_per_t: 0.0,
            env_tax_multiplier: 1.0,
            storage_cost_multiplier: 1.0,
            transport_cost_multiplier: 1.0,
            route_subsidy_yuan_per_unit: BTreeMap::new(),
            allow_dumping: false,
        }
    }
}

/// CSV tables appended to the inline lists, paths relative to the scenario file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTables {
    #[serde(default)]
    pub parks: Option<String>,
    #[serde(default)]
    pub producers: Option<String>,
    #[serde(default)]
    pub consumers: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPark {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub short_name: Option<String>,
    #[serde(default)]
    pub name_zh: Option<String>,
    pub lat: f64,
    pub lon: f64,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub landfill_capacity: Option<f64>,
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMaterial {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default = "default_class")]
    pub class: String,
    #[serde(default = "default_unit")]
    pub unit: String,
    #[serde(default)]
    pub grades: Vec<String>,
    #[serde(default)]
    pub storage_cost_yuan_per_unit: f64,
    #[serde(default)]
    pub env_tax_yuan_per_unit: f64,
    #[serde(default)]
    pub source: Option<String>,
}

fn default_class() -> String {
    "solid".to_string()
}
fn default_unit() -> String {
    "t".to_string()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRoute {
    pub id: String,
    pub name: String,
    /// What the route is (`utilisation` by default); see `model::RouteKind`.
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Default load factor of the route's consumers.
    #[serde(default = "one")]
    pub load_factor: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMode {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default = "default_unit")]
    pub unit: String,
    #[serde(default)]
    pub materials: Vec<String>,
    /// Haul cost per unit·km; or give `cost_yuan_per_unit_100km` (as hydrogen costs are quoted).
    #[serde(default)]
    pub cost_yuan_per_unit_km: Option<f64>,
    #[serde(default)]
    pub cost_yuan_per_unit_100km: Option<f64>,
    #[serde(default)]
    pub handling_yuan_per_unit: f64,
    #[serde(default)]
    pub co2_kg_per_unit_km: f64,
    pub max_km: f64,
    #[serde(default)]
    pub circuity: Option<f64>,
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDistance {
    pub from: String,
    pub to: String,
    pub km: f64,
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProducer {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    pub park: String,
    pub material: String,
    pub quantity: f64,
    #[serde(default)]
    pub grade: Option<String>,
    #[serde(default)]
    pub attrs: BTreeMap<String, f64>,
    #[serde(default)]
    pub stockpile: f64,
    #[serde(default)]
    pub reclaim_cost_yuan_per_unit: f64,
    #[serde(default)]
    pub growth_rate: f64,
    #[serde(default)]
    pub base_year: Option<i32>,
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConsumer {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    pub park: String,
    pub route: String,
    pub capacity: f64,
    #[serde(default)]
    pub processing_cost_yuan_per_unit: f64,
    #[serde(default)]
    pub co2_avoided_t_per_unit: f64,
    /// Overrides the route's load factor.
    #[serde(default)]
    pub load_factor: Option<f64>,
    #[serde(default)]
    pub accepts: Vec<RawIntake>,
    /// Nested blend limits over groups of accepted materials.
    #[serde(default)]
    pub groups: Vec<RawGroup>,
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    pub id: String,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub max_share: Option<f64>,
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIntake {
    pub material: String,
    #[serde(default)]
    pub grades: Vec<String>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub max_share: Option<f64>,
    /// The consumer's group (`[[consumers.groups]]` id) this material counts in.
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub gate_price_yuan_per_unit: f64,
    #[serde(default)]
    pub co2_avoided_t_per_unit: Option<f64>,
    #[serde(default)]
    pub min_attrs: BTreeMap<String, f64>,
    #[serde(default)]
    pub max_attrs: BTreeMap<String, f64>,
    #[serde(default)]
    pub source: Option<String>,
}

/// One `[[uncertain]]` entry: the named items' values move together by one multiplier.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUncertain {
    pub id: String,
    /// The value multiplied (see `model::UncertainField` for the list).
    pub applies_to: String,
    /// The items' ids (default: every item of the list).
    #[serde(default)]
    pub ids: Option<Vec<String>>,
    /// `uniform`, `triangular`, `normal` or `lognormal`.
    pub distribution: String,
    pub low: f64,
    pub high: f64,
    #[serde(default)]
    pub mode: Option<f64>,
    #[serde(default)]
    pub mean: Option<f64>,
    #[serde(default)]
    pub median: Option<f64>,
    #[serde(default)]
    pub sd: Option<f64>,
    /// Entries of one group move together (one uniform draw per sample).
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
}

/// `[plan]`: how candidate costs are annualised.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlan {
    /// Discount rate that annualises capex (e.g. 0.08); required when a candidate gives capex.
    #[serde(default)]
    pub discount_rate: Option<f64>,
    #[serde(default)]
    pub source: Option<String>,
}

/// One `[[candidates]]` entry: a measure `plan` may choose, its annual cost and its effects.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCandidate {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// Capital expenditure, yuan (with `life_years`); or give `annual_cost_yuan`.
    #[serde(default)]
    pub capex_yuan: Option<f64>,
    #[serde(default)]
    pub life_years: Option<f64>,
    /// Fixed operating cost, yuan per year (only with `capex_yuan`).
    #[serde(default)]
    pub opex_yuan_per_yr: Option<f64>,
    /// The annual cost given directly, yuan per year (instead of capex, life and opex).
    #[serde(default)]
    pub annual_cost_yuan: Option<f64>,
    /// Candidate ids that cannot be chosen with this one (symmetric).
    #[serde(default)]
    pub excludes: Vec<String>,
    /// Candidate ids that must be chosen for this one to be chosen.
    #[serde(default)]
    pub requires: Vec<String>,
    /// `sourced`, `derived` or `assumed`.
    pub flag: String,
    #[serde(default)]
    pub source: Option<String>,
    /// New consumers, written as `[[consumers]]`.
    #[serde(default)]
    pub consumers: Vec<RawConsumer>,
    /// Capacity added to existing consumers.
    #[serde(default)]
    pub expand: Vec<RawExpand>,
    /// Dedicated transport links.
    #[serde(default)]
    pub links: Vec<RawLink>,
    /// Policy levers.
    #[serde(default)]
    pub policy: Option<RawLevers>,
}

/// `[[candidates.expand]]`: nameplate capacity added to an existing consumer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpand {
    pub consumer: String,
    pub capacity_add: f64,
    #[serde(default)]
    pub source: Option<String>,
}

/// `[[candidates.links]]`: a dedicated link between two parks for one transport mode.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLink {
    pub from: String,
    pub to: String,
    pub mode: String,
    pub km: f64,
    #[serde(default)]
    pub source: Option<String>,
}

/// `[candidates.policy]`: the levers a candidate sets.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLevers {
    #[serde(default)]
    pub env_tax_multiplier: Option<f64>,
    #[serde(default)]
    pub carbon_price_yuan_per_t: Option<f64>,
    /// Subsidy per unit utilised, keyed by route id (replaces the base policy's).
    #[serde(default)]
    pub route_subsidy_yuan_per_unit: BTreeMap<String, f64>,
    /// Fee added to the storage cost per unit stored, keyed by (solid) material id.
    #[serde(default)]
    pub landfill_fee_yuan_per_unit: BTreeMap<String, f64>,
    #[serde(default)]
    pub source: Option<String>,
}
