//! Resolves the global options once into what every command needs. Nothing
//! below this reads the clock or the environment.

use std::time::Duration;

use crate::backend::Location;
use crate::cli::GlobalArgs;
use crate::clock::{self, Time};
use crate::fetch;
use crate::output::Warnings;
use crate::vault;

/// How long a writer waits for the store's lock (CLI.md: 30 s).
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone, Debug)]
pub struct Ctx {
    /// The time the command started (or `--now`).
    pub now: Time,
    /// Whether `--now`/`JWKCTL_NOW` fixed the time.
    pub pinned: bool,
    pub keys: Location,
    pub quiet: bool,
    pub lock_timeout: Duration,
    /// The whole of `verify --jwks URL`'s fetch (CLI.md: 10 s), and of
    /// each request to OpenBao/Vault.
    pub fetch_timeout: Duration,
    /// Warnings for stderr from code without an `Output` (the store's mode).
    pub warnings: Warnings,
    /// How long a writer sleeps once it holds the store's lock, before it
    /// reads the clock: a test knob (`JWKCTL_TEST_HOLD_LOCK`, seconds) for
    /// the race of two writers across a second boundary.
    pub hold_lock: Duration,
    /// Server and credentials for a `vault:` store.
    pub vault: vault::Env,
}

impl Ctx {
    pub fn new(global: &GlobalArgs) -> Ctx {
        Ctx {
            now: global.now.unwrap_or_else(clock::Time::now_utc),
            pinned: global.now.is_some(),
            keys: global.keys.clone(),
            quiet: global.quiet,
            lock_timeout: lock_timeout_override().unwrap_or(LOCK_TIMEOUT),
            fetch_timeout: fetch_timeout_override().unwrap_or(fetch::TIMEOUT),
            warnings: Warnings::default(),
            hold_lock: seconds_from_env("JWKCTL_TEST_HOLD_LOCK").unwrap_or_default(),
            vault: vault::Env::from_process(),
        }
    }
}

impl Ctx {
    /// The time once the store is held: a writer that waited for the lock
    /// (or retried a check-and-set) must not judge states by the time it
    /// started, or a key another writer added meanwhile looks pending.
    pub fn now_again(&self) -> Time {
        if self.pinned {
            self.now
        } else {
            clock::Time::now_utc().max(self.now)
        }
    }
}

/// `JWKCTL_LOCK_TIMEOUT` (seconds) shortens the wait in tests; it is not a
/// user-facing option.
fn lock_timeout_override() -> Option<Duration> {
    let secs: f64 = std::env::var("JWKCTL_LOCK_TIMEOUT").ok()?.parse().ok()?;
    Duration::try_from_secs_f64(secs).ok()
}

fn seconds_from_env(name: &str) -> Option<Duration> {
    let secs: f64 = std::env::var(name).ok()?.trim().parse().ok()?;
    Duration::try_from_secs_f64(secs).ok()
}

/// `JWKCTL_FETCH_TIMEOUT` (seconds, fractions allowed) shortens the 10 s
/// limit of a URL fetch so the slow-server test ends quickly; a test knob,
/// not a user-facing option.
fn fetch_timeout_override() -> Option<Duration> {
    let secs: f64 = std::env::var("JWKCTL_FETCH_TIMEOUT")
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| !d.is_zero())
}
