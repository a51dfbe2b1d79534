//! Integration tests: each drives the real `jwkctl` binary against a store
//! in its own temporary folder, with the clock pinned by `JWKCTL_NOW`.

// Test helpers outside #[test] functions may unwrap too (clippy.toml only
// covers the test functions themselves).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

mod basics;
mod inspect;
mod transfer;
mod url;
