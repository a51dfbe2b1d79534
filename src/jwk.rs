//! JSON Web Keys as jwkctl holds them: public members in the open, private
//! members behind [`Secret`], unknown members kept for node-jose.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::marker::PhantomData;

use anyhow::{Result, anyhow, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::alg::Alg;
use crate::token::Strict;

/// Members that hold private key material (RFC 7518 §6; `k` is the HMAC key).
pub const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
/// The only members a published key carries.
pub const PUBLIC_MEMBERS: [&str; 9] = ["kty", "kid", "use", "alg", "n", "e", "crv", "x", "y"];

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
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

/// A member name; the names of RFC 7517/7518 and jwkctl's own are not
/// copied from the file.
type Name = Cow<'static, str>;

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

/// The member in which a key store keeps its bookkeeping of a key.
pub const BOOKKEEPING: &str = "jwkctl";

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

fn name(text: &str) -> Name {
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
struct Members(Vec<(Name, Value)>);

impl Members {
    fn position(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|(n, _)| n == name)
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.position(name).map(|i| &self.0[i].1)
    }

    /// Appends a member; whoever adds members from a file checks
    /// [`Members::repeated`] after the last.
    fn push(&mut self, name: Name, value: Value) {
        self.0.push((name, value));
    }

    /// A name that appears twice, if one does. In one pass rather than a
    /// search per member, because a hostile key can have 90,000 of them.
    fn repeated(&self) -> Option<&str> {
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

    fn remove(&mut self, name: &str) -> Option<Value> {
        self.position(name).map(|i| self.0.remove(i).1)
    }

    fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(n, v)| (n.as_ref(), v))
    }
}

/// Private key members. `Debug` never shows them and they are wiped on
/// drop. The copies signing and store writes make are wiped too (see
/// `crypto::Signer` and [`SecretBytes`]); what the JSON parser and the
/// file reader held on the way in is not.
#[derive(Clone, Default)]
pub struct Secret(Members);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        for (_, value) in &mut self.0.0 {
            if let Value::String(s) = value {
                s.zeroize();
            }
        }
    }
}

/// Text that holds private key material (a key store's file contents):
/// wiped when dropped. Built in one allocation of the final size, so no
/// reallocation leaves an unwiped copy behind.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretBytes(Zeroizing<Vec<u8>>);

impl SecretBytes {
    /// `value` as pretty JSON and a newline; every string in `value` is
    /// wiped afterwards, as the caller made it for this only.
    pub fn pretty_json(mut value: Value) -> SecretBytes {
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
        let mut count = Count(0);
        let mut bytes = Zeroizing::new(Vec::new());
        if serde_json::to_writer_pretty(&mut count, &value).is_ok() {
            bytes.reserve_exact(count.0 + 1);
            if serde_json::to_writer_pretty(&mut *bytes, &value).is_err() {
                bytes.clear();
            }
            bytes.push(b'\n');
        }
        wipe(&mut value);
        SecretBytes(bytes)
    }
}

