//! A phase's integer problem as text for reviewers: DIMACS (the engine's writer), free MPS and
//! CPLEX LP, each opened by a comment block that maps node and arc numbers back to the
//! scenario (node kind and id; arc kind and ids) and states the scaling, so the objective
//! converts back to yuan. Pure functions returning text; the caller writes the file.
//!
//! The three formats state the same problem: one variable `x<a>` per arc `a` (numbered from 1
//! in input order, integer, `lower ≤ x ≤ upper`, no upper bound where the arc is uncapacitated),
//! one conservation row `n<v>` per node `v` (numbered from 1): `Σ x out of v − Σ x into v =
//! supply(v)`, and the objective `minimise Σ cost(a)·x<a>`.

use super::{PhaseProblem, Scaling};
use crate::model::{MaterialClass, Objective, Region};
use crate::network::{ArcKind, Network, NodeKind, Source};
use std::fmt::Write;
use symbiosim_engine::{FlowProblem, INFINITE_CAPACITY};

/// The file formats of `symbiosim export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `p min` DIMACS, as `symbiosim solve-dimacs` and LEMON read it (comment lines `c`).
    Dimacs,
    /// Free MPS (comment lines `*`).
    Mps,
    /// CPLEX LP (comment lines `\`).
    Lp,
}

/// Phase `k` (0-based) of `phases` in `format`, opened by comments mapping nodes and arcs of
/// `net` (built from `region`) to the scenario, and the scaling.
pub fn export(
    region: &Region,
    net: &Network,
    objective: Objective,
    scaling: Scaling,
    phases: &[PhaseProblem],
    k: usize,
    format: Format,
) -> String {
    let phase = &phases[k];
    let comments = comments(region, net, objective, scaling, phases, k);
    match format {
        Format::Dimacs => {
            let mut s = String::new();
            for c in &comments {
                push_comment(&mut s, "c", c);
            }
            s.push_str(&symbiosim_engine::dimacs::write(&phase.problem));
            s
        }
        Format::Mps => mps(&phase.problem, &comments),
        Format::Lp => lp(&phase.problem, &comments),
    }
}

fn push_comment(s: &mut String, prefix: &str, line: &str) {
    if line.is_empty() {
        let _ = writeln!(s, "{prefix}");
    } else {
        let _ = writeln!(s, "{prefix} {line}");
    }
}

fn objective_name(o: Objective) -> &'static str {
    match o {
        Objective::Cost => "cost",
        Objective::MaxUtilisation => "max_utilisation",
    }
}

fn class(c: MaterialClass) -> &'static str {
    match c {
        MaterialClass::Solid => "solids",
        MaterialClass::Hydrogen => "hydrogen",
    }
}

/// The comment block: what the problem is, its scaling, its nodes and arcs.
fn comments(
    region: &Region,
    net: &Network,
    objective: Objective,
    scaling: Scaling,
    phases: &[PhaseProblem],
    k: usize,
) -> Vec<String> {
    let phase = &phases[k];
    let p = &phase.problem;
    let mut c = Vec::new();
    c.push(format!(
        "symbiosim {}: scenario \"{}\" ({}), objective {}",
        env!("CARGO_PKG_VERSION"),
        region.name,
        region.year,
        objective_name(objective)
    ));
    c.push(format!(
        "phase {} of {}: \"{}\"; minimisation; {} nodes, {} arcs; all data integer",
        k + 1,
        phases.len(),
        phase.name,
        p.num_nodes(),
        p.num_arcs()
    ));
    c.push(format!(
        "optimal objective of this phase (certified): {}",
        phase.objective
    ));
    let phase_names: Vec<String> = phases.iter().map(|ph| format!("\"{}\"", ph.name)).collect();
    c.push(format!("phases in order: {}", phase_names.join(", ")));
    c.push(String::new());
    c.push(format!(
        "scaling: one flow unit = {} of the material's unit (t for solids, kg for hydrogen)",
        scaling.quantity
    ));
    c.push(format!(
        "         one cost unit = {} yuan per flow unit; quantities in material units = flow x {}",
        scaling.cost, scaling.quantity
    ));
    if phase.name == "least cost" {
        c.push(format!(
            "objective in yuan per year = objective x {} (arc costs are the network's net unit costs)",
            scaling.cost
        ));
    } else {
        c.push(
            "this phase's costs are 0/1 (disposal or kept stockpile); its objective counts flow units"
                .to_string(),
        );
    }
    if k > 0 {
        c.push(
            "earlier phases' optima enter as upper bounds on the disposal -> sink and kept -> sink arcs"
                .to_string(),
        );
    }
    c.push(format!(
        "uncapacitated arcs: upper bound {INFINITE_CAPACITY} in the engine; -1 in DIMACS, no upper bound in MPS and LP"
    ));
    c.push(String::new());
    c.push("nodes: number (from 1; row n<number> in MPS/LP), kind, id".to_string());
    for v in net.graph.node_indices() {
        c.push(format!(
            "node {}: {}",
            v.index() + 1,
            node_label(region, &net.graph[v])
        ));
    }
    c.push(String::new());
    c.push(
        "arcs: number (from 1; column x<number> in MPS/LP), tail -> head, kind, ids".to_string(),
    );
    for (a, s, t, arc) in net.arcs() {
        c.push(format!(
            "arc {}: {} -> {}: {}",
            a + 1,
            s.index() + 1,
            t.index() + 1,
            arc_label(region, &arc.kind, net.modes_in_reach(a))
        ));
    }
    c.push(String::new());
    c
}

