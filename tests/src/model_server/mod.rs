//! A scripted model server for tests: a real HTTP/1.1 server on 127.0.0.1
//! that answers each request with the next queued [`Reply`], in the exact
//! wire formats of the Anthropic Messages API and of OpenAI chat
//! completions.
//!
//! Why a real socket rather than a mocked client: the provider clients are
//! built on reqwest, and the bugs worth catching live in the wire layer —
//! SSE framing, chunked transfer, connection reuse, retry headers, streams
//! that stop halfway. The server uses plain blocking std threads (one per
//! connection), so tests need no async runtime and benches measure only the
//! client.
//!
//! Which format a reply is in is decided by its kind ([`Reply::anthropic`],
//! [`Reply::openai`], [`Reply::status`]); whether it streams (SSE) or comes
//! back as one JSON body is decided by the request's `"stream": true`, as
//! with the real APIs.
//!
//! The server records each request, and when it wrote each SSE event
//! ([`ModelServer::sent`]), so a benchmark can time how long a streamed
//! piece takes to reach whatever shows it.
//!
//! ```no_run
//! use grove_tests::model_server::{ModelServer, Reply};
//! use serde_json::json;
//!
//! let server = ModelServer::start(vec![
//!     Reply::rate_limited(1),
//!     Reply::anthropic().text("Let me look.").tool_use("toolu_01", "read", json!({"path": "a.rs"})).into(),
//! ]);
//! // ... point the client at server.url(), run it ...
//! assert_eq!(server.remaining(), 0);
//! assert_eq!(server.requests()[1].header("x-api-key"), Some("test-key"));
//! ```

mod anthropic;
pub(crate) mod http;
mod openai;

use std::collections::VecDeque;
use std::io::{self, BufReader};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::{Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use crate::loopback::{Loopback, lock};

use serde_json::{Value, json};

pub use anthropic::AnthropicReply;
pub use openai::OpenAiReply;

/// The variables through which the official SDKs (and grove) find a
/// provider: clear them all before pointing grove at a test server, so the
/// developer's own key or endpoint never joins in.
pub const PROVIDER_VARS: [&str; 5] =
    ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL"];

/// A scripted HTTP server on `127.0.0.1:<random port>`. Dropping it stops
/// accepting, closes every open connection and joins the accept thread.
pub struct ModelServer {
    server: Loopback<Shared>,
}

/// One request as the server received it.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    /// `POST`, `GET`, ...
    pub method: String,
    /// The request target as sent, with any query: `/v1/messages`.
    pub path: String,
    /// In the order sent, names lowercased (HTTP names are case-insensitive).
    pub headers: Vec<(String, String)>,
    /// The body as JSON; `Null` if it was empty or not JSON.
    pub body: Value,
    /// The body as text (lossily decoded).
    pub raw_body: String,
}

/// One SSE event as the server sent it.
#[derive(Clone, Debug, PartialEq)]
pub struct Sent {
    /// The 1-based number of the request it answers.
    pub request: usize,
    /// When its write to the socket returned: the moment a client could
    /// first have it (benches measure how long it takes to show up).
    pub at: Instant,
    /// The whole event as written: `event: …\ndata: …\n\n`.
    pub event: String,
}

impl Sent {
    /// The event's data as JSON (`Null` for OpenAI's `[DONE]`).
    pub fn data(&self) -> Value {
        let data = self.event.lines().find_map(|line| line.strip_prefix("data: ")).unwrap_or_default();
        serde_json::from_str(data).unwrap_or(Value::Null)
    }
}

impl Recorded {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// What the server answers one request with.
#[derive(Clone, Debug)]
pub enum Reply {
    /// An Anthropic Messages API response (build with [`Reply::anthropic`]).
    Anthropic(AnthropicReply),
    /// An OpenAI chat-completions response (build with [`Reply::openai`]).
    OpenAi(OpenAiReply),
    /// A plain JSON response with any status, for errors.
    Status { code: u16, body: Value, headers: Vec<(String, String)> },
}

impl Reply {
    /// An Anthropic message; add blocks with the builder, then `.into()`.
    pub fn anthropic() -> AnthropicReply {
        AnthropicReply::default()
    }

    /// An OpenAI chat completion; add content with the builder, then `.into()`.
    pub fn openai() -> OpenAiReply {
        OpenAiReply::default()
    }

    /// A plain `code` response with a JSON `body`.
    pub fn status(code: u16, body: Value) -> Reply {
        Reply::Status { code, body, headers: Vec::new() }
    }

    /// Add a response header (to any kind of reply).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Reply {
        let header = (name.into(), value.into());
        match &mut self {
            Reply::Anthropic(reply) => reply.playback.headers.push(header),
            Reply::OpenAi(reply) => reply.playback.headers.push(header),
            Reply::Status { headers, .. } => headers.push(header),
        }
        self
    }

