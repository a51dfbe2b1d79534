//! node-jose reads what jwkctl writes, and jwkctl adopts what node-jose
//! writes. Skipped, visibly, only where Node.js is absent.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use serde_json::Value;

use crate::util::*;

static INSTALL: Mutex<()> = Mutex::new(());

/// The folder holding interop.js with node-jose installed, or None (after
/// saying so) when there is no Node.js.
fn node_jose() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node");
    if Command::new("node").arg("--version").output().is_err() {
        eprintln!("SKIPPED node-jose interop: Node.js is not installed");
        return None;
    }
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if !dir.join("node_modules/node-jose").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .expect("npm (Node.js is installed, so npm should be)");
        assert!(status.success(), "npm ci in tests/node failed");
    }
    Some(dir)
}

fn node(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("node")
        .arg(dir.join("interop.js"))
        .args(args)
        .output()
        .expect("node");
    assert!(
        out.status.success(),
        "node interop.js {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

#[test]
fn node_jose_signs_with_the_active_key_of_a_jwkctl_store() {
    let Some(dir) = node_jose() else { return };
    let env = TestEnv::new();
    env.ok(&["keygen", "--kid", "old"]);
    env.ok(&["rotate", "--kid", "new", "--publish-ahead", "1d"]);
    let store = env.keys();
    let store = store.to_str().expect("path");
    // The pending key is published but the first key, which node-jose
    // signs with, is the active one.
    let token = node(&dir, &["sign", store, &NOW_UNIX.to_string()]);
    assert_eq!(kid_of(&token), "old");
    env.jwkctl()
        .args(["verify", &token])
        .assert()
        .success()
        .stdout(format!(
            "{{\"sub\":\"from-node-jose\",\"iat\":{NOW_UNIX},\"exp\":{}}}\n",
            NOW_UNIX + 600
        ));
    // The other way round: node-jose verifies jwkctl's token with the JWK Set.
    let jwks = env.ok(&["jwks"]);
    env.write("jwks.json", &jwks);
    let ours = env.ok(&["sign", "--sub", "from-jwkctl"]);
    let payload = node(
        &dir,
        &[
            "verify",
            env.path("jwks.json").to_str().unwrap(),
            ours.trim(),
        ],
    );
    let payload: Value = serde_json::from_str(&payload).expect("payload");
    assert_eq!(payload["sub"], "from-jwkctl");
}

#[test]
fn jwkctl_adopts_a_node_jose_store() {
    let Some(dir) = node_jose() else { return };
    let env = TestEnv::new();
    let written = node(&dir, &["generate"]);
    env.write("keys.json", &written);
    let original: Value = serde_json::from_str(&written).expect("json");
    let first = original["keys"][0]["kid"].as_str().expect("kid").to_owned();
    let second = original["keys"][1]["kid"].as_str().expect("kid").to_owned();

    // A token node-jose signed before jwkctl took over.
    let before = node(
        &dir,
        &["sign", env.keys().to_str().unwrap(), &NOW_UNIX.to_string()],
    );
    assert_eq!(kid_of(&before), first);

    // Read as it is: the first key signs, the other is retired.
    let token = env.ok(&["sign"]);
    assert_eq!(kid_of(&token), first);
    env.jwkctl()
        .args(["verify", token.trim()])
        .assert()
        .success();
    let jwks: Value = serde_json::from_str(&env.ok(&["jwks"])).expect("jwks");
    assert_eq!(jwks["keys"][0]["kid"], first.as_str());
    assert_eq!(jwks["keys"][1]["kid"], second.as_str());

    // The first write adopts the keys, and node-jose still reads the store
    // and still signs with the active key.
    env.ok(&["rotate", "--kid", "jwkctl-1"]);
    let store: Value = env.store_json();
    assert_eq!(store["keys"][0]["kid"], "jwkctl-1");
    assert_eq!(store["keys"][1]["jwkctl"]["retired"], NOW);
    assert_eq!(store["keys"][2]["jwkctl"]["retired"], NOW);
    let token = node(
        &dir,
        &["sign", env.keys().to_str().unwrap(), &NOW_UNIX.to_string()],
    );
    assert_eq!(kid_of(&token), "jwkctl-1");
    env.jwkctl().args(["verify", &token]).assert().success();
    // node-jose's old key keeps verifying its tokens until pruned.
    env.jwkctl().args(["verify", &before]).assert().success();
}
