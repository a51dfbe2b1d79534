//! The harness of the targets with outside prerequisites
//! (tests/support/external.rs): a test whose prerequisite is missing is
//! ignored, never passed, and fails when it is run all the same.

use libtest_mimic::{Arguments, Trial};

use crate::external;

fn missing() -> Result<(), String> {
    Err("`no-such-program` is not on PATH nor in target/tools/bin".into())
}

fn trial(name: &str) -> Trial {
    external::needs(name, &missing(), |_| {})
}

/// Arguments that keep the inner run's report out of this test's output:
/// it goes to `log`.
fn quiet(log: &std::path::Path) -> Arguments {
    Arguments {
        quiet: true,
        test_threads: Some(1),
        logfile: Some(log.display().to_string()),
        ..Arguments::default()
    }
}

#[test]
fn a_missing_prerequisite_fails_when_run_with_include_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    let args = Arguments {
        include_ignored: true,
        ..quiet(&log)
    };
    let run = libtest_mimic::run(&args, vec![trial("a"), trial("b")]);
    assert_eq!((run.num_failed, run.num_passed), (2, 0));
    let report = std::fs::read_to_string(&log).unwrap();
    assert!(
        report.contains("prerequisite missing") && report.contains("no-such-program"),
        "{report}"
    );
    let args = Arguments {
        ignored: true,
        ..quiet(&log)
    };
    // Under CI=true such a test is not ignored to begin with, so a run of
    // the ignored ones runs none of them.
    let failed = if external::in_ci() { 0 } else { 1 };
    assert_eq!(
        libtest_mimic::run(&args, vec![trial("a")]).num_failed,
        failed
    );
}

#[test]
fn a_missing_prerequisite_is_ignored_not_passed() {
    let dir = tempfile::tempdir().unwrap();
    let run = libtest_mimic::run(&quiet(&dir.path().join("log")), vec![trial("a")]);
    if external::in_ci() {
        assert_eq!(run.num_failed, 1);
    } else {
        assert_eq!((run.num_ignored, run.num_passed), (1, 0));
    }
}

#[test]
fn each_missing_prerequisite_is_named_once_with_its_install_command() {
    let trials = vec![trial("a"), trial("b"), trial("c")];
    let note = external::missing_note(&trials).expect("a note");
    assert_eq!(note.matches("no-such-program").count(), 1, "{note}");
    assert!(note.contains("tests/install-prereqs"), "{note}");
    let program = external::program("no-such-program").unwrap_err();
    assert!(program.contains("Debian package"), "{program}");
}
