//! `jwkctl verify`: the claim rules, the options that narrow what is
//! accepted, how the token is read, and `--batch`.

use serde_json::Value;

use crate::util::*;

fn env() -> TestEnv {
    TestEnv::with_store("ec-store.json")
}

fn claims_with(extra: Value) -> Value {
    let mut claims = fresh();
    for (name, value) in extra.as_object().unwrap() {
        claims[name] = value.clone();
    }
    claims
}

fn exp_at(exp: Value) -> Value {
    json!({"sub": "alice", "exp": exp})
}

#[test]
fn prints_the_claims_as_one_json_line_in_token_order() {
    let claims = json!({"z": 1, "sub": "alice", "a": {"nested": [1, 2.5, null, true]}, "exp": NOW_UNIX + 60, "iat": NOW_UNIX});
    env().accepts(&[], &es256(&claims), &claims);
}

#[test]
fn exp_leeway_boundaries() {
    let env = env();
    let t = NOW_UNIX;
    // Default leeway 60 s: expired from exp + 60 on.
    env.rejects(&[], &es256(&exp_at(json!(t - 60))), "expired");
    env.rejects(&[], &es256(&exp_at(json!(t - 3600))), "expired");
    env.accepts(&[], &es256(&exp_at(json!(t - 59))), &exp_at(json!(t - 59)));
    // Without leeway, exp equal to now is expired (RFC 7519 "on or after").
    env.rejects(&["--leeway", "0s"], &es256(&exp_at(json!(t))), "expired");
    env.accepts(
        &["--leeway", "0s"],
        &es256(&exp_at(json!(t + 1))),
        &exp_at(json!(t + 1)),
    );
    env.rejects(
        &["--leeway", "5m"],
        &es256(&exp_at(json!(t - 300))),
        "expired",
    );
    env.accepts(
        &["--leeway", "5m"],
        &es256(&exp_at(json!(t - 299))),
        &exp_at(json!(t - 299)),
    );
}

#[test]
fn numeric_dates_may_have_fractions() {
    let env = env();
    let t = NOW_UNIX as f64;
    let strict = ["--leeway", "0s"];
    env.accepts(
        &strict,
        &es256(&exp_at(json!(t + 0.5))),
        &exp_at(json!(t + 0.5)),
    );
    env.rejects(&strict, &es256(&exp_at(json!(t - 0.5))), "expired");
    let nbf = json!({"exp": t + 60.0, "nbf": t + 0.5});
    env.rejects(&strict, &es256(&nbf), "not yet valid");
    // --now with a fraction: the clock is not rounded to whole seconds.
    let at = json!({"exp": t + 0.75});
    env.accepts(
        &["--leeway", "0s", "--now", &format!("{NOW_UNIX}.5")],
        &es256(&at),
        &at,
    );
    env.rejects(
        &["--leeway", "0s", "--now", &format!("{NOW_UNIX}.75")],
        &es256(&at),
        "expired",
    );
}

#[test]
fn nbf_boundaries() {
    let env = env();
    let t = NOW_UNIX;
    let nbf = |n: i64| claims_with(json!({"nbf": n}));
    // nbf equal to now is valid.
    env.accepts(&["--leeway", "0s"], &es256(&nbf(t)), &nbf(t));
    env.rejects(&["--leeway", "0s"], &es256(&nbf(t + 1)), "not yet valid");
    env.accepts(&[], &es256(&nbf(t + 60)), &nbf(t + 60));
    env.rejects(&[], &es256(&nbf(t + 61)), "not yet valid");
    env.rejects(&[], &es256(&nbf(t + 86400)), "not yet valid");
}

#[test]
fn exp_is_required_unless_allow_no_exp() {
    let env = env();
    let claims = json!({"sub": "alice", "iat": NOW_UNIX});
    let token = es256(&claims);
    env.rejects(&[], &token, "missing claim exp");
    env.accepts(&["--allow-no-exp"], &token, &claims);
    // A present exp is still checked.
    env.rejects(
        &["--allow-no-exp"],
        &es256(&exp_at(json!(NOW_UNIX - 61))),
        "expired",
    );
}