fn intake_label(region: &Region, consumer: usize, intake: usize) -> String {
    let c = &region.consumers[consumer];
    let m = c
        .intakes
        .get(intake)
        .map_or("?", |i| region.materials[i.material.0].id.as_str());
    format!("{} intake {} ({m})", c.id, intake + 1)
}

fn group_label(region: &Region, consumer: usize, group: usize) -> String {
    let c = &region.consumers[consumer];
    let g = c.groups.get(group).map_or("?", |g| g.id.as_str());
    format!("{g} of consumer {}", c.id)
}

fn node_label(region: &Region, kind: &NodeKind) -> String {
    match *kind {
        NodeKind::Producer(p) => format!("producer {} (new generation)", region.producers[p.0].id),
        NodeKind::Stockpile(p) => format!("stockpile of producer {}", region.producers[p.0].id),
        NodeKind::StockKept(m) => format!("stockpile kept ({})", class(m)),
        NodeKind::Intake(c, i) => format!("intake {}", intake_label(region, c.0, i)),
        NodeKind::Consumer(c) => format!("consumer {}", region.consumers[c.0].id),
        NodeKind::Group(c, g) => format!("blend group {}", group_label(region, c.0, g)),
        NodeKind::Landfill(p) => format!("landfill of park {}", region.parks[p.0].id),
        NodeKind::Disposal(m) => format!("disposal ({})", class(m)),
        NodeKind::Sink => "sink".to_string(),
    }
}

fn arc_label(region: &Region, kind: &ArcKind, reach: &[(crate::model::ModeId, f64)]) -> String {
    let producer = |p: crate::model::ProducerId| region.producers[p.0].id.as_str();
    match *kind {
        ArcKind::Transport {
            source,
            consumer,
            intake,
            mode,
            km,
        } => {
            let (origin, p) = match source {
                Source::Generation(p) => ("generation", p),
                Source::Stockpile(p) => ("stockpile", p),
            };
            let c = &region.consumers[consumer.0];
            let route = region.routes.get(c.route.0).map_or("", |r| r.id.as_str());
            // The arc carries the cheapest of its modes in reach: name the others.
            let cheapest = if reach.len() > 1 {
                let all: Vec<String> = reach
                    .iter()
                    .map(|&(m, km)| format!("{} {km:.3} km", region.modes[m.0].id))
                    .collect();
                format!(" (the cheapest of {})", all.join(", "))
            } else {
                String::new()
            };
            format!(
                "transport {} ({origin}) to {} by mode {}, {km:.3} km{cheapest}, route {route}",
                producer(p),
                intake_label(region, consumer.0, intake),
                region.modes[mode.0].id,
            )
        }
        ArcKind::Use { consumer, intake } => {
            format!(
                "use (blend limit) {}",
                intake_label(region, consumer.0, intake)
            )
        }
        ArcKind::GroupLimit { consumer, group } => {
            format!(
                "limit of blend group {}",
                group_label(region, consumer.0, group)
            )
        }
        ArcKind::Capacity { consumer } => {
            format!("capacity of consumer {}", region.consumers[consumer.0].id)
        }
        ArcKind::Store { producer: p } => format!("compliant storage of {}", producer(p)),
        ArcKind::Dump { producer: p } => format!("dumping (non-compliant) of {}", producer(p)),
        ArcKind::LandfillLimit { park } => {
            format!("landfill capacity of park {}", region.parks[park.0].id)
        }
        ArcKind::Keep { producer: p } => format!("stockpile of {} kept", producer(p)),
        ArcKind::DisposalOut(m) => format!("disposal -> sink ({})", class(m)),
        ArcKind::KeptOut(m) => format!("kept -> sink ({})", class(m)),
        ArcKind::Carry => "carried to the next year".to_string(),
    }
}

