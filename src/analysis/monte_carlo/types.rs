//! The Monte Carlo's types: a sample's record ([`SampleResult`], [`SampleStatus`]), how
//! records are laid out ([`SampleLayout`]), a run's statistics ([`MonteCarloSummary`]) or the
//! whole run in memory ([`MonteCarlo`]), and its errors. The loop is
//! [`super::monte_carlo_streamed`].

use super::stats::{CellStats, Sensitivity, Stats};
use crate::analysis::{AnalysisError, Balance};
use crate::model::{inputs, MaterialId, ParkId, Region, Uncertain};

/// The small results kept of one sample.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleResult {
    pub index: u64,
    /// One multiplier per uncertain entry, in declaration order.
    pub multipliers: Vec<f64>,
    /// The target's rate under its accounting rule (None when undefined).
    pub rate: Option<f64>,
    /// The target's rate under the strict rule.
    pub strict_rate: Option<f64>,
    /// Each solid material's rate, in [`SampleLayout::materials`] order.
    pub material_rates: Vec<Option<f64>>,
    /// Net cost (the objective's definition), yuan per year.
    pub cost: f64,
    pub co2_avoided_t: f64,
    pub co2_transport_t: f64,
    pub meets_target: bool,
    /// Each consolidated park × solid material's balance ([`SampleLayout::parks`] then
    /// [`SampleLayout::materials`] order: `cells[p * materials + m]`).
    pub cells: Vec<Balance>,
    /// Whether the sample has an allocation (else its rates are undefined, its money and CO2
    /// are NaN and it does not meet the target).
    pub status: SampleStatus,
    /// New generation in the target's scope, units per year.
    pub scope_generated: f64,
    /// Utilised in the target's scope under its accounting rule (new generation plus
    /// stockpile drawn), units per year.
    pub scope_utilised: f64,
}

/// The outcome of one sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleStatus {
    /// Solved and certified.
    Ok,
    /// Dumping is forbidden and a sampled quantity has no legal fate
    /// ([`NoLegalFate`](crate::analysis::NoLegalFate)): no allocation exists.
    NoLegalFate,
}

impl SampleStatus {
    /// The name written in `samples.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            SampleStatus::Ok => "ok",
            SampleStatus::NoLegalFate => "no_legal_fate",
        }
    }
}

/// What every sample's record is laid out by, known before the run: the entries (the
/// multipliers' columns), the independent inputs, and the materials and parks of the cells.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleLayout {
    /// The entries' ids, in declaration order (the multipliers' columns).
    pub entries: Vec<String>,
    /// The independent inputs in draw order: a label (an ungrouped entry's id or a group's
    /// name) and its entries' indices.
    pub inputs: Vec<(String, Vec<usize>)>,
    /// The solid materials whose rates each sample keeps.
    pub materials: Vec<MaterialId>,
    /// The consolidated parks of each sample's cells.
    pub parks: Vec<ParkId>,
}

impl SampleLayout {
    /// The layout of `base`'s samples under `entries`.
    pub fn of(base: &Region, entries: &[Uncertain]) -> SampleLayout {
        SampleLayout {
            entries: entries.iter().map(|e| e.id.clone()).collect(),
            inputs: inputs(entries),
            materials: base
                .materials
                .iter()
                .enumerate()
                .filter(|(_, m)| m.class == crate::model::MaterialClass::Solid)
                .map(|(i, _)| MaterialId(i))
                .collect(),
            parks: (0..base.parks.len())
                .filter(|&i| base.parks[i].parent.is_none())
                .map(ParkId)
                .collect(),
        }
    }
}

/// A Monte Carlo run's statistics, without the samples' records.
#[derive(Debug, Clone, PartialEq)]
pub struct MonteCarloSummary {
    pub seed: u64,
    pub first_sample: u64,
    /// Samples solved.
    pub count: u64,
    /// The entries' ids, in declaration order (the multipliers' columns).
    pub entries: Vec<String>,
    /// The independent inputs in draw order: a label (an ungrouped entry's id or a group's
    /// name) and its entries' indices.
    pub inputs: Vec<(String, Vec<usize>)>,
    /// The solid materials whose rates each sample keeps.
    pub materials: Vec<MaterialId>,
    /// The consolidated parks of each sample's cells.
    pub parks: Vec<ParkId>,
    /// Samples with no allocation ([`SampleStatus::NoLegalFate`]).
    pub samples_infeasible: u64,
    /// Share of samples meeting the target (samples with no allocation do not).
    pub p_meet_target: f64,
    pub rate: Option<Stats>,
    pub strict_rate: Option<Stats>,
    /// Each solid material's statistics (all parks), in [`MonteCarloSummary::materials`] order.
    pub by_material: Vec<CellStats>,
    /// Each consolidated park's statistics (all solids), in [`MonteCarloSummary::parks`] order.
    pub by_park: Vec<CellStats>,
    /// The inputs by how much they move the target's rate (Spearman's ρ, by |ρ|).
    pub tornado: Vec<Sensitivity>,
    /// The target's rate in every sample where it is defined, in index order (the
    /// distribution chart).
    pub rates: Vec<f64>,
    /// The same under the strict rule.
    pub strict_rates: Vec<f64>,
}

/// A Monte Carlo run held in memory: its statistics (reached through `Deref`) and every
/// sample's record in index order.
#[derive(Debug, Clone, PartialEq)]
pub struct MonteCarlo {
    pub summary: MonteCarloSummary,
    pub samples: Vec<SampleResult>,
}

impl std::ops::Deref for MonteCarlo {
    type Target = MonteCarloSummary;
    fn deref(&self) -> &MonteCarloSummary {
        &self.summary
    }
}

/// A Monte Carlo sample failed (the sample's index, and why).
#[derive(Debug, thiserror::Error)]
#[error("Monte Carlo sample {index}: {source}")]
pub struct SampleError {
    pub index: u64,
    #[source]
    pub source: AnalysisError,
}

/// A streamed run failed: a sample, or the sink.
#[derive(Debug, thiserror::Error)]
pub enum StreamError<E: std::error::Error + 'static> {
    #[error(transparent)]
    Sample(#[from] SampleError),
    #[error(transparent)]
    Sink(E),
    #[error("the Monte Carlo's statistics columns")]
    Columns(#[source] std::io::Error),
}
