//! A check's result in each `--format`: text lines, JSON lines and the
//! Prometheus text exposition format.

use std::fmt::Write as _;

use serde_json::json;

use super::{Check, Level, Published, Report};
use crate::clock::{self, Time};

impl Report {
    fn count(&self, level: Level) -> usize {
        self.findings.iter().filter(|f| f.level == level).count()
    }

    /// One `LEVEL CHECK: message` line per finding; nothing when healthy.
    pub fn text(&self) -> String {
        let mut text = String::new();
        for f in &self.findings {
            let line = format!("{} {}: {}", f.level.name(), f.check.name(), f.message);
            text.push_str(&printable(&line));
            text.push('\n');
        }
        text
    }

    /// One JSON object per finding and line.
    pub fn json_lines(&self) -> String {
        let mut text = String::new();
        for f in &self.findings {
            let line = json!({
                "level": f.level.name(),
                "check": f.check.name(),
                "kid": f.kid,
                "source": f.source,
                "message": f.message,
            });
            text.push_str(&line.to_string());
            text.push('\n');
        }
        text
    }

    /// The Prometheus text exposition format (version 0.0.4), every series
    /// present whatever its value.
    pub fn prometheus(&self) -> String {
        let mut m = Metrics(String::new());
        m.family(
            "jwkctl_check_ok",
            "1 when jwkctl check found nothing, 0 when it found a problem or could not read the key store.",
        );
        m.sample("jwkctl_check_ok", &[], u64::from(self.ok()));
        m.family(
            "jwkctl_store_readable",
            "1 when the key store could be read, else 0 (and every other series is 0).",
        );
        m.sample("jwkctl_store_readable", &[], u64::from(self.store_readable));
        m.family(
            "jwkctl_check_timestamp_seconds",
            "When the check ran (Unix time; the --now time when one was given).",
        );
        m.sample(
            "jwkctl_check_timestamp_seconds",
            &[],
            clock::unix_secs(self.now),
        );
        m.family("jwkctl_findings", "Findings of the last check, by level.");
        for level in Level::ALL {
            m.sample(
                "jwkctl_findings",
                &[("level", level.name())],
                self.count(level),
            );
        }
        m.family(
            "jwkctl_check_findings",
            "Findings of the last check, by check.",
        );
        for check in Check::ALL {
            let n = self.findings.iter().filter(|f| f.check == check).count();
            m.sample("jwkctl_check_findings", &[("check", check.name())], n);
        }
        m.family("jwkctl_keys", "Keys in the store, by state.");
        for (state, n) in ["active", "pending", "retired"].iter().zip(self.keys) {
            m.sample("jwkctl_keys", &[("state", state)], n);
        }
        let time = |t: Option<Time>| t.map_or(0, clock::unix_secs);
        m.family(
            "jwkctl_active_key_created_timestamp_seconds",
            "When the key that signs now was created (Unix time; 0 when no key signs).",
        );
        m.sample(
            "jwkctl_active_key_created_timestamp_seconds",
            &[],
            time(self.active_created),
        );
        m.family(
            "jwkctl_newest_key_created_timestamp_seconds",
            "When the newest key of the store was created (Unix time; 0 when there is none).",
        );
        m.sample(
            "jwkctl_newest_key_created_timestamp_seconds",
            &[],
            time(self.newest_created),
        );
        let per_source: [(&str, &str, PerSource); 4] = [
            (
                "jwkctl_published_reachable",
                "1 when the published source could be read as a JWK Set, else 0.",
                |p| usize::from(p.reachable),
            ),
            (
                "jwkctl_published_missing_keys",
                "Keys that may have live tokens (active, or retired and not yet prunable) missing from the published set.",
                |p| p.missing,
            ),
            (
                "jwkctl_published_pending_missing_keys",
                "The pending key, when the published set lacks it (0 or 1).",
                |p| p.pending_missing,
            ),
            (
                "jwkctl_published_unknown_keys",
                "Keys in the published set that are not in the store (revoked, pruned or foreign).",
                |p| p.unknown,
            ),
        ];
        for (name, help, value) in per_source {
            m.family(name, help);
            for p in &self.published {
                m.sample(name, &[("source", &p.source)], value(p));
            }
        }
        m.0
    }
}

/// One per-source series' value.
type PerSource = fn(&Published) -> usize;

/// Text in the exposition format, every family a gauge.
struct Metrics(String);

impl Metrics {
    fn family(&mut self, name: &str, help: &str) {
        let _ = writeln!(self.0, "# HELP {name} {help}");
        let _ = writeln!(self.0, "# TYPE {name} gauge");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
        self.0.push_str(name);
        if !labels.is_empty() {
            let labels: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", label_value(v)))
                .collect();
            let _ = write!(self.0, "{{{}}}", labels.join(","));
        }
        let _ = writeln!(self.0, " {value}");
    }
}

/// A label value as the exposition format escapes it.
fn label_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// A line safe for a terminal or a log: kids and server messages come from
/// outside, so control characters are shown escaped, never sent.
fn printable(line: &str) -> String {
    if !line.chars().any(char::is_control) {
        return line.to_owned();
    }
    line.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label_value(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(label_value("x\ny"), "x\\ny");
    }

    #[test]
    fn control_characters_never_reach_a_line() {
        assert_eq!(printable("kid a\nb\x1b[0m"), "kid a\\nb\\u{1b}[0m");
        assert_eq!(printable("plain"), "plain");
    }
}
