//! The gate end to end: `grove classify` over the labeled corpus, modes,
//! policy layers that only narrow, approvals on a terminal and in a
//! headless session, and the fall back to manual.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::support::{Run, Tmux, grove_cmd, grove_with, probe, session_row, wait, wait_final};

/// The labeled corpus: the shared development set, its variants, and
/// hostile cases of our own.
const CORPUS: [&str; 3] = ["dev.jsonl", "variants.jsonl", "hostile.jsonl"];

/// Attempts to fool the classifier, in both directions. None may be let
/// through; some it labels deny are held for a human instead (counted).
const ADVERSARIAL: &str = "adversarial.jsonl";

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/risk")
}

/// A repository that is not under the temporary folder (where paths beside
/// it would count as temporary files), with a file or two. The build's own
/// scratch folder serves unless the checkout itself sits in /tmp; then the
/// home folder does.
fn worktree() -> tempfile::TempDir {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let temp = std::env::temp_dir();
    let base = match std::env::var_os("HOME").map(PathBuf::from) {
        Some(home) if scratch.starts_with(&temp) && !home.starts_with(&temp) => home,
        _ => scratch,
    };
    let dir = tempfile::Builder::new().prefix(".grove-gate-test-").tempdir_in(base).unwrap();
    let repo = git2::Repository::init(dir.path()).unwrap();
    grove_tests::write(dir.path(), "src/lib.rs", "pub fn f() {}\n");
    grove_tests::write(dir.path(), "README.md", "# t\n");
    grove_tests::commit_all(&repo, "initial");
    dir
}

/// `grove ARGS` in `dir`, with `home` as grove's home (user policy:
/// `home/grove/policy.toml`), a fixed `$HOME` and no enterprise policy.
fn cmd(dir: &Path, home: &Path) -> Command {
    let mut c = grove_cmd(dir, home);
    c.env("HOME", "/home/grove-test").env("GROVE_ENTERPRISE_POLICY", home.join("no-enterprise.toml"));
    c
}

