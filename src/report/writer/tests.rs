use super::*;
use sha2::{Digest, Sha256};

/// Output files with a manifest that lists them, as `report::manifest_json` writes it.
fn files(tag: &str) -> Vec<OutputFile> {
    let mut files = vec![
        OutputFile {
            path: "a.txt".into(),
            bytes: tag.as_bytes().to_vec(),
        },
        OutputFile {
            path: "charts/b.txt".into(),
            bytes: b"b".to_vec(),
        },
    ];
    let outputs: Vec<serde_json::Value> = files
        .iter()
        .map(|f| {
            serde_json::json!({
                "path": f.path,
                "bytes": f.bytes.len(),
                "sha256": format!("{:x}", Sha256::digest(&f.bytes)),
            })
        })
        .collect();
    let manifest = serde_json::json!({ "symbiosim_version": "0.1.0", "outputs": outputs });
    files.push(OutputFile {
        path: "manifest.json".into(),
        bytes: serde_json::to_vec_pretty(&manifest).unwrap(),
    });
    files
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn refuses_existing_unless_replaceable_and_replaces_our_output() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out");
    write_folder(&dest, &files("one"), Replace::Never, false).unwrap();
    assert_eq!(fs::read_to_string(dest.join("a.txt")).unwrap(), "one");
    assert!(matches!(
        write_folder(&dest, &files("two"), Replace::Never, false),
        Err(WriteError::Exists(_))
    ));
    assert_eq!(fs::read_to_string(dest.join("a.txt")).unwrap(), "one");
    write_folder(&dest, &files("three"), Replace::OurOutput, false).unwrap();
    assert_eq!(fs::read_to_string(dest.join("a.txt")).unwrap(), "three");
    // Nothing but the destination is left in the parent.
    assert_eq!(names(dir.path()), ["out"]);
}

#[test]
fn a_file_named_manifest_json_does_not_make_a_folder_ours() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("webapp");
    fs::create_dir(&dest).unwrap();
    fs::write(dest.join("manifest.json"), r#"{"name":"my pwa"}"#).unwrap();
    fs::write(dest.join("index.html"), "x").unwrap();
    let e = write_folder(&dest, &files("x"), Replace::OurOutput, false).unwrap_err();
    assert!(matches!(e, WriteError::NotOurs { .. }), "{e}");
    assert_eq!(fs::read_to_string(dest.join("index.html")).unwrap(), "x");
    assert_eq!(names(dir.path()), ["webapp"]);
}

#[test]
fn files_added_or_edited_in_an_earlier_output_are_never_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out");
    write_folder(&dest, &files("one"), Replace::Never, false).unwrap();
    fs::write(dest.join("charts/notes.txt"), "mine").unwrap();
    let e = write_folder(&dest, &files("two"), Replace::OurOutput, false).unwrap_err();
    assert!(
        matches!(&e, WriteError::Foreign { files, .. } if files == "charts/notes.txt"),
        "{e}"
    );
    assert_eq!(
        fs::read_to_string(dest.join("charts/notes.txt")).unwrap(),
        "mine"
    );
    fs::remove_file(dest.join("charts/notes.txt")).unwrap();
    // An edited output is the user's too.
    fs::write(dest.join("a.txt"), "edited").unwrap();
    let e = write_folder(&dest, &files("two"), Replace::OurOutput, false).unwrap_err();
    assert!(
        matches!(&e, WriteError::Foreign { files, .. } if files == "a.txt"),
        "{e}"
    );
    assert_eq!(fs::read_to_string(dest.join("a.txt")).unwrap(), "edited");
    // A deleted output file does not stop the replacement.
    fs::write(dest.join("a.txt"), "one").unwrap();
    fs::remove_file(dest.join("charts/b.txt")).unwrap();
    write_folder(&dest, &files("two"), Replace::OurOutput, false).unwrap();
    assert_eq!(fs::read_to_string(dest.join("a.txt")).unwrap(), "two");
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
        write_folder(&dest, &bad, Replace::Never, false),
        Err(WriteError::BadPath(_))
    ));
    assert_eq!(names(dir.path()), Vec::<String>::new());
}

