//! The scheduled jobs the project ships, replayed day by day on a store
//! with the clock pinned: the README's crontab lines and the ExecStart
//! lines of packaging/systemd/jwkctl-rotate.service. They rotate once a
//! month, publish the new key a day ahead, prune the old one after its
//! grace period, and say nothing on stderr (the crontab lines nothing at
//! all) unless something fails.

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::util::TestEnv;

const STORE: &str = "/etc/jwkctl/keys.json";
const WEB: &str = "/var/www/jwkctl";

/// Days to replay and how many keys the published set holds after each:
/// nothing due; rotation due (the new key published ahead); the new key
/// took over; the old key's grace period (24h + 5m) over, pruned.
const DAYS: [(&str, usize); 4] = [
    ("2026-01-03", 1),
    ("2026-02-02", 2),
    ("2026-02-03", 2),
    ("2026-02-04", 1),
];

/// The same for the systemd timer, which prunes at the time it rotates:
/// the old key becomes prunable 5 minutes after that run and goes a day
/// later than with the crontab's later prune line.
const TIMER_DAYS: [(&str, usize); 5] = [
    ("2026-01-03", 1),
    ("2026-02-02", 2),
    ("2026-02-03", 2),
    ("2026-02-04", 2),
    ("2026-02-05", 1),
];

fn root_file(name: &str) -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap()
}

/// A folder standing in for / with a store made by `keygen` at util::NOW,
/// and jwkctl alone on PATH.
fn setup() -> (TestEnv, String, String) {
    let env = TestEnv::new();
    fs::create_dir(env.path("bin")).unwrap();
    fs::create_dir(env.path("web")).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_jwkctl"), env.path("bin/jwkctl")).unwrap();
    env.ok(&["keygen", "--alg", "ES256"]);
    let store = env.keys().display().to_string();
    let web = env.path("web").display().to_string();
    (env, store, web)
}

fn published(env: &TestEnv) -> usize {
    let set: Value = serde_json::from_str(&env.read("web/jwks.json")).unwrap();
    set["keys"].as_array().unwrap().len()
}

/// Runs `script` with /bin/sh (as cron does) at `now`.
fn run(env: &TestEnv, script: &str, now: &str, store: &str) -> std::process::Output {
    Command::new("/bin/sh")
        .args(["-c", script])
        .current_dir(env.dir.path())
        .env_clear()
        .env("PATH", env.path("bin"))
        .env("JWKCTL_KEYS", store)
        .env("JWKCTL_NOW", now)
        .output()
        .unwrap()
}

