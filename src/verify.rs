//! The whole verification of one token: shape, header, key and signature,
//! then claims. Every "no" is a [`Reject`]; nothing here is an I/O error.

use serde_json::{Map, Value};

use crate::alg::Alg;
use crate::claims::Checks;
use crate::clock::Time;
use crate::error::{Reject, Rejection, quote};
use crate::keyset::KeySet;
use crate::token::{self, Malformed};

/// Header members that would let the token choose its own key.
const KEY_HEADERS: [&str; 4] = ["jwk", "jku", "x5u", "x5c"];

#[derive(Clone, Debug, Default)]
pub struct Policy {
    /// `--alg`: when not empty, only these algorithms are accepted.
    pub algs: Vec<Alg>,
    pub checks: Checks,
}

/// Verifies a compact JWS and returns its claims.
pub fn verify(
    token: &str,
    keys: &KeySet,
    policy: &Policy,
    now: Time,
) -> Result<Map<String, Value>, Reject> {
    verify_detailed(token, keys, policy, now).map_err(|r| r.reason)
}

/// [`verify`], saying what exactly was wrong where the REASON alone would
/// leave a person guessing.
pub fn verify_detailed(
    token: &str,
    keys: &KeySet,
    policy: &Policy,
    now: Time,
) -> Result<Map<String, Value>, Rejection> {
    let parsed = token::parse(token).map_err(malformed)?;
    let alg = match parsed.header.get("alg") {
        Some(Value::String(name)) => Alg::from_name(name).ok_or_else(|| {
            Rejection::with(
                Reject::AlgNotAllowed,
                format!("the token's alg {} is never accepted", quote(name)),
            )
        })?,
        Some(_) => return Err(header_malformed("alg is not a string")),
        None => return Err(header_malformed("has no alg")),
    };
    if !policy.algs.is_empty() && !policy.algs.contains(&alg) {
        return Err(Rejection::with(
            Reject::AlgNotAllowed,
            format!("the token's alg {} is not one of --alg", alg.name()),
        ));
    }
    if let Some(name) = KEY_HEADERS
        .into_iter()
        .find(|h| parsed.header.contains_key(*h))
    {
        return Err(Reject::UntrustedHeader(name).into());
    }
    if parsed.header.contains_key("crit") {
        return Err(Reject::Crit.into());
    }
    if parsed
        .header
        .get("b64")
        .is_some_and(|b| b != &Value::Bool(true))
    {
        return Err(Reject::Unencoded.into());
    }
    let kid = match parsed.header.get("kid") {
        None => None,
        Some(Value::String(kid)) => Some(kid.as_str()),
        Some(_) => return Err(header_malformed("kid is not a string")),
    };
    keys.verify(&parsed, alg)
        .map_err(|reason| match (reason, kid) {
            (Reject::UnknownKid, Some(kid)) => {
                Rejection::with(Reject::UnknownKid, format!("no key has kid {}", quote(kid)))
            }
            (reason, _) => reason.into(),
        })?;
    policy
        .checks
        .check(&parsed.claims, now)
        .map_err(|reason| match reason {
            Reject::Audience => audience(&parsed.claims, &policy.checks.aud),
            reason => reason.into(),
        })?;
    Ok(parsed.claims)
}

/// What is wrong with a text that is not a compact JWS, for a person
/// (`inspect` says the same). `None` where the REASON says it all.
pub fn describe(m: Malformed) -> Option<String> {
    Some(match m {
        Malformed::TooLarge | Malformed::JsonSerialization => return None,
        Malformed::NotUtf8 => "not UTF-8 text".into(),
        Malformed::Encrypted => {
            "5 parts, which is an encrypted token (JWE); jwkctl cannot decrypt it".into()
        }
        Malformed::Parts(1) => "no '.' in it, expected 3 parts".into(),
        Malformed::Parts(n) => format!("{n} parts separated by '.', not 3"),
        Malformed::NotBase64(part) => format!("the {} is not base64url", part.name()),
        Malformed::NotJson(part) => format!("the {} is not JSON", part.name()),
        Malformed::NotObject(part) => format!("the {} is not a JSON object", part.name()),
        Malformed::DuplicateName(part) => format!("the {} repeats a member name", part.name()),
    })
}

/// A text that is not a compact JWS, with what is wrong with it.
pub fn malformed(m: Malformed) -> Rejection {
    Rejection {
        reason: m.into(),
        detail: describe(m),
    }
}

fn header_malformed(what: &str) -> Rejection {
    Rejection::with(Reject::Malformed, format!("the header's {what}"))
}

/// `audience mismatch`, with the audiences on both sides: a token that has
/// an `aud` needs `--aud` naming one of them, which is easy to miss.
fn audience(claims: &Map<String, Value>, wanted: &[String]) -> Rejection {
    let theirs = match claims.get("aud") {
        Some(Value::String(one)) => quote(one),
        Some(Value::Array(many)) => many
            .iter()
            .take(3)
            .map(|a| quote(a.as_str().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(", "),
        _ => String::new(),
    };
    let more = match claims.get("aud") {
        Some(Value::Array(many)) if many.len() > 3 => ", ...",
        _ => "",
    };
    let detail = if wanted.is_empty() {
        format!(
            "the token has aud {theirs}{more} and no --aud was given: name this verifier's audience with --aud"
        )
    } else {
        let wanted: Vec<String> = wanted.iter().map(|w| quote(w)).collect();
        format!(
            "the token has aud {theirs}{more}, not --aud {}",
            wanted.join(", ")
        )
    };
    Rejection::with(Reject::Audience, detail)
}
