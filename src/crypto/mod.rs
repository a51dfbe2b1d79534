//! The only room that touches josekit (OpenSSL), OpenSSL itself,
//! curve25519-dalek and the rsa crate: key generation, the signature
//! primitives under JWS and the compact JWS they make, PEM conversion for
//! `export` and `import`, and [`keycheck`], whether a key is a real key.
//!
//! RSA keys are generated with the `rsa` crate 0.10 (crypto-bigint and
//! crypto-primes): bench/run measured its 2048- and 4096-bit keygen at about
//! a third of `openssl genpkey` (OpenSSL 3 uses the slower SP 800-56B
//! generator), where rsa 0.9 (num-bigint-dig) was no faster than OpenSSL.
//! The `rsa` crate's open timing advisory (RUSTSEC-2023-0071, Marvin) concerns
//! private-key operations an attacker can time; jwkctl only generates keys
//! with it, and every signature is made by OpenSSL, so the advisory does not
//! apply to this use.

use anyhow::{Context, Result, anyhow, bail};
use josekit::jwk::alg::ec::{EcCurve, EcKeyPair};
use josekit::jwk::alg::ed::{EdCurve, EdKeyPair};
use josekit::jwk::alg::rsa::RsaKeyPair;
use josekit::jwk::{Jwk as JoseJwk, KeyPair};
use josekit::jws::alg::ecdsa::{EcdsaJwsSigner, EcdsaJwsVerifier};
use josekit::jws::alg::eddsa::{EddsaJwsSigner, EddsaJwsVerifier};
use josekit::jws::alg::rsassa::{RsassaJwsSigner, RsassaJwsVerifier};
use josekit::jws::alg::rsassa_pss::{RsassaPssJwsSigner, RsassaPssJwsVerifier};
use josekit::jws::{self, JwsSigner, JwsVerifier};
use rsa::BoxedUint;
use rsa::PrivateKey as RsaPrivateKey;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use serde_json::{Map, Value};
use zeroize::Zeroize;

use crate::alg::{Alg, Curve, KeyType, RSA_BITS};
use crate::b64::{b64, b64_append};
use crate::jwk::{Jwk, PRIVATE_MEMBERS};

pub mod keycheck;
pub mod spki;

/// Creates a private key for `alg`, with `kty`, `use: sig` and `alg` set
/// (the caller adds `kid`). `bits` applies to RSA only.
pub fn generate(alg: Alg, bits: u32) -> Result<Jwk> {
    let key_type = alg.key_type();
    let mut map = Map::new();
    map.insert("kty".into(), Value::from(key_type.kty()));
    map.insert("use".into(), Value::from("sig"));
    map.insert("alg".into(), Value::from(alg.name()));
    let material = match key_type {
        KeyType::Rsa => {
            if !RSA_BITS.contains(&bits) {
                bail!("RSA keys have 2048, 3072 or 4096 bits, not {bits}");
            }
            generate_rsa(bits)?
        }
        KeyType::Ec(curve) => {
            let curve = match curve {
                Curve::P256 => EcCurve::P256,
                Curve::P384 => EcCurve::P384,
                Curve::P521 => EcCurve::P521,
            };
            let pair = EcKeyPair::generate(curve).context("generating an EC key")?;
            members_of(&pair.to_jwk_key_pair(), key_type.material_members())?
        }
        KeyType::Ed25519 => {
            let pair =
                EdKeyPair::generate(EdCurve::Ed25519).context("generating an Ed25519 key")?;
            members_of(&pair.to_jwk_key_pair(), key_type.material_members())?
        }
    };
    map.extend(material);
    Ok(Jwk::from_map(map))
}

fn generate_rsa(bits: u32) -> Result<Map<String, Value>> {
    let key = RsaPrivateKey::new(&mut rand::rngs::SysRng, bits as usize)
        .map_err(|e| anyhow!("generating an RSA key: {e}"))?;
    let [p, q] = key.primes() else {
        bail!("the RSA key generator returned more than two primes");
    };
    let missing = || anyhow!("the RSA key generator returned no CRT values");
    let qi = key.crt_coefficient().ok_or_else(missing)?;
    let mut map = Map::new();
    // JWK integers are unsigned big-endian without leading zero octets.
    let mut put = |name: &str, n: &BoxedUint| {
        map.insert(
            name.into(),
            Value::from(b64(&n.to_be_bytes_trimmed_vartime())),
        );
    };
    put("n", key.n());
    put("e", key.e());
    put("d", key.d());
    put("p", p);
    put("q", q);
    put("dp", key.dp().ok_or_else(missing)?);
    put("dq", key.dq().ok_or_else(missing)?);
    put("qi", &qi);
    Ok(map)
}

