//! A session's transcript: the append-only stream of what happened in it.
//! The model's text as it streams, each tool call and its result, each
//! gate decision and approval, commits, programs run, cost, and what the
//! human said. It lives in the session store's `events` table beside the
//! session's life events (created, started, done, …), so `grove logs`,
//! `grove dash` and `grove attach` render one stream, and it survives
//! crashes.
//!
//! The host writes it, never the skill: a skill cannot forge what the
//! model said or hide a denial. Everything in it is untrusted text (the
//! model's, a program's); [`render`] escapes it before it reaches a
//! terminal.

pub mod render;
mod store;
mod writer;

pub use crate::text::sanitize;
pub use render::{Line, Renderer, Span, Tone};
pub use store::{Message, StoredEvent};
pub use writer::Transcript;

/// Characters of a tool result kept in the event itself; the whole of a
/// longer one is kept in a file beside the store.
pub const RESULT_CAP: usize = 2_000;

/// The kinds of event, as stored in `events.kind`.
pub mod kind {
    /// A piece of the model's answer text, as it streamed in.
    pub const TEXT: &str = "text";
    /// One model answer finished: model, stop reason, tokens, cost so far.
    pub const ANSWER: &str = "answer";
    /// A model call failed and is retried.
    pub const RETRY: &str = "retry";
    /// A tool call the model made: `{id, name, input}`.
    pub const TOOL: &str = "tool";
    /// What a tool call answered: `{id, name, content, is_error, bytes, full}`.
    pub const RESULT: &str = "result";
    /// A gate decision: `{capability, verb, target, decision, level, reasons, decided_by}`.
    pub const GATE: &str = "gate";
    /// An approval asked for or answered: `{id, state, …}`; the session's
    /// approval queue writes them.
    pub const APPROVAL: &str = crate::session::approver::EVENT;
    /// A commit the skill made: `{id, message}`.
    pub const COMMIT: &str = "commit";
    /// A program the skill ran: `{command, code, duration_ms, timed_out}`;
    /// or one it started to keep running: `{command, started, serves}`.
    pub const PROCESS: &str = "process";
    /// A request the skill sent, or one hop of it:
    /// `{method, url, status, bytes, duration_ms, error}`.
    pub const HTTP: &str = "http";
    /// Evidence the skill added to the bundle: `{kind, caption, file, size}`.
    pub const EVIDENCE: &str = "evidence";
    /// A message or file the skill sent people (`notify`):
    /// `{verb, to, conversation, file?}`.
    pub const NOTIFY: &str = "notify";
    /// A log line of the skill: `{level, message}`.
    pub const LOG: &str = "log";
    /// A message from the human (`grove tell`, `grove attach`): `{text}`.
    pub const USER: &str = "user";
    /// A sub-session the skill spawned: `{name, skill, budget?, asked?}`;
    /// `asked` when it asked for more budget than was left to give.
    pub const SPAWN: &str = "spawn";
    /// A step the runner performs after the skill (`session::follow_up`):
    /// `{step, state, note?, by_hand?}`, once as it starts and once as it
    /// ends.
    pub const FOLLOW_UP: &str = "follow-up";
}
