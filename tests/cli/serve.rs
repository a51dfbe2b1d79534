//! `serve` with std-only clients: exit codes, SIGTERM and SIGINT, store
//! reloads, and slow clients that must not stop a normal one. Header,
//! 304/404/405 and 431 checks with curl, and panva jose across a key
//! rotation, are in tests/serve (they need programs jwkctl does not ship).

use std::io::Write;
use std::net::{TcpListener, TcpStream};

use crate::util::*;

#[path = "../support/server.rs"]
pub(crate) mod server;

use server::{Serve, eventually};

fn serve(env: &TestEnv, args: &[&str]) -> Serve {
    let mut cmd = env.spawnable(&["serve"]);
    cmd.args(args);
    Serve::start(cmd)
}

/// GET `url`, its body (the test fails on anything but 200).
fn get(url: &str) -> String {
    ureq::get(url)
        .call()
        .expect("GET")
        .body_mut()
        .read_to_string()
        .expect("body")
}

#[test]
fn serve_refuses_to_start_without_a_readable_store() {
    let env = TestEnv::new();
    env.jwkctl()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "jwkctl: {}: no such file (create one with 'jwkctl keygen', or point -k/JWKCTL_KEYS at yours)\n",
            env.keys().display()
        ));
    env.write("keys.json", "{\"keys\": 5}");
    env.jwkctl()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("not a valid key store"));
}

