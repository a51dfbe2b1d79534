//! One module per subcommand: each turns its arguments into calls on the
//! library and its results into output.

pub mod export;
pub mod import;
pub mod inspect;
pub mod jwks;
pub mod keygen;
pub mod sign;
pub mod verify;

use anyhow::{Result, bail};

use crate::alg::Alg;
use crate::cli::NewKeyArgs;
use crate::crypto;
use crate::jwk::Jwk;

/// Generates the key `keygen` (and `rotate`) asked for: `(key, alg, kid)`.
pub fn generate_key(args: &NewKeyArgs, default_alg: Alg) -> Result<(Jwk, Alg, String)> {
    let alg = args.alg.unwrap_or(default_alg);
    if args.bits.is_some() && !alg.is_rsa() {
        bail!(
            "--bits applies to RSA keys only, and {alg} is not RSA (drop --bits, or choose an RS or PS algorithm)"
        );
    }
    let jwk = crypto::generate(alg, args.bits.unwrap_or(2048))?;
    let kid = match &args.kid {
        Some(kid) => kid.clone(),
        None => jwk.thumbprint()?,
    };
    Ok((jwk, alg, kid))
}
