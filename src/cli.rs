//! The command line, as clap definitions only: the doc comments are the help
//! text, and the man pages and completions are generated from them.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueHint};

use crate::alg::{Alg, RSA_BITS};
use crate::claims::When;
use crate::clock;
use crate::location::Location;
use crate::signer::SignerKey;
use clap::builder::TypedValueParser;

const EXIT_STATUS: &str = "\
Exit status:
  0  done; for verify, every token is valid; for rotate --if-older-than, also when nothing was due
  1  verify: a token was rejected (bad signature, expired, wrong audience ...);
     check: a problem was found
  2  usage or input error: bad flags, unreadable or malformed key store or JWK Set,
     unreachable URL, refused overwrite, lock not obtained";

/// Own a JWT signing key store end to end: create keys, publish their public
/// half as a JWK Set, sign and verify tokens.
#[derive(Debug, Parser)]
#[command(name = "jwkctl", version, after_long_help = EXIT_STATUS, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

// After each subcommand's own options in its help and man page.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine
    ///
    /// For vault:, the server and token come from VAULT_ADDR, VAULT_TOKEN
    /// (else ~/.vault-token), VAULT_CACERT and VAULT_NAMESPACE.
    #[arg(short, long, global = true, display_order = 100, env = "JWKCTL_KEYS", default_value = "keys.json", value_name = "STORE", value_hint = ValueHint::FilePath, value_parser = clap::builder::OsStringValueParser::new().try_map(Location::parse))]
    pub keys: Location,

    /// Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)
    ///
    /// For tests, audits and replaying cron schedules.
    #[arg(long, global = true, display_order = 100, env = "JWKCTL_NOW", value_name = "TIME", value_parser = parse_now)]
    pub now: Option<clock::Time>,

    /// No status lines on stderr (errors and rejections are still shown)
    #[arg(short, long, global = true, display_order = 100)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Keygen(KeygenArgs),
    Jwks(JwksArgs),
    Sign(SignArgs),
    Verify(VerifyArgs),
    Rotate(RotateArgs),
    Prune(PruneArgs),
    Revoke(RevokeArgs),
    List(ListArgs),
    Inspect(InspectArgs),
    Export(ExportArgs),
    Import(ImportArgs),
    Fixtures(FixturesArgs),
    Completions(CompletionsArgs),
    Check(CheckArgs),
    Serve(ServeArgs),
}

/// Create the key store with one active signing key, and print its kid
///
/// The kid defaults to the key's RFC 7638 thumbprint (SHA-256, base64url).
/// An existing store is never replaced without --force.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    #[command(flatten)]
    pub key: NewKeyArgs,

    /// The longest token lifetime `sign` will issue from this store
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = parse_hours)]
    pub max_ttl: Duration,

    /// Replace an existing key store (its keys are lost)
    #[arg(long)]
    pub force: bool,
}

/// How to make a new key (keygen, and later rotate).
#[derive(Debug, Args)]
pub struct NewKeyArgs {
    /// Signing algorithm of the new key [default: RS256]
    // rotate states its own defaults (mut_arg on RotateArgs).
    #[arg(long, value_parser = AlgParser, ignore_case = true, value_name = "ALG")]
    pub alg: Option<Alg>,

    /// RSA key size: 2048, 3072 or 4096 [default: 2048]
    #[arg(long, value_name = "N", value_parser = parse_bits)]
    pub bits: Option<u32>,

    /// Key id of the new key instead of its RFC 7638 thumbprint
    #[arg(long, value_name = "KID", allow_hyphen_values = true, value_parser = parse_kid)]
    pub kid: Option<String>,

    /// Keep the new key's private half in OpenBao/Vault transit
    /// (transit:MOUNT/NAME, server and token from VAULT_*); the store holds
    /// its public half
    #[arg(long, value_name = "SIGNER", value_parser = SignerKey::parse)]
    pub signer: Option<SignerKey>,
}

/// Print the public JWK Set: every key a verifier must accept now
///
/// Active first, then pending, then retired, with only public members
/// (kty kid use alg, and n e or crv x y). Never a private member.
#[derive(Debug, Args)]
pub struct JwksArgs {
    /// Replace FILE atomically (mode 0644, or FILE's existing mode) instead of printing
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub out: Option<PathBuf>,
}