#[test]
fn time_claims_of_the_wrong_type_are_rejected() {
    let env = env();
    let t = NOW_UNIX;
    env.rejects(
        &[],
        &es256(&exp_at(json!((t + 60).to_string()))),
        "invalid claim exp",
    );
    env.rejects(
        &["--allow-no-exp"],
        &es256(&exp_at(json!(null))),
        "invalid claim exp",
    );
    env.rejects(&[], &es256(&exp_at(json!([t + 60]))), "invalid claim exp");
    env.rejects(
        &[],
        &es256(&claims_with(json!({"nbf": "0"}))),
        "invalid claim nbf",
    );
    env.rejects(
        &[],
        &es256(&claims_with(json!({"iat": true}))),
        "invalid claim iat",
    );
    env.rejects(
        &[],
        &es256(&claims_with(json!({"iss": 7}))),
        "invalid claim iss",
    );
    env.rejects(
        &[],
        &es256(&claims_with(json!({"sub": ["a"]}))),
        "invalid claim sub",
    );
    env.rejects(
        &[],
        &es256(&claims_with(json!({"jti": 1}))),
        "invalid claim jti",
    );
    env.rejects(
        &["--aud", "1"],
        &es256(&claims_with(json!({"aud": 1}))),
        "invalid claim aud",
    );
    env.rejects(
        &["--aud", "a"],
        &es256(&claims_with(json!({"aud": ["a", 1]}))),
        "invalid claim aud",
    );
}

#[test]
fn issuer_and_subject_must_match_when_given() {
    let env = env();
    let claims = claims_with(json!({"iss": "https://issuer.example"}));
    let token = es256(&claims);
    env.accepts(
        &["--iss", "https://issuer.example", "--sub", "alice"],
        &token,
        &claims,
    );
    env.rejects(
        &["--iss", "https://issuer.example/"],
        &token,
        "issuer mismatch",
    );
    env.rejects(&["--sub", "bob"], &token, "subject mismatch");
    env.rejects(&["--sub", "Alice"], &token, "subject mismatch");
    let bare = es256(&json!({"exp": NOW_UNIX + 60}));
    env.rejects(
        &["--iss", "https://issuer.example"],
        &bare,
        "missing claim iss",
    );
    env.rejects(&["--sub", "alice"], &bare, "missing claim sub");
}

#[test]
fn audience_rule_of_rfc7519() {
    let env = env();
    let one = claims_with(json!({"aud": "api"}));
    let many = claims_with(json!({"aud": ["web", "api"]}));
    // A token with aud needs --aud naming one of its audiences.
    env.rejects(&[], &es256(&one), "audience mismatch");
    env.rejects(&[], &es256(&many), "audience mismatch");
    env.rejects(
        &[],
        &es256(&claims_with(json!({"aud": []}))),
        "audience mismatch",
    );
    env.accepts(&["--aud", "api"], &es256(&one), &one);
    env.accepts(&["--aud", "api"], &es256(&many), &many);
    env.rejects(&["--aud", "API"], &es256(&one), "audience mismatch");
    env.rejects(&["--aud", "mobile"], &es256(&many), "audience mismatch");
    // Repeated --aud: any one matching is enough.
    env.accepts(&["--aud", "mobile", "--aud", "api"], &es256(&one), &one);
    env.accepts(&["--aud", "web", "--aud", "x"], &es256(&many), &many);
    env.rejects(
        &["--aud", "x", "--aud", "y"],
        &es256(&many),
        "audience mismatch",
    );
    // --aud given and no aud claim.
    env.rejects(&["--aud", "api"], &es256(&fresh()), "missing claim aud");
}

#[test]
fn require_demands_claims() {
    let env = env();
    let claims = claims_with(json!({"jti": "id-1", "role": null}));
    let token = es256(&claims);
    env.accepts(&["--require", "jti", "--require", "role"], &token, &claims);
    env.rejects(
        &["--require", "jti", "--require", "scope"],
        &token,
        "missing claim scope",
    );
    env.rejects(&["--require", "nbf"], &token, "missing claim nbf");
}

#[test]
fn alg_narrows_the_accepted_algorithms() {
    let env = env();
    let token = es256(&fresh());
    env.accepts(&["--alg", "ES256"], &token, &fresh());
    env.accepts(&["--alg", "RS256", "--alg", "ES256"], &token, &fresh());
    env.rejects(&["--alg", "RS256"], &token, "algorithm not allowed");
    env.rejects(
        &["--alg", "ES384", "--alg", "EdDSA"],
        &token,
        "algorithm not allowed",
    );
}

