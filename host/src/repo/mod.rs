//! Queries on a git repository (status, diffs, log, head) and commits,
//! shared by the `git` capability and the session commands, in grove's own
//! records (`types.rs`): the capability converts them to the contract's.

use std::path::Path;

use git2::{Delta, DiffFindOptions, DiffFormat, DiffOptions, Repository, Sort, Status, StatusOptions};

pub mod export;
pub mod remote;
mod types;

pub use types::{ChangeKind, ChangedFile, CommitInfo, Error, FileChurn, HeadInfo, LogQuery, StatusEntry};

/// Most commits one `log` call walks.
const MAX_LOG: u32 = 10_000;
/// Largest diff text handed to a guest.
const MAX_DIFF: usize = 64 << 20;

pub fn open(root: &Path) -> Result<Repository, Error> {
    Repository::open(root).map_err(|e| match e.code() {
        git2::ErrorCode::NotFound => Error::NotFound(format!("{} is not a git repository", root.display())),
        _ => git_error(e),
    })
}

pub fn git_error(e: git2::Error) -> Error {
    match e.code() {
        git2::ErrorCode::NotFound => Error::NotFound(e.message().to_string()),
        git2::ErrorCode::InvalidSpec | git2::ErrorCode::Ambiguous => Error::Invalid(e.message().to_string()),
        _ => Error::Git(e),
    }
}

/// The tree a diff starts from: `base` (any revision) or HEAD; none on an
/// unborn branch, so everything shows as added.
pub fn base_tree<'r>(repo: &'r Repository, base: Option<&str>) -> Result<Option<git2::Tree<'r>>, Error> {
    let spec = base.unwrap_or("HEAD");
    match repo.revparse_single(spec) {
        Ok(obj) => obj.peel_to_tree().map(Some).map_err(git_error),
        Err(e) if base.is_none() && e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(_) => Err(Error::NotFound(format!("revision {spec:?} not found"))),
    }
}

pub fn workdir_diff<'r>(repo: &'r Repository, base: Option<&str>) -> Result<git2::Diff<'r>, Error> {
    let tree = base_tree(repo, base)?;
    let mut opts = DiffOptions::new();
    opts.include_untracked(true).recurse_untracked_dirs(true).show_untracked_content(true);
    let mut diff = repo.diff_tree_to_workdir_with_index(tree.as_ref(), Some(&mut opts)).map_err(git_error)?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true))).map_err(git_error)?;
    Ok(diff)
}

fn change_kind(delta: Delta) -> ChangeKind {
    match delta {
        Delta::Added => ChangeKind::Added,
        Delta::Deleted => ChangeKind::Deleted,
        Delta::Renamed => ChangeKind::Renamed,
        Delta::Copied => ChangeKind::Copied,
        Delta::Typechange => ChangeKind::TypeChanged,
        Delta::Untracked => ChangeKind::Untracked,
        Delta::Conflicted => ChangeKind::Conflicted,
        _ => ChangeKind::Modified,
    }
}

fn path_of(p: Option<&Path>) -> String {
    p.map(|p| p.to_string_lossy().replace('\\', "/")).unwrap_or_default()
}

pub fn status(repo: &Repository) -> Result<Vec<StatusEntry>, Error> {
    let mut opts = StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .renames_head_to_index(true);
    let statuses = repo.statuses(Some(&mut opts)).map_err(git_error)?;
    let staged = |s: Status| {
        Some(if s.is_index_new() {
            ChangeKind::Added
        } else if s.is_index_deleted() {
            ChangeKind::Deleted
        } else if s.is_index_renamed() {
            ChangeKind::Renamed
        } else if s.is_index_typechange() {
            ChangeKind::TypeChanged
        } else if s.is_index_modified() {
            ChangeKind::Modified
        } else {
            return None;
        })
    };
    let unstaged = |s: Status| {
        Some(if s.is_conflicted() {
            ChangeKind::Conflicted
        } else if s.is_wt_new() {
            ChangeKind::Untracked
        } else if s.is_wt_deleted() {
            ChangeKind::Deleted
        } else if s.is_wt_renamed() {
            ChangeKind::Renamed
        } else if s.is_wt_typechange() {
            ChangeKind::TypeChanged
        } else if s.is_wt_modified() {
            ChangeKind::Modified
        } else {
            return None;
        })
    };
    Ok(statuses
        .iter()
        .map(|e| StatusEntry {
            path: e.path().unwrap_or_default().to_string(),
            staged: staged(e.status()),
            unstaged: unstaged(e.status()),
        })
        .collect())
}

