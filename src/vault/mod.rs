//! The key store as a secret of an OpenBao or Vault KV version 2 engine
//! (`-k vault:MOUNT/PATH`). The secret's one field, `keys.json`, holds the
//! store's text byte for byte as a file store would. A change reads the
//! current version V and writes with check-and-set `cas=V`, the engine's
//! equivalent of our lock file: when another writer got there first it
//! reads again and applies the change again, for up to 30 s.
//!
//! Only the KV v2 HTTP API is used ([`kv`]), over the same rustls/ureq
//! stack and loopback rule as `verify --jwks`. The token goes into one
//! request header and nowhere else: not into messages (text from the
//! server has it cut out), and not into `Debug`.
//!
//! [`transit`] is the other engine jwkctl uses: keys whose private half
//! stays on the server. Both go through one connection ([`Conn`]).

mod conn;
mod env;
mod kv;
mod remedy;
pub mod transit;

use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};

pub use conn::Conn;
pub use env::Env;

use crate::clock::{RunClock, Time};
use crate::location::VaultPath;
use crate::store::{self, KeyStore};
use kv::{Client, Secret, WriteError};

/// The one field of the secret.
pub const FIELD: &str = "keys.json";
/// The largest store read or written (as for a file store).
const MAX_STORE_BYTES: usize = crate::input::STORE.cap as usize;

/// What a `vault:` store needs of the run.
#[derive(Clone, Copy, Debug)]
pub struct Access<'a> {
    pub env: &'a Env,
    /// Each request to the server.
    pub timeout: Duration,
    /// How long a change retries while other writers win.
    pub lock_timeout: Duration,
    pub clock: RunClock,
}

impl Access<'_> {
    fn client<'l>(&self, loc: &'l VaultPath) -> Result<Client<'l>> {
        Client::from_env(self.env, self.timeout, loc)
    }
}

/// Runs `op` with a client, and cuts the token out of whatever it says:
/// servers and proxies may quote it back.
fn with_client<T>(
    access: &Access,
    loc: &VaultPath,
    op: impl FnOnce(&Client) -> Result<T>,
) -> Result<T> {
    let client = access.client(loc)?;
    op(&client).map_err(|e| {
        let text = format!("{e:#}");
        let clean = client.redact(&text);
        if clean == text { e } else { anyhow!(clean) }
    })
}

fn parse(client: &Client, text: &str, now: Time) -> Result<KeyStore> {
    KeyStore::parse(text.as_bytes(), now)
        .with_context(|| format!("{}: not a valid key store", client.at()))
        .map_err(|e| remedy::not_a_store(client, e))
}

pub fn load(access: &Access, loc: &VaultPath) -> Result<KeyStore> {
    load_versioned(access, loc).map(|(_, store)| store)
}

/// The store and the version it was read from.
pub fn load_versioned(access: &Access, loc: &VaultPath) -> Result<(u64, KeyStore)> {
    with_client(access, loc, |client| {
        let secret = client.read()?;
        let Some(text) = &secret.text else {
            return Err(remedy::missing(client, &secret));
        };
        Ok((secret.version, parse(client, text, access.clock.start)?))
    })
}

/// The secret's current version (0 when there is none): what `serve`
/// polls to see that the store changed.
pub fn version(access: &Access, loc: &VaultPath) -> Result<u64> {
    with_client(access, loc, |client| Ok(client.read()?.version))
}

/// What one round of a change decided on the secret as read.
enum Step<T> {
    /// Nothing to write.
    Done(T),
    /// Write this text over the version read.
    Write(String, T),
}

