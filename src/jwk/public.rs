//! A key's public half as verifiers get it: only `kty kid use alg n e crv
//! x y`, serialized in place.

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::{Jwk, Member};

/// Whether a published key carries the member `name`: the only ones it
/// does are `kty kid use alg n e crv x y`. A `match` the compiler turns
/// into a few loads: asked for every member of every key published.
fn is_published(name: &str) -> bool {
    matches!(
        name,
        "kty" | "kid" | "use" | "alg" | "n" | "e" | "crv" | "x" | "y"
    )
}

impl Jwk {
    /// The public key as `jwks` publishes it: only `kty kid use alg n e crv x y`.
    pub fn to_public(&self) -> Map<String, Value> {
        self.published()
            .map(|(n, v)| (n.to_owned(), v.to_value()))
            .collect()
    }

    /// Whether both keys publish the same members (those of
    /// [`Jwk::to_public`]), compared in place: `check` matches a published
    /// set of 1,000 keys against the store without copying either.
    pub fn same_public(&self, other: &Jwk) -> bool {
        // The published members of one, each found in the other, and as
        // many in both (a key names a member once).
        let mut count = 0;
        for (name, value) in self.published() {
            if other.public.get(name) != Some(value) {
                return false;
            }
            count += 1;
        }
        count == other.published().count()
    }

    /// The members a published key carries, in file order.
    fn published(&self) -> impl Iterator<Item = (&str, &Member)> {
        self.public.iter().filter(|(name, _)| is_published(name))
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
        s.collect_map(self.0.published())
    }
}
