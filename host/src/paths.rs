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
