//! `grove rm NAME` and `grove prune`.

use clap::Args;
use serde_json::json;

use super::branch::{self, BranchFate};
use super::control::stop;
use super::{Ctx, store_error, worktree_error};
use crate::cli::{CliError, Exit, output};
use crate::session::{Session, runner};
use crate::worktree::WorktreeError;

#[derive(Debug, Args)]
pub struct RmArgs {
    /// The sessions to remove.
    #[arg(required = true)]
    pub names: Vec<String>,

    /// Keep the branch `grove/NAME` (its commits stay reachable).
    #[arg(long)]
    pub keep_branch: bool,

    /// Remove it even if that loses work: stop a session that is still
    /// running, throw away uncommitted changes, and delete a branch with
    /// unmerged commits (its last commit id is printed, to bring it back).
    #[arg(long, short)]
    pub force: bool,

    /// Remove their sub-sessions too, without asking (needed when there is
    /// no terminal to ask on). Their work is kept the same way: without
    /// `--force`, one that would lose work stops the whole removal.
    #[arg(long, short)]
    pub yes: bool,

    /// Print JSON: `{removed: [names], branches: [{name, branch, fate, commit?, unmerged_commits}]}`.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Print JSON: `{pruned: [names], branches: [{name, branch, fate, commit?, unmerged_commits}]}`.
    #[arg(long)]
    pub json: bool,
}

pub fn rm(args: RmArgs) -> Result<Exit, CliError> {
    let ctx = Ctx::open()?;
    let sessions = with_sub_sessions(&ctx, &args)?;
    // Check every session first: a typo in the third, or work the second
    // (or a sub-session of it) would lose, must not leave the first removed.
    for session in &sessions {
        if !args.force {
            if session.state.is_active() {
                return Err(CliError::new(
                    Exit::Usage,
                    format!("`{}` is still {}", session.name, session.state),
                )
                .hint(format!("`grove cancel {0}` first, or `grove rm --force {0}`", session.name)));
            }
            if let Some(refusal) =
                branch::refusal(session, &branch::at_risk(&ctx, session)?, args.keep_branch)
            {
                return Err(refusal);
            }
        }
    }
    // Stopped from the top (a stopped session spawns no more), removed
    // from the bottom (no sub-session outlives its parent's record).
    for session in sessions.iter().filter(|s| s.state.is_active()) {
        stop(&ctx, session)?;
    }
    let (removed, branches) = remove(&ctx, &sessions, args.keep_branch, !args.json)?;
    if args.json {
        output::json(&json!({ "removed": removed, "branches": branches }));
    }
    Ok(Exit::Ok)
}

/// Remove `sessions` (already checked, and stopped: nothing is refused
/// here), each after the sub-sessions listed after it; say what became of
/// each when `say`. The names removed and their branches, in the order given.
pub fn remove(
    ctx: &Ctx,
    sessions: &[Session],
    keep_branch: bool,
    say: bool,
) -> Result<(Vec<String>, Vec<BranchFate>), CliError> {
    let mut removed = Vec::new();
    let mut branches = Vec::new();
    let mut said = Vec::new();
    for session in sessions.iter().rev() {
        let name = &session.name;
        // Measured once the session's process is gone: it may have
        // committed until the end.
        let risk = branch::at_risk(ctx, session)?;
        let had_branch = ctx.worktrees.branch_tip(name).map_err(worktree_error)?.is_some();
        // The session is not running any more: a lock left by its process
        // (killed, or cancelled) is ours to drop.
        let _ = ctx.worktrees.unlock(name);
        match ctx.worktrees.remove(name, keep_branch) {
            Ok(()) => {}
            // The worktree went by hand: its branch still follows the rule.
            Err(WorktreeError::NotFound(_)) if !keep_branch => {
                ctx.worktrees.delete_branch(name).map_err(worktree_error)?;
            }
            Err(WorktreeError::NotFound(_)) => {}
            Err(e) => return Err(worktree_error(e)),
        }
        ctx.store.delete(name).map_err(store_error)?;
        runner::remove_files(ctx.worktrees.git_dir(), session);
        let still_there = ctx.worktrees.branch_tip(name).map_err(worktree_error)?.is_some();
        let fate = had_branch.then(|| BranchFate {
            name: name.clone(),
            branch: session.branch.clone(),
            fate: match (keep_branch, still_there) {
                (true, _) => "kept",
                (false, true) => "in-use",
                (false, false) => "deleted",
            },
            commit: risk.unmerged.as_ref().map(|u| u.tip.clone()),
            unmerged_commits: risk.unmerged.as_ref().map_or(0, |u| u.commits),
        });
        let lost = match risk.uncommitted.len() {
            0 => String::new(),
            n => format!(" (threw away {})", crate::text::count(n, "uncommitted change")),
        };
        said.push((format!("removed {name}{lost}"), fate.as_ref().and_then(BranchFate::line)));
        removed.push(name.clone());
        branches.extend(fate);
    }
    // Told in the order asked for: each session before its sub-sessions.
    removed.reverse();
    branches.reverse();
    if say {
        for (line, fate) in said.into_iter().rev() {
            println!("{line}");
            if let Some(fate) = fate {
                println!("{fate}");
            }
        }
    }
    Ok((removed, branches))
}

