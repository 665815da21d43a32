//! Gate benchmark: how fast the gate decides on a capability call. The
//! labeled risk corpus (tests/data/risk) is judged in process (classify +
//! decide, as `Gate::check` does) for throughput and per-decision latency;
//! a whole `Gate::check` of a workspace read is set against the read it
//! guards; and `grove classify` is run end to end on the corpus.
//!
//! Run: `cargo bench -p grove --bench gate`. One thread; the machine is
//! noisy, so every figure is a median (or a quantile of many samples).

use grove_tests::bench::{Table, fmt, fmt_count, fmt_rate, median, quantile, timed};
use std::future::Future;
use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use grove::gate::approval::Approver;
use grove::gate::classify::{Subject, shell};
use grove::gate::decide::{Decision, decide};
use grove::gate::mode::Mode;
use grove::gate::policy::{Matches, Policy};
use grove::gate::{Action, AuditLog, Gate, Grants, Judge, Permission, PermissionSet};

/// Timed passes over the corpus (or one part of it), after a warm-up pass.
const ROUNDS: usize = 51;
/// Single decisions timed one by one, for the latency quantiles.
const LATENCY_SAMPLES: usize = 100_000;
/// `Gate::check` is timed in batches: one check is too short to time alone.
const BATCHES: usize = 21;
const BATCH: u32 = 10_000;
/// Lines fed to one `grove classify` run, and how many runs.
const CLI_LINES: usize = 100_000;
const CLI_RUNS: usize = 5;

/// The worktree: a real repository, so path resolution stats real files.
const FILES: &[(&str, &str)] = &[
    ("src/lib.rs", "pub fn answer() -> u32 {\n    42\n}\n"),
    ("src/main.rs", "fn main() {\n    println!(\"{}\", 42);\n}\n"),
    ("README.md", "# bench\n\nA small repository for the gate benchmark.\n"),
    (".env", "API_KEY=not-a-real-key\n"),
];

fn main() {
    let worktree = grove_tests::repo_with(FILES);
    let root = worktree.path();
    let cases = corpus();
    let judge = judge_for(root);
    // The gate skips policy matching when there are no rules; so does this.
    assert!(judge.policy.rules().is_empty(), "the built-in policy has rules now: match them here too");
    let mut table = Table::default();

    let mixed = throughput(&mut table, &judge, root, &cases);
    latency(&mut table, &judge, &cases);
    gate_overhead(&mut table, root);
    let verdicts: Vec<&str> = cases.iter().map(|c| decide_one(&judge, c).verdict.as_str()).collect();
    end_to_end(&mut table, root, &cases, &verdicts, mixed / cases.len() as u32);
    table.print();
}

/// One corpus line, parsed once up front so no timing includes JSON.
struct Case {
    line: String,
    capability: String,
    verb: String,
    subject: Owned,
}

/// A [`Subject`] that owns its text.
enum Owned {
    Shell(String),
    Path(String),
    Url { method: String, url: String },
}

impl Case {
    fn parse(line: &str) -> Case {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON corpus line");
        let field = |k: &str| v[k].as_str().map(String::from);
        let capability = field("capability").expect("every line names its capability");
        let (verb, subject) = match capability.as_str() {
            "process" => ("run".into(), Owned::Shell(field("command").expect("a command"))),
            "workspace" => (field("verb").expect("a verb"), Owned::Path(field("path").expect("a path"))),
            "http" => (
                "send".into(),
                Owned::Url {
                    method: field("method").unwrap_or_else(|| "GET".into()),
                    url: field("url").expect("a url"),
                },
            ),
            other => panic!("the corpus has a `{other}` line; teach the benchmark about it"),
        };
        Case { line: line.to_string(), capability, verb, subject }
    }

    fn subject(&self) -> Subject<'_> {
        match &self.subject {
            Owned::Shell(line) => Subject::Shell(line),
            Owned::Path(path) => Subject::Path(path),
            Owned::Url { method, url } => Subject::Url { method, url },
        }
    }

    /// The action's one-line target, as the audit log shows it.
    fn target(&self) -> &str {
        match &self.subject {
            Owned::Shell(s) | Owned::Path(s) | Owned::Url { url: s, .. } => s,
        }
    }
}

fn corpus() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/risk");
    let mut cases = Vec::new();
    for name in ["dev", "variants", "hostile"] {
        let text = std::fs::read_to_string(dir.join(format!("{name}.jsonl"))).unwrap();
        cases.extend(text.lines().filter(|l| !l.trim().is_empty()).map(Case::parse));
    }
    cases
}

/// What a gate judges with: the classifier for `root` (with the policy's
/// host lists), the built-in policy, auto mode.
fn judge_for(root: &Path) -> Judge {
    Judge::new(root, Policy::builtin(), Some(Mode::Auto))
}

/// What `Gate::check` does before a human or the audit log is involved.
fn decide_one(judge: &Judge, case: &Case) -> Decision {
    let a = judge.classifier.classify(&case.capability, &case.verb, case.subject());
    decide(&a, judge.mode, &Matches::default())
}

