//! The verbs table: every function of the contract (`wit/`), the
//! permission it needs, what it does to the world and how the classifier
//! judges it. One row per function; a test parses `wit/` and fails while a
//! function has no row or a row names no function, so a new capability is
//! its WIT file, its `caps/<x>.rs` and its rows here.
//!
//! A row is a function by its interface and name in every release of the
//! contract: a component built against 0.1.0 calls `browser.screenshot`
//! in 0.1.0's shape, which `caps/since_v0_1_0/` hands to the current
//! `screenshot`, so the call is judged and audited by the same row. Each
//! row says the first release that had it; a test parses the frozen
//! `wit/since_v0.1.0/` and fails while those differ.

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

/// A release of the contract, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Release {
    /// `wit/since_v0.1.0/`, frozen.
    V0_1_0,
    /// `wit/`, the current contract.
    V0_2_0,
}

impl Release {
    /// The contract `wit/` holds, which skills are built against.
    pub const CURRENT: Release = Release::V0_2_0;

    pub fn as_str(self) -> &'static str {
        match self {
            Release::V0_1_0 => "0.1.0",
            Release::V0_2_0 => "0.2.0",
        }
    }

    /// The release an import of the contract names: `grove:skill/git@0.1.0`
    /// is of 0.1.0. `None` for another package's import, or a version no
    /// release of grove's has (the linker refuses such a component).
    pub fn of_import(import: &str) -> Option<Release> {
        let (_, version) = import.strip_prefix("grove:skill/")?.split_once('@')?;
        // 0.x: a patch release is the same contract.
        match version.split('.').take(2).collect::<Vec<_>>().as_slice() {
            ["0", "1"] => Some(Release::V0_1_0),
            ["0", "2"] => Some(Release::V0_2_0),
            _ => None,
        }
    }
}

/// `git` of `grove:skill/git@0.1.0`; `None` for other packages' interfaces.
pub fn interface_of(import: &str) -> Option<&str> {
    let rest = import.strip_prefix("grove:skill/")?;
    Some(rest.split('@').next().unwrap_or(rest))
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
    /// The first release of the contract with a function of this name in
    /// this interface.
    pub since: Release,
}

/// A row of a function 0.1.0 had (in its shape or another).
const fn verb(
    capability: &'static str,
    name: &'static str,
    permission: Permission,
    effect: Effect,
    judged: Judged,
) -> Verb {
    Verb { capability, name, permission: Some(permission), effect, judged, since: Release::V0_1_0 }
}

impl Verb {
    /// The row of a function `release` added.
    const fn added_in(self, release: Release) -> Verb {
        Verb { since: release, ..self }
    }
}

