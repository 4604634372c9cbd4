//! The one place that writes outputs to disk: a whole folder, atomically.
//!
//! A run first [`prepare`]s its destination, before any computation: the destination is
//! checked (see [`Replace`]), stale temporary folders of earlier, dead runs are cleaned up, and
//! a hidden temporary folder `.NAME.tmp-PID` is created next to the destination — which also
//! proves the location writable. [`Prepared::commit`] writes every file into it (each through
//! `.part` + rename, synced), then puts the folder in place in one step:
//!
//! - destination absent: one `rename` (refusing to replace anything that appeared meanwhile,
//!   on Linux);
//! - destination present (replaceable, see [`Replace`]): on Linux one `renameat2` with
//!   `RENAME_EXCHANGE`, which swaps the two folders atomically; the earlier output, now under
//!   the temporary name, is then deleted. Elsewhere, two renames (the earlier folder aside as
//!   `.NAME.old-PID`, the new one in place): a crash between them leaves the destination
//!   missing, and the next run moves the earlier output back before doing anything else.
//!
//! So at every instant the destination holds the earlier complete output or the new complete
//! one. A crash leaves at most one hidden `.NAME.tmp-PID` / `.NAME.old-PID` folder, which the
//! next run for the same destination removes once process PID is gone. Dropping a [`Prepared`]
//! without committing removes its temporary folder and the parent folders it created.
//!
//! An earlier output folder is recognised by its content, never by a file name alone: its
//! `manifest.json` parses as ours (a `symbiosim_version` and an `outputs` list with sizes and
//! SHA-256 digests), and every file in the folder is one the manifest lists, unchanged. Files a
//! user added or edited are never deleted: the run is refused and names them.

mod append;
mod file;
mod scratch;

pub use append::Appender;
pub use file::{check_file, write_file};
pub use scratch::Scratch;