/// Print a signed JWT (compact JWS) from the active key
///
/// Claims: iat = now (or --iat), exp = now + --ttl (or --exp). --claims is
/// merged first, then --claim, then the other flags, which win. The iat,
/// exp, nbf and jti that sign sets replace any that --claims or --claim
/// gave; a note on stderr names them.
///
/// TIME is RFC 3339 (like 2026-01-02T03:04:05Z) or Unix seconds, in the past
/// or the future: for test tokens that are expired or not yet valid.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// Token lifetime (like 15m, 1h, 1d); at most the store's max token lifetime [default: 1h, or that maximum when shorter]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub ttl: Option<Duration>,

    /// Expiry (exp) at TIME instead of now + --ttl; at most now + the store's max token lifetime
    #[arg(long, value_name = "TIME", value_parser = parse_now, conflicts_with = "ttl")]
    pub exp: Option<clock::Time>,

    /// Issued-at time (iat) instead of now
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub iat: Option<clock::Time>,

    /// The subject claim (sub)
    #[arg(long, value_name = "SUB")]
    pub sub: Option<String>,

    /// The issuer claim (iss)
    #[arg(long, value_name = "ISS")]
    pub iss: Option<String>,

    /// An audience (aud); repeat for several, which makes aud an array
    #[arg(long, value_name = "AUD")]
    pub aud: Vec<String>,

    /// Not valid before TIME, or before now + DURATION (nbf)
    #[arg(long, value_name = "TIME|DURATION", value_parser = parse_time_or_duration)]
    pub nbf: Option<When>,

    /// Add a random token id (jti), fresh for every token
    #[arg(long)]
    pub jti: bool,

    /// A claim NAME=VALUE; VALUE is parsed as JSON when it is valid JSON, else taken as a string (repeatable)
    #[arg(long, value_name = "NAME=VALUE")]
    pub claim: Vec<String>,

    /// Claims as a JSON object: inline, @FILE, or - for stdin
    #[arg(long, value_name = "JSON|@FILE|-")]
    pub claims: Option<OsString>,

    /// Sign with this key (the active key or a pending one; a retired key is refused)
    #[arg(long, value_name = "KID", allow_hyphen_values = true)]
    pub kid: Option<String>,

    /// Print N tokens, one per line
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub count: u64,
}

/// Verify a token and print its claims as one JSON line
///
/// On rejection prints `jwkctl: invalid token: REASON` on stderr, with what
/// is wrong in parentheses where that helps, and exits 1.
/// Never trusted: alg none, HMAC, jwk/jku/x5u/x5c headers, crit, b64: false,
/// JSON serialization.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The token; read from stdin when absent or - (surrounding whitespace and a Bearer prefix are ignored)
    // Not a String: an argument that is not UTF-8 is a malformed token
    // (exit 1), as on stdin, not a usage error.
    #[arg(value_name = "TOKEN", value_parser = clap::value_parser!(std::ffi::OsString))]
    pub token: Option<std::ffi::OsString>,

    /// Where the keys come from: a JWK Set or JWK file, or an https:// URL [default: the key store]
    ///
    /// A URL is fetched once per run (also with --batch): https:// only
    /// (http:// for loopback hosts), 10 s for the whole fetch, at most 1 MiB,
    /// at most 3 redirects and only to https://. The OS root certificates
    /// are trusted, plus --ca-file.
    #[arg(long, value_name = "SOURCE", value_hint = ValueHint::FilePath)]
    pub jwks: Option<OsString>,

    /// Also trust the CA certificates in FILE (PEM) for an https:// --jwks URL
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub ca_file: Option<PathBuf>,

    /// Accept only this algorithm (repeatable)
    #[arg(long, value_parser = AlgParser, ignore_case = true, value_name = "ALG")]
    pub alg: Vec<Alg>,

    /// Clock tolerance for exp and nbf
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_seconds)]
    pub leeway: Duration,

    /// Accept tokens without exp
    #[arg(long)]
    pub allow_no_exp: bool,

    /// Require this issuer (iss)
    #[arg(long, value_name = "ISS")]
    pub iss: Option<String>,

    /// Require this subject (sub)
    #[arg(long, value_name = "SUB")]
    pub sub: Option<String>,

    /// Accept this audience (repeatable: any one matching is enough); a token with aud needs one
    #[arg(long, value_name = "AUD")]
    pub aud: Vec<String>,

    /// Require this claim to be present (repeatable)
    #[arg(long, value_name = "NAME")]
    pub require: Vec<String>,

    /// Read one token per line from stdin (jwkctl verify --batch < FILE) and print one JSON result per line
    ///
    /// Each result is {"line":N,"valid":true,"claims":{...}} or
    /// {"line":N,"valid":false,"error":"REASON","detail":"..."} ("detail"
    /// only when there is one), N the input line, blank lines counted and
    /// skipped. Exit status: 0 when every token is valid, 1 when any was
    /// rejected, 2 when the input holds no token at all.
    #[arg(long)]
    pub batch: bool,
}

