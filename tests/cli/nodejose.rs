//! A `keys.json` written by node-jose's `keystore.toJSON(true)` is a store
//! as it is (read-only behaviour: the first write belongs to `rotate`).

use serde_json::Value;

use crate::util::*;

const NODE_RSA_KID: &str = "O6i7IFrZemBNytr7reoAIxZWaMLjsoVust7yT2_3cys";
const NODE_EC_KID: &str = "R9w5Z018b3ttHn9vZKzN_w4jbEDrs-FsDCK122-V9Ic";

fn env() -> TestEnv {
    TestEnv::with_store("node-jose-keys.json")
}

fn node_claims() -> Value {
    json!({"sub": "node-jose", "iat": NOW_UNIX, "exp": NOW_UNIX + 3600})
}

fn public_of(key: &Value) -> Value {
    let names = ["kty", "kid", "use", "alg", "n", "e", "crv", "x", "y"];
    let map = key.as_object().unwrap();
    Value::Object(
        map.iter()
            .filter(|(n, _)| names.contains(&n.as_str()))
            .map(|(n, v)| (n.clone(), v.clone()))
            .collect(),
    )
}

#[test]
fn jwks_publishes_both_keys_first_key_first() {
    let env = env();
    let store: Value = serde_json::from_str(&fixture("node-jose-keys.json")).unwrap();
    let expected = json!({"keys": [public_of(&store["keys"][0]), public_of(&store["keys"][1])]});
    assert_eq!(expected["keys"][0]["kid"], NODE_RSA_KID);
    assert_eq!(expected["keys"][1]["kid"], NODE_EC_KID);
    env.jwkctl()
        .arg("jwks")
        .assert()
        .code(0)
        .stdout(format!("{}\n", text(&expected)))
        .stderr("");
}

#[test]
fn sign_uses_the_first_key_as_active() {
    let env = env();
    let token = env.ok(&["sign", "--sub", "node-jose"]);
    assert_eq!(
        decode(&token).0,
        format!(r#"{{"alg":"RS256","typ":"JWT","kid":"{NODE_RSA_KID}"}}"#)
    );
    env.accepts(&[], &token, &node_claims());
    env.write("jwks.json", &env.ok(&["jwks"]));
    env.accepts(&["--jwks", "jwks.json"], &token, &node_claims());
    // The other keys count as retired: they verify but never sign.
    env.jwkctl()
        .args(["sign", "--kid", NODE_EC_KID])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "jwkctl: key \"{NODE_EC_KID}\" is retired and no longer signs (sign with the active key: drop --kid)\n"
        ));
}

#[test]
fn tokens_signed_by_node_jose_verify() {
    let env = env();
    env.write("jwks.json", &env.ok(&["jwks"]));
    let tokens = fixture("node-jose-tokens.txt");
    let tokens: Vec<&str> = tokens.lines().collect();
    assert_eq!(tokens.len(), 2);
    assert_eq!(
        decode(tokens[0]).0,
        format!(r#"{{"typ":"JWT","alg":"RS256","kid":"{NODE_RSA_KID}"}}"#)
    );
    assert_eq!(
        decode(tokens[1]).0,
        format!(r#"{{"typ":"JWT","alg":"ES256","kid":"{NODE_EC_KID}"}}"#)
    );
    for token in &tokens {
        env.accepts(&[], token, &node_claims());
        env.accepts(
            &["--jwks", "jwks.json", "--sub", "node-jose"],
            token,
            &node_claims(),
        );
        env.accepts(&["--jwks", "keys.json"], token, &node_claims());
    }
    let valid = |line| {
        format!(
            "{{\"line\":{line},\"valid\":true,\"claims\":{}}}\n",
            text(&node_claims())
        )
    };
    env.jwkctl()
        .args(["verify", "--batch"])
        .write_stdin(format!("{}\n{}\n", tokens[0], tokens[1]))
        .assert()
        .code(0)
        .stdout(valid(1) + &valid(2))
        .stderr("");
}

#[test]
fn read_only_commands_do_not_rewrite_a_node_jose_store() {
    let env = env();
    env.ok(&["jwks"]);
    let token = env.ok(&["sign"]);
    env.jwkctl().args(["verify", token.trim()]).assert().code(0);
    assert_eq!(env.read("keys.json"), fixture("node-jose-keys.json"));
}

#[test]
fn keys_without_alg_or_kid_get_defaults() {
    // node-jose omits alg when a key was generated without one.
    let env = TestEnv::new();
    let mut store: Value = serde_json::from_str(&fixture("node-jose-keys.json")).unwrap();
    for key in store["keys"].as_array_mut().unwrap() {
        let key = key.as_object_mut().unwrap();
        key.remove("alg");
        key.remove("kid");
    }
    env.write("keys.json", &text(&store));
    let token = env.ok(&["sign"]);
    // kid: the RFC 7638 thumbprint, which node-jose also used.
    assert_eq!(
        decode(&token).0,
        format!(r#"{{"alg":"RS256","typ":"JWT","kid":"{NODE_RSA_KID}"}}"#)
    );
    let jwks: Value = serde_json::from_str(&env.ok(&["jwks"])).unwrap();
    assert_eq!(jwks["keys"][1]["alg"], "ES256");
    assert_eq!(jwks["keys"][1]["kid"], NODE_EC_KID);
}