#[test]
fn not_a_folder_and_empty_folders() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file.txt");
    fs::write(&file, "x").unwrap();
    assert!(matches!(
        write_folder(&file, &files("x"), Replace::OurOutput, false),
        Err(WriteError::NotOurs { .. })
    ));
    assert_eq!(fs::read_to_string(&file).unwrap(), "x");
    // An empty folder may be filled.
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    write_folder(&empty, &files("y"), Replace::OurOutput, false).unwrap();
    assert_eq!(fs::read_to_string(empty.join("a.txt")).unwrap(), "y");
}

#[test]
fn missing_parents_are_refused_or_created_and_removed_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("new/deeper/out");
    let e = write_folder(&dest, &files("x"), Replace::Never, false).unwrap_err();
    assert!(
        matches!(&e, WriteError::NoParent(p) if p.ends_with("new/deeper")),
        "{e}"
    );
    assert_eq!(names(dir.path()), Vec::<String>::new());
    let bad = vec![OutputFile {
        path: "../x".into(),
        bytes: vec![],
    }];
    assert!(write_folder(&dest, &bad, Replace::Never, true).is_err());
    assert_eq!(names(dir.path()), Vec::<String>::new());
    write_folder(&dest, &files("x"), Replace::Never, true).unwrap();
    assert!(dest.join("manifest.json").is_file());
}

#[test]
fn an_unwritable_destination_fails_before_any_work_and_names_the_users_path() {
    let dir = tempfile::tempdir().unwrap();
    // A parent that is a file: no folder can be made there, even as root.
    fs::write(dir.path().join("plain"), "x").unwrap();
    let dest = dir.path().join("plain/out");
    let e = prepare(&dest, Replace::Never, true).unwrap_err();
    assert!(
        matches!(&e, WriteError::Io { path, .. } if path == &dest.display().to_string()),
        "{e}"
    );
}

/// A process that has exited: its pid is gone (and not reused this soon).
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    dead
}

/// A hidden folder `name` in `dir` as a run of process `pid` leaves it: with its marker.
fn ours(dir: &Path, name: &str, pid: u32) -> PathBuf {
    let folder = dir.join(name);
    fs::create_dir_all(&folder).unwrap();
    fs::write(hidden::marker_of(&folder), hidden_marker(&folder, pid)).unwrap();
    folder
}

fn hidden_marker(folder: &Path, pid: u32) -> String {
    format!(
        "symbiosim temporary folder\npid {pid}\nfolder {}\n",
        folder.file_name().unwrap().to_string_lossy()
    )
}

#[test]
fn stale_temporary_folders_of_dead_runs_are_cleaned_and_live_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out");
    let dead = dead_pid();
    let stale = ours(dir.path(), &format!(".out.tmp-{dead}-0"), dead);
    fs::create_dir(stale.join("charts")).unwrap();
    // Our own pid stands for a live run.
    let me = std::process::id();
    let live = ours(dir.path(), &format!(".out.tmp-{me}-99"), me);
    let other = ours(dir.path(), &format!(".other.tmp-{dead}-0"), dead);
    write_folder(&dest, &files("x"), Replace::Never, false).unwrap();
    let left = names(dir.path());
    assert!(
        !left
            .iter()
            .any(|n| n.contains(&format!("tmp-{dead}-0")) && n.starts_with(".out.")),
        "{left:?}"
    );
    assert!(live.is_dir() && other.is_dir(), "{left:?}");
    assert!(hidden::marker_of(&live).is_file() && hidden::marker_of(&other).is_file());
}

#[test]
fn an_earlier_output_moved_aside_by_a_dead_run_is_restored() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out");
    let dead = dead_pid();
    let old = dir.path().join(format!(".out.old-{dead}-0"));
    write_folder(&old, &files("earlier"), Replace::Never, false).unwrap();
    fs::write(hidden::marker_of(&old), hidden_marker(&old, dead)).unwrap();
    // The next run puts it back before checking the destination, which then needs --force.
    assert!(matches!(
        write_folder(&dest, &files("new"), Replace::Never, false),
        Err(WriteError::Exists(_))
    ));
    assert_eq!(fs::read_to_string(dest.join("a.txt")).unwrap(), "earlier");
    assert_eq!(names(dir.path()), ["out"]);
}

