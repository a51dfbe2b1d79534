//! `export --out FILE`: the same bytes as stdout would get, written
//! atomically, with a mode that fits what the file holds.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::util::*;

fn env() -> TestEnv {
    TestEnv::with_store("ec-store.json")
}

fn written(env: &TestEnv, args: &[&str], stderr: &str) {
    env.jwkctl()
        .arg("export")
        .args(args)
        .assert()
        .code(0)
        .stdout("")
        .stderr(stderr.to_owned());
}

#[test]
fn a_public_key_is_written_0644_with_what_stdout_would_get() {
    let env = env();
    for (flags, file) in [(&[][..], "pub.jwk"), (&["--pem"][..], "pub.pem")] {
        written(
            &env,
            &[&["--out", file][..], flags].concat(),
            &format!("jwkctl: wrote the public key \"{EC_KID}\" to {file}\n"),
        );
        let printed = env.ok(&[&["export"][..], flags].concat());
        assert_eq!(env.read(file), printed, "{file}");
        assert_eq!(mode(&env.path(file)), 0o644, "{file}");
    }
}

#[test]
fn a_public_key_keeps_the_existing_files_mode() {
    let env = env();
    env.write("pub.jwk", "old");
    fs::set_permissions(env.path("pub.jwk"), fs::Permissions::from_mode(0o640)).unwrap();
    env.ok(&["-q", "export", "--out", "pub.jwk"]);
    assert_eq!(env.read("pub.jwk"), env.ok(&["export"]));
    assert_eq!(mode(&env.path("pub.jwk")), 0o640);
}

#[test]
fn a_private_key_is_written_0600_whatever_was_there() {
    let env = env();
    for (flags, file) in [(&[][..], "key.jwk"), (&["--pem"][..], "key.pem")] {
        // A world-readable file already there does not stay so.
        env.write(file, "old");
        fs::set_permissions(env.path(file), fs::Permissions::from_mode(0o644)).unwrap();
        written(
            &env,
            &[&["--private", "--out", file][..], flags].concat(),
            &format!(
                "jwkctl: wrote the PRIVATE key \"{EC_KID}\" to {file} (mode 0600): whoever holds it can sign tokens for this store\n"
            ),
        );
        let printed = env.ok(&[&["-q", "export", "--private"][..], flags].concat());
        assert_eq!(env.read(file), printed, "{file}");
        assert_eq!(mode(&env.path(file)), 0o600, "{file}");
    }
    // -q hides the status line only.
    written(&env, &["-q", "--private", "--out", "new.jwk"], "");
    assert_eq!(mode(&env.path("new.jwk")), 0o600);
}

#[test]
fn through_a_symlink_its_target_is_replaced() {
    let env = env();
    env.write("real.jwk", "old");
    std::os::unix::fs::symlink("real.jwk", env.path("link.jwk")).unwrap();
    env.ok(&["-q", "export", "--out", "link.jwk"]);
    assert!(
        fs::symlink_metadata(env.path("link.jwk"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(env.read("real.jwk"), env.ok(&["export"]));
}

#[test]
fn the_store_its_lock_a_folder_or_a_fifo_are_never_replaced() {
    let env = env();
    let store = env.read("keys.json");
    fs::create_dir(env.path("dir")).unwrap();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(env.path("fifo"))
            .status()
            .unwrap()
            .success()
    );
    let keys = env.keys();
    let lock = env.path("keys.json.lock");
    let keys = keys.to_str().unwrap();
    let lock = lock.to_str().unwrap();
    for (out, why) in [
        (keys, format!("{keys}: this is the key store or its lock file, which --out never replaces (write the key to another file)")),
        ("keys.json", "keys.json: this is the key store or its lock file, which --out never replaces (write the key to another file)".to_owned()),
        (lock, format!("{lock}: this is the key store or its lock file, which --out never replaces (write the key to another file)")),
        ("dir", "dir: is a directory; only a regular file is replaced (name a regular file; nothing was changed)".to_owned()),
        ("fifo", "fifo: is a FIFO (named pipe); only a regular file is replaced (name a regular file; nothing was changed)".to_owned()),
    ] {
        for private in [&[][..], &["--private"][..]] {
            env.jwkctl()
                .args(["export", "--out", out])
                .args(private)
                .assert()
                .code(2)
                .stdout("")
                .stderr(format!("jwkctl: {why}\n"));
        }
    }
    assert_eq!(env.read("keys.json"), store);
    assert!(!env.path("keys.json.lock").exists());
    assert_eq!(fs::read_dir(env.path("dir")).unwrap().count(), 0);
    let mut names: Vec<_> = fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["dir", "fifo", "keys.json"]);
}
