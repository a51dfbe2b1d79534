//! How jwkctl treats the files around the store: links, owners, missing
//! paths, and a stdout that fails after a change was saved.

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};

use crate::util::*;

#[test]
fn a_symlinked_store_is_updated_in_place_and_locked_at_its_target() {
    let env = TestEnv::new();
    fs::create_dir(env.path("secure")).unwrap();
    let real = env.path("secure/keys.json");
    env.jwkctl()
        .env("JWKCTL_KEYS", &real)
        .args(["keygen", "--alg", "EdDSA", "--kid", "a"])
        .assert()
        .success();
    symlink(&real, env.keys()).unwrap();
    env.jwkctl()
        .args(["rotate", "--kid", "b"])
        .assert()
        .success()
        .stdout("b\n");
    assert!(
        fs::symlink_metadata(env.keys())
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link stays a link"
    );
    let store: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&real).unwrap()).unwrap();
    assert_eq!(store["keys"][0]["kid"], "b");
    assert!(env.path("secure/keys.json.lock").exists());
    assert!(
        !env.path("keys.json.lock").exists(),
        "one lock file, beside the real store"
    );
    assert_eq!(mode(&real), 0o600);
}

#[test]
fn jwks_out_through_a_symlink_replaces_the_target() {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA", "--kid", "a"]);
    env.write("real.json", "old\n");
    symlink(env.path("real.json"), env.path("link.json")).unwrap();
    env.jwkctl()
        .args(["jwks", "--out", "link.json"])
        .assert()
        .success();
    assert!(
        fs::symlink_metadata(env.path("link.json"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        env.read("real.json")
            .starts_with("{\"keys\":[{\"kty\":\"OKP\",\"kid\":\"a\"")
    );
}

#[test]
fn a_mistyped_store_path_leaves_no_lock_file() {
    let env = TestEnv::new();
    for args in [&["prune"][..], &["revoke", "x"], &["rotate"]] {
        env.jwkctl()
            .args(args)
            .assert()
            .code(2)
            .stderr(format!(
                "jwkctl: {}: no such file (create one with 'jwkctl keygen', or point -k/JWKCTL_KEYS at yours)\n",
                env.keys().display()
            ));
    }
    assert_eq!(fs::read_dir(env.dir.path()).unwrap().count(), 0);
}

#[test]
fn a_failing_stdout_after_a_change_says_the_change_was_saved() {
    let env = TestEnv::new();
    let to_full = |args: &[&str]| {
        let full = fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        env.spawnable(args).stdout(full).output().unwrap()
    };
    let out = to_full(&["keygen", "--alg", "EdDSA", "--kid", "a"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "jwkctl: the store was changed, but the new kid could not be printed (see 'jwkctl list' before retrying): cannot write to stdout: no space left on device\n"
    );
    assert!(env.keys().exists());
    let out = to_full(&["jwks"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "jwkctl: cannot write to stdout: no space left on device\n"
    );
}

#[test]
fn export_to_a_failing_stdout_says_nothing_was_printed() {
    let env = TestEnv::with_store("ec-store.json");
    let full = || {
        fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    for (args, which) in [
        (vec!["export", "--private"], "PRIVATE"),
        (vec!["export", "--private", "--pem"], "PRIVATE"),
        (vec!["export"], "public"),
    ] {
        let out = env.spawnable(&args).stdout(full()).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!(
                "jwkctl: cannot write to stdout: no space left on device (the {which} key \"{EC_KID}\" was not printed)\n"
            )
        );
    }
}

#[test]
fn a_public_jwk_set_given_as_the_store_is_named_as_one() {
    // What `jwks --out` writes is world-readable on purpose: no chmod 600
    // advice, and a pointer to --jwks for verifying with it.
    let env = TestEnv::with_store("ec-store.json");
    let public = env.ok(&["jwks"]);
    env.write("jwks.json", &public);
    fs::set_permissions(env.path("jwks.json"), fs::Permissions::from_mode(0o644)).unwrap();
    let message = "jwkctl: jwks.json: this is a public JWK Set with no private members, not a key store (to verify tokens with its keys: jwkctl verify --jwks jwks.json; -k/JWKCTL_KEYS names the store 'jwkctl keygen' made)\n";
    for args in [&["list"][..], &["sign"], &["verify", "x.y.z"], &["rotate"]] {
        env.jwkctl()
            .args(["-k", "jwks.json"])
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(message);
    }
    assert_eq!(env.read("jwks.json"), public);
    assert_eq!(mode(&env.path("jwks.json")), 0o644);
    // A store that is open to others still gets the warning.
    fs::set_permissions(env.keys(), fs::Permissions::from_mode(0o644)).unwrap();
    env.jwkctl()
        .arg("list")
        .assert()
        .code(0)
        .stderr(predicates::str::contains(
            "it holds private keys (restrict it: chmod 600",
        ));
}
