//! `verify --jwks URL` against real servers the tests start on 127.0.0.1:
//! plain HTTP, and HTTPS with a CA and server certificate made by rcgen.
//! `check --published URL` uses the same servers.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::util::*;

/// What the server answers to one request.
pub(crate) struct Reply {
    pub(crate) delay: Duration,
    pub(crate) bytes: Vec<u8>,
}

pub(crate) fn reply(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut bytes = format!("HTTP/1.1 {status}\r\n");
    for (name, value) in headers {
        bytes.push_str(&format!("{name}: {value}\r\n"));
    }
    bytes.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let mut bytes = bytes.into_bytes();
    bytes.extend_from_slice(body);
    Reply {
        delay: Duration::ZERO,
        bytes,
    }
}

pub(crate) fn json(body: &str) -> Reply {
    reply(
        "200 OK",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
}

fn redirect(to: &str) -> Reply {
    reply("302 Found", &[("Location", to)], b"")
}

/// A server on 127.0.0.1 that answers at most 8 connections within 20 s,
/// then stops by itself. `seen` holds each request's head.
pub(crate) struct Server {
    base: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Server {
    pub(crate) fn start(
        tls: Option<Arc<rustls::ServerConfig>>,
        handler: impl Fn(&str) -> Reply + Send + 'static,
    ) -> Server {
        Server::serve(tls, TcpListener::bind("127.0.0.1:0").unwrap(), handler)
    }

    /// A plain HTTP server on a socket bound already (a given port).
    pub(crate) fn start_with(
        listener: TcpListener,
        handler: impl Fn(&str) -> Reply + Send + 'static,
    ) -> Server {
        Server::serve(None, listener, handler)
    }

    fn serve(
        tls: Option<Arc<rustls::ServerConfig>>,
        listener: TcpListener,
        handler: impl Fn(&str) -> Reply + Send + 'static,
    ) -> Server {
        let port = listener.local_addr().unwrap().port();
        let scheme = if tls.is_some() { "https" } else { "http" };
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        listener.set_nonblocking(true).unwrap();
        thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(20);
            let mut served = 0;
            while served < 8 && Instant::now() < deadline {
                let Ok((stream, _)) = listener.accept() else {
                    thread::sleep(Duration::from_millis(5));
                    continue;
                };
                served += 1;
                stream.set_nonblocking(false).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(5)))
                    .unwrap();
                stream
                    .set_write_timeout(Some(Duration::from_secs(5)))
                    .unwrap();
                match &tls {
                    None => answer(stream, &handler, &log),
                    Some(config) => {
                        let conn = rustls::ServerConnection::new(Arc::clone(config)).unwrap();
                        answer(rustls::StreamOwned::new(conn, stream), &handler, &log);
                    }
                }
            }
        });
        Server {
            base: format!("{scheme}://127.0.0.1:{port}"),
            seen,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

/// Reads one request head, records it, sends the reply. I/O errors (a
/// client that gave up, a refused certificate) just end the connection.
fn answer(
    mut stream: impl Read + Write,
    handler: &impl Fn(&str) -> Reply,
    log: &Mutex<Vec<String>>,
) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let path = head.split(' ').nth(1).unwrap_or("/").to_owned();
    log.lock().unwrap().push(head);
    let reply = handler(&path);
    thread::sleep(reply.delay);
    let _ = stream.write_all(&reply.bytes);
    let _ = stream.flush();
}

/// A test CA (its PEM) and a server config with a certificate it signed for
/// 127.0.0.1 and localhost.
pub(crate) fn test_ca() -> (String, Arc<rustls::ServerConfig>) {
    test_ca_for(&["127.0.0.1", "localhost"])
}

fn test_ca_for(names: &[&str]) -> (String, Arc<rustls::ServerConfig>) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "jwkctl test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);

    let key = rcgen::KeyPair::generate().unwrap();
    let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    let params = rcgen::CertificateParams::new(names).unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    let chain: Vec<CertificateDer<'static>> = vec![cert.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    (ca_cert.pem(), Arc::new(config))
}

