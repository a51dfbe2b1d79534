//! The key store model: keys with their times, the states derived from them,
//! and the pure transitions commands apply. No I/O here (see `storefile`).

pub mod awaiting;
mod reading;
pub mod takeover;

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Map, Value};

use crate::alg::Alg;
use crate::clock::{self, Time};
use crate::crypto::keycheck;
use crate::input;
use crate::jwk::{BOOKKEEPING, Bookkeeping, Jwk, Member, Name, SecretBytes, Text};
use crate::keyset::document::{Keys, SetDocument};
use crate::signer::{SignerKey, SignerRef};
use takeover::Await;

/// `sign --ttl` is capped by this unless the store says otherwise.
pub const DEFAULT_MAX_TTL: Duration = Duration::from_secs(24 * 3600);
/// Clocks of issuers and verifiers disagree by up to this much.
pub const CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);
/// The member holding jwkctl's bookkeeping, on each key and at the top.
const META: &str = BOOKKEEPING;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Published ahead: its `signs_from` is in the future.
    Pending,
    /// The newest key whose `signs_from` has passed: it signs.
    Active,
    /// Superseded: still published so old tokens verify, until pruned.
    Retired,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Active => "active",
            State::Retired => "retired",
        }
    }
}

/// One key as commands see it at a given time ([`KeyStore::view`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyView {
    pub state: State,
    /// When it stopped (or stops) signing, once that is known.
    pub retired: Option<Time>,
    /// When `prune` with the default grace may remove it.
    pub prunable: Option<Time>,
}

impl KeyView {
    /// Whether tokens this key signed may still be unexpired at `now`: the
    /// active key's, and a retired key's until `prune` may remove it. A
    /// pending key has signed nothing yet.
    pub fn live(&self, now: Time) -> bool {
        match self.state {
            State::Active => true,
            State::Pending => false,
            State::Retired => self.prunable.is_none_or(|t| now <= t),
        }
    }
}

/// Why [`KeyStore::select`] found no key; each command names its own remedy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unselected {
    NoActiveKey,
    UnknownKid,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Times {
    pub created: Time,
    pub signs_from: Time,
    /// Set when the key stops signing: at rotation, to the successor's
    /// `signs_from`. A key is retired once this has passed.
    pub retired: Option<Time>,
    /// The longest token lifetime this key may have issued, recorded when
    /// `rotate --max-ttl` lowered the store's: its tokens outlive the new
    /// limit, so `prune` must wait for them.
    pub max_ttl: Option<Duration>,
    /// The sources that must list the key before it signs, and their
    /// confirmation (`rotate --await-published`). Boxed: most keys have
    /// none, and a store holds thousands.
    pub takeover: Option<Box<Await>>,
    /// Members of the key's bookkeeping this version does not know (a newer
    /// jwkctl's), written back as they were.
    pub extra: Vec<(Name, Member)>,
}

impl Times {
    /// When the key signs (or signed): its `signs_from`, unless it waits
    /// for its sources to list it; `None` while it waits with no end known.
    pub fn takes_over(&self) -> Option<Time> {
        match &self.takeover {
            None => Some(self.signs_from),
            Some(wait) => wait.takes_over(self.signs_from),
        }
    }

    /// Whether the key has taken over (or been superseded) by `now`.
    pub fn started(&self, now: Time) -> bool {
        self.takes_over().is_some_and(|t| t <= now)
    }
}

#[derive(Clone, Debug)]
pub struct StoredKey {
    pub jwk: Jwk,
    pub alg: Alg,
    pub times: Times,
    /// Where the private half is when the store does not hold it (then the
    /// JWK has public members only). Boxed: most keys have none.
    pub signer: Option<Box<SignerRef>>,
}

impl StoredKey {
    /// A copy of a new key's entry created (and signing) from `now`: a key
    /// made before the store was held is dated when it joins.
    pub fn stamped(&self, now: Time) -> StoredKey {
        let mut key = self.clone();
        key.times.created = now;
        key.times.signs_from = now;
        key
    }

    /// A new key's entry; the caller has checked the key fits `alg`.
    pub fn new(mut jwk: Jwk, alg: Alg, kid: String, created: Time, signs_from: Time) -> StoredKey {
        jwk.set("kid", kid.into());
        jwk.set("alg", alg.name().into());
        StoredKey {
            jwk,
            alg,
            times: Times {
                created,
                signs_from,
                retired: None,
                max_ttl: None,
                takeover: None,
                extra: Vec::new(),
            },
            signer: None,
        }
    }

    /// A new key whose private half is `signer`'s (`jwk` is public).
    pub fn with_signer(mut self, signer: SignerRef) -> StoredKey {
        self.signer = Some(Box::new(signer));
        self
    }

    pub fn kid(&self) -> &str {
        self.jwk.kid().unwrap_or_default()
    }
}

