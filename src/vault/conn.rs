//! One connection to an OpenBao or Vault server, from the `VAULT_*`
//! environment: what the KV store and transit signers share. The token
//! goes into one request header and nowhere else; [`Conn::redact`] cuts it
//! out of whatever a server or proxy says.

use std::fmt;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;
use ureq::Agent;

use super::MAX_STORE_BYTES;
use super::env::{self, Env, Token};
use crate::fetch;
use crate::http;

/// An answer carries the store JSON-escaped (at most twice as long) and
/// some metadata.
const MAX_ANSWER_BYTES: u64 = 2 * MAX_STORE_BYTES as u64 + (64 << 10);

/// One server and credentials, from the environment. `label` (the store
/// or the signer) starts every message.
#[derive(Debug)]
pub struct Conn {
    addr: String,
    token: Token,
    namespace: Option<String>,
    label: String,
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

/// A request that failed before any answer: `lost` when the server may
/// have acted on it.
pub(super) struct NoAnswer {
    pub(super) error: anyhow::Error,
    pub(super) lost: bool,
}

impl Conn {
    pub fn from_env(vars: &Env, timeout: Duration, label: String) -> Result<Conn> {
        let loc = &label;
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
        Ok(Conn {
            addr,
            token,
            namespace: vars.namespace.clone(),
            label,
            timeout,
            agent: AgentBox(agent),
        })
    }

    /// How every message starts: the store or signer, and the server.
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
        self.send(api_path, body).map_err(|e| e.error)
    }

    pub(super) fn send(
        &self,
        api_path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value), NoAnswer> {
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
