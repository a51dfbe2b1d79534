//! Where the key store lives, as `-k`/`JWKCTL_KEYS` names it: a file, or
//! `vault:MOUNT/PATH`, a secret of an OpenBao/Vault KV version 2 engine.
//! A leaf: it knows names and paths, not how either backend reads them.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// What `-k` starts with to name a secret instead of a file.
pub const SCHEME: &str = "vault:";

/// What `-k`/`JWKCTL_KEYS` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// Any path the system takes, UTF-8 or not (as `ssh-keygen -f` does).
    File(PathBuf),
    Vault(VaultPath),
}

impl Location {
    /// `vault:MOUNT/PATH`, else a file path (`./vault:x` names such a file).
    pub fn parse(text: impl AsRef<OsStr>) -> Result<Location, String> {
        let text = text.as_ref();
        match text.as_bytes().strip_prefix(SCHEME.as_bytes()) {
            Some(rest) => match std::str::from_utf8(rest) {
                Ok(rest) => VaultPath::parse(rest).map(Location::Vault),
                Err(_) => Err(format!(
                    "{}: a secret's path is text, and this one is not UTF-8 (write it like vault:secret/jwkctl)",
                    text.to_string_lossy()
                )),
            },
            None => Ok(Location::File(PathBuf::from(OsString::from(text)))),
        }
    }

    /// The file, for what only a file store has (a lock, a mode, `--out`
    /// naming the store).
    pub fn file(&self) -> Option<&Path> {
        match self {
            Location::File(path) => Some(path),
            Location::Vault(_) => None,
        }
    }

    /// How messages name the store: the path as given, or `vault:MOUNT/PATH`.
    pub fn display(&self) -> impl fmt::Display + '_ {
        Shown(self)
    }
}

struct Shown<'a>(&'a Location);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Location::File(path) => path.display().fmt(f),
            Location::Vault(loc) => loc.fmt(f),
        }
    }
}

/// `MOUNT/PATH`: the engine's mount (the first segment) and the secret's
/// path inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VaultPath {
    pub mount: String,
    pub path: String,
}

impl VaultPath {
    /// Parses what follows `vault:`.
    pub fn parse(text: &str) -> Result<VaultPath, String> {
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
        Ok(VaultPath {
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

impl fmt::Display for VaultPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{SCHEME}{}/{}", self.mount, self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations() {
        let loc = VaultPath::parse("secret/team/jwkctl").unwrap();
        assert_eq!(loc.mount, "secret");
        assert_eq!(loc.path, "team/jwkctl");
        assert_eq!(loc.data_path(), "secret/data/team/jwkctl");
        assert_eq!(loc.to_string(), "vault:secret/team/jwkctl");
        for bad in [
            "secret", "secret/", "/x", "a//b", "a/../b", "a/b c", "a/b?x", "",
        ] {
            assert!(VaultPath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_file_path_need_not_be_utf8() {
        let raw = OsStr::from_bytes(b"keys\xff.json");
        assert_eq!(
            Location::parse(raw).unwrap(),
            Location::File(PathBuf::from(raw))
        );
        assert!(Location::parse(OsStr::from_bytes(b"vault:sec\xff/x")).is_err());
        assert_eq!(
            Location::parse("./vault:x").unwrap().file(),
            Some(Path::new("./vault:x"))
        );
    }
}
