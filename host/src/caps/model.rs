//! `model`: completions from the configured provider. The skill names a
//! tier; the host picks the provider and model, holds the keys, retries,
//! counts the spending against the budget and stops the skill's calls once
//! it is spent.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{CapError, Caps, ErrorKind};
use crate::gate::classify::Subject;
use crate::gate::{Action, Permission, Permit};
use crate::providers::chat::{self, Block, ChatRequest, ChatResponse, Effort, Message, Role, StopReason};
use crate::providers::{Meter, ModelClient, Piece, ProviderError, Spend, Tier};
use crate::wit::grove::skill::model as wit;

/// Hears the session's spending after every call (the session store keeps it).
pub type SpendSink = Box<dyn FnMut(&Spend) + Send>;

/// Says why no call may be made when a budget this run shares with other
/// sessions is spent (a session's and those above it, each counting its
/// sub-sessions' spending), read afresh before every call: the others
/// spend in processes of their own.
pub type SharedBudget = Box<dyn Fn() -> Option<String> + Send>;

/// The model side of one invocation.
pub struct ModelAccess {
    client: Result<Arc<ModelClient>, String>,
    /// Shared with whoever started the run, to report the spending.
    pub meter: Arc<Mutex<Meter>>,
    sink: Option<SpendSink>,
    shared: Option<SharedBudget>,
    /// The run's choice for default-tier requests: a tier, a model.
    tier: Option<Tier>,
    chosen_model: Option<String>,
}

impl ModelAccess {
    /// No model: every call fails with `why`.
    pub fn unavailable(why: impl Into<String>) -> ModelAccess {
        ModelAccess {
            client: Err(why.into()),
            meter: Arc::default(),
            sink: None,
            shared: None,
            tier: None,
            chosen_model: None,
        }
    }

    pub fn new(client: Arc<ModelClient>, meter: Arc<Mutex<Meter>>, sink: Option<SpendSink>) -> ModelAccess {
        ModelAccess { client: Ok(client), meter, sink, shared: None, tier: None, chosen_model: None }
    }

    /// Refuse calls once `shared` says a budget shared with other sessions
    /// is spent.
    pub fn sharing(mut self, shared: SharedBudget) -> ModelAccess {
        self.shared = Some(shared);
        self
    }

    /// Answer default-tier requests with `tier` and `model` instead.
    pub fn choosing(mut self, tier: Option<Tier>, model: Option<String>) -> ModelAccess {
        self.tier = tier;
        self.chosen_model = model.filter(|m| !m.trim().is_empty());
        self
    }

    /// The models and prices set up, when a provider is.
    fn settings(&self) -> Option<&crate::providers::ModelConfig> {
        self.client.as_ref().ok().map(|c| &c.config)
    }

    /// The provider's client, for a call the gate allowed.
    fn client(&self, permit: &Permit) -> Arc<ModelClient> {
        debug_assert_eq!(permit.permission(), Permission::Model, "only a model permit reaches the provider");
        self.client.clone().expect("a permit is only given with a client")
    }
}

impl wit::Host for Caps {
    async fn history(&mut self) -> Result<Option<Vec<wit::Message>>, CapError> {
        self.check("model", "history", "", Permission::Model).await?;
        let kept = self.transcript.as_ref().and_then(|t| t.history());
        Ok(kept.map(|messages| messages.into_iter().map(wit_message).collect()))
    }

