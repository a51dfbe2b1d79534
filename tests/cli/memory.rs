//! Memory grows with an input's size, never with its shape: the real binary
//! runs under a data limit (RLIMIT_DATA, set by `ulimit -d` in the shell
//! that execs it) of 16 times the input plus 32 MiB, on the shapes that
//! cost a JSON tree the most (a 16 MiB store of tiny values). The data
//! limit counts heap and private mappings but not the address space glibc
//! reserves for its per-thread arenas, so it is what a test can hold a
//! multi-threaded program to; a normal small run needs under 8 MiB of it.
//! And a write never puts the store over its 16 MiB cap.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Output;
use std::sync::{Arc, Mutex};

use crate::util::*;

const MIB: usize = 1 << 20;
const STORE_CAP: usize = 16 * MIB;

/// The fixture's Ed25519 key, compact, with bookkeeping and no kid.
const KEY: &str = r#""kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","jwkctl":{"created":"2026-01-01T00:00:00Z","signs_from":"2026-01-01T00:00:00Z"}"#;

/// Runs jwkctl on the test's store with a data limit of 16 times `input`
/// bytes plus 32 MiB.
fn limited(env: &TestEnv, input: usize, args: &[&str], vars: &[(&str, &str)]) -> Output {
    limited_to(env, 16 * input + 32 * MIB, args, vars)
}

fn limited_to(env: &TestEnv, limit: usize, args: &[&str], vars: &[(&str, &str)]) -> Output {
    limited_command(env, limit, args, vars)
        .output()
        .expect("run jwkctl under a data limit")
}

/// As [`limited`], with stdin read from the test's file `stdin`.
fn limited_stdin(env: &TestEnv, input: usize, args: &[&str], stdin: &str) -> Output {
    let file = std::fs::File::open(env.dir.path().join(stdin)).expect("open stdin file");
    limited_command(env, 16 * input + 32 * MIB, args, &[])
        .stdin(file)
        .output()
        .expect("run jwkctl under a data limit")
}

fn limited_command(
    env: &TestEnv,
    limit: usize,
    args: &[&str],
    vars: &[(&str, &str)],
) -> std::process::Command {
    let mut cmd = std::process::Command::new("/bin/sh");
    cmd.arg("-c")
        .arg(r#"ulimit -d "$0" && exec "$@""#)
        .arg((limit / 1024).to_string())
        .arg(env!("CARGO_BIN_EXE_jwkctl"))
        .args(args)
        .current_dir(env.dir.path())
        .env_clear()
        .env("JWKCTL_KEYS", env.keys())
        .env("JWKCTL_NOW", NOW);
    for (name, value) in vars {
        cmd.env(name, value);
    }
    cmd
}

/// Finished as the contract says (done, or refused with exit 2), not
/// killed or aborted by the limit.
fn finished(out: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0 | 2)) && !stderr.contains("memory allocation"),
        "{what}: {} {}",
        out.status,
        &stderr[..stderr.len().min(400)]
    );
}

/// `{"keys":[KEY], <extra>}` padded to just under 16 MiB: `extra(n)`
/// gives at most `n` bytes of it.
fn store_of(extra: impl Fn(usize) -> String) -> String {
    let head = format!("{{\"keys\":[{{{KEY}}}],");
    let room = STORE_CAP - head.len() - 1;
    let text = format!("{head}{}}}", extra(room));
    assert!(text.len() <= STORE_CAP && text.len() > STORE_CAP - 1024);
    text
}

/// `"name":[0,0,...]` in `room` bytes.
fn zeros(name: &str, room: usize) -> String {
    let count = (room - name.len() - 5) / 2;
    format!("\"{name}\":[0{}]", ",0".repeat(count))
}

