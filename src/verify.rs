//! The whole verification of one token: shape, header, key and signature,
//! then claims. Every "no" is a [`Reject`]; nothing here is an I/O error.

use serde_json::{Map, Value};

use crate::alg::Alg;
use crate::claims::Checks;
use crate::clock::Time;
use crate::error::Reject;
use crate::keyset::KeySet;
use crate::token;

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
    let parsed = token::parse(token)?;
    let alg = match parsed.header.get("alg") {
        Some(Value::String(name)) => Alg::from_name(name).ok_or(Reject::AlgNotAllowed)?,
        _ => return Err(Reject::Malformed),
    };
    if !policy.algs.is_empty() && !policy.algs.contains(&alg) {
        return Err(Reject::AlgNotAllowed);
    }
    if let Some(name) = KEY_HEADERS
        .into_iter()
        .find(|h| parsed.header.contains_key(*h))
    {
        return Err(Reject::UntrustedHeader(name));
    }
    if parsed.header.contains_key("crit") {
        return Err(Reject::Crit);
    }
    if parsed
        .header
        .get("b64")
        .is_some_and(|b| b != &Value::Bool(true))
    {
        return Err(Reject::Unencoded);
    }
    keys.verify(&parsed, alg)?;
    policy.checks.check(&parsed.claims, now)?;
    Ok(parsed.claims)
}
