//! Flag values as people type them: algorithm names in any case, durations
//! whose units could be misread, a store path that is a folder.

use std::fs;
use std::os::unix::fs::FileTypeExt;

use crate::util::*;

#[test]
fn algorithm_names_are_accepted_in_any_case_and_printed_canonically() {
    for (typed, canonical) in [("rs256", "RS256"), ("eddsa", "EdDSA"), ("Es384", "ES384")] {
        let env = TestEnv::new();
        let out = env
            .jwkctl()
            .args(["keygen", "--alg", typed, "--kid", "k1"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{typed}");
        assert_eq!(String::from_utf8(out.stdout).unwrap(), "k1\n");
        assert_eq!(
            String::from_utf8(out.stderr).unwrap(),
            format!(
                "jwkctl: created {} with {canonical} key k1\n",
                env.keys().display()
            )
        );
        assert_eq!(env.store_json()["keys"][0]["alg"], canonical);
    }
}

#[test]
fn lower_case_algorithms_work_for_rotate_and_verify() {
    let env = TestEnv::with_store("ec-store.json");
    env.jwkctl()
        .args(["rotate", "--alg", "es512", "--kid", "k2"])
        .assert()
        .code(0)
        .stdout("k2\n")
        .stderr(format!(
            "jwkctl: added ES512 key k2: signs from now; {EC_KID} retires then\n"
        ));
    let token = env.ok(&["sign"]);
    env.jwkctl()
        .args(["verify", "--alg", "es512", token.trim()])
        .assert()
        .code(0);
    env.jwkctl()
        .args(["verify", "--alg", "es256", token.trim()])
        .assert()
        .code(1)
        .stderr("jwkctl: invalid token: algorithm not allowed (the token's alg ES512 is not one of --alg)\n");
}

#[test]
fn algorithm_names_people_try_get_a_pointer() {
    let env = TestEnv::with_store("ec-store.json");
    let all = "RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA";
    let hmac = format!(
        "HMAC (HS256, HS384, HS512) is not supported: its shared secret would let every verifier sign too (use one of {all})"
    );
    for (args, value, why) in [
        (
            &["keygen", "-k", "new.json", "--alg"][..],
            "HS256",
            hmac.clone(),
        ),
        (&["rotate", "--alg"][..], "hs512", hmac.clone()),
        (&["verify", "x.y.z", "--alg"][..], "HMAC", hmac.clone()),
        (
            &["keygen", "-k", "new.json", "--alg"][..],
            "ed25519",
            "Ed25519 keys sign with the algorithm EdDSA (use --alg EdDSA)".to_owned(),
        ),
        (
            &["verify", "x.y.z", "--alg"][..],
            "none",
            format!(
                "alg none means an unsigned token, which jwkctl never makes or accepts (use one of {all})"
            ),
        ),
    ] {
        env.jwkctl()
            .args(args)
            .arg(value)
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!(
                "jwkctl: invalid value '{value}' for '--alg <ALG>': {why}\n\nFor more information, try '--help'.\n"
            ));
    }
    // Other names keep clap's list.
    env.jwkctl()
        .args(["rotate", "--alg", "ES257"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(format!(
            "[possible values: {all}]"
        )));
}

#[test]
fn a_lifetime_flag_points_to_ttl_not_exp() {
    // --exp takes a time; the lifetime people mean is --ttl.
    let env = TestEnv::with_store("ec-store.json");
    for flag in ["--expires-in", "--expires-in=1h", "--expiry"] {
        env.jwkctl()
            .args(["sign", flag, "1h"])
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!(
                "jwkctl: unexpected argument '{}' found\n\n  tip: a similar argument exists: '--ttl'\n  tip: --ttl takes a DURATION (like 15m); --exp takes a TIME (like 2026-01-02T03:04:05Z)\n\nUsage: jwkctl sign --ttl <DURATION>\n\nFor more information, try '--help'.\n",
                flag.split('=').next().unwrap()
            ));
    }
}

const MONTHS: &str = "months and years are not accepted (M means months: minutes are m or min; write longer spans in days, like 30d or 365d)";

#[test]
fn months_and_years_are_refused_in_durations() {
    let env = TestEnv::with_store("ec-store.json");
    for (args, flag, value) in [
        (&["sign", "--ttl"][..], "--ttl <DURATION>", "15M"),
        (&["sign", "--ttl"][..], "--ttl <DURATION>", "1month"),
        (&["sign", "--nbf"][..], "--nbf <TIME|DURATION>", "1M"),
        (
            &["keygen", "--force", "--max-ttl"][..],
            "--max-ttl <DURATION>",
            "1y",
        ),
        (
            &["rotate", "--max-ttl"][..],
            "--max-ttl <DURATION>",
            "2 years",
        ),
        (
            &["rotate", "--if-older-than"][..],
            "--if-older-than <DURATION>",
            "1M",
        ),
        (
            &["rotate", "--publish-ahead"][..],
            "--publish-ahead <DURATION>",
            "1h 15M",
        ),
        (
            &["prune", "--older-than"][..],
            "--older-than <DURATION>",
            "1yr",
        ),
        (&["verify", "--leeway"][..], "--leeway <DURATION>", "5M"),
    ] {
        let before = env.read("keys.json");
        env.jwkctl()
            .args(args)
            .arg(value)
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!(
                "jwkctl: invalid value '{value}' for '{flag}': {MONTHS}\n\nFor more information, try '--help'.\n"
            ));
        assert_eq!(env.read("keys.json"), before, "{args:?} {value}");
    }
}