#[test]
fn alg_outside_the_ten_is_a_usage_error() {
    let env = env();
    for alg in ["HS256", "none", "hs256", "RSA-OAEP"] {
        env.jwkctl()
            .args(["verify", "--alg", alg, &es256(&fresh())])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicates::str::starts_with(format!(
                "jwkctl: invalid value '{alg}' for '--alg <ALG>'"
            )))
            .stderr(predicates::str::contains(
                "RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA",
            ));
    }
}

#[test]
fn token_as_argument_or_dash_or_stdin() {
    let env = env();
    let token = es256(&fresh());
    let line = format!("{}\n", text(&fresh()));
    env.jwkctl()
        .args(["verify", &token])
        .assert()
        .code(0)
        .stdout(line.clone())
        .stderr("");
    env.jwkctl()
        .args(["verify", &format!(" {token}\n")])
        .assert()
        .code(0)
        .stdout(line.clone());
    env.jwkctl()
        .args(["verify", "-"])
        .write_stdin(token.clone())
        .assert()
        .code(0)
        .stdout(line.clone());
}

#[test]
fn trailing_newline_on_stdin_is_not_part_of_the_token() {
    let env = env();
    let token = es256(&fresh());
    for input in [
        format!("{token}\n"),
        format!("{token}\r\n"),
        format!("\n  {token} \t\r\n\n"),
    ] {
        env.accepts(&[], &input, &fresh());
    }
}

#[test]
fn two_tokens_on_stdin_without_batch_are_rejected() {
    let env = env();
    let token = es256(&fresh());
    for input in [
        format!("{token}\n{token}\n"),
        format!("{token}\r\n{token}"),
        format!("\n{token}\n\n{token}\n\n"),
        format!("Bearer {token}\nBearer {token}"),
    ] {
        env.rejects(
            &[],
            &input,
            "more than one token (use --batch for one per line)",
        );
    }
    // On one line they are not a list --batch would read.
    env.rejects(&[], &format!("{token} {token}"), "malformed token");
}

const NO_TOKEN_ON_STDIN: &str = "jwkctl: no token: stdin is empty or blank (pipe a token in, or pass it as an argument: jwkctl verify TOKEN)\n";

#[test]
fn empty_or_blank_input_is_no_token() {
    let env = env();
    for input in ["", "\r\n", " \t\n\n", "Bearer ", "bearer \n"] {
        for args in [&["verify"][..], &["verify", "-"][..]] {
            env.jwkctl()
                .args(args)
                .write_stdin(input)
                .assert()
                .code(2)
                .stdout("")
                .stderr(NO_TOKEN_ON_STDIN);
        }
    }
    for arg in ["", " ", "\n\t", "Bearer  "] {
        env.jwkctl()
            .args(["verify", arg])
            .assert()
            .code(2)
            .stdout("")
            .stderr("jwkctl: no token: the TOKEN argument is blank (pass the token itself, or - to read it from stdin)\n");
    }
}

#[test]
fn an_argument_that_is_not_utf8_is_a_malformed_token() {
    use std::os::unix::ffi::OsStrExt;
    let env = env();
    let token = es256(&fresh());
    let mut bytes = token.clone().into_bytes();
    bytes[3] = 0xff;
    env.jwkctl()
        .arg("verify")
        .arg(std::ffi::OsStr::from_bytes(&bytes))
        .assert()
        .code(1)
        .stdout("")
        .stderr("jwkctl: invalid token: malformed token (not UTF-8 text)\n");
}

