//! Variables: those set earlier on the line, those whose value changes
//! what programs load or run, and those whose name says they hold a
//! credential.

use super::Walker;
use super::call::Arg;
use super::flow::Taint;
use crate::gate::classify::Zone;
use crate::gate::level::Level;

impl Walker<'_, '_> {
    /// A variable's value, when this line set it or it is `$HOME`.
    pub(super) fn var(&self, name: &str) -> Option<String> {
        match self.vars.iter().rev().find(|(n, _)| n == name) {
            Some((_, v)) => Some(v.clone()),
            None if name == "HOME" => self.home().map(String::from),
            None => None,
        }
    }

    /// A variable set for a command (`NAME=v cmd`, `env NAME=v`, `export`,
    /// the environment a skill passes to `process.run`): some change what
    /// programs load or run, and some hold a command line.
    pub fn environment(&mut self, name: &str, value: &Arg) {
        if name == "PATH" {
            return self.search_path(value);
        }
        // `GIT_PAGER=cat`: a command line, judged as one; one that runs
        // anything but a harmless program is a hijack.
        if RUNS_ITS_VALUE.contains(&name) && value.known {
            let code = value.text.trim_start_matches(['|', '!']);
            let mut sub = crate::gate::level::Assessment::default();
            let mut inner = Walker::new(self.cx, &mut sub);
            inner.depth = self.depth + 1;
            inner.nested_line(code, name);
            // An editor or a pager is interactive, not a hijack.
            if sub.reasons.iter().any(|r| r.level >= Level::Medium && r.rule != "exec.interactive") {
                self.a.raise(
                    Level::High,
                    "env.hijack",
                    format!("`{name}={}` makes programs run `{}`", value.text, code.trim()),
                );
            }
            self.a.absorb(sub);
            return;
        }
        if !hijacks(name, &value.text) {
            return;
        }
        // Other variables (`LD_PRELOAD`, `GIT_CONFIG_*`) change what runs
        // in ways no line shows.
        self.a.raise(Level::High, "env.hijack", format!("`{name}=…` changes what programs load or run"));
        if value.known && name.starts_with("GIT_CONFIG") {
            self.nested_line(value.text.trim_start_matches(['|', '!']), name);
        }
    }

    /// `PATH=…`: a folder of the worktree, a relative entry (the current
    /// folder, wherever a program runs) or a temporary folder puts programs
    /// anyone could have written before the system's own.
    fn search_path(&mut self, value: &Arg) {
        for entry in value.text.split(':') {
            if matches!(entry, "$PATH" | "${PATH}") {
                continue;
            }
            let why = if entry.is_empty() || !entry.starts_with(['/', '$', '~']) {
                Some("a relative folder, so programs are looked up wherever the command runs")
            } else if entry.starts_with('/') {
                match self.cx.paths.locate(entry, self.cx.root()).zone {
                    z if z.inside() => Some("a folder of the worktree, whose programs anyone here can write"),
                    Zone::Temp => Some("a temporary folder, whose programs anyone can write"),
                    _ => None,
                }
            } else {
                None
            };
            if let Some(why) = why {
                self.a.raise(
                    Level::High,
                    "env.hijack",
                    format!("`PATH={}` runs programs from `{entry}`, {why}", value.text),
                );
            }
        }
    }

    pub(super) fn var_taint(&self, name: &str) -> Taint {
        self.var_taints.iter().rev().find(|(n, _)| n == name).map_or(Taint::default(), |(_, t)| *t)
    }

    /// Remember `NAME=value` for the rest of the line; a value not known
    /// forgets any earlier one.
    pub fn set_var(&mut self, name: &str, value: Option<String>) {
        self.vars.retain(|(n, _)| n != name);
        if let Some(v) = value {
            self.vars.push((name.to_string(), v));
        }
    }
}

