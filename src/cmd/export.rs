//! `export`: one key of the store as a public JWK or PEM, or with
//! `--private` as a private JWK or PKCS#8 PEM.

use std::path::Path;

use anyhow::{Result, anyhow, bail};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::backend;
use crate::cli::ExportArgs;
use crate::context::Ctx;
use crate::crypto;
use crate::error::{Outcome, is_broken_pipe};
use crate::fsio::{self, Existing};
use crate::jwk::PRIVATE_MEMBERS;
use crate::output::Output;
use crate::signing;
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
    if args.private {
        signing::check_exportable(key)?;
    }
    let text = Zeroizing::new(match (args.pem, args.private) {
        (false, false) => line(&Value::Object(key.jwk.to_public()))?,
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
            line(&Value::Object(jwk))?
        }
        (true, false) => {
            signing::public_pem(key).map_err(|e| anyhow!("key {:?}: {e:#}", key.kid()))?
        }
        (true, true) => {
            crypto::to_pem(&key.jwk, true).map_err(|e| anyhow!("key {:?}: {e:#}", key.kid()))?
        }
    });
    let Some(path) = &args.out else {
        // Flushed before the note, which must not claim a key was printed
        // when stdout refused it (a full disk, /dev/full).
        if let Err(e) = out.data_raw(&text).and_then(|()| out.flush()) {
            if is_broken_pipe(&e) {
                return Err(e);
            }
            bail!(
                "{e:#} (the {} key {:?} was not printed)",
                if args.private { "PRIVATE" } else { "public" },
                key.kid()
            );
        }
        if args.private {
            out.status(format_args!(
                "printed the PRIVATE key {:?}: whoever holds it can sign tokens for this store (keep it as secret as {})",
                key.kid(),
                ctx.keys.display()
            ));
        }
        return Ok(Outcome::Done);
    };
    write_out(path, &text, args.private, ctx)?;
    if args.private {
        out.status(format_args!(
            "wrote the PRIVATE key {:?} to {} (mode 0600): whoever holds it can sign tokens for this store",
            key.kid(),
            path.display()
        ));
    } else {
        out.status(format_args!(
            "wrote the public key {:?} to {}",
            key.kid(),
            path.display()
        ));
    }
    Ok(Outcome::Done)
}

/// A JSON value as one line of text.
fn line(value: &Value) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec(value)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// `--out FILE`: replaced atomically, so no reader sees half a key and a
/// private key is never readable by others, not even for a moment.
fn write_out(path: &Path, bytes: &[u8], private: bool, ctx: &Ctx) -> Result<()> {
    if let Some(keys) = ctx.keys.file()
        && fsio::store_file_at(path, keys).is_some()
    {
        bail!(
            "{}: this is the key store or its lock file, which --out never replaces (write the key to another file)",
            path.display()
        );
    }
    // Through a symlink, the file it points at is replaced.
    let target = fsio::resolve(path);
    let mode = if private {
        0o600
    } else {
        fsio::existing_mode(&target).unwrap_or(0o644)
    };
    fsio::write_atomic(&target, bytes, mode, Existing::Replace)
}
