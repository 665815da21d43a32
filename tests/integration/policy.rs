//! `grove policy show` and `grove policy check` on real files in the three
//! layers' places: the enterprise file named by GROVE_ENTERPRISE_POLICY,
//! the user file under GROVE_HOME, the repository's `.grove/policy.toml`.

use std::path::{Path, PathBuf};

use serde_json::Value;
use tempfile::TempDir;

use crate::support::{Run, grove_cmd, grove_with, probe, wait_final};

/// A repository, a private home, and an enterprise policy path beside them.
struct Setup {
    repo: TempDir,
    home: TempDir,
}

impl Setup {
    fn new() -> Setup {
        Setup { repo: grove_tests::repo_with(&[("README.md", "hi\n")]), home: tempfile::tempdir().unwrap() }
    }

    fn enterprise(&self) -> PathBuf {
        self.home.path().join("etc-grove-policy.toml")
    }

    fn user(&self) -> PathBuf {
        self.home.path().join("grove").join("policy.toml")
    }

    fn project(&self) -> PathBuf {
        self.repo.path().canonicalize().unwrap().join(".grove").join("policy.toml")
    }

    fn write(&self, file: &Path, text: &str) {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }

    fn cmd(&self) -> std::process::Command {
        let mut cmd = grove_cmd(self.repo.path(), self.home.path());
        cmd.env("GROVE_ENTERPRISE_POLICY", self.enterprise());
        cmd
    }

    fn grove(&self, args: &[&str]) -> Run {
        grove_with(self.cmd(), args, None)
    }

    /// Run `grove new NAME ARGS` and wait for the session to end; its row.
    fn session(&self, name: &str, args: &[&str]) -> Value {
        let mut all = vec!["new", name];
        all.extend_from_slice(args);
        self.grove(&all).expect(0);
        wait_final(|| self.cmd(), name)
    }
}

fn origin(v: &Value) -> (String, String, u64) {
    (v["layer"].as_str().unwrap().into(), v["file"].as_str().unwrap().into(), v["line"].as_u64().unwrap())
}

fn s(p: PathBuf) -> String {
    p.to_str().unwrap().to_string()
}

