//! `grove audit`: the decisions real skill runs wrote, read back.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use crate::support::{grove, grove_cmd, grove_with, probe};

/// A repository where the probe read a file (allowed) and tried to run a
/// program it was not granted (denied).
fn audited_repo() -> tempfile::TempDir {
    let dir = grove_tests::repo_with(&[("README.md", "hi\n")]);
    grove(dir.path(), &["run", probe(), "read", "README.md"]).expect(0);
    grove(dir.path(), &["run", probe(), "run", "true"]).expect(1);
    dir
}

fn records(dir: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["audit", "--json"];
    all.extend_from_slice(args);
    let run = grove(dir, &all).expect(0);
    run.json().as_array().unwrap_or_else(|| panic!("not an array: {}", run.stdout)).clone()
}

fn actions(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| format!("{}.{}", r["capability"].as_str().unwrap(), r["verb"].as_str().unwrap()))
        .collect()
}

#[test]
fn shows_the_decisions_real_runs_wrote() {
    let dir = audited_repo();
    let all = records(dir.path(), &[]);
    assert_eq!(actions(&all), ["workspace.read", "process.run"]);
    let (read, run) = (&all[0], &all[1]);
    assert_eq!(read["decision"], "allow");
    assert_eq!(read["target"], "README.md");
    assert!(read["level"].is_string(), "{read}");
    assert!(read["reasons"].is_array(), "{read}");
    assert_eq!(run["decision"], "deny");
    assert_eq!(run["skill"], "probe");
    assert_eq!(run["target"], "true");
    assert!(run["level"].is_string(), "{run}");
    assert!(run["reasons"][0].as_str().unwrap().contains("`process` was not granted"), "{run}");
    assert!(run.get("session").is_none(), "{run}");

    let run = grove(dir.path(), &["audit"]).expect(0);
    assert_eq!(run.stderr, "");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    for (line, words) in lines.iter().zip([
        ["-", "probe", "allow", "workspace.read", "README.md"].as_slice(),
        ["-", "probe", "deny", "process.run", "true", "permission:"].as_slice(),
    ]) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert!(fields[0].ends_with('Z') && fields[0].len() == 20, "{line}");
        for word in words {
            assert!(fields.contains(word), "{word} in {line}");
        }
    }
    // Columns line up: the action starts at the same place on each line.
    let at: Vec<usize> =
        lines.iter().map(|l| l.find("workspace.read").or_else(|| l.find("process.run")).unwrap()).collect();
    assert_eq!(at[0], at[1], "{}", run.stdout);
}

#[test]
fn filters_narrow_the_records() {
    let dir = audited_repo();
    let count = |args: &[&str]| records(dir.path(), args).len();
    assert_eq!(actions(&records(dir.path(), &["--decision", "deny"])), ["process.run"]);
    assert_eq!(actions(&records(dir.path(), &["--decision", "allow"])), ["workspace.read"]);
    assert_eq!(actions(&records(dir.path(), &["--capability", "workspace"])), ["workspace.read"]);
    assert_eq!(actions(&records(dir.path(), &["--capability", "process.run"])), ["process.run"]);
    assert_eq!(count(&["--capability", "process.read"]), 0);
    // A file run by path is named by its path, never by its manifest's name.
    let probe_file = format!("file:{}", std::fs::canonicalize(probe()).unwrap().display());
    assert_eq!(count(&["--skill", &probe_file]), 2);
    assert_eq!(count(&["--skill", "probe"]), 0);
    assert_eq!(count(&["--skill", "agent"]), 0);
    assert_eq!(count(&["--session", "fix"]), 0);
    assert_eq!(count(&["--since", "1h"]), 2);
    assert_eq!(count(&["--since", "2000-01-01T00:00:00Z"]), 2);
    assert_eq!(count(&["--since", "2999-01-01"]), 0);
    assert_eq!(count(&["--skill", &probe_file, "--decision", "deny", "--since", "1d"]), 1);
    // The newest N.
    assert_eq!(actions(&records(dir.path(), &["--limit", "1"])), ["process.run"]);
    assert_eq!(count(&["--limit", "5"]), 2);
    let run = grove(dir.path(), &["audit", "--limit", "1"]).expect(0);
    assert_eq!(run.stdout.lines().count(), 1);
    assert!(run.stdout.contains("process.run"), "{}", run.stdout);

    let run = grove(dir.path(), &["audit", "--skill", "agent"]).expect(0);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("no matching records in"), "{}", run.stderr);

    let run = grove(dir.path(), &["audit", "--since", "last tuesday"]).expect(2);
    assert!(run.stderr.contains("neither a time"), "{}", run.stderr);
    grove(dir.path(), &["audit", "--decision", "maybe"]).expect(2);
}

