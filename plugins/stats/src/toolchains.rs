//! The build and test commands a project uses, found from the files at its
//! top, and whether the tools they need are installed.

use std::collections::BTreeSet;

use grove_sdk::prelude::*;
use serde::Serialize;

/// What a probe of a missing or denied tool records as its version.
pub const NOT_INSTALLED: &str = "not installed";
pub const NOT_GRANTED: &str = "not checked (process not granted)";

/// A version check should be instant; anything slower is not worth waiting for.
const PROBE_TIMEOUT_MS: u32 = 10_000;
/// A version banner is a few lines.
const PROBE_OUTPUT_LIMIT: u32 = 4096;
/// Longest version string kept.
const MAX_VERSION_LEN: usize = 100;

/// One detected toolchain and how to build and test with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Toolchain {
    pub tool: &'static str,
    pub build: Option<String>,
    pub test: Option<String>,
    /// The tool's version line, or why there is none; empty until checked.
    pub version: String,
    /// Commands that print the version, tried in order until one runs.
    #[serde(skip)]
    probes: &'static [&'static [&'static str]],
}

impl Toolchain {
    fn new(tool: &'static str, build: Option<&str>, test: Option<&str>) -> Self {
        Toolchain {
            tool,
            build: build.map(String::from),
            test: test.map(String::from),
            version: String::new(),
            probes: &[],
        }
    }

    fn probes(mut self, probes: &'static [&'static [&'static str]]) -> Self {
        self.probes = probes;
        self
    }
}

/// The toolchains used by a project whose top-level file names are
/// `names`; `read` returns one of those files' text when a rule needs it.
pub fn detect(names: &BTreeSet<&str>, mut read: impl FnMut(&str) -> Option<String>) -> Vec<Toolchain> {
    let has = |name: &str| names.contains(name);
    let mut found = Vec::new();
    if has("Cargo.toml") {
        found.push(
            Toolchain::new("cargo", Some("cargo build"), Some("cargo test"))
                .probes(&[&["cargo", "--version"]]),
        );
    }
    if has("package.json") {
        found.push(node(names, read("package.json").as_deref()));
    }
    if has("pyproject.toml") || has("setup.py") {
        found.push(
            Toolchain::new("python", Some("python -m build"), Some("pytest"))
                // Many systems have only `python3`.
                .probes(&[&["python3", "--version"], &["python", "--version"]]),
        );
    }
    if has("go.mod") {
        found.push(
            Toolchain::new("go", Some("go build ./..."), Some("go test ./...")).probes(&[&["go", "version"]]),
        );
    }
    if let Some(makefile) = ["Makefile", "makefile", "GNUmakefile"].into_iter().find(|n| has(n)) {
        let test = read(makefile).is_some_and(|text| has_make_target(&text, "test"));
        found.push(
            Toolchain::new("make", Some("make"), test.then_some("make test"))
                .probes(&[&["make", "--version"]]),
        );
    }
    if has("pom.xml") {
        found.push(
            Toolchain::new("mvn", Some("mvn package"), Some("mvn test")).probes(&[&["mvn", "--version"]]),
        );
    }
    if has("build.gradle") || has("build.gradle.kts") {
        found.push(
            Toolchain::new("gradle", Some("gradle build"), Some("gradle test"))
                .probes(&[&["gradle", "--version"]]),
        );
    }
    if has("CMakeLists.txt") {
        found.push(
            Toolchain::new(
                "cmake",
                Some("cmake -B build && cmake --build build"),
                Some("ctest --test-dir build"),
            )
            .probes(&[&["cmake", "--version"]]),
        );
    }
    found
}

/// A Node project: the package manager its lockfile names, and the
/// `build` and `test` scripts of its `package.json`, if any.
fn node(names: &BTreeSet<&str>, package_json: Option<&str>) -> Toolchain {
    let (tool, probes): (&'static str, &'static [&'static [&'static str]]) =
        if names.contains("pnpm-lock.yaml") {
            ("pnpm", &[&["pnpm", "--version"]])
        } else if names.contains("yarn.lock") {
            ("yarn", &[&["yarn", "--version"]])
        } else if names.contains("bun.lockb") || names.contains("bun.lock") {
            ("bun", &[&["bun", "--version"]])
        } else {
            ("npm", &[&["npm", "--version"]])
        };
    let scripts = package_json.map(npm_scripts).unwrap_or_default();
    let build = scripts.build.then(|| format!("{tool} run build"));
    let test = scripts.test.then(|| format!("{tool} test"));
    Toolchain { tool, build, test, version: String::new(), probes }
}

