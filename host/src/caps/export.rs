//! `workspace.export-commit`: the files of one commit written into a new
//! folder of the workspace, for building or running that version beside
//! the current one (`evidence --before` serves the session's base from
//! it). The folder is opened beneath the workspace root with cap-std, so
//! no path or symlink of the commit writes outside it, and what it writes
//! counts against the run's write limit.

use std::io;
use std::path::Path;

use cap_std::fs::{Dir, Permissions};

use super::{CapError, ErrorKind};
use crate::repo;

/// What the copy's `.gitignore` says: git never sees it.
const IGNORE_ALL: &[u8] = b"# written by grove: a copy of a commit, never committed\n*\n";

/// Write `rev`'s files beneath `target` (a new folder), at most `budget`
/// bytes; the bytes written.
pub(super) fn write(root: &Path, rev: &str, target: &Dir, budget: u64) -> Result<u64, CapError> {
    let repo = repo::open(root)?;
    let mut written = 0u64;
    repo::export::files(&repo, rev, |entry| -> Result<(), CapError> {
        let fail = |path: &str, e: io::Error| CapError::io(format!("exporting {path:?}")).because(e);
        match entry {
            repo::export::Entry::File { path, bytes, executable } => {
                written += bytes.len() as u64;
                if written > budget {
                    return Err(CapError::new(
                        ErrorKind::Limit,
                        format!(
                            "write limit: exporting {rev:?} would write more than the {} MiB left to this \
                             run; raise it with --write-limit MIB",
                            budget >> 20
                        ),
                    ));
                }
                let rel = Path::new(&path);
                if let Some(parent) = rel.parent().filter(|p| !p.as_os_str().is_empty()) {
                    target.create_dir_all(parent).map_err(|e| fail(&path, e))?;
                }
                target.write(rel, &bytes).map_err(|e| fail(&path, e))?;
                if executable {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = Permissions::from_std(std::fs::Permissions::from_mode(0o755));
                    target.set_permissions(rel, mode).map_err(|e| fail(&path, e))?;
                }
            }
            repo::export::Entry::Symlink { path, target: to } => {
                let rel = Path::new(&path);
                if let Some(parent) = rel.parent().filter(|p| !p.as_os_str().is_empty()) {
                    target.create_dir_all(parent).map_err(|e| fail(&path, e))?;
                }
                // Only the link is made here; following it later is held
                // beneath the root like every other path.
                target.symlink(&to, rel).map_err(|e| fail(&path, e))?;
            }
        }
        Ok(())
    })?;
    // Last, over any `.gitignore` the commit has at its root.
    target.write(".gitignore", IGNORE_ALL).map_err(|e| CapError::io("writing .gitignore").because(e))?;
    Ok(written)
}
