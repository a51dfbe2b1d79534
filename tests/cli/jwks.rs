//! `jwkctl jwks`: public members only, in store order, and `--out`
//! replacing a file atomically with a web server's mode.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use serde_json::Value;

use crate::util::*;

const PRIVATE: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

#[test]
fn prints_every_published_key_in_store_order() {
    let env = TestEnv::new();
    let keys = rotated_store(&env);
    let expected: Vec<Value> = keys.iter().map(|(kid, key)| published(key, kid)).collect();
    env.jwkctl()
        .arg("jwks")
        .assert()
        .code(0)
        .stdout(format!("{}\n", text(&json!({ "keys": expected }))))
        .stderr("");
    // Once `next` signs (2026-01-03) it comes first and `cur` is retired.
    let later: Vec<Value> = [1, 0, 2, 3]
        .iter()
        .map(|&i| published(&keys[i].1, &keys[i].0))
        .collect();
    env.jwkctl()
        .args(["jwks", "--now", "2026-01-03T00:00:00Z"])
        .assert()
        .code(0)
        .stdout(format!("{}\n", text(&json!({ "keys": later }))))
        .stderr("");
}

/// Stores for all ten algorithms: curve keys made by `keygen`, RSA keys
/// from the fixture with their `alg` set (RSA generation is slow).
fn store_for(env: &TestEnv, alg: Alg) {
    if alg.is_rsa() {
        let mut store: Value = serde_json::from_str(&fixture("rsa-store.json")).unwrap();
        store["keys"][0]["alg"] = json!(alg.name());
        env.write("keys.json", &text(&store));
    } else {
        env.ok(&["-q", "keygen", "--alg", alg.name()]);
    }
}

#[test]
fn no_private_member_or_bookkeeping_for_any_of_the_ten_algorithms() {
    for alg in Alg::ALL {
        let env = TestEnv::new();
        store_for(&env, alg);
        let stored = env.store_json();
        let out = env.ok(&["jwks"]);
        assert!(!out.contains("jwkctl"), "{alg}: {out}");
        assert!(
            !out.contains("max_ttl") && !out.contains("signs_from"),
            "{alg}"
        );
        let set: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(set.as_object().unwrap().len(), 1, "{alg}: only \"keys\"");
        let key = set["keys"][0].as_object().unwrap();
        let names: Vec<&str> = key.keys().map(String::as_str).collect();
        let expected: &[&str] = match stored["keys"][0]["kty"].as_str().unwrap() {
            "RSA" => &["kty", "kid", "use", "alg", "n", "e"],
            "EC" => &["kty", "kid", "use", "alg", "crv", "x", "y"],
            _ => &["kty", "kid", "use", "alg", "crv", "x"],
        };
        assert_eq!(names, expected, "{alg}");
        for name in PRIVATE {
            assert!(!key.contains_key(name), "{alg}: {name}");
            assert!(!out.contains(&format!("\"{name}\"")), "{alg}: {name}");
        }
        // Every private value of the store is absent from the output.
        for name in PRIVATE {
            if let Some(secret) = stored["keys"][0][name].as_str() {
                assert!(!out.contains(secret), "{alg}: value of {name}");
            }
        }
        for name in expected {
            assert_eq!(key[*name], stored["keys"][0][*name], "{alg}: {name}");
        }
        assert_eq!(key["alg"], alg.name());
    }
}

#[test]
fn foreign_members_of_stored_keys_are_not_published() {
    let env = TestEnv::new();
    let mut store: Value = serde_json::from_str(&fixture("ec-store.json")).unwrap();
    let key = &mut store["keys"][0];
    key["key_ops"] = json!(["sign"]);
    key["x5c"] = json!(["MIIB"]);
    key["ext"] = json!(true);
    key["oth"] = json!([{"r": "AA", "d": "AA", "t": "AA"}]);
    key["k"] = json!("c2VjcmV0");
    store["note"] = json!("kept in the store, never published");
    env.write("keys.json", &text(&store));
    let public = published(&fixture_key("ec-store.json", 0), EC_KID);
    env.jwkctl()
        .arg("jwks")
        .assert()
        .code(0)
        .stdout(format!("{}\n", text(&json!({ "keys": [public] }))))
        .stderr("");
}

