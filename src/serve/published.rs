//! What `serve` publishes: the store as last read, watched for changes by
//! a thread of its own, and its JWK Set rendered for the time of each
//! request (kept while no key changes state).

use std::fs;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use bytes::Bytes;
use headers::ETag;
use hyper::header::HeaderValue;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::b64::b64;
use crate::backend::{self, Location};
use crate::clock::Time;
use crate::cmd::jwks::public_set;
use crate::context::Ctx;
use crate::output::Log;
use crate::store::KeyStore;
use crate::vault;

/// Where the store comes from. A backend that cannot watch (a remote
/// store) polls: `version` is asked every [`Backend::poll_every`] and
/// `load` runs when its answer changes.
pub trait Backend: Send + Sync + 'static {
    /// The store's name in messages (`keys.json`).
    fn name(&self) -> String;
    /// A cheap token that changes whenever the store may have changed.
    fn version(&self) -> Result<Version>;
    /// Reads the store, judging states at `now`.
    fn load(&self, now: Time) -> Result<KeyStore>;
    /// How often to ask for [`Backend::version`].
    fn poll_every(&self) -> Duration;
}

/// An opaque token of a store's state: equal tokens, unchanged store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version(pub String);

/// The key store, wherever it is. A file's `stat` is its version: writers
/// replace the file by rename, so a new inode (and ctime) shows every
/// change, even two within one mtime tick. A `vault:` store cannot be
/// watched: its secret's version number is polled instead.
pub struct StoreBackend {
    ctx: Ctx,
}

impl StoreBackend {
    pub fn new(ctx: &Ctx) -> StoreBackend {
        StoreBackend { ctx: ctx.clone() }
    }
}

/// A local stat is cheap; four a second bounds how stale a reload is.
const FILE_POLL: Duration = Duration::from_millis(250);
/// A request to the server each time: every 10 s is well inside any
/// `--publish-ahead` and costs the server little.
const VAULT_POLL: Duration = Duration::from_secs(10);

impl Backend for StoreBackend {
    fn name(&self) -> String {
        self.ctx.keys.display().to_string()
    }

