//! `--sarif`: SARIF 2.1.0, the format code-scanning services read. The
//! tool's rules are the whole catalog, so a result's `ruleIndex` is stable
//! across runs.

use grove_sdk::sarif::{self, Level, Region, Rule, Run};
use serde_json::json;

use crate::review::{Review, Severity};
use crate::rules::CATALOG;

pub fn render(review: &Review) -> String {
    let rules: Vec<Rule<'_>> =
        CATALOG.iter().map(|r| Rule::new(r.id, r.description, level(r.severity))).collect();
    let results = review
        .findings
        .iter()
        .map(|f| {
            let location = sarif::location(&f.path, f.line.map(Region::line));
            let index = CATALOG.iter().position(|r| r.id == f.rule);
            sarif::result(f.rule, index, level(f.severity), &f.message, location)
        })
        .collect();
    Run::new("grove code-review", env!("CARGO_PKG_VERSION"), &rules)
        .set(
            "originalUriBaseIds",
            json!({ sarif::SRCROOT: { "description": { "text": "The repository root" } } }),
        )
        .results(results)
        .set("properties", json!({ "base": review.base }))
        .render()
}

fn level(severity: Severity) -> Level {
    match severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Info => Level::Note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::Finding;
    use serde_json::Value;

    #[test]
    fn results_point_at_rules_and_lines() {
        let review = Review {
            base: "HEAD".into(),
            described: String::new(),
            files: 2,
            findings: vec![
                Finding::new("src/my file.rs", Some(7), Severity::Warning, "rust/unsafe", "m".into()),
                Finding::new("logo.png", None, Severity::Info, "files/binary", "n".into()),
            ],
        };
        let v: Value = serde_json::from_str(&render(&review)).unwrap();
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        let results = run["results"].as_array().unwrap();
        assert_eq!(results[0]["level"], "warning");
        let loc = &results[0]["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "src/my%20file.rs");
        assert_eq!(loc["region"]["startLine"], 7);
        let index = results[0]["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][index]["id"], "rust/unsafe");
        assert_eq!(results[1]["level"], "note");
        assert!(results[1]["locations"][0]["physicalLocation"].get("region").is_none());
    }
}
