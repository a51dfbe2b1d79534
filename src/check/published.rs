//! The published JWK Sets `check` compares with the store: how a source is
//! named, fetched and read.

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::io::{self, BufRead, Read, Write};
use std::path::Path;
use std::time::Duration;

use anyhow::{Result, anyhow};

use crate::context::Ctx;
use crate::fetch;
use crate::input;
use crate::jwk::{Jwk, Text};
use crate::keyset::document::{self, Keys};
use crate::source;
use crate::store::KeyStore;

/// A source as findings and metrics name it: a URL's user and password
/// (refused by the fetch anyway) never reach a world-readable metrics file.
pub(super) fn shown(source: &str) -> String {
    if !fetch::is_url(source) {
        return source.to_owned();
    }
    let Some((scheme, rest)) = source.split_once("://") else {
        return source.to_owned();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://***@{host}{}", &rest[end..]),
        None => source.to_owned(),
    }
}

/// The sources in the order given, each once (one metric series each).
pub(super) fn distinct(sources: &[OsString]) -> Vec<OsString> {
    let mut seen = HashSet::new();
    sources
        .iter()
        .filter(|s| seen.insert(s.as_os_str()))
        .cloned()
        .collect()
}

/// Each source with its own time budget, all at once, so one slow server
/// does not eat another's time.
pub(super) fn fetch_all(
    sources: &[OsString],
    ctx: &Ctx,
    ca_file: Option<&Path>,
) -> Vec<Result<(Vec<u8>, Duration)>> {
    let read = |s: &OsString| source::read_fresh(s, ctx, ca_file, "");
    if sources.len() <= 1 {
        return sources.iter().map(read).collect();
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = sources
            .iter()
            .map(|s| scope.spawn(move || read(s)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow!("reading this source failed unexpectedly")))
            })
            .collect()
    })
}

/// Whether `published` holds, byte for byte, the JWK Set `jwkctl jwks`
/// prints for `store` now, its keys in `order` (with its newline or
/// without): the common case of a set `jwks --out` or `serve` publishes,
/// told by writing the set out against what it holds, with no copy of
/// either and no parse.
pub(super) fn is_public_set_of(published: impl BufRead, store: &KeyStore, order: &[usize]) -> bool {
    let mut against = Against(published);
    // Compared a few kilobytes at a time, not piece by piece as written.
    let mut writer = io::BufWriter::with_capacity(8 * 1024, &mut against);
    let same = serde_json::to_writer(&mut writer, &store.public_keys_in(order)).is_ok()
        && writer.flush().is_ok();
    drop(writer);
    same && against.at_end()
}

/// [`is_public_set_of`] for a file source, compared as it is read: a
/// published set need not be held to be known to match. `false` for a URL
/// and for a file that cannot be read (reading it again says why).
pub(super) fn file_is_public_set_of(source: &OsStr, store: &KeyStore, order: &[usize]) -> bool {
    // Every URL, and anything like one (refused when it is read).
    if source.as_encoded_bytes().windows(3).any(|w| w == b"://") {
        return false;
    }
    let kind = input::JWKS;
    match input::open_file(Path::new(source), kind) {
        Ok((file, _)) => {
            // One byte past the cap: a longer file does not match.
            let capped = file.take(kind.cap + 1);
            is_public_set_of(
                io::BufReader::with_capacity(16 * 1024, capped),
                store,
                order,
            )
        }
        Err(_) => false,
    }
}

/// What a published set holds that was not yet matched by what was
/// written; a write that differs fails, and ends the writing.
struct Against<R>(R);

impl<R: BufRead> Against<R> {
    /// Whether nothing is left but a newline.
    fn at_end(&mut self) -> bool {
        match self.0.fill_buf() {
            Ok([]) => true,
            Ok([b'\n']) => {
                self.0.consume(1);
                matches!(self.0.fill_buf(), Ok([]))
            }
            _ => false,
        }
    }
}

impl<R: BufRead> io::Write for Against<R> {
    fn write(&mut self, written: &[u8]) -> io::Result<usize> {
        let mut rest = written;
        while !rest.is_empty() {
            let held = self.0.fill_buf()?;
            let n = held.len().min(rest.len());
            if n == 0 || held[..n] != rest[..n] {
                return Err(io::ErrorKind::InvalidData.into());
            }
            self.0.consume(n);
            rest = &rest[n..];
        }
        Ok(written.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A published JWK Set's keys, and how many of its elements are no key.
pub(super) struct Set {
    pub keys: Vec<Jwk>,
    /// Elements that are not objects, or objects with neither `kty` nor
    /// `kid` (nor a private member): counted, not kept, since half a
    /// million of them fit in 1 MiB.
    pub not_keys: usize,
}

/// The keys of a published JWK Set. A single JWK or anything else is not
/// a JWK Set; an element that is no key is counted, as one that matches
/// nothing in the store.
pub(super) fn parse(source: &str, bytes: Vec<u8>) -> Result<Set> {
    let remedy = if fetch::is_url(source) {
        "check that the URL serves the JWK Set"
    } else {
        "publish it with 'jwkctl jwks --out FILE'"
    };
    let not_a_set = |what: &str| anyhow!("{source}: not a JWK Set ({what}; {remedy})");
    let mut set = Set {
        keys: Vec::new(),
        not_keys: 0,
    };
    let mut each = |element: Option<Jwk>| {
        match element {
            Some(key) if is_a_key(&key) => set.keys.push(key),
            _ => set.not_keys += 1,
        }
        true
    };
    match document::parse_each(&Text::new(bytes), &mut each) {
        Ok(Some(doc)) => match doc.keys {
            Keys::Array(_) => Ok(set),
            Keys::NotArray => Err(not_a_set("\"keys\" is not an array")),
            Keys::Missing => Err(not_a_set("no \"keys\" array")),
        },
        Ok(None) => Err(not_a_set("not a JSON object")),
        // A repeated member name or a kid that is not a string: say which.
        Err(e) if e.is_data() => Err(not_a_set(&e.to_string())),
        Err(_) => Err(not_a_set("not valid JSON")),
    }
}

/// Whether an element reads as a key (or as what leaks one): it names
/// its type or its kid, or holds a private member.
fn is_a_key(jwk: &Jwk) -> bool {
    jwk.member("kty").is_some()
        || jwk.member("kid").is_some()
        || jwk.private_names().next().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_a_url_are_not_shown() {
        assert_eq!(
            shown("https://user:pw@h.example:8443/jwks.json?a=b@c"),
            "https://***@h.example:8443/jwks.json?a=b@c"
        );
        assert_eq!(shown("https://h.example/a@b"), "https://h.example/a@b");
        assert_eq!(shown("dir/a@b.json"), "dir/a@b.json");
    }
}
