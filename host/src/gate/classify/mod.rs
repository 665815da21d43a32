//! The risk classifier: deterministic, no network, microseconds per action.
//!
//! An action's subject (a shell command line, an argv, a path, a URL) is
//! parsed, its paths are canonicalized against the worktree, and rules per
//! program, path zone and host give it a [`Level`] with [`Reason`]s that
//! name the rule and the part that triggered it. What no rule knows is at
//! least `medium`: an unknown program is never allowed by default.
//!
//! [`Reason`]: crate::gate::level::Reason

mod paths;
mod programs;
pub mod shell;
pub mod url;
mod walk;

use std::path::{Path, PathBuf};

pub use paths::{Located, Paths, Zone};
pub use url::HostStanding;

use crate::gate::level::{Access, Assessment, Level};
use walk::Walker;

/// What an action acts on, as the classifier sees it.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// Nothing beyond the capability and verb (`ui.report`, `git.status`).
    None,
    /// A shell command line.
    Shell(&'a str),
    /// A program and its arguments, run without a shell.
    Argv(&'a [String]),
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
            ("process", Subject::Argv(argv)) => {
                if argv.iter().map(String::len).sum::<usize>() > MAX_COMMAND {
                    a.raise(Level::High, "shell.too-long", "the command is too long to judge");
                } else {
                    Walker::new(self, &mut a).argv(argv);
                }
            }
            ("process", _) => a.raise(Level::High, "shell.unknown", "no command to judge"),
            ("workspace", Subject::Path(p)) => self.workspace(&mut a, verb, p),
            ("workspace", Subject::Rename(from, to)) => {
                self.workspace(&mut a, "remove", from);
                self.workspace(&mut a, "write", to);
            }
            ("http" | "browser", Subject::Url { method, url }) => {
                url::judge(&mut a, method, url, &*self.hosts)
            }
            ("http", _) => a.raise(Level::High, "net.unknown", "no URL to judge"),
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

    /// `workspace` calls: reads, and writes, removes and renames.
    fn workspace(&self, a: &mut Assessment, verb: &str, raw: &str) {
        let access = match verb {
            "read" | "read-text" | "list" | "stat" | "glob" => Access::Read,
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
fn capability_level(a: &mut Assessment, capability: &str, verb: &str) {
    match (capability, verb) {
        ("log" | "ui", _) => {}
        ("git", "status" | "diff" | "changed-files" | "log" | "head" | "commit-message" | "session-base") => {
        }
        ("git", "commit") => a.writes(),
        ("git", _) => a.raise(Level::Medium, "git.unknown", format!("git.{verb} changes the repository")),
        ("sessions", "inspect" | "wait-any" | "wait-all" | "diff") => {}
        ("sessions", _) => a.writes(),
        // The session's own conversation, read back from its store.
        ("model", "history") => {}
        ("model", _) => {
            a.raise(Level::Low, "model.call", "sends the conversation to the configured model provider")
        }
        ("review" | "notify", _) => {
            a.raise(Level::Medium, "share.external", format!("{capability}.{verb} is seen by other people"))
        }
        ("workspace", _) => a.raise(Level::High, "fs.unknown", format!("workspace.{verb} without a path")),
        _ => a.raise(
            Level::Medium,
            "capability.unknown",
            format!("`{capability}.{verb}` is not known to the classifier"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every function of every interface in `wit/`, as `(interface, verb)`;
    /// methods of resources as `resource.method`.
    fn contract() -> Vec<(String, String)> {
        let mut resolve = wit_parser::Resolve::default();
        let wit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit");
        resolve.push_dir(&wit).expect("wit/ parses");
        let mut verbs = Vec::new();
        for (_, interface) in &resolve.interfaces {
            let Some(name) = &interface.name else { continue };
            for function in interface.functions.values() {
                let verb = function.name.rsplit(']').next().unwrap_or(&function.name).to_string();
                verbs.push((name.clone(), verb));
            }
        }
        verbs
    }

    #[test]
    fn every_function_of_the_contract_is_known_to_the_classifier() {
        let classifier = Classifier::new(Path::new("/nonexistent/repo")).with_home(Some("/home/u"));
        let argv = ["true".to_string()];
        let mut unknown = Vec::new();
        let verbs = contract();
        assert!(verbs.len() > 40, "the contract was not read: {verbs:?}");
        for (capability, verb) in &verbs {
            // Judged by their subject: any verb of theirs names one.
            let subject = match capability.as_str() {
                "process" => Subject::Argv(&argv),
                "workspace" => Subject::Path("src/lib.rs"),
                "http" | "browser" => Subject::Url { method: "GET", url: "https://example.com/" },
                _ => Subject::None,
            };
            let a = classifier.classify(capability, verb, subject);
            if a.reasons.iter().any(|r| r.rule.ends_with(".unknown")) {
                unknown.push(format!("{capability}.{verb}: {}", a.reasons[0]));
            }
        }
        assert!(
            unknown.is_empty(),
            "functions of wit/ the classifier does not know:\n{}",
            unknown.join("\n")
        );
    }

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
        assert_eq!(level("process", "run", Subject::Argv(&[])), Level::Safe);
        assert_eq!(level("http", "send", Subject::None), Level::High);
        assert_eq!(level("teleport", "now", Subject::None), Level::Medium);
    }
}
