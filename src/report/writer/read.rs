//! Reading files of an earlier output folder (to recognise it as ours) without ever hanging or
//! filling memory on what a user may have put there: only regular files are opened — never
//! through a symbolic link, never blocking on a named pipe (on unix `O_NOFOLLOW | O_NONBLOCK`,
//! then the open file itself checked) — and at most a stated number of bytes is read.

use sha2::{Digest, Sha256};
use std::fs;
use std::io::Read;
use std::path::Path;

/// The most bytes of an earlier `manifest.json` read to recognise it: symbiosim's are a few
/// kilobytes (one line per output and input file, the command, the timings).
pub const MANIFEST_CAP: u64 = 8 << 20;

/// What a folder entry is, in words, when it is not a regular file or a folder.
pub(super) fn special_kind(t: fs::FileType) -> Option<&'static str> {
    if t.is_file() || t.is_dir() {
        return None;
    }
    if t.is_symlink() {
        return Some("a symbolic link");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a named pipe");
        }
        if t.is_socket() {
            return Some("a socket");
        }
        if t.is_block_device() || t.is_char_device() {
            return Some("a device");
        }
    }
    Some("not a regular file")
}

/// Why a file could not be read.
#[derive(Debug)]
pub(super) enum ReadError {
    /// It is not a regular file (what it is).
    Special(&'static str),
    /// It holds more than the cap.
    TooLarge,
    Io(std::io::Error),
}

/// `path` opened for reading if it is a regular file, else what it is.
pub(super) fn open_regular(path: &Path) -> Result<fs::File, ReadError> {
    let meta = fs::symlink_metadata(path).map_err(ReadError::Io)?;
    if let Some(kind) = special_kind(meta.file_type()) {
        return Err(ReadError::Special(kind));
    }
    if meta.is_dir() {
        return Err(ReadError::Special("a folder"));
    }
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Replaced by a link or a pipe since the look above: refuse, do not follow or block.
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return ReadError::Special("a symbolic link");
        }
        ReadError::Io(e)
    })?;
    let t = file.metadata().map_err(ReadError::Io)?.file_type();
    match special_kind(t) {
        Some(kind) => Err(ReadError::Special(kind)),
        None if t.is_dir() => Err(ReadError::Special("a folder")),
        None => Ok(file),
    }
}

/// The whole of regular file `path`, if it holds at most `cap` bytes.
pub(super) fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let file = open_regular(path)?;
    let mut out = Vec::new();
    file.take(cap + 1)
        .read_to_end(&mut out)
        .map_err(ReadError::Io)?;
    if out.len() as u64 > cap {
        return Err(ReadError::TooLarge);
    }
    Ok(out)
}

/// The size and SHA-256 (hex) of regular file `path`, read in blocks, if it holds exactly
/// `bytes` bytes (`None` otherwise: at most `bytes + 1` are read, so a file that grows without
/// end is never read to its end).
pub(super) fn digest_exact(path: &Path, bytes: u64) -> Result<Option<String>, ReadError> {
    let file = open_regular(path)?;
    let mut hash = Sha256::new();
    let len =
        std::io::copy(&mut file.take(bytes.saturating_add(1)), &mut hash).map_err(ReadError::Io)?;
    Ok((len == bytes).then(|| format!("{:x}", hash.finalize())))
}
