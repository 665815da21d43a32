//! Sessions on real repositories: parallel runs that never touch each
//! other or the user's checkout, merge, removal, crash recovery, prune.

use std::path::Path;
use std::time::{Duration, Instant};

use grove_tests::model_server::Reply;

use crate::support::{Lab, Run, grove, grove_cmd, grove_with, probe};

/// A repository on branch `main` with two files committed.
pub fn project() -> tempfile::TempDir {
    let dir = grove_tests::repo_with(&[
        ("README.md", "# project\n"),
        ("src/lib.rs", "pub fn one() -> u32 { 1 }\n"),
    ]);
    let repo = git2::Repository::open(dir.path()).unwrap();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    repo.branch("main", &head, true).unwrap();
    repo.set_head("refs/heads/main").unwrap();
    dir
}

/// `grove` with a private home shared by the calls of one test, and the
/// worktrees under the test's own temp folder.
pub struct Grove {
    pub home: tempfile::TempDir,
}

impl Grove {
    pub fn new() -> Grove {
        Grove { home: tempfile::tempdir().unwrap() }
    }

    pub fn run(&self, dir: &Path, args: &[&str]) -> Run {
        grove_with(grove_cmd(dir, self.home.path()), args, None)
    }
}

pub fn ls(g: &Grove, dir: &Path) -> Vec<serde_json::Value> {
    g.run(dir, &["ls", "--json"]).expect(0).json().as_array().unwrap().clone()
}

fn state(g: &Grove, dir: &Path, name: &str) -> String {
    ls(g, dir).iter().find(|s| s["name"] == name).map(|s| s["state"].as_str().unwrap().to_string()).unwrap()
}

/// Wait until every named session is in a final state.
pub fn wait_final(g: &Grove, dir: &Path, names: &[&str]) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let rows = ls(g, dir);
        let done = names.iter().all(|n| {
            rows.iter().any(|r| {
                r["name"] == *n
                    && ["done", "failed", "cancelled", "interrupted"].contains(&r["state"].as_str().unwrap())
            })
        });
        if done {
            return rows;
        }
        assert!(Instant::now() < deadline, "sessions did not finish: {rows:#?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn index_and_status(dir: &Path) -> (Vec<u8>, String) {
    let index = std::fs::read(dir.join(".git/index")).unwrap();
    let out =
        std::process::Command::new("git").args(["status", "--porcelain"]).current_dir(dir).output().unwrap();
    (index, String::from_utf8(out.stdout).unwrap())
}

