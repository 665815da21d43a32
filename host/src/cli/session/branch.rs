//! What removing a session would lose, and the one rule `grove rm`,
//! `grove prune` and `grove new` share about a session's branch
//! `grove/NAME`: it goes when the branch the session started from has all of
//! its commits, and stays, with its last commit named, while it holds work
//! that is nowhere else.

use serde::Serialize;

use super::{Ctx, store_error, worktree_error};
use crate::cli::{CliError, Exit};
use crate::session::Session;
use crate::worktree::{Unmerged, Worktrees, uncommitted};

/// What removing a session would throw away.
#[derive(Debug, Default)]
pub struct AtRisk {
    /// Files changed in its worktree and never committed.
    pub uncommitted: Vec<String>,
    /// Commits on its branch that its base lacks.
    pub unmerged: Option<Unmerged>,
}

/// What became of a session's branch, as `rm` and `prune` report it.
#[derive(Debug, Clone, Serialize)]
pub struct BranchFate {
    pub name: String,
    pub branch: String,
    /// `deleted`, `kept` (asked for, or it holds unmerged work) or `in-use`
    /// (checked out in some worktree, so left alone).
    pub fate: &'static str,
    /// The branch's last commit, when it held unmerged commits: what
    /// brings it back once deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// How many commits its base lacks.
    pub unmerged_commits: usize,
}

impl BranchFate {
    /// One line for the human, or nothing when an empty branch simply went.
    pub fn line(&self) -> Option<String> {
        let commits = crate::text::count(self.unmerged_commits, "unmerged commit");
        let id = self.commit.as_deref().unwrap_or_default();
        match (self.fate, &self.commit) {
            ("deleted", Some(_)) => Some(format!(
                "deleted {} with {commits} (last {id}); bring it back with `git branch {} {id}`",
                self.branch, self.branch
            )),
            ("kept", Some(_)) => Some(format!(
                "kept {}: {commits} (last {id}); merge it, or delete it with `git branch -D {}`",
                self.branch, self.branch
            )),
            ("kept", None) => Some(format!("kept {}", self.branch)),
            ("in-use", _) => Some(format!("kept {}: it is checked out in a worktree", self.branch)),
            _ => None,
        }
    }
}

/// What removing `session` would lose now.
pub fn at_risk(ctx: &Ctx, session: &Session) -> Result<AtRisk, CliError> {
    Ok(AtRisk {
        uncommitted: uncommitted(&session.path).map_err(worktree_error)?,
        unmerged: unmerged(ctx, session)?,
    })
}

/// Commits on the session's branch not reachable from the branch it
/// started from (from the main worktree's HEAD when it started from none).
/// A branch `grove merge --squash` or `--rebase` brought in counts as
/// merged while it still ends where it did then: its base has the work,
/// though not those very commits.
pub fn unmerged(ctx: &Ctx, session: &Session) -> Result<Option<Unmerged>, CliError> {
    let found = ctx.worktrees.unmerged(&session.name, session.base_ref.as_deref()).map_err(worktree_error)?;
    let Some(unmerged) = found else { return Ok(None) };
    let events = ctx.store.events(&session.name).map_err(store_error)?;
    let merged = events.iter().any(|e| e.kind == "merged" && e.data["tip"] == unmerged.tip.as_str());
    Ok((!merged).then_some(unmerged))
}

/// Why `grove rm NAME` will not go ahead without `--force`, if it will not.
pub fn refusal(session: &Session, risk: &AtRisk, keep_branch: bool) -> Option<CliError> {
    let name = &session.name;
    let mut lost = Vec::new();
    if !risk.uncommitted.is_empty() {
        lost.push(format!(
            "{} in {} ({})",
            crate::text::count(risk.uncommitted.len(), "uncommitted change"),
            session.path.display(),
            list(&risk.uncommitted)
        ));
    }
    if let Some(u) = risk.unmerged.as_ref().filter(|_| !keep_branch) {
        lost.push(format!(
            "{} on {} that {} lacks (last {})",
            crate::text::count(u.commits, "unmerged commit"),
            u.branch,
            session.base_ref.as_deref().unwrap_or("HEAD"),
            u.tip
        ));
    }
    if lost.is_empty() {
        return None;
    }
    let keep = if risk.unmerged.is_some() && !keep_branch {
        format!(", keep the branch with `grove rm --keep-branch {name}`")
    } else {
        String::new()
    };
    Some(CliError::new(Exit::Usage, format!("removing `{name}` would lose {}", lost.join(" and "))).hint(
        format!("`grove merge {name}` first{keep}, or throw the work away with `grove rm --force {name}`"),
    ))
}

/// Delete the branch of a session that is gone, unless it holds unmerged
/// work (then it stays, named with its last commit) or is checked out.
pub fn settle(ctx: &Ctx, name: &str, unmerged: Option<Unmerged>) -> Result<Option<BranchFate>, CliError> {
    let branch = Worktrees::branch_for(name);
    let fate = |fate, unmerged: &Option<Unmerged>| BranchFate {
        name: name.to_string(),
        branch: branch.clone(),
        fate,
        commit: unmerged.as_ref().map(|u| u.tip.clone()),
        unmerged_commits: unmerged.as_ref().map_or(0, |u| u.commits),
    };
    if ctx.worktrees.branch_tip(name).map_err(worktree_error)?.is_none() {
        return Ok(None);
    }
    if unmerged.is_some() {
        return Ok(Some(fate("kept", &unmerged)));
    }
    let deleted = ctx.worktrees.delete_branch(name).map_err(worktree_error)?;
    Ok(Some(fate(if deleted { "deleted" } else { "in-use" }, &None)))
}

/// `grove new NAME` when `grove/NAME` is left over from a session that is
/// gone: say how to reuse it or remove it, before anything is made.
pub fn check_leftover(ctx: &Ctx, name: &str) -> Result<(), CliError> {
    let Some(tip) = ctx.worktrees.branch_tip(name).map_err(worktree_error)? else { return Ok(()) };
    let branch = Worktrees::branch_for(name);
    Err(CliError::new(
        Exit::Usage,
        format!("branch {branch} is left over from an earlier session `{name}` (last commit {tip})"),
    )
    .hint(format!(
        "continue its work with `grove new OTHER-NAME --from {branch}`, or delete it with `git branch -D {branch}` \
         (`git branch {branch} {tip}` brings it back)"
    )))
}

/// The first few paths, and how many more.
fn list(paths: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = paths.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if paths.len() > SHOWN {
        text.push_str(&format!(", and {} more", paths.len() - SHOWN));
    }
    text
}