#[derive(Clone, Debug)]
pub struct KeyStore {
    /// In file order; [`KeyStore::to_json`] writes them in canonical order.
    pub keys: Vec<StoredKey>,
    pub max_ttl: Duration,
    /// Top-level members jwkctl does not know, kept as they were.
    extra: Vec<(Name, Member)>,
    /// The same inside the top-level bookkeeping (a newer jwkctl's).
    meta_extra: Vec<(Name, Member)>,
    /// Some key had no bookkeeping (a node-jose store): the next write
    /// records the times it was given on reading.
    pub adopting: bool,
    /// Signer versions of removed keys that could not be destroyed yet
    /// (`"destroy"` in the top-level bookkeeping): a later `prune` does.
    pub destroy: Vec<SignerRef>,
}

impl KeyStore {
    pub fn new(max_ttl: Duration) -> KeyStore {
        KeyStore {
            keys: Vec::new(),
            max_ttl,
            extra: Vec::new(),
            meta_extra: Vec::new(),
            adopting: false,
            destroy: Vec::new(),
        }
    }

    /// Reads a store. Keys without bookkeeping (a node-jose `toJSON(true)`
    /// file) are adopted as of `now`: the first as active, the rest retired.
    pub fn parse(bytes: &[u8], now: Time) -> Result<KeyStore> {
        KeyStore::read(&Text::copy(bytes), now)
    }

    /// [`KeyStore::parse`] of a store's text, which its keys' members
    /// share rather than copy.
    pub fn read(text: &Arc<Text>, now: Time) -> Result<KeyStore> {
        let (document, read) = reading::read(text, now);
        let Some(SetDocument { keys, rest, meta }) = document? else {
            bail!("not a JSON object");
        };
        let Keys::Array(_) = keys else {
            bail!("no \"keys\" array (a key store is a JWK Set: {{\"keys\":[...]}})");
        };
        let mut meta = match meta {
            None => Vec::new(),
            Some(Bookkeeping::Members(meta)) => meta,
            Some(Bookkeeping::Other) => bail!("the top-level \"jwkctl\" is not an object"),
        };
        let max_ttl = match meta.iter().position(|(name, _)| name == "max_ttl") {
            None => DEFAULT_MAX_TTL,
            Some(i) => match meta.remove(i).1.as_str() {
                Some(text) => clock::parse_duration(text).context("\"jwkctl\".\"max_ttl\"")?,
                None => bail!("\"jwkctl\".\"max_ttl\" is not a duration like \"24h\""),
            },
        };
        let destroy = match meta.iter().position(|(name, _)| name == "destroy") {
            None => Vec::new(),
            Some(i) => match meta.remove(i).1.to_value() {
                Value::Array(refs) => refs
                    .iter()
                    .map(|r| {
                        r.as_str()
                            .ok_or_else(|| "not a string".to_owned())
                            .and_then(SignerRef::parse)
                    })
                    .collect::<Result<_, String>>()
                    .map_err(|why| anyhow!("\"jwkctl\".\"destroy\": {why}"))?,
                _ => bail!("\"jwkctl\".\"destroy\" is not an array"),
            },
        };
        // After the top-level bookkeeping, as when keys were read last; a
        // kid the keys before a fault repeat came first.
        if let Some(kid) = reading::repeated_kid(&read.keys) {
            bail!("two keys have kid {kid:?} (remove or rename one)");
        }
        if let Some(fault) = read.fault {
            return Err(fault);
        }
        Ok(KeyStore {
            keys: read.keys,
            max_ttl,
            extra: rest.into_vec(),
            meta_extra: meta,
            adopting: read.adopting,
            destroy,
        })
    }

    /// Key `i` after the full check ([`keycheck::check_private`]: point,
    /// and the pairing of its halves; for a key whose private half is a
    /// signer's, the point), as a key that signs gets it. The error reads
    /// like a refused store's, `key 2 (kid "..."): ...`.
    pub fn checked_key(&self, i: usize) -> Result<&StoredKey> {
        let key = self
            .keys
            .get(i)
            .ok_or_else(|| anyhow!("no key {}", i + 1))?;
        let checked = match key.signer {
            Some(_) => keycheck::check_public(&key.jwk),
            None => keycheck::check_private(&key.jwk),
        };
        if let Err(flaw) = checked {
            bail!("key {} (kid {:?}): {flaw}", i + 1, key.kid());
        }
        Ok(key)
    }

    /// The store file: keys in canonical order (active, pending, retired),
    /// so that node-jose, which signs with the first key, signs with the
    /// active one. Retirement times are written down as they are derived.
    /// Members jwkctl does not read are written as they were read, byte for
    /// byte. The text holds private keys: it is wiped when dropped.
    pub fn to_json(&self, now: Time) -> SecretBytes {
        let view = self.view(now);
        let keys = self
            .ordered_in(&view)
            .into_iter()
            .map(|i| KeyText {
                key: &self.keys[i],
                retired: view[i].retired,
            })
            .collect();
        SecretBytes::pretty(&StoreText { store: self, keys })
    }

