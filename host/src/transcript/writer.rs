//! Writing the transcript while a skill runs. One [`Transcript`] per run,
//! shared by the capabilities and the gate: in a session it appends to the
//! session store; in the foreground it renders to the terminal as events
//! happen (both, for `grove run --session`). Failing to write it never
//! fails the skill's action: the audit log is the record that must hold.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};

use super::render::{Renderer, to_ansi};
use super::{RESULT_CAP, kind};
use crate::providers::Spend;
use crate::providers::chat::{Block, ChatRequest, ChatResponse, Message, Role};
use crate::session::{Event, Store, StoreError};

/// A run's transcript. Cheap to clone: clones write to the same stream.
#[derive(Clone)]
pub struct Transcript(Arc<Mutex<Inner>>);

impl std::fmt::Debug for Transcript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Transcript")
    }
}

struct Inner {
    session: Option<SessionSink>,
    terminal: Option<Renderer>,
    color: bool,
    /// Tool calls the model made whose results have not come back yet:
    /// id → tool name.
    calls: Vec<(String, String)>,
}

struct SessionSink {
    store: Store,
    id: i64,
    name: String,
    /// Where whole tool results too long for an event are kept.
    files: PathBuf,
    written: u64,
    /// The store refused a write once: said, and not said again.
    warned: bool,
}

impl Transcript {
    /// The transcript of session `name`, kept in the store under `git_dir`.
    pub fn for_session(git_dir: &Path, name: &str) -> Result<Transcript, StoreError> {
        let store = Store::open(git_dir)?;
        store.defer_checkpoints()?;
        let id = store.session_id(name)?;
        let files = crate::session::runner::transcript_dir(git_dir, id);
        let sink = SessionSink { store, id, name: name.to_string(), files, written: 0, warned: false };
        Ok(Transcript::new(Some(sink), None))
    }

    /// A transcript shown on stderr as it happens: the foreground view of
    /// a run. `verbose` shows every gate decision and token count.
    pub fn terminal(verbose: bool) -> Transcript {
        Transcript::new(None, Some(Renderer::new(None, verbose)))
    }

    /// Also show this session's transcript on stderr.
    pub fn with_terminal(self, verbose: bool) -> Transcript {
        self.lock().terminal = Some(Renderer::new(None, verbose));
        self
    }

