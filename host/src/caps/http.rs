//! `http`: one request to a host the policy allows, its answer read whole.
//!
//! The request is judged by the gate as the URL it will be sent to (parsed
//! first, so the gate and the client read the same host). Redirects are not
//! followed by the client: each hop is a request of its own, judged again
//! before it is made, up to [`MAX_REDIRECTS`]. Addresses on this machine or
//! its networks are reached only when the policy names the host exactly,
//! whether the URL writes the address or a name resolves to it (see
//! `net::addr`). Nothing of the host's goes out with the request: no
//! cookies, no proxy, no credentials; the skill's headers are passed
//! except those that belong to one connection and `Host`.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, Url};

use super::{CapError, Caps, ErrorKind};
use crate::gate::classify::Subject;
use crate::gate::policy::Policy;
use crate::gate::{Action, Permission, Permit, Refusal};
use crate::net::addr::{internal_refusal, is_internal, named_exactly};
use crate::net::client::{self, Internal};
use crate::wit::grove::skill::http::{Host, Request, Response};

/// Timeout when the skill names none; the invocation's deadline caps it.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Redirects followed, each judged as its own request.
pub const MAX_REDIRECTS: usize = 5;
/// Largest request body a skill may send.
const MAX_REQUEST_BODY: usize = 16 << 20;
/// Largest response body read; a longer one fails the call with `limit`.
const MAX_RESPONSE_BODY: usize = 32 << 20;

/// Headers that describe one connection, not the request, and the ones the
/// client sets itself: a skill's are dropped.
const HOP_BY_HOP: [&str; 11] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
];

/// Headers that carry the skill's credentials: not sent on to another origin.
const CREDENTIALS: [&str; 2] = ["authorization", "cookie"];

/// Headers that describe a body: dropped with the body when a redirect
/// turns the request into a `GET`.
const BODY_HEADERS: [&str; 4] = ["content-type", "content-encoding", "content-language", "content-location"];

/// The HTTP client of one invocation, built on the first request the gate
/// allows.
#[derive(Debug, Default)]
pub struct HttpAccess {
    client: Option<reqwest::Client>,
}

impl HttpAccess {
    /// The client, for a request the gate allowed; hosts are resolved
    /// under `policy`.
    fn client(&mut self, permit: &Permit, policy: &Arc<Policy>) -> Result<reqwest::Client, CapError> {
        debug_assert_eq!(permit.permission(), Permission::Http, "only an http permit reaches the network");
        if let Some(client) = &self.client {
            return Ok(client.clone());
        }
        let client = client::build(policy.clone())
            .map_err(|e| CapError::failed("starting the HTTP client").because(e))?;
        Ok(self.client.insert(client).clone())
    }
}

/// One request as it goes out: what a redirect may change.
struct Outgoing {
    method: Method,
    url: Url,
    headers: HeaderMap,
    body: Option<Bytes>,
}

impl Outgoing {
    /// The gate's action for this request (every hop is judged as one).
    fn action(&self) -> Action<'_> {
        let target = self.url.as_str();
        Action {
            capability: "http",
            verb: "send",
            target,
            permission: Permission::Http,
            subject: Subject::Url { method: self.method.as_str(), url: target },
        }
    }
}

