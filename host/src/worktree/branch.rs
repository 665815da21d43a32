//! What a session's branch and worktree hold that removing them would
//! lose: commits its base does not have, and changes never committed.

use std::path::Path;

use git2::{BranchType, Oid, Repository, StatusOptions};

use super::{WorktreeError, Worktrees, name};

/// Commits on a session's branch that its base cannot reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmerged {
    /// `grove/<name>`.
    pub branch: String,
    /// The branch's last commit (hex): what brings it back once deleted.
    pub tip: String,
    /// How many commits the base lacks.
    pub commits: usize,
}

impl Worktrees {
    /// The last commit (hex) of branch `grove/<name>`, if the branch is there.
    pub fn branch_tip(&self, name: &str) -> Result<Option<String>, WorktreeError> {
        let repo = self.repo()?;
        Ok(tip(&repo, &name::branch_for(name)).map(|oid| oid.to_string()))
    }

    /// Commits on `grove/<name>` not reachable from the branch `base` (a
    /// short branch name), or from the main worktree's HEAD when there is no
    /// base or it is gone. `None` when the branch holds nothing the base
    /// lacks, or is not there at all.
    pub fn unmerged(&self, name: &str, base: Option<&str>) -> Result<Option<Unmerged>, WorktreeError> {
        let repo = self.repo()?;
        let branch = name::branch_for(name);
        let Some(tip) = tip(&repo, &branch) else { return Ok(None) };
        let base = base
            .and_then(|base| repo.find_branch(base, BranchType::Local).ok())
            .and_then(|base| base.get().peel_to_commit().ok())
            .or_else(|| repo.head().ok().and_then(|head| head.peel_to_commit().ok()))
            .map(|commit| commit.id());
        let mut walk = repo.revwalk().map_err(WorktreeError::git)?;
        walk.push(tip).map_err(WorktreeError::git)?;
        if let Some(base) = base {
            walk.hide(base).map_err(WorktreeError::git)?;
        }
        let commits = walk.count();
        Ok((commits > 0).then(|| Unmerged { branch, tip: tip.to_string(), commits }))
    }

    /// Delete branch `grove/<name>` unless it is checked out in some
    /// worktree; whether it was deleted. A branch already gone counts as
    /// deleted.
    pub fn delete_branch(&self, name: &str) -> Result<bool, WorktreeError> {
        let repo = self.repo()?;
        let branch = name::branch_for(name);
        let Ok(mut found) = repo.find_branch(&branch, BranchType::Local) else { return Ok(true) };
        if self.checked_out_anywhere(&branch)? {
            return Ok(false);
        }
        found.delete().map_err(WorktreeError::git)?;
        Ok(true)
    }

    /// Whether `branch` is the HEAD of the main worktree or of any linked one.
    fn checked_out_anywhere(&self, branch: &str) -> Result<bool, WorktreeError> {
        let target = format!("refs/heads/{branch}");
        let main_head = std::fs::read_to_string(self.git_dir.join("HEAD")).unwrap_or_default();
        Ok(main_head.trim().strip_prefix("ref:").map(str::trim) == Some(target.as_str())
            || super::admin::scan(&self.git_dir)?
                .iter()
                .any(|record| record.head_ref.as_deref() == Some(target.as_str())))
    }
}

/// Files changed, added or deleted in the worktree at `path` and not
/// committed (untracked ones included, ignored ones not), sorted. Nothing
/// when the folder is gone.
pub fn uncommitted(path: &Path) -> Result<Vec<String>, WorktreeError> {
    if !path.join(".git").exists() {
        return Ok(Vec::new());
    }
    let repo = Repository::open(path).map_err(WorktreeError::git)?;
    let mut opts = StatusOptions::new();
    opts.include_untracked(true).recurse_untracked_dirs(true).include_ignored(false);
    let mut paths: Vec<String> = repo
        .statuses(Some(&mut opts))
        .map_err(WorktreeError::git)?
        .iter()
        .filter_map(|entry| entry.path().map(String::from))
        .collect();
    paths.sort();
    Ok(paths)
}

fn tip(repo: &Repository, branch: &str) -> Option<Oid> {
    repo.find_branch(branch, BranchType::Local).ok()?.get().peel_to_commit().ok().map(|c| c.id())
}
