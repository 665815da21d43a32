//! The verbs table: every function of the contract (`wit/`), the
//! permission it needs, what it does to the world and how the classifier
//! judges it. One row per function; a test parses `wit/` and fails while a
//! function has no row or a row names no function, so a new capability is
//! its WIT file, its `caps/<x>.rs` and its rows here.

use super::Permission;
use super::level::Level;

/// What a call does to the world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Looks: nothing changes.
    Read,
    /// Changes the worktree or the session's repository.
    Write,
    /// Reaches beyond the machine or other people: a model provider, a
    /// network host, a pull request, a chat.
    External,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Read => "read",
            Effect::Write => "write",
            Effect::External => "external",
        }
    }
}

/// How the classifier judges a call of the verb.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judged {
    /// By the verb alone, as safe.
    Safe,
    /// By the verb alone, as routine work in the worktree.
    Writes,
    /// By the verb alone, at a level, with a rule and the why.
    Level(Level, &'static str, &'static str),
    /// By the command line or argv it runs.
    Command,
    /// By the workspace path (or paths) it names.
    Path,
    /// By the URL it reaches.
    Url,
}

/// One function of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verb {
    /// The interface: `workspace`, `git`, …
    pub capability: &'static str,
    /// The function, as the WIT spells it (resource methods by their name).
    pub name: &'static str,
    /// What a call needs granted; `None` for calls that reach only the
    /// terminal and pass no gate (`log`).
    pub permission: Option<Permission>,
    pub effect: Effect,
    pub judged: Judged,
}

const fn verb(
    capability: &'static str,
    name: &'static str,
    permission: Permission,
    effect: Effect,
    judged: Judged,
) -> Verb {
    Verb { capability, name, permission: Some(permission), effect, judged }
}

use Effect::{External, Read, Write};
use Judged::{Command, Path, Safe, Url, Writes};
use Permission as P;

const MODEL_CALL: Judged =
    Judged::Level(Level::Low, "model.call", "sends the conversation to the configured model provider");
const SHARED: Judged = Judged::Level(Level::Medium, "share.external", "is seen by other people");
// Asks the code host (with the user's token) which pull request a branch
// has: nothing is shown to anyone.
const CODE_HOST_LOOKUP: Judged =
    Judged::Level(Level::Low, "review.lookup", "asks the code host about a pull request");
// The page's reach was judged when it was opened (by its URL), and every
// request it makes is judged by its host: acting on it adds little.
const ON_A_PAGE: Judged = Judged::Level(Level::Low, "browser.page", "acts on a page the skill opened");
// A script is code the skill wrote, run with the page's reach.
const PAGE_SCRIPT: Judged =
    Judged::Level(Level::High, "browser.eval", "runs a script of the skill's own in the page");

// The program was judged by its command line when it was started.
const ON_A_PROGRAM: Judged =
    Judged::Level(Level::Low, "process.running", "acts on a program the skill started");

