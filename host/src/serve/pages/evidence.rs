//! A session's evidence bundle on its page: review findings from the JSON
//! reports (`code-review`'s `findings`), check results (`designer-check`'s
//! `verdict`, a check's log), the GIFs and screenshots inline, then notes.
//! Images are served from the bundle by the name its manifest gives them,
//! never by a path from the request; every caption, log line and finding
//! is escaped.

use std::fmt::Write;
use std::path::Path;
use std::time::SystemTime;

use serde_json::Value;

use crate::evidence::bundle::{Bundle, Entry, Kind, MANIFEST};
use crate::serve::html::{escape, segment, session_href};

/// Characters of one text piece shown on the page.
const MAX_TEXT: usize = 64 * 1024;
/// Rows of one findings table.
const MAX_FINDINGS: usize = 500;

/// What the bundle's manifest looks like now: when it changes, the region
/// is made again.
pub type Stamp = Option<(SystemTime, u64)>;

pub fn stamp(git_dir: &Path, name: &str) -> Stamp {
    let meta = Bundle::at(git_dir, name).dir().join(MANIFEST).metadata().ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// The evidence region of session `name`'s page.
pub fn region(git_dir: &Path, name: &str) -> String {
    let bundle = Bundle::at(git_dir, name);
    let entries = match bundle.entries() {
        Ok(entries) => entries,
        Err(e) => {
            return format!(
                "<p class=\"bad\">The evidence bundle could not be read: {}</p>",
                escape(&e.to_string())
            );
        }
    };
    if entries.is_empty() {
        return "<p class=\"empty\">No evidence yet: skills add GIFs, screenshots, checks and reviews as they run.</p>"
            .into();
    }
    let read = |entry: &Entry| -> String {
        let bytes = std::fs::read(bundle.dir().join(&entry.file)).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_TEXT)]).into_owned();
        if bytes.len() > MAX_TEXT { format!("{text}\n…") } else { text }
    };
    let json = |entry: &Entry| -> Value {
        let bytes = std::fs::read(bundle.dir().join(&entry.file)).unwrap_or_default();
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    };
    let (mut findings, mut checks, mut images, mut notes) =
        (String::new(), String::new(), String::new(), String::new());
    for entry in &entries {
        match entry.kind {
            Kind::Gif | Kind::Png => {
                let src = format!("{}/evidence/{}", session_href(name), segment(&entry.file));
                let _ = write!(
                    images,
                    "<figure class=\"shot\"><img src=\"{}\" alt=\"{caption}\" loading=\"lazy\">{}</figure>",
                    escape(&src),
                    figcaption(entry),
                    caption = escape(&entry.caption),
                );
            }
            Kind::Json => {
                let value = json(entry);
                if let Some(list) = value.get("findings").and_then(Value::as_array) {
                    findings_table(&mut findings, entry, list, &value);
                } else if value.get("verdict").is_some() {
                    check(&mut checks, entry, &value);
                } else {
                    let pretty = serde_json::to_string_pretty(&value).unwrap_or_default();
                    text_piece(&mut notes, entry, &pretty);
                }
            }
            Kind::Log => text_piece(&mut checks, entry, &read(entry)),
            Kind::Markdown => text_piece(&mut notes, entry, &read(entry)),
        }
    }
    let mut html = String::new();
    for (title, body) in [
        ("Review findings", findings),
        ("Checks", checks),
        ("Recordings and screenshots", images),
        ("Notes", notes),
    ] {
        if !body.is_empty() {
            let _ = write!(html, "<h3>{title}</h3>{body}");
        }
    }
    html
}

fn figcaption(entry: &Entry) -> String {
    let commit = entry
        .commit
        .as_deref()
        .map(|c| format!(" · commit {}", escape(&c[..c.len().min(12)])))
        .unwrap_or_default();
    format!(
        "<figcaption><strong>{}</strong> <span class=\"meta\">{} · {}{commit}</span></figcaption>",
        escape(&entry.caption),
        escape(&entry.skill),
        escape(&entry.time)
    )
}

fn text_piece(out: &mut String, entry: &Entry, text: &str) {
    let _ = write!(out, "<figure class=\"piece\"><pre>{}</pre>{}</figure>", escape(text), figcaption(entry));
}