/// Add a new signing key and print its kid
///
/// Without --publish-ahead the new key signs from now on and the active key
/// retires now. With it, the new key is pending: published by `jwks` at
/// once, signing only from now + DURATION, when the active key retires, so
/// caches of the JWK Set hold the new key before any token uses it. At most
/// one key is pending.
///
/// For cron: `jwkctl rotate --if-older-than 30d --publish-ahead 1d` rotates
/// once a month however often it runs.
///
/// With --await-published, the new key takes over only once every SOURCE
/// lists it and the caches those sources announce have had time to expire;
/// each run (a not-due one too) first looks whether they list it yet.
#[derive(Debug, Args)]
#[command(
    mut_arg("alg", |a| a
        .help("Signing algorithm of the new key [default: the active key's]")),
    mut_arg("bits", |a| a
        .help("RSA key size: 2048, 3072 or 4096 [default: the active key's size when it is RSA, else 2048]")),
    mut_arg("signer", |a| a
        .help("Keep the new key's private half in OpenBao/Vault transit (transit:MOUNT/NAME, server and token from VAULT_*) [default: the active key's signer]")),
)]
pub struct RotateArgs {
    #[command(flatten)]
    pub key: NewKeyArgs,

    /// Rotate only when the newest key was created more than DURATION ago; otherwise change nothing and exit 0
    #[arg(long, value_name = "DURATION", value_parser = parse_days)]
    pub if_older_than: Option<Duration>,

    /// Publish the new key now but sign with it only from now + DURATION
    #[arg(long, value_name = "DURATION", value_parser = parse_days)]
    pub publish_ahead: Option<Duration>,

    /// Change the store's max token lifetime
    #[arg(long, value_name = "DURATION", value_parser = parse_hours)]
    pub max_ttl: Option<Duration>,

    /// Let the new key sign only once SOURCE (the file or URL verifiers fetch) lists it and its caches expired (repeatable)
    #[arg(long, value_name = "SOURCE", value_hint = ValueHint::FilePath, requires = "publish_ahead")]
    pub await_published: Vec<String>,

    /// Also trust the CA certificates in FILE (PEM) for https:// --await-published URLs
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub ca_file: Option<PathBuf>,

    /// End the pending key's wait for its --await-published sources: it signs from its signs_from, or now when that has passed
    #[arg(long, conflicts_with_all = ["if_older_than", "publish_ahead", "await_published", "max_ttl", "alg", "bits", "kid"])]
    pub skip_await: bool,
}

/// Remove keys retired for longer than the grace period, printing each kid
///
/// The default and the minimum grace is the store's max token lifetime plus
/// 5 minutes of clock skew: a token signed just before retirement lives that
/// long. Never removes the active key or a pending key.
#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Remove keys retired for longer than DURATION (at least the default)
    #[arg(long, value_name = "DURATION", value_parser = parse_days)]
    pub older_than: Option<Duration>,

    /// Print what would be removed; change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// Remove a key at once (the emergency path)
///
/// Revoking the active key first puts a replacement in place and prints its
/// kid: the pending key, made active at once, when there is one; otherwise
/// a new key of the same algorithm, as `rotate` would make.
#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The key to remove
    // A thumbprint is base64url: one in 64 starts with '-'.
    #[arg(value_name = "KID", allow_hyphen_values = true)]
    pub kid: String,
}