/// Which of the scripts we report a `package.json` defines.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Scripts {
    pub build: bool,
    pub test: bool,
}

/// Read the `scripts` of a `package.json`. `npm init` writes a `test`
/// script that only fails ("no test specified"); that is no test command.
pub fn npm_scripts(text: &str) -> Scripts {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return Scripts::default();
    };
    let script = |name: &str| json.get("scripts").and_then(|s| s.get(name)).and_then(|v| v.as_str());
    Scripts {
        build: script("build").is_some(),
        test: script("test").is_some_and(|s| !s.contains("no test specified")),
    }
}

/// True when a makefile has a rule for `target`: a line like `test:` or
/// `check test: build` (not a recipe line, a comment, or `x := y`).
pub fn has_make_target(makefile: &str, target: &str) -> bool {
    makefile.lines().any(|line| {
        if line.starts_with(['\t', ' ', '#']) {
            return false;
        }
        let Some((targets, rest)) = line.split_once(':') else {
            return false;
        };
        !rest.starts_with('=') && targets.split_whitespace().any(|t| t == target)
    })
}

/// Fill in every toolchain's version by running its probe in `cwd`.
/// Never fails: a tool that cannot be checked says why instead.
pub fn check_versions(toolchains: &mut [Toolchain], cwd: Option<String>) {
    let mut denied = false;
    for t in toolchains {
        // After one refusal the rest would be refused too; don't ask again.
        if denied {
            t.version = NOT_GRANTED.into();
            continue;
        }
        t.version = match probe(t.probes, &cwd) {
            Probe::Version(v) => named(t.tool, v),
            Probe::Missing => NOT_INSTALLED.into(),
            Probe::Denied => {
                denied = true;
                NOT_GRANTED.into()
            }
            Probe::Failed(why) => format!("not checked ({why})"),
        };
    }
}

enum Probe {
    Version(String),
    Missing,
    Denied,
    Failed(String),
}

fn probe(candidates: &[&[&str]], cwd: &Option<String>) -> Probe {
    for argv in candidates {
        match run(argv, cwd) {
            Probe::Missing => continue,
            found => return found,
        }
    }
    Probe::Missing
}

fn run(argv: &[&str], cwd: &Option<String>) -> Probe {
    let mut command = process::Command::new(argv[0])
        .args(argv[1..].iter().copied())
        .timeout_ms(PROBE_TIMEOUT_MS)
        .output_limit(PROBE_OUTPUT_LIMIT);
    command.cwd = cwd.clone();
    match command.run() {
        Ok(out) if out.timed_out => Probe::Failed(format!("timed out after {} s", PROBE_TIMEOUT_MS / 1000)),
        Ok(out) if out.code == Some(0) => Probe::Version(version_line(&out.stdout, &out.stderr)),
        // A shim without a real tool behind it (rustup, pyenv) exits non-zero.
        Ok(_) | Err(Error::NotFound(_)) => Probe::Missing,
        Err(Error::Denied(_)) => Probe::Denied,
        Err(e) => Probe::Failed(e.message().to_string()),
    }
}

/// The line of a version banner that holds the version: the first with a
/// digit (Gradle opens with a rule of dashes), from stdout or, for tools
/// that print it there, stderr.
pub fn version_line(stdout: &[u8], stderr: &[u8]) -> String {
    let text = if stdout.iter().any(|b| !b.is_ascii_whitespace()) { stdout } else { stderr };
    let text = String::from_utf8_lossy(text);
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.clone().next().unwrap_or_default();
    let line = lines.find(|l| l.contains(|c: char| c.is_ascii_digit())).unwrap_or(first);
    match line.char_indices().nth(MAX_VERSION_LEN) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_string(),
    }
}