fn pass(judge: &Judge, cases: &[&Case]) {
    for case in cases {
        black_box(decide_one(judge, case));
    }
}

/// The median time of one pass of `each` over `cases`, after a warm-up pass.
fn median_pass(cases: &[&Case], mut each: impl FnMut(&Case)) -> Duration {
    let mut once = || cases.iter().for_each(|c| each(c));
    once();
    median((0..ROUNDS).map(|_| timed(&mut once)).collect())
}

/// `612,000/s (1634 ns each)`.
fn rate(count: usize, took: Duration) -> String {
    format!("{} ({} each)", fmt_rate(count, took), fmt(took / count as u32))
}

/// Decisions per second on the whole corpus, on each kind of subject, and
/// the pieces of a decision; returns the median time of one pass over the
/// whole corpus.
fn throughput(table: &mut Table, judge: &Judge, root: &Path, cases: &[Case]) -> Duration {
    let of =
        |capability: &str| -> Vec<&Case> { cases.iter().filter(|c| c.capability == capability).collect() };
    let all: Vec<&Case> = cases.iter().collect();
    let mixed = median_pass(&all, |c| drop(black_box(decide_one(judge, c))));
    let what = format!("decisions/s, mixed corpus ({} actions, median of {ROUNDS} passes)", all.len());
    table.text_row(&what, &rate(all.len(), mixed), "≥ 500,000/s", "");
    for (capability, kind) in
        [("process", "process command lines"), ("workspace", "workspace paths"), ("http", "http URLs")]
    {
        let part = of(capability);
        let t = median_pass(&part, |c| drop(black_box(decide_one(judge, c))));
        table.text_row(&format!("decisions/s, {kind} only ({})", part.len()), &rate(part.len(), t), "", "");
    }

    // Where a decision's time goes: the classifier alone (without
    // `decide`, which formats the reasons), and the shell parser alone.
    let classify = median_pass(&all, |c| {
        drop(black_box(judge.classifier.classify(&c.capability, &c.verb, c.subject())))
    });
    table.text_row("mixed corpus, classify only (no decide)", &rate(all.len(), classify), "", "");
    let process = of("process");
    let parse = median_pass(&process, |c| drop(black_box(shell::parse(c.target()))));
    table.text_row("process command lines, `shell::parse` only", &rate(process.len(), parse), "", "");

    // The classifier remembers where each worktree path resolves to; a
    // fresh one (a new invocation) stats every path component again.
    let paths = of("workspace");
    let cold: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let fresh = judge_for(root); // outside the timing: it canonicalizes the root
            timed(|| pass(&fresh, &paths))
        })
        .collect();
    let what =
        format!("decisions/s, workspace paths, first sight (a new classifier per pass, {})", paths.len());
    table.text_row(&what, &rate(paths.len(), median(cold)), "", "");
    mixed
}

/// Each decision timed alone, over as many passes as it takes.
fn latency(table: &mut Table, judge: &Judge, cases: &[Case]) {
    let rounds = LATENCY_SAMPLES.div_ceil(cases.len());
    let mut per_case: Vec<Vec<Duration>> = cases.iter().map(|_| Vec::with_capacity(rounds)).collect();
    pass(judge, &cases.iter().collect::<Vec<_>>());
    for _ in 0..rounds {
        for (case, samples) in cases.iter().zip(&mut per_case) {
            let started = Instant::now();
            black_box(decide_one(judge, case));
            samples.push(started.elapsed());
        }
    }
    let mut all: Vec<Duration> = per_case.iter().flatten().copied().collect();
    all.sort();
    let n = all.len();
    for (label, q, target) in [("p50", 0.5, ""), ("p99", 0.99, "≤ 20 µs"), ("p99.9", 0.999, "")] {
        let what = format!("latency per decision, {label} of {}", fmt_count(n as u64));
        table.row(&what, quantile(&all, q), target, None);
    }
    table.row("latency per decision, max", all[n - 1], "", None);

    let timer = median((0..10_000).map(|_| Instant::now().elapsed()).collect());
    table.note(&format!("latency samples include the timer: an empty `Instant` pair takes {}", fmt(timer)));
    let mut slowest: Vec<(Duration, &Case)> =
        per_case.into_iter().zip(cases).map(|(samples, case)| (median(samples), case)).collect();
    slowest.sort_by_key(|(t, _)| std::cmp::Reverse(*t));
    let named: Vec<String> =
        slowest.iter().take(3).map(|(t, c)| format!("{} {:?}", fmt(*t), c.target())).collect();
    table.note(&format!("slowest actions (median of {rounds}): {}", named.join(", ")));
}

