//! The one place that writes outputs to disk: a whole folder, atomically.
//!
//! Files are first written into a hidden temporary folder next to the destination, each file
//! itself through temp + rename; only when all are written is the folder renamed into place.
//! An existing destination is refused unless `force`, and even then only an earlier symbiosim
//! output folder (one holding a `manifest.json`) or an empty folder is replaced, after the new
//! folder is complete. On any error the temporary folder, and any parent folders this run
//! created, are removed: a failed run leaves nothing behind.

use super::OutputFile;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("output folder {0} already exists; pass --force to replace it")]
    Exists(String),
    #[error("output folder {0} exists and is not a symbiosim output folder (no manifest.json); refusing to replace it even with --force")]
    NotOurs(String),
    #[error("cannot write {path}")]
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

/// Whether `dest` may be replaced with `--force`: an empty folder or an earlier output folder.
fn replaceable(dest: &Path) -> bool {
    dest.is_dir()
        && (dest.join("manifest.json").is_file()
            || fs::read_dir(dest)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false))
}

/// Fails early when `dest` exists and `force` is off, or when it is not ours to replace.
pub fn check_destination(dest: &Path, force: bool) -> Result<(), WriteError> {
    if dest.symlink_metadata().is_ok() {
        if !force {
            return Err(WriteError::Exists(dest.display().to_string()));
        }
        if !replaceable(dest) {
            return Err(WriteError::NotOurs(dest.display().to_string()));
        }
    }
    Ok(())
}

/// The outermost ancestor of `dir` that does not exist yet (what `create_dir_all` will create).
fn first_missing(dir: &Path) -> Option<PathBuf> {
    let mut missing = None;
    let mut cur = Some(dir);
    while let Some(d) = cur {
        if d.as_os_str().is_empty() || d.exists() {
            break;
        }
        missing = Some(d.to_path_buf());
        cur = d.parent();
    }
    missing
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
    let created = dest.parent().and_then(first_missing);
    let result = write_checked(dest, files);
    if result.is_err() {
        if let Some(c) = created {
            let _ = fs::remove_dir_all(c);
        }
    }
    result
}

fn write_checked(dest: &Path, files: &[OutputFile]) -> Result<(), WriteError> {
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
        // force (checked replaceable): move the old folder aside, put the new one in place,
        // then delete the old one.
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
                path: "manifest.json".into(),
                bytes: b"{}".to_vec(),
            },
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

    #[test]
    fn force_never_replaces_a_folder_that_is_not_ours() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("thesis");
        fs::create_dir(&dest).unwrap();
        fs::write(dest.join("thesis.tex"), "precious").unwrap();
        assert!(matches!(
            write_folder(&dest, &files("x"), true),
            Err(WriteError::NotOurs(_))
        ));
        assert_eq!(
            fs::read_to_string(dest.join("thesis.tex")).unwrap(),
            "precious"
        );
        let file = dir.path().join("file.txt");
        fs::write(&file, "x").unwrap();
        assert!(matches!(
            write_folder(&file, &files("x"), true),
            Err(WriteError::NotOurs(_))
        ));
        // An empty folder may be filled.
        let empty = dir.path().join("empty");
        fs::create_dir(&empty).unwrap();
        write_folder(&empty, &files("y"), true).unwrap();
        assert_eq!(fs::read_to_string(empty.join("a.txt")).unwrap(), "y");
    }

    #[test]
    fn failure_removes_the_parents_it_created() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("new/deeper/out");
        let bad = vec![OutputFile {
            path: "../x".into(),
            bytes: vec![],
        }];
        assert!(write_folder(&dest, &bad, false).is_err());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
