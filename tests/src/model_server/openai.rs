//! OpenAI chat-completions replies: one `chat.completion` JSON body, or
//! `data: <chat.completion.chunk>` SSE lines ending with `data: [DONE]`.

use std::time::Duration;

use serde_json::{Value, json};

use super::{Ctx, Playback, json_pieces, word_pieces};

/// The model named when the request names none.
const DEFAULT_MODEL: &str = "gpt-test";
/// The fixed `created` timestamp, so bodies are reproducible.
const CREATED: u64 = 1_700_000_000;
/// Words per content delta.
const WORDS_PER_DELTA: usize = 3;

/// A scripted OpenAI chat completion; start with [`Reply::openai`](super::Reply::openai).
///
/// Usage defaults to 10 prompt and 5 completion tokens; the model defaults
/// to the one the request asked for.
#[derive(Clone, Debug)]
pub struct OpenAiReply {
    text: Option<String>,
    tool_calls: Vec<ToolCall>,
    finish: Option<String>,
    prompt_tokens: u64,
    completion_tokens: u64,
    model: Option<String>,
    pub(super) playback: Playback,
}

#[derive(Clone, Debug)]
struct ToolCall {
    id: String,
    name: String,
    /// The arguments serialized, as the API sends them: a JSON string.
    arguments: String,
}

impl Default for OpenAiReply {
    fn default() -> Self {
        OpenAiReply {
            text: None,
            tool_calls: Vec::new(),
            finish: None,
            prompt_tokens: 10,
            completion_tokens: 5,
            model: None,
            playback: Playback::default(),
        }
    }
}

impl OpenAiReply {
    /// Add assistant text (calls append to the one `content` string).
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text.get_or_insert_default().push_str(&text.into());
        self
    }

    /// Add a function tool call (`id` like `call_...`).
    pub fn tool_call(mut self, id: impl Into<String>, name: impl Into<String>, args: Value) -> Self {
        self.tool_calls.push(ToolCall { id: id.into(), name: name.into(), arguments: args.to_string() });
        self
    }

    /// The `finish_reason`; by default `tool_calls` if there is a tool
    /// call, else `stop`.
    pub fn finish(mut self, reason: impl Into<String>) -> Self {
        self.finish = Some(reason.into());
        self
    }

    /// `prompt_tokens` and `completion_tokens` (`total_tokens` is their sum).
    pub fn usage(mut self, prompt_tokens: u64, completion_tokens: u64) -> Self {
        (self.prompt_tokens, self.completion_tokens) = (prompt_tokens, completion_tokens);
        self
    }

    /// The `model` reported, instead of the one requested.
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// Streams: shut the connection down after `events` `data:` lines
    /// (`[DONE]` counts), without ending the chunked body. Plain bodies:
    /// send the head and half the body, then shut down.
    pub fn cut_after(mut self, events: usize) -> Self {
        self.playback.cut_after = Some(events);
        self
    }

    /// Wait this long before each `data:` line (plain bodies: once, before
    /// the response).
    pub fn delay_ms(mut self, ms: u64) -> Self {
        self.playback.delay = Duration::from_millis(ms);
        self
    }

    /// Add a response header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.playback.headers.push((name.into(), value.into()));
        self
    }

    fn finish_reason(&self) -> &str {
        match &self.finish {
            Some(finish) => finish,
            None if !self.tool_calls.is_empty() => "tool_calls",
            None => "stop",
        }
    }

    fn model_for<'a>(&'a self, ctx: &'a Ctx) -> &'a str {
        self.model.as_deref().or(ctx.model.as_deref()).unwrap_or(DEFAULT_MODEL)
    }

    fn usage_json(&self) -> Value {
        json!({
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
        })
    }

    /// The non-streaming response body.
    pub(super) fn body(&self, ctx: &Ctx) -> Value {
        let mut message = json!({"role": "assistant", "content": self.text});
        if !self.tool_calls.is_empty() {
            let calls: Vec<Value> = self
                .tool_calls
                .iter()
                .map(|call| {
                    json!({
                        "id": call.id,
                        "type": "function",
                        "function": {"name": call.name, "arguments": call.arguments},
                    })
                })
                .collect();
            message["tool_calls"] = Value::Array(calls);
        }
        json!({
            "id": completion_id(ctx),
            "object": "chat.completion",
            "created": CREATED,
            "model": self.model_for(ctx),
            "choices": [{"index": 0, "message": message, "finish_reason": self.finish_reason()}],
            "usage": self.usage_json(),
        })
    }

    /// The streaming response: each element one whole `data:` line.
    pub(super) fn events(&self, ctx: &Ctx) -> Vec<String> {
        let (id, model) = (completion_id(ctx), self.model_for(ctx));
        let chunk = |delta: Value, finish: Value| {
            data(&json!({
                "id": id,
                "object": "chat.completion.chunk",
                "created": CREATED,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }))
        };
        let mut events = vec![chunk(json!({"role": "assistant", "content": ""}), Value::Null)];
        for piece in word_pieces(self.text.as_deref().unwrap_or(""), WORDS_PER_DELTA) {
            events.push(chunk(json!({"content": piece}), Value::Null));
        }
        for (index, call) in self.tool_calls.iter().enumerate() {
            events.push(chunk(
                json!({"tool_calls": [{
                    "index": index,
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": ""},
                }]}),
                Value::Null,
            ));
            for piece in json_pieces(&call.arguments) {
                events.push(chunk(
                    json!({"tool_calls": [{"index": index, "function": {"arguments": piece}}]}),
                    Value::Null,
                ));
            }
        }
        events.push(chunk(json!({}), json!(self.finish_reason())));
        if ctx.include_usage {
            events.push(data(&json!({
                "id": id,
                "object": "chat.completion.chunk",
                "created": CREATED,
                "model": model,
                "choices": [],
                "usage": self.usage_json(),
            })));
        }
        events.push("data: [DONE]\n\n".to_owned());
        events
    }
}

fn completion_id(ctx: &Ctx) -> String {
    format!("chatcmpl-scripted{:010}", ctx.n)
}

fn data(json: &Value) -> String {
    format!("data: {json}\n\n")
}
