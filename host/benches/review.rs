//! Review benchmark: a warm `grove run code-review --json` and `grove run
//! designer-check --json`, whole processes, over a generated repository
//! whose working changes are a diff of about 5,000 added lines in seven
//! languages with findings planted in it. Baselines in the same run:
//! `git diff` of the same tree (the git CLI only producing the diff) and
//! `grove run hello` (grove's own start-up).
//!
//! Run: `cargo bench -p grove --bench review`. The machine is noisy:
//! every figure is a median.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use grove_tests::bench::{Table, fmt_count, median, timed};

/// Files changed, and lines each gains.
const FILES: usize = 50;
const ADDED_PER_FILE: usize = 100;
/// Lines of each file before the change; every sixth is rewritten.
const BASE_LINES: usize = 60;
const RUNS: usize = 11;

fn main() {
    let repo = generate();
    let root = repo.path();
    let scratch = tempfile::tempdir().unwrap();
    let stats = diff_stats(root);

    // Warm up: the first runs compile the components into the shared cache.
    let review = run_grove(root, scratch.path(), &["run", "code-review", "--json"]);
    check_review(&review);
    run_grove(root, scratch.path(), &["run", "designer-check", "--json"]);
    run_grove(root, scratch.path(), &["run", "hello"]);
    run_git_diff(root);

    let git = sample(|| run_git_diff(root));
    let hello = sample(|| drop(run_grove(root, scratch.path(), &["run", "hello"])));
    let code_review = sample(|| drop(run_grove(root, scratch.path(), &["run", "code-review", "--json"])));
    let designer = sample(|| drop(run_grove(root, scratch.path(), &["run", "designer-check", "--json"])));

    let mut table = Table::default();
    table.row(
        &format!("warm `grove run code-review --json`, whole process (median of {RUNS})"),
        code_review,
        "≤ 200 ms",
        Some(("`git diff` of the same tree", git)),
    );
    table.row(
        &format!("warm `grove run designer-check --json`, whole process (median of {RUNS})"),
        designer,
        "",
        Some(("`git diff` of the same tree", git)),
    );
    table.row("warm `grove run hello`, whole process (grove's start-up)", hello, "", None);
    table.row("`git diff` of the same tree", git, "", None);
    table.note(&format!(
        "the diff: {} lines of `git diff` output, {} added and {} removed in {} files ({} findings planted)",
        fmt_count(stats.diff_lines as u64),
        fmt_count(stats.added as u64),
        fmt_count(stats.removed as u64),
        FILES,
        PLANTED.len()
    ));
    table.note(&format!(
        "code-review past grove's start-up: {:.1} ms; past start-up and `git diff`: {:.1} ms",
        ms(code_review.saturating_sub(hello)),
        ms(code_review.saturating_sub(hello).saturating_sub(git))
    ));
    table.print();
}

