//! Member names. The names of RFC 7517/7518's members and jwkctl's own are
//! known: a known name is not copied from the file, and is told apart from
//! the others by the compiler's `match`, not by comparing strings in turn.

use std::fmt;
use std::ops::Deref;

use serde::{Serialize, Serializer};

/// The names jwkctl knows; a known [`Name`] is its place here.
const KNOWN: [&str; 27] = [
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
    "jwkctl",
];

/// A name's place in [`KNOWN`], if it is one.
fn known(name: &str) -> Option<u8> {
    Some(match name {
        "kty" => 0,
        "kid" => 1,
        "use" => 2,
        "alg" => 3,
        "n" => 4,
        "e" => 5,
        "crv" => 6,
        "x" => 7,
        "y" => 8,
        "d" => 9,
        "p" => 10,
        "q" => 11,
        "dp" => 12,
        "dq" => 13,
        "qi" => 14,
        "oth" => 15,
        "k" => 16,
        "key_ops" => 17,
        "created" => 18,
        "signs_from" => 19,
        "retired" => 20,
        "max_ttl" => 21,
        "confirmed" => 22,
        "cache_lifetime" => 23,
        "signer" => 24,
        "destroy" => 25,
        "jwkctl" => 26,
        _ => return None,
    })
}

/// Whether a member of this name is one jwkctl reads, its string decoded.
pub fn is_known(name: &str) -> bool {
    known(name).is_some()
}

/// A member name, in 16 bytes: a key is a list of names and values, and a
/// store holds thousands of keys.
#[derive(Clone, PartialEq, Eq)]
pub struct Name(Repr);

// Every name is made by `Name::new`, so a known name is never `Other`, and
// the derived comparison is the comparison of the text.
#[derive(Clone, PartialEq, Eq)]
enum Repr {
    Known(u8),
    Other(Box<str>),
}

const _: () = assert!(size_of::<Name>() == 16);

impl Name {
    pub fn new(text: &str) -> Name {
        Name(match known(text) {
            Some(i) => Repr::Known(i),
            None => Repr::Other(text.into()),
        })
    }

    /// Whether it is one of the names jwkctl reads.
    pub fn is_known(&self) -> bool {
        matches!(self.0, Repr::Known(_))
    }

    /// Whether it names private key material: `d p q dp dq qi oth k`, the
    /// run of [`KNOWN`] from 9 to 16.
    pub fn is_private(&self) -> bool {
        matches!(self.0, Repr::Known(9..=16))
    }

    /// Whether it is the store's bookkeeping member, `jwkctl`.
    pub fn is_bookkeeping(&self) -> bool {
        matches!(self.0, Repr::Known(26))
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Known(i) => KNOWN.get(usize::from(*i)).copied().unwrap_or_default(),
            Repr::Other(text) => text,
        }
    }
}

impl From<String> for Name {
    fn from(text: String) -> Name {
        match known(&text) {
            Some(i) => Name(Repr::Known(i)),
            None => Name(Repr::Other(text.into_boxed_str())),
        }
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        same_name(self, other)
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        same_name(self, other)
    }
}

impl Serialize for Name {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A name looked for among a key's members.
pub struct Wanted<'a> {
    text: &'a str,
    known: Option<u8>,
}

impl Wanted<'static> {
    // The names looked for on every key of a store, told apart without a
    // `match` each time.
    pub const KTY: Wanted<'static> = Wanted::at(0);
    pub const KID: Wanted<'static> = Wanted::at(1);
    pub const ALG: Wanted<'static> = Wanted::at(3);
    pub const CRV: Wanted<'static> = Wanted::at(6);
    pub const D: Wanted<'static> = Wanted::at(9);

    const fn at(i: u8) -> Wanted<'static> {
        Wanted {
            text: KNOWN[i as usize],
            known: Some(i),
        }
    }
}

impl<'a> Wanted<'a> {
    pub fn new(text: &'a str) -> Wanted<'a> {
        Wanted {
            text,
            known: known(text),
        }
    }

    /// Whether `name` is the one looked for.
    pub fn is(&self, name: &Name) -> bool {
        match (&name.0, self.known) {
            (Repr::Known(i), Some(wanted)) => *i == wanted,
            (Repr::Other(text), None) => same_name(text, self.text),
            _ => false,
        }
    }
}

/// Whether two member names are the same; most differ in length or in
/// their first byte, told without a call to `memcmp`.
pub fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().first() == b.as_bytes().first() && a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_name_is_its_place_in_the_list() {
        for (i, text) in KNOWN.iter().enumerate() {
            assert_eq!(known(text), u8::try_from(i).ok(), "{text}");
            let name = Name::new(text);
            assert!(name.is_known());
            assert_eq!(name.as_str(), *text);
            assert_eq!(Name::from(text.to_string()), name);
        }
        let other = Name::new("x5c");
        assert!(!other.is_known());
        assert_eq!(other, "x5c");
        assert_ne!(other, Name::new("x5t"));
        assert_eq!(serde_json::to_string(&Name::new("kid")).unwrap(), "\"kid\"");
        assert!(Wanted::new("kid").is(&Name::new("kid")));
        assert!(!Wanted::new("kid").is(&Name::new("kty")));
        assert!(!Wanted::new("kid").is(&other));
        assert!(Wanted::new("x5c").is(&other));
        for (wanted, text) in [
            (Wanted::KTY, "kty"),
            (Wanted::KID, "kid"),
            (Wanted::ALG, "alg"),
            (Wanted::CRV, "crv"),
            (Wanted::D, "d"),
        ] {
            assert_eq!((wanted.text, wanted.known), (text, known(text)));
        }
        let private: Vec<&str> = KNOWN
            .iter()
            .filter(|text| Name::new(text).is_private())
            .copied()
            .collect();
        assert_eq!(private, crate::jwk::PRIVATE_MEMBERS);
        assert!(Name::new(crate::jwk::BOOKKEEPING).is_bookkeeping());
        assert!(!Wanted::new("x5t").is(&other));
    }
}
