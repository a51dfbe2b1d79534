//! `jwkctl serve` with the clients people use: curl for the HTTP details
//! (headers, 304, HEAD, 404, 405, 414 and 431) and panva jose, in Node,
//! verifying tokens across a key rotation without a restart of `serve`.
//! They need curl and Node with tests/node installed; where those are
//! missing the tests show as ignored (and fail under CI=true).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    clippy::print_stdout,
    // external::needs hands each test a &PathBuf.
    clippy::ptr_arg
)]

#[path = "../support/external.rs"]
mod external;
#[path = "../support/server.rs"]
mod server;
#[path = "../support/util.rs"]
mod util;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use serde_json::Value;

use server::{Serve, eventually};
use util::TestEnv;

fn main() -> ExitCode {
    let curl = external::program("curl");
    let node = external::node_modules().and_then(|dir| Ok((dir, curl.clone()?)));
    external::run(vec![
        external::needs("serve_headers_and_body", &curl, serve_headers_and_body),
        external::needs("serve_etag_and_304", &curl, serve_etag_and_304),
        external::needs("serve_head", &curl, serve_head),
        external::needs("serve_404_and_405", &curl, serve_404_and_405),
        external::needs("serve_discovery", &curl, serve_discovery),
        external::needs(
            "serve_request_size_limits",
            &curl,
            serve_request_size_limits,
        ),
        external::needs(
            "serve_jose_across_a_rotation",
            &node,
            serve_jose_across_a_rotation,
        ),
    ])
}

/// One response, as curl saw it.
struct Got {
    status: u16,
    /// The head as sent.
    head: String,
    /// `name: value`, names in lower case, in order.
    headers: Vec<(String, String)>,
    body: String,
}

impl Got {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// curl with `args`, the response head written to a file apart from the
/// body, so a body is never mistaken for headers.
fn curl(curl: &Path, args: &[&str]) -> Got {
    let dir = tempfile::tempdir().unwrap();
    let head = dir.path().join("head");
    let out = Command::new(curl)
        .args(["-sS", "--max-time", "60", "-D"])
        .arg(&head)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "curl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let head = std::fs::read_to_string(head).unwrap();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (name, value) = l.split_once(':').unwrap();
            (name.to_ascii_lowercase(), value.trim().to_owned())
        })
        .collect();
    Got {
        status,
        head: head.clone(),
        headers,
        body: String::from_utf8(out.stdout).unwrap(),
    }
}

fn serve(env: &TestEnv, args: &[&str]) -> Serve {
    let mut cmd = env.spawnable(&["serve"]);
    cmd.args(args);
    Serve::start(cmd)
}

fn serve_headers_and_body(curl_path: &PathBuf) {
    let env = TestEnv::with_store("rsa-store.json");
    env.ok(&["rotate", "--alg", "ES256", "--publish-ahead", "1h"]);
    let jwks = env.ok(&["jwks"]);
    let mut server = serve(&env, &[]);
    for path in ["/.well-known/jwks.json", "/jwks", "/jwks?cache-buster=1"] {
        let got = curl(curl_path, &[&server.url(path)]);
        assert_eq!(got.status, 200);
        assert_eq!(got.body, jwks, "{path}");
        assert_eq!(got.header("content-type"), Some("application/jwk-set+json"));
        assert_eq!(got.header("cache-control"), Some("public, max-age=300"));
        assert_eq!(got.header("access-control-allow-origin"), Some("*"));
        assert_eq!(
            got.header("content-length"),
            Some(jwks.len().to_string().as_str())
        );
        let etag = got.header("etag").unwrap();
        assert!(
            etag.len() > 2 && etag.starts_with('"') && etag.ends_with('"'),
            "{etag}"
        );
        assert!(!etag.starts_with("W/"), "a strong validator: {etag}");
    }
    // One line per request.
    let line = server.wait_for(|l| l.contains(" GET /jwks?cache-buster=1 "));
    assert!(
        line.ends_with(&format!(" GET /jwks?cache-buster=1 200 {}", jwks.len())),
        "{line}"
    );
    drop(server);

    let cmd = env.spawnable(&["-q", "serve", "--cache-ttl", "90s"]);
    let server = Serve::start_quiet(cmd);
    let got = curl(curl_path, &[&server.url("/jwks")]);
    assert_eq!(got.header("cache-control"), Some("public, max-age=90"));
    let (status, lines) = server.stop();
    assert_eq!(status.code(), Some(0));
    assert!(lines.is_empty(), "-q: {lines:#?}");
}

