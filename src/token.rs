//! Compact JWS: taking one apart strictly enough that a crafted token is
//! rejected before any key is touched. Building one is the signer's job
//! (`crypto::Signer::compact`).

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::b64::unb64;
use crate::error::Reject;
use crate::strict::{self, Strict};

/// The largest token `verify` reads; anything longer is rejected unread.
pub const MAX_TOKEN_BYTES: usize = 1 << 20;

/// A compact JWS split and decoded, not yet verified.
#[derive(Debug)]
pub struct Parsed<'a> {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    /// `BASE64URL(header) . BASE64URL(payload)`, what the signature covers.
    pub signing_input: &'a str,
    pub signature: Vec<u8>,
}

/// Why a text is not a compact JWS, precisely: `verify` folds it into a
/// REASON ([`Reject`]), `inspect` says which part is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Malformed {
    TooLarge,
    NotUtf8,
    /// `{"payload":...}`: the JSON serialization.
    JsonSerialization,
    /// Five parts: a JWE.
    Encrypted,
    /// Another number of parts than three.
    Parts(usize),
    NotBase64(Part),
    NotJson(Part),
    NotObject(Part),
    DuplicateName(Part),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Header,
    Payload,
    Signature,
}

impl Part {
    pub fn name(self) -> &'static str {
        match self {
            Part::Header => "header",
            Part::Payload => "payload",
            Part::Signature => "signature",
        }
    }
}

impl From<Malformed> for Reject {
    fn from(m: Malformed) -> Reject {
        match m {
            Malformed::TooLarge => Reject::TooLarge,
            Malformed::JsonSerialization => Reject::JsonSerialization,
            _ => Reject::Malformed,
        }
    }
}

/// The token in what was given (an argument or stdin): surrounding
/// whitespace, a trailing LF or CRLF included, is not part of it.
pub fn text(bytes: &[u8]) -> Result<&str, Malformed> {
    let trimmed = bytes.trim_ascii();
    if trimmed.len() > MAX_TOKEN_BYTES {
        return Err(Malformed::TooLarge);
    }
    std::str::from_utf8(trimmed).map_err(|_| Malformed::NotUtf8)
}

/// Splits and decodes a compact JWS. Every way it can be malformed is a
/// rejection, not an input error: the caller asked about this token.
pub fn parse(token: &str) -> Result<Parsed<'_>, Malformed> {
    let [header, payload, signature] = split(token)?;
    let header = object(header, Part::Header)?;
    let claims = object(payload, Part::Payload)?;
    let signature = unb64(signature).ok_or(Malformed::NotBase64(Part::Signature))?;
    let signing_input = token.rfind('.').map_or("", |dot| &token[..dot]);
    Ok(Parsed {
        header,
        claims,
        signing_input,
        signature,
    })
}

/// A compact JWS decoded for a person (`inspect`): its header and claims
/// as the compact text of their objects, what a [`Parsed`]'s maps
/// serialize to, without a tree of either.
#[derive(Debug)]
pub struct Decoded {
    pub header: Box<RawValue>,
    pub claims: Box<RawValue>,
}

/// Decodes a compact JWS as [`parse`] does, malformed the same ways.
pub fn decode(token: &str) -> Result<Decoded, Malformed> {
    let [header, payload, signature] = split(token)?;
    let header = object_text(header, Part::Header)?;
    let claims = object_text(payload, Part::Payload)?;
    unb64(signature).ok_or(Malformed::NotBase64(Part::Signature))?;
    Ok(Decoded { header, claims })
}

/// The three segments of a compact JWS.
fn split(token: &str) -> Result<[&str; 3], Malformed> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(Malformed::TooLarge);
    }
    if token.starts_with('{') {
        return Err(Malformed::JsonSerialization);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(match token.split('.').count() {
            5 => Malformed::Encrypted,
            n => Malformed::Parts(n),
        });
    };
    Ok([header, payload, signature])
}

