//! How long caches may keep a published JWK Set, from the headers of the
//! answer that carried it: what `rotate --await-published` waits out after
//! it sees a new key, and what `check` compares with the publish-ahead.

use std::time::{Duration, SystemTime};

use headers::{CacheControl, Date, Expires, HeaderMapExt};
use ureq::http::HeaderMap;

/// Longer than this is taken as this: a key waits at most a week for
/// caches, whatever a server announces (`max-age=31536000` is common for
/// static files).
pub const MAX_LIFETIME: Duration = Duration::from_secs(7 * 86_400);

/// The freshness lifetime an answer announces: the longer of
/// `Cache-Control` `s-maxage` and `max-age` (shared caches follow the one,
/// verifiers' own caches the other), else `Expires` minus `Date` (minus
/// `fetched` when there is no `Date`), else 0. `Age` is ignored: a cache
/// that already held the set for a while may still be followed by one that
/// fetched it just now. At most [`MAX_LIFETIME`].
pub fn lifetime(headers: &HeaderMap, fetched: SystemTime) -> Duration {
    let directives = headers.typed_get::<CacheControl>();
    let announced = directives
        .as_ref()
        .and_then(|cc| match (cc.s_max_age(), cc.max_age()) {
            (Some(s), Some(m)) => Some(s.max(m)),
            (s, m) => s.or(m),
        })
        .or_else(|| {
            let expires = SystemTime::from(headers.typed_get::<Expires>()?);
            let date = headers
                .typed_get::<Date>()
                .map_or(fetched, SystemTime::from);
            Some(expires.duration_since(date).unwrap_or_default())
        });
    announced.unwrap_or_default().min(MAX_LIFETIME)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(headers: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    fn at(http_date: &str) -> SystemTime {
        SystemTime::from(map(&[("date", http_date)]).typed_get::<Date>().unwrap())
    }

    const NOW: &str = "Mon, 07 Dec 2026 13:00:00 GMT";

    #[test]
    fn the_longer_of_s_maxage_and_max_age() {
        let secs = Duration::from_secs;
        let fetched = at(NOW);
        let l = |cc: &str| lifetime(&map(&[("cache-control", cc)]), fetched);
        assert_eq!(l("public, max-age=300"), secs(300));
        assert_eq!(l("public, max-age=60, s-maxage=600"), secs(600));
        assert_eq!(l("s-maxage=60, max-age=600"), secs(600));
        assert_eq!(l("s-maxage=90"), secs(90));
        // No lifetime in Cache-Control: Expires decides.
        let h = map(&[
            ("cache-control", "public"),
            ("date", NOW),
            ("expires", "Mon, 07 Dec 2026 13:10:00 GMT"),
        ]);
        assert_eq!(lifetime(&h, fetched), secs(600));
        // max-age wins over Expires (RFC 9111 §5.3).
        let h = map(&[
            ("cache-control", "max-age=5"),
            ("date", NOW),
            ("expires", "Mon, 07 Dec 2026 13:10:00 GMT"),
        ]);
        assert_eq!(lifetime(&h, fetched), secs(5));
    }

    #[test]
    fn expires_minus_date_or_minus_the_fetch() {
        let secs = Duration::from_secs;
        let h = map(&[
            ("date", "Mon, 07 Dec 2026 12:00:00 GMT"),
            ("expires", "Mon, 07 Dec 2026 12:30:00 GMT"),
        ]);
        // The server's own clock: the fetch time does not matter.
        assert_eq!(lifetime(&h, at(NOW)), secs(1800));
        let h = map(&[("expires", "Mon, 07 Dec 2026 13:02:00 GMT")]);
        assert_eq!(lifetime(&h, at(NOW)), secs(120));
        // Already expired, or an invalid date ("0"): nothing to wait for.
        let h = map(&[("date", NOW), ("expires", "Mon, 07 Dec 2026 12:00:00 GMT")]);
        assert_eq!(lifetime(&h, at(NOW)), Duration::ZERO);
        let h = map(&[("expires", "0")]);
        assert_eq!(lifetime(&h, at(NOW)), Duration::ZERO);
    }

    #[test]
    fn no_header_is_zero_and_age_is_ignored() {
        assert_eq!(lifetime(&HeaderMap::new(), at(NOW)), Duration::ZERO);
        let h = map(&[("cache-control", "max-age=300"), ("age", "290")]);
        assert_eq!(lifetime(&h, at(NOW)), Duration::from_secs(300));
        let h = map(&[("cache-control", "no-store")]);
        assert_eq!(lifetime(&h, at(NOW)), Duration::ZERO);
    }

    #[test]
    fn a_year_is_capped_at_seven_days() {
        let h = map(&[("cache-control", "public, max-age=31536000, immutable")]);
        assert_eq!(lifetime(&h, at(NOW)), MAX_LIFETIME);
        let h = map(&[("date", NOW), ("expires", "Tue, 07 Dec 2027 13:00:00 GMT")]);
        assert_eq!(lifetime(&h, at(NOW)), MAX_LIFETIME);
    }
}
