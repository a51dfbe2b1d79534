//! The keys `verify` trusts, and how a token picks one: by `kid`, or without
//! one, every usable key of its algorithm, as verifiers do during rotation.

pub mod document;

use std::sync::OnceLock;

use anyhow::{Result, bail};
use serde_json::Value;

use crate::alg::{Alg, NotAKeyType};
use crate::crypto::Verifier;
use crate::crypto::keycheck::{self, Depth, Refusal, Role};
use crate::error::Reject;
use crate::jwk::{Jwk, Text};
use crate::token::Parsed;
use document::{Keys, SetDocument};

/// One key from a JWK Set, checked and turned into verifiers on first use:
/// a 1,000-key set costs the keys a token names, not a thousand.
pub struct TrustedKey {
    /// Its place in the set (from 0), for messages.
    index: usize,
    jwk: Jwk,
    /// `Err(why)` for a key jwkctl cannot use at all, as far as its members
    /// tell (skipped, not fatal).
    usable: Result<(), String>,
    /// `Err(why)` for a point off its curve, an Ed25519 point that is not
    /// canonical or of small order, or an RSA modulus with a small factor:
    /// a computation per key, so made only when a token needs the key.
    point: OnceLock<Result<(), String>>,
    /// Made when a token first needs the key: room for ten verifiers is
    /// 500 bytes, and a 1 MiB set can list half a million elements.
    verifiers: OnceLock<Box<[OnceLock<Option<Verifier>>; 10]>>,
}

impl TrustedKey {
    fn new(index: usize, mut jwk: Jwk) -> TrustedKey {
        // A store passed as a JWK Set: its private members are never needed.
        jwk.wipe_secret();
        let usable = usability(&jwk);
        TrustedKey {
            index,
            jwk,
            usable,
            point: OnceLock::new(),
            verifiers: Default::default(),
        }
    }

    /// Usable, its point checked now if it has one.
    fn is_usable(&self) -> bool {
        self.usable.is_ok()
            && self
                .point
                .get_or_init(|| {
                    keycheck::check_material(&self.jwk).map_err(|flaw| flaw.to_string())
                })
                .is_ok()
    }

    fn fits(&self, alg: Alg) -> bool {
        self.jwk.key_type().is_ok_and(|t| alg.fits(t))
    }

    fn verifier(&self, alg: Alg) -> Option<&Verifier> {
        self.verifiers.get_or_init(Default::default)[alg.index()]
            .get_or_init(|| Verifier::new(alg, &self.jwk).ok())
            .as_ref()
    }
}

/// Whether jwkctl can verify with this key at all (apart from which
/// algorithm a token asks for), as far as its members tell.
fn usability(jwk: &Jwk) -> Result<(), String> {
    match keycheck::admit(jwk, Role::Verify, Depth::Members) {
        Ok(_) => Ok(()),
        Err(refusal) => Err(match refusal {
            Refusal::Type(NotAKeyType::NoKty) => "no kty".into(),
            Refusal::Type(_) => format!(
                "key type {:?} is not supported",
                jwk.kty().unwrap_or_default()
            ),
            Refusal::Use(_) => "its \"use\" is not \"sig\"".into(),
            Refusal::KeyOps => "its \"key_ops\" do not include \"verify\"".into(),
            Refusal::UnknownAlg(name) => format!("algorithm {name:?} is not accepted"),
            Refusal::Curve(_, Some(alg)) => jwk.check_fits(alg).err().unwrap_or_default(),
            Refusal::Curve(_, None) => "its curve is not supported".into(),
            Refusal::Unfit { why, .. } => why,
            // Not asked of a verifier's key.
            Refusal::NotPrivate => return Ok(()),
            Refusal::Flaw(flaw) => flaw.to_string(),
        }),
    }
}

/// Why an element that is no key at all (`0`, `{}`) is skipped: as for
/// any key without a `kty`.
const HOLLOW: &str = "no kty";

pub struct KeySet {
    keys: Vec<TrustedKey>,
    /// The places of the elements that are not keys at all: kept as a
    /// number each, so that a set of half a million `0`s costs 2 MB.
    hollow: Vec<usize>,
}

impl KeySet {
    pub fn from_jwks(keys: impl IntoIterator<Item = Jwk>) -> KeySet {
        KeySet {
            keys: keys
                .into_iter()
                .enumerate()
                .map(|(i, jwk)| TrustedKey::new(i, jwk))
                .collect(),
            hollow: Vec::new(),
        }
    }

