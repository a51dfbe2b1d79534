//! A JWK's members as read: a short list in file order, and a store's
//! bookkeeping member held apart. What jwkctl reads of a member (the
//! strings of RFC 7517/7518's members and its own) is decoded; everything
//! else is kept as the JSON text it was written as, so a member jwkctl only
//! carries through costs its size and comes back byte for byte.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::{Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;
use zeroize::Zeroizing;

/// A member name; the names of RFC 7517/7518 and jwkctl's own are not
/// copied from the file.
pub type Name = Cow<'static, str>;

/// A member's value: a plain string read from a document (a span of its
/// text), decoded where jwkctl reads it, else its JSON text as written.
/// What the code that checks members sees of a value kept as text is its
/// JSON type only ([`Member::is_string`], [`Member::as_array`]).
#[derive(Clone)]
pub enum Member {
    /// A string without escapes, as read: most members of a key (its
    /// base64url numbers, kid, times) cost no allocation of their own.
    Text(Span),
    /// Boxed: a member costs 24 bytes this way, and a hostile key can
    /// have a million.
    Value(Box<Value>),
    Raw(Box<RawValue>),
}

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

static ARRAY: Vec<Value> = Vec::new();

impl Member {
    /// The whole value, built as a tree: for a key handed out in full
    /// (`export`, the signer), never for a whole store.
    pub fn to_value(&self) -> Value {
        match self {
            Member::Text(span) => Value::String(span.as_str().to_owned()),
            Member::Value(value) => (**value).clone(),
            Member::Raw(raw) => serde_json::from_str(raw.get()).unwrap_or(Value::Null),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Member::Text(span) => Some(span.as_str()),
            Member::Value(value) => value.as_str(),
            Member::Raw(_) => None,
        }
    }

    pub fn is_string(&self) -> bool {
        self.first_byte() == Some(b'"')
    }

    pub fn is_null(&self) -> bool {
        self.first_byte() == Some(b'n')
    }

    /// An array's items; a long array kept as text stands in as an empty
    /// one: enough to tell a `key_ops` that does not allow an operation
    /// without building a tree of megabytes of tiny items.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Member::Value(value) => value.as_array().map(Vec::as_slice),
            Member::Raw(raw) if raw.get().starts_with('[') => Some(&ARRAY),
            _ => None,
        }
    }

    /// The first byte of the value's JSON text: its type.
    fn first_byte(&self) -> Option<u8> {
        match self {
            Member::Text(_) => Some(b'"'),
            Member::Value(value) => Some(match **value {
                Value::Null => b'n',
                Value::Bool(true) => b't',
                Value::Bool(false) => b'f',
                Value::Number(_) => b'0',
                Value::String(_) => b'"',
                Value::Array(_) => b'[',
                Value::Object(_) => b'{',
            }),
            Member::Raw(raw) => raw.get().as_bytes().first().copied(),
        }
    }
}

impl From<Value> for Member {
    fn from(value: Value) -> Member {
        Member::Value(Box::new(value))
    }
}

impl From<Box<RawValue>> for Member {
    fn from(raw: Box<RawValue>) -> Member {
        Member::Raw(raw)
    }
}

impl PartialEq for Member {
    fn eq(&self, other: &Member) -> bool {
        match (self, other) {
            (Member::Raw(a), Member::Raw(b)) => a.get() == b.get(),
            (Member::Value(a), Member::Value(b)) => a == b,
            _ => match (self.as_str(), other.as_str()) {
                (Some(a), Some(b)) => a == b,
                _ => self.to_value() == other.to_value(),
            },
        }
    }
}

impl Eq for Member {}

impl PartialEq<Value> for Member {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Member::Value(value), _) => **value == *other,
            (Member::Text(span), Value::String(s)) => span.as_str() == s,
            (Member::Text(_), _) => false,
            (Member::Raw(_), _) => self.to_value() == *other,
        }
    }
}

impl Serialize for Member {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Member::Text(span) => s.serialize_str(span.as_str()),
            Member::Value(value) => value.serialize(s),
            Member::Raw(raw) => raw.serialize(s),
        }
    }
}

impl fmt::Display for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Without escapes: its JSON text is the text in quotes.
            Member::Text(span) => write!(f, "\"{}\"", span.as_str()),
            Member::Value(value) => value.fmt(f),
            Member::Raw(raw) => f.write_str(raw.get()),
        }
    }
}

/// Text is not shown: a private member may be one.
impl fmt::Debug for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Member::Text(span) => write!(f, "Text({} bytes)", span.as_str().len()),
            Member::Value(value) => value.fmt(f),
            Member::Raw(raw) => write!(f, "Raw({} bytes)", raw.get().len()),
        }
    }
}

/// Whether a member of this name is one jwkctl reads, its string decoded.
pub fn is_known(name: &str) -> bool {
    known(name).is_some()
}

