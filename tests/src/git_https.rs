//! A git server over HTTPS on `127.0.0.1`, as GitHub serves repositories:
//! git's smart HTTP protocol, answered by git's own `git http-backend` (the
//! CGI program git ships for exactly this), behind TLS with a certificate
//! made for the run. A client trusts it through `GIT_SSL_CAINFO`
//! ([`GitHttps::ca_file`]). Every bare repository beneath its root is
//! served, and pushes need no account; [`GitHttps::start_locked`] answers
//! every request `401`, as a private repository does without credentials.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tempfile::TempDir;

use crate::loopback::Loopback;

/// Largest request body read (a push of a test's few commits is far less).
const MAX_BODY: usize = 64 << 20;

pub struct GitHttps {
    server: Loopback<State>,
    /// The certificate and its key.
    tls_dir: TempDir,
}

struct State {
    root: PathBuf,
    tls: Arc<rustls::ServerConfig>,
    locked: bool,
}

impl GitHttps {
    /// Serve the bare repositories beneath `root`.
    pub fn start(root: &Path) -> GitHttps {
        GitHttps::with(root, false)
    }

    /// A server that wants credentials for everything, and accepts none.
    pub fn start_locked(root: &Path) -> GitHttps {
        GitHttps::with(root, true)
    }

    fn with(root: &Path, locked: bool) -> GitHttps {
        let tls_dir = tempfile::tempdir().expect("a folder for the certificate");
        let (cert, key) = (tls_dir.path().join("cert.pem"), tls_dir.path().join("key.pem"));
        let made = Command::new("openssl")
            .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"])
            .args(["-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .expect("the openssl program makes the test certificate");
        assert!(made.status.success(), "openssl: {}", String::from_utf8_lossy(&made.stderr));
        let chain: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(&cert).expect("the certificate").map(|c| c.unwrap()).collect();
        let key = PrivateKeyDer::from_pem_file(&key).expect("the key");
        let tls =
            rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .expect("TLS versions")
                .with_no_client_auth()
                .with_single_cert(chain, key)
                .expect("the certificate fits its key");
        let state = State { root: root.to_path_buf(), tls: Arc::new(tls), locked };
        GitHttps { server: Loopback::start("git-https", |_| state, serve), tls_dir }
    }

    /// The URL of the repository `name` (a folder beneath the root).
    pub fn url(&self, name: &str) -> String {
        format!("https://{}/{name}", self.addr())
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The certificate to trust (`GIT_SSL_CAINFO`).
    pub fn ca_file(&self) -> PathBuf {
        self.tls_dir.path().join("cert.pem")
    }
}

/// One request per connection, answered with `Connection: close`.
fn serve(stream: TcpStream, state: &State) {
    let Ok(connection) = rustls::ServerConnection::new(Arc::clone(&state.tls)) else { return };
    let mut tls = rustls::StreamOwned::new(connection, stream);
    let Some(request) = Request::read(&mut tls) else { return };
    let response = if state.locked {
        b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"git\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .to_vec()
    } else {
        backend(&request, &state.root)
    };
    let _ = tls.write_all(&response);
    let _ = tls.flush();
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

struct Request {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn read(stream: &mut impl Read) -> Option<Request> {
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let mut parts = line.split_whitespace();
        let method = parts.next()?.to_string();
        let target = parts.next()?.to_string();
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).ok()?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':')?;
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
        let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        let body = if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
            read_chunked(&mut reader)?
        } else {
            let length: usize = header("content-length").map_or(Some(0), |v| v.parse().ok())?;
            if length > MAX_BODY {
                return None;
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).ok()?;
            body
        };
        Some(Request { method, path: path.to_string(), query: query.to_string(), headers, body })
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

fn read_chunked(reader: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        reader.read_line(&mut size).ok()?;
        let size = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
        if size == 0 || body.len() + size > MAX_BODY {
            let mut end = String::new();
            reader.read_line(&mut end).ok()?;
            return (size == 0).then_some(body);
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..]).ok()?;
        let mut crlf = [0; 2];
        reader.read_exact(&mut crlf).ok()?;
    }
}

/// Run `git http-backend` for `request` and turn its CGI answer into an
/// HTTP response.
fn backend(request: &Request, root: &Path) -> Vec<u8> {
    let mut cgi = Command::new("git");
    cgi.arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        // Pushes without an account: `receive-pack` is off by default for
        // anonymous clients.
        .env("GIT_CONFIG_COUNT", "1")
        .env("GIT_CONFIG_KEY_0", "http.receivepack")
        .env("GIT_CONFIG_VALUE_0", "true")
        .env("REQUEST_METHOD", &request.method)
        .env("PATH_INFO", &request.path)
        .env("QUERY_STRING", &request.query)
        .env("CONTENT_LENGTH", request.body.len().to_string())
        .env("REMOTE_ADDR", "127.0.0.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (header, var) in [
        ("content-type", "CONTENT_TYPE"),
        ("git-protocol", "GIT_PROTOCOL"),
        ("content-encoding", "HTTP_CONTENT_ENCODING"),
    ] {
        if let Some(value) = request.header(header) {
            cgi.env(var, value);
        }
    }
    let Ok(mut child) = cgi.spawn() else {
        return b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .to_vec();
    };
    let mut stdin = child.stdin.take().expect("piped");
    let body = request.body.clone();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    let out = child.wait_with_output().map(|o| o.stdout).unwrap_or_default();
    let _ = writer.join();
    // CGI: header lines, a blank line, the body; `Status:` sets the code.
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, 4))
        .or_else(|| out.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2)));
    let Some((end, gap)) = split else {
        return b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec();
    };
    let head = String::from_utf8_lossy(&out[..end]);
    let mut status = "200 OK".to_string();
    let mut response = Vec::new();
    let mut headers = String::new();
    for line in head.lines().map(str::trim_end).filter(|l| !l.is_empty()) {
        match line.split_once(':') {
            Some((name, value)) if name.eq_ignore_ascii_case("status") => status = value.trim().to_string(),
            _ => headers.push_str(&format!("{line}\r\n")),
        }
    }
    let body = &out[end + gap..];
    response.extend_from_slice(
        format!("HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n", body.len())
            .as_bytes(),
    );
    response.extend_from_slice(body);
    response
}
