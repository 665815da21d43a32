//! Printing for the human and for machines.

use std::io::{IsTerminal, Write};

use serde::Serialize;

use super::CliError;

/// Print `error: …` and `hint: …` on stderr, in colour on a terminal.
pub fn error(e: &CliError) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let (red, yellow, reset) = if color { ("\x1b[1;31m", "\x1b[1;33m", "\x1b[0m") } else { ("", "", "") };
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{red}error{reset}: {}", e.message);
    if let Some(hint) = &e.hint {
        let _ = writeln!(err, "{yellow}hint{reset}: {hint}");
    }
}

/// Print a value as pretty JSON on stdout.
pub fn json<T: Serialize>(value: &T) {
    let mut out = std::io::stdout().lock();
    let _ = serde_json::to_writer_pretty(&mut out, value);
    let _ = writeln!(out);
}
