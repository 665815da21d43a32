//! Where grove finds the workspace and keeps its files.

use std::path::{Path, PathBuf};

/// The workspace a command works in.
#[derive(Debug, Clone)]
pub struct WorkspaceLocation {
    /// The repository's work tree, or the current folder outside a repository.
    pub root: PathBuf,
    /// Where the user stands, relative to `root` (empty at the root).
    pub cwd: String,
    /// The repository's common git directory (shared by its worktrees).
    pub git_dir: Option<PathBuf>,
}

impl WorkspaceLocation {
    /// Discover the repository around `cwd`; outside one, `cwd` is the root.
    pub fn discover(cwd: &Path) -> WorkspaceLocation {
        let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
        if let Ok(repo) = git2::Repository::discover(&cwd)
            && let Some(workdir) = repo.workdir()
        {
            let root = workdir.canonicalize().unwrap_or_else(|_| workdir.to_path_buf());
            let rel =
                cwd.strip_prefix(&root).map(|p| p.to_string_lossy().replace('\\', "/")).unwrap_or_default();
            return WorkspaceLocation { root, cwd: rel, git_dir: Some(repo.commondir().to_path_buf()) };
        }
        WorkspaceLocation { root: cwd, cwd: String::new(), git_dir: None }
    }

    /// The audit log: `$GROVE_AUDIT_LOG`, else `<git dir>/grove/audit.jsonl`,
    /// else `<state dir>/grove/audit.jsonl`.
    pub fn audit_log(&self) -> Option<PathBuf> {
        if let Some(path) = std::env::var_os(crate::env::GROVE_AUDIT_LOG) {
            return Some(PathBuf::from(path));
        }
        match &self.git_dir {
            Some(git) => Some(git.join("grove").join("audit.jsonl")),
            None => state_dir().map(|d| d.join("audit.jsonl")),
        }
    }
}

/// The user's grove configuration folder: `$GROVE_HOME`, else
/// `$XDG_CONFIG_HOME/grove`, else `~/.config/grove`.
pub fn config_dir() -> Option<PathBuf> {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(home) = var(crate::env::GROVE_HOME) {
        return Some(home);
    }
    // The XDG spec says to ignore a relative XDG_CONFIG_HOME.
    let config = var(crate::env::XDG_CONFIG_HOME)
        .filter(|p| p.is_absolute())
        .or_else(|| Some(var(crate::env::HOME)?.join(".config")))?;
    Some(config.join("grove"))
}

/// `$XDG_STATE_HOME/grove`, else `~/.local/state/grove`.
pub fn state_dir() -> Option<PathBuf> {
    let base = std::env::var_os(crate::env::XDG_STATE_HOME)
        .map(PathBuf::from)
        .or_else(|| std::env::var_os(crate::env::HOME).map(|h| Path::new(&h).join(".local/state")))?;
    Some(base.join("grove"))
}

/// Why a path meant to be relative to a workspace root was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelativeError {
    #[error("path {0:?} contains a NUL byte")]
    Nul(String),
    #[error("absolute path {0:?} refused: paths are relative to the workspace root")]
    Absolute(String),
    #[error("path {0:?} leads outside the workspace")]
    Outside(String),
}

/// Check a path lexically and normalize it: relative, no NUL, not
/// climbing above the root. The root itself is `.`.
pub fn relative(path: &str) -> Result<std::path::PathBuf, RelativeError> {
    use std::path::Component;
    if path.contains('\0') {
        return Err(RelativeError::Nul(path.to_string()));
    }
    let p = Path::new(path);
    if p.has_root() || p.is_absolute() {
        return Err(RelativeError::Absolute(path.to_string()));
    }
    let mut out = std::path::PathBuf::new();
    for component in p.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return Err(RelativeError::Outside(path.to_string()));
                }
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(RelativeError::Absolute(path.to_string()));
            }
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    Ok(out)
}

/// What `grove serve` leaves in the git directory while it runs
/// (`grove/serve.json`): its pid, when that process started, and its port;
/// never its token. A run reads it to print where its report can be seen.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ServeMark {
    pub pid: u32,
    /// `/proc/<pid>/stat`'s start time: a pid alone may be reused.
    pub started: Option<u64>,
    pub port: u16,
}

impl ServeMark {
    fn path(git_dir: &Path) -> PathBuf {
        git_dir.join("grove").join("serve.json")
    }

    /// Leave this process's mark for `port`; it is taken away when the
    /// returned guard drops (a mark a killed server left is told apart by
    /// its pid and start time).
    pub fn leave(git_dir: &Path, port: u16) -> std::io::Result<ServeMarkGuard> {
        let pid = std::process::id();
        let mark = ServeMark { pid, started: crate::pid::start_time(pid), port };
        let path = ServeMark::path(git_dir);
        let tmp = path.with_extension(format!("json.{pid}"));
        std::fs::write(&tmp, serde_json::to_vec(&mark).unwrap_or_default())?;
        std::fs::rename(&tmp, &path)?;
        Ok(ServeMarkGuard { path, mark })
    }

    /// The mark of a `grove serve` that is running now for this repository.
    pub fn live(git_dir: &Path) -> Option<ServeMark> {
        let text = std::fs::read(ServeMark::path(git_dir)).ok()?;
        let mark: ServeMark = serde_json::from_slice(&text).ok()?;
        let same = crate::pid::alive(mark.pid) && crate::pid::start_time(mark.pid) == mark.started;
        same.then_some(mark)
    }
}

/// Takes a [`ServeMark`] away when the server stops, if it is still ours.
#[derive(Debug)]
pub struct ServeMarkGuard {
    path: PathBuf,
    mark: ServeMark,
}

impl Drop for ServeMarkGuard {
    fn drop(&mut self) {
        let ours = std::fs::read(&self.path)
            .ok()
            .and_then(|t| serde_json::from_slice::<ServeMark>(&t).ok())
            .is_some_and(|m| m == self.mark);
        if ours {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod serve_mark_tests {
    use super::ServeMark;

    #[test]
    fn a_mark_is_live_while_its_guard_lives_and_a_dead_servers_is_not() {
        let git = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(git.path().join("grove")).unwrap();
        assert_eq!(ServeMark::live(git.path()), None);
        let guard = ServeMark::leave(git.path(), 4242).unwrap();
        assert_eq!(ServeMark::live(git.path()).map(|m| m.port), Some(4242));
        drop(guard);
        assert_eq!(ServeMark::live(git.path()), None, "taken away");
        // A killed server's mark: its pid now names another process (or none).
        let stale = ServeMark { pid: std::process::id(), started: Some(1), port: 4243 };
        std::fs::write(git.path().join("grove/serve.json"), serde_json::to_vec(&stale).unwrap()).unwrap();
        assert_eq!(ServeMark::live(git.path()), None);
    }
}
