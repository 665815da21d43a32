//! Everything measured, written out three ways: the one-line summary, the
//! markdown report and the JSON data.

use serde::Serialize;

use crate::census::{Census, LanguageStats, Totals};
use crate::churn::{Churn, History};
use crate::toolchains::Toolchain;

/// The results of one run.
#[derive(Debug)]
pub struct Report {
    /// The folder measured, `.` for the workspace root.
    pub root: String,
    pub census: Census,
    pub history: History,
    pub toolchains: Vec<Toolchain>,
}

/// The shape of `--json` output.
#[derive(Serialize)]
struct Data<'a> {
    root: &'a str,
    languages: &'a [LanguageStats],
    totals: Totals,
    churn: Option<&'a Churn>,
    commands: &'a [Toolchain],
}

impl Report {
    /// One line: "1,234 files, 98,765 lines in 12 languages; 500 commits by 7 authors".
    pub fn summary(&self) -> String {
        let totals = self.census.totals();
        let mut line = format!(
            "{}, {} in {}",
            count(totals.files, "file", "files"),
            count(totals.lines, "line", "lines"),
            count(self.census.known_languages() as u64, "language", "languages"),
        );
        match &self.history {
            History::Churn(c) => {
                line += &format!(
                    "; {} by {}",
                    count(c.commits as u64, "commit", "commits"),
                    count(c.authors as u64, "author", "authors")
                );
            }
            History::Unavailable(why) => line += &format!("; git history: {why}"),
        }
        line
    }

    /// The markdown report: languages, churn, build and test commands.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        self.languages_section(&mut out);
        self.churn_section(&mut out);
        self.commands_section(&mut out);
        out
    }

    /// The `--json` data.
    pub fn json(&self) -> String {
        let churn = match &self.history {
            History::Churn(c) => Some(c),
            History::Unavailable(_) => None,
        };
        let data = Data {
            root: &self.root,
            languages: &self.census.languages,
            totals: self.census.totals(),
            churn,
            commands: &self.toolchains,
        };
        serde_json::to_string(&data).expect("plain data serializes")
    }

    fn languages_section(&self, out: &mut String) {
        out.push_str(&format!("## Languages in {}\n\n", self.root));
        let totals = self.census.totals();
        if self.census.languages.is_empty() {
            out.push_str("No text files.\n");
        } else {
            let mut rows: Vec<Vec<String>> = self
                .census
                .languages
                .iter()
                .map(|l| {
                    vec![
                        l.language.to_string(),
                        thousands(l.files),
                        thousands(l.lines),
                        thousands(l.blank),
                        human_bytes(l.bytes),
                    ]
                })
                .collect();
            let blank: u64 = self.census.languages.iter().map(|l| l.blank).sum();
            rows.push(vec![
                "**Total**".into(),
                thousands(totals.files),
                thousands(totals.lines),
                thousands(blank),
                human_bytes(totals.bytes),
            ]);
            out.push_str(&table(
                &[
                    ("Language", Align::Left),
                    ("Files", Align::Right),
                    ("Lines", Align::Right),
                    ("Blank", Align::Right),
                    ("Size", Align::Right),
                ],
                &rows,
            ));
        }
        if totals.skipped > 0 {
            out.push_str(&format!(
                "\n{} skipped (binary, larger than 4 MiB or unreadable).\n",
                count(totals.skipped, "file", "files")
            ));
        }
    }

    fn churn_section(&self, out: &mut String) {
        out.push_str("\n## Churn\n\n");
        let churn = match &self.history {
            History::Churn(c) => c,
            History::Unavailable(why) => {
                out.push_str(&format!("Git history: {why}.\n"));
                return;
            }
        };
        let commits = count(churn.commits as u64, "commit", "commits");
        let authors = count(churn.authors as u64, "author", "authors");
        if churn.whole_history {
            out.push_str(&format!("{commits} by {authors}, the whole history."));
        } else {
            out.push_str(&format!("The last {commits} by {authors}."));
        }
        if churn.top.is_empty() {
            out.push_str(" They changed no lines of text.\n");
            return;
        }
        out.push_str(" Files with the most lines added and removed:\n\n");
        let rows: Vec<Vec<String>> =
            churn.top.iter().map(|f| vec![code(&f.path), thousands(f.changes)]).collect();
        out.push_str(&table(&[("File", Align::Left), ("Changes", Align::Right)], &rows));
    }

    fn commands_section(&self, out: &mut String) {
        out.push_str("\n## Build and test\n\n");
        if self.toolchains.is_empty() {
            out.push_str(
                "No build files found (Cargo.toml, package.json, pyproject.toml, go.mod, Makefile, …).\n",
            );
            return;
        }
        let or_dash = |c: &Option<String>| c.as_deref().map_or("—".to_string(), code);
        let rows: Vec<Vec<String>> = self
            .toolchains
            .iter()
            .map(|t| vec![t.tool.to_string(), or_dash(&t.build), or_dash(&t.test), t.version.clone()])
            .collect();
        out.push_str(&table(
            &[("Tool", Align::Left), ("Build", Align::Left), ("Test", Align::Left), ("Version", Align::Left)],
            &rows,
        ));
    }
}

