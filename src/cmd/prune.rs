use std::collections::{BTreeMap, HashMap};

use anyhow::{Result, bail};

use crate::backend;
use crate::cli::PruneArgs;
use crate::clock;
use crate::context::Ctx;
use crate::error::Outcome;
use crate::output::Output;
use crate::signer::SignerRef;

pub fn run(args: &PruneArgs, ctx: &Ctx, out: &mut Output) -> Result<Outcome> {
    let (removed, floors, recorded) = if args.dry_run {
        let mut store = backend::load(ctx)?;
        let grace = grace(args, store.min_grace())?;
        (store.prune(ctx.now, grace), BTreeMap::new(), Vec::new())
    } else {
        backend::update(ctx, |store, now| {
            let grace = grace(args, store.min_grace())?;
            // The token must be able to destroy what is removed before
            // anything is: a pruned key must not keep signing in the engine.
            super::check_may_destroy(ctx, store, "prune")?;
            let signers: HashMap<String, SignerRef> = store
                .keys
                .iter()
                .filter_map(|k| Some((k.kid().to_owned(), k.signer.as_deref().cloned()?)))
                .collect();
            let removed = store.prune(now, grace);
            let gone = removed.iter().filter_map(|kid| signers.get(kid).cloned());
            store.record_removed(gone.collect());
            Ok((removed, store.destroy_floors(), store.destroy.clone()))
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
    super::destroy_removed(ctx, out, &floors, &recorded)?;
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