/// Zeroes every string in `value`, before it is dropped.
fn wipe(value: &mut Value) {
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(map) => map.values_mut().for_each(wipe),
        _ => {}
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

#[derive(Clone, Debug, Default)]
pub struct Jwk {
    public: Members,
    secret: Secret,
    bookkeeping: Option<Bookkeeping>,
}

impl Jwk {
    /// Splits a JWK object into its public and private members.
    pub fn from_map(map: Map<String, Value>) -> Jwk {
        let mut jwk = Jwk::default();
        // A map's names are distinct already.
        for (name, value) in map {
            jwk.add(Cow::Owned(name), value);
        }
        jwk
    }

    fn add(&mut self, name: Name, value: Value) {
        if name == BOOKKEEPING {
            self.bookkeeping = Some(value.into());
        } else if PRIVATE_MEMBERS.contains(&name.as_ref()) {
            self.secret.0.push(name, value);
        } else {
            self.public.push(name, value);
        }
    }

    fn str(&self, name: &str) -> Option<&str> {
        self.public.get(name).and_then(Value::as_str)
    }

    pub fn kty(&self) -> Option<&str> {
        self.str("kty")
    }
    pub fn kid(&self) -> Option<&str> {
        self.str("kid")
    }
    pub fn crv(&self) -> Option<&str> {
        self.str("crv")
    }
    /// `alg` as written, which may name an algorithm jwkctl does not know.
    pub fn alg_name(&self) -> Option<&str> {
        self.str("alg")
    }
    pub fn alg(&self) -> Option<Alg> {
        self.alg_name().and_then(Alg::from_name)
    }
    pub fn is_private(&self) -> bool {
        self.secret.0.get("d").is_some()
    }
    pub fn member(&self, name: &str) -> Option<&Value> {
        self.public.get(name)
    }
    /// A private member's text, for the code that builds a key from it
    /// (decoded into wiped buffers, never copied as text).
    pub fn private_member(&self, name: &str) -> Option<&str> {
        self.secret.0.get(name).and_then(Value::as_str)
    }
    pub fn remove_member(&mut self, name: &str) -> Option<Value> {
        self.public.remove(name)
    }

    /// The key store's bookkeeping of this key, if it has any.
    pub fn bookkeeping(&self) -> Option<&Bookkeeping> {
        self.bookkeeping.as_ref()
    }

    pub fn take_bookkeeping(&mut self) -> Option<Bookkeeping> {
        self.bookkeeping.take()
    }

    /// The names of the private members this key holds, never their values:
    /// for saying that a published key carries some.
    pub fn private_names(&self) -> impl Iterator<Item = &str> {
        self.secret.0.iter().map(|(name, _)| name)
    }

    /// Drops the private members (wiping them): for a key that only verifies.
    pub fn wipe_secret(&mut self) {
        self.secret = Secret::default();
    }

    /// Sets a public member, keeping `kty kid use alg` at the front where a
    /// person reading the file expects them.
    pub fn set(&mut self, name: &str, value: Value) {
        if let Some(i) = self.public.position(name) {
            self.public.0[i].1 = value;
            return;
        }
        let order = ["kty", "kid", "use", "alg"];
        let rank = |n: &str| order.iter().position(|o| *o == n).unwrap_or(order.len());
        let at = self
            .public
            .0
            .iter()
            .position(|(k, _)| rank(k) > rank(name))
            .unwrap_or(self.public.0.len());
        self.public.0.insert(at, (self::name(name), value));
    }

    /// The public key as `jwks` publishes it: only `kty kid use alg n e crv x y`.
    pub fn to_public(&self) -> Map<String, Value> {
        self.public
            .iter()
            .filter(|(name, _)| PUBLIC_MEMBERS.contains(name))
            .map(|(n, v)| (n.to_owned(), v.clone()))
            .collect()
    }

    /// Whether both keys publish the same members (those of
    /// [`Jwk::to_public`]), compared in place: `check` matches a published
    /// set of 1,000 keys against the store without copying either.
    pub fn same_public(&self, other: &Jwk) -> bool {
        PUBLIC_MEMBERS
            .iter()
            .all(|name| self.public.get(name) == other.public.get(name))
    }

    /// The same members as [`Jwk::to_public`], serialized in place: `jwks`
    /// of a 1,000-key store copies nothing.
    pub fn public(&self) -> Public<'_> {
        Public(self)
    }

    /// Every member, private ones included: only for the store file, a
    /// private export, and handing the key to the signer.
    pub fn to_private_map(&self) -> Map<String, Value> {
        let mut map: Map<String, Value> = self
            .public
            .iter()
            .map(|(n, v)| (n.to_owned(), v.clone()))
            .collect();
        // In RFC 7518's order, whatever order the file had: d p q dp dq qi.
        for name in PRIVATE_MEMBERS {
            if let Some(value) = self.secret.0.get(name) {
                map.insert(name.to_owned(), value.clone());
            }
        }
        map
    }

    /// RFC 7638 thumbprint (SHA-256, base64url): the default `kid`.
    pub fn thumbprint(&self) -> Result<String> {
        let required: &[&str] = match self.kty() {
            Some("RSA") => &["e", "kty", "n"],
            Some("EC") => &["crv", "kty", "x", "y"],
            Some("OKP") => &["crv", "kty", "x"],
            Some(other) => bail!("no thumbprint for key type {other:?}"),
            None => bail!("the key has no kty"),
        };
        // A BTreeMap serializes its members sorted and serde_json writes no
        // whitespace: exactly RFC 7638's canonical form.
        let mut members = BTreeMap::new();
        for name in required {
            let value = self
                .str(name)
                .ok_or_else(|| anyhow!("the key lacks the member {name:?}"))?;
            members.insert(*name, value);
        }
        let canonical = serde_json::to_vec(&members)?;
        Ok(b64(&Sha256::digest(canonical)))
    }

    /// The RSA modulus size in bits, from `n`.
    pub fn rsa_bits(&self) -> Option<usize> {
        with_unb64(self.str("n")?, |n| {
            let n = &n[n.iter().take_while(|b| **b == 0).count()..];
            let first = *n.first()?;
            Some(n.len() * 8 - first.leading_zeros() as usize)
        })?
    }

    /// Checks that this key can be used with `alg` at all: type and curve,
    /// and the members that must be there. Returns why not. Whether the
    /// material is a real key is `keycheck`'s question.
    pub fn check_fits(&self, alg: Alg) -> Result<(), String> {
        let kty = self.kty().ok_or("the key has no kty")?;
        if !alg.fits(kty, self.crv()) {
            return Err(match self.crv() {
                Some(crv) => format!("an {kty} {crv} key cannot be used with {alg}"),
                None => format!("an {kty} key cannot be used with {alg}"),
            });
        }
        let required: &[&str] = match kty {
            "RSA" => &["n", "e"],
            "EC" => &["x", "y"],
            _ => &["x"],
        };
        for name in required {
            if self.str(name).and_then(|v| with_unb64(v, |_| ())).is_none() {
                return Err(format!("the member {name:?} is missing or not base64url"));
            }
        }
        Ok(())
    }
}

