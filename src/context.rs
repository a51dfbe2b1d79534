//! Resolves the global options once into what every command needs. Nothing
//! below this reads the clock or the environment.

use std::time::Duration;

use crate::backend;
use crate::cli::GlobalArgs;
use crate::clock::{self, RunClock, Time};
use crate::fetch;
use crate::location::Location;
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
    /// The whole of `verify --jwks URL`'s fetch (CLI.md: 10 s), and of
    /// each request to OpenBao/Vault.
    pub fetch_timeout: Duration,
    /// Warnings for stderr from code without an `Output` (the store's mode).
    pub warnings: Warnings,
    /// The store and what the backends need to reach it (the same
    /// location, time and warnings as above).
    pub store: backend::Store,
}

impl Ctx {
    pub fn new(global: &GlobalArgs) -> Ctx {
        let now = global.now.unwrap_or_else(clock::Time::now_utc);
        let pinned = global.now.is_some();
        let fetch_timeout = fetch_timeout_override().unwrap_or(fetch::TIMEOUT);
        let warnings = Warnings::default();
        Ctx {
            now,
            pinned,
            keys: global.keys.clone(),
            quiet: global.quiet,
            fetch_timeout,
            warnings: warnings.clone(),
            store: backend::Store {
                location: global.keys.clone(),
                clock: RunClock { start: now, pinned },
                lock_timeout: lock_timeout_override().unwrap_or(LOCK_TIMEOUT),
                // How long a writer sleeps once it holds the store's lock,
                // before it reads the clock: a test knob
                // (`JWKCTL_TEST_HOLD_LOCK`, seconds) for the race of two
                // writers across a second boundary.
                hold_lock: seconds_from_env("JWKCTL_TEST_HOLD_LOCK").unwrap_or_default(),
                warnings,
                vault: vault::Env::from_process(),
                net_timeout: fetch_timeout,
            },
        }
    }
}

/// Commands hand the context to the backend, which takes only its store.
impl AsRef<backend::Store> for Ctx {
    fn as_ref(&self) -> &backend::Store {
        &self.store
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