    /// [`KeyStore::to_json`] for a write, refused when the text would be
    /// over the cap every command reads a store with: written, it would
    /// lock every later command out.
    pub fn to_text(&self, now: Time) -> Result<SecretBytes, TooLarge> {
        let text = self.to_json(now);
        fits(&text)?;
        Ok(text)
    }

    pub fn find(&self, kid: &str) -> Option<usize> {
        self.keys.iter().position(|k| k.kid() == kid)
    }

    /// The key that signs at `now`: the newest whose `signs_from` has passed
    /// and that has not been retired. Ties go to the earlier key in the file.
    pub fn active(&self, now: Time) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (i, key) in self.keys.iter().enumerate() {
            let t = &key.times;
            let Some(start) = t.takes_over().filter(|&s| s <= now) else {
                continue;
            };
            if t.retired.is_some_and(|r| r <= now) {
                continue;
            }
            let newer = best.is_none_or(|b| {
                let bt = &self.keys[b].times;
                (start, t.created) > (bt.takes_over().unwrap_or(bt.signs_from), bt.created)
            });
            if newer {
                best = Some(i);
            }
        }
        best
    }

    /// Every key's state, retirement and prunable time at `now`, with the
    /// active key found once and retirements in O(n log n): `list`,
    /// `to_json` and `prune` need them all, and per key on a 1,000-key
    /// store that cost hundreds of millions of instructions.
    pub fn view(&self, now: Time) -> Vec<KeyView> {
        let active = self.active(now);
        // With each time as an integer, to compare (see `ordered_by`).
        let mut starts: Vec<(i128, Time)> = self
            .keys
            .iter()
            .filter_map(|k| k.times.takes_over())
            .filter(|&s| s <= now)
            .map(|s| (s.unix_timestamp_nanos(), s))
            .collect();
        starts.sort_unstable_by_key(|&(at, _)| at);
        let grace = self.min_grace();
        self.keys
            .iter()
            .enumerate()
            .map(|(i, key)| {
                let state = self.state_given(i, now, active);
                // Recorded, or for a key superseded without a record, when
                // its successor (the earliest later start that has passed)
                // took over.
                let retired = key.times.retired.or_else(|| {
                    (state == State::Retired).then(|| {
                        let own = key.times.takes_over().unwrap_or(key.times.signs_from);
                        let own = own.unix_timestamp_nanos();
                        let after = starts.partition_point(|&(s, _)| s <= own);
                        starts.get(after).map_or(now, |&(_, s)| s)
                    })
                });
                KeyView {
                    state,
                    retired,
                    prunable: self.prunable_after(i, state, retired, grace),
                }
            })
            .collect()
    }

    /// The key `sign` and `export` use: `kid`'s, or the active key.
    pub fn select(&self, kid: Option<&str>, now: Time) -> Result<(usize, State), Unselected> {
        let active = self.active(now);
        let i = match kid {
            None => active.ok_or(Unselected::NoActiveKey)?,
            Some(kid) => self.find(kid).ok_or(Unselected::UnknownKid)?,
        };
        Ok((i, self.state_given(i, now, active)))
    }

    fn state_given(&self, i: usize, now: Time, active: Option<usize>) -> State {
        if !self.keys[i].times.started(now) {
            State::Pending
        } else if active == Some(i) {
            State::Active
        } else {
            State::Retired
        }
    }

    /// Key indices in the order `jwks` publishes them: active, then pending,
    /// then retired, newest first within each.
    pub fn ordered(&self, now: Time) -> Vec<usize> {
        // States only: the order needs no retirement or prunable times.
        let active = self.active(now);
        let states: Vec<State> = (0..self.keys.len())
            .map(|i| self.state_given(i, now, active))
            .collect();
        self.ordered_by(|i| states[i])
    }

    /// The public JWK Set at `now`, as one line of JSON: what `jwks`
    /// prints and `serve` serves.
    pub fn public_set(&self, now: Time) -> Result<String> {
        Ok(serde_json::to_string(&self.public_keys(now))?)
    }

    /// The public JWK Set at `now`, to serialize where it goes.
    pub fn public_keys(&self, now: Time) -> PublicSet<'_> {
        self.public_keys_in(&self.ordered(now))
    }

    /// [`KeyStore::public_keys`] in an order [`KeyStore::ordered`] gave.
    pub fn public_keys_in(&self, order: &[usize]) -> PublicSet<'_> {
        PublicSet {
            keys: order.iter().map(|&i| self.keys[i].jwk.public()).collect(),
        }
    }

    /// How long the view at `now` (states, order, the public set) stays
    /// as it is: states change only when the time passes a key's
    /// `signs_from` or `retired`, so between two such times every
    /// comparison comes out the same.
    pub fn steady(&self, now: Time) -> Steady {
        let times = self
            .keys
            .iter()
            .flat_map(|k| {
                [
                    Some(k.times.signs_from),
                    k.times.takes_over(),
                    k.times.retired,
                ]
            })
            .flatten();
        let (mut after, mut before) = (None::<Time>, None::<Time>);
        for t in times {
            if t < now {
                after = Some(after.map_or(t, |a| a.max(t)));
            } else if t > now {
                before = Some(before.map_or(t, |b| b.min(t)));
            } else {
                // At a key's own time: good for this instant only.
                return Steady {
                    at: now,
                    after: Some(now),
                    before: Some(now),
                };
            }
        }
        Steady {
            at: now,
            after,
            before,
        }
    }

    /// [`KeyStore::ordered`] from a [`KeyStore::view`] already made.
    pub fn ordered_in(&self, view: &[KeyView]) -> Vec<usize> {
        self.ordered_by(|i| view[i].state)
    }

    fn ordered_by(&self, state: impl Fn(usize) -> State) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.keys.len()).collect();
        // Each key's sort key made once, its times as integers: comparing
        // two times with offsets converts both, and a sort compares often.
        order.sort_by_cached_key(|&i| {
            let t = &self.keys[i].times;
            let rank = match state(i) {
                State::Active => 0,
                State::Pending => 1,
                State::Retired => 2,
            };
            (
                rank,
                Reverse(t.signs_from.unix_timestamp_nanos()),
                Reverse(t.created.unix_timestamp_nanos()),
            )
        });
        order
    }

    /// The pending key, if any (there is at most one).
    pub fn pending(&self, now: Time) -> Option<usize> {
        self.keys.iter().position(|k| !k.times.started(now))
    }

    /// Adds a key the way `rotate` does: signing from `now + publish_ahead`,
    /// when the active key retires. Without `publish_ahead` that is now.
    /// Refuses a second pending key, a kid already in use, and a key that
    /// is already in the store under another kid.
    pub fn add_key(
        &mut self,
        key: StoredKey,
        now: Time,
        publish_ahead: Option<Duration>,
    ) -> Result<()> {
        if let Some(p) = self.pending(now) {
            let p = &self.keys[p];
            if p.times.takeover.is_some() && p.times.signs_from <= now {
                bail!(
                    "key {:?} is already pending: it should sign from {} but waits for its --await-published sources (see 'jwkctl list'); rotate again after it signs, end the wait with 'jwkctl rotate --skip-await', or 'jwkctl revoke {}' it first",
                    p.kid(),
                    clock::format(p.times.signs_from),
                    p.kid()
                );
            }
            bail!(
                "key {:?} is already pending (it signs from {}); rotate again after that, or 'jwkctl revoke {}' it first",
                p.kid(),
                clock::format(p.times.signs_from),
                p.kid()
            );
        }
        if self.find(key.kid()).is_some() {
            bail!(
                "kid {:?} is already in the store (choose another --kid)",
                key.kid()
            );
        }
        let thumbprint = key.jwk.thumbprint()?;
        if let Some(same) = self
            .keys
            .iter()
            .find(|k| k.jwk.thumbprint().ok().as_deref() == Some(&thumbprint))
        {
            bail!("this key is already in the store as kid {:?}", same.kid());
        }
        // The file keeps whole seconds. A pending key's start is rounded up,
        // so it never reads back as signing early; a key that signs now
        // starts at this whole second, so it reads back as signing at once.
        let signs_from = match publish_ahead.filter(|d| !d.is_zero()) {
            Some(ahead) => clock::ceil_second(clock::add(now, ahead)?),
            None => clock::floor_second(now),
        };
        // A key that waits for its sources retires its predecessor when it
        // takes over, which no one knows yet: the retirement is derived.
        if let Some(a) = self.active(now).filter(|_| key.times.takeover.is_none()) {
            self.keys[a].times.retired = Some(signs_from);
        }
        let mut key = key;
        key.times.created = now;
        key.times.signs_from = signs_from;
        key.times.retired = None;
        self.keys.push(key);
        Ok(())
    }

    /// Records the derived retirement time of every superseded key, so that
    /// removing a key never changes when another one retired.
    fn materialize(&mut self, now: Time) {
        let view = self.view(now);
        for (key, seen) in self.keys.iter_mut().zip(view) {
            if key.times.retired.is_none() && key.times.started(now) {
                key.times.retired = seen.retired;
            }
        }
    }

    /// Removes keys retired for longer than `older_than` and returns their
    /// kids. The active key and a pending key are never removed.
    pub fn prune(&mut self, now: Time, older_than: Duration) -> Vec<String> {
        self.materialize(now);
        let doomed: Vec<bool> = self
            .view(now)
            .into_iter()
            .enumerate()
            .map(|(i, seen)| {
                self.prunable_after(i, seen.state, seen.retired, older_than)
                    .is_some_and(|t| now > t)
            })
            .collect();
        let mut removed = Vec::new();
        let mut doomed = doomed.into_iter();
        self.keys.retain(|key| {
            let remove = doomed.next().unwrap_or(false);
            if remove {
                removed.push(key.kid().to_owned());
            }
            !remove
        });
        removed
    }

    /// Sets the max token lifetime. Lowering it leaves tokens that existing
    /// keys signed under the old limit alive longer than the new one, so
    /// those keys remember the old limit for `prune`.
    pub fn set_max_ttl(&mut self, max_ttl: Duration) {
        if max_ttl < self.max_ttl {
            let old = self.max_ttl;
            for key in &mut self.keys {
                key.times.max_ttl = Some(key.times.max_ttl.map_or(old, |t| t.max(old)));
            }
        }
        self.max_ttl = max_ttl;
    }

    /// Removes `kid` at once. Revoking the active key first puts a
    /// replacement in place: the pending key, made active now, or else the
    /// key `new_key` makes. Returns the replacement's kid.
    pub fn revoke(
        &mut self,
        kid: &str,
        now: Time,
        new_key: impl FnOnce(&StoredKey) -> Result<StoredKey>,
    ) -> Result<Option<String>> {
        let Some(i) = self.find(kid) else {
            bail!("no key with kid {kid:?} (see 'jwkctl list')");
        };
        self.materialize(now);
        let mut replacement = None;
        match self.state_given(i, now, self.active(now)) {
            State::Retired => {}
            State::Pending => {
                // The active key was due to retire when this one took over.
                let takeover = self.keys[i].times.signs_from;
                if let Some(a) = self.active(now)
                    && self.keys[a].times.retired == Some(takeover)
                {
                    self.keys[a].times.retired = None;
                }
            }
            State::Active => {
                if let Some(p) = self.pending(now) {
                    self.keys[p].times.signs_from = now;
                    if let Some(wait) = &mut self.keys[p].times.takeover {
                        wait.skip(now);
                    }
                    replacement = Some(self.keys[p].kid().to_owned());
                } else {
                    let key = new_key(&self.keys[i])?;
                    replacement = Some(key.kid().to_owned());
                    self.add_key(key, now, None)?;
                }
            }
        }
        let i = self.find(kid).unwrap_or(i);
        self.keys.remove(i);
        Ok(replacement)
    }

    /// Records the signer versions of removed keys that cannot be
    /// destroyed now: every version older than the oldest one the store
    /// still names goes now, a newer one waits for the older ones. A signer
    /// key the store no longer names keeps all its versions recorded until
    /// they are gone (transit never destroys the latest).
    pub fn record_removed(&mut self, removed: Vec<SignerRef>) {
        let named = self.named_floors();
        for reference in removed {
            let goes_now = named
                .get(&reference.key)
                .is_some_and(|floor| reference.version < *floor);
            if !goes_now && !self.destroy.contains(&reference) {
                self.destroy.push(reference);
            }
        }
        self.destroy.sort();
    }

    /// The oldest version the store names of each signer key.
    fn named_floors(&self) -> BTreeMap<SignerKey, u64> {
        let mut floors = BTreeMap::new();
        for reference in self.keys.iter().filter_map(|k| k.signer.as_ref()) {
            floors
                .entry(reference.key.clone())
                .and_modify(|f: &mut u64| *f = (*f).min(reference.version))
                .or_insert(reference.version);
        }
        floors
    }

    /// For each signer key the store names or records: every version below
    /// this is to be destroyed (the oldest version the store names, or past
    /// the newest recorded one when it names none).
    pub fn destroy_floors(&self) -> BTreeMap<SignerKey, u64> {
        let mut floors = self.named_floors();
        for reference in &self.destroy {
            if !self
                .keys
                .iter()
                .any(|k| k.signer.as_ref().is_some_and(|s| s.key == reference.key))
            {
                let floor = floors.entry(reference.key.clone()).or_insert(0);
                *floor = (*floor).max(reference.version.saturating_add(1));
            }
        }
        floors
    }

    /// Forgets recorded versions below the floors `reached`; whether any were.
    pub fn forget_destroyed(&mut self, reached: &BTreeMap<SignerKey, u64>) -> bool {
        let before = self.destroy.len();
        self.destroy
            .retain(|r| reached.get(&r.key).is_none_or(|floor| r.version >= *floor));
        self.destroy.len() != before
    }

    /// The shortest grace `prune` allows: a token signed just before
    /// retirement lives up to the max token lifetime, plus clock skew.
    pub fn min_grace(&self) -> Duration {
        self.max_ttl.saturating_add(CLOCK_SKEW)
    }

    /// When `prune` with `grace` may remove key `i`, given its state and
    /// retirement; `None` while it signs or waits to. A key that signed
    /// under a longer max token lifetime waits for that one.
    fn prunable_after(
        &self,
        i: usize,
        state: State,
        retired: Option<Time>,
        grace: Duration,
    ) -> Option<Time> {
        if state != State::Retired {
            return None;
        }
        let own = self.keys[i]
            .times
            .max_ttl
            .map(|t| t.saturating_add(CLOCK_SKEW));
        let grace = own.map_or(grace, |own| own.max(grace));
        retired.and_then(|r| clock::add(r, grace).ok())
    }
}

