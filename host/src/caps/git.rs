//! `git`: the workspace's repository: status, diff, changed files, log,
//! head, commit messages, a session's base, and commits.
//!
//! libgit2 calls block, so each runs on the blocking pool with its own
//! handle on the repository: opening one is cheap next to a diff or a walk.

use git2::Repository;

use super::{CapError, Caps, ErrorKind};
use crate::gate::classify::Subject;
use crate::gate::{Action, Permission, Permit};
use crate::repo;
use crate::wit::grove::skill::git::{
    ChangeKind, ChangedFile, CommitInfo, FileChurn, HeadInfo, Host, LogQuery, StatusEntry,
};

impl Caps {
    /// Gate a git read, then run `f` on a fresh repository handle off the
    /// async threads.
    async fn git_read<T: Send + 'static>(
        &mut self,
        verb: &'static str,
        target: &str,
        f: impl FnOnce(&Repository) -> Result<T, CapError> + Send + 'static,
    ) -> Result<T, CapError> {
        let permit = self.check("git", verb, target, Permission::GitRead).await?;
        in_repo(&permit, self.workspace.root(), f).await
    }
}

/// Run `f` on a fresh handle on the repository at `root`, off the async
/// threads, for work the gate allowed.
async fn in_repo<T: Send + 'static>(
    permit: &Permit,
    root: &std::path::Path,
    f: impl FnOnce(&Repository) -> Result<T, CapError> + Send + 'static,
) -> Result<T, CapError> {
    debug_assert!(matches!(permit.permission(), Permission::GitRead | Permission::GitWrite));
    let root = root.to_path_buf();
    tokio::task::spawn_blocking(move || f(&repo::open(&root)?)).await?
}

impl Host for Caps {
    async fn status(&mut self) -> Result<Vec<StatusEntry>, CapError> {
        self.git_read("status", "", |r| Ok(repo::status(r)?.into_iter().map(Into::into).collect())).await
    }

    async fn diff(&mut self, base: Option<String>) -> Result<String, CapError> {
        let target = base.clone().unwrap_or_default();
        self.git_read("diff", &target, move |r| Ok(repo::diff_text(r, base.as_deref())?)).await
    }

    async fn changed_files(&mut self, base: Option<String>) -> Result<Vec<ChangedFile>, CapError> {
        let target = base.clone().unwrap_or_default();
        let files = move |r: &Repository| {
            Ok(repo::changed_files(r, base.as_deref())?.into_iter().map(Into::into).collect())
        };
        self.git_read("changed-files", &target, files).await
    }

    async fn log(&mut self, query: LogQuery) -> Result<Vec<CommitInfo>, CapError> {
        let target = query.from.clone().unwrap_or_default();
        let query = repo::LogQuery {
            from: query.from,
            max_count: query.max_count,
            path: query.path,
            with_files: query.with_files,
            skip_merges: query.skip_merges,
        };
        self.git_read("log", &target, move |r| {
            Ok(repo::log(r, &query)?.into_iter().map(Into::into).collect())
        })
        .await
    }

    async fn head(&mut self) -> Result<HeadInfo, CapError> {
        self.git_read("head", "", |r| Ok(repo::head(r)?.into())).await
    }

    async fn commit_message(&mut self, rev: String) -> Result<String, CapError> {
        let target = rev.clone();
        self.git_read("commit-message", &target, move |r| Ok(repo::commit_message(r, &rev)?)).await
    }

    async fn session_base(&mut self) -> Result<Option<String>, CapError> {
        self.check("git", "session-base", "", Permission::GitRead).await?;
        Ok(self.session_base.clone())
    }

