//! Link flags for the jwkctl binary only (dependencies are unaffected).
//!
//! `-z pack-relative-relocs` (DT_RELR, glibc 2.36, binutils 2.38 or lld)
//! stores the binary's 33,000 relative relocations as a bitmap of a few
//! KiB instead of a 800 KiB table the loader reads at every start: a
//! one-shot command faults in fewer pages and starts sooner, and the
//! binary stays position-independent (address-space randomisation kept).
//! `JWKCTL_NO_RELR=1` leaves it out, for a glibc older than 2.36.

fn main() {
    println!("cargo:rerun-if-env-changed=JWKCTL_NO_RELR");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let wanted = std::env::var_os("JWKCTL_NO_RELR").is_none_or(|v| v.is_empty());
    if os == "linux" && env == "gnu" && wanted {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
