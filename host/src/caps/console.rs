//! The human's terminal, as skills see it: log lines, progress and reports,
//! all charged against the invocation's output budget.

use std::io::{IsTerminal, Write};

use crate::runtime::LimitExceeded;
use crate::runtime::output::OutputBudget;

/// How much the human wants to see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
    Trace,
}

/// Somewhere else progress should go (a session's record, for `grove ls`
/// and `grove dash`): label, done, total.
pub type ProgressSink = std::sync::Arc<dyn Fn(&str, u64, u64) + Send + Sync>;

/// Where a skill's human-facing output goes.
pub struct Console {
    skill: String,
    verbosity: Verbosity,
    budget: OutputBudget,
    /// `--json`: stdout carries the result alone, so reports go to stderr.
    json: bool,
    /// Progress is redrawn in place only on a terminal.
    progress_line: bool,
    progress_shown: bool,
    progress_sink: Option<ProgressSink>,
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console")
            .field("skill", &self.skill)
            .field("verbosity", &self.verbosity)
            .finish_non_exhaustive()
    }
}

impl Console {
    pub fn new(skill: impl Into<String>, verbosity: Verbosity, budget: OutputBudget, json: bool) -> Self {
        Console {
            skill: skill.into(),
            verbosity,
            budget,
            json,
            progress_line: std::io::stderr().is_terminal() && verbosity > Verbosity::Quiet,
            progress_shown: false,
            progress_sink: None,
        }
    }

    /// Also hand every progress report to `sink`.
    pub fn with_progress_sink(mut self, sink: ProgressSink) -> Self {
        self.progress_sink = Some(sink);
        self
    }

    pub fn budget(&self) -> &OutputBudget {
        &self.budget
    }

    pub fn skill(&self) -> &str {
        &self.skill
    }

    pub fn verbosity(&self) -> Verbosity {
        self.verbosity
    }

    /// Print one line on stderr, unless the human asked for less.
    pub fn line(&mut self, min: Verbosity, text: &str) -> Result<(), LimitExceeded> {
        self.budget.charge(text.len() + 1)?;
        if self.verbosity >= min {
            self.clear_progress();
            // A skill's words are untrusted: no escape sequence of its
            // reaches the terminal.
            let _ = writeln!(std::io::stderr().lock(), "{}", crate::text::sanitize(text));
        }
        Ok(())
    }

    /// Redraw the progress line.
    pub fn progress(&mut self, label: &str, done: u64, total: u64) -> Result<(), LimitExceeded> {
        self.budget.charge(label.len() + 24)?;
        if let Some(sink) = &self.progress_sink {
            sink(label, done, total);
        }
        if !self.progress_line {
            return Ok(());
        }
        let count = if total == 0 { format!("{done}") } else { format!("{done}/{total}") };
        let label = crate::text::sanitize(label).replace('\n', " ");
        let _ = write!(std::io::stderr().lock(), "\r\x1b[2K{}: {label} {count}", self.skill);
        self.progress_shown = total == 0 || done < total;
        if !self.progress_shown {
            let _ = writeln!(std::io::stderr().lock());
        }
        Ok(())
    }

    /// Print a report body: stdout normally, stderr under `--json`.
    pub fn report(&mut self, text: &str) -> Result<(), LimitExceeded> {
        self.budget.charge(text.len())?;
        self.clear_progress();
        let text = crate::text::sanitize(text);
        if self.json {
            let _ = writeln!(std::io::stderr().lock(), "{text}");
        } else {
            let _ = writeln!(std::io::stdout().lock(), "{text}");
        }
        Ok(())
    }

    /// Erase a progress line left in place.
    pub fn clear_progress(&mut self) {
        if self.progress_shown {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
            self.progress_shown = false;
        }
    }
}
