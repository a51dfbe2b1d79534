//! `import`: a private key from a PEM or JWK file becomes a new key of the
//! store, exactly as `rotate` adds a generated one (`KeyStore::add_key`).

use anyhow::{Result, anyhow, bail};
use serde_json::{Map, Value};

use crate::alg::{Alg, MIN_RSA_BITS, NotAKeyType};
use crate::backend;
use crate::cli::ImportArgs;
use crate::clock;
use crate::context::Ctx;
use crate::crypto;
use crate::crypto::keycheck::{self, Admitted, Depth, Flaw, Refusal, Role};
use crate::error::Outcome;
use crate::input;
use crate::jwk::{self, Jwk, Member, Members};
use crate::output::Output;
use crate::store::StoredKey;
use crate::strict::{RawMembers, Strict, check_text};

/// A key read from a file, before the store is touched.
struct Imported {
    jwk: Jwk,
    alg: Alg,
    kid: String,
}

pub fn run(args: &ImportArgs, ctx: &Ctx, out: &mut Output) -> Result<Outcome> {
    let name = args.file.display().to_string();
    let bytes = input::read(&args.file, input::KEY_FILE)?;
    let key = read_key(&bytes, args).map_err(|e| anyhow!("{name}: {e:#}"))?;
    let Imported { jwk, alg, kid } = key;
    let thumbprint = jwk.thumbprint()?;
    let stored = StoredKey::new(jwk, alg, kid.clone(), ctx.now, ctx.now);
    let (signs_from, now) = backend::update(ctx, |store, now| {
        // The same key under any kid is the likelier mistake than a kid
        // clash, so it is named first.
        if let Some(same) = store
            .keys
            .iter()
            .find(|k| k.jwk.thumbprint().ok().as_deref() == Some(thumbprint.as_str()))
        {
            bail!(
                "{name}: this key is already in the store as kid {:?} (nothing to import)",
                same.kid()
            );
        }
        store
            .add_key(stored.stamped(now), now, args.publish_ahead)
            .map_err(|e| anyhow!("{name}: {e:#}"))?;
        let signs_from = store.find(&kid).map(|i| store.keys[i].times.signs_from);
        Ok((signs_from.unwrap_or(now), now))
    })?;
    super::print_saved_kid(out, &kid)?;
    if signs_from > now {
        out.status(format_args!(
            "imported {alg} key {kid} from {name}: pending, signs from {} ({})",
            clock::format(signs_from),
            super::rotate::PUBLISH
        ));
    } else {
        out.status(format_args!(
            "imported {alg} key {kid} from {name}: it signs from now on"
        ));
    }
    Ok(Outcome::Done)
}

/// Reads, checks and names the key: everything but the store.
fn read_key(bytes: &[u8], args: &ImportArgs) -> Result<Imported> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        anyhow!(
            "not text: import reads PEM or JWK (convert DER first, e.g. 'openssl pkey -inform DER -in FILE')"
        )
    })?;
    let trimmed = text.trim_start();
    let (material, own_alg, own_kid) = if trimmed.starts_with('{') {
        from_jwk(trimmed)?
    } else if text.contains("-----BEGIN ") {
        (crypto::private_key_from_pem(text)?, None, None)
    } else {
        bail!("neither PEM nor a JWK (import reads a PEM private key or a private JWK)");
    };
    let mut jwk = Jwk::from_map(material);
    let kty = jwk.kty().unwrap_or_default().to_owned();
    // PEM keys meet the checks here; a JWK met them in from_jwk already.
    let key_type = admit(&jwk)?.key_type;
    let alg = match (args.alg, own_alg) {
        (Some(flag), Some(own)) if flag != own => bail!(
            "--alg {flag} differs from the key's own \"alg\" {own} (drop --alg, or edit the JWK)"
        ),
        (Some(alg), _) | (None, Some(alg)) => alg,
        (None, None) => key_type.default_alg(),
    };
    jwk.check_fits(alg).map_err(|why| {
        anyhow!("--alg {alg} does not fit this key: {why} (choose an algorithm for an {kty} key)")
    })?;
    jwk.set("use", Value::from("sig"));
    let kid = match args.kid.clone().or(own_kid) {
        Some(kid) => kid,
        None => jwk.thumbprint()?,
    };
    Ok(Imported { jwk, alg, kid })
}

