//! Nothing lost and nothing silently wrong, end to end through the binary: the default output
//! folder, folders named with `--out`, runs killed at random moments and at the swap itself,
//! the thread cap, and a closed or full standard output.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_symbiosim");

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn run_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Whether `dir` is a complete output folder: its manifest lists every file in it, each with
/// the size and SHA-256 digest it has.
fn complete(dir: &Path) -> bool {
    use sha2::{Digest, Sha256};
    let Ok(m) = fs::read(dir.join("manifest.json")) else {
        return false;
    };
    let Ok(m) = serde_json::from_slice::<serde_json::Value>(&m) else {
        return false;
    };
    let Some(outputs) = m["outputs"].as_array() else {
        return false;
    };
    let listed: BTreeMap<String, String> = outputs
        .iter()
        .map(|o| {
            (
                o["path"].as_str().unwrap().to_string(),
                o["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    listed.len() >= 8
        && listed.iter().all(|(p, sha)| {
            fs::read(dir.join(p)).is_ok_and(|d| format!("{:x}", Sha256::digest(&d)) == *sha)
        })
}

/// Hidden folders a run left next to `name` in `parent`.
fn strays(parent: &Path, name: &str) -> Vec<String> {
    fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!(".{name}.")))
        .collect()
}

#[test]
fn the_readme_command_works_twice_and_replaces_only_its_own_output() {
    let cwd = tempfile::tempdir().unwrap();
    let tiny = scenario("tiny.toml");
    let tiny = tiny.to_str().unwrap();
    let o = run_in(cwd.path(), &["run", tiny, "-q"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = cwd.path().join("output/tiny");
    assert!(complete(&out));
    // The second run of the same command replaces the earlier output without --force.
    let o = run_in(cwd.path(), &["run", tiny, "-q"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(complete(&out));
    // A file the user put there stops the replacement, and is named.
    fs::write(out.join("my-notes.md"), "keep me").unwrap();
    let o = run_in(cwd.path(), &["run", tiny, "-q"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("my-notes.md"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(
        fs::read_to_string(out.join("my-notes.md")).unwrap(),
        "keep me"
    );
    assert!(strays(&cwd.path().join("output"), "tiny").is_empty());
}

#[test]
fn a_folder_named_with_out_needs_force_and_a_missing_parent_is_refused() {
    let cwd = tempfile::tempdir().unwrap();
    let tiny = scenario("tiny.toml");
    let tiny = tiny.to_str().unwrap();
    let o = run_in(cwd.path(), &["run", tiny, "--out", "a/b/out", "-q"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr)
            .contains("the folder a/b that should hold the output folder does not exist"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(fs::read_dir(cwd.path()).unwrap().count(), 0);
    // A user's web app with its own manifest.json is never taken for an output folder.
    let web = cwd.path().join("webapp");
    fs::create_dir(&web).unwrap();
    fs::write(web.join("manifest.json"), r#"{"name":"my pwa"}"#).unwrap();
    fs::write(web.join("index.html"), "x").unwrap();
    let o = run_in(cwd.path(), &["run", tiny, "--out", "webapp", "--force"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("not a symbiosim output folder"));
    assert_eq!(fs::read_to_string(web.join("index.html")).unwrap(), "x");
    assert!(strays(cwd.path(), "webapp").is_empty());
}

#[test]
fn an_unwritable_out_fails_before_the_computation_naming_the_users_path() {
    let cwd = tempfile::tempdir().unwrap();
    fs::write(cwd.path().join("plain"), "a file, not a folder").unwrap();
    let tiny = scenario("tiny.toml");
    let o = run_in(
        cwd.path(),
        &["run", tiny.to_str().unwrap(), "--out", "plain/out"],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("cannot write the output folder plain/out") && !err.contains(".tmp-"),
        "{err}"
    );
    // Nothing was computed: the terminal summary was not printed.
    assert!(o.stdout.is_empty());
}

#[test]
fn threads_are_capped() {
    let tiny = scenario("tiny.toml");
    for n in ["0", "257", "100000"] {
        let o = Command::new(BIN)
            .args(["run", tiny.to_str().unwrap(), "--threads", n, "--out"])
            .arg(tempfile::tempdir().unwrap().path().join("x"))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "--threads {n}");
        assert!(
            text(&o.stderr).contains("--threads must be between 1 and 256"),
            "{}",
            text(&o.stderr)
        );
    }
}

/// A standard output whose reader is gone: the run writes its outputs, then ends quietly
/// (exit 0, as other tools do) instead of panicking with exit 101.
#[cfg(unix)]
#[test]
fn a_closed_or_full_standard_output_is_not_a_panic() {
    use std::os::fd::{FromRawFd, OwnedFd};
    let cwd = tempfile::tempdir().unwrap();
    let tiny = scenario("tiny.toml");
    let tiny = tiny.to_str().unwrap();
    let closed_pipe = || {
        let mut fds = [0; 2];
        // SAFETY: pipe fills two new descriptors, each then owned once.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        drop(unsafe { OwnedFd::from_raw_fd(fds[0]) });
        Stdio::from(unsafe { OwnedFd::from_raw_fd(fds[1]) })
    };
    for args in [vec!["run", tiny, "--out", "piped"], vec!["validate", tiny]] {
        let o = Command::new(BIN)
            .args(&args)
            .current_dir(cwd.path())
            .stdout(closed_pipe())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o.stderr));
        assert!(!text(&o.stderr).contains("panicked"), "{}", text(&o.stderr));
    }
    assert!(complete(&cwd.path().join("piped")));
    // Data itself (an exported problem) cut short by a closed pipe is an error, not success.
    let o = Command::new(BIN)
        .args(["export", tiny, "--format", "lp"])
        .stdout(closed_pipe())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("Broken pipe"),
        "{}",
        text(&o.stderr)
    );
    // A full device is an error, said once, not a panic.
    if let Ok(full) = fs::OpenOptions::new().write(true).open("/dev/full") {
        let o = Command::new(BIN)
            .args(["validate", tiny])
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1));
        assert!(
            text(&o.stderr).contains("No space left on device"),
            "{}",
            text(&o.stderr)
        );
    }
}

/// Runs killed (SIGKILL) at seeded random moments, and during a pause just before and just
/// after the swap: the destination always holds a complete output, and after the next
/// successful run no hidden temporary folder is left.
#[cfg(unix)]
#[test]
fn killed_runs_leave_the_earlier_or_the_new_complete_output() {
    use rand::{Rng, SeedableRng};
    let cwd = tempfile::tempdir().unwrap();
    let ordos = scenario("ordos_2025.toml");
    let ordos = ordos.to_str().unwrap();
    let args = ["run", ordos, "--out", "out", "--force", "-q"];
    // Kill points spread over a whole run as long as the first one took on this machine.
    let start = std::time::Instant::now();
    let o = run_in(cwd.path(), &args);
    let span = start.elapsed().as_micros() as u64;
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = cwd.path().join("out");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let mut kills = 0;
    let cases: Vec<Option<&str>> = [Some("before:2000"), Some("after:2000")]
        .into_iter()
        .chain(std::iter::repeat_n(None, 24))
        .collect();
    for pause in cases {
        let mut cmd = Command::new(BIN);
        cmd.args(args).current_dir(cwd.path());
        let delay = match pause {
            Some(p) => {
                cmd.env("SYMBIOSIM_TEST_PAUSE_SWAP", p);
                std::time::Duration::ZERO
            }
            None => std::time::Duration::from_micros(rng.random_range(0..span + span / 5)),
        };
        let mut child = cmd.stdout(Stdio::null()).spawn().unwrap();
        std::thread::sleep(delay);
        if pause.is_some() {
            // Wait for the pause: a complete hidden folder next to the destination (the new
            // output before the swap, the earlier one after it).
            let start = std::time::Instant::now();
            while !strays(cwd.path(), "out")
                .iter()
                .any(|s| complete(&cwd.path().join(s)))
            {
                assert!(
                    start.elapsed().as_secs() < 20,
                    "the run never reached the swap"
                );
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
        assert!(complete(&out), "after a kill at {delay:?} ({pause:?})");
        if pause.is_some() {
            // Killed around the swap: one hidden folder holds the other complete output.
            let left = strays(cwd.path(), "out");
            assert_eq!(left.len(), 1, "{left:?}");
            assert!(complete(&cwd.path().join(&left[0])), "{left:?}");
        }
    }
    println!("{kills} of 26 runs killed before they ended");
    assert!(
        kills >= 8,
        "only {kills} runs were killed before they ended"
    );
    let o = run_in(cwd.path(), &args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(complete(&out));
    assert_eq!(strays(cwd.path(), "out"), Vec::<String>::new());
}
