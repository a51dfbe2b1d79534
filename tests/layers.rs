//! The floor plan of `src/`, held against the code: a room (a top-level
//! module of the library) may use only rooms on its own floor or below,
//! and no two rooms may use each other, directly or through others.
//! ARCHITECTURE.md shows the same floors; change both together.
//!
//! Uses are read as text: every `crate::room` path outside comments and
//! `#[cfg(test)]` code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Floors from the bottom up; a room uses rooms of its floor or below.
const FLOORS: &[(&str, &[&str])] = &[
    (
        "leaves",
        &[
            "error",
            "output",
            "clock",
            "alg",
            "b64",
            "strict",
            "parallel",
            "location",
            "http",
            "freshness",
        ],
    ),
    ("model", &["jwk", "claims", "input", "signer"]),
    ("crypto", &["crypto"]),
    ("domain", &["token", "store", "keyset"]),
    (
        "storage",
        &["fsio", "fetch", "storefile", "vault", "backend", "signing"],
    ),
    ("context", &["cli", "context", "source"]),
    (
        "features",
        &["verify", "check", "kit", "serve", "gen", "await_published"],
    ),
    ("commands", &["cmd"]),
];

struct Use {
    file: PathBuf,
    line: usize,
    from: String,
    to: String,
}

fn floor_of(room: &str) -> Option<(usize, &'static str)> {
    FLOORS
        .iter()
        .enumerate()
        .find(|(_, (_, rooms))| rooms.contains(&room))
        .map(|(i, (name, _))| (i, *name))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The room a file of `src/` belongs to: its first path segment below
/// `src/` (a folder is one room); `None` for lib.rs and main.rs.
fn room_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next()?.as_os_str().to_str()?.to_owned();
    match first.strip_suffix(".rs") {
        Some("lib" | "main") => None,
        Some(stem) => Some(stem.to_owned()),
        None => Some(first),
    }
}

/// The rooms that `code` names through `crate::ROOM`, with the byte
/// offset of each: braces included (`use crate::{a, b::{c, d}}`, over as
/// many lines as rustfmt spreads it).
fn rooms_named(code: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("crate::") {
        let at = from + at;
        let rest = &code[at + "crate::".len()..];
        from = at + "crate::".len();
        if let Some(inner) = rest.strip_prefix('{') {
            let mut depth = 1;
            let end = inner
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map_or(inner.len(), |(i, _)| i);
            for item in top_level_items(&inner[..end]) {
                if let Some(name) = leading_ident(item.trim()) {
                    out.push((at, name));
                }
            }
        } else if let Some(name) = leading_ident(rest) {
            out.push((at, name));
        }
    }
    out
}

/// Splits `a, b::{c, d}, e` at the commas outside nested braces.
fn top_level_items(s: &str) -> Vec<&str> {
    let (mut items, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&s[start..]);
    items
}

fn leading_ident(s: &str) -> Option<String> {
    let s = s.strip_prefix("r#").unwrap_or(s);
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    (end > 0 && s != "self").then(|| s[..end].to_owned())
}

fn uses(src: &Path) -> Vec<Use> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let Some(from) = room_of(src, &file) else {
            continue;
        };
        let text = fs::read_to_string(&file).unwrap();
        // Unit tests sit at the end of a file and may reach anywhere;
        // comments are blanked (not removed) so offsets keep their lines.
        let code: String = text
            .split("#[cfg(test)]")
            .next()
            .unwrap_or("")
            .lines()
            .map(|line| match line.find("//") {
                Some(at) => format!("{}{}\n", &line[..at], " ".repeat(line.len() - at)),
                None => format!("{line}\n"),
            })
            .collect();
        for (at, to) in rooms_named(&code) {
            if to != from {
                let line = code[..at].matches('\n').count() + 1;
                found.push(Use {
                    file: file.clone(),
                    line,
                    from: from.clone(),
                    to,
                });
            }
        }
    }
    found
}

#[test]
fn every_room_is_on_a_floor_and_uses_only_its_floor_or_below() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for u in uses(&src) {
        let rel = u
            .file
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .display()
            .to_string();
        match (floor_of(&u.from), floor_of(&u.to)) {
            (None, _) => wrong.push(format!(
                "{rel}:{}: room `{}` is on no floor: add it to FLOORS in tests/layers.rs and to ARCHITECTURE.md",
                u.line, u.from
            )),
            (_, None) => wrong.push(format!(
                "{rel}:{}: `{}` uses `{}`, which is on no floor: add it to FLOORS in tests/layers.rs and to ARCHITECTURE.md",
                u.line, u.from, u.to
            )),
            (Some((a, a_name)), Some((b, b_name))) if b > a => wrong.push(format!(
                "{rel}:{}: `{}` (floor {a_name}) uses `{}` (floor {b_name}), a floor above it: move the shared piece down",
                u.line, u.from, u.to
            )),
            _ => {}
        }
    }
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "the floor plan is broken:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_rooms_use_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let all = uses(&src);
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for u in &all {
        edges.entry(&u.from).or_default().insert(&u.to);
    }
    // A circle through `from -> to` exists when `to` reaches `from`.
    let reaches = |start: &str, goal: &str| {
        let (mut seen, mut stack) = (BTreeSet::new(), vec![start]);
        while let Some(room) = stack.pop() {
            if room == goal {
                return true;
            }
            if seen.insert(room) {
                stack.extend(edges.get(room).into_iter().flatten().copied());
            }
        }
        false
    };
    let mut circles = Vec::new();
    for u in &all {
        if reaches(&u.to, &u.from) {
            let rel = u
                .file
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap()
                .display()
                .to_string();
            let floor = |room: &str| floor_of(room).map_or("no floor", |(_, name)| name);
            circles.push(format!(
                "{rel}:{}: `{}` (floor {}) uses `{}` (floor {}), which uses `{}` back (directly or through other rooms)",
                u.line,
                u.from,
                floor(&u.from),
                u.to,
                floor(&u.to),
                u.from
            ));
        }
    }
    assert!(
        circles.is_empty(),
        "import circles in src/:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_reader_finds_uses_in_every_form() {
    let code = "use crate::{alg::Alg, key::{\n    Jwk, Kind,\n}, r#gen};\nlet x = crate::clock::now();\nuse crate::{\n    store::KeyStore,\n};\n";
    let names: Vec<String> = rooms_named(code).into_iter().map(|(_, n)| n).collect();
    assert_eq!(names, ["alg", "key", "gen", "clock", "store"]);
}

/// The key type is parsed once (`alg::KeyType`) and everything else
/// matches on that enum: no other room spells a `kty` or `crv` name.
#[test]
fn key_type_names_are_spelled_only_where_they_are_parsed() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let names = [
        "\"RSA\"",
        "\"EC\"",
        "\"OKP\"",
        "\"P-256\"",
        "\"P-384\"",
        "\"P-521\"",
        "\"Ed25519\"",
    ];
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut found = Vec::new();
    for file in files.iter().filter(|f| !f.ends_with("src/alg.rs")) {
        let text = fs::read_to_string(file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (n, line) in code.lines().enumerate() {
            let line = line.split("//").next().unwrap_or("");
            if let Some(name) = names.iter().find(|name| line.contains(*name)) {
                let rel = file.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap();
                found.push(format!("{}:{}: {name}", rel.display(), n + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "key type names outside src/alg.rs (match on alg::KeyType instead):\n{}",
        found.join("\n")
    );
}
