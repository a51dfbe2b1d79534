//! Keys that are not keys: whether a JWK's material could be a real key of
//! its type. The verifier's JWK Sets, the store and `import` all ask here,
//! so a key one of them refuses is refused by all three.
//!
//! A degenerate public key is worse than a broken one: an RSA exponent of 1
//! makes the "signature" the padded hash itself, and an Ed25519 point of
//! small order accepts one fixed signature over any payload, so anyone could
//! forge tokens such a key "verifies". All arithmetic is OpenSSL's, except
//! Ed25519 point decoding, which OpenSSL does not offer (curve25519-dalek).
//!
//! Three depths, by cost: [`check_members`] (types, sizes, encodings: every
//! key on every read), [`check_public`] (adds the computations on the
//! public half: a point on its curve, an RSA modulus without small
//! factors) and [`check_private`] (adds the pairing of the private and
//! public halves). A key gets the full check when it joins the store and
//! when it is used to sign or verify.

use std::fmt;
use std::sync::OnceLock;

use curve25519_dalek::edwards::CompressedEdwardsY;
use openssl::bn::{BigNum, BigNumContext, BigNumRef};
use openssl::ec::{EcGroup, EcPoint};
use openssl::error::ErrorStack;
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey};
use zeroize::Zeroizing;

use crate::alg::{Alg, Curve, KeyType, MIN_RSA_BITS, NotAKeyType};
use crate::b64::{unb64, with_unb64};
use crate::jwk::{Jwk, Member};

/// What makes a key unusable. `Display` is a short phrase that fits after
/// "skipping key 3 of jwks.json: " and after "key 3 (kid ...): ".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Flaw {
    /// A member is missing or not base64url.
    Member(&'static str),
    RsaTooSmall(usize),
    /// The public exponent is not odd with 3 <= e < n; holds what it is.
    RsaExponent(String),
    /// The modulus has this prime factor below [`SMALL_PRIMES_BELOW`]
    /// (2: it is even).
    RsaSmallFactor(u32),
    RsaMultiPrime,
    OffCurve,
    Ed25519Length,
    Ed25519NotCanonical,
    Ed25519SmallOrder,
    /// The public members are not those of the private key.
    Mismatch,
}

impl fmt::Display for Flaw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Flaw::Member(name) => write!(f, "the member {name:?} is missing or not base64url"),
            Flaw::RsaTooSmall(bits) => {
                write!(f, "RSA key of {bits} bits is under {MIN_RSA_BITS}")
            }
            Flaw::RsaExponent(what) => write!(
                f,
                "its RSA public exponent {what}; it must be odd, at least 3 and less than the modulus"
            ),
            Flaw::RsaSmallFactor(2) => f.write_str(
                "its RSA modulus is even; a real key's modulus is odd, with no prime factor below 752",
            ),
            Flaw::RsaSmallFactor(p) => write!(
                f,
                "its RSA modulus has the prime factor {p}; a real key's modulus has none below 752"
            ),
            Flaw::RsaMultiPrime => f.write_str(
                "it is a multi-prime RSA key (more than two primes, \"oth\"), which is not supported",
            ),
            Flaw::OffCurve => f.write_str("its point is not on its curve"),
            Flaw::Ed25519Length => f.write_str("its \"x\" is not a 32-byte Ed25519 public key"),
            Flaw::Ed25519NotCanonical => {
                f.write_str("its \"x\" is not the canonical encoding of an Ed25519 point")
            }
            Flaw::Ed25519SmallOrder => f.write_str(
                "its \"x\" is an Ed25519 point of small order, which accepts forged signatures",
            ),
            Flaw::Mismatch => {
                f.write_str("its private and public members do not belong to one key")
            }
        }
    }
}

/// Anything OpenSSL could not compute counts as a flaw of the key: a member
/// that does not decode into the number it should be.
fn unreadable(_: ErrorStack) -> Flaw {
    Flaw::Mismatch
}

/// The checks of members alone: types, sizes and encodings, the RSA
/// exponent's range and the modulus's parity, and the private members a
/// private key needs. No point or pairing arithmetic: cheap enough for
/// every key of a 1,000-key store or JWK Set on every read. A key of a
/// type jwkctl does not know passes; its type is its caller's question.
pub fn check_members(jwk: &Jwk) -> Result<(), Flaw> {
    check_members_of(jwk, false)
}

