//! `rotate --await-published` against real caches: nginx as a CDN
//! (`proxy_cache`, honouring the origin's Cache-Control) in front of a
//! published `jwks.json`, and panva jose (Node) as the verifier behind it.
//!
//! jwkctl runs with `--now` on a clock that moves with real time plus the
//! jumps the test makes over each publish-ahead: caches expire in real
//! seconds, so a cache lifetime of a few seconds plays the part of one
//! longer than the publish-ahead (which the jump skips in no real time).
//! They need nginx and Node with tests/node installed; where those are
//! missing the tests show as ignored (and fail under CI=true).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    clippy::print_stdout,
    clippy::ptr_arg
)]

#[path = "../support/external.rs"]
mod external;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitCode, Output, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

/// What the origin announces (`Cache-Control: max-age`), in seconds.
const LIFETIME: u64 = 2;

fn main() -> ExitCode {
    // Debian puts it in /usr/sbin, which a user's PATH may lack.
    let nginx = external::program("nginx").or_else(|why| {
        let sbin = PathBuf::from("/usr/sbin/nginx");
        if sbin.is_file() { Ok(sbin) } else { Err(why) }
    });
    let node = external::node_modules().and_then(|dir| Ok((dir, nginx.clone()?)));
    external::run(vec![
        external::needs(
            "cdn_three_rotations_with_await_fail_no_token",
            &node,
            three_rotations_with_await_fail_no_token,
        ),
        external::needs(
            "cdn_the_same_rotations_without_await_reject_tokens",
            &node,
            the_same_rotations_without_await_reject_tokens,
        ),
        external::needs(
            "cdn_two_cache_locations_are_covered_by_the_lifetime",
            &node,
            two_cache_locations_are_covered_by_the_lifetime,
        ),
        external::needs(
            "cdn_that_never_refreshes_holds_the_old_key",
            &nginx,
            a_cdn_that_never_refreshes_holds_the_old_key,
        ),
    ])
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port()
}

/// nginx with an origin serving `www/` and caches in front of it; stopped
/// when dropped.
struct Nginx {
    child: Child,
    origin: u16,
    /// Two cache locations honouring the origin's Cache-Control.
    cdn: [u16; 2],
    /// A cache that ignores the origin and keeps what it has for a day.
    frozen: u16,
}

