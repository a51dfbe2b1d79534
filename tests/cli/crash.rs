//! A writer killed at any moment leaves the old store or the new one:
//! never half of one. (A full disk: tests/privileged.)

use std::collections::BTreeSet;
use std::fs;
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
    // How long one rotation takes here, to spread the kills over it.
    let start = Instant::now();
    assert!(rotate(&env).status().expect("run").success());
    let span = start.elapsed().as_micros().max(200) as u64 * 3 / 2;

    let mut outcomes = [0; 2];
    for i in 0..200u64 {
        let before = kids(&env.read("keys.json"));
        let mut child = rotate(&env).spawn().expect("spawn");
        // A deterministic spread of delays over the whole run.
        thread::sleep(Duration::from_micros(i * 7919 % span));
        let _ = child.kill();
        let _ = child.wait();
        let after = kids(&env.read("keys.json"));
        assert!(after.is_superset(&before), "run {i}: a key was lost");
        assert!(
            after.len() - before.len() <= 1,
            "run {i}: more than one key added"
        );
        outcomes[after.len() - before.len()] += 1;
    }
    eprintln!(
        "killed before the rename: {}, after: {}",
        outcomes[0], outcomes[1]
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
