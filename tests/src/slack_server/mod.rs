//! A Slack Web API server for tests: real HTTP/1.1 on `127.0.0.1:<random
//! port>`, answering the methods grove calls the way Slack's documentation
//! says they answer (<https://api.slack.com/methods>): every method HTTP 200
//! with `{"ok":true,…}` or `{"ok":false,"error":"…"}`, the bearer token
//! checked on each call (`not_authed`, `invalid_auth`, `token_revoked`),
//! `429` with `Retry-After` when a test asks for it, cursor pagination
//! (`response_metadata.next_cursor`) where a method pages, and the
//! three-step file upload with its upload URL on this same server.
//!
//! It records what it received, so tests assert on what a person would
//! see: the messages of each conversation and the bytes of each file.
//!
//! ```no_run
//! use grove_tests::slack_server::SlackServer;
//!
//! let slack = SlackServer::start("xoxb-test");
//! let alice = slack.add_user("alice@example.com", "alice");
//! slack.add_channel("oncall");
//! // ... point grove at slack.url() with SLACK_BOT_TOKEN=xoxb-test ...
//! let dm = slack.dm_of(&alice).unwrap();
//! assert_eq!(slack.messages_in(&dm).len(), 1);
//! ```

mod args;
mod methods;

use std::io::BufReader;
use std::net::TcpStream;
use std::sync::Mutex;

use serde_json::Value;

use crate::loopback::{Loopback, lock};
use crate::model_server::http;

/// A message as it was posted in a conversation.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// The conversation's id (`C…`, `D…`).
    pub channel: String,
    /// The `text` argument (the fallback, or a file's `initial_comment`).
    pub text: String,
    /// The `blocks` argument, `Null` when none were sent.
    pub blocks: Value,
    pub ts: String,
    /// The ids of files shared with it (`files.completeUploadExternal`).
    pub files: Vec<String>,
    /// Every argument of the call, for the rest (`link_names`, `unfurl_links`…).
    pub args: Value,
}

/// A file uploaded by the three steps and shared (or kept private).
#[derive(Clone, Debug, PartialEq)]
pub struct Upload {
    pub file_id: String,
    /// The `filename` of `files.getUploadURLExternal`.
    pub filename: String,
    /// The `length` it announced.
    pub length: u64,
    /// The bytes POSTed to the upload URL.
    pub bytes: Vec<u8>,
    /// The `title` of `files.completeUploadExternal`.
    pub title: Option<String>,
    /// The conversation it was shared in; `None` keeps it private.
    pub channel: Option<String>,
    pub initial_comment: Option<String>,
    /// The `Authorization` header sent with the bytes (the upload URL
    /// needs none).
    pub upload_authorization: Option<String>,
}

/// One call of a Web API method.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// `chat.postMessage`, …
    pub method: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    /// The arguments as read.
    pub args: Value,
    /// The HTTP status and body of the answer.
    pub status: u16,
    pub answer: Value,
}

/// The server. Dropping it stops accepting, closes open connections and
/// joins the accept thread.
pub struct SlackServer {
    server: Loopback<Mutex<State>>,
}

/// A member of the workspace.
#[derive(Clone, Debug)]
struct User {
    id: String,
    email: String,
    name: String,
}

/// A channel (public, the bot a member).
#[derive(Clone, Debug)]
struct Channel {
    id: String,
    name: String,
}

/// A file between `files.getUploadURLExternal` and its completion.
#[derive(Clone, Debug)]
struct Pending {
    key: String,
    upload: Upload,
    uploaded: bool,
}

/// Everything under one lock.
struct State {
    base: String,
    token: String,
    revoked: bool,
    users: Vec<User>,
    channels: Vec<Channel>,
    /// (user id, the direct-message conversation opened with them).
    dms: Vec<(String, String)>,
    messages: Vec<Message>,
    pending: Vec<Pending>,
    uploads: Vec<Upload>,
    /// (method, calls still to refuse, Retry-After seconds).
    limits: Vec<(String, usize, u64)>,
    calls: Vec<Call>,
    /// Most items a paged method returns at once, whatever `limit` asks.
    page_size: usize,
    next: u64,
}

