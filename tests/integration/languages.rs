//! Skills in Python, JavaScript, C and Rust: each example of
//! `examples/skills/` built from source with its real toolchain, packed
//! with `grove skill pack`, and run through grove on a real repository;
//! then the same from a project `grove skill new` writes. A toolchain that
//! is missing skips its tests here, and fails them where
//! `$GROVE_REQUIRE_TOOLCHAINS` is set (CI, which installs them all).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Run, grove};

/// Skip the test, saying so, when a tool of the language's toolchain is
/// missing; fail it when `$GROVE_REQUIRE_TOOLCHAINS` says none may be.
macro_rules! needs_toolchain {
    ($lang:literal, $($tool:literal),+) => {
        if let Some(missing) = crate::languages::missing(&[$($tool),+]) {
            if std::env::var_os("GROVE_REQUIRE_TOOLCHAINS").is_some() {
                panic!(
                    "the {} toolchain lacks {missing}, and $GROVE_REQUIRE_TOOLCHAINS says every toolchain \
                     must be here (.ci/run installs them)",
                    $lang
                );
            }
            eprintln!("SKIPPED: the {} toolchain is not installed ({missing} not found; .ci/run installs it)", $lang);
            return;
        }
    };
}

/// The first of `tools` this machine lacks.
pub fn missing(tools: &[&str]) -> Option<String> {
    tools.iter().find(|tool| !found(tool)).map(|t| t.to_string())
}

