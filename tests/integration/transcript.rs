//! A session's transcript as a person reads it: `grove logs` (and `-f`,
//! live) against real sessions whose agent talks to a scripted model
//! server; and the agent's faults the transcript made visible.

use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

use grove_tests::model_server::Reply;
use serde_json::{Value, json};

use crate::agent::tool_results;
use crate::support::Lab;
use crate::support::{grove_with, probe};

fn files() -> Vec<(&'static str, &'static str)> {
    vec![("README.md", "# demo\n"), ("src/a.txt", "hello\n")]
}

/// The transcript's events, from `grove logs NAME --json`.
fn events(lab: &Lab, name: &str) -> Vec<Value> {
    let run = lab.grove(&["logs", name, "--json"]).expect(0);
    run.stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

fn kinds(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["kind"].as_str().unwrap()).collect()
}

#[test]
fn logs_tell_the_story_of_a_session() {
    let lab = Lab::new(
        &files(),
        vec![
            Reply::anthropic()
                .text("Let me look.")
                .tool_use("t1", "read_file", json!({"path": "src/a.txt"}))
                .into(),
            Reply::anthropic()
                .tool_use(
                    "t2",
                    "edit_file",
                    json!({"path": "src/a.txt", "old_string": "hello", "new_string": "bye"}),
                )
                .into(),
            Reply::anthropic().tool_use("t3", "run", json!({"command": "cat src/a.txt"})).into(),
            Reply::anthropic().text("Changed hello to bye in src/a.txt.").usage(900, 30).into(),
        ],
    );
    lab.grove(&["new", "bye", "--task", "say bye, not hello"]).expect(0);
    let row = lab.wait_final("bye");
    assert_eq!(row["state"], "done", "{row}");

    let shown = lab.grove(&["logs", "bye"]).expect(0).stdout;
    for line in [
        "▶ say bye, not hello",
        "Let me look.",
        "● read_file src/a.txt",
        "● edit_file src/a.txt",
        "⎿ edited src/a.txt (1 replacement)",
        "● run cat src/a.txt",
        "⎿ exit code 0",
        "⎇ committed",
        "── done",
    ] {
        assert!(shown.contains(line), "{line:?} missing from:\n{shown}");
    }
    // The model's closing words once, not again as the summary.
    assert_eq!(shown.matches("Changed hello to bye").count(), 1, "{shown}");
    // What a person reads, word for word.
    insta::with_settings!({filters => vec![
        (r"pid \d+", "pid [PID]"),
        (r"committed [0-9a-f]{8}", "committed [ID]"),
        (r"\(\d+ ms\)", "([N] ms)"),
    ]}, {
        insta::assert_snapshot!(shown);
    });
    // No escape codes when stdout is not a terminal.
    assert!(!shown.contains('\u{1b}'), "{shown:?}");

    let events = events(&lab, "bye");
    let kinds = kinds(&events);
    for kind in
        ["created", "started", "text", "tool", "result", "gate", "answer", "process", "commit", "done"]
    {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    let answer = events.iter().rfind(|e| e["kind"] == "answer").unwrap();
    assert_eq!(answer["data"]["input_tokens"], 900, "{answer}");
    // Ids only grow: a reader resumes after the last one it saw.
    let ids: Vec<i64> = events.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");

    // -v shows every gate decision and the cost of each answer.
    let verbose = lab.grove(&["logs", "-v", "bye"]).expect(0).stdout;
    assert!(verbose.contains("· allowed workspace.read src/a.txt"), "{verbose}");
    assert!(verbose.contains("so far)"), "{verbose}");
    // The process's own output is still there.
    let raw = lab.grove(&["logs", "--raw", "bye"]).expect(0).stdout;
    assert!(raw.contains("── bye done"), "{raw}");
    // The summary is printed once there too.
    assert_eq!(raw.matches("Changed hello to bye").count(), 1, "{raw}");
}

#[test]
fn logs_follow_shows_text_while_the_model_is_still_writing() {
    let words: Vec<String> = (0..40).map(|i| format!("word{i:02}")).collect();
    let lab = Lab::new(&files(), vec![Reply::anthropic().text(words.join(" ")).delay_ms(100).into()]);
    lab.grove(&["new", "slow", "--task", "write slowly"]).expect(0);
    let mut follow = lab.cmd();
    let mut child = follow
        .args(["logs", "-f", "slow"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let started = Instant::now();
    let (mut seen, mut first, mut last) = (String::new(), None, None);
    let mut buf = [0u8; 4096];
    while let Ok(n) = out.read(&mut buf) {
        if n == 0 {
            break;
        }
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        if first.is_none() && seen.contains("word00") {
            first = Some(started.elapsed());
        }
        if last.is_none() && seen.contains("word39") {
            last = Some(started.elapsed());
        }
        assert!(started.elapsed() < Duration::from_secs(60), "logs -f never ended:\n{seen}");
    }
    assert!(child.wait().unwrap().success());
    let (first, last) = (first.expect("the first word"), last.expect("the last word"));
    // Tens of SSE events 100 ms apart: the first words show long before
    // the last ones arrive, not all at once at the end.
    assert!(last - first >= Duration::from_millis(800), "first {first:?}, last {last:?}:\n{seen}");
    assert!(seen.contains("── done"), "{seen}");
}

#[test]
fn hostile_model_text_is_escaped_in_logs() {
    let lab = Lab::new(
        &files(),
        vec![
            Reply::anthropic()
                .text("innocent\u{1b}]52;c;cm0gLXJmIH4K\u{7} \u{1b}[2J\u{1b}[1A\u{1b}[2Kall good\r")
                .tool_use("t1", "run", json!({"command": "printf '\\033]0;pwned\\007ok'"}))
                .into(),
            Reply::anthropic().text("finished\u{1b}]0;pwned\u{7} all good\u{1b}[2J").into(),
        ],
    );
    lab.grove(&["new", "evil", "--task", "x"]).expect(0);
    lab.wait_final("evil");
    let mut cmd = lab.cmd();
    // Even when colours are on (a terminal would be), only grove's own
    // colour codes reach the output.
    cmd.env_remove("NO_COLOR");
    let shown = grove_with(cmd, &["logs", "evil"], None).expect(0).stdout;
    assert!(shown.contains("innocent") && shown.contains("all good"), "{shown:?}");
    assert!(!shown.contains('\u{1b}') && !shown.contains('\r') && !shown.contains('\u{7}'), "{shown:?}");
    // The process's own output holds the model's words too (the summary).
    let raw = lab.grove(&["logs", "--raw", "evil"]).expect(0).stdout;
    assert!(raw.contains("all good") && !raw.contains('\u{1b}') && !raw.contains('\u{7}'), "{raw:?}");
}

#[test]
fn a_tool_that_was_not_offered_runs_nothing() {
    // Without --commit the agent is offered no commit tool; a model that
    // calls it anyway is told so, and nothing is committed: not the
    // agent's edit, not the user's own uncommitted work.
    let replies = || {
        vec![
            Reply::anthropic()
                .tool_use("t1", "write_file", json!({"path": "src/b.txt", "content": "new\n"}))
                .into(),
            Reply::anthropic().tool_use("t2", "commit", json!({"message": "sneaky"})).into(),
            Reply::anthropic().text("Done.").into(),
        ]
    };
    let lab = Lab::new(&files(), replies());
    grove_tests::write(lab.root(), "notes.txt", "my own notes\n");
    grove_tests::write(lab.root(), ".grove/policy.toml", "# my policy draft\n");
    let head = || git2::Repository::open(lab.root()).unwrap().head().unwrap().target().unwrap();
    let before = head();
    lab.grove(&["run", "agent", "write a file"]).expect(0);
    assert_eq!(head(), before, "a commit was made");
    let requests = lab.requests();
    let offered: Vec<&str> =
        requests[0].body["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert!(!offered.contains(&"commit"), "{offered:?}");
    let (_, answer, is_error) = tool_results(&requests[2]).remove(0);
    assert!(is_error && answer.contains("no tool named \"commit\""), "{answer}");

    // The same through loop.
    let lab2 = Lab::new(&files(), replies()[1..].to_vec());
    let before = git2::Repository::open(lab2.root()).unwrap().head().unwrap().target().unwrap();
    lab2.grove(&["run", "loop", "--until", "false", "--max-iterations", "1"]).expect(1);
    assert_eq!(git2::Repository::open(lab2.root()).unwrap().head().unwrap().target().unwrap(), before);
    let answer = tool_results(&lab2.requests()[1]).remove(0).1;
    assert!(answer.contains("no tool named \"commit\""), "{answer}");
}

#[test]
fn the_agent_commits_only_its_own_files() {
    let lab = Lab::new(
        &files(),
        vec![
            Reply::anthropic()
                .tool_use(
                    "t1",
                    "edit_file",
                    json!({"path": "src/a.txt", "old_string": "hello", "new_string": "bye"}),
                )
                .into(),
            Reply::anthropic().tool_use("t2", "commit", json!({"message": "Say bye"})).into(),
            Reply::anthropic().text("Done.").into(),
        ],
    );
    // The human's work in progress, in the checkout the agent works in.
    grove_tests::write(lab.root(), "README.md", "# demo\nmy edit\n");
    grove_tests::write(lab.root(), ".grove/policy.toml", "# my policy draft\n");
    lab.grove(&["run", "agent", "--commit", "say bye"]).expect(0);
    let repo = git2::Repository::open(lab.root()).unwrap();
    let commit = repo.head().unwrap().peel_to_commit().unwrap();
    assert_eq!(commit.summary(), Some("Say bye"));
    let parent = commit.parent(0).unwrap();
    let diff =
        repo.diff_tree_to_tree(Some(&parent.tree().unwrap()), Some(&commit.tree().unwrap()), None).unwrap();
    let paths: Vec<String> =
        diff.deltas().map(|d| d.new_file().path().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(paths, ["src/a.txt"]);
    // The human's files are as they left them, uncommitted.
    let status = repo.statuses(None).unwrap();
    let dirty: Vec<String> = status.iter().map(|s| s.path().unwrap().to_string()).collect();
    assert!(
        dirty.contains(&"README.md".to_string()) && dirty.contains(&".grove/policy.toml".to_string()),
        "{dirty:?}"
    );
    let answer = tool_results(&lab.requests()[2]).remove(0).1;
    assert!(answer.contains("left uncommitted") && answer.contains("README.md"), "{answer}");
}

#[test]
fn a_commit_of_a_protected_file_is_judged_as_writing_it() {
    let dir = grove_tests::repo_with(&files());
    let home = tempfile::tempdir().unwrap();
    let grove = |args: &[&str]| grove_with(crate::support::grove_cmd(dir.path(), home.path()), args, None);
    grove_tests::write(dir.path(), ".grove/policy.toml", "# loosened by someone\n");
    let run = grove(&["run", probe(), "--allow", "git:write", "git-commit", "innocent"]).expect(1);
    assert!(
        run.stderr.contains("workspace.write") && run.stderr.contains(".grove/policy.toml"),
        "{}",
        run.stderr
    );
    let repo = git2::Repository::open(dir.path()).unwrap();
    assert_eq!(repo.head().unwrap().peel_to_commit().unwrap().summary(), Some("initial commit"));
    // A routine file commits as before.
    std::fs::remove_dir_all(dir.path().join(".grove")).unwrap();
    grove_tests::write(dir.path(), "src/a.txt", "bye\n");
    grove(&["run", probe(), "--allow", "git:write", "git-commit", "routine"]).expect(0);
    assert_eq!(repo.head().unwrap().peel_to_commit().unwrap().summary(), Some("routine"));
}

#[test]
fn a_long_result_is_kept_whole_beside_the_store_until_the_session_goes() {
    let lab = Lab::new(
        &files(),
        vec![
            Reply::anthropic().tool_use("t1", "run", json!({"command": "seq 1 3000"})).into(),
            Reply::anthropic().text("Counted.").into(),
        ],
    );
    lab.grove(&["new", "count", "--task", "count to 3000"]).expect(0);
    assert_eq!(lab.wait_final("count")["state"], "done");
    let events = events(&lab, "count");
    let result = events.iter().find(|e| e["kind"] == "result").unwrap();
    let kept = result["data"]["full"].as_str().unwrap_or_else(|| panic!("{result}"));
    assert!(result["data"]["content"].as_str().unwrap().len() <= 2_000, "{result}");
    let whole = std::fs::read_to_string(kept).unwrap();
    assert!(whole.contains("\n3000\n"), "the whole output: {}", whole.len());
    let shown = lab.grove(&["logs", "count"]).expect(0).stdout;
    assert!(shown.contains("bytes in all: ") && shown.contains(kept), "{shown}");
    lab.grove(&["rm", "count"]).expect(0);
    assert!(!std::path::Path::new(kept).exists(), "{kept} outlived its session");
}

#[test]
fn a_denial_reads_as_a_denial() {
    let lab = Lab::new(
        &files(),
        vec![
            Reply::anthropic()
                .tool_use("t1", "run", json!({"command": "git push --force origin main"}))
                .into(),
            Reply::anthropic().text("I will not push.").into(),
        ],
    );
    lab.grove(&["new", "pushy", "--task", "publish it"]).expect(0);
    assert_eq!(lab.wait_final("pushy")["state"], "done");
    let shown = lab.grove(&["logs", "pushy"]).expect(0).stdout;
    assert!(shown.contains("✗ denied process.run") && shown.contains("git.push"), "{shown}");
    // Not a failed tool dressed as news in the process's own output.
    let raw = lab.grove(&["logs", "--raw", "pushy"]).expect(0).stdout;
    assert!(!raw.contains("info: run failed"), "{raw}");
}
