//! JSON Web Keys as jwkctl holds them: public members in the open, private
//! members behind [`Secret`], unknown members kept for node-jose. The
//! key's type is [`KeyType`], read from `kty` and `crv` in one place.

mod members;
mod name;
mod public;
mod secret;
mod text;

use std::collections::BTreeMap;

use anyhow::{Result, anyhow};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::alg::{Alg, KeyType, NotAKeyType};
use crate::b64::{b64, with_unb64};

pub use members::{Bookkeeping, Member, Members, is_read, is_read_as, name};
use name::Wanted;
pub use name::{Name, is_known};
pub use public::Public;
pub use secret::{Secret, SecretBytes};
pub use text::{Span, Text};

/// Members that hold private key material (RFC 7518 §6; `k` is the HMAC key).
pub const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// The member in which a key store keeps its bookkeeping of a key.
pub const BOOKKEEPING: &str = "jwkctl";

#[derive(Clone, Debug, Default)]
pub struct Jwk {
    public: Members,
    /// The private half: every private member lives here and is reached
    /// only through `Jwk`'s methods, so a key whose private half lives
    /// elsewhere (a signer reference) needs a change here only.
    secret: Secret,
    bookkeeping: Option<Bookkeeping>,
}

impl Jwk {
    /// Splits a JWK object into its public and private members.
    pub fn from_map(map: Map<String, Value>) -> Jwk {
        let mut jwk = Jwk::default();
        // A map's names are distinct already.
        for (name, value) in map {
            jwk.add(Name::from(name), Member::from(value));
        }
        jwk
    }

    /// A key from members read from a file (their names distinct), and
    /// the bookkeeping read with them.
    pub fn from_members(members: Members, bookkeeping: Option<Bookkeeping>) -> Jwk {
        let mut jwk = Jwk::default();
        for (name, value) in members.into_vec() {
            jwk.add(name, value);
        }
        if bookkeeping.is_some() {
            jwk.bookkeeping = bookkeeping;
        }
        jwk
    }

    fn add(&mut self, name: Name, value: Member) {
        if name.is_bookkeeping() {
            self.bookkeeping = Some(match value.into_value() {
                Some(value) => value.into(),
                None => Bookkeeping::Other,
            });
        } else if name.is_private() {
            // Most keys have one private member: room for one, not four.
            if self.secret.0.0.is_empty() {
                self.secret.0.0.reserve_exact(1);
            }
            self.secret.0.push(name, value);
        } else {
            self.public.push(name, value);
        }
    }

    fn str(&self, name: &str) -> Option<&str> {
        self.public.get(name).and_then(Member::as_str)
    }

    fn known_str(&self, name: &Wanted) -> Option<&str> {
        self.public.find(name).and_then(Member::as_str)
    }

