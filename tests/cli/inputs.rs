//! Inputs that are not what they should be: files that are not regular
//! files, inputs without end or over their cap, stores and JWK Sets with
//! repeated member names, and a store others can read.

use std::fs;
use std::os::unix::fs::{FileTypeExt, symlink};
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::time::Duration;

use crate::util::*;

/// Never a hang: a FIFO that is opened and read blocks until a writer
/// comes, and /dev/zero never ends.
const LIMIT: Duration = Duration::from_secs(20);

pub fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo");
    assert!(status.success());
}

fn is_fifo(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_fifo())
}

/// An env with an EdDSA store and a FIFO, a socket and a folder beside it.
fn env_with_specials() -> TestEnv {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA", "--kid", "a"]);
    mkfifo(&env.path("fifo"));
    // The listener is dropped; the socket file stays.
    UnixListener::bind(env.path("socket")).unwrap();
    fs::create_dir(env.path("folder")).unwrap();
    env
}

fn specials(env: &TestEnv) -> [(String, &'static str); 4] {
    let p = |name: &str| env.path(name).display().to_string();
    [
        (p("fifo"), "is a FIFO (named pipe), not a regular file"),
        (p("socket"), "is a socket, not a regular file"),
        (
            "/dev/zero".into(),
            "is a character device, not a regular file",
        ),
        (p("folder"), "is a directory"),
    ]
}

fn remedy(is: &str) -> &'static str {
    if is == "is a directory" {
        "(name a file, not a folder)"
    } else {
        "(name a regular file)"
    }
}

#[test]
fn a_store_that_is_not_a_regular_file_is_refused_by_every_command() {
    let env = env_with_specials();
    for (path, is) in specials(&env) {
        for args in [
            &["rotate"][..],
            &["list"],
            &["jwks"],
            &["sign"],
            &["prune"],
            &["revoke", "a"],
            &["export"],
            &["verify", "x.y.z"],
        ] {
            env.jwkctl()
                .env("JWKCTL_KEYS", &path)
                .args(args)
                .timeout(LIMIT)
                .assert()
                .code(2)
                .stdout("")
                .stderr(format!("jwkctl: {path}: {is} {}\n", remedy(is)));
        }
    }
    assert!(is_fifo(&env.path("fifo")));
    assert!(!env.path("fifo.lock").exists(), "no lock file beside it");
    // Through a symlink, what it points at counts.
    symlink(env.path("fifo"), env.path("link.json")).unwrap();
    env.jwkctl()
        .env("JWKCTL_KEYS", env.path("link.json"))
        .arg("rotate")
        .timeout(LIMIT)
        .assert()
        .code(2)
        .stderr(format!(
            "jwkctl: {}: is a FIFO (named pipe), not a regular file (name a regular file)\n",
            env.path("link.json").display()
        ));
}

#[test]
fn keygen_force_never_replaces_what_is_not_a_regular_file() {
    let env = env_with_specials();
    for name in ["fifo", "socket"] {
        let path = env.path(name);
        let is = if name == "fifo" {
            "a FIFO (named pipe)"
        } else {
            "a socket"
        };
        env.jwkctl()
            .env("JWKCTL_KEYS", &path)
            .args(["keygen", "--alg", "EdDSA", "--force"])
            .timeout(LIMIT)
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!(
                "jwkctl: {}: is {is}; only a regular file is replaced (name a regular file; nothing was changed)\n",
                path.display()
            ));
    }
    assert!(is_fifo(&env.path("fifo")));
    assert!(
        fs::symlink_metadata(env.path("socket"))
            .unwrap()
            .file_type()
            .is_socket()
    );
}

