//! `jwkctl check --format prometheus` read by a real parser: the
//! `prometheus_client` Python package's text-format parser (the venv
//! that tests/install-prereqs makes at target/tools), so the output is
//! what node_exporter's textfile collector and Prometheus accept, not
//! just what our tests expect. `rules` runs the shipped alert rules on
//! that output with promtool.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    clippy::print_stdout
)]

#[path = "../support/external.rs"]
mod external;
#[path = "../support/util.rs"]
mod util;

mod rules;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};

use serde_json::Value;

use util::*;

/// Prints every family as JSON: name, type, help and samples.
const PARSE: &str = r#"
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for fam in text_string_to_metric_families(sys.stdin.read()):
    out.append({"name": fam.name, "type": fam.type, "help": fam.documentation,
                "samples": [[s.name, s.labels, s.value] for s in fam.samples]})
print(json.dumps(out))
"#;

/// The venv's python with prometheus_client, or why it is missing.
fn python() -> Result<PathBuf, String> {
    let python = external::tools_bin().join("python3");
    if !python.is_file() {
        return Err(format!(
            "{} is missing (the Python venv of tests/install-prereqs)",
            python.display()
        ));
    }
    let ok = Command::new(&python)
        .args(["-c", "import prometheus_client"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Ok(python)
    } else {
        Err(format!(
            "{} cannot import prometheus_client (the Python venv of tests/install-prereqs)",
            python.display()
        ))
    }
}

/// The families the parser read, by name; each must be a gauge with help.
fn parse(python: &PathBuf, text: &str) -> Families {
    let mut child = Command::new(python)
        .args(["-c", PARSE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the parser refused:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let families: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let mut by_name = BTreeMap::new();
    for fam in families {
        let name = fam["name"].as_str().unwrap().to_owned();
        assert_eq!(fam["type"], "gauge", "{name}");
        assert!(
            !fam["help"].as_str().unwrap().is_empty(),
            "{name} has no help"
        );
        let mut seen = BTreeSet::new();
        let samples: Vec<_> = fam["samples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                assert_eq!(s[0], name.as_str());
                let labels: BTreeMap<String, String> =
                    serde_json::from_value(s[1].clone()).unwrap();
                assert!(
                    seen.insert(labels.clone()),
                    "{name}: duplicate series {labels:?}"
                );
                (labels, s[2].as_f64().unwrap())
            })
            .collect();
        assert!(
            by_name.insert(name.clone(), samples).is_none(),
            "{name} twice"
        );
    }
    by_name
}

type Families = BTreeMap<String, Vec<(BTreeMap<String, String>, f64)>>;

fn value(families: &Families, name: &str, labels: &[(&str, &str)]) -> f64 {
    let want: BTreeMap<String, String> = labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    families
        .get(name)
        .unwrap_or_else(|| panic!("no family {name}"))
        .iter()
        .find(|(l, _)| *l == want)
        .unwrap_or_else(|| panic!("no {name}{labels:?}"))
        .1
}

const FAMILIES: [&str; 12] = [
    "jwkctl_active_key_created_timestamp_seconds",
    "jwkctl_check_findings",
    "jwkctl_check_ok",
    "jwkctl_check_timestamp_seconds",
    "jwkctl_findings",
    "jwkctl_keys",
    "jwkctl_newest_key_created_timestamp_seconds",
    "jwkctl_published_missing_keys",
    "jwkctl_published_pending_missing_keys",
    "jwkctl_published_reachable",
    "jwkctl_published_unknown_keys",
    "jwkctl_store_readable",
];

fn metrics(env: &TestEnv, now: &str, args: &[&str], code: i32) -> String {
    let out = env
        .jwkctl()
        .env("JWKCTL_NOW", now)
        .args(["check", "--format", "prometheus"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn healthy_and_a_label_that_needs_escaping(python: &PathBuf) {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA", "--kid", "k1"]);
    // A file name with a quote and a backslash: escaped in the label.
    let odd = "we\"ird\\name.json";
    env.ok(&["jwks", "--out", odd]);
    let text = metrics(
        &env,
        NOW,
        &["--published", odd, "--rotation-period", "30d"],
        0,
    );
    let f = parse(python, &text);
    assert_eq!(f.keys().map(String::as_str).collect::<Vec<_>>(), FAMILIES);
    assert_eq!(value(&f, "jwkctl_check_ok", &[]), 1.0);
    assert_eq!(value(&f, "jwkctl_store_readable", &[]), 1.0);
    assert_eq!(
        value(&f, "jwkctl_published_reachable", &[("source", odd)]),
        1.0
    );
    assert_eq!(
        value(&f, "jwkctl_published_missing_keys", &[("source", odd)]),
        0.0
    );
    assert_eq!(value(&f, "jwkctl_keys", &[("state", "active")]), 1.0);
    assert_eq!(
        value(&f, "jwkctl_active_key_created_timestamp_seconds", &[]),
        NOW_UNIX as f64
    );
    assert_eq!(f["jwkctl_check_findings"].len(), 11);
    assert!(f["jwkctl_check_findings"].iter().all(|(_, v)| *v == 0.0));
    assert_eq!(f["jwkctl_findings"].len(), 2);
}

fn findings_are_counted(python: &PathBuf) {
    let env = TestEnv::new();
    env.ok(&["keygen", "--alg", "EdDSA", "--kid", "k1"]);
    env.ok(&["jwks", "--out", "jwks.json"]);
    // Rotated and revoked without publishing; the store left world-readable.
    let later = "2026-02-10T00:00:00Z";
    env.jwkctl()
        .env("JWKCTL_NOW", later)
        .args(["rotate", "--kid", "k2"])
        .assert()
        .success();
    env.jwkctl()
        .env("JWKCTL_NOW", later)
        .args(["revoke", "k1"])
        .assert()
        .success();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(env.keys(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let text = metrics(
        &env,
        later,
        &[
            "--published",
            "jwks.json",
            "--published",
            "missing.json",
            "--rotation-period",
            "30d",
        ],
        1,
    );
    let f = parse(python, &text);
    assert_eq!(f.keys().map(String::as_str).collect::<Vec<_>>(), FAMILIES);
    assert_eq!(value(&f, "jwkctl_check_ok", &[]), 0.0);
    // published-missing, published-unknown-key, published-unreachable; store-mode.
    assert_eq!(value(&f, "jwkctl_findings", &[("level", "critical")]), 3.0);
    assert_eq!(value(&f, "jwkctl_findings", &[("level", "warning")]), 1.0);
    for (check, n) in [
        ("published-missing", 1.0),
        ("published-unknown-key", 1.0),
        ("published-unreachable", 1.0),
        ("store-mode", 1.0),
        ("rotation-overdue", 0.0),
    ] {
        assert_eq!(
            value(&f, "jwkctl_check_findings", &[("check", check)]),
            n,
            "{check}"
        );
    }
    let src = |s| [("source", s)];
    assert_eq!(
        value(&f, "jwkctl_published_missing_keys", &src("jwks.json")),
        1.0
    );
    assert_eq!(
        value(&f, "jwkctl_published_unknown_keys", &src("jwks.json")),
        1.0
    );
    assert_eq!(
        value(&f, "jwkctl_published_reachable", &src("missing.json")),
        0.0
    );
    assert_eq!(
        value(&f, "jwkctl_published_missing_keys", &src("missing.json")),
        0.0
    );
    assert_eq!(value(&f, "jwkctl_keys", &[("state", "active")]), 1.0);
    assert_eq!(value(&f, "jwkctl_keys", &[("state", "retired")]), 0.0);
    let t = jwkctl::clock::unix_secs(jwkctl::clock::parse_time(later).unwrap()) as f64;
    assert_eq!(
        value(&f, "jwkctl_newest_key_created_timestamp_seconds", &[]),
        t
    );
    assert_eq!(value(&f, "jwkctl_check_timestamp_seconds", &[]), t);
}

fn an_unreadable_store_still_reports(python: &PathBuf) {
    let env = TestEnv::new();
    env.write("keys.json", "not json");
    let text = metrics(&env, NOW, &["--published", "jwks.json"], 2);
    let f = parse(python, &text);
    assert_eq!(f.keys().map(String::as_str).collect::<Vec<_>>(), FAMILIES);
    assert_eq!(value(&f, "jwkctl_check_ok", &[]), 0.0);
    assert_eq!(value(&f, "jwkctl_store_readable", &[]), 0.0);
    assert_eq!(
        value(&f, "jwkctl_published_reachable", &[("source", "jwks.json")]),
        0.0
    );
}

fn main() -> ExitCode {
    let python = python();
    external::run(vec![
        external::needs(
            "prometheus::healthy_and_a_label_that_needs_escaping",
            &python,
            healthy_and_a_label_that_needs_escaping,
        ),
        external::needs(
            "prometheus::findings_are_counted",
            &python,
            findings_are_counted,
        ),
        external::needs(
            "prometheus::an_unreadable_store_still_reports",
            &python,
            an_unreadable_store_still_reports,
        ),
        external::needs(
            "prometheus::alert_rules",
            &external::program("promtool"),
            rules::alert_rules,
        ),
    ])
}
