//! What a command's result means for the exit status, and the REASONs a
//! token is rejected for.

use std::io;
use std::path::Path;

/// A command that ran to the end: either everything was fine (exit 0) or
/// `verify` rejected a token (exit 1). Errors (exit 2) travel as `Err`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Rejected,
}

/// Why `verify` rejected a token. `Display` is the contract's REASON: short,
/// stable, lower case, so scripts can match it. Untrusted text never goes
/// into a REASON, so it needs no escaping.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Reject {
    #[error("token too large")]
    TooLarge,
    #[error("malformed token")]
    Malformed,
    #[error("json serialization not supported")]
    JsonSerialization,
    #[error("algorithm not allowed")]
    AlgNotAllowed,
    #[error("untrusted header {0}")]
    UntrustedHeader(&'static str),
    #[error("crit header not supported")]
    Crit,
    #[error("unencoded payload not supported")]
    Unencoded,
    #[error("unknown kid")]
    UnknownKid,
    #[error("algorithm mismatch")]
    AlgMismatch,
    #[error("no usable key")]
    NoUsableKey,
    #[error("bad signature")]
    BadSignature,
    #[error("expired")]
    Expired,
    #[error("not yet valid")]
    NotYetValid,
    #[error("missing claim {0}")]
    MissingClaim(String),
    #[error("invalid claim {0}")]
    InvalidClaim(String),
    #[error("audience mismatch")]
    Audience,
    #[error("issuer mismatch")]
    Issuer,
    #[error("subject mismatch")]
    Subject,
    /// Several lines on stdin without `--batch`.
    #[error("more than one token (use --batch for one per line)")]
    SeveralTokens,
}

/// A rejection as reported: its REASON, and what exactly was wrong where
/// that helps (the kid that is unknown, what is malformed). Scripts match
/// the REASON; the detail is for a person, after it in parentheses on
/// stderr and as `"detail"` in `verify --batch`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub reason: Reject,
    /// Any text from the token in it is escaped by [`quote`].
    pub detail: Option<String>,
}

impl Rejection {
    pub fn with(reason: Reject, detail: impl Into<String>) -> Rejection {
        Rejection {
            reason,
            detail: Some(detail.into()),
        }
    }
}

impl From<Reject> for Rejection {
    fn from(reason: Reject) -> Rejection {
        Rejection {
            reason,
            detail: None,
        }
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match &self.detail {
            Some(detail) => write!(f, "{} ({detail})", self.reason),
            None => write!(f, "{}", self.reason),
        }
    }
}

/// Untrusted text (a kid, an audience from a token) quoted for a message:
/// JSON-escaped, so it cannot forge lines or terminal controls, and cut
/// short, so a token cannot fill the screen.
pub fn quote(text: &str) -> String {
    const SHOWN: usize = 64;
    match text.char_indices().nth(SHOWN) {
        None => serde_json::Value::from(text).to_string(),
        Some((cut, _)) => format!("{}...", serde_json::Value::from(&text[..cut])),
    }
}

/// `PATH: no such file` (and friends) without the raw "(os error 2)".
pub fn io_message(path: &Path, err: &io::Error) -> String {
    format!("{}: {}", path.display(), io_kind(err))
}

/// The same, with what to do about it: for files the user named.
pub fn io_message_with_remedy(path: &Path, err: &io::Error) -> String {
    let remedy = match err.kind() {
        io::ErrorKind::NotFound => "check the path",
        io::ErrorKind::PermissionDenied => "check its permissions, or run as its owner",
        io::ErrorKind::IsADirectory => "name a file, not a folder",
        _ => return io_message(path, err),
    };
    format!("{} ({remedy})", io_message(path, err))
}

fn io_kind(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::NotFound => "no such file".to_owned(),
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        io::ErrorKind::IsADirectory => "is a directory".to_owned(),
        _ => {
            let text = err.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_lowercase(),
                None => text,
            }
        }
    }
}

/// True when an error (or any cause of it) is a broken pipe on stdout:
/// `jwkctl jwks | head -c1` must end quietly.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
