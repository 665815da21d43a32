//! `grove pr` benchmark: handing a session with ten evidence files to the
//! GitHub REST test server on loopback (push the branch, publish the
//! evidence to `grove-evidence`, open the pull request, request reviewers,
//! set the statuses, post the code review's comments), against `git push`
//! of the same branch alone, in the same run. Both push a branch the
//! remote does not have yet, to a local bare repository.
//!
//! The sessions are real (`grove new` with the probe guest adding ten
//! notes to each one's evidence, then a commit in its worktree); the
//! server is `grove_tests::github_server`; `grove` is the real binary, so
//! its start is counted.
//!
//! Run: `cargo bench -p grove --bench pr` (add `--profile dev` for the
//! debug build). Medians; the machine is noisy.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use grove_tests::bench::{Table, fmt, median, timed};
use grove_tests::github_server::{GITHUB_VARS, GitHubServer};

const RUNS: usize = 9;
const TOKEN: &str = "bench-token-for-the-github-server";

fn main() {
    let scratch = tempfile::tempdir().unwrap();
    let repo = scratch.path().join("repo");
    let bare = scratch.path().join("origin.git");
    std::fs::create_dir_all(&repo).unwrap();
    let git = git2::Repository::init(&repo).unwrap();
    for i in 0..100 {
        grove_tests::write(
            &repo,
            &format!("src/m{}/f{i}.rs", i % 7),
            &format!("pub fn f{i}() -> usize {{ {i} }}\n"),
        );
    }
    grove_tests::write(&repo, "CODEOWNERS", "* @lead\n");
    grove_tests::write(&repo, ".grove/config.toml", "[github]\nrepo = \"acme/shop\"\n");
    grove_tests::commit_all(&git, "init");
    git2::Repository::init_bare(&bare).unwrap();
    git.remote("origin", bare.to_str().unwrap()).unwrap();
    let main = git.head().unwrap().shorthand().unwrap().to_string();
    run(Command::new("git").args(["push", "-q", "origin", &main]).current_dir(&repo));

    let server = GitHubServer::start("acme", "shop", TOKEN, Some(bare.clone()));
    server.set_default_branch(&main);
    let home = scratch.path().join("home");
    let grove = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_grove"));
        cmd.current_dir(&repo)
            .env("GROVE_HOME", &home)
            .env("GROVE_CACHE_DIR", home.join("cache"))
            .env("GROVE_WORKTREE_DIR", scratch.path().join("worktrees"))
            .env("GROVE_MAX_SESSIONS", "16")
            .stdin(Stdio::null());
        for var in GITHUB_VARS {
            cmd.env_remove(var);
        }
        cmd.env("GROVE_GITHUB_API", server.url()).env("GH_TOKEN", TOKEN);
        cmd
    };

    // The sessions, each with ten evidence files and a commit.
    let mut worktrees = Vec::new();
    for i in 0..RUNS {
        let name = format!("s{i}");
        run(grove().args([
            "new",
            &name,
            "--skill",
            grove_tests::PROBE,
            "--allow",
            "ui",
            "--",
            "evidence-n",
            "10",
        ]));
        worktrees.push(wait_done(&grove, &name));
    }
    for (i, worktree) in worktrees.iter().enumerate() {
        grove_tests::write(worktree, &format!("src/m0/new{i}.rs"), "pub fn added() {}\n");
        grove_tests::commit_all(&git2::Repository::open(worktree).unwrap(), "add");
    }

    let mut push_alone = Vec::new();
    let mut pr = Vec::new();
    for i in 0..RUNS {
        let branch = format!("grove/s{i}");
        push_alone.push(timed(|| {
            run(Command::new("git").args(["push", "-q", "origin", &branch]).current_dir(&repo));
        }));
        // The remote forgets it again: both push a branch it lacks.
        run(Command::new("git").args(["push", "-q", "origin", "--delete", &branch]).current_dir(&repo));
        pr.push(timed(|| {
            run(grove().args(["pr", &format!("s{i}")]));
        }));
    }
    assert_eq!(server.pulls().len(), RUNS);
    assert!(server.pulls().iter().all(|p| p.body.contains("010-note-9.md")), "ten evidence files each");

    let (push_alone, pr) = (median(push_alone), median(pr));
    let mut table = Table::default();
    table.row("`git push` of the branch alone", push_alone, "", None);
    table.row("`grove pr` (10 evidence files)", pr, "≤ 300 ms", Some(("git push", push_alone)));
    table.note(&format!(
        "{RUNS} sessions, each handed off once; `grove pr` includes starting grove, proving the token, the push, \
         publishing the evidence, opening the pull request, asking a reviewer, setting the statuses ({} each). \
         Extra over the push alone: {}.",
        server.statuses().len() / RUNS,
        fmt(pr.saturating_sub(push_alone))
    ));
    table.print();
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// Wait for session `name` to be done; its worktree.
fn wait_done(grove: &dyn Fn() -> Command, name: &str) -> PathBuf {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let out = run(grove().args(["ls", "--json"]));
        let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let row = rows.as_array().unwrap().iter().find(|r| r["name"] == name).cloned().unwrap();
        match row["state"].as_str() {
            Some("done") => return Path::new(row["path"].as_str().unwrap()).to_path_buf(),
            Some("failed" | "cancelled" | "interrupted") => panic!("session {name}: {row}"),
            _ => std::thread::sleep(std::time::Duration::from_millis(100)),
        }
        assert!(std::time::Instant::now() < deadline, "session {name} never finished");
    }
}
