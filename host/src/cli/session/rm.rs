//! `grove rm NAME` and `grove prune`.

use clap::Args;
use serde_json::json;

use super::control::stop;
use super::{Ctx, store_error, worktree_error};
use crate::cli::{CliError, Exit, output};
use crate::session::runner;
use crate::worktree::WorktreeError;

#[derive(Debug, Args)]
pub struct RmArgs {
    /// The sessions to remove.
    #[arg(required = true)]
    pub names: Vec<String>,

    /// Keep the branch `grove/NAME` (its commits stay reachable).
    #[arg(long)]
    pub keep_branch: bool,

    /// Stop a session that is still running first.
    #[arg(long, short)]
    pub force: bool,

    /// Print JSON: `{removed: [names]}`.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Print JSON: `{pruned: [names]}`.
    #[arg(long)]
    pub json: bool,
}

pub fn rm(args: RmArgs) -> Result<Exit, CliError> {
    let ctx = Ctx::open()?;
    // Check every name first: a typo in the third must not leave two removed.
    for name in &args.names {
        ctx.session(name)?;
    }
    for name in &args.names {
        let session = ctx.session(name)?;
        if session.state.is_active() {
            if !args.force {
                return Err(CliError::new(Exit::Usage, format!("`{name}` is still {}", session.state))
                    .hint(format!("`grove cancel {name}` first, or `grove rm --force {name}`")));
            }
            stop(&ctx, &session)?;
        }
        // The session is not running any more: a lock left by its process
        // (killed, or cancelled) is ours to drop.
        let _ = ctx.worktrees.unlock(name);
        match ctx.worktrees.remove(name, args.keep_branch) {
            Ok(()) | Err(WorktreeError::NotFound(_)) => {}
            Err(e) => return Err(worktree_error(e)),
        }
        ctx.store.delete(name).map_err(store_error)?;
        let _ = std::fs::remove_file(runner::log_path(ctx.worktrees.git_dir(), name));
        println!(
            "removed {name}{}",
            if args.keep_branch { format!(" (kept {})", session.branch) } else { String::new() }
        );
    }
    Ok(Exit::Ok)
}

/// Stale worktrees (folder deleted by hand, a create that crashed) are
/// unregistered; sessions whose worktree is gone are forgotten. Branches
/// stay: they hold the work.
pub fn prune(args: PruneArgs) -> Result<Exit, CliError> {
    let ctx = Ctx::open()?;
    let mut pruned = ctx.worktrees.prune().map_err(worktree_error)?;
    for session in ctx.store.list().map_err(store_error)? {
        if !session.state.is_active() && !session.path.is_dir() {
            ctx.store.delete(&session.name).map_err(store_error)?;
            if !pruned.contains(&session.name) {
                pruned.push(session.name);
            }
        }
    }
    pruned.sort();
    if args.json {
        output::json(&json!({ "pruned": pruned }));
    } else if pruned.is_empty() {
        println!("nothing to prune");
    } else {
        for name in &pruned {
            println!("pruned {name}");
        }
    }
    Ok(Exit::Ok)
}
