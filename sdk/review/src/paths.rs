//! What a path says about a file: its language, whether it is a test,
//! a lockfile, documentation, or code that ought to come with tests.

/// The languages the rules know something about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Rust,
    Python,
    /// JavaScript, TypeScript and the frameworks that embed them.
    Js,
    Go,
    Java,
    Kotlin,
    Ruby,
    Php,
    CSharp,
    C,
    Swift,
    Scala,
    Shell,
    Docker,
    Make,
    /// `.env`, `.ini`, `.properties`, YAML, TOML, JSON: values may stand
    /// unquoted.
    Config,
    Docs,
    Other,
}

impl Lang {
    /// By whole file name first (any case), then by the extension's
    /// language in `grove_sdk::lang`'s table.
    pub fn of(path: &str) -> Lang {
        let name = file_name(path);
        let lower = name.to_ascii_lowercase();
        if lower.starts_with(".env") || lower.ends_with(".env") {
            return Lang::Config;
        }
        match lower.as_str() {
            "dockerfile" | "containerfile" => return Lang::Docker,
            "makefile" | "gnumakefile" | "justfile" => return Lang::Make,
            "gemfile" | "rakefile" => return Lang::Ruby,
            _ => {}
        }
        if lower.starts_with("dockerfile.") {
            return Lang::Docker;
        }
        let language = grove_sdk::lang::of_extension(extension(&lower));
        match language.unwrap_or_default() {
            "Rust" => Lang::Rust,
            "Python" => Lang::Python,
            "JavaScript" | "TypeScript" | "Vue" | "Svelte" | "Astro" => Lang::Js,
            "Go" => Lang::Go,
            "Java" => Lang::Java,
            "Kotlin" => Lang::Kotlin,
            "Ruby" | "HTML+ERB" => Lang::Ruby,
            "PHP" => Lang::Php,
            "C#" => Lang::CSharp,
            "C" | "C++" | "Objective-C" | "Objective-C++" => Lang::C,
            "Swift" => Lang::Swift,
            "Scala" => Lang::Scala,
            "Shell" => Lang::Shell,
            "Makefile" => Lang::Make,
            "YAML" | "TOML" | "INI" | "Config" | "Java Properties" | "JSON" => Lang::Config,
            "Markdown" | "reStructuredText" | "Text" | "AsciiDoc" | "Org" => Lang::Docs,
            _ => Lang::Other,
        }
    }

    /// Languages whose changes ought to come with test changes.
    pub fn is_code(self) -> bool {
        matches!(
            self,
            Lang::Rust
                | Lang::Python
                | Lang::Js
                | Lang::Go
                | Lang::Java
                | Lang::Kotlin
                | Lang::Ruby
                | Lang::Php
                | Lang::CSharp
                | Lang::C
                | Lang::Swift
                | Lang::Scala
        )
    }

    /// Where a value may stand unquoted after `=` or `:`.
    pub fn unquoted_values(self) -> bool {
        matches!(self, Lang::Config | Lang::Shell | Lang::Docker | Lang::Make)
    }
}

/// The last component of a `/`-separated path.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// What follows the last dot of a file name (lowercase in, lowercase out).
pub fn extension(name: &str) -> &str {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext,
        _ => "",
    }
}

/// Folders that hold tests, fixtures or snapshots.
const TEST_DIRS: &[&str] = &[
    "tests",
    "test",
    "__tests__",
    "spec",
    "specs",
    "testdata",
    "test_data",
    "fixtures",
    "__fixtures__",
    "__mocks__",
    "__snapshots__",
    "snapshots",
    "e2e",
    "cypress",
];

/// Whether a path is a test, a fixture or a snapshot by the conventions
/// of the common languages.
pub fn is_test(path: &str) -> bool {
    let mut parts = path.split('/');
    let name = parts.next_back().unwrap_or(path);
    if parts.any(|dir| TEST_DIRS.contains(&dir)) {
        return true;
    }
    let lower = name.to_ascii_lowercase();
    let stem = lower.rsplit_once('.').map_or(lower.as_str(), |(s, _)| s);
    // `*.test.ts`, `*.spec.js`, `*_test.go`, `test_*.py`, `*Test.java`, …
    stem.ends_with(".test")
        || stem.ends_with(".spec")
        || stem.ends_with("_test")
        || stem.ends_with("_tests")
        || stem.ends_with("_spec")
        || stem.starts_with("test_")
        || matches!(stem, "test" | "tests" | "conftest")
        || lower.ends_with(".snap")
        || [
            "Test.java",
            "Tests.java",
            "Test.kt",
            "Tests.kt",
            "Tests.swift",
            "Test.php",
            "Tests.cs",
            "Test.cs",
        ]
        .iter()
        .any(|suffix| name.ends_with(suffix))
}

