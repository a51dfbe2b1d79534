//! Device files where jwkctl expects regular files: made with `mknod`,
//! which takes root. Without root these tests are ignored (and fail under
//! CI=true, where .ci/run runs as root).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    clippy::print_stdout
)]

#[path = "../support/external.rs"]
mod external;
#[path = "../support/util.rs"]
mod util;

use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use util::*;

fn main() -> ExitCode {
    let root = root();
    external::run(vec![
        external::needs("a_device_as_the_store_is_refused", &root, store),
        external::needs("out_onto_a_device_leaves_it_alone", &root, out),
        external::needs("a_device_as_an_input_file_is_refused", &root, inputs),
    ])
}

/// Running as root, which `mknod` needs.
fn root() -> Result<(), String> {
    let out = Command::new("id")
        .arg("-u")
        .output()
        .map_err(|e| format!("cannot run `id -u`: {e}"))?;
    if String::from_utf8_lossy(&out.stdout).trim() == "0" {
        Ok(())
    } else {
        Err("not running as root (mknod needs root)".into())
    }
}

/// A character device like /dev/null (1, 3) or /dev/zero (1, 5), or a
/// block device (`b`), made in the test's folder.
fn mknod(env: &TestEnv, name: &str, kind: &str, major: u32, minor: u32) -> PathBuf {
    let path = env.path(name);
    let status = Command::new("mknod")
        .args(["-m", "0666"])
        .arg(&path)
        .args([kind, &major.to_string(), &minor.to_string()])
        .status()
        .expect("mknod");
    assert!(status.success(), "mknod {}", path.display());
    path
}

fn unchanged(path: &Path, rdev: u64) {
    let meta = fs::symlink_metadata(path).unwrap();
    assert!(meta.file_type().is_char_device(), "{}", path.display());
    assert_eq!(meta.rdev(), rdev);
    assert_eq!(meta.permissions().mode() & 0o777, 0o666);
}

fn store(_: &()) {
    let env = TestEnv::new();
    for (name, major, minor) in [("null", 1, 3), ("zero", 1, 5)] {
        let dev = mknod(&env, name, "c", major, minor);
        let rdev = fs::metadata(&dev).unwrap().rdev();
        for args in [&["rotate"][..], &["list"], &["jwks"], &["sign"]] {
            env.jwkctl()
                .env("JWKCTL_KEYS", &dev)
                .args(args)
                .timeout(std::time::Duration::from_secs(20))
                .assert()
                .code(2)
                .stdout("")
                .stderr(format!(
                    "jwkctl: {}: is a character device, not a regular file (name a regular file)\n",
                    dev.display()
                ));
        }
        env.jwkctl()
            .env("JWKCTL_KEYS", &dev)
            .args(["keygen", "--alg", "EdDSA", "--force"])
            .assert()
            .code(2)
            .stderr(format!(
                "jwkctl: {}: is a character device; only a regular file is replaced (name a regular file; nothing was changed)\n",
                dev.display()
            ));
        unchanged(&dev, rdev);
    }
}

fn out(_: &()) {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA", "--kid", "a"]);
    let dev = mknod(&env, "null", "c", 1, 3);
    let rdev = fs::metadata(&dev).unwrap().rdev();
    symlink(&dev, env.path("link")).unwrap();
    for (name, named) in [
        ("null", "null".to_owned()),
        ("link", dev.display().to_string()),
    ] {
        env.jwkctl()
            .args(["jwks", "--out", name])
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!(
                "jwkctl: {named}: is a character device; only a regular file is replaced (name a regular file; nothing was changed)\n"
            ));
    }
    // Not replaced by a world-writable regular file.
    unchanged(&dev, rdev);
}

fn inputs(_: &()) {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA", "--kid", "a"]);
    let zero = mknod(&env, "zero", "c", 1, 5);
    let block = mknod(&env, "loop", "b", 7, 0);
    for (dev, is) in [(&zero, "a character device"), (&block, "a block device")] {
        let dev = dev.display().to_string();
        let claims = format!("@{dev}");
        for (args, named) in [
            (vec!["sign", "--claims", &claims], format!("--claims {dev}")),
            (vec!["import", &dev], format!("import {dev}")),
            (
                vec!["verify", "--jwks", &dev, "a.b.c"],
                format!("--jwks {dev}"),
            ),
        ] {
            env.jwkctl()
                .args(&args)
                .timeout(std::time::Duration::from_secs(20))
                .assert()
                .code(2)
                .stdout("")
                .stderr(format!(
                    "jwkctl: {named}: is {is}, not a regular file (name a regular file)\n"
                ));
        }
    }
}
