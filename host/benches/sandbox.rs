//! Sandbox benchmark: what starting a program inside the OS sandbox costs
//! against starting it plainly, in the same run: `true`, `cargo --version`,
//! and `cargo test` of a small crate (its source touched each round, so
//! every round compiles it again).
//!
//! Run: `cargo bench -p grove --bench sandbox` (`GROVE_BENCH_ROUNDS=N` for
//! more rounds of the short programs). Rounds alternate sandboxed and
//! plain; every figure is a median.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use grove::sandbox::{Launcher, Requirement, Sandbox, Support};
use grove_tests::bench::{Table, median, timed};

const ROUNDS: usize = 41;
const BUILD_ROUNDS: usize = 7;

fn main() {
    let rounds =
        std::env::var("GROVE_BENCH_ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(ROUNDS).max(1);
    let exe = Path::new(env!("CARGO_BIN_EXE_grove"));
    if let Some(why) = Support::probe(exe).missing() {
        println!("no sandbox on this machine: {why}");
        return;
    }
    let repo = grove_tests::repo_with(&[
        ("tiny/Cargo.toml", "[package]\nname = \"tiny\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
        ("tiny/src/main.rs", "fn main() {}\n#[test]\nfn works() { assert_eq!(1 + 1, 2); }\n"),
    ]);
    let root = repo.path();
    let sandbox = Sandbox::for_worktree(root, Launcher { exe: exe.to_path_buf() }, Requirement::Required);
    let search = std::env::var_os("PATH").unwrap_or_default();
    let mut table = Table::default();

    let mut compare = |what: &str,
                       dir: &str,
                       argv: &[&str],
                       rounds: usize,
                       target: &str,
                       before: &dyn Fn()| {
        let cwd = root.join(dir);
        let cwd_dir = cap_std::fs::Dir::open_ambient_dir(&cwd, cap_std::ambient_authority()).unwrap();
        let (program, args) = argv.split_first().unwrap();
        let (mut inside, mut outside) = (Vec::new(), Vec::new());
        // Round 0 warms up: page cache, the compiler's first build.
        for round in 0..=rounds {
            before();
            let t = timed(|| {
                let mut prepared =
                    sandbox.command(&cwd_dir, &cwd, Path::new(program), args, &search, None).unwrap();
                run(&mut prepared.command, what);
            });
            before();
            let u = timed(|| run(Command::new(program).args(args).current_dir(&cwd), what));
            if round > 0 {
                inside.push(t);
                outside.push(u);
            }
        }
        let (inside, outside) = (median(inside), median(outside));
        table.row(&format!("{what}, sandboxed"), inside, target, Some(("the same, unsandboxed", outside)));
        let added = inside.saturating_sub(outside);
        table.text_row(&format!("{what}: added"), &format!("{:.2} ms", ms(added)), "", "");
    };
    compare("`true`", ".", &["true"], rounds, "≤ 5 ms added", &|| {});
    compare("`cargo --version`", ".", &["cargo", "--version"], rounds, "≤ 5 ms added", &|| {});
    let touch = || {
        let main = root.join("tiny/src/main.rs");
        let text = std::fs::read_to_string(&main).unwrap();
        std::fs::write(&main, text).unwrap();
    };
    compare(
        "`cargo test --offline -q` of a one-test crate",
        "tiny",
        &["cargo", "test", "--offline", "-q"],
        BUILD_ROUNDS,
        "≤ 1.05×",
        &touch,
    );
    table.note(&format!(
        "{rounds} rounds of the short programs, {BUILD_ROUNDS} of `cargo test`, interleaved; {} threads available",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    ));
    table.print();
}

fn run(command: &mut Command, what: &str) {
    let status = command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).status().unwrap();
    assert!(status.success(), "{what} failed: {status}");
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