/// Every function of the contract.
pub const VERBS: &[Verb] = &[
    Verb { capability: "log", name: "log", permission: None, effect: Read, judged: Safe },
    Verb { capability: "log", name: "progress", permission: None, effect: Read, judged: Safe },
    verb("workspace", "read", P::WorkspaceRead, Read, Path),
    verb("workspace", "read-text", P::WorkspaceRead, Read, Path),
    verb("workspace", "list", P::WorkspaceRead, Read, Path),
    verb("workspace", "glob", P::WorkspaceRead, Read, Path),
    verb("workspace", "stat", P::WorkspaceRead, Read, Path),
    verb("workspace", "write", P::WorkspaceWrite, Write, Path),
    verb("workspace", "remove", P::WorkspaceWrite, Write, Path),
    verb("workspace", "rename", P::WorkspaceWrite, Write, Path),
    verb("workspace", "export-commit", P::WorkspaceWrite, Write, Path),
    verb("process", "run", P::Process, Write, Command),
    verb("process", "start", P::Process, Write, Command),
    verb("process", "address", P::Process, Read, Safe),
    // Reaches only the program the skill started, on the host's loopback.
    verb("process", "http-status", P::Process, Read, Safe),
    verb("process", "output", P::Process, Read, Safe),
    verb("process", "try-wait", P::Process, Read, Safe),
    verb("process", "stop", P::Process, Write, ON_A_PROGRAM),
    verb("git", "status", P::GitRead, Read, Safe),
    verb("git", "diff", P::GitRead, Read, Safe),
    verb("git", "changed-files", P::GitRead, Read, Safe),
    verb("git", "log", P::GitRead, Read, Safe),
    verb("git", "head", P::GitRead, Read, Safe),
    verb("git", "commit-message", P::GitRead, Read, Safe),
    verb("git", "session-base", P::GitRead, Read, Safe),
    verb("git", "commit", P::GitWrite, Write, Writes),
    verb("model", "complete", P::Model, External, MODEL_CALL),
    // The session's own conversation, read back from its store.
    verb("model", "history", P::Model, Read, Safe),
    verb("sessions", "spawn", P::Sessions, Write, Writes),
    verb("sessions", "spawn-with-budget", P::Sessions, Write, Writes),
    // Its `pr-draft` is judged as well, as `review.open` of the new branch.
    verb("sessions", "spawn-then", P::Sessions, Write, Writes),
    verb("sessions", "wait-any", P::Sessions, Read, Safe),
    verb("sessions", "wait-all", P::Sessions, Read, Safe),
    verb("sessions", "inspect", P::Sessions, Read, Safe),
    verb("sessions", "diff", P::Sessions, Read, Safe),
    // A file of a session's worktree: judged by its path, as a read of it.
    verb("sessions", "read-file", P::Sessions, Read, Path),
    verb("sessions", "cancel", P::Sessions, Write, Writes),
    verb("ui", "report", P::Ui, Read, Safe),
    verb("ui", "ask", P::Ui, Read, Safe),
    verb("ui", "messages", P::Ui, Read, Safe),
    verb("browser", "open", P::Browser, External, Url),
    verb("browser", "goto", P::Browser, External, Url),
    verb("browser", "click", P::Browser, External, ON_A_PAGE),
    verb("browser", "type", P::Browser, External, ON_A_PAGE),
    verb("browser", "press", P::Browser, External, ON_A_PAGE),
    verb("browser", "wait-for", P::Browser, External, ON_A_PAGE),
    verb("browser", "wait-for-text", P::Browser, External, ON_A_PAGE),
    verb("browser", "text", P::Browser, External, ON_A_PAGE),
    verb("browser", "eval", P::Browser, External, PAGE_SCRIPT),
    verb("browser", "screenshot", P::Browser, External, ON_A_PAGE),
    verb("browser", "console-errors", P::Browser, External, ON_A_PAGE),
    verb("browser", "failed-requests", P::Browser, External, ON_A_PAGE),
    verb("browser", "close", P::Browser, External, ON_A_PAGE),
    verb("browser", "record-start", P::Browser, External, ON_A_PAGE),
    verb("browser", "step", P::Browser, External, ON_A_PAGE),
    verb("browser", "record-stop", P::Browser, External, ON_A_PAGE),
    verb("review", "open", P::Review, External, SHARED),
    verb("review", "find", P::Review, External, CODE_HOST_LOOKUP),
    verb("review", "comment", P::Review, External, SHARED),
    verb("review", "set-status", P::Review, External, SHARED),
    verb("review", "attach", P::Review, External, SHARED),
    verb("review", "post-review", P::Review, External, SHARED),
    verb("notify", "send", P::Notify, External, SHARED),
    verb("notify", "share-evidence", P::Notify, External, SHARED),
    verb("http", "send", P::Http, External, Url),
    // The session's evidence bundle, which the host writes under the git
    // directory, for the human.
    verb("evidence", "add", P::Ui, Write, Writes),
    verb("evidence", "entries", P::Ui, Read, Safe),
];

/// The row of `capability.name`, if the contract has that function.
pub fn find(capability: &str, name: &str) -> Option<&'static Verb> {
    VERBS.iter().find(|v| v.capability == capability && v.name == name)
}

