//! How a store's keys are read: each key is taken as the JSON reader
//! hands it over, checked (its members, not its point or pairing) and
//! given its times, and the first key the store cannot hold ends the
//! reading. (Checking keys on a second thread while the first reads on
//! was measured slower: the hand-over and the second thread's allocator
//! cost more than the checks.)

use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};

use super::takeover::{self, Await};
use super::{StoredKey, Times};
use crate::alg::{Alg, NotAKeyType};
use crate::clock::{self, Time};
use crate::crypto::keycheck::{self, Depth, Refusal, Role};
use crate::jwk::{Bookkeeping, Jwk, Member, Text};
use crate::keyset::document::{self, SetDocument};
use crate::signer::SignerRef;

/// About the fewest bytes a key takes in a store jwkctl wrote (an EC or
/// Ed25519 key with its bookkeeping, indented).
const SMALLEST_KEY: usize = 400;

/// The store's document (without its keys) and its keys as read.
pub(super) fn read(
    text: &Arc<Text>,
    now: Time,
) -> (serde_json::Result<Option<SetDocument>>, KeysRead) {
    let mut read = KeysRead::new(now, text.as_bytes().len());
    let document = document::parse_each(text, &mut |key| read.take(key));
    (document, read)
}

/// A store's keys, each taken as it is read: the first a store cannot hold
/// ends the reading, and the whole store is refused, not the key skipped
/// (the next write would keep it, and `sign` could pick it).
pub(super) struct KeysRead {
    now: Time,
    pub keys: Vec<StoredKey>,
    /// Some key had no bookkeeping (see `KeyStore::adopting`).
    pub adopting: bool,
    /// Why the last key taken could not be.
    pub fault: Option<anyhow::Error>,
}

impl KeysRead {
    /// For a store of `size` bytes: room for as many keys as it can hold
    /// of the smallest kind jwkctl writes, so the list is not copied as it
    /// grows (room not used is never touched, and costs no memory).
    fn new(now: Time, size: usize) -> KeysRead {
        KeysRead {
            now,
            keys: Vec::with_capacity(size / SMALLEST_KEY + 1),
            adopting: false,
            fault: None,
        }
    }

    /// Takes the next key; `false` if the store cannot hold it.
    fn take(&mut self, key: Option<Jwk>) -> bool {
        match self.add(key) {
            Ok(()) => true,
            Err(fault) => {
                self.fault = Some(fault);
                false
            }
        }
    }

    fn add(&mut self, key: Option<Jwk>) -> Result<()> {
        let i = self.keys.len();
        self.adopting |= key.as_ref().is_none_or(|k| k.bookkeeping().is_none());
        let Some(mut jwk) = key else {
            return Err(anyhow!("not a JSON object").context(format!("key {}", i + 1)));
        };
        // Named only when it fails (formatting 1,000 labels was a twentieth
        // of reading a 1,000-key store), by the kid jwkctl gives it: its
        // own, or its thumbprint, as `list` shows it.
        let key = parse_key(&mut jwk, self.now, i == 0).with_context(|| {
            match jwk
                .kid()
                .map(str::to_owned)
                .or_else(|| jwk.thumbprint().ok())
            {
                Some(kid) => format!("key {} (kid {kid:?})", i + 1),
                None => format!("key {}", i + 1),
            }
        })?;
        self.keys.push(key);
        Ok(())
    }
}

/// The kid that a key repeats first in file order, if one does. Sorted,
/// not `find` per key (a 1,000-key store would compare kids 500,000 times)
/// and not a set of copies (a thousand allocations per read).
pub(super) fn repeated_kid(keys: &[StoredKey]) -> Option<&str> {
    let mut kids: Vec<(&str, usize)> = keys.iter().map(StoredKey::kid).zip(0..).collect();
    kids.sort_unstable();
    // The second of each kid's keys, in sorted order, is where a reading
    // in file order would have met the repeat.
    kids.windows(2)
        .filter(|pair| pair[0].0 == pair[1].0)
        .min_by_key(|pair| pair[1].1)
        .map(|pair| pair[1].0)
}

/// The stored key `jwk` reads as, taken out of it; on a fault `jwk` is left
/// for the message to name.
fn parse_key(jwk: &mut Jwk, now: Time, adopted_first: bool) -> Result<StoredKey> {
    let (times, signer) = match jwk.take_bookkeeping() {
        Some(meta) => parse_times(meta)?,
        None => (
            Times {
                created: now,
                signs_from: now,
                retired: (!adopted_first).then_some(now),
                max_ttl: None,
                takeover: None,
                extra: Vec::new(),
            },
            None,
        ),
    };
    // A key whose private half is a signer's holds none here.
    let role = match &signer {
        None => Role::Store,
        Some(signer) => {
            if let Some(name) = jwk.private_names().next() {
                bail!(
                    "it has a private member ({name:?}) and a signer ({signer}), whose private half it is: one of the two is wrong"
                );
            }
            Role::Signer
        }
    };
    // Its members are checked, not its point or the pairing of its
    // halves: those were checked when the key joined and are again when it
    // signs (`checked_key`), and deriving every public half on every read
    // cost a point multiplication per key, most of a 1,000-key `check`.
    let alg = match keycheck::admit(jwk, role, Depth::Members) {
        Ok(admitted) => admitted.alg,
        Err(refusal) => bail!("{}", store_refusal(jwk, refusal)),
    };
    // Most keys name it already: not replaced by a copy of itself.
    if jwk.alg_name() != Some(alg.name()) {
        jwk.set("alg", alg.name().into());
    }
    if jwk.kid().is_none() {
        let kid = jwk.thumbprint()?;
        jwk.set("kid", kid.into());
    }
    Ok(StoredKey {
        jwk: std::mem::take(jwk),
        alg,
        times,
        signer: signer.map(Box::new),
    })
}

