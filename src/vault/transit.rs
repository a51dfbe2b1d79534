//! The transit secrets engine of OpenBao and Vault, as jwkctl uses it:
//! which key type an algorithm needs, the body of a sign request, what the
//! answers hold, and the requests that create, rotate, sign with and
//! destroy versions of a key.
//!
//! [`Engine`] sends the requests over the `vault:` store's connection
//! (`VAULT_*`, rustls, the request timeout, the token in one header).
//!
//! What OpenBao 2.7.2 does that shapes this (docs/transit.md):
//! - PSS signs with the longest salt unless `salt_length` says otherwise;
//!   RFC 7518 wants the salt as long as the hash, so `"hash"` is sent.
//! - ECDSA signatures come as ASN.1 unless `marshaling_algorithm` is
//!   `"jws"`, which gives JWS's `r || s`, base64url without padding; RSA
//!   and Ed25519 signatures come in standard base64.
//! - A request body may hold at most 1,000 JSON strings; each batch item
//!   is two, so a batch is at most [`BATCH`] items.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Value, json};

use super::conn::Conn;
use super::env::Env;
use super::remedy::server_message;
use crate::alg::Alg;
use crate::crypto::spki;
use crate::signer::SignerKey;

/// The most inputs one sign request carries (the server refuses 499).
pub const BATCH: usize = 400;

/// The transit key type an algorithm needs (`bits`: RSA only).
pub fn key_type(alg: Alg, bits: u32) -> String {
    match alg {
        Alg::Es256 => "ecdsa-p256".into(),
        Alg::Es384 => "ecdsa-p384".into(),
        Alg::Es512 => "ecdsa-p521".into(),
        Alg::EdDsa => "ed25519".into(),
        _ => format!("rsa-{bits}"),
    }
}

/// The hash transit computes over the input, by its name.
fn hash(alg: Alg) -> &'static str {
    match alg {
        Alg::Rs256 | Alg::Ps256 | Alg::Es256 | Alg::EdDsa => "sha2-256",
        Alg::Rs384 | Alg::Ps384 | Alg::Es384 => "sha2-384",
        Alg::Rs512 | Alg::Ps512 | Alg::Es512 => "sha2-512",
    }
}

/// The body of `POST MOUNT/sign/NAME` for the JWS signing inputs
/// `inputs` (each `header.payload`), with key version `version`. The hash
/// goes in the body, not the path, so that `MOUNT/sign/NAME` is the one
/// path a policy names.
pub fn sign_body(alg: Alg, version: u64, inputs: &[&[u8]]) -> Value {
    let mut body = json!({ "key_version": version });
    let fields = body.as_object_mut();
    if let Some(fields) = fields {
        match alg {
            Alg::Rs256 | Alg::Rs384 | Alg::Rs512 => {
                fields.insert("hash_algorithm".into(), hash(alg).into());
                fields.insert("signature_algorithm".into(), "pkcs1v15".into());
            }
            Alg::Ps256 | Alg::Ps384 | Alg::Ps512 => {
                fields.insert("hash_algorithm".into(), hash(alg).into());
                fields.insert("signature_algorithm".into(), "pss".into());
                fields.insert("salt_length".into(), "hash".into());
            }
            Alg::Es256 | Alg::Es384 | Alg::Es512 => {
                fields.insert("hash_algorithm".into(), hash(alg).into());
                fields.insert("marshaling_algorithm".into(), "jws".into());
            }
            // Pure Ed25519 over the input: no hash to name.
            Alg::EdDsa => {}
        }
        let std = base64::engine::general_purpose::STANDARD;
        let batch: Vec<Value> = inputs
            .iter()
            .map(|input| json!({ "input": std.encode(input) }))
            .collect();
        fields.insert("batch_input".into(), Value::Array(batch));
    }
    body
}

