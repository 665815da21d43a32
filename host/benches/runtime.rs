//! Runtime benchmark: compile, cache, instantiate, host calls, and a whole
//! warm `grove run hello` process, each against a baseline measured in the
//! same run where one exists.
//!
//! Run: `cargo bench -p grove --bench runtime` (set `WASMTIME=/path/to/wasmtime`
//! to include wasmtime's own CLI as the process baseline). The machine is
//! noisy: every figure is a median.

use grove_tests::bench::{Table, median, timed};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use grove::caps::console::Verbosity;
use grove::caps::{self, Caps, Console};
use grove::gate::{Grants, PermissionSet};
use grove::runtime::output::OutputBudget;
use grove::runtime::{ComponentCache, Invocation, Limits, Runtime, RuntimeConfig};

const INSTANTIATIONS: usize = 2_000;
const NOOP_CALLS: u64 = 200_000;
const MIB_CALLS: u64 = 200;
const PROCESS_RUNS: usize = 100;

fn main() {
    let tokio = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let hello = builtin_hello();
    let probe = std::fs::read(grove_tests::PROBE).unwrap();
    let mut table = Table::default();

    // Cold compile: Cranelift on every load, no cache.
    let rt = Runtime::new(&config(None, false), caps::link).unwrap();
    for (name, wasm) in [("hello", &hello), ("probe", &probe)] {
        let t = sample(5, || timed(|| drop(ComponentCache::new(None).load(rt.engine(), wasm).unwrap())));
        table.row(&format!("cold compile, {name} ({} KiB)", wasm.len() >> 10), t, "", None);
    }

    // Cache load: deserialize the precompiled artifact.
    let cache = ComponentCache::new(Some(scratch.path().join("cache")));
    cache.load(rt.engine(), &hello).unwrap();
    let t = sample(50, || timed(|| drop(cache.load(rt.engine(), &hello).unwrap())));
    table.row("cache load, hello", t, "", None);

    // Instantiation per invocation: a fresh store and instance, pooling
    // allocator (the long-lived host) and on-demand (the one-shot CLI).
    let root = scratch.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    let limits = Limits::default();
    for (label, pooling) in [("pooling", true), ("on-demand", false)] {
        let rt = Runtime::new(&config(None, pooling), caps::link).unwrap();
        let skill = rt.prepare(&probe).unwrap();
        let caps_proto = || caps(&root, &limits);
        let t = tokio.block_on(async {
            let mut samples = Vec::with_capacity(INSTANTIATIONS);
            for _ in 0..INSTANTIATIONS {
                let caps = caps_proto();
                let started = Instant::now();
                let mut store = rt.store(caps, &limits);
                let instance = skill.instantiate(&mut store).await.unwrap();
                samples.push(started.elapsed());
                drop((instance, store));
            }
            median(samples)
        });
        table.row(&format!("instantiate per invocation ({label})"), t, "≤ 20 µs", None);
    }

    // Host calls, measured inside one instance: the whole `run` call with N
    // iterations minus the same call with none, divided by N.
    let rt = Runtime::new(&config(None, true), caps::link).unwrap();
    let skill = rt.prepare(&probe).unwrap();
    let file = root.join("mib.bin");
    std::fs::write(&file, vec![7u8; 1 << 20]).unwrap();
    let per_call = |args: &[&str], n: u64| -> Duration {
        tokio.block_on(async {
            let unbounded = Limits { output: usize::MAX, ..limits.clone() };
            let mut store = rt.store(caps(&root, &unbounded), &unbounded);
            let instance = skill.instantiate(&mut store).await.unwrap();
            let with = |count: u64| Invocation {
                args: args.iter().map(|a| a.replace("{n}", &count.to_string())).collect(),
                json: false,
                cwd: String::new(),
                session: None,
                task: None,
            };
            let (empty, full) = (with(0), with(n));
            let mut samples = Vec::new();
            for _ in 0..7 {
                let started = Instant::now();
                instance.call_run(&mut store, &empty).await.unwrap().unwrap();
                let base = started.elapsed();
                let started = Instant::now();
                instance.call_run(&mut store, &full).await.unwrap().unwrap();
                samples.push(started.elapsed().saturating_sub(base) / n as u32);
            }
            median(samples)
        })
    };
    let noop = per_call(&["noop", "{n}"], NOOP_CALLS);
    table.row("host call, no-op import", noop, "≤ 1 µs", None);
    let read = per_call(&["read-n", "mib.bin", "{n}"], MIB_CALLS);
    let native = sample(MIB_CALLS as usize, || timed(|| drop(std::fs::read(&file).unwrap())));
    table.row(
        "host call, 1 MiB list<u8> (workspace.read)",
        read,
        "",
        Some(("std::fs::read of the same file", native)),
    );
    let log = per_call(&["log-n", "{n}", "1048576"], MIB_CALLS);
    table.row("host call, 1 MiB string into the host (log)", log, "", None);

    // Whole process: a warm `grove run hello`.
    let grove = PathBuf::from(env!("CARGO_BIN_EXE_grove"));
    let cache_dir = scratch.path().join("process-cache");
    let grove_run = || {
        let mut cmd = Command::new(&grove);
        cmd.args(["run", "hello"]).current_dir(&root).env("GROVE_CACHE_DIR", &cache_dir);
        cmd
    };
    spawn_measured(grove_run());
    let (wall, rss) = process_median(grove_run);
    let (true_wall, true_rss) = process_median(|| Command::new("true"));
    table.row("warm `grove run hello`, wall", wall, "≤ 10 ms", Some(("`true` (process floor)", true_wall)));
    table.note(&format!(
        "warm `grove run hello`, peak RSS: {} (target ≤ 30 MiB; `true`: {})",
        mib(rss),
        mib(true_rss)
    ));
    if let Some(wasmtime) = wasmtime_cli() {
        let cwasm = scratch.path().join("clihello.cwasm");
        let ok = Command::new(&wasmtime)
            .args(["compile", grove_tests::CLIHELLO, "-o"])
            .arg(&cwasm)
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            let (w, r) = process_median(|| {
                let mut cmd = Command::new(&wasmtime);
                cmd.args(["run", "--allow-precompiled"]).arg(&cwasm);
                cmd
            });
            table.row("`wasmtime run` precompiled hello (baseline)", w, "", None);
            table.note(&format!("`wasmtime run` precompiled hello, peak RSS: {}", mib(r)));
            table.note(&format!(
                "warm `grove run hello` / `wasmtime run`: {:.2}×",
                wall.as_secs_f64() / w.as_secs_f64()
            ));
        }
    } else {
        table.note("wasmtime CLI not found (set WASMTIME=…): process baseline skipped");
    }
    table.print();
}

