//! `inspect`: decode a token for a person, verifying nothing, and say so.

use std::io::{self, Read};

use anyhow::{Result, anyhow, bail};
use serde_json::{Map, Value, json};

use crate::cli::InspectArgs;
use crate::clock::{self, Time};
use crate::context::Ctx;
use crate::error::Outcome;
use crate::jwk::unb64;
use crate::output::Output;
use crate::token::{MAX_TOKEN_BYTES, strict_object};

const HINT: &str = "inspect takes a compact JWS: HEADER.PAYLOAD.SIGNATURE";

pub fn run(args: &InspectArgs, ctx: &Ctx, out: &mut Output) -> Result<Outcome> {
    let text = match args.token.as_deref() {
        Some(token) if token != "-" => token.to_owned(),
        _ => read_stdin()?,
    };
    let (header, claims) = decode(text.trim())?;
    // Not a status line: -q must not hide that nothing was checked.
    out.error(
        "warning: NOT verified: the token was only decoded, its signature and claims were not checked (use 'jwkctl verify')",
    );
    out.error(format_args!("times: {}", times(&claims, ctx.now)));
    out.data(json!({ "header": header, "claims": claims }))?;
    Ok(Outcome::Done)
}

fn read_stdin() -> Result<String> {
    let mut bytes = Vec::new();
    io::stdin()
        .lock()
        .take(MAX_TOKEN_BYTES as u64 + 64)
        .read_to_end(&mut bytes)
        .map_err(|e| anyhow!("cannot read the token from stdin: {e}"))?;
    if bytes.trim_ascii().len() > MAX_TOKEN_BYTES {
        bail!("the token is larger than 1 MiB, which no JWT needs (nothing was decoded)");
    }
    String::from_utf8(bytes).map_err(|_| anyhow!("malformed token: not UTF-8 text ({HINT})"))
}

/// Splits and decodes a compact JWS, saying which part is wrong.
fn decode(token: &str) -> Result<(Map<String, Value>, Map<String, Value>)> {
    if token.len() > MAX_TOKEN_BYTES {
        bail!("the token is larger than 1 MiB, which no JWT needs (nothing was decoded)");
    }
    if token.starts_with('{') {
        bail!("malformed token: this is JSON serialization, not a compact JWS ({HINT})");
    }
    let parts: Vec<&str> = token.split('.').collect();
    match parts.len() {
        3 => {}
        5 => bail!(
            "malformed token: 5 parts, which is an encrypted token (JWE); jwkctl cannot decrypt it ({HINT})"
        ),
        1 => bail!("malformed token: no '.' in it, expected 3 parts ({HINT})"),
        n => bail!("malformed token: {n} parts separated by '.', not 3 ({HINT})"),
    }
    let segment = |i: usize, name: &str| -> Result<Map<String, Value>> {
        let bytes = unb64(parts[i])
            .ok_or_else(|| anyhow!("malformed token: the {name} is not base64url ({HINT})"))?;
        strict_object(&bytes).ok_or_else(|| {
            anyhow!(
                "malformed token: the {name} is not a JSON object (or repeats a member name) ({HINT})"
            )
        })
    };
    let header = segment(0, "header")?;
    let claims = segment(1, "payload")?;
    if unb64(parts[2]).is_none() {
        bail!("malformed token: the signature is not base64url ({HINT})");
    }
    Ok((header, claims))
}

/// `iat ..., nbf ... (valid), exp ... (expired), now ...`: the times a person
/// checks first, judged at `now` without leeway (exp equal to now is
/// expired, nbf equal to now is valid, as in RFC 7519).
fn times(claims: &Map<String, Value>, now: Time) -> String {
    let now_secs = clock::unix_f64(now);
    let mut parts = Vec::new();
    for name in ["iat", "nbf", "exp"] {
        let Some(value) = claims.get(name) else {
            if name == "exp" {
                parts.push("no exp (never expires)".to_owned());
            }
            continue;
        };
        let at = value
            .as_f64()
            .and_then(|secs| Some((secs, clock::from_unix(secs)?)));
        let Some((secs, at)) = at else {
            // Untrusted: JSON-escaped, and not a megabyte of it.
            let shown = value.to_string();
            let shown = if shown.len() > 40 { "value" } else { &shown };
            parts.push(format!("{name} {shown} (not a NumericDate)"));
            continue;
        };
        let note = match name {
            "nbf" if now_secs < secs => " (not yet valid)",
            "nbf" => " (valid)",
            "exp" if now_secs >= secs => " (expired)",
            "exp" => " (not expired)",
            _ => "",
        };
        parts.push(format!("{name} {}{note}", clock::format(at)));
    }
    parts.push(format!("now {}", clock::format(now)));
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn times_are_judged_at_now() {
        let now = clock::parse_time("2026-01-02T03:04:05Z").unwrap();
        let t = clock::unix_secs(now);
        assert_eq!(
            times(&claims(json!({"iat": t - 10, "exp": t})), now),
            "iat 2026-01-02T03:03:55Z, exp 2026-01-02T03:04:05Z (expired), now 2026-01-02T03:04:05Z"
        );
        assert_eq!(
            times(&claims(json!({"nbf": t, "exp": t as f64 + 0.5})), now),
            "nbf 2026-01-02T03:04:05Z (valid), exp 2026-01-02T03:04:05Z (not expired), now 2026-01-02T03:04:05Z"
        );
        assert_eq!(
            times(&claims(json!({"nbf": t + 1, "exp": "soon"})), now),
            "nbf 2026-01-02T03:04:06Z (not yet valid), exp \"soon\" (not a NumericDate), now 2026-01-02T03:04:05Z"
        );
        assert_eq!(
            times(&claims(json!({})), now),
            "no exp (never expires), now 2026-01-02T03:04:05Z"
        );
    }
}
