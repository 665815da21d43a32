//! Asking the human a yes-or-no question on the terminal: no is the
//! default, and only a plain yes says yes.

use std::io::{BufRead, Write};

/// Ask `question` on stderr and read the answer from stdin: `y`/`yes`
/// (any case) is yes, anything else no.
pub fn yes_or_no(question: &str) -> std::io::Result<bool> {
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES"))
}
