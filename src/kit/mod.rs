//! `jwkctl fixtures`: a test kit for someone else's verifier. A throwaway
//! key's public half, one valid token and many tokens a verifier must
//! refuse, each with the REASON `jwkctl verify` gives and the attack or RFC
//! rule it stands for.
//!
//! Every token is built here from the claims and header it needs, not
//! through `sign`: most cases are tokens `sign` would never make. Before
//! the kit is written, [`Kit::self_check`] runs every token through
//! jwkctl's own verifier, so a manifest never promises a REASON that
//! `verify` does not give.
//!
//! The cases come in groups, in the manifest's order: `claims` (times,
//! audience, issuer), `signatures` (signatures and algorithms) and
//! `headers` (headers that bring their own key, crit, serializations).

mod claims;
mod headers;
mod signatures;

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use serde_json::{Map, Value, json};

use crate::alg::{Alg, KeyType};
use crate::b64::b64;
use crate::claims::Checks;
use crate::clock::{self, Time};
use crate::crypto::{self, Signer};
use crate::error::{Reject, io_message, io_message_with_remedy};
use crate::jwk::Jwk;
use crate::keyset::KeySet;
use crate::verify::{Policy, verify};

/// What the kit is for: the verifier's algorithm, issuer and audience.
#[derive(Clone, Debug)]
pub struct Options {
    pub alg: Alg,
    pub iss: String,
    pub aud: String,
    /// How long the valid token is valid, from now.
    pub ttl: Duration,
}

/// One token of the kit and the verdict a verifier must reach on it.
#[derive(Clone, Debug)]
pub struct Case {
    pub name: &'static str,
    /// `None` for the valid token; else why `jwkctl verify` rejects it.
    pub reason: Option<Reject>,
    /// The attack or RFC rule, in one line.
    pub why: &'static str,
    pub token: String,
}

impl Case {
    pub fn file(&self) -> String {
        format!("{}.jwt", self.name)
    }
}

#[derive(Debug)]
pub struct Kit {
    /// `{"keys":[the kit key's public half]}`.
    pub jwks: Value,
    pub cases: Vec<Case>,
}

/// The "wrong" issuer and audience, unless they are the kit's own.
const OTHER_ISS: &str = "https://attacker.example";
const OTHER_AUD: &str = "attacker-api";

/// `candidate`, changed if it happens to be `ours`.
fn other_than(ours: &str, candidate: &str) -> String {
    if candidate == ours {
        format!("{candidate}-2")
    } else {
        candidate.to_owned()
    }
}

/// Claims of a token: the valid token's, with changes.
struct Claims<'a> {
    opts: &'a Options,
    iat: i64,
    exp: i64,
}

impl Claims<'_> {
    /// What the valid token carries, with `sub` naming the case so a
    /// verifier's log says which token it saw.
    fn base(&self, name: &str) -> Map<String, Value> {
        let mut claims = Map::new();
        claims.insert("iss".into(), self.opts.iss.as_str().into());
        claims.insert("sub".into(), name.into());
        claims.insert("aud".into(), self.opts.aud.as_str().into());
        claims.insert("iat".into(), self.iat.into());
        claims.insert("exp".into(), self.exp.into());
        claims
    }

    fn with(&self, name: &str, changes: &[(&str, Option<Value>)]) -> Map<String, Value> {
        let mut claims = self.base(name);
        for (member, value) in changes {
            match value {
                Some(value) => claims.insert((*member).into(), value.clone()),
                None => claims.remove(*member),
            };
        }
        claims
    }
}

/// A key the kit signs with, and its kid (the RFC 7638 thumbprint).
struct KitKey {
    jwk: Jwk,
    alg: Alg,
    kid: String,
}

impl KitKey {
    fn generate(alg: Alg) -> Result<KitKey> {
        let mut jwk = crypto::generate(alg, 2048)?;
        let kid = jwk.thumbprint()?;
        jwk.set("kid", kid.as_str().into());
        Ok(KitKey { jwk, alg, kid })
    }

