//! What `verify` never trusts, and every way a token can be malformed:
//! each is a rejection (exit 1) with its exact REASON.

use serde_json::Value;

use crate::util::*;

fn ec_env() -> TestEnv {
    TestEnv::with_store("ec-store.json")
}

fn ec_key() -> Jwk {
    fixture_key("ec-store.json", 0)
}

fn rsa_key() -> Jwk {
    fixture_key("rsa-store.json", 0)
}

/// An ES256 token from the store's key with extra header members.
fn es256_with(extra: Value) -> String {
    let mut header = json!({"alg": "ES256", "typ": "JWT", "kid": EC_KID});
    for (name, value) in extra.as_object().unwrap() {
        header[name] = value.clone();
    }
    forge(&header, &fresh(), Alg::Es256, &ec_key())
}

#[test]
fn a_valid_token_passes_first() {
    // The baseline every rejection below differs from in one point.
    ec_env().accepts(&[], &es256(&fresh()), &fresh());
}

#[test]
fn alg_none_is_never_accepted() {
    let env = ec_env();
    for alg in ["none", "None", "NONE"] {
        let header = json!({"alg": alg, "typ": "JWT", "kid": EC_KID});
        let token = compact_raw(text(&header).as_bytes(), text(&fresh()).as_bytes(), |_| {
            Vec::new()
        });
        assert!(token.ends_with('.'));
        env.rejects(&[], &token, "algorithm not allowed");
    }
}

/// The classic key confusion: HS256 keyed with the verifier's RSA public
/// key, as the n/e JWK text or as PEM bytes.
#[test]
fn hmac_keyed_with_the_rsa_public_key_is_rejected() {
    let env = TestEnv::with_store("rsa-store.json");
    let public_jwk = text(&Value::Object(rsa_key().to_public()));
    let pem = fixture("rsa-store.pub.pem");
    for secret in [
        public_jwk.as_bytes(),
        pem.as_bytes(),
        pem.trim_end().as_bytes(),
    ] {
        for alg in ["HS256", "HS384", "HS512"] {
            let header = json!({"alg": alg, "typ": "JWT", "kid": RSA_KID});
            let signer = match alg {
                "HS256" => josekit::jws::HS256.signer_from_bytes(secret),
                "HS384" => josekit::jws::HS384.signer_from_bytes(secret),
                _ => josekit::jws::HS512.signer_from_bytes(secret),
            }
            .unwrap();
            let token = compact_raw(text(&header).as_bytes(), text(&fresh()).as_bytes(), |m| {
                josekit::jws::JwsSigner::sign(&signer, m).unwrap()
            });
            env.rejects(&[], &token, "algorithm not allowed");
            env.rejects(&["--alg", "RS256"], &token, "algorithm not allowed");
        }
    }
}

#[test]
fn key_carrying_headers_are_never_trusted() {
    let env = ec_env();
    let public = Value::Object(ec_key().to_public());
    for (name, value) in [
        ("jwk", public.clone()),
        ("jku", json!("https://attacker.example/jwks.json")),
        ("x5u", json!("https://attacker.example/cert.pem")),
        ("x5c", json!(["MIIBszCCAVmgAwIBAgIUY"])),
    ] {
        let token = es256_with(json!({ name: value }));
        env.rejects(&[], &token, &format!("untrusted header {name}"));
    }
}

#[test]
fn an_embedded_attacker_jwk_does_not_verify_its_own_token() {
    // The attacker signs with their own key and ships it in the header.
    let attacker = jwkctl::crypto::generate(Alg::Es256, 0).unwrap();
    let header = json!({"alg": "ES256", "jwk": Value::Object(attacker.to_public())});
    let token = forge(&header, &fresh(), Alg::Es256, &attacker);
    ec_env().rejects(&[], &token, "untrusted header jwk");
}

#[test]
fn crit_is_never_trusted() {
    let env = ec_env();
    env.rejects(
        &[],
        &es256_with(json!({"crit": ["exp"], "exp": NOW_UNIX + 60})),
        "crit header not supported",
    );
    env.rejects(
        &[],
        &es256_with(json!({"crit": []})),
        "crit header not supported",
    );
    env.rejects(
        &[],
        &es256_with(json!({"b64": false, "crit": ["b64"]})),
        "crit header not supported",
    );
}

#[test]
fn unencoded_payload_is_never_trusted() {
    let env = ec_env();
    env.rejects(
        &[],
        &es256_with(json!({"b64": false})),
        "unencoded payload not supported",
    );
    env.rejects(
        &[],
        &es256_with(json!({"b64": "false"})),
        "unencoded payload not supported",
    );
    // b64: true is the default spelled out, and changes nothing.
    env.accepts(&[], &es256_with(json!({"b64": true})), &fresh());
}