/// Whether setting `name` (to `value`) changes what a program loads or
/// runs: libraries preloaded, options an interpreter reads at start, git's
/// configuration and helpers, cargo's wrappers, linkers and runners.
fn hijacks(name: &str, value: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    if HIJACKING_VARIABLES.contains(&name)
        || ["LD_", "DYLD_", "GIT_CONFIG", "NPM_CONFIG_"].iter().any(|p| upper.starts_with(p))
    {
        return true;
    }
    // `NODE_OPTIONS`, `JAVA_TOOL_OPTIONS`, `MAVEN_OPTS`: flags that load code.
    if upper.ends_with("_OPTIONS") || upper.ends_with("_OPTS") || upper == "PERL5OPT" || upper == "RUBYOPT" {
        return true;
    }
    if let Some(rest) = name.strip_prefix("GIT_") {
        let harmless = [
            "AUTHOR_",
            "COMMITTER_",
            "TERMINAL_PROMPT",
            "OPTIONAL_LOCKS",
            "FLUSH",
            "PROGRESS_DELAY",
            "MERGE_VERBOSITY",
            "LFS_SKIP_SMUDGE",
        ]
        .iter()
        .any(|h| rest.starts_with(h));
        // `GIT_TRACE=1` prints; `GIT_TRACE=/path` writes that file.
        let tracing = rest.starts_with("TRACE") && matches!(value, "" | "0" | "1" | "2" | "true" | "false");
        return !(harmless || tracing);
    }
    if let Some(rest) = name.strip_prefix("CARGO_") {
        let harmless =
            ["TERM_", "INCREMENTAL", "PROFILE_", "BUILD_JOBS", "NET_", "HTTP_", "TARGET_DIR", "LOG"]
                .iter()
                .any(|h| rest.starts_with(h))
                && !rest.ends_with("_LINKER")
                && !rest.ends_with("_RUNNER");
        return !harmless;
    }
    // `RUSTFLAGS='-C linker=./x'`: the linker is a program rustc runs.
    matches!(name, "RUSTFLAGS" | "RUSTDOCFLAGS" | "CARGO_ENCODED_RUSTFLAGS")
        && ["linker", "link-arg", "codegen-backend", "plugin"].iter().any(|k| value.contains(k))
}

/// Variables whose value is a command line some program runs.
const RUNS_ITS_VALUE: &[&str] = &[
    "GIT_SSH_COMMAND",
    "GIT_EXTERNAL_DIFF",
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "GIT_PAGER",
    "GIT_ASKPASS",
    "LESSOPEN",
    "LESSCLOSE",
    "PROMPT_COMMAND",
    "EDITOR",
    "VISUAL",
    "PAGER",
    "SHELL",
    "CC",
    "CXX",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
];

/// Variables that change what a program loads or runs.
const HIJACKING_VARIABLES: &[&str] = &[
    "LD_PRELOAD",
    "LD_LIBRARY_PATH",
    "LD_AUDIT",
    "DYLD_INSERT_LIBRARIES",
    "BASH_ENV",
    "ENV",
    "PROMPT_COMMAND",
    "GIT_SSH_COMMAND",
    "GIT_SSH",
    "GIT_EXEC_PATH",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_CONFIG_GLOBAL",
    "GIT_ASKPASS",
    "NODE_OPTIONS",
    "PYTHONSTARTUP",
    "PERL5OPT",
    "RUBYOPT",
    "EDITOR",
    "VISUAL",
    "PAGER",
    "GIT_EXTERNAL_DIFF",
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "GIT_PAGER",
    "LESSOPEN",
    "LESSCLOSE",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_BUILD_RUSTC_WRAPPER",
    "RUSTC",
    "MAKEFLAGS",
    "SHELL",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "PERL5LIB",
    "PERLLIB",
    "RUBYLIB",
    "NODE_PATH",
    "CLASSPATH",
    "RUSTDOC",
    "CC",
    "CXX",
    "ZDOTDIR",
];

/// A variable whose name says it holds a credential (`$GITHUB_TOKEN`,
/// `$AWS_SECRET_ACCESS_KEY`, `$DB_PASSWORD`).
pub fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "API_KEY",
        "APIKEY",
        "ACCESS_KEY",
        "PRIVATE_KEY",
        "CREDENTIAL",
        "AUTH",
        "COOKIE",
        "SESSION",
        "KUBECONFIG",
    ]
    .iter()
    .any(|k| upper.contains(k))
}
