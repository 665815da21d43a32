//! `grove dash`, driven for real in tmux: keys in, screen out.

use std::time::{Duration, Instant};

use grove_tests::model_server::Reply;
use serde_json::{Value, json};

use crate::support::{Lab, Tmux, grove_cmd, grove_with, probe, wait};

#[test]
fn the_dashboard_shows_sessions_and_acts_on_keys() {
    let dir = grove_tests::repo_with(&[("README.md", "# dash\n")]);
    let home = tempfile::tempdir().unwrap();
    let grove = |args: &[&str]| grove_with(grove_cmd(dir.path(), home.path()), args, None);
    grove(&["new", "alpha", "--skill", "hello", "--task", "greet"]).expect(0);
    grove(&["new", "beta", "--skill", "hello"]).expect(0);
    grove(&["new", "gamma", "--skill", "hello"]).expect(0);

    let tmux =
        Tmux::start(dir.path(), home.path(), &format!("{} dash --interval 200", env!("CARGO_BIN_EXE_grove")));
    let screen = tmux.wait_for("grove · 3 sessions");
    assert!(screen.contains("alpha") && screen.contains("beta"), "{screen}");
    tmux.wait_for("done");
    // The lower pane streams the selected session's transcript.
    tmux.wait_for("▶ greet");
    // And `p` shows what its process printed.
    tmux.keys(&["p"]);
    tmux.wait_for("alpha · output");
    tmux.wait_for("Hello, world!");

    // Select beta, remove it (x, then y to confirm).
    tmux.keys(&["j", "x"]);
    tmux.wait_for("rm beta? y to confirm");
    tmux.keys(&["y"]);
    tmux.wait_for("grove · 2 sessions");
    let rows = grove(&["ls", "--json"]).expect(0).json();
    assert_eq!(rows.as_array().unwrap().len(), 2);

    // gamma (selected now) holds a commit main lacks: x shows rm's refusal.
    let gamma = rows.as_array().unwrap().iter().find(|r| r["name"] == "gamma").unwrap()["path"].clone();
    let gamma = std::path::Path::new(gamma.as_str().unwrap());
    grove_tests::write(gamma, "work.txt", "work\n");
    grove_tests::commit_all(&git2::Repository::open(gamma).unwrap(), "work");
    tmux.keys(&["x"]);
    tmux.wait_for("rm gamma? y to confirm");
    tmux.keys(&["y"]);
    tmux.wait_for("would lose 1 unmerged commit");
    assert_eq!(grove(&["ls", "--json"]).expect(0).json().as_array().unwrap().len(), 2);
    tmux.keys(&["k"]);

    // The diff pane, then quit.
    tmux.keys(&["d"]);
    tmux.wait_for("alpha · diff");
    tmux.keys(&["q"]);
    wait_gone(&tmux, "q did not quit the dashboard");
}

