//! `plan`'s memory per sample (issue #19, item 9): every exact evaluation used to keep each
//! sample's whole record (multipliers, material rates, park × material cells: ≈ 1.6 kB a
//! sample on `tiny_plan`) until the portfolio was done, where the search needs two counts and
//! a sum. Now a portfolio's samples are tallied as they stream past, and what grows with the
//! sample count is the bound's per-sample columns only: `W(L,k)`, `G(k)`, the two thresholds
//! and the sorted need, and for each candidate `c_m(k)` and `W(ALL∖{m},k)` — 8 bytes ×
//! (5 + 2 × candidates).
//!
//! Measured in this process by a counting allocator (this file is its own test binary, with
//! one test): the peak of live heap bytes during `plan`, at two sample counts, both past the
//! Monte Carlo's two windows of records (which do not grow with the count).

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use symbiosim::analysis::plan::{plan, PlanConfig};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, SeqCst) + by;
    PEAK.fetch_max(now, SeqCst);
}

// SAFETY: every call is forwarded to `System` unchanged; only counters are updated beside.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            grew(l.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(l) };
        if !p.is_null() {
            grew(l.size());
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size(), SeqCst);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            LIVE.fetch_sub(l.size(), SeqCst);
            grew(new);
        }
        q
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// The peak of live heap bytes above the start while `plan` runs on `n` samples (and as many
/// out-of-sample draws, as the command line's default).
fn plan_peak(loaded: &symbiosim::scenario::Loaded, n: u64) -> usize {
    let cfg = PlanConfig {
        samples: n,
        seed: 0,
        confidence: 0.9,
        check_samples: n,
        check_seed: 1,
        max_evaluations: 4096,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    pool.install(|| {
        let start = LIVE.load(SeqCst);
        PEAK.store(start, SeqCst);
        let p = plan(loaded.base(), &loaded.uncertain, cfg, &|_| {}).unwrap();
        assert!(p.feasible());
        let peak = PEAK.load(SeqCst) - start;
        drop(p);
        peak
    })
}

#[test]
fn plan_keeps_a_few_scalars_per_sample() {
    let loaded = symbiosim::scenario::load(Path::new("scenarios/tiny_plan.toml")).unwrap();
    let c = loaded.base().candidates.len();
    let (n1, n2) = (4096u64, 12288u64);
    let (p1, p2) = (plan_peak(&loaded, n1), plan_peak(&loaded, n2));
    let per_sample = p2.saturating_sub(p1) as f64 / (n2 - n1) as f64;
    eprintln!("plan's peak: {p1} bytes at {n1} samples, {p2} at {n2}: {per_sample:.1} a sample");
    // The bound's columns, and a little for what the windows' sizes do not cover.
    let bound = 8.0 * (5 + 2 * c) as f64;
    assert!(
        per_sample <= bound + 8.0,
        "plan's peak grows by {per_sample:.0} bytes a sample (peaks {p1} and {p2} bytes at \
         {n1} and {n2} samples); the bound's columns are {bound:.0}"
    );
}