    async fn complete(&mut self, req: wit::Request) -> Result<wit::Response, CapError> {
        let tier = match req.tier {
            wit::Tier::Fast => Tier::Fast,
            wit::Tier::Default => self.model.tier.unwrap_or(Tier::Default),
            wit::Tier::Deep => Tier::Deep,
        };
        let unset = match &self.model.client {
            Ok(_) => None,
            Err(why) => Some(why.clone()),
        };
        if let Some(why) = unset {
            // Refused before any model is chosen, and audited like every refusal.
            let target = tier.as_str();
            let action = Action {
                capability: "model",
                verb: "complete",
                target,
                permission: Permission::Model,
                subject: Subject::None,
            };
            return Err(CapError::of(ErrorKind::Failed, self.gate.refuse(action, why)));
        }
        let chosen = match req.tier {
            wit::Tier::Default => self.model.chosen_model.clone(),
            _ => None,
        };
        let setting = self.model.settings().expect("checked above").tier(tier).clone();
        let model = req.model.clone().filter(|m| !m.trim().is_empty()).or(chosen).unwrap_or(setting.model);
        let target = format!("{} {model}", tier.as_str());
        let action = Action {
            capability: "model",
            verb: "complete",
            target: &target,
            permission: Permission::Model,
            subject: Subject::None,
        };
        let settings = self.model.settings().expect("checked above");
        let unpriced = self.model.meter.lock().expect("not poisoned").unpriced(&settings.prices, &model);
        if let Some(why) = unpriced {
            return Err(CapError::of(ErrorKind::Limit, self.gate.refuse(action, why)));
        }
        let max_tokens = settings.max_output.clamp(&model, req.max_tokens);
        let permit = self.gate.check(action).await?;
        let client = self.model.client(&permit);

        let request =
            chat_request(wit::Request { max_tokens, ..req }, model, setting.effort, setting.long_context)?;
        if let Some(why) = self.model.meter.lock().expect("not poisoned").exhausted() {
            return Err(CapError::limit(why));
        }
        if let Some(why) = self.model.shared.as_ref().and_then(|spent| spent()) {
            return Err(CapError::limit(why));
        }
        if let Some(t) = &self.transcript {
            t.request(&request);
        }
        let response = self.stream(&client, setting.provider, &request).await?;
        let spend = {
            let mut meter = self.model.meter.lock().expect("not poisoned");
            // A provider may answer with a name of its own (a dated
            // version, an alias); the model asked for was checked for a price.
            let priced_as =
                if client.config.prices.knows(&response.model) { &response.model } else { &request.model };
            meter.record(&client.config.prices, priced_as, response.usage);
            meter.spend
        };
        if let Some(sink) = &mut self.model.sink {
            sink(&spend);
        }
        if let Some(t) = &self.transcript {
            t.answer(&request, &response, &spend);
        }
        Ok(wit_response(response))
    }
}

impl Caps {
    /// Call the provider before the invocation's deadline, showing the
    /// answer's progress as it streams in.
    async fn stream(
        &mut self,
        client: &ModelClient,
        provider: crate::providers::ProviderKind,
        request: &ChatRequest,
    ) -> Result<ChatResponse, CapError> {
        // Short: the dashboard's progress column is narrow, and the model
        // is in the transcript.
        let label = "answering";
        let console = &mut self.console;
        let transcript = self.transcript.as_ref();
        // Text streaming onto the terminal is progress enough.
        let progress_line = !transcript.is_some_and(|t| t.on_terminal());
        let mut received = 0u64;
        let mut shown = Instant::now();
        let mut progress = |piece: Piece<'_>| {
            match (piece, transcript) {
                (Piece::Text(text), Some(t)) => t.text(text),
                (Piece::Retry { attempt, error }, Some(t)) => t.record(
                    crate::transcript::kind::RETRY,
                    serde_json::json!({ "attempt": attempt, "error": error.to_string() }),
                ),
                _ => {}
            }
            received += piece.len() as u64;
            if progress_line && shown.elapsed() >= Duration::from_millis(250) {
                shown = Instant::now();
                let _ = console.progress(label, received, 0);
            }
        };
        let deadline = tokio::time::Instant::from_std(self.deadline);
        let result =
            tokio::time::timeout_at(deadline, client.complete(provider, request, &mut progress)).await;
        self.console.clear_progress();
        match result {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(e)) => Err(guest_error(e)),
            Err(_) => Err(CapError::timeout("the model did not answer before the run's deadline")),
        }
    }
}