/// Issue #19 item 1: the user's own folders named like ours, without our marker, are never
/// deleted or moved, whether the run is refused or goes ahead.
#[test]
fn a_users_folders_named_like_ours_are_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("report");
    let dead = dead_pid();
    let mine = [
        dir.path().join(format!(".report.old-{dead}")),
        dir.path().join(format!(".report.tmp-{dead}")),
        dir.path().join(format!(".report.tmp-{dead}-0")),
    ];
    for m in &mine {
        fs::create_dir(m).unwrap();
        fs::write(m.join("thesis.tex"), "mine").unwrap();
    }
    // A marker that is not ours (wrong folder line) does not make a folder ours either.
    let forged = dir.path().join(format!(".report.tmp-{dead}-1"));
    fs::create_dir(&forged).unwrap();
    fs::write(forged.join("thesis.tex"), "mine").unwrap();
    fs::write(
        hidden::marker_of(&forged),
        format!("symbiosim temporary folder\npid {dead}\nfolder elsewhere\n"),
    )
    .unwrap();
    // `report/` absent: the old-named folder is not moved onto it.
    write_folder(&dest, &files("one"), Replace::Never, false).unwrap();
    assert_eq!(fs::read_to_string(dest.join("a.txt")).unwrap(), "one");
    // `report/` present: refused, and still nothing of the user's is touched.
    assert!(matches!(
        write_folder(&dest, &files("two"), Replace::Never, false),
        Err(WriteError::Exists(_))
    ));
    write_folder(&dest, &files("three"), Replace::OurOutput, false).unwrap();
    for m in mine.iter().chain([&forged]) {
        assert_eq!(
            fs::read_to_string(m.join("thesis.tex")).unwrap(),
            "mine",
            "{m:?}"
        );
    }
    assert_eq!(names(dir.path()).len(), 6, "{:?}", names(dir.path()));
}

#[cfg(target_os = "linux")]
#[test]
fn the_swap_is_one_atomic_exchange_on_linux() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    fs::create_dir(&a).unwrap();
    fs::create_dir(&b).unwrap();
    fs::write(a.join("x"), "a").unwrap();
    fs::write(b.join("x"), "b").unwrap();
    renameat2(&a, &b, libc::RENAME_EXCHANGE).unwrap();
    assert_eq!(fs::read_to_string(a.join("x")).unwrap(), "b");
    assert_eq!(fs::read_to_string(b.join("x")).unwrap(), "a");
}

/// A failed run removes the parent folders it created only while they are empty: another run
/// may have written its output there meanwhile.
#[test]
fn a_failed_run_never_removes_another_runs_output_in_a_parent_it_created() {
    let dir = tempfile::tempdir().unwrap();
    let parent = dir.path().join("output");
    let failing = prepare(&parent.join("b"), Replace::OurOutput, true).unwrap();
    // Another run, started at the same moment, finishes first.
    write_folder(&parent.join("a"), &files("a"), Replace::OurOutput, true).unwrap();
    drop(failing);
    assert_eq!(fs::read_to_string(parent.join("a/a.txt")).unwrap(), "a");
    assert_eq!(names(&parent), ["a"]);
    // Alone, a failed run leaves nothing.
    let alone = dir.path().join("fresh/deeper");
    drop(prepare(&alone.join("x"), Replace::OurOutput, true).unwrap());
    assert_eq!(names(dir.path()), ["output"]);
}

/// A user's empty folder inside an earlier output is theirs: the output is not replaced.
#[test]
fn an_empty_folder_a_user_added_counts_as_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out");
    write_folder(&dest, &files("one"), Replace::Never, false).unwrap();
    fs::create_dir(dest.join("drafts")).unwrap();
    let e = write_folder(&dest, &files("two"), Replace::OurOutput, false).unwrap_err();
    assert!(
        matches!(&e, WriteError::Foreign { files, .. } if files == "drafts/"),
        "{e}"
    );
    assert!(dest.join("drafts").is_dir());
}

