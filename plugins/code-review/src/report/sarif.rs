//! `--sarif`: SARIF 2.1.0, the format code-scanning services read. The
//! tool's rules are the whole catalog, so a result's `ruleIndex` is stable
//! across runs.

use grove_sdk::sarif;
use serde_json::{Value, json};

use crate::review::{Review, Severity};
use crate::rules::CATALOG;

pub fn render(review: &Review) -> String {
    let rules: Vec<Value> = CATALOG
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "shortDescription": { "text": r.description },
                "defaultConfiguration": { "level": level(r.severity) },
            })
        })
        .collect();
    let results: Vec<Value> = review
        .findings
        .iter()
        .map(|f| {
            let mut location = json!({
                "artifactLocation": { "uri": sarif::uri(&f.path), "uriBaseId": "%SRCROOT%" },
            });
            if let Some(line) = f.line {
                location["region"] = json!({ "startLine": line.max(1) });
            }
            let mut result = json!({
                "ruleId": f.rule,
                "level": level(f.severity),
                "message": { "text": f.message },
                "locations": [{ "physicalLocation": location }],
            });
            if let Some(index) = CATALOG.iter().position(|r| r.id == f.rule) {
                result["ruleIndex"] = json!(index);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": sarif::SCHEMA,
        "version": sarif::VERSION,
        "runs": [{
            "tool": {
                "driver": {
                    "name": "grove code-review",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/grove-dev/grove",
                    "rules": rules,
                }
            },
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The repository root" } } },
            "results": results,
            "properties": { "base": review.base },
        }],
    });
    serde_json::to_string(&log).expect("plain data serializes")
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::Finding;

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
