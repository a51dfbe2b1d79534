//! Every README example tagged ```sh runs as written: in order, in one
//! temporary folder (so later examples use the files earlier ones made),
//! with the clock pinned and nothing but `jwkctl` on PATH. Blocks tagged
//! otherwise (console, text, crontab, ini, ...) are shown, not run.

use std::fs;
use std::process::Command;

use crate::util::NOW;

enum State {
    Text,
    /// Inside a ```sh block: the line it starts on, its text so far.
    Sh(usize, String),
    Other,
}

/// The ```sh blocks of a markdown text, with the line each starts on.
fn sh_blocks(markdown: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut state = State::Text;
    for (i, line) in markdown.lines().enumerate() {
        let fence = line.trim_start().strip_prefix("```");
        state = match (state, fence) {
            (State::Text, Some(tag)) if tag.trim() == "sh" => State::Sh(i + 2, String::new()),
            (State::Text, Some(_)) => State::Other,
            (State::Sh(start, text), Some(_)) => {
                blocks.push((start, text));
                State::Text
            }
            (State::Sh(start, mut text), None) => {
                text.push_str(line);
                text.push('\n');
                State::Sh(start, text)
            }
            (State::Other, Some(_)) => State::Text,
            (state, None) => state,
        };
    }
    assert!(
        matches!(state, State::Text),
        "README.md ends inside a code block"
    );
    blocks
}

#[test]
fn sh_blocks_are_found_and_others_are_not() {
    let md = "a\n```sh\njwkctl keygen\njwkctl jwks\n```\n```console\n$ jwkctl serve\n```\n```\nplain\n```\n  ```sh\n  jwkctl list\n  ```\n";
    assert_eq!(
        sh_blocks(md),
        vec![
            (3, "jwkctl keygen\njwkctl jwks\n".to_owned()),
            (13, "  jwkctl list\n".to_owned())
        ]
    );
}

#[test]
fn readme_examples_run_as_written() {
    let readme = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let blocks = sh_blocks(&readme);
    // One example per command at least, so this cannot pass by finding none.
    for command in [
        "keygen", "jwks", "sign", "verify", "rotate", "prune", "revoke", "list", "inspect",
        "export", "import",
    ] {
        let needle = format!("jwkctl {command}");
        assert!(
            blocks.iter().any(|(_, text)| text.contains(&needle)),
            "README.md has no ```sh example of `{needle}`"
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    let work = dir.path().join("work");
    fs::create_dir(&bin).unwrap();
    fs::create_dir(&work).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_jwkctl"), bin.join("jwkctl")).unwrap();
    for (line, script) in blocks {
        let out = Command::new("/bin/bash")
            .args(["-e", "-o", "pipefail", "-c", &script])
            .current_dir(&work)
            .env_clear()
            .env("PATH", &bin)
            .env("HOME", &work)
            .env("JWKCTL_NOW", NOW)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "README.md line {line}: the example failed ({}):\n{script}\n--- stdout\n{}--- stderr\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
