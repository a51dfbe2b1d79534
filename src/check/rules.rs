//! The rules of `check`: what counts as wrong with the store and with each
//! published set, at what level, and the message that says what to do.

use std::path::Path;
use std::time::Duration;

use super::{Check, Finding, Level, Published, StoreView};
use crate::clock::{self, Time};
use crate::fetch;
use crate::jwk::Jwk;
use crate::store::State;

/// The margin past `--rotation-period` and past a key's prunable time
/// before a stopped job is reported. A daily job that found nothing to do
/// a few minutes too early acts a day later; and a day's run comes later
/// than the day before's by up to a timer's random delay
/// (`RandomizedDelaySec`) or a daylight saving change: the 2 hours.
/// Caches may hold a set this long when no key was published ahead.
const ONE_DAY: Duration = Duration::from_secs(24 * 3600);
pub const SLACK: Duration = Duration::from_secs(26 * 3600);
/// [`SLACK`] as messages say it.
const SLACK_TEXT: &str = "1 day and 2 hours";

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

pub(super) fn no_active_key(view: &StoreView, store_name: &str, findings: &mut Vec<Finding>) {
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

pub(super) fn rotation_overdue(
    view: &StoreView,
    period: Option<Duration>,
    findings: &mut Vec<Finding>,
) {
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
            "the newest key {kid} was created {} ({} ago), more than the rotation period {period} plus {SLACK_TEXT}: the rotation job has stopped, and the active key signs past its planned life; check the cron job or timer that runs 'jwkctl rotate --if-older-than {period}'",
            clock::format(created),
            ago(view.now, created)
        ),
    ));
}

