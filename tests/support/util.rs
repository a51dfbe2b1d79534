//! Helpers every test target shares: a temporary store folder and ways
//! to run the jwkctl just built on it. Each target includes this file as
//! its module `util` (`#[path = "../support/util.rs"] mod util;`).
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// The time every test runs at unless it says otherwise.
pub const NOW: &str = "2026-01-02T03:04:05Z";
pub const NOW_UNIX: i64 = 1_767_323_045;

/// A temporary folder holding a store, and a way to run jwkctl on it.
pub struct TestEnv {
    pub dir: TempDir,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        TestEnv {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// A store already holding `fixture` (a file under tests/fixtures).
    pub fn with_store(fixture: &str) -> TestEnv {
        let env = TestEnv::new();
        fs::copy(fixture_path(fixture), env.keys()).expect("copy fixture");
        private(&env.keys());
        env
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn keys(&self) -> PathBuf {
        self.path("keys.json")
    }

    /// `jwkctl` in the folder, on `keys.json`, at [`NOW`].
    pub fn jwkctl(&self) -> Command {
        let mut cmd = Command::cargo_bin("jwkctl").expect("binary");
        cmd.current_dir(self.dir.path())
            .env_clear()
            .env("JWKCTL_KEYS", self.keys())
            .env("JWKCTL_NOW", NOW);
        cmd
    }

    /// The same as [`TestEnv::jwkctl`] as a plain `std` command, for tests
    /// that spawn, race or kill processes.
    pub fn spawnable(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_jwkctl"));
        cmd.current_dir(self.dir.path())
            .env_clear()
            .env("JWKCTL_KEYS", self.keys())
            .env("JWKCTL_NOW", NOW)
            .args(args);
        cmd
    }

    pub fn read(&self, name: &str) -> String {
        fs::read_to_string(self.path(name)).expect("read")
    }

    /// Writes a file; `keys.json` gets the mode jwkctl gives a store, so
    /// that only the tests about a loose mode see its warning.
    pub fn write(&self, name: &str, text: &str) {
        fs::write(self.path(name), text).expect("write");
        if name == "keys.json" {
            private(&self.path(name));
        }
    }

    pub fn store_json(&self) -> Value {
        serde_json::from_str(&self.read("keys.json")).expect("store is JSON")
    }

    /// Runs a command that must succeed and returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.jwkctl().args(args).output().expect("run");
        assert!(
            out.status.success(),
            "jwkctl {args:?} failed: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }
}

pub fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn fixture(name: &str) -> String {
    fs::read_to_string(fixture_path(name)).expect("fixture")
}

/// Mode 0600, as jwkctl creates a store.
pub fn private(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).expect("chmod");
}

/// The mode bits of a file.
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

// ---- crafting tokens and keys -------------------------------------------

pub use jwkctl::alg::Alg;
pub use jwkctl::jwk::Jwk;
pub use serde_json::json;

/// The kid of the key in `tests/fixtures/ec-store.json` (ES256).
pub const EC_KID: &str = "vZx7NSRs2UJaopuYrMg0dVGCZkinPQ8QvI35kV6aw2I";
/// The kid of the key in `tests/fixtures/rsa-store.json` (RS256, 2048 bits).
pub const RSA_KID: &str = "bkt6gvzzAabDlJHde0lS_l3zrH5DN9qm4nesYpPCS1o";
/// The kid of the key in `tests/fixtures/rsa-store-b.json` (RS256, 2048 bits).
pub const RSA_B_KID: &str = "TDeJUNmny_zTP5bnj4KhnN7xxaqMFVvr5WwHHoH296A";

pub fn b64(bytes: &[u8]) -> String {
    jwkctl::b64::b64(bytes)
}

pub fn unb64(text: &str) -> Vec<u8> {
    jwkctl::b64::unb64(text).expect("base64url")
}

/// A JSON value as compact text, members in the order written.
pub fn text(value: &Value) -> String {
    serde_json::to_string(value).expect("json")
}

/// Key `index` of a store fixture, private members included.
pub fn fixture_key(name: &str, index: usize) -> Jwk {
    let store: Value = serde_json::from_str(&fixture(name)).expect("fixture JSON");
    let Value::Object(mut map) = store["keys"][index].clone() else {
        panic!("{name}: no key {index}");
    };
    map.remove("jwkctl");
    Jwk::from_map(map)
}

/// A JWK Set holding the public halves of `keys`.
pub fn jwks_of(keys: &[Jwk]) -> String {
    let keys: Vec<Value> = keys.iter().map(|k| Value::Object(k.to_public())).collect();
    text(&json!({ "keys": keys }))
}

/// A compact JWS over exactly these header and payload bytes.
pub fn compact_raw(header: &[u8], payload: &[u8], sign: impl FnOnce(&[u8]) -> Vec<u8>) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let signature = sign(input.as_bytes());
    format!("{input}.{}", b64(&signature))
}

/// A compact JWS signed for real with `key` under `alg`, whatever the
/// header says: the signature is valid, so only the header or claims can
/// be the reason for a rejection.
pub fn forge(header: &Value, claims: &Value, alg: Alg, key: &Jwk) -> String {
    // The signer is picky about a JWK's own `alg`; these tests are not.
    let mut key = key.clone();
    key.remove_member("alg");
    let signer = jwkctl::crypto::Signer::new(alg, &key).expect("signer");
    compact_raw(text(header).as_bytes(), text(claims).as_bytes(), |input| {
        signer.sign(input).expect("sign")
    })
}

/// An ES256 token from the `ec-store.json` key with the usual header.
pub fn es256(claims: &Value) -> String {
    let header = json!({"alg": "ES256", "typ": "JWT", "kid": EC_KID});
    forge(
        &header,
        claims,
        Alg::Es256,
        &fixture_key("ec-store.json", 0),
    )
}

/// Claims valid at [`NOW`] for an hour.
pub fn fresh() -> Value {
    json!({"sub": "alice", "iat": NOW_UNIX, "exp": NOW_UNIX + 3600})
}

impl TestEnv {
    /// `verify` with `args`, the token on stdin: must print `claims` (one
    /// JSON line) and nothing on stderr.
    pub fn accepts(&self, args: &[&str], token: &str, claims: &Value) {
        self.jwkctl()
            .arg("verify")
            .args(args)
            .write_stdin(token)
            .assert()
            .code(0)
            .stdout(format!("{}\n", text(claims)))
            .stderr("");
    }

