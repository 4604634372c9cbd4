//! The architecture invariants of ARCHITECTURE.md, checked on the source text.

use std::fs;
use std::path::Path;

fn sources(dir: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![Path::new(dir).to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push((p.display().to_string(), fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Asserts that no file under `dir` (except `except`) mentions any of `forbidden`.
fn forbid(dir: &str, except: &[&str], forbidden: &[&str]) {
    let files = sources(dir);
    assert!(!files.is_empty(), "{dir} has no sources");
    for (path, text) in files {
        if except.iter().any(|e| path.ends_with(e)) {
            continue;
        }
        // Unit tests may do what the module itself must not (e.g. write sample charts).
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for f in forbidden {
            assert!(
                !code.contains(f),
                "{path} must not use `{f}` (see ARCHITECTURE.md)"
            );
        }
    }
}

#[test]
fn model_is_plain_domain_types() {
    forbid(
        "src/model",
        &[],
        &[
            "use crate::",
            "serde::",
            "use serde",
            "Deserialize",
            "std::fs",
            "std::io",
        ],
    );
}

#[test]
fn scenario_builds_only_the_model() {
    forbid(
        "src/scenario",
        &[],
        &[
            "crate::network",
            "crate::solve",
            "crate::analysis",
            "crate::report",
        ],
    );
}

#[test]
fn network_knows_only_the_model() {
    forbid(
        "src/network",
        &[],
        &[
            "crate::scenario",
            "crate::solve",
            "crate::analysis",
            "crate::report",
            "serde",
        ],
    );
}

#[test]
fn solver_core_knows_nothing_of_the_domain() {
    forbid(
        "src/solve",
        &["allocate.rs"],
        &[
            "crate::model",
            "crate::network",
            "crate::scenario",
            "crate::analysis",
            "crate::report",
        ],
    );
    forbid(
        "src/solve",
        &[],
        &["crate::scenario", "crate::analysis", "crate::report"],
    );
}

#[test]
fn analysis_does_not_read_scenarios_or_write_reports() {
    forbid(
        "src/analysis",
        &[],
        &["crate::scenario", "crate::report", "std::fs"],
    );
}

#[test]
fn report_never_solves_and_only_the_writer_touches_disk() {
    forbid(
        "src/report",
        &[],
        &["crate::solve", "crate::scenario", "crate::network"],
    );
    forbid("src/report", &["writer.rs"], &["std::fs", "File::create"]);
}

#[test]
fn nothing_imports_the_cli() {
    forbid("src", &["main.rs"], &["crate::cli", "mod cli"]);
}