    async fn commit(&mut self, message: String, paths: Option<Vec<String>>) -> Result<String, CapError> {
        let summary = message.lines().next().unwrap_or_default().to_string();
        let permit = self.check("git", "commit", &summary, Permission::GitWrite).await?;
        // What the commit would take in, judged as writes: a protected
        // file (a policy, CI configuration, a secret) is no more routine
        // to commit than to write.
        let root = self.workspace.root().to_path_buf();
        let staged =
            in_repo(&permit, &root, move |r| Ok(committed_paths(&repo::status(r)?, paths.as_deref())))
                .await?;
        if let Some(path) = self.gate.riskiest_write(&staged) {
            let action = Action {
                capability: "workspace",
                verb: "write",
                target: path,
                permission: Permission::GitWrite,
                subject: Subject::Path(path),
            };
            self.gate.check(action).await?;
        }
        let told = message.clone();
        // Exactly the files that were judged: one that changes after the
        // judgement is not swept in with them.
        let id = in_repo(&permit, &root, move |r| Ok(repo::commit(r, &message, Some(&staged))?)).await?;
        self.tell(crate::transcript::kind::COMMIT, || serde_json::json!({ "id": id, "message": told }));
        Ok(id)
    }
}

/// The changed paths a commit of `paths` (every change when `None`) takes
/// in: those named, and those under a named folder.
fn committed_paths(status: &[repo::StatusEntry], paths: Option<&[String]>) -> Vec<String> {
    let named = |path: &str| match paths {
        None => true,
        Some(paths) => paths.iter().any(|p| {
            let p = p.trim_start_matches("./").trim_end_matches('/');
            p.is_empty()
                || p == "."
                || path == p
                || path.strip_prefix(p).is_some_and(|rest| rest.starts_with('/'))
        }),
    };
    status.iter().filter(|e| named(&e.path)).map(|e| e.path.clone()).collect()
}

// The contract's types stop here: the repository answers in its own.

impl From<repo::Error> for CapError {
    fn from(e: repo::Error) -> CapError {
        let kind = match e {
            repo::Error::NotFound(_) => ErrorKind::NotFound,
            repo::Error::Invalid(_) => ErrorKind::Invalid,
            repo::Error::Outside(_) => ErrorKind::Denied,
            repo::Error::TooLarge(_) => ErrorKind::Limit,
            repo::Error::Git(_) => ErrorKind::Io,
        };
        CapError::of(kind, e)
    }
}

impl From<repo::ChangeKind> for ChangeKind {
    fn from(k: repo::ChangeKind) -> ChangeKind {
        match k {
            repo::ChangeKind::Added => ChangeKind::Added,
            repo::ChangeKind::Modified => ChangeKind::Modified,
            repo::ChangeKind::Deleted => ChangeKind::Deleted,
            repo::ChangeKind::Renamed => ChangeKind::Renamed,
            repo::ChangeKind::Copied => ChangeKind::Copied,
            repo::ChangeKind::TypeChanged => ChangeKind::TypeChanged,
            repo::ChangeKind::Untracked => ChangeKind::Untracked,
            repo::ChangeKind::Conflicted => ChangeKind::Conflicted,
        }
    }
}

impl From<repo::StatusEntry> for StatusEntry {
    fn from(e: repo::StatusEntry) -> StatusEntry {
        StatusEntry { path: e.path, staged: e.staged.map(Into::into), unstaged: e.unstaged.map(Into::into) }
    }
}

impl From<repo::ChangedFile> for ChangedFile {
    fn from(f: repo::ChangedFile) -> ChangedFile {
        ChangedFile {
            path: f.path,
            old_path: f.old_path,
            change: f.change.into(),
            additions: f.additions,
            deletions: f.deletions,
            binary: f.binary,
        }
    }
}

impl From<repo::CommitInfo> for CommitInfo {
    fn from(c: repo::CommitInfo) -> CommitInfo {
        CommitInfo {
            id: c.id,
            summary: c.summary,
            author: c.author,
            email: c.email,
            time: c.time,
            parents: c.parents,
            files: c
                .files
                .into_iter()
                .map(|f| FileChurn { path: f.path, additions: f.additions, deletions: f.deletions })
                .collect(),
        }
    }
}

impl From<repo::HeadInfo> for HeadInfo {
    fn from(h: repo::HeadInfo) -> HeadInfo {
        HeadInfo { branch: h.branch, commit: h.commit }
    }
}
