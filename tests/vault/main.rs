//! The `vault:MOUNT/PATH` store against a real OpenBao dev server
//! (`bao server -dev`, started once for this binary on a free loopback
//! port and killed at the end). Without `bao` these tests are ignored,
//! and under CI=true they fail (tests/support/external.rs).

// A panic is how a test and its helpers fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/bao.rs"]
mod bao;
#[path = "../support/external.rs"]
mod external;
#[path = "../support/server.rs"]
mod server;

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

use bao::{Bao, Server, bao, no_token};

/// 2026-01-01T00:00:00Z.
const DAY0: i64 = 1_767_225_600;
const DAY: i64 = 86_400;
/// The request size limit of the server's second listener: a store of a
/// few EdDSA keys is larger.
const SMALL_REQUEST: usize = 3000;

fn prereq() -> Result<Bao, String> {
    let bao = external::program("bao")?;
    let server = start_server(&bao, false)?;
    let found = server.handle(&bao);
    bao::keep(server);
    Ok(found)
}

/// A dev server; with `tls`, on https with a CA of its own and without
/// the second listener, whose request size limit is small.
fn start_server(bao: &Path, tls: bool) -> Result<Server, String> {
    bao::start(bao, tls, (!tls).then_some(SMALL_REQUEST))
}

fn main() -> ExitCode {
    let prereq = prereq();
    let trials = vec![
        external::needs("rotation_core_replayed_for_a_year", &prereq, rotation_core),
        external::needs(
            "eight_concurrent_rotations_give_nine_keys",
            &prereq,
            concurrent_rotations,
        ),
        external::needs("a_mixed_crowd_loses_nothing", &prereq, mixed_crowd),
        external::needs(
            "sigkill_during_writes_leaves_a_whole_store",
            &prereq,
            sigkill,
        ),
        external::needs(
            "a_policy_without_update_is_a_clear_403",
            &prereq,
            policy_403,
        ),
        external::needs("a_kv_version_1_mount_is_named", &prereq, kv_v1),
        external::needs("a_stopped_or_silent_server_is_exit_2", &prereq, server_gone),
        external::needs(
            "the_field_is_the_file_byte_for_byte_and_rollback_works",
            &prereq,
            byte_for_byte,
        ),
        external::needs("no_change_writes_no_version", &prereq, no_change_no_version),
        external::needs("keygen_refuses_and_force_replaces", &prereq, keygen_cas),
        external::needs("the_token_is_never_printed", &prereq, token_never_printed),
        external::needs(
            "an_agent_template_renders_a_file_store",
            &prereq,
            agent_template,
        ),
        external::needs("a_request_too_large_is_not_retried", &prereq, too_large),
        external::needs("vault_namespace_is_used", &prereq, namespace),
        external::needs("https_with_vault_cacert", &prereq, https),
        external::needs("serve_polls_a_vault_store", &prereq, serve_polls),
        external::needs("check_reads_a_vault_store", &prereq, check_reads),
        external::needs(
            "a_write_whose_answer_is_lost_is_read_back",
            &prereq,
            lost_answer,
        ),
        external::needs(
            "a_lost_write_another_writer_wrote_over_is_not_applied_again",
            &prereq,
            lost_answer_then_overwritten,
        ),
        external::needs(
            "await_published_confirmed_by_several_hosts_at_once",
            &prereq,
            await_confirmed_at_once,
        ),
    ];
    let code = external::run(trials);
    bao::stop_kept();
    code
}

// ---- helpers --------------------------------------------------------------

/// A test's own secret on the shared server, and a home without a token file.
struct Store {
    bao: Bao,
    secret: String,
    home: TempDir,
}