    /// A signer for `alg`, which may be another than the key's own: the
    /// signing library holds a key to its `alg` member, so a copy names
    /// the one asked for.
    fn signer(&self, alg: Alg) -> Result<Signer> {
        if alg == self.alg {
            return Signer::new(alg, &self.jwk);
        }
        let mut jwk = self.jwk.clone();
        jwk.set("alg", alg.name().into());
        Signer::new(alg, &jwk)
    }

    /// The header `sign` writes, naming this key.
    fn header(&self) -> Map<String, Value> {
        header(self.alg.name(), Some(&self.kid))
    }
}

fn header(alg: &str, kid: Option<&str>) -> Map<String, Value> {
    let mut header = Map::new();
    header.insert("alg".into(), alg.into());
    header.insert("typ".into(), "JWT".into());
    if let Some(kid) = kid {
        header.insert("kid".into(), kid.into());
    }
    header
}

fn json_bytes(map: &Map<String, Value>) -> Result<Vec<u8>> {
    Ok(serde_json::to_vec(map)?)
}

/// `BASE64URL(header) . BASE64URL(payload)`.
fn signing_input(header: &[u8], payload: &[u8]) -> String {
    format!("{}.{}", b64(header), b64(payload))
}

/// A compact JWS of raw header and payload bytes, signed by `signer`.
fn compact(header: &[u8], payload: &[u8], signer: &Signer) -> Result<String> {
    signer.compact(header, payload)
}

fn signed(
    header: &Map<String, Value>,
    claims: &Map<String, Value>,
    signer: &Signer,
) -> Result<String> {
    compact(&json_bytes(header)?, &json_bytes(claims)?, signer)
}

/// The three parts of a compact token the kit made itself.
fn parts(token: &str) -> Result<(&str, &str, &str)> {
    let mut it = token.split('.');
    match (it.next(), it.next(), it.next()) {
        (Some(h), Some(p), Some(s)) => Ok((h, p, s)),
        _ => bail!("internal error: a kit token is not a compact JWS"),
    }
}

/// Another algorithm the kit key's own material can sign with, where
/// there is one: RSA keys sign both PKCS#1 v1.5 and PSS.
fn sibling_alg(alg: Alg) -> Option<Alg> {
    match alg.key_type() {
        KeyType::Rsa if matches!(alg, Alg::Rs256 | Alg::Rs384 | Alg::Rs512) => Some(Alg::Ps256),
        KeyType::Rsa => Some(Alg::Rs256),
        KeyType::Ec(_) | KeyType::Ed25519 => None,
    }
}

/// What every group of cases builds from: the options, the valid token's
/// lifetime and claims, the kit's key and the unpublished one.
struct Setup<'a> {
    opts: &'a Options,
    now: Time,
    /// When the valid token expires.
    end: Time,
    claims: Claims<'a>,
    key: KitKey,
    /// Never published: the "attacker's" key, of the same algorithm.
    other: KitKey,
    signer: Signer,
    other_signer: Signer,
}

impl Setup<'_> {
    /// A token signed by the kit's key, with the valid token's claims
    /// changed as given.
    fn by_kit(&self, name: &str, changes: &[(&str, Option<Value>)]) -> Result<String> {
        signed(
            &self.key.header(),
            &self.claims.with(name, changes),
            &self.signer,
        )
    }
}

/// The cases in the manifest's order, which scripts rely on.
#[derive(Default)]
struct Cases(Vec<Case>);

impl Cases {
    fn add(
        &mut self,
        name: &'static str,
        reason: Option<Reject>,
        why: &'static str,
        token: String,
    ) {
        self.0.push(Case {
            name,
            reason,
            why,
            token,
        });
    }
}

