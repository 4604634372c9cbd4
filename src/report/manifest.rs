//! `manifest.json`: the one output allowed to carry timings.

use super::format::round;
use super::{OutputFile, ReportError, RunInfo};
use serde_json::{json, Map, Value};

/// A file the manifest lists: its path in the output folder, size and SHA-256 (hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

impl From<&OutputFile> for ManifestEntry {
    fn from(f: &OutputFile) -> ManifestEntry {
        use sha2::{Digest, Sha256};
        ManifestEntry {
            path: f.path.clone(),
            bytes: f.bytes.len() as u64,
            sha256: format!("{:x}", Sha256::digest(&f.bytes)),
        }
    }
}

/// `manifest.json`: version, scenario hash, command, files written and timings.
pub fn manifest_json(info: &RunInfo, files: &[OutputFile]) -> Result<Vec<u8>, ReportError> {
    let entries: Vec<ManifestEntry> = files.iter().map(ManifestEntry::from).collect();
    manifest_json_entries(info, &entries)
}

/// [`manifest_json`] from the files' entries (files written row by row are never held whole).
pub fn manifest_json_entries(
    info: &RunInfo,
    files: &[ManifestEntry],
) -> Result<Vec<u8>, ReportError> {
    let outputs: Vec<Value> = files
        .iter()
        .map(|f| json!({ "path": f.path, "bytes": f.bytes, "sha256": f.sha256 }))
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