/// Show every key: kid, alg, state, created, signs from, retired, prunable after
///
/// One line per key in store order (active, pending, retired); "-" where a
/// time does not apply. On a terminal a header line comes first.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// One JSON object per line, for monitoring
    #[arg(long)]
    pub json: bool,
}

/// Decode a token WITHOUT verifying it and print {"header":..,"claims":..}
///
/// Nothing is checked: not the signature, not the times. A warning saying
/// so always goes to stderr, even with -q, with iat, nbf and exp as RFC 3339
/// times and whether the token is expired at the current time (--now). Input
/// that is not a compact JWS with JSON header and claims exits 2.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The token; read from stdin when absent or -
    #[arg(value_name = "TOKEN")]
    pub token: Option<OsString>,
}

/// Print one key of the store: a public JWK, or SPKI PEM with --pem
///
/// The public JWK has only the members jwks publishes. --private prints the
/// private key instead (a JWK without the store's bookkeeping, or PKCS#8 PEM
/// with --pem): the only way private key material leaves the store.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The key to print [default: the active key]
    #[arg(value_name = "KID", allow_hyphen_values = true)]
    pub kid: Option<String>,

    /// PEM instead of a JWK: SPKI public key, or PKCS#8 with --private
    #[arg(long)]
    pub pem: bool,

    /// Print the PRIVATE key (keep the output as secret as the store)
    #[arg(long)]
    pub private: bool,

    /// Write FILE atomically instead of printing: mode 0600 with --private, else 0644 (or FILE's existing mode)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub out: Option<PathBuf>,
}

/// Add a private key from a PEM or JWK file as a new key, and print its kid
///
/// PEM: PKCS#8 (BEGIN PRIVATE KEY), PKCS#1 (BEGIN RSA PRIVATE KEY) or SEC1
/// (BEGIN EC PRIVATE KEY), unencrypted. JWK: a private JWK, like `export
/// --private` prints. The key is added as rotate adds a generated one: it
/// signs from now on and the active key retires, or with --publish-ahead it
/// is pending. The kid is --kid, else the JWK's own kid, else the RFC 7638
/// thumbprint. RSA keys under 2048 bits, public keys and keys already in the
/// store are refused.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The key file (PEM or JWK); - reads stdin
    #[arg(value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub file: PathBuf,

    /// Signing algorithm; needed only where the key does not fix it [default: the JWK's alg, else RS256 for RSA, ES256/ES384/ES512 by curve, EdDSA for Ed25519]
    #[arg(long, value_parser = AlgParser, ignore_case = true, value_name = "ALG")]
    pub alg: Option<Alg>,

    /// Key id instead of the JWK's kid or the RFC 7638 thumbprint
    #[arg(long, value_name = "KID", allow_hyphen_values = true, value_parser = parse_kid)]
    pub kid: Option<String>,

    /// Publish the key now but sign with it only from now + DURATION (pending)
    #[arg(long, value_name = "DURATION", value_parser = parse_days)]
    pub publish_ahead: Option<Duration>,
}

/// Write a test kit for a JWT verifier: a JWK Set, tokens and a manifest
///
/// Into DIR (created; an existing non-empty DIR is refused): jwks.json, the
/// public half of a key made for the kit and then discarded (never a key of
/// the store, which is not needed); one NAME.jwt per token, the token alone
/// without a newline; and manifest.json, a JSON array of {"name", "file",
/// "expect": "valid"|"invalid", "reason", "why"}, reason being what
/// 'jwkctl verify --jwks DIR/jwks.json --iss ISS --aud AUD' says (null for
/// the valid token) and why the attack or RFC rule. One token is valid for
/// --ttl from now; every other one must be rejected.
#[derive(Debug, Args)]
pub struct FixturesArgs {
    /// The folder to write the kit into
    #[arg(value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub dir: PathBuf,

    /// The algorithm of the kit's key (the verifier's)
    #[arg(
        long,
        value_parser = AlgParser,
        ignore_case = true,
        value_name = "ALG",
        default_value = "RS256"
    )]
    pub alg: Alg,

    /// The issuer the verifier expects
    #[arg(long, value_name = "ISS", default_value = "https://issuer.example")]
    pub iss: String,

    /// The audience the verifier expects
    #[arg(long, value_name = "AUD", default_value = "api")]
    pub aud: String,

    /// How long the valid token is valid, from now
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = parse_hours)]
    pub ttl: Duration,
}