/// The shapes of a 16 MiB store that cost the most as a JSON tree.
fn hostile_stores() -> Vec<(&'static str, String)> {
    let mut shapes = vec![(
        "a top-level array of zeros",
        store_of(|room| zeros("big", room)),
    )];
    // A million tiny members in one key.
    let members = {
        let head = "{\"keys\":[{";
        let tail = format!("{KEY}}}]}}");
        let mut text = String::from(head);
        let mut i = 0;
        while text.len() + tail.len() + 12 < STORE_CAP {
            text.push_str(&format!("\"{i:x}\":0,"));
            i += 1;
        }
        text + &tail
    };
    shapes.push(("a million tiny members in one key", members));
    // Many small keys, each with a tiny unknown member.
    let keys = {
        let mut text = String::from("{\"keys\":[");
        let mut i = 0;
        while text.len() + 400 < STORE_CAP {
            text.push_str(&format!("{{\"kid\":\"k{i}\",\"u\":[0,0],{KEY}}},"));
            i += 1;
        }
        text.pop();
        text + "]}"
    };
    shapes.push(("many keys with tiny unknown members", keys));
    let deep = {
        let nest = format!("{}0{}", "[".repeat(100), "]".repeat(100));
        store_of(|room| {
            let count = (room - 10) / (nest.len() + 1);
            format!("\"deep\":[{}]", vec![nest.as_str(); count].join(","))
        })
    };
    shapes.push(("nesting 100 deep", deep));
    let mut zero_keys = String::from("{\"keys\":[0");
    zero_keys.push_str(&",0".repeat((STORE_CAP - 16) / 2));
    zero_keys.push_str("]}");
    shapes.push(("a keys array of zeros", zero_keys));
    let mut empty_keys = String::from("{\"keys\":[{}");
    empty_keys.push_str(&",{}".repeat((STORE_CAP - 16) / 3));
    empty_keys.push_str("]}");
    shapes.push(("a keys array of empty objects", empty_keys));
    shapes
}

#[test]
fn the_data_limit_is_applied_and_a_normal_run_fits_well_under_it() {
    let env = TestEnv::with_store("rfc8037-store.json");
    let out = limited_to(&env, 8 * MIB, &["list"], &[]);
    finished(&out, "a small list under 8 MiB");
    assert_eq!(out.status.code(), Some(0));
    // Without room for the input itself, the run fails: the limit bites.
    env.write("keys.json", &store_of(|room| zeros("big", room)));
    let out = limited_to(&env, 8 * MIB, &["list"], &[]);
    assert!(!out.status.success(), "a 16 MiB store read in 8 MiB");
}

#[test]
fn a_16_mib_store_of_tiny_values_is_read_and_rewritten_within_the_bound() {
    let env = TestEnv::new();
    for (shape, text) in hostile_stores() {
        for args in [&["list"][..], &["rotate"], &["sign", "--sub", "a"]] {
            env.write("keys.json", &text);
            let out = limited(&env, text.len(), args, &[]);
            finished(&out, &format!("{shape}: {args:?}"));
        }
    }
}

#[test]
fn a_jwk_set_of_tiny_values_is_read_within_the_bound() {
    let env = TestEnv::with_store("rfc8037-store.json");
    let token = env.ok(&["sign", "--sub", "a"]);
    let public = env.ok(&["jwks"]);
    let set = format!(
        "{},{}}}",
        public.trim_end().trim_end_matches('}'),
        zeros("x", MIB - public.len() - 16)
    );
    env.write("set.json", &set);
    let out = limited(
        &env,
        set.len(),
        &["verify", "--jwks", "set.json", token.trim()],
        &[],
    );
    finished(&out, "verify --jwks");
    assert_eq!(out.status.code(), Some(0));
    let out = limited(&env, set.len(), &["check", "--published", "set.json"], &[]);
    finished(&out, "check --published");
    // Half a million elements that are no keys, after the real ones.
    let keys = public
        .trim_end()
        .trim_end_matches('}')
        .trim_end_matches(']');
    for filler in [",0", ",{}"] {
        let set = format!(
            "{keys}{}]}}",
            filler.repeat((MIB - keys.len() - 16) / filler.len())
        );
        env.write("set.json", &set);
        let out = limited(
            &env,
            set.len(),
            &["verify", "--jwks", "set.json", token.trim()],
            &[],
        );
        finished(&out, &format!("verify --jwks with {filler:?} elements"));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr[out.stderr.len().saturating_sub(300)..])
        );
    }
}

