//! The ten signing algorithms jwkctl knows, and which keys fit each.
//!
//! `none` and HMAC are deliberately absent: a value that is not one of these
//! variants cannot be signed with and is never accepted by `verify`.

use clap::ValueEnum;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ValueEnum)]
pub enum Alg {
    #[value(name = "RS256")]
    Rs256,
    #[value(name = "RS384")]
    Rs384,
    #[value(name = "RS512")]
    Rs512,
    #[value(name = "PS256")]
    Ps256,
    #[value(name = "PS384")]
    Ps384,
    #[value(name = "PS512")]
    Ps512,
    #[value(name = "ES256")]
    Es256,
    #[value(name = "ES384")]
    Es384,
    #[value(name = "ES512")]
    Es512,
    #[value(name = "EdDSA")]
    EdDsa,
}

/// An elliptic curve of ECDSA (RFC 7518 §6.2.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Curve {
    P256,
    P384,
    P521,
}

impl Curve {
    pub const ALL: [Curve; 3] = [Curve::P256, Curve::P384, Curve::P521];

    /// The JOSE name, as `crv` writes it.
    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
        }
    }

    /// Position in [`Curve::ALL`], for per-curve caches.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The type of a key jwkctl can use: what `kty` and `crv` say, read once
/// by [`KeyType::parse`] and written back by [`KeyType::kty`] and
/// [`KeyType::crv`]. Nothing else reads those strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyType {
    Rsa,
    Ec(Curve),
    Ed25519,
}

/// Why `kty` and `crv` name no [`KeyType`]; holds the text as written,
/// for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotAKeyType<'a> {
    NoKty,
    /// A `kty` jwkctl has no use for (`oct`, say).
    Kty(&'a str),
    /// `oct`: a symmetric (HMAC) key.
    Symmetric,
    /// An EC key on another curve (`secp256k1`), or without `crv`.
    EcCurve(Option<&'a str>),
    /// An OKP key on another curve than Ed25519 (`Ed448`, `X25519`).
    OkpCurve(Option<&'a str>),
}

impl KeyType {
    pub fn parse<'a>(
        kty: Option<&'a str>,
        crv: Option<&'a str>,
    ) -> Result<KeyType, NotAKeyType<'a>> {
        match kty {
            None => Err(NotAKeyType::NoKty),
            Some("RSA") => Ok(KeyType::Rsa),
            Some("EC") => Curve::ALL
                .into_iter()
                .find(|c| Some(c.name()) == crv)
                .map(KeyType::Ec)
                .ok_or(NotAKeyType::EcCurve(crv)),
            Some("OKP") if crv == Some("Ed25519") => Ok(KeyType::Ed25519),
            Some("OKP") => Err(NotAKeyType::OkpCurve(crv)),
            Some("oct") => Err(NotAKeyType::Symmetric),
            Some(other) => Err(NotAKeyType::Kty(other)),
        }
    }

    /// `kty` as a JWK writes it.
    pub fn kty(self) -> &'static str {
        match self {
            KeyType::Rsa => "RSA",
            KeyType::Ec(_) => "EC",
            KeyType::Ed25519 => "OKP",
        }
    }

    /// `crv` as a JWK writes it; RSA keys have none.
    pub fn crv(self) -> Option<&'static str> {
        match self {
            KeyType::Rsa => None,
            KeyType::Ec(curve) => Some(curve.name()),
            KeyType::Ed25519 => Some("Ed25519"),
        }
    }

    /// The algorithms a key of this type can sign and verify with.
    pub fn algs(self) -> &'static [Alg] {
        match self {
            KeyType::Rsa => &Alg::ALL[..6],
            KeyType::Ec(Curve::P256) => &[Alg::Es256],
            KeyType::Ec(Curve::P384) => &[Alg::Es384],
            KeyType::Ec(Curve::P521) => &[Alg::Es512],
            KeyType::Ed25519 => &[Alg::EdDsa],
        }
    }

    /// The algorithm a key of this type signs with when its JWK names none
    /// (node-jose stores may omit `alg`): the first of [`KeyType::algs`].
    pub fn default_alg(self) -> Alg {
        self.algs()[0]
    }

    /// The key members of this type, as a private JWK holds them.
    pub fn material_members(self) -> &'static [&'static str] {
        match self {
            KeyType::Rsa => &["n", "e", "d", "p", "q", "dp", "dq", "qi"],
            KeyType::Ec(_) => &["crv", "x", "y", "d"],
            KeyType::Ed25519 => &["crv", "x", "d"],
        }
    }

    /// The public members RFC 7638 hashes for a thumbprint, sorted.
    pub fn thumbprint_members(self) -> &'static [&'static str] {
        match self {
            KeyType::Rsa => &["e", "kty", "n"],
            KeyType::Ec(_) => &["crv", "kty", "x", "y"],
            KeyType::Ed25519 => &["crv", "kty", "x"],
        }
    }

    /// The public members that carry the key itself.
    pub fn public_members(self) -> &'static [&'static str] {
        match self {
            KeyType::Rsa => &["n", "e"],
            KeyType::Ec(_) => &["x", "y"],
            KeyType::Ed25519 => &["x"],
        }
    }
}

