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

use anyhow::{Context, Result, anyhow, bail};

use crate::alg::{Alg, RSA_BITS};
use crate::cli::NewKeyArgs;
use crate::crypto::{self, keycheck};
use crate::jwk::Jwk;
use crate::output::Output;
use crate::store::StoredKey;

/// Generates the key `keygen`, `rotate` or `revoke` asked for:
/// `(key, alg, kid)`. Without `--alg` and `--bits`, the defaults are
/// `like`'s algorithm and RSA size (the active key's, for `rotate`).
pub fn generate_key(args: &NewKeyArgs, like: Option<&StoredKey>) -> Result<(Jwk, Alg, String)> {
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
    let jwk = crypto::generate(alg, args.bits.or(like_bits).unwrap_or(2048))?;
    // Every key that joins the store gets the full check, new ones too.
    keycheck::check_private(&jwk).map_err(|flaw| {
        anyhow!("the new {alg} key failed its check ({flaw}); nothing was changed")
    })?;
    let kid = match &args.kid {
        Some(kid) => kid.clone(),
        None => jwk.thumbprint()?,
    };
    Ok((jwk, alg, kid))
}

/// Prints the kid of a change that is already saved. If stdout fails now,
/// the message says the change happened, so a script does not redo it.
pub fn print_saved_kid(out: &mut Output, kid: &str) -> Result<()> {
    out.data(kid)
        .and_then(|()| out.flush())
        .context("the store was changed, but the new kid could not be printed (see 'jwkctl list' before retrying)")
}