    /// `kty` as written, for messages; decisions use [`Jwk::key_type`].
    pub fn kty(&self) -> Option<&str> {
        self.known_str(&Wanted::KTY)
    }
    /// The key's type, from `kty` and `crv`.
    pub fn key_type(&self) -> Result<KeyType, NotAKeyType<'_>> {
        KeyType::parse(self.kty(), self.crv())
    }
    pub fn kid(&self) -> Option<&str> {
        self.known_str(&Wanted::KID)
    }
    /// `crv` as written, for messages.
    pub fn crv(&self) -> Option<&str> {
        self.known_str(&Wanted::CRV)
    }
    /// `alg` as written, which may name an algorithm jwkctl does not know.
    pub fn alg_name(&self) -> Option<&str> {
        self.known_str(&Wanted::ALG)
    }
    pub fn alg(&self) -> Option<Alg> {
        self.alg_name().and_then(Alg::from_name)
    }
    /// Whether the key has no member at all (`{}`).
    pub fn is_empty(&self) -> bool {
        self.public.0.is_empty() && self.secret.0.0.is_empty() && self.bookkeeping.is_none()
    }
    pub fn is_private(&self) -> bool {
        self.secret.0.find(&Wanted::D).is_some()
    }
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.public.get(name)
    }
    /// Whether the private half has this member, whatever its JSON type
    /// (`oth` is an array).
    pub fn has_private_member(&self, name: &str) -> bool {
        self.secret.0.get(name).is_some()
    }
    /// A private member's text, for the code that builds a key from it
    /// (decoded into wiped buffers, never copied as text).
    pub fn private_member(&self, name: &str) -> Option<&str> {
        self.secret.0.get(name).and_then(Member::as_str)
    }
    pub fn remove_member(&mut self, name: &str) -> Option<Member> {
        self.public.remove(name)
    }

    /// The key store's bookkeeping of this key, if it has any.
    pub fn bookkeeping(&self) -> Option<&Bookkeeping> {
        self.bookkeeping.as_ref()
    }

    /// Whether the bookkeeping names a signer: the key's private half is
    /// kept elsewhere (`"signer"` in its `jwkctl` member).
    pub fn names_a_signer(&self) -> bool {
        matches!(&self.bookkeeping, Some(Bookkeeping::Members(members))
            if members.iter().any(|(name, _)| name == "signer"))
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
        let value = Member::from(value);
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
        self.public.0.insert(at, (members::name(name), value));
    }

    /// Every member jwkctl reads, private ones included: for a private
    /// export and handing the key to the signer. Members it only carries
    /// through (kept as text) are left out: a key's unknown member can be
    /// megabytes that neither needs.
    pub fn to_private_map(&self) -> Map<String, Value> {
        let mut map: Map<String, Value> = self
            .public
            .iter()
            .filter(|(n, v)| is_known(n) || v.as_raw().is_none())
            .map(|(n, v)| (n.to_owned(), v.to_value()))
            .collect();
        // In RFC 7518's order, whatever order the file had: d p q dp dq qi.
        for name in PRIVATE_MEMBERS {
            if let Some(value) = self.secret.0.get(name) {
                map.insert(name.to_owned(), value.to_value());
            }
        }
        map
    }

    /// Every member as written to a store file, private ones in RFC 7518's
    /// order after the others, values kept as text written as they were.
    pub(crate) fn stored_members(&self) -> impl Iterator<Item = (&str, &Member)> {
        let private = PRIVATE_MEMBERS
            .iter()
            .filter_map(|name| self.secret.0.get(name).map(|value| (*name, value)));
        self.public.iter().chain(private)
    }

    /// RFC 7638 thumbprint (SHA-256, base64url): the default `kid`.
    pub fn thumbprint(&self) -> Result<String> {
        let key_type = self.key_type().map_err(|not| match not {
            NotAKeyType::NoKty => anyhow!("the key has no kty"),
            _ => anyhow!(
                "no thumbprint for key type {:?}",
                self.kty().unwrap_or_default()
            ),
        })?;
        // A BTreeMap serializes its members sorted and serde_json writes no
        // whitespace: exactly RFC 7638's canonical form.
        let mut members = BTreeMap::new();
        for name in key_type.thumbprint_members() {
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
        self.check_fits_as(alg, self.key_type().ok())
    }

    /// [`Jwk::check_fits`] of a key whose type has been read already.
    pub fn check_fits_as(&self, alg: Alg, key_type: Option<KeyType>) -> Result<(), String> {
        let Some(key_type) = key_type.filter(|t| alg.fits(*t)) else {
            let kty = self.kty().ok_or("the key has no kty")?;
            return Err(match self.crv() {
                Some(crv) => format!("an {kty} {crv} key cannot be used with {alg}"),
                None => format!("an {kty} key cannot be used with {alg}"),
            });
        };
        for name in key_type.public_members() {
            if self.str(name).and_then(|v| with_unb64(v, |_| ())).is_none() {
                return Err(format!("the member {name:?} is missing or not base64url"));
            }
        }
        Ok(())
    }

    // What the JWK Set reader uses to build a key member by member.

    /// An empty key with room for a typical key's members.
    pub(crate) fn with_capacity(members: usize) -> Jwk {
        Jwk {
            public: Members(Vec::with_capacity(members)),
            ..Jwk::default()
        }
    }

    /// Adds a member as read; [`Jwk::repeated_name`] says afterwards
    /// whether one came twice.
    pub(crate) fn push_member(&mut self, name: Name, value: Member) {
        self.add(name, value);
    }

    pub(crate) fn set_bookkeeping(&mut self, bookkeeping: Bookkeeping) {
        self.bookkeeping = Some(bookkeeping);
    }

    /// A member name that appears twice, if one does.
    pub(crate) fn repeated_name(&self) -> Option<&str> {
        self.public.repeated().or(self.secret.0.repeated())
    }

    /// Frees spare room: thousands of keys stay in memory at once.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.public.shrink_to_fit();
        self.secret.0.shrink_to_fit();
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
