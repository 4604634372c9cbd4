//! One file written whole (`symbiosim export --out FILE`): never replacing an existing file
//! without `--force`, written to a hidden `.NAME.part-PID-N` next to it, synced, then renamed into
//! place, so the path holds the earlier file or the complete new one.

use super::WriteError;
use std::fs;
use std::io::Write;
use std::path::Path;

/// Checks that `dest` may be written: its folder exists, and it is absent or (with `force`) a
/// regular file.
pub fn check_file(dest: &Path, force: bool) -> Result<(), WriteError> {
    let shown = dest.display().to_string();
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(WriteError::NoParent(parent.display().to_string()));
    }
    match fs::symlink_metadata(dest) {
        Err(_) => Ok(()),
        Ok(m) if m.is_file() && force => Ok(()),
        Ok(m) if m.is_file() => Err(WriteError::FileExists(shown)),
        Ok(_) => Err(WriteError::NotAFile(shown)),
    }
}

/// Writes `bytes` to `dest` (see [`check_file`]) through a synced temporary file and a rename.
pub fn write_file(dest: &Path, bytes: &[u8], force: bool) -> Result<(), WriteError> {
    check_file(dest, force)?;
    // A short name whatever the length of `dest`'s, registered for a signal handler.
    let tmp = {
        let mut r = super::registry();
        if r.stopped() {
            return Err(super::io(dest)(super::registry::stopping()));
        }
        let tmp = super::hidden::fresh(dest, "part");
        r.add_file(&tmp);
        tmp
    };
    let io = |e: std::io::Error| WriteError::Io {
        path: dest.display().to_string(),
        source: e,
    };
    let result = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        if force {
            fs::rename(&tmp, dest)
        } else {
            // A file that appeared since the check is not replaced (atomic on Linux).
            super::rename_new(&tmp, dest)
        }
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    super::registry().forget_file(&tmp);
    result.map_err(io)
}
