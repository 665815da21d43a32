//! The browser's events, as they come: paused requests answered by the
//! egress rule, and what each page reports (errors, failed requests) kept
//! in its log.

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::cdp::{Connection, Event};
use super::{Egress, OnBlocked, Shared};

/// The most entries a page's log keeps of each kind; a page that floods
/// the console cannot grow grove's memory.
const MAX_ENTRIES: usize = 200;

/// Handle `events` until the browser is gone.
pub(super) async fn watch(
    mut events: mpsc::UnboundedReceiver<Event>,
    connection: Connection,
    shared: Arc<Shared>,
    egress: Egress,
    on_blocked: OnBlocked,
) {
    while let Some(event) = events.recv().await {
        let p = &event.params;
        match event.method.as_str() {
            "Fetch.requestPaused" => {
                let id = str_at(p, "/requestId");
                let url = str_at(p, "/request/url");
                let method = str_at(p, "/request/method");
                let answer = match egress(method, url) {
                    Ok(()) => connection.send(None, "Fetch.continueRequest", json!({ "requestId": id })),
                    Err(why) => {
                        shared
                            .blocked
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(url.to_string(), why.clone());
                        on_blocked(url, &why);
                        connection.send(
                            None,
                            "Fetch.failRequest",
                            json!({ "requestId": id, "errorReason": "BlockedByClient" }),
                        )
                    }
                };
                if answer.is_err() {
                    break;
                }
            }
            "Runtime.exceptionThrown" => {
                let details = &p["exceptionDetails"];
                let text = details
                    .pointer("/exception/description")
                    .and_then(Value::as_str)
                    .or_else(|| details.get("text").and_then(Value::as_str))
                    .unwrap_or("an uncaught exception");
                log_of(&shared, &event, |log| push(&mut log.console_errors, text.to_string()));
            }
            "Runtime.consoleAPICalled" if str_at(p, "/type") == "error" => {
                let args = p["args"].as_array().map(Vec::as_slice).unwrap_or_default();
                let text = args.iter().map(shown).collect::<Vec<_>>().join(" ");
                log_of(&shared, &event, |log| push(&mut log.console_errors, text));
            }
            "Network.requestWillBeSent" => {
                let (id, url) = (str_at(p, "/requestId").to_string(), str_at(p, "/request/url").to_string());
                log_of(&shared, &event, |log| {
                    if log.requests.len() < 10_000 {
                        log.requests.insert(id, url);
                    }
                });
            }
            "Network.loadingFailed" => {
                let id = str_at(p, "/requestId");
                let error = str_at(p, "/errorText");
                log_of(&shared, &event, |log| {
                    let url = log.requests.remove(id).unwrap_or_default();
                    let why = shared.blocked.lock().unwrap_or_else(|e| e.into_inner()).get(&url).cloned();
                    let entry = match why {
                        Some(why) => format!("{url}: blocked by grove: {why}"),
                        None => format!("{url}: {error}"),
                    };
                    push(&mut log.failed_requests, entry);
                });
            }
            "Network.loadingFinished" => {
                let id = str_at(p, "/requestId");
                log_of(&shared, &event, |log| {
                    log.requests.remove(id);
                });
            }
            _ => {}
        }
    }
}

/// The string at `pointer` in `value`, or empty.
fn str_at<'v>(value: &'v Value, pointer: &str) -> &'v str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// A console argument as the console shows it.
fn shown(arg: &Value) -> String {
    match arg.get("value") {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => str_at(arg, "/description").to_string(),
    }
}

fn push(entries: &mut Vec<String>, entry: String) {
    if entries.len() < MAX_ENTRIES {
        entries.push(entry);
    }
}

/// Change the log of the page the event came from, if it is one of ours.
fn log_of(shared: &Shared, event: &Event, change: impl FnOnce(&mut super::page::Log)) {
    let Some(session) = &event.session else { return };
    let log = shared.pages.lock().unwrap_or_else(|e| e.into_inner()).get(session).cloned();
    if let Some(log) = log {
        change(&mut log.lock().unwrap_or_else(|e| e.into_inner()));
    }
}
