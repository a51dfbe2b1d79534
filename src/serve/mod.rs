//! `jwkctl serve`: the store's public keys over HTTP/1.1, for development
//! and small deployments behind a reverse proxy. hyper on a small tokio
//! runtime, confined to this module; the rest of jwkctl stays synchronous.
//!
//! Bounds, so that slow or idle clients cannot block others: a request
//! head of at most 8 KiB (hyper stops reading at [`BUFFER`]), no hyper
//! state for a connection before its first byte (at most 10 s away), a
//! header timeout that also ends idle keep-alive connections, an idle
//! timeout on every connection, and at most [`MAX_CONNECTIONS`] open
//! connections, above which new ones are closed at once.

mod http;
mod idle;
mod published;

use std::convert::Infallible;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use hyper::body::Body;
use hyper::header::HeaderValue;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Uri};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::Semaphore;

use crate::context::Ctx;
use crate::output::Log;

use http::Site;
use idle::IdleTimeout;
use published::{Clock, Published};

/// Open connections at most (CLI.md: at least 1,000); above it a new
/// connection is closed at once, so it never waits in the kernel's queue
/// in front of a client that could be served.
pub const MAX_CONNECTIONS: usize = 4096;
/// File descriptors kept for the listener, the store and stdio.
const SPARE_FILES: u64 = 64;
/// Time to send a whole request head, counted from when the connection
/// starts waiting for one: so also how long an idle keep-alive
/// connection stays open.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection on which no byte moves for this long is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections the kernel completes before `accept` takes them.
const LISTEN_QUEUE: u32 = 1024;
/// How long SIGINT or SIGTERM waits for requests in flight.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);
/// hyper's read buffer, and so the most of a request it reads: twice the
/// limit, so that a request line over 8 KiB gets its 414 from
/// [`http::respond`]; past this hyper answers 431 itself.
const BUFFER: usize = 2 * http::HEAD_LIMIT;

/// What `serve` was asked for, checked.
pub struct Options {
    listen: String,
    issuer: Option<String>,
    cache_control: HeaderValue,
}

impl Options {
    pub fn new(listen: &str, issuer: Option<&str>, cache_ttl: Duration) -> Result<Options> {
        if let Some(issuer) = issuer {
            check_issuer(issuer)?;
        }
        let cache_control =
            HeaderValue::from_str(&format!("public, max-age={}", cache_ttl.as_secs()))?;
        Ok(Options {
            listen: listen.to_owned(),
            issuer: issuer.map(str::to_owned),
            cache_control,
        })
    }
}

/// An issuer is an http(s) URL without query or fragment (OpenID Connect
/// Discovery 1.0, section 3), since verifiers compare it with `iss`.
fn check_issuer(issuer: &str) -> Result<()> {
    let what = "use an https:// URL without query or fragment, like https://issuer.example";
    let uri: Uri = issuer
        .parse()
        .map_err(|_| anyhow::anyhow!("--issuer {issuer:?} is not a URL ({what})"))?;
    let scheme_ok = matches!(uri.scheme_str(), Some("https" | "http"));
    if !scheme_ok || uri.authority().is_none() || issuer.contains(['?', '#']) {
        bail!("--issuer {issuer:?} is not an issuer URL ({what})");
    }
    Ok(())
}

