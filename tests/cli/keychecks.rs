//! Keys that are not keys: degenerate public keys that would let anyone
//! forge tokens, and store keys whose halves do not belong together. Each
//! crafted key is a fixture with members edited; no key is generated.

use openssl::bn::{BigNum, BigNumContext};
use serde_json::Value;

use crate::util::*;

/// The public half of `rsa-store.json`'s key: a real 2048-bit modulus.
fn rsa_n() -> Vec<u8> {
    unb64(
        fixture_key("rsa-store.json", 0)
            .member("n")
            .unwrap()
            .as_str()
            .unwrap(),
    )
}

fn rsa_public(kid: &str, n: &[u8], e: &[u8]) -> Value {
    json!({"kty": "RSA", "kid": kid, "use": "sig", "n": b64(n), "e": b64(e)})
}

/// EMSA-PKCS1-v1_5 of SHA-256 over `input` for a 2048-bit modulus: what an
/// RS256 signature is raised to the power e to give back.
fn pkcs1_sha256(input: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    let digest_info: [u8; 19] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    let mut em = vec![0x00, 0x01];
    em.resize(256 - 19 - 32 - 1, 0xff);
    em.push(0x00);
    em.extend_from_slice(&digest_info);
    em.extend_from_slice(&sha2::Sha256::digest(input));
    assert_eq!(em.len(), 256);
    em
}

fn rs256_header(kid: &str) -> Vec<u8> {
    text(&json!({"alg": "RS256", "typ": "JWT", "kid": kid})).into_bytes()
}

/// `verify --jwks jwks.json` of `token` must say exactly `stderr`, exit 1.
fn rejected(env: &TestEnv, token: &str, stderr: &str) {
    env.jwkctl()
        .args(["verify", "--jwks", "jwks.json"])
        .write_stdin(token)
        .assert()
        .code(1)
        .stdout("")
        .stderr(stderr.to_owned());
}

#[test]
fn an_rsa_key_with_exponent_1_does_not_verify_a_forgery() {
    // With e = 1 the "signature" is the padded hash itself: no private key
    // is needed to make it.
    let env = TestEnv::new();
    env.jwks_file(
        "jwks.json",
        &text(&json!({"keys": [rsa_public("e1", &rsa_n(), &[1])]})),
    );
    let token = compact_raw(&rs256_header("e1"), text(&fresh()).as_bytes(), pkcs1_sha256);
    rejected(
        &env,
        &token,
        "jwkctl: skipping key 1 (kid \"e1\") of jwks.json: its RSA public exponent e = 1 is under 3; it must be odd, at least 3 and less than the modulus\njwkctl: invalid token: no usable key\n",
    );
}

#[test]
fn an_rsa_key_with_an_even_exponent_does_not_verify_a_forgery() {
    // e = 4 and a modulus chosen for the token: with s = 2^512 (+1 to make
    // n odd) and n = s⁴ - EM, s⁴ mod n is EM, so s "verifies".
    let env = TestEnv::new();
    let payload = text(&fresh());
    let input = format!("{}.{}", b64(&rs256_header("e4")), b64(payload.as_bytes()));
    let em = pkcs1_sha256(input.as_bytes());
    let mut ctx = BigNumContext::new().unwrap();
    let em_num = BigNum::from_slice(&em).unwrap();
    let mut s = BigNum::new().unwrap();
    s.set_bit(512).unwrap();
    if !em_num.is_bit_set(0) {
        s.add_word(1).unwrap();
    }
    let (mut square, mut fourth) = (BigNum::new().unwrap(), BigNum::new().unwrap());
    square.sqr(&s, &mut ctx).unwrap();
    fourth.sqr(&square, &mut ctx).unwrap();
    let mut n = BigNum::new().unwrap();
    n.checked_sub(&fourth, &em_num).unwrap();
    assert_eq!(n.num_bits(), 2048);
    assert!(n.is_bit_set(0));
    env.jwks_file(
        "jwks.json",
        &text(&json!({"keys": [rsa_public("e4", &n.to_vec(), &[4])]})),
    );
    let token = format!("{input}.{}", b64(&s.to_vec_padded(256).unwrap()));
    rejected(
        &env,
        &token,
        "jwkctl: skipping key 1 (kid \"e4\") of jwks.json: its RSA public exponent e = 4 is even; it must be odd, at least 3 and less than the modulus\njwkctl: invalid token: no usable key\n",
    );
}

