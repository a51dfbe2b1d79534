use anyhow::Result;

use crate::backend;
use crate::cli::{NewKeyArgs, RevokeArgs};
use crate::context::Ctx;
use crate::error::Outcome;
use crate::output::Output;
use crate::store::{State, StoredKey};

/// A new key like `revoked`, as `rotate` would make it (with its signer).
fn replacement_for(revoked: &StoredKey, ctx: &Ctx) -> Result<StoredKey> {
    let fresh = NewKeyArgs {
        alg: None,
        bits: None,
        kid: None,
        signer: None,
    };
    super::generate_key(&fresh, Some(revoked), ctx)
}

pub fn run(args: &RevokeArgs, ctx: &Ctx, out: &mut Output) -> Result<Outcome> {
    // Make a needed replacement before taking the lock: an RSA key can take
    // seconds, and other writers wait on the lock.
    let store = backend::load(ctx)?;
    super::check_may_destroy(ctx, &store, "revoke")?;
    let ready = match store.select(Some(&args.kid), ctx.now) {
        Ok((i, State::Active)) if store.pending(ctx.now).is_none() => {
            Some(replacement_for(&store.keys[i], ctx)?)
        }
        _ => None,
    };
    // Not held while the store is read again (as in `rotate`).
    drop(store);
    let (replacement, floors, recorded) = backend::update(ctx, |store, now| {
        let signer = store
            .find(&args.kid)
            .and_then(|i| store.keys[i].signer.as_deref().cloned());
        let replacement = store.revoke(&args.kid, now, |revoked| match &ready {
            Some(key) => Ok(key.stamped(now)),
            None => Ok(replacement_for(revoked, ctx)?.stamped(now)),
        })?;
        store.record_removed(signer.into_iter().collect());
        Ok((replacement, store.destroy_floors(), store.destroy.clone()))
    })?;
    match replacement {
        Some(kid) => {
            super::print_saved_kid(out, &kid)?;
            out.status(format_args!(
                "revoked {}; {kid} signs from now (publish with 'jwkctl jwks --out ...')",
                args.kid
            ));
        }
        None => out.status(format_args!(
            "revoked {} (publish with 'jwkctl jwks --out ...')",
            args.kid
        )),
    }
    super::destroy_removed(ctx, out, &floors, &recorded)?;
    Ok(Outcome::Done)
}
