//! The destination's advisory lock: `.NAME.lock` next to it, held (`flock`, exclusive) while a
//! run checks the destination and cleans up after dead runs, and again while it checks and
//! swaps, so that two runs into one folder never interleave there (one run would otherwise read
//! one generation's manifest and hash the next one's files). The holder removes the file when
//! it lets go; a waiter that then gets the lock of the removed file tries again on the file the
//! name holds now. A lock file left by a killed run is simply taken by the next. A file of that
//! name that is not a regular file, or holds anything but symbiosim's lock line, is not ours:
//! the run is refused and names it. Where `flock` does not exist (not unix), runs are not
//! serialised.

use super::registry;
use super::WriteError;
use std::fs;
use std::path::{Path, PathBuf};

/// The lock of one destination, held until dropped.
#[derive(Debug)]
pub(super) struct DestLock {
    path: PathBuf,
    #[allow(dead_code)]
    file: fs::File,
}

const LINE: &str = "symbiosim lock of an output folder";

fn lock_error(path: &Path, why: &str) -> WriteError {
    WriteError::Lock {
        path: path.display().to_string(),
        why: why.to_string(),
    }
}

/// Takes the lock of the destination whose lock file is `path` (waiting for another run that
/// holds it).
pub(super) fn lock(path: &Path) -> Result<DestLock, WriteError> {
    let io = |e: std::io::Error| lock_error(path, &e.to_string());
    loop {
        let mut options = fs::OpenOptions::new();
        options.read(true).write(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
        }
        let file = options.open(path).map_err(|e| {
            #[cfg(unix)]
            if e.raw_os_error() == Some(libc::ELOOP) {
                return lock_error(path, "it is a symbolic link");
            }
            io(e)
        })?;
        let meta = file.metadata().map_err(io)?;
        if !meta.is_file() {
            return Err(lock_error(path, "it is not a regular file"));
        }
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            use std::os::unix::fs::MetadataExt;
            loop {
                // SAFETY: flock on a descriptor this function owns.
                if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
                    break;
                }
                let e = std::io::Error::last_os_error();
                if e.kind() != std::io::ErrorKind::Interrupted {
                    return Err(io(e));
                }
            }
            // The holder before removes the file as it lets go: lock the file the name holds.
            let now = fs::symlink_metadata(path);
            if !now.is_ok_and(|m| m.dev() == meta.dev() && m.ino() == meta.ino()) {
                continue;
            }
        }
        return finish(path, file);
    }
}

/// The lock taken: the file checked as ours and written with its line.
fn finish(path: &Path, mut file: fs::File) -> Result<DestLock, WriteError> {
    use std::io::{Read, Seek, Write};
    let io = |e: std::io::Error| lock_error(path, &e.to_string());
    let mut head = Vec::new();
    (&mut file).take(4096).read_to_end(&mut head).map_err(io)?;
    if !head.is_empty() && !head.starts_with(LINE.as_bytes()) {
        return Err(lock_error(path, "it is not symbiosim's lock file"));
    }
    file.set_len(0).map_err(io)?;
    file.rewind().map_err(io)?;
    file.write_all(format!("{LINE}\npid {}\n", std::process::id()).as_bytes())
        .map_err(io)?;
    registry::hold_lock(path);
    Ok(DestLock {
        path: path.to_path_buf(),
        file,
    })
}

impl Drop for DestLock {
    fn drop(&mut self) {
        // Removed while still held (see the module documentation); closing the file lets go.
        registry::release_lock(&self.path);
    }
}
