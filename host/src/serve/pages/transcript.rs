//! A session's transcript as lines of HTML: the same feed of events and
//! the same renderer as `grove logs` and the dashboard, each span's tone a
//! class, every piece of text escaped. A live page is sent the lines from
//! the last one it has (which streamed text may have continued) onwards;
//! lines are numbered from the start of the transcript, and a page keeps
//! as many as the feed does.

use std::fmt::Write;

pub use crate::cli::live::Feed;
use crate::serve::html::escape;
use crate::session::{Store, StoreError};
use crate::transcript::{Line, Tone};

/// Session `name`'s transcript, read to its end.
pub fn open(store: &Store, name: &str) -> Result<Feed, StoreError> {
    let mut feed = Feed::open(store, name)?;
    feed.poll(store)?;
    Ok(feed)
}

/// The number after the last line `feed` shows.
pub fn end(feed: &Feed) -> usize {
    feed.first() + feed.lines().len()
}

/// The lines of `feed` from number `from` (or the first kept) on, as HTML.
pub fn html(feed: &Feed, from: usize) -> String {
    let mut html = String::new();
    for line in feed.lines().iter().skip(from.saturating_sub(feed.first())) {
        line_html(line, &mut html);
    }
    html
}

/// One line: a `div` of spans, each span's tone its class.
fn line_html(line: &Line, out: &mut String) {
    out.push_str("<div class=\"ln\">");
    for span in line {
        match tone_class(span.tone) {
            Some(class) => {
                let _ = write!(out, "<span class=\"{class}\">{}</span>", escape(&span.text));
            }
            None => out.push_str(&escape(&span.text)),
        }
    }
    out.push_str("</div>");
}

fn tone_class(tone: Tone) -> Option<&'static str> {
    match tone {
        Tone::Plain => None,
        Tone::Dim => Some("t-dim"),
        Tone::Bold => Some("t-bold"),
        Tone::Tool => Some("t-tool"),
        Tone::Good => Some("t-good"),
        Tone::Warn => Some("t-warn"),
        Tone::Bad => Some("t-bad"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::NewSession;

    #[test]
    fn streamed_text_continues_its_line_and_hostile_text_is_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let task = Some("<script>alert(1)</script>".to_string());
        store.insert(&NewSession { task, ..NewSession::example("s") }).unwrap();
        let id = store.session_id("s").unwrap();
        let mut feed = open(&store, "s").unwrap();
        assert_eq!((feed.first(), end(&feed)), (0, 1));
        assert!(html(&feed, 0).contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{}", html(&feed, 0));
        store.append(id, "text", r#"{"text":"Hello, "}"#).unwrap();
        assert!(feed.poll(&store).unwrap());
        assert_eq!(end(&feed), 2);
        store.append(id, "text", r#"{"text":"world \u001b[2J<b>\n"}"#).unwrap();
        feed.poll(&store).unwrap();
        // The open line was continued: a page that had 2 lines is sent the
        // second again, whole.
        assert_eq!(end(&feed), 2);
        assert_eq!(html(&feed, 1), "<div class=\"ln\">Hello, world \\x1b[2J&lt;b&gt;</div>");
        assert!(!feed.poll(&store).unwrap());
    }
}