pub fn diff_text(repo: &Repository, base: Option<&str>) -> Result<String, Error> {
    let diff = workdir_diff(repo, base)?;
    let mut text = Vec::new();
    let mut too_big = false;
    diff.print(DiffFormat::Patch, |_, _, line| {
        if text.len() > MAX_DIFF {
            too_big = true;
            return false;
        }
        if matches!(line.origin(), '+' | '-' | ' ') {
            text.push(line.origin() as u8);
        }
        text.extend_from_slice(line.content());
        true
    })
    .or_else(|e| if too_big { Ok(()) } else { Err(e) })
    .map_err(git_error)?;
    if too_big {
        return Err(Error::TooLarge(format!("the diff is larger than {} MiB", MAX_DIFF >> 20)));
    }
    Ok(String::from_utf8_lossy(&text).into_owned())
}

pub fn changed_files(repo: &Repository, base: Option<&str>) -> Result<Vec<ChangedFile>, Error> {
    let diff = workdir_diff(repo, base)?;
    let mut out = Vec::new();
    for i in 0..diff.deltas().len() {
        let delta = diff.get_delta(i).expect("index in range");
        let patch = git2::Patch::from_diff(&diff, i).map_err(git_error)?;
        let (additions, deletions) = match &patch {
            Some(p) => p.line_stats().map(|(_, a, d)| (a as u32, d as u32)).map_err(git_error)?,
            None => (0, 0),
        };
        let new = path_of(delta.new_file().path());
        let old = path_of(delta.old_file().path());
        out.push(ChangedFile {
            old_path: (matches!(delta.status(), Delta::Renamed | Delta::Copied) && old != new).then_some(old),
            path: new,
            change: change_kind(delta.status()),
            additions,
            deletions,
            binary: delta.flags().is_binary()
                || patch.as_ref().is_some_and(|p| p.delta().flags().is_binary()),
        });
    }
    Ok(out)
}

pub fn log(repo: &Repository, q: &LogQuery) -> Result<Vec<CommitInfo>, Error> {
    let mut walk = repo.revwalk().map_err(git_error)?;
    walk.set_sorting(Sort::TIME).map_err(git_error)?;
    let start = q.from.as_deref().unwrap_or("HEAD");
    match repo.revparse_single(start) {
        Ok(obj) => walk.push(obj.peel_to_commit().map_err(git_error)?.id()).map_err(git_error)?,
        // An unborn HEAD has no history: an empty log, not an error.
        Err(_) if q.from.is_none() => return Ok(Vec::new()),
        Err(_) => {
            return Err(Error::NotFound(format!("revision {start:?} not found")));
        }
    }
    let path = q.path.as_deref().map(crate::paths::relative).transpose()?;
    let max = q.max_count.clamp(1, MAX_LOG) as usize;
    let mut out = Vec::new();
    for oid in walk {
        if out.len() == max {
            break;
        }
        let commit = repo.find_commit(oid.map_err(git_error)?).map_err(git_error)?;
        let needs_diff = q.with_files || path.is_some();
        let files = if needs_diff { churn(repo, &commit, path.as_deref())? } else { Vec::new() };
        if path.is_some() && files.is_empty() {
            continue;
        }
        let author = commit.author();
        out.push(CommitInfo {
            id: commit.id().to_string(),
            summary: commit.summary().unwrap_or_default().to_string(),
            author: author.name().unwrap_or_default().to_string(),
            email: author.email().unwrap_or_default().to_string(),
            time: commit.time().seconds(),
            parents: commit.parent_count() as u32,
            files: if q.with_files { files } else { Vec::new() },
        });
    }
    Ok(out)
}