/// A refused store key's fault, in the store's words.
fn store_refusal(jwk: &Jwk, refusal: Refusal) -> String {
    let kty = jwk.kty().unwrap_or_default();
    // A key of an unknown type or curve is judged by its algorithm.
    let by_alg = |named: Option<Alg>| match (named.or(jwk.alg()), jwk.alg_name()) {
        (Some(alg), _) => jwk.check_fits(alg).err().unwrap_or_default(),
        (None, Some(name)) => format!("algorithm {name:?} cannot sign JWTs here"),
        (None, None) => format!("no \"alg\", and an {kty} key of this kind has no default"),
    };
    match refusal {
        Refusal::Type(NotAKeyType::NoKty) => "no \"kty\"".into(),
        Refusal::Type(_) => by_alg(None),
        Refusal::Curve(_, named) => by_alg(named),
        Refusal::UnknownAlg(name) => format!("algorithm {name:?} cannot sign JWTs here"),
        Refusal::Unfit { why, .. } => why,
        Refusal::Use(usage) => format!(
            "its \"use\" is {usage}, and a key store holds signing keys only (move that key elsewhere)"
        ),
        Refusal::NotPrivate => "no private part (\"d\"): a key store holds private keys".into(),
        // Only for verifying.
        Refusal::KeyOps => "its \"key_ops\" do not allow signing".into(),
        Refusal::Flaw(flaw) => flaw.to_string(),
    }
}

fn parse_times(meta: Bookkeeping) -> Result<(Times, Option<SignerRef>)> {
    let Bookkeeping::Members(members) = meta else {
        bail!("\"jwkctl\" is not an object");
    };
    // One pass that moves the members out: this runs for every key of the
    // store on every command.
    let [mut created, mut signs_from, mut retired, mut max_ttl] = [None, None, None, None];
    let [mut sources, mut confirmed, mut lifetime, mut signer] = [None, None, None, None];
    let mut extra = Vec::new();
    for (name, value) in members {
        match name.as_ref() {
            "created" => created = Some(value),
            "signs_from" => signs_from = Some(value),
            "retired" => retired = Some(value),
            "max_ttl" => max_ttl = Some(value),
            takeover::SOURCES => sources = Some(value),
            takeover::CONFIRMED => confirmed = Some(value),
            takeover::CACHE_LIFETIME => lifetime = Some(value),
            "signer" => signer = Some(value),
            _ => extra.push((name, value)),
        }
    }
    let time = |name: &str, value: Option<Member>| -> Result<Option<Time>> {
        match value {
            None => Ok(None),
            Some(value) if value.is_null() => Ok(None),
            Some(value) => match value.as_str() {
                Some(s) => clock::parse_rfc3339(s)
                    .map(Some)
                    .with_context(|| format!("\"jwkctl\".\"{name}\"")),
                None => bail!("\"jwkctl\".\"{name}\" is not a string"),
            },
        }
    };
    // A string member's text; `None` for an absent or null one.
    fn text<'a>(name: &str, value: &'a Option<Member>) -> Result<Option<&'a str>> {
        match value {
            None => Ok(None),
            Some(value) if value.is_null() => Ok(None),
            Some(value) => match value.as_str() {
                Some(s) => Ok(Some(s)),
                None => bail!("\"jwkctl\".\"{name}\" is not a string"),
            },
        }
    }
    let created =
        time("created", created)?.ok_or_else(|| anyhow!("\"jwkctl\" has no \"created\""))?;
    let signs_from = time("signs_from", signs_from)?.unwrap_or(created);
    let max_ttl = match text("max_ttl", &max_ttl)? {
        None => None,
        Some(s) => Some(clock::parse_duration(s).context("\"jwkctl\".\"max_ttl\"")?),
    };
    let signer = match text("signer", &signer)? {
        None => None,
        Some(s) => {
            Some(SignerRef::parse(s).map_err(|why| anyhow!("\"jwkctl\".\"signer\": {why}"))?)
        }
    };
    let times = Times {
        created,
        signs_from,
        retired: time("retired", retired)?,
        max_ttl,
        takeover: Await::parse(
            sources,
            confirmed.map(|m| m.to_value()),
            lifetime.map(|m| m.to_value()),
        )?
        .map(Box::new),
        extra,
    };
    Ok((times, signer))
}
