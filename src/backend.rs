//! Where the key store lives: a file (`storefile`) or a secret of an
//! OpenBao/Vault KV version 2 engine (`vault`). Commands call [`load`],
//! [`update`] and [`create`] and never know which of the two they have;
//! both apply the same pure `KeyStore` transitions.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::clock::Time;
use crate::context::Ctx;
use crate::store::KeyStore;
use crate::storefile;
use crate::vault;

/// What `-k`/`JWKCTL_KEYS` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    File(PathBuf),
    Vault(vault::Location),
}

impl Location {
    /// `vault:MOUNT/PATH`, else a file path (`./vault:x` names such a file).
    pub fn parse(text: &str) -> Result<Location, String> {
        match text.strip_prefix(vault::SCHEME) {
            Some(rest) => vault::Location::parse(rest).map(Location::Vault),
            None => Ok(Location::File(PathBuf::from(text))),
        }
    }

    /// The file, for what only a file store has (a lock, a mode, `--out`
    /// naming the store).
    pub fn file(&self) -> Option<&Path> {
        match self {
            Location::File(path) => Some(path),
            Location::Vault(_) => None,
        }
    }

    /// How messages name the store: the path as given, or `vault:MOUNT/PATH`.
    pub fn display(&self) -> impl fmt::Display + '_ {
        Shown(self)
    }
}

struct Shown<'a>(&'a Location);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Location::File(path) => path.display().fmt(f),
            Location::Vault(loc) => loc.fmt(f),
        }
    }
}

/// Reads the store for a command that only looks (`jwks`, `sign`, `list`).
pub fn load(ctx: &Ctx) -> Result<KeyStore> {
    match &ctx.keys {
        Location::File(path) => storefile::load(ctx, path),
        Location::Vault(loc) => vault::load(ctx, loc),
    }
}

/// [`load`], saying `missing` when there is no store file (a secret that is
/// missing always names `keygen -k vault:...`, the one remedy there).
pub fn load_or(ctx: &Ctx, missing: &str) -> Result<KeyStore> {
    match &ctx.keys {
        Location::File(path) => storefile::load_or(ctx, path, missing),
        Location::Vault(loc) => vault::load(ctx, loc),
    }
}

/// Applies `change` to the current store and writes the result if it
/// differs. `change` gets the time read once the store is held; the vault
/// backend calls it again, on a fresh read, each time another writer got
/// there first, so it must not consume state.
pub fn update<T>(ctx: &Ctx, change: impl FnMut(&mut KeyStore, Time) -> Result<T>) -> Result<T> {
    match &ctx.keys {
        Location::File(path) => storefile::update(ctx, path, change),
        Location::Vault(loc) => vault::update(ctx, loc, change),
    }
}

/// Writes a new store; an existing one is replaced only with `force`.
pub fn create(ctx: &Ctx, store: &KeyStore, force: bool) -> Result<()> {
    match &ctx.keys {
        Location::File(path) => storefile::create(ctx, path, store, force),
        Location::Vault(loc) => vault::create(ctx, loc, store, force),
    }
}

/// Refuses early when a store exists and `force` is not given, so `keygen`
/// does not spend seconds on an RSA key first; [`create`] checks again.
pub fn refuse_existing(ctx: &Ctx, force: bool) -> Result<()> {
    if force {
        return Ok(());
    }
    match &ctx.keys {
        Location::File(path) => storefile::refuse_existing(path),
        Location::Vault(loc) => vault::refuse_existing(ctx, loc),
    }
}
