//! Steering sessions: talking to them with `grove tell` (while they run,
//! and after they finished or crashed, with their whole conversation),
//! the project's instructions, and a session's own choice of model.

use std::time::Duration;

use grove_tests::model_server::{Recorded, Reply};
use serde_json::{Value, json};

use crate::support::Lab;
use crate::support::wait;

fn files() -> Vec<(&'static str, &'static str)> {
    vec![("README.md", "# demo\n"), ("src/a.txt", "hello\n")]
}

/// Every text block of a request's messages, in order.
fn texts(request: &Recorded) -> Vec<String> {
    let mut out = Vec::new();
    for message in request.body["messages"].as_array().unwrap() {
        match &message["content"] {
            Value::String(text) => out.push(text.clone()),
            Value::Array(blocks) => {
                for b in blocks {
                    if b["type"] == "text" {
                        out.push(b["text"].as_str().unwrap().to_string());
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Wait until the session's transcript holds an event of `kind`.
fn wait_for_event(lab: &Lab, name: &str, kind: &str) {
    wait(
        || {
            let run = lab.grove(&["logs", name, "--json"]);
            run.stdout.lines().any(|l| l.contains(&format!("\"kind\":\"{kind}\""))).then_some(())
        },
        &format!("a {kind} event in {name}'s transcript"),
    );
}

#[test]
fn tell_reaches_a_running_session_and_continues_a_finished_one() {
    let lab = Lab::new(
        &files(),
        vec![
            Reply::anthropic().text("Working.").tool_use("t1", "run", json!({"command": "sleep 2"})).into(),
            Reply::anthropic().text("Noted the README.").into(),
            // After the session finished: `grove tell` brings it back.
            Reply::anthropic().text("Hi there.").into(),
        ],
    );
    lab.grove(&["new", "chat", "--task", "do the work"]).expect(0);
    wait_for_event(&lab, "chat", "tool");
    let told = lab.grove(&["tell", "chat", "also", "update", "the", "README"]).expect(0);
    assert!(told.stdout.contains("at its next turn"), "{}", told.stdout);
    let row = lab.wait_final("chat");
    assert_eq!(row["state"], "done", "{row}");
    let requests = lab.requests();
    assert_eq!(requests.len(), 2);
    // The message came with the tool's result, at the next turn.
    let second = texts(&requests[1]);
    assert!(second.iter().any(|t| t.contains("also update the README")), "{second:?}");
    let shown = lab.grove(&["logs", "chat"]).expect(0).stdout;
    assert!(shown.contains("» you: also update the README"), "{shown}");

    // A finished session goes on with its whole conversation.
    let told = lab.grove(&["tell", "chat", "now say hi", "--json"]).expect(0).json();
    assert_ne!(told["state"], "done", "{told}");
    let row = lab.wait_final("chat");
    assert_eq!(row["state"], "done", "{row}");
    let third = lab.requests().remove(2);
    let said = texts(&third);
    assert!(said.iter().any(|t| t == "do the work"), "the task is still there: {said:?}");
    assert!(said.iter().any(|t| t.contains("Noted the README.")), "{said:?}");
    assert!(said.last().unwrap().contains("now say hi"), "{said:?}");
    assert_eq!(lab.session_row("chat")["summary"], "Hi there.");
}

#[test]
fn a_resumed_session_keeps_its_conversation_after_a_crash() {
    let lab = Lab::new(
        &files(),
        vec![
            Reply::anthropic()
                .text("Running the long job.")
                .tool_use("t1", "run", json!({"command": "sleep 30"}))
                .into(),
            Reply::anthropic().text("Picked up where I left off.").into(),
        ],
    );
    lab.grove(&["new", "crash", "--task", "run the long job"]).expect(0);
    wait_for_event(&lab, "crash", "tool");
    let pid = lab.session_row("crash")["pid"].as_u64().unwrap();
    // SAFETY: kill(2) on the session's own runner, as a crash would.
    unsafe {
        libc::kill(pid as libc::pid_t, libc::SIGKILL);
    }
    wait(
        || (lab.session_row("crash")["state"] == "interrupted").then_some(()),
        "the session to show as interrupted",
    );
    std::thread::sleep(Duration::from_millis(100));
    lab.grove(&["resume", "crash"]).expect(0);
    let row = lab.wait_final("crash");
    assert_eq!(row["state"], "done", "{row}");
    let request = lab.requests().remove(1);
    let messages = request.body["messages"].as_array().unwrap();
    assert_eq!(messages[0]["content"][0]["text"], "run the long job", "{request:?}");
    // The call the crash cut off is answered, so the model knows it never ran.
    let result = messages.last().unwrap()["content"][0].clone();
    assert_eq!(result["type"], "tool_result", "{result}");
    assert!(result["content"].as_str().unwrap().contains("not run: the session stopped"), "{result}");
}

#[test]
fn the_agent_reads_the_projects_instructions() {
    let mut repo = files();
    repo.push(("AGENTS.md", "Always answer in haiku.\n"));
    repo.push((".grove/instructions.md", "Never touch vendor/.\n"));
    repo.push(("sub/AGENTS.md", "In sub/, tabs not spaces.\n"));
    repo.push(("sub/x.txt", "x\n"));
    let lab = Lab::new(
        &repo,
        vec![
            Reply::anthropic().tool_use("t1", "read_file", json!({"path": "sub/x.txt"})).into(),
            Reply::anthropic().text("Read it.").into(),
        ],
    );
    lab.grove(&["new", "rules", "--task", "read sub/x.txt"]).expect(0);
    assert_eq!(lab.wait_final("rules")["state"], "done");
    let requests = lab.requests();
    let system = requests[0].body["system"].to_string();
    assert!(
        system.contains("Always answer in haiku.") && system.contains("Never touch vendor/."),
        "{system}"
    );
    assert!(!system.contains("tabs not spaces"), "nested instructions wait until the agent works there");
    let result = crate::agent::tool_results(&requests[1]).remove(0).1;
    assert!(result.contains("In sub/, tabs not spaces.") && result.contains("sub/AGENTS.md"), "{result}");
    let shown = lab.grove(&["logs", "rules"]).expect(0).stdout;
    assert!(shown.contains("read the project's instructions: AGENTS.md, .grove/instructions.md"), "{shown}");
    assert!(shown.contains("sub/AGENTS.md"), "{shown}");
}

#[test]
fn claude_md_stands_in_when_there_is_no_agents_md() {
    let mut repo = files();
    repo.push(("CLAUDE.md", "Use British spelling.\n"));
    let lab = Lab::new(&repo, vec![Reply::anthropic().text("Done.").into()]);
    lab.grove(&["run", "agent", "tidy up"]).expect(0);
    let system = lab.requests()[0].body["system"].to_string();
    assert!(system.contains("Use British spelling."), "{system}");
}

#[test]
fn a_session_works_with_the_tier_or_model_it_was_given() {
    let lab =
        Lab::new(&files(), vec![Reply::anthropic().text("a").into(), Reply::anthropic().text("b").into()]);
    lab.grove(&["new", "deep", "--tier", "deep", "--task", "think hard"]).expect(0);
    lab.wait_final("deep");
    lab.grove(&["new", "named", "--model", "claude-special-1", "--task", "use that one"]).expect(0);
    lab.wait_final("named");
    let models: Vec<String> =
        lab.requests().iter().map(|r| r.body["model"].as_str().unwrap().to_string()).collect();
    assert_eq!(models, ["claude-opus-4-5", "claude-special-1"]);
    let ls = lab.grove(&["ls"]).expect(0).stdout;
    assert!(ls.contains("MODEL") && ls.contains("deep") && ls.contains("claude-special-1"), "{ls}");
    assert_eq!(lab.session_row("deep")["tier"], "deep");
    assert_eq!(lab.session_row("named")["model"], "claude-special-1");
    lab.grove(&["new", "bad", "--tier", "huge", "--task", "x"]).expect(2);
}
