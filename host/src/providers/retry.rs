//! Trying a failed completion again: exponential backoff with jitter, and
//! the provider's `retry-after` when it sends one.

use std::time::{Duration, SystemTime};

use super::ProviderError;

/// How often and how patiently to retry.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The first backoff; each retry doubles it.
    pub base: Duration,
    /// No backoff is longer than this.
    pub cap: Duration,
    /// A `retry-after` longer than this is not waited for: the call fails
    /// with the provider's error instead of hanging the session.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(16),
            max_wait: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// How long to wait before retry number `retry` (0-based) after
    /// `error`, or `None` to give up.
    pub fn delay(&self, retry: u32, error: &ProviderError) -> Option<Duration> {
        if retry >= self.max_retries || !error.retryable() {
            return None;
        }
        if let Some(after) = error.retry_after() {
            return (after <= self.max_wait).then_some(after);
        }
        let exp = self.base.saturating_mul(1u32 << retry.min(16)).min(self.cap);
        // Jitter in [50%, 100%]: sessions that failed together do not all
        // come back in the same instant.
        Some(exp.mul_f64(0.5 + fastrand::f64() * 0.5))
    }
}

/// Read `retry-after-ms`, else `retry-after` (seconds, or an HTTP date).
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name)?.to_str().ok().map(str::trim);
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        return Some(Duration::from_secs_f64(ms.max(0.0) / 1000.0));
    }
    let value = text("retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return Some(Duration::from_secs_f64(secs.max(0.0)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn status(code: u16, after: Option<u64>) -> ProviderError {
        ProviderError::Status {
            provider: "test",
            status: code,
            kind: String::new(),
            message: String::new(),
            request_id: None,
            retry_after: after.map(Duration::from_secs),
            should_retry: None,
        }
    }

    #[test]
    fn overload_and_rate_limits_are_retried_with_growing_jittered_waits() {
        let p = RetryPolicy::default();
        for code in [429, 500, 502, 503, 529] {
            assert!(p.delay(0, &status(code, None)).is_some(), "{code}");
        }
        for code in [400, 401, 403, 404, 413] {
            assert!(p.delay(0, &status(code, None)).is_none(), "{code}");
        }
        for retry in 0..4 {
            let d = p.delay(retry, &status(529, None)).unwrap();
            let full = p.base * (1 << retry);
            assert!(d >= full / 2 && d <= full, "{d:?} for retry {retry}");
        }
        assert!(p.delay(4, &status(529, None)).is_none());
    }

    #[test]
    fn retry_after_is_honoured_unless_too_long() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(0, &status(429, Some(3))), Some(Duration::from_secs(3)));
        assert_eq!(p.delay(0, &status(429, Some(3600))), None);
    }

    #[test]
    fn retry_after_headers_in_every_spelling() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(250)));
        let mut h = HeaderMap::new();
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        h.insert("retry-after", HeaderValue::from_str(&later).unwrap());
        let d = retry_after(&h).unwrap();
        assert!(d > Duration::from_secs(25) && d <= Duration::from_secs(30), "{d:?}");
        h.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }
}
