//! Who may use the page, on a machine other people and other programs
//! share:
//!
//! - the server listens on 127.0.0.1 only (see `server.rs`);
//! - a request whose `Host` is not `127.0.0.1:PORT` or `localhost:PORT` is
//!   refused with 403: a page of some web site whose name an attacker
//!   points at 127.0.0.1 (DNS rebinding) sends its own name;
//! - a random token from the OS's generator is in the URL grove prints;
//!   presented once, it becomes an `HttpOnly`, `SameSite=Strict` cookie
//!   named after the port (two servers on one machine keep theirs apart),
//!   and a request with neither is refused with 401;
//! - every request that changes something is a POST carrying the server's
//!   CSRF token (a second random value, in the page's `<meta>`), in the
//!   `x-csrf-token` header or a `csrf` form field, and from our own origin
//!   when it names one; anything else is refused with 403.
//!
//! Tokens are compared in constant time.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::server::App;

/// The two secrets of one server.
#[derive(Clone)]
pub struct Secrets {
    /// Opens the door: in the printed URL, then in the cookie.
    pub token: String,
    /// Proves a change comes from one of our pages.
    pub csrf: String,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets { .. }")
    }
}

impl Secrets {
    /// Two fresh 256-bit values from the OS's random number generator.
    pub fn new() -> Result<Secrets, getrandom::Error> {
        Ok(Secrets { token: random_hex()?, csrf: random_hex()? })
    }
}

fn random_hex() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether `given` is `secret`, in time that depends only on their lengths.
pub fn same(given: &str, secret: &str) -> bool {
    let (a, b) = (given.as_bytes(), secret.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The cookie that carries the token on port `port`.
pub fn cookie_name(port: u16) -> String {
    format!("grove-serve-{port}")
}

/// The most a form may weigh when its CSRF token has to be read from it.
const MAX_FORM: usize = 64 * 1024;

/// Every request passes here first: the Host, then the token, then, for a
/// change, the CSRF token.
pub async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let port = app.port;
    if !host_is_ours(request.headers(), port) {
        return refuse(
            StatusCode::FORBIDDEN,
            &format!("grove serve answers only to http://127.0.0.1:{port} and http://localhost:{port}"),
        );
    }
    if let Some(given) = query_token(request.uri().query()) {
        if !same(&given, &app.secrets.token) {
            return refuse(StatusCode::UNAUTHORIZED, "that token is not this server's");
        }
        return adopt_token(&request, port, &app.secrets.token);
    }
    if !cookie_is_ours(request.headers(), port, &app.secrets.token) {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "open the address `grove serve` printed: it carries the token that lets you in",
        );
    }
    if request.method() == Method::GET || request.method() == Method::HEAD {
        return next.run(request).await;
    }
    if !origin_is_ours(request.headers(), port) {
        return refuse(StatusCode::FORBIDDEN, "a change may come only from grove serve's own pages");
    }
    let header_token =
        request.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_string);
    if let Some(given) = header_token {
        return if same(&given, &app.secrets.csrf) { next.run(request).await } else { csrf_refused() };
    }
    // A plain form (no script): the token is one of its fields.
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM).await else {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, "the form is too large");
    };
    let field = form_urlencoded::parse(&bytes).find(|(k, _)| k == "csrf").map(|(_, v)| v.into_owned());
    match field {
        Some(given) if same(&given, &app.secrets.csrf) => {
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
        _ => csrf_refused(),
    }
}

fn csrf_refused() -> Response {
    refuse(StatusCode::FORBIDDEN, "the CSRF token is missing or wrong: reload the page and try again")
}

/// A refusal, as plain text.
fn refuse(status: StatusCode, why: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{why}\n")).into_response()
}

/// Whether the request names our address: the one a DNS-rebinding page
/// cannot send.
fn host_is_ours(headers: &HeaderMap, port: u16) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else { return false };
    host == format!("127.0.0.1:{port}") || host.eq_ignore_ascii_case(&format!("localhost:{port}"))
}

/// A change's `Origin`, when the browser sends one, must be ours.
fn origin_is_ours(headers: &HeaderMap, port: u16) -> bool {
    match headers.get(header::ORIGIN).map(|o| o.to_str().unwrap_or("")) {
        None => true,
        Some(origin) => {
            origin == format!("http://127.0.0.1:{port}")
                || origin.eq_ignore_ascii_case(&format!("http://localhost:{port}"))
        }
    }
}

fn query_token(query: Option<&str>) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes()).find(|(k, _)| k == "token").map(|(_, v)| v.into_owned())
}

fn cookie_is_ours(headers: &HeaderMap, port: u16, token: &str) -> bool {
    let name = cookie_name(port);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(k, v)| k == name && same(v, token))
}

/// The token was right: keep it in a cookie and send the browser to the
/// same address without it, so it stays out of the history and the
/// address bar.
fn adopt_token(request: &Request, port: u16, token: &str) -> Response {
    let rest: Vec<(String, String)> = form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes())
        .filter(|(k, _)| k != "token")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut location = request.uri().path().to_string();
    if !rest.is_empty() {
        location.push('?');
        location.push_str(&form_urlencoded::Serializer::new(String::new()).extend_pairs(rest).finish());
    }
    let cookie = format!("{}={token}; HttpOnly; SameSite=Strict; Path=/", cookie_name(port));
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    headers
        .insert(header::LOCATION, HeaderValue::from_str(&location).unwrap_or(HeaderValue::from_static("/")));
    headers.insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("hex is a valid header"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn secrets_are_long_random_and_distinct() {
        let (a, b) = (Secrets::new().unwrap(), Secrets::new().unwrap());
        assert_eq!(a.token.len(), 64);
        assert!(a.token.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a.token, a.csrf);
        assert_ne!(a.token, b.token);
    }

    #[test]
    fn tokens_match_only_whole() {
        assert!(same("abc", "abc"));
        assert!(!same("abd", "abc") && !same("ab", "abc") && !same("abcd", "abc") && !same("", "abc"));
    }

    #[test]
    fn only_our_own_address_is_answered() {
        assert!(host_is_ours(&headers(&[("host", "127.0.0.1:8123")]), 8123));
        assert!(host_is_ours(&headers(&[("host", "localhost:8123")]), 8123));
        for foreign in
            ["evil.example:8123", "127.0.0.1:8124", "127.0.0.1", "localhost", "127.0.0.1:8123.evil"]
        {
            assert!(!host_is_ours(&headers(&[("host", foreign)]), 8123), "{foreign}");
        }
        assert!(!host_is_ours(&HeaderMap::new(), 8123));
        assert!(origin_is_ours(&HeaderMap::new(), 1));
        assert!(origin_is_ours(&headers(&[("origin", "http://127.0.0.1:1")]), 1));
        assert!(!origin_is_ours(&headers(&[("origin", "null")]), 1));
        assert!(!origin_is_ours(&headers(&[("origin", "http://evil.example")]), 1));
    }

    #[test]
    fn the_cookie_is_found_among_others_and_by_its_port() {
        let jar = headers(&[("cookie", "a=b; grove-serve-9=tok; c=d")]);
        assert!(cookie_is_ours(&jar, 9, "tok"));
        assert!(!cookie_is_ours(&jar, 10, "tok"));
        assert!(!cookie_is_ours(&headers(&[("cookie", "grove-serve-9=tok2")]), 9, "tok"));
    }
}
