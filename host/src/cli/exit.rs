//! Exit codes, and the one-line error (plus hint) the CLI prints.

use std::fmt;
use std::process::ExitCode;

/// How `grove` exits. Documented in the README; scripts rely on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Done, and the skill's verdict (if any) passed.
    Ok = 0,
    /// The skill ran and failed: a failing verdict or an error it returned.
    SkillFailed = 1,
    /// The command line was wrong: bad flags, an unknown skill.
    Usage = 2,
    /// The skill was stopped by a limit: time, memory or output.
    Limit = 3,
    /// The skill is broken: not a valid component, or it crashed (trapped).
    SkillBroken = 4,
    /// grove itself could not do its part: I/O, cache, repository.
    Host = 5,
    /// Interrupted by Ctrl-C (128 + SIGINT, as shells report it).
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// An error for the human: one line, an optional hint, and an exit code.
#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    pub message: String,
    pub hint: Option<String>,
}

impl CliError {
    pub fn new(exit: Exit, message: impl fmt::Display) -> Self {
        CliError { exit, message: message.to_string(), hint: None }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}