impl State {
    /// A fresh id with `prefix` (`C`, `D`, `F`, `U`).
    fn id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}0GROVE{:04}", self.next)
    }

    /// The id of the conversation `name` names: an id this server made, or
    /// a channel's name with or without `#`.
    fn conversation(&self, name: &str) -> Option<String> {
        let bare = name.strip_prefix('#').unwrap_or(name);
        if let Some(c) = self.channels.iter().find(|c| c.id == name || c.name == bare) {
            return Some(c.id.clone());
        }
        self.dms.iter().find(|(_, dm)| dm == name).map(|(_, dm)| dm.clone())
    }
}

impl SlackServer {
    /// Start on `127.0.0.1:0`, accepting the bot token `token`.
    pub fn start(token: &str) -> SlackServer {
        let state = |addr| {
            Mutex::new(State {
                base: format!("http://{addr}"),
                token: token.to_string(),
                revoked: false,
                users: Vec::new(),
                channels: Vec::new(),
                dms: Vec::new(),
                messages: Vec::new(),
                pending: Vec::new(),
                uploads: Vec::new(),
                limits: Vec::new(),
                calls: Vec::new(),
                page_size: 100,
                next: 0,
            })
        };
        SlackServer { server: Loopback::start("slack-server", state, serve_connection) }
    }

    /// The Web API's base URL, `http://127.0.0.1:PORT/api` (Slack's is
    /// `https://slack.com/api`).
    pub fn url(&self) -> String {
        format!("http://{}/api", self.server.addr())
    }

    /// Add a member with `email`; their user id (`U…`).
    pub fn add_user(&self, email: &str, name: &str) -> String {
        let mut state = lock(self.server.state());
        let id = state.id("U");
        state.users.push(User { id: id.clone(), email: email.into(), name: name.into() });
        id
    }

    /// Add a public channel `name` (without `#`) the bot is in; its id (`C…`).
    pub fn add_channel(&self, name: &str) -> String {
        let mut state = lock(self.server.state());
        let id = state.id("C");
        state.channels.push(Channel { id: id.clone(), name: name.trim_start_matches('#').into() });
        id
    }

    /// Answer the next `times` calls of `method` with `429 Too Many
    /// Requests` and `Retry-After: retry_after` (seconds).
    pub fn rate_limit(&self, method: &str, times: usize, retry_after: u64) {
        lock(self.server.state()).limits.push((method.into(), times, retry_after));
    }

    /// Revoke the token: every later call answers `token_revoked`.
    pub fn revoke(&self) {
        lock(self.server.state()).revoked = true;
    }

    /// Page lists `size` items at a time.
    pub fn page_size(&self, size: usize) {
        lock(self.server.state()).page_size = size.max(1);
    }

    /// The messages posted in `conversation` (an id, or a channel's name).
    pub fn messages_in(&self, conversation: &str) -> Vec<Message> {
        let state = lock(self.server.state());
        let id = state.conversation(conversation).unwrap_or_else(|| conversation.to_string());
        state.messages.iter().filter(|m| m.channel == id).cloned().collect()
    }

    /// Every message posted, in order.
    pub fn messages(&self) -> Vec<Message> {
        lock(self.server.state()).messages.clone()
    }

    /// The direct-message conversation opened with user `user_id`, if one was.
    pub fn dm_of(&self, user_id: &str) -> Option<String> {
        lock(self.server.state()).dms.iter().find(|(u, _)| u == user_id).map(|(_, dm)| dm.clone())
    }

    /// The files completed so far, in order.
    pub fn uploads(&self) -> Vec<Upload> {
        lock(self.server.state()).uploads.clone()
    }

    /// Every Web API call received, in order.
    pub fn calls(&self) -> Vec<Call> {
        lock(self.server.state()).calls.clone()
    }

    /// The names of the methods called, in order.
    pub fn methods(&self) -> Vec<String> {
        self.calls().into_iter().map(|c| c.method).collect()
    }
}

fn serve_connection(mut stream: TcpStream, state: &Mutex<State>) {
    let Ok(read_half) = stream.try_clone() else { return };
    let mut reader = BufReader::new(read_half);
    loop {
        let request = match http::read_request(&mut reader, &mut stream) {
            Ok(Some(request)) => request,
            Ok(None) | Err(_) => return,
        };
        let close = request.close;
        let (status, mut headers, body) = methods::answer(&mut lock(state), &request);
        if close {
            headers.push(("connection".into(), "close".into()));
        }
        if http::write_plain(&mut stream, status, &headers, &body).is_err() || close {
            return;
        }
    }
}

#[cfg(test)]
mod tests;