/// [`check_members`]; `fitted`: [`Jwk::check_fits`] has passed, so the
/// public members an EC key needs are known to decode (admission checks a
/// 1,000-key store on every read, and each decoding counts).
fn check_members_of(jwk: &Jwk, fitted: bool) -> Result<(), Flaw> {
    let private = jwk.is_private();
    match jwk.key_type() {
        Ok(KeyType::Rsa) => {
            check_rsa_public(jwk)?;
            if jwk.has_private_member("oth") {
                return Err(Flaw::RsaMultiPrime);
            }
            // josekit signs RSA keys in their CRT form only: a key without
            // these would load and then fail every `sign`.
            if private {
                for name in ["d", "p", "q", "dp", "dq", "qi"] {
                    secret_decodes(jwk, name)?;
                }
            }
            Ok(())
        }
        Ok(KeyType::Ec(_)) => {
            if !fitted {
                public_decodes(jwk, "x")?;
                public_decodes(jwk, "y")?;
            }
            if private {
                secret_decodes(jwk, "d")?;
            }
            Ok(())
        }
        Ok(KeyType::Ed25519) => {
            let x = jwk.member("x").and_then(|v| v.as_str());
            let length = match x {
                // Known to decode: unpadded base64url of n bytes is
                // ceil(4n/3) characters long, so its length tells n.
                Some(x) if fitted => Some(x.len() * 3 / 4),
                _ => x.and_then(|x| with_unb64(x, |x| x.len())),
            };
            match length {
                Some(32) => {}
                Some(_) => return Err(Flaw::Ed25519Length),
                None => return Err(Flaw::Member("x")),
            }
            if private {
                secret_decodes(jwk, "d")?;
            }
            Ok(())
        }
        Err(_) => Ok(()),
    }
}

fn public_decodes(jwk: &Jwk, name: &'static str) -> Result<(), Flaw> {
    jwk.member(name)
        .and_then(|v| v.as_str())
        .and_then(|text| with_unb64(text, |_| ()))
        .ok_or(Flaw::Member(name))
}

fn secret_decodes(jwk: &Jwk, name: &'static str) -> Result<(), Flaw> {
    jwk.private_member(name)
        .and_then(|text| with_unb64(text, |_| ()))
        .ok_or(Flaw::Member(name))
}

/// The computations on the public half: an EC point on its curve, an
/// Ed25519 point canonical and not of small order, an RSA modulus without
/// small prime factors. A computation per key, so made only for the keys a
/// command uses, and when a key joins the store.
pub fn check_material(jwk: &Jwk) -> Result<(), Flaw> {
    match jwk.key_type() {
        Ok(KeyType::Rsa) => rsa_small_factor(&*num(jwk, "n")?),
        Ok(KeyType::Ec(curve)) => {
            let (x, y) = (public_bytes(jwk, "x")?, public_bytes(jwk, "y")?);
            if ec_point(curve, &x, &y).is_some() {
                Ok(())
            } else {
                Err(Flaw::OffCurve)
            }
        }
        Ok(KeyType::Ed25519) => {
            let x = public_bytes(jwk, "x")?;
            let bytes: [u8; 32] = x.as_slice().try_into().map_err(|_| Flaw::Ed25519Length)?;
            let compressed = CompressedEdwardsY(bytes);
            // RFC 8032 §5.1.3 decoding is strict: y below p, and no "negative
            // zero" x. dalek's decompress is lenient on both, so a point is
            // canonical when it compresses back to the same bytes.
            let point = compressed
                .decompress()
                .filter(|p| p.compress() == compressed)
                .ok_or(Flaw::Ed25519NotCanonical)?;
            if point.is_small_order() {
                return Err(Flaw::Ed25519SmallOrder);
            }
            Ok(())
        }
        Err(_) => Ok(()),
    }
}

/// Every public check: [`check_members`] and [`check_material`].
pub fn check_public(jwk: &Jwk) -> Result<(), Flaw> {
    check_members(jwk)?;
    check_material(jwk)
}

