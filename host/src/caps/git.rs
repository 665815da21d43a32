//! `git`: the workspace's repository: status, diff, changed files, log,
//! head, commit messages, a session's base, and commits.
//!
//! libgit2 calls block, so each runs on the blocking pool with its own
//! handle on the repository: opening one is cheap next to a diff or a walk.

use git2::Repository;

use super::Caps;
use crate::gate::classify::Subject;
use crate::gate::{Action, Permission};
use crate::repo;
use crate::runtime::bindings::GuestError;
use crate::runtime::bindings::grove::skill::git::{
    ChangeKind, ChangedFile, CommitInfo, FileChurn, HeadInfo, Host, LogQuery, StatusEntry,
};

type R<T> = wasmtime::Result<Result<T, GuestError>>;

impl Caps {
    /// Gate a git read, then run `f` on a fresh repository handle off the
    /// async threads.
    async fn git_read<T: Send + 'static>(
        &mut self,
        verb: &'static str,
        target: &str,
        f: impl FnOnce(&Repository) -> Result<T, GuestError> + Send + 'static,
    ) -> Result<T, GuestError> {
        self.check("git", verb, target, Permission::GitRead).await?;
        let root = self.workspace.root().to_path_buf();
        tokio::task::spawn_blocking(move || f(&repo::open(&root).map_err(GuestError::from)?))
            .await
            .map_err(|e| GuestError::Io(format!("git {verb}: {e}")))?
    }
}

impl Host for Caps {
    async fn status(&mut self) -> R<Vec<StatusEntry>> {
        Ok(self.git_read("status", "", |r| Ok(repo::status(r)?.into_iter().map(Into::into).collect())).await)
    }

    async fn diff(&mut self, base: Option<String>) -> R<String> {
        let target = base.clone().unwrap_or_default();
        Ok(self.git_read("diff", &target, move |r| Ok(repo::diff_text(r, base.as_deref())?)).await)
    }

    async fn changed_files(&mut self, base: Option<String>) -> R<Vec<ChangedFile>> {
        let target = base.clone().unwrap_or_default();
        let files = move |r: &Repository| {
            Ok(repo::changed_files(r, base.as_deref())?.into_iter().map(Into::into).collect())
        };
        Ok(self.git_read("changed-files", &target, files).await)
    }

    async fn log(&mut self, query: LogQuery) -> R<Vec<CommitInfo>> {
        let target = query.from.clone().unwrap_or_default();
        let query = repo::LogQuery {
            from: query.from,
            max_count: query.max_count,
            path: query.path,
            with_files: query.with_files,
            skip_merges: query.skip_merges,
        };
        Ok(self
            .git_read("log", &target, move |r| {
                Ok(repo::log(r, &query)?.into_iter().map(Into::into).collect())
            })
            .await)
    }

    async fn head(&mut self) -> R<HeadInfo> {
        Ok(self.git_read("head", "", |r| Ok(repo::head(r)?.into())).await)
    }

    async fn commit_message(&mut self, rev: String) -> R<String> {
        let target = rev.clone();
        Ok(self.git_read("commit-message", &target, move |r| Ok(repo::commit_message(r, &rev)?)).await)
    }

    async fn session_base(&mut self) -> R<Option<String>> {
        if let Err(e) = self.check("git", "session-base", "", Permission::GitRead).await {
            return Ok(Err(e));
        }
        Ok(Ok(self.session_base.clone()))
    }

    async fn commit(&mut self, message: String, paths: Option<Vec<String>>) -> R<String> {
        let summary = message.lines().next().unwrap_or_default().to_string();
        if let Err(e) = self.check("git", "commit", &summary, Permission::GitWrite).await {
            return Ok(Err(e));
        }
        let root = self.workspace.root().to_path_buf();
        // What the commit would take in, judged as writes: a protected
        // file (a policy, CI configuration, a secret) is no more routine
        // to commit than to write.
        let staged = tokio::task::spawn_blocking({
            let root = root.clone();
            move || {
                Ok::<_, GuestError>(committed_paths(&repo::status(&repo::open(&root)?)?, paths.as_deref()))
            }
        })
        .await
        .map_err(|e| GuestError::Io(format!("git commit: {e}")))
        .and_then(|r| r);
        let staged = match staged {
            Ok(staged) => staged,
            Err(e) => return Ok(Err(e)),
        };
        if let Some(path) = self.gate.riskiest_write(&staged) {
            let action = Action {
                capability: "workspace",
                verb: "write",
                target: path,
                permission: Permission::GitWrite,
                subject: Subject::Path(path),
            };
            if let Err(e) = self.gate.check(action).await {
                return Ok(Err(e));
            }
        }
        let told = message.clone();
        // Exactly the files that were judged: one that changes after the
        // judgement is not swept in with them.
        let done = tokio::task::spawn_blocking(move || {
            Ok::<_, GuestError>(repo::commit(&repo::open(&root)?, &message, Some(&staged))?)
        })
        .await
        .map_err(|e| GuestError::Io(format!("git commit: {e}")))
        .and_then(|r| r);
        if let Ok(id) = &done {
            self.tell(crate::transcript::kind::COMMIT, || serde_json::json!({ "id": id, "message": told }));
        }
        Ok(done)
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

impl From<repo::Error> for GuestError {
    fn from(e: repo::Error) -> GuestError {
        let text = e.to_string();
        match e {
            repo::Error::NotFound(_) => GuestError::NotFound(text),
            repo::Error::Invalid(_) => GuestError::Invalid(text),
            repo::Error::Outside(_) => GuestError::Denied(text),
            repo::Error::TooLarge(_) => GuestError::Limit(text),
            repo::Error::Git(_) => GuestError::Io(text),
        }
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
