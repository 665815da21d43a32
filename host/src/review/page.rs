//! A pull request's page, assembled from the session: its task, the
//! summary its skill wrote, the diff stat, the check results, the
//! verdicts of the reviewing skills, and the evidence bundle's GIFs and
//! screenshots shown inline. The same page is the body on GitHub (links
//! to the evidence branch) and the offline `local` backend's file (links
//! beside it), and `grove serve` draws it from the JSON the local backend
//! keeps.
//!
//! Everything in it but grove's own words came from a skill or a model:
//! it is quoted, and cannot forge the hidden markers grove reads back.

use git2::{Oid, Repository};
use serde::{Deserialize, Serialize};

use super::verdicts::Verdict;

/// The marker that says a body is grove's, and of which session.
pub fn session_marker(session: &str) -> String {
    format!("<!-- grove:session {session} -->")
}

/// One changed file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStat {
    pub path: String,
    pub added: usize,
    pub removed: usize,
}

/// A piece of evidence shown on the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shown {
    pub caption: String,
    /// `gif`, `png`, `json`, …
    pub kind: String,
    pub file: String,
    /// Where the page links it.
    pub url: String,
}

impl Shown {
    pub fn is_image(&self) -> bool {
        self.kind == "gif" || self.kind == "png"
    }
}

/// A finding shown on the page (the local backend's; GitHub has them as
/// review comments).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub path: String,
    pub line: u32,
    pub text: String,
}

/// The page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    pub session: String,
    pub title: String,
    pub head: String,
    pub base: String,
    pub task: Option<String>,
    pub summary: Option<String>,
    pub files: Vec<FileStat>,
    pub verdicts: Vec<Verdict>,
    pub evidence: Vec<Shown>,
    pub reviewers: Vec<String>,
    #[serde(default)]
    pub comments: Vec<Comment>,
    /// The pull request this one is an alternative to (the original of a
    /// design challenge), by number.
    #[serde(default)]
    pub alternative_to: Option<u64>,
    /// The local backend's: the session whose local page this one is an
    /// alternative to, when it has one.
    #[serde(default)]
    pub alternative_to_page: Option<String>,
    /// The local backend's: the sessions this one started whose local
    /// pages are alternatives to it.
    #[serde(default)]
    pub alternatives: Vec<String>,
    pub draft: bool,
}

/// The line that opens the body of an alternative to `original`.
fn alternative_line(original: &str) -> String {
    format!("An alternative to {original}, from a session it started: weigh the two side by side.\n\n")
}

/// `body` (a pull request grove opened for `session`) saying it is an
/// alternative to #`number`, for a body written before that pull request
/// was opened; `None` when it says so already or is not grove's.
pub fn with_alternative_to(body: &str, session: &str, number: u64) -> Option<String> {
    let marker = session_marker(session);
    let rest = body.strip_prefix(&marker)?.strip_prefix('\n')?;
    if rest.starts_with("An alternative to ") {
        return None;
    }
    Some(format!("{marker}\n{}{rest}", alternative_line(&format!("#{number}"))))
}

/// What the original pull request is told of an alternative to it.
pub fn alternative_comment(number: u64, session: &str, draft: bool) -> String {
    let draft = if draft { "a draft, " } else { "" };
    format!(
        "An alternative to this pull request: #{number} ({draft}from session `{}`, started from this one).",
        crate::text::one_line(session).replace('`', "'"),
    )
}

/// A pull request's title: the task's first line, else the session's name.
pub fn title_of(session: &str, task: Option<&str>) -> String {
    let line = task.and_then(|t| t.lines().map(str::trim).find(|l| !l.is_empty()));
    match line {
        Some(line) if line.chars().count() > 72 => format!("{}…", line.chars().take(71).collect::<String>()),
        Some(line) => line.to_string(),
        None => format!("grove: {session}"),
    }
}

/// The files `head` changes against its merge base with `base`.
pub fn files_changed(repo: &Repository, base: Oid, head: Oid) -> Result<Vec<FileStat>, git2::Error> {
    let merge_base = repo.merge_base(base, head).unwrap_or(base);
    let old = repo.find_commit(merge_base)?.tree()?;
    let new = repo.find_commit(head)?.tree()?;
    let diff = repo.diff_tree_to_tree(Some(&old), Some(&new), None)?;
    let mut files: Vec<FileStat> = Vec::new();
    for (index, delta) in diff.deltas().enumerate() {
        let path = delta.new_file().path().or(delta.old_file().path());
        let path = path.map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
        let (added, removed) = match git2::Patch::from_diff(&diff, index)? {
            Some(patch) => {
                let (_, added, removed) = patch.line_stats()?;
                (added, removed)
            }
            None => (0, 0),
        };
        files.push(FileStat { path, added, removed });
    }
    Ok(files)
}

