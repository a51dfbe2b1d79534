//! Many writers at once on one store: the lock and the re-read under it
//! must record every change and lose no key.

use std::collections::BTreeSet;
use std::process::{Child, Stdio};

use serde_json::Value;

use crate::util::*;

fn spawn(env: &TestEnv, args: &[&str]) -> Child {
    env.spawnable(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn")
}

fn kids(env: &TestEnv) -> BTreeSet<String> {
    env.store_json()["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k["kid"].as_str().expect("kid").to_owned())
        .collect()
}

fn finish(child: Child) -> String {
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn sixteen_rotations_at_once_are_all_recorded() {
    let env = TestEnv::new();
    let first = env.ok(&["keygen", "--alg", "EdDSA"]);
    let children: Vec<Child> = (0..16).map(|_| spawn(&env, &["rotate"])).collect();
    let mut added: BTreeSet<String> = children
        .into_iter()
        .map(|c| finish(c).trim().to_owned())
        .collect();
    assert_eq!(added.len(), 16);
    added.insert(first.trim().to_owned());
    assert_eq!(kids(&env), added, "every rotation recorded, no key lost");
    let listed = env.ok(&["list", "--json"]);
    let states: Vec<String> = listed
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["state"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(states.iter().filter(|s| *s == "active").count(), 1);
    assert_eq!(states.iter().filter(|s| *s == "retired").count(), 16);
    assert_eq!(mode(&env.keys()), 0o600);
}

#[test]
fn rotate_prune_and_sign_mixed() {
    let env = TestEnv::new();
    let first = env.ok(&["keygen", "--alg", "ES256"]);
    let mut rotations = Vec::new();
    let mut others = Vec::new();
    for i in 0..16 {
        match i % 4 {
            0 | 1 => rotations.push(spawn(&env, &["rotate"])),
            2 => others.push(spawn(&env, &["prune"])),
            _ => others.push(spawn(&env, &["sign", "--sub", "x"])),
        }
    }
    let mut added: BTreeSet<String> = rotations
        .into_iter()
        .map(|c| finish(c).trim().to_owned())
        .collect();
    for child in others {
        finish(child);
    }
    assert_eq!(added.len(), 8);
    added.insert(first.trim().to_owned());
    // Nothing was retired long enough to be pruned: every key is still there.
    assert_eq!(kids(&env), added);
    // And the store is one a fresh reader understands.
    let token = env.ok(&["sign"]);
    env.jwkctl()
        .args(["verify", token.trim()])
        .assert()
        .success();
}

/// Two cron hosts at a second boundary: writer A holds the lock into the
/// next second and adds a key there; writer B, which started before and
/// waited, must judge the store at the time it got the lock, where A's key
/// is active, not "from the future" (pending, so B's rotation refused).
#[test]
fn a_writer_that_waited_for_the_lock_judges_the_store_when_it_gets_it() {
    use std::fs::{File, TryLockError};
    use std::time::{Duration, Instant};

    let env = TestEnv::new();
    // The real clock throughout: no JWKCTL_NOW.
    let real = |args: &[&str]| {
        let mut cmd = env.spawnable(args);
        cmd.env_remove("JWKCTL_NOW")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    };
    let out = real(&["keygen", "--alg", "EdDSA", "--kid", "first"])
        .output()
        .unwrap();
    assert!(out.status.success());
    // A sleeps 1.5 s once it holds the lock, then reads the clock.
    let a = real(&["rotate", "--kid", "a"])
        .env("JWKCTL_TEST_HOLD_LOCK", "1.5")
        .spawn()
        .unwrap();
    let lock = File::open(env.path("keys.json.lock")).unwrap();
    let start = Instant::now();
    loop {
        match lock.try_lock() {
            Err(TryLockError::WouldBlock) => break,
            // Not taken yet: let go at once, A retries every 20 ms.
            Ok(()) => lock.unlock().unwrap(),
            Err(TryLockError::Error(e)) => panic!("{e}"),
        }
        assert!(start.elapsed() < Duration::from_secs(20), "A never locked");
        std::thread::sleep(Duration::from_millis(5));
    }
    // B reads the clock now, well before A's key is stamped.
    let b = real(&["rotate", "--kid", "b"]).spawn().unwrap();
    assert_eq!(finish(a), "a\n");
    let out = b.wait_with_output().unwrap();
    assert_eq!(
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).as_ref(),
            String::from_utf8_lossy(&out.stderr).as_ref()
        ),
        (
            Some(0),
            "b\n",
            "jwkctl: added EdDSA key b: signs from now; a retires then\n"
        )
    );
    let listed = real(&["list", "--json"]).output().unwrap();
    let states: Vec<(String, String)> = String::from_utf8(listed.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["kid"].as_str().unwrap().to_owned(),
                v["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [("b", "active"), ("a", "retired"), ("first", "retired")];
    assert_eq!(
        states,
        expected.map(|(k, s)| (k.to_owned(), s.to_owned())).to_vec()
    );
}
