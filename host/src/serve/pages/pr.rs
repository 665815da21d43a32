//! `/pr/NAME`: the pull request page `grove pr NAME --backend local`
//! wrote (`review::local`), drawn from its `page.json`: the title, the
//! task and summary, the verdicts, the diff stat, the evidence with its
//! images inline (served from the page's own copies), the reviewers and
//! the review comments. Every piece came from a skill or a model: each is
//! escaped.

use std::path::Path;

use crate::review::local;
use crate::review::page::Page;
use crate::serve::html::{escape, segment};

/// The page's body, if `grove pr NAME --backend local` wrote one.
pub fn body(git_dir: &Path, name: &str) -> Option<String> {
    let page = local::read(git_dir, name)?;
    Some(render(&page))
}

fn render(page: &Page) -> String {
    let mut html = format!(
        "<h1>{}</h1><p class=\"meta\">Pull request of <code>{}</code> into <code>{}</code>{} · written by \
         <code>grove pr {} --backend local</code></p>",
        escape(&page.title),
        escape(&page.head),
        escape(&page.base),
        if page.draft { " (draft)" } else { "" },
        escape(&page.session)
    );
    // A design challenge and its original link each other.
    if let Some(original) = &page.alternative_to_page {
        html.push_str(&format!(
            "<p>An alternative to <a href=\"/pr/{}\">session <code>{}</code>'s pull request</a>, from a \
             session it started: weigh the two side by side.</p>",
            segment(original),
            escape(original)
        ));
    }
    if !page.alternatives.is_empty() {
        html.push_str("<h2>Alternatives</h2><ul>");
        for alternative in &page.alternatives {
            html.push_str(&format!(
                "<li><a href=\"/pr/{}\">session <code>{}</code></a>, which this one started</li>",
                segment(alternative),
                escape(alternative)
            ));
        }
        html.push_str("</ul>");
    }
    for (heading, text) in [("Task", &page.task), ("What the session did", &page.summary)] {
        if let Some(text) = text.as_deref().filter(|t| !t.trim().is_empty()) {
            html.push_str(&format!("<h2>{heading}</h2><blockquote><pre>{}</pre></blockquote>", escape(text)));
        }
    }
    if !page.verdicts.is_empty() {
        html.push_str("<h2>Checks</h2><table><tr><th>check</th><th>verdict</th><th></th></tr>");
        for v in &page.verdicts {
            let (class, word) = if v.passed { ("pass", "pass") } else { ("fail", "fail") };
            html.push_str(&format!(
                "<tr><td><code>{}</code></td><td class=\"{class}\">{word}</td><td>{}</td></tr>",
                escape(&v.context),
                escape(&v.description)
            ));
        }
        html.push_str("</table>");
    }
    html.push_str(&format!(
        "<h2>Changes</h2><p>{} changed</p>",
        crate::text::count(page.files.len(), "file")
    ));
    if !page.files.is_empty() {
        html.push_str("<table><tr><th>file</th><th>+</th><th>−</th></tr>");
        for f in &page.files {
            html.push_str(&format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                escape(&f.path),
                f.added,
                f.removed
            ));
        }
        html.push_str("</table>");
    }
    if !page.reviewers.is_empty() {
        let names: Vec<String> =
            page.reviewers.iter().map(|r| format!("<code>{}</code>", escape(r))).collect();
        html.push_str(&format!("<h2>Reviewers</h2><p>{}</p>", names.join(", ")));
    }
    if !page.evidence.is_empty() {
        html.push_str("<h2>Evidence</h2>");
        for e in &page.evidence {
            let href = format!("/pr/{}/evidence/{}", segment(&page.session), segment(&e.file));
            if e.is_image() {
                html.push_str(&format!(
                    "<figure><img src=\"{href}\" alt=\"{0}\"><figcaption>{0}</figcaption></figure>",
                    escape(&e.caption)
                ));
            } else {
                html.push_str(&format!(
                    "<p><a href=\"{href}\">{}</a> ({})</p>",
                    escape(&e.caption),
                    escape(&e.kind)
                ));
            }
        }
    }
    if !page.comments.is_empty() {
        html.push_str("<h2>Review comments</h2><ul>");
        for c in &page.comments {
            html.push_str(&format!(
                "<li><code>{}:{}</code> {}</li>",
                escape(&c.path),
                c.line,
                escape(&c.text)
            ));
        }
        html.push_str("</ul>");
    }
    html
}

/// A file of the page's evidence: its type and bytes. Only a plain file
/// name of the page's own folder is served.
pub fn file(git_dir: &Path, name: &str, file: &str) -> Option<(&'static str, Vec<u8>)> {
    let page = local::read(git_dir, name)?;
    let shown = page.evidence.iter().find(|e| e.file == file)?;
    let content_type = match shown.kind.as_str() {
        "gif" => "image/gif",
        "png" => "image/png",
        "json" => "application/json",
        _ => "text/plain; charset=utf-8",
    };
    let path = local::dir(git_dir, name)?.join("evidence").join(&shown.file);
    Some((content_type, std::fs::read(path).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::page::Shown;

    #[test]
    fn what_skills_wrote_is_escaped() {
        let page = Page {
            session: "s1".into(),
            title: "<script>alert(1)</script>".into(),
            summary: Some("<img src=x onerror=alert(1)>".into()),
            evidence: vec![Shown {
                caption: "<b>".into(),
                kind: "gif".into(),
                file: "001-a.gif".into(),
                url: String::new(),
            }],
            ..Page::default()
        };
        let html = render(&page);
        assert!(!html.contains("<script>") && !html.contains("<img src=x"), "{html}");
        assert!(html.contains("<img src=\"/pr/s1/evidence/001-a.gif\" alt=\"&lt;b&gt;\">"), "{html}");
    }
}
