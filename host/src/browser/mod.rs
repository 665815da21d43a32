//! A headless Chromium driven over the DevTools protocol, for the
//! `browser` capability: one browser per run, started when the first page
//! opens and killed, with every process it started, when the run ends or
//! grove dies.
//!
//! Every request the browser makes is paused until an [`Egress`] rule of
//! the caller's says whether it may go; refused ones fail as blocked by
//! the client and are kept, with the reason, for the page to report.

mod cdp;
mod launch;
mod page;
mod watch;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::json;

pub use launch::find;
pub use page::{Page, Viewport};

/// Whether the browser may send a request of `method` to `url`: `Err` says
/// why not.
pub type Egress = Arc<dyn Fn(&str, &str) -> Result<(), String> + Send + Sync>;

/// Hears each request the egress rule refused: its URL and why.
pub type OnBlocked = Arc<dyn Fn(&str, &str) + Send + Sync>;

/// Why the browser could not do something.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    #[error("no browser to start: {0}")]
    NotFound(String),
    #[error("{0}")]
    Start(String, #[source] std::io::Error),
    #[error("the browser exited")]
    Gone,
    #[error("the browser refused {method}: {message}")]
    Protocol { method: String, message: String },
    #[error("loading {url} failed: {why}")]
    Navigation { url: String, why: String, blocked: bool },
    #[error("no element matches `{0}`")]
    NoElement(String),
    #[error("the page's script threw: {0}")]
    Script(String),
    #[error("timed out after {ms} ms waiting for {what}")]
    Timeout { what: String, ms: u128 },
    #[error("{0}")]
    Invalid(String),
}

/// What the pages of one browser told it: errors, failed requests, and the
/// requests the egress rule blocked.
#[derive(Default)]
struct Shared {
    /// By the page's DevTools session.
    pages: Mutex<HashMap<String, Arc<Mutex<page::Log>>>>,
    /// Blocked URLs and why.
    blocked: Mutex<HashMap<String, String>>,
}

/// A running browser. Dropping it kills it and everything it started.
pub struct Browser {
    connection: cdp::Connection,
    shared: Arc<Shared>,
    /// Answers paused requests and keeps the pages' logs.
    watcher: tokio::task::JoinHandle<()>,
    launched: launch::Launched,
}

impl Browser {
    /// Start a browser whose every request passes `egress`, and whose
    /// connections go through the HTTP proxy at `proxy` when given (what
    /// the DevTools protocol cannot pause, such as WebSockets, is held
    /// there).
    pub async fn start(
        egress: Egress,
        on_blocked: OnBlocked,
        proxy: Option<&str>,
    ) -> Result<Browser, BrowserError> {
        let program = launch::find()?;
        let (launched, pipe) = launch::launch(&program, proxy)?;
        let (connection, events) = cdp::Connection::new(pipe.commands, pipe.answers);
        let shared = Arc::new(Shared::default());
        let watcher =
            tokio::spawn(watch::watch(events, connection.clone(), shared.clone(), egress, on_blocked));
        let browser = Browser { connection, shared, watcher, launched };
        // Every request of every page, frame and worker, paused until the
        // egress rule has said.
        browser.connection.call(None, "Fetch.enable", json!({ "patterns": [{ "urlPattern": "*" }] })).await?;
        Ok(browser)
    }

    /// The id of the browser's process group, for a session to record.
    pub fn pgid(&self) -> u32 {
        self.launched.pgid()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.watcher.abort();
        // `launched` kills the process group as it drops.
    }
}
