//! `rotate --await-published`: looks at the sources a waiting key names,
//! records the confirmation once every one of them lists the key, and
//! says on stderr which do not; `rotate --skip-await` ends the wait.

use std::path::Path;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};

use crate::backend;
use crate::clock;
use crate::context::Ctx;
use crate::fetch;
use crate::output::Output;
use crate::source;
use crate::store::KeyStore;
use crate::store::awaiting::{self, Waiting};

/// Refuses a source that could never confirm anything, before it is
/// recorded on a key and fetched by every later run.
pub fn check_sources(sources: &[String]) -> Result<()> {
    for source in sources {
        if fetch::is_url(source) {
            let authority = source
                .split_once("://")
                .map_or("", |(_, rest)| rest.split('/').next().unwrap_or(""));
            if authority.contains('@') {
                bail!(
                    "--await-published: a URL with credentials (user:password@host) is never fetched (give the URL verifiers use)"
                );
            }
            fetch::check_url(source).map_err(|why| anyhow!("--await-published {source}: {why}"))?;
        } else if source.contains("://") {
            bail!(
                "--await-published {source}: only https:// URLs (http:// for loopback hosts) and files are published sources"
            );
        } else if source.is_empty() {
            bail!("--await-published: a source is empty (give a file or URL)");
        }
    }
    Ok(())
}

/// What one source showed.
enum Seen {
    /// Lists the key; caches of it may keep an older set this long.
    Lists(Duration),
    /// Readable, without the key.
    Lacks,
    /// Not readable as a JWK Set: counts as not showing the key.
    Unreadable(String),
}

/// The first step of every `rotate` run: when the pending key waits for
/// its sources, fetch each, and record the confirmation once every one
/// lists the key; otherwise name each source that does not. Nothing is
/// fetched when no key waits.
pub fn confirm(
    ctx: &Ctx,
    ca_file: Option<&Path>,
    store: &KeyStore,
    out: &mut Output,
) -> Result<()> {
    let Some(waiting) = store.unconfirmed(ctx.now) else {
        return Ok(());
    };
    let key = &store.keys[waiting.index];
    let seen = look_all(&waiting.sources, ctx, ca_file, |set| {
        awaiting::lists(set, &key.jwk)
    });
    let lacking: Vec<String> = waiting
        .sources
        .iter()
        .zip(&seen)
        .filter_map(|(source, seen)| match seen {
            Seen::Lists(_) => None,
            Seen::Lacks => Some(format!("{source} does not list it yet")),
            Seen::Unreadable(why) => Some(why.clone()),
        })
        .collect();
    let signs_from = key.times.signs_from;
    if !lacking.is_empty() {
        let due = signs_from <= ctx.now;
        for why in lacking {
            let line = if due {
                let active = store.active(ctx.now).map_or_else(
                    || "no key".to_owned(),
                    |a| format!("key {}", store.keys[a].kid()),
                );
                format!(
                    "pending key {} was due to sign from {} and waits: {why}; {active} keeps signing until every --await-published source lists it (publish the set there, or end the wait with 'jwkctl rotate --skip-await')",
                    waiting.kid,
                    clock::format(signs_from)
                )
            } else {
                format!(
                    "pending key {}: {why}; it signs from {} only once every --await-published source lists it",
                    waiting.kid,
                    clock::format(signs_from)
                )
            };
            if due {
                out.error(line);
            } else {
                out.status(line);
            }
        }
        return Ok(());
    }
    let lifetime = seen
        .iter()
        .filter_map(|s| match s {
            Seen::Lists(lifetime) => Some(*lifetime),
            _ => None,
        })
        .max()
        .unwrap_or_default();
    record(ctx, &waiting, lifetime, out)
}

/// Writes the confirmation; a host that confirmed first wins, and this one
/// changes nothing.
fn record(ctx: &Ctx, waiting: &Waiting, lifetime: Duration, out: &mut Output) -> Result<()> {
    let takes_over = backend::update(ctx, |store, now| {
        store.confirm_await(&waiting.kid, &waiting.sources, now, lifetime);
        let times = store.find(&waiting.kid).map(|i| &store.keys[i].times);
        Ok(times.and_then(|t| {
            let recorded = t.takeover.as_ref()?.cache_lifetime?;
            Some((t.takes_over()?, recorded))
        }))
    })?;
    let Some((at, lifetime)) = takes_over else {
        return Ok(());
    };
    let sources = match waiting.sources.len() {
        1 => "its --await-published source lists".to_owned(),
        n => format!("all {n} --await-published sources list"),
    };
    out.status(format_args!(
        "{sources} pending key {}; caches may hold the previous set for {}: it signs from {}",
        waiting.kid,
        clock::show_duration(lifetime),
        clock::format(at)
    ));
    Ok(())
}

/// `rotate --skip-await`.
pub fn skip(ctx: &Ctx, out: &mut Output) -> Result<()> {
    let skipped = backend::update(ctx, |store, now| {
        Ok(store.skip_await(now).map(|kid| {
            let from = store
                .find(&kid)
                .and_then(|i| store.keys[i].times.takes_over())
                .unwrap_or(now);
            (kid, from)
        }))
    })?;
    match skipped {
        Some((kid, from)) => out.error(format_args!(
            "ended the wait of pending key {kid}: it signs from {}, though verifiers and caches may not hold it yet (they reject its tokens until they fetch the set again)",
            clock::format(from)
        )),
        None => out.status("nothing to do: no pending key waits for its --await-published sources"),
    }
    Ok(())
}

/// Fetches every source at once, each with its own time budget.
fn look_all(
    sources: &[String],
    ctx: &Ctx,
    ca_file: Option<&Path>,
    lists: impl Fn(&[u8]) -> Result<bool> + Sync,
) -> Vec<Seen> {
    let look = |source: &String| match source::read_fresh(source, ctx, ca_file, "--await-published")
    {
        Err(e) => Seen::Unreadable(format!("{e:#}").replace("--jwks", "--await-published")),
        Ok((bytes, lifetime)) => match lists(&bytes) {
            Ok(true) => Seen::Lists(lifetime),
            Ok(false) => Seen::Lacks,
            Err(e) => Seen::Unreadable(format!("{source}: {e:#}")),
        },
    };
    if sources.len() <= 1 {
        return sources.iter().map(look).collect();
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = sources.iter().map(|s| scope.spawn(|| look(s))).collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Seen::Unreadable("reading this source failed unexpectedly".into())
                })
            })
            .collect()
    })
}
