//! The proven per-sample upper bound that lets the search reject most portfolios without
//! solving them (the proof is in `docs/plan.md`; its outline here).
//!
//! For portfolio `S` and sample `k`, let `U(S,k)` be the counted utilisation in the target's
//! scope (new generation plus stockpile drawn, units per year) of the exact allocation under
//! the scenario's objective, and `G(k)` the new generation in scope (it does not depend on `S`:
//! candidates never change producers). Three steps:
//!
//! 1. **Relaxation.** Whatever the objective, the allocation is a feasible flow, so
//!    `U(S,k) ≤ W(S,k)`, the most counted flow in scope that *any* flow can carry: the region
//!    with out-of-scope producers emptied, uncounted consumers closed (capacity 0), dumping
//!    allowed (every constraint dropped only enlarges the feasible set). Under least cost with
//!    levers the allocation chooses its own utilisation, but it is still a feasible flow, so
//!    the bound holds for both objectives. `W` is computed by the technical-potential phases
//!    on that relaxed region: least disposal of new generation, then most stockpile drawn —
//!    a maximum flow from prioritised sources is a maximum flow (augmenting paths from the
//!    super source never return through it).
//! 2. **Adding capacity.** `L` = the base with every link candidate open and no capacity
//!    candidate (links only add arcs, so `W` can only grow). A candidate `m` adds counted
//!    capacity in force `c_m(k)` (a new counted consumer's capacity, or an expansion of a
//!    counted consumer, after the sample's multipliers; 0 for levers, links and uncounted
//!    consumers). Scaling every flow through an enlarged consumer by old/new capacity gives a
//!    flow feasible for the smaller network (every intake and group limit is an absolute
//!    value or a share of the capacity), removing at most `c_m(k)`: so
//!    `W(S,k) ≤ W(L,k) + Σ_{m∈S} c_m(k)` (plus a rounding slack of a few resolution units per
//!    consumer arc touched, because capacities are rounded down to the solver's units).
//! 3. **The target.** The rate is `(U_new + D)/(G + D)`, D the stockpile drawn and counted.
//!    Meeting it (`rate + 1e-12 ≥ t`) implies `U_new + D ≥ (t − 1e-12)(G + D)`, hence
//!    `U = U_new + D ≥ (t − 1e-12)·G + (1 − t + 1e-12)·D ≥ (t − 1e-12)·G`. Stockpile draws
//!    can raise the rate, but never below this necessary condition.
//!
//! 4. **Every candidate but one.** Capacity and links only enlarge what a flow may do, so for
//!    every `m ∉ S`, `W(S,k) ≤ W(ALL∖{m},k)` (all candidates but `m` applied, admissible or
//!    not; rounding down is monotone, so no slack). A candidate `m` whose `W(ALL∖{m},·)`
//!    reaches the target in fewer than the required samples is *essential*: every feasible
//!    portfolio contains it, and the search enumerates only portfolios containing all of them.
//!
//! So sample `k` can meet the target under `S` only if
//! `min(W(L,k) + Σ_{m∈S} c_m(k) + slack(S), min_{m∉S} W(ALL∖{m},k)) ≥ (t − 1e-12 − 1e-9)·G(k)`
//! (1e-9 covers the floating sums), and `S` can reach the confidence only if that holds in at least the required number
//! of samples. A portfolio failing it is infeasible: never a feasible one pruned.

use crate::analysis::monte_carlo::{monte_carlo_each, multipliers, SampleError};
use crate::model::{
    apply_multipliers, Candidates, Effect, MaterialClass, Objective, Region, TargetScope, Uncertain,
};

/// The bound's data for one set of in-sample draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    /// `W(L,k)`: the most counted utilisation in scope with every link open, per sample.
    pub relaxed_utilised: Vec<f64>,
    /// `G(k)`: new generation in scope, per sample.
    pub generated: Vec<f64>,
    /// `c_m(k)`: the counted capacity in force candidate `m` adds, per candidate, per sample.
    pub adds: Vec<Vec<f64>>,
    /// `W(ALL∖{m}, k)`: the most counted utilisation in scope with every candidate but `m`
    /// applied (admissible or not), per candidate, per sample. Capacity and links only add to
    /// what a flow may do, so `W(S,k) ≤ W(ALL∖{m},k)` for every `S` without `m`.
    pub all_but: Vec<Vec<f64>>,
    /// `(t − 1e-12 − 1e-9)·G(k)`: what the counted utilisation must reach in sample `k`.
    reach: Vec<f64>,
    /// `(t − 1e-12 − 1e-9)·G(k) − W(L,k)`: what a portfolio must add in sample `k`.
    need: Vec<f64>,
    /// `need` sorted ascending (a quick necessary condition).
    sorted_need: Vec<f64>,
    /// Each candidate's largest `c_m(k)`.
    max_add: Vec<f64>,
    /// Each candidate's rounding slack, units per year.
    slack: Vec<f64>,
    /// The solver's quantity resolution (one rounding unit).
    unit: f64,
}