fn members_of(jwk: &JoseJwk, names: &[&str]) -> Result<Map<String, Value>> {
    names
        .iter()
        .map(|name| {
            let value = jwk
                .parameter(name)
                .cloned()
                .ok_or_else(|| anyhow!("the generated key lacks {name:?}"))?;
            Ok(((*name).to_owned(), value))
        })
        .collect()
}

fn to_jose(map: Map<String, Value>) -> Result<JoseJwk> {
    JoseJwk::from_map(map).map_err(|e| anyhow!("{e}"))
}

/// A stored (private) key as an OpenSSL key pair, for PEM output.
fn key_pair(key: &Jwk) -> Result<Box<dyn KeyPair>> {
    let jwk = to_jose(key.to_private_map())?;
    let pair: Box<dyn KeyPair> = match key.key_type() {
        Ok(KeyType::Rsa) => Box::new(RsaKeyPair::from_jwk(&jwk)?),
        Ok(KeyType::Ec(_)) => Box::new(EcKeyPair::from_jwk(&jwk)?),
        Ok(KeyType::Ed25519) => Box::new(EdKeyPair::from_jwk(&jwk)?),
        Err(_) => bail!("no PEM form for key type {:?}", key.kty()),
    };
    Ok(pair)
}

/// PEM of a stored key: the SPKI public key, or with `private` PKCS#8.
pub fn to_pem(key: &Jwk, private: bool) -> Result<Vec<u8>> {
    let pair = key_pair(key).context("converting the key to PEM")?;
    Ok(if private {
        pair.to_pem_private_key()
    } else {
        pair.to_pem_public_key()
    })
}

/// Reads one unencrypted private key from PEM text: PKCS#8 (RSA, EC,
/// Ed25519), PKCS#1 (RSA) or SEC1 (EC). Returns `kty` and the key members.
/// Errors say what the file holds instead; they never quote key material.
pub fn private_key_from_pem(text: &str) -> Result<Map<String, Value>> {
    let blocks = pem_blocks(text);
    if text.contains("Proc-Type: 4,ENCRYPTED")
        || blocks
            .iter()
            .any(|(label, _)| *label == "ENCRYPTED PRIVATE KEY")
    {
        bail!(
            "the private key is encrypted (decrypt it first, e.g. 'openssl pkey -in FILE -out plain.pem', and keep plain.pem private)"
        );
    }
    let private = blocks.iter().find(|(label, _)| {
        matches!(
            *label,
            "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" | "ED25519 PRIVATE KEY"
        )
    });
    let Some((label, block)) = private else {
        if let Some((label, _)) = blocks
            .iter()
            .find(|(label, _)| matches!(*label, "PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE"))
        {
            bail!(
                "holds only a public key (PEM {label:?}); import needs the private key (PKCS#8, PKCS#1 or SEC1 PEM)"
            );
        }
        bail!(
            "no private key in it (expected PEM like -----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or EC PRIVATE KEY)"
        );
    };
    let unusable = || {
        anyhow!("PEM {label:?} holds no key jwkctl can use (RSA, EC P-256/P-384/P-521 or Ed25519)")
    };
    let (key_type, jwk) = match *label {
        "RSA PRIVATE KEY" => (
            KeyType::Rsa,
            RsaKeyPair::from_pem(block)
                .map_err(|_| unusable())?
                .to_jwk_key_pair(),
        ),
        "EC PRIVATE KEY" => ec_from_pem(block)?.ok_or_else(unusable)?,
        _ => {
            if let Ok(pair) = RsaKeyPair::from_pem(block) {
                (KeyType::Rsa, pair.to_jwk_key_pair())
            } else if let Some(ec) = ec_from_pem(block)? {
                ec
            } else if let Ok(pair) = EdKeyPair::from_pem(block) {
                if pair.curve() != EdCurve::Ed25519 {
                    bail!(
                        "an {} key: EdDSA here means Ed25519 only",
                        pair.curve().name()
                    );
                }
                (KeyType::Ed25519, pair.to_jwk_key_pair())
            } else {
                return Err(unusable());
            }
        }
    };
    let mut map = Map::new();
    map.insert("kty".into(), Value::from(key_type.kty()));
    map.extend(members_of(&jwk, key_type.material_members())?);
    Ok(map)
}

