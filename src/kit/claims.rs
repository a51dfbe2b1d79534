//! Cases about the claims: times, audience and issuer (RFC 7519 §4.1).

use std::time::Duration;

use anyhow::Result;
use serde_json::{Value, json};

use super::{Cases, OTHER_AUD, OTHER_ISS, Setup, compact, json_bytes, other_than};
use crate::clock::{self, Time};
use crate::error::Reject;

/// A time as a NumericDate claim value.
fn numeric(t: Time) -> Option<Value> {
    Some(Value::from(clock::unix_secs(t)))
}

/// Times (RFC 7519 §4.1.4, §4.1.5), far beyond any leeway.
pub(super) fn times(kit: &Setup, cases: &mut Cases) -> Result<()> {
    let hour = Duration::from_secs(3600);
    cases.add(
        "expired",
        Some(Reject::Expired),
        "exp an hour in the past (RFC 7519 §4.1.4: reject on or after exp)",
        kit.by_kit(
            "expired",
            &[
                ("iat", numeric(clock::sub(kit.now, 2 * hour))),
                ("exp", numeric(clock::sub(kit.now, hour))),
            ],
        )?,
    );
    let nbf = clock::add(kit.end, hour)?;
    cases.add(
        "not-yet-valid",
        Some(Reject::NotYetValid),
        "nbf an hour after the kit's lifetime ends (RFC 7519 §4.1.5: reject before nbf)",
        kit.by_kit(
            "not-yet-valid",
            &[
                ("nbf", numeric(nbf)),
                ("exp", numeric(clock::add(nbf, kit.opts.ttl)?)),
            ],
        )?,
    );
    cases.add(
        "missing-exp",
        Some(Reject::MissingClaim("exp".into())),
        "no exp: a token that never expires; a verifier must demand exp",
        kit.by_kit("missing-exp", &[("exp", None)])?,
    );
    cases.add(
        "exp-string",
        Some(Reject::InvalidClaim("exp".into())),
        "exp as a string, not a NumericDate (RFC 7519 §2): loose typing compares text or skips the check",
        kit.by_kit(
            "exp-string",
            &[("exp", Some(kit.claims.exp.to_string().into()))],
        )?,
    );
    cases.add(
        "nbf-string",
        Some(Reject::InvalidClaim("nbf".into())),
        "nbf as a string in the future, not a NumericDate (RFC 7519 §4.1.5)",
        kit.by_kit(
            "nbf-string",
            &[("nbf", Some(clock::unix_secs(nbf).to_string().into()))],
        )?,
    );
    cases.add(
        "iat-string",
        Some(Reject::InvalidClaim("iat".into())),
        "iat as a string, not a NumericDate (RFC 7519 §4.1.6)",
        kit.by_kit(
            "iat-string",
            &[("iat", Some(kit.claims.iat.to_string().into()))],
        )?,
    );
    Ok(())
}

/// Audience (RFC 7519 §4.1.3).
pub(super) fn audience(kit: &Setup, cases: &mut Cases) -> Result<()> {
    let other_aud = other_than(&kit.opts.aud, OTHER_AUD);
    let another_aud = other_than(&kit.opts.aud, &format!("{other_aud}-2"));
    cases.add(
        "wrong-aud",
        Some(Reject::Audience),
        "aud names another service (RFC 7519 §4.1.3): a token for one API replayed at another",
        kit.by_kit("wrong-aud", &[("aud", Some(other_aud.as_str().into()))])?,
    );
    cases.add(
        "aud-list-without-ours",
        Some(Reject::Audience),
        "aud is a list of other audiences (RFC 7519 §4.1.3: one of them must be ours)",
        kit.by_kit(
            "aud-list-without-ours",
            &[("aud", Some(json!([other_aud, another_aud])))],
        )?,
    );
    cases.add(
        "missing-aud",
        Some(Reject::MissingClaim("aud".into())),
        "no aud: a verifier that has an audience must demand it, or accepts tokens meant for anyone",
        kit.by_kit("missing-aud", &[("aud", None)])?,
    );
    cases.add(
        "aud-number",
        Some(Reject::InvalidClaim("aud".into())),
        "aud as a number, neither a string nor an array of strings (RFC 7519 §4.1.3)",
        kit.by_kit("aud-number", &[("aud", Some(json!(12345)))])?,
    );
    Ok(())
}

/// Issuer (RFC 7519 §4.1.1).
pub(super) fn issuer(kit: &Setup, cases: &mut Cases) -> Result<()> {
    let other_iss = other_than(&kit.opts.iss, OTHER_ISS);
    cases.add(
        "wrong-iss",
        Some(Reject::Issuer),
        "iss names another issuer (RFC 7519 §4.1.1): a token from someone else's identity provider",
        kit.by_kit("wrong-iss", &[("iss", Some(other_iss.as_str().into()))])?,
    );
    cases.add(
        "iss-prefix",
        Some(Reject::Issuer),
        "iss is the expected issuer with more after it: catches prefix and substring comparisons",
        kit.by_kit(
            "iss-prefix",
            &[(
                "iss",
                Some(format!("{}.attacker.example", kit.opts.iss).into()),
            )],
        )?,
    );
    cases.add(
        "missing-iss",
        Some(Reject::MissingClaim("iss".into())),
        "no iss: a verifier that has an issuer must demand it",
        kit.by_kit("missing-iss", &[("iss", None)])?,
    );
    cases.add(
        "iss-array",
        Some(Reject::InvalidClaim("iss".into())),
        "iss as an array holding the expected issuer (RFC 7519 §4.1.1: a string): catches loose comparisons",
        kit.by_kit("iss-array", &[("iss", Some(json!([kit.opts.iss])))])?,
    );
    {
        // The expected iss first and another last: a parser that keeps the
        // first sees the right issuer, one that keeps the last (as
        // JavaScript's JSON.parse does) a wrong one. serde_json cannot hold
        // both, so the second member is appended to its output.
        let mut payload = json_bytes(&kit.claims.base("duplicate-iss"))?;
        payload.pop();
        payload.extend_from_slice(b",\"iss\":");
        payload.extend_from_slice(&serde_json::to_vec(&other_iss)?);
        payload.push(b'}');
        cases.add(
            "duplicate-iss",
            Some(Reject::Malformed),
            "two iss members, the expected one first (RFC 7519 §4: reject, or use the last): a parser keeping the first is fooled",
            compact(&json_bytes(&kit.key.header())?, &payload, &kit.signer)?,
        );
    }
    Ok(())
}
