//! The README's quick start, end to end.

use predicates::prelude::*;

use crate::util::*;

#[test]
fn quick_start_keygen_jwks_sign_verify() {
    let env = TestEnv::new();
    let kid = env.ok(&["keygen", "--alg", "ES256"]);
    assert_eq!(kid.trim().len(), 43, "thumbprint kid: {kid:?}");
    assert_eq!(mode(&env.keys()), 0o600);

    let jwks = env.ok(&["jwks"]);
    env.write("jwks.json", &jwks);
    let token = env.ok(&["sign", "--sub", "test", "--aud", "api", "--ttl", "15m"]);
    env.jwkctl()
        .args(["verify", "--jwks", "jwks.json", "--aud", "api"])
        .write_stdin(token)
        .assert()
        .success()
        .stdout(format!(
            "{{\"sub\":\"test\",\"aud\":\"api\",\"iat\":{NOW_UNIX},\"exp\":{}}}\n",
            NOW_UNIX + 900
        ))
        .stderr("");
}

#[test]
fn missing_store_names_the_file_and_the_fix() {
    let env = TestEnv::new();
    env.jwkctl()
        .arg("jwks")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::ends_with(
            "keys.json: no such file (create one with 'jwkctl keygen', or point -k/JWKCTL_KEYS at yours)\n",
        ));
}

#[test]
fn usage_errors_exit_2_with_the_jwkctl_prefix() {
    let env = TestEnv::new();
    env.jwkctl()
        .args(["verify", "--alg", "none"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "jwkctl: invalid value 'none' for '--alg <ALG>': ",
        ));
    env.jwkctl()
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "Usage: jwkctl [OPTIONS] <COMMAND>",
        ));
    env.jwkctl()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit status:"))
        .stderr("");
    // Global options work after the subcommand too.
    env.jwkctl()
        .args(["jwks", "-q", "--now", "0"])
        .assert()
        .code(2);
}
