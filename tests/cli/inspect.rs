//! `inspect`: decodes without verifying, and always says so.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::util::*;

const WARNING: &str = "jwkctl: warning: NOT verified: the token was only decoded, its signature and claims were not checked (use 'jwkctl verify')\n";

fn b64(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(text)
}

#[test]
fn prints_header_and_claims_and_warns() {
    let env = TestEnv::new();
    let kid = env.ok(&["keygen", "--alg", "ES256"]);
    let kid = kid.trim();
    let token = env.ok(&["sign", "--sub", "u1"]);
    env.jwkctl()
        .args(["inspect", token.trim()])
        .assert()
        .success()
        .stdout(format!(
            "{{\"header\":{{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"{kid}\"}},\"claims\":{{\"sub\":\"u1\",\"iat\":{NOW_UNIX},\"exp\":{}}}}}\n",
            NOW_UNIX + 3600
        ))
        .stderr(format!(
            "{WARNING}jwkctl: times: iat 2026-01-02T03:04:05Z, exp 2026-01-02T04:04:05Z (not expired), now 2026-01-02T03:04:05Z\n"
        ));
}

#[test]
fn the_warning_survives_quiet_and_expiry_follows_now() {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA"]);
    let token = env.ok(&["sign", "--nbf", "10m"]);
    // From stdin, trailing newline and all; -q does not hide the warning.
    env.jwkctl()
        .args(["-q", "inspect", "--now", "2026-01-02T04:04:05Z"])
        .write_stdin(token)
        .assert()
        .success()
        .stderr(format!(
            "{WARNING}jwkctl: times: iat 2026-01-02T03:04:05Z, nbf 2026-01-02T03:14:05Z (valid), exp 2026-01-02T04:04:05Z (expired), now 2026-01-02T04:04:05Z\n"
        ));
}

#[test]
fn an_unsigned_token_decodes_and_is_still_flagged() {
    let env = TestEnv::new();
    let token = format!(
        "{}.{}.",
        b64(r#"{"alg":"none"}"#),
        b64(r#"{"sub":"x","nbf":1767323105}"#)
    );
    env.jwkctl()
        .args(["inspect", "-"])
        .write_stdin(format!("  {token}\r\n"))
        .assert()
        .success()
        .stdout("{\"header\":{\"alg\":\"none\"},\"claims\":{\"sub\":\"x\",\"nbf\":1767323105}}\n")
        .stderr(format!(
            "{WARNING}jwkctl: times: nbf 2026-01-02T03:05:05Z (not yet valid), no exp (never expires), now 2026-01-02T03:04:05Z\n"
        ));
}

#[test]
fn malformed_input_exits_2() {
    let env = TestEnv::new();
    let h = b64(r#"{"alg":"ES256"}"#);
    let p = b64(r#"{"sub":"x"}"#);
    let hint = "(inspect takes a compact JWS: HEADER.PAYLOAD.SIGNATURE)";
    for (token, what) in [
        (
            format!("{h}.{p}"),
            "2 parts separated by '.', not 3".to_owned(),
        ),
        (
            format!("{h}.{p}.a.b.c"),
            "5 parts, which is an encrypted token (JWE); jwkctl cannot decrypt it".to_owned(),
        ),
        (
            format!("{h}=.{p}.AA"),
            "the header is not base64url".to_owned(),
        ),
        (
            format!("{h}.{}.AA", b64("[1]")),
            "the payload is not a JSON object".to_owned(),
        ),
        (
            format!("{}.{p}.AA", b64(r#"{"alg":"ES256","alg":"none"}"#)),
            "the header repeats a member name".to_owned(),
        ),
        (
            format!("{h}.{p}.A+A"),
            "the signature is not base64url".to_owned(),
        ),
        (
            "{\"payload\":\"\"}".to_owned(),
            "this is JSON serialization, not a compact JWS".to_owned(),
        ),
        (String::new(), "no '.' in it, expected 3 parts".to_owned()),
    ] {
        env.jwkctl()
            .args(["inspect", &token])
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!("jwkctl: malformed token: {what} {hint}\n"));
    }
}
