//! The key store as a secret of an OpenBao or Vault KV version 2 engine
//! (`-k vault:MOUNT/PATH`). The secret's one field, `keys.json`, holds the
//! store's text byte for byte as a file store would. A change reads the
//! current version V and writes with check-and-set `cas=V`, the engine's
//! equivalent of our lock file: when another writer got there first it
//! reads again and applies the change again, for up to 30 s.
//!
//! Only the KV v2 HTTP API is used, over the same rustls/ureq stack and
//! loopback rule as `verify --jwks`. The token goes into one request
//! header and nowhere else: not into messages, and not into `Debug`.

use std::fmt;
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};
use ureq::Agent;

use crate::clock::Time;
use crate::context::Ctx;
use crate::fetch;
use crate::input;
use crate::store::KeyStore;

/// What `-k` starts with to name a secret instead of a file.
pub const SCHEME: &str = "vault:";
/// The one field of the secret.
pub const FIELD: &str = "keys.json";
/// The largest store read or written (as for a file store).
const MAX_STORE_BYTES: usize = 16 << 20;
/// An answer carries the store JSON-escaped (at most twice as long) and
/// some metadata.
const MAX_ANSWER_BYTES: u64 = 2 * MAX_STORE_BYTES as u64 + (64 << 10);

/// `MOUNT/PATH`: the engine's mount (the first segment) and the secret's
/// path inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub mount: String,
    pub path: String,
}

impl Location {
    /// Parses what follows `vault:`.
    pub fn parse(text: &str) -> Result<Location, String> {
        let example = "write it like vault:secret/jwkctl, MOUNT/PATH of a KV version 2 engine";
        let (mount, path) = text
            .split_once('/')
            .ok_or_else(|| format!("{SCHEME}{text}: no PATH after the mount ({example})"))?;
        let segments_ok = text.split('/').all(|s| {
            !s.is_empty()
                && s != "."
                && s != ".."
                && s.chars()
                    .all(|c| c.is_ascii_graphic() && !matches!(c, '?' | '#' | '%' | '\\'))
        });
        if mount.is_empty() || path.is_empty() || !segments_ok {
            return Err(format!(
                "{SCHEME}{text}: not a secret's path (no empty, '.' or '..' segments, no spaces, '?', '#', '%' or '\\'; {example})"
            ));
        }
        Ok(Location {
            mount: mount.to_owned(),
            path: path.to_owned(),
        })
    }

    /// Where the API keeps the secret's versions: `MOUNT/data/PATH`, the
    /// path policies name.
    pub fn data_path(&self) -> String {
        format!("{}/data/{}", self.mount, self.path)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{SCHEME}{}/{}", self.mount, self.path)
    }
}

/// A token: `Debug` never shows it.
#[derive(Clone)]
struct Token(String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(hidden)")
    }
}

/// The `VAULT_*` variables (and `HOME`, for `~/.vault-token`), read once
/// with the global options; checked only when a `vault:` store is used.
#[derive(Clone, Debug, Default)]
pub struct Env {
    addr: Option<String>,
    token: Option<Token>,
    cacert: Option<PathBuf>,
    namespace: Option<String>,
    home: Option<PathBuf>,
}

impl Env {
    pub fn from_process() -> Env {
        Env {
            addr: env("VAULT_ADDR"),
            token: env("VAULT_TOKEN").map(Token),
            cacert: env("VAULT_CACERT").map(PathBuf::from),
            namespace: env("VAULT_NAMESPACE"),
            home: env("HOME").map(PathBuf::from),
        }
    }
}

/// One server and credentials, from the environment: what the KV store
/// and transit signers share. `label` starts every message (`vault:...`
/// or `transit:...`).
#[derive(Debug)]
pub struct Conn {
    addr: String,
    token: Token,
    namespace: Option<String>,
    label: String,
    timeout: Duration,
    agent: AgentBox,
}

/// The KV store's client: a connection and the secret's location.
#[derive(Debug)]
struct Client<'a> {
    conn: Conn,
    loc: &'a Location,
}

impl std::ops::Deref for Client<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.conn
    }
}

/// `ureq::Agent` has no `Debug`; the client's does not need its insides.
struct AgentBox(Agent);

impl fmt::Debug for AgentBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Agent")
    }
}

/// The secret as read: its current version (0: none yet) and the store's
/// text when that version is live.
struct Secret {
    version: u64,
    text: Option<String>,
    /// The current version was deleted or destroyed (not just absent).
    gone: bool,
}

/// Why a write did not land.
enum WriteError {
    /// Another writer wrote first: read again and retry.
    Conflict,
    Failed(anyhow::Error),
}

