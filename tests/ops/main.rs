//! The operations set-up the project ships, checked with the programs it
//! is for: the systemd units under packaging/systemd and the vault drop-in
//! by `systemd-analyze verify` (unknown or misspelt settings, a bad
//! calendar, a timer without its service, `Documentation=` naming a man
//! page jwkctl does not ship) and `systemd-analyze security` (the sandbox
//! holds with the drop-in too), and the README's nginx location by a real
//! nginx serving the published JWK Set to `jwkctl verify --jwks URL`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    clippy::print_stdout
)]

#[path = "../support/external.rs"]
mod external;

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

const UNITS: [&str; 2] = ["jwkctl-rotate.service", "jwkctl-rotate.timer"];
/// The drop-in for a store on OpenBao or Vault, beside the units as
/// systemd finds it.
const DROP_IN: &str = "jwkctl-rotate.service.d/vault.conf";

fn main() -> ExitCode {
    let analyze = systemd_analyze();
    let nginx = external::program("nginx");
    external::run(vec![
        external::needs("readme_nginx_serves_the_jwk_set", &nginx, nginx_serves),
        external::needs("systemd_units_verify", &analyze, units_verify),
        external::needs(
            "systemd_verify_fails_on_an_unknown_setting",
            &analyze,
            verify_can_fail,
        ),
        external::needs(
            "systemd_verify_reads_the_vault_drop_in",
            &analyze,
            verify_reads_the_drop_in,
        ),
        external::needs(
            "systemd_security_rates_the_unit_ok_with_the_vault_drop_in",
            &analyze,
            security_with_the_drop_in,
        ),
    ])
}

