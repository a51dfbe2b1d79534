//! `verify --jwks URL`: one bounded fetch of a JWK Set over HTTPS (plain
//! HTTP only on loopback), with rustls and the OS root certificates.
//!
//! Bounds: one deadline for the whole fetch (DNS, connect, TLS, redirects,
//! body), a body cap, at most [`MAX_REDIRECTS`] redirects and only to
//! `https://`. Every failure is an input error that names the URL.

use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Result, anyhow};
use ureq::Agent;
use ureq::http::{HeaderMap, Uri};
use ureq::tls::{Certificate, PemItem};

use crate::clock;
use crate::error::io_message;
use crate::http;
use crate::input;

/// The most a JWK Set answer may hold (CLI.md: 1 MiB, as for a file).
pub const MAX_BODY_BYTES: u64 = input::JWKS.cap;
/// Redirects followed, each only to `https://`.
pub const MAX_REDIRECTS: usize = 3;
/// The whole fetch, unless `JWKCTL_FETCH_TIMEOUT` says otherwise (CLI.md: 10 s).
pub const TIMEOUT: Duration = Duration::from_secs(10);
pub const ACCEPT: &str = "application/jwk-set+json, application/json";

/// True for what `--jwks` treats as a URL rather than a file name.
pub fn is_url(source: &str) -> bool {
    let lower = source.get(..8).unwrap_or(source).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// Fetches `url` and returns the body. `ca_file` adds trusted CA
/// certificates (PEM) to the OS roots.
pub fn fetch(url: &str, timeout: Duration, ca_file: Option<&Path>) -> Result<Vec<u8>> {
    fetch_answer(url, timeout, ca_file).map(|answer| answer.body)
}

/// A successful answer, with what caches read from it.
pub struct Answer {
    pub body: Vec<u8>,
    pub headers: HeaderMap,
    /// The real time it arrived (not `--now`): an `Expires` without a
    /// `Date` counts from the server's clock, which this approximates.
    pub fetched: SystemTime,
}

/// [`fetch`], keeping the answer's headers.
pub fn fetch_answer(url: &str, timeout: Duration, ca_file: Option<&Path>) -> Result<Answer> {
    // Every message below names the URL: one with a password in it is
    // refused before it can be echoed.
    if http::has_credentials(url) {
        anyhow::bail!(
            "the --jwks URL carries credentials (user:password@host), which jwkctl never sends (remove them from the URL)"
        );
    }
    let deadline = Instant::now() + timeout;
    // Refuse before any I/O: an http:// URL to another machine never even
    // resolves its name.
    let mut current = check_url(url).map_err(|what| anyhow!("{url}: {what}"))?;
    // Loading the OS root certificates costs milliseconds, which a plain
    // http:// fetch on loopback (a daily not-due `rotate` looking at a
    // local source) need not pay: that agent is made only for https://.
    let plain = http::agent(http::Tls::None, ACCEPT);
    let mut tls: Option<Agent> = None;
    let mut redirects = 0;
    // Errors name the URL given, and the one that failed after a redirect.
    let fail = |redirects: usize, at: &Uri, what: String| {
        if redirects == 0 {
            anyhow!("{url}: {what}")
        } else {
            anyhow!("{url}: redirected to {at}: {what}")
        }
    };
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(fail(redirects, &current, timeout_message(timeout)));
        }
        let agent = if current.scheme_str() == Some("https") {
            if tls.is_none() {
                tls = Some(agent(ca_file)?);
            }
            tls.as_ref().unwrap_or(&plain)
        } else {
            &plain
        };
        let mut config = agent.get(&current).config().timeout_global(Some(left));
        if current.host().is_some_and(is_loopback) {
            // Environment proxies (honored for other hosts) never see a
            // loopback fetch: plain http must stay on this machine.
            config = config.proxy(None);
        }
        let response = config
            .build()
            .call()
            .map_err(|e| fail(redirects, &current, describe(&e, timeout)))?;
        let status = response.status();
        if status.is_redirection() {
            let Some(location) = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
            else {
                return Err(fail(
                    redirects,
                    &current,
                    format!(
                        "HTTP {status} without a Location header (point --jwks at the final URL)"
                    ),
                ));
            };
            let next = resolve(&current, location).map_err(|what| {
                fail(
                    redirects,
                    &current,
                    format!("redirect to {location:?}: {what}"),
                )
            })?;
            if next.scheme_str() != Some("https") {
                return Err(fail(
                    redirects,
                    &current,
                    format!(
                        "redirected to {next}, which is not https:// (redirects are only followed to https://; point --jwks at an https URL)"
                    ),
                ));
            }
            if redirects == MAX_REDIRECTS {
                return Err(fail(
                    redirects,
                    &current,
                    format!("more than {MAX_REDIRECTS} redirects (point --jwks at the final URL)"),
                ));
            }
            redirects += 1;
            current = next;
            continue;
        }
        if !status.is_success() {
            let reason = status.canonical_reason().unwrap_or("");
            let hint = if status.is_server_error() {
                "the server failed; try again later"
            } else {
                "check the URL"
            };
            return Err(fail(
                redirects,
                &current,
                format!("HTTP {} {reason} ({hint})", status.as_u16()).replace("  ", " "),
            ));
        }
        let (headers, fetched) = (response.headers().clone(), SystemTime::now());
        let body = response
            .into_body()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_vec()
            .map_err(|e| fail(redirects, &current, describe(&e, timeout)))?;
        return Ok(Answer {
            body,
            headers,
            fetched,
        });
    }
}