/// The one check-and-set loop: reads, lets `plan` decide, writes with
/// `cas` set to the version read, and starts again from a fresh read
/// while another writer keeps winning, until `lock_timeout`.
///
/// A write whose answer was lost may have landed: the secret is read
/// again, and holding exactly the text written means it did.
fn write_loop<T>(
    access: &Access,
    client: &Client,
    mut plan: impl FnMut(&Secret) -> Result<Step<T>>,
) -> Result<T> {
    let start = Instant::now();
    let mut attempt = 0;
    loop {
        let secret = client.read()?;
        let (text, result) = match plan(&secret)? {
            Step::Done(result) => return Ok(result),
            Step::Write(text, result) => (text, result),
        };
        match client.write(&text, secret.version) {
            Ok(()) => return Ok(result),
            Err(WriteError::Failed(e)) => return Err(e),
            Err(WriteError::Lost(e)) => match client.read() {
                Ok(now) if now.text.as_deref() == Some(text.as_str()) => return Ok(result),
                // Not written: the version did not move, or the one version
                // `cas` allowed after ours is another writer's text. Try
                // again as after a conflict.
                Ok(now) if now.version <= secret.version + 1 => {}
                // Two or more writes since: ours may be among them, under
                // another writer's. Applying the change again could apply
                // it twice (a second rotation), so say so and stop.
                Ok(_) | Err(_) => {
                    return Err(anyhow!(
                        "{e:#}; the change may have been saved before the answer was lost (see with 'jwkctl list -k {}')",
                        client.loc
                    ));
                }
            },
            Err(WriteError::Conflict) => {}
        }
        attempt += 1;
        if start.elapsed() >= access.lock_timeout {
            return Err(remedy::busy(client, access.lock_timeout));
        }
        backoff(attempt);
    }
}

/// A pause before reading again after a lost check-and-set: random, so
/// writers that collided do not collide again in step.
fn backoff(attempt: u32) {
    let most = 10 + 20 * u64::from(attempt.min(5));
    thread::sleep(Duration::from_millis(5 + rand::random::<u64>() % most));
}

/// Reads, applies `change` and writes with `cas`, again from the read
/// while another writer keeps winning, until the lock timeout.
pub fn update<T>(
    access: &Access,
    loc: &VaultPath,
    mut change: impl FnMut(&mut KeyStore, Time) -> Result<T>,
) -> Result<T> {
    with_client(access, loc, |client| {
        write_loop(access, client, |secret| {
            // After the read, as a file writer reads it after the lock: a
            // key another writer added meanwhile is never "from the future".
            let now = access.clock.now_again();
            let Some(before) = &secret.text else {
                return Err(remedy::missing(client, secret));
            };
            let mut store = parse(client, before, now)?;
            let result = change(&mut store, now)?;
            let after = store.to_json(now);
            Ok(if after.as_ref() == before.as_bytes() {
                Step::Done(result)
            } else {
                Step::Write(text_of(client, &after)?, result)
            })
        })
    })
}

/// The store's text for a write, refused over the cap as for a file
/// store: over it, the store would lock out every later command.
fn text_of(client: &Client, text: &[u8]) -> Result<String> {
    store::fits(text).map_err(|too_large| anyhow!("{}: {too_large}", client.at()))?;
    // The request body is a copy jwkctl cannot wipe (it goes to the server).
    std::str::from_utf8(text)
        .map(str::to_owned)
        .map_err(|_| anyhow!("the store is not UTF-8 text"))
}

/// Writes a new store: with `cas=0` (the secret must not exist), or over a
/// deleted latest version; with `force`, over the current version.
pub fn create(access: &Access, loc: &VaultPath, store: &KeyStore, force: bool) -> Result<()> {
    with_client(access, loc, |client| {
        let text = text_of(client, &store.to_json(access.clock.start))?;
        write_loop(access, client, |secret| {
            if secret.text.is_some() && !force {
                return Err(remedy::exists(client));
            }
            Ok(Step::Write(text.clone(), ()))
        })
    })
}

/// `keygen` without `--force`: refuses before generating a key.
pub fn refuse_existing(access: &Access, loc: &VaultPath) -> Result<()> {
    with_client(access, loc, |client| {
        if client.read()?.text.is_some() {
            return Err(remedy::exists(client));
        }
        Ok(())
    })
}