/// "1 file", "1,234 files".
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// `1234567` as "1,234,567".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// A size in B, KiB, MiB or GiB with one decimal.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 3] = ["KiB", "MiB", "GiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Inline code, for paths and commands.
fn code(s: &str) -> String {
    format!("`{s}`")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A markdown table with its columns padded to line up, so it reads well
/// as plain text on a terminal too. `|` in cells is escaped.
pub fn table(headers: &[(&str, Align)], rows: &[Vec<String>]) -> String {
    let escape = |s: &str| s.replace('|', "\\|");
    let header: Vec<String> = headers.iter().map(|(h, _)| escape(h)).collect();
    let body: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|c| escape(c)).collect()).collect();
    let widths: Vec<usize> = (0..headers.len())
        .map(|i| {
            body.iter()
                .filter_map(|r| r.get(i))
                .chain([&header[i]])
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
                .max(3)
        })
        .collect();

    let line = |cells: &[String]| {
        let padded: Vec<String> = widths
            .iter()
            .zip(headers)
            .enumerate()
            .map(|(i, (&w, &(_, align)))| {
                let cell = cells.get(i).map_or("", String::as_str);
                match align {
                    Align::Left => format!("{cell:<w$}"),
                    Align::Right => format!("{cell:>w$}"),
                }
            })
            .collect();
        format!("| {} |\n", padded.join(" | "))
    };

    let mut out = line(&header);
    let rules: Vec<String> = widths
        .iter()
        .zip(headers)
        .map(|(&w, &(_, align))| match align {
            Align::Left => "-".repeat(w),
            Align::Right => format!("{}:", "-".repeat(w - 1)),
        })
        .collect();
    out.push_str(&format!("| {} |\n", rules.join(" | ")));
    for row in &body {
        out.push_str(&line(row));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::churn::FileChanges;

    #[test]
    fn tables_are_padded_and_aligned() {
        let rows =
            vec![vec!["Rust".to_string(), "1,234".to_string()], vec!["a|b".to_string(), "5".to_string()]];
        let t = table(&[("Language", Align::Left), ("Lines", Align::Right)], &rows);
        assert_eq!(
            t,
            "| Language | Lines |\n\
             | -------- | ----: |\n\
             | Rust     | 1,234 |\n\
             | a\\|b     |     5 |\n"
        );
    }

    #[test]
    fn short_columns_still_get_a_valid_rule() {
        let t = table(&[("N", Align::Right)], &[vec!["1".into()]]);
        assert_eq!(t, "|   N |\n| --: |\n|   1 |\n");
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(5 << 20), "5.0 MiB");
        assert_eq!(count(1, "file", "files"), "1 file");
        assert_eq!(count(2000, "file", "files"), "2,000 files");
    }

    fn sample(history: History) -> Report {
        Report {
            root: ".".into(),
            census: Census {
                languages: vec![LanguageStats {
                    language: "Rust",
                    files: 2,
                    lines: 1500,
                    blank: 100,
                    bytes: 40_000,
                }],
                skipped: 1,
            },
            history,
            toolchains: Vec::new(),
        }
    }

    #[test]
    fn summary_and_json() {
        let churn = Churn {
            commits: 500,
            authors: 1,
            top: vec![FileChanges { path: "src/lib.rs".into(), changes: 42 }],
            whole_history: false,
        };
        let report = sample(History::Churn(churn));
        assert_eq!(report.summary(), "2 files, 1,500 lines in 1 language; 500 commits by 1 author");
        let json: serde_json::Value = serde_json::from_str(&report.json()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "root": ".",
                "languages": [{"language": "Rust", "files": 2, "lines": 1500, "blank": 100, "bytes": 40000}],
                "totals": {"files": 2, "lines": 1500, "bytes": 40000, "skipped": 1},
                "churn": {"commits": 500, "authors": 1, "top": [{"path": "src/lib.rs", "changes": 42}]},
                "commands": [],
            })
        );
        assert!(report.markdown().contains("The last 500 commits by 1 author."));
    }

    #[test]
    fn missing_history_is_explained_not_fatal() {
        let report = sample(History::Unavailable("not a git repository".into()));
        assert_eq!(report.summary(), "2 files, 1,500 lines in 1 language; git history: not a git repository");
        assert!(report.json().contains(r#""churn":null"#));
        assert!(report.markdown().contains("Git history: not a git repository."));
    }
}
