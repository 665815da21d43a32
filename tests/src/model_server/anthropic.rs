//! Anthropic Messages API replies: one `message` JSON body, or the SSE
//! stream `message_start`, `ping`, per block `content_block_start` /
//! `content_block_delta`... / `content_block_stop`, `message_delta`,
//! `message_stop`.

use std::time::Duration;

use serde_json::{Value, json};

use super::{Ctx, Playback, json_pieces, word_pieces};

/// The model named when the request names none.
const DEFAULT_MODEL: &str = "claude-test";
/// Words per `text_delta`.
const WORDS_PER_DELTA: usize = 3;

/// A scripted Anthropic message; start with [`Reply::anthropic`](super::Reply::anthropic).
///
/// Usage defaults to 10 input and 5 output tokens (not zero, so accounting
/// that drops a field shows), no cache; the model defaults to the one the
/// request asked for.
#[derive(Clone, Debug)]
pub struct AnthropicReply {
    blocks: Vec<Block>,
    stop: Option<String>,
    input_tokens: u64,
    output_tokens: u64,
    cache_read: u64,
    cache_write: u64,
    model: Option<String>,
    error: Option<(String, String)>,
    pub(super) playback: Playback,
}

#[derive(Clone, Debug)]
enum Block {
    Text(String),
    ToolUse { id: String, name: String, input: Value },
}

impl Default for AnthropicReply {
    fn default() -> Self {
        AnthropicReply {
            blocks: Vec::new(),
            stop: None,
            input_tokens: 10,
            output_tokens: 5,
            cache_read: 0,
            cache_write: 0,
            model: None,
            error: None,
            playback: Playback::default(),
        }
    }
}

