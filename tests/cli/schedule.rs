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
    let (env, store, web, serve) = setup();
    let url = public_url(&serve);
    assert!(commands[0].contains(&format!("--await-published {PUBLIC_URL}")));
    let mut printed = Vec::new();
    for (day, keys) in TIMER_DAYS {
        let now = format!("{day}T{time}Z");
        for command in &commands {
            // systemd runs each line on its own, stopping at the first failure.
            let command = command.replace(WEB, &web).replace(PUBLIC_URL, &url);
            let out = run(&env, &command, &now, &store);
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
        in_sync(&env, &serve);
    }
    // Into the journal: the new kid on the day it was added, the old one
    // on the day it was pruned.
    assert_eq!(printed.len(), 2, "{printed:?}");
    assert!(printed[0].starts_with("2026-02-02 "), "{printed:?}");
    assert!(printed[1].starts_with("2026-02-05 "), "{printed:?}");
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
