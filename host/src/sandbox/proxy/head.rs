//! The request head a client sends the proxy: read within [`MAX_HEAD`],
//! parsed with `httparse`, routed, and rewritten for the next hop.

use tokio::io::{AsyncRead, AsyncReadExt};

use super::MAX_HEAD;

/// More headers than this is not a request any client sends.
const MAX_HEADERS: usize = 100;

/// A parsed request head, and what the client sent after it.
pub(super) struct Head {
    method: String,
    target: String,
    minor_version: u8,
    headers: Vec<(String, Vec<u8>)>,
    pub(super) rest: Vec<u8>,
}

pub(super) enum HeadError {
    /// Not a request this proxy serves: 400 with the reason.
    Bad(String),
    /// The client went away before a whole head.
    Gone,
}

/// Read up to [`MAX_HEAD`] bytes until they hold a whole request head.
pub(super) async fn read_head<S: AsyncRead + Unpin>(client: &mut S) -> Result<Head, HeadError> {
    let mut buf = vec![0u8; MAX_HEAD];
    let mut filled = 0;
    loop {
        let n = client.read(&mut buf[filled..]).await.map_err(|_| HeadError::Gone)?;
        if n == 0 {
            return Err(if filled == 0 {
                HeadError::Gone
            } else {
                HeadError::Bad("the request ended inside its head".into())
            });
        }
        filled += n;
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(&buf[..filled]) {
            Ok(httparse::Status::Complete(len)) => {
                return Ok(Head {
                    method: request.method.unwrap_or_default().to_string(),
                    target: request.path.unwrap_or_default().to_string(),
                    minor_version: request.version.unwrap_or(1),
                    headers: request.headers.iter().map(|h| (h.name.to_string(), h.value.to_vec())).collect(),
                    rest: buf[len..filled].to_vec(),
                });
            }
            Ok(httparse::Status::Partial) if filled == MAX_HEAD => {
                return Err(HeadError::Bad(format!("the request head is over {} KiB", MAX_HEAD / 1024)));
            }
            Ok(httparse::Status::Partial) => {}
            Err(e) => return Err(HeadError::Bad(format!("not an HTTP/1.1 request ({e})"))),
        }
    }
}

/// Hop-by-hop headers: for this connection, not the next one. Transfer-Encoding
/// stays, because the body is passed on as the client framed it.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "proxy-authenticate",
    "te",
    "trailer",
    "upgrade",
];

impl Head {
    /// Whether it is a tunnel, and the host and port it goes to.
    pub(super) fn route(&self) -> Result<(bool, String, u16), String> {
        if self.method == "CONNECT" {
            let (host, port) = authority(&self.target, None)?;
            return Ok((true, host, port));
        }
        let (scheme, rest) = self.target.split_once("://").unwrap_or(("", &self.target));
        if scheme.eq_ignore_ascii_case("https") {
            return Err("an https URL goes through a tunnel: CONNECT host:443".into());
        }
        if !scheme.eq_ignore_ascii_case("http") {
            return Err(format!(
                "`{}` is not an http:// URL (a proxy needs the whole URL)",
                self.target.escape_debug()
            ));
        }
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (host, port) = authority(&rest[..end], Some(80))?;
        Ok((false, host, port))
    }

    /// The head sent upstream: origin-form, the URL's host, hop-by-hop
    /// headers out, and one request per connection.
    pub(super) fn forwarded(&self, port: u16) -> Vec<u8> {
        let rest = self.target.split_once("://").map_or("", |(_, r)| r);
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (host_port, path) = rest.split_at(end);
        let path = path.split('#').next().unwrap_or("");
        let path = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
        let host_port = if port == 80 { host_port.trim_end_matches(":80") } else { host_port };
        // Connection may name more headers that are for this hop alone.
        let listed: Vec<String> = self
            .headers
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case("connection"))
            .flat_map(|(_, v)| {
                String::from_utf8_lossy(v)
                    .split(',')
                    .map(|s| s.trim().to_ascii_lowercase())
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut out =
            format!("{} {path} HTTP/1.{}\r\nHost: {host_port}\r\n", self.method, self.minor_version)
                .into_bytes();
        for (name, value) in &self.headers {
            let lower = name.to_ascii_lowercase();
            if lower == "host" || HOP_BY_HOP.contains(&lower.as_str()) || listed.contains(&lower) {
                continue;
            }
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"Connection: close\r\n\r\n");
        out
    }
}

/// `host:port` (`[v6]:port`) as a host and a port; the port may be left out
/// only when there is a default.
pub(super) fn authority(text: &str, default: Option<u16>) -> Result<(String, u16), String> {
    let bad = || format!("`{}` is not host:port", text.escape_debug());
    if text.contains('@') {
        return Err(format!("`{}`: credentials do not go in the URL through a proxy", text.escape_debug()));
    }
    let (host, port) = if let Some(inner) = text.strip_prefix('[') {
        let (host, after) = inner.split_once(']').ok_or_else(bad)?;
        (host, if after.is_empty() { None } else { Some(after.strip_prefix(':').ok_or_else(bad)?) })
    } else {
        match text.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        }
    };
    let port = match port {
        Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => p.parse::<u16>().ok().filter(|p| *p != 0),
        Some(_) => None,
        None => default,
    };
    match port {
        Some(port) if !host.is_empty() => Ok((host.to_string(), port)),
        _ => Err(bad()),
    }
}
