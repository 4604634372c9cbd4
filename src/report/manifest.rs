//! `manifest.json`: the one output allowed to carry timings.

use super::format::round;
use super::{OutputFile, ReportError, RunInfo};
use serde_json::{json, Map, Value};

/// `manifest.json`: version, scenario hash, command, files written and timings.
pub fn manifest_json(info: &RunInfo, files: &[OutputFile]) -> Result<Vec<u8>, ReportError> {
    use sha2::{Digest, Sha256};
    let outputs: Vec<Value> = files
        .iter()
        .map(|f| json!({ "path": f.path, "bytes": f.bytes.len(), "sha256": format!("{:x}", Sha256::digest(&f.bytes)) }))
        .collect();
    let timings: Map<String, Value> = info
        .timings
        .iter()
        .map(|(k, v)| (k.clone(), json!(round(*v, 6))))
        .collect();
    let v = json!({
        "symbiosim_version": info.version,
        "command": info.command,
        "scenario_files": info.scenario_files,
        "scenario_sha256": info.scenario_hash,
        "threads": info.threads,
        "outputs": outputs,
        "timings_seconds": timings,
        "solver_pivots": info.pivots.iter().map(|(k, v)| json!({ "phase": k, "pivots": v })).collect::<Vec<_>>(),
    });
    let mut out = serde_json::to_vec_pretty(&v)?;
    out.push(b'\n');
    Ok(out)
}
