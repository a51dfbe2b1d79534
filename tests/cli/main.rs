//! Integration tests: each drives the real `jwkctl` binary against a store
//! in its own temporary folder, with the clock pinned by `JWKCTL_NOW`.
// clippy.toml allows unwrap/expect in #[test] functions only; the helpers
// of a test crate are test code too, and a panic is how they fail.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    clippy::print_stdout
)]

mod util;

mod attacks;
mod basics;
mod concurrency;
mod crash;
mod files;
mod fuzz;
mod inspect;
mod interop;
mod jwks;
mod keygen;
mod keysets;
mod nodejose;
mod pipes;
mod replay;
mod rotation;
mod roundtrip;
mod serve;
mod sign;
mod transfer;
mod url;
mod vectors;
mod verify;
