//! Worktree benchmark: `Worktrees::create` against `git worktree add -b`
//! on a generated repository of 20,000 files, on disk and on a tmpfs.
//!
//! Run: `cargo bench -p grove --bench worktree` (`GROVE_BENCH_ROUNDS=N` for
//! more rounds, `GROVE_BENCH_FILES=N` for another size, `GROVE_BENCH_ONLY=disk`
//! or `=tmpfs` for one place). Rounds alternate
//! grove and git with fresh names, and every worktree is removed (untimed)
//! before the next round, so both pay the same for a disk that is busy
//! with earlier deletions. Every figure is a median.

use grove_tests::bench::{Table, median};
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use grove::worktree::Worktrees;
use grove_tests::big_repo::{generate, git, pack_size};

const FILES: usize = 20_000;
const ROUNDS: usize = 11;
/// Where the tmpfs run lives; skipped if absent.
const TMPFS: &str = "/dev/shm";

fn main() {
    let files = env_usize("GROVE_BENCH_FILES", FILES);
    let rounds = env_usize("GROVE_BENCH_ROUNDS", ROUNDS).max(1);
    let mut table = Table::default();
    let disk = tempfile::Builder::new().prefix("grove-bench-").tempdir().unwrap();
    let only = std::env::var("GROVE_BENCH_ONLY").unwrap_or_default();
    let mut places = vec![("disk", disk.path().to_path_buf())];
    let shm = Path::new(TMPFS)
        .is_dir()
        .then(|| tempfile::Builder::new().prefix("grove-bench-").tempdir_in(TMPFS).ok())
        .flatten();
    match &shm {
        Some(dir) => places.push(("tmpfs", dir.path().to_path_buf())),
        None => table.note(&format!("{TMPFS} is not available: tmpfs run skipped")),
    }
    places.retain(|(label, _)| only.is_empty() || only == *label);
    for (label, dir) in places {
        let repo = dir.join("repo");
        let stats = generate(&repo, files);
        if label == "disk" {
            table.note(&format!(
                "repository: {} files in {} folders, {:.1} MiB of content ({} executables, {} symlinks), packed to {:.1} MiB",
                stats.files,
                stats.dirs,
                stats.bytes as f64 / (1 << 20) as f64,
                stats.executables,
                stats.symlinks,
                pack_size(&repo) as f64 / (1 << 20) as f64,
            ));
        }
        compare(label, &repo, rounds, &mut table);
    }
    table.note(&format!(
        "{rounds} rounds each, interleaved (grove, git, grove, git, …); {} threads available; {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        git(&["--version"], Path::new(".")).trim()
    ));
    table.print();
}

/// Interleaved rounds of grove and git on `repo`; adds rows to `table`.
fn compare(label: &str, repo: &Path, rounds: usize, table: &mut Table) {
    let worktrees = Worktrees::open(repo).unwrap();
    let base = worktrees.base().to_path_buf();
    // Warm up both (page cache of the pack, git's binaries), and check once
    // that grove's worktree is what git would have made.
    let wt = worktrees.create("warmup", None).unwrap();
    assert_eq!(git(&["status", "--porcelain"], &wt.path), "", "grove's worktree is not clean");
    worktrees.remove("warmup", false).unwrap();
    git_add(repo, &base.join("git-warmup"), "git-warmup");
    git_remove(repo, &base.join("git-warmup"), "git-warmup");

    let (mut grove_times, mut git_times) = (Vec::new(), Vec::new());
    let (mut grove_status, mut git_status) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let name = format!("g{round}");
        let started = Instant::now();
        let wt = worktrees.create(&name, None).unwrap();
        grove_times.push(started.elapsed());
        grove_status.push(status_time(&wt.path));
        worktrees.remove(&name, false).unwrap();

        let name = format!("git-{round}");
        let path = base.join(&name);
        git_times.push(git_add(repo, &path, &name));
        git_status.push(status_time(&path));
        git_remove(repo, &path, &name);
    }
    let (grove, git) = (median(grove_times), median(git_times));
    table.row(&format!("create worktree ({label})"), grove, "≤ git", Some(("`git worktree add -b`", git)));
    table.row(
        &format!("first `git status` in it ({label})"),
        median(grove_status),
        "",
        Some(("in git's worktree", median(git_status))),
    );
    if label == "tmpfs" {
        let with = with_include(&worktrees, repo, rounds);
        table.row(
            &format!("create with a `.groveinclude` of `.env` ({label})"),
            with,
            "",
            Some(("grove without one", grove)),
        );
    }
}

/// Create with a `.groveinclude` whose pattern may match at any depth, so
/// create walks the whole main worktree: the price of the walk.
fn with_include(worktrees: &Worktrees, repo: &Path, rounds: usize) -> Duration {
    fs::write(repo.join(".groveinclude"), ".env\n").unwrap();
    fs::write(repo.join(".git/info/exclude"), ".env\n.groveinclude\n").unwrap();
    let mut envs = vec![repo.join(".env")];
    for entry in fs::read_dir(repo).unwrap().flatten() {
        if entry.file_type().unwrap().is_dir() && entry.file_name() != ".git" {
            envs.push(entry.path().join(".env"));
        }
    }
    for env in &envs {
        fs::write(env, "KEY=1\n").unwrap();
    }
    let times = (0..rounds)
        .map(|round| {
            let name = format!("inc{round}");
            let started = Instant::now();
            let wt = worktrees.create(&name, None).unwrap();
            let elapsed = started.elapsed();
            assert!(wt.path.join(".env").is_file(), ".env was not copied");
            worktrees.remove(&name, false).unwrap();
            elapsed
        })
        .collect();
    for env in &envs {
        fs::remove_file(env).unwrap();
    }
    fs::remove_file(repo.join(".groveinclude")).unwrap();
    median(times)
}

/// `git worktree add -b <branch> <path> HEAD`, timed.
fn git_add(repo: &Path, path: &Path, branch: &str) -> Duration {
    let started = Instant::now();
    let status = Command::new("git")
        .args(["worktree", "add", "-q", "-b", branch])
        .arg(path)
        .arg("HEAD")
        .current_dir(repo)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    let elapsed = started.elapsed();
    assert!(status.success(), "git worktree add failed");
    elapsed
}

fn git_remove(repo: &Path, path: &Path, branch: &str) {
    git(&["worktree", "remove", "--force", &path.to_string_lossy()], repo);
    git(&["branch", "-q", "-D", branch], repo);
}

fn status_time(worktree: &Path) -> Duration {
    let started = Instant::now();
    let out = git(&["status", "--porcelain"], worktree);
    let elapsed = started.elapsed();
    assert_eq!(out, "", "worktree {} is not clean", worktree.display());
    elapsed
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}
