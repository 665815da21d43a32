//! Model providers: the Anthropic Messages API, OpenAI-compatible chat
//! completions, and cassettes that replay recorded exchanges offline.
//!
//! [`ModelClient`] is what the `model` capability calls: it resolves a
//! tier to a provider and a model, retries what is worth retrying, and
//! records or replays. API keys live here and nowhere else: they never
//! reach a skill, a log line or the audit log.

pub mod anthropic;
pub mod chat;
pub mod config;
mod error;
pub mod http;
pub mod max_output;
pub mod meter;
pub mod openai;
pub mod replay;
pub mod retry;
pub mod sse;

use std::path::PathBuf;

pub use chat::{ChatRequest, ChatResponse};
pub use config::{ModelConfig, ProviderKind, Tier};
pub use error::ProviderError;
pub use meter::{Budget, Meter, Spend};

use anthropic::Anthropic;
use openai::OpenAi;
use replay::{Cassette, Recorder};

/// A piece of an answer as it streams in, or news that the attempt
/// failed and a new one starts (whose pieces begin again from the start).
#[derive(Debug, Clone, Copy)]
pub enum Piece<'a> {
    /// Text the model wrote.
    Text(&'a str),
    /// Part of the JSON input of a tool call.
    ToolInput(&'a str),
    /// The attempt failed; attempt number `attempt` follows.
    Retry { attempt: u32, error: &'a ProviderError },
}

impl Piece<'_> {
    /// Bytes of the answer this piece carries.
    pub fn len(&self) -> usize {
        match self {
            Piece::Text(t) | Piece::ToolInput(t) => t.len(),
            Piece::Retry { .. } => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Per-run choices about the model, from the command line.
#[derive(Debug, Clone, Default)]
pub struct ModelOptions {
    /// Record every exchange to this cassette.
    pub record: Option<PathBuf>,
    /// Serve every exchange from this cassette instead of a provider.
    pub replay: Option<PathBuf>,
    /// Overrides the configured budget.
    pub budget: Option<Budget>,
    /// The tier that answers the skill's default-tier requests (a
    /// session's `--tier`); fast and deep requests keep theirs.
    pub tier: Option<Tier>,
    /// The model that answers the skill's default-tier requests (a
    /// session's `--model`), unless the skill names one itself.
    pub model: Option<String>,
}

/// Talks to the configured providers.
#[derive(Debug)]
pub struct ModelClient {
    pub config: ModelConfig,
    anthropic: Anthropic,
    openai: OpenAi,
    replay: Option<Cassette>,
    recorder: Option<Recorder>,
}

impl ModelClient {
    pub fn new(config: ModelConfig, options: &ModelOptions) -> Result<ModelClient, ProviderError> {
        let transport = http::Transport::new(&config.timeouts)?;
        let anthropic = Anthropic {
            transport: transport.clone(),
            base_url: config.anthropic_url.clone(),
            auth: config.anthropic_auth.clone(),
        };
        let openai =
            OpenAi { transport, base_url: config.openai_url.clone(), key: config.openai_key.clone() };
        let replay = options.replay.as_deref().map(Cassette::open).transpose()?;
        let recorder = options.record.as_deref().map(Recorder::create).transpose()?;
        Ok(ModelClient { config, anthropic, openai, replay, recorder })
    }

    /// One completion, retried with backoff while the failure is worth
    /// retrying. `progress` hears each piece of the answer as it
    /// streams in.
    pub async fn complete(
        &self,
        provider: ProviderKind,
        request: &ChatRequest,
        progress: &mut (dyn FnMut(Piece<'_>) + Send),
    ) -> Result<ChatResponse, ProviderError> {
        if let Some(cassette) = &self.replay {
            return cassette.answer(request);
        }
        self.check_credentials(provider)?;
        let mut retry = 0;
        let response = loop {
            let attempt = match provider {
                ProviderKind::Anthropic => self.anthropic.complete(request, progress).await,
                ProviderKind::OpenAi => self.openai.complete(request, progress).await,
            };
            match attempt {
                Ok(response) => break response,
                Err(error) => match self.config.retry.delay(retry, &error) {
                    Some(wait) => {
                        progress(Piece::Retry { attempt: retry + 2, error: &error });
                        tracing::info!(%error, retry = retry + 1, wait_ms = wait.as_millis() as u64, "model call failed; retrying");
                        tokio::time::sleep(wait).await;
                        retry += 1;
                    }
                    None => {
                        let mut error = error;
                        if retry > 0 {
                            error.add_note(&format!("after {} attempts", retry + 1));
                        }
                        return Err(error);
                    }
                },
            }
        };
        if let Some(recorder) = &self.recorder {
            recorder.record(request, &response)?;
        }
        Ok(response)
    }

    /// The official endpoint needs a key; a server the user points at may
    /// not. Say so before sending anything.
    fn check_credentials(&self, provider: ProviderKind) -> Result<(), ProviderError> {
        match self.config.missing_credentials(provider) {
            Some(why) => Err(ProviderError::Config(format!("{why}: {}", config::setup_hint()))),
            None => Ok(()),
        }
    }
}