#[test]
fn a_modulus_of_2047_bits_is_too_small_whatever_its_length_in_octets() {
    let env = TestEnv::new();
    let mut n = rsa_n();
    n[0] &= 0x7f;
    n.insert(0, 0);
    assert_eq!(n.len(), 257);
    env.jwks_file(
        "jwks.json",
        &text(&json!({"keys": [rsa_public("short", &n, &[1, 0, 1])]})),
    );
    let token = compact_raw(&rs256_header("short"), text(&fresh()).as_bytes(), |_| {
        vec![7; 256]
    });
    rejected(
        &env,
        &token,
        "jwkctl: skipping key 1 (kid \"short\") of jwks.json: RSA key of 2047 bits is under 2048\njwkctl: invalid token: no usable key\n",
    );
    // In the store too.
    let env = TestEnv::new();
    let mut store: Value = serde_json::from_str(&fixture("rsa-store.json")).unwrap();
    store["keys"][0]["n"] = json!(b64(&n));
    env.write("keys.json", &text(&store));
    env.jwkctl()
        .arg("jwks")
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "jwkctl: {}: not a valid key store: key 1 (kid \"{RSA_KID}\"): RSA key of 2047 bits is under 2048 (fix the file, or restore it from a backup)\n",
            env.keys().display()
        ));
}

/// The Ed25519 identity point: y = 1, x = 0.
fn identity() -> [u8; 32] {
    let mut point = [0u8; 32];
    point[0] = 1;
    point
}

#[test]
fn a_small_order_ed25519_key_does_not_verify_a_fixed_signature() {
    // For the identity A, [S]B = R + [k]A holds with R = identity, S = 0,
    // whatever the payload: one signature fits every token.
    let env = TestEnv::new();
    let key = json!({"kty": "OKP", "crv": "Ed25519", "kid": "small", "x": b64(&identity())});
    env.jwks_file("jwks.json", &text(&json!({ "keys": [key] })));
    let mut fixed = identity().to_vec();
    fixed.extend([0u8; 32]);
    let header = text(&json!({"alg": "EdDSA", "typ": "JWT", "kid": "small"}));
    let skipped = "jwkctl: skipping key 1 (kid \"small\") of jwks.json: its \"x\" is an Ed25519 point of small order, which accepts forged signatures\njwkctl: invalid token: no usable key\n";
    for claims in [fresh(), json!({"sub": "root", "exp": NOW_UNIX + 86_400})] {
        let token = compact_raw(header.as_bytes(), text(&claims).as_bytes(), |_| {
            fixed.clone()
        });
        rejected(&env, &token, skipped);
    }
}

/// A store fixture with key 0's members edited.
fn edited_store(fixture_name: &str, edit: impl FnOnce(&mut Value)) -> TestEnv {
    let env = TestEnv::new();
    let mut store: Value = serde_json::from_str(&fixture(fixture_name)).unwrap();
    edit(&mut store["keys"][0]);
    env.write("keys.json", &serde_json::to_string_pretty(&store).unwrap());
    env
}

/// `sign` refuses a store whose signing key fails the full check (its
/// point, or the pairing of its halves), and leaves it as it was. A read
/// checks every key's members only, so `list` and `jwks` go on.
fn sign_refused(env: &TestEnv, why: &str) {
    let before = env.read("keys.json");
    env.jwkctl()
        .arg("sign")
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "jwkctl: {}: not a valid key store: {why} (fix the store, or restore it from a backup)\n",
            env.keys().display()
        ));
    for args in [&["list"][..], &["jwks"]] {
        env.jwkctl().args(args).assert().success();
    }
    assert_eq!(env.read("keys.json"), before, "the store is unchanged");
}

/// Every command that reads the store refuses it the same way and leaves
/// it as it was.
fn store_refused(env: &TestEnv, why: &str) {
    let before = env.read("keys.json");
    let stderr = format!(
        "jwkctl: {}: not a valid key store: {why} (fix the file, or restore it from a backup)\n",
        env.keys().display()
    );
    for args in [
        &["sign"][..],
        &["jwks"],
        &["list"],
        &["rotate", "--alg", "EdDSA"],
        &["prune"],
    ] {
        env.jwkctl()
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(stderr.clone());
    }
    assert_eq!(env.read("keys.json"), before, "the store is unchanged");
}

