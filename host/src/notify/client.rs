//! The Slack Web API client: one method call is one POST to
//! `<api>/<method>` with the bot token as a bearer header, answered with
//! HTTP 200 and `{"ok": true, …}` or `{"ok": false, "error": "…"}`.
//!
//! Bodies are JSON (`application/json; charset=utf-8`: without the charset
//! Slack warns) for the methods that read JSON, and form-encoded for those
//! documented as form-only (`users.lookupByEmail`, `conversations.list`,
//! `files.getUploadURLExternal`). A `429` is waited out for as long as its
//! `Retry-After` asks, up to [`MAX_WAIT`] a time and [`MAX_RETRIES`] times
//! (and never past the caller's deadline); longer, and the call fails with
//! [`Error::RateLimited`]. The client follows no redirect, so the token
//! goes to the configured API and nowhere else.

use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use serde_json::Value;

use super::config::{SlackConfig, Token};
use super::error::Error;

/// Longest `Retry-After` waited out; Slack's tiers reset within a minute.
pub const MAX_WAIT: Duration = Duration::from_secs(30);
/// `429`s waited out for one call.
pub const MAX_RETRIES: u32 = 3;
/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A method's arguments, in the body the method reads.
pub enum Body<'a> {
    Json(&'a Value),
    Form(&'a [(&'a str, String)]),
}

/// A client of one workspace's Web API.
#[derive(Debug, Clone)]
pub struct Slack {
    api: String,
    token: Token,
    http: reqwest::Client,
    /// When the caller must have an answer: waits and requests end by then.
    deadline: Option<Instant>,
}

impl Slack {
    /// A client for `config`; without a token, [`Error::NoToken`].
    pub fn new(config: &SlackConfig) -> Result<Slack, Error> {
        let token = config.token.clone().ok_or_else(|| Error::NoToken { config: config.file.clone() })?;
        // TLS needs one process-wide crypto provider; another client may
        // have installed it already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("grove/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| Error::Transport { method: "(starting the client)".into(), source })?;
        Ok(Slack { api: config.api.clone(), token, http, deadline: None })
    }

    /// A client as the user set Slack up (`[slack]` of their config.toml,
    /// `$SLACK_BOT_TOKEN`, `$GROVE_SLACK_API`).
    pub fn from_user_config() -> Result<Slack, Error> {
        Slack::new(&SlackConfig::load()?)
    }

    /// The same client, giving up at `deadline`.
    pub fn with_deadline(mut self, deadline: Instant) -> Slack {
        self.deadline = Some(deadline);
        self
    }

    /// The base URL of the Web API.
    pub fn api(&self) -> &str {
        &self.api
    }

    /// Call `method`; its answer when `ok` is true.
    pub async fn call(&self, method: &str, body: Body<'_>) -> Result<Value, Error> {
        let url = format!("{}/{method}", self.api);
        let mut retries = 0;
        loop {
            let mut request = self
                .http
                .post(&url)
                .header(AUTHORIZATION, format!("Bearer {}", self.token.expose()))
                .timeout(self.timeout());
            request = match &body {
                Body::Json(value) => request
                    .header(CONTENT_TYPE, "application/json; charset=utf-8")
                    .body(serde_json::to_vec(value).expect("JSON values serialize")),
                Body::Form(pairs) => request.header(CONTENT_TYPE, "application/x-www-form-urlencoded").body(
                    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs.iter()).finish(),
                ),
            };
            let transport = |source| Error::Transport { method: method.to_string(), source };
            let response = request.send().await.map_err(transport)?;
            let status = response.status().as_u16();
            if status == 429 {
                let wait = retry_after(response.headers());
                if retries >= MAX_RETRIES || wait > MAX_WAIT || !self.can_wait(wait) {
                    return Err(Error::RateLimited { method: method.into(), retry_after: wait });
                }
                tracing::debug!(method, wait_ms = wait.as_millis() as u64, "Slack asked to wait");
                tokio::time::sleep(wait).await;
                retries += 1;
                continue;
            }
            let bytes = response.bytes().await.map_err(transport)?;
            let answer: Value = match serde_json::from_slice(&bytes) {
                Ok(answer) => answer,
                Err(_) if status != 200 => return Err(Error::Status { method: method.into(), status }),
                Err(e) => return Err(Error::Answer { method: method.into(), message: e.to_string() }),
            };
            return match answer["ok"].as_bool() {
                Some(true) => Ok(answer),
                Some(false) => Err(Error::Api {
                    method: method.into(),
                    code: answer["error"].as_str().unwrap_or("unknown_error").to_string(),
                    needed: answer["needed"].as_str().map(str::to_string),
                }),
                None if status != 200 => Err(Error::Status { method: method.into(), status }),
                None => Err(Error::Answer { method: method.into(), message: "no `ok` field".into() }),
            };
        }
    }

    /// POST `bytes` to a file's upload URL (step two of an upload). The
    /// URL is Slack's to give, so it must be https, or on the API's own
    /// host (a test server): the bytes go nowhere else. It needs no token,
    /// and gets none.
    pub(super) async fn put_bytes(&self, url: &str, file: &str, bytes: Vec<u8>) -> Result<(), Error> {
        let parsed = reqwest::Url::parse(url).map_err(|_| Error::UploadUrl { url: url.into() })?;
        let api = reqwest::Url::parse(&self.api).ok();
        let same_origin = api.is_some_and(|api| api.origin() == parsed.origin());
        if parsed.scheme() != "https" && !same_origin {
            return Err(Error::UploadUrl { url: url.into() });
        }
        let method = "the upload URL";
        let response = self
            .http
            .post(parsed)
            .header(CONTENT_TYPE, "application/octet-stream")
            .body(bytes)
            .timeout(self.timeout())
            .send()
            .await
            .map_err(|source| Error::Transport { method: method.into(), source })?;
        match response.status().as_u16() {
            200 => Ok(()),
            status => Err(Error::Upload { file: file.into(), status }),
        }
    }

    /// The time one request may take: [`TIMEOUT`], less if the deadline is near.
    fn timeout(&self) -> Duration {
        match self.deadline {
            Some(deadline) => {
                TIMEOUT.min(deadline.saturating_duration_since(Instant::now())).max(Duration::from_millis(1))
            }
            None => TIMEOUT,
        }
    }

    /// Whether waiting `wait` still leaves time before the deadline.
    fn can_wait(&self, wait: Duration) -> bool {
        self.deadline.is_none_or(|deadline| Instant::now() + wait < deadline)
    }
}

/// `Retry-After` in seconds (Slack's spelling) or as an HTTP date; a
/// second when it is missing or unreadable.
fn retry_after(headers: &HeaderMap) -> Duration {
    let Some(value) = headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok()) else {
        return Duration::from_secs(1);
    };
    if let Ok(seconds) = value.trim().parse::<u64>() {
        return Duration::from_secs(seconds);
    }
    httpdate::parse_http_date(value)
        .ok()
        .map(|at| at.duration_since(std::time::SystemTime::now()).unwrap_or_default())
        .unwrap_or(Duration::from_secs(1))
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), Duration::from_secs(1));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Duration::from_secs(7));
        let later = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(120));
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&later).unwrap());
        let wait = retry_after(&headers);
        assert!(wait > Duration::from_secs(100) && wait <= Duration::from_secs(120), "{wait:?}");
    }
}