#[test]
fn readme_crontab_rotates_monthly_and_mails_nothing() {
    let readme = root_file("README.md");
    let block = readme
        .split("```crontab\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("README.md has a ```crontab block");
    let (env, store, web) = setup();
    let mut jobs = Vec::new();
    for line in block.lines() {
        let fields: Vec<&str> = line.splitn(6, char::is_whitespace).collect();
        if let Some(value) = line.strip_prefix("JWKCTL_KEYS=") {
            assert_eq!(value, STORE);
        } else if fields.len() == 6 && fields[2..5] == ["*", "*", "*"] {
            let (minute, hour) = (fields[0], fields[1]);
            let command = fields[5].trim().replace(WEB, &web);
            jobs.push((format!("{hour:0>2}:{minute:0>2}:00Z"), command));
        } else {
            assert!(
                line.starts_with("PATH="),
                "unexpected crontab line {line:?}"
            );
        }
    }
    assert_eq!(jobs.len(), 2, "a rotate and a prune line");
    for (day, keys) in DAYS {
        for (time, command) in &jobs {
            let now = format!("{day}T{time}");
            let out = run(&env, command, &now, &store);
            assert!(
                out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
                "at {now}, `{command}` would mail: {}\n{}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert_eq!(published(&env), keys, "keys published after {day}");
    }
}

#[test]
fn systemd_service_rotates_monthly_quietly() {
    let unit = root_file("packaging/systemd/jwkctl-rotate.service");
    let timer = root_file("packaging/systemd/jwkctl-rotate.timer");
    assert!(unit.contains(&format!("Environment=JWKCTL_KEYS={STORE}\n")));
    assert!(unit.contains(&format!("ReadWritePaths=/etc/jwkctl {WEB}\n")));
    let time = timer
        .lines()
        .find_map(|l| l.strip_prefix("OnCalendar=*-*-* "))
        .expect("a daily OnCalendar");
    let commands: Vec<String> = unit
        .lines()
        .filter_map(|l| l.strip_prefix("ExecStart=/usr/bin/"))
        .map(str::to_owned)
        .collect();
    assert_eq!(commands.len(), 4, "rotate, publish, prune, publish");
    let (env, store, web) = setup();
    let mut printed = Vec::new();
    for (day, keys) in TIMER_DAYS {
        let now = format!("{day}T{time}Z");
        for command in &commands {
            // systemd runs each line on its own, stopping at the first failure.
            let out = run(&env, &command.replace(WEB, &web), &now, &store);
            assert!(
                out.status.success() && out.stderr.is_empty(),
                "at {now}, `{command}`: {}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            printed.extend(
                String::from_utf8(out.stdout)
                    .unwrap()
                    .lines()
                    .map(|l| format!("{day} {l}")),
            );
        }
        assert_eq!(published(&env), keys, "keys published after {day}");
    }
    // Into the journal: the new kid on the day it was added, the old one
    // on the day it was pruned.
    assert_eq!(printed.len(), 2, "{printed:?}");
    assert!(printed[0].starts_with("2026-02-02 "), "{printed:?}");
    assert!(printed[1].starts_with("2026-02-05 "), "{printed:?}");
}

/// A seeded pseudo-random generator (SplitMix64): the same delays on every
/// run, so a failure can be replayed.
struct SplitMix(u64);

impl SplitMix {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    }
}

/// The value of `key=` on a line of `text` (a unit file).
fn unit_value<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {key}= line"))
}

/// A year of the shipped timer, each day's run late by its own random
/// delay up to `RandomizedDelaySec` (to the millisecond, so a run lands
/// on either side of the last rotation's second), with the README's
/// monitoring check run just before every run, when the keys are oldest:
/// a healthy schedule never warns.
#[test]
fn a_year_of_the_timer_with_random_delays_never_warns() {
    let unit = root_file("packaging/systemd/jwkctl-rotate.service");
    let timer = root_file("packaging/systemd/jwkctl-rotate.timer");
    let readme = root_file("README.md");
    let time = unit_value(&timer, "OnCalendar")
        .strip_prefix("*-*-* ")
        .expect("a daily OnCalendar");
    let spread = jwkctl::clock::parse_duration(unit_value(&timer, "RandomizedDelaySec")).unwrap();
    let spread_ms = u64::try_from(spread.as_millis()).unwrap();
    let period = readme
        .lines()
        .filter(|l| l.contains("jwkctl -q check "))
        .find_map(|l| l.split("--rotation-period ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the README's check line has --rotation-period");
    let (env, _, web) = setup();
    let jobs: Vec<Vec<String>> = unit
        .lines()
        .filter_map(|l| l.strip_prefix("ExecStart=/usr/bin/jwkctl "))
        .map(|l| {
            l.replace(WEB, &web)
                .split_whitespace()
                .map(str::to_owned)
                .collect()
        })
        .collect();
    let published = format!("{web}/jwks.json");
    let check = [
        "-q",
        "check",
        "--rotation-period",
        period,
        "--published",
        &published,
    ];
    let run = |now: &jwkctl::clock::Time, args: &[&str]| {
        let now = format!("{}", now.unix_timestamp_nanos() as f64 / 1e9);
        let out = env
            .spawnable(args)
            .env("JWKCTL_NOW", &now)
            .output()
            .unwrap();
        (now, out)
    };
    let start = jwkctl::clock::parse_time(&format!("2026-01-01T{time}Z")).unwrap();
    let mut delays = SplitMix(11);
    let mut rotations = 0;
    for day in 0..366 {
        let delay = time::Duration::milliseconds(delays.below(spread_ms) as i64);
        let at = start + time::Duration::days(day) + delay;
        if day > 0 {
            let (now, out) = run(&(at - time::Duration::milliseconds(1)), &check);
            assert!(
                out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
                "check at {now} ({}): {}\n{}{}",
                jwkctl::clock::format(at),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        } else {
            // The set-up: the first key, published.
            fs::remove_file(env.keys()).unwrap();
            assert!(run(&at, &["keygen", "--alg", "ES256"]).1.status.success());
        }
        for job in &jobs {
            let args: Vec<&str> = job.iter().map(String::as_str).collect();
            let (now, out) = run(&at, &args);
            assert!(
                out.status.success() && out.stderr.is_empty(),
                "at {now}, `{job:?}`: {}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            if args.contains(&"rotate") && !out.stdout.is_empty() {
                rotations += 1;
            }
        }
    }
    // Every 30 or 31 days.
    assert!((11..=12).contains(&rotations), "{rotations} rotations");
}
