//! OpenAI-compatible chat completions: `POST {base}/chat/completions`,
//! streamed. Ollama, vLLM, llama.cpp's server and LM Studio speak it too,
//! so the parser is forgiving where they differ (a missing usage chunk, tool
//! calls with a `stop` finish reason, an error object that is a string).

use reqwest::header::HeaderMap;
use serde::Serialize;
use serde_json::{Map, Value};

use super::ProviderError;
use super::chat::{Block, ChatRequest, ChatResponse, Role, StopReason, Usage};
use super::http::{self, Secret, Transport};
use super::sse::Event;

const NAME: &str = "openai";
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

#[derive(Debug, Clone)]
pub struct OpenAi {
    pub transport: Transport,
    pub base_url: String,
    /// None for local servers that want no key.
    pub key: Option<Secret>,
}

impl OpenAi {
    pub async fn complete(
        &self,
        req: &ChatRequest,
        progress: &mut (dyn FnMut(super::Piece<'_>) + Send),
    ) -> Result<ChatResponse, ProviderError> {
        let url = format!("{}/chat/completions", self.base_url.trim_end_matches('/'));
        let mut headers = HeaderMap::new();
        if let Some(key) = &self.key {
            headers.insert(reqwest::header::AUTHORIZATION, key.header("Bearer ")?);
        }
        let response = self.transport.post(NAME, &url, headers, body(req, true)).await?;
        let mut answer = Answer::default();
        http::events(NAME, response, |event| answer.event(event, progress)).await?;
        answer.finish(&req.model)
    }
}

/// The request body, serialized, through borrowed records (see
/// `anthropic::body`).
pub fn body(req: &ChatRequest, stream: bool) -> Vec<u8> {
    let mut messages = Vec::with_capacity(req.messages.len() + 1);
    if let Some(system) = &req.system {
        messages.push(MessageOut::Plain { role: "system", content: system.clone() });
    }
    for m in &req.messages {
        let text: Vec<&str> = m
            .content
            .iter()
            .filter_map(|b| match b {
                Block::Text { text } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        match m.role {
            Role::Assistant => {
                let tool_calls = m
                    .content
                    .iter()
                    .filter_map(|b| match b {
                        Block::ToolUse { id, name, input } => Some(CallOut {
                            id,
                            kind: "function",
                            function: FunctionOut { name, arguments: input.to_string() },
                        }),
                        _ => None,
                    })
                    .collect();
                let content = (!text.is_empty()).then(|| text.join("\n"));
                messages.push(MessageOut::Assistant { role: "assistant", content, tool_calls });
            }
            Role::User => {
                // Tool answers are messages of their own, and must come right
                // after the assistant message that asked for them.
                for b in &m.content {
                    if let Block::ToolResult { id, content, is_error } = b {
                        let content = if *is_error { format!("Error: {content}") } else { content.clone() };
                        messages.push(MessageOut::Tool { role: "tool", tool_call_id: id, content });
                    }
                }
                if !text.is_empty() {
                    messages.push(MessageOut::Plain { role: "user", content: text.join("\n") });
                }
            }
        }
    }
    let body = Body {
        model: &req.model,
        max_tokens: req.max_tokens,
        messages,
        tools: req
            .tools
            .iter()
            .map(|t| ToolOut {
                kind: "function",
                function: FunctionSpec {
                    name: &t.name,
                    description: &t.description,
                    parameters: &t.input_schema,
                },
            })
            .collect(),
        reasoning_effort: req.effort.map(|e| e.as_str()),
        stream,
        stream_options: stream.then_some(StreamOptions { include_usage: true }),
    };
    serde_json::to_vec(&body).expect("request records serialize")
}

#[derive(Serialize)]
struct Body<'a> {
    model: &'a str,
    max_tokens: u32,
    messages: Vec<MessageOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<ToolOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reasoning_effort: Option<&'static str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream_options: Option<StreamOptions>,
}

#[derive(Serialize)]
struct StreamOptions {
    include_usage: bool,
}

#[derive(Serialize)]
#[serde(untagged)]
enum MessageOut<'a> {
    Plain {
        role: &'static str,
        content: String,
    },
    Assistant {
        role: &'static str,
        content: Option<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<CallOut<'a>>,
    },
    Tool {
        role: &'static str,
        tool_call_id: &'a str,
        content: String,
    },
}

#[derive(Serialize)]
struct CallOut<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    function: FunctionOut<'a>,
}

#[derive(Serialize)]
struct FunctionOut<'a> {
    name: &'a str,
    arguments: String,
}