#[test]
fn out_writes_mode_0644_and_the_same_bytes() {
    let env = TestEnv::with_store("ec-store.json");
    let printed = env.ok(&["jwks"]);
    env.jwkctl()
        .args(["jwks", "--out", "jwks.json"])
        .assert()
        .code(0)
        .stdout("")
        .stderr("jwkctl: wrote 1 public key to jwks.json\n");
    assert_eq!(env.read("jwks.json"), printed);
    assert_eq!(mode(&env.path("jwks.json")), 0o644);
    // Quiet, into another folder.
    fs::create_dir(env.path("www")).unwrap();
    env.jwkctl()
        .args(["-q", "jwks", "--out", "www/jwks.json"])
        .assert()
        .code(0)
        .stdout("")
        .stderr("");
    assert_eq!(env.read("www/jwks.json"), printed);
    // Several keys: the status line counts them.
    let env = TestEnv::new();
    rotated_store(&env);
    env.jwkctl()
        .args(["jwks", "--out", "jwks.json"])
        .assert()
        .code(0)
        .stderr("jwkctl: wrote 4 public keys to jwks.json\n");
}

#[test]
fn out_keeps_an_existing_files_mode() {
    for existing in [0o640, 0o600, 0o664] {
        let env = TestEnv::with_store("ec-store.json");
        env.write("jwks.json", "old");
        fs::set_permissions(env.path("jwks.json"), fs::Permissions::from_mode(existing)).unwrap();
        env.ok(&["-q", "jwks", "--out", "jwks.json"]);
        assert_eq!(mode(&env.path("jwks.json")), existing);
        assert_eq!(env.read("jwks.json"), env.ok(&["jwks"]));
    }
}

#[test]
fn out_replaces_the_file_atomically() {
    let env = TestEnv::with_store("ec-store.json");
    env.write("jwks.json", "old content");
    // A second name for the old file: a rename leaves it alone, while
    // writing in place would change it too.
    fs::hard_link(env.path("jwks.json"), env.path("old-link")).unwrap();
    env.ok(&["-q", "jwks", "--out", "jwks.json"]);
    assert_eq!(env.read("old-link"), "old content");
    assert_eq!(env.read("jwks.json"), env.ok(&["jwks"]));
    // No temporary file is left behind.
    let mut names: Vec<String> = fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["jwks.json", "keys.json", "old-link"]);
}

#[test]
fn out_into_a_missing_folder_is_an_error_and_changes_nothing() {
    let env = TestEnv::with_store("ec-store.json");
    env.jwkctl()
        .args(["jwks", "--out", "missing/jwks.json"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: missing: no such folder (create it first; nothing was changed)\n");
}

#[test]
fn read_only_commands_leave_the_store_alone() {
    let env = TestEnv::with_store("ec-store.json");
    let before = env.read("keys.json");
    env.ok(&["jwks"]);
    let token = env.ok(&["sign"]);
    env.jwkctl().args(["verify", token.trim()]).assert().code(0);
    assert_eq!(env.read("keys.json"), before);
    // No lock file either: only writers lock.
    assert!(!env.path("keys.json.lock").exists());
}

#[test]
fn out_refuses_to_replace_the_key_store() {
    let env = TestEnv::with_store("ec-store.json");
    let before = env.read("keys.json");
    fs::hard_link(env.keys(), env.path("linked.json")).unwrap();
    std::os::unix::fs::symlink("keys.json", env.path("symlinked.json")).unwrap();
    for out in ["keys.json", "./keys.json", "linked.json", "symlinked.json"] {
        env.jwkctl()
            .args(["jwks", "--out", out])
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!(
                "jwkctl: {out}: this is the key store, and --out would replace its private keys with the public ones (write the JWK Set to another file)\n"
            ));
        assert_eq!(env.read("keys.json"), before);
    }
    let abs = env.keys();
    env.jwkctl()
        .args(["jwks", "--out"])
        .arg(&abs)
        .assert()
        .code(2)
        .stdout("");
    assert_eq!(env.read("keys.json"), before);
}