/// The full check of a private key: its public members are a usable key
/// ([`check_public`]) and belong to its private members, as OpenSSL
/// derives them. A key that fails this signs tokens no verifier accepts,
/// and an RSA key whose CRT members are wrong leaks its factors with every
/// signature.
pub fn check_private(jwk: &Jwk) -> Result<(), Flaw> {
    check_public(jwk)?;
    match jwk.key_type() {
        Ok(KeyType::Rsa) => rsa_pair(jwk),
        Ok(KeyType::Ec(curve)) => ec_pair(jwk, curve),
        Ok(KeyType::Ed25519) => {
            let d = secret_bytes(jwk, "d")?;
            let pkey = PKey::private_key_from_raw_bytes(&d, Id::ED25519).map_err(unreadable)?;
            let derived = pkey.raw_public_key().map_err(unreadable)?;
            if derived == public_bytes(jwk, "x")? {
                Ok(())
            } else {
                Err(Flaw::Mismatch)
            }
        }
        Err(_) => Ok(()),
    }
}

/// NIST SP 800-89 §5.3.3's partial public-key validation, without its
/// primality test: the modulus has no prime factor below this.
pub const SMALL_PRIMES_BELOW: u32 = 752;

/// The primes below [`SMALL_PRIMES_BELOW`], in groups whose product fits a
/// 32-bit word: one division of the modulus per group, not per prime.
fn small_prime_groups() -> &'static [(u32, Vec<u32>)] {
    static GROUPS: OnceLock<Vec<(u32, Vec<u32>)>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let mut groups: Vec<(u32, Vec<u32>)> = Vec::new();
        for p in (2..SMALL_PRIMES_BELOW)
            .filter(|&n| (2..n).take_while(|d| d * d <= n).all(|d| n % d != 0))
        {
            match groups.last_mut() {
                Some((product, primes)) if product.checked_mul(p).is_some() => {
                    *product *= p;
                    primes.push(p);
                }
                _ => groups.push((p, vec![p])),
            }
        }
        groups
    })
}

/// The smallest prime factor of `n` below [`SMALL_PRIMES_BELOW`], as a
/// flaw. A modulus of 3 times a prime passes every other public check and
/// lets anyone compute its private exponent.
fn rsa_small_factor(n: &BigNumRef) -> Result<(), Flaw> {
    for (product, primes) in small_prime_groups() {
        let rest = n.mod_word(*product).map_err(unreadable)?;
        if let Some(p) = primes.iter().find(|p| rest % u64::from(**p) == 0) {
            return Err(Flaw::RsaSmallFactor(*p));
        }
    }
    Ok(())
}

/// What a key is admitted for: it decides which members must be there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A key of the store: private, signs.
    Store,
    /// A key given to `import`: private, signs, checked in full now.
    Import,
    /// A key of the store whose private half a signer holds (transit):
    /// public, signs elsewhere.
    Signer,
    /// A key of a JWK Set `verify` reads: its `key_ops` must allow it.
    Verify,
}

/// How much of [`check_members`] .. [`check_private`] admission runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    /// Type, use, algorithm and private half only: the caller runs the
    /// member checks itself (the store, over all keys once they are read).
    Policy,
    Members,
    Full,
}