/// A store with an EdDSA key, its public JWK Set, and a token it signed.
fn signed() -> (TestEnv, String, String) {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA"]);
    let jwks = env.ok(&["jwks"]).trim().to_owned();
    let token = env.ok(&["sign", "--sub", "u1"]).trim().to_owned();
    (env, jwks, token)
}

fn claims() -> String {
    format!(
        "{{\"sub\":\"u1\",\"iat\":{NOW_UNIX},\"exp\":{}}}\n",
        NOW_UNIX + 3600
    )
}

#[test]
fn http_on_loopback_verifies_and_sends_accept() {
    let (env, jwks, token) = signed();
    let server = Server::start(None, move |_| json(&jwks));
    let url = server.url("/.well-known/jwks.json");
    env.jwkctl()
        // A proxy from the environment is not used for loopback hosts.
        .env("ALL_PROXY", "http://127.0.0.1:9")
        .args(["verify", "--jwks", &url, &token])
        .assert()
        .success()
        .stdout(claims())
        .stderr("");
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert!(
        requests[0].starts_with("GET /.well-known/jwks.json HTTP/1.1\r\n"),
        "{}",
        requests[0]
    );
    let accept = requests[0]
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(name, _)| name.eq_ignore_ascii_case("accept"))
        })
        .map(|(_, value)| value.trim().to_owned());
    assert_eq!(
        accept.as_deref(),
        Some("application/jwk-set+json, application/json")
    );
}

#[test]
fn batch_fetches_once_for_all_tokens() {
    let (env, jwks, token) = signed();
    let server = Server::start(None, move |_| json(&jwks));
    let line = |n| {
        format!(
            "{{\"line\":{n},\"valid\":true,\"claims\":{}}}\n",
            claims().trim()
        )
    };
    env.jwkctl()
        .args(["verify", "--batch", "--jwks", &server.url("/jwks")])
        .write_stdin(format!("{token}\n{token}\n\n{token}\n"))
        .assert()
        .success()
        .stdout(line(1) + &line(2) + &line(4));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn https_with_the_test_ca_in_ca_file() {
    let (env, jwks, token) = signed();
    let (ca_pem, tls) = test_ca();
    env.write("ca.pem", &ca_pem);
    let server = Server::start(Some(tls), move |_| json(&jwks));
    env.jwkctl()
        .args([
            "verify",
            "--ca-file",
            "ca.pem",
            "--jwks",
            &server.url("/jwks.json"),
            &token,
        ])
        .assert()
        .success()
        .stdout(claims())
        .stderr("");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn https_without_ca_file_is_an_unknown_issuer() {
    let (env, jwks, token) = signed();
    let (_, tls) = test_ca();
    let server = Server::start(Some(tls), move |_| json(&jwks));
    let url = server.url("/jwks.json");
    env.jwkctl()
        .args(["verify", "--jwks", &url, &token])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "jwkctl: {url}: TLS: the server's certificate is not from a trusted CA (unknown issuer; for a private CA pass its certificate with --ca-file)\n"
        ));
    assert!(
        server.requests().is_empty(),
        "no request after a failed handshake"
    );
}

#[test]
fn redirect_to_http_is_refused() {
    let (env, _, token) = signed();
    let server = Server::start(None, |path| match path {
        "/jwks" => redirect("http://127.0.0.1:9/plain"),
        _ => json("{}"),
    });
    let url = server.url("/jwks");
    env.jwkctl()
        .args(["verify", "--jwks", &url, &token])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "jwkctl: {url}: redirected to http://127.0.0.1:9/plain, which is not https:// (redirects are only followed to https://; point --jwks at an https URL)\n"
        ));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn redirects_to_https_are_followed() {
    let (env, jwks, token) = signed();
    let (ca_pem, tls) = test_ca();
    env.write("ca.pem", &ca_pem);
    let https = Server::start(Some(tls), move |path| match path {
        // A relative Location, resolved against the https URL.
        "/moved" => redirect("/final.json"),
        _ => json(&jwks),
    });
    let target = https.url("/moved");
    let http = Server::start(None, move |_| redirect(&target));
    env.jwkctl()
        .args([
            "verify",
            "--ca-file",
            "ca.pem",
            "--jwks",
            &http.url("/jwks"),
            &token,
        ])
        .assert()
        .success()
        .stdout(claims())
        .stderr("");
    let paths: Vec<String> = https
        .requests()
        .iter()
        .map(|r| r.split(' ').nth(1).unwrap().to_owned())
        .collect();
    assert_eq!(paths, ["/moved", "/final.json"]);
}