impl Host for Caps {
    async fn send(&mut self, req: Request) -> Result<Response, CapError> {
        // The form is checked before the gate: a request grove cannot send
        // is no action, and the gate must judge the URL as it will be sent.
        let mut out = Outgoing {
            method: method(&req.method)?,
            url: url(&req.url)?,
            headers: headers(&req.headers)?,
            body: req.body.map(Bytes::from),
        };
        if out.body.as_ref().is_some_and(|b| b.len() > MAX_REQUEST_BODY) {
            return Err(CapError::limit(format!(
                "the request body is larger than {} MiB",
                MAX_REQUEST_BODY >> 20
            )));
        }
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        let timeout =
            req.timeout_ms.map_or(DEFAULT_TIMEOUT, |ms| Duration::from_millis(ms.into())).min(remaining);
        let until = tokio::time::Instant::now() + timeout;

        for hop in 0..=MAX_REDIRECTS {
            let permit = self.pass(&out, hop).await?;
            let client = self.http.client(&permit, self.gate.policy())?;
            let started = Instant::now();
            let sent = self.exchange(&client, &out, until, timeout).await;
            let told = |status: Option<u16>, bytes: usize, error: Option<&CapError>| {
                serde_json::json!({
                    "method": out.method.as_str(), "url": crate::gate::clip(out.url.as_str()),
                    "status": status, "bytes": bytes, "duration_ms": started.elapsed().as_millis() as u64,
                    "error": error.map(|e| e.to_string()),
                })
            };
            let (status, response) = match sent {
                Ok(sent) => sent,
                Err(e) => {
                    self.tell(crate::transcript::kind::HTTP, || told(None, 0, Some(&e)));
                    return Err(e);
                }
            };
            let bytes = response.body.len();
            self.tell(crate::transcript::kind::HTTP, || told(Some(status.as_u16()), bytes, None));
            match next_hop(&out, status, &response.headers) {
                Some(next) => out = next?,
                None => return Ok(response),
            }
        }
        Err(CapError::limit(format!("{} answered with more than {MAX_REDIRECTS} redirects", req.url)))
    }
}

impl Caps {
    /// Pass `out` through the gate, and refuse (audited) an address the
    /// policy does not name. `hop` counts the redirects so far.
    async fn pass(&mut self, out: &Outgoing, hop: usize) -> Result<Permit, CapError> {
        let action = out.action();
        // A refused hop names itself: the skill asked for another URL.
        let on_hop = |refusal: Refusal| match hop {
            0 => CapError::from(refusal),
            n => CapError::denied(format!("the redirect to {} (hop {n}) was refused", out.url))
                .because(refusal),
        };
        let permit = self.gate.check(action).await.map_err(on_hop)?;
        if let Some(ip) = literal(&out.url)
            && is_internal(ip)
            && !named_exactly(self.gate.policy(), &ip.to_string())
        {
            return Err(on_hop(self.gate.refuse(action, internal_refusal(&ip.to_string(), ip))));
        }
        Ok(permit)
    }

    /// Send `out` and read the answer whole, all before `until`.
    async fn exchange(
        &mut self,
        client: &reqwest::Client,
        out: &Outgoing,
        until: tokio::time::Instant,
        timeout: Duration,
    ) -> Result<(StatusCode, Response), CapError> {
        let mut request = client.request(out.method.clone(), out.url.clone()).headers(out.headers.clone());
        if let Some(body) = &out.body {
            request = request.body(body.clone());
        }
        let work = async {
            let mut response = request.send().await?;
            let status = response.status();
            let headers = response
                .headers()
                .iter()
                .map(|(name, value)| {
                    (name.to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned())
                })
                .collect();
            if response.content_length().is_some_and(|n| n > MAX_RESPONSE_BODY as u64) {
                return Err(Failure::TooLong);
            }
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await? {
                if body.len() + chunk.len() > MAX_RESPONSE_BODY {
                    return Err(Failure::TooLong);
                }
                body.extend_from_slice(&chunk);
            }
            Ok((status, Response { status: status.as_u16(), headers, body }))
        };
        let what = format!("{} {}", out.method, out.url);
        match tokio::time::timeout_at(until, work).await {
            Ok(Ok(answer)) => Ok(answer),
            Err(_) => {
                Err(CapError::timeout(format!("{what}: no whole answer within {} ms", timeout.as_millis())))
            }
            Ok(Err(Failure::TooLong)) => Err(CapError::limit(format!(
                "{what}: the response body is larger than {} MiB",
                MAX_RESPONSE_BODY >> 20
            ))),
            Ok(Err(Failure::Client(e))) => Err(self.client_error(&what, out, e)),
        }
    }

