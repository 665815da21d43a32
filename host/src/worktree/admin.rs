//! git's bookkeeping for linked worktrees, written and read the way git
//! itself does (`git help repository-layout`, "worktrees/<id>"):
//!
//! - `$GIT_COMMON_DIR/worktrees/<id>/HEAD`: `ref: refs/heads/<branch>`
//! - `.../commondir`: `../..`, the way back to the common dir
//! - `.../gitdir`: the absolute path of `<worktree>/.git`
//! - `.../locked`: present while the worktree must not be pruned; holds a reason
//! - `.../index`: the worktree's own index
//! - `<worktree>/.git`: a file, `gitdir: <absolute path of the admin dir>`
//!
//! A create in progress is a lock whose reason names the creating process
//! ([`creating_marker`]), so `git worktree prune` keeps its hands off, and
//! grove's own prune can tell a crashed create (process gone) from a live one.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::WorktreeError;

/// How a lock reason written by a create in progress starts.
const CREATING: &str = "grove: being created by process ";

/// One folder in `$GIT_COMMON_DIR/worktrees/`, as found on disk. Any file
/// may be missing or unreadable after a crash or a hand edit.
#[derive(Debug, Clone)]
pub struct Record {
    /// The folder's name (git's worktree id).
    pub id: String,
    pub dir: PathBuf,
    /// The ref `HEAD` points to (`refs/heads/...`), if symbolic.
    pub head_ref: Option<String>,
    /// The worktree folder, from `gitdir` (without the trailing `/.git`).
    pub worktree: Option<PathBuf>,
    /// The lock reason, if locked (empty for a lock without reason).
    pub locked: Option<String>,
}

impl Record {
    /// The process creating this worktree, if it is a create in progress.
    pub fn creator(&self) -> Option<u32> {
        self.locked.as_deref()?.strip_prefix(CREATING)?.trim().parse().ok()
    }
}

/// The lock reason a create in progress writes.
pub fn creating_marker() -> String {
    format!("{CREATING}{}", std::process::id())
}

pub fn worktrees_dir(git_dir: &Path) -> PathBuf {
    git_dir.join("worktrees")
}

/// Every admin folder, in no particular order.
pub fn scan(git_dir: &Path) -> Result<Vec<Record>, WorktreeError> {
    let dir = worktrees_dir(git_dir);
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(WorktreeError::io(&dir, e)),
    };
    let mut records = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| WorktreeError::io(&dir, e))?;
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            records.push(read(entry.path()));
        }
    }
    Ok(records)
}

/// Read one admin folder; missing files read as `None`.
pub fn read(dir: PathBuf) -> Record {
    let text = |name: &str| fs::read_to_string(dir.join(name)).ok();
    let head_ref = text("HEAD").and_then(|h| Some(h.trim().strip_prefix("ref:")?.trim().to_string()));
    // Newer git can write it relative to the admin folder (worktree.useRelativePaths).
    let worktree = text("gitdir").and_then(|g| {
        let gitdir = dir.join(g.trim_end_matches(['\n', '\r']));
        normalize(gitdir.parent()?)
    });
    let locked = text("locked");
    let id = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Record { id, dir, head_ref, worktree, locked }
}