impl Store {
    fn new(bao: &Bao, name: &str) -> Store {
        Store {
            bao: bao.clone(),
            secret: format!("secret/{name}"),
            home: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn keys(&self) -> String {
        format!("vault:{}", self.secret)
    }

    /// jwkctl on this store at `now` (Unix seconds).
    fn cmd(&self, now: i64, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_jwkctl"));
        cmd.env_clear()
            .current_dir(self.home.path())
            .env("HOME", self.home.path())
            .env("VAULT_ADDR", &self.bao.addr)
            .env("VAULT_TOKEN", &self.bao.token)
            .env("JWKCTL_KEYS", self.keys())
            .env("JWKCTL_NOW", now.to_string())
            .args(args)
            .stdin(Stdio::null());
        cmd
    }

    /// Runs and checks that the token is in neither stdout nor stderr.
    fn run(&self, now: i64, args: &[&str]) -> Output {
        let out = self.cmd(now, args).output().expect("run jwkctl");
        no_token(&self.bao.token, &out);
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

    /// A command that must fail with exit 2 and exactly `stderr`.
    fn fails(&self, now: i64, args: &[&str], stderr: &str) {
        let out = self.run(now, args);
        assert_eq!(
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).as_ref(),
                out.stdout.as_slice()
            ),
            (Some(2), stderr, &b""[..]),
            "jwkctl {args:?}"
        );
    }

    fn bao(&self, args: &[&str]) -> String {
        bao(&self.bao, args)
    }

    fn version(&self) -> u64 {
        let meta: Value = serde_json::from_str(&self.bao(&[
            "kv",
            "metadata",
            "get",
            "-format=json",
            &self.secret,
        ]))
        .expect("metadata JSON");
        meta["data"]["current_version"].as_u64().expect("version")
    }

    /// The field as `bao kv get -field=keys.json` prints it.
    fn field(&self) -> String {
        self.bao(&["kv", "get", "-field=keys.json", &self.secret])
    }

    fn kids(&self, now: i64) -> Vec<String> {
        self.ok(now, &["list"])
            .lines()
            .map(|l| l.split_whitespace().next().unwrap_or("").to_owned())
            .collect()
    }

    fn at(&self) -> String {
        format!("jwkctl: {} at {}", self.keys(), self.bao.addr)
    }
}

fn list_json(store: &Store, now: i64) -> Vec<Value> {
    store
        .ok(now, &["list", "--json"])
        .lines()
        .map(|l| serde_json::from_str(l).expect("list --json"))
        .collect()
}

// ---- the tests ------------------------------------------------------------

/// A year of daily cron runs (rotate every 30 days, published a day ahead;
/// prune) on a vault store and on a file store side by side: the same
/// states and times every week, one new version per real change only;
/// then the prune grace and revoke.
fn rotation_core(b: &Bao) {
    let vault = Store::new(b, "rotation");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("keys.json");
    let file_run = |now: i64, args: &[&str]| -> String {
        let out = vault
            .cmd(now, args)
            .env("JWKCTL_KEYS", &file)
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "file {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let keygen = ["keygen", "--alg", "EdDSA"];
    vault.ok(DAY0, &keygen);
    file_run(DAY0, &keygen);
    let mut changes = 1;
    let rotate = ["rotate", "--if-older-than", "30d", "--publish-ahead", "1d"];
    let mut last_rotation = DAY0;
    for day in 1..=365 {
        let now = DAY0 + day * DAY + 3 * 3600;
        let rotated = vault.ok(now, &rotate);
        assert_eq!(
            rotated.is_empty(),
            file_run(now, &rotate).is_empty(),
            "day {day}"
        );
        if !rotated.is_empty() {
            // The rotation, and the day after, when the pending key takes
            // over: that day's prune writes the store once more so the
            // active key comes first again (node-jose signs with the first).
            changes += if day < 365 { 2 } else { 1 };
            assert!(now - last_rotation > 30 * DAY);
            last_rotation = now;
        }
        let pruned = vault.ok(now, &["prune"]);
        assert_eq!(
            pruned.lines().count(),
            file_run(now, &["prune"]).lines().count(),
            "day {day}"
        );
        if !pruned.is_empty() {
            changes += 1;
        }
        if day % 7 == 0 {
            let strip = |rows: Vec<Value>| -> Vec<Value> {
                rows.into_iter()
                    .map(|mut r| {
                        r.as_object_mut().map(|o| o.remove("kid"));
                        r
                    })
                    .collect()
            };
            let from_file: Vec<Value> = file_run(now, &["list", "--json"])
                .lines()
                .map(|l| serde_json::from_str(l).expect("json"))
                .collect();
            assert_eq!(strip(list_json(&vault, now)), strip(from_file), "day {day}");
        }
    }
    assert_eq!(vault.version(), changes, "one version per change");
    let end = DAY0 + 366 * DAY;
    let rows = list_json(&vault, end);
    let states: Vec<&str> = rows
        .iter()
        .map(|r| r["state"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        states.iter().filter(|s| **s == "active").count(),
        1,
        "{states:?}"
    );
    // The grace may not be shorter than the max token lifetime plus skew.
    vault.fails(
        end,
        &["prune", "--older-than", "1h"],
        "jwkctl: --older-than 1h is shorter than this store's minimum grace 24h 5m (its max token lifetime plus 5m of clock skew): a token signed just before retirement may still be valid\n",
    );
    // Revoking the active key puts a new one in place at once.
    let active = rows[0]["kid"].as_str().expect("kid").to_owned();
    let replacement = vault.ok(end, &["revoke", &active]);
    let kids = vault.kids(end);
    assert_eq!(kids[0], replacement.trim());
    assert!(!kids.contains(&active));
    let token = vault.ok(end, &["sign"]);
    let out = vault
        .cmd(end, &["verify", token.trim()])
        .output()
        .expect("verify");
    assert!(out.status.success());
}

fn concurrent_rotations(b: &Bao) {
    let store = Store::new(b, "eight");
    store.ok(DAY0, &["keygen", "--alg", "EdDSA"]);
    let children: Vec<Child> = (0..8)
        .map(|_| {
            store
                .cmd(DAY0 + 60, &["rotate"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let mut added = Vec::new();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        no_token(&store.bao.token, &out);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        added.push(
            String::from_utf8(out.stdout)
                .expect("utf-8")
                .trim()
                .to_owned(),
        );
    }
    let kids = store.kids(DAY0 + 60);
    assert_eq!(kids.len(), 9, "{kids:?}");
    for kid in &added {
        assert!(kids.contains(kid), "{kid} was lost");
    }
}

fn mixed_crowd(b: &Bao) {
    let store = Store::new(b, "crowd");
    store.ok(DAY0, &["keygen", "--alg", "EdDSA"]);
    let now = DAY0 + 10 * DAY;
    // Retired long ago, so the first prune removes them.
    for i in 1..=3 {
        store.ok(DAY0 + i * 60, &["rotate"]);
    }
    let before = store.kids(now);
    let children: Vec<(&str, Child)> = [
        "rotate", "prune", "sign", "rotate", "prune", "sign", "rotate", "sign", "prune", "rotate",
    ]
    .into_iter()
    .map(|what| {
        let child = store
            .cmd(now, &[what])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        (what, child)
    })
    .collect();
    let mut added = Vec::new();
    let mut pruned = Vec::new();
    for (what, child) in children {
        let out = child.wait_with_output().expect("wait");
        no_token(&store.bao.token, &out);
        assert!(
            out.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).expect("utf-8");
        match what {
            "rotate" => added.push(stdout.trim().to_owned()),
            "prune" => pruned.extend(stdout.lines().map(str::to_owned)),
            _ => assert_eq!(stdout.matches('.').count(), 2, "a token"),
        }
    }
    let kids = store.kids(now);
    // Every key added is there; every key gone was pruned, once.
    for kid in &added {
        assert!(kids.contains(kid), "{kid} was lost");
    }
    let mut gone: Vec<&String> = before.iter().filter(|k| !kids.contains(k)).collect();
    gone.sort();
    let mut pruned_sorted: Vec<&String> = pruned.iter().collect();
    pruned_sorted.sort();
    assert_eq!(gone, pruned_sorted);
    assert_eq!(kids.len(), before.len() + added.len() - pruned.len());
    assert_eq!(added.len(), 4);
}

fn sigkill(b: &Bao) {
    let store = Store::new(b, "sigkill");
    store.ok(DAY0, &["keygen", "--alg", "EdDSA"]);
    let mut count = 1;
    for i in 0..20u64 {
        let mut child = store
            .cmd(DAY0 + 60, &["rotate"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(i * 3 % 40));
        let _ = child.kill();
        let _ = child.wait();
        // The old store or the new one: one key more at most.
        let kids = store.kids(DAY0 + 60);
        assert!(
            kids.len() == count || kids.len() == count + 1,
            "{count} -> {kids:?}"
        );
        count = kids.len();
        let text = store.field();
        let parsed: Value = serde_json::from_str(&text).expect("a whole JSON document");
        assert_eq!(parsed["keys"].as_array().map(Vec::len), Some(count));
    }
}

fn policy_403(b: &Bao) {
    let store = Store::new(b, "readonly");
    store.ok(DAY0, &["keygen", "--alg", "EdDSA"]);
    let policy = "path \"secret/data/readonly\" { capabilities = [\"read\"] }\n";
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("ro.hcl");
    std::fs::write(&file, policy).expect("write");
    store.bao(&["policy", "write", "jwkctl-ro", &file.display().to_string()]);
    let token = store.bao(&["token", "create", "-policy=jwkctl-ro", "-field=token"]);
    let token = token.trim();
    let before = store.field();
    let version = store.version();
    let out = store
        .cmd(DAY0 + DAY, &["rotate"])
        .env("VAULT_TOKEN", token)
        .output()
        .expect("run");
    no_token(token, &out);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(out.stdout, b"");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "{}: HTTP 403: permission denied (the token's policy needs \"read\", \"create\" and \"update\" on secret/data/readonly to change the store; this one lacks \"create\" and \"update\")\n",
            store.at()
        )
    );
    assert_eq!(store.version(), version);
    assert_eq!(store.field(), before);
    // Reading is allowed: signers need no more.
    let out = store
        .cmd(DAY0 + DAY, &["sign"])
        .env("VAULT_TOKEN", token)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn kv_v1(b: &Bao) {
    bao(b, &["secrets", "enable", "-path=kvone", "-version=1", "kv"]);
    let store = Store::new(b, "unused");
    let out = store
        .cmd(DAY0, &["keygen", "--alg", "EdDSA"])
        .env("JWKCTL_KEYS", "vault:kvone/jwkctl")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "jwkctl: vault:kvone/jwkctl at {}: kvone/ is a KV version 1 engine, which has no check-and-set and no version history (use a KV version 2 mount, or upgrade this one with 'bao kv enable-versioning kvone/')\n",
            b.addr
        )
    );
    // Nothing was written there.
    let listed = Command::new(&b.bao)
        .env("VAULT_ADDR", &b.addr)
        .env("VAULT_TOKEN", &b.token)
        .args(["kv", "list", "kvone"])
        .output()
        .expect("bao");
    assert!(
        !listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stdout)
    );
}

fn server_gone(b: &Bao) {
    // A server of its own, stopped under the store.
    let own = start_server(&b.bao, false).expect("a second server");
    let mine = own.handle(&b.bao);
    let store = Store::new(&mine, "stopped");
    store.ok(DAY0, &["keygen", "--alg", "EdDSA"]);
    bao(&mine, &["operator", "seal"]);
    store.fails(
        DAY0,
        &["list"],
        &format!(
            "{}: HTTP 503: Vault is sealed (the server is sealed: unseal it ('bao operator unseal'), then try again)\n",
            store.at()
        ),
    );
    let mut own = own;
    own.stop();
    let started = Instant::now();
    for args in [&["list"][..], &["rotate"], &["sign"]] {
        store.fails(
            DAY0,
            args,
            &format!(
                "{}: connection refused (check the host and port, and that the server is running)\n",
                store.at()
            ),
        );
    }
    assert!(started.elapsed() < Duration::from_secs(10));

    // A server that accepts and never answers: the request's timeout.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = format!("http://{}", listener.local_addr().expect("addr"));
    let holder = std::thread::spawn(move || {
        let mut held: Vec<TcpStream> = Vec::new();
        for conn in listener.incoming().take(1).flatten() {
            let mut conn = conn;
            let mut buf = [0u8; 1024];
            let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = conn.read(&mut buf);
            held.push(conn);
            std::thread::sleep(Duration::from_secs(3));
        }
    });
    let started = Instant::now();
    let out = store
        .cmd(DAY0, &["list"])
        .env("VAULT_ADDR", &addr)
        .env("JWKCTL_FETCH_TIMEOUT", "1")
        .output()
        .expect("run");
    no_token(&mine.token, &out);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "jwkctl: {} at {addr}: no complete answer within 1s (check that the server is up and reachable)\n",
            store.keys()
        )
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    let _ = holder.join();
}

fn byte_for_byte(b: &Bao) {
    let store = Store::new(b, "bytes");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("keys.json");
    let on_file = |now: i64, args: &[&str]| {
        let out = store
            .cmd(now, args)
            .env("JWKCTL_KEYS", &file)
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // A file store moved in as the docs say, then the same changes on both.
    on_file(DAY0, &["keygen", "--alg", "EdDSA"]);
    store.bao(&[
        "kv",
        "put",
        &store.secret,
        &format!("keys.json=@{}", file.display()),
    ]);
    assert_eq!(store.field(), std::fs::read_to_string(&file).expect("read"));
    let pem = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ed25519.pem");
    let pem = pem.display().to_string();
    for (now, args) in [
        (
            DAY0 + DAY,
            vec!["import", pem.as_str(), "--publish-ahead", "1h"],
        ),
        (DAY0 + 3 * DAY, vec!["prune"]),
    ] {
        on_file(now, &args);
        store.ok(now, &args);
        assert_eq!(
            store.field(),
            std::fs::read_to_string(&file).expect("read"),
            "{args:?}"
        );
    }
    assert_eq!(store.kids(DAY0 + 3 * DAY).len(), 1);
    // Back to version 2 (both keys): jwkctl reads what rollback restored.
    store.bao(&["kv", "rollback", "-version=2", &store.secret]);
    assert_eq!(store.kids(DAY0 + 2 * DAY).len(), 2);
    assert_eq!(store.version(), 4);
}

fn no_change_no_version(b: &Bao) {
    let store = Store::new(b, "quiet");
    store.ok(DAY0, &["keygen", "--alg", "EdDSA"]);
    let version = store.version();
    let now = DAY0 + DAY;
    store.ok(now, &["rotate", "--if-older-than", "7d"]);
    store.ok(now, &["prune"]);
    store.ok(now, &["prune", "--dry-run"]);
    store.ok(now, &["list"]);
    store.ok(now, &["jwks"]);
    store.ok(now, &["sign"]);
    store.ok(now, &["export"]);
    assert_eq!(store.version(), version);
    // A real change is one version.
    store.ok(now, &["rotate"]);
    assert_eq!(store.version(), version + 1);
    let dry = store.ok(now + 3 * DAY, &["prune", "--dry-run"]);
    assert_eq!(dry.lines().count(), 1);
    assert_eq!(store.version(), version + 1);
}

fn keygen_cas(b: &Bao) {
    let store = Store::new(b, "keygen");
    let first = store.ok(DAY0, &["keygen", "--alg", "EdDSA"]);
    store.fails(
        DAY0,
        &["keygen", "--alg", "EdDSA"],
        &format!(
            "{}: a key store already exists (use --force to replace it and lose its keys (earlier versions stay in the secret's history), or -k to choose another path)\n",
            store.at()
        ),
    );
    let second = store.ok(DAY0, &["keygen", "--alg", "EdDSA", "--force"]);
    assert_eq!(store.kids(DAY0), [second.trim()]);
    assert_ne!(first, second);
    // A deleted latest version counts as absent.
    store.bao(&["kv", "delete", &store.secret]);
    store.fails(
        DAY0,
        &["list"],
        &format!(
            "{}: the latest version (2) of the secret is deleted (bring it back with 'bao kv undelete -versions=2 secret/keygen' or 'bao kv rollback', or create a new store with 'jwkctl keygen -k vault:secret/keygen')\n",
            store.at()
        ),
    );
    let third = store.ok(DAY0, &["keygen", "--alg", "EdDSA"]);
    assert_eq!(store.kids(DAY0), [third.trim()]);
    assert_eq!(store.version(), 3);
    // A secret that was never written.
    let none = Store::new(b, "never");
    none.fails(
        DAY0,
        &["sign"],
        &format!(
            "{}: no such secret (create one with 'jwkctl keygen -k vault:secret/never')\n",
            none.at()
        ),
    );
}

fn token_never_printed(b: &Bao) {
    let store = Store::new(b, "secrecy");
    // Every run through Store checks the root token; these go through the
    // error paths as well.
    store.ok(DAY0, &["keygen", "--alg", "EdDSA"]);
    store.ok(DAY0, &["list", "--json"]);
    store.ok(DAY0, &["export", "--private"]);
    let bad = "s.not-a-real-token-canary-7f3a";
    for token in [bad, "with space canary-7f3a"] {
        let out = store
            .cmd(DAY0, &["rotate"])
            .env("VAULT_TOKEN", token)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2));
        no_token(token, &out);
        no_token("canary-7f3a", &out);
    }
    // From ~/.vault-token when VAULT_TOKEN is unset.
    std::fs::write(
        store.home.path().join(".vault-token"),
        format!("{}\n", b.token),
    )
    .expect("write");
    let out = store
        .cmd(DAY0, &["list"])
        .env_remove("VAULT_TOKEN")
        .output()
        .expect("run");
    no_token(&b.token, &out);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Neither unset: says how to log in.
    std::fs::remove_file(store.home.path().join(".vault-token")).expect("rm");
    let out = store
        .cmd(DAY0, &["list"])
        .env_remove("VAULT_TOKEN")
        .output()
        .expect("run");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "jwkctl: vault:secret/secrecy: no token: VAULT_TOKEN is not set and there is no ~/.vault-token (log in with 'bao login', or export VAULT_TOKEN)\n"
    );
    // No VAULT_ADDR, or plain http to another host.
    let out = store
        .cmd(DAY0, &["list"])
        .env_remove("VAULT_ADDR")
        .output()
        .expect("run");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "jwkctl: vault:secret/secrecy: VAULT_ADDR is not set (export VAULT_ADDR=https://HOST:8200, the address of the OpenBao or Vault server)\n"
    );
    let out = store
        .cmd(DAY0, &["list"])
        .env("VAULT_ADDR", "http://vault.example:8200")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("http:// is refused for vault.example"));
}

