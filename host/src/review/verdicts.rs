//! The verdicts a pull request carries as commit statuses, read from the
//! session's evidence bundle: the newest report of each checking skill
//! (`code-review`, `simplify`, `designer-check`), and the session's own
//! outcome as `grove/checks`.

use serde_json::Value;

use super::github::StatusState;
use crate::evidence::bundle::{Bundle, Entry, Kind};

/// One verdict: a commit status.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Verdict {
    /// The status's context: `grove/code-review`, `design/sign-off`, …
    pub context: String,
    pub passed: bool,
    /// What it found, in a line (the report's caption).
    pub description: String,
    /// The report's file in the bundle.
    pub file: Option<String>,
}

impl Verdict {
    pub fn state(&self) -> StatusState {
        if self.passed { StatusState::Success } else { StatusState::Failure }
    }
}

/// The skills whose reports are verdicts, and the context each is set as.
const CHECKERS: [(&str, &str); 3] = [
    ("code-review", "grove/code-review"),
    ("simplify", "grove/simplify"),
    ("designer-check", super::design::CONTEXT),
];

/// The verdicts of `bundle`'s reports, one per checking skill (its newest).
pub fn of_bundle(bundle: &Bundle) -> Vec<Verdict> {
    let entries = bundle.entries().unwrap_or_default();
    let mut out = Vec::new();
    for (skill, context) in CHECKERS {
        let prefix = format!("{skill}: ");
        let Some(entry) =
            entries.iter().rev().find(|e| e.kind == Kind::Json && e.caption.starts_with(&prefix))
        else {
            continue;
        };
        let json: Value = std::fs::read(bundle.dir().join(&entry.file))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null);
        out.push(Verdict {
            context: context.to_string(),
            passed: passes(skill, &json),
            description: entry.caption[prefix.len()..].to_string(),
            file: Some(entry.file.clone()),
        });
    }
    out
}

/// Whether a report passes: code-review and simplify without errors, a
/// design check signed off or with no design changes.
fn passes(skill: &str, report: &Value) -> bool {
    match skill {
        "designer-check" => matches!(report["verdict"].as_str(), Some("no-design-changes" | "signed-off")),
        _ => report["summary"]["errors"].as_u64() == Some(0),
    }
}

/// The session's own outcome as a verdict: its skill finished, or failed.
pub fn of_session(state: &str, summary: Option<&str>, error: Option<&str>) -> Verdict {
    let passed = state == "done";
    let description = match (passed, error, summary) {
        (false, Some(error), _) => format!("{state}: {error}"),
        (_, _, Some(summary)) => summary.lines().next().unwrap_or_default().to_string(),
        _ => state.to_string(),
    };
    Verdict { context: "grove/checks".into(), passed, description, file: None }
}

/// The code-review report's file, when the bundle has one (its findings
/// become line comments).
pub fn code_review_report(bundle: &Bundle) -> Option<Entry> {
    let entries = bundle.entries().ok()?;
    entries.into_iter().rev().find(|e| e.kind == Kind::Json && e.caption.starts_with("code-review: "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::bundle::New;

    #[test]
    fn the_newest_report_of_each_skill_is_its_verdict() {
        let git = tempfile::tempdir().unwrap();
        let bundle = Bundle::at(git.path(), "s");
        let add = |caption: &str, json: &str| {
            bundle
                .add(New { kind: Kind::Json, caption, bytes: json.as_bytes(), skill: "x", commit: None })
                .unwrap();
        };
        add("code-review: 1 error", r#"{"summary":{"errors":1}}"#);
        add("code-review: no findings", r#"{"summary":{"errors":0}}"#);
        add("designer-check: missing sign-off", r#"{"verdict":"missing-sign-off"}"#);
        let verdicts = of_bundle(&bundle);
        assert_eq!(verdicts.len(), 2);
        assert_eq!((verdicts[0].context.as_str(), verdicts[0].passed), ("grove/code-review", true));
        assert_eq!(verdicts[0].description, "no findings");
        assert_eq!((verdicts[1].context.as_str(), verdicts[1].passed), ("design/sign-off", false));
        assert_eq!(of_session("failed", None, Some("boom")).description, "failed: boom");
    }
}