#[test]
fn json_serializations_are_rejected() {
    let env = ec_env();
    let token = es256(&fresh());
    let [h, p, s]: [&str; 3] = token.split('.').collect::<Vec<_>>().try_into().unwrap();
    let flattened = json!({"payload": p, "protected": h, "signature": s});
    env.rejects(&[], &text(&flattened), "json serialization not supported");
    // General serialization with two signatures (RFC 7515 A.6).
    let rsa = forge(
        &json!({"alg": "RS256", "kid": RSA_KID}),
        &fresh(),
        Alg::Rs256,
        &rsa_key(),
    );
    let rsa_parts: Vec<&str> = rsa.split('.').collect();
    let general = json!({
        "payload": p,
        "signatures": [
            {"protected": h, "signature": s},
            {"protected": rsa_parts[0], "signature": rsa_parts[2]},
        ]
    });
    env.rejects(&[], &text(&general), "json serialization not supported");
    // Pretty-printed, with leading whitespace.
    let pretty = format!("\n  {}", serde_json::to_string_pretty(&general).unwrap());
    env.rejects(&[], &pretty, "json serialization not supported");
}

#[test]
fn two_signatures_in_compact_form_are_malformed() {
    let env = ec_env();
    let one = es256(&fresh());
    let other = es256(&fresh());
    let second_sig = other.rsplit('.').next().unwrap();
    env.rejects(&[], &format!("{one}.{second_sig}"), "malformed token");
}

