//! Paths are bytes, as the system takes them: a store or an output file
//! whose name is not UTF-8 works like any other (as `ssh-keygen -f` does).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::util::*;

#[test]
fn a_store_and_an_out_file_whose_names_are_not_utf8() {
    let env = TestEnv::new();
    let store = OsStr::from_bytes(b"keys\xff.json");
    let out = OsStr::from_bytes(b"jwks\xfe.json");
    env.jwkctl()
        .arg("keygen")
        .arg("--alg")
        .arg("ES256")
        .arg("-k")
        .arg(store)
        .assert()
        .success();
    assert!(env.dir.path().join(store).is_file());
    env.jwkctl()
        .arg("jwks")
        .arg("-k")
        .arg(store)
        .arg("--out")
        .arg(out)
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "wrote 1 public key to jwks\u{fffd}.json",
        ));
    let jwks = std::fs::read_to_string(env.dir.path().join(out)).unwrap();
    assert!(jwks.contains("\"kty\":\"EC\""));
    let token = env
        .jwkctl()
        .arg("sign")
        .arg("-k")
        .arg(store)
        .output()
        .unwrap();
    assert!(token.status.success());
    // The store under JWKCTL_KEYS too.
    env.jwkctl()
        .env("JWKCTL_KEYS", env.dir.path().join(store))
        .arg("list")
        .assert()
        .success();
}

#[test]
fn a_jwks_file_and_a_claims_file_whose_names_are_not_utf8() {
    let env = TestEnv::with_store("ec-store.json");
    let claims = OsStr::from_bytes(b"claims\xff.json");
    std::fs::write(env.dir.path().join(claims), r#"{"role":"ops"}"#).unwrap();
    let mut at_file = b"@".to_vec();
    at_file.extend_from_slice(claims.as_bytes());
    let out = env
        .jwkctl()
        .arg("sign")
        .arg("--claims")
        .arg(OsStr::from_bytes(&at_file))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap();
    let jwks = OsStr::from_bytes(b"jwks\xfe.json");
    env.jwkctl()
        .args(["jwks", "--out"])
        .arg(jwks)
        .assert()
        .success();
    env.jwkctl()
        .arg("verify")
        .arg("--jwks")
        .arg(jwks)
        .arg(token.trim())
        .assert()
        .success()
        .stdout(predicates::str::contains("\"role\":\"ops\""));
}

#[test]
fn a_published_file_whose_name_is_not_utf8() {
    let env = TestEnv::with_store("ec-store.json");
    let jwks = OsStr::from_bytes(b"jwks\xfe.json");
    env.jwkctl()
        .args(["jwks", "--out"])
        .arg(jwks)
        .assert()
        .success();
    env.jwkctl()
        .args(["check", "--format", "json", "--published"])
        .arg(jwks)
        .assert()
        // A set it could not read would be a critical finding, exit 1.
        .success()
        .stdout("");
}
