//! The alert rules the project ships (packaging/prometheus/jwkctl.rules.yml)
//! run by `promtool test rules` on real `jwkctl check --format prometheus`
//! output, scraped every 5 minutes as the README's check timer writes it:
//! a healthy store, a rotation that stopped, and a store that cannot be
//! reached. promtool's clock starts at Unix time 0, so the stores are made
//! with `--now` in the first days of 1970.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;

use serde_json::{Map, Value, json};

use crate::external;
use crate::util::TestEnv;

const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;
/// How often node_exporter is scraped here (the README's check runs every
/// 5 minutes too).
const STEP: i64 = 5 * MINUTE;
const INSTANCE: &str = "auth1:9100";

/// The samples of `jwkctl check --format prometheus` at Unix time `now`,
/// as Prometheus stores them after a scrape: `(series, value)`, each
/// series with the scrape's `instance` and `job` labels.
fn scrape(env: &TestEnv, now: i64, vault: Option<&str>, code: i32) -> Vec<(String, String)> {
    let mut cmd = env.jwkctl();
    cmd.env("JWKCTL_NOW", now.to_string());
    if let Some(addr) = vault {
        cmd.env("JWKCTL_KEYS", "vault:secret/jwkctl")
            .env("VAULT_ADDR", addr)
            .env("VAULT_TOKEN", "test-token");
    }
    let out = cmd
        .args([
            "check",
            "--rotation-period",
            "30d",
            "--published",
            "jwks.json",
            "--format",
            "prometheus",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let scraped = format!("instance=\"{INSTANCE}\",job=\"node\"");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap();
            let series = match series.strip_suffix('}') {
                Some(labelled) => format!("{labelled},{scraped}}}"),
                None => format!("{series}{{{scraped}}}"),
            };
            (series, value.to_owned())
        })
        .collect()
}

/// promtool's `input_series`: each scrape's values from its start time
/// on, one sample every [`STEP`], until `end`.
fn series(phases: &[(i64, Vec<(String, String)>)], end: i64) -> Value {
    let mut values: Map<String, Value> = Map::new();
    for (i, (start, samples)) in phases.iter().enumerate() {
        let until = phases.get(i + 1).map_or(end + STEP, |(next, _)| *next);
        let count = (until - start) / STEP;
        assert!(count > 0 && start % STEP == 0);
        for (name, value) in samples {
            let entry = values
                .entry(name.clone())
                .or_insert_with(|| Value::String(String::new()));
            let Value::String(text) = entry else {
                unreachable!()
            };
            // `a+0xn` is n + 1 samples of a.
            text.push_str(&format!(" {value}+0x{}", count - 1));
        }
    }
    Value::Array(
        values
            .into_iter()
            .map(
                |(name, values)| json!({"series": name, "values": values.as_str().unwrap().trim()}),
            )
            .collect(),
    )
}

/// The alerts expected at `at` (seconds): `(alertname, firing alerts)`.
fn expect(at: i64, alerts: &[(&str, Vec<Value>)]) -> Vec<Value> {
    alerts
        .iter()
        .map(|(name, firing)| {
            json!({"eval_time": format!("{at}s"), "alertname": name, "exp_alerts": firing})
        })
        .collect()
}

fn unreadable_alert() -> Value {
    json!({
        "exp_labels": {"severity": "critical", "instance": INSTANCE, "job": "node"},
        "exp_annotations": {
            "summary": format!("jwkctl check cannot read the JWT key store on {INSTANCE}"),
            "description": "Signing, rotation and publication need the store too; run 'jwkctl check' on the host to see why it cannot be read.",
        },
    })
}

fn rotation_alert(age: &str) -> Value {
    json!({
        "exp_labels": {"severity": "warning", "instance": INSTANCE, "job": "node"},
        "exp_annotations": {
            "summary": format!("JWT key rotation has stopped on {INSTANCE}"),
            "description": format!("The newest signing key is {age} old; check the rotation job, then run 'jwkctl check'."),
        },
    })
}

const ALERTS: [&str; 3] = [
    "JwtKeyStoreUnreadable",
    "JwtKeyRotationOverdue",
    "JwksMissingLiveKey",
];

