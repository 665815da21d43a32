//! How a program started to serve (`process.running.start` with `serve`)
//! is reached from the host, and so from the run's browser.
//!
//! The host listens on a free port of its loopback before the program
//! starts; the program is told the port it listens on inside as `$PORT`
//! (the same number unless the skill named another, so that an app which
//! writes its own address into its pages writes the one the browser
//! uses). In the sandbox, the host's port is carried to the program's
//! through its door (`sandbox/inbound.rs`); without a sandbox the program
//! listens on the host's loopback itself and the host's port is let go
//! before it starts.

use std::net::{Ipv4Addr, TcpListener};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinHandle;

use super::{CapError, io_error};
use crate::sandbox::Door;

/// The variable that tells a serving program its port.
pub(super) const PORT: &str = "PORT";

/// A port the host holds for a program about to start.
pub(super) struct Listening {
    host: Option<TcpListener>,
    /// The port the program listens on, on its own loopback.
    pub inside: u16,
}

impl Listening {
    /// Listen on a free loopback port; the program listens on `requested`
    /// inside, or on the same number when it is 0.
    pub fn open(requested: u16) -> Result<Listening, CapError> {
        let host = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .map_err(|e| io_error("listening on the host's loopback", e))?;
        let port = host.local_addr().map_err(|e| io_error("listening on the host's loopback", e))?.port();
        Ok(Listening { host: Some(host), inside: if requested == 0 { port } else { requested } })
    }

    /// The program will run without a sandbox, on the host's loopback:
    /// let the port go so that it can listen there. (Another program of
    /// the machine could take it in between: the program would say so.)
    pub fn without_sandbox(&mut self) {
        self.host = None;
    }

    /// The program started: carry the host's port to its door, or, without
    /// a sandbox, reach it where it listens.
    pub fn serve(self, door: Option<&Door>) -> Result<Serving, CapError> {
        match (self.host, door) {
            (Some(host), Some(door)) => {
                let port =
                    host.local_addr().map_err(|e| io_error("listening on the host's loopback", e))?.port();
                let forward = crate::sandbox::forward(host, door.socket().to_path_buf())
                    .map_err(|e| io_error("forwarding the program's port", e))?;
                Ok(Serving { address: address(port), forward: Some(forward) })
            }
            _ => Ok(Serving { address: address(self.inside), forward: None }),
        }
    }
}

fn address(port: u16) -> String {
    format!("http://127.0.0.1:{port}")
}

/// How long one status check may take, connecting and reading together.
const STATUS_TIMEOUT: Duration = Duration::from_secs(5);
/// Most bytes read for a status line.
const MAX_STATUS_LINE: usize = 1024;

/// A path a status check may ask for: no spaces or control characters
/// that would change the request.
pub(super) fn check_path(path: &str) -> Result<(), CapError> {
    if !path.starts_with('/')
        || path.len() > 2048
        || path.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(CapError::invalid(format!(
            "{path:?} is not a path to ask for: it starts with `/` and has no spaces or control characters"
        )));
    }
    Ok(())
}

/// The status a `GET path` at `address` answers, or `None` while nothing
/// answers (no listener, a closed connection, no status line in time).
pub(super) async fn status(address: &str, path: &str) -> Option<u16> {
    let host = address.strip_prefix("http://")?;
    let ask = async {
        let mut stream = tokio::net::TcpStream::connect(host).await.ok()?;
        let request = format!("GET {path} HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut head = Vec::new();
        let mut buf = [0u8; 256];
        while !head.contains(&b'\n') && head.len() < MAX_STATUS_LINE {
            let n = stream.read(&mut buf).await.ok()?;
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
        let line = String::from_utf8_lossy(&head);
        let mut words = line.split_whitespace();
        words.next().filter(|w| w.starts_with("HTTP/"))?;
        words.next()?.parse().ok()
    };
    tokio::time::timeout(STATUS_TIMEOUT, ask).await.ok().flatten()
}

/// Where a serving program is reached, and the forward that carries the
/// connections (closed when dropped, or by [`Serving::close`]).
pub(super) struct Serving {
    pub address: String,
    forward: Option<JoinHandle<()>>,
}

impl Serving {
    /// Close the host's port and every connection through it, and wait
    /// until they are closed.
    pub async fn close(&mut self) {
        if let Some(forward) = self.forward.take() {
            forward.abort();
            let _ = forward.await;
        }
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        if let Some(forward) = &self.forward {
            forward.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_grove_picks_the_port_of_listens_on_the_host_port_number_inside() {
        let listening = Listening::open(0).unwrap();
        let host = listening.host.as_ref().unwrap().local_addr().unwrap().port();
        assert_eq!(listening.inside, host);
        let named = Listening::open(8000).unwrap();
        assert_eq!(named.inside, 8000);
    }

    /// Without a sandbox the program listens on the host's loopback
    /// itself: the port is let go for it, and the address is its own.
    #[tokio::test]
    async fn without_a_sandbox_the_program_takes_the_port_and_the_address_is_its_own() {
        let mut listening = Listening::open(0).unwrap();
        let port = listening.inside;
        listening.without_sandbox();
        let program = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).expect("the port was let go");
        let serving = listening.serve(None).unwrap();
        assert_eq!(serving.address, format!("http://127.0.0.1:{port}"));
        assert!(serving.forward.is_none());
        drop(program);
    }

    #[test]
    fn only_a_plain_path_is_asked_for() {
        assert!(check_path("/").is_ok());
        assert!(check_path("/health?x=1").is_ok());
        for bad in ["", "health", "/ HTTP/1.0\r\nHost: evil", "/a b", "/\u{7f}"] {
            assert!(check_path(bad).is_err(), "{bad:?}");
        }
    }

    /// A real server on loopback: its status, then none once it is gone.
    #[tokio::test]
    async fn the_status_is_what_the_server_answers_and_none_without_one() {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let address = address(listener.local_addr().unwrap().port());
        let server = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut asked = [0u8; 512];
            let n = stream.read(&mut asked).await.unwrap();
            assert!(asked[..n].starts_with(b"GET /health HTTP/1.0\r\n"));
            stream.write_all(b"HTTP/1.1 503 Service Unavailable\r\n\r\n").await.unwrap();
        });
        assert_eq!(status(&address, "/health").await, Some(503));
        server.await.unwrap();
        assert_eq!(status(&address, "/health").await, None);
    }
}