    /// Anthropic's 429, with `retry-after: <retry_after_secs>`.
    pub fn rate_limited(retry_after_secs: u64) -> Reply {
        Reply::status(
            429,
            anthropic_error(
                "rate_limit_error",
                "Number of request tokens has exceeded your per-minute rate limit",
            ),
        )
        .header("retry-after", retry_after_secs.to_string())
    }

    /// Anthropic's 529 (the API is temporarily overloaded).
    pub fn overloaded() -> Reply {
        Reply::status(529, anthropic_error("overloaded_error", "Overloaded"))
    }

    /// An OpenAI-shaped error: `{"error":{"message","type","param","code"}}`.
    pub fn openai_error(code: u16, type_: &str, message: &str) -> Reply {
        Reply::status(
            code,
            json!({"error": {"message": message, "type": type_, "param": null, "code": null}}),
        )
    }
}

impl From<AnthropicReply> for Reply {
    fn from(reply: AnthropicReply) -> Reply {
        Reply::Anthropic(reply)
    }
}

impl From<OpenAiReply> for Reply {
    fn from(reply: OpenAiReply) -> Reply {
        Reply::OpenAi(reply)
    }
}

impl ModelServer {
    /// Start on `127.0.0.1:0` with `replies` served in order, one per request.
    pub fn start(replies: Vec<Reply>) -> ModelServer {
        let state =
            State { replies: replies.into(), routes: Vec::new(), requests: Vec::new(), sent: Vec::new() };
        let shared = |_| Shared { state: Mutex::new(state) };
        ModelServer { server: Loopback::start("model-server", shared, serve_connection) }
    }

