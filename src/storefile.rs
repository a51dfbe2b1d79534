//! The key store on disk: the one place that reads and writes `keys.json`.
//! Every change runs under the lock, on a fresh read, and lands atomically.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Result, anyhow, bail};

use std::time::Duration;

use crate::clock::{RunClock, Time};
use crate::fsio::{self, Existing};
use crate::input;
use crate::jwk::{PRIVATE_MEMBERS, Text};
use crate::output::Warnings;
use crate::store::{self, KeyStore};

/// What a file store needs of the run.
#[derive(Clone, Copy, Debug)]
pub struct Access<'a> {
    pub clock: RunClock,
    /// How long a writer waits for the lock.
    pub lock_timeout: Duration,
    /// How long a writer sleeps once it holds the lock, before it reads
    /// the clock: a test knob for the race of two writers across a second.
    pub hold_lock: Duration,
    /// Where warnings about the store (its mode) go.
    pub warnings: &'a Warnings,
}

const STORE_MODE: u32 = 0o600;

/// Reads the store for a command that only looks (`jwks`, `sign`, `list`):
/// writes replace the file by rename, so a reader never sees half of one.
pub fn load(access: &Access, path: &Path) -> Result<KeyStore> {
    load_or(access, path, MISSING)
}

const MISSING: &str = "create one with 'jwkctl keygen', or point -k/JWKCTL_KEYS at yours";

/// [`load`], saying `missing` when there is no store.
pub fn load_or(access: &Access, path: &Path, missing: &str) -> Result<KeyStore> {
    let (bytes, mode) = read(path, missing)?;
    let text = Text::new(bytes);
    let store = parse(path, &text, access.clock.start);
    if store.is_ok() || !is_public_set(text.as_bytes()) {
        warn_if_open(access, path, mode, None);
    }
    store
}

/// The store's text and permission bits.
fn read(path: &Path, missing: &str) -> Result<(Vec<u8>, u32)> {
    if !path.exists() && path.symlink_metadata().is_err() {
        bail!("{}: no such file ({missing})", path.display());
    }
    Ok(input::read_file_with_mode(path, input::STORE)?)
}

/// The store holds private keys: others being able to read it (or to
/// swap in their own keys) is worth a warning on every command. `rewritten`
/// says the mode a write just gave it.
fn warn_if_open(access: &Access, shown: &Path, mode: u32, rewritten: Option<u32>) {
    let (read, write) = (mode & 0o044 != 0, mode & 0o022 != 0);
    let how = match (read, write) {
        (false, false) => return,
        (true, false) => "readable",
        (false, true) => "writable",
        (true, true) => "readable and writable",
    };
    let path = shown.display();
    access.warnings.set(&format!("mode of {path}"), match rewritten {
        None => format!(
            "warning: {path} is {how} by group or others (mode {mode:04o}), and it holds private keys (restrict it: chmod 600 {path})"
        ),
        Some(now) => format!(
            "warning: {path} was {how} by group or others (mode {mode:04o}), and it holds private keys: written back with mode {now:04o}"
        ),
    });
}

fn parse(path: &Path, text: &Arc<Text>, now: Time) -> Result<KeyStore> {
    KeyStore::read(text, now).map_err(|e| {
        if is_public_set(text.as_bytes()) {
            // What `jwks --out` writes, served to the world: its mode is
            // right, and it is the wrong file for -k, not a broken store.
            return anyhow!(
                "{0}: this is a public JWK Set with no private members, not a key store (to verify tokens with its keys: jwkctl verify --jwks {0}; -k/JWKCTL_KEYS names the store 'jwkctl keygen' made)",
                path.display()
            );
        }
        anyhow!(
            "{:#} (fix the file, or restore it from a backup)",
            e.context(format!("{}: not a valid key store", path.display()))
        )
    })
}