#[test]
fn a_torn_line_blocks_neither_writing_nor_reading() {
    let dir = audited_repo();
    let log = dir.path().join(".git/grove/audit.jsonl");
    // A crash mid-write.
    let mut file = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    file.write_all(br#"{"time":"2026-"#).unwrap();
    drop(file);
    let run = grove(dir.path(), &["audit", "--json"]).expect(0);
    assert_eq!(run.json().as_array().unwrap().len(), 2);
    assert!(run.stderr.contains("skipped 1 malformed line"), "{}", run.stderr);

    // The next run ends the torn line and writes its own after it.
    grove(dir.path(), &["run", probe(), "read", "README.md"]).expect(0);
    let mut file = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    file.write_all(b"garbage, not JSON\n\n").unwrap();
    drop(file);
    grove(dir.path(), &["run", probe(), "run", "true"]).expect(1);

    let run = grove(dir.path(), &["audit", "--json"]).expect(0);
    let all = run.json();
    assert_eq!(
        actions(all.as_array().unwrap()),
        ["workspace.read", "process.run", "workspace.read", "process.run"]
    );
    assert!(run.stderr.contains("skipped 2 malformed lines"), "{}", run.stderr);
    // stdout is JSON only; the note went to stderr.
    assert!(!run.stdout.contains("malformed"));
    let run = grove(dir.path(), &["audit"]).expect(0);
    assert_eq!(run.stdout.lines().count(), 4, "{}", run.stdout);
    assert!(run.stderr.contains("skipped 2 malformed lines"), "{}", run.stderr);
}

#[test]
fn no_log_is_no_records() {
    let dir = grove_tests::repo_with(&[("README.md", "hi\n")]);
    let run = grove(dir.path(), &["audit"]).expect(0);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("no audit log at"), "{}", run.stderr);
    assert!(run.stderr.contains(".git/grove/audit.jsonl"), "{}", run.stderr);
    let run = grove(dir.path(), &["audit", "--json"]).expect(0);
    assert_eq!(run.json(), serde_json::json!([]));

    // `hello` calls no capability: the log is opened but holds nothing.
    grove(dir.path(), &["run", "hello"]).expect(0);
    let run = grove(dir.path(), &["audit"]).expect(0);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("no records in"), "{}", run.stderr);
    assert!(run.stderr.contains(".git/grove/audit.jsonl"), "{}", run.stderr);
    let run = grove(dir.path(), &["audit", "--json"]).expect(0);
    assert_eq!(run.json(), serde_json::json!([]));
    assert_eq!(run.stderr, "");
}

#[test]
fn reads_older_lines_from_where_grove_audit_log_points() {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let log = dir.path().join("elsewhere.jsonl");
    // Lines from an earlier grove: no mode, level or reasons; one reason.
    std::fs::write(
        &log,
        concat!(
            r#"{"time":"2026-01-02T03:04:05.678Z","skill":"probe","session":"old","capability":"process","verb":"run","target":"cargo test","permission":"process","decision":"deny","reason":"`process` was not granted","decided_by":"grants"}"#,
            "\n",
            r#"{"time":"2026-01-02T03:04:06.000Z","skill":"probe","capability":"workspace","verb":"read","target":"a.txt","permission":"workspace:read","decision":"allow","decided_by":"grants"}"#,
            "\n",
        ),
    )
    .unwrap();
    let audit = |args: &[&str]| {
        let mut cmd = grove_cmd(dir.path(), home.path());
        cmd.env("GROVE_AUDIT_LOG", &log);
        grove_with(cmd, args, None)
    };
    let run = audit(&["audit"]).expect(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(lines[0].starts_with("2026-01-02T03:04:05Z  old  probe  deny "), "{}", lines[0]);
    assert!(lines[0].ends_with("cargo test  `process` was not granted"), "{}", lines[0]);
    assert!(
        lines[1].starts_with("2026-01-02T03:04:06Z  -    probe  allow  -  workspace.read"),
        "{}",
        lines[1]
    );

    let run = audit(&["audit", "--json", "--session", "old"]).expect(0);
    let json = run.json();
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["reason"], "`process` was not granted");
    assert!(json[0].get("level").is_none());

    // A run there appends to that same file.
    audit(&["run", probe(), "read", "a.txt"]);
    let run = audit(&["audit", "--json", "--since", "1h"]).expect(0);
    assert_eq!(actions(run.json().as_array().unwrap()), ["workspace.read"]);
}

