//! The scenario loader on arbitrary text: it never panics, and a scenario it accepts must
//! evaluate without error (validation catches every value the solver cannot take).
#![no_main]
use libfuzzer_sys::fuzz_target;
use symbiosim::allocate::AllocConfig;
use symbiosim::analysis::AnalysisError;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // CSV tables named by the input resolve in an empty folder.
    let dir = std::env::temp_dir().join("symbiosim-fuzz-empty");
    let _ = std::fs::create_dir_all(&dir);
    if let Ok(loaded) = symbiosim::scenario::load_str("fuzz.toml", text, &dir) {
        if loaded.region.producers.len() + loaded.region.consumers.len() <= 200 {
            match symbiosim::analysis::evaluate(&loaded.region, &AllocConfig::default()) {
                // Waste with no legal fate is a located diagnosis, the one run-time answer a
                // valid scenario may give.
                Ok(_) | Err(AnalysisError::NoLegalFate(_)) => {}
                Err(e) => panic!("a valid scenario failed to evaluate: {e}"),
            }
        }
    }
});
