//! A writer killed at any moment leaves the old store or the new one:
//! never half of one. (A full disk: tests/privileged.)

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::util::*;

fn kids(text: &str) -> BTreeSet<String> {
    let store: serde_json::Value = serde_json::from_str(text).expect("the store parses");
    store["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k["kid"].as_str().expect("kid").to_owned())
        .collect()
}

fn rotate(env: &TestEnv) -> Command {
    let mut cmd = env.spawnable(&["-q", "rotate"]);
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    cmd
}

#[test]
fn sigkill_at_random_moments_leaves_old_or_new_store() {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA"]);
    // How long one rotation takes here: the slowest of a few, as the
    // machine may be busy.
    let mut slowest = Duration::ZERO;
    for _ in 0..5 {
        let start = Instant::now();
        assert!(rotate(&env).status().expect("run").success());
        slowest = slowest.max(start.elapsed());
    }
    // Kill moments spread evenly from 0 (the process has just been
    // exec'd: before the rename) to twice the slowest run (it has
    // renamed, or even exited: after), visited in a scrambled order
    // (7919 is prime to RUNS) so that neither end runs while the store
    // is small only. Half the moments lie past the slowest run, so kills
    // land after the rename unless every one of those runs is more than
    // that slow: the counts below are not left to chance.
    const RUNS: u64 = 200;
    let span = (slowest.as_micros() as u64).max(200) * 2;

    // Before the rename, after it (the process killed or already done).
    let mut outcomes = [0; 2];
    let mut killed_after_rename = 0;
    for i in 0..RUNS {
        let before = kids(&env.read("keys.json"));
        let mut child = rotate(&env).spawn().expect("spawn");
        thread::sleep(Duration::from_micros(i * 7919 % RUNS * span / RUNS));
        let _ = child.kill();
        let status = child.wait().expect("wait");
        let after = kids(&env.read("keys.json"));
        assert!(after.is_superset(&before), "run {i}: a key was lost");
        assert!(
            after.len() - before.len() <= 1,
            "run {i}: more than one key added"
        );
        let added = after.len() - before.len();
        outcomes[added] += 1;
        if added == 1 && status.signal() == Some(9) {
            killed_after_rename += 1;
        }
    }
    eprintln!(
        "killed before the rename: {}, after: {} (of them {killed_after_rename} killed before exiting)",
        outcomes[0], outcomes[1]
    );
    assert!(
        outcomes[0] > 0 && outcomes[1] > 0,
        "the kills must land both before the rename and after it, over {span} µs: \
         before {}, after {}",
        outcomes[0],
        outcomes[1]
    );
    // The next write clears whatever temporary files the kills left.
    assert!(rotate(&env).status().expect("run").success());
    let names: Vec<String> = fs::read_dir(env.dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.len(),
        2,
        "only keys.json and keys.json.lock remain: {names:?}"
    );
}
