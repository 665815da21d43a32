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

use super::{Caps, io_error};
use crate::gate::classify::Subject;
use crate::gate::{Action, Permission};
use crate::paths;
use crate::runtime::bindings::GuestError;
use crate::runtime::bindings::grove::skill::workspace::{Entry, EntryKind, Host, Metadata as Meta};

type R<T> = wasmtime::Result<Result<T, GuestError>>;

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

    /// Open the folder at a normalized relative path beneath the root; no
    /// symlink leads out of it.
    pub(crate) fn open_dir(&self, path: &Path) -> io::Result<Dir> {
        self.dir.open_dir(path)
    }

    /// Create the folders above a normalized path, so writes and renames
    /// into new folders work.
    fn create_parent(&self, path: &Path) -> Result<(), GuestError> {
        match path.parent().filter(|d| !d.as_os_str().is_empty()) {
            Some(parent) => self.dir.create_dir_all(parent).map_err(|e| fs_error(parent, e)),
            None => Ok(()),
        }
    }
}

/// Check a guest path lexically and normalize it (see [`paths::relative`]).
pub fn relative(path: &str) -> Result<PathBuf, GuestError> {
    paths::relative(path).map_err(|e| match e {
        paths::RelativeError::Outside(_) => GuestError::Denied(e.to_string()),
        _ => GuestError::Invalid(e.to_string()),
    })
}

/// Like [`io_error`], but recognizes cap-std's refusal of a path that
/// escapes the root (through a symlink, typically).
fn fs_error(path: &Path, e: io::Error) -> GuestError {
    if e.kind() == io::ErrorKind::PermissionDenied && e.to_string().contains("outside of the filesystem") {
        return GuestError::Denied(format!("path {:?} leads outside the workspace", path.display()));
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
    /// Gate a workspace call on `path`, returning the normalized path.
    async fn ws_path(
        &mut self,
        verb: &'static str,
        path: &str,
        permission: Permission,
    ) -> Result<PathBuf, GuestError> {
        let rel = relative(path);
        // Audit what was asked for even when it is malformed.
        let subject = Subject::Path(path);
        self.gate.check(Action { capability: "workspace", verb, target: path, permission, subject }).await?;
        rel
    }

    async fn ws_read(&mut self, path: &str) -> Result<Vec<u8>, GuestError> {
        let p = self.ws_path("read", path, Permission::WorkspaceRead).await?;
        self.workspace.dir.read(&p).map_err(|e| fs_error(&p, e))
    }

    async fn ws_write(&mut self, path: &str, contents: &[u8]) -> Result<(), GuestError> {
        let p = self.ws_path("write", path, Permission::WorkspaceWrite).await?;
        if p == Path::new(".") {
            return Err(GuestError::Invalid("cannot write to the workspace root itself".into()));
        }
        self.workspace.create_parent(&p)?;
        self.workspace.dir.write(&p, contents).map_err(|e| fs_error(&p, e))
    }

    async fn ws_list(&mut self, path: &str) -> Result<Vec<Entry>, GuestError> {
        let p = self.ws_path("list", path, Permission::WorkspaceRead).await?;
        let mut entries = Vec::new();
        for entry in self.workspace.dir.read_dir(&p).map_err(|e| fs_error(&p, e))? {
            let entry = entry.map_err(|e| fs_error(&p, e))?;
            let meta = entry.metadata().map_err(|e| fs_error(&p, e))?;
            let name = p.join(entry.file_name());
            let name = name.strip_prefix(".").unwrap_or(&name);
            entries.push(Entry { path: slash(name), kind: kind(meta.file_type()), size: meta.len() });
        }
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(entries)
    }

    async fn ws_stat(&mut self, path: &str) -> Result<Meta, GuestError> {
        let p = self.ws_path("stat", path, Permission::WorkspaceRead).await?;
        self.workspace.dir.symlink_metadata(&p).map(|m| to_meta(&m)).map_err(|e| fs_error(&p, e))
    }

    async fn ws_remove(&mut self, path: &str) -> Result<(), GuestError> {
        let p = self.ws_path("remove", path, Permission::WorkspaceWrite).await?;
        if p == Path::new(".") {
            return Err(GuestError::Invalid("cannot remove the workspace root".into()));
        }
        let meta = self.workspace.dir.symlink_metadata(&p).map_err(|e| fs_error(&p, e))?;
        if meta.is_dir() { self.workspace.dir.remove_dir_all(&p) } else { self.workspace.dir.remove_file(&p) }
            .map_err(|e| fs_error(&p, e))
    }

    async fn ws_rename(&mut self, from: &str, to: &str) -> Result<(), GuestError> {
        let target = format!("{from} -> {to}");
        let (a, b) = (relative(from), relative(to));
        let (capability, verb, permission) = ("workspace", "rename", Permission::WorkspaceWrite);
        let subject = Subject::Rename(from, to);
        self.gate.check(Action { capability, verb, target: &target, permission, subject }).await?;
        let (a, b) = (a?, b?);
        if a == Path::new(".") || b == Path::new(".") {
            return Err(GuestError::Invalid("cannot rename the workspace root".into()));
        }
        self.workspace.create_parent(&b)?;
        self.workspace.dir.rename(&a, &self.workspace.dir, &b).map_err(|e| fs_error(&a, e))
    }

    async fn ws_glob(&mut self, pattern: &str) -> Result<Vec<Entry>, GuestError> {
        let (capability, verb, permission) = ("workspace", "glob", Permission::WorkspaceRead);
        let subject = Subject::Path(pattern);
        self.gate.check(Action { capability, verb, target: pattern, permission, subject }).await?;
        if pattern.starts_with('/') || pattern.split('/').any(|part| part == "..") {
            return Err(GuestError::Invalid(format!(
                "glob {pattern:?} refused: patterns are relative to the workspace root and stay inside it"
            )));
        }
        let matcher = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| GuestError::Invalid(format!("glob {pattern:?}: {e}")))?
            .compile_matcher();
        let root = self.workspace.root.clone();
        tokio::task::spawn_blocking(move || walk(&root, &matcher))
            .await
            .map_err(|e| GuestError::Io(format!("glob: {e}")))?
    }
}