use Effect::{External, Read, Write};
use Judged::{Command, Path, Safe, Url, Writes};
use Permission as P;
use Release::{V0_1_0, V0_2_0};

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
    Verb { capability: "log", name: "log", permission: None, effect: Read, judged: Safe, since: V0_1_0 },
    Verb { capability: "log", name: "progress", permission: None, effect: Read, judged: Safe, since: V0_1_0 },
    verb("workspace", "read", P::WorkspaceRead, Read, Path),
    verb("workspace", "read-text", P::WorkspaceRead, Read, Path),
    verb("workspace", "list", P::WorkspaceRead, Read, Path),
    verb("workspace", "glob", P::WorkspaceRead, Read, Path),
    verb("workspace", "stat", P::WorkspaceRead, Read, Path),
    verb("workspace", "write", P::WorkspaceWrite, Write, Path),
    verb("workspace", "remove", P::WorkspaceWrite, Write, Path),
    verb("workspace", "rename", P::WorkspaceWrite, Write, Path),
    verb("workspace", "export-commit", P::WorkspaceWrite, Write, Path).added_in(V0_2_0),
    verb("process", "run", P::Process, Write, Command),
    verb("process", "start", P::Process, Write, Command).added_in(V0_2_0),
    verb("process", "address", P::Process, Read, Safe).added_in(V0_2_0),
    // Reaches only the program the skill started, on the host's loopback.
    verb("process", "http-status", P::Process, Read, Safe).added_in(V0_2_0),
    verb("process", "output", P::Process, Read, Safe).added_in(V0_2_0),
    verb("process", "try-wait", P::Process, Read, Safe).added_in(V0_2_0),
    verb("process", "stop", P::Process, Write, ON_A_PROGRAM).added_in(V0_2_0),
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
    verb("sessions", "spawn-with-budget", P::Sessions, Write, Writes).added_in(V0_2_0),
    // Its `pr-draft` is judged as well, as `review.open` of the new branch.
    verb("sessions", "spawn-then", P::Sessions, Write, Writes).added_in(V0_2_0),
    verb("sessions", "wait-any", P::Sessions, Read, Safe),
    verb("sessions", "wait-all", P::Sessions, Read, Safe),
    verb("sessions", "inspect", P::Sessions, Read, Safe),
    verb("sessions", "diff", P::Sessions, Read, Safe),
    // A file of a session's worktree: judged by its path, as a read of it.
    verb("sessions", "read-file", P::Sessions, Read, Path).added_in(V0_2_0),
    verb("sessions", "cancel", P::Sessions, Write, Writes),
    verb("ui", "report", P::Ui, Read, Safe),
    verb("ui", "ask", P::Ui, Read, Safe),
    verb("ui", "messages", P::Ui, Read, Safe),
    verb("browser", "open", P::Browser, External, Url),
    verb("browser", "goto", P::Browser, External, Url),
    verb("browser", "click", P::Browser, External, ON_A_PAGE),
    verb("browser", "type", P::Browser, External, ON_A_PAGE),
    verb("browser", "press", P::Browser, External, ON_A_PAGE).added_in(V0_2_0),
    verb("browser", "wait-for", P::Browser, External, ON_A_PAGE),
    verb("browser", "wait-for-text", P::Browser, External, ON_A_PAGE).added_in(V0_2_0),
    verb("browser", "text", P::Browser, External, ON_A_PAGE).added_in(V0_2_0),
    verb("browser", "eval", P::Browser, External, PAGE_SCRIPT).added_in(V0_2_0),
    verb("browser", "screenshot", P::Browser, External, ON_A_PAGE),
    verb("browser", "console-errors", P::Browser, External, ON_A_PAGE).added_in(V0_2_0),
    verb("browser", "failed-requests", P::Browser, External, ON_A_PAGE).added_in(V0_2_0),
    verb("browser", "close", P::Browser, External, ON_A_PAGE).added_in(V0_2_0),
    verb("browser", "record-start", P::Browser, External, ON_A_PAGE),
    verb("browser", "step", P::Browser, External, ON_A_PAGE).added_in(V0_2_0),
    verb("browser", "record-stop", P::Browser, External, ON_A_PAGE),
    verb("review", "open", P::Review, External, SHARED),
    verb("review", "find", P::Review, External, CODE_HOST_LOOKUP).added_in(V0_2_0),
    verb("review", "comment", P::Review, External, SHARED),
    verb("review", "set-status", P::Review, External, SHARED),
    verb("review", "attach", P::Review, External, SHARED),
    verb("review", "post-review", P::Review, External, SHARED).added_in(V0_2_0),
    verb("notify", "send", P::Notify, External, SHARED),
    verb("notify", "share-evidence", P::Notify, External, SHARED).added_in(V0_2_0),
    verb("http", "send", P::Http, External, Url),
    // The session's evidence bundle, which the host writes under the git
    // directory, for the human.
    verb("evidence", "add", P::Ui, Write, Writes).added_in(V0_2_0),
    verb("evidence", "entries", P::Ui, Read, Safe).added_in(V0_2_0),
];

/// The row of `capability.name`, if the contract has that function.
pub fn find(capability: &str, name: &str) -> Option<&'static Verb> {
    VERBS.iter().find(|v| v.capability == capability && v.name == name)
}

/// The functions a component that imports `import`
/// (`grove:skill/browser@0.1.0`) can call: those of its interface in its
/// release; none for another package's import.
pub fn of_import(import: &str) -> impl Iterator<Item = &'static Verb> + '_ {
    let interface = interface_of(import);
    let release = Release::of_import(import).unwrap_or(Release::CURRENT);
    VERBS.iter().filter(move |v| Some(v.capability) == interface && v.since <= release)
}

