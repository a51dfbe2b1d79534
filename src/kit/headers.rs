//! Cases about the header: members that bring their own key (RFC 7515
//! §4.1.2-§4.1.6), crit, and serializations JWTs do not use.

use anyhow::Result;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::{Cases, Setup, parts, signed};
use crate::crypto;
use crate::error::Reject;

/// Headers a verifier must not trust or must refuse to understand.
pub(super) fn untrusted(kit: &Setup, cases: &mut Cases) -> Result<()> {
    // Headers that bring their own key, signed by the unpublished key they
    // point at.
    let key_header = |member: &str, value: Value| -> Result<String> {
        let mut hdr = kit.other.header();
        hdr.insert(member.into(), value);
        signed(
            &hdr,
            &kit.claims.base(&format!("{member}-header")),
            &kit.other_signer,
        )
    };
    let jwk_token = key_header("jwk", Value::Object(kit.other.jwk.to_public()))?;
    let jku_token = key_header("jku", "https://attacker.example/jwks.json".into())?;
    let x5u_token = key_header("x5u", "https://attacker.example/cert.pem".into())?;
    let certificate =
        crypto::self_signed_certificate(&kit.other.jwk, "attacker.example", kit.claims.iat - 3600)?;
    let x5c_token = key_header("x5c", json!([STANDARD.encode(certificate)]))?;
    cases.add(
        "jwk-header",
        Some(Reject::UntrustedHeader("jwk")),
        "the token carries its own public key in jwk and is signed by it: keys come from the verifier's set, never the token",
        jwk_token,
    );
    cases.add(
        "jku-header",
        Some(Reject::UntrustedHeader("jku")),
        "jku points at the attacker's JWK Set: a verifier must not fetch keys from a URL the token names",
        jku_token,
    );
    cases.add(
        "x5u-header",
        Some(Reject::UntrustedHeader("x5u")),
        "x5u points at the attacker's certificate: a verifier must not fetch keys from a URL the token names",
        x5u_token,
    );
    cases.add(
        "x5c-header",
        Some(Reject::UntrustedHeader("x5c")),
        "x5c carries a self-signed certificate of the signing key: the token brings its own key",
        x5c_token,
    );
    {
        let mut hdr = kit.key.header();
        hdr.insert("crit".into(), json!(["urn:example:must-understand"]));
        hdr.insert("urn:example:must-understand".into(), Value::Bool(true));
        cases.add(
            "crit-header",
            Some(Reject::Crit),
            "crit names an extension the verifier does not know (RFC 7515 §4.1.11: it must reject)",
            signed(&hdr, &kit.claims.base("crit-header"), &kit.signer)?,
        );
    }
    {
        // RFC 7797 §6 has b64 listed in crit. The payload part is base64url
        // text, so the signed bytes are those of a normal token; under
        // b64 false that text itself would be the payload.
        let mut hdr = kit.key.header();
        hdr.insert("b64".into(), Value::Bool(false));
        hdr.insert("crit".into(), json!(["b64"]));
        cases.add(
            "b64-false",
            Some(Reject::Crit),
            "an unencoded payload (RFC 7797, b64 false listed in crit): JWTs never use it, and crit must be understood",
            signed(&hdr, &kit.claims.base("b64-false"), &kit.signer)?,
        );
    }
    {
        let token = kit.by_kit("json-serialization", &[])?;
        let (h, p, s) = parts(&token)?;
        let flattened = json!({"protected": h, "payload": p, "signature": s});
        cases.add(
            "json-serialization",
            Some(Reject::JsonSerialization),
            "a validly signed flattened JWS JSON serialization: JWTs use the compact form only (RFC 7519 §1)",
            flattened.to_string(),
        );
        cases.add(
            "missing-signature-part",
            Some(Reject::Malformed),
            "header.payload with no third part (RFC 7515 §7.1: three parts)",
            format!("{h}.{p}"),
        );
    }
    Ok(())
}
