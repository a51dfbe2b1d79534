//! A JWK's members as read: a short list in file order, and a store's
//! bookkeeping member held apart. What jwkctl reads of a member (the
//! strings of RFC 7517/7518's members and its own) is decoded; everything
//! else is kept as the JSON text it was written as, so a member jwkctl only
//! carries through costs its size and comes back byte for byte.

use std::borrow::Cow;
use std::fmt;
use std::sync::LazyLock;

use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// A member name; the names of RFC 7517/7518 and jwkctl's own are not
/// copied from the file.
pub type Name = Cow<'static, str>;

const KNOWN_NAMES: [&str; 26] = [
    "kty",
    "kid",
    "use",
    "alg",
    "n",
    "e",
    "crv",
    "x",
    "y",
    "d",
    "p",
    "q",
    "dp",
    "dq",
    "qi",
    "oth",
    "k",
    "key_ops",
    "created",
    "signs_from",
    "retired",
    "max_ttl",
    "confirmed",
    "cache_lifetime",
    "signer",
    "destroy",
];

/// A member's value: decoded where jwkctl reads it, else its JSON text as
/// written ([`Member::value`] shows such a value's JSON type only).
#[derive(Clone)]
pub enum Member {
    /// Boxed: a member costs 24 bytes this way, and a hostile key can
    /// have a million.
    Value(Box<Value>),
    Raw(Box<RawValue>),
}

static NULL: Value = Value::Null;
static TRUE: Value = Value::Bool(true);
static FALSE: Value = Value::Bool(false);
static STRING: Value = Value::String(String::new());
static ARRAY: Value = Value::Array(Vec::new());
static OBJECT: LazyLock<Value> = LazyLock::new(|| Value::Object(Map::new()));
static NUMBER: LazyLock<Value> = LazyLock::new(|| Value::from(0));

impl Member {
    /// The value as the code that checks members sees it. A value kept as
    /// text stands in as an empty one of its JSON type: enough to tell a
    /// `kid` that is not a string, or a `use` that is not `"sig"`, without
    /// building a tree of a value that can be megabytes of tiny items.
    pub fn value(&self) -> &Value {
        match self {
            Member::Value(value) => value,
            Member::Raw(raw) => match raw.get().as_bytes().first() {
                Some(b'"') => &STRING,
                Some(b'[') => &ARRAY,
                Some(b'{') => &OBJECT,
                Some(b't') => &TRUE,
                Some(b'f') => &FALSE,
                Some(b'n') | None => &NULL,
                Some(_) => &NUMBER,
            },
        }
    }

    /// The whole value, built as a tree: for a key handed out in full
    /// (`export`, the signer), never for a whole store.
    pub fn to_value(&self) -> Value {
        match self {
            Member::Value(value) => (**value).clone(),
            Member::Raw(raw) => serde_json::from_str(raw.get()).unwrap_or(Value::Null),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Member::Value(value) => value.as_str(),
            Member::Raw(_) => None,
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
            (Member::Value(a), Member::Value(b)) => a == b,
            (Member::Raw(a), Member::Raw(b)) => a.get() == b.get(),
            (Member::Raw(_), Member::Value(_)) | (Member::Value(_), Member::Raw(_)) => {
                self.to_value() == other.to_value()
            }
        }
    }
}

impl Eq for Member {}

impl Serialize for Member {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Member::Value(value) => value.serialize(s),
            Member::Raw(raw) => raw.serialize(s),
        }
    }
}

impl fmt::Display for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Member::Value(value) => value.fmt(f),
            Member::Raw(raw) => f.write_str(raw.get()),
        }
    }
}

/// Text is not shown: a private member may be one.
impl fmt::Debug for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Member::Value(value) => value.fmt(f),
            Member::Raw(raw) => write!(f, "Raw({} bytes)", raw.get().len()),
        }
    }
}

/// Whether a member of this name is one jwkctl reads, its string decoded.
pub fn is_known(name: &str) -> bool {
    KNOWN_NAMES.contains(&name)
}

/// The `key_ops` of a verifier's key is read (a short list of strings);
/// longer than this it is no list a key needs, and is kept as text.
const KEY_OPS_READ: usize = 256;

/// Whether the value `text` of member `name` is one jwkctl reads (a known
/// member's string or number; a short `key_ops`) rather than keeps as text.
pub fn is_read(name: &str, text: &str) -> bool {
    let structured = text.starts_with(['[', '{']);
    (is_known(name) && !structured) || (name == "key_ops" && text.len() <= KEY_OPS_READ)
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
    match KNOWN_NAMES.iter().find(|known| **known == text) {
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
        self.0.iter().position(|(n, _)| n == name)
    }

    /// The member's value as [`Member::value`] shows it.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.entry(name).map(Member::value)
    }

    pub fn entry(&self, name: &str) -> Option<&Member> {
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

    pub(super) fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }

    pub(super) fn remove(&mut self, name: &str) -> Option<Member> {
        self.position(name).map(|i| self.0.remove(i).1)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, &Member)> {
        self.0.iter().map(|(n, v)| (n.as_ref(), v))
    }
}
