//! Editing by exact string replacement: the model quotes what it wants
//! changed, and the edit applies only where that quote is unambiguous.

/// Replace `old` with `new` in `text`: exactly one occurrence, or every one
/// with `all`. Errors are written for the model to act on.
pub fn replace(text: &str, old: &str, new: &str, all: bool) -> Result<(String, usize), String> {
    if old.is_empty() {
        return Err("old_string is empty: to create or overwrite a file use write_file".into());
    }
    if old == new {
        return Err("old_string and new_string are the same: nothing to change".into());
    }
    let count = text.matches(old).count();
    match count {
        0 => Err(not_found_hint(text, old)),
        1 => Ok((text.replacen(old, new, 1), 1)),
        n if all => Ok((text.replace(old, new), n)),
        n => Err(format!(
            "old_string occurs {n} times; add surrounding lines to make it unique, or set replace_all"
        )),
    }
}

/// Say why a quote was not found when the reason is a common one.
fn not_found_hint(text: &str, old: &str) -> String {
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    if squash(text).contains(&squash(old)) {
        return "old_string not found as written, but it matches if whitespace is ignored: \
                quote the indentation and line breaks exactly as read_file shows them (without line numbers)"
            .into();
    }
    "old_string not found in the file; read the file again and quote it exactly".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_exact_match_is_replaced() {
        assert_eq!(replace("a + b\n", "+", "-", false).unwrap(), ("a - b\n".to_string(), 1));
    }

    #[test]
    fn ambiguity_and_absence_are_explained() {
        assert!(replace("x x", "x", "y", false).unwrap_err().contains("2 times"));
        assert_eq!(replace("x x", "x", "y", true).unwrap(), ("y y".to_string(), 2));
        assert!(replace("    a\n", "a\n  ", "b", false).unwrap_err().contains("not found"));
        assert!(replace("fn  main()", "fn main()", "b", false).unwrap_err().contains("whitespace"));
        assert!(replace("a", "", "b", false).unwrap_err().contains("write_file"));
        assert!(replace("a", "a", "a", false).unwrap_err().contains("same"));
    }
}
