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

    for dir in ["wit", "sdk/src", "sdk/Cargo.toml", "sdk/agent", "sdk/diff", "sdk/review", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    for package in packages {
        println!("cargo:rerun-if-changed={}", package_dir(&root, package).display());
    }
    if packages.is_empty() {
        return Vec::new();
    }

    // Before the nested build, not after minutes of it.
    ensure_target();
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
            missing_target(&stderr);
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
/// for [`TARGET`]. rustup installs a toolchain file's targets by itself
/// only where auto-install is on (not with `RUSTUP_AUTO_INSTALL=0`), so a
/// missing one is added here with `rustup target add`, for the toolchain the
/// build uses, and the build goes on. Panics with a hint when it cannot be.
pub fn ensure_target() {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Some(sysroot) = sysroot(Path::new(&rustc)) else {
        // Cannot tell: let the guest build itself say what is wrong.
        return;
    };
    if target_installed(&sysroot) {
        return;
    }
    let toolchain = toolchain(env::var("RUSTUP_TOOLCHAIN").ok(), &sysroot);
    let mut rustup = Command::new("rustup");
    rustup.args(["target", "add", TARGET]);
    if let Some(toolchain) = &toolchain {
        rustup.args(["--toolchain", toolchain]);
    }
    let added = match rustup.output() {
        Ok(out) if out.status.success() && target_installed(&sysroot) => Ok(()),
        Ok(out) => Err(String::from_utf8_lossy(&out.stderr).into_owned()),
        Err(e) => Err(format!("rustup could not be run: {e}")),
    };
    match added {
        Ok(()) => println!(
            "cargo:warning=the {TARGET} target was not installed for {}; grove added it with `rustup target add {TARGET}`",
            toolchain.as_deref().unwrap_or("this toolchain")
        ),
        Err(why) => missing_target(&why),
    }
}

/// Whether the toolchain at `sysroot` has the standard library for
/// [`TARGET`] (`<sysroot>/lib/rustlib/<target>/lib`).
pub fn target_installed(sysroot: &Path) -> bool {
    sysroot.join("lib").join("rustlib").join(TARGET).join("lib").is_dir()
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

fn missing_target(details: &str) -> ! {
    panic!(
        "\n\nthe {TARGET} target is not installed, and grove's built-in skills are compiled to it.\n\
         hint: run `rustup target add {TARGET}` and build again.\n\n{details}"
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
        assert!(!target_installed(&sysroot));
        // A folder without the library is not an installed target.
        fs::create_dir_all(sysroot.join("lib/rustlib").join(TARGET)).unwrap();
        assert!(!target_installed(&sysroot));
        fs::create_dir_all(sysroot.join("lib/rustlib").join(TARGET).join("lib")).unwrap();
        assert!(target_installed(&sysroot));
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
