//! Per-run limits a capability enforces (bytes written, calls made), which
//! the guest hears as `limit`, and crashes named for what they are.

use std::path::Path;

use crate::support::{grove, grove_cmd, grove_with, probe};

fn audit_lines(repo: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(repo.join(".git/grove/audit.jsonl")).unwrap();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn writes_past_the_write_limit_answer_limit() {
    let dir = grove_tests::repo_with(&[("README.md", "hi\n")]);
    // 64 KiB at a time against 1 MiB: the 17th write would pass it.
    let args = [
        "run",
        probe(),
        "--allow",
        "workspace:write",
        "--write-limit",
        "1",
        "write-n",
        "out.bin",
        "40",
        "65536",
    ];
    let run = grove(dir.path(), &args).expect(1);
    assert!(run.stdout.contains("write 16 refused: Error::Limit("), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("write limit") && run.stdout.contains("--write-limit MIB"), "{}", run.stdout);
    let last = audit_lines(dir.path()).pop().unwrap();
    assert_eq!((last["verb"].as_str(), last["decision"].as_str()), (Some("write"), Some("deny")));
    assert_eq!(last["decided_by"], "host");

    // Within the default limit the same writes go.
    grove(dir.path(), &args[..4].iter().chain(&args[6..]).copied().collect::<Vec<_>>()).expect(0);
}

#[test]
fn calls_past_the_call_limit_answer_limit() {
    let dir = grove_tests::repo_with(&[("README.md", "hi\n")]);
    let run = grove(dir.path(), &["run", probe(), "--call-limit", "10", "read-n", "README.md", "1000"]);
    assert_ne!(run.code, 0);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(said.contains("limit") && said.contains("call limit"), "{said}");
    assert!(said.contains("--call-limit"), "{said}");
    // Ten allowed, the eleventh refused and audited; nothing after it.
    let lines = audit_lines(dir.path());
    assert_eq!(lines.len(), 11, "{lines:?}");
    assert_eq!(lines[10]["decision"], "deny");
    assert!(lines[10]["reasons"][0].as_str().unwrap().contains("call limit"), "{}", lines[10]);
    grove(dir.path(), &["run", probe(), "read-n", "README.md", "1000"]).expect(0);
}

#[test]
fn a_guest_whose_stack_runs_out_is_told_so() {
    let dir = grove_tests::repo_with(&[("README.md", "hi\n")]);
    let run = grove(dir.path(), &["run", probe(), "recurse"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("call stack exhausted"), "{}", run.stderr);
    assert!(!run.stderr.contains("out of bounds"), "{}", run.stderr);
}

#[test]
fn html_reports_never_follow_a_planted_symlink() {
    let tmp = tempfile::tempdir().unwrap();
    let victim = tempfile::tempdir().unwrap();
    // Where reports used to go, planted by another user of the machine.
    std::os::unix::fs::symlink(victim.path(), tmp.path().join("grove-reports")).unwrap();
    let home = tempfile::tempdir().unwrap();
    let report = |dir: &Path| {
        let mut cmd = grove_cmd(dir, home.path());
        cmd.env("TMPDIR", tmp.path());
        let run = grove_with(cmd, &["run", probe(), "report-html", "<p>found</p>"], None).expect(0);
        let said = format!("{}{}", run.stdout, run.stderr);
        let at = said.split("Findings: ").nth(1).unwrap_or_else(|| panic!("{said}"));
        std::path::PathBuf::from(at.lines().next().unwrap().trim())
    };

    // In a repository: under its .git/grove/reports.
    let repo = grove_tests::repo_with(&[("README.md", "hi\n")]);
    let saved = report(repo.path());
    let reports = repo.path().canonicalize().unwrap().join(".git/grove/reports");
    assert!(saved.canonicalize().unwrap().starts_with(&reports), "{}", saved.display());
    assert_eq!(std::fs::read_to_string(&saved).unwrap(), "<p>found</p>");

    // Outside one: a fresh private folder in the temporary folder.
    let plain = tempfile::tempdir().unwrap();
    let saved = report(plain.path());
    let folder = saved.parent().unwrap();
    assert!(
        folder.starts_with(tmp.path()) && folder != tmp.path().join("grove-reports"),
        "{}",
        saved.display()
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(folder).unwrap().permissions().mode() & 0o777, 0o700);
    assert_eq!(std::fs::read_dir(victim.path()).unwrap().count(), 0, "the symlink was followed");
}
