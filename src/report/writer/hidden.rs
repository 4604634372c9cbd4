//! The hidden names a run uses next to its destination `NAME` — `.NAME.tmp-PID-N` (the new
//! output being written), `.NAME.old-PID-N` (the earlier output moved aside by the two-rename
//! fallback), `.NAME.kept-PID-N` (an earlier output changed during the swap, never cleaned),
//! `.NAME.lock` — and how a folder is known to be one of ours: by content, never by its name.
//!
//! Before a run creates a `tmp` or `old` folder it writes, with `create_new`, a marker file
//! beside it, `.NAME.tmp-PID-N.symbiosim`, whose lines name symbiosim, the process and the
//! folder; it removes the marker only after the folder is gone. So at every instant each
//! folder of ours has its marker, and the clean-up of a later run ([`clean_stale`]) touches only
//! folders whose marker is valid and whose process has ended. A folder with that name but no
//! marker (a user's) is left untouched.
//!
//! `NAME` is the destination's name when it is at most [`NAME_KEEP`] bytes of UTF-8; a longer
//! (or non-UTF-8) one is cut and followed by a digest of the whole name, so that the hidden
//! names of any legal destination name stay far below the 255-byte limit of a file name.

use super::read::{read_capped, ReadError};
use super::rename_new;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Destination names up to this many bytes appear whole in the hidden names.
pub const NAME_KEEP: usize = 100;

const MAGIC: &str = "symbiosim temporary folder";
const MARKER: &str = ".symbiosim";

/// The destination's name as it appears in the hidden names (see the module documentation).
pub(super) fn short_name(dest: &Path) -> String {
    let Some(name) = dest.file_name() else {
        return "output".into();
    };
    match name.to_str() {
        Some(s) if s.len() <= NAME_KEEP => s.to_string(),
        _ => {
            let lossy = name.to_string_lossy();
            let mut cut = 80.min(lossy.len());
            while !lossy.is_char_boundary(cut) {
                cut -= 1;
            }
            let digest = Sha256::digest(name.as_encoded_bytes());
            format!("{}~{:x}", &lossy[..cut], digest)[..cut + 17].to_string()
        }
    }
}

/// The folder that holds `dest` (`.` for a bare name).
pub(super) fn parent_of(dest: &Path) -> &Path {
    match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// `.NAME.TAG-PID-N` next to `dest`.
pub(super) fn hidden(dest: &Path, tag: &str, n: u64) -> PathBuf {
    parent_of(dest).join(format!(
        ".{}.{tag}-{}-{n}",
        short_name(dest),
        std::process::id()
    ))
}

/// `.NAME.lock` next to `dest`.
pub(super) fn lock_path(dest: &Path) -> PathBuf {
    parent_of(dest).join(format!(".{}.lock", short_name(dest)))
}

/// The marker file of hidden folder `folder`.
pub(super) fn marker_of(folder: &Path) -> PathBuf {
    let mut name = folder.file_name().unwrap_or_default().to_os_string();
    name.push(MARKER);
    folder.with_file_name(name)
}

fn marker_text(folder: &Path, pid: u32) -> String {
    format!(
        "{MAGIC}\npid {pid}\nfolder {}\n",
        folder.file_name().unwrap_or_default().to_string_lossy()
    )
}

/// Numbers the hidden names of this process (several outputs may be prepared at once).
static NEXT: AtomicU64 = AtomicU64::new(0);

/// A hidden name `.NAME.TAG-PID-N` next to `dest` that nothing holds yet (no marker).
pub(super) fn fresh(dest: &Path, tag: &str) -> PathBuf {
    loop {
        let path = hidden(dest, tag, NEXT.fetch_add(1, Ordering::Relaxed));
        if path.symlink_metadata().is_err() {
            return path;
        }
    }
}

/// A new hidden name `.NAME.TAG-PID-N` next to `dest` that nothing holds yet, with its marker
/// written (`create_new`: never over anything). The folder itself is not created.
pub(super) fn claim(dest: &Path, tag: &str) -> std::io::Result<PathBuf> {
    loop {
        let folder = hidden(dest, tag, NEXT.fetch_add(1, Ordering::Relaxed));
        if folder.symlink_metadata().is_ok() {
            continue;
        }
        let marker = marker_of(&folder);
        let mut f = match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&marker)
        {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            r => r?,
        };
        if let Err(e) = f.write_all(marker_text(&folder, std::process::id()).as_bytes()) {
            let _ = fs::remove_file(&marker);
            return Err(e);
        }
        return Ok(folder);
    }
}

