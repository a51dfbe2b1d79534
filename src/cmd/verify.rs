use std::io::{self, BufRead};

use anyhow::{Result, anyhow, bail};
use serde_json::{Value, json};

use crate::claims::Checks;
use crate::cli::VerifyArgs;
use crate::context::Ctx;
use crate::error::{Outcome, Reject, Rejection, is_broken_pipe};
use crate::input::{self, InputError};
use crate::keyset::KeySet;
use crate::output::Output;
use crate::parallel;
use crate::source;
use crate::token;
use crate::verify::{self, Policy, verify_detailed};

pub fn run(args: &VerifyArgs, ctx: &Ctx, out: &mut Output) -> Result<Outcome> {
    let keys = &source::load(args.jwks.as_deref(), ctx, args.ca_file.as_deref())?;
    let origin = args
        .jwks
        .as_deref()
        .map_or("the key store".into(), |s| s.to_string_lossy());
    let origin = &*origin;
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
        if let Some(arg) = &args.token {
            bail!(
                "--batch takes no TOKEN argument (got {:?}): it reads tokens from stdin, one per line (run 'jwkctl verify --batch < FILE')",
                arg.to_string_lossy()
            );
        }
        let outcome = batch(keys, &policy, ctx, out);
        report_skipped(keys.skipped_on_use(), origin, out);
        return outcome;
    }
    let input = match args.token.as_deref() {
        Some(token) if token != "-" => to_input(token.as_encoded_bytes()).ok_or_else(|| {
            anyhow!("no token: the TOKEN argument is blank (pass the token itself, or - to read it from stdin)")
        })?,
        _ => read_one()?.ok_or_else(|| {
            anyhow!("no token: stdin is empty or blank (pipe a token in, or pass it as an argument: jwkctl verify TOKEN)")
        })?,
    };
    let result = match input {
        Input::Token(token) => verify_detailed(&token, keys, &policy, ctx.now),
        Input::Rejected(rejection) => Err(rejection),
    };
    report_skipped(keys.skipped_on_use(), origin, out);
    match result {
        Ok(claims) => {
            out.data(Value::Object(claims))?;
            Ok(Outcome::Done)
        }
        Err(rejection) => {
            out.error(format_args!("invalid token: {rejection}"));
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
    Rejected(Rejection),
}

/// Reads the one token on stdin; more than 1 MiB is rejected unread.
/// `None`: there is no token at all.
fn read_one() -> Result<Option<Input>> {
    match input::read_stdin(input::TOKEN) {
        Ok(bytes) => Ok(to_input(&bytes)),
        Err(InputError::TooLarge { .. }) => Ok(Some(Input::Rejected(Reject::TooLarge.into()))),
        Err(e) => Err(e.into()),
    }
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
    // (A JSON serialization spans lines too, and has its own REASON.)
    if !trimmed.starts_with(b"{")
        && trimmed
            .split(|&b| b == b'\n')
            .filter(|line| !line.trim_ascii().is_empty())
            .nth(1)
            .is_some()
    {
        return Some(Input::Rejected(Reject::SeveralTokens.into()));
    }
    Some(match token::text(trimmed) {
        Ok(text) => Input::Token(text.to_owned()),
        Err(m) => Input::Rejected(verify::malformed(m)),
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
/// memory stays flat however long the input is. Each result names its line
/// (counting the blank ones it skips), so a script can tell which failed.
fn batch(keys: &KeySet, policy: &Policy, ctx: &Ctx, out: &mut Output) -> Result<Outcome> {
    let mut stdin = io::stdin().lock();
    let mut outcome = Outcome::Done;
    let mut chunk: Vec<(u64, Input)> = Vec::with_capacity(parallel::CHUNK);
    let mut line_no = 0;
    let mut any = false;
    // The bytes of tokens the chunk holds: long tokens make short chunks,
    // so memory stays near two tokens' cap, not 1,024 times it.
    let mut held = 0;
    loop {
        line_no += 1;
        let (input, more) = read_line_bounded(&mut stdin)?;
        if let Some(input) = input {
            any = true;
            if let Input::Token(token) = &input {
                held += token.len();
            }
            chunk.push((line_no, input));
        }
        let full = chunk.len() == parallel::CHUNK || held as u64 >= input::TOKEN.cap;
        if full || (!more && !chunk.is_empty()) {
            held = 0;
            let results = parallel::map(&chunk, |(_, input)| match input {
                Input::Token(token) => verify_detailed(token, keys, policy, ctx.now),
                Input::Rejected(rejection) => Err(rejection.clone()),
            });
            // Every token of the chunk was read: a rejected one counts even
            // when stdout closes before its line is written.
            if results.iter().any(Result::is_err) {
                outcome = Outcome::Rejected;
            }
            for ((line, _), result) in chunk.iter().zip(results) {
                let line = match result {
                    Ok(claims) => json!({ "line": line, "valid": true, "claims": claims }),
                    Err(Rejection { reason, detail }) => {
                        let mut result =
                            json!({ "line": line, "valid": false, "error": reason.to_string() });
                        // Only when there is one, as on stderr.
                        if let Some(detail) = detail {
                            result["detail"] = detail.into();
                        }
                        result
                    }
                };
                match out.data(line) {
                    // `verify --batch | head -n1`: stop reading, and exit 0
                    // only if every token read so far was valid.
                    Err(e) if is_broken_pipe(&e) => return Ok(outcome),
                    result => result?,
                }
            }
            chunk.clear();
        }
        if !more {
            // An empty input is not a batch of valid tokens: a CI job fed
            // an empty file must not pass.
            if !any {
                bail!(
                    "no token: stdin holds no token (pipe tokens in, one per line: jwkctl verify --batch < FILE)"
                );
            }
            return Ok(outcome);
        }
    }
}

/// Reads one line without ever holding more than a token's cap of it: the
/// token on it (`None` for a blank line), and false at the end of input.
fn read_line_bounded(stdin: &mut impl BufRead) -> Result<(Option<Input>, bool)> {
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
        if (line.len() + take) as u64 > input::TOKEN.cap {
            too_long = true;
        } else {
            line.extend_from_slice(&buf[..take]);
        }
        stdin.consume(take + usize::from(end));
        if end {
            return Ok((to_batch_input(&line, too_long), true));
        }
    }
    Ok((to_batch_input(&line, too_long), false))
}

fn to_batch_input(line: &[u8], too_long: bool) -> Option<Input> {
    if too_long {
        Some(Input::Rejected(Reject::TooLarge.into()))
    } else {
        to_input(line)
    }
}