/// A file added to the earlier output between the last check and the swap is not deleted:
/// the swapped-out folder is kept aside and named; an untouched one is deleted.
#[test]
fn an_earlier_output_changed_during_the_swap_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out");
    let earlier = dir.path().join(".out.tmp-1-0");
    write_folder(&earlier, &files("one"), Replace::Never, false).unwrap();
    assert_eq!(retire(&earlier, &dest).unwrap(), None);
    assert!(!earlier.exists());
    write_folder(&earlier, &files("one"), Replace::Never, false).unwrap();
    fs::write(earlier.join("late-notes.md"), "mine").unwrap();
    let kept = retire(&earlier, &dest).unwrap().expect("kept");
    assert_eq!(
        fs::read_to_string(kept.join("late-notes.md")).unwrap(),
        "mine"
    );
    assert!(kept
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with(".out.kept-"));
}

/// `f()` on another thread, failing the test (not hanging it) if it takes longer than a
/// minute: a regression that blocks on a pipe or reads an endless file for ever.
fn within_a_minute<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(std::time::Duration::from_secs(60))
        .expect("the check did not finish within a minute")
}

/// Issue #19 items 4–6: what a user may put in an earlier output — a named pipe, a symbolic
/// link to an endless device, a manifest that is a link or huge, a file longer than listed —
/// refuses the folder with the file and what it is, without blocking, following the link or
/// reading more than the caps.
#[cfg(unix)]
#[test]
fn special_files_in_an_earlier_output_refuse_it_without_hanging() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("prev");
    let check = |dest: &Path| {
        let dest = dest.to_path_buf();
        within_a_minute(move || check_destination(&dest, Replace::OurOutput))
    };
    let special = |e: Result<(), WriteError>, file: &str, what: &str| match e {
        Err(WriteError::Special {
            file: f, what: w, ..
        }) => {
            assert_eq!((f.as_str(), w.as_str()), (file, what))
        }
        other => panic!("{file}: {other:?}"),
    };
    // A named pipe in place of an output file.
    write_folder(&dest, &files("one"), Replace::Never, false).unwrap();
    fs::remove_file(dest.join("a.txt")).unwrap();
    let fifo =
        std::ffi::CString::new(dest.join("a.txt").into_os_string().into_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    special(check(&dest), "a.txt", "a named pipe");
    // A symbolic link to an endless device.
    fs::remove_file(dest.join("a.txt")).unwrap();
    fs::remove_file(dest.join("charts/b.txt")).unwrap();
    symlink("/dev/zero", dest.join("charts/b.txt")).unwrap();
    special(check(&dest), "charts/b.txt", "a symbolic link");
    fs::remove_file(dest.join("charts/b.txt")).unwrap();
    // The manifest itself a link to it.
    let manifest = fs::read(dest.join("manifest.json")).unwrap();
    fs::remove_file(dest.join("manifest.json")).unwrap();
    symlink("/dev/zero", dest.join("manifest.json")).unwrap();
    special(check(&dest), "manifest.json", "a symbolic link");
    // A huge manifest (sparse: no disk used) is not read whole.
    fs::remove_file(dest.join("manifest.json")).unwrap();
    let f = fs::File::create(dest.join("manifest.json")).unwrap();
    f.set_len(MANIFEST_CAP + 1).unwrap();
    match check(&dest) {
        Err(WriteError::NotOurs { why, .. }) => assert!(why.contains("larger than 8 MiB"), "{why}"),
        other => panic!("{other:?}"),
    }
    // A listed file longer than listed (sparse, 64 GiB) is read only to its listed size + 1.
    fs::write(dest.join("manifest.json"), &manifest).unwrap();
    let f = fs::File::create(dest.join("a.txt")).unwrap();
    f.set_len(64 << 30).unwrap();
    match check(&dest) {
        Err(WriteError::Foreign { files, .. }) => assert_eq!(files, "a.txt"),
        other => panic!("{other:?}"),
    }
    // Put back as written: ours again.
    fs::write(dest.join("a.txt"), "one").unwrap();
    check(&dest).unwrap();
}