/// Why a signature from the server is not one.
#[derive(Debug, PartialEq, Eq)]
pub enum BadSignature {
    /// Not `vault:vN:...`.
    Form,
    /// Made with another key version than asked for.
    Version(u64),
    /// Not base64 of the length the algorithm gives.
    Encoding,
}

/// The signature bytes of one answer item (`vault:vV:BASE64`), made with
/// version `version`, as JWS wants them: `r || s` for ECDSA, the bytes
/// for RSA and Ed25519.
pub fn signature(alg: Alg, version: u64, text: &str) -> Result<Vec<u8>, BadSignature> {
    let rest = text.strip_prefix("vault:v").ok_or(BadSignature::Form)?;
    let (made_with, encoded) = rest.split_once(':').ok_or(BadSignature::Form)?;
    let made_with: u64 = made_with.parse().map_err(|_| BadSignature::Form)?;
    if made_with != version {
        return Err(BadSignature::Version(made_with));
    }
    let lenient = GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let engine = if matches!(alg, Alg::Es256 | Alg::Es384 | Alg::Es512) {
        GeneralPurpose::new(&alphabet::URL_SAFE, lenient)
    } else {
        GeneralPurpose::new(&alphabet::STANDARD, lenient)
    };
    let bytes = engine.decode(encoded).map_err(|_| BadSignature::Encoding)?;
    let fits = match alg {
        Alg::Es256 => bytes.len() == 64,
        Alg::Es384 => bytes.len() == 96,
        Alg::Es512 => bytes.len() == 132,
        Alg::EdDsa => bytes.len() == 64,
        // The modulus's length, which the check against the key settles.
        _ => bytes.len() >= 256,
    };
    if !fits {
        return Err(BadSignature::Encoding);
    }
    Ok(bytes)
}

/// One version's public key as transit gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicKey {
    /// SubjectPublicKeyInfo PEM (RSA and ECDSA keys).
    Pem(String),
    /// The 32 bytes of an Ed25519 key.
    Ed25519(Vec<u8>),
}

/// What jwkctl reads of a transit key (`GET MOUNT/keys/NAME`, and the
/// answers of create, rotate, config and trim, which carry the same).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyInfo {
    /// `rsa-2048`, `ecdsa-p256`, ...
    pub kind: String,
    pub latest: u64,
    /// Versions below this are destroyed (0: none).
    pub min_available: u64,
    pub min_decryption: u64,
    /// Versions below this cannot sign (0: all can).
    pub min_encryption: u64,
    /// The public key of each version the server shows.
    pub public: BTreeMap<u64, String>,
}

impl KeyInfo {
    /// Reads `data` of an answer; `None` when it is not a transit key's
    /// (another engine answers such a request differently, or not at all).
    pub fn from_data(data: &Value) -> Option<KeyInfo> {
        let kind = data["type"].as_str()?.to_owned();
        let latest = data["latest_version"].as_u64()?;
        let number = |name: &str| data[name].as_u64().unwrap_or(0);
        let mut public = BTreeMap::new();
        if let Some(keys) = data["keys"].as_object() {
            for (version, key) in keys {
                if let (Ok(version), Some(text)) =
                    (version.parse::<u64>(), key["public_key"].as_str())
                {
                    public.insert(version, text.to_owned());
                }
            }
        }
        Some(KeyInfo {
            kind,
            latest,
            min_available: number("min_available_version"),
            min_decryption: number("min_decryption_version"),
            min_encryption: number("min_encryption_version"),
            public,
        })
    }

    /// The public key of `version`, in the form its type has.
    pub fn public_key(&self, version: u64) -> Option<PublicKey> {
        let text = self.public.get(&version)?;
        if self.kind == "ed25519" {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .ok()
                .map(PublicKey::Ed25519)
        } else {
            Some(PublicKey::Pem(text.clone()))
        }
    }

    /// Whether `version` can still sign (it exists and is not below the
    /// minimum for signing, or destroyed).
    pub fn can_sign(&self, version: u64) -> bool {
        version >= 1
            && version <= self.latest
            && version >= self.min_encryption
            && version >= self.min_available
    }
}