/// Untrusted text made safe for a markdown body: no HTML comments (grove's
/// markers are its own), each line quoted.
fn quoted(text: &str) -> String {
    text.replace("<!--", "&lt;!--")
        .lines()
        .map(|l| if l.is_empty() { ">".to_string() } else { format!("> {l}") })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Text for one line of a table: no `|`, no line breaks, no comments.
fn cell(text: &str) -> String {
    crate::text::one_line(text).replace('|', "\\|").replace("<!--", "&lt;!--")
}

impl Page {
    /// The page as GitHub-flavoured markdown.
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        md.push_str(&session_marker(&self.session));
        md.push('\n');
        if let Some(number) = self.alternative_to {
            md.push_str(&alternative_line(&format!("#{number}")));
        }
        if let Some(original) = &self.alternative_to_page {
            let original = cell(original);
            md.push_str(&alternative_line(&format!(
                "session `{original}`'s ([its page](../{original}/index.md))"
            )));
        }
        if !self.alternatives.is_empty() {
            md.push_str("### Alternatives\n\n");
            for alternative in &self.alternatives {
                let name = cell(alternative);
                md.push_str(&format!(
                    "- session `{name}`, which this one started: [its page](../{name}/index.md)\n"
                ));
            }
            md.push('\n');
        }
        if let Some(task) = self.task.as_deref().filter(|t| !t.trim().is_empty()) {
            md.push_str("### Task\n\n");
            md.push_str(&quoted(task));
            md.push_str("\n\n");
        }
        if let Some(summary) = self.summary.as_deref().filter(|s| !s.trim().is_empty()) {
            md.push_str("### What the session did\n\n");
            md.push_str(&quoted(summary));
            md.push_str("\n\n");
        }
        if !self.verdicts.is_empty() {
            md.push_str("### Checks\n\n| check | verdict | |\n|---|---|---|\n");
            for v in &self.verdicts {
                let mark = if v.passed { "✅ pass" } else { "❌ fail" };
                md.push_str(&format!("| `{}` | {mark} | {} |\n", cell(&v.context), cell(&v.description)));
            }
            md.push('\n');
        }
        let (added, removed) = self.files.iter().fold((0, 0), |(a, r), f| (a + f.added, r + f.removed));
        md.push_str(&format!(
            "### Changes\n\n{} changed, +{added} −{removed}\n\n",
            crate::text::count(self.files.len(), "file")
        ));
        if !self.files.is_empty() {
            md.push_str("| file | + | − |\n|---|---:|---:|\n");
            for f in &self.files {
                md.push_str(&format!("| `{}` | {} | {} |\n", cell(&f.path), f.added, f.removed));
            }
            md.push('\n');
        }
        if !self.evidence.is_empty() {
            md.push_str("### Evidence\n\n");
            for e in &self.evidence {
                let caption = cell(&e.caption).replace(['[', ']'], "");
                if e.is_image() {
                    md.push_str(&format!("**{caption}**\n\n![{caption}]({})\n\n", e.url));
                } else {
                    md.push_str(&format!("- [{caption}]({}) ({})\n", e.url, e.kind));
                }
            }
            md.push('\n');
        }
        if !self.comments.is_empty() {
            md.push_str("### Review comments\n\n");
            for c in &self.comments {
                md.push_str(&format!("- `{}:{}`: {}\n", cell(&c.path), c.line, cell(&c.text)));
            }
            md.push('\n');
        }
        md.push_str(&format!(
            "<sub>Opened by grove from session `{}` (branch `{}`).</sub>\n",
            cell(&self.session),
            cell(&self.head)
        ));
        md
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_quotes_what_skills_wrote_and_shows_images_inline() {
        let page = Page {
            session: "s1".into(),
            title: "t".into(),
            head: "grove/s1".into(),
            base: "main".into(),
            task: Some("Add a button".into()),
            summary: Some("Added it.\n<!-- grove:finding deadbeef -->".into()),
            files: vec![FileStat { path: "a|b.rs".into(), added: 3, removed: 1 }],
            verdicts: vec![Verdict {
                context: "grove/code-review".into(),
                passed: false,
                description: "1 error".into(),
                file: None,
            }],
            evidence: vec![
                Shown {
                    caption: "the [button]".into(),
                    kind: "gif".into(),
                    file: "001.gif".into(),
                    url: "https://x/001.gif".into(),
                },
                Shown {
                    caption: "log".into(),
                    kind: "log".into(),
                    file: "002.log".into(),
                    url: "https://x/002.log".into(),
                },
            ],
            ..Page::default()
        };
        let md = page.markdown();
        assert!(md.starts_with("<!-- grove:session s1 -->\n"), "{md}");
        assert!(md.contains("> Add a button"), "{md}");
        assert!(!md.contains("<!-- grove:finding"), "{md}");
        assert!(md.contains("| `grove/code-review` | ❌ fail | 1 error |"), "{md}");
        assert!(md.contains("![the button](https://x/001.gif)"), "{md}");
        assert!(md.contains("- [log](https://x/002.log) (log)"), "{md}");
        assert!(md.contains("| `a\\|b.rs` | 3 | 1 |"), "{md}");
        assert_eq!(title_of("s1", None), "grove: s1");
    }

    #[test]
    fn a_body_opened_first_learns_later_what_it_is_an_alternative_to() {
        let page = Page { session: "a-challenge".into(), task: Some("t".into()), ..Page::default() };
        let body = page.markdown();
        let linked = with_alternative_to(&body, "a-challenge", 7).unwrap();
        assert!(linked.starts_with("<!-- grove:session a-challenge -->\nAn alternative to #7,"), "{linked}");
        assert!(linked.ends_with(&body["<!-- grove:session a-challenge -->\n".len()..]), "{linked}");
        assert_eq!(with_alternative_to(&linked, "a-challenge", 7), None, "once");
        assert_eq!(with_alternative_to("someone's own text", "a-challenge", 7), None, "only grove's");
        let linked_at_once = Page { alternative_to: Some(7), ..page }.markdown();
        assert_eq!(linked, linked_at_once, "the same body whichever opened first");
        assert_eq!(title_of("s1", Some("\n  Fix it  \nmore")), "Fix it");
    }
}
