//! `jwkctl check`: whether rotation and publication are healthy, judged
//! from the store (read without its lock, so monitoring never blocks a
//! rotation) and from the JWK Sets verifiers actually fetch.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use serde_json::json;

use crate::backend;
use crate::clock::{self, Time};
use crate::context::Ctx;
use crate::fetch;
use crate::jwk::Jwk;
use crate::keyset::document::{self, Keys};
use crate::source;
use crate::store::{KeyStore, State};

/// The margin past `--rotation-period` and past a key's prunable time
/// before a stopped job is reported: a daily cron job may run a little late.
pub const SLACK: Duration = Duration::from_secs(86_400);

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
}

impl Check {
    pub const ALL: [Check; 9] = [
        Check::NoActiveKey,
        Check::RotationOverdue,
        Check::PruneOverdue,
        Check::StoreMode,
        Check::PublishedUnreachable,
        Check::PublishedMissing,
        Check::PublishedPendingMissing,
        Check::PublishedUnknownKey,
        Check::PublishedPrivate,
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
    pub published: &'a [String],
    pub ca_file: Option<&'a Path>,
    pub rotation_period: Option<Duration>,
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
        && !opts.published.iter().any(|s| fetch::is_url(s))
    {
        bail!(
            "--ca-file {}: only applies when a --published source is an https:// URL (drop --ca-file)",
            ca.display()
        );
    }
    let sources = distinct(opts.published);
    let store = backend::load(ctx)?;
    let mut report = Report::empty(ctx.now, &sources);
    report.store_readable = true;
    let view = StoreView::new(&store, ctx.now);
    report.keys = view.counts();
    report.active_created = view.active.map(|i| store.keys[i].times.created);
    report.newest_created = view.newest.map(|i| store.keys[i].times.created);

    let store_name = ctx.keys.display().to_string();
    let findings = &mut report.findings;
    no_active_key(&view, &store_name, findings);
    rotation_overdue(&view, opts.rotation_period, findings);
    prune_overdue(&view, findings);
    // A store that is not a local file (a vault: store) has no mode.
    if let Some(path) = ctx.keys.file() {
        store_mode(path, findings);
    }

    let fetched = fetch_all(&sources, ctx, opts.ca_file);
    for ((given, published), bytes) in sources.iter().zip(&mut report.published).zip(fetched) {
        let source = &published.source.clone();
        let set = bytes.and_then(|bytes| parse_published(source, &bytes));
        match set {
            Err(e) => {
                // The fetch code speaks to `verify --jwks`; here the option
                // the user wrote is --published.
                let why = format!("{e:#}").replace("--jwks", "--published");
                let why = match why.strip_prefix(given.as_str()) {
                    Some(rest) => format!("{source}{rest}"),
                    None => format!("{source}: {why}"),
                };
                findings.push(Finding {
                    level: Level::Critical,
                    check: Check::PublishedUnreachable,
                    kid: None,
                    source: Some(source.to_owned()),
                    message: format!(
                        "{why}: verifiers that fetch this set get no current keys from it and reject tokens they cannot match; make it readable again, then run 'jwkctl check' again"
                    ),
                });
            }
            Ok(set) => {
                published.reachable = true;
                compare(&view, opts.cache_ttl, source, &set, published, findings);
            }
        }
    }
    Ok(report)
}

impl Report {
    fn empty(now: Time, sources: &[String]) -> Report {
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
                    source: shown(s),
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
    pub fn unreadable(now: Time, published: &[String]) -> Report {
        Report::empty(now, &distinct(published))
    }

    pub fn ok(&self) -> bool {
        self.store_readable && self.findings.is_empty()
    }

    fn count(&self, level: Level) -> usize {
        self.findings.iter().filter(|f| f.level == level).count()
    }

    /// One `LEVEL CHECK: message` line per finding; nothing when healthy.
    pub fn text(&self) -> String {
        let mut text = String::new();
        for f in &self.findings {
            let line = format!("{} {}: {}", f.level.name(), f.check.name(), f.message);
            text.push_str(&printable(&line));
            text.push('\n');
        }
        text
    }

    /// One JSON object per finding and line.
    pub fn json_lines(&self) -> String {
        let mut text = String::new();
        for f in &self.findings {
            let line = json!({
                "level": f.level.name(),
                "check": f.check.name(),
                "kid": f.kid,
                "source": f.source,
                "message": f.message,
            });
            text.push_str(&line.to_string());
            text.push('\n');
        }
        text
    }

    /// The Prometheus text exposition format (version 0.0.4), every series
    /// present whatever its value.
    pub fn prometheus(&self) -> String {
        let mut m = Metrics(String::new());
        m.family(
            "jwkctl_check_ok",
            "1 when jwkctl check found nothing, 0 when it found a problem or could not read the key store.",
        );
        m.sample("jwkctl_check_ok", &[], u64::from(self.ok()));
        m.family(
            "jwkctl_store_readable",
            "1 when the key store could be read, else 0 (and every other series is 0).",
        );
        m.sample("jwkctl_store_readable", &[], u64::from(self.store_readable));
        m.family(
            "jwkctl_check_timestamp_seconds",
            "When the check ran (Unix time; the --now time when one was given).",
        );
        m.sample(
            "jwkctl_check_timestamp_seconds",
            &[],
            clock::unix_secs(self.now),
        );
        m.family("jwkctl_findings", "Findings of the last check, by level.");
        for level in Level::ALL {
            m.sample(
                "jwkctl_findings",
                &[("level", level.name())],
                self.count(level),
            );
        }
        m.family(
            "jwkctl_check_findings",
            "Findings of the last check, by check.",
        );
        for check in Check::ALL {
            let n = self.findings.iter().filter(|f| f.check == check).count();
            m.sample("jwkctl_check_findings", &[("check", check.name())], n);
        }
        m.family("jwkctl_keys", "Keys in the store, by state.");
        for (state, n) in ["active", "pending", "retired"].iter().zip(self.keys) {
            m.sample("jwkctl_keys", &[("state", state)], n);
        }
        let time = |t: Option<Time>| t.map_or(0, clock::unix_secs);
        m.family(
            "jwkctl_active_key_created_timestamp_seconds",
            "When the key that signs now was created (Unix time; 0 when no key signs).",
        );
        m.sample(
            "jwkctl_active_key_created_timestamp_seconds",
            &[],
            time(self.active_created),
        );
        m.family(
            "jwkctl_newest_key_created_timestamp_seconds",
            "When the newest key of the store was created (Unix time; 0 when there is none).",
        );
        m.sample(
            "jwkctl_newest_key_created_timestamp_seconds",
            &[],
            time(self.newest_created),
        );
        let per_source: [(&str, &str, PerSource); 4] = [
            (
                "jwkctl_published_reachable",
                "1 when the published source could be read as a JWK Set, else 0.",
                |p| usize::from(p.reachable),
            ),
            (
                "jwkctl_published_missing_keys",
                "Keys that may have live tokens (active, or retired and not yet prunable) missing from the published set.",
                |p| p.missing,
            ),
            (
                "jwkctl_published_pending_missing_keys",
                "The pending key, when the published set lacks it (0 or 1).",
                |p| p.pending_missing,
            ),
            (
                "jwkctl_published_unknown_keys",
                "Keys in the published set that are not in the store (revoked, pruned or foreign).",
                |p| p.unknown,
            ),
        ];
        for (name, help, value) in per_source {
            m.family(name, help);
            for p in &self.published {
                m.sample(name, &[("source", &p.source)], value(p));
            }
        }
        m.0
    }
}

/// One per-source series' value.
type PerSource = fn(&Published) -> usize;

/// Text in the exposition format, every family a gauge.
struct Metrics(String);

impl Metrics {
    fn family(&mut self, name: &str, help: &str) {
        let _ = writeln!(self.0, "# HELP {name} {help}");
        let _ = writeln!(self.0, "# TYPE {name} gauge");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
        self.0.push_str(name);
        if !labels.is_empty() {
            let labels: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", label_value(v)))
                .collect();
            let _ = write!(self.0, "{{{}}}", labels.join(","));
        }
        let _ = writeln!(self.0, " {value}");
    }
}

/// A label value as the exposition format escapes it.
fn label_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// A line safe for a terminal or a log: kids and server messages come from
/// outside, so control characters are shown escaped, never sent.
fn printable(line: &str) -> String {
    if !line.chars().any(char::is_control) {
        return line.to_owned();
    }
    line.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A source as findings and metrics name it: a URL's user and password
/// (refused by the fetch anyway) never reach a world-readable metrics file.
fn shown(source: &str) -> String {
    if !fetch::is_url(source) {
        return source.to_owned();
    }
    let Some((scheme, rest)) = source.split_once("://") else {
        return source.to_owned();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://***@{host}{}", &rest[end..]),
        None => source.to_owned(),
    }
}

/// The sources in the order given, each once (one metric series each).
fn distinct(sources: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    sources
        .iter()
        .filter(|s| seen.insert(s.as_str()))
        .cloned()
        .collect()
}

/// Each source with its own time budget, all at once, so one slow server
/// does not eat another's time.
fn fetch_all(sources: &[String], ctx: &Ctx, ca_file: Option<&Path>) -> Vec<Result<Vec<u8>>> {
    let read = |s: &String| source::read(s, ctx, ca_file, "");
    if sources.len() <= 1 {
        return sources.iter().map(read).collect();
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = sources
            .iter()
            .map(|s| scope.spawn(move || read(s)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow!("reading this source failed unexpectedly")))
            })
            .collect()
    })
}

