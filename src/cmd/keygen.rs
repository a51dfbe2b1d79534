use anyhow::{Result, bail};

use crate::backend;
use crate::cli::KeygenArgs;
use crate::context::Ctx;
use crate::error::Outcome;
use crate::output::Output;
use crate::store::{KeyStore, StoredKey};

pub fn run(args: &KeygenArgs, ctx: &Ctx, out: &mut Output) -> Result<Outcome> {
    if args.max_ttl.is_zero() {
        bail!("--max-ttl must be longer than 0s (like 1h or 24h)");
    }
    // Fail before spending seconds on an RSA key; `create` checks again
    // under the lock.
    backend::refuse_existing(ctx, args.force)?;
    let (jwk, alg, kid) = super::generate_key(&args.key, None)?;
    let mut store = KeyStore::new(args.max_ttl);
    store
        .keys
        .push(StoredKey::new(jwk, alg, kid.clone(), ctx.now, ctx.now));
    backend::create(ctx, &store, args.force)?;
    super::print_saved_kid(out, &kid)?;
    out.status(format_args!(
        "created {} with {alg} key {kid}",
        ctx.keys.display()
    ));
    Ok(Outcome::Done)
}