/// A review's findings: severity, where, the rule and what it says.
fn findings_table(out: &mut String, entry: &Entry, list: &[Value], report: &Value) {
    let str_of = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let summary = &report["summary"];
    let count = |k: &str| summary.get(k).and_then(Value::as_u64).unwrap_or(0);
    let _ = write!(
        out,
        "<figure class=\"findings\">{}<p class=\"meta\">{} · {} · {}</p>",
        figcaption(entry),
        crate::text::count(count("errors"), "error"),
        crate::text::count(count("warnings"), "warning"),
        crate::text::count(count("infos"), "note")
    );
    if list.is_empty() {
        out.push_str("<p class=\"good\">No findings.</p></figure>");
        return;
    }
    out.push_str("<table class=\"grid\"><thead><tr><th>severity</th><th>where</th><th>rule</th><th>finding</th></tr></thead><tbody>");
    for finding in list.iter().take(MAX_FINDINGS) {
        let severity = str_of(finding, "severity");
        let tone = match severity.as_str() {
            "error" => "bad",
            "warning" => "warn",
            _ => "dim",
        };
        let place = match finding.get("line").and_then(Value::as_u64) {
            Some(line) => format!("{}:{line}", str_of(finding, "path")),
            None => str_of(finding, "path"),
        };
        let _ = write!(
            out,
            "<tr><td class=\"{tone}\">{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            escape(&severity),
            escape(&place),
            escape(&str_of(finding, "rule")),
            escape(&str_of(finding, "message"))
        );
    }
    out.push_str("</tbody></table>");
    if list.len() > MAX_FINDINGS {
        let _ = write!(out, "<p class=\"note\">and {} more</p>", list.len() - MAX_FINDINGS);
    }
    out.push_str("</figure>");
}

/// A check's verdict, and what it looked at.
fn check(out: &mut String, entry: &Entry, report: &Value) {
    let verdict = report["verdict"].as_str().unwrap_or("unknown");
    let tone = match verdict {
        "pass" | "passed" | "ok" | "signed-off" | "no-design-changes" => "good",
        "not-configured" => "dim",
        _ => "bad",
    };
    let changes = report.get("changes").and_then(Value::as_array).map_or(0, Vec::len);
    let signoffs = report.get("signoffs").and_then(Value::as_array).map_or(0, Vec::len);
    let _ = write!(
        out,
        "<figure class=\"check\"><p><span class=\"verdict {tone}\">{}</span> {} · {}</p>{}</figure>",
        escape(verdict),
        crate::text::count(changes, "change"),
        crate::text::count(signoffs, "sign-off"),
        figcaption(entry)
    );
}

/// A file of the bundle, for `<img>`: its type and bytes, when `file` is
/// a GIF or PNG the manifest lists.
pub fn file(git_dir: &Path, name: &str, file: &str) -> Option<(&'static str, Vec<u8>)> {
    let bundle = Bundle::open(git_dir, name).ok()?;
    let entry = bundle.entries().ok()?.into_iter().find(|e| e.file == file)?;
    let content_type = match entry.kind {
        Kind::Gif => "image/gif",
        Kind::Png => "image/png",
        _ => return None,
    };
    Some((content_type, std::fs::read(bundle.dir().join(&entry.file)).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::bundle::New;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\nrest";

    #[test]
    fn findings_checks_images_and_notes_each_find_their_place_escaped() {
        let git = tempfile::tempdir().unwrap();
        let bundle = Bundle::at(git.path(), "s");
        let add = |kind, caption: &str, bytes: &[u8]| {
            bundle
                .add(New { kind, caption, bytes, skill: "<skill>", commit: Some("0123456789abcdef") })
                .unwrap()
        };
        let review = r#"{"findings":[{"path":"a.rs","line":3,"severity":"error","rule":"secrets/jwt","message":"<img src=x onerror=alert(1)>"}],"summary":{"errors":1,"warnings":0,"infos":0},"base":"main"}"#;
        add(Kind::Json, "code-review: 1 error", review.as_bytes());
        add(
            Kind::Json,
            "designer-check: unsigned",
            br#"{"verdict":"unsigned","changes":[{}],"signoffs":[]}"#,
        );
        add(Kind::Png, "the page <script>", PNG);
        add(Kind::Log, "cargo test", b"test result: ok\n</pre><script>alert(1)</script>");
        let html = region(git.path(), "s");
        assert!(html.contains("<h3>Review findings</h3>") && html.contains("<code>a.rs:3</code>"), "{html}");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{html}");
        assert!(
            html.contains("<span class=\"verdict bad\">unsigned</span> 1 change · 0 sign-offs"),
            "{html}"
        );
        assert!(html.contains("src=\"/session/s/evidence/003-the-page-script.png\""), "{html}");
        assert!(!html.contains("<script>") && !html.contains("<img src=x"), "{html}");
        assert!(html.contains("&lt;skill&gt;") && html.contains("commit 0123456789ab"));
        assert_eq!(file(git.path(), "s", "003-the-page-script.png").unwrap(), ("image/png", PNG.to_vec()));
        // Only what the manifest lists, and only images.
        assert!(file(git.path(), "s", "../../sessions.db").is_none());
        assert!(file(git.path(), "s", "manifest.json").is_none());
        assert!(file(git.path(), "s", "004-cargo-test.log").is_none());
    }
}