fn serve_etag_and_304(curl_path: &PathBuf) {
    let env = TestEnv::with_store("ec-store.json");
    let server = serve(&env, &[]);
    let url = server.url("/.well-known/jwks.json");
    let first = curl(curl_path, &[&url]);
    let etag = first.header("etag").unwrap().to_owned();
    for matching in [
        etag.clone(),
        format!("W/{etag}"),
        format!("\"x\", {etag}"),
        "*".into(),
    ] {
        let got = curl(
            curl_path,
            &["-H", &format!("If-None-Match: {matching}"), &url],
        );
        assert_eq!(got.status, 304, "{matching}");
        assert_eq!(got.body, "");
        assert_eq!(got.header("etag"), Some(etag.as_str()));
        assert_eq!(got.header("cache-control"), Some("public, max-age=300"));
        assert_eq!(got.header("access-control-allow-origin"), Some("*"));
    }
    let other = curl(curl_path, &["-H", "If-None-Match: \"other\"", &url]);
    assert_eq!(other.status, 200);
    assert_eq!(other.body, first.body);

    // A new key, a new tag; the old tag no longer matches.
    env.ok(&["rotate", "--alg", "EdDSA"]);
    let changed = eventually("the new set is served", || {
        let got = curl(curl_path, &["-H", &format!("If-None-Match: {etag}"), &url]);
        (got.status == 200).then_some(got)
    });
    assert_eq!(changed.body, env.ok(&["jwks"]));
    assert_ne!(changed.header("etag"), Some(etag.as_str()));
}

fn serve_head(curl_path: &PathBuf) {
    let env = TestEnv::with_store("ec-store.json");
    let server = serve(&env, &[]);
    let jwks = env.ok(&["jwks"]);
    let got = curl(curl_path, &["-I", &server.url("/jwks")]);
    assert_eq!(got.status, 200);
    // curl -I prints the head as the "body": nothing else came.
    assert_eq!(got.body, got.head);
    assert_eq!(got.header("content-type"), Some("application/jwk-set+json"));
    assert_eq!(
        got.header("content-length"),
        Some(jwks.len().to_string().as_str())
    );
    let get = curl(curl_path, &[&server.url("/jwks")]);
    assert_eq!(got.header("etag"), get.header("etag"));
}

fn serve_404_and_405(curl_path: &PathBuf) {
    let env = TestEnv::with_store("ec-store.json");
    let server = serve(&env, &[]);
    for method in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"] {
        for path in ["/jwks", "/.well-known/jwks.json"] {
            let got = curl(curl_path, &["-X", method, &server.url(path)]);
            assert_eq!(got.status, 405, "{method} {path}");
            assert_eq!(got.header("allow"), Some("GET, HEAD"));
        }
    }
    for path in [
        "/",
        "/jwks/",
        "/keys.json",
        "/.well-known/openid-configuration",
        "/JWKS",
    ] {
        for method in ["GET", "POST"] {
            let got = curl(curl_path, &["-X", method, &server.url(path)]);
            assert_eq!(got.status, 404, "{method} {path}");
            assert!(!got.body.contains("kty"));
        }
    }
}

fn serve_discovery(curl_path: &PathBuf) {
    let env = TestEnv::with_store("rsa-store.json");
    env.ok(&["rotate", "--alg", "ES256", "--publish-ahead", "1h"]);
    for issuer in ["https://issuer.example", "https://issuer.example/tenant/"] {
        let server = serve(&env, &["--issuer", issuer]);
        let got = curl(
            curl_path,
            &[&server.url("/.well-known/openid-configuration")],
        );
        assert_eq!(got.status, 200);
        assert_eq!(got.header("content-type"), Some("application/json"));
        let base = issuer.trim_end_matches('/');
        assert_eq!(
            got.body,
            format!(
                "{{\"issuer\":\"{issuer}\",\"jwks_uri\":\"{base}/.well-known/jwks.json\",\
                 \"id_token_signing_alg_values_supported\":[\"RS256\",\"ES256\"],\
                 \"response_types_supported\":[\"id_token\"],\"subject_types_supported\":[\"public\"]}}\n"
            )
        );
        let post = curl(
            curl_path,
            &[
                "-X",
                "POST",
                &server.url("/.well-known/openid-configuration"),
            ],
        );
        assert_eq!(post.status, 405);
    }
}