/// Serves until SIGINT or SIGTERM. Errors before the first request (the
/// store cannot be read, the address cannot be bound) are the caller's
/// exit 2.
pub fn run(options: &Options, ctx: &Ctx, log: Log) -> Result<()> {
    let clock = Clock {
        pinned: ctx.pinned.then_some(ctx.now),
    };
    let name = ctx.keys.display().to_string();
    let (published, keys) =
        Published::start(ctx.store.clone(), clock, options.issuer.clone(), log)?;
    let limit = connection_limit(log);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        // Two threads, not one per core: serving a small cached document
        // is quick, and a second keeps one slow request from delaying
        // the others.
        .worker_threads(2)
        .thread_name("jwkctl-serve")
        .enable_io()
        .enable_time()
        .build()
        .context("cannot start the server")?;
    let site = Arc::new(Site {
        cache_control: options.cache_control.clone(),
        discovery: options.issuer.is_some(),
    });
    runtime.block_on(async move {
        let mut terminate = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
        let mut interrupt = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
        let listener = listen(&options.listen)?;
        let addr = listener.local_addr()?;
        let plural = if keys == 1 { "" } else { "s" };
        log.status(format_args!(
            "serving {keys} key{plural} from {name} at http://{addr}/.well-known/jwks.json (stop with Ctrl-C)"
        ));
        if let Some(issuer) = &options.issuer {
            log.status(format_args!(
                "and the OpenID configuration of {issuer} at http://{addr}{}",
                http::DISCOVERY_PATH
            ));
        }
        let (stop, stop_receiver) = tokio::sync::watch::channel(false);
        let server = Server {
            published,
            site,
            log,
            slots: Arc::new(Semaphore::new(limit)),
            limit,
            graceful: GracefulShutdown::new(),
            stopping: stop_receiver,
            http: http_builder(),
        };
        let why = tokio::select! {
            () = server.accept_loop(&listener) => "the listener failed",
            _ = terminate.recv() => "SIGTERM",
            _ = interrupt.recv() => "SIGINT",
        };
        drop(listener);
        log.status(format_args!("{why}: stopping"));
        let _ = stop.send(true);
        tokio::select! {
            () = server.graceful.shutdown() => {}
            () = tokio::time::sleep(DRAIN_TIMEOUT) => {}
        }
        Ok(())
    })
}

/// Binds ADDR (the first of its addresses that works) with a listen queue
/// long enough for a burst of clients; std's 128 would make the 129th of a
/// burst wait a second for its SYN to be retried.
fn listen(listen: &str) -> Result<tokio::net::TcpListener> {
    let fail = |e: &std::io::Error, tried: Option<SocketAddr>| {
        anyhow::anyhow!(
            "cannot listen on {listen}: {} (choose another --listen ADDR{})",
            io_text(e),
            free_after(tried).map_or_else(String::new, |free| format!(", like {free}"))
        )
    };
    let addrs = listen.to_socket_addrs().map_err(|e| fail(&e, None))?;
    let mut last = std::io::Error::new(std::io::ErrorKind::InvalidInput, "no address");
    let mut tried = None;
    for addr in addrs {
        tried = Some(addr);
        let socket = match addr {
            SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4(),
            SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6(),
        };
        let bound = socket.and_then(|socket| {
            socket.set_reuseaddr(true)?;
            socket.bind(addr)?;
            socket.listen(LISTEN_QUEUE)
        });
        match bound {
            Ok(listener) => return Ok(listener),
            Err(e) => last = e,
        }
    }
    Err(fail(&last, tried))
}

/// An address to suggest instead of `tried`: the first port after it that
/// is free now on the same IP (127.0.0.1:8080 when ADDR did not resolve),
/// so the hint never names the port that is busy.
fn free_after(tried: Option<SocketAddr>) -> Option<SocketAddr> {
    let start = tried.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8079)));
    (1..=100)
        .filter_map(|step| start.port().checked_add(step))
        .map(|port| SocketAddr::new(start.ip(), port))
        .find(|addr| std::net::TcpListener::bind(addr).is_ok())
}

fn http_builder() -> http1::Builder {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_buf_size(BUFFER)
        .max_header_size(BUFFER);
    builder
}

