//! Skills in other languages: a warm `grove run` of the Python and
//! JavaScript examples of `examples/skills/` (components of 13-18 MB, a
//! whole interpreter each) against the Rust example in the same run.
//!
//! Run: `cargo bench -p grove --bench languages`. Each example is built
//! from source first (componentize-py, Node.js; a missing toolchain drops
//! its row, and says so). "Warm" means the compiled component is already
//! in grove's cache. Every figure is a median: the machine is noisy.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use grove_tests::bench::{Table, median};

const RUNS: usize = 40;

fn main() {
    let scratch = tempfile::tempdir().unwrap();
    let repo = grove_tests::repo_with(&[
        ("src/main.c", "int main(void) { return 0; } // TODO: a\n// FIXME: b\n"),
        ("notes.txt", "TODO x, TODO y\n"),
    ]);
    let cache = scratch.path().join("cache");
    let mut table = Table::default();

    let mut built = Vec::new();
    for lang in ["rust", "python", "js"] {
        match build(lang, scratch.path()) {
            Ok(wasm) => built.push((lang, wasm)),
            Err(why) => table.note(&format!("{lang}: not measured ({why})")),
        }
    }
    let mut rust = None;
    for (lang, wasm) in &built {
        let size = std::fs::metadata(wasm).unwrap().len();
        let run = || grove_run(wasm, repo.path(), &cache);
        // The first run compiles and caches; every later one is warm.
        let cold = spawn_measured(run());
        let warm = median((0..RUNS).map(|_| spawn_measured(run())).collect());
        let what = format!("warm `grove run` of the {lang} example ({:.1} MB)", size as f64 / 1e6);
        match (lang, rust) {
            (&"rust", _) => {
                rust = Some(warm);
                table.row(&what, warm, "", None);
            }
            (_, baseline) => table.row(&what, warm, "≤ 50 ms", baseline.map(|b| ("the Rust example", b))),
        }
        table.note(&format!(
            "{lang}: the first (cold) run, compiling, took {}",
            grove_tests::bench::fmt(cold)
        ));
    }
    table.print();
}

/// Build the example of `lang` from a copy in `scratch`; its component.
fn build(lang: &str, scratch: &Path) -> Result<PathBuf, String> {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/skills");
    let project = scratch.join(lang);
    copy(&examples.join(lang), &project);
    // A Rust example names the SDK by a path relative to its place.
    let cargo = project.join("Cargo.toml");
    if let Ok(text) = std::fs::read_to_string(&cargo) {
        let sdk = examples.join("../../sdk").canonicalize().unwrap();
        std::fs::write(&cargo, text.replace("\"../../../sdk\"", &format!("{:?}", sdk.display().to_string())))
            .unwrap();
    }
    let out = Command::new("sh")
        .arg("build.sh")
        .current_dir(&project)
        .env("GROVE", env!("CARGO_BIN_EXE_grove"))
        // The tests' target folder for skill projects: the SDK is built once.
        .env("CARGO_TARGET_DIR", Path::new(env!("CARGO_TARGET_TMPDIR")).join("skill-projects"))
        .output()
        .map_err(|e| format!("sh: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("build.sh failed: {}", err.lines().last().unwrap_or("")));
    }
    Ok(project.join("out/todos.wasm"))
}

/// Copy a project, following the link to the contract; what `npm ci`
/// installed is linked, not copied.
fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let (path, name) = (entry.path(), entry.file_name());
        if ["out", "target", "gen", "__pycache__"].contains(&name.to_str().unwrap()) {
            continue;
        }
        if name == "node_modules" {
            std::os::unix::fs::symlink(&path, to.join(&name)).unwrap();
        } else if std::fs::metadata(&path).unwrap().is_dir() {
            copy(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

fn grove_run(wasm: &Path, repo: &Path, cache: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_grove"));
    cmd.args(["run"]).arg(wasm).args(["--allow", "process"]).current_dir(repo).env("GROVE_CACHE_DIR", cache);
    cmd
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
