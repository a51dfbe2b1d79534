use std::process::ExitCode;

use clap::error::ErrorKind;
use jwkctl::error::{Outcome, is_broken_pipe};
use jwkctl::output::Output;

fn main() -> ExitCode {
    let cli = match jwkctl::cli::parse() {
        Ok(cli) => cli,
        Err(e) => return usage(e),
    };
    let mut out = Output::stdio(cli.global.quiet);
    match jwkctl::run(cli, &mut out) {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Rejected) => ExitCode::from(1),
        // `jwkctl jwks | head -c1`: the reader has all it wanted.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            out.error(format_args!("{e:#}"));
            ExitCode::from(2)
        }
    }
}

/// `--help` and `--version` go to stdout with 0; usage errors get the same
/// `jwkctl: ` prefix as every other error, and exit 2.
fn usage(e: clap::Error) -> ExitCode {
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let text = e.render().to_string();
    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        // `jwkctl` alone: the help, on stderr, as a usage error.
        let _ = e.print();
        return ExitCode::from(2);
    }
    let mut out = Output::stdio(false);
    out.error(text.strip_prefix("error: ").unwrap_or(&text).trim_end());
    ExitCode::from(2)
}
