//! What can go wrong telling people, each with the hint that fixes it.

use std::path::PathBuf;
use std::time::Duration;

/// Why a notification was not sent.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no Slack token is set up")]
    NoToken { config: PathBuf },
    #[error("{}: {message}", .path.display())]
    Config { path: PathBuf, message: String },
    /// Slack answered `"ok": false`.
    #[error("{}", api_message(method, code))]
    Api { method: String, code: String, needed: Option<String> },
    /// A `429` whose `Retry-After` is longer than grove waits, or one too many.
    #[error("Slack is rate-limiting {method}: it asks to wait {}s", .retry_after.as_secs())]
    RateLimited { method: String, retry_after: Duration },
    #[error("Slack answered {method} with HTTP {status}")]
    Status { method: String, status: u16 },
    #[error("calling Slack's {method}")]
    Transport {
        method: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("Slack's answer to {method} is not what its documentation describes: {message}")]
    Answer { method: String, message: String },
    #[error("the upload URL Slack gave ({url}) is neither https nor on the API's host")]
    UploadUrl { url: String },
    #[error("uploading {file}: the upload URL answered HTTP {status}")]
    Upload { file: String, status: u16 },
    /// A person named by login or CODEOWNERS entry with no e-mail.
    #[error("no e-mail is known for `{person}`")]
    NoMapping { person: String, config: PathBuf },
    #[error("nobody is on call")]
    NoOnCall { config: PathBuf },
    #[error("no Slack channel is named #{0}")]
    NoChannel(String),
    #[error("{}: {source}", .path.display())]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{what} is larger than {} MiB", MAX_FILE >> 20)]
    TooLarge { what: String },
    #[error("{0}")]
    Invalid(String),
}

/// Largest file grove uploads: evidence is a GIF or a log, not a video.
pub const MAX_FILE: u64 = 64 << 20;

/// The Web API's own error codes, in words.
fn api_message(method: &str, code: &str) -> String {
    match code {
        "invalid_auth" | "not_authed" | "token_revoked" | "token_expired" | "account_inactive" => {
            format!("the Slack token was refused: {code} (calling {method})")
        }
        "missing_scope" => format!("the Slack token lacks a scope {method} needs (missing_scope)"),
        "users_not_found" => "no Slack user has that e-mail (users_not_found)".to_string(),
        "channel_not_found" => "Slack knows no such channel (channel_not_found)".to_string(),
        "not_in_channel" => "grove's Slack app is not in that channel (not_in_channel)".to_string(),
        _ => format!("Slack refused {method}: {code}"),
    }
}

impl Error {
    /// What to do about it, when grove knows.
    pub fn hint(&self) -> Option<String> {
        let config = |path: &PathBuf| path.display().to_string();
        Some(match self {
            Error::NoToken { config: path } => format!(
                "set SLACK_BOT_TOKEN to your Slack app's bot token (xoxb-…), or `token` under [slack] in {}",
                config(path)
            ),
            Error::Api { code, needed, .. } => match code.as_str() {
                "invalid_auth" | "not_authed" | "token_revoked" | "token_expired" | "account_inactive" => {
                    "check SLACK_BOT_TOKEN (or [slack] token in grove's config.toml): it must be the bot token \
                     (xoxb-…) of an app installed in your workspace"
                        .into()
                }
                "missing_scope" => format!(
                    "add the scope{} to your Slack app (OAuth & Permissions) and reinstall it",
                    needed.as_deref().map(|n| format!(" `{n}`")).unwrap_or_default()
                ),
                "users_not_found" => {
                    "check the e-mail under [notify.people] in .grove/config.toml: it must be the one on \
                     their Slack profile"
                        .into()
                }
                "channel_not_found" | "not_in_channel" => {
                    "invite the app to the channel (`/invite @your-app` in it), or check its name".into()
                }
                _ => return None,
            },
            Error::RateLimited { .. } => "try again later".into(),
            Error::NoMapping { person, config: path } => format!(
                "add `\"{person}\" = \"their-email@example.com\"` under [notify.people] in {}",
                config(path)
            ),
            Error::NoOnCall { config: path } => format!(
                "set `on-call = \"#channel\"` or `rota = \"path/to/rota.toml\"` under [notify] in {}",
                config(path)
            ),
            Error::NoChannel(_) => {
                "check the channel's name, and give the app the `channels:read` scope to find it".into()
            }
            _ => return None,
        })
    }

    /// Whether the fault is in the setup (token, config, routing), not in
    /// reaching Slack.
    pub fn is_setup(&self) -> bool {
        matches!(
            self,
            Error::NoToken { .. }
                | Error::Config { .. }
                | Error::NoMapping { .. }
                | Error::NoOnCall { .. }
                | Error::Invalid(_)
        )
    }

    /// The message and its hint, on one line.
    pub fn with_hint(&self) -> String {
        match self.hint() {
            Some(hint) => format!("{self} (hint: {hint})"),
            None => self.to_string(),
        }
    }
}