/// Print the completion script for SHELL
///
/// The same text as the files in the repository's completions/ folder.
/// To install it for your user, for example:
///
///   jwkctl completions bash > ~/.local/share/bash-completion/completions/jwkctl
///   jwkctl completions zsh > ~/.zfunc/_jwkctl   # with ~/.zfunc in $fpath
///   jwkctl completions fish > ~/.config/fish/completions/jwkctl.fish
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_name = "SHELL", value_enum, ignore_case = true)]
    pub shell: clap_complete::Shell,
}

/// Serve the public JWK Set over HTTP until SIGINT or SIGTERM
///
/// GET or HEAD /.well-known/jwks.json and /jwks return what `jwks` prints
/// at the time of the request, with a strong ETag, Cache-Control and
/// Access-Control-Allow-Origin: *. The store is re-read when it changes, so
/// rotate, prune and revoke take effect without a restart; a pending key
/// starts signing without any command. One line per request on stderr.
/// No TLS: for development, or behind a reverse proxy or CDN.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Listen on ADDR (IP:PORT; port 0 picks a free port, shown on stderr)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: String,

    /// Also serve /.well-known/openid-configuration for this issuer (an https:// or http:// URL)
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,

    /// How long caches may hold the published set: sent as Cache-Control max-age (keep it below the --publish-ahead of your rotations; give check --cache-ttl the same)
    #[arg(long, value_name = "DURATION", default_value = CACHE_TTL, value_parser = parse_duration)]
    pub cache_ttl: Duration,
}

/// How long caches may hold the published set, unless told: `serve` sends
/// it as max-age and `check` expects it of the caches, so one default.
const CACHE_TTL: &str = "5m";

/// `--alg`: one of the ten algorithms, as clap's value enum reads it, with
/// a pointer for the names people try first: clap's closest match would
/// offer ES256 for HS256, and nothing for ed25519.
#[derive(Clone, Debug)]
pub struct AlgParser;

impl clap::builder::TypedValueParser for AlgParser {
    type Value = Alg;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Alg, clap::Error> {
        if let Some(hint) = value.to_str().and_then(alg_hint) {
            let refuse = move |_: &str| Err::<Alg, String>(hint.clone());
            return refuse.parse_ref(cmd, arg, value);
        }
        clap::builder::EnumValueParser::<Alg>::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        use clap::ValueEnum;
        Some(Box::new(
            Alg::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value),
        ))
    }
}

/// What to say about an algorithm name jwkctl does not take but knows.
fn alg_hint(name: &str) -> Option<String> {
    let all = Alg::ALL.map(Alg::name).join(", ");
    let lower = name.trim().to_ascii_lowercase();
    let hmac = lower == "hmac"
        || lower
            .strip_prefix("hs")
            .is_some_and(|bits| !bits.is_empty() && bits.bytes().all(|b| b.is_ascii_digit()));
    if hmac {
        return Some(format!(
            "HMAC (HS256, HS384, HS512) is not supported: its shared secret would let every verifier sign too (use one of {all})"
        ));
    }
    if lower == "none" {
        return Some(format!(
            "alg none means an unsigned token, which jwkctl never makes or accepts (use one of {all})"
        ));
    }
    if lower == "ed25519" {
        return Some("Ed25519 keys sign with the algorithm EdDSA (use --alg EdDSA)".into());
    }
    None
}

fn parse_now(s: &str) -> Result<clock::Time, String> {
    clock::parse_time(s).map_err(|e| format!("{e:#}"))
}

// A DURATION option, named by the unit its spans are usually counted in:
// that is the unit a bare number is told to add.
fn parse_seconds(s: &str) -> Result<Duration, String> {
    clock::parse_duration_in(s, "s").map_err(|e| format!("{e:#}"))
}

/// Minutes: the usual unit of a token's or a cache's lifetime.
fn parse_duration(s: &str) -> Result<Duration, String> {
    clock::parse_duration_in(s, "m").map_err(|e| format!("{e:#}"))
}

fn parse_hours(s: &str) -> Result<Duration, String> {
    clock::parse_duration_in(s, "h").map_err(|e| format!("{e:#}"))
}

