//! The store's side of `rotate --await-published`: which pending key waits
//! for its sources, and the transitions that confirm it or end its wait.
//! Pure: the fetching is in `await_published`.

use std::time::Duration;

use anyhow::{Result, anyhow};

use super::KeyStore;
use crate::clock::{self, Time};
use crate::jwk::{Jwk, Text};
use crate::keyset::document::{self, Keys};

/// What a key waits for, as commands report it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiting {
    pub index: usize,
    pub kid: String,
    pub sources: Vec<String>,
}

impl KeyStore {
    /// The pending key whose sources have not all listed it yet.
    pub fn unconfirmed(&self, now: Time) -> Option<Waiting> {
        let i = self.pending(now)?;
        let key = &self.keys[i];
        let wait = key.times.takeover.as_ref().filter(|w| w.unconfirmed())?;
        Some(Waiting {
            index: i,
            kid: key.kid().to_owned(),
            sources: wait.sources.clone(),
        })
    }

    /// Records that every source listed `kid` at `at`, announcing caches
    /// of up to `lifetime`. False when there is nothing to record: another
    /// host confirmed it first, or the key is gone or no longer waits.
    pub fn confirm_await(
        &mut self,
        kid: &str,
        sources: &[String],
        at: Time,
        lifetime: Duration,
    ) -> bool {
        let Some(i) = self.find(kid) else {
            return false;
        };
        match &mut self.keys[i].times.takeover {
            Some(wait) if wait.unconfirmed() && wait.sources == sources => {
                // Whole seconds, as the file keeps them, rounded so the
                // wait is never shorter than what was announced.
                let lifetime = Duration::from_secs(
                    lifetime
                        .as_secs()
                        .saturating_add(u64::from(lifetime.subsec_nanos() != 0)),
                );
                wait.confirm(clock::ceil_second(at), lifetime);
                true
            }
            _ => false,
        }
    }

    /// Ends the wait of the pending key that waits for its sources or for
    /// their caches (`rotate --skip-await`); returns its kid, or `None`
    /// when no key waits.
    pub fn skip_await(&mut self, now: Time) -> Option<String> {
        let i = self.pending(now)?;
        let times = &mut self.keys[i].times;
        let signs_from = times.signs_from;
        let wait = times.takeover.as_mut()?;
        let waits = wait.takes_over(signs_from).is_none_or(|t| t > signs_from);
        if !waits {
            return None;
        }
        wait.skip(clock::floor_second(now));
        Some(self.keys[i].kid().to_owned())
    }
}

