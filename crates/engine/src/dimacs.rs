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

/// The most nodes a DIMACS file may declare (2^26, about 67 million).
pub const MAX_NODES: u64 = 1 << 26;
/// The most arcs a DIMACS file may declare (2^28, about 268 million).
pub const MAX_ARCS: u64 = 1 << 28;
/// Nodes that no arc and no node line touches are allowed (isolated nodes are legal), but at
/// most this many beyond those that the file's lines can touch: a declared node count is never
/// trusted for an allocation the file's content does not justify.
pub const MAX_UNTOUCHED_NODES: u64 = 1 << 16;

/// Parses a DIMACS min-cost-flow problem.
///
/// Caps: at most [`MAX_NODES`] nodes and [`MAX_ARCS`] arcs; nodes are allocated only after the
/// whole file is read, and only when the declared count is at most the nodes its arc and node
/// lines can touch plus [`MAX_UNTOUCHED_NODES`]. Memory therefore grows with the file, never
/// with a number written in it.
pub fn parse(text: &str) -> Result<FlowProblem, DimacsError> {
    parse_reader(text.as_bytes())
}

/// The longest line the reader accepts, in bytes.
pub const MAX_LINE_BYTES: usize = 4096;

/// [`parse`] from a reader, line by line: memory grows with the problem read, never with a line
/// (at most [`MAX_LINE_BYTES`]) or a stream without end.
pub fn parse_reader<R: std::io::BufRead>(mut reader: R) -> Result<FlowProblem, DimacsError> {
    use std::io::{BufRead, Read};
    // (declared nodes, declared arcs, line of `p`)
    let mut header: Option<(usize, usize, usize)> = None;
    let mut supplies: Vec<(u32, i64, usize)> = Vec::new();
    let mut arcs = FlowProblem::with_nodes(0);
    let mut buf = Vec::new();
    let mut line = 0;
    loop {
        buf.clear();
        line += 1;
        let n = (&mut reader)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| err(line, format!("cannot read: {e}")))?;
        if n == 0 {
            break;
        }
        if buf.len() > MAX_LINE_BYTES {
            return Err(err(
                line,
                format!("line longer than {MAX_LINE_BYTES} bytes"),
            ));
        }
        let raw = std::str::from_utf8(&buf).map_err(|_| err(line, "not UTF-8 text"))?;
        let mut fields = raw.split_ascii_whitespace();
        let Some(kind) = fields.next() else { continue };
        match kind {
            "c" => continue,
            "p" => {
                let rest: Vec<&str> = fields.collect();
                if header.is_some() {
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
                let declared = number(line, "arc count", rest[2])?;
                if nodes < 0 || nodes as u64 > MAX_NODES {
                    return Err(err(
                        line,
                        format!("node count {nodes} outside 0..={MAX_NODES} (the reader's cap)"),
                    ));
                }
                if declared < 0 || declared as u64 > MAX_ARCS {
                    return Err(err(
                        line,
                        format!("arc count {declared} outside 0..={MAX_ARCS} (the reader's cap)"),
                    ));
                }
                header = Some((nodes as usize, declared as usize, line));
            }
            "n" => {
                let (n, _, _) =
                    header.ok_or_else(|| err(line, "node line before the problem line"))?;
                let rest: Vec<&str> = fields.collect();
                if rest.len() != 2 {
                    return Err(err(
                        line,
                        format!("node has {} fields, expected 2 (`n ID SUPPLY`)", rest.len()),
                    ));
                }
                let id = number(line, "node id", rest[0])?;
                let supply = bounded(line, "supply", number(line, "supply", rest[1])?)?;
                if id < 1 || id as u64 > n as u64 {
                    return Err(err(line, format!("node id {id} outside 1..={n}")));
                }
                supplies.push(((id - 1) as u32, supply, line));
            }
            "a" => {
                let (n, declared, _) =
                    header.ok_or_else(|| err(line, "arc line before the problem line"))?;
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
                if arcs.num_arcs() >= declared {
                    return Err(err(line, format!("more arcs than the {declared} declared")));
                }
                arcs.tail.push((u - 1) as u32);
                arcs.head.push((v - 1) as u32);
                arcs.lower.push(low);
                arcs.upper.push(upper);
                arcs.cost.push(cost);
            }
            other => return Err(err(line, format!("unknown line type `{other}`"))),
        }
    }
    // Lines are numbered from 1: a file without a problem line (an empty one included) is
    // reported at its first line.
    let read = line - 1;
    let (nodes, declared, p_line) = header.ok_or_else(|| {
        let what = if read == 0 { "empty file: " } else { "" };
        err(1, format!("{what}no problem line (`p min NODES ARCS`)"))
    })?;
    if arcs.num_arcs() != declared {
        return Err(err(
            p_line,
            format!(
                "problem line declares {declared} arcs, file has {}",
                arcs.num_arcs()
            ),
        ));
    }
    let touchable = 2 * declared as u64 + supplies.len() as u64 + MAX_UNTOUCHED_NODES;
    if nodes as u64 > touchable {
        return Err(err(
            p_line,
            format!(
                "problem line declares {nodes} nodes, but the file's {declared} arcs and {} node \
                 lines can touch at most {}; more than {MAX_UNTOUCHED_NODES} isolated nodes are \
                 refused (the reader's cap)",
                supplies.len(),
                touchable - MAX_UNTOUCHED_NODES
            ),
        ));
    }
    let mut p = arcs;
    p.supply = vec![0; nodes];
    let mut seen_node = vec![false; nodes];
    for (v, supply, line) in supplies {
        if std::mem::replace(&mut seen_node[v as usize], true) {
            return Err(err(line, format!("node {} described twice", v as u64 + 1)));
        }
        p.supply[v as usize] = supply;
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

    /// A 17-byte file must not make the reader allocate for 10^8 nodes (it used to take 11 GB),
    /// nor 10^9 abort the process.
    #[test]
    fn declared_counts_are_capped_and_never_trusted_for_memory() {
        let (l, m) = line_of("p min 100000000 0\n");
        assert_eq!(l, 1);
        assert!(m.contains("outside 0..=67108864"), "{m}");
        let (_, m) = line_of("p min 1000000000 0\n");
        assert!(m.contains("the reader's cap"), "{m}");
        let (_, m) = line_of("p min 1 1000000000\n");
        assert!(m.contains("arc count 1000000000 outside"), "{m}");
        // Within the cap but far more nodes than the file touches: refused after reading.
        let (l, m) = line_of("p min 60000000 1\na 1 2 0 1 1\n");
        assert_eq!(l, 1);
        assert!(m.contains("can touch at most 2"), "{m}");
        // Isolated nodes up to the allowance are fine.
        let p = parse("p min 1000 1\na 1 2 0 1 1\n").unwrap();
        assert_eq!(p.num_nodes(), 1000);
        // A wrong arc count costs no memory either: it fails after the lines are read.
        let (l, m) = line_of("p min 2 200000000\na 1 2 0 1 1\n");
        assert_eq!(l, 1);
        assert!(m.contains("declares 200000000 arcs, file has 1"), "{m}");
    }

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
        // No problem line: at line 1, never "line 0" (issue #19); an empty file says so.
        let (l, m) = line_of("c nothing\n");
        assert_eq!(
            (l, m.as_str()),
            (1, "line 1: no problem line (`p min NODES ARCS`)")
        );
        let (l, m) = line_of("");
        assert_eq!(
            (l, m.as_str()),
            (
                1,
                "line 1: empty file: no problem line (`p min NODES ARCS`)"
            )
        );
        let (l, _) = line_of("p min 1 1\na 1 1 0 1 2000000000000000000\n");
        assert_eq!(l, 2);
    }
}
