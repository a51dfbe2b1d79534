//! Keys whose private half stays in a transit secrets engine
//! (`--signer transit:MOUNT/NAME`), against a real OpenBao dev server with
//! the engine enabled at `transit/` (started once for this binary and
//! killed at the end). Without `bao` these tests are ignored, and under
//! CI=true they fail (tests/support/external.rs).

// A panic is how a test and its helpers fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/bao.rs"]
mod bao;
#[path = "../support/external.rs"]
mod external;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Output, Stdio};

use serde_json::Value;
use tempfile::TempDir;

use bao::{Bao, bao, bao_output, no_token, token_with_policy};

/// 2026-01-01T00:00:00Z.
const DAY0: i64 = 1_767_225_600;
const DAY: i64 = 86_400;
const ISS: &str = "https://issuer.example";
const AUD: &str = "api";

/// A dev server with transit enabled at `transit/`.
fn prereq() -> Result<Bao, String> {
    let program = external::program("bao")?;
    let server = bao::start(&program, false, None)?;
    let b = server.handle(&program);
    bao::keep(server);
    bao(&b, &["secrets", "enable", "transit"]);
    Ok(b)
}

fn main() -> ExitCode {
    let server = prereq();
    let with_node = server
        .clone()
        .and_then(|b| external::node_modules().map(|node| (b, node)));
    let trials = vec![
        external::needs(
            "every_algorithm_signs_through_transit",
            &with_node,
            every_algorithm,
        ),
        external::needs("a_year_of_cron_with_a_transit_signer", &server, a_year),
        external::needs("a_vault_store_with_a_transit_signer", &server, vault_store),
        external::needs("sign_count_sends_batches", &server, sign_count),
        external::needs(
            "a_policy_without_the_capability_is_named",
            &server,
            policies,
        ),
        external::needs("a_transit_key_of_another_type", &server, wrong_type),
        external::needs("a_mount_that_is_not_transit", &server, not_transit),
        external::needs("a_stopped_or_sealed_server", &server, server_gone),
        external::needs("export_private_is_refused_public_works", &server, export),
        external::needs(
            "revoke_records_what_transit_cannot_destroy_yet",
            &server,
            revoke_pending,
        ),
        external::needs(
            "an_interrupted_destruction_is_finished_by_the_next_prune",
            &server,
            interrupted,
        ),
        external::needs(
            "rotate_signer_moves_a_local_store_to_transit",
            &server,
            move_to_transit,
        ),
    ];
    let code = external::run(trials);
    bao::stop_kept();
    code
}

// ---- helpers --------------------------------------------------------------

/// A test's store (a file, or `vault:secret/NAME`) and home.
struct Env {
    b: Bao,
    keys: String,
    home: TempDir,
    token: String,
}

impl Env {
    /// A file store.
    fn file(b: &Bao) -> Env {
        let home = tempfile::tempdir().expect("tempdir");
        let keys = home.path().join("keys.json").display().to_string();
        Env {
            b: b.clone(),
            keys,
            home,
            token: b.token.clone(),
        }
    }

    /// A `vault:` store on the same server.
    fn vault(b: &Bao, name: &str) -> Env {
        Env {
            keys: format!("vault:secret/{name}"),
            ..Env::file(b)
        }
    }

