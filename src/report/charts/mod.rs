//! Chart rendering: the utilisation-by-material bar chart, the route chart, the flow map and the
//! trajectory of a path, as PNG bytes or SVG text.
//!
//! Every public render function is pure: plain input structs in, bytes out. Nothing touches the
//! file system, the clock or the system fonts, so the same input always gives byte-identical
//! output. The only font is the embedded DejaVu Sans (`assets/fonts`), registered with plotters'
//! `ab_glyph` support by [`register_fonts`], which every render function calls first.
//!
//! One file per concern: `style` (font, colours, palette, fitting text to a width),
//! `utilisation` (the bar chart), `routes` (solids by route, by kind), `map` (the flow map, drawn layer by layer), `plan` (cost against P(meet target)), `compare` (strategies side by side), `legend` (the
//! map's legend), `distribution` (the Monte Carlo's rate histogram), `tornado` (rank
//! correlations of the uncertain inputs with the rate), `trajectory` (a path's rate year by year
//! toward its target), `geometry` (projection, flow widths, arrows, donuts), `labels` (label
//! placement), `encode` (PNG encoding). Numbers are printed by [`crate::report::format`].
//!
//! The charts are tested through their input data: the geometry and formatting decisions live in
//! small pure helpers ([`map_projection`], [`flow_width`], [`palette_colour`],
//! [`width_legend_quantities`], [`rate_axis_max`], [`arrow_polygon`], [`place_labels_with`],
//! [`fit_text`], [`fit_title`], [`donut_radius`], [`donut_angles`], [`disposal_side`],
//! [`tonnes_axis`], [`route_fill`], [`efficient_front`], [`rate_label`], [`trajectory_runs`],
//! [`trajectory_axis_max`], [`trajectory_legend`]) with their own unit tests;
//! the render functions only lay those results out.
//!
//! Layout on real scenarios (21 parks and sub-blocks, 11+ materials, long names): titles are
//! measured and shrunk, wrapped onto two lines or truncated with `…`; legend entries and the
//! utilisation chart's material labels are measured and truncated; the label column is sized
//! to the longest label. On the map, flows within a park are one donut per location (ring
//! area ∝ tonnes, one slice per material) instead of one ring per material; arrows are drawn
//! above the donuts with a white halo; labels avoid each other, the markers and the arrows,
//! dropping a sub-block's tonnes or moving out with a leader line when crowded.

mod compare;
mod distribution;
mod encode;
mod geometry;
mod labels;
mod legend;
mod map;
mod plan;
mod routes;
mod style;
mod tornado;
mod trajectory;
mod utilisation;

use plotters::coord::Shift;
use plotters::prelude::*;

pub use compare::{efficient_front, rate_label};
pub use distribution::{histogram, histogram_range, BINS};
pub use geometry::{
    arrow_polygon, disposal_side, donut_angles, donut_radius, flow_width, map_projection,
    mode_dash, MapView, DISPOSAL_SIDE_MAX,
};
pub use labels::{place_labels, place_labels_with, LabelPlacement, PixelBox};
pub use legend::width_legend_quantities;
pub use plan::{cost_axis_max, front_key};
pub use routes::{route_fill, route_kind_colour, tonnes_axis, RouteFill};
pub use style::{fit_text, fit_title, palette_colour, register_fonts};
pub use tornado::{rho_label, MAX_BARS};
pub use trajectory::{
    trajectory_axis_max, trajectory_legend, trajectory_runs, TrajectoryChart, TrajectoryLegend,
};
pub use utilisation::{rate_axis_max, tonnes_label};

/// Pixel size of the utilisation chart.
pub const UTILISATION_SIZE: (u32, u32) = (1200, 700);
/// Pixel size of the route chart.
pub const ROUTES_SIZE: (u32, u32) = (1200, 800);
/// Pixel size of the flow map.
pub const MAP_SIZE: (u32, u32) = (1200, 1000);
/// Pixel size of the Monte Carlo's rate distribution.
pub const DISTRIBUTION_SIZE: (u32, u32) = (1200, 700);
/// Pixel size of the tornado.
pub const TORNADO_SIZE: (u32, u32) = (1200, 760);
/// Pixel size of the trajectory of a path.
pub const TRAJECTORY_SIZE: (u32, u32) = (1200, 700);

