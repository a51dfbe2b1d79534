//! A closed stdout (`jwkctl jwks | head -c1`) ends quietly with 0.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use crate::util::*;

fn spawn(env: &TestEnv, args: &[&str]) -> std::process::Child {
    Command::new(assert_cmd::cargo::cargo_bin("jwkctl"))
        .current_dir(env.dir.path())
        .env_clear()
        .env("JWKCTL_KEYS", env.keys())
        .env("JWKCTL_NOW", NOW)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(mut child: std::process::Child) {
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!((status.code(), stderr.as_str()), (Some(0), ""));
}

#[test]
fn jwks_into_a_closed_pipe() {
    let env = TestEnv::new();
    rotated_store(&env);
    // Like `head -c1`: read one byte, then close.
    let mut child = spawn(&env, &["jwks"]);
    let mut one = [0u8; 1];
    child.stdout.as_mut().unwrap().read_exact(&mut one).unwrap();
    assert_eq!(&one, b"{");
    drop(child.stdout.take());
    finish(child);
    // Closed before jwkctl writes at all: the write fails with EPIPE.
    let mut child = spawn(&env, &["jwks"]);
    drop(child.stdout.take());
    finish(child);
}

#[test]
fn sign_count_into_a_closed_pipe() {
    let env = TestEnv::with_store("ec-store.json");
    // Like `sign --count 100000 | head -1`.
    let mut child = spawn(&env, &["sign", "--count", "100000", "--jti"]);
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(
        decode(&line).0,
        format!(r#"{{"alg":"ES256","typ":"JWT","kid":"{EC_KID}"}}"#)
    );
    finish(child);
}

#[test]
fn verify_batch_into_a_closed_pipe() {
    let env = TestEnv::with_store("ec-store.json");
    let token = es256(&fresh());
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("jwkctl"))
        .current_dir(env.dir.path())
        .env_clear()
        .env("JWKCTL_KEYS", env.keys())
        .env("JWKCTL_NOW", NOW)
        .args(["verify", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let input = format!("{token}\n").repeat(3000);
    let mut stdin = child.stdin.take().unwrap();
    // jwkctl may stop reading once its stdout is gone.
    let _ = std::io::Write::write_all(&mut stdin, input.as_bytes());
    drop(stdin);
    finish(child);
}

#[test]
fn verify_batch_into_a_closed_pipe_still_says_a_token_was_rejected() {
    let env = TestEnv::with_store("ec-store.json");
    let valid = es256(&fresh());
    let expired = es256(&json!({"sub": "alice", "exp": NOW_UNIX - 3600}));
    // Few lines (written at exit) and many (written while reading): the
    // rejected token comes first, so it was read either way.
    for input in [
        format!("{expired}\n{valid}\n"),
        format!("{expired}\n{}", format!("{valid}\n").repeat(3000)),
    ] {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("jwkctl"))
            .current_dir(env.dir.path())
            .env_clear()
            .env("JWKCTL_KEYS", env.keys())
            .env("JWKCTL_NOW", NOW)
            .args(["verify", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Like `| head -n0`: the reader is gone before the first line.
        drop(child.stdout.take());
        let mut stdin = child.stdin.take().unwrap();
        let _ = std::io::Write::write_all(&mut stdin, input.as_bytes());
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).as_ref()
            ),
            (Some(1), "")
        );
    }
}

/// The largest resident size `pid` has had so far, in KiB (Linux).
fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM");
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn verify_batch_memory_stays_bounded_with_long_lines() {
    let env = TestEnv::with_store("ec-store.json");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("jwkctl"))
        .current_dir(env.dir.path())
        .env_clear()
        .env("JWKCTL_KEYS", env.keys())
        .env("JWKCTL_NOW", NOW)
        .args(["verify", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // 200 lines just under the 1 MiB cap: 200 MiB in all, read while the
    // pipe is open, so the peak is measured before the process ends.
    let line = format!("{}\n", "a".repeat((1 << 20) - 10));
    let mut stdin = child.stdin.take().unwrap();
    for _ in 0..200 {
        std::io::Write::write_all(&mut stdin, line.as_bytes()).unwrap();
    }
    let peak = peak_kib(child.id());
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        (1..=200)
            .map(|n| format!(
                "{{\"line\":{n},\"valid\":false,\"error\":\"malformed token\",\"detail\":\"no '.' in it, expected 3 parts\"}}\n"
            ))
            .collect::<String>()
    );
    assert!(peak < 64 * 1024, "peak resident size {peak} KiB");
}
