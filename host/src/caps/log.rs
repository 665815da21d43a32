//! `log`: lines and progress for the human. Not an action (it reaches only
//! the terminal), so it skips the gate; it is capped by the output budget,
//! and running past the budget traps.

use super::Caps;
use super::console::Verbosity;
use crate::wit::grove::skill::log::{Host, Level};

impl Host for Caps {
    async fn log(&mut self, level: Level, message: String) -> wasmtime::Result<()> {
        let (min, tag) = match level {
            Level::Trace => (Verbosity::Trace, "trace"),
            Level::Debug => (Verbosity::Verbose, "debug"),
            Level::Info => (Verbosity::Normal, "info"),
            Level::Warn => (Verbosity::Quiet, "warn"),
            Level::Error => (Verbosity::Quiet, "error"),
        };
        if !matches!(level, Level::Trace) {
            self.tell(
                crate::transcript::kind::LOG,
                || serde_json::json!({ "level": tag, "message": message }),
            );
        }
        // Skip the formatting for lines nobody will see, but still charge
        // them: a flood of hidden lines is still a flood.
        if self.console.verbosity() < min {
            self.console.budget().charge(message.len() + 1)?;
            return Ok(());
        }
        let line = format!("[{}] {tag}: {message}", self.console.skill());
        self.console.line(min, &line)?;
        Ok(())
    }

    async fn progress(&mut self, label: String, done: u64, total: u64) -> wasmtime::Result<()> {
        self.console.progress(&label, done, total)?;
        Ok(())
    }
}