/// The distribution of the target's rate over Monte Carlo samples.
#[derive(Debug, Clone, PartialEq)]
pub struct RateDistributionChart {
    pub title: String,
    /// One line under the title (samples, seed).
    pub subtitle: String,
    /// The scenario's accounting rule, named in the legend.
    pub rule: String,
    /// Target rate as a fraction.
    pub target_rate: f64,
    /// Share of samples meeting the target.
    pub p_meet: f64,
    /// The rate under the rule of every sample where it is defined, as fractions.
    pub rates: Vec<f64>,
    /// The strict rate of every sample where it is defined.
    pub strict_rates: Vec<f64>,
}

/// One input's bar of the tornado.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoBar {
    pub label: String,
    /// Spearman's ρ in [−1, 1].
    pub rho: f64,
}

/// Which uncertain inputs move the rate most.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoChart {
    pub title: String,
    /// Lines under the title: the method.
    pub subtitle: Vec<String>,
    /// Sorted by |ρ|, largest first (only inputs with a defined ρ).
    pub bars: Vec<TornadoBar>,
}

/// Pixel size of the plan chart.
pub const PLAN_SIZE: (u32, u32) = (1400, 700);

/// One portfolio evaluated exactly by `plan`.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanPoint {
    /// Annual cost, yuan per year.
    pub annual_cost: f64,
    /// Share of in-sample draws meeting the target.
    pub p: f64,
    /// Mean rate under the accounting rule (non-finite reads as 0).
    pub expected_rate: f64,
    /// Mean strict rate (backfill and ecological restoration not counted; non-finite: 0).
    pub expected_strict_rate: f64,
}

/// The `plan` chart: cost against P(meet target) and against the expected rate.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanChart {
    pub title: String,
    pub confidence: f64,
    pub target_rate: f64,
    pub points: Vec<PlanPoint>,
    /// Indices into `points` of the Pareto front (cost vs P), in increasing cost.
    pub front: Vec<usize>,
    /// Index into `points` of the chosen plan.
    pub chosen: Option<usize>,
    /// The chosen plan's P out of sample and its 95 % interval (drawn as a whisker).
    pub out_of_sample: Option<(f64, (f64, f64))>,
    /// Per point of `front`, the measures it adds to the front point before it and those it
    /// drops (ids; the first adds all its measures): the numbered key under the panels.
    pub front_added: Vec<(Vec<String>, Vec<String>)>,
}

/// Pixel size of the comparison chart.
pub const COMPARISON_SIZE: (u32, u32) = (1600, 1400);

/// One objective's rates of a strategy's target (panel 1 of the comparison chart).
#[derive(Debug, Clone, PartialEq)]
pub struct RatePair {
    /// The target's rate under the scenario's accounting rule, a fraction; `None`: undefined
    /// (nothing generated in the target's scope).
    pub rate: Option<f64>,
    /// The same under the strict rule.
    pub strict: Option<f64>,
    /// The rate's p5 and p95 over the Monte Carlo samples (with `--samples`, for the objective
    /// the Monte Carlo ran under), drawn as a whisker.
    pub rate_p5_p95: Option<(f64, f64)>,
    /// The strict rate's p5 and p95.
    pub strict_p5_p95: Option<(f64, f64)>,
}

/// One strategy's slot in panel 1: its rates, or why it failed (drawn as a labelled gap).
#[derive(Debug, Clone, PartialEq)]
pub struct StrategyRates {
    pub id: String,
    /// Per objective, in [`ComparisonChart::objectives`] order (the primary first).
    pub rates: Result<[RatePair; 2], String>,
}

/// One strategy under one objective in panel 2: resource cost against the rate.
#[derive(Debug, Clone, PartialEq)]
pub struct CostPoint {
    pub strategy: String,
    /// Index into [`ComparisonChart::objectives`] (0: the primary).
    pub objective: usize,
    /// Resource cost, million yuan per year.
    pub cost_myuan: f64,
    /// The target's rate under the scenario's rule, a fraction.
    pub rate: f64,
    /// On the efficient front of its objective's points ([`efficient_front`]).
    pub efficient: bool,
}

/// One material's bar in panel 3.
#[derive(Debug, Clone, PartialEq)]
pub struct MaterialRate {
    /// The material's rate (under the rule), a fraction.
    pub rate: f64,
    /// The lowest and highest rate among all optimal allocations (a range tick where they
    /// differ).
    pub range: Option<(f64, f64)>,
}

/// One strategy's group of material bars in panel 3.
#[derive(Debug, Clone, PartialEq)]
pub struct MaterialGroup {
    pub strategy: String,
    /// By position in [`ComparisonChart::materials`]; `None` where the strategy has no rate.
    pub bars: Vec<Option<MaterialRate>>,
}