#[test]
fn a_bearer_prefix_and_surrounding_whitespace_are_ignored() {
    let env = env();
    let token = es256(&fresh());
    let line = format!("{}\n", text(&fresh()));
    for input in [
        format!("Bearer {token}"),
        format!("bearer {token}\n"),
        format!("  BEARER \t {token}  \r\n"),
        format!("\n\tBeArEr {token}\n\n"),
    ] {
        env.accepts(&[], &input, &fresh());
        env.jwkctl()
            .args(["verify", &input])
            .assert()
            .code(0)
            .stdout(line.clone())
            .stderr("");
    }
    // Only as a word of its own, and only once.
    env.rejects(&[], &format!("Bearer{token}"), "malformed token");
    env.rejects(&[], &format!("Bearer Bearer {token}"), "malformed token");
    // In --batch, on each line.
    env.jwkctl()
        .args(["verify", "--batch"])
        .write_stdin(format!("Bearer {token}\n{token}\n"))
        .assert()
        .code(0)
        .stdout(format!(
            "{{\"line\":1,\"valid\":true,\"claims\":{0}}}\n{{\"line\":2,\"valid\":true,\"claims\":{0}}}\n",
            text(&fresh())
        ))
        .stderr("");
}

#[test]
fn a_token_over_one_mib_is_rejected_unread() {
    let env = env();
    const MIB: usize = 1 << 20;
    // Exactly 1 MiB is read (and is not a token); one byte more is not.
    env.rejects(&[], &"a".repeat(MIB), "malformed token");
    env.rejects(&[], &format!("{}\r\n", "a".repeat(MIB)), "malformed token");
    env.rejects(&[], &"a".repeat(MIB + 1), "token too large");
    // A real token with a huge claim.
    let big = es256(&claims_with(json!({"pad": "x".repeat(MIB)})));
    env.rejects(&[], &big, "token too large");
    // (An argument cannot be that long: Linux caps one at 128 KiB.)
    // Far more than that on stdin: not read to the end.
    env.rejects(&[], &"a".repeat(8 * MIB), "token too large");
}

#[test]
fn batch_prints_one_line_per_token() {
    let env = env();
    let good = es256(&fresh());
    let expired = es256(&exp_at(json!(NOW_UNIX - 61)));
    // Lines are numbered as in the input, blank ones included.
    let input = format!("{good}\n\n{expired}\r\n   \n{good}\r\nnot-a-token\n\r\n{good}");
    let valid = |n| {
        format!(
            "{{\"line\":{n},\"valid\":true,\"claims\":{}}}\n",
            text(&fresh())
        )
    };
    env.jwkctl()
        .args(["verify", "--batch"])
        .write_stdin(input)
        .assert()
        .code(1)
        .stdout(format!(
            "{}{{\"line\":3,\"valid\":false,\"error\":\"expired\"}}\n{}{{\"line\":6,\"valid\":false,\"error\":\"malformed token\",\"detail\":\"no '.' in it, expected 3 parts\"}}\n{}",
            valid(1),
            valid(5),
            valid(8)
        ))
        .stderr("");
}

#[test]
fn batch_of_valid_tokens_exits_0() {
    let env = env();
    let good = es256(&fresh());
    let valid = |n| {
        format!(
            "{{\"line\":{n},\"valid\":true,\"claims\":{}}}\n",
            text(&fresh())
        )
    };
    env.jwkctl()
        .args(["verify", "--batch", "--sub", "alice"])
        .write_stdin(format!("{good}\n{good}\n"))
        .assert()
        .code(0)
        .stdout(valid(1) + &valid(2))
        .stderr("");
}

#[test]
fn batch_without_any_token_is_no_token() {
    // A CI job fed an empty file must not pass.
    let env = env();
    for input in ["", "\n\n", " \r\n\t\n", "Bearer\n"] {
        env.jwkctl()
            .args(["verify", "--batch"])
            .write_stdin(input)
            .assert()
            .code(2)
            .stdout("")
            .stderr("jwkctl: no token: stdin holds no token (pipe tokens in, one per line: jwkctl verify --batch < FILE)\n");
    }
}

#[test]
fn batch_keeps_order_over_many_tokens() {
    // More than one chunk, so the parallel path and its ordering run.
    let env = env();
    let tokens: Vec<String> = (0..1100)
        .map(|i| {
            if i % 7 == 3 {
                es256(&exp_at(json!(NOW_UNIX - 600 - i)))
            } else {
                es256(&json!({"n": i, "exp": NOW_UNIX + 60}))
            }
        })
        .collect();
    let expected: String = (0..1100)
        .map(|i| {
            if i % 7 == 3 {
                format!(
                    "{{\"line\":{},\"valid\":false,\"error\":\"expired\"}}\n",
                    i + 1
                )
            } else {
                format!(
                    "{{\"line\":{},\"valid\":true,\"claims\":{{\"n\":{i},\"exp\":{}}}}}\n",
                    i + 1,
                    NOW_UNIX + 60
                )
            }
        })
        .collect();
    env.jwkctl()
        .args(["verify", "--batch"])
        .write_stdin(tokens.join("\n"))
        .assert()
        .code(1)
        .stdout(expected)
        .stderr("");
}