/// Builds the kit at `now`. RSA kits generate two RSA keys (the kit's and
/// an unpublished one); EC and Ed25519 kits a third, cheap key of another
/// type for the algorithm-mismatch case.
pub fn build(opts: &Options, now: Time) -> Result<Kit> {
    if opts.ttl.is_zero() {
        bail!("--ttl must be longer than 0s (like 1h or 24h)");
    }
    if opts.iss.is_empty() || opts.aud.is_empty() {
        bail!("--iss and --aud must not be empty (like https://issuer.example and api)");
    }
    let end = clock::add(now, opts.ttl)?;
    let key = KitKey::generate(opts.alg)?;
    let other = KitKey::generate(opts.alg)?;
    let kit = Setup {
        opts,
        now,
        end,
        claims: Claims {
            opts,
            iat: clock::unix_secs(now),
            exp: clock::unix_secs(end),
        },
        signer: key.signer(key.alg)?,
        other_signer: other.signer(other.alg)?,
        key,
        other,
    };

    let mut cases = Cases::default();
    // The one token every verifier must accept.
    let valid = kit.by_kit("valid", &[])?;
    cases.add(
        "valid",
        None,
        "a token from the kit's key with the expected iss and aud, inside its lifetime: must be accepted",
        valid.clone(),
    );
    claims::times(&kit, &mut cases)?;
    claims::audience(&kit, &mut cases)?;
    claims::issuer(&kit, &mut cases)?;
    signatures::tampered(&kit, &valid, &mut cases)?;
    signatures::algorithms(&kit, &mut cases)?;
    headers::untrusted(&kit, &mut cases)?;

    let kit = Kit {
        jwks: json!({ "keys": [kit.key.jwk.to_public()] }),
        cases: cases.0,
    };
    kit.self_check(opts, now, end)?;
    Ok(kit)
}

impl Kit {
    /// `jwks.json` as written: one compact line, like `jwks --out`.
    pub fn jwks_text(&self) -> String {
        format!("{}\n", self.jwks)
    }

    /// `manifest.json`: one entry per token, in the kit's order.
    pub fn manifest(&self) -> Value {
        Value::Array(
            self.cases
                .iter()
                .map(|case| {
                    json!({
                        "name": case.name,
                        "file": case.file(),
                        "expect": if case.reason.is_some() { "invalid" } else { "valid" },
                        "reason": case.reason.as_ref().map(Reject::to_string),
                        "why": case.why,
                    })
                })
                .collect(),
        )
    }

    /// Every file of the kit: `(name, contents)`. Token files hold the
    /// token alone, without a newline, so a verifier can read them as
    /// they are.
    pub fn files(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let mut manifest = serde_json::to_vec_pretty(&self.manifest())?;
        manifest.push(b'\n');
        let mut files = vec![
            ("jwks.json".to_owned(), self.jwks_text().into_bytes()),
            ("manifest.json".to_owned(), manifest),
        ];
        for case in &self.cases {
            files.push((case.file(), case.token.clone().into_bytes()));
        }
        Ok(files)
    }

    /// Runs every token through `verify` as `jwkctl verify --jwks
    /// DIR/jwks.json --iss ISS --aud AUD` would, at both ends of the valid
    /// token's lifetime, and fails on any verdict the manifest does not
    /// promise.
    fn self_check(&self, opts: &Options, now: Time, end: Time) -> Result<()> {
        let keys = KeySet::parse(self.jwks_text().into_bytes())?;
        let policy = Policy {
            algs: Vec::new(),
            checks: Checks {
                iss: Some(opts.iss.clone()),
                aud: vec![opts.aud.clone()],
                ..Checks::default()
            },
        };
        let last = clock::sub(end, Duration::from_secs(1)).max(now);
        for at in [now, last] {
            for case in &self.cases {
                let got = verify(&case.token, &keys, &policy, at).err();
                if got != case.reason {
                    bail!(
                        "internal error: test token {:?} gets {:?} at {}, not {:?}",
                        case.name,
                        got.map(|r| r.to_string()),
                        clock::format(at),
                        case.reason.as_ref().map(Reject::to_string)
                    );
                }
            }
        }
        Ok(())
    }
}

