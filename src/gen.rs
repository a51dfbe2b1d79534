//! Completions and man pages, rendered from the clap definitions. The files
//! in `completions/` and `man/` are these bytes; `tests/generated.rs` keeps
//! them in step.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

pub const SHELLS: [(Shell, &str); 5] = [
    (Shell::Bash, "jwkctl.bash"),
    (Shell::Zsh, "_jwkctl"),
    (Shell::Fish, "jwkctl.fish"),
    (Shell::Elvish, "jwkctl.elv"),
    (Shell::PowerShell, "_jwkctl.ps1"),
];

/// `(file name, contents)` for each shell's completion script.
pub fn completions() -> Vec<(String, Vec<u8>)> {
    SHELLS
        .iter()
        .map(|(shell, file)| ((*file).to_owned(), completion(*shell)))
        .collect()
}

/// One shell's completion script (`jwkctl completions SHELL`).
pub fn completion(shell: Shell) -> Vec<u8> {
    let mut bytes = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "jwkctl", &mut bytes);
    bytes
}

/// `(file name, roff)`: `jwkctl.1` and one `jwkctl-<sub>.1` per subcommand.
pub fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    // `jwkctl help SUB` is only another spelling of `jwkctl SUB --help`: it
    // gets no page, so jwkctl.1 must not point at one.
    let mut cmd = Cli::command().disable_help_subcommand(true);
    // Building propagates the global options, so each subcommand's page
    // lists -k, --now and -q, which work there too.
    cmd.build();
    let mut pages = Vec::new();
    let mut bytes = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut bytes)?;
    pages.push(("jwkctl.1".to_owned(), bytes));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("jwkctl-{}", sub.get_name());
        let sub = sub.clone().name(name.clone()).display_name(name.clone());
        let mut bytes = Vec::new();
        clap_mangen::Man::new(sub).render(&mut bytes)?;
        pages.push((format!("{name}.1"), bytes));
    }
    Ok(pages)
}
