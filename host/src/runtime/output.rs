//! The output budget shared by a skill's log lines, stdout and stderr, and
//! the WASI stdio streams that draw on it.

use std::io::Write;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
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

/// A guest's stdout or stderr: forwarded to the host's stderr (stdout is
/// reserved for the skill's result), charged against the budget.
#[derive(Debug, Clone)]
pub struct GuestConsole {
    budget: OutputBudget,
}

impl GuestConsole {
    pub fn new(budget: OutputBudget) -> Self {
        GuestConsole { budget }
    }

    fn write_all(&self, bytes: &[u8]) -> Result<(), LimitExceeded> {
        self.budget.charge(bytes.len())?;
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
