//! The Anthropic Messages API: `POST {base}/v1/messages`, streamed as
//! server-sent events, with prompt caching on the system prompt, the tool
//! list and the newest message, so each turn of an agent re-reads the
//! conversation from the cache instead of paying for it again.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde_json::{Map, Value};

use super::ProviderError;
use super::chat::{Block, ChatRequest, ChatResponse, Role, StopReason, Usage};
use super::http::{self, Secret, Transport};
use super::sse::Event;

const NAME: &str = "anthropic";
pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";
const API_VERSION: &str = "2023-06-01";
/// The beta that opens the 1M-token context window.
const LONG_CONTEXT_BETA: &str = "context-1m-2025-08-07";

/// How requests prove who sends them.
#[derive(Debug, Clone)]
pub enum Auth {
    /// `x-api-key` (`ANTHROPIC_API_KEY`).
    ApiKey(Secret),
    /// `Authorization: Bearer` (`ANTHROPIC_AUTH_TOKEN`).
    Bearer(Secret),
    /// Nothing: a compatible server on the user's own machine.
    None,
}

#[derive(Debug, Clone)]
pub struct Anthropic {
    pub transport: Transport,
    pub base_url: String,
    pub auth: Auth,
}

impl Anthropic {
    pub async fn complete(
        &self,
        req: &ChatRequest,
        progress: &mut (dyn FnMut(super::Piece<'_>) + Send),
    ) -> Result<ChatResponse, ProviderError> {
        let url = format!("{}/v1/messages", self.base_url.trim_end_matches('/'));
        let response = self.transport.post(NAME, &url, self.headers(req)?, body(req, true)).await?;
        let mut answer = Answer::default();
        http::events(NAME, response, |event| answer.event(event, progress)).await?;
        answer.finish()
    }

    fn headers(&self, req: &ChatRequest) -> Result<HeaderMap, ProviderError> {
        let mut h = HeaderMap::new();
        h.insert(HeaderName::from_static("anthropic-version"), HeaderValue::from_static(API_VERSION));
        h.insert(HeaderName::from_static("accept"), HeaderValue::from_static("text/event-stream"));
        match &self.auth {
            Auth::ApiKey(key) => _ = h.insert(HeaderName::from_static("x-api-key"), key.header("")?),
            Auth::Bearer(token) => _ = h.insert(reqwest::header::AUTHORIZATION, token.header("Bearer ")?),
            Auth::None => {}
        }
        if req.long_context {
            h.insert(HeaderName::from_static("anthropic-beta"), HeaderValue::from_static(LONG_CONTEXT_BETA));
        }
        Ok(h)
    }
}

/// The request body, serialized. Written through borrowed records rather
/// than a JSON tree: a long conversation is copied once, into the bytes.
pub fn body(req: &ChatRequest, stream: bool) -> Vec<u8> {
    let cache = Some(Cache { kind: "ephemeral" });
    let last_tool = req.tools.len().wrapping_sub(1);
    let last_message = req.messages.len().wrapping_sub(1);
    let body = Body {
        model: &req.model,
        max_tokens: req.max_tokens,
        system: req.system.as_deref().map(|text| [SystemText { kind: "text", text, cache_control: cache }]),
        tools: req
            .tools
            .iter()
            .enumerate()
            .map(|(i, t)| ToolOut {
                name: &t.name,
                description: &t.description,
                input_schema: &t.input_schema,
                cache_control: if i == last_tool { cache } else { None },
            })
            .collect(),
        messages: req
            .messages
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let last_block = if i == last_message { m.content.len().wrapping_sub(1) } else { usize::MAX };
                MessageOut {
                    role: match m.role {
                        Role::User => "user",
                        Role::Assistant => "assistant",
                    },
                    // The newest block is where the next turn's cache read can start.
                    content: m
                        .content
                        .iter()
                        .enumerate()
                        .map(|(j, b)| BlockOut {
                            block: b,
                            cache_control: if j == last_block { cache } else { None },
                        })
                        .collect(),
                }
            })
            .collect(),
        output_config: req.effort.map(|e| OutputConfig { effort: e.as_str() }),
        stream,
    };
    serde_json::to_vec(&body).expect("request records serialize")
}

#[derive(Serialize)]
struct Body<'a> {
    model: &'a str,
    max_tokens: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<[SystemText<'a>; 1]>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<ToolOut<'a>>,
    messages: Vec<MessageOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_config: Option<OutputConfig>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    stream: bool,
}

#[derive(Serialize, Clone, Copy)]
struct Cache {
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct SystemText<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    text: &'a str,
    cache_control: Option<Cache>,
}

#[derive(Serialize)]
struct ToolOut<'a> {
    name: &'a str,
    description: &'a str,
    input_schema: &'a Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    cache_control: Option<Cache>,
}