    /// What a failure of the client is to the guest: a name that resolved
    /// only to internal addresses is a refusal (audited); the rest are I/O.
    fn client_error(&mut self, what: &str, out: &Outgoing, e: reqwest::Error) -> CapError {
        if let Some(internal) = cause::<Internal>(&e) {
            let action = out.action();
            return CapError::of(ErrorKind::Denied, self.gate.refuse(action, internal.to_string()));
        }
        let kind = if e.is_timeout() { ErrorKind::Timeout } else { ErrorKind::Io };
        CapError::new(kind, what).because(e)
    }
}

/// Why reading an answer stopped.
enum Failure {
    TooLong,
    Client(reqwest::Error),
}

impl From<reqwest::Error> for Failure {
    fn from(e: reqwest::Error) -> Failure {
        Failure::Client(e)
    }
}

/// The first cause of type `E` in `e`'s chain.
fn cause<'a, E: std::error::Error + 'static>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a E> {
    let mut at = Some(e);
    while let Some(error) = at {
        if let Some(found) = error.downcast_ref::<E>() {
            return Some(found);
        }
        at = error.source();
    }
    None
}

/// The request a redirect answer asks for, when `status` is one and names
/// where to go; `None` when the answer is the response.
fn next_hop(
    out: &Outgoing,
    status: StatusCode,
    headers: &[(String, String)],
) -> Option<Result<Outgoing, CapError>> {
    if !matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let location = headers.iter().find(|(name, _)| name == "location").map(|(_, value)| value)?;
    let next = match out.url.join(location) {
        Ok(next) => next,
        Err(e) => {
            return Some(Err(
                CapError::invalid(format!("{} redirects to {location:?}, not a URL", out.url)).because(e)
            ));
        }
    };
    if !matches!(next.scheme(), "http" | "https") {
        return Some(Err(CapError::invalid(format!(
            "{} redirects to {next}: only http and https are followed",
            out.url
        ))));
    }
    let mut headers = out.headers.clone();
    if next.origin() != out.url.origin() {
        for name in CREDENTIALS {
            headers.remove(name);
        }
    }
    // 303, and 301 and 302 after a POST (as browsers do), ask for a GET
    // without the body; 307 and 308 repeat the request as it was.
    let as_get = match status.as_u16() {
        303 => out.method != Method::HEAD,
        301 | 302 => out.method == Method::POST,
        _ => false,
    };
    let (method, body) = if as_get {
        for name in BODY_HEADERS {
            headers.remove(name);
        }
        (Method::GET, None)
    } else {
        (out.method.clone(), out.body.clone())
    };
    Some(Ok(Outgoing { method, url: next, headers, body }))
}

/// The request's method, as HTTP spells it.
fn method(raw: &str) -> Result<Method, CapError> {
    let method = Method::from_bytes(raw.as_bytes())
        .map_err(|_| CapError::invalid(format!("{raw:?} is not an HTTP method")))?;
    if method == Method::CONNECT {
        return Err(CapError::invalid("CONNECT opens a tunnel, which http.send does not"));
    }
    Ok(method)
}