/// The WIT request as a provider-neutral one, checked on the way: a skill's
/// malformed JSON is its own error, not the provider's.
fn chat_request(
    req: wit::Request,
    model: String,
    effort: Option<Effort>,
    long_context: bool,
) -> Result<ChatRequest, CapError> {
    if req.messages.is_empty() {
        return Err(CapError::invalid("model.complete needs at least one message"));
    }
    if req.max_tokens == 0 {
        return Err(CapError::invalid("model.complete needs max-tokens above 0"));
    }
    let json = |what: &str, text: &str| {
        serde_json::from_str::<Value>(text)
            .map_err(|e| CapError::invalid(format!("{what} is not JSON")).because(e))
    };
    let mut tools = Vec::with_capacity(req.tools.len());
    for t in req.tools {
        let input_schema = json(&format!("the input schema of tool {:?}", t.name), &t.input_schema)?;
        tools.push(chat::Tool { name: t.name, description: t.description, input_schema });
    }
    let mut messages = Vec::with_capacity(req.messages.len());
    for m in req.messages {
        let mut content = Vec::with_capacity(m.content.len());
        for block in m.content {
            content.push(match block {
                wit::Content::Text(text) => Block::Text { text },
                wit::Content::Call(c) => {
                    let input = json(&format!("the input of tool call {:?}", c.id), &c.input)?;
                    Block::ToolUse { id: c.id, name: c.name, input }
                }
                wit::Content::Result(r) => {
                    Block::ToolResult { id: r.call_id, content: r.content, is_error: r.is_error }
                }
            });
        }
        let role = match m.role {
            wit::Role::User => Role::User,
            wit::Role::Assistant => Role::Assistant,
        };
        messages.push(Message { role, content });
    }
    let effort = match req.effort {
        Some(wit::Effort::Low) => Some(Effort::Low),
        Some(wit::Effort::Medium) => Some(Effort::Medium),
        Some(wit::Effort::High) => Some(Effort::High),
        None => effort,
    };
    Ok(ChatRequest {
        model,
        system: req.system,
        messages,
        tools,
        max_tokens: req.max_tokens,
        effort,
        long_context: long_context || req.long_context,
    })
}

fn wit_content(b: Block) -> wit::Content {
    match b {
        Block::Text { text } => wit::Content::Text(text),
        Block::ToolUse { id, name, input } => {
            wit::Content::Call(wit::ToolCall { id, name, input: input.to_string() })
        }
        Block::ToolResult { id, content, is_error } => {
            wit::Content::Result(wit::ToolResult { call_id: id, content, is_error })
        }
    }
}

fn wit_message(m: Message) -> wit::Message {
    let role = match m.role {
        Role::User => wit::Role::User,
        Role::Assistant => wit::Role::Assistant,
    };
    wit::Message { role, content: m.content.into_iter().map(wit_content).collect() }
}

fn wit_response(r: ChatResponse) -> wit::Response {
    let content = r.content.into_iter().map(wit_content).collect();
    let stop_reason = match r.stop {
        StopReason::EndTurn => wit::StopReason::EndTurn,
        StopReason::ToolUse => wit::StopReason::ToolUse,
        StopReason::MaxTokens => wit::StopReason::MaxTokens,
        StopReason::Refusal => wit::StopReason::Refusal,
    };
    let usage = wit::Usage {
        input_tokens: r.usage.input_tokens,
        output_tokens: r.usage.output_tokens,
        cache_read_tokens: r.usage.cache_read_tokens,
        cache_write_tokens: r.usage.cache_write_tokens,
    };
    wit::Response { model: r.model, content, stop_reason, usage }
}

/// The guest error that says the most about a provider failure.
fn guest_error(e: ProviderError) -> CapError {
    let kind = match e {
        ProviderError::Timeout { .. } => ErrorKind::Timeout,
        ProviderError::Status { status: 400 | 413 | 422, .. } => ErrorKind::Invalid,
        ProviderError::Status { status: 401 | 403, .. } => ErrorKind::Denied,
        ProviderError::Status { status: 429 | 529, .. } => ErrorKind::Limit,
        ProviderError::Replay(_) => ErrorKind::Invalid,
        ProviderError::Config(_) => ErrorKind::Failed,
        _ => ErrorKind::Io,
    };
    CapError::of(kind, e)
}