fn object_text(segment: &str, part: Part) -> Result<Box<RawValue>, Malformed> {
    let bytes = unb64(segment).ok_or(Malformed::NotBase64(part))?;
    match strict::compact(&bytes) {
        // Compact text: an object is the text that starts with '{'.
        Ok(text) if text.get().starts_with('{') => Ok(text),
        Ok(_) => Err(Malformed::NotObject(part)),
        Err(e) if e.is_data() => Err(Malformed::DuplicateName(part)),
        Err(_) => Err(Malformed::NotJson(part)),
    }
}

fn object(segment: &str, part: Part) -> Result<Map<String, Value>, Malformed> {
    let bytes = unb64(segment).ok_or(Malformed::NotBase64(part))?;
    match serde_json::from_slice::<Strict>(&bytes) {
        Ok(Strict(Value::Object(map))) => Ok(map),
        Ok(_) => Err(Malformed::NotObject(part)),
        // The only errors of the data category are the visitor's own.
        Err(e) if e.is_data() => Err(Malformed::DuplicateName(part)),
        Err(_) => Err(Malformed::NotJson(part)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::b64::b64;

    fn seg(json: &str) -> String {
        b64(json.as_bytes())
    }

    #[test]
    fn splits_a_compact_jws() {
        let token = format!(
            "{}.{}.{}",
            seg(r#"{"alg":"ES256"}"#),
            seg(r#"{"a":[1,{"b":null}]}"#),
            b64(b"sig")
        );
        let parsed = parse(&token).unwrap();
        assert_eq!(parsed.header["alg"], "ES256");
        assert_eq!(parsed.signature, b"sig");
        assert_eq!(parsed.signing_input, &token[..token.rfind('.').unwrap()]);
    }

    #[test]
    fn rejects_malformed_shapes() {
        let h = seg(r#"{"alg":"ES256"}"#);
        let p = seg(r#"{}"#);
        for bad in [
            format!("{h}.{p}"),
            format!("{h}.{p}.AA.AA"),
            format!("{h}=.{p}.AA"),
            format!("{h}.{p}.A+A"),
            format!("{}.{p}.AA", seg(r#"{"alg":"ES256","alg":"none"}"#)),
            format!("{h}.{}.AA", seg(r#"{"a":{"b":1,"b":2}}"#)),
            format!("{h}.{}.AA", seg("[]")),
            format!("{h}.{}.AA", seg(r#"{} x"#)),
            format!("{h}.{}.AA", b64(b"\xff\xfe")),
            format!("{h} .{p}.AA"),
        ] {
            assert_eq!(
                Reject::from(parse(&bad).unwrap_err()),
                Reject::Malformed,
                "{bad}"
            );
        }
        assert_eq!(
            parse("{\"payload\":\"\"}").unwrap_err(),
            Malformed::JsonSerialization
        );
        assert_eq!(
            parse(&"a".repeat(MAX_TOKEN_BYTES + 1)).unwrap_err(),
            Malformed::TooLarge
        );
        let dup = format!("{}.{p}.AA", seg(r#"{"alg":"ES256","x":{"a":1,"a":2}}"#));
        assert_eq!(
            parse(&dup).unwrap_err(),
            Malformed::DuplicateName(Part::Header)
        );
        assert_eq!(
            parse(&format!("{h}.{}.AA", seg("[]"))).unwrap_err(),
            Malformed::NotObject(Part::Payload)
        );
        assert_eq!(
            parse(&format!("{h}.{}.AA", seg("{"))).unwrap_err(),
            Malformed::NotJson(Part::Payload)
        );
        assert_eq!(parse("a.b.c.d.e").unwrap_err(), Malformed::Encrypted);
        assert_eq!(parse("a.b").unwrap_err(), Malformed::Parts(2));
        assert_eq!(text(b" \xff\r\n").unwrap_err(), Malformed::NotUtf8);
        assert_eq!(text(b" a.b.c\r\n"), Ok("a.b.c"));
    }
}
