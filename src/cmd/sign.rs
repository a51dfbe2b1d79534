use std::borrow::Cow;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Map;

use crate::b64::b64;
use crate::backend;
use crate::claims::{self, Claims, Request, When};
use crate::cli::SignArgs;
use crate::clock;
use crate::context::Ctx;
use crate::crypto;
use crate::error::Outcome;
use crate::input;
use crate::output::Output;
use crate::signing::TokenSigner;
use crate::store::{KeyStore, State, Unselected};

/// `--ttl` when not given (CLI.md: 1h).
const DEFAULT_TTL: Duration = Duration::from_secs(3600);

pub fn run(args: &SignArgs, ctx: &Ctx, out: &mut Output) -> Result<Outcome> {
    let store = backend::load(ctx)?;
    let exp = match args.exp {
        Some(exp) => {
            let latest = clock::add(ctx.now, store.max_ttl)?;
            if exp > latest {
                bail!(
                    "--exp {} is later than now + this store's max token lifetime {} ({}) (choose an earlier --exp, or raise the limit with 'jwkctl rotate --max-ttl')",
                    clock::format(exp),
                    clock::show_duration(store.max_ttl),
                    clock::format(latest)
                );
            }
            When::At(exp)
        }
        None => When::After(ttl(args, &store)?),
    };
    let index = match store.select(args.kid.as_deref(), ctx.now) {
        Ok((_, State::Retired)) => bail!(
            "key {:?} is retired and no longer signs (sign with the active key: drop --kid)",
            args.kid.as_deref().unwrap_or_default()
        ),
        Ok((i, _)) => i,
        Err(Unselected::NoActiveKey) => bail!(
            "{}: no key signs now (add one with 'jwkctl rotate')",
            ctx.keys.display()
        ),
        Err(Unselected::UnknownKid) => bail!(
            "{}: no key with kid {:?} (see 'jwkctl list')",
            ctx.keys.display(),
            args.kid.as_deref().unwrap_or_default()
        ),
    };
    // The key that signs gets the full check (point, and the pairing of
    // its halves): a read checks only every key's members.
    let key = store.checked_key(index).map_err(|e| {
        anyhow!(
            "{}: not a valid key store: {e:#} (fix the store, or restore it from a backup)",
            ctx.keys.display()
        )
    })?;
    let signer = TokenSigner::new((&ctx.store).into(), key)
        .with_context(|| format!("key {:?} cannot sign", key.kid()))?;
    let mut header = Map::new();
    header.insert("alg".into(), key.alg.name().into());
    header.insert("typ".into(), "JWT".into());
    header.insert("kid".into(), key.kid().into());

    let mut request = Request {
        base: match &args.claims {
            Some(source) => read_claims(source)?,
            None => Claims::default(),
        },
        sub: args.sub.clone(),
        iss: args.iss.clone(),
        aud: args.aud.clone(),
        iat: args.iat,
        exp,
        nbf: args.nbf,
        extra: args
            .claim
            .iter()
            .map(|c| claims::parse_claim(c))
            .collect::<Result<_>>()?,
    };
    let overridden = request.overridden(args.jti);
    let claims = request.build(ctx.now)?;
    if !overridden.is_empty() {
        out.status(override_note(&overridden));
    }

    // The header and, without --jti, the claims are the same in every
    // token: they are serialized and encoded once, and every token signs
    // that one signing input.
    let header = serde_json::to_vec(&header)?;
    let fixed = (!args.jti)
        .then(|| serde_json::to_vec(&claims).map(|claims| crypto::signing_input(&header, &claims)))
        .transpose()?;
    let input = |_: &u64| -> Result<Cow<'_, str>> {
        if let Some(input) = &fixed {
            return Ok(Cow::Borrowed(input));
        }
        // A fresh id for every token.
        let mut claims = claims.clone();
        claims.set("jti", b64(&rand::random::<[u8; 16]>()))?;
        Ok(Cow::Owned(crypto::signing_input(
            &header,
            &serde_json::to_vec(&claims)?,
        )))
    };
    signer.sign_each(args.count, input, |token| out.data(token))?;
    Ok(Outcome::Done)
}

/// The one note naming the registered claims of --claim/--claims that
/// sign replaced by its own.
fn override_note(names: &[&str]) -> String {
    let list = match names {
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
        [] => String::new(),
    };
    let hints: Vec<&str> = names
        .iter()
        .map(|name| match *name {
            "iat" => "set iat with --iat TIME",
            "exp" => "set exp with --exp TIME or --ttl",
            "nbf" => "set nbf with --nbf",
            _ => "drop --jti to keep your jti",
        })
        .collect();
    format!(
        "the {list} given by --claim/--claims {} replaced by what sign sets ({})",
        if names.len() == 1 { "was" } else { "were" },
        hints.join("; ")
    )
}

/// `--ttl`, or its default: 1h, or the store's max token lifetime when
/// that is shorter, so such a store still signs with plain `sign`.
fn ttl(args: &SignArgs, store: &KeyStore) -> Result<Duration> {
    let ttl = args.ttl.unwrap_or(DEFAULT_TTL.min(store.max_ttl));
    if ttl > store.max_ttl {
        bail!(
            "--ttl {} is longer than this store's max token lifetime {} (shorten --ttl, or raise the limit with 'jwkctl rotate --max-ttl')",
            clock::show_duration(ttl),
            clock::show_duration(store.max_ttl)
        );
    }
    // NumericDates are whole seconds: a shorter lifetime could give a
    // token whose exp equals its iat, expired when it is made.
    if ttl < Duration::from_secs(1) {
        bail!(
            "--ttl {} is under 1s, and token times are whole seconds (use at least 1s, like 15m or 1h)",
            clock::show_duration(ttl)
        );
    }
    Ok(ttl)
}

/// `--claims JSON|@FILE|-`.
/// FILE may be any path (bytes, as the system takes it); inline JSON is
/// text.
fn read_claims(given: &OsStr) -> Result<Claims> {
    let shown;
    let (bytes, name) = if given == "-" {
        (input::read_stdin(input::CLAIMS)?, "--claims -")
    } else if let Some(file) = given.as_encoded_bytes().strip_prefix(b"@") {
        // On Unix a path is any bytes: what follows '@' is the file as given.
        let file = Path::new(OsStr::from_bytes(file));
        shown = file.display().to_string();
        (input::read_file(file, input::CLAIMS)?, shown.as_str())
    } else {
        let Some(source) = given.to_str() else {
            bail!("--claims: not UTF-8 text (pass a JSON object, @FILE or -)");
        };
        // An argument: the OS caps it (128 KiB on Linux).
        return claims::parse_claims_object(source, "--claims");
    };
    let text = String::from_utf8(bytes).map_err(|_| anyhow!("{name}: not UTF-8 text"))?;
    claims::parse_claims_object(&text, name)
}
