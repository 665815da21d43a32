//! `grove attach`, driven for real in tmux: watch one session, talk to it,
//! answer its approval, detach.

use std::time::{Duration, Instant};

use grove_tests::model_server::Reply;
use serde_json::json;

use crate::support::{Lab, Tmux, wait};

fn wait_detached(tmux: &Tmux) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while tmux.running() {
        assert!(Instant::now() < deadline, "attach is still there:\n{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn attach_streams_the_transcript_and_sends_what_is_typed() {
    let lab = Lab::new(
        &[("notes.md", "draft\n")],
        vec![
            Reply::anthropic().text("Reading the notes, slowly.").delay_ms(1000).into(),
            Reply::anthropic().text("Noted: the docs too.").into(),
        ],
    );
    lab.grove(&["new", "slow", "--task", "read the notes"]).expect(0);
    let tmux = lab.tmux("attach slow", (80, 24));
    tmux.wait_for("slow · running");
    tmux.wait_for("▶ read the notes");
    tmux.wait_for("Enter sends");
    // Speak while the model answers: the message is for its next turn.
    wait(|| (!lab.requests().is_empty()).then_some(()), "the model call to start");
    tmux.type_text("also fix the docs");
    tmux.keys(&["Enter"]);
    tmux.wait_for("» you: also fix the docs");
    tmux.wait_for("sent: ");
    // Ctrl-C leaves; the session goes on.
    tmux.keys(&["C-c"]);
    wait_detached(&tmux);
    let row = lab.wait_final("slow");
    assert_eq!(row["state"], "done", "{row}");
    let requests = lab.requests();
    let logs = lab.grove(&["-v", "logs", "slow"]).stdout;
    assert_eq!(requests.len(), 2, "the message made another turn:\n{logs}\n{:?}", requests[0].body);
    let sent = requests[1].body["messages"].to_string();
    assert!(sent.contains("also fix the docs"), "{sent}");
    assert!(!requests[0].body["messages"].to_string().contains("also fix the docs"));
}

#[test]
fn an_approval_is_answered_at_the_prompt_and_esc_detaches() {
    let lab = Lab::new(
        &[("notes.md", "draft\n")],
        vec![
            Reply::anthropic()
                .tool_use("p1", "run", json!({"command": "git push --force origin grove/tidy"}))
                .into(),
            Reply::anthropic().text("Published, and now a long, slow wrap-up.").delay_ms(1000).into(),
        ],
    );
    lab.grove(&["new", "tidy", "--task", "publish the notes", "--mode", "auto"]).expect(0);
    let tmux = lab.tmux("attach tidy", (80, 24));
    // The box is drawn whole once its last line, the answer hint, is there.
    let screen = tmux.wait_for("/approve, /always");
    assert!(screen.contains("high risk"), "{screen}");
    assert!(screen.contains("tidy · waiting-approval · $0.00 · 1 approval pending"), "{screen}");
    assert!(screen.contains("process.run sh -c 'git push --force origin grove/tidy'"), "{screen}");
    assert!(screen.contains("/approve, /always"), "{screen}");

    // A command for no approval, or a mistyped one, answers nothing.
    tmux.type_text("/aprove");
    tmux.keys(&["Enter"]);
    tmux.wait_for("/aprove is not a command here");
    tmux.type_text("/approve");
    tmux.keys(&["Enter"]);
    tmux.wait_for("#1 allowed once");
    tmux.wait_for("no approvals pending");
    let answered = &lab.grove(&["approvals", "--all", "--json"]).expect(0).json()[0];
    assert_eq!(answered["state"], "allowed", "{answered}");

    // Detach while the model still streams: the session goes on.
    wait(|| (lab.requests().len() == 2).then_some(()), "the next model call");
    tmux.keys(&["Escape"]);
    wait_detached(&tmux);
    assert_eq!(lab.session_row("tidy")["state"], "running");
    let row = lab.wait_final("tidy");
    assert_eq!(row["state"], "done", "{row}");
}

#[test]
fn attaching_to_no_session_says_so() {
    let dir = grove_tests::repo_with(&[("README.md", "# r\n")]);
    let out = crate::support::grove(dir.path(), &["attach", "nope"]).expect(2);
    assert!(out.stderr.contains("no session named `nope`"), "{}", out.stderr);
}

#[test]
fn a_finished_session_goes_on_when_told_from_attach_or_tell() {
    let lab = Lab::new(
        &[("notes.md", "draft\n")],
        vec![
            Reply::anthropic().text("First pass done.").into(),
            Reply::anthropic().text("Docs done too.").into(),
            Reply::anthropic().text("Changelog done.").into(),
        ],
    );
    lab.grove(&["new", "notes", "--task", "tidy the notes"]).expect(0);
    assert_eq!(lab.wait_final("notes")["state"], "done");

    let tmux = lab.tmux("attach notes", (80, 24));
    tmux.wait_for("notes · done");
    tmux.type_text("now the docs");
    tmux.keys(&["Enter"]);
    tmux.wait_for("sent: the session goes on with its conversation");
    wait(|| (lab.requests().len() == 2).then_some(()), "the session to go on");
    tmux.wait_for("Docs done too.");
    tmux.keys(&["Escape"]);
    wait_detached(&tmux);
    assert_eq!(lab.wait_final("notes")["state"], "done");
    let went_on = lab.requests()[1].body["messages"].to_string();
    assert!(went_on.contains("First pass done.") && went_on.contains("now the docs"), "{went_on}");

    // `grove tell` takes the same path.
    let told = lab.grove(&["tell", "notes", "--json", "and the changelog"]).expect(0).json();
    assert_eq!(told["name"], "notes");
    assert!(["queued", "running"].contains(&told["state"].as_str().unwrap()), "{told}");
    wait(|| (lab.requests().len() == 3).then_some(()), "the session to go on again");
    assert_eq!(lab.wait_final("notes")["state"], "done");
    assert!(lab.requests()[2].body["messages"].to_string().contains("and the changelog"));
}