/// Walk the tree without following symlinks (so it cannot leave the root),
/// honouring ignore files, never entering `.git`.
fn walk(root: &Path, matcher: &globset::GlobMatcher) -> Result<Vec<Entry>, GuestError> {
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
                return Err(GuestError::Limit(format!("glob matched more than {MAX_GLOB_RESULTS} files")));
            }
            let size = entry.metadata().map_or(0, |m| m.len());
            out.push(Entry { path: slash(rel), kind: EntryKind::File, size });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

impl Host for Caps {
    async fn read(&mut self, path: String) -> R<Vec<u8>> {
        Ok(self.ws_read(&path).await)
    }

    async fn read_text(&mut self, path: String) -> R<String> {
        Ok(self.ws_read(&path).await.and_then(|bytes| {
            String::from_utf8(bytes).map_err(|_| GuestError::Invalid(format!("{path:?} is not UTF-8 text")))
        }))
    }

    async fn write(&mut self, path: String, contents: Vec<u8>) -> R<()> {
        Ok(self.ws_write(&path, &contents).await)
    }

    async fn list(&mut self, path: String) -> R<Vec<Entry>> {
        Ok(self.ws_list(&path).await)
    }

    async fn glob(&mut self, pattern: String) -> R<Vec<Entry>> {
        Ok(self.ws_glob(&pattern).await)
    }

    async fn stat(&mut self, path: String) -> R<Meta> {
        Ok(self.ws_stat(&path).await)
    }

    async fn remove(&mut self, path: String) -> R<()> {
        Ok(self.ws_remove(&path).await)
    }

    async fn rename(&mut self, from: String, to: String) -> R<()> {
        Ok(self.ws_rename(&from, &to).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_checks() {
        assert_eq!(relative("a/./b/../c").unwrap(), PathBuf::from("a/c"));
        assert_eq!(relative("").unwrap(), PathBuf::from("."));
        assert!(matches!(relative("/etc/passwd"), Err(GuestError::Invalid(_))));
        assert!(matches!(relative("a/../../x"), Err(GuestError::Denied(_))));
        assert!(matches!(relative("a\0b"), Err(GuestError::Invalid(_))));
    }
}
