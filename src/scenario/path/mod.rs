//! Path files: one region over consecutive years (`docs/path.md`, `docs/format.md`, "Paths").
//!
//! ```toml
//! [path]
//! title = "Ordos 2020 → 2025"         # required
//! base = "ordos_2025.toml"            # required: every year's scenario, relative to this file
//! first_year = 2020                   # required
//! last_year = 2025                    # required (at most 50 years)
//! target_year = 2025                  # default: last_year
//!
//! [[path.year]]                       # changes from a year on (they hold in later years)
//! year = 2020
//! scenario = "ordos_2020.toml"        # this year's scenario file, until a later year names one
//! with = ["measure_id"]               # candidate measures that start this year
//! set = { "policy.env_tax_multiplier" = 2.0 }   # values from this year on
//!
//! [[path.growth]]                     # generation grows (or shrinks) year on year
//! material = "coal_gangue"            # or park = "P1", or producers = ["id", …]; none: all
//! rate = 0.03                         # per year, compound, from the scenario file's own year
//!
//! [[path.ramp]]
//! measure = "measure_id"
//! shares = [0.5, 0.8]                 # its capacity's share in its first, second, … year; 1 after
//!
//! [[path.stock]]                      # a legacy stock, finite over the years
//! producer = "id"
//! stock = 3e8                         # at the start of first_year; yearly drawing ≤ `stockpile`
//!
//! [[path.landfill]]                   # a landfill's room, shared by the years
//! park = "P8"
//! room = 6e6                          # at the start of first_year; a per-year limit still holds
//! ```
//!
//! # Precedence (written once)
//!
//! **scenario file < path (`scenario.year`, the years' `set` in year order, `with` added to
//! the file's `[scenario] with`) < command line (`--set`, in every year)**; then growth and
//! ramps multiply the loaded year.

mod checks;
mod schema;

use checks::Problems;
use schema::{File, YearEntry};

use super::diag::{line_col, Diagnostic};
use super::overrides::{Override, Provenance};
use super::{Diagnostics, Loaded, ScenarioError};
use crate::model::path::{Adjust, Path as ModelPath, RoomLink, StockLink, Year};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The most years a path spans.
pub const MAX_YEARS: i32 = 50;

/// A path loaded: the model's path and what the reports name.
#[derive(Debug, Clone)]
pub struct LoadedPath {
    pub path: ModelPath,
    /// Each year's scenario as loaded (its `[[uncertain]]`, hash and files).
    pub years: Vec<Loaded>,
    /// SHA-256 over the path file's and every year's scenario hash, hex.
    pub hash: String,
    /// The files read: the path file, then each scenario file once.
    pub files: Vec<String>,
}

/// Whether the TOML file at `path` is a path file (has a top-level `[path]` table).
pub fn is_path(path: &Path) -> bool {
    super::has_top_table(path, "path")
}

