//! A writer killed at any moment, or a full disk, leaves the old store or
//! the new one: never half of one.

use std::collections::BTreeSet;
use std::fs;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::util::*;

fn kids(text: &str) -> BTreeSet<String> {
    let store: serde_json::Value = serde_json::from_str(text).expect("the store parses");
    store["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k["kid"].as_str().expect("kid").to_owned())
        .collect()
}

fn rotate(env: &TestEnv) -> Command {
    let mut cmd = env.spawnable(&["-q", "rotate"]);
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    cmd
}

#[test]
fn sigkill_at_random_moments_leaves_old_or_new_store() {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA"]);
    // How long one rotation takes here, to spread the kills over it.
    let start = Instant::now();
    assert!(rotate(&env).status().expect("run").success());
    let span = start.elapsed().as_micros().max(200) as u64 * 3 / 2;

    let mut outcomes = [0; 2];
    for i in 0..200u64 {
        let before = kids(&env.read("keys.json"));
        let mut child = rotate(&env).spawn().expect("spawn");
        // A deterministic spread of delays over the whole run.
        thread::sleep(Duration::from_micros(i * 7919 % span));
        let _ = child.kill();
        let _ = child.wait();
        let after = kids(&env.read("keys.json"));
        assert!(after.is_superset(&before), "run {i}: a key was lost");
        assert!(
            after.len() - before.len() <= 1,
            "run {i}: more than one key added"
        );
        outcomes[after.len() - before.len()] += 1;
    }
    eprintln!(
        "killed before the rename: {}, after: {}",
        outcomes[0], outcomes[1]
    );
    // The next write clears whatever temporary files the kills left.
    assert!(rotate(&env).status().expect("run").success());
    let names: Vec<String> = fs::read_dir(env.dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.len(),
        2,
        "only keys.json and keys.json.lock remain: {names:?}"
    );
}

/// A 64 KiB tmpfs, unmounted on drop. Needs root (CI runs as root).
struct SmallDisk {
    path: std::path::PathBuf,
}

impl SmallDisk {
    fn mount(path: std::path::PathBuf) -> Option<SmallDisk> {
        fs::create_dir_all(&path).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(&path)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(SmallDisk { path })
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

#[test]
fn a_full_disk_leaves_the_old_store_and_exits_2() {
    let env = TestEnv::new();
    let Some(disk) = SmallDisk::mount(env.path("disk")) else {
        eprintln!(
            "SKIPPED a_full_disk_leaves_the_old_store_and_exits_2: cannot mount a tmpfs (needs root)"
        );
        return;
    };
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
