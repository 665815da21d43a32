//! Why a skill could not be installed, updated, signed or checked.

use std::path::PathBuf;

use super::digest::Digest;
use crate::skill::PackageError;

/// Every refusal names what was refused and, where one helps, the way on.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// The SRC argument is not a source grove knows how to read.
    #[error("{0}")]
    Source(String),
    #[error("cannot read {path}: {error}")]
    Read { path: PathBuf, error: std::io::Error },
    #[error("fetching {what}: {why}")]
    Fetch { what: String, why: String },
    #[error("{what} is larger than {limit} bytes, the most grove installs")]
    TooLarge { what: String, limit: u64 },
    #[error("the digest of {what} is {actual}, not the {expected} its source names")]
    DigestMismatch { what: String, expected: Digest, actual: Digest },
    #[error("{what}: {error}")]
    Package { what: String, error: PackageError },
    #[error("{0}")]
    Describe(String),
    #[error("`{0}` is the name of a built-in skill; an installed skill cannot take it")]
    Builtin(String),
    #[error("{0}")]
    Signature(String),
    #[error("{0}")]
    Policy(String),
    #[error("{0}")]
    Consent(String),
    #[error("{0}")]
    Downgrade(String),
    #[error("no skill named `{0}` is installed")]
    NotInstalled(String),
    #[error("{path}: {why}")]
    Invalid { path: PathBuf, why: String },
    #[error("{path}: {error}")]
    Write { path: PathBuf, error: std::io::Error },
    #[error("no home directory to install into (set GROVE_HOME)")]
    NoHome,
    #[error("{0}")]
    Tampered(String),
}

impl InstallError {
    pub(super) fn fetch(what: impl std::fmt::Display, why: impl std::fmt::Display) -> Self {
        InstallError::Fetch { what: what.to_string(), why: why.to_string() }
    }
}