fn builtin_hello() -> Vec<u8> {
    grove::skill::builtin::get("hello").expect("hello is built in").to_vec()
}

fn config(cache: Option<PathBuf>, pooling: bool) -> RuntimeConfig {
    RuntimeConfig { cache_dir: cache, pooling, max_memory: 1 << 30 }
}

fn caps(root: &std::path::Path, limits: &Limits) -> Caps {
    let all = PermissionSet::all();
    let mut caps = Caps::new("probe", root, Grants { requested: all, granted: all }, limits).unwrap();
    caps.console = Console::new("probe", Verbosity::Quiet, OutputBudget::new(limits.output), false);
    caps
}

fn wasmtime_cli() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("WASMTIME") {
        return Some(PathBuf::from(path));
    }
    Command::new("wasmtime")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .ok()?
        .success()
        .then(|| "wasmtime".into())
}

/// The median of `n` samples of `f`.
fn sample(n: usize, mut f: impl FnMut() -> Duration) -> Duration {
    median((0..n).map(|_| f()).collect())
}

/// Run a process to the end; its wall time.
fn spawn_measured(mut cmd: Command) -> Duration {
    cmd.stdout(Stdio::null()).stderr(Stdio::null()).stdin(Stdio::null());
    let started = Instant::now();
    let status = cmd.status().expect("spawn");
    let wall = started.elapsed();
    assert!(status.success(), "{cmd:?} failed");
    wall
}

/// Peak RSS of a process in KiB, read by GNU time. Measuring from here with
/// wait4 would be wrong: Linux folds the spawning process's own high-water
/// mark into the child's at exec, and this benchmark is large.
fn peak_rss(cmd: &Command) -> Option<i64> {
    let out = tempfile::NamedTempFile::new().ok()?;
    let status = Command::new("/usr/bin/time")
        .args(["-f", "%M", "-o"])
        .arg(out.path())
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .envs(cmd.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .current_dir(cmd.get_current_dir().unwrap_or(Path::new(".")))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    status.success().then_some(())?;
    std::fs::read_to_string(out.path()).ok()?.trim().parse().ok()
}

/// Median wall time over many runs, and median peak RSS over a few.
fn process_median(make: impl Fn() -> Command) -> (Duration, Option<i64>) {
    let wall = median((0..PROCESS_RUNS).map(|_| spawn_measured(make())).collect());
    let mut rss: Vec<i64> = (0..9).filter_map(|_| peak_rss(&make())).collect();
    rss.sort();
    (wall, rss.get(rss.len() / 2).copied())
}

fn mib(kib: Option<i64>) -> String {
    kib.map_or("? (needs /usr/bin/time)".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
}