/// Per-file lines added and removed by `commit` against its first parent,
/// limited to `only` when given.
fn churn(repo: &Repository, commit: &git2::Commit<'_>, only: Option<&Path>) -> Result<Vec<FileChurn>, Error> {
    let parent = commit.parents().next().map(|p| p.tree()).transpose().map_err(git_error)?;
    let tree = commit.tree().map_err(git_error)?;
    let mut opts = DiffOptions::new();
    if let Some(p) = only.filter(|p| *p != Path::new(".")) {
        opts.pathspec(p);
    }
    let diff = repo.diff_tree_to_tree(parent.as_ref(), Some(&tree), Some(&mut opts)).map_err(git_error)?;
    let mut files = Vec::new();
    for i in 0..diff.deltas().len() {
        let delta = diff.get_delta(i).expect("index in range");
        let (additions, deletions) = match git2::Patch::from_diff(&diff, i).map_err(git_error)? {
            Some(p) => p.line_stats().map(|(_, a, d)| (a as u32, d as u32)).map_err(git_error)?,
            None => (0, 0),
        };
        files.push(FileChurn { path: path_of(delta.new_file().path()), additions, deletions });
    }
    Ok(files)
}

/// The full message of the commit `rev` names.
pub fn commit_message(repo: &Repository, rev: &str) -> Result<String, Error> {
    let commit = repo
        .revparse_single(rev)
        .map_err(|_| Error::NotFound(format!("revision {rev:?} not found")))?
        .peel_to_commit()
        .map_err(|_| Error::Invalid(format!("{rev:?} is not a commit")))?;
    Ok(String::from_utf8_lossy(commit.message_bytes()).into_owned())
}

pub fn head(repo: &Repository) -> Result<HeadInfo, Error> {
    match repo.head() {
        Ok(head) => Ok(HeadInfo {
            branch: head.is_branch().then(|| head.shorthand().map(String::from)).flatten(),
            commit: head.target().map(|id| id.to_string()),
        }),
        // Unborn: report the branch HEAD points at, and no commit.
        Err(e) if e.code() == git2::ErrorCode::UnbornBranch => {
            let target = repo.find_reference("HEAD").ok().and_then(|r| r.symbolic_target().map(String::from));
            Ok(HeadInfo {
                branch: target.map(|t| t.trim_start_matches("refs/heads/").to_string()),
                commit: None,
            })
        }
        Err(e) => Err(git_error(e)),
    }
}

/// Stage `paths` (every change when `None`: new, modified and deleted
/// files, ignored ones left out) and commit them on HEAD. Returns the new
/// commit's id.
pub fn commit(repo: &Repository, message: &str, paths: Option<&[String]>) -> Result<String, Error> {
    if message.trim().is_empty() {
        return Err(Error::Invalid("a commit needs a message".into()));
    }
    let mut index = repo.index().map_err(git_error)?;
    match paths {
        None => {
            index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).map_err(git_error)?;
            index.update_all(["*"], None).map_err(git_error)?;
        }
        Some(paths) => {
            for path in paths {
                let rel = crate::paths::relative(path)?;
                let pattern = rel.to_string_lossy().into_owned();
                index.add_all([&pattern], git2::IndexAddOption::DEFAULT, None).map_err(git_error)?;
                index.update_all([&pattern], None).map_err(git_error)?;
            }
        }
    }
    index.write().map_err(git_error)?;
    let tree = repo.find_tree(index.write_tree().map_err(git_error)?).map_err(git_error)?;
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    if parent.as_ref().is_some_and(|p| p.tree_id() == tree.id()) {
        return Err(Error::Invalid("nothing to commit: no change since the last commit".into()));
    }
    // The user's identity when git knows it, else grove's own.
    let signature =
        repo.signature().or_else(|_| git2::Signature::now("grove", "grove@localhost")).map_err(git_error)?;
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    let id =
        repo.commit(Some("HEAD"), &signature, &signature, message, &tree, &parents).map_err(git_error)?;
    Ok(id.to_string())
}
