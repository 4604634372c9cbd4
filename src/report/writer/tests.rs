use super::*;

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

#[test]
fn stale_temporary_folders_of_dead_runs_are_cleaned_and_live_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out");
    // A child that has exited: its pid is gone (and not reused this soon).
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    fs::create_dir_all(dir.path().join(format!(".out.tmp-{dead}/charts"))).unwrap();
    // Our own pid stands for a live run.
    let live = dir
        .path()
        .join(format!(".out.tmp-{}-x", std::process::id()));
    fs::create_dir(&live).unwrap();
    let other = dir.path().join(".other.tmp-1");
    fs::create_dir(&other).unwrap();
    write_folder(&dest, &files("x"), Replace::Never, false).unwrap();
    let left = names(dir.path());
    assert!(!left.contains(&format!(".out.tmp-{dead}")), "{left:?}");
    assert!(live.is_dir() && other.is_dir(), "{left:?}");
}

#[test]
fn an_earlier_output_moved_aside_by_a_dead_run_is_restored() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out");
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let old = dir.path().join(format!(".out.old-{dead}"));
    write_folder(&old, &files("earlier"), Replace::Never, false).unwrap();
    // The next run puts it back before checking the destination, which then needs --force.
    assert!(matches!(
        write_folder(&dest, &files("new"), Replace::Never, false),
        Err(WriteError::Exists(_))
    ));
    assert_eq!(fs::read_to_string(dest.join("a.txt")).unwrap(), "earlier");
    assert_eq!(names(dir.path()), ["out"]);
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
    let earlier = dir.path().join(".out.tmp-1");
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
