//! Git worktrees for sessions: each session works in its own linked
//! worktree, on its own branch `grove/<name>`, next to the repository (never
//! inside the user's tracked tree).
//!
//! The worktrees are git's own: `git worktree list`, `git status` inside one
//! and `git worktree prune` all see them as if `git worktree add` had made
//! them. grove writes the registration and the checkout itself because that
//! is where the time goes: files are written on every core and the index is
//! written with the stat data of those files, so a 20,000-file worktree is
//! ready faster than `git worktree add` makes it, and is clean at once.
//!
//! A create is crash-safe: the registration is locked with a reason naming
//! the creating process, and files are written to a hidden staging folder
//! that is renamed into place at the end; [`Worktrees::prune`] removes what
//! a crashed create (or remove) left behind.

mod admin;
mod branch;
mod checkout;
mod filters;
mod include;
mod name;
mod parallel;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use git2::{BranchType, Repository};

use admin::Record;
pub use branch::{Unmerged, uncommitted};

/// A file in a grove worktree's admin folder naming its session, so the
/// worktree stays grove's even while its HEAD is elsewhere (a rebase
/// detaches it; a user may switch branches).
const NAME_FILE: &str = "grove-name";
/// Infixes of the hidden folders next to worktrees that a create (staging)
/// or a remove (trash) works in, `.<name><infix><pid>.<n>`; prune deletes
/// them once their process is gone.
const STAGING: &str = ".grove-new-";
const TRASH: &str = ".grove-trash-";

/// Why a worktree operation failed. Every message is one line that says
/// what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum WorktreeError {
    #[error("invalid session name {name:?}: {why}")]
    InvalidName { name: String, why: String },
    /// A branch, worktree or folder with that name is already there.
    #[error("{0}")]
    Exists(String),
    /// No such worktree, revision or commit.
    #[error("{0}")]
    NotFound(String),
    #[error("{} is not inside a git repository (run grove inside a repository, or `git init` one)", .0.display())]
    NotARepository(PathBuf),
    #[error("{} is a bare repository; grove needs a repository with a main worktree", .0.display())]
    Bare(PathBuf),
    #[error("worktree {name} is locked ({reason}); if nothing uses it any more, run `git worktree unlock {}`", .path.display())]
    Locked { name: String, path: PathBuf, reason: String },
    /// The operation would break another worktree (its branch is checked out there).
    #[error("{0}")]
    InUse(String),
    #[error(".groveinclude line {line}: {why} (fix or remove the line)")]
    Include { line: usize, why: String },
    #[error("git: {0}")]
    Git(String),
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
}

impl WorktreeError {
    fn io(path: &Path, source: io::Error) -> WorktreeError {
        WorktreeError::Io { path: path.to_path_buf(), source }
    }

    fn git(e: git2::Error) -> WorktreeError {
        WorktreeError::Git(e.message().to_string())
    }
}

/// One of grove's worktrees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worktree {
    /// The session name (a slug).
    pub name: String,
    pub path: PathBuf,
    /// The branch grove made for it, `grove/<name>`.
    pub branch: String,
    /// The commit checked out there (hex), if any.
    pub head: Option<String>,
    /// Locked against `git worktree prune` (in use, or being created).
    pub locked: bool,
    /// Whether the folder is there; `false` for a stale registration.
    pub exists: bool,
}

/// The worktrees of one repository.
#[derive(Debug, Clone)]
pub struct Worktrees {
    root: PathBuf,
    git_dir: PathBuf,
    base: PathBuf,
}

impl Worktrees {
    /// Open the repository whose main worktree contains `path` (from inside
    /// a linked worktree, its main worktree). New worktrees go to
    /// `<parent of repo root>/<repo dir name>.worktrees/<name>` unless
    /// [`Worktrees::with_base`] says otherwise.
    pub fn open(path: &Path) -> Result<Worktrees, WorktreeError> {
        let repo =
            Repository::discover(path).map_err(|_| WorktreeError::NotARepository(path.to_path_buf()))?;
        let git_dir = canonical(repo.commondir())?;
        let main =
            if repo.is_worktree() { Repository::open(&git_dir).map_err(WorktreeError::git)? } else { repo };
        let root = match main.workdir() {
            Some(root) if !main.is_bare() => canonical(root)?,
            _ => return Err(WorktreeError::Bare(git_dir)),
        };
        let base = match (root.parent(), root.file_name()) {
            (Some(parent), Some(name)) => parent.join(format!("{}.worktrees", name.to_string_lossy())),
            _ => git_dir.join("grove").join("worktrees"),
        };
        Ok(Worktrees { root, git_dir, base })
    }

