//! The signer seam: a key's private half is either local (the store's
//! private members) or a signer's (`transit:MOUNT/NAME#VERSION`). `sign`,
//! `keygen`, `rotate`, `revoke`, `prune` and `export` ask a key here to
//! sign, to be created and to be destroyed, and never look inside.
//!
//! A new kind of signer (PKCS#11) is one more arm in each `match` below.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use serde_json::Value;

use crate::alg::Alg;
use crate::b64::b64;
use crate::backend;
use crate::clock::Time;
use crate::crypto::{self, Verifier, keycheck};
use crate::jwk::Jwk;
use crate::parallel;
use crate::signer::{SignerKey, SignerRef};
use crate::store::{KeyStore, StoredKey};
use crate::vault;
use crate::vault::transit::{self, Engine};

/// What reaching a signer takes: the server and credentials of the
/// `vault:` store's environment, and its request timeout.
#[derive(Clone, Copy, Debug)]
pub struct Reach<'a> {
    pub env: &'a vault::Env,
    pub timeout: Duration,
}

impl<'a> From<&'a backend::Store> for Reach<'a> {
    fn from(store: &'a backend::Store) -> Reach<'a> {
        Reach {
            env: &store.vault,
            timeout: store.net_timeout,
        }
    }
}

impl Reach<'_> {
    fn engine(&self, key: &SignerKey) -> Result<Engine> {
        Engine::connect(self.env, self.timeout, key)
    }
}

/// A key ready to sign tokens.
pub enum TokenSigner {
    /// The private members are in this process.
    Local(crypto::Signer),
    /// A transit engine signs; each signature is checked with the store's
    /// public key before it is used.
    Transit {
        engine: Engine,
        alg: Alg,
        version: u64,
        verifier: Verifier,
    },
}

impl TokenSigner {
    pub fn new(reach: Reach, key: &StoredKey) -> Result<TokenSigner> {
        match key.signer.as_deref() {
            None => Ok(TokenSigner::Local(crypto::Signer::new(key.alg, &key.jwk)?)),
            Some(SignerRef {
                key: signer,
                version,
            }) => Ok(TokenSigner::Transit {
                engine: reach.engine(signer)?,
                alg: key.alg,
                version: *version,
                verifier: Verifier::new(key.alg, &key.jwk)?,
            }),
        }
    }

    /// Makes `count` compact JWS (RFC 7515 §7.1), each of the signing
    /// input (`BASE64URL(header).BASE64URL(payload)`) that `input` makes
    /// from its index, each signature checked, and hands them to `emit` in
    /// order. A local key signs on every core; through transit, the next
    /// batch is on its way to the engine while this one is checked and
    /// emitted. `input` may lend the same text to every token: `sign
    /// --count` without `--jti` encodes its header and claims once.
    pub fn sign_each<'a>(
        &self,
        count: u64,
        input: impl Fn(&u64) -> Result<Cow<'a, str>> + Sync,
        mut emit: impl FnMut(String) -> Result<()>,
    ) -> Result<()> {
        let batch_of = |from: u64, size: usize| -> Vec<u64> {
            (from..count.min(from + size as u64)).collect()
        };
        match self {
            TokenSigner::Local(signer) => {
                let mut done = 0;
                while done < count {
                    let batch = batch_of(done, parallel::CHUNK);
                    done += batch.len() as u64;
                    let tokens = parallel::map(&batch, |i| signer.finish(&input(i)?));
                    for token in tokens {
                        emit(token?)?;
                    }
                }
                Ok(())
            }
            TokenSigner::Transit {
                engine,
                alg,
                version,
                verifier,
            } => {
                let inputs = |batch: &[u64]| -> Result<Vec<String>> {
                    parallel::map(batch, |i| Ok(input(i)?.into_owned()))
                        .into_iter()
                        .collect()
                };
                std::thread::scope(|scope| {
                    let (sender, batches) = std::sync::mpsc::sync_channel(1);
                    let requester = scope.spawn(move || {
                        let mut done = 0;
                        while done < count {
                            let batch = batch_of(done, transit::BATCH);
                            done += batch.len() as u64;
                            let signed = inputs(&batch).and_then(|inputs| {
                                let bytes: Vec<&[u8]> =
                                    inputs.iter().map(|i| i.as_bytes()).collect();
                                let signatures = engine.sign(*alg, *version, &bytes)?;
                                Ok((inputs, signatures))
                            });
                            let failed = signed.is_err();
                            // The receiver stopped (stdout closed): so do we.
                            if sender.send(signed).is_err() || failed {
                                break;
                            }
                        }
                    });
                    for signed in batches {
                        let (inputs, signatures) = signed?;
                        let pairs: Vec<(&str, &Vec<u8>)> =
                            inputs.iter().map(String::as_str).zip(&signatures).collect();
                        let checked = parallel::map(&pairs, |(input, signature)| {
                            verifier.verify(input.as_bytes(), signature)
                        });
                        if checked.contains(&false) {
                            bail!(
                                "a signature from the engine did not verify with the key's public half in the store, so it was not used (does the store's key belong to this version of the transit key?)"
                            );
                        }
                        for (input, signature) in inputs.into_iter().zip(signatures) {
                            emit(format!("{input}.{}", b64(&signature)))?;
                        }
                    }
                    requester
                        .join()
                        .unwrap_or_else(|e| std::panic::resume_unwind(e));
                    Ok(())
                })
            }
        }
    }
}

