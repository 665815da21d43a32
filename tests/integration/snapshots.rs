//! Snapshots of what a user reads: help, listings, errors. Paths that
//! differ between machines are filtered out.

use crate::support::{grove, grove_cmd, grove_with, probe, wait};

fn filtered(text: &str) -> String {
    text.replace(probe(), "[PROBE]")
}

#[test]
fn help() {
    let dir = tempfile::tempdir().unwrap();
    insta::assert_snapshot!(grove(dir.path(), &["--help"]).expect(0).stdout);
    insta::assert_snapshot!(grove(dir.path(), &["run", "--help"]).expect(0).stdout);
}

/// `grove run SKILL --help` is the skill's usage and grove's run flags;
/// after `--` it is the skill's argument.
#[test]
fn run_skill_help() {
    let dir = tempfile::tempdir().unwrap();
    insta::assert_snapshot!(grove(dir.path(), &["run", "hello", "--help"]).expect(0).stdout);
    let run = grove(dir.path(), &["run", "hello", "--", "--help"]).expect(0);
    assert_eq!(run.stdout, "Hello, --help!\n");
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
        grove(d, &["run", probe(), "bogus"]).expect(2),
    ];
    let text: Vec<String> = runs.iter().map(|r| filtered(&r.stderr)).collect();
    insta::assert_snapshot!(text.join("---\n"));
}

/// Errors around sessions, each as a user first meets it. Temporary
/// folders and commit ids differ between runs and are filtered out.
#[test]
fn session_errors_a_user_meets() {
    let dir = grove_tests::repo_with(&[("README.md", "# project\n")]);
    let d = dir.path();
    let git = git2::Repository::open(d).unwrap();
    let head = git.head().unwrap().peel_to_commit().unwrap();
    git.branch("main", &head, true).unwrap();
    git.set_head("refs/heads/main").unwrap();
    let home = tempfile::tempdir().unwrap();
    // No model anywhere: the user's environment must not leak in.
    let grove = |args: &[&str]| {
        let mut cmd = grove_cmd(d, home.path());
        for var in [
            "ANTHROPIC_API_KEY",
            "ANTHROPIC_AUTH_TOKEN",
            "ANTHROPIC_BASE_URL",
            "OPENAI_API_KEY",
            "OPENAI_BASE_URL",
        ] {
            cmd.env_remove(var);
        }
        grove_with(cmd, args, None)
    };
    let wait_done = |name: &str| {
        wait(
            || {
                let rows = grove(&["ls", "--json"]).expect(0).json();
                let row = rows.as_array()?.iter().find(|r| r["name"] == name)?.clone();
                (row["state"] == "done").then_some(row)
            },
            "the session to finish",
        )
    };
    let mut runs = vec![
        grove(&["lss"]).expect(2).stderr,
        grove(&["mrege", "fix"]).expect(2).stderr,
        grove(&["new", "--", "-dash"]).expect(2).stderr,
        grove(&["new", "fix", "--task", "make the test pass"]).expect(2).stderr,
    ];
    let agent = grove(&["run", "agent", "say hi"]).expect(1);
    runs.push(agent.stdout + &agent.stderr);

    // A session whose work conflicts with the checkout's on a rebase.
    let write = ["--skill", probe(), "--allow", "workspace:write", "--", "write", "README.md", "theirs\n"];
    grove(&[&["new", "edit"], &write[..]].concat()).expect(0);
    let edit = wait_done("edit");
    grove_tests::write(d, "README.md", "mine\n");
    grove_tests::commit_all(&git, "mine");
    runs.push(grove(&["merge", "edit", "--rebase"]).expect(1).stderr);
    // Removing it would lose its commit (the merge committed its work).
    runs.push(grove(&["rm", "edit"]).expect(2).stderr);
    // Its name, once removed with its branch kept, is taken by the branch.
    grove(&["rm", "edit", "--keep-branch"]).expect(0);
    runs.push(grove(&["new", "edit", "--skill", "hello"]).expect(2).stderr);

    let worktree = edit["path"].as_str().unwrap().to_string();
    let text = runs
        .join("---\n")
        .replace(&worktree, "[WORKTREE]")
        .replace(&home.path().display().to_string(), "[HOME]");
    insta::with_settings!({ filters => vec![(r"\b[0-9a-f]{40}\b", "[COMMIT]")] }, {
        insta::assert_snapshot!(text);
    });
}