/// Strategies side by side (`compare`): (1) the target's rate per strategy under the rule and
/// strict, for both objectives, with p5–p95 whiskers from the Monte Carlo; (2) resource cost
/// against the rate, the efficient strategies marked and joined; (3) each solid material's
/// rate grouped by strategy (the primary objective).
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonChart {
    pub title: String,
    /// One line under the title (samples and seed, or none).
    pub subtitle: String,
    /// The scenario's accounting rule, named in the legends.
    pub rule: String,
    /// Target rate as a fraction.
    pub target_rate: f64,
    /// The objectives' names, the primary (the base's objective) first.
    pub objectives: [String; 2],
    /// Panel 1: every strategy, in the rows' order (the base first).
    pub strategies: Vec<StrategyRates>,
    /// Panel 2: each strategy that did not fail, under each objective with a defined rate.
    pub points: Vec<CostPoint>,
    /// Panel 3's materials (solids); a material's position fixes its colour
    /// ([`palette_colour`]).
    pub materials: Vec<String>,
    /// Panel 3: each strategy that did not fail, under the primary objective.
    pub groups: Vec<MaterialGroup>,
}

/// One material's bar: solids only, tonnes per year.
#[derive(Debug, Clone, PartialEq)]
pub struct MaterialBar {
    pub label: String,
    /// New generation, t/yr.
    pub generated: f64,
    /// Legacy stockpile drawn (and utilised), t/yr: the label reads "utilised of generated +
    /// drawn" when positive.
    pub drawn: f64,
    pub utilised: f64,
    /// Utilisation rate as a fraction (0.63 = 63 %); may exceed 1.
    pub rate: f64,
    /// The lowest and highest rate among all optimal allocations, drawn as a whisker (where
    /// they differ).
    pub range: Option<(f64, f64)>,
}

/// Utilisation rate by material against a target.
#[derive(Debug, Clone, PartialEq)]
pub struct UtilisationChart {
    pub title: String,
    /// Target rate as a fraction (0.8 = 80 %).
    pub target_rate: f64,
    /// One bar per material, drawn top to bottom in this order.
    pub bars: Vec<MaterialBar>,
    /// Rate of all solids together, drawn as a separate "all solids" bar.
    pub overall_rate: f64,
}

/// One route's bar: solids used by the route, t/yr.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteBar {
    pub label: String,
    /// The route's kind, one of [`RouteChart::kinds`] by name (its colour).
    pub kind: String,
    /// The scenario's accounting rule counts the kind.
    pub counted: bool,
    /// The strict rule counts the kind.
    pub strict: bool,
    pub tonnes: f64,
}

/// A route kind in the legend, in [`RouteChart::kinds`] order (which fixes its colour).
#[derive(Debug, Clone, PartialEq)]
pub struct RouteKindEntry {
    pub name: String,
    /// The scenario's accounting rule counts the kind.
    pub counted: bool,
    /// The strict rule counts the kind.
    pub strict: bool,
}

/// Solids used by route, coloured by route kind, filled by what the accounting rule counts
/// ([`route_fill`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RouteChart {
    pub title: String,
    /// The scenario's accounting rule, named in the legend.
    pub rule: String,
    /// Every kind, in legend order.
    pub kinds: Vec<RouteKindEntry>,
    /// One bar per route with solids used, drawn top to bottom in this order.
    pub bars: Vec<RouteBar>,
    /// Lines under the chart (routes in other units, such as hydrogen).
    pub notes: Vec<String>,
}

/// A park (or a sub-block of one) on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapPark {
    pub id: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// A sub-block of a park (drawn smaller) rather than a consolidated park.
    pub is_block: bool,
    /// Solid by-products generated, t/yr (shown in the label when positive).
    pub generated: f64,
    /// Solids of the park's producers disposed in compliant storage (landfill), t/yr.
    pub landfilled: f64,
    /// Solids of the park's producers dumped non-compliantly, t/yr (nothing drawn when 0).
    pub dumped: f64,
}

/// A flow from a producer location to a consumer location; equal endpoints mean an intra-park flow.
#[derive(Debug, Clone, PartialEq)]
pub struct MapFlow {
    pub from_lat: f64,
    pub from_lon: f64,
    pub to_lat: f64,
    pub to_lon: f64,
    pub material: String,
    /// Transport mode; its position in [`FlowMap::modes`] fixes the arrow's line pattern
    /// ([`mode_dash`]).
    pub mode: String,
    /// Quantity per year in `unit`.
    pub quantity: f64,
    pub unit: String,
}

/// Parks and the flows between them.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowMap {
    pub title: String,
    pub parks: Vec<MapPark>,
    pub flows: Vec<MapFlow>,
    /// Legend order; a material's position here fixes its colour ([`palette_colour`]).
    pub materials: Vec<String>,
    /// Transport modes in legend order; a mode's position fixes its line pattern
    /// ([`mode_dash`]).
    pub modes: Vec<String>,
}

