//! Printing for the human and for machines.

use std::io::{IsTerminal, Write};

use serde::Serialize;

use super::CliError;

/// Print `error: …` and `hint: …` on stderr, in colour on a terminal.
pub fn error(e: &CliError) {
    let color = std::io::stderr().is_terminal() && std::env::var_os(crate::env::NO_COLOR).is_none();
    let (red, yellow, reset) = if color { ("\x1b[1;31m", "\x1b[1;33m", "\x1b[0m") } else { ("", "", "") };
    // A message may quote a skill, a model or a program (a skill's error,
    // a manifest's name): nothing of theirs acts on the terminal.
    let safe = crate::text::sanitize;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{red}error{reset}: {}", safe(&e.message));
    if let Some(hint) = &e.hint {
        let _ = writeln!(err, "{yellow}hint{reset}: {}", safe(hint));
    }
}

/// Print a value as pretty JSON on stdout.
pub fn json<T: Serialize>(value: &T) {
    let mut out = std::io::stdout().lock();
    let _ = serde_json::to_writer_pretty(&mut out, value);
    let _ = writeln!(out);
}

/// A skill's outcome as text: its summary, then its report. A report that
/// opens with the summary (the agent's does) prints it once; text the
/// terminal already `shown` (the model's last answer, streamed) is left out.
/// The skill's words are untrusted: no escape sequence of theirs is kept.
pub fn outcome_text(outcome: &crate::runtime::Outcome, shown: Option<&str>) -> String {
    let summary = outcome.summary.trim();
    let seen = |text: &str| shown.is_some_and(|s| !text.is_empty() && s.contains(text));
    let mut report = outcome.report.as_deref().unwrap_or_default().trim().to_string();
    if let Some(shown) = shown.filter(|s| !s.is_empty()) {
        report = report.replace(shown, "").trim().to_string();
    }
    let mut text = String::new();
    if !seen(summary) && !report.contains(summary) {
        text.push_str(summary);
        text.push('\n');
    }
    if !report.is_empty() {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&report);
        text.push('\n');
    }
    crate::text::sanitize(&text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::outcome_text;
    use crate::runtime::Outcome;

    fn outcome(summary: &str, report: Option<&str>) -> Outcome {
        Outcome { success: true, summary: summary.into(), report: report.map(Into::into), data: None }
    }

    #[test]
    fn the_summary_is_printed_once() {
        let agent = outcome("Fixed add.", Some("Fixed add.\nIt subtracted.\n\n3 turns · 2 tool calls"));
        assert_eq!(outcome_text(&agent, None), "Fixed add.\nIt subtracted.\n\n3 turns · 2 tool calls\n");
        // Streamed already: only what the terminal has not shown.
        assert_eq!(outcome_text(&agent, Some("Fixed add.\nIt subtracted.")), "3 turns · 2 tool calls\n");
        let plain = outcome("Hello, world!", None);
        assert_eq!(outcome_text(&plain, None), "Hello, world!\n");
        let hostile = outcome("ok\u{1b}]0;title\u{7}\u{1b}[2J", None);
        assert_eq!(outcome_text(&hostile, None), "ok\\x1b]0;title\\x07\\x1b[2J\n");
        let both = outcome("2 findings", Some("## review\n\n- a\n- b"));
        assert_eq!(outcome_text(&both, None), "2 findings\n\n## review\n\n- a\n- b\n");
    }
}
