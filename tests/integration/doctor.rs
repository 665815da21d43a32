//! `grove doctor`: each check against a real machine, set up and not; a
//! token is named as set, never shown; what the machine says is escaped.

use serde_json::Value;

use crate::support::{Run, grove_cmd, grove_with};

fn check<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["checks"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("{json}"))
}

fn doctor(dir: &std::path::Path, home: &std::path::Path, env: &[(&str, &str)], json: bool) -> Run {
    let mut cmd = grove_cmd(dir, home);
    for var in ["GH_TOKEN", "GITHUB_TOKEN", "SLACK_BOT_TOKEN", "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    grove_with(cmd, if json { &["doctor", "--json"] } else { &["doctor"] }, None)
}

#[test]
fn a_set_up_machine_passes_and_no_token_is_shown() {
    let dir = grove_tests::repo_with(&[("README.md", "# doctor\n")]);
    let home = tempfile::tempdir().unwrap();
    let secrets = [
        ("ANTHROPIC_API_KEY", "sk-ant-doctor-Q7x1-secret"),
        ("GH_TOKEN", "ghp_doctorSecret91"),
        ("SLACK_BOT_TOKEN", "xoxb-doctor-secret-55"),
    ];
    let text = doctor(dir.path(), home.path(), &secrets, false);
    let json = doctor(dir.path(), home.path(), &secrets, true).expect(0).json();
    for (_, secret) in secrets {
        assert!(!text.stdout.contains(secret) && !text.stderr.contains(secret), "{}", text.stdout);
        assert!(!json.to_string().contains(secret), "{json}");
    }
    for name in ["repository", "git", "model", "github", "slack", "policy"] {
        assert_eq!(check(&json, name)["status"], "ok", "{name}: {json}");
    }
    assert!(check(&json, "model")["detail"].as_str().unwrap().contains("Anthropic"), "{json}");
    assert!(text.stdout.contains("✓ git         git version"), "{}", text.stdout);
}

#[test]
fn what_is_missing_says_how_to_fix_it_and_a_failure_exits_5() {
    let dir = grove_tests::repo_with(&[("README.md", "# doctor\n")]);
    let home = tempfile::tempdir().unwrap();
    // No git and no browser on PATH, no keys.
    let empty = tempfile::tempdir().unwrap();
    let path = empty.path().to_str().unwrap();
    let env = [("PATH", path), ("GROVE_CHROMIUM", "")];
    let json = doctor(dir.path(), home.path(), &env, true).expect(5).json();
    assert_eq!(json["ok"], false);
    assert_eq!(check(&json, "git")["status"], "fail", "{json}");
    assert!(check(&json, "git")["hint"].as_str().unwrap().contains("install git"), "{json}");
    assert_eq!(check(&json, "browser")["status"], "warn", "{json}");
    assert_eq!(check(&json, "model")["status"], "warn", "{json}");
    assert!(check(&json, "model")["hint"].as_str().unwrap().contains("ANTHROPIC_API_KEY"), "{json}");
    assert_eq!(check(&json, "github")["status"], "off", "{json}");
    assert_eq!(check(&json, "slack")["status"], "off", "{json}");

    // A misspelt key in the user's configuration fails, naming the file.
    std::fs::create_dir_all(home.path().join("grove")).unwrap();
    std::fs::write(home.path().join("grove/config.toml"), "[slack]\ntokn = \"xoxb-1\"\n").unwrap();
    let run = doctor(dir.path(), home.path(), &[], false).expect(5);
    let line = run.stdout.lines().find(|l| l.contains("slack")).unwrap();
    assert!(line.starts_with("✗ slack") && line.contains("config.toml"), "{}", run.stdout);
}

#[test]
fn a_hostile_folder_name_reaches_the_terminal_as_text() {
    let outer = tempfile::tempdir().unwrap();
    let hostile = outer.path().join("repo\x1b]0;pwned\x07\x1b[2J");
    std::fs::create_dir(&hostile).unwrap();
    let repo = git2::Repository::init(&hostile).unwrap();
    grove_tests::write(&hostile, "README.md", "# x\n");
    grove_tests::commit_all(&repo, "first");
    let home = tempfile::tempdir().unwrap();
    let run = doctor(&hostile, home.path(), &[], false);
    assert!(!run.stdout.contains('\x1b') && !run.stdout.contains('\x07'), "{:?}", run.stdout);
    assert!(run.stdout.contains("repo\\x1b]0;pwned\\x07"), "{}", run.stdout);
}
