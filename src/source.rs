//! Where `verify` gets its keys: a JWK Set or JWK file, a URL, or the store.

use std::path::Path;

use anyhow::{Result, anyhow, bail};

use crate::backend;
use crate::context::Ctx;
use crate::fetch;
use crate::fsio;
use crate::keyset::KeySet;

/// A key source larger than this is not a JWK Set anyone publishes.
pub const MAX_SOURCE_BYTES: u64 = 1 << 20;

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
    let bytes = fsio::read(Path::new(source), Some(MAX_SOURCE_BYTES), "--jwks")?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        bail!(
            "{source}: larger than 1 MiB, which no JWK Set needs (check that this is the right file)"
        );
    }
    KeySet::parse(&bytes)
        .map_err(|e| anyhow!("{source}: {e:#} (pass a JWK Set file or a single JWK)"))
}