/// Code that is not expected to come with tests of its own: examples,
/// benchmarks, scripts, build scripts, configuration written as code,
/// generated code and type declarations.
pub fn is_support_code(path: &str) -> bool {
    let name = file_name(path).to_ascii_lowercase();
    let in_dir = |dirs: &[&str]| path.split('/').rev().skip(1).any(|d| dirs.contains(&d));
    in_dir(&[
        "examples",
        "example",
        "benches",
        "bench",
        "benchmarks",
        "scripts",
        "docs",
        "migrations",
        "vendor",
    ]) || name == "build.rs"
        || name == "setup.py"
        || name == "manage.py"
        || name.ends_with(".d.ts")
        || name.contains(".config.")
        || name.ends_with(".min.js")
        || name.ends_with(".pb.go")
        || name.contains("_generated")
        || name.contains(".generated.")
}

/// Lockfiles, and the manifest each one is generated from.
pub const LOCKFILES: &[(&str, &str)] = &[
    ("Cargo.lock", "Cargo.toml"),
    ("package-lock.json", "package.json"),
    ("npm-shrinkwrap.json", "package.json"),
    ("yarn.lock", "package.json"),
    ("pnpm-lock.yaml", "package.json"),
    ("bun.lockb", "package.json"),
    ("bun.lock", "package.json"),
    ("poetry.lock", "pyproject.toml"),
    ("uv.lock", "pyproject.toml"),
    ("Pipfile.lock", "Pipfile"),
    ("go.sum", "go.mod"),
    ("Gemfile.lock", "Gemfile"),
    ("composer.lock", "composer.json"),
    ("mix.lock", "mix.exs"),
    ("pubspec.lock", "pubspec.yaml"),
    ("Package.resolved", "Package.swift"),
];

/// The manifest `path` is the lockfile of, if it is one.
pub fn lockfile_manifest(path: &str) -> Option<&'static str> {
    let name = file_name(path);
    LOCKFILES.iter().find(|(lock, _)| *lock == name).map(|(_, manifest)| *manifest)
}

/// Files whose long random-looking strings are hashes, not secrets.
pub fn holds_hashes(path: &str) -> bool {
    let name = file_name(path).to_ascii_lowercase();
    lockfile_manifest(path).is_some()
        || name.ends_with(".lock")
        || name.ends_with(".sum")
        || name.ends_with(".svg")
        || name.ends_with(".map")
        || name.ends_with(".min.js")
        || name.ends_with(".min.css")
        || name.ends_with(".snap")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages() {
        assert_eq!(Lang::of("src/lib.rs"), Lang::Rust);
        assert_eq!(Lang::of("web/App.TSX"), Lang::Js);
        assert_eq!(Lang::of(".env.local"), Lang::Config);
        assert_eq!(Lang::of("deploy/Dockerfile"), Lang::Docker);
        assert_eq!(Lang::of("README.md"), Lang::Docs);
        assert_eq!(Lang::of(".gitignore"), Lang::Other);
        assert!(Lang::of("a.go").is_code() && !Lang::of("a.yaml").is_code());
    }

    #[test]
    fn tests_by_convention() {
        for path in [
            "tests/integration/review.rs",
            "pkg/server_test.go",
            "app/test_views.py",
            "web/Button.test.tsx",
            "web/api.spec.ts",
            "src/main/java/FooTest.java",
            "spec/models/user_spec.rb",
            "sdk/diff/src/tests.rs",
            "web/__snapshots__/Button.test.tsx.snap",
            "lib/testdata/input.json",
        ] {
            assert!(is_test(path), "{path}");
        }
        for path in ["src/lib.rs", "src/testing_utils.rs", "contest.py", "src/latest.ts", "attest/x.go"] {
            assert!(!is_test(path), "{path}");
        }
    }

    #[test]
    fn support_code_and_lockfiles() {
        assert!(is_support_code("examples/demo/main.rs"));
        assert!(is_support_code("host/build.rs"));
        assert!(is_support_code("web/vite.config.ts"));
        assert!(!is_support_code("src/example_parser.rs"));
        assert_eq!(lockfile_manifest("web/package-lock.json"), Some("package.json"));
        assert_eq!(lockfile_manifest("go.sum"), Some("go.mod"));
        assert_eq!(lockfile_manifest("Cargo.toml"), None);
        assert!(holds_hashes("Cargo.lock") && holds_hashes("assets/logo.svg") && !holds_hashes("src/a.ts"));
    }
}
