//! The designer's challenge end to end, and the follow-ups it is made of:
//! `designer-check --challenge` starts a session whose agent (the scripted
//! model) drafts another design; once it is done, its runner records the
//! project's evidence scenarios on it (a real Chromium, the app served by
//! `python3 -m http.server`) and opens it as a draft pull request on the
//! GitHub test server, linked to the original's both ways, whichever was
//! opened first. A follow-up that fails (no remote, no token) keeps the
//! work and says how to do it by hand; a skill cannot reach a pull request
//! through a sub-session's follow-up without the gate's say.

use std::process::Command;

use grove_tests::model_server::{ModelServer, Reply};
use serde_json::{Value, json};

use crate::browser::gif_frames;
use crate::evidence_skill::ALLOW_THE_SERVER;
use crate::pr::{Hub, git};
use crate::support::{KEY, assert_nothing_left_in, grove_with, probe, wait_final};

/// The app: a counter, its button styled by `web/app.css`.
const PAGE: &str = r#"<!doctype html><title>shop</title><link rel="stylesheet" href="web/app.css">
<p id="count">count: 0</p>
<button id="add" onclick="n = (window.n || 0) + 1; window.n = n; document.querySelector('#count').textContent = 'count: ' + n">Add</button>"#;

const SCENARIO: &str = r##"viewport = [480, 320]

[[steps]]
click = "#add"
caption = "Add one"

[[steps]]
expect-text = { selector = "#count", text = "count: 1" }
"##;

const DESIGN: &str =
    "[github]\nrepo = \"acme/shop\"\n\n[design]\ndesigners = [\"Dana Designer <dana@example.com>\"]\n";
const EVIDENCE: &str = "\n[evidence]\nserve = \"python3 -m http.server $PORT\"\n";

/// The user lets designer-check open its challenge's draft without asking.
const ALLOW_THE_DRAFT: &str = "[[rules]]\nverdict = \"allow\"\nskill = \"designer-check\"\ncapability = \"review\"\n\
                               reason = \"the design challenge's draft pull request\"\n";

/// The scripted agent of the challenge: another design of the button.
fn drafting_model() -> ModelServer {
    ModelServer::start(vec![
        Reply::anthropic()
            .tool_use(
                "w",
                "write_file",
                json!({"path": "web/app.css", "content": "button { color: #0a7; padding: 12px 24px }\n"}),
            )
            .into(),
        Reply::anthropic().tool_use("c", "commit", json!({"message": "A calmer button"})).into(),
        Reply::anthropic().text("A calmer green button from the tokens, with room around it.").into(),
    ])
}

/// A hub whose repository holds the app, its scenario and `config`, and
/// whose home allows the app's server and the challenge's draft.
fn hub(config: &str) -> Hub {
    let hub = Hub::with(&[
        ("index.html", PAGE),
        ("web/app.css", "button { color: black }\n"),
        (".grove/config.toml", config),
        (".grove/scenarios/counter.toml", SCENARIO),
    ]);
    grove_tests::write(
        hub.home.path(),
        "grove/policy.toml",
        &format!("{ALLOW_THE_SERVER}\n{ALLOW_THE_DRAFT}"),
    );
    std::fs::create_dir_all(hub.home.path().join("tmp")).unwrap();
    hub
}

/// Session `look`, the original: a change with a design part nobody
/// signed off.
fn original(hub: &Hub) {
    let worktree = hub.session("look");
    grove_tests::write(&worktree, "web/app.css", "button { color: rebeccapurple }\n");
    grove_tests::commit_all(&git2::Repository::open(&worktree).unwrap(), "A purple button");
}

/// `grove` for the hub, with the model and a temporary folder of the test's own.
fn with_model(hub: &Hub, model: &ModelServer) -> Command {
    let mut cmd = hub.cmd();
    cmd.env("ANTHROPIC_BASE_URL", model.url())
        .env("ANTHROPIC_API_KEY", KEY)
        .env("TMPDIR", hub.home.path().join("tmp"));
    cmd
}

fn follow_up<'r>(row: &'r Value, step: &str) -> &'r Value {
    row["follow_ups"].as_array().unwrap().iter().find(|f| f["step"] == step).unwrap_or(&Value::Null)
}