/// A change refused because the store it makes would be over its cap.
#[derive(Debug, thiserror::Error)]
#[error(
    "the store would grow to {:.1} MiB, over the {} MiB a key store may hold, and no command could read it again (nothing was changed; remove what the store does not need: 'jwkctl prune', or members other programs added)",
    *size as f64 / (1 << 20) as f64,
    input::STORE.cap >> 20
)]
pub struct TooLarge {
    pub size: usize,
}

/// Refuses a store's text that is over the cap a store is read with.
pub fn fits(text: &[u8]) -> Result<(), TooLarge> {
    if text.len() as u64 > input::STORE.cap {
        return Err(TooLarge { size: text.len() });
    }
    Ok(())
}

/// A store as written: [`KeyStore::to_json`].
struct StoreText<'a> {
    store: &'a KeyStore,
    keys: Vec<KeyText<'a>>,
}

impl Serialize for StoreText<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut top = s.serialize_map(None)?;
        top.serialize_entry("keys", &self.keys)?;
        top.serialize_entry(META, &Meta(self.store))?;
        for (name, value) in &self.store.extra {
            top.serialize_entry(name, value)?;
        }
        top.end()
    }
}

/// The top-level bookkeeping.
struct Meta<'a>(&'a KeyStore);

impl Serialize for Meta<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut meta = s.serialize_map(None)?;
        meta.serialize_entry("max_ttl", &clock::show_duration(self.0.max_ttl))?;
        if !self.0.destroy.is_empty() {
            let refs: Vec<String> = self.0.destroy.iter().map(ToString::to_string).collect();
            meta.serialize_entry("destroy", &refs)?;
        }
        for (name, value) in &self.0.meta_extra {
            meta.serialize_entry(name, value)?;
        }
        meta.end()
    }
}