/// The keys of a published JWK Set. A single JWK or anything else is not
/// a JWK Set; an element that is not an object is kept, as a key that
/// matches nothing in the store.
fn parse_published(source: &str, bytes: &[u8]) -> Result<Vec<Jwk>> {
    let remedy = if fetch::is_url(source) {
        "check that the URL serves the JWK Set"
    } else {
        "publish it with 'jwkctl jwks --out FILE'"
    };
    let not_a_set = |what: &str| anyhow!("{source}: not a JWK Set ({what}; {remedy})");
    match document::parse_set(bytes) {
        Ok(Some(doc)) => match doc.keys {
            Keys::Array(keys) => Ok(keys.into_iter().map(Option::unwrap_or_default).collect()),
            Keys::NotArray => Err(not_a_set("\"keys\" is not an array")),
            Keys::Missing => Err(not_a_set("no \"keys\" array")),
        },
        Ok(None) => Err(not_a_set("not a JSON object")),
        // A repeated member name or a kid that is not a string: say which.
        Err(e) if e.is_data() => Err(not_a_set(&e.to_string())),
        Err(_) => Err(not_a_set("not valid JSON")),
    }
}

/// The store as the checks look at it, derived once.
struct StoreView<'a> {
    store: &'a KeyStore,
    now: Time,
    states: Vec<State>,
    /// Key indices in `jwks` order.
    order: Vec<usize>,
    active: Option<usize>,
    pending: Option<usize>,
    newest: Option<usize>,
    retired: Vec<Option<Time>>,
    /// When `prune` may remove each key, as `list` shows it.
    prunable: Vec<Option<Time>>,
}

