//! Free space where an output will be written: the file system of the folder that will hold
//! the destination's temporary folder (its parent, or the nearest existing ancestor of it when
//! missing parents are to be created), asked before a run writes anything.

use super::hidden::parent_of;
use std::path::{Path, PathBuf};

/// The folder whose file system will hold `dest`'s temporary folder, and the bytes free there
/// for this user (`statvfs`: available blocks × fragment size). `Ok(None)` where the platform
/// has no `statvfs` (not unix).
pub fn free_space(dest: &Path) -> std::io::Result<Option<(PathBuf, u64)>> {
    let mut folder = parent_of(dest);
    // Missing parents are created by `prepare`: they will be on their first existing
    // ancestor's file system.
    while !folder.exists() {
        match folder.parent() {
            Some(p) if !p.as_os_str().is_empty() => folder = p,
            _ => {
                folder = Path::new(".");
                break;
            }
        }
    }
    Ok(available(folder)?.map(|free| (folder.to_path_buf(), free)))
}

#[cfg(unix)]
fn available(folder: &Path) -> std::io::Result<Option<u64>> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(folder.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    // SAFETY: `statvfs` writes the struct it is given and reads a NUL-terminated path.
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(path.as_ptr(), &mut s) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // The field types differ between platforms (u32 or u64).
    #[allow(clippy::unnecessary_cast)]
    let free = (s.f_bavail as u64).saturating_mul(s.f_frsize as u64);
    Ok(Some(free))
}

#[cfg(not(unix))]
fn available(_: &Path) -> std::io::Result<Option<u64>> {
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_space_is_asked_of_the_nearest_existing_folder() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a").join("b").join("out");
        let got = free_space(&dest).unwrap();
        #[cfg(unix)]
        {
            let (folder, free) = got.unwrap();
            assert_eq!(folder, dir.path());
            assert!(free > 0);
        }
        #[cfg(not(unix))]
        assert!(got.is_none());
        assert_eq!(
            free_space(Path::new("out")).unwrap().map(|(f, _)| f),
            cfg!(unix).then(|| PathBuf::from("."))
        );
    }
}
