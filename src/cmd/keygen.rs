use anyhow::{Result, bail};

use crate::backend;
use crate::cli::KeygenArgs;
use crate::context::Ctx;
use crate::error::Outcome;
use crate::fsio::{self, Target};
use crate::output::Output;
use crate::store::KeyStore;

pub fn run(args: &KeygenArgs, ctx: &Ctx, out: &mut Output) -> Result<Outcome> {
    if args.max_ttl.is_zero() {
        bail!("--max-ttl must be longer than 0s (like 1h or 24h)");
    }
    // A folder is not a store that --force could replace: say what it is
    // before the lock file would be made beside it.
    if let Some(path) = ctx.keys.file() {
        if fsio::target(path) == Target::Dir {
            bail!(
                "{}: is a directory (choose the store file with -k, like -k {})",
                path.display(),
                path.join("keys.json").display()
            );
        }
        fsio::check_replaceable(path)?;
    }
    // Fail before spending seconds on an RSA key; `create` checks again
    // under the lock.
    backend::refuse_existing(ctx, args.force)?;
    let key = super::generate_key(&args.key, None, ctx)?;
    let (alg, kid) = (key.alg, key.kid().to_owned());
    let mut store = KeyStore::new(args.max_ttl);
    store.keys.push(key);
    backend::create(ctx, &store, args.force)?;
    super::print_saved_kid(out, &kid)?;
    out.status(format_args!(
        "created {} with {alg} key {kid}",
        ctx.keys.display()
    ));
    Ok(Outcome::Done)
}