/// The smallest RSA modulus jwkctl creates, signs with or accepts.
pub const MIN_RSA_BITS: usize = 2048;
/// RSA sizes `--bits` offers.
pub const RSA_BITS: [u32; 3] = [2048, 3072, 4096];

impl Alg {
    pub const ALL: [Alg; 10] = [
        Alg::Rs256,
        Alg::Rs384,
        Alg::Rs512,
        Alg::Ps256,
        Alg::Ps384,
        Alg::Ps512,
        Alg::Es256,
        Alg::Es384,
        Alg::Es512,
        Alg::EdDsa,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Alg::Rs256 => "RS256",
            Alg::Rs384 => "RS384",
            Alg::Rs512 => "RS512",
            Alg::Ps256 => "PS256",
            Alg::Ps384 => "PS384",
            Alg::Ps512 => "PS512",
            Alg::Es256 => "ES256",
            Alg::Es384 => "ES384",
            Alg::Es512 => "ES512",
            Alg::EdDsa => "EdDSA",
        }
    }

    /// Exact, case-sensitive lookup, as JOSE names are case-sensitive.
    pub fn from_name(name: &str) -> Option<Alg> {
        Alg::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Position in [`Alg::ALL`], for per-algorithm caches.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The type of key this algorithm needs.
    pub fn key_type(self) -> KeyType {
        match self {
            Alg::Rs256 | Alg::Rs384 | Alg::Rs512 | Alg::Ps256 | Alg::Ps384 | Alg::Ps512 => {
                KeyType::Rsa
            }
            Alg::Es256 => KeyType::Ec(Curve::P256),
            Alg::Es384 => KeyType::Ec(Curve::P384),
            Alg::Es512 => KeyType::Ec(Curve::P521),
            Alg::EdDsa => KeyType::Ed25519,
        }
    }

    pub fn is_rsa(self) -> bool {
        self.key_type() == KeyType::Rsa
    }

    /// Whether a key of type `key_type` can sign or verify for `self`.
    pub fn fits(self, key_type: KeyType) -> bool {
        key_type.algs().contains(&self)
    }
}

impl std::fmt::Display for Alg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_case_sensitive() {
        for alg in Alg::ALL {
            assert_eq!(Alg::from_name(alg.name()), Some(alg));
            assert_eq!(Alg::ALL[alg.index()], alg);
        }
        assert_eq!(Alg::from_name("rs256"), None);
        assert_eq!(Alg::from_name("none"), None);
        assert_eq!(Alg::from_name("HS256"), None);
    }

    #[test]
    fn key_types_parse_write_back_and_fit() {
        for alg in Alg::ALL {
            let t = alg.key_type();
            assert_eq!(KeyType::parse(Some(t.kty()), t.crv()), Ok(t));
            assert!(alg.fits(t) && t.algs().contains(&t.default_alg()));
        }
        let rsa = KeyType::parse(Some("RSA"), None).unwrap();
        assert!(Alg::Ps256.fits(rsa));
        assert!(!Alg::Es256.fits(KeyType::Ec(Curve::P384)));
        assert_eq!(KeyType::Ec(Curve::P521).default_alg(), Alg::Es512);
        assert_eq!(
            KeyType::parse(Some("OKP"), Some("Ed448")),
            Err(NotAKeyType::OkpCurve(Some("Ed448")))
        );
        assert_eq!(
            KeyType::parse(Some("EC"), None),
            Err(NotAKeyType::EcCurve(None))
        );
        assert_eq!(
            KeyType::parse(Some("oct"), None),
            Err(NotAKeyType::Symmetric)
        );
        assert_eq!(KeyType::parse(None, None), Err(NotAKeyType::NoKty));
    }
}
