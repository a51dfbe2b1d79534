//! `jwkctl keygen`: the kid, the store file and its mode, and every refusal.

use std::fs;

use crate::util::*;

fn created(env: &TestEnv, alg: &str, kid: &str) -> String {
    format!(
        "jwkctl: created {} with {alg} key {kid}\n",
        env.keys().display()
    )
}

#[test]
fn default_is_rs256_2048_with_thumbprint_kid_and_mode_0600() {
    let env = TestEnv::new();
    let out = env.jwkctl().arg("keygen").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let store = env.store_json();
    let key = &store["keys"][0];
    let kid = thumbprint(key);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), format!("{kid}\n"));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        created(&env, "RS256", &kid)
    );
    assert_eq!(mode(&env.keys()), 0o600);
    assert_eq!(store["keys"].as_array().unwrap().len(), 1);
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["kid"], kid.as_str());
    assert_eq!(key["use"], "sig");
    assert_eq!(key["alg"], "RS256");
    assert_eq!(key["e"], "AQAB");
    let n = unb64(key["n"].as_str().unwrap());
    assert_eq!((n.len(), n[0] >= 0x80), (256, true), "a 2048-bit modulus");
    for member in ["d", "p", "q", "dp", "dq", "qi"] {
        assert!(key[member].is_string(), "private member {member}");
    }
    assert_eq!(
        key["jwkctl"],
        json!({"created": NOW, "signs_from": NOW}),
        "bookkeeping"
    );
    assert_eq!(store["jwkctl"], json!({"max_ttl": "24h"}));
}

#[test]
fn kid_is_the_rfc7638_thumbprint_for_curve_keys() {
    for alg in ["ES256", "ES384", "ES512", "EdDSA"] {
        let env = TestEnv::new();
        let kid = env.ok(&["-q", "keygen", "--alg", alg]);
        let store = env.store_json();
        let key = &store["keys"][0];
        assert_eq!(kid, format!("{}\n", thumbprint(key)), "{alg}");
        assert_eq!(key["alg"], alg);
    }
}

#[test]
fn existing_store_is_refused_without_force() {
    let env = TestEnv::with_store("ec-store.json");
    let before = env.read("keys.json");
    env.jwkctl()
        .args(["keygen", "--alg", "EdDSA"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "jwkctl: {}: a key store already exists (use --force to replace it and lose its keys, or -k to choose another file)\n",
            env.keys().display()
        ));
    assert_eq!(env.read("keys.json"), before, "store untouched");
}

#[test]
fn force_replaces_the_store_and_resets_mode_0600() {
    let env = TestEnv::with_store("ec-store.json");
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(env.keys(), fs::Permissions::from_mode(0o644)).unwrap();
    let kid = env.ok(&["-q", "keygen", "--alg", "EdDSA", "--force"]);
    let store = env.store_json();
    assert_eq!(store["keys"].as_array().unwrap().len(), 1);
    assert_eq!(store["keys"][0]["alg"], "EdDSA");
    assert_eq!(kid, format!("{}\n", thumbprint(&store["keys"][0])));
    assert_ne!(kid.trim(), EC_KID);
    assert_eq!(mode(&env.keys()), 0o600);
}

#[test]
fn explicit_kid() {
    let env = TestEnv::new();
    env.jwkctl()
        .args(["keygen", "--alg", "ES384", "--kid", "2026-01 key"])
        .assert()
        .code(0)
        .stdout("2026-01 key\n")
        .stderr(created(&env, "ES384", "2026-01 key"));
    assert_eq!(env.store_json()["keys"][0]["kid"], "2026-01 key");
}

#[test]
fn empty_kid_is_a_usage_error() {
    let env = TestEnv::new();
    env.jwkctl()
        .args(["keygen", "--kid", ""])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "jwkctl: invalid value '' for '--kid <KID>': a kid must be non-empty printable text\n\nFor more information, try '--help'.\n",
        );
    assert!(!env.keys().exists());
}

#[test]
fn rsa_under_2048_bits_is_refused() {
    let env = TestEnv::new();
    env.jwkctl()
        .args(["keygen", "--bits", "1024"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "jwkctl: invalid value '1024' for '--bits <N>': 1024 bits is refused: RSA keys need at least 2048\n\nFor more information, try '--help'.\n",
        );
    assert!(!env.keys().exists());
}

#[test]
fn bits_with_a_curve_algorithm_is_refused() {
    let env = TestEnv::new();
    env.jwkctl()
        .args(["keygen", "--alg", "ES256", "--bits", "2048"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: --bits applies to RSA keys only, and ES256 is not RSA (drop --bits, or choose an RS or PS algorithm)\n");
    assert!(!env.keys().exists());
}

#[test]
fn unknown_or_refused_algorithms_are_usage_errors() {
    let env = TestEnv::new();
    // HMAC and none say why, and list the ten.
    for alg in ["HS256", "none"] {
        env.jwkctl()
            .args(["keygen", "--alg", alg])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicates::str::starts_with(format!(
                "jwkctl: invalid value '{alg}' for '--alg <ALG>': "
            )))
            .stderr(predicates::str::contains(
                "(use one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA)",
            ));
    }
    assert!(!env.keys().exists());
}

#[test]
fn max_ttl_is_stored_and_caps_sign() {
    let env = TestEnv::new();
    env.ok(&["-q", "keygen", "--alg", "ES256", "--max-ttl", "2h"]);
    assert_eq!(env.store_json()["jwkctl"], json!({"max_ttl": "2h"}));
    env.ok(&["sign", "--ttl", "2h"]);
    env.jwkctl()
        .args(["sign", "--ttl", "121m"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: --ttl 2h 1m is longer than this store's max token lifetime 2h (shorten --ttl, or raise the limit with 'jwkctl rotate --max-ttl')\n");
}

#[test]
fn zero_max_ttl_is_refused() {
    let env = TestEnv::new();
    env.jwkctl()
        .args(["keygen", "--alg", "ES256", "--max-ttl", "0s"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: --max-ttl must be longer than 0s (like 1h or 24h)\n");
    assert!(!env.keys().exists());
}

#[test]
fn quiet_prints_only_the_kid() {
    let env = TestEnv::new();
    env.jwkctl()
        .args(["keygen", "--alg", "EdDSA", "--quiet"])
        .assert()
        .code(0)
        .stdout(predicates::str::is_match("^[A-Za-z0-9_-]{43}\n$").unwrap())
        .stderr("");
}

#[test]
fn a_store_in_a_missing_folder_names_the_folder() {
    let env = TestEnv::new();
    env.jwkctl()
        .args(["keygen", "--alg", "ES256", "-k", "no/such/keys.json"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "jwkctl: no/such: no such folder (create it first, or choose another path with -k)\n",
        );
    assert!(!env.path("no").exists());
}
