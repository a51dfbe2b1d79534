use std::io::{self, BufRead, Read};

use anyhow::{Result, anyhow};
use serde_json::{Value, json};

use crate::claims::Checks;
use crate::cli::VerifyArgs;
use crate::context::Ctx;
use crate::error::{Outcome, Reject};
use crate::keyset::KeySet;
use crate::output::Output;
use crate::parallel;
use crate::source;
use crate::token::MAX_TOKEN_BYTES;
use crate::verify::{Policy, verify};

pub fn run(args: &VerifyArgs, ctx: &Ctx, out: &mut Output) -> Result<Outcome> {
    let keys = &source::load(args.jwks.as_deref(), ctx, args.ca_file.as_deref())?;
    let origin = args.jwks.as_deref().unwrap_or("the key store");
    report_skipped(keys.skipped(), origin, out);
    let policy = Policy {
        algs: args.alg.clone(),
        checks: Checks {
            leeway: args.leeway,
            require_exp: !args.allow_no_exp,
            iss: args.iss.clone(),
            sub: args.sub.clone(),
            aud: args.aud.clone(),
            require: args.require.clone(),
        },
    };
    if args.batch {
        let outcome = batch(keys, &policy, ctx, out);
        report_skipped(keys.skipped_on_use(), origin, out);
        return outcome;
    }
    let input = match args.token.as_deref() {
        Some(token) if token != "-" => to_input(token.as_encoded_bytes()).ok_or_else(|| {
            anyhow!("no token: the TOKEN argument is blank (pass the token itself, or - to read it from stdin)")
        })?,
        _ => read_one(io::stdin().lock())?.ok_or_else(|| {
            anyhow!("no token: stdin is empty or blank (pipe a token in, or pass it as an argument: jwkctl verify TOKEN)")
        })?,
    };
    let result = match input {
        Input::Token(token) => verify(&token, keys, &policy, ctx.now),
        Input::Rejected(reject) => Err(reject),
    };
    report_skipped(keys.skipped_on_use(), origin, out);
    match result {
        Ok(claims) => {
            out.data(Value::Object(claims))?;
            Ok(Outcome::Done)
        }
        Err(reject) => {
            out.error(format_args!("invalid token: {reject}"));
            Ok(Outcome::Rejected)
        }
    }
}

fn report_skipped<'a>(
    skipped: impl Iterator<Item = (usize, Option<&'a str>, &'a str)>,
    origin: &str,
    out: &mut Output,
) {
    for (i, kid, why) in skipped {
        let kid = kid.map(|k| format!(" (kid {k:?})")).unwrap_or_default();
        out.status(format_args!(
            "skipping key {}{kid} of {origin}: {why}",
            i + 1
        ));
    }
}

enum Input {
    Token(String),
    Rejected(Reject),
}

/// Reads the one token on stdin: surrounding whitespace (a trailing LF or
/// CRLF) is not part of it, and more than 1 MiB is rejected unread. `None`:
/// there is no token at all.
fn read_one(stdin: impl Read) -> Result<Option<Input>> {
    let mut bytes = Vec::new();
    // Room for a maximal token plus whitespace and "Bearer " around it.
    stdin
        .take(MAX_TOKEN_BYTES as u64 + 64)
        .read_to_end(&mut bytes)
        .map_err(|e| anyhow!("cannot read the token from stdin: {e}"))?;
    Ok(to_input(&bytes))
}

/// One token as given: surrounding whitespace and a leading `Bearer ` (any
/// case, as copied from an Authorization header) are not part of it.
/// `None` when nothing is left.
fn to_input(bytes: &[u8]) -> Option<Input> {
    let mut trimmed = bytes.trim_ascii();
    if let Some(rest) = strip_bearer(trimmed) {
        trimmed = rest.trim_ascii_start();
    }
    if trimmed.is_empty() {
        return None;
    }
    if trimmed.len() > MAX_TOKEN_BYTES {
        return Some(Input::Rejected(Reject::TooLarge));
    }
    // (A JSON serialization spans lines too, and has its own REASON.)
    if !trimmed.starts_with(b"{")
        && trimmed
            .split(|&b| b == b'\n')
            .filter(|line| !line.trim_ascii().is_empty())
            .nth(1)
            .is_some()
    {
        return Some(Input::Rejected(Reject::SeveralTokens));
    }
    Some(match std::str::from_utf8(trimmed) {
        Ok(text) => Input::Token(text.to_owned()),
        Err(_) => Input::Rejected(Reject::Malformed),
    })
}

/// What follows a leading `Bearer` and whitespace, if the input starts so.
fn strip_bearer(bytes: &[u8]) -> Option<&[u8]> {
    const BEARER: &[u8] = b"bearer";
    let (word, rest) = bytes.split_at_checked(BEARER.len())?;
    // `Bearer` alone (already trimmed) leaves nothing: no token.
    (word.eq_ignore_ascii_case(BEARER) && rest.first().is_none_or(|&b| b == b' ' || b == b'\t'))
        .then_some(rest)
}

/// `--batch`: one token per line, results in input order, in chunks so that
/// memory stays flat however long the input is.
fn batch(keys: &KeySet, policy: &Policy, ctx: &Ctx, out: &mut Output) -> Result<Outcome> {
    let mut stdin = io::stdin().lock();
    let mut outcome = Outcome::Done;
    let mut chunk = Vec::with_capacity(parallel::CHUNK);
    loop {
        let more = read_line_bounded(&mut stdin, &mut chunk)?;
        if chunk.len() == parallel::CHUNK || (!more && !chunk.is_empty()) {
            let results = parallel::map(&chunk, |input| match input {
                Input::Token(token) => verify(token, keys, policy, ctx.now),
                Input::Rejected(reject) => Err(reject.clone()),
            });
            for result in results {
                let line = match result {
                    Ok(claims) => json!({ "valid": true, "claims": claims }),
                    Err(reject) => {
                        outcome = Outcome::Rejected;
                        json!({ "valid": false, "error": reject.to_string() })
                    }
                };
                out.data(line)?;
            }
            chunk.clear();
        }
        if !more {
            return Ok(outcome);
        }
    }
}

/// Reads one line into `chunk` (skipping blank ones) without ever holding
/// more than 1 MiB of it. Returns false at the end of input.
fn read_line_bounded(stdin: &mut impl BufRead, chunk: &mut Vec<Input>) -> Result<bool> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let buf = stdin
            .fill_buf()
            .map_err(|e| anyhow!("cannot read tokens from stdin: {e}"))?;
        if buf.is_empty() {
            break;
        }
        let (take, end) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i, true),
            None => (buf.len(), false),
        };
        if line.len() + take > MAX_TOKEN_BYTES + 64 {
            too_long = true;
        } else {
            line.extend_from_slice(&buf[..take]);
        }
        stdin.consume(take + usize::from(end));
        if end {
            push(chunk, &line, too_long);
            return Ok(true);
        }
    }
    push(chunk, &line, too_long);
    Ok(false)
}

fn push(chunk: &mut Vec<Input>, line: &[u8], too_long: bool) {
    if too_long {
        chunk.push(Input::Rejected(Reject::TooLarge));
    } else if let Some(input) = to_input(line) {
        chunk.push(input);
    }
}
