//! A JWK Set document (a key store or a published set), read in one pass
//! straight into [`Jwk`]s rather than through a JSON tree: the store, the
//! verifier's key sets and `check` all read sets this way. What jwkctl does
//! not read of a member is kept as its JSON text ([`Member`]), so memory
//! grows with the document's size, not with how many values it holds.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use serde::de::{
    self, Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::jwk::{
    BOOKKEEPING, Bookkeeping, Jwk, Member, Members, Name, Span, Text, is_read_as, name,
};
use crate::strict::{Checked, Strict, check_text, repeated};

/// A JWK Set document.
pub struct SetDocument {
    pub keys: Keys,
    /// The members other than `"keys"` and `"jwkctl"`, in file order.
    pub rest: Members,
    /// The top-level `"jwkctl"` member (a store's own).
    pub meta: Option<Bookkeeping>,
}

pub enum Keys {
    Missing,
    NotArray,
    /// `None` for an element that is not a JSON object or an empty one,
    /// which is no more a key. Boxed: a 1 MiB set can hold half a million
    /// elements, each 8 bytes this way. Empty when the elements went to
    /// an [`EachKey`] as they were read ([`parse_each`]).
    Array(Vec<Option<Box<Jwk>>>),
}

/// Reads a JWK Set document; `Ok(None)` if the JSON is not an object.
/// Its members that are plain strings stay spans of `text`.
pub fn parse_set(text: &Arc<Text>) -> serde_json::Result<Option<SetDocument>> {
    let mut reading = Reading { text, each: None };
    read::<Document>(&mut reading).map(|d| d.0)
}

/// [`parse_set`] whose keys go to `each` as they are read, rather than
/// into [`Keys::Array`]: the reader of a key store or a published set
/// holds each key once. Once `each` takes no more, the rest is only
/// checked: a store of a million empty objects costs no million keys.
pub fn parse_each(text: &Arc<Text>, each: &mut EachKey) -> serde_json::Result<Option<SetDocument>> {
    let mut reading = Reading {
        text,
        each: Some(each),
    };
    read::<Document>(&mut reading).map(|d| d.0)
}

/// Takes an element of `"keys"` (a key, or `None` for a value that is not
/// a JSON object) and says whether to go on.
pub type EachKey<'e> = dyn FnMut(Option<Jwk>) -> bool + 'e;

/// What reading a document needs beside the JSON.
struct Reading<'r> {
    /// The document's text, for members kept as spans of it.
    text: &'r Arc<Text>,
    /// Where the keys go, if not into [`Keys::Array`].
    each: Option<&'r mut EachKey<'r>>,
}

fn read<T: Shape>(reading: &mut Reading) -> serde_json::Result<T> {
    let text = reading.text;
    let seed = Seed::<T>::new(reading);
    // UTF-8 is checked once for the whole text, not string by string;
    // text that is not UTF-8 is read as bytes, to say where it breaks.
    let value = match text.as_str() {
        Some(utf8) => {
            let mut de = serde_json::Deserializer::from_str(utf8);
            let value = seed.deserialize(&mut de)?;
            de.end()?;
            value
        }
        None => {
            let mut de = serde_json::Deserializer::from_slice(text.as_bytes());
            let value = seed.deserialize(&mut de)?;
            de.end()?;
            value
        }
    };
    Ok(value)
}

/// A value whose JSON type decides what it is: an object or an array is
/// read by `object` or `array` (skipped unless overridden), and any other
/// value is `other()`. Reading a store this way builds no JSON tree.
trait Shape: Sized {
    const EXPECTING: &'static str;

    fn other() -> Self;

    fn object<'de, A: MapAccess<'de>>(mut map: A, _: &mut Reading) -> Result<Self, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Self::other())
    }

    fn array<'de, A: SeqAccess<'de>>(mut seq: A, _: &mut Reading) -> Result<Self, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Self::other())
    }
}

/// Reads a `T` in a [`Reading`].
struct Seed<'s, 'r, T> {
    reading: &'s mut Reading<'r>,
    shape: PhantomData<T>,
}

impl<'s, 'r, T> Seed<'s, 'r, T> {
    fn new(reading: &'s mut Reading<'r>) -> Self {
        Seed {
            reading,
            shape: PhantomData,
        }
    }
}

