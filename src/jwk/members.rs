//! A JWK's members as read: a short list in file order, and a store's
//! bookkeeping member held apart.

use std::borrow::Cow;
use std::collections::HashSet;

use serde_json::Value;

/// A member name; the names of RFC 7517/7518 and jwkctl's own are not
/// copied from the file.
pub type Name = Cow<'static, str>;

const KNOWN_NAMES: [&str; 22] = [
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
];

/// A key's bookkeeping member, held apart from the key's own members. It is
/// read for every key of a store on every command, so as a short list
/// rather than a JSON object's hash map.
#[derive(Clone, Debug)]
pub enum Bookkeeping {
    /// Its members in file order.
    Members(Vec<(Cow<'static, str>, Value)>),
    /// Not a JSON object.
    Other,
}

impl From<Value> for Bookkeeping {
    fn from(value: Value) -> Bookkeeping {
        match value {
            Value::Object(map) => {
                Bookkeeping::Members(map.into_iter().map(|(n, v)| (name(&n), v)).collect())
            }
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
pub struct Members(pub(super) Vec<(Name, Value)>);

impl Members {
    pub(super) fn position(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|(n, _)| n == name)
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.position(name).map(|i| &self.0[i].1)
    }

    /// Appends a member; whoever adds members from a file checks
    /// [`Members::repeated`] after the last.
    pub fn push(&mut self, name: Name, value: Value) {
        self.0.push((name, value));
    }

    /// A name that appears twice, if one does. In one pass rather than a
    /// search per member, because a hostile key can have 90,000 of them.
    pub fn repeated(&self) -> Option<&str> {
        if self.0.len() <= 16 {
            let names = &self.0;
            (1..names.len())
                .find(|&i| names[..i].iter().any(|(n, _)| *n == names[i].0))
                .map(|i| names[i].0.as_ref())
        } else {
            let mut seen = HashSet::with_capacity(self.0.len());
            self.0
                .iter()
                .map(|(n, _)| n.as_ref())
                .find(|n| !seen.insert(*n))
        }
    }

    /// The members, in order.
    pub fn into_vec(self) -> Vec<(Name, Value)> {
        self.0
    }

    pub(super) fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }

    pub(super) fn remove(&mut self, name: &str) -> Option<Value> {
        self.position(name).map(|i| self.0.remove(i).1)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(n, v)| (n.as_ref(), v))
    }
}
