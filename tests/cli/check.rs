//! `jwkctl check`: real store states made with `--now`, each check fired on
//! purpose, with its exact line, exit status and Prometheus values.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::url::{Server, json as serve_json, test_ca};
use crate::util::*;

/// `jwkctl check ARGS` at `now`: (exit code, stdout, stderr).
fn check(env: &TestEnv, now: &str, args: &[&str]) -> (i32, String, String) {
    let out = env
        .jwkctl()
        .env("JWKCTL_NOW", now)
        .arg("check")
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

/// A command that must succeed at `now`.
fn at(env: &TestEnv, now: &str, args: &[&str]) -> String {
    let out = env
        .jwkctl()
        .env("JWKCTL_NOW", now)
        .args(args)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{now}: jwkctl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The value of one series (`name{labels}` exactly as written) in
/// Prometheus text; the format itself is checked by a real parser in
/// tests/prometheus.
fn metric(text: &str, series: &str) -> String {
    let found: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .collect();
    assert_eq!(found.len(), 1, "{series} in:\n{text}");
    found[0].to_owned()
}

/// The Prometheus output at `now` (whatever the exit status).
fn prometheus(env: &TestEnv, now: &str, args: &[&str]) -> String {
    let mut all = vec!["--format", "prometheus"];
    all.extend_from_slice(args);
    check(env, now, &all).1
}

/// Asserts the Prometheus summary: check_ok, findings by level, and the
/// count of `check`.
fn assert_metrics(text: &str, ok: u8, critical: u8, warning: u8, check_name: &str, n: u8) {
    assert_eq!(metric(text, "jwkctl_check_ok"), ok.to_string(), "{text}");
    assert_eq!(metric(text, "jwkctl_store_readable"), "1");
    assert_eq!(
        metric(text, "jwkctl_findings{level=\"critical\"}"),
        critical.to_string()
    );
    assert_eq!(
        metric(text, "jwkctl_findings{level=\"warning\"}"),
        warning.to_string()
    );
    assert_eq!(
        metric(
            text,
            &format!("jwkctl_check_findings{{check=\"{check_name}\"}}")
        ),
        n.to_string()
    );
}

/// A store with EdDSA key k1 made at [`NOW`], published to jwks.json.
fn published_store() -> TestEnv {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA", "--kid", "k1"]);
    env.ok(&["jwks", "--out", "jwks.json"]);
    env
}

#[test]
fn healthy_is_silent_with_every_series_present() {
    let env = published_store();
    let args = ["--published", "jwks.json", "--rotation-period", "30d"];
    assert_eq!(check(&env, NOW, &args), (0, String::new(), String::new()));
    let text = prometheus(&env, NOW, &args);
    assert_metrics(&text, 1, 0, 0, "published-missing", 0);
    for (series, value) in [
        ("jwkctl_keys{state=\"active\"}", "1"),
        ("jwkctl_keys{state=\"pending\"}", "0"),
        ("jwkctl_keys{state=\"retired\"}", "0"),
        (
            "jwkctl_active_key_created_timestamp_seconds",
            &NOW_UNIX.to_string(),
        ),
        (
            "jwkctl_newest_key_created_timestamp_seconds",
            &NOW_UNIX.to_string(),
        ),
        ("jwkctl_check_timestamp_seconds", &NOW_UNIX.to_string()),
        ("jwkctl_published_reachable{source=\"jwks.json\"}", "1"),
        ("jwkctl_published_missing_keys{source=\"jwks.json\"}", "0"),
        (
            "jwkctl_published_pending_missing_keys{source=\"jwks.json\"}",
            "0",
        ),
        ("jwkctl_published_unknown_keys{source=\"jwks.json\"}", "0"),
    ] {
        assert_eq!(metric(&text, series), value, "{series}");
    }
    for check_name in [
        "no-active-key",
        "rotation-overdue",
        "prune-overdue",
        "store-mode",
        "published-unreachable",
        "published-missing",
        "published-pending-missing",
        "published-unknown-key",
        "published-private",
        "takeover-waiting",
        "published-cache-long",
    ] {
        assert_eq!(
            metric(
                &text,
                &format!("jwkctl_check_findings{{check=\"{check_name}\"}}")
            ),
            "0"
        );
    }
    // JSON lines: nothing either.
    assert_eq!(
        check(&env, NOW, &["--format", "json", "--published", "jwks.json"]),
        (0, String::new(), String::new())
    );
}

#[test]
fn a_year_of_cron_with_check_after_every_line_stays_green() {
    let env = TestEnv::new();
    let day = |d: i64, hh_mm: &str| {
        let start = jwkctl::clock::parse_time("2026-01-01T00:00:00Z").unwrap();
        let date = start + time::Duration::days(d);
        format!("{}T{hh_mm}:00Z", &jwkctl::clock::format(date)[..10])
    };
    at(&env, &day(0, "00:00"), &["keygen", "--alg", "EdDSA"]);
    at(&env, &day(0, "00:00"), &["jwks", "--out", "jwks.json"]);
    let args = [
        "--published",
        "jwks.json",
        "--rotation-period",
        "30d",
        "--format",
        "prometheus",
    ];
    let green = |now: &str| {
        let (code, stdout, stderr) = check(&env, now, &args);
        assert_eq!((code, stderr.as_str()), (0, ""), "{now}:\n{stdout}");
        assert_eq!(metric(&stdout, "jwkctl_check_ok"), "1", "{now}");
        stdout
    };
    let mut rotations = 0;
    let mut pending_seen = 0;
    for d in 0..365 {
        // 17 3 * * *  rotate --if-older-than 30d --publish-ahead 2d && jwks --out jwks.json
        let now = day(d, "03:17");
        if !at(
            &env,
            &now,
            &["rotate", "--if-older-than", "30d", "--publish-ahead", "2d"],
        )
        .is_empty()
        {
            rotations += 1;
        }
        at(&env, &now, &["jwks", "--out", "jwks.json"]);
        let text = green(&now);
        if metric(&text, "jwkctl_keys{state=\"pending\"}") == "1" {
            pending_seen += 1;
        }
        // 27 3 * * *  prune && jwks --out jwks.json
        let now = day(d, "03:27");
        at(&env, &now, &["prune"]);
        at(&env, &now, &["jwks", "--out", "jwks.json"]);
        green(&now);
        // And between the cron runs, when nothing runs but time passes:
        // as text, nothing at all.
        let now = day(d, "15:00");
        assert_eq!(
            check(&env, &now, &args[..4]),
            (0, String::new(), String::new()),
            "{now}"
        );
    }
    assert_eq!(rotations, 11);
    // Each rotation's key waits two days: checked while pending.
    assert_eq!(pending_seen, 2 * 11);
}

#[test]
fn rotation_stopped_for_the_period_plus_two_days() {
    let env = published_store();
    let args = ["--published", "jwks.json", "--rotation-period", "30d"];
    // The last moment a daily job may still come: period + 1 day, plus 2
    // hours for a timer's random delay or a daylight saving change.
    assert_eq!(
        check(&env, "2026-02-02T05:04:05Z", &args),
        (0, String::new(), String::new())
    );
    let stopped = "2026-02-03T03:04:05Z";
    assert_eq!(
        check(&env, stopped, &args),
        (
            1,
            "warning rotation-overdue: the newest key k1 was created 2026-01-02T03:04:05Z (32 days ago), more than the rotation period 30d plus 1 day and 2 hours: the rotation job has stopped, and the active key signs past its planned life; check the cron job or timer that runs 'jwkctl rotate --if-older-than 30d'\n".into(),
            String::new()
        )
    );
    assert_eq!(
        check(&env, "2026-02-02T05:04:06Z", &args).0,
        1,
        "one second past period + 1 day and 2 hours"
    );
    let text = prometheus(&env, stopped, &args);
    assert_metrics(&text, 0, 0, 1, "rotation-overdue", 1);
    assert_eq!(
        metric(&text, "jwkctl_newest_key_created_timestamp_seconds"),
        NOW_UNIX.to_string()
    );
    // Without --rotation-period nothing is judged about age.
    assert_eq!(
        check(&env, stopped, &["--published", "jwks.json"]),
        (0, String::new(), String::new())
    );
}

/// k1 published, then a rotation to k2 without `jwks --out`.
fn rotated_unpublished() -> TestEnv {
    let env = published_store();
    at(&env, "2026-02-01T03:17:00Z", &["rotate", "--kid", "k2"]);
    env
}

const AFTER_ROTATION: &str = "2026-02-01T04:00:00Z";

#[test]
fn a_skipped_publication_against_a_file() {
    let env = rotated_unpublished();
    let args = ["--published", "jwks.json"];
    assert_eq!(
        check(&env, AFTER_ROTATION, &args),
        (
            1,
            "critical published-missing: jwks.json lacks key k2 (active since 2026-02-01T03:17:00Z): verifiers that use this set reject every token signed since then; run 'jwkctl jwks --out jwks.json'\n".into(),
            String::new()
        )
    );
    let text = prometheus(&env, AFTER_ROTATION, &args);
    assert_metrics(&text, 0, 1, 0, "published-missing", 1);
    assert_eq!(
        metric(&text, "jwkctl_published_missing_keys{source=\"jwks.json\"}"),
        "1"
    );
    assert_eq!(
        metric(&text, "jwkctl_published_unknown_keys{source=\"jwks.json\"}"),
        "0"
    );
    assert_eq!(
        metric(&text, "jwkctl_keys{state=\"retired\"}"),
        "1",
        "{text}"
    );
    // JSON lines carry the same finding.
    let (code, stdout, _) = check(
        &env,
        AFTER_ROTATION,
        &["--format", "json", "--published", "jwks.json"],
    );
    assert_eq!(code, 1);
    let line: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(
        line,
        json!({
            "level": "critical",
            "check": "published-missing",
            "kid": "k2",
            "source": "jwks.json",
            "message": "jwks.json lacks key k2 (active since 2026-02-01T03:17:00Z): verifiers that use this set reject every token signed since then; run 'jwkctl jwks --out jwks.json'"
        })
    );
    assert_eq!(stdout.lines().count(), 1);
    // Publishing mends it.
    at(&env, AFTER_ROTATION, &["jwks", "--out", "jwks.json"]);
    assert_eq!(
        check(&env, AFTER_ROTATION, &args),
        (0, String::new(), String::new())
    );
}

#[test]
fn a_skipped_publication_against_an_https_server() {
    let env = rotated_unpublished();
    let stale = env.read("jwks.json");
    let (ca_pem, tls) = test_ca();
    env.write("ca.pem", &ca_pem);
    let server = Server::start(Some(tls), move |_| serve_json(&stale));
    let url = server.url("/.well-known/jwks.json");
    let args = ["--published", &url, "--ca-file", "ca.pem"];
    assert_eq!(
        check(&env, AFTER_ROTATION, &args),
        (
            1,
            format!(
                "critical published-missing: {url} lacks key k2 (active since 2026-02-01T03:17:00Z): verifiers that use this set reject every token signed since then; run 'jwkctl jwks --out ...' and purge the CDN\n"
            ),
            String::new()
        )
    );
    let text = prometheus(&env, AFTER_ROTATION, &args);
    assert_metrics(&text, 0, 1, 0, "published-missing", 1);
    assert_eq!(
        metric(
            &text,
            &format!("jwkctl_published_missing_keys{{source=\"{url}\"}}")
        ),
        "1"
    );
    assert_eq!(
        metric(
            &text,
            &format!("jwkctl_published_reachable{{source=\"{url}\"}}")
        ),
        "1"
    );
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn a_revoked_key_still_published() {
    let env = published_store();
    let later = "2026-01-10T00:00:00Z";
    at(&env, later, &["rotate", "--kid", "k2"]);
    at(&env, later, &["jwks", "--out", "jwks.json"]);
    at(&env, later, &["revoke", "k1"]);
    let args = ["--published", "jwks.json"];
    assert_eq!(
        check(&env, later, &args),
        (
            1,
            "critical published-unknown-key: jwks.json publishes key k1, which is not in the store (revoked, pruned or foreign): verifiers that use this set still accept tokens signed with it; run 'jwkctl jwks --out jwks.json'\n".into(),
            String::new()
        )
    );
    let text = prometheus(&env, later, &args);
    assert_metrics(&text, 0, 1, 0, "published-unknown-key", 1);
    assert_eq!(
        metric(&text, "jwkctl_published_unknown_keys{source=\"jwks.json\"}"),
        "1"
    );
    assert_eq!(
        metric(&text, "jwkctl_published_missing_keys{source=\"jwks.json\"}"),
        "0"
    );
}

#[test]
fn the_same_kid_with_other_material_is_missing_and_unknown() {
    let env = published_store();
    let other = jwkctl::crypto::generate(Alg::EdDsa, 0).unwrap();
    let mut key = published(&other, "k1");
    key["alg"] = json!("EdDSA");
    env.write("jwks.json", &text(&json!({ "keys": [key] })));
    let args = ["--published", "jwks.json"];
    assert_eq!(
        check(&env, NOW, &args),
        (
            1,
            "critical published-missing: jwks.json lacks key k1 (active since 2026-01-02T03:04:05Z; the set has other key material under that kid): verifiers that use this set reject every token signed since then; run 'jwkctl jwks --out jwks.json'\n\
             critical published-unknown-key: jwks.json publishes key k1 with key material other than the store's key k1: verifiers that use this set still accept tokens signed with it; run 'jwkctl jwks --out jwks.json'\n".into(),
            String::new()
        )
    );
    let text = prometheus(&env, NOW, &args);
    assert_metrics(&text, 0, 2, 0, "published-unknown-key", 1);
    assert_eq!(
        metric(&text, "jwkctl_published_missing_keys{source=\"jwks.json\"}"),
        "1"
    );
}

#[test]
fn the_same_key_listed_twice_is_no_finding() {
    let env = published_store();
    let set: serde_json::Value = serde_json::from_str(&env.read("jwks.json")).unwrap();
    let key = set["keys"][0].clone();
    // Twice the store's key, and a second store key published beside it:
    // copies of a store key are that key, not unknown or other material.
    env.write("jwks.json", &text(&json!({ "keys": [key, key] })));
    let args = ["--published", "jwks.json"];
    assert_eq!(check(&env, NOW, &args), (0, String::new(), String::new()));
    let metrics = prometheus(&env, NOW, &args);
    assert_metrics(&metrics, 1, 0, 0, "published-unknown-key", 0);
    assert_eq!(
        metric(
            &metrics,
            "jwkctl_published_unknown_keys{source=\"jwks.json\"}"
        ),
        "0"
    );
    // A copy beside a key of other material under the same kid: the copy
    // matches, the other is still unknown.
    let other = jwkctl::crypto::generate(Alg::EdDsa, 0).unwrap();
    let mut foreign = published(&other, "k1");
    foreign["alg"] = json!("EdDSA");
    env.write("jwks.json", &text(&json!({ "keys": [key, foreign, key] })));
    assert_eq!(
        check(&env, NOW, &args),
        (
            1,
            "critical published-unknown-key: jwks.json publishes key k1 with key material other than the store's key k1: verifiers that use this set still accept tokens signed with it; run 'jwkctl jwks --out jwks.json'\n".into(),
            String::new()
        )
    );
}

#[test]
fn a_published_set_with_a_private_member() {
    let env = published_store();
    // The store itself copied to the web root: public members match, and
    // the private half is out.
    env.write("leak.json", &env.read("keys.json"));
    let args = ["--published", "leak.json"];
    let (code, stdout, stderr) = check(&env, NOW, &args);
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (
            1,
            "critical published-private: leak.json publishes private members (d) of key k1: anyone who fetches this set can sign tokens that its verifiers accept; run 'jwkctl jwks --out leak.json' at once, and treat the key as leaked ('jwkctl revoke k1' if it is in the store)\n",
            ""
        )
    );
    let store = env.store_json();
    let d = store["keys"][0]["d"].as_str().unwrap();
    assert!(
        !stdout.contains(d),
        "the private value itself is never shown"
    );
    let text = prometheus(&env, NOW, &args);
    assert_metrics(&text, 0, 1, 0, "published-private", 1);
    assert_eq!(
        metric(&text, "jwkctl_published_unknown_keys{source=\"leak.json\"}"),
        "0"
    );
}

#[test]
fn a_store_others_can_read_or_write() {
    use std::os::unix::fs::PermissionsExt;
    let env = published_store();
    let path = env.keys();
    let shown = path.display();
    for (mode, what, risk) in [
        (
            0o644,
            "readable",
            "whoever can read it can sign tokens as this issuer",
        ),
        (
            0o620,
            "writable",
            "whoever can write it can replace the keys",
        ),
        (
            0o666,
            "readable and writable",
            "whoever can read it can sign tokens as this issuer, and whoever can write it can replace the keys",
        ),
    ] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        assert_eq!(
            check(&env, NOW, &["--published", "jwks.json"]),
            (
                1,
                format!(
                    "warning store-mode: {shown} is {what} by group or others (mode {mode:04o}): {risk}; run 'chmod 600 {shown}'\n"
                ),
                // Every command that reads such a store says so, -q or not.
                format!(
                    "jwkctl: warning: {shown} is {what} by group or others (mode {mode:04o}), and it holds private keys (restrict it: chmod 600 {shown})\n"
                )
            )
        );
    }
    let text = prometheus(&env, NOW, &[]);
    assert_metrics(&text, 0, 0, 1, "store-mode", 1);
}

#[test]
fn an_unreachable_url_is_a_finding_not_a_hang() {
    let env = published_store();
    // Accepts connections (the kernel does) but never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!(
        "http://127.0.0.1:{}/jwks.json",
        silent.local_addr().unwrap().port()
    );
    // Nothing listens here.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_url = format!(
        "http://127.0.0.1:{}/jwks.json",
        closed.local_addr().unwrap().port()
    );
    drop(closed);
    let start = Instant::now();
    let out = env
        .jwkctl()
        .env("JWKCTL_FETCH_TIMEOUT", "0.5")
        .args([
            "check",
            "--published",
            &silent_url,
            "--published",
            &closed_url,
            "--published",
            "jwks.json",
            "--published",
            "gone.json",
        ])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let took = start.elapsed();
    let tail = "verifiers that fetch this set get no current keys from it and reject tokens they cannot match; make it readable again, then run 'jwkctl check' again";
    assert_eq!(
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap()
        ),
        (
            Some(1),
            format!(
                "critical published-unreachable: {silent_url}: no complete answer within 500ms (check that the server is up and reachable): {tail}\n\
                 critical published-unreachable: {closed_url}: connection refused (check the host and port, and that the server is running): {tail}\n\
                 critical published-unreachable: gone.json: no such file (check the path): {tail}\n"
            ),
            String::new()
        )
    );
    assert!(took < Duration::from_secs(5), "took {took:?}");
    let text = env
        .jwkctl()
        .env("JWKCTL_FETCH_TIMEOUT", "0.5")
        .args([
            "check",
            "--format",
            "prometheus",
            "--published",
            &closed_url,
            "--published",
            "jwks.json",
        ])
        .output()
        .unwrap()
        .stdout;
    let text = String::from_utf8(text).unwrap();
    assert_metrics(&text, 0, 1, 0, "published-unreachable", 1);
    assert_eq!(
        metric(
            &text,
            &format!("jwkctl_published_reachable{{source=\"{closed_url}\"}}")
        ),
        "0"
    );
    assert_eq!(
        metric(&text, "jwkctl_published_reachable{source=\"jwks.json\"}"),
        "1"
    );
    drop(silent);
}

