//! Snapshots of what a user reads: help, listings, errors. Paths that
//! differ between machines are filtered out.

use crate::support::{grove, probe};

fn filtered(text: &str) -> String {
    text.replace(probe(), "[PROBE]")
}

#[test]
fn help() {
    let dir = tempfile::tempdir().unwrap();
    insta::assert_snapshot!(grove(dir.path(), &["--help"]).expect(0).stdout);
    insta::assert_snapshot!(grove(dir.path(), &["run", "--help"]).expect(0).stdout);
}

#[test]
fn inspect_hello() {
    let dir = tempfile::tempdir().unwrap();
    insta::assert_snapshot!(grove(dir.path(), &["skill", "inspect", "hello"]).expect(0).stdout);
}

#[test]
fn errors_a_user_meets() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let runs = [
        grove(d, &["run", "helo"]).expect(2),
        grove(d, &["run", probe(), "run", "true"]).expect(1),
        grove(d, &["run", probe(), "spin", "--timeout", "300ms"]).expect(3),
        grove(d, &["run", probe(), "bogus"]).expect(1),
    ];
    let text: Vec<String> = runs.iter().map(|r| filtered(&r.stderr)).collect();
    insta::assert_snapshot!(text.join("---\n"));
}