/// Whether a published JWK Set lists `key` with its public members.
pub fn lists(set: &[u8], key: &Jwk) -> Result<bool> {
    let doc = document::parse_set(&Text::copy(set))
        .map_err(|e| anyhow!("not a JWK Set ({e})"))?
        .ok_or_else(|| anyhow!("not a JWK Set (not a JSON object)"))?;
    let Keys::Array(keys) = doc.keys else {
        return Err(anyhow!("not a JWK Set (no \"keys\" array)"));
    };
    Ok(keys.iter().flatten().any(|k| k.same_public(key)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alg::Alg;
    use crate::crypto;
    use crate::store::takeover::Await;
    use crate::store::{DEFAULT_MAX_TTL, State, StoredKey};

    fn t(s: &str) -> Time {
        clock::parse_time(s).unwrap()
    }

    fn store_with_waiting_key() -> KeyStore {
        let mut store = KeyStore::new(DEFAULT_MAX_TTL);
        let old = crypto::generate(Alg::EdDsa, 0).unwrap();
        let start = t("2026-01-01T00:00:00Z");
        store
            .add_key(
                StoredKey::new(old, Alg::EdDsa, "old".into(), start, start),
                start,
                None,
            )
            .unwrap();
        let new = crypto::generate(Alg::EdDsa, 0).unwrap();
        let mut key = StoredKey::new(new, Alg::EdDsa, "new".into(), start, start);
        key.times.takeover = Some(Box::new(Await::new(vec!["a.json".into()])));
        store
            .add_key(
                key,
                t("2026-02-01T00:00:00Z"),
                Some(Duration::from_secs(86_400)),
            )
            .unwrap();
        store
    }

    fn states(store: &KeyStore, now: &str) -> Vec<State> {
        store.view(t(now)).iter().map(|k| k.state).collect()
    }

    #[test]
    fn a_waiting_key_takes_over_only_after_confirmation_and_lifetime() {
        use State::*;
        let mut store = store_with_waiting_key();
        // Past signs_from, unconfirmed: the old key keeps signing.
        assert_eq!(states(&store, "2026-02-05T00:00:00Z"), [Active, Pending]);
        assert_eq!(store.active(t("2026-02-05T00:00:00Z")), Some(0));
        let waiting = store.unconfirmed(t("2026-02-05T00:00:00Z")).unwrap();
        assert_eq!(waiting.kid, "new");
        // Another key cannot join meanwhile.
        let extra = crypto::generate(Alg::EdDsa, 0).unwrap();
        let now = t("2026-02-05T00:00:00Z");
        let err = store
            .add_key(
                StoredKey::new(extra, Alg::EdDsa, "x".into(), now, now),
                now,
                None,
            )
            .unwrap_err();
        assert!(err.to_string().contains("--skip-await"), "{err}");

        let sources = waiting.sources.clone();
        assert!(!store.confirm_await("new", &["b".into()], now, Duration::ZERO));
        assert!(store.confirm_await("new", &sources, now, Duration::from_millis(1500)));
        // A second host confirming later records nothing.
        assert!(!store.confirm_await("new", &sources, now, Duration::ZERO));
        assert_eq!(store.unconfirmed(now), None);
        // Rounded up to whole seconds: takes over at 00:00:02.
        assert_eq!(states(&store, "2026-02-05T00:00:01Z"), [Active, Pending]);
        assert_eq!(states(&store, "2026-02-05T00:00:02Z"), [Retired, Active]);
        let view = store.view(t("2026-02-06T00:00:00Z"));
        assert_eq!(view[0].retired, Some(t("2026-02-05T00:00:02Z")));
        // The file keeps all of it.
        let back = KeyStore::parse(&store.to_json(now), now).unwrap();
        assert_eq!(back.keys[1].times, store.keys[1].times);
    }

    #[test]
    fn skip_ends_the_wait_but_not_the_publish_ahead() {
        use State::*;
        let mut store = store_with_waiting_key();
        let early = t("2026-02-01T12:00:00Z");
        assert_eq!(store.skip_await(early).as_deref(), Some("new"));
        assert_eq!(store.skip_await(early), None);
        assert_eq!(states(&store, "2026-02-01T23:59:59Z"), [Active, Pending]);
        assert_eq!(states(&store, "2026-02-02T00:00:00Z"), [Retired, Active]);

        let mut store = store_with_waiting_key();
        assert_eq!(
            store.skip_await(t("2026-03-01T00:00:00Z")).as_deref(),
            Some("new")
        );
        assert_eq!(states(&store, "2026-03-01T00:00:00Z"), [Retired, Active]);
        assert_eq!(store.skip_await(t("2026-03-02T00:00:00Z")), None);
    }

    #[test]
    fn revoking_the_active_key_ends_the_wait() {
        let mut store = store_with_waiting_key();
        let now = t("2026-02-10T00:00:00Z");
        let replacement = store
            .revoke("old", now, |_| unreachable!("the pending key replaces it"))
            .unwrap();
        assert_eq!(replacement.as_deref(), Some("new"));
        assert_eq!(store.active(now), Some(0));
    }

    #[test]
    fn a_set_lists_a_key_only_with_its_public_members() {
        let store = store_with_waiting_key();
        let key = &store.keys[1].jwk;
        let set = format!(
            r#"{{"keys":[{}]}}"#,
            serde_json::to_string(&key.public()).unwrap()
        );
        assert!(lists(set.as_bytes(), key).unwrap());
        let other = serde_json::to_string(&store.keys[0].jwk.public()).unwrap();
        let swapped = other.replace("\"old\"", "\"new\"");
        let set = format!(r#"{{"keys":[{swapped}]}}"#);
        assert!(!lists(set.as_bytes(), key).unwrap());
        assert!(lists(b"[]", key).is_err());
        assert!(lists(b"{}", key).is_err());
    }
}
