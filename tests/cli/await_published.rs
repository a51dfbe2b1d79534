//! `rotate --await-published`: a pending key takes over only once every
//! source lists it and the caches they announce have expired; `list`,
//! `sign`, `check` and `--skip-await` on such a key. File sources and
//! small servers here; real caches (nginx) in tests/cdn.

use std::net::TcpListener;
use std::time::Duration;

use serde_json::Value;

use crate::url::{Server, reply};
use crate::util::*;

/// 2026-01-02T03:04:05Z (NOW) plus `secs`.
fn after(secs: i64) -> String {
    (NOW_UNIX + secs).to_string()
}

/// `jwkctl ARGS` at `now`: (exit code, stdout, stderr).
fn run(env: &TestEnv, now: &str, args: &[&str]) -> (i32, String, String) {
    let out = env
        .jwkctl()
        .env("JWKCTL_NOW", now)
        .args(args)
        .timeout(Duration::from_secs(30))
        .output()
        .expect("run");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("utf-8"),
        String::from_utf8(out.stderr).expect("utf-8"),
    )
}

fn ok(env: &TestEnv, now: &str, args: &[&str]) -> (String, String) {
    let (code, stdout, stderr) = run(env, now, args);
    assert_eq!(code, 0, "jwkctl {args:?} at {now}: {stderr}");
    (stdout, stderr)
}

/// The kid in the header of a token `sign` prints at `now`.
fn signer(env: &TestEnv, now: &str) -> String {
    let (token, _) = ok(env, now, &["sign"]);
    let header = token.split('.').next().unwrap();
    let header: Value = serde_json::from_slice(&unb64(header)).unwrap();
    header["kid"].as_str().unwrap().to_owned()
}