/// Each node's arcs with their coefficient in its conservation row (+1 leaving, −1 entering;
/// a loop cancels out), in arc order.
fn rows_of(p: &FlowProblem) -> Vec<Vec<(usize, i64)>> {
    let mut rows = vec![Vec::new(); p.num_nodes()];
    for a in 0..p.num_arcs() {
        let (t, h) = (p.tail[a] as usize, p.head[a] as usize);
        if t != h {
            rows[t].push((a, 1));
            rows[h].push((a, -1));
        }
    }
    rows
}

/// Free MPS: rows `n<v>` (equalities), the objective row `COST`, integer columns `x<a>` between
/// `MARKER INTORG` / `INTEND`, right-hand sides the supplies, explicit bounds on every column
/// (`PL` where uncapacitated, so no reader takes an unbounded integer column for a binary one).
pub fn mps(p: &FlowProblem, comments: &[String]) -> String {
    let mut s = String::with_capacity(64 * p.num_arcs() + 32 * p.num_nodes() + 256);
    for c in comments {
        push_comment(&mut s, "*", c);
    }
    s.push_str("NAME symbiosim\nROWS\n N COST\n");
    for v in 0..p.num_nodes() {
        let _ = writeln!(s, " E n{}", v + 1);
    }
    s.push_str("COLUMNS\n    MARKER 'MARKER' 'INTORG'\n");
    for a in 0..p.num_arcs() {
        let x = a + 1;
        if p.cost[a] != 0 {
            let _ = writeln!(s, "    x{x} COST {}", p.cost[a]);
        }
        let (t, h) = (p.tail[a] as usize, p.head[a] as usize);
        if t != h {
            let _ = writeln!(s, "    x{x} n{} 1", t + 1);
            let _ = writeln!(s, "    x{x} n{} -1", h + 1);
        } else if p.cost[a] == 0 {
            // A loop with no cost is in no row; name it once so the column exists.
            let _ = writeln!(s, "    x{x} COST 0");
        }
    }
    s.push_str("    MARKER 'MARKER' 'INTEND'\nRHS\n");
    for (v, &b) in p.supply.iter().enumerate() {
        if b != 0 {
            let _ = writeln!(s, "    RHS n{} {b}", v + 1);
        }
    }
    s.push_str("BOUNDS\n");
    for a in 0..p.num_arcs() {
        let x = a + 1;
        let (lo, up) = (p.lower[a], p.upper[a]);
        if up == INFINITE_CAPACITY {
            if lo != 0 {
                let _ = writeln!(s, " LO BND x{x} {lo}");
            }
            let _ = writeln!(s, " PL BND x{x}");
        } else {
            if lo != 0 {
                let _ = writeln!(s, " LO BND x{x} {lo}");
            }
            let _ = writeln!(s, " UP BND x{x} {up}");
        }
    }
    s.push_str("ENDATA\n");
    s
}

/// Terms per line in the LP file (lines stay well under the 255 characters old readers take).
const LP_TERMS_PER_LINE: usize = 6;