impl<'a> Client<'a> {
    fn from_env(ctx: &Ctx, loc: &'a Location) -> Result<Client<'a>> {
        Ok(Client {
            conn: Conn::from_env(ctx, loc.to_string())?,
            loc,
        })
    }
}

impl Conn {
    /// A connection for what `label` names, from `ctx`'s `VAULT_*`.
    pub fn from_env(ctx: &Ctx, label: String) -> Result<Conn> {
        let loc = &label;
        let vars = &ctx.vault;
        let addr = vars.addr.clone().ok_or_else(|| {
            anyhow!(
                "{loc}: VAULT_ADDR is not set (export VAULT_ADDR=https://HOST:8200, the address of the OpenBao or Vault server)"
            )
        })?;
        let addr = addr.trim().trim_end_matches('/').to_owned();
        let authority = addr
            .split_once("://")
            .map_or("", |(_, rest)| rest.split('/').next().unwrap_or(""));
        if authority.contains('@') {
            bail!(
                "{loc}: VAULT_ADDR carries credentials (user:password@host), which jwkctl never sends (remove them; the token comes from VAULT_TOKEN)"
            );
        }
        let uri =
            fetch::check_url(&addr).map_err(|what| anyhow!("{loc}: VAULT_ADDR {addr}: {what}"))?;
        let agent = if uri.scheme_str() == Some("https") {
            fetch::agent(vars.cacert.as_deref()).with_context(|| format!("{loc}: VAULT_CACERT"))?
        } else {
            // Plain http (loopback only): no certificates to load.
            Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .user_agent(concat!("jwkctl/", env!("CARGO_PKG_VERSION")))
                .proxy(None)
                .build()
                .into()
        };
        let token = token(vars, loc)?;
        Ok(Conn {
            addr,
            token,
            namespace: vars.namespace.clone(),
            label,
            timeout: ctx.fetch_timeout,
            agent: AgentBox(agent),
        })
    }

    /// How every message starts: what is used, and the server.
    pub fn at(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} at {} (namespace {ns})", self.label, self.addr),
            None => format!("{} at {}", self.label, self.addr),
        }
    }

    /// `text` with the token cut out: servers and proxies may quote the
    /// request's headers back in an error.
    pub fn redact(&self, text: &str) -> String {
        text.replace(self.token.0.as_str(), "[token hidden]")
    }

    fn url(&self, api_path: &str) -> String {
        format!("{}/v1/{api_path}", self.addr)
    }

    /// One request with its own timeout. `body`: a POST with that JSON.
    pub fn request(&self, api_path: &str, body: Option<&Value>) -> Result<(u16, Value)> {
        let url = self.url(api_path);
        let fail = |what: String| anyhow!("{}: {what}", self.at());
        let response = match body {
            None => self
                .with_headers(self.agent.0.get(&url))
                .config()
                .timeout_global(Some(self.timeout))
                .build()
                .call(),
            Some(body) => {
                let bytes = serde_json::to_vec(body)?;
                self.with_headers(self.agent.0.post(&url))
                    .header("Content-Type", "application/json")
                    .config()
                    .timeout_global(Some(self.timeout))
                    .build()
                    .send(&bytes[..])
            }
        }
        .map_err(|e| fail(describe(&e, self.timeout)))?;
        let status = response.status().as_u16();
        let bytes = response
            .into_body()
            .with_config()
            .limit(MAX_ANSWER_BYTES)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => fail(format!(
                    "the answer is larger than {} MiB, which no key store needs (check the path)",
                    MAX_ANSWER_BYTES >> 20
                )),
                e => fail(describe(&e, self.timeout)),
            })?;
        // 204 and some errors have no body.
        let value = if bytes.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).map_err(|_| {
                fail(format!(
                    "HTTP {status} with an answer that is not JSON (check that VAULT_ADDR is the OpenBao or Vault API)"
                ))
            })?
        };
        Ok((status, value))
    }

    fn with_headers<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        let request = request
            .header("X-Vault-Token", self.token.0.as_str())
            .header("X-Vault-Request", "true");
        match &self.namespace {
            Some(ns) => request.header("X-Vault-Namespace", ns.as_str()),
            None => request,
        }
    }
}