/// `Gate::check` of a workspace read, audited and not, against
/// `std::fs::read` of the same file, in interleaved batches so noise hits
/// all alike. The audit log's floor, one `write` of a line as long as an
/// audit line to a file beside it, shows what the log costs beyond the
/// system call it cannot avoid.
fn gate_overhead(table: &mut Table, root: &Path) {
    let file = root.join("src/lib.rs");
    // Where a run's audit log lives in production: inside the git dir.
    let log = root.join(".git/grove/audit.jsonl");
    let mut audited = gate(root, Some(AuditLog::open(&log).unwrap()));
    let mut unaudited = gate(root, None);
    check_read(&mut audited);
    let line = std::fs::read_to_string(&log).unwrap();
    let mut floor = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(root.join(".git/grove/floor.jsonl"))
        .unwrap();
    let mut ops: [Box<dyn FnMut()>; 4] = [
        Box::new(|| drop(black_box(std::fs::read(&file).unwrap()))),
        Box::new(|| check_read(&mut audited)),
        Box::new(|| check_read(&mut unaudited)),
        Box::new(|| floor.write_all(line.as_bytes()).unwrap()),
    ];
    let mut samples: [Vec<Duration>; 4] = Default::default();
    for round in 0..=BATCHES {
        for (op, samples) in ops.iter_mut().zip(&mut samples) {
            let t = timed(|| (0..BATCH).for_each(|_| op()));
            // Round 0 warms up: page cache, the classifier's path cache.
            if round > 0 {
                samples.push(t / BATCH);
            }
        }
    }
    let [read, on, off, write] = samples.map(median);
    let baseline = Some(("`std::fs::read` of the same file", read));
    let what = |log: &str| format!("`Gate::check` of a workspace read of src/lib.rs, audit log {log}");
    table.row(&what("on"), on, "≤ 2 µs", baseline);
    table.row(&what("off"), off, "≤ 2 µs", baseline);
    table.row(&format!("one `write` of a {}-byte line (the audit log's floor)", line.len()), write, "", None);
    table.note(&format!(
        "`Gate::check`: medians of {BATCHES} batches of {} checks; the audit log is in the worktree's .git/grove",
        fmt_count(BATCH.into())
    ));
}

fn gate(root: &Path, audit: Option<AuditLog>) -> Gate {
    let all = PermissionSet::all();
    let grants = Grants { requested: all, granted: all };
    Gate::new("bench", None, grants, audit, judge_for(root), Approver::Nobody)
}

fn check_read(gate: &mut Gate) {
    let action = Action {
        capability: "workspace",
        verb: "read",
        target: "src/lib.rs",
        permission: Permission::WorkspaceRead,
        subject: Subject::Path("src/lib.rs"),
    };
    ready(gate.check(action)).expect("a workspace read is allowed");
}

/// The output of a future that finishes on its first poll. An allowed
/// action never waits (only asking a human does), so no runtime is needed.
fn ready<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("Gate::check waited: the action was not simply allowed"),
    }
}

/// The release `grove classify` on the corpus repeated to `CLI_LINES`
/// lines; every output line must be the decision made in process.
fn end_to_end(table: &mut Table, root: &Path, cases: &[Case], verdicts: &[&str], in_process: Duration) {
    let repeats = CLI_LINES.div_ceil(cases.len());
    let mut input = String::new();
    for _ in 0..repeats {
        for case in cases {
            input.push_str(&case.line);
            input.push('\n');
        }
    }
    let lines = repeats * cases.len();
    classify(root, &input, verdicts);
    let t = median((0..CLI_RUNS).map(|_| classify(root, &input, verdicts)).collect());
    let what = format!(
        "`grove classify`, {} lines on stdin, whole process (median of {CLI_RUNS})",
        fmt_count(lines as u64)
    );
    let per_line = t / lines as u32;
    let baseline = format!(
        "in-process classify+decide: {}; ratio {:.2}×",
        fmt(in_process),
        per_line.as_secs_f64() / in_process.as_secs_f64()
    );
    table.text_row(&what, &rate(lines, t), "", &baseline);
}

/// One `grove classify` run: its wall time, after checking every line out.
fn classify(root: &Path, input: &str, verdicts: &[&str]) -> Duration {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_grove"))
        .arg("classify")
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn grove classify");
    let mut stdin = child.stdin.take().unwrap();
    // Feed stdin from another thread: grove answers as it reads, and a
    // full stdout pipe would otherwise stall both sides.
    let out = std::thread::scope(|s| {
        s.spawn(move || stdin.write_all(input.as_bytes()).unwrap());
        child.wait_with_output().unwrap()
    });
    let took = started.elapsed();
    assert!(out.status.success(), "grove classify failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut count = 0;
    for (i, line) in text.lines().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let decision =
            v["decision"].as_str().unwrap_or_else(|| panic!("line {} is no decision: {line}", i + 1));
        assert_eq!(
            decision,
            verdicts[i % verdicts.len()],
            "line {} differs from the in-process decision",
            i + 1
        );
        count += 1;
    }
    assert_eq!(count, input.lines().count(), "one decision per line in");
    took
}