    /// Put new worktrees under `base` instead (relative to the current folder
    /// if relative).
    pub fn with_base(self, base: PathBuf) -> Worktrees {
        let base = std::path::absolute(&base).unwrap_or(base);
        Worktrees { base, ..self }
    }

    /// The main worktree.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The common git dir (e.g. `<root>/.git`).
    pub fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    /// Where new worktrees go.
    pub fn base(&self) -> &Path {
        &self.base
    }

    /// Check a session name and return its slug: lowercase, each run of
    /// spaces or slashes made one `-`; then 1–64 characters of `[a-z0-9._-]`,
    /// not starting with `.` or `-`, without `..`, not a name git reserves
    /// (`HEAD`...), and a valid branch name as `grove/<slug>`.
    pub fn slug(name: &str) -> Result<String, WorktreeError> {
        name::slug(name)
    }

    /// `grove/<name>`.
    pub fn branch_for(name: &str) -> String {
        name::branch_for(name)
    }

    /// Create a worktree on a new branch `grove/<name>` starting at `from`
    /// (any revision; `None` is the current HEAD), and copy into it the
    /// ignored files the main worktree's `.groveinclude` selects. Refuses an
    /// existing branch, worktree or non-empty folder. Never touches the main
    /// worktree or its index.
    pub fn create(&self, name: &str, from: Option<&str>) -> Result<Worktree, WorktreeError> {
        let name = name::slug(name)?;
        let branch = name::branch_for(&name);
        let refname = format!("refs/heads/{branch}");
        let repo = self.repo()?;
        let commit = resolve(&repo, from)?;
        if repo.find_reference(&refname).is_ok() {
            return Err(WorktreeError::Exists(format!(
                "branch {branch} already exists (pick another name, or delete it with `git branch -D {branch}`)"
            )));
        }
        // A registration of that name left by a crash or a deleted folder
        // is pruned; a live one is in the way.
        if let Some(record) = self.find(&name)?
            && !self.prune_one(&record)?
        {
            if let Some(pid) = record.creator() {
                return Err(WorktreeError::Exists(format!(
                    "worktree {name} is being created by another grove process ({pid}); wait for it, or pick another name"
                )));
            }
            let at = record.worktree.as_deref().unwrap_or(&record.dir);
            return Err(WorktreeError::Exists(format!(
                "worktree {name} already exists at {} (pick another name, or remove it first)",
                at.display()
            )));
        }
        fs::create_dir_all(&self.base).map_err(|e| WorktreeError::io(&self.base, e))?;
        let base = canonical(&self.base)?;
        let path = base.join(&name);
        if !is_empty_dir(&path)? {
            return Err(WorktreeError::Exists(format!(
                "{} already exists and is not empty (move it away, or pick another name)",
                path.display()
            )));
        }

        let record = admin::register(&self.git_dir, &name, &path, &refname)?;
        let staging = base.join(scratch_name(&name, STAGING));
        let built = self.build(&repo, &record, &name, &commit, &staging, &path, from);
        if let Err(e) = built {
            let _ = remove_tree(&staging);
            if admin::points_to(&path, &record.dir) {
                let _ = remove_tree(&path);
            }
            let _ = fs::remove_dir_all(&record.dir);
            return Err(e);
        }
        admin::unlock(&record.dir)?;
        filters::post_checkout(&repo, &path, commit.id());
        self.worktree(&repo, &admin::read(record.dir), name)
    }