fn parse_days(s: &str) -> Result<Duration, String> {
    clock::parse_duration_in(s, "d").map_err(|e| format!("{e:#}"))
}

/// `--nbf`: a TIME (a bare number is Unix seconds, as for --now) or a
/// DURATION after now (which always has a unit).
fn parse_time_or_duration(s: &str) -> Result<When, String> {
    if let Ok(t) = clock::parse_time(s) {
        return Ok(When::At(t));
    }
    match clock::parse_duration(s) {
        Ok(d) => Ok(When::After(d)),
        Err(e) if e.to_string().starts_with("months and years") => Err(format!("{e:#}")),
        Err(_) => Err(format!(
            "{:?} is neither a time (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds) nor a duration (like 90s, 15m or 24h)",
            s.trim()
        )),
    }
}

fn parse_bits(s: &str) -> Result<u32, String> {
    let bits: u32 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a number of bits"))?;
    if bits < 2048 {
        return Err(format!(
            "{bits} bits is refused: RSA keys need at least 2048"
        ));
    }
    if !RSA_BITS.contains(&bits) {
        return Err(format!("{bits} is not offered (use 2048, 3072 or 4096)"));
    }
    Ok(bits)
}

fn parse_kid(s: &str) -> Result<String, String> {
    if s.is_empty() || s.chars().any(char::is_control) {
        return Err("a kid must be non-empty printable text".into());
    }
    Ok(s.to_owned())
}

/// Tell monitoring whether rotation and publication are healthy
///
/// Reads the store without taking its lock (monitoring never blocks a
/// rotation) and compares it with each published JWK Set. Prints one line
/// per finding, `LEVEL CHECK: message`, and nothing when all is well.
/// Checks: no-active-key, rotation-overdue, prune-overdue, store-mode,
/// published-unreachable, published-missing, published-pending-missing,
/// published-unknown-key, published-private, takeover-waiting,
/// published-cache-long.
///
/// Exit status: 0 nothing found, 1 at least one finding, 2 the store
/// cannot be read (the Prometheus output then says jwkctl_check_ok 0 and
/// jwkctl_store_readable 0).
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A published JWK Set to compare with the store: a file or an https:// URL (http:// for loopback hosts), fetched as verify --jwks does, 10 s each (repeatable)
    #[arg(long, value_name = "SOURCE", value_hint = ValueHint::FilePath)]
    pub published: Vec<OsString>,

    /// Also trust the CA certificates in FILE (PEM) for https:// --published URLs
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub ca_file: Option<PathBuf>,

    /// How often the rotation job rotates (its --if-older-than); warn when the newest key is older than this plus 1 day and 2 hours, the margin of a daily job with a random delay
    #[arg(long, value_name = "DURATION", value_parser = parse_days)]
    pub rotation_period: Option<Duration>,

    /// How long caches may hold the published set (a CDN's, a verifier's; what serve --cache-ttl sends as max-age): a pending key missing from the set is critical when it signs within this
    #[arg(long, value_name = "DURATION", default_value = CACHE_TTL, value_parser = parse_duration)]
    pub cache_ttl: Duration,

    /// Output format: text lines, JSON lines, or Prometheus text exposition
    #[arg(long, value_enum, value_name = "FORMAT", default_value = "text")]
    pub format: CheckFormat,

    /// Replace FILE atomically (mode 0644) instead of printing, e.g. for node_exporter's textfile collector
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub out: Option<PathBuf>,
}

/// How `check` writes its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// One `LEVEL CHECK: message` line per finding
    Text,
    /// One JSON object per finding
    Json,
    /// Prometheus text exposition format (node_exporter textfile collector)
    Prometheus,
}

/// Global options that an environment variable may set instead: clap's
/// argument id and the variable.
const FROM_ENV: [(&str, &str); 2] = [("now", "JWKCTL_NOW"), ("keys", "JWKCTL_KEYS")];

