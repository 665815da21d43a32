//! Code-review findings as line comments of one review: only those on a
//! line the pull request's diff shows (GitHub refuses the others), each
//! marked with a hidden fingerprint so that a second `grove pr` posts only
//! what is not already there.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use git2::{Oid, Repository};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::github::LineComment;

/// A finding as the code-review report (`--json`) writes it.
#[derive(Debug, Clone, Deserialize)]
pub struct Finding {
    pub path: String,
    pub line: Option<u32>,
    pub severity: String,
    pub rule: String,
    pub message: String,
    #[serde(default)]
    pub suggestion: Option<String>,
}

/// The findings of a code-review report.
pub fn of_report(json: &[u8]) -> Vec<Finding> {
    #[derive(Deserialize)]
    struct Report {
        findings: Vec<Finding>,
    }
    serde_json::from_slice::<Report>(json).map(|r| r.findings).unwrap_or_default()
}

/// Per path, the lines of the new side the diff of `head` against its
/// merge base with `base` shows (hunks with three lines of context, as
/// GitHub shows them): where a review comment may go.
pub fn lines_in_diff(
    repo: &Repository,
    base: Oid,
    head: Oid,
) -> Result<BTreeMap<String, BTreeSet<u32>>, git2::Error> {
    let merge_base = repo.merge_base(base, head).unwrap_or(base);
    let old = repo.find_commit(merge_base)?.tree()?;
    let new = repo.find_commit(head)?.tree()?;
    let diff = repo.diff_tree_to_tree(Some(&old), Some(&new), None)?;
    let mut out: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    diff.foreach(
        &mut |_, _| true,
        None,
        None,
        Some(&mut |delta, _, line| {
            if let (Some(path), Some(n)) = (delta.new_file().path(), line.new_lineno()) {
                out.entry(path.to_string_lossy().into_owned()).or_default().insert(n);
            }
            true
        }),
    )?;
    Ok(out)
}

/// A stable fingerprint of a comment: its path and what it says (not its
/// line, which moves as the file is edited).
pub fn fingerprint(path: &str, text: &str) -> String {
    let digest = Sha256::digest(format!("{path}\n{text}").as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The hidden marker a posted comment carries.
pub fn marker(fingerprint: &str) -> String {
    format!("<!-- grove:finding {fingerprint} -->")
}

/// The fingerprints already posted, read from the comments' bodies.
pub fn posted(bodies: &[String]) -> HashSet<String> {
    bodies
        .iter()
        .flat_map(|body| body.match_indices("<!-- grove:finding ").map(move |(at, m)| &body[at + m.len()..]))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// What is left out of a review, and why.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Left {
    /// On a line the diff does not show, or about a whole file.
    pub outside: usize,
    /// Posted before.
    pub posted: usize,
}

/// A comment's text: the finding, its suggestion, and whose it is.
pub fn text_of(f: &Finding) -> String {
    let by = if f.rule.starts_with("model/") { " (the model's review)" } else { "" };
    let mut text = format!("**{}** `{}`{by}: {}", f.severity, f.rule, f.message);
    if let Some(suggestion) = f.suggestion.as_deref().filter(|s| !s.trim().is_empty()) {
        text.push_str(&format!("\n\nSuggestion: {suggestion}"));
    }
    text
}

/// The comments to post for `findings`: those on a diff line, not posted
/// before, each with its marker.
pub fn comments(
    findings: &[(String, u32, String)],
    lines: &BTreeMap<String, BTreeSet<u32>>,
    already: &HashSet<String>,
) -> (Vec<LineComment>, Left) {
    let mut left = Left::default();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (path, line, text) in findings {
        if !lines.get(path).is_some_and(|l| l.contains(line)) {
            left.outside += 1;
            continue;
        }
        // The marker is the host's: a skill's text cannot forge one.
        let text = text.replace("<!--", "&lt;!--");
        let fp = fingerprint(path, &text);
        if already.contains(&fp) || !seen.insert(fp.clone()) {
            left.posted += 1;
            continue;
        }
        out.push(LineComment { path: path.clone(), line: *line, body: format!("{text}\n\n{}", marker(&fp)) });
    }
    (out, left)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_new_comments_on_diff_lines_are_posted() {
        let lines: BTreeMap<String, BTreeSet<u32>> = [("a.rs".to_string(), BTreeSet::from([3, 4, 5]))].into();
        let findings = vec![
            ("a.rs".to_string(), 4, "debug left".to_string()),
            ("a.rs".to_string(), 40, "far away".to_string()),
            ("b.rs".to_string(), 1, "not in the diff".to_string()),
            ("a.rs".to_string(), 5, "twice <!-- grove:finding 00 -->".to_string()),
        ];
        let (first, left) = comments(&findings, &lines, &HashSet::new());
        assert_eq!(first.len(), 2);
        assert_eq!(left, Left { outside: 2, posted: 0 });
        assert!(first[1].body.contains("&lt;!-- grove:finding 00"), "{}", first[1].body);
        let bodies: Vec<String> = first.iter().map(|c| c.body.clone()).collect();
        let already = posted(&bodies);
        assert_eq!(already.len(), 2, "{already:?}");
        let (second, left) = comments(&findings, &lines, &already);
        assert!(second.is_empty());
        assert_eq!(left.posted, 2);
    }
}
