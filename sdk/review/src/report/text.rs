//! For people: one summary line, and a markdown table of the findings.

use crate::review::{Review, Severity, Summary};

/// "2 errors, 1 warning in 4 changed files (changes since main)".
pub fn summary(review: &Review, strict: bool) -> String {
    if review.files == 0 {
        return format!("nothing to review: no changes ({})", review.described);
    }
    let files = plural(review.files, "changed file", "changed files");
    let Summary { errors, warnings, infos } = review.summary();
    let counts: Vec<String> =
        [(errors, "error", "errors"), (warnings, "warning", "warnings"), (infos, "info", "infos")]
            .into_iter()
            .filter(|(n, _, _)| *n > 0)
            .map(|(n, one, many)| plural(n, one, many))
            .collect();
    let found = if counts.is_empty() { "no findings".to_string() } else { counts.join(", ") };
    let verdict = match (review.passes(strict), strict) {
        (true, _) => "",
        (false, true) if errors == 0 => " — fails (--strict: warnings fail)",
        (false, _) => " — fails",
    };
    format!("{found} in {files} ({}){verdict}", review.described)
}

/// The findings as a markdown table, most severe first; empty when there
/// are none.
pub fn markdown(review: &Review) -> String {
    if review.findings.is_empty() {
        return String::new();
    }
    let mut out = String::from("| severity | where | rule | finding |\n|---|---|---|---|\n");
    for f in &review.findings {
        let place = match f.line {
            Some(line) => format!("{}:{line}", f.path),
            None => f.path.clone(),
        };
        out.push_str(&format!(
            "| {} | `{}` | `{}` | {} |\n",
            f.severity.as_str(),
            place.replace('`', "'").replace('|', "\\|"),
            f.rule,
            f.message.replace('|', "\\|").replace('\n', " ")
        ));
    }
    out.push_str(&format!(
        "\nAn {} fails the review; with `--strict` a {} does too. \
         A line marked `grove:ignore` (in a comment) is skipped.\n",
        Severity::Error.as_str(),
        Severity::Warning.as_str()
    ));
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::Finding;

    fn review(findings: Vec<Finding>, files: usize) -> Review {
        Review { base: "HEAD".into(), described: "the working changes against HEAD".into(), files, findings }
    }

    #[test]
    fn summaries() {
        assert_eq!(
            summary(&review(vec![], 0), false),
            "nothing to review: no changes (the working changes against HEAD)"
        );
        assert_eq!(
            summary(&review(vec![], 3), false),
            "no findings in 3 changed files (the working changes against HEAD)"
        );
        let findings = vec![
            Finding::new("a", Some(1), Severity::Error, "secrets/jwt", "x".into()),
            Finding::new("b", None, Severity::Warning, "files/large", "y".into()),
            Finding::new("c", Some(2), Severity::Warning, "debug/console", "z".into()),
        ];
        assert_eq!(
            summary(&review(findings.clone(), 1), false),
            "1 error, 2 warnings in 1 changed file (the working changes against HEAD) — fails"
        );
        let warnings = findings[1..].to_vec();
        assert!(!summary(&review(warnings.clone(), 2), false).contains("fails"));
        assert!(summary(&review(warnings, 2), true).ends_with("— fails (--strict: warnings fail)"));
    }

    #[test]
    fn table() {
        let md = markdown(&review(
            vec![Finding::new("src/a|b.ts", Some(4), Severity::Warning, "debug/console", "a | b".into())],
            1,
        ));
        assert!(md.contains("| warning | `src/a\\|b.ts:4` | `debug/console` | a \\| b |"), "{md}");
        assert!(markdown(&review(vec![], 1)).is_empty());
    }
}
