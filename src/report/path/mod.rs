//! The outputs of a path (`run` on a path file; `docs/reports.md`, "Paths"): one row per year
//! (`path.csv`), per year and material (`path_materials.csv`) and park (`path_parks.csv`),
//! the linked stocks and landfills year by year (`path_links.csv`), `path.json`, `report.md`,
//! the trajectory chart, and every year's own run outputs under `years/<year>/`.
//!
//! Rooms: `tables` (the CSV files, each one's columns written once), `json` (`path.json`,
//! `path_check.json` of `plan` on a path), `text` (`report.md`, the terminal lines); this file
//! holds what they share, the chart's input and [`render_path`].

mod json;
mod tables;
mod text;

pub use json::{path_check_json, path_json};
pub use tables::{
    path_csv, path_links_csv, path_materials_csv, path_monte_carlo_csv, path_parks_csv,
    path_samples_csv,
};
pub use text::{path_md, terminal_path};

use super::format::{csv_number, percent_summary, percent_whole};
use super::{render, OutputFile, ReportError};
use crate::analysis::path::{PathMonteCarlo, PathResults, PathSolve};
use crate::analysis::Results;
use crate::model::path::Path;
use crate::model::text::escape;
use crate::model::Region;
use crate::report::{hydrogen_kg, measures};

fn num(x: f64, d: i32) -> String {
    csv_number(x, d)
}

fn measures_cost(region: &Region) -> f64 {
    let c = &region.candidates;
    c.cost(&c.applied)
}

fn stored(r: &Results) -> f64 {
    r.landfills.iter().map(|l| l.stored).sum()
}

fn solve_name(s: PathSolve) -> &'static str {
    match s {
        PathSolve::Joint => "joint",
        PathSolve::YearByYear => "year_by_year",
    }
}

/// How the path was solved, in a sentence.
pub fn solve_sentence(p: &Path, r: &PathResults) -> String {
    match r.solve {
        PathSolve::Joint => format!(
            "solved jointly as one time-expanded network ({} nodes, {} arcs): {}",
            r.nodes,
            r.arcs,
            links_phrase(p)
        ),
        PathSolve::YearByYear => {
            "solved year by year: no stock or landfill room links the years".to_string()
        }
    }
}

fn links_phrase(p: &Path) -> String {
    let mut parts = Vec::new();
    if !p.stockpiles.is_empty() {
        let ids: Vec<String> = p
            .stockpiles
            .iter()
            .map(|s| escape(&s.producer).into_owned())
            .collect();
        parts.push(format!("legacy stock of {} carried over", ids.join(", ")));
    }
    if !p.landfills.is_empty() {
        let ids: Vec<String> = p
            .landfills
            .iter()
            .map(|l| escape(&l.park).into_owned())
            .collect();
        parts.push(format!(
            "landfill room of {} shared by the years",
            ids.join(", ")
        ));
    }
    parts.join("; ")
}

/// The trajectory chart's input: each year's target rate under the rule and strict, the
/// Monte Carlo's p5–p95 when it ran, the target and its year.
pub fn trajectory_chart_data(
    p: &Path,
    r: &PathResults,
    mc: Option<&PathMonteCarlo>,
) -> super::charts::TrajectoryChart {
    let tr = p.target_region();
    let ty = r.target_year();
    super::charts::TrajectoryChart {
        title: format!("{}: {} utilisation rate by year", p.title, ty.results.target.scope),
        subtitle: match r.solve {
            PathSolve::Joint => format!("solved jointly: {}", links_phrase(p)),
            PathSolve::YearByYear => "solved year by year (nothing links the years)".to_string(),
        },
        years: r.years.iter().map(|y| y.year).collect(),
        rate: r.years.iter().map(|y| y.results.target.achieved).collect(),
        rule: tr.target.accounting.rule.clone(),
        strict: r
            .years
            .iter()
            .map(|y| y.results.target.strict_achieved)
            .collect(),
        band: mc.and_then(|mc| {
            mc.rate
                .iter()
                .map(|s| s.as_ref().map(|s| (s.p5, s.p95)))
                .collect::<Option<Vec<_>>>()
        }),
        target_rate: tr.target.rate,
        target_year: ty.year,
        note: mc.map(|mc| {
            let (pm, (lo, hi)) = mc.p_meet();
            format!(
                "P(meet {} in {}) = {} [{}, {}], {} samples (seed {}); p5–p95 of the rate under the rule",
                percent_whole(tr.target.rate),
                ty.year,
                percent_summary(Some(pm)),
                percent_summary(Some(lo)),
                percent_summary(Some(hi)),
                crate::report::format::grouped(mc.samples as f64),
                mc.seed
            )
        }),
    }
}

/// Every output of a path run but the manifest: the path's files, then each year's run
/// outputs under `years/<year>/`.
pub fn render_path(
    p: &Path,
    r: &PathResults,
    mc: Option<&PathMonteCarlo>,
) -> Result<Vec<OutputFile>, ReportError> {
    let mut out = vec![
        OutputFile {
            path: "path.csv".into(),
            bytes: path_csv(p, r)?,
        },
        OutputFile {
            path: "path_materials.csv".into(),
            bytes: path_materials_csv(r)?,
        },
        OutputFile {
            path: "path_parks.csv".into(),
            bytes: path_parks_csv(r)?,
        },
        OutputFile {
            path: "path_links.csv".into(),
            bytes: path_links_csv(r)?,
        },
        OutputFile {
            path: "path.json".into(),
            bytes: path_json(p, r, mc)?,
        },
    ];
    if let Some(mc) = mc {
        out.push(OutputFile {
            path: "path_monte_carlo.csv".into(),
            bytes: path_monte_carlo_csv(p, mc)?,
        });
        out.push(OutputFile {
            path: "path_samples.csv".into(),
            bytes: path_samples_csv(p, mc)?,
        });
    }
    out.push(OutputFile {
        path: "report.md".into(),
        bytes: path_md(p, r, mc).into_bytes(),
    });
    let chart = trajectory_chart_data(p, r, mc);
    out.push(OutputFile {
        path: "charts/trajectory.png".into(),
        bytes: super::charts::trajectory_png(&chart)?,
    });
    out.push(OutputFile {
        path: "charts/trajectory.svg".into(),
        bytes: super::charts::trajectory_svg(&chart)?.into_bytes(),
    });
    use rayon::prelude::*;
    let years: Vec<Vec<OutputFile>> = r
        .years
        .par_iter()
        .map(|y| render(&y.region, &y.results))
        .collect::<Result<_, _>>()?;
    for (y, files) in r.years.iter().zip(years) {
        out.extend(files.into_iter().map(|f| OutputFile {
            path: format!("years/{}/{}", y.year, f.path),
            bytes: f.bytes,
        }));
    }
    Ok(out)
}
