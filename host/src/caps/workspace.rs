//! `workspace`: files under the workspace root, and nothing else.
//!
//! Paths are checked twice. First lexically here: absolute paths and `..`
//! that climbs above the root are refused before any system call. Then by
//! cap-std, which resolves every path component inside the root directory
//! handle and refuses symlinks that lead out of it.
//!
//! The calls are short local filesystem operations, so they run inline:
//! a hop to a blocking thread would cost more than the I/O. Only `glob`,
//! which walks a whole tree, runs on the blocking pool.

use std::io;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use cap_std::ambient_authority;
use cap_std::fs::{Dir, FileType, Metadata};

use super::{CapError, Caps, export, io_error};
use crate::gate::classify::Subject;
use crate::gate::{Action, Permission, Permit};
use crate::paths;
use crate::wit::grove::skill::workspace::{Entry, EntryKind, Host, Metadata as Meta};

/// Most paths one `glob` returns.
const MAX_GLOB_RESULTS: usize = 200_000;

/// The workspace root, held open as a capability.
#[derive(Debug)]
pub struct Workspace {
    root: PathBuf,
    dir: Dir,
}

impl Workspace {
    /// Open `root` as the workspace.
    pub fn open(root: &Path) -> io::Result<Self> {
        let dir = Dir::open_ambient_dir(root, ambient_authority())?;
        Ok(Workspace { root: root.to_path_buf(), dir })
    }

    /// The root on the host's filesystem.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The root directory handle, for work the gate allowed.
    pub fn dir(&self, permit: &Permit) -> &Dir {
        debug_assert!(
            matches!(
                permit.permission(),
                Permission::WorkspaceRead | Permission::WorkspaceWrite | Permission::Process
            ),
            "a {} permit opens no workspace",
            permit.permission()
        );
        &self.dir
    }

    /// Open the folder at a normalized relative path beneath the root, for
    /// work the gate allowed; no symlink leads out of it.
    pub(crate) fn open_dir(&self, permit: &Permit, path: &Path) -> io::Result<Dir> {
        self.dir(permit).open_dir(path)
    }

    /// Create the folders above a normalized path, so writes and renames
    /// into new folders work.
    fn create_parent(&self, permit: &Permit, path: &Path) -> Result<(), CapError> {
        match path.parent().filter(|d| !d.as_os_str().is_empty()) {
            Some(parent) => self.dir(permit).create_dir_all(parent).map_err(|e| fs_error(parent, e)),
            None => Ok(()),
        }
    }
}

/// Check a guest path lexically and normalize it (see [`paths::relative`]).
pub fn relative(path: &str) -> Result<PathBuf, CapError> {
    paths::relative(path).map_err(|e| match e {
        paths::RelativeError::Outside(_) => CapError::of(super::ErrorKind::Denied, e),
        _ => CapError::of(super::ErrorKind::Invalid, e),
    })
}

/// Like [`io_error`], but recognizes cap-std's refusal of a path that
/// escapes the root (through a symlink, typically): a permission error the
/// operating system did not raise, so it carries no OS error code.
pub(super) fn fs_error(path: &Path, e: io::Error) -> CapError {
    if e.kind() == io::ErrorKind::PermissionDenied && e.raw_os_error().is_none() {
        return CapError::denied(format!("path {:?} leads outside the workspace", path.display()));
    }
    io_error(&format!("{}", path.display()), e)
}

fn kind(t: FileType) -> EntryKind {
    if t.is_symlink() {
        EntryKind::Symlink
    } else if t.is_dir() {
        EntryKind::Directory
    } else if t.is_file() {
        EntryKind::File
    } else {
        EntryKind::Other
    }
}

fn to_meta(m: &Metadata) -> Meta {
    Meta {
        kind: kind(m.file_type()),
        size: m.len(),
        modified_ms: m
            .modified()
            .ok()
            .and_then(|t| t.into_std().duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_millis() as u64),
        readonly: m.permissions().readonly(),
    }
}