/// The relaxed region whose technical potential is `W(L, ·)`: `base` with every link
/// candidate open, no other candidate, out-of-scope producers emptied, uncounted consumers
/// closed, dumping allowed, the technical-potential objective on the same capacity in force.
pub fn relaxed_region(base: &Region) -> Region {
    let links: Vec<bool> = base
        .candidates
        .list
        .iter()
        .map(|c| c.effects.iter().any(|e| matches!(e, Effect::Link { .. })))
        .collect();
    relaxed_region_with(base, &links)
}

/// [`relaxed_region`] with the candidates flagged in `chosen` applied (`W(A, ·)` for a set A).
pub fn relaxed_region_with(base: &Region, chosen: &[bool]) -> Region {
    let cands = &base.candidates;
    let mut r = cands.region_for(base, chosen);
    // Levers set by the link candidates do not matter here (the objective ignores costs for
    // the rate), but keep the region free of them anyway: only the links are needed.
    r.policy = base.policy.clone();
    r.candidates = Candidates::default();
    for c in 0..r.consumers.len() {
        if !r.counted(crate::model::ConsumerId(c)) {
            r.consumers[c].capacity = 0.0;
        }
    }
    let scope = r.target.scope.clone();
    for p in 0..r.producers.len() {
        let pr = &r.producers[p];
        let solid = r.materials[pr.material.0].class == MaterialClass::Solid;
        let inside = solid
            && match &scope {
                TargetScope::AllSolids => true,
                TargetScope::Material(m) => pr.material == *m,
                TargetScope::Park(k) => pr.park == *k || r.parks[pr.park.0].parent == Some(*k),
            };
        if !inside {
            r.producers[p].quantity = 0.0;
            r.producers[p].stockpile = 0.0;
        }
    }
    r.settings.nameplate_for_potential = base.settings.objective == Objective::MaxUtilisation
        && base.settings.nameplate_for_potential;
    r.settings.objective = Objective::MaxUtilisation;
    r.policy.allow_dumping = true;
    r
}

/// The counted capacity in force each candidate adds in the sample with `mult`, from the
/// region with every candidate applied (`all`). Capacity in force is linear in nameplate and a
/// capacity multiplier scales the expanded nameplate, so an expansion adds
/// `add × (capacity in force ÷ nameplate)` of its consumer in the sample.
fn adds_in_sample(all: &Region, entries: &[Uncertain], mult: &[f64]) -> Vec<f64> {
    let sample = apply_multipliers(all, entries, mult);
    let cands = &all.candidates;
    // New consumers sit after the base's, in candidate then effect order.
    let mut next = all_base_len(all);
    let mut out = vec![0.0; cands.len()];
    for (m, c) in cands.list.iter().enumerate() {
        let mut add = 0.0;
        for e in &c.effects {
            match e {
                Effect::NewConsumer(_) => {
                    let id = crate::model::ConsumerId(next);
                    next += 1;
                    if all.counted(id) {
                        add += sample.capacity_in_force(&sample.consumers[id.0]);
                    }
                }
                Effect::Expand {
                    consumer,
                    capacity_add,
                } => {
                    let nameplate = all.consumers[consumer.0].capacity;
                    if all.counted(*consumer) && nameplate > 0.0 {
                        let force = sample.capacity_in_force(&sample.consumers[consumer.0]);
                        add += capacity_add * force / nameplate;
                    }
                }
                Effect::Link { .. } | Effect::Policy(_) => {}
            }
        }
        out[m] = add.max(0.0);
    }
    out
}

/// The base consumer count of a region with every candidate applied (new consumers are
/// appended after the base's).
fn all_base_len(all: &Region) -> usize {
    all.consumers.len()
        - all
            .candidates
            .list
            .iter()
            .flat_map(|c| &c.effects)
            .filter(|e| matches!(e, Effect::NewConsumer(_)))
            .count()
}