#[test]
fn follow_prints_records_as_they_are_appended() {
    let dir = grove_tests::repo_with(&[("README.md", "hi\n")]);
    grove(dir.path(), &["run", probe(), "read", "README.md"]).expect(0);
    let home = tempfile::tempdir().unwrap();
    let mut child = grove_cmd(dir.path(), home.path())
        .args(["audit", "--follow", "--json", "--decision", "deny"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let next = || -> Value {
        let line = rx.recv_timeout(Duration::from_secs(20)).expect("a record within 20 s");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    };

    // A denial by a real run shows up; the allowed read before it does not.
    grove(dir.path(), &["run", probe(), "run", "true"]).expect(1);
    let record = next();
    assert_eq!((record["capability"].as_str(), record["decision"].as_str()), (Some("process"), Some("deny")));

    // A line still being written waits for its newline.
    let log = dir.path().join(".git/grove/audit.jsonl");
    let line = record.to_string().replace(r#""target":"true""#, r#""target":"by hand""#);
    let (head, tail) = line.split_at(line.len() / 2);
    let mut file = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    file.write_all(head.as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(600));
    assert!(rx.try_recv().is_err(), "half a line was printed");
    file.write_all(format!("{tail}\n").as_bytes()).unwrap();
    assert_eq!(next()["target"], "by hand");

    // And a torn line is skipped once the next writer ends it.
    file.write_all(br#"{"time":"2026-"#).unwrap();
    drop(file);
    grove(dir.path(), &["run", probe(), "run", "false"]).expect(1);
    assert_eq!(next()["target"], "false");

    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("skipped 1 malformed line"), "{stderr}");
}

/// The environment a skill passes to a program is part of the action: the
/// classifier judges it, and the audit line shows it before the program.
#[test]
fn the_environment_a_skill_passes_is_judged_and_shown() {
    let dir = grove_tests::repo_with(&[("README.md", "hi\n")]);
    let d = dir.path();
    grove(d, &["run", "--allow", "process", probe(), "run-env", "LD_PRELOAD=./hook.so", "true"]).expect(1);
    grove(d, &["run", "--allow", "process", probe(), "run-env", "RUST_LOG=debug", "true"]);
    let all = records(d, &["--capability", "process"]);
    let by_target = |target: &str| {
        all.iter()
            .find(|r| r["target"] == target)
            .unwrap_or_else(|| panic!("no `{target}` in {all:?}"))
            .clone()
    };
    let preload = by_target("LD_PRELOAD=./hook.so true");
    assert_ne!(preload["decision"], "allow", "{preload}");
    assert_eq!(preload["level"], "high", "{preload}");
    let reasons = preload["reasons"].to_string();
    assert!(reasons.contains("env.hijack") && reasons.contains("LD_PRELOAD"), "{preload}");
    let log = by_target("RUST_LOG=debug true");
    assert_eq!((log["decision"].as_str(), log["level"].as_str()), (Some("allow"), Some("safe")), "{log}");
}

#[test]
fn the_log_rotates_and_every_record_still_reads_in_order() {
    let dir = grove_tests::repo_with(&[("a.txt", "a\n"), ("b.txt", "b\n"), ("c.txt", "c\n")]);
    let home = tempfile::tempdir().unwrap();
    grove_tests::write(home.path(), "grove/config.toml", "[audit]\nmax_kib = 2\nkeep = 100\n");
    let run = |args: &[&str]| grove_with(grove_cmd(dir.path(), home.path()), args, None);
    for file in ["a.txt", "b.txt", "c.txt"] {
        run(&["run", probe(), "read-n", file, "20"]).expect(0);
    }
    // Runs at once, appending and rotating under one another.
    let children: Vec<_> = (0..3)
        .map(|_| {
            let mut cmd = grove_cmd(dir.path(), home.path());
            cmd.args(["run", probe(), "read-n", "a.txt", "20"]).stdout(Stdio::null()).stderr(Stdio::null());
            cmd.spawn().unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }

    let logs = dir.path().join(".git/grove");
    let mut files = 0;
    for entry in std::fs::read_dir(&logs).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("audit.jsonl") || name.ends_with(".lock") {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        let longest = text.lines().map(|l| l.len() + 1).max().unwrap_or(0);
        assert!(text.len() <= 2048 + longest, "{name} is {} bytes", text.len());
    }
    assert!(files > 3, "the log rotated ({files} files)");

    let read = records(dir.path(), &[]);
    assert_eq!(read.len(), 120, "no record lost");
    let targets: Vec<&str> = read.iter().map(|r| r["target"].as_str().unwrap()).collect();
    let expected: Vec<&str> =
        ["a.txt", "b.txt", "c.txt"].iter().flat_map(|f| std::iter::repeat_n(*f, 20)).collect();
    assert_eq!(targets[..60], expected[..], "oldest first");
    assert!(targets[60..].iter().all(|t| *t == "a.txt"));

    // Only `keep` rotated files stay.
    grove_tests::write(home.path(), "grove/config.toml", "[audit]\nmax_kib = 2\nkeep = 2\n");
    run(&["run", probe(), "read-n", "a.txt", "20"]).expect(0);
    assert!(logs.join("audit.jsonl.2").exists() && !logs.join("audit.jsonl.3").exists());
}