#[test]
fn a_challenge_is_drafted_recorded_and_opened_as_a_draft_linked_to_the_original() {
    needs_chromium!();
    let hub = hub(&format!("{DESIGN}{EVIDENCE}"));
    original(&hub);
    hub.grove(&["pr", "look", "--no-notify"]).expect(0);

    let model = drafting_model();
    let cmd = || with_model(&hub, &model);
    let args = ["run", "designer-check", "--session", "look", "--no-pictures", "--challenge"];
    let check = grove_with(cmd(), &args, None).expect(1);
    assert!(check.stdout.contains("session `look-challenge` drafts a different design"), "{}", check.stdout);
    assert!(
        check
            .stdout
            .contains("records the project's evidence scenarios on it and opens it as a draft pull request"),
        "{}",
        check.stdout
    );

    // Nothing else is run: the session drafts, records, opens.
    let row = wait_final(cmd, "look-challenge");
    assert_eq!((row["state"].as_str(), row["parent"].as_str()), (Some("done"), Some("look")), "{row}");
    assert_eq!(follow_up(&row, "evidence")["state"], "done", "{row}");
    assert_eq!(follow_up(&row, "pr-draft")["state"], "done", "{row}");
    assert!(follow_up(&row, "pr-draft")["note"].as_str().unwrap().ends_with("/acme/shop/pull/2"), "{row}");

    // Its own bundle holds the recording of its design working.
    let manifest = hub.grove(&["evidence", "look-challenge", "--json"]).expect(0).json();
    let gif = manifest["entries"].as_array().unwrap().iter().find(|e| e["kind"] == "gif").expect("a GIF");
    let file = gif["file"].as_str().unwrap();
    let bytes = std::fs::read(hub.root().join(".git/grove/evidence/look-challenge").join(file)).unwrap();
    let (width, height, frames) = gif_frames(&bytes);
    assert_eq!((width, height), (480, 320));
    assert_ne!(frames.first(), frames.last(), "the click shows");

    // A draft, an alternative to #1, carrying that recording; #1 links it.
    let pulls = hub.server.pulls();
    let draft = pulls.iter().find(|p| p.number == 2).expect("the challenge's pull request");
    assert!(draft.draft, "opened as a draft");
    assert_eq!(draft.head, "grove/look-challenge");
    assert!(draft.body.contains("An alternative to #1"), "{}", draft.body);
    assert!(
        draft.body.contains(&format!("/acme/shop/raw/grove-evidence/look-challenge/{file}")),
        "{}",
        draft.body
    );
    assert_eq!(hub.on_remote("grove-evidence", &format!("look-challenge/{file}")), Some(bytes));
    let comments = hub.server.issue_comments();
    assert!(
        comments.iter().any(|c| c.number == 1 && c.body.contains("An alternative to this pull request: #2")),
        "{comments:?}"
    );
    assert!(hub.remote_branch("grove/look-challenge").is_some(), "its branch is pushed");

    // The transcript tells each step.
    let logs = hub.grove(&["logs", "look-challenge"]).expect(0);
    assert!(logs.stdout.contains("── then: evidence"), "{}", logs.stdout);
    assert!(logs.stdout.contains("✓ pr-draft: http"), "{}", logs.stdout);
    assert_nothing_left_in(&[hub.root(), hub.home.path()]);
}

#[test]
fn a_failed_draft_keeps_the_work_says_how_and_links_whichever_opens_first() {
    // No [evidence]: the challenge only opens its draft, and says so.
    let hub = hub(DESIGN);
    original(&hub);
    git(hub.root(), &["remote", "rename", "origin", "away"]);

    let model = drafting_model();
    let cmd = || with_model(&hub, &model);
    let args = ["run", "designer-check", "--session", "look", "--challenge"];
    let check = grove_with(cmd(), &args, None).expect(1);
    assert!(check.stdout.contains("it carries no recording"), "{}", check.stdout);

    let row = wait_final(cmd, "look-challenge");
    assert_eq!(row["state"], "done", "the work is done: {row}");
    let pr = follow_up(&row, "pr-draft");
    assert_eq!(pr["state"], "failed", "{row}");
    assert_eq!(pr["by_hand"], "grove pr look-challenge --draft", "{row}");
    assert!(pr["note"].as_str().unwrap().contains("pushing to the remote"), "{row}");
    assert!(follow_up(&row, "evidence").is_null(), "not asked for: {row}");
    assert!(hub.server.pulls().is_empty());
    // The branch keeps the draft; ls and logs say what failed and what to run.
    let repo = git2::Repository::open(hub.root()).unwrap();
    let tip = repo.find_branch("grove/look-challenge", git2::BranchType::Local).unwrap();
    assert_eq!(tip.get().peel_to_commit().unwrap().summary(), Some("A calmer button"));
    let ls = hub.grove(&["ls"]).expect(0);
    assert!(ls.stdout.contains("done · pr-draft failed"), "{}", ls.stdout);
    let logs = hub.grove(&["logs", "look-challenge"]).expect(0);
    assert!(logs.stdout.contains("✗ pr-draft failed"), "{}", logs.stdout);
    assert!(logs.stdout.contains("do it by hand: grove pr look-challenge --draft"), "{}", logs.stdout);

    // Done by hand, the draft first: opening the original later links both.
    git(hub.root(), &["remote", "rename", "away", "origin"]);
    hub.grove(&["pr", "look-challenge", "--draft", "--no-notify"]).expect(0);
    assert!(!hub.server.pulls()[0].body.contains("An alternative"), "no original yet");
    hub.grove(&["pr", "look", "--no-notify"]).expect(0);
    let pulls = hub.server.pulls();
    let draft = pulls.iter().find(|p| p.head == "grove/look-challenge").unwrap();
    assert_eq!(draft.number, 1);
    assert!(draft.body.contains("An alternative to #2"), "{}", draft.body);
    let comments = hub.server.issue_comments();
    let links: Vec<_> =
        comments.iter().filter(|c| c.body.contains("An alternative to this pull request: #1")).collect();
    assert_eq!(links.iter().map(|c| c.number).collect::<Vec<_>>(), [2], "{comments:?}");
    // Again changes nothing: the link is made once.
    hub.grove(&["pr", "look", "--no-notify"]).expect(0);
    hub.grove(&["pr", "look-challenge", "--draft", "--no-notify"]).expect(0);
    let again = hub.server.issue_comments();
    assert_eq!(again.iter().filter(|c| c.body.contains("An alternative to this pull")).count(), 1);

    // The local backend links the two pages the same way.
    hub.grove(&["pr", "look-challenge", "--draft", "--backend", "local"]).expect(0);
    hub.grove(&["pr", "look", "--backend", "local"]).expect(0);
    let page =
        |name: &str| std::fs::read_to_string(hub.root().join(".git/grove/pr").join(name).join("index.md"));
    let original = page("look").unwrap();
    assert!(original.contains("session `look-challenge`, which this one started"), "{original}");
    let challenge = page("look-challenge").unwrap();
    assert!(challenge.contains("An alternative to session `look`'s"), "{challenge}");
}

