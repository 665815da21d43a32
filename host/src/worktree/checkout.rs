//! Materialize a commit's tree into an empty folder, in parallel, and write
//! the matching index with the real stat data of every file, so that `git
//! status` there is clean at once without hashing files. (One exception,
//! the same as after git's own checkout: files written in the same second
//! as the index are "racily clean" to git, which re-reads them once.)
//!
//! This is git's own checkout minus what a fresh folder does not need (no
//! old tree to diff against, no files to remove). git checks out on one
//! thread; here every core writes files, each with its own repository
//! handle (a `git2::Repository` is not `Sync`).

use std::ffi::OsStr;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;
use std::sync::Mutex;

use git2::{FileMode, Index, IndexEntry, IndexTime, ObjectType, Odb, Oid, Repository, Tree};

use super::{WorktreeError, parallel};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Exec,
    Link,
    /// A submodule: checked out as an empty folder, as git does.
    Gitlink,
}

impl Kind {
    fn mode(self) -> u32 {
        let mode = match self {
            Kind::File => FileMode::Blob,
            Kind::Exec => FileMode::BlobExecutable,
            Kind::Link => FileMode::Link,
            Kind::Gitlink => FileMode::Commit,
        };
        i32::from(mode) as u32
    }
}

/// A file to write: its path (bytes, `/`-separated, as in the tree), blob
/// and kind.
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: Vec<u8>,
    pub oid: Oid,
    pub kind: Kind,
}

/// A tree flattened: its folders and entries, each in index order.
#[derive(Debug, Default)]
pub struct Listing {
    pub dirs: Vec<Vec<u8>>,
    pub entries: Vec<Entry>,
    /// Blobs of every `.gitattributes` in the tree.
    pub attributes: Vec<Oid>,
}

impl Listing {
    /// Does the tree have an entry (file or folder) at `path`?
    pub fn contains(&self, path: &[u8]) -> bool {
        let cmp = |p: &Vec<u8>| p.as_slice().cmp(path);
        self.dirs.binary_search_by(cmp).is_ok()
            || self.entries.binary_search_by(|e| e.path.as_slice().cmp(path)).is_ok()
    }
}

/// Flatten `tree`. The walk is pre-order with entries in tree order, which
/// is exactly the index order (git sorts a folder `a` as `a/`).
pub fn list(repo: &Repository, tree: &Tree<'_>) -> Result<Listing, WorktreeError> {
    let mut listing = Listing::default();
    walk(repo, tree, &mut Vec::new(), &mut listing)?;
    listing.dirs.sort();
    // Only a malformed tree is out of order; the index must not be.
    if !listing.entries.is_sorted_by(|a, b| a.path <= b.path) {
        listing.entries.sort_by(|a, b| a.path.cmp(&b.path));
    }
    Ok(listing)
}

fn walk(
    repo: &Repository,
    tree: &Tree<'_>,
    prefix: &mut Vec<u8>,
    out: &mut Listing,
) -> Result<(), WorktreeError> {
    for entry in tree.iter() {
        let name = entry.name_bytes();
        if !safe_component(name) {
            return Err(WorktreeError::Git(format!(
                "the commit contains the unsafe path {:?}; git refuses to check it out too",
                String::from_utf8_lossy(&[prefix.as_slice(), name].concat())
            )));
        }
        let len = prefix.len();
        prefix.extend_from_slice(name);
        let kind = match entry.filemode() {
            0o040000 => None,
            0o100755 => Some(Kind::Exec),
            0o120000 => Some(Kind::Link),
            0o160000 => Some(Kind::Gitlink),
            _ => Some(Kind::File),
        };
        match kind {
            None => {
                out.dirs.push(prefix.clone());
                let sub = repo.find_tree(entry.id()).map_err(WorktreeError::git)?;
                prefix.push(b'/');
                walk(repo, &sub, prefix, out)?;
            }
            Some(kind) => {
                if name == b".gitattributes" && kind != Kind::Gitlink {
                    out.attributes.push(entry.id());
                }
                out.entries.push(Entry { path: prefix.clone(), oid: entry.id(), kind });
            }
        }
        prefix.truncate(len);
    }
    Ok(())
}

/// git's own rule (`verify_path`), reduced to what matters on Unix: no
/// empty, `.` or `..` component, and no `.git` in any letter case.
fn safe_component(name: &[u8]) -> bool {
    !(name.is_empty()
        || name == b"."
        || name == b".."
        || name.eq_ignore_ascii_case(b".git")
        || name.contains(&b'/')
        || name.contains(&0))
}

/// How the repository wants files written (`core.symlinks`, `core.fileMode`).
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub symlinks: bool,
    pub filemode: bool,
}

impl Options {
    pub fn from_config(repo: &Repository) -> Options {
        let config = repo.config().ok();
        let flag = |name: &str| config.as_ref().and_then(|c| c.get_bool(name).ok()).unwrap_or(true);
        Options { symlinks: flag("core.symlinks"), filemode: flag("core.filemode") }
    }
}

