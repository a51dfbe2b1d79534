//! A `jwkctl serve` child for tests: started on a free port (`--listen
//! 127.0.0.1:0`; the address comes from its first stderr line), its stderr
//! collected line by line, stopped with SIGTERM.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// Generous: the machine may be busy; nothing here measures speed.
pub const PATIENCE: Duration = Duration::from_secs(60);

pub struct Serve {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    lines: Receiver<String>,
    /// Every stderr line so far.
    pub seen: Vec<String>,
}

impl Serve {
    /// Starts `cmd` (a jwkctl command line ending in `serve ...` without
    /// `--listen`) and waits for the line that names its address.
    pub fn start(cmd: Command) -> Serve {
        let mut serve = Serve::spawn(cmd, "127.0.0.1:0");
        let line = serve.wait_for(|l| l.contains(" at http://"));
        let start = line.find("http://").expect("url");
        let rest = &line[start..];
        let end = rest.find("/.well-known").expect("path");
        serve.base = rest[..end].to_owned();
        serve
    }

    /// [`Serve::start`] for a `serve -q`, which does not say its address:
    /// on a port that was free a moment ago, ready once it accepts.
    pub fn start_quiet(cmd: Command) -> Serve {
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .to_string();
        let mut serve = Serve::spawn(cmd, &addr);
        eventually("serve accepts connections", || {
            std::net::TcpStream::connect(&addr).ok()
        });
        serve.base = format!("http://{addr}");
        serve
    }

    fn spawn(mut cmd: Command, listen: &str) -> Serve {
        cmd.args(["--listen", listen])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start jwkctl serve");
        let stderr = child.stderr.take().expect("stderr");
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Serve {
            child,
            base: String::new(),
            lines,
            seen: Vec::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The next stderr line that `want` accepts (earlier ones are kept in
    /// `seen`); panics after [`PATIENCE`].
    pub fn wait_for(&mut self, want: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if want(&line) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("serve did not say it; stderr so far: {:#?}", self.seen)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait().expect("wait");
                    panic!("serve ended ({status}); stderr: {:#?}", self.seen)
                }
            }
        }
    }

    /// Sends SIGTERM and returns the exit status and the rest of stderr.
    pub fn stop(self) -> (ExitStatus, Vec<String>) {
        let pid = self.child.id().to_string();
        let killed = Command::new("sh")
            .args(["-c", &format!("kill -TERM {pid}")])
            .status()
            .expect("kill");
        assert!(killed.success());
        self.wait()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Retries `check` until it returns `Some` (every 50 ms, up to
/// [`PATIENCE`]).
pub fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Serve {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the process to end by itself (a signal sent elsewhere).
    pub fn wait(mut self) -> (ExitStatus, Vec<String>) {
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            assert!(Instant::now() < deadline, "serve did not stop");
            std::thread::sleep(Duration::from_millis(20));
        };
        self.seen.extend(self.lines.iter());
        (status, std::mem::take(&mut self.seen))
    }
}
