//! A path over several years (`docs/path.md`): solved jointly on the time-expanded network
//! when a stock or a landfill's room links the years, else year by year; then every year
//! analysed as a year run alone would be, from its share of the solution.

use super::evaluate::scaling;
use super::{analyse, evaluate, AnalysisError, Results};
use crate::allocate::{flow_problem, AllocConfig, Allocation, Allocator, Scaling};
use crate::model::path::Path;
use crate::model::Region;
use crate::network::path::PathNetwork;
use rayon::prelude::*;

mod monte_carlo;
pub use monte_carlo::{path_monte_carlo, PathMcError, PathMonteCarlo, PathSample};

/// How a path was solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathSolve {
    /// One joint problem (the years are linked, or [`PathConfig::joint`] asked for it).
    Joint,
    /// Each year alone (nothing links them).
    YearByYear,
}

/// What [`evaluate_path`] computes; a struct rather than boolean parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathConfig {
    pub alloc: AllocConfig,
    /// Solve jointly even when nothing links the years (the tests' check that the joint
    /// problem of independent years is the years one by one).
    pub force_joint: bool,
}

/// A linked stock in one year, material units.
#[derive(Debug, Clone, PartialEq)]
pub struct StockYear {
    pub producer: String,
    pub start: f64,
    pub drawn: f64,
    pub end: f64,
}

/// A linked landfill in one year, material units.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomYear {
    pub park: String,
    /// Room left at the start and the end of the year.
    pub start: f64,
    pub stored: f64,
    pub end: f64,
}

/// One year of a path.
#[derive(Debug, Clone)]
pub struct YearResult {
    pub year: i32,
    /// The year's region as analysed: a linked stockpile holds what the year could draw, a
    /// linked landfill the room left at the start of the year.
    pub region: Region,
    pub results: Results,
    pub stocks: Vec<StockYear>,
    pub rooms: Vec<RoomYear>,
}

/// A path solved and analysed.
#[derive(Debug, Clone)]
pub struct PathResults {
    pub solve: PathSolve,
    pub years: Vec<YearResult>,
    pub target_index: usize,
    /// The joint problem's size (nodes, arcs), or the sum of the years'.
    pub nodes: usize,
    pub arcs: usize,
    /// Each certified solve of the joint problem (empty when solved year by year: each year's
    /// [`Results::phases`] has its own).
    pub joint_phases: Vec<super::PhaseInfo>,
}

impl PathResults {
    pub fn target_year(&self) -> &YearResult {
        &self.years[self.target_index]
    }
}

/// Solves and analyses `path`: jointly when it is linked (or `cfg.force_joint`), else each
/// year alone in parallel (gathered in year order). The joint problem has no capacity values
/// or rate ranges among optima (they are per-year analyses of a year's own problem): a joint
/// year's [`Results`] has none, and its shadow prices are the joint problem's duals.
pub fn evaluate_path(path: &Path, cfg: &PathConfig) -> Result<PathResults, AnalysisError> {
    if !path.linked() && !cfg.force_joint {
        let years = path
            .years
            .par_iter()
            .map(|y| evaluate(&y.region, &cfg.alloc).map(|e| e.results))
            .collect::<Vec<_>>();
        let mut out = Vec::with_capacity(years.len());
        for (y, r) in path.years.iter().zip(years) {
            out.push(YearResult {
                year: y.year,
                region: y.region.clone(),
                results: r?,
                stocks: Vec::new(),
                rooms: Vec::new(),
            });
        }
        return Ok(PathResults {
            solve: PathSolve::YearByYear,
            nodes: out.iter().map(|y| y.results.nodes).sum(),
            arcs: out.iter().map(|y| y.results.arcs).sum(),
            years: out,
            target_index: path.target_index,
            joint_phases: Vec::new(),
        });
    }
    let pn = PathNetwork::build(path)?;
    let target = path.target_region();
    let scaling = scaling(target);
    let alloc_cfg = AllocConfig {
        capacity_values: false,
        rate_ranges: false,
        ..cfg.alloc
    };
    let joint =
        Allocator::new(alloc_cfg).allocate(&pn.joint, target.settings.objective, scaling)?;
    let years = (0..path.years.len())
        .into_par_iter()
        .map(|t| year_of(path, &pn, &joint, t, scaling))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PathResults {
        solve: PathSolve::Joint,
        years,
        target_index: path.target_index,
        nodes: pn.joint.node_count(),
        arcs: pn.joint.arc_count(),
        joint_phases: super::phases(&joint),
    })
}

