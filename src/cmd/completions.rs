//! `completions SHELL`: the script `completions/` holds for that shell.

use anyhow::Result;

use crate::cli::CompletionsArgs;
use crate::error::Outcome;
use crate::output::Output;

pub fn run(args: &CompletionsArgs, out: &mut Output) -> Result<Outcome> {
    out.data_raw(&crate::r#gen::completion(args.shell))?;
    Ok(Outcome::Done)
}
