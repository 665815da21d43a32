//! A model-written review, its pure half: what the model is asked (the
//! diff, a tool whose input is the findings), how its answer is read, and
//! which of its findings are kept: only those on a line the diff shows,
//! and none a rule already made on the same line. Kept findings are marked
//! as the model's (rule [`RULE`]). The call itself is the skill's.

use std::collections::{BTreeMap, BTreeSet};

use grove_diff::{Diff, Kind};
use serde::Deserialize;

use crate::review::{Finding, Severity};

/// The rule every model finding carries: whose it is.
pub const RULE: &str = "model/review";
/// The tool the model answers through.
pub const TOOL: &str = "report_findings";
/// Most of the diff sent, in bytes: a review is of a change, not a tree.
pub const MAX_DIFF: usize = 200_000;

pub const SYSTEM: &str = "You are a meticulous senior code reviewer. Review the unified diff you are given \
for bugs, security problems, data loss, race conditions, missing error handling and misleading names. \
Report only real problems a reviewer would raise, each on a line the diff adds or shows (the new file's \
line number), with a concrete suggestion. Do not report style nits. Answer by calling the report_findings \
tool once; an empty list is a fine answer.";

/// The tool's input schema (JSON Schema).
pub const SCHEMA: &str = r#"{"type":"object","properties":{"findings":{"type":"array","items":{"type":"object","properties":{"path":{"type":"string","description":"the file's path as the diff names it"},"line":{"type":"integer","description":"the line in the new file"},"severity":{"type":"string","enum":["error","warning","info"]},"message":{"type":"string"},"suggestion":{"type":"string"}},"required":["path","line","severity","message"]}}},"required":["findings"]}"#;

/// The request's text: the diff (cut at [`MAX_DIFF`]).
pub fn prompt(diff_text: &str) -> String {
    let mut end = diff_text.len().min(MAX_DIFF);
    while !diff_text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = if end < diff_text.len() { "\n[the diff is cut here]\n" } else { "" };
    format!("Review this diff.\n\n```diff\n{}{cut}\n```", &diff_text[..end])
}

/// One finding as the model wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Said {
    pub path: String,
    pub line: u32,
    pub severity: String,
    pub message: String,
    #[serde(default)]
    pub suggestion: Option<String>,
}

/// The findings of the tool's input (JSON text).
pub fn parse(input: &str) -> Result<Vec<Said>, String> {
    #[derive(Deserialize)]
    struct Answer {
        findings: Vec<Said>,
    }
    serde_json::from_str::<Answer>(input).map(|a| a.findings).map_err(|e| e.to_string())
}

/// Per path, the new file's lines the diff shows (added and context).
pub fn lines_in_diff<'d>(diff: &'d Diff<'_>) -> BTreeMap<&'d str, BTreeSet<u32>> {
    let mut out: BTreeMap<&str, BTreeSet<u32>> = BTreeMap::new();
    for file in &diff.files {
        let lines = out.entry(file.path.as_str()).or_default();
        lines.extend(file.lines().filter(|l| l.kind != Kind::Removed).map(|l| l.new));
    }
    out
}

/// What was kept of the model's findings, and what was not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kept {
    pub findings: Vec<Finding>,
    /// On a line the diff does not show (or a file it does not touch).
    pub outside: usize,
    /// On a line a rule already has a finding on.
    pub duplicates: usize,
}

/// Keep the findings of `said` on lines of `diff` that `rules` did not
/// already find something on, marked as the model's.
pub fn keep(said: Vec<Said>, diff: &Diff<'_>, rules: &[Finding]) -> Kept {
    let lines = lines_in_diff(diff);
    let taken: BTreeSet<(&str, u32)> =
        rules.iter().filter_map(|f| Some((f.path.as_str(), f.line?))).collect();
    let mut kept = Kept::default();
    let mut seen = BTreeSet::new();
    for s in said {
        if !lines.get(s.path.as_str()).is_some_and(|l| l.contains(&s.line)) {
            kept.outside += 1;
            continue;
        }
        if taken.contains(&(s.path.as_str(), s.line)) || !seen.insert((s.path.clone(), s.line)) {
            kept.duplicates += 1;
            continue;
        }
        let severity = match s.severity.as_str() {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            _ => Severity::Info,
        };
        let mut finding = Finding::new(&s.path, Some(s.line), severity, RULE, s.message.trim().to_string());
        finding.suggestion = s.suggestion.filter(|t| !t.trim().is_empty());
        kept.findings.push(finding);
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIFF: &str = "diff --git a/src/a.rs b/src/a.rs\n--- a/src/a.rs\n+++ b/src/a.rs\n@@ -1,3 +1,4 @@\n fn a() {\n-    old();\n+    new();\n+    more();\n }\n";

    fn said(path: &str, line: u32) -> Said {
        Said {
            path: path.into(),
            line,
            severity: "warning".into(),
            message: format!("at {line}"),
            suggestion: Some("fix".into()),
        }
    }

    #[test]
    fn only_findings_on_diff_lines_and_not_the_rules_are_kept() {
        let diff = grove_diff::parse(DIFF);
        let rules = vec![Finding::new("src/a.rs", Some(3), Severity::Warning, "debug/x", "r".into())];
        let kept = keep(
            vec![
                said("src/a.rs", 2),
                said("src/a.rs", 3),
                said("src/a.rs", 40),
                said("src/b.rs", 1),
                said("src/a.rs", 2),
            ],
            &diff,
            &rules,
        );
        assert_eq!(kept.findings.len(), 1);
        assert_eq!((kept.outside, kept.duplicates), (2, 2));
        let f = &kept.findings[0];
        assert_eq!((f.line, f.rule, f.suggestion.as_deref()), (Some(2), RULE, Some("fix")));
        // Context lines are in the diff too.
        assert!(lines_in_diff(&diff)["src/a.rs"].contains(&1));
    }

    #[test]
    fn answers_are_read_strictly() {
        let found =
            parse(r#"{"findings":[{"path":"a","line":2,"severity":"error","message":"m"}]}"#).unwrap();
        assert_eq!(found[0].suggestion, None);
        assert!(parse(r#"{"findings":[{"path":"a"}]}"#).is_err());
        assert!(prompt(&"x".repeat(MAX_DIFF + 10)).contains("[the diff is cut here]"));
    }
}