#[test]
fn five_sessions_run_in_parallel_without_touching_each_other_or_the_checkout() {
    let dir = project();
    let g = Grove::new();
    let before = index_and_status(dir.path());
    let names = ["s1", "s2", "s3", "s4", "s5"];
    for name in names {
        let file = format!("{name}.txt");
        let run = g.run(
            dir.path(),
            &[
                "new",
                name,
                "--skill",
                probe(),
                "--allow",
                "workspace:write",
                "--json",
                "--",
                "write",
                &file,
                name,
            ],
        );
        let json = run.expect(0).json();
        assert_eq!(json["branch"], format!("grove/{name}"));
    }
    let rows = wait_final(&g, dir.path(), &names);
    for name in names {
        let row = rows.iter().find(|r| r["name"] == name).unwrap();
        assert_eq!(row["state"], "done", "{row}");
        assert_eq!(row["files_changed"], 1, "{row}");
        let path = Path::new(row["path"].as_str().unwrap());
        assert_eq!(std::fs::read_to_string(path.join(format!("{name}.txt"))).unwrap(), name);
        // No session sees another's file.
        for other in names.iter().filter(|o| **o != name) {
            assert!(!path.join(format!("{other}.txt")).exists());
        }
        assert!(!path.starts_with(dir.path()), "worktrees live outside the user's tree");
    }
    assert_eq!(index_and_status(dir.path()), before, "the main worktree and its index are untouched");

    // diff shows the work; merge brings one session in; rm cleans the rest.
    let run = g.run(dir.path(), &["diff", "s1"]).expect(0);
    assert!(run.stdout.contains("+s1"), "{}", run.stdout);
    let run = g.run(dir.path(), &["diff", "s1", "--stat"]).expect(0);
    assert!(run.stdout.contains("s1.txt") && run.stdout.contains("1 file changed, +1 -0"), "{}", run.stdout);
    let run = g.run(dir.path(), &["merge", "s1", "--json"]).expect(0);
    assert_eq!(run.json()["into"], "main");
    assert_eq!(std::fs::read_to_string(dir.path().join("s1.txt")).unwrap(), "s1");
    assert_eq!(index_and_status(dir.path()).1, "", "the merge leaves the checkout clean");
    let run = g.run(dir.path(), &["merge", "s1"]).expect(1);
    assert!(run.stderr.contains("nothing to merge"), "{}", run.stderr);

    let paths: Vec<String> =
        ls(&g, dir.path()).iter().map(|r| r["path"].as_str().unwrap().to_string()).collect();
    // s2..s5 hold files their skill wrote and nobody committed: rm keeps
    // them unless told to throw them away.
    let run = g.run(dir.path(), &["rm", "s1", "s2"]).expect(2);
    assert!(
        run.stderr.contains("would lose 1 uncommitted change") && run.stderr.contains("s2.txt"),
        "{}",
        run.stderr
    );
    assert!(ls(&g, dir.path()).iter().any(|r| r["name"] == "s1"), "nothing is removed when one is refused");
    let run = g.run(dir.path(), &["rm", "s1", "s2", "s3", "s4", "--force"]).expect(0);
    assert!(run.stdout.contains("removed s2 (threw away 1 uncommitted change)"), "{}", run.stdout);
    g.run(dir.path(), &["rm", "s5", "--keep-branch", "--force"]).expect(0);
    assert!(ls(&g, dir.path()).is_empty());
    for path in paths {
        assert!(!Path::new(&path).exists(), "{path} removed");
    }
    let repo = git2::Repository::open(dir.path()).unwrap();
    assert!(repo.find_branch("grove/s2", git2::BranchType::Local).is_err());
    assert!(repo.find_branch("grove/s5", git2::BranchType::Local).is_ok());
}

#[test]
fn merge_refuses_a_dirty_checkout_and_conflicts() {
    let dir = project();
    let g = Grove::new();
    g.run(
        dir.path(),
        &[
            "new",
            "edit",
            "--skill",
            probe(),
            "--allow",
            "workspace:write",
            "--",
            "write",
            "README.md",
            "theirs\n",
        ],
    )
    .expect(0);
    wait_final(&g, dir.path(), &["edit"]);
    std::fs::write(dir.path().join("README.md"), "mine\n").unwrap();
    let run = g.run(dir.path(), &["merge", "edit"]).expect(1);
    assert!(run.stderr.contains("uncommitted changes: README.md"), "{}", run.stderr);
    // Commit the user's edit: now the two conflict, and nothing is touched.
    let repo = git2::Repository::open(dir.path()).unwrap();
    grove_tests::commit_all(&repo, "mine");
    let before = index_and_status(dir.path());
    let run = g.run(dir.path(), &["merge", "edit"]).expect(1);
    assert!(run.stderr.contains("conflicts in: README.md"), "{}", run.stderr);
    assert_eq!(index_and_status(dir.path()), before);
    assert_eq!(std::fs::read_to_string(dir.path().join("README.md")).unwrap(), "mine\n");
}

