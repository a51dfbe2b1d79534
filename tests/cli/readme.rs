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
        "keygen",
        "jwks",
        "sign",
        "verify",
        "rotate",
        "prune",
        "revoke",
        "list",
        "inspect",
        "export",
        "import",
        "check",
        "fixtures",
        "completions",
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

/// The anchor GitHub gives a heading: lower case, spaces to hyphens,
/// punctuation other than hyphens and underscores dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The targets of the inline links `[text](target)` of a markdown text,
/// outside code blocks and code spans.
fn links(markdown: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_block = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            continue;
        }
        // Code spans never hold links; drop them first.
        let text: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        let mut rest = text.as_str();
        while let Some(i) = rest.find("](") {
            rest = &rest[i + 2..];
            if let Some(end) = rest.find(')') {
                found.push(rest[..end].to_owned());
                rest = &rest[end..];
            }
        }
    }
    found
}

#[test]
fn anchors_and_links_are_found() {
    assert_eq!(anchor("`jwkctl keygen`"), "jwkctl-keygen");
    assert_eq!(
        anchor("A store on OpenBao or Vault"),
        "a-store-on-openbao-or-vault"
    );
    assert_eq!(
        links("see [a](docs/a.md#x), `[b](no)`, [c](#y)\n```\n[d](no)\n```\n"),
        vec!["docs/a.md#x", "#y"]
    );
}

/// Every relative link of the README and docs/ names a file that exists
/// and, with `#anchor`, a heading of it.
#[test]
fn documentation_links_resolve() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![root.join("README.md"), root.join("bench/README.md")];
    for entry in fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            pages.push(path);
        }
    }
    let headings = |path: &std::path::Path| -> Vec<String> {
        fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter(|l| l.starts_with('#'))
            .map(|l| anchor(l.trim_start_matches('#')))
            .collect()
    };
    for page in &pages {
        let text = fs::read_to_string(page).unwrap();
        let dir = page.parent().unwrap();
        for link in links(&text) {
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            let (file, fragment) = match link.split_once('#') {
                Some((file, fragment)) => (file, Some(fragment)),
                None => (link.as_str(), None),
            };
            let target = if file.is_empty() {
                page.clone()
            } else {
                dir.join(file)
            };
            let from_root = target
                .canonicalize()
                .ok()
                .and_then(|t| t.strip_prefix(root).ok().map(|p| p.to_path_buf()));
            assert!(
                target.exists(),
                "{}: the link ({link}) names a missing file",
                page.display()
            );
            if let Some(fragment) = fragment {
                assert!(
                    headings(&target).iter().any(|h| h == fragment),
                    "{}: the link ({link}) names no heading of {}",
                    page.display(),
                    from_root.unwrap_or(target).display()
                );
            }
        }
    }
}

/// docs/reference.md has a section for every subcommand naming each of
/// its flags (or the command's own page docs/COMMAND.md does), and the
/// global options in theirs, so the reference cannot fall behind `--help`.
#[test]
fn reference_names_every_command_and_flag() {
    use clap::CommandFactory;

    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let reference = fs::read_to_string(root.join("docs/reference.md")).unwrap();
    let section = |heading: &str| -> Option<String> {
        let start = reference.find(&format!("\n## {heading}\n"))?;
        let body = &reference[start + 1..];
        let end = body[3..].find("\n## ").map_or(body.len(), |i| i + 3);
        Some(body[..end].to_owned())
    };
    let cli = jwkctl::cli::Cli::command();
    let globals: Vec<&str> = cli.get_arguments().filter_map(|a| a.get_long()).collect();
    let global_section = section("Global options").expect("a Global options section");
    let mut missing = Vec::new();
    for long in &globals {
        if !global_section.contains(&format!("--{long}")) {
            missing.push(format!("Global options: --{long}"));
        }
    }
    for sub in cli.get_subcommands() {
        let name = sub.get_name();
        let own_page = fs::read_to_string(root.join(format!("docs/{name}.md"))).ok();
        let Some(text) = section(&format!("`jwkctl {name}`")) else {
            missing.push(format!("a section \"## `jwkctl {name}`\""));
            continue;
        };
        for arg in sub.get_arguments() {
            let Some(long) = arg.get_long() else { continue };
            if globals.contains(&long) || long == "help" || long == "version" {
                continue;
            }
            let flag = format!("--{long}");
            let on_own_page = own_page.as_deref().is_some_and(|p| p.contains(&flag));
            if !text.contains(&flag) && !on_own_page {
                missing.push(format!("jwkctl {name} {flag}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "docs/reference.md does not document: {missing:#?}"
    );
}

/// The set-up text names one published file and one binary path: a
/// reader who copies two examples gets one consistent set-up.
#[test]
fn set_up_text_uses_one_published_path_and_one_binary_path() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![
        root.join("README.md"),
        root.join("packaging/systemd/jwkctl-rotate.service"),
        root.join("packaging/systemd/jwkctl-rotate.service.d/vault.conf"),
    ];
    for entry in fs::read_dir(root.join("docs")).unwrap() {
        pages.push(entry.unwrap().path());
    }
    let mut wrong = Vec::new();
    for page in &pages {
        let text = fs::read_to_string(page).unwrap();
        for (i, line) in text.lines().enumerate() {
            let at = format!("{}:{}: {line}", page.display(), i + 1);
            for (n, _) in line.match_indices("/var/www/") {
                if !line[n..].starts_with("/var/www/jwkctl") {
                    wrong.push(at.clone());
                }
            }
            let runs = line.contains("Exec") && line.contains("jwkctl ");
            if runs && !line.contains("=/usr/bin/jwkctl ") {
                wrong.push(at);
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "set-up text outside /var/www/jwkctl or calling jwkctl other than as /usr/bin/jwkctl:\n{}",
        wrong.join("\n")
    );
}
