//! Text for Slack, safe by construction. Slack reads `<…>` as a control
//! sequence (`<!channel>` pings everyone, `<@U123>` a person,
//! `<https://evil|click>` shows a link under another name) and decodes
//! `&amp;`, `&lt;` and `&gt;`; its documentation asks callers to escape
//! exactly those three characters in text. [`Mrkdwn`] is only ever made
//! from escaped text and links grove builds itself, so nothing a session
//! or a skill writes can mention anyone or forge a link.

/// Text Slack will show as written, plus the links grove made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mrkdwn(String);

impl Mrkdwn {
    /// `text`, escaped.
    pub fn text(text: &str) -> Mrkdwn {
        Mrkdwn(escape(text))
    }

    /// A link to `url` shown as `label`. A URL that is not http(s) is
    /// shown as text, not linked.
    pub fn link(url: &str, label: &str) -> Mrkdwn {
        match reqwest::Url::parse(url) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => {
                // The URL ends at `|` or `>`: percent-encode what would end
                // it early (the parser has already encoded spaces and `<`).
                let href = escape(parsed.as_str()).replace('|', "%7C");
                Mrkdwn(format!("<{href}|{}>", escape(label)))
            }
            _ => Mrkdwn::text(&format!("{label} ({url})")),
        }
    }

    /// Append `other`.
    pub fn push(&mut self, other: Mrkdwn) -> &mut Mrkdwn {
        self.0.push_str(&other.0);
        self
    }

    /// Append `text`, escaped.
    pub fn push_text(&mut self, text: &str) -> &mut Mrkdwn {
        self.0.push_str(&escape(text));
        self
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Pieces of at most `max` characters, never cutting an escape (`&lt;`)
    /// or a link in two: Slack's section blocks hold 3,000 characters.
    pub fn pieces(&self, max: usize) -> Vec<&str> {
        let mut pieces = Vec::new();
        let mut rest = self.0.as_str();
        while rest.chars().count() > max {
            let mut cut = rest.char_indices().nth(max).map_or(rest.len(), |(at, _)| at);
            // Back up out of an escape or a link begun before the cut.
            let open = rest[..cut].rfind(['&', '<']);
            if let Some(open) = open {
                let closer = if rest.as_bytes()[open] == b'&' { ';' } else { '>' };
                if !rest[open..cut].contains(closer) && open > 0 {
                    cut = open;
                }
            }
            // Prefer a line break or a space in the last fifth.
            let floor = rest[..cut].char_indices().nth(max * 4 / 5).map_or(0, |(at, _)| at);
            if let Some(space) = rest[floor..cut].rfind(['\n', ' ']) {
                cut = floor + space + 1;
            }
            pieces.push(&rest[..cut]);
            rest = &rest[cut..];
        }
        if !rest.is_empty() {
            pieces.push(rest);
        }
        pieces
    }
}

/// `&`, `<` and `>` as Slack asks them written.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_and_forged_links_are_shown_as_text() {
        let m = Mrkdwn::text("hey <!channel> see <https://evil.example|your PR> & <@U123>");
        assert_eq!(
            m.as_str(),
            "hey &lt;!channel&gt; see &lt;https://evil.example|your PR&gt; &amp; &lt;@U123&gt;"
        );
        assert!(!m.as_str().contains('<') && !m.as_str().contains('>'));
    }

    #[test]
    fn links_grove_makes_cannot_be_bent() {
        let m = Mrkdwn::link("https://github.com/o/r/pull/7?a=1&b=|x", "#7 <!here>");
        assert_eq!(m.as_str(), "<https://github.com/o/r/pull/7?a=1&amp;b=%7Cx|#7 &lt;!here&gt;>");
        let m = Mrkdwn::link("javascript:alert(1)", "click");
        assert_eq!(m.as_str(), "click (javascript:alert(1))");
        let m = Mrkdwn::link("https://x.test/a>b", "x");
        assert!(m.as_str().starts_with("<https://x.test/a%3Eb|"), "{}", m.as_str());
    }

    #[test]
    fn pieces_never_cut_an_escape() {
        let m = Mrkdwn::text(&"<".repeat(10));
        for piece in m.pieces(7) {
            assert!(piece.chars().count() <= 7 && piece.ends_with(';'), "{piece}");
        }
        assert_eq!(m.pieces(7).concat(), m.as_str());
        let m = Mrkdwn::text(&"word ".repeat(1000));
        let pieces = m.pieces(3000);
        assert_eq!(pieces.len(), 2);
        assert!(pieces[0].ends_with(' ') && pieces.concat() == m.as_str());
    }
}
