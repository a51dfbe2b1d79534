use anyhow::{Result, bail};

use crate::backend;
use crate::cli::PruneArgs;
use crate::clock;
use crate::context::Ctx;
use crate::error::Outcome;
use crate::output::Output;

pub fn run(args: &PruneArgs, ctx: &Ctx, out: &mut Output) -> Result<Outcome> {
    let removed = if args.dry_run {
        let mut store = backend::load(ctx)?;
        let grace = grace(args, store.min_grace())?;
        store.prune(ctx.now, grace)
    } else {
        backend::update(ctx, |store, now| {
            let grace = grace(args, store.min_grace())?;
            Ok(store.prune(now, grace))
        })?
    };
    for kid in &removed {
        out.data(kid)?;
    }
    match (removed.len(), args.dry_run) {
        (0, _) => out.status("nothing to prune"),
        (n, true) => out.status(format_args!(
            "dry run: would remove {n} key(s); nothing was changed"
        )),
        (n, false) => out.status(format_args!("removed {n} key(s)")),
    }
    Ok(Outcome::Done)
}

fn grace(args: &PruneArgs, min: std::time::Duration) -> Result<std::time::Duration> {
    match args.older_than {
        None => Ok(min),
        Some(d) if d < min => bail!(
            "--older-than {} is shorter than this store's minimum grace {} (its max token lifetime plus 5m of clock skew): a token signed just before retirement may still be valid",
            clock::show_duration(d),
            clock::show_duration(min)
        ),
        Some(d) => Ok(d),
    }
}
