//! The DevTools protocol over the browser's pipe: JSON messages ended by a
//! NUL byte. A command is `{id, method, params, sessionId?}` and is
//! answered by a message with the same id; everything else is an event,
//! handed to whoever listens.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};

use super::BrowserError;

/// An event of the browser: its method, params and the session (page) it
/// came from, `None` for the browser itself.
#[derive(Debug)]
pub struct Event {
    pub method: String,
    pub params: Value,
    pub session: Option<String>,
}

type Waiting = Arc<Mutex<HashMap<u64, oneshot::Sender<Result<Value, String>>>>>;

/// One connection to one browser. Cloning it shares the connection.
#[derive(Clone)]
pub struct Connection {
    commands: Arc<Mutex<File>>,
    next_id: Arc<AtomicU64>,
    waiting: Waiting,
}

impl Connection {
    /// Talk over `commands` and `answers`; events go to the receiver. A
    /// thread of its own reads the answers until the browser closes its
    /// end (it exited or was killed), which fails every command still
    /// waiting.
    pub fn new(commands: File, answers: File) -> (Connection, mpsc::UnboundedReceiver<Event>) {
        let (events, receiver) = mpsc::unbounded_channel();
        let waiting: Waiting = Arc::default();
        let reader_waiting = waiting.clone();
        let spawned = std::thread::Builder::new()
            .name("grove-cdp".into())
            .spawn(move || read_answers(answers, &reader_waiting, &events));
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "cannot start the browser connection's reader");
        }
        let connection =
            Connection { commands: Arc::new(Mutex::new(commands)), next_id: Arc::default(), waiting };
        (connection, receiver)
    }

    /// Send `method` with `params` to `session` (the browser when `None`)
    /// and wait for its result.
    pub async fn call(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<Value, BrowserError> {
        let (tx, rx) = oneshot::channel();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        self.waiting.lock().unwrap_or_else(|e| e.into_inner()).insert(id, tx);
        if let Err(e) = self.write(id, session, method, params) {
            self.waiting.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
            return Err(e);
        }
        match rx.await {
            Ok(Ok(result)) => Ok(result),
            Ok(Err(message)) => Err(BrowserError::Protocol { method: method.to_string(), message }),
            Err(_) => Err(BrowserError::Gone),
        }
    }

    /// Send `method` without waiting for its answer (answering a paused
    /// request from the loop that reads events, which must not wait on
    /// itself).
    pub fn send(&self, session: Option<&str>, method: &str, params: Value) -> Result<(), BrowserError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        self.write(id, session, method, params)
    }

    fn write(&self, id: u64, session: Option<&str>, method: &str, params: Value) -> Result<(), BrowserError> {
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        let mut bytes = serde_json::to_vec(&message).expect("a JSON value serializes");
        bytes.push(0);
        // Messages are small and the browser reads them as they come, so
        // this write does not hold the runtime up.
        let mut commands = self.commands.lock().unwrap_or_else(|e| e.into_inner());
        commands.write_all(&bytes).map_err(|_| BrowserError::Gone)
    }
}

fn read_answers(answers: File, waiting: &Waiting, events: &mpsc::UnboundedSender<Event>) {
    let mut reader = BufReader::with_capacity(1 << 20, answers);
    let mut message = Vec::new();
    loop {
        message.clear();
        match reader.read_until(0, &mut message) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        if message.last() == Some(&0) {
            message.pop();
        }
        let Ok(mut value) = serde_json::from_slice::<Value>(&message) else { continue };
        let session = value.get("sessionId").and_then(Value::as_str).map(String::from);
        if let Some(id) = value.get("id").and_then(Value::as_u64) {
            let Some(tx) = waiting.lock().unwrap_or_else(|e| e.into_inner()).remove(&id) else { continue };
            let answer = match value.get("error") {
                Some(error) => {
                    Err(error.get("message").and_then(Value::as_str).unwrap_or("error").to_string())
                }
                None => Ok(value.get_mut("result").map(Value::take).unwrap_or(Value::Null)),
            };
            let _ = tx.send(answer);
        } else if let Some(method) = value.get("method").and_then(Value::as_str) {
            let method = method.to_string();
            let params = value.get_mut("params").map(Value::take).unwrap_or(Value::Null);
            let _ = events.send(Event { method, params, session });
        }
    }
    // The browser is gone: everything still waiting hears so.
    waiting.lock().unwrap_or_else(|e| e.into_inner()).clear();
}
