//! `inspect`: decode a token for a person, verifying nothing, and say so.

use anyhow::{Result, anyhow};
use serde::Serialize;
use serde_json::value::RawValue;

use crate::claims::Claims;
use crate::cli::InspectArgs;
use crate::clock::{self, Time};
use crate::context::Ctx;
use crate::error::Outcome;
use crate::input::{self, InputError};
use crate::output::Output;
use crate::token::{self, Malformed};
use crate::verify;

const HINT: &str = "inspect takes a compact JWS: HEADER.PAYLOAD.SIGNATURE";

pub fn run(args: &InspectArgs, ctx: &Ctx, out: &mut Output) -> Result<Outcome> {
    let stdin;
    let bytes = match args.token.as_deref() {
        Some(token) if token != "-" => token.as_encoded_bytes(),
        _ => {
            stdin = input::read_stdin(input::TOKEN).map_err(|e| match e {
                InputError::TooLarge { .. } => anyhow!(explain(Malformed::TooLarge)),
                e => anyhow!(e),
            })?;
            &stdin
        }
    };
    // Kept as text: a tree of a 1 MiB token of tiny values costs many
    // times its size.
    let decoded = token::text(bytes)
        .and_then(token::decode)
        .map_err(|m| anyhow!(explain(m)))?;
    let claims: Claims = serde_json::from_str(decoded.claims.get())?;
    // Not a status line: -q must not hide that nothing was checked.
    out.error(
        "warning: NOT verified: the token was only decoded, its signature and claims were not checked (use 'jwkctl verify')",
    );
    out.error(format_args!("times: {}", times(&claims, ctx.now)));
    #[derive(Serialize)]
    struct Shown<'a> {
        header: &'a RawValue,
        claims: &'a RawValue,
    }
    let shown = Shown {
        header: &decoded.header,
        claims: &decoded.claims,
    };
    out.data(serde_json::to_string(&shown)?)?;
    Ok(Outcome::Done)
}

/// What is wrong with the token, for a person, with what inspect takes.
fn explain(m: Malformed) -> String {
    if m == Malformed::TooLarge {
        return "the token is larger than 1 MiB, which no JWT needs (nothing was decoded)".into();
    }
    let what = verify::describe(m)
        .unwrap_or_else(|| "this is JSON serialization, not a compact JWS".into());
    format!("malformed token: {what} ({HINT})")
}

/// `iat ..., nbf ... (valid), exp ... (expired), now ...`: the times a person
/// checks first, judged at `now` without leeway (exp equal to now is
/// expired, nbf equal to now is valid, as in RFC 7519).
fn times(claims: &Claims, now: Time) -> String {
    let now_secs = clock::unix_f64(now);
    let mut parts = Vec::new();
    for name in ["iat", "nbf", "exp"] {
        let Some(value) = claims.get(name) else {
            if name == "exp" {
                parts.push("no exp (never expires)".to_owned());
            }
            continue;
        };
        let at = serde_json::from_str::<f64>(value.get())
            .ok()
            .and_then(|secs| Some((secs, clock::from_unix(secs)?)));
        let Some((secs, at)) = at else {
            // Untrusted: JSON-escaped (compact text), and not a megabyte of it.
            let shown = value.get();
            let shown = if shown.len() > 40 { "value" } else { shown };
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
    use serde_json::{Value, json};

    fn claims(v: Value) -> Claims {
        serde_json::from_str(&v.to_string()).unwrap()
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
