//! Every sandbox rule attacked by a hostile guest: each must fail with a
//! clear error, leak nothing, and leave the host healthy.
//!
//! The gate's classifier refuses most of these attacks before they reach
//! the sandbox, so the attacks on the sandbox itself run in bypass mode:
//! each layer must hold on its own. `the_gate_refuses_escapes_first`
//! checks the gate's side.

use std::time::{Duration, Instant};

use crate::support::{Fortress, SECRET, grove, grove_cmd, grove_with, probe};

#[test]
fn path_traversal_is_refused() {
    let f = Fortress::new();
    for path in ["../secret.txt", "a/../../secret.txt", "./../repo/../secret.txt"] {
        let run = grove(&f.repo(), &["run", "--mode", "bypass", probe(), "read", path]).expect(1);
        assert!(run.stderr.contains("leads outside the workspace"), "{path}: {}", run.stderr);
        assert!(!run.stdout.contains(SECRET) && !run.stderr.contains(SECRET));
    }
    // Writes too, and nothing outside changes.
    grove(
        &f.repo(),
        &[
            "run",
            "--mode",
            "bypass",
            probe(),
            "write",
            "../secret.txt",
            "pwned",
            "--allow",
            "workspace:write",
        ],
    )
    .expect(1);
    assert_eq!(std::fs::read_to_string(f.secret()).unwrap(), SECRET);
}

#[test]
fn the_gate_refuses_escapes_first() {
    let f = Fortress::new();
    let repo = f.repo();
    std::os::unix::fs::symlink(f.secret(), repo.join("link")).unwrap();
    let secret = f.secret().display().to_string();
    for path in ["../secret.txt", "a/../../secret.txt", secret.as_str(), "link"] {
        let run = grove(&repo, &["run", probe(), "read", path]).expect(1);
        assert!(run.stderr.contains("fs.outside-workspace"), "{path}: {}", run.stderr);
        assert!(!run.stdout.contains(SECRET) && !run.stderr.contains(SECRET));
    }
    let run =
        grove(&repo, &["run", probe(), "write", ".git/hooks/pre-commit", "x", "--allow", "workspace:write"])
            .expect(1);
    assert!(run.stderr.contains("fs.git-dir"), "{}", run.stderr);
    assert!(!repo.join(".git/hooks/pre-commit").exists());
}

#[test]
fn absolute_paths_are_refused() {
    let f = Fortress::new();
    let secret = f.secret().display().to_string();
    for path in [secret.as_str(), "/etc/passwd"] {
        let run = grove(&f.repo(), &["run", "--mode", "bypass", probe(), "read", path]).expect(2);
        assert!(run.stderr.contains("absolute path"), "{}", run.stderr);
        assert!(!run.stdout.contains(SECRET));
    }
}

#[test]
fn symlinks_out_of_the_workspace_are_refused() {
    let f = Fortress::new();
    let repo = f.repo();
    std::os::unix::fs::symlink(f.secret(), repo.join("link")).unwrap();
    std::os::unix::fs::symlink(f.outer.path(), repo.join("door")).unwrap();
    for path in ["link", "door/secret.txt"] {
        let run = grove(&repo, &["run", "--mode", "bypass", probe(), "read", path]).expect(1);
        assert!(run.stderr.contains("outside the workspace"), "{path}: {}", run.stderr);
        assert!(!run.stdout.contains(SECRET));
    }
    grove(
        &repo,
        &[
            "run",
            "--mode",
            "bypass",
            probe(),
            "write",
            "door/secret.txt",
            "pwned",
            "--allow",
            "workspace:write",
        ],
    )
    .expect(1);
    grove(
        &repo,
        &["run", "--mode", "bypass", probe(), "write", "link", "pwned", "--allow", "workspace:write"],
    )
    .expect(1);
    assert_eq!(std::fs::read_to_string(f.secret()).unwrap(), SECRET);
    // Listing shows the link as a link; glob does not follow it out.
    let run = grove(&repo, &["run", "--mode", "bypass", probe(), "glob", "**/*"]).expect(0);
    assert!(!run.stdout.contains("secret"), "{}", run.stdout);
    let run = grove(&repo, &["run", "--mode", "bypass", probe(), "stat", "link"]).expect(0);
    assert!(run.stdout.contains("Symlink"), "{}", run.stdout);
    // A process cannot be pointed out of the tree either.
    let run =
        grove(&repo, &["run", "--mode", "bypass", probe(), "run", "door/x", "--allow", "process"]).expect(1);
    assert!(
        run.stderr.contains("outside the workspace") || run.stderr.contains("not found"),
        "{}",
        run.stderr
    );
}

#[test]
fn workspace_reads_and_writes_inside_work() {
    let f = Fortress::new();
    let repo = f.repo();
    grove(&repo, &["run", probe(), "write", "notes/a.txt", "hello", "--allow", "workspace:write"]).expect(0);
    assert_eq!(std::fs::read_to_string(repo.join("notes/a.txt")).unwrap(), "hello");
    let run = grove(&repo, &["run", probe(), "read", "notes/a.txt"]).expect(0);
    assert_eq!(run.stdout.trim(), "hello");
    let run = grove(&repo, &["run", probe(), "list", "notes"]).expect(0);
    assert_eq!(run.stdout.trim(), "notes/a.txt");
    grove(&repo, &["run", probe(), "rename", "notes/a.txt", "b/c.txt", "--allow", "workspace:write"])
        .expect(0);
    assert!(repo.join("b/c.txt").is_file() && !repo.join("notes/a.txt").exists());
    grove(&repo, &["run", probe(), "remove", "b", "--allow", "workspace:write"]).expect(0);
    assert!(!repo.join("b").exists());
    let run = grove(&repo, &["run", probe(), "remove", ".", "--allow", "workspace:write"]).expect(2);
    assert!(run.stderr.contains("cannot remove the workspace root"), "{}", run.stderr);
    let run = grove(&repo, &["run", probe(), "read", "nope.txt"]).expect(1);
    assert!(run.stderr.contains("not found"), "{}", run.stderr);
}

