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

#[path = "../support/external.rs"]
mod external;
#[path = "../support/util.rs"]
mod util;

mod attacks;
mod await_published;
mod basics;
mod check;
mod concurrency;
mod crash;
mod export_out;
mod files;
mod fixtures;
mod flags;
mod fuzz;
mod harness;
mod help;
mod inputs;
mod inspect;
mod jwks;
mod keychecks;
mod keygen;
mod keysets;
mod memory;
mod nodejose;
mod paths;
mod pipes;
mod readme;
mod replay;
mod rotation;
mod roundtrip;
mod schedule;
mod serve;
mod sign;
mod sign_times;
mod signers;
mod transfer;
mod url;
mod vault_fake;
mod vectors;
mod verify;