#[test]
fn batch_lines_over_one_mib_are_rejected() {
    let env = env();
    let good = es256(&fresh());
    let input = format!("{good}\n{}\n{good}\n", "a".repeat(3 << 20));
    let valid = |n| {
        format!(
            "{{\"line\":{n},\"valid\":true,\"claims\":{}}}\n",
            text(&fresh())
        )
    };
    env.jwkctl()
        .args(["verify", "--batch"])
        .write_stdin(input)
        .assert()
        .code(1)
        .stdout(format!(
            "{}{{\"line\":2,\"valid\":false,\"error\":\"token too large\"}}\n{}",
            valid(1),
            valid(3)
        ))
        .stderr("");
}

#[test]
fn batch_and_a_token_argument_conflict() {
    // `--batch FILE` and `--batch -` read as "tokens from FILE": say how.
    let env = env();
    for arg in ["tokens.txt", "-", "x.y.z"] {
        env.jwkctl()
            .args(["verify", "--batch", arg])
            .write_stdin(es256(&fresh()))
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!(
                "jwkctl: --batch takes no TOKEN argument (got {arg:?}): it reads tokens from stdin, one per line (run 'jwkctl verify --batch < FILE')\n"
            ));
    }
}

#[test]
fn rejections_say_what_is_wrong_after_the_reason() {
    let env = env();
    let ec = fixture_key("ec-store.json", 0);
    let header = json!({"alg": "ES256", "typ": "JWT", "kid": "gone\nkey"});
    let unknown = forge(&header, &fresh(), Alg::Es256, &ec);
    env.rejects_with(
        &[],
        &unknown,
        "unknown kid",
        r#"no key has kid "gone\nkey""#,
    );
    env.rejects_with(
        &[],
        "abc",
        "malformed token",
        "no '.' in it, expected 3 parts",
    );
    env.rejects_with(
        &[],
        "a.b",
        "malformed token",
        "2 parts separated by '.', not 3",
    );
    let token = es256(&fresh());
    let (h, rest) = token.split_once('.').unwrap();
    env.rejects_with(
        &[],
        &format!("{h}.e30=.{}", rest.split_once('.').unwrap().1),
        "malformed token",
        "the payload is not base64url",
    );
    let kid_number = forge(
        &json!({"alg": "ES256", "kid": 7}),
        &fresh(),
        Alg::Es256,
        &ec,
    );
    env.rejects_with(
        &[],
        &kid_number,
        "malformed token",
        "the header's kid is not a string",
    );
    // A token for an audience, and no --aud: say so, and what to pass.
    let for_api = es256(&claims_with(json!({"aud": "api"})));
    env.rejects_with(
        &[],
        &for_api,
        "audience mismatch",
        r#"the token has aud "api" and no --aud was given: name this verifier's audience with --aud"#,
    );
    env.rejects_with(
        &["--aud", "web"],
        &for_api,
        "audience mismatch",
        r#"the token has aud "api", not --aud "web""#,
    );
    env.accepts(
        &["--aud", "api"],
        &for_api,
        &claims_with(json!({"aud": "api"})),
    );
    // --batch carries the detail as a member of its own.
    env.jwkctl()
        .args(["verify", "--batch"])
        .write_stdin(format!("{unknown}\n"))
        .assert()
        .code(1)
        .stdout("{\"line\":1,\"valid\":false,\"error\":\"unknown kid\",\"detail\":\"no key has kid \\\"gone\\\\nkey\\\"\"}\n");
}

#[test]
fn the_store_is_the_default_key_source() {
    let env = TestEnv::new();
    env.jwkctl()
        .args(["verify", "x.y.z"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "jwkctl: {}: no such file (pass the issuer's public keys with --jwks FILE|URL, or point -k/JWKCTL_KEYS at a key store)\n",
            env.keys().display()
        ));
}