impl<'a> StoreView<'a> {
    fn new(store: &'a KeyStore, now: Time) -> StoreView<'a> {
        let view = store.view(now);
        let states: Vec<State> = view.iter().map(|k| k.state).collect();
        StoreView {
            store,
            now,
            order: store.ordered_in(&view),
            active: states.iter().position(|s| *s == State::Active),
            pending: states.iter().position(|s| *s == State::Pending),
            newest: (0..store.keys.len()).max_by_key(|&i| store.keys[i].times.created),
            retired: view.iter().map(|k| k.retired).collect(),
            prunable: view.iter().map(|k| k.prunable).collect(),
            states,
        }
    }

    fn counts(&self) -> [usize; 3] {
        let n = |state| self.states.iter().filter(|s| **s == state).count();
        [n(State::Active), n(State::Pending), n(State::Retired)]
    }

    fn kid(&self, i: usize) -> &str {
        self.store.keys[i].kid()
    }

    /// Whether key `i` may still have unexpired tokens out there.
    fn live(&self, i: usize) -> bool {
        match self.states[i] {
            State::Active => true,
            State::Pending => false,
            State::Retired => self.prunable[i].is_none_or(|t| self.now <= t),
        }
    }
}

fn finding(
    level: Level,
    check: Check,
    kid: Option<&str>,
    source: Option<&str>,
    message: String,
) -> Finding {
    Finding {
        level,
        check,
        kid: kid.map(str::to_owned),
        source: source.map(str::to_owned),
        message,
    }
}

fn no_active_key(view: &StoreView, store_name: &str, findings: &mut Vec<Finding>) {
    if view.active.is_some() {
        return;
    }
    let now = clock::format(view.now);
    let message = match view.pending {
        Some(p) => {
            let kid = view.kid(p);
            format!(
                "{store_name} has no key that signs at {now}; pending key {kid} signs only from {}: every 'jwkctl sign' fails until then, so no service can issue tokens; if tokens are needed sooner, run 'jwkctl revoke {kid}' and 'jwkctl rotate'",
                clock::format(view.store.keys[p].times.signs_from)
            )
        }
        None => format!(
            "{store_name} has no key that signs at {now}: every 'jwkctl sign' fails, so no service can issue tokens; run 'jwkctl rotate' to add one"
        ),
    };
    findings.push(finding(
        Level::Critical,
        Check::NoActiveKey,
        None,
        None,
        message,
    ));
}

fn rotation_overdue(view: &StoreView, period: Option<Duration>, findings: &mut Vec<Finding>) {
    let (Some(period), Some(newest)) = (period, view.newest) else {
        return;
    };
    let created = view.store.keys[newest].times.created;
    let Ok(due) = clock::add(created, period.saturating_add(SLACK)) else {
        return;
    };
    if view.now <= due {
        return;
    }
    let kid = view.kid(newest);
    let period = clock::show_duration(period);
    findings.push(finding(
        Level::Warning,
        Check::RotationOverdue,
        Some(kid),
        None,
        format!(
            "the newest key {kid} was created {} ({} ago), more than the rotation period {period} plus 1 day: the rotation job has stopped, and the active key signs past its planned life; check the cron job or timer that runs 'jwkctl rotate --if-older-than {period}'",
            clock::format(created),
            ago(view.now, created)
        ),
    ));
}

fn prune_overdue(view: &StoreView, findings: &mut Vec<Finding>) {
    for &i in &view.order {
        let Some(prunable) = view.prunable[i] else {
            continue;
        };
        let Ok(overdue) = clock::add(prunable, SLACK) else {
            continue;
        };
        if view.now <= overdue {
            continue;
        }
        let kid = view.kid(i);
        findings.push(finding(
            Level::Warning,
            Check::PruneOverdue,
            Some(kid),
            None,
            format!(
                "key {kid} has been prunable since {} ({} ago): the prune job has stopped, so retired keys pile up in the store and in the published set; check the cron job or timer that runs 'jwkctl prune'",
                clock::format(prunable),
                ago(view.now, prunable)
            ),
        ));
    }
}

fn store_mode(path: &Path, findings: &mut Vec<Finding>) {
    let Some(mode) = crate::fsio::existing_mode(path) else {
        return;
    };
    let (read, write) = (mode & 0o044 != 0, mode & 0o022 != 0);
    let (what, risk) = match (read, write) {
        (true, true) => (
            "readable and writable",
            "whoever can read it can sign tokens as this issuer, and whoever can write it can replace the keys",
        ),
        (true, false) => (
            "readable",
            "whoever can read it can sign tokens as this issuer",
        ),
        (false, true) => ("writable", "whoever can write it can replace the keys"),
        (false, false) => return,
    };
    let path = path.display();
    findings.push(finding(
        Level::Warning,
        Check::StoreMode,
        None,
        None,
        format!(
            "{path} is {what} by group or others (mode {:04o}): {risk}; run 'chmod 600 {path}'",
            mode & 0o7777
        ),
    ));
}

/// Compares one published set with the store.
fn compare(
    view: &StoreView,
    cache_ttl: Duration,
    source: &str,
    set: &[Jwk],
    counts: &mut Published,
    findings: &mut Vec<Finding>,
) {
    let mut by_kid: HashMap<&str, Vec<usize>> = HashMap::new();
    for (j, key) in set.iter().enumerate() {
        if let Some(kid) = key.kid() {
            by_kid.entry(kid).or_default().push(j);
        }
    }
    let republish = if fetch::is_url(source) {
        "run 'jwkctl jwks --out ...' and purge the CDN".to_owned()
    } else {
        format!("run 'jwkctl jwks --out {source}'")
    };
    // Which published keys are store keys, and which store keys are there.
    let mut matched = vec![false; set.len()];
    for &i in &view.order {
        let kid = view.kid(i);
        let same_kid = by_kid.get(kid).map_or(&[][..], Vec::as_slice);
        let found = same_kid
            .iter()
            .find(|&&j| set[j].same_public(&view.store.keys[i].jwk));
        if let Some(&j) = found {
            matched[j] = true;
            continue;
        }
        let note = if same_kid.is_empty() {
            ""
        } else {
            "; the set has other key material under that kid"
        };
        let key = &view.store.keys[i];
        match view.states[i] {
            State::Pending => {
                counts.pending_missing += 1;
                let from = key.times.signs_from;
                let soon = clock::add(view.now, cache_ttl).is_ok_and(|t| from <= t);
                let ttl = clock::show_duration(cache_ttl);
                let (level, consequence) = if soon {
                    (
                        Level::Critical,
                        format!(
                            "verifiers that cache this set for up to {ttl} (--cache-ttl) cannot all hold it by then, and reject its tokens"
                        ),
                    )
                } else {
                    (
                        Level::Warning,
                        format!(
                            "if it is still missing {ttl} (--cache-ttl) before then, verifiers that cache this set reject its tokens"
                        ),
                    )
                };
                findings.push(finding(
                    level,
                    Check::PublishedPendingMissing,
                    Some(kid),
                    Some(source),
                    format!(
                        "{source} lacks pending key {kid}, which signs from {} (in {}{note}): {consequence}; {republish}",
                        clock::format(from),
                        ago(from, view.now)
                    ),
                ));
            }
            _ if !view.live(i) => {}
            State::Active => {
                counts.missing += 1;
                findings.push(finding(
                    Level::Critical,
                    Check::PublishedMissing,
                    Some(kid),
                    Some(source),
                    format!(
                        "{source} lacks key {kid} (active since {}{note}): verifiers that use this set reject every token signed since then; {republish}",
                        clock::format(key.times.signs_from)
                    ),
                ));
            }
            State::Retired => {
                counts.missing += 1;
                let until = view.prunable[i]
                    .map(|t| format!(", its tokens may live until {}", clock::format(t)))
                    .unwrap_or_default();
                let retired = view.retired[i]
                    .map(|t| format!(" (retired {}{until}{note})", clock::format(t)))
                    .unwrap_or_default();
                findings.push(finding(
                    Level::Critical,
                    Check::PublishedMissing,
                    Some(kid),
                    Some(source),
                    format!(
                        "{source} lacks key {kid}{retired}: verifiers that use this set reject its tokens that have not expired yet; {republish}"
                    ),
                ));
            }
        }
    }
    for (j, key) in set.iter().enumerate() {
        let kid = key.kid();
        let shown = kid.map_or_else(|| "without a kid".to_owned(), |k| k.to_owned());
        let private: Vec<&str> = key.private_names().collect();
        if !private.is_empty() {
            findings.push(finding(
                Level::Critical,
                Check::PublishedPrivate,
                kid,
                Some(source),
                format!(
                    "{source} publishes private members ({}) of key {shown}: anyone who fetches this set can sign tokens that its verifiers accept; {republish} at once, and treat the key as leaked ('jwkctl revoke {shown}' if it is in the store)",
                    private.join(" ")
                ),
            ));
        }
        if matched[j] {
            continue;
        }
        counts.unknown += 1;
        let what = if kid.is_some_and(|k| view.store.find(k).is_some()) {
            format!("key {shown} with key material other than the store's key {shown}")
        } else {
            format!("key {shown}, which is not in the store (revoked, pruned or foreign)")
        };
        findings.push(finding(
            Level::Critical,
            Check::PublishedUnknownKey,
            kid,
            Some(source),
            format!(
                "{source} publishes {what}: verifiers that use this set still accept tokens signed with it; {republish}"
            ),
        ));
    }
}

/// How long ago `then` was at `now` (or how long until, swapped), roughly.
fn ago(now: Time, then: Time) -> String {
    let secs = (now - then).whole_seconds().max(0);
    let (n, unit) = match secs {
        s if s >= 2 * 86_400 => (s / 86_400, "days"),
        s if s >= 2 * 3600 => (s / 3600, "hours"),
        s if s >= 120 => (s / 60, "minutes"),
        1 => (1, "second"),
        s => (s, "seconds"),
    };
    format!("{n} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label_value(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(label_value("x\ny"), "x\\ny");
    }

    #[test]
    fn credentials_in_a_url_are_not_shown() {
        assert_eq!(
            shown("https://user:pw@h.example:8443/jwks.json?a=b@c"),
            "https://***@h.example:8443/jwks.json?a=b@c"
        );
        assert_eq!(shown("https://h.example/a@b"), "https://h.example/a@b");
        assert_eq!(shown("dir/a@b.json"), "dir/a@b.json");
    }

    #[test]
    fn control_characters_never_reach_a_line() {
        assert_eq!(printable("kid a\nb\x1b[0m"), "kid a\\nb\\u{1b}[0m");
        assert_eq!(printable("plain"), "plain");
    }

    #[test]
    fn durations_read_roughly() {
        let t = |s| clock::parse_time(s).unwrap();
        let now = t("2026-02-03T00:00:00Z");
        assert_eq!(ago(now, t("2026-01-01T00:00:00Z")), "33 days");
        assert_eq!(ago(now, t("2026-02-02T20:00:00Z")), "4 hours");
        assert_eq!(ago(now, t("2026-02-02T23:55:00Z")), "5 minutes");
        assert_eq!(ago(now, t("2026-02-02T23:59:59Z")), "1 second");
    }
}
