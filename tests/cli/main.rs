//! Integration tests: each drives the real `jwkctl` binary against a store
//! in its own temporary folder, with the clock pinned by `JWKCTL_NOW`.

mod util;

mod attacks;
mod basics;
mod fuzz;
mod jwks;
mod keygen;
mod keysets;
mod nodejose;
mod pipes;
mod roundtrip;
mod sign;
mod vectors;
mod verify;