/// `npm --version` and its kin print a bare number; say whose it is.
fn named(tool: &str, version: String) -> String {
    if version.starts_with(|c: char| c.is_ascii_digit()) { format!("{tool} {version}") } else { version }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn detect_in(files: &[(&str, &str)]) -> Vec<Toolchain> {
        let contents: HashMap<_, _> = files.iter().copied().collect();
        let names = files.iter().map(|(n, _)| *n).collect();
        detect(&names, |name| contents.get(name).map(|s| s.to_string()))
    }

    fn commands(t: &Toolchain) -> (&str, Option<&str>, Option<&str>) {
        (t.tool, t.build.as_deref(), t.test.as_deref())
    }

    #[test]
    fn detects_toolchains_in_a_fixed_order() {
        let found = detect_in(&[
            ("go.mod", ""),
            ("Cargo.toml", ""),
            ("Makefile", "all:\n\tcc x.c\n"),
            ("README.md", ""),
        ]);
        let found: Vec<_> = found.iter().map(commands).collect();
        assert_eq!(
            found,
            [
                ("cargo", Some("cargo build"), Some("cargo test")),
                ("go", Some("go build ./..."), Some("go test ./...")),
                ("make", Some("make"), None),
            ]
        );
        assert!(detect_in(&[("README.md", "")]).is_empty());
    }

    #[test]
    fn node_uses_the_lockfiles_package_manager_and_scripts() {
        let pkg = r#"{"scripts": {"build": "tsc", "test": "vitest"}}"#;
        let t = &detect_in(&[("package.json", pkg), ("pnpm-lock.yaml", "")])[0];
        assert_eq!(commands(t), ("pnpm", Some("pnpm run build"), Some("pnpm test")));
        let t = &detect_in(&[("package.json", "{}")])[0];
        assert_eq!(commands(t), ("npm", None, None));
    }

    #[test]
    fn package_json_scripts() {
        assert_eq!(
            npm_scripts(r#"{"scripts": {"build": "vite build", "test": "jest"}}"#),
            Scripts { build: true, test: true }
        );
        assert_eq!(
            npm_scripts(r#"{"scripts": {"test": "echo \"Error: no test specified\" && exit 1"}}"#),
            Scripts { build: false, test: false }
        );
        assert_eq!(npm_scripts(r#"{"name": "x"}"#), Scripts::default());
        assert_eq!(npm_scripts("not json"), Scripts::default());
    }

    #[test]
    fn makefile_targets() {
        let mk =
            "CC := cc\n# test: not this\n.PHONY: test\nall: app\n\ttest: neither\ncheck test: all\n\t./run\n";
        assert!(has_make_target(mk, "test"));
        assert!(has_make_target(mk, "check"));
        assert!(!has_make_target(mk, "CC"));
        assert!(!has_make_target("all:\n\techo test:\n", "test"));
        let t = &detect_in(&[("Makefile", "test:\n\t./t.sh\n")])[0];
        assert_eq!(commands(t), ("make", Some("make"), Some("make test")));
    }

    #[test]
    fn version_lines() {
        assert_eq!(
            version_line(b"cargo 1.95.0 (f2d3ce0bd 2026-03-21)\n", b""),
            "cargo 1.95.0 (f2d3ce0bd 2026-03-21)"
        );
        assert_eq!(version_line(b"\n------\nGradle 8.5\n------\n", b""), "Gradle 8.5");
        assert_eq!(version_line(b"", b"Python 2.7.18\n"), "Python 2.7.18");
        assert_eq!(version_line(b"no digits here\n", b""), "no digits here");
        assert_eq!(version_line(&[b'9'; 300], b"").chars().count(), MAX_VERSION_LEN + 1);
        assert_eq!(named("npm", "11.19.1".into()), "npm 11.19.1");
        assert_eq!(named("python", "Python 3.11.7".into()), "Python 3.11.7");
    }
}
