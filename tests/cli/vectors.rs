//! Published test vectors: RFC 7515 A.2 (RS256) and A.3 (ES256), RFC 8037
//! A.4 (Ed25519), checked through the binary with the RFCs' own keys.

use crate::util::*;

/// RFC 7515 A.2.1: RS256 over the A.1 payload, 2048-bit key of A.2.
const RFC7515_A2: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

/// RFC 7515 A.3.1: ES256 over the same payload.
const RFC7515_A3: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

/// RFC 8037 A.4: EdDSA over "Example of Ed25519 signing" with the A.1 key.
const RFC8037_A4: &str = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

/// RFC 8037 A.3: the thumbprint of the A.1 key.
const RFC8037_KID: &str = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";

/// The A.1 payload of RFC 7515, as verify prints it.
const JOE: &str = r#"{"iss":"joe","exp":1300819380,"http://example.com/is_root":true}"#;
/// 2011-03-22T18:00:00Z, 43 minutes before the vectors' exp.
const BEFORE_EXP: &str = "2011-03-22T18:00:00Z";

fn vector_env() -> TestEnv {
    let env = TestEnv::new();
    for name in [
        "rfc7515-a2.jwk.json",
        "rfc7515-a3.jwk.json",
        "rfc8037-a1.jwk.json",
    ] {
        env.write(name, &fixture(name));
    }
    env
}

#[test]
fn rfc7515_a2_rs256() {
    let env = vector_env();
    let jwks = ["--jwks", "rfc7515-a2.jwk.json"];
    env.jwkctl()
        .arg("verify")
        .args(jwks)
        .args(["--now", BEFORE_EXP, RFC7515_A2])
        .assert()
        .code(0)
        .stdout(format!("{JOE}\n"))
        .stderr("");
    // Its exp is in 2011: at the pinned 2026 clock it has long expired.
    env.rejects(&jwks, RFC7515_A2, "expired");
    // The leeway boundary, in the vector's own time.
    env.rejects(
        &[jwks[0], jwks[1], "--now", "1300819440"],
        RFC7515_A2,
        "expired",
    );
    env.jwkctl()
        .arg("verify")
        .args(jwks)
        .args(["--now", "1300819439", RFC7515_A2])
        .assert()
        .code(0)
        .stdout(format!("{JOE}\n"));
    // The A.3 key is no RSA key.
    env.rejects(
        &["--jwks", "rfc7515-a3.jwk.json", "--now", BEFORE_EXP],
        RFC7515_A2,
        "no usable key",
    );
}

#[test]
fn rfc7515_a3_es256() {
    let env = vector_env();
    env.jwkctl()
        .args([
            "verify",
            "--jwks",
            "rfc7515-a3.jwk.json",
            "--now",
            BEFORE_EXP,
            RFC7515_A3,
        ])
        .assert()
        .code(0)
        .stdout(format!("{JOE}\n"))
        .stderr("");
    env.rejects(&["--jwks", "rfc7515-a3.jwk.json"], RFC7515_A3, "expired");
    // Both keys in one set: each vector finds its key by type.
    let set = format!(
        r#"{{"keys":[{},{}]}}"#,
        fixture("rfc7515-a3.jwk.json"),
        fixture("rfc7515-a2.jwk.json")
    );
    env.write("both.json", &set);
    env.jwkctl()
        .args([
            "verify",
            "--jwks",
            "both.json",
            "--now",
            BEFORE_EXP,
            "--batch",
        ])
        .write_stdin(format!("{RFC7515_A2}\n{RFC7515_A3}\n"))
        .assert()
        .code(0)
        .stdout(format!(
            "{{\"line\":1,\"valid\":true,\"claims\":{JOE}}}\n{{\"line\":2,\"valid\":true,\"claims\":{JOE}}}\n"
        ))
        .stderr("");
    // One changed bit in the signature.
    let mut tampered = RFC7515_A3.to_owned();
    tampered.replace_range(tampered.len() - 3..tampered.len() - 2, "V");
    assert_ne!(tampered, RFC7515_A3);
    env.rejects(
        &["--jwks", "both.json", "--now", BEFORE_EXP],
        &tampered,
        "bad signature",
    );
}

/// The RFC 8037 A.4 payload is not a JSON object, so as a JWT it is
/// malformed: verify must say so and not look at the key. The signature
/// itself is checked against the RFC through jwkctl's verifier, and the
/// key signs exactly as another implementation (Node.js) does.
#[test]
fn rfc8037_a4_ed25519() {
    let env = vector_env();
    env.rejects(
        &["--jwks", "rfc8037-a1.jwk.json"],
        RFC8037_A4,
        "malformed token",
    );

    let map = serde_json::from_str(&fixture("rfc8037-a1.jwk.json")).unwrap();
    let key = Jwk::from_map(map);
    let verifier = jwkctl::crypto::Verifier::new(Alg::EdDsa, &key).unwrap();
    let (input, signature) = RFC8037_A4.rsplit_once('.').unwrap();
    assert!(verifier.verify(input.as_bytes(), &unb64(signature)));
    assert!(!verifier.verify(
        b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmC",
        &unb64(signature)
    ));
    // Ed25519 is deterministic: jwkctl's signer reproduces the RFC's bytes.
    let signer = jwkctl::crypto::Signer::new(Alg::EdDsa, &key).unwrap();
    assert_eq!(b64(&signer.sign(input.as_bytes()).unwrap()), signature);
}

#[test]
fn rfc8037_key_as_a_store_signs_deterministically() {
    let env = TestEnv::with_store("rfc8037-store.json");
    // Adopted without bookkeeping: kid = the RFC 8037 A.3 thumbprint.
    env.jwkctl()
        .arg("jwks")
        .assert()
        .code(0)
        .stdout(format!(
            "{{\"keys\":[{{\"kty\":\"OKP\",\"kid\":\"{RFC8037_KID}\",\"alg\":\"EdDSA\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}}]}}\n"
        ))
        .stderr("");
    // The same token Node.js's crypto.sign makes with this key.
    let expected = "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCIsImtpZCI6ImtQcktfcW14VldhWVZBOXd3QkY2SXVvM3ZWeno3VHhIQ1R3WEJ5Z3JTNGsifQ.eyJzdWIiOiJyZmM4MDM3IiwiaWF0IjoxNzY3MzIzMDQ1LCJleHAiOjE3NjczMjY2NDV9.GanxIs13nkXknaJlTTwH7X6lGOgXs96ijjMBX8b1HjOetjpydkHWt4pcKyKQuMv5D1QPdsXSSa6FcFy_4frwDw";
    env.jwkctl()
        .args(["sign", "--sub", "rfc8037"])
        .assert()
        .code(0)
        .stdout(format!("{expected}\n"))
        .stderr("");
    let claims = json!({"sub": "rfc8037", "iat": NOW_UNIX, "exp": NOW_UNIX + 3600});
    env.accepts(&[], expected, &claims);
    // The RFC's JWK has no kid: a key that cannot be named is a candidate
    // for any kid, so it verifies the token too.
    let env = vector_env();
    env.accepts(&["--jwks", "rfc8037-a1.jwk.json"], expected, &claims);
    let mut jwk: serde_json::Value = serde_json::from_str(&fixture("rfc8037-a1.jwk.json")).unwrap();
    jwk["kid"] = json!(RFC8037_KID);
    env.write("with-kid.json", &text(&jwk));
    env.accepts(&["--jwks", "with-kid.json"], expected, &claims);
}