#[test]
fn more_than_three_redirects_are_refused() {
    let (env, _, token) = signed();
    let (ca_pem, tls) = test_ca();
    env.write("ca.pem", &ca_pem);
    let server = Server::start(Some(tls), |path| {
        let n: u32 = path.trim_start_matches("/r").parse().unwrap_or(0);
        redirect(&format!("/r{}", n + 1))
    });
    let url = server.url("/r0");
    env.jwkctl()
        .args(["verify", "--ca-file", "ca.pem", "--jwks", &url, &token])
        .assert()
        .code(2)
        .stderr(format!(
            "jwkctl: {url}: redirected to {}: more than 3 redirects (point --jwks at the final URL)\n",
            server.url("/r3")
        ));
    assert_eq!(server.requests().len(), 4);
}

#[test]
fn a_slow_server_times_out() {
    let (env, jwks, token) = signed();
    let server = Server::start(None, move |_| Reply {
        delay: Duration::from_secs(4),
        ..json(&jwks)
    });
    let url = server.url("/jwks");
    let start = Instant::now();
    env.jwkctl()
        .env("JWKCTL_FETCH_TIMEOUT", "1")
        .args(["verify", "--jwks", &url, &token])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "jwkctl: {url}: no complete answer within 1s (check that the server is up and reachable)\n"
        ));
    let took = start.elapsed();
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

#[test]
fn a_body_over_1_mib_is_refused() {
    let (env, _, token) = signed();
    let big = format!("{{\"keys\":[],\"pad\":\"{}\"}}", "x".repeat(1 << 20));
    let server = Server::start(None, move |_| json(&big));
    let url = server.url("/jwks");
    env.jwkctl()
        .args(["verify", "--jwks", &url, &token])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "jwkctl: {url}: the answer is larger than 1 MiB, which no JWK Set needs (check the URL)\n"
        ));
}

#[test]
fn http_errors_and_bodies_that_are_not_a_jwk_set() {
    let (env, _, token) = signed();
    let server = Server::start(None, |path| match path {
        "/missing" => reply("404 Not Found", &[], b"no"),
        "/broken" => reply("503 Service Unavailable", &[], b""),
        "/html" => reply("200 OK", &[("Content-Type", "text/html")], b"<html></html>"),
        _ => json(r#"{"issuer":"https://example.com"}"#),
    });
    for (path, what) in [
        ("/missing", "HTTP 404 Not Found (check the URL)"),
        (
            "/broken",
            "HTTP 503 Service Unavailable (the server failed; try again later)",
        ),
        (
            "/html",
            "not a JWK Set (expected a JSON object like {\"keys\":[...]}) (check that the URL serves the JWK Set)",
        ),
        (
            "/openid",
            "not a JWK Set (no \"keys\" array and no \"kty\") (check that the URL serves the JWK Set)",
        ),
    ] {
        let url = server.url(path);
        env.jwkctl()
            .args(["verify", "--jwks", &url, &token])
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!("jwkctl: {url}: {what}\n"));
    }
}

#[test]
fn http_to_another_host_is_refused_before_any_io() {
    let (env, _, token) = signed();
    let start = Instant::now();
    env.jwkctl()
        .args(["verify", "--jwks", "http://example.com/jwks.json", &token])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "jwkctl: http://example.com/jwks.json: http:// is refused for example.com, which is not a loopback host (use https://; plain http is only for 127.0.0.1, ::1 and localhost)\n",
        );
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn connection_refused_names_the_url() {
    let (env, _, token) = signed();
    // A port that was just free: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/jwks");
    env.jwkctl()
        .args(["verify", "--jwks", &url, &token])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "jwkctl: {url}: connection refused (check the host and port, and that the server is running)\n"
        ));
}