/// What `permission` lets a skill call, by interface:
/// `workspace.{read, read-text, list, glob, stat}`.
pub fn covered(permission: Permission) -> String {
    grouped(VERBS.iter().filter(|v| v.permission == Some(permission)))
}

/// What `permission` lets a component with these imports call: the
/// functions of the releases it imports (a 0.1.0 `notify` has no
/// `share-evidence`); empty when it imports none that need it.
pub fn covered_by(permission: Permission, imports: &[String]) -> String {
    let mut reached: Vec<&Verb> = imports.iter().flat_map(|i| of_import(i)).collect();
    reached.retain(|v| v.permission == Some(permission));
    // In the table's order, as `covered` says it.
    reached.sort_by_key(|v| VERBS.iter().position(|row| std::ptr::eq(row, *v)));
    reached.dedup_by(|a, b| std::ptr::eq(*a, *b));
    grouped(reached.into_iter())
}

/// Functions grouped by interface, in the order given.
fn grouped<'v>(verbs: impl Iterator<Item = &'v Verb>) -> String {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for v in verbs {
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
        functions_in("")
    }

    /// The same of the folder `wit/<folder>`.
    fn functions_in(folder: &str) -> BTreeSet<(String, String)> {
        let mut resolve = wit_parser::Resolve::default();
        let wit = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit").join(folder);
        resolve.push_dir(&wit).expect("the contract parses");
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

    /// A 0.1.0 call is handed to the current function of its interface and
    /// name (`caps/since_v0_1_0/`): it is judged by that row, which says
    /// 0.1.0 had it, and only a function 0.1.0 had says so.
    #[test]
    fn every_function_of_0_1_0_is_judged_by_the_row_of_its_name() {
        let released = functions_in("since_v0.1.0");
        assert!(released.len() > 40, "the released contract was not read: {released:?}");
        let no_row: Vec<_> = released.iter().filter(|(c, n)| find(c, n).is_none()).collect();
        assert!(no_row.is_empty(), "functions of 0.1.0 with no row: {no_row:?}");
        let rows: BTreeSet<(String, String)> = VERBS
            .iter()
            .filter(|v| v.since == Release::V0_1_0)
            .map(|v| (v.capability.to_string(), v.name.to_string()))
            .collect();
        let not_in_0_1_0: Vec<_> = rows.difference(&released).collect();
        let said_later: Vec<_> = released.difference(&rows).collect();
        assert!(not_in_0_1_0.is_empty(), "rows since 0.1.0 that 0.1.0 lacks: {not_in_0_1_0:?}");
        assert!(said_later.is_empty(), "rows of 0.1.0's functions said to be later: {said_later:?}");
    }

    #[test]
    fn an_import_reaches_the_functions_of_its_release() {
        let names = |import| of_import(import).map(|v| v.name).collect::<Vec<_>>();
        assert_eq!(names("grove:skill/notify@0.1.0"), ["send"]);
        assert_eq!(names("grove:skill/notify@0.2.0"), ["send", "share-evidence"]);
        assert_eq!(names("grove:skill/notify@0.1.3"), ["send"], "a patch release is the same contract");
        assert!(names("grove:skill/browser@0.1.0").contains(&"screenshot"));
        assert!(!names("grove:skill/browser@0.1.0").contains(&"eval"));
        assert!(names("wasi:cli/environment@0.2.6").is_empty());
        assert_eq!(Release::of_import("grove:skill/git@0.2.0"), Some(Release::CURRENT));
        assert_eq!(Release::of_import("grove:skill/git@1.0.0"), None);
        assert_eq!(Release::of_import("wasi:io/streams@0.1.0"), None);
    }

    #[test]
    fn a_permission_covers_what_the_imports_reach() {
        let imports = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let old = imports(&["grove:skill/notify@0.1.0", "grove:skill/browser@0.1.0"]);
        assert_eq!(covered_by(P::Notify, &old), "notify.send");
        assert_eq!(
            covered_by(P::Browser, &old),
            "browser.{open, goto, click, type, wait-for, screenshot, record-start, record-stop}"
        );
        assert_eq!(covered_by(P::Process, &old), "");
        let new = imports(&["grove:skill/notify@0.2.0"]);
        assert_eq!(covered_by(P::Notify, &new), covered(P::Notify));
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
