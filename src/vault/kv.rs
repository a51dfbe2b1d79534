//! The KV version 2 HTTP API, as much of it as a key store needs: read the
//! secret with its version, write with check-and-set, and ask what the
//! token may do. The token goes into one request header and nowhere else.

use std::fmt;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};
use ureq::Agent;

use super::env::{self, Env, Token};
use super::remedy;
use super::{FIELD, MAX_STORE_BYTES};
use crate::fetch;
use crate::http;
use crate::location::VaultPath;

/// An answer carries the store JSON-escaped (at most twice as long) and
/// some metadata.
const MAX_ANSWER_BYTES: u64 = 2 * MAX_STORE_BYTES as u64 + (64 << 10);

/// One server and credentials, from the environment.
#[derive(Debug)]
pub(super) struct Client<'a> {
    addr: String,
    token: Token,
    namespace: Option<String>,
    pub(super) loc: &'a VaultPath,
    timeout: Duration,
    agent: AgentBox,
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
pub(super) struct Secret {
    pub(super) version: u64,
    pub(super) text: Option<String>,
    /// The current version was deleted or destroyed (not just absent).
    pub(super) gone: bool,
}

/// Why a write did not land, or may not have.
pub(super) enum WriteError {
    /// Another writer wrote first: read again and retry.
    Conflict,
    /// The request may have reached the server, but its answer never came
    /// back (the connection broke, or the time ran out): read to learn
    /// whether it landed.
    Lost(anyhow::Error),
    Failed(anyhow::Error),
}

/// A request that failed before any answer: `lost` when the server may
/// have acted on it.
struct NoAnswer {
    error: anyhow::Error,
    lost: bool,
}

