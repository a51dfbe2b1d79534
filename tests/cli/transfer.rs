//! `export` and `import`: keys leave one store and join another, and tokens
//! signed by one verify with the other's JWK Set.

use predicates::prelude::*;
use serde_json::Value;

use crate::util::*;

const PRIVATE_NOTICE: &str = "whoever holds it can sign tokens for this store";

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

/// A store whose active key uses `alg`: generated for curves, imported
/// from the RSA fixture for RSA algorithms (generating RSA keys is slow).
fn store_with(alg: &str) -> (TestEnv, String) {
    let env = TestEnv::new();
    if alg.starts_with('R') || alg.starts_with('P') {
        env.ok(&["keygen", "--alg", "EdDSA"]);
        env.write("rsa.pem", &fixture("rsa-2048-pkcs8.pem"));
        let kid = env.ok(&["import", "rsa.pem", "--alg", alg]);
        (env, kid.trim().to_owned())
    } else {
        let kid = env.ok(&["keygen", "--alg", alg]);
        (env, kid.trim().to_owned())
    }
}

/// A store with an unrelated EdDSA key, to import into.
fn other_store() -> TestEnv {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA"]);
    env
}

fn verifies(env: &TestEnv, jwks: &str, token: &str) {
    env.write("other-jwks.json", jwks);
    env.jwkctl()
        .args(["verify", "--jwks", "other-jwks.json", token.trim()])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"sub\":\"rt\""));
}

