//! `grove ls`: every session, its state and how far its work has come.

use std::path::Path;

use clap::Args;
use serde::Serialize;

use super::{Ctx, age, store_error};
use crate::cli::{CliError, Exit, output};
use crate::session::{Session, State};

#[derive(Debug, Args)]
pub struct LsArgs {
    /// Print a JSON array of objects (`name`, `state`, `branch`, `path`,
    /// `ahead`, `behind`, `files_changed`, `additions`, `deletions`,
    /// `created_at`, `pending_approvals`, `summary`).
    #[arg(long)]
    pub json: bool,
}

/// One row of `grove ls`.
#[derive(Debug, Serialize)]
pub struct Row {
    pub name: String,
    pub state: State,
    pub branch: String,
    pub path: String,
    pub task: Option<String>,
    pub skill: String,
    /// Commits on the session's branch that its base does not have, and
    /// the reverse.
    pub ahead: usize,
    pub behind: usize,
    /// Against the base, uncommitted work included.
    pub files_changed: usize,
    pub additions: u64,
    pub deletions: u64,
    pub created_at: i64,
    pub pending_approvals: usize,
    /// The process working on it, while it runs.
    pub pid: Option<u32>,
    pub worktree_missing: bool,
    pub summary: Option<String>,
    pub error: Option<String>,
}

pub fn ls(args: LsArgs) -> Result<Exit, CliError> {
    let ctx = Ctx::open()?;
    let sessions = ctx.store.list().map_err(store_error)?;
    let rows = rows(ctx.worktrees.root(), &sessions);
    if args.json {
        output::json(&rows);
        return Ok(Exit::Ok);
    }
    if rows.is_empty() {
        println!("no sessions (start one with `grove new NAME --skill SKILL --task \"…\"`)");
        return Ok(Exit::Ok);
    }
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
    println!(
        "{:width$}  {:<16}  {:>9}  {:>5}  {:>15}  {:>4}",
        "NAME", "STATE", "AHEAD/BEH", "FILES", "+/-", "AGE"
    );
    for r in &rows {
        let lines = format!("+{} -{}", r.additions, r.deletions);
        let state =
            if r.worktree_missing { format!("{} (no worktree)", r.state) } else { r.state.to_string() };
        println!(
            "{:width$}  {:<16}  {:>9}  {:>5}  {:>15}  {:>4}",
            r.name,
            state,
            format!("{}/{}", r.ahead, r.behind),
            r.files_changed,
            lines,
            age(r.created_at)
        );
    }
    Ok(Exit::Ok)
}

/// Rows for `sessions`, their git figures computed in parallel: each is a
/// diff of a worktree against its base, independent of the others.
pub fn rows(root: &Path, sessions: &[Session]) -> Vec<Row> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(8);
    let chunk = sessions.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = sessions
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|s| row(root, s)).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("ls worker panicked")).collect()
    })
}

fn row(root: &Path, s: &Session) -> Row {
    let missing = !s.path.is_dir();
    let (ahead, behind) = if missing { (0, 0) } else { ahead_behind(root, s).unwrap_or((0, 0)) };
    let (files_changed, additions, deletions) = if missing {
        (0, 0, 0)
    } else {
        git2::Repository::open(&s.path)
            .ok()
            .and_then(|repo| crate::repo::changed_files(&repo, Some(&s.base_commit)).ok())
            .map(|files| {
                let add = files.iter().map(|f| u64::from(f.additions)).sum();
                let del = files.iter().map(|f| u64::from(f.deletions)).sum();
                (files.len(), add, del)
            })
            .unwrap_or((0, 0, 0))
    };
    Row {
        name: s.name.clone(),
        state: s.state,
        branch: s.branch.clone(),
        path: s.path.display().to_string(),
        task: s.task.clone(),
        skill: s.skill.clone(),
        ahead,
        behind,
        files_changed,
        additions,
        deletions,
        created_at: s.created_at,
        pending_approvals: 0,
        pid: s.pid.filter(|_| s.state.is_active()),
        worktree_missing: missing,
        summary: s.summary.clone(),
        error: s.error.clone(),
    }
}

/// The branch against where its base is now (the base branch when there
/// is one, else the commit it started from).
fn ahead_behind(root: &Path, s: &Session) -> Option<(usize, usize)> {
    let repo = git2::Repository::open(root).ok()?;
    let head = repo.refname_to_id(&format!("refs/heads/{}", s.branch)).ok()?;
    let base = match &s.base_ref {
        Some(b) => repo.refname_to_id(&format!("refs/heads/{b}")).ok()?,
        None => git2::Oid::from_str(&s.base_commit).ok()?,
    };
    repo.graph_ahead_behind(head, base).ok()
}
