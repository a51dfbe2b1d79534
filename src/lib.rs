//! jwkctl: a JWT signing key store managed end to end from the command line.
//!
//! `main.rs` parses and dispatches; everything else lives here so tests and
//! other front ends share it.

pub mod alg;
pub mod await_published;
pub mod b64;
pub mod backend;
pub mod check;
pub mod claims;
pub mod cli;
pub mod clock;
mod cmd;
pub mod context;
pub mod crypto;
pub mod error;
pub mod fetch;
pub mod freshness;
pub mod fsio;
pub mod r#gen;
pub mod http;
pub mod input;
pub mod jwk;
pub mod keyset;
pub mod kit;
pub mod location;
pub mod output;
mod parallel;
pub mod serve;
pub mod signer;
pub mod signing;
pub mod source;
pub mod store;
pub mod storefile;
pub mod strict;
pub mod token;
pub mod vault;
pub mod verify;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::context::Ctx;
use crate::error::Outcome;
use crate::output::Output;

/// Runs one parsed command line. `Ok(Outcome::Rejected)` is `verify`'s
/// "no" (exit 1); `Err` is a usage or input error (exit 2).
pub fn run(cli: Cli, out: &mut Output) -> Result<Outcome> {
    let ctx = Ctx::new(&cli.global);
    out.attach(&ctx.warnings);
    let outcome = match &cli.command {
        Command::Keygen(args) => cmd::keygen::run(args, &ctx, out),
        Command::Jwks(args) => cmd::jwks::run(args, &ctx, out),
        Command::Sign(args) => cmd::sign::run(args, &ctx, out),
        Command::Verify(args) => cmd::verify::run(args, &ctx, out),
        Command::Rotate(args) => cmd::rotate::run(args, &ctx, out),
        Command::Prune(args) => cmd::prune::run(args, &ctx, out),
        Command::Revoke(args) => cmd::revoke::run(args, &ctx, out),
        Command::List(args) => cmd::list::run(args, &ctx, out),
        Command::Inspect(args) => cmd::inspect::run(args, &ctx, out),
        Command::Export(args) => cmd::export::run(args, &ctx, out),
        Command::Import(args) => cmd::import::run(args, &ctx, out),
        Command::Fixtures(args) => cmd::fixtures::run(args, &ctx, out),
        Command::Completions(args) => cmd::completions::run(args, out),
        Command::Check(args) => cmd::check::run(args, &ctx, out),
        Command::Serve(args) => cmd::serve::run(args, &ctx, out),
    }?;
    match out.flush() {
        // The reader of stdout has all it wanted; `verify --batch` still
        // says whether every token it read was valid.
        Err(e) if error::is_broken_pipe(&e) => Ok(outcome),
        result => result.map(|()| outcome),
    }
}
