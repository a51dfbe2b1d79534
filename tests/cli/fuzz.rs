//! Property tests, in process for speed: no input makes `verify` panic,
//! and no mutation of a valid token verifies.

use jwkctl::clock;
use jwkctl::keyset::KeySet;
use jwkctl::verify::{Policy, verify};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::util::*;

/// 256 cases keep the suite fast; `JWKCTL_FUZZ_CASES=100000` digs deeper.
fn config() -> Config {
    let cases = std::env::var("JWKCTL_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

struct Setup {
    keys: KeySet,
    tokens: Vec<String>,
    policy: Policy,
    now: clock::Time,
}

fn setup() -> Setup {
    let ec = fixture_key("ec-store.json", 0);
    let rsa = fixture_key("rsa-store.json", 0);
    let keys = KeySet::parse(jwks_of(&[ec.clone(), rsa.clone()]).into_bytes()).unwrap();
    let claims =
        json!({"sub": "alice", "aud": ["api", "web"], "iat": NOW_UNIX, "exp": NOW_UNIX + 3600});
    let tokens = vec![
        forge(
            &json!({"alg": "ES256", "typ": "JWT", "kid": EC_KID}),
            &claims,
            Alg::Es256,
            &ec,
        ),
        forge(
            &json!({"alg": "RS256", "typ": "JWT", "kid": RSA_KID}),
            &claims,
            Alg::Rs256,
            &rsa,
        ),
        forge(&json!({"alg": "ES256"}), &claims, Alg::Es256, &ec),
    ];
    let mut policy = Policy::default();
    policy.checks.aud = vec!["api".into()];
    let setup = Setup {
        keys,
        tokens,
        policy,
        now: clock::parse_time(NOW).unwrap(),
    };
    // The unmutated tokens do verify: a verifier rejecting everything
    // would pass the properties below.
    for token in &setup.tokens {
        verify(token, &setup.keys, &setup.policy, setup.now).unwrap();
    }
    setup
}

#[derive(Clone, Debug)]
enum Mutation {
    FlipBit { at: usize, bit: u8 },
    Truncate { at: usize },
    SwapSegments { a: usize, b: usize },
    Insert { at: usize, c: char },
    Delete { at: usize, len: usize },
    ReplaceSegment { i: usize, bytes: Vec<u8> },
    DuplicateSegment { i: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let chars = prop::sample::select(vec![
        '.', '=', '+', '/', '-', '_', 'A', 'a', '0', ' ', '\n', '\r', '\t', '\0', '{', '"', 'é',
    ]);
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::FlipBit { at, bit }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        (0usize..3, 0usize..3).prop_map(|(a, b)| Mutation::SwapSegments { a, b }),
        (any::<usize>(), chars).prop_map(|(at, c)| Mutation::Insert { at, c }),
        (any::<usize>(), 1usize..8).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (0usize..3, prop::collection::vec(any::<u8>(), 0..80))
            .prop_map(|(i, bytes)| Mutation::ReplaceSegment { i, bytes }),
        (0usize..3).prop_map(|i| Mutation::DuplicateSegment { i }),
    ]
}

fn apply(token: &str, m: &Mutation) -> String {
    let mut bytes = token.as_bytes().to_vec();
    let n = bytes.len().max(1);
    let segments = |t: &str| -> Vec<String> { t.split('.').map(str::to_owned).collect() };
    match m {
        Mutation::FlipBit { at, bit } => {
            if !bytes.is_empty() {
                bytes[at % n] ^= 1 << bit;
            }
        }
        Mutation::Truncate { at } => bytes.truncate(at % n),
        Mutation::Insert { at, c } => {
            let mut buf = [0u8; 4];
            let at = at % (bytes.len() + 1);
            bytes.splice(at..at, c.encode_utf8(&mut buf).bytes());
        }
        Mutation::Delete { at, len } => {
            let at = at % n;
            let end = (at + len).min(bytes.len());
            if at < end {
                bytes.drain(at..end);
            }
        }
        Mutation::SwapSegments { a, b } => {
            let mut s = segments(token);
            if *a < s.len() && *b < s.len() {
                s.swap(*a, *b);
            }
            return s.join(".");
        }
        Mutation::ReplaceSegment { i, bytes } => {
            let mut s = segments(token);
            if *i < s.len() {
                s[*i] = b64(bytes);
            }
            return s.join(".");
        }
        Mutation::DuplicateSegment { i } => {
            let mut s = segments(token);
            if *i < s.len() {
                let copy = s[*i].clone();
                s.insert(*i, copy);
            }
            return s.join(".");
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn mutated_tokens_never_verify() {
    let setup = setup();
    let mut runner = TestRunner::new(config());
    let strategy = (
        0..setup.tokens.len(),
        prop::collection::vec(mutation(), 1..4),
    );
    runner
        .run(&strategy, |(which, mutations)| {
            let original = &setup.tokens[which];
            let mut token = original.clone();
            for m in &mutations {
                token = apply(&token, m);
            }
            prop_assume!(token != *original);
            let result = verify(&token, &setup.keys, &setup.policy, setup.now);
            prop_assert!(result.is_err(), "{token} verified: {result:?}");
            Ok(())
        })
        .unwrap();
}

#[test]
fn arbitrary_bytes_never_verify_or_panic() {
    let setup = setup();
    let mut runner = TestRunner::new(config());
    runner
        .run(&prop::collection::vec(any::<u8>(), 0..600), |bytes| {
            let text = String::from_utf8_lossy(&bytes);
            prop_assert!(verify(&text, &setup.keys, &setup.policy, setup.now).is_err());
            Ok(())
        })
        .unwrap();
}

/// Well-formed segments around arbitrary JSON: the parser and the claim
/// checks see odd values of every type, and the signature never holds.
#[test]
fn arbitrary_json_segments_never_verify_or_panic() {
    let setup = setup();
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map_or(serde_json::Value::Null, serde_json::Value::Number)),
        "[a-z]{0,6}".prop_map(serde_json::Value::from),
        Just(json!("ES256")),
        Just(json!(EC_KID)),
    ];
    let value = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "alg", "kid", "exp", "nbf", "aud", "sub", "crit", "b64", "x"
                ]),
                inner,
                0..5
            )
            .prop_map(|m| json!(m)),
        ]
    });
    let strategy = (
        value.clone(),
        value,
        prop::collection::vec(any::<u8>(), 0..70),
    );
    let mut runner = TestRunner::new(config());
    runner
        .run(&strategy, |(header, claims, signature)| {
            let token = format!(
                "{}.{}.{}",
                b64(text(&header).as_bytes()),
                b64(text(&claims).as_bytes()),
                b64(&signature)
            );
            prop_assert!(verify(&token, &setup.keys, &setup.policy, setup.now).is_err());
            Ok(())
        })
        .unwrap();
}

#[test]
fn arbitrary_key_sources_never_panic() {
    let mut runner = TestRunner::new(config());
    let setup = setup();
    let strategy = (
        prop::collection::vec(
            prop::sample::select(vec![
                "kty", "crv", "x", "y", "n", "e", "use", "alg", "kid", "key_ops", "d",
            ]),
            0..8,
        ),
        prop::collection::vec("[A-Za-z0-9_-]{0,90}", 8),
    );
    runner
        .run(&strategy, |(names, values)| {
            let mut key = serde_json::Map::new();
            for (name, value) in names.iter().zip(&values) {
                key.insert((*name).to_owned(), json!(value));
            }
            let set = json!({"keys": [key]});
            if let Ok(keys) = KeySet::parse(text(&set).into_bytes()) {
                for token in &setup.tokens {
                    // Random keys never verify a real token.
                    prop_assert!(verify(token, &keys, &setup.policy, setup.now).is_err());
                }
            }
            Ok(())
        })
        .unwrap();
}
