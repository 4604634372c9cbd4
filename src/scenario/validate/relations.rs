//! The relations between candidates, once each is valid: exclusions made symmetric, no
//! requirement cycle, no candidate that its own prerequisites make impossible, and no two
//! candidates that set the same lever without excluding each other.

use super::super::schema::RawCandidate;
use super::super::Origin;
use super::checks::Ctx;
use crate::model::Candidate;

/// A lever a candidate sets, as a key two candidates may share only if they exclude each
/// other (landfill fees add up, so they are not keys).
fn lever_keys(c: &RawCandidate) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(p) = &c.policy {
        if p.env_tax_multiplier.is_some() {
            out.push((
                "env_tax_multiplier".into(),
                "policy.env_tax_multiplier".into(),
            ));
        }
        if p.carbon_price_yuan_per_t.is_some() {
            out.push((
                "carbon_price_yuan_per_t".into(),
                "policy.carbon_price_yuan_per_t".into(),
            ));
        }
        for r in p.route_subsidy_yuan_per_unit.keys() {
            out.push((
                format!("the subsidy of route \"{r}\""),
                format!("policy.route_subsidy_yuan_per_unit.{r}"),
            ));
        }
    }
    out
}

/// Makes every exclusion go both ways.
pub fn symmetric_excludes(list: &mut [Candidate]) {
    for i in 0..list.len() {
        for j in list[i].excludes.clone() {
            if !list[j].excludes.contains(&i) {
                list[j].excludes.push(i);
            }
        }
    }
    for c in list.iter_mut() {
        c.excludes.sort_unstable();
    }
}

/// No requirement cycle, and no candidate whose prerequisites (direct or indirect, itself
/// included) exclude one another: it could never be chosen.
pub fn requirements(ctx: &mut Ctx, list: &[Candidate], origins: &[Origin]) {
    let n = list.len();
    // Cycles: depth-first search; each cycle is reported once, at its first member listed.
    let mut state = vec![0u8; n]; // 0 new, 1 on the stack, 2 done
    let mut reported = vec![false; n];
    fn visit(
        v: usize,
        list: &[Candidate],
        state: &mut [u8],
        stack: &mut Vec<usize>,
        cycles: &mut Vec<Vec<usize>>,
    ) {
        state[v] = 1;
        stack.push(v);
        for &w in &list[v].requires {
            if state[w] == 1 {
                let at = stack.iter().position(|&x| x == w).unwrap_or(0);
                cycles.push(stack[at..].to_vec());
            } else if state[w] == 0 {
                visit(w, list, state, stack, cycles);
            }
        }
        stack.pop();
        state[v] = 2;
    }
    let mut cycles = Vec::new();
    for v in 0..n {
        if state[v] == 0 {
            visit(v, list, &mut state, &mut Vec::new(), &mut cycles);
        }
    }
    let mut cyclic = false;
    for cycle in cycles {
        let &first = cycle.iter().min().unwrap_or(&0);
        if reported[first] {
            continue;
        }
        reported[first] = true;
        cyclic = true;
        let start = cycle.iter().position(|&x| x == first).unwrap_or(0);
        let mut names: Vec<String> = cycle[start..]
            .iter()
            .chain(&cycle[..start])
            .map(|&i| format!("\"{}\"", list[i].id))
            .collect();
        names.push(format!("\"{}\"", list[first].id));
        ctx.err(
            &origins[first],
            "requires",
            format!(
                "candidate \"{}\" is in a requirement cycle: {} (no portfolio could choose them)",
                list[first].id,
                names.join(" requires ")
            ),
        );
    }
    if cyclic {
        return;
    }
    for a in 0..n {
        // Everything `a` needs, itself included, in discovery order.
        let mut need = vec![a];
        let mut k = 0;
        while k < need.len() {
            for &w in &list[need[k]].requires {
                if !need.contains(&w) {
                    need.push(w);
                }
            }
            k += 1;
        }
        let clash = need.iter().find_map(|&x| {
            list[x]
                .excludes
                .iter()
                .find(|y| need.contains(y))
                .map(|&y| (x, y))
        });
        if let Some((x, y)) = clash {
            let (cx, cy) = (&list[x].id, &list[y].id);
            let why = if x == a || y == a {
                let other = if x == a { cy } else { cx };
                format!("it requires \"{other}\" (directly or through its prerequisites) and excludes it")
            } else {
                format!("its prerequisites \"{cx}\" and \"{cy}\" exclude each other")
            };
            ctx.err(
                &origins[a],
                "requires",
                format!("candidate \"{}\" can never be chosen: {why}", list[a].id),
            );
        }
    }
}

/// Two candidates that set the same lever must exclude each other (a portfolio with both
/// would set it twice).
pub fn lever_conflicts(
    ctx: &mut Ctx,
    raw: &[RawCandidate],
    list: &[Candidate],
    origins: &[Origin],
) {
    let keys: Vec<Vec<(String, String)>> = raw.iter().map(lever_keys).collect();
    for j in 0..raw.len() {
        for (what, field) in &keys[j] {
            let first = (0..j).find(|&i| {
                !list[j].excludes.contains(&i) && keys[i].iter().any(|(w, _)| w == what)
            });
            if let Some(i) = first {
                let at = ctx.position(&origins[i], field);
                ctx.err(
                    &origins[j],
                    field,
                    format!(
                        "candidates \"{}\" (at {at}) and \"{}\" both set {what} without excluding each other; add excludes = [\"{}\"] (or merge them)",
                        list[i].id, list[j].id, list[i].id
                    ),
                );
            }
        }
    }
}
