//! A key's public half as verifiers get it: only `kty kid use alg n e crv
//! x y`, serialized in place.

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::Jwk;

/// The only members a published key carries.
pub const PUBLIC_MEMBERS: [&str; 9] = ["kty", "kid", "use", "alg", "n", "e", "crv", "x", "y"];

impl Jwk {
    /// The public key as `jwks` publishes it: only `kty kid use alg n e crv x y`.
    pub fn to_public(&self) -> Map<String, Value> {
        self.public
            .iter()
            .filter(|(name, _)| PUBLIC_MEMBERS.contains(name))
            .map(|(n, v)| (n.to_owned(), v.to_value()))
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