/// Parses a URL jwkctl may fetch: `https://`, or `http://` to a loopback
/// host (127.0.0.0/8, ::1, localhost).
pub fn check_url(url: &str) -> Result<Uri, String> {
    let uri: Uri = url.parse().map_err(|e| {
        format!("not a valid URL: {e} (write it like https://example.com/jwks.json)")
    })?;
    let host = uri
        .host()
        .filter(|h| !h.is_empty())
        .ok_or("the URL has no host (write it like https://example.com/jwks.json)")?;
    match uri.scheme_str() {
        Some("https") => Ok(uri),
        Some("http") if is_loopback(host) => Ok(uri),
        Some("http") => Err(format!(
            "http:// is refused for {host}, which is not a loopback host (use https://; plain http is only for 127.0.0.1, ::1 and localhost)"
        )),
        _ => Err("only https:// URLs are fetched (http:// only for loopback hosts)".into()),
    }
}

pub(crate) fn is_loopback(host: &str) -> bool {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => bare.eq_ignore_ascii_case("localhost"),
    }
}

/// Resolves a redirect's Location against the URL that answered it.
fn resolve(base: &Uri, location: &str) -> Result<Uri, String> {
    let location = location.trim();
    let lower = location.to_ascii_lowercase();
    let absolute = if lower.starts_with("https://") || lower.starts_with("http://") {
        location.to_owned()
    } else if location.contains("://") {
        // Another scheme: refused below as not https.
        location.to_owned()
    } else if let Some(rest) = location.strip_prefix("//") {
        format!("{}://{rest}", base.scheme_str().unwrap_or("https"))
    } else {
        let authority = base.authority().map(|a| a.as_str()).unwrap_or("");
        let scheme = base.scheme_str().unwrap_or("https");
        let path = if location.starts_with('/') {
            location.to_owned()
        } else {
            let dir = base.path().rsplit_once('/').map_or("", |(dir, _)| dir);
            format!("{dir}/{location}")
        };
        format!("{scheme}://{authority}{path}")
    };
    absolute
        .parse()
        .map_err(|e| format!("not a valid URL: {e} (point --jwks at the final URL)"))
}

/// An agent for `--jwks`: the OS roots (loaded once per process) and the
/// certificates of `ca_file`.
pub(crate) fn agent(ca_file: Option<&Path>) -> Result<Agent> {
    let extra = match ca_file {
        Some(path) => read_ca_file(path)?,
        None => Vec::new(),
    };
    Ok(http::agent(http::Tls::Roots(extra), ACCEPT))
}

/// The certificates of a `--ca-file` (PEM); a file without one is refused.
pub(crate) fn read_ca_file(path: &Path) -> Result<Vec<Certificate<'static>>> {
    let bytes = input::read_file(path, input::CA_FILE)?;
    let bad = |why: String| {
        anyhow!(
            "{}: {why} (--ca-file takes CA certificates in PEM, -----BEGIN CERTIFICATE-----)",
            path.display()
        )
    };
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&bytes) {
        match item {
            Ok(PemItem::Certificate(cert)) => certs.push(cert),
            Ok(_) => {}
            Err(e) => return Err(bad(format!("not valid PEM: {e}"))),
        }
    }
    if certs.is_empty() {
        return Err(bad("no certificate in it".into()));
    }
    // Check each parses as X.509 now, so a broken file is named here rather
    // than silently skipped by the TLS stack.
    let mut store = rustls::RootCertStore::empty();
    for cert in &certs {
        store
            .add(rustls::pki_types::CertificateDer::from(cert.der()).into_owned())
            .map_err(|e| bad(format!("not a usable CA certificate: {e}")))?;
    }
    Ok(certs)
}

