//! A `vault:` store against a fake KV v2 server on loopback, for what a
//! real OpenBao does not do on request: quote the token back in an error,
//! or answer with an older version than before (a stale replica).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use serde_json::json;

use crate::util::*;

use crate::serve::server;

/// One request as the fake server saw it.
struct Request {
    method: String,
    path: String,
    token: String,
}

type Handler = dyn Fn(&Request) -> (u16, String) + Send + Sync;

/// Serves `handler`'s answers, one request per connection, until the test
/// ends. Returns `http://127.0.0.1:PORT`.
fn fake_server(handler: Arc<Handler>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let handler = Arc::clone(&handler);
            std::thread::spawn(move || answer(stream, &*handler));
        }
    });
    format!("http://{addr}")
}

fn answer(stream: TcpStream, handler: &Handler) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let path = parts.next().unwrap_or("").to_owned();
    let (mut length, mut token) = (0usize, String::new());
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap_or(0),
                "x-vault-token" => token = value.trim().to_owned(),
                _ => {}
            }
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let (status, body) = handler(&Request {
        method,
        path,
        token,
    });
    let mut stream = reader.into_inner();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// A KV v2 read answer holding `store` as version `version`.
fn secret(version: u64, store: &str) -> String {
    json!({
        "data": {
            "data": {"keys.json": store},
            "metadata": {"version": version, "deletion_time": "", "destroyed": false}
        }
    })
    .to_string()
}

const TOKEN: &str = "hvs.CANARY-f00dfeed-not-for-stderr";

#[test]
fn a_server_that_quotes_the_token_does_not_get_it_printed() {
    // Every answer is a 403 whose message quotes the request's token, as
    // some proxies and servers do.
    let addr = fake_server(Arc::new(|req: &Request| {
        let quoted = format!(
            "permission denied for VAULT_TOKEN={} on {}",
            req.token, req.path
        );
        (403, json!({"errors": [quoted]}).to_string())
    }));
    let env = TestEnv::new();
    for args in [&["list"][..], &["rotate"], &["keygen"]] {
        let out = env
            .jwkctl()
            .args(args)
            .args(["-k", "vault:secret/jwkctl"])
            .env("VAULT_ADDR", &addr)
            .env("VAULT_TOKEN", TOKEN)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains(TOKEN), "{args:?}: {stderr}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains(TOKEN));
        assert!(
            stderr.contains("HTTP 403: permission denied for VAULT_TOKEN=[token hidden] on /v1/secret/data/jwkctl"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn serve_keeps_the_newer_set_when_the_version_goes_back() {
    let newer = fixture("ec-store.json");
    let older = fixture("rsa-store.json");
    let version = Arc::new(Mutex::new(5u64));
    let served = Arc::clone(&version);
    let (newer_text, older_text) = (newer.clone(), older.clone());
    let addr = fake_server(Arc::new(move |req: &Request| {
        assert_eq!(req.method, "GET");
        let v = *served.lock().unwrap();
        let text = if v == 5 { &newer_text } else { &older_text };
        (200, secret(v, text))
    }));
    let env = TestEnv::new();
    let mut cmd = env.spawnable(&["serve", "-k", "vault:secret/jwkctl"]);
    cmd.env("VAULT_ADDR", &addr).env("VAULT_TOKEN", TOKEN);
    let mut serve = server::Serve::start(cmd);
    let kids = |url: &str| -> Vec<String> {
        let body = ureq::get(url)
            .call()
            .expect("GET")
            .body_mut()
            .read_to_string()
            .expect("body");
        let set: serde_json::Value = serde_json::from_str(&body).unwrap();
        set["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap().to_owned())
            .collect()
    };
    let jwks = serve.url("/.well-known/jwks.json");
    let before = kids(&jwks);
    // A stale replica answers from now on.
    *version.lock().unwrap() = 3;
    let line = serve.wait_for(|l| l.contains("went back"));
    assert_eq!(
        line,
        "jwkctl: vault:secret/jwkctl went back from version 5 to version 3 (a stale replica or a replayed answer): still serving the keys of version 5"
    );
    assert_eq!(kids(&jwks), before);
    let (_, lines) = serve.stop();
    assert!(!lines.iter().any(|l| l.contains(TOKEN)));
    assert!(
        !lines.iter().any(|l| l.contains("changed: serving")),
        "{lines:?}"
    );
}

#[test]
fn a_403_names_the_capability_needed_when_the_server_will_not_say_more() {
    let store = fixture("ec-store.json");
    let addr = fake_server(Arc::new(move |req: &Request| match req.method.as_str() {
        "GET" => (200, secret(7, &store)),
        // Neither the write nor sys/capabilities-self is allowed.
        _ => (
            403,
            json!({"errors": ["1 error occurred:\n\t* permission denied\n\n"]}).to_string(),
        ),
    }));
    let env = TestEnv::new();
    env.jwkctl()
        .args(["rotate", "-k", "vault:secret/jwkctl"])
        .env("VAULT_ADDR", &addr)
        .env("VAULT_TOKEN", TOKEN)
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "jwkctl: vault:secret/jwkctl at {addr}: HTTP 403: permission denied (the token's policy needs \"read\", \"create\" and \"update\" on secret/data/jwkctl to change the store; this one lacks \"update\" (or the token expired))\n"
        ));
}
