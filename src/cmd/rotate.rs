use anyhow::{Result, bail};

use crate::await_published;
use crate::backend;
use crate::cli::RotateArgs;
use crate::clock::{self, Time};
use crate::context::Ctx;
use crate::error::Outcome;
use crate::output::Output;
use crate::store::KeyStore;
use crate::store::takeover::Await;

/// Why a rotation is not due yet, if it is not.
fn not_due(store: &KeyStore, args: &RotateArgs, now: Time) -> Option<String> {
    let older_than = args.if_older_than?;
    let newest = store.keys.iter().max_by_key(|k| k.times.created)?;
    let due_at = clock::add(newest.times.created, older_than).ok()?;
    (now <= due_at).then(|| {
        format!(
            "nothing to do: the newest key {} was created {}, rotation is due after {}",
            newest.kid(),
            clock::format(newest.times.created),
            clock::format(due_at)
        )
    })
}

/// What makes a pending key reach verifiers before it signs.
pub const PUBLISH: &str =
    "publish it now, so caches hold it before it signs: jwkctl jwks --out FILE";

pub fn run(args: &RotateArgs, ctx: &Ctx, out: &mut Output) -> Result<Outcome> {
    if args.max_ttl.is_some_and(|t| t.is_zero()) {
        bail!("--max-ttl must be longer than 0s (like 1h or 24h)");
    }
    // `--publish-ahead 0s` is a plain rotation.
    let ahead = args.publish_ahead.filter(|d| !d.is_zero());
    if let (Some(ahead), Some(period)) = (ahead, args.if_older_than)
        && ahead >= period
    {
        // The key added on a due day would still be pending on the next
        // one, and that rotation would be refused every time.
        bail!(
            "--publish-ahead {} must be shorter than --if-older-than {} (publish a day or so ahead of a longer period)",
            clock::show_duration(ahead),
            clock::show_duration(period)
        );
    }
    if args.skip_await {
        return await_published::skip(ctx, out).map(|()| Outcome::Done);
    }
    await_published::check_sources(&args.await_published)?;
    // Look first, without the lock: a daily cron run that is not due must
    // not pay for a new RSA key. A store being adopted goes on, so that its
    // first run records the keys' times (and the next one counts from them).
    let store = backend::load(ctx)?;
    await_published::confirm(ctx, args.ca_file.as_deref(), &store, out)?;
    if let Some(why) = not_due(&store, args, ctx.now).filter(|_| !store.adopting) {
        out.status(why);
        return Ok(Outcome::Done);
    }
    let like = store
        .active(ctx.now)
        .or_else(|| store.keys.first().map(|_| 0));
    let mut key = super::generate_key(&args.key, like.map(|i| &store.keys[i]), ctx)?;
    let (alg, kid) = (key.alg, key.kid().to_owned());
    if !args.await_published.is_empty() {
        key.times.takeover = Some(Box::new(Await::new(args.await_published.clone())));
    }
    // Not held while the store is read again: a store of 16 MiB of tiny
    // members costs ten times that in memory, and twice would be too much.
    drop(store);

    // Decide again under the lock, at the time it was obtained: another
    // rotate may have run meanwhile.
    let rotated = backend::update(ctx, |store, now| {
        if let Some(why) = not_due(store, args, now) {
            return Ok(Err(why));
        }
        let previous = store.active(now).map(|i| store.keys[i].kid().to_owned());
        // Before the new key joins: it never signed under the old limit.
        if let Some(max_ttl) = args.max_ttl {
            store.set_max_ttl(max_ttl);
        }
        store.add_key(key.stamped(now), now, ahead)?;
        Ok(Ok((previous, now)))
    })?;
    match rotated {
        Err(why) => out.status(why),
        Ok((previous, now)) => {
            super::print_saved_kid(out, &kid)?;
            let from = clock::ceil_second(clock::add(now, ahead.unwrap_or_default())?);
            let retires = previous
                .map(|p| format!("; {p} retires then"))
                .unwrap_or_default();
            if !args.await_published.is_empty() {
                out.status(format_args!(
                    "added pending {alg} key {kid}: signs from {} or later, once every --await-published source lists it and its caches expired{retires} ({PUBLISH})",
                    clock::format(from)
                ));
            } else if ahead.is_some() {
                out.status(format_args!(
                    "added pending {alg} key {kid}: signs from {}{retires} ({PUBLISH})",
                    clock::format(from)
                ));
            } else {
                out.status(format_args!(
                    "added {alg} key {kid}: signs from now{retires}"
                ));
            }
        }
    }
    Ok(Outcome::Done)
}