    /// `http://127.0.0.1:PORT` (no trailing slash): the base URL for a client.
    pub fn url(&self) -> String {
        format!("http://{}", self.server.addr())
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Queue another reply after those already queued.
    pub fn push(&self, reply: Reply) {
        self.server.state().state().replies.push_back(reply);
    }

    /// Answer the requests whose body contains `key` with `replies`, in
    /// order, before the common queue: for clients that run in parallel
    /// (sub-sessions) and must each get their own script. Routes are
    /// tried in the order they were added; an emptied one falls back to
    /// the common queue.
    pub fn route(&self, key: impl Into<String>, replies: Vec<Reply>) {
        self.server.state().state().routes.push((key.into(), replies.into()));
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.server.state().state().requests.clone()
    }

    /// How many replies are still queued, routed ones included.
    pub fn remaining(&self) -> usize {
        let state = self.server.state().state();
        state.replies.len() + state.routes.iter().map(|(_, r)| r.len()).sum::<usize>()
    }

    /// Every SSE event sent so far, in the order written.
    pub fn sent(&self) -> Vec<Sent> {
        self.server.state().state().sent.clone()
    }
}

/// What the connection threads share with the handle.
struct Shared {
    state: Mutex<State>,
}

/// Replies and requests under one lock, so the n-th request recorded is
/// the one that got the n-th reply even when clients race.
struct State {
    replies: VecDeque<Reply>,
    /// Replies for the requests whose body contains the key.
    routes: Vec<(String, VecDeque<Reply>)>,
    requests: Vec<Recorded>,
    sent: Vec<Sent>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Record `request` and take the reply for it; returns its 1-based number.
    fn take(&self, request: Recorded) -> (usize, Option<Reply>) {
        let mut state = self.state();
        let routed = state
            .routes
            .iter_mut()
            .find(|(key, replies)| !replies.is_empty() && request.raw_body.contains(key.as_str()))
            .and_then(|(_, replies)| replies.pop_front());
        state.requests.push(request);
        let reply = routed.or_else(|| state.replies.pop_front());
        (state.requests.len(), reply)
    }
}

/// Serve requests on one connection until the client closes it, asks to
/// close it, sends something unreadable, or a reply cuts it.
fn serve_connection(mut stream: TcpStream, shared: &Shared) {
    let Ok(read_half) = stream.try_clone() else { return };
    let mut reader = BufReader::new(read_half);
    loop {
        let request = match http::read_request(&mut reader, &mut stream) {
            Ok(Some(request)) => request,
            Ok(None) | Err(_) => return,
        };
        let close = request.close;
        let recorded = request.into_recorded();
        let ctx = Ctx::new(&recorded);
        let (n, reply) = shared.take(recorded);
        match respond(&mut stream, shared, Ctx { n, ..ctx }, reply, close) {
            Ok(Next::KeepAlive) if !close => continue,
            Ok(Next::Cut) => {
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
            _ => return,
        }
    }
}

/// What the request asked for that shapes the reply.
struct Ctx {
    /// The request's 1-based number, for ids.
    n: usize,
    /// `"stream": true`.
    stream: bool,
    /// The request's `"model"`, echoed back like the real APIs do.
    model: Option<String>,
    /// OpenAI's `"stream_options": {"include_usage": true}`.
    include_usage: bool,
}

impl Ctx {
    fn new(request: &Recorded) -> Ctx {
        let body = &request.body;
        Ctx {
            n: 0,
            stream: body["stream"] == json!(true),
            model: body["model"].as_str().map(str::to_owned),
            include_usage: body["stream_options"]["include_usage"] == json!(true),
        }
    }
}

/// How a connection goes on after a response.
enum Next {
    KeepAlive,
    /// Shut the socket down now, without ending the response.
    Cut,
}

/// How a scripted reply is delivered, shared by both API kinds.
#[derive(Clone, Debug, Default)]
struct Playback {
    /// Streams: close after this many events. Plain bodies: send the
    /// headers and half the body, then close.
    cut_after: Option<usize>,
    /// Streams: before each event. Plain bodies: once, before the response.
    delay: Duration,
    /// Extra response headers.
    headers: Vec<(String, String)>,
}

fn respond(
    out: &mut TcpStream,
    shared: &Shared,
    ctx: Ctx,
    reply: Option<Reply>,
    close: bool,
) -> io::Result<Next> {
    let request_id = ("request-id".to_owned(), format!("req_{}", ctx.n));
    let (playback, plain, events) = match reply {
        None => {
            let body = anthropic_error("api_error", "model server: no reply scripted for this request");
            (Playback::default(), Some((500, body)), Vec::new())
        }
        Some(Reply::Status { code, body, headers }) => {
            (Playback { headers, ..Playback::default() }, Some((code, body)), Vec::new())
        }
        Some(Reply::Anthropic(reply)) if ctx.stream => (reply.playback.clone(), None, reply.events(&ctx)),
        Some(Reply::Anthropic(reply)) => (reply.playback.clone(), Some((200, reply.body(&ctx))), Vec::new()),
        Some(Reply::OpenAi(reply)) if ctx.stream => (reply.playback.clone(), None, reply.events(&ctx)),
        Some(Reply::OpenAi(reply)) => (reply.playback.clone(), Some((200, reply.body(&ctx))), Vec::new()),
    };

    if let Some((code, body)) = plain {
        thread::sleep(playback.delay);
        let mut headers = vec![("content-type".to_owned(), "application/json".to_owned()), request_id];
        headers.extend(playback.headers);
        if close {
            headers.push(("connection".to_owned(), "close".to_owned()));
        }
        let body = body.to_string();
        return match playback.cut_after {
            None => http::write_plain(out, code, &headers, body.as_bytes()).map(|()| Next::KeepAlive),
            Some(_) => {
                http::write_truncated(out, code, &headers, body.as_bytes())?;
                Ok(Next::Cut)
            }
        };
    }

    let mut headers = vec![
        ("content-type".to_owned(), "text/event-stream".to_owned()),
        ("cache-control".to_owned(), "no-cache".to_owned()),
        request_id,
    ];
    headers.extend(playback.headers);
    let mut stream = http::Chunked::start(out, 200, &headers)?;
    for (written, event) in events.iter().enumerate() {
        if playback.cut_after == Some(written) {
            return Ok(Next::Cut);
        }
        thread::sleep(playback.delay);
        stream.chunk(event.as_bytes())?;
        let sent = Sent { request: ctx.n, at: Instant::now(), event: event.clone() };
        shared.state().sent.push(sent);
    }
    if playback.cut_after == Some(events.len()) {
        return Ok(Next::Cut);
    }
    stream.finish()?;
    Ok(Next::KeepAlive)
}

/// Anthropic's error body: `{"type":"error","error":{"type","message"}}`.
fn anthropic_error(kind: &str, message: &str) -> Value {
    json!({"type": "error", "error": {"type": kind, "message": message}})
}

/// `text` in pieces of `words` words each (whitespace stays with the word
/// before it), so the pieces concatenate back to `text`; streamed text
/// arrives in fragments like this from the real APIs.
fn word_pieces(text: &str, words: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let (mut start, mut seen, mut after_space) = (0, 0, true);
    for (i, c) in text.char_indices() {
        if !c.is_whitespace() && after_space {
            if seen == words {
                pieces.push(&text[start..i]);
                (start, seen) = (i, 0);
            }
            seen += 1;
        }
        after_space = c.is_whitespace();
    }
    if start < text.len() {
        pieces.push(&text[start..]);
    }
    pieces
}

/// `json` in up to three pieces cut anywhere (even inside a string), the
/// way the real APIs stream tool arguments: clients must concatenate
/// before parsing.
fn json_pieces(json: &str) -> Vec<&str> {
    let boundary = |mut at: usize| {
        while !json.is_char_boundary(at) {
            at += 1;
        }
        at
    };
    let (a, b) = (boundary(json.len() / 3), boundary(json.len() * 2 / 3));
    [&json[..a], &json[a..b], &json[b..]].into_iter().filter(|piece| !piece.is_empty()).collect()
}

#[cfg(test)]
mod tests;
