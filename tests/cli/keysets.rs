//! Key sources for `verify --jwks`: what is a JWK Set, which of its keys
//! are usable, and what happens to the others.

use serde_json::Value;

use crate::util::*;

fn ec_public() -> Value {
    Value::Object(fixture_key("ec-store.json", 0).to_public())
}

/// The fixture EC key's public point with `y` moved off the curve.
fn off_curve() -> Value {
    let mut key = ec_public();
    let mut y = unb64(key["y"].as_str().unwrap());
    y[31] ^= 1;
    key["y"] = json!(b64(&y));
    key["kid"] = json!("off-curve");
    key
}

fn unusable_keys() -> Vec<Value> {
    let weak: Value = serde_json::from_str(&fixture("rsa-1024.pub.json")).unwrap();
    let mut enc = ec_public();
    enc["kid"] = json!("enc");
    enc["use"] = json!("enc");
    let mut ops = ec_public();
    ops["kid"] = json!("ops");
    ops["key_ops"] = json!(["encrypt"]);
    vec![
        weak,
        enc,
        json!({"kty": "oct", "kid": "oct", "k": "c2VjcmV0"}),
        json!({"kty": "Dilithium", "kid": "pq", "x": "AA"}),
        off_curve(),
        ops,
        json!({"kty": "OKP", "kid": "x25519", "crv": "X25519", "x": "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}),
        json!("not an object"),
    ]
}

#[test]
fn unusable_keys_are_skipped_not_fatal() {
    let env = TestEnv::new();
    let mut keys = unusable_keys();
    keys.push(ec_public());
    let jwks = env.jwks_file("jwks.json", &text(&json!({ "keys": keys })));
    let out = env
        .jwkctl()
        .args(["verify", "--jwks", &jwks, &es256(&fresh())])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("{}\n", text(&fresh()))
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    let expected = [
        r#"jwkctl: skipping key 1 (kid "rsa-1024") of jwks.json: RSA key of 1024 bits is under 2048"#,
        r#"jwkctl: skipping key 2 (kid "enc") of jwks.json: its "use" is not "sig""#,
        r#"jwkctl: skipping key 3 (kid "oct") of jwks.json: key type "oct" is not supported"#,
        r#"jwkctl: skipping key 4 (kid "pq") of jwks.json: key type "Dilithium" is not supported"#,
        r#"jwkctl: skipping key 6 (kid "ops") of jwks.json: its "key_ops" do not include "verify""#,
        r#"jwkctl: skipping key 7 (kid "x25519") of jwks.json: its curve is not supported"#,
        r#"jwkctl: skipping key 8 of jwks.json: no kty"#,
    ];
    // Key 5's point is off its curve, which is checked only when a token
    // needs the key (see below).
    assert_eq!(stderr, expected.map(|l| format!("{l}\n")).concat());
    // -q keeps the status lines out.
    env.jwkctl()
        .args(["-q", "verify", "--jwks", &jwks, &es256(&fresh())])
        .assert()
        .code(0)
        .stderr("");
}

#[test]
fn a_token_that_needs_an_unusable_key_is_rejected() {
    let env = TestEnv::new();
    let jwks = env.jwks_file("jwks.json", &text(&json!({ "keys": unusable_keys() })));
    let ec = fixture_key("ec-store.json", 0);
    let rejects = |token: &str, reason: &str| env.rejects(&["-q", "--jwks", &jwks], token, reason);
    // Signed for real by the 1024-bit key the JWK Set holds.
    rejects(&fixture("rsa-1024.jwt"), "no usable key");
    for kid in ["enc", "ops", "off-curve"] {
        let header = json!({"alg": "ES256", "typ": "JWT", "kid": kid});
        rejects(&forge(&header, &fresh(), Alg::Es256, &ec), "no usable key");
    }
    // The enc key is the real public key of `ec`: without a kid it is still
    // never used.
    let header = json!({"alg": "ES256", "typ": "JWT"});
    rejects(&forge(&header, &fresh(), Alg::Es256, &ec), "no usable key");
}

#[test]
fn a_point_off_its_curve_is_reported_when_a_token_needs_the_key() {
    let env = TestEnv::new();
    let keys = json!({ "keys": [ec_public(), off_curve()] });
    let jwks = env.jwks_file("jwks.json", &text(&keys));
    let ec = fixture_key("ec-store.json", 0);
    let header = json!({"alg": "ES256", "typ": "JWT", "kid": "off-curve"});
    let needs_it = forge(&header, &fresh(), Alg::Es256, &ec);
    let line =
        r#"jwkctl: skipping key 2 (kid "off-curve") of jwks.json: its point is not on its curve"#;
    env.jwkctl()
        .args(["verify", "--jwks", &jwks, &needs_it])
        .assert()
        .code(1)
        .stdout("")
        .stderr(format!("{line}\njwkctl: invalid token: no usable key\n"));
    // A token for the other key does not look at it.
    env.jwkctl()
        .args(["verify", "--jwks", &jwks, &es256(&fresh())])
        .assert()
        .code(0)
        .stderr("");
    // --batch says it once, after the results.
    let input = format!("{needs_it}\n{}\n{needs_it}\n", es256(&fresh()));
    let rejected = |line| format!(r#"{{"line":{line},"valid":false,"error":"no usable key"}}"#);
    env.jwkctl()
        .args(["verify", "--batch", "--jwks", &jwks])
        .write_stdin(input)
        .assert()
        .code(1)
        .stdout(format!(
            "{}\n{}\n{}\n",
            rejected(1),
            text(&json!({"line": 2, "valid": true, "claims": fresh()})),
            rejected(3)
        ))
        .stderr(format!("{line}\n"));
}

#[test]
fn a_single_jwk_is_a_key_source_and_private_members_are_ignored() {
    let env = TestEnv::new();
    let token = es256(&fresh());
    env.write("public.json", &text(&ec_public()));
    env.accepts(&["--jwks", "public.json"], &token, &fresh());
    // The store file itself: a JWK Set of private keys with bookkeeping.
    env.write("store-copy.json", &fixture("ec-store.json"));
    env.accepts(&["--jwks", "store-copy.json"], &token, &fresh());
    let mut private = Value::Object(fixture_key("ec-store.json", 0).to_private_map());
    assert!(private["d"].is_string());
    env.write("private.json", &text(&private));
    env.accepts(&["--jwks", "private.json"], &token, &fresh());
    // A wrong `d` changes nothing: it is never looked at.
    private["d"] = json!("AAAA");
    env.write("private.json", &text(&private));
    env.accepts(&["--jwks", "private.json"], &token, &fresh());
}

#[test]
fn a_file_that_is_not_a_jwk_set_is_an_input_error() {
    let env = TestEnv::new();
    let token = es256(&fresh());
    for (content, why) in [
        (
            "[]",
            "not a JWK Set (expected a JSON object like {\"keys\":[...]})",
        ),
        (
            "",
            "not a JWK Set (expected a JSON object like {\"keys\":[...]})",
        ),
        (
            "{\"keys\":",
            "not a JWK Set (expected a JSON object like {\"keys\":[...]})",
        ),
        (
            "-----BEGIN PUBLIC KEY-----\n",
            "not a JWK Set (expected a JSON object like {\"keys\":[...]})",
        ),
        ("{\"keys\":{}}", "not a JWK Set (\"keys\" is not an array)"),
        (
            "{\"issuer\":\"x\"}",
            "not a JWK Set (no \"keys\" array and no \"kty\")",
        ),
    ] {
        env.write("bad.json", content);
        env.jwkctl()
            .args(["verify", "--jwks", "bad.json", &token])
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!(
                "jwkctl: bad.json: {why} (pass a JWK Set file or a single JWK)\n"
            ));
    }
    env.jwkctl()
        .args(["verify", "--jwks", "missing.json", &token])
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: --jwks missing.json: no such file (check the path)\n");
}

#[test]
fn an_empty_jwk_set_verifies_nothing() {
    let env = TestEnv::new();
    let jwks = env.jwks_file("jwks.json", r#"{"keys":[]}"#);
    env.rejects(&["--jwks", &jwks], &es256(&fresh()), "unknown kid");
}

#[test]
fn a_public_key_labelled_for_hmac_is_never_used() {
    let env = TestEnv::new();
    let rsa = fixture_key("rsa-store.json", 0);
    let mut hs = rsa.to_public();
    hs.insert("alg".into(), json!("HS256"));
    let jwks = env.jwks_file("jwks.json", &text(&json!({ "keys": [hs] })));
    let rs256 = forge(
        &json!({"alg": "RS256", "kid": RSA_KID}),
        &fresh(),
        Alg::Rs256,
        &rsa,
    );
    env.jwkctl()
        .args(["verify", "--jwks", &jwks, &rs256])
        .assert()
        .code(1)
        .stdout("")
        .stderr(format!(
            "jwkctl: skipping key 1 (kid \"{RSA_KID}\") of jwks.json: algorithm \"HS256\" is not accepted\njwkctl: invalid token: no usable key\n"
        ));
}

#[test]
fn a_key_source_that_is_a_folder_or_too_large_is_an_input_error() {
    let env = TestEnv::new();
    std::fs::create_dir(env.path("folder")).unwrap();
    let token = es256(&fresh());
    env.jwkctl()
        .args(["verify", "--jwks", "folder", &token])
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: --jwks folder: is a directory (name a file, not a folder)\n");
    let mut keys = vec![ec_public(); 1];
    keys.push(json!({"kty": "oct", "k": "A".repeat(1 << 20)}));
    env.write("huge.json", &text(&json!({ "keys": keys })));
    env.jwkctl()
        .args(["verify", "--jwks", "huge.json", &token])
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: huge.json: larger than 1 MiB, which no JWK Set needs (check that this is the right file)\n");
}