impl Client<'_> {
    /// The secret's current version and, when it is live, its text.
    fn read(&self) -> Result<Secret> {
        let (status, answer) = self.request(&self.loc.data_path(), None)?;
        let metadata = &answer["data"]["metadata"];
        match status {
            200 => {
                let Some(version) = metadata["version"].as_u64() else {
                    self.check_mount()?;
                    bail!(
                        "{}: the answer has no version metadata (is {}/ a KV version 2 engine?)",
                        self.at(),
                        self.loc.mount
                    );
                };
                let gone = is_gone(metadata);
                let data = &answer["data"]["data"];
                if gone || data.is_null() {
                    return Ok(Secret {
                        version,
                        text: None,
                        gone: true,
                    });
                }
                let Some(text) = data.get(FIELD).and_then(Value::as_str) else {
                    bail!(
                        "{}: the secret has no text field {FIELD:?} (a jwkctl store keeps its text there: is this the right path?)",
                        self.at()
                    );
                };
                if text.len() > MAX_STORE_BYTES {
                    bail!(
                        "{}: the store is larger than 16 MiB, which no key store needs (check the path)",
                        self.at()
                    );
                }
                Ok(Secret {
                    version,
                    text: Some(text.to_owned()),
                    gone: false,
                })
            }
            // A deleted or destroyed latest version still has metadata.
            404 if metadata["version"].as_u64().is_some() => Ok(Secret {
                version: metadata["version"].as_u64().unwrap_or(0),
                text: None,
                gone: true,
            }),
            404 => {
                self.check_mount()?;
                Ok(Secret {
                    version: 0,
                    text: None,
                    gone: false,
                })
            }
            _ => Err(self.refused(status, &answer, "read")),
        }
    }

    /// Writes `text` as the version after `cas`.
    fn write(&self, text: &str, cas: u64) -> Result<(), WriteError> {
        let body = json!({"options": {"cas": cas}, "data": {FIELD: text}});
        let (status, answer) = self
            .request(&self.loc.data_path(), Some(&body))
            .map_err(WriteError::Failed)?;
        match status {
            200 | 204 => Ok(()),
            400 if server_message(&answer).contains("check-and-set") => Err(WriteError::Conflict),
            _ => Err(WriteError::Failed(self.refused(
                status,
                &answer,
                if cas == 0 { "create" } else { "update" },
            ))),
        }
    }

    /// A path that does not answer as a KV v2 secret: names what the mount
    /// is instead, when it is not a KV version 2 engine.
    fn check_mount(&self) -> Result<()> {
        let mount = &self.loc.mount;
        let api = format!("sys/internal/ui/mounts/{mount}/{}", self.loc.path);
        let (status, answer) = self.request(&api, None)?;
        if status != 200 {
            // The preflight answers 403 for a mount that does not exist.
            bail!(
                "{}: no secrets engine this token can use is mounted at {mount}/ (see 'bao secrets list'; create one with 'bao secrets enable -path={mount} kv-v2')",
                self.at()
            );
        }
        let data = &answer["data"];
        let kind = data["type"].as_str().unwrap_or("");
        let at = data["path"].as_str().unwrap_or("");
        if !at.is_empty() && at.trim_end_matches('/') != mount {
            bail!(
                "{}: the engine holding this path is mounted at {at}, and jwkctl takes MOUNT to be the first segment ({mount}/) (keep the store in an engine mounted at a one-segment path)",
                self.at()
            );
        }
        let version = data["options"]["version"].as_str().unwrap_or("1");
        match kind {
            "kv" | "generic" if version == "2" => Ok(()),
            "kv" | "generic" => bail!(
                "{}: {mount}/ is a KV version 1 engine, which has no check-and-set and no version history (use a KV version 2 mount, or upgrade this one with 'bao kv enable-versioning {mount}/')",
                self.at()
            ),
            other => bail!(
                "{}: {mount}/ is a {other:?} secrets engine, not KV version 2 (name a KV version 2 mount)",
                self.at()
            ),
        }
    }

    /// An answer other than success: the server's own message and what to do.
    fn refused(&self, status: u16, answer: &Value, capability: &str) -> anyhow::Error {
        let message = server_message(answer);
        let said = if message.is_empty() {
            format!("HTTP {status}")
        } else {
            format!("HTTP {status}: {message}")
        };
        let data_path = self.loc.data_path();
        let remedy = match status {
            403 if capability == "read" => format!(
                "the token's policy needs \"read\" on {data_path}; check VAULT_TOKEN, which may also have expired"
            ),
            403 => format!(
                "the token's policy needs \"read\", \"create\" and \"update\" on {data_path} to change the store; this one lacks {capability:?} (or the token expired)"
            ),
            503 if message.contains("sealed") => {
                "the server is sealed: unseal it ('bao operator unseal'), then try again".to_owned()
            }
            413 => "the store is larger than the server's max_request_size: prune old keys, or raise the listener's max_request_size".to_owned(),
            s if s >= 500 => "the server failed; try again later".to_owned(),
            _ => "check VAULT_ADDR and the path".to_owned(),
        };
        anyhow!("{}: {said} ({remedy})", self.at())
    }
}

