//! `jwkctl fixtures`: the kit's tokens get exactly their manifest's
//! verdict and REASON from `jwkctl verify`, the kit's files, and a folder
//! that is refused and left as it was.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::util::*;

const ISS: &str = "https://issuer.example";
const AUD: &str = "api";
/// An hour after [`NOW`], inside the default 24 h lifetime.
const LATER: &str = "2026-01-02T04:04:05Z";
/// A second before the valid token's lifetime ends.
const LAST: &str = "2026-01-03T03:04:04Z";

fn manifest(dir: &Path) -> Vec<Value> {
    let text = fs::read_to_string(dir.join("manifest.json")).unwrap();
    match serde_json::from_str(&text).unwrap() {
        Value::Array(entries) => entries,
        other => panic!("manifest is not an array: {other}"),
    }
}

/// `jwkctl verify --jwks DIR/jwks.json --iss ISS --aud AUD` at `now` on
/// every token of the kit: exit 0 for the valid one (its claims on
/// stdout), exit 1 and `invalid token: REASON` (and a detail) for the others.
fn check_kit(env: &TestEnv, dir: &str, iss: &str, aud: &str, now: &str) {
    let jwks = format!("{dir}/jwks.json");
    for entry in manifest(&env.path(dir)) {
        let name = entry["name"].as_str().unwrap();
        let token = env.read(&format!("{dir}/{}", entry["file"].as_str().unwrap()));
        let assert = env
            .jwkctl()
            .env("JWKCTL_NOW", now)
            .args(["verify", "--jwks", &jwks, "--iss", iss, "--aud", aud])
            .write_stdin(token)
            .assert();
        match entry["expect"].as_str().unwrap() {
            "valid" => {
                assert!(entry["reason"].is_null(), "{name}");
                let out = assert.code(0).stderr("").get_output().stdout.clone();
                let claims: Value = serde_json::from_slice(&out).unwrap();
                assert_eq!(claims["iss"], iss, "{name}");
                assert_eq!(claims["aud"], aud, "{name}");
            }
            "invalid" => {
                let reason = entry["reason"].as_str().unwrap();
                let out = assert.code(1).stdout("").get_output().stderr.clone();
                assert_rejection(&out, reason);
            }
            other => panic!("{name}: expect {other:?}"),
        }
    }
}

/// The cases the contract names, by the kit's names for them.
const REQUIRED: [&str; 17] = [
    "valid",
    "expired",
    "not-yet-valid",
    "wrong-aud",
    "missing-aud",
    "wrong-iss",
    "missing-iss",
    "missing-exp",
    "unknown-kid",
    "bad-signature",
    "tampered-payload",
    "alg-none",
    "hmac-public-key-pem",
    "jwk-header",
    "jku-header",
    "crit-header",
    "alg-mismatch",
];

#[test]
fn rs256_kit_gets_exactly_its_manifest_from_verify() {
    let env = TestEnv::new();
    env.jwkctl()
        .args(["fixtures", "kit"])
        .assert()
        .code(0)
        .stdout("")
        .stderr("jwkctl: kit: 37 tokens (36 invalid), jwks.json and manifest.json\n");
    check_kit(&env, "kit", ISS, AUD, LATER);

    // The same verdicts at the end of the lifetime, through --batch.
    let entries = manifest(&env.path("kit"));
    let tokens: String = entries
        .iter()
        .map(|e| {
            format!(
                "{}\n",
                env.read(&format!("kit/{}", e["file"].as_str().unwrap()))
            )
        })
        .collect();
    let out = env
        .jwkctl()
        .env("JWKCTL_NOW", LAST)
        .args(["verify", "--batch", "--jwks", "kit/jwks.json"])
        .args(["--iss", ISS, "--aud", AUD])
        .write_stdin(tokens)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), entries.len());
    for (line, entry) in lines.iter().zip(&entries) {
        let name = &entry["name"];
        assert_eq!(line["valid"], entry["expect"] == "valid", "{name}");
        if entry["expect"] == "invalid" {
            assert_eq!(line["error"], entry["reason"], "{name}");
        }
    }
}

#[test]
fn curve_kits_with_other_claims_get_exactly_their_manifest() {
    let env = TestEnv::new();
    for (alg, dir) in [("ES256", "es"), ("EdDSA", "ed")] {
        env.jwkctl()
            .args(["-q", "fixtures", dir, "--alg", alg])
            .args(["--iss", "https://id.example.com/", "--aud", "web"])
            .args(["--ttl", "15m"])
            .assert()
            .code(0)
            .stdout("")
            .stderr("");
        check_kit(
            &env,
            dir,
            "https://id.example.com/",
            "web",
            "2026-01-02T03:18:00Z",
        );
        let jwks: Value = serde_json::from_str(&env.read(&format!("{dir}/jwks.json"))).unwrap();
        assert_eq!(jwks["keys"][0]["alg"], alg);
    }
}