#[test]
fn ecdsa_signature_with_r_and_s_zero_is_rejected() {
    let env = ec_env();
    let header = json!({"alg": "ES256", "typ": "JWT", "kid": EC_KID});
    for sig in [vec![0u8; 64], vec![0u8; 0], vec![0u8; 1], vec![0xffu8; 64]] {
        let token = compact_raw(text(&header).as_bytes(), text(&fresh()).as_bytes(), |_| {
            sig.clone()
        });
        env.rejects(&[], &token, "bad signature");
    }
    // r = s = n (the group order) reduces to zero too.
    let n = hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    let token = compact_raw(text(&header).as_bytes(), text(&fresh()).as_bytes(), |_| {
        [n.clone(), n.clone()].concat()
    });
    env.rejects(&[], &token, "bad signature");
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn rs256_key_does_not_verify_a_ps256_token() {
    let env = TestEnv::with_store("rsa-store.json");
    let header = json!({"alg": "PS256", "typ": "JWT", "kid": RSA_KID});
    let token = forge(&header, &fresh(), Alg::Ps256, &rsa_key());
    env.rejects(&[], &token, "algorithm mismatch");
    // Without a kid, no key of the set accepts PS256 either: the RSA keys
    // there name another algorithm.
    let header = json!({"alg": "PS256", "typ": "JWT"});
    let token = forge(&header, &fresh(), Alg::Ps256, &rsa_key());
    env.rejects(&[], &token, "algorithm mismatch");
    // An EC key named by kid never verifies an RSA token.
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": EC_KID});
    let token = forge(&header, &fresh(), Alg::Rs256, &rsa_key());
    ec_env().rejects(&[], &token, "algorithm mismatch");
}

#[test]
fn a_key_without_alg_accepts_the_algorithms_of_its_type() {
    let env = TestEnv::new();
    let mut public = rsa_key().to_public();
    public.remove("alg");
    let jwks = env.jwks_file("jwks.json", &text(&json!({ "keys": [public] })));
    for alg in [Alg::Rs256, Alg::Ps256, Alg::Ps512] {
        let header = json!({"alg": alg.name(), "kid": RSA_KID});
        let token = forge(&header, &fresh(), alg, &rsa_key());
        env.accepts(&["--jwks", &jwks], &token, &fresh());
    }
}

#[test]
fn wrong_segment_counts_are_malformed() {
    let env = ec_env();
    let token = es256(&fresh());
    let parts: Vec<&str> = token.split('.').collect();
    for bad in [
        parts[0].to_owned(),
        format!("{}.{}", parts[0], parts[1]),
        format!("{}.{}.{}.{}", parts[0], parts[1], parts[2], parts[2]),
        format!("{}.{}.{}.{}.{}", parts[0], "", parts[1], "", parts[2]),
        format!("{token}."),
        format!(".{token}"),
        String::from(".."),
        String::from("."),
    ] {
        env.rejects(&[], &bad, "malformed token");
    }
}

#[test]
fn padding_and_characters_outside_base64url_are_malformed() {
    let env = ec_env();
    // A header whose base64url needs padding: {"alg":"ES256","kid":"..."} is
    // 72 bytes, so pick one of another length.
    let header = json!({"alg": "ES256", "kid": EC_KID, "typ": "J"});
    assert_ne!(text(&header).len() % 3, 0);
    let token = forge(&header, &fresh(), Alg::Es256, &ec_key());
    env.accepts(&[], &token, &fresh());
    let parts: Vec<&str> = token.split('.').collect();
    let padded = |i: usize| {
        let mut p: Vec<String> = parts.iter().map(|s| s.to_string()).collect();
        let pad = "=".repeat((4 - p[i].len() % 4) % 4).max("=".to_owned());
        p[i].push_str(&pad);
        p.join(".")
    };
    env.rejects(&[], &padded(0), "malformed token");
    env.rejects(&[], &padded(2), "malformed token");
    // Standard base64 instead of base64url (the signature is random, so
    // force one character of each alphabet's difference in).
    let std_sig = format!("+{}/", &parts[2][1..parts[2].len() - 1]);
    let swapped = format!("{}.{}.{std_sig}", parts[0], parts[1]);
    env.rejects(&[], &swapped, "malformed token");
    for c in ['+', '/', '*', ' ', '\u{e9}', '\t'] {
        let mut bad = token.clone();
        bad.insert(10, c);
        env.rejects(&[], &bad, "malformed token");
    }
}

#[test]
fn header_or_payload_not_a_json_object_is_malformed() {
    let env = ec_env();
    let key = ec_key();
    let signed = |header: &[u8], payload: &[u8]| {
        let signer = jwkctl::crypto::Signer::new(Alg::Es256, &key).unwrap();
        compact_raw(header, payload, |m| signer.sign(m).unwrap())
    };
    let good_header = text(&json!({"alg": "ES256", "kid": EC_KID}));
    let good_claims = text(&fresh());
    for header in ["\"ES256\"", "[\"ES256\"]", "null", "42", "", "{", "{}x"] {
        let token = signed(header.as_bytes(), good_claims.as_bytes());
        env.rejects(&[], &token, "malformed token");
    }
    for payload in [
        "\"alice\"",
        "[]",
        "null",
        "",
        "Example of Ed25519 signing",
        "{\"a\":1",
    ] {
        let token = signed(good_header.as_bytes(), payload.as_bytes());
        env.rejects(&[], &token, "malformed token");
    }
    // Not UTF-8.
    let token = signed(good_header.as_bytes(), b"{\"sub\":\"\xff\"}");
    env.rejects(&[], &token, "malformed token");
    // alg and kid of the wrong type, and no alg at all.
    for header in [
        json!({"alg": ["ES256"], "kid": EC_KID}),
        json!({"alg": "ES256", "kid": 7}),
        json!({"kid": EC_KID}),
    ] {
        let token = signed(text(&header).as_bytes(), good_claims.as_bytes());
        env.rejects(&[], &token, "malformed token");
    }
}

#[test]
fn duplicate_member_names_are_malformed() {
    let env = ec_env();
    let key = ec_key();
    let signer = jwkctl::crypto::Signer::new(Alg::Es256, &key).unwrap();
    let sign = |header: &str, payload: &str| {
        compact_raw(header.as_bytes(), payload.as_bytes(), |m| {
            signer.sign(m).unwrap()
        })
    };
    let header = format!(r#"{{"alg":"ES256","kid":"{EC_KID}"}}"#);
    let claims = format!(r#"{{"sub":"alice","exp":{}}}"#, NOW_UNIX + 60);
    env.accepts(
        &[],
        &sign(&header, &claims),
        &json!({"sub": "alice", "exp": NOW_UNIX + 60}),
    );
    for bad_header in [
        format!(r#"{{"alg":"ES256","kid":"{EC_KID}","alg":"ES256"}}"#),
        format!(r#"{{"alg":"ES256","kid":"{EC_KID}","kid":"other"}}"#),
        format!(r#"{{"alg":"ES256","\u0061lg":"none","kid":"{EC_KID}"}}"#),
    ] {
        env.rejects(&[], &sign(&bad_header, &claims), "malformed token");
    }
    for bad_claims in [
        format!(r#"{{"sub":"alice","sub":"admin","exp":{}}}"#, NOW_UNIX + 60),
        format!(r#"{{"sub":"alice","exp":{0},"exp":{0}}}"#, NOW_UNIX + 60),
        format!(
            r#"{{"sub":"alice","exp":{},"x":{{"a":1,"a":2}}}}"#,
            NOW_UNIX + 60
        ),
        format!(
            r#"{{"sub":"alice","exp":{},"x":[{{"a":1,"a":2}}]}}"#,
            NOW_UNIX + 60
        ),
    ] {
        env.rejects(&[], &sign(&header, &bad_claims), "malformed token");
    }
}

#[test]
fn unknown_kid_is_rejected() {
    let env = ec_env();
    let header = json!({"alg": "ES256", "typ": "JWT", "kid": "no-such-key"});
    let token = forge(&header, &fresh(), Alg::Es256, &ec_key());
    env.rejects(&[], &token, "unknown kid");
}

#[test]
fn a_bad_signature_is_rejected() {
    let env = ec_env();
    let token = es256(&fresh());
    let other = es256(&json!({"sub": "mallory", "iat": NOW_UNIX, "exp": NOW_UNIX + 3600}));
    let spliced = format!(
        "{}.{}",
        &token[..token.rfind('.').unwrap()],
        other.rsplit('.').next().unwrap()
    );
    env.rejects(&[], &spliced, "bad signature");
    // Another key, same kid.
    let stranger = jwkctl::crypto::generate(Alg::Es256, 0).unwrap();
    let header = json!({"alg": "ES256", "typ": "JWT", "kid": EC_KID});
    env.rejects(
        &[],
        &forge(&header, &fresh(), Alg::Es256, &stranger),
        "bad signature",
    );
}

#[test]
fn a_kid_less_token_is_tried_against_every_usable_key() {
    let env = TestEnv::new();
    let other_ec = jwkctl::crypto::generate(Alg::Es256, 0).unwrap();
    let set = [
        fixture_key("rsa-store.json", 0),
        other_ec.clone(),
        fixture_key("rsa-store-b.json", 0),
        ec_key(),
    ];
    let jwks = env.jwks_file("jwks.json", &jwks_of(&set));
    let args = ["--jwks", jwks.as_str()];
    let no_kid = |alg: Alg| json!({"alg": alg.name(), "typ": "JWT"});
    // Each key of the set verifies its own kid-less token, wherever it is.
    env.accepts(
        &args,
        &forge(&no_kid(Alg::Es256), &fresh(), Alg::Es256, &ec_key()),
        &fresh(),
    );
    env.accepts(
        &args,
        &forge(&no_kid(Alg::Es256), &fresh(), Alg::Es256, &other_ec),
        &fresh(),
    );
    env.accepts(
        &args,
        &forge(
            &no_kid(Alg::Rs256),
            &fresh(),
            Alg::Rs256,
            &fixture_key("rsa-store-b.json", 0),
        ),
        &fresh(),
    );
    // A key outside the set: every candidate fails.
    let stranger = jwkctl::crypto::generate(Alg::Es256, 0).unwrap();
    env.rejects(
        &args,
        &forge(&no_kid(Alg::Es256), &fresh(), Alg::Es256, &stranger),
        "bad signature",
    );
    // No key of the token's type at all.
    let ed = jwkctl::crypto::generate(Alg::EdDsa, 0).unwrap();
    env.rejects(
        &args,
        &forge(&no_kid(Alg::EdDsa), &fresh(), Alg::EdDsa, &ed),
        "no usable key",
    );
}

#[test]
fn two_keys_sharing_a_kid_are_told_apart_by_key_type() {
    let env = TestEnv::new();
    let mut ec = ec_key().to_public();
    let mut rsa = rsa_key().to_public();
    ec.insert("kid".into(), json!("shared"));
    rsa.insert("kid".into(), json!("shared"));
    for order in [json!([ec, rsa]), json!([rsa, ec])] {
        let jwks = env.jwks_file("jwks.json", &text(&json!({ "keys": order })));
        let args = ["--jwks", jwks.as_str()];
        let es = forge(
            &json!({"alg": "ES256", "kid": "shared"}),
            &fresh(),
            Alg::Es256,
            &ec_key(),
        );
        let rs = forge(
            &json!({"alg": "RS256", "kid": "shared"}),
            &fresh(),
            Alg::Rs256,
            &rsa_key(),
        );
        env.accepts(&args, &es, &fresh());
        env.accepts(&args, &rs, &fresh());
        let ed = jwkctl::crypto::generate(Alg::EdDsa, 0).unwrap();
        let eddsa = forge(
            &json!({"alg": "EdDSA", "kid": "shared"}),
            &fresh(),
            Alg::EdDsa,
            &ed,
        );
        env.rejects(&args, &eddsa, "algorithm mismatch");
    }
}