/// The request's URL as the client will send it: `http` or `https`, with a host.
fn url(raw: &str) -> Result<Url, CapError> {
    let url = Url::parse(raw).map_err(|e| CapError::invalid(format!("{raw:?} is not a URL")).because(e))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(CapError::invalid(format!(
            "{raw:?} uses the `{}` scheme; http.send speaks http and https only",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(CapError::invalid(format!("{raw:?} names no host")));
    }
    Ok(url)
}

/// The address a URL writes as its host, if it writes one (the URL parser
/// has spelled it canonically: `0x7f.1` is `127.0.0.1`).
fn literal(url: &Url) -> Option<IpAddr> {
    let host = url.host_str()?;
    host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host).parse().ok()
}

/// The skill's headers, less those that belong to one connection (and any
/// its `Connection` header lists) and `Host`.
fn headers(given: &[(String, String)]) -> Result<HeaderMap, CapError> {
    let listed: Vec<String> = given
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("connection"))
        .flat_map(|(_, value)| value.split(',').map(|t| t.trim().to_ascii_lowercase()))
        .collect();
    let mut map = HeaderMap::new();
    for (name, value) in given {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| CapError::invalid(format!("{name:?} is not a header name")))?;
        if HOP_BY_HOP.contains(&name.as_str()) || listed.iter().any(|l| l == name.as_str()) {
            continue;
        }
        let value = HeaderValue::from_str(value).map_err(|_| {
            CapError::invalid(format!("the value of header {name} holds characters a header cannot carry"))
        })?;
        map.append(name, value);
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outgoing(method: Method, url: &str, headers: &[(&str, &str)]) -> Outgoing {
        let given: Vec<(String, String)> =
            headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        Outgoing {
            method,
            url: Url::parse(url).unwrap(),
            headers: super::headers(&given).unwrap(),
            body: Some(Bytes::from_static(b"x")),
        }
    }

    fn location(to: &str) -> Vec<(String, String)> {
        vec![("location".into(), to.into())]
    }

    #[test]
    fn connection_headers_and_host_are_dropped() {
        let given = [
            ("Host", "evil.example"),
            ("Connection", "close, X-Secret"),
            ("x-secret", "1"),
            ("Transfer-Encoding", "chunked"),
            ("Accept", "text/plain"),
        ];
        let given: Vec<(String, String)> =
            given.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        let map = headers(&given).unwrap();
        assert_eq!(map.keys().map(|k| k.as_str()).collect::<Vec<_>>(), ["accept"]);
        assert!(headers(&[("bad name".into(), "x".into())]).is_err());
        assert!(headers(&[("x".into(), "a\nb".into())]).is_err());
    }

    #[test]
    fn only_http_urls_with_a_host_are_sent() {
        assert!(url("https://example.com/x").is_ok());
        for bad in ["ftp://example.com/", "file:///etc/passwd", "not a url", "data:text/plain,x"] {
            assert_eq!(url(bad).unwrap_err().kind(), Some(ErrorKind::Invalid), "{bad}");
        }
        assert_eq!(literal(&url("http://0x7f.1:8080/").unwrap()), Some("127.0.0.1".parse().unwrap()));
        assert_eq!(literal(&url("http://[::1]/").unwrap()), Some("::1".parse().unwrap()));
        assert_eq!(literal(&url("http://example.com/").unwrap()), None);
        assert!(method("CONNECT").is_err() && method("GE T").is_err() && method("PATCH").is_ok());
    }

    #[test]
    fn redirects_keep_or_drop_the_body_and_credentials_as_browsers_do() {
        let post = outgoing(
            Method::POST,
            "http://a.example/x",
            &[("Authorization", "t"), ("Content-Type", "text/plain")],
        );
        let next = next_hop(&post, StatusCode::FOUND, &location("/y")).unwrap().unwrap();
        assert_eq!((next.method, next.url.as_str(), next.body), (Method::GET, "http://a.example/y", None));
        assert!(next.headers.contains_key("authorization") && !next.headers.contains_key("content-type"));
        let next =
            next_hop(&post, StatusCode::TEMPORARY_REDIRECT, &location("http://b.example/")).unwrap().unwrap();
        assert_eq!(next.method, Method::POST);
        assert!(
            next.body.is_some() && !next.headers.contains_key("authorization"),
            "not sent to another origin"
        );
        assert!(next_hop(&post, StatusCode::OK, &location("/y")).is_none());
        assert!(next_hop(&post, StatusCode::FOUND, &[]).is_none(), "no Location: the answer is the response");
        let ftp = next_hop(&post, StatusCode::FOUND, &location("ftp://a.example/")).unwrap();
        assert_eq!(ftp.err().and_then(|e| e.kind()), Some(ErrorKind::Invalid));
    }
}
