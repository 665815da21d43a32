//! Sandbox benchmark: what starting a program inside the OS sandbox costs
//! against starting it plainly, in the same run: `true`, `cargo --version`,
//! and `cargo test` of a small crate (its source touched each round, so
//! every round compiles it again). `true` is also started in bubblewrap
//! (`bwrap`, when installed) with a comparable sandbox, the anchor to
//! beat, and through grove's own binary as the init, the way programs
//! were started before grove carried a static init.
//!
//! Run: `cargo bench -p grove --bench sandbox` (`GROVE_BENCH_ROUNDS=N` for
//! more rounds of the short programs). Rounds alternate the ways of
//! starting; every figure is a median. Each start follows a pause, as the
//! programs a skill runs are apart: the kernel makes a start that follows
//! another at once cheaper than the ones a skill sees.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use grove::sandbox::{Launcher, Requirement, Sandbox, Support};
use grove_tests::bench::{Table, fmt, median, timed};

const ROUNDS: usize = 41;
const BUILD_ROUNDS: usize = 15;
const PAUSE: Duration = Duration::from_millis(20);
/// The baseline every other way is compared with.
const PLAIN: &str = "unsandboxed";

/// Start `argv` in the folder `cwd` (the benchmark repository, or a
/// folder beneath it) and wait for it.
type Start<'a> = Box<dyn Fn(&Path, &[&str]) + 'a>;

/// One way of starting a program: its name, how, and whether the CPU time
/// of everything it starts comes back to the benchmark (through `wait`).
struct Way<'a> {
    name: &'a str,
    start: Start<'a>,
    cpu_counted: bool,
}

