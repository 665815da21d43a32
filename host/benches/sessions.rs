//! Session benchmark: five parallel session starts, `grove ls` with 50
//! sessions (with and without transcripts), the memory of an idle
//! session's process, and the transcript's costs (see [`transcript`]).
//!
//! Run: `cargo bench -p grove --bench sessions`. Medians; the machine is
//! noisy.

mod sessions {
    pub mod transcript;
}

use grove_tests::bench::{Table, median, timed};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use sessions::transcript;

const LS_RUNS: usize = 21;
/// Events in the transcript of each of the 50 sessions `grove ls` lists
/// the second time.
const EVENTS_PER_SESSION: usize = 300;

fn main() {
    let scratch = tempfile::tempdir().unwrap();
    let repo = scratch.path().join("repo");
    let mut files = Vec::new();
    for i in 0..300 {
        files.push((
            format!("src/m{}/f{i}.rs", i % 17),
            format!("pub fn f{i}() -> usize {{ {i} }}\n").repeat(20),
        ));
    }
    std::fs::create_dir_all(&repo).unwrap();
    let git = git2::Repository::init(&repo).unwrap();
    for (path, text) in &files {
        grove_tests::write(&repo, path, text);
    }
    grove_tests::commit_all(&git, "init");
    let home = scratch.path().join("home");
    let git_dir = repo.join(".git");
    let cmd = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_grove"));
        cmd.current_dir(&repo)
            .env("GROVE_HOME", &home)
            .env("GROVE_CACHE_DIR", home.join("cache"))
            .env("GROVE_MAX_SESSIONS", "64")
            .stdin(Stdio::null());
        cmd
    };
    let grove = |args: &[&str]| -> Output { cmd().args(args).output().unwrap() };
    let ok = |out: Output| {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        out
    };
    // Warm the component cache: the runs measured here do no compilation.
    ok(grove(&["run", "hello"]));
    ok(grove(&["run", grove_tests::PROBE, "echo"]));

    // Five sessions started at once, each in its own `grove new`.
    let mut starts = Vec::new();
    for round in 0..5 {
        let started = Instant::now();
        std::thread::scope(|s| {
            for i in 0..5 {
                let name = format!("p{round}-{i}");
                let grove = &grove;
                s.spawn(move || ok(grove(&["new", &name, "--skill", "hello"])));
            }
        });
        starts.push(started.elapsed());
    }
    wait_idle(&repo, &grove);
    let five = median(starts);

    // Up to 50 sessions, then `grove ls`.
    for i in 0..25 {
        ok(grove(&["new", &format!("s{i}"), "--skill", "hello"]));
    }
    wait_idle(&repo, &grove);
    let count = serde_json::from_slice::<serde_json::Value>(&ok(grove(&["ls", "--json"])).stdout).unwrap();
    let sessions = count.as_array().unwrap().len();
    let ls = median((0..LS_RUNS).map(|_| timed(|| drop(ok(grove(&["ls"]))))).collect());
    let ls_json = median((0..LS_RUNS).map(|_| timed(|| drop(ok(grove(&["ls", "--json"]))))).collect());
    // The same sessions, each with a transcript.
    for row in count.as_array().unwrap() {
        transcript::fill(&git_dir, row["name"].as_str().unwrap(), EVENTS_PER_SESSION);
    }
    let ls_full = median((0..LS_RUNS).map(|_| timed(|| drop(ok(grove(&["ls"]))))).collect());
    let ls_full_json = median((0..LS_RUNS).map(|_| timed(|| drop(ok(grove(&["ls", "--json"]))))).collect());

    // Idle sessions: each process waits on a program that sleeps.
    const IDLE: usize = 5;
    for i in 0..IDLE {
        let name = format!("idle{i}");
        ok(grove(&[
            "new",
            &name,
            "--skill",
            grove_tests::PROBE,
            "--allow",
            "process",
            "--",
            "run",
            "sleep",
            "30",
        ]));
    }
    std::thread::sleep(Duration::from_secs(2));
    let rows: serde_json::Value = serde_json::from_slice(&ok(grove(&["ls", "--json"])).stdout).unwrap();
    let pids: Vec<u32> =
        rows.as_array().unwrap().iter().filter_map(|r| r["pid"].as_u64()).map(|p| p as u32).collect();
    let memory: Vec<(u64, u64, u64)> = pids.iter().filter_map(|pid| memory_kib(*pid)).collect();
    for i in 0..IDLE {
        ok(grove(&["cancel", &format!("idle{i}")]));
    }

    let mut table = Table::default();
    table.row("five `grove new` at once (300-file repo)", five, "", None);
    table.row(&format!("`grove ls` with {sessions} sessions"), ls, "≤ 50 ms", None);
    table.row(&format!("`grove ls --json` with {sessions} sessions"), ls_json, "≤ 50 ms", None);
    let without = "the same sessions without transcripts";
    table.row(
        &format!("`grove ls` with {sessions} sessions of {EVENTS_PER_SESSION} transcript events each"),
        ls_full,
        "≤ 50 ms",
        Some((without, ls)),
    );
    table.row(
        &format!("`grove ls --json`, the same {sessions} sessions with transcripts"),
        ls_full_json,
        "≤ 50 ms",
        Some((without, ls_json)),
    );
    let mib = |kib: u64| format!("{:.1} MiB", kib as f64 / 1024.0);
    let mean =
        |f: fn(&(u64, u64, u64)) -> u64| memory.iter().map(f).sum::<u64>() / memory.len().max(1) as u64;
    table.text_row(
        &format!("memory an idle session adds: its process's private dirty pages (mean of {})", memory.len()),
        &mib(mean(|m| m.2)),
        "≤ 5 MiB",
        "",
    );
    table.text_row(
        "proportional set size per idle session process (shared pages split)",
        &mib(mean(|m| m.1)),
        "",
        "",
    );
    table.text_row(
        "RSS of one idle session process (shared pages counted in full)",
        &mib(mean(|m| m.0)),
        "",
        "",
    );

    // A session with a long transcript, then `grove logs` of it.
    ok(grove(&["new", "long", "--skill", "hello"]));
    wait_idle(&repo, &grove);
    transcript::fill(&git_dir, "long", transcript::LONG_TRANSCRIPT);
    transcript::logs_cost(&mut table, &grove, "long", scratch.path());
    transcript::follow_latency(&mut table, &cmd, &git_dir);
    transcript::append_cost(&mut table);
    table.print();
}

fn wait_idle(repo: &Path, grove: &dyn Fn(&[&str]) -> Output) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let rows: serde_json::Value = serde_json::from_slice(&grove(&["ls", "--json"]).stdout).unwrap();
        if rows.as_array().unwrap().iter().all(|r| !matches!(r["state"].as_str(), Some("queued" | "running")))
        {
            return;
        }
        assert!(Instant::now() < deadline, "sessions in {} never finished", repo.display());
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// RSS, PSS and private dirty memory of a process, in KiB. Private dirty
/// pages are what one more session costs: the binary and the cached
/// component are mapped from the same files by every session process.
fn memory_kib(pid: u32) -> Option<(u64, u64, u64)> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    let field = |name: &str| -> Option<u64> {
        rollup.lines().find(|l| l.starts_with(name))?.split_whitespace().nth(1)?.parse().ok()
    };
    Some((field("Rss:")?, field("Pss:")?, field("Private_Dirty:")?))
}