#[test]
fn a_follow_up_reaching_a_pull_request_is_judged_at_the_spawn() {
    let hub = Hub::new();
    let no_token = || {
        let mut cmd = hub.cmd();
        cmd.env_remove("GH_TOKEN");
        cmd
    };
    let spawn = |allow: &str, mode: &str| {
        let args =
            ["run", "--mode", mode, "--allow", allow, probe(), "spawn-then", "x", "hello", "hi", "pr-draft"];
        grove_with(no_token(), &args, None)
    };
    // Without `review`, or with it but no one to say yes: refused, nothing made.
    for (allow, mode) in [("sessions", "bypass"), ("sessions,review", "auto")] {
        let refused = spawn(allow, mode);
        assert_ne!(refused.code, 0, "{refused:?}");
        assert!(refused.stderr.contains("review"), "{}", refused.stderr);
        assert_eq!(hub.grove(&["ls", "--json"]).expect(0).json(), json!([]));
        let repo = git2::Repository::open(hub.root()).unwrap();
        assert!(repo.find_branch("grove/x", git2::BranchType::Local).is_err(), "no branch");
    }
    let audit = std::fs::read_to_string(hub.root().join(".git/grove/audit.jsonl")).unwrap();
    assert!(audit.lines().any(|l| l.contains("\"review\"") && l.contains("grove/x")), "{audit}");

    // Allowed, it runs after the skill; no token is a failure that keeps
    // the session and says what to set.
    spawn("sessions,review", "bypass").expect(0);
    let row = wait_final(no_token, "x");
    assert_eq!(row["state"], "done", "{row}");
    let pr = follow_up(&row, "pr-draft");
    assert_eq!((pr["state"].as_str(), pr["by_hand"].as_str()), (Some("failed"), Some("grove pr x --draft")));
    assert!(pr["note"].as_str().unwrap().contains("GH_TOKEN"), "{row}");
}

#[test]
fn grove_new_then_runs_each_step_after_a_skill_that_ends_well_and_only_then() {
    let hub = Hub::new();
    // No [evidence]: the step fails, the session is done, the command is named.
    hub.grove(&["new", "y", "--skill", "hello", "--then", "evidence"]).expect(0);
    let row = wait_final(|| hub.cmd(), "y");
    assert_eq!(row["state"], "done", "{row}");
    let evidence = follow_up(&row, "evidence");
    assert_eq!(evidence["state"], "failed", "{row}");
    assert_eq!(evidence["by_hand"], "grove run evidence --session y", "{row}");
    assert!(evidence["note"].as_str().unwrap().contains("[evidence]"), "{row}");

    // A skill that fails does not reach them.
    let args = ["new", "z", "--skill", probe(), "--then", "pr-draft", "--", "fail"];
    hub.grove(&args).expect(0);
    let row = wait_final(|| hub.cmd(), "z");
    assert_eq!(row["state"], "failed", "{row}");
    assert_eq!(follow_up(&row, "pr-draft")["state"], "skipped", "{row}");
    assert!(hub.server.pulls().is_empty());

    let unknown = hub.grove(&["new", "w", "--skill", "hello", "--then", "pr"]);
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(unknown.stderr.contains("known: evidence, pr-draft"), "{}", unknown.stderr);
}
