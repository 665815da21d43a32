//! Just enough HTTP/1.1 for a test server (this one and `slack_server`): read requests (Content-Length
//! or chunked bodies, several per connection) and write responses, either
//! whole with a Content-Length or as a chunked stream written one chunk at
//! a time, so a client sees each SSE event as soon as it is sent.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;

use serde_json::Value;

use super::Recorded;

/// The longest request line or header line read; longer is an error.
const MAX_LINE: u64 = 64 * 1024;

/// One parsed request.
pub(crate) struct Request {
    pub(crate) method: String,
    pub(crate) path: String,
    /// Names lowercased.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    /// The client wants the connection closed after the response.
    pub(crate) close: bool,
}

impl Request {
    pub(super) fn into_recorded(self) -> Recorded {
        let raw_body = String::from_utf8_lossy(&self.body).into_owned();
        let body = serde_json::from_str(&raw_body).unwrap_or(Value::Null);
        Recorded { method: self.method, path: self.path, headers: self.headers, body, raw_body }
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Read the next request on a connection; `None` when the client closed it
/// cleanly between requests. `out` is the same connection, for `100 Continue`.
pub(crate) fn read_request(
    reader: &mut BufReader<TcpStream>,
    out: &mut TcpStream,
) -> io::Result<Option<Request>> {
    // Tolerate blank lines before a request line (RFC 9112 §2.2).
    let request_line = loop {
        match read_line(reader)? {
            None => return Ok(None),
            Some(line) if line.is_empty() => continue,
            Some(line) => break line,
        }
    };
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(path), Some(version)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid(format!("bad request line {request_line:?}")));
    };
    let (method, path, version) = (method.to_owned(), path.to_owned(), version.to_owned());

    let mut headers = Vec::new();
    loop {
        let line = read_line(reader)?.ok_or_else(|| invalid("connection closed in the headers"))?;
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').ok_or_else(|| invalid(format!("bad header {line:?}")))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }

    let mut request = Request { method, path, headers, body: Vec::new(), close: false };
    let connection = request.header("connection").unwrap_or("").to_ascii_lowercase();
    request.close =
        connection.contains("close") || (version == "HTTP/1.0" && !connection.contains("keep-alive"));

    if request.header("expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue")) {
        out.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    let chunked =
        request.header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        request.body = read_chunked(reader)?;
    } else if let Some(length) = request.header("content-length") {
        let length: usize = length.parse().map_err(|_| invalid(format!("bad content-length {length:?}")))?;
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        request.body = body;
    }
    Ok(Some(request))
}

/// A chunked body: `<hex size>[;ext]\r\n<data>\r\n` ... `0\r\n<trailers>\r\n`.
fn read_chunked(reader: &mut BufReader<TcpStream>) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line = read_line(reader)?.ok_or_else(|| invalid("connection closed in a chunked body"))?;
        let size = line.split(';').next().unwrap_or("").trim();
        let size =
            usize::from_str_radix(size, 16).map_err(|_| invalid(format!("bad chunk size {line:?}")))?;
        if size == 0 {
            // Trailers, if any, up to the blank line.
            while read_line(reader)?.is_some_and(|line| !line.is_empty()) {}
            return Ok(body);
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        if read_line(reader)?.is_none_or(|line| !line.is_empty()) {
            return Err(invalid("chunk not followed by CRLF"));
        }
    }
}

/// One line without its `\r\n` (or bare `\n`); `None` at end of stream.
fn read_line(reader: &mut BufReader<TcpStream>) -> io::Result<Option<String>> {
    let mut line = Vec::new();
    reader.by_ref().take(MAX_LINE).read_until(b'\n', &mut line)?;
    if line.is_empty() {
        return Ok(None);
    }
    if line.pop() != Some(b'\n') {
        return Err(invalid("line too long or cut short"));
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    String::from_utf8(line).map(Some).map_err(|_| invalid("line is not UTF-8"))
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

/// Status line and headers, up to and including the blank line.
fn head(code: u16, headers: &[(String, String)]) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {code} {}\r\n", reason(code));
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// A whole response with a `content-length`, written with one call.
pub(crate) fn write_plain(
    out: &mut TcpStream,
    code: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> io::Result<()> {
    let mut response = head(code, &with_length(headers, body.len()));
    response.extend_from_slice(body);
    out.write_all(&response)?;
    out.flush()
}

/// The head (announcing the whole body) and only the first half of the
/// body: a connection dropped mid-response.
pub(super) fn write_truncated(
    out: &mut TcpStream,
    code: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> io::Result<()> {
    let mut response = head(code, &with_length(headers, body.len()));
    response.extend_from_slice(&body[..body.len() / 2]);
    out.write_all(&response)?;
    out.flush()
}

fn with_length(headers: &[(String, String)], length: usize) -> Vec<(String, String)> {
    let mut headers = headers.to_vec();
    headers.push(("content-length".to_owned(), length.to_string()));
    headers
}

/// A response body sent with `transfer-encoding: chunked`, one chunk per
/// [`Chunked::chunk`] call. Dropping it without [`Chunked::finish`] leaves
/// the body unterminated, which is how a cut is made.
pub(super) struct Chunked<'a> {
    out: &'a mut TcpStream,
}

impl<'a> Chunked<'a> {
    /// Write the head of a chunked response.
    pub(super) fn start(out: &'a mut TcpStream, code: u16, headers: &[(String, String)]) -> io::Result<Self> {
        let mut headers = headers.to_vec();
        headers.push(("transfer-encoding".to_owned(), "chunked".to_owned()));
        out.write_all(&head(code, &headers))?;
        out.flush()?;
        Ok(Chunked { out })
    }

    /// Send `data` as one chunk, now.
    pub(super) fn chunk(&mut self, data: &[u8]) -> io::Result<()> {
        if data.is_empty() {
            return Ok(()); // an empty chunk would end the body
        }
        let mut chunk = format!("{:x}\r\n", data.len()).into_bytes();
        chunk.extend_from_slice(data);
        chunk.extend_from_slice(b"\r\n");
        self.out.write_all(&chunk)?;
        self.out.flush()
    }

    /// End the body properly: the last (empty) chunk.
    pub(super) fn finish(self) -> io::Result<()> {
        self.out.write_all(b"0\r\n\r\n")?;
        self.out.flush()
    }
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        529 => "Overloaded",
        _ => "Unknown",
    }
}
