//! Cases about signatures and algorithms: tokens whose signature does not
//! hold, and algorithms a verifier must refuse or hold each key to.

use anyhow::{Result, anyhow};
use serde_json::{Value, json};

use super::{Cases, KitKey, Setup, header, json_bytes, parts, sibling_alg, signed, signing_input};
use crate::alg::Alg;
use crate::b64::{b64, unb64};
use crate::crypto;
use crate::error::Reject;

/// The valid token changed, stripped or re-signed, and tokens from keys
/// that are not the kit's.
pub(super) fn tampered(kit: &Setup, valid: &str, cases: &mut Cases) -> Result<()> {
    let (h, p, s) = parts(valid)?;
    let mut bad = unb64(s).ok_or_else(|| anyhow!("internal error: signature"))?;
    let middle = bad.len() / 2;
    if let Some(byte) = bad.get_mut(middle) {
        *byte ^= 0x01;
    }
    cases.add(
        "bad-signature",
        Some(Reject::BadSignature),
        "the valid token with one bit of its signature flipped",
        format!("{h}.{p}.{}", b64(&bad)),
    );
    let tampered = kit.claims.with("admin", &[]);
    cases.add(
        "tampered-payload",
        Some(Reject::BadSignature),
        "the valid token's payload changed (sub \"admin\") under its original signature",
        format!("{h}.{}.{s}", b64(&json_bytes(&tampered)?)),
    );
    cases.add(
        "signature-stripped",
        Some(Reject::BadSignature),
        "the valid token with an empty signature: an empty signature is never a valid one",
        format!("{h}.{p}."),
    );
    cases.add(
        "signed-by-another-key",
        Some(Reject::BadSignature),
        "the kit key's kid, signed by another key of the same type: a valid signature, by the wrong key",
        signed(
            &kit.key.header(),
            &kit.claims.base("signed-by-another-key"),
            &kit.other_signer,
        )?,
    );
    cases.add(
        "no-kid-signed-by-another-key",
        Some(Reject::BadSignature),
        "no kid, signed by another key: every key of the set is tried and none verifies",
        signed(
            &header(kit.key.alg.name(), None),
            &kit.claims.base("no-kid-signed-by-another-key"),
            &kit.other_signer,
        )?,
    );
    cases.add(
        "unknown-kid",
        Some(Reject::UnknownKid),
        "signed by a key that is not in the set, naming its own kid",
        signed(
            &kit.other.header(),
            &kit.claims.base("unknown-kid"),
            &kit.other_signer,
        )?,
    );
    {
        let mut hdr = kit.key.header();
        hdr.insert("kid".into(), json!(12345));
        cases.add(
            "kid-not-string",
            Some(Reject::Malformed),
            "kid as a number (RFC 7515 §4.1.4: a string)",
            signed(&hdr, &kit.claims.base("kid-not-string"), &kit.signer)?,
        );
    }
    Ok(())
}

/// Algorithms: none, HMAC keyed with the public key, case, and a key used
/// under an algorithm other than its own.
pub(super) fn algorithms(kit: &Setup, cases: &mut Cases) -> Result<()> {
    let unsigned = |alg: &str, name: &str| -> Result<String> {
        let input = signing_input(
            &json_bytes(&header(alg, Some(&kit.key.kid)))?,
            &json_bytes(&kit.claims.base(name))?,
        );
        Ok(format!("{input}."))
    };
    cases.add(
        "alg-none",
        Some(Reject::AlgNotAllowed),
        "alg none with no signature (RFC 7518 §3.6): an unsecured JWT must never pass as a signed one",
        unsigned("none", "alg-none")?,
    );
    cases.add(
        "alg-none-uppercase",
        Some(Reject::AlgNotAllowed),
        "alg NONE: a check for exactly \"none\" misses it; accept only the algorithms the key is for",
        unsigned("NONE", "alg-none-uppercase")?,
    );
    let hmac = |name: &str, secret: &[u8]| -> Result<String> {
        let input = signing_input(
            &json_bytes(&header("HS256", Some(&kit.key.kid)))?,
            &json_bytes(&kit.claims.base(name))?,
        );
        let mac = crypto::hmac_sha256(secret, input.as_bytes())?;
        Ok(format!("{input}.{}", b64(&mac)))
    };
    let public_jwk = kit.key.jwk.to_public();
    cases.add(
        "hmac-public-key-pem",
        Some(Reject::AlgNotAllowed),
        "HS256 keyed with the kit key's public PEM: algorithm confusion, a verifier using the token's alg with its public key",
        hmac("hmac-public-key-pem", &crypto::to_pem(&kit.key.jwk, false)?)?,
    );
    cases.add(
        "hmac-public-key-jwk",
        Some(Reject::AlgNotAllowed),
        "HS256 keyed with the kit key's public JWK as jwks.json holds it: the same confusion",
        hmac(
            "hmac-public-key-jwk",
            &serde_json::to_vec(&Value::Object(public_jwk.clone()))?,
        )?,
    );
    {
        // The algorithm names are case-sensitive (RFC 7515 §4.1.1).
        let lower = kit.key.alg.name().to_lowercase();
        cases.add(
            "alg-lowercase",
            Some(Reject::AlgNotAllowed),
            "the key's algorithm in lower case, signed with it (RFC 7515 §4.1.1: names are case-sensitive)",
            signed(
                &header(&lower, Some(&kit.key.kid)),
                &kit.claims.base("alg-lowercase"),
                &kit.signer,
            )?,
        );
    }
    let mismatch = match sibling_alg(kit.key.alg) {
        // The kit key itself under another algorithm: a verifier that does
        // not hold each key to its own alg accepts this signature.
        Some(alg) => signed(
            &header(alg.name(), Some(&kit.key.kid)),
            &kit.claims.base("alg-mismatch"),
            &kit.key.signer(alg)?,
        )?,
        // A key of another type claiming the kit key's kid.
        None => {
            let foreign = if kit.key.alg == Alg::EdDsa {
                Alg::Es256
            } else {
                Alg::EdDsa
            };
            let foreign = KitKey::generate(foreign)?;
            signed(
                &header(foreign.alg.name(), Some(&kit.key.kid)),
                &kit.claims.base("alg-mismatch"),
                &foreign.signer(foreign.alg)?,
            )?
        }
    };
    cases.add(
        "alg-mismatch",
        Some(Reject::AlgMismatch),
        "the kit key's kid with an algorithm other than the key's alg (RFC 7517 §4.4): key and algorithm confusion",
        mismatch,
    );
    Ok(())
}