fn list_json(env: &TestEnv, now: &str) -> Vec<Value> {
    let (out, _) = ok(env, now, &["list", "--json"]);
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A store with key `old` and a pending `new` that waits for `sources`,
/// rotated at NOW with a publish-ahead of 1h.
fn waiting(sources: &[&str]) -> TestEnv {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA", "--kid", "old"]);
    let mut args = vec!["rotate", "--publish-ahead", "1h", "--kid", "new"];
    for s in sources {
        args.extend(["--await-published", s]);
    }
    let (kid, stderr) = ok(&env, NOW, &args);
    assert_eq!(kid, "new\n");
    assert_eq!(
        stderr,
        "jwkctl: added pending EdDSA key new: signs from 2026-01-02T04:04:05Z or later, once every --await-published source lists it and its caches expired; old retires then (publish it now, so caches hold it before it signs: jwkctl jwks --out FILE)\n"
    );
    env
}

#[test]
fn a_file_source_holds_the_takeover_until_it_lists_the_key() {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA", "--kid", "old"]);
    env.ok(&["jwks", "--out", "pub.json"]);
    ok(
        &env,
        NOW,
        &[
            "rotate",
            "--publish-ahead",
            "1h",
            "--kid",
            "new",
            "--await-published",
            "pub.json",
        ],
    );
    let rows = list_json(&env, NOW);
    assert_eq!(rows[1]["kid"], "new");
    assert_eq!(rows[1]["state"], "pending");
    assert_eq!(rows[1]["await"], json!(["pub.json"]));
    assert_eq!(rows[1]["confirmed"], Value::Null);
    assert_eq!(rows[1]["cache_lifetime"], Value::Null);
    assert_eq!(rows[0]["await"], json!([]));
    let (table, _) = ok(&env, NOW, &["list"]);
    assert!(
        table
            .lines()
            .nth(1)
            .unwrap()
            .contains(" pending (awaiting 1 source) "),
        "{table}"
    );

    // Before signs_from: a status line, hidden by -q; nothing written.
    let before = env.read("keys.json");
    let (out, err) = ok(&env, &after(600), &["rotate", "--if-older-than", "30d"]);
    assert_eq!(out, "");
    assert!(
        err.starts_with(
            "jwkctl: pending key new: pub.json does not list it yet; it signs from 2026-01-02T04:04:05Z only once every --await-published source lists it\njwkctl: nothing to do"
        ),
        "{err}"
    );
    let (_, err) = ok(
        &env,
        &after(600),
        &["-q", "rotate", "--if-older-than", "30d"],
    );
    assert_eq!(err, "");
    assert_eq!(env.read("keys.json"), before);

    // Past signs_from: the old key keeps signing; a warning even with -q.
    let late = after(7200);
    assert_eq!(signer(&env, &late), "old");
    let (_, err) = ok(&env, &late, &["-q", "rotate", "--if-older-than", "30d"]);
    assert_eq!(
        err,
        "jwkctl: pending key new was due to sign from 2026-01-02T04:04:05Z and waits: pub.json does not list it yet; key old keeps signing until every --await-published source lists it (publish the set there, or end the wait with 'jwkctl rotate --skip-await')\n"
    );
    let (code, findings, _) = run(&env, &late, &["check"]);
    assert_eq!(code, 1);
    assert_eq!(
        findings,
        "warning takeover-waiting: pending key new was due to sign from 2026-01-02T04:04:05Z (1 hours ago), but not every one of its --await-published sources has listed it: pub.json; key old keeps signing and the rotation waits; publish the set there (and purge the CDN), then let 'jwkctl rotate' run, or end the wait with 'jwkctl rotate --skip-await'\n"
            .replace("1 hours", "60 minutes")
    );
    let (code, json_line, _) = run(&env, &late, &["check", "--format", "json"]);
    assert_eq!(code, 1);
    let finding: Value = serde_json::from_str(json_line.trim()).unwrap();
    assert_eq!(finding["check"], "takeover-waiting");
    assert_eq!(finding["kid"], "new");
    assert_eq!(finding["source"], "pub.json");
    // A due run is refused while the key waits.
    let (code, _, err) = run(&env, &late, &["rotate"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("waits for its --await-published sources"),
        "{err}"
    );

    // Published: the next run confirms (a file announces no cache lifetime)
    // and the key signs at once.
    ok(&env, &late, &["jwks", "--out", "pub.json"]);
    let (_, err) = ok(&env, &late, &["rotate", "--if-older-than", "30d"]);
    assert!(
        err.starts_with(
            "jwkctl: its --await-published source lists pending key new; caches may hold the previous set for 0s: it signs from 2026-01-02T05:04:05Z\n"
        ),
        "{err}"
    );
    assert_eq!(signer(&env, &late), "new");
    let rows = list_json(&env, &late);
    assert_eq!(rows[0]["kid"], "new");
    assert_eq!(rows[0]["state"], "active");
    assert_eq!(rows[0]["confirmed"], "2026-01-02T05:04:05Z");
    assert_eq!(rows[0]["cache_lifetime"], 0);
    assert_eq!(rows[1]["retired"], "2026-01-02T05:04:05Z");
    let (code, findings, _) = run(&env, &late, &["check", "--published", "pub.json"]);
    assert_eq!((code, findings.as_str()), (0, ""));
    // Nothing waits any more: a later run fetches nothing and says nothing.
    let (_, err) = ok(
        &env,
        &after(9000),
        &["-q", "rotate", "--if-older-than", "30d"],
    );
    assert_eq!(err, "");
}

#[test]
fn skip_await_ends_the_wait_and_says_verifiers_may_not_hold_the_key() {
    let env = waiting(&["missing.json"]);
    let late = after(7200);
    assert_eq!(signer(&env, &late), "old");
    let (out, err) = ok(&env, &late, &["-q", "rotate", "--skip-await"]);
    assert_eq!(out, "");
    assert_eq!(
        err,
        format!(
            "jwkctl: ended the wait of pending key new: it signs from 2026-01-02T05:04:05Z, though verifiers and caches may not hold it yet (they reject its tokens until they fetch the set again)\n"
        )
    );
    assert_eq!(signer(&env, &late), "new");
    let (code, findings, _) = run(&env, &late, &["check"]);
    assert_eq!((code, findings.as_str()), (0, ""));
    let (_, err) = ok(&env, &late, &["rotate", "--skip-await"]);
    assert_eq!(
        err,
        "jwkctl: nothing to do: no pending key waits for its --await-published sources\n"
    );
    // Before signs_from, the publish-ahead still holds.
    let env = waiting(&["missing.json"]);
    ok(&env, NOW, &["rotate", "--skip-await"]);
    assert_eq!(signer(&env, &after(3599)), "old");
    assert_eq!(signer(&env, &after(3600)), "new");
    // --skip-await is an action of its own.
    let (code, _, _) = run(
        &env,
        NOW,
        &["rotate", "--skip-await", "--publish-ahead", "1h"],
    );
    assert_eq!(code, 2);
}

#[test]
fn await_published_needs_publish_ahead_and_a_fetchable_source() {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA"]);
    for (args, why) in [
        (
            vec!["rotate", "--await-published", "a.json"],
            "--publish-ahead",
        ),
        (
            vec![
                "rotate",
                "--publish-ahead",
                "1h",
                "--await-published",
                "http://example.com/jwks.json",
            ],
            "not a loopback host",
        ),
        (
            vec![
                "rotate",
                "--publish-ahead",
                "1h",
                "--await-published",
                "https://u:p@example.com/jwks.json",
            ],
            "credentials",
        ),
    ] {
        let (code, _, err) = run(&env, NOW, &args);
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains(why), "{args:?}: {err}");
    }
    assert_eq!(list_json(&env, NOW).len(), 1);
}

/// The public set of the store, as a source would serve it.
fn public_set(env: &TestEnv) -> String {
    env.ok(&["jwks"]).trim().to_owned()
}

#[test]
fn a_source_down_then_back_confirms_on_the_next_run() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/jwks.json");
    let env = waiting(&[&url]);
    let before = env.read("keys.json");
    let late = after(7200);
    let (_, err) = ok(&env, &late, &["-q", "rotate", "--if-older-than", "30d"]);
    assert!(
        err.starts_with(&format!(
            "jwkctl: pending key new was due to sign from 2026-01-02T04:04:05Z and waits: {url}: connection refused"
        )),
        "{err}"
    );
    assert_eq!(env.read("keys.json"), before, "nothing written while down");
    assert_eq!(signer(&env, &late), "old");

    // Back, on the same port, with a set that lists the key and announces
    // caches of up to 20 minutes (s-maxage) for shared caches.
    let set = public_set(&env);
    let listener = TcpListener::bind(("127.0.0.1", port));
    let Ok(listener) = listener else {
        // The port was taken meanwhile: nothing to test here.
        return;
    };
    // Served on the socket just bound: dropping it to bind again would let
    // another test's server take the port in between.
    let server = Server::start_with(listener, move |_| {
        reply(
            "200 OK",
            &[
                ("Content-Type", "application/jwk-set+json"),
                ("Cache-Control", "public, max-age=300, s-maxage=1200"),
            ],
            set.as_bytes(),
        )
    });
    assert_eq!(server.url("/jwks.json"), url);
    let (_, err) = ok(&env, &late, &["rotate", "--if-older-than", "30d"]);
    assert!(
        err.starts_with(
            "jwkctl: its --await-published source lists pending key new; caches may hold the previous set for 20m: it signs from 2026-01-02T05:24:05Z\n"
        ),
        "{err}"
    );
    let rows = list_json(&env, &late);
    assert_eq!(rows[1]["cache_lifetime"], 1200);
    assert_eq!(rows[1]["state"], "pending");
    assert_eq!(signer(&env, &after(7200 + 1199)), "old");
    assert_eq!(signer(&env, &after(7200 + 1200)), "new");
}

