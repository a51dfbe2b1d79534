//! The systemd units under packaging/systemd, checked by `systemd-analyze
//! verify`: unknown or misspelt settings, a bad calendar, a timer without
//! its service, `Documentation=` naming a man page jwkctl does not ship.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    clippy::print_stdout
)]

#[path = "../support/external.rs"]
mod external;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const UNITS: [&str; 2] = ["jwkctl-rotate.service", "jwkctl-rotate.timer"];

fn main() -> ExitCode {
    let analyze = systemd_analyze();
    external::run(vec![
        external::needs("systemd_units_verify", &analyze, units_verify),
        external::needs(
            "systemd_verify_fails_on_an_unknown_setting",
            &analyze,
            verify_can_fail,
        ),
    ])
}

/// `systemd-analyze` that can verify a unit here. It is present in many
/// containers without a running systemd; a probe on a minimal unit shows
/// whether its `verify` works without one.
fn systemd_analyze() -> Result<PathBuf, String> {
    let program = external::program("systemd-analyze")?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let unit = dir.path().join("jwkctl-probe.service");
    fs::write(
        &unit,
        "[Unit]\nDescription=probe\n\n[Service]\nType=oneshot\nExecStart=/bin/sh -c true\n",
    )
    .map_err(|e| e.to_string())?;
    let out = Command::new(&program)
        .args(["verify", "--man=no"])
        .arg(&unit)
        .output()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    if out.status.success() {
        Ok(program)
    } else {
        Err(format!(
            "`systemd-analyze verify` does not work here: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Copies the units into `dir`, calling the jwkctl just built instead of
/// /usr/bin/jwkctl (verify checks that ExecStart is an executable), with
/// `edit` applied to the service.
fn stage(dir: &Path, edit: impl Fn(String) -> String) -> Vec<PathBuf> {
    let bin = env!("CARGO_BIN_EXE_jwkctl");
    UNITS
        .iter()
        .map(|name| {
            let text = fs::read_to_string(external::root().join("packaging/systemd").join(name))
                .expect("read unit");
            assert!(
                !name.ends_with(".service") || text.contains("ExecStart=/usr/bin/jwkctl "),
                "{name} no longer calls /usr/bin/jwkctl, where the package installs it"
            );
            let mut text = text.replace("/usr/bin/jwkctl ", &format!("{bin} "));
            if name.ends_with(".service") {
                text = edit(text);
            }
            let path = dir.join(name);
            fs::write(&path, text).expect("write unit");
            path
        })
        .collect()
}

/// Runs `systemd-analyze verify` with the repository's man pages on
/// MANPATH, so `Documentation=man:...` must name pages that exist.
fn verify(analyze: &Path, dir: &Path, units: &[PathBuf]) -> std::process::Output {
    let man1 = dir.join("man/man1");
    fs::create_dir_all(&man1).unwrap();
    let mut args = vec!["verify".to_owned()];
    if external::program("man").is_ok() {
        for page in fs::read_dir(external::root().join("man")).unwrap() {
            let page = page.unwrap().path();
            fs::copy(&page, man1.join(page.file_name().unwrap())).unwrap();
        }
    } else {
        args.push("--man=no".into());
    }
    Command::new(analyze)
        .args(&args)
        .args(units)
        .env("MANPATH", dir.join("man"))
        .output()
        .expect("run systemd-analyze")
}

// The signature `external::needs` takes.
#[allow(clippy::ptr_arg)]
fn units_verify(analyze: &PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let units = stage(dir.path(), |text| text);
    let out = verify(analyze, dir.path(), &units);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Warnings (an unknown setting is only "ignoring") exit 0: any output
    // at all is a finding.
    assert!(
        out.status.success() && stderr.is_empty() && stdout.is_empty(),
        "systemd-analyze verify: {}\n{stdout}{stderr}",
        out.status
    );
}

#[allow(clippy::ptr_arg)]
fn verify_can_fail(analyze: &PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let units = stage(dir.path(), |text| {
        text.replace("ProtectSystem=strict", "ProtectSytem=strict")
    });
    let out = verify(analyze, dir.path(), &units);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Unknown key 'ProtectSytem'"),
        "a misspelt setting went unnoticed: {}\n{stderr}",
        out.status
    );
}
