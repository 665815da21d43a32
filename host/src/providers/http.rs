//! The HTTP side both providers share: one pooled client with connect and
//! read timeouts, error bodies turned into [`ProviderError`]s, and server-
//! sent events read as they arrive.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use super::ProviderError;
use super::retry::retry_after;
use super::sse::{Decoder, Event};

/// An API key or token. It prints as `[redacted]`, and its header is marked
/// sensitive, so no log line, panic or error text can carry it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// `None` for an empty value: an empty variable means no key.
    pub fn new(value: impl Into<String>) -> Option<Secret> {
        let value = value.into();
        (!value.trim().is_empty()).then(|| Secret(value.trim().to_string()))
    }

    /// The header carrying it; `prefix` is e.g. `"Bearer "`.
    pub fn header(&self, prefix: &str) -> Result<HeaderValue, ProviderError> {
        let mut value = HeaderValue::from_str(&format!("{prefix}{}", self.0)).map_err(|_| {
            ProviderError::Config("the API key holds characters a header cannot carry".into())
        })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Timeouts of the transport.
#[derive(Debug, Clone)]
pub struct Timeouts {
    pub connect: Duration,
    /// Longest silence while reading an answer; a stream that stalls this
    /// long is given up (and retried).
    pub read: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { connect: Duration::from_secs(10), read: Duration::from_secs(300) }
    }
}

/// A pooled HTTP client; clones share connections.
#[derive(Debug, Clone)]
pub struct Transport {
    client: reqwest::Client,
}

impl Transport {
    pub fn new(timeouts: &Timeouts) -> Result<Transport, ProviderError> {
        install_crypto();
        let client = reqwest::Client::builder()
            .connect_timeout(timeouts.connect)
            .read_timeout(timeouts.read)
            .user_agent(concat!("grove/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ProviderError::Config(format!("starting the HTTP client: {e}")))?;
        Ok(Transport { client })
    }

    /// POST a JSON body; a non-2xx answer becomes a [`ProviderError`]
    /// built from the provider's error body and headers.
    pub async fn post(
        &self,
        provider: &'static str,
        url: &str,
        headers: HeaderMap,
        body: Vec<u8>,
    ) -> Result<reqwest::Response, ProviderError> {
        let response = self
            .client
            .post(url)
            .headers(headers)
            .header(HeaderName::from_static("content-type"), "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| ProviderError::transport(provider, url, e))?;
        if response.status().is_success() {
            return Ok(response);
        }
        Err(status_error(provider, response).await)
    }
}

/// TLS needs one process-wide crypto provider; grove uses ring's.
fn install_crypto() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // An embedding program may have installed one already: keep theirs.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// The error a non-2xx answer stands for.
async fn status_error(provider: &'static str, response: reqwest::Response) -> ProviderError {
    let status = response.status().as_u16();
    let headers = response.headers();
    let retry_after = retry_after(headers);
    let request_id = ["request-id", "x-request-id"]
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok().map(String::from));
    let should_retry = match headers.get("x-should-retry").and_then(|v| v.to_str().ok()) {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    };
    // A gateway's HTML page must not flood the terminal.
    let body = response.text().await.unwrap_or_default();
    let (kind, message) = error_body(&body);
    ProviderError::Status { provider, status, kind, message, request_id, retry_after, should_retry }
}

/// The error type and message of either provider's error body:
/// `{"type":"error","error":{"type","message"}}` (Anthropic),
/// `{"error":{"message","type","code"}}` (OpenAI), `{"error":"text"}` (some
/// local servers), or the text itself, shortened.
fn error_body(body: &str) -> (String, String) {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_string();
    if let Ok(json) = serde_json::from_str::<Value>(body) {
        match json.get("error") {
            Some(Value::Object(e)) => return (text(e.get("type")), text(e.get("message"))),
            Some(Value::String(s)) => return (String::new(), s.clone()),
            _ => {}
        }
    }
    let short: String = body.trim().chars().take(300).collect();
    (String::new(), if short.is_empty() { "(no details)".into() } else { short })
}

/// Read an event stream to its end, handing each event to `each`. A body
/// that ends inside an event was cut off.
pub async fn events(
    provider: &'static str,
    mut response: reqwest::Response,
    mut each: impl FnMut(Event) -> Result<(), ProviderError>,
) -> Result<(), ProviderError> {
    let mut decoder = Decoder::default();
    let mut batch = Vec::new();
    loop {
        let chunk = response.chunk().await.map_err(|e| ProviderError::transport(provider, "", e))?;
        let Some(chunk) = chunk else { break };
        decoder.feed(&chunk, &mut batch);
        for event in batch.drain(..) {
            each(event)?;
        }
    }
    if decoder.pending() {
        return Err(ProviderError::Stream { provider, message: "the stream ended inside an event".into() });
    }
    Ok(())
}

/// Parse one event's JSON data.
pub fn json(provider: &'static str, data: &str) -> Result<Value, ProviderError> {
    serde_json::from_str(data)
        .map_err(|e| ProviderError::Decode { provider, message: format!("{e} in {data:.200}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let key = Secret::new("sk-ant-very-secret").unwrap();
        assert_eq!(format!("{key:?}"), "[redacted]");
        assert!(key.header("Bearer ").unwrap().is_sensitive());
        assert!(Secret::new("  ").is_none());
    }

    #[test]
    fn error_bodies_of_every_shape() {
        let anthropic = r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        assert_eq!(error_body(anthropic), ("overloaded_error".into(), "Overloaded".into()));
        let openai = r#"{"error":{"message":"bad model","type":"invalid_request_error","param":null}}"#;
        assert_eq!(error_body(openai), ("invalid_request_error".into(), "bad model".into()));
        assert_eq!(error_body(r#"{"error":"model not found"}"#), (String::new(), "model not found".into()));
        assert_eq!(error_body("<html>Bad Gateway</html>").1, "<html>Bad Gateway</html>");
        assert_eq!(error_body("").1, "(no details)");
    }
}