fn round_trip(alg: &str) {
    let (a, kid) = store_with(alg);
    let rsa = alg.starts_with('R') || alg.starts_with('P');
    let token = a.ok(&["sign", "--sub", "rt"]);

    // Public export: the key exactly as jwks publishes it.
    let public = json(&a.ok(&["export"]));
    assert_eq!(public, json(&a.ok(&["jwks"]))["keys"][0]);
    assert_eq!(public["alg"], alg);

    // Private JWK into another store: same kid, and tokens cross over.
    let private = a.ok(&["export", "--private"]);
    let private_jwk = json(&private);
    assert!(private_jwk.get("d").is_some() && private_jwk.get("jwkctl").is_none());
    let b = other_store();
    b.write("key.jwk", &private);
    assert_eq!(b.ok(&["import", "key.jwk"]).trim(), kid);
    assert_eq!(json(&b.ok(&["export"])), public);
    verifies(&a, &b.ok(&["jwks"]), &token);
    verifies(&b, &a.ok(&["jwks"]), &b.ok(&["sign", "--sub", "rt"]));

    // Private PEM (PKCS#8) into a third store: the thumbprint kid again.
    let pem = a.ok(&["export", "--private", "--pem"]);
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{pem}");
    let c = other_store();
    c.write("key.pem", &pem);
    let mut import = vec!["import", "key.pem"];
    if rsa {
        import.extend(["--alg", alg]);
    }
    assert_eq!(c.ok(&import).trim(), kid);
    verifies(&c, &a.ok(&["jwks"]), &c.ok(&["sign", "--sub", "rt"]));
    verifies(&a, &c.ok(&["jwks"]), &token);

    // Public PEM is SPKI (that OpenSSL derives the same: tests/interop).
    let spki = a.ok(&["export", "--pem"]);
    assert!(spki.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{spki}");
}

macro_rules! round_trips {
    ($($name:ident: $alg:literal,)*) => {
        $(
            #[test]
            fn $name() {
                round_trip($alg);
            }
        )*
    };
}

round_trips! {
    round_trip_rs256: "RS256",
    round_trip_rs384: "RS384",
    round_trip_rs512: "RS512",
    round_trip_ps256: "PS256",
    round_trip_ps384: "PS384",
    round_trip_ps512: "PS512",
    round_trip_es256: "ES256",
    round_trip_es384: "ES384",
    round_trip_es512: "ES512",
    round_trip_eddsa: "EdDSA",
}

#[test]
fn import_reads_pkcs1_pkcs8_and_sec1() {
    let env = other_store();
    for (file, alg) in [
        ("rsa-2048-pkcs1.pem", "RS256"),
        ("rsa-3072-pkcs1.pem", "RS256"),
        ("ec-p256-sec1.pem", "ES256"),
        ("ec-p384-pkcs8.pem", "ES384"),
        ("ec-p521-sec1.pem", "ES512"),
        ("ed25519.pem", "EdDSA"),
    ] {
        env.write(file, &fixture(file));
        let kid = env.ok(&["import", file]);
        let active = json(&env.ok(&["export"]));
        assert_eq!(active["kid"], kid.trim(), "{file}");
        assert_eq!(active["alg"], alg, "{file}");
        assert_eq!(active["use"], "sig", "{file}");
    }
    // PKCS#1 and PKCS#8 of one key are one key: same thumbprint kid.
    let other = other_store();
    other.write("k.pem", &fixture("rsa-2048-pkcs8.pem"));
    let kid = other.ok(&["import", "k.pem"]);
    let listed: Vec<Value> = json(&env.ok(&["jwks"]))["keys"].as_array().unwrap().clone();
    assert!(listed.iter().any(|k| k["kid"] == kid.trim()));
    // Six imports over the keygen key: one active, six retired.
    assert_eq!(listed.len(), 7);
}

#[test]
fn import_prints_the_kid_and_says_what_happened() {
    let env = other_store();
    env.write("ed.pem", &fixture("ed25519.pem"));
    let kid = "XpZt6GGAUFEqHtome9jMSvc_ZvGz4Etao-_eHpO7vFM";
    env.jwkctl()
        .args(["import", "ed.pem"])
        .assert()
        .success()
        .stdout(format!("{kid}\n"))
        .stderr(format!(
            "jwkctl: imported EdDSA key {kid} from ed.pem: it signs from now on\n"
        ));
    let token = env.ok(&["sign"]);
    assert!(env.ok(&["inspect", token.trim()]).contains(kid));
}

#[test]
fn import_with_publish_ahead_is_pending() {
    let env = TestEnv::new();
    let old = env.ok(&["keygen", "--alg", "EdDSA"]);
    let old = old.trim();
    env.write("ec.pem", &fixture("ec-p256-sec1.pem"));
    // Only the store changed: it says what publishes the key.
    env.jwkctl()
        .args(["import", "ec.pem", "--publish-ahead", "1h", "--kid", "next"])
        .assert()
        .success()
        .stdout("next\n")
        .stderr("jwkctl: imported ES256 key next from ec.pem: pending, signs from 2026-01-02T04:04:05Z (publish it now, so caches hold it before it signs: jwkctl jwks --out FILE)\n");
    let kids: Vec<Value> = json(&env.ok(&["jwks"]))["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].clone())
        .collect();
    assert_eq!(kids, [old, "next"]);
    let store = env.store_json();
    assert_eq!(
        store["keys"][1]["jwkctl"]["signs_from"],
        "2026-01-02T04:04:05Z"
    );
    // The old key signs until then, the new one after.
    assert_eq!(json(&env.ok(&["export"]))["kid"], old);
    let later = env
        .jwkctl()
        .args(["export", "--now", "2026-01-02T04:04:05Z"])
        .output()
        .unwrap();
    assert_eq!(
        json(&String::from_utf8(later.stdout).unwrap())["kid"],
        "next"
    );
    // A second pending key is refused, as rotate refuses it.
    env.write("ed.pem", &fixture("ed25519.pem"));
    env.jwkctl()
        .args(["import", "ed.pem", "--publish-ahead", "1h"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "jwkctl: ed.pem: key \"next\" is already pending",
        ));
}

#[test]
fn import_refusals_say_why() {
    let env = other_store();
    env.write("ed.pem", &fixture("ed25519.pem"));
    let kid = env.ok(&["import", "ed.pem"]);
    let before = env.read("keys.json");
    let ec_public = fixture("ec-p384-public.pem");
    env.write("public.pem", &ec_public);
    let jwk = json(&env.ok(&["export"]));
    env.write("public.jwk", &jwk.to_string());
    env.write("set.jwk", &env.ok(&["jwks"]));
    env.write("oct.jwk", r#"{"kty":"oct","k":"c2VjcmV0"}"#);
    env.write("junk.txt", "hello\n");
    for name in [
        "rsa-1024.pem",
        "ec-secp256k1.pem",
        "ed448.pem",
        "ed25519-encrypted.pem",
        "ec-p256-sec1.pem",
        "rsa-2048-pkcs1.pem",
    ] {
        env.write(name, &fixture(name));
    }
    let cases: &[(&[&str], String)] = &[
        (&["import", "ed.pem"], format!("ed.pem: this key is already in the store as kid {:?} (nothing to import)", kid.trim())),
        (&["import", "rsa-1024.pem"], "rsa-1024.pem: an RSA key of 1024 bits is refused: RSA keys need at least 2048 bits (import a larger key, or make one with 'jwkctl rotate')".into()),
        (&["import", "public.pem"], "public.pem: holds only a public key (PEM \"PUBLIC KEY\"); import needs the private key (PKCS#8, PKCS#1 or SEC1 PEM)".into()),
        (&["import", "public.jwk"], "public.jwk: holds only a public key (no \"d\"); import needs the private key".into()),
        (&["import", "set.jwk"], "set.jwk: a JWK Set: import takes one key (extract it, e.g. jq '.keys[0]' FILE, or use 'jwkctl export --private' output)".into()),
        (&["import", "oct.jwk"], "oct.jwk: a symmetric key (kty \"oct\"): HMAC is never accepted here (import an RSA, EC or Ed25519 private key)".into()),
        (&["import", "ed25519-encrypted.pem"], "ed25519-encrypted.pem: the private key is encrypted (decrypt it first, e.g. 'openssl pkey -in FILE -out plain.pem', and keep plain.pem private)".into()),
        (&["import", "ec-secp256k1.pem"], "ec-secp256k1.pem: an EC key on curve secp256k1, which no algorithm here uses (use P-256, P-384 or P-521)".into()),
        (&["import", "ed448.pem"], "ed448.pem: an Ed448 key: EdDSA here means Ed25519 only".into()),
        (&["import", "ec-p256-sec1.pem", "--alg", "ES384"], "ec-p256-sec1.pem: --alg ES384 does not fit this key: an EC P-256 key cannot be used with ES384 (choose an algorithm for an EC key)".into()),
        (&["import", "rsa-2048-pkcs1.pem", "--alg", "EdDSA"], "rsa-2048-pkcs1.pem: --alg EdDSA does not fit this key: an RSA key cannot be used with EdDSA (choose an algorithm for an RSA key)".into()),
        (&["import", "junk.txt"], "junk.txt: neither PEM nor a JWK (import reads a PEM private key or a private JWK)".into()),
        (&["import", "missing.pem"], "import missing.pem: no such file (check the path)".into()),
    ];
    for (args, what) in cases {
        env.jwkctl()
            .args(*args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!("jwkctl: {what}\n"));
    }
    assert_eq!(
        env.read("keys.json"),
        before,
        "a refused import changes nothing"
    );
}

#[test]
fn import_keeps_a_jwk_kid_and_alg_and_checks_the_pair() {
    let (a, _) = store_with("ES256");
    let mut private = json(&a.ok(&["export", "--private"]));
    private["kid"] = "legacy-1".into();
    let b = other_store();
    b.write("k.jwk", &private.to_string());
    assert_eq!(b.ok(&["import", "k.jwk"]), "legacy-1\n");
    // --alg must agree with the JWK's own alg.
    let c = other_store();
    c.write("k.jwk", &private.to_string());
    c.jwkctl()
        .args(["import", "k.jwk", "--alg", "ES384"])
        .assert()
        .code(2)
        .stderr("jwkctl: k.jwk: --alg ES384 differs from the key's own \"alg\" ES256 (drop --alg, or edit the JWK)\n");
    // A private part that does not belong to the public one is refused.
    let (other, _) = store_with("ES256");
    let foreign = json(&other.ok(&["export", "--private"]));
    private["d"] = foreign["d"].clone();
    c.write("mixed.jwk", &private.to_string());
    c.jwkctl()
        .args(["import", "mixed.jwk"])
        .assert()
        .code(2)
        .stderr("jwkctl: mixed.jwk: its private and public members do not belong to one key\n");
    // The same for Ed25519, whose x OpenSSL would derive from d.
    let ed = other_store();
    let mut ed_private = json(&ed.ok(&["export", "--private"]));
    ed_private["x"] = json(&other_store().ok(&["export"]))["x"].clone();
    c.write("mixed-ed.jwk", &ed_private.to_string());
    c.jwkctl()
        .args(["import", "mixed-ed.jwk"])
        .assert()
        .code(2)
        .stderr("jwkctl: mixed-ed.jwk: its private and public members do not belong to one key\n");
    // From stdin, with --kid.
    c.jwkctl()
        .args(["import", "-", "--kid", "piped"])
        .write_stdin(a.ok(&["export", "--private", "--pem"]))
        .assert()
        .success()
        .stdout("piped\n");
}

#[test]
fn export_chooses_keys_and_flags_private_output() {
    let env = TestEnv::new();
    let first = env.ok(&["keygen", "--alg", "EdDSA"]);
    let first = first.trim();
    env.write("ec.pem", &fixture("ec-p256-sec1.pem"));
    let second = env.ok(&["import", "ec.pem"]);
    assert_eq!(json(&env.ok(&["export"]))["kid"], second.trim());
    // A retired key by its kid.
    let retired = json(&env.ok(&["export", first]));
    assert_eq!(
        retired,
        json(&env.ok(&["jwks"]))["keys"][1],
        "only public members"
    );
    env.jwkctl()
        .args(["export", "nope"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::ends_with(
            "keys.json: no key with kid \"nope\" (see 'jwkctl jwks' for the kids)\n",
        ));
    // --private says so on stderr, unless -q.
    env.jwkctl()
        .args(["export", "--private", first])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"d\":"))
        .stderr(predicate::str::contains(PRIVATE_NOTICE));
    env.jwkctl()
        .args(["-q", "export", "--private", "--pem"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("-----BEGIN PRIVATE KEY-----\n"))
        .stderr("");
    // Without --private, nothing private and nothing on stderr.
    env.jwkctl()
        .args(["export", "--pem", first])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("-----BEGIN PUBLIC KEY-----\n"))
        .stderr("");
    let public = env.ok(&["export"]);
    for member in ["\"d\"", "\"jwkctl\""] {
        assert!(!public.contains(member), "{public}");
    }
}