#[test]
fn a_store_key_whose_public_half_is_another_keys_is_refused() {
    // The EC key's point replaced by RFC 7515's: on the curve, but not d·G.
    let a3: Value = serde_json::from_str(&fixture("rfc7515-a3.jwk.json")).unwrap();
    let env = edited_store("ec-store.json", |key| {
        key["x"] = a3["x"].clone();
        key["y"] = a3["y"].clone();
    });
    sign_refused(
        &env,
        &format!(
            "key 1 (kid \"{EC_KID}\"): its private and public members do not belong to one key"
        ),
    );
    // An RSA key with another key's modulus.
    let other = fixture_key("rsa-store-b.json", 0);
    let env = edited_store("rsa-store.json", |key| {
        key["n"] = other.member("n").unwrap().to_value();
    });
    sign_refused(
        &env,
        &format!(
            "key 1 (kid \"{RSA_KID}\"): its private and public members do not belong to one key"
        ),
    );
    // A wrong CRT member: every signature would leak the key's factors.
    let other = fixture_key("rsa-store-b.json", 0).to_private_map();
    let env = edited_store("rsa-store.json", |key| {
        key["dp"] = other["dp"].clone();
    });
    sign_refused(
        &env,
        &format!(
            "key 1 (kid \"{RSA_KID}\"): its private and public members do not belong to one key"
        ),
    );
    // Without its CRT members: it could never sign (josekit signs RSA keys
    // in CRT form), so the store is refused at once, not at `sign`.
    let env = edited_store("rsa-store.json", |key| {
        key.as_object_mut().unwrap().remove("qi");
    });
    store_refused(
        &env,
        &format!("key 1 (kid \"{RSA_KID}\"): the member \"qi\" is missing or not base64url"),
    );
    // An Ed25519 key holding the public key of ed25519.pem (node-jose
    // layout, no kid: the error names the thumbprint jwkctl gives it).
    let pem = openssl::pkey::PKey::private_key_from_pem(fixture("ed25519.pem").as_bytes()).unwrap();
    let x = b64(&pem.raw_public_key().unwrap());
    let env = edited_store("rfc8037-store.json", |key| key["x"] = json!(x));
    let kid = thumbprint(&json!({"kty": "OKP", "crv": "Ed25519", "x": x}));
    sign_refused(
        &env,
        &format!("key 1 (kid \"{kid}\"): its private and public members do not belong to one key"),
    );
}

/// A store of three EdDSA keys, edited: keys are read in file order, and
/// the first fault in that order is the one reported.
#[test]
fn a_repeated_kid_is_reported_in_file_order_among_other_faults() {
    let three = || {
        let env = TestEnv::new();
        env.ok(&["keygen", "--alg", "EdDSA", "--kid", "a"]);
        env.ok(&["rotate", "--kid", "b"]);
        env.ok(&["rotate", "--kid", "c"]);
        let store: Value = serde_json::from_str(&env.read("keys.json")).unwrap();
        (env, store)
    };
    let write = |env: &TestEnv, store: &Value| env.write("keys.json", &store.to_string());
    // The second and third share a kid.
    let (env, mut store) = three();
    let second = store["keys"][1]["kid"].clone();
    store["keys"][2]["kid"] = second.clone();
    write(&env, &store);
    store_refused(
        &env,
        &format!("two keys have kid {second} (remove or rename one)"),
    );
    // The first and second share a kid, and the third is broken: the
    // repeat comes first.
    let (env, mut store) = three();
    let first = store["keys"][0]["kid"].clone();
    store["keys"][1]["kid"] = first.clone();
    store["keys"][2]["x"] = json!("AA");
    write(&env, &store);
    store_refused(
        &env,
        &format!("two keys have kid {first} (remove or rename one)"),
    );
    // The second is broken and the first and third share a kid: the
    // broken key comes first.
    let (env, mut store) = three();
    let first = store["keys"][0]["kid"].clone();
    let second = store["keys"][1]["kid"].as_str().unwrap().to_owned();
    store["keys"][1]["x"] = json!("AA");
    store["keys"][2]["kid"] = first;
    write(&env, &store);
    store_refused(
        &env,
        &format!("key 2 (kid \"{second}\"): its \"x\" is not a 32-byte Ed25519 public key"),
    );
}

/// A key without a kid is named by the kid jwkctl gives it, as `list`
/// shows it: its thumbprint.
#[test]
fn a_refused_key_without_a_kid_is_named_by_its_thumbprint() {
    let env = edited_store("rfc8037-store.json", |key| key["d"] = json!("not base64!"));
    let store: Value = serde_json::from_str(&env.read("keys.json")).unwrap();
    let key = &store["keys"][0];
    assert!(key.get("kid").is_none());
    let kid = thumbprint(&json!({"kty": "OKP", "crv": "Ed25519", "x": key["x"]}));
    store_refused(
        &env,
        &format!("key 1 (kid \"{kid}\"): the member \"d\" is missing or not base64url"),
    );
}