/// A new key for `alg` (`bits`: RSA), with `kid` or its thumbprint, dated
/// `now`: made here, or a new version of `signer`'s key.
pub fn new_key(
    reach: Reach,
    now: Time,
    alg: Alg,
    bits: u32,
    kid: Option<&str>,
    signer: Option<&SignerKey>,
) -> Result<StoredKey> {
    let (jwk, reference) = match signer {
        None => {
            let jwk = crypto::generate(alg, bits)?;
            // Every key that joins the store gets the full check, new ones too.
            keycheck::check_private(&jwk).map_err(|flaw| {
                anyhow!("the new {alg} key failed its check ({flaw}); nothing was changed")
            })?;
            (jwk, None)
        }
        Some(signer) => {
            let engine = reach.engine(signer)?;
            let made = engine.new_version(alg, &transit::key_type(alg, bits))?;
            let mut map = made.public;
            map.insert("use".into(), Value::from("sig"));
            map.insert("alg".into(), Value::from(alg.name()));
            let jwk = Jwk::from_map(map);
            keycheck::check_public(&jwk).map_err(|flaw| {
                anyhow!(
                    "{signer}#{}: the public key is not usable: {flaw}",
                    made.version
                )
            })?;
            (jwk, Some(signer.at(made.version)))
        }
    };
    let kid = match kid {
        Some(kid) => kid.to_owned(),
        None => jwk.thumbprint()?,
    };
    let key = StoredKey::new(jwk, alg, kid, now, now);
    Ok(match reference {
        Some(reference) => key.with_signer(reference),
        None => key,
    })
}

/// Refuses to hand out the private half of a key whose private half is a
/// signer's.
pub fn check_exportable(key: &StoredKey) -> Result<()> {
    match &key.signer {
        None => Ok(()),
        Some(signer) => bail!(
            "key {:?}: its private half is in {signer} and cannot leave the engine (export the public key: drop --private)",
            key.kid()
        ),
    }
}

/// The SPKI PEM of a key's public half.
pub fn public_pem(key: &StoredKey) -> Result<Vec<u8>> {
    match &key.signer {
        None => crypto::to_pem(&key.jwk, false),
        Some(_) => crate::crypto::spki::public_pem(&key.jwk),
    }
}

/// The signer keys whose versions `prune` and `revoke` may destroy.
pub fn destroyable(store: &KeyStore) -> BTreeSet<SignerKey> {
    store.destroy_floors().into_keys().collect()
}

/// Fails, changing nothing, unless the token may destroy versions of each
/// of `keys`.
pub fn check_may_destroy(reach: Reach, keys: &BTreeSet<SignerKey>, command: &str) -> Result<()> {
    for key in keys {
        let engine = reach.engine(key)?;
        engine.check_capabilities(&engine.destroy_capabilities(), command)?;
    }
    Ok(())
}

/// Destroys every version below each floor, and returns the floors
/// reached (below which nothing is left) and whether each changed now.
pub fn destroy(
    reach: Reach,
    floors: &BTreeMap<SignerKey, u64>,
) -> Result<BTreeMap<SignerKey, (u64, bool)>> {
    let mut reached = BTreeMap::new();
    for (key, floor) in floors {
        let engine = reach.engine(key)?;
        reached.insert(key.clone(), engine.destroy_below(*floor)?);
    }
    Ok(reached)
}
