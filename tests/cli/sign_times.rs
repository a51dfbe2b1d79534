//! `sign --iat`, `--exp` and `--nbf` with fixed times, for test tokens, and
//! the note when --claim/--claims gave a claim that sign sets itself.

use crate::util::*;

fn env() -> TestEnv {
    TestEnv::with_store("ec-store.json")
}

/// `sign ARGS`: its one token's claims and its stderr.
fn signed(env: &TestEnv, args: &[&str]) -> (Value, String) {
    let out = env.jwkctl().arg("sign").args(args).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let token = String::from_utf8(out.stdout).unwrap();
    assert_eq!(token.lines().count(), 1);
    (claims_of(token.trim()), stderr)
}

use serde_json::Value;

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

#[test]
fn exp_in_the_past_mints_an_expired_token() {
    let env = env();
    for exp in [
        "2026-01-01T03:04:05Z",
        "2026-01-01T05:04:05+02:00",
        "1767236645",
    ] {
        let (claims, stderr) = signed(&env, &["--exp", exp]);
        assert_eq!(stderr, "");
        assert_eq!(
            claims,
            json!({"iat": NOW_UNIX, "exp": NOW_UNIX - DAY}),
            "{exp}"
        );
    }
    let token = env.ok(&["sign", "--exp", "2026-01-02T03:04:05Z"]);
    env.jwkctl()
        .args(["verify", "--leeway", "0s", token.trim()])
        .assert()
        .code(1)
        .stdout("")
        .stderr("jwkctl: invalid token: expired\n");
}

