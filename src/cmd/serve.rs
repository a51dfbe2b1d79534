use anyhow::Result;

use crate::cli::ServeArgs;
use crate::context::Ctx;
use crate::error::Outcome;
use crate::output::Output;
use crate::serve::{self, Options};

pub fn run(args: &ServeArgs, ctx: &Ctx, out: &mut Output) -> Result<Outcome> {
    let options = Options::new(&args.listen, args.issuer.as_deref(), args.cache_ttl)?;
    serve::run(&options, ctx, out.log())?;
    Ok(Outcome::Done)
}