#[test]
fn squash_and_rebase_merges() {
    let dir = project();
    let g = Grove::new();
    for name in ["sq", "rb"] {
        let file = format!("{name}.txt");
        g.run(
            dir.path(),
            &[
                "new",
                name,
                "--skill",
                probe(),
                "--task",
                "add a file",
                "--allow",
                "workspace:write",
                "--",
                "write",
                &file,
                "x",
            ],
        )
        .expect(0);
    }
    wait_final(&g, dir.path(), &["sq", "rb"]);
    g.run(dir.path(), &["merge", "sq", "--squash"]).expect(0);
    let repo = git2::Repository::open(dir.path()).unwrap();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    assert_eq!(head.parent_count(), 1);
    assert!(head.message().unwrap().starts_with("add a file"));
    g.run(dir.path(), &["merge", "rb", "--rebase"]).expect(0);
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    assert_eq!(head.parent_count(), 1, "rebase keeps history linear");
    assert!(dir.path().join("sq.txt").is_file() && dir.path().join("rb.txt").is_file());
    // Their commits are not on main, but their work is: rm needs no --force.
    let run = g.run(dir.path(), &["rm", "sq", "rb"]).expect(0);
    assert!(!run.stdout.contains("unmerged"), "{}", run.stdout);
}

#[test]
fn a_killed_session_is_interrupted_and_resumes() {
    let dir = project();
    let g = Grove::new();
    g.run(
        dir.path(),
        &[
            "new",
            "long",
            "--skill",
            probe(),
            "--task",
            "finish",
            "--allow",
            "workspace:write,process",
            "--",
            "once",
            "marker",
        ],
    )
    .expect(0);
    let path = Path::new(ls(&g, dir.path())[0]["path"].as_str().unwrap()).to_path_buf();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !path.join("marker").exists() {
        assert!(Instant::now() < deadline, "the session never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    // SIGKILL the session's process, as a crash would.
    let row = ls(&g, dir.path())[0].clone();
    let pid = row["pid"].as_u64().unwrap_or_else(|| panic!("no pid in {row}"));
    unsafe {
        libc::kill(pid as libc::pid_t, libc::SIGKILL);
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(state(&g, dir.path(), "long"), "interrupted");
    g.run(dir.path(), &["resume", "long"]).expect(0);
    let rows = wait_final(&g, dir.path(), &["long"]);
    assert_eq!(rows[0]["state"], "done", "{:#?}", rows);
    assert_eq!(rows[0]["summary"], "resumed; task: finish");
    let run = g.run(dir.path(), &["logs", "long"]).expect(0);
    assert!(run.stdout.contains("resumed; task: finish"), "{}", run.stdout);
    // The event log tells the whole story.
    let run = g.run(dir.path(), &["logs", "long", "--json"]).expect(0);
    let kinds: Vec<String> = run
        .stdout
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["kind"].as_str().unwrap().to_string()
        })
        .collect();
    for kind in ["created", "started", "interrupted", "queued", "done"] {
        assert!(kinds.contains(&kind.to_string()), "{kind} missing from {kinds:?}");
    }
}

#[test]
fn worktrees_go_where_grove_worktree_dir_says_and_logs_follow_to_the_end() {
    let dir = project();
    let home = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let cmd = || {
        let mut cmd = grove_cmd(dir.path(), home.path());
        cmd.env("GROVE_WORKTREE_DIR", elsewhere.path());
        cmd
    };
    let run = grove_with(
        cmd(),
        &[
            "new",
            "placed",
            "--skill",
            probe(),
            "--allow",
            "process",
            "--json",
            "--",
            "run",
            "sh",
            "-c",
            "sleep 1; echo late",
        ],
        None,
    )
    .expect(0);
    assert!(
        run.json()["path"].as_str().unwrap().starts_with(elsewhere.path().to_str().unwrap()),
        "{}",
        run.stdout
    );
    // -f returns once the session is over, with its whole transcript; and
    // with --raw, everything its process printed.
    let run = grove_with(cmd(), &["logs", "-f", "placed"], None).expect(0);
    assert!(run.stdout.contains("stdout=late") && run.stdout.contains("── done"), "{}", run.stdout);
    let run = grove_with(cmd(), &["logs", "-f", "--raw", "placed"], None).expect(0);
    assert!(run.stdout.contains("stdout=late") && run.stdout.contains("── placed done"), "{}", run.stdout);
}

#[test]
fn progress_reaches_ls_and_the_dashboard() {
    let dir = project();
    let g = Grove::new();
    g.run(dir.path(), &["new", "steps", "--skill", probe(), "--", "progress", "1000"]).expect(0);
    let rows = wait_final(&g, dir.path(), &["steps"]);
    assert_eq!(rows[0]["progress"], "steps 1000/1000", "{:#?}", rows);
}

#[test]
fn cancel_stops_a_running_session() {
    let dir = project();
    let g = Grove::new();
    g.run(dir.path(), &["new", "slow", "--skill", probe(), "--allow", "process", "--", "run", "sleep", "60"])
        .expect(0);
    std::thread::sleep(Duration::from_millis(500));
    g.run(dir.path(), &["cancel", "slow"]).expect(0);
    assert_eq!(state(&g, dir.path(), "slow"), "cancelled");
    let run = g.run(dir.path(), &["rm", "slow"]).expect(0);
    assert!(run.stdout.contains("removed slow"));
}

#[test]
fn prune_forgets_worktrees_deleted_by_hand() {
    let dir = project();
    let g = Grove::new();
    g.run(dir.path(), &["new", "gone", "--skill", "hello"]).expect(0);
    wait_final(&g, dir.path(), &["gone"]);
    let path = ls(&g, dir.path())[0]["path"].as_str().unwrap().to_string();
    std::fs::remove_dir_all(&path).unwrap();
    let rows = ls(&g, dir.path());
    assert_eq!(rows[0]["worktree_missing"], true);
    let run = g.run(dir.path(), &["prune", "--json"]).expect(0);
    assert_eq!(run.json()["pruned"], serde_json::json!(["gone"]));
    assert!(ls(&g, dir.path()).is_empty());
}

#[test]
fn bad_session_names_and_commands_get_clear_errors() {
    let dir = project();
    let g = Grove::new();
    let run = g.run(dir.path(), &["new", "x"]).expect(2);
    assert!(run.stderr.contains("--skill"), "{}", run.stderr);
    let run = g.run(dir.path(), &["new", "..", "--skill", "hello"]).expect(2);
    assert!(run.stderr.contains("error: "), "{}", run.stderr);
    let run = g.run(dir.path(), &["new", "My Feature", "--skill", "hello", "--json"]).expect(0);
    assert_eq!(run.json()["name"], "my-feature");
    let run = g.run(dir.path(), &["new", "my feature", "--skill", "hello"]).expect(2);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    let run = g.run(dir.path(), &["new", "y", "--skill", "nope"]).expect(2);
    assert!(run.stderr.contains("no skill named `nope`"), "{}", run.stderr);
    let run = g.run(dir.path(), &["diff", "nobody"]).expect(2);
    assert!(run.stderr.contains("no session named `nobody`"), "{}", run.stderr);
    let outside = tempfile::tempdir().unwrap();
    let run = grove(outside.path(), &["ls"]).expect(2);
    assert!(run.stderr.contains("git repository"), "{}", run.stderr);
}

#[test]
fn a_skill_fans_out_into_sub_sessions_and_waits_for_them() {
    let dir = project();
    let g = Grove::new();
    let run = g.run(dir.path(), &["run", probe(), "fanout", "3"]).expect(1);
    assert!(run.stderr.contains("--allow sessions"), "{}", run.stderr);
    let run = g.run(dir.path(), &["run", probe(), "fanout", "3", "--allow", "sessions"]).expect(0);
    for i in 0..3 {
        // Each sub-session's skill got the arguments it was spawned with.
        assert!(
            run.stdout.contains(&format!("variant-{i}=State::Done:Hello, variant-{i}!")),
            "{}",
            run.stdout
        );
    }
    let rows = ls(&g, dir.path());
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r["state"] == "done" && r["task"].as_str().unwrap().starts_with("variant ")));
}