use super::OutputFile;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// When an existing destination may be replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Never: an existing destination is an error (a folder the user named, without `--force`).
    Never,
    /// When it is an empty folder or recognisably a complete earlier output of ours (the
    /// default `output/<stem>/` folder, or `--force`).
    OurOutput,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("output folder {0} already exists; pass --force to replace it")]
    Exists(String),
    #[error(
        "output folder {path} is not a symbiosim output folder ({why}); refusing to replace it"
    )]
    NotOurs { path: String, why: String },
    #[error(
        "output folder {path} holds files symbiosim did not write or that were changed since: \
         {files}; move them elsewhere (or delete them) and run again"
    )]
    Foreign { path: String, files: String },
    #[error("the folder {0} that should hold the output folder does not exist; create it first")]
    NoParent(String),
    #[error("cannot write the output folder {path}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("output path {0} is not inside the output folder")]
    BadPath(String),
    #[error("file {0} already exists; pass --force to replace it")]
    FileExists(String),
    #[error("{0} exists and is not a file; refusing to replace it")]
    NotAFile(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Every file below `dir`, and every empty folder (ending in `/`), as paths relative to it with
/// `/` separators, sorted.
fn files_below(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for e in fs::read_dir(dir.join(&rel))? {
            let e = e?;
            let r = rel.join(e.file_name());
            if e.file_type()?.is_dir() {
                // An empty folder is an entry of its own (a user's), listed as `name/`.
                if fs::read_dir(dir.join(&r))?.next().is_none() {
                    let parts: Vec<String> = r
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    out.push(parts.join("/") + "/");
                }
                stack.push(r);
            } else {
                let parts: Vec<String> = r
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Why `dest` may not be replaced, or `Ok` when it is an empty folder or an earlier complete
/// output of ours whose files are all unchanged.
fn check_ours(dest: &Path) -> Result<(), WriteError> {
    let path = dest.display().to_string();
    let not_ours = |why: &str| WriteError::NotOurs {
        path: path.clone(),
        why: why.to_string(),
    };
    let meta = dest.symlink_metadata().map_err(io(dest))?;
    if !meta.is_dir() {
        return Err(not_ours("it is not a folder"));
    }
    let files = files_below(dest).map_err(io(dest))?;
    if files.is_empty() {
        return Ok(());
    }
    let manifest = fs::read(dest.join("manifest.json"))
        .map_err(|_| not_ours("it has no manifest.json written by symbiosim"))?;
    let manifest: serde_json::Value = serde_json::from_slice(&manifest)
        .map_err(|_| not_ours("its manifest.json is not one symbiosim wrote"))?;
    let listed = manifest
        .get("symbiosim_version")
        .and_then(|v| v.as_str())
        .and(manifest.get("outputs"))
        .and_then(|o| o.as_array())
        .ok_or_else(|| not_ours("its manifest.json is not one symbiosim wrote"))?;
    let mut ours = std::collections::BTreeMap::new();
    for o in listed {
        match (
            o.get("path").and_then(|v| v.as_str()),
            o.get("bytes").and_then(|v| v.as_u64()),
            o.get("sha256").and_then(|v| v.as_str()),
        ) {
            (Some(p), Some(b), Some(h)) => ours.insert(p.to_string(), (b, h.to_string())),
            _ => return Err(not_ours("its manifest.json is not one symbiosim wrote")),
        };
    }
    let mut foreign = Vec::new();
    for f in files.iter().filter(|f| *f != "manifest.json") {
        if f.ends_with('/') {
            // An empty folder is ours when the manifest lists files under it (they were
            // deleted since); otherwise a user made it.
            if !ours.keys().any(|p| p.starts_with(f.as_str())) {
                foreign.push(f.clone());
            }
            continue;
        }
        let unchanged = ours.get(f).is_some_and(|(bytes, sha)| {
            digest_file(&dest.join(f)).is_ok_and(|(len, hex)| len == *bytes && hex == *sha)
        });
        if !unchanged {
            foreign.push(f.clone());
        }
    }
    if foreign.is_empty() {
        return Ok(());
    }
    let shown = foreign.len().min(5);
    let mut list = foreign[..shown].join(", ");
    if foreign.len() > shown {
        list.push_str(&format!(" and {} more", foreign.len() - shown));
    }
    Err(WriteError::Foreign { path, files: list })
}

/// A file's size and SHA-256 (hex), read in blocks (outputs can be large).
fn digest_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut hash = Sha256::new();
    let len = std::io::copy(&mut fs::File::open(path)?, &mut hash)?;
    Ok((len, format!("{:x}", hash.finalize())))
}

/// Fails when `dest` exists and may not be replaced under `replace`.
pub fn check_destination(dest: &Path, replace: Replace) -> Result<(), WriteError> {
    if dest.symlink_metadata().is_err() {
        return Ok(());
    }
    match replace {
        Replace::Never => Err(WriteError::Exists(dest.display().to_string())),
        Replace::OurOutput => check_ours(dest),
    }
}

fn name_of(dest: &Path) -> String {
    dest.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into())
}

fn sibling(dest: &Path, tag: &str, pid: u32) -> PathBuf {
    dest.with_file_name(format!(".{}.{tag}-{pid}", name_of(dest)))
}

/// Whether process `pid` may still be running (conservative: `true` when unsure).
fn alive(pid: u32) -> bool {
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

/// Hidden folders `.NAME.tmp-PID` / `.NAME.old-PID` next to `dest` left by runs that are gone:
/// a `tmp` one is removed; an `old` one (the earlier output, moved aside by the two-rename
/// fallback) is moved back when the destination is missing, else removed.
fn clean_stale(dest: &Path) {
    let Some(parent) = dest.parent() else { return };
    let dir = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{}.", name_of(dest));
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(&prefix) else {
            continue;
        };
        let (tag, pid) = match rest.split_once('-') {
            Some((tag @ ("tmp" | "old"), pid)) => match pid.parse::<u32>() {
                Ok(pid) => (tag, pid),
                Err(_) => continue,
            },
            _ => continue,
        };
        if alive(pid) || !e.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let path = e.path();
        if tag == "old" && dest.symlink_metadata().is_err() {
            let _ = fs::rename(&path, dest);
        } else {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

/// A destination checked and a temporary folder created next to it; see [`prepare`].
#[derive(Debug)]
pub struct Prepared {
    dest: PathBuf,
    tmp: PathBuf,
    replace: Replace,
    /// Parent folders this run created (removed again if it fails).
    created: Option<PathBuf>,
    committed: bool,
}

/// The outermost ancestor of `dir` that does not exist yet (what `create_dir_all` will create).
fn first_missing(dir: &Path) -> Option<PathBuf> {
    let mut missing = None;
    let mut cur = Some(dir);
    while let Some(d) = cur {
        if d.as_os_str().is_empty() || d.symlink_metadata().is_ok() {
            break;
        }
        missing = Some(d.to_path_buf());
        cur = d.parent();
    }
    missing
}

/// Checks `dest` under `replace`, cleans up after earlier runs that crashed, and creates the
/// temporary folder next to `dest`. With `create_parents`, missing parent folders are created
/// (the tool's own `output/`); otherwise a missing parent is an error naming it.
pub fn prepare(
    dest: &Path,
    replace: Replace,
    create_parents: bool,
) -> Result<Prepared, WriteError> {
    clean_stale(dest);
    check_destination(dest, replace)?;
    let parent = dest.parent().filter(|p| !p.as_os_str().is_empty());
    let created = parent.and_then(first_missing);
    if let (Some(p), true) = (parent, created.is_some() && !create_parents) {
        return Err(WriteError::NoParent(p.display().to_string()));
    }
    if let Some(p) = parent {
        fs::create_dir_all(p).map_err(io(dest))?;
    }
    let tmp = sibling(dest, "tmp", std::process::id());
    let _ = fs::remove_dir_all(&tmp);
    let prepared = Prepared {
        dest: dest.to_path_buf(),
        tmp,
        replace,
        created,
        committed: false,
    };
    fs::create_dir(&prepared.tmp).map_err(io(dest))?;
    Ok(prepared)
}

impl Prepared {
    /// Writes `files` and puts the folder in place (see the module documentation). Returns the
    /// hidden folder that keeps the earlier output when files appeared or changed in it while
    /// the new one was written (they are never deleted), else `None`.
    pub fn commit(mut self, files: &[OutputFile]) -> Result<Option<PathBuf>, WriteError> {
        write_all(&self.tmp, files).map_err(|e| self.blame(e))?;
        sync_dir(&self.tmp).map_err(|e| self.blame(io(&self.tmp)(e)))?;
        // The destination may have changed while the run computed: check again.
        check_destination(&self.dest, self.replace)?;
        test_pause("before");
        let kept = if self.dest.symlink_metadata().is_ok() {
            swap(&self.tmp, &self.dest).map_err(io(&self.dest))?;
            self.committed = true;
            test_pause("after");
            retire(&self.tmp, &self.dest)?
        } else {
            rename_new(&self.tmp, &self.dest).map_err(io(&self.dest))?;
            self.committed = true;
            None
        };
        if let Some(parent) = self.dest.parent().filter(|p| !p.as_os_str().is_empty()) {
            let _ = sync_dir(parent);
        }
        Ok(kept)
    }

    /// Errors inside the temporary folder are reported against the destination the user named.
    fn blame(&self, e: WriteError) -> WriteError {
        match e {
            WriteError::Io { source, .. } => WriteError::Io {
                path: self.dest.display().to_string(),
                source,
            },
            other => other,
        }
    }
}

/// Deletes `earlier`, the earlier output swapped out of `dest`, only if it is still all ours:
/// a file may have been added or edited in it between the last check and the swap. Otherwise
/// it is kept as `.NAME.kept-PID` next to `dest` (never cleaned automatically), and returned.
fn retire(earlier: &Path, dest: &Path) -> Result<Option<PathBuf>, WriteError> {
    if check_ours(earlier).is_ok() {
        let _ = fs::remove_dir_all(earlier);
        return Ok(None);
    }
    let kept = sibling(dest, "kept", std::process::id());
    fs::rename(earlier, &kept).map_err(io(dest))?;
    Ok(Some(kept))
}

impl Drop for Prepared {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.tmp);
            // The parents this run created are removed only while empty: another run may
            // have put its output in them meanwhile.
            if let Some(created) = &self.created {
                let mut dir = self.tmp.parent();
                while let Some(d) = dir {
                    if fs::remove_dir(d).is_err() || d == created.as_path() {
                        break;
                    }
                    dir = d.parent();
                }
            }
        }
    }
}

/// Flushes a folder's entries (the renames into it) to disk, where the OS allows it.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// For the kill tests only: `SYMBIOSIM_TEST_PAUSE_SWAP=before|after:MILLISECONDS` sleeps just
/// before or just after the swap, so that a test can kill the process there.
fn test_pause(at: &str) {
    if let Ok(v) = std::env::var("SYMBIOSIM_TEST_PAUSE_SWAP") {
        if let Some((when, ms)) = v.split_once(':') {
            if when == at {
                let ms = ms.parse().unwrap_or(0u64).min(60_000);
                std::thread::sleep(std::time::Duration::from_millis(ms));
            }
        }
    }
}

#[cfg(target_os = "linux")]
fn renameat2(from: &Path, to: &Path, flags: libc::c_uint) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
    };
    let (a, b) = (c(from)?, c(to)?);
    // SAFETY: two valid NUL-terminated paths; renameat2 reads them and nothing else.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            flags,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Whether a `renameat2` failure means "not supported here" (old kernel, file system).
#[cfg(target_os = "linux")]
fn unsupported(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ENOSYS | libc::EINVAL))
}

