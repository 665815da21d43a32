//! Models, the agent and `loop`, against servers on 127.0.0.1 that speak
//! the Anthropic and OpenAI wire formats: real HTTP, real SSE streams, real
//! error bodies, on real repositories.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use grove_tests::model_server::{Recorded, Reply};
use serde_json::json;

use crate::notify::TOKEN as SLACK_TOKEN;
use crate::support::{KEY, Lab, grove_with, probe, wait};

/// The tool results the agent sent back in a request, by call id.
pub(crate) fn tool_results(request: &Recorded) -> Vec<(String, String, bool)> {
    let messages = request.body["messages"].as_array().unwrap();
    let last = messages.last().unwrap();
    last["content"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "tool_result")
        .map(|b| {
            (
                b["tool_use_id"].as_str().unwrap().to_string(),
                b["content"].as_str().unwrap().to_string(),
                b["is_error"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

/// A crate whose one test fails: `add` subtracts.
pub(crate) fn broken_crate() -> Vec<(&'static str, &'static str)> {
    vec![
        ("Cargo.toml", "[package]\nname = \"adder\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
        // The toolchain the project pins, so a fresh machine needs no other.
        ("rust-toolchain.toml", include_str!("../../rust-toolchain.toml")),
        (".gitignore", "target/\n"),
        (
            "src/lib.rs",
            "pub fn add(a: i32, b: i32) -> i32 {\n    a - b\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    \
             fn adds() {\n        assert_eq!(super::add(2, 3), 5);\n    }\n}\n",
        ),
    ]
}

fn fix_turns() -> Vec<Reply> {
    vec![
        Reply::anthropic()
            .text("Let me look.")
            .tool_use("t1", "read_file", json!({"path": "src/lib.rs"}))
            .into(),
        Reply::anthropic()
            .tool_use(
                "t2",
                "edit_file",
                json!({"path": "src/lib.rs", "old_string": "a - b", "new_string": "a + b"}),
            )
            .into(),
        Reply::anthropic().tool_use("t3", "run", json!({"command": "cargo test --offline"})).into(),
        Reply::anthropic().tool_use("t4", "commit", json!({"message": "Make add add"})).into(),
        Reply::anthropic().text("Fixed `add`: it subtracted. `cargo test` passes.").usage(1200, 40).into(),
    ]
}

#[test]
fn a_session_fixes_a_failing_test_edits_tests_and_commits() {
    let lab = Lab::new(&broken_crate(), fix_turns());
    let out = lab.grove(&["new", "fix", "--task", "make the failing test pass", "--json"]).expect(0);
    let worktree = PathBuf::from(out.json()["path"].as_str().unwrap());
    let row = lab.wait_final("fix");
    assert_eq!(row["state"], "done", "{row}\n{}", lab.grove(&["logs", "fix"]).stdout);
    assert_eq!(row["skill"], "agent");
    assert!(row["summary"].as_str().unwrap().starts_with("Fixed `add`"), "{row}");

    // It worked in its own worktree: the user's checkout is untouched.
    assert!(lab.read("src/lib.rs").contains("a - b"));
    let fixed = std::fs::read_to_string(worktree.join("src/lib.rs")).unwrap();
    assert!(fixed.contains("a + b"), "{fixed}");
    let repo = git2::Repository::open(lab.root()).unwrap();
    let head =
        repo.find_branch("grove/fix", git2::BranchType::Local).unwrap().get().peel_to_commit().unwrap();
    assert_eq!(head.summary(), Some("Make add add"));

    let requests = lab.requests();
    assert_eq!(requests.len(), 5);
    let first = &requests[0];
    assert_eq!(first.path, "/v1/messages");
    assert_eq!(first.header("x-api-key"), Some(KEY));
    assert_eq!(first.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(first.body["stream"], true);
    assert_eq!(first.body["messages"][0]["content"][0]["text"], "make the failing test pass");
    assert_eq!(first.body["system"][0]["cache_control"]["type"], "ephemeral", "the system prompt is cached");
    let tools: Vec<&str> =
        first.body["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(tools, ["list_files", "read_file", "search", "edit_file", "write_file", "run", "commit"]);
    // Each tool answered, and the tests ran for real.
    let read = &tool_results(&requests[1])[0];
    assert!(read.1.contains("a - b") && !read.2, "{read:?}");
    let edit = &tool_results(&requests[2])[0];
    assert_eq!((edit.1.as_str(), edit.2), ("edited src/lib.rs (1 replacement)", false));
    let test = &tool_results(&requests[3])[0];
    assert!(test.1.starts_with("exit code 0") && test.1.contains("test result: ok. 1 passed"), "{test:?}");
    let commit = &tool_results(&requests[4])[0];
    assert!(commit.1.starts_with("committed"), "{commit:?}");

    // Spending is kept with the session.
    assert_eq!(row["model_calls"], 5);
    assert!(row["input_tokens"].as_u64().unwrap() >= 1200, "{row}");
    // The key went to the server and nowhere else.
    assert_key_kept(&lab, &[&worktree]);
}

/// The model key and the Slack token appear in no file grove writes:
/// audit log, session store, session logs, the worktree.
fn assert_key_kept(lab: &Lab, extra: &[&Path]) {
    let mut roots = vec![lab.root(), lab.home.path()];
    roots.extend(extra);
    assert_secret_kept(KEY, &roots);
    assert_secret_kept(SLACK_TOKEN, &roots);
    assert!(lab.root().join(".git/grove/audit.jsonl").is_file());
    assert!(lab.root().join(".git/grove/sessions.db").is_file() || !lab.grove(&["ls"]).stdout.is_empty());
}

/// `secret` appears in no file under `roots` (the repository with its
/// audit log, session store and logs, the home, worktrees, remotes).
pub fn assert_secret_kept(secret: &str, roots: &[&Path]) {
    let mut checked = 0;
    for root in roots {
        for entry in walk(root) {
            let bytes = std::fs::read(&entry).unwrap_or_default();
            checked += 1;
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "the secret leaked into {}",
                entry.display()
            );
        }
    }
    assert!(checked > 3, "nothing was checked");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() && !path.ends_with("target") {
            out.extend(walk(&path));
        } else if path.is_file() {
            out.push(path);
        }
    }
    out
}

#[test]
fn loop_drives_a_broken_crate_to_green() {
    let lab = Lab::new(
        &broken_crate(),
        vec![
            Reply::anthropic()
                .tool_use(
                    "t1",
                    "edit_file",
                    json!({"path": "src/lib.rs", "old_string": "a - b", "new_string": "a + b"}),
                )
                .into(),
            Reply::anthropic().text("Fixed the sign in add.").into(),
        ],
    );
    let out = lab.grove(&["run", "loop", "--until", "cargo test --offline", "--json"]).expect(0);
    let data = out.json();
    assert_eq!(data["stop"], "passed", "{data}");
    assert_eq!(data["iterations"].as_array().unwrap().len(), 1);
    assert_eq!(data["iterations"][0]["changed"], true);
    assert!(data["iterations"][0]["diff"].as_str().unwrap().contains("+    a + b"), "{data}");
    assert_eq!(data["final_check"]["code"], 0);
    // The agent was handed the failure itself.
    let prompt = lab.requests()[0].body["messages"][0]["content"][0]["text"].as_str().unwrap().to_string();
    assert!(prompt.contains("cargo test --offline") && prompt.contains("assertion"), "{prompt}");
    assert!(lab.read("src/lib.rs").contains("a + b"));
    // On the user's own checkout the agent does not commit.
    assert!(out.stderr.contains("model: 2 calls"), "{}", out.stderr);
    let repo = git2::Repository::open(lab.root()).unwrap();
    assert_eq!(repo.head().unwrap().peel_to_commit().unwrap().summary(), Some("initial commit"));
}

fn failing_check() -> Vec<(&'static str, &'static str)> {
    vec![("status.txt", "widget is broken\n")]
}

/// Fails until status.txt says `fixed`; the timestamp makes every run's
/// output differ in its numbers.
const CHECK: &str = "date +%s%N; cat status.txt; grep -q fixed status.txt";

#[test]
fn loop_stops_when_nothing_changes() {
    let lab =
        Lab::new(&failing_check(), vec![Reply::anthropic().text("I cannot see what to change.").into()]);
    let out = lab.grove(&["run", "loop", "--until", CHECK, "--max-iterations", "4", "--json"]).expect(1);
    let data = out.json();
    assert_eq!(data["stop"], "no-progress", "{data}");
    assert_eq!(data["iterations"].as_array().unwrap().len(), 1);
    assert_eq!(data["iterations"][0]["changed"], false);
    assert!(data["final_check"]["output"].as_str().unwrap().contains("widget is broken"));
    assert_eq!(lab.requests().len(), 1, "no second round once nothing moved");
    let text = lab.grove(&["run", "loop", "--until", CHECK]);
    assert_eq!(text.code, 1, "{}", text.stderr);
}

#[test]
fn loop_stops_at_its_iteration_limit_and_says_so() {
    let writes = |n: u32| -> Reply {
        Reply::anthropic()
            .tool_use(
                format!("w{n}"),
                "write_file",
                json!({"path": "note.txt", "content": format!("try {n}\n")}),
            )
            .into()
    };
    let lab = Lab::new(
        &failing_check(),
        vec![
            writes(1),
            Reply::anthropic().text("tried").into(),
            writes(2),
            Reply::anthropic().text("tried again").into(),
        ],
    );
    let data =
        lab.grove(&["run", "loop", "--until", CHECK, "--max-iterations", "2", "--json"]).expect(1).json();
    assert_eq!(data["stop"], "max-iterations", "{data}");
    assert_eq!(data["iterations"].as_array().unwrap().len(), 2);
    let usage = lab.grove(&["run", "loop"]).expect(2);
    assert!(usage.stderr.contains("--until"), "{}", usage.stderr);
}

#[test]
fn auto_mode_lets_edits_through_and_holds_a_dangerous_command() {
    let lab = Lab::new(
        &[("notes.md", "draft\n")],
        vec![
            Reply::anthropic()
                .tool_use(
                    "e1",
                    "edit_file",
                    json!({"path": "notes.md", "old_string": "draft", "new_string": "final"}),
                )
                .into(),
            Reply::anthropic()
                .tool_use("p1", "run", json!({"command": "git push --force origin grove/tidy"}))
                .into(),
            Reply::anthropic().text("The push was refused; the edit is done.").into(),
        ],
    );
    let out = lab
        .grove(&["new", "tidy", "--task", "finalize the notes and publish", "--mode", "auto", "--json"])
        .expect(0);
    let worktree = PathBuf::from(out.json()["path"].as_str().unwrap());
    let pending = wait(
        || {
            let list = lab.grove(&["approvals", "--json"]).expect(0).json();
            list.as_array().unwrap().first().cloned()
        },
        "the push to wait for approval",
    );
    assert_eq!(pending["session"], "tidy");
    assert!(pending["target"].as_str().unwrap().contains("git push --force"), "{pending}");
    // The edit went through without asking.
    assert_eq!(std::fs::read_to_string(worktree.join("notes.md")).unwrap(), "final\n");
    assert_eq!(lab.session_row("tidy")["state"], "waiting-approval");

    let id = pending["id"].as_i64().unwrap().to_string();
    lab.grove(&["deny", &id, "--reason", "never force-push"]).expect(0);
    let row = lab.wait_final("tidy");
    assert_eq!(row["state"], "done", "{row}");
    let push = &tool_results(&lab.requests()[2])[0];
    assert!(push.2 && push.1.contains("never force-push"), "{push:?}");
}

#[test]
fn plan_mode_keeps_the_agent_to_reading() {
    let lab = Lab::new(
        &[("notes.md", "draft\n")],
        vec![
            Reply::anthropic()
                .tool_use("w1", "write_file", json!({"path": "notes.md", "content": "gone"}))
                .into(),
            Reply::anthropic().text("I may only read here.").into(),
        ],
    );
    lab.grove(&["run", "agent", "--mode", "plan", "rewrite the notes"]).expect(0);
    assert_eq!(lab.read("notes.md"), "draft\n");
    let write = &tool_results(&lab.requests()[1])[0];
    assert!(write.2 && write.1.contains("plan"), "{write:?}");
}

#[test]
fn rate_limits_overload_and_a_cut_stream_are_retried() {
    let lab = Lab::new(
        &[("README.md", "# r\n")],
        vec![
            Reply::rate_limited(1),
            Reply::overloaded(),
            Reply::anthropic().text("this answer is cut off in the middle").cut_after(4).into(),
            Reply::anthropic()
                .text("overloaded halfway")
                .error_event("overloaded_error", "Overloaded")
                .into(),
            Reply::anthropic().text("Hello after all.").into(),
        ],
    );
    let started = Instant::now();
    let out = lab.grove(&["run", "agent", "--json", "say hello"]).expect(0);
    assert!(started.elapsed() >= Duration::from_secs(1), "retry-after was honoured");
    assert_eq!(out.json()["summary"], "Hello after all.");
    assert_eq!(lab.requests().len(), 5);
}

#[test]
fn provider_errors_are_clear_and_not_retried_forever() {
    let bad = json!({"type": "error", "error": {"type": "invalid_request_error", "message": "max_tokens: too large"}});
    let lab = Lab::new(&[("README.md", "# r\n")], vec![Reply::status(400, bad)]);
    let out = lab.grove(&["run", "agent", "hi"]).expect(1);
    assert!(
        out.stdout.contains("anthropic answered 400 invalid_request_error: max_tokens: too large"),
        "{}",
        out.stdout
    );
    assert_eq!(lab.requests().len(), 1, "a bad request is not retried");

    let lab = Lab::new(&[("README.md", "# r\n")], vec![Reply::overloaded(), Reply::overloaded()]);
    lab.config("[model]\nretry_base_ms = 10\nmax_retries = 1\n");
    let out = lab.grove(&["run", "agent", "hi"]).expect(1);
    assert!(
        out.stdout.contains("overloaded_error") && out.stdout.contains("after 2 attempts"),
        "{}",
        out.stdout
    );

    // No key and the official endpoint: say what to set, send nothing.
    let mut cmd = lab.cmd();
    cmd.env_remove("ANTHROPIC_BASE_URL").env_remove("ANTHROPIC_API_KEY");
    let out = grove_with(cmd, &["run", "agent", "hi"], None).expect(1);
    assert!(out.stdout.contains("set ANTHROPIC_API_KEY"), "{}", out.stdout);

    // A broken config file stops the run before anything starts.
    lab.config("[model]\nbudjet = \"$1\"\n");
    let out = lab.grove(&["run", "agent", "hi"]).expect(2);
    assert!(out.stderr.contains("budjet") && out.stderr.contains("config.toml"), "{}", out.stderr);
}

#[test]
fn a_budget_stops_the_session_cleanly_and_says_why() {
    let lab = Lab::new(
        &[("README.md", "# r\n")],
        vec![
            Reply::anthropic().tool_use("l1", "list_files", json!({})).usage(80, 30).into(),
            Reply::anthropic().text("never sent").into(),
        ],
    );
    lab.grove(&["new", "thrifty", "--task", "look around", "--budget", "100"]).expect(0);
    let row = lab.wait_final("thrifty");
    assert_eq!(row["state"], "failed", "{row}");
    assert!(
        row["summary"].as_str().unwrap().contains("the model budget is spent (110 of 100 tokens"),
        "{row}"
    );
    assert_eq!(lab.requests().len(), 1, "the call over budget never left the host");
    let bad = lab.grove(&["run", "agent", "--budget", "lots", "hi"]).expect(2);
    assert!(bad.stderr.contains("budget \"lots\""), "{}", bad.stderr);
}

#[test]
fn a_recorded_session_replays_offline() {
    let files = [("notes.md", "draft\n")];
    let edit = json!({"path": "notes.md", "old_string": "draft", "new_string": "final"});
    let lab = Lab::new(
        &files,
        vec![
            Reply::anthropic().tool_use("e1", "edit_file", edit).into(),
            Reply::anthropic().tool_use("r1", "run", json!({"command": "date +%s%N"})).into(),
            Reply::anthropic().text("Finalized.").into(),
        ],
    );
    let cassette = lab.home.path().join("demo.jsonl");
    let cassette = cassette.to_str().unwrap();
    lab.grove(&["run", "agent", "--record", cassette, "finalize the notes"]).expect(0);
    assert_eq!(std::fs::read_to_string(cassette).unwrap().lines().count(), 3);

    // A fresh checkout, and no server at all.
    let again = Lab::new(&files, vec![]);
    let mut cmd = again.cmd();
    cmd.env("ANTHROPIC_BASE_URL", "http://127.0.0.1:9");
    let out = grove_with(cmd, &["run", "agent", "--replay", cassette, "--json", "finalize the notes"], None)
        .expect(0);
    assert_eq!(out.json()["summary"], "Finalized.");
    assert_eq!(again.read("notes.md"), "final\n");
    assert!(again.requests().is_empty());

    let off = again.grove(&["run", "agent", "--replay", cassette, "do something else"]).expect(1);
    assert!(
        off.stdout.contains("request 1 does not match the cassette") && off.stdout.contains("--record"),
        "{}",
        off.stdout
    );
    let both = again.grove(&["run", "agent", "--replay", cassette, "--record", cassette, "x"]).expect(2);
    assert!(both.stderr.contains("cannot be used together"), "{}", both.stderr);
}

#[test]
fn an_openai_compatible_server_works_the_task() {
    let lab = Lab::new(
        &[("notes.md", "draft\n")],
        vec![
            Reply::openai_error(503, "server_error", "The server is overloaded"),
            Reply::openai()
                .tool_call(
                    "c1",
                    "edit_file",
                    json!({"path": "notes.md", "old_string": "draft", "new_string": "final"}),
                )
                .into(),
            Reply::openai().text("Done: the notes are final.").usage(300, 12).into(),
        ],
    );
    let out = lab.grove_openai(&["run", "agent", "--json", "finalize the notes"]).expect(0);
    assert_eq!(out.json()["summary"], "Done: the notes are final.");
    assert_eq!(lab.read("notes.md"), "final\n");
    let requests = lab.requests();
    assert_eq!(requests.len(), 3, "the 503 was retried");
    let first = &requests[1];
    assert_eq!(first.path, "/v1/chat/completions");
    assert_eq!(first.header("authorization"), None, "no key, no header");
    assert_eq!(first.body["stream_options"]["include_usage"], true);
    assert_eq!(first.body["tools"][0]["type"], "function");
    let second = requests[2].body["messages"].as_array().unwrap().clone();
    let tool = second.iter().find(|m| m["role"] == "tool").unwrap();
    assert_eq!(tool["tool_call_id"], "c1");
    assert_eq!(tool["content"], "edited notes.md (1 replacement)");
}

#[test]
fn the_key_never_reaches_the_guest() {
    let lab = Lab::new(
        &[("README.md", "# r\n")],
        vec![Reply::anthropic().text("hi").into(), Reply::anthropic().text("hi").into()],
    );
    let hide = |s: &str| s.bytes().map(|b| format!("{:02x}", b ^ 0x5a)).collect::<String>();
    // With every log line on, too.
    let mut cmd = lab.cmd();
    cmd.env("GROVE_LOG", "trace");
    let out = grove_with(cmd, &["-vv", "run", probe(), "--allow", "model", "model-scan", &hide(KEY)], None)
        .expect(0);
    assert!(out.stdout.contains("key-in-memory=false"), "{}", out.stdout);
    assert!(out.stderr.contains("TRACE") || out.stderr.contains("DEBUG"), "logging was on: {}", out.stderr);
    assert!(!out.stderr.contains(KEY) && !out.stdout.contains(KEY), "the key was logged");
    // The scan is real: it finds what the guest itself holds.
    let out = lab.grove(&["run", probe(), "--allow", "model", "model-scan", &hide("be brief")]).expect(0);
    assert!(out.stdout.contains("key-in-memory=true"), "{}", out.stdout);

    // The Slack token likewise: the host sends with it, the guest that
    // asked never holds it, and no program it runs inherits it.
    let slack = grove_tests::slack_server::SlackServer::start(SLACK_TOKEN);
    slack.add_channel("general");
    grove_tests::write(lab.root(), ".grove/config.toml", "[notify]\non-call = \"#general\"\n");
    let slack_cmd = || {
        let mut cmd = lab.cmd();
        cmd.env("GROVE_LOG", "trace").env("SLACK_BOT_TOKEN", SLACK_TOKEN).env("GROVE_SLACK_API", slack.url());
        cmd
    };
    let scan = ["-vv", "run", "--mode", "bypass", probe(), "--allow", "notify", "notify-scan"];
    let out = grove_with(slack_cmd(), &[&scan[..], &[&hide(SLACK_TOKEN)]].concat(), None).expect(0);
    assert!(out.stdout.contains("token-in-memory=false"), "{}", out.stdout);
    assert!(!out.stderr.contains(SLACK_TOKEN) && !out.stdout.contains(SLACK_TOKEN), "the token was logged");
    assert_eq!(slack.messages_in("general").len(), 1, "the message went out with the token");
    let out = grove_with(slack_cmd(), &[&scan[..], &[&hide("scanning")]].concat(), None).expect(0);
    assert!(
        out.stdout.contains("token-in-memory=true"),
        "the scan finds what the guest holds: {}",
        out.stdout
    );
    let env = ["run", "--mode", "bypass", probe(), "--allow", "process", "run", "env"];
    let out = grove_with(slack_cmd(), &env, None).expect(0);
    assert!(out.stdout.contains("PATH="), "{}", out.stdout);
    assert!(!out.stdout.contains(SLACK_TOKEN) && !out.stdout.contains("SLACK_BOT_TOKEN"), "{}", out.stdout);
    assert_key_kept(&lab, &[]);
}

#[test]
fn older_turns_are_summarized_as_the_window_fills() {
    let look = |n: u32, input: u64| -> Reply {
        Reply::anthropic().tool_use(format!("l{n}"), "list_files", json!({})).usage(input, 10).into()
    };
    let lab = Lab::new(
        &[("README.md", "# r\n")],
        vec![
            look(1, 100),
            look(2, 200),
            look(3, 300),
            look(4, 1500),
            Reply::anthropic().text("Listed the files four times.").into(),
            Reply::anthropic().text("Done looking.").into(),
        ],
    );
    let out = lab.grove(&["run", "agent", "--context-window", "2000", "--json", "look around"]).expect(0);
    assert_eq!(out.json()["compactions"], 1, "{}", out.stdout);
    let requests = lab.requests();
    assert_eq!(requests.len(), 6);
    let summarize = &requests[4].body;
    assert_eq!(summarize["model"], "claude-haiku-4-5", "the fast tier summarizes");
    assert!(summarize["system"][0]["text"].as_str().unwrap().starts_with("Summarize"), "{summarize}");
    assert!(summarize.get("tools").is_none());
    let after = requests[5].body["messages"].as_array().unwrap();
    let head = after[0]["content"][0]["text"].as_str().unwrap();
    assert!(
        head.starts_with("look around") && head.contains("Notes on the work so far:\nListed the files"),
        "{head}"
    );
    assert_eq!(after.len(), 7, "the task with its notes, then the newest turns word for word");
    assert_eq!(after[1]["role"], "assistant");
}

#[test]
fn a_stalled_answer_times_out() {
    let lab = Lab::new(
        &[("README.md", "# r\n")],
        vec![Reply::anthropic().text("slow words").delay_ms(2500).into()],
    );
    lab.config("[model]\nread_timeout_s = 1\nmax_retries = 0\n");
    let out = lab.grove(&["run", "agent", "hi"]).expect(1);
    assert!(out.stdout.contains("did not answer in time"), "{}", out.stdout);
}

#[test]
fn loop_works_in_a_session_and_commits_there() {
    let lab = Lab::new(
        &failing_check(),
        vec![
            Reply::anthropic()
                .tool_use("w1", "write_file", json!({"path": "status.txt", "content": "fixed\n"}))
                .into(),
            Reply::anthropic().text("Marked it fixed.").into(),
        ],
    );
    lab.grove(&["new", "green", "--skill", "loop", "--", "--until", CHECK]).expect(0);
    let row = lab.wait_final("green");
    assert_eq!(row["state"], "done", "{row}");
    assert!(row["summary"].as_str().unwrap().contains("passes after 1 iteration"), "{row}");
    assert_eq!(lab.read("status.txt"), "widget is broken\n", "the user's checkout is untouched");
    let repo = git2::Repository::open(lab.root()).unwrap();
    let head =
        repo.find_branch("grove/green", git2::BranchType::Local).unwrap().get().peel_to_commit().unwrap();
    assert_eq!(
        head.summary(),
        Some(format!("Make `{CHECK}` pass").as_str()),
        "committed on the session's branch"
    );
}

#[test]
fn cancelling_a_session_cuts_the_model_call_short() {
    let lab = Lab::new(
        &[("README.md", "# r\n")],
        vec![Reply::anthropic().text("a very slow answer that takes its time").delay_ms(1500).into()],
    );
    lab.grove(&["new", "slow", "--task", "think hard"]).expect(0);
    wait(|| (!lab.requests().is_empty()).then_some(()), "the model call to start");
    let asked = Instant::now();
    lab.grove(&["cancel", "slow"]).expect(0);
    let row = lab.wait_final("slow");
    assert_eq!(row["state"], "cancelled", "{row}");
    assert!(asked.elapsed() < Duration::from_secs(5), "cancelled in {:?}", asked.elapsed());
}

#[test]
fn a_skill_runs_in_a_session_with_its_task() {
    let lab = Lab::new(
        &[("notes.md", "draft\n")],
        vec![
            Reply::anthropic().tool_use("l1", "list_files", json!({})).into(),
            Reply::anthropic().text("Looked around.").into(),
            Reply::anthropic().tool_use("r1", "read_file", json!({"path": "notes.md"})).into(),
            Reply::anthropic().text("Seen: the session's own notes.").into(),
        ],
    );
    let out = lab.grove(&["new", "side", "--task", "look at the notes", "--json"]).expect(0);
    let worktree = PathBuf::from(out.json()["path"].as_str().unwrap());
    lab.wait_final("side");
    std::fs::write(worktree.join("notes.md"), "edited in the session\n").unwrap();
    let out = lab.grove(&["run", "agent", "--session", "side", "--json", "and say what you see"]).expect(0);
    assert_eq!(out.json()["summary"], "Seen: the session's own notes.");
    // The session's conversation goes on: its task first, the words of
    // this run last.
    let messages = lab.requests()[2].body["messages"].as_array().unwrap().clone();
    assert_eq!(messages[0]["content"][0]["text"], "look at the notes");
    let last = messages.last().unwrap()["content"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["text"], "and say what you see", "{messages:?}");
    let read = &tool_results(&lab.requests()[3])[0];
    assert!(read.1.contains("edited in the session"), "it ran in the session's worktree: {read:?}");
    assert_eq!(lab.read("notes.md"), "draft\n");
    let gone = lab.grove(&["run", "agent", "--session", "nope", "hi"]).expect(2);
    assert!(gone.stderr.contains("no session named `nope`"), "{}", gone.stderr);
}