pub(super) fn prune_overdue(view: &StoreView, findings: &mut Vec<Finding>) {
    for &i in &view.order {
        let Some(prunable) = view.keys[i].prunable else {
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

pub(super) fn store_mode(path: &Path, findings: &mut Vec<Finding>) {
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

/// A published source that could not be read as a JWK Set; `given` is the
/// source as the user wrote it, `source` as findings show it.
pub(super) fn unreachable(
    given: &str,
    source: &str,
    error: &anyhow::Error,
    findings: &mut Vec<Finding>,
) {
    // The fetch code speaks to `verify --jwks`; here the option the user
    // wrote is --published.
    let why = format!("{error:#}").replace("--jwks", "--published");
    let why = match why.strip_prefix(given) {
        Some(rest) => format!("{source}{rest}"),
        None => format!("{source}: {why}"),
    };
    findings.push(finding(
        Level::Critical,
        Check::PublishedUnreachable,
        None,
        Some(source),
        format!(
            "{why}: verifiers that fetch this set get no current keys from it and reject tokens they cannot match; make it readable again, then run 'jwkctl check' again"
        ),
    ));
}

/// Compares one published set with the store.
pub(super) fn compare(
    view: &StoreView,
    cache_ttl: Duration,
    source: &str,
    set: &[Jwk],
    counts: &mut Published,
    findings: &mut Vec<Finding>,
) {
    // Sorted, so a kid's keys are one run: no list per kid.
    let mut by_kid: Vec<(&str, usize)> = set
        .iter()
        .enumerate()
        .filter_map(|(j, key)| key.kid().map(|kid| (kid, j)))
        .collect();
    by_kid.sort_unstable();
    let with_kid = |kid: &str| {
        let start = by_kid.partition_point(|(k, _)| *k < kid);
        let end = start + by_kid[start..].partition_point(|(k, _)| *k == kid);
        &by_kid[start..end]
    };
    let republish = republish(source);
    // Which published keys are store keys, and which store keys are there.
    let mut matched = vec![false; set.len()];
    for &i in &view.order {
        let kid = view.kid(i);
        let same_kid = with_kid(kid);
        // A set may list the same key twice (two publishers merged, or a
        // hand edit): every copy is this key, none of them unknown.
        let mut found = false;
        for &(_, j) in same_kid {
            if set[j].same_public(&view.store.keys[i].jwk) {
                matched[j] = true;
                found = true;
            }
        }
        if found {
            continue;
        }
        let note = if same_kid.is_empty() {
            ""
        } else {
            "; the set has other key material under that kid"
        };
        let key = &view.store.keys[i];
        let state = view.keys[i];
        match state.state {
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
            _ if !state.live(view.now) => {}
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
                let until = state
                    .prunable
                    .map(|t| format!(", its tokens may live until {}", clock::format(t)))
                    .unwrap_or_default();
                let retired = state
                    .retired
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

/// The elements of a published set that are no key, as one finding: each
/// would match nothing in the store, and one finding each would cost more
/// than the set (half a million fit in 1 MiB).
pub(super) fn not_keys(
    source: &str,
    count: usize,
    counts: &mut Published,
    findings: &mut Vec<Finding>,
) {
    if count == 0 {
        return;
    }
    counts.unknown += count;
    let what = if count == 1 {
        "an element that is not a key".to_owned()
    } else {
        format!("{count} elements that are not keys")
    };
    let republish = republish(source);
    findings.push(finding(
        Level::Critical,
        Check::PublishedUnknownKey,
        None,
        Some(source),
        format!(
            "{source} publishes {what} (not a JSON object, or one with no \"kty\" and no \"kid\"): verifiers that use this set may refuse it whole; {republish}"
        ),
    ));
}

/// How to put a source's set right.
fn republish(source: &str) -> String {
    if fetch::is_url(source) {
        "run 'jwkctl jwks --out ...' and purge the CDN".to_owned()
    } else {
        format!("run 'jwkctl jwks --out {source}'")
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

/// A pending key past its `signs_from` whose `--await-published` sources
/// have not all listed it: the rotation waits, and the old key signs on.
pub(super) fn takeover_waiting(view: &StoreView, findings: &mut Vec<Finding>) {
    let Some(p) = view.pending else {
        return;
    };
    let key = &view.store.keys[p];
    let Some(wait) = key.times.takeover.as_ref().filter(|w| w.unconfirmed()) else {
        return;
    };
    let from = key.times.signs_from;
    if from > view.now {
        return;
    }
    let kid = view.kid(p);
    let signing = view.active.map_or_else(
        || "no key signs".to_owned(),
        |a| format!("key {} keeps signing", view.kid(a)),
    );
    findings.push(finding(
        Level::Warning,
        Check::TakeoverWaiting,
        Some(kid),
        wait.sources.first().map(String::as_str),
        format!(
            "pending key {kid} was due to sign from {} ({} ago), but not every one of its --await-published sources has listed it: {}; {signing} and the rotation waits; publish the set there (and purge the CDN), then let 'jwkctl rotate' run, or end the wait with 'jwkctl rotate --skip-await'",
            clock::format(from),
            ago(view.now, from),
            wait.sources.join(", ")
        ),
    ));
}

/// A source whose caches may keep the set longer than a new key is
/// published ahead: verifiers may meet its tokens before they hold it.
pub(super) fn published_cache_long(
    view: &StoreView,
    source: &str,
    lifetime: Duration,
    findings: &mut Vec<Finding>,
) {
    let ahead_of = view
        .store
        .keys
        .iter()
        .filter(|k| k.times.signs_from > k.times.created)
        .max_by_key(|k| k.times.created);
    let limit = ahead_of.map_or(ONE_DAY, |k| {
        (k.times.signs_from - k.times.created)
            .try_into()
            .unwrap_or_default()
    });
    if lifetime <= limit {
        return;
    }
    let announced = clock::show_duration(lifetime);
    let (kid, than) = match ahead_of {
        Some(k) => (
            Some(k.kid()),
            format!(
                "the publish-ahead of key {} ({})",
                k.kid(),
                clock::show_duration(limit)
            ),
        ),
        None => (None, "1 day, and no key was published ahead".to_owned()),
    };
    findings.push(finding(
        Level::Warning,
        Check::PublishedCacheLong,
        kid,
        Some(source),
        format!(
            "{source} lets caches keep the set for {announced} (Cache-Control or Expires), longer than {than}: when a new key takes over, caches may still hold a set without it, and verifiers reject its tokens; announce a shorter lifetime there, or rotate with a longer --publish-ahead (or with --await-published {source})"
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

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
