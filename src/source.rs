//! Where `verify` gets its keys: a JWK Set or JWK file, a URL, or the store.

use std::path::Path;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};

use crate::backend;
use crate::context::Ctx;
use crate::fetch;
use crate::freshness;
use crate::input;
use crate::keyset::KeySet;

/// Loads the keys once per run (`--batch` included). `ca_file` applies to
/// an `https://` source only.
pub fn load(source: Option<&str>, ctx: &Ctx, ca_file: Option<&Path>) -> Result<KeySet> {
    if let Some(ca) = ca_file
        && !source.is_some_and(fetch::is_url)
    {
        bail!(
            "--ca-file {}: only applies when --jwks is an https:// URL (drop --ca-file)",
            ca.display()
        );
    }
    let Some(source) = source else {
        let store = backend::load_or(
            ctx,
            "pass the issuer's public keys with --jwks FILE|URL, or point -k/JWKCTL_KEYS at a key store",
        )?;
        let order = store.ordered(ctx.now);
        return Ok(KeySet::from_jwks(
            order.into_iter().map(|i| store.keys[i].jwk.clone()),
        ));
    };
    let bytes = read(source, ctx, ca_file, "--jwks")?;
    KeySet::parse(&bytes).map_err(|e| {
        if fetch::is_url(source) {
            anyhow!("{source}: {e:#} (check that the URL serves the JWK Set)")
        } else {
            anyhow!("{source}: {e:#} (pass a JWK Set file or a single JWK)")
        }
    })
}

/// The bytes of a file or URL key source, under the rules and limits of
/// `verify --jwks` (also used by `check --published`). `role` names the
/// option in messages about a file.
pub fn read(
    source: &str,
    ctx: &Ctx,
    ca_file: Option<&Path>,
    role: &'static str,
) -> Result<Vec<u8>> {
    if fetch::is_url(source) {
        return fetch::fetch(source, ctx.fetch_timeout, ca_file);
    }
    if source.contains("://") {
        bail!(
            "{source}: only https:// URLs (http:// for loopback hosts) and files are key sources"
        );
    }
    let kind = input::Kind {
        role,
        ..input::JWKS
    };
    Ok(input::read_file(Path::new(source), kind)?)
}

/// [`read`], with the freshness lifetime the source announces: a URL's from
/// its answer's headers ([`freshness::lifetime`]), a file's 0.
pub fn read_fresh(
    source: &str,
    ctx: &Ctx,
    ca_file: Option<&Path>,
    role: &'static str,
) -> Result<(Vec<u8>, Duration)> {
    if fetch::is_url(source) {
        let answer = fetch::fetch_answer(source, ctx.fetch_timeout, ca_file)?;
        let lifetime = freshness::lifetime(&answer.headers, answer.fetched);
        return Ok((answer.body, lifetime));
    }
    Ok((read(source, ctx, ca_file, role)?, Duration::ZERO))
}
