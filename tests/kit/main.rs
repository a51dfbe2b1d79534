//! `jwkctl fixtures` kits checked by programs jwkctl does not ship: panva
//! jose in Node (what most verifiers use) must reach every verdict of the
//! manifest, and the README's `check-verifier` script (jq) must pass a
//! right verifier and name every token a wrong one gets wrong.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    clippy::print_stdout
)]

#[path = "../support/external.rs"]
mod external;
#[path = "../support/util.rs"]
mod util;

use std::path::Path;
use std::process::{Command, ExitCode};

use util::{NOW_UNIX, TestEnv};

fn main() -> ExitCode {
    let node = external::node_modules();
    let jq = external::program("jq");
    external::run(vec![
        external::needs("jose_agrees_with_an_rs256_kit", &node, |dir| {
            jose(dir, "RS256")
        }),
        external::needs("jose_agrees_with_an_es256_kit", &node, |dir| {
            jose(dir, "ES256")
        }),
        external::needs("jose_agrees_with_an_eddsa_kit", &node, |dir| {
            jose(dir, "EdDSA")
        }),
        external::needs("readme_check_verifier_script", &jq, |jq| readme_script(jq)),
    ])
}

/// A kit made at [`util::NOW`] in a fresh folder.
fn kit(alg: &str) -> TestEnv {
    let env = TestEnv::new();
    env.ok(&["-q", "fixtures", "kit", "--alg", alg]);
    env
}

/// tests/node/fixtures.mjs: jose's verdict on every token, an hour into
/// the kit's lifetime, with the options `jwkctl verify` gets.
fn jose(node_dir: &Path, alg: &str) {
    let env = kit(alg);
    let out = Command::new("node")
        .current_dir(node_dir)
        .arg("fixtures.mjs")
        .arg(env.path("kit"))
        .args(["https://issuer.example", "api"])
        .arg((NOW_UNIX + 3600).to_string())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "jose disagrees with the manifest ({alg}):\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 37, "{stdout}");
    for line in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields[1], fields[2], "{line}");
        // docs/fixtures.md says where jose's reason differs from jwkctl's.
        let code = fields[3].split(':').next().unwrap();
        assert_eq!(code, jose_error(fields[0]), "{line}");
    }
}

/// The error code jose 6.2.18 rejects each token with ("" for accepted).
fn jose_error(name: &str) -> &'static str {
    match name {
        "valid" => "",
        "expired" => "ERR_JWT_EXPIRED",
        "bad-signature"
        | "tampered-payload"
        | "signature-stripped"
        | "signed-by-another-key"
        | "no-kid-signed-by-another-key" => "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        "unknown-kid" | "kid-not-string" | "alg-mismatch" | "jwk-header" | "jku-header"
        | "x5u-header" | "x5c-header" => "ERR_JWKS_NO_MATCHING_KEY",
        "alg-none"
        | "alg-none-uppercase"
        | "alg-lowercase"
        | "hmac-public-key-pem"
        | "hmac-public-key-jwk"
        | "crit-header" => "ERR_JOSE_NOT_SUPPORTED",
        "b64-false" => "ERR_JWT_INVALID",
        "json-serialization" | "missing-signature-part" => "ERR_JWS_INVALID",
        _ => "ERR_JWT_CLAIM_VALIDATION_FAILED",
    }
}

/// The `check-verifier` script from the README's "Testing your verifier".
fn readme_script_text() -> String {
    let readme = std::fs::read_to_string(external::root().join("README.md")).unwrap();
    let section = readme
        .split_once("\n### Testing your verifier\n")
        .expect("README section")
        .1;
    let block = section
        .split_once("```console\n#!/bin/sh\n")
        .expect("the script's block")
        .1;
    format!("#!/bin/sh\n{}", block.split_once("```").unwrap().0)
}

fn readme_script(jq: &Path) {
    let env = kit("ES256");
    env.write("check-verifier", &readme_script_text());
    let bin = Path::new(env!("CARGO_BIN_EXE_jwkctl")).parent().unwrap();
    let path = format!(
        "{}:{}:/usr/bin:/bin",
        bin.display(),
        jq.parent().unwrap().display()
    );
    let run = |verifier: &[&str]| {
        let out = Command::new("sh")
            .current_dir(env.dir.path())
            .env_clear()
            .env("PATH", &path)
            .env("JWKCTL_NOW", util::NOW)
            .arg("check-verifier")
            .arg("kit")
            .args(verifier)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let right = [
        "jwkctl",
        "verify",
        "--jwks",
        "kit/jwks.json",
        "--iss",
        "https://issuer.example",
        "--aud",
        "api",
    ];
    assert_eq!(
        run(&right),
        (Some(0), "all 37 verdicts right\n".into(), String::new())
    );

    // A verifier that accepts everything gets every invalid token wrong.
    let (code, stdout, _) = run(&["true"]);
    assert_eq!(code, Some(1));
    let wrong: Vec<&str> = stdout.lines().collect();
    assert_eq!(wrong.len(), 36, "{stdout}");
    assert!(
        wrong.contains(
            &"WRONG alg-none.jwt: valid, expected invalid (alg none with no signature (RFC 7518 §3.6): an unsecured JWT must never pass as a signed one)"
        ),
        "{stdout}"
    );
    // One that rejects everything gets the valid token wrong.
    let (code, stdout, _) = run(&["false"]);
    assert_eq!(code, Some(1));
    assert!(
        stdout.starts_with("WRONG valid.jwt: invalid, expected valid (")
            && stdout.lines().count() == 1,
        "{stdout}"
    );
    // Without the right audience, jwkctl itself is a wrong verifier.
    let mut wrong_aud = right;
    wrong_aud[7] = "web";
    let (code, stdout, _) = run(&wrong_aud);
    assert_eq!(code, Some(1));
    assert!(stdout.starts_with("WRONG valid.jwt: invalid"), "{stdout}");
}