fn serve_request_size_limits(curl_path: &PathBuf) {
    let env = TestEnv::with_store("ec-store.json");
    let mut server = serve(&env, &[]);
    let url = server.url("/jwks");
    let header = |n: usize| format!("X-Big: {}", "a".repeat(n));
    // Just under 8 KiB in all is served.
    assert_eq!(curl(curl_path, &["-H", &header(7000), &url]).status, 200);
    // Over it: 431, also far over it (where hyper stops reading).
    assert_eq!(curl(curl_path, &["-H", &header(9000), &url]).status, 431);
    assert_eq!(curl(curl_path, &["-H", &header(20_000), &url]).status, 431);
    // More than 100 headers, however short.
    let many: Vec<String> = (0..120).map(|i| format!("-HX-{i}: b")).collect();
    let mut args: Vec<&str> = many.iter().map(String::as_str).collect();
    args.push(&url);
    assert_eq!(curl(curl_path, &args).status, 431);
    // A long request line: 414.
    let long = format!("{url}?{}", "q".repeat(9000));
    assert_eq!(curl(curl_path, &[&long]).status, 414);
    server.wait_for(|l| l.ends_with(" 414 22"));
    // Still serving.
    assert_eq!(curl(curl_path, &[&url]).status, 200);
}

/// panva jose keeps one remote JWK Set across `rotate --publish-ahead`:
/// tokens before the rotation, during it (still the old key) and after the
/// pending key took over all verify, with no restart of `serve` and no
/// command at the takeover. Everything runs on the real clock (no
/// JWKCTL_NOW): serve judges key states at each request's own time, and a
/// pinned clock would never reach the takeover. A 6 s publish-ahead is
/// long against the jose cache (1 s) and short for the test.
fn serve_jose_across_a_rotation((node_dir, curl_path): &(PathBuf, PathBuf)) {
    let env = TestEnv::new();
    let real = |args: &[&str]| -> String {
        let out = env
            .jwkctl()
            .env_remove("JWKCTL_NOW")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "jwkctl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let old = real(&["keygen", "--alg", "ES256"]);
    let mut cmd = env.spawnable(&["serve", "--cache-ttl", "1s"]);
    cmd.env_remove("JWKCTL_NOW");
    let mut server = Serve::start(cmd);
    let url = server.url("/.well-known/jwks.json");

    let mut node = Command::new("node")
        .current_dir(node_dir)
        .args(["serve-jose.mjs", &url])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut to_node = node.stdin.take().unwrap();
    let mut from_node = BufReader::new(node.stdout.take().unwrap());
    let mut jose = |token: &str| -> Value {
        writeln!(to_node, "{token}").unwrap();
        let mut line = String::new();
        from_node.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or_else(|_| panic!("node said {line:?}"))
    };
    let first_kid = || -> String {
        let body = curl(curl_path, &[&url]).body;
        let set: Value = serde_json::from_str(&body).unwrap();
        set["keys"][0]["kid"].as_str().unwrap().to_owned()
    };
    let valid = |kid: &str, sub: &str| serde_json::json!({"valid": true, "kid": kid, "sub": sub});

    let before = real(&["sign", "--sub", "before"]);
    assert_eq!(jose(&before), valid(&old, "before"));

    let new = real(&["rotate", "--alg", "ES256", "--publish-ahead", "6s"]);
    server.wait_for(|l| l.ends_with("changed: serving 2 keys"));
    // Published at once, the old key still first and signing.
    let set = curl(curl_path, &[&url]).body;
    assert!(set.contains(&new), "{set}");
    assert_eq!(first_kid(), old);
    let during = real(&["sign", "--sub", "during"]);
    assert_eq!(jose(&during), valid(&old, "during"));
    // A verifier that fetches now already holds the key that will sign.
    let early = real(&["sign", "--kid", &new, "--sub", "early"]);
    env.jwkctl()
        .env_remove("JWKCTL_NOW")
        .args(["verify", "--jwks", &url, &early])
        .assert()
        .code(0);

    // The takeover happens at its time, with no command and no restart.
    eventually("the pending key takes over", || {
        (first_kid() == new).then_some(())
    });
    assert_eq!(
        curl(curl_path, &[&url]).body,
        format!("{}\n", real(&["jwks"]))
    );
    let after = real(&["sign", "--sub", "after"]);
    assert_eq!(jose(&after), valid(&new, "after"));
    // Tokens of the retired key still verify.
    assert_eq!(jose(&before), valid(&old, "before"));
    env.jwkctl()
        .env_remove("JWKCTL_NOW")
        .args(["verify", "--jwks", &url, &after])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("\"sub\":\"after\""));

    drop(to_node);
    assert!(node.wait().unwrap().success());
    let (status, lines) = server.stop();
    assert_eq!(status.code(), Some(0), "{lines:#?}");
}
