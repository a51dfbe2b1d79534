//! A year of the README's cron lines, replayed day by day with `--now`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::util::*;

struct Issued {
    token: String,
    kid: String,
    exp: i64,
}

fn run(env: &TestEnv, now: &str, args: &[&str]) -> String {
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

fn unix(t: &str) -> i64 {
    jwkctl::clock::unix_secs(jwkctl::clock::parse_time(t).expect("time"))
}

fn day(d: i64, hh_mm: &str) -> String {
    let start = jwkctl::clock::parse_time("2026-01-01T00:00:00Z").expect("time");
    let date = start + time::Duration::days(d);
    format!("{}T{hh_mm}:00Z", &jwkctl::clock::format(date)[..10])
}

/// Verifies `tokens` against the published JWK Set at `now`; every one must pass.
fn verify_all(env: &TestEnv, now: &str, tokens: &[&Issued]) {
    if tokens.is_empty() {
        return;
    }
    let input: String = tokens.iter().map(|t| format!("{}\n", t.token)).collect();
    let out = env
        .jwkctl()
        .env("JWKCTL_NOW", now)
        .args(["verify", "--batch", "--jwks", "jwks.json"])
        .write_stdin(input)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{now}: a live token was rejected:\n{text}"
    );
    assert_eq!(text.lines().count(), tokens.len());
}

#[test]
fn a_year_of_daily_cron_runs() {
    let env = TestEnv::new();
    run(&env, &day(0, "00:00"), &["keygen", "--alg", "ES256"]);
    let jwks_out = env.path("jwks.json");
    let jwks_out = jwks_out.to_str().expect("path");
    let mut issued: Vec<Issued> = Vec::new();
    let mut rotations = 0;
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut max_keys = 0;

    for d in 0..365 {
        // 17 3 * * *  rotate --if-older-than 30d --publish-ahead 1d && jwks --out
        let rotate_at = day(d, "03:17");
        if !run(
            &env,
            &rotate_at,
            &["rotate", "--if-older-than", "30d", "--publish-ahead", "1d"],
        )
        .is_empty()
        {
            rotations += 1;
        }
        run(&env, &rotate_at, &["jwks", "--out", jwks_out]);
        // 27 3 * * *  prune && jwks --out
        let prune_at = day(d, "03:27");
        run(&env, &prune_at, &["prune"]);
        run(&env, &prune_at, &["jwks", "--out", jwks_out]);

        // What the store holds now, and what it no longer holds.
        let listed: BTreeMap<String, String> = run(&env, &prune_at, &["list", "--json"])
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).expect("json");
                (
                    v["kid"].as_str().unwrap().to_owned(),
                    v["state"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        max_keys = max_keys.max(listed.len());
        assert!(listed.len() <= 3, "{prune_at}: {listed:?}");
        assert_eq!(
            listed.values().filter(|s| *s == "active").count(),
            1,
            "{prune_at}: {listed:?}"
        );
        let now = unix(&prune_at);
        for t in &issued {
            if !listed.contains_key(&t.kid) {
                assert!(
                    t.exp + 60 <= now,
                    "{prune_at}: key {} pruned while its token lives",
                    t.kid
                );
            }
        }
        seen.extend(listed.keys().cloned());

        // Right after the cron lines, every unexpired token still verifies.
        let live: Vec<&Issued> = issued.iter().filter(|t| t.exp > now).collect();
        verify_all(&env, &prune_at, &live);
        // And just before it expires, yesterday's token too.
        let before_noon = day(d, "11:59");
        let live: Vec<&Issued> = issued
            .iter()
            .filter(|t| t.exp > unix(&before_noon))
            .collect();
        verify_all(&env, &before_noon, &live);

        // A token for the longest lifetime the store allows.
        let noon = day(d, "12:00");
        let token = run(
            &env,
            &noon,
            &["sign", "--ttl", "24h", "--sub", &format!("day{d}")],
        );
        let token = token.trim().to_owned();
        let claims = run(&env, &noon, &["verify", "--jwks", "jwks.json", &token]);
        let claims: Value = serde_json::from_str(&claims).expect("claims");
        let kid = listed
            .iter()
            .find(|(_, s)| *s == "active")
            .map(|(k, _)| k.clone())
            .expect("active");
        issued.push(Issued {
            token,
            kid,
            exp: claims["exp"].as_i64().expect("exp"),
        });
        issued.retain(|t| t.exp + 3600 > unix(&noon));
    }
    // "More than 30d" after 03:17 is first true a day later at 03:17: days 30, 61, ... 340.
    assert_eq!(rotations, 11);
    assert_eq!(seen.len(), 12);
    assert_eq!(
        max_keys, 2,
        "active + pending or active + retired, never more"
    );
}