/// The README's Agent template, rendered once by `bao agent`: the file is
/// the secret's field byte for byte, and a file store jwkctl signs from.
fn agent_template(b: &Bao) {
    let store = Store::new(b, "agent");
    store.ok(DAY0, &["keygen", "--alg", "EdDSA"]);
    store.ok(DAY0 + DAY, &["rotate"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let token = dir.path().join("token");
    std::fs::write(&token, &b.token).expect("write");
    let rendered = dir.path().join("keys.json");
    let template =
        r#"{{ with secret "secret/data/agent" }}{{ index .Data.data "keys.json" }}{{ end }}"#;
    let config = format!(
        "vault {{ address = {:?} }}\n\
         auto_auth {{ method \"token_file\" {{ config {{ token_file_path = {:?} }} }} }}\n\
         exit_after_auth = true\n\
         template {{\n  contents = {:?}\n  destination = {:?}\n  perms = \"0600\"\n}}\n",
        b.addr,
        token.display().to_string(),
        template,
        rendered.display().to_string()
    );
    let config_file = dir.path().join("agent.hcl");
    std::fs::write(&config_file, config).expect("write");
    let out = Command::new(&b.bao)
        .env_clear()
        .env("HOME", dir.path())
        .args(["agent", &format!("-config={}", config_file.display())])
        .output()
        .expect("bao agent");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&rendered).expect("rendered"),
        store.field()
    );
    let from_file = store
        .cmd(DAY0 + DAY, &["list", "--json"])
        .env("JWKCTL_KEYS", &rendered)
        .env_remove("VAULT_ADDR")
        .output()
        .expect("run");
    assert!(from_file.status.success());
    assert_eq!(
        String::from_utf8_lossy(&from_file.stdout),
        store.ok(DAY0 + DAY, &["list", "--json"])
    );
}

