//! The policy layers, where their files live, and where each value came from.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Serialize;

use super::PolicyError;

/// A policy layer. Ordered from the strongest to the weakest, so sorting
/// layers puts the one that wins first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    /// Set by an administrator for every user of the machine; may lock keys.
    Enterprise,
    /// The user's own policy: may allow what the enterprise layer leaves open.
    User,
    /// The repository's `.grove/policy.toml`. The repository may be hostile,
    /// so this layer can only narrow.
    Project,
}

impl Layer {
    pub const ALL: [Layer; 3] = [Layer::Enterprise, Layer::User, Layer::Project];

    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Enterprise => "enterprise",
            Layer::User => "user",
            Layer::Project => "project",
        }
    }

    /// Where this layer's file is for a worktree rooted at `root`; `None`
    /// for the user layer when there is no home to look in. The project
    /// file is the one in the repository's main checkout (see
    /// [`main_checkout`]), whichever of its worktrees `root` is.
    pub fn path(self, root: &Path) -> Option<PathBuf> {
        match self {
            Layer::Enterprise => Some(enterprise_path()),
            Layer::User => user_path(),
            Layer::Project => Some(project_path(&main_checkout(root))),
        }
    }

    /// The layer a policy file's path suggests: the enterprise or user file
    /// by location, anything else is read as a project file (the layer that
    /// can grant nothing).
    pub fn of_path(file: &Path) -> Layer {
        let same = |other: Option<PathBuf>| {
            other.is_some_and(|o| {
                o == file
                    || (o.canonicalize().ok().zip(file.canonicalize().ok())).is_some_and(|(a, b)| a == b)
            })
        };
        if same(Some(enterprise_path())) {
            Layer::Enterprise
        } else if same(user_path()) {
            Layer::User
        } else {
            Layer::Project
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Layer {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Layer::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| format!("unknown layer `{s}` (known: enterprise, user, project)"))
    }
}

/// Where a value of the effective policy was set: its layer, its file and
/// the 1-based line in that file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    pub layer: Layer,
    pub file: PathBuf,
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// `$GROVE_ENTERPRISE_POLICY`, else `/etc/grove/policy.toml`.
pub fn enterprise_path() -> PathBuf {
    match std::env::var_os(crate::env::GROVE_ENTERPRISE_POLICY).filter(|p| !p.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from("/etc/grove/policy.toml"),
    }
}

/// `policy.toml` in grove's configuration folder (see
/// [`crate::paths::config_dir`]).
pub fn user_path() -> Option<PathBuf> {
    Some(crate::paths::config_dir()?.join("policy.toml"))
}

/// The main checkout of the repository whose worktree is rooted at
/// `root`: `root` itself, unless it is a linked worktree (a session's).
/// The project layer is read there, as it is on disk: the policy the user
/// sees and edits is the one every session of the repository is judged by,
/// committed or not, and an agent cannot change its own by writing in its
/// worktree. A folder that is no repository's worktree, or a main
/// worktree that is bare, leaves `root`.
pub fn main_checkout(root: &Path) -> PathBuf {
    let main = git2::Repository::open(root)
        .ok()
        .filter(git2::Repository::is_worktree)
        .and_then(|linked| git2::Repository::open(linked.commondir()).ok())
        .filter(|main| !main.is_bare())
        .and_then(|main| main.workdir().map(|dir| dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf())));
    main.unwrap_or_else(|| root.to_path_buf())
}

/// `<root>/.grove/policy.toml`.
pub fn project_path(root: &Path) -> PathBuf {
    root.join(".grove").join("policy.toml")
}

/// Read a policy file: `None` when it does not exist (an absent layer).
pub fn read(file: &Path) -> Result<Option<String>, PolicyError> {
    match std::fs::read_to_string(file) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(PolicyError::Read { file: file.to_path_buf(), error }),
    }
}