/// CPLEX LP: `Minimize` the costs, one equality `n<v>` per node, bounds, every column in
/// `General` (integer).
pub fn lp(p: &FlowProblem, comments: &[String]) -> String {
    let mut s = String::with_capacity(64 * p.num_arcs() + 48 * p.num_nodes() + 256);
    for c in comments {
        push_comment(&mut s, "\\", c);
    }
    s.push_str("Minimize\n obj:");
    let costs: Vec<(usize, i64)> = (0..p.num_arcs())
        .filter(|&a| p.cost[a] != 0)
        .map(|a| (a, p.cost[a]))
        .collect();
    if costs.is_empty() && p.num_arcs() > 0 {
        s.push_str(" 0 x1");
    }
    push_terms(&mut s, &costs);
    s.push_str("\nSubject To\n");
    for (v, row) in rows_of(p).iter().enumerate() {
        let _ = write!(s, " n{}:", v + 1);
        if row.is_empty() {
            s.push_str(" 0 x1");
        }
        push_terms(&mut s, row);
        let _ = writeln!(s, " = {}", p.supply[v]);
    }
    s.push_str("Bounds\n");
    for a in 0..p.num_arcs() {
        let x = a + 1;
        let (lo, up) = (p.lower[a], p.upper[a]);
        if up == INFINITE_CAPACITY {
            let _ = writeln!(s, " x{x} >= {lo}");
        } else {
            let _ = writeln!(s, " {lo} <= x{x} <= {up}");
        }
    }
    s.push_str("General\n");
    for chunk in (1..=p.num_arcs()).collect::<Vec<_>>().chunks(10) {
        let names: Vec<String> = chunk.iter().map(|x| format!("x{x}")).collect();
        let _ = writeln!(s, " {}", names.join(" "));
    }
    s.push_str("End\n");
    s
}

/// `+ 3 x1 - 2 x4 …`, a new line every few terms.
fn push_terms(s: &mut String, terms: &[(usize, i64)]) {
    for (i, &(a, c)) in terms.iter().enumerate() {
        if i > 0 && i % LP_TERMS_PER_LINE == 0 {
            s.push_str("\n   ");
        }
        let sign = if c < 0 { '-' } else { '+' };
        let m = c.unsigned_abs();
        if m == 1 {
            let _ = write!(s, " {sign} x{}", a + 1);
        } else {
            let _ = write!(s, " {sign} {m} x{}", a + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two sources, one sink: 5 units from node 1 and 2 from node 2 to node 3; arc 1 (1 → 3)
    /// costs 3 with capacity 4, arc 2 (1 → 2) is free and uncapacitated, arc 3 (2 → 3) costs −1
    /// with capacity 10 and lower bound 1.
    fn example() -> FlowProblem {
        let mut p = FlowProblem::with_nodes(3);
        p.supply = vec![5, 2, -7];
        p.add_arc(0, 2, 0, 4, 3);
        p.add_arc(0, 1, 0, INFINITE_CAPACITY, 0);
        p.add_arc(1, 2, 1, 10, -1);
        p
    }

    #[test]
    fn mps_of_a_hand_checked_example() {
        let text = mps(&example(), &["a comment".to_string()]);
        assert_eq!(
            text,
            "* a comment
NAME symbiosim
ROWS
 N COST
 E n1
 E n2
 E n3
COLUMNS
    MARKER 'MARKER' 'INTORG'
    x1 COST 3
    x1 n1 1
    x1 n3 -1
    x2 n1 1
    x2 n2 -1
    x3 COST -1
    x3 n2 1
    x3 n3 -1
    MARKER 'MARKER' 'INTEND'
RHS
    RHS n1 5
    RHS n2 2
    RHS n3 -7
BOUNDS
 UP BND x1 4
 PL BND x2
 LO BND x3 1
 UP BND x3 10
ENDATA
"
        );
    }

    #[test]
    fn lp_of_a_hand_checked_example() {
        let text = lp(&example(), &[]);
        assert_eq!(
            text,
            "Minimize
 obj: + 3 x1 - x3
Subject To
 n1: + x1 + x2 = 5
 n2: - x2 + x3 = 2
 n3: - x1 - x3 = -7
Bounds
 0 <= x1 <= 4
 x2 >= 0
 1 <= x3 <= 10
General
 x1 x2 x3
End
"
        );
    }

    #[test]
    fn long_rows_are_broken_into_lines() {
        let mut p = FlowProblem::with_nodes(2);
        p.supply = vec![1, -1];
        for _ in 0..13 {
            p.add_arc(0, 1, 0, 1, 2);
        }
        let text = lp(&p, &[]);
        let obj = text.lines().nth(1).unwrap();
        assert_eq!(obj, " obj: + 2 x1 + 2 x2 + 2 x3 + 2 x4 + 2 x5 + 2 x6");
        assert!(text.lines().all(|l| l.len() < 255));
        assert!(text.contains("\n x1 x2 x3 x4 x5 x6 x7 x8 x9 x10\n x11 x12 x13\nEnd\n"));
    }
}
