//! A region evaluated: network, exact allocation and analysis, once ([`evaluate`]) or for many
//! variants of one region with the network and the simplex basis kept ([`Evaluator`]).

use super::{analyse, Alternative, Figures, Results};
use crate::allocate::{AllocConfig, AllocateError, Allocation, Allocator, Scaling, SolveStatus};
use crate::model::Region;
use crate::network::{Network, NetworkError};

/// A region solved and analysed.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub network: Network,
    pub allocation: Allocation,
    pub results: Results,
}

/// Errors of the analysis layer.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error(transparent)]
    Network(#[from] crate::network::NetworkError),
    #[error(transparent)]
    Allocate(#[from] crate::allocate::AllocateError),
    /// Dumping is forbidden and some waste has neither a landfill nor a consumer.
    #[error(transparent)]
    NoLegalFate(#[from] super::legal::NoLegalFate),
    /// A year's share of a path's joint solution is not a feasible flow of the year (a
    /// defect: the check that guards the split into years).
    #[error("the split of the path's joint solution into years failed: {0}")]
    PathSplit(String),
}

/// Evaluates many variants of a region (Monte Carlo samples, policy levers) with the network
/// built once and one simplex basis kept: a variant of the same structure (other quantities,
/// capacities, prices, policy) only refreshes the network's values ([`Network::refresh`]) and
/// is re-solved warm from the previous optimum. A variant of another structure is built anew
/// and solved cold. Results equal cold evaluations and are always certified.
///
/// ```no_run
/// # use symbiosim::{allocate::AllocConfig, analysis::Evaluator, model::Region};
/// # fn samples(region: &Region) -> Vec<Region> { vec![] }
/// # let region: Region = unimplemented!();
/// // The Monte Carlo path: no capacity values or rate ranges, results only.
/// let mut ev = Evaluator::new(AllocConfig {
///     capacity_values: false,
///     rate_ranges: false,
///     ..AllocConfig::default()
/// });
/// for sample in samples(&region) {
///     let results = ev.results(&sample).unwrap();
///     println!("{:?}", results.solids.rate());
/// }
/// assert_eq!(ev.builds(), 1); // the samples only changed values
/// ```
#[derive(Clone)]
pub struct Evaluator {
    allocator: Allocator,
    network: Option<Network>,
    builds: u64,
}

impl Evaluator {
    pub fn new(cfg: AllocConfig) -> Self {
        Evaluator {
            allocator: Allocator::new(cfg),
            network: None,
            builds: 0,
        }
    }

    /// The network of the last region evaluated.
    pub fn network(&self) -> Option<&Network> {
        self.network.as_ref()
    }

    /// How many times a network was built (rather than refreshed).
    pub fn builds(&self) -> u64 {
        self.builds
    }

    /// Refreshes the kept network for `region` (or builds it: the first time, or when the
    /// structure changed), allocates exactly and analyses. The Monte Carlo path: nothing is
    /// copied out but the results.
    pub fn results(&mut self, region: &Region) -> Result<Results, AnalysisError> {
        self.run(region).map(|(_, results)| results)
    }

    /// [`Evaluator::results`] with the network (a copy of the kept one) and the allocation.
    pub fn evaluate(&mut self, region: &Region) -> Result<Evaluation, AnalysisError> {
        let (allocation, results) = self.run(region)?;
        Ok(Evaluation {
            network: self.network.clone().expect("set by run"),
            allocation,
            results,
        })
    }

    /// [`Evaluator::evaluate`], then the same region under the other objective (warm from the
    /// primary's basis, without capacity values or rate ranges), whose headline numbers and
    /// the cost of moving from least cost to technical potential go into
    /// [`Results::alternative`].
    pub fn evaluate_with_alternative(
        &mut self,
        region: &Region,
    ) -> Result<Evaluation, AnalysisError> {
        let mut evaluation = self.evaluate(region)?;
        let network = self.network.as_ref().expect("set by evaluate");
        let other = region.settings.objective.other();
        let cfg = self.allocator.config();
        self.allocator.set_config(AllocConfig {
            capacity_values: false,
            rate_ranges: false,
            ..cfg
        });
        let alt = self.allocator.allocate(network, other, scaling(region));
        self.allocator.set_config(cfg);
        let alt = analyse(region, network, &alt?);
        evaluation.results.alternative = Some(Alternative::new(other, &evaluation.results, &alt));
        Ok(evaluation)
    }

    fn run(&mut self, region: &Region) -> Result<(Allocation, Results), AnalysisError> {
        self.prepare(region)?;
        let network = self.network.as_ref().expect("set by prepare");
        let scaling = Scaling {
            quantity: region.settings.quantity_resolution,
            cost: region.settings.cost_resolution,
        };
        let allocation = self
            .allocator
            .allocate(network, region.settings.objective, scaling)
            .map_err(|e| explain(region, scaling, e))?;
        let results = analyse(region, network, &allocation);
        Ok((allocation, results))
    }

    /// Builds now what the next warm re-solve would build first (see [`Allocator::prepare`]),
    /// without changing any result: copies made afterwards skip that work.
    pub fn prepare_warm(&mut self) {
        self.allocator.prepare();
    }

    /// Makes this evaluator a copy of `base` (its basis, and its network where this one's was
    /// rebuilt since), reusing buffers: the Monte Carlo restores the base optimum this way
    /// before every sample, so that a sample's result does not depend on what was solved before.
    pub fn restore_from(&mut self, base: &Evaluator) {
        self.allocator.copy_from(&base.allocator);
        if self.builds != base.builds {
            self.network.clone_from(&base.network);
            self.builds = base.builds;
        }
    }

    /// The figures a Monte Carlo sample keeps ([`Figures`]) for `region`, a variant of the
    /// region last evaluated that differs in values only (see [`Network::refresh_values`]; a
    /// variant of another structure is built anew): the network's values and the integer
    /// problem are rewritten in place, the phases re-solved warm and certified, and the
    /// figures computed from the flows without the full analysis. Equal to the figures of
    /// [`Evaluator::results`] on the same evaluator.
    pub fn figures(&mut self, region: &Region, out: &mut Figures) -> Result<(), AnalysisError> {
        let refreshed = match &mut self.network {
            Some(net) => match net.refresh_values(region) {
                Ok(()) => true,
                Err(NetworkError::TopologyChanged(_)) => false,
                Err(e) => return Err(e.into()),
            },
            None => false,
        };
        if !refreshed {
            self.network = Some(Network::build(region)?);
            self.builds += 1;
        }
        let network = self.network.as_ref().expect("set above");
        let scaling = scaling(region);
        let flows = self
            .allocator
            .allocate_flows(network, region.settings.objective, scaling)
            .map_err(|e| explain(region, scaling, e))?;
        out.compute(
            region,
            network,
            &flows.flow_units,
            flows.supply_units,
            scaling.quantity,
        );
        Ok(())
    }

    /// Refreshes the kept network for `region`, or builds a new one.
    fn prepare(&mut self, region: &Region) -> Result<(), NetworkError> {
        let refreshed = match &mut self.network {
            Some(net) => match net.refresh(region) {
                Ok(()) => true,
                Err(NetworkError::TopologyChanged(_)) => false,
                Err(e) => return Err(e),
            },
            None => false,
        };
        if !refreshed {
            self.network = Some(Network::build(region)?);
            self.builds += 1;
        }
        Ok(())
    }
}

/// An allocation error as the analysis reports it: an infeasible problem where dumping is
/// forbidden is explained as waste with no legal fate where there is some.
fn explain(region: &Region, scaling: Scaling, e: AllocateError) -> AnalysisError {
    match e {
        AllocateError::NotOptimal(SolveStatus::Infeasible) if !region.policy.allow_dumping => {
            match super::legal::diagnose(region, scaling) {
                Ok(Some(e)) => e.into(),
                Ok(None) => AllocateError::NotOptimal(SolveStatus::Infeasible).into(),
                Err(super::legal::DiagnoseError::Network(e)) => e.into(),
                Err(super::legal::DiagnoseError::Allocate(e)) => e.into(),
            }
        }
        e => e.into(),
    }
}

/// The units of `region`'s integer problem.
pub(super) fn scaling(region: &Region) -> Scaling {
    Scaling {
        quantity: region.settings.quantity_resolution,
        cost: region.settings.cost_resolution,
    }
}

/// [`evaluate`], and the same region under the other objective in
/// [`Results::alternative`] (see [`Evaluator::evaluate_with_alternative`]).
pub fn evaluate_with_alternative(
    region: &Region,
    cfg: &AllocConfig,
) -> Result<Evaluation, AnalysisError> {
    Evaluator::new(*cfg).evaluate_with_alternative(region)
}

/// Builds the network of `region`, allocates exactly (every solve certified) and analyses.
pub fn evaluate(region: &Region, cfg: &AllocConfig) -> Result<Evaluation, AnalysisError> {
    let mut ev = Evaluator::new(*cfg);
    let (allocation, results) = ev.run(region)?;
    Ok(Evaluation {
        network: ev.network.take().expect("set by run"),
        allocation,
        results,
    })
}