/// See [`Jwk::public`].
pub struct Public<'a>(&'a Jwk);

impl Serialize for Public<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(
            self.0
                .public
                .iter()
                .filter(|(name, _)| PUBLIC_MEMBERS.contains(name)),
        )
    }
}

/// A JWK Set document (a key store or a published set), read in one pass
/// straight into [`Jwk`]s rather than through a JSON tree.
pub struct SetDocument {
    pub keys: Keys,
    /// The members other than `"keys"`, in file order.
    pub rest: Map<String, Value>,
}

pub enum Keys {
    Missing,
    NotArray,
    /// `None` for an element that is not a JSON object.
    Array(Vec<Option<Jwk>>),
}

/// Reads a JWK Set document; `Ok(None)` if the JSON is not an object.
pub fn parse_set(bytes: &[u8]) -> serde_json::Result<Option<SetDocument>> {
    serde_json::from_slice::<Document>(bytes).map(|d| d.0)
}

/// A value whose JSON type decides what it is: an object or an array is
/// read by `object` or `array` (skipped unless overridden), and any other
/// value is `other()`. Reading a store this way builds no JSON tree.
trait Shape: Sized {
    const EXPECTING: &'static str;

    fn other() -> Self;

    fn object<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Self::other())
    }

    fn array<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Self::other())
    }
}

struct ShapeVisitor<T>(PhantomData<T>);

impl<'de, T: Shape> Visitor<'de> for ShapeVisitor<T> {
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
        T::object(map)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        T::array(seq)
    }
}

macro_rules! deserialize_by_shape {
    ($($t:ty),*) => {$(
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(ShapeVisitor(PhantomData))
            }
        }
    )*};
}

deserialize_by_shape!(Document, KeysMember, Element, Bookkeeping);

struct Document(Option<SetDocument>);

impl Shape for Document {
    const EXPECTING: &'static str = "a JWK Set";
    fn other() -> Self {
        Document(None)
    }
    fn object<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut keys = Keys::Missing;
        let mut rest = Map::new();
        let mut seen_keys = false;
        while let Some(name) = map.next_key::<String>()? {
            if name == "keys" {
                if std::mem::replace(&mut seen_keys, true) {
                    return Err(repeated("keys"));
                }
                keys = map.next_value::<KeysMember>()?.0;
            } else {
                let Strict(value) = map.next_value()?;
                if rest.contains_key(&name) {
                    return Err(repeated(&name));
                }
                rest.insert(name, value);
            }
        }
        // A single JWK given as a key source.
        if rest.get("kid").is_some_and(|kid| !kid.is_string()) {
            return Err(kid_not_a_string());
        }
        Ok(Document(Some(SetDocument { keys, rest })))
    }
}

/// The `"keys"` member.
struct KeysMember(Keys);