/// Refuses DIR unless it is absent or an empty folder. Returns whether it
/// exists.
pub fn check_dir(dir: &Path) -> Result<bool> {
    match fs::metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => bail!("{}", io_message_with_remedy(dir, &e)),
        Ok(meta) if !meta.is_dir() => bail!(
            "{}: not a folder (name a new or empty folder for the kit)",
            dir.display()
        ),
        Ok(_) => {
            let mut entries = fs::read_dir(dir).map_err(|e| anyhow!(io_message(dir, &e)))?;
            if entries.next().is_some() {
                bail!(
                    "{}: not empty (name a new or empty folder for the kit; nothing was written)",
                    dir.display()
                );
            }
            Ok(true)
        }
    }
}

/// Writes the kit into DIR, creating it when absent. Files are created
/// new (never replacing one that appeared meanwhile), mode 0644: the kit
/// holds nothing secret. On failure, what was written is removed again.
pub fn write(dir: &Path, kit: &Kit) -> Result<()> {
    let existed = check_dir(dir)?;
    if !existed {
        fs::create_dir_all(dir).map_err(|e| anyhow!(io_message_with_remedy(dir, &e)))?;
    }
    let mut written = Vec::new();
    let result = (|| -> Result<()> {
        for (name, bytes) in kit.files()? {
            let path = dir.join(&name);
            let mut options = OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o644);
            }
            let fail = |e: io::Error| anyhow!(io_message(&path, &e));
            let mut file = options.open(&path).map_err(fail)?;
            written.push(path.clone());
            file.write_all(&bytes).map_err(fail)?;
            file.sync_all().map_err(fail)?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        for path in &written {
            let _ = fs::remove_file(path);
        }
        if !existed {
            let _ = fs::remove_dir(dir);
        }
        return Err(e.context("the kit was not written"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(alg: Alg) -> Options {
        Options {
            alg,
            iss: "https://issuer.example".into(),
            aud: "api".into(),
            ttl: Duration::from_secs(86_400),
        }
    }

    #[test]
    fn curve_kits_pass_their_own_check_and_cover_every_reason() {
        let now = clock::parse_time("2026-01-02T03:04:05Z").unwrap();
        for alg in [Alg::Es256, Alg::Es384, Alg::EdDsa] {
            let kit = build(&opts(alg), now).unwrap();
            let names: std::collections::BTreeSet<_> = kit.cases.iter().map(|c| c.name).collect();
            assert_eq!(names.len(), kit.cases.len(), "names are unique");
            assert_eq!(kit.cases.iter().filter(|c| c.reason.is_none()).count(), 1);
            let reasons: std::collections::BTreeSet<_> = kit
                .cases
                .iter()
                .filter_map(|c| c.reason.as_ref().map(Reject::to_string))
                .collect();
            for reason in [
                "expired",
                "not yet valid",
                "audience mismatch",
                "issuer mismatch",
                "missing claim aud",
                "missing claim iss",
                "missing claim exp",
                "unknown kid",
                "bad signature",
                "algorithm not allowed",
                "algorithm mismatch",
                "untrusted header jwk",
                "untrusted header jku",
                "untrusted header x5u",
                "untrusted header x5c",
                "crit header not supported",
                "json serialization not supported",
                "malformed token",
            ] {
                assert!(reasons.contains(reason), "{alg}: {reason}");
            }
            assert!(!kit.jwks.to_string().contains("\"d\""), "no private member");
        }
    }

    #[test]
    fn zero_ttl_is_refused() {
        let now = clock::parse_time("2026-01-02T03:04:05Z").unwrap();
        let mut o = opts(Alg::EdDsa);
        o.ttl = Duration::ZERO;
        assert!(build(&o, now).is_err());
    }
}