/// An EC key from PEM, or `None` when it is not one; a curve without a JWS
/// algorithm (secp256k1) is an error.
fn ec_from_pem(block: &str) -> Result<Option<(KeyType, JoseJwk)>> {
    let Ok(pair) = EcKeyPair::from_pem(block, None) else {
        return Ok(None);
    };
    let curve = match pair.curve() {
        EcCurve::P256 => Curve::P256,
        EcCurve::P384 => Curve::P384,
        EcCurve::P521 => Curve::P521,
        other => bail!(
            "an EC key on curve {}, which no algorithm here uses (use P-256, P-384 or P-521)",
            other.name()
        ),
    };
    Ok(Some((KeyType::Ec(curve), pair.to_jwk_key_pair())))
}

/// `(label, whole block)` for each `-----BEGIN label-----` ... `-----END
/// label-----` in `text`.
fn pem_blocks(text: &str) -> Vec<(&str, &str)> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + "-----BEGIN ".len()..];
        let Some(label_end) = after.find("-----") else {
            break;
        };
        let label = &after[..label_end];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = rest[start..].find(&end_marker) else {
            break;
        };
        let stop = start + end + end_marker.len();
        blocks.push((label, &rest[start..stop]));
        rest = &rest[stop..];
    }
    blocks
}

/// Rebuilds a private JWK's key members through OpenSSL, which checks they
/// form a key: `kty` and the key members, nothing else.
pub fn private_key_from_jwk(key: &Jwk) -> Result<Map<String, Value>> {
    let kty = key.kty().unwrap_or_default();
    let pair = key_pair(key).map_err(|e| anyhow!("not a usable {kty} private key: {e}"))?;
    let key_type = key
        .key_type()
        .map_err(|_| anyhow!("not a usable {kty} private key"))?;
    let mut map = Map::new();
    map.insert("kty".into(), Value::from(key_type.kty()));
    map.extend(members_of(
        &pair.to_jwk_key_pair(),
        key_type.material_members(),
    )?);
    Ok(map)
}

/// HMAC-SHA-256 of `message` under `key`: only for `fixtures`, whose
/// test tokens include the classic attack of an HS256 token keyed with the
/// verifier's public key. Nothing in jwkctl verifies HMAC.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> Result<Vec<u8>> {
    let signer = jws::HS256
        .signer_from_bytes(key)
        .map_err(|e| anyhow!("HMAC key: {e}"))?;
    signer
        .sign(message)
        .map_err(|e| anyhow!("HMAC failed: {e}"))
}

/// A self-signed X.509 certificate (DER) for a private key, valid from
/// `not_before` for a day: what a token's `x5c` header would carry.
pub fn self_signed_certificate(key: &Jwk, subject: &str, not_before: i64) -> Result<Vec<u8>> {
    use openssl::asn1::{Asn1Integer, Asn1Time};
    use openssl::bn::BigNum;
    use openssl::hash::MessageDigest;
    use openssl::pkey::PKey;
    use openssl::x509::{X509Builder, X509NameBuilder};

    let pem = to_pem(key, true)?;
    let build = || -> Result<Vec<u8>, openssl::error::ErrorStack> {
        let pkey = PKey::private_key_from_pem(&pem)?;
        let mut name = X509NameBuilder::new()?;
        name.append_entry_by_text("CN", subject)?;
        let name = name.build();
        let mut cert = X509Builder::new()?;
        cert.set_version(2)?;
        let one = BigNum::from_u32(1)?;
        let serial = Asn1Integer::from_bn(&one)?;
        cert.set_serial_number(&serial)?;
        cert.set_subject_name(&name)?;
        cert.set_issuer_name(&name)?;
        cert.set_pubkey(&pkey)?;
        let start = Asn1Time::from_unix(not_before)?;
        let end = Asn1Time::from_unix(not_before.saturating_add(86_400))?;
        cert.set_not_before(&start)?;
        cert.set_not_after(&end)?;
        // Ed25519 signs the message itself, with no separate digest.
        let digest = if key.key_type() == Ok(KeyType::Ed25519) {
            MessageDigest::null()
        } else {
            MessageDigest::sha256()
        };
        cert.sign(&pkey, digest)?;
        cert.build().to_der()
    };
    build().map_err(|e| anyhow!("making a certificate: {e}"))
}

