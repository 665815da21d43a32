//! A design change without a designer's sign-off, on the pull request:
//! the comment that lists each design change with the before and after
//! pictures `designer-check` kept, and who the designers are (from
//! `[design] designers` of the main checkout's `.grove/config.toml`), so
//! the notifier can ask them directly.

use std::path::Path;

use serde_json::Value;

use super::verdicts::Verdict;
use crate::evidence::bundle::{Entry, Kind};

/// The status a design check sets.
pub const CONTEXT: &str = "design/sign-off";
/// Marks grove's design comment, so an update does not post it again.
pub const MARKER: &str = "<!-- grove:design-sign-off -->";

/// The design verdict of `verdicts`, when it failed.
pub fn unsigned(verdicts: &[Verdict]) -> Option<&Verdict> {
    verdicts.iter().find(|v| v.context == CONTEXT && !v.passed)
}

/// The comment: each change (file, kind, lines), then each page's before
/// and after pictures, linked through `link` (an evidence file → its URL).
pub fn comment(report: &Value, pictures: &[(&Entry, String)]) -> String {
    let mut body = format!(
        "{MARKER}\n**Design sign-off needed.** This change touches the design and no designer has signed it off \
         (a `Design-Reviewed-by:` trailer, or a line in the sign-off file).\n\n| file | change | lines |\n|---|---|---|\n"
    );
    for change in report["changes"].as_array().into_iter().flatten() {
        let lines: Vec<String> = change["lines"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_u64)
            .map(|l| l.to_string())
            .collect();
        body.push_str(&format!(
            "| `{}` | {} | {} |\n",
            cell(change["path"].as_str().unwrap_or("?")),
            cell(change["kind"].as_str().unwrap_or("?")),
            if lines.is_empty() { "–".to_string() } else { lines.join(", ") },
        ));
    }
    if !pictures.is_empty() {
        body.push_str("\n| page | picture |\n|---|---|\n");
        for (entry, url) in pictures {
            let what = entry.caption.strip_prefix("designer-check: ").unwrap_or(&entry.caption);
            body.push_str(&format!("| {} | ![{}]({url}) |\n", cell(what), cell(what)));
        }
    }
    body
}

/// The pictures `designer-check` kept, in the bundle's order.
pub fn pictures(evidence: &[(Entry, std::path::PathBuf)]) -> Vec<&Entry> {
    evidence.iter().map(|(e, _)| e).filter(|e| e.kind == Kind::Png && e.skill == "designer-check").collect()
}

/// Text made safe for a table cell: no pipes, no line breaks, no markup
/// that could open a link or an HTML comment.
fn cell(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '|' | '\n' | '\r' | '<' | '>' | '[' | ']' | '`' => ' ',
            c => c,
        })
        .collect()
}

/// The designers' e-mails, from `[design] designers` of `root`'s
/// `.grove/config.toml` (`"Dana <dana@example.com>"` or `"sam@example.com"`).
pub fn designers(root: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(root.join(".grove/config.toml")) else { return Vec::new() };
    let Ok(table) = text.parse::<toml::Table>() else { return Vec::new() };
    let listed = table.get("design").and_then(|d| d.get("designers")).and_then(|d| d.as_array());
    listed
        .into_iter()
        .flatten()
        .filter_map(|d| d.as_str())
        .filter_map(|d| {
            let email = match (d.find('<'), d.rfind('>')) {
                (Some(a), Some(b)) if a < b => &d[a + 1..b],
                _ => d,
            };
            let email = email.trim();
            email.contains('@').then(|| email.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn designers_are_read_by_their_e_mail() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join(".grove")).unwrap();
        std::fs::write(
            root.path().join(".grove/config.toml"),
            "[design]\ndesigners = [\"Dana Designer <dana@example.com>\", \"sam@example.com\", \"Nobody\"]\n",
        )
        .unwrap();
        assert_eq!(designers(root.path()), ["dana@example.com", "sam@example.com"]);
        assert!(designers(Path::new("/nonexistent")).is_empty());
    }

    #[test]
    fn the_comment_lists_the_changes_and_cannot_be_forged_into_markup() {
        let report = serde_json::json!({"verdict": "missing-sign-off", "changes": [
            {"path": "web/app.css", "kind": "stylesheet", "lines": [3, 4]},
            {"path": "a|b<!--x-->.css", "kind": "stylesheet", "lines": []}]});
        let body = comment(&report, &[]);
        assert!(body.starts_with(MARKER));
        assert!(body.contains("| `web/app.css` | stylesheet | 3, 4 |"), "{body}");
        assert!(body.contains("| `a b !--x-- .css` | stylesheet | – |"), "{body}");
        assert_eq!(body.matches("<!--").count(), 1, "only grove's marker");
    }
}
