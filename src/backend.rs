//! Where the key store lives: a file (`storefile`) or a secret of an
//! OpenBao/Vault KV version 2 engine (`vault`). Commands call [`load`],
//! [`update`] and [`create`] and never know which of the two they have;
//! both apply the same pure `KeyStore` transitions. [`version`] answers
//! "has the store changed?" for a reader that keeps it (`serve`).

use std::fmt;
use std::time::Duration;

use anyhow::{Result, anyhow};

use crate::clock::{RunClock, Time};
use crate::location::Location;
use crate::output::Warnings;
use crate::store::KeyStore;
use crate::storefile;
use crate::vault;

/// The store and what reaching it takes: only what the backends use.
#[derive(Clone, Debug)]
pub struct Store {
    pub location: Location,
    pub clock: RunClock,
    /// How long a writer waits for the lock (or retries a check-and-set).
    pub lock_timeout: Duration,
    /// A test knob: how long a file writer sleeps once it holds the lock.
    pub hold_lock: Duration,
    /// Where warnings about the store (its mode) go.
    pub warnings: Warnings,
    /// Server and credentials for a `vault:` store.
    pub vault: vault::Env,
    /// Each request over the network: to the server of a `vault:` store,
    /// and each `--jwks`/`--published` URL fetch.
    pub net_timeout: Duration,
}

impl Store {
    fn file(&self) -> storefile::Access<'_> {
        storefile::Access {
            clock: self.clock,
            lock_timeout: self.lock_timeout,
            hold_lock: self.hold_lock,
            warnings: &self.warnings,
        }
    }

    fn vault(&self) -> vault::Access<'_> {
        vault::Access {
            env: &self.vault,
            timeout: self.net_timeout,
            lock_timeout: self.lock_timeout,
            clock: self.clock,
        }
    }

    /// The same store, its states judged at `now`.
    pub fn at(&self, now: Time) -> Store {
        let mut store = self.clone();
        store.clock.start = now;
        store
    }
}

/// Reads the store for a command that only looks (`jwks`, `sign`, `list`).
pub fn load(store: &impl AsRef<Store>) -> Result<KeyStore> {
    let store = store.as_ref();
    match &store.location {
        Location::File(path) => storefile::load(&store.file(), path),
        Location::Vault(loc) => vault::load(&store.vault(), loc),
    }
}

/// [`load`], saying `missing` when there is no store file (a secret that is
/// missing always names `keygen -k vault:...`, the one remedy there).
pub fn load_or(store: &impl AsRef<Store>, missing: &str) -> Result<KeyStore> {
    let store = store.as_ref();
    match &store.location {
        Location::File(path) => storefile::load_or(&store.file(), path, missing),
        Location::Vault(loc) => vault::load(&store.vault(), loc),
    }
}

/// Applies `change` to the current store and writes the result if it
/// differs. `change` gets the time read once the store is held; the vault
/// backend calls it again, on a fresh read, each time another writer got
/// there first, so it must not consume state.
pub fn update<T>(
    store: &impl AsRef<Store>,
    change: impl FnMut(&mut KeyStore, Time) -> Result<T>,
) -> Result<T> {
    let store = store.as_ref();
    match &store.location {
        Location::File(path) => storefile::update(&store.file(), path, change),
        Location::Vault(loc) => vault::update(&store.vault(), loc, change),
    }
}

/// Writes a new store; an existing one is replaced only with `force`.
pub fn create(store: &impl AsRef<Store>, keys: &KeyStore, force: bool) -> Result<()> {
    let store = store.as_ref();
    match &store.location {
        Location::File(path) => storefile::create(&store.file(), path, keys, force),
        Location::Vault(loc) => vault::create(&store.vault(), loc, keys, force),
    }
}

/// Refuses early when a store exists and `force` is not given, so `keygen`
/// does not spend seconds on an RSA key first; [`create`] checks again.
pub fn refuse_existing(store: &impl AsRef<Store>, force: bool) -> Result<()> {
    if force {
        return Ok(());
    }
    let store = store.as_ref();
    match &store.location {
        Location::File(path) => storefile::refuse_existing(path),
        Location::Vault(loc) => vault::refuse_existing(&store.vault(), loc),
    }
}

/// A cheap token of the store's state: equal versions, unchanged store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Version {
    /// A file's `stat`: writers replace the file by rename, so a new inode
    /// (and ctime) shows every change, even two within one mtime tick.
    File(String),
    /// A secret's version number, which only grows: a smaller one is a
    /// stale replica or a replayed answer, not a change.
    Vault(u64),
}

impl Version {
    /// True when `self` is older than `seen` (a `vault:` version that went
    /// backwards).
    pub fn older_than(&self, seen: &Version) -> bool {
        matches!((self, seen), (Version::Vault(a), Version::Vault(b)) if a < b)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::File(stat) => f.write_str(stat),
            Version::Vault(n) => write!(f, "version {n}"),
        }
    }
}

/// The store's current [`Version`]: a `stat` of a file, a request to the
/// server for a secret.
pub fn version(store: &Store) -> Result<Version> {
    use std::os::unix::fs::MetadataExt;
    let path = match &store.location {
        Location::File(path) => path,
        Location::Vault(loc) => return Ok(Version::Vault(vault::version(&store.vault(), loc)?)),
    };
    let name = store.location.display();
    // Through a symlink: a swapped link target is a change too.
    let m = std::fs::metadata(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            anyhow!("{name}: no such file")
        } else {
            anyhow!("{name}: {e}")
        }
    })?;
    Ok(Version::File(format!(
        "{}:{}:{}:{}.{}:{}.{}",
        m.dev(),
        m.ino(),
        m.size(),
        m.mtime(),
        m.mtime_nsec(),
        m.ctime(),
        m.ctime_nsec()
    )))
}

/// The store with its version. A file's is taken before the read, so a
/// change in between shows as another change next time, never as none; a
/// secret's comes with the read itself.
pub fn load_versioned(store: &Store) -> Result<(Version, KeyStore)> {
    match &store.location {
        Location::File(_) => {
            // When the stat fails, the read says why in the words every
            // command uses; an empty version is unlike any other.
            let version = version(store);
            let keys = load(store)?;
            Ok((version.unwrap_or(Version::File(String::new())), keys))
        }
        Location::Vault(loc) => {
            let (version, keys) = vault::load_versioned(&store.vault(), loc)?;
            Ok((Version::Vault(version), keys))
        }
    }
}

/// How often a reader that keeps the store asks for its [`version`]: a
/// local stat is cheap, and four a second bounds how stale a reload is; a
/// server gets a request every 10 s, well inside any `--publish-ahead`.
pub fn poll_interval(store: &Store) -> Duration {
    match store.location {
        Location::File(_) => Duration::from_millis(250),
        Location::Vault(_) => Duration::from_secs(10),
    }
}

impl AsRef<Store> for Store {
    fn as_ref(&self) -> &Store {
        self
    }
}
