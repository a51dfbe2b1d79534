//! The only place that prints: data to stdout, status and errors to stderr.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fmt::Display;
use std::io::{self, BufWriter, Write};
use std::sync::{Arc, Mutex};

use serde::Serialize;

pub struct Output {
    stdout: Box<dyn Write + Send>,
    stderr: Box<dyn Write + Send>,
    quiet: bool,
    warnings: Warnings,
}

/// Warnings raised where there is no [`Output`] at hand (reading the key
/// store): queued, and printed by the Output they are attached to before
/// its next line, so they come first and `-q` does not hide them.
#[derive(Clone, Debug, Default)]
pub struct Warnings(Arc<Mutex<Vec<(String, String)>>>);

impl Warnings {
    /// Queues `line` about `subject`; a later line about the same subject,
    /// not yet printed, replaces it (a store read twice warns once, in the
    /// words of the last read).
    pub fn set(&self, subject: &str, line: String) {
        if let Ok(mut queue) = self.0.lock() {
            match queue.iter_mut().find(|(s, _)| s == subject) {
                Some(entry) => entry.1 = line,
                None => queue.push((subject.to_owned(), line)),
            }
        }
    }

    /// The queued lines, oldest first, emptying the queue: for code that
    /// prints them itself (`serve`, which has no [`Output`] per line).
    pub fn take(&self) -> Vec<String> {
        self.0
            .lock()
            .map(|mut queue| std::mem::take(&mut *queue))
            .unwrap_or_default()
            .into_iter()
            .map(|(_, line)| line)
            .collect()
    }
}

impl Output {
    /// The process's own stdout (buffered: `sign --count` writes many lines)
    /// and stderr.
    pub fn stdio(quiet: bool) -> Output {
        Output::new(
            Box::new(BufWriter::with_capacity(64 * 1024, io::stdout())),
            Box::new(io::stderr()),
            quiet,
        )
    }

    pub fn new(
        stdout: Box<dyn Write + Send>,
        stderr: Box<dyn Write + Send>,
        quiet: bool,
    ) -> Output {
        Output {
            stdout,
            stderr,
            quiet,
            warnings: Warnings::default(),
        }
    }

    /// Prints the warnings queued in `warnings` from now on.
    pub fn attach(&mut self, warnings: &Warnings) {
        self.warnings = warnings.clone();
    }

    fn warn_pending(&mut self) {
        for line in self.warnings.take() {
            let _ = writeln!(self.stderr, "jwkctl: {line}");
        }
    }

    /// One item of data: a token, a kid, a JSON line.
    pub fn data(&mut self, line: impl Display) -> anyhow::Result<()> {
        self.warn_pending();
        writeln!(self.stdout, "{line}").map_err(stdout_error)
    }

    /// `value` as one line of JSON, written as it is serialized: a JWK Set
    /// of 1,000 keys needs no string of its own.
    pub fn data_json(&mut self, value: &impl Serialize) -> anyhow::Result<()> {
        self.warn_pending();
        // Through a small buffer of its own: serde_json writes many short
        // pieces, each a call through `stdout`'s `dyn Write` otherwise.
        let mut writer = BufWriter::with_capacity(16 * 1024, &mut self.stdout);
        serde_json::to_writer(&mut writer, value)
            .map_err(io::Error::from)
            .and_then(|()| writer.write_all(b"\n"))
            .and_then(|()| writer.flush())
            .map_err(stdout_error)
    }

    /// Raw bytes to stdout (PEM blocks already end in a newline).
    pub fn data_raw(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        self.warn_pending();
        self.stdout.write_all(bytes).map_err(stdout_error)
    }

    /// A status line for people; `-q` silences it. A failing stderr must not
    /// turn a finished job into an error, so write errors are ignored.
    pub fn status(&mut self, line: impl Display) {
        self.warn_pending();
        if !self.quiet {
            let _ = writeln!(self.stderr, "jwkctl: {line}");
        }
    }

    /// A warning or a rejection: shown even with `-q`.
    pub fn error(&mut self, msg: impl Display) {
        self.warn_pending();
        let _ = writeln!(self.stderr, "jwkctl: {msg}");
    }

    pub fn flush(&mut self) -> anyhow::Result<()> {
        self.warn_pending();
        let result = self.stdout.flush();
        let _ = self.stderr.flush();
        result.map_err(stdout_error)
    }
}

/// A broken pipe stays an `io::Error`, so `main` can end quietly (the
/// reader has what it wanted); any other failure says it was stdout.
fn stdout_error(e: io::Error) -> anyhow::Error {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return e.into();
    }
    let text = e.to_string();
    let what = text
        .find(" (os error")
        .map_or(text.as_str(), |i| &text[..i])
        .to_lowercase();
    anyhow::anyhow!("cannot write to stdout: {what}")
}

/// Status lines from a long-running command's threads (serve's request
/// log and store reloads), where no `&mut Output` can go. Each line is one
/// write to the process's stderr, so lines from two threads never mix.
#[derive(Clone, Copy, Debug)]
pub struct Log {
    quiet: bool,
}

impl Log {
    /// A status line; `-q` silences it.
    pub fn status(&self, line: impl Display) {
        if !self.quiet {
            Log::write(line);
        }
    }

    /// A warning: shown even with `-q`.
    pub fn error(&self, line: impl Display) {
        Log::write(line);
    }

    fn write(line: impl Display) {
        let text = format!("jwkctl: {line}\n");
        let _ = io::stderr().lock().write_all(text.as_bytes());
    }
}

impl Output {
    /// A [`Log`] with this output's `-q`, writing to the process's stderr.
    pub fn log(&self) -> Log {
        Log { quiet: self.quiet }
    }
}