#[test]
fn a_store_key_that_is_not_a_key_is_refused() {
    let env = edited_store("rsa-store.json", |key| key["e"] = json!("AQ"));
    store_refused(
        &env,
        &format!(
            "key 1 (kid \"{RSA_KID}\"): its RSA public exponent e = 1 is under 3; it must be odd, at least 3 and less than the modulus"
        ),
    );
    let env = edited_store("rfc8037-store.json", |key| {
        key["x"] = json!(b64(&identity()));
        key["kid"] = json!("ed");
    });
    sign_refused(
        &env,
        "key 1 (kid \"ed\"): its \"x\" is an Ed25519 point of small order, which accepts forged signatures",
    );
}

#[test]
fn import_refuses_keys_that_are_not_keys() {
    let env = TestEnv::with_store("ec-store.json");
    let before = env.read("keys.json");
    let rsa = Value::Object(fixture_key("rsa-store.json", 0).to_private_map());
    let mut e1 = rsa.clone();
    e1["e"] = json!("AQ");
    let mut even = rsa.clone();
    even["e"] = json!(b64(&[1, 0, 0]));
    let mut ed: Value = serde_json::from_str(&fixture("rfc8037-a1.jwk.json")).unwrap();
    ed["x"] = json!(b64(&identity()));
    let mut mixed = rsa.clone();
    mixed["n"] = fixture_key("rsa-store-b.json", 0)
        .member("n")
        .unwrap()
        .to_value();
    let refuse = |name: &str, key: &Value, why: &str| {
        env.write(name, &text(key));
        env.jwkctl()
            .args(["import", name])
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!("jwkctl: {name}: {why}\n"));
    };
    let remedy = "such a key is refused (import another key, or make one with 'jwkctl rotate')";
    refuse(
        "e1.jwk",
        &e1,
        &format!(
            "its RSA public exponent e = 1 is under 3; it must be odd, at least 3 and less than the modulus: {remedy}"
        ),
    );
    refuse(
        "even.jwk",
        &even,
        &format!(
            "its RSA public exponent e = 65536 is even; it must be odd, at least 3 and less than the modulus: {remedy}"
        ),
    );
    refuse(
        "ed.jwk",
        &ed,
        &format!(
            "its \"x\" is an Ed25519 point of small order, which accepts forged signatures: {remedy}"
        ),
    );
    refuse(
        "mixed.jwk",
        &mixed,
        "its private and public members do not belong to one key",
    );
    assert_eq!(env.read("keys.json"), before, "nothing was imported");
}