#[test]
fn exp_may_reach_but_not_pass_the_stores_max_token_lifetime() {
    let env = env();
    let (claims, _) = signed(&env, &["--exp", "2026-01-03T03:04:05Z"]);
    assert_eq!(claims["exp"], NOW_UNIX + DAY);
    env.jwkctl()
        .args(["sign", "--exp", "2026-01-03T03:04:06Z"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: --exp 2026-01-03T03:04:06Z is later than now + this store's max token lifetime 24h (2026-01-03T03:04:05Z) (choose an earlier --exp, or raise the limit with 'jwkctl rotate --max-ttl')\n");
}

#[test]
fn exp_replaces_ttl_and_both_together_are_a_usage_error() {
    let env = env();
    env.jwkctl()
        .args(["sign", "--exp", "1767326645", "--ttl", "1h"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::starts_with(
            "jwkctl: the argument '--exp <TIME>' cannot be used with '--ttl <DURATION>'\n",
        ));
}

#[test]
fn iat_is_any_time_and_exp_still_counts_from_now() {
    let env = env();
    let (claims, _) = signed(&env, &["--iat", "2025-12-31T00:00:00Z"]);
    assert_eq!(
        claims,
        json!({"iat": 1_767_139_200, "exp": NOW_UNIX + HOUR})
    );
    let (claims, _) = signed(&env, &["--iat", "1767330245", "--ttl", "2h"]);
    assert_eq!(
        claims,
        json!({"iat": NOW_UNIX + 2 * HOUR, "exp": NOW_UNIX + 2 * HOUR})
    );
}

#[test]
fn nbf_is_a_time_or_a_duration_after_now() {
    let env = env();
    for (nbf, at) in [
        ("10m", NOW_UNIX + 600),
        ("2026-01-02T04:04:04Z", NOW_UNIX + HOUR - 1),
        ("2026-01-01T00:00:00Z", 1_767_225_600),
        ("1767323000", 1_767_323_000),
    ] {
        let (claims, _) = signed(&env, &["--nbf", nbf]);
        assert_eq!(
            claims,
            json!({"iat": NOW_UNIX, "exp": NOW_UNIX + HOUR, "nbf": at}),
            "{nbf}"
        );
    }
    let token = env.ok(&["sign", "--nbf", "2026-01-02T05:00:00Z", "--ttl", "3h"]);
    env.jwkctl()
        .args(["verify", token.trim()])
        .assert()
        .code(1)
        .stderr("jwkctl: invalid token: not yet valid\n");
    env.jwkctl()
        .args(["sign", "--nbf", "soon"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: invalid value 'soon' for '--nbf <TIME|DURATION>': \"soon\" is neither a time (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds) nor a duration (like 90s, 15m or 24h)\n\nFor more information, try '--help'.\n");
}

#[test]
fn claims_sign_sets_win_and_one_note_names_them() {
    let env = env();
    let (claims, stderr) = signed(
        &env,
        &[
            "--claims",
            r#"{"iat": 1, "nbf": 2, "jti": "mine", "role": "a"}"#,
            "--claim",
            "exp=3",
            "--claim",
            "iat=4",
            "--jti",
            "--nbf",
            "1m",
        ],
    );
    assert_eq!(
        stderr,
        "jwkctl: the iat, exp, nbf and jti given by --claim/--claims were replaced by what sign sets (set iat with --iat TIME; set exp with --exp TIME or --ttl; set nbf with --nbf; drop --jti to keep your jti)\n"
    );
    assert_eq!(claims["iat"], NOW_UNIX);
    assert_eq!(claims["exp"], NOW_UNIX + HOUR);
    assert_eq!(claims["nbf"], NOW_UNIX + 60);
    assert_ne!(claims["jti"], "mine");
    assert_eq!(claims["role"], "a");

    let (claims, stderr) = signed(&env, &["--claim", "exp=3"]);
    assert_eq!(
        stderr,
        "jwkctl: the exp given by --claim/--claims was replaced by what sign sets (set exp with --exp TIME or --ttl)\n"
    );
    assert_eq!(claims["exp"], NOW_UNIX + HOUR);

    // One note however many tokens, and -q hides it.
    let out = env
        .jwkctl()
        .args(["sign", "--count", "3", "--claim", "iat=1"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 3);
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "jwkctl: the iat given by --claim/--claims was replaced by what sign sets (set iat with --iat TIME)\n"
    );
    env.jwkctl()
        .args(["-q", "sign", "--claim", "iat=1"])
        .assert()
        .code(0)
        .stderr("");
}

#[test]
fn claims_sign_does_not_set_are_kept_without_a_note() {
    let env = env();
    // Without --nbf and --jti, sign sets neither: theirs stand.
    let (claims, stderr) = signed(&env, &["--claim", "nbf=5", "--claim", "jti=mine"]);
    assert_eq!(stderr, "");
    assert_eq!(
        claims,
        json!({"nbf": 5, "jti": "mine", "iat": NOW_UNIX, "exp": NOW_UNIX + HOUR})
    );
}

#[test]
fn a_token_that_could_never_be_valid_is_refused() {
    // Valid from nbf on, expired from exp on: nbf at or after exp is a
    // token no verifier accepts.
    let env = env();
    let never = |args: &[&str], stderr: &str| {
        env.jwkctl()
            .arg("sign")
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!("jwkctl: {stderr} is not before exp 2026-01-02T04:04:05Z (now + 1h): such a token is never valid (choose an earlier --nbf, or a later --exp or a longer --ttl)\n"));
    };
    never(&["--nbf", "1h"], "nbf 2026-01-02T04:04:05Z (now + 1h)");
    never(
        &["--nbf", "2026-01-02T05:00:00Z"],
        "nbf 2026-01-02T05:00:00Z (--nbf)",
    );
    never(
        &["--claim", "nbf=1767326645"],
        "nbf 2026-01-02T04:04:05Z (from --claim/--claims)",
    );
    env.jwkctl()
        .args(["sign", "--exp", "2026-01-02T03:30:00Z", "--nbf", "2026-01-02T03:40:00Z"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: nbf 2026-01-02T03:40:00Z (--nbf) is not before exp 2026-01-02T03:30:00Z (--exp): such a token is never valid (choose an earlier --nbf, or a later --exp or a longer --ttl)\n");
    // One second before exp is still a token that is valid for a second.
    let (claims, _) = signed(&env, &["--nbf", "59m 59s"]);
    assert_eq!(claims["nbf"], NOW_UNIX + HOUR - 1);
}