    fn version(&self) -> Result<Version> {
        use std::os::unix::fs::MetadataExt;
        let path = match &self.ctx.keys {
            Location::File(path) => path,
            Location::Vault(loc) => {
                return Ok(Version(vault::version(&self.ctx, loc)?.to_string()));
            }
        };
        // Through a symlink: a swapped link target is a change too.
        let m = fs::metadata(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                anyhow!("{}: no such file", self.name())
            } else {
                anyhow!("{}: {e}", self.name())
            }
        })?;
        Ok(Version(format!(
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

    fn load(&self, now: Time) -> Result<KeyStore> {
        let mut ctx = self.ctx.clone();
        ctx.now = now;
        backend::load(&ctx)
    }

    fn poll_every(&self) -> Duration {
        match self.ctx.keys {
            Location::File(_) => FILE_POLL,
            Location::Vault(_) => VAULT_POLL,
        }
    }
}

/// The time of a request: `--now` when pinned, else the clock.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    pub pinned: Option<Time>,
}

impl Clock {
    pub fn now(self) -> Time {
        self.pinned.unwrap_or_else(Time::now_utc)
    }
}

/// One response body and its strong validator.
pub struct Doc {
    pub body: Bytes,
    pub etag: ETag,
    pub etag_header: HeaderValue,
}

impl Doc {
    fn new(body: Vec<u8>) -> Result<Doc> {
        let digest = Sha256::digest(&body);
        // 128 bits of SHA-256: a strong validator of exactly these bytes.
        let tag = format!("\"{}\"", b64(&digest[..16]));
        Ok(Doc {
            etag: tag.parse().map_err(|_| anyhow!("bad entity tag {tag}"))?,
            etag_header: HeaderValue::from_str(&tag)?,
            body: Bytes::from(body),
        })
    }
}

/// The documents for one stretch of time in which no key changes state.
pub struct Rendered {
    pub jwks: Doc,
    pub discovery: Option<Doc>,
    /// The time it was rendered for.
    at: Time,
    /// Also valid strictly after `after` and strictly before `before`.
    after: Option<Time>,
    before: Option<Time>,
}

impl Rendered {
    fn covers(&self, now: Time) -> bool {
        now == self.at
            || (self.after.is_none_or(|t| t < now) && self.before.is_none_or(|t| now < t))
    }
}

#[derive(Serialize)]
struct Discovery<'a> {
    issuer: &'a str,
    jwks_uri: String,
    id_token_signing_alg_values_supported: Vec<&'static str>,
    response_types_supported: [&'static str; 1],
    subject_types_supported: [&'static str; 1],
}

fn render(store: &KeyStore, now: Time, issuer: Option<&str>) -> Result<Rendered> {
    let mut jwks = public_set(store, now)?;
    jwks.push('\n');
    let discovery = match issuer {
        None => None,
        Some(issuer) => {
            let mut algs: Vec<&'static str> = Vec::new();
            for i in store.ordered(now) {
                let name = store.keys[i].alg.name();
                if !algs.contains(&name) {
                    algs.push(name);
                }
            }
            let doc = Discovery {
                issuer,
                jwks_uri: format!("{}/.well-known/jwks.json", issuer.trim_end_matches('/')),
                id_token_signing_alg_values_supported: algs,
                response_types_supported: ["id_token"],
                subject_types_supported: ["public"],
            };
            let mut body = serde_json::to_vec(&doc)?;
            body.push(b'\n');
            Some(Doc::new(body)?)
        }
    };
    // States change only when the time passes a key's signs_from or
    // retired; between two such times every comparison comes out the same.
    let times = store
        .keys
        .iter()
        .flat_map(|k| [Some(k.times.signs_from), k.times.retired])
        .flatten();
    let (mut after, mut before) = (None::<Time>, None::<Time>);
    let mut exact = false;
    for t in times {
        if t < now {
            after = Some(after.map_or(t, |a| a.max(t)));
        } else if t > now {
            before = Some(before.map_or(t, |b| b.min(t)));
        } else {
            exact = true;
        }
    }
    if exact {
        // Rendered at a key's own time: good for this instant only (which
        // is every request when --now pins it there).
        after = Some(now);
        before = Some(now);
    }
    Ok(Rendered {
        at: now,
        jwks: Doc::new(jwks.into_bytes())?,
        discovery,
        after,
        before,
    })
}

struct State {
    store: Arc<KeyStore>,
    rendered: Option<Arc<Rendered>>,
}

/// The store being served, shared by every connection and the watcher.
pub struct Published {
    state: Mutex<State>,
    clock: Clock,
    issuer: Option<String>,
}

impl Published {
    /// Reads the store once (an error here is the caller's exit 2) and
    /// starts the thread that re-reads it when it changes.
    pub fn start(
        backend: Box<dyn Backend>,
        clock: Clock,
        issuer: Option<String>,
        log: Log,
    ) -> Result<(Arc<Published>, usize)> {
        // Taken before the read, as the watcher does; when it fails, the
        // read says why in the words every command uses.
        let version = backend.version();
        let store = backend.load(clock.now())?;
        let version = version.unwrap_or(Version(String::new()));
        let keys = store.keys.len();
        let published = Arc::new(Published {
            state: Mutex::new(State {
                store: Arc::new(store),
                rendered: None,
            }),
            clock,
            issuer,
        });
        let watched = Arc::clone(&published);
        thread::Builder::new()
            .name("jwkctl-watch".into())
            .spawn(move || watched.watch(&*backend, version, log))
            .context("cannot start the thread that watches the store")?;
        Ok((published, keys))
    }

    /// The documents at the time of this request.
    pub fn current(&self) -> Result<Arc<Rendered>> {
        let now = self.clock.now();
        let store = {
            let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(rendered) = &state.rendered
                && rendered.covers(now)
            {
                return Ok(Arc::clone(rendered));
            }
            Arc::clone(&state.store)
        };
        // Rendered outside the lock: a 1,000-key set takes a while.
        let rendered = Arc::new(render(&store, now, self.issuer.as_deref())?);
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        // Unless the watcher replaced the store meanwhile.
        if Arc::ptr_eq(&state.store, &store) {
            state.rendered = Some(Arc::clone(&rendered));
        }
        Ok(rendered)
    }

    fn replace(&self, store: KeyStore) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.store = Arc::new(store);
        state.rendered = None;
    }

    /// Runs for the life of the process: asks for the version, re-reads
    /// the store when it changed. A store that cannot be read keeps the
    /// last good one served; each new failure is said once, and so is the
    /// recovery.
    fn watch(&self, backend: &dyn Backend, mut seen: Version, log: Log) {
        let name = backend.name();
        let mut failing: Option<String> = None;
        let report = |e: anyhow::Error, failing: &mut Option<String>| {
            let message = format!("{e:#}");
            if failing.as_deref() != Some(message.as_str()) {
                log.error(format_args!(
                    "{message}; still serving the last good set (fix the store and it is read again)"
                ));
                *failing = Some(message);
            }
        };
        loop {
            thread::sleep(backend.poll_every());
            // The version is taken before the read: a change in between
            // shows as another change next time, never as none.
            let version = match backend.version() {
                Ok(version) => version,
                Err(e) => {
                    // Whatever comes back is read, even the same file.
                    seen = Version(String::new());
                    report(e, &mut failing);
                    continue;
                }
            };
            // Unchanged: still good, or still the file already reported.
            if version == seen {
                continue;
            }
            seen = version;
            match backend.load(self.clock.now()) {
                Ok(store) => {
                    let n = store.keys.len();
                    self.replace(store);
                    let plural = if n == 1 { "" } else { "s" };
                    if failing.take().is_some() {
                        log.error(format_args!(
                            "{name} can be read again: serving its {n} key{plural}"
                        ));
                    } else {
                        log.status(format_args!("{name} changed: serving {n} key{plural}"));
                    }
                }
                Err(e) => {
                    // Read again next time: a remote store's version does
                    // not change when only the read failed.
                    seen = Version(String::new());
                    report(e, &mut failing);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{self, parse_time};

    /// The ES256 fixture key, active since 2026-01-01, and a copy of it
    /// (another kid) pending until `takeover`.
    fn store_with_pending(takeover: &str) -> KeyStore {
        let now = parse_time("2026-01-02T00:00:00Z").unwrap();
        let text = include_str!("../../tests/fixtures/ec-store.json");
        let mut store = KeyStore::parse(text.as_bytes(), now).unwrap();
        let mut pending = store.keys[0].clone();
        pending.jwk.set("kid", "next".into());
        pending.times.signs_from = parse_time(takeover).unwrap();
        store.keys.push(pending);
        store
    }

    fn first_kid(rendered: &Rendered) -> String {
        let set: serde_json::Value = serde_json::from_slice(&rendered.jwks.body).unwrap();
        set["keys"][0]["kid"].as_str().unwrap().to_owned()
    }

    #[test]
    fn a_rendering_lasts_until_the_next_key_time() {
        let store = store_with_pending("2026-01-03T00:00:00Z");
        let at = |s: &str| parse_time(s).unwrap();
        let before = render(&store, at("2026-01-02T00:00:00Z"), None).unwrap();
        assert_eq!(first_kid(&before), store.keys[0].kid());
        assert!(before.covers(at("2026-01-01T00:00:01Z")));
        assert!(before.covers(at("2026-01-02T23:59:59.999Z")));
        // At the takeover the order changes: not covered.
        assert!(!before.covers(at("2026-01-03T00:00:00Z")));
        assert!(!before.covers(at("2026-01-01T00:00:00Z")));

        let exactly = render(&store, at("2026-01-03T00:00:00Z"), None).unwrap();
        assert_eq!(first_kid(&exactly), "next");
        assert!(exactly.covers(at("2026-01-03T00:00:00Z")));
        assert!(!exactly.covers(at("2026-01-03T00:00:01Z")));

        let after = render(&store, at("2026-01-04T00:00:00Z"), None).unwrap();
        assert_eq!(first_kid(&after), "next");
        assert!(after.covers(clock::add(at("2027-01-01T00:00:00Z"), Duration::ZERO).unwrap()));
        assert_ne!(before.jwks.etag_header, after.jwks.etag_header);
    }

    #[test]
    fn the_body_is_what_jwks_prints_and_the_tag_follows_it() {
        let store = store_with_pending("2026-01-03T00:00:00Z");
        let now = parse_time("2026-01-02T00:00:00Z").unwrap();
        let rendered = render(&store, now, Some("https://issuer.example/")).unwrap();
        let mut jwks = public_set(&store, now).unwrap();
        jwks.push('\n');
        assert_eq!(rendered.jwks.body, jwks.as_bytes());
        assert!(!jwks.contains("\"d\""));
        let again = render(&store, now, None).unwrap();
        assert_eq!(again.jwks.etag_header, rendered.jwks.etag_header);
        let discovery: serde_json::Value =
            serde_json::from_slice(&rendered.discovery.as_ref().unwrap().body).unwrap();
        assert_eq!(
            discovery["jwks_uri"],
            "https://issuer.example/.well-known/jwks.json"
        );
        assert_eq!(
            discovery["id_token_signing_alg_values_supported"],
            serde_json::json!(["ES256"])
        );
    }
}
