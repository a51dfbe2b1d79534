//! Link flags for the jwkctl binary only (dependencies are unaffected).
//!
//! `-z pack-relative-relocs` (DT_RELR: glibc 2.36, binutils 2.38 or lld)
//! stores the binary's 33,000 relative relocations as a bitmap of a few
//! KiB instead of an 800 KiB table the loader reads at every start: a
//! one-shot command's peak RSS drops by that much, and the binary stays
//! position-independent (address-space randomisation kept). A glibc
//! older than 2.36 cannot load such a binary, so the flag is added only
//! when building for the machine that builds, and its glibc is 2.36 or
//! newer; `JWKCTL_NO_RELR=1` leaves it out anyway.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=JWKCTL_NO_RELR");
    println!("cargo:rerun-if-changed=build.rs");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let refused = std::env::var_os("JWKCTL_NO_RELR").is_some_and(|v| !v.is_empty());
    if refused || var("TARGET") != var("HOST") || var("CARGO_CFG_TARGET_ENV") != "gnu" {
        return;
    }
    if var("CARGO_CFG_TARGET_OS") == "linux" && host_glibc_at_least(2, 36) {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// `getconf GNU_LIBC_VERSION` says "glibc 2.36"; anything else is no.
fn host_glibc_at_least(major: u32, minor: u32) -> bool {
    let Ok(out) = Command::new("getconf").arg("GNU_LIBC_VERSION").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(version) = text.trim().strip_prefix("glibc ") else {
        return false;
    };
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let found = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    found >= (major, minor)
}