#[derive(Serialize)]
struct MessageOut<'a> {
    role: &'static str,
    content: Vec<BlockOut<'a>>,
}

#[derive(Serialize)]
struct OutputConfig {
    effort: &'static str,
}

/// One block as the API spells it, with its cache mark.
struct BlockOut<'a> {
    block: &'a Block,
    cache_control: Option<Cache>,
}

impl Serialize for BlockOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        match self.block {
            Block::Text { text } => {
                map.serialize_entry("type", "text")?;
                map.serialize_entry("text", text)?;
            }
            Block::ToolUse { id, name, input } => {
                map.serialize_entry("type", "tool_use")?;
                map.serialize_entry("id", id)?;
                map.serialize_entry("name", name)?;
                map.serialize_entry("input", input)?;
            }
            Block::ToolResult { id, content, is_error } => {
                map.serialize_entry("type", "tool_result")?;
                map.serialize_entry("tool_use_id", id)?;
                map.serialize_entry("content", content)?;
                map.serialize_entry("is_error", is_error)?;
            }
        }
        if let Some(cache) = &self.cache_control {
            map.serialize_entry("cache_control", cache)?;
        }
        map.end()
    }
}

/// A block as it streams in.
enum Partial {
    Text(String),
    Tool {
        id: String,
        name: String,
        json: String,
    },
    /// Thinking and other blocks grove does not hand on.
    Other,
}

/// The answer, assembled from its events.
#[derive(Default)]
struct Answer {
    model: String,
    blocks: Vec<Partial>,
    stop: Option<String>,
    usage: Usage,
    stopped: bool,
}

