//! A binary of this workspace compiled for the machine grove runs on, but
//! statically linked against musl: the sandbox's init, which starts for
//! every program a skill runs and must start fast (no dynamic loader, a
//! few relocations, no glibc start-up).

use std::path::PathBuf;
use std::process::Command;
use std::{env, fs};

use super::{ensure_target, missing_target, scrub_outer_build, target_missing, workspace_root};

/// The musl target for a build for `os` on `arch`, where grove builds one.
pub fn static_target(os: &str, arch: &str) -> Option<String> {
    match (os, arch) {
        ("linux", "x86_64" | "aarch64") => Some(format!("{arch}-unknown-linux-musl")),
        _ => None,
    }
}

/// Build the binary `bin` of the workspace package `package` (at `dir`,
/// relative to the workspace root) with the cargo profile `profile`, for
/// the musl target of the architecture being built, and copy it into
/// `OUT_DIR`. `None`, with a warning, when the target is another system
/// or an architecture without one. Panics with an actionable message on
/// failure, as a build script reports errors.
pub fn build_static(package: &str, dir: &str, bin: &str, profile: &str) -> Option<PathBuf> {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("run from build.rs"));
    let root = workspace_root(&manifest_dir);
    println!("cargo:rerun-if-changed={}", root.join(dir).display());
    println!("cargo:rerun-if-changed={}", root.join("Cargo.lock").display());
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let Some(target) = static_target(&os, &arch) else {
        if os == "linux" {
            println!(
                "cargo:warning=no static {bin} for {arch}: grove's own binary will be the sandbox's init (slower to start)"
            );
        }
        return None;
    };
    if let Err(why) = ensure_target(&target) {
        missing_target(&target, &format!("the sandbox's init ({bin}) is compiled to it"), &why);
    }
    let target_dir = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("static");
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&root)
        .args(["build", "--quiet", "--profile", profile, "--target", &target, "-p", package, "--bin", bin])
        .arg("--target-dir")
        .arg(&target_dir);
    scrub_outer_build(&mut cmd);
    let output = cmd.output().unwrap_or_else(|e| panic!("could not start cargo to build {bin}: {e}"));
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        if target_missing(&stderr) {
            missing_target(&target, &format!("the sandbox's init ({bin}) is compiled to it"), &stderr);
        }
        panic!("\n\nbuilding {bin} for {target} failed:\n{stderr}");
    }
    let built = target_dir.join(&target).join(profile).join(bin);
    let copied = PathBuf::from(env::var("OUT_DIR").expect("run from build.rs")).join(bin);
    fs::copy(&built, &copied).unwrap_or_else(|e| panic!("copying {} failed: {e}", built.display()));
    Some(copied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_static_init_is_built_for_linux_on_the_common_architectures() {
        assert_eq!(static_target("linux", "x86_64").as_deref(), Some("x86_64-unknown-linux-musl"));
        assert_eq!(static_target("linux", "aarch64").as_deref(), Some("aarch64-unknown-linux-musl"));
        assert_eq!(static_target("linux", "sparc64"), None);
        assert_eq!(static_target("macos", "aarch64"), None);
    }
}
