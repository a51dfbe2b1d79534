//! What a `vault:` store's errors say: the server's own words on one line,
//! and what to do about them.

use std::time::Duration;

use anyhow::anyhow;
use serde_json::Value;

use super::kv::{Client, Secret};

/// What changing the store takes; reading takes the first.
const TO_CHANGE: [&str; 3] = ["read", "create", "update"];

/// An answer other than success: the server's own message and what to do.
/// `capability` is what the request needed.
pub(super) fn refused(
    client: &Client,
    status: u16,
    answer: &Value,
    capability: &str,
) -> anyhow::Error {
    let message = server_message(answer);
    let said = if message.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status}: {message}")
    };
    let data_path = client.loc.data_path();
    let remedy = match status {
        403 if capability == "read" => format!(
            "the token's policy needs \"read\" on {data_path}; check VAULT_TOKEN, which may also have expired"
        ),
        403 => {
            let lacks = match lacking(client) {
                // The server said what the token may do: name all it lacks.
                Some(lacks) => lacks,
                None => format!("{capability:?} (or the token expired)"),
            };
            format!(
                "the token's policy needs \"read\", \"create\" and \"update\" on {data_path} to change the store; this one lacks {lacks}"
            )
        }
        503 if message.contains("sealed") => {
            "the server is sealed: unseal it ('bao operator unseal'), then try again".to_owned()
        }
        413 => "the store is larger than the server's max_request_size: prune old keys, or raise the listener's max_request_size".to_owned(),
        s if s >= 500 => "the server failed; try again later".to_owned(),
        _ => "check VAULT_ADDR and the path".to_owned(),
    };
    anyhow!("{}: {said} ({remedy})", client.at())
}

/// The capabilities needed to change the store that the token does not
/// have, as a list for a sentence (`"create" and "update"`); `None` when
/// the server will not say, or says nothing is missing.
fn lacking(client: &Client) -> Option<String> {
    let has = client.capabilities()?;
    if has.iter().any(|c| c == "root") {
        return None;
    }
    let missing: Vec<String> = TO_CHANGE
        .iter()
        .filter(|c| !has.iter().any(|h| h == *c))
        .map(|c| format!("{c:?}"))
        .collect();
    match missing.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        [rest @ .., last] => Some(format!("{} and {last}", rest.join(", "))),
    }
}

/// The server's `errors`, on one line ("1 error occurred:\n\t* permission
/// denied\n\n" becomes "permission denied").
pub(super) fn server_message(answer: &Value) -> String {
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

pub(super) fn missing(client: &Client, secret: &Secret) -> anyhow::Error {
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

pub(super) fn not_a_store(client: &Client, e: anyhow::Error) -> anyhow::Error {
    let loc = client.loc;
    anyhow!(
        "{e:#} (fix it with 'bao kv put {}/{} {}=@keys.json', or go back to an earlier version with 'bao kv rollback -version=N {}/{}')",
        loc.mount,
        loc.path,
        super::FIELD,
        loc.mount,
        loc.path
    )
}

pub(super) fn busy(client: &Client, waited: Duration) -> anyhow::Error {
    anyhow!(
        "{}: other writers kept changing the secret for {} and this change was not saved (try again; see 'bao kv metadata get {}/{}' for who writes)",
        client.at(),
        crate::clock::show_duration(waited),
        client.loc.mount,
        client.loc.path
    )
}

pub(super) fn exists(client: &Client) -> anyhow::Error {
    anyhow!(
        "{}: a key store already exists (use --force to replace it and lose its keys (earlier versions stay in the secret's history), or -k to choose another path)",
        client.at()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
}