/// A fake KV v2 server: `GET` answers `read`; every other request is
/// counted in `writes` and refused.
fn fake_vault(read: String, writes: Arc<Mutex<usize>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let read = Arc::new(read);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let (read, writes) = (Arc::clone(&read), Arc::clone(&writes));
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                let mut length = 0;
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                        break;
                    }
                    if let Some((name, value)) = header.split_once(':')
                        && name.eq_ignore_ascii_case("content-length")
                    {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let (status, body) = if line.starts_with("GET ") {
                    (200, read.as_str())
                } else {
                    *writes.lock().unwrap() += 1;
                    (403, r#"{"errors":["permission denied"]}"#)
                };
                let mut stream = reader.into_inner();
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(body.as_bytes());
            });
        }
    });
    format!("http://{addr}")
}

/// A KV v2 read answer holding `store`, then `padding` members.
fn answer(store: &str, padding: &str) -> String {
    let quoted = serde_json::to_string(store).unwrap();
    format!(
        r#"{{"data":{{"data":{{"keys.json":{quoted}}},"metadata":{{"version":3,"deletion_time":"","destroyed":false}}}}{padding}}}"#
    )
}

#[test]
fn a_30_mib_answer_from_a_vault_server_is_read_within_the_bound() {
    let env = TestEnv::new();
    let store = format!("{{\"keys\":[{{{KEY}}}]}}");
    let body = answer(&store, &format!(",{}", zeros("pad", 30 * MIB)));
    let addr = fake_vault(body.clone(), Arc::default());
    let vars = [("VAULT_ADDR", addr.as_str()), ("VAULT_TOKEN", "hvs.test")];
    let out = limited(
        &env,
        body.len(),
        &["list", "-k", "vault:secret/jwkctl"],
        &vars,
    );
    finished(&out, "list on a 30 MiB answer");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A compact store just under the cap, most of it one unknown member.
fn nearly_full_store() -> String {
    store_of(|room| format!("\"padding\":\"{}\"", "a".repeat(room - 12)))
}

#[test]
fn a_change_that_would_put_the_store_over_its_cap_is_refused_with_nothing_changed() {
    let env = TestEnv::new();
    let text = nearly_full_store();
    env.write("keys.json", &text);
    let out = env.jwkctl().arg("rotate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "keys.json: the store would grow to 16.0 MiB, over the 16 MiB a key store may hold, and no command could read it again (nothing was changed;"
        ),
        "{stderr}"
    );
    assert!(env.read("keys.json") == text, "the store was changed");
    // It still works for what does not change it.
    env.ok(&["sign", "--sub", "a"]);

    // The same on a vault: store, and no write is attempted.
    let writes = Arc::new(Mutex::new(0));
    let addr = fake_vault(answer(&text, ""), Arc::clone(&writes));
    let out = env
        .jwkctl()
        .args(["rotate", "-k", "vault:secret/jwkctl"])
        .env("VAULT_ADDR", &addr)
        .env("VAULT_TOKEN", "hvs.test")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "vault:secret/jwkctl at {addr}: the store would grow to 16.0 MiB, over the 16 MiB"
        )),
        "{stderr}"
    );
    assert_eq!(*writes.lock().unwrap(), 0);
}

#[test]
fn unknown_members_of_a_compact_store_come_back_byte_for_byte() {
    let env = TestEnv::new();
    let top = r#""x-top":{"list" : [1.0, 2e3, -0],"s":"\u0041\/"}"#;
    let in_key = r#""x5t#S256":"a\/b","ext":[ {"z":"\u00e9"} ]"#;
    let in_meta = r#""future":{"n":1.50}"#;
    let text = format!(
        "{{\"keys\":[{{{in_key},{}, {in_meta}}}}}],\"jwkctl\":{{\"max_ttl\":\"24h\",\"later\":[true,null]}},{top}}}",
        KEY.trim_end_matches('}')
    );
    env.write("keys.json", &text);
    env.ok(&["rotate"]);
    let written = env.read("keys.json");
    for kept in [
        r#""x-top": {"list" : [1.0, 2e3, -0],"s":"\u0041\/"}"#,
        r#""x5t#S256": "a\/b""#,
        r#""ext": [ {"z":"\u00e9"} ]"#,
        r#""future": {"n":1.50}"#,
        r#""later": [true,null]"#,
    ] {
        assert!(written.contains(kept), "{kept} not in:\n{written}");
    }
    // jwkctl's own members are written as always: the new key first.
    let store = env.store_json();
    assert_eq!(store["keys"].as_array().unwrap().len(), 2);
    assert_eq!(store["jwkctl"]["max_ttl"], "24h");
}

