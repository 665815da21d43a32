//! The risk classifier: deterministic, no network, microseconds per action.
//!
//! An action's subject (a shell command line, an argv, a path, a URL) is
//! parsed, its paths are canonicalized against the worktree, and rules per
//! program, path zone and host give it a [`Level`] with [`Reason`]s that
//! name the rule and the part that triggered it. What no rule knows is at
//! least `medium`: an unknown program is never allowed by default.
//!
//! [`Reason`]: crate::gate::level::Reason

#[cfg(test)]
mod judgments;
mod paths;
mod programs;
pub mod shell;
mod survey;
pub mod url;
mod walk;

use std::path::{Path, PathBuf};

pub use paths::{Located, Paths, Zone};
pub use url::HostStanding;

use crate::gate::level::{Access, Assessment, Level};
use crate::gate::verbs::{Effect, Judged};
use walk::Walker;

/// What an action acts on, as the classifier sees it.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// Nothing beyond the capability and verb (`ui.report`, `git.status`).
    None,
    /// A shell command line.
    Shell(&'a str),
    /// A program and its arguments, run without a shell, and the
    /// environment variables it is given (they can change what it runs).
    Argv { argv: &'a [String], env: &'a [(String, String)] },
    /// A workspace path.
    Path(&'a str),
    /// A workspace rename.
    Rename(&'a str, &'a str),
    /// An HTTP request.
    Url { method: &'a str, url: &'a str },
}

/// Longest command line judged; longer ones are asked about whole.
const MAX_COMMAND: usize = 256 * 1024;

/// Classifies the actions of one worktree.
pub struct Classifier {
    paths: Paths,
    hosts: Box<dyn Fn(&str) -> HostStanding + Send + Sync>,
}

impl std::fmt::Debug for Classifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classifier").field("paths", &self.paths).finish_non_exhaustive()
    }
}

impl Classifier {
    /// A classifier for the worktree at `root`, with `$HOME` from the
    /// environment and every host unlisted.
    pub fn new(root: &Path) -> Classifier {
        let root = root.canonicalize().unwrap_or_else(|_| paths::normalize(root));
        let home = std::env::var(crate::env::HOME).ok().filter(|h| h.starts_with('/')).map(|h| {
            let p = PathBuf::from(&h);
            p.canonicalize().unwrap_or(p).to_string_lossy().into_owned()
        });
        Classifier { paths: Paths::new(root, home), hosts: Box::new(|_| HostStanding::Unlisted) }
    }

    /// Use `home` as `$HOME` (for tests and embedding).
    pub fn with_home(mut self, home: Option<&str>) -> Classifier {
        self.paths = Paths::new(self.paths.root().to_path_buf(), home.map(String::from));
        self
    }

    /// Judge hosts by `standing` (the policy's allow and deny lists).
    pub fn with_hosts(
        mut self,
        standing: impl Fn(&str) -> HostStanding + Send + Sync + 'static,
    ) -> Classifier {
        self.hosts = Box::new(standing);
        self
    }

    pub fn root(&self) -> &Path {
        self.paths.root()
    }

    /// Classify `verb` of `capability` on `subject`.
    pub fn classify(&self, capability: &str, verb: &str, subject: Subject<'_>) -> Assessment {
        let mut a = Assessment::default();
        match (capability, subject) {
            ("process", Subject::Shell(line)) => self.command_line(&mut a, line),
            ("process", Subject::Argv { argv, env }) => {
                let size: usize =
                    argv.iter().chain(env.iter().flat_map(|(n, v)| [n, v])).map(String::len).sum();
                if size > MAX_COMMAND {
                    a.raise(Level::High, "shell.too-long", "the command is too long to judge");
                } else {
                    Walker::new(self, &mut a).argv(argv, env);
                }
            }
            ("workspace", Subject::Rename(from, to)) => {
                self.path(&mut a, "workspace", "remove", from);
                self.path(&mut a, "workspace", "write", to);
            }
            // A call the table judges by its path (the workspace's, and a
            // file of a sub-session's worktree): paths are relative to a
            // worktree, so the same zones hold.
            (cap, Subject::Path(p))
                if crate::gate::verbs::find(cap, verb).is_some_and(|v| matches!(v.judged, Judged::Path)) =>
            {
                self.path(&mut a, cap, verb, p)
            }
            ("http" | "browser", Subject::Url { method, url }) => {
                url::judge(&mut a, method, url, &*self.hosts)
            }
            // Everything else by its row in the verbs table (a call that
            // should name a command, path or URL and does not is asked about).
            (cap, _) => capability_level(&mut a, cap, verb),
        }
        a
    }

