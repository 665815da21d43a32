//! For people: one summary line, and a markdown report with the biggest
//! wins first.

use std::fmt::Write;

use super::{Scope, count, duplication_percent, thousands};
use grove_simplify::findings::{CloneKind, DeadKind, Findings, FunctionShape};

/// Clones shown in the report; `--json` has them all.
const SHOWN_CLONES: usize = 20;
/// Rows shown in each table.
const SHOWN_ROWS: usize = 50;

/// "3 clones (120 duplicated lines), 2 dead-code hints, … in 45 files (12,345 lines)".
pub fn summary(f: &Findings, scope: &Scope) -> String {
    let place = format!(
        "{} ({}){}",
        count(f.files as usize, "file", "files"),
        count(f.lines as usize, "line", "lines"),
        match &scope.diff {
            Some(base) => format!(", reporting files changed against {base}"),
            None => String::new(),
        }
    );
    if f.count() == 0 {
        return format!("No duplicated code, dead code, long or deeply nested functions in {place}");
    }
    let mut parts = Vec::new();
    if !f.clones.is_empty() {
        parts.push(format!(
            "{} ({} duplicated lines)",
            count(f.clones.len(), "clone", "clones"),
            thousands(f.duplicated_lines())
        ));
    }
    if !f.dead_code.is_empty() {
        parts.push(count(f.dead_code.len(), "dead-code hint", "dead-code hints"));
    }
    if !f.long_functions.is_empty() {
        parts.push(count(f.long_functions.len(), "long function", "long functions"));
    }
    if !f.deep_nesting.is_empty() {
        parts.push(count(f.deep_nesting.len(), "deeply nested function", "deeply nested functions"));
    }
    format!("{} in {place}", parts.join(", "))
}

/// The markdown report; empty when there is nothing to report.
pub fn markdown(f: &Findings, scope: &Scope) -> String {
    let mut out = String::new();
    clones(&mut out, f);
    dead_code(&mut out, f);
    shapes(
        &mut out,
        &format!("Long functions (over {} lines)", scope.thresholds.max_lines),
        &f.long_functions,
    );
    shapes(
        &mut out,
        &format!("Deeply nested functions (deeper than {} levels)", scope.thresholds.max_depth),
        &f.deep_nesting,
    );
    out
}

fn clones(out: &mut String, f: &Findings) {
    if f.clones.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "## Duplicated code\n\n{}: {} exact, {} renamed (same code, other names or literals). {} duplicated lines, {}% of all lines.\n",
        count(f.clones.len(), "clone", "clones"),
        f.clones_of(CloneKind::Exact),
        f.clones_of(CloneKind::Renamed),
        thousands(f.duplicated_lines()),
        duplication_percent(f),
    );
    for (i, c) in f.clones.iter().take(SHOWN_CLONES).enumerate() {
        let kind = match c.kind {
            CloneKind::Exact => "exact",
            CloneKind::Renamed => "renamed",
        };
        let _ = writeln!(
            out,
            "### {}. {} lines × {} copies, {kind} ({}, {} tokens)\n",
            i + 1,
            c.lines,
            c.locations.len(),
            c.language,
            c.tokens
        );
        for l in &c.locations {
            let _ = writeln!(out, "- `{}:{}-{}`", l.path, l.start_line, l.end_line);
        }
        let fence = if c.fragment.contains("```") { "````" } else { "```" };
        let _ =
            writeln!(out, "\n{fence}{}\n{}\n{fence}\n", fence_language(c.language), c.fragment.trim_end());
    }
    more(out, f.clones.len(), SHOWN_CLONES, "clones");
}

fn dead_code(out: &mut String, f: &Findings) {
    if f.dead_code.is_empty() {
        return;
    }
    out.push_str("## Dead code (hints: found without a compiler, so they may be wrong)\n\n| where | what | why |\n|---|---|---|\n");
    for d in f.dead_code.iter().take(SHOWN_ROWS) {
        let what = match d.kind {
            DeadKind::Function => format!("function `{}`", d.name),
            DeadKind::File => "file".to_string(),
        };
        let _ = writeln!(out, "| `{}:{}` | {what} | {} |", d.path, d.line, d.reason);
    }
    out.push('\n');
    more(out, f.dead_code.len(), SHOWN_ROWS, "hints");
}

fn shapes(out: &mut String, title: &str, list: &[FunctionShape]) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "## {title}\n\n| function | where | lines | depth | deepest at |\n|---|---|---:|---:|---:|"
    );
    for s in list.iter().take(SHOWN_ROWS) {
        let _ = writeln!(
            out,
            "| `{}` | `{}:{}-{}` | {} | {} | {} |",
            s.name, s.path, s.start_line, s.end_line, s.lines, s.depth, s.depth_line
        );
    }
    out.push('\n');
    more(out, list.len(), SHOWN_ROWS, "functions");
}

fn more(out: &mut String, total: usize, shown: usize, what: &str) {
    if total > shown {
        let _ = writeln!(
            out,
            "…and {} more {what}: `grove run simplify --json` lists them all.\n",
            total - shown
        );
    }
}

/// The markdown fence tag for a language's name.
fn fence_language(language: &str) -> &'static str {
    match language {
        "Rust" => "rust",
        "Python" => "python",
        "JavaScript" => "javascript",
        "TypeScript" => "typescript",
        "Go" => "go",
        "Java" => "java",
        "C" => "c",
        "C++" => "cpp",
        "C#" => "csharp",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use grove_simplify::findings::{Clone, DeadCode, Location, Thresholds};

    fn scope() -> Scope {
        Scope { root: ".".into(), diff: None, thresholds: Thresholds::default() }
    }

    #[test]
    fn clean_summary() {
        let f = Findings { files: 3, lines: 1200, ..Findings::default() };
        assert_eq!(
            summary(&f, &scope()),
            "No duplicated code, dead code, long or deeply nested functions in 3 files (1,200 lines)"
        );
        assert_eq!(markdown(&f, &scope()), "");
    }

    #[test]
    fn report_with_findings() {
        let f = Findings {
            files: 2,
            lines: 100,
            clones: vec![Clone {
                kind: CloneKind::Renamed,
                language: "Go",
                lines: 10,
                tokens: 60,
                duplicated_lines: 10,
                locations: vec![
                    Location { path: "a.go".into(), start_line: 1, end_line: 10 },
                    Location { path: "b.go".into(), start_line: 5, end_line: 14 },
                ],
                fragment: "func a() {".into(),
            }],
            dead_code: vec![DeadCode {
                kind: DeadKind::Function,
                language: "Go",
                path: "a.go".into(),
                name: "helper".into(),
                line: 20,
                reason: "unused".into(),
            }],
            ..Findings::default()
        };
        let s = Scope { diff: Some("main".into()), ..scope() };
        assert_eq!(
            summary(&f, &s),
            "1 clone (10 duplicated lines), 1 dead-code hint in 2 files (100 lines), reporting files changed against main"
        );
        let md = markdown(&f, &s);
        assert!(md.contains("### 1. 10 lines × 2 copies, renamed (Go, 60 tokens)"), "{md}");
        assert!(md.contains("- `b.go:5-14`"), "{md}");
        assert!(md.contains("```go\nfunc a() {\n```"), "{md}");
        assert!(md.contains("| `a.go:20` | function `helper` | unused |"), "{md}");
        assert!(md.contains("10 duplicated lines, 10% of all lines"), "{md}");
    }
}
