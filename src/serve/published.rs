//! What `serve` publishes: the store as last read, watched for changes by
//! a thread of its own, and its JWK Set rendered for the time of each
//! request (kept while no key changes state).

use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

use anyhow::{Context, Result, anyhow};
use bytes::Bytes;
use headers::ETag;
use hyper::header::HeaderValue;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::b64::b64;
use crate::backend::{self, Store, Version};
use crate::clock::Time;
use crate::output::Log;
use crate::store::{KeyStore, Steady};

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
    /// When the same documents are rendered again.
    steady: Steady,
}

impl Rendered {
    fn covers(&self, now: Time) -> bool {
        self.steady.covers(now)
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
    let mut jwks = store.public_set(now)?;
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
    Ok(Rendered {
        jwks: Doc::new(jwks.into_bytes())?,
        discovery,
        steady: store.steady(now),
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
        store: Store,
        clock: Clock,
        issuer: Option<String>,
        log: Log,
    ) -> Result<(Arc<Published>, usize)> {
        let (version, keys) = backend::load_versioned(&store.at(clock.now()))?;
        let mut warned = Vec::new();
        warn_about_store(&store, &mut warned, log);
        let count = keys.keys.len();
        let published = Arc::new(Published {
            state: Mutex::new(State {
                store: Arc::new(keys),
                rendered: None,
            }),
            clock,
            issuer,
        });
        let watched = Arc::clone(&published);
        thread::Builder::new()
            .name("jwkctl-watch".into())
            .spawn(move || watched.watch(&store, version, warned, log))
            .context("cannot start the thread that watches the store")?;
        Ok((published, count))
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
    /// recovery. A secret whose version goes back is a stale replica or a
    /// replayed answer: the newer set stays served, and that is said once.
    fn watch(&self, store: &Store, mut seen: Version, mut warned: Vec<String>, log: Log) {
        let name = store.location.display().to_string();
        let mut failing: Option<String> = None;
        // After a failure the store is read whatever its version says.
        let mut again = false;
        let mut went_back: Option<Version> = None;
        let report = |e: anyhow::Error, failing: &mut Option<String>| {
            let message = format!("{e:#}");
            if failing.as_deref() != Some(message.as_str()) {
                log.error(format_args!(
                    "{message}; still serving the last good set (fix the store and it is read again)"
                ));
                *failing = Some(message);
            }
        };
        let back = |version: &Version, seen: &Version, went_back: &mut Option<Version>| {
            if went_back.as_ref() != Some(version) {
                log.error(format_args!(
                    "{name} went back from {seen} to {version} (a stale replica or a replayed answer): still serving the keys of {seen}"
                ));
                *went_back = Some(version.clone());
            }
        };
        loop {
            thread::sleep(backend::poll_interval(store));
            let version = match backend::version(store) {
                Ok(version) => version,
                Err(e) => {
                    // Whatever comes back is read, even the same file.
                    again = true;
                    report(e, &mut failing);
                    continue;
                }
            };
            if version.older_than(&seen) {
                back(&version, &seen, &mut went_back);
                continue;
            }
            // Unchanged: still good, or still the file already reported.
            if version == seen && !again {
                continue;
            }
            match backend::load_versioned(&store.at(self.clock.now())) {
                Ok((version, _)) if version.older_than(&seen) => {
                    back(&version, &seen, &mut went_back);
                }
                Ok((version, keys)) => {
                    seen = version;
                    again = false;
                    went_back = None;
                    warn_about_store(store, &mut warned, log);
                    let n = keys.keys.len();
                    self.replace(keys);
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
                    again = true;
                    warn_about_store(store, &mut warned, log);
                    report(e, &mut failing);
                }
            }
        }
    }
}

/// Warnings the last read raised about the store (its mode), printed when
/// they arise rather than when `serve` exits; one already printed, and
/// still true, is not printed again on every reload.
fn warn_about_store(store: &Store, warned: &mut Vec<String>, log: Log) {
    let lines = store.warnings.take();
    for line in &lines {
        if !warned.contains(line) {
            log.error(line);
        }
    }
    *warned = lines;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{self, parse_time};
    use std::time::Duration;

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
        let mut jwks = store.public_set(now).unwrap();
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
