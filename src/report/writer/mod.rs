//! The one place that writes outputs to disk: a whole folder, atomically.
//!
//! A run first [`prepare`]s its destination, before any computation: the path itself is checked
//! (not `.`, `..`, `/`, the current folder or a folder holding it, a mount point), then with
//! the destination's lock held ([`lock`]) stale temporary folders of earlier, dead runs are
//! cleaned up ([`hidden`]), the destination is checked (see [`Replace`]) and a hidden temporary
//! folder `.NAME.tmp-PID-N` is created next to it, with its marker file — which also proves the
//! location writable. [`Prepared::commit`] writes every file into it (each through `.part` +
//! rename, synced), then, with the lock held again, checks the destination once more and puts
//! the folder in place in one step:
//!
//! - destination absent: one `rename` (refusing to replace anything that appeared meanwhile,
//!   on Linux);
//! - destination present (replaceable, see [`Replace`]): on Linux one `renameat2` with
//!   `RENAME_EXCHANGE`, which swaps the two folders atomically; the earlier output, now under
//!   the temporary name, is then deleted. Elsewhere, two renames (the earlier folder aside as
//!   `.NAME.old-PID-N`, the new one in place): a crash between them leaves the destination
//!   missing, and the next run moves the earlier output back before doing anything else.
//!
//! So at every instant the destination holds the earlier complete output or the new complete
//! one. A crash leaves at most one hidden `.NAME.tmp-PID-N` / `.NAME.old-PID-N` folder (with
//! its marker), which the next run for the same destination removes once process PID is gone;
//! a folder of such a name without our marker is never touched. Dropping a [`Prepared`]
//! without committing removes its temporary folder and the parent folders it created; a signal
//! handler removes the same through [`remove_owned`] ([`registry`]).
//!
//! An earlier output folder is recognised by its content, never by a file name alone: its
//! `manifest.json` parses as ours (a `symbiosim_version` and an `outputs` list with sizes and
//! SHA-256 digests), and every file in the folder is one the manifest lists, unchanged. Files a
//! user added or edited are never deleted: the run is refused and names them. Only regular
//! files are read, never more than the manifest cap or a file's listed size ([`read`]); a
//! symbolic link, named pipe, socket or device in the folder refuses it.

mod append;
mod file;
mod hidden;
mod lock;
mod read;
mod registry;
mod scratch;
mod space;

pub use append::Appender;
pub use file::{check_file, write_file};
pub use hidden::NAME_KEEP;
pub use read::MANIFEST_CAP;
pub use registry::remove_owned;
pub use scratch::Scratch;
pub use space::free_space;

use super::OutputFile;
use hidden::parent_of;
use read::{digest_exact, read_capped, special_kind, ReadError};
use registry::{registry, Holds};
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
    #[error(
        "output folder {path} holds {file}, which is {what} (symbiosim writes only regular \
         files and folders); refusing to replace it: move {file} elsewhere and run again"
    )]
    Special {
        path: String,
        file: String,
        what: String,
    },
    #[error("output folder {path}: {why}")]
    BadDestination { path: String, why: String },
    #[error(
        "cannot use the lock file {path} next to the output folder: {why}; move it elsewhere \
         and run again"
    )]
    Lock { path: String, why: String },
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

/// What is below a folder: every file and every empty folder (ending in `/`), as paths
/// relative to it with `/` separators, sorted; and every entry that is neither a regular file
/// nor a folder, with what it is.
struct Listing {
    files: Vec<String>,
    special: Vec<(String, &'static str)>,
}

fn files_below(dir: &Path) -> std::io::Result<Listing> {
    let joined = |r: &Path| {
        let parts: Vec<String> = r
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        parts.join("/")
    };
    let mut out = Listing {
        files: Vec::new(),
        special: Vec::new(),
    };
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for e in fs::read_dir(dir.join(&rel))? {
            let e = e?;
            let r = rel.join(e.file_name());
            // The entry's own type: a symbolic link is never followed.
            let t = e.file_type()?;
            if let Some(kind) = special_kind(t) {
                out.special.push((joined(&r), kind));
            } else if t.is_dir() {
                // An empty folder is an entry of its own (a user's), listed as `name/`.
                if fs::read_dir(dir.join(&r))?.next().is_none() {
                    out.files.push(joined(&r) + "/");
                }
                stack.push(r);
            } else {
                out.files.push(joined(&r));
            }
        }
    }
    out.files.sort();
    out.special.sort();
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
    let special = |file: &str, what: &str| WriteError::Special {
        path: path.clone(),
        file: file.to_string(),
        what: what.to_string(),
    };
    let meta = dest.symlink_metadata().map_err(io(dest))?;
    if !meta.is_dir() {
        return Err(not_ours("it is not a folder"));
    }
    let Listing {
        files,
        special: odd,
    } = files_below(dest).map_err(io(dest))?;
    if let Some((file, what)) = odd.first() {
        return Err(special(file, what));
    }
    if files.is_empty() {
        return Ok(());
    }
    let manifest = match read_capped(&dest.join("manifest.json"), MANIFEST_CAP) {
        Ok(m) => m,
        Err(ReadError::Special(what)) => return Err(special("manifest.json", what)),
        Err(ReadError::TooLarge) => {
            return Err(not_ours(&format!(
                "its manifest.json is larger than {} MiB, more than symbiosim writes",
                MANIFEST_CAP >> 20
            )))
        }
        Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(not_ours("it has no manifest.json written by symbiosim"))
        }
        Err(ReadError::Io(e)) => return Err(io(dest)(e)),
    };
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
        let unchanged = match ours.get(f) {
            None => false,
            // At most the listed size is read (a file that grows for ever is not ours).
            Some((bytes, sha)) => match digest_exact(&dest.join(f), *bytes) {
                Ok(hex) => hex.as_ref() == Some(sha),
                // Replaced by a link or a pipe since the listing.
                Err(ReadError::Special(what)) => return Err(special(f, what)),
                Err(_) => false,
            },
        };
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

