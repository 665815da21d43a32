//! A message: section blocks of mrkdwn and the plain-text fallback Slack
//! shows in notifications and to clients that cannot draw blocks, posted
//! with `chat.postMessage`.

use serde_json::{Value, json};

use super::client::{Body, Slack};
use super::error::Error;
use super::mrkdwn::Mrkdwn;

/// Characters one section block holds.
const SECTION_MAX: usize = 3000;
/// Sections one message holds (Slack allows 50 blocks).
const MAX_SECTIONS: usize = 40;

/// A message to post.
#[derive(Debug, Clone, Default)]
pub struct Message {
    sections: Vec<Mrkdwn>,
}

/// Where a posted message is: its conversation's id and its timestamp,
/// which is its id there (a thread replies to it by this).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Posted {
    pub conversation: String,
    pub ts: String,
}

impl Message {
    /// A message of one section.
    pub fn new(text: Mrkdwn) -> Message {
        Message { sections: vec![text] }
    }

    /// Add a section below the others.
    pub fn section(mut self, text: Mrkdwn) -> Message {
        self.sections.push(text);
        self
    }

    /// The blocks: each section cut to what a block holds.
    fn blocks(&self) -> Result<Vec<Value>, Error> {
        let pieces: Vec<&str> =
            self.sections.iter().filter(|s| !s.is_empty()).flat_map(|s| s.pieces(SECTION_MAX)).collect();
        if pieces.is_empty() {
            return Err(Error::Invalid("the message is empty".into()));
        }
        if pieces.len() > MAX_SECTIONS {
            return Err(Error::Invalid(format!(
                "the message is longer than Slack shows in one message ({} characters)",
                SECTION_MAX * MAX_SECTIONS
            )));
        }
        Ok(pieces
            .into_iter()
            .map(|p| json!({"type": "section", "text": {"type": "mrkdwn", "text": p}}))
            .collect())
    }

    /// The fallback: the first section, whole or cut.
    fn fallback(&self) -> String {
        let first = self.sections.iter().find(|s| !s.is_empty());
        let pieces = first.map(|s| s.pieces(SECTION_MAX)).unwrap_or_default();
        match pieces.as_slice() {
            [] => String::new(),
            [one] => one.to_string(),
            [first, ..] => format!("{first}…"),
        }
    }
}

impl Slack {
    /// Post `message` in `conversation` (an id, or a channel's name).
    pub async fn post(&self, conversation: &str, message: &Message) -> Result<Posted, Error> {
        let args = json!({
            "channel": conversation,
            "text": message.fallback(),
            "blocks": message.blocks()?,
            // Nothing is fetched from links in the text, and names in it
            // stay names.
            "unfurl_links": false,
            "unfurl_media": false,
            "link_names": false,
        });
        let answer = self.call("chat.postMessage", Body::Json(&args)).await?;
        let field = |name: &str| {
            answer[name].as_str().map(str::to_string).ok_or_else(|| Error::Answer {
                method: "chat.postMessage".into(),
                message: format!("no `{name}`"),
            })
        };
        Ok(Posted { conversation: field("channel")?, ts: field("ts")? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_becomes_several_sections_and_a_cut_fallback() {
        let m = Message::new(Mrkdwn::text(&"a <b> ".repeat(1500)));
        let blocks = m.blocks().unwrap();
        assert!(blocks.len() > 1);
        assert!(blocks.iter().all(|b| b["text"]["text"].as_str().unwrap().chars().count() <= SECTION_MAX));
        assert!(m.fallback().ends_with('…'));
        assert!(Message::new(Mrkdwn::default()).blocks().is_err());
        assert!(Message::new(Mrkdwn::text(&"x".repeat(SECTION_MAX * MAX_SECTIONS + 1))).blocks().is_err());
    }
}