/// The sessions `args` names, each followed by the sub-sessions below it
/// (each before those below it) when the human says they go too (see
/// [`super::cascade`]). Each session once, however often it is reached.
fn with_sub_sessions(ctx: &Ctx, args: &RmArgs) -> Result<Vec<Session>, CliError> {
    let named = args.names.iter().map(|name| ctx.session(name)).collect::<Result<Vec<_>, _>>()?;
    let mut sessions: Vec<Session> = Vec::new();
    for session in &named {
        if sessions.iter().any(|s| s.name == session.name) {
            continue;
        }
        let mut below = ctx.store.descendants(&session.name).map_err(store_error)?;
        below.retain(|b| !named.iter().chain(&sessions).any(|s| s.name == b.name));
        let retry = format!("grove rm --yes {}", session.name);
        let cascade = super::cascade::confirm(&session.name, "remove", below.len(), args.yes, &retry)?;
        sessions.push(session.clone());
        if cascade {
            sessions.extend(below);
        }
    }
    Ok(sessions)
}

/// Stale worktrees (folder deleted by hand, a create that crashed) are
/// unregistered; sessions whose worktree is gone are forgotten. Their
/// branches follow `grove rm`'s rule: deleted when their base has all of
/// their commits, kept (and named, with their last commit) when not.
pub fn prune(args: PruneArgs) -> Result<Exit, CliError> {
    let ctx = Ctx::open()?;
    let unregistered = ctx.worktrees.prune().map_err(worktree_error)?;
    let sessions = ctx.store.list().map_err(store_error)?;
    let mut pruned = Vec::new();
    let mut branches = Vec::new();
    for session in &sessions {
        if !session.state.is_active() && !session.path.is_dir() {
            let unmerged = branch::unmerged(&ctx, session)?;
            ctx.store.delete(&session.name).map_err(store_error)?;
            runner::remove_files(ctx.worktrees.git_dir(), session);
            branches.extend(branch::settle(&ctx, &session.name, unmerged)?);
            pruned.push(session.name.clone());
        }
    }
    for name in unregistered {
        if pruned.contains(&name) {
            continue;
        }
        // A worktree no session knows: measured against the main worktree's HEAD.
        let orphan = !sessions.iter().any(|s| s.name == name) && ctx.worktrees.get(&name).is_err();
        if orphan {
            let unmerged = ctx.worktrees.unmerged(&name, None).map_err(worktree_error)?;
            branches.extend(branch::settle(&ctx, &name, unmerged)?);
        }
        pruned.push(name);
    }
    pruned.sort();
    if args.json {
        output::json(&json!({ "pruned": pruned, "branches": branches }));
    } else if pruned.is_empty() {
        println!("nothing to prune");
    } else {
        for name in &pruned {
            println!("pruned {name}");
            for line in branches.iter().filter(|b| &b.name == name).filter_map(BranchFate::line) {
                println!("{line}");
            }
        }
    }
    Ok(Exit::Ok)
}