/// One key as written, with its bookkeeping.
struct KeyText<'a> {
    key: &'a StoredKey,
    retired: Option<Time>,
}

impl Serialize for KeyText<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for (name, value) in self.key.jwk.stored_members() {
            map.serialize_entry(name, value)?;
        }
        map.serialize_entry(META, &TimesText(self))?;
        map.end()
    }
}

struct TimesText<'a>(&'a KeyText<'a>);

impl Serialize for TimesText<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let times = &self.0.key.times;
        let mut own = Map::new();
        own.insert("created".into(), clock::format(times.created).into());
        own.insert("signs_from".into(), clock::format(times.signs_from).into());
        if let Some(retired) = self.0.retired {
            own.insert("retired".into(), clock::format(retired).into());
        }
        if let Some(max_ttl) = times.max_ttl {
            own.insert("max_ttl".into(), clock::show_duration(max_ttl).into());
        }
        if let Some(wait) = &times.takeover {
            wait.write(&mut own);
        }
        if let Some(signer) = &self.0.key.signer {
            own.insert("signer".into(), signer.to_string().into());
        }
        let mut map = s.serialize_map(None)?;
        for (name, value) in &own {
            map.serialize_entry(name, value)?;
        }
        for (name, value) in &times.extra {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// See [`KeyStore::public_keys`].
#[derive(serde::Serialize)]
pub struct PublicSet<'a> {
    keys: Vec<crate::jwk::Public<'a>>,
}

