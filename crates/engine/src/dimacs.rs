//! DIMACS min-cost-flow format: parser and writer.
//!
//! ```text
//! c comment
//! p min <nodes> <arcs>
//! n <id> <supply>              (positive = source; nodes not listed have supply 0)
//! a <tail> <head> <low> <cap> <cost>
//! ```
//!
//! Nodes are numbered `1..=nodes` in the file and `0..nodes` in [`FlowProblem`]. A capacity of
//! `-1` means uncapacitated ([`INFINITE_CAPACITY`]); [`write`] emits `-1` for it (LEMON's reader
//! also reads a capacity below the lower bound as infinite). Arcs keep their input order.

use super::problem::MAX_ABS_VALUE;
use super::{FlowProblem, INFINITE_CAPACITY};
use std::fmt::Write as _;

/// A malformed DIMACS file; `line` is 1-based (0 for whole-file problems).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct DimacsError {
    pub line: usize,
    pub message: String,
}

fn err(line: usize, message: impl Into<String>) -> DimacsError {
    DimacsError {
        line,
        message: message.into(),
    }
}

fn number(line: usize, what: &str, token: &str) -> Result<i64, DimacsError> {
    token
        .parse::<i64>()
        .map_err(|_| err(line, format!("{what} `{token}` is not an integer")))
}

fn bounded(line: usize, what: &str, value: i64) -> Result<i64, DimacsError> {
    if value.unsigned_abs() > MAX_ABS_VALUE as u64 {
        return Err(err(
            line,
            format!("{what} {value} exceeds the solver limit 2^50 in magnitude"),
        ));
    }
    Ok(value)
}

/// Parses a DIMACS min-cost-flow problem.
pub fn parse(text: &str) -> Result<FlowProblem, DimacsError> {
    let mut problem: Option<FlowProblem> = None;
    let mut declared_arcs = 0usize;
    let mut p_line = 0usize;
    let mut seen_node: Vec<bool> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let mut fields = raw.split_ascii_whitespace();
        let Some(kind) = fields.next() else { continue };
        match kind {
            "c" => continue,
            "p" => {
                let rest: Vec<&str> = fields.collect();
                if problem.is_some() {
                    return Err(err(line, "second problem line"));
                }
                if rest.len() != 3 {
                    return Err(err(
                        line,
                        format!(
                            "problem line has {} fields, expected 3 (`p min NODES ARCS`)",
                            rest.len()
                        ),
                    ));
                }
                if rest[0] != "min" {
                    return Err(err(
                        line,
                        format!("problem type `{}` is not `min`", rest[0]),
                    ));
                }
                let nodes = number(line, "node count", rest[1])?;
                let arcs = number(line, "arc count", rest[2])?;
                if nodes < 0 || nodes >= u32::MAX as i64 {
                    return Err(err(line, format!("node count {nodes} out of range")));
                }
                if arcs < 0 || arcs >= u32::MAX as i64 {
                    return Err(err(line, format!("arc count {arcs} out of range")));
                }
                let mut p = FlowProblem::with_nodes(nodes as usize);
                let cap = (arcs as usize).min(1 << 24);
                p.tail.reserve(cap);
                p.head.reserve(cap);
                p.lower.reserve(cap);
                p.upper.reserve(cap);
                p.cost.reserve(cap);
                seen_node = vec![false; nodes as usize];
                declared_arcs = arcs as usize;
                p_line = line;
                problem = Some(p);
            }
            "n" => {
                let p = problem
                    .as_mut()
                    .ok_or_else(|| err(line, "node line before the problem line"))?;
                let rest: Vec<&str> = fields.collect();
                if rest.len() != 2 {
                    return Err(err(
                        line,
                        format!("node has {} fields, expected 2 (`n ID SUPPLY`)", rest.len()),
                    ));
                }
                let id = number(line, "node id", rest[0])?;
                let supply = bounded(line, "supply", number(line, "supply", rest[1])?)?;
                let n = p.num_nodes();
                if id < 1 || id as u64 > n as u64 {
                    return Err(err(line, format!("node id {id} outside 1..={n}")));
                }
                let v = (id - 1) as usize;
                if seen_node[v] {
                    return Err(err(line, format!("node {id} described twice")));
                }
                seen_node[v] = true;
                p.supply[v] = supply;
            }
            "a" => {
                let p = problem
                    .as_mut()
                    .ok_or_else(|| err(line, "arc line before the problem line"))?;
                let mut f = [""; 5];
                let mut count = 0;
                for tok in fields {
                    if count < 5 {
                        f[count] = tok;
                    }
                    count += 1;
                }
                if count != 5 {
                    return Err(err(line, format!("arc has {count} fields, expected 5")));
                }
                let n = p.num_nodes();
                let u = number(line, "tail", f[0])?;
                let v = number(line, "head", f[1])?;
                for (what, id) in [("tail", u), ("head", v)] {
                    if id < 1 || id as u64 > n as u64 {
                        return Err(err(line, format!("{what} {id} outside 1..={n}")));
                    }
                }
                let low = bounded(line, "lower bound", number(line, "lower bound", f[2])?)?;
                let cap = number(line, "capacity", f[3])?;
                let cost = bounded(line, "cost", number(line, "cost", f[4])?)?;
                let upper = if cap == -1 {
                    INFINITE_CAPACITY
                } else {
                    let cap = bounded(line, "capacity", cap)?;
                    if cap < low {
                        return Err(err(
                            line,
                            format!("capacity {cap} below lower bound {low} (use -1 for infinite)"),
                        ));
                    }
                    cap
                };
                if p.num_arcs() >= declared_arcs {
                    return Err(err(
                        line,
                        format!("more arcs than the {declared_arcs} declared"),
                    ));
                }
                p.add_arc((u - 1) as usize, (v - 1) as usize, low, upper, cost);
            }
            other => return Err(err(line, format!("unknown line type `{other}`"))),
        }
    }
    let p = problem.ok_or_else(|| err(0, "no problem line (`p min NODES ARCS`)"))?;
    if p.num_arcs() != declared_arcs {
        return Err(err(
            p_line,
            format!(
                "problem line declares {declared_arcs} arcs, file has {}",
                p.num_arcs()
            ),
        ));
    }
    let total: i128 = p.supply.iter().map(|&s| s as i128).sum();
    if total != 0 {
        return Err(err(p_line, format!("supplies sum to {total}, not zero")));
    }
    Ok(p)
}