#[derive(Serialize)]
struct ToolOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    function: FunctionSpec<'a>,
}

#[derive(Serialize)]
struct FunctionSpec<'a> {
    name: &'a str,
    description: &'a str,
    parameters: &'a Value,
}

#[derive(Default)]
struct Call {
    id: String,
    name: String,
    arguments: String,
}

#[derive(Default)]
struct Answer {
    model: String,
    text: String,
    calls: Vec<Call>,
    finish: Option<String>,
    usage: Usage,
    done: bool,
}

impl Answer {
    fn event(
        &mut self,
        event: Event,
        progress: &mut (dyn FnMut(super::Piece<'_>) + Send),
    ) -> Result<(), ProviderError> {
        if event.data.trim() == "[DONE]" {
            self.done = true;
            return Ok(());
        }
        let chunk = http::json(NAME, &event.data)?;
        if let Some(error) = chunk.get("error") {
            let message = error.get("message").and_then(Value::as_str).map(String::from);
            return Err(ProviderError::Status {
                provider: NAME,
                status: 500,
                kind: error.get("type").and_then(Value::as_str).unwrap_or_default().to_string(),
                message: message.unwrap_or_else(|| error.to_string()),
                request_id: None,
                retry_after: None,
                should_retry: None,
            });
        }
        if let Some(model) = chunk.get("model").and_then(Value::as_str) {
            self.model = model.to_string();
        }
        if let Some(usage) = chunk.get("usage").filter(|u| u.is_object()) {
            let n = |key: &str| usage.get(key).and_then(Value::as_u64).unwrap_or(0);
            let cached = usage["prompt_tokens_details"]["cached_tokens"].as_u64().unwrap_or(0);
            self.usage = Usage {
                input_tokens: n("prompt_tokens").saturating_sub(cached),
                output_tokens: n("completion_tokens"),
                cache_read_tokens: cached,
                cache_write_tokens: 0,
            };
        }
        let Some(choice) = chunk.get("choices").and_then(|c| c.get(0)) else { return Ok(()) };
        let delta = &choice["delta"];
        if let Some(piece) = delta.get("content").and_then(Value::as_str) {
            self.text.push_str(piece);
            progress(super::Piece::Text(piece));
        }
        for call in delta.get("tool_calls").and_then(Value::as_array).into_iter().flatten() {
            let index = call.get("index").and_then(Value::as_u64).unwrap_or(self.calls.len() as u64) as usize;
            if index > self.calls.len() + 64 {
                return Err(ProviderError::Decode {
                    provider: NAME,
                    message: format!("tool call index {index}"),
                });
            }
            if self.calls.len() <= index {
                self.calls.resize_with(index + 1, Call::default);
            }
            let slot = &mut self.calls[index];
            if let Some(id) = call.get("id").and_then(Value::as_str) {
                slot.id = id.to_string();
            }
            let function = &call["function"];
            if let Some(name) = function.get("name").and_then(Value::as_str) {
                slot.name.push_str(name);
            }
            if let Some(piece) = function.get("arguments").and_then(Value::as_str) {
                slot.arguments.push_str(piece);
                progress(super::Piece::ToolInput(piece));
            }
        }
        if let Some(finish) = choice.get("finish_reason").and_then(Value::as_str) {
            self.finish = Some(finish.to_string());
        }
        Ok(())
    }

    fn finish(self, asked: &str) -> Result<ChatResponse, ProviderError> {
        // Some servers close without `[DONE]`, but none without a reason.
        if !self.done && self.finish.is_none() {
            return Err(ProviderError::Stream {
                provider: NAME,
                message: "the stream ended before [DONE]".into(),
            });
        }
        let mut content = Vec::new();
        if !self.text.is_empty() {
            content.push(Block::Text { text: self.text });
        }
        let has_calls = !self.calls.is_empty();
        for (i, call) in self.calls.into_iter().enumerate() {
            let input = if call.arguments.trim().is_empty() {
                Value::Object(Map::new())
            } else {
                serde_json::from_str(&call.arguments).map_err(|e| ProviderError::Decode {
                    provider: NAME,
                    message: format!("arguments of tool call {}: {e}", call.name),
                })?
            };
            let id = if call.id.is_empty() { format!("call_{i}") } else { call.id };
            content.push(Block::ToolUse { id, name: call.name, input });
        }
        let stop = match self.finish.as_deref() {
            _ if has_calls => StopReason::ToolUse,
            Some("length") => StopReason::MaxTokens,
            Some("content_filter") => StopReason::Refusal,
            _ => StopReason::EndTurn,
        };
        let model = if self.model.is_empty() { asked.to_string() } else { self.model };
        Ok(ChatResponse { model, content, stop, usage: self.usage })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::chat::Message;
    use serde_json::json;

    #[test]
    fn tool_results_become_tool_messages_before_user_text() {
        let req = ChatRequest {
            model: "m".into(),
            system: Some("sys".into()),
            messages: vec![
                Message {
                    role: Role::Assistant,
                    content: vec![Block::ToolUse {
                        id: "c1".into(),
                        name: "run".into(),
                        input: json!({"a": 1}),
                    }],
                },
                Message {
                    role: Role::User,
                    content: vec![
                        Block::Text { text: "and then".into() },
                        Block::ToolResult { id: "c1".into(), content: "boom".into(), is_error: true },
                    ],
                },
            ],
            tools: vec![],
            max_tokens: 10,
            effort: None,
            long_context: false,
        };
        let b: Value = serde_json::from_slice(&body(&req, true)).unwrap();
        let m = b["messages"].as_array().unwrap();
        assert_eq!(m[0]["role"], "system");
        assert_eq!(m[1]["tool_calls"][0]["function"]["arguments"], "{\"a\":1}");
        assert_eq!(m[1]["content"], Value::Null);
        assert_eq!(m[2], json!({"role": "tool", "tool_call_id": "c1", "content": "Error: boom"}));
        assert_eq!(m[3], json!({"role": "user", "content": "and then"}));
        assert_eq!(b["stream_options"]["include_usage"], true);
    }

    #[test]
    fn streamed_tool_calls_are_assembled_by_index() {
        let mut a = Answer::default();
        let chunks = [
            json!({"model": "local", "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "id": "c", "type": "function",
                "function": {"name": "read", "arguments": ""}}]}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": "{\"p\":"}}]}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": "2}"}}]}}]}),
            json!({"choices": [{"delta": {}, "finish_reason": "stop"}]}),
            json!({"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 3}}),
        ];
        for c in chunks {
            a.event(Event { name: String::new(), data: c.to_string() }, &mut |_| {}).unwrap();
        }
        a.event(Event { name: String::new(), data: "[DONE]".into() }, &mut |_| {}).unwrap();
        let r = a.finish("asked").unwrap();
        assert_eq!(r.model, "local");
        assert_eq!(r.stop, StopReason::ToolUse, "tool calls win over a `stop` finish");
        assert_eq!(
            r.content,
            vec![Block::ToolUse { id: "c".into(), name: "read".into(), input: json!({"p": 2}) }]
        );
        assert_eq!(r.usage.input_tokens, 9);
        assert_eq!(r.usage.output_tokens, 3);
    }

    #[test]
    fn a_stream_without_an_end_was_cut() {
        let mut a = Answer::default();
        a.event(
            Event {
                name: String::new(),
                data: json!({"choices": [{"delta": {"content": "hal"}}]}).to_string(),
            },
            &mut |_| {},
        )
        .unwrap();
        assert!(matches!(a.finish("m"), Err(ProviderError::Stream { .. })));
    }
}