/// A store that outgrew the server's max_request_size: exit 2 at once with
/// the server's words, and no version written.
fn too_large(b: &Bao) {
    let store = Store::new(b, "large");
    store.ok(DAY0, &["keygen", "--alg", "EdDSA"]);
    while store.field().len() < SMALL_REQUEST {
        store.ok(DAY0, &["rotate"]);
    }
    let version = store.version();
    let started = Instant::now();
    let out = store
        .cmd(DAY0, &["rotate"])
        .env("VAULT_ADDR", &b.small_addr)
        .output()
        .expect("run");
    no_token(&b.token, &out);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "jwkctl: {} at {}: HTTP 413: http: request body too large (the store is larger than the server's max_request_size: prune old keys, or raise the listener's max_request_size)\n",
            store.keys(),
            b.small_addr
        )
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(store.version(), version);
}

/// `VAULT_NAMESPACE` picks the namespace; messages name it.
fn namespace(b: &Bao) {
    bao(b, &["namespace", "create", "jwkctl-ns"]);
    let in_ns = |args: &[&str]| {
        let out = Command::new(&b.bao)
            .env_clear()
            .env("VAULT_ADDR", &b.addr)
            .env("VAULT_TOKEN", &b.token)
            .env("VAULT_NAMESPACE", "jwkctl-ns")
            .env("HOME", std::env::temp_dir())
            .args(args)
            .output()
            .expect("bao");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    in_ns(&["secrets", "enable", "-path=kv", "kv-v2"]);
    let store = Store::new(b, "unused");
    let run = |ns: Option<&str>, args: &[&str]| {
        let mut cmd = store.cmd(DAY0, args);
        cmd.env("JWKCTL_KEYS", "vault:kv/jwkctl");
        if let Some(ns) = ns {
            cmd.env("VAULT_NAMESPACE", ns);
        }
        let out = cmd.output().expect("run");
        no_token(&b.token, &out);
        out
    };
    let out = run(Some("jwkctl-ns"), &["keygen", "--alg", "EdDSA"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kid = String::from_utf8(out.stdout).expect("utf-8");
    let field = in_ns(&["kv", "get", "-field=keys.json", "kv/jwkctl"]);
    assert!(field.contains(kid.trim()));
    let out = run(Some("jwkctl-ns"), &["list"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with(kid.trim()));
    // Outside the namespace there is no such mount.
    let out = run(None, &["list"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(Some("jwkctl-ns"), &["-k", "vault:kv/other", "list"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "jwkctl: vault:kv/other at {} (namespace jwkctl-ns): no such secret (create one with 'jwkctl keygen -k vault:kv/other')\n",
            b.addr
        )
    );
}

/// https with the server's own CA from `VAULT_CACERT`; without it, the
/// message says which variable to set.
fn https(b: &Bao) {
    let mut own = start_server(&b.bao, true).expect("a TLS server");
    let mine = own.handle(&b.bao);
    let store = Store::new(&mine, "tls");
    let ca = own.ca();
    let with_ca = |args: &[&str]| {
        let out = store
            .cmd(DAY0, args)
            .env("VAULT_CACERT", &ca)
            .output()
            .expect("run");
        no_token(&mine.token, &out);
        out
    };
    let out = with_ca(&["keygen", "--alg", "EdDSA"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = with_ca(&["sign"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    store.fails(
        DAY0,
        &["list"],
        &format!(
            "{}: TLS: the server's certificate is not from a trusted CA (unknown issuer; for a private CA pass its certificate with VAULT_CACERT)\n",
            store.at()
        ),
    );
    own.stop();
}

/// `serve` on a vault store serves what `jwks` prints, and sees a rotation
/// by polling the secret's version (it cannot watch a file).
fn serve_polls(b: &Bao) {
    let store = Store::new(b, "serve");
    store.ok(DAY0, &["keygen", "--alg", "EdDSA"]);
    let mut server = server::Serve::start(store.cmd(DAY0, &["serve"]));
    let jwks = server.url("/.well-known/jwks.json");
    let verify = |token: &str| {
        let out = store.run(DAY0, &["verify", "--jwks", &jwks, token.trim()]);
        out.status.code()
    };
    let token = store.ok(DAY0, &["sign", "--sub", "before"]);
    assert_eq!(verify(&token), Some(0));
    // At the pinned time, the new key signs at once; serve learns of it
    // within its poll interval.
    store.ok(DAY0, &["rotate"]);
    server.wait_for(|l| l.ends_with("changed: serving 2 keys"));
    let token = store.ok(DAY0, &["sign", "--sub", "after"]);
    assert_eq!(verify(&token), Some(0));
    let (status, lines) = server.stop();
    assert_eq!(status.code(), Some(0), "{lines:#?}");
    for line in &lines {
        assert!(!line.contains(&b.token), "token in {line}");
    }
}

/// `check` on a vault store: healthy while the published file matches,
/// a critical finding once a rotation is not published.
fn check_reads(b: &Bao) {
    let store = Store::new(b, "check");
    store.ok(DAY0, &["keygen", "--alg", "EdDSA"]);
    store.ok(DAY0, &["jwks", "--out", "jwks.json"]);
    let healthy = store.run(DAY0, &["check", "--published", "jwks.json"]);
    assert_eq!(
        (
            healthy.status.code(),
            healthy.stdout.as_slice(),
            healthy.stderr.as_slice()
        ),
        (Some(0), &b""[..], &b""[..])
    );
    let kid = store.ok(DAY0 + DAY, &["rotate"]);
    let stale = store.run(DAY0 + DAY, &["check", "--published", "jwks.json"]);
    let text = String::from_utf8_lossy(&stale.stdout);
    assert_eq!(stale.status.code(), Some(1), "{text}");
    assert!(
        text.starts_with(&format!(
            "critical published-missing: jwks.json lacks key {}",
            kid.trim()
        )),
        "{text}"
    );
}

/// How the proxy of [`lost_answer`] treats the first write it sees.
#[derive(Clone, Copy, PartialEq)]
enum Drop {
    /// Forward it, let the server store it, and close the client's
    /// connection without the answer.
    AfterForwarding,
    /// Close the client's connection without forwarding it.
    BeforeForwarding,
    /// As `AfterForwarding`, and before the client reads again another
    /// writer stores the same text with one more newline on top of it.
    AfterForwardingOverwritten,
}

/// A loopback proxy to `upstream` that loses the answer of the first POST
/// (a check-and-set write) as `drop` says and passes everything else on.
/// Returns its address.
fn lossy_proxy(upstream: &str, drop: Drop) -> String {
    use std::io::{BufRead, BufReader, Write};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let upstream = upstream.trim_start_matches("http://").to_owned();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let dropped = Arc::new(AtomicBool::new(false));
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { continue };
            let (upstream, dropped) = (upstream.clone(), Arc::clone(&dropped));
            std::thread::spawn(move || {
                let mut reader = BufReader::new(client);
                // One request: the answer says Connection: close.
                {
                    let mut head = Vec::new();
                    let mut length = 0usize;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if let Some((name, value)) = line.split_once(':')
                            && name.eq_ignore_ascii_case("content-length")
                        {
                            length = value.trim().parse().unwrap_or(0);
                        }
                        if line == "\r\n" {
                            // Each request on a connection of its own
                            // upstream, which ends with the answer.
                            head.extend_from_slice(b"Connection: close\r\n\r\n");
                            break;
                        }
                        if !line.to_ascii_lowercase().starts_with("connection:") {
                            head.extend_from_slice(line.as_bytes());
                        }
                    }
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    let write = head.starts_with(b"POST /v1/secret/data/");
                    let lose = write && !dropped.swap(true, Ordering::SeqCst);
                    if lose && drop == Drop::BeforeForwarding {
                        return;
                    }
                    let mut server = TcpStream::connect(&upstream).expect("upstream");
                    server.write_all(&head).expect("forward");
                    server.write_all(&body).expect("forward");
                    let mut answer = Vec::new();
                    server.read_to_end(&mut answer).expect("answer");
                    if lose && drop == Drop::AfterForwardingOverwritten {
                        let written: serde_json::Value =
                            serde_json::from_slice(&body).expect("a KV v2 write");
                        let text = written["data"]["keys.json"].as_str().expect("the store");
                        let other = serde_json::json!({"data": {"keys.json": format!("{text}\n")}});
                        let other = other.to_string();
                        let head = String::from_utf8_lossy(&head);
                        let mut again = String::new();
                        for line in head.split("\r\n").filter(|l| !l.is_empty()) {
                            if !line.to_ascii_lowercase().starts_with("content-length:") {
                                again.push_str(line);
                                again.push_str("\r\n");
                            }
                        }
                        again.push_str(&format!("Content-Length: {}\r\n\r\n{other}", other.len()));
                        let mut server = TcpStream::connect(&upstream).expect("upstream");
                        server.write_all(again.as_bytes()).expect("overwrite");
                        server.read_to_end(&mut Vec::new()).expect("answer");
                    }
                    if lose {
                        // Stored, and the answer never reaches the client.
                        return;
                    }
                    let _ = reader.get_mut().write_all(&answer);
                }
            });
        }
    });
    format!("http://{addr}")
}

/// A write that landed but whose answer was lost is a success; one that
/// never landed is tried again. Either way exactly one new key, in one new
/// version.
fn lost_answer(b: &Bao) {
    for (name, drop) in [
        ("lost-after", Drop::AfterForwarding),
        ("lost-before", Drop::BeforeForwarding),
    ] {
        let store = Store::new(b, name);
        store.ok(DAY0, &["keygen", "--alg", "EdDSA"]);
        let version = store.version();
        let proxy = lossy_proxy(&store.bao.addr, drop);
        let out = store
            .cmd(DAY0 + 31 * DAY, &["rotate"])
            .env("VAULT_ADDR", &proxy)
            .output()
            .expect("run");
        no_token(&store.bao.token, &out);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(store.version(), version + 1, "{name}");
        assert_eq!(store.kids(DAY0 + 31 * DAY).len(), 2, "{name}");
    }
}

/// A write whose answer was lost and that another writer then wrote over
/// may have landed: rotate stops and says so, and does not rotate again
/// (exactly two new versions: ours and the other writer's).
fn lost_answer_then_overwritten(b: &Bao) {
    let store = Store::new(b, "lost-overwritten");
    store.ok(DAY0, &["keygen", "--alg", "EdDSA"]);
    let version = store.version();
    let proxy = lossy_proxy(&store.bao.addr, Drop::AfterForwardingOverwritten);
    let out = store
        .cmd(DAY0 + 31 * DAY, &["rotate"])
        .env("VAULT_ADDR", &proxy)
        .output()
        .expect("run");
    no_token(&store.bao.token, &out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("may have been saved"), "{stderr}");
    assert_eq!(store.version(), version + 2, "{stderr}");
    assert_eq!(
        store.kids(DAY0 + 31 * DAY).len(),
        2,
        "one rotation, not two"
    );
}

/// `rotate --await-published` on a vault store: four "hosts" (processes)
/// run the daily rotate line at once after the source lists the key. The
/// source answers after a second, so they all fetch before any writes:
/// one check-and-set write records the confirmation, the others re-read
/// and change nothing, and every one of them exits 0.
fn await_confirmed_at_once(b: &Bao) {
    let store = Store::new(b, "await-hosts");
    store.ok(DAY0, &["keygen", "--alg", "EdDSA", "--kid", "old"]);
    let file = store.home.path().join("jwks.json");
    store.ok(DAY0, &["jwks", "--out", file.to_str().unwrap()]);
    let url = slow_source(file.clone(), Duration::from_secs(1));
    let args = [
        "rotate",
        "--if-older-than",
        "30d",
        "--publish-ahead",
        "1h",
        "--await-published",
        &url,
    ];
    store.ok(DAY0 + 31 * DAY, &[&args[..], &["--kid", "new"]].concat());
    let late = DAY0 + 31 * DAY + 7200;
    // Not listed yet: the old key signs past signs_from, nothing written.
    let version = store.version();
    store.ok(late, &args);
    assert_eq!(store.version(), version);
    assert_eq!(list_json(&store, late)[0]["kid"], "old");
    store.ok(late, &["jwks", "--out", file.to_str().unwrap()]);
    let hosts: Vec<Child> = (0..4)
        .map(|_| {
            store
                .cmd(late, &args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let mut confirming = 0;
    for host in hosts {
        let out = host.wait_with_output().expect("wait");
        no_token(&store.bao.token, &out);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        // A host that read the store after the write has nothing to fetch.
        if stderr.starts_with("jwkctl: its --await-published source lists pending key new") {
            confirming += 1;
        } else {
            assert!(stderr.starts_with("jwkctl: nothing to do"), "{stderr}");
        }
    }
    assert!(confirming >= 2, "the hosts did not race");
    assert_eq!(store.version(), version + 1, "one confirmation written");
    let keys = list_json(&store, late);
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0]["kid"], "new");
    assert_eq!(keys[0]["state"], "active");
    assert_eq!(keys[0]["cache_lifetime"], 0);
    assert_eq!(keys[1]["kid"], "old");
    assert_eq!(keys[1]["state"], "retired");
}

/// A loopback URL serving `file` as it is at each request, `delay` late.
fn slow_source(file: PathBuf, delay: Duration) -> String {
    use std::io::Write;
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/jwks.json", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let file = file.clone();
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match stream.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                std::thread::sleep(delay);
                let body = std::fs::read(&file).unwrap_or_default();
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(&body);
            });
        }
    });
    url
}
