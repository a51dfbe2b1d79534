//! rotate, prune, revoke and list: exact outputs at pinned times.

use std::fs;

use serde_json::Value;

use crate::util::*;

const T0: &str = "2026-01-01T00:00:00Z";
const T1: &str = "2026-02-01T00:00:00Z";
const T1_NEXT_DAY: &str = "2026-02-02T00:00:00Z";

/// A store whose first EdDSA key `k1` was made at T0.
fn store_k1() -> TestEnv {
    let env = TestEnv::new();
    env.jwkctl()
        .env("JWKCTL_NOW", T0)
        .args(["keygen", "--alg", "EdDSA", "--kid", "k1"])
        .assert()
        .success()
        .stdout("k1\n");
    env
}

fn at(env: &TestEnv, now: &str, args: &[&str]) -> std::process::Output {
    env.jwkctl()
        .env("JWKCTL_NOW", now)
        .args(args)
        .output()
        .expect("run")
}

fn list(env: &TestEnv, now: &str) -> String {
    let out = at(env, now, &["list"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn jwks_kids(env: &TestEnv, now: &str) -> Vec<String> {
    let out = at(env, now, &["jwks"]);
    let set: Value = serde_json::from_slice(&out.stdout).expect("jwks is JSON");
    set["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k["kid"].as_str().expect("kid").to_owned())
        .collect()
}

#[test]
fn rotate_now_retires_the_active_key_at_once() {
    let env = store_k1();
    env.jwkctl()
        .env("JWKCTL_NOW", T1)
        .args(["rotate", "--kid", "k2"])
        .assert()
        .success()
        .stdout("k2\n")
        .stderr("jwkctl: added EdDSA key k2: signs from now; k1 retires then\n");
    assert_eq!(
        list(&env, T1),
        "k2  EdDSA  active   2026-02-01T00:00:00Z  2026-02-01T00:00:00Z  -                     -\n\
         k1  EdDSA  retired  2026-01-01T00:00:00Z  2026-01-01T00:00:00Z  2026-02-01T00:00:00Z  2026-02-02T00:05:00Z\n"
    );
    let token = String::from_utf8(at(&env, T1, &["sign"]).stdout).unwrap();
    assert_eq!(kid_of(&token), "k2");
    assert_eq!(mode(&env.keys()), 0o600);
}

#[test]
fn publish_ahead_publishes_now_and_signs_later() {
    let env = store_k1();
    env.jwkctl()
        .env("JWKCTL_NOW", T1)
        .args(["rotate", "--kid", "k2", "--publish-ahead", "1d"])
        .assert()
        .success()
        .stdout("k2\n")
        .stderr(
            "jwkctl: added pending EdDSA key k2: signs from 2026-02-02T00:00:00Z; k1 retires then (publish it now, so caches hold it before it signs: jwkctl jwks --out FILE)\n",
        );
    // Published at once, active first.
    assert_eq!(jwks_kids(&env, T1), ["k1", "k2"]);
    assert_eq!(
        list(&env, T1),
        "k1  EdDSA  active   2026-01-01T00:00:00Z  2026-01-01T00:00:00Z  2026-02-02T00:00:00Z  -\n\
         k2  EdDSA  pending  2026-02-01T00:00:00Z  2026-02-02T00:00:00Z  -                     -\n"
    );
    // The old key signs until the new one's signs_from, with no command run.
    let before = String::from_utf8(at(&env, "2026-02-01T23:59:59Z", &["sign"]).stdout).unwrap();
    assert_eq!(kid_of(&before), "k1");
    let after = String::from_utf8(at(&env, T1_NEXT_DAY, &["sign"]).stdout).unwrap();
    assert_eq!(kid_of(&after), "k2");
    assert_eq!(jwks_kids(&env, T1_NEXT_DAY), ["k2", "k1"]);
    // A pending key signs only when asked for by kid (to test verifiers).
    let pending = String::from_utf8(at(&env, T1, &["sign", "--kid", "k2"]).stdout).unwrap();
    assert_eq!(kid_of(&pending), "k2");
    // A retired key never signs.
    let out = at(&env, T1_NEXT_DAY, &["sign", "--kid", "k1"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "jwkctl: key \"k1\" is retired and no longer signs (sign with the active key: drop --kid)\n"
    );
}

#[test]
fn list_json_is_one_object_per_key() {
    let env = store_k1();
    at(
        &env,
        T1,
        &["rotate", "--kid", "k2", "--publish-ahead", "1d"],
    );
    let out = at(&env, T1_NEXT_DAY, &["list", "--json"]);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "{\"kid\":\"k2\",\"alg\":\"EdDSA\",\"state\":\"active\",\"created\":\"2026-02-01T00:00:00Z\",\"signs_from\":\"2026-02-02T00:00:00Z\",\"retired\":null,\"prunable_after\":null,\"await\":[],\"confirmed\":null,\"cache_lifetime\":null}\n\
         {\"kid\":\"k1\",\"alg\":\"EdDSA\",\"state\":\"retired\",\"created\":\"2026-01-01T00:00:00Z\",\"signs_from\":\"2026-01-01T00:00:00Z\",\"retired\":\"2026-02-02T00:00:00Z\",\"prunable_after\":\"2026-02-03T00:05:00Z\",\"await\":[],\"confirmed\":null,\"cache_lifetime\":null}\n"
    );
}

#[test]
fn if_older_than_is_idempotent() {
    let env = store_k1();
    let before = env.read("keys.json");
    env.jwkctl()
        .env("JWKCTL_NOW", "2026-01-31T00:00:00Z")
        .args(["rotate", "--if-older-than", "30d", "--publish-ahead", "1d"])
        .assert()
        .success()
        .stdout("")
        .stderr("jwkctl: nothing to do: the newest key k1 was created 2026-01-01T00:00:00Z, rotation is due after 2026-01-31T00:00:00Z\n");
    assert_eq!(
        env.read("keys.json"),
        before,
        "a run that was not due changes nothing"
    );

    // Due: one rotation, and the next daily runs do nothing.
    let out = at(
        &env,
        "2026-01-31T00:00:01Z",
        &["rotate", "--if-older-than", "30d", "--publish-ahead", "1d"],
    );
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim().len(), 43);
    for day in [
        "2026-01-31T03:00:00Z",
        "2026-02-01T03:00:00Z",
        "2026-02-02T03:00:00Z",
    ] {
        let out = at(
            &env,
            day,
            &["rotate", "--if-older-than", "30d", "--publish-ahead", "1d"],
        );
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(out.stdout, b"");
    }
    assert_eq!(env.store_json()["keys"].as_array().unwrap().len(), 2);
    // -q silences the note.
    at(
        &env,
        "2026-02-03T00:00:00Z",
        &["-q", "rotate", "--if-older-than", "30d"],
    );
    env.jwkctl()
        .args(["-q", "rotate", "--if-older-than", "30d"])
        .env("JWKCTL_NOW", "2026-02-03T00:00:00Z")
        .assert()
        .success()
        .stdout("")
        .stderr("");
}

#[test]
fn refusals_exit_2_and_change_nothing() {
    let env = store_k1();
    at(
        &env,
        T1,
        &["rotate", "--kid", "k2", "--publish-ahead", "1d"],
    );
    let before = env.read("keys.json");
    for (args, message) in [
        (
            &["rotate", "--kid", "k3"][..],
            "jwkctl: key \"k2\" is already pending (it signs from 2026-02-02T00:00:00Z); rotate again after that, or 'jwkctl revoke k2' it first\n",
        ),
        (
            &["revoke", "nope"][..],
            "jwkctl: no key with kid \"nope\" (see 'jwkctl list')\n",
        ),
        (
            &["prune", "--older-than", "1h"][..],
            "jwkctl: --older-than 1h is shorter than this store's minimum grace 24h 5m (its max token lifetime plus 5m of clock skew): a token signed just before retirement may still be valid\n",
        ),
        (
            &["rotate", "--alg", "ES256", "--bits", "4096"][..],
            "jwkctl: --bits applies to RSA keys only, and ES256 is not RSA (drop --bits, or choose an RS or PS algorithm)\n",
        ),
    ] {
        env.jwkctl()
            .env("JWKCTL_NOW", T1)
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(message);
    }
    // A kid already in the store.
    env.jwkctl()
        .env("JWKCTL_NOW", "2026-03-01T00:00:00Z")
        .args(["rotate", "--kid", "k1"])
        .assert()
        .code(2)
        .stderr("jwkctl: kid \"k1\" is already in the store (choose another --kid)\n");
    assert_eq!(env.read("keys.json"), before);
}

#[test]
fn alg_switch_keeps_the_old_key_published_until_pruned() {
    let env = store_k1();
    at(
        &env,
        T1,
        &["rotate", "--alg", "ES256", "--kid", "k2", "--max-ttl", "1h"],
    );
    assert_eq!(jwks_kids(&env, T1), ["k2", "k1"]);
    let set: Value = serde_json::from_slice(&at(&env, T1, &["jwks"]).stdout).unwrap();
    assert_eq!(set["keys"][0]["alg"], "ES256");
    assert_eq!(set["keys"][1]["alg"], "EdDSA");
    // The next rotation keeps ES256.
    at(&env, "2026-02-01T00:00:01Z", &["rotate", "--kid", "k3"]);
    assert_eq!(env.store_json()["keys"][0]["alg"], "ES256");
    // --max-ttl 1h: the grace is now 1h 5m for k2, which only ever signed
    // 1h tokens, but k1 signed 24h tokens and keeps its 24h 5m.
    let out = at(&env, "2026-02-01T01:05:01Z", &["prune", "--dry-run"]);
    assert_eq!(out.stdout, b"");
    let out = at(&env, "2026-02-01T01:05:02Z", &["prune", "--dry-run"]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "k2\n");
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "jwkctl: dry run: would remove 1 key(s); nothing was changed\n"
    );
    assert_eq!(jwks_kids(&env, "2026-02-01T01:05:02Z"), ["k3", "k2", "k1"]);
    let out = at(&env, "2026-02-01T01:05:02Z", &["prune"]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "k2\n");
    assert_eq!(env.store_json()["keys"][1]["jwkctl"]["max_ttl"], "24h");
    assert_eq!(
        list(&env, "2026-02-01T01:05:02Z")
            .lines()
            .nth(1)
            .unwrap()
            .split_whitespace()
            .last(),
        Some("2026-02-02T00:05:00Z")
    );
    let out = at(&env, "2026-02-02T00:05:01Z", &["prune"]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "k1\n");
    assert_eq!(jwks_kids(&env, "2026-02-02T00:05:01Z"), ["k3"]);
}

#[test]
fn prune_waits_for_the_grace_period_and_spares_active_and_pending() {
    let env = store_k1();
    at(&env, T1, &["rotate", "--kid", "k2"]);
    at(
        &env,
        "2026-02-10T00:00:00Z",
        &["rotate", "--kid", "k3", "--publish-ahead", "1d"],
    );
    // k1 retired at T1: removable only once retired for longer than 24h 5m.
    let edge = at(&env, "2026-02-02T00:05:00Z", &["prune"]);
    assert_eq!(edge.stdout, b"");
    assert_eq!(
        String::from_utf8_lossy(&edge.stderr),
        "jwkctl: nothing to prune\n"
    );
    let out = at(
        &env,
        "2026-02-10T00:00:00Z",
        &["prune", "--older-than", "30d"],
    );
    assert_eq!(out.stdout, b"", "k1 retired 9 days ago, not 30");
    let out = at(&env, "2026-02-10T00:00:00Z", &["prune"]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "k1\n");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "jwkctl: removed 1 key(s)\n"
    );
    // Years later: the active and the pending key stay.
    let out = at(&env, "2026-02-10T12:00:00Z", &["prune"]);
    assert_eq!(out.stdout, b"");
    assert_eq!(jwks_kids(&env, "2026-02-10T12:00:00Z"), ["k2", "k3"]);
}

#[test]
fn revoke_active_promotes_the_pending_key() {
    let env = store_k1();
    at(
        &env,
        T1,
        &["rotate", "--kid", "k2", "--publish-ahead", "1d"],
    );
    env.jwkctl()
        .env("JWKCTL_NOW", T1)
        .args(["revoke", "k1"])
        .assert()
        .success()
        .stdout("k2\n")
        .stderr("jwkctl: revoked k1; k2 signs from now (publish with 'jwkctl jwks --out ...')\n");
    assert_eq!(
        list(&env, T1),
        "k2  EdDSA  active  2026-02-01T00:00:00Z  2026-02-01T00:00:00Z  -  -\n"
    );
}

#[test]
fn revoke_active_without_pending_makes_a_key_like_it() {
    let env = store_k1();
    let out = at(&env, T1, &["revoke", "k1"]);
    assert!(out.status.success());
    let kid = String::from_utf8(out.stdout).unwrap();
    let store = env.store_json();
    let keys = store["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["kid"].as_str().unwrap(), kid.trim());
    assert_eq!(keys[0]["alg"], "EdDSA");
    assert_eq!(jwks_kids(&env, T1), [kid.trim()]);
}

#[test]
fn revoke_pending_keeps_the_active_key_signing() {
    let env = store_k1();
    at(
        &env,
        T1,
        &["rotate", "--kid", "k2", "--publish-ahead", "1d"],
    );
    env.jwkctl()
        .env("JWKCTL_NOW", T1)
        .args(["revoke", "k2"])
        .assert()
        .success()
        .stdout("")
        .stderr("jwkctl: revoked k2 (publish with 'jwkctl jwks --out ...')\n");
    // k1 no longer retires when k2 would have taken over.
    assert_eq!(
        list(&env, "2026-03-01T00:00:00Z"),
        "k1  EdDSA  active  2026-01-01T00:00:00Z  2026-01-01T00:00:00Z  -  -\n"
    );
}

#[test]
fn a_held_lock_makes_writers_give_up_with_exit_2() {
    let env = store_k1();
    let lock = fs::OpenOptions::new()
        .write(true)
        .open(env.path("keys.json.lock"))
        .expect("lock file");
    lock.lock().expect("lock");
    let before = env.read("keys.json");
    env.jwkctl()
        .env("JWKCTL_LOCK_TIMEOUT", "0.3")
        .args(["rotate"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "jwkctl: {}: another jwkctl holds this lock; gave up after 0.3s (try again later, or look for a stuck jwkctl process)\n",
            env.path("keys.json.lock").display()
        ));
    assert_eq!(env.read("keys.json"), before);
    // Readers do not need the lock.
    env.jwkctl().arg("jwks").assert().success();
    drop(lock);
    env.jwkctl().args(["rotate"]).assert().success();
}

#[test]
fn adopts_a_store_without_bookkeeping_on_first_write() {
    // A node-jose style store: the keys of a jwkctl store, bookkeeping removed.
    let env = store_k1();
    at(&env, T1, &["rotate", "--kid", "k2"]);
    let mut store = env.store_json();
    store.as_object_mut().unwrap().remove("jwkctl");
    let keys = store["keys"].as_array_mut().unwrap();
    keys.reverse(); // node-jose order: whatever came first is active
    for key in keys.iter_mut() {
        key.as_object_mut().unwrap().remove("jwkctl");
    }
    env.write("keys.json", &serde_json::to_string(&store).unwrap());
    let now = "2026-06-01T00:00:00Z";
    assert_eq!(
        list(&env, now),
        "k1  EdDSA  active   2026-06-01T00:00:00Z  2026-06-01T00:00:00Z  -                     -\n\
         k2  EdDSA  retired  2026-06-01T00:00:00Z  2026-06-01T00:00:00Z  2026-06-01T00:00:00Z  2026-06-02T00:05:00Z\n"
    );
    // The first write records those times; prune keeps k2 for the grace.
    let out = at(&env, now, &["prune"]);
    assert_eq!(out.stdout, b"");
    let written = env.store_json();
    assert_eq!(written["keys"][0]["kid"], "k1");
    assert_eq!(written["keys"][1]["jwkctl"]["retired"], now);
    assert_eq!(written["jwkctl"]["max_ttl"], "24h");
    let out = at(&env, "2026-06-02T00:05:01Z", &["prune"]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "k2\n");
}

#[test]
fn cron_rotate_alone_adopts_a_store_then_counts_from_then() {
    let env = store_k1();
    let mut store = env.store_json();
    store.as_object_mut().unwrap().remove("jwkctl");
    store["keys"][0].as_object_mut().unwrap().remove("jwkctl");
    env.write("keys.json", &serde_json::to_string(&store).unwrap());
    let cron = ["rotate", "--if-older-than", "30d", "--publish-ahead", "1d"];
    let out = at(&env, "2026-06-01T03:17:00Z", &cron);
    assert!(out.status.success());
    assert_eq!(
        out.stdout, b"",
        "a key of unknown age is adopted, not rotated"
    );
    assert_eq!(
        env.store_json()["keys"][0]["jwkctl"]["created"],
        "2026-06-01T03:17:00Z"
    );
    assert_eq!(at(&env, "2026-07-01T03:17:00Z", &cron).stdout, b"");
    let out = at(&env, "2026-07-01T03:17:01Z", &cron);
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim().len(), 43);
}

#[test]
fn publish_ahead_must_fit_inside_the_rotation_period() {
    let env = store_k1();
    env.jwkctl()
        .args(["rotate", "--if-older-than", "1d", "--publish-ahead", "2d"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: --publish-ahead 2d must be shorter than --if-older-than 24h (publish a day or so ahead of a longer period)\n");
}

#[test]
fn publish_ahead_rounds_up_to_whole_seconds_and_zero_is_plain() {
    let env = store_k1();
    let out = at(
        &env,
        "2026-02-01T00:00:00.2Z",
        &["rotate", "--kid", "k2", "--publish-ahead", "500ms"],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "jwkctl: added pending EdDSA key k2: signs from 2026-02-01T00:00:01Z; k1 retires then (publish it now, so caches hold it before it signs: jwkctl jwks --out FILE)\n"
    );
    assert!(list(&env, "2026-02-01T00:00:00.9Z").contains("k2  EdDSA  pending"));
    assert!(list(&env, "2026-02-01T00:00:01Z").starts_with("k2  EdDSA  active"));
    let out = at(
        &env,
        "2026-02-02T00:00:00Z",
        &["rotate", "--kid", "k3", "--publish-ahead", "0s"],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "jwkctl: added EdDSA key k3: signs from now; k2 retires then\n"
    );
}

#[test]
fn an_enormous_max_ttl_never_panics() {
    let env = TestEnv::new();
    env.ok(&[
        "keygen",
        "--alg",
        "EdDSA",
        "--kid",
        "k1",
        "--max-ttl",
        "18446744073709551615s",
    ]);
    env.ok(&["rotate", "--kid", "k2", "--max-ttl", "1h"]);
    for args in [&["list"][..], &["prune"], &["list", "--json"]] {
        env.jwkctl().args(args).assert().success();
    }
    // Never prunable: its tokens may live (practically) forever.
    let out = at(&env, "2999-01-01T00:00:00Z", &["prune"]);
    assert_eq!(out.stdout, b"");
}

#[test]
fn rotations_within_one_second_all_sign_at_once() {
    let env = store_k1();
    for (i, now) in [
        "2026-02-01T00:00:00.25Z",
        "2026-02-01T00:00:00.5Z",
        "2026-02-01T00:00:00.75Z",
    ]
    .into_iter()
    .enumerate()
    {
        let kid = format!("r{i}");
        let out = at(&env, now, &["rotate", "--kid", &kid]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let token = String::from_utf8(at(&env, now, &["sign"]).stdout).unwrap();
        assert_eq!(kid_of(&token), kid, "the new key signs at once");
    }
}
