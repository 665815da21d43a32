//! Constructors for what a skill returns.

use crate::{Error, Outcome};

impl Outcome {
    /// A passing verdict with a one-line summary.
    pub fn ok(summary: impl Into<String>) -> Self {
        Outcome { summary: summary.into(), report: None, data: None, success: true }
    }

    /// A failing verdict: `grove run` exits with code 1.
    pub fn fail(summary: impl Into<String>) -> Self {
        Outcome { success: false, ..Outcome::ok(summary) }
    }

    /// Attach a markdown report, shown below the summary.
    pub fn with_report(mut self, markdown: impl Into<String>) -> Self {
        self.report = Some(markdown.into());
        self
    }

    /// Attach machine-readable JSON text, printed as is by `grove run --json`.
    pub fn with_data(mut self, json: impl Into<String>) -> Self {
        self.data = Some(json.into());
        self
    }
}

impl Error {
    /// The skill's own failure.
    pub fn failed(message: impl Into<String>) -> Self {
        Error::Failed(message.into())
    }

    /// Bad arguments (or a bad file the skill reads): shown to the user with
    /// the skill's usage line; `grove run` exits with code 2.
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid(message.into())
    }

    /// The human-readable text of any variant.
    pub fn message(&self) -> &str {
        match self {
            Error::Denied(m)
            | Error::NotFound(m)
            | Error::Invalid(m)
            | Error::Io(m)
            | Error::Timeout(m)
            | Error::Limit(m)
            | Error::Unsupported(m)
            | Error::Failed(m) => m,
        }
    }
}
