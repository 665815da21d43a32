//! What can be wrong with a policy file, and what is merely ignored.

use std::fmt;
use std::path::{Path, PathBuf};

use super::{Location, Origin};

/// A policy that cannot be used. The gate never runs on a half-read
/// policy: any of these in any present layer stops the load.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read {}: {error}", file.display())]
    Read {
        file: PathBuf,
        #[source]
        error: std::io::Error,
    },
    #[error("{at}: {problem}")]
    Invalid { at: Location, problem: Problem },
}

impl PolicyError {
    pub fn file(&self) -> &Path {
        match self {
            PolicyError::Read { file, .. } => file,
            PolicyError::Invalid { at, .. } => &at.file,
        }
    }

    /// Where in the file, when the file could be read.
    pub fn location(&self) -> Option<&Location> {
        match self {
            PolicyError::Read { .. } => None,
            PolicyError::Invalid { at, .. } => Some(at),
        }
    }

    /// The message without the location.
    pub fn message(&self) -> String {
        match self {
            PolicyError::Read { error, .. } => format!("cannot read: {error}"),
            PolicyError::Invalid { problem, .. } => problem.to_string(),
        }
    }
}

/// What is wrong at a place in a policy file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// Not TOML, or a value of the wrong type, or a required key missing.
    #[error("{0}")]
    Syntax(String),
    /// A key the format does not have (a typo, or a newer grove's key).
    #[error("{0}")]
    UnknownKey(String),
    #[error("invalid regex `{pattern}`: {message}")]
    BadRegex { pattern: String, message: String },
    #[error("invalid glob `{glob}`: {message}")]
    BadGlob { glob: String, message: String },
    /// An unknown verdict, mode, capability or lockable key.
    #[error("unknown {what} `{value}` (known: {known})")]
    Unknown { what: &'static str, value: String, known: String },
    #[error("a rule needs at least one of capability, command, pattern, path, host, skill")]
    EmptyRule,
    /// A value of the right type that still makes no sense.
    #[error("{0}")]
    Invalid(String),
}

impl Problem {
    pub(super) fn unknown(
        what: &'static str,
        value: &str,
        known: impl IntoIterator<Item = &'static str>,
    ) -> Self {
        let known = known.into_iter().collect::<Vec<_>>().join(", ");
        Problem::Unknown { what, value: value.to_string(), known }
    }
}

/// An entry that is valid but has no effect: a project file trying to
/// widen, a key the enterprise layer locks, a mode above the ceiling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub origin: Origin,
    pub column: usize,
    pub message: String,
}

impl Warning {
    pub fn location(&self) -> Location {
        Location { file: self.origin.file.clone(), line: self.origin.line, column: self.column }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.message)
    }
}
