//! A session's changes against its base, as `grove diff` shows them, made
//! into tables: a file each (its path, lines added and removed), hunks
//! with the old and new line numbers, each line highlighted in its file's
//! language. Lines are followed by the counts their hunk header gives,
//! so a removed line that reads `-- x` is never taken for a file header.

use std::fmt::Write;

use super::highlight::{self, Lang};
use crate::serve::html::escape;
use crate::session::Session;

/// Lines of diff rendered on the page; the rest is for `grove diff`.
const MAX_LINES: usize = 4_000;

/// The diff region of session `s`'s page.
pub fn region(s: &Session) -> String {
    if !s.path.is_dir() {
        return "<p class=\"empty\">The worktree is gone: there is nothing to diff.</p>".into();
    }
    let text =
        crate::repo::open(&s.path).and_then(|repo| crate::repo::diff_text(&repo, Some(&s.base_commit)));
    match text {
        Ok(text) if text.trim().is_empty() => "<p class=\"empty\">No changes yet.</p>".into(),
        Ok(text) => render(&text, &s.name),
        Err(e) => format!("<p class=\"bad\">The diff could not be read: {}</p>", escape(&e.to_string())),
    }
}

/// One file of the diff, as it is read.
struct File {
    path: String,
    lang: Option<&'static Lang>,
    added: usize,
    removed: usize,
    rows: String,
}

/// `text` (a unified diff) as HTML.
pub fn render(text: &str, session: &str) -> String {
    let mut files: Vec<File> = Vec::new();
    let mut shown = 0usize;
    let mut cut = false;
    // Lines left in the current hunk: old side, new side; and the line
    // numbers of the next line on each.
    let (mut old_left, mut new_left, mut old_no, mut new_no) = (0usize, 0usize, 0usize, 0usize);
    for line in text.lines() {
        let in_hunk = old_left > 0 || new_left > 0;
        if !in_hunk {
            if let Some(rest) = line.strip_prefix("diff --git ") {
                let path = rest.split_once(" b/").map_or(rest, |(_, b)| b).to_string();
                files.push(File {
                    lang: highlight::lang_of(&path),
                    path,
                    added: 0,
                    removed: 0,
                    rows: String::new(),
                });
                continue;
            }
            let Some(file) = files.last_mut() else { continue };
            if let Some(path) = line.strip_prefix("+++ b/") {
                file.path = path.to_string();
                file.lang = highlight::lang_of(path);
            } else if let Some((old, new)) = hunk_header(line) {
                (old_no, old_left, new_no, new_left) = (old.0, old.1, new.0, new.1);
                if !cut {
                    let _ =
                        write!(file.rows, "<tr class=\"hunk\"><td colspan=\"3\">{}</td></tr>", escape(line));
                }
            } else if line.starts_with("Binary files") {
                let _ = write!(file.rows, "<tr class=\"hunk\"><td colspan=\"3\">{}</td></tr>", escape(line));
            }
            continue;
        }
        let Some(file) = files.last_mut() else { continue };
        let (class, sign, old, new) = match line.chars().next() {
            Some('+') => {
                new_left = new_left.saturating_sub(1);
                file.added += 1;
                new_no += 1;
                ("add", '+', None, Some(new_no - 1))
            }
            Some('-') => {
                old_left = old_left.saturating_sub(1);
                file.removed += 1;
                old_no += 1;
                ("del", '-', Some(old_no - 1), None)
            }
            Some('\\') => ("note", ' ', None, None),
            _ => {
                old_left = old_left.saturating_sub(1);
                new_left = new_left.saturating_sub(1);
                old_no += 1;
                new_no += 1;
                ("ctx", ' ', Some(old_no - 1), Some(new_no - 1))
            }
        };
        if shown >= MAX_LINES {
            cut = true;
            continue;
        }
        shown += 1;
        let code = line.get(1..).unwrap_or("");
        let number = |n: Option<usize>| n.map(|n| n.to_string()).unwrap_or_default();
        let _ = write!(
            file.rows,
            "<tr class=\"{class}\"><td class=\"no\">{}</td><td class=\"no\">{}</td><td class=\"code\">{sign}{}</td></tr>",
            number(old),
            number(new),
            if class == "note" { escape(line) } else { highlight::line(file.lang, code) },
        );
    }
    let mut html = String::new();
    let (added, removed): (usize, usize) =
        (files.iter().map(|f| f.added).sum(), files.iter().map(|f| f.removed).sum());
    let _ = write!(
        html,
        "<p class=\"diffstat\">{} · <span class=\"add\">+{added}</span> <span class=\"del\">−{removed}</span></p>",
        crate::text::count(files.len(), "file")
    );
    for file in &files {
        let _ = write!(
            html,
            "<details class=\"file\" open><summary><span class=\"path\">{}</span> \
             <span class=\"add\">+{}</span> <span class=\"del\">−{}</span></summary>\
             <table class=\"diff\"><tbody>{}</tbody></table></details>",
            escape(&file.path),
            file.added,
            file.removed,
            file.rows
        );
    }
    if cut {
        let _ = write!(
            html,
            "<p class=\"note\">The rest of the diff is not shown here: <code>grove diff {}</code> shows it all.</p>",
            escape(session)
        );
    }
    html
}

/// `@@ -a,b +c,d @@` as ((a, b), (c, d)); a missing count is 1.
fn hunk_header(line: &str) -> Option<((usize, usize), (usize, usize))> {
    let rest = line.strip_prefix("@@ -")?;
    let (ranges, _) = rest.split_once(" @@")?;
    let (old, new) = ranges.split_once(" +")?;
    let range = |r: &str| -> Option<(usize, usize)> {
        match r.split_once(',') {
            Some((start, count)) => Some((start.parse().ok()?, count.parse().ok()?)),
            None => Some((r.parse().ok()?, 1)),
        }
    };
    Some((range(old)?, range(new)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIFF: &str = "diff --git a/src/lib.rs b/src/lib.rs
index 1111111..2222222 100644
--- a/src/lib.rs
+++ b/src/lib.rs
@@ -1,3 +1,3 @@
 fn a() {}
--- not a header
+++ not a header either
 fn c() {}
diff --git a/notes.md b/notes.md
new file mode 100644
--- /dev/null
+++ b/notes.md
@@ -0,0 +1 @@
+<script>alert(1)</script>
";

    #[test]
    fn lines_are_counted_by_their_hunk_not_taken_for_headers() {
        let html = render(DIFF, "s");
        assert!(
            html.contains("2 files · <span class=\"add\">+2</span> <span class=\"del\">−1</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"path\">src/lib.rs</span> <span class=\"add\">+1</span>"),
            "{html}"
        );
        assert!(
            html.contains("<td class=\"no\">2</td><td class=\"no\"></td><td class=\"code\">--- not a header")
        );
        assert!(
            html.contains("<td class=\"no\"></td><td class=\"no\">2</td><td class=\"code\">+++ not a header")
        );
        assert!(html.contains("<span class=\"k\">fn</span> c() {}"), "{html}");
        assert!(
            !html.contains("<script>") && html.contains("+&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
    }

    #[test]
    fn hunk_headers_parse_with_and_without_counts() {
        assert_eq!(hunk_header("@@ -1,3 +1,4 @@ fn x()"), Some(((1, 3), (1, 4))));
        assert_eq!(hunk_header("@@ -0,0 +1 @@"), Some(((0, 0), (1, 1))));
        assert_eq!(hunk_header("@@ nonsense"), None);
    }
}