    /// Everything a create does between registering and unlocking; on error
    /// the caller removes what it left.
    #[allow(clippy::too_many_arguments)]
    fn build(
        &self,
        repo: &Repository,
        record: &Record,
        name: &str,
        commit: &git2::Commit<'_>,
        staging: &Path,
        path: &Path,
        from: Option<&str>,
    ) -> Result<(), WorktreeError> {
        write_file(&record.dir.join(NAME_FILE), &format!("{name}\n"))?;
        fs::create_dir(staging).map_err(|e| WorktreeError::io(staging, e))?;
        admin::write_dot_git(staging, &record.dir)?;
        let tree = commit.tree().map_err(WorktreeError::git)?;
        let listing = checkout::list(repo, &tree)?;
        match filters::conversion(repo, &self.git_dir, &listing) {
            None => {
                let options = checkout::Options::from_config(repo);
                let entries = checkout::materialize(&self.git_dir, staging, &listing, options)?;
                checkout::write_index(&record.dir.join("index"), &entries)?;
            }
            Some(why) => {
                tracing::debug!("checking out with git's filters: {why}");
                filters::checkout(&record.dir, staging, commit)?;
            }
        }
        include::copy(repo, &self.root, staging, &listing)?;
        fs::rename(staging, path).map_err(|e| match e.kind() {
            io::ErrorKind::DirectoryNotEmpty | io::ErrorKind::AlreadyExists => {
                WorktreeError::Exists(format!(
                    "{} appeared while the worktree was being made (move it away, or pick another name)",
                    path.display()
                ))
            }
            _ => WorktreeError::io(path, e),
        })?;
        let message = format!("branch: Created from {}", from.unwrap_or("HEAD"));
        repo.reference(&format!("refs/heads/{}", name::branch_for(name)), commit.id(), false, &message)
            .map_err(|e| match e.code() {
                git2::ErrorCode::Exists => WorktreeError::Exists(format!(
                    "branch {0} was created meanwhile by someone else (delete it with `git branch -D {0}`, or pick another name)",
                    name::branch_for(name)
                )),
                _ => WorktreeError::git(e),
            })?;
        Ok(())
    }

    /// The worktree of session `name`.
    pub fn get(&self, name: &str) -> Result<Worktree, WorktreeError> {
        let name = name::slug(name)?;
        let record = self.find(&name)?.ok_or_else(|| not_found(&name))?;
        self.worktree(&self.repo()?, &record, name)
    }