/// Refuses, before anything else, a destination no output folder can be swapped into: a path
/// ending in `.` or `..`, the root, the current folder or one that holds it, a mount point.
/// The message says what to name instead.
pub fn check_path(dest: &Path) -> Result<(), WriteError> {
    let shown = dest.display().to_string();
    let bad = |why: String| {
        Err(WriteError::BadDestination {
            path: shown.clone(),
            why,
        })
    };
    let raw = dest.as_os_str().as_encoded_bytes();
    let mut trimmed = raw;
    while let [rest @ .., b'/'] = trimmed {
        trimmed = rest;
    }
    if raw.is_empty() {
        return bad("the path is empty; name a new folder (e.g. --out out)".into());
    }
    let last = trimmed.rsplit(|&b| b == b'/').next().unwrap_or_default();
    if last == b"." && trimmed.len() == 1 {
        return bad("--out . names the current folder; name a new folder (e.g. --out out)".into());
    }
    if last == b"." && trimmed.len() > 2 {
        let folder = String::from_utf8_lossy(&trimmed[..trimmed.len() - 2]).into_owned();
        return bad(format!(
            "the path ends in `.`; name the folder itself (--out {folder})"
        ));
    }
    if last == b".." {
        return bad(
            "the path ends in `..`, a folder above another; name a new folder by its own name"
                .into(),
        );
    }
    if last == b"." || trimmed.is_empty() || dest.file_name().is_none() {
        return bad(
            "names the root folder; name a new folder inside it (e.g. --out /tmp/out)".into(),
        );
    }
    let Ok(meta) = dest.symlink_metadata() else {
        return Ok(());
    };
    if !meta.is_dir() {
        return Ok(());
    }
    if let (Ok(here), Ok(canon)) = (std::env::current_dir(), fs::canonicalize(dest)) {
        if here.canonicalize().is_ok_and(|h| h.starts_with(&canon)) {
            return bad(format!(
                "it is the current folder or holds it; name a new folder (e.g. --out {})",
                dest.join("out").display()
            ));
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(up) = fs::metadata(dest.join("..")) {
            if up.dev() != meta.dev() || up.ino() == meta.ino() {
                return bad(format!(
                    "it is a mount point, which cannot be swapped for a new folder; name a new \
                     folder inside it (e.g. --out {})",
                    dest.join("out").display()
                ));
            }
        }
    }
    Ok(())
}

/// A destination checked and a temporary folder created next to it; see [`prepare`].
#[derive(Debug)]
pub struct Prepared {
    dest: PathBuf,
    tmp: PathBuf,
    replace: Replace,
    /// Parent folders this run created (removed again if it fails).
    created: Option<PathBuf>,
    /// The temporary folder's entry in the [`registry`].
    id: u64,
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

/// Removes folder `inside` and its parents up to `created` (the outermost one a run created)
/// only while they are empty: another run may have put its output in them meanwhile.
fn remove_created(inside: &Path, created: Option<&Path>) {
    let Some(created) = created else { return };
    let mut dir = Some(inside);
    while let Some(d) = dir {
        if fs::remove_dir(d).is_err() || d == created {
            break;
        }
        dir = d.parent();
    }
}

/// Checks the path `dest` ([`check_path`]); then, with the destination's lock held, cleans up
/// after earlier runs that died, checks `dest` under `replace` and creates the temporary folder
/// next to it. With `create_parents`, missing parent folders are created (the tool's own
/// `output/`); otherwise a missing parent is an error naming it.
pub fn prepare(
    dest: &Path,
    replace: Replace,
    create_parents: bool,
) -> Result<Prepared, WriteError> {
    check_path(dest)?;
    let parent = dest.parent().filter(|p| !p.as_os_str().is_empty());
    let created = parent.and_then(first_missing);
    if let (Some(p), true) = (parent, created.is_some() && !create_parents) {
        return Err(WriteError::NoParent(p.display().to_string()));
    }
    if let Some(p) = parent {
        fs::create_dir_all(p).map_err(io(dest))?;
    }
    let made = (|| {
        let _lock = lock::lock(&hidden::lock_path(dest))?;
        hidden::clean_stale(dest);
        check_destination(dest, replace)?;
        let mut r = registry();
        if r.stopped() {
            return Err(io(dest)(registry::stopping()));
        }
        let tmp = hidden::create_folder(dest, "tmp").map_err(io(dest))?;
        let id = r.add_folder(&tmp, dest, created.clone());
        Ok((tmp, id))
    })();
    match made {
        Ok((tmp, id)) => Ok(Prepared {
            dest: dest.to_path_buf(),
            tmp,
            replace,
            created,
            id,
            committed: false,
        }),
        Err(e) => {
            remove_created(parent_of(dest), created.as_deref());
            Err(e)
        }
    }
}

impl Prepared {
    /// Writes `files` and puts the folder in place (see the module documentation). Returns the
    /// hidden folder that keeps the earlier output when files appeared or changed in it while
    /// the new one was written (they are never deleted), else `None`.
    pub fn commit(mut self, files: &[OutputFile]) -> Result<Option<PathBuf>, WriteError> {
        write_all(&self.tmp, files).map_err(|e| self.blame(e))?;
        sync_dir(&self.tmp).map_err(|e| self.blame(io(&self.tmp)(e)))?;
        let lock = lock::lock(&hidden::lock_path(&self.dest))?;
        // The destination may have changed while the run computed: check again.
        check_destination(&self.dest, self.replace)?;
        test_pause("before");
        let swapped = {
            // A signal handler waits for the swap (and never starts its clean-up midway).
            let mut r = registry();
            if r.stopped() {
                return Err(io(&self.dest)(registry::stopping()));
            }
            if self.dest.symlink_metadata().is_ok() {
                swap(&self.tmp, &self.dest).map_err(io(&self.dest))?;
                r.set_holds(self.id, Holds::Earlier);
                self.committed = true;
                true
            } else {
                rename_new(&self.tmp, &self.dest).map_err(io(&self.dest))?;
                hidden::release(&self.tmp);
                r.forget_folder(self.id);
                self.committed = true;
                false
            }
        };
        test_pause("after");
        drop(lock);
        let kept = {
            let mut r = registry();
            let kept = if swapped {
                retire(&self.tmp, &self.dest)
            } else {
                Ok(None)
            };
            r.forget_folder(self.id);
            kept?
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

/// Deletes `earlier`, the earlier output swapped out of `dest` (under a hidden name of ours,
/// with its marker), only if it is still all ours: a file may have been added or edited in it
/// between the last check and the swap. Otherwise it is kept as `.NAME.kept-PID-N` next to
/// `dest` (never cleaned automatically), and returned.
fn retire(earlier: &Path, dest: &Path) -> Result<Option<PathBuf>, WriteError> {
    if check_ours(earlier).is_ok() {
        let _ = hidden::remove_folder(earlier);
        return Ok(None);
    }
    let kept = hidden::fresh(dest, "kept");
    rename_new(earlier, &kept).map_err(io(dest))?;
    hidden::release(earlier);
    Ok(Some(kept))
}

impl Drop for Prepared {
    fn drop(&mut self) {
        let mut r = registry();
        if !self.committed {
            let _ = hidden::remove_folder(&self.tmp);
            remove_created(parent_of(&self.tmp), self.created.as_deref());
        }
        r.forget_folder(self.id);
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
    // Fallback: two renames; a crash between them is repaired by the next run (clean_stale),
    // which knows `old` by its marker, written first.
    let old = hidden::claim(dest, "old")?;
    if let Err(e) = rename_new(dest, &old) {
        hidden::release(&old);
        return Err(e);
    }
    if let Err(e) = fs::rename(tmp, dest) {
        let _ = fs::rename(&old, dest);
        hidden::release(&old);
        return Err(e);
    }
    // The caller deletes `tmp` (its marker still there); here the earlier output is `old`.
    fs::rename(&old, tmp)?;
    hidden::release(&old);
    Ok(())
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
    // Folders created one by one below `tmp`, never `tmp` itself: a temporary folder removed
    // by a signal handler is not made again.
    let mut dir = tmp.to_path_buf();
    for c in r.parent().into_iter().flat_map(Path::components) {
        dir.push(c);
        match fs::create_dir(&dir) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(io(&dir)(e)),
            _ => {}
        }
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