/// No alert of the file fires at `at`, save those given.
fn only(at: i64, firing: &[(&str, Value)]) -> Vec<Value> {
    let alerts: Vec<(&str, Vec<Value>)> = ALERTS
        .iter()
        .map(|name| {
            let fired = firing
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, a)| a.clone())
                .collect();
            (*name, fired)
        })
        .collect();
    expect(at, &alerts)
}

pub fn alert_rules(promtool: &PathBuf) {
    let rules = external::root().join("packaging/prometheus/jwkctl.rules.yml");

    // A store made at 01:00 on day 0 and published; it never rotates.
    let stale = TestEnv::new();
    stale
        .jwkctl()
        .env("JWKCTL_NOW", HOUR.to_string())
        .args(["keygen", "--alg", "EdDSA"])
        .assert()
        .success();
    stale
        .jwkctl()
        .env("JWKCTL_NOW", HOUR.to_string())
        .args(["jwks", "--out", "jwks.json"])
        .assert()
        .success();
    // Healthy on day 30, the key 30 days old: nothing fires.
    let healthy = scrape(&stale, 30 * DAY, None, 0);
    // On day 40 the rotation has stopped: check warns, and so does the
    // rotation alert, which its 30 minutes of `for` held back at first.
    let stopped = scrape(&stale, 40 * DAY, None, 1);
    let overdue = 31 * DAY + 2 * HOUR + HOUR;

    // A store on a vault server that stops answering on day 40, its key
    // rotated 5 days before: the store alert fires after its 15 minutes,
    // and the rotation alert stays silent although the newest key's time
    // reads 0 meanwhile.
    let vault = TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}", vault.local_addr().unwrap());
    drop(vault);
    let fresh = TestEnv::new();
    for args in [
        &["keygen", "--alg", "EdDSA"][..],
        &["jwks", "--out", "jwks.json"],
    ] {
        fresh
            .jwkctl()
            .env("JWKCTL_NOW", (35 * DAY).to_string())
            .args(args)
            .assert()
            .success();
    }
    let before = scrape(&fresh, 40 * DAY - STEP, None, 0);
    let unreachable = scrape(&fresh, 40 * DAY, Some(&closed), 2);
    assert!(unreachable.contains(&(
        format!(
            "jwkctl_newest_key_created_timestamp_seconds{{instance=\"{INSTANCE}\",job=\"node\"}}"
        ),
        "0".to_owned()
    )));

    let end = 41 * DAY;
    let tests = json!({
        "rule_files": [rules],
        "evaluation_interval": format!("{STEP}s"),
        "tests": [
            {
                "name": "healthy store",
                "interval": format!("{STEP}s"),
                "input_series": series(&[(0, healthy)], 30 * DAY),
                "alert_rule_test": only(30 * DAY, &[]),
            },
            {
                "name": "rotation stopped",
                "interval": format!("{STEP}s"),
                "input_series": series(&[(0, stopped)], end),
                "alert_rule_test": ([
                    // Past the margin from the first scrape after it
                    // ends, firing 30 minutes later.
                    only(overdue, &[]),
                    only(overdue + STEP + 25 * MINUTE, &[]),
                    only(overdue + STEP + 30 * MINUTE, &[("JwtKeyRotationOverdue", rotation_alert("31d 2h 35m 0s"))]),
                    only(40 * DAY, &[("JwtKeyRotationOverdue", rotation_alert("39d 23h 0m 0s"))]),
                ].concat()),
            },
            {
                "name": "store unreachable",
                "interval": format!("{STEP}s"),
                "input_series": series(&[(0, before), (40 * DAY, unreachable)], end),
                "alert_rule_test": ([
                    only(40 * DAY - STEP, &[]),
                    only(40 * DAY + 10 * MINUTE, &[]),
                    only(40 * DAY + 15 * MINUTE, &[("JwtKeyStoreUnreadable", unreadable_alert())]),
                    only(end, &[("JwtKeyStoreUnreadable", unreadable_alert())]),
                ].concat()),
            },
        ],
    });
    let dir = TestEnv::new();
    let file = dir.path("jwkctl.test.yml");
    // YAML is a superset of JSON.
    std::fs::write(&file, serde_json::to_string_pretty(&tests).unwrap()).unwrap();
    let out = Command::new(promtool)
        .args(["test", "rules"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "promtool test rules:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