#[test]
fn the_kit_has_every_named_case_and_nothing_else() {
    let env = TestEnv::new();
    env.ok(&["-q", "fixtures", "out/kit", "--alg", "ES256"]);
    let dir = env.path("out/kit");
    let entries = manifest(&dir);
    let names: BTreeSet<&str> = entries
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), entries.len(), "unique names");
    for name in REQUIRED {
        assert!(names.contains(name), "{name} missing");
    }
    let valid: Vec<_> = entries.iter().filter(|e| e["expect"] == "valid").collect();
    assert_eq!(valid.len(), 1);
    for entry in &entries {
        let keys: Vec<&str> = entry
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(keys, ["name", "file", "expect", "reason", "why"]);
        assert_eq!(
            entry["file"],
            format!("{}.jwt", entry["name"].as_str().unwrap())
        );
        let why = entry["why"].as_str().unwrap();
        assert!(!why.is_empty() && !why.contains('\n'), "{why}");
    }
    let mut files: BTreeSet<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(files.remove("jwks.json") && files.remove("manifest.json"));
    let listed: BTreeSet<String> = entries
        .iter()
        .map(|e| e["file"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(files, listed);
    // Token files hold the token alone; files are readable by all.
    let token = env.read("out/kit/valid.jwt");
    assert_eq!(token.trim(), token);
    assert_eq!(mode(&dir.join("valid.jwt")), 0o644);

    // Only the public half of one key, with its thumbprint as kid.
    let jwks: Value = serde_json::from_str(&env.read("out/kit/jwks.json")).unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    let members: BTreeSet<&str> = keys[0]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(
        members,
        BTreeSet::from(["kty", "kid", "use", "alg", "crv", "x", "y"])
    );
    let Value::Object(map) = keys[0].clone() else {
        unreachable!()
    };
    assert_eq!(
        keys[0]["kid"].as_str().unwrap(),
        Jwk::from_map(map).thumbprint().unwrap()
    );
}

#[test]
fn docs_list_every_case_with_its_reason_and_why() {
    let env = TestEnv::new();
    env.ok(&["-q", "fixtures", "kit", "--alg", "EdDSA"]);
    let docs =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/fixtures.md")).unwrap();
    for entry in manifest(&env.path("kit")) {
        let reason = match entry["reason"].as_str() {
            Some(reason) => format!("`{reason}`"),
            None => "(valid: exit 0)".into(),
        };
        let row = format!(
            "\n| `{}` | {reason} | {} |\n",
            entry["name"].as_str().unwrap(),
            entry["why"].as_str().unwrap()
        );
        assert!(docs.contains(&row), "docs/fixtures.md lacks{row}");
    }
}

#[test]
fn the_kit_key_is_never_the_stores_and_fresh_each_time() {
    let env = TestEnv::with_store("ec-store.json");
    let before = env.read("keys.json");
    env.ok(&["-q", "fixtures", "a", "--alg", "ES256"]);
    env.ok(&["-q", "fixtures", "b", "--alg", "ES256"]);
    let kid = |dir: &str| {
        let jwks: Value = serde_json::from_str(&env.read(&format!("{dir}/jwks.json"))).unwrap();
        jwks["keys"][0]["kid"].as_str().unwrap().to_owned()
    };
    assert_ne!(kid("a"), EC_KID);
    assert_ne!(kid("a"), kid("b"));
    assert_eq!(env.read("keys.json"), before);
}

#[test]
fn an_empty_folder_is_used() {
    let env = TestEnv::new();
    fs::create_dir(env.path("kit")).unwrap();
    env.ok(&["-q", "fixtures", "kit", "--alg", "EdDSA"]);
    assert!(env.path("kit/valid.jwt").is_file());
}

/// Every file under `dir` with its contents, and the folder's mode.
fn snapshot(dir: &Path) -> (Vec<(String, Vec<u8>)>, u32) {
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().into_string().unwrap(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    (files, mode(dir))
}

#[test]
fn a_non_empty_folder_is_refused_and_left_unchanged() {
    let env = TestEnv::new();
    fs::create_dir(env.path("kit")).unwrap();
    env.write("kit/manifest.json", "mine\n");
    env.write("kit/.hidden", "");
    let before = snapshot(&env.path("kit"));
    env.jwkctl()
        .args(["fixtures", "kit"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "jwkctl: kit: not empty (name a new or empty folder for the kit; nothing was written)\n",
        );
    assert_eq!(snapshot(&env.path("kit")), before);
}

#[test]
fn a_file_in_the_way_is_refused_and_left_unchanged() {
    let env = TestEnv::new();
    env.write("kit", "a file\n");
    env.jwkctl()
        .args(["fixtures", "kit", "--alg", "EdDSA"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: kit: not a folder (name a new or empty folder for the kit)\n");
    assert_eq!(env.read("kit"), "a file\n");
}

#[test]
fn bad_options_are_usage_errors() {
    let env = TestEnv::new();
    env.jwkctl()
        .args(["fixtures", "kit", "--ttl", "0s", "--alg", "EdDSA"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("jwkctl: --ttl must be longer than 0s (like 1h or 24h)\n");
    env.jwkctl()
        .args(["fixtures", "kit", "--aud", "", "--alg", "EdDSA"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "jwkctl: --iss and --aud must not be empty (like https://issuer.example and api)\n",
        );
    env.jwkctl()
        .args(["fixtures", "kit", "--alg", "HS256"])
        .assert()
        .code(2)
        .stdout("");
    assert!(!env.path("kit").exists());
}