/// `systemd-analyze` that can verify a unit here. It is present in many
/// containers without a running systemd; a probe on a minimal unit shows
/// whether its `verify` works without one.
fn systemd_analyze() -> Result<PathBuf, String> {
    let program = external::program("systemd-analyze")?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let unit = dir.path().join("jwkctl-probe.service");
    fs::write(
        &unit,
        "[Unit]\nDescription=probe\n\n[Service]\nType=oneshot\nExecStart=/bin/sh -c true\n",
    )
    .map_err(|e| e.to_string())?;
    let out = Command::new(&program)
        .args(["verify", "--man=no"])
        .arg(&unit)
        .output()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    if out.status.success() {
        Ok(program)
    } else {
        Err(format!(
            "`systemd-analyze verify` does not work here: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Copies the units and the vault drop-in into `dir`, calling the jwkctl
/// just built instead of /usr/bin/jwkctl (verify checks that ExecStart is
/// an executable), with `edit` applied to each file (by its name). Returns
/// the units; systemd reads the drop-in from beside the service.
fn stage(dir: &Path, edit: impl Fn(&str, String) -> String) -> Vec<PathBuf> {
    let bin = env!("CARGO_BIN_EXE_jwkctl");
    fs::create_dir_all(dir.join(DROP_IN).parent().unwrap()).unwrap();
    let mut units = Vec::new();
    for name in UNITS.iter().chain([&DROP_IN]) {
        let text = fs::read_to_string(external::root().join("packaging/systemd").join(name))
            .expect("read unit");
        assert!(
            !name.ends_with(".service") || text.contains("ExecStart=/usr/bin/jwkctl "),
            "{name} no longer calls /usr/bin/jwkctl, where the package installs it"
        );
        let text = edit(name, text.replace("/usr/bin/jwkctl ", &format!("{bin} ")));
        let path = dir.join(name);
        fs::write(&path, text).expect("write unit");
        if *name != DROP_IN {
            units.push(path);
        }
    }
    units
}

/// Runs `systemd-analyze verify` with the repository's man pages on
/// MANPATH, so `Documentation=man:...` must name pages that exist.
fn verify(analyze: &Path, dir: &Path, units: &[PathBuf]) -> std::process::Output {
    let man1 = dir.join("man/man1");
    fs::create_dir_all(&man1).unwrap();
    let mut args = vec!["verify".to_owned()];
    let man = external::program("man");
    // CI installs man-db (tests/install-prereqs): there the pages must be
    // checked, never skipped.
    if let (Err(why), true) = (&man, external::in_ci()) {
        panic!("the units' Documentation= lines cannot be checked under CI=true: {why}");
    }
    if man.is_ok() {
        for page in fs::read_dir(external::root().join("man")).unwrap() {
            let page = page.unwrap().path();
            fs::copy(&page, man1.join(page.file_name().unwrap())).unwrap();
        }
    } else {
        args.push("--man=no".into());
    }
    Command::new(analyze)
        .args(&args)
        .args(units)
        .env("MANPATH", dir.join("man"))
        .output()
        .expect("run systemd-analyze")
}

// The signature `external::needs` takes.
#[allow(clippy::ptr_arg)]
fn units_verify(analyze: &PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let units = stage(dir.path(), |_, text| text);
    let out = verify(analyze, dir.path(), &units);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Warnings (an unknown setting is only "ignoring") exit 0: any output
    // at all is a finding.
    assert!(
        out.status.success() && stderr.is_empty() && stdout.is_empty(),
        "systemd-analyze verify: {}\n{stdout}{stderr}",
        out.status
    );
}

#[allow(clippy::ptr_arg)]
fn verify_can_fail(analyze: &PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let units = stage(dir.path(), |_, text| {
        text.replace("ProtectSystem=strict", "ProtectSytem=strict")
    });
    let out = verify(analyze, dir.path(), &units);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Unknown key 'ProtectSytem'"),
        "a misspelt setting went unnoticed: {}\n{stderr}",
        out.status
    );
}

/// The drop-in is read with the units: a misspelt setting in it is found.
#[allow(clippy::ptr_arg)]
fn verify_reads_the_drop_in(analyze: &PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let units = stage(dir.path(), |name, text| {
        if name == DROP_IN {
            text.replace("EnvironmentFile=", "EnvironmentFil=")
        } else {
            text
        }
    });
    let out = verify(analyze, dir.path(), &units);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("vault.conf") && stderr.contains("Unknown key 'EnvironmentFil'"),
        "systemd-analyze verify did not read the drop-in: {}\n{stderr}",
        out.status
    );
}

/// The overall exposure `systemd-analyze security` gives the service
/// staged in `dir` (0 safest, 10 unsafe).
fn exposure(analyze: &Path, dir: &Path) -> f64 {
    let out = Command::new(analyze)
        .args(["security", "--offline=true", "--no-pager"])
        .arg(dir.join(UNITS[0]))
        .current_dir(dir)
        .output()
        .expect("run systemd-analyze security");
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .find_map(|l| l.split_once("Overall exposure level for jwkctl-rotate.service: "))
        .and_then(|(_, rest)| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "no exposure level: {}\n{stdout}{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            )
        })
}

/// The vault drop-in opens the network and nothing else: the service
/// keeps its user and its sandbox, rated "OK" (below 2) with the drop-in
/// as without it.
#[allow(clippy::ptr_arg)]
fn security_with_the_drop_in(analyze: &PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    stage(dir.path(), |_, text| text);
    let with = exposure(analyze, dir.path());
    fs::remove_file(dir.path().join(DROP_IN)).unwrap();
    let without = exposure(analyze, dir.path());
    assert!(
        with < 2.0 && without < 2.0 && with >= without,
        "exposure with the vault drop-in {with}, without {without}"
    );
}

/// The ```nginx block of the README.
fn readme_nginx_location() -> String {
    let readme = fs::read_to_string(external::root().join("README.md")).unwrap();
    readme
        .split("```nginx\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("README.md has a ```nginx block")
        .to_owned()
}

fn jwkctl(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_jwkctl"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("JWKCTL_NOW", "2026-01-02T03:04:05Z")
        .output()
        .unwrap()
}

/// Kills nginx when the test ends, passed or not.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[allow(clippy::ptr_arg)]
fn nginx_serves(nginx: &PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let web = d.join("web");
    fs::create_dir_all(&web).unwrap();
    fs::create_dir_all(d.join("tmp")).unwrap();
    let ok = |out: std::process::Output| {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    ok(jwkctl(d, &["keygen", "--alg", "ES256"]));
    let published = web.join("jwks.json");
    ok(jwkctl(d, &["jwks", "--out", published.to_str().unwrap()]));
    let token = ok(jwkctl(d, &["sign", "--aud", "api"]));
    fs::write(d.join("t.jwt"), token).unwrap();

    // A free port: taken from the kernel, released just before nginx binds it.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let location = readme_nginx_location().replace("/var/www/jwkctl", web.to_str().unwrap());
    let tmp = d.join("tmp");
    let tmp = tmp.display();
    let conf = format!(
        "daemon off;\nmaster_process off;\nerror_log stderr;\npid {pid};\nevents {{}}\n\
         http {{\n  access_log off;\n  client_body_temp_path {tmp};\n  proxy_temp_path {tmp};\n\
         fastcgi_temp_path {tmp};\n  uwsgi_temp_path {tmp};\n  scgi_temp_path {tmp};\n\
         server {{\n  listen 127.0.0.1:{port};\n{location}\n}}\n}}\n",
        pid = d.join("nginx.pid").display(),
    );
    fs::write(d.join("nginx.conf"), conf).unwrap();
    let _server = Server(
        Command::new(nginx)
            .arg("-p")
            .arg(d)
            .arg("-c")
            .arg(d.join("nginx.conf"))
            .args(["-e", "stderr"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(d.join("nginx.log")).unwrap())
            .spawn()
            .expect("start nginx"),
    );
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "nginx did not listen on port {port}: {}",
            fs::read_to_string(d.join("nginx.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let url = format!("http://127.0.0.1:{port}/.well-known/jwks.json");
    let token = fs::read_to_string(d.join("t.jwt")).unwrap();
    let out = jwkctl(d, &["verify", "--jwks", &url, "--aud", "api", token.trim()]);
    assert!(
        out.status.success(),
        "verify against {url}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}
