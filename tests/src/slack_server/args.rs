//! A Web API method's arguments, read the way Slack reads them: from the
//! query string, an `application/x-www-form-urlencoded` body, or (for the
//! methods whose documentation lists it) an `application/json` body. A
//! token may come as a form argument; in a JSON body it is not read (the
//! documentation says JSON callers must send it as a header).

use serde_json::{Map, Value};

/// The arguments of one call, and what the server noticed about how they
/// were sent.
#[derive(Debug, Default)]
pub(super) struct Args {
    pub(super) values: Map<String, Value>,
    /// A `token` form or query argument, if one was sent.
    pub(super) token: Option<String>,
    /// A JSON body whose `Content-Type` did not say `charset=utf-8`: Slack
    /// answers such calls with the warning `missing_charset`.
    pub(super) missing_charset: bool,
}

impl Args {
    /// Read `query` and `body` as sent with `content_type`; `json_ok` says
    /// whether the method accepts JSON bodies.
    pub(super) fn read(query: &str, content_type: &str, body: &[u8], json_ok: bool) -> Args {
        let mut args = Args::default();
        args.form(query);
        let content_type = content_type.to_ascii_lowercase();
        if content_type.starts_with("application/x-www-form-urlencoded") {
            args.form(&String::from_utf8_lossy(body));
        } else if content_type.starts_with("application/json") && json_ok {
            args.missing_charset = !content_type.replace(' ', "").contains("charset=utf-8");
            if let Ok(Value::Object(map)) = serde_json::from_slice(body) {
                args.values.extend(map.into_iter().filter(|(k, _)| k != "token"));
            }
        }
        args
    }

    fn form(&mut self, text: &str) {
        for pair in text.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let (name, value) = (decode(name), decode(value));
            if name == "token" {
                self.token = Some(value);
            } else {
                self.values.insert(name, Value::String(value));
            }
        }
    }

    /// A string argument (numbers and booleans as their text).
    pub(super) fn str(&self, name: &str) -> Option<String> {
        match self.values.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    }

    /// An argument that may be JSON itself: sent as JSON in a JSON body, or
    /// as JSON-encoded text in a form (`blocks`, `files`).
    pub(super) fn json(&self, name: &str) -> Option<Value> {
        match self.values.get(name)? {
            Value::String(s) => serde_json::from_str(s).ok(),
            other => Some(other.clone()),
        }
    }
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte.
pub(crate) fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_queries_and_json_bodies_are_read_as_slack_reads_them() {
        let args =
            Args::read("cursor=abc", "application/x-www-form-urlencoded", b"email=a%40b.io&x=1+2", false);
        assert_eq!(args.str("email").as_deref(), Some("a@b.io"));
        assert_eq!(args.str("x").as_deref(), Some("1 2"));
        assert_eq!(args.str("cursor").as_deref(), Some("abc"));
        let args = Args::read("", "application/json", br#"{"channel":"C1","token":"t"}"#, true);
        assert!(args.missing_charset && args.token.is_none());
        assert_eq!(args.str("channel").as_deref(), Some("C1"));
        let args = Args::read("", "application/json; charset=utf-8", br#"{"channel":"C1"}"#, false);
        assert!(args.str("channel").is_none(), "a form-only method does not read JSON");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%e2%9c%93"), "✓");
    }
}
