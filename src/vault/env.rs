//! Which server and credentials a `vault:` store uses: the `VAULT_*`
//! variables, and `~/.vault-token` (what `bao login` writes).

use std::fmt;
use std::path::PathBuf;

use anyhow::{Result, bail};

use crate::input;

/// A token: `Debug` never shows it.
#[derive(Clone)]
pub(super) struct Token(pub(super) String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(hidden)")
    }
}

/// The `VAULT_*` variables (and `HOME`, for `~/.vault-token`), read once
/// with the global options; checked only when a `vault:` store is used.
#[derive(Clone, Debug, Default)]
pub struct Env {
    pub(super) addr: Option<String>,
    pub(super) token: Option<Token>,
    pub(super) cacert: Option<PathBuf>,
    pub(super) namespace: Option<String>,
    pub(super) home: Option<PathBuf>,
}

impl Env {
    pub fn from_process() -> Env {
        Env {
            addr: var("VAULT_ADDR"),
            token: var("VAULT_TOKEN").map(Token),
            cacert: std::env::var_os("VAULT_CACERT")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            namespace: var("VAULT_NAMESPACE"),
            home: std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        }
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// `VAULT_TOKEN`, else `~/.vault-token`.
pub(super) fn token(vars: &Env, loc: &str) -> Result<Token> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
