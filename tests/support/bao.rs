//! An OpenBao dev server for the targets that talk to one (`vault`,
//! `transit`): `bao server -dev` on a free loopback port with a root token
//! that cannot appear in output by chance, and the `bao` command line
//! against it.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// A dev server: its address, root token and process.
pub struct Server {
    pub addr: String,
    /// A second listener with a request size limit, when asked for.
    pub small_addr: String,
    pub token: String,
    pub child: Child,
    pub dir: TempDir,
}

/// The target's shared server, kept from its start until its trials are
/// done ([`keep`], [`stop_kept`]).
static KEPT: OnceLock<Mutex<Option<Server>>> = OnceLock::new();

/// Keeps `server` running for the target's trials.
pub fn keep(server: Server) {
    let _ = KEPT.set(Mutex::new(Some(server)));
}

/// Stops the server [`keep`] kept, if any.
pub fn stop_kept() {
    if let Some(lock) = KEPT.get()
        && let Ok(mut server) = lock.lock()
        && let Some(mut server) = server.take()
    {
        server.stop();
    }
}

/// What tests get: the program, and the address and root token of a server.
#[derive(Clone)]
pub struct Bao {
    pub bao: PathBuf,
    pub addr: String,
    pub small_addr: String,
    pub token: String,
}

impl Server {
    /// The CA of a `tls` server.
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("vault-ca.pem")
    }

    pub fn handle(&self, bao: &Path) -> Bao {
        Bao {
            bao: bao.to_owned(),
            addr: self.addr.clone(),
            small_addr: self.small_addr.clone(),
            token: self.token.clone(),
        }
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// A random-looking root token: the tests check it never shows up in
/// jwkctl's output, so it must not be a word that could appear by chance.
pub fn canary_token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("root-canary-{:x}-{}", nanos, std::process::id())
}

/// A dev server; with `tls`, on https with a CA of its own
/// (`DIR/vault-ca.pem`, see [`Server::ca`]); with `small_request`, a
/// second plain listener whose request size limit is that many bytes.
pub fn start(bao: &Path, tls: bool, small_request: Option<usize>) -> Result<Server, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let port = free_port();
    let token = canary_token();
    let scheme = if tls { "https" } else { "http" };
    let addr = format!("{scheme}://127.0.0.1:{port}");
    let log = std::fs::File::create(dir.path().join("server.log")).map_err(|e| e.to_string())?;
    let mut args = vec![
        "server".to_owned(),
        "-dev".to_owned(),
        format!("-dev-listen-address=127.0.0.1:{port}"),
        format!("-dev-root-token-id={token}"),
    ];
    if tls {
        args.push("-dev-tls".to_owned());
        args.push(format!("-dev-tls-cert-dir={}", dir.path().display()));
    }
    let mut small_addr = String::new();
    if let Some(limit) = small_request {
        let small_port = free_port();
        small_addr = format!("http://127.0.0.1:{small_port}");
        let config = dir.path().join("small.hcl");
        std::fs::write(
            &config,
            format!(
                "listener \"tcp\" {{\n  address = \"127.0.0.1:{small_port}\"\n  tls_disable = true\n  max_request_size = {limit}\n}}\n"
            ),
        )
        .map_err(|e| e.to_string())?;
        args.push(format!("-config={}", config.display()));
    }
    let child = Command::new(bao)
        .args(&args)
        .env("HOME", dir.path())
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot start bao: {e}"))?;
    let mut server = Server {
        addr,
        small_addr,
        token,
        child,
        dir,
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut status = Command::new(bao);
        if tls {
            status.env("VAULT_CACERT", server.ca());
        }
        let status = status
            .arg("status")
            .env("VAULT_ADDR", &server.addr)
            .env("HOME", server.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if status.is_ok_and(|s| s.success()) {
            return Ok(server);
        }
        if Instant::now() > deadline {
            server.stop();
            return Err("bao server -dev did not get ready within 30 s".into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `bao ARGS` as root on `b`'s server: its stdout; fails the test when it
/// fails.
pub fn bao(b: &Bao, args: &[&str]) -> String {
    let out = bao_output(b, args);
    assert!(
        out.status.success(),
        "bao {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// `bao ARGS` as root on `b`'s server, whatever it does.
pub fn bao_output(b: &Bao, args: &[&str]) -> Output {
    Command::new(&b.bao)
        .env_clear()
        .env("VAULT_ADDR", &b.addr)
        .env("VAULT_TOKEN", &b.token)
        .env("HOME", std::env::temp_dir())
        .args(args)
        .output()
        .expect("run bao")
}

/// A token of `policy` (HCL text, written as policy `name`).
pub fn token_with_policy(b: &Bao, name: &str, policy: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join(format!("{name}.hcl"));
    std::fs::write(&file, policy).expect("write");
    bao(b, &["policy", "write", name, &file.display().to_string()]);
    bao(
        b,
        &[
            "token",
            "create",
            &format!("-policy={name}"),
            "-field=token",
        ],
    )
    .trim()
    .to_owned()
}

/// Fails when `token` is in the output.
pub fn no_token(token: &str, out: &Output) {
    for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        assert!(
            !String::from_utf8_lossy(bytes).contains(token),
            "the token appeared on {name}"
        );
    }
}
