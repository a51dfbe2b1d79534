use anyhow::Result;

use crate::cli::FixturesArgs;
use crate::context::Ctx;
use crate::error::Outcome;
use crate::kit::{self, Options};
use crate::output::Output;

pub fn run(args: &FixturesArgs, ctx: &Ctx, out: &mut Output) -> Result<Outcome> {
    // Refuse a non-empty folder before spending time on keys.
    kit::check_dir(&args.dir)?;
    let options = Options {
        alg: args.alg,
        iss: args.iss.clone(),
        aud: args.aud.clone(),
        ttl: args.ttl,
    };
    let kit = kit::build(&options, ctx.now)?;
    kit::write(&args.dir, &kit)?;
    out.status(format_args!(
        "{}: {} tokens ({} invalid), jwks.json and manifest.json",
        args.dir.display(),
        kit.cases.len(),
        kit.cases.iter().filter(|c| c.reason.is_some()).count()
    ));
    Ok(Outcome::Done)
}
