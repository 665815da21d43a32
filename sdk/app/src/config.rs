//! The `[evidence]` section of `.grove/config.toml`: how the app is served
//! and when it is ready.
//!
//! ```toml
//! [evidence]
//! serve = "python3 -m http.server $PORT"   # or "npm run dev -- --port $PORT"
//! url = "/"                                # a path, or a URL where $PORT is the app's port
//! ready = "/"                              # a path that must answer 200, or text the app prints
//! ready-timeout-ms = 30000
//! ```
//!
//! Other sections belong to other tools and are ignored; an unknown key
//! inside `[evidence]` is an error, so a typo is not silently ignored.

use toml::{Table, Value};

/// Where the configuration lives, relative to the workspace root.
pub const PATH: &str = ".grove/config.toml";
/// How long the app has to become ready when the configuration does not say.
pub const DEFAULT_READY_TIMEOUT_MS: u64 = 30_000;
const KEYS: &[&str] = &["serve", "url", "ready", "ready-timeout-ms"];

/// How the app is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// A shell command; the app listens on `127.0.0.1:$PORT`.
    pub serve: String,
    /// Where the browser starts: a path, or an http(s) URL where `$PORT`
    /// (or `${PORT}`) stands for the port the app is reached at.
    pub url: String,
    pub ready: Ready,
    pub ready_timeout_ms: u64,
}

/// When the app counts as ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ready {
    /// A `GET` of this path answers 200.
    Answers(String),
    /// The app printed this text (on stdout or stderr).
    Prints(String),
}

/// The `[evidence]` section of the workspace's configuration, or `None`
/// when there is no configuration or no such section.
pub fn read() -> grove_sdk::Result<Option<Evidence>> {
    match grove_sdk::workspace::read_text(PATH) {
        Ok(text) => parse(&text).map_err(grove_sdk::Error::invalid),
        Err(grove_sdk::Error::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The `[evidence]` section of `text`, or `None` when there is none.
pub fn parse(text: &str) -> Result<Option<Evidence>, String> {
    let table: Table = toml::from_str(text).map_err(|e| format!("{PATH}: {}", e.to_string().trim_end()))?;
    let Some(section) = table.get("evidence") else { return Ok(None) };
    let Value::Table(section) = section else {
        return Err(format!("{PATH}: [evidence] is a table of settings"));
    };
    let fail = |why: String| format!("{PATH}: [evidence] {why}");
    if let Some(unknown) = section.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(fail(format!("has no key `{unknown}` (it knows {})", KEYS.join(", "))));
    }
    let text_of = |key: &str| -> Result<Option<String>, String> {
        match section.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
            Some(other) => Err(fail(format!("{key} is text, not {}", other.type_str()))),
        }
    };
    let serve = text_of("serve")?.filter(|s| !s.is_empty()).ok_or_else(|| {
        fail("needs serve: the command that serves the app on $PORT, e.g. serve = \"python3 -m http.server $PORT\"".into())
    })?;
    let url = text_of("url")?.filter(|u| !u.is_empty()).unwrap_or_else(|| "/".into());
    if !(url.starts_with('/') || url.starts_with("http://") || url.starts_with("https://")) {
        return Err(fail(format!("url {url:?} is a path (`/`, `/app/`) or an http(s) URL")));
    }
    let ready = match text_of("ready")?.filter(|r| !r.is_empty()) {
        Some(path) if path.starts_with('/') => Ready::Answers(path),
        Some(text) => Ready::Prints(text),
        None => Ready::Answers(path_of(&url)),
    };
    let ready_timeout_ms = match section.get("ready-timeout-ms") {
        None => DEFAULT_READY_TIMEOUT_MS,
        Some(Value::Integer(ms)) if (1..=600_000).contains(ms) => *ms as u64,
        Some(other) => {
            return Err(fail(format!(
                "ready-timeout-ms is milliseconds from 1 to 600000, not {}",
                shown(other)
            )));
        }
    };
    Ok(Some(Evidence { serve, url, ready, ready_timeout_ms }))
}

/// A value as a mistake names it.
pub fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{s:?}"),
        Value::Integer(n) => n.to_string(),
        Value::Float(n) => n.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::Datetime(d) => format!("the date {d:?}"),
        Value::Array(items) => format!("[{}]", items.iter().map(shown).collect::<Vec<_>>().join(", ")),
        Value::Table(_) => "a table".into(),
    }
}

/// The path part of a path or URL: what is asked for to know the page is there.
fn path_of(url: &str) -> String {
    match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/".into(), |at| rest[at..].to_string()),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_evidence_section() {
        let text = r#"
            [design]
            designers = ["dana@example.com"]

            [evidence]
            serve = "npm run dev -- --port $PORT"
            url = "/app/"
            ready = "compiled successfully"
            ready-timeout-ms = 60000
        "#;
        let e = parse(text).unwrap().unwrap();
        assert_eq!(e.serve, "npm run dev -- --port $PORT");
        assert_eq!(e.url, "/app/");
        assert_eq!(e.ready, Ready::Prints("compiled successfully".into()));
        assert_eq!(e.ready_timeout_ms, 60_000);
    }

    #[test]
    fn defaults() {
        let e = parse("[evidence]\nserve = \"python3 -m http.server $PORT\"\n").unwrap().unwrap();
        assert_eq!(e.url, "/");
        assert_eq!(e.ready, Ready::Answers("/".into()));
        assert_eq!(e.ready_timeout_ms, DEFAULT_READY_TIMEOUT_MS);
        let e =
            parse("[evidence]\nserve = \"x\"\nurl = \"http://localhost:$PORT/app/?a=1\"\n").unwrap().unwrap();
        assert_eq!(e.ready, Ready::Answers("/app/?a=1".into()));
        let e = parse("[evidence]\nserve = \"x\"\nready = \"/health\"\n").unwrap().unwrap();
        assert_eq!(e.ready, Ready::Answers("/health".into()));
        assert_eq!(parse("[other]\nx = 1\n").unwrap(), None);
        assert_eq!(parse("").unwrap(), None);
    }

    #[test]
    fn mistakes_are_named() {
        let e = parse("[evidence]\nurl = \"/\"\n").unwrap_err();
        assert!(e.contains("needs serve"), "{e}");
        let e = parse("[evidence]\nserve = \"x\"\nready_timeout_ms = 5\n").unwrap_err();
        assert!(e.contains("no key `ready_timeout_ms`"), "{e}");
        let e = parse("[evidence]\nserve = \"x\"\nready-timeout-ms = 0\n").unwrap_err();
        assert!(e.contains("ready-timeout-ms"), "{e}");
        let e = parse("[evidence]\nserve = \"x\"\nurl = \"app\"\n").unwrap_err();
        assert!(e.contains("url \"app\""), "{e}");
        let e = parse("[evidence]\nserve = 3\n").unwrap_err();
        assert!(e.contains("serve is text, not integer"), "{e}");
        assert!(parse("[evidence\n").unwrap_err().starts_with(PATH));
    }
}