/// The key's admission (the checks every key of the store passes, in
/// full), in `import`'s words.
fn admit(jwk: &Jwk) -> Result<Admitted> {
    let refusal = match keycheck::admit(jwk, Role::Import, Depth::Full) {
        Ok(admitted) => return Ok(admitted),
        Err(refusal) => refusal,
    };
    let kty = jwk.kty().unwrap_or_default();
    match refusal {
        Refusal::Type(NotAKeyType::Symmetric) => bail!(
            "a symmetric key (kty \"oct\"): HMAC is never accepted here (import an RSA, EC or Ed25519 private key)"
        ),
        Refusal::Type(NotAKeyType::NoKty) => bail!("not a JWK: no \"kty\""),
        Refusal::Type(_) => bail!("key type {kty:?} is not supported (RSA, EC or OKP)"),
        Refusal::Use(usage) => bail!(
            "the key is marked \"use\": {usage}, not \"sig\" (a key meant for encryption must not sign)"
        ),
        Refusal::KeyOps => bail!("its \"key_ops\" do not allow signing"),
        Refusal::UnknownAlg(name) => bail!("its \"alg\" {name:?} cannot sign JWTs here"),
        Refusal::Curve(NotAKeyType::OkpCurve(crv), _) => bail!(
            "an OKP key on curve {:?}: EdDSA here means Ed25519 only",
            crv.unwrap_or_default()
        ),
        Refusal::Curve(_, _) => bail!(
            "an EC key on curve {:?}, which no algorithm here uses (use P-256, P-384 or P-521)",
            jwk.crv().unwrap_or_default()
        ),
        Refusal::Unfit { alg, why } => {
            bail!("--alg {alg} does not fit this key: {why} (choose an algorithm for an {kty} key)")
        }
        Refusal::NotPrivate => {
            bail!("holds only a public key (no \"d\"); import needs the private key")
        }
        Refusal::Flaw(Flaw::RsaTooSmall(bits)) => bail!(
            "an RSA key of {bits} bits is refused: RSA keys need at least {MIN_RSA_BITS} bits (import a larger key, or make one with 'jwkctl rotate')"
        ),
        Refusal::Flaw(Flaw::Mismatch) => bail!("{}", Flaw::Mismatch),
        Refusal::Flaw(flaw) => bail!(
            "{flaw}: such a key is refused (import another key, or make one with 'jwkctl rotate')"
        ),
    }
}

/// Key members, and the JWK's own `alg` and `kid`.
type FromJwk = (Map<String, Value>, Option<Alg>, Option<String>);

/// A private JWK: its key members (rebuilt through OpenSSL), and its own
/// `alg` and `kid` when it has them.
fn from_jwk(text: &str) -> Result<FromJwk> {
    let not_a_jwk = || {
        anyhow!("not a JWK: not a JSON object, or a member name repeats (expected {{\"kty\":...}})")
    };
    // Checked whole (no name twice at any depth), then read as the store
    // reads a key: what import does not read stays text, so a large
    // unknown member costs its size, not a JSON tree of it.
    check_text(text).map_err(|_| not_a_jwk())?;
    let RawMembers(given) = serde_json::from_str(text).map_err(|_| not_a_jwk())?;
    if given.iter().any(|(name, _)| name == "keys") {
        bail!(
            "a JWK Set: import takes one key (extract it, e.g. jq '.keys[0]' FILE, or use 'jwkctl export --private' output)"
        );
    }
    let mut members = Members::default();
    for (name, raw) in given {
        let value = if jwk::is_read(&name, raw.get()) {
            let Strict(value) = serde_json::from_str(raw.get()).map_err(|_| not_a_jwk())?;
            Member::from(value)
        } else {
            Member::from(raw)
        };
        members.push(jwk::name(&name), value);
    }
    let jwk = Jwk::from_members(members, None);
    // On the members as given: OpenSSL's rebuild below would replace a
    // public half that does not fit, or fail on it with its own words.
    let admitted = admit(&jwk)?;
    let alg = admitted.named.then_some(admitted.alg);
    if jwk.member("kid").is_some_and(|kid| !kid.is_string()) {
        bail!("its \"kid\" is not a string (write it as a string, or give one with --kid)");
    }
    let kid = jwk.kid().map(str::to_owned);
    if kid
        .as_deref()
        .is_some_and(|k| k.is_empty() || k.chars().any(char::is_control))
    {
        bail!("its \"kid\" is empty or not printable (give one with --kid)");
    }
    let material = crypto::private_key_from_jwk(&jwk)?;
    // OpenSSL derives some public members from the private ones (Ed25519's
    // x): a JWK that says otherwise is inconsistent, not to be "fixed".
    for (name, value) in &material {
        if jwk.member(name).is_some_and(|given| given != value) {
            bail!("its private and public members do not belong to one key");
        }
    }
    Ok((material, alg, kid))
}
