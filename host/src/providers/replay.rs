//! Cassettes: model exchanges recorded as JSON lines, served back offline
//! and in order for demos and CI.
//!
//! A recorded request matches a new one when it asks the same model, with
//! the same system prompt and tools, the same task, and the same sequence
//! of tool calls. The output of tools and of checks is not compared: it
//! carries timings and temporary paths that differ from run to run.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::ProviderError;
use super::chat::{Block, ChatRequest, ChatResponse};

/// One line of a cassette.
#[derive(Debug, Serialize, Deserialize)]
struct Exchange {
    request: ChatRequest,
    response: ChatResponse,
}

/// A cassette being served.
#[derive(Debug)]
pub struct Cassette {
    path: PathBuf,
    exchanges: Vec<Exchange>,
    next: Mutex<usize>,
}

impl Cassette {
    pub fn open(path: &Path) -> Result<Cassette, ProviderError> {
        let fail = |message: String| ProviderError::Replay(format!("cassette {}: {message}", path.display()));
        let file = File::open(path).map_err(|e| fail(e.to_string()))?;
        let mut exchanges = Vec::new();
        for (i, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| fail(e.to_string()))?;
            if line.trim().is_empty() {
                continue;
            }
            exchanges.push(serde_json::from_str(&line).map_err(|e| fail(format!("line {}: {e}", i + 1)))?);
        }
        Ok(Cassette { path: path.to_path_buf(), exchanges, next: Mutex::new(0) })
    }

    /// The recorded answer to `request`, which must match the next
    /// recorded request.
    pub fn answer(&self, request: &ChatRequest) -> Result<ChatResponse, ProviderError> {
        let mut next = self.next.lock().expect("not poisoned");
        let n = *next + 1;
        let hint = format!("record it again with --record {}", self.path.display());
        let Some(exchange) = self.exchanges.get(*next) else {
            return Err(ProviderError::Replay(format!(
                "request {n} is past the end of the cassette {} ({} recorded); {hint}",
                self.path.display(),
                self.exchanges.len()
            )));
        };
        if let Some(difference) = difference(&exchange.request, request) {
            return Err(ProviderError::Replay(format!(
                "request {n} does not match the cassette {}: {difference}; {hint}",
                self.path.display()
            )));
        }
        *next += 1;
        Ok(exchange.response.clone())
    }
}

/// Where `now` departs from `recorded`, if it does.
fn difference(recorded: &ChatRequest, now: &ChatRequest) -> Option<String> {
    if recorded.model != now.model {
        return Some(format!("it asks model {:?}, the recording {:?}", now.model, recorded.model));
    }
    if recorded.system != now.system {
        return Some("the system prompt differs".into());
    }
    let names = |r: &ChatRequest| r.tools.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
    if names(recorded) != names(now) {
        return Some(format!("it offers tools {:?}, the recording {:?}", names(now), names(recorded)));
    }
    if recorded.messages.len() != now.messages.len() {
        return Some(format!(
            "it has {} messages, the recording {}",
            now.messages.len(),
            recorded.messages.len()
        ));
    }
    for (i, (r, n)) in recorded.messages.iter().zip(&now.messages).enumerate() {
        if r.role != n.role || r.content.len() != n.content.len() {
            return Some(format!("message {} differs in its role or number of blocks", i + 1));
        }
        for (j, (rb, nb)) in r.content.iter().zip(&n.content).enumerate() {
            let same = match (rb, nb) {
                // The task: the first thing said.
                (Block::Text { text: a }, Block::Text { text: b }) => i > 0 || a == b,
                (
                    Block::ToolUse { id: a, name: an, input: ai },
                    Block::ToolUse { id: b, name: bn, input: bi },
                ) => a == b && an == bn && ai == bi,
                (Block::ToolResult { id: a, .. }, Block::ToolResult { id: b, .. }) => a == b,
                _ => false,
            };
            if !same {
                return Some(format!("block {} of message {} differs", j + 1, i + 1));
            }
        }
    }
    None
}

/// Appends each exchange to a cassette as it happens: a run that crashes
/// keeps every exchange before the crash.
#[derive(Debug)]
pub struct Recorder {
    file: Mutex<File>,
}

impl Recorder {
    pub fn create(path: &Path) -> Result<Recorder, ProviderError> {
        let fail = |e: std::io::Error| {
            ProviderError::Replay(format!("creating the cassette {}: {e}", path.display()))
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(fail)?;
        }
        Ok(Recorder { file: Mutex::new(File::create(path).map_err(fail)?) })
    }

    pub fn record(&self, request: &ChatRequest, response: &ChatResponse) -> Result<(), ProviderError> {
        let mut line = serde_json::to_vec(&Exchange { request: request.clone(), response: response.clone() })
            .expect("chat records serialize");
        line.push(b'\n');
        let mut file = self.file.lock().expect("not poisoned");
        file.write_all(&line).map_err(|e| ProviderError::Replay(format!("writing the cassette: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::chat::{Message, Role, StopReason, Usage};

    fn request(task: &str, result: &str) -> ChatRequest {
        ChatRequest {
            model: "m".into(),
            system: None,
            messages: vec![
                Message { role: Role::User, content: vec![Block::Text { text: task.into() }] },
                Message {
                    role: Role::Assistant,
                    content: vec![Block::ToolUse {
                        id: "1".into(),
                        name: "run".into(),
                        input: serde_json::json!({}),
                    }],
                },
                Message {
                    role: Role::User,
                    content: vec![Block::ToolResult {
                        id: "1".into(),
                        content: result.into(),
                        is_error: false,
                    }],
                },
            ],
            tools: vec![],
            max_tokens: 10,
            effort: None,
            long_context: false,
        }
    }

    fn response(text: &str) -> ChatResponse {
        ChatResponse {
            model: "m".into(),
            content: vec![Block::Text { text: text.into() }],
            stop: StopReason::EndTurn,
            usage: Usage::default(),
        }
    }

    #[test]
    fn a_recording_replays_in_order_and_ignores_tool_output() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c/x.jsonl");
        let recorder = Recorder::create(&path).unwrap();
        recorder.record(&request("fix it", "took 3ms"), &response("one")).unwrap();
        recorder.record(&request("fix it", "took 4ms"), &response("two")).unwrap();
        drop(recorder);
        let cassette = Cassette::open(&path).unwrap();
        assert_eq!(cassette.answer(&request("fix it", "took 9ms")).unwrap(), response("one"));
        assert_eq!(cassette.answer(&request("fix it", "took 1ms")).unwrap(), response("two"));
        let e = cassette.answer(&request("fix it", "")).unwrap_err().to_string();
        assert!(e.contains("request 3 is past the end") && e.contains("2 recorded"), "{e}");
    }

    #[test]
    fn a_different_task_is_refused_with_a_hint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.jsonl");
        Recorder::create(&path).unwrap().record(&request("fix it", ""), &response("one")).unwrap();
        let e = Cassette::open(&path).unwrap().answer(&request("break it", "")).unwrap_err().to_string();
        assert!(e.contains("request 1 does not match") && e.contains("block 1 of message 1"), "{e}");
        assert!(e.contains("--record"), "{e}");
    }

    #[test]
    fn a_broken_cassette_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.jsonl");
        std::fs::write(&path, "\n{not json}\n").unwrap();
        let e = Cassette::open(&path).unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
    }
}