fn sample(mut f: impl FnMut()) -> Duration {
    median((0..RUNS).map(|_| timed(&mut f)).collect())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// One `grove` run with a private home and the cache shared by the
/// benchmark's runs; its JSON output, if it printed any.
fn run_grove(root: &Path, home: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_grove"))
        .args(args)
        .current_dir(root)
        .env("GROVE_HOME", home.join("grove"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("GROVE_CACHE_DIR", home.join("cache"))
        .env_remove("GROVE_LOG")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("running grove");
    // The verdict may fail (exit 1): the planted findings are errors.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "grove {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

fn run_git_diff(root: &Path) {
    let out = Command::new("git").arg("diff").current_dir(root).output().expect("running git");
    assert!(out.status.success() && !out.stdout.is_empty());
}

/// The benchmark measures a review that found what was planted.
fn check_review(review: &serde_json::Value) {
    let findings = review["findings"].as_array().expect("code-review printed its findings");
    for (path, rule, _) in PLANTED {
        assert!(
            findings.iter().any(|f| f["path"] == *path && f["rule"] == *rule),
            "{rule} in {path} was not found: {review:#}"
        );
    }
}

struct DiffStats {
    diff_lines: usize,
    added: usize,
    removed: usize,
}

fn diff_stats(root: &Path) -> DiffStats {
    let out = Command::new("git").arg("diff").current_dir(root).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let count = |prefix: char, header: &str| {
        text.lines().filter(|l| l.starts_with(prefix) && !l.starts_with(header)).count()
    };
    DiffStats { diff_lines: text.lines().count(), added: count('+', "+++ "), removed: count('-', "--- ") }
}

/// The `n`th line of code of a generated file.
type LineOf = fn(usize) -> String;
/// A line that plants a finding.
type Plant = fn() -> String;

/// Languages of the generated files: extension and a line of code.
const LANGS: &[(&str, LineOf)] = &[
    ("rs", |i| format!("    let value_{i} = compute(input, {i}).map(|v| v * 2);")),
    ("py", |i| format!("    value_{i} = compute(data, {i}) * 2")),
    ("ts", |i| format!("  const value{i} = compute(input, {i}) * 2;")),
    ("go", |i| format!("\tvalue{i} := compute(input, {i}) * 2")),
    ("java", |i| format!("        int value{i} = compute(input, {i}) * 2;")),
    ("tsx", |i| format!("      <li key={{{i}}} className=\"item-{i} px-2\">{{items[{i}]}}</li>")),
    ("css", |i| format!(".item-{i} {{ margin: {i}px; color: #{:06x}; }}", i * 977 % 0xffffff)),
];

/// Findings planted in the change: (path, rule, line added to the file).
const PLANTED: &[(&str, &str, Plant)] = &[
    ("src/file3.go", "secrets/aws-access-key-id", || {
        format!("\tkey := \"{}{}\"", "AKIA", "Z7Q2XK4M3N8P5R6T")
    }),
    ("src/file9.ts", "debug/console", || "  console.log(value1);".into()),
    ("src/file14.rs", "debug/dbg", || "    let seen = dbg!(value_1);".into()),
    ("src/file22.py", "secrets/literal-assignment", || "    password = \"hunter22-prod\"".into()),
    ("src/file28.rs", "rust/unsafe", || "    let first = unsafe { *ptr };".into()),
];

/// A repository with `FILES` committed files and working changes that
/// rewrite some lines of each and add `ADDED_PER_FILE` more.
fn generate() -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix("grove-review-bench-").tempdir().unwrap();
    let root = dir.path();
    let repo = git2::Repository::init(root).unwrap();
    let file = |i: usize| {
        let (ext, _) = LANGS[i % LANGS.len()];
        format!("src/file{i}.{ext}")
    };
    for i in 0..FILES {
        let (_, line) = LANGS[i % LANGS.len()];
        let text: String = (0..BASE_LINES).map(|n| line(i * 1000 + n) + "\n").collect();
        grove_tests::write(root, &file(i), &text);
    }
    grove_tests::write(
        root,
        ".grove/config.toml",
        "[design]\ndesigners = [\"Dana Designer <dana@example.com>\"]\ncomponents = [\"src/file5*\"]\n",
    );
    grove_tests::commit_all(&repo, "initial");

    for i in 0..FILES {
        let (_, line) = LANGS[i % LANGS.len()];
        let mut lines: Vec<String> = (0..BASE_LINES)
            .map(|n| if n % 6 == 0 { line(i * 1000 + n + 500) } else { line(i * 1000 + n) })
            .collect();
        lines.extend((0..ADDED_PER_FILE).map(|n| line(i * 1000 + BASE_LINES + n)));
        for (path, _, planted) in PLANTED {
            if *path == file(i) {
                lines.insert(BASE_LINES / 2, planted());
            }
        }
        grove_tests::write(root, &file(i), &(lines.join("\n") + "\n"));
    }
    dir
}
