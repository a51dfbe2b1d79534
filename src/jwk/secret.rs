//! Private key material: the members of a key's private half, and text
//! that holds them (a key store's file contents). Neither shows in `Debug`,
//! and both are wiped when dropped.

use std::fmt;

use serde::Serialize;
use zeroize::Zeroizing;

use super::members::Members;

/// Private key members. `Debug` never shows them and they are wiped on
/// drop; a member read as a span of a store's text is wiped with the text
/// ([`super::Text`]), when the last key read from it goes. The copies
/// signing and store writes make are wiped too (see `crypto::Signer` and
/// [`SecretBytes`]).
#[derive(Clone, Default)]
pub struct Secret(pub(super) Members);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        // A member read as a span is wiped with the document it is part of.
        for (_, value) in &mut self.0.0 {
            value.wipe();
        }
    }
}

/// Text that holds private key material (a key store's file contents):
/// wiped when dropped. Built in one allocation of the final size, so no
/// reallocation leaves an unwiped copy behind.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretBytes(Zeroizing<Vec<u8>>);

impl SecretBytes {
    /// `value` as pretty JSON and a newline, serialized in place from
    /// where the key material lives: nothing to wipe but the text.
    pub fn pretty(value: &impl Serialize) -> SecretBytes {
        let mut count = Count(0);
        let mut bytes = Zeroizing::new(Vec::new());
        if serde_json::to_writer_pretty(&mut count, value).is_ok() {
            bytes.reserve_exact(count.0 + 1);
            if serde_json::to_writer_pretty(&mut *bytes, value).is_err() {
                bytes.clear();
            }
            bytes.push(b'\n');
        }
        SecretBytes(bytes)
    }
}

/// Counts what would be written: the first of two passes.
struct Count(usize);

impl std::io::Write for Count {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl std::ops::Deref for SecretBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for SecretBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl PartialEq<Vec<u8>> for SecretBytes {
    fn eq(&self, other: &Vec<u8>) -> bool {
        self.0.as_slice() == other.as_slice()
    }
}

impl PartialEq<SecretBytes> for Vec<u8> {
    fn eq(&self, other: &SecretBytes) -> bool {
        self.as_slice() == other.0.as_slice()
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes({} bytes)", self.0.len())
    }
}