#[test]
fn ca_file_problems_are_input_errors() {
    let (env, _, token) = signed();
    env.write("jwks.json", &env.ok(&["jwks"]));
    env.jwkctl()
        .args(["verify", "--ca-file", "ca.pem", "--jwks", "jwks.json", &token])
        .assert()
        .code(2)
        .stderr("jwkctl: --ca-file ca.pem: only applies when --jwks is an https:// URL (drop --ca-file)\n");
    env.jwkctl()
        .args([
            "verify",
            "--ca-file",
            "ca.pem",
            "--jwks",
            "https://127.0.0.1:9/",
            &token,
        ])
        .assert()
        .code(2)
        .stderr("jwkctl: --ca-file ca.pem: no such file (check the path)\n");
    env.write("bad.pem", "not a certificate\n");
    env.jwkctl()
        .args(["verify", "--ca-file", "bad.pem", "--jwks", "https://127.0.0.1:9/", &token])
        .assert()
        .code(2)
        .stderr("jwkctl: bad.pem: no certificate in it (--ca-file takes CA certificates in PEM, -----BEGIN CERTIFICATE-----)\n");
}

#[test]
fn a_certificate_for_another_name_is_refused() {
    let (env, jwks, token) = signed();
    let (ca_pem, tls) = test_ca_for(&["jwks.example"]);
    env.write("ca.pem", &ca_pem);
    let server = Server::start(Some(tls), move |_| json(&jwks));
    let url = server.url("/jwks.json");
    env.jwkctl()
        .args(["verify", "--ca-file", "ca.pem", "--jwks", &url, &token])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "jwkctl: {url}: TLS: the server's certificate is not valid for this host name (check the URL's host)\n"
        ));
}

#[test]
fn ipv6_loopback_http_is_allowed() {
    let Ok(listener) = TcpListener::bind("[::1]:0") else {
        // No IPv6 loopback on this machine: what is under test, that
        // http:// to [::1] passes the loopback rule, still shows: jwkctl
        // tries to connect instead of refusing the URL.
        use predicates::prelude::*;
        let url = "http://[::1]:9/jwks";
        TestEnv::new()
            .jwkctl()
            .args(["verify", "--jwks", url, "x.y.z"])
            .assert()
            .code(2)
            .stdout("")
            .stderr(
                predicates::str::starts_with(format!("jwkctl: {url}: "))
                    .and(predicates::str::contains("loopback").not()),
            );
        return;
    };
    let port = listener.local_addr().unwrap().port();
    let (env, jwks, token) = signed();
    thread::spawn(move || {
        // One connection, then the thread ends.
        if let Ok((stream, _)) = listener.accept() {
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            answer(stream, &|_: &str| json(&jwks), &Mutex::new(Vec::new()));
        }
    });
    env.jwkctl()
        .args([
            "verify",
            "--jwks",
            &format!("http://[::1]:{port}/jwks"),
            &token,
        ])
        .assert()
        .success()
        .stdout(claims());
}

#[test]
fn credentials_in_a_url_are_refused_without_echoing_them() {
    let env = TestEnv::new();
    env.jwkctl()
        .args(["verify", "--jwks", "https://user:hunter2@127.0.0.1:9/jwks.json", "x.y.z"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: the --jwks URL carries credentials (user:password@host), which jwkctl never sends (remove them from the URL)\n");
    env.jwkctl()
        .args(["verify", "--jwks", "ftp://127.0.0.1/jwks.json", "x.y.z"])
        .assert()
        .code(2)
        .stderr("jwkctl: ftp://127.0.0.1/jwks.json: only https:// URLs (http:// for loopback hosts) and files are key sources\n");
}