/// Parses the process's command line. An empty `JWKCTL_NOW` or
/// `JWKCTL_KEYS` counts as unset, as `VAR= cmd` means in a shell, and a
/// bad value that came from one of them is blamed on the variable, not on
/// the flag the user never typed.
pub fn parse() -> Result<Cli, clap::Error> {
    use clap::error::{ContextKind, ErrorKind};
    use clap::{CommandFactory, FromArgMatches};

    let args: Vec<OsString> = std::env::args_os().collect();
    let command = || {
        let mut cmd = Cli::command();
        for (id, var) in FROM_ENV {
            if std::env::var_os(var).is_some_and(|v| v.is_empty()) {
                cmd = cmd.mut_arg(id, |a| a.env(None));
            }
        }
        cmd
    };
    // Parsed in place, not on a copy: copying and freeing the whole
    // command cost a one-shot command a tenth of a millisecond. Only a
    // failed parse builds it again, unparsed, for the retries below.
    let mut cmd = command();
    let err = match cmd.try_get_matches_from_mut(&args) {
        Ok(mut matches) => {
            return Cli::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut cmd));
        }
        Err(err) => err,
    };
    let cmd = command();
    if err.kind() == ErrorKind::UnknownArgument {
        return Err(lifetime_tip(err));
    }
    if err.kind() != ErrorKind::ValueValidation {
        return Err(err);
    }
    let failed = err.get(ContextKind::InvalidArg).map(ToString::to_string);
    for (id, var) in FROM_ENV {
        if failed
            .as_deref()
            .is_none_or(|f| !f.starts_with(&format!("--{id} ")))
        {
            continue;
        }
        // Without the variable, is the flag still wrong? Then the user
        // typed it. Does the flag have a value then? Then the user typed a
        // good one, which wins (clap also checks a global option's
        // variable at the subcommand). Else the value came from the
        // variable.
        let mut without = cmd.clone().mut_arg(id, |a| a.env(None));
        match without.clone().try_get_matches_from(&args) {
            Ok(matches) if matches_have(&matches, id) => {
                return Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut without));
            }
            // About the typed value, not the variable's.
            Err(e) if e.get(ContextKind::InvalidArg).map(ToString::to_string) == failed => {
                return Err(e);
            }
            _ => {
                let why = std::error::Error::source(&err)
                    .map(ToString::to_string)
                    .unwrap_or_else(|| "not a valid value".into());
                return Err(clap::Error::raw(
                    ErrorKind::ValueValidation,
                    format!("{var} in the environment: {why}\n"),
                ));
            }
        }
    }
    Err(err)
}

/// Flags people try for a token's lifetime. clap's closest match is
/// `sign --exp`, which takes a time: point to `--ttl` instead.
fn lifetime_tip(mut err: clap::Error) -> clap::Error {
    use clap::error::{ContextKind, ContextValue};
    const LIFETIME: [&str; 7] = [
        "--expires-in",
        "--expires_in",
        "--expires",
        "--expire",
        "--expiry",
        "--expiration",
        "--expire-in",
    ];
    let typed = match err.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(arg)) => arg.split('=').next().unwrap_or_default(),
        _ => return err,
    };
    let exp =
        matches!(err.get(ContextKind::SuggestedArg), Some(ContextValue::String(s)) if s == "--exp");
    if !exp || !LIFETIME.contains(&typed) {
        return err;
    }
    err.insert(
        ContextKind::SuggestedArg,
        ContextValue::String("--ttl".into()),
    );
    err.insert(
        ContextKind::Suggested,
        ContextValue::StyledStrs(vec![
            "--ttl takes a DURATION (like 15m); --exp takes a TIME (like 2026-01-02T03:04:05Z)"
                .into(),
        ]),
    );
    if let Some(ContextValue::StyledStr(usage)) = err.get(ContextKind::Usage) {
        let usage = usage
            .to_string()
            .replace("--exp <TIME>", "--ttl <DURATION>");
        err.insert(ContextKind::Usage, ContextValue::StyledStr(usage.into()));
    }
    err
}

/// Whether option `id` got a value from the command line, at the top or in
/// the subcommand (a global option may be given on either side).
fn matches_have(matches: &clap::ArgMatches, id: &str) -> bool {
    let given = |m: &clap::ArgMatches| {
        m.value_source(id)
            .is_some_and(|s| s == clap::parser::ValueSource::CommandLine)
    };
    given(matches) || matches.subcommand().is_some_and(|(_, sub)| given(sub))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definitions_are_consistent() {
        Cli::command().debug_assert();
    }
}
