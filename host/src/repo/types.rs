//! The repository's answers as grove's own records. The `git` capability
//! converts them to the contract's types; nothing here names a WIT type.

/// How a file differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
    Renamed,
    Copied,
    TypeChanged,
    Untracked,
    Conflicted,
}

impl ChangeKind {
    /// The name as the contract spells it: `added`, `type-changed`, …
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Modified => "modified",
            ChangeKind::Deleted => "deleted",
            ChangeKind::Renamed => "renamed",
            ChangeKind::Copied => "copied",
            ChangeKind::TypeChanged => "type-changed",
            ChangeKind::Untracked => "untracked",
            ChangeKind::Conflicted => "conflicted",
        }
    }
}

/// A path whose index or worktree state differs from HEAD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    pub path: String,
    pub staged: Option<ChangeKind>,
    pub unstaged: Option<ChangeKind>,
}

/// One file changed between a base and the worktree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedFile {
    pub path: String,
    pub old_path: Option<String>,
    pub change: ChangeKind,
    pub additions: u32,
    pub deletions: u32,
    pub binary: bool,
}

/// Lines added and removed in one file by one commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChurn {
    pub path: String,
    pub additions: u32,
    pub deletions: u32,
}

/// One commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    pub id: String,
    pub summary: String,
    pub author: String,
    pub email: String,
    pub time: i64,
    pub parents: u32,
    pub files: Vec<FileChurn>,
}

/// Which commits `log` returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogQuery {
    pub from: Option<String>,
    pub max_count: u32,
    pub path: Option<String>,
    pub with_files: bool,
    pub skip_merges: bool,
}

/// Where HEAD is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadInfo {
    pub branch: Option<String>,
    pub commit: Option<String>,
}

/// What went wrong, in words a skill or a user can be shown.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    /// A path that leads outside the repository's worktree.
    #[error("{0}")]
    Outside(String),
    #[error("{0}")]
    TooLarge(String),
    /// libgit2 failed; its error is kept whole (its code and class), and
    /// its message is what is said.
    #[error("{}", .0.message())]
    Git(git2::Error),
}

impl From<crate::paths::RelativeError> for Error {
    fn from(e: crate::paths::RelativeError) -> Error {
        match e {
            crate::paths::RelativeError::Outside(_) => Error::Outside(e.to_string()),
            _ => Error::Invalid(e.to_string()),
        }
    }
}