/// `path` with `.` and `..` resolved lexically (the folder may be gone, so
/// no `canonicalize`); `None` if `..` climbs above the root.
fn normalize(path: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

/// Is `folder` a worktree whose `.git` file points to the admin folder `admin`?
pub fn points_to(folder: &Path, admin: &Path) -> bool {
    fs::read_to_string(folder.join(".git")).is_ok_and(|text| {
        text.trim()
            .strip_prefix("gitdir:")
            .and_then(|dir| normalize(&folder.join(dir.trim())))
            .is_some_and(|dir| dir == admin)
    })
}

/// Register a worktree at `worktree` on `head_ref`, marked as being created.
/// The admin folder is named `id`, or `id1`, `id2`... if taken (as git does).
pub fn register(git_dir: &Path, id: &str, worktree: &Path, head_ref: &str) -> Result<Record, WorktreeError> {
    let parent = worktrees_dir(git_dir);
    fs::create_dir_all(&parent).map_err(|e| WorktreeError::io(&parent, e))?;
    let mut n = 0u32;
    let dir = loop {
        let candidate = parent.join(if n == 0 { id.to_string() } else { format!("{id}{n}") });
        match fs::create_dir(&candidate) {
            Ok(()) => break candidate,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
            Err(e) => return Err(WorktreeError::io(&candidate, e)),
        }
    };
    // The lock first: git prunes an admin folder without `gitdir` unless locked.
    let marker = creating_marker();
    let written = write(&dir.join("locked"), &marker)
        .and_then(|()| write(&dir.join("commondir"), "../..\n"))
        .and_then(|()| write(&dir.join("HEAD"), &format!("ref: {head_ref}\n")))
        .and_then(|()| write(&dir.join("gitdir"), &format!("{}\n", worktree.join(".git").display())));
    if let Err(e) = written {
        let _ = fs::remove_dir_all(&dir);
        return Err(e);
    }
    Ok(read(dir))
}

/// The `.git` file that makes `folder` a worktree of the admin dir `admin`.
pub fn write_dot_git(folder: &Path, admin: &Path) -> Result<(), WorktreeError> {
    write(&folder.join(".git"), &format!("gitdir: {}\n", admin.display()))
}

/// Lock with `reason` (one line), atomically: a reader sees the old reason
/// or the new one, never a torn file.
pub fn lock(admin: &Path, reason: &str) -> Result<(), WorktreeError> {
    let reason = reason.replace(['\n', '\r'], " ");
    let tmp = admin.join(format!("locked.grove-{}", std::process::id()));
    write(&tmp, &reason)?;
    let path = admin.join("locked");
    fs::rename(&tmp, &path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        WorktreeError::io(&path, e)
    })
}

/// Remove the lock; already unlocked is fine.
pub fn unlock(admin: &Path) -> Result<(), WorktreeError> {
    let path = admin.join("locked");
    match fs::remove_file(&path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(WorktreeError::io(&path, e)),
        _ => Ok(()),
    }
}

fn write(path: &Path, contents: &str) -> Result<(), WorktreeError> {
    fs::write(path, contents).map_err(|e| WorktreeError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_writes_what_git_reads() {
        let git_dir = tempfile::tempdir().unwrap();
        let wt = Path::new("/somewhere/repo.worktrees/x");
        let rec = register(git_dir.path(), "x", wt, "refs/heads/grove/x").unwrap();
        assert_eq!(rec.id, "x");
        assert_eq!(rec.head_ref.as_deref(), Some("refs/heads/grove/x"));
        assert_eq!(rec.worktree.as_deref(), Some(wt));
        assert_eq!(rec.creator(), Some(std::process::id()));
        assert_eq!(fs::read_to_string(rec.dir.join("commondir")).unwrap(), "../..\n");
        assert_eq!(fs::read_to_string(rec.dir.join("gitdir")).unwrap(), format!("{}/.git\n", wt.display()));

        // A taken id gets a number, like git's.
        let again = register(git_dir.path(), "x", wt, "refs/heads/grove/x").unwrap();
        assert_eq!(again.id, "x1");

        write_dot_git(&git_dir.path().join("x"), &rec.dir).unwrap_err();
        fs::create_dir(git_dir.path().join("x")).unwrap();
        write_dot_git(&git_dir.path().join("x"), &rec.dir).unwrap();
        assert!(points_to(&git_dir.path().join("x"), &rec.dir));
        assert!(!points_to(&git_dir.path().join("x"), &again.dir));
        // Relative paths, as newer git may write them.
        fs::write(git_dir.path().join("x/.git"), "gitdir: ../worktrees/x\n").unwrap();
        assert!(points_to(&git_dir.path().join("x"), &rec.dir));
        fs::write(rec.dir.join("gitdir"), "../../x/.git\n").unwrap();
        assert_eq!(read(rec.dir.clone()).worktree, Some(git_dir.path().join("x")));

        lock(&rec.dir, "in use\nby me").unwrap();
        let rec = read(rec.dir);
        assert_eq!(rec.locked.as_deref(), Some("in use by me"));
        assert_eq!(rec.creator(), None);
        unlock(&rec.dir).unwrap();
        unlock(&rec.dir).unwrap();
        assert_eq!(read(rec.dir).locked, None);
    }
}
