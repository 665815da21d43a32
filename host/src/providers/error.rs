//! Why a completion failed, and whether trying again may help.

use std::time::Duration;

/// A failed exchange with a model provider. Never carries an API key: the
/// texts come from the provider's answer or from the transport.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ProviderError {
    #[error("{provider} answered {status}{}: {message}{}", kind_text(.kind), request_text(.request_id))]
    Status {
        provider: &'static str,
        status: u16,
        /// The provider's error type, e.g. `rate_limit_error`.
        kind: String,
        message: String,
        request_id: Option<String>,
        /// How long the provider asked us to wait (`retry-after`).
        retry_after: Option<Duration>,
        /// The provider's own word on retrying (`x-should-retry`).
        should_retry: Option<bool>,
    },
    #[error("could not reach {provider} at {url}: {message}")]
    Connect { provider: &'static str, url: String, message: String },
    #[error("{provider} did not answer in time: {message}")]
    Timeout { provider: &'static str, message: String },
    #[error("{provider}'s answer broke off: {message}")]
    Stream { provider: &'static str, message: String },
    #[error("{provider} sent an answer grove cannot read: {message}")]
    Decode { provider: &'static str, message: String },
    #[error("{0}")]
    Replay(String),
    #[error("{0}")]
    Config(String),
}

fn kind_text(kind: &str) -> String {
    if kind.is_empty() { String::new() } else { format!(" {kind}") }
}

fn request_text(id: &Option<String>) -> String {
    id.as_ref().map(|id| format!(" (request {id})")).unwrap_or_default()
}

impl ProviderError {
    /// Whether the same request may succeed if sent again: overload, rate
    /// limits, server errors and a broken connection, unless the provider
    /// says otherwise.
    pub fn retryable(&self) -> bool {
        match self {
            ProviderError::Status { status, should_retry, .. } => {
                should_retry.unwrap_or(matches!(status, 408 | 409 | 429) || *status >= 500)
            }
            ProviderError::Connect { .. } | ProviderError::Timeout { .. } | ProviderError::Stream { .. } => {
                true
            }
            ProviderError::Decode { .. } | ProviderError::Replay(_) | ProviderError::Config(_) => false,
        }
    }

    /// Append `(note)` to the message, e.g. how many attempts were made.
    pub fn add_note(&mut self, note: &str) {
        let message = match self {
            ProviderError::Status { message, .. }
            | ProviderError::Connect { message, .. }
            | ProviderError::Timeout { message, .. }
            | ProviderError::Stream { message, .. }
            | ProviderError::Decode { message, .. } => message,
            ProviderError::Replay(message) | ProviderError::Config(message) => message,
        };
        message.push_str(&format!(" ({note})"));
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ProviderError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Transport errors, sorted into the variants above.
    pub(super) fn transport(provider: &'static str, url: &str, e: reqwest::Error) -> ProviderError {
        // reqwest's Display omits the cause chain, which holds the useful part.
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            message = format!("{message}: {s}");
            source = s.source();
        }
        if e.is_timeout() {
            ProviderError::Timeout { provider, message }
        } else if e.is_connect() {
            ProviderError::Connect { provider, url: url.to_string(), message }
        } else if e.is_body() || e.is_decode() || e.is_request() {
            ProviderError::Stream { provider, message }
        } else {
            ProviderError::Connect { provider, url: url.to_string(), message }
        }
    }
}