fn slash(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

impl Caps {
    /// Gate a workspace call on `path`: the permit and the normalized path.
    async fn ws_path(
        &mut self,
        verb: &'static str,
        path: &str,
        permission: Permission,
    ) -> Result<(Permit, PathBuf), CapError> {
        let rel = relative(path);
        // Audit what was asked for even when it is malformed.
        let subject = Subject::Path(path);
        let permit = self
            .gate
            .check(Action { capability: "workspace", verb, target: path, permission, subject })
            .await?;
        Ok((permit, rel?))
    }
}

impl Host for Caps {
    async fn read(&mut self, path: String) -> Result<Vec<u8>, CapError> {
        let (permit, p) = self.ws_path("read", &path, Permission::WorkspaceRead).await?;
        self.workspace.dir(&permit).read(&p).map_err(|e| fs_error(&p, e))
    }

    async fn read_text(&mut self, path: String) -> Result<String, CapError> {
        let bytes = self.read(path.clone()).await?;
        String::from_utf8(bytes).map_err(|_| CapError::invalid(format!("{path:?} is not UTF-8 text")))
    }

    async fn write(&mut self, path: String, contents: Vec<u8>) -> Result<(), CapError> {
        let written = self.written.saturating_add(contents.len() as u64);
        if written > self.max_written {
            let why = format!(
                "write limit: the skill would write more than {} MiB through workspace.write in \
                 one run; raise it with --write-limit MIB",
                self.max_written >> 20
            );
            let subject = Subject::Path(&path);
            let permission = Permission::WorkspaceWrite;
            let action =
                Action { capability: "workspace", verb: "write", target: &path, permission, subject };
            return Err(CapError::of(super::ErrorKind::Limit, self.gate.refuse(action, why)));
        }
        let (permit, p) = self.ws_path("write", &path, Permission::WorkspaceWrite).await?;
        self.written = written;
        if p == Path::new(".") {
            return Err(CapError::invalid("cannot write to the workspace root itself"));
        }
        self.workspace.create_parent(&permit, &p)?;
        self.workspace.dir(&permit).write(&p, contents).map_err(|e| fs_error(&p, e))
    }

    async fn list(&mut self, path: String) -> Result<Vec<Entry>, CapError> {
        let (permit, p) = self.ws_path("list", &path, Permission::WorkspaceRead).await?;
        let mut entries = Vec::new();
        for entry in self.workspace.dir(&permit).read_dir(&p).map_err(|e| fs_error(&p, e))? {
            let entry = entry.map_err(|e| fs_error(&p, e))?;
            let meta = entry.metadata().map_err(|e| fs_error(&p, e))?;
            let name = p.join(entry.file_name());
            let name = name.strip_prefix(".").unwrap_or(&name);
            entries.push(Entry { path: slash(name), kind: kind(meta.file_type()), size: meta.len() });
        }
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(entries)
    }

    async fn glob(&mut self, pattern: String) -> Result<Vec<Entry>, CapError> {
        let (capability, verb, permission) = ("workspace", "glob", Permission::WorkspaceRead);
        let subject = Subject::Path(&pattern);
        let permit =
            self.gate.check(Action { capability, verb, target: &pattern, permission, subject }).await?;
        if pattern.starts_with('/') || pattern.split('/').any(|part| part == "..") {
            return Err(CapError::invalid(format!(
                "glob {pattern:?} refused: patterns are relative to the workspace root and stay inside it"
            )));
        }
        let matcher = globset::GlobBuilder::new(&pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| CapError::invalid(format!("glob {pattern:?}")).because(e))?
            .compile_matcher();
        // The walk needs the root by path (the `ignore` crate walks paths);
        // it follows no symlink, so it stays beneath the handle's root.
        let _ = self.workspace.dir(&permit);
        let root = self.workspace.root.clone();
        tokio::task::spawn_blocking(move || walk(&root, &matcher)).await?
    }

    async fn stat(&mut self, path: String) -> Result<Meta, CapError> {
        let (permit, p) = self.ws_path("stat", &path, Permission::WorkspaceRead).await?;
        self.workspace.dir(&permit).symlink_metadata(&p).map(|m| to_meta(&m)).map_err(|e| fs_error(&p, e))
    }

    async fn remove(&mut self, path: String) -> Result<(), CapError> {
        let (permit, p) = self.ws_path("remove", &path, Permission::WorkspaceWrite).await?;
        if p == Path::new(".") {
            return Err(CapError::invalid("cannot remove the workspace root"));
        }
        let dir = self.workspace.dir(&permit);
        let meta = dir.symlink_metadata(&p).map_err(|e| fs_error(&p, e))?;
        if meta.is_dir() { dir.remove_dir_all(&p) } else { dir.remove_file(&p) }.map_err(|e| fs_error(&p, e))
    }

    async fn rename(&mut self, from: String, to: String) -> Result<(), CapError> {
        let target = format!("{from} -> {to}");
        let (a, b) = (relative(&from), relative(&to));
        let (capability, verb, permission) = ("workspace", "rename", Permission::WorkspaceWrite);
        let subject = Subject::Rename(&from, &to);
        let permit =
            self.gate.check(Action { capability, verb, target: &target, permission, subject }).await?;
        let (a, b) = (a?, b?);
        if a == Path::new(".") || b == Path::new(".") {
            return Err(CapError::invalid("cannot rename the workspace root"));
        }
        self.workspace.create_parent(&permit, &b)?;
        let dir = self.workspace.dir(&permit);
        dir.rename(&a, dir, &b).map_err(|e| fs_error(&a, e))
    }

    async fn export_commit(&mut self, rev: String, path: String) -> Result<u64, CapError> {
        let (permit, p) = self.ws_path("export-commit", &path, Permission::WorkspaceWrite).await?;
        if p == Path::new(".") {
            return Err(CapError::invalid("cannot export a commit over the workspace root"));
        }
        let dir = self.workspace.dir(&permit);
        match dir.symlink_metadata(&p) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Ok(_) => {
                return Err(CapError::invalid(format!(
                    "{path:?} already exists: export-commit writes a new folder (remove it first)"
                )));
            }
            Err(e) => return Err(fs_error(&p, e)),
        }
        self.workspace.create_parent(&permit, &p)?;
        let dir = self.workspace.dir(&permit);
        dir.create_dir(&p).map_err(|e| fs_error(&p, e))?;
        let target = dir.open_dir(&p).map_err(|e| fs_error(&p, e))?;
        let budget = self.max_written.saturating_sub(self.written);
        let root = self.workspace.root().to_path_buf();
        let export = tokio::task::spawn_blocking(move || export::write(&root, &rev, &target, budget)).await?;
        match export {
            Ok(written) => {
                self.written += written;
                Ok(written)
            }
            Err(e) => {
                // Nothing half-written is left behind.
                let _ = self.workspace.dir(&permit).remove_dir_all(&p);
                Err(e)
            }
        }
    }
}

/// Walk the tree without following symlinks (so it cannot leave the root),
/// honouring ignore files, never entering `.git`.
fn walk(root: &Path, matcher: &globset::GlobMatcher) -> Result<Vec<Entry>, CapError> {
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .follow_links(false)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build();
    let mut out = Vec::new();
    for entry in walker {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        if matcher.is_match(rel) {
            if out.len() == MAX_GLOB_RESULTS {
                return Err(CapError::limit(format!("glob matched more than {MAX_GLOB_RESULTS} files")));
            }
            let size = entry.metadata().map_or(0, |m| m.len());
            out.push(Entry { path: slash(rel), kind: EntryKind::File, size });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_checks() {
        assert_eq!(relative("a/./b/../c").unwrap(), PathBuf::from("a/c"));
        assert_eq!(relative("").unwrap(), PathBuf::from("."));
        let kind = |p: &str| relative(p).unwrap_err().kind();
        assert_eq!(kind("/etc/passwd"), Some(super::super::ErrorKind::Invalid));
        assert_eq!(kind("a/../../x"), Some(super::super::ErrorKind::Denied));
        assert_eq!(kind("a\0b"), Some(super::super::ErrorKind::Invalid));
    }
}