fn classify(dir: &Path, home: &Path, args: &[&str], input: &str) -> Vec<Value> {
    let mut all = vec!["classify"];
    all.extend_from_slice(args);
    let run = grove_with(cmd(dir, home), &all, Some(input)).expect(0);
    run.stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

fn decision(dir: &Path, home: &Path, args: &[&str], action: Value) -> String {
    let out = classify(dir, home, args, &format!("{action}\n"));
    out[0]["decision"].as_str().unwrap_or_else(|| panic!("{}", out[0])).to_string()
}

#[test]
fn classify_meets_the_accuracy_bar_on_the_corpus() {
    let dir = worktree();
    let home = tempfile::tempdir().unwrap();
    for file in CORPUS {
        let text = std::fs::read_to_string(corpus_dir().join(file)).unwrap();
        let items: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let decisions = classify(dir.path(), home.path(), &[], &text);
        assert_eq!(decisions.len(), items.len(), "{file}: one decision per line");
        let mut wrong = Vec::new();
        let (mut allows, mut allows_held) = (0, 0);
        for (item, d) in items.iter().zip(&decisions) {
            let (want, got) = (item["expect"].as_str().unwrap(), d["decision"].as_str().unwrap_or("error"));
            if want == "allow" {
                allows += 1;
                allows_held += usize::from(got != "allow");
            }
            let bad = match want {
                "deny" => got != "deny",
                "ask" => got == "allow",
                _ => false,
            };
            if bad {
                wrong.push(format!("expected {want}, got {got}: {item} -> {d}"));
            }
        }
        assert!(wrong.is_empty(), "{file}: {} wrong:\n{}", wrong.len(), wrong.join("\n"));
        assert!(allows_held * 10 <= allows, "{file}: {allows_held} of {allows} allow items were held");
    }
}

#[test]
fn no_adversarial_attempt_is_let_through() {
    let dir = worktree();
    let home = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(corpus_dir().join(ADVERSARIAL)).unwrap();
    let items: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let decisions = classify(dir.path(), home.path(), &[], &text);
    let mut let_through = Vec::new();
    let (mut allows, mut allows_held, mut denies, mut denies_held) = (0, 0, 0, 0);
    for (item, d) in items.iter().zip(&decisions) {
        let (want, got) = (item["expect"].as_str().unwrap(), d["decision"].as_str().unwrap_or("error"));
        match want {
            "allow" => {
                allows += 1;
                allows_held += usize::from(got != "allow");
            }
            _ if got == "allow" => let_through.push(format!("{item} -> {d}")),
            "deny" => {
                denies += 1;
                denies_held += usize::from(got != "deny");
            }
            _ => {}
        }
    }
    assert!(let_through.is_empty(), "{} let through:\n{}", let_through.len(), let_through.join("\n"));
    assert!(allows_held * 10 <= allows, "{allows_held} of {allows} allow items were held");
    eprintln!("adversarial: {denies_held} of {denies} deny items held for a human instead of refused");
}

/// Wrapping a command line in `sh -c`, `eval`, a subshell or a list does
/// not change what it does, so it must not change the decision either.
#[test]
fn wrapped_variants_of_the_corpus_are_judged_the_same() {
    let dir = worktree();
    let home = tempfile::tempdir().unwrap();
    let quote = |c: &str| format!("'{}'", c.replace('\'', r"'\''"));
    type Wrap<'a> = &'a dyn Fn(&str) -> String;
    let wrappers: [(&str, Wrap); 6] = [
        ("sh -c", &|c| format!("sh -c {}", quote(c))),
        ("bash -c", &|c| format!("bash -c {}", quote(c))),
        ("eval", &|c| format!("eval {}", quote(c))),
        ("&&", &|c| format!("true && {c}")),
        (";", &|c| format!("{c} ; true")),
        ("( )", &|c| format!("( {c}\n)")),
    ];
    let mut lines = Vec::new();
    for file in CORPUS {
        for line in std::fs::read_to_string(corpus_dir().join(file)).unwrap().lines() {
            let item: Value = serde_json::from_str(line).unwrap();
            let Some(command) =
                item["command"].as_str().filter(|c| !c.contains('\n') && !c.trim().is_empty())
            else {
                continue;
            };
            lines.push((command.to_string(), "as is"));
            for (name, wrap) in &wrappers {
                lines.push((wrap(command), *name));
            }
        }
    }
    let input: String = lines
        .iter()
        .map(|(c, _)| format!("{}\n", serde_json::json!({"capability": "process", "command": c})))
        .collect();
    let out = classify(dir.path(), home.path(), &[], &input);
    let mut differ = Vec::new();
    let mut original = "";
    for ((command, how), d) in lines.iter().zip(&out) {
        let got = d["decision"].as_str().unwrap_or("error");
        if *how == "as is" {
            original = got;
        } else if got != original {
            differ.push(format!("{how}: {original} became {got}: {command} -> {d}"));
        }
    }
    assert!(
        differ.is_empty(),
        "{} wrapped variants judged differently:\n{}",
        differ.len(),
        differ.join("\n")
    );
}

#[test]
fn decisions_carry_levels_and_reasons_that_name_the_rule() {
    let dir = worktree();
    let home = tempfile::tempdir().unwrap();
    let input = [
        r#"{"capability":"process","command":"git push --force origin main"}"#,
        r#"{"capability":"workspace","verb":"write","path":".git/hooks/pre-commit"}"#,
        r#"{"capability":"http","method":"GET","url":"http://169.254.169.254/"}"#,
        r#"{"capability":"process","command":"ls -la"}"#,
    ]
    .join("\n");
    let out = classify(dir.path(), home.path(), &[], &input);
    let first_reason = |i: usize| out[i]["reasons"][0].as_str().unwrap().to_string();
    assert_eq!((out[0]["decision"].as_str(), out[0]["level"].as_str()), (Some("deny"), Some("critical")));
    assert!(first_reason(0).starts_with("git.push-force: `git push --force origin main`"), "{}", out[0]);
    assert!(first_reason(1).starts_with("fs.git-dir:"), "{}", out[1]);
    assert!(first_reason(2).starts_with("net.metadata:"), "{}", out[2]);
    assert_eq!((out[3]["decision"].as_str(), out[3]["level"].as_str()), (Some("allow"), Some("safe")));
}

#[test]
fn classify_answers_every_line_in_order_and_survives_bad_input() {
    let dir = worktree();
    let home = tempfile::tempdir().unwrap();
    let mut c = cmd(dir.path(), home.path());
    c.arg("classify").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    // Streaming: each answer comes before the next line is written.
    let mut ask = |line: &[u8]| -> Value {
        stdin.write_all(line).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
        let mut answer = String::new();
        stdout.read_line(&mut answer).unwrap();
        serde_json::from_str(&answer).unwrap()
    };
    assert_eq!(ask(br#"{"capability":"process","command":"cat README.md","extra":1}"#)["decision"], "allow");
    assert!(ask(b"not json")["error"].as_str().unwrap().contains("not a JSON action"));
    assert!(ask(b"")["error"].is_string());
    assert!(ask(br#"{"capability":"teleport"}"#)["error"].as_str().unwrap().contains("unknown capability"));
    assert!(ask(br#"{"capability":"process"}"#)["error"].as_str().unwrap().contains("needs `command`"));
    assert!(ask(b"{\"capability\":\"process\",\"command\":\"ls \xff\"}")["error"].is_string());
    assert!(ask(br#"{"capability":"process","command":"echo 'unterminated"}"#)["decision"] == "ask");
    assert_eq!(ask(br#"{"capability":"process","argv":["rm","-rf","/"]}"#)["decision"], "deny");
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn modes_decide_differently() {
    let dir = worktree();
    let home = tempfile::tempdir().unwrap();
    let (d, h) = (dir.path(), home.path());
    let write = serde_json::json!({"capability":"workspace","verb":"write","path":"src/a.rs"});
    let read = serde_json::json!({"capability":"workspace","verb":"read","path":"src/lib.rs"});
    let wipe = serde_json::json!({"capability":"process","command":"rm -rf /"});
    let push = serde_json::json!({"capability":"process","command":"git push"});
    let table = [
        ("plan", ["deny", "allow", "deny", "deny"]),
        ("manual", ["ask", "allow", "deny", "ask"]),
        ("auto", ["allow", "allow", "deny", "ask"]),
        ("bypass", ["allow", "allow", "allow", "allow"]),
    ];
    for (mode, want) in table {
        let got: Vec<String> = [&write, &read, &wipe, &push]
            .iter()
            .map(|a| decision(d, h, &["--mode", mode], (*a).clone()))
            .collect();
        assert_eq!(got, want, "{mode}");
    }
    let run = grove_with(cmd(d, h), &["classify", "--mode", "yolo"], Some("")).expect(2);
    assert!(run.stderr.contains("unknown mode `yolo`"), "{}", run.stderr);
}

#[test]
fn a_repository_cannot_widen_the_users_policy() {
    let dir = worktree();
    let home = tempfile::tempdir().unwrap();
    let (d, h) = (dir.path(), home.path());
    grove_tests::write(
        d,
        ".grove/policy.toml",
        "max_mode = \"bypass\"\ndefault_mode = \"bypass\"\n\n[hosts]\nallow = [\"evil.example\"]\n\n\
         [[rules]]\nverdict = \"allow\"\ncommand = \"npm install\"\n",
    );
    let npm = serde_json::json!({"capability":"process","command":"npm install left-pad"});
    let curl = serde_json::json!({"capability":"http","method":"GET","url":"https://evil.example/x"});
    let p = ["--with-policy"];
    assert_eq!(decision(d, h, &p, npm.clone()), "ask", "a project allow rule is ignored");
    assert_eq!(decision(d, h, &p, curl.clone()), "ask", "a project host is ignored");

    // The user's own file may allow, and may cap the mode.
    grove_tests::write(
        h,
        "grove/policy.toml",
        "max_mode = \"manual\"\n\n[hosts]\nallow = [\"evil.example\"]\n\n\
         [[rules]]\nverdict = \"allow\"\ncommand = \"npm install\"\nreason = \"we vendor with npm\"\n",
    );
    let out = classify(d, h, &p, &format!("{npm}\n"));
    assert_eq!(out[0]["decision"], "allow");
    assert!(out[0]["reasons"][0].as_str().unwrap().contains("we vendor with npm"), "{}", out[0]);
    assert_eq!(decision(d, h, &p, curl), "allow");
    let write = serde_json::json!({"capability":"workspace","verb":"write","path":"src/a.rs"});
    assert_eq!(decision(d, h, &["--with-policy", "--mode", "bypass"], write), "ask", "capped to manual");

    // An enterprise deny holds even in bypass mode.
    let enterprise = h.join("enterprise.toml");
    std::fs::write(
        &enterprise,
        "[[rules]]\nverdict = \"deny\"\ncommand = \"git push\"\nreason = \"CI pushes\"\n",
    )
    .unwrap();
    let mut c = cmd(d, h);
    c.env("GROVE_ENTERPRISE_POLICY", &enterprise);
    let run = grove_with(
        c,
        &["classify", "--with-policy", "--mode", "bypass"],
        Some(r#"{"capability":"process","command":"git push origin x"}"#),
    );
    let out: Value = serde_json::from_str(run.expect(0).stdout.trim()).unwrap();
    assert_eq!(out["decision"], "deny");
    assert!(out["reasons"][0].as_str().unwrap().contains("CI pushes"), "{out}");
}

/// A repository on `main` whose sessions run the probe.
struct Project {
    dir: tempfile::TempDir,
    home: tempfile::TempDir,
}

impl Project {
    fn new() -> Project {
        let dir = grove_tests::repo_with(&[("README.md", "# project\n")]);
        Project { dir, home: tempfile::tempdir().unwrap() }
    }

    fn grove(&self, args: &[&str]) -> Run {
        grove_with(cmd(self.dir.path(), self.home.path()), args, None)
    }

    /// Start a session running `probe ARGS` with process granted.
    fn session(&self, name: &str, probe_args: &[&str]) {
        let mut args = vec!["new", name, "--skill", probe(), "--allow", "process,workspace", "--"];
        args.extend_from_slice(probe_args);
        self.grove(&args).expect(0);
    }

    fn pending(&self) -> Vec<Value> {
        self.grove(&["approvals", "--json"]).expect(0).json().as_array().unwrap().clone()
    }

    fn wait_pending(&self, session: &str) -> Value {
        wait(|| self.pending().into_iter().find(|a| a["session"] == session), "an approval request")
    }

    fn session_row(&self, name: &str) -> Value {
        session_row(cmd(self.dir.path(), self.home.path()), name)
    }

    fn wait_final(&self, name: &str) -> Value {
        wait_final(|| cmd(self.dir.path(), self.home.path()), name)
    }

    fn audit(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(self.dir.path().join(".git/grove/audit.jsonl")).unwrap();
        text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    }
}

#[test]
fn a_headless_session_waits_for_approval_then_runs() {
    let p = Project::new();
    p.session("chmod", &["run", "chmod", "+x", "README.md"]);
    let request = p.wait_pending("chmod");
    assert_eq!(request["capability"], "process");
    assert_eq!(request["level"], "medium");
    assert!(request["reasons"][0].as_str().unwrap().starts_with("fs.permissions:"), "{request}");
    let row = p.session_row("chmod");
    assert_eq!(
        (row["state"].as_str(), row["pending_approvals"].as_u64()),
        (Some("waiting-approval"), Some(1))
    );
    let listed = p.grove(&["approvals"]).expect(0);
    assert!(
        listed.stdout.contains("chmod +x README.md") && listed.stdout.contains("grove approve"),
        "{}",
        listed.stdout
    );

    let id = request["id"].as_i64().unwrap().to_string();
    p.grove(&["approve", &id]).expect(0);
    let row = p.wait_final("chmod");
    assert_eq!(row["state"], "done", "{row}");
    assert!(row["summary"].as_str().unwrap().contains("code=Some(0)"), "{row}");
    // Answered once, and audited as the human's decision.
    let again = p.grove(&["approve", &id]).expect(2);
    assert!(again.stderr.contains("no longer pending"), "{}", again.stderr);
    let line =
        p.audit().into_iter().find(|l| l["target"].as_str().unwrap_or("").starts_with("chmod")).unwrap();
    assert_eq!(
        (line["decision"].as_str(), line["decided_by"].as_str()),
        (Some("allow"), Some("human:approve"))
    );
    assert_eq!(line["approval"].as_i64(), request["id"].as_i64());
    assert_eq!(line["session"], "chmod");
}

#[test]
fn a_denied_approval_reaches_the_skill_with_its_reason() {
    let p = Project::new();
    p.session("nope", &["run", "chmod", "+x", "README.md"]);
    let id = p.wait_pending("nope")["id"].as_i64().unwrap().to_string();
    p.grove(&["deny", &id, "--reason", "not on a Friday"]).expect(0);
    let row = p.wait_final("nope");
    assert_eq!(row["state"], "failed", "{row}");
    assert!(row["error"].as_str().unwrap().contains("not on a Friday"), "{row}");
    let missing = p.grove(&["deny", "9999"]).expect(2);
    assert!(missing.stderr.contains("no approval request #9999"), "{}", missing.stderr);
}

#[test]
fn an_approval_ends_with_its_session() {
    let p = Project::new();
    p.session("stopped", &["run", "chmod", "+x", "README.md"]);
    p.session("removed", &["run", "chmod", "+x", "README.md"]);
    let stopped = p.wait_pending("stopped")["id"].as_i64().unwrap().to_string();
    let removed = p.wait_pending("removed")["id"].as_i64().unwrap().to_string();
    p.grove(&["cancel", "stopped"]).expect(0);
    p.grove(&["rm", "--force", "removed"]).expect(0);
    assert!(p.pending().is_empty(), "{:?}", p.pending());
    let listed = p.grove(&["approvals"]).expect(0);
    assert!(listed.stdout.contains("no approvals pending"), "{}", listed.stdout);
    let all = p.grove(&["approvals", "--all", "--json"]).expect(0).json();
    let mut states: Vec<(&str, &str, &str)> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (a["session"].as_str().unwrap(), a["state"].as_str().unwrap(), a["reason"].as_str().unwrap())
        })
        .collect();
    states.sort();
    assert_eq!(
        states,
        // rm --force stops a running session first.
        [
            ("removed", "ended", "its session was cancelled"),
            ("stopped", "ended", "its session was cancelled")
        ]
    );
    let run = p.grove(&["approve", &stopped]).expect(2);
    assert!(
        run.stderr.contains(&format!(
            "request #{stopped} is no longer pending: ended unanswered: its session was cancelled"
        )),
        "{}",
        run.stderr
    );
    let run = p.grove(&["deny", &removed]).expect(2);
    assert!(run.stderr.contains("no longer pending: ended unanswered"), "{}", run.stderr);
}

#[test]
fn an_unanswered_approval_times_out_denied() {
    let p = Project::new();
    grove_tests::write(p.home.path(), "grove/policy.toml", "approval_timeout = 1\n");
    p.session("late", &["run", "chmod", "+x", "README.md"]);
    let row = p.wait_final("late");
    assert_eq!(row["state"], "failed", "{row}");
    assert!(row["error"].as_str().unwrap().contains("approval.timeout"), "{row}");
    let all = p.grove(&["approvals", "--all", "--json"]).expect(0).json();
    assert_eq!(all[0]["state"], "expired", "{all}");
    assert!(p.pending().is_empty());
}

#[test]
fn an_attached_terminal_is_asked() {
    let dir = grove_tests::repo_with(&[("README.md", "# t\n")]);
    let home = tempfile::tempdir().unwrap();
    let command = |answer_marker: &str| {
        format!(
            "{} run {} --allow process run chmod +x README.md; echo {answer_marker}=$?; sleep 30",
            env!("CARGO_BIN_EXE_grove"),
            probe()
        )
    };
    let tmux = Tmux::start(dir.path(), home.path(), &command("ONCE"));
    let screen = tmux.wait_for("[d]eny?");
    assert!(screen.contains("fs.permissions"), "{screen}");
    tmux.keys(&["o", "Enter"]);
    let screen = tmux.wait_for("ONCE=");
    assert!(screen.contains("code=Some(0)") && screen.contains("ONCE=0"), "{screen}");
    drop(tmux);

    let tmux = Tmux::start(dir.path(), home.path(), &command("DENIED"));
    tmux.wait_for("[d]eny?");
    tmux.keys(&["d", "Enter"]);
    let screen = tmux.wait_for("DENIED=");
    assert!(screen.contains("human.deny") && screen.contains("DENIED=1"), "{screen}");
}

#[test]
fn three_denials_in_a_row_fall_back_to_manual() {
    let dir = worktree();
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["run", probe(), "--allow", "process", "runs"];
        all.extend_from_slice(args);
        grove_with(cmd(dir.path(), home.path()), &all, None).expect(0)
    };
    // Alone, a routine command runs in auto mode.
    assert_eq!(run(&["touch a.txt"]).stdout.trim(), "ran code=Some(0)");
    // After three denials, the same command needs a human, and there is none.
    let out = run(&["sudo reboot", "shutdown now", "mkfs /dev/sda", "touch b.txt"]).stdout;
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[..3].iter().all(|l| l.starts_with("refused")), "{out}");
    assert!(lines[3].starts_with("refused") && lines[3].contains("manual"), "{out}");
    assert!(!dir.path().join("b.txt").exists());
    let audit = std::fs::read_to_string(dir.path().join(".git/grove/audit.jsonl")).unwrap();
    let last: Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
    assert_eq!((last["mode"].as_str(), last["decision"].as_str()), (Some("manual"), Some("deny")), "{last}");
}

#[test]
fn a_session_keeps_the_mode_it_was_started_in() {
    let p = Project::new();
    let mut args = vec!["new", "planner", "--mode", "plan", "--skill", probe(), "--allow", "workspace", "--"];
    args.extend_from_slice(&["write", "notes.txt", "x"]);
    p.grove(&args).expect(0);
    let row = p.wait_final("planner");
    assert_eq!(row["state"], "failed", "{row}");
    assert!(row["error"].as_str().unwrap().contains("mode.plan"), "{row}");
    let line = p.audit().into_iter().find(|l| l["session"] == "planner").unwrap();
    assert_eq!((line["mode"].as_str(), line["decision"].as_str()), (Some("plan"), Some("deny")), "{line}");
}

#[test]
fn a_broken_policy_file_stops_the_run_with_a_pointer_to_it() {
    let dir = worktree();
    let home = tempfile::tempdir().unwrap();
    grove_tests::write(
        dir.path(),
        ".grove/policy.toml",
        "max_mode = \"auto\"\n[[rules]]\nverdict = \"maybe\"\ncommand = \"ls\"\n",
    );
    let run =
        grove_with(cmd(dir.path(), home.path()), &["run", probe(), "read", "README.md"], None).expect(2);
    assert!(run.stderr.contains(".grove/policy.toml:3:") && run.stderr.contains("maybe"), "{}", run.stderr);
    assert!(run.stderr.contains("grove policy check"), "{}", run.stderr);
}

#[test]
fn a_hostile_target_cannot_redraw_the_approvals_listing() {
    let p = Project::new();
    // A command held for approval whose argument carries escape sequences:
    // a title change, a screen clear, a line that moves up to paint over.
    p.session("sly", &["run", "chmod", "+x", "README.md\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[1Aworkspace.read"]);
    let id = p.wait_pending("sly")["id"].as_i64().unwrap().to_string();
    let listed = p.grove(&["approvals"]).expect(0).stdout;
    assert!(listed.contains("README.md") && listed.contains(&format!("#{id}")), "{listed}");
    assert!(!listed.contains('\u{1b}') && !listed.contains('\u{7}'), "{listed:?}");
    let answered = p.grove(&["deny", &id, "--reason", "no"]).expect(0).stdout;
    assert!(!answered.contains('\u{1b}'), "{answered:?}");
}

/// A path's resolution is not remembered between actions: a symlink made
/// after one judgment of a path makes the next judgment of it see where
/// the link leads.
#[test]
fn a_symlink_made_between_two_judgments_is_judged_where_it_leads() {
    let dir = worktree();
    let home = tempfile::tempdir().unwrap();
    let mut c = cmd(dir.path(), home.path());
    c.arg("classify").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut ask = |line: &str| -> Value {
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
        let mut answer = String::new();
        stdout.read_line(&mut answer).unwrap();
        serde_json::from_str(&answer).unwrap()
    };
    let read = r#"{"capability":"workspace","verb":"read","path":"notes/id_rsa"}"#;
    let cat = r#"{"capability":"process","command":"cat notes/id_rsa"}"#;
    assert_eq!(ask(read)["decision"], "allow");
    assert_eq!(ask(cat)["decision"], "allow");
    std::os::unix::fs::symlink("/home/grove-test/.ssh", dir.path().join("notes")).unwrap();
    let second = ask(read);
    assert_eq!(
        (second["decision"].as_str(), second["level"].as_str()),
        (Some("deny"), Some("critical")),
        "{second}"
    );
    assert!(second["reasons"][0].as_str().unwrap().starts_with("fs.outside-workspace"), "{second}");
    let second = ask(cat);
    assert_eq!(second["decision"], "deny", "{second}");
    assert!(second["reasons"].to_string().contains("/home/grove-test/.ssh/id_rsa"), "{second}");
    drop(stdin);
    assert!(child.wait().unwrap().success());
}
