//! simplify benchmark: clone detection on a generated tree of ~300 files
//! and ~100,000 lines in eight languages with planted clones (exact
//! copies, and copies with every name and number changed), against jscpd
//! 4, jscpd 5.3, and jscpd 5.3 told to ignore names and literals, in the
//! same run, with the same thresholds (5 lines, 50 tokens). Wall time of
//! the whole process, median of interleaved rounds, and recall of the
//! planted clones for each tool.
//!
//! Run: `cargo bench -p grove --bench simplify`. jscpd comes from npm and
//! is cached under the target folder; without npm only grove is measured.

mod simplify {
    pub mod code;
    pub mod recall;
    pub mod tools;
    pub mod tree;
}

use std::path::Path;
use std::time::Duration;

use grove_tests::bench::{fmt, fmt_count, median, timed};
use simplify::recall::{self, Group};
use simplify::tools::{self, Tool};
use simplify::tree::{self, Shape, Tree};

const SHAPE: Shape = Shape { files_per_language: 37, lines_per_file: 320, exact_pairs: 5, renamed_pairs: 5 };
const SEED: u64 = 0x5eed_c10e;
/// Timed rounds; each runs every tool once, in turn.
const ROUNDS: usize = 11;
/// Rounds for a tool whose run takes longer than `SLOW`: its median is
/// steady enough, and the benchmark should end within minutes.
const SLOW_ROUNDS: usize = 3;
const SLOW: Duration = Duration::from_secs(5);

fn main() {
    let tree = tree::generate(SHAPE, SEED);
    let files: Vec<(&str, &str)> = tree.files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let repo = grove_tests::repo_with(&files);
    let scratch = tempfile::tempdir().unwrap();
    let mut notes = Vec::new();

    let mut tools = vec![Tool::grove(Path::new(env!("CARGO_BIN_EXE_grove")), scratch.path())];
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("jscpd");
    for (spec, extra) in
        [("4", &[][..]), ("5.3", &[]), ("5.3", &["--ignore-identifiers", "--ignore-literals"])]
    {
        match tools::install_jscpd(spec, &cache) {
            Ok(install) => {
                let out = scratch.path().join(format!("jscpd-{}", tools.len()));
                tools.push(Tool::jscpd(&install, &out, extra));
            }
            Err(e) => notes.push(format!("jscpd@{spec} not measured: {e}")),
        }
    }

    // One untimed run each: warms caches (grove compiles its component
    // once) and gives the clones each tool reports.
    let mut found: Vec<Vec<Group>> = Vec::new();
    let mut rounds = Vec::new();
    for t in &tools {
        let took = timed(|| found.push(t.clones(repo.path())));
        rounds.push(if took > SLOW { SLOW_ROUNDS } else { ROUNDS });
    }
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); tools.len()];
    for round in 0..ROUNDS {
        for ((t, s), &n) in tools.iter().zip(&mut samples).zip(&rounds) {
            if round < n {
                s.push(timed(|| t.run(repo.path())));
            }
        }
    }
    let runs = Runs { medians: samples.into_iter().map(median).collect(), rounds, found };
    print(&tree, &tools, &runs, &notes);
}

/// What the timed rounds measured, per tool.
struct Runs {
    medians: Vec<Duration>,
    rounds: Vec<usize>,
    found: Vec<Vec<Group>>,
}

fn print(tree: &Tree, tools: &[Tool], runs: &Runs, notes: &[String]) {
    println!(
        "{} files, {} lines in 8 languages; planted: {} exact and {} renamed clone pairs\n",
        tree.files.len(),
        fmt_count(tree.lines as u64),
        pairs(tree, false),
        pairs(tree, true),
    );
    println!(
        "| tool | median wall time (runs) | its time / grove's | exact clones found | renamed clones found | other clones reported |"
    );
    println!("|---|---|---|---|---|---|");
    let grove = runs.medians[0].as_secs_f64();
    for (i, t) in tools.iter().enumerate() {
        let (m, f) = (runs.medians[i], &runs.found[i]);
        let (exact, exact_total) = recall::recall(&tree.planted, false, f);
        let (renamed, renamed_total) = recall::recall(&tree.planted, true, f);
        println!(
            "| {} | {} ({}) | {:.1}× | {exact}/{exact_total} ({:.0}%) | {renamed}/{renamed_total} ({:.0}%) | {} |",
            t.name,
            wall(m),
            runs.rounds[i],
            m.as_secs_f64() / grove,
            percent(exact, exact_total),
            percent(renamed, renamed_total),
            recall::unplanted(&tree.planted, f),
        );
    }
    println!();
    println!(
        "- grove reads {} lines/s, whole process included",
        fmt_count((tree.lines as f64 / grove) as u64)
    );
    for (t, m) in tools.iter().zip(&runs.medians).skip(1) {
        let target = if t.name.starts_with("jscpd 4") { "target ≥ 10×" } else { "target > 1×" };
        println!("- grove is {:.1}× faster than {} ({target})", m.as_secs_f64() / grove, t.name);
    }
    for note in notes {
        println!("- {note}");
    }
}

/// `fmt`, but seconds past ten: jscpd 4 takes tens of them.
fn wall(d: Duration) -> String {
    if d >= Duration::from_secs(10) { format!("{:.1} s", d.as_secs_f64()) } else { fmt(d) }
}

fn pairs(tree: &Tree, renamed: bool) -> usize {
    tree.planted.iter().filter(|p| p.renamed == renamed).map(|p| p.copies.len() - 1).sum()
}

fn percent(n: usize, of: usize) -> f64 {
    if of == 0 { 0.0 } else { n as f64 * 100.0 / of as f64 }
}
