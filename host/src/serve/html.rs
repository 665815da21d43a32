//! Building the pages' HTML: escaping, URL path segments, the frame every
//! page shares, and the small pieces several pages show (a state badge, a
//! cost). Everything that did not come from grove itself (a session's name
//! or task, a skill's words, a model's, a program's output) goes through
//! [`escape`] on its way in; nothing here trusts its input.

use std::fmt::Write;

use crate::session::State;

/// Text as HTML text or a quoted attribute value: `& < > " '` spelled as
/// entities, and every control character but newline and tab spelled out
/// (`\x1b`), so an escape sequence shows as what it is.
pub fn escape(text: &str) -> String {
    crate::evidence::page::escape(text)
}

/// `text` as one segment of a URL path: everything but unreserved ASCII
/// percent-encoded, so a `/`, `?` or `#` in a name cannot change the path.
pub fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// The page of session `name`.
pub fn session_href(name: &str) -> String {
    format!("/session/{}", segment(name))
}

/// Which part of the site a page belongs to, for the navigation bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Sessions,
    Approvals,
    Other,
}

/// What the frame around a page needs.
pub struct Frame<'a> {
    pub title: &'a str,
    pub nav: Nav,
    /// The server's CSRF token, for the forms and the script.
    pub csrf: &'a str,
    /// The repository's folder name, shown in the header.
    pub repo: &'a str,
    /// The live stream the page listens to, if it is live.
    pub live: Option<String>,
    /// Pending approvals in the whole repository, for the navigation bar.
    pub pending: usize,
}

/// A whole page: `body` (already HTML) inside the frame. The stylesheet and
/// the one script are the server's own files (the Content-Security-Policy
/// allows nothing inline); the script comes first, in the head, so that it
/// hears any refusal of the policy's while the page loads.
pub fn page(frame: &Frame<'_>, body: &str) -> String {
    let active = |nav: Nav| if frame.nav == nav { " class=\"here\"" } else { "" };
    let live = frame.live.as_deref().map(|url| format!(" data-live=\"{}\"", escape(url))).unwrap_or_default();
    let mut html = String::with_capacity(body.len() + 1_500);
    let _ = write!(
        html,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"csrf-token\" content=\"{csrf}\">\
         <title>{title} · grove</title>\
         <link rel=\"icon\" href=\"data:,\">\
         <link rel=\"stylesheet\" href=\"{STYLE_URL}\">\
         <script src=\"{SCRIPT_URL}\"></script>\
         </head><body{live}>\
         <header><a class=\"brand\" href=\"/\">grove</a><span class=\"repo\">{repo}</span>\
         <nav><a href=\"/\"{sessions}>Sessions</a>\
         <a href=\"/approvals\"{approvals}>Approvals <span id=\"nav-pending\">{pending}</span></a></nav>\
         <span id=\"live-status\" class=\"live-status\"></span></header>\
         <div id=\"flash\" role=\"status\" aria-live=\"polite\"></div>\
         <main>{body}</main></body></html>\n",
        csrf = escape(frame.csrf),
        title = escape(frame.title),
        repo = escape(frame.repo),
        sessions = active(Nav::Sessions),
        approvals = active(Nav::Approvals),
        pending = pending_badge(frame.pending),
    );
    html
}

/// The count of pending approvals beside the navigation link (empty at 0).
pub fn pending_badge(pending: usize) -> String {
    if pending == 0 { String::new() } else { format!("<span class=\"count\">{pending}</span>") }
}

/// Where the stylesheet and the script are served.
pub const STYLE_URL: &str = "/assets/style.css";
pub const SCRIPT_URL: &str = "/assets/live.js";

/// A session's state as a coloured badge.
pub fn state_badge(state: State) -> String {
    let tone = match state {
        State::Queued => "queued",
        State::Running => "running",
        State::WaitingApproval => "waiting",
        State::Done => "done",
        State::Failed | State::Interrupted => "failed",
        State::Cancelled => "cancelled",
    };
    format!("<span class=\"state st-{tone}\" data-state=\"{state}\">{state}</span>")
}

/// Dollars spent, or a dash before the first model call.
pub fn cost(calls: u64, usd: f64) -> String {
    if calls == 0 { "–".into() } else { format!("${usd:.2}") }
}

/// A form that changes something: a POST to `action` with the CSRF token,
/// which the script sends in a header (and a browser without the script
/// sends as a field). `fields` and `button` are HTML.
pub fn form(action: &str, csrf: &str, class: &str, fields: &str, button: &str) -> String {
    format!(
        "<form method=\"post\" action=\"{}\" class=\"{class}\" data-action>\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">{fields}{button}</form>",
        escape(action),
        escape(csrf)
    )
}

/// At most `max` characters of `text`, with `…` when cut.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_cannot_open_a_tag_leave_an_attribute_or_send_an_escape() {
        let hostile = "<script>alert(1)</script>\"onmouseover=alert(2) x='\u{1b}[2J\u{202e}";
        let out = escape(hostile);
        assert!(
            !out.contains('<') && !out.contains('>') && !out.contains('"') && !out.contains('\''),
            "{out}"
        );
        assert!(out.contains("&lt;script&gt;") && out.contains("&quot;onmouseover="), "{out}");
        assert!(out.contains("\\x1b[2J") && out.contains("\\u{202e}"), "{out}");
    }

    #[test]
    fn a_name_is_one_path_segment() {
        assert_eq!(segment("fix-parser_2.x~"), "fix-parser_2.x~");
        assert_eq!(segment("../a/b?c#d e"), "..%2Fa%2Fb%3Fc%23d%20e");
        assert_eq!(segment("é"), "%C3%A9");
        assert_eq!(session_href("a/../b"), "/session/a%2F..%2Fb");
    }

    #[test]
    fn the_frame_escapes_what_it_is_given() {
        let frame = Frame {
            title: "<b>",
            nav: Nav::Sessions,
            csrf: "\"x",
            repo: "r<",
            live: Some("/live?x=\"".into()),
            pending: 2,
        };
        let html = page(&frame, "<p>body</p>");
        assert!(html.contains("<title>&lt;b&gt; · grove</title>"), "{html}");
        assert!(html.contains("content=\"&quot;x\"") && html.contains("data-live=\"/live?x=&quot;\""));
        assert!(html.contains("<a href=\"/\" class=\"here\">Sessions</a>"));
        assert!(html.contains("<span class=\"count\">2</span>"));
    }

    #[test]
    fn clipping_counts_characters() {
        assert_eq!(clip("héllo", 3), "hél…");
        assert_eq!(clip("abc", 3), "abc");
    }
}