/// Whether `bytes` are a JWK Set `{"keys":[...]}` of keys without a single
/// private member. Read as a stream: nothing of it is kept.
fn is_public_set(bytes: &[u8]) -> bool {
    use serde::de::{IgnoredAny, MapAccess, Visitor};

    #[derive(serde::Deserialize)]
    struct Set {
        keys: Vec<PublicKey>,
    }
    /// A JSON object with no private JWK member.
    struct PublicKey;
    impl<'de> serde::Deserialize<'de> for PublicKey {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_map(PublicKey)
        }
    }
    impl<'de> Visitor<'de> for PublicKey {
        type Value = PublicKey;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a public JWK")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PublicKey, A::Error> {
            while let Some(name) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if PRIVATE_MEMBERS.contains(&name.as_ref()) {
                    return Err(serde::de::Error::custom("a private member"));
                }
                map.next_value::<IgnoredAny>()?;
            }
            Ok(PublicKey)
        }
    }
    serde_json::from_slice::<Set>(bytes).is_ok_and(|set| !set.keys.is_empty())
}

/// Applies `change` to the current store under the lock and writes the
/// result if it differs. Returns what `change` returned. `change` gets the
/// time read once the store is held ([`RunClock::now_again`]); it may be called
/// more than once by a backend that retries, so it must not consume state.
pub fn update<T>(
    access: &Access,
    given: &Path,
    mut change: impl FnMut(&mut KeyStore, Time) -> Result<T>,
) -> Result<T> {
    // Through a symlink, the file it points at is locked and replaced.
    let path = fsio::resolve(given);
    // No lock file is left beside a mistyped path (nor beside a FIFO).
    read(&path, MISSING)?;
    let _lock = fsio::lock(&path, access.lock_timeout)?;
    if !access.hold_lock.is_zero() {
        std::thread::sleep(access.hold_lock);
    }
    let now = access.clock.now_again();
    let (before, mode) = read(&path, MISSING)?;
    let before = Text::new(before);
    let changed = parse(given, &before, now).and_then(|mut store| {
        let result = change(&mut store, now)?;
        let after = store.to_json(now);
        // Over the cap, the store would lock out every later command.
        if *after != *before.as_bytes() {
            store::fits(&after).map_err(|too_large| anyhow!("{}: {too_large}", given.display()))?;
        }
        Ok((result, after))
    });
    let (result, after) = match changed {
        Ok(changed) => changed,
        Err(e) => {
            if !is_public_set(before.as_bytes()) {
                warn_if_open(access, given, mode, None);
            }
            return Err(e);
        }
    };
    fsio::remove_stale_temps(&path);
    if *after != *before.as_bytes() {
        let written = fsio::write_atomic(&path, &after, STORE_MODE, Existing::Replace);
        warn_if_open(access, given, mode, written.is_ok().then_some(STORE_MODE));
        written?;
    } else {
        warn_if_open(access, given, mode, None);
    }
    Ok(result)
}

/// Writes a new store; an existing one is replaced only with `force`. The
/// check happens under the lock and the final rename refuses to clobber, so
/// two `keygen`s racing cannot both win.
pub fn create(access: &Access, given: &Path, store: &KeyStore, force: bool) -> Result<()> {
    let path = fsio::resolve(given);
    // Before the lock: no lock file beside a folder that is never replaced.
    fsio::check_replaceable(&path)?;
    let _lock = fsio::lock(&path, access.lock_timeout)?;
    if !force {
        refuse_existing(given)?;
    }
    fsio::remove_stale_temps(&path);
    let existing = if force {
        Existing::Replace
    } else {
        Existing::Refuse
    };
    let text = store
        .to_text(access.clock.start)
        .map_err(|too_large| anyhow!("{}: {too_large}", given.display()))?;
    fsio::write_atomic(&path, &text, STORE_MODE, existing)
}

/// Refuses when something is at `path` already (`keygen` without `--force`).
pub fn refuse_existing(path: &Path) -> Result<()> {
    if path.symlink_metadata().is_ok() {
        bail!(
            "{}: a key store already exists (use --force to replace it and lose its keys, or -k to choose another file)",
            path.display()
        );
    }
    Ok(())
}