impl<'de, T: Shape> DeserializeSeed<'de> for Seed<'_, '_, T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: Shape> Visitor<'de> for Seed<'_, '_, T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<T, E> {
        Ok(T::other())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<T, E> {
        Ok(T::other())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<T, E> {
        Ok(T::other())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<T, E> {
        Ok(T::other())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<T, E> {
        Ok(T::other())
    }
    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Ok(T::other())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::object(map, self.reading)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        T::array(seq, self.reading)
    }
}

struct Document(Option<SetDocument>);

impl Shape for Document {
    const EXPECTING: &'static str = "a JWK Set";
    fn other() -> Self {
        Document(None)
    }
    fn object<'de, A: MapAccess<'de>>(mut map: A, reading: &mut Reading) -> Result<Self, A::Error> {
        let mut keys = Keys::Missing;
        let mut rest = Members::default();
        let mut meta = None;
        let mut seen_keys = false;
        while let Some(MemberName(name)) = map.next_key()? {
            if name == "keys" {
                if std::mem::replace(&mut seen_keys, true) {
                    return Err(repeated("keys"));
                }
                keys = map.next_value_seed(Seed::<KeysMember>::new(reading))?.0;
            } else if name == BOOKKEEPING {
                if meta.is_some() {
                    return Err(repeated(BOOKKEEPING));
                }
                meta = Some(map.next_value_seed(Seed::<Bookkeeping>::new(reading))?);
            } else {
                let value = next_member(&mut map, &name, reading.text)?;
                rest.push(name, value);
            }
        }
        if let Some(name) = rest.repeated() {
            return Err(repeated(name));
        }
        // A single JWK given as a key source.
        if rest.get("kid").is_some_and(|kid| !kid.is_string()) {
            return Err(kid_not_a_string());
        }
        Ok(Document(Some(SetDocument { keys, rest, meta })))
    }
}

/// The `"keys"` member.
struct KeysMember(Keys);

impl Shape for KeysMember {
    const EXPECTING: &'static str = "an array of JSON Web Keys";
    fn other() -> Self {
        KeysMember(Keys::NotArray)
    }
    fn array<'de, A: SeqAccess<'de>>(mut seq: A, reading: &mut Reading) -> Result<Self, A::Error> {
        let mut keys = Vec::new();
        while let Some(Element(key)) = seq.next_element_seed(Seed::new(reading))? {
            match &mut reading.each {
                None => keys.push(key.filter(|jwk| !jwk.is_empty()).map(Box::new)),
                Some(each) => {
                    if !each(key) {
                        while seq.next_element::<Checked>()?.is_some() {}
                        break;
                    }
                }
            }
        }
        Ok(KeysMember(Keys::Array(keys)))
    }
}

/// A JWK object; `None` for any other JSON value.
struct Element(Option<Jwk>);

impl Shape for Element {
    const EXPECTING: &'static str = "a JSON Web Key";
    fn other() -> Self {
        Element(None)
    }
    fn object<'de, A: MapAccess<'de>>(mut map: A, reading: &mut Reading) -> Result<Self, A::Error> {
        let mut jwk = Jwk::with_capacity(8);
        let mut bookkept = false;
        while let Some(MemberName(name)) = map.next_key()? {
            if name == BOOKKEEPING {
                if std::mem::replace(&mut bookkept, true) {
                    return Err(repeated(BOOKKEEPING));
                }
                jwk.set_bookkeeping(map.next_value_seed(Seed::new(reading))?);
            } else {
                let value = next_member(&mut map, &name, reading.text)?;
                jwk.push_member(name, value);
            }
        }
        if let Some(name) = jwk.repeated_name() {
            return Err(repeated(name));
        }
        // Read as absent, it would be replaced by the thumbprint on the
        // next write, and a verifier would take the key for one without.
        if jwk.member("kid").is_some_and(|kid| !kid.is_string()) {
            return Err(kid_not_a_string());
        }
        jwk.shrink_to_fit();
        Ok(Element(Some(jwk)))
    }
}

impl Shape for Bookkeeping {
    const EXPECTING: &'static str = "a key's bookkeeping";
    fn other() -> Self {
        Bookkeeping::Other
    }
    fn object<'de, A: MapAccess<'de>>(mut map: A, reading: &mut Reading) -> Result<Self, A::Error> {
        let mut members = Members::default();
        while let Some(MemberName(name)) = map.next_key()? {
            let value = next_member(&mut map, &name, reading.text)?;
            members.push(name, value);
        }
        if let Some(name) = members.repeated() {
            return Err(repeated(name));
        }
        Ok(Bookkeeping::Members(members.into_vec()))
    }
}

/// The value of member `name`, next in `map`: read where jwkctl reads it
/// (a known member's string or number; a short `key_ops`), else checked
/// like everything else (no name twice in any object) and kept as its
/// text, byte for byte.
fn next_member<'de, A: MapAccess<'de>>(
    map: &mut A,
    name: &Name,
    text: &Arc<Text>,
) -> Result<Member, A::Error> {
    let raw: &'de RawValue = map.next_value()?;
    let value = raw.get();
    if is_read_as(name.is_known(), name, value) {
        // The common case, a string without escapes (base64url members,
        // kids, times), is the text between its quotes: `raw` is already
        // checked JSON, so it needs neither a second parse nor a copy.
        if let Some(plain) = value
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .filter(|t| !t.contains('\\'))
        {
            return Ok(match Span::within(text, plain) {
                Some(span) => Member::from(span),
                None => Member::from(Value::String(plain.to_owned())),
            });
        }
        let Strict(value) = serde_json::from_str(value).map_err(de::Error::custom)?;
        return Ok(Member::from(value));
    }
    check_text(value).map_err(de::Error::custom)?;
    Ok(Member::from(raw.to_owned()))
}

fn kid_not_a_string<E: de::Error>() -> E {
    E::custom("a key's \"kid\" is not a string")
}

/// A member name, not copied when it is a known one.
struct MemberName(Name);

impl<'de> Deserialize<'de> for MemberName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = MemberName;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<MemberName, E> {
                Ok(MemberName(name(text)))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn parse_set(bytes: &[u8]) -> serde_json::Result<Option<SetDocument>> {
        super::parse_set(&Text::copy(bytes))
    }

    /// The keys of a store that takes objects with a member.
    fn store_keys(bytes: &[u8]) -> Vec<Option<Jwk>> {
        let mut keys = Vec::new();
        super::parse_each(&Text::copy(bytes), &mut |key| {
            let more = key.as_ref().is_some_and(|jwk| !jwk.is_empty());
            keys.push(key);
            more
        })
        .unwrap()
        .unwrap();
        keys
    }

    #[test]
    fn a_set_document_is_read_in_one_pass() {
        let doc = parse_set(
            br#"{"a": 1, "keys": [{"kty": "EC", "k\u0069d": "two", "d": "s"},
                "text", [1, {"x": 2}], null, {}], "jwkctl": {"max_ttl": "1h"}}"#,
        )
        .unwrap()
        .unwrap();
        let Keys::Array(keys) = doc.keys else {
            unreachable!("keys not read as an array");
        };
        assert_eq!(keys.len(), 5);
        let key = keys[0].as_ref().unwrap();
        // An escaped name is the name.
        assert_eq!(
            Value::Object(key.to_public()),
            json!({"kty": "EC", "kid": "two"})
        );
        assert!(key.is_private());
        // Neither an element that is not an object nor an empty one is a
        // key (a store reads `{}` as a key, to refuse it).
        assert!(keys[1..].iter().all(Option::is_none));
        // A store's bookkeeping is held apart from the key's members.
        let stored = parse_set(
            br#"{"keys": [{"kty": "EC", "jwkctl": {"created": "t", "new": [1]}}, {"jwkctl": 5}]}"#,
        )
        .unwrap()
        .unwrap();
        let Keys::Array(stored) = stored.keys else {
            unreachable!("keys not read as an array");
        };
        let first = stored[0].as_ref().unwrap();
        assert_eq!(Value::Object(first.to_private_map()), json!({"kty": "EC"}));
        let Some(Bookkeeping::Members(members)) = first.bookkeeping() else {
            unreachable!("no bookkeeping");
        };
        let members: Vec<(&str, Value)> = members
            .iter()
            .map(|(name, value)| (name.as_ref(), value.to_value()))
            .collect();
        assert_eq!(members, [("created", json!("t")), ("new", json!([1]))]);
        let second = stored[1].as_ref().unwrap();
        assert!(matches!(second.bookkeeping(), Some(Bookkeeping::Other)));
        let rest = doc.rest.into_vec();
        assert_eq!(rest.len(), 1);
        assert_eq!(
            (rest[0].0.as_ref(), rest[0].1.to_string()),
            ("a", "1".into())
        );
        let Some(Bookkeeping::Members(meta)) = doc.meta else {
            unreachable!("no top-level bookkeeping");
        };
        assert_eq!(meta[0].0, "max_ttl");
        assert_eq!(meta[0].1.as_str(), Some("1h"));

        for text in ["[]", "1", "\"keys\"", "null"] {
            assert!(parse_set(text.as_bytes()).unwrap().is_none(), "{text}");
        }
        let keys = |text: &str| parse_set(text.as_bytes()).unwrap().unwrap().keys;
        assert!(matches!(keys(r#"{"keys": {"a": [1]}}"#), Keys::NotArray));
        assert!(matches!(keys(r#"{"keys": "x"}"#), Keys::NotArray));
        assert!(matches!(keys(r#"{"kty": "EC"}"#), Keys::Missing));
        for broken in ["", "{", r#"{"keys": [{"kty": }]}"#, "{} {}"] {
            assert!(parse_set(broken.as_bytes()).is_err(), "{broken}");
        }
    }

    #[test]
    fn members_jwkctl_does_not_read_stay_as_written() {
        let doc = parse_set(
            br#"{"keys": [{"kty": "EC", "x5t": "a\/b", "ext": [1.0, 2e3, {"z": "\u0041"}],
                "k\u0069d": "k\u0031", "key_ops": ["verify"], "use": ["sig"]}],
                "other": {"n":  [ 1 ]}}"#,
        )
        .unwrap()
        .unwrap();
        let Keys::Array(keys) = doc.keys else {
            unreachable!("keys not read as an array");
        };
        let key = keys[0].as_ref().unwrap();
        // What jwkctl reads is decoded; what it carries is text as written.
        assert_eq!(key.kid(), Some("k1"));
        assert_eq!(
            key.member("key_ops").map(Member::to_value),
            Some(json!(["verify"]))
        );
        // Kept as text, an array shows as an empty one.
        assert_eq!(key.member("use").and_then(Member::as_array), Some(&[][..]));
        let written = serde_json::to_string(&key.public()).unwrap();
        assert_eq!(written, r#"{"kty":"EC","kid":"k1","use":["sig"]}"#);
        let stored: Vec<String> = key
            .stored_members()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        assert_eq!(
            stored,
            [
                "kty=\"EC\"",
                "x5t=\"a\\/b\"",
                r#"ext=[1.0, 2e3, {"z": "\u0041"}]"#,
                "kid=\"k1\"",
                r#"key_ops=["verify"]"#,
                r#"use=["sig"]"#,
            ]
        );
        let rest = doc.rest.into_vec();
        assert_eq!(rest[0].1.to_string(), r#"{"n":  [ 1 ]}"#);
        // Kept as text, and still checked.
        let err = parse_set(br#"{"keys": [], "x": [0, {"a": {"b": 1, "b": 2}}]}"#)
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.starts_with(r#"the member name "b" appears twice"#),
            "{err}"
        );
    }

    #[test]
    fn a_store_is_read_up_to_its_first_refused_key() {
        let keys = store_keys(br#"{"keys": [{"kty": "EC"}, {}, 0, {"kty": "EC"}]}"#);
        assert_eq!(keys.len(), 2);
        assert!(keys[1].as_ref().is_some_and(Jwk::is_empty));
        let err = super::parse_each(
            &Text::copy(br#"{"keys": [{}, {"a": 1, "a": 2}]}"#),
            &mut |_| false,
        );
        assert!(err.is_err());
    }

    #[test]
    fn a_repeated_name_anywhere_is_an_error() {
        // 60,000 members, one name repeated at the end: found in one pass
        // (a search per member would take minutes).
        let mut text = String::from(r#"{"keys": [{"kty": "EC", "x": "first""#);
        for i in 0..60_000 {
            text.push_str(&format!(r#", "m{i}": {i}"#));
        }
        text.push_str(r#", "x": "last", "kid": "k"}]}"#);
        let err = parse_set(text.as_bytes()).err().unwrap().to_string();
        assert!(
            err.starts_with(r#"the member name "x" appears twice"#),
            "{err}"
        );
        for (text, name) in [
            (r#"{"keys": [], "keys": []}"#, "keys"),
            (r#"{"keys": [], "jwkctl": {}, "jwkctl": {}}"#, "jwkctl"),
            (r#"{"keys": [], "jwkctl": {"a": {"b": 1, "b": 2}}}"#, "b"),
            (r#"{"keys": [{"kty": "EC", "kty": "EC"}]}"#, "kty"),
            (r#"{"keys": [{"d": "1", "d": "2"}]}"#, "d"),
            (r#"{"keys": [{"jwkctl": {}, "jwkctl": {}}]}"#, "jwkctl"),
            (
                r#"{"keys": [{"jwkctl": {"created": 1, "created": 2}}]}"#,
                "created",
            ),
            (r#"{"keys": [{"oth": [{"r": 1, "r": 2}]}]}"#, "r"),
        ] {
            let err = parse_set(text.as_bytes()).err().unwrap().to_string();
            assert!(
                err.starts_with(&format!("the member name {name:?} appears twice")),
                "{text}: {err}"
            );
        }
        for text in [r#"{"keys": [{"kid": 5}]}"#, r#"{"kty": "EC", "kid": null}"#] {
            let err = parse_set(text.as_bytes()).err().unwrap().to_string();
            assert!(err.starts_with(r#"a key's "kid" is not a string"#), "{err}");
        }

        // Private members are written in RFC 7518's order, whatever the
        // file's order was.
        let doc = parse_set(br#"{"keys": [{"qi": "6", "kty": "RSA", "dq": "5", "d": "1", "p": "2", "q": "3", "dp": "4"}]}"#)
            .unwrap()
            .unwrap();
        let Keys::Array(keys) = doc.keys else {
            unreachable!("keys not read as an array");
        };
        let all = keys[0].as_ref().unwrap().to_private_map();
        let names: Vec<&str> = all.keys().map(String::as_str).collect();
        assert_eq!(names, ["kty", "d", "p", "q", "dp", "dq", "qi"]);
    }
}
