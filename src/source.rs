//! Where `verify` gets its keys: a JWK Set or JWK file, a URL, or the store.

use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};

use crate::backend::{self, Store};
use crate::fetch;
use crate::freshness;
use crate::input;
use crate::jwk::Jwk;
use crate::keyset::KeySet;

/// The URL a source names, if it is one: a file's name may be any bytes,
/// a URL is text.
fn url(source: &OsStr) -> Option<&str> {
    source.to_str().filter(|s| fetch::is_url(s))
}

/// Loads the keys once per run (`--batch` included). `ca_file` applies to
/// an `https://` source only.
pub fn load(
    source: Option<&OsStr>,
    store: &impl AsRef<Store>,
    ca_file: Option<&Path>,
) -> Result<KeySet> {
    let store = store.as_ref();
    if let Some(ca) = ca_file
        && source.and_then(url).is_none()
    {
        bail!(
            "--ca-file {}: only applies when --jwks is an https:// URL (drop --ca-file)",
            ca.display()
        );
    }
    let Some(source) = source else {
        let now = store.clock.start;
        let store = backend::load_or(
            store,
            "pass the issuer's public keys with --jwks FILE|URL, or point -k/JWKCTL_KEYS at a key store",
        )?;
        let order = store.ordered(now);
        // Moved, not copied: a key can carry megabytes of members.
        let mut keys: Vec<Option<Jwk>> = store.keys.into_iter().map(|k| Some(k.jwk)).collect();
        return Ok(KeySet::from_jwks(
            order.into_iter().filter_map(|i| keys[i].take()),
        ));
    };
    let bytes = read(source, store, ca_file, "--jwks")?;
    let shown = source.display();
    KeySet::parse(bytes).map_err(|e| {
        if url(source).is_some() {
            anyhow!("{shown}: {e:#} (check that the URL serves the JWK Set)")
        } else {
            anyhow!("{shown}: {e:#} (pass a JWK Set file or a single JWK)")
        }
    })
}

/// The bytes of a file or URL key source, under the rules and limits of
/// `verify --jwks` (also used by `check --published`). `role` names the
/// option in messages about a file.
pub fn read(
    source: impl AsRef<OsStr>,
    store: &impl AsRef<Store>,
    ca_file: Option<&Path>,
    role: &'static str,
) -> Result<Vec<u8>> {
    let source = source.as_ref();
    if let Some(url) = url(source) {
        return fetch::fetch(url, store.as_ref().net_timeout, ca_file);
    }
    if source.as_encoded_bytes().windows(3).any(|w| w == b"://") {
        bail!(
            "{}: only https:// URLs (http:// for loopback hosts) and files are key sources",
            source.display()
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
    source: impl AsRef<OsStr>,
    store: &impl AsRef<Store>,
    ca_file: Option<&Path>,
    role: &'static str,
) -> Result<(Vec<u8>, Duration)> {
    let source = source.as_ref();
    if let Some(url) = url(source) {
        let answer = fetch::fetch_answer(url, store.as_ref().net_timeout, ca_file)?;
        let lifetime = freshness::lifetime(&answer.headers, answer.fetched);
        return Ok((answer.body, lifetime));
    }
    Ok((read(source, store, ca_file, role)?, Duration::ZERO))
}
