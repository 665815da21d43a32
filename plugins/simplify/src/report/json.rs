//! `--json`: one object with every finding, ranked, and the counts.

use serde::Serialize;

use super::{Scope, duplication_percent};
use grove_simplify::findings::{Clone, CloneKind, DeadCode, Findings, FunctionShape, Thresholds};

#[derive(Serialize)]
struct Data<'a> {
    root: &'a str,
    /// The base findings were limited to changes against, if any.
    diff: Option<&'a str>,
    thresholds: Thresholds,
    summary: Summary,
    clones: &'a [Clone],
    dead_code: &'a [DeadCode],
    long_functions: &'a [FunctionShape],
    deep_nesting: &'a [FunctionShape],
}

#[derive(Serialize)]
struct Summary {
    files: u64,
    lines: u64,
    tokens: u64,
    skipped_files: u64,
    clones: usize,
    exact_clones: usize,
    renamed_clones: usize,
    duplicated_lines: u64,
    duplication_percent: f64,
    dead_code: usize,
    long_functions: usize,
    deep_nesting: usize,
    /// Everything above the thresholds; zero means a passing verdict.
    findings: usize,
}

pub fn render(f: &Findings, scope: &Scope) -> String {
    let data = Data {
        root: &scope.root,
        diff: scope.diff.as_deref(),
        thresholds: scope.thresholds,
        summary: Summary {
            files: f.files,
            lines: f.lines,
            tokens: f.tokens,
            skipped_files: f.skipped,
            clones: f.clones.len(),
            exact_clones: f.clones_of(CloneKind::Exact),
            renamed_clones: f.clones_of(CloneKind::Renamed),
            duplicated_lines: f.duplicated_lines(),
            duplication_percent: duplication_percent(f),
            dead_code: f.dead_code.len(),
            long_functions: f.long_functions.len(),
            deep_nesting: f.deep_nesting.len(),
            findings: f.count(),
        },
        clones: &f.clones,
        dead_code: &f.dead_code,
        long_functions: &f.long_functions,
        deep_nesting: &f.deep_nesting,
    };
    serde_json::to_string(&data).expect("plain data serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use grove_simplify::findings::Location;

    #[test]
    fn shape_of_the_json() {
        let f = Findings {
            files: 2,
            lines: 40,
            clones: vec![Clone {
                kind: CloneKind::Exact,
                language: "Rust",
                lines: 6,
                tokens: 55,
                duplicated_lines: 6,
                locations: vec![
                    Location { path: "a.rs".into(), start_line: 1, end_line: 6 },
                    Location { path: "b.rs".into(), start_line: 3, end_line: 8 },
                ],
                fragment: "fn x() {".into(),
            }],
            ..Findings::default()
        };
        let scope = Scope { root: ".".into(), diff: None, thresholds: Thresholds::default() };
        let v: serde_json::Value = serde_json::from_str(&render(&f, &scope)).unwrap();
        assert_eq!(v["clones"][0]["kind"], "exact");
        assert_eq!(
            v["clones"][0]["locations"][1],
            serde_json::json!({"path": "b.rs", "start_line": 3, "end_line": 8})
        );
        assert_eq!(v["summary"]["findings"], 1);
        assert_eq!(v["summary"]["duplication_percent"], 15.0);
        assert_eq!(v["thresholds"]["min_tokens"], 50);
        assert!(v["diff"].is_null());
        assert_eq!(v["dead_code"], serde_json::json!([]));
    }
}
