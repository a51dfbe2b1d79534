//! A JWK's members as read: a short list in file order, and a store's
//! bookkeeping member held apart. What jwkctl reads of a member (the
//! strings of RFC 7517/7518's members and its own) is decoded; everything
//! else is kept as the JSON text it was written as, so a member jwkctl only
//! carries through costs its size and comes back byte for byte.

use std::fmt;

use serde::{Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;
use zeroize::Zeroize;

use super::name::{Name, Wanted, is_known};
use super::text::Span;

/// A member's value: a plain string read from a document (a span of its
/// text), decoded where jwkctl reads it, else its JSON text as written.
/// What the code that checks members sees of a value kept as text is its
/// JSON type only ([`Member::is_string`], [`Member::as_array`]).
#[derive(Clone)]
pub struct Member(Repr);

// 24 bytes. Boxing the two kinds that are not spans as one would make it
// 16, but a value kept as text would then cost two allocations, and a
// hostile key's million tiny members more than a span saves.
#[derive(Clone)]
enum Repr {
    /// A string without escapes, as read: most members of a key (its
    /// base64url numbers, kid, times) cost no allocation of their own.
    Text(Span),
    /// Boxed: a hostile key can have a million members.
    Value(Box<Value>),
    Raw(Box<RawValue>),
}

const _: () = assert!(size_of::<Member>() == 24);

/// A member as the code that reads it sees it.
enum Seen<'a> {
    Text(&'a str),
    Value(&'a Value),
    Raw(&'a RawValue),
}

static ARRAY: Vec<Value> = Vec::new();

impl Member {
    fn seen(&self) -> Seen<'_> {
        match &self.0 {
            Repr::Text(span) => Seen::Text(span.as_str()),
            Repr::Value(value) => Seen::Value(value),
            Repr::Raw(raw) => Seen::Raw(raw),
        }
    }

    /// The whole value, built as a tree: for a key handed out in full
    /// (`export`, the signer), never for a whole store.
    pub fn to_value(&self) -> Value {
        match self.seen() {
            Seen::Text(text) => Value::String(text.to_owned()),
            Seen::Value(value) => value.clone(),
            Seen::Raw(raw) => serde_json::from_str(raw.get()).unwrap_or(Value::Null),
        }
    }

    /// The value as decoded, if jwkctl decoded it (not a string read as a
    /// span, nor a value kept as text).
    pub fn as_value(&self) -> Option<&Value> {
        match self.seen() {
            Seen::Value(value) => Some(value),
            _ => None,
        }
    }

    /// [`Member::as_value`], taken.
    pub fn into_value(self) -> Option<Value> {
        match self.0 {
            Repr::Value(value) => Some(*value),
            Repr::Text(_) | Repr::Raw(_) => None,
        }
    }

    /// The value's JSON text as written, if it was kept as text.
    pub fn as_raw(&self) -> Option<&RawValue> {
        match self.seen() {
            Seen::Raw(raw) => Some(raw),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self.seen() {
            Seen::Text(text) => Some(text),
            Seen::Value(value) => value.as_str(),
            Seen::Raw(_) => None,
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
        match self.seen() {
            Seen::Value(value) => value.as_array().map(Vec::as_slice),
            Seen::Raw(raw) if raw.get().starts_with('[') => Some(&ARRAY),
            _ => None,
        }
    }

    /// Wipes what this member holds of its own (a span is wiped with the
    /// text it is part of).
    pub fn wipe(&mut self) {
        match &mut self.0 {
            Repr::Value(value) => {
                if let Value::String(text) = &mut **value {
                    text.zeroize();
                }
            }
            Repr::Raw(raw) => {
                let mut text: Box<str> = std::mem::take(raw).into();
                text.zeroize();
            }
            Repr::Text(_) => {}
        }
    }

    /// The first byte of the value's JSON text: its type.
    fn first_byte(&self) -> Option<u8> {
        match self.seen() {
            Seen::Text(_) => Some(b'"'),
            Seen::Value(value) => Some(match value {
                Value::Null => b'n',
                Value::Bool(true) => b't',
                Value::Bool(false) => b'f',
                Value::Number(_) => b'0',
                Value::String(_) => b'"',
                Value::Array(_) => b'[',
                Value::Object(_) => b'{',
            }),
            Seen::Raw(raw) => raw.get().as_bytes().first().copied(),
        }
    }
}

impl From<Value> for Member {
    fn from(value: Value) -> Member {
        Member(Repr::Value(Box::new(value)))
    }
}

impl From<Box<RawValue>> for Member {
    fn from(raw: Box<RawValue>) -> Member {
        Member(Repr::Raw(raw))
    }
}

impl From<Span> for Member {
    fn from(span: Span) -> Member {
        Member(Repr::Text(span))
    }
}

impl PartialEq for Member {
    fn eq(&self, other: &Member) -> bool {
        match (self.seen(), other.seen()) {
            (Seen::Text(a), Seen::Text(b)) => a == b,
            (Seen::Raw(a), Seen::Raw(b)) => a.get() == b.get(),
            (Seen::Value(a), Seen::Value(b)) => a == b,
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
        match (self.seen(), other) {
            (Seen::Value(value), _) => value == other,
            (Seen::Text(text), Value::String(s)) => text == s,
            (Seen::Text(_), _) => false,
            (Seen::Raw(_), _) => self.to_value() == *other,
        }
    }
}

impl Serialize for Member {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.seen() {
            Seen::Text(text) => s.serialize_str(text),
            Seen::Value(value) => value.serialize(s),
            Seen::Raw(raw) => raw.serialize(s),
        }
    }
}

impl fmt::Display for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.seen() {
            // Without escapes: its JSON text is the text in quotes.
            Seen::Text(text) => write!(f, "\"{text}\""),
            Seen::Value(value) => value.fmt(f),
            Seen::Raw(raw) => f.write_str(raw.get()),
        }
    }
}

/// Text is not shown: a private member may be one.
impl fmt::Debug for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.seen() {
            Seen::Text(text) => write!(f, "Text({} bytes)", text.len()),
            Seen::Value(value) => value.fmt(f),
            Seen::Raw(raw) => write!(f, "Raw({} bytes)", raw.get().len()),
        }
    }
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
/// ([`is_known`]), as a [`Name`] tells.
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
    Members(Vec<(Name, Member)>),
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
    Name::new(text)
}

/// A JWK's members in file order. A JWK has about a dozen, so a vector
/// searched in order beats a hash map: no hashing, and a few allocations
/// per key instead of a few dozen, which is what a 1,000-key store read on
/// every `sign` costs.
#[derive(Clone, Debug, Default)]
pub struct Members(pub(super) Vec<(Name, Member)>);

impl Members {
    pub(super) fn position(&self, name: &str) -> Option<usize> {
        self.position_of(&Wanted::new(name))
    }

    /// The name asked for is told apart once; each member's then by a
    /// byte (a known name) or its text (any other).
    fn position_of(&self, wanted: &Wanted) -> Option<usize> {
        self.0.iter().position(|(n, _)| wanted.is(n))
    }

    pub(super) fn find(&self, wanted: &Wanted) -> Option<&Member> {
        self.position_of(wanted).map(|i| &self.0[i].1)
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
                .find(|&i| names[..i].iter().any(|(n, _)| *n == names[i].0))
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
