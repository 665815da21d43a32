//! What a skill does with a page: navigate, click, type, press keys, wait,
//! read text, run a script, take a screenshot, and read back what the page
//! reported.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

use super::cdp::Connection;
use super::{Browser, BrowserError, Shared};

/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(50);

/// A page's viewport, in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewport {
    pub width: u32,
    pub height: u32,
}

impl Default for Viewport {
    fn default() -> Viewport {
        Viewport { width: 1280, height: 720 }
    }
}

/// What a page reported since it opened.
#[derive(Debug, Default)]
pub(super) struct Log {
    pub console_errors: Vec<String>,
    pub failed_requests: Vec<String>,
    /// Requests under way, by id: their URLs, to name a failed one.
    pub requests: HashMap<String, String>,
}

/// One page (a tab) of a browser.
pub struct Page {
    connection: Connection,
    shared: Arc<Shared>,
    target: String,
    session: String,
    log: Arc<Mutex<Log>>,
    viewport: Viewport,
}

impl Page {
    /// A new blank page of `browser` with a viewport of `viewport`.
    pub async fn open(browser: &Browser, viewport: Viewport) -> Result<Page, BrowserError> {
        if !(1..=10_000).contains(&viewport.width) || !(1..=10_000).contains(&viewport.height) {
            return Err(BrowserError::Invalid(format!(
                "a viewport of {}×{} pixels; each side must be 1 to 10000",
                viewport.width, viewport.height
            )));
        }
        let connection = browser.connection.clone();
        let created = connection.call(None, "Target.createTarget", json!({ "url": "about:blank" })).await?;
        let target = created["targetId"].as_str().unwrap_or_default().to_string();
        let attached = connection
            .call(None, "Target.attachToTarget", json!({ "targetId": target, "flatten": true }))
            .await?;
        let session = attached["sessionId"].as_str().unwrap_or_default().to_string();
        let log = Arc::new(Mutex::new(Log::default()));
        browser.shared.pages.lock().unwrap_or_else(|e| e.into_inner()).insert(session.clone(), log.clone());
        let page = Page { connection, shared: browser.shared.clone(), target, session, log, viewport };
        for domain in ["Page.enable", "Runtime.enable", "Network.enable"] {
            page.call(domain, json!({})).await?;
        }
        let metrics = json!({
            "width": viewport.width, "height": viewport.height,
            "deviceScaleFactor": 1, "mobile": false,
        });
        page.call("Emulation.setDeviceMetricsOverride", metrics).await?;
        Ok(page)
    }

    /// The size it was opened with.
    pub fn viewport(&self) -> Viewport {
        self.viewport
    }

    async fn call(&self, method: &str, params: Value) -> Result<Value, BrowserError> {
        self.connection.call(Some(&self.session), method, params).await
    }

    /// Load `url` and wait, up to `timeout`, until it has loaded.
    pub async fn goto(&self, url: &str, timeout: Duration) -> Result<(), BrowserError> {
        let started = Instant::now();
        let navigate = self.call("Page.navigate", json!({ "url": url }));
        let navigated = tokio::time::timeout(timeout, navigate).await.map_err(|_| {
            BrowserError::Timeout { what: format!("{url} to load"), ms: timeout.as_millis() }
        })??;
        if let Some(error) = navigated.get("errorText").and_then(Value::as_str).filter(|e| !e.is_empty()) {
            if !error.contains("ERR_BLOCKED_BY_CLIENT") {
                return Err(BrowserError::Navigation { url: url.into(), why: error.into(), blocked: false });
            }
            let blocked = self.shared.blocked.lock().unwrap_or_else(|e| e.into_inner());
            let why = blocked.get(url).or_else(|| blocked.get(&format!("{url}/")));
            let why = why.map_or("a request of the page went where grove does not allow", String::as_str);
            return Err(BrowserError::Navigation {
                url: url.into(),
                why: format!("blocked by grove: {why}"),
                blocked: true,
            });
        }
        let left = timeout.saturating_sub(started.elapsed());
        self.until("document.readyState === 'complete'", left, || format!("{url} to load")).await
    }