fn main() {
    let rounds =
        std::env::var("GROVE_BENCH_ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(ROUNDS).max(1);
    // The init grove carries, as `process.run` starts it.
    let launcher = Launcher::current().expect("the sandbox's init");
    if let Some(why) = Support::probe(&launcher.exe).missing() {
        println!("no sandbox on this machine: {why}");
        return;
    }
    let repo = grove_tests::repo_with(&[
        ("tiny/Cargo.toml", "[package]\nname = \"tiny\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
        ("tiny/src/main.rs", "fn main() {}\n#[test]\nfn works() { assert_eq!(1 + 1, 2); }\n"),
    ]);
    let root = repo.path();
    let search = std::env::var_os("PATH").unwrap_or_default();
    let sandboxed_by = |launcher: Launcher| {
        let sandbox = Sandbox::for_worktree(root, launcher, Requirement::Required);
        let search = search.clone();
        move |cwd: &Path, argv: &[&str]| {
            let dir = cap_std::fs::Dir::open_ambient_dir(cwd, cap_std::ambient_authority()).unwrap();
            let (program, args) = argv.split_first().unwrap();
            let mut prepared = sandbox.command(&dir, cwd, Path::new(program), args, &search, None).unwrap();
            run(&mut prepared.command, argv);
        }
    };
    let sandboxed = Way { name: "sandboxed", start: Box::new(sandboxed_by(launcher)), cpu_counted: true };
    let plain = Way {
        name: PLAIN,
        start: Box::new(|cwd: &Path, argv: &[&str]| {
            run(Command::new(argv[0]).args(&argv[1..]).current_dir(cwd), argv)
        }),
        cpu_counted: true,
    };
    let bwrap = which("bwrap").map(|bwrap| Way {
        name: "in bubblewrap",
        start: Box::new(move |cwd: &Path, argv: &[&str]| {
            let mut command = Command::new(&bwrap);
            command
                .args(["--unshare-user", "--unshare-pid", "--unshare-net", "--die-with-parent"])
                .args(["--ro-bind", "/", "/", "--tmpfs", "/tmp", "--proc", "/proc"])
                .arg("--bind")
                .args([root, root])
                .arg("--chdir")
                .arg(cwd)
                .args(argv);
            run(&mut command, argv)
        }),
        // Its pid 1 hands the exit code to the outer bwrap, which exits
        // before reaping it: the program's time and pid 1's are not counted.
        cpu_counted: false,
    });
    let grove_init = Way {
        name: "sandboxed, grove's own binary as the init",
        start: Box::new(sandboxed_by(Launcher { exe: env!("CARGO_BIN_EXE_grove").into() })),
        cpu_counted: true,
    };

    let mut table = Table::default();
    let mut compare = |what: &str,
                       dir: &str,
                       argv: &[&str],
                       rounds: usize,
                       target: &str,
                       ways: &[&Way],
                       before: &dyn Fn()| {
        let cwd = root.join(dir);
        let (mut walls, mut cpus) = (vec![Vec::new(); ways.len()], vec![Vec::new(); ways.len()]);
        // Round 0 warms up: page cache, the compiler's first build.
        for round in 0..=rounds {
            for (i, way) in ways.iter().enumerate() {
                before();
                std::thread::sleep(PAUSE);
                let cpu = children_cpu();
                let took = timed(|| (way.start)(&cwd, argv));
                if round > 0 {
                    walls[i].push(took);
                    cpus[i].push(children_cpu().saturating_sub(cpu));
                }
            }
        }
        let walls: Vec<Duration> = walls.into_iter().map(median).collect();
        let cpus: Vec<Duration> = cpus.into_iter().map(median).collect();
        let plain = ways
            .iter()
            .position(|way| way.name == PLAIN)
            .expect("every comparison starts it unsandboxed too");
        for (i, way) in ways.iter().enumerate().filter(|(i, _)| *i != plain) {
            let target = if way.name == "sandboxed" { target } else { "" };
            table.row(
                &format!("{what}, {}", way.name),
                walls[i],
                target,
                Some(("the same, unsandboxed", walls[plain])),
            );
            table.text_row(&format!("{what}, {}: added", way.name), &ms(walls[i], walls[plain]), "", "");
            if way.cpu_counted {
                table.text_row(
                    &format!("{what}, {}: CPU time added", way.name),
                    &ms(cpus[i], cpus[plain]),
                    "",
                    &format!("{} of CPU, unsandboxed {}", fmt(cpus[i]), fmt(cpus[plain])),
                );
            }
        }
    };
    let mut short: Vec<&Way> = vec![&sandboxed, &plain];
    short.extend(&bwrap);
    short.push(&grove_init);
    compare("`true`", ".", &["true"], rounds, "≤ 5 ms added", &short, &|| {});
    compare(
        "`cargo --version`",
        ".",
        &["cargo", "--version"],
        rounds,
        "≤ 5 ms added",
        &[&sandboxed, &plain],
        &|| {},
    );
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
        &[&sandboxed, &plain],
        &touch,
    );
    if bwrap.is_none() {
        table.note("bubblewrap is not installed (`apt-get install bubblewrap`): its row is skipped");
    }
    table.note(&format!(
        "{rounds} rounds of the short programs, {BUILD_ROUNDS} of `cargo test`, interleaved, each start after a {} ms pause; {} threads available; load average {}",
        PAUSE.as_millis(),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg").map_or("unknown".into(), |l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
    ));
    table.print();
}

/// `a - b` in milliseconds.
fn ms(a: Duration, b: Duration) -> String {
    format!("{:.2} ms", (a.as_secs_f64() - b.as_secs_f64()) * 1000.0)
}

/// The CPU time (user and system) of the children this process has waited
/// for, and of theirs.
fn children_cpu() -> Duration {
    // SAFETY: getrusage fills the zeroed struct.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

fn run(command: &mut Command, argv: &[&str]) {
    let status = command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).status().unwrap();
    assert!(status.success(), "{argv:?} failed: {status}");
}

/// `program` on `PATH`.
fn which(program: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    grove::sandbox::resolve(Path::new(program), &path)
}