#[test]
fn show_reports_where_each_value_comes_from() {
    let t = Setup::new();
    t.write(
        &t.enterprise(),
        "# company\nmax_mode = \"auto\"\nlocked = [\"hosts\"]\n[hosts]\ndeny = [\"*.ngrok.io\"]\n",
    );
    t.write(
        &t.user(),
        "default_mode = \"manual\"\napproval_timeout = 120\n\n[hosts]\nallow = [\"api.github.com\"]\n\n\
         [[rules]]\nverdict = \"allow\"\ncommand = \"cargo test\"\n",
    );
    t.write(
        &t.project(),
        "[[rules]]\nverdict = \"deny\"\ncapability = \"process\"\npattern = \"terraform\\\\s+apply\"\n\
         reason = \"infra goes through CI\"\n",
    );

    let json = t.grove(&["policy", "show", "--json"]).expect(0).json();
    let (enterprise, user, project) = (s(t.enterprise()), s(t.user()), s(t.project()));
    assert_eq!(json["max_mode"]["value"], "auto");
    assert_eq!(origin(&json["max_mode"]["origin"]), ("enterprise".into(), enterprise.clone(), 2));
    assert_eq!(json["default_mode"]["value"], "manual");
    assert_eq!(origin(&json["default_mode"]["origin"]), ("user".into(), user.clone(), 1));
    assert_eq!(json["approval_timeout"]["seconds"], 120);
    assert_eq!(json["locked"][0]["key"], "hosts");
    assert_eq!(origin(&json["hosts"]["deny"][0]["origin"]), ("enterprise".into(), enterprise.clone(), 5));
    assert_eq!(json["hosts"]["allow"], Value::Array(vec![]), "the user's hosts are locked out");

    let rules = json["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2, "{json:#}");
    assert_eq!(rules[0]["verdict"], "allow");
    assert_eq!(rules[0]["command"], "cargo test");
    assert_eq!(origin(&rules[0]["origin"]), ("user".into(), user.clone(), 7));
    assert_eq!(rules[1]["verdict"], "deny");
    assert_eq!(rules[1]["pattern"], "terraform\\s+apply");
    assert_eq!(rules[1]["reason"], "infra goes through CI");
    assert_eq!(origin(&rules[1]["origin"]), ("project".into(), project.clone(), 1));

    let warnings = json["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{json:#}");
    assert_eq!(warnings[0]["file"], user.as_str());
    assert_eq!(warnings[0]["line"], 4);
    assert!(warnings[0]["message"].as_str().unwrap().contains("locked"));

    let files: Vec<bool> = json["files"].as_array().unwrap().iter().map(|f| f["present"] == true).collect();
    assert_eq!(files, [true, true, true]);

    // The same, for a human.
    let text = t.grove(&["policy", "show"]).expect(0).stdout;
    assert!(text.contains(&format!("{enterprise}:2")), "{text}");
    assert!(text.contains(&format!("{project}:1")), "{text}");
    assert!(text.contains("infra goes through CI"), "{text}");
    assert!(text.contains(&format!("{user}:4: warning: `hosts` is locked")), "{text}");
}

#[test]
fn show_without_any_file_is_the_builtin_policy() {
    let t = Setup::new();
    let json = t.grove(&["policy", "show", "--json"]).expect(0).json();
    assert_eq!(json["max_mode"]["value"], "bypass");
    assert_eq!(json["max_mode"]["origin"], Value::Null);
    assert_eq!(json["default_mode"]["value"], "auto");
    assert_eq!(json["approval_timeout"]["seconds"], 600);
    assert_eq!(json["rules"], Value::Array(vec![]));
    let run = t.grove(&["policy", "check"]).expect(0);
    assert!(run.stdout.contains("no policy files"), "{}", run.stdout);
}

#[test]
fn check_prints_line_numbered_errors_and_exits_2() {
    let t = Setup::new();
    t.write(
        &t.project(),
        "# ours\n[[rules]]\nverdict = \"deny\"\npattern = \"(unclosed\"\n\n[[rules]]\nverdict = \"perhaps\"\n\
         skill = \"agent\"\n\n[[rules]]\nverdict = \"ask\"\nreason = \"no matcher\"\n",
    );
    let project = s(t.project());
    let run = t.grove(&["policy", "check"]).expect(2);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].starts_with(&format!("{project}:4:11: error: invalid regex `(unclosed`")),
        "{}",
        run.stdout
    );
    assert!(
        lines[1].starts_with(&format!("{project}:7:11: error: unknown verdict `perhaps`")),
        "{}",
        run.stdout
    );
    assert!(
        lines[2].starts_with(&format!("{project}:10:1: error: a rule needs at least one of")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("3 errors"), "{}", run.stdout);

    let json = t.grove(&["policy", "check", "--json"]).expect(2).json();
    let first = &json[0];
    assert_eq!(
        (first["file"].as_str(), first["line"].as_u64(), first["column"].as_u64()),
        (Some(project.as_str()), Some(4), Some(11))
    );
    assert_eq!(first["severity"], "error");

    // A syntax error; and the commands that need the policy refuse to run on it.
    t.write(&t.project(), "max_mode = \"auto\"\nrules = [\n");
    let run = t.grove(&["policy", "check"]).expect(2);
    assert!(run.stdout.starts_with(&format!("{project}:2:10: error: unclosed array")), "{}", run.stdout);
    let run = t.grove(&["policy", "show"]).expect(2);
    assert!(run.stderr.contains(&format!("error: {project}:2:10: unclosed array")), "{}", run.stderr);
    assert!(run.stderr.contains("hint: `grove policy check`"), "{}", run.stderr);

    // Files given by name, and one that is not there.
    let draft = t.home.path().join("draft.toml");
    t.write(&draft, "[hosts]\ndeny = [\"pastebin.com\"]\nallow = [\"example.com\"]\nbogus = 1\n");
    let run = t.grove(&["policy", "check", draft.to_str().unwrap(), "/no/such/policy.toml"]).expect(2);
    let draft = s(draft);
    assert!(run.stdout.contains(&format!("{draft}:4:1: error: unknown field `bogus`")), "{}", run.stdout);
    assert!(run.stdout.contains("/no/such/policy.toml: error: cannot read"), "{}", run.stdout);
}

#[test]
fn a_project_file_cannot_raise_the_mode() {
    let t = Setup::new();
    t.write(&t.user(), "max_mode = \"manual\"\n");
    t.write(
        &t.project(),
        "max_mode = \"bypass\"\ndefault_mode = \"bypass\"\n[hosts]\nallow = [\"evil.example.com\"]\n\
         [[rules]]\nverdict = \"allow\"\ncommand = \"curl\"\n",
    );
    let json = t.grove(&["policy", "show", "--json"]).expect(0).json();
    assert_eq!(json["max_mode"]["value"], "manual");
    assert_eq!(origin(&json["max_mode"]["origin"]).0, "user");
    assert_eq!(json["default_mode"]["value"], "manual");
    assert_eq!(json["rules"], Value::Array(vec![]));
    assert_eq!(json["hosts"]["allow"], Value::Array(vec![]));
    let warned: Vec<u64> =
        json["warnings"].as_array().unwrap().iter().map(|w| w["line"].as_u64().unwrap()).collect();
    assert_eq!(warned, [1, 2, 4, 5]);

    // Valid, so check passes, but says what it ignores.
    let project = s(t.project());
    let run = t.grove(&["policy", "check"]).expect(0);
    assert!(
        run.stdout.contains(&format!("{project}:1: warning: max_mode = \"bypass\" is above \"manual\"")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(&format!("{project}:5: warning: allow rule ignored")), "{}", run.stdout);
    // Checked on its own, it is still read as the repository's file, among the other layers.
    let run = t.grove(&["policy", "check", ".grove/policy.toml"]).expect(0);
    assert!(run.stdout.contains(".grove/policy.toml:1: warning: max_mode"), "{}", run.stdout);
}

/// A project policy that refuses `echo`.
const NO_ECHO: &str = "[[rules]]\nverdict = \"deny\"\ncommand = \"echo\"\nreason = \"no echo here\"\n";

fn probe_echo() -> Vec<&'static str> {
    vec!["--skill", probe(), "--allow", "process", "--", "run", "echo", "hi"]
}

#[test]
fn a_session_is_judged_by_the_uncommitted_policy_in_the_users_checkout() {
    let t = Setup::new();
    // Written, not committed: the session's worktree does not hold it.
    t.write(&t.project(), NO_ECHO);
    let text = t.grove(&["policy", "show"]).expect(0).stdout;
    let project = s(t.project());
    assert!(text.contains(&format!("project     {project}  (main checkout, uncommitted)")), "{text}");

    let row = t.session("held", &probe_echo());
    assert_eq!(row["state"], "failed", "{row}");
    assert!(row["error"].as_str().unwrap_or_default().contains("no echo here"), "{row}");
}

#[test]
fn a_session_cannot_change_its_own_policy() {
    let t = Setup::new();
    t.write(&t.project(), NO_ECHO);
    let repo = git2::Repository::open(t.repo.path()).unwrap();
    grove_tests::commit_all(&repo, "No echo");
    let row = t.session("sly", &probe_echo());
    assert_eq!(row["state"], "failed", "{row}");

    // What an agent could do in its worktree: put a policy of its own in
    // place of the repository's, and commit it.
    let worktree = PathBuf::from(row["path"].as_str().unwrap());
    grove_tests::write(
        &worktree,
        ".grove/policy.toml",
        "[[rules]]\nverdict = \"deny\"\ncommand = \"true\"\n",
    );
    grove_tests::commit_all(&git2::Repository::open(&worktree).unwrap(), "My own policy");
    t.grove(&["resume", "sly"]).expect(0);
    let row = wait_final(|| t.cmd(), "sly");
    assert_eq!(row["state"], "failed", "{row}");
    assert!(row["error"].as_str().unwrap_or_default().contains("no echo here"), "{row}");

    // The session's policy is the checkout's, rule for rule.
    let json = t.grove(&["policy", "show", "--session", "sly", "--json"]).expect(0).json();
    let rules = json["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 1, "{json:#}");
    assert_eq!(origin(&rules[0]["origin"]), ("project".into(), s(t.project()), 1));
    assert_eq!(json["session"]["name"], "sly");
    assert_eq!(json["session"]["worktree"], worktree.to_str().unwrap());
}

#[test]
fn show_session_prints_what_the_session_gets() {
    let t = Setup::new();
    t.write(&t.user(), "max_mode = \"auto\"\n");
    t.write(&t.project(), NO_ECHO);
    t.session("look", &["--skill", "hello", "--mode", "bypass", "--allow", "process"]);
    let json = t.grove(&["policy", "show", "--session", "look", "--json"]).expect(0).json();
    assert_eq!(json["session"]["mode"]["value"], "auto", "{json:#}");
    assert_eq!(json["session"]["mode"]["asked"], "bypass", "{json:#}");
    assert_eq!(origin(&json["session"]["mode"]["capped_by"]), ("user".into(), s(t.user()), 1));
    assert_eq!(json["session"]["allow"], serde_json::json!(["process"]));
    let layers: Vec<(&str, &str, bool)> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["layer"].as_str().unwrap(), f["file"].as_str().unwrap(), f["present"] == true))
        .collect();
    let (enterprise, user, project) = (s(t.enterprise()), s(t.user()), s(t.project()));
    assert_eq!(
        layers,
        [("enterprise", &*enterprise, false), ("user", &*user, true), ("project", &*project, true)]
    );

    let worktree = json["session"]["worktree"].as_str().unwrap().to_string();
    let text = t.grove(&["policy", "show", "--session", "look"]).expect(0).stdout;
    let repo = s(t.repo.path().canonicalize().unwrap());
    let home = s(t.home.path().canonicalize().unwrap());
    let filtered = text
        .replace(&worktree, "[WORKTREE]")
        .replace(&repo, "[REPO]")
        .replace(&home, "[HOME]")
        .replace(t.home.path().to_str().unwrap(), "[HOME]");
    insta::assert_snapshot!(filtered);

    let run = t.grove(&["policy", "show", "--session", "nobody"]).expect(2);
    assert!(run.stderr.contains("no session named `nobody`"), "{}", run.stderr);
}
