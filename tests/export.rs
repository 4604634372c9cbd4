//! `export`: the problems a run solves, phase by phase. A DIMACS file re-read and solved by the
//! engine gives the run's phase objective; the MPS and LP files state the same problem (one
//! row per node, one integer column per arc), checked on their structure here and by hand on a
//! small example in `src/allocate/export.rs`.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use symbiosim::allocate::export::{export, Format};
use symbiosim::allocate::{phase_problems, AllocConfig, Scaling, SolverConfig};
use symbiosim::analysis::evaluate;
use symbiosim::model::{Objective, Region};
use symbiosim::network::Network;
use symbiosim::scenario;
use symbiosim_engine::{dimacs, solve, SolveStatus};

fn region(name: &str, objective: Objective) -> Region {
    let mut r = scenario::load(Path::new(&format!("scenarios/{name}.toml")))
        .unwrap()
        .region;
    r.settings.objective = objective;
    r
}

fn scaling(r: &Region) -> Scaling {
    Scaling {
        quantity: r.settings.quantity_resolution,
        cost: r.settings.cost_resolution,
    }
}

#[test]
fn exported_dimacs_solves_to_the_runs_phase_objectives() {
    for name in ["tiny", "ordos_2025"] {
        for objective in [Objective::Cost, Objective::MaxUtilisation] {
            let r = region(name, objective);
            let net = Network::build(&r).unwrap();
            let phases =
                phase_problems(&net, objective, scaling(&r), SolverConfig::default()).unwrap();
            let run = evaluate(&r, &AllocConfig::default()).unwrap().results;
            assert_eq!(phases.len(), run.phases.len());
            for k in 0..phases.len() {
                assert_eq!(phases[k].name, run.phases[k].name);
                let text = export(&r, &net, objective, scaling(&r), &phases, k, Format::Dimacs);
                let p = dimacs::parse(&text).unwrap();
                assert_eq!(p, phases[k].problem, "{name} phase {}", k + 1);
                let sol = solve(&p, &SolverConfig::default()).unwrap();
                assert_eq!(sol.status, SolveStatus::Optimal);
                assert_eq!(
                    sol.objective,
                    run.phases[k].objective_units,
                    "{name} {objective:?} phase {}",
                    k + 1
                );
            }
        }
    }
}

/// The rows, the columns, the integer columns and the bounded columns of a free MPS file.
fn mps_structure(text: &str) -> (usize, BTreeSet<String>, usize, usize) {
    let mut section = "";
    let (mut rows, mut cols, mut bounds) = (0, BTreeSet::new(), 0);
    let mut integer = false;
    let mut ints = BTreeSet::new();
    for line in text.lines().filter(|l| !l.starts_with('*')) {
        if !line.starts_with(' ') {
            section = line.split_whitespace().next().unwrap_or("");
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        match section {
            "ROWS" if f[0] == "E" => rows += 1,
            "COLUMNS" if f[1] == "'MARKER'" => integer = f[2] == "'INTORG'",
            "COLUMNS" => {
                cols.insert(f[0].to_string());
                if integer {
                    ints.insert(f[0].to_string());
                }
            }
            "BOUNDS" => bounds += usize::from(f[0] == "UP" || f[0] == "PL"),
            _ => {}
        }
    }
    (rows, cols, ints.len(), bounds)
}

#[test]
fn mps_and_lp_have_a_row_per_node_and_an_integer_column_per_arc() {
    for name in ["tiny", "ordos_2025"] {
        let objective = Objective::MaxUtilisation;
        let r = region(name, objective);
        let net = Network::build(&r).unwrap();
        let phases = phase_problems(&net, objective, scaling(&r), SolverConfig::default()).unwrap();
        // Three phases of the objective, then the canonical rule's steps while ties remain.
        assert!(phases.len() >= 3, "{name}: {}", phases.len());
        assert_eq!(phases[2].name, "least cost");
        let total = phases.len();
        for k in 0..total {
            let p = &phases[k].problem;
            let (n, m) = (p.num_nodes(), p.num_arcs());
            let mps = export(&r, &net, objective, scaling(&r), &phases, k, Format::Mps);
            let (rows, cols, ints, bounds) = mps_structure(&mps);
            assert_eq!((rows, cols.len(), ints, bounds), (n, m, m, m), "{name}");
            let lp = export(&r, &net, objective, scaling(&r), &phases, k, Format::Lp);
            let body: Vec<&str> = lp.lines().filter(|l| !l.starts_with('\\')).collect();
            let at = |h: &str| body.iter().position(|l| *l == h).unwrap();
            let (st, bd, gen, end) = (at("Subject To"), at("Bounds"), at("General"), at("End"));
            assert_eq!(at("Minimize"), 0);
            let rows = body[st + 1..bd]
                .iter()
                .filter(|l| l.starts_with(" n"))
                .count();
            assert_eq!(
                rows, n,
                "one equality per node (long ones continue on more lines)"
            );
            assert_eq!(gen - bd - 1, m, "one bound per arc");
            let general: usize = body[gen + 1..end]
                .iter()
                .map(|l| l.split_whitespace().count())
                .sum();
            assert_eq!(general, m);
            // The comment block maps every node and arc.
            let nodes = lp.lines().filter(|l| l.starts_with("\\ node ")).count();
            let arcs = lp.lines().filter(|l| l.starts_with("\\ arc ")).count();
            assert_eq!((nodes, arcs), (n, m));
            assert!(lp.contains(&format!("phase {} of {total}", k + 1)));
        }
    }
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_symbiosim"))
}

#[test]
fn export_writes_a_file_never_replacing_one_without_force() {
    let dir = std::env::temp_dir().join(format!("symbiosim-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("tiny.dimacs");
    let args = |extra: &[&str]| {
        let mut c = bin();
        c.args([
            "export",
            "scenarios/tiny.toml",
            "--format",
            "dimacs",
            "--out",
        ])
        .arg(&out)
        .args(extra);
        c.output().unwrap()
    };
    let first = args(&["--phase", "1"]);
    assert!(first.status.success(), "{first:?}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("phase 1 of 3: \"least disposal\""));
    let again = args(&[]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        text,
        "left unchanged"
    );
    let forced = args(&["--force", "--objective", "cost"]);
    assert!(forced.status.success(), "{forced:?}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("phase 1 of 1: \"least cost\""));
    let bad = args(&["--force", "--phase", "4"]);
    assert!(!bad.status.success());
    let msg = String::from_utf8_lossy(&bad.stderr);
    assert!(
        msg.contains("this allocation has 3 phases (1 \"least disposal\", 2 \"most stockpile drawn\", 3 \"least cost\"): give one of 1 to 3"),
        "{msg}"
    );
    // Without --out: standard output.
    let stdout = bin()
        .args(["export", "scenarios/tiny.toml", "--format", "lp"])
        .output()
        .unwrap();
    assert!(stdout.status.success());
    assert!(String::from_utf8_lossy(&stdout.stdout).ends_with("End\n"));
    let _ = std::fs::remove_dir_all(&dir);
}
