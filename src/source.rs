//! Where `verify` gets its keys: a JWK Set or JWK file, a URL, or the store.

use std::path::Path;

use anyhow::{Result, anyhow, bail};

use crate::context::Ctx;
use crate::fsio;
use crate::keyset::KeySet;
use crate::storefile;

/// A key source larger than this is not a JWK Set anyone publishes.
pub const MAX_SOURCE_BYTES: u64 = 1 << 20;

pub fn load(source: Option<&str>, ctx: &Ctx) -> Result<KeySet> {
    let Some(source) = source else {
        let store = storefile::load(ctx)?;
        let order = store.ordered(ctx.now);
        return Ok(KeySet::from_jwks(
            order.into_iter().map(|i| store.keys[i].jwk.clone()),
        ));
    };
    if source.starts_with("https://") || source.starts_with("http://") {
        bail!(
            "{source}: fetching a JWK Set from a URL is not supported yet (download it and pass the file to --jwks)"
        );
    }
    let bytes = fsio::read(Path::new(source), Some(MAX_SOURCE_BYTES))?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        bail!(
            "{source}: larger than 1 MiB, which no JWK Set needs (check that this is the right file)"
        );
    }
    KeySet::parse(&bytes)
        .map_err(|e| anyhow!("{source}: {e:#} (pass a JWK Set file or a single JWK)"))
}