/// Writes `problem` in DIMACS format (nodes with zero supply are omitted; infinite capacity is
/// written as `-1`).
pub fn write(problem: &FlowProblem) -> String {
    let mut s = String::with_capacity(32 * problem.num_arcs() + 64);
    let _ = writeln!(s, "c symbiosim min-cost-flow problem");
    let _ = writeln!(s, "p min {} {}", problem.num_nodes(), problem.num_arcs());
    for (v, &b) in problem.supply.iter().enumerate() {
        if b != 0 {
            let _ = writeln!(s, "n {} {}", v + 1, b);
        }
    }
    for a in 0..problem.num_arcs() {
        let upper = problem.upper[a];
        let cap = if upper == INFINITE_CAPACITY {
            -1
        } else {
            upper
        };
        let _ = writeln!(
            s,
            "a {} {} {} {} {}",
            problem.tail[a] as u64 + 1,
            problem.head[a] as u64 + 1,
            problem.lower[a],
            cap,
            problem.cost[a]
        );
    }
    s
}

/// Writes a solution in the DIMACS result convention: `s <objective>` (or `s infeasible` /
/// `s unbounded`), `c solve_seconds <t>`, `c pivots <k>`, and with `flows` one `f u v x` line
/// per arc of an optimal solution, in input order (nodes numbered from 1).
pub fn write_solution<W: std::io::Write>(
    out: &mut W,
    problem: &FlowProblem,
    solution: &crate::FlowSolution,
    seconds: f64,
    flows: bool,
) -> std::io::Result<()> {
    use crate::SolveStatus;
    match solution.status {
        SolveStatus::Optimal => writeln!(out, "s {}", solution.objective)?,
        SolveStatus::Infeasible => writeln!(out, "s infeasible")?,
        SolveStatus::Unbounded => writeln!(out, "s unbounded")?,
    }
    writeln!(out, "c solve_seconds {seconds:.6}")?;
    writeln!(out, "c pivots {}", solution.iterations)?;
    if flows && solution.status == SolveStatus::Optimal {
        for (a, &x) in solution.flow.iter().enumerate() {
            writeln!(
                out,
                "f {} {} {}",
                problem.tail[a] as u64 + 1,
                problem.head[a] as u64 + 1,
                x
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut p = FlowProblem::with_nodes(3);
        p.supply = vec![5, 0, -5];
        p.add_arc(0, 1, 1, 10, 3);
        p.add_arc(1, 2, 0, INFINITE_CAPACITY, -2);
        p.add_arc(0, 2, 0, 4, 7);
        let text = write(&p);
        assert_eq!(parse(&text).unwrap(), p);
    }

    #[test]
    fn comments_blank_lines_and_defaults() {
        let text = "c hello\n\np min 2 1\nc mid\nn 1 3\nn 2 -3\na 1 2 0 -1 4\n";
        let p = parse(text).unwrap();
        assert_eq!(p.supply, vec![3, -3]);
        assert_eq!(p.upper, vec![INFINITE_CAPACITY]);
        assert_eq!(p.cost, vec![4]);
    }

    fn line_of(text: &str) -> (usize, String) {
        let e = parse(text).unwrap_err();
        (e.line, e.to_string())
    }

    #[test]
    fn errors_carry_line_numbers() {
        let (l, m) = line_of("c x\np min 2 1\nn 1 1\nn 2 -1\nc\nc\na 1 2 0 5\n");
        assert_eq!(l, 7);
        assert_eq!(m, "line 7: arc has 4 fields, expected 5");
        let (l, _) = line_of("p min 2 1\na 1 3 0 5 1\n");
        assert_eq!(l, 2);
        let (l, m) = line_of("p min 2 1\na 1 2 0 x 1\n");
        assert_eq!(l, 2);
        assert!(m.contains("capacity `x`"), "{m}");
        let (l, _) = line_of("a 1 2 0 1 1\n");
        assert_eq!(l, 1);
        let (l, _) = line_of("p max 2 1\n");
        assert_eq!(l, 1);
        let (l, m) = line_of("p min 2 2\na 1 2 0 1 1\n");
        assert_eq!(l, 1);
        assert!(m.contains("declares 2 arcs"), "{m}");
        let (l, _) = line_of("p min 2 0\nn 1 1\n");
        assert_eq!(l, 1);
        let (l, _) = line_of("p min 2 1\nx 1\n");
        assert_eq!(l, 2);
        let (l, _) = line_of("p min 2 1\na 1 2 3 2 1\n");
        assert_eq!(l, 2);
        let (l, _) = line_of("p min 2 0\nn 1 1\nn 1 1\n");
        assert_eq!(l, 3);
        let (l, _) = line_of("c nothing\n");
        assert_eq!(l, 0);
        let (l, _) = line_of("p min 1 1\na 1 1 0 1 2000000000000000000\n");
        assert_eq!(l, 2);
    }
}