/// What to ask the server so that every version below `floor` is
/// destroyed, given the key as it is: the minimum versions to set in
/// `config` (none when they are there already) and the `trim`. `floor` is
/// lowered to the latest version, which transit never destroys.
pub fn destroy_below(info: &KeyInfo, floor: u64) -> Destroy {
    let floor = floor.min(info.latest);
    let config = (floor > info.min_decryption.max(1) || floor > info.min_encryption.max(1))
        .then_some(floor.max(info.min_decryption).max(info.min_encryption));
    let trim = (floor > info.min_available.max(1)).then_some(floor);
    Destroy {
        floor,
        config,
        trim,
    }
}

/// The requests [`destroy_below`] decided on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Destroy {
    /// Every version below this is gone once the requests are done.
    pub floor: u64,
    /// `min_decryption_version` and `min_encryption_version` to set.
    pub config: Option<u64>,
    /// `min_available_version` to trim to.
    pub trim: Option<u64>,
}

/// The capabilities the token has on each path, from the answer of
/// `sys/capabilities-self`.
pub fn capabilities(answer: &Value, path: &str) -> Vec<String> {
    let caps = answer["data"][path]
        .as_array()
        .or_else(|| answer[path].as_array());
    caps.map(|list| {
        list.iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

/// Whether `caps` include `needed` (`root` includes everything).
pub fn allows(caps: &[String], needed: &str) -> bool {
    caps.iter().any(|c| c == needed || c == "root") && !caps.iter().any(|c| c == "deny")
}

/// One transit key on the server: `MOUNT/NAME`.
pub struct Engine {
    conn: Conn,
    mount: String,
    name: String,
}

/// What a version of a transit key is, once created.
pub struct NewVersion {
    pub version: u64,
    /// `kty` and the public key members.
    pub public: Map<String, Value>,
}

impl Engine {
    /// The key `key` on the server of `env`; each request times out after
    /// `timeout`.
    pub fn connect(env: &Env, timeout: Duration, key: &SignerKey) -> Result<Engine> {
        let SignerKey::Transit { mount, name } = key;
        Ok(Engine {
            conn: Conn::from_env(env, timeout, key.to_string())?,
            mount: mount.clone(),
            name: name.clone(),
        })
    }

    fn keys_path(&self) -> String {
        format!("{}/keys/{}", self.mount, self.name)
    }

    fn sign_path(&self) -> String {
        format!("{}/sign/{}", self.mount, self.name)
    }

    /// Runs `op`, and cuts the token out of whatever it says: servers and
    /// proxies may quote it back.
    fn guarded<T>(&self, op: impl FnOnce() -> Result<T>) -> Result<T> {
        op().map_err(|e| {
            let text = format!("{e:#}");
            let clean = self.conn.redact(&text);
            if clean == text { e } else { anyhow!(clean) }
        })
    }

    /// An answer other than success, with the server's words and what the
    /// token needs for `what` (`"update" on PATH`).
    fn refused(&self, status: u16, answer: &Value, needs: &str, command: &str) -> anyhow::Error {
        let message = server_message(answer);
        let said = if message.is_empty() {
            format!("HTTP {status}")
        } else {
            format!("HTTP {status}: {message}")
        };
        let remedy = match status {
            403 => format!(
                "the token's policy needs {needs} to {command}; check VAULT_TOKEN, which may also have expired"
            ),
            503 if message.contains("sealed") => {
                "the server is sealed: unseal it ('bao operator unseal'), then try again".to_owned()
            }
            s if s >= 500 => "the server failed; try again later".to_owned(),
            _ => "check VAULT_ADDR and the signer".to_owned(),
        };
        anyhow!("{}: {said} ({remedy})", self.conn.at())
    }

    /// MOUNT is no transit engine this token can use.
    fn not_transit(&self) -> anyhow::Error {
        let mount = &self.mount;
        anyhow!(
            "{}: {mount}/ is not a transit secrets engine: either no engine is mounted there or it is another engine (the server answers both alike; see 'bao secrets list', or enable one with 'bao secrets enable -path={mount} transit')",
            self.conn.at()
        )
    }

    /// Whether an answer is from a transit key's endpoint at all: another
    /// engine, or no engine, answers a path it has not with 404 and a
    /// message or warning of its own.
    fn is_foreign(status: u16, answer: &Value) -> bool {
        status == 404 && (!server_message(answer).is_empty() || answer["warnings"].is_array())
    }

    /// The key of `kind` for `alg`: a new version of it, created on first
    /// use or rotated, with its public key.
    pub fn new_version(&self, alg: Alg, kind: &str) -> Result<NewVersion> {
        self.guarded(|| {
            let path = self.keys_path();
            let (status, answer) = self.conn.request(&path, None)?;
            let info = match status {
                200 => {
                    let info =
                        KeyInfo::from_data(&answer["data"]).ok_or_else(|| self.not_transit())?;
                    self.check_kind(&info, alg, kind)?;
                    let rotate = format!("{path}/rotate");
                    let (status, answer) = self.conn.request(&rotate, Some(&json!({})))?;
                    if status != 200 && status != 204 {
                        return Err(self.refused(
                            status,
                            &answer,
                            &format!("\"update\" on {rotate}"),
                            &self.to_make("rotate the key"),
                        ));
                    }
                    match KeyInfo::from_data(&answer["data"]) {
                        Some(info) => info,
                        // Older servers answer a rotation with no body.
                        None => self.read()?,
                    }
                }
                404 if !Self::is_foreign(status, &answer) => self.create(kind)?,
                404 => return Err(self.not_transit()),
                _ => {
                    return Err(self.refused(
                        status,
                        &answer,
                        &format!("\"read\" on {path}"),
                        &self.to_make("read the key's public keys"),
                    ));
                }
            };
            self.check_kind(&info, alg, kind)?;
            let version = info.latest;
            let public = match info.public_key(version) {
                Some(PublicKey::Pem(pem)) => spki::public_members_from_pem(&pem),
                Some(PublicKey::Ed25519(raw)) => spki::ed25519_members(&raw),
                None => Err(anyhow!("the answer has no public key")),
            }
            .map_err(|e| anyhow!("{}: version {version}: {e:#}", self.conn.at()))?;
            Ok(NewVersion { version, public })
        })
    }

    /// Creates the key, after making sure MOUNT is a transit engine: a KV
    /// version 1 mount answers a missing path as transit does, and would
    /// take the create as a secret.
    fn create(&self, kind: &str) -> Result<KeyInfo> {
        let probe = format!("sys/internal/ui/mounts/{}", self.mount);
        let (status, answer) = self.conn.request(&probe, None)?;
        if status != 200 || answer["data"]["type"].as_str() != Some("transit") {
            return Err(self.not_transit());
        }
        let path = self.keys_path();
        let body = json!({"type": kind, "exportable": false});
        let (status, answer) = self.conn.request(&path, Some(&body))?;
        if status != 200 && status != 204 {
            return Err(self.refused(
                status,
                &answer,
                &format!("\"update\" on {path}"),
                &self.to_make("create the key"),
            ));
        }
        match KeyInfo::from_data(&answer["data"]) {
            Some(info) => Ok(info),
            // Older servers answer a create with no body.
            None => self.read(),
        }
    }

    /// The key as `GET MOUNT/keys/NAME` shows it.
    fn read(&self) -> Result<KeyInfo> {
        let path = self.keys_path();
        let (status, answer) = self.conn.request(&path, None)?;
        if status != 200 {
            return Err(self.refused(
                status,
                &answer,
                &format!("\"read\" on {path}"),
                &self.to_make("read the key's public keys"),
            ));
        }
        KeyInfo::from_data(&answer["data"]).ok_or_else(|| self.not_transit())
    }

    /// `what`, and all that making a new key takes.
    fn to_make(&self, what: &str) -> String {
        let path = self.keys_path();
        format!(
            "{what} (keygen, rotate and revoke need \"read\" and \"update\" on {path} and \"update\" on {path}/rotate)"
        )
    }

    fn check_kind(&self, info: &KeyInfo, alg: Alg, kind: &str) -> Result<()> {
        if info.kind != kind {
            bail!(
                "{}: the transit key is {}, and {alg}{} needs {kind} (name another key with --signer, or choose an algorithm that fits {})",
                self.conn.at(),
                info.kind,
                if alg.is_rsa() {
                    format!(" with --bits {}", kind.trim_start_matches("rsa-"))
                } else {
                    String::new()
                },
                info.kind
            );
        }
        Ok(())
    }

    /// The JWS signatures of `inputs` by `version`, in batches the server
    /// accepts. The caller checks each.
    pub fn sign(&self, alg: Alg, version: u64, inputs: &[&[u8]]) -> Result<Vec<Vec<u8>>> {
        self.guarded(|| {
            let path = self.sign_path();
            let mut signatures = Vec::with_capacity(inputs.len());
            for batch in inputs.chunks(BATCH) {
                let body = sign_body(alg, version, batch);
                let (status, answer) = self.conn.request(&path, Some(&body))?;
                if Self::is_foreign(status, &answer) {
                    return Err(self.not_transit());
                }
                if status != 200 {
                    return Err(self.sign_refused(status, &answer, version));
                }
                let results = answer["data"]["batch_results"]
                    .as_array()
                    .filter(|r| r.len() == batch.len())
                    .ok_or_else(|| {
                        anyhow!(
                            "{}: the answer does not hold one signature per input (is {}/ a transit engine?)",
                            self.conn.at(),
                            self.mount
                        )
                    })?;
                for item in results {
                    if let Some(error) = item["error"].as_str().filter(|e| !e.is_empty()) {
                        return Err(self.version_refused(version, error));
                    }
                    let text = item["signature"].as_str().unwrap_or_default();
                    let signature = signature(alg, version, text).map_err(|why| {
                        anyhow!(
                            "{}: the server's signature is not one for {alg} with version {version} ({why:?})",
                            self.conn.at()
                        )
                    })?;
                    signatures.push(signature);
                }
            }
            Ok(signatures)
        })
    }

    fn sign_refused(&self, status: u16, answer: &Value, version: u64) -> anyhow::Error {
        let message = server_message(answer);
        if (400..500).contains(&status) && status != 403 && message.contains("not found") {
            return anyhow!(
                "{}: HTTP {status}: {message} (the transit key is gone; sign with another key, or create one with 'jwkctl rotate --signer ...')",
                self.conn.at()
            );
        }
        if status == 500 && message.contains("version") {
            return self.version_refused(version, &message);
        }
        self.refused(
            status,
            answer,
            &format!("\"update\" on {}", self.sign_path()),
            "sign",
        )
    }

    fn version_refused(&self, version: u64, message: &str) -> anyhow::Error {
        anyhow!(
            "{}: version {version} of the key does not sign any more ({message}) (it was destroyed or retired in the engine; remove the key with 'jwkctl revoke', and rotate)",
            self.conn.at()
        )
    }

    /// Fails, naming each, unless the token has every capability of
    /// `needs` (`(path, capability)`); `command` is what needs them.
    pub fn check_capabilities(&self, needs: &[(String, &str)], command: &str) -> Result<()> {
        self.guarded(|| {
            let paths: Vec<&str> = needs.iter().map(|(p, _)| p.as_str()).collect();
            let (status, answer) = self
                .conn
                .request("sys/capabilities-self", Some(&json!({ "paths": paths })))?;
            if status != 200 {
                return Err(self.refused(
                    status,
                    &answer,
                    "\"update\" on sys/capabilities-self (the default policy has it)",
                    &format!("let {command} check what the token may do before it changes anything"),
                ));
            }
            let lacks: Vec<String> = needs
                .iter()
                .filter(|(path, cap)| !allows(&capabilities(&answer, path), cap))
                .map(|(path, cap)| format!("{cap:?} on {path}"))
                .collect();
            if lacks.is_empty() {
                return Ok(());
            }
            let all: Vec<String> = needs
                .iter()
                .map(|(path, cap)| format!("{cap:?} on {path}"))
                .collect();
            bail!(
                "{}: the token's policy lacks {}, which {command} needs (it needs {}); nothing was changed",
                self.conn.at(),
                list(&lacks),
                list(&all)
            )
        })
    }

    /// What prune and revoke need: to raise the minimum versions, and trim.
    pub fn destroy_capabilities(&self) -> Vec<(String, &'static str)> {
        let path = self.keys_path();
        vec![
            (format!("{path}/config"), "update"),
            (format!("{path}/trim"), "update"),
        ]
    }

    /// Destroys every version below `floor` that transit lets go (never
    /// the latest), and returns the floor reached (every version below it
    /// is gone; `u64::MAX` for a key that no longer exists) and whether
    /// this call changed anything.
    pub fn destroy_below(&self, floor: u64) -> Result<(u64, bool)> {
        self.guarded(|| {
            let config = format!("{}/config", self.keys_path());
            // An empty config changes nothing and answers with the key, so
            // no "read" is needed.
            let (status, answer) = self.conn.request(&config, Some(&json!({})))?;
            if status == 400 && server_message(&answer).contains("no existing key") {
                return Ok((u64::MAX, false));
            }
            if status != 200 && status != 204 {
                return Err(self.destroy_refused(status, &answer, &config));
            }
            let info = match KeyInfo::from_data(&answer["data"]) {
                Some(info) => info,
                None => {
                    let (status, answer) = self.conn.request(&self.keys_path(), None)?;
                    if status != 200 {
                        return Err(self.destroy_refused(status, &answer, &self.keys_path()));
                    }
                    KeyInfo::from_data(&answer["data"]).ok_or_else(|| self.not_transit())?
                }
            };
            let plan = destroy_below(&info, floor);
            if let Some(min) = plan.config {
                let body = json!({"min_decryption_version": min, "min_encryption_version": min});
                let (status, answer) = self.conn.request(&config, Some(&body))?;
                if status != 200 && status != 204 {
                    return Err(self.destroy_refused(status, &answer, &config));
                }
            }
            if let Some(min) = plan.trim {
                let trim = format!("{}/trim", self.keys_path());
                let body = json!({ "min_available_version": min });
                let (status, answer) = self.conn.request(&trim, Some(&body))?;
                if status != 200 && status != 204 {
                    return Err(self.destroy_refused(status, &answer, &trim));
                }
            }
            Ok((
                plan.floor.max(1),
                plan.config.is_some() || plan.trim.is_some(),
            ))
        })
    }

    fn destroy_refused(&self, status: u16, answer: &Value, path: &str) -> anyhow::Error {
        let e = self.refused(
            status,
            answer,
            &format!("\"update\" on {path}"),
            "destroy versions of removed keys",
        );
        anyhow!(
            "{e:#}; the store was changed already, and the next 'jwkctl prune' destroys what is left"
        )
    }
}

/// `a`, `a and b`, `a, b and c`.
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_types() {
        assert_eq!(key_type(Alg::Rs256, 2048), "rsa-2048");
        assert_eq!(key_type(Alg::Ps512, 4096), "rsa-4096");
        assert_eq!(key_type(Alg::Es256, 2048), "ecdsa-p256");
        assert_eq!(key_type(Alg::Es384, 2048), "ecdsa-p384");
        assert_eq!(key_type(Alg::Es512, 2048), "ecdsa-p521");
        assert_eq!(key_type(Alg::EdDsa, 2048), "ed25519");
    }

    #[test]
    fn sign_bodies() {
        let body = sign_body(Alg::Ps384, 3, &[b"a.b", b"c.d"]);
        assert_eq!(
            body,
            json!({"key_version": 3, "hash_algorithm": "sha2-384", "signature_algorithm": "pss",
                   "salt_length": "hash", "batch_input": [{"input": "YS5i"}, {"input": "Yy5k"}]})
        );
        let body = sign_body(Alg::Es512, 1, &[b"x"]);
        assert_eq!(body["marshaling_algorithm"], "jws");
        assert_eq!(body["hash_algorithm"], "sha2-512");
        let body = sign_body(Alg::Rs256, 1, &[b"x"]);
        assert_eq!(body["signature_algorithm"], "pkcs1v15");
        let body = sign_body(Alg::EdDsa, 1, &[b"x"]);
        assert!(body.get("hash_algorithm").is_none());
    }

    #[test]
    fn signatures() {
        let es = format!("vault:v2:{}", "A".repeat(86));
        assert_eq!(signature(Alg::Es256, 2, &es).unwrap(), vec![0; 64]);
        assert_eq!(signature(Alg::Es256, 1, &es), Err(BadSignature::Version(2)));
        assert_eq!(signature(Alg::Es384, 2, &es), Err(BadSignature::Encoding));
        let ed = format!("vault:v1:{}==", "A".repeat(86));
        assert_eq!(signature(Alg::EdDsa, 1, &ed).unwrap(), vec![0; 64]);
        // Standard base64 for RSA: '+' and '/' are letters there.
        let rs = format!("vault:v1:{}", "+/+/".repeat(86));
        assert_eq!(signature(Alg::Rs256, 1, &rs).unwrap().len(), 258);
        assert_eq!(signature(Alg::Rs256, 1, "AAAA"), Err(BadSignature::Form));
        assert_eq!(
            signature(Alg::Rs256, 1, "vault:vx:AAAA"),
            Err(BadSignature::Form)
        );
    }

    #[test]
    fn key_info_and_destruction() {
        let data = json!({"type": "ecdsa-p256", "latest_version": 5, "min_available_version": 0,
            "min_decryption_version": 1, "min_encryption_version": 0,
            "keys": {"4": {"public_key": "PEM4"}, "5": {"public_key": "PEM5"}}});
        let info = KeyInfo::from_data(&data).unwrap();
        assert_eq!(info.latest, 5);
        assert_eq!(info.public_key(5), Some(PublicKey::Pem("PEM5".into())));
        assert!(info.can_sign(1) && info.can_sign(5) && !info.can_sign(6));
        assert_eq!(
            destroy_below(&info, 3),
            Destroy {
                floor: 3,
                config: Some(3),
                trim: Some(3)
            }
        );
        // The latest stays.
        assert_eq!(destroy_below(&info, 9).floor, 5);
        // Nothing below version 1.
        assert_eq!(
            destroy_below(&info, 1),
            Destroy {
                floor: 1,
                config: None,
                trim: None
            }
        );
        let done = KeyInfo {
            min_available: 3,
            min_decryption: 3,
            min_encryption: 3,
            ..info
        };
        assert_eq!(
            destroy_below(&done, 3),
            Destroy {
                floor: 3,
                config: None,
                trim: None
            }
        );
        assert!(!done.can_sign(2));
        assert!(KeyInfo::from_data(&json!({"data": null})).is_none());
    }

    #[test]
    fn capability_answers() {
        let answer = json!({"data": {"t/sign/k": ["update"], "t/keys/k/trim": ["deny"]}});
        assert!(allows(&capabilities(&answer, "t/sign/k"), "update"));
        assert!(!allows(&capabilities(&answer, "t/keys/k/trim"), "update"));
        assert!(!allows(&capabilities(&answer, "t/other"), "update"));
        assert!(allows(&["root".to_owned()], "update"));
    }
}
