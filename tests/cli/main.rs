//! Integration tests: each drives the real `jwkctl` binary against a store
//! in its own temporary folder, with the clock pinned by `JWKCTL_NOW`.
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
mod interop;
mod jwks;
mod keygen;
mod keysets;
mod replay;
mod rotation;
mod sign;
mod verify;
