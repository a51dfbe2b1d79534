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

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use crate::alg::{Alg, KeyType};
use crate::b64::{b64, unb64};
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
    let other_iss = other_than(&opts.iss, OTHER_ISS);
    let other_aud = other_than(&opts.aud, OTHER_AUD);
    let another_aud = other_than(&opts.aud, &format!("{other_aud}-2"));
    let end = clock::add(now, opts.ttl)?;
    let hour = Duration::from_secs(3600);
    let claims = Claims {
        opts,
        iat: clock::unix_secs(now),
        exp: clock::unix_secs(end),
    };
    let key = KitKey::generate(opts.alg)?;
    // Never published: the "attacker's" key, of the same algorithm.
    let other = KitKey::generate(opts.alg)?;
    let signer = key.signer(key.alg)?;
    let other_signer = other.signer(other.alg)?;

    let mut cases = Vec::new();
    let mut add = |name: &'static str, reason: Option<Reject>, why: &'static str, token: String| {
        cases.push(Case {
            name,
            reason,
            why,
            token,
        });
    };
    let by_kit = |name: &str, changes: &[(&str, Option<Value>)]| {
        signed(&key.header(), &claims.with(name, changes), &signer)
    };
    let num = |t: Time| Some(Value::from(clock::unix_secs(t)));

    // The one token every verifier must accept.
    let valid = by_kit("valid", &[])?;
    add(
        "valid",
        None,
        "a token from the kit's key with the expected iss and aud, inside its lifetime: must be accepted",
        valid.clone(),
    );

    // Times (RFC 7519 §4.1.4, §4.1.5), far beyond any leeway.
    add(
        "expired",
        Some(Reject::Expired),
        "exp an hour in the past (RFC 7519 §4.1.4: reject on or after exp)",
        by_kit(
            "expired",
            &[
                ("iat", num(clock::sub(now, 2 * hour))),
                ("exp", num(clock::sub(now, hour))),
            ],
        )?,
    );
    let nbf = clock::add(end, hour)?;
    add(
        "not-yet-valid",
        Some(Reject::NotYetValid),
        "nbf an hour after the kit's lifetime ends (RFC 7519 §4.1.5: reject before nbf)",
        by_kit(
            "not-yet-valid",
            &[("nbf", num(nbf)), ("exp", num(clock::add(nbf, opts.ttl)?))],
        )?,
    );
    add(
        "missing-exp",
        Some(Reject::MissingClaim("exp".into())),
        "no exp: a token that never expires; a verifier must demand exp",
        by_kit("missing-exp", &[("exp", None)])?,
    );
    add(
        "exp-string",
        Some(Reject::InvalidClaim("exp".into())),
        "exp as a string, not a NumericDate (RFC 7519 §2): loose typing compares text or skips the check",
        by_kit(
            "exp-string",
            &[("exp", Some(claims.exp.to_string().into()))],
        )?,
    );
    add(
        "nbf-string",
        Some(Reject::InvalidClaim("nbf".into())),
        "nbf as a string in the future, not a NumericDate (RFC 7519 §4.1.5)",
        by_kit(
            "nbf-string",
            &[("nbf", Some(clock::unix_secs(nbf).to_string().into()))],
        )?,
    );
    add(
        "iat-string",
        Some(Reject::InvalidClaim("iat".into())),
        "iat as a string, not a NumericDate (RFC 7519 §4.1.6)",
        by_kit(
            "iat-string",
            &[("iat", Some(claims.iat.to_string().into()))],
        )?,
    );

    // Audience (RFC 7519 §4.1.3).
    add(
        "wrong-aud",
        Some(Reject::Audience),
        "aud names another service (RFC 7519 §4.1.3): a token for one API replayed at another",
        by_kit("wrong-aud", &[("aud", Some(other_aud.as_str().into()))])?,
    );
    add(
        "aud-list-without-ours",
        Some(Reject::Audience),
        "aud is a list of other audiences (RFC 7519 §4.1.3: one of them must be ours)",
        by_kit(
            "aud-list-without-ours",
            &[("aud", Some(json!([other_aud, another_aud])))],
        )?,
    );
    add(
        "missing-aud",
        Some(Reject::MissingClaim("aud".into())),
        "no aud: a verifier that has an audience must demand it, or accepts tokens meant for anyone",
        by_kit("missing-aud", &[("aud", None)])?,
    );
    add(
        "aud-number",
        Some(Reject::InvalidClaim("aud".into())),
        "aud as a number, neither a string nor an array of strings (RFC 7519 §4.1.3)",
        by_kit("aud-number", &[("aud", Some(json!(12345)))])?,
    );

    // Issuer (RFC 7519 §4.1.1).
    add(
        "wrong-iss",
        Some(Reject::Issuer),
        "iss names another issuer (RFC 7519 §4.1.1): a token from someone else's identity provider",
        by_kit("wrong-iss", &[("iss", Some(other_iss.as_str().into()))])?,
    );
    add(
        "iss-prefix",
        Some(Reject::Issuer),
        "iss is the expected issuer with more after it: catches prefix and substring comparisons",
        by_kit(
            "iss-prefix",
            &[("iss", Some(format!("{}.attacker.example", opts.iss).into()))],
        )?,
    );
    add(
        "missing-iss",
        Some(Reject::MissingClaim("iss".into())),
        "no iss: a verifier that has an issuer must demand it",
        by_kit("missing-iss", &[("iss", None)])?,
    );
    add(
        "iss-array",
        Some(Reject::InvalidClaim("iss".into())),
        "iss as an array holding the expected issuer (RFC 7519 §4.1.1: a string): catches loose comparisons",
        by_kit("iss-array", &[("iss", Some(json!([opts.iss])))])?,
    );
    {
        // The expected iss first and another last: a parser that keeps the
        // first sees the right issuer, one that keeps the last (as
        // JavaScript's JSON.parse does) a wrong one. serde_json cannot hold
        // both, so the second member is appended to its output.
        let mut payload = json_bytes(&claims.base("duplicate-iss"))?;
        payload.pop();
        payload.extend_from_slice(b",\"iss\":");
        payload.extend_from_slice(&serde_json::to_vec(&other_iss)?);
        payload.push(b'}');
        add(
            "duplicate-iss",
            Some(Reject::Malformed),
            "two iss members, the expected one first (RFC 7519 §4: reject, or use the last): a parser keeping the first is fooled",
            compact(&json_bytes(&key.header())?, &payload, &signer)?,
        );
    }

    // Signatures.
    let (h, p, s) = parts(&valid)?;
    let mut bad = unb64(s).ok_or_else(|| anyhow!("internal error: signature"))?;
    let middle = bad.len() / 2;
    if let Some(byte) = bad.get_mut(middle) {
        *byte ^= 0x01;
    }
    add(
        "bad-signature",
        Some(Reject::BadSignature),
        "the valid token with one bit of its signature flipped",
        format!("{h}.{p}.{}", b64(&bad)),
    );
    let tampered = claims.with("admin", &[]);
    add(
        "tampered-payload",
        Some(Reject::BadSignature),
        "the valid token's payload changed (sub \"admin\") under its original signature",
        format!("{h}.{}.{s}", b64(&json_bytes(&tampered)?)),
    );
    add(
        "signature-stripped",
        Some(Reject::BadSignature),
        "the valid token with an empty signature: an empty signature is never a valid one",
        format!("{h}.{p}."),
    );
    add(
        "signed-by-another-key",
        Some(Reject::BadSignature),
        "the kit key's kid, signed by another key of the same type: a valid signature, by the wrong key",
        signed(
            &key.header(),
            &claims.base("signed-by-another-key"),
            &other_signer,
        )?,
    );
    add(
        "no-kid-signed-by-another-key",
        Some(Reject::BadSignature),
        "no kid, signed by another key: every key of the set is tried and none verifies",
        signed(
            &header(key.alg.name(), None),
            &claims.base("no-kid-signed-by-another-key"),
            &other_signer,
        )?,
    );
    add(
        "unknown-kid",
        Some(Reject::UnknownKid),
        "signed by a key that is not in the set, naming its own kid",
        signed(&other.header(), &claims.base("unknown-kid"), &other_signer)?,
    );
    {
        let mut hdr = key.header();
        hdr.insert("kid".into(), json!(12345));
        add(
            "kid-not-string",
            Some(Reject::Malformed),
            "kid as a number (RFC 7515 §4.1.4: a string)",
            signed(&hdr, &claims.base("kid-not-string"), &signer)?,
        );
    }

    // Algorithms.
    let unsigned = |alg: &str, name: &str| -> Result<String> {
        let input = signing_input(
            &json_bytes(&header(alg, Some(&key.kid)))?,
            &json_bytes(&claims.base(name))?,
        );
        Ok(format!("{input}."))
    };
    add(
        "alg-none",
        Some(Reject::AlgNotAllowed),
        "alg none with no signature (RFC 7518 §3.6): an unsecured JWT must never pass as a signed one",
        unsigned("none", "alg-none")?,
    );
    add(
        "alg-none-uppercase",
        Some(Reject::AlgNotAllowed),
        "alg NONE: a check for exactly \"none\" misses it; accept only the algorithms the key is for",
        unsigned("NONE", "alg-none-uppercase")?,
    );
    let hmac = |name: &str, secret: &[u8]| -> Result<String> {
        let input = signing_input(
            &json_bytes(&header("HS256", Some(&key.kid)))?,
            &json_bytes(&claims.base(name))?,
        );
        let mac = crypto::hmac_sha256(secret, input.as_bytes())?;
        Ok(format!("{input}.{}", b64(&mac)))
    };
    let public_jwk = key.jwk.to_public();
    add(
        "hmac-public-key-pem",
        Some(Reject::AlgNotAllowed),
        "HS256 keyed with the kit key's public PEM: algorithm confusion, a verifier using the token's alg with its public key",
        hmac("hmac-public-key-pem", &crypto::to_pem(&key.jwk, false)?)?,
    );
    add(
        "hmac-public-key-jwk",
        Some(Reject::AlgNotAllowed),
        "HS256 keyed with the kit key's public JWK as jwks.json holds it: the same confusion",
        hmac(
            "hmac-public-key-jwk",
            &serde_json::to_vec(&Value::Object(public_jwk.clone()))?,
        )?,
    );
    {
        // The algorithm names are case-sensitive (RFC 7515 §4.1.1).
        let lower = key.alg.name().to_lowercase();
        add(
            "alg-lowercase",
            Some(Reject::AlgNotAllowed),
            "the key's algorithm in lower case, signed with it (RFC 7515 §4.1.1: names are case-sensitive)",
            signed(
                &header(&lower, Some(&key.kid)),
                &claims.base("alg-lowercase"),
                &signer,
            )?,
        );
    }
    let mismatch = match sibling_alg(key.alg) {
        // The kit key itself under another algorithm: a verifier that does
        // not hold each key to its own alg accepts this signature.
        Some(alg) => signed(
            &header(alg.name(), Some(&key.kid)),
            &claims.base("alg-mismatch"),
            &key.signer(alg)?,
        )?,
        // A key of another type claiming the kit key's kid.
        None => {
            let foreign = if key.alg == Alg::EdDsa {
                Alg::Es256
            } else {
                Alg::EdDsa
            };
            let foreign = KitKey::generate(foreign)?;
            signed(
                &header(foreign.alg.name(), Some(&key.kid)),
                &claims.base("alg-mismatch"),
                &foreign.signer(foreign.alg)?,
            )?
        }
    };
    add(
        "alg-mismatch",
        Some(Reject::AlgMismatch),
        "the kit key's kid with an algorithm other than the key's alg (RFC 7517 §4.4): key and algorithm confusion",
        mismatch,
    );

    // Headers that bring their own key (RFC 7515 §4.1.2-§4.1.6), signed by
    // the unpublished key they point at.
    let key_header = |member: &str, value: Value| -> Result<String> {
        let mut hdr = other.header();
        hdr.insert(member.into(), value);
        signed(
            &hdr,
            &claims.base(&format!("{member}-header")),
            &other_signer,
        )
    };
    let jwk_token = key_header("jwk", Value::Object(other.jwk.to_public()))?;
    let jku_token = key_header("jku", "https://attacker.example/jwks.json".into())?;
    let x5u_token = key_header("x5u", "https://attacker.example/cert.pem".into())?;
    let certificate =
        crypto::self_signed_certificate(&other.jwk, "attacker.example", claims.iat - 3600)?;
    let x5c_token = key_header("x5c", json!([STANDARD.encode(certificate)]))?;
    add(
        "jwk-header",
        Some(Reject::UntrustedHeader("jwk")),
        "the token carries its own public key in jwk and is signed by it: keys come from the verifier's set, never the token",
        jwk_token,
    );
    add(
        "jku-header",
        Some(Reject::UntrustedHeader("jku")),
        "jku points at the attacker's JWK Set: a verifier must not fetch keys from a URL the token names",
        jku_token,
    );
    add(
        "x5u-header",
        Some(Reject::UntrustedHeader("x5u")),
        "x5u points at the attacker's certificate: a verifier must not fetch keys from a URL the token names",
        x5u_token,
    );
    add(
        "x5c-header",
        Some(Reject::UntrustedHeader("x5c")),
        "x5c carries a self-signed certificate of the signing key: the token brings its own key",
        x5c_token,
    );
    {
        let mut hdr = key.header();
        hdr.insert("crit".into(), json!(["urn:example:must-understand"]));
        hdr.insert("urn:example:must-understand".into(), Value::Bool(true));
        add(
            "crit-header",
            Some(Reject::Crit),
            "crit names an extension the verifier does not know (RFC 7515 §4.1.11: it must reject)",
            signed(&hdr, &claims.base("crit-header"), &signer)?,
        );
    }
    {
        // RFC 7797 §6 has b64 listed in crit. The payload part is base64url
        // text, so the signed bytes are those of a normal token; under
        // b64 false that text itself would be the payload.
        let mut hdr = key.header();
        hdr.insert("b64".into(), Value::Bool(false));
        hdr.insert("crit".into(), json!(["b64"]));
        add(
            "b64-false",
            Some(Reject::Crit),
            "an unencoded payload (RFC 7797, b64 false listed in crit): JWTs never use it, and crit must be understood",
            signed(&hdr, &claims.base("b64-false"), &signer)?,
        );
    }
    {
        let token = by_kit("json-serialization", &[])?;
        let (h, p, s) = parts(&token)?;
        let flattened = json!({"protected": h, "payload": p, "signature": s});
        add(
            "json-serialization",
            Some(Reject::JsonSerialization),
            "a validly signed flattened JWS JSON serialization: JWTs use the compact form only (RFC 7519 §1)",
            flattened.to_string(),
        );
        add(
            "missing-signature-part",
            Some(Reject::Malformed),
            "header.payload with no third part (RFC 7515 §7.1: three parts)",
            format!("{h}.{p}"),
        );
    }

    let kit = Kit {
        jwks: json!({ "keys": [public_jwk] }),
        cases,
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
        let keys = KeySet::parse(self.jwks_text().as_bytes())?;
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
