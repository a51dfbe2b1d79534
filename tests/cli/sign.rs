//! `jwkctl sign`: the header, every claims option, the limits, and the
//! global options wherever they are written.

use predicates::prelude::*;
use serde_json::Value;

use crate::util::*;

fn env() -> TestEnv {
    TestEnv::with_store("ec-store.json")
}

/// Runs `sign` and returns its one token (stderr must be empty).
fn sign(env: &TestEnv, args: &[&str]) -> String {
    let out = env.jwkctl().arg("sign").args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stderr).unwrap(), "");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.ends_with('\n'));
    stdout.trim_end().to_owned()
}

fn verifies(env: &TestEnv, token: &str, args: &[&str]) {
    env.jwkctl()
        .arg("verify")
        .args(args)
        .arg(token)
        .assert()
        .code(0)
        .stderr("");
}

#[test]
fn header_is_exactly_alg_typ_kid_and_claims_are_iat_exp() {
    let env = env();
    let token = sign(&env, &[]);
    let (header, payload) = decode(&token);
    assert_eq!(
        header,
        format!(r#"{{"alg":"ES256","typ":"JWT","kid":"{EC_KID}"}}"#)
    );
    assert_eq!(
        payload,
        format!(r#"{{"iat":{NOW_UNIX},"exp":{}}}"#, NOW_UNIX + 3600)
    );
    verifies(&env, &token, &[]);
}

#[test]
fn rsa_header() {
    let env = TestEnv::with_store("rsa-store.json");
    let token = sign(&env, &["--ttl", "1m"]);
    assert_eq!(
        decode(&token).0,
        format!(r#"{{"alg":"RS256","typ":"JWT","kid":"{RSA_KID}"}}"#)
    );
    // PKCS#1 v1.5 is deterministic: the same claims give the same token.
    assert_eq!(sign(&env, &["--ttl", "1m"]), token);
    verifies(&env, &token, &[]);
}

#[test]
fn every_claims_option() {
    let env = env();
    let token = sign(
        &env,
        &[
            "--sub",
            "alice",
            "--iss",
            "https://issuer.example",
            "--aud",
            "api",
            "--nbf",
            "5m",
            "--ttl",
            "15m",
            "--claim",
            "role=admin",
            "--claim",
            "n=3",
            "--claim",
            r#"o={"a":[1,true]}"#,
        ],
    );
    assert_eq!(
        decode(&token).1,
        format!(
            r#"{{"role":"admin","n":3,"o":{{"a":[1,true]}},"sub":"alice","iss":"https://issuer.example","aud":"api","iat":{NOW_UNIX},"exp":{},"nbf":{}}}"#,
            NOW_UNIX + 900,
            NOW_UNIX + 300
        )
    );
    // Valid from nbf on (the default leeway covers 60 s of it).
    env.jwkctl()
        .args(["verify", "--aud", "api", &token])
        .assert()
        .code(1)
        .stderr("jwkctl: invalid token: not yet valid\n");
    verifies(
        &env,
        &token,
        &[
            "--aud",
            "api",
            "--now",
            "2026-01-02T03:09:05Z",
            "--iss",
            "https://issuer.example",
        ],
    );
}

#[test]
fn aud_is_a_string_once_and_an_array_when_repeated() {
    let env = env();
    let one = sign(&env, &["--aud", "api"]);
    assert_eq!(claims_of(&one)["aud"], json!("api"));
    let many = sign(&env, &["--aud", "api", "--aud", "web", "--aud", "api2"]);
    assert_eq!(claims_of(&many)["aud"], json!(["api", "web", "api2"]));
    verifies(&env, &many, &["--aud", "web"]);
    assert!(claims_of(&sign(&env, &[])).get("aud").is_none());
}

#[test]
fn claim_values_are_json_when_valid_json_else_strings() {
    let env = env();
    let token = sign(
        &env,
        &[
            "--claim",
            "t=true",
            "--claim",
            "z=null",
            "--claim",
            "f=1.5",
            "--claim",
            "s=hello world",
            "--claim",
            r#"q="quoted""#,
            "--claim",
            "e=",
            "--claim",
            "eq=a=b",
            "--claim",
            r#"l=[1,"x"]"#,
            "--claim",
            "bad={not json",
            "--claim",
            "t=false",
        ],
    );
    assert_eq!(
        claims_of(&token),
        json!({
            "t": false, "z": null, "f": 1.5, "s": "hello world", "q": "quoted", "e": "",
            "eq": "a=b", "l": [1, "x"], "bad": "{not json",
            "iat": NOW_UNIX, "exp": NOW_UNIX + 3600
        })
    );
}

#[test]
fn a_claim_without_equals_sign_is_a_usage_error() {
    let env = env();
    for (arg, message) in [
        (
            "role",
            "--claim \"role\" has no '=' (write NAME=VALUE, like role=admin or n=3)",
        ),
        ("=x", "--claim \"=x\" has an empty NAME (write NAME=VALUE)"),
    ] {
        env.jwkctl()
            .args(["sign", "--claim", arg])
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!("jwkctl: {message}\n"));
    }
}

#[test]
fn claims_inline_file_and_stdin_are_merged_first_and_flags_win() {
    let env = env();
    let base =
        r#"{"sub":"base","role":"user","aud":["x","y"],"exp":1,"iat":2,"nbf":3,"deep":{"a":1}}"#;
    let expected = |sub: &str, role: &str| {
        json!({
            "sub": sub, "role": role, "aud": ["x", "y"], "exp": NOW_UNIX + 3600,
            "iat": NOW_UNIX, "nbf": 3, "deep": {"a": 1}
        })
    };
    // (-q: the note that exp and iat were replaced is tested in sign_times.)
    let inline = sign(&env, &["-q", "--claims", base]);
    assert_eq!(claims_of(&inline), expected("base", "user"));

    env.write("claims.json", base);
    let file = sign(&env, &["-q", "--claims", "@claims.json", "--sub", "flag"]);
    assert_eq!(claims_of(&file), expected("flag", "user"));

    let out = env
        .jwkctl()
        .args(["sign", "--claims", "-", "--claim", "role=admin"])
        .write_stdin(format!("{base}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        claims_of(&String::from_utf8(out.stdout).unwrap()),
        expected("base", "admin")
    );
    // --aud replaces the base audiences.
    let aud = sign(&env, &["-q", "--claims", base, "--aud", "api"]);
    assert_eq!(claims_of(&aud)["aud"], json!("api"));
    // --nbf replaces the base nbf.
    let nbf = sign(&env, &["-q", "--claims", base, "--nbf", "1m"]);
    assert_eq!(claims_of(&nbf)["nbf"], json!(NOW_UNIX + 60));
}

#[test]
fn bad_claims_are_usage_errors() {
    let env = env();
    for (arg, message) in [
        (
            "[1]",
            r#"--claims: claims must be a JSON object like {"role":"admin"}"#,
        ),
        (
            "\"x\"",
            r#"--claims: claims must be a JSON object like {"role":"admin"}"#,
        ),
        (
            "{bad",
            "--claims: not valid JSON: key must be a string at line 1 column 2",
        ),
        (
            "@missing.json",
            "--claims missing.json: no such file (check the path)",
        ),
    ] {
        env.jwkctl()
            .args(["sign", "--claims", arg])
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!("jwkctl: {message}\n"));
    }
    env.write("claims.json", "[]");
    env.jwkctl()
        .args(["sign", "--claims", "@claims.json"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: claims.json: claims must be a JSON object like {\"role\":\"admin\"}\n");
}

#[test]
fn repeated_claim_names_are_refused_in_every_form() {
    // Signing the last of two values signs what another reader of the
    // same text does not see.
    let env = env();
    let twice = r#"{"role":"user","role":"admin"}"#;
    let nested = r#"{"a":{"b":1,"b":2}}"#;
    env.write("claims.json", nested);
    for (args, stdin, message) in [
        (
            vec!["--claims", twice],
            "",
            r#"--claims: the member name "role" appears twice at line 1 column 30 (keep one of them)"#,
        ),
        (
            vec!["--claims", "@claims.json"],
            "",
            r#"claims.json: the member name "b" appears twice at line 1 column 18 (keep one of them)"#,
        ),
        (
            vec!["--claims", "-"],
            twice,
            r#"--claims -: the member name "role" appears twice at line 1 column 30 (keep one of them)"#,
        ),
        (
            vec!["--claim", r#"x={"a":1,"a":2}"#],
            "",
            r#"--claim x: the member name "a" appears twice at line 1 column 13 (keep one of them)"#,
        ),
    ] {
        env.jwkctl()
            .arg("sign")
            .args(&args)
            .write_stdin(stdin)
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!("jwkctl: {message}\n"));
    }
    // A VALUE that is not valid JSON is still a string, repeats or not.
    let token = sign(&env, &["--claim", r#"x={"a":1,"a":2"#]);
    assert_eq!(claims_of(&token)["x"], r#"{"a":1,"a":2"#);
}

#[test]
fn count_prints_n_tokens_with_a_fresh_jti_each() {
    let env = env();
    let out = env.ok(&["sign", "--count", "3", "--jti", "--sub", "alice"]);
    let tokens: Vec<&str> = out.lines().collect();
    assert_eq!(tokens.len(), 3);
    assert!(out.ends_with('\n'));
    let jti = predicate::str::is_match("^[A-Za-z0-9_-]{22}$").unwrap();
    let mut seen = std::collections::HashSet::new();
    for token in &tokens {
        let mut claims = claims_of(token);
        let id = claims["jti"].as_str().unwrap().to_owned();
        assert!(jti.eval(&id), "{id}");
        assert!(seen.insert(id));
        claims.as_object_mut().unwrap().remove("jti");
        assert_eq!(
            claims,
            json!({"sub": "alice", "iat": NOW_UNIX, "exp": NOW_UNIX + 3600})
        );
        verifies(&env, token, &["--require", "jti"]);
    }
    // Without --jti there is no jti at all.
    let out = env.ok(&["sign", "--count", "2"]);
    assert_eq!(out.lines().count(), 2);
    for token in out.lines() {
        assert_eq!(
            claims_of(token),
            json!({"iat": NOW_UNIX, "exp": NOW_UNIX + 3600})
        );
    }
    env.jwkctl()
        .args(["sign", "--count", "0"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "jwkctl: invalid value '0' for '--count <N>': 0 is not in 1..18446744073709551615\n",
        ));
}

#[test]
fn ttl_is_capped_by_the_store() {
    let env = env();
    assert_eq!(
        claims_of(&sign(&env, &["--ttl", "24h"]))["exp"],
        json!(NOW_UNIX + 86400)
    );
    assert_eq!(
        claims_of(&sign(&env, &["--ttl", "1d"]))["exp"],
        json!(NOW_UNIX + 86400)
    );
    env.jwkctl()
        .args(["sign", "--ttl", "24h 1s"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: --ttl 24h 1s is longer than this store's max token lifetime 24h (shorten --ttl, or raise the limit with 'jwkctl rotate --max-ttl')\n");
    env.jwkctl()
        .args(["sign", "--ttl", "0s"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: --ttl 0s is under 1s, and token times are whole seconds (use at least 1s, like 15m or 1h)\n");
    // NumericDates are whole seconds: exp would equal iat.
    env.jwkctl()
        .args(["sign", "--ttl", "500ms"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: --ttl 500ms is under 1s, and token times are whole seconds (use at least 1s, like 15m or 1h)\n");
    assert_eq!(
        claims_of(&sign(&env, &["--ttl", "1s"]))["exp"],
        json!(NOW_UNIX + 1)
    );
    env.jwkctl()
        .args(["sign", "--ttl", "soon"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "jwkctl: invalid value 'soon' for '--ttl <DURATION>': ",
        ));
}

#[test]
fn kid_picks_the_active_or_a_pending_key_never_a_retired_one() {
    let env = TestEnv::new();
    rotated_store(&env);
    let active = sign(&env, &[]);
    assert_eq!(
        decode(&active).0,
        r#"{"alg":"ES256","typ":"JWT","kid":"cur"}"#
    );
    assert_eq!(sign(&env, &["--kid", "cur"]).len(), active.len());
    let pending = sign(&env, &["--kid", "next"]);
    assert_eq!(
        decode(&pending).0,
        r#"{"alg":"EdDSA","typ":"JWT","kid":"next"}"#
    );
    // The pending key is published, so verifiers accept its tokens already.
    verifies(&env, &pending, &[]);
    for retired in ["prev", "old"] {
        env.jwkctl()
            .args(["sign", "--kid", retired])
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!(
                "jwkctl: key \"{retired}\" is retired and no longer signs (sign with the active key: drop --kid)\n"
            ));
    }
    env.jwkctl()
        .args(["sign", "--kid", "nope"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "jwkctl: {}: no key with kid \"nope\" (see 'jwkctl list')\n",
            env.keys().display()
        ));
    // Once `next` signs from 2026-01-03, it is the active key.
    let later = sign(&env, &["--now", "2026-01-03T00:00:00Z"]);
    assert_eq!(
        decode(&later).0,
        r#"{"alg":"EdDSA","typ":"JWT","kid":"next"}"#
    );
}

#[test]
fn now_takes_rfc3339_with_offsets_and_unix_seconds() {
    let env = env();
    let iat = |token: &str| claims_of(token)["iat"].clone();
    for now in [
        "2026-01-02T03:04:05Z",
        "2026-01-02T03:04:05z",
        "2026-01-02t03:04:05Z",
        "2026-01-02T05:04:05+02:00",
        "2026-01-01T22:34:05-04:30",
        "2026-01-02T03:04:05.999Z",
        "2026-01-02T03:04:05+00:00",
        "2026-01-02T03:04:05-00:00",
        "1767323045",
        "1767323045.75",
    ] {
        // Before and after the subcommand, and from the environment.
        let before = env.jwkctl().args(["--now", now, "sign"]).output().unwrap();
        assert_eq!(before.status.code(), Some(0), "--now {now}");
        assert_eq!(
            iat(&String::from_utf8(before.stdout).unwrap()),
            json!(NOW_UNIX),
            "{now}"
        );
        assert_eq!(iat(&sign(&env, &["--now", now])), json!(NOW_UNIX), "{now}");
        let from_env = env
            .jwkctl()
            .env("JWKCTL_NOW", now)
            .arg("sign")
            .output()
            .unwrap();
        assert_eq!(
            iat(&String::from_utf8(from_env.stdout).unwrap()),
            json!(NOW_UNIX),
            "{now}"
        );
    }
    // The flag wins over the environment.
    let token = sign(&env, &["--now", "2026-01-02T03:05:05Z"]);
    assert_eq!(iat(&token), json!(NOW_UNIX + 60));
}

#[test]
fn a_bad_now_is_a_usage_error() {
    let env = env();
    for now in [
        "yesterday",
        "2026-01-02 03:04:05",
        "2026-01-02T03:04:05",
        "2026-01-02",
        "",
    ] {
        env.jwkctl()
            .args(["sign", "--now", now])
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!(
                "jwkctl: invalid value '{now}' for '--now <TIME>': {now:?} is not a time (use RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)\n\nFor more information, try '--help'.\n"
            ));
    }
    // From the environment: the variable is named, not a flag never typed.
    env.jwkctl()
        .env("JWKCTL_NOW", "tomorrow")
        .arg("sign")
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: JWKCTL_NOW in the environment: \"tomorrow\" is not a time (use RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)\n");
    env.jwkctl()
        .env("JWKCTL_KEYS", "vault:")
        .arg("sign")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::starts_with(
            "jwkctl: JWKCTL_KEYS in the environment: vault:: ",
        ));
    // A good --now wins over the variable, wherever it is given.
    for args in [["--now", NOW, "sign"], ["sign", "--now", NOW]] {
        env.jwkctl()
            .env("JWKCTL_NOW", "tomorrow")
            .args(args)
            .assert()
            .code(0);
    }
    // A bad --now is the flag's fault even when the variable is bad too.
    env.jwkctl()
        .env("JWKCTL_NOW", "tomorrow")
        .args(["sign", "--now", "later"])
        .assert()
        .code(2)
        .stderr(
            "jwkctl: invalid value 'later' for '--now <TIME>': \"later\" is not a time (use RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)\n\nFor more information, try '--help'.\n",
        );
}

#[test]
fn empty_jwkctl_now_and_jwkctl_keys_are_unset() {
    // `JWKCTL_NOW= jwkctl ...` in a shell: the real clock, not an error.
    let env = env();
    let out = env
        .jwkctl()
        .env("JWKCTL_NOW", "")
        .arg("sign")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let iat = claims_of(&String::from_utf8(out.stdout).unwrap())["iat"]
        .as_i64()
        .unwrap();
    assert!(iat > NOW_UNIX, "{iat}");
    // An empty JWKCTL_KEYS: the default keys.json in the current folder.
    env.jwkctl()
        .env("JWKCTL_KEYS", "")
        .arg("sign")
        .assert()
        .code(0)
        .stderr("");
}

#[test]
fn global_options_work_before_or_after_the_subcommand() {
    let env = TestEnv::new();
    std::fs::copy(fixture_path("ec-store.json"), env.path("other.json")).unwrap();
    private(&env.path("other.json"));
    let other = env.path("other.json");
    let other = other.to_str().unwrap();
    // JWKCTL_KEYS points at a missing keys.json; -k wins wherever it is.
    for args in [
        vec!["-k", other, "sign", "--sub", "a"],
        vec!["sign", "-k", other, "--sub", "a"],
        vec!["sign", "--sub", "a", "--keys", other],
        vec!["--quiet", "sign", "--keys", other, "--sub", "a", "-q"],
    ] {
        let out = env.jwkctl().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(String::from_utf8(out.stderr).unwrap(), "", "{args:?}");
        let token = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            decode(&token).0,
            format!(r#"{{"alg":"ES256","typ":"JWT","kid":"{EC_KID}"}}"#)
        );
    }
    env.jwkctl()
        .args(["jwks", "-k", other])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(EC_KID))
        .stderr("");
    env.jwkctl()
        .args([
            "verify",
            "--jwks",
            other,
            "-q",
            "--now",
            "2026-01-02T03:04:05+01:00",
        ])
        .write_stdin(es256(&json!({"exp": NOW_UNIX - 3600 + 61})))
        .assert()
        .code(0)
        .stderr("");
}

#[test]
fn a_missing_store_names_the_file_and_the_fix() {
    let env = TestEnv::new();
    env.jwkctl()
        .arg("sign")
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "jwkctl: {}: no such file (create one with 'jwkctl keygen', or point -k/JWKCTL_KEYS at yours)\n",
            env.keys().display()
        ));
}

#[test]
fn a_malformed_store_is_an_input_error() {
    let env = TestEnv::new();
    for (content, why) in [
        ("{", "EOF while parsing an object at line 1 column 1"),
        ("[]", "not a JSON object"),
        (
            "{}",
            "no \"keys\" array (a key store is a JWK Set: {\"keys\":[...]})",
        ),
    ] {
        env.write("keys.json", content);
        env.jwkctl()
            .arg("sign")
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!(
                "jwkctl: {}: not a valid key store: {why} (fix the file, or restore it from a backup)\n",
                env.keys().display()
            ));
    }
    let _: Value = json!(null);
}

#[test]
fn a_store_with_no_key_signing_now_is_refused() {
    let env = TestEnv::new();
    let key = jwkctl::crypto::generate(Alg::Es256, 0).unwrap();
    let store = json!({
        "keys": [stored(&key, "later", json!({"created": NOW, "signs_from": "2026-02-01T00:00:00Z"}))],
        "jwkctl": {"max_ttl": "24h"}
    });
    env.write("keys.json", &text(&store));
    env.jwkctl()
        .arg("sign")
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "jwkctl: {}: no key signs now (add one with 'jwkctl rotate')\n",
            env.keys().display()
        ));
    // The pending key still signs on request, for testing verifiers.
    assert_eq!(
        decode(&sign(&env, &["--kid", "later"])).0,
        r#"{"alg":"ES256","typ":"JWT","kid":"later"}"#
    );
}

#[test]
fn the_default_ttl_fits_a_short_max_lifetime() {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA", "--max-ttl", "30m"]);
    let token = env.ok(&["sign"]);
    let claims = claims_of(&token);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        1800
    );
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA"]);
    let claims = claims_of(&env.ok(&["sign"]));
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );
}

/// A fault in a signature computation, injected through the debug-only
/// seam, is caught before anything is printed: for EdDSA by the second
/// computation, which then differs; for ECDSA and RSA by verifying with
/// the public half. One token or many (the parallel path), the same.
#[cfg(debug_assertions)]
#[test]
fn a_faulted_signature_computation_is_caught_and_nothing_is_printed() {
    for (store, caught_by) in [
        (
            "rfc8037-store.json",
            "two computations of the same Ed25519 signature differed",
        ),
        (
            "ec-store.json",
            "a signature did not verify with the key's public half",
        ),
        (
            "rsa-store.json",
            "a signature did not verify with the key's public half",
        ),
    ] {
        let env = TestEnv::with_store(store);
        for count in ["1", "40"] {
            env.jwkctl()
                .env("JWKCTL_TEST_FAULT", "signature")
                .args(["sign", "--count", count])
                .assert()
                .code(2)
                .stdout("")
                .stderr(predicate::str::contains(caught_by));
        }
        // Without the fault the same store signs.
        sign(&env, &[]);
    }
}

/// Release builds have no fault seam: the variable changes nothing.
#[cfg(not(debug_assertions))]
#[test]
fn release_builds_cannot_be_told_to_fault() {
    let env = TestEnv::with_store("rfc8037-store.json");
    env.jwkctl()
        .env("JWKCTL_TEST_FAULT", "signature")
        .arg("sign")
        .assert()
        .code(0);
}

/// EdDSA tokens of one --count run: the second computation agreed each
/// time, every token verifies, and (Ed25519 being deterministic, the
/// claims the same) they are all one token.
#[test]
fn eddsa_count_tokens_verify_and_are_deterministic() {
    let env = TestEnv::with_store("rfc8037-store.json");
    let out = env.ok(&["sign", "--count", "50", "--sub", "s"]);
    let tokens: Vec<&str> = out.lines().collect();
    assert_eq!(tokens.len(), 50);
    assert!(tokens.iter().all(|t| *t == tokens[0]));
    verifies(&env, tokens[0], &[]);
}