#[test]
fn files_named_by_options_are_refused_when_not_regular_files() {
    let env = env_with_specials();
    env.write("jwks.json", &jwks_of(&[]));
    let token = es256(&fresh());
    for (path, is) in specials(&env) {
        let claims = format!("@{path}");
        let cases: [(Vec<&str>, String); 4] = [
            (
                vec!["sign", "--claims", &claims],
                format!("--claims {path}"),
            ),
            (
                vec!["verify", "--jwks", &path, &token],
                format!("--jwks {path}"),
            ),
            (vec!["import", &path], format!("import {path}")),
            (
                vec![
                    "verify",
                    "--ca-file",
                    &path,
                    "--jwks",
                    "https://127.0.0.1:9/",
                    &token,
                ],
                format!("--ca-file {path}"),
            ),
        ];
        for (args, named) in cases {
            env.jwkctl()
                .args(&args)
                .timeout(LIMIT)
                .assert()
                .code(2)
                .stdout("")
                .stderr(format!("jwkctl: {named}: {is} {}\n", remedy(is)));
        }
    }
}

#[test]
fn inputs_over_their_cap_are_refused_not_truncated() {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA", "--kid", "a"]);
    const MIB: usize = 1 << 20;
    // Valid JSON all through, so only the size can be the reason.
    let big_object = format!("{{\"pad\":\"{}\"}}", "x".repeat(MIB));
    env.write("claims.json", &big_object);
    env.jwkctl()
        .args(["sign", "--claims", "@claims.json"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: claims.json: larger than 1 MiB, which no claims object needs (check that this is the right file)\n");
    env.jwkctl()
        .args(["sign", "--claims", "-"])
        .write_stdin(big_object.clone())
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: stdin: larger than 1 MiB, which no claims object needs (check that this is the right input)\n");
    // Just under the cap is read whole.
    let small = format!("{{\"pad\":\"{}\"}}", "x".repeat(MIB - 20));
    env.write("claims.json", &small);
    let token = env.ok(&["sign", "--claims", "@claims.json"]);
    assert_eq!(claims_of(&token)["pad"].as_str().unwrap().len(), MIB - 20);

    // A CA file was cut at 1 MiB and the rest ignored.
    let pem = fixture("rsa-2048-pkcs8.pem");
    env.write("ca.pem", &format!("{}{pem}", "#".repeat(MIB)));
    env.jwkctl()
        .args(["verify", "--ca-file", "ca.pem", "--jwks", "https://127.0.0.1:9/", "a.b.c"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: ca.pem: larger than 1 MiB, which no CA file needs (check that this is the right file)\n");

    env.write("key.pem", &format!("{pem}{}", "\n".repeat(MIB)));
    env.jwkctl()
        .args(["import", "key.pem"])
        .assert()
        .code(2)
        .stderr("jwkctl: key.pem: larger than 1 MiB, which no key file needs (check that this is the right file)\n");

    // The store: 16 MiB (a sparse file costs nothing to make).
    let store = fs::OpenOptions::new().write(true).open(env.keys()).unwrap();
    store.set_len(16 * MIB as u64 + 1).unwrap();
    drop(store);
    let before = fs::metadata(env.keys()).unwrap().len();
    for args in [&["list"][..], &["rotate"]] {
        env.jwkctl()
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!(
                "jwkctl: {}: larger than 16 MiB, which no key store needs (check that this is the right file)\n",
                env.keys().display()
            ));
    }
    assert_eq!(fs::metadata(env.keys()).unwrap().len(), before);
}

#[test]
fn out_replaces_only_a_regular_file() {
    let env = env_with_specials();
    for name in ["fifo", "socket", "folder"] {
        let is = match name {
            "fifo" => "a FIFO (named pipe)",
            "socket" => "a socket",
            _ => "a directory",
        };
        env.jwkctl()
            .args(["jwks", "--out", name])
            .timeout(LIMIT)
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!(
                "jwkctl: {name}: is {is}; only a regular file is replaced (name a regular file; nothing was changed)\n"
            ));
    }
    assert!(is_fifo(&env.path("fifo")));
    assert!(env.path("folder").is_dir());
    // Through a symlink: what it points at must be a regular file.
    symlink(env.path("fifo"), env.path("link")).unwrap();
    env.jwkctl()
        .args(["jwks", "--out", "link"])
        .timeout(LIMIT)
        .assert()
        .code(2)
        .stderr(format!(
            "jwkctl: {}: is a FIFO (named pipe); only a regular file is replaced (name a regular file; nothing was changed)\n",
            env.path("fifo").display()
        ));
    assert!(
        fs::symlink_metadata(env.path("link"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(is_fifo(&env.path("fifo")));
    // An absent file is created, a regular one replaced.
    env.ok(&["jwks", "--out", "new.json"]);
    assert_eq!(mode(&env.path("new.json")), 0o644);
}

#[test]
fn out_to_dev_stdout_on_a_pipe_is_refused() {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA", "--kid", "a"]);
    // /dev/stdout is a link to the pipe: replacing it would put a file in
    // /dev (as root) and write nothing to the pipe.
    let out = env
        .spawnable(&["jwks", "--out", "/dev/stdout"])
        .stdout(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "jwkctl: /dev/stdout: is a FIFO (named pipe); only a regular file is replaced (name a regular file; nothing was changed)\n"
    );
    assert!(
        fs::symlink_metadata("/dev/stdout")
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn out_may_not_name_the_store_or_its_lock_file() {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA", "--kid", "a"]);
    let store = env.read("keys.json");
    env.jwkctl()
        .args(["jwks", "--out", "keys.json.lock"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: keys.json.lock: this is the key store's lock file (write the JWK Set to another file)\n");
    // Also before the lock file exists, and by another spelling.
    fs::remove_file(env.path("keys.json.lock")).unwrap();
    fs::create_dir(env.path("sub")).unwrap();
    env.jwkctl()
        .args(["jwks", "--out", "sub/../keys.json.lock"])
        .assert()
        .code(2)
        .stderr("jwkctl: sub/../keys.json.lock: this is the key store's lock file (write the JWK Set to another file)\n");
    assert!(!env.path("keys.json.lock").exists());
    env.jwkctl()
        .args(["jwks", "--out", "keys.json"])
        .assert()
        .code(2)
        .stderr("jwkctl: keys.json: this is the key store, and --out would replace its private keys with the public ones (write the JWK Set to another file)\n");
    assert_eq!(env.read("keys.json"), store);
}

#[test]
fn the_lock_file_is_never_created_or_opened_through_a_symlink() {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA", "--kid", "a"]);
    let store = env.read("keys.json");
    let lock = env.path("keys.json.lock");
    fs::remove_file(&lock).unwrap();
    // Dangling: following it would create the file it names.
    symlink(env.path("elsewhere"), &lock).unwrap();
    let refused = format!(
        "jwkctl: {}: is a symbolic link, and jwkctl never opens its lock file through one (remove the link; jwkctl creates the lock file itself)\n",
        lock.display()
    );
    for args in [
        &["rotate", "--kid", "b"][..],
        &["keygen", "--force", "--alg", "EdDSA"],
    ] {
        env.jwkctl()
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(refused.clone());
    }
    assert!(
        !env.path("elsewhere").exists(),
        "nothing created through it"
    );
    // Pointing at an existing file: not opened (nor truncated) either.
    fs::remove_file(&lock).unwrap();
    env.write("victim", "precious\n");
    symlink(env.path("victim"), &lock).unwrap();
    env.jwkctl()
        .args(["rotate", "--kid", "b"])
        .assert()
        .code(2)
        .stderr(refused);
    assert_eq!(env.read("victim"), "precious\n");
    assert_eq!(env.read("keys.json"), store);
    // A lock file that is a FIFO is not waited on.
    fs::remove_file(&lock).unwrap();
    mkfifo(&lock);
    env.jwkctl()
        .args(["rotate", "--kid", "b"])
        .timeout(LIMIT)
        .assert()
        .code(2)
        .stderr(format!(
            "jwkctl: {}: is a FIFO (named pipe), not a regular file (remove it; jwkctl creates the lock file itself)\n",
            lock.display()
        ));
    assert_eq!(env.read("keys.json"), store);
}

#[test]
fn repeated_member_names_in_a_store_are_an_error_and_nothing_changes() {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA", "--kid", "a"]);
    env.ok(&["rotate", "--kid", "b"]);
    let store = env.store_json();
    let text = serde_json::to_string_pretty(&store).unwrap();
    // "keys" twice: read last-wins, the next write lost key a.
    let lone = json!([store["keys"][0].clone()]);
    let twice = text.replacen(
        "\"keys\": [",
        &format!("\"keys\": {},\n  \"keys\": [", text_of(&lone)),
        1,
    );
    let nested = text.replacen(
        "\"kty\": \"OKP\",",
        "\"kty\": \"OKP\", \"kty\": \"OKP\",",
        1,
    );
    let bookkeeping = text.replacen("\"created\":", "\"x\": 1, \"x\": 2, \"created\":", 1);
    for (bad, name) in [(twice, "keys"), (nested, "kty"), (bookkeeping, "x")] {
        env.write("keys.json", &bad);
        for args in [&["rotate", "--kid", "c"][..], &["list"], &["sign"]] {
            let out = env.jwkctl().args(args).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            assert_eq!(out.stdout, b"");
            let stderr = String::from_utf8(out.stderr).unwrap();
            let expected = format!(
                "jwkctl: {}: not a valid key store: the member name \"{name}\" appears twice at line ",
                env.keys().display()
            );
            assert!(stderr.starts_with(&expected), "{stderr}");
            assert!(
                stderr.ends_with("(fix the file, or restore it from a backup)\n"),
                "{stderr}"
            );
        }
        assert_eq!(env.read("keys.json"), bad, "nothing changed");
    }
}

fn text_of(value: &serde_json::Value) -> String {
    serde_json::to_string(value).unwrap()
}

#[test]
fn a_kid_that_is_not_a_string_is_an_error_not_replaced() {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA", "--kid", "a"]);
    let mut store = env.store_json();
    store["keys"][0]["kid"] = json!(7);
    let bad = serde_json::to_string_pretty(&store).unwrap();
    env.write("keys.json", &bad);
    let out = env
        .jwkctl()
        .args(["rotate", "--kid", "b"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!(
            "jwkctl: {}: not a valid key store: a key's \"kid\" is not a string at line ",
            env.keys().display()
        )),
        "{stderr}"
    );
    assert_eq!(env.read("keys.json"), bad);

    // In a JWK Set (or a single JWK) given to verify.
    let key = fixture_key("ec-store.json", 0);
    let mut public = published(&key, EC_KID);
    public["kid"] = json!(["x"]);
    for (name, text) in [
        ("set.json", text_of(&json!({"keys": [public.clone()]}))),
        ("one.json", text_of(&public)),
    ] {
        env.write(name, &text);
        let out = env
            .jwkctl()
            .args(["verify", "--jwks", name, &es256(&fresh())])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.starts_with(&format!(
                "jwkctl: {name}: not a valid JWK Set: a key's \"kid\" is not a string at line 1 column "
            )),
            "{stderr}"
        );
    }
    // import: a JWK whose kid is a number.
    let mut private = serde_json::Value::Object(key.to_private_map());
    private["kid"] = json!(5);
    env.write("key.jwk", &text_of(&private));
    env.jwkctl()
        .args(["import", "key.jwk"])
        .assert()
        .code(2)
        .stderr("jwkctl: key.jwk: its \"kid\" is not a string (write it as a string, or give one with --kid)\n");
}

#[test]
fn repeated_member_names_in_a_jwk_set_are_an_input_error() {
    let env = TestEnv::new();
    let key = fixture_key("ec-store.json", 0);
    let public = text_of(&published(&key, EC_KID));
    let token = es256(&fresh());
    for (text, name) in [
        (format!(r#"{{"keys":[{public}],"keys":[]}}"#), "keys"),
        (
            format!(
                r#"{{"keys":[{}]}}"#,
                public.replacen("{", r#"{"kid":"other","#, 1)
            ),
            "kid",
        ),
        (format!(r#"{{"keys":[{public}],"x":{{"a":1,"a":1}}}}"#), "a"),
    ] {
        env.write("set.json", &text);
        let out = env
            .jwkctl()
            .args(["verify", "--jwks", "set.json", &token])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{text}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.starts_with(&format!(
                "jwkctl: set.json: not a valid JWK Set: the member name \"{name}\" appears twice at line 1 column "
            )),
            "{stderr}"
        );
    }
}

#[test]
fn a_store_open_to_others_is_named_on_every_read_even_with_quiet() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA", "--kid", "a"]);
    let chmod = |m: u32| fs::set_permissions(env.keys(), fs::Permissions::from_mode(m)).unwrap();
    let path = env.keys().display().to_string();
    chmod(0o644);
    let warning = format!(
        "jwkctl: warning: {path} is readable by group or others (mode 0644), and it holds private keys (restrict it: chmod 600 {path})\n"
    );
    for args in [
        &["-q", "list"][..],
        &["-q", "jwks"],
        &["-q", "sign"],
        &["-q", "export"],
        &["-q", "prune"],
    ] {
        env.jwkctl()
            .args(args)
            .assert()
            .code(0)
            .stderr(warning.clone());
    }
    // It works, and the warning comes before the command's own lines.
    let token = env.ok(&["sign"]);
    env.jwkctl()
        .args(["verify", token.trim()])
        .assert()
        .code(0)
        .stderr(warning.clone());
    env.jwkctl()
        .args(["revoke", "nope"])
        .assert()
        .code(2)
        .stderr(format!(
            "{warning}jwkctl: no key with kid \"nope\" (see 'jwkctl list')\n"
        ));
    chmod(0o620);
    env.jwkctl()
        .args(["-q", "list"])
        .assert()
        .code(0)
        .stderr(format!(
            "jwkctl: warning: {path} is writable by group or others (mode 0620), and it holds private keys (restrict it: chmod 600 {path})\n"
        ));
    // A writer writes it back 0600, and says so.
    chmod(0o666);
    env.jwkctl()
        .args(["rotate", "--kid", "b"])
        .assert()
        .code(0)
        .stdout("b\n")
        .stderr(format!(
            "jwkctl: warning: {path} was readable and writable by group or others (mode 0666), and it holds private keys: written back with mode 0600\njwkctl: added EdDSA key b: signs from now; a retires then\n"
        ));
    assert_eq!(mode(&env.keys()), 0o600);
    env.jwkctl().args(["list"]).assert().code(0).stderr("");
}

#[test]
fn a_token_argument_that_is_not_utf8_is_a_rejection() {
    use std::os::unix::ffi::OsStrExt;
    let env = TestEnv::with_store("ec-store.json");
    let arg = std::ffi::OsStr::from_bytes(b"eyJ\xff.e30.AA");
    env.jwkctl()
        .arg("verify")
        .arg(arg)
        .assert()
        .code(1)
        .stdout("")
        .stderr("jwkctl: invalid token: malformed token (not UTF-8 text)\n");
    env.rejects(&[], "eyJ\u{fffd}", "malformed token");
    env.jwkctl()
        .arg("verify")
        .write_stdin(b"eyJ\xff.e30.AA\n".to_vec())
        .assert()
        .code(1)
        .stderr("jwkctl: invalid token: malformed token (not UTF-8 text)\n");
    env.jwkctl()
        .arg("inspect")
        .arg(arg)
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: malformed token: not UTF-8 text (inspect takes a compact JWS: HEADER.PAYLOAD.SIGNATURE)\n");
}
