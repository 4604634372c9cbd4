//! The DIMACS reader on arbitrary bytes: it never panics nor allocates beyond what the input
//! justifies, and a small problem it accepts is solved with a certified answer.
#![no_main]
use libfuzzer_sys::fuzz_target;
use symbiosim_engine::{dimacs, solve, SolveError, SolverConfig};

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = dimacs::parse_reader(data) {
        if p.num_nodes() <= 2_000 && p.num_arcs() <= 10_000 {
            // `solve` verifies the certificate of every optimal answer; an overflow of the
            // documented magnitude limits is an answer too.
            match solve(&p, &SolverConfig::default()) {
                Ok(_) | Err(SolveError::Overflow(_)) => {}
                Err(e) => panic!("a parsed problem failed: {e}"),
            }
        }
    }
});