#[test]
fn the_environment_does_not_leak() {
    let f = Fortress::new();
    let home = tempfile::tempdir().unwrap();
    let mut cmd = grove_cmd(&f.repo(), home.path());
    cmd.env("GROVE_TEST_SECRET", "hunter2");
    let run = grove_with(cmd, &["run", probe(), "wasi-env"], None).expect(0);
    assert_eq!(run.stdout.trim(), "vars=0 dirs=0");
    // No preopened folders: WASI file access goes nowhere.
    let secret = f.secret().display().to_string();
    let run = grove(&f.repo(), &["run", probe(), "wasi-file", &secret]).expect(1);
    assert!(run.stderr.contains("wasi read failed"), "{}", run.stderr);
    // Programs get a scrubbed environment.
    let mut cmd = grove_cmd(&f.repo(), home.path());
    cmd.env("GROVE_TEST_SECRET", "hunter2");
    let run = grove_with(cmd, &["run", probe(), "run", "env", "--allow", "process"], None).expect(0);
    assert!(run.stdout.contains("PATH="), "{}", run.stdout);
    assert!(!run.stdout.contains("hunter2") && !run.stdout.contains("GROVE_"), "{}", run.stdout);
}

#[test]
fn an_infinite_loop_hits_the_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let run = grove(dir.path(), &["run", probe(), "spin", "--timeout", "500ms"]).expect(3);
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
    assert!(run.stderr.contains("timeout: the skill ran past its deadline of 500ms"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: raise it with --timeout"), "{}", run.stderr);
}

#[test]
fn a_memory_bomb_hits_the_memory_limit() {
    let dir = tempfile::tempdir().unwrap();
    let run = grove(dir.path(), &["run", probe(), "alloc", "--memory", "32"]).expect(3);
    assert!(run.stderr.contains("memory limit"), "{}", run.stderr);
    assert!(run.stderr.contains("over its limit of 33554432 bytes"), "{}", run.stderr);
}

#[test]
fn output_floods_hit_the_output_limit() {
    let dir = tempfile::tempdir().unwrap();
    for flood in ["flood-log", "flood-stdout"] {
        let run = grove(dir.path(), &["run", probe(), flood, "--output-limit", "64"]).expect(3);
        assert!(
            run.stderr.contains("output limit"),
            "{flood}: {}",
            &run.stderr[run.stderr.len().saturating_sub(500)..]
        );
        assert!(run.stderr.len() < 200 * 1024, "{flood} printed {} bytes", run.stderr.len());
    }
}

#[test]
fn ungranted_and_unrequested_capabilities_are_denied() {
    let f = Fortress::new();
    let repo = f.repo();
    // Requested by the manifest, not granted: denied with the flag to grant it.
    let run = grove(&repo, &["run", probe(), "run", "true"]).expect(1);
    assert!(
        run.stderr.contains("`process` was not granted (hint: rerun with --allow process)"),
        "{}",
        run.stderr
    );
    let run = grove(&repo, &["run", probe(), "write", "x.txt", "data"]).expect(1);
    assert!(run.stderr.contains("--allow workspace:write"), "{}", run.stderr);
    assert!(!repo.join("x.txt").exists());
    // Not requested by the manifest: denied whatever the user grants.
    let run = grove(&repo, &["run", grove_tests::BARE, "notify", "--allow", "all"]).expect(1);
    assert!(run.stderr.contains("not among the permissions the skill's manifest requests"), "{}", run.stderr);
    // Every decision is audited, denials included.
    let audit = std::fs::read_to_string(repo.join(".git/grove/audit.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = audit.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(
        lines
            .iter()
            .any(|l| l["capability"] == "process" && l["decision"] == "deny" && l["target"] == "true")
    );
    assert!(lines.iter().any(|l| l["capability"] == "notify" && l["decision"] == "deny"));
    assert!(lines.iter().all(|l| ["probe", "bare"].contains(&l["skill"].as_str().unwrap())
        && l["time"].as_str().unwrap().ends_with('Z')));
}

#[test]
fn processes_are_timed_out_and_capped() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let run = grove(dir.path(), &["run", "--mode", "bypass", probe(), "run-timeout", "--allow", "process"])
        .expect(0);
    assert_eq!(run.stdout.trim(), "timed_out=true code=None");
    assert!(started.elapsed() < Duration::from_secs(15));
    let run =
        grove(dir.path(), &["run", "--mode", "bypass", probe(), "run-flood", "--allow", "process"]).expect(0);
    assert_eq!(run.stdout.trim(), "kept=1000 truncated=true");
    let run = grove(
        dir.path(),
        &["run", "--mode", "bypass", probe(), "run", "definitely-not-a-program", "--allow", "process"],
    )
    .expect(1);
    assert!(run.stderr.contains("not found on PATH"), "{}", run.stderr);
}