    fn new(session: Option<SessionSink>, terminal: Option<Renderer>) -> Transcript {
        let color = std::io::stderr().is_terminal() && std::env::var_os(crate::env::NO_COLOR).is_none();
        Transcript(Arc::new(Mutex::new(Inner { session, terminal, color, calls: Vec::new() })))
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether model text shows on the terminal as it streams (then a
    /// progress line would only fight with it).
    pub fn on_terminal(&self) -> bool {
        self.lock().terminal.is_some()
    }

    /// Append one event.
    pub fn record(&self, kind: &str, data: Value) {
        self.lock().record(kind, data);
    }

    /// A piece of the model's answer, as it arrives.
    pub fn text(&self, piece: &str) {
        if !piece.is_empty() {
            self.record(kind::TEXT, json!({ "text": piece }));
        }
    }

    /// A request is about to go out: the results of the calls the model
    /// made last turn are in it.
    pub fn request(&self, request: &ChatRequest) {
        let mut inner = self.lock();
        if inner.calls.is_empty() {
            return;
        }
        let Some(last) = request.messages.last().filter(|m| m.role == Role::User) else { return };
        for block in &last.content {
            if let Block::ToolResult { id, content, is_error } = block
                && let Some(at) = inner.calls.iter().position(|(call, _)| call == id)
            {
                let (_, name) = inner.calls.remove(at);
                let data = inner.result(id, &name, content, *is_error);
                inner.record(kind::RESULT, data);
            }
        }
    }

    /// The model answered: what it cost, and the tools it called. In a
    /// session, the conversation is kept so it can go on later.
    pub fn answer(&self, request: &ChatRequest, response: &ChatResponse, spend: &Spend) {
        let mut inner = self.lock();
        let u = &response.usage;
        inner.record(
            kind::ANSWER,
            json!({
                "model": response.model,
                "stop": response.stop,
                "input_tokens": u.input_tokens,
                "output_tokens": u.output_tokens,
                "cache_read_tokens": u.cache_read_tokens,
                "cache_write_tokens": u.cache_write_tokens,
                "cost_usd": spend.cost_usd,
                "calls": spend.calls,
            }),
        );
        for block in &response.content {
            if let Block::ToolUse { id, name, input } = block {
                inner.calls.push((id.clone(), name.clone()));
                inner.record(kind::TOOL, json!({ "id": id, "name": name, "input": input.to_string() }));
            }
        }
        if let Some(sink) = &mut inner.session
            && let Err(e) = sink.store.checkpoint()
        {
            sink.warn(&e);
        }
        // The skill's main conversation is the one that offers tools; a
        // summary request on the side must not replace it.
        if !request.tools.is_empty()
            && let Some(sink) = &mut inner.session
        {
            let mut messages: Vec<&Message> = request.messages.iter().collect();
            let answer = Message { role: Role::Assistant, content: response.content.clone() };
            messages.push(&answer);
            let text = serde_json::to_string(&messages).expect("messages serialize");
            if let Err(e) = sink.store.save_conversation(sink.id, &text) {
                sink.warn(&e);
            }
        }
    }

    /// The conversation this session left off with, when it had one.
    pub fn history(&self) -> Option<Vec<Message>> {
        let inner = self.lock();
        let sink = inner.session.as_ref()?;
        let text = sink.store.conversation(sink.id).ok()??;
        match serde_json::from_str(&text) {
            Ok(messages) => Some(messages),
            Err(e) => {
                tracing::warn!(session = %sink.name, error = %e, "the kept conversation cannot be read");
                None
            }
        }
    }

    /// The run is over: end a line left open on the terminal, and say
    /// what the model's newest answer showed there, if anything.
    pub fn finish(&self) -> Option<String> {
        let mut inner = self.lock();
        if let Some(sink) = &inner.session {
            let _ = sink.store.checkpoint();
        }
        let color = inner.color;
        let renderer = inner.terminal.as_mut()?;
        let mut spans = Vec::new();
        renderer.close(&mut spans);
        let _ = std::io::stderr().lock().write_all(to_ansi(&spans, color).as_bytes());
        Some(renderer.last_text().to_string()).filter(|t| !t.trim().is_empty())
    }

    /// What the human said to this session since the last call.
    pub fn take_messages(&self) -> Vec<String> {
        let mut inner = self.lock();
        let Some(sink) = &mut inner.session else { return Vec::new() };
        match sink.store.take_messages(sink.id) {
            Ok(messages) => messages.into_iter().map(|m| m.text).collect(),
            Err(e) => {
                sink.warn(&e);
                Vec::new()
            }
        }
    }
}

impl Inner {
    fn record(&mut self, kind: &str, data: Value) {
        if let Some(sink) = &mut self.session
            && let Err(e) = sink.store.append(sink.id, kind, &data.to_string())
        {
            sink.warn(&e);
        }
        // Log lines reach the terminal through the console already.
        if let Some(renderer) = &mut self.terminal
            && kind != kind::LOG
        {
            let mut spans = Vec::new();
            renderer.render(&Event { id: 0, at: 0, kind: kind.to_string(), data }, &mut spans);
            if !spans.is_empty() {
                let mut err = std::io::stderr().lock();
                let _ = err.write_all(to_ansi(&spans, self.color).as_bytes());
                let _ = err.flush();
            }
        }
    }

    /// A tool result's event: capped, with the whole of a long one kept
    /// in a file beside the store.
    fn result(&mut self, id: &str, name: &str, content: &str, is_error: bool) -> Value {
        let mut data = json!({ "id": id, "name": name, "is_error": is_error, "bytes": content.len() });
        if content.len() <= RESULT_CAP {
            data["content"] = json!(content);
            return data;
        }
        let mut cut = RESULT_CAP;
        while !content.is_char_boundary(cut) {
            cut -= 1;
        }
        data["content"] = json!(&content[..cut]);
        if let Some(sink) = &mut self.session {
            sink.written += 1;
            let path = sink.files.join(format!("{}-{}.txt", crate::session::store::now_ms(), sink.written));
            let saved = std::fs::create_dir_all(&sink.files).and_then(|()| std::fs::write(&path, content));
            match saved {
                Ok(()) => data["full"] = json!(path.display().to_string()),
                Err(e) => tracing::warn!(path = %path.display(), error = %e, "could not keep a tool result"),
            }
        }
        data
    }
}

impl SessionSink {
    fn warn(&mut self, e: &StoreError) {
        if !self.warned {
            self.warned = true;
            tracing::warn!(session = %self.name, error = %e, "could not write the session's transcript");
        }
    }
}