/// Year `t` of the joint solution, analysed.
fn year_of(
    path: &Path,
    pn: &PathNetwork,
    joint: &Allocation,
    t: usize,
    scaling: Scaling,
) -> Result<YearResult, AnalysisError> {
    let p = &joint.problem;
    let q = scaling.quantity;
    let (net, flow_units) = pn.year_view(t, &joint.flow_units, &p.upper, &p.supply, q);
    let mut region = path.years[t].region.clone();
    let mut stocks = Vec::new();
    for (i, s) in path.stockpiles.iter().enumerate() {
        let y = pn.stock_years(i, &joint.flow_units, &p.upper, &p.supply)[t];
        let producer = &mut region.producers[s.index[t].0];
        producer.stockpile = y.limit.min(y.start) as f64 * q;
        stocks.push(StockYear {
            producer: s.producer.clone(),
            start: y.start as f64 * q,
            drawn: y.drawn as f64 * q,
            end: y.end as f64 * q,
        });
    }
    let mut rooms = Vec::new();
    for (i, l) in path.landfills.iter().enumerate() {
        let y = pn.room_years(i, &joint.flow_units, &p.upper)[t];
        let park = &mut region.parks[l.index[t].0];
        let left = y.start as f64 * q;
        park.landfill_capacity = Some(park.landfill_capacity.map_or(left, |c| c.min(left)));
        rooms.push(RoomYear {
            park: l.park.clone(),
            start: left,
            stored: y.stored as f64 * q,
            end: y.end as f64 * q,
        });
    }
    let problem = flow_problem(&net, scaling)?;
    check_view(&problem, &flow_units, path.years[t].year)?;
    let (no, ao) = (pn.node_offset[t], pn.arc_offset[t]);
    let objective_units: i128 = problem
        .cost
        .iter()
        .zip(&flow_units)
        .map(|(&c, &x)| i128::from(c) * i128::from(x))
        .sum();
    let alloc = Allocation {
        flow: flow_units.iter().map(|&x| x as f64 * q).collect(),
        potential: joint.potential[no..no + net.node_count()].to_vec(),
        reduced_cost: joint.reduced_cost[ao..ao + net.arc_count()].to_vec(),
        objective_units,
        objective_yuan: objective_units as f64 * scaling.cost,
        phases: joint.phases.clone(),
        problem,
        scaling,
        capacity_value: None,
        landfill_value: None,
        rate_ranges: None,
        flow_units,
    };
    let results = analyse(&region, &net, &alloc);
    Ok(YearResult {
        year: path.years[t].year,
        region,
        results,
        stocks,
        rooms,
    })
}

/// A year's share of the joint solution is a feasible flow of the year's own problem: every
/// node balanced and every arc within its bounds (the joint solution is certified; this
/// checks the split into years).
fn check_view(
    p: &crate::allocate::FlowProblem,
    flow: &[i64],
    year: i32,
) -> Result<(), AnalysisError> {
    let mut balance = p.supply.clone();
    for (a, &x) in flow.iter().enumerate() {
        if x < p.lower[a] || x > p.upper[a] {
            return Err(AnalysisError::PathSplit(format!(
                "year {year}: arc {a} carries {x}, outside [{}, {}]",
                p.lower[a], p.upper[a]
            )));
        }
        balance[p.tail[a] as usize] -= x;
        balance[p.head[a] as usize] += x;
    }
    match balance.iter().position(|&b| b != 0) {
        None => Ok(()),
        Some(v) => Err(AnalysisError::PathSplit(format!(
            "year {year}: node {v} is out of balance by {}",
            balance[v]
        ))),
    }
}
