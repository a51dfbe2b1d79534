//! The only module that touches josekit (OpenSSL) and the rsa crate: key
//! generation, and the signature primitives under JWS.
//!
//! RSA keys are generated with the `rsa` crate, measured several times faster
//! than OpenSSL's generator here. That crate's open timing advisory
//! (RUSTSEC-2023-0071, Marvin) concerns private-key operations an attacker can
//! time; jwkctl only generates keys with it, and every signature is made by
//! OpenSSL through josekit, so the advisory does not apply to this use.

use anyhow::{Context, Result, anyhow, bail};
use josekit::jwk::alg::ec::{EcCurve, EcKeyPair};
use josekit::jwk::alg::ed::{EdCurve, EdKeyPair};
use josekit::jwk::{Jwk as JoseJwk, KeyPair};
use josekit::jws::alg::ecdsa::{EcdsaJwsSigner, EcdsaJwsVerifier};
use josekit::jws::alg::eddsa::{EddsaJwsSigner, EddsaJwsVerifier};
use josekit::jws::alg::rsassa::{RsassaJwsSigner, RsassaJwsVerifier};
use josekit::jws::alg::rsassa_pss::{RsassaPssJwsSigner, RsassaPssJwsVerifier};
use josekit::jws::{self, JwsSigner, JwsVerifier};
use rsa::RsaPrivateKey;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use serde_json::{Map, Value};

use crate::alg::{Alg, KeyKind, RSA_BITS};
use crate::jwk::{Jwk, b64};

/// Creates a private key for `alg`, with `kty`, `use: sig` and `alg` set
/// (the caller adds `kid`). `bits` applies to RSA only.
pub fn generate(alg: Alg, bits: u32) -> Result<Jwk> {
    let mut map = Map::new();
    map.insert("kty".into(), Value::from(""));
    map.insert("use".into(), Value::from("sig"));
    map.insert("alg".into(), Value::from(alg.name()));
    let material = match alg.kind() {
        KeyKind::Rsa => {
            if !RSA_BITS.contains(&bits) {
                bail!("RSA keys have 2048, 3072 or 4096 bits, not {bits}");
            }
            map.insert("kty".into(), Value::from("RSA"));
            generate_rsa(bits)?
        }
        KeyKind::Ec(curve) => {
            map.insert("kty".into(), Value::from("EC"));
            let curve = match curve {
                "P-256" => EcCurve::P256,
                "P-384" => EcCurve::P384,
                _ => EcCurve::P521,
            };
            let pair = EcKeyPair::generate(curve).context("generating an EC key")?;
            members_of(&pair.to_jwk_key_pair(), &["crv", "x", "y", "d"])?
        }
        KeyKind::Ed25519 => {
            map.insert("kty".into(), Value::from("OKP"));
            let pair =
                EdKeyPair::generate(EdCurve::Ed25519).context("generating an Ed25519 key")?;
            members_of(&pair.to_jwk_key_pair(), &["crv", "x", "d"])?
        }
    };
    map.extend(material);
    Ok(Jwk::from_map(map))
}

fn generate_rsa(bits: u32) -> Result<Map<String, Value>> {
    let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, bits as usize)
        .context("generating an RSA key")?;
    let [p, q] = key.primes() else {
        bail!("the RSA key generator returned more than two primes");
    };
    let missing = || anyhow!("the RSA key generator returned no CRT values");
    let qi = key.crt_coefficient().ok_or_else(missing)?;
    let mut map = Map::new();
    let mut put = |name: &str, n: &rsa::BigUint| {
        map.insert(name.into(), Value::from(b64(&n.to_bytes_be())));
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

/// A private key ready to sign for one algorithm.
pub enum Signer {
    Rsa(RsassaJwsSigner),
    Pss(RsassaPssJwsSigner),
    Ec(EcdsaJwsSigner),
    Ed(EddsaJwsSigner),
}

impl Signer {
    pub fn new(alg: Alg, key: &Jwk) -> Result<Signer> {
        let jwk = to_jose(key.to_private_map())?;
        let signer = match alg {
            Alg::Rs256 => Signer::Rsa(jws::RS256.signer_from_jwk(&jwk)?),
            Alg::Rs384 => Signer::Rsa(jws::RS384.signer_from_jwk(&jwk)?),
            Alg::Rs512 => Signer::Rsa(jws::RS512.signer_from_jwk(&jwk)?),
            Alg::Ps256 => Signer::Pss(jws::PS256.signer_from_jwk(&jwk)?),
            Alg::Ps384 => Signer::Pss(jws::PS384.signer_from_jwk(&jwk)?),
            Alg::Ps512 => Signer::Pss(jws::PS512.signer_from_jwk(&jwk)?),
            Alg::Es256 => Signer::Ec(jws::ES256.signer_from_jwk(&jwk)?),
            Alg::Es384 => Signer::Ec(jws::ES384.signer_from_jwk(&jwk)?),
            Alg::Es512 => Signer::Ec(jws::ES512.signer_from_jwk(&jwk)?),
            Alg::EdDsa => Signer::Ed(jws::EdDSA.signer_from_jwk(&jwk)?),
        };
        Ok(signer)
    }

    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let signer: &dyn JwsSigner = match self {
            Signer::Rsa(s) => s,
            Signer::Pss(s) => s,
            Signer::Ec(s) => s,
            Signer::Ed(s) => s,
        };
        signer
            .sign(message)
            .map_err(|e| anyhow!("signing failed: {e}"))
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
