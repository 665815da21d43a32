//! Sub-sessions form a tree: a session spawned by a skill working in
//! session P records P, shows under it, goes when it goes (once the human
//! says so), shares its budget, and spawning stops at the depth and count
//! the user allows, however hard a skill loops.

use std::path::Path;

use grove_tests::model_server::Reply;

use crate::sessions::{Grove, gone, ls, project, wait_final};
use crate::support::{Lab, Run, grove_cmd, probe, wait};

fn row<'a>(rows: &'a [serde_json::Value], name: &str) -> &'a serde_json::Value {
    rows.iter().find(|r| r["name"] == name).unwrap_or_else(|| panic!("no {name} in {rows:#?}"))
}

/// `grove ARGS` on a pseudo-terminal (`script`), typing `input` once the
/// question is up: what the terminal showed.
fn on_a_terminal(g: &Grove, dir: &Path, args: &[&str], input: &str) -> String {
    let wait = std::time::Duration::from_millis(1500);
    crate::support::on_a_terminal(grove_cmd(dir, g.home.path()), args, input, wait)
}

/// `grove ls` without its last column (the age, which the clock decides).
fn ls_text(g: &Grove, dir: &Path) -> String {
    let out = g.run(dir, &["ls"]).expect(0).stdout;
    out.lines()
        .map(|line| line.trim_end().rsplit_once(' ').map_or(line, |(kept, _)| kept).trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn sub_sessions_record_their_parent_and_show_under_it() {
    let dir = project();
    let g = Grove::new();
    g.run(dir.path(), &["new", "other", "--skill", "hello"]).expect(0);
    g.run(
        dir.path(),
        &[
            "new",
            "proto",
            "--skill",
            probe(),
            "--allow",
            "sessions",
            "--",
            "spawn-wait",
            "variant",
            "5",
            "hello",
            "hi",
        ],
    )
    .expect(0);
    let variants: Vec<String> = (0..5).map(|i| format!("variant-{i}")).collect();
    let mut names: Vec<&str> = variants.iter().map(String::as_str).collect();
    names.extend(["proto", "other"]);
    let rows = wait_final(&g, dir.path(), &names);
    assert_eq!(row(&rows, "proto")["state"], "done", "{rows:#?}");
    for name in &variants {
        assert_eq!(row(&rows, name)["parent"], "proto", "{rows:#?}");
        assert_eq!(row(&rows, name)["state"], "done", "{rows:#?}");
    }
    // `grove new` makes roots.
    assert!(row(&rows, "proto")["parent"].is_null() && row(&rows, "other")["parent"].is_null());

    // A sub-session's skill spawns one more level (run in its session).
    let run = g
        .run(
            dir.path(),
            &[
                "run",
                "--session",
                "variant-1",
                "--allow",
                "sessions",
                probe(),
                "spawn",
                "deeper",
                "hello",
                "hi",
            ],
        )
        .expect(0);
    assert!(run.stdout.contains("spawned deeper"), "{}", run.stdout);
    let rows = wait_final(&g, dir.path(), &["deeper"]);
    assert_eq!(row(&rows, "deeper")["parent"], "variant-1");
    // The JSON comes in the order the text shows: each under its parent.
    let order: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(
        order,
        ["other", "proto", "variant-0", "variant-1", "deeper", "variant-2", "variant-3", "variant-4"]
    );
    insta::assert_snapshot!(ls_text(&g, dir.path()));

    // The parent's transcript names what it spawned.
    let logs = g.run(dir.path(), &["logs", "proto"]).expect(0).stdout;
    assert!(logs.contains("⑂ sub-session variant-4 (hello)"), "{logs}");
}

#[test]
fn cancelling_a_parent_asks_then_cancels_its_sub_sessions() {
    let dir = project();
    let g = Grove::new();
    let task = "sleep 120000";
    g.run(
        dir.path(),
        &[
            "new",
            "fam",
            "--skill",
            probe(),
            "--allow",
            "sessions",
            "--",
            "spawn-wait",
            "kid",
            "3",
            probe(),
            task,
        ],
    )
    .expect(0);
    let kids = ["kid-0", "kid-1", "kid-2"];
    let running = |g: &Grove| {
        let rows = ls(g, dir.path());
        // Running, and its process recorded (the state and the pid are
        // written one after the other).
        kids.iter()
            .all(|k| rows.iter().any(|r| r["name"] == *k && r["state"] == "running" && r["pid"].is_u64()))
            .then_some(rows)
    };
    let rows = wait(|| running(&g), "the sub-sessions to run");
    let pids: Vec<u64> = kids.iter().map(|k| row(&rows, k)["pid"].as_u64().unwrap()).collect();

    // No terminal, no --yes: refused, and nothing is cancelled.
    let run = g.run(dir.path(), &["cancel", "fam"]).expect(2);
    assert!(
        run.stderr
            .contains("`fam` has 3 sub-sessions, and there is no terminal to ask whether to cancel them too"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`grove cancel --yes fam`"), "{}", run.stderr);
    assert_eq!(row(&ls(&g, dir.path()), "fam")["state"], "running");
    assert!(running(&g).is_some(), "the sub-sessions run on");

    // On a terminal the question comes; no (the default) spares them.
    let screen = on_a_terminal(&g, dir.path(), &["cancel", "fam"], "\n");
    assert!(screen.contains("fam has 3 sub-sessions: cancel them too? [y/N]"), "{screen}");
    assert!(screen.contains("3 sub-sessions of fam go on"), "{screen}");
    assert_eq!(row(&ls(&g, dir.path()), "fam")["state"], "cancelled");
    assert!(running(&g).is_some(), "answered no: the sub-sessions run on");

    // --yes reaches them, and their processes end.
    let run = g.run(dir.path(), &["cancel", "--yes", "fam", "--json"]).expect(0);
    let mut cancelled: Vec<String> =
        run.json()["cancelled"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string()).collect();
    cancelled.sort();
    assert_eq!(cancelled, kids);
    let rows = ls(&g, dir.path());
    for kid in kids {
        assert_eq!(row(&rows, kid)["state"], "cancelled", "{rows:#?}");
    }
    for pid in pids {
        assert!(gone(pid as u32), "the runner of a cancelled sub-session ({pid}) is gone");
    }
}

#[test]
fn removing_a_parent_removes_its_sub_sessions_but_never_their_work_unasked() {
    let dir = project();
    let g = Grove::new();
    let spawn = |name: &str, prefix: &str, n: &str| {
        let args = [
            "new",
            name,
            "--skill",
            probe(),
            "--allow",
            "sessions",
            "--",
            "spawn-wait",
            prefix,
            n,
            "hello",
            "hi",
        ];
        g.run(dir.path(), &args).expect(0);
    };
    spawn("fam", "kid", "2");
    let rows = wait_final(&g, dir.path(), &["fam", "kid-0", "kid-1"]);
    let kid_path = Path::new(row(&rows, "kid-1")["path"].as_str().unwrap()).to_path_buf();
    grove_tests::write(&kid_path, "notes.txt", "unsaved\n");

    let run = g.run(dir.path(), &["rm", "fam"]).expect(2);
    assert!(run.stderr.contains("no terminal to ask whether to remove them too"), "{}", run.stderr);
    assert!(run.stderr.contains("`grove rm --yes fam`"), "{}", run.stderr);
    // --yes answers the question, not for the work: the sub-session's
    // uncommitted change stops the whole removal.
    let run = g.run(dir.path(), &["rm", "--yes", "fam"]).expect(2);
    assert!(run.stderr.contains("removing `kid-1` would lose 1 uncommitted change"), "{}", run.stderr);
    assert!(run.stderr.contains("notes.txt"), "{}", run.stderr);
    assert_eq!(ls(&g, dir.path()).len(), 3, "nothing is removed when one would lose work");
    assert!(kid_path.join("notes.txt").is_file());

    let run = g.run(dir.path(), &["rm", "--yes", "--force", "fam"]).expect(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines, ["removed fam", "removed kid-0", "removed kid-1 (threw away 1 uncommitted change)"]);
    assert!(ls(&g, dir.path()).is_empty());
    assert!(!kid_path.exists());

    // On a terminal, yes removes them with it.
    spawn("fam2", "sub", "1");
    wait_final(&g, dir.path(), &["fam2", "sub-0"]);
    let screen = on_a_terminal(&g, dir.path(), &["rm", "fam2"], "y\n");
    assert!(screen.contains("fam2 has 1 sub-session: remove it too? [y/N]"), "{screen}");
    assert!(screen.contains("removed fam2") && screen.contains("removed sub-0"), "{screen}");
    assert!(ls(&g, dir.path()).is_empty());
}

#[test]
fn a_sub_session_inherits_its_parents_model_and_at_most_what_is_left_of_its_budget() {
    let reply = || -> Reply { Reply::anthropic().text("hi").usage(300, 100).into() };
    let lab = Lab::new(&[("README.md", "# project\n")], vec![reply(), reply(), reply(), reply()]);
    let grove = |args: &[&str]| -> Run { lab.grove(args) };
    grove(&[
        "new",
        "p",
        "--skill",
        "hello",
        "--budget",
        "1000",
        "--tier",
        "deep",
        "--model",
        "claude-opus-4-5",
    ])
    .expect(0);
    lab.wait_final("p");
    // p spends 400 tokens, then spawns a child asking for 5000.
    grove(&["run", "--session", "p", "--allow", "model", probe(), "model-scan", "00"]).expect(0);
    let run = grove(&[
        "run",
        "--session",
        "p",
        "--allow",
        "sessions",
        probe(),
        "spawn",
        "kid",
        "hello",
        "hi",
        "5000",
    ]);
    run.expect(0);
    let kid = lab.wait_final("kid");
    assert_eq!(kid["parent"], "p");
    assert_eq!(kid["budget"], "600", "clamped to what p has left: {kid}");
    assert_eq!((kid["tier"].as_str(), kid["model"].as_str()), (Some("deep"), Some("claude-opus-4-5")));
    let logs = grove(&["logs", "p"]).expect(0).stdout;
    assert!(logs.contains("⑂ sub-session kid (hello) · budget 600"), "{logs}");
    assert!(logs.contains("asked for 5000, more than was left to give: it gets 600"), "{logs}");

    // p spends again (800 of its 1000 now), then kid once (1200 together).
    grove(&["run", "--session", "p", "--allow", "model", probe(), "model-scan", "00"]).expect(0);
    grove(&["run", "--session", "kid", "--allow", "model", probe(), "model-scan", "00"]).expect(0);
    assert_eq!(lab.requests().len(), 3);
    // kid is within its own 600, but p's budget counts kid's spending: no
    // more calls in either, and nothing is sent.
    let run = grove(&["run", "--session", "kid", "--allow", "model", probe(), "model-scan", "00"]);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(
        said.contains("the model budget of `p`, which this session shares as its sub-session, is spent (1200 of 1000 tokens after 3 calls in all)"),
        "{said}"
    );
    let run = grove(&["run", "--session", "p", "--allow", "model", probe(), "model-scan", "00"]);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(said.contains("this session's model budget, shared with its sub-sessions, is spent"), "{said}");
    assert_eq!(lab.requests().len(), 3, "a spent budget sends nothing");
    // And p has nothing left to give.
    let run =
        grove(&["run", "--session", "p", "--allow", "sessions", probe(), "spawn", "kid2", "hello", "hi"]);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(said.contains("`p` has spent its model budget (1200 of 1000 tokens"), "{said}");
    let rows = grove(&["ls", "--json"]).expect(0).json();
    assert!(rows.as_array().unwrap().iter().all(|r| r["name"] != "kid2"), "{rows:#}");
}

#[test]
fn spawning_past_the_depth_is_refused_naming_the_setting() {
    let dir = project();
    let g = Grove::new();
    let spawn = |from: &str, name: &str| {
        g.run(
            dir.path(),
            &["run", "--session", from, "--allow", "sessions", probe(), "spawn", name, "hello", "hi"],
        )
    };
    g.run(dir.path(), &["new", "top", "--skill", "hello"]).expect(0);
    wait_final(&g, dir.path(), &["top"]);
    spawn("top", "mid").expect(0);
    wait_final(&g, dir.path(), &["mid"]);
    spawn("mid", "low").expect(0);
    wait_final(&g, dir.path(), &["low"]);
    let run = spawn("low", "lower");
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(
        said.contains("a sub-session of `low` would be 3 levels below the session the user started"),
        "{said}"
    );
    assert!(said.contains("past the limit of 2 (raise `max-depth` under [sessions] in"), "{said}");
    assert!(ls(&g, dir.path()).iter().all(|r| r["name"] != "lower"));
    assert!(!branch_exists(dir.path(), "grove/lower"), "a refused spawn makes no branch");

    // The user's config sets it.
    grove_tests::write(g.home.path(), "grove/config.toml", "[sessions]\nmax-depth = 1\n");
    let run = spawn("mid", "low-2");
    assert!(format!("{}{}", run.stdout, run.stderr).contains("past the limit of 1"), "{}", run.stderr);
    spawn("top", "mid-2").expect(0);
}

#[test]
fn a_skill_spawning_in_a_loop_stops_at_the_session_limit() {
    let dir = project();
    let g = Grove::new();
    g.run(
        dir.path(),
        &["new", "looper", "--skill", probe(), "--allow", "sessions", "--", "spawn-loop", "hello", "100"],
    )
    .expect(0);
    let rows = wait_final(&g, dir.path(), &["looper"]);
    let looper = row(&rows, "looper");
    assert_eq!(looper["state"], "done", "{looper}");
    let summary = looper["summary"].as_str().unwrap();
    // The looper itself is one of the 16.
    assert!(summary.starts_with("spawned 15; refused: Error::Limit("), "{summary}");
    assert!(summary.contains("already holds 16 sessions, and skills may not spawn past 16"), "{summary}");
    assert!(summary.contains("raise `max-sessions` under [sessions]"), "{summary}");
    let rows = ls(&g, dir.path());
    assert_eq!(rows.len(), 16);
    let worktrees = std::fs::read_dir(g.home.path().join("worktrees")).unwrap().count();
    assert_eq!(worktrees, 16, "one worktree a session, and no more");
    assert!(!branch_exists(dir.path(), "grove/loop-15"));
}

fn branch_exists(dir: &Path, branch: &str) -> bool {
    git2::Repository::open(dir).unwrap().find_branch(branch, git2::BranchType::Local).is_ok()
}

#[test]
fn a_file_of_a_sub_session_is_read_inside_its_worktree_only() {
    let dir = project();
    let g = Grove::new();
    g.run(dir.path(), &["new", "kid", "--skill", "hello"]).expect(0);
    let rows = wait_final(&g, dir.path(), &["kid"]);
    let worktree = std::path::PathBuf::from(row(&rows, "kid")["path"].as_str().unwrap());
    std::fs::write(worktree.join("notes.txt"), "the kid's notes, not committed\n").unwrap();
    // A planted symlink to a file outside every worktree.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("id_rsa"), "PRIVATE KEY").unwrap();
    std::os::unix::fs::symlink(outside.path().join("id_rsa"), worktree.join("key")).unwrap();
    let read =
        |path: &str| g.run(dir.path(), &["run", "--allow", "sessions", probe(), "session-read", "kid", path]);

    let notes = read("notes.txt").expect(0);
    assert!(notes.stdout.contains("the kid's notes, not committed"), "{}", notes.stdout);
    let key = read("key");
    let said = format!("{}{}", key.stdout, key.stderr);
    assert_ne!(key.code, 0, "{said}");
    assert!(!said.contains("PRIVATE KEY") && said.contains("outside"), "{said}");
    let up = read("../../id_rsa");
    let said = format!("{}{}", up.stdout, up.stderr);
    assert_ne!(up.code, 0, "{said}");
    assert!(said.contains("leads outside the worktree"), "{said}");
    let missing = read("nope.txt");
    assert_ne!(missing.code, 0);
}
