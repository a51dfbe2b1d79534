//! The one way jwkctl reads an input: a regular file or stdin, up to a cap.
//!
//! Larger input is refused, never cut short, and the reader never holds
//! more than the cap plus one byte of it. A path that is a directory, FIFO,
//! socket or device is refused before it is read: a FIFO would block until
//! someone writes to it, and `/dev/zero` never ends.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::error::{io_message, io_message_with_remedy};

/// What is read, how much of it is allowed, and the option that named it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kind {
    /// The option that pointed at the input (`--jwks`), or empty.
    pub role: &'static str,
    /// What the input should be, for "which no JWK Set needs".
    pub what: &'static str,
    pub cap: u64,
}

const MIB: u64 = 1 << 20;

/// A token on stdin, with room for the whitespace around it; the token
/// itself is held to 1 MiB by its parser.
pub const TOKEN: Kind = Kind {
    role: "",
    what: "JWT",
    cap: MIB + 64,
};
/// A `--jwks` file (a URL's body has the same cap, see `fetch`).
pub const JWKS: Kind = Kind {
    role: "--jwks",
    what: "JWK Set",
    cap: MIB,
};
pub const STORE: Kind = Kind {
    role: "",
    what: "key store",
    cap: 16 * MIB,
};
pub const CLAIMS: Kind = Kind {
    role: "--claims",
    what: "claims object",
    cap: MIB,
};
pub const KEY_FILE: Kind = Kind {
    role: "import",
    what: "key file",
    cap: MIB,
};
pub const CA_FILE: Kind = Kind {
    role: "--ca-file",
    what: "CA file",
    cap: MIB,
};
/// `~/.vault-token`, as `bao login` writes it: a line; anything much
/// longer is not one.
pub const VAULT_TOKEN_FILE: Kind = Kind {
    role: "",
    what: "token file",
    cap: 64 << 10,
};

/// Why an input could not be read. Typed because callers branch on it:
/// `verify` turns an oversized token into a rejection.
#[derive(Debug)]
pub enum InputError {
    TooLarge {
        name: String,
        kind: Kind,
    },
    /// A directory, FIFO, socket or device.
    NotAFile {
        path: PathBuf,
        kind: Kind,
        is: &'static str,
    },
    Io {
        path: Option<PathBuf>,
        kind: Kind,
        err: io::Error,
    },
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let role = |kind: &Kind| {
            if kind.role.is_empty() {
                String::new()
            } else {
                format!("{} ", kind.role)
            }
        };
        match self {
            InputError::TooLarge { name, kind } => write!(
                f,
                "{name}: larger than {}, which no {} needs (check that this is the right {})",
                show_cap(kind.cap),
                kind.what,
                if name == "stdin" { "input" } else { "file" }
            ),
            InputError::NotAFile { path, kind, is } if *is == "a directory" => write!(
                f,
                "{}{}: is a directory (name a file, not a folder)",
                role(kind),
                path.display()
            ),
            InputError::NotAFile { path, kind, is } => write!(
                f,
                "{}{}: is {is}, not a regular file (name a regular file)",
                role(kind),
                path.display()
            ),
            InputError::Io {
                path: Some(path),
                kind,
                err,
            } => write!(f, "{}{}", role(kind), io_message_with_remedy(path, err)),
            InputError::Io {
                path: None, err, ..
            } => write!(
                f,
                "cannot read stdin: {}",
                io_message(Path::new(""), err).trim_start_matches(": ")
            ),
        }
    }
}

impl std::error::Error for InputError {}

/// `1 MiB` (a cap with slack for whitespace is shown as its whole MiB).
fn show_cap(cap: u64) -> String {
    if cap >= MIB {
        format!("{} MiB", cap / MIB)
    } else {
        format!("{cap} bytes")
    }
}

/// Reads `source`, where `-` means stdin.
pub fn read(source: &Path, kind: Kind) -> Result<Vec<u8>, InputError> {
    if source == Path::new("-") {
        read_stdin(kind)
    } else {
        read_file(source, kind)
    }
}