/// A new hidden folder next to `dest` (see [`claim`]), created.
pub(super) fn create_folder(dest: &Path, tag: &str) -> std::io::Result<PathBuf> {
    loop {
        let folder = claim(dest, tag)?;
        match fs::create_dir(&folder) {
            Ok(()) => return Ok(folder),
            // Appeared since the look in `claim`: not ours; try the next number.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let _ = fs::remove_file(marker_of(&folder));
            }
            Err(e) => {
                let _ = fs::remove_file(marker_of(&folder));
                return Err(e);
            }
        }
    }
}

/// Removes hidden folder `folder` of ours (if present), then its marker.
pub(super) fn remove_folder(folder: &Path) -> std::io::Result<()> {
    match fs::remove_dir_all(folder) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    release(folder);
    Ok(())
}

/// Removes the marker of a hidden name whose folder is gone (or moved elsewhere).
pub(super) fn release(folder: &Path) {
    let _ = fs::remove_file(marker_of(folder));
}

/// The process named by the marker file `marker`, if it is a valid marker of the folder whose
/// name it carries (`marker` minus `.symbiosim`).
fn marker_pid(marker: &Path) -> Option<u32> {
    let bytes = match read_capped(marker, 4096) {
        Ok(b) => b,
        Err(ReadError::Special(_) | ReadError::TooLarge | ReadError::Io(_)) => return None,
    };
    let text = std::str::from_utf8(&bytes).ok()?;
    let mut lines = text.lines();
    let name = marker.file_name()?.to_str()?.strip_suffix(MARKER)?;
    if lines.next()? != MAGIC {
        return None;
    }
    let pid = lines.next()?.strip_prefix("pid ")?.parse().ok()?;
    (lines.next()?.strip_prefix("folder ")? == name && lines.next().is_none()).then_some(pid)
}

/// Whether process `pid` may still be running (conservative: `true` when unsure).
pub(super) fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        let Ok(raw) = libc::pid_t::try_from(pid) else {
            return true;
        };
        // Signal 0 checks existence; EPERM means it exists but is not ours.
        // SAFETY: kill with signal 0 sends nothing.
        let r = unsafe { libc::kill(raw, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// After runs for `dest` that ended without cleaning up (killed, crashed): each hidden `tmp`
/// or `old` folder next to `dest` with a valid marker naming a process that has ended is ours.
/// A `tmp` one is removed; an `old` one (the earlier output, moved aside by the two-rename
/// fallback) is moved back when the destination is missing, else removed. Anything without a
/// valid marker is left as it is. Called with the destination's lock held.
pub(super) fn clean_stale(dest: &Path) {
    let dir = parent_of(dest);
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{}.", short_name(dest));
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(folder) = name.to_str().and_then(|n| n.strip_suffix(MARKER)) else {
            continue;
        };
        let Some(tag) = folder
            .strip_prefix(&prefix)
            .and_then(|rest| rest.split_once('-'))
            .map(|(tag, _)| tag)
            .filter(|t| matches!(*t, "tmp" | "old"))
        else {
            continue;
        };
        let Some(pid) = marker_pid(&e.path()) else {
            continue;
        };
        if alive(pid) {
            continue;
        }
        let folder = dir.join(folder);
        match folder.symlink_metadata() {
            Err(_) => release(&folder),
            Ok(m) if m.is_dir() => {
                if tag == "old" && dest.symlink_metadata().is_err() {
                    if rename_new(&folder, dest).is_ok() {
                        release(&folder);
                    }
                } else {
                    let _ = remove_folder(&folder);
                }
            }
            // Not a folder: none of ours.
            Ok(_) => {}
        }
    }
}