impl Answer {
    fn event(
        &mut self,
        event: Event,
        progress: &mut (dyn FnMut(super::Piece<'_>) + Send),
    ) -> Result<(), ProviderError> {
        if event.name == "ping" {
            return Ok(());
        }
        let data = http::json(NAME, &event.data)?;
        let str_of =
            |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
        match data.get("type").and_then(Value::as_str).unwrap_or(event.name.as_str()) {
            "message_start" => {
                let message = &data["message"];
                self.model = str_of(message, "model");
                self.usage_from(&message["usage"]);
            }
            "content_block_start" => {
                let block = &data["content_block"];
                let partial = match block["type"].as_str() {
                    Some("text") => Partial::Text(str_of(block, "text")),
                    Some("tool_use") => Partial::Tool {
                        id: str_of(block, "id"),
                        name: str_of(block, "name"),
                        json: String::new(),
                    },
                    _ => Partial::Other,
                };
                self.blocks.push(partial);
            }
            "content_block_delta" => {
                let index = data["index"].as_u64().unwrap_or(u64::MAX) as usize;
                let delta = &data["delta"];
                let Some(partial) = self.blocks.get_mut(index) else {
                    return Err(decode(format!("a delta for block {index}, which never started")));
                };
                match (partial, delta["type"].as_str()) {
                    (Partial::Text(text), Some("text_delta")) => {
                        let piece = delta["text"].as_str().unwrap_or_default();
                        text.push_str(piece);
                        progress(super::Piece::Text(piece));
                    }
                    (Partial::Tool { json, .. }, Some("input_json_delta")) => {
                        let piece = delta["partial_json"].as_str().unwrap_or_default();
                        json.push_str(piece);
                        progress(super::Piece::ToolInput(piece));
                    }
                    _ => {} // thinking, signatures, citations
                }
            }
            "content_block_stop" => {}
            "message_delta" => {
                if let Some(reason) = data["delta"]["stop_reason"].as_str() {
                    self.stop = Some(reason.to_string());
                }
                self.usage_from(&data["usage"]);
            }
            "message_stop" => self.stopped = true,
            "error" => {
                let error = &data["error"];
                let kind = str_of(error, "type");
                let status = if kind == "overloaded_error" { 529 } else { 500 };
                return Err(ProviderError::Status {
                    provider: NAME,
                    status,
                    kind,
                    message: str_of(error, "message"),
                    request_id: None,
                    retry_after: None,
                    should_retry: None,
                });
            }
            _ => {} // new event types are skipped, as the API asks of clients
        }
        Ok(())
    }

    /// Usage arrives in `message_start` and again, updated, in
    /// `message_delta`: the later figures win.
    fn usage_from(&mut self, usage: &Value) {
        let set = |field: &mut u64, key: &str| {
            if let Some(n) = usage.get(key).and_then(Value::as_u64) {
                *field = n;
            }
        };
        set(&mut self.usage.input_tokens, "input_tokens");
        set(&mut self.usage.output_tokens, "output_tokens");
        set(&mut self.usage.cache_read_tokens, "cache_read_input_tokens");
        set(&mut self.usage.cache_write_tokens, "cache_creation_input_tokens");
    }

    fn finish(self) -> Result<ChatResponse, ProviderError> {
        if !self.stopped {
            return Err(ProviderError::Stream {
                provider: NAME,
                message: "the stream ended before message_stop".into(),
            });
        }
        let mut content = Vec::with_capacity(self.blocks.len());
        for partial in self.blocks {
            match partial {
                Partial::Text(text) if !text.is_empty() => content.push(Block::Text { text }),
                Partial::Tool { id, name, json } => {
                    let input = if json.trim().is_empty() {
                        Value::Object(Map::new())
                    } else {
                        serde_json::from_str(&json)
                            .map_err(|e| decode(format!("tool input of {name}: {e}")))?
                    };
                    content.push(Block::ToolUse { id, name, input });
                }
                _ => {}
            }
        }
        let stop = match self.stop.as_deref() {
            Some("tool_use") => StopReason::ToolUse,
            Some("max_tokens") | Some("model_context_window_exceeded") => StopReason::MaxTokens,
            Some("refusal") => StopReason::Refusal,
            _ => StopReason::EndTurn,
        };
        Ok(ChatResponse { model: self.model, content, stop, usage: self.usage })
    }
}

fn decode(message: String) -> ProviderError {
    ProviderError::Decode { provider: NAME, message }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::chat::{Effort, Message, Tool};
    use serde_json::json;

    fn request() -> ChatRequest {
        ChatRequest {
            model: "claude-test".into(),
            system: Some("be brief".into()),
            messages: vec![
                Message { role: Role::User, content: vec![Block::Text { text: "hi".into() }] },
                Message {
                    role: Role::Assistant,
                    content: vec![Block::ToolUse {
                        id: "t1".into(),
                        name: "read".into(),
                        input: json!({"p": 1}),
                    }],
                },
                Message {
                    role: Role::User,
                    content: vec![Block::ToolResult { id: "t1".into(), content: "x".into(), is_error: true }],
                },
            ],
            tools: vec![Tool {
                name: "read".into(),
                description: "d".into(),
                input_schema: json!({"type": "object"}),
            }],
            max_tokens: 100,
            effort: Some(Effort::Low),
            long_context: false,
        }
    }

    #[test]
    fn the_body_marks_three_cache_breakpoints() {
        let b: Value = serde_json::from_slice(&body(&request(), true)).unwrap();
        assert_eq!(b["system"][0]["cache_control"]["type"], "ephemeral");
        assert_eq!(b["tools"][0]["cache_control"]["type"], "ephemeral");
        assert_eq!(b["messages"][2]["content"][0]["cache_control"]["type"], "ephemeral");
        assert_eq!(b["messages"][2]["content"][0]["tool_use_id"], "t1");
        assert_eq!(b["messages"][0]["content"][0].get("cache_control"), None);
        assert_eq!(b["output_config"]["effort"], "low");
        assert_eq!(b["stream"], true);
    }

    fn feed(answer: &mut Answer, name: &str, data: Value) -> Result<(), ProviderError> {
        answer.event(Event { name: name.into(), data: data.to_string() }, &mut |_| {})
    }

    #[test]
    fn a_streamed_tool_call_is_assembled() {
        let mut a = Answer::default();
        let usage = json!({"input_tokens": 10, "output_tokens": 1, "cache_read_input_tokens": 5});
        feed(
            &mut a,
            "message_start",
            json!({"type": "message_start", "message": {"model": "m", "usage": usage}}),
        )
        .unwrap();
        feed(&mut a, "ping", json!({"type": "ping"})).unwrap();
        let start = json!({"type": "content_block_start", "index": 0,
            "content_block": {"type": "tool_use", "id": "t", "name": "edit", "input": {}}});
        feed(&mut a, "content_block_start", start).unwrap();
        for piece in ["{\"pa", "th\": \"a\"}"] {
            let delta = json!({"type": "content_block_delta", "index": 0,
                "delta": {"type": "input_json_delta", "partial_json": piece}});
            feed(&mut a, "content_block_delta", delta).unwrap();
        }
        let end = json!({"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 7}});
        feed(&mut a, "message_delta", end).unwrap();
        feed(&mut a, "message_stop", json!({"type": "message_stop"})).unwrap();
        let r = a.finish().unwrap();
        assert_eq!(r.stop, StopReason::ToolUse);
        assert_eq!(
            r.content,
            vec![Block::ToolUse { id: "t".into(), name: "edit".into(), input: json!({"path": "a"}) }]
        );
        assert_eq!(
            r.usage,
            Usage { input_tokens: 10, output_tokens: 7, cache_read_tokens: 5, cache_write_tokens: 0 }
        );
    }

    #[test]
    fn an_error_event_or_a_missing_stop_fails() {
        let mut a = Answer::default();
        let e = feed(
            &mut a,
            "error",
            json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
        )
        .unwrap_err();
        assert!(e.retryable(), "{e}");
        assert!(matches!(Answer::default().finish(), Err(ProviderError::Stream { .. })));
    }
}
