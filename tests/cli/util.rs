#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// The time every test runs at unless it says otherwise.
pub const NOW: &str = "2026-01-02T03:04:05Z";
pub const NOW_UNIX: i64 = 1_767_323_045;

/// A temporary folder holding a store, and a way to run jwkctl on it.
pub struct TestEnv {
    pub dir: TempDir,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        TestEnv {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// A store already holding `fixture` (a file under tests/fixtures).
    pub fn with_store(fixture: &str) -> TestEnv {
        let env = TestEnv::new();
        fs::copy(fixture_path(fixture), env.keys()).expect("copy fixture");
        env
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn keys(&self) -> PathBuf {
        self.path("keys.json")
    }

    /// `jwkctl` in the folder, on `keys.json`, at [`NOW`].
    pub fn jwkctl(&self) -> Command {
        let mut cmd = Command::cargo_bin("jwkctl").expect("binary");
        cmd.current_dir(self.dir.path())
            .env_clear()
            .env("JWKCTL_KEYS", self.keys())
            .env("JWKCTL_NOW", NOW);
        cmd
    }

    pub fn read(&self, name: &str) -> String {
        fs::read_to_string(self.path(name)).expect("read")
    }

    pub fn write(&self, name: &str, text: &str) {
        fs::write(self.path(name), text).expect("write")
    }

    pub fn store_json(&self) -> Value {
        serde_json::from_str(&self.read("keys.json")).expect("store is JSON")
    }

    /// Runs a command that must succeed and returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.jwkctl().args(args).output().expect("run");
        assert!(
            out.status.success(),
            "jwkctl {args:?} failed: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }
}

pub fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn fixture(name: &str) -> String {
    fs::read_to_string(fixture_path(name)).expect("fixture")
}

/// The mode bits of a file.
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}