fn timeout_message(timeout: Duration) -> String {
    format!(
        "no complete answer within {} (check that the server is up and reachable)",
        clock::show_duration(timeout)
    )
}

/// What went wrong, and what to do, for one failed request or body read.
pub(crate) fn describe(err: &ureq::Error, timeout: Duration) -> String {
    use ureq::Error as E;
    match err {
        E::Timeout(_) => timeout_message(timeout),
        E::HostNotFound => "host not found (check the host name, and DNS)".into(),
        E::BodyExceedsLimit(_) => {
            "the answer is larger than 1 MiB, which no JWK Set needs (check the URL)".into()
        }
        E::Rustls(e) => tls_message(e),
        E::Tls(what) => format!("TLS failed: {what} (check that the server speaks HTTPS)"),
        E::Io(e) => {
            if let Some(tls) = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            {
                return tls_message(tls);
            }
            if let Some(inner) = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<ureq::Error>())
            {
                return describe(inner, timeout);
            }
            match e.kind() {
                std::io::ErrorKind::ConnectionRefused => {
                    "connection refused (check the host and port, and that the server is running)"
                        .into()
                }
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                    timeout_message(timeout)
                }
                _ => format!(
                    "network error: {} (check the URL and the network)",
                    io_message(Path::new(""), e).trim_start_matches(": ")
                ),
            }
        }
        E::Protocol(e) => format!("not a valid HTTP answer: {e} (check the URL)"),
        E::BadUri(what) => format!("not a valid URL: {what}"),
        E::ConnectionFailed => {
            "could not connect (check the host and port, and the network)".into()
        }
        other => format!("{other} (check the URL and the network)"),
    }
}

fn tls_message(err: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    match err {
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => {
            "TLS: the server's certificate is not from a trusted CA (unknown issuer; for a private CA pass its certificate with --ca-file)".into()
        }
        rustls::Error::InvalidCertificate(C::NotValidForName | C::NotValidForNameContext { .. }) => {
            "TLS: the server's certificate is not valid for this host name (check the URL's host)".into()
        }
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
            "TLS: the server's certificate has expired (the server must renew it)".into()
        }
        other => format!("TLS failed: {other} (check that the server speaks HTTPS on this port)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http() {
        for ok in [
            "https://example.com/jwks.json",
            "http://127.0.0.1:8080/jwks",
            "http://127.9.9.9/",
            "http://[::1]:1/x",
            "http://LocalHost/x",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com/",
            "http://10.0.0.1/",
            "http://localhost.example.com/",
            "http://127.1/",
            "http://[::ffff:10.0.0.1]/",
            "ftp://127.0.0.1/",
            "https:///nohost",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        assert_eq!(
            check_url("http://example.com/").unwrap_err(),
            "http:// is refused for example.com, which is not a loopback host (use https://; plain http is only for 127.0.0.1, ::1 and localhost)"
        );
    }

    #[test]
    fn redirects_resolve_against_the_base() {
        let base: Uri = "https://a.example/keys/jwks.json?x=1".parse().unwrap();
        let r = |l: &str| resolve(&base, l).unwrap().to_string();
        assert_eq!(r("https://b.example/j"), "https://b.example/j");
        assert_eq!(r("/other"), "https://a.example/other");
        assert_eq!(r("next.json"), "https://a.example/keys/next.json");
        assert_eq!(r("//c.example/j"), "https://c.example/j");
        assert_eq!(r("http://b.example/j"), "http://b.example/j");
    }

    #[test]
    fn failures_say_what_to_do() {
        let t = TIMEOUT;
        assert_eq!(
            describe(&ureq::Error::HostNotFound, t),
            "host not found (check the host name, and DNS)"
        );
        assert!(describe(&ureq::Error::BodyExceedsLimit(1), t).contains("larger than 1 MiB"));
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(describe(&ureq::Error::Io(refused), t).starts_with("connection refused"));
        assert!(is_url("HTTPS://x") && is_url("http://x") && !is_url("jwks.json"));
    }
}
