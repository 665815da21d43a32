//! The session commands: new, ls, diff, logs, tell, merge, rm, prune,
//! resume, cancel, and the hidden `session-run` that a session's process runs.

pub mod branch;
pub mod cascade;
pub mod control;
pub mod diff;
pub mod follow_up;
pub mod logs;
pub mod ls;
pub mod merge;
pub mod new;
pub mod rm;
pub mod tell;
pub mod tree;

use std::path::Path;

use super::{CliError, Exit};
use crate::session::{Session, Store, StoreError, runner};
use crate::worktree::{WorktreeError, Worktrees};

/// What every session command opens: the repository's worktrees and the
/// session store, with dead runners already noticed.
pub struct Ctx {
    pub worktrees: Worktrees,
    pub store: Store,
}

impl Ctx {
    pub fn open() -> Result<Ctx, CliError> {
        let cwd =
            std::env::current_dir().map_err(|e| CliError::new(Exit::Host, format!("current folder: {e}")))?;
        Ctx::open_at(&cwd)
    }

    pub fn open_at(dir: &Path) -> Result<Ctx, CliError> {
        let worktrees = crate::session::worktrees(dir).map_err(worktree_error)?;
        let store = Store::open(worktrees.git_dir()).map_err(store_error)?;
        let interrupted = store.recover().map_err(store_error)?;
        // Requests an older grove left waiting on sessions that ended.
        store.end_stale_approvals().map_err(store_error)?;
        for name in interrupted {
            tracing::warn!(
                "session {name} was interrupted: its process is gone (resume it with `grove resume {name}`)"
            );
        }
        Ok(Ctx { worktrees, store })
    }

    /// A session by name, as the user typed it (see [`resolve_name`]), or a
    /// usage error with a hint.
    pub fn session(&self, name: &str) -> Result<Session, CliError> {
        self.store.get(&resolve_name(name)).map_err(store_error)?.ok_or_else(|| {
            CliError::new(Exit::Usage, format!("no session named `{name}`"))
                .hint("`grove ls` lists the sessions")
        })
    }

    /// Start queued sessions while there is room.
    pub fn pump(&mut self) -> Result<Vec<Session>, CliError> {
        let git_dir = self.worktrees.git_dir().to_path_buf();
        let root = self.worktrees.root().to_path_buf();
        runner::pump(&mut self.store, &git_dir, &root, crate::session::concurrency())
            .map_err(|e| CliError::new(Exit::Host, e))
    }
}

/// The stored name of the session a user names: `grove new` slugs what it
/// is given ("My Feature" is `my-feature`), so every command that takes a
/// session name reads it the same way. A name that cannot be slugged is
/// kept as typed (and then names no session).
pub fn resolve_name(name: &str) -> String {
    Worktrees::slug(name).unwrap_or_else(|_| name.to_string())
}

pub fn store_error(e: StoreError) -> CliError {
    match e {
        StoreError::NotFound(_) => CliError::new(Exit::Usage, e).hint("`grove ls` lists the sessions"),
        StoreError::Exists(ref name) => {
            let hint = format!("pick another name, or remove the old one with `grove rm {name}`");
            CliError::new(Exit::Usage, e).hint(hint)
        }
        _ => CliError::new(Exit::Host, e),
    }
}

pub fn worktree_error(e: WorktreeError) -> CliError {
    match e {
        WorktreeError::NotARepository(_) => {
            CliError::new(Exit::Usage, e).hint("sessions live in a git repository: run grove inside one")
        }
        WorktreeError::InvalidName { .. } | WorktreeError::Exists(_) | WorktreeError::NotFound(_) => {
            CliError::new(Exit::Usage, e)
        }
        _ => CliError::new(Exit::Host, e),
    }
}

/// "3m", "2h", "5d": how long ago `ms` was.
pub fn age(ms: i64) -> String {
    let secs = (crate::session::store::now_ms() - ms).max(0) / 1000;
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}
