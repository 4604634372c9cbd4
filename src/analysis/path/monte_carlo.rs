//! The Monte Carlo of a path: every sample is the whole path (all its years, solved as the path
//! is: jointly when linked), with one draw per uncertain input shared by every year (common
//! random numbers across the years: an input that is high is high all along), from stream
//! (seed, sample index). P(meet the target) is judged in the target year.
//!
//! The inputs are the target year's `[[uncertain]]` entries (their order gives each input its
//! uniform); a year's entry of the same id uses the same uniform through its own distribution,
//! so a year may give an input another range. A year's entry whose id (or group) the target
//! year has not is refused. Each sample draws on the years' scenarios as loaded, then the
//! path's growth and ramps apply ([`crate::model::path::adjusted`]).

use super::{evaluate_path, PathConfig};
use crate::analysis::draw::{quantile, uniforms};
use crate::analysis::monte_carlo::Stats;
use crate::analysis::plan::stats::wilson95;
use crate::analysis::AnalysisError;
use crate::model::path::{adjusted, Path};
use crate::model::{inputs, Uncertain};
use rayon::prelude::*;

/// One sample of a path.
#[derive(Debug, Clone, PartialEq)]
pub struct PathSample {
    pub index: u64,
    /// Whether every year had a legal fate for every tonne (else the sample was evaluated with
    /// dumping allowed and misses the target).
    pub legal: bool,
    /// By year: the target's rate under the rule and strict.
    pub rate: Vec<Option<f64>>,
    pub strict: Vec<Option<f64>>,
    /// By year: whether the year's rate meets the target's rate.
    pub meets: Vec<bool>,
}

/// A path's Monte Carlo: every sample's record and the statistics over all of them.
#[derive(Debug, Clone)]
pub struct PathMonteCarlo {
    pub samples: u64,
    pub seed: u64,
    pub first: u64,
    /// The inputs drawn (ids or group names), in draw order.
    pub inputs: Vec<String>,
    pub records: Vec<PathSample>,
    /// By year: the rate's statistics under the rule and strict (over the samples where it is
    /// defined).
    pub rate: Vec<Option<Stats>>,
    pub strict: Vec<Option<Stats>>,
    /// By year: samples whose rate meets the target's rate.
    pub met: Vec<u64>,
    /// Samples with no legal fate in some year.
    pub no_legal_fate: u64,
    pub target_index: usize,
}

impl PathMonteCarlo {
    /// P(meet the target in its year) and its 95 % Wilson interval.
    pub fn p_meet(&self) -> (f64, (f64, f64)) {
        let m = self.met[self.target_index];
        (m as f64 / self.samples as f64, wilson95(m, self.samples))
    }
}

/// Errors of a path's Monte Carlo.
#[derive(Debug, thiserror::Error)]
pub enum PathMcError {
    #[error("the path's Monte Carlo needs [[uncertain]] entries in the target year's scenario")]
    NoInputs,
    #[error(
        "year {year}: the uncertain input \"{id}\" is not one of the target year's; a path draws \
         every input from the target year's [[uncertain]] list"
    )]
    UnknownInput { year: i32, id: String },
    #[error("sample {index}: {source}")]
    Sample {
        index: u64,
        #[source]
        source: AnalysisError,
    },
}

/// Each year's entries mapped to the target year's inputs (by label).
fn input_of(
    path: &Path,
    uncertain: &[Vec<Uncertain>],
) -> Result<(Vec<String>, Vec<Vec<usize>>), PathMcError> {
    let target = &uncertain[path.target_index];
    if target.is_empty() {
        return Err(PathMcError::NoInputs);
    }
    let labels: Vec<String> = inputs(target).into_iter().map(|(l, _)| l).collect();
    let mut of = Vec::new();
    for (y, entries) in path.years.iter().zip(uncertain) {
        let mut v = Vec::new();
        for e in entries {
            let label = e.group.as_deref().unwrap_or(&e.id);
            match labels.iter().position(|l| l == label) {
                Some(i) => v.push(i),
                None => {
                    return Err(PathMcError::UnknownInput {
                        year: y.year,
                        id: label.to_string(),
                    })
                }
            }
        }
        of.push(v);
    }
    Ok((labels, of))
}

/// Runs `samples` samples of `path` from index `first` (`uncertain`: each year's entries, by
/// year index), in parallel, gathered in index order; `progress` is told of every sample done.
pub fn path_monte_carlo(
    path: &Path,
    uncertain: &[Vec<Uncertain>],
    (samples, seed, first): (u64, u64, u64),
    cfg: &PathConfig,
    progress: &(dyn Fn() + Sync),
) -> Result<PathMonteCarlo, PathMcError> {
    let (labels, of) = input_of(path, uncertain)?;
    let last = first.saturating_add(samples);
    let records = (first..last)
        .into_par_iter()
        .map(|k| {
            let r = sample(path, uncertain, &of, labels.len(), seed, k, cfg);
            progress();
            r
        })
        .collect::<Result<Vec<_>, _>>()?;
    let years = path.years.len();
    let rate = (0..years)
        .map(|t| Stats::of(records.iter().map(|s| s.rate[t])))
        .collect();
    let strict = (0..years)
        .map(|t| Stats::of(records.iter().map(|s| s.strict[t])))
        .collect();
    let met = (0..years)
        .map(|t| records.iter().filter(|s| s.meets[t]).count() as u64)
        .collect();
    Ok(PathMonteCarlo {
        samples: records.len() as u64,
        seed,
        first,
        inputs: labels,
        no_legal_fate: records.iter().filter(|s| !s.legal).count() as u64,
        records,
        rate,
        strict,
        met,
        target_index: path.target_index,
    })
}

/// Sample `k`: the uniforms of stream (seed, k), every year's entries drawn through them, the
/// path solved.
fn sample(
    path: &Path,
    uncertain: &[Vec<Uncertain>],
    of: &[Vec<usize>],
    inputs: usize,
    seed: u64,
    k: u64,
    cfg: &PathConfig,
) -> Result<PathSample, PathMcError> {
    // The target year's inputs' uniforms, as a single run of that year draws them.
    let u = uniforms(&uncertain[path.target_index], seed, k);
    debug_assert_eq!(u.len(), inputs);
    let mut p = path.clone();
    for (t, y) in p.years.iter_mut().enumerate() {
        let mut r = y.scenario.clone();
        for (e, &i) in uncertain[t].iter().zip(&of[t]) {
            e.apply(&mut r, quantile(&e.distribution, u[i]));
        }
        y.region = adjusted(&r, &y.adjust);
    }
    let cfg = PathConfig {
        alloc: crate::allocate::AllocConfig {
            capacity_values: false,
            rate_ranges: false,
            ..cfg.alloc
        },
        ..*cfg
    };
    let (results, legal) = match evaluate_path(&p, &cfg) {
        Ok(r) => (r, true),
        Err(AnalysisError::NoLegalFate(_)) => {
            for y in &mut p.years {
                y.region.policy.allow_dumping = true;
            }
            let r = evaluate_path(&p, &cfg)
                .map_err(|source| PathMcError::Sample { index: k, source })?;
            (r, false)
        }
        Err(source) => return Err(PathMcError::Sample { index: k, source }),
    };
    Ok(PathSample {
        index: k,
        legal,
        rate: results
            .years
            .iter()
            .map(|y| y.results.target.achieved)
            .collect(),
        strict: results
            .years
            .iter()
            .map(|y| y.results.target.strict_achieved)
            .collect(),
        meets: results
            .years
            .iter()
            .map(|y| legal && y.results.target.meets)
            .collect(),
    })
}