/// Loads the path file at `file_path`: every year's scenario with the path's changes, then
/// `extra` (the command line's) in every year; growth and ramps applied; the links resolved.
pub fn load(file_path: &Path, extra: &[Override]) -> Result<LoadedPath, ScenarioError> {
    let text = super::read_scenario(file_path)?;
    let file = file_path.display().to_string();
    let dir = file_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut pr = Problems {
        file: &file,
        text: &text,
        list: Vec::new(),
    };
    let h = match toml::from_str::<File>(&text) {
        Ok(f) => f.path,
        Err(e) => {
            let at = e.span().map(|s| s.start).unwrap_or(0);
            pr.at(at, "path", e.message().trim().to_string());
            return Err(ScenarioError::Invalid(Diagnostics(pr.list)));
        }
    };
    let (first, last, target) = checks::header(&h, &mut pr);
    pr.done()?;
    let mut pr = Problems {
        file: &file,
        text: &text,
        list: Vec::new(),
    };
    // Year entries in year order.
    let mut entries: Vec<&Spanned<YearEntry>> = h.year.iter().collect();
    entries.sort_by_key(|y| *y.get_ref().year.get_ref());
    // Where each measure starts (for its ramp).
    let mut started: BTreeMap<String, i32> = BTreeMap::new();
    let mut scenario_file: PathBuf = dir.join(h.base.get_ref());
    let mut loaded = Vec::new();
    let mut years = Vec::new();
    let mut files = vec![file.clone()];
    let mut sets: Vec<Override> = Vec::new();
    let mut withs: Vec<(String, Provenance)> = Vec::new();
    let mut digest = sha2::Sha256::new();
    use sha2::Digest;
    digest.update(text.as_bytes());
    for year in first..=last {
        let mut year_origin = pr.origin(h.first_year.span().start);
        for e in entries
            .iter()
            .filter(|e| *e.get_ref().year.get_ref() == year)
        {
            let e = e.get_ref();
            year_origin = pr.origin(e.year.span().start);
            if let Some(s) = &e.scenario {
                scenario_file = dir.join(s.get_ref());
            }
            if let Some(set) = &e.set {
                for (k, v) in set.get_ref() {
                    sets.push(Override {
                        path: k.clone(),
                        value: v.to_string(),
                        origin: pr.origin(set.span().start),
                    });
                }
            }
            if let Some(with) = &e.with {
                for m in with.get_ref() {
                    started.entry(m.clone()).or_insert(year);
                    withs.push((m.clone(), pr.origin(with.span().start)));
                }
            }
        }
        let base_text = super::read_scenario(&scenario_file)?;
        let file_year = toml::from_str::<toml::Table>(&base_text)
            .ok()
            .and_then(|t| t.get("scenario")?.get("year")?.as_integer())
            .map_or(year, |y| y as i32);
        let mut all = vec![Override {
            path: "scenario.year".into(),
            value: year.to_string(),
            origin: year_origin.clone(),
        }];
        all.extend(sets.iter().cloned());
        all.extend_from_slice(extra);
        if let Some((_, origin)) = withs.last() {
            let with = super::overrides::with_added(
                &all,
                &base_text,
                withs.iter().map(|(m, _)| m.as_str()),
                origin.clone(),
            );
            all.push(with);
        }
        let l = super::load_with(&scenario_file, &all).map_err(|e| in_year(e, year))?;
        let region = &l.region;
        let mut adjust = Vec::new();
        for (i, g) in h.growth.iter().enumerate() {
            let g = g.get_ref();
            let factor = (1.0 + g.rate.get_ref()).powi(year - file_year);
            let mut grow = |select: &dyn Fn(&crate::model::Producer) -> bool| {
                let producers = (0..region.producers.len())
                    .filter(|&p| select(&region.producers[p]))
                    .map(crate::model::ProducerId)
                    .collect();
                adjust.push(Adjust::Grow { producers, factor });
            };
            let mut unknown = |what: &str, s: &Spanned<String>| {
                pr.at(
                    s.span().start,
                    &format!("path.growth[{i}].{what}"),
                    format!(
                        "no {what} \"{}\" in year {year}'s scenario ({})",
                        s.get_ref(),
                        scenario_file.display()
                    ),
                );
            };
            if let Some(m) = &g.material {
                match region.materials.iter().position(|x| &x.id == m.get_ref()) {
                    Some(m) => grow(&|p| p.material.0 == m),
                    None => unknown("material", m),
                }
            } else if let Some(k) = &g.park {
                match region.parks.iter().position(|x| &x.id == k.get_ref()) {
                    Some(k) => grow(&|p| {
                        p.park.0 == k || region.parks[p.park.0].parent.map(|x| x.0) == Some(k)
                    }),
                    None => unknown("park", k),
                }
            } else if let Some(ids) = &g.producers {
                for id in ids.get_ref() {
                    if !region.producers.iter().any(|p| &p.id == id) {
                        pr.at(
                            ids.span().start,
                            &format!("path.growth[{i}].producers"),
                            format!(
                                "no producer \"{id}\" in year {year}'s scenario ({})",
                                scenario_file.display()
                            ),
                        );
                    }
                }
                grow(&|p| ids.get_ref().contains(&p.id));
            } else {
                grow(&|_| true);
            }
        }
        for (i, r) in h.ramp.iter().enumerate() {
            let r = r.get_ref();
            let Some(&start) = started.get(r.measure.get_ref()) else {
                continue;
            };
            if year < start {
                continue;
            }
            let share = r
                .shares
                .get_ref()
                .get((year - start) as usize)
                .copied()
                .unwrap_or(1.0);
            if region
                .candidates
                .list
                .iter()
                .any(|c| &c.id == r.measure.get_ref())
            {
                adjust.push(Adjust::Ramp {
                    id: r.measure.get_ref().clone(),
                    share,
                });
            } else {
                pr.at(
                    r.measure.span().start,
                    &format!("path.ramp[{i}].measure"),
                    format!(
                        "no candidate measure \"{}\" in year {year}'s scenario",
                        r.measure.get_ref()
                    ),
                );
            }
        }
        digest.update(l.hash.as_bytes());
        for f in &l.files {
            if !files.contains(f) {
                files.push(f.clone());
            }
        }
        years.push(Year::new(year, region.clone(), adjust));
        loaded.push(l);
    }
    // Every year on the same footing.
    let t0 = &years[0].region;
    for y in &years[1..] {
        let s = &y.region.settings;
        if s.objective != t0.settings.objective
            || s.quantity_resolution != t0.settings.quantity_resolution
            || s.cost_resolution != t0.settings.cost_resolution
        {
            pr.at(0, "path", format!("year {} has another objective or resolution than year {first}: every year of a path must share [settings] objective, quantity_resolution and cost_resolution_yuan", y.year));
            break;
        }
    }
    let (stockpiles, landfills) = checks::links(&h, &years, &mut pr);
    pr.done()?;
    Ok(LoadedPath {
        path: ModelPath {
            title: h.title,
            description: h.description,
            target_index: (target - first) as usize,
            years,
            stockpiles,
            landfills,
        },
        years: loaded,
        hash: format!("{:x}", digest.finalize()),
        files,
    })
}

/// A year's loading error, each problem saying which year of the path it is in.
fn in_year(e: ScenarioError, year: i32) -> ScenarioError {
    match e {
        ScenarioError::Invalid(d) => ScenarioError::Invalid(Diagnostics(
            d.0.into_iter()
                .map(|mut d| {
                    d.message = format!("{} (in the path's year {year})", d.message);
                    d
                })
                .collect(),
        )),
        e => e,
    }
}
