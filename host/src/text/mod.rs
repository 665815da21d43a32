//! Text a user reads: words for counts (`1 file`, `2 files`), and untrusted
//! text made safe to print.

mod sanitize;

use std::fmt::Display;

pub use sanitize::sanitize;

/// Untrusted text made safe and kept on one line (a line break shows as
/// `⏎`): for a target, a reason or a name inside a line grove prints.
pub fn one_line(text: &str) -> String {
    let safe = sanitize(text);
    if safe.contains('\n') { safe.replace('\n', " ⏎ ") } else { safe.into_owned() }
}

/// An error's message followed by each cause it does not already say
/// (`reading x: permission denied`), for a message a person reads.
pub fn with_causes(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let said = cause.to_string();
        if !said.is_empty() && !message.contains(&said) {
            message.push_str(&format!(": {said}"));
        }
        source = cause.source();
    }
    message
}

/// `n` and `noun`, plural unless `n` is one: `count(1, "tool call")` is
/// `1 tool call`, `count(3, "entry")` is `3 entries`.
pub fn count<N: Display + Copy + TryInto<u64>>(n: N, noun: &str) -> String {
    format!("{n} {}", noun_for(n.try_into().ok() == Some(1), noun))
}

/// `noun`, or its plural when `one` is false (the last word gets the ending).
pub fn noun_for(one: bool, noun: &str) -> String {
    if one {
        return noun.to_string();
    }
    let consonant_y = noun.strip_suffix('y').filter(|stem| !stem.ends_with(['a', 'e', 'o', 'u']));
    match consonant_y {
        Some(stem) => format!("{stem}ies"),
        None if ["s", "x", "ch", "sh"].iter().any(|end| noun.ends_with(end)) => format!("{noun}es"),
        None => format!("{noun}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_is_singular_and_everything_else_plural() {
        assert_eq!(count(1, "file"), "1 file");
        assert_eq!(count(0, "file"), "0 files");
        assert_eq!(count(2usize, "tool call"), "2 tool calls");
        assert_eq!(count(1u64, "unmerged commit"), "1 unmerged commit");
        assert_eq!(count(3, "entry"), "3 entries");
        assert_eq!(count(2, "day"), "2 days");
        assert_eq!(count(2, "match"), "2 matches");
    }
}
