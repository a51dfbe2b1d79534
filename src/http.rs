//! What every HTTP client of jwkctl shares (`verify --jwks URL`, `check
//! --published` and the `vault:` store): one way to refuse URLs that carry
//! credentials, and one agent set-up over rustls with the OS roots, which
//! are read once per process (`serve` asks its server every 10 s).

use std::sync::{Arc, OnceLock};

use ureq::Agent;
use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};

/// True when the URL's authority holds `user:password@`: every message
/// names the URL, so such a URL is refused before it can be echoed.
pub fn has_credentials(url: &str) -> bool {
    url.split_once("://")
        .map_or("", |(_, rest)| rest.split('/').next().unwrap_or(""))
        .contains('@')
}

/// Which certificates an agent trusts.
pub enum Tls {
    /// Plain `http://` (loopback only): nothing to load.
    None,
    /// The OS roots and these extra CA certificates.
    Roots(Vec<Certificate<'static>>),
}

/// The OS root certificates, loaded on first use. Errors reading single
/// system certificates are not fatal: the ones that load are used, and a
/// missing root shows up as "unknown issuer".
fn native_roots() -> &'static [Certificate<'static>] {
    static ROOTS: OnceLock<Vec<Certificate<'static>>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        rustls_native_certs::load_native_certs()
            .certs
            .iter()
            .map(|der| Certificate::from_der(der.as_ref()).to_owned())
            .collect()
    })
}

/// An agent that never follows redirects itself, hands every status back
/// as an answer, and sends `accept`.
pub fn agent(tls: Tls, accept: &str) -> Agent {
    let builder = Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .accept(accept)
        .user_agent(concat!("jwkctl/", env!("CARGO_PKG_VERSION")));
    match tls {
        Tls::None => builder.proxy(None).build().into(),
        Tls::Roots(extra) => {
            let mut roots = extra;
            roots.extend(native_roots().iter().cloned());
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = TlsConfig::builder()
                .provider(TlsProvider::Rustls)
                .unversioned_rustls_crypto_provider(provider)
                .root_certs(RootCerts::Specific(Arc::new(roots)))
                .build();
            builder.tls_config(config).build().into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_the_authority_only() {
        assert!(has_credentials("https://u:p@host/x"));
        assert!(!has_credentials("https://host/a@b"));
        assert!(!has_credentials("https://host"));
    }
}
