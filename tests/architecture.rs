//! The architecture invariants of ARCHITECTURE.md that the crate boundaries cannot express,
//! checked on the whole text of every source file (unit tests included).
//!
//! The engine is its own crate (`crates/engine`) and does not depend on this one, so the
//! compiler already keeps it free of the domain. Inside this crate, the modules are stages of
//! one pipeline; which stage may name which is the table in [`RULES`].

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// The modules of the library, in pipeline order.
const MODULES: &[&str] = &[
    "model", "scenario", "network", "allocate", "analysis", "report",
];

/// Each module, the crate modules it may name, and the only one allowed to name the engine.
const RULES: &[(&str, &[&str])] = &[
    ("model", &[]),
    ("scenario", &["model"]),
    ("network", &["model"]),
    ("allocate", &["model", "network"]),
    ("analysis", &["model", "network", "allocate"]),
    ("report", &["model", "analysis"]),
];

fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
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

/// Drops `//` comments (doc comments may name any module), keeping string literals intact
/// enough for this purpose: no source here puts `//` inside a string on an import line.
fn code_of(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every crate module a file names: `crate::x…` anywhere, and each top-level name of a grouped
/// `use crate::{x, y::z, …}`.
fn crate_modules(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        // `symbiosim_crate::` or `my_crate::` are other names, not `crate::`.
        let before = rest[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            rest = after;
            continue;
        }
        if let Some(group) = after.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            let mut items = Vec::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => items.push(std::mem::take(&mut item)),
                    _ if depth == 1 => item.push(c),
                    _ => {}
                }
            }
            items.push(item);
            for it in items {
                let name: String = it
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        } else {
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.insert(name);
        }
        rest = after;
    }
    found
}

#[test]
fn the_import_scanner_sees_grouped_and_nested_imports() {
    let code = "use crate::{model::*, network::{Network, ArcKind}};\nuse crate::report;\n\
                fn f() { crate::analysis::evaluate(); }\nuse symbiosim_crate::x;";
    let found: Vec<String> = crate_modules(code).into_iter().collect();
    assert_eq!(found, ["analysis", "model", "network", "report"]);
    assert_eq!(code_of("use a; // crate::report"), "use a; ");
}

#[test]
fn each_stage_names_only_the_stages_before_it() {
    let mut checked = 0;
    for &(module, allowed) in RULES {
        let files = sources(&Path::new("src").join(module));
        assert!(!files.is_empty(), "src/{module} has no sources");
        for (path, text) in files {
            let code = code_of(&text);
            for used in crate_modules(&code) {
                if used == module || !MODULES.contains(&used.as_str()) {
                    continue;
                }
                assert!(
                    allowed.contains(&used.as_str()),
                    "{path} names crate::{used}, which {module} may not (see ARCHITECTURE.md)"
                );
            }
            assert!(
                !code.contains("cli::"),
                "{path}: nothing in the library names the CLI"
            );
            if module != "allocate" {
                assert!(
                    !code.contains("symbiosim_engine"),
                    "{path}: only `allocate` drives the engine"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} files checked");
}

#[test]
fn model_is_plain_domain_types() {
    for (path, text) in sources(Path::new("src/model")) {
        let code = code_of(&text);
        for f in ["serde", "Deserialize", "std::fs", "std::io"] {
            assert!(!code.contains(f), "{path} must not use `{f}`");
        }
    }
}

#[test]
fn network_has_no_serde_and_analysis_no_disk() {
    for (path, text) in sources(Path::new("src/network")) {
        assert!(
            !code_of(&text).contains("serde"),
            "{path} must not use serde"
        );
    }
    for (path, text) in sources(Path::new("src/analysis")) {
        assert!(
            !code_of(&text).contains("std::fs"),
            "{path} must not touch the disk"
        );
    }
}

/// Report functions return bytes; only `report::writer` touches the disk. Unit tests that
/// write sample files go through `tempfile` or the writer, never `std::fs` directly.
#[test]
fn only_the_writer_touches_the_disk() {
    for (path, text) in sources(Path::new("src/report")) {
        if path.contains("/writer/") {
            continue;
        }
        let code = code_of(&text);
        for f in ["std::fs", "File::create", "fs::write"] {
            assert!(!code.contains(f), "{path} must not use `{f}`");
        }
    }
}

#[test]
fn only_main_declares_the_cli() {
    for (path, text) in sources(Path::new("src")) {
        if path.ends_with("main.rs") || path.contains("/cli/") {
            continue;
        }
        let code = code_of(&text);
        assert!(
            !code.contains("mod cli"),
            "{path}: the CLI lives in the binary"
        );
    }
}

/// The engine's manifest names no crate of this workspace: it could be published alone.
#[test]
fn the_engine_depends_on_nothing_of_the_workspace() {
    let manifest = fs::read_to_string("crates/engine/Cargo.toml").unwrap();
    assert!(!manifest.contains("path ="), "{manifest}");
    assert!(!manifest.contains("symbiosim ="), "{manifest}");
}
