//! Compile the crates grove embeds from a build script: guest crates of
//! this workspace to `wasm32-wasip2` components, and the sandbox's init to
//! a static binary (`native.rs`).
//!
//! Each is built by a nested `cargo build` into a target directory of its
//! own (`target/guests`, `target/static`), so the host build and the
//! nested one never fight over one lock, and a crate is rebuilt only when
//! its sources change.

mod native;

pub use native::build_static;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

/// The target every guest is compiled for.
pub const TARGET: &str = "wasm32-wasip2";
const GUESTS_NEED: &str = "grove's built-in skills are compiled to it";

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

    for dir in [
        "wit",
        "sdk/src",
        "sdk/Cargo.toml",
        "sdk/agent",
        "sdk/diff",
        "sdk/review",
        "sdk/app",
        "sdk/simplify",
        "Cargo.lock",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    for package in packages {
        println!("cargo:rerun-if-changed={}", package_dir(&root, package).display());
    }
    if packages.is_empty() {
        return Vec::new();
    }

    // Before the nested build, not after minutes of it.
    if let Err(why) = ensure_target(TARGET) {
        missing_target(TARGET, GUESTS_NEED, &why);
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
    scrub_outer_build(&mut cmd);
    let output = cmd.output().expect("could not start cargo to build the guest skills");
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        if target_missing(&stderr) {
            missing_target(TARGET, GUESTS_NEED, &stderr);
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

/// Make sure the toolchain this build runs on has the standard library
/// for `target`. rustup installs a toolchain file's targets by itself
/// only where auto-install is on (not with `RUSTUP_AUTO_INSTALL=0`), so a
/// missing one is added here with `rustup target add`, for the toolchain the
/// build uses, and the build goes on. Answers why not when it cannot be.
pub fn ensure_target(target: &str) -> Result<(), String> {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Some(sysroot) = sysroot(Path::new(&rustc)) else {
        // Cannot tell: let the nested build itself say what is wrong.
        return Ok(());
    };
    if target_installed(&sysroot, target) {
        return Ok(());
    }
    let toolchain = toolchain(env::var("RUSTUP_TOOLCHAIN").ok(), &sysroot);
    let mut rustup = Command::new("rustup");
    rustup.args(["target", "add", target]);
    if let Some(toolchain) = &toolchain {
        rustup.args(["--toolchain", toolchain]);
    }
    match rustup.output() {
        Ok(out) if out.status.success() && target_installed(&sysroot, target) => {
            println!(
                "cargo:warning=the {target} target was not installed for {}; grove added it with `rustup target add {target}`",
                toolchain.as_deref().unwrap_or("this toolchain")
            );
            Ok(())
        }
        Ok(out) => Err(String::from_utf8_lossy(&out.stderr).into_owned()),
        Err(e) => Err(format!("rustup could not be run: {e}")),
    }
}

/// Whether the toolchain at `sysroot` has the standard library for
/// `target` (`<sysroot>/lib/rustlib/<target>/lib`).
pub fn target_installed(sysroot: &Path, target: &str) -> bool {
    sysroot.join("lib").join("rustlib").join(target).join("lib").is_dir()
}

/// Whether a failed build's output says its target's standard library is
/// missing.
fn target_missing(stderr: &str) -> bool {
    stderr.contains("target may not be installed") || stderr.contains("can't find crate for `std`")
}

/// The rustup toolchain to add the target to: the one rustup runs this
/// build with, else the one `sysroot` is (`<rustup home>/toolchains/<name>`),
/// else none (rustup's default).
pub fn toolchain(rustup_toolchain: Option<String>, sysroot: &Path) -> Option<String> {
    rustup_toolchain.filter(|t| !t.trim().is_empty()).or_else(|| {
        let parent = sysroot.parent()?;
        (parent.file_name()? == "toolchains").then(|| sysroot.file_name()?.to_str().map(String::from))?
    })
}

/// `rustc --print sysroot`.
fn sysroot(rustc: &Path) -> Option<PathBuf> {
    let out = Command::new(rustc).args(["--print", "sysroot"]).output().ok()?;
    let path = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !path.trim().is_empty()).then(|| PathBuf::from(path.trim()))
}

/// The outer build's flags and wrappers are for the host target, not a
/// nested build's.
fn scrub_outer_build(cmd: &mut Command) {
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
}

/// Panic with how to install `target`, which `why` needs.
fn missing_target(target: &str, why: &str, details: &str) -> ! {
    panic!(
        "\n\nthe {target} target is not installed, and {why}.\n\
         hint: run `rustup target add {target}` and build again.\n\n{details}"
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_target_is_noticed_in_the_sysroot() {
        let sysroot = std::env::temp_dir().join(format!("grove-guest-build-{}", std::process::id()));
        let _ = fs::remove_dir_all(&sysroot);
        fs::create_dir_all(sysroot.join("lib/rustlib/x86_64-unknown-linux-gnu/lib")).unwrap();
        assert!(!target_installed(&sysroot, TARGET));
        // A folder without the library is not an installed target.
        fs::create_dir_all(sysroot.join("lib/rustlib").join(TARGET)).unwrap();
        assert!(!target_installed(&sysroot, TARGET));
        fs::create_dir_all(sysroot.join("lib/rustlib").join(TARGET).join("lib")).unwrap();
        assert!(target_installed(&sysroot, TARGET));
        assert!(!target_installed(&sysroot, "x86_64-unknown-linux-musl"));
        fs::remove_dir_all(&sysroot).unwrap();
    }

    #[test]
    fn the_target_goes_to_the_toolchain_the_build_uses() {
        let rustup = Path::new("/home/me/.rustup/toolchains/1.95.0-x86_64-unknown-linux-gnu");
        assert_eq!(toolchain(Some("nightly".into()), rustup).as_deref(), Some("nightly"));
        assert_eq!(toolchain(None, rustup).as_deref(), Some("1.95.0-x86_64-unknown-linux-gnu"));
        assert_eq!(toolchain(Some(" ".into()), rustup).as_deref(), Some("1.95.0-x86_64-unknown-linux-gnu"));
        assert_eq!(toolchain(None, Path::new("/usr")), None);
    }
}
