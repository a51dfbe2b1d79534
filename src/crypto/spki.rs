//! Public keys as a key manager hands them out, turned into JWK members:
//! SubjectPublicKeyInfo PEM (RSA, ECDSA) and raw Ed25519 bytes. Part of
//! the crypto room: OpenSSL reads the PEM and checks the key.

use anyhow::{Result, anyhow, bail};
use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::{EcGroup, EcKey};
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, Public};
use openssl::rsa::Rsa;
use serde_json::{Map, Value};

use crate::alg::{Curve, KeyType};
use crate::b64::{b64, unb64};
use crate::jwk::{Jwk, Member};

/// `kty` and the key members (`n e`, or `crv x y`) of a public key in
/// SubjectPublicKeyInfo PEM.
pub fn public_members_from_pem(text: &str) -> Result<Map<String, Value>> {
    let key = PKey::public_key_from_pem(text.as_bytes())
        .map_err(|_| anyhow!("not a public key in PEM (SubjectPublicKeyInfo)"))?;
    let mut map = Map::new();
    match key.id() {
        Id::RSA => {
            let rsa = key.rsa()?;
            map.insert("kty".into(), KeyType::Rsa.kty().into());
            map.insert("n".into(), b64(&rsa.n().to_vec()).into());
            map.insert("e".into(), b64(&rsa.e().to_vec()).into());
        }
        Id::EC => {
            let ec = key.ec_key()?;
            let group = ec.group();
            let curve = match group.curve_name() {
                Some(Nid::X9_62_PRIME256V1) => Curve::P256,
                Some(Nid::SECP384R1) => Curve::P384,
                Some(Nid::SECP521R1) => Curve::P521,
                _ => bail!("an EC key on a curve no JWS algorithm uses"),
            };
            let mut ctx = BigNumContext::new()?;
            let (mut x, mut y) = (BigNum::new()?, BigNum::new()?);
            ec.public_key()
                .affine_coordinates(group, &mut x, &mut y, &mut ctx)?;
            let len = i32::try_from(group.degree().div_ceil(8))?;
            map.insert("kty".into(), KeyType::Ec(curve).kty().into());
            map.insert("crv".into(), curve.name().into());
            map.insert("x".into(), b64(&x.to_vec_padded(len)?).into());
            map.insert("y".into(), b64(&y.to_vec_padded(len)?).into());
        }
        _ => bail!("a public key of a type no JWS algorithm here uses"),
    }
    Ok(map)
}

/// `kty`, `crv` and `x` of a raw 32-byte Ed25519 public key.
pub fn ed25519_members(raw: &[u8]) -> Result<Map<String, Value>> {
    if raw.len() != 32 {
        bail!("an Ed25519 public key has 32 bytes, not {}", raw.len());
    }
    let mut map = Map::new();
    map.insert("kty".into(), KeyType::Ed25519.kty().into());
    map.insert("crv".into(), KeyType::Ed25519.crv().into());
    map.insert("x".into(), b64(raw).into());
    Ok(map)
}

/// The SubjectPublicKeyInfo PEM of a JWK's public members (a key whose
/// private half is not here).
pub fn public_pem(jwk: &Jwk) -> Result<Vec<u8>> {
    let bytes = |name: &str| {
        jwk.member(name)
            .and_then(Member::as_str)
            .and_then(unb64)
            .ok_or_else(|| anyhow!("no usable {name:?}"))
    };
    let key: PKey<Public> = match jwk.key_type() {
        Ok(KeyType::Rsa) => {
            let n = BigNum::from_slice(&bytes("n")?)?;
            let e = BigNum::from_slice(&bytes("e")?)?;
            PKey::from_rsa(Rsa::from_public_components(n, e)?)?
        }
        Ok(KeyType::Ec(curve)) => {
            let nid = match curve {
                Curve::P256 => Nid::X9_62_PRIME256V1,
                Curve::P384 => Nid::SECP384R1,
                Curve::P521 => Nid::SECP521R1,
            };
            let group = EcGroup::from_curve_name(nid)?;
            let x = BigNum::from_slice(&bytes("x")?)?;
            let y = BigNum::from_slice(&bytes("y")?)?;
            PKey::from_ec_key(EcKey::from_public_key_affine_coordinates(&group, &x, &y)?)?
        }
        Ok(KeyType::Ed25519) => PKey::public_key_from_raw_bytes(&bytes("x")?, Id::ED25519)?,
        Err(_) => bail!("no PEM form for key type {:?}", jwk.kty()),
    };
    Ok(key.public_key_to_pem()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alg::Alg;
    use crate::crypto;

    #[test]
    fn spki_pem_gives_the_jwk_members() {
        for alg in [Alg::Es256, Alg::Es384, Alg::Es512, Alg::Rs256] {
            let jwk = crypto::generate(alg, 2048).unwrap();
            let pem = String::from_utf8(crypto::to_pem(&jwk, false).unwrap()).unwrap();
            let members = public_members_from_pem(&pem).unwrap();
            for (name, value) in &members {
                assert_eq!(
                    jwk.member(name).map(Member::to_value).as_ref(),
                    Some(value),
                    "{alg} {name}"
                );
            }
            assert_eq!(members.len(), if alg == Alg::Rs256 { 3 } else { 4 });
            assert_eq!(public_pem(&jwk).unwrap(), pem.as_bytes(), "{alg}");
        }
        assert!(public_members_from_pem("nothing").is_err());
        assert!(ed25519_members(&[0; 31]).is_err());
        assert_eq!(ed25519_members(&[0; 32]).unwrap()["x"], b64(&[0; 32]));
    }
}