/// [`MAX_CONNECTIONS`], or fewer when the open-files limit cannot be
/// raised that far (then said on stderr).
fn connection_limit(log: Log) -> usize {
    let want = MAX_CONNECTIONS as u64 + SPARE_FILES;
    let files = rlimit::increase_nofile_limit(want).unwrap_or(want);
    let limit = usize::try_from(files.saturating_sub(SPARE_FILES))
        .unwrap_or(MAX_CONNECTIONS)
        .clamp(1, MAX_CONNECTIONS);
    if limit < MAX_CONNECTIONS {
        log.error(format_args!(
            "the open-files limit is {files}: at most {limit} connections at once (raise it with 'ulimit -n {want}' or LimitNOFILE={want})"
        ));
    }
    limit
}

struct Server {
    published: Arc<Published>,
    site: Arc<Site>,
    log: Log,
    slots: Arc<Semaphore>,
    limit: usize,
    graceful: GracefulShutdown,
    /// Turns true at SIGINT or SIGTERM, for connections not yet in hyper.
    stopping: tokio::sync::watch::Receiver<bool>,
    http: http1::Builder,
}

impl Server {
    async fn accept_loop(&self, listener: &tokio::net::TcpListener) {
        let mut refused = 0u64;
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, mostly: wait for some to close
                    // instead of spinning on the same error.
                    self.log
                        .error(format_args!("cannot accept a connection: {}", io_text(&e)));
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let Ok(slot) = Arc::clone(&self.slots).try_acquire_owned() else {
                // Said for the first and then every 1,000th, not flooding
                // stderr while under attack.
                if refused.is_multiple_of(1000) {
                    self.log.error(format_args!(
                        "{} connections are open, the most served at once: closing new ones",
                        self.limit
                    ));
                }
                refused += 1;
                drop(stream);
                continue;
            };
            let _ = stream.set_nodelay(true);
            let service = {
                let published = Arc::clone(&self.published);
                let site = Arc::clone(&self.site);
                let log = self.log;
                service_fn(move |req| {
                    let response = http::respond(&site, &req, || published.current());
                    let bytes = if req.method() == Method::HEAD {
                        0
                    } else {
                        response.body().size_hint().exact().unwrap_or(0)
                    };
                    log.status(format_args!(
                        "{peer} {} {} {} {bytes}",
                        req.method(),
                        req.uri(),
                        response.status().as_u16()
                    ));
                    std::future::ready(Ok::<_, Infallible>(response))
                })
            };
            let watcher = self.graceful.watcher();
            let http = self.http.clone();
            let mut stopping = self.stopping.clone();
            let log = self.log;
            tokio::spawn(async move {
                // hyper allocates its buffers as soon as it has a
                // connection: one that has not sent a byte costs only its
                // socket and this task until it does (1,000 idle clients:
                // 1.7 MiB, not 11). `peek`, not `readable`, which may say
                // ready for a socket that has nothing yet.
                let mut byte = [0u8; 1];
                let first_byte = tokio::select! {
                    peeked = tokio::time::timeout(HEADER_TIMEOUT, stream.peek(&mut byte)) => {
                        matches!(peeked, Ok(Ok(1..)))
                    }
                    _ = stopping.wait_for(|stop| *stop) => false,
                };
                if first_byte {
                    let io = TokioIo::new(IdleTimeout::new(stream, IDLE_TIMEOUT));
                    if let Err(e) = watcher.watch(http.serve_connection(io, service)).await {
                        log_refused(log, peer, &e);
                    }
                }
                drop(slot);
            });
        }
    }
}

/// The requests hyper answers itself, without reaching the service.
fn log_refused(log: Log, peer: SocketAddr, e: &hyper::Error) {
    if e.is_parse_too_large() {
        log.status(format_args!("{peer} - - 431 0"));
    } else if e.is_parse() {
        log.status(format_args!("{peer} - - 400 0"));
    }
}

/// An I/O error's text without the "(os error N)" that adds nothing for
/// a reader.
fn io_text(e: &std::io::Error) -> String {
    let text = e.to_string();
    let text = text
        .find(" (os error")
        .map_or(text.as_str(), |i| &text[..i]);
    text.to_lowercase()
}
