//! Values that stand in for a secret rather than being one: `xxx`,
//! `<your-key>`, `changeme`, `${API_KEY}`, `%(password)s`, `****`.
//! Flagging them would teach people to ignore the review.

/// Whole values that are placeholders, compared without case.
const WHOLE: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "none",
    "null",
    "nil",
    "undefined",
    "empty",
    "string",
    "required",
    "hidden",
    "redacted",
    "masked",
    "test",
    "testing",
    "pass",
    "default",
    "todo",
    "tbd",
];

/// Parts that make a value a placeholder wherever they appear.
const PARTS: &[&str] = &[
    "example",
    "changeme",
    "change_me",
    "change-me",
    "placeholder",
    "your_",
    "your-",
    "yourkey",
    "your key",
    "your api",
    "dummy",
    "sample",
    "fake",
    "redacted",
    "replace",
    "insert",
    "xxxx",
    "****",
    "...",
    "…",
    "notreal",
    "not-a-real",
    "not_a_real",
];

/// Whether `value` is a placeholder, a template or a reference to
/// something else (an environment variable, a setting) rather than a
/// literal secret.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return true;
    }
    // Templates and references: ${VAR}, {{ var }}, $(cmd), %(name)s, %s,
    // <your-key>, $VAR, @VAR@, :symbol.
    if v.contains("${")
        || v.contains("{{")
        || v.contains("$(")
        || v.contains("%(")
        || v.contains("%s")
        || v.starts_with('$')
        || v.starts_with('<') && v.ends_with('>')
        || v.starts_with('@') && v.ends_with('@')
        || v.starts_with('{') && v.ends_with('}')
    {
        return true;
    }
    let lower = v.to_lowercase();
    if WHOLE.contains(&lower.as_str()) || PARTS.iter().any(|p| lower.contains(p)) {
        return true;
    }
    // One character over and over (xxxxxx, 000000, ******), or only mask
    // characters.
    let mut chars = lower.chars();
    let first = chars.next().unwrap_or(' ');
    lower.chars().all(|c| c == first)
        || lower.chars().all(|c| matches!(c, 'x' | '*' | '.' | '-' | '_' | '#' | '0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        for v in [
            "xxx",
            "XXXXXXXXXXXX",
            "<your-key>",
            "<API_KEY>",
            "changeme",
            "CHANGE_ME",
            "${API_KEY}",
            "$API_KEY",
            "{{ secrets.TOKEN }}",
            "%(password)s",
            "your_api_key_here",
            "sk-...",
            "********",
            "AKIAIOSFODNN7EXAMPLE",
            "password",
            "",
            "{token}",
        ] {
            assert!(is_placeholder(v), "{v:?}");
        }
        // Split so that this file holds no token a review would flag.
        for v in [
            "hunter22",
            "s3cr3t-Pa55w0rd",
            concat!("AKIA", "Z7Q2XK4M3N8P5R6T"),
            "correct horse battery staple",
        ] {
            assert!(!is_placeholder(v), "{v:?}");
        }
    }
}
