//! Micro-benchmarks of the hot paths: `cargo bench --bench hot_paths`.
//! End-to-end numbers (process start, both cores, reference) come from
//! `bench/run`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Map, Value, json};

use jwkctl::alg::Alg;
use jwkctl::claims::Checks;
use jwkctl::clock::{self, Time};
use jwkctl::crypto::{self, Signer};
use jwkctl::jwk::Jwk;
use jwkctl::keyset::KeySet;
use jwkctl::store::{DEFAULT_MAX_TTL, KeyStore, StoredKey};
use jwkctl::token;
use jwkctl::verify::{Policy, verify};

const ALGS: [Alg; 3] = [Alg::Rs256, Alg::Es256, Alg::EdDsa];

fn now() -> Time {
    clock::parse_time("2026-01-02T03:04:05Z").unwrap()
}

/// A key of `alg` with its thumbprint as kid, as keygen makes it.
fn key(alg: Alg) -> Jwk {
    let mut jwk = crypto::generate(alg, 2048).unwrap();
    let kid = jwk.thumbprint().unwrap();
    jwk.set("kid", kid.into());
    jwk.set("alg", alg.name().into());
    jwk
}

fn header(alg: Alg, jwk: &Jwk) -> Map<String, Value> {
    let mut header = Map::new();
    header.insert("alg".into(), alg.name().into());
    header.insert("typ".into(), "JWT".into());
    header.insert("kid".into(), jwk.kid().unwrap().into());
    header
}

fn claims() -> Map<String, Value> {
    let now = clock::unix_secs(now());
    match json!({"sub": "bench", "aud": "api", "iat": now, "exp": now + 3600}) {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

fn policy() -> Policy {
    Policy {
        algs: Vec::new(),
        checks: Checks {
            leeway: Duration::from_secs(60),
            require_exp: true,
            aud: vec!["api".into()],
            ..Checks::default()
        },
    }
}

/// A store of one active key of `first` and `others` retired EdDSA keys.
fn store(first: &Jwk, first_alg: Alg, others: usize) -> KeyStore {
    let now = now();
    let mut store = KeyStore::new(DEFAULT_MAX_TTL);
    let kid = first.kid().unwrap().to_owned();
    store
        .keys
        .push(StoredKey::new(first.clone(), first_alg, kid, now, now));
    for i in 0..others {
        let jwk = key(Alg::EdDsa);
        let kid = jwk.kid().unwrap().to_owned();
        let past = clock::sub(now, Duration::from_secs(1000 + i as u64));
        store
            .keys
            .push(StoredKey::new(jwk, Alg::EdDsa, kid, past, past));
    }
    store
}

/// The public JWK Set of a store, as `jwkctl jwks` prints it.
fn jwk_set(store: &KeyStore) -> Vec<u8> {
    let keys: Vec<Value> = store
        .ordered(now())
        .into_iter()
        .map(|i| Value::Object(store.keys[i].jwk.to_public()))
        .collect();
    serde_json::to_vec(&json!({ "keys": keys })).unwrap()
}

fn sign(c: &mut Criterion) {
    let mut group = c.benchmark_group("sign");
    for alg in ALGS {
        let jwk = key(alg);
        let signer = Signer::new(alg, &jwk).unwrap();
        let header = header(alg, &jwk);
        let claims = claims();
        group.bench_function(format!("encode {alg}"), |b| {
            b.iter(|| encode(black_box(&header), black_box(&claims), &signer))
        });
        group.bench_function(format!("Signer::new {alg}"), |b| {
            b.iter(|| Signer::new(alg, black_box(&jwk)).unwrap())
        });
    }
    group.finish();
}

/// A compact JWS of `claims` under `header`, as `sign` makes it.
fn encode(header: &Map<String, Value>, claims: &Map<String, Value>, signer: &Signer) -> String {
    let header = serde_json::to_vec(header).unwrap();
    let claims = serde_json::to_vec(claims).unwrap();
    signer.compact(&header, &claims).unwrap()
}

fn parse_and_verify(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify");
    let policy = policy();
    for alg in ALGS {
        let jwk = key(alg);
        let signer = Signer::new(alg, &jwk).unwrap();
        let token = encode(&header(alg, &jwk), &claims(), &signer);
        let keys = KeySet::from_jwks([jwk]);
        verify(&token, &keys, &policy, now()).unwrap();
        group.bench_function(format!("parse {alg}"), |b| {
            b.iter(|| token::parse(black_box(&token)).unwrap())
        });
        group.bench_function(format!("parse+verify {alg}"), |b| {
            b.iter(|| verify(black_box(&token), &keys, &policy, now()).unwrap())
        });
    }
    group.finish();
}

fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    let rsa = key(Alg::Rs256);
    for others in [2, 999] {
        let store = store(&rsa, Alg::Rs256, others);
        let bytes = store.to_json(now());
        let set = jwk_set(&store);
        let n = others + 1;
        group.bench_function(format!("KeyStore::parse {n} keys"), |b| {
            b.iter(|| KeyStore::parse(black_box(&bytes), now()).unwrap())
        });
        group.bench_function(format!("KeySet::parse {n} keys"), |b| {
            b.iter(|| KeySet::parse(black_box(set.clone())).unwrap())
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = sign, parse_and_verify, load
}
criterion_main!(benches);