/// A private key ready to sign for one algorithm, and the check every
/// signature passes before it is returned, so a fault in the computation
/// (one bad RSA-CRT signature leaks the key's factors) or a public half
/// that does not fit never leaves the process as a token: RSA and ECDSA
/// signatures are verified with the public half as verifiers get it;
/// Ed25519 signatures, which are deterministic, are computed a second time
/// and compared, once the key's pairing (its public half is the one its
/// private half gives) has been checked. That catches the same transient
/// faults for less than half of what a verification costs.
pub struct Signer {
    key: JoseSigner,
    check: Check,
    /// Test-only fault injection (debug builds only, see [`fault_requested`]).
    #[cfg(debug_assertions)]
    fault: bool,
}

/// josekit's signer for each key type.
enum JoseSigner {
    Rsa(RsassaJwsSigner),
    Pss(RsassaPssJwsSigner),
    Ec(EcdsaJwsSigner),
    Ed(EddsaJwsSigner),
}

/// How a signature is checked before it is returned.
enum Check {
    Verify(Verifier),
    /// Only for a key whose pairing was checked when the signer was made.
    Recompute,
}

impl Signer {
    pub fn new(alg: Alg, key: &Jwk) -> Result<Signer> {
        key.check_fits(alg).map_err(|why| anyhow!("{why}"))?;
        let check = if alg == Alg::EdDsa {
            // Comparing two computations proves nothing about the public
            // half: that is what the pairing check is for.
            keycheck::check_private(key).map_err(|flaw| anyhow!("{flaw}"))?;
            Check::Recompute
        } else {
            Check::Verify(Verifier::new(alg, key)?)
        };
        let mut private = key.to_private_map();
        let jwk = to_jose(private.clone());
        // Our copies of the private members are wiped here; josekit's own
        // copy lives only until the signer is built (OpenSSL clears the
        // key's numbers when it frees them).
        wipe(&mut private);
        let jwk = jwk?;
        let signer = match alg {
            Alg::Rs256 => JoseSigner::Rsa(jws::RS256.signer_from_jwk(&jwk)?),
            Alg::Rs384 => JoseSigner::Rsa(jws::RS384.signer_from_jwk(&jwk)?),
            Alg::Rs512 => JoseSigner::Rsa(jws::RS512.signer_from_jwk(&jwk)?),
            Alg::Ps256 => JoseSigner::Pss(jws::PS256.signer_from_jwk(&jwk)?),
            Alg::Ps384 => JoseSigner::Pss(jws::PS384.signer_from_jwk(&jwk)?),
            Alg::Ps512 => JoseSigner::Pss(jws::PS512.signer_from_jwk(&jwk)?),
            Alg::Es256 => JoseSigner::Ec(jws::ES256.signer_from_jwk(&jwk)?),
            Alg::Es384 => JoseSigner::Ec(jws::ES384.signer_from_jwk(&jwk)?),
            Alg::Es512 => JoseSigner::Ec(jws::ES512.signer_from_jwk(&jwk)?),
            Alg::EdDsa => JoseSigner::Ed(jws::EdDSA.signer_from_jwk(&jwk)?),
        };
        Ok(Signer {
            key: signer,
            check,
            #[cfg(debug_assertions)]
            fault: fault_requested(),
        })
    }

    /// The compact JWS (RFC 7515 §7.1) of `header` and `payload` as given,
    /// byte for byte: `sign`'s tokens and the test kit's crafted ones are
    /// all made here.
    pub fn compact(&self, header: &[u8], payload: &[u8]) -> Result<String> {
        self.finish(&signing_input(header, payload))
    }

