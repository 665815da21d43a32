//! The permissions a manifest can ask for, as constants: a misspelt
//! constant does not compile, and [`Manifest::permissions`](crate::Manifest::permissions)
//! rejects any other name while the manifest is built at compile time, so
//! a typo in a string fails `cargo build` of the skill, not its first run.
//!
//! The set is exactly the host's: a name grove does not know would make it
//! refuse the skill.

/// Lets a skill call workspace.{read, read-text, list, glob, stat}.
pub const WORKSPACE_READ: &str = "workspace:read";
/// Lets a skill call workspace.{write, remove, rename, export-commit}.
pub const WORKSPACE_WRITE: &str = "workspace:write";
/// Lets a skill call process.{run, start, address, http-status, output, try-wait, stop}.
pub const PROCESS: &str = "process";
/// Lets a skill call git.{status, diff, changed-files, log, head, commit-message, session-base}.
pub const GIT_READ: &str = "git:read";
/// Lets a skill call git.commit.
pub const GIT_WRITE: &str = "git:write";
/// Lets a skill call ui.{report, ask, messages}, evidence.{add, entries}.
pub const UI: &str = "ui";
/// Lets a skill call model.{complete, history}.
pub const MODEL: &str = "model";
/// Lets a skill call sessions.{spawn, spawn-with-budget, spawn-then, wait-any, wait-all, inspect, diff, read-file, cancel}.
pub const SESSIONS: &str = "sessions";
/// Lets a skill call browser.{open, goto, click, type, press, wait-for, wait-for-text, text, eval, screenshot, console-errors, failed-requests, close, record-start, step, record-stop}.
pub const BROWSER: &str = "browser";
/// Lets a skill call review.{open, find, comment, set-status, attach, post-review}.
pub const REVIEW: &str = "review";
/// Lets a skill call notify.{send, share-evidence}.
pub const NOTIFY: &str = "notify";
/// Lets a skill call http.send.
pub const HTTP: &str = "http";

/// Every permission, in the host's order.
pub const ALL: [&str; 12] = [
    WORKSPACE_READ,
    WORKSPACE_WRITE,
    PROCESS,
    GIT_READ,
    GIT_WRITE,
    UI,
    MODEL,
    SESSIONS,
    BROWSER,
    REVIEW,
    NOTIFY,
    HTTP,
];

/// Whether `name` is one of [`ALL`]. A `const fn`, so a manifest can be
/// checked while it is compiled.
pub const fn is_known(name: &str) -> bool {
    let mut i = 0;
    while i < ALL.len() {
        if str_eq(ALL[i], name) {
            return true;
        }
        i += 1;
    }
    false
}

pub(crate) const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The host's list, read from its source: `as_str` maps each
    /// `Permission` to its name as `Permission::X => "name",`.
    fn host_names() -> Vec<&'static str> {
        let source = include_str!("../../host/src/gate/permission.rs");
        let body = source.split("pub fn as_str").nth(1).expect("the host's Permission::as_str");
        let body = &body[..body.find("\n    }\n").expect("the end of as_str")];
        body.lines().filter_map(|line| line.split("=> \"").nth(1)?.split('"').next()).collect()
    }

    #[test]
    fn the_set_is_exactly_the_hosts() {
        assert_eq!(ALL.to_vec(), host_names());
    }

    #[test]
    fn known_and_unknown_names() {
        assert!(ALL.iter().all(|p| is_known(p)));
        for name in ["", "log", "workspace", "workspace:raed", "Process", "process ", "git:read:x"] {
            assert!(!is_known(name), "{name:?}");
        }
    }
}
