//! The scheduled jobs the project ships, replayed day by day on a store
//! with the clock pinned: the README's crontab lines and the ExecStart and
//! ExecStopPost lines of packaging/systemd/jwkctl-rotate.service. They
//! rotate once a month, publish the new key a day ahead, prune the old one
//! after its grace period, and say nothing on stderr (the crontab lines
//! nothing at all) unless something fails. When rotate fails they still
//! publish, and still fail.

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::serve::server::{self, Serve};
use crate::util::TestEnv;

const STORE: &str = "/etc/jwkctl/keys.json";
const WEB: &str = "/var/www/jwkctl";

/// The URL verifiers fetch, which the rotate lines await; the tests point
/// it at a `jwkctl serve` of the store (Cache-Control: max-age=300).
const PUBLIC_URL: &str = "https://auth.example.com/.well-known/jwks.json";

/// Days to replay and how many keys the published set holds after each:
/// nothing due; rotation due (the new key published ahead); the public
/// URL lists it, and it takes over once the URL's 5 minutes of caching
/// have passed (03:22); the old key's grace period (24h + 5m) ends at
/// 03:27 the next day, the prune line's own minute, so it goes a day
/// later.
const DAYS: [(&str, usize); 5] = [
    ("2026-01-03", 1),
    ("2026-02-02", 2),
    ("2026-02-03", 2),
    ("2026-02-04", 2),
    ("2026-02-05", 1),
];

/// The same for the systemd timer, which publishes two days ahead (its
/// runs are up to RandomizedDelaySec late, so the run that confirms the
/// new key must come a day before its signs_from) and prunes at the time
/// it rotates: the old key retires on 02-04 and becomes prunable 5 minutes
/// after the run of 02-05, so it goes on 02-06.
const TIMER_DAYS: [(&str, usize); 6] = [
    ("2026-01-03", 1),
    ("2026-02-02", 2),
    ("2026-02-03", 2),
    ("2026-02-04", 2),
    ("2026-02-05", 2),
    ("2026-02-06", 1),
];

fn root_file(name: &str) -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap()
}

/// A folder standing in for / with a store made by `keygen` at util::NOW,
/// and jwkctl alone on PATH; and `jwkctl serve` of that store standing in
/// for the public URL.
fn setup() -> (TestEnv, String, String, Serve) {
    let env = TestEnv::new();
    fs::create_dir(env.path("bin")).unwrap();
    fs::create_dir(env.path("web")).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_jwkctl"), env.path("bin/jwkctl")).unwrap();
    env.ok(&["keygen", "--alg", "ES256"]);
    let store = env.keys().display().to_string();
    let web = env.path("web").display().to_string();
    let serve = Serve::start_quiet(env.spawnable(&["-q", "serve"]));
    (env, store, web, serve)
}

fn public_url(serve: &Serve) -> String {
    format!("{}/.well-known/jwks.json", serve.base)
}