/// A set that is what `jwks` prints but for a byte is read in full: its
/// last byte, one more, a second newline, other spacing or order.
#[test]
fn only_the_exact_set_jwks_prints_is_taken_without_a_parse() {
    let env = published_store();
    env.ok(&["rotate", "--publish-ahead", "1d", "--kid", "k2"]);
    env.ok(&["jwks", "--out", "jwks.json"]);
    let set = env.read("jwks.json");
    assert!(set.ends_with("}]}\n"), "{set}");
    let parsed: serde_json::Value = serde_json::from_str(&set).unwrap();
    let mut reordered = parsed.clone();
    reordered["keys"].as_array_mut().unwrap().reverse();
    let healthy = [
        ("same.json", set.clone()),
        ("bare.json", set.trim_end().to_owned()),
        (
            "pretty.json",
            serde_json::to_string_pretty(&parsed).unwrap(),
        ),
        ("reordered.json", reordered.to_string()),
    ];
    for (name, text) in &healthy {
        env.write(name, text);
        let args = ["--published", name, "--rotation-period", "30d"];
        assert_eq!(
            check(&env, NOW, &args),
            (0, String::new(), String::new()),
            "{name}"
        );
    }
    for (name, text, why) in [
        ("junk.json", format!("{set}x"), "not valid JSON"),
        (
            "cut.json",
            set[..set.len() - 2].to_owned(),
            "not valid JSON",
        ),
    ] {
        env.write(name, &text);
        let (code, stdout, _) = check(&env, NOW, &["--published", name]);
        assert_eq!(code, 1, "{name}");
        assert!(
            stdout.starts_with(&format!(
                "critical published-unreachable: {name}: not a JWK Set ({why}; "
            )),
            "{name}: {stdout}"
        );
    }
    // A second newline is JSON whitespace: read in full, and healthy.
    env.write("twice.json", &format!("{set}\n"));
    assert_eq!(
        check(&env, NOW, &["--published", "twice.json"]),
        (0, String::new(), String::new())
    );
    // The pending key's x changed: a set that differs in one member.
    let pending = parsed["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == "k2")
        .unwrap();
    let x = pending["x"].as_str().unwrap();
    let other = if x.starts_with('A') { "B" } else { "A" };
    let changed = set.replacen(x, &format!("{other}{}", &x[1..]), 1);
    env.write("changed.json", &changed);
    let (code, stdout, _) = check(&env, NOW, &["--published", "changed.json"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("published-pending-missing") && stdout.contains("published-unknown-key"),
        "{stdout}"
    );
}

#[test]
fn a_file_that_is_not_a_jwk_set_is_unreachable() {
    let env = published_store();
    env.write("one.json", r#"{"kty":"OKP"}"#);
    env.write("broken.json", "{");
    let (code, stdout, _) = check(
        &env,
        NOW,
        &["--published", "one.json", "--published", "broken.json"],
    );
    assert_eq!(code, 1);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("critical published-unreachable: one.json: not a JWK Set (no \"keys\" array; publish it with 'jwkctl jwks --out FILE'): "), "{stdout}");
    assert!(
        lines[1].starts_with(
            "critical published-unreachable: broken.json: not a JWK Set (not valid JSON; "
        ),
        "{stdout}"
    );
    assert_eq!(lines.len(), 2);
}

#[test]
fn a_pending_key_not_published_is_critical_within_the_cache_ttl() {
    let env = published_store();
    at(
        &env,
        NOW,
        &["rotate", "--kid", "k2", "--publish-ahead", "1h"],
    );
    let msg = |level: &str, in_: &str, consequence: &str| {
        format!(
            "{level} published-pending-missing: jwks.json lacks pending key k2, which signs from 2026-01-02T04:04:05Z (in {in_}): {consequence}; run 'jwkctl jwks --out jwks.json'\n"
        )
    };
    let later = "if it is still missing 5m (--cache-ttl) before then, verifiers that cache this set reject its tokens";
    let args = ["--published", "jwks.json"];
    assert_eq!(
        check(&env, NOW, &args),
        (1, msg("warning", "60 minutes", later), String::new())
    );
    let text = prometheus(&env, NOW, &args);
    assert_metrics(&text, 0, 0, 1, "published-pending-missing", 1);
    assert_eq!(
        metric(
            &text,
            "jwkctl_published_pending_missing_keys{source=\"jwks.json\"}"
        ),
        "1"
    );
    assert_eq!(
        metric(&text, "jwkctl_published_missing_keys{source=\"jwks.json\"}"),
        "0"
    );
    // One second more than --cache-ttl away: still a warning.
    assert_eq!(
        check(&env, "2026-01-02T03:59:04Z", &args).1,
        msg("warning", "5 minutes", later)
    );
    // Within --cache-ttl: verifiers' caches cannot all hold it in time.
    let soon = "verifiers that cache this set for up to 5m (--cache-ttl) cannot all hold it by then, and reject its tokens";
    assert_eq!(
        check(&env, "2026-01-02T03:59:05Z", &args),
        (1, msg("critical", "5 minutes", soon), String::new())
    );
    let text = prometheus(&env, "2026-01-02T03:59:05Z", &args);
    assert_metrics(&text, 0, 1, 0, "published-pending-missing", 1);
    // A longer --cache-ttl makes it critical an hour ahead.
    let long = "verifiers that cache this set for up to 2h (--cache-ttl) cannot all hold it by then, and reject its tokens";
    assert_eq!(
        check(
            &env,
            NOW,
            &["--published", "jwks.json", "--cache-ttl", "2h"]
        ),
        (1, msg("critical", "60 minutes", long), String::new())
    );
}

#[test]
fn check_and_serve_share_one_cache_ttl() {
    // One meaning (how long caches may hold the published set), one default.
    let help = |command: &str| {
        let out = TestEnv::new()
            .jwkctl()
            .args([command, "--help"])
            .output()
            .expect("run");
        String::from_utf8(out.stdout).expect("utf-8")
    };
    for command in ["check", "serve"] {
        let help = help(command);
        let option = help
            .split("--cache-ttl <DURATION>")
            .nth(1)
            .and_then(|rest| rest.split("\n\n").next())
            .unwrap_or_else(|| panic!("{command} --help: no --cache-ttl"));
        let option = option.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            option.starts_with("How long caches may hold the published set"),
            "{command}: {option}"
        );
        assert!(option.ends_with("[default: 5m]"), "{command}: {option}");
    }
}

#[test]
fn no_active_key() {
    let env = TestEnv::new();
    let key = fixture_key("ec-store.json", 0);
    let times = json!({"created": "2025-12-01T00:00:00Z", "signs_from": "2025-12-01T00:00:00Z", "retired": "2026-01-01T00:00:00Z"});
    env.write(
        "keys.json",
        &text(&json!({"keys": [stored(&key, "gone", times)]})),
    );
    std::fs::set_permissions(
        env.keys(),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let store = env.keys();
    let store = store.display();
    assert_eq!(
        check(&env, NOW, &[]),
        (
            1,
            format!(
                "critical no-active-key: {store} has no key that signs at 2026-01-02T03:04:05Z: every 'jwkctl sign' fails, so no service can issue tokens; run 'jwkctl rotate' to add one\n"
            ),
            String::new()
        )
    );
    let metrics = prometheus(&env, NOW, &[]);
    assert_metrics(&metrics, 0, 1, 0, "no-active-key", 1);
    assert_eq!(metric(&metrics, "jwkctl_keys{state=\"active\"}"), "0");
    assert_eq!(metric(&metrics, "jwkctl_keys{state=\"retired\"}"), "1");
    assert_eq!(
        metric(&metrics, "jwkctl_active_key_created_timestamp_seconds"),
        "0"
    );

    // Only a pending key: nothing signs until it does.
    let times = json!({"created": "2026-01-02T00:00:00Z", "signs_from": "2026-01-03T00:00:00Z"});
    env.write(
        "keys.json",
        &text(&json!({"keys": [stored(&key, "next", times)]})),
    );
    assert_eq!(
        check(&env, NOW, &[]),
        (
            1,
            format!(
                "critical no-active-key: {store} has no key that signs at 2026-01-02T03:04:05Z; pending key next signs only from 2026-01-03T00:00:00Z: every 'jwkctl sign' fails until then, so no service can issue tokens; if tokens are needed sooner, run 'jwkctl revoke next' and 'jwkctl rotate'\n"
            ),
            String::new()
        )
    );
    let metrics = prometheus(&env, NOW, &[]);
    assert_eq!(metric(&metrics, "jwkctl_keys{state=\"pending\"}"), "1");
}

#[test]
fn prune_overdue() {
    let env = published_store();
    at(&env, "2026-01-02T04:04:05Z", &["rotate", "--kid", "k2"]);
    // k1 retired at 04:04:05, prunable 24h 5m later, overdue a day and 2
    // hours after that.
    assert_eq!(
        check(&env, "2026-01-04T06:09:05Z", &[]),
        (0, String::new(), String::new())
    );
    let late = "2026-01-04T06:09:06Z";
    assert_eq!(
        check(&env, late, &[]),
        (
            1,
            "warning prune-overdue: key k1 has been prunable since 2026-01-03T04:09:05Z (26 hours ago): the prune job has stopped, so retired keys pile up in the store and in the published set; check the cron job or timer that runs 'jwkctl prune'\n".into(),
            String::new()
        )
    );
    // The time is the one `list` shows.
    let listed = at(&env, late, &["list", "--json"]);
    assert!(
        listed.contains(r#""kid":"k1","alg":"EdDSA","state":"retired","created":"2026-01-02T03:04:05Z","signs_from":"2026-01-02T03:04:05Z","retired":"2026-01-02T04:04:05Z","prunable_after":"2026-01-03T04:09:05Z""#),
        "{listed}"
    );
    let text = prometheus(&env, late, &[]);
    assert_metrics(&text, 0, 0, 1, "prune-overdue", 1);
    at(&env, late, &["prune"]);
    assert_eq!(check(&env, late, &[]), (0, String::new(), String::new()));
}

#[test]
fn an_unreadable_store_is_exit_2_and_the_metrics_say_so() {
    let env = TestEnv::new();
    env.write("jwks.json", r#"{"keys":[]}"#);
    let missing = env.keys();
    let missing = missing.display();
    assert_eq!(
        check(&env, NOW, &["--published", "jwks.json"]),
        (
            2,
            String::new(),
            format!(
                "jwkctl: {missing}: no such file (create one with 'jwkctl keygen', or point -k/JWKCTL_KEYS at yours)\n"
            )
        )
    );
    // A metrics file that said "healthy" is replaced, not left stale.
    env.write("jwkctl.prom", "jwkctl_check_ok 1\n");
    let (code, stdout, stderr) = check(
        &env,
        NOW,
        &[
            "--format",
            "prometheus",
            "--published",
            "jwks.json",
            "--out",
            "jwkctl.prom",
        ],
    );
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(
        stderr,
        format!(
            "jwkctl: {missing}: no such file (create one with 'jwkctl keygen', or point -k/JWKCTL_KEYS at yours)\n"
        )
    );
    let text = env.read("jwkctl.prom");
    assert_eq!(metric(&text, "jwkctl_check_ok"), "0");
    assert_eq!(metric(&text, "jwkctl_store_readable"), "0");
    assert_eq!(metric(&text, "jwkctl_keys{state=\"active\"}"), "0");
    assert_eq!(
        metric(&text, "jwkctl_published_missing_keys{source=\"jwks.json\"}"),
        "0"
    );
    assert_eq!(mode(&env.path("jwkctl.prom")), 0o644);
    // On stdout as well.
    let (code, stdout, _) = check(&env, NOW, &["--format", "prometheus"]);
    assert_eq!(code, 2);
    assert_eq!(metric(&stdout, "jwkctl_store_readable"), "0");
    // A store that is not JSON is unreadable too.
    env.write("keys.json", "{");
    let (code, stdout, _) = check(&env, NOW, &["--format", "prometheus"]);
    assert_eq!(code, 2);
    assert_eq!(metric(&stdout, "jwkctl_check_ok"), "0");
}

#[test]
fn out_replaces_the_file_and_quiet_hides_only_the_status_line() {
    let env = rotated_unpublished();
    let line = "critical published-missing: jwks.json lacks key k2 (active since 2026-02-01T03:17:00Z): verifiers that use this set reject every token signed since then; run 'jwkctl jwks --out jwks.json'\n";
    let args = ["--published", "jwks.json", "--out", "findings.txt"];
    assert_eq!(
        check(&env, AFTER_ROTATION, &args),
        (
            1,
            String::new(),
            "jwkctl: wrote 1 finding to findings.txt\n".into()
        )
    );
    assert_eq!(env.read("findings.txt"), line);
    assert_eq!(mode(&env.path("findings.txt")), 0o644);
    let mut quiet = vec!["-q"];
    quiet.extend_from_slice(&args);
    assert_eq!(
        check(&env, AFTER_ROTATION, &quiet),
        (1, String::new(), String::new())
    );
    // -q never hides findings on stdout.
    assert_eq!(
        check(&env, AFTER_ROTATION, &["-q", "--published", "jwks.json"]),
        (1, line.into(), String::new())
    );
    // --out never replaces the store.
    let before = env.read("keys.json");
    let (code, stdout, stderr) = check(&env, AFTER_ROTATION, &["--out", "keys.json"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(
        stderr.contains("this is the key store or its lock file"),
        "{stderr}"
    );
    assert_eq!(env.read("keys.json"), before);
}

#[test]
fn the_store_is_read_without_its_lock() {
    let env = published_store();
    // Another process holds the lock (a rotation in progress).
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(env.path("keys.json.lock"))
        .unwrap();
    lock.lock().unwrap();
    let out = env
        .jwkctl()
        .env("JWKCTL_LOCK_TIMEOUT", "0.2")
        .args(["check", "--published", "jwks.json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(lock);
}

#[test]
fn ca_file_needs_an_https_source() {
    let env = published_store();
    env.write("ca.pem", "");
    assert_eq!(
        check(&env, NOW, &["--published", "jwks.json", "--ca-file", "ca.pem"]),
        (
            2,
            String::new(),
            "jwkctl: --ca-file ca.pem: only applies when a --published source is an https:// URL (drop --ca-file)\n".into()
        )
    );
}

#[test]
fn a_hostile_kid_cannot_forge_a_line() {
    let env = published_store();
    let mut set: serde_json::Value = serde_json::from_str(&env.read("jwks.json")).unwrap();
    let other = jwkctl::crypto::generate(Alg::EdDsa, 0).unwrap();
    set["keys"]
        .as_array_mut()
        .unwrap()
        .push(published(&other, "x\nok everything is fine\u{1b}[2K"));
    env.write("jwks.json", &text(&set));
    let (code, stdout, _) = check(&env, NOW, &["--published", "jwks.json"]);
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "critical published-unknown-key: jwks.json publishes key x\\nok everything is fine\\u{1b}[2K, which is not in the store (revoked, pruned or foreign): verifiers that use this set still accept tokens signed with it; run 'jwkctl jwks --out jwks.json'\n"
    );
    // JSON lines keep the kid as it is, escaped by JSON.
    let (_, stdout, _) = check(&env, NOW, &["--format", "json", "--published", "jwks.json"]);
    let line: serde_json::Value = serde_json::from_str(stdout.trim_end()).unwrap();
    assert_eq!(line["kid"], "x\nok everything is fine\u{1b}[2K");
    assert_eq!(stdout.lines().count(), 1);
}

#[test]
fn a_source_named_twice_is_one_series() {
    let env = published_store();
    let text = prometheus(
        &env,
        NOW,
        &["--published", "jwks.json", "--published", "jwks.json"],
    );
    // `metric` demands exactly one line per series.
    assert_eq!(
        metric(&text, "jwkctl_published_reachable{source=\"jwks.json\"}"),
        "1"
    );
    assert_eq!(metric(&text, "jwkctl_check_ok"), "1");
}

#[test]
fn json_lines_say_null_where_no_kid_or_source_applies() {
    use std::os::unix::fs::PermissionsExt;
    let env = published_store();
    std::fs::set_permissions(env.keys(), std::fs::Permissions::from_mode(0o640)).unwrap();
    let (code, stdout, stderr) = check(&env, NOW, &["--format", "json"]);
    let shown = env.keys();
    let shown = shown.display();
    assert_eq!(
        (code, stderr),
        (
            1,
            format!(
                "jwkctl: warning: {shown} is readable by group or others (mode 0640), and it holds private keys (restrict it: chmod 600 {shown})\n"
            )
        )
    );
    assert_eq!(
        stdout,
        format!(
            "{}\n",
            json!({
                "level": "warning",
                "check": "store-mode",
                "kid": null,
                "source": null,
                "message": format!("{shown} is readable by group or others (mode 0640): whoever can read it can sign tokens as this issuer; run 'chmod 600 {shown}'"),
            })
        )
    );
}

#[test]
fn a_retired_key_with_live_tokens_missing_until_it_is_prunable() {
    let env = published_store();
    at(&env, "2026-01-02T04:04:05Z", &["rotate", "--kid", "k2"]);
    at(
        &env,
        "2026-01-02T04:04:05Z",
        &["jwks", "--out", "jwks.json"],
    );
    // Someone republished with the active key only.
    let mut set: serde_json::Value = serde_json::from_str(&env.read("jwks.json")).unwrap();
    set["keys"]
        .as_array_mut()
        .unwrap()
        .retain(|k| k["kid"] == "k2");
    env.write("jwks.json", &text(&set));
    let args = ["--published", "jwks.json"];
    // Up to its prunable time (what `list` shows) its tokens may be alive.
    assert_eq!(
        check(&env, "2026-01-03T04:09:05Z", &args),
        (
            1,
            "critical published-missing: jwks.json lacks key k1 (retired 2026-01-02T04:04:05Z, its tokens may live until 2026-01-03T04:09:05Z): verifiers that use this set reject its tokens that have not expired yet; run 'jwkctl jwks --out jwks.json'\n".into(),
            String::new()
        )
    );
    let metrics = prometheus(&env, "2026-01-03T04:09:05Z", &args);
    assert_metrics(&metrics, 0, 1, 0, "published-missing", 1);
    // After it, none can be: nothing is missing.
    assert_eq!(
        check(&env, "2026-01-03T04:09:06Z", &args),
        (0, String::new(), String::new())
    );
}

#[test]
fn a_url_with_credentials_is_named_without_them() {
    let env = published_store();
    let url = "https://user:s3cret@127.0.0.1:1/jwks.json";
    let (code, stdout, stderr) = check(&env, NOW, &["--published", url]);
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (
            1,
            "critical published-unreachable: https://***@127.0.0.1:1/jwks.json: the --published URL carries credentials (user:password@host), which jwkctl never sends (remove them from the URL): verifiers that fetch this set get no current keys from it and reject tokens they cannot match; make it readable again, then run 'jwkctl check' again\n",
            ""
        )
    );
    let text = prometheus(&env, NOW, &["--published", url]);
    assert!(!text.contains("s3cret"), "{text}");
    assert_eq!(
        metric(
            &text,
            "jwkctl_published_reachable{source=\"https://***@127.0.0.1:1/jwks.json\"}"
        ),
        "0"
    );
}

#[test]
fn a_published_set_that_repeats_a_member_says_which() {
    let env = published_store();
    env.write("dup.json", r#"{"keys":[{"kty":"EC","kid":"a","kid":"b"}]}"#);
    let (code, stdout, stderr) = check(&env, NOW, &["--published", "dup.json"]);
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (
            1,
            "critical published-unreachable: dup.json: not a JWK Set (the member name \"kid\" appears twice at line 1 column 41; publish it with 'jwkctl jwks --out FILE'): verifiers that fetch this set get no current keys from it and reject tokens they cannot match; make it readable again, then run 'jwkctl check' again\n",
            ""
        )
    );
}