    /// grove's worktrees (registered on a `grove/*` branch), sorted by name;
    /// stale ones (folder gone) too, with `exists: false`.
    pub fn list(&self) -> Result<Vec<Worktree>, WorktreeError> {
        let repo = self.repo()?;
        let mut list = Vec::new();
        for record in admin::scan(&self.git_dir)? {
            if let Some(name) = grove_name(&record) {
                list.push(self.worktree(&repo, &record, name)?);
            }
        }
        list.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.path.cmp(&b.path)));
        Ok(list)
    }

    /// Remove the folder (uncommitted work in it is lost) and git's
    /// registration, and delete the branch unless `keep_branch`. Refuses a
    /// locked worktree, and a branch checked out elsewhere.
    pub fn remove(&self, name: &str, keep_branch: bool) -> Result<(), WorktreeError> {
        let name = name::slug(name)?;
        let record = self.find(&name)?.ok_or_else(|| not_found(&name))?;
        let path = record.worktree.clone().unwrap_or_else(|| self.base.join(&name));
        if record.locked.is_some() {
            return Err(self.locked(record, name));
        }
        let branch = name::branch_for(&name);
        let repo = self.repo()?;
        let delete_branch = !keep_branch && repo.find_branch(&branch, BranchType::Local).is_ok();
        if delete_branch && let Some(elsewhere) = self.checked_out_elsewhere(&branch, &record)? {
            return Err(WorktreeError::InUse(format!(
                "branch {branch} is checked out in {} too (switch it there to another branch, or keep the branch)",
                elsewhere.display()
            )));
        }
        // Out of the way first, in one step: from here on the name is free,
        // and a crash leaves a trash folder prune knows to delete.
        let trash = path.parent().map(|parent| parent.join(scratch_name(&file_name(&path), TRASH)));
        let trash = match trash {
            Some(trash) if admin::points_to(&path, &record.dir) && fs::rename(&path, &trash).is_ok() => {
                Some(trash)
            }
            _ => None,
        };
        fs::remove_dir_all(&record.dir).map_err(|e| WorktreeError::io(&record.dir, e))?;
        if delete_branch {
            let mut found = repo.find_branch(&branch, BranchType::Local).map_err(WorktreeError::git)?;
            found.delete().map_err(WorktreeError::git)?;
        }
        match trash {
            Some(trash) => remove_tree(&trash),
            None if admin::points_to(&path, &record.dir) => remove_tree(&path),
            None => Ok(()),
        }
    }

    /// Remove stale registrations of grove's worktrees (folder deleted by
    /// hand) and what crashed creates and removes left behind, except where
    /// locked. Branches are kept: they may hold work. Returns the names pruned.
    pub fn prune(&self) -> Result<Vec<String>, WorktreeError> {
        let mut pruned = Vec::new();
        for record in admin::scan(&self.git_dir)? {
            if self.prune_one(&record)? {
                pruned.push(grove_name(&record).unwrap_or(record.id));
            }
        }
        for leftover in self.leftovers()? {
            remove_tree(&leftover.0)?;
            if let Some(name) = leftover.1 {
                pruned.push(name);
            }
        }
        pruned.sort();
        pruned.dedup();
        Ok(pruned)
    }

    /// Prune one registration if it is stale or a crashed create; whether it was.
    fn prune_one(&self, record: &Record) -> Result<bool, WorktreeError> {
        if let Some(pid) = record.creator() {
            if crate::pid::alive(pid) {
                return Ok(false);
            }
            if self.finished(record)? {
                // It crashed after its last real step: only the lock is left.
                admin::unlock(&record.dir)?;
                return Ok(false);
            }
            if let Some(path) = &record.worktree
                && admin::points_to(path, &record.dir)
            {
                remove_tree(path)?;
            }
        } else if record.locked.is_some()
            || grove_name(record).is_none()
            || record.worktree.as_ref().is_some_and(|path| path.join(".git").exists())
        {
            return Ok(false);
        }
        fs::remove_dir_all(&record.dir).map_err(|e| WorktreeError::io(&record.dir, e))?;
        Ok(true)
    }

    /// Lock the worktree with `reason` (git's `git worktree lock`), so that
    /// `git worktree prune` leaves it alone while in use. Locking a locked
    /// worktree replaces the reason (whoever locks now holds it), except
    /// while a create is still making it.
    pub fn lock(&self, name: &str, reason: &str) -> Result<(), WorktreeError> {
        let name = name::slug(name)?;
        let record = self.find(&name)?.ok_or_else(|| not_found(&name))?;
        if record.creator().is_some_and(crate::pid::alive) {
            return Err(self.locked(record, name));
        }
        admin::lock(&record.dir, reason)
    }

    /// Unlock the worktree; unlocked already is fine. A worktree still being
    /// created stays locked.
    pub fn unlock(&self, name: &str) -> Result<(), WorktreeError> {
        let name = name::slug(name)?;
        let record = self.find(&name)?.ok_or_else(|| not_found(&name))?;
        if record.creator().is_some_and(crate::pid::alive) {
            return Err(self.locked(record, name));
        }
        admin::unlock(&record.dir)
    }

    fn locked(&self, record: Record, name: String) -> WorktreeError {
        let reason = match record.locked.as_deref().map(str::trim) {
            Some("") | None => "no reason given".to_string(),
            Some(reason) => reason.to_string(),
        };
        let path = record.worktree.unwrap_or_else(|| self.base.join(&name));
        WorktreeError::Locked { name, path, reason }
    }

    fn repo(&self) -> Result<Repository, WorktreeError> {
        Repository::open(&self.git_dir).map_err(WorktreeError::git)
    }

    /// The registration of session `name`; a complete one over a crashed or
    /// running create.
    fn find(&self, name: &str) -> Result<Option<Record>, WorktreeError> {
        let mut found: Option<Record> = None;
        for record in admin::scan(&self.git_dir)? {
            if grove_name(&record).as_deref() == Some(name)
                && found.as_ref().is_none_or(|f| f.creator().is_some() && record.creator().is_none())
            {
                found = Some(record);
            }
        }
        Ok(found)
    }

    fn worktree(&self, repo: &Repository, record: &Record, name: String) -> Result<Worktree, WorktreeError> {
        let path = record.worktree.clone().unwrap_or_else(|| self.base.join(&name));
        let head = fs::read_to_string(record.dir.join("HEAD")).ok().and_then(|head| {
            let head = head.trim();
            match head.strip_prefix("ref:") {
                Some(target) => repo.refname_to_id(target.trim()).ok().map(|oid| oid.to_string()),
                None => git2::Oid::from_str(head).ok().map(|oid| oid.to_string()),
            }
        });
        Ok(Worktree {
            branch: name::branch_for(&name),
            name,
            exists: path.join(".git").is_file(),
            path,
            head,
            locked: record.locked.is_some(),
        })
    }

    /// Did the create that `record` is locked for get as far as making the
    /// branch (its last step)? Then the folder is complete.
    fn finished(&self, record: &Record) -> Result<bool, WorktreeError> {
        let (Some(name), Some(path)) = (grove_name(record), &record.worktree) else { return Ok(false) };
        let branch = format!("refs/heads/{}", name::branch_for(&name));
        Ok(admin::points_to(path, &record.dir) && self.repo()?.find_reference(&branch).is_ok())
    }

    /// Where `branch` is checked out other than in `record`'s worktree.
    fn checked_out_elsewhere(&self, branch: &str, record: &Record) -> Result<Option<PathBuf>, WorktreeError> {
        let target = format!("refs/heads/{branch}");
        let main_head = fs::read_to_string(self.git_dir.join("HEAD")).unwrap_or_default();
        if main_head.trim().strip_prefix("ref:").map(str::trim) == Some(target.as_str()) {
            return Ok(Some(self.root.clone()));
        }
        Ok(admin::scan(&self.git_dir)?
            .into_iter()
            .find(|other| other.dir != record.dir && other.head_ref.as_deref() == Some(target.as_str()))
            .map(|other| other.worktree.unwrap_or(other.dir)))
    }

    /// Staging and trash folders in the base whose process is gone, with the
    /// session name of a staging folder.
    fn leftovers(&self) -> Result<Vec<(PathBuf, Option<String>)>, WorktreeError> {
        let entries = match fs::read_dir(&self.base) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(WorktreeError::io(&self.base, e)),
        };
        let mut found = Vec::new();
        for entry in entries.flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            let Some(rest) = file.strip_prefix('.') else { continue };
            for (infix, staging) in [(STAGING, true), (TRASH, false)] {
                if let Some((name, owner)) = rest.rsplit_once(infix)
                    && let Some(Ok(pid)) = owner.split('.').next().map(str::parse::<u32>)
                    && !crate::pid::alive(pid)
                {
                    found.push((entry.path(), staging.then(|| name.to_string())));
                }
            }
        }
        Ok(found)
    }
}

