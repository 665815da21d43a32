//! A review: the findings on one diff, and the [`Reviewer`] boundary that
//! produces them. Today one reviewer runs the deterministic rules; a
//! model-written review is another `Reviewer` whose findings merge into the
//! same [`Review`], and posting to a pull request turns a `Review` into
//! comments (a finding has the path and new-file line a comment needs).

use serde::Serialize;

use crate::input::Changes;

/// How much a finding matters. The verdict fails on any `Error`, and with
/// `--strict` on any `Warning` too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// One step less severe: for rules whose hits in tests and fixtures
    /// are usually deliberate.
    pub fn softened(self) -> Severity {
        match self {
            Severity::Error => Severity::Warning,
            _ => Severity::Info,
        }
    }
}

/// One thing worth a reviewer's attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub path: String,
    /// The line in the new file; `null` for findings about a whole file.
    pub line: Option<u32>,
    pub severity: Severity,
    /// A stable id from [`crate::rules::CATALOG`], e.g. `secrets/aws-access-key-id`.
    pub rule: &'static str,
    pub message: String,
    /// How to fix it, when the reviewer said (the model's review does).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

impl Finding {
    pub fn new(
        path: &str,
        line: Option<u32>,
        severity: Severity,
        rule: &'static str,
        message: String,
    ) -> Self {
        Finding { path: path.to_string(), line, severity, rule, message, suggestion: None }
    }
}

/// Counts by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

/// Something that reviews changes.
pub trait Reviewer {
    /// Findings on `changes`, in any order.
    fn review(&self, changes: &Changes<'_>) -> Vec<Finding>;
}

/// The findings on one diff, most severe first, then by path and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// The base as machine-readable output names it (`HEAD`, `main`, a commit id).
    pub base: String,
    /// The base in words, for the summary line.
    pub described: String,
    /// How many files the diff touches.
    pub files: usize,
    pub findings: Vec<Finding>,
}

impl Review {
    /// Run `reviewers` over `changes` and order what they found.
    pub fn run(
        base: String,
        described: String,
        changes: &Changes<'_>,
        reviewers: &[&dyn Reviewer],
    ) -> Review {
        let mut findings: Vec<Finding> = reviewers.iter().flat_map(|r| r.review(changes)).collect();
        findings.sort_by(|a, b| {
            (a.severity, &a.path, a.line, a.rule).cmp(&(b.severity, &b.path, b.line, b.rule))
        });
        findings.dedup_by(|a, b| a.path == b.path && a.line == b.line && a.rule == b.rule);
        Review { base, described, files: changes.files.len(), findings }
    }

    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for f in &self.findings {
            match f.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        s
    }

    /// The verdict: no errors, and with `strict` no warnings either.
    pub fn passes(&self, strict: bool) -> bool {
        let s = self.summary();
        s.errors == 0 && (!strict || s.warnings == 0)
    }
}
