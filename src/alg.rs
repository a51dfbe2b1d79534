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

/// The key type (and curve) an algorithm needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Rsa,
    Ec(&'static str),
    Ed25519,
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

    pub fn kind(self) -> KeyKind {
        match self {
            Alg::Rs256 | Alg::Rs384 | Alg::Rs512 | Alg::Ps256 | Alg::Ps384 | Alg::Ps512 => {
                KeyKind::Rsa
            }
            Alg::Es256 => KeyKind::Ec("P-256"),
            Alg::Es384 => KeyKind::Ec("P-384"),
            Alg::Es512 => KeyKind::Ec("P-521"),
            Alg::EdDsa => KeyKind::Ed25519,
        }
    }

    pub fn is_rsa(self) -> bool {
        self.kind() == KeyKind::Rsa
    }

    /// The algorithm a key of this type and curve signs with when its JWK
    /// names none (node-jose stores may omit `alg`).
    pub fn default_for(kty: &str, crv: Option<&str>) -> Option<Alg> {
        match (kty, crv) {
            ("RSA", _) => Some(Alg::Rs256),
            ("EC", Some("P-256")) => Some(Alg::Es256),
            ("EC", Some("P-384")) => Some(Alg::Es384),
            ("EC", Some("P-521")) => Some(Alg::Es512),
            ("OKP", Some("Ed25519")) => Some(Alg::EdDsa),
            _ => None,
        }
    }

    /// Whether a key with this `kty` and `crv` can sign or verify for `self`.
    pub fn fits(self, kty: &str, crv: Option<&str>) -> bool {
        match self.kind() {
            KeyKind::Rsa => kty == "RSA",
            KeyKind::Ec(curve) => kty == "EC" && crv == Some(curve),
            KeyKind::Ed25519 => kty == "OKP" && crv == Some("Ed25519"),
        }
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
    fn key_fit() {
        assert!(Alg::Ps256.fits("RSA", None));
        assert!(!Alg::Es256.fits("EC", Some("P-384")));
        assert!(Alg::EdDsa.fits("OKP", Some("Ed25519")));
        assert!(!Alg::EdDsa.fits("OKP", Some("Ed448")));
        assert_eq!(Alg::default_for("EC", Some("P-521")), Some(Alg::Es512));
    }
}
