//! `jwkctl check`: whether rotation and publication are healthy, judged
//! from the store (read without its lock, so monitoring never blocks a
//! rotation) and from the JWK Sets verifiers actually fetch.
//!
//! This file holds the model (what a finding and a report are) and runs
//! the check; `rules` decides what is wrong, `published` reads the
//! published sets, and `report` writes the result in each format.

mod published;
mod report;
mod rules;

use std::ffi::OsString;
use std::path::Path;
use std::time::Duration;

use anyhow::{Result, bail};

use crate::backend;
use crate::clock::Time;
use crate::context::Ctx;
use crate::fetch;
use crate::store::{KeyStore, KeyView, State};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Critical,
    Warning,
}

impl Level {
    pub const ALL: [Level; 2] = [Level::Critical, Level::Warning];

    pub fn name(self) -> &'static str {
        match self {
            Level::Critical => "critical",
            Level::Warning => "warning",
        }
    }
}

/// The checks, by their stable names (CLI.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    NoActiveKey,
    RotationOverdue,
    PruneOverdue,
    StoreMode,
    PublishedUnreachable,
    PublishedMissing,
    PublishedPendingMissing,
    PublishedUnknownKey,
    PublishedPrivate,
    TakeoverWaiting,
    PublishedCacheLong,
}

impl Check {
    pub const ALL: [Check; 11] = [
        Check::NoActiveKey,
        Check::RotationOverdue,
        Check::PruneOverdue,
        Check::StoreMode,
        Check::PublishedUnreachable,
        Check::PublishedMissing,
        Check::PublishedPendingMissing,
        Check::PublishedUnknownKey,
        Check::PublishedPrivate,
        Check::TakeoverWaiting,
        Check::PublishedCacheLong,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Check::NoActiveKey => "no-active-key",
            Check::RotationOverdue => "rotation-overdue",
            Check::PruneOverdue => "prune-overdue",
            Check::StoreMode => "store-mode",
            Check::PublishedUnreachable => "published-unreachable",
            Check::PublishedMissing => "published-missing",
            Check::PublishedPendingMissing => "published-pending-missing",
            Check::PublishedUnknownKey => "published-unknown-key",
            Check::PublishedPrivate => "published-private",
            Check::TakeoverWaiting => "takeover-waiting",
            Check::PublishedCacheLong => "published-cache-long",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub level: Level,
    pub check: Check,
    pub kid: Option<String>,
    pub source: Option<String>,
    /// What breaks, for whom, since or from when, and what to do.
    pub message: String,
}

/// What `check` was asked to look at.
#[derive(Clone, Debug)]
pub struct Options<'a> {
    pub published: &'a [OsString],
    pub ca_file: Option<&'a Path>,
    pub rotation_period: Option<Duration>,
    /// How long caches (a CDN's, a verifier's) may hold a published set.
    pub cache_ttl: Duration,
}

/// One published source, as the metrics count it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    pub source: String,
    pub reachable: bool,
    /// Keys with possibly live tokens that the set lacks.
    pub missing: usize,
    /// The pending key, when the set lacks it.
    pub pending_missing: usize,
    /// Keys the set holds that the store does not.
    pub unknown: usize,
}

#[derive(Clone, Debug)]
pub struct Report {
    pub now: Time,
    pub store_readable: bool,
    pub findings: Vec<Finding>,
    /// Keys by state: active, pending, retired.
    pub keys: [usize; 3],
    pub active_created: Option<Time>,
    pub newest_created: Option<Time>,
    pub published: Vec<Published>,
}