#[test]
fn every_source_must_list_the_key() {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA", "--kid", "old"]);
    env.ok(&["jwks", "--out", "a.json"]);
    env.ok(&["jwks", "--out", "b.json"]);
    ok(
        &env,
        NOW,
        &[
            "rotate",
            "--publish-ahead",
            "1h",
            "--kid",
            "new",
            "--await-published",
            "a.json",
            "--await-published",
            "b.json",
        ],
    );
    let (table, _) = ok(&env, NOW, &["list"]);
    assert!(table.contains(" pending (awaiting 2 sources) "), "{table}");
    ok(&env, NOW, &["jwks", "--out", "a.json"]);
    let late = after(7200);
    let (_, err) = ok(&env, &late, &["rotate", "--if-older-than", "30d"]);
    assert!(err.contains("waits: b.json does not list it yet"), "{err}");
    assert!(!err.contains("a.json"), "{err}");
    assert_eq!(signer(&env, &late), "old");
    ok(&env, NOW, &["jwks", "--out", "b.json"]);
    let (_, err) = ok(&env, &late, &["rotate", "--if-older-than", "30d"]);
    assert!(
        err.starts_with("jwkctl: all 2 --await-published sources list pending key new"),
        "{err}"
    );
    assert_eq!(signer(&env, &late), "new");
}

#[test]
fn published_cache_long_compares_the_lifetime_with_the_publish_ahead() {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA", "--kid", "old"]);
    ok(
        &env,
        NOW,
        &["rotate", "--publish-ahead", "1h", "--kid", "new"],
    );
    let set = public_set(&env);
    let serve = |cache_control: &'static str| {
        let set = set.clone();
        Server::start(None, move |_| {
            reply(
                "200 OK",
                &[("Cache-Control", cache_control)],
                set.as_bytes(),
            )
        })
    };
    let long = serve("public, max-age=7200");
    let url = long.url("/jwks.json");
    let (code, findings, _) = run(&env, NOW, &["check", "--published", &url]);
    assert_eq!(code, 1);
    assert_eq!(
        findings,
        format!(
            "warning published-cache-long: {url} lets caches keep the set for 2h (Cache-Control or Expires), longer than the publish-ahead of key new (1h): when a new key takes over, caches may still hold a set without it, and verifiers reject its tokens; announce a shorter lifetime there, or rotate with a longer --publish-ahead (or with --await-published {url})\n"
        )
    );
    for fine in ["public, max-age=3600", "max-age=600", "no-cache"] {
        let server = serve(fine);
        let url = server.url("/jwks.json");
        let (code, findings, _) = run(&env, NOW, &["check", "--published", &url]);
        assert_eq!((code, findings.as_str()), (0, ""), "{fine}");
    }
    // Without a key published ahead, more than a day is too long.
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA", "--kid", "only"]);
    let set = public_set(&env);
    let year = Server::start(None, move |_| {
        reply(
            "200 OK",
            &[("Cache-Control", "max-age=31536000")],
            set.as_bytes(),
        )
    });
    let url = year.url("/jwks.json");
    let (code, findings, _) = run(&env, NOW, &["check", "--published", &url]);
    assert_eq!(code, 1);
    assert!(
        findings.starts_with(&format!(
            "warning published-cache-long: {url} lets caches keep the set for 7d (Cache-Control or Expires), longer than 1 day, and no key was published ahead:"
        )),
        "{findings}"
    );
}