impl<'a> Client<'a> {
    pub(super) fn from_env(
        vars: &Env,
        timeout: Duration,
        loc: &'a VaultPath,
    ) -> Result<Client<'a>> {
        let addr = vars.addr.clone().ok_or_else(|| {
            anyhow!(
                "{loc}: VAULT_ADDR is not set (export VAULT_ADDR=https://HOST:8200, the address of the OpenBao or Vault server)"
            )
        })?;
        let addr = addr.trim().trim_end_matches('/').to_owned();
        if http::has_credentials(&addr) {
            bail!(
                "{loc}: VAULT_ADDR carries credentials (user:password@host), which jwkctl never sends (remove them; the token comes from VAULT_TOKEN)"
            );
        }
        let uri =
            fetch::check_url(&addr).map_err(|what| anyhow!("{loc}: VAULT_ADDR {addr}: {what}"))?;
        let tls = if uri.scheme_str() == Some("https") {
            let extra = match &vars.cacert {
                Some(path) => {
                    fetch::read_ca_file(path).with_context(|| format!("{loc}: VAULT_CACERT"))?
                }
                None => Vec::new(),
            };
            http::Tls::Roots(extra)
        } else {
            http::Tls::None
        };
        let agent = http::agent(tls, "application/json");
        let token = env::token(vars, loc)?;
        Ok(Client {
            addr,
            token,
            namespace: vars.namespace.clone(),
            loc,
            timeout,
            agent: AgentBox(agent),
        })
    }

    /// How every message starts: the store and the server.
    pub(super) fn at(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} at {} (namespace {ns})", self.loc, self.addr),
            None => format!("{} at {}", self.loc, self.addr),
        }
    }

    /// `text` with the token cut out: servers and proxies may quote the
    /// request's headers back in an error.
    pub(super) fn redact(&self, text: &str) -> String {
        text.replace(self.token.0.as_str(), "[token hidden]")
    }

    fn url(&self, api_path: &str) -> String {
        format!("{}/v1/{api_path}", self.addr)
    }

    /// One request with its own timeout. `body`: a POST with that JSON.
    fn request(&self, api_path: &str, body: Option<&Value>) -> Result<(u16, Value)> {
        self.send(api_path, body).map_err(|e| e.error)
    }

    fn send(&self, api_path: &str, body: Option<&Value>) -> Result<(u16, Value), NoAnswer> {
        let url = self.url(api_path);
        let fail = |what: String| anyhow!("{}: {what}", self.at());
        let transport = |e: ureq::Error| NoAnswer {
            lost: answer_lost(&e),
            error: fail(describe(&e, self.timeout)),
        };
        let response = match body {
            None => self
                .with_headers(self.agent.0.get(&url))
                .config()
                .timeout_global(Some(self.timeout))
                .build()
                .call(),
            Some(body) => {
                let bytes = serde_json::to_vec(body).map_err(|e| NoAnswer {
                    error: e.into(),
                    lost: false,
                })?;
                self.with_headers(self.agent.0.post(&url))
                    .header("Content-Type", "application/json")
                    .config()
                    .timeout_global(Some(self.timeout))
                    .build()
                    .send(&bytes[..])
            }
        }
        .map_err(transport)?;
        let status = response.status().as_u16();
        let bytes = response
            .into_body()
            .with_config()
            .limit(MAX_ANSWER_BYTES)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => NoAnswer {
                    error: fail(format!(
                        "the answer is larger than {} MiB, which no key store needs (check the path)",
                        MAX_ANSWER_BYTES >> 20
                    )),
                    lost: false,
                },
                // The head came, the rest did not.
                e => NoAnswer {
                    error: fail(describe(&e, self.timeout)),
                    lost: true,
                },
            })?;
        // 204 and some errors have no body.
        let value = if bytes.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            lean_answer(&bytes).map_err(|_| NoAnswer {
                error: fail(format!(
                    "HTTP {status} with an answer that is not JSON (check that VAULT_ADDR is the OpenBao or Vault API)"
                )),
                lost: false,
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

    /// The secret's current version and, when it is live, its text.
    pub(super) fn read(&self) -> Result<Secret> {
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
            _ => Err(remedy::refused(self, status, &answer, "read")),
        }
    }

    /// Writes `text` as the version after `cas`.
    pub(super) fn write(&self, text: &str, cas: u64) -> Result<(), WriteError> {
        let body = json!({"options": {"cas": cas}, "data": {FIELD: text}});
        let (status, answer) = match self.send(&self.loc.data_path(), Some(&body)) {
            Ok(answer) => answer,
            Err(NoAnswer { error, lost: true }) => return Err(WriteError::Lost(error)),
            Err(NoAnswer { error, lost: false }) => return Err(WriteError::Failed(error)),
        };
        match status {
            200 | 204 => Ok(()),
            400 if remedy::server_message(&answer).contains("check-and-set") => {
                Err(WriteError::Conflict)
            }
            _ => Err(WriteError::Failed(remedy::refused(
                self,
                status,
                &answer,
                if cas == 0 { "create" } else { "update" },
            ))),
        }
    }

    /// What the token may do on the secret (`sys/capabilities-self`), or
    /// `None` when the server will not say.
    pub(super) fn capabilities(&self) -> Option<Vec<String>> {
        let path = self.loc.data_path();
        let body = json!({"paths": [path]});
        let (status, answer) = self.request("sys/capabilities-self", Some(&body)).ok()?;
        if status != 200 {
            return None;
        }
        // Newer servers answer under the path, older ones under
        // "capabilities"; both also repeat it in "data".
        let list = [
            &answer[&path],
            &answer["data"][&path],
            &answer["capabilities"],
        ]
        .into_iter()
        .find_map(Value::as_array)?;
        Some(
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
        )
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
}

/// A failed request as `verify --jwks` words it, with the variable that
/// names a private CA here.
fn describe(err: &ureq::Error, timeout: Duration) -> String {
    fetch::describe(err, timeout).replace("with --ca-file", "with VAULT_CACERT")
}

/// Whether a request that failed this way may have reached the server:
/// only failures before the connection was made say it did not.
fn answer_lost(err: &ureq::Error) -> bool {
    use ureq::Error as E;
    match err {
        E::HostNotFound
        | E::ConnectionFailed
        | E::BadUri(_)
        | E::Tls(_)
        | E::Rustls(_)
        | E::BodyExceedsLimit(_) => false,
        E::Io(e) => e.kind() != std::io::ErrorKind::ConnectionRefused,
        _ => true,
    }
}

/// How many JSON values of an answer are kept: a few dozen are all any
/// answer jwkctl reads has (the store itself is one string).
const ANSWER_VALUES: usize = 4096;

/// An answer as a JSON tree of at most [`ANSWER_VALUES`] values, the rest
/// read and dropped (as `null`): a tree of every value of a 30 MiB answer
/// of tiny values would take a gigabyte.
fn lean_answer(bytes: &[u8]) -> serde_json::Result<Value> {
    use serde::de::DeserializeSeed;
    let budget = std::cell::Cell::new(ANSWER_VALUES);
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let value = Lean(&budget).deserialize(&mut reader)?;
    reader.end()?;
    Ok(value)
}

/// One value of [`lean_answer`], counted against the budget.
#[derive(Clone, Copy)]
struct Lean<'a>(&'a std::cell::Cell<usize>);

impl Lean<'_> {
    /// Whether one more value may be kept.
    fn take(self) -> bool {
        let left = self.0.get();
        self.0.set(left.saturating_sub(1));
        left > 0
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Lean<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Lean<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(if self.take() {
            Value::Bool(v)
        } else {
            Value::Null
        })
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(if self.take() { v.into() } else { Value::Null })
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(if self.take() { v.into() } else { Value::Null })
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(if self.take() { v.into() } else { Value::Null })
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(if self.take() { v.into() } else { Value::Null })
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(if self.take() { v.into() } else { Value::Null })
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        if !self.take() {
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            return Ok(Value::Null);
        }
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            if self.0.get() > 0 || !item.is_null() {
                items.push(item);
            }
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        if !self.take() {
            while map
                .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                .is_some()
            {}
            return Ok(Value::Null);
        }
        let mut members = serde_json::Map::new();
        while let Some(name) = map.next_key::<String>()? {
            let value = map.next_value_seed(self)?;
            // Past the budget, not even the name is kept.
            if self.0.get() > 0 || !value.is_null() {
                members.insert(name, value);
            }
        }
        Ok(Value::Object(members))
    }
}

fn is_gone(metadata: &Value) -> bool {
    metadata["destroyed"].as_bool() == Some(true)
        || metadata["deletion_time"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
}
