//! Finding a conversation: a person by their e-mail (`users.lookupByEmail`,
//! then `conversations.open` for the direct-message conversation with
//! them), a channel by its name (`conversations.list`, page by page, for
//! the methods that want an id).

use serde_json::{Value, json};

use super::client::{Body, Slack};
use super::error::Error;
use super::routing::Destination;

/// Channels asked for per page of `conversations.list`.
const PAGE: usize = 200;
/// Pages read before giving up on finding a channel.
const MAX_PAGES: usize = 50;

impl Slack {
    /// The conversation a message for `to` goes to: the direct-message
    /// conversation with a person, or a channel. `chat.postMessage` takes a
    /// channel's name; the file methods need its id (`need_id`), found with
    /// `conversations.list`.
    pub async fn conversation(&self, to: &Destination, need_id: bool) -> Result<String, Error> {
        match to {
            Destination::Email(email) => self.open_dm(&self.user_by_email(email).await?).await,
            Destination::Channel(name) if need_id => self.channel_id(name).await,
            Destination::Channel(name) if looks_like_id(name) => Ok(name.clone()),
            Destination::Channel(name) => Ok(format!("#{name}")),
        }
    }

    /// The Slack user id of the member whose e-mail is `email`.
    pub async fn user_by_email(&self, email: &str) -> Result<String, Error> {
        let args = [("email", email.to_string())];
        let answer = self.call("users.lookupByEmail", Body::Form(&args)).await?;
        string_at(&answer, "users.lookupByEmail", &["user", "id"])
    }

    /// The id of the direct-message conversation with `user` (opened if
    /// it was not).
    pub async fn open_dm(&self, user: &str) -> Result<String, Error> {
        let answer = self.call("conversations.open", Body::Json(&json!({"users": user}))).await?;
        string_at(&answer, "conversations.open", &["channel", "id"])
    }

    /// The id of the channel named `name` (with or without `#`); an id is
    /// its own answer.
    pub async fn channel_id(&self, name: &str) -> Result<String, Error> {
        let bare = name.trim_start_matches('#');
        if looks_like_id(bare) {
            return Ok(bare.to_string());
        }
        let mut cursor = String::new();
        for _ in 0..MAX_PAGES {
            let mut args = vec![
                ("types", "public_channel,private_channel".to_string()),
                ("exclude_archived", "true".to_string()),
                ("limit", PAGE.to_string()),
            ];
            if !cursor.is_empty() {
                args.push(("cursor", cursor.clone()));
            }
            let answer = self.call("conversations.list", Body::Form(&args)).await?;
            let channels = answer["channels"].as_array().map(Vec::as_slice).unwrap_or_default();
            if let Some(found) = channels.iter().find(|c| c["name"] == bare) {
                return string_at(found, "conversations.list", &["id"]);
            }
            cursor = answer["response_metadata"]["next_cursor"].as_str().unwrap_or_default().to_string();
            if cursor.is_empty() {
                break;
            }
        }
        Err(Error::NoChannel(bare.to_string()))
    }
}

/// Whether `name` is a conversation id (`C…`, `G…`, `D…`: capitals and
/// digits) rather than a channel's name (lowercase).
pub fn looks_like_id(name: &str) -> bool {
    name.len() >= 9
        && name.starts_with(['C', 'G', 'D'])
        && name.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The string at `path` in `answer`, or an error naming the method.
fn string_at(answer: &Value, method: &str, path: &[&str]) -> Result<String, Error> {
    let mut at = answer;
    for key in path {
        at = &at[*key];
    }
    at.as_str()
        .map(str::to_string)
        .ok_or_else(|| Error::Answer { method: method.into(), message: format!("no `{}`", path.join(".")) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_told_from_names() {
        assert!(looks_like_id("C0123ABCD") && looks_like_id("D0GROVE0004"));
        assert!(!looks_like_id("general") && !looks_like_id("C0") && !looks_like_id("Cats-and-dogs"));
    }
}