    /// The same store, run with another token (and a home of its own).
    fn with_token(&self, token: &str) -> Env {
        Env {
            b: self.b.clone(),
            keys: self.keys.clone(),
            home: tempfile::tempdir().expect("tempdir"),
            token: token.to_owned(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    /// jwkctl on this store at `now` (Unix seconds).
    fn cmd(&self, now: i64, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_jwkctl"));
        cmd.env_clear()
            .current_dir(self.home.path())
            .env("HOME", self.home.path())
            .env("VAULT_ADDR", &self.b.addr)
            .env("VAULT_TOKEN", &self.token)
            .env("JWKCTL_KEYS", &self.keys)
            .env("JWKCTL_NOW", now.to_string())
            .args(args)
            .stdin(Stdio::null());
        cmd
    }

    /// Runs and checks that no token is in stdout or stderr.
    fn run(&self, now: i64, args: &[&str]) -> Output {
        let out = self.cmd(now, args).output().expect("run jwkctl");
        no_token(&self.b.token, &out);
        no_token(&self.token, &out);
        out
    }

    /// A command that must succeed: its stdout.
    fn ok(&self, now: i64, args: &[&str]) -> String {
        let out = self.run(now, args);
        assert!(
            out.status.success(),
            "jwkctl {args:?} at {now}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// A command that must exit 2 with nothing on stdout: its stderr.
    fn fails(&self, now: i64, args: &[&str]) -> String {
        let out = self.run(now, args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "jwkctl {args:?}: {stderr}");
        assert_eq!(out.stdout, b"", "jwkctl {args:?}");
        stderr
    }

    /// The store's text.
    fn text(&self) -> String {
        match self.keys.strip_prefix("vault:") {
            Some(path) => bao(&self.b, &["kv", "get", "-field=keys.json", path]),
            None => std::fs::read_to_string(&self.keys).expect("store"),
        }
    }

    fn store(&self) -> Value {
        serde_json::from_str(&self.text()).expect("store JSON")
    }

    /// The transit versions the store names, in order.
    fn version_list(&self) -> Vec<u64> {
        let mut versions: Vec<u64> = self.versions().into_values().collect();
        versions.sort_unstable();
        versions
    }

    /// Each key's kid and transit version, from the store.
    fn versions(&self) -> BTreeMap<String, u64> {
        self.store()["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .map(|k| {
                let signer = k["jwkctl"]["signer"].as_str().expect("a signer");
                let version = signer.rsplit_once('#').expect("#").1.parse().expect("n");
                (k["kid"].as_str().expect("kid").to_owned(), version)
            })
            .collect()
    }

    /// A token, checked against the published set as a verifier would.
    fn sign_and_verify(&self, now: i64) {
        let jwks = self.path("jwks.json").display().to_string();
        self.ok(now, &["jwks", "--out", &jwks]);
        let token = self.ok(now, &["sign", "--iss", ISS, "--aud", AUD]);
        let token = token.trim();
        self.ok(
            now,
            &["verify", "--jwks", &jwks, "--iss", ISS, "--aud", AUD, token],
        );
    }
}

/// Every member of a private JWK that must never be in a transit key.
const PRIVATE: [&str; 6] = ["d", "p", "q", "dp", "dq", "qi"];

fn no_private_members(store: &Value) {
    for key in store["keys"].as_array().expect("keys") {
        for name in PRIVATE {
            assert!(key.get(name).is_none(), "{name} in {key}");
        }
    }
}

/// The transit key as `bao read` shows it.
fn transit_key(b: &Bao, name: &str) -> Value {
    let text = bao(
        b,
        &["read", "-format=json", &format!("transit/keys/{name}")],
    );
    serde_json::from_str::<Value>(&text).expect("JSON")["data"].clone()
}

fn min_available(b: &Bao, name: &str) -> u64 {
    bao(
        b,
        &[
            "read",
            "-field=min_available_version",
            &format!("transit/keys/{name}"),
        ],
    )
    .trim()
    .parse()
    .expect("a number")
}

/// Whether the server still signs with `version` of `name`.
fn server_signs(b: &Bao, name: &str, version: u64) -> bool {
    bao_output(
        b,
        &[
            "write",
            &format!("transit/sign/{name}"),
            "input=eA==",
            "marshaling_algorithm=jws",
            &format!("key_version={version}"),
        ],
    )
    .status
    .success()
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

// ---- the tests ------------------------------------------------------------

/// Each of the ten algorithms: keygen and sign through transit; jwkctl
/// and panva jose accept the token; the store holds no private member.
fn every_algorithm((b, node): &(Bao, PathBuf)) {
    let kit = tempfile::tempdir().expect("tempdir");
    let mut keys = Vec::new();
    let mut manifest = Vec::new();
    for (alg, bits) in [
        ("RS256", "2048"),
        ("RS384", "3072"),
        ("RS512", "2048"),
        ("PS256", "2048"),
        ("PS384", "2048"),
        ("PS512", "4096"),
        ("ES256", ""),
        ("ES384", ""),
        ("ES512", ""),
        ("EdDSA", ""),
    ] {
        let env = Env::file(b);
        let name = format!("all-{}", alg.to_lowercase());
        let signer = format!("transit:transit/{name}");
        let mut args = vec!["keygen", "--alg", alg, "--signer", &signer];
        if !bits.is_empty() {
            args.extend(["--bits", bits]);
        }
        let kid = env.ok(DAY0, &args);
        let store = env.store();
        no_private_members(&store);
        assert_eq!(
            store["keys"][0]["jwkctl"]["signer"],
            format!("{signer}#1"),
            "{alg}"
        );
        assert_eq!(store["keys"][0]["kid"], kid.trim());
        let key = transit_key(b, &name);
        let kind = match alg {
            "ES256" => "ecdsa-p256".to_owned(),
            "ES384" => "ecdsa-p384".to_owned(),
            "ES512" => "ecdsa-p521".to_owned(),
            "EdDSA" => "ed25519".to_owned(),
            _ => format!("rsa-{bits}"),
        };
        assert_eq!(key["type"], kind.as_str(), "{alg}");
        assert_eq!(key["exportable"], false, "{alg}");
        env.sign_and_verify(DAY0 + 60);
        let token = env.ok(DAY0 + 60, &["sign", "--iss", ISS, "--aud", AUD]);
        let file = format!("{alg}.jwt");
        std::fs::write(kit.path().join(&file), token.trim()).expect("write");
        manifest.push(serde_json::json!({"name": alg, "file": file, "expect": "valid"}));
        let jwks: Value = serde_json::from_str(&env.ok(DAY0, &["jwks"])).expect("jwks");
        keys.extend(jwks["keys"].as_array().expect("keys").iter().cloned());
    }
    std::fs::write(
        kit.path().join("jwks.json"),
        serde_json::json!({"keys": keys}).to_string(),
    )
    .expect("write");
    std::fs::write(
        kit.path().join("manifest.json"),
        Value::Array(manifest).to_string(),
    )
    .expect("write");
    let out = Command::new("node")
        .current_dir(node)
        .arg("fixtures.mjs")
        .arg(kit.path())
        .args([ISS, AUD])
        .arg((DAY0 + 120).to_string())
        .output()
        .expect("node");
    assert!(
        out.status.success(),
        "jose refused a token:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The README's cron lines for a year, with a transit signer and
/// publish-ahead: a token signed every day verifies against the
/// published set, and after each prune the removed versions no longer
/// sign at the server.
fn a_year(b: &Bao) {
    let env = Env::file(b);
    let name = "year";
    env.ok(
        DAY0,
        &[
            "keygen",
            "--alg",
            "ES256",
            "--signer",
            "transit:transit/year",
        ],
    );
    let rotate = ["rotate", "--if-older-than", "30d", "--publish-ahead", "1d"];
    let mut pruned_total = 0;
    for day in 1..=365 {
        let now = DAY0 + day * DAY + 3 * 3600;
        env.ok(now, &rotate);
        let before = env.versions();
        let pruned = env.ok(now, &["prune"]);
        for kid in lines(&pruned) {
            let version = before[kid];
            assert!(!server_signs(b, name, version), "day {day}: v{version}");
            assert!(min_available(b, name) > version, "day {day}");
            pruned_total += 1;
        }
        env.sign_and_verify(now);
    }
    assert!(pruned_total >= 10, "{pruned_total}");
    no_private_members(&env.store());
    // The keys left still sign at the server.
    for version in env.versions().values() {
        assert!(server_signs(b, name, *version));
    }
}

/// A `vault:` store with a transit signer: the secret holds no private
/// member, and prune destroys in transit as with a file store.
fn vault_store(b: &Bao) {
    let env = Env::vault(b, "with-transit");
    env.ok(
        DAY0,
        &[
            "keygen",
            "--alg",
            "EdDSA",
            "--signer",
            "transit:transit/vaulted",
        ],
    );
    for day in [31, 62, 93] {
        env.ok(DAY0 + day * DAY, &["rotate"]);
        env.sign_and_verify(DAY0 + day * DAY);
    }
    let before = env.versions();
    assert_eq!(before.len(), 4);
    let out = env.run(DAY0 + 200 * DAY, &["prune"]);
    assert!(out.status.success());
    let removed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(lines(&removed).len(), 3);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "jwkctl: removed 3 key(s)\njwkctl: destroyed every version of transit:transit/vaulted below 4: the removed keys can no longer sign\n"
    );
    assert_eq!(min_available(b, "vaulted"), 4);
    for kid in lines(&removed) {
        assert!(!server_signs(b, "vaulted", before[kid]));
    }
    env.sign_and_verify(DAY0 + 200 * DAY);
    no_private_members(&env.store());
}

/// `sign --count` in batches the server accepts, each token valid.
fn sign_count(b: &Bao) {
    let env = Env::file(b);
    env.ok(
        DAY0,
        &[
            "keygen",
            "--alg",
            "ES256",
            "--signer",
            "transit:transit/count",
        ],
    );
    let tokens = env.ok(DAY0, &["sign", "--count", "1001", "--jti"]);
    let tokens = lines(&tokens);
    assert_eq!(tokens.len(), 1001);
    let distinct: std::collections::BTreeSet<&&str> = tokens.iter().collect();
    assert_eq!(distinct.len(), 1001);
    let out = env
        .cmd(DAY0, &["verify", "--batch"])
        .stdin(
            std::fs::File::open({
                let file = env.path("tokens");
                std::fs::write(&file, tokens.join("\n")).expect("write");
                file
            })
            .expect("open"),
        )
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A token that lacks what a command needs: exit 2 naming the capability,
/// and nothing changed.
fn policies(b: &Bao) {
    let env = Env::file(b);
    let signer = "transit:transit/policed";
    env.ok(DAY0, &["keygen", "--alg", "ES256", "--signer", signer]);
    env.ok(DAY0 + 31 * DAY, &["rotate"]);

    // A signer needs only update on MOUNT/sign/NAME.
    let signs = token_with_policy(
        b,
        "signs",
        "path \"transit/sign/policed\" { capabilities = [\"update\"] }\n",
    );
    let signer_env = env.with_token(&signs);
    signer_env.ok(DAY0 + 31 * DAY, &["sign"]);
    let reads = token_with_policy(
        b,
        "reads",
        "path \"transit/keys/policed\" { capabilities = [\"read\"] }\n",
    );
    let reader = env.with_token(&reads);
    let said = reader.fails(DAY0 + 31 * DAY, &["sign"]);
    let at = format!("jwkctl: transit:transit/policed at {}", b.addr);
    assert_eq!(
        said,
        format!(
            "{at}: HTTP 403: permission denied (the token's policy needs \"update\" on transit/sign/policed to sign; check VAULT_TOKEN, which may also have expired)\n"
        )
    );

    // Rotation without update on the rotate endpoint.
    let before = env.text();
    let latest = transit_key(b, "policed")["latest_version"].clone();
    let no_rotate = token_with_policy(
        b,
        "no-rotate",
        "path \"transit/keys/policed\" { capabilities = [\"read\", \"update\"] }\n",
    );
    let said = env
        .with_token(&no_rotate)
        .fails(DAY0 + 62 * DAY, &["rotate"]);
    assert_eq!(
        said,
        format!(
            "{at}: HTTP 403: permission denied (the token's policy needs \"update\" on transit/keys/policed/rotate to rotate the key (keygen, rotate and revoke need \"read\" and \"update\" on transit/keys/policed and \"update\" on transit/keys/policed/rotate); check VAULT_TOKEN, which may also have expired)\n"
        )
    );
    assert_eq!(env.text(), before);
    assert_eq!(transit_key(b, "policed")["latest_version"], latest);

    // Prune without update on trim.
    let no_trim = token_with_policy(
        b,
        "no-trim",
        "path \"transit/keys/policed/config\" { capabilities = [\"update\"] }\n",
    );
    let said = env.with_token(&no_trim).fails(DAY0 + 90 * DAY, &["prune"]);
    assert_eq!(
        said,
        format!(
            "{at}: the token's policy lacks \"update\" on transit/keys/policed/trim, which prune needs (it needs \"update\" on transit/keys/policed/config and \"update\" on transit/keys/policed/trim); nothing was changed\n"
        )
    );
    // revoke checks the same before it changes anything.
    let kid = env.ok(DAY0 + 90 * DAY, &["list", "--json"]);
    let kid = serde_json::from_str::<Value>(lines(&kid)[1]).unwrap()["kid"]
        .as_str()
        .unwrap()
        .to_owned();
    let said = env
        .with_token(&no_trim)
        .fails(DAY0 + 90 * DAY, &["revoke", &kid]);
    assert!(said.contains("which revoke needs"), "{said}");
    assert_eq!(env.text(), before);
    assert_eq!(min_available(b, "policed"), 0);

    // The rotation job's policy, as docs/transit.md writes it, does all.
    let job = token_with_policy(
        b,
        "rotation-job",
        &std::fs::read_to_string(external::root().join("docs/transit.md"))
            .expect("docs/transit.md")
            .split("# jwkctl-transit-rotate.hcl\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .expect("the rotation job's policy in docs/transit.md")
            .replace("transit/keys/jwt", "transit/keys/policed"),
    );
    // It cannot make the key exportable.
    let exportable = Command::new(&b.bao)
        .env_clear()
        .env("VAULT_ADDR", &b.addr)
        .env("VAULT_TOKEN", &job)
        .env("HOME", std::env::temp_dir())
        .args(["write", "transit/keys/policed/config", "exportable=true"])
        .output()
        .expect("bao");
    assert!(!exportable.status.success());
    let job = env.with_token(&job);
    job.ok(DAY0 + 90 * DAY, &["rotate"]);
    assert_eq!(lines(&job.ok(DAY0 + 90 * DAY, &["prune"])).len(), 1);
    assert_eq!(min_available(b, "policed"), 2);
}

/// A transit key of another type than the algorithm needs: both named,
/// no store written.
fn wrong_type(b: &Bao) {
    bao(b, &["write", "-f", "transit/keys/wrong", "type=rsa-2048"]);
    let env = Env::file(b);
    let said = env.fails(
        DAY0,
        &[
            "keygen",
            "--alg",
            "ES256",
            "--signer",
            "transit:transit/wrong",
        ],
    );
    assert_eq!(
        said,
        format!(
            "jwkctl: transit:transit/wrong at {}: the transit key is rsa-2048, and ES256 needs ecdsa-p256 (name another key with --signer, or choose an algorithm that fits rsa-2048)\n",
            b.addr
        )
    );
    assert!(!Path::new(&env.keys).exists());
    assert_eq!(transit_key(b, "wrong")["latest_version"], 1);
}

/// A KV mount and no mount at all: both possibilities named.
fn not_transit(b: &Bao) {
    let env = Env::file(b);
    for signer in ["transit:secret/jwt", "transit:nothing/jwt"] {
        let said = env.fails(DAY0, &["keygen", "--alg", "ES256", "--signer", signer]);
        let mount = signer
            .trim_start_matches("transit:")
            .split('/')
            .next()
            .unwrap();
        assert_eq!(
            said,
            format!(
                "jwkctl: {signer} at {}: {mount}/ is not a transit secrets engine: either no engine is mounted there or it is another engine (the server answers both alike; see 'bao secrets list', or enable one with 'bao secrets enable -path={mount} transit')\n",
                b.addr
            )
        );
        assert!(!Path::new(&env.keys).exists());
    }
    // Nothing was written into the KV mount.
    assert!(
        !bao_output(b, &["kv", "get", "secret/keys/jwt"])
            .status
            .success()
    );
}

/// A sealed server, then none: exit 2 with the address, nothing printed.
fn server_gone(b: &Bao) {
    let mut own = bao::start(&b.bao, false, None).expect("a second server");
    let mine = own.handle(&b.bao);
    bao(&mine, &["secrets", "enable", "transit"]);
    let env = Env::file(&mine);
    env.ok(
        DAY0,
        &[
            "keygen",
            "--alg",
            "ES256",
            "--signer",
            "transit:transit/gone",
        ],
    );
    bao(&mine, &["operator", "seal"]);
    let at = format!("jwkctl: transit:transit/gone at {}", mine.addr);
    assert_eq!(
        env.fails(DAY0, &["sign"]),
        format!(
            "{at}: HTTP 503: Vault is sealed (the server is sealed: unseal it ('bao operator unseal'), then try again)\n"
        )
    );
    // What needs no signing still works.
    env.ok(DAY0, &["jwks"]);
    own.stop();
    let refused = format!(
        "{at}: connection refused (check the host and port, and that the server is running)\n"
    );
    assert_eq!(env.fails(DAY0, &["sign"]), refused);
    assert_eq!(env.fails(DAY0 + 31 * DAY, &["rotate"]), refused);
}

fn export(b: &Bao) {
    let env = Env::file(b);
    env.ok(
        DAY0,
        &[
            "keygen",
            "--alg",
            "ES384",
            "--signer",
            "transit:transit/exported",
        ],
    );
    for args in [
        &["export", "--private"][..],
        &["export", "--private", "--pem"],
    ] {
        let said = env.fails(DAY0, args);
        assert!(
            said.ends_with(": its private half is in transit:transit/exported#1 and cannot leave the engine (export the public key: drop --private)\n"),
            "{said}"
        );
    }
    let public: Value = serde_json::from_str(&env.ok(DAY0, &["export"])).expect("JWK");
    assert_eq!(public["crv"], "P-384");
    assert!(public.get("d").is_none());
    assert!(
        env.ok(DAY0, &["export", "--pem"])
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
}

/// Revoking the active key while older ones remain: its version cannot be
/// destroyed yet, is recorded and named by list, and a later prune
/// destroys it.
fn revoke_pending(b: &Bao) {
    let env = Env::file(b);
    let name = "revoked";
    env.ok(
        DAY0,
        &[
            "keygen",
            "--alg",
            "ES256",
            "--signer",
            "transit:transit/revoked",
        ],
    );
    env.ok(DAY0 + 31 * DAY, &["rotate"]);
    let active = env.ok(DAY0 + 62 * DAY, &["rotate"]);
    let active = active.trim();
    assert_eq!(env.versions()[active], 3);
    // Version 3 goes from the store; 1 and 2 still verify tokens.
    env.ok(DAY0 + 62 * DAY + 60, &["revoke", active]);
    assert_eq!(env.version_list(), [1, 2, 4]);
    assert_eq!(
        env.store()["jwkctl"]["destroy"],
        serde_json::json!(["transit:transit/revoked#3"])
    );
    let listed = env.run(DAY0 + 62 * DAY + 60, &["list"]);
    let said = String::from_utf8_lossy(&listed.stderr);
    assert!(said.contains("transit:transit/revoked#3"), "{said}");
    let table = String::from_utf8_lossy(&listed.stdout);
    assert!(table.contains("transit:transit/revoked#4"), "{table}");
    assert!(server_signs(b, name, 3));
    // Once 1 and 2 are pruned, everything below 4 goes.
    let removed = env.ok(DAY0 + 200 * DAY, &["prune"]);
    assert_eq!(lines(&removed).len(), 2);
    assert_eq!(min_available(b, name), 4);
    for version in 1..=3 {
        assert!(!server_signs(b, name, version));
    }
    assert!(env.store()["jwkctl"].get("destroy").is_none());
    // Revoking a pending key, the latest version: transit never destroys
    // that one, so it stays recorded until a newer version exists and
    // every older one is gone.
    let pending = env.ok(DAY0 + 200 * DAY, &["rotate", "--publish-ahead", "1d"]);
    env.ok(DAY0 + 200 * DAY, &["revoke", pending.trim()]);
    assert_eq!(
        env.store()["jwkctl"]["destroy"],
        serde_json::json!(["transit:transit/revoked#5"])
    );
    assert!(server_signs(b, name, 5));
    assert_eq!(min_available(b, name), 4);
}

/// `rotate --signer` moves a store of local keys to transit: the old
/// local key retires as usual and prune removes it.
fn move_to_transit(b: &Bao) {
    let env = Env::file(b);
    env.ok(DAY0, &["keygen", "--alg", "ES256"]);
    let moved = env.ok(DAY0 + DAY, &["rotate", "--signer", "transit:transit/moved"]);
    let store = env.store();
    let keys = store["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    let new = keys.iter().find(|k| k["kid"] == moved.trim()).unwrap();
    assert_eq!(new["jwkctl"]["signer"], "transit:transit/moved#1");
    env.sign_and_verify(DAY0 + DAY);
    // A plain rotate keeps the signer.
    env.ok(DAY0 + 40 * DAY, &["rotate"]);
    env.ok(DAY0 + 40 * DAY, &["prune"]);
    no_private_members(&env.store());
    assert_eq!(env.version_list(), [1, 2]);
}

/// A prune that saved the store but did not get to destroy (killed, or
/// the server went away): the next prune, with nothing to remove, does.
fn interrupted(b: &Bao) {
    let env = Env::file(b);
    env.ok(
        DAY0,
        &[
            "keygen",
            "--alg",
            "EdDSA",
            "--signer",
            "transit:transit/cut",
        ],
    );
    env.ok(DAY0 + 31 * DAY, &["rotate"]);
    // The store as that prune left it: the old key gone, version 1 alive.
    let mut store = env.store();
    store["keys"]
        .as_array_mut()
        .unwrap()
        .retain(|k| k["jwkctl"]["signer"] != "transit:transit/cut#1");
    std::fs::write(&env.keys, store.to_string()).unwrap();
    assert!(server_signs(b, "cut", 1));
    assert_eq!(env.ok(DAY0 + 32 * DAY, &["prune"]), "");
    assert!(!server_signs(b, "cut", 1));
    assert_eq!(min_available(b, "cut"), 2);
    // Nothing left to do: nothing changes.
    let before = env.text();
    env.ok(DAY0 + 33 * DAY, &["prune"]);
    assert_eq!(env.text(), before);
}