#[test]
fn a_sub_session_spawned_without_a_skill_is_worked_by_the_agent() {
    let lab = Lab::new(
        &[("README.md", "# project\n")],
        vec![Reply::anthropic().text("Read it: nothing to change.").into()],
    );
    let run = lab
        .grove(&["run", probe(), "delegate", "helper", "read the README", "--allow", "sessions"])
        .expect(0);
    assert!(run.stdout.contains("helper=State::Done:Read it: nothing to change."), "{}", run.stdout);
    let row = lab.session_row("helper");
    assert_eq!((row["skill"].as_str(), row["task"].as_str()), (Some("agent"), Some("read the README")));
    let requests = lab.requests();
    assert_eq!(requests.len(), 1, "the agent asked the model once");
    assert!(requests[0].body.to_string().contains("read the README"), "{}", requests[0].body);
}

/// The pid of the process running `argv` in `dir`, if one is alive.
fn running_in(dir: &Path, argv: &[&str]) -> Option<u32> {
    let dir = dir.canonicalize().ok()?;
    let want: Vec<u8> = argv.iter().flat_map(|a| a.bytes().chain([0])).collect();
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|entry| {
        let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
        let proc = entry.path();
        let matches = std::fs::read(proc.join("cmdline")).ok()? == want
            && std::fs::read_link(proc.join("cwd")).ok()? == dir;
        (matches && alive(pid)).then_some(pid)
    })
}

