//! The check written out: a summary line, a markdown report, and JSON.

use grove_sdk::changes::short;
use serde::Serialize;

use crate::check::{Check, Verdict};
use crate::config;
use crate::detect::{Change, Kind};
use crate::signoff::{Covers, Source};

/// One line: the verdict and why.
pub fn summary(check: &Check) -> String {
    let changes = plural(check.changes.len(), "design change", "design changes");
    let files = plural(check.files(), "file", "files");
    match check.verdict() {
        Verdict::NoDesignChanges => format!("no design changes ({})", check.described),
        Verdict::SignedOff => {
            format!(
                "{changes} in {files}, signed off by {} ({})",
                check.signed_by().join(", "),
                check.described
            )
        }
        Verdict::MissingSignOff => {
            format!("{changes} in {files} with no designer's sign-off ({})", check.described)
        }
        Verdict::NotConfigured => format!(
            "{changes} in {files}, and no designers are configured to sign them off: add [design] designers to {}",
            config::PATH
        ),
    }
}

/// The design changes, the sign-offs found, and what to do next.
pub fn markdown(check: &Check) -> String {
    if check.changes.is_empty() {
        return String::new();
    }
    let mut out = String::from("| file | change | lines |\n|---|---|---|\n");
    for c in &check.changes {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            c.path.replace('|', "\\|"),
            c.kind.describe(),
            lines(&c.lines)
        ));
    }
    if !check.claims.is_empty() {
        out.push_str("\nSign-offs found:\n\n");
        for (claim, judgement) in &check.claims {
            let verdict = match judgement.reason() {
                None => "counts".to_string(),
                Some(why) => format!("does not count: {why}"),
            };
            out.push_str(&format!("- {} — {}: {verdict}\n", claim.who, source(&claim.source, &claim.covers)));
        }
    }
    match check.verdict() {
        Verdict::MissingSignOff => out.push_str(&format!(
            "\nA designer on the list signs off with a trailer on a commit after the last design change \
             (`git commit --allow-empty -m \"Design review\" --trailer \"Design-Reviewed-by: Name <email>\"`), \
             or with a line in {} naming them and the commit they reviewed.\n",
            config::DEFAULT_SIGNOFF_FILE
        )),
        Verdict::NotConfigured => out.push_str(&format!(
            "\nSay who may sign off design changes in {}:\n\n```toml\n[design]\n\
             designers = [\"Dana Designer <dana@example.com>\"]\n\
             components = [\"src/components/**\"]   # optional: also count these files\n```\n",
            config::PATH
        )),
        Verdict::SignedOff | Verdict::NoDesignChanges => {}
    }
    out
}

/// `3`, `3, 7, 9`, or `3, 7, 9, … (12 lines)`.
fn lines(lines: &[u32]) -> String {
    const SHOWN: usize = 5;
    let shown: Vec<String> = lines.iter().take(SHOWN).map(u32::to_string).collect();
    match lines.len() {
        0 => "—".into(),
        n if n <= SHOWN => shown.join(", "),
        n => format!("{}, … ({n} lines)", shown.join(", ")),
    }
}

fn source(source: &Source, covers: &Covers) -> String {
    let what = match source {
        Source::Trailer { commit, summary } => {
            format!("Design-Reviewed-by trailer in {} \"{summary}\"", short(commit))
        }
        Source::File { path, line } => format!("{path} line {line}"),
    };
    match (source, covers) {
        (Source::File { .. }, Covers::UpTo(id)) => format!("{what}, for {}", short(id)),
        (Source::File { .. }, Covers::Until(_)) => format!("{what}, dated"),
        _ => what,
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

#[derive(Serialize)]
struct Data<'a> {
    base: &'a str,
    verdict: &'static str,
    changes: Vec<ChangeData<'a>>,
    signoffs: Vec<ClaimData<'a>>,
}

#[derive(Serialize)]
struct ChangeData<'a> {
    path: &'a str,
    kind: Kind,
    line: Option<u32>,
    lines: &'a [u32],
}

#[derive(Serialize)]
struct ClaimData<'a> {
    who: String,
    source: &'static str,
    commit: Option<&'a str>,
    file: Option<&'a str>,
    line: Option<usize>,
    counts: bool,
    reason: Option<String>,
}

