//! `/prototype` fan-out benchmark: everything a five-variant run costs but
//! the model's own time, on a generated repository of 20,000 files. The
//! strategies come from a file (no planning call); each variant's agent
//! gets one instant answer from a scripted model server on loopback. The
//! baseline, in the same run: five `git worktree add` of the same
//! repository at once, the floor of making five checkouts.
//!
//! Run: `cargo bench -p grove --bench prototype` (`GROVE_BENCH_ROUNDS=N`,
//! `GROVE_BENCH_FILES=N`). Rounds alternate grove and git; every worktree
//! and session is removed (untimed) before the next. Every figure is a median.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use grove_tests::bench::{Table, median};
use grove_tests::big_repo::{generate, git};
use grove_tests::model_server::{ModelServer, PROVIDER_VARS, Reply};

const FILES: usize = 20_000;
const ROUNDS: usize = 5;
const VARIANTS: usize = 5;

fn main() {
    let files = env_usize("GROVE_BENCH_FILES", FILES);
    let rounds = env_usize("GROVE_BENCH_ROUNDS", ROUNDS).max(1);
    let place = tempfile::Builder::new().prefix("grove-bench-").tempdir().unwrap();
    let repo = place.path().join("repo");
    let home = place.path().join("home");
    let stats = generate(&repo, files);
    let titles: Vec<String> = (1..=VARIANTS).map(|n| format!("Strategy-{n}")).collect();
    let strategies: String = titles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            format!("[[strategy]]\ntitle = \"{t}\"\napproach = \"approach number {i} of its own kind\"\n\n")
        })
        .collect();
    // Inside the workspace: a skill reads nothing outside it.
    let plan = Path::new("strategies.toml");
    std::fs::write(repo.join(plan), strategies).unwrap();

    let server = ModelServer::start(Vec::new());
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    // One untimed round first: the agent component is compiled into the cache.
    for round in 0..=rounds {
        for title in &titles {
            server.route(format!("{title}: "), vec![Reply::anthropic().text("Nothing to change.").into()]);
        }
        let took = prototype(&repo, &home, plan, &server);
        clean_sessions(&repo, &home, &server);
        let plain = five_worktrees(&repo, place.path(), round);
        if round > 0 {
            ours.push(took);
            theirs.push(plain);
        }
    }
    let mut table = Table::default();
    let (ours, theirs) = (median(ours), median(theirs));
    table.row(
        &format!("`grove run prototype` with {VARIANTS} variants, all but model time, median of {rounds}"),
        ours,
        "",
        Some((&format!("{VARIANTS} `git worktree add` at once"), theirs)),
    );
    // What the run adds to making the five checkouts: planning from the
    // file, five processes and agents, waiting, reviews, the page.
    let overhead = match ours.checked_sub(theirs) {
        Some(more) => grove_tests::bench::fmt(more),
        None => format!(
            "none: the whole run takes {:.2}× the checkouts alone",
            ours.as_secs_f64() / theirs.as_secs_f64()
        ),
    };
    table.text_row(
        "its overhead beyond the five checkouts (the run less the baseline)",
        &overhead,
        "≤ 500 ms",
        "",
    );
    table.note(&format!(
        "repository: {} files in {} folders, {:.1} MiB; {} threads available",
        stats.files,
        stats.dirs,
        stats.bytes as f64 / (1 << 20) as f64,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    ));
    table.note("the run plans from a file, starts five sessions (worktree, process, agent), waits for all, reviews each diff and writes the comparison page");
    table.print();
}

fn grove(repo: &Path, home: &Path, server: &ModelServer) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_grove"));
    cmd.current_dir(repo)
        .env("GROVE_HOME", home.join("grove"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("GROVE_CACHE_DIR", home.join("cache"))
        .env("GROVE_WORKTREE_DIR", home.join("worktrees"))
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for var in PROVIDER_VARS {
        cmd.env_remove(var);
    }
    cmd.env("ANTHROPIC_BASE_URL", server.url()).env("ANTHROPIC_API_KEY", "sk-ant-bench");
    cmd
}

fn prototype(repo: &Path, home: &Path, plan: &Path, server: &ModelServer) -> Duration {
    let started = Instant::now();
    let out = grove(repo, home, server)
        .args(["run", "prototype", "--strategies"])
        .arg(plan)
        .arg("Add a counter button")
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(out.status.success(), "grove run prototype failed: {}", String::from_utf8_lossy(&out.stderr));
    took
}

fn clean_sessions(repo: &Path, home: &Path, server: &ModelServer) {
    let out = grove(repo, home, server).args(["ls", "--json"]).stdout(Stdio::piped()).output().unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = rows.as_array().unwrap().iter().filter_map(|r| r["name"].as_str()).collect();
    if !names.is_empty() {
        let status = grove(repo, home, server).args(["rm", "--force"]).args(&names).status().unwrap();
        assert!(status.success());
    }
}

/// Five `git worktree add -b` at once; removed again, untimed.
fn five_worktrees(repo: &Path, place: &Path, round: usize) -> Duration {
    let started = Instant::now();
    let children: Vec<_> = (0..VARIANTS)
        .map(|n| {
            let path = place.join(format!("git-{round}-{n}"));
            Command::new("git")
                .args(["worktree", "add", "-q", "-b", &format!("git-{round}-{n}")])
                .arg(&path)
                .current_dir(repo)
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let took = started.elapsed();
    for n in 0..VARIANTS {
        let path = place.join(format!("git-{round}-{n}"));
        git(&["worktree", "remove", "--force", path.to_str().unwrap()], repo);
        git(&["branch", "-D", &format!("git-{round}-{n}")], repo);
    }
    took
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}
