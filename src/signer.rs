//! Where a key's private half lives when the store does not hold it: a
//! signer reference, kept in the key's `jwkctl` member as
//! `"signer": "transit:MOUNT/NAME#VERSION"`. Only the reference is here;
//! what a signer can do (create, sign, destroy) is the storage floor's.
//!
//! A new kind of signer (PKCS#11) is one more variant of [`SignerKey`].

use std::fmt;

/// What `--signer` and the `signer` member start with for OpenBao/Vault
/// transit.
pub const TRANSIT: &str = "transit:";

/// A key in a signing engine, without a version: what `--signer` names.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SignerKey {
    /// A transit secrets engine's key: `MOUNT/NAME`.
    Transit { mount: String, name: String },
}

/// One version of a [`SignerKey`]: the private half of one stored key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SignerRef {
    pub key: SignerKey,
    pub version: u64,
}

impl SignerKey {
    /// Parses `--signer`: `transit:MOUNT/NAME`.
    pub fn parse(text: &str) -> Result<SignerKey, String> {
        let example = "write it like transit:transit/jwt, MOUNT/NAME of a transit engine's key";
        let Some(rest) = text.strip_prefix(TRANSIT) else {
            return Err(format!("{text}: not a signer jwkctl knows ({example})"));
        };
        let Some((mount, name)) = rest.split_once('/') else {
            return Err(format!("{text}: no NAME after the mount ({example})"));
        };
        if !is_segment(mount) {
            return Err(format!(
                "{text}: {mount:?} is not a mount's name (no spaces, '?', '#', '%' or '\\'; {example})"
            ));
        }
        if !is_key_name(name) {
            return Err(format!(
                "{text}: {name:?} is not a transit key's name (letters, digits, '_', '-', '.' and '@', starting and ending with a letter, digit or '_'; {example})"
            ));
        }
        Ok(SignerKey::Transit {
            mount: mount.to_owned(),
            name: name.to_owned(),
        })
    }

    pub fn at(&self, version: u64) -> SignerRef {
        SignerRef {
            key: self.clone(),
            version,
        }
    }
}

impl fmt::Display for SignerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignerKey::Transit { mount, name } => write!(f, "{TRANSIT}{mount}/{name}"),
        }
    }
}

impl SignerRef {
    /// Parses the `signer` member: `transit:MOUNT/NAME#VERSION`.
    pub fn parse(text: &str) -> Result<SignerRef, String> {
        let (key, version) = text
            .rsplit_once('#')
            .ok_or_else(|| format!("{text:?} has no #VERSION"))?;
        let version = version
            .parse::<u64>()
            .ok()
            .filter(|v| *v > 0 && !version.starts_with('0'))
            .ok_or_else(|| format!("{text:?}: the version after '#' is not a number from 1"))?;
        Ok(SignerRef {
            key: SignerKey::parse(key)?,
            version,
        })
    }
}

impl fmt::Display for SignerRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.key, self.version)
    }
}

/// A mount's first segment, by the same rule as `vault:` stores.
fn is_segment(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '/' | '?' | '#' | '%' | '\\'))
}

/// The server's own rule for key names (`\w(([\w-.@]+)?\w)?`): anything
/// else would address another endpoint, or none.
fn is_key_name(s: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let inner = |c: char| word(c) || matches!(c, '-' | '.' | '@');
    !s.is_empty() && s.starts_with(word) && s.ends_with(word) && s.chars().all(inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_round_trip() {
        let r = SignerRef::parse("transit:transit/jwt-signing#12").unwrap();
        assert_eq!(
            r.key,
            SignerKey::Transit {
                mount: "transit".into(),
                name: "jwt-signing".into()
            }
        );
        assert_eq!(r.version, 12);
        assert_eq!(r.to_string(), "transit:transit/jwt-signing#12");
        assert_eq!(
            SignerKey::parse("transit:t/a.b@c_d").unwrap().to_string(),
            "transit:t/a.b@c_d"
        );
    }

    #[test]
    fn bad_references_are_refused() {
        for bad in [
            "transit:t/k",
            "transit:t/k#0",
            "transit:t/k#01",
            "transit:t/k#x",
            "transit:t/k#-1",
            "pkcs11:slot#1",
            "transit:/k#1",
            "transit:t/#1",
            "transit:t/a/b#1",
            "transit:t/-k#1",
            "transit:t/k-#1",
            "transit:t/k k#1",
            "transit:t#1",
        ] {
            assert!(SignerRef::parse(bad).is_err(), "{bad}");
        }
        for bad in [
            "vault:t/k",
            "transit:t",
            "transit:t/",
            "transit:t/a/b",
            "transit:t/k#1",
        ] {
            assert!(SignerKey::parse(bad).is_err(), "{bad}");
        }
    }
}