/// The session a registration belongs to: named in the admin folder by
/// grove, or else a worktree on a `grove/*` branch.
fn grove_name(record: &Record) -> Option<String> {
    if let Ok(name) = fs::read_to_string(record.dir.join(NAME_FILE)) {
        return Some(name.trim().to_string());
    }
    let branch = record.head_ref.as_deref()?.strip_prefix("refs/heads/")?;
    let name = branch.strip_prefix(name::BRANCH_PREFIX)?;
    name::slug(name).ok().filter(|slug| slug == name)
}

/// The commit to start from: `from`, or HEAD.
fn resolve<'r>(repo: &'r Repository, from: Option<&str>) -> Result<git2::Commit<'r>, WorktreeError> {
    match from {
        Some(rev) => repo.revparse_single(rev).and_then(|obj| obj.peel_to_commit()).map_err(|_| {
            WorktreeError::NotFound(format!(
                "revision {rev:?} does not name a commit (give a branch, tag or commit id)"
            ))
        }),
        None => repo.head().and_then(|head| head.peel_to_commit()).map_err(|_| {
            WorktreeError::NotFound(
                "HEAD has no commit yet (commit something first, or say which revision to start from)".into(),
            )
        }),
    }
}

/// A hidden folder name for a create's staging or a remove's trash, unique
/// to this process and call (two threads may create the same name at once).
fn scratch_name(name: &str, infix: &str) -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!(".{name}{infix}{}.{n}", std::process::id())
}

fn not_found(name: &str) -> WorktreeError {
    WorktreeError::NotFound(format!("no worktree for session {name} (`git worktree list` shows them all)"))
}

fn canonical(path: &Path) -> Result<PathBuf, WorktreeError> {
    path.canonicalize().map_err(|e| WorktreeError::io(path, e))
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Absent, or an empty folder.
fn is_empty_dir(path: &Path) -> Result<bool, WorktreeError> {
    match fs::read_dir(path) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => Ok(false),
        Err(e) => Err(WorktreeError::io(path, e)),
    }
}

fn write_file(path: &Path, contents: &str) -> Result<(), WorktreeError> {
    fs::write(path, contents).map_err(|e| WorktreeError::io(path, e))
}

/// Delete a folder tree, making read-only folders writable where needed (a
/// Go module cache, for one, leaves them so).
fn remove_tree(path: &Path) -> Result<(), WorktreeError> {
    match fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            make_writable(path);
            fs::remove_dir_all(path).map_err(|e| WorktreeError::io(path, e))
        }
        Err(e) => Err(WorktreeError::io(path, e)),
    }
}

fn make_writable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = fs::symlink_metadata(dir) else { return };
    if !meta.is_dir() {
        return;
    }
    let _ = fs::set_permissions(dir, fs::Permissions::from_mode(meta.permissions().mode() | 0o700));
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        make_writable(&entry.path());
    }
}
