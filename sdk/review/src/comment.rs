//! A finding as a pull request's line comment: the text `code-review
//! --post` sends, which is also the text `grove pr` posts from the
//! review's report (the host recognises a comment already posted by it,
//! so the two must agree: `host/src/review/findings.rs`'s `text_of`).

use crate::review::Finding;

/// The comment's text: severity, rule, whose finding, message, suggestion.
pub fn text(f: &Finding) -> String {
    let by = if f.rule.starts_with("model/") { " (the model's review)" } else { "" };
    let mut text = format!("**{}** `{}`{by}: {}", f.severity.as_str(), f.rule, f.message);
    if let Some(suggestion) = f.suggestion.as_deref().filter(|s| !s.trim().is_empty()) {
        text.push_str(&format!("\n\nSuggestion: {suggestion}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::Severity;

    #[test]
    fn a_models_finding_says_whose_it_is() {
        let mut f = Finding::new("a.rs", Some(3), Severity::Warning, "model/review", "off by one".into());
        f.suggestion = Some("use `..=`".into());
        assert_eq!(
            text(&f),
            "**warning** `model/review` (the model's review): off by one\n\nSuggestion: use `..=`"
        );
        let rule = Finding::new("a.rs", Some(3), Severity::Error, "secrets/jwt", "a JWT".into());
        assert_eq!(text(&rule), "**error** `secrets/jwt`: a JWT");
    }
}