#[test]
fn a_duration_without_a_unit_is_told_the_unit_that_fits_the_option() {
    let env = TestEnv::with_store("ec-store.json");
    let units = "units: ms, s, m or min, h, d, w";
    for (args, flag, fix) in [
        (
            &["sign", "--ttl"][..],
            "--ttl <DURATION>",
            "30m for minutes",
        ),
        (
            &["verify", "x.y.z", "--leeway"][..],
            "--leeway <DURATION>",
            "30s for seconds",
        ),
        (
            &["rotate", "--max-ttl"][..],
            "--max-ttl <DURATION>",
            "30h for hours",
        ),
        (
            &["rotate", "--if-older-than"][..],
            "--if-older-than <DURATION>",
            "30d for days",
        ),
        (
            &["rotate", "--publish-ahead"][..],
            "--publish-ahead <DURATION>",
            "30d for days",
        ),
        (
            &["prune", "--older-than"][..],
            "--older-than <DURATION>",
            "30d for days",
        ),
        (
            &["check", "--rotation-period"][..],
            "--rotation-period <DURATION>",
            "30d for days",
        ),
        (
            &["serve", "--cache-ttl"][..],
            "--cache-ttl <DURATION>",
            "30m for minutes",
        ),
    ] {
        env.jwkctl()
            .args(args)
            .arg("30")
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!(
                "jwkctl: invalid value '30' for '{flag}': 30 has no unit (write {fix}; {units})\n\nFor more information, try '--help'.\n"
            ));
    }
    // An unknown unit lists the units jwkctl takes: no months or years.
    env.jwkctl()
        .args(["sign", "--ttl", "3x"])
        .assert()
        .code(2)
        .stderr(format!(
            "jwkctl: invalid value '3x' for '--ttl <DURATION>': unknown unit \"x\" ({units})\n\nFor more information, try '--help'.\n"
        ));
}

#[test]
fn minutes_spelled_m_or_min_still_work() {
    let env = TestEnv::with_store("ec-store.json");
    for ttl in ["15m", "15min", "15 minutes"] {
        let token = env.ok(&["sign", "--ttl", ttl]);
        let claims = env.ok(&["verify", token.trim()]);
        let claims: serde_json::Value = serde_json::from_str(&claims).unwrap();
        assert_eq!(claims["exp"], NOW_UNIX + 900, "{ttl}");
    }
}

#[test]
fn a_store_path_that_is_a_folder_is_named_as_one() {
    let env = TestEnv::new();
    let dir = env.path("store");
    fs::create_dir(&dir).unwrap();
    for force in [&[][..], &["--force"][..]] {
        env.jwkctl()
            .args(["-k", "store", "keygen", "--alg", "ES256"])
            .args(force)
            .assert()
            .code(2)
            .stdout("")
            .stderr(
                "jwkctl: store: is a directory (choose the store file with -k, like -k store/keys.json)\n",
            );
    }
    // Nothing was made beside it or in it.
    let mut names: Vec<_> = fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["store"]);
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn a_store_path_that_is_a_fifo_is_refused_and_left_alone() {
    let env = TestEnv::new();
    let fifo = env.path("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    env.jwkctl()
        .args(["-k", "fifo", "keygen", "--force", "--alg", "ES256"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: fifo: is a FIFO (named pipe); only a regular file is replaced (name a regular file; nothing was changed)\n");
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(!env.path("fifo.lock").exists());
}

/// A thumbprint is base64url, so one kid in 64 starts with '-': it names a
/// key wherever a KID is taken, not an unknown flag.
#[test]
fn a_kid_may_start_with_a_hyphen() {
    let env = TestEnv::new();
    assert_eq!(
        env.ok(&["-q", "keygen", "--alg", "EdDSA", "--kid", "-old"]),
        "-old\n"
    );
    assert_eq!(env.ok(&["-q", "rotate", "--kid", "-new"]), "-new\n");
    assert!(env.ok(&["export", "-old"]).contains(r#""kid":"-old""#));
    assert!(
        env.ok(&["export", "-old", "--pem"])
            .starts_with("-----BEGIN PUBLIC KEY-----\n")
    );
    let token = env.ok(&["sign", "--kid", "-new"]);
    assert!(!token.is_empty());
    env.jwkctl()
        .args(["-q", "revoke", "-old"])
        .assert()
        .code(0)
        .stdout("")
        .stderr("");
    assert!(!env.ok(&["list", "--json"]).contains(r#""kid":"-old""#));
}
