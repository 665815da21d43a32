//! `--json`: `{findings: [{path, line, severity, rule, message}],
//! summary: {errors, warnings, infos}, base}`.

use serde::Serialize;

use crate::review::{Finding, Review, Summary};

#[derive(Serialize)]
struct Data<'a> {
    findings: &'a [Finding],
    summary: Summary,
    base: &'a str,
}

pub fn render(review: &Review) -> String {
    let data = Data { findings: &review.findings, summary: review.summary(), base: &review.base };
    serde_json::to_string(&data).expect("plain data serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::Severity;

    #[test]
    fn shape() {
        let review = Review {
            base: "main".into(),
            described: String::new(),
            files: 1,
            findings: vec![
                Finding::new("a.py", Some(3), Severity::Error, "secrets/jwt", "m".into()),
                Finding::new("b.png", None, Severity::Info, "files/binary", "n".into()),
            ],
        };
        let v: serde_json::Value = serde_json::from_str(&render(&review)).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "findings": [
                    {"path": "a.py", "line": 3, "severity": "error", "rule": "secrets/jwt", "message": "m"},
                    {"path": "b.png", "line": null, "severity": "info", "rule": "files/binary", "message": "n"},
                ],
                "summary": {"errors": 1, "warnings": 0, "infos": 1},
                "base": "main",
            })
        );
    }
}