#[test]
fn serve_refuses_a_bad_issuer_and_an_address_in_use() {
    let env = TestEnv::with_store("ec-store.json");
    for issuer in [
        "issuer.example",
        "ftp://issuer.example",
        "https://issuer.example/?x=1",
    ] {
        env.jwkctl()
            .args(["serve", "--listen", "127.0.0.1:0", "--issuer", issuer])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicates::str::contains(format!(
                "--issuer {issuer:?} is not"
            )));
    }
    // The hint names a port that is free, never the busy one.
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let next = TcpListener::bind(("127.0.0.1", addr.port() + 1)).ok();
    let out = env
        .jwkctl()
        .args(["serve", "--listen", &addr.to_string()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(out.stdout, b"");
    let stderr = String::from_utf8(out.stderr).unwrap();
    let prefix = format!(
        "jwkctl: cannot listen on {addr}: address already in use (choose another --listen ADDR, like 127.0.0.1:"
    );
    let port: u16 = stderr
        .strip_prefix(&prefix)
        .and_then(|rest| rest.strip_suffix(")\n"))
        .unwrap_or_else(|| panic!("{stderr}"))
        .parse()
        .unwrap();
    assert!(port > addr.port(), "{stderr}");
    if next.is_some() {
        assert!(port > addr.port() + 1, "{stderr}");
    }
    drop(taken);
}

#[test]
fn serve_stops_on_sigterm_and_sigint_with_exit_0() {
    let env = TestEnv::with_store("ec-store.json");
    let server = serve(&env, &[]);
    // A connection held open does not keep it from stopping.
    let _idle = TcpStream::connect(server.base.trim_start_matches("http://")).unwrap();
    let (status, lines) = server.stop();
    assert_eq!(status.code(), Some(0), "{lines:#?}");
    assert_eq!(lines.last().unwrap(), "jwkctl: SIGTERM: stopping");

    let server = serve(&env, &[]);
    let pid = server.pid();
    let sent = std::process::Command::new("sh")
        .args(["-c", &format!("kill -INT {pid}")])
        .status()
        .unwrap();
    assert!(sent.success());
    let (status, lines) = server.wait();
    assert_eq!(status.code(), Some(0), "{lines:#?}");
    assert_eq!(lines.last().unwrap(), "jwkctl: SIGINT: stopping");
}

#[test]
fn serve_prints_what_jwks_prints_never_a_private_member() {
    let env = TestEnv::with_store("ec-store.json");
    let server = serve(&env, &[]);
    let body = get(&server.url("/.well-known/jwks.json"));
    assert_eq!(body, env.ok(&["jwks"]));
    assert!(!body.contains("\"d\""), "{body}");
    assert_eq!(get(&server.url("/jwks")), body);
}

#[test]
fn serve_rereads_a_changed_store_and_keeps_the_last_good_one() {
    let env = TestEnv::with_store("ec-store.json");
    let mut server = serve(&env, &[]);
    let jwks = server.url("/.well-known/jwks.json");
    assert!(server.seen[0].starts_with("jwkctl: serving 1 key from "));

    // rotate (at the pinned time, so the new key signs at once).
    let kid = env.ok(&["rotate", "--alg", "EdDSA"]);
    server.wait_for(|l| l.ends_with("changed: serving 2 keys"));
    let token = env.ok(&["sign", "--sub", "after-rotate"]);
    env.jwkctl()
        .args(["verify", "--jwks", &jwks, token.trim()])
        .assert()
        .code(0)
        .stderr("");
    assert_eq!(get(&jwks), env.ok(&["jwks"]));
    assert!(get(&jwks).starts_with(&format!(
        "{{\"keys\":[{{\"kty\":\"OKP\",\"kid\":\"{}\"",
        kid.trim()
    )));

    // A broken store: the last good set stays served, and it is said once.
    let good = env.read("keys.json");
    env.write("keys.json", "{\"keys\": [");
    let warning = server.wait_for(|l| l.contains("still serving the last good set"));
    assert!(warning.contains("not a valid key store"), "{warning}");
    env.jwkctl()
        .args(["verify", "--jwks", &jwks, token.trim()])
        .assert()
        .code(0);

    // A deleted store, likewise; then it comes back.
    std::fs::remove_file(env.keys()).unwrap();
    let warning = server.wait_for(|l| l.contains("still serving the last good set"));
    assert!(warning.contains("no such file"), "{warning}");
    env.write("keys.json", &good);
    server.wait_for(|l| l.ends_with("can be read again: serving its 2 keys"));
    assert_eq!(get(&jwks), env.ok(&["jwks"]));

    let (status, lines) = server.stop();
    assert_eq!(status.code(), Some(0));
    let warnings = lines
        .iter()
        .filter(|l| l.contains("still serving the last good set"))
        .count();
    assert_eq!(warnings, 2, "{lines:#?}");
}

#[test]
fn slow_clients_do_not_stop_a_normal_one() {
    let env = TestEnv::with_store("ec-store.json");
    let server = serve(&env, &[]);
    let addr = server.base.trim_start_matches("http://").to_owned();
    // 1,000 clients that start a request and never finish its headers,
    // and 100 that connect and say nothing.
    let mut slow = Vec::new();
    for i in 0..1100 {
        let mut stream = TcpStream::connect(&addr).unwrap();
        if i < 1000 {
            stream
                .write_all(b"GET /.well-known/jwks.json HTTP/1.1\r\nHost: slow\r\nX-Slow: ")
                .unwrap();
        }
        slow.push(stream);
    }
    let token = env.ok(&["sign", "--sub", "normal"]);
    env.jwkctl()
        .args(["verify", "--jwks", &server.url("/jwks"), token.trim()])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("\"sub\":\"normal\""))
        .stderr("");
    // And once more, while they are all still open.
    eventually("a second request", || Some(get(&server.url("/jwks"))));
    drop(slow);
}

#[test]
fn serve_warns_about_an_open_store_while_it_runs() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::with_store("ec-store.json");
    std::fs::set_permissions(env.keys(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let serve = serve(&env, &[]);
    let warning = format!(
        "jwkctl: warning: {0} is readable by group or others (mode 0644), and it holds private keys (restrict it: chmod 600 {0})",
        env.keys().display()
    );
    // Before it is stopped: a server that runs for days shows it too.
    assert!(serve.seen.contains(&warning), "{:?}", serve.seen);
    let (_, lines) = serve.stop();
    assert_eq!(
        lines.iter().filter(|l| **l == warning).count(),
        1,
        "{lines:?}"
    );
}
