//! Other implementations read what jwkctl writes: node-jose signs with a
//! jwkctl store and jwkctl adopts a node-jose one (Node.js with tests/node's
//! packages, `npm ci` there); OpenSSL derives the same public key from an
//! exported private PEM (the `openssl` command). Where a program is missing
//! its tests show as ignored, and fail under CI=true.
// clippy.toml allows unwrap/expect in #[test] functions only; these trials
// are test code too, and a panic is how they fail.
// `external::needs` hands each trial `&P`: `&PathBuf` here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::ptr_arg
)]

#[path = "../support/external.rs"]
mod external;
#[path = "../support/util.rs"]
mod util;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use serde_json::Value;

use util::*;

fn main() -> ExitCode {
    let node = external::node_modules();
    let openssl = external::program("openssl");
    external::run(vec![
        external::needs(
            "openssl_derives_the_exported_public_pem_from_the_private_one",
            &openssl,
            openssl_derives_the_exported_public_pem_from_the_private_one,
        ),
        external::needs(
            "node_jose_signs_with_the_active_key_of_a_jwkctl_store",
            &node,
            node_jose_signs_with_the_active_key_of_a_jwkctl_store,
        ),
        external::needs(
            "jwkctl_adopts_a_node_jose_store",
            &node,
            jwkctl_adopts_a_node_jose_store,
        ),
    ])
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

fn node_jose_signs_with_the_active_key_of_a_jwkctl_store(dir: &PathBuf) {
    let env = TestEnv::new();
    env.ok(&["keygen", "--kid", "old"]);
    env.ok(&["rotate", "--kid", "new", "--publish-ahead", "1d"]);
    let store = env.keys();
    let store = store.to_str().expect("path");
    // The pending key is published but the first key, which node-jose
    // signs with, is the active one.
    let token = node(dir, &["sign", store, &NOW_UNIX.to_string()]);
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
        dir,
        &[
            "verify",
            env.path("jwks.json").to_str().unwrap(),
            ours.trim(),
        ],
    );
    let payload: Value = serde_json::from_str(&payload).expect("payload");
    assert_eq!(payload["sub"], "from-jwkctl");
}

fn jwkctl_adopts_a_node_jose_store(dir: &PathBuf) {
    let env = TestEnv::new();
    let written = node(dir, &["generate"]);
    env.write("keys.json", &written);
    let original: Value = serde_json::from_str(&written).expect("json");
    let first = original["keys"][0]["kid"].as_str().expect("kid").to_owned();
    let second = original["keys"][1]["kid"].as_str().expect("kid").to_owned();

    // A token node-jose signed before jwkctl took over.
    let before = node(
        dir,
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
        dir,
        &["sign", env.keys().to_str().unwrap(), &NOW_UNIX.to_string()],
    );
    assert_eq!(kid_of(&token), "jwkctl-1");
    env.jwkctl().args(["verify", &token]).assert().success();
    // node-jose's old key keeps verifying its tokens until pruned.
    env.jwkctl().args(["verify", &before]).assert().success();
}

fn openssl_derives_the_exported_public_pem_from_the_private_one(openssl: &PathBuf) {
    let run = |args: &[&str]| {
        let out = Command::new(openssl).args(args).output().expect("openssl");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    for alg in [
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
    ] {
        let env = TestEnv::new();
        // RSA from the fixture: generating RSA keys is slow.
        if alg.starts_with('R') || alg.starts_with('P') {
            env.ok(&["keygen", "--alg", "EdDSA"]);
            env.write("rsa.pem", &fixture("rsa-2048-pkcs8.pem"));
            env.ok(&["import", "rsa.pem", "--alg", alg]);
        } else {
            env.ok(&["keygen", "--alg", alg]);
        }
        let spki = env.ok(&["export", "--pem"]);
        env.ok(&["-q", "export", "--private", "--pem", "--out", "key.pem"]);
        env.write("pub.pem", &spki);
        let key = env.path("key.pem");
        let public = env.path("pub.pem");
        let derived = run(&["pkey", "-in", key.to_str().unwrap(), "-pubout"]);
        assert_eq!(derived, spki, "{alg}");
        run(&["pkey", "-pubin", "-in", public.to_str().unwrap(), "-noout"]);
    }
}