#[test]
fn a_fractional_exp_equal_to_now_is_expired_and_nbf_equal_to_now_is_valid() {
    // 1767323045.25 s as float nanoseconds is 1767323045249999872: a clock
    // compared through floats is a step early, so exp equal to now passed
    // and nbf equal to now failed.
    let env = TestEnv::with_store("ec-store.json");
    let key = fixture_key("ec-store.json", 0);
    let token = |payload: &str| {
        let header = text(&json!({"alg": "ES256", "typ": "JWT", "kid": EC_KID}));
        let signer = jwkctl::crypto::Signer::new(Alg::Es256, &key).unwrap();
        compact_raw(header.as_bytes(), payload.as_bytes(), |input| {
            signer.sign(input).unwrap()
        })
    };
    let verify = |now: &str, payload: &str, leeway: &str| {
        let mut cmd = env.jwkctl();
        cmd.args(["--now", now, "verify", "--leeway", leeway])
            .write_stdin(token(payload));
        cmd
    };
    for now in ["1767323045.25", "1767323045.123456789"] {
        let (secs, fraction) = now.split_once('.').unwrap();
        let secs: i64 = secs.parse().unwrap();
        let at = |offset: i64| format!("{}.{fraction}", secs + offset);
        for (exp, leeway) in [(at(0), "0s"), (at(-60), "60s")] {
            verify(now, &format!(r#"{{"sub":"alice","exp":{exp}}}"#), leeway)
                .assert()
                .code(1)
                .stdout("")
                .stderr("jwkctl: invalid token: expired\n");
        }
        for (nbf, leeway) in [(at(0), "0s"), (at(60), "60s")] {
            let payload = format!(r#"{{"sub":"alice","exp":{},"nbf":{nbf}}}"#, secs + 3600);
            let claims: Value = serde_json::from_str(&payload).unwrap();
            verify(now, &payload, leeway)
                .assert()
                .code(0)
                .stdout(format!("{}\n", text(&claims)))
                .stderr("");
        }
    }
}

#[test]
fn sign_checks_each_signature_with_the_public_key() {
    // The store's own keys sign and verify as before: the check costs a
    // verification, and a good key never trips it.
    for (store, alg) in [("ec-store.json", "ES256"), ("rsa-store.json", "RS256")] {
        let env = TestEnv::with_store(store);
        let tokens = env.ok(&["sign", "--count", "3"]);
        for token in tokens.lines() {
            assert!(decode(token).0.contains(alg));
            env.ok(&["verify", token]);
        }
    }
}

/// A store of one key without bookkeeping (node-jose's layout), from a
/// private JWK fixture.
fn store_of(jwk_fixture: &str) -> TestEnv {
    let env = TestEnv::new();
    let key: Value = serde_json::from_str(&fixture(jwk_fixture)).unwrap();
    env.write("keys.json", &text(&json!({ "keys": [key] })));
    env
}

const SMALL_FACTOR: &str =
    "its RSA modulus has the prime factor 3; a real key's modulus has none below 752";
const EVEN: &str =
    "its RSA modulus is even; a real key's modulus is odd, with no prime factor below 752";
const MULTI_PRIME: &str =
    "it is a multi-prime RSA key (more than two primes, \"oth\"), which is not supported";
const IMPORT_REMEDY: &str =
    "such a key is refused (import another key, or make one with 'jwkctl rotate')";

#[test]
fn an_rsa_modulus_with_a_small_factor_does_not_verify_a_forgery() {
    // n = 3·q passes the size and exponent checks; its private exponent
    // follows from the factors, so the fixture token was forged without
    // any key holder (tests/fixtures/README.md).
    let env = TestEnv::new();
    env.jwks_file("jwks.json", &fixture("rsa-3q.jwks.json"));
    rejected(
        &env,
        &fixture("rsa-3q.jwt"),
        &format!(
            "jwkctl: skipping key 1 (kid \"three-q\") of jwks.json: {SMALL_FACTOR}\njwkctl: invalid token: no usable key\n"
        ),
    );
    // An even modulus (2·q) is refused from its members alone.
    let env = TestEnv::new();
    env.jwks_file("jwks.json", &fixture("rsa-even.jwks.json"));
    rejected(
        &env,
        &fixture("rsa-even.jwt"),
        &format!(
            "jwkctl: skipping key 1 (kid \"two-q\") of jwks.json: {EVEN}\njwkctl: invalid token: no usable key\n"
        ),
    );
}

#[test]
fn a_store_or_import_key_with_a_small_factor_is_refused() {
    // The pairing of 3·q's halves holds: only the factor rule catches it,
    // when the key signs.
    sign_refused(
        &store_of("rsa-3q.jwk.json"),
        &format!("key 1 (kid \"three-q\"): {SMALL_FACTOR}"),
    );
    // Even: every read refuses it.
    store_refused(
        &store_of("rsa-even.jwk.json"),
        &format!("key 1 (kid \"two-q\"): {EVEN}"),
    );
    let env = TestEnv::with_store("ec-store.json");
    let before = env.read("keys.json");
    for (name, why) in [
        ("rsa-3q.jwk.json", SMALL_FACTOR),
        ("rsa-even.jwk.json", EVEN),
    ] {
        env.write(name, &fixture(name));
        env.jwkctl()
            .args(["import", name])
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!("jwkctl: {name}: {why}: {IMPORT_REMEDY}\n"));
    }
    assert_eq!(env.read("keys.json"), before, "nothing was imported");
}

#[test]
fn a_multi_prime_rsa_key_is_named_as_one() {
    // A valid 3-prime key (OpenSSL rsa_keygen_primes:3): not a mismatch.
    store_refused(
        &store_of("rsa-3prime.jwk.json"),
        &format!("key 1 (kid \"three-primes\"): {MULTI_PRIME}"),
    );
    let env = TestEnv::with_store("ec-store.json");
    let before = env.read("keys.json");
    env.write("three.jwk", &fixture("rsa-3prime.jwk.json"));
    env.write("three.pem", &fixture("rsa-3prime.pem"));
    for name in ["three.jwk", "three.pem"] {
        env.jwkctl()
            .args(["import", name])
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!("jwkctl: {name}: {MULTI_PRIME}: {IMPORT_REMEDY}\n"));
    }
    assert_eq!(env.read("keys.json"), before, "nothing was imported");
}
