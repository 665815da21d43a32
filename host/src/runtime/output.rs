//! The output budget shared by a skill's log lines, stdout and stderr, and
//! the WASI stdio streams that draw on it.

use std::collections::VecDeque;
use std::io::Write;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError, StreamResult};

use super::limits::LimitExceeded;

/// Bytes a skill may still print. Cloned handles share one counter.
#[derive(Debug, Clone)]
pub struct OutputBudget {
    used: Arc<AtomicUsize>,
    limit: usize,
}

impl OutputBudget {
    pub fn new(limit: usize) -> Self {
        OutputBudget { used: Arc::new(AtomicUsize::new(0)), limit }
    }

    /// Take `bytes` from the budget, or say which limit was hit.
    pub fn charge(&self, bytes: usize) -> Result<(), LimitExceeded> {
        let before = self.used.fetch_add(bytes, Ordering::Relaxed);
        if before.saturating_add(bytes) > self.limit {
            return Err(LimitExceeded::Output(self.limit));
        }
        Ok(())
    }
}

/// Bytes of a guest's stderr kept for when it crashes: a traceback's worth.
pub const TAIL: usize = 4096;

/// A guest's stdout or stderr: forwarded to the host's stderr (stdout is
/// reserved for the skill's result), charged against the budget. Its
/// stderr also keeps its last [`TAIL`] bytes: when the guest traps, what it
/// said last (a Python traceback, a JavaScript exception) goes with the
/// crash to where no terminal saw it stream by (a session's transcript).
#[derive(Debug, Clone)]
pub struct GuestConsole {
    budget: OutputBudget,
    tail: Option<Arc<Mutex<VecDeque<u8>>>>,
}

impl GuestConsole {
    pub fn new(budget: OutputBudget) -> Self {
        GuestConsole { budget, tail: None }
    }

    /// A console that keeps the tail of what passes through it.
    pub fn keeping_tail(budget: OutputBudget) -> Self {
        GuestConsole { budget, tail: Some(Arc::default()) }
    }

    /// The last lines the guest wrote, whole lines only, made safe for a
    /// terminal; empty when it wrote nothing (or nothing is kept).
    pub fn tail(&self) -> String {
        let Some(tail) = &self.tail else { return String::new() };
        let bytes: Vec<u8> = tail.lock().expect("not poisoned").iter().copied().collect();
        let text = String::from_utf8_lossy(&bytes);
        // Cut at the first line break when the start fell out of the
        // window: half a line (or half a character) is noise.
        let text = match bytes.len() >= TAIL {
            true => text.split_once('\n').map_or("", |(_, rest)| rest),
            false => &text,
        };
        crate::text::sanitize(text.trim_end()).into_owned()
    }

    fn write_all(&self, bytes: &[u8]) -> Result<(), LimitExceeded> {
        self.budget.charge(bytes.len())?;
        if let Some(tail) = &self.tail {
            let mut tail = tail.lock().expect("not poisoned");
            let keep = &bytes[bytes.len().saturating_sub(TAIL)..];
            let over = (tail.len() + keep.len()).saturating_sub(TAIL);
            tail.drain(..over);
            tail.extend(keep);
        }
        // The guest's bytes are untrusted: no control of theirs reaches the
        // terminal. A sequence cut between two writes is shown, not obeyed.
        let text = String::from_utf8_lossy(bytes);
        // A closed or full host stderr is not the guest's problem: drop the bytes.
        let _ = std::io::stderr().write_all(crate::text::sanitize(&text).as_bytes());
        Ok(())
    }
}

impl IsTerminal for GuestConsole {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for GuestConsole {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl OutputStream for GuestConsole {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.write_all(&bytes).map_err(|e| StreamError::Trap(e.into()))
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(64 * 1024)
    }
}

#[async_trait::async_trait]
impl Pollable for GuestConsole {
    async fn ready(&mut self) {}
}

impl AsyncWrite for GuestConsole {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Poll::Ready(
            self.write_all(buf)
                .map(|()| buf.len())
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::QuotaExceeded, e)),
        )
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_keeps_the_last_whole_lines_made_safe() {
        let console = GuestConsole::keeping_tail(OutputBudget::new(1 << 20));
        assert_eq!(console.tail(), "");
        console.write_all(b"Traceback (most recent call last):\n  File \"app.py\"\n").unwrap();
        console.write_all(b"ValueError: \x1b]0;owned\x07 \x1b[31mred\n").unwrap();
        let tail = console.tail();
        assert!(tail.starts_with("Traceback") && tail.contains("ValueError: "), "{tail}");
        assert!(!tail.contains(['\x1b', '\x07']), "{tail:?}");
        // Past the window, the oldest bytes go, and the half line with them.
        for i in 0..2000 {
            console.write_all(format!("line {i}\n").as_bytes()).unwrap();
        }
        let tail = console.tail();
        assert!(tail.len() <= TAIL && tail.ends_with("line 1999"), "{}", &tail[tail.len() - 20..]);
        assert!(tail.starts_with("line "), "{}", &tail[..20]);
        // One write larger than the window keeps its end.
        console.write_all(&[b'x'; 3 * TAIL]).unwrap();
        assert!(console.tail().len() < TAIL);
        // Plain stdout keeps nothing.
        let stdout = GuestConsole::new(OutputBudget::new(1 << 20));
        stdout.write_all(b"hello\n").unwrap();
        assert_eq!(stdout.tail(), "");
    }
}