/// Whether `pid` is a live process (not gone, not a zombie nobody reaped).
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| stat.rsplit_once(')').map(|(_, rest)| !rest.trim_start().starts_with('Z')))
        .unwrap_or(false)
}

/// Start session `name` running `sleep 30` through the process capability;
/// the sleep's pid and the runner's, once the sleep runs.
fn sleeping_session(g: &Grove, dir: &Path, name: &str) -> (u32, u32) {
    g.run(dir, &["new", name, "--skill", probe(), "--allow", "process", "--", "run", "sleep", "30"])
        .expect(0);
    let row = ls(g, dir).into_iter().find(|r| r["name"] == name).unwrap();
    let path = Path::new(row["path"].as_str().unwrap()).to_path_buf();
    let sleep = crate::support::wait(|| running_in(&path, &["sleep", "30"]), "the sleep to start");
    let row = ls(g, dir).into_iter().find(|r| r["name"] == name).unwrap();
    let runner = row["pid"].as_u64().unwrap_or_else(|| panic!("no pid in {row}")) as u32;
    (sleep, runner)
}

/// Wait a little for `pid` to be gone.
pub fn gone(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    !alive(pid)
}

#[test]
fn a_killed_session_leaves_no_program_running() {
    let dir = project();
    let g = Grove::new();
    let (sleep, runner) = sleeping_session(&g, dir.path(), "crash");
    // SIGKILL the session's process, as a crash would: it ends nothing.
    unsafe {
        libc::kill(runner as libc::pid_t, libc::SIGKILL);
    }
    assert!(gone(runner), "the runner died");
    assert_eq!(state(&g, dir.path(), "crash"), "interrupted");
    let survived = !gone(sleep);
    if survived {
        unsafe {
            libc::kill(sleep as libc::pid_t, libc::SIGKILL);
        }
    }
    assert!(!survived, "the session's sleep outlived it");
}

#[test]
fn cancel_ends_the_programs_of_a_session_that_does_not_answer() {
    let dir = project();
    let g = Grove::new();
    let (sleep, runner) = sleeping_session(&g, dir.path(), "hung");
    // A runner that does not answer SIGTERM: cancel has to SIGKILL it,
    // and then end what it started itself.
    unsafe {
        libc::kill(runner as libc::pid_t, libc::SIGSTOP);
    }
    g.run(dir.path(), &["cancel", "hung"]).expect(0);
    assert_eq!(state(&g, dir.path(), "hung"), "cancelled");
    assert!(gone(runner), "the runner was killed");
    let survived = !gone(sleep);
    if survived {
        unsafe {
            libc::kill(sleep as libc::pid_t, libc::SIGKILL);
        }
    }
    assert!(!survived, "the cancelled session's sleep outlived it");
}