/// Reads stdin up to the cap.
pub fn read_stdin(kind: Kind) -> Result<Vec<u8>, InputError> {
    let mut bytes = Vec::new();
    io::stdin()
        .lock()
        .take(kind.cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| InputError::Io {
            path: None,
            kind,
            err,
        })?;
    if bytes.len() as u64 > kind.cap {
        return Err(InputError::TooLarge {
            name: "stdin".into(),
            kind,
        });
    }
    Ok(bytes)
}

/// Reads a regular file up to the cap.
pub fn read_file(path: &Path, kind: Kind) -> Result<Vec<u8>, InputError> {
    read_file_with_mode(path, kind).map(|(bytes, _)| bytes)
}

/// [`read_file`], with the file's permission bits.
pub fn read_file_with_mode(path: &Path, kind: Kind) -> Result<(Vec<u8>, u32), InputError> {
    let io = |err: io::Error| InputError::Io {
        path: Some(path.to_owned()),
        kind,
        err,
    };
    let (file, meta) = open_file(path, kind)?;
    // Room for all of a file within the cap, and the one byte past the cap
    // that tells it was longer: the buffer never grows past that.
    let room = meta.len().min(kind.cap) + 1;
    let mut bytes = Vec::with_capacity(usize::try_from(room).unwrap_or(0));
    (&file)
        .take(kind.cap + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > kind.cap {
        return Err(InputError::TooLarge {
            name: path.display().to_string(),
            kind,
        });
    }
    Ok((bytes, mode_of(&meta)))
}

/// A regular file opened to read under the rules of `kind` (no FIFO, no
/// device, no socket), and what it was when opened; reading it is the
/// caller's, within `kind.cap`.
pub fn open_file(path: &Path, kind: Kind) -> Result<(File, fs::Metadata), InputError> {
    let io = |err: io::Error| InputError::Io {
        path: Some(path.to_owned()),
        kind,
        err,
    };
    // Look before opening: opening a device may have effects of its own
    // (a tape rewinds), and a socket cannot be opened at all.
    refuse_special(path, &fs::metadata(path).map_err(io)?, kind)?;
    let file = open_nonblocking(path).map_err(io)?;
    // And again on what was opened, in case the path changed meanwhile.
    let meta = file.metadata().map_err(io)?;
    refuse_special(path, &meta, kind)?;
    Ok((file, meta))
}

/// Opening a FIFO for reading waits for a writer; without blocking it
/// returns at once, and the check after opening refuses it.
fn open_nonblocking(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        libc::O_NONBLOCK | libc::O_NOCTTY,
    );
    options.open(path)
}

fn refuse_special(path: &Path, meta: &fs::Metadata, kind: Kind) -> Result<(), InputError> {
    match special(meta) {
        None => Ok(()),
        Some(is) => Err(InputError::NotAFile {
            path: path.to_owned(),
            kind,
            is,
        }),
    }
}

/// What a file that is not a regular file is, in words.
pub fn special(meta: &fs::Metadata) -> Option<&'static str> {
    let ft = meta.file_type();
    if ft.is_file() {
        return None;
    }
    if ft.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if ft.is_socket() {
            return Some("a socket");
        }
        if ft.is_char_device() {
            return Some("a character device");
        }
        if ft.is_block_device() {
            return Some("a block device");
        }
    }
    Some("not a regular file")
}

fn mode_of(meta: &fs::Metadata) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o7777
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        0o600
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_the_cap_is_refused_and_the_buffer_stays_small() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        let kind = Kind {
            role: "--x",
            what: "thing",
            cap: 10,
        };
        fs::write(&path, b"0123456789").unwrap();
        assert_eq!(read_file(&path, kind).unwrap(), b"0123456789");
        fs::write(&path, b"0123456789A").unwrap();
        let err = read_file(&path, kind).unwrap_err();
        assert!(matches!(err, InputError::TooLarge { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!(
                "{}: larger than 10 bytes, which no thing needs (check that this is the right file)",
                path.display()
            )
        );
        let err = read_file(dir.path(), kind).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "--x {}: is a directory (name a file, not a folder)",
                dir.path().display()
            )
        );
        let err = read_file(Path::new("/dev/zero"), kind).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--x /dev/zero: is a character device, not a regular file (name a regular file)"
        );
    }
}
