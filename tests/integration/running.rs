//! `process.running`: a program that keeps running while the skill works,
//! in the same sandbox as `process.run`, and killed with its handle or the
//! run.

use std::process::Command;

use crate::support::{grove, probe};

/// The processes whose command line contains `marker`, killed (so that a
/// failing test leaves nothing behind) and listed.
fn left_behind(marker: &str) -> String {
    let out = Command::new("pgrep").args(["-f", marker]).output().unwrap();
    let left = String::from_utf8_lossy(&out.stdout).into_owned();
    for pid in left.split_whitespace() {
        let _ = Command::new("kill").args(["-9", pid]).status();
    }
    left
}

#[test]
fn a_started_server_answers_while_it_runs_and_is_gone_once_stopped() {
    let dir = grove_tests::repo_with(&[("index.html", "<h1>hello from the app</h1>\n")]);
    let repo = dir.path();
    let port = 20_000 + std::process::id() % 20_000;
    let server = format!("http.server --bind 127.0.0.1 {port}");
    // The server and its client share the program's network namespace.
    let script = format!(
        "python3 -m {server} >/dev/null 2>&1 & \
         for i in $(seq 100); do \
           python3 -c 'import urllib.request as u; print(u.urlopen(\"http://127.0.0.1:{port}/\").read().decode())' \
             2>/dev/null && echo reached && break; sleep 0.1; \
         done; wait"
    );
    let run = grove(
        repo,
        &["run", "--mode", "bypass", "--allow", "process", probe(), "start", "reached", "sh", "-c", &script],
    )
    .expect(0);
    assert!(run.stdout.contains("hello from the app"), "{}", run.stdout);
    // It ran until stopped, and a signal ended it.
    assert!(run.stdout.contains("running=true stopped=None after=Some(None)"), "{}", run.stdout);
    assert_eq!(left_behind(&server), "", "the server outlived its stop");
}

#[test]
fn a_program_left_running_ends_with_the_run() {
    let dir = grove_tests::repo_with(&[]);
    let repo = dir.path();
    let marker = format!("grove-left-running-{}", std::process::id());
    let run = grove(
        repo,
        &[
            "run",
            "--mode",
            "bypass",
            "--allow",
            "process",
            probe(),
            "start-leave",
            "sh",
            "-c",
            &format!("sleep 300; echo {marker}"),
        ],
    )
    .expect(0);
    assert!(run.stdout.contains("left running"), "{}", run.stdout);
    assert_eq!(left_behind(&marker), "", "the program outlived the run");
}

#[test]
fn starting_passes_the_gate_like_running() {
    let dir = grove_tests::repo_with(&[]);
    let repo = dir.path();
    // Not granted: refused before anything starts.
    let run = grove(repo, &["run", probe(), "start", "x", "sh", "-c", "echo started"]).expect(1);
    assert!(run.stderr.contains("process"), "{}", run.stderr);
    assert!(!run.stdout.contains("started"), "{}", run.stdout);
    // Judged by its command line, as `run` is.
    let run = grove(
        repo,
        &["run", "--allow", "process", probe(), "start", "x", "sh", "-c", "rm -rf / --no-preserve-root"],
    )
    .expect(1);
    assert!(run.stderr.contains("process.start"), "{}", run.stderr);
}