fn found(tool: &str) -> bool {
    match tool {
        "wasi-libc" => Path::new("/usr/include/wasm32-wasi/stdio.h").is_file(),
        command => Command::new("sh")
            .args(["-c", &format!("command -v {command}")])
            .output()
            .is_ok_and(|out| out.status.success()),
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Copy a project, following the link to the contract and leaving out
/// what a build left.
fn copy_project(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if ["out", "gen", "target", "__pycache__"].contains(&name.to_str().unwrap()) {
            continue;
        }
        let path = entry.path();
        // What `npm ci` installed stays where it is: the copy links to it.
        if name == "node_modules" {
            std::os::unix::fs::symlink(&path, to.join(&name)).unwrap();
            continue;
        }
        if std::fs::metadata(&path).unwrap().is_dir() {
            copy_project(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

/// A Rust example names the SDK by a path relative to its place in the
/// repository; its copy names the same SDK absolutely.
fn sdk_where_it_is(project: &Path) {
    let cargo = project.join("Cargo.toml");
    if let Ok(text) = std::fs::read_to_string(&cargo) {
        let sdk = repo_root().join("sdk");
        std::fs::write(&cargo, text.replace("\"../../../sdk\"", &format!("{:?}", sdk.display().to_string())))
            .unwrap();
    }
}

/// Run the project's one build command; the packed component it made.
fn build(project: &Path, name: &str) -> PathBuf {
    let out = Command::new("sh")
        .arg("build.sh")
        .current_dir(project)
        .env("GROVE", env!("CARGO_BIN_EXE_grove"))
        // Rust projects share one target folder: the SDK is built once.
        .env("CARGO_TARGET_DIR", Path::new(env!("CARGO_TARGET_TMPDIR")).join("skill-projects"))
        .output()
        .expect("running build.sh");
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "build.sh in {} failed:\n{log}", project.display());
    assert!(log.contains(&format!("{name} 0.1.0")), "pack said:\n{log}");
    let wasm = project.join("out").join(format!("{name}.wasm"));
    assert!(wasm.is_file(), "{} was not built:\n{log}", wasm.display());
    wasm
}

/// A repository with four markers in two files.
fn marked_repo() -> tempfile::TempDir {
    grove_tests::repo_with(&[
        ("src/main.c", "int main(void) { return 0; } // TODO: a\n// FIXME: b\n"),
        ("notes.txt", "TODO x, TODO y\n"),
        ("README.md", "nothing to do\n"),
    ])
}

/// The skill at `wasm`, named `name`, does its work, and no more than its
/// manifest, its imports and the grant allow.
fn runs_as_a_skill(wasm: &Path, name: &str, lang: &str) {
    let repo = marked_repo();
    let wasm = wasm.to_str().unwrap();

    // Its manifest is the one grove.toml gave it.
    let inspect = grove(repo.path(), &["skill", "inspect", wasm, "--json"]).expect(0).json();
    assert_eq!(inspect["manifest"]["name"], name, "{lang}");
    assert_eq!(
        inspect["manifest"]["permissions"],
        serde_json::json!(["workspace:read", "process"]),
        "{lang}"
    );
    // Its imports are its ceiling: a narrow world (or, in Rust, only what
    // it calls) leaves out what it does not need.
    let imports: Vec<&str> =
        inspect["imports"].as_array().unwrap().iter().filter_map(|i| i.as_str()).collect();
    for needed in ["grove:skill/workspace@0.2.0", "grove:skill/process@0.2.0"] {
        assert!(imports.contains(&needed), "{lang}: {needed} missing from {imports:?}");
    }
    // Given `wit/`, its toolchain read the current contract alone, not the
    // released one kept in `wit/since_v0.1.0/`.
    let current = imports.iter().filter(|i| i.starts_with("grove:skill/")).all(|i| i.ends_with("@0.2.0"));
    assert!(current, "{lang}: {imports:?}");
    for beyond in ["model", "sessions", "browser", "http", "review", "notify", "evidence"] {
        assert!(
            !imports.iter().any(|i| i.starts_with(&format!("grove:skill/{beyond}@"))),
            "{lang} imports {beyond}: {imports:?}"
        );
    }

    // Not granted `process`, its `git --version` is denied, and the
    // denial says how to grant it.
    let denied = grove(repo.path(), &["run", wasm]);
    assert_eq!(denied.code, 1, "{lang}: {denied:?}");
    assert!(denied.stderr.contains("--allow process"), "{lang}: {}", denied.stderr);

    // Granted, it counts and runs git in the sandbox.
    let run: Run = grove(repo.path(), &["run", wasm, "--allow", "process"]).expect(0);
    assert!(run.stdout.contains("4 TODO/FIXME in 2 files; git version "), "{lang}: {}", run.stdout);
    assert!(run.stdout.contains("- notes.txt: 2"), "{lang}: {}", run.stdout);
    let json = grove(repo.path(), &["run", wasm, "--allow", "process", "--json"]).expect(0).json();
    assert_eq!(json["total"], 4, "{lang}: {json}");
    assert_eq!(json["files"]["src/main.c"], 2, "{lang}: {json}");
}

/// Build the example of `lang` from source and run it; then make a new
/// project in the language with `grove skill new`, build and run that.
fn example_and_new_project(lang: &str, extra: &[&str]) {
    let work = tempfile::tempdir().unwrap();
    let example = work.path().join("example");
    copy_project(&repo_root().join("examples/skills").join(lang), &example);
    sdk_where_it_is(&example);
    let wasm = build(&example, "todos");
    runs_as_a_skill(&wasm, "todos", lang);

    let mut args = vec!["skill", "new", "tally-marks", "--lang", lang];
    args.extend_from_slice(extra);
    let made = grove(work.path(), &args).expect(0);
    assert!(made.stdout.contains("./build.sh"), "{}", made.stdout);
    let wasm = build(&work.path().join("tally-marks"), "tally-marks");
    runs_as_a_skill(&wasm, "tally-marks", lang);
}

#[test]
fn python_skill_builds_packs_and_runs() {
    needs_toolchain!("Python", "componentize-py");
    example_and_new_project("python", &[]);
}

#[test]
fn javascript_skill_builds_packs_and_runs() {
    needs_toolchain!("JavaScript", "node", "npm");
    example_and_new_project("js", &[]);
}

#[test]
fn c_skill_builds_packs_and_runs() {
    needs_toolchain!("C", "clang", "wasi-libc", "wit-bindgen", "wasm-tools", "cargo");
    example_and_new_project("c", &[]);
}

#[test]
fn rust_skill_builds_packs_and_runs() {
    needs_toolchain!("Rust", "cargo");
    let sdk = repo_root().join("sdk");
    example_and_new_project("rust", &["--sdk", sdk.to_str().unwrap()]);
}

/// The example project of `lang` with its program replaced by a fixture
/// of `tests/data/langs/`, named `crash`, built.
fn build_fixture(lang: &str, fixture: &str, program: &str) -> (tempfile::TempDir, PathBuf) {
    let work = tempfile::tempdir().unwrap();
    let project = work.path().join("crash");
    copy_project(&repo_root().join("examples/skills").join(lang), &project);
    let source = repo_root().join("tests/data/langs").join(fixture).join(program);
    std::fs::copy(source, project.join(program)).unwrap();
    std::fs::write(
        project.join("grove.toml"),
        "name = \"crash\"\nversion = \"0.1.0\"\nsummary = \"Crashes\"\npermissions = []\n",
    )
    .unwrap();
    let wasm = build(&project, "crash");
    (work, wasm)
}

/// A guest that crashes: what it wrote to stderr (the traceback) comes
/// first, with no control sequence of its own left in, then the crash.
fn crash_is_explained(wasm: &Path, said: &[&str]) {
    let repo = marked_repo();
    let run = grove(repo.path(), &["run", wasm.to_str().unwrap()]);
    assert_eq!(run.code, 4, "{run:?}");
    for words in said {
        assert!(run.stderr.contains(words), "{words:?} not in:\n{}", run.stderr);
    }
    assert!(!run.stderr.contains(['\x1b', '\x07']), "a control character got through:\n{:?}", run.stderr);
    let told = run.stderr.find("the answer was").unwrap();
    let crashed = run.stderr.find("crashed").expect("the crash is reported");
    assert!(told < crashed, "the guest's words come before the crash:\n{}", run.stderr);
}

#[test]
fn a_python_exception_is_shown_before_the_crash() {
    needs_toolchain!("Python", "componentize-py");
    let (_work, wasm) = build_fixture("python", "python-crash", "app.py");
    crash_is_explained(&wasm, &["Traceback", "in deeper", "ValueError: the answer was"]);
}

#[test]
fn a_javascript_exception_is_shown_before_the_crash() {
    needs_toolchain!("JavaScript", "node", "npm");
    let (_work, wasm) = build_fixture("js", "js-crash", "app.js");
    crash_is_explained(&wasm, &["TypeError", "the answer was"]);
}

/// In a session no terminal sees the guest's stderr stream by: its last
/// lines go into the transcript with the crash, where `grove logs` (and
/// the dash, attach and serve) show them.
#[test]
fn a_crash_in_a_session_leaves_its_stderr_in_the_transcript() {
    use crate::sessions::{Grove, project, wait_final};
    let dir = project();
    let g = Grove::new();
    g.run(dir.path(), &["new", "boom", "--skill", crate::support::probe(), "--", "panic"]).expect(0);
    let rows = wait_final(&g, dir.path(), &["boom"]);
    let row = rows.iter().find(|r| r["name"] == "boom").unwrap();
    assert_eq!(row["state"], "failed", "{row}");
    let logs = g.run(dir.path(), &["logs", "boom"]).expect(0).stdout;
    assert!(logs.contains("the skill wrote before it crashed"), "{logs}");
    assert!(logs.contains("probe panicked on purpose"), "{logs}");
}
