//! `export`: one key of the store as a public JWK or PEM, or with
//! `--private` as a private JWK or PKCS#8 PEM.

use anyhow::{Result, anyhow, bail};
use serde_json::Value;

use crate::backend;
use crate::cli::ExportArgs;
use crate::context::Ctx;
use crate::crypto;
use crate::error::Outcome;
use crate::jwk::PRIVATE_MEMBERS;
use crate::output::Output;
use crate::store::Unselected;

pub fn run(args: &ExportArgs, ctx: &Ctx, out: &mut Output) -> Result<Outcome> {
    let store = backend::load(ctx)?;
    let index = match store.select(args.kid.as_deref(), ctx.now) {
        Ok((i, _)) => i,
        Err(Unselected::NoActiveKey) => bail!(
            "{}: no key signs now (name one: 'jwkctl export KID')",
            ctx.keys.display()
        ),
        Err(Unselected::UnknownKid) => bail!(
            "{}: no key with kid {:?} (see 'jwkctl jwks' for the kids)",
            ctx.keys.display(),
            args.kid.as_deref().unwrap_or_default()
        ),
    };
    let key = &store.keys[index];
    match (args.pem, args.private) {
        (false, false) => out.data(Value::Object(key.jwk.to_public()))?,
        (false, true) => {
            // The public members jwks prints, then the private ones; no
            // bookkeeping and no other members of the store file.
            let mut jwk = key.jwk.to_public();
            let all = key.jwk.to_private_map();
            for name in PRIVATE_MEMBERS {
                if let Some(value) = all.get(name) {
                    jwk.insert(name.to_owned(), value.clone());
                }
            }
            out.data(Value::Object(jwk))?;
        }
        (true, private) => {
            let pem = crypto::to_pem(&key.jwk, private)
                .map_err(|e| anyhow!("key {:?}: {e:#}", key.kid()))?;
            out.data_raw(&pem)?;
        }
    }
    if args.private {
        out.status(format_args!(
            "printed the PRIVATE key {:?}: whoever holds it can sign tokens for this store (keep it as secret as {})",
            key.kid(),
            ctx.keys.display()
        ));
    }
    Ok(Outcome::Done)
}