impl Shape for KeysMember {
    const EXPECTING: &'static str = "an array of JSON Web Keys";
    fn other() -> Self {
        KeysMember(Keys::NotArray)
    }
    fn array<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut keys = Vec::with_capacity(seq.size_hint().unwrap_or(4));
        while let Some(Element(key)) = seq.next_element()? {
            keys.push(key);
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
    fn object<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut jwk = Jwk {
            public: Members(Vec::with_capacity(8)),
            ..Jwk::default()
        };
        let mut bookkept = false;
        while let Some(MemberName(name)) = map.next_key()? {
            if name == BOOKKEEPING {
                if std::mem::replace(&mut bookkept, true) {
                    return Err(repeated(BOOKKEEPING));
                }
                jwk.bookkeeping = Some(map.next_value()?);
            } else {
                let Strict(value) = map.next_value()?;
                jwk.add(name, value);
            }
        }
        if let Some(name) = jwk.public.repeated().or(jwk.secret.0.repeated()) {
            return Err(repeated(name));
        }
        // Read as absent, it would be replaced by the thumbprint on the
        // next write, and a verifier would take the key for one without.
        if jwk.public.get("kid").is_some_and(|kid| !kid.is_string()) {
            return Err(kid_not_a_string());
        }
        // Thousands of keys stay in memory at once.
        jwk.public.0.shrink_to_fit();
        jwk.secret.0.0.shrink_to_fit();
        Ok(Element(Some(jwk)))
    }
}

impl Shape for Bookkeeping {
    const EXPECTING: &'static str = "a key's bookkeeping";
    fn other() -> Self {
        Bookkeeping::Other
    }
    fn object<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut members = Members::default();
        while let Some(MemberName(name)) = map.next_key()? {
            let Strict(value) = map.next_value()?;
            members.push(name, value);
        }
        if let Some(name) = members.repeated() {
            return Err(repeated(name));
        }
        Ok(Bookkeeping::Members(members.0))
    }
}

/// Two parsers that keep different duplicates disagree on what the file
/// holds: a store read last-wins could lose keys on its next write.
pub(crate) fn repeated<E: de::Error>(name: &str) -> E {
    // The name is untrusted: escaped, and not a megabyte of it.
    let shown = if name.len() > 64 { "(long)" } else { name };
    E::custom(format_args!("the member name {shown:?} appears twice"))
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
    use serde_json::json;

    fn jwk(value: Value) -> Jwk {
        match value {
            Value::Object(map) => Jwk::from_map(map),
            _ => unreachable!(),
        }
    }

    #[test]
    fn rfc7638_thumbprint_example() {
        // RFC 7638 §3.1.
        let key = jwk(json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        }));
        assert_eq!(
            key.thumbprint().unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        assert_eq!(key.rsa_bits(), Some(2048));
    }

    #[test]
    fn secrets_stay_out_of_debug_and_public_view() {
        let key = jwk(
            json!({"kty": "OKP", "crv": "Ed25519", "x": "abc", "d": "TOPSECRET", "jwkctl": {}}),
        );
        let debug = format!("{key:?}");
        assert!(!debug.contains("TOPSECRET"), "{debug}");
        assert_eq!(
            Value::Object(key.to_public()),
            json!({"kty": "OKP", "crv": "Ed25519", "x": "abc"})
        );
        assert!(key.is_private());
        assert_eq!(key.to_private_map()["d"], "TOPSECRET");
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
        assert!(keys[1..4].iter().all(Option::is_none));
        assert!(keys[4].as_ref().is_some_and(|k| k.kty().is_none()));
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
        assert_eq!(
            members,
            &[("created".into(), json!("t")), ("new".into(), json!([1]))]
        );
        let second = stored[1].as_ref().unwrap();
        assert!(matches!(second.bookkeeping(), Some(Bookkeeping::Other)));
        assert_eq!(
            Value::Object(doc.rest),
            json!({"a": 1, "jwkctl": {"max_ttl": "1h"}})
        );

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

    #[test]
    fn same_public_compares_the_published_members_only() {
        let a = jwk(json!({"kty": "OKP", "crv": "Ed25519", "x": "abc", "kid": "k", "d": "s1"}));
        let b = jwk(json!({"kid": "k", "x": "abc", "kty": "OKP", "crv": "Ed25519", "x5c": []}));
        assert!(a.same_public(&b) && b.same_public(&a));
        let c = jwk(json!({"kty": "OKP", "crv": "Ed25519", "x": "abd", "kid": "k"}));
        assert!(!a.same_public(&c));
        let d =
            jwk(json!({"kty": "OKP", "crv": "Ed25519", "x": "abc", "kid": "k", "alg": "EdDSA"}));
        assert!(!a.same_public(&d));
    }

    #[test]
    fn set_keeps_header_members_first() {
        let mut key = jwk(json!({"kty": "EC", "crv": "P-256", "x": "a", "y": "b"}));
        key.set("alg", json!("ES256"));
        key.set("kid", json!("k1"));
        let names: Vec<_> = key.to_public().keys().cloned().collect();
        assert_eq!(names, ["kty", "kid", "alg", "crv", "x", "y"]);
    }
}