/// A failed request as `verify --jwks` words it, with the variable that
/// names a private CA here.
fn describe(err: &ureq::Error, timeout: Duration) -> String {
    fetch::describe(err, timeout).replace("with --ca-file", "with VAULT_CACERT")
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn is_gone(metadata: &Value) -> bool {
    metadata["destroyed"].as_bool() == Some(true)
        || metadata["deletion_time"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
}

/// The server's `errors`, on one line ("1 error occurred:\n\t* permission
/// denied\n\n" becomes "permission denied").
pub fn server_message(answer: &Value) -> String {
    let Some(errors) = answer["errors"].as_array() else {
        return String::new();
    };
    let mut parts = Vec::new();
    for error in errors.iter().filter_map(Value::as_str) {
        let bullets: Vec<&str> = error
            .lines()
            .filter_map(|l| l.trim().strip_prefix("* "))
            .collect();
        if bullets.is_empty() {
            parts.push(error.split_whitespace().collect::<Vec<_>>().join(" "));
        } else {
            parts.extend(bullets.iter().map(|b| b.trim().to_owned()));
        }
    }
    parts.join("; ")
}

/// `VAULT_TOKEN`, else `~/.vault-token` (what `bao login` writes).
fn token(vars: &Env, loc: &str) -> Result<Token> {
    let (token, from) = match &vars.token {
        Some(token) => (token.0.clone(), "VAULT_TOKEN".to_owned()),
        None => {
            let file = vars.home.as_ref().map(|h| h.join(".vault-token"));
            match file.filter(|f| f.is_file()) {
                Some(file) => {
                    let bytes = input::read_file(&file, input::VAULT_TOKEN_FILE)?;
                    let text = String::from_utf8(bytes).unwrap_or_default();
                    (text, file.display().to_string())
                }
                None => bail!(
                    "{loc}: no token: VAULT_TOKEN is not set and there is no ~/.vault-token (log in with 'bao login', or export VAULT_TOKEN)"
                ),
            }
        }
    };
    let token = token.trim().to_owned();
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        // Never echo it: it may be a real token with a stray character.
        bail!("{loc}: the token in {from} is empty or has characters a token never has (check it)");
    }
    Ok(Token(token))
}

fn missing(client: &Client, secret: &Secret) -> anyhow::Error {
    let loc = client.loc;
    if secret.gone {
        anyhow!(
            "{}: the latest version ({}) of the secret is deleted (bring it back with 'bao kv undelete -versions={} {}/{}' or 'bao kv rollback', or create a new store with 'jwkctl keygen -k {loc}')",
            client.at(),
            secret.version,
            secret.version,
            loc.mount,
            loc.path
        )
    } else {
        anyhow!(
            "{}: no such secret (create one with 'jwkctl keygen -k {loc}')",
            client.at()
        )
    }
}

fn parse(client: &Client, text: &str, now: Time) -> Result<KeyStore> {
    let loc = client.loc;
    KeyStore::parse(text.as_bytes(), now)
        .with_context(|| format!("{}: not a valid key store", client.at()))
        .map_err(|e| {
            anyhow!(
                "{e:#} (fix it with 'bao kv put {}/{} {FIELD}=@keys.json', or go back to an earlier version with 'bao kv rollback -version=N {}/{}')",
                loc.mount,
                loc.path,
                loc.mount,
                loc.path
            )
        })
}

pub fn load(ctx: &Ctx, loc: &Location) -> Result<KeyStore> {
    let client = Client::from_env(ctx, loc)?;
    let secret = client.read()?;
    let Some(text) = &secret.text else {
        return Err(missing(&client, &secret));
    };
    parse(&client, text, ctx.now)
}

/// The secret's current version (0 when there is none): what `serve`
/// polls to see that the store changed.
pub fn version(ctx: &Ctx, loc: &Location) -> Result<u64> {
    let client = Client::from_env(ctx, loc)?;
    Ok(client.read()?.version)
}

/// A pause before reading again after a lost check-and-set: random, so
/// writers that collided do not collide again in step.
fn backoff(attempt: u32) {
    let most = 10 + 20 * u64::from(attempt.min(5));
    thread::sleep(Duration::from_millis(5 + rand::random::<u64>() % most));
}

/// Reads, applies `change` and writes with `cas`, again from the read
/// while another writer keeps winning, until `ctx.lock_timeout`.
pub fn update<T>(
    ctx: &Ctx,
    loc: &Location,
    mut change: impl FnMut(&mut KeyStore, Time) -> Result<T>,
) -> Result<T> {
    let client = Client::from_env(ctx, loc)?;
    let start = Instant::now();
    let mut attempt = 0;
    loop {
        let secret = client.read()?;
        // After the read, as a file writer reads it after the lock: a key
        // another writer added meanwhile is never "from the future".
        let now = ctx.now_again();
        let Some(before) = &secret.text else {
            return Err(missing(&client, &secret));
        };
        let mut store = parse(&client, before, now)?;
        let result = change(&mut store, now)?;
        let after = text_of(&store, now)?;
        if after == *before {
            return Ok(result);
        }
        match client.write(&after, secret.version) {
            Ok(()) => return Ok(result),
            Err(WriteError::Failed(e)) => return Err(e),
            Err(WriteError::Conflict) => {
                attempt += 1;
                if start.elapsed() >= ctx.lock_timeout {
                    return Err(busy(&client, ctx.lock_timeout));
                }
                backoff(attempt);
            }
        }
    }
}

fn busy(client: &Client, waited: Duration) -> anyhow::Error {
    anyhow!(
        "{}: other writers kept changing the secret for {} and this change was not saved (try again; see 'bao kv metadata get {}/{}' for who writes)",
        client.at(),
        crate::clock::show_duration(waited),
        client.loc.mount,
        client.loc.path
    )
}

fn text_of(store: &KeyStore, now: Time) -> Result<String> {
    // The request body is a copy jwkctl cannot wipe (it goes to the server).
    std::str::from_utf8(&store.to_json(now))
        .map(str::to_owned)
        .map_err(|_| anyhow!("the store is not UTF-8 text"))
}

/// Writes a new store: with `cas=0` (the secret must not exist), or over a
/// deleted latest version; with `force`, over the current version.
pub fn create(ctx: &Ctx, loc: &Location, store: &KeyStore, force: bool) -> Result<()> {
    let client = Client::from_env(ctx, loc)?;
    let text = text_of(store, ctx.now)?;
    let start = Instant::now();
    let mut attempt = 0;
    loop {
        let secret = client.read()?;
        if secret.text.is_some() && !force {
            return Err(exists(&client));
        }
        match client.write(&text, secret.version) {
            Ok(()) => return Ok(()),
            Err(WriteError::Failed(e)) => return Err(e),
            Err(WriteError::Conflict) => {
                attempt += 1;
                if start.elapsed() >= ctx.lock_timeout {
                    return Err(busy(&client, ctx.lock_timeout));
                }
                backoff(attempt);
            }
        }
    }
}

fn exists(client: &Client) -> anyhow::Error {
    anyhow!(
        "{}: a key store already exists (use --force to replace it and lose its keys (earlier versions stay in the secret's history), or -k to choose another path)",
        client.at()
    )
}

/// `keygen` without `--force`: refuses before generating a key.
pub fn refuse_existing(ctx: &Ctx, loc: &Location) -> Result<()> {
    let client = Client::from_env(ctx, loc)?;
    if client.read()?.text.is_some() {
        return Err(exists(&client));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations() {
        let loc = Location::parse("secret/team/jwkctl").unwrap();
        assert_eq!(loc.mount, "secret");
        assert_eq!(loc.path, "team/jwkctl");
        assert_eq!(loc.data_path(), "secret/data/team/jwkctl");
        assert_eq!(loc.to_string(), "vault:secret/team/jwkctl");
        for bad in [
            "secret", "secret/", "/x", "a//b", "a/../b", "a/b c", "a/b?x", "",
        ] {
            assert!(Location::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn server_messages_on_one_line() {
        let answer = json!({"errors": ["1 error occurred:\n\t* permission denied\n\n"]});
        assert_eq!(server_message(&answer), "permission denied");
        let answer =
            json!({"errors": ["check-and-set parameter did not match the current version"]});
        assert_eq!(
            server_message(&answer),
            "check-and-set parameter did not match the current version"
        );
        assert_eq!(server_message(&json!({"errors": []})), "");
    }

    #[test]
    fn the_token_is_not_in_debug() {
        assert_eq!(format!("{:?}", Token("s.secret".into())), "Token(hidden)");
        let vars = Env {
            token: Some(Token("s.secret".into())),
            ..Env::default()
        };
        assert!(!format!("{vars:?}").contains("s.secret"));
    }
}