    /// The compact JWS whose signing input is `input` (from
    /// [`signing_input`]): `sign --count` encodes the header and claims
    /// once and signs that input for every token.
    pub fn finish(&self, input: &str) -> Result<String> {
        let signature = self.sign(input.as_bytes())?;
        let mut token = String::with_capacity(input.len() + 1 + signature.len().div_ceil(3) * 4);
        token.push_str(input);
        token.push('.');
        b64_append(&signature, &mut token);
        Ok(token)
    }

    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        #[allow(unused_mut)] // the fault seam writes to it in debug builds
        let mut signature = self.raw_sign(message)?;
        match &self.check {
            Check::Verify(verifier) => {
                #[cfg(debug_assertions)]
                self.inject_fault(&mut signature);
                if !verifier.verify(message, &signature) {
                    bail!(
                        "a signature did not verify with the key's public half, so it was not used (a fault in the computation, or public members that do not belong to the key)"
                    );
                }
            }
            Check::Recompute => {
                #[allow(unused_mut)]
                let mut again = self.raw_sign(message)?;
                #[cfg(debug_assertions)]
                self.inject_fault(&mut again);
                if again != signature {
                    bail!(
                        "two computations of the same Ed25519 signature differed, so neither was used (a fault in the computation: check the machine's memory and CPU)"
                    );
                }
            }
        }
        Ok(signature)
    }

    fn raw_sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let signer: &dyn JwsSigner = match &self.key {
            JoseSigner::Rsa(s) => s,
            JoseSigner::Pss(s) => s,
            JoseSigner::Ec(s) => s,
            JoseSigner::Ed(s) => s,
        };
        signer
            .sign(message)
            .map_err(|e| anyhow!("signing failed: {e}"))
    }

    /// Flips a bit of the signature about to be checked, as a fault in
    /// the computation would.
    #[cfg(debug_assertions)]
    fn inject_fault(&self, signature: &mut [u8]) {
        if self.fault
            && let Some(last) = signature.last_mut()
        {
            *last ^= 1;
        }
    }
}

/// The test seam for the fault check: `JWKCTL_TEST_FAULT=signature` makes
/// every signature check see a faulted computation. Debug builds only, so
/// a release binary cannot be told to fail its signatures.
#[cfg(debug_assertions)]
fn fault_requested() -> bool {
    std::env::var_os("JWKCTL_TEST_FAULT").is_some_and(|v| v == "signature")
}

/// `BASE64URL(header) . BASE64URL(payload)`, the JWS signing input.
pub fn signing_input(header: &[u8], payload: &[u8]) -> String {
    let mut input =
        String::with_capacity(header.len().div_ceil(3) * 4 + 1 + payload.len().div_ceil(3) * 4);
    b64_append(header, &mut input);
    input.push('.');
    b64_append(payload, &mut input);
    input
}

/// Overwrites the private members' text in `map` before it is freed.
fn wipe(map: &mut Map<String, Value>) {
    for name in PRIVATE_MEMBERS {
        if let Some(Value::String(text)) = map.get_mut(name) {
            text.zeroize();
        }
    }
}

/// A public key ready to verify one algorithm.
pub enum Verifier {
    Rsa(RsassaJwsVerifier),
    Pss(RsassaPssJwsVerifier),
    Ec(EcdsaJwsVerifier),
    Ed(EddsaJwsVerifier),
}

impl Verifier {
    /// Builds a verifier from the public members only; josekit checks the
    /// key (size, point on the curve) and refuses what it cannot use.
    pub fn new(alg: Alg, key: &Jwk) -> Result<Verifier> {
        let jwk = to_jose(key.to_public())?;
        let verifier = match alg {
            Alg::Rs256 => Verifier::Rsa(jws::RS256.verifier_from_jwk(&jwk)?),
            Alg::Rs384 => Verifier::Rsa(jws::RS384.verifier_from_jwk(&jwk)?),
            Alg::Rs512 => Verifier::Rsa(jws::RS512.verifier_from_jwk(&jwk)?),
            Alg::Ps256 => Verifier::Pss(jws::PS256.verifier_from_jwk(&jwk)?),
            Alg::Ps384 => Verifier::Pss(jws::PS384.verifier_from_jwk(&jwk)?),
            Alg::Ps512 => Verifier::Pss(jws::PS512.verifier_from_jwk(&jwk)?),
            Alg::Es256 => Verifier::Ec(jws::ES256.verifier_from_jwk(&jwk)?),
            Alg::Es384 => Verifier::Ec(jws::ES384.verifier_from_jwk(&jwk)?),
            Alg::Es512 => Verifier::Ec(jws::ES512.verifier_from_jwk(&jwk)?),
            Alg::EdDsa => Verifier::Ed(jws::EdDSA.verifier_from_jwk(&jwk)?),
        };
        Ok(verifier)
    }

    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let verifier: &dyn JwsVerifier = match self {
            Verifier::Rsa(v) => v,
            Verifier::Pss(v) => v,
            Verifier::Ec(v) => v,
            Verifier::Ed(v) => v,
        };
        verifier.verify(message, signature).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_curve_algorithm_generates_signs_and_verifies() {
        for alg in [Alg::Es256, Alg::Es384, Alg::Es512, Alg::EdDsa] {
            let key = generate(alg, 2048).unwrap();
            assert!(key.is_private());
            key.check_fits(alg).unwrap();
            let sig = Signer::new(alg, &key).unwrap().sign(b"msg").unwrap();
            let verifier = Verifier::new(alg, &key).unwrap();
            assert!(verifier.verify(b"msg", &sig), "{alg}");
            assert!(!verifier.verify(b"msh", &sig), "{alg}");
        }
    }

