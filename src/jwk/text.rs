//! The text of a document keys are read from (a key store's file, a JWK
//! Set), shared by the members read as spans of it rather than copied, and
//! wiped when the last of them goes.

use std::fmt;
use std::sync::Arc;

use zeroize::Zeroizing;

/// The text of a document keys were read from, shared by the members read
/// as spans of it. It holds whatever the document held, private keys
/// included: wiped when the last member read from it goes.
pub struct Text(TextBytes);

enum TextBytes {
    Utf8(Zeroizing<String>),
    /// Not UTF-8: read without spans (to say where it is broken).
    Other(Zeroizing<Vec<u8>>),
}

impl Text {
    pub fn new(bytes: Vec<u8>) -> Arc<Text> {
        Arc::new(Text(match String::from_utf8(bytes) {
            Ok(text) => TextBytes::Utf8(Zeroizing::new(text)),
            Err(not) => TextBytes::Other(Zeroizing::new(not.into_bytes())),
        }))
    }

    /// A copy of `bytes`, for a document read once and kept no longer.
    pub fn copy(bytes: &[u8]) -> Arc<Text> {
        Text::new(bytes.to_vec())
    }

    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            TextBytes::Utf8(text) => text.as_bytes(),
            TextBytes::Other(bytes) => bytes,
        }
    }

    /// The text, if it is UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        match &self.0 {
            TextBytes::Utf8(text) => Some(text),
            TextBytes::Other(_) => None,
        }
    }
}

/// Private key material may be in it.
impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Text({} bytes)", self.as_bytes().len())
    }
}

/// A string member's text without its quotes, in the document it was
/// read from.
#[derive(Clone)]
pub struct Span {
    text: Arc<Text>,
    start: u32,
    end: u32,
}

impl Span {
    /// `part`'s place in `text`, if `part` is a piece of it (and the
    /// document is not over 4 GiB).
    pub fn within(text: &Arc<Text>, part: &str) -> Option<Span> {
        let whole = text.as_str()?;
        let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
        let end = start.checked_add(part.len())?;
        if end > whole.len() {
            return None;
        }
        Some(Span {
            text: Arc::clone(text),
            start: u32::try_from(start).ok()?,
            end: u32::try_from(end).ok()?,
        })
    }

    pub fn as_str(&self) -> &str {
        self.text
            .as_str()
            .and_then(|whole| whole.get(self.start as usize..self.end as usize))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_is_a_piece_of_its_text_or_nothing() {
        let text = Text::copy(br#"{"kid":"k1"}"#);
        let whole = text.as_str().unwrap();
        let span = Span::within(&text, &whole[8..10]).unwrap();
        assert_eq!(span.as_str(), "k1");
        // Text from elsewhere, even equal, is no piece of it.
        assert!(Span::within(&text, "k1").is_none());
        let elsewhere = String::from(whole);
        assert!(Span::within(&text, &elsewhere[8..10]).is_none());
        // Not UTF-8: kept as bytes, and no spans.
        let bytes = Text::copy(b"{\"k\":\"\xff\"}");
        assert!(bytes.as_str().is_none());
        assert_eq!(bytes.as_bytes(), b"{\"k\":\"\xff\"}");
        assert_eq!(format!("{bytes:?}"), "Text(9 bytes)");
    }
}
