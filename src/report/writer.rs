//! The one place that writes outputs to disk: a whole folder, atomically.
//!
//! Files are first written into a hidden temporary folder next to the destination, each file
//! itself through temp + rename; only when all are written is the folder renamed into place.
//! An existing destination is refused unless `force`, in which case it is replaced only after
//! the new folder is complete. On any error the temporary folder is removed: a failed run
//! leaves nothing behind.

use super::OutputFile;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("output folder {0} already exists; pass --force to replace it")]
    Exists(String),
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("output path {0} is not inside the output folder")]
    BadPath(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Fails early (before any work) when `dest` exists and `force` is off.
pub fn check_destination(dest: &Path, force: bool) -> Result<(), WriteError> {
    if dest.exists() && !force {
        return Err(WriteError::Exists(dest.display().to_string()));
    }
    Ok(())
}

fn sibling(dest: &Path, tag: &str) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    dest.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}

fn write_all(tmp: &Path, files: &[OutputFile]) -> Result<(), WriteError> {
    fs::create_dir_all(tmp).map_err(io(tmp))?;
    for f in files {
        let rel = Path::new(&f.path);
        if rel.is_absolute()
            || rel
                .components()
                .any(|c| matches!(c, std::path::Component::ParentDir))
        {
            return Err(WriteError::BadPath(f.path.clone()));
        }
        let path = tmp.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let part = path.with_extension(format!(
            "{}.part",
            path.extension()
                .map(|e| e.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        let mut fh = fs::File::create(&part).map_err(io(&part))?;
        fh.write_all(&f.bytes).map_err(io(&part))?;
        fh.sync_all().map_err(io(&part))?;
        fs::rename(&part, &path).map_err(io(&path))?;
    }
    Ok(())
}

/// Writes `files` into folder `dest` atomically (see the module documentation).
pub fn write_folder(dest: &Path, files: &[OutputFile], force: bool) -> Result<(), WriteError> {
    check_destination(dest, force)?;
    if let Some(parent) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let tmp = sibling(dest, "tmp");
    let _ = fs::remove_dir_all(&tmp);
    if let Err(e) = write_all(&tmp, files) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if dest.exists() {
        // force: move the old folder aside, put the new one in place, then delete the old one.
        let old = sibling(dest, "old");
        let _ = fs::remove_dir_all(&old);
        if let Err(e) = fs::rename(dest, &old) {
            let _ = fs::remove_dir_all(&tmp);
            return Err(io(dest)(e));
        }
        if let Err(e) = fs::rename(&tmp, dest) {
            let _ = fs::rename(&old, dest);
            let _ = fs::remove_dir_all(&tmp);
            return Err(io(dest)(e));
        }
        let _ = fs::remove_dir_all(&old);
    } else if let Err(e) = fs::rename(&tmp, dest) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(io(dest)(e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(tag: &str) -> Vec<OutputFile> {
        vec![
            OutputFile {
                path: "a.txt".into(),
                bytes: tag.as_bytes().to_vec(),
            },
            OutputFile {
                path: "charts/b.txt".into(),
                bytes: b"b".to_vec(),
            },
        ]
    }

    #[test]
    fn refuses_existing_without_force_and_replaces_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out");
        write_folder(&dest, &files("one"), false).unwrap();
        assert_eq!(fs::read_to_string(dest.join("a.txt")).unwrap(), "one");
        assert!(matches!(
            write_folder(&dest, &files("two"), false),
            Err(WriteError::Exists(_))
        ));
        assert_eq!(fs::read_to_string(dest.join("a.txt")).unwrap(), "one");
        write_folder(&dest, &files("three"), true).unwrap();
        assert_eq!(fs::read_to_string(dest.join("a.txt")).unwrap(), "three");
        // Nothing but the destination is left in the parent.
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out")]);
    }

    #[test]
    fn failure_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out");
        let bad = vec![
            OutputFile {
                path: "ok.txt".into(),
                bytes: vec![],
            },
            OutputFile {
                path: "../escape".into(),
                bytes: vec![],
            },
        ];
        assert!(matches!(
            write_folder(&dest, &bad, false),
            Err(WriteError::BadPath(_))
        ));
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
