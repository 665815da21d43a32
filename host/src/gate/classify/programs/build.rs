//! Builds, tests, linters and package managers. Building and testing the
//! project is routine; installing code from a registry is asked about;
//! publishing and system-wide installs are high.

use super::super::walk::{Arg, Call, Flow, Walker};
use super::files::option_value;
use crate::gate::level::Level;

/// How a subcommand of a build tool is judged.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Reads only.
    Read,
    /// Builds, tests, formats: writes inside the tree.
    Routine,
    /// Fetches and runs code from a registry, or changes dependencies.
    Install,
    /// Publishes, or changes the system or the user's account.
    Publish,
    /// Runs the command after it.
    Runs,
}

pub fn judge(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Option<Flow> {
    // `cargo +nightly build`: the toolchain comes before the subcommand.
    let sub = match c.args.first() {
        Some(first) if first.known && first.text.starts_with('+') => {
            c.args.get(1).filter(|a| a.known).map(|a| a.text.as_str())
        }
        _ => c.sub(),
    };
    let kind = match c.name {
        "cargo" => match sub? {
            "build" | "b" | "test" | "t" | "check" | "c" | "clippy" | "fmt" | "run" | "r" | "doc"
            | "bench" | "nextest" | "clean" | "new" | "init" | "fix" | "llvm-cov" | "tarpaulin"
            | "expand" | "miri" | "insta" | "machete" | "udeps" | "deny" | "audit" | "criterion"
            | "watch" | "generate-lockfile" | "hack" | "semver-checks" => Kind::Routine,
            "tree" | "metadata" | "search" | "version" | "help" | "locate-project" | "pkgid"
            | "read-manifest" | "verify-project" | "info" => Kind::Read,
            "add" | "remove" | "rm" | "install" | "uninstall" | "update" | "fetch" | "vendor"
            | "binstall" => Kind::Install,
            "publish" | "login" | "logout" | "owner" | "yank" => Kind::Publish,
            _ => Kind::Install,
        },
        "rustc" | "gcc" | "g++" | "cc" | "c++" | "clang" | "clang++" | "tsc" | "javac" | "kotlinc"
        | "swiftc" | "zig" | "ld" | "as" | "rustfmt" | "gofmt" | "goimports" | "eslint" | "prettier"
        | "black" | "ruff" | "mypy" | "flake8" | "pylint" | "isort" | "shellcheck" | "clang-format"
        | "clang-tidy" | "stylelint" | "biome" | "golangci-lint" | "pytest" | "jest" | "vitest" | "mocha"
        | "rspec" | "phpunit" | "ctest" | "tox" | "nox" | "ninja" | "meson" | "cmake" | "bazel"
        | "bazelisk" | "buck2" | "gradle" | "gradlew" | "mvn" | "mvnw" | "ant" | "sbt" | "mix"
        | "dotnet-test" | "rubocop" | "standardrb" | "ktlint" | "swiftlint" | "hadolint" | "yamllint"
        | "markdownlint" | "taplo" | "cargo-nextest" | "wasm-tools" | "wasm-opt" | "tsx" | "ts-node-test"
        | "playwright-test" | "coverage" | "pyright" | "rust-analyzer" | "cspell" | "codespell" | "typos"
        | "vue-tsc" | "webpack" | "vite" | "esbuild" | "rollup" | "parcel" | "turbo" | "nx" | "lerna-run"
        | "protoc" | "buf" | "sqlfluff" | "dprint" | "deno-fmt" => {
            let cmake_install = c.name == "cmake" && c.has(None, &["install"]);
            let deploys = matches!(c.name, "mvn" | "mvnw" | "gradle" | "gradlew")
                && c.args.iter().any(|a| a.is("deploy") || a.is("publish") || a.is("release:perform"));
            if cmake_install || deploys { Kind::Publish } else { Kind::Routine }
        }
        "make" | "gmake" if c.has(Some('n'), &["dry-run", "just-print", "recon"]) => Kind::Read,
        "make" | "gmake" | "just" | "task" | "rake" | "invoke" => {
            let targets: Vec<&str> =
                c.operands().filter(|a| !a.text.contains('=')).map(|a| a.text.as_str()).collect();
            if targets.iter().any(|t| {
                [
                    "deploy",
                    "release",
                    "publish",
                    "upload",
                    "push",
                    "install",
                    "uninstall",
                    "prod",
                    "production",
                ]
                .contains(t)
            }) {
                Kind::Publish
            } else {
                Kind::Routine
            }
        }
        "go" => match sub? {
            // `go run example.com/tool@latest` fetches the tool first.
            "run" if c.operands().any(|a| a.text.contains('@')) => Kind::Install,
            "build" | "test" | "vet" | "fmt" | "run" | "generate-check" | "mod" | "work" | "tool" | "fix" => {
                if sub == Some("mod") && c.args.iter().any(|a| a.is("download")) {
                    Kind::Install
                } else {
                    Kind::Routine
                }
            }
            "version" | "env" | "list" | "doc" | "help" => Kind::Read,
            "get" | "install" | "generate" => Kind::Install,
            _ => Kind::Install,
        },
        "npm" | "pnpm" | "yarn" | "bun" => node(c, sub),
        "npx" | "pnpx" | "bunx" => Kind::Install,
        "pip" | "pip3" | "uv" | "pipx" | "poetry" | "pipenv" | "pdm" | "conda" | "mamba" | "micromamba"
        | "hatch" => python(c, sub),
        "gem" | "bundle" | "bundler" | "composer" | "dotnet" | "nuget" | "cabal" | "stack" | "opam"
        | "rebar3" | "pub" | "dart" | "flutter" | "swift" | "deno" => match sub {
            Some("exec") if matches!(c.name, "bundle" | "bundler") => Kind::Runs,
            Some("test" | "build" | "check" | "fmt" | "lint" | "analyze" | "format" | "compile" | "run") => {
                Kind::Routine
            }
            Some(
                "list" | "info" | "show" | "outdated" | "version" | "--version" | "help" | "search" | "env"
                | "doctor",
            ) => Kind::Read,
            Some("publish" | "push" | "release" | "upload" | "login" | "owner" | "yank" | "signin") => {
                Kind::Publish
            }
            _ => Kind::Install,
        },
        "apt" | "apt-get" | "aptitude" | "dnf" | "yum" | "pacman" | "apk" | "zypper" | "emerge" | "snap"
        | "flatpak" | "port" | "pkg" | "nix-env" | "dpkg" | "rpm" => match sub {
            Some(
                "list" | "search" | "show" | "info" | "policy" | "-l" | "-L" | "-q" | "-Q" | "-Ss" | "-Si"
                | "-Qi" | "-s" | "madison" | "depends",
            ) => Kind::Read,
            _ => {
                w.a.raise(Level::High, "pkg.system", format!("{} changes the system's packages", c.line()));
                return Some(Flow::NONE);
            }
        },
        "brew" => match sub? {
            "list" | "info" | "search" | "outdated" | "deps" | "doctor" | "config" => Kind::Read,
            _ => Kind::Install,
        },
        _ => return None,
    };
    Some(apply(w, c, kind))
}

fn node(c: &Call<'_>, sub: Option<&str>) -> Kind {
    let global = c.has(Some('g'), &["global", "location"]);
    // `yarn --cwd web add`, `pnpm -C web install`: skip the folder option.
    const WITH_VALUE: &[&str] = &["--cwd", "--dir", "-C", "--prefix", "--filter", "-F", "--workspace", "-w"];
    let sub = match c.args.iter().position(|a| WITH_VALUE.contains(&a.text.as_str())) {
        Some(_) => {
            super::exec::skip_options(c.args, WITH_VALUE).first().filter(|a| a.known).map(|a| a.text.as_str())
        }
        None => sub,
    };
    if c.has(None, &["dry-run"]) && matches!(sub, Some("publish" | "pack")) {
        return Kind::Routine;
    }
    let kind = match (c.name, sub) {
        ("yarn", None) => Kind::Install,
        (_, None) => Kind::Read,
        (
            _,
            Some(
                "test" | "t" | "tst" | "run" | "run-script" | "rum" | "start" | "build" | "lint" | "format"
                | "typecheck" | "check" | "dev" | "stop" | "restart" | "pack" | "rebuild" | "prune"
                | "dedupe" | "fund" | "doctor" | "tsc" | "jest" | "vitest" | "eslint" | "prettier",
            ),
        ) => Kind::Routine,
        (
            _,
            Some(
                "ls" | "list" | "ll" | "la" | "outdated" | "view" | "info" | "show" | "why" | "explain"
                | "config-get" | "help" | "version" | "-v" | "--version" | "search" | "bin" | "root"
                | "prefix" | "whoami",
            ),
        ) => Kind::Read,
        (_, Some("audit")) if !c.args.iter().any(|a| a.is("fix")) => Kind::Read,
        (
            _,
            Some(
                "publish" | "unpublish" | "deprecate" | "adduser" | "login" | "logout" | "owner" | "token"
                | "access" | "dist-tag" | "team" | "org" | "npm-publish",
            ),
        ) => Kind::Publish,
        (_, Some("exec" | "x" | "dlx" | "create" | "init")) => Kind::Install,
        ("yarn" | "pnpm" | "bun", Some(script))
            if ![
                "add",
                "install",
                "i",
                "remove",
                "rm",
                "up",
                "upgrade",
                "update",
                "link",
                "unlink",
                "global",
                "import",
                "set",
                "config",
                "patch",
                "plugin",
                "dlx",
                "x",
                "ci",
                "uninstall",
                "un",
                "r",
                "audit",
                "outdated",
            ]
            .contains(&script) =>
        {
            // `yarn build`: a script of the project's package.json.
            Kind::Routine
        }
        _ => Kind::Install,
    };
    if global && kind == Kind::Install { Kind::Publish } else { kind }
}

fn python(c: &Call<'_>, sub: Option<&str>) -> Kind {
    match (c.name, sub) {
        (
            _,
            Some(
                "list" | "show" | "freeze" | "check" | "--version" | "-V" | "help" | "search" | "info"
                | "env" | "config" | "debug" | "inspect" | "tree",
            ),
        ) => Kind::Read,
        ("uv" | "poetry" | "pipenv" | "pdm" | "hatch", Some("run")) => Kind::Runs,
        ("uv", Some("pip")) => match c.args.get(1).map(|a| a.text.as_str()) {
            Some("list" | "show" | "freeze" | "check" | "tree") => Kind::Read,
            _ => Kind::Install,
        },
        ("poetry" | "uv" | "pdm" | "hatch", Some("build" | "lock" | "fmt" | "test")) => Kind::Routine,
        (_, Some("publish" | "upload")) => Kind::Publish,
        _ => Kind::Install,
    }
}

fn apply(w: &mut Walker<'_, '_>, c: &Call<'_>, kind: Kind) -> Flow {
    let kind = if kind == Kind::Publish && c.has(None, &["dry-run"]) { Kind::Routine } else { kind };
    side_effects(w, c);
    match kind {
        Kind::Read => {}
        Kind::Routine => w.a.writes(),
        Kind::Install => w.a.raise(
            Level::Medium,
            "pkg.install",
            format!("{} fetches and runs code from a package registry", c.line()),
        ),
        Kind::Publish => w.a.raise(
            Level::High,
            "pkg.publish",
            format!("{} publishes, deploys or installs system-wide", c.line()),
        ),
        Kind::Runs => {
            w.a.writes();
            // `poetry run pytest`: judge the command after `run`/`exec`.
            let at = c.args.iter().position(|a| a.is("run") || a.is("exec")).map_or(c.args.len(), |i| i + 1);
            let rest: Vec<Arg> = c.args[at..].iter().skip_while(|a| a.is_flag()).cloned().collect();
            return w.words(&rest);
        }
    }
    Flow::NONE
}

/// What a build tool does besides building: outputs named with `-o`,
/// programs it runs (`go test -exec`, `make --eval '$(shell …)'`), a
/// makefile from stdin, and projects outside the worktree.
fn side_effects(w: &mut Walker<'_, '_>, c: &Call<'_>) {
    if let Some(out) = option_value(c, "-o", "--output").filter(|o| !o.is("-")) {
        w.write(&out);
    }
    for (short, long) in [("-exec", "-exec"), ("-toolexec", "-toolexec"), ("", "--eval")] {
        let value = option_value(c, if short.is_empty() { long } else { short }, long);
        if let Some(v) = value {
            w.a.raise(
                Level::High,
                "build.runs-program",
                format!("{} runs `{}` as part of the build", c.line(), v.text),
            );
            let code = v.text.split("$(shell ").nth(1).map_or(v.text.as_str(), |r| r.trim_end_matches(')'));
            w.nested_line(code, c.name);
        }
    }
    if matches!(c.name, "make" | "gmake") {
        if option_value(c, "-f", "--file").is_some_and(|f| f.is("-") || f.is("/dev/stdin")) {
            w.a.raise(
                Level::High,
                "build.stdin-makefile",
                format!("{} runs a makefile read from standard input", c.line()),
            );
            if let Some(text) = w.stdin_text.take() {
                for recipe in text.lines().filter(|l| l.starts_with('\t')) {
                    w.nested_line(recipe.trim(), "make");
                }
            }
        }
        for a in c.operands().filter(|a| a.text.starts_with("SHELL=") || a.text.starts_with("MAKEFLAGS=")) {
            w.a.raise(Level::High, "env.hijack", format!("{} sets `{}`", c.line(), a.text));
        }
    }
    for (short, long) in [("-C", "--directory"), ("", "--manifest-path")] {
        let dir = option_value(c, if short.is_empty() { long } else { short }, long);
        if let Some(at) = dir.and_then(|d| w.locate(&d))
            && !at.zone.inside()
        {
            w.a.raise(
                Level::Medium,
                "build.outside",
                format!("{} builds `{}`, outside the worktree", c.line(), at.shown),
            );
        }
    }
}
