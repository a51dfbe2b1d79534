use anyhow::Result;

use crate::cli::{NewKeyArgs, RevokeArgs};
use crate::context::Ctx;
use crate::error::Outcome;
use crate::output::Output;
use crate::store::StoredKey;
use crate::storefile;

pub fn run(args: &RevokeArgs, ctx: &Ctx, out: &mut Output) -> Result<Outcome> {
    let replacement = storefile::update(ctx, |store| {
        store.revoke(&args.kid, ctx.now, |revoked| {
            let fresh = NewKeyArgs {
                alg: None,
                bits: None,
                kid: None,
            };
            let (jwk, alg, kid) = super::generate_key(&fresh, Some(revoked))?;
            Ok(StoredKey::new(jwk, alg, kid, ctx.now, ctx.now))
        })
    })?;
    match replacement {
        Some(kid) => {
            out.data(&kid)?;
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
    Ok(Outcome::Done)
}