/// `{base, verdict, changes: [{path, kind, line, lines}], signoffs: [{who,
/// source, commit, file, line, counts, reason}]}`.
pub fn json(check: &Check) -> String {
    let changes = check
        .changes
        .iter()
        .map(|c: &Change| ChangeData { path: &c.path, kind: c.kind, line: c.line(), lines: &c.lines })
        .collect();
    let signoffs = check
        .claims
        .iter()
        .map(|(claim, judgement)| {
            let (source, commit, file, line) = match &claim.source {
                Source::Trailer { commit, .. } => ("trailer", Some(commit.as_str()), None, None),
                Source::File { path, line } => {
                    let commit = match &claim.covers {
                        Covers::UpTo(id) => Some(id.as_str()),
                        _ => None,
                    };
                    ("file", commit, Some(path.as_str()), Some(*line))
                }
            };
            ClaimData {
                who: claim.who.to_string(),
                source,
                commit,
                file,
                line,
                counts: judgement.accepted(),
                reason: judgement.reason(),
            }
        })
        .collect();
    let data = Data { base: &check.base, verdict: check.verdict().as_str(), changes, signoffs };
    serde_json::to_string(&data).expect("plain data serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Identity;
    use crate::signoff::{Claim, History};

    fn sample(config_text: &str, who: &str) -> Check {
        let design = config::parse(config_text).unwrap();
        let changes = vec![
            Change { path: "web/app.css".into(), kind: Kind::Stylesheet, lines: vec![3] },
            Change { path: "src/Card.tsx".into(), kind: Kind::ClassNames, lines: (1..=7).collect() },
            Change { path: "logo.png".into(), kind: Kind::Image, lines: vec![] },
        ];
        let claims = vec![Claim {
            who: Identity::parse(who),
            source: Source::Trailer { commit: "abcdef1234".into(), summary: "Restyle".into() },
            covers: Covers::Everything,
        }];
        Check::new(
            "main".into(),
            "changes since main".into(),
            changes,
            design.as_ref(),
            claims,
            &History::default(),
        )
    }

    const CONFIG: &str = "[design]\ndesigners = [\"Dana <dana@example.com>\"]\n";

    #[test]
    fn signed_off() {
        let check = sample(CONFIG, "Dana <dana@example.com>");
        assert_eq!(
            summary(&check),
            "3 design changes in 3 files, signed off by Dana <dana@example.com> (changes since main)"
        );
        let md = markdown(&check);
        assert!(
            md.contains("| `src/Card.tsx` | class names in markup | 1, 2, 3, 4, 5, … (7 lines) |"),
            "{md}"
        );
        assert!(md.contains("| `logo.png` | image | — |"), "{md}");
        assert!(
            md.contains(
                "- Dana <dana@example.com> — Design-Reviewed-by trailer in abcdef1 \"Restyle\": counts"
            ),
            "{md}"
        );
    }

    #[test]
    fn rejected_and_unconfigured() {
        let check = sample(CONFIG, "Eve <eve@example.com>");
        assert!(summary(&check).contains("with no designer's sign-off"));
        let md = markdown(&check);
        assert!(md.contains("does not count: not on the designers list"), "{md}");
        assert!(md.contains("--trailer \"Design-Reviewed-by: Name <email>\""), "{md}");
        let v: serde_json::Value = serde_json::from_str(&json(&check)).unwrap();
        assert_eq!(v["verdict"], "missing-sign-off");
        assert_eq!(v["changes"][1]["kind"], "class-names");
        assert_eq!(v["changes"][1]["line"], 1);
        assert_eq!(v["signoffs"][0]["counts"], false);
        assert_eq!(v["signoffs"][0]["source"], "trailer");

        let check = sample("", "Dana <dana@example.com>");
        assert!(summary(&check).contains("no designers are configured"));
        assert!(markdown(&check).contains("[design]\ndesigners = "));
        let v: serde_json::Value = serde_json::from_str(&json(&check)).unwrap();
        assert_eq!(v["verdict"], "not-configured");
        assert_eq!(v["signoffs"], serde_json::json!([]));
    }
}
