//! Where `verify` gets its keys: a JWK Set or JWK file, a URL, or the store.

use std::path::Path;

use anyhow::{Result, anyhow, bail};

use crate::context::Ctx;
use crate::fetch;
use crate::input;
use crate::keyset::KeySet;
use crate::storefile;

/// A key source larger than this is not a JWK Set anyone publishes.
pub const MAX_SOURCE_BYTES: u64 = input::JWKS.cap;

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
        let store = storefile::load_or(
            ctx,
            "pass the issuer's public keys with --jwks FILE|URL, or point -k/JWKCTL_KEYS at a key store",
        )?;
        let order = store.ordered(ctx.now);
        return Ok(KeySet::from_jwks(
            order.into_iter().map(|i| store.keys[i].jwk.clone()),
        ));
    };
    if fetch::is_url(source) {
        let bytes = fetch::fetch(source, ctx.fetch_timeout, ca_file)?;
        return KeySet::parse(&bytes)
            .map_err(|e| anyhow!("{source}: {e:#} (check that the URL serves the JWK Set)"));
    }
    if source.contains("://") {
        bail!(
            "{source}: only https:// URLs (http:// for loopback hosts) and files are key sources"
        );
    }
    let bytes = input::read_file(Path::new(source), input::JWKS)?;
    KeySet::parse(&bytes)
        .map_err(|e| anyhow!("{source}: {e:#} (pass a JWK Set file or a single JWK)"))
}
