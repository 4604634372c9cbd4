//! What this process owns on disk right now — its temporary folders (with the parent folders it
//! created for them), an export's `.part` file, the destination locks it holds — so that a
//! signal handler can remove exactly that and nothing else ([`remove_owned`]). The writer
//! registers each thing as it creates it and forgets it once it is committed or removed; the
//! swap itself runs with the registry locked, so the handler never removes a folder while it
//! changes places.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// What a registered temporary folder holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Holds {
    /// The new output being written: removed.
    New,
    /// The earlier output, swapped out of the destination: removed if still all ours, else
    /// kept aside (as the commit does).
    Earlier,
}

#[derive(Debug)]
struct Folder {
    id: u64,
    path: PathBuf,
    dest: PathBuf,
    created: Option<PathBuf>,
    holds: Holds,
}

#[derive(Debug, Default)]
pub(super) struct Registry {
    folders: Vec<Folder>,
    files: Vec<PathBuf>,
    locks: Vec<PathBuf>,
    next: u64,
    /// Set by [`remove_owned`]: nothing new is created and no swap starts.
    stopped: bool,
}

static OWNED: Mutex<Registry> = Mutex::new(Registry {
    folders: Vec::new(),
    files: Vec::new(),
    locks: Vec::new(),
    next: 0,
    stopped: false,
});

pub(super) fn registry() -> MutexGuard<'static, Registry> {
    OWNED.lock().unwrap_or_else(|e| e.into_inner())
}

/// The error of work refused once the process is stopping.
pub(super) fn stopping() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::Interrupted,
        "the run is being stopped by a signal",
    )
}

impl Registry {
    pub(super) fn stopped(&self) -> bool {
        self.stopped
    }

    /// Registers temporary folder `path` for `dest`; returns its id.
    pub(super) fn add_folder(&mut self, path: &Path, dest: &Path, created: Option<PathBuf>) -> u64 {
        self.next += 1;
        self.folders.push(Folder {
            id: self.next,
            path: path.to_path_buf(),
            dest: dest.to_path_buf(),
            created,
            holds: Holds::New,
        });
        self.next
    }

    pub(super) fn set_holds(&mut self, id: u64, holds: Holds) {
        if let Some(f) = self.folders.iter_mut().find(|f| f.id == id) {
            f.holds = holds;
        }
    }

    pub(super) fn forget_folder(&mut self, id: u64) {
        self.folders.retain(|f| f.id != id);
    }

    pub(super) fn add_file(&mut self, path: &Path) {
        self.files.push(path.to_path_buf());
    }

    pub(super) fn forget_file(&mut self, path: &Path) {
        self.files.retain(|f| f != path);
    }
}

pub(super) fn hold_lock(path: &Path) {
    registry().locks.push(path.to_path_buf());
}

/// Lets go of lock file `path`: removed (still held) unless a signal handler already did.
pub(super) fn release_lock(path: &Path) {
    let mut r = registry();
    if let Some(i) = r.locks.iter().position(|l| l == path) {
        r.locks.swap_remove(i);
        let _ = std::fs::remove_file(path);
    }
}

/// Removes `path` (a folder of ours) and its marker, trying again while files another thread
/// of this process is still creating in it make it non-empty.
fn remove_retrying(path: &Path) {
    for _ in 0..200 {
        if super::hidden::remove_folder(path).is_ok() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

/// For a signal handler: removes every temporary folder and file this process owns (a
/// swapped-out earlier output only if it is still all ours, else it is kept aside as the
/// commit would) and the parent folders it created while they are empty, unlinks the
/// destination locks it holds, and stops the writer: from now on it creates nothing and starts
/// no swap. The caller then ends the process. A swap already under way is finished first, so
/// the destination holds the earlier or the new complete output.
pub fn remove_owned() {
    let mut r = registry();
    r.stopped = true;
    for f in std::mem::take(&mut r.folders) {
        match f.holds {
            Holds::New => remove_retrying(&f.path),
            Holds::Earlier => {
                let _ = super::retire(&f.path, &f.dest);
            }
        }
        super::remove_created(&f.path, f.created.as_deref());
    }
    for path in std::mem::take(&mut r.files) {
        let _ = std::fs::remove_file(path);
    }
    for path in std::mem::take(&mut r.locks) {
        let _ = std::fs::remove_file(path);
    }
}
