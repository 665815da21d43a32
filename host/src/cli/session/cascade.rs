//! Cancelling or removing a session that has sub-sessions: the human says
//! whether they go too. `--yes` says so up front; on a terminal grove asks
//! (no is the default); without one, and without `--yes`, it refuses
//! rather than guess either way.

use std::io::IsTerminal;

use crate::cli::{CliError, Exit};

/// Whether to `verb` ("cancel", "remove") the `below` sub-sessions of
/// `name` too. `retry` is the command that does it without asking, for the
/// refusal's hint.
pub fn confirm(name: &str, verb: &str, below: usize, yes: bool, retry: &str) -> Result<bool, CliError> {
    if below == 0 || yes {
        return Ok(below > 0);
    }
    let question = question(name, verb, below);
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(refusal(name, verb, below, retry));
    }
    crate::cli::ask::yes_or_no(&question)
        .map_err(|e| CliError::new(Exit::Host, format!("reading the answer: {e}")))
}

/// "`p` has 3 sub-sessions: cancel them too?"
pub fn question(name: &str, verb: &str, below: usize) -> String {
    let them = if below == 1 { "it" } else { "them" };
    format!("{name} has {}: {verb} {them} too?", crate::text::count(below, "sub-session"))
}

/// Why grove will not go on without a terminal to ask on.
fn refusal(name: &str, verb: &str, below: usize, retry: &str) -> CliError {
    let them = if below == 1 { "it" } else { "them" };
    CliError::new(
        Exit::Usage,
        format!(
            "`{name}` has {}, and there is no terminal to ask whether to {verb} {them} too",
            crate::text::count(below, "sub-session")
        ),
    )
    .hint(format!("`{retry}` does it without asking (`grove ls` shows them under `{name}`)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_question_counts_what_goes_with_it() {
        assert_eq!(question("p", "cancel", 3), "p has 3 sub-sessions: cancel them too?");
        assert_eq!(question("p", "remove", 1), "p has 1 sub-session: remove it too?");
        assert!(!confirm("p", "cancel", 0, false, "").unwrap());
        assert!(confirm("p", "cancel", 2, true, "").unwrap());
        let e = refusal("p", "remove", 2, "grove rm --yes p");
        assert!(e.message.contains("no terminal to ask whether to remove them too"), "{}", e.message);
    }
}