fn wait_gone(tmux: &Tmux, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while tmux.running() {
        assert!(Instant::now() < deadline, "{what}:\n{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn at_80_columns_every_header_and_the_status_line_are_whole() {
    let dir = grove_tests::repo_with(&[("README.md", "# dash\n")]);
    let home = tempfile::tempdir().unwrap();
    let grove = |args: &[&str]| grove_with(grove_cmd(dir.path(), home.path()), args, None);
    grove(&["new", "fix-the-parser", "--skill", "hello", "--task", "greet"]).expect(0);
    grove(&["new", "docs", "--skill", "hello"]).expect(0);
    let command = format!("{} dash --interval 200", env!("CARGO_BIN_EXE_grove"));
    let tmux = Tmux::start_with(dir.path(), home.path(), &command, (80, 24), &[]);
    tmux.wait_for("grove · 2 sessions");
    // The status line is drawn last: once it shows, the whole frame has
    // reached the terminal (a capture can land in the middle of a frame).
    let screen = tmux.wait_for("r resume  ? keys");
    assert!(screen.lines().all(|l| l.chars().count() <= 80), "the terminal is 80 wide:\n{screen}");
    let header =
        screen.lines().find(|l| l.contains("NAME")).unwrap_or_else(|| panic!("no header:\n{screen}"));
    let words: Vec<&str> = header.trim_matches(['│', ' ']).split_whitespace().collect();
    assert_eq!(
        words,
        ["NAME", "STATE", "PROGRESS", "AHEAD/BEH", "CHANGES", "APPROVALS", "AGE"],
        "every header, whole:\n{screen}"
    );
    assert!(screen.contains("fix-the-parser"), "the name is whole:\n{screen}");
    let status = screen.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
    assert_eq!(
        status.trim_end(),
        "q quit  ↑↓ select  l log  d diff  m merge  x rm  c cancel  r resume  ? keys",
        "{screen}"
    );
    // `?` lists every key.
    tmux.keys(&["?"]);
    let help = tmux.wait_for("approve it for the rest of the session");
    assert!(help.contains("cancel the session and its sub-sessions (asks first)"), "{help}");
}

#[test]
fn sub_sessions_hang_under_their_parent_and_are_cancelled_with_it() {
    let dir = grove_tests::repo_with(&[("README.md", "# dash\n")]);
    let home = tempfile::tempdir().unwrap();
    let grove = |args: &[&str]| grove_with(grove_cmd(dir.path(), home.path()), args, None);
    let fan_out = ["spawn-wait", "try", "5", probe(), "sleep 120000"];
    grove(&[&["new", "proto", "--skill", probe(), "--allow", "sessions", "--"][..], &fan_out].concat())
        .expect(0);
    let command = format!("{} dash --interval 200", env!("CARGO_BIN_EXE_grove"));
    let tmux = Tmux::start_with(dir.path(), home.path(), &command, (80, 24), &[]);
    let screen = tmux.wait_for("└─ try-4");
    let names: Vec<&str> = screen
        .lines()
        .filter_map(|l| l.trim_start_matches('│').split("  ").next())
        .filter(|n| n.contains("try-") || n.starts_with("proto"))
        .collect();
    assert_eq!(names, ["proto", "├─ try-0", "├─ try-1", "├─ try-2", "├─ try-3", "└─ try-4"], "{screen}");
    assert!(screen.lines().all(|l| l.chars().count() <= 80), "the terminal is 80 wide:\n{screen}");

    // The parent is selected: `c` says what goes with it, `y` is the --yes.
    tmux.keys(&["c"]);
    tmux.wait_for("cancel proto and its 5 sub-sessions? y to confirm");
    tmux.keys(&["y"]);
    tmux.wait_for("proto cancelled");
    let rows = grove(&["ls", "--json"]).expect(0).json();
    let states: Vec<&str> = rows.as_array().unwrap().iter().map(|r| r["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["cancelled"; 6], "{rows:#}");
    tmux.keys(&["q"]);
    wait_gone(&tmux, "q did not quit the dashboard");
}

/// A session in auto mode that edits, then runs a force-push the gate
/// holds for a human, then finishes.
fn push_lab() -> Lab {
    let lab = Lab::new(
        &[("notes.md", "draft\n")],
        vec![
            Reply::anthropic()
                .text("Tidying the notes first.")
                .tool_use(
                    "e1",
                    "edit_file",
                    json!({"path": "notes.md", "old_string": "draft", "new_string": "final"}),
                )
                .into(),
            Reply::anthropic()
                .tool_use("p1", "run", json!({"command": "git push --force origin grove/tidy"}))
                .into(),
            Reply::anthropic().text("All wrapped up.").into(),
        ],
    );
    lab.grove(&["new", "tidy", "--task", "finalize the notes and publish", "--mode", "auto"]).expect(0);
    lab
}

fn approvals(lab: &Lab) -> Vec<Value> {
    lab.grove(&["approvals", "--all", "--json"]).expect(0).json().as_array().unwrap().clone()
}

/// What the agent sent back for the push (the third request's result).
fn push_result(lab: &Lab) -> String {
    let requests = lab.requests();
    let last = requests[2].body["messages"].as_array().unwrap().last().unwrap().clone();
    last["content"][0]["content"].as_str().unwrap().to_string()
}

/// Whether `screen` shows `text`, wrapped over lines or not.
fn shows(screen: &str, text: &str) -> bool {
    let flat: String = screen.lines().map(|l| l.trim_matches(['│', ' '])).collect::<Vec<_>>().join(" ");
    flat.contains(text)
}

#[test]
fn the_dashboard_streams_a_transcript_and_approves_the_request_shown() {
    let lab = push_lab();
    let tmux = lab.tmux("dash --interval 200", (80, 24));
    tmux.wait_for("Tidying the notes first.");
    tmux.wait_for("● edit_file");
    let screen = tmux.wait_for("high risk");
    // The request, its risk and every reason are on screen before any key.
    let pending = approvals(&lab);
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_eq!(pending[0]["state"], "pending");
    assert!(screen.contains(&format!("approval #{}", pending[0]["id"])), "{screen}");
    assert!(screen.contains("process.run sh -c 'git push --force origin grove/tidy'"), "{screen}");
    let reasons = pending[0]["reasons"].as_array().unwrap();
    assert!(!reasons.is_empty());
    for reason in reasons {
        assert!(shows(&screen, &format!("· {}", reason.as_str().unwrap())), "{reason} is not on\n{screen}");
    }
    assert!(screen.contains("a approve · A approve for the session · n deny with a reason"), "{screen}");
    assert_eq!(lab.session_row("tidy")["state"], "waiting-approval");

    tmux.keys(&["a"]);
    let row = lab.wait_final("tidy");
    assert_eq!(row["state"], "done", "{row}");
    let answered = &approvals(&lab)[0];
    assert_eq!(answered["state"], "allowed", "{answered}");
    assert_eq!(answered["always"], false, "{answered}");
    assert_eq!(answered["decided_by"], "human:approve", "{answered}");
    let push = push_result(&lab);
    assert!(push.starts_with("exit code"), "the push ran: {push}");
    tmux.wait_for("All wrapped up.");
}

#[test]
fn n_asks_for_a_reason_and_denies_with_it() {
    let lab = push_lab();
    let tmux = lab.tmux("dash --interval 200", (80, 24));
    tmux.wait_for("high risk");
    // Esc goes back without denying.
    tmux.keys(&["n"]);
    tmux.wait_for("deny #1 because:");
    tmux.type_text("not now");
    tmux.keys(&["Escape"]);
    tmux.wait_for("#1 not denied");
    assert_eq!(approvals(&lab)[0]["state"], "pending");
    assert!(tmux.running(), "Esc in the prompt does not quit");

    tmux.keys(&["n"]);
    tmux.wait_for("deny #1 because:");
    tmux.type_text("never force-push");
    tmux.wait_for("deny #1 because: never force-push");
    tmux.keys(&["Enter"]);
    tmux.wait_for("#1 denied");
    let denied = &approvals(&lab)[0];
    assert_eq!(denied["state"], "denied", "{denied}");
    assert_eq!(denied["reason"], "never force-push", "{denied}");
    let row = lab.wait_final("tidy");
    assert_eq!(row["state"], "done", "{row}");
    assert!(push_result(&lab).contains("never force-push"), "{}", push_result(&lab));
}

#[test]
fn cancel_asks_first() {
    let lab = Lab::new(
        &[("README.md", "# r\n")],
        vec![Reply::anthropic().text("a very slow answer that takes its time").delay_ms(2000).into()],
    );
    lab.grove(&["new", "slow", "--task", "think hard"]).expect(0);
    wait(|| (!lab.requests().is_empty()).then_some(()), "the model call to start");
    let tmux = lab.tmux("dash --interval 200", (80, 24));
    tmux.wait_for("running");
    tmux.keys(&["c"]);
    tmux.wait_for("cancel slow? y to confirm");
    tmux.keys(&["z"]);
    tmux.wait_for("cancel slow: not done");
    assert_eq!(lab.session_row("slow")["state"], "running");
    tmux.keys(&["c", "y"]);
    let row = lab.wait_final("slow");
    assert_eq!(row["state"], "cancelled", "{row}");
    tmux.wait_for("cancelled");
}

#[test]
fn a_follow_up_that_failed_shows_in_the_progress_column() {
    // No [evidence] in this repository: the session's evidence step fails
    // after its skill ends well, and the row says so after the session is done.
    let dir = grove_tests::repo_with(&[("README.md", "# dash\n")]);
    let home = tempfile::tempdir().unwrap();
    let grove = |args: &[&str]| grove_with(grove_cmd(dir.path(), home.path()), args, None);
    grove(&["new", "shown", "--skill", "hello", "--then", "evidence"]).expect(0);
    crate::support::wait_final(|| grove_cmd(dir.path(), home.path()), "shown");

    let tmux =
        Tmux::start(dir.path(), home.path(), &format!("{} dash --interval 200", env!("CARGO_BIN_EXE_grove")));
    let screen = tmux.wait_for("evidence failed");
    let row = screen.lines().find(|l| l.contains("shown")).unwrap_or_else(|| panic!("no row:\n{screen}"));
    assert!(row.contains("done") && row.contains("evidence failed"), "{row}");
    tmux.keys(&["q"]);
    wait_gone(&tmux, "q did not quit the dashboard");
}
