//! One module per subcommand: each turns its arguments into calls on the
//! library and its results into output.

pub mod check;
pub mod completions;
pub mod export;
pub mod fixtures;
pub mod import;
pub mod inspect;
pub mod jwks;
pub mod keygen;
pub mod list;
pub mod prune;
pub mod revoke;
pub mod rotate;
pub mod serve;
pub mod sign;
pub mod verify;

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};

use crate::alg::{Alg, RSA_BITS};
use crate::backend;
use crate::cli::NewKeyArgs;
use crate::context::Ctx;
use crate::output::Output;
use crate::signer::{SignerKey, SignerRef};
use crate::signing;
use crate::store::{KeyStore, StoredKey};

/// Makes the key `keygen`, `rotate` or `revoke` asked for, dated now.
/// Without `--alg`, `--bits` and `--signer`, the defaults are `like`'s
/// algorithm, RSA size and signer (the active key's, for `rotate`).
pub fn generate_key(args: &NewKeyArgs, like: Option<&StoredKey>, ctx: &Ctx) -> Result<StoredKey> {
    let alg = args.alg.or(like.map(|k| k.alg)).unwrap_or(Alg::Rs256);
    if args.bits.is_some() && !alg.is_rsa() {
        bail!(
            "--bits applies to RSA keys only, and {alg} is not RSA (drop --bits, or choose an RS or PS algorithm)"
        );
    }
    let like_bits = like
        .filter(|k| k.alg.is_rsa())
        .and_then(|k| k.jwk.rsa_bits())
        .and_then(|b| u32::try_from(b).ok())
        .filter(|b| RSA_BITS.contains(b));
    let signer = args
        .signer
        .clone()
        .or_else(|| like.and_then(|k| k.signer.as_ref()).map(|s| s.key.clone()));
    signing::new_key(
        (&ctx.store).into(),
        ctx.now,
        alg,
        args.bits.or(like_bits).unwrap_or(2048),
        args.kid.as_deref(),
        signer.as_ref(),
    )
}

/// What `prune` and `revoke` need before they change the store: that the
/// token may destroy versions of every signer key the store names or
/// records. Nothing to check (and no request) for a store of local keys.
pub fn check_may_destroy(ctx: &Ctx, store: &KeyStore, command: &str) -> Result<()> {
    let keys = signing::destroyable(store);
    if keys.is_empty() {
        return Ok(());
    }
    signing::check_may_destroy((&ctx.store).into(), &keys, command)
}

/// After `prune` or `revoke` saved the store: destroys in the signers
/// every version below `floors`, then forgets the recorded versions that
/// are gone now (a second write, only when there are such), and says
/// what was destroyed and what waits.
pub fn destroy_removed(
    ctx: &Ctx,
    out: &mut Output,
    floors: &BTreeMap<SignerKey, u64>,
    recorded: &[SignerRef],
) -> Result<()> {
    if floors.is_empty() {
        return Ok(());
    }
    let reached = signing::destroy((&ctx.store).into(), floors)?;
    for (key, (floor, changed)) in &reached {
        if *changed {
            out.status(format_args!(
                "destroyed every version of {key} below {floor}: the removed keys can no longer sign"
            ));
        }
    }
    let floors: BTreeMap<SignerKey, u64> = reached
        .into_iter()
        .map(|(k, (floor, _))| (k, floor))
        .collect();
    let gone = |r: &SignerRef| floors.get(&r.key).is_some_and(|f| r.version < *f);
    if recorded.iter().any(gone) {
        backend::update(ctx, |store, _| Ok(store.forget_destroyed(&floors)))?;
    }
    for waiting in recorded.iter().filter(|r| !gone(r)) {
        out.status(format_args!(
            "{waiting} is not destroyed yet: the engine keeps it while it is the latest version or an older one is in the store; a later 'jwkctl prune' destroys it"
        ));
    }
    Ok(())
}

/// Prints the kid of a change that is already saved. If stdout fails now,
/// the message says the change happened, so a script does not redo it.
pub fn print_saved_kid(out: &mut Output, kid: &str) -> Result<()> {
    out.data(kid)
        .and_then(|()| out.flush())
        .context("the store was changed, but the new kid could not be printed (see 'jwkctl list' before retrying)")
}