/// Swaps the new folder `tmp` and the existing `dest` (atomic where the OS allows it).
fn swap(tmp: &Path, dest: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    match renameat2(tmp, dest, libc::RENAME_EXCHANGE) {
        Ok(()) => return Ok(()),
        Err(e) if !unsupported(&e) => return Err(e),
        Err(_) => {}
    }
    // Fallback: two renames; a crash between them is repaired by the next run (clean_stale).
    let old = sibling(dest, "old", std::process::id());
    let _ = fs::remove_dir_all(&old);
    fs::rename(dest, &old)?;
    if let Err(e) = fs::rename(tmp, dest) {
        let _ = fs::rename(&old, dest);
        return Err(e);
    }
    // The caller deletes `tmp`; here the earlier output is `old`.
    fs::rename(&old, tmp)
}

/// Moves the new folder into a destination that does not exist.
fn rename_new(tmp: &Path, dest: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    match renameat2(tmp, dest, libc::RENAME_NOREPLACE) {
        Ok(()) => return Ok(()),
        Err(e) if !unsupported(&e) => return Err(e),
        Err(_) => {}
    }
    fs::rename(tmp, dest)
}

/// Where file `rel` goes in the temporary folder `tmp` (its parent folders created), and the
/// `.part` name it is written under before its rename.
fn place(tmp: &Path, rel: &str) -> Result<(PathBuf, PathBuf), WriteError> {
    let r = Path::new(rel);
    if r.is_absolute()
        || r.components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return Err(WriteError::BadPath(rel.to_string()));
    }
    let path = tmp.join(r);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let part = path.with_extension(format!(
        "{}.part",
        path.extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    Ok((path, part))
}

fn write_all(tmp: &Path, files: &[OutputFile]) -> Result<(), WriteError> {
    for f in files {
        let (path, part) = place(tmp, &f.path)?;
        let mut fh = fs::File::create(&part).map_err(io(&part))?;
        fh.write_all(&f.bytes).map_err(io(&part))?;
        fh.sync_all().map_err(io(&part))?;
        fs::rename(&part, &path).map_err(io(&path))?;
    }
    Ok(())
}

/// Writes `files` into folder `dest` atomically: [`prepare`] then [`Prepared::commit`].
pub fn write_folder(
    dest: &Path,
    files: &[OutputFile],
    replace: Replace,
    create_parents: bool,
) -> Result<Option<PathBuf>, WriteError> {
    prepare(dest, replace, create_parents)?.commit(files)
}

#[cfg(test)]
mod tests;
