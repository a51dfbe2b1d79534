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
