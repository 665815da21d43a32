//! Sessions: a worktree on its own branch, a task, the skill that works
//! it, a state and a history, kept in SQLite so they survive crashes.

pub mod approvals;
pub mod approver;
pub mod bounds;
pub mod budget;
pub mod follow_up;
pub mod processes;
pub mod runner;
pub mod state;
pub mod store;

pub use approvals::{Approval, NewApproval};
pub use state::State;
pub use store::{DiffStats, Event, NewSession, Session, Store, StoreError};

/// A session worktree's changes against its base, measured now.
pub fn measure(session: &Session) -> Option<DiffStats> {
    let repo = git2::Repository::open(&session.path).ok()?;
    let files = crate::repo::changed_files(&repo, Some(&session.base_commit)).ok()?;
    Some(DiffStats::of(&files))
}

/// The repository's worktrees, placed under `$GROVE_WORKTREE_DIR` when
/// set (default: `<repo>.worktrees/` beside the repository).
pub fn worktrees(
    path: &std::path::Path,
) -> Result<crate::worktree::Worktrees, crate::worktree::WorktreeError> {
    let worktrees = crate::worktree::Worktrees::open(path)?;
    Ok(match std::env::var_os(crate::env::GROVE_WORKTREE_DIR) {
        Some(dir) => worktrees.with_base(std::path::PathBuf::from(dir)),
        None => worktrees,
    })
}

/// Sessions that may run at once unless `GROVE_MAX_SESSIONS` says
/// otherwise.
pub const DEFAULT_CONCURRENCY: usize = 5;

/// The concurrency cap in force.
pub fn concurrency() -> usize {
    std::env::var(crate::env::GROVE_MAX_SESSIONS)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_CONCURRENCY)
}
