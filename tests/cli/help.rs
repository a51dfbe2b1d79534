//! Help, man pages and completions say what the commands really do.

use std::fs;
use std::path::Path;

use crate::util::*;

fn repo(path: &str) -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect("read")
}

/// `jwkctl ARGS` without JWKCTL_KEYS and JWKCTL_NOW, which help shows.
fn help(args: &[&str]) -> assert_cmd::assert::Assert {
    let env = TestEnv::new();
    env.jwkctl()
        .env_remove("JWKCTL_KEYS")
        .env_remove("JWKCTL_NOW")
        .args(args)
        .assert()
        .code(0)
        .stderr("")
}

#[test]
fn rotate_help_says_the_new_key_keeps_the_active_keys_algorithm_and_size() {
    help(&["rotate", "-h"]).stdout(
        "\
Add a new signing key and print its kid

Usage: jwkctl rotate [OPTIONS]

Options:
      --alg <ALG>                 Signing algorithm of the new key [default: the active key's]
                                  [possible values: RS256, RS384, RS512, PS256, PS384, PS512, ES256,
                                  ES384, ES512, EdDSA]
      --bits <N>                  RSA key size: 2048, 3072 or 4096 [default: the active key's size
                                  when it is RSA, else 2048]
      --kid <KID>                 Key id of the new key instead of its RFC 7638 thumbprint
      --signer <SIGNER>           Keep the new key's private half in OpenBao/Vault transit
                                  (transit:MOUNT/NAME, server and token from VAULT_*) [default: the
                                  active key's signer]
      --if-older-than <DURATION>  Rotate only when the newest key was created more than DURATION
                                  ago; otherwise change nothing and exit 0
      --publish-ahead <DURATION>  Publish the new key now but sign with it only from now + DURATION
      --max-ttl <DURATION>        Change the store's max token lifetime
      --await-published <SOURCE>  Let the new key sign only once SOURCE (the file or URL verifiers
                                  fetch) lists it and its caches expired (repeatable)
      --ca-file <FILE>            Also trust the CA certificates in FILE (PEM) for https://
                                  --await-published URLs
      --skip-await                End the pending key's wait for its --await-published sources: it
                                  signs from its signs_from, or now when that has passed
  -k, --keys <STORE>              The key store: a file, or vault:MOUNT/PATH for a secret of an
                                  OpenBao or Vault KV version 2 engine [env: JWKCTL_KEYS=] [default:
                                  keys.json]
      --now <TIME>                Act as if the current time were TIME (RFC 3339 like
                                  2026-01-02T03:04:05Z, or Unix seconds) [env: JWKCTL_NOW=]
  -q, --quiet                     No status lines on stderr (errors and rejections are still shown)
  -h, --help                      Print help (see more with '--help')
  -V, --version                   Print version
",
    );
}

#[test]
fn keygen_help_keeps_its_own_defaults() {
    let out = help(&["keygen", "-h"]).get_output().stdout.clone();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("--alg <ALG>           Signing algorithm of the new key [default: RS256] "),
        "{out}"
    );
    assert!(
        out.contains("--bits <N>            RSA key size: 2048, 3072 or 4096 [default: 2048]\n"),
        "{out}"
    );
}

#[test]
fn verify_help_states_the_batch_format_and_exit_status() {
    let out = help(&["verify", "--help"]).get_output().stdout.clone();
    let out = String::from_utf8(out)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for text in [
        "Read one token per line from stdin (jwkctl verify --batch < FILE)",
        r#"{"line":N,"valid":false,"error":"REASON","detail":"..."}"#,
        "Exit status: 0 when every token is valid, 1 when any was rejected, 2 when the input holds no token at all.",
    ] {
        assert!(out.contains(text), "{text}\n{out}");
    }
}

#[test]
fn man_page_of_rotate_states_its_defaults() {
    let page = repo("man/jwkctl-rotate.1");
    assert!(!page.contains("[default: RS256]"), "{page}");
    assert!(!page.contains("[default: 2048]"), "{page}");
    assert!(page.contains(
        "\\fB\\-\\-alg\\fR \\fI<ALG>\\fR\nSigning algorithm of the new key [default: the active key\\*(Aqs]\n"
    ));
    assert!(page.contains(
        "\\fB\\-\\-bits\\fR \\fI<N>\\fR\nRSA key size: 2048, 3072 or 4096 [default: the active key\\*(Aqs size when it is RSA, else 2048]\n"
    ));
}

#[test]
fn every_subcommand_page_has_the_global_options_and_no_page_is_dangling() {
    let man = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let main = repo("man/jwkctl.1");
    let mut subcommands = 0;
    for entry in fs::read_dir(&man).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name == "jwkctl.1" {
            continue;
        }
        subcommands += 1;
        let page = repo(&format!("man/{name}"));
        for global in [
            "\\fB\\-k\\fR, \\fB\\-\\-keys\\fR \\fI<STORE>\\fR [default: keys.json]\nThe key store: a file, or vault:MOUNT/PATH",
            "\\fB\\-\\-now\\fR \\fI<TIME>\\fR\nAct as if the current time were TIME",
            "\\fB\\-q\\fR, \\fB\\-\\-quiet\\fR\nNo status lines on stderr",
        ] {
            assert!(page.contains(global), "{name} lacks {global:?}");
        }
        // jwkctl.1 names each page it has...
        let stem = name.trim_end_matches(".1").replace('-', "\\-");
        assert!(
            main.contains(&format!("\n{stem}(1)\n")),
            "jwkctl.1 lacks {stem}(1)"
        );
    }
    // ... and no other.
    assert_eq!(main.matches("(1)\n").count(), subcommands, "{main}");
    assert!(!main.contains("jwkctl\\-help(1)"));
}

#[test]
fn completions_print_exactly_the_committed_files() {
    let env = TestEnv::new();
    for (shell, file) in [
        ("bash", "jwkctl.bash"),
        ("zsh", "_jwkctl"),
        ("fish", "jwkctl.fish"),
        ("elvish", "jwkctl.elv"),
        ("powershell", "_jwkctl.ps1"),
    ] {
        let expected = repo(&format!("completions/{file}"));
        assert!(
            expected.contains("completions"),
            "{file} completes the subcommand"
        );
        env.jwkctl()
            .args(["completions", shell])
            .assert()
            .code(0)
            .stderr("")
            .stdout(expected);
    }
    // No store is needed, and none is made.
    assert!(!env.keys().exists());
}

#[test]
fn completions_for_an_unknown_shell_is_a_usage_error() {
    TestEnv::new()
        .jwkctl()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "jwkctl: invalid value 'tcsh' for '<SHELL>'\n  [possible values: bash, elvish, fish, powershell, zsh]\n\n  tip: a similar value exists: 'zsh'\n\nFor more information, try '--help'.\n",
        );
}