#[test]
fn a_1_mib_claims_object_of_tiny_values_is_signed_within_the_bound() {
    let env = TestEnv::with_store("rfc8037-store.json");
    let claims = format!("{{{}}}", zeros("a", MIB - 16));
    env.write("claims.json", &claims);
    let out = limited(
        &env,
        claims.len(),
        &["sign", "--claims", "@claims.json"],
        &[],
    );
    finished(&out, "sign --claims");
    assert_eq!(out.status.code(), Some(0));
    // The token carries the claims as given (compact already).
    let token = String::from_utf8(out.stdout).unwrap();
    let payload = token.split('.').nth(1).unwrap();
    assert!(payload.len() > (MIB - 16) * 4 / 3, "{}", payload.len());
    // The same as one JSON --claim value, from a file given as its text.
    let value = format!("[0{}]", ",0".repeat((100 * 1024) / 2));
    let arg = format!("a={value}");
    let out = limited(&env, arg.len(), &["sign", "--claim", &arg], &[]);
    finished(&out, "sign --claim");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_1_mib_token_of_tiny_values_is_inspected_and_verified_within_the_bound() {
    let env = TestEnv::with_store("rfc8037-store.json");
    // Claims that make a token just under its 1 MiB cap.
    let claims = format!("{{{}}}", zeros("a", MIB * 3 / 4 - 256));
    env.write("claims.json", &claims);
    let token = env.ok(&["sign", "--claims", "@claims.json"]);
    assert!(
        token.len() > MIB - 2048 && token.len() <= MIB,
        "{}",
        token.len()
    );
    env.write("token", &token);
    let out = limited_stdin(&env, token.len(), &["inspect"], "token");
    finished(&out, "inspect");
    assert_eq!(out.status.code(), Some(0));
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        shown["claims"]["a"].as_array().unwrap().len(),
        (claims.len() - 7) / 2
    );
    let out = limited_stdin(&env, token.len(), &["verify"], "token");
    finished(&out, "verify");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_1_mib_key_file_with_an_unknown_member_of_tiny_values_is_imported_within_the_bound() {
    let env = TestEnv::with_store("rfc8037-store.json");
    let key = KEY.split(r#","jwkctl""#).next().unwrap();
    let head = format!("{{\"kid\":\"big\",{key},");
    let file = format!("{head}{}}}", zeros("big", MIB - head.len() - 16));
    env.write("key.jwk", &file);
    // The fixture's store already holds this key: refused after reading.
    let fresh = TestEnv::with_store("ec-store.json");
    fresh.write("key.jwk", &file);
    let out = limited(&fresh, file.len(), &["import", "key.jwk"], &[]);
    finished(&out, "import");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(fresh.read("keys.json").contains("\"kid\": \"big\""));
    let out = limited(&env, file.len(), &["import", "key.jwk"], &[]);
    finished(&out, "import of a key the store holds");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_published_set_of_half_a_million_elements_that_are_no_keys_is_checked_within_the_bound() {
    let env = TestEnv::with_store("rfc8037-store.json");
    let public = env.ok(&["jwks"]);
    let keys = public
        .trim_end()
        .trim_end_matches('}')
        .trim_end_matches(']');
    for filler in [",0", ",{}"] {
        let count = (MIB - keys.len() - 16) / filler.len();
        let set = format!("{keys}{}]}}", filler.repeat(count));
        env.write("set.json", &set);
        let out = limited(&env, set.len(), &["check", "--published", "set.json"], &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("memory allocation"),
            "{filler:?}: {stderr}"
        );
        // Critical, as each of them was: one finding says how many.
        assert_eq!(out.status.code(), Some(1), "{filler:?}: {stderr}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!(
                "critical published-unknown-key: set.json publishes {count} elements that are not keys (not a JSON object, or one with no \"kty\" and no \"kid\"): verifiers that use this set may refuse it whole; run 'jwkctl jwks --out set.json'\n"
            )
        );
    }
}
