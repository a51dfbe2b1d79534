//! The KV version 2 HTTP API, as much of it as a key store needs: read the
//! secret with its version, write with check-and-set, and ask what the
//! token may do, over a [`Conn`].

use std::time::Duration;

use anyhow::{Result, bail};
use serde_json::{Value, json};

use super::conn::{Conn, NoAnswer};
use super::env::Env;
use super::remedy;
use super::{FIELD, MAX_STORE_BYTES};
use crate::location::VaultPath;

/// The KV client: a connection and the secret's location.
#[derive(Debug)]
pub(super) struct Client<'a> {
    conn: Conn,
    pub(super) loc: &'a VaultPath,
}

impl std::ops::Deref for Client<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.conn
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

impl<'a> Client<'a> {
    pub(super) fn from_env(
        vars: &Env,
        timeout: Duration,
        loc: &'a VaultPath,
    ) -> Result<Client<'a>> {
        Ok(Client {
            conn: Conn::from_env(vars, timeout, loc.to_string())?,
            loc,
        })
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

fn is_gone(metadata: &Value) -> bool {
    metadata["destroyed"].as_bool() == Some(true)
        || metadata["deletion_time"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
}