/// Write every entry of `listing` under `root` (an empty folder) and return
/// the index entries, in index order, with the stat data of the files as
/// written. Folders are made as their first entry needs them, so they are
/// made in parallel too (on a disk, a `mkdir` costs as much as a small file).
pub fn materialize(
    git_dir: &Path,
    root: &Path,
    listing: &Listing,
    options: Options,
) -> Result<Vec<IndexEntry>, WorktreeError> {
    let _fast = NoHashCheck::start();
    let entries = &listing.entries;
    parallel::map(
        entries.len(),
        || Repository::open(git_dir).map_err(WorktreeError::git),
        |repo, i| write_entry(repo, root, &entries[i], options),
    )
}

/// libgit2 re-hashes every object it reads ("strict hash verification"),
/// which is a third of a checkout's CPU time; git's own checkout does not.
/// The setting is process-wide: it is off while any checkout runs and back
/// to libgit2's default when the last one ends.
struct NoHashCheck;

static CHECKOUTS: Mutex<usize> = Mutex::new(0);

impl NoHashCheck {
    fn start() -> NoHashCheck {
        let mut running = CHECKOUTS.lock().unwrap_or_else(|e| e.into_inner());
        if *running == 0 {
            git2::opts::strict_hash_verification(false);
        }
        *running += 1;
        NoHashCheck
    }
}

impl Drop for NoHashCheck {
    fn drop(&mut self) {
        let mut running = CHECKOUTS.lock().unwrap_or_else(|e| e.into_inner());
        *running -= 1;
        if *running == 0 {
            git2::opts::strict_hash_verification(true);
        }
    }
}

/// Write one entry and return its index entry.
fn write_entry(
    repo: &Repository,
    root: &Path,
    entry: &Entry,
    options: Options,
) -> Result<IndexEntry, WorktreeError> {
    let path = root.join(OsStr::from_bytes(&entry.path));
    let io = |e| WorktreeError::io(&path, e);
    let odb = repo.odb().map_err(WorktreeError::git)?;
    let meta = match entry.kind {
        Kind::Gitlink => {
            in_folder(&path, || fs::create_dir(&path)).map_err(io)?;
            fs::symlink_metadata(&path).map_err(io)?
        }
        Kind::Link if options.symlinks => {
            let blob = read_blob(&odb, entry.oid)?;
            let target = OsStr::from_bytes(blob.data());
            in_folder(&path, || std::os::unix::fs::symlink(target, &path)).map_err(io)?;
            fs::symlink_metadata(&path).map_err(io)?
        }
        Kind::File | Kind::Exec | Kind::Link => {
            let blob = read_blob(&odb, entry.oid)?;
            let mode = if entry.kind == Kind::Exec && options.filemode { 0o777 } else { 0o666 };
            let open = || OpenOptions::new().write(true).create_new(true).mode(mode).open(&path);
            let mut file = in_folder(&path, open).map_err(io)?;
            file.write_all(blob.data()).map_err(io)?;
            file.metadata().map_err(io)?
        }
    };
    Ok(index_entry(entry, &meta))
}

/// Run `make` (which creates `path`); if the folder it goes in is missing,
/// make that first and try again, as git does.
fn in_folder<T>(path: &Path, make: impl Fn() -> std::io::Result<T>) -> std::io::Result<T> {
    match make() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir_all(path.parent().expect("entries are inside the worktree"))?;
            make()
        }
        result => result,
    }
}

fn read_blob<'o>(odb: &'o Odb<'_>, oid: Oid) -> Result<git2::OdbObject<'o>, WorktreeError> {
    let object = odb.read(oid).map_err(WorktreeError::git)?;
    if object.kind() != ObjectType::Blob {
        return Err(WorktreeError::Git(format!("object {oid} should be a file but is a {}", object.kind())));
    }
    Ok(object)
}

/// The index entry git would write for `entry` with this stat data. git
/// keeps 32 bits of each field; so does the index format.
fn index_entry(entry: &Entry, meta: &fs::Metadata) -> IndexEntry {
    let time = |secs: i64, nanos: i64| IndexTime::new(secs as i32, nanos as u32);
    IndexEntry {
        ctime: time(meta.ctime(), meta.ctime_nsec()),
        mtime: time(meta.mtime(), meta.mtime_nsec()),
        dev: meta.dev() as u32,
        ino: meta.ino() as u32,
        mode: entry.kind.mode(),
        uid: meta.uid(),
        gid: meta.gid(),
        file_size: meta.size() as u32,
        id: entry.oid,
        flags: 0,
        flags_extended: 0,
        path: entry.path.clone(),
    }
}

/// Write a fresh index file at `path` holding `entries` (in index order).
pub fn write_index(path: &Path, entries: &[IndexEntry]) -> Result<(), WorktreeError> {
    let mut index = Index::open(path).map_err(WorktreeError::git)?;
    for entry in entries {
        index.add(entry).map_err(WorktreeError::git)?;
    }
    index.write().map_err(WorktreeError::git)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_components() {
        for bad in [&b""[..], b".", b"..", b".git", b".GIT", b"a/b", b"a\0"] {
            assert!(!safe_component(bad), "{bad:?}");
        }
        for good in [&b"a"[..], b".gitignore", b".github", b"...", b"git"] {
            assert!(safe_component(good), "{good:?}");
        }
    }
}