/// Why a chart could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the embedded font could not be registered")]
    Font,
    #[error("drawing failed: {0}")]
    Draw(String),
    #[error("PNG encoding failed: {0}")]
    Encode(String),
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for ChartError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        ChartError::Draw(e.to_string())
    }
}

/// The utilisation chart as a PNG image of [`UTILISATION_SIZE`].
pub fn utilisation_png(c: &UtilisationChart) -> Result<Vec<u8>, ChartError> {
    encode::render_png(UTILISATION_SIZE, |root| {
        utilisation::draw_utilisation(root, c)
    })
}

/// The utilisation chart as an SVG document of [`UTILISATION_SIZE`].
pub fn utilisation_svg(c: &UtilisationChart) -> Result<String, ChartError> {
    render_svg(UTILISATION_SIZE, |root| {
        utilisation::draw_utilisation(root, c)
    })
}

/// The route chart as a PNG image of [`ROUTES_SIZE`].
pub fn routes_png(c: &RouteChart) -> Result<Vec<u8>, ChartError> {
    encode::render_png(ROUTES_SIZE, |root| routes::draw_routes(root, c))
}

/// The route chart as an SVG document of [`ROUTES_SIZE`].
pub fn routes_svg(c: &RouteChart) -> Result<String, ChartError> {
    render_svg(ROUTES_SIZE, |root| routes::draw_routes(root, c))
}

/// The flow map as a PNG image of [`MAP_SIZE`].
pub fn map_png(m: &FlowMap) -> Result<Vec<u8>, ChartError> {
    encode::render_png(MAP_SIZE, |root| map::draw_map(root, m))
}

/// The flow map as an SVG document of [`MAP_SIZE`].
pub fn map_svg(m: &FlowMap) -> Result<String, ChartError> {
    render_svg(MAP_SIZE, |root| map::draw_map(root, m))
}

/// The rate distribution as a PNG image of [`DISTRIBUTION_SIZE`].
pub fn distribution_png(c: &RateDistributionChart) -> Result<Vec<u8>, ChartError> {
    encode::render_png(DISTRIBUTION_SIZE, |root| {
        distribution::draw_distribution(root, c)
    })
}

/// The rate distribution as an SVG document of [`DISTRIBUTION_SIZE`].
pub fn distribution_svg(c: &RateDistributionChart) -> Result<String, ChartError> {
    render_svg(DISTRIBUTION_SIZE, |root| {
        distribution::draw_distribution(root, c)
    })
}

/// The tornado as a PNG image of [`TORNADO_SIZE`].
pub fn tornado_png(c: &TornadoChart) -> Result<Vec<u8>, ChartError> {
    encode::render_png(TORNADO_SIZE, |root| tornado::draw_tornado(root, c))
}

/// The tornado as an SVG document of [`TORNADO_SIZE`].
pub fn tornado_svg(c: &TornadoChart) -> Result<String, ChartError> {
    render_svg(TORNADO_SIZE, |root| tornado::draw_tornado(root, c))
}

/// The trajectory of a path as a PNG image of [`TRAJECTORY_SIZE`].
pub fn trajectory_png(c: &TrajectoryChart) -> Result<Vec<u8>, ChartError> {
    encode::render_png(TRAJECTORY_SIZE, |root| trajectory::draw_trajectory(root, c))
}

/// The trajectory of a path as an SVG document of [`TRAJECTORY_SIZE`].
pub fn trajectory_svg(c: &TrajectoryChart) -> Result<String, ChartError> {
    render_svg(TRAJECTORY_SIZE, |root| trajectory::draw_trajectory(root, c))
}

/// The plan chart as a PNG image of [`PLAN_SIZE`].
pub fn plan_png(c: &PlanChart) -> Result<Vec<u8>, ChartError> {
    encode::render_png(PLAN_SIZE, |root| plan::draw_plan(root, c))
}

/// The comparison chart as a PNG image of [`COMPARISON_SIZE`].
pub fn comparison_png(c: &ComparisonChart) -> Result<Vec<u8>, ChartError> {
    encode::render_png(COMPARISON_SIZE, |root| compare::draw_comparison(root, c))
}

/// Draws a chart of `size` pixels as an SVG document.
fn render_svg<F>(size: (u32, u32), draw: F) -> Result<String, ChartError>
where
    F: FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), ChartError>,
{
    register_fonts()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        draw(&root)?;
        root.present()?;
    }
    Ok(out)
}
