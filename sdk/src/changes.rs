//! What a review looks at: the changes from a base revision to the
//! worktree, and the commits in between. Review-like skills all need the
//! same choice of base (`--base REF`, else a session's start, else HEAD),
//! so it is made here once.

use std::collections::HashSet;

use crate::git::{self, ChangedFile, CommitInfo, LogQuery};
use crate::{Error, Invocation, Result};

/// Most commits the host walks in one `git::log`.
const MAX_LOG: u32 = 10_000;
/// How many commits of HEAD's and the base's histories are walked, in
/// turn, until HEAD's walk reaches commits the base also has: a branch
/// under review is usually a few commits ahead of its base, so the first
/// page almost always does.
const PAGES: [u32; 3] = [32, 1_000, MAX_LOG];

/// Where the changes under review start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// HEAD: the working changes, staged, unstaged and untracked.
    Head,
    /// A revision the user named (`--base main`).
    Rev(String),
    /// The commit a session's branch started from.
    Session { name: String, commit: String },
}

impl Base {
    /// `given` (from `--base REF`) when there is one; in a session, the
    /// commit the session started from, so its committed work is reviewed
    /// too; otherwise HEAD.
    pub fn choose(invocation: &Invocation, given: Option<String>) -> Result<Base> {
        if let Some(rev) = given {
            if rev.trim().is_empty() {
                return Err(Error::invalid("--base needs a revision, e.g. --base main"));
            }
            return Ok(Base::Rev(rev));
        }
        if let Some(name) = &invocation.session {
            match git::session_base()? {
                Some(commit) => return Ok(Base::Session { name: name.clone(), commit }),
                None => crate::log::warn(&format!(
                    "the start of session {name} is unknown: reviewing the working changes against HEAD"
                )),
            }
        }
        Ok(Base::Head)
    }

    /// The revision to hand `git::diff` and `git::changed_files`: none
    /// for HEAD.
    pub fn rev(&self) -> Option<&str> {
        match self {
            Base::Head => None,
            Base::Rev(rev) => Some(rev),
            Base::Session { commit, .. } => Some(commit),
        }
    }

    /// The base as machine-readable output names it: `HEAD`, the revision
    /// as given, or the session's commit id.
    pub fn label(&self) -> &str {
        self.rev().unwrap_or("HEAD")
    }

    /// The base in words, for a summary line.
    pub fn describe(&self) -> String {
        match self {
            Base::Head => "the working changes against HEAD".into(),
            Base::Rev(rev) => format!("changes since {rev}"),
            Base::Session { name, commit } => {
                format!("session {name} since it started ({})", short(commit))
            }
        }
    }

    /// The unified diff from the base to the worktree, untracked files
    /// included.
    pub fn diff(&self) -> Result<String> {
        git::diff(self.rev())
    }

    /// The files changed from the base to the worktree.
    pub fn changed_files(&self) -> Result<Vec<ChangedFile>> {
        git::changed_files(self.rev())
    }

    /// The commits after the base up to HEAD, newest first; none for HEAD
    /// itself. `with_files` fills in each commit's per-file churn.
    pub fn commits(&self, with_files: bool) -> Result<Vec<CommitInfo>> {
        match self.rev() {
            None => Ok(Vec::new()),
            Some(rev) => commits_since(rev, with_files),
        }
    }
}

/// The first seven characters of a commit id.
pub fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

/// The full id of the commit `rev` names.
pub fn resolve(rev: &str) -> Result<String> {
    git::log(&LogQuery::new(1).from(rev))?
        .into_iter()
        .next()
        .map(|c| c.id)
        .ok_or_else(|| Error::NotFound(format!("revision {rev:?} has no commit")))
}

/// Commits reachable from HEAD but not from `base`, newest first
/// (`git log base..HEAD`), looking at most 10,000 commits back.
///
/// `git::log` walks by commit time, and commits made within one second
/// come in no set order, so the base's position in HEAD's walk says
/// nothing: the base's own history is walked too and taken away.
pub fn commits_since(base: &str, with_files: bool) -> Result<Vec<CommitInfo>> {
    let base_id = resolve(base)?;
    for page in PAGES {
        let head = git::log(&LogQuery::new(page))?;
        let ancestors = git::log(&LogQuery::new(page).from(base_id.as_str()))?;
        let seen: HashSet<&str> = ancestors.iter().map(|c| c.id.as_str()).collect();
        // Below the oldest commit seen of the base's history, whether a
        // commit is an ancestor of the base is unknown: leave those out.
        let horizon = if ancestors.len() < page as usize {
            i64::MIN
        } else {
            ancestors.last().map_or(i64::MIN, |c| c.time)
        };
        let cut_short = head.len() == page as usize
            && head.last().is_some_and(|c| !seen.contains(c.id.as_str()) && c.time >= horizon);
        if cut_short && page != MAX_LOG {
            continue;
        }
        let in_range: Vec<CommitInfo> =
            head.into_iter().filter(|c| !seen.contains(c.id.as_str()) && c.time >= horizon).collect();
        return if with_files { with_churn(in_range, page) } else { Ok(in_range) };
    }
    Ok(Vec::new())
}

/// `commits` again, with their per-file churn: one call each for a short
/// branch, else one walk of `page` commits with churn.
fn with_churn(commits: Vec<CommitInfo>, page: u32) -> Result<Vec<CommitInfo>> {
    const ONE_BY_ONE: usize = 64;
    if commits.len() > ONE_BY_ONE {
        let wanted: HashSet<String> = commits.into_iter().map(|c| c.id).collect();
        let walk = git::log(&LogQuery::new(page).with_files())?;
        return Ok(walk.into_iter().filter(|c| wanted.contains(&c.id)).collect());
    }
    commits
        .iter()
        .map(|c| {
            git::log(&LogQuery::new(1).from(c.id.as_str()).with_files())?
                .into_iter()
                .next()
                .ok_or_else(|| Error::NotFound(format!("commit {} is gone", c.id)))
        })
        .collect()
}