    #[test]
    fn a_signature_that_does_not_verify_is_never_returned() {
        // A public half from another key stands in for a faulty signature
        // computation: the signature does not verify, so none comes out.
        let key = generate(Alg::Es256, 0).unwrap();
        let other = generate(Alg::Es256, 0).unwrap();
        let signer = Signer::new(Alg::Es256, &with_public_of(&key, &other)).unwrap();
        let err = format!("{:#}", signer.sign(b"msg").unwrap_err());
        assert!(
            err.contains("did not verify with the key's public half"),
            "{err}"
        );
    }

    #[test]
    fn an_ed25519_signer_checks_the_pairing_before_it_trusts_a_second_computation() {
        let key = generate(Alg::EdDsa, 0).unwrap();
        let other = generate(Alg::EdDsa, 0).unwrap();
        let err = Signer::new(Alg::EdDsa, &with_public_of(&key, &other))
            .err()
            .unwrap();
        assert!(format!("{err:#}").contains("do not belong"), "{err:#}");
        // Deterministic: the check compares equal computations.
        let signer = Signer::new(Alg::EdDsa, &key).unwrap();
        assert_eq!(signer.sign(b"m").unwrap(), signer.sign(b"m").unwrap());
    }

    fn with_public_of(key: &Jwk, other: &Jwk) -> Jwk {
        let mut map = key.to_private_map();
        for name in ["x", "y"] {
            if let Some(value) = other.member(name) {
                map.insert(name.into(), value.to_value());
            }
        }
        Jwk::from_map(map)
    }

    #[test]
    fn pem_blocks_and_private_key_round_trip() {
        let key = generate(Alg::Es384, 0).unwrap();
        let pem = String::from_utf8(to_pem(&key, true).unwrap()).unwrap();
        let spki = String::from_utf8(to_pem(&key, false).unwrap()).unwrap();
        let text = format!("comment\n{spki}{pem}");
        let labels: Vec<&str> = pem_blocks(&text).iter().map(|(l, _)| *l).collect();
        assert_eq!(labels, ["PUBLIC KEY", "PRIVATE KEY"]);
        let back = private_key_from_pem(&text).unwrap();
        let map = key.to_private_map();
        for name in ["crv", "x", "y", "d"] {
            assert_eq!(back[name], map[name], "{name}");
        }
        let err = format!("{:#}", private_key_from_pem(&spki).unwrap_err());
        assert!(err.contains("only a public key"), "{err}");
        assert!(!err.contains(map["d"].as_str().unwrap()));
        assert!(
            private_key_from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .is_err()
        );
    }

    #[test]
    fn rsa_keys_carry_crt_members_and_sign() {
        let key = generate(Alg::Ps256, 2048).unwrap();
        assert_eq!(key.rsa_bits(), Some(2048));
        let map = key.to_private_map();
        for name in ["n", "e", "d", "p", "q", "dp", "dq", "qi"] {
            assert!(map.contains_key(name), "{name}");
        }
        let sig = Signer::new(Alg::Ps256, &key).unwrap().sign(b"m").unwrap();
        assert!(Verifier::new(Alg::Ps256, &key).unwrap().verify(b"m", &sig));
        assert!(generate(Alg::Rs256, 1024).is_err());
    }
}
