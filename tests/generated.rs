//! `completions/` and `man/` must be exactly what the clap definitions
//! render. `JWKCTL_BLESS=1 cargo test --test generated` rewrites them.

// Test helpers outside #[test] functions may unwrap too (clippy.toml only
// covers the test functions themselves).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::Path;

const REFRESH: &str = "JWKCTL_BLESS=1 cargo test --test generated";

fn check(dir: &str, files: Vec<(String, Vec<u8>)>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let bless = std::env::var_os("JWKCTL_BLESS").is_some();
    if bless {
        fs::create_dir_all(&dir).expect("create dir");
    }
    let mut stale = Vec::new();
    let expected: Vec<String> = files.iter().map(|(name, _)| name.clone()).collect();
    for (name, bytes) in files {
        let path = dir.join(&name);
        if fs::read(&path).ok().as_deref() != Some(&bytes[..]) {
            if bless {
                fs::write(&path, &bytes).expect("write");
            } else {
                stale.push(name);
            }
        }
    }
    for entry in fs::read_dir(&dir).expect("read dir") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if !expected.contains(&name) {
            if bless {
                fs::remove_file(dir.join(&name)).expect("remove");
            } else {
                stale.push(format!("{name} (no longer generated)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "{} is stale: {} (refresh with: {REFRESH})",
        dir.display(),
        stale.join(", ")
    );
}

#[test]
fn completions_are_fresh() {
    check("completions", jwkctl::r#gen::completions());
}

#[test]
fn man_pages_are_fresh() {
    check("man", jwkctl::r#gen::man_pages().expect("render man pages"));
}
