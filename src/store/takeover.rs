//! A pending key's wait for what verifiers see (`rotate --await-published`):
//! the sources recorded on the key, the confirmation that every one of them
//! listed it, and the rule for when the key then takes over. Kept in the
//! key's `jwkctl` member, so every command and host judges states alike.

use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::clock::{self, Time};
use crate::jwk::Member;

/// The members of a key's bookkeeping this module owns.
pub const SOURCES: &str = "await";
pub const CONFIRMED: &str = "confirmed";
pub const CACHE_LIFETIME: &str = "cache_lifetime";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Await {
    /// The published sources (files or URLs) that must list the key.
    pub sources: Vec<String>,
    /// When every source was seen listing it (or the wait was skipped).
    pub confirmed: Option<Time>,
    /// The longest freshness lifetime the sources announced then: caches
    /// that fetched the old set just before may keep it this long.
    pub cache_lifetime: Option<Duration>,
}

impl Await {
    pub fn new(sources: Vec<String>) -> Await {
        Await {
            sources,
            confirmed: None,
            cache_lifetime: None,
        }
    }

    /// When a key with this wait, signing from `signs_from`, takes over:
    /// once `signs_from` has passed and the caches have had the lifetime
    /// since the confirmation; `None` while no confirmation is recorded.
    pub fn takes_over(&self, signs_from: Time) -> Option<Time> {
        let confirmed = self.confirmed?;
        let lifetime = self.cache_lifetime.unwrap_or_default();
        // A lifetime past the end of time never ends; the cap on lifetimes
        // makes that unreachable from a real source.
        let cached = clock::add(confirmed, lifetime).ok()?;
        Some(cached.max(signs_from))
    }

    /// Whether the key still waits for its sources to list it.
    pub fn unconfirmed(&self) -> bool {
        self.confirmed.is_none()
    }

    /// Records the confirmation (at most once: a second host confirming at
    /// the same time keeps the first one's record).
    pub fn confirm(&mut self, at: Time, lifetime: Duration) {
        if self.confirmed.is_none() {
            self.confirmed = Some(at);
            self.cache_lifetime = Some(lifetime);
        }
    }

    /// Ends the wait at `at`, whatever was recorded: the key signs from
    /// its `signs_from` or `at`, whichever is later.
    pub fn skip(&mut self, at: Time) {
        self.confirmed = Some(at);
        self.cache_lifetime = Some(Duration::ZERO);
    }

    /// Reads the members from a key's bookkeeping; `None` without sources.
    pub fn parse(
        sources: Option<Member>,
        confirmed: Option<Value>,
        lifetime: Option<Value>,
    ) -> Result<Option<Await>> {
        let not_a_string =
            || anyhow!("\"jwkctl\".\"{SOURCES}\" holds a source that is not a string");
        let sources = match sources {
            None => return Ok(None),
            Some(member) if member.is_null() => return Ok(None),
            Some(member) if member.as_value().is_some_and(Value::is_array) => member
                .as_value()
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|item| match item {
                    Value::String(s) => Ok(s.clone()),
                    _ => Err(not_a_string()),
                })
                .collect::<Result<Vec<String>>>()?,
            // As read from a store: straight into strings, no tree.
            Some(member)
                if member
                    .as_raw()
                    .is_some_and(|raw| raw.get().starts_with('[')) =>
            {
                let raw = member.as_raw().map_or("", RawValue::get);
                serde_json::from_str::<Vec<String>>(raw).map_err(|_| not_a_string())?
            }
            Some(_) => bail!("\"jwkctl\".\"{SOURCES}\" is not an array of sources"),
        };
        let confirmed = match confirmed {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(
                clock::parse_rfc3339(&s).with_context(|| format!("\"jwkctl\".\"{CONFIRMED}\""))?,
            ),
            Some(_) => bail!("\"jwkctl\".\"{CONFIRMED}\" is not a string"),
        };
        let cache_lifetime = match lifetime {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(
                clock::parse_duration(&s)
                    .with_context(|| format!("\"jwkctl\".\"{CACHE_LIFETIME}\""))?,
            ),
            Some(_) => bail!("\"jwkctl\".\"{CACHE_LIFETIME}\" is not a duration like \"5m\""),
        };
        Ok(Some(Await {
            sources,
            confirmed,
            cache_lifetime,
        }))
    }

    /// Writes the members into a key's bookkeeping.
    pub fn write(&self, meta: &mut Map<String, Value>) {
        meta.insert(SOURCES.into(), self.sources.clone().into());
        if let Some(at) = self.confirmed {
            meta.insert(CONFIRMED.into(), clock::format(at).into());
        }
        if let Some(lifetime) = self.cache_lifetime {
            meta.insert(CACHE_LIFETIME.into(), clock::show_duration(lifetime).into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(s: &str) -> Time {
        clock::parse_time(s).unwrap()
    }

    #[test]
    fn takes_over_after_signs_from_and_the_lifetime() {
        let from = t("2026-03-01T00:00:00Z");
        let mut wait = Await::new(vec!["https://a.example/jwks.json".into()]);
        assert_eq!(wait.takes_over(from), None);
        wait.confirm(t("2026-02-28T23:00:00Z"), Duration::from_secs(600));
        assert_eq!(wait.takes_over(from), Some(from));
        // A second confirmation keeps the first.
        wait.confirm(t("2026-03-05T00:00:00Z"), Duration::ZERO);
        assert_eq!(wait.confirmed, Some(t("2026-02-28T23:00:00Z")));

        let mut late = Await::new(vec!["a".into()]);
        late.confirm(t("2026-03-02T00:00:00Z"), Duration::from_secs(3600));
        assert_eq!(late.takes_over(from), Some(t("2026-03-02T01:00:00Z")));
    }

    #[test]
    fn round_trip_through_the_bookkeeping() {
        let mut wait = Await::new(vec!["a.json".into(), "https://b.example/j".into()]);
        let mut meta = Map::new();
        wait.write(&mut meta);
        assert_eq!(
            json!(meta),
            json!({"await": ["a.json", "https://b.example/j"]})
        );
        let back = Await::parse(meta.remove("await").map(Member::from), None, None).unwrap();
        assert_eq!(back.as_ref(), Some(&wait));

        wait.confirm(t("2026-03-01T00:00:00Z"), Duration::from_secs(300));
        let mut meta = Map::new();
        wait.write(&mut meta);
        assert_eq!(meta["confirmed"], "2026-03-01T00:00:00Z");
        assert_eq!(meta["cache_lifetime"], "5m");
        let back = Await::parse(
            meta.remove("await").map(Member::from),
            meta.remove("confirmed"),
            meta.remove("cache_lifetime"),
        )
        .unwrap();
        assert_eq!(back, Some(wait));
        assert_eq!(Await::parse(None, None, None).unwrap(), None);
        for (s, c, l) in [
            (json!("a"), json!(null), json!(null)),
            (json!([1]), json!(null), json!(null)),
            (json!([]), json!(5), json!(null)),
            (json!([]), json!(null), json!(300)),
        ] {
            assert!(Await::parse(Some(Member::from(s)), Some(c), Some(l)).is_err());
        }
    }
}
