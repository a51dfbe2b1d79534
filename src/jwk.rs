//! JSON Web Keys as jwkctl holds them: public members in the open, private
//! members behind [`Secret`], unknown members kept for node-jose.

use std::collections::BTreeMap;
use std::fmt;

use anyhow::{Result, anyhow, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use crate::alg::{Alg, MIN_RSA_BITS};

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

/// Private key members. `Debug` never shows them and they are wiped on drop
/// (best effort: a short-lived CLI's memory is not the main risk, but a
/// secret in a log line is).
#[derive(Clone, Default)]
pub struct Secret(Map<String, Value>);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        for value in self.0.values_mut() {
            if let Value::String(s) = value {
                s.zeroize();
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct Jwk {
    public: Map<String, Value>,
    secret: Secret,
}

impl Jwk {
    /// Splits a JWK object into its public and private members.
    pub fn from_map(mut map: Map<String, Value>) -> Jwk {
        // Take the few private members out rather than rebuilding both maps:
        // a 1,000-key store is read on every `sign`.
        let mut secret = Map::new();
        for name in PRIVATE_MEMBERS {
            if let Some(value) = map.shift_remove(name) {
                secret.insert(name.to_owned(), value);
            }
        }
        Jwk {
            public: map,
            secret: Secret(secret),
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
        self.secret.0.contains_key("d")
    }
    pub fn member(&self, name: &str) -> Option<&Value> {
        self.public.get(name)
    }
    pub fn remove_member(&mut self, name: &str) -> Option<Value> {
        self.public.shift_remove(name)
    }

    /// Sets a public member, keeping `kty kid use alg` at the front where a
    /// person reading the file expects them.
    pub fn set(&mut self, name: &str, value: Value) {
        if self.public.contains_key(name) {
            self.public.insert(name.to_owned(), value);
            return;
        }
        let order = ["kty", "kid", "use", "alg"];
        let rank = |n: &str| order.iter().position(|o| *o == n).unwrap_or(order.len());
        let at = self
            .public
            .keys()
            .position(|k| rank(k) > rank(name))
            .unwrap_or(self.public.len());
        self.public.shift_insert(at, name.to_owned(), value);
    }

    /// The public key as `jwks` publishes it: only `kty kid use alg n e crv x y`.
    pub fn to_public(&self) -> Map<String, Value> {
        self.public
            .iter()
            .filter(|(name, _)| PUBLIC_MEMBERS.contains(&name.as_str()))
            .map(|(n, v)| (n.clone(), v.clone()))
            .collect()
    }

    /// Every member, private ones included: only for the store file, a
    /// private export, and handing the key to the signer.
    pub fn to_private_map(&self) -> Map<String, Value> {
        let mut map = self.public.clone();
        for (name, value) in &self.secret.0 {
            map.insert(name.clone(), value.clone());
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
        let n = unb64(self.str("n")?)?;
        let n = &n[n.iter().take_while(|b| **b == 0).count()..];
        let first = *n.first()?;
        Some(n.len() * 8 - first.leading_zeros() as usize)
    }

    /// Checks that this key can be used with `alg` at all: type and curve,
    /// RSA size, and the members that must be there. Returns why not.
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
            if self.str(name).and_then(unb64).is_none() {
                return Err(format!("the member {name:?} is missing or not base64url"));
            }
        }
        if kty == "RSA" {
            let bits = self.rsa_bits().unwrap_or(0);
            if bits < MIN_RSA_BITS {
                return Err(format!("RSA key of {bits} bits is under {MIN_RSA_BITS}"));
            }
        }
        Ok(())
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
    fn set_keeps_header_members_first() {
        let mut key = jwk(json!({"kty": "EC", "crv": "P-256", "x": "a", "y": "b"}));
        key.set("alg", json!("ES256"));
        key.set("kid", json!("k1"));
        let names: Vec<_> = key.to_public().keys().cloned().collect();
        assert_eq!(names, ["kty", "kid", "alg", "crv", "x", "y"]);
    }
}
