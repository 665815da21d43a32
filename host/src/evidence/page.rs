//! One self-contained page of a bundle: every GIF and screenshot inline,
//! captions, the commit each shows, and the text pieces. Everything the
//! skills wrote (captions, logs, notes) is untrusted and HTML-escaped; the
//! page runs no script.

use std::fmt::Write;

use base64::Engine;

use super::bundle::{Bundle, Entry, Error, Kind};

/// The page's file name inside the bundle.
pub const PAGE: &str = "index.html";

/// Write the bundle's page into it and return its path.
pub fn write(bundle: &Bundle) -> Result<std::path::PathBuf, Error> {
    let entries = bundle.entries()?;
    let mut pieces = Vec::with_capacity(entries.len());
    for entry in &entries {
        let path = bundle.dir().join(&entry.file);
        let bytes = std::fs::read(&path).map_err(|source| Error::Io { path, source })?;
        pieces.push((entry, bytes));
    }
    let html = render(bundle.name(), &pieces);
    let path = bundle.dir().join(PAGE);
    std::fs::write(&path, html).map_err(|source| Error::Io { path: path.clone(), source })?;
    Ok(path)
}

/// The page for bundle `name` holding `pieces` (each entry with its bytes).
pub fn render(name: &str, pieces: &[(&Entry, Vec<u8>)]) -> String {
    let mut html = String::new();
    let _ = write!(
        html,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">\
         <title>Evidence · {name}</title><style>{STYLE}</style></head><body>\
         <h1>Evidence <span class=\"name\">{name}</span></h1>",
        name = escape(name)
    );
    if pieces.is_empty() {
        html.push_str("<p class=\"empty\">Nothing was added to this bundle.</p>");
    }
    for (entry, bytes) in pieces {
        let _ = write!(html, "<figure class=\"{}\">", entry.kind.as_str());
        match entry.kind {
            Kind::Gif | Kind::Png => {
                let mime = if entry.kind == Kind::Gif { "image/gif" } else { "image/png" };
                let data = base64::engine::general_purpose::STANDARD.encode(bytes);
                let _ = write!(
                    html,
                    "<img alt=\"{}\" src=\"data:{mime};base64,{data}\">",
                    escape(&entry.caption)
                );
            }
            Kind::Log | Kind::Json | Kind::Markdown => {
                let text = String::from_utf8_lossy(bytes);
                let _ = write!(html, "<pre>{}</pre>", escape(&text));
            }
        }
        let _ = write!(
            html,
            "<figcaption><strong>{}</strong> <span class=\"meta\">{} · {} · {}{}</span></figcaption></figure>",
            escape(&entry.caption),
            entry.kind.as_str(),
            escape(&entry.skill),
            escape(&entry.time),
            entry
                .commit
                .as_deref()
                .map(|c| format!(" · commit {}", escape(&c[..c.len().min(12)])))
                .unwrap_or_default(),
        );
    }
    html.push_str("</body></html>\n");
    html
}

/// Text as HTML: the five characters that mean something there, and every
/// control character but newline and tab, spelled out.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in crate::text::sanitize(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1f2328}\
h1{font-size:1.4rem}.name{color:#59636e;font-weight:400}figure{margin:0 0 2rem;border:1px solid #d1d9e0;border-radius:8px;padding:1rem}\
img{max-width:100%;display:block;margin-bottom:.5rem}pre{white-space:pre-wrap;background:#f6f8fa;padding:.75rem;border-radius:6px;overflow:auto;max-height:30rem}\
.meta{color:#59636e;font-size:.85rem}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_skills_wrote_is_escaped_and_images_are_inline() {
        let entry = |kind, caption: &str| Entry {
            kind,
            caption: caption.to_string(),
            file: "x".into(),
            sha256: String::new(),
            size: 0,
            skill: "<evil>".into(),
            time: "2026-12-06T00:00:00Z".into(),
            commit: Some("0123456789abcdef0123".into()),
        };
        let gif = entry(Kind::Gif, "clicks <script>alert(1)</script>");
        let log = entry(Kind::Log, "log");
        let html = render(
            "s1",
            &[(&gif, b"GIF89a".to_vec()), (&log, b"</pre><img src=x onerror=alert(1)>".to_vec())],
        );
        assert!(!html.contains("<script>") && !html.contains("<img src=x"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("src=\"data:image/gif;base64,R0lGODlh\""));
        assert!(html.contains("commit 0123456789ab") && html.contains("&lt;evil&gt;"));
    }
}
