//! The CLI a user meets: hello round trip, listing, exit codes, --json.

use crate::support::{grove, grove_cmd, grove_with, probe};

#[test]
fn hello_round_trip() {
    let repo = grove_tests::repo_with(&[("README.md", "hi\n")]);
    let run = grove(repo.path(), &["run", "hello", "Ada"]).expect(0);
    assert_eq!(run.stdout, "Hello, Ada!\n");

    let run = grove(repo.path(), &["run", "hello", "--json"]).expect(0);
    let json = run.json();
    assert_eq!(json["summary"], "Hello, world!");
    assert_eq!(json["success"], true);
}

#[test]
fn hello_works_outside_a_repository() {
    let dir = tempfile::tempdir().unwrap();
    grove(dir.path(), &["run", "hello"]).expect(0);
}

#[test]
fn skills_lists_builtins_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let run = grove(dir.path(), &["skills", "--json"]).expect(0);
    let skills = run.json();
    let names: Vec<&str> = skills.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"hello"), "{names:?}");
    for s in skills.as_array().unwrap() {
        assert!(!s["summary"].as_str().unwrap().is_empty());
    }
    let run = grove(dir.path(), &["skills"]).expect(0);
    assert!(run.stdout.lines().any(|l| l.starts_with("hello ") && l.contains("builtin")));
}

#[test]
fn exit_codes_say_what_happened() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Usage: unknown skill, unknown flag, bad permission name.
    let run = grove(d, &["run", "no-such-skill"]).expect(2);
    assert!(
        run.stderr.contains("no skill named `no-such-skill`") && run.stderr.contains("hint: "),
        "{}",
        run.stderr
    );
    grove(d, &["frobnicate"]).expect(2);
    let run = grove(d, &["run", "hello", "--allow", "everything"]).expect(2);
    assert!(run.stderr.contains("unknown permission `everything`"), "{}", run.stderr);
    let run = grove(d, &["run", "hello", "--timeout", "soon"]).expect(2);
    assert!(run.stderr.contains("--timeout"), "{}", run.stderr);
    grove(d, &["run", "missing.wasm"]).expect(2);
    // The skill's verdicts and errors.
    grove(d, &["run", probe(), "echo", "hi"]).expect(0);
    let run = grove(d, &["run", probe(), "fail"]).expect(1);
    assert!(run.stdout.contains("failing on purpose"));
    let run = grove(d, &["run", probe(), "error"]).expect(1);
    assert!(run.stderr.contains("erroring on purpose"), "{}", run.stderr);
    // A skill's `invalid` error is a usage error.
    let run = grove(d, &["run", probe(), "bogus"]).expect(2);
    assert!(run.stderr.contains("hint: usage: grove run probe.wasm"), "{}", run.stderr);
    // Crashes.
    let run = grove(d, &["run", probe(), "panic"]).expect(4);
    assert!(run.stderr.contains("probe panicked on purpose"), "{}", run.stderr);
    assert!(run.stderr.contains("the skill crashed"), "{}", run.stderr);
    let run = grove(d, &["run", probe(), "exit"]).expect(4);
    // WASI 0.2 exit carries only success or failure, so any non-zero code is 1.
    assert!(run.stderr.contains("exited early with code 1"), "{}", run.stderr);
    grove(d, &["--version"]).expect(0);
}

#[test]
fn json_output_is_the_skills_data_or_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let run = grove(dir.path(), &["run", probe(), "--json", "data", r#"{"clones":[]}"#]).expect(0);
    assert_eq!(run.json(), serde_json::json!({"clones": []}));
    // Run flags after `--` belong to the skill.
    let run = grove(dir.path(), &["run", probe(), "echo", "--", "--json"]).expect(0);
    assert_eq!(run.stdout, "--json\n");
    // A skill error under --json is still JSON on stdout.
    let run = grove(dir.path(), &["run", probe(), "--json", "error"]).expect(1);
    assert_eq!(run.json()["error"]["kind"], "failed");
    // Data that is not JSON is the skill's bug, reported as such.
    let run = grove(dir.path(), &["run", probe(), "--json", "data", "{nope"]).expect(4);
    assert!(run.stderr.contains("not JSON"), "{}", run.stderr);
}

#[test]
fn run_flags_stand_on_either_side_of_the_skill() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // After a skill argument, and split across both sides.
    let run = grove(d, &["run", "--json", probe(), "echo", "hi", "--output-limit", "64"]).expect(0);
    assert_eq!(run.json()["success"], true);
    grove(d, &["run", "--allow", "process", probe(), "run", "true", "--allow=ui"]).expect(0);
    let run = grove(d, &["run", probe(), "echo", "x", "--timeout"]).expect(2);
    assert!(run.stderr.contains("--timeout needs a value"), "{}", run.stderr);
    // An unknown flag before SKILL is not taken for a skill.
    let run = grove(d, &["run", "--jsn", "hello"]).expect(2);
    assert!(run.stderr.contains("`--jsn`"), "{}", run.stderr);
}

#[test]
fn ui_ask_reads_the_answer_or_takes_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let run = grove_with(grove_cmd(dir.path(), home.path()), &["run", probe(), "ask"], Some("1\n")).expect(0);
    assert_eq!(run.stdout.trim(), "picked 0");
    assert!(run.stderr.contains("Pick one") && run.stderr.contains("2) blue (default)"), "{}", run.stderr);
    let run = grove(dir.path(), &["run", probe(), "ask"]).expect(0);
    assert_eq!(run.stdout.trim(), "picked 1");
}

#[test]
fn ui_report_goes_to_stdout_or_to_stderr_under_json() {
    let dir = tempfile::tempdir().unwrap();
    let run = grove(dir.path(), &["run", probe(), "report", "all clear"]).expect(0);
    assert!(run.stdout.contains("## Findings\n\nall clear"), "{}", run.stdout);
    let run = grove(dir.path(), &["run", probe(), "report", "all clear", "--json"]).expect(0);
    assert!(run.stderr.contains("all clear"));
    run.json();
}

#[test]
fn git_reads_see_the_worktree() {
    let repo = grove_tests::repo_with(&[("a.txt", "one\n")]);
    grove_tests::write(repo.path(), "a.txt", "two\n");
    grove_tests::write(repo.path(), "new.txt", "new\n");
    let run = grove(repo.path(), &["run", probe(), "git-status"]).expect(0);
    assert_eq!(run.stdout.trim(), "2 changes");
    let run = grove(repo.path(), &["run", probe(), "git-head"]).expect(0);
    assert!(run.stdout.contains("Some("), "{}", run.stdout);
}

#[test]
fn the_second_run_loads_the_compiled_component_from_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let run = || {
        let mut cmd = grove_cmd(dir.path(), home.path());
        cmd.env("GROVE_CACHE_DIR", cache.path()).env("GROVE_LOG", "grove=debug");
        grove_with(cmd, &["run", "hello"], None).expect(0)
    };
    let first = run();
    assert!(first.stderr.contains("cache=Miss"), "{}", first.stderr);
    let entries: Vec<_> = std::fs::read_dir(cache.path()).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert!(entries[0].extension().is_some_and(|x| x == "cwasm"));
    let second = run();
    assert!(second.stderr.contains("cache=Hit"), "{}", second.stderr);
}
