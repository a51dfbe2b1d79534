//! Base64url without padding (RFC 7515 §2), the encoding of every JOSE
//! member and token part.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// [`b64`] appended to `out`, without a string of its own.
pub fn b64_append(bytes: &[u8], out: &mut String) {
    URL_SAFE_NO_PAD.encode_string(bytes, out);
}

/// Strict base64url: no padding, no stray bits, no other alphabet.
pub fn unb64(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

/// [`unb64`] handed to `f`, without allocating for up to 1,023 bytes (an
/// RSA-4096 modulus is 512): checking every key of a 1,000-key store on
/// every `sign` should not cost a thousand allocations.
pub fn with_unb64<R>(text: &str, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
    let mut buf = [0u8; 1024];
    // Four characters carry three bytes: this many always fit in `buf`.
    if text.len() <= buf.len() / 3 * 4 {
        let len = URL_SAFE_NO_PAD.decode_slice(text, &mut buf).ok()?;
        Some(f(&buf[..len]))
    } else {
        unb64(text).map(|bytes| f(&bytes))
    }
}