/// What `permission` lets a skill call, by interface:
/// `workspace.{read, read-text, list, glob, stat}`.
pub fn covered(permission: Permission) -> String {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for v in VERBS.iter().filter(|v| v.permission == Some(permission)) {
        match groups.iter_mut().find(|(c, _)| *c == v.capability) {
            Some((_, names)) => names.push(v.name),
            None => groups.push((v.capability, vec![v.name])),
        }
    }
    let one = |(c, names): &(&str, Vec<&str>)| match names.as_slice() {
        [single] => format!("{c}.{single}"),
        many => format!("{c}.{{{}}}", many.join(", ")),
    };
    groups.iter().map(one).collect::<Vec<_>>().join(", ")
}

/// The long help of `--allow`: each permission and what it lets a skill call.
pub fn allow_help() -> String {
    let mut help = String::from(
        "Grant a permission the skill requests. Repeat or separate with commas; `workspace` or `git` \
         grant both halves, `all` every permission.\n\nPermissions and what each lets a skill call:",
    );
    for p in Permission::ALL {
        help.push_str(&format!("\n  {:<16} {}", p.as_str(), covered(p)));
    }
    help
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Every function of every interface in `wit/`, as `(interface, name)`;
    /// methods of resources by their own name.
    fn contract() -> BTreeSet<(String, String)> {
        let mut resolve = wit_parser::Resolve::default();
        let wit = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit");
        resolve.push_dir(&wit).expect("wit/ parses");
        let mut functions = BTreeSet::new();
        for (_, interface) in &resolve.interfaces {
            let Some(name) = &interface.name else { continue };
            for function in interface.functions.values() {
                let own = function.name.rsplit(['.', ']']).next().unwrap_or(&function.name);
                functions.insert((name.clone(), own.to_string()));
            }
        }
        functions
    }

    #[test]
    fn every_function_of_the_contract_has_one_row_and_every_row_a_function() {
        let contract = contract();
        assert!(contract.len() > 40, "the contract was not read: {contract:?}");
        let rows: BTreeSet<(String, String)> =
            VERBS.iter().map(|v| (v.capability.to_string(), v.name.to_string())).collect();
        assert_eq!(rows.len(), VERBS.len(), "a function has two rows");
        let missing: Vec<_> = contract.difference(&rows).collect();
        let stale: Vec<_> = rows.difference(&contract).collect();
        assert!(missing.is_empty(), "functions of wit/ with no row in the verbs table: {missing:?}");
        assert!(stale.is_empty(), "rows of the verbs table that name no function of wit/: {stale:?}");
    }

    /// The SDK documents each permission constant with what it covers, as
    /// this table says. `GROVE_BLESS=1` rewrites the SDK's lines.
    #[test]
    fn the_sdk_documents_each_permission_from_the_table() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/src/permission.rs");
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mut stale = Vec::new();
        for p in Permission::ALL {
            let declared = format!("&str = \"{}\";", p.as_str());
            let at = lines.iter().position(|l| l.starts_with("pub const") && l.ends_with(&declared));
            let at = at.unwrap_or_else(|| panic!("the SDK has no constant for `{p}`"));
            let doc = format!("/// Lets a skill call {}.", covered(p));
            if lines[at - 1] != doc {
                stale.push(format!("{p}: {:?} should be {doc:?}", lines[at - 1]));
                lines[at - 1] = doc;
            }
        }
        if !stale.is_empty() && std::env::var_os("GROVE_BLESS").is_some() {
            std::fs::write(&path, lines.join("\n") + "\n").unwrap();
            return;
        }
        assert!(stale.is_empty(), "sdk/src/permission.rs (rerun with GROVE_BLESS=1):\n{}", stale.join("\n"));
    }

    #[test]
    fn reads_are_judged_gently_and_need_a_read_permission() {
        for v in VERBS {
            if v.effect == Effect::Read && v.capability != "ui" && v.capability != "log" {
                assert!(matches!(v.judged, Judged::Safe | Judged::Path), "{}.{}", v.capability, v.name);
            }
            if v.effect == Effect::Write {
                assert!(
                    !matches!(v.permission, Some(P::WorkspaceRead | P::GitRead)),
                    "{}.{} writes with a read permission",
                    v.capability,
                    v.name
                );
            }
        }
    }
}