impl Bound {
    /// The bound on samples `0..n` of `seed`: Monte Carlos of the relaxed regions (`L` and
    /// `ALL∖{m}` for each candidate: `n` exact, certified solves each) and the capacities
    /// every candidate adds in each sample.
    pub fn new(
        base: &Region,
        entries: &[Uncertain],
        seed: u64,
        n: u64,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Bound, SampleError> {
        // Per-sample columns only (never the samples' records): 8 bytes a sample each.
        let column = || Vec::with_capacity(usize::try_from(n).unwrap_or(0).min(1 << 20));
        let (mut relaxed_utilised, mut generated) = (column(), column());
        monte_carlo_each(
            &relaxed_region(base),
            entries,
            (seed, 0, n),
            progress,
            &mut |s| {
                relaxed_utilised.push(s.scope_utilised);
                generated.push(s.scope_generated);
            },
        )?;
        let t = base.target.rate;
        let cands = &base.candidates;
        let mut all_but = Vec::with_capacity(cands.len());
        for m in 0..cands.len() {
            let mut flags = vec![true; cands.len()];
            flags[m] = false;
            let r = relaxed_region_with(base, &flags);
            let mut w = column();
            monte_carlo_each(&r, entries, (seed, 0, n), progress, &mut |s| {
                w.push(s.scope_utilised)
            })?;
            all_but.push(w);
        }
        let reach: Vec<f64> = generated.iter().map(|&g| (t - 1e-12 - 1e-9) * g).collect();
        let need: Vec<f64> = relaxed_utilised
            .iter()
            .zip(&reach)
            .map(|(&w, &r)| r - w)
            .collect();
        let mut sorted_need = need.clone();
        sorted_need.sort_by(f64::total_cmp);
        let all = cands.region_for(base, &vec![true; cands.len()]);
        let mut adds: Vec<Vec<f64>> = (0..cands.len()).map(|_| column()).collect();
        for k in 0..n {
            let a = adds_in_sample(&all, entries, &multipliers(entries, seed, k));
            for (m, x) in a.into_iter().enumerate() {
                adds[m].push(x);
            }
        }
        let max_add = adds
            .iter()
            .map(|v| v.iter().fold(0.0f64, |a, &b| a.max(b)))
            .collect();
        // Rounding: each capacity, intake and group limit of a touched consumer is rounded
        // down to whole solver units separately.
        let slack = cands
            .list
            .iter()
            .map(|c| {
                c.effects
                    .iter()
                    .map(|e| match e {
                        Effect::NewConsumer(k) => 2 + k.intakes.len() + k.groups.len(),
                        Effect::Expand { consumer, .. } => {
                            let k = &base.consumers[consumer.0];
                            2 + k.intakes.len() + k.groups.len()
                        }
                        _ => 0,
                    })
                    .sum::<usize>() as f64
            })
            .collect();
        Ok(Bound {
            relaxed_utilised,
            generated,
            adds,
            all_but,
            reach,
            need,
            sorted_need,
            max_add,
            slack,
            unit: base.settings.quantity_resolution,
        })
    }

    fn members(&self, mask: u64) -> impl Iterator<Item = usize> + '_ {
        (0..self.adds.len()).filter(move |&m| mask & (1 << m) != 0)
    }

    fn slack_of(&self, mask: u64) -> f64 {
        let mut s = 1.0;
        for m in self.members(mask) {
            s += self.slack[m];
        }
        s * self.unit
    }

    /// The proven upper bound on the counted utilisation in scope of portfolio `mask` in
    /// sample `k`, units per year.
    pub fn sample_bound(&self, mask: u64, k: usize) -> f64 {
        let mut w = self.relaxed_utilised[k] + self.slack_of(mask);
        for m in self.members(mask) {
            w += self.adds[m][k];
        }
        for (m, v) in self.all_but.iter().enumerate() {
            if mask & (1 << m) == 0 {
                w = w.min(v[k]);
            }
        }
        w
    }

    /// The candidates without which the confidence is out of reach: `m` such that
    /// `W(ALL∖{m}, k)` reaches the target in fewer than `required` samples. Every feasible
    /// portfolio contains all of them.
    pub fn essential(&self, required: u64) -> u64 {
        let mut mask = 0;
        for (m, v) in self.all_but.iter().enumerate() {
            let n = v.iter().zip(&self.reach).filter(|(w, r)| w >= r).count() as u64;
            if n < required {
                mask |= 1 << m;
            }
        }
        mask
    }

    /// How many samples the bound lets `mask` meet the target in (an upper bound on the
    /// exact count).
    pub fn samples_possible(&self, mask: u64) -> u64 {
        let slack = self.slack_of(mask);
        let mut n = 0;
        for k in 0..self.need.len() {
            let mut add = slack;
            for m in self.members(mask) {
                add += self.adds[m][k];
            }
            let capped = self
                .all_but
                .iter()
                .enumerate()
                .all(|(m, v)| mask & (1 << m) != 0 || v[k] >= self.reach[k]);
            if add >= self.need[k] && capped {
                n += 1;
            }
        }
        n
    }

    /// Whether `mask` may meet the target in `required` samples (false: proven infeasible).
    pub fn may_meet(&self, mask: u64, required: u64) -> bool {
        if required == 0 {
            return true;
        }
        let Some(&nth) = self.sorted_need.get(required as usize - 1) else {
            return false;
        };
        let mut most = self.slack_of(mask);
        for m in self.members(mask) {
            most += self.max_add[m];
        }
        // At least `required` samples need no more than `nth`; the most any sample gets is
        // `most`.
        most >= nth && self.samples_possible(mask) >= required
    }

    /// Candidate `m`'s mean added counted capacity over the samples (the heuristic's score).
    pub fn mean_add(&self, m: usize) -> f64 {
        let v = &self.adds[m];
        let mut s = 0.0;
        for &x in v {
            s += x;
        }
        if v.is_empty() {
            0.0
        } else {
            s / v.len() as f64
        }
    }
}
