//! Sharing a file the way Slack now asks (the old `files.upload` is
//! retired): `files.getUploadURLExternal` (name and length: an upload URL
//! and a file id), the bytes POSTed to that URL, then
//! `files.completeUploadExternal` to share the file in a conversation with
//! a comment.

use serde_json::json;

use super::client::{Body, Slack};
use super::error::{Error, MAX_FILE};
use super::mrkdwn::Mrkdwn;

/// A file to share.
#[derive(Debug, Clone)]
pub struct File<'a> {
    /// Its name, as Slack shows it.
    pub name: &'a str,
    pub bytes: &'a [u8],
    /// Its title; the name when empty.
    pub title: &'a str,
}

impl Slack {
    /// Share `file` in `conversation` (an id) with `comment`; the file's id.
    pub async fn upload(
        &self,
        conversation: &str,
        file: File<'_>,
        comment: &Mrkdwn,
    ) -> Result<String, Error> {
        if file.bytes.len() as u64 > MAX_FILE {
            return Err(Error::TooLarge { what: file.name.to_string() });
        }
        if file.bytes.is_empty() {
            return Err(Error::Invalid(format!("{} is empty: Slack takes no empty file", file.name)));
        }
        let args = [("filename", file.name.to_string()), ("length", file.bytes.len().to_string())];
        let answer = self.call("files.getUploadURLExternal", Body::Form(&args)).await?;
        let missing = |what: &str| Error::Answer {
            method: "files.getUploadURLExternal".into(),
            message: format!("no `{what}`"),
        };
        let url = answer["upload_url"].as_str().ok_or_else(|| missing("upload_url"))?;
        let id = answer["file_id"].as_str().ok_or_else(|| missing("file_id"))?.to_string();
        self.put_bytes(url, file.name, file.bytes.to_vec()).await?;
        let title = if file.title.is_empty() { file.name } else { file.title };
        let mut args = json!({
            "files": [{"id": id, "title": title}],
            "channel_id": conversation,
        });
        if !comment.is_empty() {
            args["initial_comment"] = json!(comment.as_str());
        }
        self.call("files.completeUploadExternal", Body::Json(&args)).await?;
        Ok(id)
    }
}
