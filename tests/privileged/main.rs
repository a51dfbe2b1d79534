//! Tests that need root: a full disk (a tiny tmpfs) leaves the old store,
//! and a rewritten file keeps an owner other than the writer. Without root
//! they show as ignored, and fail under CI=true (CI runs as root).
// clippy.toml allows unwrap/expect in #[test] functions only; these trials
// are test code too, and a panic is how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/external.rs"]
mod external;
#[path = "../support/util.rs"]
mod util;

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::process::{Command, ExitCode};

use util::*;

fn main() -> ExitCode {
    let mount = can_mount();
    let chown = can_chown();
    external::run(vec![
        external::needs(
            "a_full_disk_leaves_the_old_store_and_exits_2",
            &mount,
            a_full_disk_leaves_the_old_store_and_exits_2,
        ),
        external::needs(
            "a_rewritten_store_keeps_its_owner_and_group",
            &chown,
            a_rewritten_store_keeps_its_owner_and_group,
        ),
    ])
}

/// Whether this process may give a file away (root): it tries once.
fn can_chown() -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let probe = dir.path().join("probe");
    fs::write(&probe, "").map_err(|e| e.to_string())?;
    std::os::unix::fs::chown(&probe, Some(65534), Some(65534))
        .map_err(|e| format!("cannot chown a file to nobody (needs root): {e}"))
}

/// A 64 KiB tmpfs, unmounted on drop. Needs root (CI runs as root).
struct SmallDisk {
    path: std::path::PathBuf,
}

impl SmallDisk {
    fn mount(path: std::path::PathBuf) -> Result<SmallDisk, String> {
        fs::create_dir_all(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(&path)
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "cannot mount a tmpfs (needs root): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(SmallDisk { path })
    }
}

/// Whether this process may mount a tmpfs: it tries once.
fn can_mount() -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    SmallDisk::mount(dir.path().join("probe")).map(drop)
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

fn a_full_disk_leaves_the_old_store_and_exits_2(_: &()) {
    let env = TestEnv::new();
    let disk = SmallDisk::mount(env.path("disk")).expect("mount");
    let keys = disk.path.join("keys.json");
    let jwkctl = |args: &[&str]| {
        let mut cmd = assert_cmd::Command::cargo_bin("jwkctl").expect("binary");
        cmd.env_clear()
            .env("JWKCTL_KEYS", &keys)
            .env("JWKCTL_NOW", NOW)
            .args(args);
        cmd
    };
    jwkctl(&["keygen", "--alg", "RS256", "--kid", "k1"])
        .assert()
        .success();
    let before = fs::read(&keys).expect("store");
    // Fill the disk to the last byte.
    let filler = disk.path.join("filler");
    let chunk = vec![0u8; 1024];
    let mut file = fs::File::create(&filler).expect("filler");
    while std::io::Write::write_all(&mut file, &chunk).is_ok() {}
    while std::io::Write::write_all(&mut file, &[0]).is_ok() {}
    drop(file);

    jwkctl(&["rotate", "--alg", "RS256", "--kid", "k2"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "jwkctl: {}: no space left on device (nothing was changed)\n",
            keys.display()
        ));
    assert_eq!(
        fs::read(&keys).expect("store"),
        before,
        "the old store is intact"
    );
    let left: Vec<String> = fs::read_dir(&disk.path)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        left,
        ["filler", "keys.json", "keys.json.lock"],
        "no temporary file is left behind"
    );
    // Room again: the same rotation goes through.
    fs::remove_file(&filler).expect("rm filler");
    jwkctl(&["rotate", "--alg", "RS256", "--kid", "k2"])
        .assert()
        .success()
        .stdout("k2\n");
}

fn a_rewritten_store_keeps_its_owner_and_group(_: &()) {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA", "--kid", "a"]);
    std::os::unix::fs::chown(env.keys(), Some(65534), Some(65534)).unwrap();
    env.jwkctl()
        .args(["rotate", "--kid", "b"])
        .assert()
        .success();
    let meta = fs::metadata(env.keys()).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    assert_eq!(mode(&env.keys()), 0o600);
    env.write("jwks.json", "old\n");
    std::os::unix::fs::chown(env.path("jwks.json"), Some(65534), Some(65534)).unwrap();
    env.jwkctl()
        .args(["jwks", "--out", "jwks.json"])
        .assert()
        .success();
    let meta = fs::metadata(env.path("jwks.json")).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
}