/// Issue #19 item 18: runs into one destination at the same time (here threads, each with its
/// own lock file handle) never see one generation's manifest with the next one's files: every
/// replacement succeeds and the folder ends complete.
#[test]
fn concurrent_replacements_of_one_folder_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out");
    // Large files: hashing them takes long enough for another run to swap meanwhile.
    let big = |tag: &str| {
        let mut f = files(tag);
        f[0].bytes = tag.repeat(1 << 18).into_bytes();
        let outputs: Vec<serde_json::Value> = f[..2]
            .iter()
            .map(|f| {
                serde_json::json!({"path": f.path, "bytes": f.bytes.len(),
                    "sha256": format!("{:x}", Sha256::digest(&f.bytes))})
            })
            .collect();
        f[2].bytes = serde_json::to_vec(
            &serde_json::json!({ "symbiosim_version": "0.1.0", "outputs": outputs }),
        )
        .unwrap();
        f
    };
    write_folder(&dest, &big("start"), Replace::Never, false).unwrap();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let dest = dest.clone();
            let f = big(&format!("run{t}"));
            std::thread::spawn(move || {
                (0..6)
                    .map(|_| write_folder(&dest, &f, Replace::OurOutput, false).map(|_| ()))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let failures: Vec<String> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .filter_map(|r| r.err().map(|e| e.to_string()))
        .collect();
    assert!(
        failures.is_empty(),
        "{} failed: {:?}",
        failures.len(),
        failures.first()
    );
    check_ours(&dest).unwrap();
    assert_eq!(names(dir.path()), ["out"]);
}

/// Issue #19 item 19: destinations no folder can be swapped into are refused first, saying
/// what to name instead; any legal name works, however long (the hidden names stay short).
#[test]
fn destinations_that_cannot_be_swapped_are_refused_and_long_names_work() {
    let why = |p: &str| match check_path(Path::new(p)) {
        Err(WriteError::BadDestination { why, .. }) => why,
        other => panic!("{p}: {other:?}"),
    };
    assert!(
        why(".").contains("--out . names the current folder"),
        "{}",
        why(".")
    );
    assert!(why("./").contains("current folder"));
    assert!(
        why("new/.").contains("name the folder itself (--out new)"),
        "{}",
        why("new/.")
    );
    assert!(why("..").contains("`..`"));
    assert!(why("a/..").contains("`..`"));
    assert!(why("/").contains("root folder"));
    assert!(why("/.").contains("root folder"));
    assert!(why("").contains("empty"));
    let here = std::env::current_dir().unwrap();
    assert!(why(here.to_str().unwrap()).contains("current folder or holds it"));
    assert!(why(here.parent().unwrap().to_str().unwrap()).contains("holds it"));
    #[cfg(target_os = "linux")]
    if Path::new("/proc/self").exists() {
        assert!(why("/proc").contains("mount point"), "{}", why("/proc"));
    }
    check_path(Path::new("out")).unwrap();
    check_path(Path::new("a/b/")).unwrap();
    // The longest legal name, and a non-ASCII one cut at a character boundary.
    let dir = tempfile::tempdir().unwrap();
    for name in ["x".repeat(255), "é".repeat(127)] {
        let dest = dir.path().join(&name);
        write_folder(&dest, &files("one"), Replace::Never, false).unwrap();
        write_folder(&dest, &files("two"), Replace::OurOutput, false).unwrap();
        assert_eq!(fs::read_to_string(dest.join("a.txt")).unwrap(), "two");
        let short = hidden::short_name(&dest);
        assert!(short.len() <= NAME_KEEP, "{short}");
        assert_eq!(hidden::short_name(&dest), short, "the same every time");
    }
    assert_eq!(names(dir.path()).len(), 2);
    // Two long names that share their first bytes get different hidden names.
    let a = hidden::short_name(Path::new(&format!("{}a", "x".repeat(200))));
    let b = hidden::short_name(Path::new(&format!("{}b", "x".repeat(200))));
    assert_ne!(a, b);
}

/// A lock file of another name's, or one a user wrote, is not taken for ours.
#[test]
fn a_lock_file_that_is_not_ours_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out");
    fs::write(dir.path().join(".out.lock"), "my notes").unwrap();
    let e = write_folder(&dest, &files("x"), Replace::Never, false).unwrap_err();
    assert!(
        matches!(&e, WriteError::Lock { why, .. } if why.contains("not symbiosim's")),
        "{e}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join(".out.lock")).unwrap(),
        "my notes"
    );
    // One a killed run left is ours: taken, then removed.
    fs::write(
        dir.path().join(".out.lock"),
        "symbiosim lock of an output folder\npid 1\n",
    )
    .unwrap();
    write_folder(&dest, &files("x"), Replace::Never, false).unwrap();
    assert_eq!(names(dir.path()), ["out"]);
}
