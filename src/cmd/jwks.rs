use anyhow::{Result, bail};

use crate::backend;
use crate::cli::JwksArgs;
use crate::context::Ctx;
use crate::error::Outcome;
use crate::fsio::{self, Existing, StoreFile};
use crate::output::Output;

pub fn run(args: &JwksArgs, ctx: &Ctx, out: &mut Output) -> Result<Outcome> {
    let store = backend::load(ctx)?;
    match &args.out {
        None => out.data_json(&store.public_keys(ctx.now))?,
        Some(path) => {
            match ctx
                .keys
                .file()
                .and_then(|keys| fsio::store_file_at(path, keys))
            {
                Some(StoreFile::Store) => bail!(
                    "{}: this is the key store, and --out would replace its private keys with the public ones (write the JWK Set to another file)",
                    path.display()
                ),
                Some(StoreFile::Lock) => bail!(
                    "{}: this is the key store's lock file (write the JWK Set to another file)",
                    path.display()
                ),
                None => {}
            }
            // Through a symlink, the file the web server reads is replaced.
            let target = fsio::resolve(path);
            let mut text = store.public_set(ctx.now)?;
            text.push('\n');
            // A web server, often another user, must be able to read it.
            let mode = fsio::existing_mode(&target).unwrap_or(0o644);
            fsio::write_atomic(&target, text.as_bytes(), mode, Existing::Replace)?;
            let n = store.keys.len();
            out.status(format_args!(
                "wrote {n} public key{} to {}",
                if n == 1 { "" } else { "s" },
                path.display()
            ));
        }
    }
    Ok(Outcome::Done)
}