/// The names of RFC 7517/7518's members and jwkctl's own, as a `match`:
/// the compiler tells them apart by length and a few loads, where a list
/// searched in turn cost a string comparison each, for every member of a
/// 1,000-key store.
fn known(name: &str) -> Option<&'static str> {
    Some(match name {
        "kty" => "kty",
        "kid" => "kid",
        "use" => "use",
        "alg" => "alg",
        "n" => "n",
        "e" => "e",
        "crv" => "crv",
        "x" => "x",
        "y" => "y",
        "d" => "d",
        "p" => "p",
        "q" => "q",
        "dp" => "dp",
        "dq" => "dq",
        "qi" => "qi",
        "oth" => "oth",
        "k" => "k",
        "key_ops" => "key_ops",
        "created" => "created",
        "signs_from" => "signs_from",
        "retired" => "retired",
        "max_ttl" => "max_ttl",
        "confirmed" => "confirmed",
        "cache_lifetime" => "cache_lifetime",
        "signer" => "signer",
        "destroy" => "destroy",
        _ => return None,
    })
}

/// Whether two member names are the same; most differ in length or in
/// their first byte, told without a call to `memcmp`.
pub fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().first() == b.as_bytes().first() && a == b
}

/// The `key_ops` of a verifier's key is read (a short list of strings);
/// longer than this it is no list a key needs, and is kept as text.
const KEY_OPS_READ: usize = 256;

/// Whether the value `text` of member `name` is one jwkctl reads (a known
/// member's string or number; a short `key_ops`) rather than keeps as text.
pub fn is_read(name: &str, text: &str) -> bool {
    is_read_as(is_known(name), name, text)
}

/// [`is_read`] of a name already known to be (or not be) one of jwkctl's
/// ([`is_known`]), as a [`Name`] read by [`name`] tells.
pub fn is_read_as(known: bool, name: &str, text: &str) -> bool {
    let structured = text.starts_with(['[', '{']);
    (known && !structured) || (known && name == "key_ops" && text.len() <= KEY_OPS_READ)
}

/// A key's bookkeeping member, held apart from the key's own members. It is
/// read for every key of a store on every command, so as a short list
/// rather than a JSON object's hash map.
#[derive(Clone, Debug)]
pub enum Bookkeeping {
    /// Its members in file order.
    Members(Vec<(Cow<'static, str>, Member)>),
    /// Not a JSON object.
    Other,
}

impl From<Value> for Bookkeeping {
    fn from(value: Value) -> Bookkeeping {
        match value {
            Value::Object(map) => Bookkeeping::Members(
                map.into_iter()
                    .map(|(n, v)| (name(&n), Member::from(v)))
                    .collect(),
            ),
            _ => Bookkeeping::Other,
        }
    }
}

pub fn name(text: &str) -> Name {
    match known(text) {
        Some(known) => Cow::Borrowed(known),
        None => Cow::Owned(text.to_owned()),
    }
}

/// A JWK's members in file order. A JWK has about a dozen, so a vector
/// searched in order beats a hash map: no hashing, and a few allocations
/// per key instead of a few dozen, which is what a 1,000-key store read on
/// every `sign` costs.
#[derive(Clone, Debug, Default)]
pub struct Members(pub(super) Vec<(Name, Member)>);

impl Members {
    pub(super) fn position(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|(n, _)| same_name(n, name))
    }

    pub fn get(&self, name: &str) -> Option<&Member> {
        self.position(name).map(|i| &self.0[i].1)
    }

    /// Appends a member; whoever adds members from a file checks
    /// [`Members::repeated`] after the last.
    pub fn push(&mut self, name: Name, value: Member) {
        self.0.push((name, value));
    }

    /// A name that appears twice, if one does. Sorted rather than a
    /// search per member, because a hostile key can have 90,000 of them,
    /// and by index rather than in a set: 4 bytes a member, where a member
    /// can be as short as 6 bytes of the file.
    pub fn repeated(&self) -> Option<&str> {
        let names = &self.0;
        if names.len() <= 16 {
            (1..names.len())
                .find(|&i| names[..i].iter().any(|(n, _)| same_name(n, &names[i].0)))
                .map(|i| names[i].0.as_ref())
        } else {
            let mut order: Vec<u32> = (0..names.len())
                .filter_map(|i| u32::try_from(i).ok())
                .collect();
            let name = |i: u32| names[i as usize].0.as_ref();
            order.sort_unstable_by(|a, b| name(*a).cmp(name(*b)));
            order
                .windows(2)
                .find(|pair| name(pair[0]) == name(pair[1]))
                .map(|pair| name(pair[0]))
        }
    }

    /// The members, in order.
    pub fn into_vec(self) -> Vec<(Name, Member)> {
        self.0
    }

    /// Frees spare room of more than one member (a hostile key can have a
    /// million): room for one is not worth a reallocation per key.
    pub(super) fn shrink_to_fit(&mut self) {
        if self.0.capacity() > self.0.len() + 1 {
            self.0.shrink_to_fit();
        }
    }

    pub(super) fn remove(&mut self, name: &str) -> Option<Member> {
        self.position(name).map(|i| self.0.remove(i).1)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, &Member)> {
        self.0.iter().map(|(n, v)| (n.as_ref(), v))
    }
}