#[test]
fn a_run_in_a_finished_sessions_worktree_keeps_its_programs() {
    let dir = project();
    let g = Grove::new();
    g.run(dir.path(), &["new", "over", "--skill", "hello"]).expect(0);
    let row = wait_final(&g, dir.path(), &["over"]).into_iter().find(|r| r["name"] == "over").unwrap();
    let path = Path::new(row["path"].as_str().unwrap()).to_path_buf();
    let mut cmd = grove_cmd(dir.path(), g.home.path());
    cmd.args(["run", "--session", "over", "--allow", "process", probe(), "run", "sleep", "2"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let run = cmd.spawn().unwrap();
    crate::support::wait(|| running_in(&path, &["sleep", "2"]), "the sleep to start");
    // Every session command looks for what dead sessions left; this run's
    // grove process is alive, so its sleep is its own.
    ls(&g, dir.path());
    let out = run.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("code=Some(0)"), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
}

/// Commit everything in a session's worktree; the new commit's id.
fn commit_in(path: &Path, file: &str, contents: &str) -> String {
    grove_tests::write(path, file, contents);
    grove_tests::commit_all(&git2::Repository::open(path).unwrap(), &format!("add {file}")).to_string()
}

fn path_of(g: &Grove, dir: &Path, name: &str) -> std::path::PathBuf {
    let rows = ls(g, dir);
    let row = rows.iter().find(|r| r["name"] == name).unwrap();
    Path::new(row["path"].as_str().unwrap()).to_path_buf()
}

fn branch_exists(dir: &Path, branch: &str) -> bool {
    git2::Repository::open(dir).unwrap().find_branch(branch, git2::BranchType::Local).is_ok()
}

#[test]
fn rm_refuses_to_lose_unmerged_commits_and_names_them_when_forced() {
    let dir = project();
    let g = Grove::new();
    for name in ["a", "b", "c"] {
        g.run(dir.path(), &["new", name, "--skill", "hello"]).expect(0);
    }
    wait_final(&g, dir.path(), &["a", "b", "c"]);
    let tips: Vec<String> =
        ["a", "b", "c"].iter().map(|n| commit_in(&path_of(&g, dir.path(), n), "w.txt", n)).collect();

    let run = g.run(dir.path(), &["rm", "a"]).expect(2);
    let want = format!("would lose 1 unmerged commit on grove/a that main lacks (last {})", tips[0]);
    assert!(run.stderr.contains(&want), "{}", run.stderr);
    assert!(run.stderr.contains("--force") && run.stderr.contains("--keep-branch"), "{}", run.stderr);
    assert!(branch_exists(dir.path(), "grove/a") && path_of(&g, dir.path(), "a").is_dir());

    let run = g.run(dir.path(), &["rm", "a", "--force"]).expect(0);
    let want = format!(
        "deleted grove/a with 1 unmerged commit (last {0}); bring it back with `git branch grove/a {0}`",
        tips[0]
    );
    assert!(run.stdout.contains(&want), "{}", run.stdout);
    assert!(!branch_exists(dir.path(), "grove/a"));
    // The id printed does bring it back.
    let repo = git2::Repository::open(dir.path()).unwrap();
    repo.branch("grove/a", &repo.find_commit(git2::Oid::from_str(&tips[0]).unwrap()).unwrap(), false)
        .unwrap();

    let run = g.run(dir.path(), &["rm", "b", "--force", "--json"]).expect(0);
    let json = run.json();
    assert_eq!(json["removed"], serde_json::json!(["b"]));
    assert_eq!(json["branches"][0]["fate"], "deleted");
    assert_eq!(json["branches"][0]["commit"], tips[1].as_str());
    assert_eq!(json["branches"][0]["unmerged_commits"], 1);

    // Keeping the branch loses nothing: no --force needed.
    let run = g.run(dir.path(), &["rm", "c", "--keep-branch"]).expect(0);
    assert!(
        run.stdout.contains(&format!("kept grove/c: 1 unmerged commit (last {})", tips[2])),
        "{}",
        run.stdout
    );
    assert!(branch_exists(dir.path(), "grove/c"));
}

#[test]
fn prune_and_rm_agree_on_branches_and_new_explains_a_leftover_one() {
    let dir = project();
    let g = Grove::new();
    g.run(dir.path(), &["new", "empty", "--skill", "hello"]).expect(0);
    g.run(dir.path(), &["new", "worked", "--skill", "hello"]).expect(0);
    wait_final(&g, dir.path(), &["empty", "worked"]);
    let tip = commit_in(&path_of(&g, dir.path(), "worked"), "w.txt", "work");
    for name in ["empty", "worked"] {
        std::fs::remove_dir_all(path_of(&g, dir.path(), name)).unwrap();
    }
    let run = g.run(dir.path(), &["prune", "--json"]).expect(0);
    let json = run.json();
    assert_eq!(json["pruned"], serde_json::json!(["empty", "worked"]));
    let fates: Vec<(String, String)> = json["branches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["branch"].as_str().unwrap().to_string(), b["fate"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(fates, [("grove/empty".into(), "deleted".into()), ("grove/worked".into(), "kept".into())]);
    assert_eq!(json["branches"][1]["commit"], tip.as_str());
    assert!(!branch_exists(dir.path(), "grove/empty") && branch_exists(dir.path(), "grove/worked"));

    // The name whose branch went is free again.
    g.run(dir.path(), &["new", "empty", "--skill", "hello"]).expect(0);
    // The one whose branch stayed is refused before anything is made.
    let run = g.run(dir.path(), &["new", "worked", "--skill", "hello"]).expect(2);
    assert!(run.stderr.contains("branch grove/worked is left over"), "{}", run.stderr);
    assert!(
        run.stderr.contains("--from grove/worked") && run.stderr.contains("git branch -D grove/worked"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(&tip), "{}", run.stderr);
    assert!(ls(&g, dir.path()).iter().all(|r| r["name"] != "worked"));
    // Its advice works: a new session carries the work on.
    g.run(dir.path(), &["new", "worked-2", "--skill", "hello", "--from", "grove/worked"]).expect(0);
    assert!(path_of(&g, dir.path(), "worked-2").join("w.txt").is_file());

    // rm of a session whose folder went by hand deletes its empty branch too.
    wait_final(&g, dir.path(), &["empty", "worked-2"]);
    std::fs::remove_dir_all(path_of(&g, dir.path(), "empty")).unwrap();
    g.run(dir.path(), &["rm", "empty"]).expect(0);
    assert!(!branch_exists(dir.path(), "grove/empty"));
}

#[test]
fn a_name_with_spaces_reaches_the_same_session_in_every_command() {
    let dir = project();
    let g = Grove::new();
    let name = "My Feature";
    g.run(dir.path(), &["new", name, "--skill", "hello"]).expect(0);
    wait_final(&g, dir.path(), &["my-feature"]);
    let run = g.run(dir.path(), &["logs", name]).expect(0);
    assert!(run.stdout.contains("Hello, world!"), "{}", run.stdout);
    g.run(dir.path(), &["diff", name, "--stat"]).expect(0);
    let run = g.run(dir.path(), &["merge", name]).expect(1);
    assert!(run.stderr.contains("nothing to merge"), "{}", run.stderr);
    let run = g.run(dir.path(), &["cancel", name]).expect(2);
    assert!(run.stderr.contains("`my-feature` is already done"), "{}", run.stderr);
    let run = g.run(dir.path(), &["resume", name]).expect(2);
    assert!(run.stderr.contains("only interrupted"), "{}", run.stderr);
    let run = g.run(dir.path(), &["rm", name]).expect(0);
    assert!(run.stdout.contains("removed my-feature"), "{}", run.stdout);
}
