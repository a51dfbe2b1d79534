//! keygen → sign → jwks → verify for all ten algorithms.

use serde_json::Value;

use crate::util::*;

/// A store for `alg`: curve keys and one RSA key made by `keygen`, the
/// other RSA algorithms from the 2048-bit fixture with its `alg` set.
fn store_for(env: &TestEnv, alg: Alg) {
    if alg.is_rsa() && alg != Alg::Ps384 {
        let mut store: Value = serde_json::from_str(&fixture("rsa-store.json")).unwrap();
        store["keys"][0]["alg"] = json!(alg.name());
        env.write("keys.json", &text(&store));
    } else {
        let kid = env.ok(&["-q", "keygen", "--alg", alg.name()]);
        assert_eq!(kid.trim(), env.store_json()["keys"][0]["kid"]);
    }
}

#[test]
fn all_ten_algorithms_round_trip() {
    for alg in Alg::ALL {
        let env = TestEnv::new();
        store_for(&env, alg);
        let kid = env.store_json()["keys"][0]["kid"]
            .as_str()
            .unwrap()
            .to_owned();
        let jwks = env.ok(&["jwks"]);
        env.write("jwks.json", &jwks);
        let token = env.ok(&["sign", "--sub", "rt", "--aud", "api", "--ttl", "10m"]);
        let token = token.trim_end();
        assert_eq!(
            decode(token).0,
            format!(r#"{{"alg":"{alg}","typ":"JWT","kid":"{kid}"}}"#)
        );
        let claims = json!({"sub": "rt", "aud": "api", "iat": NOW_UNIX, "exp": NOW_UNIX + 600});
        let name = alg.name();
        env.accepts(
            &["--jwks", "jwks.json", "--aud", "api", "--alg", name],
            token,
            &claims,
        );
        // The store itself is the default source.
        env.accepts(&["--aud", "api"], token, &claims);
        // Narrowed to another algorithm.
        let other = if alg == Alg::EdDsa { "ES256" } else { "EdDSA" };
        env.rejects(
            &["--jwks", "jwks.json", "--aud", "api", "--alg", other],
            token,
            "algorithm not allowed",
        );
        // One changed signature character.
        let at = token.rfind('.').unwrap() + 6;
        let mut tampered = token.to_owned();
        let c = if &token[at..=at] == "A" { "B" } else { "A" };
        tampered.replace_range(at..=at, c);
        env.rejects(
            &["--jwks", "jwks.json", "--aud", "api"],
            &tampered,
            "bad signature",
        );
        // Expired ten minutes later, plus the leeway.
        env.rejects(
            &[
                "--jwks",
                "jwks.json",
                "--aud",
                "api",
                "--now",
                "2026-01-02T03:15:05Z",
            ],
            token,
            "expired",
        );
    }
}
