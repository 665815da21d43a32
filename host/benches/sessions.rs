//! Session benchmark: five parallel session starts, `grove ls` with 50
//! sessions, and the memory of an idle session's process.
//!
//! Run: `cargo bench -p grove --bench sessions`. Medians; the machine is
//! noisy.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const LS_RUNS: usize = 21;

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
    let grove = |args: &[&str]| -> Output {
        Command::new(env!("CARGO_BIN_EXE_grove"))
            .args(args)
            .current_dir(&repo)
            .env("GROVE_HOME", &home)
            .env("GROVE_CACHE_DIR", home.join("cache"))
            .env("GROVE_MAX_SESSIONS", "64")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let ok = |out: Output| {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        out
    };
    ok(grove(&["run", "hello"])); // warm the component cache

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

    // An idle session: its process waits on a program that sleeps.
    ok(grove(&[
        "new",
        "idle",
        "--skill",
        grove_tests::PROBE,
        "--allow",
        "process",
        "--",
        "run",
        "sleep",
        "30",
    ]));
    std::thread::sleep(Duration::from_secs(2));
    let rows: serde_json::Value = serde_json::from_slice(&ok(grove(&["ls", "--json"])).stdout).unwrap();
    let pid = rows.as_array().unwrap().iter().find(|r| r["name"] == "idle").and_then(|r| r["pid"].as_u64());
    let memory = pid.and_then(|pid| memory_kib(pid as u32));
    ok(grove(&["cancel", "idle"]));

    println!("| measurement | median | target |");
    println!("|---|---|---|");
    println!("| five `grove new` at once (300-file repo) | {} | |", fmt(five));
    println!("| `grove ls` with {sessions} sessions | {} | ≤ 50 ms |", fmt(ls));
    println!("| `grove ls --json` with {sessions} sessions | {} | ≤ 50 ms |", fmt(ls_json));
    let mib = |kib: u64| format!("{:.1} MiB", kib as f64 / 1024.0);
    match memory {
        Some((rss, private)) => {
            println!(
                "| memory an idle session adds (private pages of its process) | {} | ≤ 5 MiB |",
                mib(private)
            );
            println!("| RSS of an idle session's process (shared pages included) | {} | |", mib(rss));
        }
        None => println!("| memory an idle session adds | ? | ≤ 5 MiB |"),
    }
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

/// RSS and private memory (what the process alone holds: its marginal
/// cost, since the binary and the cached component are shared) in KiB.
fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    let field = |name: &str| -> Option<u64> {
        rollup.lines().find(|l| l.starts_with(name))?.split_whitespace().nth(1)?.parse().ok()
    };
    Some((field("Rss:")?, field("Private_Clean:")? + field("Private_Dirty:")?))
}

fn timed(f: impl FnOnce()) -> Duration {
    let started = Instant::now();
    f();
    started.elapsed()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn fmt(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}