/// Runs every check. `Err` only for what makes the check itself
/// impossible: an unreadable store (exit 2; see [`Report::unreadable`] for
/// what the metrics say then) or options that do not fit together.
pub fn run(ctx: &Ctx, opts: &Options) -> Result<Report> {
    if let Some(ca) = opts.ca_file
        && !opts
            .published
            .iter()
            .any(|s| s.to_str().is_some_and(fetch::is_url))
    {
        bail!(
            "--ca-file {}: only applies when a --published source is an https:// URL (drop --ca-file)",
            ca.display()
        );
    }
    let sources = published::distinct(opts.published);
    let store = backend::load(ctx)?;
    let mut report = Report::empty(ctx.now, &sources);
    report.store_readable = true;
    let view = StoreView::new(&store, ctx.now);
    report.keys = view.counts();
    report.active_created = view.active.map(|i| store.keys[i].times.created);
    report.newest_created = view.newest.map(|i| store.keys[i].times.created);

    let store_name = ctx.keys.display().to_string();
    let findings = &mut report.findings;
    rules::no_active_key(&view, &store_name, findings);
    rules::rotation_overdue(&view, opts.rotation_period, findings);
    rules::prune_overdue(&view, findings);
    rules::takeover_waiting(&view, findings);
    // A store that is not a local file (a vault: store) has no mode.
    if let Some(path) = ctx.keys.file() {
        rules::store_mode(path, findings);
    }

    // What `jwks` prints for this store now lists every key as it is and
    // nothing else: there is nothing to compare key by key. A file that
    // holds it is known so as it is read, and not read again.
    let matched: Vec<bool> = sources
        .iter()
        .map(|s| published::file_is_public_set_of(s, &store, &view.order))
        .collect();
    let unmatched: Vec<OsString> = (sources.iter().zip(&matched))
        .filter(|(_, matched)| !**matched)
        .map(|(source, _)| source.clone())
        .collect();
    let mut fetched = published::fetch_all(&unmatched, ctx, opts.ca_file).into_iter();
    for ((given, counts), matched) in sources.iter().zip(&mut report.published).zip(matched) {
        let source = &counts.source.clone();
        let bytes = if matched {
            Ok(None)
        } else {
            // One answer per source not matched, in order.
            fetched
                .next()
                .unwrap_or_else(|| Err(anyhow::anyhow!("{source}: not read")))
                .map(Some)
        };
        let (set, lifetime) = match bytes {
            Ok(None) => (Ok(None), Duration::ZERO),
            Ok(Some((bytes, lifetime)))
                if published::is_public_set_of(&bytes[..], &store, &view.order) =>
            {
                (Ok(None), lifetime)
            }
            Ok(Some((bytes, lifetime))) => (published::parse(source, bytes).map(Some), lifetime),
            Err(e) => (Err(e), Duration::ZERO),
        };
        match set {
            Err(e) => rules::unreachable(&given.to_string_lossy(), source, &e, findings),
            Ok(set) => {
                counts.reachable = true;
                if let Some(set) = set {
                    rules::compare(&view, opts.cache_ttl, source, &set.keys, counts, findings);
                    rules::not_keys(source, set.not_keys, counts, findings);
                }
                rules::published_cache_long(&view, source, lifetime, findings);
            }
        }
    }
    Ok(report)
}

impl Report {
    fn empty(now: Time, sources: &[OsString]) -> Report {
        Report {
            now,
            store_readable: false,
            findings: Vec::new(),
            keys: [0; 3],
            active_created: None,
            newest_created: None,
            published: sources
                .iter()
                .map(|s| Published {
                    source: published::shown(&s.to_string_lossy()),
                    reachable: false,
                    missing: 0,
                    pending_missing: 0,
                    unknown: 0,
                })
                .collect(),
        }
    }

    /// What the metrics say when the store cannot be read: not healthy,
    /// not readable, and every other series 0, so a stale file never keeps
    /// reporting health.
    pub fn unreadable(now: Time, published: &[OsString]) -> Report {
        Report::empty(now, &published::distinct(published))
    }

    pub fn ok(&self) -> bool {
        self.store_readable && self.findings.is_empty()
    }
}

/// The store as the checks look at it, derived once.
struct StoreView<'a> {
    store: &'a KeyStore,
    now: Time,
    /// Each key's state, retirement and prunable time, in store order.
    keys: Vec<KeyView>,
    /// Key indices in `jwks` order.
    order: Vec<usize>,
    active: Option<usize>,
    pending: Option<usize>,
    newest: Option<usize>,
}

impl<'a> StoreView<'a> {
    fn new(store: &'a KeyStore, now: Time) -> StoreView<'a> {
        let keys = store.view(now);
        let first = |state| keys.iter().position(|k| k.state == state);
        StoreView {
            store,
            now,
            order: store.ordered_in(&keys),
            active: first(State::Active),
            pending: first(State::Pending),
            newest: (0..store.keys.len()).max_by_key(|&i| store.keys[i].times.created),
            keys,
        }
    }

    fn counts(&self) -> [usize; 3] {
        let n = |state| self.keys.iter().filter(|k| k.state == state).count();
        [n(State::Active), n(State::Pending), n(State::Retired)]
    }

    fn kid(&self, i: usize) -> &str {
        self.store.keys[i].kid()
    }
}
