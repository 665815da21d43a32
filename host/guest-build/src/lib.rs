//! Compile guest crates of this workspace to `wasm32-wasip2` components from
//! a build script.
//!
//! The guests are built by a nested `cargo build` into their own target
//! directory (`target/guests`), so the host build and the guest build never
//! fight over one lock, and a guest is rebuilt only when its sources change.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

/// The target every guest is compiled for.
pub const TARGET: &str = "wasm32-wasip2";

/// Build `packages` (workspace members with `crate-type = ["cdylib"]`) and
/// copy each `<package>.wasm` into `OUT_DIR`. Returns `(package, path)`
/// pairs in the order given. Panics with an actionable message on failure,
/// which is how a build script reports errors.
pub fn build(packages: &[String]) -> Vec<(String, PathBuf)> {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("run from build.rs"));
    let root = workspace_root(&manifest_dir);
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("run from build.rs"));
    let target_dir = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("guests");

    for dir in ["wit", "sdk/src", "sdk/Cargo.toml", "sdk/agent", "sdk/diff", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    for package in packages {
        println!("cargo:rerun-if-changed={}", package_dir(&root, package).display());
    }
    if packages.is_empty() {
        return Vec::new();
    }

    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&root)
        .args(["build", "--quiet", "--profile", "guest", "--target", TARGET])
        .arg("--target-dir")
        .arg(&target_dir);
    for package in packages {
        cmd.args(["-p", package]);
    }
    // The outer build's flags and wrappers are for the host target, not ours.
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
        "CARGO_PRIMARY_PACKAGE",
    ] {
        cmd.env_remove(var);
    }
    let output = cmd.output().expect("could not start cargo to build the guest skills");
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("target may not be installed") || stderr.contains("can't find crate for `std`") {
            panic!(
                "\n\nthe {TARGET} target is not installed, and grove's built-in skills are compiled to it.\n\
                 hint: run `rustup target add {TARGET}` and build again.\n\n{stderr}"
            );
        }
        panic!("\n\nbuilding the guest skills failed:\n{stderr}");
    }

    packages
        .iter()
        .map(|package| {
            let file = format!("{}.wasm", package.replace('-', "_"));
            let built = target_dir.join(TARGET).join("guest").join(&file);
            let copied = out_dir.join(format!("{package}.wasm"));
            fs::copy(&built, &copied).unwrap_or_else(|e| panic!("copying {} failed: {e}", built.display()));
            (package.clone(), copied)
        })
        .collect()
}

/// Names of the crates directly inside `dir` (relative to the workspace
/// root), sorted: every folder with a `Cargo.toml` is one guest.
pub fn packages_in(dir: &str) -> Vec<String> {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("run from build.rs"));
    let dir = workspace_root(&manifest_dir).join(dir);
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {} failed: {e}", dir.display()))
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            path.join("Cargo.toml").is_file().then(|| path.file_name()?.to_str().map(String::from))?
        })
        .collect();
    names.sort();
    names
}

fn workspace_root(manifest_dir: &Path) -> PathBuf {
    manifest_dir
        .ancestors()
        .find(|dir| dir.join("wit").is_dir() && dir.join("Cargo.toml").is_file())
        .expect("the grove workspace root (with wit/) is above this crate")
        .to_path_buf()
}

fn package_dir(root: &Path, package: &str) -> PathBuf {
    ["plugins", "tests/guests", "examples"]
        .iter()
        .map(|dir| root.join(dir).join(package))
        .find(|dir| dir.is_dir())
        .unwrap_or_else(|| root.join(package))
}