/// A stretch of time in which no key changes state ([`KeyStore::steady`]).
#[derive(Clone, Copy, Debug)]
pub struct Steady {
    /// The time it was asked for.
    at: Time,
    /// Also steady strictly after `after` and strictly before `before`.
    after: Option<Time>,
    before: Option<Time>,
}

impl Steady {
    pub fn covers(&self, now: Time) -> bool {
        now == self.at
            || (self.after.is_none_or(|t| t < now) && self.before.is_none_or(|t| now < t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto;
    use serde_json::json;

    fn t(s: &str) -> Time {
        clock::parse_time(s).unwrap()
    }

    fn key(kid: &str, created: &str, signs_from: &str, retired: Option<&str>) -> StoredKey {
        let jwk = crypto::generate(Alg::EdDsa, 0).unwrap();
        let mut k = StoredKey::new(jwk, Alg::EdDsa, kid.into(), t(created), t(signs_from));
        k.times.retired = retired.map(t);
        k
    }

    fn kids(store: &KeyStore, now: Time) -> Vec<(&str, State)> {
        let view = store.view(now);
        store
            .ordered_in(&view)
            .into_iter()
            .map(|i| (store.keys[i].kid(), view[i].state))
            .collect()
    }

    #[test]
    fn states_follow_the_clock() {
        let mut store = KeyStore::new(DEFAULT_MAX_TTL);
        store.keys.push(key(
            "old",
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            Some("2026-02-01T00:00:00Z"),
        ));
        store.keys.push(key(
            "cur",
            "2026-01-31T00:00:00Z",
            "2026-02-01T00:00:00Z",
            Some("2026-03-02T00:00:00Z"),
        ));
        store.keys.push(key(
            "next",
            "2026-03-01T00:00:00Z",
            "2026-03-02T00:00:00Z",
            None,
        ));
        let before = t("2026-03-01T12:00:00Z");
        use State::*;
        assert_eq!(
            kids(&store, before),
            [("cur", Active), ("next", Pending), ("old", Retired)]
        );
        let after = t("2026-03-02T00:00:00Z");
        assert_eq!(
            kids(&store, after),
            [("next", Active), ("cur", Retired), ("old", Retired)]
        );
        let view = store.view(after);
        assert_eq!(view[1].retired, Some(t("2026-03-02T00:00:00Z")));
        assert_eq!(view[1].prunable, Some(t("2026-03-03T00:05:00Z")));
        assert_eq!(view[2].prunable, None);
        assert_eq!(store.view(before)[1].prunable, None);
        assert_eq!(store.select(None, before), Ok((1, Active)));
        assert_eq!(store.select(Some("next"), before), Ok((2, Pending)));
        assert_eq!(store.select(Some("old"), after), Ok((0, Retired)));
        assert_eq!(
            store.select(Some("gone"), after),
            Err(Unselected::UnknownKid)
        );
        assert_eq!(
            store.select(None, t("2025-12-01T00:00:00Z")),
            Err(Unselected::NoActiveKey)
        );
    }

    #[test]
    fn superseded_keys_retire_when_their_successor_starts() {
        let mut store = KeyStore::new(DEFAULT_MAX_TTL);
        let times = [
            ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
            ("2026-01-05T00:00:00Z", "2026-02-01T00:00:00Z"),
            ("2026-01-03T00:00:00Z", "2026-02-01T00:00:00Z"),
            ("2026-02-10T00:00:00Z", "2026-03-01T00:00:00Z"),
            ("2025-12-01T00:00:00Z", "2025-12-01T00:00:00Z"),
        ];
        for (i, (created, from)) in times.into_iter().enumerate() {
            store.keys.push(key(&format!("k{i}"), created, from, None));
        }
        let retired = |now: &str| -> Vec<Option<Time>> {
            store.view(t(now)).iter().map(|k| k.retired).collect()
        };
        let at = |s: &str| Some(t(s));
        // k1 and k2 start together; the one created later (k1) signs.
        assert_eq!(
            retired("2026-02-15T00:00:00Z"),
            [
                at("2026-02-01T00:00:00Z"),
                None,
                at("2026-02-15T00:00:00Z"),
                None,
                at("2026-01-01T00:00:00Z"),
            ]
        );
        assert_eq!(
            retired("2026-01-02T00:00:00Z"),
            [None, None, None, None, at("2026-01-01T00:00:00Z")]
        );
    }

    #[test]
    fn round_trip_and_node_jose_adoption() {
        let now = t("2026-05-01T00:00:00Z");
        let mut store = KeyStore::new(Duration::from_secs(3600));
        store.keys.push(key(
            "a",
            "2026-04-01T00:00:00Z",
            "2026-04-01T00:00:00Z",
            None,
        ));
        let bytes = store.to_json(now);
        let back = KeyStore::parse(&bytes, now).unwrap();
        assert_eq!(back.max_ttl, Duration::from_secs(3600));
        assert_eq!(back.keys[0].times, store.keys[0].times);
        assert_eq!(back.to_json(now), bytes);

        // Strip the bookkeeping: what node-jose's toJSON(true) would hold.
        let mut value: Value = serde_json::from_slice(&bytes).unwrap();
        value.as_object_mut().unwrap().remove("jwkctl");
        let mut second = value["keys"][0].clone();
        second.as_object_mut().unwrap().remove("jwkctl");
        second["kid"] = "b".into();
        value["keys"] = json!([second.clone(), second]);
        value["keys"][1]["kid"] = "c".into();
        let adopted = KeyStore::parse(value.to_string().as_bytes(), now).unwrap();
        assert_eq!(adopted.max_ttl, DEFAULT_MAX_TTL);
        assert_eq!(
            kids(&adopted, now),
            [("b", State::Active), ("c", State::Retired)]
        );
    }

    #[test]
    fn unknown_bookkeeping_survives_a_rewrite() {
        let now = t("2026-05-01T00:00:00Z");
        let mut store = KeyStore::new(DEFAULT_MAX_TTL);
        store.keys.push(key(
            "a",
            "2026-04-01T00:00:00Z",
            "2026-04-01T00:00:00Z",
            None,
        ));
        let mut value: Value = serde_json::from_slice(&store.to_json(now)).unwrap();
        value["jwkctl"]["future"] = json!({"x": 1});
        value["keys"][0]["jwkctl"]["future"] = json!(true);
        let back = KeyStore::parse(value.to_string().as_bytes(), now).unwrap();
        let written: Value = serde_json::from_slice(&back.to_json(now)).unwrap();
        assert_eq!(written["jwkctl"]["future"], json!({"x": 1}));
        assert_eq!(written["keys"][0]["jwkctl"]["future"], json!(true));
        assert_eq!(written["jwkctl"]["max_ttl"], "24h");
    }

    #[test]
    fn refuses_what_cannot_be_a_store() {
        let now = t("2026-05-01T00:00:00Z");
        for (bad, why) in [
            ("[]", "not a JSON object"),
            ("{}", "no \"keys\" array"),
            (r#"{"keys":[],"jwkctl":{"max_ttl":5}}"#, "not a duration"),
            (r#"{"keys":[],"jwkctl":[]}"#, "not an object"),
            (r#"{"keys":[{"kty":"RSA"}]}"#, "key 1: the member \"n\""),
            (r#"{"keys":[{"kty":"oct","k":"AA"}]}"#, "key 1: no \"alg\""),
            (
                r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AA","alg":"HS256"}]}"#,
                "cannot sign JWTs",
            ),
            (
                r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AA"}]}"#,
                "no private part",
            ),
            (
                r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AA","d":"AA","use":"enc"}]}"#,
                "signing keys only",
            ),
        ] {
            let err = format!("{:#}", KeyStore::parse(bad.as_bytes(), now).unwrap_err());
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    /// A key whose private half is `signer`'s: the public members only.
    fn signed_elsewhere(kid: &str, created: &str, signer: &str) -> StoredKey {
        let local = crypto::generate(Alg::EdDsa, 0).unwrap();
        let public = Jwk::from_map(local.to_public());
        let mut k = StoredKey::new(public, Alg::EdDsa, kid.into(), t(created), t(created));
        k.signer = Some(Box::new(SignerRef::parse(signer).unwrap()));
        k
    }

    #[test]
    fn signer_references_round_trip_and_exclude_private_members() {
        let now = t("2026-05-01T00:00:00Z");
        let mut store = KeyStore::new(DEFAULT_MAX_TTL);
        store.keys.push(signed_elsewhere(
            "a",
            "2026-04-01T00:00:00Z",
            "transit:t/k#2",
        ));
        store.destroy = vec![SignerRef::parse("transit:t/k#1").unwrap()];
        let text = store.to_json(now);
        let value: Value = serde_json::from_slice(text.as_ref()).unwrap();
        assert_eq!(value["keys"][0]["jwkctl"]["signer"], "transit:t/k#2");
        assert_eq!(value["jwkctl"]["destroy"], json!(["transit:t/k#1"]));
        assert!(value["keys"][0].get("d").is_none());
        let back = KeyStore::parse(text.as_ref(), now).unwrap();
        assert_eq!(back.keys[0].signer, store.keys[0].signer);
        assert_eq!(back.destroy, store.destroy);

        let mut both = value.clone();
        both["keys"][0]["d"] = json!("AAAA");
        let err = format!(
            "{:#}",
            KeyStore::parse(both.to_string().as_bytes(), now).unwrap_err()
        );
        assert!(
            err.contains("a private member (\"d\") and a signer"),
            "{err}"
        );
        let mut bad = value;
        bad["keys"][0]["jwkctl"]["signer"] = json!("transit:t/k");
        let err = format!(
            "{:#}",
            KeyStore::parse(bad.to_string().as_bytes(), now).unwrap_err()
        );
        assert!(err.contains("has no #VERSION"), "{err}");
    }

    #[test]
    fn removed_versions_go_below_the_oldest_named_one_or_wait() {
        let r = |s: &str| SignerRef::parse(s).unwrap();
        let key = |name: &str| r(&format!("{name}#1")).key;
        let mut store = KeyStore::new(DEFAULT_MAX_TTL);
        store.keys.push(signed_elsewhere(
            "v2",
            "2026-02-01T00:00:00Z",
            "transit:t/k#2",
        ));
        store.keys.push(signed_elsewhere(
            "v4",
            "2026-04-01T00:00:00Z",
            "transit:t/k#4",
        ));
        // 1 is older than every named version: it goes now. 3 is newer than
        // 2, and the other key is named by nobody: they wait.
        store.record_removed(vec![
            r("transit:t/k#1"),
            r("transit:t/k#3"),
            r("transit:t/other#7"),
        ]);
        assert_eq!(store.destroy, [r("transit:t/k#3"), r("transit:t/other#7")]);
        let floors = store.destroy_floors();
        assert_eq!(floors[&key("transit:t/k")], 2);
        assert_eq!(floors[&key("transit:t/other")], 8);
        // The engine got to 4 for k (2 was pruned meanwhile), and kept 7 of
        // other, its latest.
        let reached = BTreeMap::from([(key("transit:t/k"), 4), (key("transit:t/other"), 7)]);
        assert!(store.forget_destroyed(&reached));
        assert_eq!(store.destroy, [r("transit:t/other#7")]);
        assert!(!store.forget_destroyed(&reached));
    }
}