    /// A JWK Set `{"keys":[...]}` or a single JWK. Anything else is not a
    /// key source at all (an input error), while a key inside that jwkctl
    /// cannot use is only skipped.
    pub fn parse(bytes: Vec<u8>) -> Result<KeySet> {
        let SetDocument { keys, rest, meta } = match document::parse_set(&Text::new(bytes)) {
            Ok(Some(doc)) => doc,
            // A repeated member name or a kid that is not a string: say which.
            Err(e) if e.is_data() => bail!("not a valid JWK Set: {e}"),
            _ => bail!("not a JWK Set (expected a JSON object like {{\"keys\":[...]}})"),
        };
        let keys = match keys {
            Keys::Array(keys) => keys,
            Keys::NotArray => bail!("not a JWK Set (\"keys\" is not an array)"),
            Keys::Missing if rest.get("kty").is_some() => {
                return Ok(KeySet::from_jwks([Jwk::from_members(rest, meta)]));
            }
            Keys::Missing => bail!("not a JWK Set (no \"keys\" array and no \"kty\")"),
        };
        // An element that is not a key at all is kept as an unusable key,
        // so it is reported, not silently lost.
        let mut set = KeySet {
            keys: Vec::new(),
            hollow: Vec::new(),
        };
        for (i, key) in keys.into_iter().enumerate() {
            match key {
                Some(jwk) => set.keys.push(TrustedKey::new(i, *jwk)),
                None => set.hollow.push(i),
            }
        }
        Ok(set)
    }

    /// Keys that will be skipped, and why, as far as their members tell:
    /// for status lines before any token is verified.
    pub fn skipped(&self) -> impl Iterator<Item = (usize, Option<&str>, &str)> {
        let mut keys = self
            .keys
            .iter()
            .filter_map(|k| {
                k.usable
                    .as_ref()
                    .err()
                    .map(|why| (k.index, k.jwk.kid(), why.as_str()))
            })
            .peekable();
        let mut hollow = self.hollow.iter().peekable();
        // Both in the set's order: merged.
        std::iter::from_fn(move || match (keys.peek(), hollow.peek()) {
            (Some(key), Some(&&i)) if i < key.0 => hollow.next().map(|&i| (i, None, HOLLOW)),
            (Some(_), _) => keys.next(),
            (None, _) => hollow.next().map(|&i| (i, None, HOLLOW)),
        })
    }

    /// Keys skipped once a token needed them (a point off its curve, say):
    /// for status lines after verifying.
    pub fn skipped_on_use(&self) -> impl Iterator<Item = (usize, Option<&str>, &str)> {
        self.keys.iter().filter_map(|k| match k.point.get() {
            Some(Err(why)) => Some((k.index, k.jwk.kid(), why.as_str())),
            _ => None,
        })
    }

    /// Checks the signature of a parsed token whose algorithm is `alg`.
    pub fn verify(&self, token: &Parsed, alg: Alg) -> Result<(), Reject> {
        let kid = match token.header.get("kid") {
            None => None,
            Some(Value::String(kid)) => Some(kid.as_str()),
            Some(_) => return Err(Reject::Malformed),
        };
        let candidates: Vec<&TrustedKey> = match kid {
            Some(kid) => {
                let mut named: Vec<_> = self
                    .keys
                    .iter()
                    .filter(|k| k.jwk.kid() == Some(kid))
                    .collect();
                if named.is_empty() {
                    // A key without a kid (a JWK made from a PEM file, say)
                    // cannot be named, so it is a candidate for any kid.
                    named = self.keys.iter().filter(|k| k.jwk.kid().is_none()).collect();
                }
                // An element that is no key has no kid either, and fits
                // no algorithm.
                if named.is_empty() && self.hollow.is_empty() {
                    return Err(Reject::UnknownKid);
                }
                // Two keys may share a kid (an RSA and an EC key, say): the
                // key type decides which one this token means.
                let fitting: Vec<_> = named.into_iter().filter(|k| k.fits(alg)).collect();
                if fitting.is_empty() {
                    return Err(Reject::AlgMismatch);
                }
                fitting
            }
            None => self.keys.iter().filter(|k| k.fits(alg)).collect(),
        };
        let usable: Vec<_> = candidates.into_iter().filter(|k| k.is_usable()).collect();
        if usable.is_empty() {
            return Err(Reject::NoUsableKey);
        }
        // A key that names its algorithm accepts only that one: an RS256 key
        // never verifies a PS256 token.
        let matching: Vec<_> = usable
            .into_iter()
            .filter(|k| k.jwk.alg_name().is_none_or(|a| a == alg.name()))
            .collect();
        if matching.is_empty() {
            return Err(Reject::AlgMismatch);
        }
        let mut built_any = false;
        for key in matching {
            if let Some(verifier) = key.verifier(alg) {
                built_any = true;
                if verifier.verify(token.signing_input.as_bytes(), &token.signature) {
                    return Ok(());
                }
            }
        }
        Err(if built_any {
            Reject::BadSignature
        } else {
            Reject::NoUsableKey
        })
    }
}
