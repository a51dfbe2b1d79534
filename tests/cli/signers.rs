//! Keys whose private half is a signer's (`"signer": "transit:..."` in the
//! key's bookkeeping), with no server: what needs no signing works, what
//! would hand out the private half is refused.

use serde_json::{Value, json};

use crate::util::*;

/// The RFC 8037 Ed25519 key as a transit key's version 3 would be stored.
fn store() -> Value {
    json!({"keys": [{
        "kty": "OKP", "kid": "elsewhere", "use": "sig", "alg": "EdDSA", "crv": "Ed25519",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
        "jwkctl": {"created": "2026-01-01T00:00:00Z", "signs_from": "2026-01-01T00:00:00Z",
                   "signer": "transit:transit/jwt#3"}
    }], "jwkctl": {"max_ttl": "24h", "destroy": ["transit:transit/jwt#2"]}})
}

fn env() -> TestEnv {
    let env = TestEnv::new();
    env.write("keys.json", &store().to_string());
    private(&env.keys());
    env
}

#[test]
fn list_shows_the_signer_and_what_is_not_destroyed_yet() {
    let env = env();
    let out = env.jwkctl().arg("list").assert().success();
    let out = out.get_output();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "elsewhere  EdDSA  active  2026-01-01T00:00:00Z  2026-01-01T00:00:00Z  -  -  transit:transit/jwt#3\n"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with("jwkctl: not destroyed yet: transit:transit/jwt#2, whose key was removed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line: Value = serde_json::from_str(&env.ok(&["list", "--json", "-q"])).unwrap();
    assert_eq!(line["signer"], "transit:transit/jwt#3");
}

#[test]
fn the_private_half_cannot_be_exported_the_public_one_can() {
    let env = env();
    for args in [
        &["export", "--private"][..],
        &["export", "--private", "--pem"],
    ] {
        env.jwkctl()
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr("jwkctl: key \"elsewhere\": its private half is in transit:transit/jwt#3 and cannot leave the engine (export the public key: drop --private)\n");
    }
    // The same PEM as the local key's public half.
    let local = TestEnv::with_store("rfc8037-store.json");
    assert_eq!(env.ok(&["export", "--pem"]), local.ok(&["export", "--pem"]));
    let jwk: Value = serde_json::from_str(&env.ok(&["export"])).unwrap();
    assert_eq!(jwk["x"], "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
    assert!(jwk.get("d").is_none());
}

#[test]
fn publishing_needs_no_signer_signing_does() {
    let env = env();
    let jwks: Value = serde_json::from_str(&env.ok(&["jwks"])).unwrap();
    assert_eq!(jwks["keys"][0]["kid"], "elsewhere");
    env.jwkctl()
        .arg("sign")
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: key \"elsewhere\" cannot sign: transit:transit/jwt: VAULT_ADDR is not set (export VAULT_ADDR=https://HOST:8200, the address of the OpenBao or Vault server)\n");
}

#[test]
fn a_key_with_a_private_member_and_a_signer_is_refused() {
    let env = TestEnv::new();
    let mut both = store();
    both["keys"][0]["d"] = json!("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A");
    env.write("keys.json", &both.to_string());
    private(&env.keys());
    env.jwkctl()
        .arg("jwks")
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "key 1 (kid \"elsewhere\"): it has a private member (\"d\") and a signer (transit:transit/jwt#3)",
        ));
}

#[test]
fn a_signer_that_is_not_transit_mount_name_is_a_usage_error() {
    let env = TestEnv::new();
    env.jwkctl()
        .args(["keygen", "--signer", "vault:secret/jwt"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains(
            "vault:secret/jwt: not a signer jwkctl knows (write it like transit:transit/jwt, MOUNT/NAME of a transit engine's key)",
        ));
    env.jwkctl()
        .args(["rotate", "--signer", "transit:transit/a/b"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "\"a/b\" is not a transit key's name",
        ));
    assert!(!env.keys().exists());
}