impl AnthropicReply {
    /// Add a text block.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.blocks.push(Block::Text(text.into()));
        self
    }

    /// Add a `tool_use` block (`id` like `toolu_01...`).
    pub fn tool_use(mut self, id: impl Into<String>, name: impl Into<String>, input: Value) -> Self {
        self.blocks.push(Block::ToolUse { id: id.into(), name: name.into(), input });
        self
    }

    /// The `stop_reason`; by default `tool_use` if there is a tool use
    /// block, else `end_turn`.
    pub fn stop(mut self, reason: impl Into<String>) -> Self {
        self.stop = Some(reason.into());
        self
    }

    /// `input_tokens` and `output_tokens`.
    pub fn usage(mut self, input_tokens: u64, output_tokens: u64) -> Self {
        (self.input_tokens, self.output_tokens) = (input_tokens, output_tokens);
        self
    }

    /// `cache_read_input_tokens` and `cache_creation_input_tokens`.
    pub fn cache(mut self, read: u64, write: u64) -> Self {
        (self.cache_read, self.cache_write) = (read, write);
        self
    }

    /// The `model` reported, instead of the one requested.
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// Streams: shut the connection down after `events` SSE events (the
    /// `ping` counts), without ending the chunked body. With `events` equal
    /// to the whole stream, every event arrives but the body never ends.
    /// Plain bodies: send the head and half the body, then shut down.
    pub fn cut_after(mut self, events: usize) -> Self {
        self.playback.cut_after = Some(events);
        self
    }

    /// Wait this long before each SSE event (plain bodies: once, before
    /// the response), to test timeouts and incremental delivery.
    pub fn delay_ms(mut self, ms: u64) -> Self {
        self.playback.delay = Duration::from_millis(ms);
        self
    }

    /// Streams: after the content blocks, send `event: error` with
    /// `{"type":"error","error":{"type":kind,"message":message}}` in place
    /// of `message_delta` and `message_stop` (the body then ends normally),
    /// as when the API overloads mid-stream. Plain bodies ignore it.
    pub fn error_event(mut self, kind: impl Into<String>, message: impl Into<String>) -> Self {
        self.error = Some((kind.into(), message.into()));
        self
    }

    /// Add a response header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.playback.headers.push((name.into(), value.into()));
        self
    }

    fn stop_reason(&self) -> &str {
        match &self.stop {
            Some(stop) => stop,
            None if self.blocks.iter().any(|b| matches!(b, Block::ToolUse { .. })) => "tool_use",
            None => "end_turn",
        }
    }

    fn model_for<'a>(&'a self, ctx: &'a Ctx) -> &'a str {
        self.model.as_deref().or(ctx.model.as_deref()).unwrap_or(DEFAULT_MODEL)
    }

    /// The non-streaming response body.
    pub(super) fn body(&self, ctx: &Ctx) -> Value {
        let content: Vec<Value> = self
            .blocks
            .iter()
            .map(|block| match block {
                Block::Text(text) => json!({"type": "text", "text": text}),
                Block::ToolUse { id, name, input } => {
                    json!({"type": "tool_use", "id": id, "name": name, "input": input})
                }
            })
            .collect();
        json!({
            "id": message_id(ctx),
            "type": "message",
            "role": "assistant",
            "model": self.model_for(ctx),
            "content": content,
            "stop_reason": self.stop_reason(),
            "stop_sequence": null,
            "usage": {
                "input_tokens": self.input_tokens,
                "output_tokens": self.output_tokens,
                "cache_creation_input_tokens": self.cache_write,
                "cache_read_input_tokens": self.cache_read,
            },
        })
    }

    /// The streaming response: each element one whole SSE event.
    pub(super) fn events(&self, ctx: &Ctx) -> Vec<String> {
        let mut events = vec![
            sse(json!({
                "type": "message_start",
                "message": {
                    "id": message_id(ctx),
                    "type": "message",
                    "role": "assistant",
                    "model": self.model_for(ctx),
                    "content": [],
                    "stop_reason": null,
                    "stop_sequence": null,
                    "usage": {
                        "input_tokens": self.input_tokens,
                        "output_tokens": 1,
                        "cache_creation_input_tokens": self.cache_write,
                        "cache_read_input_tokens": self.cache_read,
                    },
                },
            })),
            sse(json!({"type": "ping"})),
        ];
        for (index, block) in self.blocks.iter().enumerate() {
            let (start, deltas): (Value, Vec<Value>) = match block {
                Block::Text(text) => (
                    json!({"type": "text", "text": ""}),
                    word_pieces(text, WORDS_PER_DELTA)
                        .into_iter()
                        .map(|piece| json!({"type": "text_delta", "text": piece}))
                        .collect(),
                ),
                Block::ToolUse { id, name, input } => {
                    let json = input.to_string();
                    // The API sends a single empty piece for empty input.
                    let pieces = if json == "{}" { vec![""] } else { json_pieces(&json) };
                    (
                        json!({"type": "tool_use", "id": id, "name": name, "input": {}}),
                        pieces
                            .into_iter()
                            .map(|piece| json!({"type": "input_json_delta", "partial_json": piece}))
                            .collect(),
                    )
                }
            };
            events.push(sse(json!({"type": "content_block_start", "index": index, "content_block": start})));
            for delta in deltas {
                events.push(sse(json!({"type": "content_block_delta", "index": index, "delta": delta})));
            }
            events.push(sse(json!({"type": "content_block_stop", "index": index})));
        }
        match &self.error {
            Some((kind, message)) => events.push(sse(super::anthropic_error(kind, message))),
            None => {
                events.push(sse(json!({
                    "type": "message_delta",
                    "delta": {"stop_reason": self.stop_reason(), "stop_sequence": null},
                    "usage": {"output_tokens": self.output_tokens},
                })));
                events.push(sse(json!({"type": "message_stop"})));
            }
        }
        events
    }
}

fn message_id(ctx: &Ctx) -> String {
    format!("msg_01Scripted{:010}", ctx.n)
}

/// `event: <type>\ndata: <json>\n\n`: the event name is the data's `type`.
fn sse(data: Value) -> String {
    let name = data["type"].as_str().unwrap_or("message").to_owned();
    format!("event: {name}\ndata: {data}\n\n")
}
