use std::io::Read;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Map, Value};

use crate::backend;
use crate::claims::{self, Request};
use crate::cli::SignArgs;
use crate::clock;
use crate::context::Ctx;
use crate::crypto::Signer;
use crate::error::Outcome;
use crate::fsio;
use crate::jwk::b64;
use crate::output::Output;
use crate::parallel;
use crate::store::{State, Unselected};
use crate::token;

/// `--ttl` when not given (CLI.md: 1h).
const DEFAULT_TTL: Duration = Duration::from_secs(3600);

pub fn run(args: &SignArgs, ctx: &Ctx, out: &mut Output) -> Result<Outcome> {
    let store = backend::load(ctx)?;
    // A store that allows less than an hour still signs with plain `sign`.
    let ttl = args.ttl.unwrap_or(DEFAULT_TTL.min(store.max_ttl));
    if ttl > store.max_ttl {
        bail!(
            "--ttl {} is longer than this store's max token lifetime {} (shorten --ttl, or raise the limit with 'jwkctl rotate --max-ttl')",
            clock::show_duration(ttl),
            clock::show_duration(store.max_ttl)
        );
    }
    if ttl.is_zero() {
        bail!("--ttl must be longer than 0s (like 15m or 1h)");
    }
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
    let key = &store.keys[index];
    let signer = Signer::new(key.alg, &key.jwk)
        .with_context(|| format!("key {:?} cannot sign", key.kid()))?;
    let mut header = Map::new();
    header.insert("alg".into(), key.alg.name().into());
    header.insert("typ".into(), "JWT".into());
    header.insert("kid".into(), key.kid().into());

    let request = Request {
        base: match &args.claims {
            Some(source) => read_claims(source)?,
            None => Map::new(),
        },
        sub: args.sub.clone(),
        iss: args.iss.clone(),
        aud: args.aud.clone(),
        nbf: args.nbf,
        extra: args
            .claim
            .iter()
            .map(|c| claims::parse_claim(c))
            .collect::<Result<_>>()?,
        ttl,
    };
    let claims = request.build(ctx.now)?;

    let sign_one = |_: &u64| -> Result<String> {
        if !args.jti {
            return token::encode(&header, &claims, &signer);
        }
        // A fresh id for every token.
        let mut claims = claims.clone();
        claims.insert("jti".into(), Value::from(b64(&rand::random::<[u8; 16]>())));
        token::encode(&header, &claims, &signer)
    };
    let mut done = 0;
    while done < args.count {
        let batch: Vec<u64> = (done..args.count.min(done + parallel::CHUNK as u64)).collect();
        for token in parallel::map(&batch, sign_one) {
            out.data(token?)?;
        }
        done += batch.len() as u64;
    }
    Ok(Outcome::Done)
}

/// `--claims JSON|@FILE|-`.
fn read_claims(source: &str) -> Result<Map<String, Value>> {
    if source == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| anyhow!("--claims -: cannot read stdin: {e}"))?;
        claims::parse_claims_object(&text, "--claims -")
    } else if let Some(file) = source.strip_prefix('@') {
        let bytes = fsio::read(Path::new(file), None, "--claims")?;
        let text = String::from_utf8(bytes).map_err(|_| anyhow!("{file}: not UTF-8 text"))?;
        claims::parse_claims_object(&text, file)
    } else {
        claims::parse_claims_object(source, "--claims")
    }
}