    fn command_line(&self, a: &mut Assessment, line: &str) {
        if line.len() > MAX_COMMAND {
            a.raise(Level::High, "shell.too-long", "the command line is too long to judge");
            return;
        }
        match shell::parse(line) {
            Ok(list) => {
                Walker::new(self, a).script(&list);
            }
            Err(e) => {
                a.raise(Level::High, "shell.unparsable", format!("the command line does not parse: {e}"))
            }
        }
        if a.facts.commands.is_empty() && a.reasons.is_empty() && line.trim().is_empty() {
            a.raise(Level::High, "shell.empty", "an empty command line");
        }
    }

    /// Calls on a path: reads, and writes, removes and renames.
    fn path(&self, a: &mut Assessment, capability: &str, verb: &str, raw: &str) {
        // Anything the table does not call a read is judged as a write.
        let access = match crate::gate::verbs::find(capability, verb).map(|v| v.effect) {
            Some(Effect::Read) => Access::Read,
            _ => Access::Write,
        };
        if raw.contains('\0') {
            a.raise(Level::High, "fs.bad-path", "the path contains a NUL byte");
            return;
        }
        let expanded = expand_home(raw, self.paths.home());
        let at = self.paths.locate(&expanded, self.paths.root());
        a.facts.paths.push((at.shown.clone(), access));
        if !at.zone.inside() {
            // The capability is scoped to the worktree: a path that leaves
            // it is an attempt to escape, whatever lies there.
            a.raise(Level::Critical, "fs.outside-workspace", format!("`{raw}` leads outside the worktree"));
            return;
        }
        let mut w = Walker::new(self, a);
        match access {
            Access::Read => w.zone_read(&at, raw, false),
            Access::Write => w.zone_write(&at, raw),
        }
    }
}

/// `~/x` and `$HOME/x` as the shell would see them.
fn expand_home(raw: &str, home: Option<&str>) -> String {
    let Some(home) = home else { return raw.to_string() };
    for prefix in ["~", "$HOME", "${HOME}"] {
        if let Some(rest) = raw.strip_prefix(prefix)
            && (rest.is_empty() || rest.starts_with('/'))
        {
            return format!("{home}{rest}");
        }
    }
    raw.to_string()
}

/// Capabilities whose calls carry no subject worth parsing.
/// A call judged by its verb alone, as the verbs table says.
fn capability_level(a: &mut Assessment, capability: &str, verb: &str) {
    match crate::gate::verbs::find(capability, verb).map(|v| v.judged) {
        Some(Judged::Safe) => {}
        Some(Judged::Writes) => a.writes(),
        Some(Judged::Level(level, rule, why)) => a.raise(level, rule, format!("{capability}.{verb} {why}")),
        // Judged by a subject it did not name.
        Some(Judged::Path) => {
            a.raise(Level::High, "fs.unknown", format!("{capability}.{verb} without a path"))
        }
        Some(Judged::Command) => a.raise(Level::High, "shell.unknown", "no command to judge"),
        Some(Judged::Url) => a.raise(Level::High, "net.unknown", "no URL to judge"),
        None => a.raise(
            Level::Medium,
            "capability.unknown",
            format!("`{capability}.{verb}` is not in the verbs table"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(capability: &str, verb: &str, subject: Subject<'_>) -> Level {
        Classifier::new(Path::new("/nonexistent/repo"))
            .with_home(Some("/home/u"))
            .classify(capability, verb, subject)
            .level
    }

    #[test]
    fn hostile_input_is_asked_about_never_allowed() {
        let long = "a".repeat(MAX_COMMAND + 1);
        assert_eq!(level("process", "run", Subject::Shell(&long)), Level::High);
        let deep = "$(".repeat(200) + &")".repeat(200);
        assert_eq!(level("process", "run", Subject::Shell(&deep)), Level::High);
        // Nesting without quoting: every `eval` judges the rest as a new line.
        let evals = "eval ".repeat(40) + "ls";
        assert!(level("process", "run", Subject::Shell(&evals)) >= Level::High, "deep eval nesting");
        assert_eq!(level("process", "run", Subject::Shell("eval eval ls")), Level::Safe);
        assert_eq!(level("process", "run", Subject::Shell("")), Level::High);
        assert_eq!(level("process", "run", Subject::Shell("echo 'open")), Level::High);
        assert_eq!(level("workspace", "write", Subject::Path("a\0b")), Level::High);
        assert_eq!(level("process", "run", Subject::Argv { argv: &[], env: &[] }), Level::Safe);
        assert_eq!(level("http", "send", Subject::None), Level::High);
        assert_eq!(level("teleport", "now", Subject::None), Level::Medium);
    }

    #[test]
    fn a_file_of_a_sub_sessions_worktree_is_judged_by_its_path() {
        assert_eq!(level("sessions", "read-file", Subject::Path("src/app.rs")), Level::Safe);
        assert_eq!(level("sessions", "read-file", Subject::Path("../../.ssh/id_rsa")), Level::Critical);
        assert!(level("sessions", "read-file", Subject::Path(".env")) > Level::Safe);
        assert_eq!(level("sessions", "read-file", Subject::None), Level::High);
    }
}