    /// `verify` with `args`, the token on stdin: must be rejected with
    /// exactly the REASON `reason`, whatever detail follows it.
    pub fn rejects(&self, args: &[&str], token: &str, reason: &str) {
        let output = self
            .jwkctl()
            .arg("verify")
            .args(args)
            .write_stdin(token)
            .output()
            .expect("run");
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        assert_eq!(output.stdout, b"", "{output:?}");
        assert_rejection(&output.stderr, reason);
    }

    /// `verify` with `args`, the token on stdin: must be rejected with
    /// exactly `reason` and `detail`.
    pub fn rejects_with(&self, args: &[&str], token: &str, reason: &str, detail: &str) {
        self.jwkctl()
            .arg("verify")
            .args(args)
            .write_stdin(token)
            .assert()
            .code(1)
            .stdout("")
            .stderr(format!("jwkctl: invalid token: {reason} ({detail})\n"));
    }

    /// Writes a JWK Set file and returns its name.
    pub fn jwks_file(&self, name: &str, jwks: &str) -> String {
        self.write(name, jwks);
        name.to_owned()
    }
}

/// `stderr` is one `jwkctl: invalid token: REASON` line for exactly
/// `reason`, with or without a `(detail)` after it.
pub fn assert_rejection(stderr: &[u8], reason: &str) {
    let stderr = String::from_utf8_lossy(stderr);
    let line = format!("jwkctl: invalid token: {reason}");
    assert!(
        stderr == format!("{line}\n")
            || (stderr.starts_with(&format!("{line} (")) && stderr.ends_with(")\n")),
        "want REASON {reason:?}, got {stderr:?}"
    );
}

/// The RFC 7638 thumbprint, computed here independently of jwkctl.
pub fn thumbprint(key: &Value) -> String {
    use sha2::Digest;
    let canonical = match key["kty"].as_str().expect("kty") {
        "RSA" => format!(
            r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
            s(&key["e"]),
            s(&key["n"])
        ),
        "EC" => format!(
            r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
            s(&key["crv"]),
            s(&key["x"]),
            s(&key["y"])
        ),
        "OKP" => format!(
            r#"{{"crv":"{}","kty":"OKP","x":"{}"}}"#,
            s(&key["crv"]),
            s(&key["x"])
        ),
        other => panic!("kty {other}"),
    };
    b64(&sha2::Sha256::digest(canonical.as_bytes()))
}

fn s(v: &Value) -> &str {
    v.as_str().expect("string member")
}

/// The header and payload of a compact token, as the text that was signed.
pub fn decode(token: &str) -> (String, String) {
    let parts: Vec<&str> = token.trim_end().split('.').collect();
    assert_eq!(parts.len(), 3, "compact JWS: {token}");
    (
        String::from_utf8(unb64(parts[0])).unwrap(),
        String::from_utf8(unb64(parts[1])).unwrap(),
    )
}

/// The `kid` in a compact token's header.
pub fn kid_of(token: &str) -> String {
    let header: Value = serde_json::from_str(&decode(token).0).expect("header JSON");
    header["kid"].as_str().expect("kid").to_owned()
}

/// The claims of a compact token, parsed.
pub fn claims_of(token: &str) -> Value {
    serde_json::from_str(&decode(token).1).expect("claims JSON")
}

/// A key with its `kid` and bookkeeping, for stores built by a test.
pub fn stored(key: &Jwk, kid: &str, times: Value) -> Value {
    let mut key = key.clone();
    key.set("kid", json!(kid));
    let mut map = key.to_private_map();
    map.insert("jwkctl".into(), times);
    Value::Object(map)
}

/// A public key as `jwks` prints it, with `kid` set.
pub fn published(key: &Jwk, kid: &str) -> Value {
    let mut key = key.clone();
    key.set("kid", json!(kid));
    Value::Object(key.to_public())
}

/// A store of four keys written out of order: `cur` (ES256, active),
/// `next` (EdDSA, pending until 2026-01-03), `prev` and `old` (retired).
/// Returns the keys in the order `jwks` must print them.
pub fn rotated_store(env: &TestEnv) -> Vec<(String, Jwk)> {
    let make = |alg| jwkctl::crypto::generate(alg, 0).unwrap();
    let cur = make(Alg::Es256);
    let next = make(Alg::EdDsa);
    let prev = make(Alg::Es384);
    let old = make(Alg::Es256);
    let times = |c: &str, s: &str, r: Option<&str>| match r {
        Some(r) => json!({"created": c, "signs_from": s, "retired": r}),
        None => json!({"created": c, "signs_from": s}),
    };
    let store = json!({
        "keys": [
            stored(&prev, "prev", times("2025-12-19T00:00:00Z", "2025-12-20T00:00:00Z", Some("2026-01-01T00:00:00Z"))),
            stored(&next, "next", times("2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z", None)),
            stored(&old, "old", times("2025-12-01T00:00:00Z", "2025-12-01T00:00:00Z", Some("2025-12-20T00:00:00Z"))),
            stored(&cur, "cur", times("2025-12-31T00:00:00Z", "2026-01-01T00:00:00Z", Some("2026-01-03T00:00:00Z"))),
        ],
        "jwkctl": {"max_ttl": "24h"}
    });
    env.write("keys.json", &serde_json::to_string_pretty(&store).unwrap());
    vec![
        ("cur".into(), cur),
        ("next".into(), next),
        ("prev".into(), prev),
        ("old".into(), old),
    ]
}