/// Why a key is not admitted. Each caller words it for its reader; the
/// decision, and the order of the checks, is [`admit`]'s alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal<'a> {
    /// No `kty`, or one jwkctl has no use for (`oct`, `Dilithium`).
    Type(NotAKeyType<'a>),
    /// `use` is there and is not `"sig"`.
    Use(&'a Member),
    /// `key_ops` does not allow verifying.
    KeyOps,
    /// `alg` names no algorithm jwkctl knows.
    UnknownAlg(&'a str),
    /// An EC or OKP key on a curve no algorithm here uses; the `alg` it
    /// names, if any.
    Curve(NotAKeyType<'a>, Option<Alg>),
    /// The key's type or members do not fit its algorithm.
    Unfit { alg: Alg, why: String },
    /// A key that must be private has no `d`.
    NotPrivate,
    /// Its material is not a real key.
    Flaw(Flaw),
}

/// A key that may be used: its type and the algorithm it names or, when
/// it names none, the one its type implies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Admitted {
    pub key_type: KeyType,
    pub alg: Alg,
    /// Whether `alg` was named by the key itself.
    pub named: bool,
}

/// The one admission path for keys, wherever they come from: the store,
/// a JWK Set `verify` reads, a file given to `import`. Checks, in this
/// order: `kty`, `use`, `key_ops` (for verifying), `alg`, the curve, that
/// the type fits the algorithm, the private half (for the store and
/// `import`), and the material to `depth`.
pub fn admit(jwk: &Jwk, role: Role, depth: Depth) -> Result<Admitted, Refusal<'_>> {
    let key_type = match jwk.key_type() {
        Ok(key_type) => Ok(key_type),
        // Judged once "use" and "alg" have been.
        Err(curve @ (NotAKeyType::EcCurve(_) | NotAKeyType::OkpCurve(_))) => Err(curve),
        Err(other) => return Err(Refusal::Type(other)),
    };
    match jwk.member("use") {
        None => {}
        Some(usage) if usage.as_str() == Some("sig") => {}
        Some(other) => return Err(Refusal::Use(other)),
    }
    if role == Role::Verify
        && let Some(ops) = jwk.member("key_ops")
        && !ops
            .as_array()
            .is_some_and(|ops| ops.iter().any(|op| op == "verify"))
    {
        return Err(Refusal::KeyOps);
    }
    let named = match jwk.alg_name() {
        Some(name) => Some(Alg::from_name(name).ok_or(Refusal::UnknownAlg(name))?),
        None => None,
    };
    let key_type = key_type.map_err(|curve| Refusal::Curve(curve, named))?;
    let alg = named.unwrap_or(key_type.default_alg());
    jwk.check_fits_as(alg, Some(key_type))
        .map_err(|why| Refusal::Unfit { alg, why })?;
    if matches!(role, Role::Store | Role::Import) && !jwk.is_private() {
        return Err(Refusal::NotPrivate);
    }
    let checked = match depth {
        Depth::Policy => Ok(()),
        Depth::Members => check_members_of(jwk, true),
        Depth::Full => check_private(jwk),
    };
    checked.map_err(Refusal::Flaw)?;
    Ok(Admitted {
        key_type,
        alg,
        named: named.is_some(),
    })
}

fn public_bytes(jwk: &Jwk, name: &'static str) -> Result<Vec<u8>, Flaw> {
    jwk.member(name)
        .and_then(|v| v.as_str())
        .and_then(unb64)
        .ok_or(Flaw::Member(name))
}

/// A private member, decoded into a buffer that is wiped when dropped.
pub fn secret_bytes(jwk: &Jwk, name: &'static str) -> Result<Zeroizing<Vec<u8>>, Flaw> {
    jwk.private_member(name)
        .and_then(unb64)
        .map(Zeroizing::new)
        .ok_or(Flaw::Member(name))
}

/// A number made from private key material: cleared before it is freed
/// (OpenSSL's `BN_free` alone leaves the digits in memory).
pub struct SecretNum(BigNum);

impl SecretNum {
    pub fn of(jwk: &Jwk, name: &'static str) -> Result<SecretNum, Flaw> {
        let bytes = secret_bytes(jwk, name)?;
        BigNum::from_slice(&bytes)
            .map(SecretNum)
            .map_err(unreadable)
    }

    /// A copy for OpenSSL to own (it clears what it frees).
    pub fn copy_for_openssl(&self) -> Result<BigNum, ErrorStack> {
        self.0.to_owned()
    }
}

impl std::ops::Deref for SecretNum {
    type Target = BigNumRef;
    fn deref(&self) -> &BigNumRef {
        &self.0
    }
}

impl Drop for SecretNum {
    fn drop(&mut self) {
        self.0.clear();
    }
}

fn num(jwk: &Jwk, name: &'static str) -> Result<BigNum, Flaw> {
    let bytes = public_bytes(jwk, name)?;
    BigNum::from_slice(&bytes).map_err(unreadable)
}

fn check_rsa_public(jwk: &Jwk) -> Result<(), Flaw> {
    // Counted from the first non-zero bit: a leading zero octet adds none.
    let bits = jwk
        .member("n")
        .and_then(|v| v.as_str())
        .and_then(|n| with_unb64(n, |n| BigNum::from_slice(n).map(|n| n.num_bits())))
        .ok_or(Flaw::Member("n"))?
        .map_err(unreadable)?;
    let bits = usize::try_from(bits).unwrap_or(0);
    if bits < MIN_RSA_BITS {
        return Err(Flaw::RsaTooSmall(bits));
    }
    let n = num(jwk, "n")?;
    if !n.is_bit_set(0) {
        return Err(Flaw::RsaSmallFactor(2));
    }
    let e = num(jwk, "e")?;
    let three = BigNum::from_u32(3).map_err(unreadable)?;
    let shown = || match e.to_dec_str() {
        Ok(dec) if dec.len() <= 20 => format!("e = {}", &*dec),
        _ => format!("of {} bits", e.num_bits()),
    };
    if e < three {
        return Err(Flaw::RsaExponent(format!("{} is under 3", shown())));
    }
    if !e.is_bit_set(0) {
        return Err(Flaw::RsaExponent(format!("{} is even", shown())));
    }
    if e >= n {
        return Err(Flaw::RsaExponent(format!(
            "{} is not less than the modulus",
            shown()
        )));
    }
    Ok(())
}

/// n = p·q, e·d ≡ 1 modulo p - 1 and q - 1, and the CRT members what they
/// must be. A key without primes (only `d`) is checked by a round trip.
fn rsa_pair(jwk: &Jwk) -> Result<(), Flaw> {
    let (n, e) = (num(jwk, "n")?, num(jwk, "e")?);
    let d = SecretNum::of(jwk, "d")?;
    let mut more_primes = false;
    let result = (|| -> Result<bool, ErrorStack> {
        let mut ctx = BigNumContext::new_secure()?;
        let one = BigNum::from_u32(1)?;
        if jwk.private_member("p").is_none() && jwk.private_member("q").is_none() {
            // (2^d)^e mod n must give 2 back.
            let two = BigNum::from_u32(2)?;
            let mut signed = BigNum::new_secure()?;
            signed.mod_exp(&two, &d, &n, &mut ctx)?;
            let mut back = BigNum::new()?;
            back.mod_exp(&signed, &e, &n, &mut ctx)?;
            signed.clear();
            return Ok(back == two);
        }
        let (Ok(p), Ok(q)) = (SecretNum::of(jwk, "p"), SecretNum::of(jwk, "q")) else {
            return Ok(false);
        };
        let mut pq = BigNum::new_secure()?;
        pq.checked_mul(&p, &q, &mut ctx)?;
        let n_matches = pq == n;
        if !n_matches {
            // A modulus that is a multiple of p·q has more primes than these
            // two: a multi-prime key (from PEM, or with "oth" dropped).
            let mut rest = BigNum::new()?;
            rest.nnmod(&n, &pq, &mut ctx)?;
            more_primes = rest.num_bits() == 0 && p.num_bits() > 1 && q.num_bits() > 1;
            pq.clear();
            return Ok(false);
        }
        pq.clear();
        let mut ed = BigNum::new_secure()?;
        ed.checked_mul(&e, &d, &mut ctx)?;
        let mut ok = true;
        let mut rest = BigNum::new_secure()?;
        for (prime, crt) in [(&p, "dp"), (&q, "dq")] {
            let mut less = BigNum::new_secure()?;
            less.checked_sub(prime, &one)?;
            rest.nnmod(&ed, &less, &mut ctx)?;
            ok &= rest == one;
            // d mod (prime - 1), when the key carries it.
            if jwk.private_member(crt).is_some() {
                let given = SecretNum::of(jwk, crt);
                rest.nnmod(&d, &less, &mut ctx)?;
                ok &= given.is_ok_and(|g| *rest == *g);
            }
            less.clear();
        }
        if jwk.private_member("qi").is_some() {
            // q · qi ≡ 1 (mod p).
            let qi = SecretNum::of(jwk, "qi");
            ok &= match qi {
                Ok(qi) => {
                    rest.mod_mul(&q, &qi, &p, &mut ctx)?;
                    rest == one
                }
                Err(_) => false,
            };
        }
        rest.clear();
        ed.clear();
        Ok(ok)
    })();
    match result {
        Ok(true) => Ok(()),
        _ if more_primes => Err(Flaw::RsaMultiPrime),
        _ => Err(Flaw::Mismatch),
    }
}

/// d·G must be the public point, with 0 < d < the group's order.
fn ec_pair(jwk: &Jwk, curve: Curve) -> Result<(), Flaw> {
    let (x, y) = (public_bytes(jwk, "x")?, public_bytes(jwk, "y")?);
    let group = group(curve).ok_or(Flaw::OffCurve)?;
    let public = ec_point(curve, &x, &y).ok_or(Flaw::OffCurve)?;
    let d = SecretNum::of(jwk, "d")?;
    let matches = (|| -> Result<bool, ErrorStack> {
        let mut ctx = BigNumContext::new_secure()?;
        let mut order = BigNum::new()?;
        group.order(&mut order, &mut ctx)?;
        if d.num_bits() == 0 || *d >= *order {
            return Ok(false);
        }
        let mut derived = EcPoint::new(group)?;
        derived.mul_generator2(group, &d, &mut ctx)?;
        derived.eq(group, &public, &mut ctx)
    })();
    match matches {
        Ok(true) => Ok(()),
        _ => Err(Flaw::Mismatch),
    }
}

/// The group of a JOSE curve name; built once per curve, as building one
/// costs more than a point check.
pub fn group(curve: Curve) -> Option<&'static EcGroup> {
    static GROUPS: [OnceLock<Option<EcGroup>>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let nid = match curve {
        Curve::P256 => Nid::X9_62_PRIME256V1,
        Curve::P384 => Nid::SECP384R1,
        Curve::P521 => Nid::SECP521R1,
    };
    GROUPS[curve.index()]
        .get_or_init(|| EcGroup::from_curve_name(nid).ok())
        .as_ref()
}

/// The point (x, y) of curve `crv`, if it is one: coordinates below the
/// field prime, on the curve. Anything unreadable is no point.
pub fn ec_point(curve: Curve, x: &[u8], y: &[u8]) -> Option<EcPoint> {
    let group = group(curve)?;
    let make = || -> Result<Option<EcPoint>, ErrorStack> {
        let mut ctx = BigNumContext::new()?;
        let mut point = EcPoint::new(group)?;
        let (x, y) = (BigNum::from_slice(x)?, BigNum::from_slice(y)?);
        // A coordinate is a field element: below the prime, not reduced by
        // OpenSSL into one (two encodings of one point).
        let (mut p, mut a, mut b) = (BigNum::new()?, BigNum::new()?, BigNum::new()?);
        group.components_gfp(&mut p, &mut a, &mut b, &mut ctx)?;
        if x >= p || y >= p {
            return Ok(None);
        }
        // Fails for a point that is not on the curve.
        point.set_affine_coordinates_gfp(group, &x, &y, &mut ctx)?;
        Ok(point.is_on_curve(group, &mut ctx)?.then_some(point))
    };
    make().ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alg::Alg;
    use crate::b64::b64;
    use crate::crypto;
    use serde_json::{Value, json};

    fn with(key: &Jwk, name: &str, value: Value) -> Jwk {
        let mut map = key.to_private_map();
        map.insert(name.into(), value);
        Jwk::from_map(map)
    }

    #[test]
    fn generated_keys_pass_and_edited_ones_do_not() {
        for alg in [Alg::Es256, Alg::Es384, Alg::Es512, Alg::EdDsa] {
            let key = crypto::generate(alg, 0).unwrap();
            assert_eq!(check_private(&key), Ok(()), "{alg}");
            let other = crypto::generate(alg, 0).unwrap();
            let mut swapped = with(&key, "x", other.member("x").unwrap().to_value());
            if alg != Alg::EdDsa {
                swapped = with(&swapped, "y", other.member("y").unwrap().to_value());
            }
            assert_eq!(check_public(&swapped), Ok(()), "{alg}");
            assert_eq!(check_private(&swapped), Err(Flaw::Mismatch), "{alg}");
        }
    }

    #[test]
    fn ec_coordinates_are_field_elements_on_the_curve() {
        let key = crypto::generate(Alg::Es256, 0).unwrap();
        let y = unb64(key.member("y").unwrap().as_str().unwrap()).unwrap();
        let mut off = y.clone();
        off[31] ^= 1;
        assert_eq!(
            check_public(&with(&key, "y", json!(b64(&off)))),
            Err(Flaw::OffCurve)
        );
    }

    #[test]
    fn ed25519_small_order_and_non_canonical_points() {
        let key = crypto::generate(Alg::EdDsa, 0).unwrap();
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let small = with(&key, "x", json!(b64(&identity)));
        assert_eq!(check_public(&small), Err(Flaw::Ed25519SmallOrder));
        // The identity again, with y + p in place of y: not canonical.
        let mut y_plus_p = [0xffu8; 32];
        y_plus_p[0] = 0xee;
        y_plus_p[31] = 0x7f;
        let odd = with(&key, "x", json!(b64(&y_plus_p)));
        assert_eq!(check_public(&odd), Err(Flaw::Ed25519NotCanonical));
        // x = 0 with the sign bit set ("negative zero").
        identity[31] = 0x80;
        let neg = with(&key, "x", json!(b64(&identity)));
        assert_eq!(check_public(&neg), Err(Flaw::Ed25519NotCanonical));
        let short = with(&key, "x", json!(b64(&[1u8; 31])));
        assert_eq!(check_members(&short), Err(Flaw::Ed25519Length));
    }

    #[test]
    fn one_admission_path_for_every_role() {
        let key = crypto::generate(Alg::Es256, 0).unwrap();
        for role in [Role::Store, Role::Import] {
            let admitted = admit(&key, role, Depth::Full).unwrap();
            assert_eq!(admitted.key_type, KeyType::Ec(Curve::P256));
            assert_eq!((admitted.alg, admitted.named), (Alg::Es256, true));
        }
        let mut public = key.clone();
        public.wipe_secret();
        assert_eq!(
            admit(&public, Role::Store, Depth::Members),
            Err(Refusal::NotPrivate)
        );
        assert!(admit(&public, Role::Verify, Depth::Members).is_ok());
        // A store key whose private half a signer holds has none here.
        assert!(admit(&public, Role::Signer, Depth::Members).is_ok());
        // In order: "use" is judged before "alg", the curve after both.
        let odd = Jwk::from_map(
            json!({"kty": "EC", "crv": "secp256k1", "use": "enc", "alg": "HS256"})
                .as_object()
                .unwrap()
                .clone(),
        );
        assert_eq!(
            admit(&odd, Role::Verify, Depth::Members),
            Err(Refusal::Use(&Member::from(json!("enc"))))
        );
        let odd = with(&odd, "use", json!("sig"));
        assert_eq!(
            admit(&odd, Role::Verify, Depth::Members),
            Err(Refusal::UnknownAlg("HS256"))
        );
        let odd = with(&odd, "alg", json!("ES256"));
        assert!(matches!(
            admit(&odd, Role::Verify, Depth::Members),
            Err(Refusal::Curve(
                NotAKeyType::EcCurve(Some("secp256k1")),
                Some(Alg::Es256)
            ))
        ));
        // key_ops is asked of a verifier's key only.
        let ops = with(&key, "key_ops", json!(["sign"]));
        assert_eq!(
            admit(&ops, Role::Verify, Depth::Members),
            Err(Refusal::KeyOps)
        );
        assert!(admit(&ops, Role::Store, Depth::Full).is_ok());
    }

    #[test]
    fn rsa_moduli_with_small_factors_and_multi_prime_keys() {
        let groups = small_prime_groups();
        let primes: Vec<u32> = groups.iter().flat_map(|(_, p)| p.clone()).collect();
        assert_eq!(primes.first(), Some(&2));
        assert_eq!(primes.last(), Some(&751));
        assert_eq!(primes.len(), 133);
        let n = |v: u64| BigNum::from_dec_str(&v.to_string()).unwrap();
        assert_eq!(
            rsa_small_factor(&n(751 * 1_000_003)),
            Err(Flaw::RsaSmallFactor(751))
        );
        assert_eq!(rsa_small_factor(&n(757 * 1_000_003)), Ok(()));
        assert_eq!(rsa_small_factor(&n(6)), Err(Flaw::RsaSmallFactor(2)));
    }
}