/// Waits until `serve` (which looks at the store four times a second)
/// serves the keys the crontab last published, as the public URL would
/// the next day.
fn in_sync(env: &TestEnv, serve: &Serve) {
    let kids = |text: &str| -> Vec<String> {
        let set: Value = serde_json::from_str(text).unwrap();
        let mut kids: Vec<String> = set["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap().to_owned())
            .collect();
        kids.sort();
        kids
    };
    let want = kids(&env.read("web/jwks.json"));
    let url = public_url(serve);
    server::eventually("serve has the published keys", || {
        let body = ureq::get(&url)
            .call()
            .ok()?
            .body_mut()
            .read_to_string()
            .ok()?;
        (kids(&body) == want).then_some(())
    });
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

/// The README's crontab lines: (time of day, command), the web folder
/// and the public URL replaced by `web` and `url`.
fn crontab_jobs(web: &str, url: &str) -> Vec<(String, String)> {
    let readme = root_file("README.md");
    let block = readme
        .split("```crontab\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("README.md has a ```crontab block");
    let mut jobs = Vec::new();
    for line in block.lines() {
        let fields: Vec<&str> = line.splitn(6, char::is_whitespace).collect();
        if let Some(value) = line.strip_prefix("JWKCTL_KEYS=") {
            assert_eq!(value, STORE);
        } else if fields.len() == 6 && fields[2..5] == ["*", "*", "*"] {
            let (minute, hour) = (fields[0], fields[1]);
            let command = fields[5].trim().replace(WEB, web).replace(PUBLIC_URL, url);
            jobs.push((format!("{hour:0>2}:{minute:0>2}:00Z"), command));
        } else {
            assert!(
                line.starts_with("PATH="),
                "unexpected crontab line {line:?}"
            );
        }
    }
    assert_eq!(jobs.len(), 2, "a rotate and a prune line");
    assert!(jobs[0].1.contains(&format!("--await-published {url} ")));
    jobs
}

#[test]
fn readme_crontab_rotates_monthly_and_mails_nothing() {
    let (env, store, web, serve) = setup();
    let jobs = crontab_jobs(&web, &public_url(&serve));
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
        in_sync(&env, &serve);
    }
}

/// A store whose rotation, due on [`FAILING_DAY`], fails after the store
/// may have changed: a pending key made 34 days earlier (by hand, with a
/// long `--publish-ahead`) is still pending, so `rotate` refuses (exit 2).
/// What stands in for a write that landed and an answer that was lost.
fn failing_rotation() -> (TestEnv, String, String, Serve) {
    let (env, store, web, serve) = setup();
    env.ok(&["-q", "rotate", "--publish-ahead", "60d"]);
    assert!(!env.path("web/jwks.json").exists());
    (env, store, web, serve)
}

const FAILING_DAY: &str = "2026-02-05";

#[test]
fn readme_crontab_publishes_when_rotate_fails_and_keeps_the_failure() {
    let (env, store, web, serve) = failing_rotation();
    let (time, command) = &crontab_jobs(&web, &public_url(&serve))[0];
    assert!(command.contains(" rotate "), "{command}");
    let now = format!("{FAILING_DAY}T{time}");
    let out = run(&env, command, &now, &store);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "`{command}`: {stderr}");
    assert!(
        stderr.contains("already pending"),
        "cron mails why: {stderr}"
    );
    assert_eq!(published(&env), 2, "the pending key is published anyway");
}

/// The unit's commands: the ExecStart lines, then the ExecStopPost lines,
/// without the /usr/bin/ they call jwkctl by and with the web folder and
/// the public URL replaced by `web` and `url`.
fn unit_commands(web: &str, url: &str) -> (Vec<String>, Vec<String>) {
    let unit = root_file("packaging/systemd/jwkctl-rotate.service");
    let lines = |key: &str| -> Vec<String> {
        unit.lines()
            .filter_map(|l| l.strip_prefix(key)?.strip_prefix("/usr/bin/"))
            .map(|c| c.replace(WEB, web).replace(PUBLIC_URL, url))
            .collect()
    };
    let start = lines("ExecStart=");
    let post = lines("ExecStopPost=");
    assert_eq!(start.len(), 3, "rotate, publish, prune: {start:?}");
    assert!(start[0].contains(&format!("--await-published {url}")));
    assert_eq!(post.len(), 1, "publish: {post:?}");
    (start, post)
}

/// One run of the unit as systemd runs a oneshot service: each ExecStart
/// line on its own, stopping at the first failure, then the ExecStopPost
/// lines whatever happened. Whether the unit succeeded, and what each
/// command printed on stdout and stderr.
fn run_unit(
    env: &TestEnv,
    (start, post): &(Vec<String>, Vec<String>),
    now: &str,
    store: &str,
) -> (bool, Vec<(String, String, String)>) {
    let mut ok = true;
    let mut printed = Vec::new();
    let mut record = |command: &String, out: std::process::Output| {
        printed.push((
            command.clone(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        ));
        out.status.success()
    };
    for command in start {
        if !record(command, run(env, command, now, store)) {
            ok = false;
            break;
        }
    }
    for command in post {
        ok &= record(command, run(env, command, now, store));
    }
    (ok, printed)
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
    let (env, store, web, serve) = setup();
    let commands = unit_commands(&web, &public_url(&serve));
    let mut printed = Vec::new();
    for (day, keys) in TIMER_DAYS {
        let now = format!("{day}T{time}Z");
        let (ok, outputs) = run_unit(&env, &commands, &now, &store);
        for (command, stdout, stderr) in outputs {
            assert!(ok && stderr.is_empty(), "at {now}, `{command}`: {stderr}");
            printed.extend(stdout.lines().map(|l| format!("{day} {l}")));
        }
        assert_eq!(published(&env), keys, "keys published after {day}");
        in_sync(&env, &serve);
    }
    // Into the journal: the new kid on the day it was added, the old one
    // on the day it was pruned.
    assert_eq!(printed.len(), 2, "{printed:?}");
    assert!(printed[0].starts_with("2026-02-02 "), "{printed:?}");
    assert!(printed[1].starts_with("2026-02-06 "), "{printed:?}");
}

#[test]
fn systemd_service_publishes_when_rotate_fails_and_fails() {
    let (env, store, web, serve) = failing_rotation();
    let commands = unit_commands(&web, &public_url(&serve));
    let (ok, outputs) = run_unit(&env, &commands, &format!("{FAILING_DAY}T03:17:00Z"), &store);
    assert!(!ok, "the unit fails when rotate failed: {outputs:?}");
    let ran: Vec<&str> = outputs.iter().map(|(c, _, _)| c.as_str()).collect();
    assert!(
        ran.len() == 2 && ran[0].contains(" rotate ") && ran[1].contains(" jwks --out "),
        "rotate failed, the lines after it skipped, the set published: {ran:?}"
    );
    assert_eq!(published(&env), 2, "the pending key is published anyway");
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
    let (env, _, web, serve) = setup();
    let url = public_url(&serve);
    let jobs: Vec<Vec<String>> = unit
        .lines()
        .filter_map(|l| {
            // ExecStopPost= lines run after the ExecStart= lines.
            l.strip_prefix("ExecStart=/usr/bin/jwkctl ")
                .or_else(|| l.strip_prefix("ExecStopPost=/usr/bin/jwkctl "))
        })
        .map(|l| {
            l.replace(WEB, &web)
                .replace(PUBLIC_URL, &url)
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
        in_sync(&env, &serve);
    }
    // Every 30 or 31 days.
    assert!((11..=12).contains(&rotations), "{rotations} rotations");
}

/// A year of the README's crontab, day by day, with `check` against the
/// public URL green after every day: the rotations wait for the URL, take
/// over, and the old keys are pruned, eleven times over.
#[test]
fn a_year_of_the_readme_crontab_keeps_check_green() {
    let (env, store, web, serve) = setup();
    let url = public_url(&serve);
    let jobs = crontab_jobs(&web, &url);
    let start = time::Date::from_calendar_date(2026, time::Month::January, 3).unwrap();
    let mut kids = std::collections::HashSet::new();
    for n in 0..365 {
        let day = start + time::Duration::days(n);
        for (time, command) in &jobs {
            let now = format!("{day}T{time}");
            let out = run(&env, command, &now, &store);
            assert!(
                out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
                "at {now}, `{command}` would mail: {}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        in_sync(&env, &serve);
        let now = format!("{day}T12:00:00Z");
        let out = run(
            &env,
            &format!("jwkctl check --rotation-period 30d --published {url}"),
            &now,
            &store,
        );
        assert!(
            out.status.success() && out.stdout.is_empty(),
            "check at {now}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let set: Value = serde_json::from_str(&env.read("web/jwks.json")).unwrap();
        for key in set["keys"].as_array().unwrap() {
            kids.insert(key["kid"].as_str().unwrap().to_owned());
        }
    }
    // Due 31 days apart: a 30-day period ends at the minute of the run.
    assert_eq!(kids.len(), 12, "the first key and eleven rotations");
}