    /// Click the middle of the first element matching `selector`; the
    /// point clicked, in viewport pixels.
    pub async fn click(&self, selector: &str) -> Result<(f64, f64), BrowserError> {
        let script = format!(
            "(() => {{ const el = document.querySelector({s}); if (!el) return null; \
             el.scrollIntoView({{ block: 'center', inline: 'center' }}); \
             const r = el.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }})()",
            s = literal(selector)
        );
        let at = self.evaluate(&script).await?;
        let (Some(x), Some(y)) = (at[0].as_f64(), at[1].as_f64()) else {
            return Err(BrowserError::NoElement(selector.into()));
        };
        for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
            let event = json!({ "type": kind, "x": x, "y": y, "button": "left", "clickCount": 1 });
            self.call("Input.dispatchMouseEvent", event).await?;
        }
        Ok((x, y))
    }

    /// Focus the first element matching `selector` and type `text` into it.
    pub async fn type_text(&self, selector: &str, text: &str) -> Result<(), BrowserError> {
        let script = format!(
            "(() => {{ const el = document.querySelector({s}); if (!el) return false; el.focus(); return true; }})()",
            s = literal(selector)
        );
        if self.evaluate(&script).await? != Value::Bool(true) {
            return Err(BrowserError::NoElement(selector.into()));
        }
        self.call("Input.insertText", json!({ "text": text })).await?;
        Ok(())
    }

    /// Press and release `key` where the focus is.
    pub async fn press(&self, key: &str) -> Result<(), BrowserError> {
        let Some((code, text)) = key_of(key) else {
            return Err(BrowserError::Invalid(format!("`{key}` is not a key grove knows how to press")));
        };
        let mut down = json!({ "type": "rawKeyDown", "key": key, "windowsVirtualKeyCode": code });
        if let Some(text) = text {
            down["type"] = json!("keyDown");
            down["text"] = json!(text);
        }
        self.call("Input.dispatchKeyEvent", down).await?;
        let up = json!({ "type": "keyUp", "key": key, "windowsVirtualKeyCode": code });
        self.call("Input.dispatchKeyEvent", up).await?;
        Ok(())
    }

    /// Wait up to `timeout` for an element matching `selector`.
    pub async fn wait_for(&self, selector: &str, timeout: Duration) -> Result<(), BrowserError> {
        let test = format!("document.querySelector({}) !== null", literal(selector));
        self.until(&test, timeout, || format!("an element matching `{selector}`")).await
    }

    /// Wait up to `timeout` until the page's visible text contains `text`.
    pub async fn wait_for_text(&self, text: &str, timeout: Duration) -> Result<(), BrowserError> {
        let test = format!("(document.body ? document.body.innerText : '').includes({})", literal(text));
        self.until(&test, timeout, || format!("the text {text:?}")).await
    }

    /// The visible text of the first element matching `selector`.
    pub async fn text(&self, selector: &str) -> Result<String, BrowserError> {
        let script = format!(
            "(() => {{ const el = document.querySelector({s}); return el ? (el.innerText ?? el.textContent) : null; }})()",
            s = literal(selector)
        );
        match self.evaluate(&script).await? {
            Value::String(text) => Ok(text),
            _ => Err(BrowserError::NoElement(selector.into())),
        }
    }

    /// Run `script`, await its value if it is a promise, and give it as
    /// JSON (`null` for `undefined`).
    pub async fn eval(&self, script: &str) -> Result<String, BrowserError> {
        Ok(self.evaluate(script).await?.to_string())
    }

    /// A PNG of the viewport, or of the whole page.
    pub async fn screenshot(&self, full_page: bool) -> Result<Vec<u8>, BrowserError> {
        let mut params = json!({ "format": "png" });
        if full_page {
            let metrics = self.call("Page.getLayoutMetrics", json!({})).await?;
            let size = &metrics["cssContentSize"];
            let (width, height) =
                (size["width"].as_f64().unwrap_or(0.0), size["height"].as_f64().unwrap_or(0.0));
            params["captureBeyondViewport"] = json!(true);
            params["clip"] = json!({ "x": 0, "y": 0, "width": width, "height": height, "scale": 1 });
        }
        let shot = self.call("Page.captureScreenshot", params).await?;
        let data = shot["data"].as_str().unwrap_or_default();
        base64::engine::general_purpose::STANDARD.decode(data).map_err(|e| BrowserError::Protocol {
            method: "Page.captureScreenshot".into(),
            message: format!("the image is not base64: {e}"),
        })
    }

    /// Uncaught exceptions and `console.error` calls so far.
    pub fn console_errors(&self) -> Vec<String> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).console_errors.clone()
    }

    /// Requests that failed so far, each `URL: why`.
    pub fn failed_requests(&self) -> Vec<String> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).failed_requests.clone()
    }

    /// Close the page.
    pub async fn close(self) -> Result<(), BrowserError> {
        self.shared.pages.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.session);
        self.connection.call(None, "Target.closeTarget", json!({ "targetId": self.target })).await?;
        Ok(())
    }

    /// The value of `expression`, awaited; an exception is an error.
    async fn evaluate(&self, expression: &str) -> Result<Value, BrowserError> {
        let params = json!({ "expression": expression, "returnByValue": true, "awaitPromise": true });
        let mut answer = self.call("Runtime.evaluate", params).await?;
        if let Some(details) = answer.get("exceptionDetails") {
            let text = details
                .pointer("/exception/description")
                .and_then(Value::as_str)
                .or_else(|| details.get("text").and_then(Value::as_str))
                .unwrap_or("an exception");
            return Err(BrowserError::Script(text.to_string()));
        }
        Ok(answer.pointer_mut("/result/value").map(Value::take).unwrap_or(Value::Null))
    }

    /// Wait up to `timeout` until `test` is true in the page.
    async fn until(
        &self,
        test: &str,
        timeout: Duration,
        what: impl Fn() -> String,
    ) -> Result<(), BrowserError> {
        let deadline = Instant::now() + timeout;
        loop {
            // A page between two documents cannot evaluate; look again.
            if let Ok(Value::Bool(true)) = self.evaluate(test).await {
                return Ok(());
            }
            if Instant::now() + POLL > deadline {
                return Err(BrowserError::Timeout { what: what(), ms: timeout.as_millis() });
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

/// `text` as a JavaScript string literal.
fn literal(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

/// The virtual key code of a key and the text it types, if any.
fn key_of(key: &str) -> Option<(u32, Option<&str>)> {
    let named = match key {
        "Enter" => (13, Some("\r")),
        "Tab" => (9, None),
        "Escape" => (27, None),
        "Backspace" => (8, None),
        "Delete" => (46, None),
        " " | "Space" => (32, Some(" ")),
        "ArrowLeft" => (37, None),
        "ArrowUp" => (38, None),
        "ArrowRight" => (39, None),
        "ArrowDown" => (40, None),
        "Home" => (36, None),
        "End" => (35, None),
        "PageUp" => (33, None),
        "PageDown" => (34, None),
        _ => {
            let mut chars = key.chars();
            let (Some(c), None) = (chars.next(), chars.next()) else { return None };
            let code = if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() as u32 } else { 0 };
            return Some((code, Some(key)));
        }
    };
    Some(named)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_have_codes_and_text() {
        assert_eq!(key_of("Enter"), Some((13, Some("\r"))));
        assert_eq!(key_of("a"), Some((65, Some("a"))));
        assert_eq!(key_of("Tab"), Some((9, None)));
        assert_eq!(key_of("Hyper"), None);
    }

    #[test]
    fn selectors_become_string_literals() {
        assert_eq!(literal(r#"a"); alert(1); ("#), r#""a\"); alert(1); (""#);
    }
}