impl Nginx {
    fn start(nginx: &Path, dir: &Path) -> Nginx {
        let [origin, a, b, frozen] = [free_port(), free_port(), free_port(), free_port()];
        let d = dir.display();
        for sub in ["tmp", "www"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        let cdn = |port: u16, zone: &str| {
            format!(
                "server {{ listen 127.0.0.1:{port}; location / {{ proxy_pass http://127.0.0.1:{origin}; proxy_cache {zone}; }} }}\n"
            )
        };
        let conf = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\nerror_log {d}/error.log warn;\npid {d}/nginx.pid;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n\
             access_log off;\n\
             client_body_temp_path {d}/tmp/body; proxy_temp_path {d}/tmp/proxy; fastcgi_temp_path {d}/tmp/fastcgi;\n\
             uwsgi_temp_path {d}/tmp/uwsgi; scgi_temp_path {d}/tmp/scgi;\n\
             proxy_cache_path {d}/cache-a keys_zone=a:1m; proxy_cache_path {d}/cache-b keys_zone=b:1m;\n\
             proxy_cache_path {d}/cache-f keys_zone=f:1m;\n\
             types {{ application/jwk-set+json json; }}\n\
             server {{ listen 127.0.0.1:{origin}; root {d}/www; etag off; if_modified_since off;\n\
             location / {{ add_header Cache-Control \"public, max-age={LIFETIME}\" always; }} }}\n\
             {}{}\
             server {{ listen 127.0.0.1:{frozen}; location / {{ proxy_pass http://127.0.0.1:{origin}; proxy_cache f;\n\
             proxy_ignore_headers Cache-Control Expires; proxy_cache_valid 200 1d; }} }}\n\
             }}\n",
            cdn(a, "a"),
            cdn(b, "b"),
        );
        std::fs::write(dir.join("nginx.conf"), conf).unwrap();
        let child = Command::new(nginx)
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let started = Instant::now();
        for port in [origin, a, b, frozen] {
            while TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(
                    started.elapsed() < Duration::from_secs(20),
                    "nginx did not start: {}",
                    std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
                );
                sleep(Duration::from_millis(20));
            }
        }
        Nginx {
            child,
            origin,
            cdn: [a, b],
            frozen,
        }
    }

    fn url(port: u16) -> String {
        format!("http://127.0.0.1:{port}/jwks.json")
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The body of a plain GET.
fn get(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut stream = TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET /{path} HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 200"), "{url}: {text}");
    text.split_once("\r\n\r\n").unwrap().1.to_owned()
}

/// jwkctl's clock: real time plus the jumps over each publish-ahead.
struct Clock {
    start: Instant,
    at_start: f64,
    jumped: f64,
}

impl Clock {
    fn new() -> Clock {
        let at_start = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        Clock {
            start: Instant::now(),
            at_start,
            jumped: 0.0,
        }
    }

    fn now(&self) -> String {
        format!(
            "{:.3}",
            self.at_start + self.start.elapsed().as_secs_f64() + self.jumped
        )
    }

    fn jump(&mut self, secs: f64) {
        self.jumped += secs;
    }
}

/// A store in `dir`, driven at the clock's time.
struct Issuer {
    dir: PathBuf,
    clock: Clock,
}

impl Issuer {
    fn new(dir: &Path) -> Issuer {
        let issuer = Issuer {
            dir: dir.to_owned(),
            clock: Clock::new(),
        };
        issuer.ok(&["keygen", "--alg", "EdDSA"]);
        issuer.publish();
        issuer
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_jwkctl"))
            .current_dir(&self.dir)
            .env_clear()
            .env("JWKCTL_KEYS", self.dir.join("keys.json"))
            .env("JWKCTL_NOW", self.clock.now())
            .args(args)
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "jwkctl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// The origin's file, as the README's cron line writes it.
    fn publish(&self) {
        self.ok(&["jwks", "--out", "www/jwks.json"]);
    }

    /// A token signed now, with the time it was signed at.
    fn sign(&self) -> (String, String) {
        let now = self.clock.now();
        let out = Command::new(env!("CARGO_BIN_EXE_jwkctl"))
            .env_clear()
            .env("JWKCTL_KEYS", self.dir.join("keys.json"))
            .env("JWKCTL_NOW", &now)
            .args(["sign", "--sub", "u"])
            .output()
            .unwrap();
        assert!(out.status.success());
        (
            String::from_utf8(out.stdout).unwrap().trim().to_owned(),
            now,
        )
    }

    fn active_kid(&self) -> String {
        let list = self.ok(&["list", "--json"]);
        list.lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .find(|k| k["state"] == "active")
            .map(|k| k["kid"].as_str().unwrap().to_owned())
            .unwrap()
    }
}

/// panva jose with one remote JWK Set at `url`, cached (and refetched
/// for an unknown kid at most once) per `cache`.
struct Verifier {
    child: Child,
    to: ChildStdin,
    from: BufReader<ChildStdout>,
}

impl Verifier {
    fn start(node_dir: &Path, url: &str, cache: Duration) -> Verifier {
        let mut child = Command::new("node")
            .current_dir(node_dir)
            .args(["cdn-jose.mjs", url, &cache.as_millis().to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start node");
        let to = child.stdin.take().unwrap();
        let from = BufReader::new(child.stdout.take().unwrap());
        Verifier { child, to, from }
    }

    fn verify(&mut self, (token, now): &(String, String)) -> Value {
        writeln!(self.to, "{token} {now}").unwrap();
        let mut line = String::new();
        self.from.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or_else(|_| panic!("node said {line:?}"))
    }
}

impl Drop for Verifier {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Rotations behind the CDN, `rounds` of them, each published ahead by 1h
/// on jwkctl's clock and jumped over at once; with `await_cdn` the new key
/// waits for the CDN. Tokens are signed and verified throughout; returns
/// the verifier's answers.
fn rotations(node_dir: &Path, nginx: &Path, await_cdn: bool) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let cdn = Nginx::start(nginx, &dir.path().join("nginx"));
    std::os::unix::fs::symlink(dir.path().join("nginx/www"), dir.path().join("www")).unwrap();
    let url = Nginx::url(cdn.cdn[0]);
    let mut issuer = Issuer::new(dir.path());
    // Its own cache as long as the origin says: the CDN jwkctl watches
    // plus the verifier's cache behind it.
    let mut verifier = Verifier::start(node_dir, &url, Duration::from_secs(LIFETIME));
    let mut results = Vec::new();
    for _ in 0..3 {
        // The CDN holds the current set, fresh, when the rotation happens.
        let _ = get(&url);
        results.push(verifier.verify(&issuer.sign()));
        let mut rotate = vec!["rotate", "--publish-ahead", "1h"];
        if await_cdn {
            rotate.extend(["--await-published", &url]);
        }
        let new = issuer.ok(&rotate).trim().to_owned();
        issuer.publish();
        issuer.clock.jump(3601.0);
        // The daily cron line, run often; tokens signed and verified
        // between runs, until the new key has signed a few.
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut signed_by_new = 0;
        while signed_by_new < 3 {
            assert!(
                Instant::now() < deadline,
                "key {new} never took over: {}",
                issuer.ok(&["list"])
            );
            let mut cron = vec!["-q", "rotate", "--if-older-than", "30d"];
            if await_cdn {
                cron.extend(["--publish-ahead", "1h", "--await-published", &url]);
            }
            issuer.ok(&cron);
            let token = issuer.sign();
            signed_by_new += usize::from(kid_of(&token.0) == new);
            results.push(verifier.verify(&token));
            sleep(Duration::from_millis(300));
        }
    }
    results
}

fn three_rotations_with_await_fail_no_token((node_dir, nginx): &(PathBuf, PathBuf)) {
    let results = rotations(node_dir, nginx, true);
    let failed: Vec<&Value> = results.iter().filter(|r| r["valid"] != true).collect();
    assert!(failed.is_empty(), "rejected: {failed:?} of {results:?}");
    let kids: std::collections::HashSet<&str> =
        results.iter().filter_map(|r| r["kid"].as_str()).collect();
    assert_eq!(kids.len(), 4, "every key signed: {results:?}");
}

fn the_same_rotations_without_await_reject_tokens((node_dir, nginx): &(PathBuf, PathBuf)) {
    let results = rotations(node_dir, nginx, false);
    let rejected = results.iter().filter(|r| r["valid"] != true).count();
    assert!(rejected > 0, "the test could not fail: {results:?}");
}

fn two_cache_locations_are_covered_by_the_lifetime((node_dir, nginx): &(PathBuf, PathBuf)) {
    let dir = tempfile::tempdir().unwrap();
    let cdn = Nginx::start(nginx, &dir.path().join("nginx"));
    std::os::unix::fs::symlink(dir.path().join("nginx/www"), dir.path().join("www")).unwrap();
    let [a, b] = cdn.cdn.map(Nginx::url);
    let mut issuer = Issuer::new(dir.path());
    // Location b holds the set from later than a: it refreshes later.
    let _ = get(&a);
    sleep(Duration::from_millis(LIFETIME * 1000 * 3 / 4));
    let _ = get(&b);
    // Verifiers reading location b as it is (a cache of their own behind
    // a location jwkctl does not watch would add its lifetime once more).
    let mut verifier = Verifier::start(node_dir, &b, Duration::from_millis(100));
    assert_eq!(verifier.verify(&issuer.sign())["valid"], true);
    let new = issuer
        .ok(&["rotate", "--publish-ahead", "1h", "--await-published", &a])
        .trim()
        .to_owned();
    issuer.publish();
    issuer.clock.jump(3601.0);
    let deadline = Instant::now() + Duration::from_secs(15);
    let confirmed = loop {
        assert!(Instant::now() < deadline, "a never showed key {new}");
        issuer.ok(&["rotate", "--if-older-than", "30d"]);
        let list = issuer.ok(&["list", "--json"]);
        let key: Value = list
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .find(|k| k["kid"] == new.as_str())
            .unwrap();
        if !key["confirmed"].is_null() {
            break key;
        }
        sleep(Duration::from_millis(100));
    };
    // Seen at a, not yet at b: jwkctl cannot know b, and only waiting out
    // the lifetime covers it.
    assert!(
        !get(&b).contains(&new),
        "b refreshed with a; the test proves nothing"
    );
    assert_eq!(confirmed["cache_lifetime"], LIFETIME);
    let mut results = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut signed_by_new = 0;
    while signed_by_new < 3 {
        assert!(Instant::now() < deadline, "key {new} never took over");
        let token = issuer.sign();
        signed_by_new += usize::from(kid_of(&token.0) == new);
        results.push(verifier.verify(&token));
        sleep(Duration::from_millis(200));
    }
    let failed: Vec<&Value> = results.iter().filter(|r| r["valid"] != true).collect();
    assert!(
        failed.is_empty(),
        "rejected at b: {failed:?} of {results:?}"
    );
}

/// The kid in a token's header.
fn kid_of(token: &str) -> String {
    use base64::Engine;
    let header = token.split('.').next().unwrap();
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .unwrap();
    let header: Value = serde_json::from_slice(&header).unwrap();
    header["kid"].as_str().unwrap().to_owned()
}

fn a_cdn_that_never_refreshes_holds_the_old_key(nginx: &PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let cdn = Nginx::start(nginx, &dir.path().join("nginx"));
    std::os::unix::fs::symlink(dir.path().join("nginx/www"), dir.path().join("www")).unwrap();
    let url = Nginx::url(cdn.frozen);
    let mut issuer = Issuer::new(dir.path());
    let _ = get(&url);
    let old = issuer.active_kid();
    let new = issuer
        .ok(&["rotate", "--publish-ahead", "1h", "--await-published", &url])
        .trim()
        .to_owned();
    issuer.publish();
    assert!(
        get(&Nginx::url(cdn.origin)).contains(&new),
        "the origin has it"
    );
    issuer.clock.jump(7200.0);
    let out = issuer.run(&["-q", "rotate", "--if-older-than", "30d"]);
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!("{url} does not list it yet"))
            && stderr.contains(&format!("key {old} keeps signing")),
        "{stderr}"
    );
    assert_eq!(
        issuer.active_kid(),
        old,
        "the old key signs past signs_from"
    );
    let out = issuer.run(&["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let finding: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(finding["check"], "takeover-waiting");
    assert_eq!(finding["source"], url.as_str());
    issuer.ok(&["rotate", "--skip-await"]);
    assert_eq!(issuer.active_kid(), new);
    let out = issuer.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}
